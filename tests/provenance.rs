//! Provenance and `jianpai verify` (issue 13 item 6), `check --recompute` (item 1) and the
//! staggered-production calendar as an input of `plan` (item 5).

mod common;

use assert_cmd::Command;
use predicates::str::contains;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn jianpai(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("jianpai").unwrap();
    c.current_dir(dir);
    c
}

/// A small generated city, its rules copied beside it (so they can be edited and removed), a
/// scenario, and its plan in `plan/`.
struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Fixture {
    fn new(scenario_extra: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        jianpai::seeds::generate_to(40, 5, &root.join("city")).unwrap();
        let rules = root.join("rules");
        std::fs::create_dir_all(&rules).unwrap();
        for f in ["guide-2020.csv", "wuxi-city.csv"] {
            std::fs::copy(Path::new(ROOT).join("seeds/rules").join(f), rules.join(f)).unwrap();
        }
        let mut s = common::small_city_scenario("city", Path::new("rules"), 0.2);
        s.push_str(scenario_extra);
        std::fs::write(root.join("s.toml"), s).unwrap();
        Fixture { _dir: dir, root }
    }

    fn plan(&self, out: &str) -> serde_json::Value {
        jianpai(&self.root)
            .args(["plan", "s.toml", "--out", out, "--quiet"])
            .assert()
            .success();
        let text = std::fs::read_to_string(self.root.join(out).join("summary.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn path(&self, p: &str) -> PathBuf {
        self.root.join(p)
    }
}

#[test]
fn summary_records_version_command_and_every_input_hash() {
    let f = Fixture::new("");
    let s = f.plan("plan");
    let p = &s["provenance"];
    assert_eq!(p["tool"], "jianpai");
    assert_eq!(p["version"], env!("CARGO_PKG_VERSION"));
    let command: Vec<&str> = p["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        command,
        ["jianpai", "plan", "s.toml", "--out", "<out>", "--quiet"]
    );
    let inputs = p["inputs"].as_array().unwrap();
    let roles: Vec<&str> = inputs.iter().map(|i| i["role"].as_str().unwrap()).collect();
    for want in [
        "scenario",
        "inventory.enterprises",
        "inventory.lines",
        "inventory.districts",
        "rules",
        "rule_overrides",
    ] {
        assert!(roles.contains(&want), "{want} missing from {roles:?}");
    }
    let lines = inputs
        .iter()
        .find(|i| i["role"] == "inventory.lines")
        .unwrap();
    assert_eq!(lines["path"], "../city/lines.csv");
    let bytes = std::fs::read(f.path("city/lines.csv")).unwrap();
    let sha256: String = {
        use sha2::Digest;
        sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert_eq!(lines["sha256"], sha256);
    assert!(lines.get("blake3").is_none(), "{lines}");
    assert_eq!(lines["bytes"], bytes.len());

    // The report prints it in the page footer.
    jianpai(&f.root)
        .args(["report", "plan", "--out", "rep", "--quiet"])
        .assert()
        .success();
    let html = std::fs::read_to_string(f.path("rep/报告.html")).unwrap();
    let footer = &html[html.find("<footer").unwrap()..];
    assert!(
        footer.contains("jianpai plan s.toml --out &lt;out&gt; --quiet"),
        "{footer}"
    );
    let short = &lines["sha256"].as_str().unwrap()[..16];
    assert!(
        footer.contains(&format!(
            "inventory.lines ../city/lines.csv SHA-256 {short}"
        )),
        "{footer}"
    );

    // Same inputs, same folder: the same provenance, byte for byte.
    let again = f.plan("plan");
    assert_eq!(
        serde_json::to_string(&again["provenance"]).unwrap(),
        serde_json::to_string(p).unwrap()
    );
}

#[test]
fn verify_says_which_inputs_match_changed_or_are_missing() {
    let f = Fixture::new("");
    f.plan("plan");
    jianpai(&f.root)
        .args(["verify", "plan"])
        .assert()
        .code(0)
        .stdout(contains("一致\tinventory.lines\t../city/lines.csv"));
    // Another working folder finds the same files.
    jianpai(&f.path("plan"))
        .args(["verify", "."])
        .assert()
        .code(0);

    // An edited inventory table and a removed rules file.
    let lines = f.path("city/lines.csv");
    let mut text = std::fs::read_to_string(&lines).unwrap();
    text.push('\n');
    std::fs::write(&lines, text).unwrap();
    std::fs::remove_file(f.path("rules/wuxi-city.csv")).unwrap();
    jianpai(&f.root)
        .args(["verify", "plan"])
        .assert()
        .code(6)
        .stdout(contains("一致\trules\t../rules/guide-2020.csv"))
        .stderr(contains("E533 已变更\tinventory.lines\t../city/lines.csv"))
        .stderr(contains(
            "E534 缺失\trule_overrides\t../rules/wuxi-city.csv",
        ));
    let out = jianpai(&f.root)
        .args(["verify", "plan/summary.json", "--format", "json"])
        .assert()
        .code(6)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["all_match"], false);
    let state = |role: &str| {
        v["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["role"] == role)
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(state("inventory.lines"), "changed");
    assert_eq!(state("rule_overrides"), "missing");
    assert_eq!(state("scenario"), "same");
}

/// A result made before SHA-256 recorded BLAKE3 (`blake3`): `verify` still checks it, with BLAKE3.
#[test]
fn verify_checks_results_that_recorded_blake3() {
    let f = Fixture::new("");
    f.plan("plan");
    let summary = f.path("plan/summary.json");
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    for input in v["provenance"]["inputs"].as_array_mut().unwrap() {
        let path = f.path("plan").join(input["path"].as_str().unwrap());
        let legacy = blake3::hash(&std::fs::read(path).unwrap())
            .to_hex()
            .to_string();
        let o = input.as_object_mut().unwrap();
        o.remove("sha256");
        o.insert("blake3".into(), legacy.into());
    }
    std::fs::write(&summary, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    jianpai(&f.root)
        .args(["verify", "plan"])
        .assert()
        .code(0)
        .stdout(contains("一致\tinventory.lines\t../city/lines.csv"));
    std::fs::write(f.path("city/lines.csv"), "changed\n").unwrap();
    jianpai(&f.root)
        .args(["verify", "plan"])
        .assert()
        .code(6)
        .stderr(contains("E533 已变更\tinventory.lines"));
}

#[test]
fn verify_refuses_results_without_provenance() {
    let f = Fixture::new("");
    f.plan("plan");
    let summary = f.path("plan/summary.json");
    let mut s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    s.as_object_mut().unwrap().remove("provenance");
    std::fs::write(&summary, serde_json::to_string(&s).unwrap()).unwrap();
    jianpai(&f.root)
        .args(["verify", "plan"])
        .assert()
        .code(3)
        .stderr(contains("E532"));
    jianpai(&f.root)
        .args(["verify", "nowhere"])
        .assert()
        .code(7)
        .stderr(contains("summary.json"));
}

/// The data rows of a CSV file.
fn rows(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect()
}

#[test]
fn check_recompute_rewrites_an_edited_measure_figures() {
    let f = Fixture::new("");
    f.plan("plan");
    let file = f.path("plan/plan.csv");
    // Raise one orange L10 to L20 where red is already at least L20 (nesting still holds).
    let all = rows(&file);
    let (i, line) = all
        .iter()
        .enumerate()
        .find(|(i, r)| {
            r.contains(",橙色,L10,")
                && all.get(i + 1).is_some_and(|n| {
                    n.split(',').next() == r.split(',').next()
                        && [",红色,L20", ",红色,L30", ",红色,L50", ",红色,S"]
                            .iter()
                            .any(|m| n.contains(m))
                })
        })
        .expect("an orange L10 row");
    let edited = line.replacen(",橙色,L10,", ",橙色,L20,", 1);
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replacen(line.as_str(), &edited, 1);
    std::fs::write(&file, &text).unwrap();
    jianpai(&f.root)
        .args(["check", "plan", "--scenario", "s.toml"])
        .assert()
        .code(6)
        .stderr(contains("cut-mismatch"));
    jianpai(&f.root)
        .args(["check", "plan", "--scenario", "s.toml", "--recompute"])
        .assert()
        .code(0)
        .stdout(contains("重算：1 行"));
    let after = rows(&file);
    assert_eq!(after.len(), all.len());
    let row = &after[i];
    assert!(row.contains(",橙色,L20,限产20%,"), "{row}");
    // Every other row is as written.
    for (k, (a, b)) in all.iter().zip(&after).enumerate() {
        if k != i {
            assert_eq!(a, b);
        }
    }
    // The loss doubled (L10 → L20 of the same baseline).
    let loss = |r: &str| r.split(',').nth(16).unwrap().parse::<f64>().unwrap();
    assert!((loss(row) - 2.0 * loss(line)).abs() < 2e-4, "{line}\n{row}");
    // A second recompute changes nothing.
    jianpai(&f.root)
        .args(["check", "plan", "--scenario", "s.toml", "--recompute"])
        .assert()
        .code(0)
        .stdout(contains("重算：0 行 0 个单元格"));
}

#[test]
fn check_recompute_refuses_workbooks_and_calendars() {
    let f = Fixture::new("");
    std::fs::write(f.path("list.xlsx"), b"not really").unwrap();
    jianpai(&f.root)
        .args(["check", "list.xlsx", "--scenario", "s.toml", "--recompute"])
        .assert()
        .code(2)
        .stderr(contains("plan.csv"));
}

/// A calendar stopping `line` for the whole season and `partial` for ten days.
fn calendar(line: &str, partial: &str) -> String {
    format!(
        "生产线编号,开始日期,结束日期,天数,类型\n{line},2021-11-15,2022-03-15,121,整季停产\n{partial},2021-12-01,2021-12-10,10,错峰停产\n"
    )
}

#[test]
fn lines_stopped_for_the_season_are_not_credited_again() {
    let f = Fixture::new("");
    f.plan("plan");
    let plan = rows(&f.path("plan/plan.csv"));
    // The first line with a non-zero cut at red, and another line.
    let cut_line = plan
        .iter()
        .find(|r| r.contains(",红色,") && r.split(',').nth(16) != Some("0.0000"))
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    let other = plan
        .iter()
        .map(|r| r.split(',').next().unwrap().to_string())
        .find(|l| *l != cut_line)
        .unwrap();
    std::fs::write(f.path("calendar.csv"), calendar(&cut_line, &other)).unwrap();
    let text = std::fs::read_to_string(f.path("s.toml")).unwrap();
    std::fs::write(
        f.path("s.toml"),
        format!("calendar = \"calendar.csv\"\n{text}"),
    )
    .unwrap();
    let s = f.plan("cal");
    let cal = rows(&f.path("cal/plan.csv"));
    // The season-stopped line stays on the list with zero cuts and zero loss at every level.
    let mine: Vec<&String> = cal
        .iter()
        .filter(|r| r.starts_with(&format!("{cut_line},")))
        .collect();
    assert_eq!(mine.len(), 3);
    for r in &mine {
        let figures: Vec<&str> = r.split(',').skip(12).take(5).collect();
        assert_eq!(
            figures,
            ["0.000000", "0.000000", "0.000000", "0.000000", "0.0000"],
            "{r}"
        );
    }
    // Without the calendar the same line was credited at red.
    let before: Vec<&String> = plan
        .iter()
        .filter(|r| r.starts_with(&format!("{cut_line},")) && r.contains(",红色,"))
        .collect();
    assert_ne!(before[0].split(',').nth(16), Some("0.0000"));
    // The partly stopped line keeps its full figures (not pro rata): check, which re-derives
    // every cut from the inventory, accepts the plan.
    jianpai(&f.root)
        .args(["check", "cal", "--scenario", "s.toml"])
        .assert()
        .code(0);
    // The calendar is an input of the result.
    let roles: Vec<String> = s["provenance"]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["role"].as_str().unwrap().to_string())
        .collect();
    assert!(roles.contains(&"calendar".to_string()), "{roles:?}");
}

#[test]
fn a_calendar_naming_unknown_lines_or_kinds_is_refused() {
    let f = Fixture::new("");
    // `calendar` goes before the first table of the TOML.
    let text = std::fs::read_to_string(f.path("s.toml")).unwrap();
    std::fs::write(
        f.path("s.toml"),
        format!("calendar = \"calendar.csv\"\n{text}"),
    )
    .unwrap();
    std::fs::write(
        f.path("calendar.csv"),
        "生产线编号,开始日期,结束日期,天数,类型\nNOPE-1,2021-11-15,2022-03-15,121,整季停产\n",
    )
    .unwrap();
    jianpai(&f.root)
        .args(["plan", "s.toml", "--out", "x"])
        .assert()
        .code(3)
        .stderr(contains("E535").and(contains("NOPE-1")));
    assert!(!f.path("x").exists());
    let line = rows(&f.path("city/lines.csv"))[0]
        .split(',')
        .next()
        .unwrap()
        .to_string();
    std::fs::write(
        f.path("calendar.csv"),
        format!("生产线编号,开始日期,结束日期,天数,类型\n{line},2021-11-15,2022-03-15,121,全停\n"),
    )
    .unwrap();
    jianpai(&f.root)
        .args(["plan", "s.toml", "--out", "x"])
        .assert()
        .code(3)
        .stderr(contains("E536").and(contains("全停")));
}

use predicates::prelude::PredicateBooleanExt;

#[test]
fn verify_and_recompute_have_help() {
    let dir = tempfile::tempdir().unwrap();
    jianpai(dir.path())
        .args(["verify", "--help"])
        .assert()
        .success()
        .stdout(contains("provenance").and(contains("jianpai verify out/wuxi-2021")));
    jianpai(dir.path())
        .args(["check", "--help"])
        .assert()
        .success()
        .stdout(contains("--recompute"));
}
