//! Sweep files: a base scenario and named overrides, listed one by one (`[[scenario]]`) or as
//! grids (`[[grid]]` with `axes`, every combination), expanded into cases in file order.

use super::digest::{inputs_digest, region_inputs_digest, Hasher};
use crate::io::scenario_file::{merge, resolve_paths, scenario_from_table, scenario_table};
use crate::io::IoError;
use indexmap::IndexMap;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A sweep file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepFile {
    name: String,
    base: PathBuf,
    #[serde(default = "default_chains")]
    chains: usize,
    /// Overrides for every scenario of the sweep (e.g. a coarser gap).
    #[serde(default)]
    set: toml::Table,
    #[serde(default)]
    scenario: Vec<toml::Table>,
    #[serde(default)]
    grid: Vec<GridFile>,
}

/// Most scenarios one sweep file may expand into.
pub const MAX_CASES: usize = 10_000;

fn default_chains() -> usize {
    4
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct GridFile {
    name: String,
    /// Overrides shared by every case of the grid.
    #[serde(default)]
    set: toml::Table,
    /// Dotted scenario key → values; every combination becomes a case.
    axes: IndexMap<String, Vec<toml::Value>>,
}

/// One scenario of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Position in the sweep (0-based, file order).
    pub index: usize,
    /// Unique name.
    pub name: String,
    /// The overridden keys (dotted) and their values, as the results table's parameter columns.
    pub params: IndexMap<String, toml::Value>,
    /// The scenario: base merged with the overrides, paths absolute.
    pub scenario: toml::Table,
    /// Hash of the content of every input file the scenario names (see
    /// [`super::digest::inputs_digest`]), taken when the sweep is read.
    pub inputs: String,
}

/// What a sweep's base scenario plans, told by its keys: a regional scenario names `cities`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One city's list scenario: each case is planned as `jianpai plan` plans it.
    City,
    /// A regional scenario (`region.toml`): each case is the joint solve of `jianpai region`.
    Region,
}

impl Kind {
    /// The kind of a scenario table.
    pub fn of(table: &toml::Table) -> Kind {
        if table.contains_key("cities") {
            Kind::Region
        } else {
            Kind::City
        }
    }

    /// Check a merged scenario table of this kind (`file` names it in errors); gives its name
    /// and the table with every default stated.
    fn complete(self, file: &Path, table: toml::Table) -> Result<(String, toml::Table), IoError> {
        let (name, full) = match self {
            Kind::City => {
                let s = scenario_from_table(file, table)?;
                (s.name.clone(), toml::Table::try_from(&s))
            }
            Kind::Region => {
                let r = crate::region::scenario::region_from_table(file, table)?;
                (r.name.clone(), toml::Table::try_from(&r))
            }
        };
        let full = full.map_err(|e| IoError::Format {
            file: file.display().to_string(),
            message: e.to_string(),
        })?;
        Ok((name, full))
    }

    /// What identifies a case's input files (cases with the same key share their digest).
    fn inputs_key(self, scenario: &toml::Table) -> String {
        match self {
            Kind::City => format!("{:?}", crate::io::scenario_file::referenced_paths(scenario)),
            Kind::Region => format!("{:?}", scenario.get("cities")),
        }
    }

    /// The hash of a case's input files.
    fn inputs_digest(self, scenario: &toml::Table) -> String {
        match self {
            Kind::City => inputs_digest(scenario),
            Kind::Region => region_inputs_digest(scenario),
        }
    }
}

/// Make the relative paths of a regional table's `cities` and `[air]` tables absolute against
/// `folder`.
fn resolve_cities(t: &mut toml::Table, folder: &Path) {
    resolve_paths(t, folder);
    if let Some(toml::Value::Array(cities)) = t.get_mut("cities") {
        for c in cities {
            if let toml::Value::String(s) = c {
                if Path::new(s.as_str()).is_relative() {
                    *s = folder.join(s.as_str()).to_string_lossy().into_owned();
                }
            }
        }
    }
}

/// A regional case that sets some levels of `[days]` or `[episodes]` when the base region sets
/// none: the other levels would silently become 0 instead of the cities' own.
fn partial_warning(kind: Kind, base: &toml::Table, case: &toml::Table) -> Option<String> {
    if kind != Kind::Region {
        return None;
    }
    ["days", "episodes"].into_iter().find_map(|key| {
        let toml::Value::Table(t) = case.get(key)? else {
            return None;
        };
        let missing: Vec<&str> = ["yellow", "orange", "red"]
            .into_iter()
            .filter(|l| !t.contains_key(*l))
            .collect();
        (!base.contains_key(key) && !missing.is_empty()).then(|| {
            format!(
                "{key}: the base region has no [{key}], so {} would be 0; set every level \
                 ({key}.yellow, {key}.orange, {key}.red) or give the region its [{key}]",
                missing.join(", ")
            )
        })
    })
}

/// An expanded sweep.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// Display name.
    pub name: String,
    /// The sweep file.
    pub file: PathBuf,
    /// What the base scenario plans (one city, or a region).
    pub kind: Kind,
    /// Warm-start chains (fixed by the file, never by `--jobs`, so results do not depend on it).
    pub chains: usize,
    /// Cases in file order.
    pub cases: Vec<Case>,
}

impl Sweep {
    /// Contiguous chains of case indices; each chain is solved in order, warm-starting each case
    /// from the one before.
    pub fn chain_ranges(&self) -> Vec<std::ops::Range<usize>> {
        chain_ranges(self.cases.len(), self.chains)
    }

    /// A fingerprint of every case (merged scenario and name), to recognise finished results.
    pub fn fingerprint(&self) -> String {
        let mut h = Hasher::default();
        h.field(self.chains.to_string().as_bytes());
        for c in &self.cases {
            h.field(case_fingerprint(c).as_bytes());
        }
        h.hex()
    }
}

/// Split `n` cases into at most `chains` contiguous ranges whose sizes differ by at most one.
pub fn chain_ranges(n: usize, chains: usize) -> Vec<std::ops::Range<usize>> {
    let k = chains.clamp(1, n.max(1));
    (0..k)
        .map(|i| (i * n / k)..((i + 1) * n / k))
        .filter(|r| !r.is_empty())
        .collect()
}

/// Fingerprint of one case: its name, the scenario it solves, the content of every input file
/// the scenario names and this program's version.
pub fn case_fingerprint(c: &Case) -> String {
    let mut h = Hasher::default();
    h.field(env!("CARGO_PKG_VERSION").as_bytes());
    h.field(c.name.as_bytes());
    h.field(toml::to_string(&c.scenario).unwrap_or_default().as_bytes());
    h.field(c.inputs.as_bytes());
    h.hex()
}

/// Read and expand a sweep file.
pub fn read_sweep(path: &Path) -> Result<Sweep, IoError> {
    let file = path.display().to_string();
    let fmt = |message: String| IoError::Format {
        file: file.clone(),
        message,
    };
    let text = crate::io::scenario_file::read_text(path)?;
    let spec: SweepFile = toml::from_str(&text)
        .map_err(|e| fmt(crate::io::scenario_file::scenario_error(&text, &e)))?;
    if spec.chains == 0 {
        return Err(fmt("chains = 0: at least one warm-start chain".into()));
    }
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut set = spec.set.clone();
    resolve_paths(&mut set, folder);
    resolve_cities(&mut set, folder);
    if spec.scenario.len() > MAX_CASES {
        return Err(fmt(format!(
            "{} [[scenario]] tables: at most {MAX_CASES}",
            spec.scenario.len()
        )));
    }
    let mut list: Vec<(String, toml::Table, IndexMap<String, toml::Value>)> = Vec::new();
    for (i, mut t) in spec.scenario.into_iter().enumerate() {
        resolve_paths(&mut t, folder);
        resolve_cities(&mut t, folder);
        let name = match t.remove("name") {
            Some(toml::Value::String(s)) if !s.trim().is_empty() => s,
            _ => return Err(fmt(format!("scenario[{}] has no `name`", i + 1))),
        };
        let mut params = IndexMap::new();
        flatten("", &t, &mut params);
        list.push((name, t, params));
    }
    for g in spec.grid {
        if g.axes.is_empty() || g.axes.values().any(Vec::is_empty) {
            return Err(fmt(format!(
                "grid \"{}\": every axis needs at least one value",
                g.name
            )));
        }
        let axes: Vec<(&String, &Vec<toml::Value>)> = g.axes.iter().collect();
        let total = axes
            .iter()
            .try_fold(1usize, |acc, (_, v)| acc.checked_mul(v.len()))
            .filter(|&t| list.len() + t <= MAX_CASES)
            .ok_or_else(|| {
                fmt(format!(
                    "grid \"{}\": the axes make more than {MAX_CASES} scenarios in all",
                    g.name
                ))
            })?;
        for k in 0..total {
            let mut overlay = g.set.clone();
            let mut params = IndexMap::new();
            flatten("", &g.set, &mut params);
            let mut rest = k;
            let mut pick = vec![0; axes.len()];
            for (j, (_, vals)) in axes.iter().enumerate().rev() {
                pick[j] = rest % vals.len();
                rest /= vals.len();
            }
            let mut label = Vec::new();
            for (j, (key, vals)) in axes.iter().enumerate() {
                let v = vals[pick[j]].clone();
                label.push(value_text(&v));
                let mut one = toml::Table::new();
                insert_dotted(&mut one, key, v.clone());
                merge(&mut overlay, one);
                params.insert((*key).clone(), v);
            }
            list.push((format!("{}[{}]", g.name, label.join(",")), overlay, params));
        }
    }
    build(
        &spec.name,
        path,
        spec.chains,
        &folder.join(&spec.base),
        set,
        list,
    )
}

/// A sweep from a base scenario file, overrides for every case (`set`) and named cases
/// (name, overrides, parameter columns). `file` names the sweep in errors.
pub fn build(
    name: &str,
    file: &Path,
    chains: usize,
    base_path: &Path,
    set: toml::Table,
    list: Vec<(String, toml::Table, IndexMap<String, toml::Value>)>,
) -> Result<Sweep, IoError> {
    let shown = file.display().to_string();
    let fmt = |message: String| IoError::Format {
        file: shown.clone(),
        message,
    };
    let mut base = scenario_table(base_path, &mut Vec::new())?;
    let kind = Kind::of(&base);
    if kind == Kind::Region {
        resolve_cities(&mut base, base_path.parent().unwrap_or(Path::new(".")));
    }
    let mut with_set = base.clone();
    merge(&mut with_set, set);
    if let Some(message) = partial_warning(kind, &base, &with_set) {
        return Err(fmt(format!("[set]: {message}")));
    }
    // State every default explicitly, so that an override of a key the base leaves out (say
    // `days.red`) lands in a complete table. A bad base is the base file's fault; a base that
    // is fine alone but not under `[set]` is the sweep file's.
    let (base_name, base) =
        kind.complete(base_path, with_set)
            .map_err(|e| match kind.complete(base_path, base) {
                Err(base_err) => base_err,
                Ok(_) => fmt(format!(
                    "[set] over the base scenario {}: {}",
                    base_path.display(),
                    strip_file(&e.to_string(), &base_path.display().to_string())
                )),
            })?;
    let mut cases: Vec<Case> = Vec::new();
    // Cases mostly share their inputs: hash each set of input paths once.
    let mut digests: std::collections::HashMap<String, String> = Default::default();
    for (case_name, overlay, params) in list {
        if cases.iter().any(|c| c.name == case_name) {
            return Err(fmt(format!("two scenarios are named \"{case_name}\"")));
        }
        let mut scenario = base.clone();
        merge(&mut scenario, overlay);
        scenario.insert("name".into(), format!("{base_name} · {case_name}").into());
        // The merged scenario must be a valid scenario; say which case is wrong.
        kind.complete(file, scenario.clone()).map_err(|e| {
            fmt(format!(
                "scenario \"{case_name}\": {}",
                strip_file(&e.to_string(), &shown)
            ))
        })?;
        if let Some(message) = partial_warning(kind, &base, &scenario) {
            return Err(fmt(format!("scenario \"{case_name}\": {message}")));
        }
        let inputs = digests
            .entry(kind.inputs_key(&scenario))
            .or_insert_with(|| kind.inputs_digest(&scenario))
            .clone();
        cases.push(Case {
            index: cases.len(),
            name: case_name,
            params,
            scenario,
            inputs,
        });
    }
    if cases.is_empty() {
        return Err(fmt("the sweep has no [[scenario]] and no [[grid]]".into()));
    }
    Ok(Sweep {
        name: name.to_string(),
        file: file.to_path_buf(),
        kind,
        chains,
        cases,
    })
}

fn strip_file(msg: &str, file: &str) -> String {
    msg.strip_prefix(file)
        .and_then(|m| m.strip_prefix(": "))
        .unwrap_or(msg)
        .to_string()
}

/// Put `value` at a dotted key (`targets.red.nox`) of a table.
pub fn insert_dotted(t: &mut toml::Table, key: &str, value: toml::Value) {
    let mut parts: Vec<&str> = key.split('.').collect();
    let last = parts.pop().unwrap_or(key);
    let mut cur = t;
    for p in parts {
        let slot = cur
            .entry(p.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !slot.is_table() {
            // A value in the way: the merged scenario then fails validation with its key.
            *slot = toml::Value::Table(toml::Table::new());
        }
        let toml::Value::Table(next) = slot else {
            unreachable!("made a table above")
        };
        cur = next;
    }
    cur.insert(last.to_string(), value);
}

/// Leaf values of an overlay under dotted keys; arrays of tables count as their length.
fn flatten(prefix: &str, t: &toml::Table, out: &mut IndexMap<String, toml::Value>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(sub) => flatten(&key, sub, out),
            toml::Value::Array(a) if a.iter().all(toml::Value::is_table) && !a.is_empty() => {
                out.insert(key, toml::Value::Integer(a.len() as i64));
            }
            v => {
                out.insert(key, v.clone());
            }
        }
    }
}

/// A parameter value as text (strings without quotes).
pub fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(a) => a.iter().map(value_text).collect::<Vec<_>>().join(";"),
        v => v.to_string(),
    }
}
