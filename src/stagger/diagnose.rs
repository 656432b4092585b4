//! Infeasible calendars in planners' terms: the day rows the feasibility phase could not meet, and
//! quotas no calendar of a line can meet.

use super::colgen::LpRound;
use super::instance::Instance;
use super::master::Master;
use super::pricing::cheapest;
use crate::domain::Pollutant;
use serde::Serialize;

/// One reason why no calendar exists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shortfall {
    /// Registry name (`cut:2022-01-05:NOx`, `cap:2022-01-05:cement`, `quota:L00012-01:冬季`).
    pub row: String,
    /// `cut`, `cap`, `quota` or `maintenance`.
    pub kind: &'static str,
    /// How much is missing (t/d, capacity, days).
    pub amount: f64,
    /// Sentence for the planner.
    pub message: String,
}

/// Rows the feasibility phase could not meet.
pub(super) fn explain(m: &Master, lp: &LpRound) -> Vec<Shortfall> {
    lp.slack_rows
        .iter()
        .map(|&(r, amount)| {
            let row = &m.rows[r];
            let (d, x) = row.at;
            let date = m.inst.days[d].date;
            let message = if row.kind == "cut" {
                format!(
                    "{date} {}: target {:.3} t/d; even with every allowed stop {amount:.3} t/d are missing",
                    Pollutant::ALL[x].label(),
                    m.inst.days[d].target[x]
                )
            } else {
                let ind = &m.inst.industries[x];
                format!(
                    "{date} {}: the stops that quotas and targets require exceed the cap {:.2} ({:.0} % of capacity) by {amount:.2}",
                    ind.code,
                    ind.limit(),
                    ind.share * 100.0
                )
            };
            Shortfall {
                row: row.name.clone(),
                kind: row.kind,
                amount,
                message,
            }
        })
        .collect()
}

/// Quotas no calendar of the line can meet (too few stoppable days in the window, or jobs and
/// block lengths that cannot fit together).
pub(super) fn quota_shortfalls(inst: &Instance) -> Option<Vec<Shortfall>> {
    let mut out = Vec::new();
    for (ui, u) in inst.units.iter().enumerate() {
        let zero = vec![0.0; inst.days.len()];
        if cheapest(inst, ui, &zero, 0.0).is_some() {
            continue;
        }
        let mut named = false;
        for q in &u.quotas {
            let possible = (q.first..=q.last)
                .filter(|&d| {
                    inst.forced(u, d).is_some()
                        || inst.choosable(u, d)
                        || (inst.maintenance_counts && !u.jobs.is_empty())
                })
                .count();
            if possible < q.min_days {
                named = true;
                out.push(Shortfall {
                    row: format!("quota:{}:{}", u.line, q.name),
                    kind: "quota",
                    amount: (q.min_days - possible) as f64,
                    message: format!(
                        "line {} window {}: quota {} days, at most {possible} days can be stopped",
                        u.line, q.name, q.min_days
                    ),
                });
            }
        }
        if !named {
            out.push(Shortfall {
                row: format!("quota:{}:*", u.line),
                kind: if u.quotas.is_empty() { "maintenance" } else { "quota" },
                amount: 0.0,
                message: format!(
                    "line {}: its quotas, minimum block of {} days, minimum run of {} days, block limit ({}), government stops and maintenance jobs cannot all fit",
                    u.line,
                    u.min_block,
                    u.min_run,
                    u.max_blocks.map_or("none".to_string(), |k| format!("{k} per season"))
                ),
            });
        }
    }
    (!out.is_empty()).then_some(out)
}
