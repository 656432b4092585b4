//! `summary.json`: status, objective, bound, gap, per level × pollutant required and achieved
//! (city and districts), marginal losses, and totals by district, industry and grade.

use super::{Plan, PlanRow};
use crate::domain::summary::round6;
use crate::domain::{Inventory, Level, Pollutant};
use crate::model::registry::{scope_name, target_name};
use crate::model::{Problem, Scope, Unit};
use crate::solve::SolveReport;
use indexmap::IndexMap;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One target row in the summary.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TargetSummary {
    /// Registry name of the row.
    pub row: String,
    /// Base (t/d).
    pub base: f64,
    /// Required ratio.
    pub ratio: f64,
    /// Required cut (t/d).
    pub required: f64,
    /// Other-sector credits (t/d).
    pub credit: f64,
    /// What the lines must cut (t/d).
    pub required_from_lines: f64,
    /// What the lines cut in the plan (t/d).
    pub achieved_by_lines: f64,
    /// Lines plus credits (t/d).
    pub achieved: f64,
    /// Achieved ≥ required.
    pub met: bool,
    /// Marginal season loss (万元) per extra t/d required (LP dual; 0 when not binding).
    pub marginal_loss_per_tonne: f64,
    /// `false` when the scenario switches the level's tonnage targets off
    /// (`[air.targets.<level>] tonnage = false`): the row is reported, not required.
    #[serde(skip_serializing_if = "is_true")]
    pub enforced: bool,
}

fn is_true(b: &bool) -> bool {
    *b
}

/// One station row of the plan (`station:<level>:PM25:<station>`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StationSummary {
    /// Registry name of the row.
    pub row: String,
    /// Level key.
    pub level: &'static str,
    /// Station id, or `mean`.
    pub station: String,
    /// Station name.
    pub name: String,
    /// Required PM2.5 reduction, µg/m³.
    pub required: f64,
    /// The plan's estimated reduction there (the model's transfer coefficients × the plan's
    /// cuts), µg/m³.
    pub achieved: f64,
    /// Achieved ≥ required.
    pub met: bool,
    /// Marginal season loss (万元) per extra µg/m³ required at the station (LP dual; 0 when not
    /// binding). Its inverse is what one more 万元 buys there, µg/m³ per 万元.
    pub marginal_loss_per_ugm3: f64,
}

/// Loss and cuts of a group of lines at one level.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct GroupTotals {
    /// Enterprises with a measure beyond voluntary.
    pub enterprises_controlled: usize,
    /// Lines with a measure beyond voluntary.
    pub lines_controlled: usize,
    /// Production loss per warning day (万元/d).
    pub loss_per_day: f64,
    /// Cuts per pollutant (t/d).
    pub cut: IndexMap<&'static str, f64>,
}

/// The whole summary.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Kind of result directory (`plan`), so that `report` and `check` can tell result kinds apart.
    pub kind: &'static str,
    /// Scenario name.
    pub scenario: String,
    /// Status keyword.
    pub status: crate::solve::Status,
    /// Status message (中文 / English).
    pub status_message: String,
    /// Method.
    pub method: crate::solve::Method,
    /// Expected season loss of the plan (万元).
    pub objective: Option<f64>,
    /// Proven lower bound (万元).
    pub bound: Option<f64>,
    /// Relative gap.
    pub gap: Option<f64>,
    /// Greedy plan's objective (万元).
    pub greedy_objective: Option<f64>,
    /// Loss saved against the greedy plan (万元 and share).
    pub saving_vs_greedy: Option<f64>,
    /// Share saved against greedy.
    pub saving_vs_greedy_share: Option<f64>,
    /// Solver details.
    pub solver: SolveReport,
    /// Expected warning days per level.
    pub days: IndexMap<&'static str, f64>,
    /// Per level: per pollutant the city target, and per district when used.
    pub levels: IndexMap<&'static str, LevelSummary>,
    /// Per level: totals by district.
    pub by_district: IndexMap<&'static str, BTreeMap<String, GroupTotals>>,
    /// Per level: totals by industry.
    pub by_industry: IndexMap<&'static str, BTreeMap<String, GroupTotals>>,
    /// Per level: totals by grade.
    pub by_grade: IndexMap<&'static str, BTreeMap<String, GroupTotals>>,
    /// Station rows (`[air.targets]`), in model order; absent without them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stations: Vec<StationSummary>,
    /// Counts of the model.
    pub counts: IndexMap<&'static str, usize>,
    /// Wall-clock seconds (the only part of the outputs that differs between identical runs).
    pub timing: IndexMap<&'static str, f64>,
}

/// Targets of one level.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct LevelSummary {
    /// City targets by pollutant label.
    pub city: IndexMap<&'static str, TargetSummary>,
    /// District targets: district → pollutant → target.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub districts: IndexMap<String, IndexMap<&'static str, TargetSummary>>,
    /// Controlled-firms rule.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub controlled: IndexMap<&'static str, TargetSummary>,
}

/// Each plan row with the model unit of its line (rows of lines outside the model skipped).
fn rows_with_units<'a>(
    inv: &'a Inventory,
    p: &'a Problem,
    plan: &'a Plan,
) -> impl Iterator<Item = (&'a PlanRow, &'a Unit)> {
    let line_of: HashMap<&str, usize> = p
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (inv.lines[u.line].id.as_str(), i))
        .collect();
    plan.rows
        .iter()
        .filter_map(move |r| line_of.get(r.line_id.as_str()).map(|&ui| (r, &p.units[ui])))
}

/// Achieved cut per target computed from plan rows.
pub fn achieved_from_rows(inv: &Inventory, p: &Problem, plan: &Plan) -> Vec<f64> {
    let mut out = vec![0.0; p.targets.len()];
    for (r, u) in rows_with_units(inv, p, plan) {
        for (ti, t) in p.targets.iter().enumerate() {
            if t.level == r.level && p.contributes(u, t) {
                out[ti] += r.cut[t.pollutant.index()];
            }
        }
    }
    out
}

/// Estimated PM2.5 reduction per station row computed from plan rows (µg/m³).
pub fn stations_from_rows(inv: &Inventory, p: &Problem, plan: &Plan) -> Vec<f64> {
    let mut out = vec![0.0; p.stations.len()];
    if p.stations.is_empty() {
        return out;
    }
    for (r, u) in rows_with_units(inv, p, plan) {
        for (si, s) in p.stations.iter().enumerate() {
            if let Some(c) = u.air_at(s.receptor).filter(|_| s.level == r.level) {
                out[si] += (0..4).map(|q| c[q] * r.cut[q]).sum::<f64>();
            }
        }
    }
    out
}

/// The station rows of a plan with their duals.
fn station_summaries(
    inv: &Inventory,
    p: &Problem,
    plan: &Plan,
    report: &SolveReport,
) -> Vec<StationSummary> {
    let achieved = stations_from_rows(inv, p, plan);
    p.stations
        .iter()
        .zip(&achieved)
        .enumerate()
        .map(|(i, (s, &a))| StationSummary {
            row: crate::model::registry::station_name(s),
            level: s.level.key(),
            station: s.station.clone(),
            name: s.name.clone(),
            required: round6(s.required),
            achieved: round6(a),
            met: crate::model::problem::reaches(a, s.required),
            marginal_loss_per_ugm3: round6(report.station_duals.get(i).copied().unwrap_or(0.0)),
        })
        .collect()
}

/// Build the summary.
pub fn summarize(
    inv: &Inventory,
    p: &Problem,
    plan: &Plan,
    report: &SolveReport,
    scenario: &str,
    build_seconds: f64,
) -> Summary {
    let achieved = achieved_from_rows(inv, p, plan);
    let mut levels: IndexMap<&'static str, LevelSummary> = Level::ALL
        .iter()
        .map(|l| (l.key(), LevelSummary::default()))
        .collect();
    for (i, t) in p.targets.iter().enumerate() {
        let ts = TargetSummary {
            row: target_name(p, t),
            base: round6(t.base),
            ratio: t.ratio,
            required: round6(t.required),
            credit: round6(t.credit),
            required_from_lines: round6(t.rhs.max(0.0)),
            achieved_by_lines: round6(achieved[i]),
            achieved: round6(achieved[i] + t.credit),
            met: crate::model::problem::reaches(achieved[i] + t.credit, t.required),
            marginal_loss_per_tonne: round6(report.duals.get(i).copied().unwrap_or(0.0)),
            enforced: t.enforced,
        };
        let ls = levels.get_mut(t.level.key()).expect("level");
        match t.scope {
            // A summary describes one city's plan: its member scope is its whole.
            Scope::City | Scope::Member(_) => {
                ls.city.insert(t.pollutant.label(), ts);
            }
            Scope::District(_) => {
                ls.districts
                    .entry(scope_name(p, t.scope))
                    .or_default()
                    .insert(t.pollutant.label(), ts);
            }
            Scope::Controlled | Scope::MemberControlled(_) => {
                ls.controlled.insert(t.pollutant.label(), ts);
            }
        }
    }
    let lines: HashMap<&str, &crate::domain::Line> =
        inv.lines.iter().map(|l| (l.id.as_str(), l)).collect();
    let mut by_district: IndexMap<&'static str, BTreeMap<String, GroupTotals>> = IndexMap::new();
    let mut by_industry = by_district.clone();
    let mut by_grade = by_district.clone();
    let mut seen: std::collections::HashSet<(Level, usize, String, String)> =
        std::collections::HashSet::new();
    for r in &plan.rows {
        let line = lines[r.line_id.as_str()];
        let ent = inv.enterprise_of(line);
        let grade = inv
            .industries
            .effective_grade(&ent.industry, ent.grade)
            .label()
            .to_string();
        let active = r.measure.code() != "V";
        for (which, key) in [
            (0, ent.district.clone()),
            (1, ent.industry.clone()),
            (2, grade),
        ] {
            let map = [&mut by_district, &mut by_industry, &mut by_grade][which]
                .entry(r.level.key())
                .or_default();
            let g = map.entry(key.clone()).or_default();
            if g.cut.is_empty() {
                g.cut = Pollutant::ALL.iter().map(|p| (p.label(), 0.0)).collect();
            }
            g.loss_per_day = round6(g.loss_per_day + r.loss);
            for p in Pollutant::ALL {
                let v = g.cut.get_mut(p.label()).expect("pollutant");
                *v = round6(*v + r.cut[p.index()]);
            }
            if active {
                g.lines_controlled += 1;
                if seen.insert((r.level, which, key, r.credit_code.clone())) {
                    g.enterprises_controlled += 1;
                }
            }
        }
    }
    let saving = match (report.greedy_objective, report.objective) {
        (Some(g), Some(o)) if report.method == crate::solve::Method::Mip => Some(round6(g - o)),
        _ => None,
    };
    let mut counts = IndexMap::new();
    counts.insert("enterprises", inv.enterprises.len());
    counts.insert("lines", inv.lines.len());
    counts.insert("active_lines", p.units.len());
    counts.insert("triples", p.units.iter().map(|u| u.triples.len()).sum());
    counts.insert("target_rows", p.targets.len());
    counts.insert("stop_groups", p.groups.len());
    if !p.stations.is_empty() {
        counts.insert("station_rows", p.stations.len());
    }
    Summary {
        kind: "plan",
        scenario: scenario.to_string(),
        status: report.status,
        status_message: report.status.message().to_string(),
        method: report.method,
        objective: report.objective.map(round6),
        bound: report.bound.map(round6),
        gap: report.gap,
        greedy_objective: report.greedy_objective.map(round6),
        saving_vs_greedy: saving,
        saving_vs_greedy_share: match (saving, report.greedy_objective) {
            (Some(s), Some(g)) if g > 0.0 => Some(round6(s / g)),
            _ => None,
        },
        solver: report.clone(),
        days: Level::ALL
            .iter()
            .map(|l| (l.key(), p.days[l.index()]))
            .collect(),
        levels,
        by_district,
        by_industry,
        by_grade,
        stations: station_summaries(inv, p, plan, report),
        counts,
        timing: [
            ("build_seconds", build_seconds),
            ("greedy_seconds", report.greedy_seconds),
            ("solve_seconds", report.solve_seconds),
        ]
        .into_iter()
        .collect(),
    }
}
