//! Reading a plan back (a plan folder, a `plan.csv` with Chinese or English headers, or a list
//! workbook in the standard layout), for `check` and later stages.

use crate::domain::{Inventory, Level, Measure};
use crate::io::schema::PLAN;
use crate::io::table::{read_table, RawTable};
use crate::validate::cells::{error, unreadable, Sheet};
use crate::validate::Report;
use std::path::Path;

/// One row of a plan file as written (cuts as stated, to be re-verified).
#[derive(Debug, Clone, PartialEq)]
pub struct StatedRow {
    /// Row number in the file.
    pub row: usize,
    /// Line id.
    pub line_id: String,
    /// Credit code as written.
    pub credit_code: String,
    /// Level.
    pub level: Level,
    /// Parsed measure.
    pub measure: Measure,
    /// Measure code as written.
    pub code: String,
    /// Stated cuts (t/d).
    pub cut: [f64; 4],
    /// Stated loss (万元/d).
    pub loss: f64,
    /// Stated expected electricity (kWh/d), if given.
    pub electricity: Option<f64>,
    /// Remarks as written.
    pub note: String,
    /// Reason for a measure above its minimum as written; `None` when the file has no such
    /// column (a hand-made plan, a list workbook).
    pub reason: Option<String>,
    /// Minimum obligation of the rules as written (may be empty).
    pub obligation: String,
    /// The descriptive and derived columns the file carries, as written (see [`DESCRIBED`]).
    pub described: Vec<Described>,
}

/// One cell of a column that `check` re-derives from the inventory, rules and scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    /// Column key in the plan schema (`electricity`, `enterprise` …).
    pub key: &'static str,
    /// The column as the user sees it: header and letter, `核查用电量 (R)`.
    pub label: String,
    /// The cell as written (trimmed).
    pub value: String,
}

/// Plan columns derived from the inventory, rules and scenario rather than chosen by the
/// planner; `check` re-derives each one a plan file carries.
pub const DESCRIBED: [&str; 11] = [
    "enterprise",
    "district",
    "industry",
    "grade",
    "line_name",
    "process",
    "measure",
    "obligation",
    "electricity",
    "electricity_share",
    "note",
];

/// The one place plans are read: a plan folder (its `plan.csv`), a plan file, or a list workbook
/// (`应急减排清单.xlsx`, optionally `应急减排清单.xlsx#sheet`, see [`super::workbook`]), as a
/// table with the `plan.csv` columns. `inv` helps read workbooks without line ids.
pub fn read_plan_table(path: &Path, inv: Option<&Inventory>) -> Result<RawTable, Report> {
    if let Some(w) = super::workbook::locate(path) {
        return super::workbook::read_list_workbook(&w, inv);
    }
    let file = if path.is_dir() {
        path.join("plan.csv")
    } else {
        path.to_path_buf()
    };
    read_table(&file).map_err(|e| {
        let mut report = Report::default();
        report.push(unreadable(
            &e,
            &file.display().to_string(),
            "give a plan folder (with plan.csv), a plan file, or a list workbook (应急减排清单.xlsx or 应急减排清单.xlsx#sheet)",
        ));
        report
    })
}

/// Read a plan (see [`read_plan_table`]); unreadable cells are reported with file, row, column
/// and value.
pub fn read_plan(path: &Path, inv: Option<&Inventory>) -> Result<(Vec<StatedRow>, String), Report> {
    let table = read_plan_table(path, inv)?;
    // A list workbook is a print document (rounded electricity, the province's phrasing, blank
    // cells under merged ones): its descriptive columns are not the plan file's, so `check`
    // re-derives only the plan files' (the workbook's measures, cuts and loss are still checked).
    let rederive = super::workbook::locate(path).is_none();
    parse_plan_described(&table, rederive).map(|rows| (rows, table.source.clone()))
}

/// Parse the rows of a plan table already read.
pub fn parse_plan(table: &RawTable) -> Result<Vec<StatedRow>, Report> {
    parse_plan_described(table, true)
}

/// Parse the rows of a plan table; `rederive` keeps the descriptive cells for `check`.
fn parse_plan_described(table: &RawTable, rederive: bool) -> Result<Vec<StatedRow>, Report> {
    let mut report = Report::default();
    let Some(s) = Sheet::new(table, &PLAN, &mut report) else {
        return Err(report);
    };
    // Only the columns the file has: a hand-made plan may leave descriptive columns out.
    let present: Vec<&'static str> = DESCRIBED
        .into_iter()
        .filter(|_| rederive)
        .filter(|k| {
            PLAN.columns
                .iter()
                .find(|c| c.key == *k)
                .is_some_and(|c| table.headers.iter().any(|h| c.matches(h)))
        })
        .collect();
    let has_reason = PLAN
        .columns
        .iter()
        .find(|c| c.key == "reason")
        .is_some_and(|c| table.headers.iter().any(|h| c.matches(h)));
    let mut rows = Vec::new();
    for row in &table.rows {
        let before = report.error_count();
        let line_id = s.text(&mut report, row, "line_id");
        let credit_code = s.text(&mut report, row, "credit_code");
        let lv = s.raw(row, "level");
        let level = Level::parse(lv);
        if level.is_none() {
            report.push(error(
                "E022",
                &table.source,
                Some(row.row),
                Some(s.label("level")),
                Some(lv),
                "unknown warning level",
                "use 黄色, 橙色, 红色 (yellow, orange, red)",
            ));
        }
        let code = s.raw(row, "measure_code").to_string();
        let measure = Measure::parse_code(&code);
        if measure.is_none() {
            report.push(error(
                "E023",
                &table.source,
                Some(row.row),
                Some(s.label("measure_code")),
                Some(&code),
                "not a measure code",
                "use V, L<percent>, S, D:<option>, with +T4 or +T0",
            ));
        }
        let cut =
            ["so2_cut", "nox_cut", "pm_cut", "vocs_cut"].map(|k| s.number(&mut report, row, k));
        let loss = s.number(&mut report, row, "loss");
        let electricity = s.number(&mut report, row, "electricity");
        if report.error_count() > before {
            continue;
        }
        let (Some(line_id), Some(credit_code), Some(level), Some(measure), Some(loss)) =
            (line_id, credit_code, level, measure, loss)
        else {
            continue;
        };
        rows.push(StatedRow {
            row: row.row,
            line_id,
            credit_code,
            level,
            measure,
            code,
            cut: cut.map(|c| c.unwrap_or(0.0)),
            loss,
            electricity,
            note: s.raw(row, "note").to_string(),
            reason: has_reason.then(|| s.raw(row, "reason").to_string()),
            obligation: s.raw(row, "obligation").to_string(),
            described: present
                .iter()
                .map(|&key| Described {
                    key,
                    label: s.label(key),
                    value: s.raw(row, key).to_string(),
                })
                .collect(),
        });
    }
    if report.has_errors() {
        return Err(report);
    }
    // A list workbook always yields the reason column; one that states no reason at all (a
    // provincial template, a list made elsewhere) has none to check.
    if !rederive
        && rows
            .iter()
            .all(|r| r.reason.as_deref().is_none_or(str::is_empty))
    {
        for r in &mut rows {
            r.reason = None;
        }
    }
    Ok(rows)
}
