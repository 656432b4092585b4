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

/// Per-level values as written in TOML (`yellow = …, orange = …, red = …`). A level left out
/// takes `T::default()`; the scenario reader first lays the documented defaults of `[targets]`,
/// `[days]` and `[episodes]` underneath, so a partial table keeps them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelTable<T: Default> {
    /// 黄色.
    #[serde(default)]
    pub yellow: T,
    /// 橙色.
    #[serde(default)]
    pub orange: T,
    /// 红色.
    #[serde(default)]
    pub red: T,
}

impl<T: Default> LevelTable<T> {
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
    /// Range checks of the `[solver]` table: each key against its documented [`Bound`].
    pub fn check(&self) -> Result<(), String> {
        TIME_LIMIT.check("[solver] time_limit", self.time_limit)?;
        REL_GAP.check("[solver] rel_gap", self.rel_gap)?;
        THREADS.check("[solver] threads", f64::from(self.threads))
    }
}

/// The documented range of a number: `lo ≤ v ≤ hi`, either end open when marked so. NaN and
/// infinities are never inside.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// `lo` itself is outside.
    pub lo_open: bool,
    /// `hi` itself is outside.
    pub hi_open: bool,
    /// What the number is, for the error message.
    pub what: &'static str,
}

impl Bound {
    /// A closed range `[lo, hi]`.
    pub const fn closed(lo: f64, hi: f64, what: &'static str) -> Bound {
        Bound {
            lo,
            hi,
            lo_open: false,
            hi_open: false,
            what,
        }
    }

    /// Whether `v` lies inside.
    pub fn contains(&self, v: f64) -> bool {
        v.is_finite()
            && (if self.lo_open {
                v > self.lo
            } else {
                v >= self.lo
            })
            && (if self.hi_open {
                v < self.hi
            } else {
                v <= self.hi
            })
    }

    /// The range as written in the docs: `[0, 1)`.
    pub fn text(&self) -> String {
        format!(
            "{}{}, {}{}",
            if self.lo_open { '(' } else { '[' },
            self.lo,
            self.hi,
            if self.hi_open { ')' } else { ']' }
        )
    }

    /// `Err("<key> = <v>: outside the allowed range …")` unless `v` lies inside.
    pub fn check(&self, key: &str, v: f64) -> Result<(), String> {
        if self.contains(v) {
            return Ok(());
        }
        Err(format!(
            "{key} = {v}: outside the allowed range {} ({})",
            self.text(),
            self.what
        ))
    }
}

/// A required cut: a share of whole-society emissions (`[targets]`, district ratios,
/// `[controlled_min_cut]`).
pub const RATIO: Bound = Bound {
    lo: 0.0,
    hi: 1.0,
    lo_open: false,
    hi_open: true,
    what: "a required cut is a share below 1; write 0.2 for 20 %",
};
/// Whole-society emissions and other-sector credits, t/d.
pub const TONNES: Bound = Bound::closed(0.0, 100_000.0, "t/d");
/// Expected warning days or episodes of one level in a season.
pub const SEASON_DAYS: Bound = Bound::closed(0.0, 366.0, "days or episodes in a season");
/// Output-limit steps the city may ask for (shares; stop is always offered).
pub const LIMIT: Bound = Bound {
    lo: 0.0,
    hi: 1.0,
    lo_open: true,
    hi_open: true,
    what: "an output limit is a share strictly between 0 and 1; stop is always offered",
};
/// Most output-limit steps.
pub const MAX_LIMITS: usize = 20;
/// Electricity of a stopped line, or a guaranteed minimum load: a share of baseline.
pub const SHARE: Bound = Bound::closed(0.0, 1.0, "a share of baseline");
/// Restart cost of a stop, days of output per episode.
pub const RESTART_DAYS: Bound = Bound::closed(0.0, 60.0, "days of output per episode");
/// Solver time limit, seconds.
pub const TIME_LIMIT: Bound = Bound {
    lo: 0.0,
    hi: 86_400.0,
    lo_open: true,
    hi_open: false,
    what: "seconds, more than 0 and at most one day",
};
/// Relative gap at which the search stops.
pub const REL_GAP: Bound = Bound {
    lo: 0.0,
    hi: 1.0,
    lo_open: false,
    hi_open: true,
    what: "a relative gap, 0.0001 is 0.01 %",
};
/// HiGHS threads (more than the machine's cores are capped to them with a warning).
pub const THREADS: Bound = Bound::closed(1.0, 256.0, "HiGHS threads, a whole number");
/// Stability weight of a revision, 万元 per changed line and level.
pub const STABILITY: Bound = Bound::closed(0.0, 1_000_000.0, "万元 per changed line and level");

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
    /// The planner's decisions file (measures fixed or bounded per line or enterprise and level).
    #[serde(default)]
    pub decisions: Option<PathBuf>,
    /// The staggered-production calendar (`calendar.csv` of `jianpai stagger`): lines stopped for
    /// the whole warning season are not credited again as warning cuts (see the README).
    #[serde(default)]
    pub calendar: Option<PathBuf>,
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
    /// Fair lists: lines of a group take the same (or few) measures at a level.
    #[serde(default)]
    pub fairness: Option<super::fairness::FairnessSettings>,
    /// Stations, source–receptor matrix and station targets (`[air]`; targets checked only).
    #[serde(default)]
    pub air: Option<crate::air::settings::AirSettings>,
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

/// The documented defaults of the tables a scenario may give in part.
#[derive(Debug, Clone, Serialize)]
pub struct DefaultTables {
    /// `[targets]`: 10 / 20 / 30 % of every pollutant.
    pub targets: LevelTable<PollutantTable>,
    /// `[days]`: 10 / 6 / 3.
    pub days: LevelTable<f64>,
    /// `[episodes]`: 4 / 2 / 1.
    pub episodes: LevelTable<f64>,
}

impl Scenario {
    /// The defaults laid under a scenario's own `[targets]`, `[days]` and `[episodes]`, so that a
    /// partial table keeps the documented values of the keys it leaves out.
    pub fn default_tables() -> DefaultTables {
        DefaultTables {
            targets: default_targets(),
            days: default_days(),
            episodes: default_episodes(),
        }
    }

    /// Required ratio at a level for a pollutant in a district (or the city when `None`).
    pub fn ratio(&self, level: Level, p: Pollutant, district: Option<&str>) -> Fraction {
        let city = self.targets.get(level).get(p).unwrap_or(0.0);
        let v = district
            .and_then(|d| self.districts.ratios.get(d))
            .and_then(|t| t.get(level).get(p))
            .unwrap_or(city);
        Fraction(v)
    }

    /// Whether the tonnage targets bind at `level` (`[air.targets.<level>] tonnage = false`
    /// switches them off in favour of the level's station targets).
    pub fn tonnage(&self, level: Level) -> bool {
        self.air.as_ref().is_none_or(|a| a.tonnage(level))
    }

    /// The checked fairness rule, when the scenario asks for one (checked when it was read).
    pub fn fairness(&self) -> Option<super::fairness::Fairness> {
        self.fairness.as_ref().and_then(|f| f.check().ok())
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
