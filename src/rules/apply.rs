//! How the rules apply to each line at each level: obligations, exemptions, guarantee floors.

use super::{Obligation, Rules};
use crate::domain::{CreditCode, Inventory, Level, LineStatus, Scenario, Transport};
use crate::units::Fraction;
use serde::Serialize;

/// What the rules say about one active line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineRule {
    /// Index into `Inventory::lines`.
    pub line: usize,
    /// The city may choose a measure beyond the minimum (false for exempt, A and 引领性 firms).
    pub controllable: bool,
    /// Counts toward the optional "controlled firms cut ≥ X %" rule.
    pub controlled: bool,
    /// Largest output limit allowed (1 = may stop; 保障类 floors lower it).
    pub cap: Fraction,
    /// Minimum output limit per level (nested: never weaker than the level below).
    pub min: [Fraction; 3],
    /// Transport restriction per level (nested).
    pub transport: [Transport; 3],
    /// Obligation code per level as the rule table states it.
    pub obligation: [String; 3],
    /// Where each level's rule came from.
    pub origin: [String; 3],
    /// Remarks for the planner (floors applied, exemptions, nesting corrections).
    pub notes: Vec<String>,
    /// The planner's decisions binding this line, per level (see [`super::decide`]).
    pub decided: [Vec<super::decide::Decided>; 3],
}

impl LineRule {
    /// Whether a measure at level `k` is stricter than the rules' minimum there, so that the list
    /// must say why (issue 13): a proportional `limit` above the minimum limit, or a declared
    /// option whose daily `loss` exceeds what the minimum limit would lose (`value` = the line's
    /// baseline output value, 万元/d). A declared option losing no more than the minimum is a
    /// cheaper way to comply, not a stricter one.
    pub fn above_minimum(
        &self,
        k: usize,
        limit: f64,
        declared: bool,
        loss: f64,
        value: f64,
    ) -> bool {
        let min = self.min[k].0;
        if declared {
            loss > value * min + 1e-9 * (1.0 + value.abs())
        } else {
            limit > min + 1e-9
        }
    }
}

/// "Stop X % of lines, counted in whole lines" for one enterprise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StopGroup {
    /// The enterprise.
    pub enterprise: CreditCode,
    /// Indices into [`Resolved::lines`] of the lines that count (those of the processes the rule
    /// names, e.g. clinker kilns for `SL50:熟料`).
    pub lines: Vec<usize>,
    /// Whole lines that must stop at each level.
    pub min_stopped: [usize; 3],
}

/// Rules applied to a whole inventory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolved {
    /// One entry per active line, in inventory order.
    pub lines: Vec<LineRule>,
    /// Whole-line stop groups.
    pub groups: Vec<StopGroup>,
}

/// Errors that stop resolution: industries × grades × levels with no rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "no rule for {0} (industry × grade × level); add a row to the rules or the city override file"
)]
pub struct MissingRule(pub String);

/// Apply the rules to every active line.
pub fn resolve(
    inv: &Inventory,
    rules: &Rules,
    scenario: &Scenario,
) -> Result<Resolved, Vec<MissingRule>> {
    let mut missing = Vec::new();
    let mut lines: Vec<LineRule> = Vec::new();
    let mut groups = Vec::new();
    let lowest = scenario
        .options
        .limits
        .iter()
        .copied()
        .fold(1.0f64, f64::min);
    let mut i = 0;
    while i < inv.lines.len() {
        // One enterprise at a time (lines are sorted by enterprise).
        let code = &inv.lines[i].enterprise;
        let mut j = i;
        while j < inv.lines.len() && &inv.lines[j].enterprise == code {
            j += 1;
        }
        let ent = &inv.enterprises[code];
        let ind = inv.industries.by_code.get(&ent.industry);
        let key = ind.map(|d| d.key).unwrap_or(false);
        let grade = inv.industries.effective_grade(&ent.industry, ent.grade);
        let mut obligations: Vec<(Obligation, String)> = Vec::new();
        for level in Level::ALL {
            if grade.is_voluntary() {
                obligations.push((
                    Obligation::voluntary(),
                    format!("{} 级：自愿减排", grade.label()),
                ));
            } else {
                match rules.lookup(&ent.industry, key, grade, level) {
                    Some(r) => obligations.push((r.obligation.clone(), r.origin.clone())),
                    None => {
                        let what =
                            format!("{} × {} × {}", ent.industry, grade.label(), level.key());
                        if !missing.iter().any(|m: &MissingRule| m.0 == what) {
                            missing.push(MissingRule(what));
                        }
                        obligations.push((Obligation::voluntary(), String::new()));
                    }
                }
            }
        }
        let first_rule = lines.len();
        for (li, line) in inv.lines.iter().enumerate().take(j).skip(i) {
            if line.status != LineStatus::Active {
                continue;
            }
            let mut notes = Vec::new();
            let voluntary = grade.is_voluntary();
            let exempt = ent.exempt.is_some();
            let mut cap = match ent.guarantee_min_load {
                Some(f) => Fraction((1.0 - f.0).max(0.0)),
                None => Fraction::ONE,
            };
            let mut min = [Fraction::ZERO; 3];
            let mut transport = [Transport::None; 3];
            for (k, (o, _)) in obligations.iter().enumerate() {
                let stop_here =
                    o.limit.0 >= 1.0 || o.stop_processes.iter().any(|p| p == &line.process);
                min[k] = if stop_here { Fraction::ONE } else { o.limit };
                transport[k] = o.transport;
            }
            let controllable = !exempt && !voluntary;
            if exempt {
                let demands_stop = min.iter().any(|m| m.0 >= 1.0);
                if scenario.options.exempt_lowest_limit && demands_stop {
                    notes.push(format!(
                        "豁免企业：停产要求改为最低限产{}%",
                        crate::domain::measure::fmt_percent(Fraction(lowest))
                    ));
                    for m in &mut min {
                        *m = if m.0 >= 1.0 {
                            Fraction(lowest)
                        } else {
                            Fraction::ZERO
                        };
                    }
                    cap = Fraction(lowest);
                } else {
                    notes.push("豁免企业：不采取管控措施".into());
                    min = [Fraction::ZERO; 3];
                    cap = Fraction::ZERO;
                }
                transport = [Transport::None; 3];
            } else if voluntary {
                cap = Fraction::ZERO;
            }
            for k in 1..3 {
                if min[k].0 < min[k - 1].0 {
                    notes.push(format!(
                        "{}预警最低措施弱于{}，按嵌套要求提高",
                        Level::ALL[k].zh(),
                        Level::ALL[k - 1].zh()
                    ));
                    min[k] = min[k - 1];
                }
                transport[k] = transport[k].max(transport[k - 1]);
            }
            for m in &mut min {
                if m.0 > cap.0 + 1e-12 {
                    if ent.guarantee_min_load.is_some() {
                        let note = format!(
                            "保障类：按最低负荷限产{}%",
                            crate::domain::measure::fmt_percent(cap)
                        );
                        if !notes.contains(&note) {
                            notes.push(note);
                        }
                    }
                    *m = cap;
                }
            }
            lines.push(LineRule {
                line: li,
                controllable,
                controlled: controllable,
                cap,
                min,
                transport,
                obligation: obligations
                    .iter()
                    .map(|(o, _)| o.code())
                    .collect::<Vec<_>>()
                    .try_into()
                    .expect("3 levels"),
                origin: obligations
                    .iter()
                    .map(|(_, s)| s.clone())
                    .collect::<Vec<_>>()
                    .try_into()
                    .expect("3 levels"),
                notes,
                decided: Default::default(),
            });
        }
        // Whole-line stop groups: the lines of the processes the rule counts (every line when it
        // names none; the rules loader ensures one enterprise's levels name the same processes).
        let counted = obligations
            .iter()
            .map(|(o, _)| o)
            .find(|o| o.stop_line_share.0 > 0.0);
        let members: Vec<usize> = (first_rule..lines.len())
            .filter(|&r| lines[r].controllable)
            .filter(|&r| counted.is_none_or(|o| o.counts_line(&inv.lines[lines[r].line].process)))
            .collect();
        if !members.is_empty() && ent.exempt.is_none() && !grade.is_voluntary() {
            let n = members.len();
            let stoppable = members.iter().filter(|&&r| lines[r].cap.0 >= 1.0).count();
            let mut min_stopped = [0usize; 3];
            for (k, (o, _)) in obligations.iter().enumerate() {
                if o.stop_line_share.0 > 0.0 {
                    let need = (o.stop_line_share.0 * n as f64 - 1e-9).ceil() as usize;
                    min_stopped[k] = need.min(stoppable);
                }
                if k > 0 {
                    min_stopped[k] = min_stopped[k].max(min_stopped[k - 1]);
                }
            }
            if min_stopped.iter().any(|&m| m > 0) {
                // Lines already forced to stop count toward the group; the group adds the rest.
                groups.push(StopGroup {
                    enterprise: code.clone(),
                    lines: members,
                    min_stopped,
                });
            }
        }
        i = j;
    }
    if missing.is_empty() {
        Ok(Resolved { lines, groups })
    } else {
        Err(missing)
    }
}
