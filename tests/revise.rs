//! `jianpai revise`, `jianpai diff`, the filings, `jianpai audit` and `jianpai seeds meters` end
//! to end on a small generated city.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

/// A generated city, its scenario and its planned list in `plan/`.
struct City {
    dir: tempfile::TempDir,
}

impl City {
    fn new() -> City {
        let dir = tempfile::tempdir().unwrap();
        jianpai::seeds::generate_to(300, 5, &dir.path().join("city")).unwrap();
        let c = City { dir };
        c.scenario("s.toml", "city");
        jianpai()
            .args(["--quiet", "plan"])
            .arg(c.path("s.toml"))
            .arg("--out")
            .arg(c.path("plan"))
            .assert()
            .success();
        c
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn scenario(&self, name: &str, inventory: &str) -> PathBuf {
        let mut s = format!(
            "name = \"t\"\ninventory = \"{}\"\nrules = \"{ROOT}/seeds/rules/guide-2020.csv\"\nrule_overrides = \"{ROOT}/seeds/rules/wuxi-city.csv\"\n",
            self.path(inventory).display()
        );
        for (level, r) in [("yellow", 0.025), ("orange", 0.05), ("red", 0.075)] {
            s.push_str(&format!(
                "[targets.{level}]\nso2 = {r}\nnox = {r}\npm = {r}\nvocs = {r}\n"
            ));
        }
        s.push_str("[solver]\ntime_limit = 60\nrel_gap = 0.0\n");
        let p = self.path(name);
        std::fs::write(&p, s).unwrap();
        p
    }

    fn revise(&self, scenario: &str, out: &str, stability: &str) -> Value {
        jianpai()
            .args(["--quiet", "revise"])
            .arg(self.path(scenario))
            .arg("--previous")
            .arg(self.path("plan"))
            .args(["--stability", stability, "--out"])
            .arg(self.path(out))
            .assert()
            .success();
        jianpai()
            .arg("check")
            .arg(self.path(out))
            .arg("--scenario")
            .arg(self.path(scenario))
            .assert()
            .success();
        json(&self.path(out).join("diff.json"))
    }
}

fn json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Copy the city and apply `edit` to enterprises.csv.
fn edited(c: &City, name: &str, mut edit: impl FnMut(&mut Vec<Vec<String>>)) {
    let from = c.path("city");
    let to = c.path(name);
    std::fs::create_dir_all(&to).unwrap();
    std::fs::copy(from.join("districts.csv"), to.join("districts.csv")).unwrap();
    let read = |f: &str| -> Vec<Vec<String>> {
        std::fs::read_to_string(from.join(f))
            .unwrap()
            .lines()
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect()
    };
    let write = |f: &str, rows: &[Vec<String>]| {
        let out: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
        std::fs::write(to.join(f), out.join("\n") + "\n").unwrap();
    };
    let mut rows = read("enterprises.csv");
    edit(&mut rows);
    write("enterprises.csv", &rows);
    // Lines and options of enterprises removed by the edit go too.
    let codes: std::collections::HashSet<&String> = rows.iter().map(|r| &r[0]).collect();
    let lines: Vec<Vec<String>> = read("lines.csv")
        .into_iter()
        .enumerate()
        .filter(|(i, r)| *i == 0 || codes.contains(&r[1]))
        .map(|(_, r)| r)
        .collect();
    let ids: std::collections::HashSet<&String> = lines.iter().map(|r| &r[0]).collect();
    let options: Vec<Vec<String>> = read("options.csv")
        .into_iter()
        .enumerate()
        .filter(|(i, r)| *i == 0 || ids.contains(&r[0]))
        .map(|(_, r)| r)
        .collect();
    write("lines.csv", &lines);
    write("options.csv", &options);
}

#[test]
fn revising_an_unchanged_city_changes_nothing() {
    let c = City::new();
    let d = c.revise("s.toml", "same", "20");
    assert_eq!(d["counts"]["measure_changes"], 0);
    assert_eq!(d["counts"]["lines_added"], 0);
    assert_eq!(
        std::fs::read(c.path("plan/plan.csv")).unwrap(),
        std::fs::read(c.path("same/plan.csv")).unwrap()
    );
    let s = json(&c.path("same/summary.json"));
    assert_eq!(s["kind"], "revision");
    assert_eq!(s["revision"]["stability_penalty"], 0.0);
    assert_eq!(
        s["objective"],
        json(&c.path("plan/summary.json"))["objective"]
    );
    for f in jianpai::revise::filings::FILES {
        let text = std::fs::read_to_string(c.path("same").join(f)).unwrap();
        assert!(text.starts_with('\u{feff}'), "{f} has a BOM");
    }
    let list = std::fs::read_to_string(c.path("same/filing-list.csv")).unwrap();
    assert!(list.lines().skip(1).all(|l| l.contains(",不变,")));
}

#[test]
fn a_downgrade_forces_exactly_the_changes_the_rules_require() {
    let c = City::new();
    // The first B-grade key-industry firm that is neither exempt nor 保障类 drops to D (S+T0).
    let plan = std::fs::read_to_string(c.path("plan/plan.csv")).unwrap();
    let mut target = String::new();
    edited(&c, "down", |rows| {
        let r = rows
            .iter_mut()
            .skip(1)
            .find(|r| {
                r[4] == "B"
                    && r[5] == "否"
                    && r[7] == "否"
                    && [
                        "steel",
                        "cement",
                        "coking",
                        "foundry",
                        "ceramics",
                        "chemicals",
                    ]
                    .contains(&r[3].as_str())
                    && plan.contains(&r[0])
            })
            .expect("a B-grade firm");
        r[4] = "D".into();
        target = r[0].clone();
    });
    c.scenario("down.toml", "down");
    let d = c.revise("down.toml", "down-out", "1000000");
    // Last year's measures of the firm's lines that are not S+T0 must change, and nothing else.
    let mut required = Vec::new();
    for l in plan.lines().skip(1).filter(|l| l.contains(&target)) {
        let cells: Vec<&str> = l.split(',').collect();
        if cells[9] != "S+T0" {
            required.push((cells[0].to_string(), cells[8].to_string()));
        }
    }
    required.sort();
    assert!(!required.is_empty());
    let changes = d["changes"]["measures"].as_array().unwrap();
    let mut got: Vec<(String, String)> = changes
        .iter()
        .map(|m| {
            assert_eq!(m["cause"], "forced", "{m}");
            assert_eq!(m["new"], "S+T0");
            assert!(m["reason"].as_str().unwrap().contains("B → D"), "{m}");
            let level = jianpai::domain::Level::parse(m["level"].as_str().unwrap()).unwrap();
            (
                m["line_id"].as_str().unwrap().to_string(),
                level.zh().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(got, required);
    assert_eq!(d["changes"]["grades_down"][0]["credit_code"], target);
    // Without the stability term the optimiser may change more, but the forced changes are the same.
    let free = c.revise("down.toml", "down-free", "0");
    let mut forced: Vec<(String, String)> = free["changes"]["measures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["cause"] == "forced")
        .map(|m| {
            let level = jianpai::domain::Level::parse(m["level"].as_str().unwrap()).unwrap();
            (
                m["line_id"].as_str().unwrap().to_string(),
                level.zh().to_string(),
            )
        })
        .collect();
    forced.sort();
    assert_eq!(forced, required);
    let grades = std::fs::read_to_string(c.path("down-out/filing-grades.csv")).unwrap();
    assert!(grades
        .lines()
        .any(|l| l.contains(&target) && l.ends_with(",B,降级")));
}

#[test]
fn diff_finds_every_category() {
    let c = City::new();
    let mut closed = String::new();
    let mut up = String::new();
    let mut exempt = String::new();
    let mut guarantee = String::new();
    let plan = std::fs::read_to_string(c.path("plan/plan.csv")).unwrap();
    edited(&c, "next", |rows| {
        let on_list = |r: &Vec<String>| plan.contains(&r[0]);
        let i = (1..rows.len()).find(|&i| on_list(&rows[i])).unwrap();
        closed = rows.remove(i)[0].clone();
        let r = rows
            .iter_mut()
            .skip(1)
            .find(|r| r[4] == "C" && r[5] == "否" && on_list(r))
            .unwrap();
        r[4] = "B".into();
        up = r[0].clone();
        let r = rows
            .iter_mut()
            .skip(1)
            .find(|r| r[4] == "D" && r[5] == "否" && r[7] == "否" && on_list(r))
            .unwrap();
        r[5] = "是".into();
        r[6] = "民生保障".into();
        exempt = r[0].clone();
        let r = rows
            .iter_mut()
            .skip(1)
            .find(|r| r[4] == "C" && r[5] == "否" && r[7] == "否" && on_list(r) && r[0] != up)
            .unwrap();
        r[7] = "是".into();
        r[8] = "0.9".into();
        guarantee = r[0].clone();
    });
    c.scenario("next.toml", "next");
    c.revise("next.toml", "next-out", "20");
    let out = jianpai()
        .args(["diff"])
        .arg(c.path("plan"))
        .arg(c.path("next-out"))
        .arg("--old-inventory")
        .arg(c.path("city"))
        .arg("--new-inventory")
        .arg(c.path("next"))
        .args(["--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let d: Value = serde_json::from_slice(&out).unwrap();
    let ch = &d["changes"];
    let has = |cat: &str, code: &str| {
        ch[cat]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["credit_code"] == code)
    };
    assert!(has("enterprises_removed", &closed));
    assert!(has("lines_removed", &closed));
    assert!(has("grades_up", &up));
    assert!(has("exempt_added", &exempt));
    assert!(has("guarantee_changed", &guarantee));
    assert!(ch["measures"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["credit_code"] == exempt.as_str() && m["cause"] == "forced"));
    assert_eq!(ch["enterprises_added"].as_array().unwrap().len(), 0);
    // Reversed, the closed firm is an added one and the exempt firm leaves the exempt list.
    let out = jianpai()
        .args(["diff"])
        .arg(c.path("next-out"))
        .arg(c.path("plan"))
        .args(["--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: Value = serde_json::from_slice(&out).unwrap();
    let added = r["changes"]["enterprises_added"].as_array().unwrap();
    assert!(added.iter().any(|x| x["credit_code"] == closed.as_str()));
    assert!(r["changes"]["lines_added"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["credit_code"] == closed.as_str()));
    assert!(r["changes"]["exempt_removed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["credit_code"] == exempt.as_str()));
    assert!(r["changes"]["grades_down"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["credit_code"] == up.as_str()));
    let cut = &r["totals"]["red"]["cut"]["NOx"];
    let change = cut["new"].as_f64().unwrap() - cut["old"].as_f64().unwrap();
    assert!((cut["change"].as_f64().unwrap() - change).abs() < 1e-5);
    // Text output in Chinese.
    jianpai()
        .args(["diff"])
        .arg(c.path("plan"))
        .arg(c.path("next-out"))
        .assert()
        .success()
        .stdout(predicates::str::contains("移出企业"));
}

fn precision_recall(c: &City, noise: &str, seed: &str) -> (f64, f64) {
    let meters = c.path(&format!("m-{noise}.csv"));
    jianpai()
        .args(["--quiet", "seeds", "meters", "--plan"])
        .arg(c.path("plan"))
        .args([
            "--cheaters",
            "40",
            "--seed",
            seed,
            "--noise",
            noise,
            "--out",
        ])
        .arg(&meters)
        .assert()
        .success();
    let out = jianpai()
        .args(["audit", "--plan"])
        .arg(c.path("plan"))
        .arg("--meter")
        .arg(&meters)
        .args([
            "--level",
            "orange",
            "--window",
            "2021-12-22T00:00..2021-12-25T00:00",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let a: Value = serde_json::from_slice(&out).unwrap();
    let truth = std::fs::read_to_string(c.path(&format!("m-{noise}.truth.csv"))).unwrap();
    let (precision, recall, cheaters) = common::audit_scores(&truth, &a);
    assert!(cheaters >= 30);
    (precision, recall)
}

#[test]
fn audit_finds_the_cheaters_at_several_noise_levels() {
    let c = City::new();
    // At 10 % hourly noise an 8 % drop (限产10%) is within two days' swings: the audit's honest
    // statistic (day blocks, false-alarm rate 10⁻⁴) calls such lines 数据不足 rather than guess,
    // so recall is lower there while precision stays (issue 17).
    for (noise, seed, min_recall) in [("0.02", "1", 0.95), ("0.05", "2", 0.95), ("0.10", "3", 0.6)]
    {
        let (p, r) = precision_recall(&c, noise, seed);
        assert!(
            p >= 0.95 && r >= min_recall,
            "noise {noise}: precision {p}, recall {r}"
        );
    }
}

#[test]
fn bad_meter_input_names_file_row_column_and_value() {
    let c = City::new();
    let bad = |name: &str, text: &str, expect: &[&str]| {
        let p = c.path(name);
        std::fs::write(&p, text).unwrap();
        let a = jianpai()
            .args(["audit", "--plan"])
            .arg(c.path("plan"))
            .arg("--meter")
            .arg(&p)
            .args(["--level", "orange", "--window", "2021-12-22..2021-12-25"])
            .assert()
            .code(3);
        let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
        for e in expect {
            assert!(err.contains(e), "{err} lacks {e}");
        }
    };
    bad(
        "t.csv",
        "电表编号,时间,表码\nM1,2021-12-20T01:00,10\nM1,yesterday,11\n",
        &[
            "t.csv row 3",
            "column 时间 (B)",
            "value \"yesterday\"",
            "time stamp",
        ],
    );
    bad(
        "r.csv",
        "meter,timestamp,reading\nM1,2021-12-20T01:00,-5\n",
        &["r.csv row 2", "column reading (C)", "value \"-5\""],
    );
    bad(
        "h.csv",
        "meter,when,reading\nM1,2021-12-20T01:00,5\n",
        &["h.csv row 1", "missing column 时间"],
    );
    bad(
        "k.csv",
        "meter,timestamp\nM1,2021-12-20T01:00\n",
        &["k.csv row 1", "register column"],
    );
}

#[test]
fn bundled_2022_city_regenerates_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    jianpai::seeds::evolve_to(&Path::new(ROOT).join("seeds/wuxi-2021"), 2022, dir.path()).unwrap();
    for name in [
        "changes.csv",
        "districts.csv",
        "enterprises.csv",
        "lines.csv",
        "options.csv",
        "README.md",
    ] {
        assert_eq!(
            std::fs::read(dir.path().join(name)).unwrap(),
            std::fs::read(format!("{ROOT}/seeds/wuxi-2022/{name}")).unwrap(),
            "{name} differs: run `make seeds-2022`"
        );
    }
}

#[test]
fn parquet_meters_audit_like_csv() {
    let c = City::new();
    let csv_path = c.path("m.csv");
    jianpai()
        .args(["--quiet", "seeds", "meters", "--plan"])
        .arg(c.path("plan"))
        .args(["--cheaters", "5", "--meters", "30", "--seed", "9", "--out"])
        .arg(&csv_path)
        .assert()
        .success();
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let pq = c.path("m.parquet");
    jianpai::io::parquet::write_string_parquet(
        &pq,
        &["meter", "line_id", "timestamp", "reading", "kwh"],
        &rows,
    )
    .unwrap();
    let run = |p: &Path| {
        jianpai()
            .args(["audit", "--plan"])
            .arg(c.path("plan"))
            .arg("--meter")
            .arg(p)
            .args([
                "--level",
                "orange",
                "--window",
                "2021-12-22..2021-12-25",
                "--format",
                "json",
            ])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    let a = run(&csv_path);
    assert_eq!(a, run(&pq));
    let v: Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(v["kind"], "audit");
    assert!(v["counts"]["likely_non_compliant"].as_u64().unwrap() >= 4);
}
