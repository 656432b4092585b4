//! Column generation on the LP relaxation of the triple formulation.
//!
//! Every unit starts at a base triple (the greedy plan); the master LP holds, per unit that entered
//! it, "switch to triple t" columns with coefficients relative to the base and a `Σ x ≤ 1` row.
//! Pricing is exact (each unit's triples are enumerated), so at convergence the master's value is
//! the LP bound; at every round the Lagrangian value of the master's duals is a valid lower bound.

use super::pricing::{lagrangian, values, Multipliers};
use super::rows::RowIndex;
use super::session::Session;
use super::SolveOptions;
use crate::model::family::{row_values, Measure};
use crate::model::Problem;
use highs::{ColProblem, HighsModelStatus, Model, Row, Sense};
use std::collections::{HashMap, HashSet};
use std::time::Instant;

/// What the LP phase found.
#[derive(Debug, Clone)]
pub struct LpResult {
    /// Best certified lower bound seen (Lagrangian value of some master duals).
    pub bound: f64,
    /// Value of the last master LP (the LP optimum when converged).
    pub lp_objective: f64,
    /// Pricing found no improving column.
    pub converged: bool,
    /// Multipliers that gave `bound`.
    pub mult: Multipliers,
    /// Coupling-row duals of the last master, in [`RowIndex`] order (targets: 万元 per t/d).
    pub lambda: Vec<f64>,
    /// LP solution: (unit, triple, value) for switched units; other units sit on their base.
    pub switched: Vec<(usize, usize, f64)>,
    /// The base assignment.
    pub base: Vec<u32>,
    /// Slack used in the last master (> 0 means even the LP cannot meet the targets).
    pub slack: f64,
    /// Rounds of pricing.
    pub rounds: usize,
    /// Columns in the master.
    pub columns: usize,
    /// Stopped by the time limit.
    pub timed_out: bool,
    /// HiGHS stopped the master for another reason (what happened), so the bound is partial.
    pub trouble: Option<String>,
}

/// Cost of a unit of slack on a target row (HiGHS treats 1e20 as infinite).
const MAX_SLACK_COST: f64 = 1e12;

/// Most columns added to the master per pricing round.
const MAX_NEW_COLUMNS: usize = 4000;

struct Master {
    model: Option<Model>,
    /// One master row per coupling row.
    coupling: Vec<Row>,
    /// Convexity row of each unit in the master, with its row index.
    unit_rows: HashMap<usize, (Row, usize)>,
    n_rows: usize,
    cols: Vec<(usize, usize)>,
    col_set: HashSet<(usize, usize)>,
    slack_cols: usize,
}

/// Run column generation from `base` (the greedy plan, or cheapest triples when there is none).
/// Fails (with what HiGHS said) only when HiGHS refuses the first master outright.
pub fn lower_bound(
    p: &Problem,
    rows: &RowIndex,
    base: Option<&[u32]>,
    warm: Option<&Multipliers>,
    opts: &SolveOptions,
    start: Instant,
) -> Result<LpResult, String> {
    let base: Vec<u32> = base
        .map(<[u32]>::to_vec)
        .unwrap_or_else(|| vec![0; p.units.len()]);
    let achieved = row_values(p, &rows.rows, &base);
    let base_cost = p.cost(&base);
    let need_slack = !p.feasible(&base);
    let mut cp = ColProblem::new();
    // A feasible base may miss a row by the feasibility tolerance: never ask the master for more.
    let lower = |need: f64| if need_slack { need } else { need.min(0.0) };
    let coupling: Vec<Row> = rows
        .rows
        .iter()
        .zip(&achieved)
        .map(|(row, a)| cp.add_row(lower(row.rhs - a)..))
        .collect();
    let mut slack_cols = 0;
    if need_slack {
        let scale: f64 = p
            .units
            .iter()
            .map(|u| u.costs.last().copied().unwrap_or(0.0))
            .sum::<f64>()
            .max(1.0);
        for (row, &master_row) in rows.rows.iter().zip(&coupling) {
            cp.add_column(
                (1e3 * scale / row.slack_scale()).min(MAX_SLACK_COST),
                0.0..,
                [(master_row, 1.0)],
            );
            slack_cols += 1;
        }
    }
    let model = cp
        .try_optimise(Sense::Minimise)
        .map_err(|e| format!("HiGHS refused the LP master ({e:?})"))?;
    let n_rows = rows.len();
    let mut m = Master {
        model: Some(model),
        coupling,
        unit_rows: HashMap::new(),
        n_rows,
        cols: Vec::new(),
        col_set: HashSet::new(),
        slack_cols,
    };

    let mut best_bound = f64::NEG_INFINITY;
    let mut best_mult = Multipliers::zero(rows);
    let mut lambda = vec![0.0; rows.len()];
    let mut rounds = 0;
    let mut converged = false;
    let mut timed_out = false;
    let mut lp_value = base_cost;
    let mut solution: Vec<f64> = Vec::new();
    let mut slack = 0.0;
    let mut buf = Vec::new();
    let mut trouble = None;
    loop {
        rounds += 1;
        // Solve the master (an empty master is its own optimum: all duals zero).
        let (duals, col_values, obj) = if m.cols.len() + m.slack_cols == 0 {
            (vec![0.0; n_rows], Vec::new(), 0.0)
        } else {
            let Some(mut model) = m.model.take() else {
                break;
            };
            let session = Session {
                threads: opts.threads,
                seconds: (opts.time_limit - start.elapsed().as_secs_f64()).max(0.5),
                ..Session::default()
            };
            if let Err(note) = session.apply(&mut model) {
                trouble = Some(note);
                break;
            }
            let solved = match model.try_solve() {
                Ok(solved) => solved,
                Err(e) => {
                    // HiGHS refused the master (numerics): stop with the bound reached so far.
                    trouble = Some(format!("HiGHS could not solve the LP master ({e:?})"));
                    break;
                }
            };
            match solved.status() {
                HighsModelStatus::Optimal => {}
                HighsModelStatus::ReachedTimeLimit => {
                    timed_out = true;
                    break;
                }
                other => {
                    trouble = Some(format!("the LP master ended with HiGHS status {other:?}"));
                    break;
                }
            }
            let sol = solved.get_solution();
            let out = (
                sol.dual_rows().to_vec(),
                sol.columns().to_vec(),
                solved.objective_value(),
            );
            m.model = Some(Model::from(solved));
            out
        };
        lp_value = base_cost + obj;
        solution = col_values;
        slack = solution.iter().take(m.slack_cols).sum();
        let mult = match warm {
            // First round of a warm start: price with the related scenario's duals.
            Some(w) if rounds == 1 => w.clone(),
            _ => Multipliers {
                lambda: (0..rows.len()).map(|r| duals[r].max(0.0)).collect(),
            },
        };
        lambda.clone_from(&mult.lambda);
        let (l, _) = lagrangian(p, rows, &mult);
        if l > best_bound {
            best_bound = l;
            best_mult = mult.clone();
        }
        if start.elapsed().as_secs_f64() > opts.time_limit {
            timed_out = true;
            break;
        }
        // Price every unit; keep the most negative reduced costs (a bounded master stays fast).
        let mut new_cols: Vec<(f64, usize, usize)> = Vec::new();
        for (ui, u) in p.units.iter().enumerate() {
            if u.triples.len() < 2 {
                continue;
            }
            values(rows, u, &mult, &mut buf);
            let b = base[ui] as usize;
            let mu = m
                .unit_rows
                .get(&ui)
                .map(|&(_, i)| duals[i])
                .unwrap_or(0.0)
                .min(0.0);
            let tol = 1e-9 * (1.0 + u.costs[u.costs.len() - 1].abs());
            let mut cands: Vec<(f64, usize)> = (0..u.triples.len())
                .filter(|&t| t != b)
                .map(|t| (buf[t] - buf[b] - mu, t))
                .filter(|&(rc, _)| rc < -tol)
                .collect();
            cands.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
            new_cols.extend(
                cands
                    .iter()
                    .take(2)
                    .filter(|&&(_, t)| !m.col_set.contains(&(ui, t)))
                    .map(|&(rc, t)| (rc, ui, t)),
            );
        }
        let quantities = rows
            .rows
            .iter()
            .filter(|r| r.measure == Measure::Quantity)
            .count();
        let cap = MAX_NEW_COLUMNS.max(50 * quantities);
        if new_cols.len() > cap {
            new_cols.select_nth_unstable_by(cap, |a, b| {
                a.0.total_cmp(&b.0).then((a.1, a.2).cmp(&(b.1, b.2)))
            });
            new_cols.truncate(cap);
        }
        new_cols.sort_by_key(|&(_, u, t)| (u, t));
        let new_cols: Vec<(usize, usize)> = new_cols.into_iter().map(|(_, u, t)| (u, t)).collect();
        if new_cols.is_empty() {
            converged = true;
            break;
        }
        if let Err(e) = add_columns(&mut m, p, rows, &base, &new_cols) {
            trouble = Some(format!("HiGHS refused new LP columns ({e:?})"));
            break;
        }
    }
    let switched = m
        .cols
        .iter()
        .enumerate()
        .filter_map(|(i, &(u, t))| {
            solution
                .get(m.slack_cols + i)
                .filter(|v| **v > 1e-9)
                .map(|&v| (u, t, v))
        })
        .collect();
    Ok(LpResult {
        bound: best_bound,
        lp_objective: lp_value,
        converged,
        mult: best_mult,
        lambda,
        switched,
        base,
        slack,
        rounds,
        columns: m.cols.len(),
        timed_out,
        trouble,
    })
}

fn add_columns(
    m: &mut Master,
    p: &Problem,
    rows: &RowIndex,
    base: &[u32],
    new_cols: &[(usize, usize)],
) -> Result<(), highs::HighsStatus> {
    let Some(model) = m.model.as_mut() else {
        return Ok(());
    };
    for &(ui, t) in new_cols {
        let u = &p.units[ui];
        let conv = match m.unit_rows.get(&ui) {
            Some(&(row, _)) => row,
            None => {
                let row = model.try_add_row(..=1.0, std::iter::empty())?;
                m.n_rows += 1;
                m.unit_rows.insert(ui, (row, m.n_rows - 1));
                row
            }
        };
        let b = base[ui] as usize;
        let (tb, tt) = (u.triples[b], u.triples[t]);
        let mut factors: Vec<(Row, f64)> = vec![(conv, 1.0)];
        for (r, k, _, w) in rows.of(u) {
            let row = &rows.rows[r];
            let d = row.coefficient(w, u, &u.choices[tt[k] as usize])
                - row.coefficient(w, u, &u.choices[tb[k] as usize]);
            if d != 0.0 {
                factors.push((m.coupling[r], d));
            }
        }
        model.try_add_column(u.costs[t] - u.costs[b], 0.0.., factors)?;
        m.cols.push((ui, t));
        m.col_set.insert((ui, t));
    }
    Ok(())
}
