//! Fair lists. Uniform groups (`mode = "uniform"`) become single units of an aggregated problem
//! that the list machinery (column generation, certified bound, exact MIP) solves with no extra
//! rows (`solve::uniform`). `max_distinct = k > 1` is solved on the compact form of the whole
//! model (one binary per line × level × option, with nesting rows) plus the fairness family (a
//! binary per group × level × measure linked to the lines, at most k of them per group) by
//! HiGHS, started from the uniform plan (feasible for every k) as its cut-off and bounded below
//! by the free problem's certified column-generation bound; the status says what was proven.

use super::colgen::lower_bound;
use super::rows::RowIndex;
use super::session::{stop_of, Session};
use super::status::{Method, SolveReport, Stop};
use super::{uniform, Solution, SolveOptions, WarmStart};
use crate::model::export::{compact, Sense};
use crate::model::Problem;
use highs::{HighsModelStatus, RowProblem};
use std::time::{Duration, Instant};

/// Seconds the watchdog waits beyond the time limit before it stops waiting for HiGHS.
const GRACE: f64 = 5.0;

/// Solve a problem that has fairness groups within the time limit.
pub fn solve_fair(
    p: &Problem,
    opts: &SolveOptions,
    warm: Option<&WarmStart>,
    start: Instant,
) -> Solution {
    let uniform_only = p.fairness.iter().all(|g| g.max_distinct == 1);
    // The same groups held to one measure: the whole rule when it is uniform, else a plan that
    // meets any `max_distinct`.
    let mut strict = p.clone();
    for g in &mut strict.fairness {
        g.max_distinct = 1;
    }
    let agg = uniform::aggregate(&strict);
    if uniform_only {
        match agg {
            Ok(agg) => return uniform::solve(p, &agg, opts, warm, start),
            Err(why) => {
                let mut sol = solve_compact(p, opts, start, None);
                sol.report.notes.insert(0, why);
                return sol;
            }
        }
    }
    let Ok(agg) = agg else {
        return solve_compact(p, opts, start, None);
    };
    at_most_k(p, &strict, &agg, opts, warm, start)
}

/// `max_distinct = k > 1`: the uniform plan (up to 40 % of the time) as incumbent and cut-off,
/// the free problem's column-generation bound (half of what is left), then HiGHS on the compact
/// model for the rest; the better plan wins and the best proven bound is reported.
fn at_most_k(
    p: &Problem,
    strict: &Problem,
    agg: &uniform::Aggregated,
    opts: &SolveOptions,
    warm: Option<&WarmStart>,
    start: Instant,
) -> Solution {
    let share = |part: f64| SolveOptions {
        time_limit: start.elapsed().as_secs_f64()
            + (opts.time_limit - start.elapsed().as_secs_f64()).max(0.0) * part,
        ..opts.clone()
    };
    let mut notes = Vec::new();
    let u = uniform::solve(strict, agg, &share(0.4), warm, start);
    let incumbent = u.assignment.filter(|a| p.feasible(a));
    let inc_cost = incumbent.as_ref().map(|a| p.cost(a));
    if let Some(c) = inc_cost {
        notes.push(format!(
            "同组同措施方案（{c:.2} 万元）作为起点与上界 / the uniform plan ({c:.2}) is the incumbent and cut-off"
        ));
    }
    // A bound without the rule bounds every fair plan from below.
    let mut free = p.clone();
    free.fairness.clear();
    let rows = RowIndex::new(&free);
    // From the free greedy plan: column generation converges far faster there than from the
    // uniform plan.
    let base = super::greedy::greedy(&free, &rows);
    let free_bound = lower_bound(
        &free,
        &rows,
        base.as_deref(),
        warm.map(|w| &w.mult),
        &share(0.5),
        start,
    )
    .ok()
    .map(|lp| lp.bound)
    .filter(|b| b.is_finite());
    if let Some(b) = free_bound {
        notes.push(format!(
            "不含公平约束的下界 {b:.2} 万元 / bound without the rule {b:.2}"
        ));
    }
    let exact = solve_compact(p, opts, start, inc_cost);
    let mut report = exact.report;
    notes.append(&mut report.notes);
    report.notes = notes;
    let bound = match (report.bound, free_bound) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let infeasible = report.status == super::Status::Infeasible;
    let assignment = match (exact.assignment, incumbent) {
        (Some(e), Some(i)) if p.cost(&i) < p.cost(&e) - 1e-9 => Some(i),
        (e, i) => e.or(i),
    };
    if assignment.is_none() && infeasible {
        return Solution { assignment, report };
    }
    // Both bounds are proven for the rule with k; the status follows the gap they leave.
    report.bound = bound;
    let stop = if start.elapsed().as_secs_f64() >= opts.time_limit {
        Stop::TimeLimit
    } else {
        Stop::Trouble
    };
    let objective = assignment.as_ref().map(|a| p.cost(a));
    report.finish(objective, opts, start, stop);
    Solution { assignment, report }
}

/// The compact model with the fairness family (the fallback when groups cannot be aggregated, the
/// `max_distinct` search, and the oracle the tests hold the aggregated solve to), solved by
/// HiGHS on a worker thread: HiGHS's MIP
/// set-up (clique partition) does not look at its own limit — on the Wuxi seed it ran for
/// minutes — so a watchdog stops waiting at the limit plus a grace period. `cutoff`: the loss of
/// a known fair plan (nothing worse is searched; "infeasible" then proves that plan optimal).
pub fn solve_compact(
    p: &Problem,
    opts: &SolveOptions,
    start: Instant,
    cutoff: Option<f64>,
) -> Solution {
    let wait = (opts.time_limit - start.elapsed().as_secs_f64()).max(0.0) + GRACE;
    let (p, o) = (p.clone(), opts.clone());
    with_watchdog(
        move || solve_fair_exact(&p, &o, start, cutoff),
        Duration::from_secs_f64(wait),
        opts,
        start,
    )
}

/// Run `solve` on a worker thread; past `wait` (or when the worker dies) report that no plan was
/// found within the time limit. The abandoned worker ends with the process.
fn with_watchdog<F>(solve: F, wait: Duration, opts: &SolveOptions, start: Instant) -> Solution
where
    F: FnOnce() -> Solution + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(solve());
    });
    let (stop, note) = match rx.recv_timeout(wait) {
        Ok(solution) => return solution,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => (
            Stop::TimeLimit,
            format!(
                "公平约束模型：HiGHS 在时间上限后 {GRACE:.0} 秒仍未返回，已停止等待（模型过大，请缩小分组范围或延长时间上限） / fairness model: HiGHS had not returned {GRACE:.0} s after the time limit; stopped waiting"
            ),
        ),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => (
            Stop::Trouble,
            "公平约束模型：求解线程异常终止 / fairness model: the solver thread failed".to_string(),
        ),
    };
    let mut report = SolveReport::new(Method::Mip);
    report.notes.push(note);
    report.finish(None, opts, start, stop);
    Solution {
        assignment: None,
        report,
    }
}

/// The exact HiGHS solve of the compact model with the fairness family.
fn solve_fair_exact(
    p: &Problem,
    opts: &SolveOptions,
    start: Instant,
    cutoff: Option<f64>,
) -> Solution {
    let mut report = SolveReport::new(Method::Mip);
    let ids: std::collections::HashMap<usize, String> = (0..p.units.len())
        .map(|ui| (p.units[ui].line, p.figure_id(ui)))
        .collect();
    let (model, cols) = compact(p, |u| ids[&u.line].as_str());
    let mut pb = RowProblem::default();
    let hc: Vec<highs::Col> = model
        .columns
        .iter()
        .map(|(_, cost)| pb.add_integer_column(*cost, 0.0..=1.0))
        .collect();
    for r in &model.rows {
        let terms: Vec<(highs::Col, f64)> = r.terms.iter().map(|&(j, c)| (hc[j], c)).collect();
        match r.sense {
            Sense::Eq => pb.add_row(r.rhs..=r.rhs, terms),
            Sense::Ge => pb.add_row(r.rhs.., terms),
        }
    }
    report.mip_lines = p.units.len();
    report.mip_columns = model.columns.len();
    report
        .notes
        .push("公平约束：全模型精确求解（HiGHS），不报告边际损失 / fairness: the whole model solved exactly by HiGHS; no marginal losses".into());
    let remaining = opts.time_limit - start.elapsed().as_secs_f64();
    let mut hm = pb.optimise(highs::Sense::Minimise);
    let session = Session {
        threads: opts.threads,
        seconds: remaining,
        mip_gap: Some((opts.rel_gap * 0.5).max(1e-9)),
        tolerance: Some(1e-9),
        cutoff: cutoff.map(|c| c + 1e-9 * c.abs().max(1.0)),
    };
    if let Err(note) = session.apply(&mut hm) {
        report.notes.push(note);
    }
    let solved = match hm.try_solve() {
        Ok(s) => s,
        Err(e) => {
            report
                .notes
                .push(format!("HiGHS could not solve the fairness model ({e:?})"));
            report.finish(None, opts, start, Stop::Trouble);
            return Solution {
                assignment: None,
                report,
            };
        }
    };
    let status = solved.status();
    let mut stop = stop_of(status);
    let values = solved.get_solution().columns().to_vec();
    let assignment = if values.len() == model.columns.len()
        && !matches!(
            status,
            HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible
        ) {
        assignment(p, &cols, &values)
    } else {
        None
    };
    let assignment = assignment.filter(|a| {
        let ok = p.feasible(a);
        if !ok {
            stop = stop.and(Stop::Trouble);
            report.notes.push("HiGHS's plan misses a target or a fairness group beyond our tolerance; it is not used".into());
        }
        ok
    });
    let bound = solved
        .double_info_value(c"mip_dual_bound")
        .ok()
        .filter(|b| b.is_finite());
    report.bound = match (status, &assignment) {
        (HighsModelStatus::Optimal, Some(a)) => Some(bound.unwrap_or(p.cost(a)).min(p.cost(a))),
        _ => bound,
    };
    let objective = assignment.as_ref().map(|a| p.cost(a));
    if let (HighsModelStatus::Infeasible, Some(c)) = (status, cutoff) {
        // Nothing beats the cut-off plan: it is optimal (the caller holds it).
        report.bound = Some(c);
        report.finish(None, opts, start, Stop::Finished);
        return Solution {
            assignment: None,
            report,
        };
    }
    report.finish(objective, opts, start, stop);
    if status == HighsModelStatus::Infeasible {
        report.status = super::Status::Infeasible;
        report.notes.push(
            "在公平约束下无法满足减排目标（同组措施数上限过紧，或组内生产线可选措施不同） / the targets cannot be met under the fairness rule".into(),
        );
    }
    Solution { assignment, report }
}

/// The triple index of each unit from the compact solution (`None` when a line has no chosen
/// option at a level or its options form no nested triple).
fn assignment(
    p: &Problem,
    cols: &crate::model::export::OptionColumns,
    values: &[f64],
) -> Option<Vec<u32>> {
    p.units
        .iter()
        .zip(cols)
        .map(|(u, uc)| {
            let pick: Option<Vec<u8>> = uc
                .iter()
                .map(|level| {
                    level
                        .iter()
                        .find(|&&(_, j)| values[j] > 0.5)
                        .map(|&(c, _)| c as u8)
                })
                .collect();
            let pick = pick?;
            u.triples
                .iter()
                .position(|t| t[..] == pick[..])
                .map(|t| t as u32)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> SolveOptions {
        SolveOptions {
            method: Method::Mip,
            time_limit: 0.1,
            rel_gap: 1e-4,
            threads: 1,
        }
    }

    #[test]
    fn the_watchdog_stops_waiting_for_a_solver_that_does_not_return() {
        let opts = opts();
        let begun = Instant::now();
        let s = with_watchdog(
            || {
                std::thread::sleep(Duration::from_secs(30));
                unreachable!("the watchdog returns first")
            },
            Duration::from_millis(200),
            &opts,
            begun,
        );
        assert!(begun.elapsed() < Duration::from_secs(10));
        assert!(s.assignment.is_none());
        assert_eq!(s.report.status, crate::solve::Status::NoSolution);
        assert!(s.report.notes.iter().any(|n| n.contains("stopped waiting")));
    }

    #[test]
    fn a_solver_that_returns_in_time_is_passed_through() {
        let opts = opts();
        let mut report = SolveReport::new(Method::Mip);
        report.notes.push("inner".into());
        let inner = Solution {
            assignment: Some(vec![0]),
            report,
        };
        let s = with_watchdog(move || inner, Duration::from_secs(5), &opts, Instant::now());
        assert_eq!(s.assignment, Some(vec![0]));
        assert_eq!(s.report.notes, vec!["inner".to_string()]);
    }
}
