//! Operating status (工况: DCS on/off or load signals per facility), read (CSV streamed or
//! Parquet) into per-line hourly loads inside the audit's time span.

use super::evidence::{check_id, hour_and_line, Ids, MAX_IDS};
use super::meters::{stream_rows, MeterError};
use super::time;
use crate::io::schema::{STATUS, STATUS_LOAD_MAX};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Operating status inside the audit span.
#[derive(Debug, Clone, Default)]
pub struct StatusData {
    /// Hourly load (share of rated load, mean of the line's facilities) per line id, in time
    /// order.
    pub lines: BTreeMap<String, Vec<(i64, f64)>>,
    /// Lines with a load signal (the others have on/off states only, which verify stops only).
    pub with_load: BTreeSet<String>,
    /// Rows read.
    pub rows_read: usize,
}

const KEYS: [&str; 5] = ["facility", "line_id", "timestamp", "running", "load"];

/// Parse an on/off state.
pub fn parse_running(s: &str) -> Option<bool> {
    // The states as usually written (already lower case) without the lower-casing's allocation.
    match super::evidence::trim(s) {
        "开" | "运行" | "1" | "on" => return Some(true),
        "停" | "停机" | "0" | "off" => return Some(false),
        _ => {}
    }
    match s.trim().to_lowercase().as_str() {
        "开" | "开机" | "运行" | "生产" | "1" | "on" | "true" | "run" | "running" => {
            Some(true)
        }
        "停" | "停机" | "停运" | "停产" | "0" | "off" | "false" | "stop" | "stopped" => {
            Some(false)
        }
        _ => None,
    }
}

/// One kept sample.
#[derive(Clone, Copy)]
struct Row {
    line: u32,
    hour: i64,
    facility: u32,
    load: f32,
    has_load: bool,
}

/// Read operating status, keeping samples whose hour starts in `span` (half-open). Errors name
/// file, row, column and value.
pub fn read_status(path: &Path, span: (i64, i64)) -> Result<StatusData, MeterError> {
    let file = crate::io::table::display(path);
    let (mut facilities, mut lines) = (Ids::default(), Ids::default());
    let mut rows: Vec<Row> = Vec::new();
    let mut rows_read = 0usize;
    stream_rows(
        path,
        &STATUS,
        &KEYS,
        |cols| {
            if cols.idx[3].is_none() && cols.idx[4].is_none() {
                return Err(MeterError {
                    file: file.clone(),
                    row: Some(1),
                    column: None,
                    value: None,
                    message: format!(
                        "E614 needs a state column (运行状态 / running) or a load column (负荷率 / load); headers found: {}",
                        cols.headers.join(", ")
                    ),
                    unreadable: false,
                });
            }
            Ok(())
        },
        |cols, row, cells| {
            let bad = |k: usize, msg: &str| cols.bad(&file, row, k, cells[k], msg);
            check_id(cols, &file, row, cells, 0, "E615")?;
            check_id(cols, &file, row, cells, 1, "E615")?;
            let ts = time::parse(cells[2]).map_err(|e| bad(2, &format!("E616 {e}")))?;
            let (load, has_load) = if !cells[4].is_empty() {
                let cell = if cells[4].ends_with('%') {
                    cells[4].trim_end_matches('%')
                } else {
                    cells[4]
                };
                match super::evidence::number(cell) {
                    Some(v) if v.is_finite() && (0.0..=STATUS_LOAD_MAX).contains(&v) => {
                        (v / 100.0, true)
                    }
                    _ => {
                        return Err(bad(
                            4,
                            &format!("E617 not a load in [0, {STATUS_LOAD_MAX}] % of rated load"),
                        ))
                    }
                }
            } else {
                let on = parse_running(cells[3]).ok_or_else(|| {
                    bad(
                        if cells[3].is_empty() && cols.idx[4].is_some() {
                            4
                        } else {
                            3
                        },
                        "E618 neither a load nor an on/off state (开 / 运行 / 1 / on, 停 / 停机 / 0 / off)",
                    )
                })?;
                (if on { 1.0 } else { 0.0 }, false)
            };
            rows_read += 1;
            let Some((hour, line_id)) = hour_and_line(ts, span, cells) else {
                return Ok(());
            };
            let too_many = || bad(0, &format!("E619 more than {MAX_IDS} ids in one file"));
            rows.push(Row {
                line: lines.get(line_id).ok_or_else(too_many)?,
                hour,
                facility: facilities.get(cells[0]).ok_or_else(too_many)?,
                load: load as f32,
                has_load,
            });
            Ok(())
        },
    )?;
    Ok(reduce(rows, &lines, rows_read))
}

/// Sort samples by line, hour and facility (file order among equals); a line-hour's load is the
/// mean over its facilities of each facility's mean sample.
fn reduce(mut rows: Vec<Row>, lines: &Ids, rows_read: usize) -> StatusData {
    rows.sort_by_key(|r| (r.line, r.hour, r.facility));
    let mut data = StatusData {
        rows_read,
        ..Default::default()
    };
    let mut i = 0;
    while i < rows.len() {
        // One line (its rows are side by side once sorted).
        let line = rows[i].line;
        let mut hours: Vec<(i64, f64)> = Vec::new();
        let mut with_load = false;
        while i < rows.len() && rows[i].line == line {
            let hour = rows[i].hour;
            let (mut total, mut facilities) = (0.0, 0usize);
            let mut j = i;
            while j < rows.len() && rows[j].line == line && rows[j].hour == hour {
                let f = rows[j].facility;
                let (mut sum, mut n) = (0.0, 0usize);
                while j < rows.len()
                    && rows[j].line == line
                    && rows[j].hour == hour
                    && rows[j].facility == f
                {
                    sum += f64::from(rows[j].load);
                    n += 1;
                    with_load |= rows[j].has_load;
                    j += 1;
                }
                total += sum / n as f64;
                facilities += 1;
            }
            hours.push((hour, total / facilities as f64));
            i = j;
        }
        let id = lines.name(line);
        if with_load {
            data.with_load.insert(id.to_string());
        }
        data.lines.insert(id.to_string(), hours);
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_as_written() {
        assert_eq!(parse_running("运行"), Some(true));
        assert_eq!(parse_running("OFF"), Some(false));
        assert_eq!(parse_running("maybe"), None);
    }
}
