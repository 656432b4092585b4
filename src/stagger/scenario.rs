//! The stagger scenario file: its keys (seasons, cut targets, caps, blocks, value factors, table
//! paths), read through the common scenario reader (`base` works) and range-checked, and the
//! date limits every stagger table shares.

use crate::domain::scenario::{Bound, PollutantTable, SolverOptions, RESTART_DAYS, TONNES};
use crate::domain::{Level, Pollutant};
use crate::io::table::display;
use crate::io::IoError;
use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Block settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BlockSettings {
    /// Least days of one chosen stop block.
    pub min_days: usize,
    /// Cost of one shutdown and start-up, in days of the line's output value.
    pub startup_cost_days: f64,
    /// Least days of production between a chosen stop block and another stop (a kiln restarted
    /// for a day or two cannot run); 0 or 1: no rule.
    pub min_run_days: usize,
    /// Most chosen stop blocks of one line starting in one season (absent: no limit).
    pub max_per_season: Option<usize>,
}

impl Default for BlockSettings {
    fn default() -> Self {
        BlockSettings {
            min_days: 7,
            startup_cost_days: 1.0,
            min_run_days: 7,
            max_per_season: None,
        }
    }
}

/// Daily caps on an industry's stopped capacity (market supply).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CapSettings {
    /// Largest share of an industry's capacity stopped on one day.
    pub default: f64,
    /// Per-industry shares (industry code → share).
    pub industries: IndexMap<String, f64>,
}

impl Default for CapSettings {
    fn default() -> Self {
        CapSettings {
            default: 1.0,
            industries: IndexMap::new(),
        }
    }
}

/// A season as written in TOML.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeasonSpec {
    /// Name (冬季, 夏季臭氧).
    pub name: String,
    /// First day, `YYYY-MM-DD`.
    pub start: String,
    /// Last day, inclusive.
    pub end: String,
    /// Base daily cut per pollutant, t/d.
    #[serde(default)]
    pub cut: PollutantTable,
}

/// A stagger scenario as read from TOML; paths are relative to the file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaggerScenario {
    /// Display name.
    pub name: String,
    /// Inventory dataset folder.
    pub inventory: PathBuf,
    /// Participation rules table.
    pub participation: PathBuf,
    /// Quotas table.
    #[serde(default)]
    pub quotas: Option<PathBuf>,
    /// Forecast warning days.
    #[serde(default)]
    pub forecast: Option<PathBuf>,
    /// Government-ordered stops.
    #[serde(default)]
    pub government: Option<PathBuf>,
    /// Maintenance jobs.
    #[serde(default)]
    pub maintenance: Option<PathBuf>,
    /// Output-value factor per month (January first): a day's production is worth value × factor.
    #[serde(default = "ones")]
    pub value_factor: Vec<f64>,
    /// Maintenance days count toward stop-day quotas.
    #[serde(default = "yes")]
    pub maintenance_counts_toward_quota: bool,
    /// Blocks.
    #[serde(default)]
    pub blocks: BlockSettings,
    /// Caps.
    #[serde(default)]
    pub caps: CapSettings,
    /// Seasons.
    pub seasons: Vec<SeasonSpec>,
    /// Extra daily cut on forecast warning days, per level (yellow, orange, red), t/d.
    #[serde(default)]
    pub uplift: IndexMap<String, PollutantTable>,
    /// Solver settings.
    #[serde(default)]
    pub solver: SolverOptions,
}

fn ones() -> Vec<f64> {
    vec![1.0; 12]
}

fn yes() -> bool {
    true
}

/// Scenario keys of a stagger scenario, for the schema document.
pub const SCENARIO_DOC: &str = "
## Stagger scenario (TOML)

`jianpai stagger` reads its own scenario (`scenarios/wuxi-2021-stagger.toml`), pointing at the same
inventory and at the tables below, through the same reader as a list scenario (`base` works, Chinese
keys must be quoted, numbers must lie in their allowed range). Dates are quoted strings
`\"YYYY-MM-DD\"` from 2000-01-01 to 2100-12-31; every range is inclusive. Dates in the tables must
lie within the seasons and 366 days either side (E211).

| key | meaning | default | allowed range |
|---|---|---|---|
| `base` | another stagger scenario whose keys this one overrides | none | |
| `name`, `inventory` | display name, dataset folder | required | |
| `participation` | participation rules table | required | |
| `quotas`, `forecast`, `government`, `maintenance` | tables (below) | none | |
| `[[seasons]]` `name`, `start`, `end` | seasons; staggered stops fall inside them | required | 1 to 8 seasons, each at most 366 days, all within 732 days, not overlapping |
| `[seasons.cut]` `so2` … `vocs` | base daily cut on season days, t/d | 0 | [0, 100000] |
| `[uplift.<level>]` `so2` … `vocs` | extra daily cut on forecast warning days, t/d | 0 | [0, 100000] |
| `value_factor` | 12 monthly factors on a day's output value (season-dependent loss) | all 1 | each [0, 10] |
| `maintenance_counts_toward_quota` | maintenance days count toward quotas | true | |
| `[blocks]` `min_days`, `startup_cost_days` | least block length; cost of a shutdown in days of output | 7, 1 | [1, 366], [0, 60] |
| `[blocks]` `min_run_days` | least production days between a chosen stop block and another stop of the line (kilns: 7; 0 or 1 = no rule) | 7 | [0, 366] |
| `[blocks]` `max_per_season` | most chosen stop blocks of one line starting in one season | no limit | [1, 366] |
| `[caps]` `default`, `[caps.industries]` `<code> = share` | largest share of an industry's capacity stopped on one day | 1 | [0, 1] |
| `[solver]` `time_limit`, `rel_gap`, `threads` | seconds, relative gap, HiGHS threads | 60, 1e-4, 1 | (0, 86400], [0, 1), [1, 256] |

Table columns: day counts (`min_block_days`, `min_days`, `duration`) are whole numbers up to 366
(E202); `startup_cost_days` lies in [0, 60] (E212); a participation rule's `min_run_days` is a
whole number from 0 to 366 (E701) and its `max_blocks_per_season` from 1 to 366 (E702); empty
cells take the `[blocks]` defaults.
";

/// Read and range-check the TOML through the common scenario reader: a `base` scenario works
/// here too, and relative paths are resolved against the folder of the file that states them.
pub fn read_scenario(path: &Path) -> Result<StaggerScenario, IoError> {
    let file = display(path);
    let fmt_err = |message: String| IoError::Format {
        file: file.clone(),
        message,
    };
    let table = crate::io::scenario_file::read_table_checked::<StaggerScenario>(path)?;
    let s: StaggerScenario = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| fmt_err(e.message().to_string()))?;
    check_scenario(&s).map_err(fmt_err)?;
    Ok(s)
}

/// Parse `YYYY-MM-DD` (also `YYYY/MM/DD`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y/%m/%d"))
        .ok()
}

/// Most seasons of a stagger scenario.
pub const MAX_SEASONS: usize = 8;
/// Most days of one season (and of a quota window, a block or a job).
pub const MAX_SEASON_DAYS: i64 = 366;
/// Most days from the first season's start to the last season's end.
pub const MAX_SPAN_DAYS: i64 = 2 * 366;
/// Days before the first season and after the last one that table dates may reach.
pub const MARGIN_DAYS: i64 = 366;
/// Earliest and latest date a stagger scenario or table may state.
pub fn date_range() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date"),
        NaiveDate::from_ymd_opt(2100, 12, 31).expect("valid date"),
    )
}
/// A month's factor on a day's output value.
const VALUE_FACTOR: Bound = Bound::closed(0.0, 10.0, "a factor on a day's output value");
/// Least days of a stop block.
const BLOCK_DAYS: Bound = Bound::closed(1.0, MAX_SEASON_DAYS as f64, "whole days");
/// Least production run between stops, days (0: no rule).
const RUN_DAYS: Bound = Bound::closed(0.0, MAX_SEASON_DAYS as f64, "whole days");
/// A cap on an industry's stopped capacity.
const CAP: Bound = Bound::closed(0.0, 1.0, "a share of the industry's capacity");

pub(super) fn season_dates(s: &SeasonSpec) -> Result<(NaiveDate, NaiveDate), String> {
    let (first, last) = date_range();
    let d = |k: &str, v: &str| {
        let date = parse_date(v).ok_or_else(|| {
            format!(
                "[[seasons]] \"{}\" {k} = \"{v}\": not a date (write \"YYYY-MM-DD\")",
                s.name
            )
        })?;
        if date < first || date > last {
            return Err(format!(
                "[[seasons]] \"{}\" {k} = \"{v}\": outside the allowed range {first} → {last}",
                s.name
            ));
        }
        Ok(date)
    };
    let (a, b) = (d("start", &s.start)?, d("end", &s.end)?);
    if b < a {
        return Err(format!(
            "[[seasons]] \"{}\": end {b} is before start {a}",
            s.name
        ));
    }
    let days = (b - a).num_days() + 1;
    if days > MAX_SEASON_DAYS {
        return Err(format!(
            "[[seasons]] \"{}\": {a} → {b} is {days} days; a season lasts at most {MAX_SEASON_DAYS} days",
            s.name
        ));
    }
    Ok((a, b))
}

/// Range checks a TOML parser cannot do.
fn check_scenario(s: &StaggerScenario) -> Result<(), String> {
    if s.seasons.is_empty() {
        return Err("no [[seasons]]: give at least one season with name, start and end".into());
    }
    if s.seasons.len() > MAX_SEASONS {
        return Err(format!(
            "{} [[seasons]]: at most {MAX_SEASONS}",
            s.seasons.len()
        ));
    }
    let mut spans = Vec::new();
    for season in &s.seasons {
        spans.push((season_dates(season)?, season.name.clone()));
        for p in Pollutant::ALL {
            if let Some(v) = season.cut.get(p) {
                TONNES.check(
                    &format!("[[seasons]] \"{}\" cut.{}", season.name, p.key()),
                    v,
                )?;
            }
        }
    }
    spans.sort();
    for w in spans.windows(2) {
        if w[1].0 .0 <= w[0].0 .1 {
            return Err(format!("seasons \"{}\" and \"{}\" overlap", w[0].1, w[1].1));
        }
    }
    if let (Some(f), Some(l)) = (spans.first(), spans.iter().map(|s| s.0 .1).max()) {
        let span = (l - f.0 .0).num_days() + 1;
        if span > MAX_SPAN_DAYS {
            return Err(format!(
                "[[seasons]] span {} → {l}, {span} days: keep the seasons of one scenario within {MAX_SPAN_DAYS} days",
                f.0 .0
            ));
        }
    }
    for (k, t) in &s.uplift {
        if Level::parse(k).is_none() {
            return Err(format!(
                "uplift.{k}: unknown warning level (use yellow, orange, red)"
            ));
        }
        for p in Pollutant::ALL {
            if let Some(v) = t.get(p) {
                TONNES.check(&format!("[uplift.{k}] {}", p.key()), v)?;
            }
        }
    }
    if s.value_factor.len() != 12 {
        return Err(format!(
            "value_factor has {} values: give 12 monthly factors (January first)",
            s.value_factor.len()
        ));
    }
    for (m, &f) in s.value_factor.iter().enumerate() {
        VALUE_FACTOR.check(&format!("value_factor[{}] (month {})", m, m + 1), f)?;
    }
    BLOCK_DAYS.check("[blocks] min_days", s.blocks.min_days as f64)?;
    RUN_DAYS.check("[blocks] min_run_days", s.blocks.min_run_days as f64)?;
    if let Some(k) = s.blocks.max_per_season {
        BLOCK_DAYS.check("[blocks] max_per_season", k as f64)?;
    }
    RESTART_DAYS.check("[blocks] startup_cost_days", s.blocks.startup_cost_days)?;
    CAP.check("[caps] default", s.caps.default)?;
    for (k, &v) in &s.caps.industries {
        CAP.check(&format!("[caps.industries] {k}"), v)?;
    }
    s.solver.check()
}
