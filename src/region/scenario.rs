//! The regional scenario (`region.toml`): the cities planned together, the unified warning and
//! the regional targets. Paths are relative to the file; every number is range-checked.

use crate::domain::scenario::{
    Bound, LevelTable, PollutantTable, SolverOptions, RATIO, SEASON_DAYS, SHARE,
};
use crate::domain::{Level, Pollutant};
use crate::io::IoError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Most cities in one region (a province has about 13; room for a large one).
pub const MAX_CITIES: usize = 50;

/// A regional scenario as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionScenario {
    /// Display name.
    pub name: String,
    /// The cities' list scenarios, absolute after reading.
    pub cities: Vec<PathBuf>,
    /// Share of each city's own targets (city-wide, district and controlled-firm rows) the city
    /// must still meet by itself: 1 = every city meets its own targets (default), 0 = cities
    /// trade cuts freely under the regional targets.
    #[serde(default = "one")]
    pub city_floor: f64,
    /// Unified warning: expected warning days per level for every city (default: the cities'
    /// own, which must then agree).
    #[serde(default)]
    pub days: Option<LevelTable<f64>>,
    /// Unified warning: expected episodes per level for every city (restart costs).
    #[serde(default)]
    pub episodes: Option<LevelTable<f64>>,
    /// Regional targets: required cut ratio per level × pollutant of the region's whole-society
    /// emissions (the sum of the cities' bases); the cities' other-sector credits count.
    #[serde(default)]
    pub targets: LevelTable<PollutantTable>,
    /// Regional station targets (`[air]` as in a city's scenario: stations, a regional matrix
    /// and `[air.targets]`). The matrix names line, enterprise and district sources
    /// `<city>/<id>` (the city's scenario name), grid cells as they are; the rows run over
    /// every city's lines. Paths are relative to this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub air: Option<crate::air::settings::AirSettings>,
    /// Solver settings of the joint solve.
    #[serde(default)]
    pub solver: SolverOptions,
}

fn one() -> f64 {
    1.0
}

fn format_error(file: &Path, message: impl Into<String>) -> IoError {
    IoError::Format {
        file: file.display().to_string(),
        message: message.into(),
    }
}

/// Read and check a regional scenario: the file parses, every number is in range, there are 1 to
/// [`MAX_CITIES`] cities and no city file is named twice. City files are read later (their own
/// errors name their own file).
pub fn read_region(path: &Path) -> Result<RegionScenario, IoError> {
    let text = crate::io::scenario_file::read_text(path)?;
    let mut r: RegionScenario =
        toml::from_str(&text).map_err(|e| format_error(path, e.to_string().trim().to_string()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    for c in &mut r.cities {
        if c.is_relative() {
            *c = base.join(&*c);
        }
    }
    if let Some(a) = &mut r.air {
        for p in [&mut a.stations, &mut a.receptors].into_iter().flatten() {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
    }
    checked(path, r)
}

/// A regional scenario from a (merged) table whose city paths are absolute, checked as
/// [`read_region`] checks a file; `file` names it in errors (a sweep's regional cases).
pub fn region_from_table(file: &Path, table: toml::Table) -> Result<RegionScenario, IoError> {
    let r: RegionScenario = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| format_error(file, e.message().trim().to_string()))?;
    checked(file, r)
}

/// Range and consistency checks of a regional scenario whose city paths are absolute.
fn checked(path: &Path, r: RegionScenario) -> Result<RegionScenario, IoError> {
    if r.cities.is_empty() || r.cities.len() > MAX_CITIES {
        return Err(format_error(
            path,
            format!(
                "cities: {} files; a region has 1 to {MAX_CITIES} cities",
                r.cities.len()
            ),
        ));
    }
    for (i, c) in r.cities.iter().enumerate() {
        let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => a == b,
        };
        if let Some(j) = r.cities[..i].iter().position(|d| same(c, d)) {
            return Err(format_error(
                path,
                format!(
                    "cities: {} is named twice (entries {} and {})",
                    c.display(),
                    j + 1,
                    i + 1
                ),
            ));
        }
    }
    let bound =
        |b: &Bound, key: String, v: f64| b.check(&key, v).map_err(|m| format_error(path, m));
    bound(&SHARE, "city_floor".into(), r.city_floor)?;
    for l in Level::ALL {
        for p in Pollutant::ALL {
            if let Some(v) = r.targets.get(l).get(p) {
                bound(&RATIO, format!("[targets.{}] {}", l.key(), p.key()), v)?;
            }
        }
        for (table, name) in [(&r.days, "days"), (&r.episodes, "episodes")] {
            if let Some(t) = table {
                bound(&SEASON_DAYS, format!("[{name}] {}", l.key()), *t.get(l))?;
            }
        }
    }
    r.solver.check().map_err(|m| format_error(path, m))?;
    if let Some(m) = r.air.as_ref().and_then(|a| a.check().into_iter().next()) {
        return Err(format_error(path, m));
    }
    Ok(r)
}

impl RegionScenario {
    /// Whether any regional target is set.
    pub fn has_targets(&self) -> bool {
        Level::ALL.iter().any(|&l| {
            Pollutant::ALL
                .iter()
                .any(|&p| self.targets.get(l).get(p).is_some())
        })
    }
}
