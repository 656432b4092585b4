//! What a plan does to the air: each line's cut at each level times its transfer coefficient,
//! summed per station; the city mean of stations, the worst station and the largest contributors.

use super::geo::LonLat;
use super::receptors::{Matrix, SourceRef, Species};
use super::stations::{Station, StationKind};
use crate::domain::{Inventory, Level, Pollutant};
use serde::Serialize;
use std::collections::HashMap;

/// One line's cuts at the three levels with what the look-up needs.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceCut {
    /// Line id.
    pub line: String,
    /// Credit code (upper case).
    pub enterprise: String,
    /// Enterprise name.
    pub enterprise_name: String,
    /// District.
    pub district: String,
    /// The enterprise's site (WGS-84), if known.
    pub site: Option<LonLat>,
    /// Cut per level (yellow, orange, red) and pollutant (SO2, NOx, PM, VOCs), t/d.
    pub cut: [[f64; 4]; 3],
}

/// The lines of a plan as sources: `rows` are (line id, level, cuts); lines not in the inventory
/// are skipped (the checker and the plan reader report them).
pub fn sources<'a>(
    inv: &Inventory,
    sites: &HashMap<String, LonLat>,
    rows: impl IntoIterator<Item = (&'a str, Level, [f64; 4])>,
) -> Vec<SourceCut> {
    let index = inv.line_positions();
    let mut cuts: std::collections::BTreeMap<usize, [[f64; 4]; 3]> = Default::default();
    for (id, level, cut) in rows {
        if let Some(&i) = index.get(id) {
            cuts.entry(i).or_default()[level.index()] = cut;
        }
    }
    cuts.into_iter()
        .map(|(i, cut)| {
            let line = &inv.lines[i];
            let e = inv.enterprise_of(line);
            let code = e.code.as_str().to_uppercase();
            SourceCut {
                line: line.id.clone(),
                site: sites.get(&code).copied(),
                enterprise: code,
                enterprise_name: e.name.clone(),
                district: e.district.clone(),
                cut,
            }
        })
        .collect()
}

/// How many enterprises are listed as largest contributors per station and level.
pub const TOP_CONTRIBUTORS: usize = 5;

/// An enterprise's share of a station's reduction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contributor {
    /// Credit code.
    pub code: String,
    /// Name.
    pub name: String,
    /// µg/m³.
    pub reduction: f64,
}

/// One station at one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StationLevel {
    /// Level.
    pub level: Level,
    /// Estimated reduction, µg/m³.
    pub reduction: f64,
    /// By precursor (SO2, NOx, PM, VOCs), µg/m³.
    pub by_precursor: [f64; 4],
    /// Cut (t/d, all precursors) of lines without a coefficient for this station: not counted.
    pub uncovered_cut: f64,
    /// Largest contributing enterprises.
    pub top: Vec<Contributor>,
}

/// One station's estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StationResult {
    /// Station id.
    pub id: String,
    /// Name.
    pub name: String,
    /// 国控 / 省控.
    pub kind: StationKind,
    /// Position, WGS-84.
    pub at: LonLat,
    /// Yellow, orange, red.
    pub levels: Vec<StationLevel>,
}

/// The city at one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelSummary {
    /// Level.
    pub level: Level,
    /// Mean of the stations' reductions, µg/m³.
    pub mean: f64,
    /// The station with the smallest reduction.
    pub worst_station: String,
    /// Its reduction, µg/m³.
    pub worst: f64,
    /// The station with the largest reduction.
    pub best_station: String,
    /// Its reduction, µg/m³.
    pub best: f64,
}

/// The estimate of one species.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeciesResult {
    /// PM2.5 or O3.
    pub species: Species,
    /// Every station.
    pub stations: Vec<StationResult>,
    /// City mean and worst station per level.
    pub levels: Vec<LevelSummary>,
}

/// What a plan does to the air.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AirResult {
    /// The matrix file.
    pub matrix: String,
    /// Whether the matrix is a screening estimate (筛查估算).
    pub screening: bool,
    /// Weather type chosen, if any.
    pub weather: Option<String>,
    /// Per species (PM2.5 first).
    pub species: Vec<SpeciesResult>,
}

impl AirResult {
    /// The PM2.5 estimate, if the matrix has PM2.5 rows.
    pub fn pm25(&self) -> Option<&SpeciesResult> {
        self.species.iter().find(|s| s.species == Species::Pm25)
    }
}

/// Evaluate the sources' cuts at every station (the weather choice is checked first by
/// [`Matrix::check_weather`]).
pub fn evaluate(
    matrix: &Matrix,
    stations: &[Station],
    sources: &[SourceCut],
    weather: Option<&str>,
) -> AirResult {
    let species = matrix
        .species
        .iter()
        .map(|&sp| evaluate_species(matrix, stations, sources, weather, sp))
        .collect();
    AirResult {
        matrix: matrix.source.clone(),
        screening: matrix.screening,
        weather: weather.map(str::to_string),
        species,
    }
}

fn evaluate_species(
    matrix: &Matrix,
    stations: &[Station],
    sources: &[SourceCut],
    weather: Option<&str>,
    species: Species,
) -> SpeciesResult {
    let cells: Vec<Option<&str>> = sources.iter().map(|s| matrix.cell_of(s.site)).collect();
    let results: Vec<StationResult> = stations
        .iter()
        .enumerate()
        .map(|(si, st)| {
            let mut levels: Vec<StationLevel> = Level::ALL
                .iter()
                .map(|&level| StationLevel {
                    level,
                    reduction: 0.0,
                    by_precursor: [0.0; 4],
                    uncovered_cut: 0.0,
                    top: Vec::new(),
                })
                .collect();
            // Enterprise → contribution per level, in first-seen order.
            let mut firms: indexmap::IndexMap<&str, (&str, [f64; 3])> = indexmap::IndexMap::new();
            for (src, cell) in sources.iter().zip(&cells) {
                let r = SourceRef {
                    line: &src.line,
                    enterprise: &src.enterprise,
                    district: &src.district,
                    cell: *cell,
                };
                for p in Pollutant::ALL {
                    let coef = matrix.coefficient(r, si, p, species, weather).map(|c| c.0);
                    for l in Level::ALL {
                        let cut = src.cut[l.index()][p.index()];
                        if cut <= 0.0 {
                            continue;
                        }
                        let lv = &mut levels[l.index()];
                        match coef {
                            Some(c) => {
                                let d = cut * c;
                                lv.reduction += d;
                                lv.by_precursor[p.index()] += d;
                                firms
                                    .entry(src.enterprise.as_str())
                                    .or_insert((src.enterprise_name.as_str(), [0.0; 3]))
                                    .1[l.index()] += d;
                            }
                            None => lv.uncovered_cut += cut,
                        }
                    }
                }
            }
            for l in Level::ALL {
                let mut top: Vec<Contributor> = firms
                    .iter()
                    .filter(|(_, (_, v))| v[l.index()] > 0.0)
                    .map(|(code, (name, v))| Contributor {
                        code: code.to_string(),
                        name: name.to_string(),
                        reduction: v[l.index()],
                    })
                    .collect();
                top.sort_by(|a, b| {
                    b.reduction
                        .total_cmp(&a.reduction)
                        .then_with(|| a.code.cmp(&b.code))
                });
                top.truncate(TOP_CONTRIBUTORS);
                levels[l.index()].top = top;
            }
            StationResult {
                id: st.id.clone(),
                name: st.name.clone(),
                kind: st.kind,
                at: st.at,
                levels,
            }
        })
        .collect();
    let levels = Level::ALL.iter().map(|&l| summary(&results, l)).collect();
    SpeciesResult {
        species,
        stations: results,
        levels,
    }
}

/// City mean, worst and best station at a level (ties: the first station in table order).
fn summary(stations: &[StationResult], level: Level) -> LevelSummary {
    let v = |s: &StationResult| s.levels[level.index()].reduction;
    let mean = if stations.is_empty() {
        0.0
    } else {
        stations.iter().map(v).sum::<f64>() / stations.len() as f64
    };
    let worst = stations
        .iter()
        .reduce(|a, b| if v(b) < v(a) { b } else { a });
    let best = stations
        .iter()
        .reduce(|a, b| if v(b) > v(a) { b } else { a });
    LevelSummary {
        level,
        mean,
        worst_station: worst.map(|s| s.id.clone()).unwrap_or_default(),
        worst: worst.map(v).unwrap_or(0.0),
        best_station: best.map(|s| s.id.clone()).unwrap_or_default(),
        best: best.map(v).unwrap_or(0.0),
    }
}
