//! Online monitoring (CEMS, 污染源在线监测): hourly concentration, flow and data flags per outlet,
//! read (CSV streamed or Parquet) into per-line hourly emission rates and flows inside the audit's
//! time span.

use super::evidence::{hour_and_line, Ids};
use super::meters::{stream_rows, MeterError};
use super::time;
use crate::io::schema::{CEMS, CEMS_CONCENTRATION_MAX, CEMS_FLOW_MAX};
use std::collections::BTreeMap;
use std::path::Path;

/// What a 国控 data flag says about an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// N normal, T over the analyser's range: the value counts.
    Valid,
    /// F: the source is stopped (停运).
    Stopped,
    /// M maintenance, D fault, C calibration, S set value, B communication: no data for the hour.
    Fault,
}

/// Parse a data flag (empty = N).
pub fn parse_flag(s: &str) -> Option<Flag> {
    // The usual one-letter ASCII flags without the upper-casing's allocation.
    if let [c] = super::evidence::trim(s).as_bytes() {
        match c.to_ascii_uppercase() {
            b'N' | b'T' => return Some(Flag::Valid),
            b'F' => return Some(Flag::Stopped),
            b'M' | b'D' | b'C' | b'S' | b'B' => return Some(Flag::Fault),
            _ => {}
        }
    }
    match s.trim().to_uppercase().as_str() {
        "" | "N" | "T" | "正常" | "超测定上限" => Some(Flag::Valid),
        "F" | "停运" | "停产" => Some(Flag::Stopped),
        "M" | "D" | "C" | "S" | "B" | "维护" | "故障" | "校准" | "校验" | "设定值" | "通讯异常" => {
            Some(Flag::Fault)
        }
        _ => None,
    }
}

/// One hour of one line: emission rate (kg/h), flow (m³/h), and whether every outlet was
/// flagged stopped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CemsHour {
    /// Emission rate, kg/h (sum over outlets and pollutants).
    pub rate: f64,
    /// Flue-gas flow, m³/h (sum over outlets).
    pub flow: f64,
    /// All outlets of the hour flagged F.
    pub stopped: bool,
}

/// CEMS data inside the audit span, per line and hour.
#[derive(Debug, Clone, Default)]
pub struct CemsData {
    /// Hours per line id (valid or stopped hours only), in time order.
    pub lines: BTreeMap<String, Vec<(i64, CemsHour)>>,
    /// Faults per line: `fault_hours` (M/D/C/S/B) and `duplicates`.
    pub faults: BTreeMap<String, BTreeMap<&'static str, usize>>,
    /// Rows read.
    pub rows_read: usize,
}

const KEYS: [&str; 7] = [
    "outlet",
    "line_id",
    "timestamp",
    "pollutant",
    "concentration",
    "flow",
    "flag",
];

/// One kept row.
#[derive(Clone, Copy)]
struct Row {
    line: u32,
    hour: i64,
    outlet: u32,
    pollutant: u32,
    flag: Flag,
    conc: f32,
    flow: f32,
}

/// Read CEMS data, keeping rows whose hour starts in `span` (half-open). Errors name file, row,
/// column and value.
pub fn read_cems(path: &Path, span: (i64, i64)) -> Result<CemsData, MeterError> {
    let file = crate::io::table::display(path);
    let mut outlets = Ids::default();
    let mut lines = Ids::default();
    let mut pollutants = Ids::default();
    let mut rows: Vec<Row> = Vec::new();
    let mut rows_read = 0usize;
    // The last pollutant cell checked, and the last one interned with its number: files come
    // grouped by outlet and pollutant, so most rows repeat the row before.
    let mut checked_pollutant = String::new();
    let mut last_pollutant: Option<(String, u32)> = None;
    stream_rows(
        path,
        &CEMS,
        &KEYS,
        |_| Ok(()),
        |cols, row, cells| {
            let bad = |k: usize, msg: &str| cols.bad(&file, row, k, cells[k], msg);
            super::evidence::check_id(cols, &file, row, cells, 0, "E608")?;
            super::evidence::check_id(cols, &file, row, cells, 1, "E608")?;
            let ts = time::parse(cells[2]).map_err(|e| bad(2, &format!("E609 {e}")))?;
            let number = |k: usize, max: f64, what: &str| -> Result<f64, MeterError> {
                match super::evidence::number(cells[k]) {
                    Some(v) if v.is_finite() && (0.0..=max).contains(&v) => Ok(v),
                    _ => Err(bad(k, &format!("E610 not a {what} in [0, {max}]"))),
                }
            };
            let flag = parse_flag(cells[6]).ok_or_else(|| {
                bad(
                    6,
                    "E611 unknown data flag (N normal, T over range, F stopped, M maintenance, D fault, C calibration, S set value, B communication)",
                )
            })?;
            let conc = number(4, CEMS_CONCENTRATION_MAX, "concentration (mg/m³)")?;
            let flow = number(5, CEMS_FLOW_MAX, "flow (m³/h)")?;
            if cells[3] != checked_pollutant {
                if cells[3].chars().count() > 32 || cells[3].chars().any(char::is_control) {
                    return Err(bad(3, "E612 not a pollutant name (at most 32 characters)"));
                }
                checked_pollutant.clear();
                checked_pollutant.push_str(cells[3]);
            }
            rows_read += 1;
            let Some((hour, line_id)) = hour_and_line(ts, span, cells) else {
                return Ok(());
            };
            let too_many = |what: &str| {
                bad(
                    0,
                    &format!(
                        "E613 more than {} {what} in one file",
                        super::evidence::MAX_IDS
                    ),
                )
            };
            let line = lines.get(line_id).ok_or_else(|| too_many("lines"))?;
            let outlet = outlets.get(cells[0]).ok_or_else(|| too_many("outlets"))?;
            let pollutant = match &last_pollutant {
                Some((raw, p)) if raw == cells[3] => *p,
                _ => {
                    let p = pollutants
                        .get(&cells[3].to_uppercase())
                        .ok_or_else(|| too_many("pollutants"))?;
                    last_pollutant = Some((cells[3].to_string(), p));
                    p
                }
            };
            rows.push(Row {
                line,
                hour,
                outlet,
                pollutant,
                flag,
                conc: conc as f32,
                flow: flow as f32,
            });
            Ok(())
        },
    )?;
    Ok(reduce(rows, &lines, rows_read))
}

/// Sort the kept rows by line, hour, outlet and pollutant (file order among equals), drop
/// repeats, and sum each line-hour.
fn reduce(mut rows: Vec<Row>, lines: &Ids, rows_read: usize) -> CemsData {
    rows.sort_by_key(|r| (r.line, r.hour, r.outlet, r.pollutant));
    let mut data = CemsData {
        rows_read,
        ..Default::default()
    };
    let mut i = 0;
    while i < rows.len() {
        // One line: its hours, then its faults (a line's rows are side by side once sorted).
        let line = rows[i].line;
        let mut hours: Vec<(i64, CemsHour)> = Vec::new();
        let (mut duplicates, mut fault_hours) = (0usize, 0usize);
        while i < rows.len() && rows[i].line == line {
            let hour = rows[i].hour;
            let mut j = i;
            let (mut rate, mut flow, mut stopped, mut valid, mut fault) =
                (0.0, 0.0, true, false, 0);
            let mut last_outlet = None;
            let mut outlet_flow = 0.0f64;
            while j < rows.len() && rows[j].line == line && rows[j].hour == hour {
                let r = rows[j];
                if j > i && rows[j - 1].outlet == r.outlet && rows[j - 1].pollutant == r.pollutant {
                    duplicates += 1;
                    j += 1;
                    continue;
                }
                if last_outlet != Some(r.outlet) {
                    flow += outlet_flow;
                    outlet_flow = 0.0;
                    last_outlet = Some(r.outlet);
                }
                match r.flag {
                    Flag::Fault => fault += 1,
                    f => {
                        valid = true;
                        stopped &= f == Flag::Stopped;
                        rate += f64::from(r.conc) * f64::from(r.flow) / 1e6;
                        outlet_flow = outlet_flow.max(f64::from(r.flow));
                    }
                }
                j += 1;
            }
            flow += outlet_flow;
            if fault > 0 && !valid {
                fault_hours += 1;
            }
            if valid {
                hours.push((
                    hour,
                    CemsHour {
                        rate,
                        flow,
                        stopped,
                    },
                ));
            }
            i = j;
        }
        let id = lines.name(line);
        let mut faults = BTreeMap::from([("duplicates", duplicates)]);
        if fault_hours > 0 {
            faults.insert("fault_hours", fault_hours);
        }
        data.faults.insert(id.to_string(), faults);
        if !hours.is_empty() {
            data.lines.insert(id.to_string(), hours);
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_as_in_national_data() {
        assert_eq!(parse_flag(""), Some(Flag::Valid));
        assert_eq!(parse_flag("n"), Some(Flag::Valid));
        assert_eq!(parse_flag("F"), Some(Flag::Stopped));
        assert_eq!(parse_flag("D"), Some(Flag::Fault));
        assert_eq!(parse_flag("X"), None);
    }
}
