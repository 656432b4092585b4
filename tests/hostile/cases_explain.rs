//! Hostile cases: `jianpai explain` on damaged plan directories (unknown, empty, idle or
//! control-character line ids and credit codes, flags missing or both given, summary.json
//! missing, garbled, of another kind, without duals or with the wrong number of them, plan rows
//! missing, measures the line cannot take or that do not nest) and `check` on reasons (a blank
//! reason above the minimum is a violation; an edited one is not).

use super::{Case, Work};

/// The fixture plan's file.
const PLAN: &str = "plan/plan.csv";

/// Read plan.csv (BOM, quoted cells) as header + rows.
fn read_plan(w: &Work) -> (Vec<String>, Vec<Vec<String>>) {
    let text = w.read(PLAN);
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// Write plan.csv back (UTF-8 with BOM, as the tool writes it).
fn write_plan(w: &Work, header: &[String], rows: &[Vec<String>]) {
    let mut wr = csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec());
    wr.write_record(header).unwrap();
    for r in rows {
        wr.write_record(r).unwrap();
    }
    w.write(PLAN, wr.into_inner().unwrap());
}

/// Edit plan.csv: `f` gets the column index function and the rows.
fn edit_plan(w: &Work, f: impl Fn(&dyn Fn(&str) -> usize, &mut Vec<Vec<String>>)) {
    let (header, mut rows) = read_plan(w);
    let at = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("plan.csv has no column {name}: {header:?}"))
    };
    f(&at, &mut rows);
    write_plan(w, &header, &rows);
}

/// The first line of the fixture city (lines.csv row 1) and its enterprise.
const LINE: &str = "L00001-01";
const FIRM: &str = "91320282NP4179392F";

/// A line of the fixture plan whose red measure is a whole-line stop above its minimum (the
/// whole-line stop share), so that it carries a reason.
const REASONED_LEVEL: &str = "红色";

fn explain(args: &[&str]) -> Vec<String> {
    let mut v = vec!["explain".to_string(), "plan".to_string()];
    v.extend(args.iter().map(|s| s.to_string()));
    v
}

fn case(name: &str, args: &[&str]) -> Case {
    let v = explain(args);
    let refs: Vec<&str> = v.iter().map(String::as_str).collect();
    Case::new(format!("explain/{name}"), &refs)
}

/// Line ids and credit codes the inventory does not have.
fn unknown_cases() -> Vec<Case> {
    let mut v = Vec::new();
    for (tag, id) in [
        ("absent", "L99999-01"),
        ("empty", ""),
        ("case", "l00001-01"),
        ("space", " L00001-01 "),
        ("esc", "L00001-01\u{1b}[31m"),
        ("long", &"L".repeat(5000)),
    ] {
        v.push(
            case(&format!("line {tag}"), &["--line", id])
                .exit(3)
                .says("E521"),
        );
    }
    for (tag, code) in [
        ("absent", "91320200MA1XXXXXX0"),
        ("malformed", "not-a-credit-code"),
        ("empty", ""),
        ("check char", "91320282NP4179392G"),
        ("nul", "91320282NP4179392F\u{7}"),
    ] {
        v.push(
            case(&format!("code {tag}"), &["--code", code])
                .exit(3)
                .says("E522"),
        );
    }
    v.push(
        case("line idle", &["--line", LINE])
            .prepare(|w| w.set_cell("city/lines.csv", 1, "状态", "停产"))
            .exit(3)
            .says("E523")
            .says(LINE),
    );
    v.push(
        case("firm all idle", &["--code", FIRM])
            .prepare(|w| {
                // Every line of the first enterprise idle.
                let text = w.read("city/lines.csv");
                let out: Vec<String> = text
                    .lines()
                    .map(|l| {
                        if l.contains(FIRM) {
                            l.replace(",在产", ",停产")
                        } else {
                            l.to_string()
                        }
                    })
                    .collect();
                w.write("city/lines.csv", out.join("\n") + "\n");
            })
            .exit(3)
            .says("E523")
            .says(FIRM),
    );
    v
}

/// Command-line mistakes: exit 2.
fn usage_cases() -> Vec<Case> {
    vec![
        case("no flag", &[]).exit(2).says("--line"),
        case("both flags", &["--line", LINE, "--code", FIRM])
            .exit(2)
            .says("cannot be used with"),
        case("format", &["--line", LINE, "--format", "yaml"])
            .exit(2)
            .says("yaml"),
        case("no scenario named", &["--line", LINE])
            .prepare(|w| {
                let s = w.read("plan/summary.json");
                let v: serde_json::Value = serde_json::from_str(&s).unwrap();
                let mut v = v.as_object().unwrap().clone();
                v.remove("scenario_file");
                w.write("plan/summary.json", serde_json::to_string(&v).unwrap());
            })
            .exit(2)
            .says("--scenario"),
    ]
}

/// summary.json missing, garbled, of another kind, without usable duals.
fn summary_cases() -> Vec<Case> {
    let set = |key: &'static str, value: serde_json::Value| {
        move |w: &Work| {
            let s = w.read("plan/summary.json");
            let mut v: serde_json::Value = serde_json::from_str(&s).unwrap();
            v[key] = value.clone();
            w.write("plan/summary.json", serde_json::to_string(&v).unwrap());
        }
    };
    let duals = |f: fn(&mut Vec<serde_json::Value>)| {
        move |w: &Work| {
            let s = w.read("plan/summary.json");
            let mut v: serde_json::Value = serde_json::from_str(&s).unwrap();
            let d = v["solver"]["duals"].as_array_mut().unwrap();
            f(d);
            w.write("plan/summary.json", serde_json::to_string(&v).unwrap());
        }
    };
    vec![
        case("summary missing", &["--line", LINE])
            .prepare(|w| std::fs::remove_file(w.path("plan/summary.json")).unwrap())
            .exit(7)
            .says("summary.json"),
        case("summary garbled", &["--line", LINE])
            .prepare(|w| w.write("plan/summary.json", "{\"kind\": \"plan\", \"status\": "))
            .exit(3)
            .says("summary.json"),
        case("summary kind calendar", &["--line", LINE])
            .prepare(set("kind", "calendar".into()))
            .exit(3)
            .says("calendar"),
        case("scenario gone", &["--line", LINE])
            .prepare(|w| std::fs::remove_file(w.path("s.toml")).unwrap())
            .exit(7)
            .says("s.toml"),
        case("dir is a file", &["--line", LINE])
            .prepare(|w| {
                std::fs::remove_dir_all(w.path("plan")).unwrap();
                w.write("plan", "not a folder");
            })
            .exit(7)
            .says("summary.json"),
        // No duals, too many, too few: the explanation says it has no prices (no panic on a
        // short vector), and still lists the options.
        Case::new(
            "explain/duals missing",
            &["--lang", "en", "explain", "plan", "--line", LINE],
        )
        .prepare(duals(|d| d.clear()))
        .exit(0)
        .says("no usable LP prices")
        .says("rule minimum"),
        Case::new(
            "explain/duals one extra",
            &["--lang", "en", "explain", "plan", "--line", LINE],
        )
        .prepare(duals(|d| d.push(5.0.into())))
        .exit(0)
        .says("no usable LP prices"),
        Case::new(
            "explain/duals one short",
            &["--lang", "en", "explain", "plan", "--line", LINE],
        )
        .prepare(duals(|d| {
            d.pop();
        }))
        .exit(0)
        .says("no usable LP prices"),
        Case::new(
            "explain/duals not numbers",
            &["--lang", "en", "explain", "plan", "--line", LINE],
        )
        .prepare(duals(|d| d[0] = "lots".into()))
        .exit(3)
        .says("summary.json"),
        case("status unknown", &["--line", LINE, "--format", "json"])
            .prepare(set("status", "wonderful".into()))
            .exit(0)
            .says("\"status\": \"not_proven\""),
    ]
}

/// The plan's rows for the line missing or not what the line can take.
fn plan_cases() -> Vec<Case> {
    vec![
        case("row missing", &["--line", LINE])
            .prepare(|w| {
                edit_plan(w, |at, rows| {
                    let (l, lv) = (at("生产线编号"), at("预警级别"));
                    rows.retain(|r| !(r[l] == LINE && r[lv] == "橙色"));
                })
            })
            .exit(3)
            .says("E524")
            .says(LINE),
        case("measure not an option", &["--line", LINE])
            .prepare(|w| {
                edit_plan(w, |at, rows| {
                    let (l, lv, m) = (at("生产线编号"), at("预警级别"), at("措施编号"));
                    let r = rows.iter_mut().find(|r| r[l] == LINE && r[lv] == "黄色");
                    r.unwrap()[m] = "L7".into();
                })
            })
            .exit(3)
            .says("E525")
            .says("L7"),
        case("declared option unknown", &["--line", LINE])
            .prepare(|w| {
                edit_plan(w, |at, rows| {
                    let (l, lv, m) = (at("生产线编号"), at("预警级别"), at("措施编号"));
                    let r = rows.iter_mut().find(|r| r[l] == LINE && r[lv] == "红色");
                    r.unwrap()[m] = "D:NOSUCH+T4".into();
                })
            })
            .exit(3)
            .says("E525")
            .says("D:NOSUCH"),
        case("below minimum", &["--line", LINE])
            .prepare(|w| {
                edit_plan(w, |at, rows| {
                    let (l, lv, m) = (at("生产线编号"), at("预警级别"), at("措施编号"));
                    let r = rows.iter_mut().find(|r| r[l] == LINE && r[lv] == "红色");
                    r.unwrap()[m] = "V".into();
                })
            })
            .exit(3)
            .says("E525"),
        case("not nested", &["--line", LINE])
            .prepare(|w| {
                // Yellow stricter than orange (both admissible on their own: at or above the
                // minimum, L20+T4 at yellow and L30+T4 at orange in the fixture).
                edit_plan(w, |at, rows| {
                    let (l, lv, m) = (at("生产线编号"), at("预警级别"), at("措施编号"));
                    let y = rows.iter_mut().find(|r| r[l] == LINE && r[lv] == "黄色");
                    let y = y.unwrap();
                    assert_eq!(y[m], "L20+T4", "fixture changed");
                    y[m] = "L50+T4".into();
                })
            })
            .exit(3)
            .says("E526")
            .says(LINE),
    ]
}

/// `check` on reasons: blank above the minimum is a violation naming the line; any wording
/// passes; a blank reason on a row at its minimum is fine.
fn reason_cases() -> Vec<Case> {
    let blank_first_reason = |w: &Work| {
        edit_plan(w, |at, rows| {
            let (lv, why) = (at("预警级别"), at("加严理由"));
            let r = rows
                .iter_mut()
                .find(|r| r[lv] == REASONED_LEVEL && !r[why].is_empty())
                .expect("fixture: a reasoned red row");
            r[why] = String::new();
        })
    };
    vec![
        Case::new(
            "explain/check blank reason",
            &["check", "plan", "--scenario", "s.toml"],
        )
        .prepare(blank_first_reason)
        .exit(6)
        .says("violation[reason]")
        .says("加严理由为空"),
        Case::new(
            "explain/check spaces reason",
            &["check", "plan", "--scenario", "s.toml"],
        )
        .prepare(|w| {
            edit_plan(w, |at, rows| {
                let why = at("加严理由");
                let r = rows.iter_mut().find(|r| !r[why].is_empty()).unwrap();
                r[why] = "   ".into();
            })
        })
        .exit(6)
        .says("violation[reason]"),
        Case::new(
            "explain/check edited reason",
            &["check", "plan", "--scenario", "s.toml"],
        )
        .prepare(|w| {
            edit_plan(w, |at, rows| {
                let why = at("加严理由");
                for r in rows.iter_mut().filter(|r| !r[why].is_empty()) {
                    r[why] = "区县协商：保留".into();
                }
            })
        })
        .exit(0)
        .says(" 0 violations")
        .says_not("violation["),
        Case::new(
            "explain/check reason on minimum",
            &["check", "plan", "--scenario", "s.toml"],
        )
        .prepare(|w| {
            edit_plan(w, |at, rows| {
                let why = at("加严理由");
                for r in rows.iter_mut().filter(|r| r[why].is_empty()) {
                    r[why] = "多写的理由".into();
                }
            })
        })
        .exit(0)
        .says(" 0 violations")
        .says_not("violation["),
    ]
}

/// Every explain case.
pub fn cases() -> Vec<Case> {
    let mut v = unknown_cases();
    v.extend(usage_cases());
    v.extend(summary_cases());
    v.extend(plan_cases());
    v.extend(reason_cases());
    v
}
