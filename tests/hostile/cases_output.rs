//! Hostile cases: output.

use super::Case;

pub fn cases() -> Vec<Case> {
    vec![]
}
