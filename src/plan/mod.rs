//! The plan: the measure of every active line at every level, with cuts, loss and the
//! verification indicator; its CSV and JSON forms.

pub mod decisions;
pub mod fairness;
pub mod measure_text;
pub mod negotiate;
pub mod read;
pub mod reasons;
pub mod summary;
pub mod workbook;
pub mod write;

use crate::domain::{Inventory, Level, Measure};
use crate::model::Problem;
use crate::rules::Resolved;
use serde::Serialize;

/// One row of the list: one line at one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRow {
    /// Line id.
    pub line_id: String,
    /// Enterprise credit code.
    pub credit_code: String,
    /// Level.
    pub level: Level,
    /// The measure.
    pub measure: Measure,
    /// Measure text (Chinese or English).
    pub text: String,
    /// Obligation code from the rules.
    pub obligation: String,
    /// Cut per pollutant, t/d.
    pub cut: [f64; 4],
    /// Production loss, 万元/d.
    pub loss: f64,
    /// Expected electricity under the measure, kWh/d.
    pub electricity: f64,
    /// Expected electricity as a share of baseline.
    pub electricity_share: f64,
    /// Remarks.
    pub note: String,
    /// Why a measure stricter than the rule minimum was chosen (empty otherwise; see
    /// [`reasons`]).
    pub reason: String,
}

/// A complete list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Rows in line order, levels yellow → red.
    pub rows: Vec<PlanRow>,
}

/// The measure of a model option under the rules' transport restriction at its level.
pub fn choice_measure(c: &crate::model::Choice, transport: crate::domain::Transport) -> Measure {
    Measure {
        limit: crate::units::Fraction(if c.declared.is_some() { 0.0 } else { c.limit }),
        transport,
        declared: c.declared.clone(),
    }
}

/// The text of a measure of line `line_id` (declared options in the inventory's words).
pub fn measure_text(inv: &Inventory, line_id: &str, measure: &Measure, english: bool) -> String {
    let declared_text = measure.declared.as_ref().and_then(|code| {
        inv.options
            .get(line_id)?
            .iter()
            .find(|o| &o.code == code)
            .map(|o| o.text.as_str())
    });
    if english {
        measure.text_en(declared_text)
    } else {
        measure.text_zh(declared_text)
    }
}

/// Turn an assignment into plan rows.
pub fn from_assignment(
    inv: &Inventory,
    resolved: &Resolved,
    p: &Problem,
    assignment: &[u32],
    english: bool,
) -> Plan {
    let mut rows = Vec::with_capacity(p.units.len() * 3);
    for (u, &t) in p.units.iter().zip(assignment) {
        let rule = &resolved.lines[u.rule];
        let line = &inv.lines[u.line];
        let base_elec = line.baseline_electricity().0;
        for level in Level::ALL {
            let k = level.index();
            let c = &u.choices[u.triples[t as usize][k] as usize];
            let measure = choice_measure(c, rule.transport[k]);
            let text = measure_text(inv, &line.id, &measure, english);
            rows.push(PlanRow {
                line_id: line.id.clone(),
                credit_code: line.enterprise.to_string(),
                level,
                text,
                measure,
                obligation: rule.obligation[k].clone(),
                cut: c.cut,
                loss: c.loss,
                electricity: c.electricity,
                electricity_share: if base_elec > 0.0 {
                    c.electricity / base_elec
                } else {
                    1.0
                },
                note: rule
                    .notes
                    .iter()
                    .cloned()
                    .chain(rule.decided[k].iter().map(|d| d.note()))
                    .collect::<Vec<_>>()
                    .join("；"),
                reason: String::new(),
            });
        }
    }
    Plan { rows }
}
