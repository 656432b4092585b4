//! The price of fairness: the plan's loss under the scenario's `[fairness]` rule against the loss
//! of the same scenario solved without it (two independent solves; the difference is ≥ 0 up to
//! the two solves' gaps), with the groups the rule formed and the lines it left out.

use crate::domain::fairness::Fairness;
use crate::domain::summary::round6;
use crate::pipeline::Loaded;
use crate::rules::fair::{groups, Exclusion};
use crate::solve::{solve_warm, SolveOptions, SolveReport, Status};
use serde::Serialize;
use std::collections::BTreeMap;

/// What `summary.json` says about fairness (`fairness`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FairnessPrice {
    /// Grouping attributes.
    pub group: Vec<&'static str>,
    /// `uniform` or `max_distinct=k`.
    pub mode: String,
    /// Most distinct measures per group and level.
    pub max_distinct: usize,
    /// Levels the rule binds.
    pub levels: Vec<&'static str>,
    /// Groups × levels with at least two lines (the rule binds only those).
    pub groups: usize,
    /// Lines in those groups, summed over levels.
    pub grouped_lines: usize,
    /// Per level and reason, the number of lines left out of their group (W511).
    pub excluded: BTreeMap<&'static str, BTreeMap<Exclusion, usize>>,
    /// Chinese text of each exclusion reason used.
    pub reasons: BTreeMap<Exclusion, &'static str>,
    /// Season loss of the fair plan (万元).
    pub loss_fair: Option<f64>,
    /// Status of the fair solve.
    pub status_fair: Status,
    /// Season loss of the same scenario without the rule (万元).
    pub loss_free: Option<f64>,
    /// Status of the free solve.
    pub status_free: Status,
    /// Price of fairness = loss_fair − loss_free (万元); uncertain by the two gaps unless both
    /// solves are optimal.
    pub price: Option<f64>,
    /// Price as a share of the free loss.
    pub price_share: Option<f64>,
}

/// Price the fairness rule of a planned scenario whose fair solve reported `fair`; `None` when
/// the scenario has no rule.
pub fn price(l: &Loaded, opts: &SolveOptions, fair: &SolveReport) -> Option<FairnessPrice> {
    let rule: Fairness = l.scenario.fairness()?;
    let g = groups(&l.inventory, &l.resolved, &rule);
    let mut problem = l.model();
    problem.fairness.clear();
    let free = solve_warm(&problem, opts, None).report;
    let price = match (fair.objective, free.objective) {
        (Some(a), Some(b)) => Some(round6(a - b)),
        _ => None,
    };
    let reasons = g
        .excluded
        .values()
        .flat_map(|m| m.keys())
        .map(|e| (*e, e.zh()))
        .collect();
    Some(FairnessPrice {
        group: rule.group.iter().map(|a| a.key()).collect(),
        mode: rule.mode_key(),
        max_distinct: rule.max_distinct,
        levels: rule.levels.iter().map(|l| l.key()).collect(),
        groups: g.groups.len(),
        grouped_lines: g.groups.iter().map(|x| x.members.len()).sum(),
        excluded: g
            .excluded
            .iter()
            .map(|(k, m)| (*k, m.iter().map(|(e, v)| (*e, v.len())).collect()))
            .collect(),
        reasons,
        loss_fair: fair.objective.map(round6),
        status_fair: fair.status,
        loss_free: free.objective.map(round6),
        status_free: free.status,
        price,
        price_share: match (price, free.objective) {
            (Some(p), Some(b)) if b > 0.0 => Some(round6(p / b)),
            _ => None,
        },
    })
}
