//! The station rows of the optimisation model: every line's transfer coefficients to every
//! station (the same look-up as [`super::evaluate`]: line, else enterprise, else grid cell, else
//! district row; PM2.5 only) and the station targets of `[air.targets]` as rows
//! `station:<level>:PM25:<station>` and `station:<level>:PM25:mean`.

use super::receptors::{SourceRef, Species};
use super::settings::AirSettings;
use super::{AirError, AirInputs};
use crate::domain::{Inventory, Level, Pollutant};
use crate::model::StationTarget;
use std::path::Path;

/// What the model needs of the air inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct StationRows {
    /// Per inventory line (same order as `Inventory::lines`), its transfer coefficients to each
    /// receptor — the stations in table order, then their mean — in µg/m³ of PM2.5 per t/d of
    /// SO2, NOx, PM, VOCs (0 where the matrix has no coefficient).
    pub transfer: Vec<Vec<[f64; 4]>>,
    /// The station rows, level by level.
    pub targets: Vec<StationTarget>,
    /// Receptors: the stations and their mean.
    pub receptors: usize,
}

/// The station rows of a scenario's `[air.targets]` over an inventory whose enterprise sites are
/// read from `dataset`. An `at` key naming a station the table lacks, or a matrix without PM2.5
/// rows, is an error (E931); a weather type the matrix lacks is E919.
pub fn station_rows(
    settings: &AirSettings,
    inputs: &AirInputs,
    inv: &Inventory,
    dataset: &Path,
) -> Result<StationRows, AirError> {
    let targets = targets(settings, inputs)?;
    let transfer = transfer(inputs, inv, dataset, settings.weather.as_deref(), None)?;
    Ok(StationRows {
        transfer,
        targets,
        receptors: inputs.stations.len() + 1,
    })
}

/// Per inventory line, its transfer coefficients to each receptor (the stations in table order,
/// then their mean; empty when all are 0). With `city`, the matrix is a region's: its line,
/// enterprise and district sources are named `<city>/<id>` (the city's scenario name), grid
/// cells as they are.
pub fn transfer(
    inputs: &AirInputs,
    inv: &Inventory,
    dataset: &Path,
    weather: Option<&str>,
    city: Option<&str>,
) -> Result<Vec<Vec<[f64; 4]>>, AirError> {
    let sites = if inputs.matrix.cells.is_empty() {
        Default::default()
    } else {
        super::sites::read_sites(dataset)?.enterprises
    };
    let qualify = |id: &str| city.map_or_else(|| id.to_string(), |c| format!("{c}/{id}"));
    let n = inputs.stations.len();
    Ok(inv
        .lines
        .iter()
        .map(|line| {
            let e = inv.enterprise_of(line);
            let code = e.code.as_str().to_uppercase();
            let (line_id, enterprise, district) =
                (qualify(&line.id), qualify(&code), qualify(&e.district));
            let r = SourceRef {
                line: &line_id,
                enterprise: &enterprise,
                district: &district,
                cell: inputs.matrix.cell_of(sites.get(&code).copied()),
            };
            let mut t: Vec<[f64; 4]> = (0..n)
                .map(|si| {
                    Pollutant::ALL.map(|p| {
                        inputs
                            .matrix
                            .coefficient(r, si, p, Species::Pm25, weather)
                            .map_or(0.0, |c| c.0)
                    })
                })
                .collect();
            let mean = std::array::from_fn(|q| {
                if n == 0 {
                    0.0
                } else {
                    t.iter().map(|c| c[q]).sum::<f64>() / n as f64
                }
            });
            t.push(mean);
            if t.iter().flatten().all(|&c| c == 0.0) {
                t.clear();
            }
            t
        })
        .collect())
}

/// The station rows per level: one per station (the larger of `station` and its `at` entry) in
/// table order, then the mean (receptor = the station count). The weather choice must fit the
/// matrix (E919), the matrix must have PM2.5 rows and `at` must name known stations (E931).
pub fn targets(settings: &AirSettings, inputs: &AirInputs) -> Result<Vec<StationTarget>, AirError> {
    inputs
        .matrix
        .check_weather(settings.weather.as_deref())
        .map_err(AirError::Input)?;
    if !inputs.matrix.species.contains(&Species::Pm25) {
        return Err(AirError::Input(format!(
            "error[E931] {}: the matrix has no PM2.5 rows; station targets need them",
            inputs.matrix.source
        )));
    }
    let mut out = Vec::new();
    let n = inputs.stations.len();
    for level in Level::ALL {
        let Some(t) = settings.targets.get(level) else {
            continue;
        };
        for id in t.at.keys() {
            if !inputs.stations.iter().any(|s| &s.id == id) {
                return Err(AirError::Input(format!(
                    "error[E931] [air.targets.{}] at names station {id:?}, which the stations table lacks",
                    level.key()
                )));
            }
        }
        for (si, s) in inputs.stations.iter().enumerate() {
            let required = [t.station, t.at.get(&s.id).copied()]
                .into_iter()
                .flatten()
                .reduce(f64::max);
            if let Some(required) = required {
                out.push(StationTarget {
                    level,
                    receptor: si,
                    station: s.id.clone(),
                    name: s.name.clone(),
                    required,
                });
            }
        }
        if let Some(required) = t.mean {
            out.push(StationTarget {
                level,
                receptor: n,
                station: "mean".into(),
                name: "mean 城市均值".into(),
                required,
            });
        }
    }
    Ok(out)
}
