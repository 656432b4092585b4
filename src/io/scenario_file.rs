//! Reading scenario TOML: an optional `base` scenario merged underneath, relative paths resolved
//! against the folder of the file that states them, then range checks.

use super::table::display;
use super::IoError;
use crate::domain::Scenario;
use std::path::{Path, PathBuf};

/// Keys whose values are paths relative to the file that states them.
const PATH_KEYS: [&str; 4] = ["inventory", "rules", "rule_overrides", "base"];

/// Read a scenario; relative paths inside are resolved against the file's folder. A `base` key
/// names another scenario whose keys this file overrides (tables merge key by key; values and
/// arrays replace).
pub fn read_scenario(path: &Path) -> Result<Scenario, IoError> {
    let text = read_text(path)?;
    let parsed: Result<toml::Table, _> = toml::from_str(&text);
    if parsed.is_ok_and(|t| !t.contains_key("base")) {
        // A single file: deserialize its text first so that errors carry their line.
        toml::from_str::<Scenario>(&text).map_err(|e| IoError::Format {
            file: display(path),
            message: scenario_error(&text, &e),
        })?;
    }
    let table = scenario_table(path, &mut Vec::new())?;
    scenario_from_table(path, table)
}

/// The scenario's keys with its `base` chain merged underneath and paths made absolute.
pub fn scenario_table(path: &Path, chain: &mut Vec<PathBuf>) -> Result<toml::Table, IoError> {
    let file = display(path);
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if chain.contains(&canonical) {
        return Err(IoError::Format {
            file,
            message: "`base` refers back to this file (a cycle of base scenarios)".into(),
        });
    }
    chain.push(canonical);
    let text = read_text(path)?;
    let mut own: toml::Table = toml::from_str(&text).map_err(|e| IoError::Format {
        file: file.clone(),
        message: scenario_error(&text, &e),
    })?;
    resolve_paths(&mut own, path.parent().unwrap_or(Path::new(".")));
    let Some(base) = own.remove("base") else {
        return Ok(own);
    };
    let Some(base) = base.as_str() else {
        return Err(IoError::Format {
            file,
            message: format!("base = {base}: expected the path of a scenario file"),
        });
    };
    let mut merged = scenario_table(Path::new(base), chain)?;
    merge(&mut merged, own);
    Ok(merged)
}

/// Make the path-valued keys of a scenario table absolute against `folder`.
pub fn resolve_paths(t: &mut toml::Table, folder: &Path) {
    let absolute = |v: Option<&mut toml::Value>| {
        if let Some(toml::Value::String(s)) = v {
            let p = Path::new(s.as_str());
            if p.is_relative() {
                *s = folder.join(p).to_string_lossy().into_owned();
            }
        }
    };
    for key in PATH_KEYS {
        absolute(t.get_mut(key));
    }
    if let Some(toml::Value::Table(r)) = t.get_mut("revision") {
        absolute(r.get_mut("previous"));
    }
}

/// The files and folders a scenario table names (`inventory`, `rules`, `rule_overrides`, `base`
/// and `[revision] previous`), with their keys, as written in the table.
pub fn referenced_paths(t: &toml::Table) -> Vec<(&'static str, PathBuf)> {
    let path = |v: Option<&toml::Value>| match v {
        Some(toml::Value::String(s)) => Some(PathBuf::from(s)),
        _ => None,
    };
    let mut out: Vec<(&'static str, PathBuf)> = PATH_KEYS
        .iter()
        .filter_map(|&k| path(t.get(k)).map(|p| (k, p)))
        .collect();
    if let Some(toml::Value::Table(r)) = t.get("revision") {
        out.extend(path(r.get("previous")).map(|p| ("revision.previous", p)));
    }
    out
}

/// Merge `overlay` into `base`: tables merge key by key, everything else replaces.
pub fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (k, v) in overlay {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Deserialize and check a merged scenario table (`file` names it in errors).
pub fn scenario_from_table(file: &Path, table: toml::Table) -> Result<Scenario, IoError> {
    let file = display(file);
    let s: Scenario = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| IoError::Format {
            file: file.clone(),
            message: format!("{} (after merging its base scenario)", e.message()),
        })?;
    check_scenario(&s).map_err(|message| IoError::Format { file, message })?;
    Ok(s)
}

fn read_text(path: &Path) -> Result<String, IoError> {
    std::fs::read_to_string(path).map_err(|source| IoError::Read {
        file: display(path),
        source,
    })
}

/// A TOML error with the line it is on.
pub fn scenario_error(text: &str, e: &toml::de::Error) -> String {
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
    s.solver.check()
}
