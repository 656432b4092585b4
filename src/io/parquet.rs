//! Parquet through polars (read into raw tables; write string tables for tests and exports).

use super::table::{display, RawRow, RawTable};
use super::IoError;
use polars::prelude::*;
use std::path::Path;

/// Read a Parquet file; every column is cast to text and validated like CSV cells.
pub fn read_parquet(path: &Path) -> Result<RawTable, IoError> {
    let file = display(path);
    let fmt_err = |e: PolarsError| IoError::Format {
        file: file.clone(),
        message: format!("is not a readable Parquet file: {e}"),
    };
    let f = std::fs::File::open(path).map_err(|source| IoError::Read {
        file: file.clone(),
        source,
    })?;
    let df = ParquetReader::new(f).finish().map_err(fmt_err)?;
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
            .map_err(fmt_err)?;
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
