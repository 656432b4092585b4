//! What each planner's decision costs: the plan's loss with every decision against the loss with
//! that one decision lifted (a re-solve of the same model, the others kept), and the joint cost of
//! all of them. A decision on a line the optimiser would have treated the same way costs 0.

use crate::domain::Decision;
use crate::pipeline::Loaded;
use crate::rules::decide;
use crate::solve::{solve_warm, SolveOptions, Status};
use serde::Serialize;

/// Per-decision costs are computed by re-solving for at most this many decisions (the joint cost
/// is always computed); a longer list gets the joint cost only, and says so.
pub const MAX_PRICED: usize = 30;

/// The price of one decision (or of all of them, `row = None`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionCost {
    /// Row of the decisions file; `None` for all decisions together.
    pub row: Option<usize>,
    /// What the decision says (`第3行 L0001-01 橙色 锁定 L50`).
    pub label: String,
    /// The planner's reason.
    pub reason: String,
    /// Season loss without this decision (万元), when the re-solve found a plan.
    pub loss_without: Option<f64>,
    /// Extra season loss the decision causes (万元): loss with − loss without.
    pub cost: Option<f64>,
    /// Status of the re-solve (`optimal`, `gap_limit`, …): a cost between two gap-limited solves
    /// is uncertain by up to the two gaps.
    pub status: Status,
}

/// Price the decisions of a planned scenario whose loss with every decision is `with`.
pub fn price(l: &Loaded, opts: &SolveOptions, with: f64) -> Vec<DecisionCost> {
    let mut out = Vec::new();
    if l.decisions.is_empty() {
        return out;
    }
    let solve_without = |skip: Option<usize>| {
        let kept: Vec<Decision> = l
            .decisions
            .iter()
            .enumerate()
            .filter(|(i, _)| skip.is_some_and(|s| s != *i))
            .map(|(_, d)| d.clone())
            .collect();
        let mut resolved = l.resolved.clone();
        for r in &mut resolved.lines {
            r.decided = Default::default();
        }
        // The kept decisions applied alone never conflict: they applied together before.
        let _ = decide::apply(&mut resolved, &l.inventory, &kept);
        let problem = l.model_with(&resolved);
        solve_warm(&problem, opts, None).report
    };
    let mut push =
        |row: Option<usize>, label: String, reason: String, r: crate::solve::SolveReport| {
            out.push(DecisionCost {
                row,
                label,
                reason,
                loss_without: r.objective,
                cost: r.objective.map(|w| with - w),
                status: r.status,
            })
        };
    push(
        None,
        format!("全部{}条决策", l.decisions.len()),
        String::new(),
        solve_without(None),
    );
    if l.decisions.len() <= MAX_PRICED {
        for (i, d) in l.decisions.iter().enumerate() {
            push(
                Some(d.row),
                d.label(),
                d.reason.clone(),
                solve_without(Some(i)),
            );
        }
    }
    out
}
