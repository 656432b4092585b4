//! The optimiser core: coupling-row families read the same rows the model data describes, every
//! row appears once in both exported forms, the solver meets every family's rows, an unreachable
//! row is diagnosed by name, one HiGHS session set-up, and a stagger scenario with `base`.

mod common;

use common::*;
use jianpai::model::export::{model_text, ModelForm, ModelFormat};
use jianpai::model::family::{coupling_rows, row_values, Measure};
use jianpai::model::registry::{self, Family};
use jianpai::model::{build, Problem};
use jianpai::rules::resolve;
use jianpai::seeds::rng::Rng;
use jianpai::solve::{solve, Method, SolveOptions, Status};

fn opts(method: Method) -> SolveOptions {
    SolveOptions {
        method,
        time_limit: 30.0,
        rel_gap: 0.0,
        threads: 1,
    }
}

/// A tiny random city's model (districts enforced every other seed).
fn tiny(seed: u64, lines: usize, ratios: [f64; 3]) -> (jianpai::domain::Inventory, Problem) {
    let inv = tiny_inventory(seed, lines);
    let ind = industries();
    let rules = tiny_rules(&ind);
    let s = scenario(ratios, seed.is_multiple_of(2));
    let resolved = resolve(&inv, &rules, &s).expect("rules cover the tiny instances");
    let p = build(&inv, &resolved, &s);
    (inv, p)
}

#[test]
fn family_rows_agree_with_the_model_data_under_random_assignments() {
    let mut rng = Rng::new(17);
    for seed in 0..12 {
        let (_inv, p) = tiny(seed + 300, 2 + seed as usize % 7, [0.05, 0.1, 0.2]);
        let rows = coupling_rows(&p);
        let targets: Vec<_> = rows.iter().filter(|r| r.family == Family::Target).collect();
        let stops: Vec<_> = rows
            .iter()
            .filter(|r| r.family == Family::StopLines)
            .collect();
        assert_eq!(targets.len(), p.targets.len(), "seed {seed}");
        assert_eq!(stops.len(), 3 * p.groups.len(), "seed {seed}");
        assert!(targets.iter().all(|r| r.measure == Measure::Quantity));
        assert!(stops.iter().all(|r| r.measure == Measure::Count));
        for _ in 0..5 {
            let a: Vec<u32> = p
                .units
                .iter()
                .map(|u| rng.int(0, u.triples.len() - 1) as u32)
                .collect();
            let values = row_values(&p, &rows, &a);
            let achieved = p.achieved(&a);
            let stopped = p.stopped(&a);
            for (r, row) in rows.iter().enumerate() {
                match row.family {
                    Family::Target => {
                        let t = &p.targets[row.source];
                        assert_eq!(row.key, registry::target_name(&p, t));
                        assert_eq!(row.rhs, t.rhs);
                        assert_eq!(values[r], achieved[row.source], "{}", row.key);
                    }
                    Family::StopLines => {
                        let k = row.level.index();
                        let g = &p.groups[row.source];
                        assert_eq!(row.rhs, g.min_stopped[k] as f64);
                        assert_eq!(values[r], stopped[row.source][k] as f64, "{}", row.key);
                    }
                    other => panic!("unexpected family {other:?}"),
                }
            }
            let meets = rows
                .iter()
                .zip(&values)
                .all(|(row, v)| *v >= row.rhs - jianpai::model::problem::feas_tol(row.rhs));
            assert_eq!(p.feasible(&a), meets, "seed {seed}");
        }
    }
}

#[test]
fn every_coupling_row_is_exported_once_in_both_forms() {
    for seed in [2, 4, 7] {
        let (inv, p) = tiny(seed + 700, 6, [0.05, 0.1, 0.2]);
        let rows = coupling_rows(&p);
        assert!(!rows.is_empty());
        for form in [ModelForm::Compact, ModelForm::Triples] {
            let text = model_text(&inv, &p, ModelFormat::Mps, form).unwrap();
            for row in &rows {
                let line = format!(" G {}", row.key.replace(' ', "_"));
                let n = text.lines().filter(|l| *l == line).count();
                assert_eq!(n, 1, "{form:?}: {} appears {n} times", row.key);
            }
        }
        let names = registry::rows(
            &p,
            &inv.lines.iter().map(|l| l.id.clone()).collect::<Vec<_>>(),
        );
        for row in &rows {
            assert!(names.iter().any(|(f, n)| *f == row.family && *n == row.key));
        }
    }
}

#[test]
fn both_methods_meet_every_family_row_and_the_exact_one_matches_brute_force() {
    for seed in 0..10 {
        let (_inv, p) = tiny(seed + 900, 2 + seed as usize % 6, [0.08, 0.15, 0.3]);
        let rows = coupling_rows(&p);
        let exact = solve(&p, &opts(Method::Mip));
        let truth = brute_force(&p, None);
        match (&exact.assignment, truth) {
            (Some(a), Some(t)) => {
                let v = row_values(&p, &rows, a);
                for (row, x) in rows.iter().zip(&v) {
                    assert!(
                        *x >= row.rhs - 1e-9,
                        "seed {seed}: {} {x} < {}",
                        row.key,
                        row.rhs
                    );
                }
                assert!(
                    (p.cost(a) - t).abs() <= 1e-6 * t.abs().max(1.0),
                    "seed {seed}"
                );
                assert_eq!(exact.report.status, Status::Optimal, "seed {seed}");
            }
            (None, None) => assert_eq!(exact.report.status, Status::Infeasible, "seed {seed}"),
            (a, t) => panic!("seed {seed}: optimiser {a:?}, brute force {t:?}"),
        }
        if let Some(a) = solve(&p, &opts(Method::Greedy)).assignment {
            assert!(p.feasible(&a), "seed {seed}: greedy plan misses a row");
        }
        // Duals are reported per target row only.
        assert_eq!(exact.report.duals.len(), p.targets.len());
    }
}

#[test]
fn an_unreachable_target_row_is_diagnosed_by_its_key() {
    let inv = tiny_inventory(41, 5);
    let ind = industries();
    let rules = tiny_rules(&ind);
    let s = scenario([0.05, 0.1, 0.99], false);
    let resolved = resolve(&inv, &rules, &s).unwrap();
    let p = build(&inv, &resolved, &s);
    let short = jianpai::diagnose::shortfalls(&inv, &resolved, &p);
    assert!(!short.is_empty());
    let rows = coupling_rows(&p);
    for f in &short {
        let row = rows
            .iter()
            .find(|r| r.key == f.row)
            .expect("a coupling row");
        assert!(row.most(&p) < row.rhs, "{}", f.row);
        assert!(f.row.starts_with("target:red:"), "{}", f.row);
        assert!((f.shortfall - (row.rhs - f.max_from_lines)).abs() < 1e-9);
    }
    assert_eq!(
        solve(&p, &opts(Method::Mip)).report.status,
        Status::Infeasible
    );
}

#[test]
fn a_stagger_scenario_takes_its_keys_from_a_base_scenario() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("base")).unwrap();
    std::fs::write(
        dir.path().join("base/participation.csv"),
        "行业,绩效等级,区县,工序,方式,最短停产天数,启停成本天数\ncement,C,*,熟料,错峰,5,1\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("base/base.toml"),
        format!(
            "name = \"base\"
inventory = \"{root}/seeds/wuxi-2021\"
participation = \"participation.csv\"
[blocks]
min_days = 5
[caps]
default = 0.6
[[seasons]]
name = \"冬季\"
start = \"2024-02-10\"
end = \"2024-03-10\"
[seasons.cut]
nox = 40.0
"
        ),
    )
    .unwrap();
    let child = dir.path().join("child.toml");
    std::fs::write(
        &child,
        "base = \"base/base.toml\"\nname = \"child\"\n[caps]\ndefault = 0.4\n",
    )
    .unwrap();
    let s = jianpai::stagger::input::read_scenario(&child).unwrap();
    assert_eq!(s.name, "child");
    assert_eq!(s.caps.default, 0.4);
    assert_eq!(s.blocks.min_days, 5, "kept from the base");
    assert_eq!(s.seasons.len(), 1);
    // The base's relative path is resolved against the base's folder.
    assert_eq!(
        s.participation.canonicalize().unwrap(),
        dir.path()
            .join("base/participation.csv")
            .canonicalize()
            .unwrap()
    );
    // A missing base is an error naming it.
    std::fs::write(&child, "base = \"nowhere.toml\"\nname = \"child\"\n").unwrap();
    let e = jianpai::stagger::input::read_scenario(&child).unwrap_err();
    assert!(e.to_string().contains("nowhere.toml"), "{e}");
}
