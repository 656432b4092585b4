//! Side-by-side comparison of plans: targets against achieved, loss and status, and — against
//! the first plan — which enterprises and lines change measure, by district and industry.

use crate::diff::diff;
use crate::diff::listing::{read_listing, Listing};
use crate::domain::{Level, Pollutant};
use crate::io::IoError;
use crate::validate::Report;
use indexmap::IndexMap;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Required and achieved cut of one target (t/d).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TargetPair {
    /// Required.
    pub required: f64,
    /// Achieved (lines and credits).
    pub achieved: f64,
    /// Met (within the solver's feasibility tolerance).
    pub met: bool,
}

/// Changes of a plan against the first one.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Changed {
    /// Lines whose measure changes, per level.
    pub lines_per_level: IndexMap<&'static str, usize>,
    /// Lines whose measure changes at some level.
    pub lines: usize,
    /// Enterprises with such a line.
    pub enterprises: usize,
    /// District → (enterprises, lines) changing.
    pub by_district: BTreeMap<String, (usize, usize)>,
    /// Industry → (enterprises, lines) changing.
    pub by_industry: BTreeMap<String, (usize, usize)>,
}

/// One plan's column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// Folder or file compared.
    pub source: String,
    /// Scenario name from summary.json.
    pub scenario: String,
    /// Solver status.
    pub status: String,
    /// Expected season loss (万元).
    pub loss: Option<f64>,
    /// Relative gap.
    pub gap: Option<f64>,
    /// City targets: level → pollutant → required / achieved.
    pub targets: IndexMap<&'static str, IndexMap<&'static str, TargetPair>>,
    /// Lines with a measure beyond voluntary, per level.
    pub lines_controlled: IndexMap<&'static str, usize>,
    /// Against the first plan (none for the first).
    pub changed: Option<Changed>,
}

/// The comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// One column per plan, the first is the reference.
    pub plans: Vec<Column>,
}

/// Why plans cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// A plan file cannot be read (the report names file, row, column and value).
    #[error("{}: the plan cannot be read", .0.display())]
    Plan(PathBuf, Report),
    /// A plan folder's `summary.json` is missing or unreadable.
    #[error(transparent)]
    Summary(#[from] IoError),
    /// The plans list different lines: they were made from different inventories.
    #[error("{other}: a plan of a different inventory than {first} — only {common} of its {lines} lines (credit code + line id) are in {first}; compare plans of one city, or give --totals-only to compare totals only")]
    OtherInventory {
        /// The reference plan.
        first: String,
        /// The plan that does not match.
        other: String,
        /// Lines in common.
        common: usize,
        /// Lines of the smaller plan.
        lines: usize,
    },
}

/// A plan's `summary.json`: required beside a plan folder's plan.csv (status, loss and targets
/// come from it); for a plan file given alone, used when present.
fn summary(path: &Path) -> Result<serde_json::Value, IoError> {
    let (file, required) = if path.is_dir() {
        (path.join("summary.json"), true)
    } else {
        (path.with_file_name("summary.json"), false)
    };
    let shown = file.display().to_string();
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(serde_json::Value::Null)
        }
        Err(source) => {
            return Err(IoError::Read {
                file: shown,
                source,
            })
        }
    };
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| IoError::Format {
        file: shown.clone(),
        message: format!("is not valid JSON: {e}"),
    })?;
    // Plan and revision folders (and older plan folders without a kind) hold a plan's figures.
    if let Some(kind) = v
        .get("kind")
        .filter(|k| !matches!(k.as_str(), Some("plan" | "revision")))
    {
        return Err(IoError::Format {
            file: shown,
            message: format!("is the summary of a {kind} result, not of a plan: give plan folders"),
        });
    }
    Ok(v)
}

/// Plans made from one inventory list (almost) the same lines; plans of two cities share few.
/// At least half of the smaller plan's lines must be in the other.
fn same_inventory(first: &Listing, other: &Listing) -> Result<(), (usize, usize)> {
    let key = |l: &crate::diff::listing::ListedLine| (l.credit_code.clone(), l.line_id.clone());
    let a: BTreeSet<(String, String)> = first.lines.values().map(key).collect();
    let b: BTreeSet<(String, String)> = other.lines.values().map(key).collect();
    let common = a.intersection(&b).count();
    let lines = a.len().min(b.len());
    if 2 * common >= lines && lines > 0 {
        Ok(())
    } else {
        Err((common, lines))
    }
}

fn column(path: &Path, list: &Listing, s: &serde_json::Value) -> Column {
    let mut targets = IndexMap::new();
    let mut controlled = IndexMap::new();
    for l in Level::ALL {
        let mut m = IndexMap::new();
        for p in Pollutant::ALL {
            let t = &s["levels"][l.key()]["city"][p.label()];
            if let (Some(r), Some(a)) = (t["required"].as_f64(), t["achieved"].as_f64()) {
                let met = t["met"].as_bool().unwrap_or(a >= r);
                m.insert(
                    p.label(),
                    TargetPair {
                        required: r,
                        achieved: a,
                        met,
                    },
                );
            }
        }
        targets.insert(l.key(), m);
        let k = l.index();
        controlled.insert(
            l.key(),
            list.lines
                .values()
                .filter(|x| x.measure[k].as_ref().is_some_and(|m| m.code() != "V"))
                .count(),
        );
    }
    Column {
        source: path.display().to_string(),
        scenario: s["scenario"].as_str().unwrap_or("").to_string(),
        status: s["status"].as_str().unwrap_or("").to_string(),
        loss: s["objective"].as_f64(),
        gap: s["gap"].as_f64(),
        targets,
        lines_controlled: controlled,
        changed: None,
    }
}

fn changed(first: &Listing, other: &Listing) -> Changed {
    let d = diff(first, other, None);
    let mut c = Changed::default();
    for l in Level::ALL {
        c.lines_per_level.insert(
            l.key(),
            d.changes.measures.iter().filter(|m| m.level == l).count(),
        );
    }
    let lines: BTreeSet<(&str, &str)> = d
        .changes
        .measures
        .iter()
        .map(|m| (m.credit_code.as_str(), m.line_id.as_str()))
        .collect();
    let ents: BTreeSet<&str> = lines.iter().map(|(e, _)| *e).collect();
    c.lines = lines.len();
    c.enterprises = ents.len();
    let info = |code: &str| {
        other
            .enterprises
            .get(code)
            .or_else(|| first.enterprises.get(code))
    };
    for (code, _) in &lines {
        if let Some(e) = info(code) {
            c.by_district.entry(e.district.clone()).or_default().1 += 1;
            c.by_industry.entry(e.industry.clone()).or_default().1 += 1;
        }
    }
    for code in ents {
        if let Some(e) = info(code) {
            c.by_district.entry(e.district.clone()).or_default().0 += 1;
            c.by_industry.entry(e.industry.clone()).or_default().0 += 1;
        }
    }
    c
}

/// Compare plan folders (or plan files); errors name the unreadable file, row and column.
/// Plans of different inventories are refused unless `totals_only` (then no line is matched).
pub fn compare(paths: &[PathBuf], totals_only: bool) -> Result<Comparison, CompareError> {
    let lists: Vec<Listing> = paths
        .iter()
        .map(|p| read_listing(p).map_err(|r| CompareError::Plan(p.clone(), r)))
        .collect::<Result<_, _>>()?;
    let summaries: Vec<serde_json::Value> =
        paths.iter().map(|p| summary(p)).collect::<Result<_, _>>()?;
    if !totals_only {
        for (p, l) in paths.iter().zip(&lists).skip(1) {
            same_inventory(&lists[0], l).map_err(|(common, lines)| {
                CompareError::OtherInventory {
                    first: paths[0].display().to_string(),
                    other: p.display().to_string(),
                    common,
                    lines,
                }
            })?;
        }
    }
    let plans = paths
        .iter()
        .zip(&lists)
        .zip(&summaries)
        .enumerate()
        .map(|(i, ((p, l), s))| {
            let mut c = column(p, l, s);
            if i > 0 && !totals_only {
                c.changed = Some(changed(&lists[0], l));
            }
            c
        })
        .collect();
    Ok(Comparison { plans })
}

/// The comparison as a text table (tab-separated, one column per plan).
pub fn render(c: &Comparison, english: bool) -> String {
    let t = |zh: &str, en: &str| {
        if english {
            en.to_string()
        } else {
            zh.to_string()
        }
    };
    let f = |v: Option<f64>, d: usize| v.map(|x| format!("{x:.d$}")).unwrap_or_else(|| "—".into());
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |label: String, cells: Vec<String>| {
        let mut r = vec![label];
        r.extend(cells);
        rows.push(r);
    };
    let ps = &c.plans;
    row(
        t("方案", "plan"),
        ps.iter().map(|p| p.source.clone()).collect(),
    );
    row(
        t("情景", "scenario"),
        ps.iter().map(|p| p.scenario.clone()).collect(),
    );
    row(
        t("求解状态", "status"),
        ps.iter().map(|p| p.status.clone()).collect(),
    );
    row(
        t("预期损失(万元)", "season loss (10k yuan)"),
        ps.iter().map(|p| f(p.loss, 2)).collect(),
    );
    row(
        t("与第一个方案之差(万元)", "loss vs the first (10k yuan)"),
        ps.iter()
            .map(|p| f(p.loss.zip(ps[0].loss).map(|(a, b)| a - b), 2))
            .collect(),
    );
    row(
        t("相对间隙", "gap"),
        ps.iter()
            .map(|p| f(p.gap.map(|g| g * 100.0), 4) + "%")
            .collect(),
    );
    for l in Level::ALL {
        let lv = if english { l.key() } else { l.zh() };
        for p in Pollutant::ALL {
            row(
                format!(
                    "{lv} {} {}",
                    if english { p.key() } else { p.zh() },
                    t("要求/实现(t/d)", "required/achieved t/d")
                ),
                ps.iter()
                    .map(|x| {
                        x.targets[l.key()]
                            .get(p.label())
                            .map(|t| {
                                format!(
                                    "{:.3}/{:.3}{}",
                                    t.required,
                                    t.achieved,
                                    if t.met { "" } else { " ✗" }
                                )
                            })
                            .unwrap_or_else(|| "—".into())
                    })
                    .collect(),
            );
        }
        row(
            format!("{lv} {}", t("管控生产线", "lines controlled")),
            ps.iter()
                .map(|x| x.lines_controlled[l.key()].to_string())
                .collect(),
        );
        row(
            format!("{lv} {}", t("措施变化的生产线", "lines changing measure")),
            ps.iter()
                .map(|x| {
                    x.changed
                        .as_ref()
                        .map(|c| c.lines_per_level[l.key()].to_string())
                        .unwrap_or_else(|| "—".into())
                })
                .collect(),
        );
    }
    row(
        t("措施变化的企业/生产线", "enterprises/lines changing"),
        ps.iter()
            .map(|x| {
                x.changed
                    .as_ref()
                    .map(|c| format!("{}/{}", c.enterprises, c.lines))
                    .unwrap_or_else(|| "—".into())
            })
            .collect(),
    );
    let keys = |pick: fn(&Changed) -> &BTreeMap<String, (usize, usize)>| {
        let mut k: BTreeSet<String> = BTreeSet::new();
        for p in ps.iter().filter_map(|p| p.changed.as_ref()) {
            k.extend(pick(p).keys().cloned());
        }
        k
    };
    for (label, pick) in [
        (
            t("区县", "district"),
            (|c: &Changed| &c.by_district) as fn(&Changed) -> &BTreeMap<String, (usize, usize)>,
        ),
        (t("行业", "industry"), |c: &Changed| &c.by_industry),
    ] {
        for k in keys(pick) {
            row(
                format!(
                    "{label} {k} {}",
                    t("变化企业/生产线", "changing enterprises/lines")
                ),
                ps.iter()
                    .map(|x| {
                        x.changed
                            .as_ref()
                            .map(|c| {
                                pick(c)
                                    .get(&k)
                                    .map(|(e, l)| format!("{e}/{l}"))
                                    .unwrap_or_else(|| "0/0".into())
                            })
                            .unwrap_or_else(|| "—".into())
                    })
                    .collect(),
            );
        }
    }
    rows.iter().map(|r| r.join("\t") + "\n").collect()
}
