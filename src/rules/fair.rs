//! The fairness rule applied to the lines: which lines form each group at each level, and which
//! lines stay out of it and why (lines the city may not control, 保障类 firms, measures fixed by a
//! planner's decision, an empty grouping attribute). The model builder and the checker both use it.

use super::Resolved;
use crate::domain::fairness::Fairness;
use crate::domain::{DecisionMode, Inventory, Level};
use serde::Serialize;
use std::collections::BTreeMap;

/// One group at one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FairGroup {
    /// Group name (`行业=C3011 / 绩效等级=B`).
    pub name: String,
    /// Level.
    pub level: Level,
    /// Indices into `Resolved::lines` of the group's lines (at least two).
    pub members: Vec<usize>,
    /// Most distinct measures among them.
    pub max_distinct: usize,
}

/// Why a line stays out of its fairness group at a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// Exempt, A or 引领性: the city may not go beyond the rules' minimum.
    NotControllable,
    /// A 保障类 firm: its guaranteed load bounds its measure.
    Guarantee,
    /// A planner's decision fixes the measure.
    Fixed,
    /// A grouping attribute is empty for the line.
    NoGroup,
}

impl Exclusion {
    /// Chinese reason, as in the summary and the report.
    pub fn zh(self) -> &'static str {
        match self {
            Exclusion::NotControllable => "不可调控（豁免、A级或引领性企业，仅执行最低要求）",
            Exclusion::Guarantee => "保障类企业（按保障负荷执行）",
            Exclusion::Fixed => "决策锁定措施",
            Exclusion::NoGroup => "分组属性为空",
        }
    }
}

/// The groups of a fairness rule and the lines left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FairGroups {
    /// Groups with at least two lines, by level then name.
    pub groups: Vec<FairGroup>,
    /// Per level key and reason: the lines left out (line ids, inventory order).
    pub excluded: BTreeMap<&'static str, BTreeMap<Exclusion, Vec<String>>>,
}

/// Group the active lines of `resolved` under `rule`.
pub fn groups(inv: &Inventory, resolved: &Resolved, rule: &Fairness) -> FairGroups {
    let mut out = FairGroups::default();
    for &level in &rule.levels {
        let k = level.index();
        let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (ri, r) in resolved.lines.iter().enumerate() {
            let line = &inv.lines[r.line];
            let ent = inv.enterprise_of(line);
            let name = rule.group_of(inv, line);
            let why = if !r.controllable {
                Some(Exclusion::NotControllable)
            } else if ent.guarantee_min_load.is_some_and(|g| g.0 > 0.0) {
                Some(Exclusion::Guarantee)
            } else if r.decided[k].iter().any(|d| d.mode == DecisionMode::Fix) {
                Some(Exclusion::Fixed)
            } else if name.is_none() {
                Some(Exclusion::NoGroup)
            } else {
                None
            };
            match (why, name) {
                (None, Some(name)) => by_name.entry(name).or_default().push(ri),
                (Some(why), _) => out
                    .excluded
                    .entry(level.key())
                    .or_default()
                    .entry(why)
                    .or_default()
                    .push(line.id.clone()),
                (None, None) => {}
            }
        }
        out.groups
            .extend(
                by_name
                    .into_iter()
                    .filter(|(_, m)| m.len() >= 2)
                    .map(|(name, members)| FairGroup {
                        name,
                        level,
                        members,
                        max_distinct: rule.max_distinct,
                    }),
            );
    }
    out
}
