//! The calendar as one day-indexed MIP (the compact formulation): a binary per line and
//! choosable day (a chosen stop), a binary per maintenance job and allowed start, and the rules
//! of [`super::pricing`] written as rows — minimum block length (start variables, as in
//! minimum-up-time models), the minimum run between a chosen block and any other stop (two rows
//! per day that allow at most one conflicting block start or end near a stop), blocks per
//! season, quotas — beside the same cut and cap rows as the master. Same feasible calendars and
//! costs as the pattern master, so HiGHS can search it directly: the solve uses it for
//! large-neighbourhood steps (some lines free, the others held at the incumbent) where the
//! patterns priced so far cannot recombine into a better calendar.

use super::instance::{runs, Instance, Mode, State, UnitPlan};
use super::master::Master;
use super::pricing::job_starts;
use crate::solve::session::Session;
use highs::{Col, HighsModelStatus, RowProblem, Sense};

/// Columns of one free line.
struct LineCols {
    unit: usize,
    /// Chosen-stop binary per day (None: the day cannot be chosen).
    x: Vec<Option<Col>>,
    /// Block-start indicator per day (chosen today, not yesterday).
    start: Vec<Option<Col>>,
    /// Per job: (start day, binary).
    jobs: Vec<Vec<(usize, Col)>>,
    /// Minimum-run indicators per day: a chosen block ends (running the next day) / begins
    /// (running the day before).
    end: Vec<Option<Col>>,
    begin: Vec<Option<Col>>,
}

/// A linear expression over columns plus a constant.
#[derive(Default, Clone)]
struct Expr {
    terms: Vec<(Col, f64)>,
    constant: f64,
}

impl Expr {
    fn add(&mut self, c: Col, a: f64) {
        self.terms.push((c, a));
    }
}

/// Terms with each column once (a job's start column covers several days of a window).
fn merged(mut terms: Vec<(Col, f64)>) -> Vec<(Col, f64)> {
    terms.sort_by_key(|t| t.0.index());
    let mut out: Vec<(Col, f64)> = Vec::with_capacity(terms.len());
    for (c, a) in terms {
        match out.last_mut() {
            Some(last) if last.0.index() == c.index() => last.1 += a,
            _ => out.push((c, a)),
        }
    }
    out
}

/// What a compact solve may change: the lines marked free, and of those only the days inside
/// `days` (inclusive; `None`: every day) that `pinned` does not hold (per line and day; empty:
/// none). Everything else stays as the held calendar has it.
#[derive(Default)]
pub(super) struct Scope {
    pub(super) lines: Vec<bool>,
    pub(super) days: Option<(usize, usize)>,
    pub(super) pinned: Vec<Vec<bool>>,
}

impl Scope {
    /// Whether line `ui`'s day `d` may change.
    fn open(&self, ui: usize, d: usize) -> bool {
        self.days.is_none_or(|(a, b)| a <= d && d <= b)
            && !self.pinned.get(ui).is_some_and(|p| p[d])
    }
}

/// What a compact solve returned: the calendar (every line, the held ones as given) when HiGHS
/// found one, and its model status.
pub(super) struct CompactResult {
    pub(super) states: Option<Vec<Vec<State>>>,
    pub(super) status: HighsModelStatus,
}

/// Solve the calendar with what `scope` opens free and everything else held at the day states
/// in `held`; `held` is also the warm start (HiGHS uses it when it is a feasible calendar). A
/// calendar read off a time-limited run is not checked here: callers check it.
pub(super) fn solve_compact(
    m: &Master,
    scope: &Scope,
    held: &[Vec<State>],
    session: Session,
) -> Result<CompactResult, String> {
    let inst = m.inst;
    let free = &scope.lines;
    let n = inst.days.len();
    let mut pb = RowProblem::default();
    let mut coupling: Vec<Expr> = vec![Expr::default(); m.rows.len()];
    // Held lines: their stops count in the coupling rows as constants.
    for (ui, u) in inst.units.iter().enumerate().filter(|(ui, _)| !free[*ui]) {
        for (d, s) in held[ui].iter().enumerate() {
            if s.decided() {
                for (r, a) in m.day_terms(u, d) {
                    coupling[r].constant += a;
                }
            }
        }
    }
    let mut lines: Vec<LineCols> = Vec::new();
    for (ui, u) in inst.units.iter().enumerate().filter(|(ui, _)| free[*ui]) {
        let open = |d: usize| scope.open(ui, d);
        let starts = job_starts(inst, u);
        let jobs: Vec<Vec<(usize, Col)>> = u
            .jobs
            .iter()
            .zip(&starts)
            .enumerate()
            .map(|(k, (j, ts))| {
                // A held job moves only when it lies inside the open days, and then only within
                // them; a job the held calendar does not place may start anywhere open.
                let at = held[ui].iter().position(|x| *x == State::Maint(k));
                let inside = |t: usize| (t..t + j.duration).all(open);
                let movable = at.is_none_or(inside);
                ts.iter()
                    .filter(|&&t| if movable { inside(t) } else { Some(t) == at })
                    .map(|&t| {
                        let cost: f64 = (t..t + j.duration).map(|d| inst.day_value(u, d)).sum();
                        (t, pb.add_integer_column(cost, 0.0..=1.0))
                    })
                    .collect()
            })
            .collect();
        let choosable = |d: usize| u.mode == Mode::Stagger && inst.choosable(u, d);
        let x: Vec<Option<Col>> = (0..n)
            .map(|d| {
                choosable(d).then(|| {
                    let cost = inst.day_value(u, d);
                    if open(d) {
                        pb.add_integer_column(cost, 0.0..=1.0)
                    } else {
                        let v = f64::from(u8::from(held[ui][d] == State::Chosen));
                        pb.add_integer_column(cost, v..=v)
                    }
                })
            })
            .collect();
        let mblock = u.min_block.max(1);
        // A block can start on d only when d … d + min_block − 1 can all be chosen.
        let start: Vec<Option<Col>> = (0..n)
            .map(|d| {
                x[d].map(|_| {
                    let fits = d + mblock <= n && (d..d + mblock).all(|t| x[t].is_some());
                    pb.add_column(u.startup_cost, 0.0..=if fits { 1.0 } else { 0.0 })
                })
            })
            .collect();
        lines.push(LineCols {
            unit: ui,
            x,
            start,
            jobs,
            end: Vec::new(),
            begin: Vec::new(),
        });
    }
    for lc in &mut lines {
        (lc.end, lc.begin) = add_line_rows(&mut pb, m, lc, &mut coupling);
    }
    let columns = pb.num_cols();
    for (row, e) in m.rows.iter().zip(coupling) {
        if row.kind == "cut" {
            pb.add_row(row.rhs - e.constant.., merged(e.terms));
        } else {
            pb.add_row(..=row.rhs - e.constant, merged(e.terms));
        }
    }
    let mut hm = pb
        .try_optimise(Sense::Minimise)
        .map_err(|e| format!("HiGHS refused the compact calendar MIP ({e:?})"))?;
    session.apply(&mut hm)?;
    if let Some(x) = warm_start(&lines, held, columns) {
        let _ = hm.try_set_solution(Some(&x), None, None, None);
    }
    let solved = hm
        .try_solve()
        .map_err(|e| format!("HiGHS could not solve the compact calendar MIP ({e:?})"))?;
    let status = solved.status();
    let sol = solved.get_solution();
    let xs = sol.columns();
    let has = matches!(
        status,
        HighsModelStatus::Optimal | HighsModelStatus::ReachedTimeLimit
    ) && !xs.is_empty();
    let states = has.then(|| read_states(inst, &lines, held, xs));
    Ok(CompactResult {
        states: states.flatten(),
        status,
    })
}

/// The rows of one free line: block starts, minimum block, minimum run, blocks per season,
/// quotas, one job start each, jobs apart from each other and from chosen days; its terms join
/// the coupling rows. Returns the minimum-run indicators.
fn add_line_rows(
    pb: &mut RowProblem,
    m: &Master,
    lc: &LineCols,
    coupling: &mut [Expr],
) -> (Vec<Option<Col>>, Vec<Option<Col>>) {
    let inst = m.inst;
    let u = &inst.units[lc.unit];
    let n = inst.days.len();
    // Stop indicator per day: chosen + in a job + forced (constant).
    let mut stop: Vec<Expr> = (0..n)
        .map(|d| Expr {
            terms: Vec::new(),
            constant: f64::from(u8::from(inst.forced(u, d).is_some())),
        })
        .collect();
    let mut job_day: Vec<Expr> = vec![Expr::default(); n];
    for (k, starts) in lc.jobs.iter().enumerate() {
        pb.add_row(1.0..=1.0, starts.iter().map(|&(_, c)| (c, 1.0)));
        for &(t, c) in starts {
            for day in &mut job_day[t..t + u.jobs[k].duration] {
                day.add(c, 1.0);
            }
        }
    }
    for d in 0..n {
        for &(c, a) in &job_day[d].terms {
            stop[d].add(c, a);
        }
        if let Some(x) = lc.x[d] {
            stop[d].add(x, 1.0);
        }
        // One job at a time, and never on a chosen day.
        if stop[d].terms.len() > 1 {
            pb.add_row(..=1.0 - stop[d].constant, stop[d].terms.iter().copied());
        }
        // Coupling rows: a stop on d (chosen or maintenance) earns its day terms.
        for (r, a) in m.day_terms(u, d) {
            for &(c, b) in &stop[d].terms {
                coupling[r].add(c, a * b);
            }
        }
    }
    let mblock = u.min_block.max(1);
    for d in 0..n {
        // start_d ≥ x_d − x_{d−1}.
        if let (Some(s), Some(x)) = (lc.start[d], lc.x[d]) {
            let mut t = vec![(s, 1.0), (x, -1.0)];
            if let Some(p) = d.checked_sub(1).and_then(|p| lc.x[p]) {
                t.push((p, 1.0));
            }
            pb.add_row(0.0.., t);
        }
        // Minimum block: a block started within the last min_block days is still on.
        let recent: Vec<(Col, f64)> = (d.saturating_sub(mblock - 1)..=d)
            .filter_map(|t| lc.start[t].map(|s| (s, 1.0)))
            .collect();
        if !recent.is_empty() {
            let mut t = recent;
            match lc.x[d] {
                Some(x) => {
                    t.push((x, -1.0));
                    pb.add_row(..=0.0, t);
                }
                None => pb.add_row(..=0.0, t),
            }
        }
    }
    let indicators = min_run_rows(pb, lc, u.min_run, &stop);
    if let Some(k) = u.max_blocks {
        for s in &inst.seasons {
            let t: Vec<(Col, f64)> = (s.first..=s.last)
                .filter_map(|d| lc.start[d].map(|c| (c, 1.0)))
                .collect();
            if !t.is_empty() {
                pb.add_row(..=k as f64, t);
            }
        }
    }
    for q in &u.quotas {
        let mut e = Expr::default();
        for d in q.first..=q.last {
            e.constant += stop[d].constant;
            if let Some(x) = lc.x[d] {
                e.add(x, 1.0);
            }
            if inst.maintenance_counts {
                e.terms.extend(job_day[d].terms.iter().copied());
            }
        }
        pb.add_row(q.min_days as f64 - e.constant.., merged(e.terms));
    }
    indicators
}

/// Minimum run `r` between a chosen block and any other stop. With `end_e` = "chosen on e, running
/// on e + 1" and `begin_s` = "running on s − 1, chosen on s" (both implied by rows, relaxed to
/// [0, 1]): a stop on d forbids an `end` on d − r … d − 2 and a `begin` on d + 2 … d + r, and at
/// most one of them — exactly the rule of the pricing DP.
fn min_run_rows(
    pb: &mut RowProblem,
    lc: &LineCols,
    r: usize,
    stop: &[Expr],
) -> (Vec<Option<Col>>, Vec<Option<Col>>) {
    let n = stop.len();
    let mut end: Vec<Option<Col>> = vec![None; n];
    let mut begin: Vec<Option<Col>> = vec![None; n];
    if r <= 1 {
        return (end, begin);
    }
    for d in 0..n {
        let Some(x) = lc.x[d] else { continue };
        // end_d ≥ x_d − stop_{d+1} (no end at the horizon's last day: nothing follows).
        if d + 1 < n {
            let c = pb.add_column(0.0, 0.0..=1.0);
            let mut t = vec![(c, 1.0), (x, -1.0)];
            t.extend(stop[d + 1].terms.iter().copied());
            pb.add_row(-stop[d + 1].constant.., t);
            end[d] = Some(c);
        }
        if d > 0 {
            let c = pb.add_column(0.0, 0.0..=1.0);
            let mut t = vec![(c, 1.0), (x, -1.0)];
            t.extend(stop[d - 1].terms.iter().copied());
            pb.add_row(-stop[d - 1].constant.., t);
            begin[d] = Some(c);
        }
    }
    for (d, here) in stop.iter().enumerate() {
        let before = end[d.saturating_sub(r)..d.saturating_sub(1)].iter();
        let after = begin[(d + 2).min(n)..=(d + r).min(n - 1)].iter();
        for near in [
            before.flatten().collect::<Vec<_>>(),
            after.flatten().collect(),
        ] {
            if !near.is_empty() {
                let mut t: Vec<(Col, f64)> = near.into_iter().map(|&c| (c, 1.0)).collect();
                t.extend(here.terms.iter().copied());
                pb.add_row(..=1.0 - here.constant, t);
            }
        }
    }
    (end, begin)
}

/// Column values of `held` (`None` when a held line's job start is not one of the model's).
fn warm_start(lines: &[LineCols], held: &[Vec<State>], columns: usize) -> Option<Vec<f64>> {
    let mut v = vec![0.0; columns];
    let mut set = |c: Option<Col>, on: bool| {
        if let Some(c) = c {
            v[c.index()] = f64::from(u8::from(on));
        }
    };
    for lc in lines {
        let s = &held[lc.unit];
        let chosen = |d: usize| s[d] == State::Chosen;
        for (k, starts) in lc.jobs.iter().enumerate() {
            let at = s.iter().position(|x| *x == State::Maint(k))?;
            if !starts.iter().any(|&(t, _)| t == at) {
                return None;
            }
            for &(t, c) in starts {
                set(Some(c), t == at);
            }
        }
        for d in 0..s.len() {
            let before = d.checked_sub(1).map(|p| (chosen(p), s[p].stopped()));
            let after = s.get(d + 1).map(|x| x.stopped());
            set(lc.x[d], chosen(d));
            set(lc.start[d], chosen(d) && before.is_none_or(|b| !b.0));
            set(lc.end[d], chosen(d) && after == Some(false));
            set(lc.begin[d], chosen(d) && before.is_some_and(|b| !b.1));
        }
    }
    Some(v)
}

/// Day states of every line from a solution (held lines as given).
fn read_states(
    inst: &Instance,
    lines: &[LineCols],
    held: &[Vec<State>],
    xs: &[f64],
) -> Option<Vec<Vec<State>>> {
    let on = |c: Col| xs.get(c.index()).is_some_and(|v| *v > 0.5);
    let mut out = held.to_vec();
    for lc in lines {
        let chosen: Vec<bool> = lc.x.iter().map(|x| x.is_some_and(on)).collect();
        let job_starts = lc
            .jobs
            .iter()
            .map(|starts| starts.iter().find(|&&(_, c)| on(c)).map(|&(t, _)| t))
            .collect::<Option<Vec<usize>>>()?;
        let plan = UnitPlan {
            blocks: runs(&chosen, |&c| c),
            job_starts,
        };
        out[lc.unit] = inst.states(&inst.units[lc.unit], &plan);
    }
    Some(out)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::solve::{Method, SolveOptions, Status};
    use crate::stagger::check::{check_states, total_cost};
    use crate::stagger::generate::{instance, Spec};
    use crate::stagger::instance::Job;
    use crate::stagger::solve::solve;

    /// Small generated calendars with every rule the compact rows model: minimum blocks and
    /// runs, a block limit, a government stop next to choosable days and a maintenance job.
    pub(in crate::stagger) fn small(seed: u64) -> Instance {
        let mut inst = instance(Spec {
            lines: 4,
            days: 14,
            min_block: 2,
            min_run: 3,
            seed,
        });
        inst.units[0].max_blocks = Some(2);
        inst.units[1].gov_days = vec![7, 8];
        inst.units[2].jobs = vec![Job {
            name: "检修".into(),
            duration: 3,
            earliest: 2,
            latest: 12,
            avoid: vec![(9, 10)],
        }];
        // Targets most of these small calendars can meet.
        for d in &mut inst.days {
            d.target.iter_mut().for_each(|t| *t *= 0.25);
        }
        // Caps: an industry's lines cannot all stop on one day.
        for (i, ind) in inst.industries.iter_mut().enumerate() {
            let caps: Vec<f64> = inst
                .units
                .iter()
                .filter(|u| u.industry == i)
                .map(|u| u.capacity)
                .collect();
            ind.capacity = caps.iter().sum();
            let least = caps.iter().copied().fold(f64::INFINITY, f64::min);
            ind.share = if caps.len() > 1 {
                1.0 - 0.5 * least / ind.capacity
            } else {
                1.0
            };
        }
        inst
    }

    fn free_all(inst: &Instance) -> Scope {
        Scope {
            lines: vec![true; inst.units.len()],
            days: None,
            ..Default::default()
        }
    }

    fn session() -> Session {
        Session {
            threads: 1,
            seconds: 30.0,
            mip_gap: Some(1e-9),
            ..Session::default()
        }
    }

    /// The compact MIP and the pattern master over every calendar (exact) agree on the optimum,
    /// and the compact calendar passes the checker: the rows say what the pricing DP says.
    #[test]
    fn compact_optimum_equals_the_exhaustive_pattern_optimum() {
        let opts = SolveOptions {
            method: Method::Mip,
            time_limit: 30.0,
            rel_gap: 0.0,
            threads: 1,
        };
        let mut compared = 0;
        let mut skipped = Vec::new();
        for seed in 1..=10 {
            let inst = small(seed);
            if crate::stagger::enumerate::all_plans(&inst).is_none() {
                skipped.push(seed);
                continue;
            }
            let exact = solve(&inst, &opts);
            let m = Master::new(&inst);
            let held: Vec<Vec<State>> = inst
                .units
                .iter()
                .map(|u| inst.states(u, &Default::default()))
                .collect();
            let r = solve_compact(&m, &free_all(&inst), &held, session()).expect("HiGHS runs");
            match (exact.status, r.states) {
                (Status::Optimal, Some(s)) => {
                    assert!(check_states(&inst, &s).is_empty(), "seed {seed}");
                    let (a, b) = (total_cost(&inst, &s), exact.objective.unwrap());
                    assert!(
                        (a - b).abs() <= 1e-6 * b.max(1.0),
                        "seed {seed}: {a} vs {b}"
                    );
                    compared += 1;
                }
                (Status::Infeasible | Status::NoSolution, None) => {}
                (st, s) => panic!("seed {seed}: exact {st:?}, compact {:?}", s.is_some()),
            }
        }
        assert!(
            compared >= 5,
            "only {compared} calendars compared ({skipped:?})"
        );
    }

    /// Held lines, closed days and pinned line-days keep the held calendar; the warm start is
    /// taken (a step can only return a calendar at most as costly as the held one).
    #[test]
    fn held_lines_and_closed_days_stay_as_held() {
        let (inst, held) = (1..=8)
            .map(small)
            .find_map(|inst| {
                let held = crate::stagger::greedy::greedy(&inst)?;
                Some((inst, held))
            })
            .expect("a generated calendar the greedy serves");
        let m = Master::new(&inst);
        let full = solve_compact(&m, &free_all(&inst), &held, session());
        let best = total_cost(&inst, &full.unwrap().states.unwrap());
        let held_cost = total_cost(&inst, &held);
        assert!(best <= held_cost + 1e-9);
        let mut lines = vec![false; 4];
        lines[1] = true;
        let one = Scope {
            lines,
            days: Some((4, 12)),
            ..Default::default()
        };
        let r = solve_compact(&m, &one, &held, session()).unwrap();
        let s = r.states.expect("the held calendar is a solution");
        assert!(check_states(&inst, &s).is_empty());
        assert!(total_cost(&inst, &s) <= held_cost + 1e-9);
        for (ui, (a, b)) in s.iter().zip(&held).enumerate() {
            for d in 0..inst.days.len() {
                if ui != 1 || !(4..=12).contains(&d) {
                    assert_eq!(a[d], b[d], "line {ui} day {d}");
                }
            }
        }
        // Pinned line-days (every line free): line 0's first week and all of line 2 stay.
        let n = inst.days.len();
        let mut pinned = vec![vec![false; n]; 4];
        pinned[0][..7].iter_mut().for_each(|p| *p = true);
        pinned[2] = vec![true; n];
        let some = Scope {
            pinned,
            ..free_all(&inst)
        };
        let r = solve_compact(&m, &some, &held, session()).unwrap();
        let s = r.states.expect("the held calendar is a solution");
        assert!(check_states(&inst, &s).is_empty());
        assert!(total_cost(&inst, &s) <= held_cost + 1e-9);
        assert_eq!(s[2], held[2]);
        assert_eq!(s[0][..7], held[0][..7]);
        // Only the middle day of line 2's job pinned: the job may not move across it, on every
        // generated calendar whose greedy places the job.
        for seed in 1..=8 {
            let inst = small(seed);
            let Some(held) = crate::stagger::greedy::greedy(&inst) else {
                continue;
            };
            let Some(at) = held[2].iter().position(|x| *x == State::Maint(0)) else {
                continue;
            };
            let mut pinned = vec![vec![false; inst.days.len()]; 4];
            pinned[2][at + 1] = true;
            let middle = Scope {
                pinned,
                ..free_all(&inst)
            };
            let m = Master::new(&inst);
            let r = solve_compact(&m, &middle, &held, session()).unwrap();
            let s = r.states.expect("the held calendar is a solution");
            assert_eq!(s[2][at + 1], held[2][at + 1], "seed {seed}");
        }
        // With a zero-second budget HiGHS stops at once: only the warm start can be returned.
        let quick = Session {
            seconds: 0.0,
            ..session()
        };
        let r = solve_compact(&m, &free_all(&inst), &held, quick).unwrap();
        if let Some(s) = r.states {
            assert!(check_states(&inst, &s).is_empty());
            assert!(total_cost(&inst, &s) <= held_cost + 1e-9);
        }
    }
}
