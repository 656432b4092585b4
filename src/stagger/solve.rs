//! Solving the calendar by column generation over line patterns (Dantzig–Wolfe):
//!
//! - a *pattern* is one line's whole calendar (its stop blocks and maintenance dates), so block
//!   lengths, quotas, government days and maintenance windows hold inside every column;
//! - the master couples lines only through the registry-named day rows `cut:2022-01-05:NOx`
//!   (cut ≥ target) and `cap:2022-01-05:cement` (stopped capacity ≤ cap), plus one
//!   `pattern:<line>` row per line;
//! - each round prices every line exactly with [`super::pricing`] and yields a Lagrangian lower
//!   bound valid for the whole problem;
//! - while no calendar is proven within the gap, a dive-and-price fixes lines to patterns and
//!   re-prices the free lines (a primal heuristic: the bound stays the Lagrangian one);
//! - the master as a MIP over the generated patterns (HiGHS, with the best calendar so far as
//!   warm start and cut-off) improves the calendar;
//! - while it is still not proven within the gap, a large-neighbourhood search ([`super::lns`])
//!   re-solves groups of lines or windows of days with the compact MIP ([`super::compact`]) for
//!   the rest of the time; the status compares the calendar with the bound, honestly.
//!
//! When the LP master cannot do without its slack columns, a feasibility phase (costs set to
//! zero) proves it and names the days, industries and quotas that cannot be met.
//!
//! The parts, as on the list side: [`super::master`] (rows and columns), [`super::colgen`]
//! (LP master and pricing), [`super::dive`] (dive-and-price), [`super::mip`] (rounding and the
//! exact MIP), [`super::lns`] and [`super::compact`] (neighbourhood search), [`super::diagnose`]
//! (infeasibility).

use super::check::{check_states, total_cost};
use super::colgen::generate;
use super::diagnose::{explain, quota_shortfalls};
use super::dive::dive;
use super::enumerate::all_plans;
use super::greedy::greedy;
use super::instance::{Instance, State};
use super::lns::{improve, Relaxed};
use super::master::Master;
use super::mip::{master_mip, plan_of, round};
use super::pricing::cheapest;
use crate::solve::status::relative_gap;
use crate::solve::{Method, SolveOptions, Status, Stop};
use std::time::Instant;

pub use super::diagnose::Shortfall;

/// Share of the time left after the column generation that the dive-and-price may use.
const DIVE_SHARE: f64 = 0.03;
/// Share of the time left after the dive that the master MIP over the patterns gets when it is
/// not exact; the large-neighbourhood search has the rest. Measured on Wuxi: the dive runs out
/// of time and the master MIP does not improve the rounded calendar, while the search's steps
/// do; the generated sizes are proven before the search with 3 % as with 10 %
/// (benches/README.md).
const MIP_SHARE: f64 = 0.03;

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
        let prices: Vec<f64> = (0..inst.days.len()).map(|d| inst.day_value(u, d)).collect();
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
    let enough = |c: f64| relative_gap(c, bound.max(f64::MIN)) <= opts.rel_gap;
    let within =
        |s: &Option<Vec<Vec<State>>>| s.as_ref().is_some_and(|s| enough(total_cost(inst, s)));
    // Dive-and-price for a better calendar while none is proven within the gap (its share of
    // the time left; the master MIP and the neighbourhood search then share the rest).
    if exhaustive.is_none() && bound.is_finite() && !within(&incumbent) {
        let now = start.elapsed().as_secs_f64();
        let until = now + (opts.time_limit - now).max(0.0) * DIVE_SHARE;
        if let Some(s) = dive(&mut master, until, start) {
            let cost = total_cost(inst, &s);
            if check_states(inst, &s).is_empty()
                && incumbent
                    .as_ref()
                    .is_none_or(|g| cost < total_cost(inst, g) - 1e-9)
            {
                out.notes
                    .push(format!("dive-and-price found a calendar of loss {cost:.2}"));
                incumbent = Some(s);
            }
        }
    }
    out.size.0 = master.columns.len();
    let left = opts.time_limit - start.elapsed().as_secs_f64();
    // The MIP over every generated pattern (price-and-branch); the greedy's are among them.
    let keep: Vec<usize> = (0..master.columns.len()).collect();
    let cutoff = incumbent.as_ref().map(|s| total_cost(inst, s));
    let proven = within(&incumbent);
    // The MIP runs only when the rounded calendar is not already proven within the gap.
    // Over all calendars the MIP goes without the warm start: HiGHS (1.x) has been seen to
    // report a wrong optimum with the start as its solution; the cut-off prunes the same.
    let warm = incumbent.as_ref().filter(|_| exhaustive.is_none());
    // Over all calendars the MIP is exact and takes what is left; otherwise it shares the rest
    // with the neighbourhood search that follows.
    let mip_seconds = if exhaustive.is_some() {
        left
    } else {
        left * MIP_SHARE
    };
    let mip = if proven {
        Ok((None, None, None, Stop::Finished))
    } else {
        master_mip(&master, warm, cutoff, &keep, (mip_seconds, mip_gap))
    };
    match mip {
        Ok((states, note, mip_bound, mip_stop)) => {
            // Its own share of the time running out is not the run's time limit: the search
            // follows, and the run's limit is read at the end.
            let own_share = exhaustive.is_none() && mip_stop == Stop::TimeLimit;
            stop = stop.and(if own_share { Stop::Finished } else { mip_stop });
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
    // Large-neighbourhood search with the compact MIP for the time the master MIP left, while
    // the calendar is not proven within the gap.
    if exhaustive.is_none() && bound.is_finite() && !within(&incumbent) {
        if let Some(inc) = incumbent.take() {
            // The root LP guides the search: the lines whose loss strays furthest from it go
            // first, and window steps hold the line-days where it and the calendar agree.
            let support = lp.as_ref().map_or(&[][..], |l| &l.support[..]);
            let relaxed = Relaxed::of(&master, support);
            let (s, steps) = improve(&master, inc, &relaxed, (opts.time_limit, start), enough);
            if steps.tried > 0 {
                out.notes.push(format!(
                    "large-neighbourhood search: {} of {} steps improved the calendar, loss {:.2}{}",
                    steps.better,
                    steps.tried,
                    total_cost(inst, &s),
                    if steps.out_of_time {
                        "; it ran out of time"
                    } else {
                        ""
                    }
                ));
            }
            // Ended for lack of time: the run's time limit, even when a few tenths of a second
            // were left.
            if steps.out_of_time {
                stop = stop.and(Stop::TimeLimit);
            }
            incumbent = Some(s);
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
