//! `jianpai report`.

use super::Failure;
use crate::exit;
use crate::report::{write_report, Options, ReportError};
use std::path::{Path, PathBuf};

/// Write the reports of a result directory.
pub fn run(
    dir: &Path,
    out: &Path,
    scenario: Option<PathBuf>,
    english: bool,
    quiet: bool,
) -> Result<(), Failure> {
    let opts = Options { scenario, english };
    let files = write_report(dir, out, &opts).map_err(|e| {
        let code = match &e {
            ReportError::Read { .. } | ReportError::Xlsx { .. } => exit::IO,
            ReportError::Io(io) => match io {
                crate::io::IoError::Format { .. } => exit::INVALID_INPUT,
                _ => exit::IO,
            },
            ReportError::NoScenario(_) => exit::USAGE,
            ReportError::Input { .. } | ReportError::Load(_) => exit::INVALID_INPUT,
        };
        Failure::new(code, e.to_string())
    })?;
    if !quiet {
        for f in files {
            println!("{}", f.display());
        }
    }
    Ok(())
}
