//! Solving the calendar by column generation over line patterns (Dantzig–Wolfe):
//!
//! - a *pattern* is one line's whole calendar (its stop blocks and maintenance dates), so block
//!   lengths, quotas, government days and maintenance windows hold inside every column;
//! - the master couples lines only through the registry-named day rows `cut:2022-01-05:NOx`
//!   (cut ≥ target) and `cap:2022-01-05:cement` (stopped capacity ≤ cap), plus one
//!   `pattern:<line>` row per line;
//! - each round prices every line exactly with [`super::pricing`] and yields a Lagrangian lower
//!   bound valid for the whole problem;
//! - the master as a MIP over the generated patterns (HiGHS, with the greedy calendar as warm
//!   start and cut-off) gives the calendar; the status compares it with the bound, honestly.
//!
//! When the LP master cannot do without its slack columns, a feasibility phase (costs set to
//! zero) proves it and names the days, industries and quotas that cannot be met.

use super::check::{check_states, total_cost};
use super::enumerate::all_plans;
use super::greedy::greedy;
use super::instance::{Instance, State, UnitPlan, TOL};
use super::pricing::cheapest;
use crate::domain::Pollutant;
use crate::solve::status::relative_gap;
use crate::solve::{Method, SolveOptions, Status, Stop};
use highs::{HighsModelStatus, RowProblem, Sense};
use rayon::prelude::*;
use serde::Serialize;
use std::time::Instant;

/// One reason why no calendar exists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shortfall {
    /// Registry name (`cut:2022-01-05:NOx`, `cap:2022-01-05:cement`, `quota:L00012-01:冬季`).
    pub row: String,
    /// `cut`, `cap`, `quota` or `maintenance`.
    pub kind: &'static str,
    /// How much is missing (t/d, capacity, days).
    pub amount: f64,
    /// Sentence for the planner.
    pub message: String,
}

/// What the solve found.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Status.
    pub status: Status,
    /// Every unit's day states, when a calendar was found.
    pub states: Option<Vec<Vec<State>>>,
    /// Controllable loss of the calendar (万元).
    pub objective: Option<f64>,
    /// Proven lower bound.
    pub bound: Option<f64>,
    /// Relative gap.
    pub gap: Option<f64>,
    /// Loss of the greedy calendar.
    pub greedy_objective: Option<f64>,
    /// Size: patterns generated, column-generation rounds, master rows.
    pub size: (usize, usize, usize),
    /// Why no calendar exists (empty unless infeasible).
    pub shortfalls: Vec<Shortfall>,
    /// Notes (HiGHS status, fallbacks).
    pub notes: Vec<String>,
    /// Seconds (greedy, whole solve).
    pub seconds: (f64, f64),
}

/// A coupling row of the master.
#[derive(Debug, Clone)]
struct Coupling {
    name: String,
    kind: &'static str,
    /// (day, pollutant) for cuts, (day, industry) for caps.
    at: (usize, usize),
    /// Cut rows: need ≥; cap rows: room ≤.
    rhs: f64,
}

/// A generated pattern: unit, plan, true cost and its coefficients in the coupling rows.
#[derive(Debug, Clone)]
struct Column {
    unit: usize,
    plan: UnitPlan,
    cost: f64,
    terms: Vec<(usize, f64)>,
}

struct Master<'a> {
    inst: &'a Instance,
    rows: Vec<Coupling>,
    cut_row: Vec<[Option<usize>; 4]>,
    cap_row: Vec<Vec<Option<usize>>>,
    columns: Vec<Column>,
}

impl<'a> Master<'a> {
    fn new(inst: &'a Instance) -> Self {
        let n = inst.days.len();
        let mut fixed_cut = vec![[0.0; 4]; n];
        let mut fixed_cap = vec![vec![0.0; inst.industries.len()]; n];
        let mut movable = vec![vec![false; inst.industries.len()]; n];
        for u in &inst.units {
            for d in 0..n {
                if inst.forced(u, d).is_some() {
                    for (f, e) in fixed_cut[d].iter_mut().zip(&u.emissions) {
                        *f += e;
                    }
                    fixed_cap[d][u.industry] += u.capacity;
                } else if inst.choosable(u, d) || !u.jobs.is_empty() {
                    movable[d][u.industry] = true;
                }
            }
        }
        let mut m = Master {
            inst,
            rows: Vec::new(),
            cut_row: vec![[None; 4]; n],
            cap_row: vec![vec![None; inst.industries.len()]; n],
            columns: Vec::new(),
        };
        for (d, day) in inst.days.iter().enumerate() {
            for p in Pollutant::ALL {
                let need = day.target[p.index()] - fixed_cut[d][p.index()];
                if day.target[p.index()] > 0.0 && need > TOL {
                    m.cut_row[d][p.index()] = Some(m.rows.len());
                    m.rows.push(Coupling {
                        name: format!("cut:{}:{}", day.date, p.label()),
                        kind: "cut",
                        at: (d, p.index()),
                        rhs: need,
                    });
                }
            }
            for (i, ind) in inst.industries.iter().enumerate() {
                let room = ind.limit() - fixed_cap[d][i];
                if movable[d][i] || room < -TOL {
                    m.cap_row[d][i] = Some(m.rows.len());
                    m.rows.push(Coupling {
                        name: format!("cap:{}:{}", day.date, ind.code),
                        kind: "cap",
                        at: (d, i),
                        rhs: room,
                    });
                }
            }
        }
        m
    }

    /// Column of a unit plan.
    fn column(&self, ui: usize, plan: UnitPlan) -> Column {
        let u = &self.inst.units[ui];
        let states = self.inst.states(u, &plan);
        let cost = self.inst.unit_cost(u, &states);
        let mut terms = Vec::new();
        for (d, s) in states.iter().enumerate() {
            if !matches!(s, State::Chosen | State::Maint(_)) {
                continue;
            }
            for p in 0..4 {
                if let Some(r) = self.cut_row[d][p] {
                    if u.emissions[p] > 0.0 {
                        terms.push((r, u.emissions[p]));
                    }
                }
            }
            if let Some(r) = self.cap_row[d][u.industry] {
                terms.push((r, u.capacity));
            }
        }
        Column {
            unit: ui,
            plan,
            cost,
            terms,
        }
    }

    fn add(&mut self, c: Column) {
        if !self
            .columns
            .iter()
            .any(|o| o.unit == c.unit && o.plan == c.plan)
        {
            self.columns.push(c);
        }
    }

    /// The master over the generated columns: LP (with slack columns, costs × `weight`, slack
    /// cost `penalty` per unit of a row's relative shortfall) or MIP (no slacks).
    fn problem(&self, keep: &[usize], weight: f64, penalty: f64, integer: bool) -> RowProblem {
        let units = self.inst.units.len();
        let mut pb = RowProblem::default();
        let mut col_terms: Vec<Vec<(usize, f64)>> = Vec::with_capacity(keep.len());
        let cols: Vec<highs::Col> = keep
            .iter()
            .map(|&ci| {
                let c = &self.columns[ci];
                col_terms.push(
                    std::iter::once((c.unit, 1.0))
                        .chain(c.terms.iter().map(|&(r, a)| (units + r, a)))
                        .collect(),
                );
                if integer {
                    pb.add_integer_column(c.cost * weight, 0.0..=1.0)
                } else {
                    pb.add_column(c.cost * weight, 0.0..=1.0)
                }
            })
            .collect();
        let mut rows: Vec<Vec<(highs::Col, f64)>> = vec![Vec::new(); units + self.rows.len()];
        for (c, terms) in cols.iter().zip(&col_terms) {
            for &(r, a) in terms {
                rows[r].push((*c, a));
            }
        }
        if !integer {
            for (r, row) in self.rows.iter().enumerate() {
                let scale = row.rhs.abs().max(1.0);
                let s = pb.add_column(penalty / scale, 0.0..);
                rows[units + r].push((s, if row.kind == "cut" { 1.0 } else { -1.0 }));
            }
        }
        for (r, terms) in rows.into_iter().enumerate() {
            if r < units {
                pb.add_row(1.0..=1.0, terms);
            } else {
                let row = &self.rows[r - units];
                if row.kind == "cut" {
                    pb.add_row(row.rhs..=f64::INFINITY, terms);
                } else {
                    pb.add_row(f64::NEG_INFINITY..=row.rhs, terms);
                }
            }
        }
        pb
    }

    /// Day prices of unit ui under the row duals: value × factor × weight − what a stop earns.
    fn prices(&self, ui: usize, duals: &[f64], weight: f64) -> Vec<f64> {
        let u = &self.inst.units[ui];
        (0..self.inst.days.len())
            .map(|d| {
                let mut p = u.value * self.inst.days[d].value_factor * weight;
                for q in 0..4 {
                    if let Some(r) = self.cut_row[d][q] {
                        p -= duals[r].max(0.0) * u.emissions[q];
                    }
                }
                if let Some(r) = self.cap_row[d][u.industry] {
                    p -= duals[r].min(0.0) * u.capacity;
                }
                p
            })
            .collect()
    }
}

struct LpRound {
    value: f64,
    /// (master column, LP value) of the columns in use.
    support: Vec<(usize, f64)>,
    duals: Vec<f64>,
    slack: f64,
    slack_rows: Vec<(usize, f64)>,
}

fn configure(hm: &mut highs::Model, seconds: f64) {
    hm.make_quiet();
    if std::env::var_os("JIANPAI_HIGHS_LOG").is_some() {
        let _ = hm.try_set_option("output_flag", true);
        let _ = hm.try_set_option("log_to_console", true);
    }
    // HiGHS on one thread: its LP and MIP paths differ with the thread count (measured: another
    // calendar for 2 threads), and its scheduler cannot change the count within a process.
    // `--threads` sizes the pool that prices the lines instead (see [`solve`]).
    let _ = hm.try_set_option("threads", 1);
    let _ = hm.try_set_option("time_limit", seconds.max(0.05));
    let _ = hm.try_set_option("random_seed", 0);
}

/// The LP master, kept alive between rounds so that HiGHS re-solves from its last basis.
struct Lp {
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
    fn new(m: &Master, weight: f64, penalty: f64) -> Self {
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

    fn add(&mut self, m: &Master, ci: usize) {
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

    fn solve(&mut self, m: &Master, seconds: f64) -> Option<LpRound> {
        let mut model = self.model.take()?;
        configure(&mut model, self.spent + seconds);
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
                slack: slack_rows.iter().map(|s| s.1).sum(),
                slack_rows,
            }
        });
        self.model = Some(highs::Model::from(solved));
        round
    }
}

/// Price every unit at the given duals: the Lagrangian bound and each unit's cheapest plan
/// (`None` when some unit has no calendar at all).
fn price(m: &Master, duals: &[f64], weight: f64) -> Option<(f64, Vec<UnitPlan>)> {
    let priced: Vec<Option<(UnitPlan, f64)>> = (0..m.inst.units.len())
        .into_par_iter()
        .map(|ui| {
            let prices = m.prices(ui, duals, weight);
            cheapest(m.inst, ui, &prices, m.inst.units[ui].startup_cost * weight)
        })
        .collect();
    let mut lagrange: f64 = m
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
        .sum();
    let mut plans = Vec::with_capacity(priced.len());
    for p in priced {
        let (plan, c) = p?;
        lagrange += c;
        plans.push(plan);
    }
    Some((lagrange, plans))
}

/// Column generation; returns the Lagrangian bound (of the cost × `weight` problem), whether it
/// converged, the last LP round, the rounds used and what stopped HiGHS if not the time limit.
fn generate(
    m: &mut Master,
    opts: &SolveOptions,
    weight: f64,
    deadline: f64,
    start: Instant,
) -> (f64, bool, Option<LpRound>, usize, Option<String>) {
    let max_factor = m
        .inst
        .days
        .iter()
        .map(|d| d.value_factor)
        .fold(0.0, f64::max);
    let penalty = if weight > 0.0 {
        // Dearer than stopping every line for a block: slack is used only where nothing helps.
        2.0 * m
            .inst
            .units
            .iter()
            .map(|u| u.value * max_factor * u.min_block as f64 + u.startup_cost)
            .sum::<f64>()
            .max(1.0)
    } else {
        1.0
    };
    let mut lp_model = Lp::new(m, weight, penalty);
    let mut bound = f64::NEG_INFINITY;
    // Wentges smoothing: price at a mix of the duals of the best bound so far and the LP's.
    let mut best_duals: Option<Vec<f64>> = None;
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
        for alpha in [0.5, 0.0] {
            let duals: Vec<f64> = match &best_duals {
                Some(b) if alpha > 0.0 => b
                    .iter()
                    .zip(&lp.duals)
                    .map(|(b, y)| alpha * b + (1.0 - alpha) * y)
                    .collect(),
                _ if alpha > 0.0 => continue,
                _ => lp.duals.clone(),
            };
            let Some((lagrange, plans)) = price(m, &duals, weight) else {
                return (f64::INFINITY, true, Some(lp), rounds, lp_model.trouble);
            };
            if lagrange > bound {
                bound = lagrange;
                best_duals = Some(duals);
            }
            for (ui, plan) in plans.into_iter().enumerate() {
                let col = m.column(ui, plan);
                let before = m.columns.len();
                m.add(col);
                if m.columns.len() > before {
                    lp_model.add(m, before);
                    added += 1;
                }
            }
            if added > 0 {
                break;
            }
        }
        if std::env::var_os("JIANPAI_TRACE").is_some() {
            eprintln!(
                "round {rounds}: lp {:.2} bound {:.2} slack {:.4} columns {} added {added} t_lp {:.2} t {:.2}",
                lp.value, bound, lp.slack, m.columns.len(), t_lp, start.elapsed().as_secs_f64()
            );
        }
        // Close enough when the LP is within a fraction of the requested gap of the bound: the
        // master MIP then has the time to find a calendar within the gap.
        let converged = added == 0
            || lp.value - bound <= (0.1 * opts.rel_gap).clamp(1e-7, 1e-4) * lp.value.abs().max(1.0);
        last = Some(lp);
        if converged {
            return (bound, true, last, rounds, lp_model.trouble);
        }
    }
}

/// Solve the calendar; the lines are priced on `opts.threads` threads (the same calendar for
/// any count: every line's plan is collected in line order).
pub fn solve(inst: &Instance, opts: &SolveOptions) -> Outcome {
    match rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.clamp(1, 256) as usize)
        .build()
    {
        Ok(pool) => pool.install(|| solve_here(inst, opts)),
        Err(_) => solve_here(inst, opts),
    }
}

/// [`solve`] on the current thread pool.
fn solve_here(inst: &Instance, opts: &SolveOptions) -> Outcome {
    let start = Instant::now();
    let greedy_states = greedy(inst);
    let greedy_objective = greedy_states.as_ref().map(|s| total_cost(inst, s));
    let mut out = Outcome {
        status: Status::NoSolution,
        states: None,
        objective: None,
        bound: None,
        gap: None,
        greedy_objective,
        size: (0, 0, 0),
        shortfalls: Vec::new(),
        notes: Vec::new(),
        seconds: (start.elapsed().as_secs_f64(), 0.0),
    };
    if let Some(q) = quota_shortfalls(inst) {
        out.shortfalls = q;
        out.status = Status::Infeasible;
        out.seconds.1 = start.elapsed().as_secs_f64();
        return out;
    }
    if opts.method == Method::Greedy {
        out.states = greedy_states;
        out.objective = greedy_objective;
        out.status = if out.states.is_some() {
            Status::Heuristic
        } else {
            Status::NoSolution
        };
        if out.states.is_none() {
            out.notes
                .push("the greedy found no calendar; try --method mip".into());
        }
        out.seconds.1 = start.elapsed().as_secs_f64();
        return out;
    }
    let mut master = Master::new(inst);
    // Few calendars: all of them, so that the master MIP is the whole problem (exact).
    let exhaustive = all_plans(inst);
    if let Some(all) = &exhaustive {
        for (ui, plans) in all.iter().enumerate() {
            for p in plans {
                let col = master.column(ui, p.clone());
                master.columns.push(col);
            }
        }
        out.notes.push(format!(
            "every calendar of every line enumerated ({} patterns): the master MIP is exact",
            master.columns.len()
        ));
    }
    // Every line starts with its own cheapest calendar (the master's slacks cover the rest).
    for ui in (0..inst.units.len()).filter(|_| exhaustive.is_none()) {
        let u = &inst.units[ui];
        let prices: Vec<f64> = inst.days.iter().map(|d| u.value * d.value_factor).collect();
        if let Some((plan, _)) = cheapest(inst, ui, &prices, u.startup_cost) {
            master.add(master.column(ui, plan));
        }
    }
    if let Some(s) = greedy_states.as_ref().filter(|_| exhaustive.is_none()) {
        for (ui, u) in inst.units.iter().enumerate() {
            master.add(master.column(ui, plan_of(u, &s[ui])));
        }
    }
    // Column generation gets most of the time; the master MIP the rest.
    let (bound, converged, lp, rounds, trouble) =
        generate(&mut master, opts, 1.0, opts.time_limit * 0.7, start);
    let mut stop = match &trouble {
        Some(note) => {
            out.notes.push(note.clone());
            Stop::Trouble
        }
        None if converged => Stop::Finished,
        None => Stop::TimeLimit,
    };
    out.size = (
        master.columns.len(),
        rounds,
        inst.units.len() + master.rows.len(),
    );
    if !converged && trouble.is_none() {
        out.notes.push(format!(
            "column generation stopped by the time limit after {rounds} rounds"
        ));
    }
    let lp_slack = lp.as_ref().map_or(0.0, |l| l.slack);
    if bound == f64::INFINITY || (converged && lp_slack > 1e-6 && greedy_states.is_none()) {
        // Feasibility phase: least total relative shortfall.
        let (b1, _, lp1, _, _) = generate(&mut master, opts, 0.0, opts.time_limit, start);
        if b1 > 1e-7 || bound == f64::INFINITY {
            out.shortfalls = lp1.map(|l| explain(&master, &l)).unwrap_or_default();
            out.status = Status::Infeasible;
            out.seconds.1 = start.elapsed().as_secs_f64();
            return out;
        }
    }
    if bound.is_finite() {
        out.bound = Some(bound);
    }
    let mut incumbent = greedy_states;
    let left = opts.time_limit - start.elapsed().as_secs_f64();
    // The MIP's own gap (against the restricted LP) may use what the bound leaves of the request.
    let lp_gap = lp
        .as_ref()
        .map_or(0.0, |l| relative_gap(l.value, bound.max(f64::MIN)));
    // Over all calendars the MIP's own bound is the problem's: it may use the whole request.
    let mip_gap = if exhaustive.is_some() {
        opts.rel_gap.max(1e-9)
    } else {
        (opts.rel_gap - lp_gap).max(opts.rel_gap * 0.1).max(1e-9)
    };
    if let Some(r) = lp.as_ref().and_then(|l| round(&master, l)) {
        if incumbent
            .as_ref()
            .is_none_or(|g| total_cost(inst, &r) < total_cost(inst, g) - 1e-9)
        {
            incumbent = Some(r);
        }
    }
    // The MIP over every generated pattern (price-and-branch); the greedy's are among them.
    let keep: Vec<usize> = (0..master.columns.len()).collect();
    let cutoff = incumbent.as_ref().map(|s| total_cost(inst, s));
    let proven = cutoff.is_some_and(|c| relative_gap(c, bound.max(f64::MIN)) <= opts.rel_gap);
    // The MIP runs only when the rounded calendar is not already proven within the gap.
    // Over all calendars the MIP goes without the warm start: HiGHS (1.x) has been seen to
    // report a wrong optimum with the start as its solution; the cut-off prunes the same.
    let warm = incumbent.as_ref().filter(|_| exhaustive.is_none());
    let mip = if proven {
        Ok((None, None, None, Stop::Finished))
    } else {
        master_mip(&master, warm, cutoff, &keep, (left, mip_gap))
    };
    match mip {
        Ok((states, note, mip_bound, mip_stop)) => {
            stop = stop.and(mip_stop);
            // The MIP's bound holds for the problem only when its columns are every calendar.
            if let (Some(b), Some(_)) = (mip_bound, &exhaustive) {
                out.bound = Some(out.bound.map_or(b, |o| o.max(b)));
            }
            if let Some(s) = states {
                let better = incumbent
                    .as_ref()
                    .is_none_or(|g| total_cost(inst, &s) < total_cost(inst, g) - 1e-9);
                if check_states(inst, &s).is_empty() && better {
                    incumbent = Some(s);
                }
            }
            out.notes.extend(note);
        }
        Err((e, why)) => {
            out.notes.push(e);
            stop = stop.and(why);
        }
    }
    if start.elapsed().as_secs_f64() >= opts.time_limit {
        stop = stop.and(Stop::TimeLimit);
    }
    // Stops beyond a quota only where a daily target needs them.
    let incumbent = incumbent.map(|s| super::greedy::polish(inst, s));
    out.objective = incumbent.as_ref().map(|s| total_cost(inst, s));
    if let (Some(o), Some(b)) = (out.objective, out.bound) {
        out.bound = Some(b.min(o));
        out.gap = Some(relative_gap(o, b.min(o)));
    }
    out.status = Status::of_search(out.objective, out.gap, opts.rel_gap, stop);
    out.states = incumbent;
    out.seconds.1 = start.elapsed().as_secs_f64();
    out
}

/// LP rounding: units take patterns in order of their LP weight, each the heaviest that fits the
/// caps left by the units before it (else its cheapest fitting pattern); the greedy then covers
/// what the cuts still miss.
fn round(m: &Master, lp: &LpRound) -> Option<Vec<Vec<State>>> {
    let inst = m.inst;
    let mut by_unit: Vec<Vec<(usize, f64)>> = vec![Vec::new(); inst.units.len()];
    for &(c, v) in &lp.support {
        by_unit[m.columns[c].unit].push((c, v));
    }
    for (ci, c) in m.columns.iter().enumerate() {
        if !by_unit[c.unit].iter().any(|x| x.0 == ci) {
            by_unit[c.unit].push((ci, -c.cost));
        }
    }
    for v in &mut by_unit {
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    let mut order: Vec<usize> = (0..inst.units.len()).collect();
    order.sort_by(|&a, &b| {
        by_unit[b]
            .first()
            .map_or(0.0, |x| x.1)
            .total_cmp(&by_unit[a].first().map_or(0.0, |x| x.1))
            .then(a.cmp(&b))
    });
    let mut cap = vec![vec![0.0; inst.industries.len()]; inst.days.len()];
    for u in &inst.units {
        for (d, row) in cap.iter_mut().enumerate() {
            if inst.forced(u, d).is_some() {
                row[u.industry] += u.capacity;
            }
        }
    }
    let mut states: Vec<Vec<State>> = vec![Vec::new(); inst.units.len()];
    for ui in order {
        let u = &inst.units[ui];
        let limit = inst.industries[u.industry].limit() + TOL;
        let fits = |s: &[State]| {
            s.iter().enumerate().all(|(d, x)| {
                !matches!(x, State::Chosen | State::Maint(_))
                    || cap[d][u.industry] + u.capacity <= limit
            })
        };
        let s = by_unit[ui]
            .iter()
            .map(|&(c, _)| inst.states(u, &m.columns[c].plan))
            .find(|s| fits(s))?;
        for (d, x) in s.iter().enumerate() {
            if matches!(x, State::Chosen | State::Maint(_)) {
                cap[d][u.industry] += u.capacity;
            }
        }
        states[ui] = s;
    }
    super::greedy::repair(inst, states)
}

/// A unit's plan read off its day states.
fn plan_of(u: &super::Unit, s: &[State]) -> UnitPlan {
    UnitPlan {
        blocks: super::instance::runs(s, |x| *x == State::Chosen),
        job_starts: (0..u.jobs.len())
            .map(|k| s.iter().position(|x| *x == State::Maint(k)).unwrap_or(0))
            .collect(),
    }
}

/// The master MIP's calendar (if it found one), a note and its proven lower bound (when it ended
/// optimal, or infeasible under the cut-off), or why it could not run.
/// The master MIP's calendar, note, bound and why it stopped; or what went wrong and why.
type MipResult =
    Result<(Option<Vec<Vec<State>>>, Option<String>, Option<f64>, Stop), (String, Stop)>;

/// The master as a MIP over the generated patterns.
fn master_mip(
    m: &Master,
    warm: Option<&Vec<Vec<State>>>,
    cutoff: Option<f64>,
    keep: &[usize],
    (seconds, gap): (f64, f64),
) -> MipResult {
    if seconds <= 0.0 {
        return Err(("no time left for the master MIP".into(), Stop::TimeLimit));
    }
    let mut hm = m
        .problem(keep, 1.0, 0.0, true)
        .try_optimise(Sense::Minimise)
        .map_err(|e| {
            (
                format!("HiGHS refused the master MIP ({e:?})"),
                Stop::Trouble,
            )
        })?;
    configure(&mut hm, seconds);
    let _ = hm.try_set_option("mip_rel_gap", gap);
    if let Some(c) = cutoff {
        let _ = hm.try_set_option("objective_bound", c + 1e-7 * c.abs().max(1.0));
    }
    if let Some(w) = warm {
        let x: Vec<f64> = keep
            .iter()
            .map(|&ci| {
                let c = &m.columns[ci];
                f64::from(u8::from(
                    plan_of(&m.inst.units[c.unit], &w[c.unit]) == c.plan,
                ))
            })
            .collect();
        let _ = hm.try_set_solution(Some(&x), None, None, None);
    }
    let solved = hm.try_solve().map_err(|e| {
        let note = format!("HiGHS could not solve the master MIP ({e:?})");
        (note, Stop::Trouble)
    })?;
    let status = solved.status();
    let stop = match status {
        HighsModelStatus::Optimal | HighsModelStatus::Infeasible => Stop::Finished,
        HighsModelStatus::ReachedTimeLimit => Stop::TimeLimit,
        _ => Stop::Trouble,
    };
    let note = (!matches!(
        status,
        HighsModelStatus::Optimal | HighsModelStatus::Infeasible
    ))
    .then(|| format!("master MIP ended with HiGHS status {status:?}"));
    let bound = match status {
        HighsModelStatus::Optimal => solved.double_info_value(c"mip_dual_bound").ok(),
        // Nothing beats the cut-off: the incumbent is optimal.
        HighsModelStatus::Infeasible => cutoff,
        _ => None,
    }
    .filter(|b| b.is_finite());
    let x = solved.get_solution().columns().to_vec();
    // A bound is trusted only when HiGHS's objective is that of the calendar it returns.
    let value: f64 = keep
        .iter()
        .zip(&x)
        .map(|(&ci, v)| m.columns[ci].cost * v)
        .sum();
    let consistent = status != HighsModelStatus::Optimal
        || (value - solved.objective_value()).abs() <= 1e-6 * value.abs().max(1.0);
    let bound = bound.filter(|_| consistent);
    if x.len() != keep.len()
        || !matches!(
            status,
            HighsModelStatus::Optimal | HighsModelStatus::ReachedTimeLimit
        )
    {
        return Ok((None, note, bound, stop));
    }
    let mut plans: Vec<Option<&UnitPlan>> = vec![None; m.inst.units.len()];
    for (c, v) in keep.iter().map(|&ci| &m.columns[ci]).zip(&x) {
        if *v > 0.5 {
            plans[c.unit] = Some(&c.plan);
        }
    }
    if plans.iter().any(Option::is_none) {
        return Ok((None, note, bound, stop));
    }
    let states = m
        .inst
        .units
        .iter()
        .zip(plans)
        .map(|(u, p)| m.inst.states(u, p.expect("checked")))
        .collect();
    Ok((Some(states), note, bound, stop))
}

/// Rows the feasibility phase could not meet.
fn explain(m: &Master, lp: &LpRound) -> Vec<Shortfall> {
    lp.slack_rows
        .iter()
        .map(|&(r, amount)| {
            let row = &m.rows[r];
            let (d, x) = row.at;
            let date = m.inst.days[d].date;
            let message = if row.kind == "cut" {
                format!(
                    "{date} {}: target {:.3} t/d; even with every allowed stop {amount:.3} t/d are missing",
                    Pollutant::ALL[x].label(),
                    m.inst.days[d].target[x]
                )
            } else {
                let ind = &m.inst.industries[x];
                format!(
                    "{date} {}: the stops that quotas and targets require exceed the cap {:.2} ({:.0} % of capacity) by {amount:.2}",
                    ind.code,
                    ind.limit(),
                    ind.share * 100.0
                )
            };
            Shortfall {
                row: row.name.clone(),
                kind: row.kind,
                amount,
                message,
            }
        })
        .collect()
}

/// Quotas no calendar of the line can meet (too few stoppable days in the window, or jobs and
/// block lengths that cannot fit together).
fn quota_shortfalls(inst: &Instance) -> Option<Vec<Shortfall>> {
    let mut out = Vec::new();
    for (ui, u) in inst.units.iter().enumerate() {
        let zero = vec![0.0; inst.days.len()];
        if cheapest(inst, ui, &zero, 0.0).is_some() {
            continue;
        }
        let mut named = false;
        for q in &u.quotas {
            let possible = (q.first..=q.last)
                .filter(|&d| {
                    inst.forced(u, d).is_some()
                        || inst.choosable(u, d)
                        || (inst.maintenance_counts && !u.jobs.is_empty())
                })
                .count();
            if possible < q.min_days {
                named = true;
                out.push(Shortfall {
                    row: format!("quota:{}:{}", u.line, q.name),
                    kind: "quota",
                    amount: (q.min_days - possible) as f64,
                    message: format!(
                        "line {} window {}: quota {} days, at most {possible} days can be stopped",
                        u.line, q.name, q.min_days
                    ),
                });
            }
        }
        if !named {
            out.push(Shortfall {
                row: format!("quota:{}:*", u.line),
                kind: if u.quotas.is_empty() { "maintenance" } else { "quota" },
                amount: 0.0,
                message: format!(
                    "line {}: its quotas, minimum block of {} days, minimum run of {} days, block limit ({}), government stops and maintenance jobs cannot all fit",
                    u.line,
                    u.min_block,
                    u.min_run,
                    u.max_blocks.map_or("none".to_string(), |k| format!("{k} per season"))
                ),
            });
        }
    }
    (!out.is_empty()).then_some(out)
}
