//! `jianpai stagger` and the calendar branch of `jianpai check`.

use super::plan::{print_report, report_failure};
use super::{Failure, Format};
use crate::exit;
use crate::io::result_dir::{ResultDir, STAGGER};
use crate::solve::Method;
use crate::stagger::input::{load, StaggerLoadError};
use crate::stagger::{check, solve, write, Instance};
use std::path::Path;

fn load_failure(e: StaggerLoadError) -> Failure {
    match &e {
        StaggerLoadError::Tables(r) => report_failure(r, e.to_string()),
        StaggerLoadError::Scenario(crate::io::IoError::Read { .. }) => {
            Failure::new(exit::IO, e.to_string())
        }
        _ => Failure::new(exit::INVALID_INPUT, e.to_string()),
    }
}

/// Solve the calendar of a stagger scenario and write it.
pub fn run(
    scenario: &Path,
    out: &Path,
    method: Method,
    overrides: (Option<f64>, Option<f64>, Option<u32>),
    english: bool,
    quiet: bool,
) -> Result<(), Failure> {
    let (sc, inst, _) = load(scenario).map_err(load_failure)?;
    let opts = super::plan::solver_flags(&sc.solver, method, overrides)?;
    let mut inputs = vec![scenario, sc.inventory.as_path(), sc.participation.as_path()];
    inputs.extend(
        [&sc.quotas, &sc.forecast, &sc.government, &sc.maintenance]
            .into_iter()
            .filter_map(|p| p.as_deref()),
    );
    let out_dir = ResultDir::create(out, STAGGER, &inputs)?;
    let outcome = solve::solve(&inst, &opts);
    let summary = write(out_dir.path(), &inst, &outcome, english)?;
    out_dir.commit()?;
    if !quiet {
        print_summary(&summary, english);
    }
    for s in &summary.infeasibility {
        eprintln!("infeasible[{}] {}: {}", s.kind, s.row, s.message);
    }
    super::outcome::result(summary.status)
}

fn print_summary(s: &crate::stagger::Summary, english: bool) {
    use super::outcome::{figure, gap, print_saving_vs_greedy};
    let c = &s.counts;
    if english {
        println!("status: {}", s.status_message);
        println!(
            "controllable loss (10k yuan): {}   bound: {}   gap: {}   fixed loss: {:.2}",
            figure(s.objective),
            figure(s.bound),
            gap(s.gap),
            s.fixed_loss
        );
        println!(
            "{} staggered lines, {} season-stop lines, {} others; {} stop blocks ({} line-days), {} maintenance jobs",
            c.stagger_lines, c.season_stop_lines, c.other_lines, c.blocks, c.chosen_days, c.jobs
        );
    } else {
        println!("求解状态: {}", s.status_message);
        println!(
            "可优化损失(万元): {}   下界: {}   间隙: {}   固定损失: {:.2}",
            figure(s.objective),
            figure(s.bound),
            gap(s.gap),
            s.fixed_loss
        );
        println!(
            "错峰生产线 {} 条，整季停产 {} 条，其他 {} 条；停产段 {} 个（{} 线·日），检修任务 {} 项",
            c.stagger_lines, c.season_stop_lines, c.other_lines, c.blocks, c.chosen_days, c.jobs
        );
    }
    print_saving_vs_greedy(
        "greedy calendar:",
        english,
        s.greedy_objective,
        s.saving_vs_greedy,
        s.saving_vs_greedy_share,
    );
}

/// Whether a path is a calendar (a folder with calendar.csv, or a calendar file).
pub fn is_calendar(path: &Path) -> bool {
    if path.is_dir() {
        path.join("calendar.csv").exists()
            || std::fs::read_to_string(path.join("summary.json"))
                .ok()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .is_some_and(|v| v["kind"] == "calendar")
    } else {
        path.file_name().is_some_and(|n| n == "calendar.csv")
    }
}

/// The calendar checker's findings.
#[derive(Debug, serde::Serialize)]
pub struct CalendarReport {
    /// Calendar rows read.
    pub rows: usize,
    /// Lines taking part.
    pub lines: usize,
    /// Days of the horizon.
    pub days: usize,
    /// Loss recomputed from the calendar (万元).
    pub objective: f64,
    /// Every violation.
    pub violations: Vec<check::Violation>,
}

/// Check a calendar file against the instance (and its summary's objective, when present).
pub fn check_calendar(inst: &Instance, file: &Path) -> Result<CalendarReport, Failure> {
    let table = crate::io::table::read_table(file)?;
    let (states, report) = crate::stagger::calendar::read_calendar(inst, &table);
    let mut violations: Vec<check::Violation> = report
        .diagnostics
        .iter()
        .map(|d| check::Violation::about("row", d.to_string()))
        .collect();
    if report.diagnostics.iter().any(|d| d.code != "E210") {
        print_report(&report);
        return Err(Failure::new(
            exit::INVALID_INPUT,
            format!("{}: the calendar file cannot be read", file.display()),
        ));
    }
    violations.extend(check::check_states(inst, &states));
    let objective = check::total_cost(inst, &states);
    let summary = file.with_file_name("summary.json");
    if let Some(claimed) = std::fs::read_to_string(&summary)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["objective"].as_f64())
    {
        if (claimed - objective).abs() > 1e-6 * objective.abs().max(1.0) {
            violations.push(check::Violation::about(
                "objective",
                format!(
                    "summary.json states a loss of {claimed:.4}, the calendar's loss is {objective:.4}"
                ),
            ));
        }
    }
    Ok(CalendarReport {
        rows: table.rows.len(),
        lines: inst.units.len(),
        days: inst.days.len(),
        objective,
        violations,
    })
}

/// `jianpai check` for a calendar.
pub fn run_check(path: &Path, scenario: &Path, format: Format, quiet: bool) -> Result<(), Failure> {
    let file = if path.is_dir() {
        path.join("calendar.csv")
    } else {
        path.to_path_buf()
    };
    let (_, inst, _) = load(scenario).map_err(load_failure)?;
    let report = check_calendar(&inst, &file)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report).expect("json")),
        Format::Text => {
            for v in &report.violations {
                eprintln!("{} ({})", v, file.display());
            }
            if !quiet {
                println!(
                    "checked {} calendar rows, {} lines, {} days: {} violations",
                    report.rows,
                    report.lines,
                    report.days,
                    report.violations.len()
                );
            }
        }
    }
    super::outcome::check_result(report.violations.len())
}
