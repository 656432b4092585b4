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
    let weather = settings.weather.as_deref();
    inputs
        .matrix
        .check_weather(weather)
        .map_err(AirError::Input)?;
    if !inputs.matrix.species.contains(&Species::Pm25) {
        return Err(AirError::Input(format!(
            "error[E931] {}: the matrix has no PM2.5 rows; station targets need them",
            inputs.matrix.source
        )));
    }
    let targets = targets(settings, inputs)?;
    let sites = if inputs.matrix.cells.is_empty() {
        Default::default()
    } else {
        super::sites::read_sites(dataset)?.enterprises
    };
    let n = inputs.stations.len();
    let transfer = inv
        .lines
        .iter()
        .map(|line| {
            let e = inv.enterprise_of(line);
            let code = e.code.as_str().to_uppercase();
            let r = SourceRef {
                line: &line.id,
                enterprise: &code,
                district: &e.district,
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
        .collect();
    Ok(StationRows { transfer, targets })
}

/// The station rows per level: one per station (the larger of `station` and its `at` entry) in
/// table order, then the mean.
fn targets(settings: &AirSettings, inputs: &AirInputs) -> Result<Vec<StationTarget>, AirError> {
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
