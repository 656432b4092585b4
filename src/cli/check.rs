//! `jianpai check`.

use super::plan::{load_failure, report_failure};
use super::{Failure, Format};
use crate::check::check_plan_with;
use crate::exit;
use crate::pipeline::load_with_decisions;
use crate::plan::read::read_plan;
use std::path::Path;

/// Verify a plan and print every violation.
pub fn run(
    plan: &Path,
    scenario: &Path,
    decisions: Option<&Path>,
    format: Format,
    quiet: bool,
) -> Result<(), Failure> {
    if super::stagger::is_calendar(plan) {
        return super::stagger::run_check(plan, scenario, format, quiet);
    }
    let loaded = load_with_decisions(scenario, decisions).map_err(load_failure)?;
    let (rows, file) = read_plan(plan, Some(&loaded.inventory)).map_err(|r| {
        report_failure(
            &r,
            format!("{}: the plan file cannot be read", plan.display()),
        )
    })?;
    let report = check_plan_with(
        &loaded.inventory,
        &loaded.rules,
        &loaded.scenario,
        &loaded.decisions,
        &rows,
    );
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report).expect("json")),
        Format::Text => {
            for v in &report.violations {
                let mut at = Vec::new();
                if let Some(r) = v.row {
                    at.push(format!("row {r}"));
                }
                if let Some(l) = &v.line {
                    at.push(format!("line {l}"));
                }
                if let Some(e) = &v.enterprise {
                    at.push(format!("enterprise {e}"));
                }
                if let Some(l) = v.level {
                    at.push(l.zh().to_string());
                }
                eprintln!(
                    "violation[{}] {} {}: {}",
                    v.kind,
                    file,
                    at.join(", "),
                    v.message
                );
            }
            if !quiet {
                println!(
                    "checked {} rows, {} active lines, {} targets: {} violations",
                    report.rows,
                    report.active_lines,
                    report.targets.len(),
                    report.violations.len()
                );
            }
        }
    }
    if report.violations.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(
            exit::CHECK_FAILED,
            format!("{} violations", report.violations.len()),
        ))
    }
}
