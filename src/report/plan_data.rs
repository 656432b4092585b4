//! What a plan report shows: the plan's rows joined with the inventory (names, districts,
//! baselines, exempt and guarantee firms) and the summary's targets and group totals.

use super::ReportError;
use crate::domain::{Enterprise, Grade, Inventory, Level, Line, Scenario};
use crate::plan::read::{read_plan, StatedRow};
use indexmap::IndexMap;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// One target as `summary.json` states it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TargetView {
    /// Whole-society base, t/d.
    pub base: f64,
    /// Required share.
    pub ratio: f64,
    /// Required cut, t/d.
    pub required: f64,
    /// Other-sector credits, t/d.
    pub credit: f64,
    /// Cut by the listed lines, t/d.
    pub achieved_by_lines: f64,
    /// Lines plus credits, t/d.
    pub achieved: f64,
    /// Achieved ≥ required.
    pub met: bool,
}

/// Targets of one level.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LevelView {
    /// City targets by pollutant label.
    pub city: IndexMap<String, TargetView>,
    /// District → pollutant → target.
    pub districts: IndexMap<String, IndexMap<String, TargetView>>,
}

/// Totals of a group of lines at one level.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct GroupView {
    /// Enterprises with a measure beyond voluntary.
    pub enterprises_controlled: usize,
    /// Lines with a measure beyond voluntary.
    pub lines_controlled: usize,
    /// Loss per warning day, 万元/d.
    pub loss_per_day: f64,
}

/// The parts of a plan's `summary.json` the report reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SummaryView {
    /// Scenario display name.
    pub scenario: String,
    /// Scenario file as given to `plan`.
    pub scenario_file: Option<String>,
    /// Status keyword.
    pub status: String,
    /// Status message (`中文 / English`).
    pub status_message: String,
    /// Method keyword.
    pub method: String,
    /// Expected season loss, 万元.
    pub objective: Option<f64>,
    /// Proven lower bound, 万元.
    pub bound: Option<f64>,
    /// Relative gap.
    pub gap: Option<f64>,
    /// Expected warning days per level key.
    pub days: IndexMap<String, f64>,
    /// Per level key: targets.
    pub levels: IndexMap<String, LevelView>,
    /// Per level key: district → totals.
    pub by_district: IndexMap<String, BTreeMap<String, GroupView>>,
    /// Per level key: industry code → totals.
    pub by_industry: IndexMap<String, BTreeMap<String, GroupView>>,
    /// Per level key: grade label → totals.
    pub by_grade: IndexMap<String, BTreeMap<String, GroupView>>,
    /// The fairness rule and its price, when the scenario has one.
    pub fairness: Option<FairnessView>,
    /// Station rows of the optimiser with their prices (`[air.targets]`).
    pub stations: Vec<StationView>,
    /// What produced the result (absent in older summaries).
    pub provenance: Option<crate::io::provenance::Provenance>,
}

/// A station row as `summary.json` states it (see `plan::summary::StationSummary`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StationView {
    /// `station:<level>:PM25:<station|mean>`.
    pub row: String,
    /// 万元 of season loss per extra µg/m³ (LP dual).
    pub marginal_loss_per_ugm3: f64,
}

/// The price of fairness as `summary.json` states it (see `plan::fairness`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FairnessView {
    /// Grouping attributes.
    pub group: Vec<String>,
    /// `uniform` or `max_distinct=k`.
    pub mode: String,
    /// Groups × levels the rule binds.
    pub groups: usize,
    /// Loss of the fair plan, 万元.
    pub loss_fair: Option<f64>,
    /// Status of the fair solve.
    pub status_fair: String,
    /// Loss without the rule, 万元.
    pub loss_free: Option<f64>,
    /// Status of the free solve.
    pub status_free: String,
    /// loss_fair − loss_free, 万元.
    pub price: Option<f64>,
}

impl FairnessView {
    /// One line for the report: rule, both losses with their statuses, and the price.
    pub fn line(&self, t: super::Labels) -> String {
        let money = |v: Option<f64>| v.map_or("—".into(), |x| super::html::fixed(x, 2));
        format!(
            "{}（{}，{} {}）：{} {}（{}） − {} {}（{}） = {} {}",
            t.t("公平代价", "Price of fairness"),
            self.mode,
            t.t("分组", "groups by"),
            self.group.join("+"),
            t.t("公平方案", "fair"),
            money(self.loss_fair),
            self.status_fair,
            t.t("自由方案", "free"),
            money(self.loss_free),
            self.status_free,
            money(self.price),
            t.t("万元/季", "10k yuan per season"),
        )
    }
}

/// A line's measure at one level, as the plan states it.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelEntry {
    /// Measure code.
    pub code: String,
    /// Measure text in the report's language.
    pub text: String,
    /// Cut per pollutant, t/d.
    pub cut: [f64; 4],
    /// Production loss, 万元/d.
    pub loss: f64,
    /// Expected electricity under the measure (verification indicator), kWh/d.
    pub electricity: Option<f64>,
    /// Minimum obligation of the rules as the plan states it.
    pub obligation: String,
    /// Why the measure is stricter than that minimum (empty when it is not, or not stated).
    pub reason: String,
}

impl LevelEntry {
    /// Whether the line takes a measure beyond voluntary.
    pub fn controlled(&self) -> bool {
        self.code != "V"
    }
}

/// One line of the list with its three levels.
#[derive(Debug, Clone)]
pub struct ListLine {
    /// Index into `inventory.lines`.
    pub line: usize,
    /// Yellow, orange, red.
    pub levels: [LevelEntry; 3],
    /// Remarks of the plan rows (the rules' notes).
    pub note: String,
}

/// A plan joined with its inventory.
#[derive(Clone)]
pub struct PlanData {
    /// The one district this part of the list covers (`report --split district`), or `None`
    /// for the whole list.
    pub district: Option<String>,
    /// The summary.
    pub summary: SummaryView,
    /// The scenario.
    pub scenario: Scenario,
    /// The inventory.
    pub inventory: Inventory,
    /// Lines by district (districts table order), then enterprise and line id.
    pub lines: Vec<ListLine>,
    /// Enterprises in canonical order with the range of their lines in `lines`.
    pub firms: Vec<(usize, std::ops::Range<usize>)>,
}

impl PlanData {
    /// The part of the list in district `name`: its lines and enterprises, and its own targets
    /// against achieved beside the city's.
    pub fn for_district(&self, name: &str) -> PlanData {
        let mut d = self.clone();
        d.lines.retain(|l| self.enterprise(l).district == name);
        d.firms = firm_ranges(&d.inventory, &d.lines);
        for level in d.summary.levels.values_mut() {
            level.districts.retain(|k, _| k == name);
        }
        d.district = Some(name.to_string());
        d
    }

    /// Districts with at least one line on the list, in the districts table's order.
    pub fn listed_districts(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for l in &self.lines {
            let name = &self.enterprise(l).district;
            if out.last() != Some(name) && !out.contains(name) {
                out.push(name.clone());
            }
        }
        out
    }

    /// Line of a list entry.
    pub fn line(&self, l: &ListLine) -> &Line {
        &self.inventory.lines[l.line]
    }
    /// Enterprise of a list entry.
    pub fn enterprise(&self, l: &ListLine) -> &Enterprise {
        self.inventory.enterprise_of(self.line(l))
    }
    /// Enterprise by index in `inventory.enterprises`.
    pub fn firm(&self, i: usize) -> &Enterprise {
        &self.inventory.enterprises[i]
    }
    /// The grade the rules apply (unrated key-industry firms count as their industry's lowest).
    pub fn grade(&self, e: &Enterprise) -> Grade {
        self.inventory
            .industries
            .effective_grade(&e.industry, e.grade)
    }
    /// Industry name in the report's language.
    pub fn industry(&self, code: &str, english: bool) -> String {
        self.inventory
            .industries
            .by_code
            .get(code)
            .map(|i| {
                if english {
                    i.name_en.clone()
                } else {
                    i.name_zh.clone()
                }
            })
            .unwrap_or_else(|| code.to_string())
    }
}

/// Read `summary.json` of a result directory.
pub fn read_summary<T: for<'de> Deserialize<'de>>(dir: &Path) -> Result<T, ReportError> {
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path).map_err(|e| ReportError::Read {
        file: path.display().to_string(),
        message: e.to_string(),
    })?;
    serde_json::from_str(&text).map_err(|e| ReportError::Input {
        file: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Load a plan directory (or a list workbook, see [`crate::plan::workbook`]), its scenario (from
/// `scenario` or the summary) and its inventory.
pub fn load(dir: &Path, scenario: Option<&Path>, english: bool) -> Result<PlanData, ReportError> {
    if crate::plan::workbook::locate(dir).is_some() {
        return load_workbook(dir, scenario, english);
    }
    let summary: SummaryView = read_summary(dir)?;
    let scenario_path: PathBuf = match (scenario, &summary.scenario_file) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(p)) => crate::io::scenario_file::resolve_stored(p, dir),
        (None, None) => return Err(ReportError::NoScenario(dir.display().to_string())),
    };
    if !scenario_path.is_file() {
        return Err(ReportError::Read {
            file: scenario_path.display().to_string(),
            message: "scenario file not found (pass --scenario)".into(),
        });
    }
    let scenario = crate::io::scenario_file::read_scenario(&scenario_path)
        .map_err(|e| ReportError::Load(e.to_string()))?;
    let (inv, report) = crate::validate::load_dataset_with(
        std::slice::from_ref(&scenario.inventory),
        scenario.units,
    );
    let inventory = inv.ok_or_else(|| {
        ReportError::Load(format!(
            "{}: the inventory has {} errors (run `jianpai validate`)",
            scenario.inventory.display(),
            report.error_count()
        ))
    })?;
    let (rows, source) = read_rows(&dir.join("plan.csv"), &inventory)?;
    assemble(summary, scenario, inventory, &rows, &source, english)
}

/// Read the plan rows, the first error as a report error.
fn read_rows(path: &Path, inventory: &Inventory) -> Result<(Vec<StatedRow>, String), ReportError> {
    read_plan(path, Some(inventory)).map_err(|r| {
        let first = r
            .diagnostics
            .iter()
            .find(|d| d.severity == crate::validate::Severity::Error)
            .map(|d| d.to_string())
            .unwrap_or_default();
        ReportError::Input {
            file: path.display().to_string(),
            message: first,
        }
    })
}

/// A list workbook with its scenario (required): targets and group totals recomputed from the
/// list's rows, the season loss from the scenario's expected warning days.
fn load_workbook(
    path: &Path,
    scenario: Option<&Path>,
    english: bool,
) -> Result<PlanData, ReportError> {
    let scenario_path =
        scenario.ok_or_else(|| ReportError::NoScenario(path.display().to_string()))?;
    let loaded =
        crate::pipeline::load(scenario_path).map_err(|e| ReportError::Load(e.to_string()))?;
    let (rows, source) = read_rows(path, &loaded.inventory)?;
    let problem = loaded.model();
    let plan = crate::plan::Plan {
        rows: rows
            .iter()
            .map(|r| crate::plan::PlanRow {
                line_id: r.line_id.clone(),
                credit_code: r.credit_code.clone(),
                level: r.level,
                measure: r.measure.clone(),
                text: String::new(),
                obligation: r.obligation.clone(),
                cut: r.cut,
                loss: r.loss,
                electricity: r.electricity.unwrap_or(0.0),
                electricity_share: 0.0,
                note: r.note.clone(),
                reason: r.reason.clone().unwrap_or_default(),
            })
            .collect(),
    };
    let known: std::collections::HashSet<&str> = loaded
        .inventory
        .lines
        .iter()
        .map(|l| l.id.as_str())
        .collect();
    if let Some(r) = rows.iter().find(|r| !known.contains(r.line_id.as_str())) {
        return Err(ReportError::Input {
            file: format!("{source} row {}", r.row),
            message: format!("line {} is not in the scenario's inventory", r.line_id),
        });
    }
    let mut solve = crate::solve::SolveReport::new(crate::solve::Method::Greedy);
    solve.objective = Some(
        rows.iter()
            .map(|r| problem.days[r.level.index()] * r.loss)
            .sum(),
    );
    let s = crate::plan::summary::summarize(
        &loaded.inventory,
        &problem,
        &plan,
        &solve,
        &loaded.scenario.name,
        0.0,
    );
    let mut summary: SummaryView =
        serde_json::from_value(serde_json::to_value(&s).expect("summary")).expect("summary");
    summary.scenario_file = Some(scenario_path.display().to_string());
    summary.status = "given".into();
    summary.method = "—".into();
    summary.status_message =
        format!("读自清单工作簿 {source} / read from the list workbook {source}");
    assemble(
        summary,
        loaded.scenario,
        loaded.inventory,
        &rows,
        &source,
        english,
    )
}

/// Join the rows with the inventory, lines by district then enterprise.
fn assemble(
    summary: SummaryView,
    scenario: Scenario,
    inventory: Inventory,
    rows: &[StatedRow],
    source: &str,
    english: bool,
) -> Result<PlanData, ReportError> {
    let mut lines = join(&inventory, rows, source, english)?;
    // Lists are read district by district (in the districts table's order), then by enterprise.
    let district = |l: &ListLine| {
        let e = inventory.enterprise_of(&inventory.lines[l.line]);
        inventory
            .districts
            .get_index_of(&e.district)
            .unwrap_or(usize::MAX)
    };
    lines.sort_by_key(|l| (district(l), l.line));
    let firms = firm_ranges(&inventory, &lines);
    Ok(PlanData {
        summary,
        scenario,
        inventory,
        lines,
        firms,
        district: None,
    })
}

/// Enterprises (index in the inventory) with the range of their lines in `lines`.
fn firm_ranges(inventory: &Inventory, lines: &[ListLine]) -> Vec<(usize, std::ops::Range<usize>)> {
    let mut firms: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let code = &inventory.lines[l.line].enterprise;
        let e = inventory.enterprises.get_index_of(code).expect("joined");
        match firms.last_mut() {
            Some((last, r)) if *last == e => r.end = i + 1,
            _ => firms.push((e, i..i + 1)),
        }
    }
    firms
}

/// Group plan rows by line (three levels each) in canonical line order.
fn join(
    inv: &Inventory,
    rows: &[StatedRow],
    source: &str,
    english: bool,
) -> Result<Vec<ListLine>, ReportError> {
    let index = inv.line_positions();
    let mut by_line: BTreeMap<usize, [Option<LevelEntry>; 3]> = BTreeMap::new();
    let mut notes: HashMap<usize, &str> = HashMap::new();
    for r in rows {
        let bad = |message: String| ReportError::Input {
            file: format!("{source} row {}", r.row),
            message,
        };
        let Some(&li) = index.get(r.line_id.as_str()) else {
            return Err(bad(format!(
                "line {} is not in the scenario's inventory",
                r.line_id
            )));
        };
        let declared = r.measure.declared.as_ref().and_then(|code| {
            inv.options
                .get(&r.line_id)?
                .iter()
                .find(|o| &o.code == code)
                .map(|o| o.text.as_str())
        });
        let entry = LevelEntry {
            code: r.code.trim().to_string(),
            text: if english {
                r.measure.text_en(declared)
            } else {
                r.measure.text_zh(declared)
            },
            cut: r.cut,
            loss: r.loss,
            electricity: r.electricity,
            obligation: r.obligation.clone(),
            reason: r.reason.clone().unwrap_or_default(),
        };
        notes.entry(li).or_insert(r.note.as_str());
        let slot = &mut by_line.entry(li).or_default()[r.level.index()];
        if slot.is_some() {
            return Err(bad(format!(
                "line {} has two {} rows",
                r.line_id,
                r.level.zh()
            )));
        }
        *slot = Some(entry);
    }
    by_line
        .into_iter()
        .map(|(line, levels)| {
            let missing = Level::ALL.iter().find(|l| levels[l.index()].is_none());
            if let Some(l) = missing {
                return Err(ReportError::Input {
                    file: source.to_string(),
                    message: format!("line {} has no {} row", inv.lines[line].id, l.zh()),
                });
            }
            Ok(ListLine {
                line,
                levels: levels.map(|e| e.expect("checked")),
                note: notes.get(&line).copied().unwrap_or("").to_string(),
            })
        })
        .collect()
}
