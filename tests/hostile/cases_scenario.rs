//! Hostile cases: scenario.

use super::Case;

pub fn cases() -> Vec<Case> {
    vec![]
}
