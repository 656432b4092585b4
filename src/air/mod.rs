//! What the list does to the air: monitoring stations, a source–receptor matrix (or a screening
//! estimate of one from a Gaussian plume), and the estimated PM2.5 reduction of any plan at every
//! station per level, with the city mean, the worst station and the largest contributors.
//!
//! files ([`tables`], [`stations`], [`receptors`], [`met`], [`sites`]) → [`evaluate`] →
//! [`check`] (station targets, verified from the plan file) → [`write`] and [`report`] (table,
//! map, workbook sheet). [`screening`] with [`plume`] makes a matrix when none exists.
//! [`optimise`] turns the matrix and `[air.targets]` into the model's station rows.

pub mod check;
pub mod compare;
pub mod evaluate;
pub mod geo;
pub mod met;
pub mod optimise;
pub mod plume;
pub mod receptors;
pub mod report;
pub mod screening;
pub mod seed;
pub mod settings;
pub mod sites;
pub mod stations;
pub mod tables;
pub mod write;

use crate::domain::{Inventory, Level};
use crate::validate::Report;
use std::path::Path;

/// Why an air estimate could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AirError {
    /// A table is invalid or unreadable (the report names file, row, column and value).
    #[error("{} errors in the air tables", .0.error_count())]
    Invalid(Report),
    /// The weather choice does not fit the matrix, or a target names an unknown station.
    #[error("{0}")]
    Input(String),
    /// A dataset table could not be read.
    #[error(transparent)]
    Io(#[from] crate::io::IoError),
}

impl AirError {
    fn invalid(r: Report) -> AirError {
        AirError::Invalid(r)
    }
}

/// Stations and matrix, read and validated together.
#[derive(Debug, Clone)]
pub struct AirInputs {
    /// Stations in table order.
    pub stations: Vec<stations::Station>,
    /// The matrix.
    pub matrix: receptors::Matrix,
}

/// Read the stations and the matrix.
pub fn read_inputs(stations_file: &Path, receptors_file: &Path) -> Result<AirInputs, AirError> {
    let stations = stations::read_stations(stations_file).map_err(AirError::invalid)?;
    let matrix = receptors::read_receptors(receptors_file, &stations).map_err(AirError::invalid)?;
    Ok(AirInputs { stations, matrix })
}

/// Estimate a plan given as (line id, level, cuts) rows of an inventory read from `dataset`
/// (enterprise sites for grid cells come from its enterprises table).
pub fn estimate_plan<'a>(
    inputs: &AirInputs,
    inv: &Inventory,
    dataset: &Path,
    rows: impl IntoIterator<Item = (&'a str, Level, [f64; 4])>,
    weather: Option<&str>,
) -> Result<evaluate::AirResult, AirError> {
    inputs
        .matrix
        .check_weather(weather)
        .map_err(AirError::Input)?;
    let sites = if inputs.matrix.cells.is_empty() {
        Default::default()
    } else {
        sites::read_sites(dataset)?.enterprises
    };
    let sources = evaluate::sources(inv, &sites, rows);
    Ok(evaluate::evaluate(
        &inputs.matrix,
        &inputs.stations,
        &sources,
        weather,
    ))
}

/// The `[air]` part of the schema document.
pub const SCHEMA_DOC: &str = "
## Air quality: stations, source–receptor matrix, screening (`jianpai air`, `jianpai receptors`)

`jianpai air --plan DIR --stations F --receptors F` estimates the PM2.5 reduction (µg/m³) of a plan
at every station per level: Σ over lines and precursors of the line's cut (t/d) × its coefficient.
A line's coefficient is its `line` row, else its enterprise's, else the `grid` cell holding its
enterprise's site (`lon`/`lat`/`datum` of the enterprises table), else its district's; lines with
none are reported as uncovered cut. `jianpai receptors` writes a screening matrix (rows marked
筛查估算) from a sector-averaged Gaussian plume (see docs/air.md). Scenario keys:

| key | meaning | default | allowed range |
|---|---|---|---|
| `[air]` `stations`, `receptors` | stations table and matrix: the report shows the estimate, `check` the station targets | none | |
| `[air]` `weather` | weather type whose coefficients apply (rows without one apply otherwise) | none | |
| `[air.targets]` `<level> = { station = X, mean = Y, at = { \"<id>\" = Z } }` | required PM2.5 reduction, µg/m³, at every station (the worst station), at the mean of stations, at named stations: station rows `station:<level>:PM25:<id>` / `…:mean` of the optimiser, verified by `check` from the list (exit 6 when missed) | none | [0, 1000] |
| `[air.targets.<level>]` `tonnage` | `false`: the level's tonnage targets (city, districts, controlled firms) are reported, not enforced — the level is planned by its station targets (needs one at the level) | `true` | true / false |
";
