//! `jianpai revise` and `jianpai diff`.

use super::plan::{load_failure, print_report, print_summary};
use super::{Failure, Format};
use crate::diff::listing::{read_listing_with, Listing};
use crate::diff::{diff, text::render};
use crate::domain::Inventory;
use crate::exit;
use crate::io::result_dir::{ResultDir, REVISE};
use crate::pipeline::load;
use crate::plan::write::{write_json, write_plan};
use crate::revise::{filings::write_filings, revise};
use crate::solve::Method;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

/// Options of `jianpai revise`.
#[derive(Debug, clap::Args)]
pub struct ReviseArgs {
    /// Scenario TOML of this year.
    pub scenario: PathBuf,
    /// Last year's list: a plan folder or plan.csv (default: the scenario's `[revision] previous`).
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// Output folder (plan.csv, summary.json, diff.json, filing-*.csv).
    #[arg(long)]
    pub out: PathBuf,
    /// Stability weight: 万元 of season loss charged per line × level whose measure changes
    /// (default: the scenario's, else 20).
    #[arg(long, allow_negative_numbers = true)]
    pub stability: Option<f64>,
    /// Optimiser or the greedy ranking.
    #[arg(long, value_enum, default_value_t = Method::Mip)]
    pub method: Method,
    #[command(flatten)]
    pub solver: super::plan::SolverFlags,
}

fn listing(path: &Path, inv: Option<&Inventory>) -> Result<Listing, Failure> {
    read_listing_with(path, inv).map_err(|r| {
        super::plan::report_failure(&r, format!("{}: the list cannot be read", path.display()))
    })
}

/// Revise last year's list.
pub fn run_revise(a: ReviseArgs, english: bool, quiet: bool) -> Result<(), Failure> {
    let loaded = load(&a.scenario).map_err(load_failure)?;
    let settings = loaded.scenario.revision.clone();
    let previous_path = a
        .previous
        .or_else(|| settings.as_ref().and_then(|s| s.previous.clone()))
        .ok_or_else(|| {
            Failure::new(
                exit::USAGE,
                "no previous list: give --previous <plan dir or plan.csv> or [revision] previous in the scenario",
            )
        })?;
    let weight = a
        .stability
        .or_else(|| settings.as_ref().map(|s| s.stability_weight))
        .unwrap_or(20.0);
    let opts = super::plan::solver_flags(&loaded.scenario.solver, a.method, a.solver.overrides())?;
    if !(weight.is_finite() && weight >= 0.0) {
        return Err(Failure::new(exit::USAGE, "--stability must be ≥ 0"));
    }
    let previous = listing(&previous_path, Some(&loaded.inventory))?;
    let mut ins = super::plan::inputs(&a.scenario, &loaded.scenario);
    ins.push(&previous_path);
    let out_dir = ResultDir::create(&a.out, REVISE, &ins)?;
    let out = out_dir.path();
    let provenance = revision_provenance(&a.scenario, &loaded.scenario, &previous_path, &a.out);
    let rev = revise(&loaded, &previous, weight, &opts, english);
    let planned = &rev.planned;
    let status = planned.summary.status;
    let Some(plan) = &planned.plan else {
        let mut summary = serde_json::to_value(&planned.summary).expect("json");
        if !planned.shortfalls.is_empty() {
            summary["infeasibility"] = serde_json::to_value(&planned.shortfalls).expect("json");
            eprint!("{}", crate::diagnose::explain(&planned.shortfalls));
        }
        write_json(
            &out.join("summary.json"),
            &with_kind(summary, &a.scenario, &a.out, &provenance),
        )?;
        out_dir.commit()?;
        return Err(Failure::new(
            super::outcome::exit_code(status),
            status.message(),
        ));
    };
    write_plan(out, &loaded.inventory, plan, english)?;
    let mut current = listing(out, None)?;
    // Read from the staging folder; name the list where it will be.
    current.source = a.out.join("plan.csv").display().to_string();
    let d = diff(&previous, &current, Some(&rev.classified));
    write_json(&out.join("diff.json"), &d)?;
    write_filings(
        out,
        &loaded.inventory,
        plan,
        &previous,
        &rev.classified,
        english,
    )?;
    let mut summary = serde_json::to_value(&planned.summary).expect("json");
    let loss = rev.loss();
    summary["revision"] = json!({
        "previous": crate::io::scenario_file::stored_path(&previous_path, &a.out),
        "stability_weight": weight,
        "changed_line_levels": rev.changed,
        "stability_penalty": rev.penalty(),
        "loss": loss,
        "objective_with_stability": planned.summary.objective,
        "bound_with_stability": planned.summary.bound,
        "note": "objective is the expected season loss without the stability penalty; bound and gap refer to loss + penalty",
        "counts": d.counts,
    });
    summary["objective"] = json!(loss.map(crate::domain::summary::round6));
    summary["bound"] = Value::Null;
    write_json(
        &out.join("summary.json"),
        &with_kind(summary, &a.scenario, &a.out, &provenance),
    )?;
    out_dir.commit()?;
    if !quiet {
        print_summary(&planned.summary, english);
        let t = |zh: &'static str, en: &'static str| if english { en } else { zh };
        println!(
            "{} {:.2}   {} {:.2} ({} × {weight})",
            t(
                "不含稳定项的预期损失(万元):",
                "loss without the stability term (10k yuan):"
            ),
            loss.unwrap_or(0.0),
            t("稳定项:", "stability penalty:"),
            rev.penalty(),
            rev.changed
        );
        println!(
            "{}: {} {} / {} {} / {} +{} −{}",
            t("措施变化", "measure changes"),
            d.counts["measure_changes_forced"],
            t("强制", "forced"),
            d.counts["measure_changes_chosen"],
            t("优化选择", "chosen"),
            t("生产线", "lines"),
            d.counts["lines_added"],
            d.counts["lines_removed"]
        );
    }
    super::outcome::result(status)
}

/// `"kind": "revision"` first, then the summary's fields and the scenario file relative to the
/// result directory `out` (so that `jianpai report` can reload the inventory).
fn with_kind(summary: Value, scenario: &Path, out: &Path, provenance: &Value) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), json!("revision"));
    if let Value::Object(mut rest) = summary {
        // The plan summary says "plan"; this directory is a revision.
        rest.remove("kind");
        m.extend(rest);
    }
    m.insert(
        "scenario_file".into(),
        json!(crate::io::scenario_file::stored_path(scenario, out)),
    );
    m.insert("provenance".into(), provenance.clone());
    Value::Object(m)
}

/// The provenance of a revision: the scenario's inputs with the previous list actually read.
fn revision_provenance(
    scenario_file: &Path,
    s: &crate::domain::scenario::Scenario,
    previous: &Path,
    out: &Path,
) -> Value {
    use crate::io::provenance::{collect, scenario_inputs};
    let mut inputs = scenario_inputs(scenario_file, s);
    inputs.retain(|(role, _)| role != "previous");
    let file = if previous.join("plan.csv").is_file() {
        previous.join("plan.csv")
    } else {
        crate::plan::workbook::locate(previous)
            .map(|w| w.file)
            .unwrap_or_else(|| previous.to_path_buf())
    };
    inputs.push(("previous".into(), file));
    serde_json::to_value(collect(&inputs, out)).expect("json")
}

/// Compare two lists.
pub fn run_diff(
    old: &Path,
    new: &Path,
    inventories: (Option<&Path>, Option<&Path>),
    format: Format,
    english: bool,
) -> Result<(), Failure> {
    let mut lists = Vec::with_capacity(2);
    for (path, inv) in [(old, inventories.0), (new, inventories.1)] {
        let inv = match inv {
            Some(dir) => {
                let (inv, report) = crate::validate::load_dataset(&[dir.to_path_buf()]);
                Some(inv.ok_or_else(|| {
                    print_report(&report);
                    Failure::new(
                        exit::INVALID_INPUT,
                        format!("{}: the inventory has errors", dir.display()),
                    )
                })?)
            }
            None => None,
        };
        let mut l = listing(path, inv.as_ref())?;
        if let Some(inv) = &inv {
            l.attach_inventory(inv);
        }
        lists.push(l);
    }
    if lists[0].from_inventory != lists[1].from_inventory {
        return Err(Failure::new(
            exit::USAGE,
            "give both --old-inventory and --new-inventory, or neither",
        ));
    }
    let d = diff(&lists[0], &lists[1], None);
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&d).expect("json")),
        Format::Text => print!("{}", render(&d, english)),
    }
    Ok(())
}
