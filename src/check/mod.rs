//! The independent checker. It re-derives every cut from the inventory and the written measure,
//! applies the rules table itself (it never calls the model builder), and lists every violation:
//! completeness, phantom or mismatched cuts, obligations, exemptions, 保障类 floors, nesting,
//! whole-line stop counts and targets. It also re-derives every descriptive column a later step
//! relies on (names, district, industry, grade, measure text, the rules' minimum, the expected
//! electricity the audit compares meters with, remarks), so an edited figure cannot pass. It
//! works on hand-edited plans (columns a plan leaves out are not checked).

pub mod decisions;
pub mod fairness;
pub mod recompute;

use crate::domain::{
    CreditCode, Grade, Inventory, Level, LineStatus, Pollutant, Scenario, Transport,
};
use crate::plan::read::{Described, StatedRow};
use crate::rules::Rules;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One violation, of a list or of a calendar (one shape for both checkers).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// Kind. Lists: completeness, unknown-line, idle-line, cut-mismatch, column-mismatch,
    /// obligation, exempt, voluntary, guarantee, nesting, stop-lines, target, decision, fairness,
    /// reason, station-target. Calendars: government, season, participation, block, run, blocks,
    /// quota, maintenance, cap, cut, overlap, row, objective.
    pub kind: &'static str,
    /// Plan file row, when about one row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// Line id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    /// Enterprise credit code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enterprise: Option<String>,
    /// Level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Date, when about one day of a calendar.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// What is wrong, with expected and found values.
    pub message: String,
}

impl Violation {
    /// A violation of `kind` about nothing narrower than the whole result (set the fields that
    /// apply on top).
    pub fn about(kind: &'static str, message: String) -> Self {
        Violation {
            kind,
            row: None,
            line: None,
            enterprise: None,
            level: None,
            date: None,
            message,
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "violation[{}]", self.kind)?;
        if let Some(l) = &self.line {
            write!(f, " line {l}")?;
        }
        if let Some(d) = &self.date {
            write!(f, " {d}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A target as re-computed by the checker.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetCheck {
    /// `target:<level>:<pollutant>:<scope>`.
    pub row: String,
    /// Required cut, t/d.
    pub required: f64,
    /// Re-computed cut of the lines plus credits, t/d.
    pub achieved: f64,
    /// Whether it is met.
    pub met: bool,
    /// `false` when the scenario switches the level's tonnage targets off
    /// (`[air.targets.<level>] tonnage = false`): reported, a miss is no violation.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_enforced: bool,
}

/// Result of a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// Plan rows read.
    pub rows: usize,
    /// Active lines in the inventory.
    pub active_lines: usize,
    /// Targets as re-computed.
    pub targets: Vec<TargetCheck>,
    /// Every violation found.
    pub violations: Vec<Violation>,
}

const TOL: f64 = 1e-6;

struct Effect {
    cut: [f64; 4],
    loss: f64,
    /// Share of every emitting pollutant cut at least (for obligation checks).
    min_share: f64,
    stop: bool,
}

/// Check a plan against inventory, rules and scenario.
pub fn check_plan(
    inv: &Inventory,
    rules: &Rules,
    scenario: &Scenario,
    rows: &[StatedRow],
) -> CheckReport {
    check_plan_with(inv, rules, scenario, &[], rows)
}

/// Check a plan against inventory, rules, scenario and the planner's decisions (each decision
/// must hold, and its note belongs in the decided rows' 备注).
pub fn check_plan_with(
    inv: &Inventory,
    rules: &Rules,
    scenario: &Scenario,
    decided: &[crate::domain::Decision],
    rows: &[StatedRow],
) -> CheckReport {
    let mut v: Vec<Violation> = Vec::new();
    let mut viol = |kind,
                    row: Option<usize>,
                    line: Option<&str>,
                    ent: Option<&str>,
                    level: Option<Level>,
                    message: String| {
        v.push(Violation {
            row,
            line: line.map(str::to_string),
            enterprise: ent.map(str::to_string),
            level,
            ..Violation::about(kind, message)
        });
    };
    let lines = inv.line_positions();
    // The rules' own wording per line (obligation code, remarks); `None` when a rule is missing,
    // which `obligations` reports.
    let resolved = rules_with_decisions(inv, rules, scenario, decided);
    let rule_of: HashMap<usize, &crate::rules::LineRule> = resolved
        .iter()
        .flat_map(|r| r.lines.iter().map(|l| (l.line, l)))
        .collect();
    // (line index, level) → effect
    let mut chosen: BTreeMap<(usize, Level), (Effect, &StatedRow)> = BTreeMap::new();
    for r in rows {
        let Some(&li) = lines.get(r.line_id.as_str()) else {
            viol(
                "unknown-line",
                Some(r.row),
                Some(&r.line_id),
                None,
                Some(r.level),
                "line is not in the inventory".into(),
            );
            continue;
        };
        let line = &inv.lines[li];
        if CreditCode::parse(&r.credit_code)
            .map(|c| c != line.enterprise)
            .unwrap_or(true)
        {
            viol(
                "unknown-line",
                Some(r.row),
                Some(&r.line_id),
                Some(&r.credit_code),
                Some(r.level),
                format!(
                    "enterprise code does not match the inventory ({})",
                    line.enterprise
                ),
            );
        }
        if line.status == LineStatus::Idle {
            if r.cut.iter().any(|c| *c > TOL) {
                viol(
                    "idle-line",
                    Some(r.row),
                    Some(&r.line_id),
                    None,
                    Some(r.level),
                    "idle line credited with a cut (phantom cut)".into(),
                );
            }
            continue;
        }
        let Some(eff) = effect(inv, li, r) else {
            viol(
                "measure",
                Some(r.row),
                Some(&r.line_id),
                None,
                Some(r.level),
                format!(
                    "declared option in '{}' is not in options.csv for this line",
                    r.code
                ),
            );
            continue;
        };
        for p in Pollutant::ALL {
            let (s, e) = (r.cut[p.index()], eff.cut[p.index()]);
            if (s - e).abs() > 1e-5 + 1e-6 * e.abs() {
                viol(
                    "cut-mismatch",
                    Some(r.row),
                    Some(&r.line_id),
                    None,
                    Some(r.level),
                    format!(
                        "{} cut written {s:.6} t/d, the measure gives {e:.6} t/d",
                        p.label()
                    ),
                );
            }
        }
        if (r.loss - eff.loss).abs() > 1e-3 + 1e-6 * eff.loss.abs() {
            viol(
                "cut-mismatch",
                Some(r.row),
                Some(&r.line_id),
                None,
                Some(r.level),
                format!(
                    "loss written {:.4} 万元/d, the measure gives {:.4}",
                    r.loss, eff.loss
                ),
            );
        }
        for (d, derived) in rederive(inv, scenario, rule_of.get(&li).copied(), li, r, false) {
            viol(
                "column-mismatch",
                Some(r.row),
                Some(&r.line_id),
                None,
                Some(r.level),
                format!(
                    "{} written \"{}\", the inventory, rules and scenario give \"{}\"",
                    d.label, d.value, derived
                ),
            );
        }
        if missing_reason(inv, rule_of.get(&li).copied(), li, r, &eff) {
            viol(
                "reason",
                Some(r.row),
                Some(&r.line_id),
                None,
                Some(r.level),
                format!(
                    "措施 {} 严于规则最低要求（{}），加严理由为空 / measure {} is stricter than the rule minimum ({}) and gives no reason",
                    r.code, r.obligation, r.code, r.obligation
                ),
            );
        }
        if chosen.insert((li, r.level), (eff, r)).is_some() {
            viol(
                "completeness",
                Some(r.row),
                Some(&r.line_id),
                None,
                Some(r.level),
                "second row for the same line and level".into(),
            );
        }
    }
    let active: Vec<usize> = (0..inv.lines.len())
        .filter(|&i| inv.lines[i].status == LineStatus::Active)
        .collect();
    for &li in &active {
        for level in Level::ALL {
            if !chosen.contains_key(&(li, level)) {
                viol(
                    "completeness",
                    None,
                    Some(&inv.lines[li].id),
                    None,
                    Some(level),
                    "active line has no measure at this level".into(),
                );
            }
        }
    }
    obligations(inv, rules, scenario, &active, &chosen, &mut viol);
    nesting(inv, &active, &chosen, &mut viol);
    let targets = targets(inv, scenario, &chosen, &mut viol);
    v.extend(decisions::verify(inv, decided, rows));
    if let (Some(rule), Some(resolved)) = (scenario.fairness(), &resolved) {
        v.extend(fairness::verify(inv, resolved, &rule, rows));
    }
    CheckReport {
        rows: rows.len(),
        active_lines: active.len(),
        targets,
        violations: v,
    }
}

/// The rules applied to every line with the decisions bound (`None` when a rule is missing).
/// Conflicting decisions are reported by `decisions::verify`, not here.
fn rules_with_decisions(
    inv: &Inventory,
    rules: &Rules,
    scenario: &Scenario,
    decided: &[crate::domain::Decision],
) -> Option<crate::rules::Resolved> {
    crate::rules::apply::resolve(inv, rules, scenario)
        .ok()
        .map(|mut r| {
            let _ = crate::rules::decide::apply(&mut r, inv, decided);
            r
        })
}

/// The descriptive cells of a row that differ from what the inventory, rules and scenario give,
/// each with the derived value (Chinese form, or English when `english`; either is accepted).
fn rederive<'r>(
    inv: &Inventory,
    scenario: &Scenario,
    rule: Option<&crate::rules::LineRule>,
    li: usize,
    r: &'r StatedRow,
    english: bool,
) -> Vec<(&'r Described, String)> {
    let line = &inv.lines[li];
    let ent = inv.enterprise_of(line);
    let grade = inv.industries.effective_grade(&ent.industry, ent.grade);
    let industry = inv.industries.by_code.get(&ent.industry);
    let k = r.level.index();
    let declared = r
        .measure
        .declared
        .as_ref()
        .and_then(|code| inv.options.get(&line.id)?.iter().find(|o| &o.code == code));
    let base_elec = line.baseline_electricity().0;
    let electricity = match declared {
        Some(o) => base_elec * o.electricity.0,
        None => {
            let f = r.measure.limit.0;
            base_elec * (1.0 - f * (1.0 - scenario.options.stop_electricity))
        }
    };
    let share = if base_elec > 0.0 {
        electricity / base_elec
    } else {
        1.0
    };
    let text = declared.map(|o| o.text.as_str());
    let mut out = Vec::new();
    for d in &r.described {
        // Accepted forms (Chinese, English) and decimals for numbers.
        let (forms, decimals): (Vec<String>, Option<(f64, usize)>) = match d.key {
            "enterprise" => (vec![ent.name.clone()], None),
            "district" => (vec![ent.district.clone()], None),
            "industry" => (
                industry
                    .map(|i| vec![i.name_zh.clone(), i.name_en.clone()])
                    .unwrap_or_else(|| vec![ent.industry.clone()]),
                None,
            ),
            "grade" => (
                vec![grade.label().to_string(), grade.label_en().to_string()],
                None,
            ),
            "line_name" => (vec![line.name.clone()], None),
            "process" => (vec![line.process.clone()], None),
            "measure" => (vec![r.measure.text_zh(text), r.measure.text_en(text)], None),
            "obligation" => match rule {
                Some(rule) => (vec![rule.obligation[k].clone()], None),
                None => continue,
            },
            "note" => match rule {
                Some(rule) => {
                    let notes: Vec<String> = rule
                        .notes
                        .iter()
                        .cloned()
                        .chain(rule.decided[k].iter().map(|d| d.note()))
                        .collect();
                    (vec![notes.join("；")], None)
                }
                None => continue,
            },
            "electricity" => (Vec::new(), Some((electricity, 1))),
            "electricity_share" => (Vec::new(), Some((share, 4))),
            _ => continue,
        };
        let ok = match decimals {
            Some((v, places)) => crate::validate::cells::parse_number(&d.value).is_some_and(|x| {
                (x - v).abs() <= 0.5 * 10f64.powi(-(places as i32)) * (1.0 + 1e-9) + 1e-9 * v.abs()
            }),
            None => forms.iter().any(|f| same_text(&d.value, f)),
        };
        if !ok {
            let derived = match decimals {
                Some((v, places)) => crate::plan::write::num(v, places),
                None => forms.get(usize::from(english)).unwrap_or(&forms[0]).clone(),
            };
            out.push((d, derived));
        }
    }
    out
}

/// A row of a plan file with a reason column whose measure is stricter than the rule minimum
/// but whose reason is empty. Reasons are the planner's words: any non-empty text passes.
fn missing_reason(
    inv: &Inventory,
    rule: Option<&crate::rules::LineRule>,
    li: usize,
    r: &StatedRow,
    eff: &Effect,
) -> bool {
    let (Some(rule), Some(reason)) = (rule, &r.reason) else {
        return false;
    };
    reason.trim().is_empty()
        && rule.above_minimum(
            r.level.index(),
            r.measure.limit.0,
            r.measure.declared.is_some(),
            eff.loss,
            inv.lines[li].baseline_value().0,
        )
}

/// A cell as written equals the derived text, allowing for the CSV reader's trimming and for
/// the apostrophe that neutralises a leading `=`, `+`, `-`, `@`, tab or CR in spreadsheets.
fn same_text(written: &str, derived: &str) -> bool {
    let derived = derived.trim();
    written == derived
        || (derived.starts_with(['=', '+', '-', '@', '\t', '\r'])
            && written
                .strip_prefix('\'')
                .is_some_and(|w| w.trim() == derived))
}

/// Each plan row's cuts as the checker re-derives them from its measure and the inventory's
/// baseline (the stated cuts where the measure cannot be derived, which `check` reports), as
/// (line id, level, cuts): what the station targets are verified on.
pub fn derived_cuts<'r>(inv: &Inventory, rows: &'r [StatedRow]) -> Vec<(&'r str, Level, [f64; 4])> {
    let lines = inv.line_positions();
    rows.iter()
        .map(|r| {
            let cut = lines
                .get(r.line_id.as_str())
                .and_then(|&li| effect(inv, li, r))
                .map_or(r.cut, |e| e.cut);
            (r.line_id.as_str(), r.level, cut)
        })
        .collect()
}

fn effect(inv: &Inventory, li: usize, r: &StatedRow) -> Option<Effect> {
    let line = &inv.lines[li];
    let scale = line.baseline_scale().0;
    let base: [f64; 4] = Pollutant::ALL.map(|p| line.emissions[p].0 * scale);
    let value = line.output_value.0 * scale;
    match &r.measure.declared {
        None => {
            let f = r.measure.limit.0;
            Some(Effect {
                cut: base.map(|b| b * f),
                loss: value * f,
                min_share: f,
                stop: f >= 1.0 - 1e-9,
            })
        }
        Some(code) => {
            let o = inv
                .options
                .get(&line.id)?
                .iter()
                .find(|o| &o.code == code)?;
            let shares = Pollutant::ALL.map(|p| o.cut[p].0);
            let min_share = Pollutant::ALL
                .iter()
                .filter(|p| base[p.index()] > 0.0)
                .map(|p| shares[p.index()])
                .fold(1.0, f64::min);
            Some(Effect {
                cut: [0, 1, 2, 3].map(|i| base[i] * shares[i]),
                loss: value * o.loss.0,
                min_share,
                stop: false,
            })
        }
    }
}

type Viol<'a> =
    dyn FnMut(&'static str, Option<usize>, Option<&str>, Option<&str>, Option<Level>, String) + 'a;

fn obligations(
    inv: &Inventory,
    rules: &Rules,
    scenario: &Scenario,
    active: &[usize],
    chosen: &BTreeMap<(usize, Level), (Effect, &StatedRow)>,
    viol: &mut Viol,
) {
    let lowest = scenario
        .options
        .limits
        .iter()
        .copied()
        .fold(1.0f64, f64::min);
    // Per enterprise: active lines, to check whole-line stop shares.
    let mut by_ent: BTreeMap<&CreditCode, Vec<usize>> = BTreeMap::new();
    for &li in active {
        by_ent
            .entry(&inv.lines[li].enterprise)
            .or_default()
            .push(li);
    }
    for (code, lis) in by_ent {
        let ent = &inv.enterprises[code];
        let ind = inv.industries.by_code.get(&ent.industry);
        let grade = match (ent.grade, ind) {
            (Grade::Unrated, Some(i)) if i.key => i.lowest_grade,
            (g, _) => g,
        };
        let cap = ent.guarantee_min_load.map(|m| 1.0 - m.0).unwrap_or(1.0);
        let mut need_limit = vec![0.0f64; lis.len()];
        let mut need_transport = Transport::None;
        // Whole-line stop shares demanded so far (nested: a level keeps the lower levels' shares).
        let mut need_shares: Vec<&crate::rules::Obligation> = Vec::new();
        for level in Level::ALL {
            let rule = if grade.is_voluntary() {
                None
            } else {
                rules.lookup(&ent.industry, ind.is_some_and(|i| i.key), grade, level)
            };
            if let Some(r) = rule {
                for (j, &li) in lis.iter().enumerate() {
                    let stop = r.obligation.limit.0 >= 1.0
                        || r.obligation.stop_processes.contains(&inv.lines[li].process);
                    need_limit[j] =
                        need_limit[j].max(if stop { 1.0 } else { r.obligation.limit.0 });
                }
                need_transport = need_transport.max(r.obligation.transport);
                if r.obligation.stop_line_share.0 > 0.0 {
                    // One share per counted set: the largest so far.
                    let same = |o: &&crate::rules::Obligation| {
                        o.stop_line_processes == r.obligation.stop_line_processes
                    };
                    match need_shares.iter_mut().find(|o| same(o)) {
                        Some(o) if o.stop_line_share.0 >= r.obligation.stop_line_share.0 => {}
                        Some(o) => *o = &r.obligation,
                        None => need_shares.push(&r.obligation),
                    }
                }
            } else if !grade.is_voluntary() {
                viol(
                    "obligation",
                    None,
                    None,
                    Some(code.as_str()),
                    Some(level),
                    format!(
                        "no rule for {} × {} × {}",
                        ent.industry,
                        grade.label(),
                        level.key()
                    ),
                );
            }
            let mut stopped = vec![false; lis.len()];
            for (j, &li) in lis.iter().enumerate() {
                let Some((eff, row)) = chosen.get(&(li, level)) else {
                    continue;
                };
                let m = &row.measure;
                let id = inv.lines[li].id.as_str();
                let limit = if m.declared.is_some() {
                    eff.min_share
                } else {
                    m.limit.0
                };
                stopped[j] = eff.stop;
                if ent.exempt.is_some() {
                    let demands_stop = need_limit[j] >= 1.0;
                    let allowed = if scenario.options.exempt_lowest_limit && demands_stop {
                        lowest
                    } else {
                        0.0
                    };
                    if m.declared.is_some()
                        || m.limit.0 > allowed + 1e-9
                        || m.limit.0 < allowed - 1e-9
                        || m.transport != Transport::None
                    {
                        viol(
                            "exempt",
                            Some(row.row),
                            Some(id),
                            Some(code.as_str()),
                            Some(level),
                            format!("exempt firm may not be controlled; found {}", row.code),
                        );
                    }
                    continue;
                }
                if grade.is_voluntary() {
                    if m.declared.is_some() || m.limit.0 > 1e-9 || m.transport != Transport::None {
                        viol(
                            "voluntary",
                            Some(row.row),
                            Some(id),
                            Some(code.as_str()),
                            Some(level),
                            format!(
                                "{} firm carries no mandatory measure; found {}",
                                grade.label(),
                                row.code
                            ),
                        );
                    }
                    continue;
                }
                let required = need_limit[j].min(cap);
                if limit < required - 1e-9 {
                    viol(
                        "obligation",
                        Some(row.row),
                        Some(id),
                        Some(code.as_str()),
                        Some(level),
                        format!(
                            "measure {} is weaker than the rule's minimum (limit {:.0}%)",
                            row.code,
                            required * 100.0
                        ),
                    );
                }
                if m.transport < need_transport {
                    viol(
                        "obligation",
                        Some(row.row),
                        Some(id),
                        Some(code.as_str()),
                        Some(level),
                        format!(
                            "transport restriction {} missing (rule requires {})",
                            need_transport.code(),
                            need_transport.code()
                        ),
                    );
                }
                if m.declared.is_none() && m.limit.0 > cap + 1e-9 {
                    viol("guarantee", Some(row.row), Some(id), Some(code.as_str()), Some(level), format!("保障类 firm limited by {:.0}%, its certified floor allows at most {:.0}%", m.limit.0 * 100.0, cap * 100.0));
                }
            }
            if ent.exempt.is_none() && !grade.is_voluntary() {
                for o in &need_shares {
                    stop_share(inv, code, level, &lis, &stopped, cap, o, viol);
                }
            }
        }
    }
}

/// One whole-line stop share at one level: of the enterprise's lines of the counted processes
/// (every line when the rule names none), enough are stopped.
#[allow(clippy::too_many_arguments)]
fn stop_share(
    inv: &Inventory,
    code: &CreditCode,
    level: Level,
    lis: &[usize],
    stopped: &[bool],
    cap: f64,
    o: &crate::rules::Obligation,
    viol: &mut Viol,
) {
    let counted: Vec<usize> = (0..lis.len())
        .filter(|&j| o.counts_line(&inv.lines[lis[j]].process))
        .collect();
    let n = counted.len();
    let stoppable = if cap >= 1.0 { n } else { 0 };
    let need = ((o.stop_line_share.0 * n as f64 - 1e-9).ceil() as usize).min(stoppable);
    let done = counted.iter().filter(|&&j| stopped[j]).count();
    if done < need {
        let what = if o.stop_line_processes.is_empty() {
            "lines".to_string()
        } else {
            format!("{} lines", o.stop_line_processes.join("|"))
        };
        viol(
            "stop-lines",
            None,
            None,
            Some(code.as_str()),
            Some(level),
            format!(
                "{done} of {n} {what} stopped; the rule requires {need} (stop {:.0}% counted in whole lines)",
                o.stop_line_share.0 * 100.0
            ),
        );
    }
}

fn nesting(
    inv: &Inventory,
    active: &[usize],
    chosen: &BTreeMap<(usize, Level), (Effect, &StatedRow)>,
    viol: &mut Viol,
) {
    for &li in active {
        for w in Level::ALL.windows(2) {
            let (Some((lo, _)), Some((hi, row))) =
                (chosen.get(&(li, w[0])), chosen.get(&(li, w[1])))
            else {
                continue;
            };
            let lo_t = chosen[&(li, w[0])].1.measure.transport;
            let weaker = (0..4).any(|q| hi.cut[q] < lo.cut[q] - 1e-9)
                || hi.loss < lo.loss - 1e-9
                || row.measure.transport < lo_t
                || (lo.stop && !hi.stop);
            if weaker {
                viol(
                    "nesting",
                    Some(row.row),
                    Some(&inv.lines[li].id),
                    None,
                    Some(w[1]),
                    format!(
                        "{} measure {} is weaker than the {} measure {}",
                        w[1].zh(),
                        row.code,
                        w[0].zh(),
                        chosen[&(li, w[0])].1.code
                    ),
                );
            }
        }
    }
}

fn targets(
    inv: &Inventory,
    scenario: &Scenario,
    chosen: &BTreeMap<(usize, Level), (Effect, &StatedRow)>,
    viol: &mut Viol,
) -> Vec<TargetCheck> {
    let mut out = Vec::new();
    let from_districts = inv.society_total();
    for level in Level::ALL {
        let credits = scenario.credit(level);
        let mut city = [0.0; 4];
        let mut district: BTreeMap<&str, [f64; 4]> = BTreeMap::new();
        let mut controlled = [0.0; 4];
        let mut controlled_base = [0.0; 4];
        for (&(li, l), (eff, _)) in chosen {
            if l != level {
                continue;
            }
            let ent = inv.enterprise_of(&inv.lines[li]);
            let d = district.entry(ent.district.as_str()).or_default();
            let is_controlled = ent.exempt.is_none()
                && !inv
                    .industries
                    .effective_grade(&ent.industry, ent.grade)
                    .is_voluntary();
            for q in 0..4 {
                city[q] += eff.cut[q];
                d[q] += eff.cut[q];
                if is_controlled {
                    controlled[q] += eff.cut[q];
                    controlled_base[q] += inv.lines[li].baseline_emissions().0[q].0;
                }
            }
        }
        let enforced = scenario.tonnage(level);
        let mut push = |name: String, required: f64, achieved: f64, viol: &mut Viol| {
            let met = crate::model::problem::reaches(achieved, required);
            if !met && enforced {
                viol(
                    "target",
                    None,
                    None,
                    None,
                    Some(level),
                    format!("{name}: achieved {achieved:.4} t/d < required {required:.4} t/d"),
                );
            }
            out.push(TargetCheck {
                row: name,
                required,
                achieved,
                met,
                not_enforced: !enforced,
            });
        };
        for p in Pollutant::ALL {
            let base = scenario
                .society
                .and_then(|s| s.get(p))
                .unwrap_or(from_districts[p].0);
            let required = scenario.ratio(level, p, None).0 * base;
            push(
                format!("target:{}:{}:city", level.key(), p.label()),
                required,
                city[p.index()] + credits[p].0,
                viol,
            );
        }
        if scenario.districts.enforce {
            for d in inv.districts.values() {
                for p in Pollutant::ALL {
                    let share = if from_districts[p].0 > 0.0 {
                        d.society[p].0 / from_districts[p].0
                    } else {
                        0.0
                    };
                    let required = scenario.ratio(level, p, Some(&d.name)).0 * d.society[p].0;
                    let got = district
                        .get(d.name.as_str())
                        .map(|c| c[p.index()])
                        .unwrap_or(0.0)
                        + credits[p].0 * share;
                    push(
                        format!("target:{}:{}:{}", level.key(), p.label(), d.name),
                        required,
                        got,
                        viol,
                    );
                }
            }
        }
        if let Some(c) = &scenario.controlled_min_cut {
            for p in Pollutant::ALL {
                if let Some(ratio) = c.get(level).get(p) {
                    push(
                        format!("target:{}:{}:controlled", level.key(), p.label()),
                        ratio * controlled_base[p.index()],
                        controlled[p.index()],
                        viol,
                    );
                }
            }
        }
    }
    out
}
