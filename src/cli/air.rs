//! `jianpai air` (what a plan does to the air), `jianpai receptors` (a screening matrix) and
//! `jianpai seeds air` (the synthetic city with sites, stations and a matrix).

use super::plan::report_failure;
use super::{Failure, Format};
use crate::air::{self, AirError};
use crate::exit;
use crate::io::result_dir::{refuse_inputs, ResultDir, AIR, SEEDS_AIR};
use crate::report::Labels;
use std::path::{Path, PathBuf};

/// Flags of `jianpai air`.
#[derive(Debug, clap::Args)]
pub struct AirArgs {
    /// Plan folder (plan.csv + summary.json) or list workbook (with --scenario).
    #[arg(long)]
    pub plan: PathBuf,
    /// Source–receptor matrix (default: the scenario's `[air] receptors`).
    #[arg(long)]
    pub receptors: Option<PathBuf>,
    /// Stations table (default: the scenario's `[air] stations`).
    #[arg(long)]
    pub stations: Option<PathBuf>,
    /// Scenario TOML (default: the one named in summary.json).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Weather type whose coefficients apply (default: the scenario's `[air] weather`).
    #[arg(long)]
    pub weather: Option<String>,
    /// Also write air.csv, air.json and the station maps (SVG) into this folder.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Map an air error to a failure (tables: their diagnostics printed, exit 3 or 7).
pub(super) fn air_failure(e: AirError) -> Failure {
    match e {
        AirError::Invalid(r) => report_failure(&r, "the air tables have errors".into()),
        AirError::Input(m) => Failure::new(exit::INVALID_INPUT, m),
        AirError::Io(io) => io.into(),
    }
}

/// `jianpai air`.
pub fn run_air(a: AirArgs, english: bool, quiet: bool) -> Result<(), Failure> {
    let t = Labels { english };
    let data = crate::report::plan_data::load(&a.plan, a.scenario.as_deref(), english)
        .map_err(super::report::failure)?;
    let settings = data.scenario.air.clone().unwrap_or_default();
    let (Some(stations), Some(receptors)) = (
        a.stations.clone().or(settings.stations.clone()),
        a.receptors.clone().or(settings.receptors.clone()),
    ) else {
        return Err(Failure::new(
            exit::USAGE,
            "give --stations and --receptors, or name them in the scenario ([air] stations, receptors)",
        ));
    };
    let inputs = air::read_inputs(&stations, &receptors).map_err(air_failure)?;
    let weather = a.weather.clone().or(settings.weather.clone());
    let rows = data.lines.iter().flat_map(|l| {
        let id = data.inventory.lines[l.line].id.as_str();
        crate::domain::Level::ALL.map(|lv| (id, lv, l.levels[lv.index()].cut))
    });
    let result = air::estimate_plan(
        &inputs,
        &data.inventory,
        &data.scenario.inventory,
        rows,
        weather.as_deref(),
    )
    .map_err(air_failure)?;
    let targets = air::check::check_targets(&settings, &result)
        .map_err(|m| Failure::new(exit::INVALID_INPUT, m))?;
    if let Some(out) = &a.out {
        let dir = ResultDir::create(
            out,
            AIR,
            &[a.plan.as_path(), stations.as_path(), receptors.as_path()],
        )?;
        crate::io::atomic::write_bytes(
            &dir.path().join("air.csv"),
            &air::write::to_csv(&result, &targets, t),
        )?;
        crate::io::atomic::write_bytes(
            &dir.path().join("air.json"),
            air::write::to_json(&result, &targets, t).as_bytes(),
        )?;
        for sp in &result.species {
            for l in [crate::domain::Level::Orange, crate::domain::Level::Red] {
                let title = format!(
                    "{} {} {}（{}）",
                    t.level(l),
                    sp.species.label(),
                    t.t("降幅（µg/m³）", "reduction (µg/m³)"),
                    air::write::basis(&result, t)
                );
                let svg = air::report::station_map(sp, l, &title, t);
                let name = format!(
                    "air-map-{}-{}.svg",
                    sp.species.label().replace('.', ""),
                    l.key()
                );
                crate::io::atomic::write_bytes(&dir.path().join(name), svg.as_bytes())?;
            }
        }
        dir.commit()?;
    }
    match a.format {
        Format::Json => println!("{}", air::write::to_json(&result, &targets, t)),
        Format::Text if !quiet => print!("{}", air::write::to_text(&result, &targets, t)),
        Format::Text => {}
    }
    Ok(())
}

/// Flags of `jianpai receptors`.
#[derive(Debug, clap::Args)]
pub struct ReceptorsArgs {
    /// Dataset folder (enterprises with lon/lat/datum; lines with stack heights if known).
    #[arg(long)]
    pub inventory: PathBuf,
    /// Stations table.
    #[arg(long)]
    pub stations: PathBuf,
    /// Wind-direction × speed × stability frequency table (e.g. winter.csv).
    #[arg(long)]
    pub met: PathBuf,
    /// The matrix to write (CSV, rows marked 筛查估算).
    #[arg(long)]
    pub out: PathBuf,
}

/// `jianpai receptors`: a screening matrix.
pub fn run_receptors(a: ReceptorsArgs, quiet: bool) -> Result<(), Failure> {
    refuse_inputs(
        &a.out,
        &[a.inventory.as_path(), a.stations.as_path(), a.met.as_path()],
    )?;
    let written = screening_matrix(&a.inventory, &a.stations, &a.met, &a.out)?;
    if !quiet {
        println!(
            "筛查估算：{written} 个传输系数写入 {} (screening estimate: {written} coefficients written)",
            a.out.display()
        );
    }
    Ok(())
}

/// Read the inputs, estimate and write the matrix atomically; returns the rows written.
fn screening_matrix(
    inventory: &Path,
    stations: &Path,
    met: &Path,
    out: &Path,
) -> Result<usize, Failure> {
    let (inv, report) = crate::validate::load_dataset(&[inventory.to_path_buf()]);
    let inv = inv.ok_or_else(|| {
        report_failure(
            &report,
            format!("{}: the inventory has errors", inventory.display()),
        )
    })?;
    let stations = air::stations::read_stations(stations)
        .map_err(AirError::Invalid)
        .map_err(air_failure)?;
    let (met, warnings) = air::met::read_met(met)
        .map_err(AirError::Invalid)
        .map_err(air_failure)?;
    for w in &warnings.diagnostics {
        eprintln!("{w}");
    }
    let sites = air::sites::read_sites(inventory)?;
    let s = air::screening::estimate(&inv, &sites, &stations, &met);
    if let Some(first) = s.without_site.first() {
        eprintln!(
            "warning[W903] {}: {} emitting enterprises have no coordinates and get no coefficient (first: {first}) — add 经度, 纬度 and 坐标系 to the enterprises table",
            inventory.display(),
            s.without_site.len()
        );
    }
    if s.rows.is_empty() {
        return Err(Failure::new(
            exit::INVALID_INPUT,
            format!(
                "error[E926] {}: no emitting enterprise has coordinates: nothing to estimate",
                inventory.display()
            ),
        ));
    }
    crate::io::atomic::write_bytes(out, &air::screening::to_csv(&s.rows, &stations))?;
    Ok(s.rows.len())
}

/// `jianpai seeds air`: a copy of a dataset whose enterprises carry synthetic sites, with
/// illustrative stations, a winter wind table and the screening matrix.
pub fn run_seeds_air(dataset: &Path, seed: u64, out: &Path, quiet: bool) -> Result<(), Failure> {
    let dir = ResultDir::create(out, SEEDS_AIR, &[dataset])?;
    let (inv, report) = crate::validate::load_dataset(&[dataset.to_path_buf()]);
    let inv = inv.ok_or_else(|| {
        report_failure(
            &report,
            format!("{}: the dataset has errors", dataset.display()),
        )
    })?;
    air::seed::write_dataset(dataset, &inv, seed, dir.path())?;
    let p = dir.path();
    let rows = screening_matrix(
        p,
        &p.join("stations.csv"),
        &p.join("met.csv"),
        &p.join("receptors.csv"),
    )?;
    dir.commit()?;
    if !quiet {
        println!(
            "wrote {} (sites, 8 stations, winter wind table, {rows} screening coefficients; illustrative)",
            out.display()
        );
    }
    Ok(())
}
