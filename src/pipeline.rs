//! The pipeline as one readable sequence: scenario → inventory → rules → model → solve → plan.

use crate::diagnose::{shortfalls, Shortfall};
use crate::domain::{Inventory, Scenario};
use crate::io::scenario_file::read_scenario;
use crate::io::IoError;
use crate::model::{build, Problem};
use crate::plan::summary::{summarize, Summary};
use crate::plan::{from_assignment, Plan};
use crate::rules::{resolve, Resolved, Rules};
use crate::solve::{solve, Method, Solution, SolveOptions};
use crate::validate::{load_dataset, Report};
use std::path::Path;
use std::time::Instant;

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The scenario file is unreadable or invalid.
    #[error(transparent)]
    Scenario(#[from] IoError),
    /// The inventory has errors.
    #[error("the inventory has {} errors", .0.error_count())]
    Inventory(Report),
    /// The rules have errors.
    #[error("the rules have {} errors", .0.error_count())]
    Rules(Report),
    /// Some industry × grade × level has no rule.
    #[error("{}", .0.iter().map(|m| m.to_string()).collect::<Vec<_>>().join("\n"))]
    MissingRules(Vec<crate::rules::apply::MissingRule>),
}

/// A scenario with its validated inventory and applied rules.
pub struct Loaded {
    /// The scenario.
    pub scenario: Scenario,
    /// Validated inventory.
    pub inventory: Inventory,
    /// Rules table.
    pub rules: Rules,
    /// Rules applied to every active line.
    pub resolved: Resolved,
    /// Warnings found while validating.
    pub warnings: Report,
}

/// Read the scenario, its inventory and its rules.
pub fn load(scenario_path: &Path) -> Result<Loaded, LoadError> {
    let scenario = read_scenario(scenario_path)?;
    let (inv, report) = load_dataset(std::slice::from_ref(&scenario.inventory));
    let inventory = inv.ok_or_else(|| LoadError::Inventory(report.clone()))?;
    let rules = Rules::load(
        &scenario.rules,
        scenario.rule_overrides.as_deref(),
        &inventory.industries,
    )
    .map_err(LoadError::Rules)?;
    let resolved = resolve(&inventory, &rules, &scenario).map_err(LoadError::MissingRules)?;
    Ok(Loaded {
        scenario,
        inventory,
        rules,
        resolved,
        warnings: report,
    })
}

/// A solved scenario.
pub struct Planned {
    /// The model.
    pub problem: Problem,
    /// Targets no plan can reach (checked before solving).
    pub shortfalls: Vec<Shortfall>,
    /// Solver outcome.
    pub solution: Solution,
    /// The list, when a plan was found.
    pub plan: Option<Plan>,
    /// The summary.
    pub summary: Summary,
}

/// Solver options from the scenario, with command-line overrides.
pub fn solve_options(
    s: &Scenario,
    method: Method,
    time_limit: Option<f64>,
    gap: Option<f64>,
    threads: Option<u32>,
) -> SolveOptions {
    SolveOptions {
        method,
        time_limit: time_limit.unwrap_or(s.solver.time_limit),
        rel_gap: gap.unwrap_or(s.solver.rel_gap),
        threads: threads.unwrap_or(s.solver.threads),
    }
}

/// Build the model and solve it.
pub fn plan(l: &Loaded, opts: &SolveOptions, english: bool) -> Planned {
    let t0 = Instant::now();
    let problem = build(&l.inventory, &l.resolved, &l.scenario);
    solve_problem(l, problem, t0.elapsed().as_secs_f64(), opts, english, None)
}

/// Solve a built model (possibly with extra costs, as in a revision). A known `incumbent`
/// assignment replaces the solver's plan when it is feasible and cheaper.
pub fn solve_problem(
    l: &Loaded,
    problem: Problem,
    build_seconds: f64,
    opts: &SolveOptions,
    english: bool,
    incumbent: Option<Vec<u32>>,
) -> Planned {
    let short = shortfalls(&l.inventory, &l.resolved, &problem);
    let mut solution = if short.is_empty() {
        solve(&problem, opts)
    } else {
        let mut report = crate::solve::SolveReport::new(opts.method);
        report.status = crate::solve::Status::Infeasible;
        report.notes.push(format!(
            "{} targets exceed what the listed lines can cut",
            short.len()
        ));
        Solution {
            assignment: None,
            report,
        }
    };
    if let (Some(inc), Some(current)) = (incumbent, solution.report.objective) {
        let cost = problem.cost(&inc);
        if solution.assignment.is_some() && problem.feasible(&inc) && cost < current - 1e-9 {
            let r = &mut solution.report;
            r.objective = Some(cost);
            r.gap = r
                .bound
                .map(|b| crate::solve::status::relative_gap(cost, b.min(cost)));
            r.notes.push(
                "the known incumbent (last year's list) was cheaper than the solver's plan".into(),
            );
            solution.assignment = Some(inc);
        }
    }
    let plan = solution
        .assignment
        .as_ref()
        .map(|a| from_assignment(&l.inventory, &l.resolved, &problem, a, english));
    let empty = Plan { rows: Vec::new() };
    let mut summary = summarize(
        &l.inventory,
        &problem,
        plan.as_ref().unwrap_or(&empty),
        &solution.report,
        &l.scenario.name,
        build_seconds,
    );
    summary.timing.insert("peak_mib", peak_memory_mib());
    Planned {
        problem,
        shortfalls: short,
        solution,
        plan,
        summary,
    }
}

/// Peak resident memory of this process in MiB (Linux `VmHWM`; 0 elsewhere).
pub fn peak_memory_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}
