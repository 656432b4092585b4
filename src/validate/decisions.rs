//! Reading the planner's decisions file into typed [`Decision`]s; every bad cell is reported with
//! file, row, column and value (codes E501–E506).

use super::cells::{error, Sheet};
use super::Report;
use crate::domain::{Decision, DecisionMode, DecisionTarget, Inventory, Level, Measure};
use crate::io::schema::DECISIONS;
use crate::io::{RawRow, RawTable};
use std::collections::HashSet;

/// Typed decisions of a table, checked against the inventory (lines and enterprises must exist).
pub fn decisions_from_table(table: &RawTable, inv: &Inventory) -> Result<Vec<Decision>, Report> {
    let mut report = Report::default();
    let Some(s) = Sheet::new(table, &DECISIONS, &mut report) else {
        return Err(report);
    };
    let lines: HashSet<&str> = inv.lines.iter().map(|l| l.id.as_str()).collect();
    let mut out = Vec::new();
    for row in &table.rows {
        let before = report.error_count();
        let bad = |report: &mut Report, code: &'static str, key: &str, msg: String, hint: &str| {
            report.push(error(
                code,
                &table.source,
                Some(row.row),
                Some(s.label(key)),
                Some(s.raw(row, key)),
                msg,
                hint,
            ))
        };
        let target = target(&s, &mut report, row, &lines, inv, &bad);
        let levels = match s.text(&mut report, row, "level").as_deref().map(str::trim) {
            Some("*") => Some(Level::ALL.to_vec()),
            Some(v) => match Level::parse(v) {
                Some(l) => Some(vec![l]),
                None => {
                    bad(
                        &mut report,
                        "E022",
                        "level",
                        format!("unknown warning level '{v}'"),
                        "yellow/黄色, orange/橙色, red/红色 or *",
                    );
                    None
                }
            },
            None => None,
        };
        let measure = s.text(&mut report, row, "measure").and_then(|v| {
            let m = Measure::parse_code(&v);
            if m.is_none() {
                bad(
                    &mut report,
                    "E023",
                    "measure",
                    format!("unknown measure code '{v}'"),
                    "V, L20, S or D:CODE as in plan.csv's 措施编号",
                );
            }
            m
        });
        let mode = s.text(&mut report, row, "mode").and_then(|v| {
            let m = DecisionMode::parse(&v);
            if m.is_none() {
                bad(
                    &mut report,
                    "E504",
                    "mode",
                    format!("unknown decision mode '{v}'"),
                    "fix/锁定, at_least/不低于 or at_most/不高于",
                );
            }
            m
        });
        let reason = s
            .text(&mut report, row, "reason")
            .map(|r| r.trim().to_string());
        if report.error_count() > before {
            continue;
        }
        if let (Some(target), Some(levels), Some(measure), Some(mode), Some(reason)) =
            (target, levels, measure, mode, reason)
        {
            out.push(Decision {
                row: row.row,
                target,
                levels,
                measure,
                mode,
                reason,
            });
        }
    }
    if report.error_count() > 0 {
        Err(report)
    } else {
        Ok(out)
    }
}

/// The line or enterprise a row names (exactly one of the two).
fn target(
    s: &Sheet,
    report: &mut Report,
    row: &RawRow,
    lines: &HashSet<&str>,
    inv: &Inventory,
    bad: &dyn Fn(&mut Report, &'static str, &str, String, &str),
) -> Option<DecisionTarget> {
    let line = s.raw(row, "line_id").trim().to_string();
    let has_code = !s.raw(row, "credit_code").trim().is_empty();
    match (line.is_empty(), has_code) {
        (false, true) => {
            bad(
                report,
                "E501",
                "line_id",
                "both a line and an enterprise are given".into(),
                "give the line id or the credit code, not both",
            );
            None
        }
        (true, true) => {
            let code = s.credit_code(report, row, "credit_code")?;
            if !inv.enterprises.contains_key(&code) {
                bad(
                    report,
                    "E503",
                    "credit_code",
                    format!("enterprise {code} is not in the inventory"),
                    "use a credit code of enterprises.csv",
                );
                return None;
            }
            Some(DecisionTarget::Enterprise(code))
        }
        (false, false) => {
            if !lines.contains(line.as_str()) {
                bad(
                    report,
                    "E502",
                    "line_id",
                    format!("line {line} is not in the inventory"),
                    "use a line id of lines.csv",
                );
                return None;
            }
            Some(DecisionTarget::Line(line))
        }
        (true, false) => {
            bad(
                report,
                "E501",
                "line_id",
                "neither a line nor an enterprise is given".into(),
                "give the line id or the credit code",
            );
            None
        }
    }
}

/// Decisions read from a hand-edited plan: every row whose measure no longer matches its stated
/// cuts (the planner changed the measure code and left the figures) becomes a `fix` decision, so
/// a re-plan keeps exactly the edited measures and re-optimises the rest.
pub fn decisions_from_edited_plan(
    rows: &[crate::plan::read::StatedRow],
    inv: &Inventory,
) -> Vec<Decision> {
    let lines: std::collections::HashMap<&str, &crate::domain::Line> =
        inv.lines.iter().map(|l| (l.id.as_str(), l)).collect();
    rows.iter()
        .filter_map(|r| {
            let line = lines.get(r.line_id.as_str())?;
            let derived = inv.measure_cuts(line, &r.measure)?;
            let edited =
                (0..4).any(|p| (derived[p] - r.cut[p]).abs() > 1e-5 + 1e-6 * derived[p].abs());
            edited.then(|| Decision {
                row: r.row,
                target: DecisionTarget::Line(r.line_id.clone()),
                levels: vec![r.level],
                measure: r.measure.clone(),
                mode: DecisionMode::Fix,
                reason: format!("清单手工修改（原清单第{}行）", r.row),
            })
        })
        .collect()
}
