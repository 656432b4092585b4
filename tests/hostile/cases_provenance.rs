//! Hostile cases: counted processes in whole-line stop shares (`SL50:熟料`, E023, E531),
//! `jianpai verify` against edited, removed and forged inputs and summaries (E532–E534),
//! `check --recompute` on edited and broken plans, and the list's `calendar` input (E535, E536).

use super::{Case, Work};

const GUIDE: &str = "rules/guide-2020.csv";
const CITY: &str = "rules/wuxi-city.csv";

/// Replace the cement C yellow measure of the shipped rules.
fn cement_c_yellow(w: &Work, measure: &str) {
    w.replace(
        GUIDE,
        "cement,C,yellow,SL50:熟料+T4,",
        &format!("cement,C,yellow,{measure},"),
    );
}

fn rules_cases() -> Vec<Case> {
    let mut v = Vec::new();
    // Malformed counted lists: each names the part and what is wrong.
    for (name, measure, says) in [
        ("empty-list", "SL50:", "names no counted process"),
        ("bars-only", "SL50:|", "names no counted process"),
        ("blank-names", "SL50: | ", "names no counted process"),
        ("zero-share", "SL0:熟料", "needs a percentage"),
        ("over-100", "SL101:熟料", "needs a percentage"),
        ("nan-share", "SLNaN:熟料", "needs a percentage"),
        ("inf-share", "SLinf:熟料", "needs a percentage"),
        ("no-share", "SL:熟料", "needs a percentage"),
        ("long-s", "ſL50:熟料", "unknown measure part"),
    ] {
        let m = measure.to_string();
        v.push(
            Case::new(
                format!("provenance/rules/{name}"),
                &["plan", "s.toml", "--out", "o"],
            )
            .prepare(move |w| cement_c_yellow(w, &m))
            .exit(3)
            .says("E023")
            .says(says),
        );
    }
    // One industry × grade counting different processes at different levels: E531 names the row.
    for (name, row) in [
        ("all-lines-at-orange", "cement,C,orange,SL50+T4,是,x"),
        ("mills-at-orange", "cement,C,orange,SL50:水泥粉磨+T4,是,x"),
        ("b-minus-red", "cement,B-,red,SL50+T4,是,x"),
    ] {
        let r = format!("{row}\n");
        v.push(
            Case::new(
                format!("provenance/rules/e531-{name}"),
                &["plan", "s.toml", "--out", "o"],
            )
            .prepare(move |w| w.append(CITY, &r))
            .exit(3)
            .says("E531")
            .says("wuxi-city.csv")
            .says("熟料"),
        );
    }
    // Counted processes in lower case and with spaces are still the rule's (the plan runs).
    v.push(
        Case::new(
            "provenance/rules/lower-case-sl",
            &["plan", "s.toml", "--out", "o", "--quiet"],
        )
        .prepare(|w| cement_c_yellow(w, "sl50: 熟料 +t4"))
        .exit(0),
    );
    v
}

/// The fixture's plan folder, as verify sees it.
fn verify_cases() -> Vec<Case> {
    let mut v = vec![
        Case::new("provenance/verify/all-match", &["verify", "plan"])
            .exit(0)
            .says("一致\tinventory.lines\t../city/lines.csv"),
    ];
    for table in ["districts", "enterprises", "lines", "options"] {
        let file = format!("city/{table}.csv");
        let f2 = file.clone();
        v.push(
            Case::new(
                format!("provenance/verify/changed-{table}"),
                &["verify", "plan"],
            )
            .prepare(move |w| w.append(&f2, "\n"))
            .exit(6)
            .says(format!("E533 已变更\tinventory.{table}\t../{file}")),
        );
        let f3 = file.clone();
        v.push(
            Case::new(
                format!("provenance/verify/missing-{table}"),
                &["verify", "plan"],
            )
            .prepare(move |w| std::fs::remove_file(w.path(&f3)).unwrap())
            .exit(6)
            .says(format!("E534 缺失\tinventory.{table}\t../{file}")),
        );
    }
    for (role, file) in [
        ("rules", GUIDE),
        ("rule_overrides", CITY),
        ("scenario", "s.toml"),
    ] {
        v.push(
            Case::new(
                format!("provenance/verify/changed-{role}"),
                &["verify", "plan", "--lang", "en"],
            )
            .prepare(move |w| w.append(file, "\n"))
            .exit(6)
            .says(format!("E533 changed\t{role}\t../{file}")),
        );
    }
    v.push(
        Case::new("provenance/verify/input-is-a-folder", &["verify", "plan"])
            .prepare(|w| {
                std::fs::remove_file(w.path(GUIDE)).unwrap();
                std::fs::create_dir(w.path(GUIDE)).unwrap();
            })
            .exit(6)
            .says("E534 缺失\trules"),
    );
    v.push(
        Case::new("provenance/verify/no-summary", &["verify", "city"])
            .exit(7)
            .says("summary.json"),
    );
    v.push(
        Case::new("provenance/verify/garbage-summary", &["verify", "plan"])
            .prepare(|w| w.write("plan/summary.json", "{not json"))
            .exit(3)
            .says("not valid JSON"),
    );
    for (name, value) in [
        ("number", "5"),
        (
            "no-inputs",
            "{\"tool\":\"jianpai\",\"version\":\"0\",\"command\":[]}",
        ),
        (
            "bad-input",
            "{\"tool\":\"jianpai\",\"version\":\"0\",\"command\":[],\"inputs\":[{\"role\":1}]}",
        ),
    ] {
        let value = value.to_string();
        v.push(
            Case::new(
                format!("provenance/verify/forged-{name}"),
                &["verify", "plan"],
            )
            .prepare(move |w| set_provenance(w, &value))
            .exit(3)
            .says("E532"),
        );
    }
    v.push(
        Case::new("provenance/verify/no-provenance", &["verify", "plan"])
            .prepare(|w| {
                let mut s: serde_json::Value =
                    serde_json::from_str(&w.read("plan/summary.json")).unwrap();
                s.as_object_mut().unwrap().remove("provenance");
                w.write("plan/summary.json", s.to_string());
            })
            .exit(3)
            .says("E532")
            .says("older version"),
    );
    // A forged path with terminal escapes is printed escaped, and is missing.
    v.push(
        Case::new("provenance/verify/escape-in-path", &["verify", "plan"])
            .prepare(|w| {
                set_provenance(
                    w,
                    "{\"tool\":\"jianpai\",\"version\":\"0\",\"command\":[],\"inputs\":[{\"role\":\"rules\",\"path\":\"x\\u001b[31m.csv\",\"blake3\":\"00\",\"bytes\":0}]}",
                )
            })
            .exit(6)
            .says("E534 缺失\trules"),
    );
    v
}

/// Replace the `provenance` of the fixture plan's summary with raw JSON.
fn set_provenance(w: &Work, value: &str) {
    let mut s: serde_json::Value = serde_json::from_str(&w.read("plan/summary.json")).unwrap();
    s["provenance"] = serde_json::from_str(value).unwrap();
    w.write("plan/summary.json", s.to_string());
}

/// Change the measure code of the first data row whose code is `from` (plan.csv, by CSV cells).
fn edit_code(w: &Work, from: &str, to: &str) {
    let text = w.read("plan/plan.csv");
    let needle = format!(",{from},");
    let line = text
        .lines()
        .skip(1)
        .find(|l| l.contains(&needle) && l.contains(",红色,"))
        .unwrap_or_else(|| panic!("no red row with {from}"))
        .to_string();
    w.replace(
        "plan/plan.csv",
        &line,
        &line.replacen(&needle, &format!(",{to},"), 1),
    );
}

fn recompute_cases() -> Vec<Case> {
    let args = &["check", "plan", "--scenario", "s.toml", "--recompute"];
    let mut v = Vec::new();
    // A stricter red measure: the figures follow the code and the plan passes.
    for (from, to) in [("L30+T4", "S+T4"), ("L20+T4", "L50+T4"), ("L20+T4", "S+T4")] {
        let (f, t) = (from.to_string(), to.to_string());
        v.push(
            Case::new(format!("provenance/recompute/{from}-to-{to}"), args)
                .prepare(move |w| edit_code(w, &f, &t))
                .exit(0)
                .says("重算：1 行"),
        );
    }
    // Without --recompute the same edit is a violation.
    v.push(
        Case::new(
            "provenance/recompute/plain-check-fails",
            &["check", "plan", "--scenario", "s.toml"],
        )
        .prepare(|w| edit_code(w, "L30+T4", "S+T4"))
        .exit(6)
        .says("cut-mismatch"),
    );
    // A code that is not a measure: nothing is written, the cell is named.
    v.push(
        Case::new("provenance/recompute/bad-code", args)
            .prepare(|w| edit_code(w, "L30+T4", "X9"))
            .exit(3)
            .says("E023")
            .says("X9")
            .after(|w, _| {
                if w.read("plan/plan.csv").contains(",X9,") {
                    Ok(())
                } else {
                    Err("the plan was rewritten".into())
                }
            }),
    );
    // An option the line does not have: left for check to report.
    v.push(
        Case::new("provenance/recompute/unknown-option", args)
            .prepare(|w| edit_code(w, "L30+T4", "D:NOPE+T4"))
            .exit(6)
            .says("not in options.csv"),
    );
    v.push(
        Case::new(
            "provenance/recompute/workbook",
            &["check", "plan.xlsx", "--scenario", "s.toml", "--recompute"],
        )
        .prepare(|w| w.write("plan.xlsx", "PK"))
        .exit(2)
        .says("--recompute"),
    );
    v.push(
        Case::new(
            "provenance/recompute/missing-plan",
            &[
                "check",
                "nowhere.csv",
                "--scenario",
                "s.toml",
                "--recompute",
            ],
        )
        .exit(7)
        .says("nowhere.csv"),
    );
    v
}

/// Name a calendar in the scenario and write it.
fn with_calendar(w: &Work, text: &str) {
    w.set_key(None, "calendar", "\"calendar.csv\"");
    w.write("calendar.csv", text);
}

const CAL_HEAD: &str = "生产线编号,开始日期,结束日期,天数,类型\n";

fn calendar_cases() -> Vec<Case> {
    let plan = &["plan", "s.toml", "--out", "o"];
    let mut v = vec![
        Case::new("provenance/calendar/unknown-line", plan)
            .prepare(|w| {
                with_calendar(
                    w,
                    &format!("{CAL_HEAD}NOPE-9,2021-11-15,2022-03-15,121,整季停产\n"),
                )
            })
            .exit(3)
            .says("E535")
            .says("NOPE-9"),
        Case::new("provenance/calendar/unknown-kind", plan)
            .prepare(|w| {
                let line = first_line(w);
                with_calendar(
                    w,
                    &format!("{CAL_HEAD}{line},2021-11-15,2022-03-15,121,全季\n"),
                )
            })
            .exit(3)
            .says("E536")
            .says("全季"),
        Case::new("provenance/calendar/missing-file", plan)
            .prepare(|w| w.set_key(None, "calendar", "\"nowhere.csv\""))
            .exit(7)
            .says("nowhere.csv"),
        Case::new("provenance/calendar/no-kind-column", plan)
            .prepare(|w| {
                let line = first_line(w);
                with_calendar(
                    w,
                    &format!(
                        "生产线编号,开始日期,结束日期,天数\n{line},2021-11-15,2022-03-15,121\n"
                    ),
                )
            })
            .exit(3)
            .says("E003")
            .says("类型"),
        Case::new("provenance/calendar/empty", plan)
            .prepare(|w| with_calendar(w, ""))
            .exit(3)
            .says("calendar.csv"),
    ];
    // A season stop keeps the line with zero figures.
    v.push(
        Case::new("provenance/calendar/season-stop-zero", plan)
            .prepare(|w| {
                let line = first_line(w);
                with_calendar(
                    w,
                    &format!("{CAL_HEAD}{line},2021-11-15,2022-03-15,121,整季停产\n"),
                )
            })
            .exit(0)
            .after(|w, _| {
                let line = first_line(w);
                let rows: Vec<String> = w
                    .read("o/plan.csv")
                    .lines()
                    .filter(|l| l.starts_with(&format!("{line},")))
                    .map(str::to_string)
                    .collect();
                let zero = rows.len() == 3
                    && rows.iter().all(|r| {
                        r.split(',').skip(12).take(5).collect::<Vec<_>>()
                            == ["0.000000", "0.000000", "0.000000", "0.000000", "0.0000"]
                    });
                if zero {
                    Ok(())
                } else {
                    Err(format!("not zero: {rows:?}"))
                }
            }),
    );
    v
}

/// The first line id of the inventory.
fn first_line(w: &Work) -> String {
    w.read("city/lines.csv")
        .lines()
        .nth(1)
        .unwrap()
        .trim_start_matches('\u{feff}')
        .split(',')
        .next()
        .unwrap()
        .to_string()
}

/// All cases of this module.
pub fn cases() -> Vec<Case> {
    let mut v = rules_cases();
    v.extend(verify_cases());
    v.extend(recompute_cases());
    v.extend(calendar_cases());
    v
}
