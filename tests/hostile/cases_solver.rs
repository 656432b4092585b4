//! Hostile cases: solver and model export. The exported model must be standard (quoted MPS
//! markers, names without spaces, at most 100 bytes, unique) and solved by a second solver (CBC)
//! to the plan's objective, in both formulations; solver statuses are never guessed (a tiny time
//! limit is `time_limit`, never `optimal`); numbers no solver can hold are refused by name.

use super::{Case, Outcome, Work};
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_jianpai");

/// Replace every occurrence of `from` in a file of the work folder.
fn replace_all(w: &Work, rel: &str, from: &str, to: &str) {
    let text = w.read(rel);
    assert!(text.contains(from), "{rel} does not contain {from:?}");
    w.write(rel, text.replace(from, to));
}

/// Edit every data row of a CSV file: `f` gets the header and the row's cells.
fn edit_rows(w: &Work, rel: &str, f: impl Fn(&[&str], &mut Vec<String>)) {
    let text = w.read(rel);
    let mut lines = text.lines();
    let header_line = lines.next().unwrap().to_string();
    let header: Vec<&str> = header_line.split(',').collect();
    let mut out = vec![header_line.clone()];
    for line in lines {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        f(&header, &mut cells);
        out.push(cells.join(","));
    }
    w.write(rel, out.join("\n") + "\n");
}

/// Put `value` in `column` of every line, each line running at its approved capacity (so that
/// its baseline is the figure as written).
fn every_line(w: &Work, column: &str, value: &str) {
    edit_rows(w, "city/lines.csv", |h, cells| {
        let at = |name: &str| h.iter().position(|c| *c == name).unwrap();
        cells[at(column)] = value.to_string();
        cells[at("许可产能")] = cells[at("核定产能")].clone();
        cells[at("上年日均产量")] = String::new();
        cells[at("状态")] = "在产".into();
    });
}

/// The first district of the fixture city (as written in districts.csv).
fn first_district(w: &Work) -> String {
    let text = w.read("city/districts.csv");
    let row = text.lines().nth(1).expect("a district row");
    row.split(',').next().unwrap().to_string()
}

/// Rename the `n`-th line (from 1) in lines.csv and options.csv (line ids name model columns).
fn rename_line(w: &Work, n: usize, to: &str) {
    let text = w.read("city/lines.csv");
    let row = text.lines().nth(n).expect("a line row");
    let id = row.split(',').next().unwrap().to_string();
    replace_all(
        w,
        "city/lines.csv",
        &format!("\n{id},"),
        &format!("\n{to},"),
    );
    let options = w.read("city/options.csv");
    if options.contains(&format!("\n{id},")) {
        replace_all(
            w,
            "city/options.csv",
            &format!("\n{id},"),
            &format!("\n{to},"),
        );
    }
}

/// The plan's objective from a summary.json.
fn summary_objective(w: &Work, out: &str) -> Result<f64, String> {
    let text = std::fs::read_to_string(w.path(out).join("summary.json"))
        .map_err(|e| format!("{out}/summary.json: {e}"))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    v["objective"]
        .as_f64()
        .ok_or_else(|| format!("no objective in {out}/summary.json"))
}

/// Solve a model file with CBC: `Ok(Some(objective))`, `Ok(None)` when infeasible, or the log.
/// Without `cbc` (only allowed outside CI) the check is skipped with a notice.
fn cbc(path: &Path) -> Option<Result<Option<f64>, String>> {
    let run = Command::new("cbc")
        .arg(path)
        .args(["sec", "60", "ratioGap", "0", "solve"])
        .output();
    let Ok(out) = run else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "cbc is missing (scripts/setup-system.sh installs coinor-cbc)"
        );
        eprintln!("NOTICE: cbc not found, export round trip not checked");
        return None;
    };
    let log = String::from_utf8_lossy(&out.stdout).to_string();
    let unread = ["Bad image", "Invalid", "illegal"]
        .iter()
        .any(|b| log.contains(b))
        || (log.contains(" read with ") && !log.contains(" read with 0 errors"));
    if unread {
        return Some(Err(format!("CBC could not read {}: {log}", path.display())));
    }
    if log.contains("infeasible") && !log.contains("Result - Optimal") {
        return Some(Ok(None));
    }
    if !log.contains("Result - Optimal solution found") {
        return Some(Err(format!("CBC found no optimum: {log}")));
    }
    let value = log
        .lines()
        .find_map(|l| l.strip_prefix("Objective value:"))
        .and_then(|v| v.trim().parse().ok());
    Some(
        value
            .map(Some)
            .ok_or_else(|| format!("no objective in CBC's log: {log}")),
    )
}

/// CBC reproduces the plan's objective (to the plan's gap of 1e-4, plus rounding) from `model`.
fn cbc_matches(
    model: &'static str,
    out: &'static str,
) -> impl Fn(&Work, &Outcome) -> Result<(), String> {
    move |w, _| {
        let plan = summary_objective(w, out)?;
        match cbc(&w.path(model)) {
            None => Ok(()),
            Some(Err(e)) => Err(e),
            Some(Ok(None)) => Err(format!(
                "CBC says {model} is infeasible; the plan has {plan}"
            )),
            Some(Ok(Some(v))) if (v - plan).abs() <= 2e-4 * plan.abs().max(1.0) => Ok(()),
            Some(Ok(Some(v))) => Err(format!(
                "CBC optimum {v} of {model} ≠ plan objective {plan}"
            )),
        }
    }
}

/// The MPS file uses the standard quoted markers and no name holds a space.
fn standard_mps(model: &'static str) -> impl Fn(&Work, &Outcome) -> Result<(), String> {
    move |w, _| {
        let text = std::fs::read_to_string(w.path(model)).map_err(|e| e.to_string())?;
        for needle in ["'MARKER'", "'INTORG'", "'INTEND'", "ENDATA"] {
            if !text.contains(needle) {
                return Err(format!("{model} lacks {needle}"));
            }
        }
        if text.contains("MARKER MARKER") {
            return Err(format!("{model} has unquoted markers"));
        }
        let mut section = "";
        for line in text.lines() {
            if !line.starts_with(' ') {
                section = if line.starts_with('*') { section } else { line };
                continue;
            }
            let fields = line.split_whitespace().count();
            let max = if section == "ROWS" { 2 } else { 3 };
            if fields > max || line.split_whitespace().any(|f| f.len() > 100) {
                return Err(format!("{model}: malformed {section} line {line:?}"));
            }
        }
        Ok(())
    }
}

/// A file of the work folder contains a fragment.
fn file_says(
    rel: &'static str,
    fragment: &'static str,
) -> impl Fn(&Work, &Outcome) -> Result<(), String> {
    move |w, _| {
        let text = std::fs::read_to_string(w.path(rel)).map_err(|e| format!("{rel}: {e}"))?;
        text.contains(fragment)
            .then_some(())
            .ok_or_else(|| format!("{rel} lacks {fragment:?}"))
    }
}

/// summary.json's status keyword is `want`.
fn status_is(
    out: &'static str,
    want: &'static str,
) -> impl Fn(&Work, &Outcome) -> Result<(), String> {
    move |w, _| {
        let text = std::fs::read_to_string(w.path(out).join("summary.json"))
            .map_err(|e| format!("{out}/summary.json: {e}"))?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        (v["status"] == want)
            .then_some(())
            .ok_or_else(|| format!("status {} ≠ {want}", v["status"]))
    }
}

/// Every target row the summary calls met shows achieved ≥ required (as written).
fn met_rows_consistent(out: &'static str) -> impl Fn(&Work, &Outcome) -> Result<(), String> {
    move |w, _| {
        let text = std::fs::read_to_string(w.path(out).join("summary.json"))
            .map_err(|e| format!("{out}/summary.json: {e}"))?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let mut n = 0;
        for level in v["levels"].as_object().into_iter().flatten() {
            for (_, t) in level.1["city"].as_object().into_iter().flatten() {
                n += 1;
                let (a, r) = (t["achieved"].as_f64(), t["required"].as_f64());
                if t["met"] == true && a < r {
                    return Err(format!(
                        "{}: met with achieved {a:?} < required {r:?}",
                        t["row"]
                    ));
                }
            }
        }
        (n == 12)
            .then_some(())
            .ok_or(format!("{n} city rows, 12 expected"))
    }
}

/// A limit ladder of `n` steps for `[options] limits`.
fn ladder(n: usize) -> String {
    let steps: Vec<String> = (1..=n)
        .map(|i| format!("{:.4}", i as f64 / (n + 1) as f64))
        .collect();
    format!("[{}]", steps.join(", "))
}

fn export_cases() -> Vec<Case> {
    let mut v = Vec::new();
    for (form, ext) in [
        ("compact", "mps"),
        ("compact", "lp"),
        ("triples", "mps"),
        ("triples", "lp"),
    ] {
        let model: &'static str = if ext == "mps" { "m.mps" } else { "m.lp" };
        let mut c = Case::new(
            format!("solver/export/{form}-{ext}-round-trip-with-cbc"),
            &[
                "plan",
                "s.toml",
                "--out",
                "o",
                "--write-model",
                model,
                "--model-form",
                form,
            ],
        )
        .exit(0)
        .after(cbc_matches(model, "o"));
        if ext == "mps" {
            c = c.after(standard_mps(model));
        }
        v.push(c);
    }
    v.push(
        Case::new(
            "solver/export/upper-case-extension",
            &["plan", "s.toml", "--out", "o", "--write-model", "M.MPS"],
        )
        .exit(0)
        .after(standard_mps("M.MPS"))
        .after(cbc_matches("M.MPS", "o")),
    );
    v.push(
        Case::new(
            "solver/export/row-names-from-the-registry",
            &["plan", "s.toml", "--out", "o", "--write-model", "m.mps"],
        )
        .exit(0)
        .after(file_says("m.mps", " G target:orange:NOx:city"))
        .after(file_says("m.mps", " E choose:red:"))
        .after(file_says("m.mps", " G nest:yellow:orange:")),
    );
    v.push(
        Case::new(
            "solver/export/lp-names-without-colons",
            &["plan", "s.toml", "--out", "o", "--write-model", "m.lp"],
        )
        .exit(0)
        .after(file_says("m.lp", " target.orange.NOx.city:"))
        .after(file_says("m.lp", "\nBinary\n")),
    );
    v.push(
        Case::new(
            "solver/export/into-a-missing-folder",
            &[
                "plan",
                "s.toml",
                "--out",
                "o",
                "--write-model",
                "new/deeper/m.mps",
            ],
        )
        .exit(0)
        .after(standard_mps("new/deeper/m.mps")),
    );
    v.push(
        Case::new(
            "solver/export/below-a-file",
            &[
                "plan",
                "s.toml",
                "--out",
                "o",
                "--write-model",
                "s.toml/m.mps",
            ],
        )
        .exit(7)
        .says("s.toml"),
    );
    v.push(
        Case::new(
            "solver/export/onto-a-directory",
            &["plan", "s.toml", "--out", "o", "--write-model", "d.mps"],
        )
        .prepare(|w| std::fs::create_dir_all(w.path("d.mps/x")).unwrap())
        .exit(7)
        .says("d.mps"),
    );
    for (name, file) in [
        ("text-extension", "m.txt"),
        ("no-extension", "model"),
        ("dot-only", "m."),
    ] {
        v.push(
            Case::new(
                format!("solver/export/{name}"),
                &["plan", "s.toml", "--out", "o", "--write-model", file],
            )
            .exit(2)
            .says("--write-model")
            .says("use a .lp or .mps file name"),
        );
    }
    v.push(
        Case::new(
            "solver/export/unknown-model-form",
            &[
                "plan",
                "s.toml",
                "--out",
                "o",
                "--write-model",
                "m.mps",
                "--model-form",
                "cubes",
            ],
        )
        .exit(2)
        .says("--model-form"),
    );
    let long = "长名字生产线".repeat(7);
    let long: &'static str = Box::leak(long.into_boxed_str());
    for (name, line, ext) in [
        ("line-id-with-a-space-mps", "L 新 吴区", "mps"),
        ("line-id-with-a-space-lp", "L 新 吴区", "lp"),
        ("line-id-with-a-quote-mps", "L江'阴市", "mps"),
        ("line-id-with-lp-operators-lp", "a+b-c:d<e", "lp"),
        ("line-id-long-chinese-lp", long, "lp"),
        ("line-id-long-chinese-mps", long, "mps"),
    ] {
        let model: &'static str = if ext == "mps" { "m.mps" } else { "m.lp" };
        let mut c = Case::new(
            format!("solver/export/{name}"),
            &["plan", "s.toml", "--out", "o", "--write-model", model],
        )
        .prepare(move |w| {
            for n in 1..=3 {
                rename_line(w, n, &format!("{line}{n}"));
            }
        })
        .exit(0)
        .after(cbc_matches(model, "o"));
        if ext == "mps" {
            c = c.after(standard_mps(model));
        }
        v.push(c);
    }
    v.push(
        Case::new(
            "solver/export/line-ids-alike-stay-unique",
            &["plan", "s.toml", "--out", "o", "--write-model", "m.mps"],
        )
        .prepare(|w| {
            rename_line(w, 1, "甲 线");
            rename_line(w, 2, "甲_线");
        })
        .exit(0)
        .after(file_says("m.mps", " E choose:red:甲_线~2"))
        .after(standard_mps("m.mps"))
        .after(cbc_matches("m.mps", "o")),
    );
    v.push(
        Case::new(
            "solver/export/many-limit-steps-compact-stays-small",
            &["plan", "s.toml", "--out", "o", "--write-model", "m.mps"],
        )
        .prepare(|w| w.set_key(Some("options"), "limits", &ladder(24)))
        .exit(0)
        .after(|w, _| {
            let compact = std::fs::metadata(w.path("m.mps"))
                .map_err(|e| e.to_string())?
                .len();
            let out = Command::new(BIN)
                .args([
                    "plan",
                    "s.toml",
                    "--out",
                    "o2",
                    "--quiet",
                    "--write-model",
                    "t.mps",
                ])
                .args(["--model-form", "triples"])
                .current_dir(&w.root)
                .output()
                .map_err(|e| e.to_string())?;
            if !out.status.success() {
                return Err(String::from_utf8_lossy(&out.stderr).to_string());
            }
            let triples = std::fs::metadata(w.path("t.mps"))
                .map_err(|e| e.to_string())?
                .len();
            (compact * 5 < triples).then_some(()).ok_or(format!(
                "compact {compact} bytes vs triples {triples} bytes"
            ))
        })
        .after(cbc_matches("m.mps", "o")),
    );
    v.push(
        Case::new(
            "solver/export/infeasible-model-is-still-written",
            &["plan", "s.toml", "--out=o", "--write-model", "m.mps"],
        )
        .prepare(|w| w.set_key(Some("targets.red"), "so2", "0.99"))
        .exit(4)
        .says("缺口 shortfall")
        .after(standard_mps("m.mps"))
        .after(|w, _| match cbc(&w.path("m.mps")) {
            None | Some(Ok(None)) => Ok(()),
            Some(Ok(Some(v))) => Err(format!("CBC solved an infeasible model to {v}")),
            Some(Err(e)) => Err(e),
        }),
    );
    v
}

fn status_cases() -> Vec<Case> {
    let mut v = Vec::new();
    // Exit 8 writes the best plan, exit 4 a summary with the shortfall, by design: these runs
    // name their folder as `--out=…` (the runner's unchanged-folder check is for failures).
    for (name, limit) in [("time-limit-1ms", "0.001"), ("time-limit-10us", "0.00001")] {
        v.push(
            Case::new(
                format!("solver/status/{name}"),
                &["plan", "s.toml", "--out=o", "--time-limit", limit],
            )
            // Targets the cheapest options miss, so that no first bound closes the gap.
            .prepare(|w| {
                for p in ["so2", "nox", "pm", "vocs"] {
                    w.set_key(Some("targets.red"), p, "0.15");
                    w.set_key(Some("targets.orange"), p, "0.1");
                }
            })
            .exit(8)
            .says("达到时间上限")
            .says_not("最优解（已证明）")
            .after(status_is("o", "time_limit")),
        );
    }
    for (name, flag, value) in [
        ("time-limit-zero", "--time-limit", "0"),
        ("time-limit-negative", "--time-limit", "-1"),
        ("time-limit-nan", "--time-limit", "NaN"),
        ("gap-one", "--gap", "1"),
        ("gap-negative", "--gap", "-0.1"),
        ("gap-nan", "--gap", "nan"),
    ] {
        v.push(
            Case::new(
                format!("solver/flags/{name}"),
                &["plan", "s.toml", "--out", "o", &format!("{flag}={value}")],
            )
            .exit(2)
            .says("--time-limit must be > 0, --gap in [0, 1)"),
        );
    }
    for (name, flag, value, status) in [
        ("gap-just-below-one", "--gap", "0.999999", "gap_limit"),
        ("gap-zero", "--gap", "0", "optimal"),
        ("gap-tiny", "--gap", "1e-300", "optimal"),
        ("time-limit-huge", "--time-limit", "1e300", "optimal"),
        ("time-limit-infinite", "--time-limit", "inf", "optimal"),
    ] {
        v.push(
            Case::new(
                format!("solver/flags/{name}"),
                &["plan", "s.toml", "--out", "o", flag, value],
            )
            .exit(0)
            .after(move |w, o| {
                let ok = status_is("o", status)(w, o);
                // A loose gap may still be closed to optimality.
                if status == "gap_limit" && ok.is_err() {
                    return status_is("o", "optimal")(w, o);
                }
                ok
            })
            .after(met_rows_consistent("o")),
        );
    }
    v.push(
        Case::new(
            "solver/status/infeasible-targets-explained",
            &["plan", "s.toml", "--out=o"],
        )
        .prepare(|w| w.set_key(Some("targets.orange"), "pm", "0.98"))
        .exit(4)
        .says("target:orange:PM:city")
        .says("缺口 shortfall"),
    );
    v.push(
        Case::new(
            "solver/status/infeasible-district-target-explained",
            &["plan", "s.toml", "--out=o"],
        )
        .prepare(|w| {
            let d = first_district(w);
            w.set_key(Some("districts"), "enforce", "true");
            w.append(
                "s.toml",
                &format!("\n[districts.ratios.\"{d}\".red]\nnox = 0.99\n"),
            );
        })
        .exit(4)
        .says("target:red:NOx:")
        .says("缺口 shortfall"),
    );
    v.push(
        Case::new(
            "solver/status/met-rows-never-below-required",
            &["plan", "s.toml", "--out", "o", "--quiet"],
        )
        .exit(0)
        .after(met_rows_consistent("o")),
    );
    v.push(
        Case::new(
            "solver/status/greedy-met-rows-never-below-required",
            &[
                "plan", "s.toml", "--out", "o", "--quiet", "--method", "greedy",
            ],
        )
        .exit(0)
        .after(met_rows_consistent("o")),
    );
    v.push(
        Case::new(
            "solver/status/empty-city-after-filter",
            &["plan", "s.toml", "--out=o"],
        )
        .prepare(|w| {
            let code = w.read("city/enterprises.csv");
            let codes: Vec<String> = code
                .lines()
                .skip(1)
                .map(|r| format!("\"{}\"", r.split(',').next().unwrap()))
                .collect();
            w.append(
                "s.toml",
                &format!("\n[filter]\nexclude = [{}]\n", codes.join(", ")),
            );
        })
        .exit(4)
        .says("清单最多 lines at most 0.000"),
    );
    v
}

/// Numbers no solver can hold: refused by name with exit 3, never a crash or an "Unknown" that
/// passes for a time limit.
fn number_cases() -> Vec<Case> {
    let mut v = Vec::new();
    let columns = [
        ("so2", "二氧化硫(t/d)"),
        ("nox", "氮氧化物(t/d)"),
        ("pm", "颗粒物(t/d)"),
        ("vocs", "挥发性有机物(t/d)"),
        ("output-value", "日产值(万元)"),
    ];
    for (key, column) in columns {
        for value in ["1e16", "1e300"] {
            v.push(
                Case::new(
                    format!("solver/numbers/{key}-{value}"),
                    &["plan", "s.toml", "--out", "o", "--write-model", "m.mps"],
                )
                .prepare(move |w| every_line(w, column, value))
                .exit(3)
                .says(value)
                .says_not("最优解")
                .after(|w, _| {
                    (!w.path("m.mps").exists())
                        .then_some(())
                        .ok_or("a model was written for numbers no solver can hold".to_string())
                }),
            );
        }
    }
    v
}

pub fn cases() -> Vec<Case> {
    let mut v = export_cases();
    v.extend(status_cases());
    v.extend(number_cases());
    v
}
