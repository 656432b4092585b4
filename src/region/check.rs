//! Independent verification of a regional result: every city's written list is checked by the
//! list checker against the city's scenario as the region sets it (unified warning, `city_floor`),
//! and each regional target is re-derived from the lines' cuts as the checker derives them from
//! their measures, plus the cities' other-sector credits, against the regional ratio of the
//! cities' summed bases. Station targets are recomputed from the lists and the matrices: each
//! city's own (`[air.targets]` of its scenario, its own matrix) and the region's (every city's
//! lines as `<city>/<id>` sources of the regional matrix). Nothing is taken from the solver.

use super::{city_base, city_folder, load, RegionError};
use crate::air::check::{check_targets, plan_targets, TargetResult};
use crate::air::settings::AirSettings;
use crate::air::AirError;
use crate::check::{check_plan_with, CheckReport, TargetCheck};
use crate::domain::{Level, Pollutant};
use serde::Serialize;
use std::path::Path;

/// One city's check.
#[derive(Debug, Clone, Serialize)]
pub struct CityCheck {
    /// City name.
    pub city: String,
    /// Its folder in the result.
    pub folder: String,
    /// The list checker's report.
    pub report: CheckReport,
    /// The city's own station targets (`[air.targets]`), recomputed from its list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stations: Vec<TargetResult>,
}

/// A regional check.
#[derive(Debug, Clone, Serialize)]
pub struct RegionCheck {
    /// Every city's check.
    pub cities: Vec<CityCheck>,
    /// Regional targets re-derived (`target:<level>:<pollutant>:region`).
    pub regional: Vec<TargetCheck>,
    /// Regional station targets recomputed from every city's list with the regional matrix.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub regional_stations: Vec<TargetResult>,
    /// Violations in all: the cities' plus the regional targets missed.
    pub violations: usize,
}

/// A city's plan could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The region or a city could not be loaded.
    #[error(transparent)]
    Load(#[from] RegionError),
    /// A city's plan file is unreadable or malformed.
    #[error("{0}: the plan cannot be read ({1} errors)")]
    Plan(String, usize, crate::validate::Report),
    /// The stations or a matrix (a city's or the region's) could not be used.
    #[error(transparent)]
    Air(#[from] AirError),
}

/// Check the regional result in `dir` against the regional scenario `region_file`.
pub fn check_region(region_file: &Path, dir: &Path) -> Result<RegionCheck, CheckError> {
    let (r, cities) = load(region_file)?;
    let mut out = Vec::with_capacity(cities.len());
    let mut achieved = [[0.0f64; 4]; 3];
    let mut base = [0.0f64; 4];
    // Targets come with both tables (checked when the regional scenario was read).
    let regional_air = match r.air.as_ref().filter(|a| a.has_targets()) {
        Some(
            air @ AirSettings {
                stations: Some(st),
                receptors: Some(rc),
                ..
            },
        ) => Some((air, crate::air::read_inputs(st, rc)?)),
        _ => None,
    };
    let mut sources = Vec::new();
    for (i, (_, l)) in cities.iter().enumerate() {
        let folder = city_folder(i, &l.scenario.name);
        let path = dir.join("cities").join(&folder).join("plan.csv");
        let (rows, _) = crate::plan::read::read_plan(&path, Some(&l.inventory))
            .map_err(|rep| CheckError::Plan(path.display().to_string(), rep.error_count(), rep))?;
        let report = check_plan_with(&l.inventory, &l.rules, &l.scenario, &l.decisions, &rows);
        let stations = plan_targets(l, &rows)?;
        if let Some((_, inputs)) = &regional_air {
            sources.extend(city_sources(l, &rows, !inputs.matrix.cells.is_empty())?);
        }
        // Every line's cut as the checker derives it from its measure (whether or not the city
        // itself has a target for that level and pollutant), plus the city's credits.
        for (_, level, cut) in crate::check::derived_cuts(&l.inventory, &rows) {
            for (a, c) in achieved[level.index()].iter_mut().zip(cut) {
                *a += c;
            }
        }
        for level in Level::ALL {
            let credit = l.scenario.credit(level);
            for p in Pollutant::ALL {
                achieved[level.index()][p.index()] += credit[p].0;
            }
        }
        for (b, x) in base.iter_mut().zip(city_base(l)) {
            *b += x;
        }
        out.push(CityCheck {
            city: l.scenario.name.clone(),
            folder,
            report,
            stations,
        });
    }
    let mut regional = Vec::new();
    for level in Level::ALL {
        for p in Pollutant::ALL {
            if let Some(ratio) = r.targets.get(level).get(p) {
                let required = ratio * base[p.index()];
                let got = achieved[level.index()][p.index()];
                regional.push(TargetCheck {
                    row: format!("target:{}:{}:region", level.key(), p.label()),
                    required,
                    achieved: got,
                    met: crate::model::problem::reaches(got, required),
                    not_enforced: false,
                });
            }
        }
    }
    let regional_stations = match regional_air {
        Some((air, inputs)) => {
            let weather = air.weather.as_deref();
            inputs
                .matrix
                .check_weather(weather)
                .map_err(AirError::Input)?;
            let result =
                crate::air::evaluate::evaluate(&inputs.matrix, &inputs.stations, &sources, weather);
            check_targets(air, &result).map_err(AirError::Input)?
        }
        None => Vec::new(),
    };
    let violations = out
        .iter()
        .map(|c| c.report.violations.len() + c.stations.iter().filter(|t| !t.met).count())
        .sum::<usize>()
        + regional.iter().filter(|t| !t.met).count()
        + regional_stations.iter().filter(|t| !t.met).count();
    Ok(RegionCheck {
        cities: out,
        regional,
        regional_stations,
        violations,
    })
}

/// A city's listed lines as sources of the regional matrix: cuts re-derived from the measures,
/// line, enterprise and district named `<city>/<id>` as the regional matrix names them.
fn city_sources(
    l: &crate::pipeline::Loaded,
    rows: &[crate::plan::read::StatedRow],
    cells: bool,
) -> Result<Vec<crate::air::evaluate::SourceCut>, AirError> {
    // Sites place lines in grid cells: read only when the matrix has cells.
    let sites = if cells {
        crate::air::sites::read_sites(&l.scenario.inventory)?.enterprises
    } else {
        Default::default()
    };
    let city = &l.scenario.name;
    let cuts = crate::check::derived_cuts(&l.inventory, rows);
    Ok(crate::air::evaluate::sources(&l.inventory, &sites, cuts)
        .into_iter()
        .map(|mut s| {
            s.line = format!("{city}/{}", s.line);
            s.enterprise = format!("{city}/{}", s.enterprise);
            s.district = format!("{city}/{}", s.district);
            s
        })
        .collect())
}
