//! Negotiated deep cuts (issue 13 item 4): offers valued by re-solving, the chosen set's saving
//! checked by an independent re-solve of `plan --decisions` with the written decisions.

mod common;

use assert_cmd::Command;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

/// A generated city whose orange and red targets bind, no restart costs (so a line's season loss
/// is Σ days × loss per day of plan.csv), its free plan and a negotiation over the top 6 firms.
struct City {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

fn city() -> &'static City {
    static CITY: OnceLock<City> = OnceLock::new();
    CITY.get_or_init(|| {
        let (dir, root) = common::small_city_dir(0.6, |s| {
            s.replace("restart_cost_days = 1.0", "restart_cost_days = 0.0")
        });
        let toml = std::fs::read_to_string(root.join("s.toml")).unwrap();
        assert!(toml.contains("restart_cost_days = 0.0"));
        let run = |args: &[&str]| {
            jianpai()
                .current_dir(&root)
                .args(["--lang", "en"])
                .args(args)
                .assert()
                .success();
        };
        run(&["plan", "s.toml", "--out", "free", "--gap", "0"]);
        run(&[
            "negotiate",
            "s.toml",
            "--top",
            "6",
            "--out",
            "neg",
            "--gap",
            "0",
        ]);
        City { _dir: dir, root }
    })
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Per line: (credit code, season loss = Σ days × loss per day), and (line, level) → measure.
type Read = (
    BTreeMap<String, (String, f64)>,
    BTreeMap<(String, String), String>,
);

fn read_plan(dir: &Path) -> Read {
    let days: BTreeMap<&str, f64> = [("yellow", 10.0), ("orange", 6.0), ("red", 3.0)].into();
    let mut r = csv::Reader::from_path(dir.join("plan.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| {
        h.iter()
            .position(|x| x.trim_start_matches('\u{feff}') == n)
            .unwrap()
    };
    let (li, ci, le, me, lo) = (
        col("line_id"),
        col("credit_code"),
        col("level"),
        col("measure_code"),
        col("loss"),
    );
    let mut loss: BTreeMap<String, (String, f64)> = BTreeMap::new();
    let mut measure = BTreeMap::new();
    for x in r.records() {
        let x = x.unwrap();
        let e = loss
            .entry(x[li].to_string())
            .or_insert((x[ci].to_string(), 0.0));
        e.1 += days[&x[le]] * x[lo].parse::<f64>().unwrap();
        measure.insert((x[li].to_string(), x[le].to_string()), x[me].to_string());
    }
    (loss, measure)
}

#[test]
fn the_chosen_sets_saving_is_confirmed_by_an_independent_re_solve() {
    let c = city();
    let n = json(&c.root.join("neg/negotiation.json"));
    let chosen: Vec<&serde_json::Value> = n["offers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["chosen"] == true)
        .collect();
    assert!(!chosen.is_empty(), "no offer chosen: {n}");
    let firms: HashSet<&str> = chosen
        .iter()
        .map(|o| o["credit_code"].as_str().unwrap())
        .collect();
    // decisions.csv round-trips through `plan --decisions`.
    jianpai()
        .current_dir(&c.root)
        .args([
            "--lang", "en", "plan", "s.toml", "--out", "agreed", "--gap", "0",
        ])
        .args(["--decisions", "neg/decisions.csv"])
        .assert()
        .success();
    let (free, _) = read_plan(&c.root.join("free"));
    let (agreed, measures) = read_plan(&c.root.join("agreed"));
    for o in &chosen {
        for ch in o["changes"].as_array().unwrap() {
            let key = (
                ch["line_id"].as_str().unwrap().to_string(),
                ch["level"].as_str().unwrap().to_string(),
            );
            let stated = measures[&key].split('+').next().unwrap();
            assert_eq!(stated, ch["to"].as_str().unwrap(), "{key:?}");
        }
    }
    let others = |p: &BTreeMap<String, (String, f64)>| -> f64 {
        p.values()
            .filter(|(code, _)| !firms.contains(code.as_str()))
            .map(|(_, l)| l)
            .sum()
    };
    let saving = others(&free) - others(&agreed);
    let joint = n["joint_saving"].as_f64().unwrap();
    assert!(joint > 1.0, "{joint}");
    assert!(
        (saving - joint).abs() < 0.05,
        "re-solve {saving} vs {joint}"
    );
    let agreed_loss = json(&c.root.join("agreed/summary.json"))["objective"]
        .as_f64()
        .unwrap();
    assert!((agreed_loss - n["joint_loss"].as_f64().unwrap()).abs() < 1e-4);
    // The summary states the joint saving against the sum of the single savings.
    let sum: f64 = chosen.iter().map(|o| o["saving"].as_f64().unwrap()).sum();
    assert!((n["sum_of_single_savings"].as_f64().unwrap() - sum).abs() < 1e-9);
    // Every offer's saving is what the city spares the others; the model's total never falls.
    for o in n["offers"].as_array().unwrap() {
        if let (Some(s), Some(f)) = (o["saving"].as_f64(), o["firm_cost"].as_f64()) {
            assert!(f >= s - 1e-6, "{o}");
        }
    }
}

#[test]
fn outputs_are_the_table_the_sheet_and_a_ranked_list() {
    let c = city();
    let n = json(&c.root.join("neg/negotiation.json"));
    let ranks: Vec<u64> = n["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["rank"].as_u64().unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]) && ranks.iter().all(|&r| r <= 6));
    let csv = std::fs::read_to_string(c.root.join("neg/negotiation.csv")).unwrap();
    assert_eq!(csv.lines().count(), ranks.len() + 1);
    assert!(csv.lines().next().unwrap().contains("max_compensation"));
    let sheets = jianpai::io::xlsx::sheet_names(&c.root.join("neg/negotiation.xlsx")).unwrap();
    assert_eq!(sheets, vec!["Negotiated deep cuts".to_string()]);
    // Same input, same bytes.
    jianpai()
        .current_dir(&c.root)
        .args([
            "--lang",
            "en",
            "negotiate",
            "s.toml",
            "--top",
            "6",
            "--gap",
            "0",
        ])
        .args(["--out", "neg2"])
        .assert()
        .success();
    for f in ["negotiation.csv", "decisions.csv", "negotiation.json"] {
        assert_eq!(
            std::fs::read(c.root.join("neg").join(f)).unwrap(),
            std::fs::read(c.root.join("neg2").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn the_chinese_sheet_is_named_and_top_is_bounded() {
    let c = city();
    jianpai()
        .current_dir(&c.root)
        .args(["negotiate", "s.toml", "--top", "2", "--out", "neg-zh"])
        .assert()
        .success();
    let sheets = jianpai::io::xlsx::sheet_names(&c.root.join("neg-zh/negotiation.xlsx")).unwrap();
    assert_eq!(sheets, vec!["协商清单".to_string()]);
    for top in ["0", "201"] {
        jianpai()
            .current_dir(&c.root)
            .args(["negotiate", "s.toml", "--top", top, "--out", "bad"])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(format!("--top {top}")));
        assert!(!c.root.join("bad").exists());
    }
    jianpai()
        .args(["negotiate", "--help"])
        .assert()
        .success()
        .stdout(predicates::str::contains("Ranking"))
        .stdout(predicates::str::contains("--top"));
}
