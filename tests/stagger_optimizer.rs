//! The calendar optimiser against a brute-force oracle on tiny calendars, and the checker's rules.

use chrono::NaiveDate;
use jianpai::domain::Level;
use jianpai::seeds::rng::Rng;
use jianpai::solve::{Method, SolveOptions, Status};
use jianpai::stagger::check::{check_states, total_cost};
use jianpai::stagger::instance::{Day, IndustryCap, Job, Season, UnitPlan};
use jianpai::stagger::{solve, Instance, Mode, Quota, State, Unit};
use proptest::prelude::*;

fn opts() -> SolveOptions {
    SolveOptions {
        method: Method::Mip,
        time_limit: 30.0,
        rel_gap: 0.0,
        threads: 1,
    }
}

/// A tiny random instance: `units` lines over `days` season days (one may have a government stop,
/// one a maintenance job), block length 2–3, quotas, caps and cut targets.
fn tiny(seed: u64, units: usize, days: usize) -> Instance {
    let mut r = Rng::new(seed);
    let first = NaiveDate::from_ymd_opt(2024, 2, 20).unwrap();
    let list: Vec<Unit> = (0..units)
        .map(|i| {
            let min_block = r.int(2, 3);
            let gov_days = if i == 1 && r.chance(0.5) {
                let a = r.int(0, days - 3);
                (a..a + 2).collect()
            } else {
                Vec::new()
            };
            let jobs = if i == 2 && r.chance(0.6) {
                vec![Job {
                    name: "检修".into(),
                    duration: 2,
                    earliest: 1,
                    latest: days - 2,
                    avoid: vec![(days / 2, days / 2 + 1)],
                }]
            } else {
                Vec::new()
            };
            Unit {
                line: format!("L{i}"),
                name: format!("线{i}"),
                process: "熟料".into(),
                credit_code: format!("C{i}"),
                enterprise: format!("E{i}"),
                district: "D".into(),
                industry: i % 2,
                grade: "C".into(),
                mode: Mode::Stagger,
                value: r.range(5.0, 50.0),
                emissions: [r.range(0.0, 1.0), r.range(0.1, 1.0), 0.0, 0.0],
                capacity: r.range(1.0, 10.0),
                min_block,
                min_run: 0,
                max_blocks: None,
                startup_cost: r.range(0.0, 30.0),
                quotas: vec![Quota {
                    name: "q".into(),
                    first: r.int(0, 3),
                    last: days - 1 - r.int(0, 3),
                    min_days: r.int(min_block, min_block + 2),
                }],
                gov_days,
                jobs,
            }
        })
        .collect();
    let total: f64 = list.iter().map(|u| u.emissions[1]).sum();
    let days_v = (0..days)
        .map(|d| Day {
            date: first + chrono::Duration::days(d as i64),
            season: Some(0),
            level: (d % 5 == 2).then_some(Level::Orange),
            target: [
                0.0,
                if d % 5 == 2 { total * 0.3 } else { total * 0.1 },
                0.0,
                0.0,
            ],
            value_factor: if d < 10 { 0.7 } else { 1.0 },
        })
        .collect();
    Instance {
        name: "tiny".into(),
        days: days_v,
        seasons: vec![Season {
            name: "s".into(),
            first: 0,
            last: days - 1,
        }],
        industries: (0..2)
            .map(|i| IndustryCap {
                code: format!("i{i}"),
                name_zh: format!("行业{i}"),
                name_en: format!("industry{i}"),
                capacity: 14.0,
                share: 0.8,
            })
            .collect(),
        units: list,
        maintenance_counts: true,
    }
}

/// Every calendar of one unit that meets its own rules (blocks, quotas, government days, job).
fn unit_calendars(inst: &Instance, ui: usize) -> Vec<Vec<State>> {
    let u = &inst.units[ui];
    let mut alone = inst.clone();
    alone.units = vec![u.clone()];
    for d in &mut alone.days {
        d.target = [0.0; 4];
    }
    for i in &mut alone.industries {
        i.share = 1.0;
        i.capacity = 1e9;
    }
    let n = inst.days.len();
    let choosable: Vec<usize> = (0..n).filter(|&d| inst.choosable(u, d)).collect();
    let job_starts: Vec<Vec<usize>> = if u.jobs.is_empty() {
        vec![Vec::new()]
    } else {
        (0..n).map(|t| vec![t]).collect()
    };
    let mut out = Vec::new();
    for mask in 0u32..(1 << choosable.len()) {
        let mut chosen = vec![false; n];
        for (i, &d) in choosable.iter().enumerate() {
            chosen[d] = mask >> i & 1 == 1;
        }
        for js in &job_starts {
            if js.iter().any(|&t| {
                t + u.jobs[0].duration > n || (t..t + u.jobs[0].duration).any(|d| chosen[d])
            }) {
                continue;
            }
            let plan = UnitPlan {
                blocks: jianpai::stagger::instance::runs(&chosen, |&c| c),
                job_starts: js.clone(),
            };
            let s = alone.states(u, &plan);
            if check_states(&alone, std::slice::from_ref(&s)).is_empty() {
                out.push(s);
            }
        }
    }
    out
}

/// The cheapest feasible calendar by enumeration (None when there is none).
fn brute_force(inst: &Instance) -> Option<f64> {
    let per: Vec<Vec<Vec<State>>> = (0..inst.units.len())
        .map(|u| unit_calendars(inst, u))
        .collect();
    let mut best: Option<f64> = None;
    let mut idx = vec![0usize; per.len()];
    if per.iter().any(Vec::is_empty) {
        return None;
    }
    loop {
        let states: Vec<Vec<State>> = idx.iter().zip(&per).map(|(&i, p)| p[i].clone()).collect();
        let c = total_cost(inst, &states);
        if best.is_none_or(|b| c < b) && check_states(inst, &states).is_empty() {
            best = Some(c);
        }
        let mut k = 0;
        loop {
            if k == idx.len() {
                return best;
            }
            idx[k] += 1;
            if idx[k] < per[k].len() {
                break;
            }
            idx[k] = 0;
            k += 1;
        }
    }
}

/// The optimiser against the oracle: never better, a valid bound, a checked calendar; with
/// `exact`, the oracle's optimum proven (Optimal/GapLimit) whenever a calendar exists.
fn agrees_with_brute_force(inst: &Instance, exact: bool) -> Result<(), String> {
    let oracle = brute_force(inst);
    let out = solve::solve(inst, &opts());
    match oracle {
        // No calendar exists: the optimiser may prove it or say it found none, never more.
        None if matches!(out.status, Status::Infeasible | Status::NoSolution) => Ok(()),
        None => Err(format!("no calendar exists, status {:?}", out.status)),
        Some(_) if out.states.is_none() && !exact && out.status == Status::NoSolution => Ok(()),
        Some(best) => {
            let states = out.states.as_ref().ok_or("no calendar found")?;
            if !check_states(inst, states).is_empty() {
                return Err("the calendar fails the checker".into());
            }
            let obj = out.objective.unwrap();
            let bound = out.bound.unwrap();
            let equal = (obj - best).abs() <= 1e-6 * best.max(1.0);
            if obj < best - 1e-6 || bound > best + 1e-6 {
                Err(format!(
                    "objective {obj} or bound {bound} beats the optimum {best}"
                ))
            } else if out.status == Status::Optimal && !equal {
                Err(format!("optimal {obj} but the optimum is {best}"))
            } else if exact && !(equal && matches!(out.status, Status::Optimal | Status::GapLimit))
            {
                Err(format!("{obj} ({:?}) vs the optimum {best}", out.status))
            } else {
                Ok(())
            }
        }
    }
}

#[test]
fn brute_force_equals_the_optimiser_on_tiny_calendars() {
    let mut feasible = 0;
    for seed in 0..12 {
        let inst = tiny(seed, 3, 10);
        // Tiny calendars are enumerated whole, so the master MIP is exact.
        assert!(jianpai::stagger::enumerate::all_plans(&inst).is_some());
        feasible += usize::from(brute_force(&inst).is_some());
        if let Err(e) = agrees_with_brute_force(&inst, true) {
            panic!("seed {seed}: {e}");
        }
    }
    assert!(
        feasible >= 6,
        "only {feasible} of 12 tiny calendars feasible"
    );
}

#[test]
fn enumeration_lists_exactly_the_calendars_the_oracle_finds() {
    for seed in 0..6 {
        let inst = tiny(seed, 3, 10);
        let all = jianpai::stagger::enumerate::all_plans(&inst).expect("few calendars");
        for (ui, plans) in all.iter().enumerate() {
            let u = &inst.units[ui];
            let mut got: Vec<Vec<State>> = plans.iter().map(|p| inst.states(u, p)).collect();
            let mut want = unit_calendars(&inst, ui);
            got.sort_by_key(|s| format!("{s:?}"));
            want.sort_by_key(|s| format!("{s:?}"));
            assert_eq!(got, want, "seed {seed} line {ui}");
        }
    }
    // A long season has too many calendars: enumeration gives up.
    assert!(jianpai::stagger::enumerate::all_plans(&tiny(0, 3, 40)).is_none());
}

#[test]
fn inclusive_boundaries_across_a_leap_day() {
    // 2024-02-20 → 2024-03-02: the quota window ends on 29 February.
    let mut inst = tiny(3, 1, 12);
    let u = &mut inst.units[0];
    u.gov_days.clear();
    u.min_block = 3;
    u.startup_cost = 0.0;
    u.quotas = vec![Quota {
        name: "2月".into(),
        first: 7,
        last: 9,
        min_days: 3,
    }];
    for d in &mut inst.days {
        d.target = [0.0; 4];
    }
    assert_eq!(inst.days[9].date.to_string(), "2024-02-29");
    assert_eq!(inst.days[10].date.to_string(), "2024-03-01");
    let out = solve::solve(&inst, &opts());
    assert_eq!(out.status, Status::Optimal);
    let s = &out.states.unwrap()[0];
    // Exactly the window's three days, the last being the leap day.
    let chosen: Vec<usize> = (0..s.len()).filter(|&d| s[d] == State::Chosen).collect();
    assert_eq!(chosen, vec![7, 8, 9]);
    // A block running past the season's end is not a calendar of this season.
    let mut end = inst.clone();
    end.seasons[0].last = 8;
    for d in &mut end.days[9..] {
        d.season = None;
    }
    let mut s2 = s.clone();
    s2[9] = State::Chosen;
    let v = check_states(&end, &[s2]);
    assert!(v.iter().any(|v| v.kind == "participation"), "{v:?}");
}

#[test]
fn the_checker_catches_broken_rules() {
    let inst = tiny(1, 3, 10);
    let out = solve::solve(&inst, &opts());
    let good = out.states.expect("a calendar");
    assert!(check_states(&inst, &good).is_empty());
    // A block shorter than the minimum.
    let mut short = good.clone();
    let u = 0;
    let (a, _) = jianpai::stagger::instance::runs(&short[u], |x| *x == State::Chosen)[0];
    for x in &mut short[u][a + 1..] {
        if *x == State::Chosen {
            *x = State::Run;
        }
    }
    let kinds: Vec<&str> = check_states(&inst, &short).iter().map(|v| v.kind).collect();
    assert!(kinds.contains(&"block"), "{kinds:?}");
    // Every stop removed: quotas and cuts fail.
    let none: Vec<Vec<State>> = good
        .iter()
        .enumerate()
        .map(|(ui, s)| {
            s.iter()
                .enumerate()
                .map(|(d, x)| {
                    inst.forced(&inst.units[ui], d)
                        .unwrap_or(if matches!(x, State::Maint(_)) {
                            *x
                        } else {
                            State::Run
                        })
                })
                .collect()
        })
        .collect();
    let kinds: Vec<&str> = check_states(&inst, &none).iter().map(|v| v.kind).collect();
    assert!(
        kinds.contains(&"quota") && kinds.contains(&"cut"),
        "{kinds:?}"
    );
    // Everything stopped every day: caps fail.
    let all: Vec<Vec<State>> = good
        .iter()
        .map(|s| {
            s.iter()
                .map(|x| if *x == State::Run { State::Chosen } else { *x })
                .collect()
        })
        .collect();
    let mut tight = inst.clone();
    tight.industries.iter_mut().for_each(|i| i.share = 0.05);
    let kinds: Vec<&str> = check_states(&tight, &all).iter().map(|v| v.kind).collect();
    assert!(kinds.contains(&"cap"), "{kinds:?}");
}

#[test]
fn greedy_is_never_better_than_the_optimiser_and_both_pass_the_checker() {
    let inst = tiny(10, 3, 10);
    let out = solve::solve(
        &inst,
        &SolveOptions {
            rel_gap: 0.01,
            ..opts()
        },
    );
    let states = out.states.as_ref().unwrap();
    assert!(check_states(&inst, states).is_empty());
    assert!(matches!(out.status, Status::Optimal | Status::GapLimit));
    assert!(out.objective.unwrap() <= out.greedy_objective.unwrap() + 1e-9);
    assert!(out.bound.unwrap() <= out.objective.unwrap());
    let greedy = solve::solve(
        &inst,
        &SolveOptions {
            method: Method::Greedy,
            ..opts()
        },
    );
    assert_eq!(greedy.status, Status::Heuristic);
    assert!(check_states(&inst, greedy.states.as_ref().unwrap()).is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    /// On random tiny calendars (enumerated whole) the optimiser reaches and proves the oracle's
    /// optimum, its bound is valid, and its calendar passes the checker.
    #[test]
    fn never_better_than_brute_force(seed in 100u64..10_000, units in 2usize..=3, days in 8usize..=10) {
        let inst = tiny(seed, units, days);
        let exact = jianpai::stagger::enumerate::all_plans(&inst).is_some();
        prop_assert!(exact);
        if let Err(e) = agrees_with_brute_force(&inst, exact) {
            prop_assert!(false, "{}", e);
        }
    }
}
