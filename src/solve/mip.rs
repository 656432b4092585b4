//! The exact phase: LP rounding for an incumbent, reduced-cost fixing against the certified
//! Lagrangian bound, and a MIP (good_lp → HiGHS) over the lines whose choice is still open.

use super::colgen::{lower_bound, LpResult};
use super::greedy::repair;
use super::pricing::{argmin, values};
use super::rows::RowIndex;
use super::session::{stop_of, Session};
use super::status::{relative_gap, Method, SolveReport, Status, Stop};
use super::{Solution, SolveOptions, WarmStart};
use crate::model::registry::Family;
use crate::model::Problem;
use good_lp::{variable, Expression, ProblemVariables, SolverModel, Variable};
use highs::HighsModelStatus;
use std::time::Instant;

/// Largest number of free lines handed to the exact MIP.
const MAX_MIP_UNITS: usize = 20_000;

/// Column generation, rounding, fixing and the exact MIP.
pub fn solve_exact(
    p: &Problem,
    rows: &RowIndex,
    greedy: Option<Vec<u32>>,
    warm: Option<&WarmStart>,
    opts: &SolveOptions,
    start: Instant,
    greedy_time: f64,
) -> Solution {
    let mut report = SolveReport::new(Method::Mip);
    report.greedy_seconds = greedy_time;
    report.greedy_objective = greedy.as_ref().map(|a| p.cost(a));
    let greedy = better(p, greedy, warm.and_then(|w| warm_plan(p, rows, w)));
    let lp = match lower_bound(
        p,
        rows,
        greedy.as_deref(),
        warm.map(|w| &w.mult),
        opts,
        start,
    ) {
        Ok(lp) => lp,
        Err(note) => {
            // No bound at all: the greedy plan (if any) is all we have, unproven.
            report.notes.push(note);
            let objective = greedy.as_ref().map(|a| p.cost(a));
            report.finish(objective, opts, start, Stop::Trouble);
            return Solution {
                assignment: greedy,
                report,
            };
        }
    };
    report.lp_rounds = lp.rounds;
    report.lp_columns = lp.columns;
    report.duals = rows.of_family(Family::Target, &lp.lambda);
    report.station_duals = rows.of_family(Family::Station, &lp.lambda);
    if lp.converged && lp.slack > 1e-7 {
        report.notes.push(format!(
            "LP relaxation cannot meet the targets (slack {:.6})",
            lp.slack
        ));
        report.finish(None, opts, start, Stop::Finished);
        report.status = Status::Infeasible;
        return Solution {
            assignment: None,
            report,
        };
    }
    let mut stop = if lp.timed_out {
        Stop::TimeLimit
    } else {
        Stop::Finished
    };
    if let Some(note) = &lp.trouble {
        report.notes.push(note.clone());
        stop = stop.and(Stop::Trouble);
    }
    report.bound = lp.bound.is_finite().then_some(lp.bound);
    let mut incumbent = greedy;
    if let Some(r) = round(p, rows, &lp) {
        if incumbent
            .as_ref()
            .is_none_or(|g| p.cost(&r) < p.cost(g) - 1e-9)
        {
            incumbent = Some(r);
        }
    }
    let mut proven_infeasible = false;
    if stop != Stop::TimeLimit {
        // The exact MIP runs only when the rounded plan is not already proven within the gap
        // (and, with no plan at all, to find one or prove there is none).
        let open = incumbent
            .as_ref()
            .is_none_or(|inc| relative_gap(p.cost(inc), lp.bound) > opts.rel_gap);
        if open {
            let e = exact(p, rows, &lp, incumbent.as_deref(), opts, start, &mut report);
            if let Some(a) = e.assignment {
                let cheaper = incumbent
                    .as_ref()
                    .is_none_or(|inc| p.cost(&a) < p.cost(inc) - 1e-9);
                if cheaper && p.feasible(&a) {
                    incumbent = Some(a);
                }
            }
            if let Some(b) = e.bound {
                report.bound = Some(b.max(lp.bound));
            }
            proven_infeasible = e.infeasible;
            stop = stop.and(e.stop);
        }
    }
    if start.elapsed().as_secs_f64() >= opts.time_limit {
        stop = stop.and(Stop::TimeLimit);
    }
    let objective = incumbent.as_ref().map(|a| p.cost(a));
    report.finish(objective, opts, start, stop);
    if objective.is_none() && proven_infeasible {
        report.status = Status::Infeasible;
    }
    Solution {
        assignment: incumbent,
        report,
    }
}

/// The related plan completed with each unit's cheapest triple, then repaired to feasibility.
fn warm_plan(p: &Problem, rows: &RowIndex, w: &WarmStart) -> Option<Vec<u32>> {
    let a: Vec<u32> = (0..p.units.len())
        .map(|u| w.assignment.get(u).copied().flatten().unwrap_or(0))
        .collect();
    repair(p, rows, &a)
}

/// The cheaper of two plans (the first on ties).
fn better(p: &Problem, a: Option<Vec<u32>>, b: Option<Vec<u32>>) -> Option<Vec<u32>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if p.cost(&b) < p.cost(&a) - 1e-9 { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// Round the LP solution: each switched unit takes its heaviest column, then repair and clean up.
fn round(p: &Problem, rows: &RowIndex, lp: &LpResult) -> Option<Vec<u32>> {
    let mut a = lp.base.clone();
    let mut weight: Vec<f64> = vec![1.0; p.units.len()];
    let mut best: Vec<(f64, u32)> = lp.base.iter().map(|&b| (0.0, b)).collect();
    for &(u, t, v) in &lp.switched {
        weight[u] -= v;
        if v > best[u].0 {
            best[u] = (v, t as u32);
        }
    }
    for u in 0..p.units.len() {
        if best[u].0 > weight[u] {
            a[u] = best[u].1;
        }
    }
    repair(p, rows, &a)
}

/// What the exact phase found.
struct Exact {
    /// The MIP's plan (or the incumbent when the MIP found nothing better).
    assignment: Option<Vec<u32>>,
    /// The global bound the MIP proves, when it proves one.
    bound: Option<f64>,
    /// Why it stopped.
    stop: Stop,
    /// Without an incumbent, the MIP proved that no plan exists.
    infeasible: bool,
}

impl Exact {
    fn failed(note: String, stop: Stop, report: &mut SolveReport) -> Exact {
        report.notes.push(note);
        Exact {
            assignment: None,
            bound: None,
            stop,
            infeasible: false,
        }
    }
}

/// Reduced-cost fixing and the MIP over the remaining lines (all lines open when there is no
/// incumbent). Returns the best assignment, the global bound it proves and why it stopped.
#[allow(clippy::too_many_arguments)]
fn exact(
    p: &Problem,
    rows: &RowIndex,
    lp: &LpResult,
    inc: Option<&[u32]>,
    opts: &SolveOptions,
    start: Instant,
    report: &mut SolveReport,
) -> Exact {
    let ub = inc.map(|a| p.cost(a));
    let budget = ub.map_or(f64::INFINITY, |u| u - lp.bound);
    let mut fixed = vec![0u32; p.units.len()];
    let mut free: Vec<(usize, Vec<usize>, f64)> = Vec::new();
    let mut buf = Vec::new();
    for (ui, u) in p.units.iter().enumerate() {
        values(rows, u, &lp.mult, &mut buf);
        let (bi, vmin) = argmin(&buf);
        let tol = 1e-9 * (1.0 + budget.abs() + vmin.abs());
        let mine = inc.map(|a| a[ui] as usize);
        let cands: Vec<usize> = (0..buf.len())
            .filter(|&t| buf[t] - vmin <= budget + tol || Some(t) == mine)
            .collect();
        // Pinned lines keep the incumbent's triple, or their priced best without one.
        fixed[ui] = mine.unwrap_or(bi) as u32;
        if cands.len() > 1 {
            let second = cands
                .iter()
                .filter(|&&t| t != bi)
                .map(|&t| buf[t] - vmin)
                .fold(f64::INFINITY, f64::min);
            free.push((ui, cands, second));
        } else {
            fixed[ui] = bi as u32;
        }
    }
    let certified = free.len() <= MAX_MIP_UNITS;
    if !certified {
        // Keep the closest calls open; pin the rest (the bound stays the LP's).
        free.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)));
        free.truncate(MAX_MIP_UNITS);
        free.sort_by_key(|f| f.0);
        report.notes.push(format!("{MAX_MIP_UNITS} most contested lines left open in the MIP; others fixed to the incumbent"));
    }
    report.mip_lines = free.len();
    if free.is_empty() {
        // Every line is decided: the plan is the only candidate left.
        let feasible = p.feasible(&fixed);
        let bound = (certified && feasible).then(|| p.cost(&fixed));
        return Exact {
            assignment: feasible.then_some(fixed),
            bound,
            stop: Stop::Finished,
            infeasible: certified && !feasible && inc.is_none(),
        };
    }
    // Constant part from fixed units.
    let is_free: Vec<bool> = {
        let mut v = vec![false; p.units.len()];
        for (ui, _, _) in &free {
            v[*ui] = true;
        }
        v
    };
    let mut fixed_value = vec![0.0; rows.len()];
    let mut fixed_cost = 0.0;
    for (ui, u) in p.units.iter().enumerate().filter(|(ui, _)| !is_free[*ui]) {
        let t = fixed[ui] as usize;
        fixed_cost += u.costs[t];
        for (r, k, _, w) in rows.of(u) {
            fixed_value[r] += rows.rows[r].coefficient(w, u, &u.choices[u.triples[t][k] as usize]);
        }
    }
    let mut vars = ProblemVariables::new();
    let mut z: Vec<Vec<Variable>> = Vec::with_capacity(free.len());
    let mut n_cols = 0usize;
    for (_, cands, _) in &free {
        z.push(
            cands
                .iter()
                .map(|_| {
                    n_cols += 1;
                    vars.add(variable().binary())
                })
                .collect(),
        );
    }
    report.mip_columns = n_cols;
    let mut objective = Expression::with_capacity(n_cols);
    let mut row_expr: Vec<Expression> = (0..rows.len()).map(|_| Expression::default()).collect();
    let mut choose: Vec<Expression> = Vec::with_capacity(free.len());
    for ((ui, cands, _), zs) in free.iter().zip(&z) {
        let u = &p.units[*ui];
        let mut one = Expression::with_capacity(cands.len());
        for (&t, &v) in cands.iter().zip(zs) {
            objective.add_mul(u.costs[t], v);
            one.add_mul(1.0, v);
            for (r, k, _, w) in rows.of(u) {
                let c = rows.rows[r].coefficient(w, u, &u.choices[u.triples[t][k] as usize]);
                if c != 0.0 {
                    row_expr[r].add_mul(c, v);
                }
            }
        }
        choose.push(one);
    }
    let mut model = vars
        .minimise(objective)
        .using(good_lp::solvers::highs::highs);
    for e in choose {
        model = model.with(e.eq(1.0));
    }
    for (r, e) in row_expr.into_iter().enumerate() {
        let need = rows.rows[r].rhs - fixed_value[r];
        if need > 0.0 {
            model = model.with(e.geq(need));
        }
    }
    let remaining = opts.time_limit - start.elapsed().as_secs_f64();
    if remaining <= 0.0 {
        let note = "time limit reached before the exact MIP".to_string();
        return Exact::failed(note, Stop::TimeLimit, report);
    }
    let mut hm = match model.try_into_inner() {
        Ok(hm) => hm,
        Err(e) => {
            let note =
                format!("HiGHS refused the exact MIP ({e:?}); the plan is the rounded LP plan");
            return Exact::failed(note, Stop::Trouble, report);
        }
    };
    let session = Session {
        threads: opts.threads,
        seconds: remaining,
        mip_gap: Some((opts.rel_gap * 0.5).max(1e-9)),
        tolerance: Some(1e-9),
        // The incumbent as a cut-off (a HiGHS warm start via set_solution returned inconsistent
        // objective values in HiGHS 1.16, so we prune with the bound instead).
        cutoff: ub.map(|ub| ub - fixed_cost + 1e-9 * ub.abs().max(1.0)),
    };
    if let Err(note) = session.apply(&mut hm) {
        return Exact::failed(note, Stop::Trouble, report);
    }
    let solved = match hm.try_solve() {
        Ok(solved) => solved,
        Err(e) => {
            let note = format!(
                "HiGHS could not solve the exact MIP ({e:?}); the plan is the rounded LP plan"
            );
            return Exact::failed(note, Stop::Trouble, report);
        }
    };
    let status = solved.status();
    let stop = stop_of(status);
    let sol = solved.get_solution();
    let cols = sol.columns();
    let has_values = cols.len() == n_cols
        && matches!(
            status,
            HighsModelStatus::Optimal
                | HighsModelStatus::ReachedTimeLimit
                | HighsModelStatus::ReachedSolutionLimit
                | HighsModelStatus::ReachedInterrupt
        );
    let mut a = fixed;
    let mut i = 0;
    let mut complete = true;
    for (ui, cands, _) in &free {
        let mut pick = inc.map(|inc| inc[*ui]);
        for &t in cands {
            if has_values && cols[i] > 0.5 {
                pick = Some(t as u32);
            }
            i += 1;
        }
        match pick {
            Some(t) => a[*ui] = t,
            None => complete = false,
        }
    }
    let assignment = if !complete {
        None
    } else if p.feasible(&a) {
        Some(a)
    } else {
        // Within HiGHS's tolerance but not ours: top up with greedy moves, else keep the incumbent.
        repair(p, rows, &a)
            .filter(|r| ub.is_none_or(|ub| p.cost(r) < ub))
            .or_else(|| inc.map(<[u32]>::to_vec))
    };
    let mip_bound = solved
        .double_info_value(c"mip_dual_bound")
        .unwrap_or(f64::NEG_INFINITY)
        + fixed_cost;
    let infeasible = status == HighsModelStatus::Infeasible && certified;
    let bound = match (status, ub) {
        // With the incumbent as cut-off, "infeasible" proves that nothing beats the incumbent.
        (HighsModelStatus::Infeasible, Some(ub)) if certified => Some(ub),
        (HighsModelStatus::Optimal | HighsModelStatus::ReachedTimeLimit, ub)
            if certified && mip_bound.is_finite() =>
        {
            Some(ub.map_or(mip_bound, |ub| mip_bound.min(ub)))
        }
        _ => None,
    };
    if stop != Stop::Finished {
        report.notes.push(format!(
            "exact MIP over {} lines ended with HiGHS status {status:?}",
            free.len()
        ));
    }
    Exact {
        assignment,
        bound,
        stop,
        infeasible: infeasible && inc.is_none(),
    }
}
