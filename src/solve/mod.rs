//! Solving the model: an adaptive greedy (the planner's cost-effectiveness ranking, also the warm
//! start), then column generation on the LP relaxation for a certified lower bound, LP rounding,
//! reduced-cost fixing, and an exact MIP (HiGHS) on the lines the bound leaves undecided.

pub mod colgen;
pub mod fair;
pub mod greedy;
pub mod mip;
pub mod pricing;
pub mod rows;
pub mod session;
pub mod status;
pub mod uniform;
pub mod warm;

pub use status::{Method, SolveOptions, SolveReport, Status, Stop};

use crate::model::Problem;
use std::time::Instant;

/// The result of a solve: an assignment (triple index per unit) when one was found, and the report.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Triple index per unit.
    pub assignment: Option<Vec<u32>>,
    /// Status, objective, bound, gap, timings and marginal costs.
    pub report: SolveReport,
}

/// A warm start taken from a related solved scenario (a sweep's neighbour).
#[derive(Debug, Clone, Default)]
pub struct WarmStart {
    /// Per unit, the triple of the related plan when this problem offers it.
    pub assignment: Vec<Option<u32>>,
    /// Multipliers for the first pricing round (the related LP's duals).
    pub mult: pricing::Multipliers,
}

/// Solve with the chosen method.
pub fn solve(p: &Problem, opts: &SolveOptions) -> Solution {
    solve_warm(p, opts, None)
}

/// Solve, starting from a related scenario's plan and duals when given.
pub fn solve_warm(p: &Problem, opts: &SolveOptions, warm: Option<&WarmStart>) -> Solution {
    let start = Instant::now();
    if let Err(e) = p.check_numbers() {
        // Never hand HiGHS a number it cannot hold: it would fail or answer "Unknown".
        let mut report = SolveReport::new(opts.method);
        report.status = Status::InvalidNumbers;
        report.notes.push(e.to_string());
        return Solution {
            assignment: None,
            report,
        };
    }
    if !p.fairness.is_empty() {
        return fair::solve_fair(p, opts, warm, start);
    }
    solve_lines(p, opts, warm, start)
}

/// Solve a problem without fairness groups (its numbers checked): the greedy, then the method's
/// search.
pub(crate) fn solve_lines(
    p: &Problem,
    opts: &SolveOptions,
    warm: Option<&WarmStart>,
    start: Instant,
) -> Solution {
    let rows = rows::RowIndex::new(p);
    let greedy = greedy::greedy(p, &rows);
    let greedy_time = start.elapsed().as_secs_f64();
    let greedy_obj = greedy.as_ref().map(|a| p.cost(a));
    match opts.method {
        Method::Greedy => {
            let mut notes = Vec::new();
            let bound_run = colgen::lower_bound(p, &rows, greedy.as_deref(), None, opts, start);
            let bound_run = match bound_run {
                Ok(b) => Some(b),
                Err(note) => {
                    notes.push(note);
                    None
                }
            };
            let mut report = SolveReport::new(Method::Greedy);
            report.greedy_objective = greedy_obj;
            report.bound = bound_run.as_ref().map(|b| b.bound);
            let duals = |f| {
                bound_run
                    .as_ref()
                    .map(|b| rows.of_family(f, &b.lambda))
                    .unwrap_or_default()
            };
            report.duals = duals(crate::model::registry::Family::Target);
            report.station_duals = duals(crate::model::registry::Family::Station);
            report.notes = notes;
            report.finish(greedy_obj, opts, start, Stop::Finished);
            report.greedy_seconds = greedy_time;
            if greedy.is_none() {
                // The greedy's failure proves nothing; the LP with slacks does.
                let proven = bound_run
                    .as_ref()
                    .is_some_and(|b| b.converged && b.slack > 1e-7);
                report.status = if proven {
                    Status::Infeasible
                } else {
                    Status::NoSolution
                };
                if !proven {
                    report
                        .notes
                        .push("the greedy found no plan; try --method mip".into());
                }
            }
            Solution {
                assignment: greedy,
                report,
            }
        }
        Method::Mip => mip::solve_exact(p, &rows, greedy, warm, opts, start, greedy_time),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Level, Pollutant};
    use crate::model::{Choice, Scope, Target, Unit};

    fn choice(cut: f64, loss: f64) -> Choice {
        Choice {
            limit: if cut > 0.0 { 0.5 } else { 0.0 },
            declared: None,
            cut: [cut, 0.0, 0.0, 0.0],
            loss,
            electricity: 0.0,
            stop: false,
        }
    }

    /// Two lines: one cheap that cuts 5e-8 (relative) short of the target, one dear that meets it.
    fn nearly_problem() -> Problem {
        let unit = |line: usize, cut: f64, cost: f64| Unit {
            rule: line,
            line,
            district: None,
            controlled: true,
            choices: vec![choice(0.0, 0.0), choice(cut, cost)],
            triples: vec![[0, 0, 0], [1, 1, 1]],
            level_costs: vec![[0.0; 3], [cost, 0.0, 0.0]],
            costs: vec![0.0, cost],
            group: None,
            air: Vec::new(),
            member: 0,
        };
        Problem {
            units: vec![unit(0, 94.7742 - 8e-6, 1.0), unit(1, 94.7742, 5.0)],
            targets: vec![Target {
                level: Level::Yellow,
                pollutant: Pollutant::So2,
                scope: Scope::City,
                base: 947.742,
                ratio: 0.1,
                required: 94.7742,
                credit: 0.0,
                rhs: 94.7742,
                enforced: true,
            }],
            days: [1.0; 3],
            restart_days: [0.0; 3],
            ..Problem::default()
        }
    }

    #[test]
    fn a_plan_short_of_a_target_by_more_than_float_noise_is_not_feasible() {
        let p = nearly_problem();
        assert!(!p.feasible(&[1, 0]), "94.774192 must not meet 94.7742");
        assert!(p.feasible(&[0, 1]));
        for method in [Method::Mip, Method::Greedy] {
            let opts = SolveOptions {
                method,
                time_limit: 10.0,
                rel_gap: 0.0,
                threads: 1,
            };
            let sol = solve(&p, &opts);
            let a = sol.assignment.expect("a plan");
            assert!(p.achieved(&a)[0] >= 94.7742, "{method:?}: {a:?}");
            assert_eq!(sol.report.objective, Some(5.0), "{method:?}");
        }
    }

    #[test]
    fn statuses_are_never_guessed() {
        use status::Stop;
        let s = |o, g, stop| Status::of_search(o, g, 1e-4, stop);
        assert_eq!(s(Some(1.0), Some(0.5), Stop::TimeLimit), Status::TimeLimit);
        assert_eq!(s(Some(1.0), Some(0.5), Stop::Trouble), Status::NotProven);
        assert_eq!(s(Some(1.0), None, Stop::Finished), Status::NotProven);
        assert_eq!(s(Some(1.0), Some(0.0), Stop::Trouble), Status::Optimal);
        assert_eq!(s(None, None, Stop::Trouble), Status::SolverError);
        assert_eq!(s(None, None, Stop::TimeLimit), Status::NoSolution);
        assert_eq!(Stop::Trouble.and(Stop::TimeLimit), Stop::TimeLimit);
        assert_eq!(Stop::Finished.and(Stop::Trouble), Stop::Trouble);
    }

    #[test]
    fn non_finite_or_huge_numbers_are_refused_by_name() {
        let mut p = nearly_problem();
        p.figures = vec![
            crate::model::problem::UnitFigures {
                line_id: "L-1".into(),
                emissions: [1e16, 0.0, 0.0, 0.0],
                value: 1.0,
            };
            2
        ];
        let opts = SolveOptions {
            method: Method::Mip,
            time_limit: 10.0,
            rel_gap: 0.0,
            threads: 1,
        };
        let sol = solve(&p, &opts);
        assert_eq!(sol.report.status, Status::InvalidNumbers);
        assert!(sol.report.notes[0].contains("L-1") && sol.report.notes[0].contains("1e16"));
        let mut p = nearly_problem();
        p.units[0].costs[1] = f64::NAN;
        assert!(p.check_numbers().is_err());
        let mut p = nearly_problem();
        p.units[0].choices[1].cut[0] = 9e14;
        p.units[1].choices[1].cut[0] = 9e14;
        let e = p.check_numbers().unwrap_err();
        assert!(e.to_string().contains("1.8e15"), "{e}");
        assert!(e.to_string().contains("target:yellow:SO2:city"), "{e}");
    }
}
