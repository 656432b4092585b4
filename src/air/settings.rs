//! Scenario keys `[air]`: the stations and matrix a scenario's reports and `check` use, and
//! station targets per level — enforced by the optimiser as station rows and verified by
//! `check` — with the level's tonnage targets kept or switched off (`tonnage = false`).

use crate::domain::scenario::{Bound, LevelTable};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `[air]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AirSettings {
    /// Stations table (relative to the scenario file).
    pub stations: Option<PathBuf>,
    /// Source–receptor matrix (relative to the scenario file).
    pub receptors: Option<PathBuf>,
    /// Warning-weather type whose coefficients apply.
    #[serde(default)]
    pub weather: Option<String>,
    /// Required PM2.5 reductions per level (`[air.targets] red = { station = 8.0 }`).
    #[serde(default)]
    pub targets: LevelTable<Option<StationTargets>>,
}

/// Required PM2.5 reductions at one level, µg/m³.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationTargets {
    /// Every station (the worst station) at least this.
    pub station: Option<f64>,
    /// The mean of the stations at least this.
    pub mean: Option<f64>,
    /// Named stations at least these (station id → µg/m³).
    #[serde(default)]
    pub at: IndexMap<String, f64>,
    /// Whether the level's tonnage targets (city, districts, controlled firms) still bind
    /// beside the station rows; `false` plans the level by the station targets alone.
    #[serde(default = "yes")]
    pub tonnage: bool,
}

fn yes() -> bool {
    true
}

impl StationTargets {
    /// Whether any station row is asked for.
    pub fn any(&self) -> bool {
        self.station.is_some() || self.mean.is_some() || !self.at.is_empty()
    }
}

/// Range of a required reduction, µg/m³.
pub const REDUCTION: Bound =
    Bound::closed(0.0, 1000.0, "a required concentration reduction (µg/m³)");

impl AirSettings {
    /// Range checks of `[air.targets]` (one message per bad key).
    pub fn check(&self) -> Vec<String> {
        let mut errs = Vec::new();
        for l in crate::domain::Level::ALL {
            let Some(t) = self.targets.get(l) else {
                continue;
            };
            let table = format!("[air.targets.{}]", l.key());
            let mut bound = |key: String, v: f64| {
                if let Err(e) = REDUCTION.check(&key, v) {
                    errs.push(e);
                }
            };
            if let Some(v) = t.station {
                bound(format!("{table} station"), v);
            }
            if let Some(v) = t.mean {
                bound(format!("{table} mean"), v);
            }
            for (id, &v) in &t.at {
                bound(
                    format!("{table} at.{}", crate::io::scenario_file::key_path(&[id])),
                    v,
                );
            }
            if !t.tonnage && !t.any() {
                errs.push(format!(
                    "{table} tonnage = false needs a station target at the level (station, mean or at): otherwise the level has no target at all"
                ));
            }
        }
        if self.has_targets() && (self.stations.is_none() || self.receptors.is_none()) {
            errs.push("[air.targets] needs [air] stations and receptors to be checked".into());
        }
        errs
    }

    /// Whether any station target is set.
    pub fn has_targets(&self) -> bool {
        crate::domain::Level::ALL
            .iter()
            .any(|&l| self.targets.get(l).is_some())
    }

    /// Whether the tonnage targets bind at `level` (yes unless `tonnage = false` there).
    pub fn tonnage(&self, level: crate::domain::Level) -> bool {
        self.targets.get(level).as_ref().is_none_or(|t| t.tonnage)
    }
}
