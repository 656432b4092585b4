//! One verdict per line from four sources: electricity (用电监控), online monitoring (在线监测),
//! operating status (工况监控) and the gate log (门禁记录).
//!
//! A measure has a production part (stop or limit), verified by electricity, CEMS and status, and
//! a transport part (T4/T0), verified by the gate log only. Each source judges alone:
//! - a **limit** by the share test of [`super::stats`] on the line's signal (electricity against
//!   核查用电比例; CEMS emission rate and status load against 1 − limit);
//! - a **stop** by electricity's share test and by the hours the line ran in the warning: CEMS flow
//!   not flagged F at ≥ 20 % of its baseline, or a status load ≥ 20 % of rated load, for at least
//!   3 hours, is a finding (a stopped line's residual signal never comes near);
//! - a **transport** restriction by banned trucks in the gate log.
//!
//! The production part is likely non-compliant when any source finds so (all such sources are
//! named), compliant when none does and at least one confirms it, and insufficient data when no
//! source could judge; the line's verdict is the worse of the production and transport parts.
//! Every statistical test runs at α / (number of tests on the line), so a compliant line is
//! flagged on noise alone with probability at most α.

use super::cems::{CemsData, CemsHour};
use super::evidence::{stop_verdict, window_load, SourceVerdict, RUNNING_SHARE};
use super::gates::GateLog;
use super::status::StatusData;
use super::{share_source, share_stats, LineAudit, Noun, Settings, Verdict};
use crate::domain::Measure;
use std::collections::BTreeMap;

/// The evidence of an audit beside the meters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Evidence<'a> {
    /// Truck gate log.
    pub gates: Option<&'a GateLog>,
    /// Online monitoring.
    pub cems: Option<&'a CemsData>,
    /// Operating status.
    pub status: Option<&'a StatusData>,
}

/// The sources, in the order reasons name them.
pub const SOURCES: [&str; 4] = ["electricity", "cems", "status", "gate_log"];

/// Count key of the lines a source found likely non-compliant.
pub fn flagged_key(source: &str) -> &'static str {
    match source {
        "electricity" => "flagged_by_electricity",
        "cems" => "flagged_by_cems",
        "status" => "flagged_by_status",
        _ => "flagged_by_gate_log",
    }
}

/// `a+b` without repeats, in [`SOURCES`] order.
pub fn join_sources(a: &str, b: &str) -> String {
    let has = |s: &str| a.split('+').chain(b.split('+')).any(|x| x == s);
    let v: Vec<&str> = SOURCES.iter().copied().filter(|s| has(s)).collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join("+")
    }
}

/// What a production measure asks of load and emission rate.
enum Ask {
    /// Stop: near zero.
    Stop,
    /// Down to this share of the baseline.
    Share(f64),
}

fn ask(measure: Option<&Measure>, electricity_share: f64) -> Ask {
    match measure {
        Some(m) if m.is_stop() => Ask::Stop,
        Some(m) if m.declared.is_none() && m.limit.0 > 1e-9 => Ask::Share(1.0 - m.limit.0),
        _ => Ask::Share(electricity_share),
    }
}

/// Statistical tests CEMS and status run on a line (besides electricity's).
pub fn statistical_tests(ev: &Evidence, id: &str, measure: Option<&Measure>) -> usize {
    if matches!(ask(measure, 1.0), Ask::Stop) {
        return 0;
    }
    let cems = ev.cems.is_some_and(|c| c.lines.contains_key(id));
    let status = ev.status.is_some_and(|s| s.with_load.contains(id));
    usize::from(cems) + usize::from(status)
}

const CEMS_RATE: Noun = Noun {
    data: "在线监测",
    what: "排放速率",
};
const STATUS_LOAD: Noun = Noun {
    data: "工况",
    what: "工况负荷",
};

/// Mean of the values of `hours` inside `w`.
fn mean_in(hours: &[(i64, f64)], w: (i64, i64)) -> Option<f64> {
    let l = window_load(hours, w);
    l.mean_kw()
}

/// The verdicts of CEMS and status on a line (their faults added to `faults`).
pub fn monitoring_sources(
    ev: &Evidence,
    id: &str,
    measure: Option<&Measure>,
    electricity_share: f64,
    s: &Settings,
    faults: &mut BTreeMap<&'static str, usize>,
) -> Vec<SourceVerdict> {
    let ask = ask(measure, electricity_share);
    let warning_hours = (s.warning.1 - s.warning.0) as f64 / super::time::HOUR_MS as f64;
    let mut out = Vec::new();
    if let Some(c) = ev.cems {
        if let Some(f) = c.faults.get(id) {
            *faults.entry("cems_fault_hours").or_default() += f.get("fault_hours").unwrap_or(&0);
            *faults.entry("cems_duplicates").or_default() += f.get("duplicates").unwrap_or(&0);
        }
        if let Some(h) = c.lines.get(id) {
            out.push(cems_verdict(h, &ask, s, warning_hours));
        }
    }
    if let Some(st) = ev.status {
        if let Some(h) = st.lines.get(id) {
            out.push(match ask {
                Ask::Stop => {
                    let inside: Vec<f64> = h
                        .iter()
                        .filter(|(t, _)| *t >= s.warning.0 && *t < s.warning.1)
                        .map(|x| x.1)
                        .collect();
                    let running = inside.iter().filter(|&&v| v >= RUNNING_SHARE).count();
                    let observed = match (mean_in(h, s.warning), mean_in(h, s.baseline)) {
                        (Some(w), Some(b)) if b > 0.0 => Some(w / b),
                        _ => None,
                    };
                    stop_verdict(
                        "status",
                        "running_hours",
                        "工况负荷",
                        running,
                        inside.len(),
                        warning_hours,
                        observed,
                        s.min_coverage,
                    )
                }
                Ask::Share(e) if st.with_load.contains(id) => {
                    let (b, w) = (window_load(h, s.baseline), window_load(h, s.warning));
                    share_source(
                        "status",
                        "load",
                        &share_stats(&[(&b, &w)], s),
                        e,
                        s,
                        &STATUS_LOAD,
                    )
                }
                Ask::Share(_) => SourceVerdict::bare(
                    "status",
                    "load",
                    Verdict::NotVerifiable,
                    "工况仅有开停信号，无法核查限产比例".into(),
                ),
            });
        }
    }
    out
}

/// CEMS on one line: the flow of a stop, the emission rate of a limit.
fn cems_verdict(
    h: &[(i64, CemsHour)],
    ask: &Ask,
    s: &Settings,
    warning_hours: f64,
) -> SourceVerdict {
    match ask {
        Ask::Stop => {
            let flow: Vec<(i64, f64)> = h.iter().map(|(t, x)| (*t, x.flow)).collect();
            let Some(base) = mean_in(&flow, s.baseline).filter(|b| *b > 0.0) else {
                return SourceVerdict::bare(
                    "cems",
                    "flow",
                    Verdict::InsufficientData,
                    "在线监测基准期无烟气流量，无法比较".into(),
                );
            };
            let inside: Vec<&(i64, CemsHour)> = h
                .iter()
                .filter(|(t, _)| *t >= s.warning.0 && *t < s.warning.1)
                .collect();
            let running = inside
                .iter()
                .filter(|(_, x)| !x.stopped && x.flow >= RUNNING_SHARE * base)
                .count();
            stop_verdict(
                "cems",
                "running_hours",
                "烟气流量",
                running,
                inside.len(),
                warning_hours,
                mean_in(&flow, s.warning).map(|w| w / base),
                s.min_coverage,
            )
        }
        Ask::Share(e) => {
            let rate: Vec<(i64, f64)> = h.iter().map(|(t, x)| (*t, x.rate)).collect();
            let (b, w) = (
                window_load(&rate, s.baseline),
                window_load(&rate, s.warning),
            );
            share_source(
                "cems",
                "emission_rate",
                &share_stats(&[(&b, &w)], s),
                *e,
                s,
                &CEMS_RATE,
            )
        }
    }
}

/// Short Chinese name of a source in reasons.
fn label(source: &str) -> &'static str {
    match source {
        "electricity" => "电表",
        "cems" => "在线监测",
        "status" => "工况",
        _ => "门禁",
    }
}

/// The production part's verdict and the sources that decided it (`None` without sources).
fn production_verdict(p: &[SourceVerdict]) -> Option<(Verdict, String)> {
    if p.is_empty() {
        return None;
    }
    for v in [
        Verdict::LikelyNonCompliant,
        Verdict::Compliant,
        Verdict::InsufficientData,
    ] {
        let by: Vec<&str> = p
            .iter()
            .filter(|e| e.verdict == v)
            .map(|e| e.source)
            .collect();
        if !by.is_empty() {
            return Some((v, join_sources(&by.join("+"), "")));
        }
    }
    Some((Verdict::NotVerifiable, "none".into()))
}

/// Set a line's verdict, deciding sources and reason from its production sources and gate log.
pub fn fuse(row: &mut LineAudit, production: Vec<SourceVerdict>, gate: Option<SourceVerdict>) {
    let labelled = |e: &SourceVerdict| format!("{}：{}", label(e.source), e.reason);
    match production_verdict(&production) {
        None => {
            let g = gate.as_ref().expect("a line with evidence");
            row.verdict = g.verdict.max(Verdict::InsufficientData);
            row.decided_by = "gate_log".into();
            row.reason = format!("无电表、在线监测或工况数据；{}", labelled(g));
        }
        Some((v, by)) => {
            row.verdict = v;
            row.decided_by = by;
            row.reason = if production.len() == 1 && gate.is_none() {
                production[0].reason.clone()
            } else {
                let parts: Vec<String> =
                    production.iter().chain(gate.iter()).map(labelled).collect();
                parts.join("；")
            };
            if let Some(g) = &gate {
                if g.verdict > v {
                    row.verdict = g.verdict;
                    row.decided_by = "gate_log".into();
                }
            }
        }
    }
    row.evidence = production;
    row.evidence.extend(gate);
}
