//! The same inventory written as UTF-8 CSV, GBK CSV, one xlsx per table, one workbook with a sheet
//! per table, and Parquet loads to identical `Inventory` values, with the same findings at the
//! same rows and columns. Chinese and English headers are interchangeable.

use jianpai::domain::Inventory;
use jianpai::io::schema::{Kind, TableSpec, DISTRICTS, ENTERPRISES, LINES, OPTIONS};
use jianpai::validate::{load_dataset, Report, Severity};
use rust_xlsxwriter::Workbook;
use std::path::{Path, PathBuf};

/// A table: file stem and rows (first = header).
struct Table {
    stem: String,
    rows: Vec<Vec<String>>,
}

fn spec(stem: &str) -> &'static TableSpec {
    match stem {
        "districts" => &DISTRICTS,
        "enterprises" => &ENTERPRISES,
        "lines" => &LINES,
        "options" => &OPTIONS,
        other => panic!("no table {other}"),
    }
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn to_csv(rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// A small generated city (40 enterprises) with at least one declared option.
fn city() -> Vec<Table> {
    let ds = jianpai::seeds::generator::generate(40, 3);
    let tables: Vec<Table> = ds
        .files
        .iter()
        .filter(|(name, _)| name.ends_with(".csv"))
        .map(|(name, text)| Table {
            stem: name.trim_end_matches(".csv").to_string(),
            rows: parse_csv(text),
        })
        .collect();
    let stems: Vec<&str> = tables.iter().map(|t| t.stem.as_str()).collect();
    assert_eq!(stems, ["districts", "enterprises", "lines", "options"]);
    for t in &tables {
        assert!(
            t.rows.len() > 1,
            "{} has no rows: pick another seed",
            t.stem
        );
    }
    tables
}

fn load(inputs: &[PathBuf]) -> (Inventory, Report) {
    let (inv, report) = load_dataset(inputs);
    let errs: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string())
        .collect();
    assert!(errs.is_empty(), "{inputs:?}:\n{}", errs.join("\n"));
    (inv.expect("inventory when there is no error"), report)
}

/// Findings other than file notes, without the file name: (code, row, column, value).
/// (code, row, column, value) of a finding.
type Finding = (String, Option<usize>, Option<String>, Option<String>);

fn findings(report: &Report) -> Vec<Finding> {
    let mut v: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code != "W107")
        .map(|d| (d.code.to_string(), d.row, d.column.clone(), d.value.clone()))
        .collect();
    v.sort();
    v
}

fn write_csv_utf8(dir: &Path, tables: &[Table]) {
    for t in tables {
        std::fs::write(dir.join(format!("{}.csv", t.stem)), to_csv(&t.rows)).unwrap();
    }
}

fn write_csv_gbk(dir: &Path, tables: &[Table]) {
    for t in tables {
        let text = to_csv(&t.rows).replace('\n', "\r\n");
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
        assert!(!unmappable, "{} has characters outside GBK", t.stem);
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "GBK bytes should not be valid UTF-8 (test would prove nothing)"
        );
        std::fs::write(dir.join(format!("{}.csv", t.stem)), &bytes).unwrap();
    }
}

/// Write a table into a worksheet: numbers as numbers in number/share columns, everything else
/// (credit codes, ids, names, yes/no) as text.
fn fill_sheet(ws: &mut rust_xlsxwriter::Worksheet, t: &Table) -> usize {
    let spec = spec(&t.stem);
    let numeric: Vec<bool> = t.rows[0]
        .iter()
        .map(|h| {
            spec.columns
                .iter()
                .any(|c| c.matches(h) && matches!(c.kind, Kind::Number | Kind::Fraction))
        })
        .collect();
    let mut numbers = 0;
    for (i, row) in t.rows.iter().enumerate() {
        for (j, cell) in row.iter().enumerate() {
            let (r, c) = (i as u32, j as u16);
            if cell.is_empty() {
                continue;
            }
            match cell.parse::<f64>() {
                Ok(x) if i > 0 && numeric[j] => {
                    ws.write_number(r, c, x).unwrap();
                    numbers += 1;
                }
                _ => {
                    ws.write_string(r, c, cell).unwrap();
                }
            }
        }
    }
    numbers
}

fn write_xlsx_per_table(dir: &Path, tables: &[Table]) {
    for t in tables {
        let mut wb = Workbook::new();
        let numbers = fill_sheet(wb.add_worksheet(), t);
        if t.stem != "enterprises" {
            assert!(
                numbers > 0,
                "{}: numbers must be written as numbers",
                t.stem
            );
        }
        wb.save(dir.join(format!("{}.xlsx", t.stem))).unwrap();
    }
}

fn write_workbook(path: &Path, tables: &[Table]) {
    let mut wb = Workbook::new();
    for t in tables {
        let name = if t.stem == "enterprises" {
            "企业"
        } else {
            t.stem.as_str()
        };
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        fill_sheet(ws, t);
    }
    wb.save(path).unwrap();
}

fn write_parquet(dir: &Path, tables: &[Table]) {
    for t in tables {
        let headers: Vec<&str> = t.rows[0].iter().map(String::as_str).collect();
        jianpai::io::parquet::write_string_parquet(
            &dir.join(format!("{}.parquet", t.stem)),
            &headers,
            &t.rows[1..],
        )
        .unwrap();
    }
}

/// The city written in the five formats under `root`: (format name, inputs to load).
fn five_formats(root: &Path, tables: &[Table]) -> Vec<(&'static str, Vec<PathBuf>)> {
    let dir = |name: &str| {
        let d = root.join(name);
        std::fs::create_dir(&d).unwrap();
        d
    };
    let utf8 = dir("utf8");
    write_csv_utf8(&utf8, tables);
    let gbk = dir("gbk");
    write_csv_gbk(&gbk, tables);
    let xlsx = dir("xlsx");
    write_xlsx_per_table(&xlsx, tables);
    let book = root.join("city.xlsx");
    write_workbook(&book, tables);
    let parquet = dir("parquet");
    write_parquet(&parquet, tables);
    vec![
        ("UTF-8 CSV", vec![utf8]),
        ("GBK CSV (CRLF, as Excel saves it)", vec![gbk]),
        ("one xlsx per table", vec![xlsx]),
        ("one workbook, a sheet per table", vec![book]),
        ("Parquet", vec![parquet]),
        (
            "mixed formats",
            vec![
                root.join("utf8/districts.csv"),
                root.join("gbk/enterprises.csv"),
                root.join("xlsx/lines.xlsx"),
                root.join("parquet/options.parquet"),
            ],
        ),
    ]
}

#[test]
fn five_formats_load_to_the_same_inventory() {
    let tables = city();
    let root = tempfile::tempdir().unwrap();
    let formats = five_formats(root.path(), &tables);
    let (reference, ref_report) = load(&formats[0].1);
    assert_eq!(reference.enterprises.len(), 40);
    assert!(
        !reference.options.is_empty(),
        "the city should declare options"
    );
    assert!(
        ref_report.diagnostics.iter().all(|d| d.code != "W107"),
        "UTF-8 CSV needs no note"
    );
    for (name, inputs) in &formats[1..] {
        let (inv, report) = load(inputs);
        assert!(inv == reference, "{name}: inventory differs from UTF-8 CSV");
        let notes = report
            .diagnostics
            .iter()
            .filter(|d| d.code == "W107")
            .count();
        match *name {
            "GBK CSV (CRLF, as Excel saves it)" => {
                assert_eq!(notes, 4, "{name}: one encoding note per file")
            }
            "mixed formats" => assert_eq!(notes, 1, "{name}: the GBK file is noted"),
            _ => assert_eq!(notes, 0, "{name}: no file notes"),
        }
    }
}

#[test]
fn five_formats_report_findings_at_the_same_rows() {
    let tables = city();
    let root = tempfile::tempdir().unwrap();
    let formats = five_formats(root.path(), &tables);
    let (_, ref_report) = load(&formats[0].1);
    let reference = findings(&ref_report);
    assert!(
        !reference.is_empty(),
        "the city should raise a few warnings, else this test proves nothing"
    );
    let mut mismatches = Vec::new();
    for (name, inputs) in &formats[1..] {
        let (_, report) = load(inputs);
        let got = findings(&report);
        if got != reference {
            mismatches.push(format!(
                "{name}:\n  got      {got:?}\n  expected {reference:?}"
            ));
        }
        if *name == "one workbook, a sheet per table" {
            assert!(
                report
                    .diagnostics
                    .iter()
                    .filter(|d| d.row.is_some())
                    .all(|d| d.file.contains("city.xlsx[")),
                "the sheet is named in the file of each finding"
            );
        }
    }
    assert!(
        mismatches.is_empty(),
        "findings differ from UTF-8 CSV:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn english_headers_equal_chinese_headers() {
    let tables = city();
    let english: Vec<Table> = tables
        .iter()
        .map(|t| {
            let spec = spec(&t.stem);
            let mut rows = t.rows.clone();
            rows[0] = rows[0]
                .iter()
                .map(|h| {
                    let c = spec
                        .columns
                        .iter()
                        .find(|c| c.matches(h))
                        .unwrap_or_else(|| panic!("{}: header {h}", t.stem));
                    c.key.to_string()
                })
                .collect();
            assert_ne!(rows[0], t.rows[0], "{}: headers should change", t.stem);
            Table {
                stem: t.stem.clone(),
                rows,
            }
        })
        .collect();
    assert_eq!(english[1].rows[0][0], "credit_code");
    assert_eq!(english[1].rows[0][1], "name");
    let root = tempfile::tempdir().unwrap();
    let (zh, en) = (root.path().join("zh"), root.path().join("en"));
    std::fs::create_dir(&zh).unwrap();
    std::fs::create_dir(&en).unwrap();
    write_csv_utf8(&zh, &tables);
    write_csv_utf8(&en, &english);
    let (a, ra) = load(&[zh]);
    let (b, rb) = load(&[en]);
    assert!(a == b, "English headers give a different inventory");
    assert!(
        rb.diagnostics.iter().all(|d| d.code != "W106"),
        "English keys must all be recognised"
    );
    let codes = |r: &Report| {
        let mut v: Vec<_> = r.diagnostics.iter().map(|d| (d.code, d.row)).collect();
        v.sort();
        v
    };
    assert_eq!(codes(&ra), codes(&rb));
}

#[test]
fn chinese_file_and_sheet_names_are_tables() {
    let tables = city();
    let root = tempfile::tempdir().unwrap();
    let zh_names = [
        ("districts", "区县"),
        ("enterprises", "企业"),
        ("lines", "生产线"),
        ("options", "措施选项"),
    ];
    for t in &tables {
        let zh = zh_names.iter().find(|(en, _)| *en == t.stem).unwrap().1;
        std::fs::write(root.path().join(format!("{zh}.csv")), to_csv(&t.rows)).unwrap();
    }
    let ref_dir = root.path().join("ref");
    std::fs::create_dir(&ref_dir).unwrap();
    write_csv_utf8(&ref_dir, &tables);
    let (a, _) = load(&[ref_dir]);
    let (b, _) = load(&[root.path().to_path_buf()]);
    assert!(a == b, "Chinese file names give a different inventory");
}
