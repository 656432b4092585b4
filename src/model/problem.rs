//! The model's data: units (lines), their choices and triples, target rows and groups.

use crate::domain::{Level, Pollutant};

/// One option of a line: a proportional limit or a declared option, with its effects per day.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Output limit (1 = stop); for declared options, their loss share.
    pub limit: f64,
    /// Declared option code, if any.
    pub declared: Option<String>,
    /// Cut per pollutant, t/d.
    pub cut: [f64; 4],
    /// Production loss, 万元/d.
    pub loss: f64,
    /// Expected electricity under the option, kWh/d (the verification indicator).
    pub electricity: f64,
    /// Whether the option stops the line.
    pub stop: bool,
}

impl Choice {
    /// The measure key fairness compares (`L20`, `S`, `V`, `D:CODE`; no transport part).
    pub fn measure_key(&self) -> String {
        crate::domain::fairness::measure_key(&crate::domain::Measure {
            limit: crate::units::Fraction(if self.declared.is_some() {
                0.0
            } else {
                self.limit
            }),
            transport: crate::domain::Transport::None,
            declared: self.declared.clone(),
        })
    }

    /// `self` is at most as strong as `other` on every pollutant and on loss.
    pub fn weaker_or_equal(&self, other: &Choice) -> bool {
        const EPS: f64 = 1e-12;
        self.loss <= other.loss + EPS
            && (0..4).all(|p| self.cut[p] <= other.cut[p] + EPS)
            && (!self.stop || other.stop)
    }
}

/// One active line in the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Index into `Resolved::lines`.
    pub rule: usize,
    /// Index into `Inventory::lines`.
    pub line: usize,
    /// District index into `Problem::districts`, if the district is known.
    pub district: Option<usize>,
    /// Counts toward "controlled" rows.
    pub controlled: bool,
    /// Options, weakest first.
    pub choices: Vec<Choice>,
    /// Nested feasible option triples (yellow, orange, red), cheapest first.
    pub triples: Vec<[u8; 3]>,
    /// Season cost (万元) of each choice at each level.
    pub level_costs: Vec<[f64; 3]>,
    /// Cost of each triple over the season (万元), same order as `triples`.
    pub costs: Vec<f64>,
    /// Stop group, if any.
    pub group: Option<usize>,
    /// The city of a regional model the line belongs to (index into `Problem::members`; 0 in a
    /// city's own model).
    pub member: usize,
    /// Transfer coefficients to the receptors of the station rows (µg/m³ of PM2.5 per t/d of
    /// SO2, NOx, PM, VOCs) as (receptor, coefficients), receptors ([`StationTarget::receptor`])
    /// ascending, receptors without a coefficient left out; empty without station rows. Sparse:
    /// a regional model has every city's receptors, a line reaches its own city's and the region's.
    pub air: Vec<(usize, [f64; 4])>,
}

impl Unit {
    /// Recompute every triple's cost from `level_costs` and re-sort the triples cheapest first
    /// (ties by the triple itself); returns, for each new position, the triple's old index.
    pub fn sort_triples(&mut self) -> Vec<u32> {
        let cost = |t: &[u8; 3]| {
            (0..3)
                .map(|k| self.level_costs[t[k] as usize][k])
                .sum::<f64>()
        };
        let costs: Vec<f64> = self.triples.iter().map(cost).collect();
        let mut order: Vec<u32> = (0..self.triples.len() as u32).collect();
        order.sort_by(|&x, &y| {
            let (x, y) = (x as usize, y as usize);
            costs[x]
                .total_cmp(&costs[y])
                .then(self.triples[x].cmp(&self.triples[y]))
        });
        self.triples = order.iter().map(|&i| self.triples[i as usize]).collect();
        self.costs = order.iter().map(|&i| costs[i as usize]).collect();
        order
    }

    /// PM2.5 reduction at receptor `r` (µg/m³) under option `c`: Σ over precursors of cut ×
    /// transfer coefficient (0 when the unit has no coefficient for `r`).
    pub fn air_effect(&self, r: usize, c: &Choice) -> f64 {
        self.air_at(r)
            .map_or(0.0, |t| (0..4).map(|q| t[q] * c.cut[q]).sum())
    }

    /// Transfer coefficients to receptor `r`, if the unit has any.
    pub fn air_at(&self, r: usize) -> Option<&[f64; 4]> {
        self.air
            .binary_search_by_key(&r, |a| a.0)
            .ok()
            .map(|i| &self.air[i].1)
    }
}

/// A station row: the lines' estimated PM2.5 reduction at a receptor (one station, or the mean
/// of the stations) at a level must reach `required` µg/m³.
#[derive(Debug, Clone, PartialEq)]
pub struct StationTarget {
    /// Level.
    pub level: Level,
    /// Receptor index into every unit's `air` (stations in table order, then their mean).
    pub receptor: usize,
    /// Station id, or `mean` for the city mean of the stations.
    pub station: String,
    /// Station name (the id for the mean).
    pub name: String,
    /// Required reduction, µg/m³.
    pub required: f64,
}

/// Where a target row applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The whole city.
    City,
    /// One district (index into `Problem::districts`).
    District(usize),
    /// The controlled firms as a whole (optional rule).
    Controlled,
    /// One city of a regional model, whole (index into `Problem::members`).
    Member(usize),
    /// One city's controlled firms as a whole, in a regional model.
    MemberControlled(usize),
}

/// A coupling row: the lines' cuts at a level for a pollutant in a scope must reach `rhs`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Level.
    pub level: Level,
    /// Pollutant.
    pub pollutant: Pollutant,
    /// Scope.
    pub scope: Scope,
    /// The base the ratio applies to (t/d): whole-society emissions, or controlled baseline.
    pub base: f64,
    /// Required ratio.
    pub ratio: f64,
    /// Required cut (t/d) = ratio × base.
    pub required: f64,
    /// Other-sector credits counted (t/d).
    pub credit: f64,
    /// What the lines must cut: required − credit (may be ≤ 0: already met; 0 when not enforced).
    pub rhs: f64,
    /// Whether the row binds: false when the scenario switches tonnage targets off at the level
    /// (`[air.targets.<level>] tonnage = false`); the row is kept, with `rhs` 0, for reporting.
    pub enforced: bool,
}

/// A whole-line stop group (per enterprise).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Units of the group.
    pub units: Vec<usize>,
    /// Whole lines to stop per level.
    pub min_stopped: [usize; 3],
    /// Enterprise credit code.
    pub enterprise: String,
}

/// The whole model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Problem {
    /// Units in inventory order.
    pub units: Vec<Unit>,
    /// Coupling rows (only rows with `rhs > 0` bind; all are kept for reporting).
    pub targets: Vec<Target>,
    /// Stop groups.
    pub groups: Vec<Group>,
    /// Station rows (`station:<level>:PM25:<station>`); empty without `[air.targets]`.
    pub stations: Vec<StationTarget>,
    /// District names.
    pub districts: Vec<String>,
    /// Expected warning days per level.
    pub days: [f64; 3],
    /// Restart cost per stop per level, in days of output (episodes × restart days).
    pub restart_days: [f64; 3],
    /// Each unit's line id and baseline figures, for messages (same order as `units`).
    pub figures: Vec<UnitFigures>,
    /// Fairness groups (members are unit indices): at most `max_distinct` measures per group at
    /// its level. Empty without a `[fairness]` rule.
    pub fairness: Vec<crate::rules::fair::FairGroup>,
    /// Coupling rows given as they are instead of declared by the families: set only on an
    /// aggregated problem whose units stand for several lines (uniform fairness groups, see
    /// `solve::uniform`), where a unit counts in a row with a weight the families cannot know.
    pub given_rows: Option<Vec<super::family::CouplingRow>>,
    /// The cities of a regional model (empty for one city's model; `Scope::City` is then the
    /// whole region).
    pub members: Vec<String>,
}

/// A unit's line id and the baseline figures its options derive from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnitFigures {
    /// Line id.
    pub line_id: String,
    /// Baseline emissions per pollutant (t/d).
    pub emissions: [f64; 4],
    /// Baseline output value (万元/d).
    pub value: f64,
}

/// Largest magnitude of a model number the solver can use: HiGHS rejects matrix values from
/// 1e15 on (`large_matrix_value`), and sums of larger numbers lose every digit of the plan.
pub const MAX_MAGNITUDE: f64 = 1e15;

/// A number of the model that no solver can use: not finite, or beyond [`MAX_MAGNITUDE`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{what} = {value:e}：超出可求解范围（须为有限数，绝对值 ≤ 1e15），请检查清单中的排放量、产值等数值 / {what} = {value:e} is out of the solvable range (finite, |x| ≤ 1e15): check the emissions and output values of the inventory")]
pub struct NumericError {
    /// Which number (line, option, level or row).
    pub what: String,
    /// Its value (possibly infinite or NaN).
    pub value: f64,
}

/// The largest magnitude of some numbers (0 for none), NaN if any is NaN.
fn max_abs(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(0.0, |a: f64, v| {
        if a.is_nan() || v.is_nan() {
            f64::NAN
        } else {
            a.max(v.abs())
        }
    })
}

/// `Err` naming `what` when `value` is not a usable model number.
fn usable(value: f64, what: impl FnOnce() -> String) -> Result<(), NumericError> {
    if value.is_finite() && value.abs() <= MAX_MAGNITUDE {
        Ok(())
    } else {
        Err(NumericError {
            what: what(),
            value,
        })
    }
}

impl Problem {
    /// Every number of the model, and every sum the solver forms (a target row's largest total
    /// cut, the largest total cost), finite and within [`MAX_MAGNITUDE`]; else the first
    /// offending one, named.
    pub fn check_numbers(&self) -> Result<(), NumericError> {
        let name = |ui: usize| self.figures.get(ui).map_or("?", |f| f.line_id.as_str());
        // The inputs first, so that the message shows the figure as the inventory gives it.
        for f in &self.figures {
            let id = &f.line_id;
            usable(f.value, || {
                format!("生产线 {id} 的基准日产值 / baseline output value")
            })?;
            for p in Pollutant::ALL {
                usable(f.emissions[p.index()], || {
                    format!("生产线 {id} 的 {} 基准排放 / baseline emissions", p.label())
                })?;
            }
        }
        let mut worst_cost = 0.0;
        for (ui, u) in self.units.iter().enumerate() {
            // The strongest option shows the line's own figures (a stop: its baseline).
            let most = |f: &dyn Fn(&Choice) -> f64| max_abs(u.choices.iter().map(f));
            usable(most(&|c| c.loss), || {
                format!("生产线 {} 的日损失 / line loss per day", name(ui))
            })?;
            for p in Pollutant::ALL {
                usable(most(&|c| c.cut[p.index()]), || {
                    format!("生产线 {} 的 {} 削减量 / line cut", name(ui), p.label())
                })?;
            }
            let max_cost = max_abs(u.costs.iter().copied());
            usable(max_cost, || {
                format!("生产线 {} 的季节损失 / line season loss", name(ui))
            })?;
            worst_cost += max_cost;
        }
        usable(worst_cost, || {
            "全部生产线的最大季节损失之和 / total season loss".into()
        })?;
        for t in &self.targets {
            let row = || super::registry::target_name(self, t);
            usable(t.base, || format!("{} 的基数 / base", row()))?;
            usable(t.required, || {
                format!("{} 的要求减排量 / required cut", row())
            })?;
            usable(t.rhs, || {
                format!("{} 的清单应减量 / required from lines", row())
            })?;
            let q = t.pollutant.index();
            let most: f64 = self
                .units
                .iter()
                .filter(|u| self.contributes(u, t))
                .map(|u| max_abs(u.choices.iter().map(|c| c.cut[q])))
                .sum();
            usable(most, || {
                format!("{} 的最大可减排总量 / largest total cut", row())
            })?;
        }
        for st in &self.stations {
            let row = || super::registry::station_name(st);
            usable(st.required, || {
                format!("{} 的要求降幅 / required reduction", row())
            })?;
            let most: f64 = self
                .units
                .iter()
                .map(|u| max_abs(u.choices.iter().map(|c| u.air_effect(st.receptor, c))))
                .sum();
            usable(most, || {
                format!("{} 的最大可达降幅 / largest total reduction", row())
            })?;
        }
        Ok(())
    }

    /// The line id of unit `ui` for names and messages (`#<ui>` when the model has no figures).
    pub fn figure_id(&self, ui: usize) -> String {
        self.figures
            .get(ui)
            .map_or_else(|| format!("#{ui}"), |f| f.line_id.clone())
    }

    /// Whether unit `u` contributes to target `t`.
    pub fn contributes(&self, u: &Unit, t: &Target) -> bool {
        match t.scope {
            Scope::City => true,
            Scope::District(d) => u.district == Some(d),
            Scope::Controlled => u.controlled,
            Scope::Member(c) => u.member == c,
            Scope::MemberControlled(c) => u.member == c && u.controlled,
        }
    }

    /// Season cost of choice `c` of a unit at level `k`.
    pub fn level_cost(&self, c: &Choice, baseline_value: f64, k: usize) -> f64 {
        self.days[k] * c.loss
            + if c.stop {
                self.restart_days[k] * baseline_value
            } else {
                0.0
            }
    }

    /// Cut of unit `u` under triple index `ti` for target `t`.
    pub fn triple_cut(&self, u: &Unit, ti: usize, t: &Target) -> f64 {
        let k = t.level.index();
        u.choices[u.triples[ti][k] as usize].cut[t.pollutant.index()]
    }

    /// Total cost of an assignment (triple index per unit).
    pub fn cost(&self, assignment: &[u32]) -> f64 {
        self.units
            .iter()
            .zip(assignment)
            .map(|(u, &t)| u.costs[t as usize])
            .sum()
    }

    /// Cut achieved per target by an assignment.
    pub fn achieved(&self, assignment: &[u32]) -> Vec<f64> {
        let mut out = vec![0.0; self.targets.len()];
        for (u, &ti) in self.units.iter().zip(assignment) {
            let tr = u.triples[ti as usize];
            for (r, t) in self.targets.iter().enumerate() {
                if self.contributes(u, t) {
                    out[r] += u.choices[tr[t.level.index()] as usize].cut[t.pollutant.index()];
                }
            }
        }
        out
    }

    /// Whole lines stopped per group and level under an assignment.
    pub fn stopped(&self, assignment: &[u32]) -> Vec<[usize; 3]> {
        self.groups
            .iter()
            .map(|g| {
                let mut s = [0; 3];
                for &ui in &g.units {
                    let u = &self.units[ui];
                    let tr = u.triples[assignment[ui] as usize];
                    for (k, sk) in s.iter_mut().enumerate() {
                        *sk += usize::from(u.choices[tr[k] as usize].stop);
                    }
                }
                s
            })
            .collect()
    }

    /// Per fairness group, the distinct measure keys an assignment gives its lines (sorted).
    pub fn fair_measures(&self, assignment: &[u32]) -> Vec<Vec<String>> {
        self.fairness
            .iter()
            .map(|g| {
                let k = g.level.index();
                let mut keys: Vec<String> = g
                    .members
                    .iter()
                    .map(|&ui| {
                        let u = &self.units[ui];
                        u.choices[u.triples[assignment[ui] as usize][k] as usize].measure_key()
                    })
                    .collect();
                keys.sort();
                keys.dedup();
                keys
            })
            .collect()
    }

    /// Whether an assignment meets every coupling row (with tolerance) and every fairness group.
    pub fn feasible(&self, assignment: &[u32]) -> bool {
        let rows = super::family::coupling_rows(self);
        super::family::row_values(self, &rows, assignment)
            .iter()
            .zip(&rows)
            .all(|(v, row)| reaches(*v, row.rhs))
            && self
                .fair_measures(assignment)
                .iter()
                .zip(&self.fairness)
                .all(|(m, g)| m.len() <= g.max_distinct)
    }
}

/// Feasibility tolerance for a target row (absolute t/d): floating-point noise only, 1e-11 of the
/// row's size. A plan short of a target by more is not feasible, so that the achieved figures
/// reported (rounded to 6 decimals) never fall below the requirement; a solver solution within
/// its own tolerance (HiGHS: 1e-9) but short by more is topped up by the repair step.
pub fn feas_tol(rhs: f64) -> f64 {
    1e-11 * rhs.abs().max(1.0)
}

/// Whether `achieved` meets `required` (within [`feas_tol`]): the one test of "met" for every
/// target and station row the summaries, checks and tables report.
pub fn reaches(achieved: f64, required: f64) -> bool {
    achieved >= required - feas_tol(required)
}
