//! The September revision (seed item 32): this year's inventory, grades and rules plus last
//! year's list → a new list that meets this year's targets while changing as few line measures as
//! sensible (a stability term), every change classified as forced or chosen, and the filings.

pub mod filings;
pub mod stability;

use crate::diff::listing::Listing;
use crate::diff::{Cause, Classified};
use crate::domain::{Grade, Level};
use crate::pipeline::{solve_problem, Loaded, Planned};
use crate::solve::SolveOptions;
use stability::{add_stability, anchors, changed, offered, previous_assignment, Anchors};
use std::time::Instant;

/// A solved revision.
pub struct Revision {
    /// The plan with the stability term in its costs.
    pub planned: Planned,
    /// Last year's measures of this year's units.
    pub anchors: Anchors,
    /// Stability weight used (万元 per changed line × level).
    pub weight: f64,
    /// Line × level measures changed against last year (the penalised count).
    pub changed: usize,
    /// Cause and reason of every measure change.
    pub classified: Classified,
}

impl Revision {
    /// The stability penalty of the plan (万元).
    pub fn penalty(&self) -> f64 {
        self.weight * self.changed as f64
    }

    /// Expected season loss of the plan without the stability penalty (万元).
    pub fn loss(&self) -> Option<f64> {
        self.planned
            .solution
            .report
            .objective
            .map(|o| o - self.penalty())
    }
}

/// Revise last year's list for this year's scenario.
pub fn revise(
    l: &Loaded,
    previous: &Listing,
    weight: f64,
    opts: &SolveOptions,
    english: bool,
) -> Revision {
    let t0 = Instant::now();
    let mut problem = l.model();
    let anchors = anchors(&l.inventory, &problem, previous);
    add_stability(&mut problem, &anchors, weight);
    let incumbent = previous_assignment(&problem, &anchors);
    let build_seconds = t0.elapsed().as_secs_f64();
    let planned = solve_problem(l, problem, build_seconds, opts, english, incumbent, None);
    let changed = planned
        .solution
        .assignment
        .as_ref()
        .map(|a| changed(&planned.problem, &anchors, a))
        .unwrap_or(0);
    let classified = planned
        .solution
        .assignment
        .as_ref()
        .map(|a| classify(l, &planned, &anchors, previous, a))
        .unwrap_or_default();
    Revision {
        planned,
        anchors,
        weight,
        changed,
        classified,
    }
}

/// Forced or chosen, with a reason, for every line × level whose measure code changed.
fn classify(
    l: &Loaded,
    planned: &Planned,
    anchors: &Anchors,
    previous: &Listing,
    assignment: &[u32],
) -> Classified {
    let inv = &l.inventory;
    let mut out = Classified::new();
    for ((u, a), &t) in planned.problem.units.iter().zip(anchors).zip(assignment) {
        let Some(prev) = a else { continue };
        let line = &inv.lines[u.line];
        let rule = &l.resolved.lines[u.rule];
        let ent = inv.enterprise_of(line);
        let grade = inv.industries.effective_grade(&ent.industry, ent.grade);
        let old_ent = previous.enterprises.get(line.enterprise.as_str());
        let old_line = &previous.lines[&line.id];
        let tr = u.triples[t as usize];
        for level in Level::ALL {
            let k = level.index();
            let Some(pm) = &prev[k] else { continue };
            let c = &u.choices[tr[k] as usize];
            let main_kept = stability::keeps(c, pm);
            if main_kept && pm.transport == rule.transport[k] {
                continue;
            }
            let mut why: Vec<String> = Vec::new();
            if let Some(og) = old_ent.and_then(|e| e.grade) {
                if og.strictness() != grade.strictness() {
                    why.push(format!("绩效等级 {} → {}", og.label(), grade.label()));
                }
            }
            let was_exempt = old_ent.is_some_and(|e| e.exempt.is_some());
            match (was_exempt, ent.exempt.is_some()) {
                (false, true) => why.push("列入豁免清单".into()),
                (true, false) => why.push("移出豁免清单".into()),
                _ => {}
            }
            let old_ob = &old_line.obligation[k];
            if !old_ob.is_empty() && *old_ob != rule.obligation[k] {
                why.push(format!("最低要求 {old_ob} → {}", rule.obligation[k]));
            }
            let forced_main = !main_kept && !offered(u, k, pm);
            let forced_transport = pm.transport != rule.transport[k];
            if forced_main && pm.limit.0 > rule.cap.0 + 1e-9 && ent.guarantee_min_load.is_some() {
                why.push("保障类最低负荷".into());
            }
            if forced_main && why.is_empty() {
                why.push(if pm.limit.0 < rule.min[k].0 - 1e-9 {
                    format!(
                        "上年措施低于本年最低要求 {}",
                        crate::domain::measure::fmt_percent(rule.min[k])
                    )
                } else {
                    "上年措施本年不可选（措施选项变化） / option no longer offered".into()
                });
            }
            if forced_transport && !forced_main && why.is_empty() {
                why.push("运输管控要求变化".into());
            }
            let entry = if forced_main || forced_transport {
                (Cause::Forced, why.join("；"))
            } else {
                (
                    Cause::Chosen,
                    "优化选择：满足本年目标的成本更低 / chosen for cost and this year's targets"
                        .into(),
                )
            };
            out.insert((line.id.clone(), k), entry);
        }
    }
    out
}

/// Grade comparison used by the filings: `升级`, `降级`, `不变`, `新增`.
pub fn grade_change(old: Option<Grade>, new: Grade) -> &'static str {
    match old {
        None => "新增",
        Some(o) => match new.strictness().cmp(&o.strictness()) {
            std::cmp::Ordering::Less => "升级",
            std::cmp::Ordering::Greater => "降级",
            std::cmp::Ordering::Equal => "不变",
        },
    }
}
