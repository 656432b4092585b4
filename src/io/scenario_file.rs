//! Reading scenario TOML and resolving its paths against the scenario's folder.

use super::table::display;
use super::IoError;
use crate::domain::Scenario;
use std::path::Path;

/// Read a scenario; relative paths inside are resolved against the file's folder.
pub fn read_scenario(path: &Path) -> Result<Scenario, IoError> {
    let file = display(path);
    let text = std::fs::read_to_string(path).map_err(|source| IoError::Read {
        file: file.clone(),
        source,
    })?;
    let mut s: Scenario = toml::from_str(&text).map_err(|e| IoError::Format {
        file: file.clone(),
        message: scenario_error(&text, &e),
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    for p in [
        Some(&mut s.inventory),
        Some(&mut s.rules),
        s.rule_overrides.as_mut(),
        s.revision.as_mut().and_then(|r| r.previous.as_mut()),
    ]
    .into_iter()
    .flatten()
    {
        if p.is_relative() {
            *p = base.join(&*p);
        }
    }
    check_scenario(&s).map_err(|message| IoError::Format { file, message })?;
    Ok(s)
}

fn scenario_error(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {}", e.message())
        }
        None => e.message().to_string(),
    }
}

/// Range checks a TOML parser cannot do.
pub fn check_scenario(s: &Scenario) -> Result<(), String> {
    use crate::domain::{Level, Pollutant};
    for l in Level::ALL {
        for p in Pollutant::ALL {
            if let Some(v) = s.targets.get(l).get(p) {
                if !(0.0..=1.0).contains(&v) {
                    return Err(format!("targets.{}.{} = {v}: a required cut is a share between 0 and 1 (write 0.2 for 20 %)", l.key(), p.key()));
                }
            }
        }
        let d = *s.days.get(l);
        if !(d.is_finite() && d >= 0.0) {
            return Err(format!(
                "days.{} = {d}: expected warning days must be a number ≥ 0",
                l.key()
            ));
        }
        for (src, t) in s.credits.get(l) {
            for p in Pollutant::ALL {
                if let Some(v) = t.get(p) {
                    if !(v.is_finite() && v >= 0.0) {
                        return Err(format!(
                            "credits.{}.{src}.{} = {v}: a credit is t/d ≥ 0",
                            l.key(),
                            p.key()
                        ));
                    }
                }
            }
        }
    }
    for &f in &s.options.limits {
        if !(f > 0.0 && f < 1.0) {
            return Err(format!("options.limits contains {f}: limits are shares strictly between 0 and 1 (stop is always offered)"));
        }
    }
    if let Some(r) = &s.revision {
        if !(r.stability_weight.is_finite() && r.stability_weight >= 0.0) {
            return Err(format!(
                "revision.stability_weight = {}: must be a number ≥ 0 (万元 per changed line and level)",
                r.stability_weight
            ));
        }
    }
    if s.solver.time_limit.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return Err(format!(
            "solver.time_limit = {}: must be > 0 seconds",
            s.solver.time_limit
        ));
    }
    if !(0.0..1.0).contains(&s.solver.rel_gap) {
        return Err(format!(
            "solver.rel_gap = {}: must be in [0, 1)",
            s.solver.rel_gap
        ));
    }
    Ok(())
}
