//! The planner's decisions applied to the lines' rules: each decision binds its lines' measure at
//! its levels. A decision the rules forbid (below the rule minimum, above a 保障类 cap, beyond the
//! minimum for a line the city may not control, an option the line does not have) is a conflict,
//! explained before anything is solved.

use super::Resolved;
use crate::domain::{Decision, DecisionMode, DecisionTarget, Inventory, Level};
use serde::Serialize;
use std::collections::HashMap;

const EPS: f64 = 1e-6;

/// A decision as it binds one line at one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decided {
    /// Row of the decisions file.
    pub row: usize,
    /// Fix, at least or at most.
    pub mode: DecisionMode,
    /// Output limit of the decided measure (0 for a declared option).
    pub limit: f64,
    /// Declared option code, if the decision names one.
    pub declared: Option<String>,
    /// Measure code as written (for notes).
    pub code: String,
    /// The planner's reason.
    pub reason: String,
}

impl Decided {
    /// The note written into the list's 备注 for a line this decision binds.
    pub fn note(&self) -> String {
        format!(
            "决策（第{}行，{} {}）：{}",
            self.row,
            self.mode.zh(),
            self.code,
            self.reason
        )
    }
}

/// A decision that the rules do not allow for one of its lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionConflict {
    /// Row of the decisions file.
    pub row: usize,
    /// The line.
    pub line_id: String,
    /// The level.
    pub level: Level,
    /// Why, in Chinese.
    pub message: String,
}

impl std::fmt::Display for DecisionConflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "决策第{}行：生产线 {} {}：{}",
            self.row,
            self.line_id,
            self.level.zh(),
            self.message
        )
    }
}

/// Bind every decision to its lines' rules; returns the conflicts (empty when all apply).
pub fn apply(
    resolved: &mut Resolved,
    inv: &Inventory,
    decisions: &[Decision],
) -> Vec<DecisionConflict> {
    let by_line: HashMap<&str, usize> = resolved
        .lines
        .iter()
        .enumerate()
        .map(|(ri, r)| (inv.lines[r.line].id.as_str(), ri))
        .collect();
    let mut conflicts = Vec::new();
    for d in decisions {
        let ids: Vec<&str> = match &d.target {
            DecisionTarget::Line(id) => vec![id.as_str()],
            DecisionTarget::Enterprise(code) => inv
                .lines
                .iter()
                .filter(|l| &l.enterprise == code)
                .map(|l| l.id.as_str())
                .collect(),
        };
        for id in ids {
            let Some(&ri) = by_line.get(id) else {
                // An enterprise's idle lines are simply not on the list; a named idle line is.
                if matches!(d.target, DecisionTarget::Line(_)) {
                    conflicts.push(DecisionConflict {
                        row: d.row,
                        line_id: id.to_string(),
                        level: d.levels[0],
                        message: "该生产线未在产（停产或闲置），不在清单上，不能对其作出决策"
                            .into(),
                    });
                }
                continue;
            };
            for &level in &d.levels {
                let decided = Decided {
                    row: d.row,
                    mode: d.mode,
                    limit: if d.measure.declared.is_some() {
                        0.0
                    } else {
                        d.measure.limit.0
                    },
                    declared: d.measure.declared.clone(),
                    code: d.measure.code(),
                    reason: d.reason.clone(),
                };
                if let Some(message) = forbidden(resolved, inv, ri, level, &decided) {
                    conflicts.push(DecisionConflict {
                        row: d.row,
                        line_id: id.to_string(),
                        level,
                        message,
                    });
                }
                resolved.lines[ri].decided[level.index()].push(decided);
            }
        }
    }
    for r in &resolved.lines {
        if let Some(c) = nesting_conflict(r, inv) {
            conflicts.push(c);
        }
    }
    conflicts
}

/// Decided limits that cannot nest (a level's lowest allowed limit above a higher level's highest):
/// red ⊇ orange ⊇ yellow means a line's limit never falls from yellow to red.
fn nesting_conflict(r: &super::LineRule, inv: &Inventory) -> Option<DecisionConflict> {
    let decided = || r.decided.iter().flatten();
    if decided().next().is_none() || decided().any(|d| d.declared.is_some()) {
        return None;
    }
    let mut floor = (0.0f64, Level::Yellow);
    for level in Level::ALL {
        let k = level.index();
        let lo = decided_bound(&r.decided[k], r.min[k].0, f64::max, DecisionMode::AtLeast);
        if lo > floor.0 {
            floor = (lo, level);
        }
        let hi = decided_bound(&r.decided[k], r.cap.0, f64::min, DecisionMode::AtMost);
        if floor.0 > hi + EPS {
            let row = r.decided[k]
                .iter()
                .find(|d| d.mode != DecisionMode::AtLeast)
                .map_or(0, |d| d.row);
            return Some(DecisionConflict {
                row,
                line_id: inv.lines[r.line].id.clone(),
                level,
                message: format!(
                    "嵌套冲突：{}须至少限产{:.0}%，而{}至多限产{:.0}%（红色 ⊇ 橙色 ⊇ 黄色，措施不能随预警升级而放松）",
                    floor.1.zh(),
                    floor.0 * 100.0,
                    level.zh(),
                    hi * 100.0
                ),
            });
        }
    }
    None
}

/// The tightest bound the decisions of one level put on the limit: `pick` is max for the lower
/// bound (fix and at_least raise it) and min for the upper (fix and at_most lower it).
fn decided_bound(
    ds: &[Decided],
    start: f64,
    pick: fn(f64, f64) -> f64,
    one_sided: DecisionMode,
) -> f64 {
    ds.iter()
        .filter(|d| d.mode == DecisionMode::Fix || d.mode == one_sided)
        .fold(start, |b, d| pick(b, d.limit))
}

/// Why the rules forbid `d` for line `ri` at `level`, if they do.
fn forbidden(
    resolved: &Resolved,
    inv: &Inventory,
    ri: usize,
    level: Level,
    d: &Decided,
) -> Option<String> {
    let rule = &resolved.lines[ri];
    let k = level.index();
    let min = rule.min[k].0;
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    if let Some(code) = &d.declared {
        let has = inv
            .options
            .get(&inv.lines[rule.line].id)
            .is_some_and(|o| o.iter().any(|o| &o.code == code));
        return (!has).then(|| format!("该生产线没有申报措施 {code}（见 options 表）"));
    }
    let weakest = matches!(d.mode, DecisionMode::Fix | DecisionMode::AtMost);
    let strongest = matches!(d.mode, DecisionMode::Fix | DecisionMode::AtLeast);
    if weakest && d.limit < min - EPS {
        return Some(format!(
            "决策措施 {} 低于规则最低要求 {}（限产{}）",
            d.code,
            rule.obligation[k],
            pct(min)
        ));
    }
    if strongest && d.limit > rule.cap.0 + EPS {
        return Some(format!(
            "决策措施 {} 超过该线允许的最大限产比例 {}（保障类最低负荷或规则上限）",
            d.code,
            pct(rule.cap.0)
        ));
    }
    if !rule.controllable && strongest && d.limit > min + EPS {
        return Some(format!(
            "该企业豁免或为A级/引领性，只能执行规则最低要求 {}，不能锁定更严措施 {}",
            rule.obligation[k], d.code
        ));
    }
    None
}
