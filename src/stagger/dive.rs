//! Dive-and-price: after column generation, a depth-first dive on the LP master that fixes lines
//! to patterns — every line the LP already uses whole, else the most-used fractional patterns —
//! and re-prices the lines still free after each fixing (the exact DP of [`super::pricing`]), so
//! that the dive reaches calendars the root's patterns cannot combine into. A primal heuristic:
//! it finds calendars (each one checked); the bound stays the Lagrangian bound of the column
//! generation, and every pattern it prices joins the master MIP that follows.

use super::colgen::{penalty, price_lines, Lp};
use super::instance::State;
use super::master::Master;
use std::time::Instant;

/// Pricing rounds per fixing step before the next fixing.
const ROUNDS_PER_STEP: usize = 3;

/// Dive until every line is fixed (the calendar) or the dive fails (a fixing leaves a target or
/// cap unmet in the LP) or `deadline` (seconds after `start`) passes.
pub(super) fn dive(m: &mut Master, deadline: f64, start: Instant) -> Option<Vec<Vec<State>>> {
    let units = m.inst.units.len();
    let pen = penalty(m, 1.0);
    let mut fixed: Vec<Option<usize>> = vec![None; units];
    loop {
        // The LP over the fixed lines' patterns and every pattern of the free lines.
        let keep: Vec<bool> = m
            .columns
            .iter()
            .enumerate()
            .map(|(ci, c)| fixed[c.unit].is_none_or(|f| f == ci))
            .collect();
        let mut lp = Lp::with(m, 1.0, pen, &keep);
        let free: Vec<usize> = (0..units).filter(|&u| fixed[u].is_none()).collect();
        let mut steps = 0;
        let round = loop {
            let left = deadline - start.elapsed().as_secs_f64();
            if left <= 0.0 {
                return None;
            }
            let round = lp.solve(m, left)?;
            steps += 1;
            if steps > ROUNDS_PER_STEP {
                break round;
            }
            let plans = price_lines(m, &round.duals, 1.0, &free)?;
            let tol = 1e-9 * round.value.abs().max(1.0);
            let mut added = 0;
            for (&ui, plan) in free.iter().zip(plans) {
                let col = m.column(ui, plan);
                if round.reduced_cost(&col, 1.0) < -tol {
                    let before = m.columns.len();
                    m.add(col);
                    if m.columns.len() > before {
                        lp.add(m, before);
                        added += 1;
                    }
                }
            }
            if added == 0 {
                break round;
            }
        };
        if round.slack > 1e-6 {
            return None;
        }
        if free.is_empty() {
            // Every line fixed and the LP needs no slack: the calendar meets every row.
            return Some(
                m.inst
                    .units
                    .iter()
                    .zip(&fixed)
                    .map(|(u, f)| m.inst.states(u, &m.columns[f.expect("all fixed")].plan))
                    .collect(),
            );
        }
        // Each line's most-used pattern (the lower column index on ties).
        let mut top: Vec<(f64, usize)> = vec![(0.0, usize::MAX); units];
        for &(ci, v) in &round.support {
            let u = m.columns[ci].unit;
            if v > top[u].0 + 1e-12 || ((v - top[u].0).abs() <= 1e-12 && ci < top[u].1) {
                top[u] = (v, ci);
            }
        }
        if free.iter().any(|&u| top[u].1 == usize::MAX) {
            return None;
        }
        let mut newly = 0;
        for &u in &free {
            if top[u].0 >= 1.0 - 1e-6 {
                fixed[u] = Some(top[u].1);
                newly += 1;
            }
        }
        if newly == 0 {
            // Every free line is fractional: fix the most-used tenth (at least one).
            let mut frac: Vec<(f64, usize)> = free.iter().map(|&u| (top[u].0, u)).collect();
            frac.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for &(_, u) in frac.iter().take((free.len() / 10).max(1)) {
                fixed[u] = Some(top[u].1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::{Method, SolveOptions};
    use crate::stagger::check::{check_states, total_cost};
    use crate::stagger::colgen::generate;
    use crate::stagger::generate::{instance, Spec};
    use crate::stagger::greedy::greedy;
    use crate::stagger::mip::plan_of;

    /// On instances whose root LP is fractional (so the dive has to fix fractional lines), every
    /// calendar the dive reaches passes the checker and costs no less than the bound.
    #[test]
    fn dive_fixes_a_fractional_root_into_a_checked_calendar() {
        let opts = SolveOptions {
            method: Method::Mip,
            time_limit: 60.0,
            rel_gap: 1e-6,
            threads: 1,
        };
        let mut dived = 0;
        let specs = [(30, 60, 7, 7), (24, 56, 5, 5), (16, 42, 3, 4)];
        for (seed, (lines, days, min_block, min_run)) in (1..=2).flat_map(|s| specs.map(|x| (s, x)))
        {
            let inst = instance(Spec {
                lines,
                days,
                min_block,
                min_run,
                seed,
            });
            // Instances the greedy cannot serve are of no use here.
            let Some(g) = greedy(&inst) else {
                continue;
            };
            let mut m = Master::new(&inst);
            for (ui, u) in inst.units.iter().enumerate() {
                let c = m.column(ui, plan_of(u, &g[ui]));
                m.add(c);
            }
            let start = Instant::now();
            let (bound, converged, lp, _, trouble) = generate(&mut m, &opts, 1.0, 60.0, start);
            assert!(converged && trouble.is_none(), "seed {seed}");
            let lp = lp.expect("an LP round");
            let fractional = lp.support.iter().any(|&(_, v)| v < 1.0 - 1e-6);
            if !fractional || lp.slack > 1e-6 {
                continue;
            }
            dived += 1;
            // A dive may fail (a fixing can leave a row unmet); one that ends must be right.
            let Some(s) = dive(&mut m, 60.0, start) else {
                continue;
            };
            assert!(check_states(&inst, &s).is_empty(), "seed {seed}");
            let cost = total_cost(&inst, &s);
            assert!(cost >= bound - 1e-6 * bound.abs().max(1.0), "seed {seed}");
        }
        // Tight caps on these instances often end a dive (a fixed fractional line leaves a cap
        // row short); the end-to-end gain is covered by tests/cli_stagger.rs, whose fixture is
        // proven within its 5 % only with the dive's calendar.
        assert!(dived > 0, "no instance with a fractional root LP");
    }
}
