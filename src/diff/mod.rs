//! Comparing two lists (`jianpai diff`, and the diff written by `jianpai revise`): enterprises and
//! lines added or removed, grade changes, exempt and guarantee changes, measure changes per level
//! with a cause and a reason, and the change in the city's cuts and loss.

pub mod listing;
pub mod text;

use crate::domain::summary::round6;
use crate::domain::{Grade, Level, Pollutant};
use indexmap::IndexMap;
use listing::{ListedEnterprise, ListedLine, Listing};
use serde::Serialize;
use std::collections::BTreeMap;

/// Why a measure changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cause {
    /// Last year's measure is no longer allowed (grade, rules, exemption, guarantee, inventory).
    Forced,
    /// Chosen by the optimiser (cost, this year's targets).
    Chosen,
}

/// An enterprise added or removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnterpriseRef {
    /// Credit code.
    pub credit_code: String,
    /// Name.
    pub name: String,
    /// District.
    pub district: String,
    /// Industry.
    pub industry: String,
    /// Grade.
    pub grade: String,
}

/// A line added or removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineRef {
    /// Line id.
    pub line_id: String,
    /// Credit code.
    pub credit_code: String,
    /// Enterprise name.
    pub enterprise: String,
    /// Line name.
    pub line_name: String,
    /// Why, when known.
    pub reason: String,
}

/// A change of an enterprise attribute (grade, exemption, guarantee floor).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributeChange {
    /// Credit code.
    pub credit_code: String,
    /// Name.
    pub name: String,
    /// Old value.
    pub old: String,
    /// New value.
    pub new: String,
}

/// A measure change of one line at one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureChange {
    /// Line id.
    pub line_id: String,
    /// Credit code.
    pub credit_code: String,
    /// Enterprise name.
    pub enterprise: String,
    /// Level.
    pub level: Level,
    /// Old measure code.
    pub old: String,
    /// New measure code.
    pub new: String,
    /// `stronger`, `weaker` or `different`.
    pub direction: &'static str,
    /// Forced or chosen.
    pub cause: Cause,
    /// Reason, where one can be derived.
    pub reason: String,
}

/// All changes, by category.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Changes {
    /// Enterprises on the new list only.
    pub enterprises_added: Vec<EnterpriseRef>,
    /// Enterprises on the old list only.
    pub enterprises_removed: Vec<EnterpriseRef>,
    /// Lines on the new list only.
    pub lines_added: Vec<LineRef>,
    /// Lines on the old list only.
    pub lines_removed: Vec<LineRef>,
    /// Better grade this year.
    pub grades_up: Vec<AttributeChange>,
    /// Worse grade this year.
    pub grades_down: Vec<AttributeChange>,
    /// Newly exempt.
    pub exempt_added: Vec<AttributeChange>,
    /// No longer exempt.
    pub exempt_removed: Vec<AttributeChange>,
    /// 保障类 added, removed or floor changed (values are minimum-load shares).
    pub guarantee_changed: Vec<AttributeChange>,
    /// Measure changes per line and level.
    pub measures: Vec<MeasureChange>,
}

/// Old, new and change of one number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Delta {
    /// Old value.
    pub old: f64,
    /// New value.
    pub new: f64,
    /// New − old.
    pub change: f64,
}

impl Delta {
    fn new(old: f64, new: f64) -> Self {
        Delta {
            old: round6(old),
            new: round6(new),
            change: round6(new - old),
        }
    }
}

/// City totals of one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelTotals {
    /// Cut per pollutant (t/d).
    pub cut: IndexMap<&'static str, Delta>,
    /// Loss per warning day (万元/d).
    pub loss_per_day: Delta,
    /// Lines with a measure beyond voluntary.
    pub lines_controlled: Delta,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// Old list.
    pub old: String,
    /// New list.
    pub new: String,
    /// Counts per category (and measure changes by cause).
    pub counts: IndexMap<&'static str, usize>,
    /// The changes.
    pub changes: Changes,
    /// City totals per level.
    pub totals: IndexMap<&'static str, LevelTotals>,
    /// Expected season loss (万元) from the folders' summaries, when both are known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub season_loss: Option<Delta>,
}

/// Causes and reasons supplied by the revision (exact), keyed by line id and level index.
pub type Classified = BTreeMap<(String, usize), (Cause, String)>;

fn grade_label(g: Option<Grade>) -> String {
    g.map(|g| g.label().to_string()).unwrap_or_default()
}

fn ent_ref(e: &ListedEnterprise) -> EnterpriseRef {
    EnterpriseRef {
        credit_code: e.credit_code.clone(),
        name: e.name.clone(),
        district: e.district.clone(),
        industry: e.industry.clone(),
        grade: grade_label(e.grade),
    }
}

fn line_ref(l: &ListedLine, ents: &BTreeMap<String, ListedEnterprise>, reason: &str) -> LineRef {
    LineRef {
        line_id: l.line_id.clone(),
        credit_code: l.credit_code.clone(),
        enterprise: ents
            .get(&l.credit_code)
            .map(|e| e.name.clone())
            .unwrap_or_default(),
        line_name: l.line_name.clone(),
        reason: reason.to_string(),
    }
}

fn attr(e: &ListedEnterprise, old: String, new: String) -> AttributeChange {
    AttributeChange {
        credit_code: e.credit_code.clone(),
        name: e.name.clone(),
        old,
        new,
    }
}

fn min_load(v: Option<f64>) -> String {
    v.map(|f| format!("{}", round6(f))).unwrap_or_default()
}

/// Compare two lists. `classified` overrides the derived cause and reason of measure changes.
pub fn diff(old: &Listing, new: &Listing, classified: Option<&Classified>) -> Diff {
    let mut c = Changes::default();
    enterprise_changes(old, new, &mut c);
    line_changes(old, new, &mut c);
    let reasons = enterprise_reasons(&c);
    for (id, nl) in &new.lines {
        let Some(ol) = old.lines.get(id) else {
            continue;
        };
        for level in Level::ALL {
            let k = level.index();
            let (oc, nc) = (ol.code(k), nl.code(k));
            if oc == nc {
                continue;
            }
            let (cause, reason) = classified
                .and_then(|m| m.get(&(id.clone(), k)).cloned())
                .unwrap_or_else(|| derive_reason(ol, nl, k, &reasons));
            c.measures.push(MeasureChange {
                line_id: id.clone(),
                credit_code: nl.credit_code.clone(),
                enterprise: new
                    .enterprises
                    .get(&nl.credit_code)
                    .map(|e| e.name.clone())
                    .unwrap_or_default(),
                level,
                old: oc,
                new: nc,
                direction: direction(ol, nl, k),
                cause,
                reason,
            });
        }
    }
    let mut counts = IndexMap::new();
    counts.insert("enterprises_added", c.enterprises_added.len());
    counts.insert("enterprises_removed", c.enterprises_removed.len());
    counts.insert("lines_added", c.lines_added.len());
    counts.insert("lines_removed", c.lines_removed.len());
    counts.insert("grades_up", c.grades_up.len());
    counts.insert("grades_down", c.grades_down.len());
    counts.insert("exempt_added", c.exempt_added.len());
    counts.insert("exempt_removed", c.exempt_removed.len());
    counts.insert("guarantee_changed", c.guarantee_changed.len());
    counts.insert("measure_changes", c.measures.len());
    counts.insert(
        "measure_changes_forced",
        c.measures
            .iter()
            .filter(|m| m.cause == Cause::Forced)
            .count(),
    );
    counts.insert(
        "measure_changes_chosen",
        c.measures
            .iter()
            .filter(|m| m.cause == Cause::Chosen)
            .count(),
    );
    counts.insert(
        "lines_changed",
        c.measures
            .iter()
            .map(|m| m.line_id.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
    );
    Diff {
        old: old.source.clone(),
        new: new.source.clone(),
        counts,
        changes: c,
        totals: totals(old, new),
        season_loss: match (old.season_loss, new.season_loss) {
            (Some(o), Some(n)) => Some(Delta::new(o, n)),
            _ => None,
        },
    }
}

fn enterprise_changes(old: &Listing, new: &Listing, c: &mut Changes) {
    for (code, e) in &new.enterprises {
        let Some(o) = old.enterprises.get(code) else {
            c.enterprises_added.push(ent_ref(e));
            continue;
        };
        if let (Some(og), Some(ng)) = (o.grade, e.grade) {
            let change = attr(e, og.label().into(), ng.label().into());
            match ng.strictness().cmp(&og.strictness()) {
                std::cmp::Ordering::Less => c.grades_up.push(change),
                std::cmp::Ordering::Greater => c.grades_down.push(change),
                std::cmp::Ordering::Equal => {}
            }
        }
        match (&o.exempt, &e.exempt) {
            (None, Some(r)) => c.exempt_added.push(attr(e, String::new(), r.clone())),
            (Some(r), None) => c.exempt_removed.push(attr(e, r.clone(), String::new())),
            _ => {}
        }
        let (og, ng) = (o.guarantee_min_load, e.guarantee_min_load);
        let differs = match (og, ng) {
            (Some(a), Some(b)) => (a - b).abs() > 1e-9,
            (None, None) => false,
            _ => true,
        };
        if differs {
            c.guarantee_changed
                .push(attr(e, min_load(og), min_load(ng)));
        }
    }
    for (code, e) in &old.enterprises {
        if !new.enterprises.contains_key(code) {
            c.enterprises_removed.push(ent_ref(e));
        }
    }
}

fn line_changes(old: &Listing, new: &Listing, c: &mut Changes) {
    for (id, l) in &new.lines {
        if !old.lines.contains_key(id) {
            let reason = if old.enterprises.contains_key(&l.credit_code) {
                "新增生产线 / new line"
            } else {
                "新增企业 / new enterprise"
            };
            c.lines_added.push(line_ref(l, &new.enterprises, reason));
        }
    }
    for (id, l) in &old.lines {
        if !new.lines.contains_key(id) {
            let reason = if new.enterprises.contains_key(&l.credit_code) {
                "生产线停用或拆除 / line idle or removed"
            } else {
                "企业退出清单（关停或搬迁） / enterprise left the list"
            };
            c.lines_removed.push(line_ref(l, &old.enterprises, reason));
        }
    }
}

/// Per enterprise: the attribute changes that force measure changes.
fn enterprise_reasons(c: &Changes) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for g in c.grades_up.iter().chain(&c.grades_down) {
        m.entry(g.credit_code.clone())
            .or_default()
            .push(format!("绩效等级 {} → {}", g.old, g.new));
    }
    for e in &c.exempt_added {
        m.entry(e.credit_code.clone())
            .or_default()
            .push("列入豁免清单".into());
    }
    for e in &c.exempt_removed {
        m.entry(e.credit_code.clone())
            .or_default()
            .push("移出豁免清单".into());
    }
    for g in &c.guarantee_changed {
        m.entry(g.credit_code.clone())
            .or_default()
            .push(format!("保障类最低负荷 {} → {}", g.old, g.new));
    }
    m
}

/// Cause and reason derived from the two lists alone.
fn derive_reason(
    ol: &ListedLine,
    nl: &ListedLine,
    k: usize,
    ents: &BTreeMap<String, Vec<String>>,
) -> (Cause, String) {
    let mut why = ents.get(&nl.credit_code).cloned().unwrap_or_default();
    if !ol.obligation[k].is_empty() && ol.obligation[k] != nl.obligation[k] {
        why.push(format!(
            "最低要求 {} → {}",
            ol.obligation[k], nl.obligation[k]
        ));
    }
    if why.is_empty() {
        (
            Cause::Chosen,
            "优化选择（成本与减排目标） / chosen for cost and targets".into(),
        )
    } else {
        (Cause::Forced, why.join("；"))
    }
}

fn direction(ol: &ListedLine, nl: &ListedLine, k: usize) -> &'static str {
    let (o, n) = (&ol.cut[k], &nl.cut[k]);
    let more = (0..4).all(|p| n[p] >= o[p] - 1e-12) && nl.loss[k] >= ol.loss[k] - 1e-12;
    let less = (0..4).all(|p| n[p] <= o[p] + 1e-12) && nl.loss[k] <= ol.loss[k] + 1e-12;
    let limit = |l: &ListedLine| l.measure[k].as_ref().map(|m| m.limit.0).unwrap_or(0.0);
    match (more, less) {
        (true, false) => "stronger",
        (false, true) => "weaker",
        _ if limit(nl) > limit(ol) => "stronger",
        _ if limit(nl) < limit(ol) => "weaker",
        _ => "different",
    }
}

fn totals(old: &Listing, new: &Listing) -> IndexMap<&'static str, LevelTotals> {
    let sum = |l: &Listing, k: usize| {
        let mut cut = [0.0; 4];
        let mut loss = 0.0;
        let mut controlled = 0.0;
        for line in l.lines.values() {
            for (c, v) in cut.iter_mut().zip(line.cut[k]) {
                *c += v;
            }
            loss += line.loss[k];
            if line.code(k) != "V" && line.measure[k].is_some() {
                controlled += 1.0;
            }
        }
        (cut, loss, controlled)
    };
    Level::ALL
        .iter()
        .map(|level| {
            let k = level.index();
            let (oc, ol, on) = sum(old, k);
            let (nc, nl, nn) = sum(new, k);
            (
                level.key(),
                LevelTotals {
                    cut: Pollutant::ALL
                        .iter()
                        .map(|p| (p.label(), Delta::new(oc[p.index()], nc[p.index()])))
                        .collect(),
                    loss_per_day: Delta::new(ol, nl),
                    lines_controlled: Delta::new(on, nn),
                },
            )
        })
        .collect()
}
