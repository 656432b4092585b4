//! Reading meter files (CSV streamed row by row, or Parquet) into compact columns, keeping only the
//! rows inside the audit's time span so memory grows with the windows, not with the file.

use super::time;
use crate::io::schema::{ColumnSpec, TableSpec, METERS};
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
    /// The file could not be opened or read at all (exit 7), rather than holding bad data.
    pub unreadable: bool,
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

/// Where the columns of an evidence table are (by the keys asked for) and its headers.
pub struct Columns {
    /// Position of each key's column, in the order the keys were given.
    pub idx: Vec<Option<usize>>,
    /// Header cells.
    pub headers: Vec<String>,
}

impl Columns {
    /// An error about a cell of key `k` (by position in the keys), naming file, row, column and
    /// value.
    pub fn bad(&self, file: &str, row: usize, k: usize, value: &str, msg: &str) -> MeterError {
        MeterError {
            file: file.into(),
            row: Some(row),
            column: self.idx[k].map(|i| {
                format!(
                    "{} ({})",
                    self.headers[i],
                    crate::io::table::column_letter(i)
                )
            }),
            value: Some(value.to_string()),
            message: msg.into(),
            unreadable: false,
        }
    }
}

const KEYS: [&str; 5] = ["meter", "line_id", "timestamp", "reading", "kwh"];

/// Match headers to `keys` of `spec`; a required column missing is an error at row 1.
pub fn columns(
    file: &str,
    spec: &'static TableSpec,
    keys: &[&str],
    headers: Vec<String>,
) -> Result<Columns, MeterError> {
    let specs: Vec<&ColumnSpec> = keys
        .iter()
        .map(|k| {
            spec.columns
                .iter()
                .find(|c| c.key == *k)
                .expect("column of the spec")
        })
        .collect();
    let idx: Vec<Option<usize>> = specs
        .iter()
        .map(|c| headers.iter().position(|h| c.matches(h)))
        .collect();
    let missing: Vec<&str> = specs
        .iter()
        .zip(&idx)
        .filter(|(c, i)| c.required && i.is_none())
        .map(|(c, _)| c.zh)
        .collect();
    if !missing.is_empty() {
        return Err(header_error(
            file,
            format!(
                "missing column {} (headers found: {})",
                missing.join(", "),
                headers.join(", ")
            ),
        ));
    }
    Ok(Columns { idx, headers })
}

fn header_error(file: &str, message: String) -> MeterError {
    MeterError {
        file: file.into(),
        row: Some(1),
        column: None,
        value: None,
        message,
        unreadable: false,
    }
}

impl MeterData {
    /// Free the per-row columns (meter, time stamp, reading, kWh) once the series are worked
    /// out; the per-meter columns and the counts stay.
    pub fn drop_rows(&mut self) {
        self.meter = Vec::new();
        self.ts = Vec::new();
        self.reading = Vec::new();
        self.kwh = Vec::new();
    }

    fn push(
        &mut self,
        ids: &mut HashMap<String, u32>,
        cells: [&str; 5],
        ts: i64,
        reading: f64,
        kwh: f64,
    ) {
        let last = self.meter.last().copied();
        let cached = last.filter(|&m| self.meters[m as usize] == cells[0]);
        let m = match cached.or_else(|| ids.get(cells[0]).copied()) {
            Some(m) => m,
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
    let bad = |k: usize, msg: &str| cols.bad(file, row, k, cells[k], msg);
    if cells[0].is_empty() {
        return Err(bad(0, "meter id is empty"));
    }
    let ts = time::parse(cells[2]).map_err(|e| bad(2, &e.to_string()))?;
    let num = |k: usize| -> Result<f64, MeterError> {
        if cells[k].is_empty() {
            return Ok(f64::NAN);
        }
        match super::evidence::number(cells[k]) {
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
    let mut data = MeterData::default();
    let mut ids: HashMap<String, u32> = HashMap::new();
    stream_rows(
        path,
        &METERS,
        &KEYS,
        |cols| {
            if cols.idx[3].is_none() && cols.idx[4].is_none() {
                return Err(header_error(&file, format!(
                    "needs a register column (表码 / reading) or an interval column (区间电量 / kwh); headers found: {}",
                    cols.headers.join(", ")
                )));
            }
            Ok(())
        },
        |cols, row, cells| {
            let cells = [cells[0], cells[1], cells[2], cells[3], cells[4]];
            let (ts, reading, kwh) = parse_row(&file, cols, row, cells)?;
            data.rows_read += 1;
            data.last_ts = Some(data.last_ts.map_or(ts, |l| l.max(ts)));
            if span.is_none_or(|(a, b)| ts >= a && ts <= b) {
                data.push(&mut ids, cells, ts, reading, kwh);
            }
            Ok(())
        },
    )?;
    Ok(data)
}

/// Most keys [`stream_rows`] reads from one table.
const MAX_KEYS: usize = 8;

/// Stream the rows of an evidence table (CSV row by row, or Parquet): match the headers to
/// `keys` of `spec` (then `check` the matched columns), hand every non-empty row's cells (trimmed,
/// in key order, empty for absent columns) with its row number (header = 1) to `each`. A file
/// with a header but no data rows is an error (an audit of nothing proves nothing).
pub fn stream_rows(
    path: &Path,
    spec: &'static TableSpec,
    keys: &[&str],
    check: impl FnOnce(&Columns) -> Result<(), MeterError>,
    mut each: impl FnMut(&Columns, usize, &[&str]) -> Result<(), MeterError>,
) -> Result<usize, MeterError> {
    let file = crate::io::table::display(path);
    let is_parquet = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    let io_err = |m: String| MeterError {
        file: file.clone(),
        row: None,
        column: None,
        value: None,
        message: m,
        unreadable: false,
    };
    let unreadable = |m: String| MeterError {
        unreadable: true,
        ..io_err(m)
    };
    let mut rows = 0usize;
    if is_parquet {
        let table = crate::io::parquet::read_parquet(path).map_err(|e| match e {
            crate::io::IoError::Read { .. } => unreadable(e.to_string()),
            e => io_err(e.to_string()),
        })?;
        let cols = columns(&file, spec, keys, table.headers.clone())?;
        check(&cols)?;
        for r in &table.rows {
            let cells: Vec<&str> = cols
                .idx
                .iter()
                .map(|i| i.and_then(|i| r.cells.get(i)).map_or("", String::as_str))
                .collect();
            each(&cols, r.row, &cells)?;
            rows += 1;
        }
        return no_rows(rows, &io_err);
    }
    let source = CsvSource::open(path).map_err(|e| match e {
        crate::io::IoError::Read { .. } => unreadable(e.to_string()),
        e => io_err(e.to_string()),
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(source.delimiter)
        .from_reader(source.reader);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| io_err(format!("not valid CSV: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(io_err("is empty: it has no header row and no data".into()));
    }
    let cols = columns(&file, spec, keys, headers)?;
    check(&cols)?;
    assert!(keys.len() <= MAX_KEYS, "at most {MAX_KEYS} keys");
    let mut rec = csv::ByteRecord::new();
    let mut row = 1;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(MeterError {
                    row: e.position().map(|p| p.line() as usize),
                    ..io_err(format!("not valid CSV: {e}"))
                })
            }
        }
        let Some(text) = record_text(&rec) else {
            return Err(utf8_error(&rec, &io_err));
        };
        row += 1;
        // Every cell blank (the fields side by side are whitespace only).
        if text.chars().all(char::is_whitespace) {
            continue;
        }
        let mut cells = [""; MAX_KEYS];
        for (cell, i) in cells.iter_mut().zip(&cols.idx) {
            *cell = i
                .and_then(|i| rec.range(i))
                .map_or("", |r| super::evidence::trim(&text[r]));
        }
        each(&cols, row, &cells[..cols.idx.len()])?;
        rows += 1;
    }
    no_rows(rows, &io_err)
}

/// The fields of a record side by side as text, when every field is UTF-8 (the whole is, and
/// every field starts on a character).
fn record_text(rec: &csv::ByteRecord) -> Option<&str> {
    let text = std::str::from_utf8(rec.as_slice()).ok()?;
    (0..rec.len())
        .all(|i| rec.range(i).is_some_and(|r| text.is_char_boundary(r.start)))
        .then_some(text)
}

/// The error of a record that is not UTF-8, worded as the CSV reader's own (the first field
/// that is not, and how far it is).
fn utf8_error(rec: &csv::ByteRecord, io_err: &dyn Fn(String) -> MeterError) -> MeterError {
    let (field, valid_up_to) = rec
        .iter()
        .enumerate()
        .find_map(|(i, f)| std::str::from_utf8(f).err().map(|e| (i, e.valid_up_to())))
        .unwrap_or((0, 0));
    let pos = rec.position().cloned().unwrap_or_else(csv::Position::new);
    MeterError {
        row: Some(pos.line() as usize),
        ..io_err(format!(
            "not valid CSV: CSV parse error: record {} (line {}, field: {}, byte: {}): invalid utf-8: invalid UTF-8 in field {field} near byte index {valid_up_to}",
            pos.record(),
            pos.line(),
            field,
            pos.byte()
        ))
    }
}

/// A file with a header but no data rows is an error (an audit of nothing proves nothing).
fn no_rows(rows: usize, io_err: &dyn Fn(String) -> MeterError) -> Result<usize, MeterError> {
    if rows == 0 {
        return Err(io_err("has a header but no data rows".into()));
    }
    Ok(rows)
}

/// Bytes of a meter CSV ready for the CSV reader: UTF-8 files are streamed; UTF-16 and
/// GBK/GB18030 files are decoded whole by the inventory reader's decoder. The delimiter
/// (`,` `;` or tab) is found from the header line as for inventory tables.
struct CsvSource {
    reader: Box<dyn std::io::Read>,
    delimiter: u8,
}

impl CsvSource {
    /// Open a meter CSV, sniffing its encoding and delimiter from the first bytes.
    fn open(path: &Path) -> Result<CsvSource, crate::io::IoError> {
        use std::io::{BufRead, Read};
        let file = crate::io::table::display(path);
        let read_err = |source| crate::io::IoError::Read {
            file: file.clone(),
            source,
        };
        let f = std::fs::File::open(path).map_err(read_err)?;
        let mut buf = std::io::BufReader::with_capacity(1 << 20, f);
        let capacity = buf.capacity();
        let head = buf.fill_buf().map_err(read_err)?;
        let utf16 = head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF");
        let head_utf8 = match std::str::from_utf8(head) {
            Ok(_) => true,
            // A character cut at the end of the buffer is still UTF-8.
            Err(e) => e.error_len().is_none() && head.len() == capacity,
        };
        if head_utf8 && !utf16 {
            let first = String::from_utf8_lossy(head.split(|&b| b == b'\n').next().unwrap_or(&[]))
                .into_owned();
            return Ok(CsvSource {
                delimiter: crate::io::table::sniff_delimiter(&first),
                reader: Box::new(buf),
            });
        }
        let mut bytes = Vec::new();
        buf.read_to_end(&mut bytes).map_err(read_err)?;
        let (text, _) = crate::io::encoding::decode(&bytes)
            .map_err(|message| crate::io::IoError::Format { file, message })?;
        let delimiter = crate::io::table::sniff_delimiter(text.lines().next().unwrap_or(""));
        Ok(CsvSource {
            delimiter,
            reader: Box::new(std::io::Cursor::new(text.into_bytes())),
        })
    }
}
