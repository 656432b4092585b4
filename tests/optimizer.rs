//! The optimiser against a brute-force oracle, the independent checker, and its monotonicity.

mod common;

use common::*;
use jianpai::domain::{Inventory, Scenario};
use jianpai::model::{build, Problem};
use jianpai::rules::{resolve, Rules};
use jianpai::seeds::rng::Rng;
use jianpai::solve::{solve, Method, Solution, SolveOptions, Status};

fn opts(method: Method) -> SolveOptions {
    SolveOptions {
        method,
        time_limit: 30.0,
        rel_gap: 0.0,
        threads: 1,
    }
}

fn run(inv: &Inventory, rules: &Rules, s: &Scenario, method: Method) -> (Problem, Solution) {
    let resolved = resolve(inv, rules, s).expect("rules cover the tiny instances");
    let p = build(inv, &resolved, s);
    let sol = solve(&p, &opts(method));
    (p, sol)
}

fn random_ratios(rng: &mut Rng) -> [f64; 3] {
    let y = rng.range(0.02, 0.12);
    let o = y + rng.range(0.0, 0.08);
    [y, o, o + rng.range(0.0, 0.08)]
}

#[test]
fn brute_force_equals_optimiser_on_random_tiny_instances() {
    let rules = tiny_rules(&industries());
    let (mut optimal, mut infeasible, mut skipped) = (0, 0, 0);
    for seed in 0..230u64 {
        let mut rng = Rng::new(seed * 7919);
        let inv = tiny_inventory(seed, 1 + (seed as usize % 10));
        let s = scenario(random_ratios(&mut rng), seed % 2 == 0);
        let (p, sol) = run(&inv, &rules, &s, Method::Mip);
        // The oracle searches for any plan cheaper than the optimiser's (or any plan at all).
        let claimed = sol.assignment.as_ref().map(|a| p.cost(a));
        let Some(better) =
            brute_force_limited(&p, claimed.map(|c| c - 1e-6 * c.abs().max(1.0)), 3_000_000)
        else {
            skipped += 1;
            continue;
        };
        assert!(
            better.is_none(),
            "seed {seed}: brute force found {better:?}, optimiser claimed {claimed:?} ({:?})",
            sol.report.status
        );
        match &sol.assignment {
            None => {
                assert_eq!(sol.report.status, Status::Infeasible, "seed {seed}");
                infeasible += 1;
            }
            Some(a) => {
                assert_eq!(
                    sol.report.status,
                    Status::Optimal,
                    "seed {seed}: {:?}",
                    sol.report
                );
                assert!(p.feasible(a));
                let v = plan_violations(&inv, &rules, &s, &p, a);
                assert!(v.is_empty(), "seed {seed}: checker found {v:?}");
                optimal += 1;
            }
        }
    }
    assert!(optimal + infeasible >= 200 && optimal >= 100 && infeasible >= 5, "instance mix: {optimal} optimal, {infeasible} infeasible, {skipped} too large for the oracle");
}

#[test]
fn greedy_plans_are_feasible_and_never_better_than_the_optimum() {
    let rules = tiny_rules(&industries());
    for seed in 0..60u64 {
        let mut rng = Rng::new(seed + 1000);
        let inv = tiny_inventory(seed + 1000, 8);
        let s = scenario(random_ratios(&mut rng), false);
        let (p, g) = run(&inv, &rules, &s, Method::Greedy);
        let (_, m) = run(&inv, &rules, &s, Method::Mip);
        if let (Some(ga), Some(ma)) = (&g.assignment, &m.assignment) {
            assert!(p.feasible(ga));
            assert!(p.cost(ga) >= p.cost(ma) - 1e-9);
            assert_eq!(g.report.status, Status::Heuristic);
            assert!(plan_violations(&inv, &rules, &s, &p, ga).is_empty());
        }
    }
}

#[test]
fn red_feasible_implies_orange_and_yellow_feasible() {
    let rules = tiny_rules(&industries());
    for seed in 0..60u64 {
        let mut rng = Rng::new(seed + 5000);
        let inv = tiny_inventory(seed + 5000, 6);
        let r = random_ratios(&mut rng);
        let (_, full) = run(&inv, &rules, &scenario(r, false), Method::Mip);
        if full.assignment.is_some() {
            for weaker in [[r[0], r[1], 0.0], [r[0], 0.0, 0.0]] {
                let (_, w) = run(&inv, &rules, &scenario(weaker, false), Method::Mip);
                assert!(
                    w.assignment.is_some(),
                    "seed {seed}: dropping the red target made it infeasible"
                );
                assert!(w.report.objective.unwrap() <= full.report.objective.unwrap() + 1e-6);
            }
        }
    }
}

#[test]
fn adding_an_option_never_raises_the_optimum() {
    let rules = tiny_rules(&industries());
    for seed in 0..60u64 {
        let mut rng = Rng::new(seed + 9000);
        let inv = tiny_inventory(seed + 9000, 7);
        let r = random_ratios(&mut rng);
        let mut few = scenario(r, seed % 2 == 0);
        few.options.limits = vec![0.5];
        let mut more = few.clone();
        more.options.limits = vec![0.2, 0.3, 0.5];
        let (_, a) = run(&inv, &rules, &few, Method::Mip);
        let (_, b) = run(&inv, &rules, &more, Method::Mip);
        if let Some(oa) = a.report.objective {
            let ob = b.report.objective.expect("more options keep feasibility");
            assert!(
                ob <= oa + 1e-6 * oa.abs().max(1.0),
                "seed {seed}: {ob} > {oa}"
            );
        }
    }
}
