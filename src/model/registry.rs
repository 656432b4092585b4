//! The row registry: a stable name for every row and column of the model, so that a solver
//! report, an exported model or an infeasibility explanation can be traced to its family and entity.

use super::problem::{Problem, Scope, StationTarget, Target};
use crate::domain::Level;
use std::collections::HashSet;

/// Constraint families of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Each line chooses exactly one nested triple (`choose:<line>`).
    Choose,
    /// Level × pollutant × scope cut targets (`target:<level>:<pollutant>:<scope>`).
    Target,
    /// Whole-line stop counts (`stop-lines:<level>:<credit code>`).
    StopLines,
    /// Estimated PM2.5 reduction at a station or the mean of the stations
    /// (`station:<level>:PM25:<station>`, `station:<level>:PM25:mean`).
    Station,
    /// Fairness: a group's lines take at most k measures at a level
    /// (`fair-link:<level>:<group>:<measure>:<line>`, `fair-count:<level>:<group>`).
    Fair,
    /// Test family: at most k stops among some lines (see `model::family::tests`).
    #[cfg(test)]
    StopCap,
}

/// Human-readable name of a target row, e.g. `target:orange:NOx:江阴市`.
pub fn target_name(p: &Problem, t: &Target) -> String {
    format!(
        "target:{}:{}:{}",
        t.level.key(),
        t.pollutant.label(),
        scope_name(p, t.scope)
    )
}

/// Name of a station row, e.g. `station:red:PM25:S03` or `station:red:PM25:mean`.
pub fn station_name(s: &StationTarget) -> String {
    format!("station:{}:PM25:{}", s.level.key(), s.station)
}

/// Scope label: `city` (`region` in a regional model), a district name, `controlled`, or a
/// regional model's city (`<city>`, `<city>:controlled`).
pub fn scope_name(p: &Problem, s: Scope) -> String {
    match s {
        Scope::City if !p.members.is_empty() => "region".into(),
        Scope::City => "city".into(),
        Scope::District(d) => p.districts[d].clone(),
        Scope::Controlled => "controlled".into(),
        Scope::Member(c) => p.members[c].clone(),
        Scope::MemberControlled(c) => format!("{}:controlled", p.members[c]),
    }
}

/// Name of a line's `choose` row in the triple form: `choose:<line>`.
pub fn choose_name(line: &str) -> String {
    format!("choose:{line}")
}

/// Name of a line's `choose` row at one level in the compact form: `choose:<level>:<line>`.
pub fn choose_level_name(level: Level, line: &str) -> String {
    format!("choose:{}:{line}", level.key())
}

/// Name of a nesting row of the compact form: the option at `lower` is at most as strict as the
/// option at the next level in `attribute` (`loss`, a pollutant label, or `stop`), e.g.
/// `nest:yellow:orange:NOx:<line>`.
pub fn nest_name(lower: Level, upper: Level, attribute: &str, line: &str) -> String {
    format!("nest:{}:{}:{attribute}:{line}", lower.key(), upper.key())
}

/// Name of a whole-line stop row: `stop-lines:<level>:<credit code>`.
pub fn stop_lines_name(level: Level, enterprise: &str) -> String {
    format!("stop-lines:{}:{enterprise}", level.key())
}

/// Column "fairness group `group` uses measure `key` at `level`": `w:<level>:<group>:<key>`.
pub fn fair_column_name(level: Level, group: &str, key: &str) -> String {
    format!("w:{}:{group}:{key}", level.key())
}

/// Row "line `line` takes measure `key` only if its group uses it":
/// `fair-link:<level>:<group>:<key>:<line>`.
pub fn fair_link_name(level: Level, group: &str, key: &str, line: &str) -> String {
    format!("fair-link:{}:{group}:{key}:{line}", level.key())
}

/// Row "group `group` uses at most k measures at `level`": `fair-count:<level>:<group>`.
pub fn fair_count_name(level: Level, group: &str) -> String {
    format!("fair-count:{}:{group}", level.key())
}

/// Column of the triple form: line `line` takes its nested triple number `t`: `x:<line>:<t>`.
pub fn triple_column_name(line: &str, t: usize) -> String {
    format!("x:{line}:{t}")
}

/// Column of the compact form: line `line` takes option number `c` at `level`:
/// `y:<line>:<level>:<c>`.
pub fn option_column_name(line: &str, level: Level, c: usize) -> String {
    format!("y:{line}:{}:{c}", level.key())
}

/// Longest name CBC's LP reader accepts (bytes).
const MAX_NAME_BYTES: usize = 100;

/// Turns registry names into names a model file can hold: no whitespace or control characters,
/// at most 100 bytes, and (in LP files) none of the characters the LP grammar reserves; a name
/// that would clash with an earlier one gets a `~<n>` suffix, so every name stays unique.
#[derive(Debug, Default)]
pub struct SafeNames {
    lp: bool,
    used: HashSet<String>,
}

impl SafeNames {
    /// Names for an LP file (`lp = true`) or a free MPS file.
    pub fn new(lp: bool) -> Self {
        SafeNames {
            lp,
            used: HashSet::new(),
        }
    }

    /// The safe, unique form of `raw`.
    pub fn name(&mut self, raw: &str) -> String {
        let mut base = String::with_capacity(raw.len());
        for c in raw.chars() {
            self.push_safe(&mut base, c);
        }
        let mut name = truncate(&base, MAX_NAME_BYTES);
        let mut n = 1;
        while !self.used.insert(name.clone()) {
            n += 1;
            let suffix = format!("~{n}");
            name = truncate(&base, MAX_NAME_BYTES - suffix.len()) + &suffix;
        }
        name
    }

    /// Append the safe form of `c`: whitespace and controls as `_`; in LP files (whose reader,
    /// CBC's, takes ASCII only) `:` as `.`, operators and quotes as `_`, other characters as
    /// `u<hex code point>`.
    fn push_safe(&self, out: &mut String, c: char) {
        if c.is_whitespace() || c.is_control() {
            out.push('_');
        } else if !self.lp {
            out.push(c);
        } else if c == ':' {
            out.push('.');
        } else if "+-*/^<>=[]\\'\"".contains(c) {
            out.push('_');
        } else if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("u{:x}", u32::from(c)));
        }
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// All row names with their family, in model order: choose rows, every coupling family's rows,
/// fairness count rows.
pub fn rows(p: &Problem, line_ids: &[String]) -> Vec<(Family, String)> {
    let mut out: Vec<(Family, String)> = p
        .units
        .iter()
        .map(|u| (Family::Choose, choose_name(&line_ids[u.line])))
        .collect();
    out.extend(
        super::family::coupling_rows(p)
            .into_iter()
            .map(|row| (row.family, row.key)),
    );
    out.extend(
        p.fairness
            .iter()
            .map(|g| (Family::Fair, fair_count_name(g.level, &g.name))),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_have_no_spaces_fit_cbc_and_stay_unique() {
        let mut mps = SafeNames::new(false);
        assert_eq!(
            mps.name("target:orange:NOx:江阴 市"),
            "target:orange:NOx:江阴_市"
        );
        assert_eq!(
            mps.name("target:orange:NOx:江阴_市"),
            "target:orange:NOx:江阴_市~2"
        );
        let long = "线".repeat(60);
        let a = mps.name(&long);
        let b = mps.name(&long);
        assert!(a.len() <= 100 && b.len() <= 100 && a != b, "{a} {b}");
        let mut lp = SafeNames::new(true);
        assert_eq!(lp.name("stop-lines:red:a'b\"c"), "stop_lines.red.a_b_c");
        assert_eq!(lp.name("x:L\t1:0"), "x.L_1.0");
        assert_eq!(lp.name("target:red:PM:江阴"), "target.red.PM.u6c5fu9634");
    }
}
