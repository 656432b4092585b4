//! Planners' decisions (锁定与调整): a line's or an enterprise's measure fixed, or bounded from
//! below or above, at one level or all, with the reason the planner gives. The optimiser honours
//! every decision, `check` verifies them and the summary prices each.

use super::{CreditCode, Level, Measure};
use serde::Serialize;

/// What a decision binds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum DecisionTarget {
    /// One production line, by id.
    Line(String),
    /// Every active line of an enterprise.
    Enterprise(CreditCode),
}

/// How a decision binds the measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionMode {
    /// Exactly this measure.
    Fix,
    /// This measure or a stricter one.
    AtLeast,
    /// This measure or a weaker one.
    AtMost,
}

impl DecisionMode {
    /// Parse `fix` / `at_least` / `at_most` (and the Chinese 锁定 / 不低于 / 不高于).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_lowercase().as_str() {
            "fix" | "锁定" | "固定" => Some(Self::Fix),
            "at_least" | "atleast" | "不低于" | "至少" => Some(Self::AtLeast),
            "at_most" | "atmost" | "不高于" | "至多" => Some(Self::AtMost),
            _ => None,
        }
    }

    /// Machine key.
    pub fn key(self) -> &'static str {
        match self {
            Self::Fix => "fix",
            Self::AtLeast => "at_least",
            Self::AtMost => "at_most",
        }
    }

    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Fix => "锁定",
            Self::AtLeast => "不低于",
            Self::AtMost => "不高于",
        }
    }
}

/// One decision row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// Spreadsheet row of the decisions file (header = 1).
    pub row: usize,
    /// What it binds.
    pub target: DecisionTarget,
    /// Levels it binds (all three for `*`).
    pub levels: Vec<Level>,
    /// The measure (its transport part is the rules' business and is ignored).
    pub measure: Measure,
    /// Fix, at least or at most.
    pub mode: DecisionMode,
    /// The planner's reason (required: a list is audited).
    pub reason: String,
}

impl Decision {
    /// Short label for messages: `第3行 L0001-01 橙色 锁定 L50`.
    pub fn label(&self) -> String {
        let who = match &self.target {
            DecisionTarget::Line(id) => id.clone(),
            DecisionTarget::Enterprise(c) => c.to_string(),
        };
        let levels = if self.levels.len() == 3 {
            "*".to_string()
        } else {
            self.levels
                .iter()
                .map(|l| l.zh())
                .collect::<Vec<_>>()
                .join("/")
        };
        format!(
            "第{}行 {who} {levels} {} {}",
            self.row,
            self.mode.zh(),
            self.measure.code()
        )
    }
}
