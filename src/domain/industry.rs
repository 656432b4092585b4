//! Industries: Guide-2020 key industries and the city's non-key categories.

use super::{Grade, Pollutant};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// One industry of the industry table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Industry {
    /// Code used in inventories (e.g. `cement`).
    pub code: String,
    /// Chinese name (e.g. 水泥).
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// One of the 39 key industries of the Technical Guide 2020.
    pub key: bool,
    /// Graded only against one bar (引领性 industries).
    pub leading_only: bool,
    /// The lowest grade of the industry (what an unrated firm counts as).
    pub lowest_grade: Grade,
    /// Pollutants a line of this industry can plausibly emit.
    pub pollutants: Vec<Pollutant>,
}

/// The industry table, in file order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndustryTable {
    /// Industries by code.
    pub by_code: IndexMap<String, Industry>,
}

impl IndustryTable {
    /// Look an industry up by code or by Chinese name.
    pub fn resolve(&self, s: &str) -> Option<&Industry> {
        let s = s.trim();
        self.by_code.get(s).or_else(|| {
            self.by_code
                .values()
                .find(|i| i.name_zh == s || i.name_en.eq_ignore_ascii_case(s))
        })
    }

    /// The grade the rules apply: an unrated firm of a key industry counts as its industry's lowest.
    pub fn effective_grade(&self, industry: &str, grade: Grade) -> Grade {
        match (grade, self.by_code.get(industry)) {
            (Grade::Unrated, Some(ind)) if ind.key => ind.lowest_grade,
            (g, _) => g,
        }
    }
}
