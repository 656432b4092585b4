//! `jianpai report`.

use super::Failure;
use crate::exit;
use crate::io::result_dir::{ResultDir, REPORT};
use crate::report::{write_report, Options, ReportError};
use std::path::{Path, PathBuf};

/// Write the reports of a result directory.
pub fn run(
    dir: &Path,
    out: &Path,
    scenario: Option<PathBuf>,
    split_districts: bool,
    english: bool,
    quiet: bool,
) -> Result<(), Failure> {
    let mut inputs = vec![dir];
    inputs.extend(scenario.as_deref());
    let out_dir = ResultDir::create(out, REPORT, &inputs).map_err(ReportError::Io);
    let opts = Options {
        scenario: scenario.clone(),
        english,
        split_districts,
    };
    let files = out_dir
        .and_then(|d| {
            let files = write_report(dir, d.path(), &opts)?;
            d.commit()?;
            Ok(files)
        })
        .map_err(failure)?;
    if !quiet {
        for f in files {
            println!("{}", out.join(f.file_name().unwrap_or_default()).display());
        }
    }
    Ok(())
}

/// A report error as a failure with its documented exit code.
pub(super) fn failure(e: ReportError) -> Failure {
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
}
