//! `jianpai plan`.

use super::Failure;
use crate::exit;
use crate::io::result_dir::{ResultDir, PLAN};
use crate::pipeline::{load, plan, solve_options, LoadError};
use crate::plan::write::{write_json, write_plan};
use crate::solve::{Method, Status};
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

/// Map a load error to a failure, printing its details.
pub fn load_failure(e: LoadError) -> Failure {
    match &e {
        LoadError::Inventory(r) | LoadError::Rules(r) => print_report(r),
        _ => {}
    }
    let code = match &e {
        LoadError::Scenario(crate::io::IoError::Read { .. }) => exit::IO,
        _ => exit::INVALID_INPUT,
    };
    Failure::new(code, e.to_string())
}

/// Solver options from a scenario's `[solver]` and the `--time-limit`, `--gap` and `--threads`
/// flags, range-checked (exit 2 on a bad flag).
pub fn solver_flags(
    solver: &crate::domain::scenario::SolverOptions,
    method: Method,
    (time_limit, gap, threads): (Option<f64>, Option<f64>, Option<u32>),
) -> Result<crate::solve::SolveOptions, Failure> {
    let opts = solve_options(solver, method, time_limit, gap, threads);
    if opts.time_limit.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
        || !(0.0..1.0).contains(&opts.rel_gap)
        || opts.threads == 0
    {
        return Err(Failure::new(
            exit::USAGE,
            "--time-limit must be > 0, --gap in [0, 1), --threads ≥ 1",
        ));
    }
    Ok(opts)
}

/// The files a scenario reads: an output folder must be none of them and hold none of them.
pub fn inputs<'a>(
    scenario_file: &'a Path,
    s: &'a crate::domain::scenario::Scenario,
) -> Vec<&'a Path> {
    let mut v = vec![scenario_file, s.inventory.as_path(), s.rules.as_path()];
    v.extend(s.rule_overrides.as_deref());
    v.extend(s.revision.as_ref().and_then(|r| r.previous.as_deref()));
    v
}

/// Run the optimiser and write the list.
pub fn run(
    scenario: &Path,
    out: &Path,
    method: Method,
    overrides: (Option<f64>, Option<f64>, Option<u32>),
    write_model: Option<&Path>,
    english: bool,
    quiet: bool,
) -> Result<(), Failure> {
    let loaded = load(scenario).map_err(load_failure)?;
    let opts = solver_flags(&loaded.scenario.solver, method, overrides)?;
    let out_dir = ResultDir::create(out, PLAN, &inputs(scenario, &loaded.scenario))?;
    let planned = plan(&loaded, &opts, english);
    if let Some(path) = write_model {
        let text = match path.extension().and_then(|e| e.to_str()) {
            Some("lp") => crate::model::export::to_lp(&loaded.inventory, &planned.problem),
            Some("mps") => crate::model::export::to_mps(&loaded.inventory, &planned.problem),
            _ => {
                return Err(Failure::new(
                    exit::USAGE,
                    format!(
                        "--write-model {}: use a .lp or .mps file name",
                        path.display()
                    ),
                ))
            }
        };
        crate::io::atomic::write_bytes(&out_dir.redirect(path), text.as_bytes())?;
    }
    let status = planned.summary.status;
    let dir = out_dir.path();
    if let Some(p) = &planned.plan {
        write_plan(dir, &loaded.inventory, p, english)?;
    }
    let mut summary = serde_json::to_value(&planned.summary).expect("json");
    // The scenario file as given, so that `jianpai report` can reload the inventory.
    summary["scenario_file"] = scenario.display().to_string().into();
    if !planned.shortfalls.is_empty() {
        summary["infeasibility"] = serde_json::to_value(&planned.shortfalls).expect("json");
    }
    write_json(&dir.join("summary.json"), &summary)?;
    out_dir.commit()?;
    if !quiet {
        print_summary(&planned.summary, english);
    }
    if !planned.shortfalls.is_empty() {
        eprint!("{}", crate::diagnose::explain(&planned.shortfalls));
    }
    match status {
        Status::Optimal | Status::GapLimit | Status::Heuristic => Ok(()),
        s => Err(Failure::new(s.exit_code(), s.message())),
    }
}

pub(super) fn print_summary(s: &crate::plan::summary::Summary, english: bool) {
    let f = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into());
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
        f(s.objective),
        if english { "bound:" } else { "下界:" },
        f(s.bound),
        if english { "gap:" } else { "间隙:" },
        s.gap
            .map(|g| format!("{:.4}%", g * 100.0))
            .unwrap_or_else(|| "—".into())
    );
    if let (Some(g), Some(sv), Some(sh)) = (
        s.greedy_objective,
        s.saving_vs_greedy,
        s.saving_vs_greedy_share,
    ) {
        println!(
            "{} {g:.2} → {} {sv:.2} ({:.2}%)",
            if english {
                "greedy plan:"
            } else {
                "贪心方案:"
            },
            if english { "saved" } else { "节省" },
            sh * 100.0
        );
    }
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
                if t.met { "" } else { "\t✗" }
            );
        }
    }
}
