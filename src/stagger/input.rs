//! Reading a stagger scenario's tables (the TOML itself: [`super::scenario`]): its tables (participation, quotas, forecast, government stops, maintenance), every cell
//! checked with a diagnostic naming file, row, column and value, resolved into an [`Instance`].

use super::instance::{Day, IndustryCap, Instance, Job, Mode, Quota, Season, Unit};
use super::tables::{FORECAST, GOVERNMENT, MAINTENANCE, PARTICIPATION, QUOTAS};
use crate::domain::scenario::RESTART_DAYS;
use crate::domain::{Grade, Inventory, Level, LineStatus, Pollutant};
use crate::io::table::{display, read_table};
use crate::io::{IoError, RawRow, RawTable};
use crate::validate::cells::{error, unreadable, Sheet};
use crate::validate::{load_dataset, Report};
use chrono::{Datelike, NaiveDate};
use indexmap::IndexMap;
use std::collections::BTreeMap;
use std::path::Path;

use super::scenario::season_dates;
pub use super::scenario::*;

/// Why a stagger scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum StaggerLoadError {
    /// The scenario file is unreadable or invalid.
    #[error(transparent)]
    Scenario(#[from] IoError),
    /// The inventory or a table has errors.
    #[error("{} errors in the inventory or the stagger tables", .0.error_count())]
    Tables(Report),
}

/// Read the stagger scenario and every table into an instance (with the validation warnings).
pub fn load(path: &Path) -> Result<(StaggerScenario, Instance, Report), StaggerLoadError> {
    let sc = read_scenario(path)?;
    let (inv, mut report) = load_dataset(std::slice::from_ref(&sc.inventory));
    let Some(inv) = inv else {
        return Err(StaggerLoadError::Tables(report));
    };
    let inst = resolve(&sc, &inv, &mut report);
    match inst {
        Some(i) if !report.has_errors() => Ok((sc, i, report)),
        _ => Err(StaggerLoadError::Tables(report)),
    }
}

/// A table read and matched to its spec, or an `E002` diagnostic.
fn open<'a>(
    path: &Path,
    table: &'a mut Option<RawTable>,
    spec: &'static crate::io::schema::TableSpec,
    report: &mut Report,
) -> Option<Sheet<'a>> {
    match read_table(path) {
        Ok(t) => *table = Some(t),
        Err(e) => {
            report.push(unreadable(&e, &display(path), ""));
            return None;
        }
    }
    Sheet::new(table.as_ref()?, spec, report)
}

/// Dates a table may state: the seasons with [`MARGIN_DAYS`] either side, within
/// [`date_range`].
type Within = (NaiveDate, NaiveDate);

/// A date cell: `E201` when not a date, `E211` when outside `within`.
fn date_cell(
    s: &Sheet,
    report: &mut Report,
    row: &RawRow,
    key: &str,
    within: Within,
) -> Option<NaiveDate> {
    let v = s.text(report, row, key)?;
    let Some(d) = parse_date(&v) else {
        report.push(error(
            "E201",
            &s.table.source,
            Some(row.row),
            Some(s.label(key)),
            Some(&v),
            "is not a date",
            "write the date as YYYY-MM-DD, e.g. 2022-02-01",
        ));
        return None;
    };
    if d < within.0 || d > within.1 {
        report.push(error(
            "E211",
            &s.table.source,
            Some(row.row),
            Some(s.label(key)),
            Some(&v),
            format!(
                "is outside {} → {} (the seasons and {MARGIN_DAYS} days either side)",
                within.0, within.1
            ),
            "correct the year, or the seasons of the scenario",
        ));
        return None;
    }
    Some(d)
}

/// A whole number of days from `min` to [`MAX_SEASON_DAYS`]: `E202` otherwise.
fn days_cell(s: &Sheet, report: &mut Report, row: &RawRow, key: &str, min: usize) -> Option<usize> {
    count_cell(s, report, row, key, (min, "E202"))
}

/// An optional whole-number cell from `min` to [`MAX_SEASON_DAYS`] (`code` otherwise); `None`
/// when empty.
fn optional_count(
    s: &Sheet,
    report: &mut Report,
    row: &RawRow,
    key: &str,
    (min, code): (usize, &'static str),
) -> Option<usize> {
    if s.raw(row, key).is_empty() {
        None
    } else {
        count_cell(s, report, row, key, (min, code))
    }
}

/// A whole number from `min` to [`MAX_SEASON_DAYS`]: `code` otherwise.
fn count_cell(
    s: &Sheet,
    report: &mut Report,
    row: &RawRow,
    key: &str,
    (min, code): (usize, &'static str),
) -> Option<usize> {
    let x = s.number(report, row, key)?;
    if x.fract() != 0.0 || x < min as f64 || x > MAX_SEASON_DAYS as f64 {
        report.push(error(
            code,
            &s.table.source,
            Some(row.row),
            Some(s.label(key)),
            Some(s.raw(row, key)),
            format!("is not a whole number of days from {min} to {MAX_SEASON_DAYS}"),
            "write a whole number such as 7",
        ));
        return None;
    }
    Some(x as usize)
}

/// An inclusive date range whose end is not before its start: `E203` otherwise.
fn range_cells(
    s: &Sheet,
    report: &mut Report,
    row: &RawRow,
    (a, b): (&str, &str),
    within: Within,
) -> Option<(NaiveDate, NaiveDate)> {
    let (x, y) = (
        date_cell(s, report, row, a, within),
        date_cell(s, report, row, b, within),
    );
    let (x, y) = (x?, y?);
    if y < x {
        report.push(error(
            "E203",
            &s.table.source,
            Some(row.row),
            Some(s.label(b)),
            Some(s.raw(row, b)),
            format!("ends before it starts ({x})"),
            "swap the dates or correct them",
        ));
        return None;
    }
    Some((x, y))
}

/// A participation rule.
struct Rule {
    industry: String,
    grade: Option<Grade>,
    district: Option<String>,
    process: Option<String>,
    mode: Option<Mode>,
    min_block: Option<usize>,
    min_run: Option<usize>,
    max_blocks: Option<usize>,
    startup_days: Option<f64>,
}

fn parse_mode(s: &str) -> Option<Option<Mode>> {
    match s.trim().to_lowercase().as_str() {
        "错峰" | "错峰生产" | "stagger" => Some(Some(Mode::Stagger)),
        "整季停产" | "停产" | "season_stop" | "season-stop" => Some(Some(Mode::SeasonStop)),
        "豁免" | "exempt" | "不参与" => Some(None),
        _ => None,
    }
}

fn any(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty() && t != "*").then(|| t.to_string())
}

fn read_rules(path: &Path, inv: &Inventory, report: &mut Report) -> Vec<Rule> {
    let mut table = None;
    let Some(s) = open(path, &mut table, &PARTICIPATION, report) else {
        return Vec::new();
    };
    let mut rules = Vec::new();
    for row in &s.table.rows {
        let before = report.error_count();
        let industry = s.text(report, row, "industry").unwrap_or_default();
        let industry = if industry == "*" {
            industry
        } else if let Some(i) = inv.industries.resolve(&industry) {
            i.code.clone()
        } else {
            report.push(error(
                "E014",
                &s.table.source,
                Some(row.row),
                Some(s.label("industry")),
                Some(&industry),
                "unknown industry",
                "use an industry code of the industry table, or `*`",
            ));
            continue;
        };
        let g = s.text(report, row, "grade").unwrap_or_default();
        let grade = if g == "*" {
            None
        } else {
            match Grade::parse(&g) {
                Some(x) => Some(x),
                None => {
                    report.push(error(
                        "E011",
                        &s.table.source,
                        Some(row.row),
                        Some(s.label("grade")),
                        Some(&g),
                        "unknown grade",
                        "use A, 引领性, B, B-, C, D, 未评级 or *",
                    ));
                    None
                }
            }
        };
        let m = s.text(report, row, "mode").unwrap_or_default();
        let mode = parse_mode(&m);
        if mode.is_none() && !m.is_empty() {
            report.push(error(
                "E204",
                &s.table.source,
                Some(row.row),
                Some(s.label("mode")),
                Some(&m),
                "unknown participation mode",
                "use 错峰 (stagger), 整季停产 (season_stop) or 豁免 (exempt)",
            ));
        }
        let min_block = optional_count(&s, report, row, "min_block_days", (1, "E202"));
        let min_run = optional_count(&s, report, row, "min_run_days", (0, "E701"));
        let max_blocks = optional_count(&s, report, row, "max_blocks_per_season", (1, "E702"));
        let startup_days = if s.raw(row, "startup_cost_days").is_empty() {
            None
        } else {
            s.number(report, row, "startup_cost_days")
                .filter(|&x| startup_in_range(&s, report, row, x))
        };
        if report.error_count() > before {
            continue;
        }
        rules.push(Rule {
            industry,
            grade,
            district: any(s.raw(row, "district")),
            process: any(s.raw(row, "process")),
            mode: mode.flatten(),
            min_block,
            min_run,
            max_blocks,
            startup_days,
        });
    }
    rules
}

/// A rule's start-up cost in days: `E212` beyond the documented range.
fn startup_in_range(s: &Sheet, report: &mut Report, row: &RawRow, x: f64) -> bool {
    if RESTART_DAYS.contains(x) {
        return true;
    }
    report.push(error(
        "E212",
        &s.table.source,
        Some(row.row),
        Some(s.label("startup_cost_days")),
        Some(s.raw(row, "startup_cost_days")),
        format!("is outside {} days of output", RESTART_DAYS.text()),
        "a shutdown and start-up costs a few days of output, e.g. 1",
    ));
    false
}

/// Resolve the scenario and its tables against the inventory; errors go to the report.
pub fn resolve(sc: &StaggerScenario, inv: &Inventory, report: &mut Report) -> Option<Instance> {
    // The horizon spans every date the scenario mentions; tables stay near the seasons.
    let seasons: Vec<(NaiveDate, NaiveDate)> = sc
        .seasons
        .iter()
        .map(season_dates)
        .collect::<Result<_, _>>()
        .ok()?;
    let margin = chrono::Duration::days(MARGIN_DAYS);
    let (first, last) = date_range();
    let within: Within = (
        (seasons.iter().map(|s| s.0).min()? - margin).max(first),
        (seasons.iter().map(|s| s.1).max()? + margin).min(last),
    );
    let rules = read_rules(&sc.participation, inv, report);
    let quotas = sc
        .quotas
        .as_deref()
        .map(|p| read_quotas(p, inv, report, within))
        .unwrap_or_default();
    let forecast = sc
        .forecast
        .as_deref()
        .map(|p| read_forecast(p, report, within))
        .unwrap_or_default();
    let gov = sc
        .government
        .as_deref()
        .map(|p| read_government(p, inv, report, within))
        .unwrap_or_default();
    let jobs = sc
        .maintenance
        .as_deref()
        .map(|p| read_jobs(p, inv, report, within))
        .unwrap_or_default();
    if report.has_errors() {
        return None;
    }
    let mut lo = seasons.iter().map(|s| s.0).min()?;
    let mut hi = seasons.iter().map(|s| s.1).max()?;
    for (a, b) in quotas
        .iter()
        .map(|q| (q.2, q.3))
        .chain(gov.values().flatten().copied())
        .chain(jobs.values().flatten().map(|j| (j.1, j.2)))
    {
        lo = lo.min(a);
        hi = hi.max(b);
    }
    let n = (hi - lo).num_days() as usize + 1;
    let idx = |d: NaiveDate| (d - lo).num_days() as usize;
    let uplift: BTreeMap<Level, [f64; 4]> = sc
        .uplift
        .iter()
        .filter_map(|(k, t)| {
            Some((
                Level::parse(k)?,
                std::array::from_fn(|p| t.get(Pollutant::ALL[p]).unwrap_or(0.0)),
            ))
        })
        .collect();
    let mut days: Vec<Day> = (0..n)
        .map(|i| {
            let date = lo + chrono::Duration::days(i as i64);
            Day {
                date,
                season: None,
                level: None,
                target: [0.0; 4],
                value_factor: sc.value_factor[date.month0() as usize],
            }
        })
        .collect();
    for (k, (a, b)) in seasons.iter().enumerate() {
        for day in &mut days[idx(*a)..=idx(*b)] {
            day.season = Some(k);
            day.target =
                std::array::from_fn(|p| sc.seasons[k].cut.get(Pollutant::ALL[p]).unwrap_or(0.0));
        }
    }
    for (date, level) in &forecast {
        if let Some(day) = days.get_mut(idx(*date)).filter(|_| *date >= lo) {
            day.level = Some(*level);
            if day.season.is_some() {
                if let Some(u) = uplift.get(level) {
                    for (t, x) in day.target.iter_mut().zip(u) {
                        *t += x;
                    }
                }
            }
        }
    }
    let season_list = sc
        .seasons
        .iter()
        .zip(&seasons)
        .map(|(s, (a, b))| Season {
            name: s.name.clone(),
            first: idx(*a),
            last: idx(*b),
        })
        .collect();
    // Units: every active line a participation rule takes in, or with a government stop or a job.
    let mut industries: IndexMap<String, IndustryCap> = IndexMap::new();
    let mut units = Vec::new();
    for line in &inv.lines {
        if line.status != LineStatus::Active {
            continue;
        }
        let ent = inv.enterprise_of(line);
        let grade = inv.industries.effective_grade(&ent.industry, ent.grade);
        let rule = rules.iter().find(|r| {
            (r.industry == "*" || r.industry == ent.industry)
                && r.grade.is_none_or(|g| g == grade)
                && r.district.as_ref().is_none_or(|d| *d == ent.district)
                && r.process.as_ref().is_none_or(|p| *p == line.process)
        });
        let mode = rule.and_then(|r| r.mode);
        let g = gov.get(&line.id);
        let j = jobs.get(&line.id);
        if mode.is_none() && g.is_none() && j.is_none() {
            continue;
        }
        let ind = inv.industries.by_code.get(&ent.industry);
        industries
            .entry(ent.industry.clone())
            .or_insert_with(|| IndustryCap {
                code: ent.industry.clone(),
                name_zh: ind
                    .map(|i| i.name_zh.clone())
                    .unwrap_or_else(|| ent.industry.clone()),
                name_en: ind
                    .map(|i| i.name_en.clone())
                    .unwrap_or_else(|| ent.industry.clone()),
                capacity: 0.0,
                share: *sc
                    .caps
                    .industries
                    .get(&ent.industry)
                    .unwrap_or(&sc.caps.default),
            });
        let industry = industries.get_index_of(&ent.industry).expect("inserted");
        let value = line.baseline_value().0;
        let min_block = rule.and_then(|r| r.min_block).unwrap_or(sc.blocks.min_days);
        let min_run = rule
            .and_then(|r| r.min_run)
            .unwrap_or(sc.blocks.min_run_days);
        let max_blocks = rule.and_then(|r| r.max_blocks).or(sc.blocks.max_per_season);
        let line_quotas: Vec<Quota> = {
            let mut by_window: IndexMap<&str, &(String, String, NaiveDate, NaiveDate, usize)> =
                IndexMap::new();
            for q in quotas.iter().filter(|q| q.0 == ent.industry) {
                by_window.insert(&q.1, q);
            }
            for q in quotas.iter().filter(|q| q.0 == line.id) {
                by_window.insert(&q.1, q);
            }
            if mode.is_some() {
                by_window
                    .values()
                    .map(|q| Quota {
                        name: q.1.clone(),
                        first: idx(q.2),
                        last: idx(q.3),
                        min_days: q.4,
                    })
                    .collect()
            } else {
                Vec::new()
            }
        };
        let mut gov_days: Vec<usize> = g
            .into_iter()
            .flatten()
            .flat_map(|&(a, b)| idx(a)..=idx(b))
            .collect();
        gov_days.sort_unstable();
        gov_days.dedup();
        units.push(Unit {
            line: line.id.clone(),
            name: line.name.clone(),
            process: line.process.clone(),
            credit_code: ent.code.to_string(),
            enterprise: ent.name.clone(),
            district: ent.district.clone(),
            industry,
            grade: grade.label().to_string(),
            mode: mode.unwrap_or(Mode::Fixed),
            value,
            emissions: std::array::from_fn(|p| line.baseline_emissions()[Pollutant::ALL[p]].0),
            capacity: line.effective_capacity().0,
            min_block,
            min_run,
            max_blocks,
            startup_cost: value
                * rule
                    .and_then(|r| r.startup_days)
                    .unwrap_or(sc.blocks.startup_cost_days),
            quotas: line_quotas,
            gov_days,
            jobs: j
                .into_iter()
                .flatten()
                .map(|(name, a, b, dur, avoid)| Job {
                    name: name.clone(),
                    duration: *dur,
                    earliest: idx(*a),
                    latest: idx(*b),
                    avoid: avoid
                        .iter()
                        .filter(|&&(x, y)| y >= lo && x <= hi)
                        .map(|&(x, y)| (idx(x.max(lo)), idx(y.min(hi))))
                        .collect(),
                })
                .collect(),
        });
    }
    // Industry capacity: every active line of the industry in the inventory.
    for line in inv.lines.iter().filter(|l| l.status == LineStatus::Active) {
        if let Some(ind) = industries.get_mut(&inv.enterprise_of(line).industry) {
            ind.capacity += line.effective_capacity().0;
        }
    }
    units.sort_by(|a, b| a.line.cmp(&b.line));
    Some(Instance {
        name: sc.name.clone(),
        days,
        seasons: season_list,
        industries: industries.into_values().collect(),
        units,
        maintenance_counts: sc.maintenance_counts_toward_quota,
    })
}

/// A quota row: scope, window, start, end, least days.
type QuotaRow = (String, String, NaiveDate, NaiveDate, usize);
/// A job row: name, earliest, latest, duration, windows to avoid.
type JobRow = (
    String,
    NaiveDate,
    NaiveDate,
    usize,
    Vec<(NaiveDate, NaiveDate)>,
);

fn unknown_line(s: &Sheet, report: &mut Report, row: &RawRow, key: &str, what: &str) {
    report.push(error(
        "E205",
        &s.table.source,
        Some(row.row),
        Some(s.label(key)),
        Some(s.raw(row, key)),
        format!("is not a {what} of the inventory"),
        "use a line id of lines.csv",
    ));
}

fn read_quotas(path: &Path, inv: &Inventory, report: &mut Report, within: Within) -> Vec<QuotaRow> {
    let mut table = None;
    let Some(s) = open(path, &mut table, &QUOTAS, report) else {
        return Vec::new();
    };
    let mut out: Vec<QuotaRow> = Vec::new();
    for row in &s.table.rows {
        let scope = s.text(report, row, "scope").unwrap_or_default();
        let scope = match inv.industries.resolve(&scope) {
            Some(i) => i.code.clone(),
            None if inv.lines.iter().any(|l| l.id == scope) => scope,
            None => {
                if !scope.is_empty() {
                    unknown_line(&s, report, row, "scope", "line id or industry");
                }
                continue;
            }
        };
        let window = s.text(report, row, "window");
        let range = range_cells(&s, report, row, ("start", "end"), within);
        let min = days_cell(&s, report, row, "min_days", 0);
        let (Some(window), Some((a, b)), Some(min)) = (window, range, min) else {
            continue;
        };
        if min as i64 > (b - a).num_days() + 1 {
            report.push(error(
                "E206",
                &s.table.source,
                Some(row.row),
                Some(s.label("min_days")),
                Some(s.raw(row, "min_days")),
                format!("more stop days than the window {a} → {b} has"),
                "shorten the quota or widen the window",
            ));
            continue;
        }
        if out.iter().any(|q| q.0 == scope && q.1 == window) {
            report.push(error(
                "E010",
                &s.table.source,
                Some(row.row),
                Some(s.label("window")),
                Some(&window),
                format!("a second quota for {scope} in this window"),
                "keep one row per scope and window",
            ));
            continue;
        }
        out.push((scope, window, a, b, min));
    }
    out
}

fn read_forecast(path: &Path, report: &mut Report, within: Within) -> BTreeMap<NaiveDate, Level> {
    let mut table = None;
    let Some(s) = open(path, &mut table, &FORECAST, report) else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    for row in &s.table.rows {
        let date = date_cell(&s, report, row, "date", within);
        let l = s.text(report, row, "level").unwrap_or_default();
        let level = Level::parse(&l);
        if level.is_none() && !l.is_empty() {
            report.push(error(
                "E022",
                &s.table.source,
                Some(row.row),
                Some(s.label("level")),
                Some(&l),
                "unknown warning level",
                "use 黄色, 橙色 or 红色 (yellow, orange, red)",
            ));
        }
        let (Some(date), Some(level)) = (date, level) else {
            continue;
        };
        if out.insert(date, level).is_some() {
            report.push(error(
                "E010",
                &s.table.source,
                Some(row.row),
                Some(s.label("date")),
                Some(s.raw(row, "date")),
                "a second forecast for this date",
                "keep one row per date",
            ));
        }
    }
    out
}

fn read_government(
    path: &Path,
    inv: &Inventory,
    report: &mut Report,
    within: Within,
) -> IndexMap<String, Vec<(NaiveDate, NaiveDate)>> {
    let mut table = None;
    let Some(s) = open(path, &mut table, &GOVERNMENT, report) else {
        return IndexMap::new();
    };
    let mut out: IndexMap<String, Vec<(NaiveDate, NaiveDate)>> = IndexMap::new();
    for row in &s.table.rows {
        let line = s.text(report, row, "line_id").unwrap_or_default();
        if !line.is_empty() && !inv.lines.iter().any(|l| l.id == line) {
            unknown_line(&s, report, row, "line_id", "line");
            continue;
        }
        if let Some(r) = range_cells(&s, report, row, ("start", "end"), within) {
            out.entry(line).or_default().push(r);
        }
    }
    out
}

/// Windows to avoid: `a~b` with full dates, or `MM-DD~MM-DD` repeated every year of [lo, hi].
fn parse_avoid(text: &str, lo: NaiveDate, hi: NaiveDate) -> Option<Vec<(NaiveDate, NaiveDate)>> {
    let mut out = Vec::new();
    for part in text
        .split([';', '；'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (a, b) = part.split_once(['~', '～'])?;
        if let (Some(x), Some(y)) = (parse_date(a), parse_date(b)) {
            if y < x {
                return None;
            }
            out.push((x, y));
            continue;
        }
        for year in lo.year() - 1..=hi.year() {
            let x = parse_date(&format!("{year}-{}", a.trim()))?;
            let mut y = parse_date(&format!("{year}-{}", b.trim()))?;
            if y < x {
                y = parse_date(&format!("{}-{}", year + 1, b.trim()))?;
            }
            out.push((x, y));
        }
    }
    Some(out)
}

fn read_jobs(
    path: &Path,
    inv: &Inventory,
    report: &mut Report,
    within: Within,
) -> IndexMap<String, Vec<JobRow>> {
    let mut table = None;
    let Some(s) = open(path, &mut table, &MAINTENANCE, report) else {
        return IndexMap::new();
    };
    let mut out: IndexMap<String, Vec<JobRow>> = IndexMap::new();
    for row in &s.table.rows {
        let line = s.text(report, row, "line_id").unwrap_or_default();
        if !line.is_empty() && !inv.lines.iter().any(|l| l.id == line) {
            unknown_line(&s, report, row, "line_id", "line");
            continue;
        }
        let job = s.text(report, row, "job");
        let dur = days_cell(&s, report, row, "duration", 1);
        let range = range_cells(&s, report, row, ("earliest", "latest"), within);
        let (Some(job), Some(dur), Some((a, b))) = (job, dur, range) else {
            continue;
        };
        let avoid_text = s.raw(row, "avoid");
        let Some(avoid) = parse_avoid(avoid_text, a, b) else {
            report.push(error(
                "E207",
                &s.table.source,
                Some(row.row),
                Some(s.label("avoid")),
                Some(avoid_text),
                "is not a list of date windows",
                "write windows as 2022-07-01~2022-09-30 or 07-01~09-30, separated by ;",
            ));
            continue;
        };
        let fits = (0..=(b - a).num_days() - dur as i64 + 1).any(|i| {
            let x = a + chrono::Duration::days(i);
            let y = x + chrono::Duration::days(dur as i64 - 1);
            y <= b && avoid.iter().all(|&(p, q)| y < p || x > q)
        });
        if !fits {
            report.push(error(
                "E208",
                &s.table.source,
                Some(row.row),
                Some(s.label("duration")),
                Some(s.raw(row, "duration")),
                format!("the job cannot fit between {a} and {b} outside the windows to avoid"),
                "widen the dates or shorten the job",
            ));
            continue;
        }
        let jobs = out.entry(line).or_default();
        if jobs.iter().any(|j| j.0 == job) {
            report.push(error(
                "E010",
                &s.table.source,
                Some(row.row),
                Some(s.label("job")),
                Some(&job),
                "a second job of this name for the line",
                "give each job of a line its own name",
            ));
            continue;
        }
        jobs.push((job, a, b, dur, avoid));
    }
    out
}
