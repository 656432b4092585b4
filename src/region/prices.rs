//! The regional rows priced, the cities solved as blocks (Dantzig–Wolfe decomposition).
//!
//! Only a few rows (the regional targets: a pollutant at a level) run across cities; every other
//! row belongs to one city. One LP over every city's rows is slow (its master carries all of
//! them: ~1,400 rows for 13 cities with district targets), so the regional rows are priced:
//!
//! - a small master LP (the regional rows and one convexity row per city) mixes, per city, the
//!   points found so far (lists, and LP solutions of the city's model) so that the regional rows
//!   are met at least loss; its duals are prices µ on the regional rows (万元 per t/d) and σ per
//!   city;
//! - each city's model, with every option's season loss lowered by µ × what it cuts toward the
//!   regional rows, is solved as an LP by the list's own column generation (exact pricing). Its
//!   LP solution joins the master when its reduced cost is negative; its Lagrangian bound z
//!   gives Σ z + µ · required, a lower bound on every regional list for any prices µ ≥ 0. Prices
//!   are smoothed toward the best ones found (Wentges), since the master's own duals jump;
//! - when the master's value and the best bound meet, the master's mix says how much of each
//!   regional cut each city carries (its share). Each city solves its own MIP once more with its
//!   shares as city-wide rows, and together their lists meet every regional row by construction.
//!   A small MIP that picks one found list per city is the other way to a regional list; the
//!   cheaper one is kept. The gap is against the best bound.

use super::decompose::warm_start;
use super::{City, Region};
use crate::model::problem::feas_tol;
use crate::model::{Problem, Scope, Target};
use crate::solve::colgen::lower_bound;
use crate::solve::pricing::Multipliers;
use crate::solve::rows::RowIndex;
use crate::solve::session::Session;
use crate::solve::status::Stop;
use crate::solve::{solve_warm, Method, Solution, SolveOptions, SolveReport, Status};
use highs::{HighsModelStatus, RowProblem, Sense};
use rayon::prelude::*;
use std::time::Instant;

/// Pricing rounds at most (each round solves every city's LP once).
const MAX_ROUNDS: usize = 40;

/// A city's list in the master.
#[derive(Debug, Clone)]
struct Column {
    /// Triple index per unit of the city's own model (none for an LP solution's column).
    plan: Option<Vec<u32>>,
    /// Season loss (万元).
    cost: f64,
    /// What it cuts toward each regional row (t/d).
    cuts: Vec<f64>,
}

/// What the master LP says.
struct MasterLp {
    value: f64,
    /// Prices of the regional rows (≥ 0).
    mu: Vec<f64>,
    /// Price of each city's convexity row.
    sigma: Vec<f64>,
    /// Weight of each column, per city.
    weights: Vec<Vec<f64>>,
    /// Regional cut left to the slack columns (t/d), per row.
    slack: Vec<f64>,
}

/// The regional rows of the joint model (enforced, something to cut).
fn regional_rows(region: &Region) -> Vec<Target> {
    region
        .regional_targets()
        .iter()
        .filter(|t| t.enforced && t.rhs > 0.0)
        .cloned()
        .collect()
}

/// What a city's list cuts toward each regional row.
fn cuts(p: &Problem, rows: &[Target], plan: &[u32]) -> Vec<f64> {
    let mut out = vec![0.0; rows.len()];
    for (u, &ti) in p.units.iter().zip(plan) {
        for (o, t) in out.iter_mut().zip(rows) {
            *o += p.triple_cut(u, ti as usize, t);
        }
    }
    out
}

fn column(p: &Problem, rows: &[Target], plan: Vec<u32>) -> Column {
    Column {
        cost: p.cost(&plan),
        cuts: cuts(p, rows, &plan),
        plan: Some(plan),
    }
}

/// A city's model with every option's season loss lowered by µ × its cut toward the regional
/// rows, and raised by a per-unit constant that keeps every loss ≥ 0 (a constant per unit and
/// level moves no choice). Returns the model, each unit's map from new to old triple index, and
/// the constants' sum.
fn priced(p: &Problem, rows: &[Target], mu: &[f64]) -> (Problem, Vec<Vec<u32>>, f64) {
    let mut w = [[0.0; 4]; 3];
    for (t, &m) in rows.iter().zip(mu) {
        w[t.level.index()][t.pollutant.index()] += m;
    }
    let mut q = p.clone();
    let mut shift = 0.0;
    let orders = q
        .units
        .iter_mut()
        .map(|u| {
            for k in 0..3 {
                let mut lowest = 0.0f64;
                for (c, costs) in u.choices.iter().zip(u.level_costs.iter_mut()) {
                    costs[k] -= (0..4).map(|i| w[k][i] * c.cut[i]).sum::<f64>();
                    lowest = lowest.min(costs[k]);
                }
                for costs in &mut u.level_costs {
                    costs[k] -= lowest;
                }
                shift -= lowest;
            }
            u.sort_triples()
        })
        .collect();
    (q, orders, shift)
}

/// Per unit, the triple that cuts the most toward the regional rows (each row's cut relative to
/// what it requires), then the most at every level (so the city's own rows are met too).
fn most_cut(p: &Problem, rows: &[Target]) -> Vec<u32> {
    p.units
        .iter()
        .map(|u| {
            let score = |ti: usize| {
                let regional: f64 = rows
                    .iter()
                    .map(|t| p.triple_cut(u, ti, t) / t.rhs.max(1e-9))
                    .sum();
                let all: f64 = u.triples[ti]
                    .iter()
                    .map(|&c| u.choices[c as usize].cut.iter().sum::<f64>())
                    .sum();
                (regional, all)
            };
            (0..u.triples.len())
                .map(|ti| (ti, score(ti)))
                .fold(
                    None,
                    |best: Option<(usize, (f64, f64))>, (ti, s)| match best {
                        Some((_, b)) if s.0 < b.0 || (s.0 == b.0 && s.1 <= b.1) => best,
                        _ => Some((ti, s)),
                    },
                )
                .map_or(0, |(ti, _)| ti as u32)
        })
        .collect()
}

/// A plan of a priced model in the city model's triple indices.
fn unpriced(plan: &[u32], orders: &[Vec<u32>]) -> Vec<u32> {
    plan.iter()
        .zip(orders)
        .map(|(&t, o)| o[t as usize])
        .collect()
}

/// The restricted master over the columns found so far: a weight per column of each city, the
/// regional rows and one convexity row per city. As an LP (`slack` prices given) slack columns
/// keep it feasible while the columns cannot yet meet a row; as a MIP (`None`) the weights are
/// binary, columns without a list stay 0 and each row must be met beyond the checker's tolerance.
fn restricted(columns: &[Vec<Column>], rows: &[Target], slack: Option<&[f64]>) -> RowProblem {
    let integer = slack.is_none();
    let mut pb = RowProblem::new();
    let cols: Vec<Vec<_>> = columns
        .iter()
        .map(|cs| {
            cs.iter()
                .map(|c| match integer {
                    true => {
                        pb.add_integer_column(c.cost, 0.0..=f64::from(u8::from(c.plan.is_some())))
                    }
                    false => pb.add_column(c.cost, 0.0..),
                })
                .collect()
        })
        .collect();
    let slacks: Vec<_> = slack
        .unwrap_or_default()
        .iter()
        .map(|&m| pb.add_column(m, 0.0..))
        .collect();
    for (r, t) in rows.iter().enumerate() {
        let mut factors: Vec<_> = slacks.get(r).map(|&x| (x, 1.0)).into_iter().collect();
        for (cs, xs) in columns.iter().zip(&cols) {
            factors.extend(cs.iter().zip(xs).map(|(c, &x)| (x, c.cuts[r])));
        }
        let need = if integer {
            t.rhs + feas_tol(t.rhs)
        } else {
            t.rhs
        };
        pb.add_row(need.., factors);
    }
    for xs in &cols {
        pb.add_row(1.0..=1.0, xs.iter().map(|&x| (x, 1.0)));
    }
    pb
}

/// The columns' values, city by city (the slack columns' values follow the cities').
fn per_city(columns: &[Vec<Column>], values: &[f64]) -> Vec<Vec<f64>> {
    let mut at = 0;
    columns
        .iter()
        .map(|cs| {
            at += cs.len();
            values[at - cs.len()..at].to_vec()
        })
        .collect()
}

/// Solve the master LP within `seconds`.
fn master(
    columns: &[Vec<Column>],
    rows: &[Target],
    big: &[f64],
    session: Session,
) -> Option<MasterLp> {
    let mut model = restricted(columns, rows, Some(big))
        .try_optimise(Sense::Minimise)
        .ok()?;
    session.apply(&mut model).ok()?;
    let solved = model.try_solve().ok()?;
    if solved.status() != HighsModelStatus::Optimal {
        return None;
    }
    let sol = solved.get_solution();
    let duals = sol.dual_rows();
    let values = sol.columns();
    let n: usize = columns.iter().map(Vec::len).sum();
    Some(MasterLp {
        value: solved.objective_value(),
        mu: duals[..rows.len()].iter().map(|d| d.max(0.0)).collect(),
        sigma: duals[rows.len()..].to_vec(),
        weights: per_city(columns, values),
        slack: values[n..].to_vec(),
    })
}

/// One list per city from the columns, meeting every regional row at least loss (a small MIP);
/// `None` when no choice of found lists meets them.
fn pick(columns: &[Vec<Column>], rows: &[Target], session: Session) -> Option<Vec<usize>> {
    let mut model = restricted(columns, rows, None)
        .try_optimise(Sense::Minimise)
        .ok()?;
    let session = Session {
        mip_gap: Some(0.0),
        tolerance: Some(1e-9),
        ..session
    };
    session.apply(&mut model).ok()?;
    let solved = model.try_solve().ok()?;
    if !matches!(
        solved.status(),
        HighsModelStatus::Optimal | HighsModelStatus::ReachedTimeLimit
    ) {
        return None;
    }
    let values = solved.get_solution().columns().to_vec();
    if values.is_empty() {
        return None;
    }
    per_city(columns, &values)
        .iter()
        .map(|w| (0..w.len()).find(|&k| w[k] > 0.5))
        .collect()
}

/// The city's model with its share of every regional row as one more city-wide row.
fn with_share(city: &City, rows: &[Target], share: &[f64]) -> Problem {
    let mut p = city.problem.clone();
    for (t, &s) in rows.iter().zip(share) {
        if s > 0.0 {
            p.targets.push(Target {
                scope: Scope::City,
                base: s,
                ratio: 1.0,
                required: s,
                credit: 0.0,
                rhs: s,
                ..t.clone()
            });
        }
    }
    p
}

/// Each city's share of each regional row from the master's combination, scaled so that the
/// shares add up to a little more than the row (the cities then meet it whatever their rounding).
fn shares(columns: &[Vec<Column>], lp: &MasterLp, rows: &[Target]) -> Option<Vec<Vec<f64>>> {
    if lp.slack.iter().any(|&s| s > 1e-9) {
        return None;
    }
    let mut out: Vec<Vec<f64>> = columns
        .iter()
        .zip(&lp.weights)
        .map(|(cs, ws)| {
            (0..rows.len())
                .map(|r| cs.iter().zip(ws).map(|(c, w)| w * c.cuts[r]).sum())
                .collect()
        })
        .collect();
    for (r, t) in rows.iter().enumerate() {
        let total: f64 = out.iter().map(|s| s[r]).sum();
        if total <= 0.0 {
            return None;
        }
        let scale = (t.rhs / total).max(1.0) * (1.0 + 1e-9);
        for s in &mut out {
            s[r] *= scale;
        }
    }
    Some(out)
}

/// A city's LP at some prices.
struct CityLp {
    /// Lagrangian bound of the city's loss − µ · cuts (万元).
    bound: f64,
    /// Its LP solution (none when even the LP needed slack).
    column: Option<Column>,
    /// Its multipliers, the next round's warm start.
    mult: Multipliers,
    /// Column generation stopped at its time limit.
    timed_out: bool,
}

/// A city's priced model solved as an LP (column generation to convergence): its bound at the
/// prices (in the city's own terms, the constants taken off) and its LP solution as a column.
fn price_city(
    city: &City,
    rows: &[Target],
    mu: &[f64],
    base: &[u32],
    warm: Option<&Multipliers>,
    opts: &SolveOptions,
) -> Option<CityLp> {
    let (q, orders, shift) = priced(&city.problem, rows, mu);
    let index = RowIndex::new(&q);
    let mut to_priced: Vec<Vec<u32>> = orders.iter().map(|o| vec![0; o.len()]).collect();
    for (inv, o) in to_priced.iter_mut().zip(&orders) {
        for (new, &old) in o.iter().enumerate() {
            inv[old as usize] = new as u32;
        }
    }
    let base_q: Vec<u32> = base
        .iter()
        .zip(&to_priced)
        .map(|(&t, inv)| inv[t as usize])
        .collect();
    let lp = lower_bound(&q, &index, Some(&base_q), warm, opts, Instant::now()).ok()?;
    let column = (lp.slack <= 1e-9).then(|| {
        let p = &city.problem;
        let mut col = column(p, rows, unpriced(&lp.base, &orders));
        col.plan = None;
        for &(u, t, v) in &lp.switched {
            let unit = &p.units[u];
            let (to, from) = (
                orders[u][t] as usize,
                orders[u][lp.base[u] as usize] as usize,
            );
            col.cost += v * (unit.costs[to] - unit.costs[from]);
            for (c, t) in col.cuts.iter_mut().zip(rows) {
                *c += v * (p.triple_cut(unit, to, t) - p.triple_cut(unit, from, t));
            }
        }
        col
    });
    Some(CityLp {
        bound: lp.bound - shift,
        column,
        mult: lp.mult,
        timed_out: lp.timed_out,
    })
}

/// Solve the region by pricing its regional rows, starting from the cities' lists in `first`
/// (one per city, each meeting the city's own rows). `None` when the decomposition does not apply
/// (no regional row to price, HiGHS refused a master, or no list meets the regional rows): the
/// caller solves the joint model instead.
pub fn solve_priced(region: &Region, first: &[Vec<u32>], opts: &SolveOptions) -> Option<Solution> {
    let start = Instant::now();
    let rows = regional_rows(region);
    if rows.is_empty() || first.len() != region.cities.len() {
        return None;
    }
    let left = || opts.time_limit - start.elapsed().as_secs_f64();
    let session = |seconds: f64| Session {
        threads: opts.threads,
        seconds: seconds.max(1.0),
        ..Session::default()
    };
    let n = region.cities.len();
    let lanes = rayon::current_num_threads().clamp(1, n);
    let scale: f64 = region
        .joint
        .units
        .iter()
        .map(|u| u.costs.last().copied().unwrap_or(0.0))
        .sum::<f64>()
        .max(1.0);
    let big: Vec<f64> = rows.iter().map(|t| 1e3 * scale / t.rhs.max(1e-6)).collect();
    // Each city starts with its first list and, when it meets the city's own rows, the list that
    // cuts the most toward the regional rows (so the master's first prices are finite).
    let mut columns: Vec<Vec<Column>> = region
        .cities
        .iter()
        .zip(first)
        .map(|(c, plan)| {
            let mut cs = vec![column(&c.problem, &rows, plan.clone())];
            let most = most_cut(&c.problem, &rows);
            if most != *plan && c.problem.feasible(&most) {
                cs.push(column(&c.problem, &rows, most));
            }
            cs
        })
        .collect();
    let mut warm: Vec<Option<Multipliers>> = vec![None; n];
    let mut best_bound = f64::NEG_INFINITY;
    let mut best_mu: Vec<f64> = Vec::new();
    let mut rounds = 0;
    let mut stop = Stop::Finished;
    let mut notes = Vec::new();
    // Prices are smoothed toward the best ones found (Wentges): the master's own duals jump.
    let mut smoothing = 0.0;
    let lp = loop {
        let lp = master(&columns, &rows, &big, session(left()))?;
        let feasible = lp.slack.iter().all(|&s| s <= 1e-9);
        if feasible && lp.value - best_bound <= opts.rel_gap / 4.0 * lp.value.abs() {
            break lp;
        }
        // Pricing rounds get 60 % of the time; the shares' solves need the rest.
        if rounds > 0 && start.elapsed().as_secs_f64() > 0.6 * opts.time_limit {
            stop = Stop::TimeLimit;
            break lp;
        }
        // The round cap is no time limit: a gap left then reads `not_proven`.
        if rounds >= MAX_ROUNDS {
            break lp;
        }
        rounds += 1;
        let round_start = Instant::now();
        let mu: Vec<f64> = if best_mu.is_empty() {
            lp.mu.clone()
        } else {
            lp.mu
                .iter()
                .zip(&best_mu)
                .map(|(m, b)| smoothing * b + (1.0 - smoothing) * m)
                .collect()
        };
        let city_opts = SolveOptions {
            method: Method::Mip,
            time_limit: (left() * 0.3 * lanes as f64 / n as f64).max(0.5),
            rel_gap: opts.rel_gap,
            threads: opts.threads,
        };
        let priced: Vec<Option<CityLp>> = region
            .cities
            .par_iter()
            .zip(first)
            .zip(&warm)
            .map(|((city, base), w)| price_city(city, &rows, &mu, base, w.as_ref(), &city_opts))
            .collect();
        let mut bound = Some(mu.iter().zip(&rows).map(|(m, t)| m * t.rhs).sum::<f64>());
        let mut added = 0;
        let mut timed_out = 0;
        for (c, priced) in priced.into_iter().enumerate() {
            let Some(city) = priced else {
                bound = None;
                continue;
            };
            bound = bound.map(|b| b + city.bound);
            warm[c] = Some(city.mult);
            timed_out += usize::from(city.timed_out);
            let Some(col) = city.column else { continue };
            let reduced = col.cost
                - lp.mu.iter().zip(&col.cuts).map(|(m, a)| m * a).sum::<f64>()
                - lp.sigma[c];
            if reduced < -1e-9 * scale {
                columns[c].push(col);
                added += 1;
            }
        }
        if let Some(b) = bound.filter(|&b| b > best_bound) {
            best_bound = b;
            best_mu.clone_from(&mu);
        }
        notes.push(format!(
            "round {rounds}: {:.1} s, master {:.2}, bound {:.2} 万元, {added} new columns, \
             {timed_out} city LPs at their time limit",
            round_start.elapsed().as_secs_f64(),
            lp.value,
            bound.unwrap_or(f64::NAN)
        ));
        if added == 0 {
            // Nothing new at the master's own prices: `lp` is the master's optimum.
            if smoothing == 0.0 {
                break lp;
            }
            // Mispricing: the smoothed prices found nothing the master lacks; use its own.
            smoothing = 0.0;
        } else {
            smoothing = 0.5;
        }
    };
    notes.push(format!(
        "regional rows priced: {rounds} rounds of city LPs, {} columns in the master, master \
         value {:.2} 万元, best Lagrangian bound {:.2} 万元 at prices {}",
        columns.iter().map(Vec::len).sum::<usize>(),
        lp.value,
        best_bound,
        best_mu
            .iter()
            .zip(&rows)
            .map(|(m, t)| format!("{}/{}: {m:.2}", t.level.key(), t.pollutant.key()))
            .collect::<Vec<_>>()
            .join(", ")
    ));

    // A regional list: the cities' lists under their shares, or one found list per city.
    let mut best: Option<(f64, Vec<u32>, Vec<Vec<f64>>)> = None;
    let mut consider = |plan: Vec<u32>, duals: Vec<Vec<f64>>, how: &str| {
        if !region.joint.feasible(&plan) {
            return;
        }
        let cost = region.joint.cost(&plan);
        if best.as_ref().is_none_or(|(b, _, _)| cost < *b) {
            notes.push(format!("regional list from {how}: {cost:.2} 万元"));
            best = Some((cost, plan, duals));
        }
    };
    if let Some(share) = shares(&columns, &lp, &rows) {
        let shares_start = Instant::now();
        // The bound is within a quarter of the gap of the master; the cities' lists may use
        // another quarter.
        let city_opts = SolveOptions {
            method: Method::Mip,
            time_limit: (left() * lanes as f64 / n as f64).max(1.0),
            rel_gap: (opts.rel_gap / 4.0).max(1e-6),
            threads: opts.threads,
        };
        let solved: Vec<Solution> = region
            .cities
            .par_iter()
            .zip(&share)
            .zip(first)
            .map(|((city, s), base)| {
                let p = with_share(city, &rows, s);
                solve_warm(&p, &city_opts, Some(&warm_start(&p, base.clone(), &[])))
            })
            .collect();
        if solved.iter().any(|s| s.report.status == Status::TimeLimit) {
            stop = stop.and(Stop::TimeLimit);
        }
        let mut plan = Vec::with_capacity(region.joint.units.len());
        let mut duals = Vec::with_capacity(n);
        for (c, s) in solved.into_iter().enumerate() {
            match s.assignment {
                Some(a) => {
                    columns[c].push(column(&region.cities[c].problem, &rows, a.clone()));
                    plan.extend(a);
                    duals.push(s.report.duals);
                }
                None => {
                    plan.clear();
                    break;
                }
            }
        }
        if plan.len() == region.joint.units.len() {
            let how = format!(
                "the cities' shares ({:.1} s)",
                shares_start.elapsed().as_secs_f64()
            );
            consider(plan, duals, &how);
        }
    }
    if let Some(picked) = pick(&columns, &rows, session(left().min(10.0))) {
        let plan = picked
            .iter()
            .zip(&columns)
            .flat_map(|(&k, cs)| cs[k].plan.iter().flatten().copied())
            .collect();
        consider(plan, Vec::new(), "one found list per city");
    }
    let mut report = SolveReport::new(opts.method);
    report.lp_rounds = rounds;
    report.lp_columns = columns.iter().map(Vec::len).sum();
    report.bound = best_bound.is_finite().then_some(best_bound);
    report.notes = notes;
    let (cost, plan, duals) = best?;
    // Target prices in the joint model's order: each city's own rows, then the regional rows.
    let mut joint_duals = vec![0.0; region.joint.targets.len()];
    for (city, d) in region.cities.iter().zip(&duals) {
        let own = city.targets.len().min(d.len());
        joint_duals[city.targets.start..city.targets.start + own].copy_from_slice(&d[..own]);
    }
    let first_regional = region.first_target();
    let mut r = 0;
    for (i, t) in region.joint.targets.iter().enumerate().skip(first_regional) {
        if t.enforced && t.rhs > 0.0 {
            joint_duals[i] = best_mu.get(r).copied().unwrap_or(0.0);
            r += 1;
        }
    }
    report.duals = joint_duals;
    report.finish(Some(cost), opts, start, stop);
    Some(Solution {
        assignment: Some(plan),
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Level, Pollutant};
    use crate::model::{Choice, Unit};

    fn choice(cut: [f64; 4], loss: f64, stop: bool) -> Choice {
        Choice {
            limit: if stop { 1.0 } else { 0.5 },
            declared: None,
            cut,
            loss,
            electricity: 0.0,
            stop,
        }
    }

    /// Units of three options (none, a limit, a stop) with every nested triple.
    fn problem() -> Problem {
        let choices = vec![
            choice([0.0; 4], 0.0, false),
            choice([2.0, 1.0, 0.5, 0.0], 1.0, false),
            choice([5.0, 3.0, 1.0, 2.0], 4.0, true),
        ];
        let days = [10.0, 6.0, 3.0];
        let unit = |line: usize, scale: f64| {
            let level_costs: Vec<[f64; 3]> = choices
                .iter()
                .map(|c| days.map(|d| d * c.loss * scale))
                .collect();
            let mut u = Unit {
                rule: line,
                line,
                district: None,
                controlled: true,
                choices: choices.clone(),
                triples: (0..3u8)
                    .flat_map(|a| (a..3).flat_map(move |b| (b..3).map(move |c| [a, b, c])))
                    .collect(),
                level_costs,
                costs: Vec::new(),
                group: None,
                member: 0,
                air: Vec::new(),
            };
            u.sort_triples();
            u
        };
        let target = |level, pollutant| Target {
            level,
            pollutant,
            scope: Scope::City,
            base: 100.0,
            ratio: 0.1,
            required: 10.0,
            credit: 0.0,
            rhs: 10.0,
            enforced: true,
        };
        Problem {
            units: vec![unit(0, 1.0), unit(1, 0.3), unit(2, 2.5)],
            targets: vec![
                target(Level::Red, Pollutant::So2),
                target(Level::Orange, Pollutant::Nox),
                target(Level::Red, Pollutant::Vocs),
            ],
            days,
            restart_days: [0.0; 3],
            ..Problem::default()
        }
    }

    #[test]
    fn priced_losses_stay_non_negative_and_plans_map_back() {
        let p = problem();
        let rows = p.targets.clone();
        let mu = [3.0, 0.7, 12.0];
        let (q, orders, shift) = priced(&p, &rows, &mu);
        assert!(q.units.iter().all(|u| u.costs.iter().all(|&c| c >= 0.0)));
        assert!(q
            .units
            .iter()
            .all(|u| u.costs.windows(2).all(|w| w[0] <= w[1])));
        // Every plan: priced loss = loss − µ · cuts + the constants.
        for pick in 0..10u32 {
            let plan: Vec<u32> = q.units.iter().map(|_| pick).collect();
            let back = unpriced(&plan, &orders);
            let lowered = p.cost(&back)
                - mu.iter()
                    .zip(cuts(&p, &rows, &back))
                    .map(|(m, a)| m * a)
                    .sum::<f64>()
                + shift;
            assert!((q.cost(&plan) - lowered).abs() < 1e-9, "plan {pick}");
        }
    }
}
