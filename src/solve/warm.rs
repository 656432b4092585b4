//! What a solved case hands to the next case of its chain: each line's chosen options and the
//! LP duals by row name. Stored bit-exactly so that a resumed sweep starts exactly as an unbroken one.

use crate::model::family::coupling_rows;
use crate::model::registry::target_name;
use crate::model::{Choice, Problem};
use crate::solve::pricing::Multipliers;
use crate::solve::WarmStart;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A solved case's plan and duals, keyed by line id and row name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WarmData {
    /// Line id → option key at yellow, orange and red.
    pub lines: Vec<(String, [String; 3])>,
    /// Target row name → dual, as `f64::to_bits` (exact through JSON).
    pub duals: Vec<(String, u64)>,
}

/// The identity of an option across scenarios: its declared code or its output limit.
fn option_key(c: &Choice) -> String {
    match &c.declared {
        Some(code) => format!("D:{code}"),
        None => format!("{:.6}", c.limit),
    }
}

impl WarmData {
    /// Record a solved problem's assignment and target duals.
    pub fn record(p: &Problem, line_ids: &[String], assignment: &[u32], duals: &[f64]) -> Self {
        let lines = p
            .units
            .iter()
            .zip(assignment)
            .map(|(u, &t)| {
                let tr = u.triples[t as usize];
                (
                    line_ids[u.line].clone(),
                    tr.map(|k| option_key(&u.choices[k as usize])),
                )
            })
            .collect();
        let duals = p
            .targets
            .iter()
            .zip(duals)
            .filter(|(_, d)| **d != 0.0)
            .map(|(t, d)| (target_name(p, t), d.to_bits()))
            .collect();
        WarmData { lines, duals }
    }

    /// The warm start for another problem: lines and rows matched by name; what does not match
    /// starts cold (cheapest triple, zero dual).
    pub fn start_for(&self, p: &Problem, line_ids: &[String]) -> WarmStart {
        let by_line: HashMap<&str, &[String; 3]> =
            self.lines.iter().map(|(id, k)| (id.as_str(), k)).collect();
        let duals: HashMap<&str, f64> = self
            .duals
            .iter()
            .map(|(n, b)| (n.as_str(), f64::from_bits(*b)))
            .collect();
        let assignment = p
            .units
            .iter()
            .map(|u| {
                let keys = by_line.get(line_ids[u.line].as_str())?;
                u.triples
                    .iter()
                    .position(|tr| {
                        (0..3).all(|k| option_key(&u.choices[tr[k] as usize]) == keys[k])
                    })
                    .map(|t| t as u32)
            })
            .collect();
        let rows = coupling_rows(p);
        let lambda = rows
            .iter()
            .map(|row| duals.get(row.key.as_str()).map_or(0.0, |d| d.max(0.0)))
            .collect();
        let mult = Multipliers { lambda };
        WarmStart { assignment, mult }
    }
}
