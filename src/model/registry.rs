//! The row registry: a stable name for every row and column of the model, so that a solver
//! report, an exported model or an infeasibility explanation can be traced to its family and entity.

use super::problem::{Problem, Scope, Target};

/// Constraint families of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Each line chooses exactly one nested triple (`choose:<line>`).
    Choose,
    /// Level × pollutant × scope cut targets (`target:<level>:<pollutant>:<scope>`).
    Target,
    /// Whole-line stop counts (`stop-lines:<level>:<credit code>`).
    StopLines,
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

/// Scope label: `city`, a district name, or `controlled`.
pub fn scope_name(p: &Problem, s: Scope) -> String {
    match s {
        Scope::City => "city".into(),
        Scope::District(d) => p.districts[d].clone(),
        Scope::Controlled => "controlled".into(),
    }
}

/// ASCII identifier safe for LP/MPS files.
pub fn ascii_id(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// ASCII row name of a target, e.g. `target_orange_NOx_d0`.
pub fn target_id(t: &Target) -> String {
    let scope = match t.scope {
        Scope::City => "city".to_string(),
        Scope::District(d) => format!("d{d}"),
        Scope::Controlled => "controlled".to_string(),
    };
    format!("target_{}_{}_{scope}", t.level.key(), t.pollutant.label())
}

/// All row names with their family, in model order: choose rows, target rows, stop-line rows.
pub fn rows(p: &Problem, line_ids: &[String]) -> Vec<(Family, String)> {
    let mut out: Vec<(Family, String)> = p
        .units
        .iter()
        .map(|u| (Family::Choose, format!("choose:{}", line_ids[u.line])))
        .collect();
    out.extend(
        p.targets
            .iter()
            .map(|t| (Family::Target, target_name(p, t))),
    );
    for g in &p.groups {
        for l in crate::domain::Level::ALL {
            out.push((
                Family::StopLines,
                format!("stop-lines:{}:{}", l.key(), g.enterprise),
            ));
        }
    }
    out
}
