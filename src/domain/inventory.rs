//! The validated inventory of a city.

use super::{
    CreditCode, DeclaredOption, Enterprise, IndustryTable, Line, Measure, Pollutant, PollutantVec,
};
use crate::units::TonnesPerDay;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// A district (市县区) with its whole-society daily emissions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct District {
    /// District name (e.g. 江阴市).
    pub name: String,
    /// Whole-society emissions (全社会排放量), all sources, t/d.
    pub society: PollutantVec<TonnesPerDay>,
}

/// Enterprises, lines, declared options and districts, in canonical order
/// (enterprises by credit code, lines by enterprise then id) so that row order
/// in the input files never changes a result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// Districts by name, in file order.
    pub districts: IndexMap<String, District>,
    /// Industries.
    pub industries: IndustryTable,
    /// Enterprises by credit code.
    pub enterprises: IndexMap<CreditCode, Enterprise>,
    /// Lines, sorted by (enterprise, id).
    pub lines: Vec<Line>,
    /// Declared options by line id.
    pub options: IndexMap<String, Vec<DeclaredOption>>,
}

impl Inventory {
    /// Each line's position in `lines`, by line id.
    pub fn line_positions(&self) -> std::collections::HashMap<&str, usize> {
        self.lines
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id.as_str(), i))
            .collect()
    }

    /// Cuts (t/d) of a measure's main part on a line: a proportional limit of the baseline, or
    /// the declared option's shares of it; `None` for an option the line does not have.
    pub fn measure_cuts(&self, line: &Line, m: &Measure) -> Option<[f64; 4]> {
        let base = line.baseline_emissions();
        match &m.declared {
            None => Some(Pollutant::ALL.map(|p| base[p].0 * m.limit.0)),
            Some(code) => {
                let o = self
                    .options
                    .get(&line.id)?
                    .iter()
                    .find(|o| &o.code == code)?;
                Some(Pollutant::ALL.map(|p| base[p].0 * o.cut[p].0))
            }
        }
    }

    /// Put enterprises, lines and options into canonical order.
    pub fn canonicalize(&mut self) {
        self.enterprises.sort_keys();
        self.lines
            .sort_by(|a, b| (&a.enterprise, &a.id).cmp(&(&b.enterprise, &b.id)));
        self.options.sort_keys();
        for opts in self.options.values_mut() {
            opts.sort_by(|a, b| a.code.cmp(&b.code));
        }
    }

    /// The enterprise that owns a line.
    pub fn enterprise_of(&self, line: &Line) -> &Enterprise {
        &self.enterprises[&line.enterprise]
    }

    /// Whole-society emissions of the city (sum over districts).
    pub fn society_total(&self) -> PollutantVec<TonnesPerDay> {
        let mut t = PollutantVec::<TonnesPerDay>::default();
        for d in self.districts.values() {
            for (p, v) in d.society.iter() {
                t[p] += v;
            }
        }
        t
    }
}
