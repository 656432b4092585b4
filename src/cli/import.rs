//! `jianpai import`.

use super::Failure;
use crate::exit;
use crate::import::{import, mapping::Mapping, report_csv, report_md};
use crate::io::result_dir::{ResultDir, IMPORT};
use crate::validate::Report;
use std::path::{Path, PathBuf};

/// Check `--days` and `--hours` against their ranges (exit 2 naming the flag).
fn check_time(days: Option<f64>, hours: Option<f64>) -> Result<(), Failure> {
    for (flag, v, max) in [("--days", days, 366.0), ("--hours", hours, 24.0)] {
        if let Some(v) = v.filter(|v| !(*v > 0.0 && *v <= max)) {
            return Err(Failure::new(
                exit::USAGE,
                format!("{flag} {v}: must lie in (0, {max}]"),
            ));
        }
    }
    Ok(())
}

/// Import platform exports into a clean dataset folder `out`.
pub fn run(
    inputs: &[PathBuf],
    out: &Path,
    mapping: Option<&Path>,
    (days, hours): (Option<f64>, Option<f64>),
    quiet: bool,
    verbose: bool,
) -> Result<(), Failure> {
    check_time(days, hours)?;
    if let Some(missing) = inputs
        .iter()
        .chain(mapping.map(|m| m.to_path_buf()).as_ref())
        .find(|p| !p.exists())
    {
        return Err(Failure::new(
            exit::IO,
            format!("{}: no such file or folder", missing.display()),
        ));
    }
    let mut report = Report::default();
    let m = match mapping {
        Some(p) => Mapping::read(p, &mut report),
        None => Some(Mapping::default()),
    };
    let imported = m.map(|m| import(inputs, &m, m.time(days, hours), &mut report));
    super::validate::print_diagnostics(&report, quiet, verbose);
    let imported = match imported {
        Some(i) if i.inventory.is_some() && !report.has_errors() => i,
        _ => {
            let unreadable = report.diagnostics.iter().any(|d| d.code == "E301");
            return Err(Failure::new(
                if unreadable {
                    exit::IO
                } else {
                    exit::INVALID_INPUT
                },
                format!(
                    "导入失败 import failed: {} error(s); nothing was written",
                    report.error_count()
                ),
            ));
        }
    };
    let mut all: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    all.extend(mapping);
    let dir = ResultDir::create(out, IMPORT, &all)?;
    let mut files = imported.files.clone();
    files.push(("import-report.csv".into(), report_csv(&imported.entries)));
    files.push((
        "import-report.md".into(),
        report_md(&imported.entries, &imported.files).into_bytes(),
    ));
    for (name, bytes) in &files {
        crate::io::atomic::write_bytes(&dir.path().join(name), bytes)?;
    }
    dir.commit()?;
    if !quiet {
        let s = imported.inventory.as_ref().map(|i| i.summary());
        if let Some(s) = s {
            println!(
                "导入 imported: 企业 enterprises {}, 生产线 lines {} (在产 active {}), {} warnings",
                s.enterprises,
                s.lines,
                s.active_lines,
                report.warning_count()
            );
        }
        for (name, _) in &files {
            println!("{}", out.join(name).display());
        }
    }
    Ok(())
}
