//! Regional sweeps and filings (issue 16 item 4): a sweep whose base is a regional scenario runs
//! each case as `jianpai region` does, with the region's figures in its table; its shards merge
//! into the unsharded table byte for byte; bad regional keys are named; the sweep generated with a
//! region runs; `jianpai region` writes each city's filings and the region's roll-up.

#[path = "common/mod.rs"]
mod common;

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use std::collections::BTreeSet;
use std::path::Path;

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

/// A generated region of two cities of `enterprises` each (seed 7, 8) in `r/`.
fn region(enterprises: usize) -> tempfile::TempDir {
    common::generated_region(enterprises)
}

/// The regional scenario of the tests: every city its own targets in full and regional red
/// targets at the cities' own 30 % (slack); a 1 % gap keeps the tiny region's solves quick, one
/// HiGHS thread keeps `jianpai region` and the sweep on the same path.
const REGION: &str = r#"name = "两市区域"
cities = ["city-1.toml", "city-2.toml"]
city_floor = 1.0
[days]
yellow = 10
orange = 6
red = 3
[episodes]
yellow = 4
orange = 3
red = 1
[targets.red]
so2 = 0.3
nox = 0.3
pm = 0.3
vocs = 0.3
[solver]
time_limit = 60
rel_gap = 0.01
threads = 1
"#;

/// Six cases over the region: as given (slack), doubled red days, and each city's floor ×
/// the regional red PM target (which binds above 30 % or below a floor of 1).
const SWEEP: &str = r#"name = "两市区域扫描"
base = "r/region.toml"
chains = 2

[[scenario]]
name = "基准"

[[scenario]]
name = "红色天数翻倍"
days.red = 6

[[grid]]
name = "底线×红色PM"
[grid.axes]
city_floor = [0.9, 0.5]
"targets.red.pm" = [0.3, 0.31]
"#;

fn setup(enterprises: usize) -> tempfile::TempDir {
    let dir = region(enterprises);
    std::fs::write(dir.path().join("r/region.toml"), REGION).unwrap();
    std::fs::write(dir.path().join("sweep.toml"), SWEEP).unwrap();
    dir
}

fn sweep(d: &Path, out: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    jianpai()
        .current_dir(d)
        .args(["--quiet", "sweep", "sweep.toml", "--out", out])
        .args(extra)
        .assert()
}

fn table(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    (
        std::fs::read(dir.join("results.csv")).unwrap(),
        std::fs::read(dir.join("results.parquet")).unwrap(),
    )
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A case's row (machine keys) from its case file.
fn row(dir: &Path, case: usize) -> serde_json::Value {
    json(&dir.join("cases").join(format!("{case:04}.json")))["row"].clone()
}

#[test]
fn a_regional_sweep_tabulates_the_region_and_its_shards_merge_to_the_same_table() {
    let dir = setup(20);
    let d = dir.path();
    sweep(d, "whole", &["--jobs", "2"]).success();
    let whole = table(&d.join("whole"));
    let csv = String::from_utf8(whole.0.clone()).unwrap();
    assert_eq!(csv.lines().count(), 1 + 6, "{csv}");
    let header = csv.lines().next().unwrap();
    for want in [
        "参数:city_floor",
        "参数:targets.red.pm",
        "求解状态",
        "预期损失(万元)",
        "损失下界(万元)",
        "相对间隙",
        "区域红色颗粒物要求减排(t/d)",
        "区域红色颗粒物实现减排(t/d)",
        "区域红色颗粒物是否达标",
        "区域红色颗粒物边际损失(万元/(t/d))",
        "区域红色二氧化硫是否达标",
        "合成城市1预期损失(万元)",
        "合成城市2预期损失(万元)",
    ] {
        assert!(header.contains(want), "{want} missing from {header}");
    }
    for case in 1..=6 {
        let r = row(&d.join("whole"), case);
        let status = r["status"].as_str().unwrap();
        assert!(
            matches!(status, "optimal" | "gap_limit"),
            "case {case}: {r}"
        );
        for p in ["so2", "nox", "pm", "vocs"] {
            assert_eq!(r[format!("region.red.{p}.met")], true, "case {case}: {r}");
        }
        // The region's loss is the sum of its cities'.
        let cities =
            r["city.合成城市1.loss"].as_f64().unwrap() + r["city.合成城市2.loss"].as_f64().unwrap();
        let loss = r["loss"].as_f64().unwrap();
        assert!(
            (cities - loss).abs() <= 1e-5 * loss,
            "case {case}: {cities} vs {loss}"
        );
    }
    // The first case is the region as given, its regional targets slack: the plain regional
    // plan's loss, and no price on the regional rows.
    jianpai()
        .current_dir(d)
        .args(["--quiet", "region", "r/region.toml", "--out", "plain"])
        .assert()
        .success();
    let plain = json(&d.join("plain/summary.json"));
    let first = row(&d.join("whole"), 1);
    let (a, b) = (
        plain["objective"].as_f64().unwrap(),
        first["loss"].as_f64().unwrap(),
    );
    assert!((a - b).abs() <= 1e-6 * a, "region {a} vs sweep {b}");
    assert_eq!(first["region.red.pm.marginal"], 0.0, "{first}");
    // Letting cities trade (floor 0.5) never costs more than every city alone (floor 1).
    let traded = row(&d.join("whole"), 5)["loss"].as_f64().unwrap();
    assert!(traded <= b * (1.0 + 0.01), "{traded} vs {b}");

    // Two shards (one job each) merged equal the whole sweep (two jobs), byte for byte.
    sweep(d, "s1", &["--shard", "1/2", "--jobs", "1"]).success();
    sweep(d, "s2", &["--shard", "2/2", "--jobs", "1"]).success();
    let part = std::fs::read_to_string(d.join("s1/results.csv")).unwrap();
    assert_eq!(
        part.lines().count(),
        1 + 3,
        "a shard holds its chain: {part}"
    );
    jianpai()
        .current_dir(d)
        .args(["--quiet", "sweep", "merge", "s1", "s2", "--out", "merged"])
        .assert()
        .success();
    assert_eq!(table(&d.join("merged")), whole, "merged shards differ");
    // A rerun resumes every case and writes the same table.
    sweep(d, "whole", &["--jobs", "1"]).success();
    assert_eq!(table(&d.join("whole")), whole, "resumed table differs");
    // Three shards of two chains are refused; kept plans are not offered for regions yet.
    sweep(d, "s3", &["--shard", "3/3"])
        .code(2)
        .stderr(contains("2 warm-start chains"));
    sweep(d, "p", &["--plans"])
        .code(2)
        .stderr(contains("--plans").and(contains("regional sweep")));
    assert!(!d.join("p").exists());
}

#[test]
fn bad_regional_sweep_keys_are_named() {
    let dir = setup(3);
    let d = dir.path();
    // `sweep.toml` with `case` as its only scenario is refused with exit 3, naming the sweep
    // file, the scenario and each of `says`; nothing is written.
    let refused = |case: &str, says: &[&str]| {
        let text = format!(
            "name = \"x\"\nbase = \"r/region.toml\"\n[[scenario]]\nname = \"坏情景\"\n{case}\n"
        );
        std::fs::write(d.join("bad.toml"), text).unwrap();
        let mut a = jianpai()
            .current_dir(d)
            .args(["sweep", "bad.toml", "--out", "out"])
            .assert()
            .code(3)
            .stderr(contains("bad.toml").and(contains("scenario \"坏情景\"")));
        for s in says {
            a = a.stderr(contains(*s));
        }
        assert!(!d.join("out").exists(), "{case}: nothing written");
    };
    refused("targets.red.pmm = 0.3", &["pmm"]);
    refused("city_flor = 0.9", &["city_flor"]);
    refused("city_floor = 2.0", &["city_floor", "2"]);
    refused("days.red = -1", &["[days] red"]);
    refused("cities = []", &["1 to 50 cities"]);
    // Red days alone over a region that leaves its [days] to the cities: the other levels
    // would be 0, so the case is refused.
    let region = std::fs::read_to_string(d.join("r/region.toml")).unwrap();
    let no_days = region.replace("[days]\nyellow = 10\norange = 6\nred = 3\n", "");
    assert_ne!(no_days, region);
    std::fs::write(d.join("r/region.toml"), no_days).unwrap();
    refused(
        "days.red = 6",
        &["the base region has no [days]", "yellow, orange"],
    );
    std::fs::write(d.join("r/region.toml"), region).unwrap();
    // A grid axis over a key a region does not have.
    std::fs::write(
        d.join("grid.toml"),
        "name = \"x\"\nbase = \"r/region.toml\"\n[[grid]]\nname = \"g\"\n[grid.axes]\n\"options.limits\" = [[0.5]]\n",
    )
    .unwrap();
    jianpai()
        .current_dir(d)
        .args(["sweep", "grid.toml", "--out", "out"])
        .assert()
        .code(3)
        .stderr(contains("grid.toml").and(contains("options")));
    // A cost curve is one city's: a regional scenario is refused, named.
    jianpai()
        .current_dir(d)
        .args([
            "curve",
            "r/region.toml",
            "--level",
            "red",
            "--pollutant",
            "pm",
        ])
        .args([
            "--from", "0.3", "--to", "0.31", "--step", "0.01", "--out", "c",
        ])
        .assert()
        .code(3)
        .stderr(contains("region.toml").and(contains("regional scenario")));
}

/// The sweep `seeds generate --cities` writes beside `region.toml` parses and runs (with a
/// coarser gap than generated, to keep the small region quick: 30 firms a city take 0.3 s where
/// 5 take 8 s).
#[test]
fn the_generated_regional_sweep_runs() {
    let dir = region(30);
    let d = dir.path();
    let file = d.join("r/region.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("rel_gap = 0.001"), "{text}");
    std::fs::write(&file, text.replace("rel_gap = 0.001", "rel_gap = 0.01")).unwrap();
    let s = jianpai::sweep::read_sweep(&d.join("r/region-sweep.toml")).unwrap();
    assert_eq!(s.kind, jianpai::sweep::Kind::Region);
    assert_eq!(s.cases.len(), 9);
    jianpai()
        .current_dir(d)
        .args(["--quiet", "sweep", "r/region-sweep.toml", "--out", "sw"])
        .assert()
        .success();
    let csv = std::fs::read_to_string(d.join("sw/results.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 9, "{csv}");
    assert!(csv.contains("区域红色颗粒物是否达标"), "{csv}");
}

/// The rows of a CSV written by jianpai (UTF-8 with BOM, a header; no quoted commas in the
/// columns read here).
fn rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.starts_with('\u{feff}'),
        "{}: UTF-8 with BOM",
        path.display()
    );
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

fn header(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn regional_filings_hold_every_citys_lines_and_roll_up() {
    let dir = setup(20);
    let d = dir.path();
    // Cities trade cuts under the regional targets: their lists differ from their own.
    let text = REGION.replace("city_floor = 1.0", "city_floor = 0.8");
    std::fs::write(d.join("r/region.toml"), text).unwrap();
    jianpai()
        .current_dir(d)
        .args(["--quiet", "region", "r/region.toml", "--out", "out"])
        .assert()
        .success();
    let summary = json(&d.join("out/summary.json"));
    let files = ["filing-list.csv", "filing-grades.csv", "filing-exempt.csv"];
    assert_eq!(summary["filings"], serde_json::json!(files));
    let mut sums = [0usize; 3];
    let mut cities = Vec::new();
    for (k, c) in summary["cities"].as_array().unwrap().iter().enumerate() {
        let name = c["city"].as_str().unwrap().to_string();
        let folder = d.join("out/cities").join(c["folder"].as_str().unwrap());
        // Every line of the city's plan.csv is one row of its list filing.
        let plan: BTreeSet<String> = rows(&folder.join("plan.csv"))
            .into_iter()
            .map(|r| r[0].clone())
            .collect();
        let list = rows(&folder.join(files[0]));
        let listed: BTreeSet<String> = list.iter().map(|r| r[6].clone()).collect();
        assert!(!plan.is_empty());
        assert_eq!(listed, plan, "{name}: filed lines differ from plan.csv");
        assert_eq!(list.len(), plan.len(), "{name}: a line filed twice");
        assert_eq!(c["lines"].as_u64().unwrap() as usize, plan.len());
        // Every enterprise of the city's dataset is in its grade filing.
        let dataset = d.join(format!("r/city-{}/enterprises.csv", k + 1));
        let enterprises = std::fs::read_to_string(dataset).unwrap().lines().count() - 1;
        let grades = rows(&folder.join(files[1]));
        assert_eq!(grades.len(), enterprises, "{name}");
        // No last year's list: the comparison columns are blank.
        assert!(list
            .iter()
            .all(|r| r[r.len() - 2].is_empty() && r[r.len() - 1].is_empty()));
        assert!(header(&folder.join(files[0])).starts_with("序号,区县,企业名称"));
        for (s, f) in sums.iter_mut().zip(files) {
            *s += rows(&folder.join(f)).len();
        }
        cities.push(name);
    }
    // The roll-up: the cities' rows, a 城市 column, cities in order, numbered through.
    for (f, sum) in files.iter().zip(sums) {
        let all = rows(&d.join("out").join(f));
        assert_eq!(
            all.len(),
            sum,
            "{f}: the region's rows are the cities' rows"
        );
        assert!(
            header(&d.join("out").join(f)).starts_with("序号,城市,区县"),
            "{f}"
        );
        let order: Vec<&str> = all.iter().map(|r| r[1].as_str()).collect();
        let mut sorted = order.clone();
        sorted.sort_by_key(|c| cities.iter().position(|x| x == c).unwrap());
        assert_eq!(order, sorted, "{f}: cities in order");
        for (i, r) in all.iter().enumerate() {
            assert_eq!(r[0], (i + 1).to_string(), "{f}");
        }
    }
    assert!(sums[0] > 0 && sums[1] > 0);
    // English labels with --lang en.
    jianpai()
        .current_dir(d)
        .args([
            "--quiet",
            "--lang",
            "en",
            "region",
            "r/region.toml",
            "--out",
            "en",
        ])
        .assert()
        .success();
    assert!(header(&d.join("en/filing-list.csv")).starts_with("no,city,district,enterprise"));
}
