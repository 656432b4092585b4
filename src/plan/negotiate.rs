//! Negotiated deep cuts (seed item 32): for the largest emitters, the deeper measures at orange
//! and red (and, where the rules allow, a seasonal agreement: the lines stopped at orange and red
//! in exchange for their lightest yellow measure) that the city values most.
//!
//! **Ranking.** An enterprise's score is the sum over the four pollutants of its lines' baseline
//! emissions as a share of the city's whole-society emissions of that pollutant, each weighted by
//! the red-level target ratio of that pollutant: the firms that weigh most on the binding targets
//! come first. Ties go by credit code.
//!
//! **Value of an offer.** The plan is re-solved with the offer's measures fixed (as `fix`
//! decisions). The city's *saving* is the season loss of every *other* enterprise in the plan
//! minus that loss in the re-solved plan: what the city spares the others, and so the most it
//! could offer the firm in return. The firm's own extra loss (as the model values it) is shown
//! beside it; the model's total never falls (a fixed measure restricts the optimum), so an offer
//! pays when the firm's true cost is below the saving.
//!
//! **Chosen set.** Offers with a positive saving (the better of a firm's two) are added greedily
//! by saving, each addition re-solved jointly and kept only when the joint saving grows; the
//! joint saving is reported against the sum of the single savings.

use crate::domain::{Decision, DecisionMode, DecisionTarget, Level, Measure, Pollutant};
use crate::model::{Choice, Problem};
use crate::pipeline::Loaded;
use crate::rules::decide;
use crate::solve::{solve_warm, SolveOptions, Status};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashSet;

/// Most enterprises `--top` may ask for.
pub const MAX_TOP: usize = 200;

/// Most offers tried for the chosen set (each try is one joint re-solve).
pub const MAX_GREEDY: usize = 30;

/// Which agreement an offer proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferKind {
    /// Every line one step stricter at orange and red.
    Deeper,
    /// Lines stopped at orange and red, their lightest measure at yellow.
    Seasonal,
}

impl OfferKind {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            OfferKind::Deeper => "橙红色加严一档",
            OfferKind::Seasonal => "季节协议：橙红色停产换黄色从轻",
        }
    }
    /// English label.
    pub fn en(self) -> &'static str {
        match self {
            OfferKind::Deeper => "one step stricter at orange and red",
            OfferKind::Seasonal => "seasonal: stopped at orange and red, lightest yellow",
        }
    }
}

/// One line's measure under an offer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Line id.
    pub line_id: String,
    /// Level.
    pub level: Level,
    /// Planned measure code.
    pub from: String,
    /// Offered measure code.
    pub to: String,
}

/// One enterprise's offer, valued by re-solving.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offer {
    /// Rank of the enterprise (1 = largest emitter).
    pub rank: usize,
    /// Credit code.
    pub credit_code: String,
    /// Enterprise name.
    pub enterprise: String,
    /// Ranking score (see the module documentation).
    pub score: f64,
    /// Which agreement.
    pub kind: OfferKind,
    /// The measures offered.
    pub changes: Vec<Change>,
    /// Season loss of the other enterprises without − with the offer (万元).
    pub saving: Option<f64>,
    /// The firm's own extra season loss under the offer (万元).
    pub firm_cost: Option<f64>,
    /// Status of the re-solve.
    pub status: Status,
    /// In the chosen set.
    pub chosen: bool,
}

/// The whole negotiation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Negotiation {
    /// How enterprises are ranked.
    pub ranking: &'static str,
    /// Season loss of the plan (万元).
    pub base_loss: Option<f64>,
    /// Status of the plan.
    pub base_status: Status,
    /// Offers, by rank then kind.
    pub offers: Vec<Offer>,
    /// Joint saving of the chosen set (万元): other enterprises' loss without − with all of it.
    pub joint_saving: f64,
    /// Sum of the chosen offers' single savings (万元).
    pub sum_of_single_savings: f64,
    /// Season loss of the plan with the chosen set (万元).
    pub joint_loss: Option<f64>,
    /// Status of the joint re-solve.
    pub joint_status: Status,
}

impl Negotiation {
    /// The chosen offers' decisions, numbered as rows of a decisions file (header = row 1).
    pub fn decisions(&self) -> Vec<Decision> {
        let chosen: Vec<&Offer> = self.offers.iter().filter(|o| o.chosen).collect();
        decisions_of(&chosen)
    }
}

/// Ranking description stored in the output.
const RANKING: &str = "sum over SO2, NOx, PM, VOCs of the firm's baseline emissions / the city's whole-society emissions × the red-level target ratio";

/// Why the negotiation could not run.
#[derive(Debug, thiserror::Error)]
pub enum NegotiateError {
    /// The plan itself has no solution.
    #[error(
        "基础方案无解（{0}），无法协商 / the plan has no solution ({0}); nothing to negotiate"
    )]
    NoPlan(&'static str),
}

/// Run the negotiation for the `top` largest emitters of a loaded scenario.
pub fn negotiate(
    l: &Loaded,
    top: usize,
    opts: &SolveOptions,
) -> Result<Negotiation, NegotiateError> {
    let opts = SolveOptions {
        threads: 1,
        ..opts.clone()
    };
    let problem = l.model();
    let base = solve_warm(&problem, &opts, None);
    let Some(plan) = base.assignment else {
        return Err(NegotiateError::NoPlan(base.report.status.key()));
    };
    let firms = ranked(l, top);
    let mut offers: Vec<Offer> = Vec::new();
    for (rank, (code, score)) in firms.iter().enumerate() {
        let units: Vec<usize> = (0..problem.units.len())
            .filter(|&ui| {
                l.inventory.lines[problem.units[ui].line]
                    .enterprise
                    .as_str()
                    == code
            })
            .collect();
        for kind in [OfferKind::Deeper, OfferKind::Seasonal] {
            let changes = offer_changes(l, &problem, &plan, &units, kind);
            if changes.is_empty() {
                continue;
            }
            let name = l
                .inventory
                .enterprises
                .values()
                .find(|e| e.code.as_str() == code)
                .map_or_else(String::new, |e| e.name.clone());
            offers.push(Offer {
                rank: rank + 1,
                credit_code: code.clone(),
                enterprise: name,
                score: *score,
                kind,
                changes,
                saving: None,
                firm_cost: None,
                status: Status::NoSolution,
                chosen: false,
            });
        }
    }
    let valued: Vec<(Option<f64>, Option<f64>, Status)> = offers
        .par_iter()
        .map(|o| {
            let v = value(l, &problem, &plan, std::slice::from_ref(o), &opts);
            (v.saving, v.firm_cost, v.status)
        })
        .collect();
    for (o, (saving, firm_cost, status)) in offers.iter_mut().zip(valued) {
        o.saving = saving;
        o.firm_cost = firm_cost;
        o.status = status;
    }
    let (joint_saving, joint_loss, joint_status) =
        choose(l, &problem, &plan, &mut offers, &opts, base.report.status);
    let sum_of_single_savings = offers
        .iter()
        .filter(|o| o.chosen)
        .filter_map(|o| o.saving)
        .sum::<f64>()
        + 0.0;
    Ok(Negotiation {
        ranking: RANKING,
        base_loss: Some(problem.cost(&plan)),
        base_status: base.report.status,
        offers,
        joint_saving,
        sum_of_single_savings,
        joint_loss,
        joint_status,
    })
}

/// The `top` enterprises with active lines by score, largest first (ties by credit code).
fn ranked(l: &Loaded, top: usize) -> Vec<(String, f64)> {
    let society = l.inventory.society_total();
    let weight = |p: Pollutant| {
        let base = l
            .scenario
            .society
            .and_then(|s| s.get(p))
            .unwrap_or(society[p].0);
        if base > 0.0 {
            l.scenario.ratio(Level::Red, p, None).0 / base
        } else {
            0.0
        }
    };
    let mut score: std::collections::BTreeMap<String, f64> = Default::default();
    for r in &l.resolved.lines {
        let line = &l.inventory.lines[r.line];
        let e = line.baseline_emissions();
        let s: f64 = Pollutant::ALL.iter().map(|&p| e[p].0 * weight(p)).sum();
        *score.entry(line.enterprise.to_string()).or_default() += s;
    }
    let mut v: Vec<(String, f64)> = score.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(top);
    v
}

/// The measure changes an offer makes on a firm's lines (lines a decision already binds at a
/// level, and lines with nothing stricter, are left out).
fn offer_changes(
    l: &Loaded,
    p: &Problem,
    plan: &[u32],
    units: &[usize],
    kind: OfferKind,
) -> Vec<Change> {
    let mut out = Vec::new();
    for &ui in units {
        let u = &p.units[ui];
        let rule = &l.resolved.lines[u.rule];
        if !rule.controllable || rule.decided.iter().any(|d| !d.is_empty()) {
            continue;
        }
        let now = u.triples[plan[ui] as usize];
        let c = |i: u8| &u.choices[i as usize];
        let stronger = |a: &Choice, b: &Choice| a.weaker_or_equal(b) && a != b;
        let cost = |t: &[u8; 3]| (0..3).map(|k| u.level_costs[t[k] as usize][k]).sum::<f64>();
        let pick = match kind {
            OfferKind::Deeper => {
                let cands = u.triples.iter().filter(|t| {
                    t[0] == now[0]
                        && (1..3).all(|k| c(now[k]).weaker_or_equal(c(t[k])))
                        && (1..3).any(|k| stronger(c(now[k]), c(t[k])))
                });
                // Both levels stricter when possible, then the cheapest: the next step.
                let both = |t: &[u8; 3]| (1..3).all(|k| stronger(c(now[k]), c(t[k])));
                cands.min_by(|a, b| {
                    both(b)
                        .cmp(&both(a))
                        .then(cost(a).total_cmp(&cost(b)))
                        .then(a.cmp(b))
                })
            }
            OfferKind::Seasonal => u
                .triples
                .iter()
                .filter(|t| c(t[1]).stop && c(t[2]).stop && c(t[0]).weaker_or_equal(c(now[0])))
                .min_by(|a, b| cost(a).total_cmp(&cost(b)).then(a.cmp(b))),
        };
        let Some(t) = pick.filter(|t| **t != now) else {
            continue;
        };
        for k in 0..3 {
            if t[k] != now[k] {
                out.push(Change {
                    line_id: l.inventory.lines[u.line].id.clone(),
                    level: Level::ALL[k],
                    from: c(now[k]).measure_key(),
                    to: c(t[k]).measure_key(),
                });
            }
        }
    }
    out
}

/// The decisions of some offers, numbered from row 2.
fn decisions_of(offers: &[&Offer]) -> Vec<Decision> {
    let mut out = Vec::new();
    for o in offers {
        for ch in &o.changes {
            out.push(Decision {
                row: out.len() + 2,
                target: DecisionTarget::Line(ch.line_id.clone()),
                levels: vec![ch.level],
                measure: Measure::parse_code(&ch.to).unwrap_or_else(Measure::voluntary),
                mode: DecisionMode::Fix,
                reason: format!("协商（{}）：{}", o.kind.zh(), o.enterprise),
            });
        }
    }
    out
}

/// What a re-solve with some offers agreed gives.
struct Valued {
    saving: Option<f64>,
    firm_cost: Option<f64>,
    loss: Option<f64>,
    status: Status,
}

/// Re-solve with `offers` fixed; saving on the other firms and the offering firms' extra loss.
fn value(
    l: &Loaded,
    base: &Problem,
    plan: &[u32],
    offers: &[Offer],
    opts: &SolveOptions,
) -> Valued {
    let refs: Vec<&Offer> = offers.iter().collect();
    let extra = decisions_of(&refs);
    let firms: HashSet<&str> = offers.iter().map(|o| o.credit_code.as_str()).collect();
    let mut resolved = l.resolved.clone();
    let failed = |status| Valued {
        saving: None,
        firm_cost: None,
        loss: None,
        status,
    };
    if !decide::apply(&mut resolved, &l.inventory, &extra).is_empty() {
        return failed(Status::Infeasible);
    }
    let p = l.model_with(&resolved);
    if p.units.iter().any(|u| u.triples.is_empty()) {
        return failed(Status::Infeasible);
    }
    let sol = solve_warm(&p, opts, None);
    let Some(a) = sol.assignment else {
        return failed(sol.report.status);
    };
    // Units are one per resolved line in both models: split the losses by firm.
    let split = |p: &Problem, a: &[u32]| {
        let mut mine = 0.0;
        let mut others = 0.0;
        for (u, &t) in p.units.iter().zip(a) {
            let c = u.costs[t as usize];
            if firms.contains(l.inventory.lines[u.line].enterprise.as_str()) {
                mine += c;
            } else {
                others += c;
            }
        }
        (mine, others)
    };
    let (mine0, others0) = split(base, plan);
    let (mine1, others1) = split(&p, &a);
    Valued {
        saving: Some(others0 - others1),
        firm_cost: Some(mine1 - mine0),
        loss: Some(p.cost(&a)),
        status: sol.report.status,
    }
}

/// Greedy chosen set: offers with a positive saving (a firm's best), by saving, each kept when the
/// joint re-solve's saving grows. Returns the joint saving, loss and status.
fn choose(
    l: &Loaded,
    base: &Problem,
    plan: &[u32],
    offers: &mut [Offer],
    opts: &SolveOptions,
    base_status: Status,
) -> (f64, Option<f64>, Status) {
    let mut order: Vec<usize> = (0..offers.len())
        .filter(|&i| offers[i].saving.is_some_and(|s| s > 1e-6))
        .collect();
    order.sort_by(|&a, &b| {
        let s = |i: usize| offers[i].saving.unwrap_or(0.0);
        s(b).total_cmp(&s(a)).then(a.cmp(&b))
    });
    let mut seen: HashSet<String> = HashSet::new();
    order.retain(|&i| seen.insert(offers[i].credit_code.clone()));
    order.truncate(MAX_GREEDY);
    let mut set: Vec<usize> = Vec::new();
    let mut best = (0.0, Some(base.cost(plan)), base_status);
    for i in order {
        let trial: Vec<Offer> = set
            .iter()
            .chain(std::iter::once(&i))
            .map(|&j| offers[j].clone())
            .collect();
        let v = value(l, base, plan, &trial, opts);
        if let Some(s) = v.saving.filter(|&s| s > best.0 + 1e-6) {
            set.push(i);
            best = (s, v.loss, v.status);
        }
    }
    for &i in &set {
        offers[i].chosen = true;
    }
    best
}
