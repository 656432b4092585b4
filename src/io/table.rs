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

/// Largest table file read (2 GiB): a city's inventory is a few hundred MB at most, and a table
/// is held in memory while it is validated.
pub const MAX_TABLE_BYTES: u64 = 2 << 30;
/// Longest record (row) of a CSV file, 1 MiB: no row of these tables comes near it; a longer one is
/// a file without line breaks, a binary file or an unclosed quote.
pub const MAX_RECORD_BYTES: usize = 1 << 20;
/// Most columns a table may have (Excel allows 16,384; the widest table has 20).
pub const MAX_COLUMNS: usize = 1024;
/// Most rows a table may have (Excel allows 1,048,576 per sheet).
pub const MAX_ROWS: usize = 10_000_000;
/// Most cells a table may have, counting every row at the header's width (a province's lines table
/// has some 20 million).
pub const MAX_CELLS: usize = 100_000_000;

/// The size limits of a table, as the schema document states them.
pub fn limits_doc() -> String {
    format!(
        "A table file may be at most {} GiB, have at most {} columns, {} rows and {} cells, and a CSV \
         row may be at most {} MiB long. Excel error values (#DIV/0!) and date-formatted cells in \
         number columns are refused. Numbers must lie in the column's range (`limits`), texts may not be \
         longer than stated and may not hold control characters (tabs and line breaks only in free \
         text such as notes).\n",
        MAX_TABLE_BYTES >> 30,
        MAX_COLUMNS,
        MAX_ROWS,
        MAX_CELLS,
        MAX_RECORD_BYTES >> 20
    )
}

/// Refuse a file larger than [`MAX_TABLE_BYTES`] before reading it.
pub fn check_size(path: &Path) -> Result<(), IoError> {
    let file = display(path);
    let len = std::fs::metadata(path)
        .map_err(|source| IoError::Read {
            file: file.clone(),
            source,
        })?
        .len();
    if len > MAX_TABLE_BYTES {
        return Err(IoError::Format {
            file,
            message: format!(
                "is {len} bytes; a table may be at most {} GiB — split it or remove what is not inventory",
                MAX_TABLE_BYTES >> 30
            ),
        });
    }
    Ok(())
}

/// Read a CSV file in UTF-8, UTF-16 or GBK/GB18030; `,` `;` or tab separated.
pub fn read_csv(path: &Path) -> Result<RawTable, IoError> {
    let (file, text, notes) = read_csv_text(path)?;
    let mut t = csv_from_str(&file, &text)?;
    t.notes.extend(notes);
    Ok(t)
}

/// Non-empty rows of a sheet or CSV file as `(spreadsheet row number, cells)`.
pub type GridRows = Vec<(usize, Vec<String>)>;

/// Read a CSV file as a grid of `(row number, cells)` (no header chosen yet), with the notes
/// on its encoding: for exports whose table starts below title rows. Returns the file name
/// shown in messages, the rows and the notes.
pub fn read_csv_grid(path: &Path) -> Result<(String, GridRows, Vec<String>), IoError> {
    let (file, text, notes) = read_csv_text(path)?;
    let grid = csv_grid(&file, &text)?;
    Ok((file, grid, notes))
}

/// The decoded text of a CSV file, with a note on its encoding when it is not UTF-8.
fn read_csv_text(path: &Path) -> Result<(String, String, Vec<String>), IoError> {
    let file = display(path);
    check_size(path)?;
    let bytes = std::fs::read(path).map_err(|source| IoError::Read {
        file: file.clone(),
        source,
    })?;
    let (text, enc) = encoding::decode_owned(bytes).map_err(|message| IoError::Format {
        file: file.clone(),
        message,
    })?;
    let notes = match enc {
        encoding::TextEncoding::Utf8 => vec![],
        encoding::TextEncoding::Utf16 => vec!["read as UTF-16 text".into()],
        encoding::TextEncoding::Gb18030 => vec!["read as GBK/GB18030 (Chinese Excel CSV)".into()],
    };
    Ok((file, text, notes))
}

/// Refuse a text with a record longer than [`MAX_RECORD_BYTES`] (quotes taken into account), before
/// the CSV parser buffers it.
fn check_record_lengths(source: &str, text: &str) -> Result<(), IoError> {
    let mut in_quotes = false;
    let mut start = 0usize;
    let mut line = 1usize;
    let mut start_line = 1usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' => {
                line += 1;
                if !in_quotes {
                    start = i + 1;
                    start_line = line;
                }
            }
            _ => {}
        }
        if i.saturating_sub(start) > MAX_RECORD_BYTES {
            return Err(IoError::Format {
                file: source.to_string(),
                message: format!(
                    "row {start_line} is longer than {} MiB{}: is it a file without line breaks, a \
                     binary file, or a quote (\") that is never closed?",
                    MAX_RECORD_BYTES >> 20,
                    if in_quotes { " (inside a quoted cell)" } else { "" }
                ),
            });
        }
    }
    Ok(())
}

/// The delimiter of a CSV file from its header line: the most frequent of `,`, tab and `;`.
pub fn sniff_delimiter(first_line: &str) -> u8 {
    [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| first_line.matches(*d as char).count())
        .unwrap_or(b',')
}

/// Parse CSV text (already decoded) into a raw table.
pub fn csv_from_str(source: &str, text: &str) -> Result<RawTable, IoError> {
    RawTable::from_grid(source.to_string(), csv_grid(source, text)?, Vec::new())
}

/// Parse CSV text (already decoded) into non-empty rows with their spreadsheet row numbers. The
/// delimiter is the most frequent of `,`, tab and `;` in the first line, or in the first ten
/// when the first holds none (a title row above the table).
pub fn csv_grid(source: &str, text: &str) -> Result<GridRows, IoError> {
    let file = source.to_string();
    check_record_lengths(source, text)?;
    // Excel writes CRLF; count rows on LF only so that row numbers match the spreadsheet.
    let text: std::borrow::Cow<str> = if text.contains('\r') {
        text.replace("\r\n", "\n").into()
    } else {
        text.into()
    };
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.contains([',', '\t', ';']) {
        sniff_delimiter(first)
    } else {
        sniff_delimiter(&text.lines().take(10).collect::<Vec<_>>().join("\n"))
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    let mut shape = Shape::default();
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
        if rec.len() > MAX_COLUMNS {
            shape.add(&file, line, rec.len())?;
        }
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        shape.add(&file, line, rec.len())?;
        // Undo the quote our CSV writers put before formula-like text (see `cells`).
        grid.push((
            line,
            rec.iter()
                .map(|c| super::cells::restore(c).into_owned())
                .collect(),
        ));
    }
    Ok(grid)
}

/// Counts the rows and cells of a table as it is read, refusing more than [`MAX_COLUMNS`] columns,
/// [`MAX_ROWS`] rows or [`MAX_CELLS`] cells (every row is padded to the header's width).
#[derive(Debug, Default)]
pub struct Shape {
    rows: usize,
    cells: usize,
    width: Option<usize>,
}

impl Shape {
    /// Account for one non-empty row of `cells` cells at spreadsheet row `row`.
    pub fn add(&mut self, file: &str, row: usize, cells: usize) -> Result<(), IoError> {
        let err = |message: String| IoError::Format {
            file: file.to_string(),
            message,
        };
        if cells > MAX_COLUMNS {
            return Err(err(format!(
                "row {row} has {cells} cells; a table may have at most {MAX_COLUMNS} columns"
            )));
        }
        let width = *self.width.get_or_insert(cells);
        self.rows += 1;
        self.cells += cells.max(width);
        if self.rows > MAX_ROWS || self.cells > MAX_CELLS {
            return Err(err(format!(
                "has more than {MAX_ROWS} rows or {MAX_CELLS} cells (at row {row}); split the table"
            )));
        }
        Ok(())
    }
}

/// Read any supported table file by its extension.
pub fn read_table(path: &Path) -> Result<RawTable, IoError> {
    // A missing or unreadable path is a file that cannot be read (exit 7), whatever its name.
    if let Err(source) = std::fs::metadata(path) {
        return Err(IoError::Read {
            file: display(path),
            source,
        });
    }
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
    fn bounded_records_and_columns() {
        let long = format!("a,b\n{}\n", "x".repeat(MAX_RECORD_BYTES + 10));
        let e = csv_from_str("t.csv", &long).unwrap_err().to_string();
        assert!(e.contains("row 2 is longer than 1 MiB"), "{e}");
        let open_quote = format!("a,b\n\"{}\n", "x\n".repeat(MAX_RECORD_BYTES));
        let e = csv_from_str("t.csv", &open_quote).unwrap_err().to_string();
        assert!(e.contains("inside a quoted cell"), "{e}");
        let wide = format!("{}\n", ",".repeat(MAX_COLUMNS + 1));
        let e = csv_from_str("t.csv", &wide).unwrap_err().to_string();
        assert!(e.contains("at most 1024 columns"), "{e}");
        let ok = "a,b\n\"x\ny\",2\n";
        assert_eq!(csv_from_str("t.csv", ok).unwrap().rows[0].row, 2);
    }

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }
}
