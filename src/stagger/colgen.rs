//! Column generation on the calendar master: the LP master kept alive between rounds, exact
//! pricing of every line (in parallel, collected in line order) with a Lagrangian bound each
//! round, and self-adjusting Wentges smoothing of the duals.

use super::instance::UnitPlan;
use super::master::{Column, Master};
use super::pricing::cheapest;
use crate::solve::session::Session;
use crate::solve::SolveOptions;
use highs::{HighsModelStatus, Sense};
use rayon::prelude::*;
use std::time::Instant;

pub(super) struct LpRound {
    pub(super) value: f64,
    /// (master column, LP value) of the columns in use.
    pub(super) support: Vec<(usize, f64)>,
    pub(super) duals: Vec<f64>,
    /// Duals of the one-pattern-per-line rows.
    pub(super) conv: Vec<f64>,
    pub(super) slack: f64,
    pub(super) slack_rows: Vec<(usize, f64)>,
}

/// The HiGHS session of a calendar model. HiGHS runs on one thread: its LP and MIP paths differ
/// with the thread count (measured: another calendar for 2 threads), and its scheduler cannot
/// change the count within a process. `--threads` sizes the pool that prices the lines instead
/// (see [`super::solve::solve`]).
pub(super) fn session(seconds: f64) -> Session {
    Session {
        threads: 1,
        seconds,
        ..Session::default()
    }
}

/// The LP master, kept alive between rounds so that HiGHS re-solves from its last basis.
pub(super) struct Lp {
    model: Option<highs::Model>,
    conv: Vec<highs::Row>,
    coupling: Vec<highs::Row>,
    /// Master column index of every LP column (None for slacks).
    cols: Vec<Option<usize>>,
    slack_at: Vec<usize>,
    weight: f64,
    /// Seconds HiGHS has spent on this model (its time limit counts all runs together).
    spent: f64,
    /// What stopped HiGHS other than the time limit (refused model, `Unknown`, an error).
    trouble: Option<String>,
}

impl Lp {
    pub(super) fn new(m: &Master, weight: f64, penalty: f64) -> Self {
        Self::with(m, weight, penalty, &vec![true; m.columns.len()])
    }

    /// The LP master over the columns `keep` marks (slack columns always).
    pub(super) fn with(m: &Master, weight: f64, penalty: f64, keep: &[bool]) -> Self {
        let mut pb = highs::ColProblem::default();
        let conv: Vec<highs::Row> = m.inst.units.iter().map(|_| pb.add_row(1.0..=1.0)).collect();
        let coupling: Vec<highs::Row> = m
            .rows
            .iter()
            .map(|r| {
                if r.kind == "cut" {
                    pb.add_row(r.rhs..=f64::INFINITY)
                } else {
                    pb.add_row(f64::NEG_INFINITY..=r.rhs)
                }
            })
            .collect();
        let mut cols = Vec::new();
        let mut slack_at = Vec::new();
        for (r, row) in m.rows.iter().enumerate() {
            let scale = row.rhs.abs().max(1.0);
            let sign = if row.kind == "cut" { 1.0 } else { -1.0 };
            slack_at.push(cols.len());
            cols.push(None);
            pb.add_column(penalty / scale, 0.0.., [(coupling[r], sign)]);
        }
        for (ci, c) in m.columns.iter().enumerate() {
            if !keep.get(ci).copied().unwrap_or(false) {
                continue;
            }
            let terms = std::iter::once((conv[c.unit], 1.0))
                .chain(c.terms.iter().map(|&(r, a)| (coupling[r], a)));
            pb.add_column(c.cost * weight, 0.0..=1.0, terms);
            cols.push(Some(ci));
        }
        let (model, trouble) = match pb.try_optimise(Sense::Minimise) {
            Ok(model) => (Some(model), None),
            Err(e) => (None, Some(format!("HiGHS refused the LP master ({e:?})"))),
        };
        Lp {
            model,
            trouble,
            conv,
            coupling,
            cols,
            slack_at,
            weight,
            spent: 0.0,
        }
    }

    pub(super) fn add(&mut self, m: &Master, ci: usize) {
        let c = &m.columns[ci];
        let terms: Vec<(highs::Row, f64)> = std::iter::once((self.conv[c.unit], 1.0))
            .chain(c.terms.iter().map(|&(r, a)| (self.coupling[r], a)))
            .collect();
        if let Some(model) = self.model.as_mut() {
            if let Err(e) = model.try_add_column(c.cost * self.weight, 0.0..=1.0, terms) {
                self.trouble = Some(format!("HiGHS refused a new LP column ({e:?})"));
                self.model = None;
                return;
            }
            self.cols.push(Some(ci));
        }
    }

    pub(super) fn solve(&mut self, m: &Master, seconds: f64) -> Option<LpRound> {
        let mut model = self.model.take()?;
        if let Err(note) = session(self.spent + seconds).apply(&mut model) {
            self.trouble = Some(note);
            return None;
        }
        let t = Instant::now();
        // Presolve would discard the basis of the previous round.
        let _ = model.try_set_option("presolve", "off");
        // New columns keep the basis primal feasible: primal simplex continues from it.
        let _ = model.try_set_option("simplex_strategy", 4);
        let solved = match model.try_solve() {
            Ok(solved) => solved,
            Err(e) => {
                self.trouble = Some(format!("HiGHS could not solve the LP master ({e:?})"));
                return None;
            }
        };
        self.spent += t.elapsed().as_secs_f64();
        let status = solved.status();
        if !matches!(
            status,
            HighsModelStatus::Optimal | HighsModelStatus::ReachedTimeLimit
        ) {
            self.trouble = Some(format!("the LP master ended with HiGHS status {status:?}"));
        }
        let round = (status == HighsModelStatus::Optimal).then(|| {
            let sol = solved.get_solution();
            let units = m.inst.units.len();
            let x = sol.columns();
            let slack_rows: Vec<(usize, f64)> = self
                .slack_at
                .iter()
                .enumerate()
                .map(|(r, &c)| (r, x[c]))
                .filter(|&(_, s)| s > 1e-7)
                .collect();
            LpRound {
                value: solved.objective_value(),
                support: self
                    .cols
                    .iter()
                    .zip(x)
                    .filter_map(|(c, &v)| c.filter(|_| v > 1e-6).map(|c| (c, v)))
                    .collect(),
                duals: sol.dual_rows()[units..].to_vec(),
                conv: sol.dual_rows()[..units].to_vec(),
                slack: slack_rows.iter().map(|s| s.1).sum(),
                slack_rows,
            }
        });
        self.model = Some(highs::Model::from(solved));
        round
    }
}

impl LpRound {
    /// Reduced cost of a column (true cost × `weight`) under this round's duals.
    pub(super) fn reduced_cost(&self, c: &Column, weight: f64) -> f64 {
        c.cost * weight
            - self.conv[c.unit]
            - c.terms.iter().map(|&(r, a)| self.duals[r] * a).sum::<f64>()
    }
}

/// Price every unit at the given duals: the Lagrangian bound and each unit's cheapest plan
/// (`None` when some unit has no calendar at all).
pub(super) fn price(m: &Master, duals: &[f64], weight: f64) -> Option<(f64, Vec<UnitPlan>)> {
    let all: Vec<usize> = (0..m.inst.units.len()).collect();
    let (costs, plans) = price_costs(m, duals, weight, &all)?;
    let lagrange: f64 = m
        .rows
        .iter()
        .zip(duals)
        .map(|(r, &y)| {
            if r.kind == "cut" {
                y.max(0.0) * r.rhs
            } else {
                y.min(0.0) * r.rhs
            }
        })
        .sum::<f64>()
        + costs.iter().sum::<f64>();
    Some((lagrange, plans))
}

/// The cheapest plans of the given lines at the duals (in the order given; `None` when one has
/// no calendar at all).
pub(super) fn price_lines(
    m: &Master,
    duals: &[f64],
    weight: f64,
    lines: &[usize],
) -> Option<Vec<UnitPlan>> {
    price_costs(m, duals, weight, lines).map(|(_, plans)| plans)
}

/// Priced costs and plans of the given lines, priced in parallel and collected in order.
fn price_costs(
    m: &Master,
    duals: &[f64],
    weight: f64,
    lines: &[usize],
) -> Option<(Vec<f64>, Vec<UnitPlan>)> {
    let priced: Vec<Option<(UnitPlan, f64)>> = lines
        .par_iter()
        .map(|&ui| {
            let prices = m.prices(ui, duals, weight);
            cheapest(m.inst, ui, &prices, m.inst.units[ui].startup_cost * weight)
        })
        .collect();
    let mut costs = Vec::with_capacity(priced.len());
    let mut plans = Vec::with_capacity(priced.len());
    for p in priced {
        let (plan, c) = p?;
        costs.push(c);
        plans.push(plan);
    }
    Some((costs, plans))
}

/// Cost of a unit of relative shortfall in the LP master: dearer than stopping every line for a
/// block when costs count (`weight` > 0), so slack is used only where nothing helps; 1 in the
/// feasibility phase.
pub(super) fn penalty(m: &Master, weight: f64) -> f64 {
    if weight <= 0.0 {
        return 1.0;
    }
    let max_factor = m
        .inst
        .days
        .iter()
        .map(|d| d.value_factor)
        .fold(0.0, f64::max);
    2.0 * m
        .inst
        .units
        .iter()
        .map(|u| u.value * max_factor * u.min_block as f64 + u.startup_cost)
        .sum::<f64>()
        .max(1.0)
}

/// Column generation; returns the Lagrangian bound (of the cost × `weight` problem), whether it
/// converged, the last LP round, the rounds used and what stopped HiGHS if not the time limit.
pub(super) fn generate(
    m: &mut Master,
    opts: &SolveOptions,
    weight: f64,
    deadline: f64,
    start: Instant,
) -> (f64, bool, Option<LpRound>, usize, Option<String>) {
    let penalty = penalty(m, weight);
    let mut lp_model = Lp::new(m, weight, penalty);
    let mut bound = f64::NEG_INFINITY;
    // Self-adjusting Wentges smoothing: price at α·(duals of the best bound) + (1 − α)·(LP
    // duals); α grows while the subgradient at that point leads away from the LP duals and
    // shrinks when it leads toward them (Pessoa, Sadykov, Uchoa & Vanderbeck 2018). When the
    // smoothed point finds no column the LP can use (a mis-price), the LP duals are priced too.
    let mut best_duals: Option<Vec<f64>> = None;
    let mut alpha: f64 = 0.5;
    let mut last = None;
    let mut rounds = 0;
    loop {
        let left = deadline - start.elapsed().as_secs_f64();
        if left <= 0.0 {
            return (bound, false, last, rounds, lp_model.trouble);
        }
        let Some(lp) = lp_model.solve(m, left) else {
            return (bound, false, last, rounds, lp_model.trouble);
        };
        rounds += 1;
        let t_lp = start.elapsed().as_secs_f64();
        let mut added = 0;
        let mut useful = 0;
        let tol = 1e-9 * lp.value.abs().max(1.0);
        for smoothed in [true, false] {
            let duals: Vec<f64> = match &best_duals {
                Some(b) if smoothed && alpha > 0.0 => b
                    .iter()
                    .zip(&lp.duals)
                    .map(|(b, y)| alpha * b + (1.0 - alpha) * y)
                    .collect(),
                _ if smoothed => continue,
                _ => lp.duals.clone(),
            };
            let Some((lagrange, plans)) = price(m, &duals, weight) else {
                return (f64::INFINITY, true, Some(lp), rounds, lp_model.trouble);
            };
            let mut used = vec![0.0; m.rows.len()];
            for (ui, plan) in plans.into_iter().enumerate() {
                let col = m.column(ui, plan);
                for &(r, a) in &col.terms {
                    used[r] += a;
                }
                if lp.reduced_cost(&col, weight) < -tol {
                    useful += 1;
                }
                let before = m.columns.len();
                m.add(col);
                if m.columns.len() > before {
                    lp_model.add(m, before);
                    added += 1;
                }
            }
            if smoothed {
                if let Some(b) = &best_duals {
                    // Subgradient at the smoothed point against the direction to the LP duals.
                    let slope: f64 = m
                        .rows
                        .iter()
                        .zip(&used)
                        .zip(b.iter().zip(&lp.duals))
                        .map(|((r, u), (b, y))| (r.rhs - u) * (y - b))
                        .sum();
                    alpha = if slope > 0.0 {
                        (alpha - 0.1).max(0.0)
                    } else {
                        (alpha + 0.1 * (1.0 - alpha)).min(0.95)
                    };
                }
            }
            if lagrange > bound {
                bound = lagrange;
                best_duals = Some(duals);
            }
            if useful > 0 {
                break;
            }
        }
        if std::env::var_os("JIANPAI_TRACE").is_some() {
            eprintln!(
                "round {rounds}: lp {:.2} bound {:.2} slack {:.4} columns {} added {added} useful {useful} alpha {alpha:.2} t_lp {:.2} t {:.2}",
                lp.value, bound, lp.slack, m.columns.len(), t_lp, start.elapsed().as_secs_f64()
            );
        }
        // Close enough when the LP is within a fraction of the requested gap of the bound: the
        // master MIP then has the time to find a calendar within the gap.
        let converged = useful == 0
            || added == 0
            || lp.value - bound <= (0.1 * opts.rel_gap).clamp(1e-7, 1e-4) * lp.value.abs().max(1.0);
        last = Some(lp);
        if converged {
            return (bound, true, last, rounds, lp_model.trouble);
        }
    }
}
