//! Loading and looking up the rules table (base file plus city overrides).

use super::Obligation;
use crate::domain::{Grade, IndustryTable, Level};
use crate::io::schema::RULES;
use crate::io::table::read_table;
use crate::validate::cells::{error, unreadable, Sheet};
use crate::validate::Report;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One row of a rules file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleRow {
    /// Industry code, `*` or `nonkey`.
    pub industry: String,
    /// Grade, `None` = any.
    pub grade: Option<Grade>,
    /// Level, `None` = any.
    pub level: Option<Level>,
    /// The minimum obligation.
    pub obligation: Obligation,
    /// Illustrative (not from a published table).
    pub illustrative: bool,
    /// Source or remark.
    pub note: String,
    /// Where the row came from (`file row N`).
    pub origin: String,
}

type Key = (String, Option<Grade>, Option<Level>);

/// The merged rules: base rows replaced by override rows of the same key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    rows: BTreeMap<Key, RuleRow>,
}

impl Rules {
    /// Load the base rules and optional overrides. Errors name file, row, column and value.
    pub fn load(
        base: &Path,
        overrides: Option<&Path>,
        industries: &IndustryTable,
    ) -> Result<Rules, Report> {
        let mut report = Report::default();
        let mut rules = Rules::default();
        for path in std::iter::once(base).chain(overrides) {
            let table = match read_table(path) {
                Ok(t) => t,
                Err(e) => {
                    report.push(unreadable(&e, &path.display().to_string(), ""));
                    continue;
                }
            };
            let Some(s) = Sheet::new(&table, &RULES, &mut report) else {
                continue;
            };
            for row in &table.rows {
                let before = report.error_count();
                let industry = s.text(&mut report, row, "industry").unwrap_or_default();
                if !industry.is_empty()
                    && industry != "*"
                    && industry != "nonkey"
                    && !industries.by_code.contains_key(&industry)
                {
                    report.push(error(
                        "E014",
                        &table.source,
                        Some(row.row),
                        Some(s.label("industry")),
                        Some(&industry),
                        "unknown industry",
                        "use a code of industries.csv, * or nonkey",
                    ));
                }
                let g = s.raw(row, "grade");
                let grade = if g == "*" {
                    None
                } else {
                    match Grade::parse(g) {
                        Some(g) => Some(g),
                        None => {
                            report.push(error(
                                "E011",
                                &table.source,
                                Some(row.row),
                                Some(s.label("grade")),
                                Some(g),
                                "unknown grade",
                                "use A, 引领性, B, B-, C, D, 未评级 or *",
                            ));
                            None
                        }
                    }
                };
                let l = s.raw(row, "level");
                let level = if l == "*" {
                    None
                } else {
                    match Level::parse(l) {
                        Some(l) => Some(l),
                        None => {
                            report.push(error(
                                "E022",
                                &table.source,
                                Some(row.row),
                                Some(s.label("level")),
                                Some(l),
                                "unknown warning level",
                                "use yellow, orange, red (黄色, 橙色, 红色) or *",
                            ));
                            None
                        }
                    }
                };
                let m = s.raw(row, "measure");
                let obligation = match Obligation::parse(m) {
                    Ok(o) => Some(o),
                    Err(msg) => {
                        report.push(error(
                            "E023",
                            &table.source,
                            Some(row.row),
                            Some(s.label("measure")),
                            Some(m),
                            msg,
                            "see seeds/rules/README.md for the measure vocabulary",
                        ));
                        None
                    }
                };
                let illustrative = s.boolean(&mut report, row, "illustrative").unwrap_or(false);
                let note = s.raw(row, "note").to_string();
                if report.error_count() > before {
                    continue;
                }
                let Some(obligation) = obligation else {
                    continue;
                };
                let key = (industry.clone(), grade, level);
                let origin = format!("{} row {}", table.source, row.row);
                if let Some(prev) = rules.rows.get(&key) {
                    if prev.origin.starts_with(&table.source) {
                        report.push(error(
                            "E010",
                            &table.source,
                            Some(row.row),
                            Some(s.label("measure")),
                            Some(m),
                            format!(
                                "second rule for the same industry × grade × level (first: {})",
                                prev.origin
                            ),
                            "keep one row",
                        ));
                        continue;
                    }
                }
                rules.rows.insert(
                    key,
                    RuleRow {
                        industry,
                        grade,
                        level,
                        obligation,
                        illustrative,
                        note,
                        origin,
                    },
                );
            }
        }
        if !report.has_errors() {
            rules.check_counted(industries, &mut report);
        }
        if report.has_errors() {
            Err(report)
        } else {
            Ok(rules)
        }
    }

    /// E531: the whole-line stop shares one firm's rows impose at its three levels must count
    /// the same processes (a firm's lines form one stop group).
    fn check_counted(&self, industries: &IndustryTable, report: &mut Report) {
        let mut seen = std::collections::BTreeSet::new();
        for (code, ind) in &industries.by_code {
            for grade in Grade::ALL.into_iter().filter(|g| !g.is_voluntary()) {
                let shares: Vec<&RuleRow> = Level::ALL
                    .iter()
                    .filter_map(|&l| self.lookup(code, ind.key, grade, l))
                    .filter(|r| r.obligation.stop_line_share.0 > 0.0)
                    .collect();
                let Some(first) = shares.first() else {
                    continue;
                };
                let Some(other) = shares.iter().find(|r| {
                    r.obligation.stop_line_processes != first.obligation.stop_line_processes
                }) else {
                    continue;
                };
                if !seen.insert((first.origin.clone(), other.origin.clone())) {
                    continue;
                }
                let (file, row) = split_origin(&other.origin);
                report.push(error(
                    "E531",
                    file,
                    row,
                    Some("measure".into()),
                    Some(&other.obligation.code()),
                    format!(
                        "{} × {}：各预警级别的按整条线停产比例须计同一组工序，而 {} 计「{}」，{} 计「{}」",
                        code,
                        grade.label(),
                        first.origin,
                        counted_label(first),
                        other.origin,
                        counted_label(other)
                    ),
                    "write the same SL<percent>:<processes> at every level of this industry × grade",
                ));
            }
        }
    }

    /// The most specific rule for an industry, effective grade and level.
    pub fn lookup(
        &self,
        industry: &str,
        key_industry: bool,
        grade: Grade,
        level: Level,
    ) -> Option<&RuleRow> {
        let fallback = if key_industry { "*" } else { "nonkey" };
        for ind in [industry, fallback] {
            for g in [Some(grade), None] {
                for l in [Some(level), None] {
                    if let Some(r) = self.rows.get(&(ind.to_string(), g, l)) {
                        return Some(r);
                    }
                }
            }
        }
        None
    }

    /// All rows, in key order.
    pub fn rows(&self) -> impl Iterator<Item = &RuleRow> {
        self.rows.values()
    }
}

/// The processes a row's whole-line stop share counts, for messages.
fn counted_label(r: &RuleRow) -> String {
    if r.obligation.stop_line_processes.is_empty() {
        "全部生产线".into()
    } else {
        r.obligation.stop_line_processes.join("|")
    }
}

/// `file row N` → (file, row).
fn split_origin(origin: &str) -> (&str, Option<usize>) {
    match origin.rsplit_once(" row ") {
        Some((file, row)) => (file, row.parse().ok()),
        None => (origin, None),
    }
}
