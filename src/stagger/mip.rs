//! The exact phase of the calendar: LP rounding under the caps, and the master as a HiGHS MIP
//! over the generated patterns (warm start and cut-off from the incumbent).

use super::colgen::{session, LpRound};
use super::instance::{State, UnitPlan, TOL};
use super::master::Master;
use crate::solve::session::{stop_of, Session};
use crate::solve::Stop;
use highs::{HighsModelStatus, Sense};

/// LP rounding: units take patterns in order of their LP weight, each the heaviest that fits the
/// caps left by the units before it (else its cheapest fitting pattern); the greedy then covers
/// what the cuts still miss.
pub(super) fn round(m: &Master, lp: &LpRound) -> Option<Vec<Vec<State>>> {
    let inst = m.inst;
    let mut by_unit: Vec<Vec<(usize, f64)>> = vec![Vec::new(); inst.units.len()];
    for &(c, v) in &lp.support {
        by_unit[m.columns[c].unit].push((c, v));
    }
    for (ci, c) in m.columns.iter().enumerate() {
        if !by_unit[c.unit].iter().any(|x| x.0 == ci) {
            by_unit[c.unit].push((ci, -c.cost));
        }
    }
    for v in &mut by_unit {
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    let mut order: Vec<usize> = (0..inst.units.len()).collect();
    order.sort_by(|&a, &b| {
        by_unit[b]
            .first()
            .map_or(0.0, |x| x.1)
            .total_cmp(&by_unit[a].first().map_or(0.0, |x| x.1))
            .then(a.cmp(&b))
    });
    let mut cap = vec![vec![0.0; inst.industries.len()]; inst.days.len()];
    for u in &inst.units {
        for (d, row) in cap.iter_mut().enumerate() {
            if inst.forced(u, d).is_some() {
                row[u.industry] += u.capacity;
            }
        }
    }
    let mut states: Vec<Vec<State>> = vec![Vec::new(); inst.units.len()];
    for ui in order {
        let u = &inst.units[ui];
        let limit = inst.industries[u.industry].limit() + TOL;
        let fits = |s: &[State]| {
            s.iter()
                .enumerate()
                .all(|(d, x)| !x.decided() || cap[d][u.industry] + u.capacity <= limit)
        };
        let s = by_unit[ui]
            .iter()
            .map(|&(c, _)| inst.states(u, &m.columns[c].plan))
            .find(|s| fits(s))?;
        for (d, x) in s.iter().enumerate() {
            if x.decided() {
                cap[d][u.industry] += u.capacity;
            }
        }
        states[ui] = s;
    }
    super::greedy::repair(inst, states)
}

/// A unit's plan read off its day states.
pub(super) fn plan_of(u: &super::Unit, s: &[State]) -> UnitPlan {
    UnitPlan {
        blocks: super::instance::runs(s, |x| *x == State::Chosen),
        job_starts: (0..u.jobs.len())
            .map(|k| s.iter().position(|x| *x == State::Maint(k)).unwrap_or(0))
            .collect(),
    }
}

/// The master MIP's calendar (if it found one), a note and its proven lower bound (when it ended
/// optimal, or infeasible under the cut-off), or why it could not run.
/// The master MIP's calendar, note, bound and why it stopped; or what went wrong and why.
pub(super) type MipResult =
    Result<(Option<Vec<Vec<State>>>, Option<String>, Option<f64>, Stop), (String, Stop)>;

/// The master as a MIP over the generated patterns.
pub(super) fn master_mip(
    m: &Master,
    warm: Option<&Vec<Vec<State>>>,
    cutoff: Option<f64>,
    keep: &[usize],
    (seconds, gap): (f64, f64),
) -> MipResult {
    if seconds <= 0.0 {
        return Err(("no time left for the master MIP".into(), Stop::TimeLimit));
    }
    let mut hm = m
        .problem(keep, 1.0, 0.0, true)
        .try_optimise(Sense::Minimise)
        .map_err(|e| {
            (
                format!("HiGHS refused the master MIP ({e:?})"),
                Stop::Trouble,
            )
        })?;
    let session = Session {
        mip_gap: Some(gap),
        cutoff: cutoff.map(|c| c + 1e-7 * c.abs().max(1.0)),
        ..session(seconds)
    };
    session
        .apply(&mut hm)
        .map_err(|note| (note, Stop::Trouble))?;
    if let Some(w) = warm {
        let x: Vec<f64> = keep
            .iter()
            .map(|&ci| {
                let c = &m.columns[ci];
                f64::from(u8::from(
                    plan_of(&m.inst.units[c.unit], &w[c.unit]) == c.plan,
                ))
            })
            .collect();
        let _ = hm.try_set_solution(Some(&x), None, None, None);
    }
    let solved = hm.try_solve().map_err(|e| {
        let note = format!("HiGHS could not solve the master MIP ({e:?})");
        (note, Stop::Trouble)
    })?;
    let status = solved.status();
    let stop = stop_of(status);
    let note = (!matches!(
        status,
        HighsModelStatus::Optimal | HighsModelStatus::Infeasible
    ))
    .then(|| format!("master MIP ended with HiGHS status {status:?}"));
    let bound = match status {
        HighsModelStatus::Optimal => solved.double_info_value(c"mip_dual_bound").ok(),
        // Nothing beats the cut-off: the incumbent is optimal.
        HighsModelStatus::Infeasible => cutoff,
        _ => None,
    }
    .filter(|b| b.is_finite());
    let x = solved.get_solution().columns().to_vec();
    // A bound is trusted only when HiGHS's objective is that of the calendar it returns.
    let value: f64 = keep
        .iter()
        .zip(&x)
        .map(|(&ci, v)| m.columns[ci].cost * v)
        .sum();
    let consistent = status != HighsModelStatus::Optimal
        || (value - solved.objective_value()).abs() <= 1e-6 * value.abs().max(1.0);
    let bound = bound.filter(|_| consistent);
    if x.len() != keep.len()
        || !matches!(
            status,
            HighsModelStatus::Optimal | HighsModelStatus::ReachedTimeLimit
        )
    {
        return Ok((None, note, bound, stop));
    }
    let mut plans: Vec<Option<&UnitPlan>> = vec![None; m.inst.units.len()];
    for (c, v) in keep.iter().map(|&ci| &m.columns[ci]).zip(&x) {
        if *v > 0.5 {
            plans[c.unit] = Some(&c.plan);
        }
    }
    if plans.iter().any(Option::is_none) {
        return Ok((None, note, bound, stop));
    }
    let states = m
        .inst
        .units
        .iter()
        .zip(plans)
        .map(|(u, p)| m.inst.states(u, p.expect("checked")))
        .collect();
    Ok((Some(states), note, bound, stop))
}
