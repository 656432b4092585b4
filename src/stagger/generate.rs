//! Synthetic calendar instances (deterministic for a size and seed), for tests and benchmarks:
//! `lines` staggered lines in three industries over `days` season days from 2021-11-15, each with
//! a season quota (a quarter of the days) and, for every third line, a sub-window quota in the
//! second month; daily cut targets with forecast episodes; industry caps; monthly value factors.

use super::instance::{Day, IndustryCap, Instance, Mode, Quota, Season, Unit};
use crate::domain::Level;
use crate::seeds::rng::Rng;
use chrono::{Datelike, NaiveDate};

/// Settings of a synthetic instance.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Staggered lines.
    pub lines: usize,
    /// Season days.
    pub days: usize,
    /// Least block length.
    pub min_block: usize,
    /// Least production run between a chosen block and another stop (0: no rule).
    pub min_run: usize,
    /// Random seed.
    pub seed: u64,
}

/// Monthly output-value factors (January first): lower around the Spring Festival.
pub const VALUE_FACTOR: [f64; 12] = [
    0.85, 0.7, 1.0, 1.0, 1.05, 1.1, 1.1, 1.1, 1.05, 1.0, 1.0, 1.1,
];

/// Build the instance.
pub fn instance(spec: Spec) -> Instance {
    let mut rng = Rng::new(spec.seed);
    let first = NaiveDate::from_ymd_opt(2021, 11, 15).expect("date");
    let codes = [("cement", "水泥"), ("steel", "钢铁"), ("chemicals", "化工")];
    let mut industries: Vec<IndustryCap> = codes
        .iter()
        .map(|(c, z)| IndustryCap {
            code: c.to_string(),
            name_zh: z.to_string(),
            name_en: c.to_string(),
            capacity: 0.0,
            share: 0.45,
        })
        .collect();
    let quota = (spec.days / 4).max(spec.min_block);
    // The second calendar month of the horizon as a sub-window.
    let month_start = (0..spec.days)
        .find(|&d| {
            let date = first + chrono::Duration::days(d as i64);
            date.day() == 1 && date.month() != first.month()
        })
        .unwrap_or(0);
    let month_end = (month_start + 30).min(spec.days - 1);
    let units: Vec<Unit> = (0..spec.lines)
        .map(|i| {
            let industry = rng.int(0, 2);
            let capacity = rng.range(500.0, 5000.0);
            industries[industry].capacity += capacity / 0.9; // the rest of the industry keeps producing
            let value = rng.range(20.0, 200.0);
            let emissions = [
                rng.range(0.0, 0.5),
                rng.range(0.1, 1.5),
                rng.range(0.05, 0.6),
                if industry == 2 {
                    rng.range(0.2, 1.0)
                } else {
                    rng.range(0.0, 0.1)
                },
            ];
            let mut quotas = vec![Quota {
                name: "season".into(),
                first: 0,
                last: spec.days - 1,
                min_days: quota,
            }];
            if i % 3 == 0 && month_end > month_start + spec.min_block {
                quotas.push(Quota {
                    name: "month2".into(),
                    first: month_start,
                    last: month_end,
                    min_days: spec.min_block + 3,
                });
            }
            Unit {
                line: format!("S{i:05}"),
                name: format!("合成熟料线{i:05}"),
                process: "熟料".into(),
                credit_code: format!("SYN{i:05}"),
                enterprise: format!("合成企业{i:05}"),
                district: "合成区".into(),
                industry,
                grade: "C".into(),
                mode: Mode::Stagger,
                value,
                emissions,
                capacity,
                min_block: spec.min_block,
                min_run: spec.min_run,
                max_blocks: None,
                startup_cost: value * rng.range(0.5, 2.0),
                quotas,
                gov_days: Vec::new(),
                jobs: Vec::new(),
            }
        })
        .collect();
    let total: [f64; 4] = std::array::from_fn(|p| units.iter().map(|u| u.emissions[p]).sum());
    let days: Vec<Day> = (0..spec.days)
        .map(|d| {
            let date = first + chrono::Duration::days(d as i64);
            let episode = rng.chance(0.12);
            let share = if episode { 0.34 } else { 0.2 };
            Day {
                date,
                season: Some(0),
                level: episode.then_some(Level::Orange),
                target: std::array::from_fn(|p| if p == 3 { 0.0 } else { total[p] * share }),
                value_factor: VALUE_FACTOR[date.month0() as usize],
            }
        })
        .collect();
    Instance {
        name: format!("synthetic {} lines × {} days", spec.lines, spec.days),
        days,
        seasons: vec![Season {
            name: "season".into(),
            first: 0,
            last: spec.days - 1,
        }],
        industries,
        units,
        maintenance_counts: true,
    }
}
