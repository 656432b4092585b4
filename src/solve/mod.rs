//! Solving the model: an adaptive greedy (the planner's cost-effectiveness ranking, also the warm
//! start), then column generation on the LP relaxation for a certified lower bound, LP rounding,
//! reduced-cost fixing, and an exact MIP (HiGHS) on the lines the bound leaves undecided.

pub mod colgen;
pub mod greedy;
pub mod mip;
pub mod pricing;
pub mod rows;
pub mod status;
pub mod warm;

pub use status::{Method, SolveOptions, SolveReport, Status};

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
    let rows = rows::RowIndex::new(p);
    let greedy = greedy::greedy(p, &rows);
    let greedy_time = start.elapsed().as_secs_f64();
    let greedy_obj = greedy.as_ref().map(|a| p.cost(a));
    match opts.method {
        Method::Greedy => {
            let bound_run = colgen::lower_bound(p, &rows, greedy.as_deref(), None, opts, start);
            let mut report = SolveReport::new(Method::Greedy);
            report.greedy_objective = greedy_obj;
            report.bound = bound_run.as_ref().map(|b| b.bound);
            report.duals = bound_run
                .as_ref()
                .map(|b| b.lambda.clone())
                .unwrap_or_default();
            report.finish(greedy_obj, opts, start, false);
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
