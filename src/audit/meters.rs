//! Reading meter files (CSV streamed row by row, or Parquet) into compact columns, keeping only the
//! rows inside the audit's time span so memory grows with the windows, not with the file.

use super::time;
use crate::io::schema::{ColumnSpec, METERS};
use std::collections::HashMap;
use std::path::Path;

/// A bad meter file, naming file, row, column and value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}{}{}{}: {message}",
    .row.map(|r| format!(" row {r}")).unwrap_or_default(),
    .column.as_ref().map(|c| format!(", column {c}")).unwrap_or_default(),
    .value.as_ref().map(|v| format!(", value \"{v}\"")).unwrap_or_default())]
pub struct MeterError {
    /// File.
    pub file: String,
    /// Row (header = 1).
    pub row: Option<usize>,
    /// Column header.
    pub column: Option<String>,
    /// Offending value.
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// Meter rows inside the audit span, as columns.
#[derive(Debug, Default, Clone)]
pub struct MeterData {
    /// Meter ids, by meter index.
    pub meters: Vec<String>,
    /// Line of each meter.
    pub line_of: Vec<String>,
    /// Whether each meter has register readings (else interval kWh).
    pub register: Vec<bool>,
    /// Largest reading per meter (for rollover detection).
    pub max_reading: Vec<f64>,
    /// Meter index per row.
    pub meter: Vec<u32>,
    /// Time stamp per row (UTC ms).
    pub ts: Vec<i64>,
    /// Register reading per row (NaN when absent).
    pub reading: Vec<f64>,
    /// Interval kWh per row (NaN when absent).
    pub kwh: Vec<f64>,
    /// Rows read from the file.
    pub rows_read: usize,
    /// Latest time stamp seen.
    pub last_ts: Option<i64>,
}

struct Columns {
    idx: [Option<usize>; 5],
    headers: Vec<String>,
}

const KEYS: [&str; 5] = ["meter", "line_id", "timestamp", "reading", "kwh"];

fn spec(key: &str) -> &'static ColumnSpec {
    METERS
        .columns
        .iter()
        .find(|c| c.key == key)
        .expect("meter column")
}

fn columns(file: &str, headers: Vec<String>) -> Result<Columns, MeterError> {
    let idx = KEYS.map(|k| headers.iter().position(|h| spec(k).matches(h)));
    let missing: Vec<&str> = [0, 2]
        .iter()
        .filter(|&&i| idx[i].is_none())
        .map(|&i| spec(KEYS[i]).zh)
        .collect();
    let err = |m: String| MeterError {
        file: file.into(),
        row: Some(1),
        column: None,
        value: None,
        message: m,
    };
    if !missing.is_empty() {
        return Err(err(format!(
            "missing column {} (headers found: {})",
            missing.join(", "),
            headers.join(", ")
        )));
    }
    if idx[3].is_none() && idx[4].is_none() {
        return Err(err(format!(
            "needs a register column (表码 / reading) or an interval column (区间电量 / kwh); headers found: {}",
            headers.join(", ")
        )));
    }
    Ok(Columns { idx, headers })
}

impl MeterData {
    fn push(
        &mut self,
        ids: &mut HashMap<String, u32>,
        cells: [&str; 5],
        ts: i64,
        reading: f64,
        kwh: f64,
    ) {
        let m = match ids.get(cells[0]) {
            Some(&m) => m,
            None => {
                let m = self.meters.len() as u32;
                ids.insert(cells[0].to_string(), m);
                self.meters.push(cells[0].to_string());
                let line = if cells[1].is_empty() {
                    cells[0]
                } else {
                    cells[1]
                };
                self.line_of.push(line.to_string());
                self.register.push(false);
                self.max_reading.push(0.0);
                m
            }
        } as usize;
        if reading.is_finite() {
            self.register[m] = true;
            self.max_reading[m] = self.max_reading[m].max(reading);
        }
        self.meter.push(m as u32);
        self.ts.push(ts);
        self.reading.push(reading);
        self.kwh.push(kwh);
    }
}

/// One row's cells parsed; `Ok(None)` for rows outside `span`.
fn parse_row(
    file: &str,
    cols: &Columns,
    row: usize,
    cells: [&str; 5],
) -> Result<(i64, f64, f64), MeterError> {
    let bad = |k: usize, msg: &str| MeterError {
        file: file.into(),
        row: Some(row),
        column: cols.idx[k].map(|i| {
            format!(
                "{} ({})",
                cols.headers[i],
                crate::io::table::column_letter(i)
            )
        }),
        value: Some(cells[k].to_string()),
        message: msg.into(),
    };
    if cells[0].is_empty() {
        return Err(bad(0, "meter id is empty"));
    }
    let ts = time::parse(cells[2]).ok_or_else(|| {
        bad(
            2,
            "not a time stamp (use ISO 8601: 2021-12-20T08:00:00, optionally with +08:00)",
        )
    })?;
    let num = |k: usize| -> Result<f64, MeterError> {
        if cells[k].is_empty() {
            return Ok(f64::NAN);
        }
        match crate::validate::cells::parse_number(cells[k]) {
            Some(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(bad(k, "not a number ≥ 0 (kWh)")),
        }
    };
    let reading = num(3)?;
    let kwh = num(4)?;
    if reading.is_nan() && kwh.is_nan() {
        return Err(bad(
            if cols.idx[3].is_some() { 3 } else { 4 },
            "neither a register reading nor an interval kWh",
        ));
    }
    Ok((ts, reading, kwh))
}

/// Read a meter file (CSV or Parquet), keeping rows with `span.0 <= ts <= span.1` (all rows when
/// `span` is `None`).
pub fn read_meters(path: &Path, span: Option<(i64, i64)>) -> Result<MeterData, MeterError> {
    let file = crate::io::table::display(path);
    let is_parquet = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    let mut data = MeterData::default();
    let mut ids: HashMap<String, u32> = HashMap::new();
    let accept = |data: &mut MeterData,
                  ids: &mut HashMap<String, u32>,
                  cols: &Columns,
                  row: usize,
                  cells: [&str; 5]|
     -> Result<(), MeterError> {
        let (ts, reading, kwh) = parse_row(&file, cols, row, cells)?;
        data.rows_read += 1;
        data.last_ts = Some(data.last_ts.map_or(ts, |l| l.max(ts)));
        if span.is_none_or(|(a, b)| ts >= a && ts <= b) {
            data.push(ids, cells, ts, reading, kwh);
        }
        Ok(())
    };
    let io_err = |m: String| MeterError {
        file: file.clone(),
        row: None,
        column: None,
        value: None,
        message: m,
    };
    if is_parquet {
        let table = crate::io::parquet::read_parquet(path).map_err(|e| io_err(e.to_string()))?;
        let cols = columns(&file, table.headers.clone())?;
        for r in &table.rows {
            let cells = cols
                .idx
                .map(|i| i.and_then(|i| r.cells.get(i)).map_or("", String::as_str));
            accept(&mut data, &mut ids, &cols, r.row, cells)?;
        }
        return Ok(data);
    }
    let f = std::fs::File::open(path).map_err(|e| io_err(format!("cannot read: {e}")))?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(std::io::BufReader::with_capacity(1 << 20, f));
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| io_err(e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let cols = columns(&file, headers)?;
    let mut rec = csv::StringRecord::new();
    let mut row = 1;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(MeterError {
                    row: e.position().map(|p| p.line() as usize),
                    ..io_err(format!("not valid CSV: {e}"))
                })
            }
        }
        row += 1;
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells = cols
            .idx
            .map(|i| i.and_then(|i| rec.get(i)).map_or("", str::trim));
        accept(&mut data, &mut ids, &cols, row, cells)?;
    }
    Ok(data)
}
