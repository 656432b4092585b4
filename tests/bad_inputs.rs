//! Bad-input corpus: every folder of `tests/data/bad/` is the small valid dataset of
//! `tests/data/bad/_base/` with exactly one defect, and an `expect.txt` naming the diagnostic it
//! must produce (code, file, spreadsheet row, column). Workbook (xlsx) and Parquet cases are built
//! here at test time from `_base`, so no binary is committed.
//!
//! Regenerate the CSV cases with `python3 tests/data/bad/make_cases.py`.

use assert_cmd::Command;
use jianpai::io::schema::{Kind, TableSpec, DISTRICTS, ENTERPRISES, LINES, OPTIONS};
use jianpai::validate::{load_dataset, Diagnostic, Report, Severity};
use rust_xlsxwriter::{Format, Formula, Workbook};
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad")
}

fn base_dir() -> PathBuf {
    corpus().join("_base")
}

/// What a case must produce (see `tests/data/bad/make_cases.py` for the file format).
#[derive(Debug, Clone, Default)]
struct Expect {
    code: String,
    /// The diagnostic's file must end with this.
    file: String,
    /// `None`: the diagnostic is not about a row.
    row: Option<usize>,
    /// Substring of the column label; `None`: no column.
    column: Option<String>,
    value: Option<String>,
    /// Substring of the message.
    message: Option<String>,
    /// Exact number of errors, cascades included.
    errors: Option<usize>,
}

impl Expect {
    fn new(code: &str, file: &str, row: Option<usize>, column: Option<&str>) -> Self {
        Expect {
            code: code.into(),
            file: file.into(),
            row,
            column: column.map(str::to_string),
            ..Default::default()
        }
    }

    fn parse(text: &str) -> Self {
        let mut e = Expect::default();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let (k, v) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("bad expect line {line:?}"));
            let none = v == "none";
            match k {
                "code" => e.code = v.into(),
                "file" => e.file = v.into(),
                "row" => e.row = (!none).then(|| v.parse().expect("row number")),
                "column" => e.column = (!none).then(|| v.to_string()),
                "value" => e.value = Some(v.into()),
                "message" => e.message = Some(v.into()),
                "errors" => e.errors = Some(v.parse().expect("error count")),
                "note" => {}
                _ => panic!("unknown expect key {k}"),
            }
        }
        assert!(
            e.code.starts_with('E') && !e.file.is_empty(),
            "expect.txt needs code= and file="
        );
        e
    }
}

fn errors(report: &Report) -> Vec<&Diagnostic> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

fn dump(report: &Report) -> String {
    report
        .diagnostics
        .iter()
        .map(|d| format!("\n    {d}"))
        .collect()
}

/// Load `inputs` and check the expectation; `Err` describes what went wrong.
fn run_case(inputs: &[PathBuf], e: &Expect) -> Result<Report, String> {
    let loaded = std::panic::catch_unwind(|| load_dataset(inputs));
    let (inv, report) = loaded.map_err(|_| "load_dataset panicked".to_string())?;
    if std::env::var_os("SHOW_DIAGNOSTICS").is_some() {
        eprintln!("{inputs:?}:{}", dump(&report));
    }
    if inv.is_some() {
        return Err(format!(
            "inventory was accepted despite the defect{}",
            dump(&report)
        ));
    }
    let found = report.diagnostics.iter().find(|d| {
        d.severity == Severity::Error
            && d.code == e.code
            && d.file.ends_with(&e.file)
            && d.row == e.row
            && match (&e.column, &d.column) {
                (None, None) => true,
                (Some(want), Some(got)) => got.contains(want.as_str()),
                _ => false,
            }
            && e.value
                .as_ref()
                .is_none_or(|v| d.value.as_deref() == Some(v.as_str()))
            && e.message
                .as_ref()
                .is_none_or(|m| d.message.contains(m.as_str()))
    });
    let Some(d) = found else {
        return Err(format!("no error matches {e:?}; got:{}", dump(&report)));
    };
    let shown = d.to_string();
    let mut must_show = vec![format!("error[{}]", e.code), e.file.clone()];
    if let Some(r) = e.row {
        must_show.push(format!("row {r}"));
    }
    if let Some(c) = &e.column {
        must_show.push(format!(
            "column {}",
            d.column.as_deref().unwrap_or_default()
        ));
        must_show.push(c.clone());
    }
    for s in must_show {
        if !shown.contains(&s) {
            return Err(format!(
                "Display of the diagnostic does not show {s:?}: {shown}"
            ));
        }
    }
    if let Some(n) = e.errors {
        if report.error_count() != n {
            return Err(format!(
                "expected exactly {n} errors, got {}:{}",
                report.error_count(),
                dump(&report)
            ));
        }
    }
    Ok(report)
}

fn case_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("tests/data/bad exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.file_name().unwrap().to_string_lossy().starts_with('_'))
        .collect();
    dirs.sort();
    dirs
}

fn expect_of(dir: &Path) -> Expect {
    let text = std::fs::read_to_string(dir.join("expect.txt"))
        .unwrap_or_else(|e| panic!("{}: expect.txt: {e}", dir.display()));
    Expect::parse(&text)
}

#[test]
fn base_dataset_is_valid() {
    let (inv, report) = load_dataset(&[base_dir()]);
    assert!(
        !report.has_errors(),
        "the corpus base must be valid:{}",
        dump(&report)
    );
    let inv = inv.expect("inventory");
    assert_eq!(inv.districts.len(), 3);
    assert_eq!(inv.enterprises.len(), 4);
    assert_eq!(inv.lines.len(), 5);
    assert_eq!(inv.options.values().map(Vec::len).sum::<usize>(), 2);
    assert_eq!(
        report.warning_count(),
        0,
        "the base should be clean so that case warnings mean something:{}",
        dump(&report)
    );
}

#[test]
fn every_corpus_case_reports_its_defect() {
    let dirs = case_dirs();
    assert!(dirs.len() >= 28, "only {} cases", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let e = expect_of(dir);
        if let Err(msg) = run_case(std::slice::from_ref(dir), &e) {
            failures.push(format!(
                "{}: {msg}",
                dir.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}

#[test]
fn encoding_notes_are_warnings_not_errors() {
    // A GBK file is fine: only a W107 note, and the only error is the defect.
    let (_, report) = load_dataset(&[corpus().join("gbk-with-defect")]);
    let w107: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "W107")
        .collect();
    assert_eq!(w107.len(), 1, "{}", dump(&report));
    assert_eq!(w107[0].severity, Severity::Warning);
    assert!(w107[0].file.ends_with("enterprises.csv"));
    assert!(
        errors(&report).iter().all(|d| d.code != "E002"),
        "{}",
        dump(&report)
    );
}

// ------------------------------------------------------------------ building cases at test time

fn read_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn base_rows(file: &str) -> Vec<Vec<String>> {
    read_rows(&base_dir().join(file))
}

fn spec_for(file: &str) -> &'static TableSpec {
    match file.split('.').next().unwrap() {
        "districts" => &DISTRICTS,
        "enterprises" => &ENTERPRISES,
        "lines" => &LINES,
        "options" => &OPTIONS,
        other => panic!("no table {other}"),
    }
}

/// Copy the base into `dir`, leaving out `except`.
fn copy_base(dir: &Path, except: &[&str]) {
    for f in [
        "districts.csv",
        "enterprises.csv",
        "lines.csv",
        "options.csv",
    ] {
        if !except.contains(&f) {
            std::fs::copy(base_dir().join(f), dir.join(f)).unwrap();
        }
    }
}

/// A worksheet to write: name, rows (first = header), top-left corner (row, col), table spec.
struct SheetData {
    name: &'static str,
    rows: Vec<Vec<String>>,
    at: (u32, u16),
    spec: Option<&'static TableSpec>,
}

fn sheet(name: &'static str, table_file: &str, rows: Vec<Vec<String>>) -> SheetData {
    SheetData {
        name,
        rows,
        at: (0, 0),
        spec: Some(spec_for(table_file)),
    }
}

/// Write sheets into a workbook; numbers are written as numbers in number/share columns.
fn write_xlsx(path: &Path, sheets: &[SheetData], tweak: impl FnOnce(&mut Workbook)) {
    let mut wb = Workbook::new();
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(s.name).unwrap();
        let numeric: Vec<bool> = match (s.spec, s.rows.first()) {
            (Some(spec), Some(header)) => header
                .iter()
                .map(|h| {
                    spec.columns
                        .iter()
                        .any(|c| c.matches(h) && matches!(c.kind, Kind::Number | Kind::Fraction))
                })
                .collect(),
            _ => Vec::new(),
        };
        for (i, row) in s.rows.iter().enumerate() {
            for (j, cell) in row.iter().enumerate() {
                let (r, c) = (s.at.0 + i as u32, s.at.1 + j as u16);
                if cell.is_empty() {
                    continue;
                }
                match cell.parse::<f64>() {
                    Ok(x) if i > 0 && numeric.get(j) == Some(&true) => {
                        ws.write_number(r, c, x).unwrap()
                    }
                    _ => ws.write_string(r, c, cell).unwrap(),
                };
            }
        }
    }
    tweak(&mut wb);
    wb.save(path).unwrap();
}

fn col(rows: &[Vec<String>], header: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header}"))
}

/// Run a test-time case and panic with the reason if it fails.
fn check(name: &str, inputs: &[PathBuf], e: &Expect) -> Report {
    run_case(inputs, e).unwrap_or_else(|msg| panic!("{name}: {msg}"))
}

#[test]
fn xlsx_with_extra_sheets_and_a_defect() {
    // enterprises.xlsx: the table on its first sheet, plus a notes sheet and an empty sheet.
    let dir = tempfile::tempdir().unwrap();
    copy_base(dir.path(), &["enterprises.csv"]);
    let mut rows = base_rows("enterprises.csv");
    let dup = rows[2].clone(); // row 3 (E2) again as row 6
    rows.push(dup);
    let notes = vec![
        vec!["填表说明".to_string()],
        vec!["统一社会信用代码须为18位".to_string()],
    ];
    write_xlsx(
        &dir.path().join("enterprises.xlsx"),
        &[
            sheet("企业名录", "enterprises", rows),
            SheetData {
                name: "说明",
                rows: notes,
                at: (0, 0),
                spec: None,
            },
            SheetData {
                name: "Sheet3",
                rows: vec![],
                at: (0, 0),
                spec: None,
            },
        ],
        |_| {},
    );
    let mut e = Expect::new(
        "E010",
        "enterprises.xlsx[企业名录]",
        Some(6),
        Some("统一社会信用代码 (A)"),
    );
    e.errors = Some(1);
    let report = check("xlsx-extra-sheets", &[dir.path().to_path_buf()], &e);
    let w107: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "W107")
        .collect();
    assert_eq!(
        w107.len(),
        1,
        "one W107 note about the ignored sheets:{}",
        dump(&report)
    );
    assert_eq!(w107[0].severity, Severity::Warning);
    assert!(
        w107[0].message.contains("说明") && w107[0].message.contains("Sheet3"),
        "{}",
        w107[0]
    );
    assert!(
        report
            .diagnostics
            .iter()
            .filter(|d| d.to_string().contains("说明"))
            .all(|d| d.code == "W107"),
        "the notes sheet must only produce W107:{}",
        dump(&report)
    );
}

#[test]
fn workbook_with_table_sheets_extra_sheet_and_a_defect() {
    // One workbook, one sheet per table (Chinese and English sheet names), plus a notes sheet.
    let dir = tempfile::tempdir().unwrap();
    let mut lines = base_rows("lines.csv");
    let c = col(&lines, "日产值");
    lines[2][c] = "-90".into();
    let book = dir.path().join("清单2021.xlsx");
    write_xlsx(
        &book,
        &[
            SheetData {
                name: "填表说明",
                rows: vec![vec!["本表由区县生态环境局填报".into()]],
                at: (0, 0),
                spec: None,
            },
            sheet("districts", "districts", base_rows("districts.csv")),
            sheet("企业", "enterprises", base_rows("enterprises.csv")),
            sheet("lines", "lines", lines),
            sheet("options", "options", base_rows("options.csv")),
        ],
        |_| {},
    );
    let mut e = Expect::new("E006", "清单2021.xlsx[lines]", Some(3), Some("日产值 (H)"));
    e.value = Some("-90".into());
    e.errors = Some(1);
    let report = check("workbook-extra-sheet", &[book], &e);
    assert!(
        report
            .diagnostics
            .iter()
            .filter(|d| d.to_string().contains("填表说明"))
            .all(|d| d.severity == Severity::Warning),
        "the notes sheet must not produce an error:{}",
        dump(&report)
    );
}

#[test]
fn xlsx_merged_cells_in_the_data_are_refused() {
    // 区县 merged over the two 梁溪区 firms (rows 4–5), as people do to "save typing".
    let dir = tempfile::tempdir().unwrap();
    copy_base(dir.path(), &["enterprises.csv"]);
    let rows = base_rows("enterprises.csv");
    let dc = col(&rows, "区县") as u16;
    write_xlsx(
        &dir.path().join("企业.xlsx"),
        &[sheet("Sheet1", "enterprises", rows)],
        |wb| {
            let ws = wb.worksheet_from_index(0).unwrap();
            ws.merge_range(3, dc, 4, dc, "梁溪区", &Format::new())
                .unwrap();
        },
    );
    let mut e = Expect::new("E002", "企业.xlsx[Sheet1]", None, None);
    e.message = Some("C4:C5".into());
    e.errors = Some(1);
    check("xlsx-merged-cells", &[dir.path().to_path_buf()], &e);
}

#[test]
fn xlsx_excel_error_cell_is_reported_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    copy_base(dir.path(), &["lines.csv"]);
    let rows = base_rows("lines.csv");
    let vc = col(&rows, "日产值") as u16;
    write_xlsx(
        &dir.path().join("lines.xlsx"),
        &[sheet("生产线", "lines", rows)],
        |wb| {
            let ws = wb.worksheet_from_index(0).unwrap();
            ws.write_formula(2, vc, Formula::new("=90/0").set_result("#DIV/0!"))
                .unwrap();
        },
    );
    let mut e = Expect::new("E002", "lines.xlsx[生产线]", None, None);
    e.message = Some("#DIV/0!".into());
    e.errors = Some(1);
    let report = check("xlsx-error-cell", &[dir.path().to_path_buf()], &e);
    let d = errors(&report)[0];
    assert!(
        d.message.contains("row 3") && d.message.contains("column H"),
        "position of the error cell: {d}"
    );
}

#[test]
fn xlsx_table_not_starting_at_a1_keeps_sheet_positions() {
    // Two empty rows and an empty column A: header in row 3 from column B; the 4th firm is row 7.
    let dir = tempfile::tempdir().unwrap();
    copy_base(dir.path(), &["enterprises.csv"]);
    let mut rows = base_rows("enterprises.csv");
    let g = col(&rows, "绩效等级");
    rows[4][g] = "甲级".into();
    let mut s = sheet("Sheet1", "enterprises", rows);
    s.at = (2, 1);
    write_xlsx(&dir.path().join("enterprises.xlsx"), &[s], |_| {});
    let mut e = Expect::new(
        "E011",
        "enterprises.xlsx[Sheet1]",
        Some(7),
        Some("绩效等级 (F)"),
    );
    e.value = Some("甲级".into());
    check("xlsx-offset-table", &[dir.path().to_path_buf()], &e);
}

#[test]
fn xlsx_credit_code_stored_as_a_number() {
    // An all-digit code typed into Excel becomes a number with 15 significant digits.
    let first17 = "91320282000000001";
    let code = jianpai::domain::CreditCode::complete(first17).unwrap();
    let dir = tempfile::tempdir().unwrap();
    copy_base(dir.path(), &["enterprises.csv", "lines.csv"]);
    let mut ents = base_rows("enterprises.csv");
    let mut lines = base_rows("lines.csv");
    let old = ents[2][0].clone();
    ents[2][0] = code.as_str().to_string();
    for l in lines.iter_mut().skip(1).filter(|l| l[1] == old) {
        l[1] = code.as_str().to_string();
    }
    std::fs::write(
        dir.path().join("lines.csv"),
        lines.iter().map(|r| r.join(",") + "\n").collect::<String>(),
    )
    .unwrap();
    write_xlsx(
        &dir.path().join("enterprises.xlsx"),
        &[sheet("Sheet1", "enterprises", ents)],
        |wb| {
            let ws = wb.worksheet_from_index(0).unwrap();
            ws.write_number(2, 0, code.as_str().parse::<f64>().unwrap())
                .unwrap();
        },
    );
    let e = Expect::new(
        "E009",
        "enterprises.xlsx[Sheet1]",
        Some(3),
        Some("统一社会信用代码 (A)"),
    );
    let report = check("xlsx-code-as-number", &[dir.path().to_path_buf()], &e);
    let d = errors(&report)
        .into_iter()
        .find(|d| d.code == "E009")
        .unwrap();
    assert!(
        d.hint.contains("number"),
        "the hint should say Excel made it a number: {d}"
    );
}

#[test]
fn parquet_with_a_defect() {
    let dir = tempfile::tempdir().unwrap();
    copy_base(dir.path(), &["lines.csv"]);
    let mut rows = base_rows("lines.csv");
    let c = col(&rows, "日产值");
    rows[3][c] = "-60".into();
    let headers: Vec<&str> = rows[0].iter().map(String::as_str).collect();
    jianpai::io::parquet::write_string_parquet(
        &dir.path().join("lines.parquet"),
        &headers,
        &rows[1..],
    )
    .unwrap();
    let mut e = Expect::new("E006", "lines.parquet", Some(4), Some("日产值 (H)"));
    e.value = Some("-60".into());
    check("parquet-with-defect", &[dir.path().to_path_buf()], &e);
}

#[test]
fn workbook_renamed_to_csv() {
    let dir = tempfile::tempdir().unwrap();
    copy_base(dir.path(), &["enterprises.csv"]);
    let xlsx = dir.path().join("x.xlsx");
    write_xlsx(
        &xlsx,
        &[sheet("Sheet1", "enterprises", base_rows("enterprises.csv"))],
        |_| {},
    );
    std::fs::rename(&xlsx, dir.path().join("enterprises.csv")).unwrap();
    let mut e = Expect::new("E002", "enterprises.csv", None, None);
    e.errors = Some(1);
    check("xlsx-renamed-to-csv", &[dir.path().to_path_buf()], &e);
}

#[test]
fn individual_files_without_a_required_table() {
    let files = vec![
        base_dir().join("districts.csv"),
        base_dir().join("enterprises.csv"),
    ];
    let mut e = Expect::new("E001", "enterprises.csv", None, None);
    e.message = Some("'lines'".into());
    e.errors = Some(1);
    check("files-missing-table", &files, &e);
}

// ------------------------------------------------------------------ the command line

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

/// One case per category: file level, header, cell, cross-reference, encoding.
#[test]
fn cli_names_file_row_and_column() {
    for case in [
        "invalid-encoding",
        "missing-column",
        "duplicate-header",
        "nan",
        "bad-check-character",
        "gbk-with-defect",
        "line-enterprise-missing",
        "option-unknown-line",
    ] {
        let dir = corpus().join(case);
        let e = expect_of(&dir);
        let out = jianpai().arg("validate").arg(&dir).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(3),
            "{case}: exit code; stderr:\n{stderr}"
        );
        let line = stderr
            .lines()
            .find(|l| l.starts_with(&format!("error[{}]", e.code)) && l.contains(&e.file))
            .unwrap_or_else(|| {
                panic!(
                    "{case}: no error[{}] line for {}:\n{stderr}",
                    e.code, e.file
                )
            });
        assert!(
            line.contains(&dir.join(&e.file).display().to_string()),
            "{case}: full path in {line}"
        );
        if let Some(r) = e.row {
            assert!(
                line.contains(&format!(" row {r}")),
                "{case}: row {r} in {line}"
            );
        }
        if let Some(c) = &e.column {
            assert!(
                line.contains(", column ") && line.contains(c.as_str()),
                "{case}: column {c} in {line}"
            );
        }
        assert!(!stderr.contains("panicked"), "{case}: {stderr}");
        assert!(
            out.stdout.is_empty() || !String::from_utf8_lossy(&out.stdout).contains("清单概况"),
            "{case}: no summary for invalid data"
        );
    }
}

#[test]
fn cli_json_lists_the_diagnostic() {
    let dir = corpus().join("unknown-status");
    let out = jianpai()
        .args(["validate", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(v["valid"], false);
    assert!(v["errors"].as_u64().unwrap() >= 1);
    assert!(v["summary"].is_null());
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "E016")
        .expect("E016 in diagnostics");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["row"], 4);
    assert_eq!(d["column"], "状态 (N)");
    assert_eq!(d["value"], "检修");
    assert!(d["file"].as_str().unwrap().ends_with("lines.csv"));
}

#[test]
fn cli_xlsx_error_cell() {
    let dir = tempfile::tempdir().unwrap();
    copy_base(dir.path(), &["lines.csv"]);
    let rows = base_rows("lines.csv");
    let vc = col(&rows, "日产值") as u16;
    write_xlsx(
        &dir.path().join("lines.xlsx"),
        &[sheet("Sheet1", "lines", rows)],
        |wb| {
            let ws = wb.worksheet_from_index(0).unwrap();
            ws.write_formula(2, vc, Formula::new("=90/0").set_result("#DIV/0!"))
                .unwrap();
        },
    );
    let out = jianpai().arg("validate").arg(dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("error[E002]") && stderr.contains("lines.xlsx[Sheet1]"),
        "{stderr}"
    );
    assert!(
        stderr.contains("row 3") && stderr.contains("column H") && stderr.contains("#DIV/0!"),
        "{stderr}"
    );
}

#[test]
fn cli_never_panics_on_the_corpus() {
    for dir in case_dirs() {
        let out = jianpai().arg("validate").arg(&dir).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            !stderr.contains("panicked") && !stderr.contains("internal error"),
            "{name}: {stderr}"
        );
        assert_eq!(
            out.status.code(),
            Some(3),
            "{name}: exit code; stderr:\n{stderr}"
        );
        let e = expect_of(&dir);
        assert!(
            stderr.contains(&format!("error[{}]", e.code)),
            "{name}: {stderr}"
        );
    }
}
