//! The region solved city by city first. Each city's own rows are a block of the joint model;
//! the regional targets are the only rows across blocks. When the cities' own optimal lists
//! together already meet every regional target, they are optimal for the joint model too (its
//! plans are a subset of the cities' plans taken together), and the sum of the cities' bounds
//! bounds it: no joint MIP is needed, which HiGHS would search as one tree over all blocks. When
//! a regional target binds, the joint solve starts from the cities' lists (repaired to meet the
//! regional rows) and from their target prices. A greedy list per city comes first: when even
//! those miss a regional target, the exact city solves are skipped and the joint solve gets the
//! whole time limit.

use super::Region;
use crate::model::family::coupling_rows;
use crate::model::registry::Family;
use crate::model::Problem;
use crate::solve::pricing::Multipliers;
use crate::solve::status::Stop;
use crate::solve::{solve, Method, Solution, SolveOptions, SolveReport, WarmStart};
use rayon::prelude::*;
use std::time::Instant;

/// The cities' own solves and what they give the joint model.
pub enum ByCity {
    /// The cities' lists meet every regional target: the region's solution.
    Solved(Solution),
    /// A regional target binds: a start for the joint solve.
    Start(WarmStart),
    /// Some city has no list of its own (the joint model has none either).
    NoPlan(Solution),
}

/// Solve every city alone, in parallel, each with an equal share of the time limit.
pub fn by_city(region: &Region, opts: &SolveOptions) -> ByCity {
    let start = Instant::now();
    let n = region.cities.len().max(1);
    let lanes = rayon::current_num_threads().clamp(1, n);
    let city_opts = SolveOptions {
        time_limit: opts.time_limit * lanes as f64 / n as f64,
        ..opts.clone()
    };
    // A quick look first: when even the cities' greedy lists (which cut more than their optimal
    // lists, rarely less) miss a regional target, the exact city solves would only spend the
    // joint solve's time; start it from the greedy lists at once.
    let greedy = SolveOptions {
        method: Method::Greedy,
        ..city_opts.clone()
    };
    let quick: Vec<Solution> = region
        .cities
        .par_iter()
        .map(|c| solve(&c.problem, &greedy))
        .collect();
    if let Some(a) = union(&quick) {
        if !region.joint.feasible(&a) {
            return ByCity::Start(start_from(region, a, &quick));
        }
    }
    let own: Vec<Solution> = region
        .cities
        .par_iter()
        .map(|c| solve(&c.problem, &city_opts))
        .collect();
    let mut assignment = Vec::with_capacity(region.joint.units.len());
    for (c, s) in region.cities.iter().zip(&own) {
        match &s.assignment {
            Some(a) => assignment.extend_from_slice(a),
            None => {
                let mut report = s.report.clone();
                report.duals = Vec::new();
                report.notes.push(format!(
                    "{}: no list of its own ({}), so none for the region",
                    c.name,
                    s.report.status.key()
                ));
                return ByCity::NoPlan(Solution {
                    assignment: None,
                    report,
                });
            }
        }
    }
    if !region.joint.feasible(&assignment) {
        return ByCity::Start(start_from(region, assignment, &own));
    }
    let mut report = SolveReport::new(opts.method);
    report.bound = own.iter().map(|s| s.report.bound).sum();
    report.greedy_objective = own.iter().map(|s| s.report.greedy_objective).sum();
    for s in &own {
        report.greedy_seconds += s.report.greedy_seconds;
        report.lp_rounds += s.report.lp_rounds;
        report.lp_columns += s.report.lp_columns;
        report.mip_lines += s.report.mip_lines;
        report.mip_columns += s.report.mip_columns;
    }
    // The regional rows are slack at this plan: their price is 0.
    report.duals = target_duals(region, &own);
    for (c, s) in region.cities.iter().zip(&own) {
        report
            .notes
            .extend(s.report.notes.iter().map(|n| format!("{}: {n}", c.name)));
    }
    report.notes.push(
        "solved city by city: the cities' own lists already meet every regional target, so \
         together they are the regional plan; the bound is the sum of the cities' bounds"
            .into(),
    );
    let stop = own
        .iter()
        .fold(Stop::Finished, |acc, s| acc.and(s.report.status.stop()));
    let objective = region.joint.cost(&assignment);
    report.finish(Some(objective), opts, start, stop);
    ByCity::Solved(Solution {
        assignment: Some(assignment),
        report,
    })
}

/// The cities' lists one after the other (none if a city has none).
fn union(own: &[Solution]) -> Option<Vec<u32>> {
    let mut a = Vec::new();
    for s in own {
        a.extend_from_slice(s.assignment.as_ref()?);
    }
    Some(a)
}

/// The cities' target prices on the joint model's target rows (0 on the regional rows).
fn target_duals(region: &Region, own: &[Solution]) -> Vec<f64> {
    let mut duals = vec![0.0; region.joint.targets.len()];
    for (c, s) in region.cities.iter().zip(own) {
        if s.report.duals.len() == c.targets.len() {
            duals[c.targets.clone()].copy_from_slice(&s.report.duals);
        }
    }
    duals
}

/// A joint solve's start: the cities' lists (repaired by the solver to meet the regional rows)
/// and their target prices as the first pricing round's multipliers.
fn start_from(region: &Region, assignment: Vec<u32>, own: &[Solution]) -> WarmStart {
    warm_start(&region.joint, assignment, &target_duals(region, own))
}

/// A warm start for `p`: a plan, and target prices (in `p.targets` order; missing ones are 0) as
/// the first pricing round's multipliers.
pub fn warm_start(p: &Problem, assignment: Vec<u32>, duals: &[f64]) -> WarmStart {
    let lambda = coupling_rows(p)
        .iter()
        .map(|row| match row.family {
            Family::Target => duals.get(row.source).copied().unwrap_or(0.0),
            _ => 0.0,
        })
        .collect();
    WarmStart {
        assignment: assignment.into_iter().map(Some).collect(),
        mult: Multipliers { lambda },
    }
}
