//! Scenarios: targets, credits, warning days and solver options (read from TOML).

use super::{Level, Pollutant, PollutantVec};
use crate::units::{Fraction, TonnesPerDay};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Per-pollutant numbers as written in TOML (`so2 = …, nox = …`), all optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollutantTable {
    /// SO2.
    pub so2: Option<f64>,
    /// NOx.
    pub nox: Option<f64>,
    /// PM.
    pub pm: Option<f64>,
    /// VOCs.
    pub vocs: Option<f64>,
}

impl PollutantTable {
    /// Value for one pollutant.
    pub fn get(&self, p: Pollutant) -> Option<f64> {
        match p {
            Pollutant::So2 => self.so2,
            Pollutant::Nox => self.nox,
            Pollutant::Pm => self.pm,
            Pollutant::Vocs => self.vocs,
        }
    }
    /// All four values, missing ones as `default`.
    pub fn or(&self, default: f64) -> PollutantVec<f64> {
        PollutantVec::from_fn(|p| self.get(p).unwrap_or(default))
    }
}

/// Per-level values as written in TOML (`yellow = …, orange = …, red = …`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelTable<T> {
    /// 黄色.
    pub yellow: T,
    /// 橙色.
    pub orange: T,
    /// 红色.
    pub red: T,
}

impl<T> LevelTable<T> {
    /// Value at a level.
    pub fn get(&self, l: Level) -> &T {
        match l {
            Level::Yellow => &self.yellow,
            Level::Orange => &self.orange,
            Level::Red => &self.red,
        }
    }
}

/// District-target settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistrictTargets {
    /// Check every district as well as the city.
    #[serde(default)]
    pub enforce: bool,
    /// Per-district ratio overrides: district → level → pollutant ratios (levels left out keep
    /// the city's ratios).
    #[serde(default)]
    pub ratios: IndexMap<String, DistrictRatios>,
}

/// One district's ratio overrides by level; a level left out keeps the city's ratios.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DistrictRatios {
    /// 黄色.
    pub yellow: PollutantTable,
    /// 橙色.
    pub orange: PollutantTable,
    /// 红色.
    pub red: PollutantTable,
}

impl DistrictRatios {
    /// Overrides at a level.
    pub fn get(&self, l: Level) -> &PollutantTable {
        match l {
            Level::Yellow => &self.yellow,
            Level::Orange => &self.orange,
            Level::Red => &self.red,
        }
    }
}

/// Solver settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SolverOptions {
    /// Wall-clock limit in seconds for the whole solve.
    pub time_limit: f64,
    /// Relative gap at which the search stops.
    pub rel_gap: f64,
    /// HiGHS threads (1 is the deterministic, sweep-friendly choice).
    pub threads: u32,
}

impl SolverOptions {
    /// Range checks: a positive time limit and a gap in [0, 1).
    pub fn check(&self) -> Result<(), String> {
        if self.time_limit.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return Err(format!(
                "solver.time_limit = {}: must be > 0 seconds",
                self.time_limit
            ));
        }
        if !(0.0..1.0).contains(&self.rel_gap) {
            return Err(format!(
                "solver.rel_gap = {}: must be in [0, 1)",
                self.rel_gap
            ));
        }
        Ok(())
    }
}

impl Default for SolverOptions {
    fn default() -> Self {
        SolverOptions {
            time_limit: 60.0,
            rel_gap: 1e-4,
            threads: 1,
        }
    }
}

/// How options are offered to lines beyond their obligations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OptionSettings {
    /// Output-limit steps the city may ask for (shares; stop is always offered).
    pub limits: Vec<f64>,
    /// Expected electricity of a stopped line, as a share of baseline (auxiliary load).
    pub stop_electricity: f64,
    /// Exempt firms take the lowest limit where their level demands a stop (older Jiangsu rule).
    pub exempt_lowest_limit: bool,
    /// Restart cost of a stop, in days of the line's output, per warning episode.
    pub restart_cost_days: f64,
}

impl Default for OptionSettings {
    fn default() -> Self {
        OptionSettings {
            limits: vec![0.1, 0.2, 0.3, 0.5],
            stop_electricity: 0.2,
            exempt_lowest_limit: false,
            restart_cost_days: 0.0,
        }
    }
}

/// A scenario as read from TOML; paths are relative to the scenario file until resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Display name.
    pub name: String,
    /// Inventory dataset directory.
    pub inventory: PathBuf,
    /// Rules table (grade × industry × level).
    pub rules: PathBuf,
    /// City override rules, replacing rows of the same industry × grade × level.
    #[serde(default)]
    pub rule_overrides: Option<PathBuf>,
    /// Whole-society emissions override (t/d); default: the sum of the dataset's districts.
    #[serde(default)]
    pub society: Option<PollutantTable>,
    /// Required cut ratio per level × pollutant (default 10 / 20 / 30 %).
    #[serde(default = "default_targets")]
    pub targets: LevelTable<PollutantTable>,
    /// Other-sector credits per level: source name → t/d per pollutant (e.g. mobile, dust).
    #[serde(default)]
    pub credits: LevelTable<IndexMap<String, PollutantTable>>,
    /// District targets.
    #[serde(default)]
    pub districts: DistrictTargets,
    /// Optional rule: controlled (non-exempt, non-A) firms as a whole cut at least this share.
    #[serde(default)]
    pub controlled_min_cut: Option<LevelTable<PollutantTable>>,
    /// Expected warning days per level in a season (objective weights).
    #[serde(default = "default_days")]
    pub days: LevelTable<f64>,
    /// Expected warning episodes per level in a season (restart costs).
    #[serde(default = "default_episodes")]
    pub episodes: LevelTable<f64>,
    /// Option settings.
    #[serde(default)]
    pub options: OptionSettings,
    /// Solver settings.
    #[serde(default)]
    pub solver: SolverOptions,
    /// What-if changes to named enterprises (grade, exempt status, guarantee floor).
    #[serde(default)]
    pub changes: Vec<EnterpriseChange>,
    /// Which enterprises are on the list (a what-if inventory filter).
    #[serde(default)]
    pub filter: InventoryFilter,
    /// Report settings (`jianpai report`).
    #[serde(default)]
    pub report: ReportSettings,
    /// September revision settings (`jianpai revise`).
    #[serde(default)]
    pub revision: Option<RevisionSettings>,
    /// Operating time that turns annual and hourly inventory columns into daily means.
    #[serde(default)]
    pub units: OperatingTime,
}

/// Operating time (`[units]`): inventory columns whose header states an annual or hourly unit
/// (`二氧化硫排放量（吨/年）`, `kg/h`) are converted to daily means with it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OperatingTime {
    /// Operating days per year (annual amounts are divided by this).
    pub operating_days: f64,
    /// Operating hours per day (hourly amounts are multiplied by this).
    pub operating_hours: f64,
}

impl Default for OperatingTime {
    fn default() -> Self {
        OperatingTime {
            operating_days: 300.0,
            operating_hours: 24.0,
        }
    }
}

/// A what-if change to one enterprise, applied to the inventory before the rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseChange {
    /// 统一社会信用代码 of the enterprise.
    pub code: String,
    /// New grade (A, 引领性, B, B-, C, D, 未评级).
    #[serde(default)]
    pub grade: Option<String>,
    /// Put on (true) or take off (false) the published exempt list.
    #[serde(default)]
    pub exempt: Option<bool>,
    /// New 保障类 minimum load (share of baseline); 0 removes the guarantee.
    #[serde(default)]
    pub guarantee_min_load: Option<f64>,
}

/// Restricts the list to some enterprises; whole-society emissions (the targets' base) stay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventoryFilter {
    /// Keep only enterprises in these districts (empty: all).
    #[serde(default)]
    pub districts: Vec<String>,
    /// Keep only enterprises in these industries, by code or name (empty: all).
    #[serde(default)]
    pub industries: Vec<String>,
    /// Leave these enterprises (credit codes) off the list, e.g. closed firms.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// Settings of the reports planners read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSettings {
    /// 监督电话 printed on every enterprise's public notice board (公示牌); blank when absent.
    pub supervision_phone: Option<String>,
}

/// Settings of a revision against last year's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevisionSettings {
    /// Last year's list: a plan folder or a `plan.csv` (overridden by `--previous`).
    #[serde(default)]
    pub previous: Option<PathBuf>,
    /// Season-loss equivalent (万元) charged per line and level whose measure changes.
    #[serde(default = "default_stability_weight")]
    pub stability_weight: f64,
}

fn default_stability_weight() -> f64 {
    20.0
}

fn default_targets() -> LevelTable<PollutantTable> {
    let all = |v| PollutantTable {
        so2: Some(v),
        nox: Some(v),
        pm: Some(v),
        vocs: Some(v),
    };
    LevelTable {
        yellow: all(0.10),
        orange: all(0.20),
        red: all(0.30),
    }
}

fn default_days() -> LevelTable<f64> {
    LevelTable {
        yellow: 10.0,
        orange: 6.0,
        red: 3.0,
    }
}

fn default_episodes() -> LevelTable<f64> {
    LevelTable {
        yellow: 4.0,
        orange: 2.0,
        red: 1.0,
    }
}

impl Scenario {
    /// Required ratio at a level for a pollutant in a district (or the city when `None`).
    pub fn ratio(&self, level: Level, p: Pollutant, district: Option<&str>) -> Fraction {
        let city = self.targets.get(level).get(p).unwrap_or(0.0);
        let v = district
            .and_then(|d| self.districts.ratios.get(d))
            .and_then(|t| t.get(level).get(p))
            .unwrap_or(city);
        Fraction(v)
    }

    /// Sum of other-sector credits at a level.
    pub fn credit(&self, level: Level) -> PollutantVec<TonnesPerDay> {
        PollutantVec::from_fn(|p| {
            TonnesPerDay(
                self.credits
                    .get(level)
                    .values()
                    .filter_map(|t| t.get(p))
                    .sum(),
            )
        })
    }
}
