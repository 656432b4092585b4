//! Electricity-based compliance audit (seed item 36, 智能甄别): for every line on the list, the
//! metered load during a warning against a pre-warning baseline, compared with the load its
//! measure should leave (核查用电比例), with a verdict and the numbers behind it.

pub mod cems;
pub mod evidence;
pub mod fusion;
pub mod gates;
pub mod meters;
pub mod series;
pub mod status;
pub mod time;
pub mod warnings;

use evidence::{r4, SourceVerdict};

use crate::diff::listing::Listing;
use crate::domain::summary::round6;
use crate::domain::{Level, Transport};
use serde::Serialize;
use std::collections::BTreeMap;

/// The verdict on one line or enterprise, mildest first (an enterprise takes its worst line's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The load fell as the measure requires.
    Compliant,
    /// The measure is one the evidence read cannot verify (a truck ban judged by electricity).
    NotVerifiable,
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
            Verdict::NotVerifiable => "用电无法核查",
            Verdict::InsufficientData => "数据不足",
            Verdict::LikelyNonCompliant => "疑似未落实",
        }
    }

    /// English label.
    pub fn en(self) -> &'static str {
        match self {
            Verdict::Compliant => "compliant",
            Verdict::NotVerifiable => "not verifiable by electricity",
            Verdict::InsufficientData => "insufficient data",
            Verdict::LikelyNonCompliant => "likely non-compliant",
        }
    }

    /// Key used in json counts.
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Compliant => "compliant",
            Verdict::NotVerifiable => "not_verifiable",
            Verdict::InsufficientData => "insufficient_data",
            Verdict::LikelyNonCompliant => "likely_non_compliant",
        }
    }

    /// All verdicts, worst first.
    pub const WORST_FIRST: [Verdict; 4] = [
        Verdict::LikelyNonCompliant,
        Verdict::InsufficientData,
        Verdict::NotVerifiable,
        Verdict::Compliant,
    ];
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
    /// False-alarm rate of the test on one compliant line (one-sided; see [`stats`]).
    pub alpha: f64,
}

/// Default false-alarm rate per compliant line: 10⁻⁴, about one false finding per audit of a
/// 10,000-line list such as Wuxi's (with fewer, inspectors would chase noise).
pub const DEFAULT_ALPHA: f64 = 1e-4;

/// One audited line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineAudit {
    /// Line id.
    pub line_id: String,
    /// Line name.
    pub line_name: String,
    /// Enterprise credit code.
    pub credit_code: String,
    /// Enterprise name.
    pub enterprise: String,
    /// District.
    pub district: String,
    /// Meters of the line.
    pub meters: Vec<String>,
    /// Measure at the level.
    pub measure: String,
    /// What evidence verifies the measure (plain Chinese).
    pub verified_by: String,
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
    /// (observed − expected) / standard error.
    pub t_statistic: Option<f64>,
    /// Value the statistic must exceed for a finding at the false-alarm rate.
    pub critical_value: Option<f64>,
    /// Share of the baseline window's hours with data.
    pub baseline_coverage: f64,
    /// Share of the warning window's hours with data.
    pub warning_coverage: f64,
    /// Data faults met (duplicates, resets, rollovers, gaps).
    pub faults: BTreeMap<&'static str, usize>,
    /// Sources that decided the verdict (`electricity`, `cems`, `status`, `gate_log`, joined
    /// by `+`; `none`).
    pub decided_by: String,
    /// Verdict.
    pub verdict: Verdict,
    /// Why.
    pub reason: String,
    /// What each source said, with its numbers.
    pub evidence: Vec<SourceVerdict>,
}

/// One enterprise: its worst line verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnterpriseAudit {
    /// Credit code.
    pub credit_code: String,
    /// Name.
    pub enterprise: String,
    /// District.
    pub district: String,
    /// Worst line verdict.
    pub verdict: Verdict,
    /// Sources that decided its worst lines' verdicts (joined by `+`).
    pub decided_by: String,
    /// Lines audited.
    pub lines: usize,
    /// Lines likely non-compliant.
    pub lines_non_compliant: usize,
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
    /// Where the warning window came from (`--window`, or the record's file and row).
    pub warning_source: String,
    /// False-alarm rate per compliant line.
    pub false_alarm_rate: f64,
    /// Counts by verdict, plus lines without a required drop and meters not on the list.
    pub counts: BTreeMap<&'static str, usize>,
    /// Rows read from the meter file.
    pub rows_read: usize,
    /// Per line, worst first, then by district and enterprise.
    pub lines: Vec<LineAudit>,
    /// Per enterprise, worst first, then by district.
    pub enterprises: Vec<EnterpriseAudit>,
}

/// Statistics of the electricity test.
///
/// The observed share r = W / B (mean load in the warning over mean load in the baseline) is
/// compared with the expected share e (核查用电比例). Hours are not independent (a daily cycle,
/// day-to-day swings), so the spread is measured on whole days: each window is cut into 24-hour
/// blocks from its start, every block a full daily cycle, and the pooled relative spread s of the
/// block means about their window's mean (n_b + n_w − 2 degrees of freedom) gives the standard
/// error se = r · s · √(1/n_b + 1/n_w), never below the hourly estimate. The line is flagged when
/// t = (r − e) / se exceeds Student's t quantile at 1 − α **and** the drop is below `min_share` of
/// the required one: under a compliant line (r ≤ e) the first alone fires with probability ≤ α.
pub mod stats {
    /// Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
    pub fn normal_quantile(p: f64) -> f64 {
        const A: [f64; 6] = [
            -3.969_683_028_665_376e1,
            2.209_460_984_245_205e2,
            -2.759_285_104_469_687e2,
            1.383_577_518_672_69e2,
            -3.066_479_806_614_716e1,
            2.506_628_277_459_239,
        ];
        const B: [f64; 5] = [
            -5.447_609_879_822_406e1,
            1.615_858_368_580_409e2,
            -1.556_989_798_598_866e2,
            6.680_131_188_771_972e1,
            -1.328_068_155_288_572e1,
        ];
        const C: [f64; 6] = [
            -7.784_894_002_430_293e-3,
            -3.223_964_580_411_365e-1,
            -2.400_758_277_161_838,
            -2.549_732_539_343_734,
            4.374_664_141_464_968,
            2.938_163_982_698_783,
        ];
        const D: [f64; 4] = [
            7.784_695_709_041_462e-3,
            3.224_671_290_700_398e-1,
            2.445_134_137_142_996,
            3.754_408_661_907_416,
        ];
        let p = p.clamp(1e-300, 1.0 - 1e-16);
        let tail = |q: f64| {
            (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
                / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
        };
        if p < 0.02425 {
            tail((-2.0 * p.ln()).sqrt())
        } else if p > 1.0 - 0.02425 {
            -tail((-2.0 * (1.0 - p).ln()).sqrt())
        } else {
            let q = p - 0.5;
            let r = q * q;
            (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
                / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
        }
    }

    /// Student's t quantile at `1 − alpha` with `df` degrees of freedom (Cornish–Fisher
    /// expansion; within 1 % of the exact value for df ≥ 3 and alpha ≥ 1e-4).
    pub fn t_critical(alpha: f64, df: f64) -> f64 {
        let z = normal_quantile(1.0 - alpha);
        let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
        z + (z3 + z) / (4.0 * df)
            + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df)
            + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3))
            + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z)
                / (92160.0 * df.powi(4))
    }

    /// Pooled relative spread of block means about their window's mean, with its degrees of
    /// freedom (`None` with fewer than two blocks in all or none in a window).
    pub fn pooled_block_spread(baseline: &[f64], warning: &[f64]) -> Option<(f64, f64)> {
        let (nb, nw) = (baseline.len(), warning.len());
        if nb == 0 || nw == 0 || nb + nw < 4 {
            return None;
        }
        let dev = |xs: &[f64]| -> Option<f64> {
            let m = xs.iter().sum::<f64>() / xs.len() as f64;
            (m > 0.0).then(|| xs.iter().map(|x| (x / m - 1.0).powi(2)).sum())
        };
        let ss = dev(baseline)? + dev(warning)?;
        let df = (nb + nw - 2) as f64;
        Some(((ss / df).sqrt(), df))
    }
}

/// Blocks with at least this many hours of data count in the day-to-day spread.
const MIN_BLOCK_HOURS: f64 = 12.0;

/// A line's block mean loads (kW) in one window: blocks every meter has data for, summed.
fn line_blocks(windows: &[&series::WindowLoad]) -> Vec<f64> {
    let mut out: BTreeMap<i64, (f64, usize)> = BTreeMap::new();
    for w in windows {
        for &(b, e, h) in &w.blocks {
            if h >= MIN_BLOCK_HOURS {
                let x = out.entry(b).or_default();
                x.0 += e / h;
                x.1 += 1;
            }
        }
    }
    out.into_values()
        .filter(|&(_, n)| n == windows.len())
        .map(|(kw, _)| kw)
        .collect()
}

/// `下降 12.3%` or `上升 4.0%`.
fn change_zh(drop: f64) -> String {
    if drop >= 0.0 {
        format!("下降 {:.1}%", drop * 100.0)
    } else {
        format!("不降反升 {:.1}%", -drop * 100.0)
    }
}

/// What evidence verifies a measure (plain Chinese), as the list's 核查指标 column and the audit
/// say it: stop → near-zero electricity, load and flue-gas flow; limit → electricity, load and
/// emission rate down by the limit; T4 → no China-IV-or-older heavy trucks in the gate log; T0 →
/// no road trucks in the gate log.
pub fn evidence_zh(m: &crate::domain::Measure) -> String {
    use crate::domain::measure::Transport;
    let mut parts: Vec<&str> = Vec::new();
    if m.declared.is_some() {
        parts.push("按申报措施：用电量降至核查用电量以下，工况负荷与在线监测排放速率相应下降");
    } else if m.is_stop() {
        parts.push("停产：用电量降至停产水平，工况停机，在线监测烟气流量接近零");
    } else if m.limit.0 > 1e-9 {
        parts.push("限产：用电量、工况负荷和在线监测排放速率按限产比例下降");
    }
    match m.transport {
        Transport::BanGuoSi => parts.push("门禁记录中无国四及以下重型柴油货车进出"),
        Transport::NoRoad => parts.push("门禁记录中无公路运输货车进出"),
        Transport::None => {}
    }
    if parts.is_empty() {
        "自愿减排，无强制核查指标".into()
    } else {
        parts.join("；")
    }
}

/// Whether a measure's only obligation is a transport restriction (nothing electricity shows).
fn transport_only(m: Option<&crate::domain::Measure>, expected: f64) -> bool {
    m.is_some_and(|m| m.transport != crate::domain::measure::Transport::None && expected >= 0.999)
}

/// Means, spread and coverage of a line's signal in the two windows (electricity, emission
/// rate or load; summed over the line's meters or outlets).
struct Electric {
    base: f64,
    warn: f64,
    se: Option<f64>,
    crit: f64,
    cov_b: f64,
    cov_w: f64,
    faults: BTreeMap<&'static str, usize>,
}

/// Sum a line's meters and measure the spread of its loads (see [`stats`]).
fn electric(ms: &[usize], loads: &[series::MeterLoads], s: &Settings) -> Electric {
    let mut faults: BTreeMap<&'static str, usize> = BTreeMap::new();
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
    }
    let parts: Vec<(&series::WindowLoad, &series::WindowLoad)> = ms
        .iter()
        .map(|&m| (&loads[m].baseline, &loads[m].warning))
        .collect();
    Electric {
        faults,
        ..share_stats(&parts, s)
    }
}

/// The statistics of [`stats`] on a signal summed over its parts (baseline, warning).
fn share_stats(parts: &[(&series::WindowLoad, &series::WindowLoad)], s: &Settings) -> Electric {
    let hours = |w: (i64, i64)| (w.1 - w.0) as f64 / time::HOUR_MS as f64;
    let (mut base, mut warn, mut var_b, mut var_w) = (0.0, 0.0, 0.0, 0.0);
    let (mut cov_b, mut cov_w) = (f64::INFINITY, f64::INFINITY);
    for (b, w) in parts {
        base += b.mean_kw().unwrap_or(0.0);
        warn += w.mean_kw().unwrap_or(0.0);
        var_b += b.std_kw.powi(2) / b.buckets.max(1) as f64;
        var_w += w.std_kw.powi(2) / w.buckets.max(1) as f64;
        cov_b = cov_b.min(b.hours / hours(s.baseline));
        cov_w = cov_w.min(w.hours / hours(s.warning));
    }
    let b: Vec<&series::WindowLoad> = parts.iter().map(|p| p.0).collect();
    let w: Vec<&series::WindowLoad> = parts.iter().map(|p| p.1).collect();
    let spread = stats::pooled_block_spread(&line_blocks(&b), &line_blocks(&w));
    let (mut se, mut crit) = (None, stats::normal_quantile(1.0 - s.alpha));
    if base > 0.0 {
        let r = warn / base;
        let hourly = r * ((var_w / warn.max(1e-12).powi(2)) + (var_b / base.powi(2))).sqrt();
        let mut e = hourly;
        if let Some((sd, df)) = spread {
            let (nb, nw) = (line_blocks(&b).len() as f64, line_blocks(&w).len() as f64);
            e = e.max(r * sd * (1.0 / nb + 1.0 / nw).sqrt());
            crit = stats::t_critical(s.alpha, df.max(3.0));
        }
        // Meters resolve about 0.1 % of a load: a spread below it is rounding, not precision.
        se = Some(e.max(1e-3 * r));
    }
    Electric {
        base,
        warn,
        se,
        crit,
        cov_b,
        cov_w,
        faults: BTreeMap::new(),
    }
}

/// How a source's data and signal are named in reasons (电表 / 用电, 在线监测 / 排放速率, …).
struct Noun {
    data: &'static str,
    what: &'static str,
}

const ELECTRICITY: Noun = Noun {
    data: "电表",
    what: "用电",
};

/// The verdict of a share test on a line with a required drop.
fn share_verdict(
    x: &Electric,
    expected: f64,
    s: &Settings,
    n: &Noun,
) -> (Verdict, String, Option<f64>) {
    let drop_expected = 1.0 - expected;
    if x.cov_b < s.min_coverage || x.cov_w < s.min_coverage {
        return (
            Verdict::InsufficientData,
            format!(
                "{}数据覆盖不足：基准期 {:.0}%，预警期 {:.0}%（需 ≥ {:.0}%）",
                n.data,
                x.cov_b * 100.0,
                x.cov_w * 100.0,
                s.min_coverage * 100.0
            ),
            None,
        );
    }
    let (Some(se), true) = (x.se, x.base > 0.0) else {
        return (
            Verdict::InsufficientData,
            format!("基准期无{}，无法比较", n.what),
            None,
        );
    };
    let r = x.warn / x.base;
    let drop = 1.0 - r;
    let t = (r - expected) / se.max(1e-12);
    if drop >= s.min_share * drop_expected {
        (
            Verdict::Compliant,
            format!(
                "{}{}，措施要求下降 {:.1}%",
                n.what,
                change_zh(drop),
                drop_expected * 100.0
            ),
            Some(t),
        )
    } else if t > x.crit {
        (
            Verdict::LikelyNonCompliant,
            format!(
                "{}{}，措施要求下降 {:.1}%：高出要求 {:.1} 个标准误（判定线 {:.1}）",
                n.what,
                change_zh(drop),
                drop_expected * 100.0,
                t,
                x.crit
            ),
            Some(t),
        )
    } else {
        (
            Verdict::InsufficientData,
            format!(
                "{}{}，不足要求的 {:.1}%，但差距在{}噪声范围内（{:.1} 个标准误，判定线 {:.1}）",
                n.what,
                change_zh(drop),
                drop_expected * 100.0,
                n.data,
                t,
                x.crit
            ),
            Some(t),
        )
    }
}

/// A share test as one source's verdict with its numbers.
fn share_source(
    source: &'static str,
    measured: &'static str,
    x: &Electric,
    expected: f64,
    s: &Settings,
    n: &Noun,
) -> SourceVerdict {
    let (verdict, reason, t) = share_verdict(x, expected, s, n);
    let observed = (x.base > 0.0).then(|| x.warn / x.base);
    SourceVerdict {
        expected: Some(r4(expected)),
        observed: observed.map(r4),
        standard_error: x.se.filter(|_| observed.is_some()).map(r4),
        t_statistic: t.map(r4),
        critical_value: t.map(|_| r4(x.crit)),
        warning_coverage: Some(r4(x.cov_w.min(1.0))),
        ..SourceVerdict::bare(source, measured, verdict, reason)
    }
}

/// Audit the lines of a list against meter data (and a gate log).
pub fn audit(
    plan: &Listing,
    data: &meters::MeterData,
    loads: &[series::MeterLoads],
    s: &Settings,
    warning_source: String,
    gates: Option<&gates::GateLog>,
) -> AuditReport {
    let ev = fusion::Evidence {
        gates,
        ..Default::default()
    };
    audit_with(plan, data, loads, s, warning_source, &ev)
}

/// Audit the lines of a list against all the evidence given: one verdict per line fusing
/// electricity, online monitoring, operating status and the gate log (see [`fusion`]).
pub fn audit_with(
    plan: &Listing,
    data: &meters::MeterData,
    loads: &[series::MeterLoads],
    s: &Settings,
    warning_source: String,
    ev: &fusion::Evidence,
) -> AuditReport {
    let k = s.level.index();
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
    let mut no_evidence = 0;
    for (id, l) in &plan.lines {
        let expected = l.electricity_share[k].unwrap_or(1.0);
        let measure = l.measure[k].as_ref();
        let ent = plan.enterprises.get(&l.credit_code);
        let mut row = LineAudit {
            line_id: id.clone(),
            line_name: l.line_name.clone(),
            credit_code: l.credit_code.clone(),
            enterprise: ent.map(|e| e.name.clone()).unwrap_or_default(),
            district: ent.map(|e| e.district.clone()).unwrap_or_default(),
            meters: Vec::new(),
            measure: l.code(k),
            verified_by: measure.map(evidence_zh).unwrap_or_default(),
            expected_share: r4(expected),
            baseline_kw: None,
            warning_kw: None,
            observed_share: None,
            standard_error: None,
            t_statistic: None,
            critical_value: None,
            baseline_coverage: 0.0,
            warning_coverage: 0.0,
            faults: BTreeMap::new(),
            decided_by: "none".into(),
            verdict: Verdict::NotVerifiable,
            reason: String::new(),
            evidence: Vec::new(),
        };
        let gate = ev.gates.and_then(|g| {
            gates::gate_verdict(
                g,
                &l.credit_code,
                measure.map_or(Transport::None, |m| m.transport),
            )
        });
        let gate_source =
            |(v, r): &(Verdict, String)| SourceVerdict::bare("gate_log", "trucks", *v, r.clone());
        if expected >= 0.999 {
            if transport_only(measure, expected) {
                match &gate {
                    Some((verdict, reason)) => {
                        row.verdict = *verdict;
                        row.reason = reason.clone();
                        row.decided_by = "gate_log".into();
                        row.evidence.push(gate_source(gate.as_ref().expect("gate")));
                    }
                    None => {
                        row.reason = "仅有运输管控措施，用电量无法核查：需门禁记录（车牌、排放标准、进出时间）".into();
                    }
                }
                lines.push(row);
            } else {
                no_drop += 1;
            }
            continue;
        }
        let ms = by_line.get(id.as_str());
        let tests = usize::from(ms.is_some()) + fusion::statistical_tests(ev, id, measure);
        // Each statistical test runs at its share of the false-alarm rate (Bonferroni): the
        // fused verdict of a compliant line errs with probability ≤ α.
        let each = Settings {
            alpha: s.alpha / tests.max(1) as f64,
            ..*s
        };
        let mut production: Vec<SourceVerdict> = Vec::new();
        match ms {
            Some(ms) => {
                let x = electric(ms, loads, &each);
                let src = share_source("electricity", "load", &x, expected, &each, &ELECTRICITY);
                let observed = (x.base > 0.0).then(|| x.warn / x.base);
                row.meters = ms.iter().map(|&m| data.meters[m].clone()).collect();
                row.baseline_kw = observed.map(|_| round6(x.base));
                row.warning_kw = observed.map(|_| round6(x.warn));
                row.observed_share = src.observed;
                row.standard_error = src.standard_error;
                row.t_statistic = src.t_statistic;
                row.critical_value = src.critical_value;
                row.baseline_coverage = r4(x.cov_b.min(1.0));
                row.warning_coverage = r4(x.cov_w.min(1.0));
                row.faults = x.faults;
                production.push(src);
            }
            None => no_meter += 1,
        }
        production.extend(fusion::monitoring_sources(
            ev,
            id,
            measure,
            expected,
            &each,
            &mut row.faults,
        ));
        if production.is_empty() && gate.is_none() {
            no_evidence += 1;
            continue;
        }
        fusion::fuse(&mut row, production, gate.as_ref().map(gate_source));
        lines.push(row);
    }
    lines.sort_by(|a, b| {
        b.verdict
            .cmp(&a.verdict)
            .then_with(|| a.district.cmp(&b.district))
            .then_with(|| a.credit_code.cmp(&b.credit_code))
            .then_with(|| a.line_id.cmp(&b.line_id))
    });
    let enterprises = enterprise_verdicts(&lines);
    let mut counts = BTreeMap::new();
    for v in Verdict::WORST_FIRST {
        counts.insert(v.key(), lines.iter().filter(|l| l.verdict == v).count());
    }
    counts.insert(
        "enterprises_likely_non_compliant",
        enterprises
            .iter()
            .filter(|e| e.verdict == Verdict::LikelyNonCompliant)
            .count(),
    );
    counts.insert("lines_without_required_drop", no_drop);
    counts.insert("lines_without_meter", no_meter);
    counts.insert("meters_not_on_list", unknown);
    if ev.cems.is_some() || ev.status.is_some() {
        counts.insert("lines_without_evidence", no_evidence);
        for source in fusion::SOURCES {
            let n = lines
                .iter()
                .filter(|l| {
                    l.evidence
                        .iter()
                        .any(|e| e.source == source && e.verdict == Verdict::LikelyNonCompliant)
                })
                .count();
            counts.insert(fusion::flagged_key(source), n);
        }
    }
    AuditReport {
        kind: "audit",
        level: s.level,
        baseline: [time::format(s.baseline.0), time::format(s.baseline.1)],
        warning: [time::format(s.warning.0), time::format(s.warning.1)],
        warning_source,
        false_alarm_rate: s.alpha,
        counts,
        rows_read: data.rows_read,
        lines,
        enterprises,
    }
}

/// One row per enterprise, its worst line's verdict; worst first, then by district.
fn enterprise_verdicts(lines: &[LineAudit]) -> Vec<EnterpriseAudit> {
    let mut by: BTreeMap<&str, EnterpriseAudit> = BTreeMap::new();
    for l in lines {
        let e = by
            .entry(l.credit_code.as_str())
            .or_insert_with(|| EnterpriseAudit {
                credit_code: l.credit_code.clone(),
                enterprise: l.enterprise.clone(),
                district: l.district.clone(),
                verdict: Verdict::Compliant,
                decided_by: String::new(),
                lines: 0,
                lines_non_compliant: 0,
            });
        if l.verdict > e.verdict || e.lines == 0 {
            e.decided_by.clear();
        }
        e.verdict = e.verdict.max(l.verdict);
        if l.verdict == e.verdict {
            e.decided_by = fusion::join_sources(&e.decided_by, &l.decided_by);
        }
        e.lines += 1;
        e.lines_non_compliant += usize::from(l.verdict == Verdict::LikelyNonCompliant);
    }
    let mut out: Vec<EnterpriseAudit> = by.into_values().collect();
    out.sort_by(|a, b| {
        b.verdict
            .cmp(&a.verdict)
            .then_with(|| a.district.cmp(&b.district))
            .then_with(|| a.credit_code.cmp(&b.credit_code))
    });
    out
}

/// Chinese label of a count key of [`AuditReport::counts`].
pub fn count_zh(key: &str) -> &str {
    match key {
        "compliant" => "合规生产线",
        "not_verifiable" => "用电无法核查的生产线",
        "insufficient_data" => "数据不足的生产线",
        "likely_non_compliant" => "疑似未落实的生产线",
        "enterprises_likely_non_compliant" => "疑似未落实的企业",
        "lines_without_required_drop" => "无减排要求的生产线",
        "lines_without_meter" => "无电表的生产线",
        "meters_not_on_list" => "不在清单上的电表",
        "lines_without_evidence" => "无任何核查数据的生产线",
        "flagged_by_electricity" => "用电监控发现疑似未落实的生产线",
        "flagged_by_cems" => "在线监测发现疑似未落实的生产线",
        "flagged_by_status" => "工况监控发现疑似未落实的生产线",
        "flagged_by_gate_log" => "门禁记录发现疑似未落实的生产线",
        other => other,
    }
}
