//! `jianpai plan`.

use super::Failure;
use crate::exit;
use crate::io::result_dir::{ResultDir, PLAN};
use crate::model::export::{write_model, ExportError, ModelForm, ModelFormat};
use crate::pipeline::{load_with_decisions, plan, solve_options, LoadError};
use crate::plan::write::{write_json, write_plan};
use crate::solve::Method;
use std::path::Path;

/// Print a validation or rules report to standard error.
pub fn print_report(r: &crate::validate::Report) {
    for d in r
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::validate::Severity::Error)
    {
        eprintln!("{d}");
    }
}

/// A file's diagnostics as a failure: printed, then exit 7 when a file could not be opened or
/// read at all (`E301`), else exit 3 (the file was read but its content is wrong).
pub fn report_failure(r: &crate::validate::Report, message: String) -> Failure {
    print_report(r);
    let unreadable = r
        .diagnostics
        .iter()
        .any(|d| d.severity == crate::validate::Severity::Error && d.code == "E301");
    Failure::new(
        if unreadable {
            exit::IO
        } else {
            exit::INVALID_INPUT
        },
        message,
    )
}

/// Map a load error to a failure, printing its details.
pub fn load_failure(e: LoadError) -> Failure {
    let e = match e {
        LoadError::Air(a) => return super::air::air_failure(a),
        e => e,
    };
    match &e {
        LoadError::Inventory(r)
        | LoadError::Rules(r)
        | LoadError::Decisions(r)
        | LoadError::Calendar(r) => report_failure(r, e.to_string()),
        LoadError::Scenario(crate::io::IoError::Read { .. }) => {
            Failure::new(exit::IO, e.to_string())
        }
        LoadError::DecisionConflicts(_) => Failure::new(exit::INFEASIBLE, e.to_string()),
        _ => Failure::new(exit::INVALID_INPUT, e.to_string()),
    }
}

/// `--time-limit`, `--gap`, `--threads`: the scenario's `[solver]` settings overridden.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct SolverFlags {
    /// Time limit in seconds (default: the scenario's).
    #[arg(long, allow_negative_numbers = true)]
    pub time_limit: Option<f64>,
    /// Relative gap (default: the scenario's).
    #[arg(long, allow_negative_numbers = true)]
    pub gap: Option<f64>,
    /// HiGHS threads (default: the scenario's).
    #[arg(long)]
    pub threads: Option<u32>,
}

impl SolverFlags {
    /// (time limit, gap, threads) as [`solver_flags`] takes them.
    pub fn overrides(self) -> (Option<f64>, Option<f64>, Option<u32>) {
        (self.time_limit, self.gap, self.threads)
    }
}

/// Solver options from a scenario's `[solver]` and the `--time-limit`, `--gap` and `--threads`
/// flags. A bad flag is named (exit 2); the scenario's own values were range-checked when it was
/// read (exit 3, naming its file and key). Threads beyond the machine's cores are capped to them
/// with a warning.
pub fn solver_flags(
    solver: &crate::domain::scenario::SolverOptions,
    method: Method,
    (time_limit, gap, threads): (Option<f64>, Option<f64>, Option<u32>),
) -> Result<crate::solve::SolveOptions, Failure> {
    use crate::domain::scenario::{REL_GAP, THREADS, TIME_LIMIT};
    let flag = |b: &crate::domain::scenario::Bound, name: &str, v: Option<f64>| match v {
        Some(v) => b.check(name, v).map_err(|m| Failure::new(exit::USAGE, m)),
        None => Ok(()),
    };
    flag(&TIME_LIMIT, "--time-limit", time_limit)?;
    flag(&REL_GAP, "--gap", gap)?;
    flag(&THREADS, "--threads", threads.map(f64::from))?;
    let mut opts = solve_options(solver, method, time_limit, gap, threads);
    let source = if threads.is_some() {
        "--threads"
    } else {
        "[solver] threads"
    };
    opts.threads = super::cap_at_cores(opts.threads as usize, source) as u32;
    Ok(opts)
}

/// The files a scenario reads: an output folder must be none of them and hold none of them.
pub fn inputs<'a>(
    scenario_file: &'a Path,
    s: &'a crate::domain::scenario::Scenario,
) -> Vec<&'a Path> {
    let mut v = vec![scenario_file, s.inventory.as_path(), s.rules.as_path()];
    v.extend(s.rule_overrides.as_deref());
    v.extend(s.decisions.as_deref());
    v.extend(s.revision.as_ref().and_then(|r| r.previous.as_deref()));
    v.extend(s.calendar.as_deref());
    v
}

/// The `provenance` of a result written to `out` from a list scenario (see
/// [`crate::io::provenance`]).
pub fn provenance(
    scenario_file: &Path,
    s: &crate::domain::scenario::Scenario,
    out: &Path,
) -> serde_json::Value {
    let inputs = crate::io::provenance::scenario_inputs(scenario_file, s);
    serde_json::to_value(crate::io::provenance::collect(&inputs, out)).expect("json")
}

/// Run the optimiser and write the list.
#[allow(clippy::too_many_arguments)]
pub fn run(
    scenario: &Path,
    decisions: Option<&Path>,
    out: &Path,
    method: Method,
    overrides: (Option<f64>, Option<f64>, Option<u32>),
    write_model: Option<&Path>,
    model_form: ModelForm,
    english: bool,
    quiet: bool,
) -> Result<(), Failure> {
    // A bad model file name is a command-line error: say so before solving.
    let model_format = write_model
        .map(|path| {
            ModelFormat::from_path(path).ok_or_else(|| {
                Failure::new(
                    exit::USAGE,
                    format!(
                        "--write-model {}: use a .lp or .mps file name",
                        path.display()
                    ),
                )
            })
        })
        .transpose()?;
    let loaded = load_with_decisions(scenario, decisions).map_err(load_failure)?;
    let opts = solver_flags(&loaded.scenario.solver, method, overrides)?;
    let out_dir = ResultDir::create(out, PLAN, &inputs(scenario, &loaded.scenario))?;
    let planned = plan(&loaded, &opts, english);
    if let (Some(path), Some(format)) = (write_model, model_format) {
        write_model_file(
            &out_dir.redirect(path),
            &loaded.inventory,
            &planned.problem,
            format,
            model_form,
        )?;
    }
    let status = planned.summary.status;
    let dir = out_dir.path();
    if let Some(p) = &planned.plan {
        write_plan(dir, &loaded.inventory, p, english)?;
    }
    let mut summary = serde_json::to_value(&planned.summary).expect("json");
    // The scenario file relative to the result directory, so that `jianpai report` can reload
    // the inventory from any working folder.
    summary["scenario_file"] = crate::io::scenario_file::stored_path(scenario, out).into();
    if !planned.shortfalls.is_empty() {
        summary["infeasibility"] = serde_json::to_value(&planned.shortfalls).expect("json");
    }
    let costs = match planned.summary.objective {
        Some(with) => crate::plan::decisions::price(&loaded, &opts, with),
        None => Vec::new(),
    };
    if !costs.is_empty() {
        summary["decisions"] = serde_json::to_value(&costs).expect("json");
    }
    let fairness = crate::plan::fairness::price(&loaded, &opts, &planned.solution.report);
    if let Some(f) = &fairness {
        summary["fairness"] = serde_json::to_value(f).expect("json");
    }
    summary["provenance"] = provenance(scenario, &loaded.scenario, out);
    write_json(&dir.join("summary.json"), &summary)?;
    out_dir.commit()?;
    if !quiet {
        print_summary(&planned.summary, english);
        print_decision_costs(&costs, english);
        if let Some(f) = &fairness {
            print_fairness(f, english);
        }
    }
    if !planned.shortfalls.is_empty() {
        eprint!("{}", crate::diagnose::explain(&planned.shortfalls));
    }
    let result = super::outcome::result(status);
    if result.is_err() {
        // Say what happened, not only the status: the solver's notes name the cause.
        for note in &planned.summary.solver.notes {
            eprintln!("  {note}");
        }
    }
    result
}

/// Write the model for an auditor's solver, streamed and atomically.
fn write_model_file(
    path: &Path,
    inv: &crate::domain::Inventory,
    problem: &crate::model::Problem,
    format: ModelFormat,
    form: ModelForm,
) -> Result<(), Failure> {
    problem
        .check_numbers()
        .map_err(|e| Failure::new(exit::INVALID_INPUT, e.to_string()))?;
    let mut failure = None;
    let written = crate::io::atomic::write_with(path, |w| {
        write_model(inv, problem, format, form, w).map_err(|e| match e {
            ExportError::Io(io) => io,
            e => {
                let message = e.to_string();
                failure = Some(Failure::new(exit::INVALID_INPUT, message.clone()));
                std::io::Error::other(message)
            }
        })
    });
    match (written, failure) {
        (_, Some(f)) => Err(f),
        (Err(e), None) => Err(e.into()),
        (Ok(()), None) => Ok(()),
    }
}

/// The price of fairness and the lines the rule left out (W511).
fn print_fairness(f: &crate::plan::fairness::FairnessPrice, english: bool) {
    let v = |x: Option<f64>| x.map_or("—".into(), |v| format!("{v:.2}"));
    if english {
        println!(
            "fairness ({} by {}): {} groups; loss fair {} ({}) − free {} ({}) = price {}",
            f.mode,
            f.group.join("+"),
            f.groups,
            v(f.loss_fair),
            f.status_fair.key(),
            v(f.loss_free),
            f.status_free.key(),
            v(f.price)
        );
    } else {
        println!(
            "公平约束（{}，按 {} 分组）：{} 个组；公平方案损失 {}（{}）− 自由方案 {}（{}）= 公平代价 {} 万元/季",
            f.mode,
            f.group.join("+"),
            f.groups,
            v(f.loss_fair),
            f.status_fair.key(),
            v(f.loss_free),
            f.status_free.key(),
            v(f.price)
        );
    }
    for (level, m) in &f.excluded {
        for (why, n) in m {
            let level = crate::domain::Level::parse(level).map_or(*level, |l| l.zh());
            eprintln!(
                "W511 公平约束：{level} {n} 条生产线不参与分组：{}",
                why.zh()
            );
        }
    }
}

/// One line per priced decision: what it costs the city over the season.
fn print_decision_costs(costs: &[crate::plan::decisions::DecisionCost], english: bool) {
    for c in costs {
        let cost = c
            .cost
            .map(|v| format!("{v:.2}"))
            .unwrap_or_else(|| "—".into());
        if english {
            println!("decision {}: costs {cost} (10k yuan per season)", c.label);
        } else {
            println!("决策代价 {}：{cost} 万元/季", c.label);
        }
    }
}

pub(super) fn print_summary(s: &crate::plan::summary::Summary, english: bool) {
    use super::outcome::{figure, gap, print_saving_vs_greedy};
    println!(
        "{}: {}",
        if english { "status" } else { "求解状态" },
        s.status_message
    );
    println!(
        "{} {}   {} {}   {} {}",
        if english {
            "expected season loss (10k yuan):"
        } else {
            "预期损失(万元):"
        },
        figure(s.objective),
        if english { "bound:" } else { "下界:" },
        figure(s.bound),
        if english { "gap:" } else { "间隙:" },
        gap(s.gap)
    );
    print_saving_vs_greedy(
        "greedy plan:",
        english,
        s.greedy_objective,
        s.saving_vs_greedy,
        s.saving_vs_greedy_share,
    );
    let head: [&str; 6] = if english {
        [
            "level",
            "pollutant",
            "required t/d",
            "achieved t/d",
            "by lines t/d",
            "10k yuan per t/d",
        ]
    } else {
        [
            "预警",
            "污染物",
            "要求减排(t/d)",
            "实现减排(t/d)",
            "清单贡献(t/d)",
            "边际损失(万元/(t/d))",
        ]
    };
    println!("{}", head.join("\t"));
    for (lk, ls) in &s.levels {
        let level = crate::domain::Level::parse(lk)
            .map(|l| if english { l.key() } else { l.zh() })
            .unwrap_or(lk);
        for (pk, t) in &ls.city {
            println!(
                "{level}\t{pk}\t{:.3}\t{:.3}\t{:.3}\t{:.2}{}",
                t.required,
                t.achieved,
                t.achieved_by_lines,
                t.marginal_loss_per_tonne,
                if !t.enforced {
                    if english {
                        "\t(not enforced)"
                    } else {
                        "\t(不考核)"
                    }
                } else if t.met {
                    ""
                } else {
                    "\t✗"
                }
            );
        }
    }
    print_stations(s, english);
}

/// The station rows: required and estimated PM2.5 reduction, and the LP price of one more
/// µg/m³ (万元 of season loss per µg/m³).
fn print_stations(s: &crate::plan::summary::Summary, english: bool) {
    if s.stations.is_empty() {
        return;
    }
    let head: [&str; 5] = if english {
        [
            "level",
            "station",
            "required µg/m³",
            "estimated µg/m³",
            "10k yuan per µg/m³",
        ]
    } else {
        [
            "预警",
            "站点",
            "要求降幅(µg/m³)",
            "估算降幅(µg/m³)",
            "边际损失(万元/(µg/m³))",
        ]
    };
    println!("{}", head.join("\t"));
    for st in &s.stations {
        let level = crate::domain::Level::parse(st.level)
            .map(|l| if english { l.key() } else { l.zh() })
            .unwrap_or(st.level);
        println!(
            "{level}\t{}\t{:.3}\t{:.3}\t{:.2}{}",
            st.station,
            st.required,
            st.achieved,
            st.marginal_loss_per_ugm3,
            if st.met { "" } else { "\t✗" }
        );
    }
}
