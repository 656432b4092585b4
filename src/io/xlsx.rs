//! Workbooks (xlsx / xls / ods) through calamine.

use super::table::{display, RawTable};
use super::IoError;
use calamine::{open_workbook_auto, Data, Reader};
use std::path::Path;

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
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(format!("{e}")),
    })
}

/// Names of the sheets in a workbook.
pub fn sheet_names(path: &Path) -> Result<Vec<String>, IoError> {
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

/// Read one sheet. Merged cells inside the data are refused (they hide values from all but one row).
pub fn read_sheet(path: &Path, sheet: &str) -> Result<RawTable, IoError> {
    let file = display(path);
    let source = format!("{file}[{sheet}]");
    let fmt_err = |message: String| IoError::Format {
        file: source.clone(),
        message,
    };
    let mut wb = open_workbook_auto(path)
        .map_err(|e| fmt_err(format!("cannot be opened as a workbook: {e}")))?;
    let range = wb
        .worksheet_range(sheet)
        .map_err(|e| fmt_err(format!("cannot read sheet: {e}")))?;
    let Some((r0, c0)) = range.start() else {
        return Err(fmt_err("is empty: it has no header row and no data".into()));
    };
    let mut grid = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let rownum = r0 as usize + i + 1;
        let mut cells = Vec::with_capacity(row.len() + c0 as usize);
        cells.resize(c0 as usize, String::new());
        for (j, d) in row.iter().enumerate() {
            let text = cell_text(d).map_err(|e| {
                fmt_err(format!(
                    "row {rownum}, column {}: cell holds the Excel error {e}; fix the formula or type the value",
                    super::table::column_letter(c0 as usize + j)
                ))
            })?;
            cells.push(text);
        }
        grid.push((rownum, cells));
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
                super::table::column_letter(d.start.1 as usize),
                d.start.0 + 1,
                super::table::column_letter(d.end.1 as usize),
                d.end.0 + 1
            )));
        }
    }
    RawTable::from_grid(source, grid, Vec::new())
}

fn merged_regions(path: &Path, sheet: &str) -> Option<Vec<calamine::Dimensions>> {
    let ext = path.extension()?.to_str()?.to_lowercase();
    if ext != "xlsx" && ext != "xlsm" {
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
