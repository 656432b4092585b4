//! Workbooks (xlsx / xls / ods) through calamine.

use super::table::{check_size, column_letter, display, RawTable, Shape};
use super::IoError;
use calamine::{open_workbook_auto, Data, ExcelDateTime, Reader};
use std::path::Path;

/// A date or time as Excel shows it (`2021-01-01`, `2021-01-01 08:30:00`, `12:00:00`), so that a
/// date-formatted cell never passes for its serial number (44197).
fn date_text(dt: &ExcelDateTime) -> String {
    if dt.is_duration() {
        let secs = (dt.as_f64() * 86_400.0).round();
        if !secs.is_finite() || secs.abs() > 1e12 {
            return format!("{}", dt.as_f64());
        }
        let secs = secs as i64;
        let (sign, secs) = if secs < 0 { ("-", -secs) } else { ("", secs) };
        return format!(
            "{sign}{}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
    }
    let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
    if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

fn cell_text(d: &Data) -> Result<String, String> {
    Ok(match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                format!("{f}")
            }
        }
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) => date_text(dt),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(format!("{e}")),
    })
}

/// Names of the sheets in a workbook.
pub fn sheet_names(path: &Path) -> Result<Vec<String>, IoError> {
    check_size(path)?;
    let wb = open_workbook_auto(path).map_err(|e| IoError::Format {
        file: display(path),
        message: format!("cannot be opened as a workbook: {e}"),
    })?;
    Ok(wb.sheet_names())
}

/// Read the first sheet of a workbook; other sheets are noted and ignored.
pub fn read_first_sheet(path: &Path) -> Result<RawTable, IoError> {
    let names = sheet_names(path)?;
    let Some(first) = names.first() else {
        return Err(IoError::Format {
            file: display(path),
            message: "has no sheets".into(),
        });
    };
    let mut t = read_sheet(path, first)?;
    if names.len() > 1 {
        t.notes.push(format!(
            "read sheet '{first}'; ignored sheets: {}",
            names[1..].join(", ")
        ));
    }
    Ok(t)
}

fn is_xlsx(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
}

/// Collects a sheet's used cells, bounding its shape as it goes.
struct Collector<'s> {
    source: &'s str,
    shape: Shape,
    row: Option<u32>,
    width: usize,
    cells: Vec<(u32, u32, Data)>,
}

impl Collector<'_> {
    fn push(&mut self, r: u32, c: u32, d: Data) -> Result<(), String> {
        if matches!(d, Data::Empty) {
            return Ok(());
        }
        if self.row != Some(r) {
            self.finish_row()?;
            self.row = Some(r);
        }
        self.width = self.width.max(c as usize + 1);
        if self.width > super::table::MAX_COLUMNS {
            self.finish_row()?;
        }
        self.cells.push((r, c, d));
        Ok(())
    }

    fn finish_row(&mut self) -> Result<(), String> {
        if let Some(r) = self.row {
            self.shape
                .add(self.source, r as usize + 1, self.width)
                .map_err(|e| match e {
                    IoError::Format { message, .. } => message,
                    e => e.to_string(),
                })?;
        }
        self.width = 0;
        Ok(())
    }
}

/// The used cells of a sheet as `(row, column, value)`, 0-based. xlsx is streamed cell by cell
/// (so a sheet with two cells far apart does not allocate the rectangle between them); other
/// formats go through calamine's range.
fn sheet_cells(path: &Path, sheet: &str, source: &str) -> Result<Vec<(u32, u32, Data)>, String> {
    let mut col = Collector {
        source,
        shape: Shape::default(),
        row: None,
        width: 0,
        cells: Vec::new(),
    };
    if is_xlsx(path) {
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path)
            .map_err(|e| format!("cannot be opened as a workbook: {e}"))?;
        let mut reader = wb
            .worksheet_cells_reader(sheet)
            .map_err(|e| format!("cannot read sheet: {e}"))?;
        while let Some(cell) = reader
            .next_cell()
            .map_err(|e| format!("cannot read sheet: {e}"))?
        {
            let (r, c) = cell.get_position();
            col.push(r, c, Data::from(cell.get_value().clone()))?;
        }
    } else {
        let mut wb =
            open_workbook_auto(path).map_err(|e| format!("cannot be opened as a workbook: {e}"))?;
        let range = wb
            .worksheet_range(sheet)
            .map_err(|e| format!("cannot read sheet: {e}"))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, d) in range.used_cells() {
            col.push(r0 + r as u32, c0 + c as u32, d.clone())?;
        }
    }
    col.finish_row()?;
    Ok(col.cells)
}

/// Read one sheet. Merged cells inside the data are refused (they hide values from all but one row).
pub fn read_sheet(path: &Path, sheet: &str) -> Result<RawTable, IoError> {
    let file = display(path);
    let source = format!("{file}[{sheet}]");
    let fmt_err = |message: String| IoError::Format {
        file: source.clone(),
        message,
    };
    check_size(path)?;
    let mut cells = sheet_cells(path, sheet, &source).map_err(fmt_err)?;
    if cells.is_empty() {
        return Err(fmt_err("is empty: it has no header row and no data".into()));
    }
    cells.sort_by_key(|(r, c, _)| (*r, *c));
    let c0 = cells.iter().map(|(_, c, _)| *c).min().unwrap_or(0) as usize;
    let mut grid: Vec<(usize, Vec<String>)> = Vec::new();
    for (r, c, d) in &cells {
        let rownum = *r as usize + 1;
        let text = cell_text(d).map_err(|e| {
            fmt_err(format!(
                "row {rownum}, column {}: cell holds the Excel error {e}; fix the formula or type the value",
                column_letter(*c as usize)
            ))
        })?;
        if grid.last().is_none_or(|(row, _)| *row != rownum) {
            grid.push((rownum, Vec::new()));
        }
        let row = &mut grid.last_mut().expect("pushed").1;
        let at = *c as usize - c0;
        if row.len() <= at {
            row.resize(at + 1, String::new());
        }
        row[at] = text;
    }
    // Keep spreadsheet column letters: pad on the left to the first used column.
    if c0 > 0 {
        for (_, row) in &mut grid {
            row.splice(0..0, std::iter::repeat_n(String::new(), c0));
        }
    }
    let header_row = grid
        .iter()
        .find(|(_, c)| c.iter().any(|x| !x.trim().is_empty()))
        .map(|(r, _)| *r)
        .unwrap_or(1);
    if let Some(merged) = merged_regions(path, sheet) {
        if let Some(d) = merged.iter().find(|d| d.end.0 as usize + 1 > header_row) {
            return Err(fmt_err(format!(
                "has merged cells {}{}:{}{} below the header; unmerge them and fill the value into every row",
                column_letter(d.start.1 as usize),
                d.start.0 + 1,
                column_letter(d.end.1 as usize),
                d.end.0 + 1
            )));
        }
    }
    RawTable::from_grid(source, grid, Vec::new())
}

fn merged_regions(path: &Path, sheet: &str) -> Option<Vec<calamine::Dimensions>> {
    if !is_xlsx(path) {
        return None;
    }
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).ok()?;
    wb.merge_cells_by_sheet_name(sheet).ok()
}

/// A sheet as a grid of trimmed cell texts, merged regions filled from their top-left cell
/// (for layouts with title rows, two-row merged headers and merged enterprise cells).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// `file.xlsx[sheet]`, as shown in messages.
    pub source: String,
    /// Sheet name.
    pub sheet: String,
    /// Row `i` is sheet row `i + 1`; column `j` is column letter `j`; rows padded to one width.
    pub cells: Vec<Vec<String>>,
}

/// Read one sheet as a [`Grid`], filling every merged region with its top-left value.
pub fn read_grid(path: &Path, sheet: &str) -> Result<Grid, IoError> {
    let source = format!("{}[{sheet}]", display(path));
    let fmt_err = |message: String| IoError::Format {
        file: source.clone(),
        message,
    };
    let mut wb = open_workbook_auto(path)
        .map_err(|e| fmt_err(format!("cannot be opened as a workbook: {e}")))?;
    let range = wb
        .worksheet_range(sheet)
        .map_err(|e| fmt_err(format!("cannot read sheet: {e}")))?;
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let width = c0 as usize + range.width();
    let mut cells = vec![vec![String::new(); width]; r0 as usize];
    for (i, row) in range.rows().enumerate() {
        let mut out = vec![String::new(); width];
        for (j, d) in row.iter().enumerate() {
            out[c0 as usize + j] = cell_text(d)
                .map_err(|e| {
                    fmt_err(format!(
                        "row {}, column {}: cell holds the Excel error {e}; fix the formula or type the value",
                        r0 as usize + i + 1,
                        super::table::column_letter(c0 as usize + j)
                    ))
                })?
                .trim()
                .to_string();
        }
        cells.push(out);
    }
    for d in merged_regions(path, sheet).unwrap_or_default() {
        let (top, left) = (d.start.0 as usize, d.start.1 as usize);
        let value = cells
            .get(top)
            .and_then(|r| r.get(left))
            .cloned()
            .unwrap_or_default();
        for row in cells.iter_mut().take(d.end.0 as usize + 1).skip(top) {
            for cell in row.iter_mut().take(d.end.1 as usize + 1).skip(left) {
                *cell = value.clone();
            }
        }
    }
    Ok(Grid {
        source,
        sheet: sheet.to_string(),
        cells,
    })
}
