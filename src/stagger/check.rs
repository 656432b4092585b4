//! The independent calendar checker: given every line's day states (read back from a calendar
//! file), verify forced days, block lengths, quotas, maintenance windows, industry caps and daily
//! cut targets. It never looks at the model.

use super::instance::{runs, Instance, Mode, State, TOL};

/// One broken rule: the list checker's violation, with the line and the date it is about.
pub use crate::check::Violation;

fn v(kind: &'static str, line: Option<&str>, date: Option<String>, message: String) -> Violation {
    Violation {
        line: line.map(str::to_string),
        date,
        ..Violation::about(kind, message)
    }
}

/// Check every rule; `states[u]` holds unit u's state on every day.
pub fn check_states(inst: &Instance, states: &[Vec<State>]) -> Vec<Violation> {
    let mut out = Vec::new();
    for (u, s) in inst.units.iter().zip(states) {
        check_forced(inst, u, s, &mut out);
        check_blocks(inst, u, s, &mut out);
        check_runs(inst, u, s, &mut out);
        check_block_count(inst, u, s, &mut out);
        check_quotas(inst, u, s, &mut out);
        check_jobs(inst, u, s, &mut out);
    }
    check_caps(inst, states, &mut out);
    check_cuts(inst, states, &mut out);
    out
}

fn date(inst: &Instance, d: usize) -> Option<String> {
    Some(inst.days[d].date.to_string())
}

/// Government days are stopped by that order; season-stop lines stop every other season day;
/// chosen stops only for staggered lines on season days.
fn check_forced(inst: &Instance, u: &super::Unit, s: &[State], out: &mut Vec<Violation>) {
    for (d, &st) in s.iter().enumerate() {
        let forced = inst.forced(u, d);
        let msg = match (forced, st) {
            (Some(State::Gov), State::Gov) | (Some(State::Season), State::Season) => None,
            (Some(State::Gov), _) => Some((
                "government",
                "a government-ordered stop day is not shown as such".to_string(),
            )),
            (_, State::Gov) => Some((
                "government",
                "a government stop on a day no order covers".into(),
            )),
            (Some(State::Season), _) => Some((
                "season",
                "a season-stop line must stop on every season day".into(),
            )),
            (_, State::Season) => Some((
                "season",
                "a season stop outside a season or for a line that does not stop for the season"
                    .into(),
            )),
            (_, State::Chosen) if !inst.choosable(u, d) => Some((
                "participation",
                match u.mode {
                    Mode::Stagger => "a staggered stop outside the seasons".to_string(),
                    _ => "a staggered stop for a line that does not stagger".to_string(),
                },
            )),
            _ => None,
        };
        if let Some((kind, m)) = msg {
            out.push(v(kind, Some(&u.line), date(inst, d), m));
        }
    }
}

/// Every chosen block is at least the line's minimum block length.
fn check_blocks(inst: &Instance, u: &super::Unit, s: &[State], out: &mut Vec<Violation>) {
    for (a, b) in runs(s, |x| *x == State::Chosen) {
        let len = b - a + 1;
        if len < u.min_block {
            out.push(v(
                "block",
                Some(&u.line),
                date(inst, a),
                format!(
                    "stop block {} → {} lasts {len} days, fewer than the minimum {}",
                    inst.days[a].date, inst.days[b].date, u.min_block
                ),
            ));
        }
    }
}

/// Production runs too short to run a plant: maximal runs of production days with a stop on
/// both sides, at least one of them a chosen block, shorter than the line's minimum run
/// (inclusive day ranges). A run at the start or end of the horizon is never short.
pub fn short_runs(u: &super::Unit, s: &[State]) -> Vec<(usize, usize)> {
    if u.min_run <= 1 {
        return Vec::new();
    }
    runs(s, |x| *x == State::Run)
        .into_iter()
        .filter(|&(a, b)| {
            a > 0
                && b + 1 < s.len()
                && b - a + 1 < u.min_run
                && (s[a - 1] == State::Chosen || s[b + 1] == State::Chosen)
        })
        .collect()
}

/// Chosen blocks (inclusive day ranges) that start in season `season`.
pub fn season_blocks(inst: &Instance, s: &[State], season: usize) -> Vec<(usize, usize)> {
    let se = &inst.seasons[season];
    runs(s, |x| *x == State::Chosen)
        .into_iter()
        .filter(|&(a, _)| se.first <= a && a <= se.last)
        .collect()
}

/// Every production run between a chosen block and another stop lasts the line's minimum run.
fn check_runs(inst: &Instance, u: &super::Unit, s: &[State], out: &mut Vec<Violation>) {
    for (a, b) in short_runs(u, s) {
        out.push(v(
            "run",
            Some(&u.line),
            date(inst, a),
            format!(
                "production run {} → {} between two stops lasts {} days, fewer than the minimum run of {} days (stops {} and {})",
                inst.days[a].date,
                inst.days[b].date,
                b - a + 1,
                u.min_run,
                inst.days[a - 1].date,
                inst.days[b + 1].date
            ),
        ));
    }
}

/// No season has more chosen blocks than the line's limit.
fn check_block_count(inst: &Instance, u: &super::Unit, s: &[State], out: &mut Vec<Violation>) {
    let Some(max) = u.max_blocks else { return };
    for (i, se) in inst.seasons.iter().enumerate() {
        let blocks = season_blocks(inst, s, i);
        if blocks.len() > max {
            let list: Vec<String> = blocks
                .iter()
                .map(|&(a, b)| format!("{} → {}", inst.days[a].date, inst.days[b].date))
                .collect();
            out.push(v(
                "blocks",
                Some(&u.line),
                date(inst, blocks[max].0),
                format!(
                    "season {}: {} stop blocks, at most {max} allowed ({})",
                    se.name,
                    blocks.len(),
                    list.join(", ")
                ),
            ));
        }
    }
}

/// Whether a day counts toward a quota.
pub fn counts_toward_quota(inst: &Instance, st: State) -> bool {
    match st {
        State::Run => false,
        State::Maint(_) => inst.maintenance_counts,
        _ => true,
    }
}

fn check_quotas(inst: &Instance, u: &super::Unit, s: &[State], out: &mut Vec<Violation>) {
    for q in &u.quotas {
        let n = s[q.first..=q.last]
            .iter()
            .filter(|&&x| counts_toward_quota(inst, x))
            .count();
        if n < q.min_days {
            out.push(v(
                "quota",
                Some(&u.line),
                None,
                format!(
                    "window {} ({} → {}): {n} stop days, quota {}",
                    q.name, inst.days[q.first].date, inst.days[q.last].date, q.min_days
                ),
            ));
        }
    }
}

fn check_jobs(inst: &Instance, u: &super::Unit, s: &[State], out: &mut Vec<Violation>) {
    for (k, job) in u.jobs.iter().enumerate() {
        let r = runs(s, |x| *x == State::Maint(k));
        let msg = match r.as_slice() {
            [] => Some("is not scheduled".to_string()),
            [(a, b)] if b - a + 1 != job.duration => Some(format!(
                "lasts {} days, the job takes {}",
                b - a + 1,
                job.duration
            )),
            [(a, _)] if !job.allowed_start(*a) => Some(format!(
                "starts {}: outside its earliest/latest dates or inside a window to avoid",
                inst.days[*a].date
            )),
            [_] => None,
            _ => Some("is split into several blocks".into()),
        };
        if let Some(m) = msg {
            out.push(v(
                "maintenance",
                Some(&u.line),
                None,
                format!("maintenance job {} {m}", job.name),
            ));
        }
    }
}

/// Stopped capacity per industry and day.
pub fn stopped_capacity(inst: &Instance, states: &[Vec<State>]) -> Vec<Vec<f64>> {
    let mut c = vec![vec![0.0; inst.industries.len()]; inst.days.len()];
    for (u, s) in inst.units.iter().zip(states) {
        for (d, st) in s.iter().enumerate() {
            if st.stopped() {
                c[d][u.industry] += u.capacity;
            }
        }
    }
    c
}

/// Cut per pollutant and day.
pub fn cuts(inst: &Instance, states: &[Vec<State>]) -> Vec<[f64; 4]> {
    let mut c = vec![[0.0; 4]; inst.days.len()];
    for (u, s) in inst.units.iter().zip(states) {
        for (d, st) in s.iter().enumerate() {
            if st.stopped() {
                for (p, e) in u.emissions.iter().enumerate() {
                    c[d][p] += e;
                }
            }
        }
    }
    c
}

fn check_caps(inst: &Instance, states: &[Vec<State>], out: &mut Vec<Violation>) {
    for (d, row) in stopped_capacity(inst, states).iter().enumerate() {
        for (i, &c) in row.iter().enumerate() {
            let ind = &inst.industries[i];
            if c > ind.limit() + TOL * (1.0 + ind.limit()) {
                out.push(v(
                    "cap",
                    None,
                    date(inst, d),
                    format!(
                        "{}: stopped capacity {c:.2} above the cap {:.2} ({:.0} % of {:.2})",
                        ind.code,
                        ind.limit(),
                        ind.share * 100.0,
                        ind.capacity
                    ),
                ));
            }
        }
    }
}

fn check_cuts(inst: &Instance, states: &[Vec<State>], out: &mut Vec<Violation>) {
    for (d, got) in cuts(inst, states).iter().enumerate() {
        for p in crate::domain::Pollutant::ALL {
            let need = inst.days[d].target[p.index()];
            if got[p.index()] < need - TOL {
                out.push(v(
                    "cut",
                    None,
                    date(inst, d),
                    format!(
                        "{}: cut {:.4} t/d below the target {need:.4} t/d",
                        p.label(),
                        got[p.index()]
                    ),
                ));
            }
        }
    }
}

/// Total controllable loss of all units' states.
pub fn total_cost(inst: &Instance, states: &[Vec<State>]) -> f64 {
    inst.units
        .iter()
        .zip(states)
        .map(|(u, s)| inst.unit_cost(u, s))
        .sum()
}
