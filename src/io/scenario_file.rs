//! Reading scenario TOML: an optional `base` scenario merged underneath, relative paths resolved
//! against the folder of the file that states them, the documented defaults laid under partial
//! tables, then range checks (every number against its documented [`Bound`]).

use super::table::display;
use super::IoError;
use crate::domain::scenario::{
    Bound, LIMIT, MAX_LIMITS, RATIO, RESTART_DAYS, SEASON_DAYS, SHARE, STABILITY, TONNES,
};
use crate::domain::{Level, Pollutant, PollutantVec, Scenario};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// Keys whose values are paths relative to the file that states them (list and stagger
/// scenarios).
pub const PATH_KEYS: [&str; 11] = [
    "inventory",
    "rules",
    "rule_overrides",
    "decisions",
    "calendar",
    "base",
    "participation",
    "quotas",
    "forecast",
    "government",
    "maintenance",
];

/// Largest scenario file read (a scenario is a page of text, not data).
const MAX_BYTES: u64 = 4 << 20;

/// Read a scenario; relative paths inside are resolved against the file's folder. A `base` key
/// names another scenario whose keys this file overrides (tables merge key by key; values and
/// arrays replace).
pub fn read_scenario(path: &Path) -> Result<Scenario, IoError> {
    let table = read_table_checked::<Scenario>(path)?;
    scenario_from_table(path, table)
}

/// A TOML scenario file of kind `T` (list or stagger scenario) as a table with its `base`
/// chain merged underneath and paths made absolute. A single file is first deserialized from its
/// text, so that its errors carry their line.
pub fn read_table_checked<T: DeserializeOwned>(path: &Path) -> Result<toml::Table, IoError> {
    let text = read_text(path)?;
    let parsed: Result<toml::Table, _> = toml::from_str(&text);
    if parsed.is_ok_and(|t| !t.contains_key("base")) {
        toml::from_str::<T>(&text).map_err(|e| IoError::Format {
            file: display(path),
            message: scenario_error(&text, &e),
        })?;
    }
    scenario_table(path, &mut Vec::new())
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
    map_paths(t, |p| {
        if p.is_relative() {
            folder.join(p).to_string_lossy().into_owned()
        } else {
            p.to_string_lossy().into_owned()
        }
    });
}

/// Rewrite every path-valued key of a scenario table (`inventory`, `rules`, …, `[revision]
/// previous`, `[air] stations` and `receptors`) with `f`.
pub fn map_paths(t: &mut toml::Table, f: impl Fn(&Path) -> String) {
    let apply = |v: Option<&mut toml::Value>| {
        if let Some(toml::Value::String(s)) = v {
            *s = f(Path::new(s.as_str()));
        }
    };
    for key in PATH_KEYS {
        apply(t.get_mut(key));
    }
    if let Some(toml::Value::Table(r)) = t.get_mut("revision") {
        apply(r.get_mut("previous"));
    }
    if let Some(toml::Value::Table(a)) = t.get_mut("air") {
        apply(a.get_mut("stations"));
        apply(a.get_mut("receptors"));
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
    if let Some(toml::Value::Table(a)) = t.get("air") {
        out.extend(path(a.get("stations")).map(|p| ("air.stations", p)));
        out.extend(path(a.get("receptors")).map(|p| ("air.receptors", p)));
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

/// The documented defaults of the tables a scenario may give in part (`[targets.<level>]`,
/// `[days]`, `[episodes]`), as TOML to lay underneath.
fn defaults() -> toml::Table {
    let d = Scenario::default_tables();
    toml::Table::try_from(&d).unwrap_or_default()
}

/// Deserialize and check a merged scenario table (`file` names it in errors).
pub fn scenario_from_table(file: &Path, table: toml::Table) -> Result<Scenario, IoError> {
    let file = display(file);
    let mut full = defaults();
    merge(&mut full, table);
    let s: Scenario = toml::Value::Table(full)
        .try_into()
        .map_err(|e: toml::de::Error| IoError::Format {
            file: file.clone(),
            message: with_hint(e.message().to_string()),
        })?;
    check_scenario(&s).map_err(|message| IoError::Format { file, message })?;
    Ok(s)
}

/// A scenario file's text: UTF-8 (a leading byte-order mark dropped), at most [`MAX_BYTES`];
/// a folder or an unreadable file is a read error (exit 7), other bytes a format error (exit 3).
pub fn read_text(path: &Path) -> Result<String, IoError> {
    let read = |source| IoError::Read {
        file: display(path),
        source,
    };
    let meta = std::fs::metadata(path).map_err(read)?;
    if meta.is_dir() {
        return Err(read(std::io::Error::other(
            "is a folder, not a scenario file (give the .toml file)",
        )));
    }
    if meta.len() > MAX_BYTES {
        return Err(IoError::Format {
            file: display(path),
            message: format!(
                "{} bytes: a scenario file is at most {MAX_BYTES} bytes of TOML",
                meta.len()
            ),
        });
    }
    let bytes = std::fs::read(path).map_err(read)?;
    let text = String::from_utf8(bytes).map_err(|e| IoError::Format {
        file: display(path),
        message: format!(
            "not UTF-8 text (byte {}): save the scenario as UTF-8",
            e.utf8_error().valid_up_to()
        ),
    })?;
    // Windows editors put a byte-order mark first; TOML does not allow one.
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text))
}

/// A TOML error with the line it is on, a hint to quote a Chinese bare key, and a did-you-mean
/// for an unknown key.
pub fn scenario_error(text: &str, e: &toml::de::Error) -> String {
    let message = with_hint(e.message().trim_end().to_string());
    match e.span() {
        Some(span) => {
            let start = floor_char(text, span.start);
            let line = text[..start].matches('\n').count() + 1;
            let src = text.lines().nth(line - 1).unwrap_or("");
            match quote_hint(src) {
                Some(fixed) => format!(
                    "line {line}: {message}; a key with Chinese (non-ASCII) characters must be quoted: write {fixed}"
                ),
                None => format!("line {line}: {message}"),
            }
        }
        None => message,
    }
}

/// The largest char boundary of `text` at or before `i`.
fn floor_char(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A bare key segment is `A-Za-z0-9_-` only.
fn bare(seg: &str) -> bool {
    !seg.is_empty()
        && seg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Quote every dotted segment that cannot be a bare key (`a.新吴区.b` → `a."新吴区".b`); `None`
/// when there is nothing to quote or the key already has quotes.
fn quote_key(key: &str) -> Option<String> {
    if key.contains(['"', '\'']) || key.is_ascii() {
        return None;
    }
    let segs: Vec<String> = key
        .split('.')
        .map(str::trim)
        .map(|s| {
            if bare(s) {
                s.to_string()
            } else {
                format!("\"{s}\"")
            }
        })
        .collect();
    Some(segs.join("."))
}

/// The corrected line when `line` is a table header or `key = value` whose key has unquoted
/// non-ASCII characters.
fn quote_hint(line: &str) -> Option<String> {
    let t = line.trim();
    if let Some(inner) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
        return quote_key(inner).map(|k| format!("[[{k}]]"));
    }
    if let Some(inner) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
        return quote_key(inner).map(|k| format!("[{k}]"));
    }
    let (key, value) = t.split_once('=')?;
    quote_key(key.trim()).map(|k| format!("{k} = {}", value.trim()))
}

/// Add a did-you-mean to an "unknown field `x`, expected one of `a`, `b`" message.
fn with_hint(message: String) -> String {
    match did_you_mean(&message) {
        Some(k) => format!("{message} (did you mean `{k}`?)"),
        None => message,
    }
}

/// The expected key nearest to the unknown one, when it is a likely typo.
fn did_you_mean(message: &str) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected = rest.split("expected").nth(1)?;
    let best = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|k| (edit_distance(unknown, k), k))
        .min()?;
    (best.0 > 0 && best.0 <= 2.max(unknown.chars().count() / 3)).then(|| best.1.to_string())
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// A table path as written in a header, quoting what cannot be bare: `districts.ratios."新吴区".red`.
pub fn key_path(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| {
            if bare(p) {
                p.to_string()
            } else {
                format!("\"{}\"", p.replace('"', "\\\""))
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Range checks a TOML parser cannot do: every number against its documented bound, and the
/// required ratios of each pollutant never falling from yellow to orange to red. Every problem
/// is listed, one per line.
pub fn check_scenario(s: &Scenario) -> Result<(), String> {
    let mut errs = Errors::default();
    if let Some(t) = &s.society {
        per_pollutant(t, |p, v| {
            errs.bound(&TONNES, format!("[society] {}", p.key()), v)
        });
    }
    for l in Level::ALL {
        per_pollutant(s.targets.get(l), |p, v| {
            errs.bound(&RATIO, format!("[targets.{}] {}", l.key(), p.key()), v)
        });
        for (d, r) in &s.districts.ratios {
            let table = key_path(&["districts", "ratios", d, l.key()]);
            per_pollutant(r.get(l), |p, v| {
                errs.bound(&RATIO, format!("[{table}] {}", p.key()), v)
            });
        }
        if let Some(c) = &s.controlled_min_cut {
            per_pollutant(c.get(l), |p, v| {
                errs.bound(
                    &RATIO,
                    format!("[controlled_min_cut.{}] {}", l.key(), p.key()),
                    v,
                )
            });
        }
        for (src, t) in s.credits.get(l) {
            let table = key_path(&["credits", l.key(), src]);
            per_pollutant(t, |p, v| {
                errs.bound(&TONNES, format!("[{table}] {}", p.key()), v)
            });
        }
        errs.bound(&SEASON_DAYS, format!("[days] {}", l.key()), *s.days.get(l));
        errs.bound(
            &SEASON_DAYS,
            format!("[episodes] {}", l.key()),
            *s.episodes.get(l),
        );
    }
    if s.options.limits.len() > MAX_LIMITS {
        errs.0.push(format!(
            "[options] limits has {} steps: at most {MAX_LIMITS}",
            s.options.limits.len()
        ));
    }
    for (i, &f) in s.options.limits.iter().enumerate() {
        errs.bound(&LIMIT, format!("[options] limits[{i}]"), f);
    }
    errs.bound(
        &SHARE,
        "[options] stop_electricity".into(),
        s.options.stop_electricity,
    );
    errs.bound(
        &RESTART_DAYS,
        "[options] restart_cost_days".into(),
        s.options.restart_cost_days,
    );
    for (i, c) in s.changes.iter().enumerate() {
        if let Some(v) = c.guarantee_min_load {
            errs.bound(
                &SHARE,
                format!("[[changes]] {} ({}) guarantee_min_load", i + 1, c.code),
                v,
            );
        }
    }
    if let Some(r) = &s.revision {
        errs.bound(
            &STABILITY,
            "[revision] stability_weight".into(),
            r.stability_weight,
        );
    }
    if let Err(e) = s.solver.check() {
        errs.0.push(e);
    }
    if let Some(Err(e)) = s.fairness.as_ref().map(|f| f.check()) {
        errs.0.extend(e);
    }
    if let Some(a) = &s.air {
        errs.0.extend(a.check());
    }
    if errs.0.is_empty() {
        // Orders are meaningful only between numbers that are in range.
        errs.0.extend(monotone(s));
    }
    if errs.0.is_empty() {
        Ok(())
    } else {
        Err(errs.0.join("\n"))
    }
}

/// Problems found so far, one message each.
#[derive(Default)]
struct Errors(Vec<String>);

impl Errors {
    /// Note `key = v` when it lies outside `b`.
    fn bound(&mut self, b: &Bound, key: String, v: f64) {
        if let Err(e) = b.check(&key, v) {
            self.0.push(e);
        }
    }
}

/// Call `f` for every pollutant a table states.
fn per_pollutant(t: &crate::domain::scenario::PollutantTable, mut f: impl FnMut(Pollutant, f64)) {
    for p in Pollutant::ALL {
        if let Some(v) = t.get(p) {
            f(p, v);
        }
    }
}

/// Required ratios must not fall from yellow to orange to red (red ⊇ orange ⊇ yellow), for the
/// city and for every district with overrides.
fn monotone(s: &Scenario) -> Vec<String> {
    let mut errs = Vec::new();
    let districts =
        std::iter::once(None).chain(s.districts.ratios.keys().map(|d| Some(d.as_str())));
    for d in districts {
        let ratios: Vec<PollutantVec<f64>> = Level::ALL
            .iter()
            .map(|&l| PollutantVec::from_fn(|p| s.ratio(l, p, d).0))
            .collect();
        for (i, pair) in Level::ALL.windows(2).enumerate() {
            let (lo, hi) = (pair[0], pair[1]);
            for p in Pollutant::ALL {
                let (a, b) = (ratios[i][p], ratios[i + 1][p]);
                if b < a {
                    // The key that states the value: the district's override, else the city's.
                    let table = |l: Level| match d {
                        Some(d) if s.districts.ratios[d].get(l).get(p).is_some() => {
                            format!(
                                "[{}] {}",
                                key_path(&["districts", "ratios", d, l.key()]),
                                p.key()
                            )
                        }
                        _ => format!("[targets.{}] {}", l.key(), p.key()),
                    };
                    errs.push(format!(
                        "{} = {b} is below {} = {a}: a higher warning level must not ask a smaller cut (red ≥ orange ≥ yellow)",
                        table(hi),
                        table(lo)
                    ));
                }
            }
        }
    }
    errs
}

/// How a result directory's summary names an input file: relative to the result directory, so
/// that a later reader finds it from any working folder (and the same inputs from the same
/// folder give the same bytes). Falls back to the absolute path when no relative path exists.
pub fn stored_path(file: &Path, result_dir: &Path) -> String {
    let (f, d) = (absolute(file), absolute(result_dir));
    let fc: Vec<_> = f.components().collect();
    let dc: Vec<_> = d.components().collect();
    let common = fc.iter().zip(&dc).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return f.to_string_lossy().into_owned();
    }
    let mut rel = PathBuf::new();
    for _ in common..dc.len() {
        rel.push("..");
    }
    for c in &fc[common..] {
        rel.push(c.as_os_str());
    }
    rel.to_string_lossy().into_owned()
}

/// Resolve a path a summary stored (see [`stored_path`]) against its result directory; older
/// summaries stored paths relative to the working folder of their run, which are tried last.
pub fn resolve_stored(stored: &str, result_dir: &Path) -> PathBuf {
    let p = Path::new(stored);
    let here = result_dir.join(p);
    if p.is_absolute() || here.exists() || !p.exists() {
        here
    } else {
        p.to_path_buf()
    }
}

/// `p` made absolute against the working folder, symbolic links and `..` resolved as far as
/// the path exists (the rest appended as written).
fn absolute(p: &Path) -> PathBuf {
    let p = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut existing = p.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = existing.canonicalize() {
            let mut out = c;
            for r in rest.iter().rev() {
                out.push(r);
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return p,
        }
    }
}
