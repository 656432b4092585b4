//! The exported model (`plan --write-model`) solved by a second solver: CBC must reproduce the
//! plan's optimum from both the compact and the triple form, in LP and MPS.

mod common;

use common::*;
use jianpai::domain::{Inventory, Scenario};
use jianpai::model::export::{model_text, ModelForm, ModelFormat};
use jianpai::model::{build, Problem};
use jianpai::rules::resolve;
use jianpai::solve::{solve, Method, SolveOptions, Status};
use std::process::Command;

/// Whether `cbc` can be run; under CI (CI=true) it must be, as the setup script installs it.
fn cbc_available() -> bool {
    let found = Command::new("cbc")
        .arg("-quit")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "cbc is missing (scripts/setup-system.sh installs coinor-cbc)"
        );
        eprintln!("NOTICE: cbc not found, the export round trip is skipped");
    }
    found
}

/// Solve a model file with CBC; its objective value.
fn cbc_objective(text: &str, ext: &str) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("model.{ext}"));
    std::fs::write(&path, text).unwrap();
    let out = Command::new("cbc")
        .arg(&path)
        .args(["sec", "120", "ratioGap", "0", "solve"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        !["Bad image", "Invalid", "illegal"]
            .iter()
            .any(|b| log.contains(b))
            && (!log.contains(" read with ") || log.contains(" read with 0 errors")),
        "CBC could not read the {ext} file:\n{log}"
    );
    assert!(
        log.contains("Result - Optimal solution found"),
        "CBC did not solve the {ext} file to optimality:\n{log}"
    );
    let line = log
        .lines()
        .find(|l| l.starts_with("Objective value:"))
        .unwrap_or_else(|| panic!("no objective in the CBC log:\n{log}"));
    line["Objective value:".len()..].trim().parse().unwrap()
}

/// The problem and its optimum, when the instance is feasible.
fn try_plan(inv: &Inventory, s: &Scenario) -> Option<(Problem, f64)> {
    let rules = tiny_rules(&inv.industries);
    let resolved = resolve(inv, &rules, s).expect("rules cover the tiny instances");
    let p = build(inv, &resolved, s);
    let opts = SolveOptions {
        method: Method::Mip,
        time_limit: 60.0,
        rel_gap: 0.0,
        threads: 1,
    };
    let sol = solve(&p, &opts);
    if sol.report.status == Status::Infeasible {
        return None;
    }
    assert_eq!(sol.report.status, Status::Optimal, "{:?}", sol.report.notes);
    Some((p.clone(), sol.report.objective.unwrap()))
}

/// The first feasible instance from `seed` on, with `lines` lines.
fn feasible(seed: u64, lines: usize, s: &Scenario) -> (Inventory, Problem, f64) {
    (seed..seed + 50)
        .find_map(|k| {
            let inv = tiny_inventory(k, lines);
            try_plan(&inv, s).map(|(p, o)| (inv, p, o))
        })
        .expect("a feasible instance")
}

/// CBC on every form and format reproduces the optimum (to 1e-6 relative).
fn round_trip(inv: &Inventory, p: &Problem, optimum: f64, forms: &[ModelForm]) {
    for &form in forms {
        for (format, ext) in [(ModelFormat::Mps, "mps"), (ModelFormat::Lp, "lp")] {
            let text = model_text(inv, p, format, form).unwrap();
            if format == ModelFormat::Mps {
                assert!(text.contains("'MARKER'") && text.contains("'INTORG'"));
                assert!(text.contains("'INTEND'"));
            }
            let got = cbc_objective(&text, ext);
            assert!(
                (got - optimum).abs() <= 1e-6 * optimum.abs().max(1.0),
                "{form:?} {ext}: CBC {got} vs plan {optimum}"
            );
        }
    }
}

#[test]
fn cbc_reproduces_the_optimum_from_both_forms() {
    if !cbc_available() {
        return;
    }
    for seed in [3, 100] {
        let s = scenario([0.04, 0.08, 0.12], seed > 3);
        let (inv, p, optimum) = feasible(seed, 9, &s);
        round_trip(&inv, &p, optimum, &[ModelForm::Compact, ModelForm::Triples]);
    }
}

#[test]
fn cbc_reproduces_the_optimum_with_many_limit_steps() {
    if !cbc_available() {
        return;
    }
    let mut s = scenario([0.03, 0.05, 0.08], false);
    s.options.limits = (1..100).map(|i| f64::from(i) / 100.0).collect();
    let (inv, p, optimum) = feasible(5, 6, &s);
    let triples: usize = p.units.iter().map(|u| u.triples.len()).sum();
    assert!(triples > 300, "{triples} triples: not a many-step case");
    let compact = model_text(&inv, &p, ModelFormat::Mps, ModelForm::Compact).unwrap();
    let full = model_text(&inv, &p, ModelFormat::Mps, ModelForm::Triples).unwrap();
    println!(
        "6 lines × 99 steps: compact {} bytes, triples {} bytes",
        compact.len(),
        full.len()
    );
    assert!(
        compact.len() < full.len() * 2,
        "compact {} bytes",
        compact.len()
    );
    round_trip(&inv, &p, optimum, &[ModelForm::Compact]);
}

#[test]
fn names_with_spaces_and_chinese_stay_unique_and_readable() {
    if !cbc_available() {
        return;
    }
    let s = scenario([0.02, 0.04, 0.06], false);
    let mut inv = feasible(7, 8, &s).0;
    // Two lines whose ids differ only by a space and an underscore, quotes in another.
    let active: Vec<usize> = (0..inv.lines.len())
        .filter(|&i| inv.lines[i].status == jianpai::domain::LineStatus::Active)
        .collect();
    inv.lines[active[0]].id = "线 A".into();
    inv.lines[active[1]].id = "线_A".into();
    inv.lines[active[2]].id = "L'\"2".into();
    let (p, optimum) = try_plan(&inv, &s).expect("still feasible");
    let mps = model_text(&inv, &p, ModelFormat::Mps, ModelForm::Compact).unwrap();
    assert!(mps.contains(" y:线_A:yellow:") && mps.contains(" choose:yellow:线_A~2"));
    assert!(mps.contains(" y:L'\"2:yellow:"));
    for line in mps.lines().filter(|l| l.starts_with(' ')) {
        assert!(line.split_whitespace().count() <= 3, "{line}");
    }
    round_trip(&inv, &p, optimum, &[ModelForm::Compact]);
}

#[test]
fn non_finite_numbers_are_refused_not_written() {
    let inv = tiny_inventory(3, 5);
    let s = scenario([0.05, 0.1, 0.15], false);
    let rules = tiny_rules(&inv.industries);
    let resolved = resolve(&inv, &rules, &s).unwrap();
    let mut p = build(&inv, &resolved, &s);
    p.units[0].level_costs[0][0] = f64::INFINITY;
    p.units[0].costs[0] = f64::INFINITY;
    let e = model_text(&inv, &p, ModelFormat::Mps, ModelForm::Compact).unwrap_err();
    assert!(e.to_string().contains("inf"), "{e}");
    let opts = SolveOptions {
        method: Method::Mip,
        time_limit: 10.0,
        rel_gap: 0.0,
        threads: 1,
    };
    let sol = solve(&p, &opts);
    assert_eq!(sol.report.status, Status::InvalidNumbers);
    assert!(sol.assignment.is_none());
    assert!(sol.report.notes[0].contains(&inv.lines[p.units[0].line].id));
}
