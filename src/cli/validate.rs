//! `jianpai validate`.

use super::{Failure, Format};
use crate::exit;
use crate::validate::{load_dataset, Severity};
use std::path::PathBuf;

/// Validate a dataset and print findings and the summary.
pub fn run(inputs: &[PathBuf], format: Format, quiet: bool, verbose: bool) -> Result<(), Failure> {
    if let Some(missing) = inputs.iter().find(|p| !p.exists()) {
        return Err(Failure::new(
            exit::IO,
            format!("{}: no such file or folder", missing.display()),
        ));
    }
    let (inv, report) = load_dataset(inputs);
    let summary = inv.as_ref().map(|i| i.summary());
    match format {
        Format::Json => {
            let v = serde_json::json!({
                "valid": !report.has_errors(),
                "errors": report.error_count(),
                "warnings": report.warning_count(),
                "diagnostics": report.diagnostics,
                "summary": summary,
            });
            println!("{}", serde_json::to_string_pretty(&v).expect("json"));
        }
        Format::Text => {
            print_diagnostics(&report, quiet, verbose);
            if let (Some(s), false) = (&summary, quiet) {
                println!("清单概况 / inventory summary");
                println!(
                    "  企业 enterprises: {}   生产线 lines: {} (在产 active {}, 停产 idle {})",
                    s.enterprises, s.lines, s.active_lines, s.idle_lines
                );
                println!(
                    "  豁免 exempt: {}   保障类 guarantee: {}",
                    s.exempt, s.guarantee
                );
                println!("  区县 by district: {}", join(&s.by_district));
                println!("  绩效等级 by grade: {}", join(&s.by_grade));
                println!("  行业 by industry: {}", join(&s.by_industry));
                println!("  基准排放 baseline (t/d): {}", join_f(&s.baseline));
                println!("  全社会排放 society (t/d): {}", join_f(&s.society));
            }
            if !quiet {
                println!(
                    "{} errors, {} warnings",
                    report.error_count(),
                    report.warning_count()
                );
            }
        }
    }
    if report.has_errors() {
        return Err(Failure::new(
            exit::INVALID_INPUT,
            format!(
                "the data has {} error(s); nothing was accepted",
                report.error_count()
            ),
        ));
    }
    Ok(())
}

/// Print errors, and warnings unless `quiet` (the first 20 unless `verbose`), to standard error.
pub(super) fn print_diagnostics(report: &crate::validate::Report, quiet: bool, verbose: bool) {
    const SHOWN: usize = 20;
    let mut shown_warnings = 0;
    for d in &report.diagnostics {
        match d.severity {
            Severity::Error => eprintln!("{d}"),
            Severity::Warning if quiet => {}
            Severity::Warning => {
                shown_warnings += 1;
                if verbose || shown_warnings <= SHOWN {
                    eprintln!("{d}");
                }
            }
        }
    }
    if !verbose && shown_warnings > SHOWN {
        eprintln!("… {} more warnings (use --verbose to see all, --format json for a machine-readable list)", shown_warnings - SHOWN);
    }
}

fn join(m: &std::collections::BTreeMap<String, usize>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn join_f(m: &indexmap::IndexMap<&'static str, f64>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k} {v:.3}"))
        .collect::<Vec<_>>()
        .join(", ")
}
