//! Parquet through polars (read into raw tables; write string tables for tests and exports).

use super::table::{display, RawRow, RawTable, MAX_CELLS, MAX_COLUMNS, MAX_ROWS};
use super::IoError;
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;

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
///
/// Once [`isolate_with`] has named a reader program (the `jianpai` binary does so at start), the
/// file is decoded in a child process, so that a damaged file that makes polars abort (it
/// allocates what a corrupted length field claims, and an allocation failure cannot be caught)
/// ends as a clean error instead of taking the whole run down. Without one (library use), the
/// read runs in this process under [`guarded`].
pub fn read_parquet(path: &Path) -> Result<RawTable, IoError> {
    match READER.get() {
        Some(exe) => read_in_child(exe, path),
        None => guarded(path, || read_parquet_unguarded(path)),
    }
}

/// The program that reads Parquet files in a child process: it must run [`child_main`] when
/// called with [`CHILD_ARG`] and a file. Only the first call counts.
pub fn isolate_with(exe: PathBuf) {
    let _ = READER.set(exe);
}

/// First argument that makes the `jianpai` binary act as the Parquet reader child.
pub const CHILD_ARG: &str = "__read-parquet";

static READER: OnceLock<PathBuf> = OnceLock::new();

/// What the reader child prints on stdout (JSON).
#[derive(Serialize, Deserialize)]
enum ChildReply {
    Table {
        headers: Vec<String>,
        rows: Vec<(usize, Vec<String>)>,
    },
    Format(String),
    Read(String),
}

/// The reader child: read `path` and print the table or the error as one JSON reply. The exit
/// code is 0 whenever a reply was printed; a crash shows as anything else.
pub fn child_main(path: &Path) -> i32 {
    let reply = match read_parquet_unguarded(path) {
        Ok(t) => ChildReply::Table {
            headers: t.headers,
            rows: t.rows.into_iter().map(|r| (r.row, r.cells)).collect(),
        },
        Err(IoError::Format { message, .. }) => ChildReply::Format(message),
        // The parent names the file again: only the cause travels.
        Err(IoError::Read { source, .. }) => ChildReply::Read(source.to_string()),
        Err(e) => ChildReply::Format(e.to_string()),
    };
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut out, &reply).is_ok() && out.flush().is_ok();
    i32::from(!written)
}

fn damaged(path: &Path) -> IoError {
    IoError::Format {
        file: display(path),
        message: "is a damaged Parquet file (its pages cannot be decoded); export it again".into(),
    }
}

fn read_in_child(exe: &Path, path: &Path) -> Result<RawTable, IoError> {
    let file = display(path);
    // Errors the parent can name itself (missing file, no permission, too large) stay precise.
    super::table::check_size(path)?;
    std::fs::File::open(path).map_err(|source| IoError::Read {
        file: file.clone(),
        source,
    })?;
    let output = std::process::Command::new(exe)
        .arg(CHILD_ARG)
        .arg(path)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    let Ok(output) = output else {
        // The reader program could not be started: read here, as a library would.
        return guarded(path, || read_parquet_unguarded(path));
    };
    if !output.status.success() {
        return Err(damaged(path));
    }
    match serde_json::from_slice::<ChildReply>(&output.stdout) {
        Ok(ChildReply::Table { headers, rows }) => Ok(RawTable {
            source: file,
            headers,
            rows: rows
                .into_iter()
                .map(|(row, cells)| RawRow { row, cells })
                .collect(),
            notes: Vec::new(),
        }),
        Ok(ChildReply::Format(message)) => Err(IoError::Format { file, message }),
        Ok(ChildReply::Read(message)) => Err(IoError::Read {
            file,
            source: std::io::Error::other(message),
        }),
        Err(_) => Err(damaged(path)),
    }
}

/// polars 0.55 panics (on its worker threads, asserting in bitmap slicing and dictionary decoding)
/// on some damaged Parquet pages instead of returning an error. The read runs under
/// `catch_unwind` with the panic message kept off the terminal, and such a panic becomes a clean
/// format error naming the file. (Any other panic while a read is under way is also kept quiet,
/// but still ends as this error: nothing is lost but a message.)
fn guarded<T>(path: &Path, read: impl FnOnce() -> Result<T, IoError>) -> Result<T, IoError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static HOOK: std::sync::Once = std::sync::Once::new();
    static QUIET: AtomicUsize = AtomicUsize::new(0);
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.load(Ordering::SeqCst) == 0 {
                previous(info);
            }
        }));
    });
    QUIET.fetch_add(1, Ordering::SeqCst);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    QUIET.fetch_sub(1, Ordering::SeqCst);
    result.unwrap_or_else(|_| Err(damaged(path)))
}

fn read_parquet_unguarded(path: &Path) -> Result<RawTable, IoError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A stand-in reader program: a shell script with the given body.
    fn reader(dir: &Path, body: &str) -> PathBuf {
        let exe = dir.join("reader.sh");
        std::fs::write(&exe, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        exe
    }

    fn table(dir: &Path) -> PathBuf {
        let p = dir.join("t.parquet");
        write_string_parquet(&p, &["a", "b"], &[vec!["1".into(), "2".into()]]).unwrap();
        p
    }

    #[test]
    fn a_reader_that_aborts_or_prints_garbage_is_a_damaged_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = table(dir.path());
        for body in ["kill -ABRT $$", "exit 3", "echo '{not json'"] {
            let e = read_in_child(&reader(dir.path(), body), &file).unwrap_err();
            assert!(
                e.to_string().contains("is a damaged Parquet file"),
                "{body}: {e}"
            );
        }
    }

    #[test]
    fn the_reader_reply_becomes_the_table_or_its_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = table(dir.path());
        let exe = reader(
            dir.path(),
            r#"echo '{"Table":{"headers":["a","b"],"rows":[[2,["1","2"]]]}}'"#,
        );
        let t = read_in_child(&exe, &file).unwrap();
        assert_eq!(t, guarded(&file, || read_parquet_unguarded(&file)).unwrap());
        let exe = reader(dir.path(), r#"echo '{"Format":"has no columns"}'"#);
        let e = read_in_child(&exe, &file).unwrap_err();
        assert_eq!(e.to_string(), format!("{}: has no columns", display(&file)));
        // A read error's cause, with the file named once.
        let exe = reader(dir.path(), r#"echo '{"Read":"permission denied"}'"#);
        let e = read_in_child(&exe, &file).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}: cannot read: permission denied", display(&file))
        );
        // What the parent can see itself is named precisely, without starting the reader.
        let e = read_in_child(&exe, &dir.path().join("missing.parquet")).unwrap_err();
        assert!(matches!(e, IoError::Read { .. }), "{e}");
    }
}
