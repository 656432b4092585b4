//! The pipeline as one readable sequence: scenario → inventory → rules → model → solve → plan.

use crate::diagnose::{shortfalls, Shortfall};
use crate::domain::{Decision, Inventory, Scenario};
use crate::io::scenario_file::read_scenario;
use crate::io::IoError;
use crate::model::Problem;
use crate::plan::summary::{summarize, Summary};
use crate::plan::{from_assignment, Plan};
use crate::rules::decide::DecisionConflict;
use crate::rules::{resolve, Resolved, Rules};
use crate::solve::warm::WarmData;
use crate::solve::{solve_warm, Method, Solution, SolveOptions};
use crate::validate::{load_dataset_with, Report};
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
    /// The decisions file has errors.
    #[error("the decisions file has {} errors", .0.error_count())]
    Decisions(Report),
    /// The staggered-production calendar has errors.
    #[error("the calendar has {} errors", .0.error_count())]
    Calendar(Report),
    /// The air tables behind the scenario's station targets cannot be used.
    #[error("[air]: {0}")]
    Air(crate::air::AirError),
    /// Some decisions are not allowed by the rules.
    #[error("有 {} 处决策与规则冲突：\n{}", .0.len(), .0.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("\n"))]
    DecisionConflicts(Vec<DecisionConflict>),
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
    /// The planner's decisions (already bound into `resolved`).
    pub decisions: Vec<Decision>,
    /// The station rows of `[air.targets]`, when the scenario sets any.
    pub air: Option<crate::air::optimise::StationRows>,
}

impl Loaded {
    /// The optimisation model of the scenario, station rows included.
    pub fn model(&self) -> Problem {
        self.model_with(&self.resolved)
    }

    /// As [`Loaded::model`], over other applied rules (a decision or a negotiation changed).
    pub fn model_with(&self, resolved: &Resolved) -> Problem {
        crate::model::build::build_with(
            &self.inventory,
            resolved,
            &self.scenario,
            self.air.as_ref(),
        )
    }
}

/// The station rows of a scenario's `[air.targets]` (none without targets).
fn station_rows(
    scenario: &Scenario,
    inventory: &Inventory,
) -> Result<Option<crate::air::optimise::StationRows>, LoadError> {
    let Some(air) = scenario.air.as_ref().filter(|a| a.has_targets()) else {
        return Ok(None);
    };
    // Checked when the scenario was read: targets come with both tables.
    let (Some(st), Some(rc)) = (&air.stations, &air.receptors) else {
        return Ok(None);
    };
    let inputs = crate::air::read_inputs(st, rc).map_err(LoadError::Air)?;
    crate::air::optimise::station_rows(air, &inputs, inventory, &scenario.inventory)
        .map(Some)
        .map_err(LoadError::Air)
}

/// Read the scenario, its inventory and its rules.
pub fn load(scenario_path: &Path) -> Result<Loaded, LoadError> {
    let scenario = read_scenario(scenario_path)?;
    let (inventory, warnings) = load_inventory(&scenario)?;
    prepare(scenario, inventory, warnings, scenario_path)
}

/// As [`load`], with the scenario's decisions file replaced by `decisions` when given.
pub fn load_with_decisions(
    scenario_path: &Path,
    decisions: Option<&Path>,
) -> Result<Loaded, LoadError> {
    let mut scenario = read_scenario(scenario_path)?;
    if let Some(d) = decisions {
        scenario.decisions = Some(d.to_path_buf());
    }
    let (inventory, warnings) = load_inventory(&scenario)?;
    prepare(scenario, inventory, warnings, scenario_path)
}

/// Read and validate the scenario's inventory (before its what-if changes).
pub fn load_inventory(scenario: &Scenario) -> Result<(Inventory, Report), LoadError> {
    let (inv, report) =
        load_dataset_with(std::slice::from_ref(&scenario.inventory), scenario.units);
    let inventory = inv.ok_or_else(|| LoadError::Inventory(report.clone()))?;
    Ok((inventory, report))
}

/// Apply the scenario's what-if changes to an inventory, load its rules and apply them.
/// `file` names the scenario in errors.
pub fn prepare(
    scenario: Scenario,
    inventory: Inventory,
    warnings: Report,
    file: &Path,
) -> Result<Loaded, LoadError> {
    prepare_with(scenario, inventory, warnings, None, file)
}

/// As [`prepare`], with the scenario's rules table already loaded (for many solves of one
/// scenario's variants, so the rules files are read once).
pub fn prepare_with(
    scenario: Scenario,
    mut inventory: Inventory,
    warnings: Report,
    rules: Option<&Rules>,
    file: &Path,
) -> Result<Loaded, LoadError> {
    crate::domain::whatif::apply(&mut inventory, &scenario.changes, &scenario.filter).map_err(
        |message| {
            LoadError::Scenario(IoError::Format {
                file: file.display().to_string(),
                message,
            })
        },
    )?;
    if let Some(path) = &scenario.calendar {
        season_stops(&mut inventory, path)?;
    }
    let rules = match rules {
        Some(r) => r.clone(),
        None => Rules::load(
            &scenario.rules,
            scenario.rule_overrides.as_deref(),
            &inventory.industries,
        )
        .map_err(LoadError::Rules)?,
    };
    let mut resolved = resolve(&inventory, &rules, &scenario).map_err(LoadError::MissingRules)?;
    let decisions = match &scenario.decisions {
        Some(path) => load_decisions(path, &inventory)?,
        None => Vec::new(),
    };
    let conflicts = crate::rules::decide::apply(&mut resolved, &inventory, &decisions);
    if !conflicts.is_empty() {
        return Err(LoadError::DecisionConflicts(conflicts));
    }
    let air = station_rows(&scenario, &inventory)?;
    Ok(Loaded {
        air,
        scenario,
        inventory,
        rules,
        resolved,
        warnings,
        decisions,
    })
}

/// The staggered-production calendar's whole-season stops (`整季停产`): such a line emits nothing
/// and produces nothing during the warning season, so it is kept on the list (its obligations
/// still apply, and stopping it counts toward a whole-line stop share) with a zero baseline —
/// every measure on it cuts 0 t/d at 0 loss, and no warning cut is credited twice. Lines the
/// calendar stops for part of the season keep their full warning figures (not pro rata: a
/// warning may fall on any day, and staggered blocks move around the warnings).
pub fn season_stops(inv: &mut Inventory, path: &Path) -> Result<Vec<String>, LoadError> {
    let table = crate::io::table::read_table(path)?;
    let stopped =
        crate::stagger::calendar::season_stopped(&table, inv).map_err(LoadError::Calendar)?;
    for line in inv.lines.iter_mut().filter(|l| stopped.contains(&l.id)) {
        line.emissions = Default::default();
        line.output_value = crate::units::WanYuanPerDay(0.0);
        line.electricity = crate::units::KwhPerDay(0.0);
    }
    Ok(stopped)
}

/// Read and check a decisions file against the inventory.
/// A plan file (`plan.csv` edited by hand) is read as decisions too: each row whose measure no
/// longer matches its stated cuts is fixed.
pub fn load_decisions(path: &Path, inv: &Inventory) -> Result<Vec<Decision>, LoadError> {
    let table = crate::io::table::read_table(path)?;
    let is_plan = ["measure_code", "so2_cut"].iter().all(|key| {
        let spec = crate::io::schema::PLAN
            .columns
            .iter()
            .find(|c| c.key == *key);
        spec.is_some_and(|c| table.headers.iter().any(|h| c.matches(h)))
    });
    if is_plan {
        let (rows, _) = crate::plan::read::read_plan(path, None).map_err(LoadError::Decisions)?;
        return Ok(crate::validate::decisions::decisions_from_edited_plan(
            &rows, inv,
        ));
    }
    crate::validate::decisions::decisions_from_table(&table, inv).map_err(LoadError::Decisions)
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

/// Solver options from a scenario's `[solver]`, with command-line overrides.
pub fn solve_options(
    s: &crate::domain::scenario::SolverOptions,
    method: Method,
    time_limit: Option<f64>,
    gap: Option<f64>,
    threads: Option<u32>,
) -> SolveOptions {
    SolveOptions {
        method,
        time_limit: time_limit.unwrap_or(s.time_limit),
        rel_gap: gap.unwrap_or(s.rel_gap),
        threads: threads.unwrap_or(s.threads),
    }
}

/// Build the model and solve it.
pub fn plan(l: &Loaded, opts: &SolveOptions, english: bool) -> Planned {
    plan_warm(l, opts, english, None)
}

/// Build the model and solve it, warm-started from a related scenario's plan when given.
pub fn plan_warm(
    l: &Loaded,
    opts: &SolveOptions,
    english: bool,
    warm: Option<&WarmData>,
) -> Planned {
    let t0 = Instant::now();
    let problem = l.model();
    solve_problem(
        l,
        problem,
        t0.elapsed().as_secs_f64(),
        opts,
        english,
        None,
        warm,
    )
}

/// Solve a built model (possibly with extra costs, as in a revision). A known `incumbent`
/// assignment replaces the solver's plan when it is feasible and cheaper; `warm` starts the
/// solver from a related scenario's plan and duals.
pub fn solve_problem(
    l: &Loaded,
    problem: Problem,
    build_seconds: f64,
    opts: &SolveOptions,
    english: bool,
    incumbent: Option<Vec<u32>>,
    warm: Option<&WarmData>,
) -> Planned {
    let short = shortfalls(&l.inventory, &l.resolved, &problem);
    // Decisions can leave a line with no nested measure triple (the rules-level conflicts are
    // caught when the decisions are bound; this is the net under declared options and nesting).
    let stuck: Vec<&str> = problem
        .units
        .iter()
        .filter(|u| u.triples.is_empty())
        .map(|u| l.inventory.lines[u.line].id.as_str())
        .collect();
    let mut solution = if !stuck.is_empty() {
        let mut report = crate::solve::SolveReport::new(opts.method);
        report.status = crate::solve::Status::Infeasible;
        report.notes.push(format!(
            "决策冲突：生产线 {} 没有同时满足决策、规则和嵌套（红 ⊇ 橙 ⊇ 黄）的措施组合",
            stuck.join("、")
        ));
        Solution {
            assignment: None,
            report,
        }
    } else if short.is_empty() {
        let start = warm.map(|w| w.start_for(&problem, &line_ids(&l.inventory)));
        solve_warm(&problem, opts, start.as_ref())
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
    finish(l, problem, short, solution, build_seconds, english)
}

/// A solved model as a list: the plan rows with their reasons, and the summary.
pub fn finish(
    l: &Loaded,
    problem: Problem,
    short: Vec<Shortfall>,
    solution: Solution,
    build_seconds: f64,
    english: bool,
) -> Planned {
    let plan = solution.assignment.as_ref().map(|a| {
        let mut plan = from_assignment(&l.inventory, &l.resolved, &problem, a, english);
        crate::plan::reasons::annotate(
            &mut plan,
            &l.inventory,
            &l.resolved,
            &problem,
            a,
            &solution.report,
            english,
        );
        plan
    });
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

/// Line ids in inventory order (how warm starts and registries name lines).
pub fn line_ids(inv: &Inventory) -> Vec<String> {
    inv.lines.iter().map(|l| l.id.clone()).collect()
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
