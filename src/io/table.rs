//! Raw tables: a header row and rows of cell strings, with the positions users see.

use super::{encoding, IoError};
use std::path::Path;

/// One data row with its 1-based row number as shown in a spreadsheet (header = row 1).
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    /// Row number the user sees.
    pub row: usize,
    /// Cell texts, trimmed, one per header column (missing cells are empty).
    pub cells: Vec<String>,
}

/// A table read from a file, before any cell is interpreted.
#[derive(Debug, Clone, PartialEq)]
pub struct RawTable {
    /// File name shown in messages (with the sheet for workbooks: `data.xlsx[企业]`).
    pub source: String,
    /// Header cells, trimmed.
    pub headers: Vec<String>,
    /// Data rows (fully empty rows are dropped).
    pub rows: Vec<RawRow>,
    /// Notes about the file itself (encoding used, sheets ignored), shown as warnings.
    pub notes: Vec<String>,
}

impl RawTable {
    /// Build from a grid of cells whose first non-empty row is the header.
    pub fn from_grid(
        source: String,
        grid: Vec<(usize, Vec<String>)>,
        notes: Vec<String>,
    ) -> Result<Self, IoError> {
        let mut it = grid
            .into_iter()
            .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
        let Some((_, header)) = it.next() else {
            return Err(IoError::Format {
                file: source,
                message: "is empty: it has no header row and no data".into(),
            });
        };
        let headers: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        let width = headers.len();
        let rows = it
            .map(|(row, mut cells)| {
                cells.resize(width.max(cells.len()), String::new());
                RawRow {
                    row,
                    cells: cells.into_iter().map(|c| c.trim().to_string()).collect(),
                }
            })
            .collect();
        Ok(RawTable {
            source,
            headers,
            rows,
            notes,
        })
    }
}

/// Column letters as in a spreadsheet (0 → A, 26 → AA).
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

/// Read a CSV file in UTF-8, UTF-16 or GBK/GB18030; `,` `;` or tab separated.
pub fn read_csv(path: &Path) -> Result<RawTable, IoError> {
    let file = display(path);
    let bytes = std::fs::read(path).map_err(|source| IoError::Read {
        file: file.clone(),
        source,
    })?;
    let (text, enc) = encoding::decode(&bytes).map_err(|message| IoError::Format {
        file: file.clone(),
        message,
    })?;
    let mut t = csv_from_str(&file, &text)?;
    match enc {
        encoding::TextEncoding::Utf8 => {}
        encoding::TextEncoding::Utf16 => t.notes.push("read as UTF-16 text".into()),
        encoding::TextEncoding::Gb18030 => t
            .notes
            .push("read as GBK/GB18030 (Chinese Excel CSV)".into()),
    }
    Ok(t)
}

/// Parse CSV text (already decoded) into a raw table.
pub fn csv_from_str(source: &str, text: &str) -> Result<RawTable, IoError> {
    let file = source.to_string();
    // Excel writes CRLF; count rows on LF only so that row numbers match the spreadsheet.
    let text = text.replace("\r\n", "\n");
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| first_line.matches(*d as char).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    // Spreadsheet rows: a quoted cell with line breaks is still one row.
    let mut embedded_breaks = 0usize;
    for rec in reader.records() {
        let rec = rec.map_err(|e| IoError::Format {
            file: file.clone(),
            message: format!(
                "is not valid CSV near line {}: {e}",
                e.position().map(|p| p.line()).unwrap_or(0)
            ),
        })?;
        let line = rec
            .position()
            .map(|p| p.line() as usize)
            .unwrap_or(grid.len() + 1)
            - embedded_breaks;
        embedded_breaks += rec.iter().map(|c| c.matches('\n').count()).sum::<usize>();
        // Undo the quote our CSV writers put before formula-like text (see `cells`).
        grid.push((
            line,
            rec.iter()
                .map(|c| super::cells::restore(c).into_owned())
                .collect(),
        ));
    }
    RawTable::from_grid(file, grid, Vec::new())
}

/// Read any supported table file by its extension.
pub fn read_table(path: &Path) -> Result<RawTable, IoError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_lowercase();
    match ext.as_str() {
        "csv" | "txt" | "tsv" => read_csv(path),
        "xlsx" | "xlsm" | "xls" | "ods" => super::xlsx::read_first_sheet(path),
        "parquet" | "pq" => super::parquet::read_parquet(path),
        _ => Err(IoError::Format {
            file: display(path),
            message: format!("has extension '.{ext}'; use .csv, .xlsx, .xls, .ods or .parquet"),
        }),
    }
}

/// Path as shown in messages.
pub fn display(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }
}
