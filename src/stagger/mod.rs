//! Staggered production (错峰生产) and maintenance calendars: which line stops on which days.
//!
//! [`input`] (scenario TOML + tables → [`Instance`]) → [`solve`] (greedy, column generation over
//! line patterns priced by [`pricing`], master MIP in HiGHS, honest status, infeasibility
//! explained by day, industry and quota) → [`calendar`]
//! (calendar.csv, days.csv) → [`check`] (independent re-verification). [`generate`] builds
//! synthetic instances for tests and benchmarks.

pub mod calendar;
pub mod check;
mod colgen;
mod compact;
mod diagnose;
mod dive;
pub mod enumerate;
pub mod generate;
pub mod greedy;
pub mod input;
pub mod instance;
mod lns;
mod master;
mod mip;
pub mod pricing;
pub mod scenario;
pub mod solve;
pub mod tables;

pub use instance::{Instance, Mode, Quota, State, Unit};

use crate::io::atomic::write_bytes;
use crate::io::IoError;
use crate::solve::Status;
use serde::Serialize;
use std::path::Path;

/// Counts that describe a calendar.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Counts {
    /// Staggered lines.
    pub stagger_lines: usize,
    /// Season-stop lines.
    pub season_stop_lines: usize,
    /// Lines with only government stops or maintenance jobs.
    pub other_lines: usize,
    /// Maintenance jobs.
    pub jobs: usize,
    /// Chosen stop blocks.
    pub blocks: usize,
    /// Chosen stop days (line-days).
    pub chosen_days: usize,
}

/// `summary.json` of a calendar run.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Always `calendar`.
    pub kind: &'static str,
    /// Scenario name.
    pub scenario: String,
    /// Solver status.
    pub status: Status,
    /// Status in words.
    pub status_message: &'static str,
    /// Controllable loss (万元): chosen stop days and maintenance days at their date's value, plus
    /// one start-up cost per chosen block.
    pub objective: Option<f64>,
    /// Proven lower bound on the controllable loss.
    pub bound: Option<f64>,
    /// Relative gap.
    pub gap: Option<f64>,
    /// Loss of the greedy calendar.
    pub greedy_objective: Option<f64>,
    /// Greedy minus optimised loss.
    pub saving_vs_greedy: Option<f64>,
    /// Saving as a share of the greedy loss.
    pub saving_vs_greedy_share: Option<f64>,
    /// Loss of season stops and government-ordered days (fixed by the rules, not optimised).
    pub fixed_loss: f64,
    /// First and last day of the horizon.
    pub horizon: (String, String),
    /// Seasons with their dates.
    pub seasons: Vec<(String, String, String)>,
    /// Counts.
    pub counts: Counts,
    /// Size: patterns generated, column-generation rounds, master rows.
    pub model: (usize, usize, usize),
    /// Why no calendar exists (by day, industry and quota).
    pub infeasibility: Vec<solve::Shortfall>,
    /// Notes.
    pub notes: Vec<String>,
    /// Seconds (greedy, solve).
    pub timing: (f64, f64),
}

/// Summarise a solve.
pub fn summarize(inst: &Instance, out: &solve::Outcome) -> Summary {
    let saving = match (out.greedy_objective, out.objective) {
        (Some(g), Some(o)) => Some(g - o),
        _ => None,
    };
    let chosen: Vec<(usize, usize)> = out
        .states
        .iter()
        .flatten()
        .flat_map(|s| instance::runs(s, |x| *x == State::Chosen))
        .collect();
    let mode_count = |m: Mode| inst.units.iter().filter(|u| u.mode == m).count();
    Summary {
        kind: "calendar",
        scenario: inst.name.clone(),
        status: out.status,
        status_message: out.status.message(),
        objective: out.objective,
        bound: out.bound,
        gap: out.gap,
        greedy_objective: out.greedy_objective,
        saving_vs_greedy: saving,
        saving_vs_greedy_share: saving
            .zip(out.greedy_objective)
            .map(|(s, g)| s / g.abs().max(1e-9)),
        fixed_loss: inst.units.iter().map(|u| inst.fixed_cost(u)).sum(),
        horizon: (
            inst.days[0].date.to_string(),
            inst.days[inst.days.len() - 1].date.to_string(),
        ),
        seasons: inst
            .seasons
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    inst.days[s.first].date.to_string(),
                    inst.days[s.last].date.to_string(),
                )
            })
            .collect(),
        counts: Counts {
            stagger_lines: mode_count(Mode::Stagger),
            season_stop_lines: mode_count(Mode::SeasonStop),
            other_lines: mode_count(Mode::Fixed),
            jobs: inst.units.iter().map(|u| u.jobs.len()).sum(),
            blocks: chosen.len(),
            chosen_days: chosen.iter().map(|(a, b)| b - a + 1).sum(),
        },
        model: out.size,
        infeasibility: out.shortfalls.clone(),
        notes: out.notes.clone(),
        timing: out.seconds,
    }
}

/// Write calendar.csv, days.csv (when a calendar exists) and summary.json into `dir` (a fresh
/// folder: see [`crate::io::result_dir`]).
pub fn write(
    dir: &Path,
    inst: &Instance,
    out: &solve::Outcome,
    english: bool,
) -> Result<Summary, IoError> {
    let summary = summarize(inst, out);
    if let Some(s) = &out.states {
        write_bytes(
            &dir.join("calendar.csv"),
            &calendar::calendar_csv(inst, s, english),
        )?;
        write_bytes(&dir.join("days.csv"), &calendar::days_csv(inst, s, english))?;
    }
    crate::plan::write::write_json(&dir.join("summary.json"), &summary)?;
    Ok(summary)
}
