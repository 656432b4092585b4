//! The typed calendar problem: days, seasons, industries and the lines that take part, with their
//! quotas, government stops and maintenance jobs. Built from files ([`super::input`]) or by the
//! generator ([`super::generate`]); the model, the greedy and the checker all read it.

use crate::domain::Level;
use chrono::NaiveDate;
use serde::Serialize;

/// How a line takes part in staggered production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// 错峰: stops in blocks chosen by the optimiser to meet its quotas and the daily cuts.
    Stagger,
    /// 整季停产: stopped on every season day.
    SeasonStop,
    /// Not staggered: only its government-ordered stops and maintenance jobs.
    Fixed,
}

/// What a line does on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Producing.
    Run,
    /// In a stop block chosen by the optimiser (错峰停产).
    Chosen,
    /// Stopped for the whole season (整季停产).
    Season,
    /// Stopped by government order (政府指令停产).
    Gov,
    /// In maintenance job k (检修).
    Maint(usize),
}

impl State {
    /// Whether the line is stopped.
    pub fn stopped(self) -> bool {
        self != State::Run
    }

    /// Whether the stop is the calendar's decision (a chosen block or maintenance), as opposed
    /// to a fixed one (season, government) or none.
    pub fn decided(self) -> bool {
        matches!(self, State::Chosen | State::Maint(_))
    }
}

/// One day of the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    /// The date.
    pub date: NaiveDate,
    /// Season the day belongs to, if any.
    pub season: Option<usize>,
    /// Forecast warning level, if any.
    pub level: Option<Level>,
    /// Required cut per pollutant (t/d): the season base plus the episode uplift; 0 outside seasons.
    pub target: [f64; 4],
    /// Output-value factor of the day (season-dependent value of a day's production).
    pub value_factor: f64,
}

/// A season (e.g. winter 2021-11-15 → 2022-03-15), inclusive day indices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Season {
    /// Name.
    pub name: String,
    /// First day index.
    pub first: usize,
    /// Last day index (inclusive).
    pub last: usize,
}

/// An industry with its daily cap on stopped capacity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndustryCap {
    /// Industry code.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Capacity of all the industry's active lines in the inventory.
    pub capacity: f64,
    /// Largest share of that capacity that may be stopped on one day.
    pub share: f64,
}

impl IndustryCap {
    /// Stopped capacity allowed on one day.
    pub fn limit(&self) -> f64 {
        self.capacity * self.share
    }
}

/// A stop-day quota over a window of days (inclusive).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quota {
    /// Window name (e.g. 冬季, 2月).
    pub name: String,
    /// First day index.
    pub first: usize,
    /// Last day index (inclusive).
    pub last: usize,
    /// Least number of stop days in the window.
    pub min_days: usize,
}

/// A maintenance job: one continuous block of `duration` days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    /// Job name (unique per line).
    pub name: String,
    /// Days.
    pub duration: usize,
    /// Earliest start (day index).
    pub earliest: usize,
    /// Latest end (day index, inclusive).
    pub latest: usize,
    /// Windows to avoid (inclusive day-index ranges).
    pub avoid: Vec<(usize, usize)>,
}

impl Job {
    /// Whether the job may start on day `t`.
    pub fn allowed_start(&self, t: usize) -> bool {
        let end = t + self.duration - 1;
        t >= self.earliest
            && end <= self.latest
            && self.avoid.iter().all(|&(a, b)| end < a || t > b)
    }
}

/// A line that takes part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    /// Line id.
    pub line: String,
    /// Line name (as in the inventory).
    pub name: String,
    /// Process of the line (工序, e.g. 熟料).
    pub process: String,
    /// 统一社会信用代码.
    pub credit_code: String,
    /// Enterprise name.
    pub enterprise: String,
    /// District.
    pub district: String,
    /// Index into [`Instance::industries`].
    pub industry: usize,
    /// Grade applied (label).
    pub grade: String,
    /// Participation.
    pub mode: Mode,
    /// Baseline output value, 万元/d.
    pub value: f64,
    /// Baseline emissions (SO2, NOx, PM, VOCs), t/d.
    pub emissions: [f64; 4],
    /// Effective capacity per day.
    pub capacity: f64,
    /// Least length of a chosen stop block, days.
    pub min_block: usize,
    /// Least days of production between a chosen stop block and any other stop of the line
    /// (0 or 1: no rule). A plant restarted for a day or two cannot run.
    pub min_run: usize,
    /// Most chosen stop blocks that start in one season (None: no limit).
    pub max_blocks: Option<usize>,
    /// Cost of one shutdown and start-up, 万元.
    pub startup_cost: f64,
    /// Stop-day quotas.
    pub quotas: Vec<Quota>,
    /// Government-ordered stop days (sorted day indices).
    pub gov_days: Vec<usize>,
    /// Maintenance jobs.
    pub jobs: Vec<Job>,
}

/// The whole calendar problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// Scenario name.
    pub name: String,
    /// Contiguous days of the horizon.
    pub days: Vec<Day>,
    /// Seasons.
    pub seasons: Vec<Season>,
    /// Industries that have a unit.
    pub industries: Vec<IndustryCap>,
    /// Units in canonical order (by line id).
    pub units: Vec<Unit>,
    /// Maintenance days count toward stop-day quotas.
    pub maintenance_counts: bool,
}

/// Tolerance for cut and cap rows (t/d, capacity).
pub const TOL: f64 = 1e-6;

/// A line's stop decisions: chosen blocks (inclusive day ranges) and maintenance job starts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitPlan {
    /// Chosen stop blocks, sorted, inclusive.
    pub blocks: Vec<(usize, usize)>,
    /// Start day of each maintenance job (same order as [`Unit::jobs`]).
    pub job_starts: Vec<usize>,
}

impl Instance {
    /// Day index of a date.
    pub fn day(&self, date: NaiveDate) -> Option<usize> {
        let first = self.days.first()?.date;
        let i = (date - first).num_days();
        (i >= 0 && (i as usize) < self.days.len()).then_some(i as usize)
    }

    /// Whether a chosen stop may fall on day `d` for unit `u` (a season day without a government stop).
    pub fn choosable(&self, u: &Unit, d: usize) -> bool {
        u.mode == Mode::Stagger
            && self.days[d].season.is_some()
            && u.gov_days.binary_search(&d).is_err()
    }

    /// The forced state of a day (season stop or government order), before any decision.
    pub fn forced(&self, u: &Unit, d: usize) -> Option<State> {
        if u.gov_days.binary_search(&d).is_ok() {
            Some(State::Gov)
        } else if u.mode == Mode::SeasonStop && self.days[d].season.is_some() {
            Some(State::Season)
        } else {
            None
        }
    }

    /// Day states of a unit under a plan (later decisions never overwrite forced days).
    pub fn states(&self, u: &Unit, p: &UnitPlan) -> Vec<State> {
        let mut s: Vec<State> = (0..self.days.len())
            .map(|d| self.forced(u, d).unwrap_or(State::Run))
            .collect();
        for &(a, b) in &p.blocks {
            for x in &mut s[a..=b] {
                if *x == State::Run {
                    *x = State::Chosen;
                }
            }
        }
        for (k, &t) in p.job_starts.iter().enumerate() {
            let end = (t + u.jobs[k].duration).min(self.days.len());
            for x in &mut s[t..end] {
                if *x == State::Run {
                    *x = State::Maint(k);
                }
            }
        }
        s
    }

    /// Production loss of one unit's day states: chosen and maintenance days at the day's value,
    /// one start-up cost per chosen block. Season and government days are not counted (fixed).
    pub fn unit_cost(&self, u: &Unit, states: &[State]) -> f64 {
        let mut cost = 0.0;
        for (d, s) in states.iter().enumerate() {
            if s.decided() {
                cost += self.day_value(u, d);
            }
            if *s == State::Chosen && (d == 0 || states[d - 1] != State::Chosen) {
                cost += u.startup_cost;
            }
        }
        cost
    }

    /// Fixed loss of a unit: its season-stop and government days.
    pub fn fixed_cost(&self, u: &Unit) -> f64 {
        (0..self.days.len())
            .filter(|&d| self.forced(u, d).is_some())
            .map(|d| self.day_value(u, d))
            .sum()
    }

    /// A day of `u`'s production at the day's value (万元): what a stop on `d` loses.
    pub fn day_value(&self, u: &Unit, d: usize) -> f64 {
        u.value * self.days[d].value_factor
    }
}

/// Maximal runs of days where `f` holds: inclusive ranges.
pub fn runs<T>(xs: &[T], f: impl Fn(&T) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, x) in xs.iter().enumerate() {
        match (f(x), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i - 1));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, xs.len() - 1));
    }
    out
}
