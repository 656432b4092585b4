//! Locating a dataset's tables: a folder of files, single files named by table, or workbooks
//! with one sheet per table.

use super::schema::{TableSpec, TABLES};
use super::table::{display, read_table, RawTable};
use super::{xlsx, IoError};
use indexmap::IndexMap;
use std::path::{Path, PathBuf};

/// Where one table comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A whole file.
    File(PathBuf),
    /// One sheet of a workbook.
    Sheet(PathBuf, String),
}

impl Source {
    /// Read the table.
    pub fn read(&self) -> Result<RawTable, IoError> {
        match self {
            Source::File(p) => read_table(p),
            Source::Sheet(p, s) => xlsx::read_sheet(p, s),
        }
    }
}

const EXTENSIONS: [&str; 8] = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "ods", "parquet"];

/// The table a file stem or sheet names (`lines`, `生产线`), if any.
pub fn table_for(stem: &str) -> Option<&'static TableSpec> {
    let s = stem.trim().to_lowercase();
    TABLES.into_iter().find(|t| s == t.name || s == t.zh)
}

fn is_workbook(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_lowercase)
            .as_deref(),
        Some("xlsx" | "xlsm" | "xls" | "ods")
    )
}

/// Find the tables among the given folders and files.
pub fn locate(inputs: &[PathBuf]) -> Result<IndexMap<&'static str, Source>, IoError> {
    let mut found: IndexMap<&'static str, Source> = IndexMap::new();
    let mut add = |name: &'static str, src: Source| -> Result<(), IoError> {
        if let Some(prev) = found.get(name) {
            return Err(IoError::Format {
                file: describe(&src),
                message: format!(
                    "is a second '{name}' table (the first is {}); keep one",
                    describe(prev)
                ),
            });
        }
        found.insert(name, src);
        Ok(())
    };
    for input in inputs {
        if input.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(input)
                .map_err(|source| IoError::Read {
                    file: display(input),
                    source,
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            for p in entries {
                let ext = p
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or("")
                    .to_lowercase();
                if !EXTENSIONS.contains(&ext.as_str()) {
                    continue;
                }
                let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                if let Some(t) = table_for(stem) {
                    add(t.name, Source::File(p))?;
                }
            }
        } else if input.is_file() {
            let stem = input.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            if let Some(t) = table_for(stem) {
                add(t.name, Source::File(input.clone()))?;
            } else if is_workbook(input) {
                let mut any = false;
                for sheet in xlsx::sheet_names(input)? {
                    if let Some(t) = table_for(&sheet) {
                        add(t.name, Source::Sheet(input.clone(), sheet))?;
                        any = true;
                    }
                }
                if !any {
                    return Err(IoError::Format {
                        file: display(input),
                        message: format!("has no sheet named after a table ({})", table_names()),
                    });
                }
            } else {
                return Err(IoError::Format {
                    file: display(input),
                    message: format!(
                        "cannot tell which table this is: name the file after a table ({})",
                        table_names()
                    ),
                });
            }
        } else {
            return Err(IoError::Read {
                file: display(input),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            });
        }
    }
    Ok(found)
}

fn table_names() -> String {
    TABLES
        .iter()
        .map(|t| format!("{}/{}", t.name, t.zh))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Describe a source for messages.
pub fn describe(s: &Source) -> String {
    match s {
        Source::File(p) => display(p),
        Source::Sheet(p, sh) => format!("{}[{sh}]", display(p)),
    }
}
