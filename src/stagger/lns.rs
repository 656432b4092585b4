//! Large-neighbourhood search on the calendar: repeatedly free a group of lines, hold every other
//! line at the incumbent and solve the compact MIP of [`super::compact`] over the group (warm
//! started from the incumbent, so a step never makes it worse). Unlike the master MIP it may give
//! the freed lines calendars no pricing round produced. Window steps free every line over a few
//! weeks but hold the line-days where the root LP is whole and the incumbent agrees with it
//! (relaxation-induced, as in RINS), so HiGHS solves them to optimality in well under a step.
//! Steps come in pairs from the same calendar, solved side by side on the pool's threads (one
//! after the other on one thread, so the steps and the calendar do not depend on the count);
//! the round keeps the cheaper result, or both together when they changed different lines.
//! A primal heuristic: each calendar it keeps passes the checker; the bound is untouched.

use super::check::{check_states, total_cost};
use super::compact::{solve_compact, Scope};
use super::instance::{Mode, State};
use super::master::Master;
use crate::seeds::rng::Rng;
use crate::solve::session::Session;
use rayon::prelude::*;
use std::time::Instant;

/// Lines freed per step.
const GROUP: usize = 10;
/// Days of a window step.
const WINDOW: usize = 21;
/// Steps in a row without a better calendar after which the search gives up (on small calendars
/// every neighbourhood is soon solved to optimality; the search then ends long before the time
/// limit, with the same calendar on every run).
const STALL: usize = 24;
/// Seed of the draws (the same steps on every run).
const SEED: u64 = 20211105;
/// Longest sub-MIP, seconds. On Wuxi the improving steps find their calendar within the first
/// second: 1 s steps take the same path as 2 s steps, in half the time (benches/README.md).
const STEP_SECONDS: f64 = 1.0;
/// Neighbourhoods solved side by side in a round (on the pool's threads).
const PAIR: usize = 2;

/// What the search takes from the root LP: each line's loss (its patterns' weighted costs) and
/// its share of stop per day. Empty (the default) when there is no LP: no line strays, no day is
/// held.
#[derive(Debug, Clone, Default)]
pub(super) struct Relaxed {
    loss: Vec<f64>,
    stop: Vec<Vec<f64>>,
}

impl Relaxed {
    /// Read off the LP's support (column, weight).
    pub(super) fn of(m: &Master, support: &[(usize, f64)]) -> Self {
        let inst = m.inst;
        let mut r = Relaxed {
            loss: vec![0.0; inst.units.len()],
            stop: vec![vec![0.0; inst.days.len()]; inst.units.len()],
        };
        for &(ci, w) in support {
            let c = &m.columns[ci];
            r.loss[c.unit] += w * c.cost;
            let states = inst.states(&inst.units[c.unit], &c.plan);
            for (d, x) in states.iter().enumerate() {
                if x.stopped() {
                    r.stop[c.unit][d] += w;
                }
            }
        }
        r
    }

    /// Line `ui`'s loss in the LP (0 without one).
    fn loss(&self, ui: usize) -> f64 {
        self.loss.get(ui).copied().unwrap_or(0.0)
    }

    /// Per line and day: the LP stops the line there wholly or not at all, and `incumbent` does
    /// the same (empty without an LP).
    fn agreeing(&self, incumbent: &[Vec<State>]) -> Vec<Vec<bool>> {
        let whole = 1e-6;
        self.stop
            .iter()
            .zip(incumbent)
            .map(|(lp, cal)| {
                lp.iter()
                    .zip(cal)
                    .map(|(&v, x)| {
                        if x.stopped() {
                            v >= 1.0 - whole
                        } else {
                            v <= whole
                        }
                    })
                    .collect()
            })
            .collect()
    }
}

/// How a search went: steps tried, and steps that found a cheaper calendar in the rounds that
/// improved it (both steps of a pair when both did).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Steps {
    pub(super) tried: usize,
    pub(super) better: usize,
    /// The search ended for lack of time (not because it stalled or the loss was enough).
    pub(super) out_of_time: bool,
}

/// Improve `incumbent`, guided by the root LP (`relaxed`), until the time limit (`deadline`
/// seconds after `start`), until its loss is `enough` or until [`STALL`] steps in a row find
/// nothing better (with an LP: twice, the second time with windows wholly free); returns the
/// best calendar found (never worse than `incumbent`).
pub(super) fn improve(
    m: &Master,
    mut incumbent: Vec<Vec<State>>,
    relaxed: &Relaxed,
    (deadline, start): (f64, Instant),
    enough: impl Fn(f64) -> bool,
) -> (Vec<Vec<State>>, Steps) {
    let inst = m.inst;
    let movable: Vec<usize> = (0..inst.units.len())
        .filter(|&ui| {
            let u = &inst.units[ui];
            u.mode == Mode::Stagger || !u.jobs.is_empty()
        })
        .collect();
    let mut steps = Steps::default();
    let mut cost = total_cost(inst, &incumbent);
    let mut rng = Rng::new(SEED);
    let trace = std::env::var_os("JIANPAI_TRACE").is_some();
    let mut since = 0;
    // Window steps hold what the LP and the calendar agree on until the search stalls; then it
    // goes on once more with the windows wholly free.
    let mut hold = !relaxed.stop.is_empty();
    while !movable.is_empty() && !enough(cost) {
        if since >= STALL {
            if !hold {
                break;
            }
            hold = false;
            since = 0;
        }
        let left = deadline - start.elapsed().as_secs_f64();
        if left <= 0.5 {
            steps.out_of_time = true;
            break;
        }
        // A pair of neighbourhoods of the same calendar, solved side by side (one after the
        // other on one thread: the same steps and the same calendar for any thread count).
        let guide = (relaxed, hold);
        let first = steps.tried + 1;
        let scopes: Vec<Scope> = (0..PAIR)
            .map(|_| {
                steps.tried += 1;
                neighbourhood(m, &movable, &incumbent, guide, steps.tried, &mut rng)
            })
            .collect();
        let session = Session {
            threads: 1,
            seconds: left.min(STEP_SECONDS),
            mip_gap: Some(1e-6),
            ..Session::default()
        };
        let solved: Vec<Result<_, String>> = scopes
            .par_iter()
            .map(|scope| solve_compact(m, scope, &incumbent, session))
            .collect();
        since += scopes.len();
        let mut found = Vec::new();
        for (k, (scope, r)) in scopes.iter().zip(&solved).enumerate() {
            let Ok(r) = r else { continue };
            let Some(s) = &r.states else { continue };
            if trace {
                eprintln!(
                    "lns step {} {:?} lines {}: {:?} {cost:.2} → {:.2} t {:.2}",
                    first + k,
                    scope.days,
                    scope.lines.iter().filter(|&&f| f).count(),
                    r.status,
                    total_cost(inst, s),
                    start.elapsed().as_secs_f64()
                );
            }
            found.push(s);
        }
        if let Some(s) = best_of(inst, &incumbent, &found, cost) {
            steps.better += found
                .iter()
                .filter(|f| cheaper(total_cost(inst, f), cost))
                .count();
            cost = total_cost(inst, &s);
            incumbent = s;
            since = 0;
        }
        if solved.iter().any(|r| r.is_err()) {
            break;
        }
    }
    (incumbent, steps)
}

/// The cheapest calendar the pair of steps offers below `cost` that passes the checker: either
/// calendar, or both together when they changed different lines (each line taken from the
/// step that changed it); `None` when neither is better.
fn best_of(
    inst: &super::Instance,
    incumbent: &[Vec<State>],
    found: &[&Vec<Vec<State>>],
    cost: f64,
) -> Option<Vec<Vec<State>>> {
    let mut candidates: Vec<Vec<Vec<State>>> = found
        .iter()
        .filter(|s| cheaper(total_cost(inst, s), cost))
        .map(|s| s.to_vec())
        .collect();
    if candidates.len() > 1 {
        let mut both = incumbent.to_vec();
        let mut clash = false;
        for s in &candidates {
            for (ui, line) in s.iter().enumerate() {
                if *line != incumbent[ui] {
                    clash |= both[ui] != incumbent[ui];
                    both[ui] = line.clone();
                }
            }
        }
        if !clash {
            candidates.push(both);
        }
    }
    candidates
        .into_iter()
        .filter(|s| check_states(inst, s).is_empty())
        .map(|s| (total_cost(inst, &s), s))
        .filter(|(c, _)| cheaper(*c, cost))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, s)| s)
}

/// `c` is cheaper than `than` by more than rounding.
fn cheaper(c: f64, than: f64) -> bool {
    c < than - 1e-6 * than.abs().max(1.0)
}

/// The neighbourhood of a step, in turn: the lines whose loss strays furthest from the LP's
/// (furthest first: half of the group from the top, half drawn from the next 3 × [`GROUP`]);
/// every movable line inside a window of [`WINDOW`] season days (the windows sliding through
/// each season by half their length), holding — while `hold` — the line-days the LP and the
/// calendar agree on; a deterministic draw of [`GROUP`] movable lines over the whole horizon;
/// one industry's movable lines (they share the caps and most of a pollutant's cut; at most
/// 2 × [`GROUP`] drawn when there are more).
fn neighbourhood(
    m: &Master,
    movable: &[usize],
    calendar: &[Vec<State>],
    (relaxed, hold): (&Relaxed, bool),
    step: usize,
    rng: &mut Rng,
) -> Scope {
    let inst = m.inst;
    let round = (step - 1) / 4;
    match (step - 1) % 4 {
        0 => {
            let mut by_stray: Vec<(f64, usize)> = movable
                .iter()
                .map(|&ui| {
                    let own = inst.unit_cost(&inst.units[ui], &calendar[ui]);
                    ((own - relaxed.loss(ui)).abs(), ui)
                })
                .collect();
            by_stray.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let strays: Vec<usize> = by_stray.into_iter().map(|x| x.1).collect();
            let half = GROUP / 2;
            let next = strays.iter().skip(half).take(3 * GROUP).copied().collect();
            let mut lines = draw(inst.units.len(), next, GROUP - half, rng);
            for &ui in strays.iter().take(half) {
                lines[ui] = true;
            }
            return Scope {
                lines,
                ..Default::default()
            };
        }
        1 => {
            let windows: Vec<(usize, usize)> = inst
                .seasons
                .iter()
                .flat_map(|s| {
                    let len = s.last + 1 - s.first;
                    let w = WINDOW.min(len);
                    (0..)
                        .map(move |i| s.first + i * (w / 2).max(1))
                        .take_while(move |&a| a + w <= s.last + 1 || a == s.first)
                        .map(move |a| (a, (a + w - 1).min(s.last)))
                })
                .collect();
            if !windows.is_empty() {
                let mut lines = vec![false; inst.units.len()];
                for &ui in movable {
                    lines[ui] = true;
                }
                return Scope {
                    lines,
                    days: Some(windows[round % windows.len()]),
                    pinned: if hold {
                        relaxed.agreeing(calendar)
                    } else {
                        Vec::new()
                    },
                };
            }
        }
        3 if !inst.industries.is_empty() => {
            let i = round % inst.industries.len();
            let pool: Vec<usize> = movable
                .iter()
                .copied()
                .filter(|&ui| inst.units[ui].industry == i)
                .collect();
            if !pool.is_empty() {
                return Scope {
                    lines: draw(inst.units.len(), pool, 2 * GROUP, rng),
                    ..Default::default()
                };
            }
        }
        // 2, and whatever the other kinds cannot make: a random draw.
        _ => {}
    }
    Scope {
        lines: draw(inst.units.len(), movable.to_vec(), GROUP, rng),
        ..Default::default()
    }
}

/// Mark `k` lines of `pool` drawn with the search's generator (all when `k` ≥ the pool).
fn draw(units: usize, mut pool: Vec<usize>, k: usize, rng: &mut Rng) -> Vec<bool> {
    let mut lines = vec![false; units];
    for _ in 0..k.min(pool.len()) {
        let i = rng.int(0, pool.len() - 1);
        lines[pool.swap_remove(i)] = true;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stagger::generate::{instance, Spec};
    use crate::stagger::greedy::greedy;
    use crate::stagger::instance::UnitPlan;

    /// The search from `cal` with a long time limit.
    fn search(
        m: &Master,
        cal: &[Vec<State>],
        relaxed: &Relaxed,
        enough: impl Fn(f64) -> bool,
    ) -> (Vec<Vec<State>>, Steps) {
        improve(m, cal.to_vec(), relaxed, (600.0, Instant::now()), enough)
    }

    /// From the greedy's calendar the search finds a cheaper one that passes the checker, stops
    /// once the loss is enough, and tries nothing when the start already is.
    #[test]
    fn the_search_improves_the_greedy_calendar_and_stops_when_enough() {
        let inst = instance(Spec {
            lines: 30,
            days: 60,
            min_block: 7,
            min_run: 7,
            seed: 1,
        });
        let m = Master::new(&inst);
        let start_cal = greedy(&inst).expect("the greedy serves this instance");
        let before = total_cost(&inst, &start_cal);
        let relaxed = Relaxed::default();
        let (same, steps) = search(&m, &start_cal, &relaxed, |_| true);
        assert_eq!(steps.tried, 0);
        assert_eq!(same, start_cal);
        let (s, steps) = search(&m, &start_cal, &relaxed, |c| c < before);
        assert!(check_states(&inst, &s).is_empty());
        assert!(steps.better >= 1, "{steps:?}");
        assert!(total_cost(&inst, &s) < before);
    }

    /// A pair's calendars: the cheaper, or both together when they changed different lines and
    /// the whole passes the checker; never one that fails the checker; none when neither is
    /// cheaper.
    #[test]
    fn a_pair_of_steps_keeps_the_cheapest_checked_calendar() {
        let inst = instance(Spec {
            lines: 16,
            days: 42,
            min_block: 3,
            min_run: 4,
            seed: 1,
        });
        let m = Master::new(&inst);
        let g = greedy(&inst).expect("the greedy serves this instance");
        let cost = total_cost(&inst, &g);
        let session = Session {
            threads: 1,
            seconds: 30.0,
            mip_gap: Some(1e-6),
            ..Session::default()
        };
        let group = |lines: std::ops::Range<usize>| {
            let scope = Scope {
                lines: (0..inst.units.len())
                    .map(|ui| lines.contains(&ui))
                    .collect(),
                ..Default::default()
            };
            let r = solve_compact(&m, &scope, &g, session).expect("HiGHS runs");
            r.states.expect("the warm start at least")
        };
        let (a, b) = (group(0..5), group(5..10));
        let (ca, cb) = (total_cost(&inst, &a), total_cost(&inst, &b));
        assert!(ca < cost - 1e-6 && cb < cost - 1e-6, "{ca} {cb} {cost}");
        let mut both = a.clone();
        both[5..10].clone_from_slice(&b[5..10]);
        let kept = best_of(&inst, &g, &[&a, &b], cost).expect("a cheaper calendar");
        assert!(check_states(&inst, &kept).is_empty());
        if check_states(&inst, &both).is_empty() {
            assert_eq!(kept, both);
        } else {
            assert_eq!(total_cost(&inst, &kept), ca.min(cb));
        }
        // Both changed the same lines: the cheaper alone.
        let again = group(3..8);
        let c = total_cost(&inst, &again);
        let kept = best_of(&inst, &g, &[&a, &again], cost).expect("a cheaper calendar");
        assert_eq!(total_cost(&inst, &kept), ca.min(c));
        // A cheaper calendar that fails the checker (a line's stops all dropped) is refused.
        let mut bare = g.clone();
        let ui = (0..inst.units.len())
            .find(|&ui| g[ui].contains(&State::Chosen))
            .expect("a line with chosen stops");
        for x in bare[ui].iter_mut().filter(|x| **x == State::Chosen) {
            *x = State::Run;
        }
        assert!(!check_states(&inst, &bare).is_empty());
        assert!(best_of(&inst, &g, &[&bare], cost).is_none());
        assert!(best_of(&inst, &g, &[&g], cost).is_none());
    }

    /// The pair of a round runs one after the other on one thread and side by side on two: the
    /// same steps and the same calendar.
    #[test]
    fn the_search_gives_the_same_calendar_on_one_and_two_threads() {
        // Small enough that every step is solved to optimality (no step ends by its time cap).
        let inst = crate::stagger::compact::tests::small(3);
        let m = Master::new(&inst);
        let g = greedy(&inst).expect("the greedy serves this instance");
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a pool");
            pool.install(|| search(&m, &g, &Relaxed::default(), |_| false))
        };
        let (one, s1) = on(1);
        let (two, s2) = on(2);
        assert!(s1.better >= 1, "{s1:?}");
        assert_eq!((s1.tried, s1.better), (s2.tried, s2.better));
        assert_eq!(one, two);
    }

    /// The LP's stop shares add up over its patterns; a line-day is held only where the LP is
    /// whole and the calendar agrees with it; without an LP nothing is held.
    #[test]
    fn window_steps_hold_the_line_days_the_lp_and_the_calendar_agree_on() {
        let inst = crate::stagger::compact::tests::small(1);
        let mut m = Master::new(&inst);
        let plan = |blocks: Vec<(usize, usize)>, ui: usize| UnitPlan {
            blocks,
            job_starts: vec![0; inst.units[ui].jobs.len()],
        };
        // Line 0 half on days 2–4, half on days 3–5; line 1 wholly on days 10–11.
        let a = m.column(0, plan(vec![(2, 4)], 0));
        let b = m.column(0, plan(vec![(3, 5)], 0));
        let c = m.column(1, plan(vec![(10, 11)], 1));
        m.columns.extend([a, b, c]);
        let r = Relaxed::of(&m, &[(0, 0.5), (1, 0.5), (2, 1.0)]);
        assert_eq!(r.stop[0][2], 0.5);
        assert_eq!(r.stop[0][3], 1.0);
        assert_eq!(r.stop[1][10], 1.0);
        let expected_loss = 0.5 * (m.columns[0].cost + m.columns[1].cost);
        assert!((r.loss(0) - expected_loss).abs() < 1e-9);
        // The calendar: line 0 stops on days 3–5, line 1 runs throughout.
        let mut cal: Vec<Vec<State>> = inst
            .units
            .iter()
            .map(|u| inst.states(u, &Default::default()))
            .collect();
        cal[0][3..=5].fill(State::Chosen);
        let held = r.agreeing(&cal);
        // Line 0: day 2 and 5 fractional, 3–4 whole and agreed, day 0 whole (no stop) and agreed.
        assert_eq!(&held[0][..7], &[true, true, false, true, true, false, true]);
        // Line 1: the LP stops it on days 10–11, the calendar does not.
        assert!(!held[1][10] && !held[1][11] && held[1][9]);
        assert!(Relaxed::default().agreeing(&cal).is_empty());
    }

    /// From an optimal calendar no step can improve: the search gives up after exactly
    /// [`STALL`] steps (2 × [`STALL`] with an LP) instead of running to its (long) time limit,
    /// and returns the calendar.
    #[test]
    fn the_search_gives_up_after_stall_steps_without_a_better_calendar() {
        // A small calendar with every rule whose optimum HiGHS proves at once.
        let inst = crate::stagger::compact::tests::small(1);
        // Nothing to hold (every line is free): the MIP starts from no stops at all.
        let held: Vec<Vec<State>> = inst
            .units
            .iter()
            .map(|u| inst.states(u, &Default::default()))
            .collect();
        let m = Master::new(&inst);
        let all = Scope {
            lines: vec![true; inst.units.len()],
            ..Default::default()
        };
        let session = Session {
            threads: 1,
            seconds: 60.0,
            mip_gap: Some(0.0),
            ..Session::default()
        };
        let r = solve_compact(&m, &all, &held, session).expect("HiGHS runs");
        assert_eq!(r.status, highs::HighsModelStatus::Optimal);
        let optimum = r.states.expect("an optimal calendar");
        let relaxed = Relaxed::default();
        let (s, steps) = search(&m, &optimum, &relaxed, |_| false);
        assert_eq!((steps.tried, steps.better), (STALL, 0));
        assert!(!steps.out_of_time);
        assert_eq!(s, optimum);
        // With less than a step's minimum left the search ends at once, for lack of time.
        let (s, steps) = improve(&m, optimum.clone(), &relaxed, (0.3, Instant::now()), |_| {
            false
        });
        assert_eq!(steps.tried, 0);
        assert!(steps.out_of_time);
        assert_eq!(s, optimum);
        // With an LP (here the optimum itself) the search stalls twice: once with the LP's days
        // held in the windows, once with the windows free.
        let mut m = m;
        let support: Vec<(usize, f64)> = inst
            .units
            .iter()
            .enumerate()
            .map(|(ui, u)| {
                let c = m.column(ui, crate::stagger::mip::plan_of(u, &optimum[ui]));
                m.columns.push(c);
                (m.columns.len() - 1, 1.0)
            })
            .collect();
        let relaxed = Relaxed::of(&m, &support);
        let (s, steps) = search(&m, &optimum, &relaxed, |_| false);
        assert_eq!((steps.tried, steps.better), (2 * STALL, 0));
        assert_eq!(s, optimum);
    }
}
