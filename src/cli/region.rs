//! `jianpai region`: several cities planned together, and `jianpai check` of a regional result.

use super::plan::{load_failure, print_summary, solver_flags};
use super::{Failure, Format};
use crate::domain::summary::round6;
use crate::exit;
use crate::io::result_dir::{ResultDir, REGION};
use crate::plan::write::{write_json, write_plan};
use crate::region::check::{check_region, CheckError};
use crate::region::{build_region, city_folder, load, plan_region, RegionError};
use crate::revise::filings;
use crate::solve::Method;
use std::path::{Path, PathBuf};

/// Flags of `jianpai region`.
#[derive(Debug, clap::Args)]
pub struct RegionArgs {
    /// Regional scenario TOML (`cities = [...]`, `[targets.<level>]`, `city_floor`, `[days]`,
    /// `[air]` regional station targets).
    pub scenario: PathBuf,
    /// Output folder: summary.json and the filings (the region) and cities/NN-<city>/ (each
    /// city's list and filings).
    #[arg(long)]
    pub out: PathBuf,
    /// The regional scenario's `[solver]` overridden (the whole regional solve).
    #[command(flatten)]
    pub solver: super::plan::SolverFlags,
}

fn region_failure(e: RegionError) -> Failure {
    match e {
        RegionError::Region(io @ crate::io::IoError::Read { .. }) => {
            Failure::new(exit::IO, io.to_string())
        }
        RegionError::City { file, source } => {
            let f = load_failure(source);
            Failure::new(f.code, format!("{file}: {}", f.message))
        }
        e => Failure::new(exit::INVALID_INPUT, e.to_string()),
    }
}

/// Plan the region and write its result folder as one unit.
pub fn run(a: RegionArgs, english: bool, quiet: bool) -> Result<(), Failure> {
    let (r, cities) = load(&a.scenario).map_err(region_failure)?;
    let opts = solver_flags(&r.solver, Method::Mip, a.solver.overrides())?;
    let mut inputs: Vec<&Path> = vec![a.scenario.as_path()];
    for (file, l) in &cities {
        inputs.extend(super::plan::inputs(file, &l.scenario));
    }
    if let Some(a) = &r.air {
        inputs.extend(
            [&a.stations, &a.receptors]
                .into_iter()
                .flatten()
                .map(PathBuf::as_path),
        );
    }
    let out_dir = ResultDir::create(&a.out, REGION, &inputs)?;
    let region = build_region(r, cities).map_err(region_failure)?;
    let planned = plan_region(&region, &opts, english);
    let dir = out_dir.path();
    let mut city_rows = Vec::new();
    let mut rollup = filings::Rollup::new(english);
    let mut filed = 0;
    for (i, (c, p)) in region.cities.iter().zip(&planned.cities).enumerate() {
        let folder = city_folder(i, &c.name);
        let cdir = dir.join("cities").join(&folder);
        std::fs::create_dir_all(&cdir)
            .map_err(|e| Failure::new(exit::IO, format!("{}: {e}", cdir.display())))?;
        if let Some(plan) = &p.plan {
            write_plan(&cdir, &c.loaded.inventory, plan, english)?;
            let f = filings::plan_filings(&c.loaded.inventory, plan, english);
            filings::write_all(&cdir, &f)?;
            rollup.add(&c.name, &f);
            filed += 1;
        }
        // The city's scenario as the region set it (unified warning, city_floor), its paths
        // relative to the city folder, so that `check` and `report` of the folder re-derive the
        // same figures from any working folder.
        let internal = |e: String| {
            Failure::new(
                exit::INTERNAL,
                format!("{}: scenario: {e}", c.file.display()),
            )
        };
        let mut table =
            toml::Table::try_from(&c.loaded.scenario).map_err(|e| internal(e.to_string()))?;
        let final_dir = a.out.join("cities").join(&folder);
        crate::io::scenario_file::map_paths(&mut table, |p| {
            crate::io::scenario_file::stored_path(p, &final_dir)
        });
        let text = toml::to_string(&table).map_err(|e| internal(e.to_string()))?;
        crate::io::atomic::write_bytes(&cdir.join("scenario.toml"), text.as_bytes())?;
        let mut summary = serde_json::to_value(&p.summary).expect("json");
        summary["region"] = region.scenario.name.clone().into();
        summary["scenario_file"] = "scenario.toml".into();
        summary["provenance"] = super::plan::provenance(&c.file, &c.loaded.scenario, &a.out);
        write_json(&cdir.join("summary.json"), &summary)?;
        city_rows.push(serde_json::json!({
            "city": c.name,
            "folder": folder,
            "lines": c.units.len(),
            "loss": p.summary.objective,
        }));
    }
    let regional: Vec<serde_json::Value> = region
        .regional_targets()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let o = planned.regional_targets.get(i);
            serde_json::json!({
                "row": crate::model::registry::target_name(&region.joint, t),
                "level": t.level.key(),
                "pollutant": t.pollutant.label(),
                "ratio": t.ratio,
                "base": round6(t.base),
                "required": round6(t.required),
                "credit": round6(t.credit),
                "achieved_by_lines": o.map(|o| round6(o.by_lines)),
                "achieved": o.map(|o| round6(o.achieved)),
                "met": o.map(|o| o.met),
                "marginal_loss_per_tonne": o.and_then(|o| o.price).map(round6),
            })
        })
        .collect();
    let stations: Vec<serde_json::Value> = region
        .regional_stations()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let o = planned.regional_stations.get(i);
            serde_json::json!({
                "row": crate::model::registry::station_name(s),
                "level": s.level.key(),
                "station": s.station,
                "name": s.name,
                "required": round6(s.required),
                "achieved": o.map(|o| round6(o.achieved)),
                "met": o.map(|o| o.met),
                "marginal_loss_per_ugm3": o.and_then(|o| o.price).map(round6),
                "by_city": o.map(|o| o.by_city.iter().map(|&x| round6(x)).collect::<Vec<_>>()),
            })
        })
        .collect();
    let report = &planned.report;
    let mut summary = serde_json::json!({
        "kind": "region",
        "region": region.scenario.name,
        "status": report.status,
        "status_message": report.status.message(),
        "objective": report.objective.map(round6),
        "bound": report.bound.map(round6),
        "gap": report.gap,
        "city_floor": region.scenario.city_floor,
        "cities": city_rows,
        "regional_targets": regional,
        "regional_stations": stations,
        "solver": report,
        "scenario_file": crate::io::scenario_file::stored_path(&a.scenario, &a.out),
    });
    if !planned.shortfalls.is_empty() {
        summary["infeasibility"] = serde_json::to_value(&planned.shortfalls).expect("json");
    }
    let prov_inputs: Vec<(String, PathBuf)> =
        std::iter::once(("region".to_string(), a.scenario.clone()))
            .chain(
                region.cities.iter().flat_map(|c| {
                    crate::io::provenance::scenario_inputs(&c.file, &c.loaded.scenario)
                }),
            )
            .chain(region.scenario.air.iter().flat_map(|a| {
                [
                    ("region stations", &a.stations),
                    ("region receptors", &a.receptors),
                ]
                .into_iter()
                .filter_map(|(role, p)| Some((role.to_string(), p.clone()?)))
            }))
            .collect();
    summary["provenance"] =
        serde_json::to_value(crate::io::provenance::collect(&prov_inputs, &a.out)).expect("json");
    // The region's roll-up of the cities' filings (a 城市 column, cities in order).
    if filed == region.cities.len() {
        rollup.write_all(dir)?;
        summary["filings"] = serde_json::json!(filings::FILES);
    }
    write_json(&dir.join("summary.json"), &summary)?;
    out_dir.commit()?;
    if !quiet {
        print_region(&region, &planned, english);
    }
    if !planned.shortfalls.is_empty() {
        eprint!("{}", crate::diagnose::explain(&planned.shortfalls));
    }
    super::outcome::result(report.status)
}

fn print_region(
    region: &crate::region::Region,
    planned: &crate::region::RegionPlanned,
    english: bool,
) {
    use super::outcome::{figure, gap};
    let r = &planned.report;
    let [head, cities, status, loss, bound, gap_label] = if english {
        [
            "region ",
            ": ",
            " cities; status: ",
            "; loss (10k yuan) ",
            "   bound ",
            "   gap ",
        ]
    } else {
        [
            "区域 ",
            "：",
            " 个城市；求解状态：",
            "；预期损失(万元) ",
            "   下界 ",
            "   间隙 ",
        ]
    };
    println!(
        "{head}{}{cities}{}{status}{}{loss}{}{bound}{}{gap_label}{}",
        region.scenario.name,
        region.cities.len(),
        r.status.message(),
        figure(r.objective),
        figure(r.bound),
        gap(r.gap)
    );
    for (t, o) in region
        .regional_targets()
        .iter()
        .zip(&planned.regional_targets)
    {
        let row = crate::model::registry::target_name(&region.joint, t);
        let (need, got) = (t.required, o.achieved);
        if english {
            println!("  {row}: required {need:.3} t/d, achieved {got:.3} t/d");
        } else {
            println!("  {row}：要求减排 {need:.3} t/d，实现 {got:.3} t/d");
        }
    }
    for (s, o) in region
        .regional_stations()
        .iter()
        .zip(&planned.regional_stations)
    {
        let row = crate::model::registry::station_name(s);
        let (need, got) = (s.required, o.achieved);
        if english {
            println!(
                "  {row} ({}): required {need:.4} µg/m³, estimated {got:.4} µg/m³",
                s.name
            );
        } else {
            println!(
                "  {row}（{}）：要求下降 {need:.4} µg/m³，估算下降 {got:.4} µg/m³",
                s.name
            );
        }
    }
    for (c, p) in region.cities.iter().zip(&planned.cities) {
        println!("— {}", c.name);
        print_summary(&p.summary, english);
    }
}

/// Whether `dir` is a regional result (summary.json of kind `region`).
pub fn is_region(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("summary.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v["kind"] == "region")
}

/// `jianpai check DIR --scenario region.toml` on a regional result.
pub fn run_check(dir: &Path, scenario: &Path, format: Format, quiet: bool) -> Result<(), Failure> {
    let report = check_region(scenario, dir).map_err(|e| match e {
        CheckError::Load(e) => region_failure(e),
        CheckError::Plan(file, n, rep) => super::plan::report_failure(
            &rep,
            format!("{file}: the plan cannot be read ({n} errors)"),
        ),
        CheckError::Air(e) => super::air::air_failure(e),
    })?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report).expect("json")),
        Format::Text => {
            for c in &report.cities {
                let file = format!("cities/{}/plan.csv", c.folder);
                for v in &c.report.violations {
                    super::check::print_violation(v, &file);
                }
            }
            let stations = report
                .cities
                .iter()
                .flat_map(|c| c.stations.iter().map(move |t| (Some(&c.city), t)))
                .chain(report.regional_stations.iter().map(|t| (None, t)));
            for (city, t) in stations.filter(|(_, t)| !t.met) {
                eprintln!(
                    "violation[station-target] {}{}: 估算浓度下降 {:.4} µg/m³ < 要求 {:.4} µg/m³ (achieved < required)",
                    city.map_or(String::new(), |c| format!("{c} ")),
                    t.row,
                    t.achieved,
                    t.required
                );
            }
            for t in report.regional.iter().filter(|t| !t.met) {
                eprintln!(
                    "violation[regional-target] {}: 区域减排量 {:.4} t/d < 要求 {:.4} t/d (achieved < required)",
                    t.row, t.achieved, t.required
                );
            }
            if !quiet {
                let rows = report.cities.iter().map(|c| c.report.rows).sum::<usize>();
                println!(
                    "区域核查：{} 个城市（清单 {} 行），{} 项区域目标，违规 {} 项 / checked {} cities ({} plan rows), {} regional targets: {} violations",
                    report.cities.len(),
                    rows,
                    report.regional.len(),
                    report.violations,
                    report.cities.len(),
                    rows,
                    report.regional.len(),
                    report.violations
                );
            }
        }
    }
    super::outcome::check_result(report.violations)
}
