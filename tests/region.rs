//! Several cities planned together (`jianpai region`, issue 16 item 4): a region whose regional
//! targets are slack costs exactly the cities' own plans; letting cities trade cuts under a
//! regional target never costs more; every city's list and every regional target pass the
//! independent check, and a regional target the lists miss is caught; a tiny region's joint
//! optimum agrees with exhaustive search.

#[path = "common/mod.rs"]
mod common;

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use std::path::Path;

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

/// A generated region of two cities of `enterprises` each (seed 7, 8) in `r/`.
fn region(enterprises: usize) -> tempfile::TempDir {
    common::generated_region(enterprises)
}

/// Replace the regional scenario's text after `city_floor` (floor and targets).
fn set_region(dir: &Path, floor: f64, targets: &str) {
    let file = dir.join("r/region.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let head = &text[..text.find("city_floor").unwrap()];
    let days = "[days]\nyellow = 10\norange = 6\nred = 3\n\n[episodes]\nyellow = 4\norange = 3\nred = 1\n\n";
    std::fs::write(
        &file,
        format!("{head}city_floor = {floor}\n\n{days}{targets}\n[solver]\ntime_limit = 60\nrel_gap = 0.000001\n"),
    )
    .unwrap();
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

fn run_region(dir: &Path, out: &str) -> serde_json::Value {
    jianpai()
        .current_dir(dir)
        .args(["--quiet", "region", "r/region.toml", "--out", out])
        .assert()
        .success();
    jianpai()
        .current_dir(dir)
        .args(["--quiet", "check", out, "--scenario", "r/region.toml"])
        .assert()
        .success();
    summary(&dir.join(out))
}

/// Each city planned alone: the sum of their losses.
fn separate_loss(dir: &Path) -> f64 {
    (1..=2)
        .map(|k| {
            let out = format!("alone-{k}");
            jianpai()
                .current_dir(dir)
                .args([
                    "--quiet",
                    "plan",
                    &format!("r/city-{k}.toml"),
                    "--out",
                    &out,
                ])
                .args(["--gap", "0.000001"])
                .assert()
                .success();
            let s = summary(&dir.join(&out));
            assert_eq!(s["status"], "optimal", "{s}");
            s["objective"].as_f64().unwrap()
        })
        .sum()
}

fn loss(s: &serde_json::Value) -> f64 {
    assert_eq!(s["status"], "optimal", "{}", s["status_message"]);
    s["objective"].as_f64().unwrap()
}

const EVERY_LEVEL_30: &str = "[targets.yellow]\nso2 = 0.1\nnox = 0.1\npm = 0.1\nvocs = 0.1\n\
[targets.orange]\nso2 = 0.2\nnox = 0.2\npm = 0.2\nvocs = 0.2\n\
[targets.red]\nso2 = 0.3\nnox = 0.3\npm = 0.3\nvocs = 0.3\n";

#[test]
fn slack_regional_targets_cost_the_cities_own_plans_and_trading_costs_no_more() {
    let dir = region(20);
    let d = dir.path();
    let alone = separate_loss(d);
    // No regional targets, every city its own: the two city plans.
    set_region(d, 1.0, "");
    let joint = loss(&run_region(d, "joint"));
    assert!(
        (joint - alone).abs() <= 1e-5 * alone.max(1.0),
        "{joint} vs {alone}"
    );
    // Every city's own targets and the region's (the same ratios): still the city plans.
    set_region(d, 1.0, EVERY_LEVEL_30);
    let both = run_region(d, "both");
    assert!((loss(&both) - alone).abs() <= 1e-5 * alone.max(1.0));
    assert_eq!(both["regional_targets"].as_array().unwrap().len(), 12);
    // Cities may trade cuts: only the regional targets bind.
    set_region(d, 0.0, EVERY_LEVEL_30);
    let traded = run_region(d, "traded");
    let t = loss(&traded);
    assert!(t <= alone + 1e-6 * alone, "trading {t} > separate {alone}");
    for row in traded["regional_targets"].as_array().unwrap() {
        assert_eq!(row["met"], true, "{row}");
    }
    // Per city: a list, its summary and its scenario as the region set it.
    for c in traded["cities"].as_array().unwrap() {
        let folder = d.join("traded/cities").join(c["folder"].as_str().unwrap());
        for f in ["plan.csv", "summary.json", "scenario.toml"] {
            assert!(folder.join(f).exists(), "{}", folder.join(f).display());
        }
        // The city folder checks on its own, from another working folder.
        jianpai()
            .current_dir(&folder)
            .args(["--quiet", "check", ".", "--scenario", "scenario.toml"])
            .assert()
            .success();
    }
    // The regional report: the regional targets and the cities, and each city's own report.
    jianpai()
        .current_dir(d)
        .args(["--quiet", "report", "traded", "--out", "rep"])
        .assert()
        .success();
    let page = std::fs::read_to_string(d.join("rep/报告.html")).unwrap();
    for want in ["区域目标", "各城市", "红色 颗粒物", "超出本市要求"] {
        assert!(
            page.contains(want),
            "{want} missing from the regional report"
        );
    }
    for c in traded["cities"].as_array().unwrap() {
        assert!(page.contains(c["city"].as_str().unwrap()));
        let folder = d.join("rep/cities").join(c["folder"].as_str().unwrap());
        for f in ["应急减排清单.xlsx", "一厂一策.xlsx", "报告.html"] {
            assert!(folder.join(f).exists(), "{}", folder.join(f).display());
        }
    }
    assert!(d.join("rep/区域汇总.xlsx").exists());
    // A summary that points a city outside the result is refused, naming the folder.
    let file = d.join("traded/summary.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let first = traded["cities"][0]["folder"].as_str().unwrap();
    std::fs::write(&file, text.replace(first, "../../escape")).unwrap();
    jianpai()
        .current_dir(d)
        .args(["report", "traded", "--out", "rep2"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains("../../escape"));
    assert!(!d.join("rep2").exists());
}

#[test]
fn check_catches_a_regional_target_the_lists_miss() {
    let dir = region(20);
    let d = dir.path();
    set_region(d, 1.0, "[targets.red]\nso2 = 0.3\n");
    run_region(d, "out");
    // The same lists against a regional red SO2 target far beyond them.
    set_region(d, 1.0, "[targets.red]\nso2 = 0.99\n");
    jianpai()
        .current_dir(d)
        .args(["check", "out", "--scenario", "r/region.toml"])
        .assert()
        .code(6)
        .stderr(predicates::str::contains("target:red:SO2:region"));
    // And the region cannot be planned at all: the shortfall is named, exit 4.
    jianpai()
        .current_dir(d)
        .args(["--quiet", "region", "r/region.toml", "--out", "out2"])
        .assert()
        .code(4)
        .stderr(predicates::str::contains("target:red:SO2:region"));
}

/// Keep each line's five cheapest nested triples and its strongest one (most cut in total), in
/// the city's model and in the joint model alike, so that exhaustive search stays small.
fn few_triples(u: &mut jianpai::model::Unit) {
    let total = |t: &[u8; 3]| -> f64 {
        t.iter()
            .map(|&c| u.choices[c as usize].cut.iter().sum::<f64>())
            .sum()
    };
    let strongest = (0..u.triples.len())
        .max_by(|&a, &b| {
            total(&u.triples[a])
                .total_cmp(&total(&u.triples[b]))
                .then(b.cmp(&a))
        })
        .unwrap();
    let keep: Vec<usize> = (0..u.triples.len())
        .filter(|&i| i < 5 || i == strongest)
        .collect();
    u.triples = keep.iter().map(|&i| u.triples[i]).collect();
    u.costs = keep.iter().map(|&i| u.costs[i]).collect();
}

#[test]
fn a_tiny_regions_joint_optimum_agrees_with_exhaustive_search() {
    let dir = region(2);
    let d = dir.path();
    // Regional targets below what the cities' own lists cut: solved city by city; above: one
    // joint solve.
    for (floor, ratio, by_city) in [(0.5, 0.05, true), (0.3, 0.2, false)] {
        let red =
            format!("[targets.red]\nso2 = {ratio}\nnox = {ratio}\npm = {ratio}\nvocs = {ratio}\n");
        set_region(d, floor, &red);
        let (r, cities) = jianpai::region::load(&d.join("r/region.toml")).unwrap();
        let mut region = jianpai::region::build_region(r, cities).unwrap();
        region.joint.units.iter_mut().for_each(few_triples);
        for c in &mut region.cities {
            c.problem.units.iter_mut().for_each(few_triples);
        }
        assert!(
            region.joint.units.len() >= 4,
            "{} lines",
            region.joint.units.len()
        );
        let opts = jianpai::solve::SolveOptions {
            method: jianpai::solve::Method::Mip,
            time_limit: 60.0,
            rel_gap: 1e-9,
            threads: 1,
        };
        let planned = jianpai::region::plan_region(&region, &opts, false);
        let claimed = planned.report.objective.unwrap_or_else(|| {
            panic!(
                "floor {floor}: no plan: {:?} {:?}",
                planned.report.status, planned.report.notes
            )
        });
        assert_eq!(
            planned.report.status,
            jianpai::solve::Status::Optimal,
            "floor {floor}"
        );
        let decomposed = planned
            .report
            .notes
            .iter()
            .any(|n| n.starts_with("solved city by city"));
        assert_eq!(
            decomposed, by_city,
            "floor {floor}: {:?}",
            planned.report.notes
        );
        let exact = common::brute_force(&region.joint, None).expect("a feasible plan");
        assert!(
            (exact - claimed).abs() <= 1e-6 * exact.abs().max(1.0),
            "floor {floor}: brute force {exact} vs region {claimed}"
        );
        let split: f64 = planned
            .cities
            .iter()
            .filter_map(|c| c.summary.objective)
            .sum();
        assert!(
            (split - claimed).abs() <= 1e-6 * claimed.max(1.0),
            "{split} vs {claimed}"
        );
    }
}

#[test]
fn bad_regional_scenarios_are_refused_with_their_file_and_key() {
    let dir = region(3);
    let d = dir.path();
    let cases: [(&str, i32, &str); 6] = [
        ("name = \"r\"\ncities = []\n", 3, "1 to 50 cities"),
        (
            "name = \"r\"\ncities = [\"city-1.toml\", \"city-1.toml\"]\n",
            3,
            "named twice",
        ),
        (
            "name = \"r\"\ncities = [\"city-1.toml\"]\ncity_floor = 2\n",
            3,
            "city_floor",
        ),
        (
            "name = \"r\"\ncities = [\"city-1.toml\"]\n[targets.red]\nso2 = -1\n",
            3,
            "[targets.red] so2",
        ),
        (
            "name = \"r\"\ncities = [\"city-1.toml\"]\nwarning = 1\n",
            3,
            "warning",
        ),
        (
            "name = \"r\"\ncities = [\"nowhere.toml\"]\n",
            7,
            "nowhere.toml",
        ),
    ];
    // `r/bad.toml` holding `text` is refused with `code`, stderr naming each of `says`, and
    // nothing is written.
    let refused = |text: &str, code: i32, says: &[&str]| {
        std::fs::write(d.join("r/bad.toml"), text).unwrap();
        let mut a = jianpai()
            .current_dir(d)
            .args(["region", "r/bad.toml", "--out", "out"])
            .assert()
            .code(code);
        for s in says {
            a = a.stderr(predicates::str::contains(*s));
        }
        assert!(!d.join("out").exists(), "{text}: nothing written");
    };
    for (text, code, says) in cases {
        refused(text, code, &[says]);
    }
    // Cities that expect different warning days need the region's unified [days].
    let c2 = d.join("r/city-2.toml");
    let t = std::fs::read_to_string(&c2).unwrap();
    std::fs::write(&c2, t.replace("red = 3\n", "red = 5\n")).unwrap();
    refused(
        "name = \"r\"\ncities = [\"city-1.toml\", \"city-2.toml\"]\n",
        3,
        &["[days]"],
    );
    // Regional station targets without the tables: refused, naming the key.
    refused(
        "name = \"r\"\ncities = [\"city-1.toml\"]\n[air.targets]\nred = { station = 1.0 }\n",
        3,
        &["[air.targets] needs [air] stations and receptors"],
    );
}

/// The regional rows priced (Dantzig–Wolfe over the cities, `region::prices`) and one joint MIP
/// agree: the priced list meets every row of the joint model, its bound never passes the joint
/// optimum, and its gap is what it reports.
#[test]
fn pricing_the_regional_rows_agrees_with_one_joint_mip() {
    use jianpai::solve::{solve, Method, SolveOptions};
    let dir = region(40);
    let d = dir.path();
    // Cities keep 30 % of their own targets; the region's red targets bind and cuts trade.
    set_region(
        d,
        0.3,
        "[targets.red]\nso2 = 0.3\nnox = 0.3\npm = 0.3\nvocs = 0.3\n",
    );
    let (r, cities) = jianpai::region::load(&d.join("r/region.toml")).unwrap();
    let region = jianpai::region::build_region(r, cities).unwrap();
    let opts = |method, rel_gap| SolveOptions {
        method,
        time_limit: 120.0,
        rel_gap,
        threads: 1,
    };
    let joint = solve(&region.joint, &opts(Method::Mip, 1e-9));
    let optimum = joint.report.objective.expect("a joint plan");
    let first: Vec<Vec<u32>> = region
        .cities
        .iter()
        .map(|c| {
            solve(&c.problem, &opts(Method::Greedy, 1e-3))
                .assignment
                .expect("a city list")
        })
        .collect();
    assert!(
        !region.joint.feasible(&first.concat()),
        "the regional targets must bind for this test"
    );
    let priced = jianpai::region::prices::solve_priced(&region, &first, &opts(Method::Mip, 1e-3))
        .expect("a priced regional list");
    let r = &priced.report;
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("regional rows priced")),
        "{:?}",
        r.notes
    );
    let plan = priced.assignment.as_ref().unwrap();
    assert!(region.joint.feasible(plan));
    let (objective, bound) = (r.objective.unwrap(), r.bound.unwrap());
    assert!((region.joint.cost(plan) - objective).abs() <= 1e-9 * objective);
    assert!(
        bound <= optimum * (1.0 + 1e-9),
        "bound {bound} passes the optimum {optimum}: {:?}",
        r.notes
    );
    assert!(objective >= optimum * (1.0 - 1e-9));
    let gap = (objective - bound) / objective;
    assert!((r.gap.unwrap() - gap).abs() <= 1e-9, "{:?} vs {gap}", r.gap);
    // Two regional rows bind here (red NOx and PM); the prices converge and prove the list.
    assert!(
        matches!(
            r.status,
            jianpai::solve::Status::Optimal | jianpai::solve::Status::GapLimit
        ),
        "{:?}: {:?}",
        r.status,
        r.notes
    );
    assert!(
        objective <= optimum * (1.0 + 1e-3) + 1e-6,
        "{objective} vs {optimum}"
    );
}

/// Two stations and a matrix of district rows for the generated region: each city's districts
/// reach their own city's station fully and the other's at 30 % (regional sources are named
/// `<city>/<district>`; with `city` set, only that city's districts, unqualified).
fn write_air(dir: &Path, city: Option<usize>) -> (String, String) {
    let tag = city.map_or("region".to_string(), |c| format!("city-{c}"));
    let (stations, receptors) = (
        format!("{tag}-stations.csv"),
        format!("{tag}-receptors.csv"),
    );
    std::fs::write(
        dir.join("r").join(&stations),
        "站点编号,站点名称,经度,纬度,坐标系,站点类型\nS1,甲站,120.30,31.58,WGS-84,国控\nS2,乙站,120.90,31.40,WGS-84,国控\n",
    )
    .unwrap();
    let mut rows = vec!["源类型,源编号,站点编号,前体物,传输系数".to_string()];
    for k in [1, 2].into_iter().filter(|&k| city.is_none_or(|c| c == k)) {
        let text = std::fs::read_to_string(dir.join(format!("r/city-{k}/districts.csv"))).unwrap();
        for (i, line) in text.lines().skip(1).enumerate() {
            let district = line.split(',').next().unwrap();
            let source = match city {
                Some(_) => district.to_string(),
                None => format!("合成城市{k}/{district}"),
            };
            for (s, near) in [("S1", k == 1), ("S2", k == 2)] {
                let f = if near { 1.0 } else { 0.3 } * (1.0 + 0.2 * i as f64);
                for (p, c) in [("SO2", 0.02), ("NOx", 0.015), ("PM", 0.08), ("VOCs", 0.005)] {
                    rows.push(format!("district,{source},{s},{p},{:.5}", c * f));
                }
            }
        }
    }
    std::fs::write(dir.join("r").join(&receptors), rows.join("\n") + "\n").unwrap();
    (stations, receptors)
}

/// The regional scenario with `[air]` station targets at red (`targets` is the inline table).
fn set_region_air(dir: &Path, stations: &str, receptors: &str, targets: &str) {
    set_region(dir, 1.0, "[targets.red]\npm = 0.3\n");
    let file = dir.join("r/region.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let at = text.find("[solver]").unwrap();
    let air = format!(
        "[air]\nstations = \"{stations}\"\nreceptors = \"{receptors}\"\n\n[air.targets]\nred = {targets}\n\n"
    );
    let solver = "[solver]\ntime_limit = 60\nrel_gap = 0.001\n";
    std::fs::write(&file, format!("{}{air}{solver}", &text[..at])).unwrap();
}

fn station_rows(s: &serde_json::Value) -> Vec<(String, f64, f64, bool)> {
    s["regional_stations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["station"].as_str().unwrap().to_string(),
                r["required"].as_f64().unwrap(),
                r["achieved"].as_f64().unwrap(),
                r["met"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// Regional station rows run over both cities' lines with the regional matrix: a binding
/// station target is met (the summary and the independent check agree) at no less loss than the
/// list without it; a required reduction the lists miss is caught by `check`; a city's own
/// station targets and fairness rule are planned inside the region and checked there.
#[test]
fn regional_station_targets_bind_across_cities_and_check_catches_a_miss() {
    let dir = region(20);
    let d = dir.path();
    let (st, rc) = write_air(d, None);
    // A target every list meets: the region's own figures at both stations.
    set_region_air(d, &st, &rc, "{ station = 0.0001 }");
    let free = run_region(d, "free");
    let rows = station_rows(&free);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let weakest = rows.iter().map(|r| r.2).fold(f64::INFINITY, f64::min);
    assert!(weakest > 0.0, "{rows:?}");
    // Beyond what every line's strongest measure reaches: infeasible, the station named.
    set_region_air(d, &st, &rc, &format!("{{ station = {} }}", 10.0 * weakest));
    jianpai()
        .current_dir(d)
        .args(["--quiet", "region", "r/region.toml", "--out", "none"])
        .assert()
        .code(4)
        .stderr(
            predicates::str::contains("station:red:PM25:S").and(predicates::str::contains("µg/m³")),
        );
    // Every station at least 5 % above what the free list reaches at the weaker one: it binds.
    let need = 1.05 * weakest;
    set_region_air(d, &st, &rc, &format!("{{ station = {need} }}"));
    let bound = run_region(d, "bound");
    for (station, required, achieved, met) in station_rows(&bound) {
        assert!(
            met && achieved >= required - 1e-6,
            "{station}: {achieved} < {required}"
        );
        assert!((required - need).abs() < 1e-6, "{required} vs {need}");
    }
    let (l0, l1) = (loss_within(&free), loss_within(&bound));
    assert!(
        l1 >= l0 * (1.0 - 2e-3),
        "binding station rows cost less: {l1} < {l0}"
    );
    // The check recomputes the stations from the lists and the matrix on its own.
    let check = check_json(d, "bound");
    let checked = check["regional_stations"].as_array().unwrap();
    assert_eq!(checked.len(), 2);
    for (c, s) in checked
        .iter()
        .zip(bound["regional_stations"].as_array().unwrap())
    {
        let (a, b) = (
            c["achieved"].as_f64().unwrap(),
            s["achieved"].as_f64().unwrap(),
        );
        assert!(
            (a - b).abs() <= 1e-5 * a.max(1.0),
            "check {a} vs summary {b}"
        );
    }
    // The regional report shows the station rows and each city's part of them.
    jianpai()
        .current_dir(d)
        .args(["--quiet", "report", "bound", "--out", "bound-rep"])
        .assert()
        .success();
    let page = std::fs::read_to_string(d.join("bound-rep/报告.html")).unwrap();
    for text in [
        "区域站点目标",
        "红色 S1 甲站",
        "合成城市2 贡献(µg/m³)",
        "各城市对区域站点的贡献",
    ] {
        assert!(page.contains(text), "{text}");
    }
    for s in bound["regional_stations"].as_array().unwrap() {
        let parts: f64 = s["by_city"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .sum();
        let total = s["achieved"].as_f64().unwrap();
        assert!((parts - total).abs() <= 1e-5, "{parts} vs {total}");
    }
    // The free lists against the binding target: a miss, exit 6, the station named.
    jianpai()
        .current_dir(d)
        .args(["check", "free", "--scenario", "r/region.toml"])
        .assert()
        .code(6)
        .stderr(predicates::str::contains(
            "violation[station-target] station:red:PM25:",
        ));
    // A city's own stations and fairness rule inside the region.
    let (cst, crc) = write_air(d, Some(1));
    let city = d.join("r/city-1.toml");
    let text = std::fs::read_to_string(&city).unwrap();
    std::fs::write(
        &city,
        format!(
            "{text}\n[air]\nstations = \"{cst}\"\nreceptors = \"{crc}\"\n\n[air.targets]\nred = {{ station = {} }}\n\n[fairness]\ngroup = [\"industry\", \"grade\"]\nmode = \"uniform\"\n",
            0.1 * weakest
        ),
    )
    .unwrap();
    let own = run_region(d, "own");
    assert!(station_rows(&own).iter().all(|r| r.3));
    let check = check_json(d, "own");
    let city_rows = check["cities"][0]["stations"].as_array().unwrap();
    assert_eq!(city_rows.len(), 2, "{check}");
    assert!(city_rows.iter().all(|r| r["met"] == true));
    // The city's own summary lists its station rows (ids as in its own table).
    let first = summary(&d.join("own/cities/01-合成城市1"));
    assert_eq!(
        first["stations"].as_array().map(Vec::len),
        Some(2),
        "{first}"
    );
}

/// The region's loss when it ended optimal or within its gap.
fn loss_within(s: &serde_json::Value) -> f64 {
    assert!(
        ["optimal", "gap_limit"].contains(&s["status"].as_str().unwrap()),
        "{}",
        s["status_message"]
    );
    s["objective"].as_f64().unwrap()
}

/// `jianpai check <out> --scenario r/region.toml --format json`, which must pass.
fn check_json(dir: &Path, out: &str) -> serde_json::Value {
    let done = jianpai()
        .current_dir(dir)
        .args([
            "check",
            out,
            "--scenario",
            "r/region.toml",
            "--format",
            "json",
        ])
        .assert()
        .success();
    serde_json::from_slice(&done.get_output().stdout).unwrap()
}
