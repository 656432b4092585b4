//! Planners' decisions (issue 13 item 1): fixed and bounded measures are honoured by the optimiser,
//! verified by `check`, priced in the summary, and conflicts with the rules are explained.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

/// A plan row read from an English-header plan.csv.
#[derive(Debug, Clone)]
struct Row {
    line: String,
    code: String,
    level: String,
    measure: String,
    note: String,
}

fn read_plan(dir: &Path) -> Vec<Row> {
    let mut r = csv::Reader::from_path(dir.join("plan.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| {
        h.iter()
            .position(|x| x.trim_start_matches('\u{feff}') == name)
            .unwrap_or_else(|| panic!("no column {name}: {h:?}"))
    };
    let (li, ci, le, me, no) = (
        col("line_id"),
        col("credit_code"),
        col("level"),
        col("measure_code"),
        col("note"),
    );
    r.records()
        .map(|x| {
            let x = x.unwrap();
            Row {
                line: x[li].to_string(),
                code: x[ci].to_string(),
                level: x[le].to_string(),
                measure: x[me].to_string(),
                note: x[no].to_string(),
            }
        })
        .collect()
}

/// A generated city, a scenario on it and its plan without decisions (made once).
struct City {
    _dir: tempfile::TempDir,
    root: PathBuf,
    free: Vec<Row>,
    free_loss: f64,
}

fn city() -> &'static City {
    static CITY: OnceLock<City> = OnceLock::new();
    CITY.get_or_init(|| {
        let (dir, root) = common::small_city_dir(0.25, |s| s);
        plan(&root, "s.toml", "free", None).success();
        let free = read_plan(&root.join("free"));
        let free_loss = objective(&root.join("free"));
        City {
            _dir: dir,
            root,
            free,
            free_loss,
        }
    })
}

fn plan(
    root: &Path,
    scenario: &str,
    out: &str,
    decisions: Option<&str>,
) -> assert_cmd::assert::Assert {
    let mut c = jianpai();
    c.current_dir(root)
        .args(["--lang", "en", "plan", scenario, "--out", out, "--gap", "0"]);
    if let Some(d) = decisions {
        c.args(["--decisions", d]);
    }
    c.assert()
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

fn objective(dir: &Path) -> f64 {
    summary(dir)["objective"].as_f64().unwrap()
}

const HEADER: &str = "line_id,credit_code,level,measure,mode,reason\n";

/// A controllable line not stopped at red in the free plan (no exemption, no guarantee floor).
fn free_line() -> &'static Row {
    city()
        .free
        .iter()
        .find(|r| {
            r.level == "red"
                && !r.measure.starts_with('S')
                && r.note.is_empty()
                && !r.measure.starts_with('V')
        })
        .expect("a controllable line that runs at red")
}

fn work(name: &str, decisions: &str) -> PathBuf {
    let root = &city().root;
    std::fs::write(root.join(name), decisions).unwrap();
    root.join(name)
}

#[test]
fn a_fixed_stop_is_honoured_checked_noted_and_priced() {
    let c = city();
    let line = free_line();
    work(
        "fix.csv",
        &format!(
            "{HEADER}{},,red,S,fix,市政府协商：该线红色预警停产\n",
            line.line
        ),
    );
    plan(&c.root, "s.toml", "fixed", Some("fix.csv")).success();
    let rows = read_plan(&c.root.join("fixed"));
    let red = rows
        .iter()
        .find(|r| r.line == line.line && r.level == "red")
        .unwrap();
    assert!(red.measure.starts_with('S'), "{red:?}");
    assert!(
        red.note.contains("决策（第2行，锁定 S）：市政府协商"),
        "{}",
        red.note
    );
    // Every other line × level is still chosen by the optimiser; the loss can only rise.
    let with = objective(&c.root.join("fixed"));
    assert!(with >= c.free_loss - 1e-6, "{with} < {}", c.free_loss);
    let s = summary(&c.root.join("fixed"));
    let costs = s["decisions"].as_array().expect("decisions priced");
    assert_eq!(costs.len(), 2, "{costs:?}"); // all together + the one decision
    for k in costs {
        let without = k["loss_without"].as_f64().unwrap();
        assert!(
            (without - c.free_loss).abs() < 1e-6 * c.free_loss.max(1.0),
            "{k}"
        );
        let cost = k["cost"].as_f64().unwrap();
        assert!(
            (cost - (with - c.free_loss)).abs() < 1e-6 * with.max(1.0),
            "{k}"
        );
    }
    // The checker knows the decisions from the scenario: put them there and check.
    let text = std::fs::read_to_string(c.root.join("s.toml")).unwrap();
    std::fs::write(
        c.root.join("s-fix.toml"),
        text.replacen("inventory = ", "decisions = \"fix.csv\"\ninventory = ", 1),
    )
    .unwrap();
    jianpai()
        .current_dir(&c.root)
        .args(["check", "fixed", "--scenario", "s-fix.toml"])
        .assert()
        .success();
    // The free plan breaks the decision: check names it.
    jianpai()
        .current_dir(&c.root)
        .args(["check", "free", "--scenario", "s-fix.toml"])
        .assert()
        .code(6)
        .stderr(predicates::str::contains("决策第2行要求锁定 S"));
}

#[test]
fn at_most_and_at_least_bound_the_measure() {
    let c = city();
    // at_most V on every line of one enterprise whose lines are limited in the free plan would
    // break the rules for graded firms; instead bound a line's red measure from below by L50.
    let line = free_line();
    work(
        "least.csv",
        &format!("{HEADER}{},,red,L50,at_least,压减重点\n", line.line),
    );
    plan(&c.root, "s.toml", "least", Some("least.csv")).success();
    let red = read_plan(&c.root.join("least"))
        .into_iter()
        .find(|r| r.line == line.line && r.level == "red")
        .unwrap();
    let limit = if red.measure.starts_with('S') {
        100.0
    } else {
        red.measure
            .trim_start_matches('L')
            .split('+')
            .next()
            .unwrap()
            .parse::<f64>()
            .unwrap_or(0.0)
    };
    assert!(limit >= 50.0, "{red:?}");
    // at_most: the free plan's own measure as an upper bound changes nothing.
    let code = line.measure.split('+').next().unwrap();
    work(
        "most.csv",
        &format!("{HEADER}{},,red,{code},at_most,不高于现状\n", line.line),
    );
    plan(&c.root, "s.toml", "most", Some("most.csv")).success();
    assert!((objective(&c.root.join("most")) - c.free_loss).abs() < 1e-6 * c.free_loss.max(1.0));
}

#[test]
fn a_decision_against_the_rules_is_explained() {
    let c = city();
    // A line whose red rule minimum is above V: fixing V at red is below the rule minimum.
    let line = c
        .free
        .iter()
        .find(|r| r.level == "red" && !r.measure.starts_with('V') && r.note.is_empty())
        .unwrap();
    work(
        "below.csv",
        &format!("{HEADER}{},,*,V,fix,企业申请\n", line.line),
    );
    let out = plan(&c.root, "s.toml", "below", Some("below.csv"))
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    // Either the rule minimum forbids V (exit 4, named), or nesting/targets make it infeasible.
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("决策第2行") && err.contains(&line.line),
        "{err}"
    );
    assert!(!c.root.join("below/plan.csv").exists());
}

#[test]
fn enterprise_wide_decisions_bind_every_line() {
    let c = city();
    let line = free_line();
    work(
        "ent.csv",
        &format!(
            "line_id,credit_code,level,measure,mode,reason\n,{},orange,L20,at_least,集团统一\n",
            line.code
        ),
    );
    plan(&c.root, "s.toml", "ent", Some("ent.csv")).success();
    let rows = read_plan(&c.root.join("ent"));
    let mine: Vec<&Row> = rows
        .iter()
        .filter(|r| r.code == line.code && r.level == "orange")
        .collect();
    assert!(!mine.is_empty());
    for r in mine {
        assert!(r.note.contains("集团统一"), "{r:?}");
    }
}

#[test]
fn bad_decision_files_name_row_column_and_value() {
    let c = city();
    let line = &free_line().line;
    let cases: [(&str, String, &str); 5] = [
        (
            "unknown-line",
            format!("{HEADER}NOPE-1,,red,S,fix,x\n"),
            "E502",
        ),
        (
            "bad-measure",
            format!("{HEADER}{line},,red,Q7,fix,x\n"),
            "E023",
        ),
        (
            "bad-mode",
            format!("{HEADER}{line},,red,S,maybe,x\n"),
            "E504",
        ),
        (
            "bad-level",
            format!("{HEADER}{line},,purple,S,fix,x\n"),
            "E022",
        ),
        ("no-reason", format!("{HEADER}{line},,red,S,fix,\n"), "E004"),
    ];
    for (name, text, code) in cases {
        let f = format!("bad-{name}.csv");
        work(&f, &text);
        plan(&c.root, "s.toml", &format!("bad-{name}"), Some(&f))
            .code(3)
            .stderr(predicates::str::contains(code))
            .stderr(predicates::str::contains(f.as_str()));
    }
}

#[test]
fn an_edited_plan_keeps_exactly_the_edited_measures() {
    let c = city();
    let line = free_line();
    // The planner changes one measure code by hand and leaves the figures as they were.
    let text = std::fs::read_to_string(c.root.join("free/plan.csv")).unwrap();
    let mut edited = 0;
    let out: Vec<String> = text
        .lines()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            if cells.first() == Some(&line.line.as_str()) && l.contains(",red,") {
                edited += 1;
                l.replacen(&format!(",{},", line.measure), ",S,", 1)
            } else {
                l.to_string()
            }
        })
        .collect();
    assert_eq!(edited, 1);
    std::fs::write(c.root.join("edited.csv"), out.join("\n") + "\n").unwrap();
    plan(&c.root, "s.toml", "re-planned", Some("edited.csv")).success();
    let rows = read_plan(&c.root.join("re-planned"));
    let red = rows
        .iter()
        .find(|r| r.line == line.line && r.level == "red")
        .unwrap();
    assert!(red.measure.starts_with('S'), "{red:?}");
    assert!(red.note.contains("清单手工修改"), "{}", red.note);
    // Only that row is a decision: the summary prices one decision (plus the joint row).
    let s = summary(&c.root.join("re-planned"));
    assert_eq!(s["decisions"].as_array().unwrap().len(), 2);
    // The figures of the re-planned list are the model's own: check passes.
    jianpai()
        .current_dir(&c.root)
        .args([
            "check",
            "re-planned",
            "--scenario",
            "s.toml",
            "--decisions",
            "edited.csv",
        ])
        .assert()
        .success();
}

#[test]
fn decisions_that_cannot_nest_are_explained() {
    let c = city();
    let line = free_line();
    work(
        "nest.csv",
        &format!(
            "{HEADER}{l},,yellow,S,fix,a\n{l},,red,L50,at_most,b\n",
            l = line.line
        ),
    );
    plan(&c.root, "s.toml", "nest", Some("nest.csv"))
        .code(4)
        .stderr(predicates::str::contains("嵌套冲突"))
        .stderr(predicates::str::contains(line.line.as_str()));
}

#[test]
fn a_declared_option_that_cannot_nest_is_caught_before_solving() {
    // Declared options pass the rules-level checks; the line is left with no nested triple and
    // the planner is told which line, instead of a solver failure.
    let c = city();
    let options = std::fs::read_to_string(c.root.join("city/options.csv")).unwrap();
    let first: Vec<&str> = options
        .lines()
        .nth(1)
        .expect("an option row")
        .split(',')
        .collect();
    let (line, code) = (first[0], first[1]);
    work(
        "net.csv",
        &format!("{HEADER}{line},,yellow,S,fix,a\n{line},,red,D:{code},fix,b\n"),
    );
    plan(&c.root, "s.toml", "net", Some("net.csv"))
        .code(4)
        .stderr(predicates::str::contains("决策冲突"))
        .stderr(predicates::str::contains(line));
}
