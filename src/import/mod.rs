//! `jianpai import`: inventories exported from the 排污许可 / emergency-list platforms (CSV or
//! workbooks, UTF-8 or GBK; title rows and notes around the table, two-row merged headers,
//! merged enterprise cells, 合计 rows, their own headers and words, annual or hourly units) turned
//! into a clean dataset in our format, with a record of what was mapped, converted and skipped.
//!
//! Files are read by the same readers as every dataset ([`crate::io`]); headers are matched by
//! the schema's synonyms ([`crate::io::schema`]) and the mapping file ([`mapping`]); units are
//! converted by [`crate::validate::header_units`]; the result is validated by
//! [`crate::validate::validate_tables`] before anything is written.

pub mod mapping;

use crate::domain::{Grade, Inventory, LineStatus};
use crate::io::cells::CsvOut;
use crate::io::schema::{ColumnSpec, Kind, TableSpec, TABLES};
use crate::io::table::{column_letter, display};
use crate::io::{IoError, RawRow, RawTable};
use crate::validate::cells::{error, parse_number, warning};
use crate::validate::header_units::{convert_table, OperatingTime};
use crate::validate::{validate_tables, Report, Severity};
use mapping::Mapping;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// How many rows from the top of a sheet are searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// One line of the import report: what was done where, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// File (and sheet).
    pub file: String,
    /// Spreadsheet row, when about rows.
    pub row: Option<usize>,
    /// Their column, when about a column.
    pub column: String,
    /// What was done (识别表格, 列映射, 单位换算, 跳过, 向下填充, 取值转换, 警告, 错误).
    pub action: String,
    /// The detail.
    pub detail: String,
}

/// The outcome of an import: the clean tables (when the data is valid) and the report.
#[derive(Debug, Default)]
pub struct Imported {
    /// Our tables in schema order, as written to the dataset folder (CSV bytes by file name).
    pub files: Vec<(String, Vec<u8>)>,
    /// The validated inventory, when there is no error.
    pub inventory: Option<Inventory>,
    /// What was done.
    pub entries: Vec<Entry>,
}

/// The rows of one CSV file or sheet, with their spreadsheet row numbers.
struct Source {
    name: String,
    /// The file or sheet name naming a table (`lines.csv`, sheet 生产线), if it does.
    named: Option<&'static TableSpec>,
    rows: Vec<(usize, Vec<String>)>,
    notes: Vec<String>,
}

fn io_error(e: &IoError, report: &mut Report) {
    let (file, message) = match e {
        IoError::Read { file, source } => (file.clone(), format!("cannot read: {source}")),
        IoError::Write { file, source } => (file.clone(), format!("cannot write: {source}")),
        IoError::Format { file, message } => (file.clone(), message.clone()),
    };
    report.push(error(
        e.diagnostic_code(),
        &file,
        None,
        None,
        None,
        message,
        "",
    ));
}

/// The sources of one input file: the file itself (CSV) or each sheet (workbooks).
fn sources(path: &Path, report: &mut Report) -> Vec<Source> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_lowercase();
    let result = match ext.as_str() {
        "csv" | "txt" | "tsv" => {
            crate::io::table::read_csv_grid(path).map(|(name, rows, notes)| {
                vec![Source {
                    name,
                    named: crate::io::dataset::table_for(stem),
                    rows,
                    notes,
                }]
            })
        }
        "xlsx" | "xlsm" | "xls" | "ods" => workbook_sources(path, stem),
        _ => {
            if let Err(e) = std::fs::metadata(path) {
                Err(IoError::Read {
                    file: display(path),
                    source: e,
                })
            } else {
                Err(IoError::Format {
                    file: display(path),
                    message: format!(
                        "has extension '.{ext}'; platform exports are read from .csv, .xlsx, .xls or .ods"
                    ),
                })
            }
        }
    };
    result.unwrap_or_else(|e| {
        io_error(&e, report);
        Vec::new()
    })
}

fn workbook_sources(path: &Path, stem: &str) -> Result<Vec<Source>, IoError> {
    let names = crate::io::xlsx::sheet_names(path)?;
    let one = names.len() == 1;
    let mut out = Vec::new();
    for sheet in names {
        let g = crate::io::xlsx::read_grid(path, &sheet)?;
        let rows = g
            .cells
            .into_iter()
            .enumerate()
            .filter(|(_, r)| r.iter().any(|c| !c.is_empty()))
            .map(|(i, r)| (i + 1, r))
            .collect();
        let named = crate::io::dataset::table_for(&sheet)
            .or_else(|| one.then(|| crate::io::dataset::table_for(stem)).flatten());
        out.push(Source {
            name: g.source,
            named,
            rows,
            notes: Vec::new(),
        });
    }
    Ok(out)
}

/// A two-row header as one: the lower cell names the column, the upper one is its group (whose
/// unit the column takes: `排放量（吨/年）` over `二氧化硫` → `二氧化硫（吨/年）`). A group written
/// once over its columns (a CSV of merged cells) spans the columns to its right.
fn combine(top: &[String], sub: &[String]) -> Vec<String> {
    let mut group = String::new();
    (0..top.len().max(sub.len()))
        .map(|j| {
            let t = top.get(j).map(String::as_str).unwrap_or("");
            let s = sub.get(j).map(String::as_str).unwrap_or("");
            let t = if t.is_empty() && !s.is_empty() {
                group.as_str()
            } else {
                if !s.is_empty() && s != t {
                    group = t.to_string();
                } else {
                    group.clear();
                }
                t
            };
            if s.is_empty() || s == t {
                t.to_string()
            } else {
                match (
                    crate::validate::header_units::header_unit(s),
                    crate::validate::header_units::header_unit(t),
                ) {
                    (None, Some(u)) => format!("{s}（{u}）"),
                    _ => s.to_string(),
                }
            }
        })
        .collect()
}

/// How many columns of `spec` the headers name, and whether a required one is among them.
fn score(spec: &TableSpec, headers: &[String]) -> (usize, bool) {
    let hits: Vec<&ColumnSpec> = spec
        .columns
        .iter()
        .filter(|c| headers.iter().any(|h| c.matches(h)))
        .collect();
    (hits.len(), hits.iter().any(|c| c.required))
}

/// The located table of a source: which table, its header cells, the header's rows.
struct Found {
    spec: &'static TableSpec,
    headers: Vec<String>,
    /// Index in `Source::rows` of the (first) header row.
    at: usize,
    two_rows: bool,
}

/// Find the header row (or two merged rows) among the first rows of a source, and its table:
/// the one whose columns it names most (the table the file or sheet is named after, if any;
/// the tables of columns the mapping names, if it names any).
fn find_header(src: &Source, m: &Mapping) -> Option<Found> {
    let mut best: Option<(usize, Found)> = None;
    let n = src.rows.len().min(HEADER_SEARCH_ROWS);
    let headers_of = |i: usize| -> (Vec<String>, Vec<&'static TableSpec>) {
        let mut tables = Vec::new();
        let hs = src.rows[i]
            .1
            .iter()
            .map(|c| {
                let (h, t) = m.header(c);
                tables.extend(t.and_then(|t| t.table));
                h
            })
            .collect();
        (hs, tables)
    };
    for i in 0..n {
        let (single, mut hinted) = headers_of(i);
        let mut candidates = vec![(single.clone(), false)];
        if i + 1 < src.rows.len() {
            let (sub, more) = headers_of(i + 1);
            hinted.extend(more);
            candidates.push((combine(&single, &sub), true));
        }
        for spec in TABLES {
            if let Some(named) = src.named {
                if named.name != spec.name {
                    continue;
                }
            } else if !hinted.is_empty() && !hinted.iter().any(|t| t.name == spec.name) {
                continue;
            }
            for (headers, two_rows) in &candidates {
                let (s, required) = score(spec, headers);
                let better = best.as_ref().is_none_or(|(b, _)| s > *b);
                if s >= 2 && required && better {
                    best = Some((
                        s,
                        Found {
                            spec,
                            headers: headers.clone(),
                            at: i,
                            two_rows: *two_rows,
                        },
                    ));
                }
            }
        }
    }
    best.map(|(_, f)| f)
}

/// Whether a cell opens a totals row.
fn is_total(cell: &str) -> bool {
    let c = cell.trim().to_lowercase();
    ["合计", "小计", "总计", "total"]
        .iter()
        .any(|w| c.starts_with(w))
}

/// Columns whose blank cells below a merged or left-blank value are filled down, per table.
fn fill_down_keys(spec: &TableSpec) -> &'static [&'static str] {
    match spec.name {
        "lines" => &["credit_code"],
        "options" => &["line_id"],
        "enterprises" => &["district"],
        _ => &[],
    }
}

/// Rows as a list `2, 3, 7` (at most ten, then `…`).
fn row_list(rows: &[usize]) -> String {
    let mut s: Vec<String> = rows.iter().take(10).map(usize::to_string).collect();
    if rows.len() > 10 {
        s.push("…".into());
    }
    s.join(", ")
}

/// Our word for a value of a column by the built-in synonyms (status, grade, yes/no).
fn canonical(spec: &TableSpec, col: &ColumnSpec, v: &str) -> Option<String> {
    if v.is_empty() {
        return None;
    }
    let out = match col.kind {
        Kind::Grade => match Grade::parse(v)? {
            Grade::Unrated => String::new(),
            g => g.label().to_string(),
        },
        Kind::Bool => match v.trim().to_lowercase().as_str() {
            "是" | "y" | "yes" | "true" | "1" | "√" | "✓" | "有" => "是".into(),
            "否" | "n" | "no" | "false" | "0" | "×" | "无" => "否".into(),
            _ => return None,
        },
        Kind::Word if spec.name == "lines" && col.key == "status" => {
            LineStatus::parse(v)?.zh().to_string()
        }
        _ => return None,
    };
    (out != v).then_some(out)
}

/// A table read out of one source: rows after the header, totals and notes skipped, blank
/// enterprise cells filled down, values mapped to ours.
fn table_of(
    src: &Source,
    f: &Found,
    m: &Mapping,
    report: &mut Report,
    entries: &mut Vec<Entry>,
) -> RawTable {
    let spec = f.spec;
    let first = f.at + if f.two_rows { 2 } else { 1 };
    let header_row = src.rows[f.at].0;
    entries.push(Entry {
        file: src.name.clone(),
        row: Some(header_row),
        column: String::new(),
        action: "识别表格".into(),
        detail: format!(
            "{} ({}): header in row {}{}",
            spec.zh,
            spec.name,
            header_row,
            if f.two_rows {
                format!(" and {} (two-row header)", src.rows[f.at + 1].0)
            } else {
                String::new()
            }
        ),
    });
    for n in &src.notes {
        entries.push(Entry {
            file: src.name.clone(),
            row: None,
            column: String::new(),
            action: "编码".into(),
            detail: n.clone(),
        });
    }
    let titles: Vec<usize> = src.rows[..f.at].iter().map(|(r, _)| *r).collect();
    if !titles.is_empty() {
        let text: Vec<&str> = src.rows[..f.at]
            .iter()
            .flat_map(|(_, c)| c.iter().filter(|x| !x.is_empty()).take(1))
            .map(String::as_str)
            .collect();
        report.push(warning(
            "W404",
            &src.name,
            Some(titles[0]),
            None,
            Some(&text.join(" / ")),
            format!(
                "skipped {} title row(s) above the header: {}",
                titles.len(),
                row_list(&titles)
            ),
            "",
        ));
    }
    // Our column of each of their columns.
    let cols: Vec<Option<&'static ColumnSpec>> = f
        .headers
        .iter()
        .map(|h| spec.columns.iter().find(|c| c.matches(h)))
        .collect();
    for (j, (h, c)) in f.headers.iter().zip(&cols).enumerate() {
        let their = &src.rows[f.at].1.get(j).cloned().unwrap_or_default();
        if let Some(c) = c {
            entries.push(Entry {
                file: src.name.clone(),
                row: Some(header_row),
                column: format!("{h} ({})", column_letter(j)),
                action: "列映射".into(),
                detail: format!(
                    "→ {} ({}){}",
                    c.zh,
                    c.key,
                    if m.header(their).1.is_some() {
                        format!(" by the mapping {}", m.source)
                    } else {
                        String::new()
                    }
                ),
            });
        }
    }
    let matched = cols.iter().filter(|c| c.is_some()).count();
    let width = f.headers.len();
    let mut rows = Vec::new();
    let mut totals = Vec::new();
    let mut notes = Vec::new();
    let keys = fill_down_keys(spec);
    let mut last: HashMap<usize, String> = HashMap::new();
    let mut filled: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut changed: BTreeMap<(usize, String, String), Vec<usize>> = BTreeMap::new();
    for (rownum, cells) in &src.rows[first..] {
        let mut cells = cells.clone();
        cells.resize(width.max(cells.len()), String::new());
        if cells.iter().any(|c| is_total(c)) {
            totals.push(*rownum);
            continue;
        }
        let filled_cells = cells.iter().filter(|c| !c.is_empty()).count();
        if filled_cells == 1 && matched >= 3 {
            notes.push(*rownum);
            continue;
        }
        for (j, c) in cols.iter().enumerate() {
            let Some(c) = c else { continue };
            if keys.contains(&c.key) {
                if cells[j].is_empty() {
                    if let Some(v) = last.get(&j) {
                        cells[j] = v.clone();
                        filled.entry(j).or_default().push(*rownum);
                    }
                } else {
                    last.insert(j, cells[j].clone());
                }
            }
            let v = cells[j].trim().to_string();
            let ours = m
                .value(spec, c, &v)
                .map(str::to_string)
                .or_else(|| canonical(spec, c, &v));
            if let Some(o) = ours {
                changed.entry((j, v, o.clone())).or_default().push(*rownum);
                cells[j] = o;
            }
        }
        rows.push(RawRow {
            row: *rownum,
            cells,
        });
    }
    if !totals.is_empty() {
        report.push(warning(
            "W405",
            &src.name,
            Some(totals[0]),
            None,
            None,
            format!(
                "skipped {} totals row(s) (合计/小计/总计): rows {}",
                totals.len(),
                row_list(&totals)
            ),
            "totals are computed by the tool; they are not lines",
        ));
    }
    if !notes.is_empty() {
        report.push(warning(
            "W406",
            &src.name,
            Some(notes[0]),
            None,
            None,
            format!(
                "skipped {} note row(s) with a single cell: rows {}",
                notes.len(),
                row_list(&notes)
            ),
            "notes and signatures around the table are not data",
        ));
    }
    for (j, rs) in &filled {
        report.push(warning(
            "W407",
            &src.name,
            Some(rs[0]),
            Some(format!("{} ({})", f.headers[*j], column_letter(*j))),
            None,
            format!(
                "filled {} blank cell(s) from the row above (merged cells): rows {}",
                rs.len(),
                row_list(rs)
            ),
            "check that the rows belong to the enterprise above",
        ));
    }
    for ((j, from, to), rs) in &changed {
        entries.push(Entry {
            file: src.name.clone(),
            row: rs.first().copied(),
            column: format!("{} ({})", f.headers[*j], column_letter(*j)),
            action: "取值转换".into(),
            detail: format!(
                "'{from}' → '{}' in {} row(s): {}",
                to,
                rs.len(),
                row_list(rs)
            ),
        });
    }
    RawTable {
        source: src.name.clone(),
        headers: f.headers.clone(),
        rows,
        notes: Vec::new(),
    }
}

/// A number as written to the clean dataset: at most 12 significant digits (a unit conversion's
/// `0.09999999999999999` becomes `0.1`).
pub fn tidy_number(x: f64) -> String {
    let r: f64 = format!("{x:.11e}").parse().unwrap_or(x);
    format!("{}", if r == 0.0 { 0.0 } else { r })
}

/// Our CSV of one table: every schema column under its Chinese header (the optional site
/// columns of the air module only when the export has them).
fn clean_csv(spec: &TableSpec, t: &RawTable) -> Vec<u8> {
    let columns: Vec<&crate::io::schema::ColumnSpec> = spec
        .columns
        .iter()
        .filter(|c| {
            !crate::air::tables::SITE_COLUMNS.contains(&c.key)
                || t.headers.iter().any(|h| c.matches(h))
        })
        .collect();
    let idx: Vec<Option<usize>> = columns
        .iter()
        .map(|c| t.headers.iter().position(|h| c.matches(h)))
        .collect();
    let mut out = CsvOut::plain();
    out.row(columns.iter().map(|c| c.zh));
    for r in &t.rows {
        out.row(columns.iter().zip(&idx).map(|(c, i)| {
            let v = i
                .and_then(|i| r.cells.get(i))
                .map(String::as_str)
                .unwrap_or("");
            match (c.kind, parse_number(v)) {
                (Kind::Number, Some(x)) if x.is_finite() => tidy_number(x),
                _ => v.to_string(),
            }
        }));
    }
    out.into_bytes()
}

/// Import platform exports: find each file's (or sheet's) table, map, convert and validate it.
/// `report` receives every diagnostic; the files are built only when there is no error.
pub fn import(
    inputs: &[PathBuf],
    m: &Mapping,
    time: OperatingTime,
    report: &mut Report,
) -> Imported {
    let mut out = Imported::default();
    let mut raw: HashMap<&'static str, RawTable> = HashMap::new();
    for path in inputs {
        for src in sources(path, report) {
            let Some(found) = find_header(&src, m) else {
                report.push(error(
                    "E416",
                    &src.name,
                    None,
                    None,
                    None,
                    format!(
                        "no table found: none of the first {HEADER_SEARCH_ROWS} rows names two columns of a table (with a required one)"
                    ),
                    "name the columns in the mapping file ([columns] \"their header\" = \"our column\"), or name the file after its table (lines.csv, 企业.xlsx)",
                ));
                continue;
            };
            let spec = found.spec;
            let mut t = table_of(&src, &found, m, report, &mut out.entries);
            convert_table(&mut t, spec, time, report);
            if let Some(prev) = raw.get(spec.name) {
                report.push(error(
                    "E417",
                    &src.name,
                    None,
                    None,
                    None,
                    format!(
                        "is a second '{}' table ({}); the first is {}",
                        spec.name, spec.zh, prev.source
                    ),
                    "import one file per table (merge the sheets first)",
                ));
                continue;
            }
            raw.insert(spec.name, t);
        }
    }
    let where_ = inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if !report.has_errors() {
        out.inventory = validate_tables(&raw, &where_, report);
    }
    for d in &report.diagnostics {
        out.entries.push(Entry {
            file: d.file.clone(),
            row: d.row,
            column: d.column.clone().unwrap_or_default(),
            action: match d.severity {
                Severity::Error => format!("错误 {}", d.code),
                Severity::Warning if d.code == "W401" => format!("单位换算 {}", d.code),
                Severity::Warning if ["W404", "W405", "W406"].contains(&d.code) => {
                    format!("跳过 {}", d.code)
                }
                Severity::Warning if d.code == "W407" => format!("向下填充 {}", d.code),
                Severity::Warning => format!("警告 {}", d.code),
            },
            detail: match &d.value {
                Some(v) => format!("{} [{v}]", d.message),
                None => d.message.clone(),
            },
        });
    }
    if out.inventory.is_some() {
        for spec in TABLES {
            if let Some(t) = raw.get(spec.name) {
                out.files
                    .push((format!("{}.csv", spec.name), clean_csv(spec, t)));
            }
        }
    }
    out
}

/// The import report as CSV (UTF-8 with BOM for Excel).
pub fn report_csv(entries: &[Entry]) -> Vec<u8> {
    let mut out = CsvOut::with_bom();
    out.row(["文件", "行", "列", "处理", "说明"]);
    for e in entries {
        out.row([
            e.file.clone(),
            e.row.map(|r| r.to_string()).unwrap_or_default(),
            e.column.clone(),
            e.action.clone(),
            e.detail.clone(),
        ]);
    }
    out.into_bytes()
}

/// The import report as Markdown.
pub fn report_md(entries: &[Entry], files: &[(String, Vec<u8>)]) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut s = String::from("# 导入报告 Import report\n\n");
    if files.is_empty() {
        s.push_str("导入失败：数据有错误，未写出数据集。\n\n");
    } else {
        s.push_str("写出的数据表 Tables written: ");
        s.push_str(
            &files
                .iter()
                .map(|(f, _)| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        s.push_str("\n\n");
    }
    s.push_str("| 文件 | 行 | 列 | 处理 | 说明 |\n|---|---|---|---|---|\n");
    for e in entries {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell(&e.file),
            e.row.map(|r| r.to_string()).unwrap_or_default(),
            cell(&e.column),
            cell(&e.action),
            cell(&e.detail)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn two_row_headers_take_the_group_unit() {
        let top = v(&["企业名称", "排放量（吨/年）", "", "备注"]);
        let sub = v(&["", "二氧化硫", "氮氧化物", ""]);
        assert_eq!(
            combine(&top, &sub),
            v(&["企业名称", "二氧化硫（吨/年）", "氮氧化物（吨/年）", "备注"])
        );
    }

    #[test]
    fn numbers_are_tidied_and_words_canonical() {
        assert_eq!(tidy_number(30.0 * (1.0 / 300.0)), "0.1");
        assert_eq!(tidy_number(12.5), "12.5");
        assert_eq!(tidy_number(0.0), "0");
        let status = crate::io::schema::LINES
            .columns
            .iter()
            .find(|c| c.key == "status")
            .unwrap();
        assert_eq!(
            canonical(&crate::io::schema::LINES, status, "正常生产").as_deref(),
            Some("在产")
        );
        let grade = crate::io::schema::ENTERPRISES
            .columns
            .iter()
            .find(|c| c.key == "grade")
            .unwrap();
        for (w, g) in [
            ("C级", "C"),
            ("B-级", "B-"),
            ("绩效C", "C"),
            ("绩效引领性", "引领性"),
        ] {
            assert_eq!(
                canonical(&crate::io::schema::ENTERPRISES, grade, w).as_deref(),
                Some(g)
            );
        }
        assert!(is_total("合计") && is_total(" 小计：") && !is_total("江阴市"));
    }
}
