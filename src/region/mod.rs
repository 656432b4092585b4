//! Several cities planned together (区域联防联控): a regional scenario names the cities' list
//! scenarios, a unified warning (one set of expected warning days) and regional targets. One
//! joint model holds every city's lines; each city's own targets stay as rows of its member
//! scope (scaled by `city_floor`), the regional targets are rows over all lines, and so are the
//! regional station targets (`[air]` of the regional scenario, a regional matrix); a city's own
//! station targets and fairness rule stay rows over its lines. The joint solution is split back
//! into one list per city, each written and checked like a city's own.

pub mod check;
pub mod decompose;
pub mod prices;
pub mod scenario;

use crate::diagnose::Shortfall;
use crate::domain::scenario::Scenario;
use crate::domain::{Level, Pollutant};
use crate::io::scenario_file::read_scenario;
use crate::model::family::coupling_rows;
use crate::model::problem::reaches;
use crate::model::registry::Family;
use crate::model::{Problem, Scope, Target};
use crate::pipeline::{finish, load_inventory, prepare, LoadError, Loaded, Planned};
use crate::solve::{solve_warm, Solution, SolveOptions, SolveReport, Status};
use scenario::RegionScenario;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Why a region could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RegionError {
    /// The regional scenario file is unreadable or invalid.
    #[error(transparent)]
    Region(#[from] crate::io::IoError),
    /// A city scenario could not be loaded (its own file is named in the inner error).
    #[error("{file}: {source}")]
    City {
        /// The city's scenario file.
        file: String,
        /// What went wrong.
        source: LoadError,
    },
    /// The cities cannot be planned together as given.
    #[error("{file}: {message}")]
    Mismatch {
        /// The regional scenario file.
        file: String,
        /// What does not fit.
        message: String,
    },
}

/// One city of the region, loaded with the region's settings applied.
pub struct City {
    /// The city's name (its scenario's `name`).
    pub name: String,
    /// The city's scenario file.
    pub file: PathBuf,
    /// Scenario (with the unified warning and `city_floor` applied), inventory and rules.
    pub loaded: Loaded,
    /// The city's own model.
    pub problem: Problem,
    /// Its units' indices in the joint model.
    pub units: Range<usize>,
    /// Its targets' indices in the joint model.
    pub targets: Range<usize>,
    /// Its own station rows' indices in the joint model.
    pub stations: Range<usize>,
}

/// A loaded region: its cities and the joint model.
pub struct Region {
    /// The regional scenario.
    pub scenario: RegionScenario,
    /// The cities, in the order of `cities`.
    pub cities: Vec<City>,
    /// The joint model.
    pub joint: Problem,
    /// Index of the first regional station row in `joint.stations` (the cities' own come first).
    pub first_station: usize,
}

impl Region {
    /// Index of the first regional target in `joint.targets` (the cities' own come first).
    pub fn first_target(&self) -> usize {
        self.cities.last().map_or(0, |c| c.targets.end)
    }

    /// The regional targets (tonnage rows over every city's lines).
    pub fn regional_targets(&self) -> &[Target] {
        &self.joint.targets[self.first_target()..]
    }

    /// The regional station rows (over every city's lines, the regional matrix).
    pub fn regional_stations(&self) -> &[crate::model::StationTarget] {
        &self.joint.stations[self.first_station..]
    }
}

/// A city's scenario with the region's settings: the unified warning days and episodes, and its
/// own target ratios scaled by `city_floor`. Its fairness rule and station targets stay its own
/// (rows over its lines in the joint model).
pub fn city_scenario(r: &RegionScenario, file: &Path) -> Result<Scenario, RegionError> {
    let city_err = |source: LoadError| RegionError::City {
        file: file.display().to_string(),
        source,
    };
    let mut s = read_scenario(file).map_err(|e| city_err(e.into()))?;
    if let Some(d) = r.days {
        s.days = d;
    }
    if let Some(e) = r.episodes {
        s.episodes = e;
    }
    if r.city_floor < 1.0 {
        let f = r.city_floor;
        let scale = |t: &mut crate::domain::scenario::PollutantTable| {
            for v in [&mut t.so2, &mut t.nox, &mut t.pm, &mut t.vocs] {
                if let Some(x) = v.as_mut() {
                    *x *= f;
                }
            }
        };
        // Levels left out of `[targets]` take the defaults: fill them before scaling.
        for l in Level::ALL {
            let t = level_mut(&mut s.targets, l);
            for p in Pollutant::ALL {
                if t.get(p).is_none() {
                    set(t, p, 0.0);
                }
            }
            scale(t);
        }
        for d in s.districts.ratios.values_mut() {
            scale(&mut d.yellow);
            scale(&mut d.orange);
            scale(&mut d.red);
        }
        if let Some(c) = &mut s.controlled_min_cut {
            scale(&mut c.yellow);
            scale(&mut c.orange);
            scale(&mut c.red);
        }
    }
    Ok(s)
}

fn level_mut<T: Default>(t: &mut crate::domain::scenario::LevelTable<T>, l: Level) -> &mut T {
    match l {
        Level::Yellow => &mut t.yellow,
        Level::Orange => &mut t.orange,
        Level::Red => &mut t.red,
    }
}

fn set(t: &mut crate::domain::scenario::PollutantTable, p: Pollutant, v: f64) {
    match p {
        Pollutant::So2 => t.so2 = Some(v),
        Pollutant::Nox => t.nox = Some(v),
        Pollutant::Pm => t.pm = Some(v),
        Pollutant::Vocs => t.vocs = Some(v),
    }
}

/// A city's whole-society emissions per pollutant (t/d): its scenario's `[society]`, else the
/// sum of its districts (the base its city-wide ratios apply to).
pub fn city_base(l: &Loaded) -> [f64; 4] {
    let from_districts = l.inventory.society_total();
    Pollutant::ALL.map(|p| {
        l.scenario
            .society
            .and_then(|s| s.get(p))
            .unwrap_or(from_districts[p].0)
    })
}

/// The regional target rows (scope: the whole region) from the cities' bases and credits.
pub fn regional_targets(r: &RegionScenario, cities: &[&Loaded]) -> Vec<Target> {
    let mut out = Vec::new();
    for level in Level::ALL {
        for p in Pollutant::ALL {
            let Some(ratio) = r.targets.get(level).get(p) else {
                continue;
            };
            let base: f64 = cities.iter().map(|l| city_base(l)[p.index()]).sum();
            // `+ 0.0` turns the empty sum's −0 into 0.
            let credit: f64 = cities
                .iter()
                .map(|l| l.scenario.credit(level)[p].0)
                .sum::<f64>()
                + 0.0;
            let required = ratio * base;
            out.push(Target {
                level,
                pollutant: p,
                scope: Scope::City,
                base,
                ratio,
                required,
                credit,
                rhs: required - credit,
                enforced: true,
            });
        }
    }
    out
}

/// Read the regional scenario and every city with the region's settings applied.
pub fn load(path: &Path) -> Result<(RegionScenario, Vec<(PathBuf, Loaded)>), RegionError> {
    load_cities(scenario::read_region(path)?, path)
}

/// Load every city of a regional scenario already read (`path` names it in errors).
pub fn load_cities(
    r: RegionScenario,
    path: &Path,
) -> Result<(RegionScenario, Vec<(PathBuf, Loaded)>), RegionError> {
    let mut cities: Vec<(PathBuf, Loaded)> = Vec::with_capacity(r.cities.len());
    for file in &r.cities {
        let s = city_scenario(&r, file)?;
        let city_err = |source: LoadError| RegionError::City {
            file: file.display().to_string(),
            source,
        };
        let (inv, warnings) = load_inventory(&s).map_err(city_err)?;
        let loaded = prepare(s, inv, warnings, file).map_err(city_err)?;
        if let Some((other, _)) = cities
            .iter()
            .find(|(_, l)| l.scenario.name == loaded.scenario.name)
        {
            return Err(RegionError::Mismatch {
                file: path.display().to_string(),
                message: format!(
                    "{} and {} have the same name {:?}: cities must be told apart",
                    other.display(),
                    file.display(),
                    loaded.scenario.name
                ),
            });
        }
        if let Some((other, first)) = cities.first() {
            for (what, a, b) in [
                ("days", first.scenario.days, loaded.scenario.days),
                (
                    "episodes",
                    first.scenario.episodes,
                    loaded.scenario.episodes,
                ),
            ] {
                if a != b {
                    return Err(RegionError::Mismatch {
                        file: path.display().to_string(),
                        message: format!(
                            "{} and {} expect different warning {what}: set [{what}] in the \
                             regional scenario (one unified warning for the region)",
                            other.display(),
                            file.display()
                        ),
                    });
                }
            }
        }
        cities.push((file.clone(), loaded));
    }
    Ok((r, cities))
}

/// Build every city's model and the joint model. Receptors of the joint model: the region's
/// stations and their mean first, then each city's own in city order; a city's station rows and
/// fairness groups keep to its lines (ids and names carry the city's name).
pub fn build_region(
    r: RegionScenario,
    loaded: Vec<(PathBuf, Loaded)>,
) -> Result<Region, RegionError> {
    let mut regional = regional_targets(&r, &loaded.iter().map(|(_, l)| l).collect::<Vec<_>>());
    let air = regional_air(&r)?;
    if let Some(settings) = &r.air {
        for t in &mut regional {
            t.enforced &= settings.tonnage(t.level);
        }
    }
    let mut next_receptor = air.as_ref().map_or(0, |a| a.inputs.stations.len() + 1);
    let mut cities = Vec::with_capacity(loaded.len());
    let mut joint: Option<Problem> = None;
    for (c, (file, l)) in loaded.into_iter().enumerate() {
        let problem = l.model();
        let name = l.scenario.name.clone();
        let reach = match &air {
            Some(a) => crate::air::optimise::transfer(
                &a.inputs,
                &l.inventory,
                &l.scenario.inventory,
                a.weather.as_deref(),
                Some(&name),
            )
            .map_err(|e| RegionError::Mismatch {
                file: file.display().to_string(),
                message: format!("regional [air]: {e}"),
            })?,
            None => Vec::new(),
        };
        let receptors = next_receptor;
        next_receptor += l.air.as_ref().map_or(0, |a| a.receptors);
        let j = joint.get_or_insert_with(|| Problem {
            days: problem.days,
            restart_days: problem.restart_days,
            ..Problem::default()
        });
        let (u0, t0, d0, g0, s0) = (
            j.units.len(),
            j.targets.len(),
            j.districts.len(),
            j.groups.len(),
            j.stations.len(),
        );
        j.members.push(name.clone());
        j.districts
            .extend(problem.districts.iter().map(|d| format!("{name}/{d}")));
        for (i, u) in problem.units.iter().enumerate() {
            let mut u = u.clone();
            // The solver keys units by their line index: unique across the region.
            let line = u.line;
            u.line = u0 + i;
            u.member = c;
            u.district = u.district.map(|d| d + d0);
            u.group = u.group.map(|g| g + g0);
            let own = u.air.iter().map(|&(rc, t)| (rc + receptors, t));
            u.air = reach
                .get(line)
                .map(|t| crate::model::build::sparse(t, 0))
                .unwrap_or_default()
                .into_iter()
                .chain(own)
                .collect();
            j.units.push(u);
        }
        for g in &problem.groups {
            let mut g = g.clone();
            g.units.iter_mut().for_each(|x| *x += u0);
            g.enterprise = format!("{name}/{}", g.enterprise);
            j.groups.push(g);
        }
        for t in &problem.targets {
            let mut t = t.clone();
            t.scope = match t.scope {
                Scope::City | Scope::Member(_) => Scope::Member(c),
                Scope::District(d) => Scope::District(d + d0),
                Scope::Controlled | Scope::MemberControlled(_) => Scope::MemberControlled(c),
            };
            j.targets.push(t);
        }
        for s in &problem.stations {
            let mut s = s.clone();
            s.receptor += receptors;
            s.station = format!("{name}/{}", s.station);
            s.name = format!("{name} {}", s.name);
            j.stations.push(s);
        }
        for g in &problem.fairness {
            let mut g = g.clone();
            g.members.iter_mut().for_each(|x| *x += u0);
            g.name = format!("{name}/{}", g.name);
            j.fairness.push(g);
        }
        // Line ids and credit codes repeat across cities' datasets: names carry the city.
        j.figures.extend(problem.figures.iter().map(|f| {
            let mut f = f.clone();
            f.line_id = format!("{name}/{}", f.line_id);
            f
        }));
        let units = u0..j.units.len();
        let targets = t0..j.targets.len();
        let stations = s0..j.stations.len();
        cities.push(City {
            name,
            file,
            loaded: l,
            problem,
            units,
            targets,
            stations,
        });
    }
    let mut joint = joint.expect("a region has at least one city");
    joint.targets.extend(regional);
    let first_station = joint.stations.len();
    if let Some(a) = air {
        joint.stations.extend(a.rows);
    }
    Ok(Region {
        scenario: r,
        cities,
        joint,
        first_station,
    })
}

/// The region's own station targets: its stations and matrix, the weather type chosen and the
/// station rows (receptors: the stations in table order, then their mean).
struct RegionalAir {
    inputs: crate::air::AirInputs,
    weather: Option<String>,
    rows: Vec<crate::model::StationTarget>,
}

/// The region's `[air]` station targets, when it sets any. A table that cannot be read is named;
/// a target the tables cannot serve (E919, E931) names the stations table.
fn regional_air(r: &RegionScenario) -> Result<Option<RegionalAir>, RegionError> {
    let Some(settings) = r.air.as_ref().filter(|a| a.has_targets()) else {
        return Ok(None);
    };
    // Checked when the scenario was read: targets come with both tables.
    let (Some(st), Some(rc)) = (&settings.stations, &settings.receptors) else {
        return Ok(None);
    };
    let inputs = crate::air::read_inputs(st, rc).map_err(|e| RegionError::City {
        file: rc.display().to_string(),
        source: LoadError::Air(e),
    })?;
    let mut rows =
        crate::air::optimise::targets(settings, &inputs).map_err(|e| RegionError::Mismatch {
            file: st.display().to_string(),
            message: format!("regional [air.targets]: {e}"),
        })?;
    // The mean of the region's stations, not a city's.
    for row in rows.iter_mut().filter(|r| r.station == "mean") {
        row.name = "mean 区域均值".into();
    }
    Ok(Some(RegionalAir {
        inputs,
        weather: settings.weather.clone(),
        rows,
    }))
}

/// Target rows (enforced, something to cut) of the joint model above which the regional rows are
/// priced (`prices`) rather than one joint LP solved: 13 cities with city-wide targets (~160
/// rows) solve jointly in 20 s; with district targets (~1,400 rows) the joint LP master takes
/// 25 s a round, and the priced solve 50 s in all (benches/README.md, Regions).
const PRICE_ABOVE_TARGETS: usize = 400;

/// A priced solve that has not closed its gap (the decomposition's bound can stay below the
/// optimum on small regions) goes on as one joint solve with the time left, started from its list
/// and prices; the better list and the better bound are kept.
fn close_jointly(region: &Region, priced: Solution, opts: &SolveOptions, t0: Instant) -> Solution {
    let left = opts.time_limit - t0.elapsed().as_secs_f64();
    let Some(plan) = priced.assignment.clone() else {
        return priced;
    };
    if matches!(priced.report.status, Status::Optimal | Status::GapLimit) || left < 1.0 {
        return priced;
    }
    let start = Instant::now();
    let warm = decompose::warm_start(&region.joint, plan, &priced.report.duals);
    let left = SolveOptions {
        time_limit: left,
        ..opts.clone()
    };
    let joint = solve_warm(&region.joint, &left, Some(&warm));
    let stop = joint.report.status.stop();
    let note = format!(
        "the prices left a gap of {:.4} %: one joint solve over every city's lines followed, \
         started from that list ({}, {:.2} 万元); the better list and bound are kept",
        100.0 * priced.report.gap.unwrap_or(f64::NAN),
        joint.report.status.key(),
        joint.report.objective.unwrap_or(f64::NAN)
    );
    let bound = match (joint.report.bound, priced.report.bound) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let (lp_rounds, lp_columns) = (
        priced.report.lp_rounds + joint.report.lp_rounds,
        priced.report.lp_columns + joint.report.lp_columns,
    );
    let mut notes = priced.report.notes.clone();
    notes.push(note);
    let better_joint = joint
        .report
        .objective
        .zip(priced.report.objective)
        .is_some_and(|(j, p)| j < p);
    let Solution {
        assignment,
        mut report,
    } = if better_joint { joint } else { priced };
    report.bound = bound;
    report.lp_rounds = lp_rounds;
    report.lp_columns = lp_columns;
    report.notes = notes;
    let objective = report.objective;
    // (The caller times the whole regional solve.)
    report.finish(objective, opts, start, stop);
    Solution { assignment, report }
}

/// The joint solve and each city's list.
pub struct RegionPlanned {
    /// The joint solve's report (status, loss, bound and gap of the whole region).
    pub report: SolveReport,
    /// Rows no plan can meet (each city's own, then the regional ones).
    pub shortfalls: Vec<Shortfall>,
    /// Per city: its list and summary (the summary's status is the region's).
    pub cities: Vec<Planned>,
    /// Per regional target ([`Region::regional_targets`] order) what the lists give it; empty
    /// without a list.
    pub regional_targets: Vec<TargetOutcome>,
    /// Per regional station row ([`Region::regional_stations`] order) what the lists give it;
    /// empty without a list.
    pub regional_stations: Vec<StationOutcome>,
}

/// What the regional lists give a regional target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetOutcome {
    /// Cut by the lines, t/d.
    pub by_lines: f64,
    /// The lines' cut plus the cities' other-sector credits, t/d.
    pub achieved: f64,
    /// Whether `achieved` reaches the required cut.
    pub met: bool,
    /// The row's price (万元 per t/d), when the solve gave one.
    pub price: Option<f64>,
}

/// What the regional lists give a regional station row.
#[derive(Debug, Clone, PartialEq)]
pub struct StationOutcome {
    /// Each city's part of the estimated PM2.5 reduction (µg/m³, cities in order).
    pub by_city: Vec<f64>,
    /// Their sum, µg/m³.
    pub achieved: f64,
    /// Whether `achieved` reaches the required reduction.
    pub met: bool,
    /// The row's price (万元 per µg/m³), when the solve gave one.
    pub price: Option<f64>,
}

/// Solve the joint model and split the solution into the cities' lists.
pub fn plan_region(region: &Region, opts: &SolveOptions, english: bool) -> RegionPlanned {
    let t0 = Instant::now();
    let mut shortfalls = Vec::new();
    for c in &region.cities {
        shortfalls.extend(
            crate::diagnose::shortfalls(&c.loaded.inventory, &c.loaded.resolved, &c.problem)
                .into_iter()
                .map(|mut s| {
                    s.row = format!("{}/{}", c.name, s.row);
                    s
                }),
        );
    }
    let first_regional = region.first_target();
    for row in coupling_rows(&region.joint) {
        let regional = match row.family {
            Family::Target => row.source >= first_regional,
            Family::Station => row.source >= region.first_station,
            _ => false,
        };
        if !regional || row.rhs <= 0.0 {
            continue;
        }
        let most = row.most(&region.joint);
        if !reaches(most, row.rhs) {
            let (credit, unit, station) = match row.family {
                Family::Station => (
                    0.0,
                    "µg/m³",
                    Some(region.joint.stations[row.source].name.clone()),
                ),
                _ => (region.joint.targets[row.source].credit, "t/d", None),
            };
            shortfalls.push(Shortfall {
                row: row.key,
                required: row.rhs + credit,
                credit,
                max_from_lines: most,
                shortfall: row.rhs - most,
                blocked: Default::default(),
                unit,
                station,
            });
        }
    }
    let stuck = region.joint.units.iter().any(|u| u.triples.is_empty());
    let build_seconds = t0.elapsed().as_secs_f64();
    let t_solve = Instant::now();
    let mut solution = if shortfalls.is_empty() && !stuck {
        match decompose::by_city(region, opts) {
            decompose::ByCity::Solved(s) | decompose::ByCity::NoPlan(s) => s,
            decompose::ByCity::Start(warm) => {
                // What follows gets what is left of the time limit (at least a second).
                let left = SolveOptions {
                    time_limit: (opts.time_limit - t0.elapsed().as_secs_f64()).max(1.0),
                    ..opts.clone()
                };
                let first: Vec<Vec<u32>> = region
                    .cities
                    .iter()
                    .map(|c| {
                        warm.assignment[c.units.clone()]
                            .iter()
                            .map(|a| a.unwrap_or(0))
                            .collect()
                    })
                    .collect();
                // One LP master over every city's rows is fast while it has a few hundred
                // target rows (city-wide targets); with district targets it is not, and the
                // regional rows are priced instead.
                let targets = region
                    .joint
                    .targets
                    .iter()
                    .filter(|t| t.enforced && t.rhs > 0.0)
                    .count();
                // The prices cover the regional tonnage rows only: regional station rows go
                // through the joint solve.
                let stations = !region.regional_stations().is_empty();
                let priced = if targets > PRICE_ABOVE_TARGETS && !stations {
                    prices::solve_priced(region, &first, &left)
                } else {
                    None
                };
                match priced {
                    Some(s) => close_jointly(region, s, opts, t0),
                    None => {
                        let mut s = solve_warm(&region.joint, &left, Some(&warm));
                        s.report.notes.push(
                            "a regional target binds: one joint solve over every city's lines, \
                             started from the cities' own lists"
                                .into(),
                        );
                        s
                    }
                }
            }
        }
    } else {
        let mut report = SolveReport::new(opts.method);
        report.status = Status::Infeasible;
        report.notes.push(format!(
            "{} targets exceed what the listed lines can cut",
            shortfalls.len()
        ));
        Solution {
            assignment: None,
            report,
        }
    };
    // The whole solve: the cities alone, then the joint model when a regional target binds.
    solution.report.solve_seconds = t_solve.elapsed().as_secs_f64();
    let (regional_targets, regional_stations) = match &solution.assignment {
        Some(a) => (
            target_outcomes(region, a, &solution.report),
            station_outcomes(region, a, &solution.report),
        ),
        None => Default::default(),
    };
    let cities = region
        .cities
        .iter()
        .map(|c| {
            let mut report = solution.report.clone();
            report.duals = solution
                .report
                .duals
                .get(c.targets.clone())
                .map(<[f64]>::to_vec)
                .unwrap_or_default();
            report.station_duals = solution
                .report
                .station_duals
                .get(c.stations.clone())
                .map(<[f64]>::to_vec)
                .unwrap_or_default();
            let assignment = solution.assignment.as_ref().map(|a| a[c.units.clone()].to_vec());
            report.objective = assignment.as_ref().map(|a| c.problem.cost(a));
            // The bound and gap are the region's, not this city's.
            report.bound = None;
            report.gap = None;
            report.greedy_objective = None;
            report.notes.push(if english {
                format!(
                    "regional plan {}: this city's list is its part of the joint solution; status, \
                     bound and gap are the region's",
                    region.scenario.name
                )
            } else {
                format!(
                    "区域联合方案「{}」：本市清单为联合求解结果的一部分；求解状态、下界与间隙属于全区域",
                    region.scenario.name
                )
            });
            finish(
                &c.loaded,
                c.problem.clone(),
                Vec::new(),
                Solution { assignment, report },
                build_seconds,
                english,
            )
        })
        .collect();
    RegionPlanned {
        report: solution.report,
        shortfalls,
        cities,
        regional_targets,
        regional_stations,
    }
}

/// Each regional target's outcome under `assignment`, priced from the report's duals.
fn target_outcomes(
    region: &Region,
    assignment: &[u32],
    report: &SolveReport,
) -> Vec<TargetOutcome> {
    let first = region.first_target();
    region.joint.achieved(assignment)[first..]
        .iter()
        .zip(region.regional_targets())
        .enumerate()
        .map(|(i, (&by_lines, t))| TargetOutcome {
            by_lines,
            achieved: by_lines + t.credit,
            met: reaches(by_lines + t.credit, t.required),
            price: report.duals.get(first + i).copied(),
        })
        .collect()
}

/// Each regional station row's outcome under `assignment`: what each city's lines take off at
/// the station (µg/m³), their sum, and the row's price from the report's station duals.
fn station_outcomes(
    region: &Region,
    assignment: &[u32],
    report: &SolveReport,
) -> Vec<StationOutcome> {
    region
        .regional_stations()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let k = s.level.index();
            let by_city: Vec<f64> = region
                .cities
                .iter()
                .map(|c| {
                    c.units
                        .clone()
                        .map(|ui| {
                            let u = &region.joint.units[ui];
                            let triple = u.triples[assignment[ui] as usize];
                            u.air_effect(s.receptor, &u.choices[triple[k] as usize])
                        })
                        .sum()
                })
                .collect();
            let achieved = by_city.iter().sum();
            StationOutcome {
                by_city,
                achieved,
                met: reaches(achieved, s.required),
                price: report.station_duals.get(region.first_station + i).copied(),
            }
        })
        .collect()
}

/// A city's folder in a regional result: `NN-<name>` (characters file systems refuse replaced).
pub fn city_folder(index: usize, name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(80)
        .collect();
    format!("{:02}-{}", index + 1, clean.trim_start_matches('.'))
}
