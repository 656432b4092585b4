//! The checker's verification of the scenario's fairness rule: within each group and level, the
//! plan's lines take at most `max_distinct` measures (compared without their transport part).
//! The groups are re-derived from the inventory and the rules, never taken from the model.

use super::Violation;
use crate::domain::fairness::{measure_key, Fairness};
use crate::domain::{Inventory, Level};
use crate::plan::read::StatedRow;
use crate::rules::Resolved;
use std::collections::{BTreeMap, HashMap};

/// Lines named per measure in a violation message, at most.
const NAMED: usize = 5;

/// Violations of the fairness rule by the plan rows.
pub fn verify(
    inv: &Inventory,
    resolved: &Resolved,
    rule: &Fairness,
    rows: &[StatedRow],
) -> Vec<Violation> {
    let by_key: HashMap<(&str, Level), &StatedRow> = rows
        .iter()
        .map(|r| ((r.line_id.as_str(), r.level), r))
        .collect();
    let mut out = Vec::new();
    for g in crate::rules::fair::groups(inv, resolved, rule).groups {
        let mut found: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for &ri in &g.members {
            let id = inv.lines[resolved.lines[ri].line].id.as_str();
            if let Some(r) = by_key.get(&(id, g.level)) {
                found.entry(measure_key(&r.measure)).or_default().push(id);
            }
        }
        if found.len() <= g.max_distinct {
            continue;
        }
        let listed: Vec<String> = found
            .iter()
            .map(|(m, ids)| {
                let more = if ids.len() > NAMED { "…" } else { "" };
                let shown = ids[..ids.len().min(NAMED)].join(", ");
                format!("{m}（{}条：{shown}{more}）", ids.len())
            })
            .collect();
        out.push(Violation {
            level: Some(g.level),
            ..Violation::about(
                "fairness",
                format!(
                    "公平分组 {} 在{}有 {} 种措施（上限 {}）：{}",
                    g.name,
                    g.level.zh(),
                    found.len(),
                    g.max_distinct,
                    listed.join("、")
                ),
            )
        });
    }
    out
}
