//! The stability term of a revision: every line and level whose measure differs from last year's
//! costs `weight` (万元, season-loss equivalent), added to the choices' level costs so that every
//! solver (greedy, column generation, MIP) sees it.

use crate::diff::listing::Listing;
use crate::domain::{Inventory, Measure};
use crate::model::{Choice, Problem, Unit};

/// Last year's measure per unit and level (`None` for lines not on last year's list).
pub type Anchors = Vec<Option<[Option<Measure>; 3]>>;

/// Last year's measures of this year's units.
pub fn anchors(inv: &Inventory, p: &Problem, previous: &Listing) -> Anchors {
    p.units
        .iter()
        .map(|u| {
            previous
                .lines
                .get(&inv.lines[u.line].id)
                .map(|l| l.measure.clone())
        })
        .collect()
}

/// Whether a choice keeps last year's main measure (its limit or declared option; the transport
/// restriction is set by the rules, not chosen).
pub fn keeps(c: &Choice, prev: &Measure) -> bool {
    match (&c.declared, &prev.declared) {
        (Some(a), Some(b)) => a == b,
        (None, None) => (c.limit - prev.limit.0).abs() < 1e-6,
        _ => false,
    }
}

/// Whether this year's model offers last year's main measure at level `k` (in some nested triple).
pub fn offered(u: &Unit, k: usize, prev: &Measure) -> bool {
    u.triples
        .iter()
        .any(|t| keeps(&u.choices[t[k] as usize], prev))
}

/// Add the stability term to the level costs and re-sort every unit's triples, cheapest first.
pub fn add_stability(p: &mut Problem, anchors: &Anchors, weight: f64) {
    if weight <= 0.0 {
        return;
    }
    for (u, a) in p.units.iter_mut().zip(anchors) {
        let Some(prev) = a else { continue };
        for (c, costs) in u.choices.iter().zip(u.level_costs.iter_mut()) {
            for (k, cost) in costs.iter_mut().enumerate() {
                if prev[k].as_ref().is_some_and(|m| !keeps(c, m)) {
                    *cost += weight;
                }
            }
        }
        u.sort_triples();
    }
}

/// Last year's plan as an assignment of this year's model, when every unit can keep its measures
/// (units new this year take their cheapest triple).
pub fn previous_assignment(p: &Problem, anchors: &Anchors) -> Option<Vec<u32>> {
    p.units
        .iter()
        .zip(anchors)
        .map(|(u, a)| match a {
            None => Some(0),
            Some(prev) => u
                .triples
                .iter()
                .position(|t| {
                    (0..3).all(|k| {
                        prev[k]
                            .as_ref()
                            .is_none_or(|m| keeps(&u.choices[t[k] as usize], m))
                    })
                })
                .map(|i| i as u32),
        })
        .collect()
}

/// Line × level measures of an assignment that differ from last year's (the penalised count).
pub fn changed(p: &Problem, anchors: &Anchors, assignment: &[u32]) -> usize {
    p.units
        .iter()
        .zip(anchors)
        .zip(assignment)
        .filter_map(|((u, a), &t)| a.as_ref().map(|prev| (u, prev, t)))
        .map(|(u, prev, t)| {
            let tr = u.triples[t as usize];
            (0..3)
                .filter(|&k| {
                    prev[k]
                        .as_ref()
                        .is_some_and(|m| !keeps(&u.choices[tr[k] as usize], m))
                })
                .count()
        })
        .sum()
}
