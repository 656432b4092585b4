//! The edges: reading CSV (UTF-8 or GBK/GB18030), xlsx and Parquet into raw string tables,
//! reading scenario TOML, and writing outputs atomically: each file ([`atomic`]), each result
//! folder as one unit ([`result_dir`]), every CSV cell safe to open in a spreadsheet ([`cells`]).
//! Nothing outside this module touches csv, calamine or polars readers.

pub mod atomic;
pub mod cells;
pub mod dataset;
pub mod encoding;
pub mod parquet;
pub mod provenance;
pub mod result_dir;
pub mod scenario_file;
pub mod schema;
pub mod table;
pub mod xlsx;

pub use table::{RawRow, RawTable};

/// A failure to read or write a file, before any row is looked at.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// The file could not be opened or read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// Path shown to the user.
        file: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error("{file}: cannot write: {source}")]
    Write {
        /// Path shown to the user.
        file: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is not in a format we can read.
    #[error("{file}: {message}")]
    Format {
        /// Path shown to the user.
        file: String,
        /// What is wrong and what to do.
        message: String,
    },
}

impl IoError {
    /// The diagnostic code for a table that could not be read: `E301` when the file could not
    /// be opened or read at all (missing, a folder, no permission: exit 7), else `E002`.
    pub fn diagnostic_code(&self) -> &'static str {
        match self {
            IoError::Read { .. } => "E301",
            _ => "E002",
        }
    }
}
