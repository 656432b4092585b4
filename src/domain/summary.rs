//! Counts and totals of an inventory (the `validate` summary).

use super::{Inventory, LineStatus, Pollutant};
use indexmap::IndexMap;
use serde::Serialize;
use std::collections::BTreeMap;

/// Totals per pollutant, t/d.
pub type PollutantTotals = IndexMap<&'static str, f64>;

/// Counts of enterprises and lines, with baseline emissions.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InventorySummary {
    /// Number of enterprises.
    pub enterprises: usize,
    /// Number of lines.
    pub lines: usize,
    /// Active lines.
    pub active_lines: usize,
    /// Idle lines.
    pub idle_lines: usize,
    /// Exempt enterprises.
    pub exempt: usize,
    /// 保障类 enterprises.
    pub guarantee: usize,
    /// Enterprises by district.
    pub by_district: BTreeMap<String, usize>,
    /// Enterprises by industry.
    pub by_industry: BTreeMap<String, usize>,
    /// Enterprises by grade as filed.
    pub by_grade: BTreeMap<String, usize>,
    /// Baseline emissions of active lines (t/d).
    pub baseline: PollutantTotals,
    /// Whole-society emissions (t/d).
    pub society: PollutantTotals,
}

fn totals(f: impl Fn(Pollutant) -> f64) -> PollutantTotals {
    Pollutant::ALL
        .iter()
        .map(|&p| (p.key(), round6(f(p))))
        .collect()
}

/// Round for stable printing.
pub fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

impl Inventory {
    /// Summarise the inventory.
    pub fn summary(&self) -> InventorySummary {
        let mut s = InventorySummary {
            enterprises: self.enterprises.len(),
            lines: self.lines.len(),
            active_lines: self
                .lines
                .iter()
                .filter(|l| l.status == LineStatus::Active)
                .count(),
            idle_lines: self
                .lines
                .iter()
                .filter(|l| l.status == LineStatus::Idle)
                .count(),
            exempt: self
                .enterprises
                .values()
                .filter(|e| e.exempt.is_some())
                .count(),
            guarantee: self
                .enterprises
                .values()
                .filter(|e| e.guarantee_min_load.is_some())
                .count(),
            by_district: BTreeMap::new(),
            by_industry: BTreeMap::new(),
            by_grade: BTreeMap::new(),
            baseline: totals(|p| self.lines.iter().map(|l| l.baseline_emissions()[p].0).sum()),
            society: totals(|p| self.society_total()[p].0),
        };
        for e in self.enterprises.values() {
            *s.by_district.entry(e.district.clone()).or_default() += 1;
            *s.by_industry.entry(e.industry.clone()).or_default() += 1;
            *s.by_grade.entry(e.grade.label().to_string()).or_default() += 1;
        }
        s
    }
}
