//! Reading a list workbook in the standard layout as a plan: our own `应急减排清单.xlsx` and the
//! common provincial template (title rows above the header, two-row merged headers, merged
//! enterprise cells spanning their lines, 合计/小计 rows, per-district sheets).
//!
//! The layout is turned into a plan table with the `plan.csv` columns, so that every command
//! reading plans (check, diff, compare, report, revise, audit) reads workbooks the same way.
//! A sheet is chosen with `file.xlsx#sheet`; without it the 清单 (List) sheet is read, else every
//! sheet with a list header (one sheet per district).

use super::measure_text::parse_measure_text;
use crate::domain::{Inventory, Level, Pollutant};
use crate::io::schema::PLAN;
use crate::io::table::column_letter;
use crate::io::xlsx::{read_grid, sheet_names, Grid};
use crate::io::{RawRow, RawTable};
use crate::validate::cells::{error, parse_number};
use crate::validate::Report;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A workbook named as a plan, with the sheet chosen after `#`.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkbookRef {
    /// The workbook file.
    pub file: PathBuf,
    /// The sheet, when one was named (`应急减排清单.xlsx#清单`).
    pub sheet: Option<String>,
}

const EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];

fn is_workbook_file(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_lowercase().as_str()))
}

/// The workbook a plan path names (`list.xlsx` or `list.xlsx#sheet`), if it names one.
pub fn locate(path: &Path) -> Option<WorkbookRef> {
    if path.is_file() || !path.exists() && !path.to_string_lossy().contains('#') {
        return is_workbook_file(path).then(|| WorkbookRef {
            file: path.to_path_buf(),
            sheet: None,
        });
    }
    let s = path.to_str()?;
    let (file, sheet) = s.rsplit_once('#')?;
    let file = PathBuf::from(file);
    is_workbook_file(&file).then(|| WorkbookRef {
        file,
        sheet: Some(sheet.to_string()),
    })
}

/// Sheet names read by default, in order of preference.
const LIST_SHEETS: [&str; 3] = ["清单", "应急减排清单", "List"];

/// What a column of the layout holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Col {
    Skip,
    LineId,
    Credit,
    Enterprise,
    District,
    Industry,
    Grade,
    LineName,
    Process,
    Measure(Level),
    Code(Level),
    Obligation(Level),
    Cut(Level, Pollutant),
    Loss(Level),
    Indicator,
    Remarks,
}

impl Col {
    /// Enterprise columns, filled down over the lines of a merged enterprise.
    fn is_firm(self) -> bool {
        matches!(
            self,
            Col::Credit | Col::Enterprise | Col::District | Col::Industry | Col::Grade
        )
    }
}

fn level_in(s: &str) -> Option<Level> {
    let s = s.to_lowercase();
    // Chinese by character, English by whole word (`credit` is not `red`).
    let words: Vec<&str> = s.split(|c: char| !c.is_alphanumeric()).collect();
    [
        (Level::Yellow, '黄', "yellow"),
        (Level::Orange, '橙', "orange"),
        (Level::Red, '红', "red"),
    ]
    .into_iter()
    .find(|(_, zh, en)| s.contains(*zh) || words.contains(en))
    .map(|(l, _, _)| l)
}

fn pollutant_in(s: &str) -> Option<Pollutant> {
    let s = s.to_lowercase().replace('₂', "2").replace('ₓ', "x");
    [
        (Pollutant::So2, &["二氧化硫", "so2"][..]),
        (Pollutant::Nox, &["氮氧化物", "nox"][..]),
        (Pollutant::Vocs, &["挥发性有机物", "vocs", "voc"][..]),
        (Pollutant::Pm, &["颗粒物", "烟粉尘", "pm"][..]),
    ]
    .into_iter()
    .find(|(_, words)| words.iter().any(|w| s.contains(w)))
    .map(|(p, _)| p)
}

/// What the column headed `group` / `name` holds.
fn classify(group: &str, name: &str) -> Col {
    let n = name.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
    let level = level_in(name).or_else(|| level_in(group));
    if let Some(l) = level {
        let both = format!("{group} {name}").to_lowercase();
        return if has(&["措施编号", "measure code"]) {
            Col::Code(l)
        } else if has(&["最低要求", "obligation"]) {
            Col::Obligation(l)
        } else if let Some(p) = pollutant_in(name) {
            Col::Cut(l, p)
        } else if has(&["措施", "measure"]) {
            Col::Measure(l)
        } else if both.contains("损失") || both.contains("loss") {
            Col::Loss(l)
        } else {
            Col::Skip
        };
    }
    if has(&["生产线编号", "line id", "line_id"]) {
        Col::LineId
    } else if has(&["信用代码", "credit code"]) {
        Col::Credit
    } else if has(&["企业名称", "单位名称", "enterprise"]) {
        Col::Enterprise
    } else if has(&["区县", "县区", "district"]) {
        Col::District
    } else if has(&["行业", "industry"]) {
        Col::Industry
    } else if has(&["绩效", "grade"]) {
        Col::Grade
    } else if has(&["生产线", "设施", "line"]) {
        Col::LineName
    } else if has(&["工序", "process"]) {
        Col::Process
    } else if has(&["核查指标", "verification"]) {
        Col::Indicator
    } else if has(&["备注", "remark"]) {
        Col::Remarks
    } else {
        Col::Skip
    }
}

/// A located list table in a sheet.
struct Layout {
    /// Column kinds.
    cols: Vec<Col>,
    /// Header text per column for messages.
    labels: Vec<String>,
    /// First data row (0-based grid row).
    first: usize,
}

fn looks_like_credit_code(s: &str) -> bool {
    s.chars().count() == 18 && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Find the header (one or two rows) of a list table in the first rows of a sheet.
fn layout(g: &Grid) -> Option<Layout> {
    let is_header = |row: &[String]| {
        let kinds: Vec<Col> = row.iter().map(|c| classify("", c)).collect();
        kinds.contains(&Col::Credit)
            && row
                .iter()
                .any(|c| c.contains("措施") || c.to_lowercase().contains("measure"))
    };
    let h = g.cells.iter().take(40).position(|r| is_header(r))?;
    let top = &g.cells[h];
    let sub = g.cells.get(h + 1);
    let two_rows = sub.is_some_and(|s| {
        !s.iter().any(|c| looks_like_credit_code(c))
            && s.iter().enumerate().any(|(j, c)| {
                !c.is_empty()
                    && c != &top[j]
                    && (pollutant_in(c).is_some()
                        || level_in(c).is_some()
                        || c.contains("措施")
                        || c.to_lowercase().contains("measure"))
            })
    });
    let mut cols = Vec::with_capacity(top.len());
    let mut labels = Vec::with_capacity(top.len());
    for (j, t) in top.iter().enumerate() {
        let s = if two_rows {
            sub.map(|s| s[j].as_str()).unwrap_or("")
        } else {
            ""
        };
        let (group, name) = if s.is_empty() || s == t {
            ("", t.as_str())
        } else {
            (t.as_str(), s)
        };
        cols.push(classify(group, name));
        let label = if group.is_empty() {
            name.to_string()
        } else {
            format!("{group} / {name}")
        };
        labels.push(format!("{label} ({})", column_letter(j)));
    }
    Some(Layout {
        cols,
        labels,
        first: h + if two_rows { 2 } else { 1 },
    })
}

/// Whether a sheet is already a plan table (`plan.csv` columns, one row per line × level).
fn plan_shaped(g: &Grid) -> bool {
    let Some(header) = g.cells.iter().find(|r| r.iter().any(|c| !c.is_empty())) else {
        return false;
    };
    ["level", "measure_code"].iter().all(|k| {
        let spec = PLAN
            .columns
            .iter()
            .find(|c| c.key == *k)
            .expect("plan column");
        header.iter().any(|h| spec.matches(h))
    })
}

fn e(
    report: &mut Report,
    code: &'static str,
    file: &str,
    at: Option<(usize, String, &str)>,
    message: impl Into<String>,
    hint: impl Into<String>,
) {
    let (row, col, value) = match at {
        Some((r, c, v)) => (Some(r), Some(c), Some(v)),
        None => (None, None, None),
    };
    report.push(error(code, file, row, col, value, message, hint));
}

/// Read a list workbook as a plan table with the `plan.csv` columns. `inv`, when given, resolves
/// lines by (credit code, line name) when the workbook has no 生产线编号 column, and declared
/// options by their text.
pub fn read_list_workbook(w: &WorkbookRef, inv: Option<&Inventory>) -> Result<RawTable, Report> {
    let mut report = Report::default();
    let file = w.file.display().to_string();
    let names = sheet_names(&w.file).map_err(|err| {
        let mut r = Report::default();
        e(&mut r, "E002", &file, None, err.to_string(), "");
        r
    })?;
    let grid = |name: &str| {
        read_grid(&w.file, name).map_err(|err| {
            let mut r = Report::default();
            e(&mut r, "E002", &file, None, err.to_string(), "");
            r
        })
    };
    let chosen: Vec<Grid> = match &w.sheet {
        Some(s) => {
            if !names.contains(s) {
                e(
                    &mut report,
                    "E401",
                    &file,
                    None,
                    format!("has no sheet '{s}'"),
                    format!("sheets: {}", names.join(", ")),
                );
                return Err(report);
            }
            vec![grid(s)?]
        }
        None => {
            if let Some(first) = names.first() {
                let g = grid(first)?;
                if plan_shaped(&g) {
                    return crate::io::xlsx::read_first_sheet(&w.file).map_err(|err| {
                        let mut r = Report::default();
                        e(&mut r, "E002", &file, None, err.to_string(), "");
                        r
                    });
                }
            }
            match LIST_SHEETS
                .iter()
                .find_map(|want| names.iter().find(|n| n.as_str() == *want))
            {
                Some(n) => vec![grid(n)?],
                None => {
                    let mut all = Vec::new();
                    for n in &names {
                        let g = grid(n)?;
                        if layout(&g).is_some() {
                            all.push(g);
                        }
                    }
                    all
                }
            }
        }
    };
    if let Some(s) = &w.sheet {
        if plan_shaped(&chosen[0]) {
            return crate::io::xlsx::read_sheet(&w.file, s).map_err(|err| {
                let mut r = Report::default();
                e(&mut r, "E002", &file, None, err.to_string(), "");
                r
            });
        }
    }
    if chosen.is_empty() {
        e(
            &mut report,
            "E401",
            &file,
            None,
            "no sheet holds a list: no header row with 统一社会信用代码 and 措施 columns",
            format!(
                "sheets: {}; name the sheet with {}#<sheet>",
                names.join(", "),
                file
            ),
        );
        return Err(report);
    }
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for g in &chosen {
        read_sheet_rows(g, inv, &mut rows, &mut notes, &mut report);
    }
    if report.has_errors() {
        return Err(report);
    }
    let sheets: Vec<&str> = chosen.iter().map(|g| g.sheet.as_str()).collect();
    Ok(RawTable {
        source: format!("{file}[{}]", sheets.join(", ")),
        headers: PLAN.columns.iter().map(|c| c.key.to_string()).collect(),
        rows,
        notes,
    })
}

/// Index of a plan column.
fn at(key: &str) -> usize {
    PLAN.columns
        .iter()
        .position(|c| c.key == key)
        .expect("plan column")
}

/// The factor from the unit written in a cut header to t/d.
fn cut_factor(label: &str) -> Result<f64, String> {
    let l = label.to_lowercase().replace(' ', "");
    if l.contains("千克/日") || l.contains("kg/d") {
        Ok(0.001)
    } else if ["吨/年", "t/a", "千克/年", "kg/a", "吨/小时", "t/h", "kg/h"]
        .iter()
        .any(|u| l.contains(u))
    {
        Err("is not a daily amount".into())
    } else {
        Ok(1.0)
    }
}

/// Append the plan rows (three per line) of one sheet.
fn read_sheet_rows(
    g: &Grid,
    inv: Option<&Inventory>,
    out: &mut Vec<RawRow>,
    notes: &mut Vec<String>,
    report: &mut Report,
) {
    let Some(lay) = layout(g) else {
        e(
            report,
            "E401",
            &g.source,
            None,
            "no header row with 统一社会信用代码 and 措施 columns",
            "a list sheet has one header row (or two, merged) naming the enterprise, its lines and each level's measure",
        );
        return;
    };
    let find = |c: Col| lay.cols.iter().position(|x| *x == c);
    let mut missing: Vec<String> = Vec::new();
    if find(Col::Credit).is_none() {
        missing.push("统一社会信用代码".into());
    }
    if find(Col::LineId).is_none() && find(Col::LineName).is_none() {
        missing.push("生产线编号 or 生产线/设施".into());
    }
    for l in Level::ALL {
        if find(Col::Measure(l)).is_none() {
            missing.push(format!("{}预警 措施", l.zh()));
        }
    }
    if !missing.is_empty() {
        report.push(error(
            "E402",
            &g.source,
            Some(lay.first),
            None,
            None,
            format!("the list header lacks {}", missing.join(", ")),
            format!(
                "headers found: {}",
                lay.labels
                    .iter()
                    .filter(|l| !l.starts_with(" ("))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
        return;
    }
    if find(Col::LineId).is_none() && inv.is_none() {
        e(
            report,
            "E403",
            &g.source,
            None,
            "the list has no 生产线编号 column and no inventory was given to find its lines by enterprise and line name",
            "add the 生产线编号 column, or give the inventory (check/revise/report: the scenario; diff: --old-inventory/--new-inventory)",
        );
        return;
    }
    let mut factors = vec![1.0; lay.cols.len()];
    for (j, c) in lay.cols.iter().enumerate() {
        if let Col::Cut(..) = c {
            match cut_factor(&lay.labels[j]) {
                Ok(f) => factors[j] = f,
                Err(why) => e(
                    report,
                    "E404",
                    &g.source,
                    Some((lay.first, lay.labels[j].clone(), "")),
                    format!("the unit of this cut column {why}"),
                    "cuts are read in 吨/日 (t/d) or 千克/日 (kg/d)",
                ),
            }
        }
    }
    let by_name: HashMap<(&str, &str), Vec<&str>> = inv
        .map(|inv| {
            let mut m: HashMap<(&str, &str), Vec<&str>> = HashMap::new();
            for l in &inv.lines {
                m.entry((l.enterprise.as_str(), l.name.as_str()))
                    .or_default()
                    .push(l.id.as_str());
            }
            m
        })
        .unwrap_or_default();
    let mut firm: Vec<String> = vec![String::new(); lay.cols.len()];
    let mut skipped = Vec::new();
    for (i, cells) in g.cells.iter().enumerate().skip(lay.first) {
        let rownum = i + 1;
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let cell = |c: Col| find(c).map(|j| cells[j].as_str()).unwrap_or("");
        let totals = lay.cols.iter().zip(cells).any(|(c, v)| {
            !matches!(c, Col::Measure(_) | Col::Remarks | Col::Indicator)
                && ["合计", "小计", "总计", "total"]
                    .iter()
                    .any(|w| v.to_lowercase().starts_with(w))
        });
        let line_name = cell(Col::LineName);
        let line_id = cell(Col::LineId);
        if totals || line_name.is_empty() && line_id.is_empty() {
            skipped.push(rownum.to_string());
            continue;
        }
        // Enterprise cells left blank (or merged) over an enterprise's lines: fill down.
        for (j, c) in lay.cols.iter().enumerate() {
            if c.is_firm() && !cells[j].is_empty() {
                firm[j] = cells[j].clone();
            }
        }
        let firm_cell = |c: Col| find(c).map(|j| firm[j].as_str()).unwrap_or("");
        let credit = firm_cell(Col::Credit);
        let id = if !line_id.is_empty() {
            line_id.to_string()
        } else {
            match by_name.get(&(credit, line_name)).map(Vec::as_slice) {
                Some([one]) => one.to_string(),
                found => {
                    let j = find(Col::LineName).expect("checked");
                    e(
                        report,
                        "E405",
                        &g.source,
                        Some((rownum, lay.labels[j].clone(), line_name)),
                        if found.is_some() {
                            format!("enterprise {credit} has several lines named '{line_name}'")
                        } else {
                            format!("enterprise {credit} has no line named '{line_name}' in the inventory")
                        },
                        "add the 生产线编号 column, or write the line name as in the inventory",
                    );
                    continue;
                }
            }
        };
        let declared: Vec<(&str, &str)> = inv
            .and_then(|inv| inv.options.get(&id))
            .map(|o| {
                o.iter()
                    .map(|o| (o.code.as_str(), o.text.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        let (elec, base) = electricity(cell(Col::Indicator));
        for level in Level::ALL {
            let mut row = vec![String::new(); PLAN.columns.len()];
            row[at("line_id")] = id.clone();
            row[at("credit_code")] = credit.to_string();
            row[at("enterprise")] = firm_cell(Col::Enterprise).to_string();
            row[at("district")] = firm_cell(Col::District).to_string();
            row[at("industry")] = firm_cell(Col::Industry).to_string();
            row[at("grade")] = firm_cell(Col::Grade).to_string();
            row[at("line_name")] = line_name.to_string();
            row[at("process")] = cell(Col::Process).to_string();
            row[at("level")] = level.zh().to_string();
            row[at("note")] = without_reasons(cell(Col::Remarks));
            row[at("reason")] = level_reason(cell(Col::Remarks), level);
            let j = find(Col::Measure(level)).expect("checked");
            let text = cells[j].as_str();
            // The text wins; a code column (hidden in our workbooks) stands in for texts only
            // the inventory could resolve (declared options) when no inventory is given.
            let code = cell(Col::Code(level));
            row[at("obligation")] = cell(Col::Obligation(level)).to_string();
            match parse_measure_text(text, &declared) {
                Ok(m) => row[at("measure_code")] = m.code(),
                Err(_) if inv.is_none() && crate::domain::Measure::parse_code(code).is_some() => {
                    row[at("measure_code")] = code.to_string()
                }
                Err(fragment) => e(
                    report,
                    "E406",
                    &g.source,
                    Some((rownum, lay.labels[j].clone(), text)),
                    format!("measure text not understood: '{fragment}'"),
                    "write 限产30%, 停产, 停产50%生产线, 国四及以下重型柴油货车禁止运输, 停止公路运输, 自愿减排, a declared option's text, or a measure code (L30+T4)",
                ),
            }
            row[at("measure")] = text.to_string();
            let mut loss_seen = false;
            for (j, c) in lay.cols.iter().enumerate() {
                let key = match c {
                    Col::Cut(l, p) if *l == level => {
                        ["so2_cut", "nox_cut", "pm_cut", "vocs_cut"][p.index()]
                    }
                    Col::Loss(l) if *l == level => {
                        loss_seen = true;
                        "loss"
                    }
                    _ => continue,
                };
                let v = cells[j].as_str();
                let n = if ["", "-", "—", "/"].contains(&v) {
                    Some(0.0)
                } else {
                    parse_number(v).filter(|x| x.is_finite() && *x >= 0.0)
                };
                match n {
                    Some(x) => row[at(key)] = format!("{}", x * factors[j]),
                    None => e(
                        report,
                        "E407",
                        &g.source,
                        Some((rownum, lay.labels[j].clone(), v)),
                        "not a non-negative number",
                        "write the amount as a number (blank or - for none)",
                    ),
                }
            }
            for key in ["so2_cut", "nox_cut", "pm_cut", "vocs_cut"] {
                if row[at(key)].is_empty() {
                    row[at(key)] = "0".into();
                }
            }
            if !loss_seen {
                row[at("loss")] = "0".into();
            }
            if let Some(kwh) = elec[level.index()] {
                row[at("electricity")] = format!("{kwh}");
                if let Some(b) = base.filter(|b| *b > 0.0) {
                    row[at("electricity_share")] = format!("{}", kwh / b);
                }
            }
            out.push(RawRow {
                row: rownum,
                cells: row,
            });
        }
    }
    if !skipped.is_empty() {
        notes.push(format!(
            "{}: skipped totals and note rows {}",
            g.source,
            skipped.join(", ")
        ));
    }
}

/// Expected electricity per level and the baseline from a 核查指标 text
/// (`日用电量≤ 黄色 1,200；橙色 800 kWh（基准 2,000）`).
fn electricity(text: &str) -> ([Option<f64>; 3], Option<f64>) {
    let mut out = [None; 3];
    let num = |s: &str| {
        let s: String = s
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        s.parse::<f64>().ok()
    };
    let Some(start) = text.find('≤') else {
        return (out, None);
    };
    let body = &text[start + '≤'.len_utf8()..];
    let (levels, rest) = body.split_once("kWh").unwrap_or((body, ""));
    for part in levels.split(['；', ';']) {
        if let (Some(l), Some(v)) = (level_in(part), num(part)) {
            out[l.index()] = Some(v);
        }
    }
    (out, num(rest))
}

/// Whether a line of a list row's 备注 is a level's reason (as the report writes them).
fn is_reason_line(l: &str) -> bool {
    let l = l.trim();
    Level::ALL.iter().any(|lv| {
        l.starts_with(&format!("{}预警加严理由：", lv.zh()))
            || l.starts_with(&format!("{} warning reason: ", lv.key()))
    })
}

/// A list row's 备注 without its reason lines (the remarks proper).
fn without_reasons(remarks: &str) -> String {
    remarks
        .lines()
        .filter(|l| !is_reason_line(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The reason of a level's measure in a list row's 备注, as the report writes it
/// (`橙色预警加严理由：…` or `orange warning reason: …`, one per line); empty when there is none.
fn level_reason(remarks: &str, level: Level) -> String {
    let heads = [
        format!("{}预警加严理由：", level.zh()),
        format!("{} warning reason: ", level.key()),
    ];
    remarks
        .lines()
        .find_map(|l| heads.iter().find_map(|h| l.trim().strip_prefix(h.as_str())))
        .map(|r| r.trim().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_classified() {
        assert_eq!(classify("", "统一社会信用代码"), Col::Credit);
        assert_eq!(classify("", "所属市县区"), Col::District);
        assert_eq!(classify("", "生产线/设施"), Col::LineName);
        assert_eq!(classify("", "生产线编号"), Col::LineId);
        assert_eq!(
            classify("黄色预警 措施与减排量（吨/日）", "措施"),
            Col::Measure(Level::Yellow)
        );
        assert_eq!(
            classify("橙色预警", "SO2"),
            Col::Cut(Level::Orange, Pollutant::So2)
        );
        assert_eq!(
            classify("red warning: measure and cuts (t/d)", "NOx"),
            Col::Cut(Level::Red, Pollutant::Nox)
        );
        assert_eq!(
            classify("产值损失（万元/日）", "红色"),
            Col::Loss(Level::Red)
        );
        assert_eq!(classify("基准排放量（吨/日）", "颗粒物"), Col::Skip);
        assert_eq!(classify("Baseline emissions (t/d)", "SO2"), Col::Skip);
    }

    #[test]
    fn indicator_texts_give_electricity() {
        let (e, b) = electricity("日用电量≤ 黄色 1,200；红色 0 kWh（基准 2,000）");
        assert_eq!(e, [Some(1200.0), None, Some(0.0)]);
        assert_eq!(b, Some(2000.0));
        assert_eq!(electricity("自愿减排，无强制核查指标"), ([None; 3], None));
    }

    #[test]
    fn sheet_suffix_is_split_only_when_the_file_exists() {
        assert_eq!(locate(Path::new("no/such/plan")), None);
        assert_eq!(
            locate(Path::new("no/such.xlsx")),
            Some(WorkbookRef {
                file: "no/such.xlsx".into(),
                sheet: None
            })
        );
        assert_eq!(
            locate(Path::new("no/such.xlsx#清单")),
            Some(WorkbookRef {
                file: "no/such.xlsx".into(),
                sheet: Some("清单".into())
            })
        );
    }
}
