//! The data of a calendar report, read from a `jianpai stagger` directory: summary.json, the
//! stop blocks of calendar.csv (read by its schema, [`CALENDAR`]) and the daily table of days.csv
//! (by the headers [`crate::stagger::calendar`] writes), so files in either language are
//! reported. The sections that show them: [`super::calendar_sections`].

use super::plan_data::read_summary;
use super::ReportError;
use crate::io::RawTable;
use crate::stagger::calendar::parse_kind;
use crate::stagger::tables::CALENDAR;
use crate::stagger::{Counts, State};
use crate::validate::cells::{error, Sheet};
use crate::validate::{Report, Severity};
use chrono::NaiveDate;
use serde::Deserialize;
use std::path::Path;

/// summary.json of a calendar directory.
#[derive(Debug, Clone, Deserialize)]
pub struct CalendarSummary {
    /// Scenario name.
    #[serde(default)]
    pub scenario: String,
    /// Solver status keyword.
    pub status: String,
    /// Controllable loss (万元).
    pub objective: Option<f64>,
    /// Proven lower bound.
    pub bound: Option<f64>,
    /// Relative gap.
    pub gap: Option<f64>,
    /// Loss of the greedy calendar.
    pub greedy_objective: Option<f64>,
    /// Greedy minus optimised loss.
    pub saving_vs_greedy: Option<f64>,
    /// Saving as a share of the greedy loss.
    pub saving_vs_greedy_share: Option<f64>,
    /// Loss fixed by the rules (season stops, government orders).
    #[serde(default)]
    pub fixed_loss: f64,
    /// First and last day.
    pub horizon: (String, String),
    /// Counts.
    #[serde(default)]
    pub counts: Counts,
    /// Notes of the run.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One row of calendar.csv.
#[derive(Debug, Clone)]
pub struct Block {
    /// Line id.
    pub line: String,
    /// Line name (empty in calendars written before it was a column).
    pub line_name: String,
    /// Enterprise credit code.
    pub credit_code: String,
    /// Enterprise name.
    pub enterprise: String,
    /// District.
    pub district: String,
    /// Industry.
    pub industry: String,
    /// First day.
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
    /// Days.
    pub days: f64,
    /// Stop kind (maintenance without its job index).
    pub kind: State,
    /// Maintenance job.
    pub job: String,
    /// Rule or order.
    pub reason: String,
}

/// days.csv: its headers as written, one date and the other cells per day.
#[derive(Debug, Clone)]
pub struct DaysTable {
    /// Headers (date, season, warning, stopped lines, then numbers).
    pub headers: Vec<String>,
    /// Per day: date, season, warning, then the numeric columns.
    pub rows: Vec<(NaiveDate, String, String, Vec<f64>)>,
}

impl DaysTable {
    /// Values of the column headed `h` (either language).
    pub(super) fn column(&self, names: [String; 2]) -> Option<Vec<f64>> {
        let i = self.headers.iter().position(|h| names.contains(h))?;
        let i = i.checked_sub(3)?;
        Some(self.rows.iter().map(|r| r.3[i]).collect())
    }
}

/// A calendar directory.
#[derive(Debug, Clone)]
pub struct CalendarData {
    /// summary.json.
    pub summary: CalendarSummary,
    /// calendar.csv rows in file order.
    pub blocks: Vec<Block>,
    /// days.csv.
    pub days: DaysTable,
    /// First day of the horizon.
    pub first: NaiveDate,
    /// Days in the horizon.
    pub span: i64,
}

fn first_error(file: &str, r: &Report) -> ReportError {
    ReportError::Input {
        file: file.into(),
        message: r
            .diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
            .map(|d| d.to_string())
            .unwrap_or_default(),
    }
}

fn read(path: &Path, status: &str) -> Result<RawTable, ReportError> {
    if !path.is_file() {
        return Err(ReportError::Read {
            file: path.display().to_string(),
            message: format!(
                "not found: the run made no calendar (status {status}; see \"infeasibility\" in summary.json)"
            ),
        });
    }
    crate::io::table::read_csv(path).map_err(|e| ReportError::Read {
        file: path.display().to_string(),
        message: e.to_string(),
    })
}

fn date(s: &str) -> Option<NaiveDate> {
    crate::stagger::input::parse_date(s)
}

/// Read calendar.csv by its schema (Chinese or English headers).
fn read_blocks(table: &RawTable) -> Result<Vec<Block>, ReportError> {
    let mut report = Report::default();
    let Some(s) = Sheet::new(table, &CALENDAR, &mut report) else {
        return Err(first_error(&table.source, &report));
    };
    let mut out = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let bad = |key: &str, msg: &str| {
            let mut r = Report::default();
            r.push(error(
                "E210",
                &table.source,
                Some(row.row),
                Some(s.label(key)),
                Some(s.raw(row, key)),
                msg.to_string(),
                "write the calendar with `jianpai stagger`".to_string(),
            ));
            first_error(&table.source, &r)
        };
        let start = date(s.raw(row, "start")).ok_or_else(|| bad("start", "is not a date"))?;
        let end = date(s.raw(row, "end")).ok_or_else(|| bad("end", "is not a date"))?;
        if end < start {
            return Err(bad("end", "ends before it starts"));
        }
        let days = s
            .number(&mut report, row, "days")
            .ok_or_else(|| bad("days", "is not a number of days"))?;
        let kind = parse_kind(s.raw(row, "kind")).ok_or_else(|| bad("kind", "unknown kind"))?;
        let line = s.raw(row, "line_id").trim().to_string();
        if line.is_empty() {
            return Err(bad("line_id", "no line id"));
        }
        let cell = |k: &str| s.raw(row, k).trim().to_string();
        out.push(Block {
            line,
            line_name: cell("line_name"),
            credit_code: cell("credit_code"),
            enterprise: cell("enterprise"),
            district: cell("district"),
            industry: cell("industry"),
            start,
            end,
            days,
            kind,
            job: cell("job"),
            reason: cell("reason"),
        });
    }
    Ok(out)
}

/// Read days.csv: a date, season and warning, then numbers.
fn read_days(table: &RawTable) -> Result<DaysTable, ReportError> {
    let bad = |row: usize, col: usize, value: &str, msg: &str| {
        let mut r = Report::default();
        r.push(error(
            "E210",
            &table.source,
            Some(row),
            table.headers.get(col).cloned(),
            Some(value),
            msg.to_string(),
            "write the calendar with `jianpai stagger`".to_string(),
        ));
        first_error(&table.source, &r)
    };
    if table.headers.len() < 4 || !["日期", "date"].contains(&table.headers[0].as_str()) {
        return Err(bad(
            1,
            0,
            table.headers.first().map_or("", String::as_str),
            "is not a days.csv header (日期 / date first)",
        ));
    }
    let mut rows = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let cell = |i: usize| row.cells.get(i).map_or("", String::as_str);
        let d = date(cell(0)).ok_or_else(|| bad(row.row, 0, cell(0), "is not a date"))?;
        let nums = (3..table.headers.len())
            .map(|i| {
                crate::validate::cells::parse_number(cell(i))
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| bad(row.row, i, cell(i), "is not a number"))
            })
            .collect::<Result<Vec<f64>, _>>()?;
        rows.push((d, cell(1).to_string(), cell(2).to_string(), nums));
    }
    Ok(DaysTable {
        headers: table.headers.clone(),
        rows,
    })
}

/// Load a calendar directory (no scenario or inventory needed).
pub fn load(dir: &Path) -> Result<CalendarData, ReportError> {
    let summary: CalendarSummary = read_summary(dir)?;
    let blocks = read_blocks(&read(&dir.join("calendar.csv"), &summary.status)?)?;
    let days = read_days(&read(&dir.join("days.csv"), &summary.status)?)?;
    let (a, b) = (date(&summary.horizon.0), date(&summary.horizon.1));
    let first = a
        .into_iter()
        .chain(blocks.iter().map(|b| b.start))
        .chain(days.rows.first().map(|r| r.0))
        .min();
    let last = b
        .into_iter()
        .chain(blocks.iter().map(|b| b.end))
        .chain(days.rows.last().map(|r| r.0))
        .max();
    let (Some(first), Some(last)) = (first, last) else {
        return Err(ReportError::Input {
            file: dir.join("summary.json").display().to_string(),
            message: "no horizon and no days".into(),
        });
    };
    Ok(CalendarData {
        summary,
        blocks,
        days,
        first,
        span: (last - first).num_days() + 1,
    })
}
