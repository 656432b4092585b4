//! The city's warning record (预警记录): which warnings were issued, at which level, from when to
//! when. An audit takes its warning window from it and keeps its baseline clear of every warning
//! in it. Read from a `warnings` table (level, start, end) or from the calendar's `forecast` table
//! (date, level; consecutive days of one level make one warning, midnight to midnight).

use super::time;
use crate::domain::Level;
use crate::io::schema::WARNINGS;
use crate::io::table::{display, read_table};
use crate::io::RawTable;
use crate::stagger::tables::FORECAST;
use crate::validate::cells::{error, unreadable, Sheet};
use crate::validate::Report;
use std::path::Path;

/// Most warnings a record may hold (a city issues a few dozen a season).
pub const MAX_WARNINGS: usize = 10_000;

/// One issued warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Level.
    pub level: Level,
    /// Half-open window, UTC ms.
    pub window: (i64, i64),
    /// Row of the record it came from (header = 1).
    pub row: usize,
}

/// A window as people read it: `2021-12-22T00:00:00+08:00 .. 2021-12-25T00:00:00+08:00`.
pub fn show(w: (i64, i64)) -> String {
    format!("{} .. {}", time::format(w.0), time::format(w.1))
}

/// Whether two half-open windows share time.
pub fn overlap(a: (i64, i64), b: (i64, i64)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Read a warning record; errors name file, row, column and value.
pub fn read_warnings(path: &Path) -> Result<Vec<Warning>, Report> {
    let mut report = Report::default();
    let table = match read_table(path) {
        Ok(t) => t,
        Err(e) => {
            report.push(unreadable(&e, &display(path), ""));
            return Err(report);
        }
    };
    let is_forecast = !table.headers.iter().any(|h| {
        WARNINGS
            .columns
            .iter()
            .any(|c| c.key == "start" && c.matches(h))
    }) && table.headers.iter().any(|h| {
        FORECAST
            .columns
            .iter()
            .any(|c| c.key == "date" && c.matches(h))
    });
    let mut out = if is_forecast {
        forecast_rows(&table, &mut report)
    } else {
        warning_rows(&table, &mut report)
    };
    if out.len() > MAX_WARNINGS {
        report.push(error(
            "E607",
            &table.source,
            None,
            None,
            None,
            format!("holds {} warnings; at most {MAX_WARNINGS}", out.len()),
            "split the record by season",
        ));
    }
    out.sort_by_key(|w| (w.window.0, w.row));
    for pair in out.windows(2) {
        if overlap(pair[0].window, pair[1].window) {
            report.push(error(
                "E604",
                &table.source,
                Some(pair[1].row),
                None,
                None,
                format!(
                    "预警时段重叠：第 {} 行 {} 与第 {} 行 {}",
                    pair[0].row,
                    show(pair[0].window),
                    pair[1].row,
                    show(pair[1].window)
                ),
                "one warning at a time: end the lower level when the higher one starts",
            ));
        }
    }
    if report.has_errors() {
        return Err(report);
    }
    Ok(out)
}

/// Level cell: `E603` when not a level.
fn level_cell(s: &Sheet, report: &mut Report, row: &crate::io::RawRow) -> Option<Level> {
    let l = s.text(report, row, "level")?;
    let level = Level::parse(&l);
    if level.is_none() {
        report.push(error(
            "E603",
            &s.table.source,
            Some(row.row),
            Some(s.label("level")),
            Some(&l),
            "unknown warning level",
            "use 黄色, 橙色 or 红色 (yellow, orange, red)",
        ));
    }
    level
}

/// Rows of a `warnings` table.
fn warning_rows(table: &RawTable, report: &mut Report) -> Vec<Warning> {
    let Some(s) = Sheet::new(table, &WARNINGS, report) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for row in &s.table.rows {
        let level = level_cell(&s, report, row);
        let mut stamp = |key: &str| -> Option<i64> {
            let v = s.text(report, row, key)?;
            match time::parse(&v) {
                Ok(t) => Some(t),
                Err(e) => {
                    report.push(error(
                        "E601",
                        &s.table.source,
                        Some(row.row),
                        Some(s.label(key)),
                        Some(&v),
                        e.to_string(),
                        "write 2021-12-22T00:00 (local time) or with an offset",
                    ));
                    None
                }
            }
        };
        let (start, end) = (stamp("start"), stamp("end"));
        let (Some(level), Some(start), Some(end)) = (level, start, end) else {
            continue;
        };
        if end <= start {
            report.push(error(
                "E602",
                &s.table.source,
                Some(row.row),
                Some(s.label("end")),
                Some(s.raw(row, "end")),
                format!("预警结束时间不晚于开始时间 {}", s.raw(row, "start")),
                "the end must come after the start",
            ));
            continue;
        }
        out.push(Warning {
            level,
            window: (start, end),
            row: row.row,
        });
    }
    out
}

/// Rows of a calendar `forecast` table: runs of consecutive days of one level.
fn forecast_rows(table: &RawTable, report: &mut Report) -> Vec<Warning> {
    let Some(s) = Sheet::new(table, &FORECAST, report) else {
        return Vec::new();
    };
    let mut days: Vec<(i64, Level, usize)> = Vec::new();
    for row in &s.table.rows {
        let level = level_cell(&s, report, row);
        let Some(v) = s.text(report, row, "date") else {
            continue;
        };
        let day = chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
            .ok()
            .and_then(|_| time::parse(v.trim()).ok());
        let Some(day) = day else {
            report.push(error(
                "E601",
                &s.table.source,
                Some(row.row),
                Some(s.label("date")),
                Some(&v),
                "not a date",
                "write 2021-12-22",
            ));
            continue;
        };
        if let Some(level) = level {
            days.push((day, level, row.row));
        }
    }
    days.sort_by_key(|d| (d.0, d.2));
    let mut out: Vec<Warning> = Vec::new();
    for (day, level, row) in days {
        let end = day + 24 * time::HOUR_MS;
        match out.last_mut() {
            Some(w) if w.level == level && w.window.1 == day => w.window.1 = end,
            _ => out.push(Warning {
                level,
                window: (day, end),
                row,
            }),
        }
    }
    out
}

/// The default baseline: `days` days ending a day before the warning, moved earlier (a day
/// before each warning it would overlap) until it is clear of every warning in `record`.
pub fn default_baseline(warning: (i64, i64), record: &[Warning], days: i64) -> (i64, i64) {
    let len = days * 24 * time::HOUR_MS;
    let mut end = warning.0 - 24 * time::HOUR_MS;
    loop {
        let w = (end - len, end);
        match record
            .iter()
            .chain(std::iter::once(&Warning {
                level: Level::Yellow,
                window: warning,
                row: 0,
            }))
            .filter(|r| overlap(r.window, w))
            .map(|r| r.window.0)
            .min()
        {
            Some(start) => end = start - 24 * time::HOUR_MS,
            None => return w,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_steps_back_over_earlier_warnings() {
        let h = time::HOUR_MS;
        let day = 24 * h;
        let warning = (100 * day, 103 * day);
        assert_eq!(default_baseline(warning, &[], 7), (92 * day, 99 * day));
        let earlier = Warning {
            level: Level::Yellow,
            window: (95 * day, 96 * day + 6 * h),
            row: 2,
        };
        let b = default_baseline(warning, std::slice::from_ref(&earlier), 7);
        assert_eq!(b, (87 * day, 94 * day));
        assert!(!overlap(b, earlier.window) && !overlap(b, warning));
    }
}
