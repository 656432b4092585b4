//! `jianpai sweep`: identical tables whatever `--jobs`, resumed runs and merged shards; scenario
//! bases and what-if changes.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

/// A small generated city, a base scenario on it and a sweep of 8 scenarios.
struct Setup {
    dir: tempfile::TempDir,
}

const BASE: &str = r#"
name = "小城基准"
inventory = "city"
rules = "RULES/guide-2020.csv"
rule_overrides = "RULES/wuxi-city.csv"
[targets.yellow]
so2 = 0.06
nox = 0.06
pm = 0.06
vocs = 0.06
[targets.orange]
so2 = 0.12
nox = 0.12
pm = 0.12
vocs = 0.12
[targets.red]
so2 = 0.20
nox = 0.20
pm = 0.20
vocs = 0.20
[solver]
time_limit = 120
rel_gap = 0.002
"#;

const SWEEP: &str = r#"
name = "小城扫描"
base = "base.toml"
chains = 3

[[scenario]]
name = "基准"

[[scenario]]
name = "VOCs加严"
targets.red.vocs = 0.25
targets.orange.vocs = 0.16

[[scenario]]
name = "重启成本"
options.restart_cost_days = 2.0

[[scenario]]
name = "少档位"
options.limits = [0.5]

[[grid]]
name = "红色"
[grid.axes]
"targets.red.pm" = [0.20, 0.24]
"days.red" = [3, 5]
"#;

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        jianpai::seeds::generate_to(120, 11, &dir.path().join("city")).unwrap();
        let s = Setup { dir };
        s.write(
            "base.toml",
            &BASE.replace("RULES", &format!("{ROOT}/seeds/rules")),
        );
        s.write("sweep.toml", SWEEP);
        s
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn sweep(&self, out: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
        jianpai()
            .arg("--quiet")
            .arg("sweep")
            .arg(self.path("sweep.toml"))
            .arg("--out")
            .arg(self.path(out))
            .args(extra)
            .assert()
    }
}

fn table(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    (
        std::fs::read(dir.join("results.csv")).unwrap(),
        std::fs::read(dir.join("results.parquet")).unwrap(),
    )
}

#[test]
fn jobs_resume_and_shards_give_the_same_table() {
    let s = Setup::new();
    s.sweep("one", &["--jobs", "1"]).success();
    let whole = table(&s.path("one"));
    let csv = String::from_utf8(whole.0.clone()).unwrap();
    assert_eq!(csv.lines().count(), 1 + 8, "{csv}");
    assert!(csv.starts_with("\u{feff}序号,情景,参数:"), "{csv}");
    assert!(
        csv.contains("红色[0.2,3]"),
        "grid names follow the axes order: {csv}"
    );
    for line in csv.lines().skip(1) {
        assert!(
            line.contains(",optimal,") || line.contains(",gap_limit,"),
            "every case solves: {line}"
        );
    }

    // Two jobs: byte-identical CSV and Parquet.
    s.sweep("two", &["--jobs", "2"]).success();
    assert_eq!(
        table(&s.path("two")),
        whole,
        "--jobs 2 differs from --jobs 1"
    );

    // A run that lost some finished cases (as a kill would) resumes and ends with the same table.
    for f in ["0002.json", "0005.json", "0006.json", "0008.json"] {
        std::fs::remove_file(s.path("two/cases").join(f)).unwrap();
    }
    std::fs::remove_file(s.path("two/results.csv")).unwrap();
    let out = s.sweep("two", &["--jobs", "2"]).success();
    drop(out);
    assert_eq!(table(&s.path("two")), whole, "resumed table differs");

    // Two shards merged equal the whole sweep.
    s.sweep("shard1", &["--shard", "1/2", "--jobs", "1"])
        .success();
    s.sweep("shard2", &["--shard", "2/2", "--jobs", "1"])
        .success();
    let part = std::fs::read_to_string(s.path("shard1/results.csv")).unwrap();
    assert!(part.lines().count() < 9, "a shard holds part of the sweep");
    jianpai()
        .args(["--quiet", "sweep", "merge"])
        .arg(s.path("shard1"))
        .arg(s.path("shard2"))
        .arg("--out")
        .arg(s.path("merged"))
        .assert()
        .success();
    assert_eq!(table(&s.path("merged")), whole, "merged shards differ");

    // Merging one shard alone names the missing cases.
    jianpai()
        .args(["sweep", "merge"])
        .arg(s.path("shard1"))
        .arg("--out")
        .arg(s.path("half"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("are in none of the folders"));
}

#[test]
fn a_killed_sweep_resumes_where_it_stopped() {
    let s = Setup::new();
    s.sweep("ref", &["--jobs", "1"]).success();
    let whole = table(&s.path("ref"));
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("jianpai"))
        .args(["--quiet", "sweep"])
        .arg(s.path("sweep.toml"))
        .arg("--out")
        .arg(s.path("killed"))
        .args(["--jobs", "1"])
        .spawn()
        .unwrap();
    let cases = s.path("killed/cases");
    let t0 = std::time::Instant::now();
    while std::fs::read_dir(&cases).map(|d| d.count()).unwrap_or(0) < 2
        && t0.elapsed().as_secs() < 120
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let done = std::fs::read_dir(&cases).unwrap().count();
    assert!(done >= 1, "the sweep wrote cases as they finished");
    let out = s.sweep("killed", &["--jobs", "2"]).success();
    drop(out);
    assert_eq!(table(&s.path("killed")), whole);
}

#[test]
fn kept_plans_pass_the_checker() {
    let s = Setup::new();
    s.sweep("plans", &["--jobs", "2", "--plans"]).success();
    for i in 1..=8 {
        let dir = s.path(&format!("plans/plans/{i:04}"));
        let summary = std::fs::read_to_string(dir.join("summary.json")).unwrap();
        assert!(summary.contains("\"kind\": \"plan\""));
        jianpai()
            .arg("check")
            .arg(&dir)
            .arg("--scenario")
            .arg(dir.join("scenario.toml"))
            .assert()
            .success();
    }
}

#[test]
fn warm_starts_match_cold_starts() {
    let s = Setup::new();
    s.sweep("warm", &["--jobs", "2"]).success();
    s.sweep("cold", &["--jobs", "2", "--cold"]).success();
    let read = |d: &str| {
        let text = std::fs::read_to_string(s.path(d).join("results.csv")).unwrap();
        let mut rows: Vec<Vec<String>> = text
            .lines()
            .map(|l| l.split(',').map(String::from).collect())
            .collect();
        let head = rows.remove(0);
        let loss = head.iter().position(|h| h == "预期损失(万元)").unwrap();
        rows.iter()
            .map(|r| r[loss].parse::<f64>().unwrap())
            .collect::<Vec<_>>()
    };
    for (w, c) in read("warm").iter().zip(read("cold")) {
        assert!(
            (w - c).abs() <= 4e-3 * c.abs().max(1.0),
            "warm {w} vs cold {c}"
        );
    }
}

#[test]
fn bad_sweeps_are_named() {
    let s = Setup::new();
    s.write("dup.toml", "name = \"x\"\nbase = \"base.toml\"\n[[scenario]]\nname = \"a\"\n[[scenario]]\nname = \"a\"\n");
    jianpai()
        .arg("sweep")
        .arg(s.path("dup.toml"))
        .arg("--out")
        .arg(s.path("o"))
        .assert()
        .code(3)
        .stderr(predicates::str::contains("two scenarios are named \"a\""));
    s.write(
        "typo.toml",
        "name = \"x\"\nbase = \"base.toml\"\n[[scenario]]\nname = \"a\"\ntargets.red.nxo = 0.3\n",
    );
    jianpai()
        .arg("sweep")
        .arg(s.path("typo.toml"))
        .arg("--out")
        .arg(s.path("o"))
        .assert()
        .code(3)
        .stderr(predicates::str::contains("scenario \"a\"").and(predicates::str::contains("nxo")));
    s.sweep("o", &["--shard", "4/4"])
        .code(2)
        .stderr(predicates::str::contains("3 warm-start chains"));
    s.sweep("o", &["--shard", "x"]).code(2);
    // An unknown enterprise in a what-if change is an invalid scenario, named in the table.
    s.write(
        "ghost.toml",
        "name = \"x\"\nbase = \"base.toml\"\n[[scenario]]\nname = \"ghost\"\n[[scenario.changes]]\ncode = \"91320200MA1MYQ3X4L\"\ngrade = \"A\"\n",
    );
    jianpai()
        .arg("sweep")
        .arg(s.path("ghost.toml"))
        .arg("--out")
        .arg(s.path("g"))
        .assert()
        .code(3);
    let csv = std::fs::read_to_string(s.path("g/results.csv")).unwrap();
    assert!(
        csv.contains("invalid") && csv.contains("changes[1]"),
        "{csv}"
    );
}

use predicates::prelude::PredicateBooleanExt;

#[test]
fn cost_curve_rises_with_the_ratio() {
    let s = Setup::new();
    jianpai()
        .args(["--quiet", "curve"])
        .arg(s.path("base.toml"))
        .args([
            "--level",
            "red",
            "--pollutant",
            "pm",
            "--from",
            "0.16",
            "--to",
            "0.28",
            "--step",
            "0.04",
            "--jobs",
            "2",
            "--out",
        ])
        .arg(s.path("curve"))
        .assert()
        .success();
    let text = std::fs::read_to_string(s.path("curve/curve.csv")).unwrap();
    let rows: Vec<Vec<f64>> = text
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .map(|x| x.parse().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 4, "{text}");
    for w in rows.windows(2) {
        assert!(w[1][0] > w[0][0]);
        assert!(w[1][2] > w[0][2], "required grows: {text}");
        assert!(
            w[1][3] >= w[0][3] * (1.0 - 2e-3),
            "loss never falls (within the gap): {text}"
        );
        // Extra loss per extra t/d is the slope between the two points.
        let slope = (w[1][3] - w[0][3]) / (w[1][2] - w[0][2]);
        assert!(
            (w[1][4] - slope).abs() <= 1e-3 * slope.abs().max(1.0),
            "{text}"
        );
    }
    let summary = std::fs::read_to_string(s.path("curve/summary.json")).unwrap();
    assert!(summary.contains("\"curve\"") && summary.contains("\"kind\": \"sweep\""));
    jianpai()
        .args(["curve"])
        .arg(s.path("base.toml"))
        .args(["--level", "purple", "--from", "0.1", "--to", "0.2", "--out"])
        .arg(s.path("c2"))
        .assert()
        .code(2);
}

#[test]
fn upgrade_set_saving_is_confirmed_by_re_solving() {
    let s = Setup::new();
    jianpai()
        .args(["--quiet", "upgrade"])
        .arg(s.path("base.toml"))
        .args(["--k", "3", "--candidates", "6", "--jobs", "2", "--out"])
        .arg(s.path("up"))
        .assert()
        .success();
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.path("up/summary.json")).unwrap()).unwrap();
    assert_eq!(r["kind"], "upgrade");
    assert_eq!(r["set"].as_array().unwrap().len(), 3);
    let base = r["base_loss"].as_f64().unwrap();
    let saving = r["set_saving"].as_f64().unwrap();
    assert!(
        saving > 0.0,
        "upgrading firms that carry loss saves loss: {r}"
    );
    // Singles are sorted best first and each is at most the set's saving plus the gap.
    let singles: Vec<f64> = r["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["single_saving"].as_f64())
        .collect();
    assert!(singles.windows(2).all(|w| w[0] >= w[1]));
    // Re-solve the written scenario with `plan`: the same loss as the study reports.
    jianpai()
        .args(["--quiet", "plan"])
        .arg(s.path("up/scenario.toml"))
        .arg("--out")
        .arg(s.path("up/plan"))
        .assert()
        .success();
    let p: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.path("up/plan/summary.json")).unwrap())
            .unwrap();
    let loss = p["objective"].as_f64().unwrap();
    assert!(
        ((base - loss) - saving).abs() <= 2e-3 * base,
        "re-solved saving {} vs reported {saving}",
        base - loss
    );
    let csv = std::fs::read_to_string(s.path("up/upgrade.csv")).unwrap();
    assert!(csv.starts_with("\u{feff}序号,统一社会信用代码"));
    assert_eq!(
        csv.lines().count(),
        1 + r["candidates"].as_array().unwrap().len()
    );
}

#[test]
fn compare_and_what_if_changes() {
    let s = Setup::new();
    // A scenario over the base: one controlled enterprise upgraded to A carries no mandatory
    // measure any more, and `compare` counts the lines that change.
    jianpai()
        .args(["--quiet", "plan"])
        .arg(s.path("base.toml"))
        .arg("--out")
        .arg(s.path("p0"))
        .assert()
        .success();
    let plan = std::fs::read_to_string(s.path("p0/plan.csv")).unwrap();
    let controlled = plan
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|c| c[9] != "V" && c[5] != "A")
        .map(|c| c[1].to_string())
        .expect("a controlled enterprise");
    s.write(
        "up.toml",
        &format!("base = \"base.toml\"\nname = \"升A\"\n[[changes]]\ncode = \"{controlled}\"\ngrade = \"A\"\n"),
    );
    jianpai()
        .args(["--quiet", "plan"])
        .arg(s.path("up.toml"))
        .arg("--out")
        .arg(s.path("p1"))
        .assert()
        .success();
    let up = std::fs::read_to_string(s.path("p1/plan.csv")).unwrap();
    for l in up.lines().filter(|l| l.contains(&controlled)) {
        assert!(l.contains(",A,"), "the enterprise is graded A: {l}");
    }
    jianpai()
        .arg("check")
        .arg(s.path("p1"))
        .arg("--scenario")
        .arg(s.path("up.toml"))
        .assert()
        .success();
    let out = jianpai()
        .args(["compare", "--format", "json"])
        .arg(s.path("p0"))
        .arg(s.path("p1"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(c["plans"][0]["changed"].is_null());
    let changed = &c["plans"][1]["changed"];
    assert!(changed["lines"].as_u64().unwrap() >= 1, "{c}");
    let by_district: u64 = changed["by_district"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v[1].as_u64().unwrap())
        .sum();
    assert_eq!(by_district, changed["lines"].as_u64().unwrap());
    assert_eq!(c["plans"][1]["scenario"], "升A");
    let text = jianpai()
        .arg("compare")
        .arg(s.path("p0"))
        .arg(s.path("p1"))
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("预期损失(万元)") && text.contains("措施变化的企业/生产线"),
        "{text}"
    );
    // A change naming an unknown enterprise is an invalid scenario, with the key and value.
    s.write(
        "ghost.toml",
        "base = \"base.toml\"\nname = \"x\"\n[[changes]]\ncode = \"91320200MA1MYQ3X4L\"\ngrade = \"A\"\n",
    );
    jianpai()
        .args(["plan"])
        .arg(s.path("ghost.toml"))
        .arg("--out")
        .arg(s.path("p2"))
        .assert()
        .code(3)
        .stderr(
            predicates::str::contains("changes[1]")
                .and(predicates::str::contains("91320200MA1MYQ3X4L")),
        );
    // A base cycle is named.
    s.write("a.toml", "base = \"b.toml\"\nname = \"a\"\n");
    s.write("b.toml", "base = \"a.toml\"\nname = \"b\"\n");
    jianpai()
        .args(["plan"])
        .arg(s.path("a.toml"))
        .arg("--out")
        .arg(s.path("p3"))
        .assert()
        .code(3)
        .stderr(predicates::str::contains("cycle"));
}
