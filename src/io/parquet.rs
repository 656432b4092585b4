//! Parquet through polars (read into raw tables; write string tables for tests and exports).

use super::table::{display, RawRow, RawTable, MAX_CELLS, MAX_COLUMNS, MAX_ROWS};
use super::IoError;
use polars::prelude::*;
use std::path::Path;

/// Whether a Parquet column of this type can be read as text with the polars features this tool is
/// built with: strings, booleans, 32- and 64-bit integers, floats and time stamps. Anything else
/// (decimals, 8- and 16-bit integers, dates, nested lists, structs, dictionaries, binary, times of
/// day) is refused by name before any data is read — polars would panic on several of them.
fn readable(dtype: &ArrowDataType) -> bool {
    use ArrowDataType as A;
    matches!(
        dtype,
        A::Null
            | A::Boolean
            | A::Int32
            | A::Int64
            | A::UInt32
            | A::UInt64
            | A::Float32
            | A::Float64
            | A::Utf8
            | A::LargeUtf8
            | A::Utf8View
            | A::Date64
            | A::Timestamp(..)
    )
}

/// What to export instead of a column type we do not read.
fn convert_hint(dtype: &ArrowDataType) -> &'static str {
    use ArrowDataType as A;
    match dtype {
        A::Decimal(..) | A::Decimal32(..) | A::Decimal64(..) | A::Decimal256(..) => {
            "export decimals as float64 (double) or as text"
        }
        A::Int8 | A::Int16 | A::UInt8 | A::UInt16 | A::Float16 | A::Int128 | A::UInt128 => {
            "export whole numbers as int32/int64 and decimals as float64"
        }
        A::Date32 | A::Time32(_) | A::Time64(_) | A::Duration(_) | A::Interval(_) => {
            "numbers must be numbers; export dates as text or time stamps"
        }
        _ => "export it as text, a number or a time stamp",
    }
}

/// Read a Parquet file; every column is cast to text at the edge and validated like CSV cells.
/// Columns of types we cannot read are refused by name (see [`readable`]).
pub fn read_parquet(path: &Path) -> Result<RawTable, IoError> {
    let file = display(path);
    let fmt_err = |e: PolarsError| IoError::Format {
        file: file.clone(),
        message: format!("is not a readable Parquet file: {e}"),
    };
    super::table::check_size(path)?;
    let f = std::fs::File::open(path).map_err(|source| IoError::Read {
        file: file.clone(),
        source,
    })?;
    let mut reader = ParquetReader::new(f);
    let schema = reader.schema().map_err(fmt_err)?;
    let rows = reader.num_rows().map_err(fmt_err)?;
    let width = schema.len();
    if width > MAX_COLUMNS || rows > MAX_ROWS || rows.saturating_mul(width) > MAX_CELLS {
        return Err(IoError::Format {
            file,
            message: format!(
                "has {rows} rows × {width} columns; a table may have at most {MAX_ROWS} rows, \
                 {MAX_COLUMNS} columns and {MAX_CELLS} cells"
            ),
        });
    }
    if let Some(field) = schema.iter_values().find(|f| !readable(&f.dtype)) {
        return Err(IoError::Format {
            file,
            message: format!(
                "column '{}' has the Parquet type {:?}, which is not read: {}",
                field.name,
                field.dtype,
                convert_hint(&field.dtype)
            ),
        });
    }
    let df = reader.finish().map_err(fmt_err)?;
    let headers: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    if headers.is_empty() {
        return Err(IoError::Format {
            file,
            message: "is empty: it has no columns".into(),
        });
    }
    let mut columns = Vec::with_capacity(headers.len());
    for col in df.columns() {
        let s = col
            .as_materialized_series()
            .cast(&DataType::String)
            .map_err(|e| IoError::Format {
                file: file.clone(),
                message: format!(
                    "column '{}' of type {} cannot be read as text: {e}",
                    col.name(),
                    col.dtype()
                ),
            })?;
        let ca = s.str().map_err(fmt_err)?.clone();
        columns.push(ca);
    }
    let rows = (0..df.height())
        .map(|i| RawRow {
            row: i + 2,
            cells: columns
                .iter()
                .map(|c| c.get(i).unwrap_or("").trim().to_string())
                .collect(),
        })
        .filter(|r| r.cells.iter().any(|c| !c.is_empty()))
        .collect();
    Ok(RawTable {
        source: file,
        headers,
        rows,
        notes: Vec::new(),
    })
}

/// Write a table of text columns as Parquet (columns typed as strings).
pub fn write_string_parquet(
    path: &Path,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<(), IoError> {
    let file = display(path);
    let err = |e: PolarsError| IoError::Format {
        file: file.clone(),
        message: format!("cannot write Parquet: {e}"),
    };
    let cols: Vec<Column> = headers
        .iter()
        .enumerate()
        .map(|(j, h)| {
            Column::new(
                (*h).into(),
                rows.iter().map(|r| r[j].as_str()).collect::<Vec<_>>(),
            )
        })
        .collect();
    let mut df = DataFrame::new(rows.len(), cols).map_err(err)?;
    super::atomic::write_with(path, |w| {
        ParquetWriter::new(w)
            .finish(&mut df)
            .map(|_| ())
            .map_err(std::io::Error::other)
    })
}
