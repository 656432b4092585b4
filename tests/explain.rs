//! Reasons and explanations (issue 13 items 2b and 3): every measure above its rule minimum
//! carries a reason in plan.csv, the list workbook and the 一厂一策 sheet, `check` flags a missing
//! one, and `jianpai explain` shows options, prices, reduced costs, the next-best option and the
//! break-even price — consistent with each other and with its text.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

/// A row of an English-header plan.csv.
#[derive(Debug, Clone)]
struct Row {
    line: String,
    code: String,
    level: String,
    measure: String,
    obligation: String,
    note: String,
    reason: String,
}

fn read_plan(dir: &Path) -> Vec<Row> {
    let mut r = csv::Reader::from_path(dir.join("plan.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| {
        h.iter()
            .position(|x| x.trim_start_matches('\u{feff}') == name)
            .unwrap_or_else(|| panic!("no column {name}: {h:?}"))
    };
    let c = [
        "line_id",
        "credit_code",
        "level",
        "measure_code",
        "obligation",
        "note",
        "reason",
    ]
    .map(col);
    r.records()
        .map(|x| {
            let x = x.unwrap();
            Row {
                line: x[c[0]].to_string(),
                code: x[c[1]].to_string(),
                level: x[c[2]].to_string(),
                measure: x[c[3]].to_string(),
                obligation: x[c[4]].to_string(),
                note: x[c[5]].to_string(),
                reason: x[c[6]].to_string(),
            }
        })
        .collect()
}

/// A generated city whose orange and red targets bind (¾ of Wuxi's ratios), and its plan (made
/// once).
struct City {
    _dir: tempfile::TempDir,
    root: PathBuf,
    rows: Vec<Row>,
}

fn city() -> &'static City {
    static CITY: OnceLock<City> = OnceLock::new();
    CITY.get_or_init(|| {
        let (dir, root) = common::small_city_dir(0.75, |s| s);
        jianpai()
            .current_dir(&root)
            .args(["--lang", "en", "plan", "s.toml", "--out", "p", "--gap", "0"])
            .assert()
            .success();
        let rows = read_plan(&root.join("p"));
        City {
            _dir: dir,
            root,
            rows,
        }
    })
}

/// The proportional limit of a measure or obligation code (`L20+T4` → 0.2, `S` → 1, `V`, `T4`,
/// `SL50` → 0); `None` for declared options.
fn limit(code: &str) -> Option<f64> {
    let main = code.split('+').next().unwrap_or("");
    if main.starts_with("D:") {
        None
    } else if main == "S" {
        Some(1.0)
    } else if let Some(p) = main.strip_prefix('L') {
        Some(p.parse::<f64>().unwrap() / 100.0)
    } else {
        Some(0.0)
    }
}

#[test]
fn every_measure_above_its_minimum_has_a_reason_and_no_other_does() {
    let c = city();
    let mut above = 0;
    let mut kinds = BTreeSet::new();
    for r in &c.rows {
        // Floors and exemptions (noted) change the minimum; declared options compare by loss.
        let (Some(m), Some(o)) = (limit(&r.measure), limit(&r.obligation)) else {
            continue;
        };
        if !r.note.is_empty() {
            continue;
        }
        if m > o + 1e-9 {
            above += 1;
            assert!(!r.reason.trim().is_empty(), "no reason: {r:?}");
            kinds.insert(r.reason.split([' ', ':']).next().unwrap().to_string());
        } else {
            assert!(r.reason.is_empty(), "reason on a minimum measure: {r:?}");
        }
    }
    assert!(above > 10, "only {above} measures above their minimum");
    // The targets bind here: target reasons name their price and the marginal loss.
    let target = c
        .rows
        .iter()
        .find(|r| r.reason.starts_with("serves the targets"))
        .expect("a target reason");
    assert!(
        target.reason.contains("shadow price") && target.reason.contains("marginal loss"),
        "{target:?}"
    );
    assert!(
        c.rows.iter().any(|r| r.reason.starts_with("nesting")),
        "no nesting reason among {kinds:?}"
    );
}

#[test]
fn check_requires_a_reason_above_the_minimum_but_not_its_wording() {
    let c = city();
    let plan = std::fs::read_to_string(c.root.join("p/plan.csv")).unwrap();
    let victim = c
        .rows
        .iter()
        .find(|r| !r.reason.is_empty())
        .expect("a reasoned row");
    // Blank the reason of one row: check names the row's line and level.
    let blanked: String = plan
        .lines()
        .map(|l| {
            if l.starts_with(&format!("{},", victim.line))
                && l.contains(&format!(",{},", victim.level))
            {
                l.replace(&csv_cell(&victim.reason), "")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(blanked, plan);
    std::fs::write(c.root.join("blank.csv"), &blanked).unwrap();
    let out = jianpai()
        .current_dir(&c.root)
        .args(["check", "blank.csv", "--scenario", "s.toml"])
        .assert()
        .code(6);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("violation[reason]") && err.contains(&victim.line),
        "{err}"
    );
    assert_eq!(err.matches("violation[").count(), 1, "{err}");
    // Any reason the planner writes passes.
    let edited = plan.replace(&csv_cell(&victim.reason), "区县协商后保留");
    std::fs::write(c.root.join("edited.csv"), edited).unwrap();
    jianpai()
        .current_dir(&c.root)
        .args(["check", "edited.csv", "--scenario", "s.toml"])
        .assert()
        .success();
}

/// A text as the CSV writer quotes it.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[test]
fn reasons_reach_the_list_workbook_and_the_one_plant_sheets() {
    use calamine::{open_workbook, Reader, Xlsx};
    let c = city();
    jianpai()
        .current_dir(&c.root)
        .args(["report", "p", "--out", "r"])
        .assert()
        .success();
    // The list workbook reads back with its reasons (from 备注): check passes.
    jianpai()
        .current_dir(&c.root)
        .args(["check", "r/应急减排清单.xlsx", "--scenario", "s.toml"])
        .assert()
        .success();
    // Chinese report of an English plan: reasons are the plan's words.
    let reasoned = c.rows.iter().find(|r| !r.reason.is_empty()).unwrap();
    let mut wb: Xlsx<_> = open_workbook(c.root.join("r/一厂一策.xlsx")).unwrap();
    let mut found = false;
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        let header = range
            .rows()
            .any(|row| row.iter().any(|x| text(x) == "加严理由（严于最低要求时）"));
        let has = range
            .rows()
            .any(|row| row.iter().any(|x| text(x) == reasoned.reason));
        found |= header && has;
    }
    assert!(found, "reason of {reasoned:?} not in the 一厂一策 sheets");
}

/// The text of a workbook cell (empty for other cells).
fn text(x: &calamine::Data) -> &str {
    match x {
        calamine::Data::String(s) => s,
        _ => "",
    }
}

fn explain_json(args: &[&str]) -> Value {
    let c = city();
    let out = jianpai()
        .current_dir(&c.root)
        .args(["--lang", "en", "explain", "p", "--format", "json"])
        .args(args)
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// Reduced cost of an option from the explanation's own numbers, with one row's dual replaced.
fn reduced_cost(level: &Value, option: &Value, replace: Option<(&str, f64)>) -> f64 {
    let mut rc = option["season_loss"].as_f64().unwrap();
    for p in level["prices"].as_array().unwrap() {
        let mut dual = p["dual"].as_f64().unwrap();
        if let Some((row, d)) = replace {
            if p["row"] == row {
                dual = d;
            }
        }
        let key = p["pollutant"].as_str().unwrap().to_lowercase();
        rc -= dual * option["cut"][key.as_str()].as_f64().unwrap();
    }
    rc
}

#[test]
fn explained_choices_are_cheapest_or_forced_and_break_even_prices_tie() {
    let c = city();
    let firms: BTreeSet<&str> = c.rows.iter().map(|r| r.code.as_str()).collect();
    let (mut free, mut flips, mut integer, mut forced) = (0, 0, 0, BTreeSet::new());
    for firm in firms {
        let e = explain_json(&["--code", firm]);
        assert_eq!(e["status"], "optimal");
        assert_eq!(e["priced"], true);
        for line in e["lines"].as_array().unwrap() {
            for lv in line["levels"].as_array().unwrap() {
                let options = lv["options"].as_array().unwrap();
                let chosen = options.iter().find(|o| o["chosen"] == true).unwrap();
                assert_eq!(chosen["code"], lv["chosen"]);
                for o in options {
                    let rc = reduced_cost(lv, o, None);
                    let stated = o["reduced_cost"].as_f64().unwrap();
                    assert!((rc - stated).abs() < 1e-6 * (1.0 + rc.abs()), "{o}");
                }
                let least = options
                    .iter()
                    .map(|o| o["reduced_cost"].as_f64().unwrap())
                    .fold(f64::INFINITY, f64::min);
                let own = chosen["reduced_cost"].as_f64().unwrap();
                match lv["forced"]["kind"].as_str() {
                    None => {
                        free += 1;
                        assert!(own <= least + 1e-7 * (1.0 + own.abs()), "{lv}");
                    }
                    Some("integer") => {
                        // Whole measures where the LP takes a fraction of a step: only on
                        // lines serving priced targets, and few (counted below).
                        assert!(own > least, "{lv}");
                        assert_eq!(lv["reason"]["kind"], "target", "{lv}");
                        integer += 1;
                    }
                    Some(k) => {
                        assert!(
                            ["rule", "decision", "stop_lines", "nesting"].contains(&k),
                            "{k}: {lv}"
                        );
                        forced.insert(k.to_string());
                    }
                }
                let Some(next) = lv["next_best"].as_object() else {
                    continue;
                };
                let n = options.iter().find(|o| o["code"] == next["code"]).unwrap();
                let margin = next["margin"].as_f64().unwrap();
                let gap = reduced_cost(lv, n, None) - reduced_cost(lv, chosen, None);
                assert!((gap - margin).abs() < 1e-6 * (1.0 + gap.abs()), "{lv}");
                let (Some(row), Some(be)) = (
                    next["binding_row"].as_str(),
                    next["break_even_dual"].as_f64(),
                ) else {
                    continue;
                };
                let at = |o: &Value| reduced_cost(lv, o, Some((row, be)));
                let (a, b) = (at(chosen), at(n));
                assert!(
                    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs())),
                    "break-even {be} on {row} does not tie: {a} vs {b}: {lv}"
                );
                flips += 1;
            }
        }
    }
    assert!(free > 50 && flips > 50, "free {free}, flips {flips}");
    // A basic LP solution leaves at most one line fractional per binding row, and a line's
    // fractional triple spans its three levels.
    let binding = summary_binding_rows(&c.root.join("p"));
    assert!(
        integer <= 3 * binding,
        "{integer} rounded levels, {binding} priced rows"
    );
    assert!(forced.contains("nesting"), "{forced:?}");
}

/// Target rows with a positive price in a plan's summary.
fn summary_binding_rows(dir: &Path) -> usize {
    let s: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    s["solver"]["duals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d.as_f64().unwrap() > 1e-9)
        .count()
}

#[test]
fn json_and_text_tell_the_same_story() {
    let c = city();
    let line = c
        .rows
        .iter()
        .find(|r| r.reason.starts_with("serves the targets"))
        .unwrap()
        .line
        .clone();
    let e = explain_json(&["--line", &line]);
    let text = jianpai()
        .current_dir(&c.root)
        .args(["explain", "p", "--line", &line])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).to_string();
    assert!(text.contains(&format!("生产线 {line}")), "{text}");
    let l = &e["lines"][0];
    assert_eq!(l["line_id"], line.as_str());
    for lv in l["levels"].as_array().unwrap() {
        assert!(
            text.contains(&format!("选定 {}", lv["chosen"].as_str().unwrap())),
            "{text}"
        );
        if let Some(n) = lv["next_best"].as_object() {
            let margin = n["margin"].as_f64().unwrap();
            let m = format!(
                "次优 {}：约化成本{} {:.4} 万元",
                n["code"].as_str().unwrap(),
                if margin >= 0.0 { "高" } else { "低" },
                margin.abs()
            );
            assert!(text.contains(&m), "{m} not in {text}");
            if let Some(be) = n["break_even_dual"].as_f64() {
                assert!(text.contains(&format!("变为 {be:.4} 万元/(t/d)")), "{text}");
            }
        }
        for o in lv["options"].as_array().unwrap() {
            assert!(
                text.contains(&format!("{:.4}", o["reduced_cost"].as_f64().unwrap())),
                "{o} not in {text}"
            );
        }
    }
    // The Chinese text carries the Chinese reason, the same as plan.csv in Chinese would.
    assert!(text.contains("加严理由：为满足"), "{text}");
}

#[test]
fn unknown_lines_and_codes_are_clear_errors_and_help_is_there() {
    let c = city();
    let run = |args: &[&str]| {
        jianpai()
            .current_dir(&c.root)
            .arg("explain")
            .args(args)
            .assert()
    };
    let err =
        |a: assert_cmd::assert::Assert| String::from_utf8_lossy(&a.get_output().stderr).to_string();
    let e = err(run(&["p", "--line", "L99999-01"]).code(3));
    assert!(e.contains("E521") && e.contains("L99999-01"), "{e}");
    let e = err(run(&["p", "--code", "91320200MA1XXXXXX0"]).code(3));
    assert!(
        e.contains("E522") && e.contains("91320200MA1XXXXXX0"),
        "{e}"
    );
    let e = err(run(&["p"]).code(2));
    assert!(e.contains("--line") && e.contains("--code"), "{e}");
    let out = run(&["--help"]).success();
    let help = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        help.contains("break") || help.contains("next-best"),
        "{help}"
    );
    assert!(help.contains("--format"), "{help}");
}

#[test]
fn a_decision_is_the_reason_of_the_measure_it_forces() {
    let c = city();
    // A line at its minimum at orange: fix it at a stop there.
    let r = c
        .rows
        .iter()
        .find(|r| {
            r.level == "orange"
                && r.note.is_empty()
                && r.reason.is_empty()
                && limit(&r.measure).is_some_and(|m| m > 0.0 && m < 1.0)
        })
        .expect("a line at its minimum at orange");
    std::fs::write(
        c.root.join("d.csv"),
        format!(
            "line_id,credit_code,level,measure,mode,reason\n{},,orange,S,at_least,区政府要求该线橙色停产\n",
            r.line
        ),
    )
    .unwrap();
    jianpai()
        .current_dir(&c.root)
        .args([
            "plan",
            "s.toml",
            "--out",
            "pd",
            "--gap",
            "0",
            "--decisions",
            "d.csv",
        ])
        .assert()
        .success();
    let plan = std::fs::read_to_string(c.root.join("pd/plan.csv")).unwrap();
    let row = plan
        .lines()
        .find(|l| l.starts_with(&format!("{},", r.line)) && l.contains(",橙色,"))
        .unwrap();
    assert!(row.contains("区政府要求该线橙色停产"), "{row}");
    let out = jianpai()
        .current_dir(&c.root)
        .args([
            "--lang",
            "en",
            "explain",
            "pd",
            "--line",
            &r.line,
            "--decisions",
            "d.csv",
            "--format",
            "json",
        ])
        .assert()
        .success();
    let e: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let orange = &e["lines"][0]["levels"][1];
    assert_eq!(orange["reason"]["kind"], "decision", "{orange}");
}
