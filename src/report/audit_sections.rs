//! The inspectors' report (核查报告) of an audit directory (`jianpai audit --out`): one row per
//! audited line, worst verdict first, then by district and enterprise, and one row per
//! enterprise (企业汇总), for the inspectors' day.

use super::html::{table, text, Cell};
use super::xlsx::{col, header, Formats};
use super::{Labels, ReportError, Section};
use crate::audit::Verdict;
use rust_xlsxwriter::{Workbook, XlsxError};
use serde::Deserialize;
use std::path::Path;

/// One audited line as stored in audit.json.
#[derive(Debug, Clone, Deserialize)]
pub struct LineRow {
    /// Line name.
    pub line_name: String,
    /// Credit code.
    pub credit_code: String,
    /// Enterprise name.
    pub enterprise: String,
    /// District.
    pub district: String,
    /// Measure at the level.
    pub measure: String,
    /// Evidence that verifies the measure.
    #[serde(default)]
    pub verified_by: String,
    /// Expected share of the baseline load.
    pub expected_share: f64,
    /// Observed share.
    pub observed_share: Option<f64>,
    /// Standard error of the observed share.
    pub standard_error: Option<f64>,
    /// Source that decided the verdict.
    pub decided_by: String,
    /// Verdict key.
    pub verdict: String,
    /// Why.
    pub reason: String,
    /// What each source said (absent in audits from before the fused verdict).
    #[serde(default)]
    pub evidence: Vec<EvidenceRow>,
}

/// One source's verdict on a line as stored in audit.json.
#[derive(Debug, Clone, Deserialize)]
pub struct EvidenceRow {
    /// `electricity`, `cems`, `status` or `gate_log`.
    pub source: String,
    /// Verdict key.
    pub verdict: String,
    /// Expected share (or running threshold of a stop).
    pub expected: Option<f64>,
    /// Observed share.
    pub observed: Option<f64>,
    /// Hours the line ran during the warning (stops).
    pub running_hours: Option<usize>,
}

/// The evidence columns of the report, by source.
const EVIDENCE_SOURCES: [(&str, &str, &str); 4] = [
    ("electricity", "用电监控", "Electricity"),
    ("cems", "在线监测", "Online monitoring"),
    ("status", "工况监控", "Operating status"),
    ("gate_log", "门禁记录", "Gate log"),
];

/// One source's cell: its verdict and key number (`疑似未落实：实测 0.95 / 要求 0.70`, `运行 24 小时`).
fn evidence_cell(l: &LineRow, source: &str, t: Labels) -> String {
    let Some(e) = l.evidence.iter().find(|e| e.source == source) else {
        return "—".into();
    };
    let verdict = verdict_label(&e.verdict, t);
    match (e.running_hours, e.observed, e.expected) {
        (Some(h), _, _) => format!("{verdict}：{} {h} {}", t.t("运行", "ran"), t.t("小时", "h")),
        (None, Some(o), Some(x)) => format!(
            "{verdict}：{} {o:.3} / {} {x:.3}",
            t.t("实测", "observed"),
            t.t("要求", "expected")
        ),
        _ => verdict,
    }
}

/// One enterprise as stored in audit.json.
#[derive(Debug, Clone, Deserialize)]
pub struct EnterpriseRow {
    /// Credit code.
    pub credit_code: String,
    /// Name.
    pub enterprise: String,
    /// District.
    pub district: String,
    /// Worst verdict key.
    pub verdict: String,
    /// Lines audited.
    pub lines: usize,
    /// Lines likely non-compliant.
    pub lines_non_compliant: usize,
}

/// An audit directory's audit.json.
#[derive(Debug, Clone, Deserialize)]
pub struct AuditData {
    /// Level key.
    pub level: String,
    /// Baseline window.
    pub baseline: [String; 2],
    /// Warning window.
    pub warning: [String; 2],
    /// Where the warning came from.
    pub warning_source: String,
    /// Lines, sorted worst first, then district, enterprise, line.
    pub lines: Vec<LineRow>,
    /// Enterprises, sorted the same way.
    pub enterprises: Vec<EnterpriseRow>,
}

/// Rank of a verdict key, worst first (unknown keys last).
fn severity(key: &str) -> usize {
    Verdict::WORST_FIRST
        .iter()
        .position(|v| v.key() == key)
        .unwrap_or(Verdict::WORST_FIRST.len())
}

/// A verdict key in the report's language.
fn verdict_label(key: &str, t: Labels) -> String {
    Verdict::WORST_FIRST
        .iter()
        .find(|v| v.key() == key)
        .map_or(key.to_string(), |v| t.t(v.zh(), v.en()).to_string())
}

/// Load an audit directory (its summary.json says `"kind": "audit"`), sorted for the report.
pub fn load(dir: &Path) -> Result<AuditData, ReportError> {
    let path = dir.join("audit.json");
    let file = path.display().to_string();
    let body = std::fs::read_to_string(&path).map_err(|e| ReportError::Read {
        file: file.clone(),
        message: e.to_string(),
    })?;
    let mut d: AuditData = serde_json::from_str(&body).map_err(|e| ReportError::Input {
        file,
        message: format!("damaged audit file: {e}"),
    })?;
    d.lines.sort_by(|a, b| {
        (
            severity(&a.verdict),
            &a.district,
            &a.enterprise,
            &a.line_name,
        )
            .cmp(&(
                severity(&b.verdict),
                &b.district,
                &b.enterprise,
                &b.line_name,
            ))
    });
    d.enterprises.sort_by(|a, b| {
        (severity(&a.verdict), &a.district, &a.enterprise).cmp(&(
            severity(&b.verdict),
            &b.district,
            &b.enterprise,
        ))
    });
    Ok(d)
}

/// Lines under the page title: level, windows and counts by verdict.
pub fn subtitle(d: &AuditData, t: Labels) -> Vec<String> {
    let level = crate::domain::Level::parse(&d.level).map_or(d.level.clone(), |l| t.level(l));
    let counts: Vec<String> = Verdict::WORST_FIRST
        .iter()
        .map(|v| {
            let n = d.lines.iter().filter(|l| l.verdict == v.key()).count();
            format!("{} {n}", t.t(v.zh(), v.en()))
        })
        .collect();
    vec![
        format!(
            "{level}  ·  {} {} .. {}  ·  {} {} .. {}  ({})",
            t.t("预警期", "warning"),
            d.warning[0],
            d.warning[1],
            t.t("基准期", "baseline"),
            d.baseline[0],
            d.baseline[1],
            d.warning_source
        ),
        format!(
            "{} {}  ·  {}",
            d.lines.len(),
            t.t("条生产线", "lines"),
            counts.join("，")
        ),
    ]
}

/// The sections of an audit report.
pub fn sections(d: &AuditData) -> Vec<Box<dyn Section + '_>> {
    vec![Box::new(Inspection(d))]
}

/// The inspectors' report: lines and enterprises.
struct Inspection<'a>(&'a AuditData);

/// "0.300 / 0.912 ± 0.041": expected share, observed share and its standard error.
fn key_numbers(l: &LineRow, t: Labels) -> String {
    let f = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |x| format!("{x:.3}"));
    format!(
        "{} {:.3}；{} {}；{} {}",
        t.t("要求用电比例", "expected share"),
        l.expected_share,
        t.t("实测", "observed"),
        f(l.observed_share),
        t.t("标准误", "std error"),
        f(l.standard_error)
    )
}

/// 依据来源: what decided the verdict.
fn source(l: &LineRow, t: Labels) -> String {
    let names: Vec<&str> = l
        .decided_by
        .split('+')
        .map(|s| {
            EVIDENCE_SOURCES
                .iter()
                .find(|e| e.0 == s)
                .map_or(t.t("无", "none"), |e| t.t(e.1, e.2))
        })
        .collect();
    let by = names.join(" + ");
    if l.verified_by.is_empty() {
        by.to_string()
    } else {
        format!("{by}（{}）", l.verified_by)
    }
}

impl Inspection<'_> {
    fn line_headers(t: Labels) -> Vec<String> {
        let mut h: Vec<(&str, &str)> = vec![
            ("区县", "District"),
            ("企业名称", "Enterprise"),
            ("统一社会信用代码", "Credit code"),
            ("生产线", "Line"),
            ("措施", "Measure"),
            ("核查结论", "Verdict"),
            ("依据来源", "Evidence"),
            ("关键数值", "Key numbers"),
        ];
        h.extend(EVIDENCE_SOURCES.iter().map(|e| (e.1, e.2)));
        h.push(("说明", "Explanation"));
        h.iter().map(|(zh, en)| t.t(zh, en).to_string()).collect()
    }
    fn line_cells(l: &LineRow, t: Labels) -> [String; 13] {
        let ev = |i: usize| evidence_cell(l, EVIDENCE_SOURCES[i].0, t);
        [
            l.district.clone(),
            l.enterprise.clone(),
            l.credit_code.clone(),
            l.line_name.clone(),
            l.measure.clone(),
            verdict_label(&l.verdict, t),
            source(l, t),
            key_numbers(l, t),
            ev(0),
            ev(1),
            ev(2),
            ev(3),
            l.reason.clone(),
        ]
    }
    fn firm_headers(t: Labels) -> Vec<String> {
        [
            ("区县", "District"),
            ("企业名称", "Enterprise"),
            ("统一社会信用代码", "Credit code"),
            ("核查结论", "Verdict"),
            ("核查生产线", "Lines audited"),
            ("疑似未落实生产线", "Lines likely non-compliant"),
        ]
        .iter()
        .map(|(zh, en)| t.t(zh, en).to_string())
        .collect()
    }
}

impl Section for Inspection<'_> {
    fn id(&self) -> &'static str {
        "audit"
    }
    fn title(&self, t: Labels) -> String {
        t.t("核查报告", "Inspection report").into()
    }
    fn html(&self, t: Labels) -> String {
        let lines: Vec<Vec<Cell>> = self
            .0
            .lines
            .iter()
            .map(|l| Self::line_cells(l, t).into_iter().map(text).collect())
            .collect();
        let firms: Vec<Vec<Cell>> = self
            .0
            .enterprises
            .iter()
            .map(|e| {
                vec![
                    text(e.district.clone()),
                    text(e.enterprise.clone()),
                    text(e.credit_code.clone()),
                    text(verdict_label(&e.verdict, t)),
                    Cell::Num(e.lines as f64, 0),
                    Cell::Num(e.lines_non_compliant as f64, 0),
                ]
            })
            .collect();
        format!(
            "{}<h3>{}</h3>{}",
            table(&Self::line_headers(t), &lines, true),
            t.t("企业汇总", "Enterprises"),
            table(&Self::firm_headers(t), &firms, true)
        )
    }
    fn sheets(&self, wb: &mut Workbook, f: &Formats, t: Labels) -> Result<(), XlsxError> {
        let widths = [
            10.0, 28.0, 22.0, 18.0, 16.0, 14.0, 22.0, 36.0, 22.0, 22.0, 22.0, 22.0, 48.0,
        ];
        let names = Self::line_headers(t);
        let cols: Vec<_> = names.iter().zip(widths).map(|(n, w)| col(n, w)).collect();
        let ws = wb.add_worksheet();
        let title = self.title(t);
        ws.set_name(&title)?;
        let first = header(ws, f, &title, &cols, 2)?;
        for (i, l) in self.0.lines.iter().enumerate() {
            let r = first + i as u32;
            for (c, v) in Self::line_cells(l, t).iter().enumerate() {
                let fmt = if c >= 6 { &f.wrap } else { &f.text };
                ws.write_string_with_format(r, c as u16, v, fmt)?;
            }
        }

        let names = Self::firm_headers(t);
        let widths = [10.0, 28.0, 22.0, 14.0, 12.0, 16.0];
        let cols: Vec<_> = names.iter().zip(widths).map(|(n, w)| col(n, w)).collect();
        let ws = wb.add_worksheet();
        let title = t.t("企业汇总", "Enterprises");
        ws.set_name(title)?;
        let first = header(ws, f, title, &cols, 2)?;
        for (i, e) in self.0.enterprises.iter().enumerate() {
            let r = first + i as u32;
            for (c, v) in [
                &e.district,
                &e.enterprise,
                &e.credit_code,
                &verdict_label(&e.verdict, t),
            ]
            .iter()
            .enumerate()
            {
                ws.write_string_with_format(r, c as u16, v.as_str(), &f.text)?;
            }
            ws.write_number_with_format(r, 4, e.lines as f64, &f.int)?;
            ws.write_number_with_format(r, 5, e.lines_non_compliant as f64, &f.int)?;
        }
        Ok(())
    }
}
