//! `jianpai audit --out` → `jianpai report`: the inspectors' report (核查报告, issue 17).

mod common;

use assert_cmd::Command;
use calamine::{open_workbook_auto, Data, Reader};
use serde_json::Value;
use std::path::Path;

const WINDOW: &str = "2021-12-22T00:00..2021-12-25T00:00";

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

fn run(dir: &Path, args: &[&str]) {
    jianpai()
        .current_dir(dir)
        .arg("--quiet")
        .args(args)
        .assert()
        .success();
}

fn rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut wb = open_workbook_auto(path).unwrap();
    let r = wb.worksheet_range(sheet).unwrap();
    r.rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    _ => String::new(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn audit_result_becomes_the_inspectors_report() {
    let (_tmp, d) = common::small_city_dir(0.25, |s| s);
    run(&d, &["plan", "s.toml", "--out", "plan"]);
    run(
        &d,
        &[
            "seeds",
            "meters",
            "--plan",
            "plan",
            "--cheaters",
            "8",
            "--seed",
            "3",
            "--out",
            "m.csv",
        ],
    );
    let audit = |out: &str| {
        run(
            &d,
            &[
                "audit", "--plan", "plan", "--meter", "m.csv", "--level", "orange", "--window",
                WINDOW, "--out", out,
            ],
        )
    };
    audit("a");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("a/audit.json")).unwrap()).unwrap();
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("a/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["kind"], "audit");
    let lines = json["lines"].as_array().unwrap();
    assert!(!lines.is_empty());
    let csv = std::fs::read_to_string(d.join("a/audit.csv")).unwrap();
    assert_eq!(csv.lines().count(), lines.len() + 1, "{csv}");

    run(&d, &["report", "a", "--out", "r"]);
    let book = d.join("r/核查报告.xlsx");
    let sheet = rows(&book, "核查报告");
    let head = sheet
        .iter()
        .position(|r| r[0] == "区县")
        .expect("header row");
    assert_eq!(
        sheet[head],
        [
            "区县",
            "企业名称",
            "统一社会信用代码",
            "生产线",
            "措施",
            "核查结论",
            "依据来源",
            "关键数值",
            "用电监控",
            "在线监测",
            "工况监控",
            "门禁记录",
            "说明"
        ]
    );
    let body = &sheet[head + 1..];
    assert_eq!(body.len(), lines.len(), "one row per audited line");
    // Sorted by severity (worst first), then district and enterprise.
    let rank = |v: &str| {
        ["疑似未落实", "数据不足", "用电无法核查", "合规"]
            .iter()
            .position(|x| *x == v)
            .unwrap_or_else(|| panic!("verdict {v}"))
    };
    let keys: Vec<(usize, &str, &str)> = body
        .iter()
        .map(|r| (rank(&r[5]), r[0].as_str(), r[1].as_str()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(keys[0].0, 0, "a cheater is flagged and listed first");
    // A known cheater (from the meters' truth) that the audit flagged says 疑似未落实.
    let truth = std::fs::read_to_string(d.join("m.truth.csv")).unwrap();
    let cheaters: Vec<String> = truth
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
        .filter(|r| r[2] != "compliant")
        .map(|r| r[1].clone())
        .collect();
    let caught = lines
        .iter()
        .find(|l| {
            l["verdict"] == "likely_non_compliant"
                && cheaters.contains(&l["line_id"].as_str().unwrap().to_string())
        })
        .expect("a cheater caught");
    let row = body
        .iter()
        .find(|r| r[3] == caught["line_name"] && r[2] == caught["credit_code"])
        .unwrap();
    assert_eq!(row[5], "疑似未落实", "{row:?}");
    assert!(row[7].contains("要求用电比例"), "{row:?}");
    let firms = rows(&book, "企业汇总");
    let n = json["enterprises"].as_array().unwrap().len();
    let fh = firms.iter().position(|r| r[0] == "区县").unwrap();
    assert_eq!(firms.len() - fh - 1, n);

    let html = std::fs::read_to_string(d.join("r/报告.html")).unwrap();
    assert!(html.contains("核查报告") && html.contains("企业汇总"));
    assert!(html.contains(caught["enterprise"].as_str().unwrap()));

    // Same input, same bytes (audit folder and report).
    audit("a2");
    for f in ["audit.json", "audit.csv", "summary.json"] {
        assert_eq!(
            std::fs::read(d.join("a").join(f)).unwrap(),
            std::fs::read(d.join("a2").join(f)).unwrap(),
            "{f}"
        );
    }
    run(&d, &["report", "a2", "--out", "r2"]);
    for f in ["核查报告.xlsx", "报告.html"] {
        assert_eq!(
            std::fs::read(d.join("r").join(f)).unwrap(),
            std::fs::read(d.join("r2").join(f)).unwrap(),
            "{f}"
        );
    }

    // A damaged audit.json is invalid input (exit 3) naming the file; --out onto an input is
    // refused and leaves it alone.
    std::fs::write(d.join("a2/audit.json"), "{").unwrap();
    let a = jianpai()
        .current_dir(&d)
        .args(["report", "a2", "--out", "r3"])
        .assert()
        .code(3);
    let e = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(e.contains("audit.json"), "{e}");
    let plan_before = std::fs::read(d.join("plan/plan.csv")).unwrap();
    jianpai()
        .current_dir(&d)
        .args([
            "audit", "--plan", "plan", "--meter", "m.csv", "--level", "orange", "--window", WINDOW,
            "--out", "plan",
        ])
        .assert()
        .code(3);
    assert_eq!(std::fs::read(d.join("plan/plan.csv")).unwrap(), plan_before);

    // English.
    run(&d, &["--lang", "en", "report", "a", "--out", "re"]);
    let en = rows(&d.join("re/audit-report.xlsx"), "Inspection report");
    assert!(en.iter().any(|r| r[5] == "likely non-compliant"));
    assert!(d.join("re/report.html").is_file());
}
