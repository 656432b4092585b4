//! The checker's verification of the planner's decisions: every line × level a decision binds must
//! carry a measure that satisfies it. Strictness is re-derived from the inventory (proportional
//! limits by their share, declared options by their cuts), never taken from the model.

use super::Violation;
use crate::domain::{Decision, DecisionMode, DecisionTarget, Inventory, Measure};
use crate::plan::read::StatedRow;
use std::collections::HashMap;

const TOL: f64 = 1e-6;

/// Violations of the decisions by the plan rows.
pub fn verify(inv: &Inventory, decisions: &[Decision], rows: &[StatedRow]) -> Vec<Violation> {
    let by_key: HashMap<(&str, crate::domain::Level), &StatedRow> = rows
        .iter()
        .map(|r| ((r.line_id.as_str(), r.level), r))
        .collect();
    let mut out = Vec::new();
    for d in decisions {
        let lines: Vec<&crate::domain::Line> = match &d.target {
            DecisionTarget::Line(id) => inv.lines.iter().filter(|l| &l.id == id).collect(),
            DecisionTarget::Enterprise(c) => {
                inv.lines.iter().filter(|l| &l.enterprise == c).collect()
            }
        };
        for line in lines {
            for &level in &d.levels {
                let Some(r) = by_key.get(&(line.id.as_str(), level)) else {
                    continue;
                };
                if !satisfies(inv, line, &r.measure, d) {
                    out.push(Violation {
                        kind: "decision",
                        row: Some(r.row),
                        line: Some(line.id.clone()),
                        enterprise: Some(line.enterprise.to_string()),
                        level: Some(level),
                        date: None,
                        message: format!(
                            "决策第{}行要求{} {}（{}），清单为 {}",
                            d.row,
                            d.mode.zh(),
                            d.measure.code(),
                            d.reason,
                            r.code
                        ),
                    });
                }
            }
        }
    }
    out
}

/// Whether the stated measure satisfies the decision.
fn satisfies(inv: &Inventory, line: &crate::domain::Line, stated: &Measure, d: &Decision) -> bool {
    let want = &d.measure;
    if want.declared.is_none() && stated.declared.is_none() {
        let (s, w) = (stated.limit.0, want.limit.0);
        return match d.mode {
            DecisionMode::Fix => (s - w).abs() < TOL,
            DecisionMode::AtLeast => s >= w - TOL,
            DecisionMode::AtMost => s <= w + TOL,
        };
    }
    if d.mode == DecisionMode::Fix {
        return want.declared == stated.declared;
    }
    let (Some(s), Some(w)) = (inv.measure_cuts(line, stated), inv.measure_cuts(line, want)) else {
        return false;
    };
    match d.mode {
        DecisionMode::AtLeast => !want.is_stop() && (0..4).all(|p| s[p] >= w[p] - TOL),
        _ => (!stated.is_stop() || want.is_stop()) && (0..4).all(|p| s[p] <= w[p] + TOL),
    }
}
