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
    recompute: bool,
    format: Format,
    quiet: bool,
) -> Result<(), Failure> {
    if super::stagger::is_calendar(plan) {
        if recompute {
            return Err(Failure::new(
                exit::USAGE,
                format!(
                    "{}: --recompute rewrites a plan, not a calendar",
                    plan.display()
                ),
            ));
        }
        return super::stagger::run_check(plan, scenario, format, quiet);
    }
    if super::region::is_region(plan) && !recompute {
        return super::region::run_check(plan, scenario, format, quiet);
    }
    if recompute {
        // Say a wrong file kind before loading anything.
        crate::check::recompute::plan_file(plan)
            .map_err(|e| Failure::new(exit::USAGE, e.to_string()))?;
    }
    let loaded = load_with_decisions(scenario, decisions).map_err(load_failure)?;
    if recompute {
        run_recompute(plan, &loaded, quiet)?;
    }
    let (rows, file) = read_plan(plan, Some(&loaded.inventory)).map_err(|r| {
        report_failure(
            &r,
            format!("{}: the plan file cannot be read", plan.display()),
        )
    })?;
    let mut report = check_plan_with(
        &loaded.inventory,
        &loaded.rules,
        &loaded.scenario,
        &loaded.decisions,
        &rows,
    );
    let stations = station_targets(&loaded, &rows)?;
    for r in stations.iter().filter(|r| !r.met) {
        report.violations.push(crate::check::Violation {
            kind: "station-target",
            row: None,
            line: None,
            enterprise: None,
            level: Some(r.level),
            date: None,
            message: format!(
                "{}: PM2.5 降幅要求 {:.2} µg/m³，核算 {:.2} µg/m³（{}） / required {:.2} µg/m³, estimated {:.2} µg/m³ ({})",
                r.row,
                r.required,
                r.achieved,
                crate::air::check::CHECK_ONLY_ZH,
                r.required,
                r.achieved,
                crate::air::check::CHECK_ONLY_EN
            ),
        });
    }
    match format {
        Format::Json => {
            let mut v = serde_json::to_value(&report).expect("json");
            if !stations.is_empty() {
                v["station_targets"] = serde_json::to_value(&stations).expect("json");
                v["station_targets_note"] = crate::air::check::CHECK_ONLY_ZH.into();
            }
            println!("{}", serde_json::to_string_pretty(&v).expect("json"))
        }
        Format::Text => {
            for v in &report.violations {
                print_violation(v, &file);
            }
            if !quiet && !stations.is_empty() {
                println!(
                    "站点目标（{}）：{} 项，{} 项未达标 / station targets (verified independently): {} checked, {} missed",
                    crate::air::check::CHECK_ONLY_ZH,
                    stations.len(),
                    stations.iter().filter(|r| !r.met).count(),
                    stations.len(),
                    stations.iter().filter(|r| !r.met).count()
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
    super::outcome::check_result(report.violations.len())
}

/// `--recompute`: rewrite the plan file's derived columns and say how many changed.
fn run_recompute(
    plan: &Path,
    loaded: &crate::pipeline::Loaded,
    quiet: bool,
) -> Result<(), Failure> {
    use crate::check::recompute::{recompute, RecomputeError};
    let done = recompute(
        &loaded.inventory,
        &loaded.rules,
        &loaded.scenario,
        &loaded.decisions,
        plan,
    )
    .map_err(|e| match e {
        RecomputeError::NotCsv(_) => Failure::new(exit::USAGE, e.to_string()),
        RecomputeError::Io(io) => io.into(),
        RecomputeError::Invalid(r) => report_failure(
            &r,
            format!("{}: the plan file cannot be read", plan.display()),
        ),
    })?;
    if !quiet {
        println!(
            "重算：{} 行 {} 个单元格已按措施代码更新 (recomputed {} cells in {} rows from the measure codes)",
            done.rows, done.cells, done.cells, done.rows
        );
    }
    Ok(())
}

/// The scenario's station targets (`[air.targets]`) against the plan, recomputed from the list
/// ([`crate::air::check::plan_targets`]); empty without targets.
fn station_targets(
    loaded: &crate::pipeline::Loaded,
    rows: &[crate::plan::read::StatedRow],
) -> Result<Vec<crate::air::check::TargetResult>, Failure> {
    crate::air::check::plan_targets(loaded, rows).map_err(super::air::air_failure)
}

/// One violation on standard error: `violation[kind] FILE row …, line …, …: message`.
pub(super) fn print_violation(v: &crate::check::Violation, file: &str) {
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
