//! Hostile cases: setup.

use super::Case;

pub fn cases() -> Vec<Case> {
    vec![]
}
