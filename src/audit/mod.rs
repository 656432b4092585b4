//! Electricity-based compliance audit (seed item 36, 智能甄别): for every line on the list, the
//! metered load during a warning against a pre-warning baseline, compared with the load its
//! measure should leave (核查用电比例), with a verdict and the numbers behind it.

pub mod meters;
pub mod series;
pub mod time;

use crate::diff::listing::Listing;
use crate::domain::summary::round6;
use crate::domain::Level;
use serde::Serialize;
use std::collections::BTreeMap;

/// The verdict on one line or enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The load fell as the measure requires.
    Compliant,
    /// Not enough data to judge (gaps, no baseline, drop within the meter's noise).
    InsufficientData,
    /// The load did not fall as the measure requires.
    LikelyNonCompliant,
}

impl Verdict {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Verdict::Compliant => "合规",
            Verdict::InsufficientData => "数据不足",
            Verdict::LikelyNonCompliant => "疑似未落实",
        }
    }
}

/// Audit settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Level audited.
    pub level: Level,
    /// Baseline window (UTC ms, half-open).
    pub baseline: (i64, i64),
    /// Warning window.
    pub warning: (i64, i64),
    /// A line complies when its load fell by at least this share of the expected drop.
    pub min_share: f64,
    /// Each window needs data for at least this share of its hours.
    pub min_coverage: f64,
    /// A shortfall must exceed this many standard errors to be called non-compliant.
    pub z: f64,
}

/// One audited line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineAudit {
    /// Line id.
    pub line_id: String,
    /// Enterprise credit code.
    pub credit_code: String,
    /// Meters of the line.
    pub meters: Vec<String>,
    /// Measure at the level.
    pub measure: String,
    /// Expected load as a share of baseline (核查用电比例).
    pub expected_share: f64,
    /// Baseline mean load (kW).
    pub baseline_kw: Option<f64>,
    /// Warning mean load (kW).
    pub warning_kw: Option<f64>,
    /// Warning / baseline.
    pub observed_share: Option<f64>,
    /// Standard error of the observed share.
    pub standard_error: Option<f64>,
    /// Share of the baseline window's hours with data.
    pub baseline_coverage: f64,
    /// Share of the warning window's hours with data.
    pub warning_coverage: f64,
    /// Data faults met (duplicates, resets, rollovers, gaps).
    pub faults: BTreeMap<&'static str, usize>,
    /// Verdict.
    pub verdict: Verdict,
    /// Why.
    pub reason: String,
}

/// The whole audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditReport {
    /// `audit`.
    pub kind: &'static str,
    /// Level audited.
    pub level: Level,
    /// Baseline window (local time).
    pub baseline: [String; 2],
    /// Warning window (local time).
    pub warning: [String; 2],
    /// Counts by verdict, plus lines without a required drop and meters not on the list.
    pub counts: BTreeMap<&'static str, usize>,
    /// Rows read from the meter file.
    pub rows_read: usize,
    /// Per line, non-compliant first.
    pub lines: Vec<LineAudit>,
    /// Per enterprise: its worst line verdict.
    pub enterprises: BTreeMap<String, Verdict>,
}

fn r4(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

/// Audit the lines of a list against meter data.
pub fn audit(
    plan: &Listing,
    data: &meters::MeterData,
    loads: &[series::MeterLoads],
    s: &Settings,
) -> AuditReport {
    let k = s.level.index();
    let hours = |w: (i64, i64)| (w.1 - w.0) as f64 / time::HOUR_MS as f64;
    let mut by_line: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut unknown = 0;
    for (m, line) in data.line_of.iter().enumerate() {
        if plan.lines.contains_key(line) {
            by_line.entry(line.as_str()).or_default().push(m);
        } else {
            unknown += 1;
        }
    }
    let mut lines = Vec::new();
    let mut no_drop = 0;
    let mut no_meter = 0;
    for (id, l) in &plan.lines {
        let expected = l.electricity_share[k].unwrap_or(1.0);
        if expected >= 0.999 {
            no_drop += 1;
            continue;
        }
        let Some(ms) = by_line.get(id.as_str()) else {
            no_meter += 1;
            continue;
        };
        let mut faults: BTreeMap<&'static str, usize> = BTreeMap::new();
        let (mut base, mut warn, mut var_b, mut var_w) = (0.0, 0.0, 0.0, 0.0);
        let (mut cov_b, mut cov_w) = (f64::INFINITY, f64::INFINITY);
        for &m in ms {
            let ld = &loads[m];
            for (name, v) in [
                ("duplicates", ld.duplicates),
                ("conflicting_duplicates", ld.conflicting),
                ("resets", ld.resets),
                ("rollovers", ld.rollovers),
                ("gaps", ld.gaps),
            ] {
                *faults.entry(name).or_default() += v;
            }
            base += ld.baseline.mean_kw().unwrap_or(0.0);
            warn += ld.warning.mean_kw().unwrap_or(0.0);
            var_b += ld.baseline.std_kw.powi(2) / ld.baseline.buckets.max(1) as f64;
            var_w += ld.warning.std_kw.powi(2) / ld.warning.buckets.max(1) as f64;
            cov_b = cov_b.min(ld.baseline.hours / hours(s.baseline));
            cov_w = cov_w.min(ld.warning.hours / hours(s.warning));
        }
        let observed = (base > 0.0).then(|| warn / base);
        let se = observed
            .map(|r| r * ((var_w / warn.max(1e-12).powi(2)) + (var_b / base.powi(2))).sqrt());
        let drop_expected = 1.0 - expected;
        let (verdict, reason) = match (observed, se) {
            _ if cov_b < s.min_coverage || cov_w < s.min_coverage => (
                Verdict::InsufficientData,
                format!(
                    "数据覆盖不足：基准期 {:.0}%，预警期 {:.0}%（需 ≥ {:.0}%）",
                    cov_b * 100.0,
                    cov_w * 100.0,
                    s.min_coverage * 100.0
                ),
            ),
            (Some(r), Some(se)) => {
                let drop = 1.0 - r;
                if drop >= s.min_share * drop_expected {
                    (
                        Verdict::Compliant,
                        format!(
                            "用电下降 {:.1}%，要求下降 {:.1}%",
                            drop * 100.0,
                            drop_expected * 100.0
                        ),
                    )
                } else if r - expected > s.z * se {
                    (
                        Verdict::LikelyNonCompliant,
                        format!(
                            "用电仅下降 {:.1}%，措施要求下降 {:.1}%（差 {:.1} 个标准误）",
                            drop * 100.0,
                            drop_expected * 100.0,
                            (r - expected) / se.max(1e-12)
                        ),
                    )
                } else {
                    (
                        Verdict::InsufficientData,
                        format!(
                            "用电下降 {:.1}% 低于要求 {:.1}%，但在电表噪声范围内（标准误 {:.1}%）",
                            drop * 100.0,
                            drop_expected * 100.0,
                            se * 100.0
                        ),
                    )
                }
            }
            _ => (
                Verdict::InsufficientData,
                "基准期无用电，无法比较".to_string(),
            ),
        };
        lines.push(LineAudit {
            line_id: id.clone(),
            credit_code: l.credit_code.clone(),
            meters: ms.iter().map(|&m| data.meters[m].clone()).collect(),
            measure: l.code(k),
            expected_share: r4(expected),
            baseline_kw: observed.map(|_| round6(base)),
            warning_kw: observed.map(|_| round6(warn)),
            observed_share: observed.map(r4),
            standard_error: se.map(r4),
            baseline_coverage: r4(cov_b.min(1.0)),
            warning_coverage: r4(cov_w.min(1.0)),
            faults,
            verdict,
            reason,
        });
    }
    lines.sort_by(|a, b| b.verdict.cmp(&a.verdict).then(a.line_id.cmp(&b.line_id)));
    let mut enterprises: BTreeMap<String, Verdict> = BTreeMap::new();
    for l in &lines {
        let e = enterprises
            .entry(l.credit_code.clone())
            .or_insert(Verdict::Compliant);
        *e = (*e).max(l.verdict);
    }
    let mut counts = BTreeMap::new();
    for v in [
        Verdict::LikelyNonCompliant,
        Verdict::InsufficientData,
        Verdict::Compliant,
    ] {
        let key = match v {
            Verdict::LikelyNonCompliant => "likely_non_compliant",
            Verdict::InsufficientData => "insufficient_data",
            Verdict::Compliant => "compliant",
        };
        counts.insert(key, lines.iter().filter(|l| l.verdict == v).count());
    }
    counts.insert(
        "enterprises_likely_non_compliant",
        enterprises
            .values()
            .filter(|v| **v == Verdict::LikelyNonCompliant)
            .count(),
    );
    counts.insert("lines_without_required_drop", no_drop);
    counts.insert("lines_without_meter", no_meter);
    counts.insert("meters_not_on_list", unknown);
    AuditReport {
        kind: "audit",
        level: s.level,
        baseline: [time::format(s.baseline.0), time::format(s.baseline.1)],
        warning: [time::format(s.warning.0), time::format(s.warning.1)],
        counts,
        rows_read: data.rows_read,
        lines,
        enterprises,
    }
}
