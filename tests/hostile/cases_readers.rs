//! Hostile cases: readers.

use super::Case;

pub fn cases() -> Vec<Case> {
    vec![]
}
