//! Fair lists (issue 13 item 2): `[fairness]` groups take one measure (or at most k) per level,
//! the summary prices the rule against an independent free solve, and `check` enforces it.

mod common;

use assert_cmd::Command;
use jianpai::domain::fairness::measure_key;
use jianpai::domain::Measure;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

/// A generated city with a free scenario `s.toml` and its plan `free/`.
struct City {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

fn city() -> &'static City {
    static CITY: OnceLock<City> = OnceLock::new();
    CITY.get_or_init(|| {
        let (dir, root) = common::small_city_dir(0.25, |s| s);
        plan(&root, "s.toml", "free").success();
        City { _dir: dir, root }
    })
}

/// A scenario on the city's base with a `[fairness]` table, planned into `out`.
fn fair(name: &str, table: &str) -> PathBuf {
    let c = city();
    let file = format!("{name}.toml");
    std::fs::write(
        c.root.join(&file),
        format!("base = \"s.toml\"\n[fairness]\n{table}\n"),
    )
    .unwrap();
    plan(&c.root, &file, name).success();
    c.root.join(name)
}

fn plan(root: &Path, scenario: &str, out: &str) -> assert_cmd::assert::Assert {
    jianpai()
        .current_dir(root)
        .args(["--lang", "en", "plan", scenario, "--out", out, "--gap", "0"])
        .assert()
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// (line, level) → measure code of a plan.
fn measures(dir: &Path) -> BTreeMap<(String, String), String> {
    let mut r = csv::Reader::from_path(dir.join("plan.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| {
        h.iter()
            .position(|x| x.trim_start_matches('\u{feff}') == n)
            .unwrap()
    };
    let (li, le, me) = (col("line_id"), col("level"), col("measure_code"));
    r.records()
        .map(|x| {
            let x = x.unwrap();
            ((x[li].to_string(), x[le].to_string()), x[me].to_string())
        })
        .collect()
}

/// Per group and level, the distinct measures (without transport) a plan gives, with the groups
/// derived from the inventory itself: industry code × effective grade of each controllable,
/// non-guarantee line.
fn distinct_per_group(dir: &Path) -> BTreeMap<(String, String), BTreeSet<String>> {
    let loaded = jianpai::pipeline::load(&city().root.join("s.toml")).unwrap();
    let inv = &loaded.inventory;
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for ((line, level), code) in measures(dir) {
        let li = inv.lines.iter().position(|l| l.id == line).unwrap();
        let rule = loaded.resolved.lines.iter().find(|r| r.line == li).unwrap();
        let ent = inv.enterprise_of(&inv.lines[li]);
        if !rule.controllable || ent.guarantee_min_load.is_some_and(|g| g.0 > 0.0) {
            continue;
        }
        let grade = inv.industries.effective_grade(&ent.industry, ent.grade);
        let key = format!("{}/{}/{level}", ent.industry, grade.label());
        out.entry((key, level))
            .or_default()
            .insert(measure_key(&Measure::parse_code(&code).unwrap()));
    }
    out
}

#[test]
fn uniform_gives_one_measure_per_group_and_level_and_passes_check() {
    let dir = fair(
        "uniform",
        "group = [\"industry\", \"grade\"]\nmode = \"uniform\"",
    );
    // The groups were solved as single units by the list machinery (no fairness rows).
    let notes = summary(&dir)["solver"]["notes"].to_string();
    assert!(notes.contains("solved as single units"), "{notes}");
    assert_eq!(summary(&dir)["solver"]["status"], "optimal");
    let groups = distinct_per_group(&dir);
    assert!(groups.len() > 20, "{}", groups.len());
    for (g, m) in &groups {
        assert_eq!(m.len(), 1, "group {g:?} takes {m:?}");
    }
    // A measure above its minimum names the targets it serves and, in a group, the group.
    let plan = std::fs::read_to_string(dir.join("plan.csv")).unwrap();
    assert!(
        plan.contains("uniform fairness: the common measure of group"),
        "no group named in the reasons"
    );
    assert!(
        !plan.contains("no LP price"),
        "a grouped measure left unexplained"
    );
    // The free plan is not uniform on this city, so the rule binds.
    let free = distinct_per_group(&city().root.join("free"));
    assert!(free.values().any(|m| m.len() > 1));
    jianpai()
        .current_dir(&city().root)
        .args(["check", "uniform/plan.csv", "--scenario", "uniform.toml"])
        .assert()
        .success();
}

#[test]
fn the_price_of_fairness_is_the_difference_of_two_independent_solves() {
    let dir = fair(
        "price",
        "group = [\"industry\", \"grade\"]\nmode = \"uniform\"",
    );
    let s = summary(&dir);
    let f = &s["fairness"];
    let fair_loss = s["objective"].as_f64().unwrap();
    let free_loss = summary(&city().root.join("free"))["objective"]
        .as_f64()
        .unwrap();
    assert_eq!(f["status_fair"], "optimal");
    assert_eq!(f["status_free"], "optimal");
    assert!((f["loss_fair"].as_f64().unwrap() - fair_loss).abs() < 1e-6);
    assert!((f["loss_free"].as_f64().unwrap() - free_loss).abs() < 1e-6);
    let price = f["price"].as_f64().unwrap();
    assert!(price >= 0.0, "{price}");
    assert!((price - (fair_loss - free_loss)).abs() < 1e-5, "{price}");
    assert!(price > 1.0, "the rule binds on this city: {price}");
    // The report shows it, in the page and the workbook's summary sheet.
    jianpai()
        .current_dir(&city().root)
        .args(["report", "price", "--out", "price-report"])
        .assert()
        .success();
    let html = std::fs::read_to_string(city().root.join("price-report/报告.html")).unwrap();
    assert!(html.contains("公平代价"), "no price in the report");
    let fixed = format!("{price:.2}");
    let (int, frac) = fixed.split_once('.').unwrap();
    let shown = format!("= {}.{frac}", thousands(int.parse().unwrap()));
    assert!(html.contains(&shown), "report lacks {shown}");
}

/// 1234 → "1,234" (the report's number format).
fn thousands(v: i64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn max_distinct_one_equals_uniform_and_more_freedom_costs_less() {
    let uniform = fair(
        "u1",
        "group = [\"industry\", \"grade\"]\nmode = \"uniform\"",
    );
    let one = fair("k1", "group = [\"industry\", \"grade\"]\nmax_distinct = 1");
    let two = fair("k2", "group = [\"industry\", \"grade\"]\nmax_distinct = 2");
    assert_eq!(measures(&uniform), measures(&one));
    let loss = |d: &Path| summary(d)["objective"].as_f64().unwrap();
    let free = loss(&city().root.join("free"));
    assert!(loss(&two) <= loss(&one) + 1e-6 && loss(&two) >= free - 1e-6);
    for (g, m) in distinct_per_group(&two) {
        assert!(m.len() <= 2, "group {g:?} takes {m:?}");
    }
}

#[test]
fn levels_limit_the_rule_to_the_levels_named() {
    let dir = fair(
        "red-only",
        "group = [\"industry\", \"grade\"]\nmode = \"uniform\"\nlevels = [\"red\"]",
    );
    let groups = distinct_per_group(&dir);
    assert!(groups
        .iter()
        .filter(|(g, _)| g.1 == "red")
        .all(|(_, m)| m.len() == 1));
    assert_eq!(
        summary(&dir)["fairness"]["levels"],
        serde_json::json!(["red"])
    );
}

#[test]
fn check_rejects_a_plan_that_breaks_uniformity_naming_group_level_and_measures() {
    fair(
        "tamper",
        "group = [\"industry\", \"grade\"]\nmode = \"uniform\"",
    );
    let c = city();
    // The free plan as a tampered fair plan: its groups mix measures.
    let out = jianpai()
        .current_dir(&c.root)
        .args(["check", "free/plan.csv", "--scenario", "tamper.toml"])
        .assert()
        .code(6)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    let line = err
        .lines()
        .find(|l| l.contains("violation[fairness]"))
        .unwrap_or_else(|| panic!("no fairness violation: {err}"));
    assert!(
        line.contains("公平分组 行业=") && line.contains("上限 1"),
        "{line}"
    );
    assert!(line.contains("种措施"), "{line}");
    // The same plan passes against the free scenario: only the rule rejects it.
    jianpai()
        .current_dir(&c.root)
        .args(["check", "free/plan.csv", "--scenario", "s.toml"])
        .assert()
        .success();
}

#[test]
fn the_exported_fair_model_solved_by_cbc_gives_the_same_loss() {
    let dir = fair(
        "export",
        "group = [\"industry\", \"grade\"]\nmode = \"uniform\"",
    );
    let c = city();
    jianpai()
        .current_dir(&c.root)
        .args(["plan", "export.toml", "--out", "export-m", "--gap", "0"])
        .args(["--write-model", "export-m/model.lp", "-q"])
        .assert()
        .success();
    let lp = std::fs::read_to_string(c.root.join("export-m/model.lp")).unwrap();
    assert!(lp.contains("fair_count.red.") && lp.contains("fair_link.red."));
    let out = std::process::Command::new("cbc")
        .arg(c.root.join("export-m/model.lp"))
        .arg("solve")
        .output()
        .expect("cbc (scripts/setup-system.sh installs coinor-cbc)");
    let text = String::from_utf8_lossy(&out.stdout);
    let cbc: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("Objective value:"))
        .unwrap_or_else(|| panic!("no objective from cbc: {text}"))
        .trim()
        .parse()
        .unwrap();
    let ours = summary(&dir)["objective"].as_f64().unwrap();
    assert!(
        (cbc - ours).abs() < 1e-4 * ours.max(1.0),
        "cbc {cbc} vs {ours}"
    );
}

/// The aggregated solve (each uniform group one unit, the list machinery) reaches the optimum of
/// the old formulation: the compact model with the fairness family solved by HiGHS.
#[test]
fn the_aggregated_solve_equals_the_compact_fairness_model() {
    use jianpai::solve::{fair, solve, Method, SolveOptions, Status};
    let c = city();
    std::fs::write(
        c.root.join("oracle.toml"),
        "base = \"s.toml\"\n[fairness]\ngroup = [\"industry\", \"grade\"]\nmode = \"uniform\"\n",
    )
    .unwrap();
    let l = jianpai::pipeline::load(&c.root.join("oracle.toml")).unwrap();
    let p = jianpai::model::build::build(&l.inventory, &l.resolved, &l.scenario);
    assert!(p.fairness.len() > 20, "{} groups", p.fairness.len());
    let agg = jianpai::solve::uniform::aggregate(&p).expect("the city's groups aggregate");
    assert!(agg.groups > 5 && agg.problem.units.len() < p.units.len());
    let opts = SolveOptions {
        method: Method::Mip,
        time_limit: 60.0,
        rel_gap: 0.0,
        threads: 1,
    };
    let ours = solve(&p, &opts);
    let old = fair::solve_compact(&p, &opts, std::time::Instant::now(), None);
    assert_eq!(
        ours.report.status,
        Status::Optimal,
        "{:?}",
        ours.report.notes
    );
    assert_eq!(old.report.status, Status::Optimal, "{:?}", old.report.notes);
    let (a, b) = (
        ours.report.objective.unwrap(),
        old.report.objective.unwrap(),
    );
    assert!(
        (a - b).abs() <= 1e-6 * b.max(1.0),
        "aggregated {a} vs compact {b}"
    );
    let plan = ours.assignment.unwrap();
    assert!(p.feasible(&plan));
    assert!(p.fair_measures(&plan).iter().all(|m| m.len() == 1));
}
