//! Hostile cases: the later steps — sweep resume (stale inputs, edited case files), compare of
//! plans of different cities, audit meter files (offsets, times, numbers, delimiters, encodings,
//! missing and empty files), `check` re-deriving every column of plan.csv, and "a file that cannot
//! be read exits 7" across commands.

use super::{Case, Work};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_jianpai");

/// Run the binary inside the work folder as part of preparing a case; panics when it fails.
fn run_ok(w: &Work, args: &[&str]) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(&w.root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// CSV helpers (plan.csv has a BOM and quoted cells, so edit it with a real CSV reader).

/// Read a CSV file of the work folder as header + rows.
fn read_csv(w: &Work, rel: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = w.read(rel);
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// Write a CSV file (UTF-8 with BOM, as the tool writes plan.csv).
fn write_csv(w: &Work, rel: &str, header: &[String], rows: &[Vec<String>]) {
    let mut wr = csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec());
    wr.write_record(header).unwrap();
    for r in rows {
        wr.write_record(r).unwrap();
    }
    w.write(rel, wr.into_inner().unwrap());
}

/// Change one cell of a CSV file: `row` counts data rows from 1, `column` is the header text.
fn edit_cell(w: &Work, rel: &str, row: usize, column: &str, f: impl Fn(&str) -> String) {
    let (header, mut rows) = read_csv(w, rel);
    let c = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("{rel} has no column {column}: {header:?}"));
    rows[row - 1][c] = f(&rows[row - 1][c]);
    write_csv(w, rel, &header, &rows);
}

/// A number made different (and still a plausible number).
fn other_number(v: &str) -> String {
    let x: f64 = v.trim().parse().unwrap_or(0.0);
    format!("{:.4}", x * 0.5 + 1.0)
}

// ---------------------------------------------------------------------------------------------
// Meter files.

/// Header of the generated meter files.
const METER_HEADER: [&str; 4] = ["电表编号", "生产线编号", "时间", "区间电量"];

/// Hourly interval rows for the first three lines of the fixture plan over 12 days
/// (2021-12-01 … 2021-12-12): 864 rows.
fn meter_rows(w: &Work) -> Vec<[String; 4]> {
    let (_, plan) = read_csv(w, "plan/plan.csv");
    let mut lines: Vec<String> = plan.iter().map(|r| r[0].clone()).collect();
    lines.dedup();
    let mut rows = Vec::new();
    for (m, line) in lines.iter().take(3).enumerate() {
        for day in 1..=12 {
            for hour in 0..24 {
                rows.push([
                    format!("M{m}"),
                    line.clone(),
                    format!("2021-12-{day:02}T{hour:02}:00:00"),
                    "100".to_string(),
                ]);
            }
        }
    }
    rows
}

fn meter_text(rows: &[[String; 4]], delimiter: &str) -> String {
    let mut t = METER_HEADER.join(delimiter) + "\n";
    for r in rows {
        t.push_str(&r.join(delimiter));
        t.push('\n');
    }
    t
}

/// Write `m.csv` with one cell of data row `row` (1-based) replaced.
fn meters_with(w: &Work, row: usize, col: usize, value: &str) {
    let mut rows = meter_rows(w);
    rows[row - 1][col] = value.to_string();
    w.write("m.csv", meter_text(&rows, ","));
}

const WINDOW: &str = "2021-12-10T00:00..2021-12-12T00:00";

fn audit(meter: &str) -> Vec<&str> {
    vec![
        "audit", "--plan", "plan", "--meter", meter, "--level", "orange", "--window", WINDOW,
    ]
}

fn audit_cases() -> Vec<Case> {
    let mut v = Vec::new();
    // Offsets that no place on Earth uses shifted rows by days into the baseline.
    for off in ["+99:99", "+25:00", "+14:30", "-12:30", "+08:60", "-23:59"] {
        let ts = format!("2021-12-01T02:00:00{off}");
        v.push(
            Case::new(format!("later/audit/offset {off}"), &audit("m.csv"))
                .prepare(move |w| meters_with(w, 3, 2, &ts))
                .exit(3)
                .says("m.csv row 4")
                .says("时间")
                .says(off)
                .says("not a real offset"),
        );
    }
    // Offsets at the edges of the real range are fine.
    for off in ["+14:00", "-12:00", "+05:45"] {
        let ts = format!("2021-12-01T02:00:00{off}");
        v.push(
            Case::new(format!("later/audit/offset ok {off}"), &audit("m.csv"))
                .prepare(move |w| meters_with(w, 3, 2, &ts))
                .exit(0)
                .says("rows_read: 864"),
        );
    }
    for bad in [
        "2021-12-20T24:00",
        "2021-02-29T08:00",
        "2021-12-20T08:61",
        "2021-12-20T08:00:00.",
        "20211220 0800",
        "下午三点",
    ] {
        v.push(
            Case::new(format!("later/audit/time {bad}"), &audit("m.csv"))
                .prepare(move |w| meters_with(w, 5, 2, bad))
                .exit(3)
                .says("m.csv row 6")
                .says(format!("\"{bad}\""))
                .says("not a time stamp"),
        );
    }
    for bad in ["-5", "NaN", "inf", "1e400", "abc", "-0.001"] {
        v.push(
            Case::new(format!("later/audit/kwh {bad}"), &audit("m.csv"))
                .prepare(move |w| meters_with(w, 7, 3, bad))
                .exit(3)
                .says("m.csv row 8")
                .says("区间电量")
                .says(format!("\"{bad}\""))
                .says("not a number ≥ 0"),
        );
    }
    // Delimiters and encodings the schema allows (the inventory reader's detection).
    for (name, delim) in [("semicolon", ";"), ("tab", "\t")] {
        v.push(
            Case::new(format!("later/audit/delimiter {name}"), &audit("m.csv"))
                .prepare(move |w| w.write("m.csv", meter_text(&meter_rows(w), delim)))
                .exit(0)
                .says("rows_read: 864"),
        );
    }
    v.push(
        Case::new("later/audit/utf-16le", &audit("m.csv"))
            .prepare(|w| {
                let text = meter_text(&meter_rows(w), "\t");
                let mut b = vec![0xFF, 0xFE];
                b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
                w.write("m.csv", b);
            })
            .exit(0)
            .says("rows_read: 864"),
    );
    v.push(
        Case::new("later/audit/utf-16be", &audit("m.csv"))
            .prepare(|w| {
                let text = meter_text(&meter_rows(w), ",");
                let mut b = vec![0xFE, 0xFF];
                b.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
                w.write("m.csv", b);
            })
            .exit(0)
            .says("rows_read: 864"),
    );
    v.push(
        Case::new("later/audit/gbk", &audit("m.csv"))
            .prepare(|w| {
                let text = meter_text(&meter_rows(w), ",");
                let (b, _, _) = encoding_rs::GBK.encode(&text);
                w.write("m.csv", b);
            })
            .exit(0)
            .says("rows_read: 864"),
    );
    // Files that cannot be read exit 7; empty files are invalid input (exit 3).
    v.push(
        Case::new("later/audit/missing meter file", &audit("nowhere.csv"))
            .exit(7)
            .says("nowhere.csv"),
    );
    v.push(
        Case::new("later/audit/meter file is a folder", &audit("city"))
            .exit(7)
            .says("city"),
    );
    v.push(
        Case::new(
            "later/audit/missing meter parquet",
            &audit("nowhere.parquet"),
        )
        .exit(7)
        .says("nowhere.parquet"),
    );
    v.push(
        Case::new(
            "later/audit/missing plan",
            &[
                "audit", "--plan", "noplan", "--meter", "m.csv", "--level", "orange",
            ],
        )
        .prepare(|w| w.write("m.csv", meter_text(&meter_rows(w), ",")))
        .exit(7)
        .says("noplan"),
    );
    v.push(
        Case::new("later/audit/empty meter file", &audit("m.csv"))
            .prepare(|w| w.write("m.csv", ""))
            .exit(3)
            .says("is empty"),
    );
    v.push(
        Case::new("later/audit/header-only meter file", &audit("m.csv"))
            .prepare(|w| w.write("m.csv", METER_HEADER.join(",") + "\n"))
            .exit(3)
            .says("no data rows"),
    );
    for (flag, value) in [
        ("--window", "2021-12-10T00:00+25:00..2021-12-12T00:00"),
        ("--baseline", "2021-12-01T00:00..2021-12-08T00:00+99:99"),
    ] {
        v.push(
            Case::new(
                format!("later/audit/{flag} offset"),
                &[
                    "audit", "--plan", "plan", "--meter", "m.csv", "--level", "orange", flag, value,
                ],
            )
            .prepare(|w| w.write("m.csv", meter_text(&meter_rows(w), ",")))
            .exit(2)
            .says(flag)
            .says("not a real offset"),
        );
    }
    v.push(
        Case::new(
            "later/audit/seeds meters start offset",
            &[
                "seeds",
                "meters",
                "--plan",
                "plan",
                "--start",
                "2021-12-01T00:00+99:00",
                "--out",
                "gen/m.csv",
            ],
        )
        .exit(2)
        .says("--start")
        .says("not a real offset"),
    );
    v
}

// ---------------------------------------------------------------------------------------------
// check: every column a later step relies on is re-derived.

/// The plan.csv columns `check` re-derives, with how to tamper with them.
const DERIVED: [(&str, bool); 11] = [
    ("企业名称", false),
    ("区县", false),
    ("行业", false),
    ("绩效等级", false),
    ("生产线名称", false),
    ("工序", false),
    ("措施内容", false),
    ("最低要求", false),
    ("核查用电量", true),
    ("核查用电比例", true),
    ("备注", false),
];

fn check_cases() -> Vec<Case> {
    let check = ["check", "plan", "--scenario", "s.toml"];
    let mut v = Vec::new();
    for (col, numeric) in DERIVED {
        for row in [1usize, 6] {
            v.push(
                Case::new(format!("later/check/tampered {col} row {row}"), &check)
                    .prepare(move |w| {
                        edit_cell(w, "plan/plan.csv", row, col, |x| {
                            if numeric {
                                other_number(x)
                            } else {
                                format!("{x}改")
                            }
                        })
                    })
                    .exit(6)
                    .says("column-mismatch")
                    .says(format!("row {}", row + 1))
                    .says(col),
            );
        }
    }
    // An emptied electricity figure would make the audit expect no drop at all.
    for col in ["核查用电量", "核查用电比例"] {
        v.push(
            Case::new(format!("later/check/emptied {col}"), &check)
                .prepare(move |w| edit_cell(w, "plan/plan.csv", 2, col, |_| String::new()))
                .exit(6)
                .says("column-mismatch")
                .says(col)
                .says("written \"\""),
        );
    }
    v.push(
        Case::new("later/check/share text", &check)
            .prepare(|w| {
                edit_cell(w, "plan/plan.csv", 3, "核查用电比例", |_| {
                    "全部".into()
                })
            })
            .exit(6)
            .says("核查用电比例")
            .says("written \"全部\""),
    );
    // The untouched plan and its English twin pass.
    v.push(Case::new("later/check/untouched plan passes", &check).exit(0));
    v.push(
        Case::new(
            "later/check/english plan passes",
            &["check", "plan-en", "--scenario", "s.toml"],
        )
        .prepare(|w| {
            run_ok(
                w,
                &[
                    "--lang", "en", "plan", "s.toml", "--out", "plan-en", "--quiet",
                ],
            )
        })
        .exit(0),
    );
    v
}

// ---------------------------------------------------------------------------------------------
// compare.

/// A copy of the fixture plan with every line id and credit code changed: a plan of another city.
fn other_city_plan(w: &Work, to: &str) {
    let (header, mut rows) = read_csv(w, "plan/plan.csv");
    for r in &mut rows {
        r[0] = format!("X{}", r[0]);
        r[1] = format!("X{}", r[1]);
    }
    std::fs::create_dir_all(w.path(to)).unwrap();
    write_csv(w, &format!("{to}/plan.csv"), &header, &rows);
    std::fs::copy(
        w.path("plan/summary.json"),
        w.path(&format!("{to}/summary.json")),
    )
    .unwrap();
}

fn compare_cases() -> Vec<Case> {
    let mut v = vec![
        Case::new("later/compare/two cities", &["compare", "plan", "other"])
            .prepare(|w| other_city_plan(w, "other"))
            .exit(3)
            .says("different inventory")
            .says("only 0 of its")
            .says_not("0/0"),
    ];
    v.push(
        Case::new(
            "later/compare/two generated cities",
            &["compare", "plan", "city2/plan"],
        )
        .prepare(|w| {
            run_ok(
                w,
                &[
                    "seeds",
                    "generate",
                    "--enterprises",
                    "30",
                    "--seed",
                    "99",
                    "--out",
                    "city2/data",
                ],
            );
            // This small generated city has no declared options (a header-only file).
            std::fs::remove_file(w.path("city2/data/options.csv")).unwrap();
            let s = w
                .read("s.toml")
                .replace("inventory = \"city\"", "inventory = \"city2/data\"");
            w.write("s2.toml", s);
            run_ok(w, &["plan", "s2.toml", "--out", "city2/plan", "--quiet"]);
        })
        .exit(3)
        .says("different inventory"),
    );
    v.push(
        Case::new(
            "later/compare/two cities totals only",
            &["compare", "plan", "other", "--totals-only"],
        )
        .prepare(|w| other_city_plan(w, "other"))
        .exit(0)
        .says("预期损失")
        .says_not("措施变化的企业/生产线\t—\t0/0"),
    );
    v.push(
        Case::new(
            "later/compare/same city passes",
            &["compare", "plan", "plan2"],
        )
        .prepare(|w| {
            std::fs::create_dir_all(w.path("plan2")).unwrap();
            for f in ["plan.csv", "summary.json"] {
                std::fs::copy(w.path(&format!("plan/{f}")), w.path(&format!("plan2/{f}"))).unwrap();
            }
        })
        .exit(0)
        .says("措施变化的企业/生产线\t—\t0/0"),
    );
    v.push(
        Case::new(
            "later/compare/missing summary",
            &["compare", "plan", "plan2"],
        )
        .prepare(|w| {
            std::fs::create_dir_all(w.path("plan2")).unwrap();
            std::fs::copy(w.path("plan/plan.csv"), w.path("plan2/plan.csv")).unwrap();
        })
        .exit(7)
        .says("plan2/summary.json"),
    );
    v.push(
        Case::new(
            "later/compare/summary not json",
            &["compare", "plan", "plan2"],
        )
        .prepare(|w| {
            std::fs::create_dir_all(w.path("plan2")).unwrap();
            std::fs::copy(w.path("plan/plan.csv"), w.path("plan2/plan.csv")).unwrap();
            w.write("plan2/summary.json", "{\"kind\": \"plan\", ");
        })
        .exit(3)
        .says("plan2/summary.json")
        .says("not valid JSON"),
    );
    v.push(
        Case::new(
            "later/compare/summary of a sweep",
            &["compare", "plan", "plan2"],
        )
        .prepare(|w| {
            std::fs::create_dir_all(w.path("plan2")).unwrap();
            std::fs::copy(w.path("plan/plan.csv"), w.path("plan2/plan.csv")).unwrap();
            w.write("plan2/summary.json", "{\"kind\": \"sweep\", \"cases\": 2}");
        })
        .exit(3)
        .says("\"sweep\""),
    );
    v.push(
        Case::new(
            "later/compare/missing plan folder",
            &["compare", "plan", "nowhere"],
        )
        .exit(7)
        .says("nowhere"),
    );
    v
}

// ---------------------------------------------------------------------------------------------
// sweep: resume only what is still valid.

const SWEEP: &str = "name = \"t\"\nbase = \"s.toml\"\nchains = 1\n\n[[scenario]]\nname = \"a\"\n\n[[scenario]]\nname = \"b\"\nsolver.rel_gap = 0.02\n";

/// Write the sweep file and run it once into `sw/`.
fn swept(w: &Work) {
    w.write("sweep.toml", SWEEP);
    run_ok(w, &["sweep", "sweep.toml", "--out", "sw", "--jobs", "1"]);
}

fn sweep_cases() -> Vec<Case> {
    let sweep = ["sweep", "sweep.toml", "--out", "sw", "--jobs", "1"];
    let mut v = Vec::new();
    let stale = "情景或输入文件（清单、规则）已改变，重新求解";
    let tampered = "结果文件被修改或损坏（内容校验不符），重新求解";
    // Input files the scenario names: a changed value re-solves every case.
    for (name, rel, column, numeric) in [
        ("lines capacity", "city/lines.csv", "核定产能", true),
        ("lines emissions", "city/lines.csv", "氮氧化物(t/d)", true),
        ("enterprise name", "city/enterprises.csv", "企业名称", false),
        ("option text", "city/options.csv", "措施内容", false),
    ] {
        v.push(
            Case::new(format!("later/sweep/stale after {name} edit"), &sweep)
                .prepare(move |w| {
                    swept(w);
                    edit_cell(w, rel, 1, column, |x| {
                        if numeric {
                            // A small change: a large one would trip the plausibility check
                            // (listed lines above the district's whole-society emissions).
                            let v: f64 = x.trim().parse().unwrap_or(1.0);
                            format!("{}", v * 1.01 + 0.0001)
                        } else {
                            format!("{x}改")
                        }
                    });
                })
                .exit(0)
                .says(stale)
                .says("(2 本次求解, 0 沿用已完成结果)"),
        );
    }
    // Rules: a remark of the guide, a measure of the city overrides.
    for (name, rel, row, column, value) in [
        ("rules", "rules/guide-2020.csv", 1, "note", "改过的说明"),
        ("rule overrides", "rules/wuxi-city.csv", 2, "measure", "L15"),
    ] {
        v.push(
            Case::new(format!("later/sweep/stale after {name} edit"), &sweep)
                .prepare(move |w| {
                    swept(w);
                    edit_cell(w, rel, row, column, |_| value.to_string());
                })
                .exit(0)
                .says(stale)
                .says("(2 本次求解, 0 沿用已完成结果)"),
        );
    }
    v.push(
        Case::new("later/sweep/stale after base scenario edit", &sweep)
            .prepare(|w| {
                swept(w);
                w.set_key(Some("days"), "yellow", "11");
            })
            .exit(0)
            .says(stale)
            .says("(2 本次求解, 0 沿用已完成结果)"),
    );
    v.push(
        Case::new("later/sweep/unchanged inputs resume", &sweep)
            .prepare(swept)
            .exit(0)
            .says("(0 本次求解, 2 沿用已完成结果)")
            .says_not(stale),
    );
    // Hand-edited or damaged case files.
    v.push(
        Case::new("later/sweep/edited case loss", &sweep)
            .prepare(|w| {
                swept(w);
                let t = w.read("sw/cases/0001.json");
                let i = t.find("\"loss\": ").expect("loss in case file") + 8;
                let mut t2 = t.clone();
                t2.insert(i, '1');
                w.write("sw/cases/0001.json", t2);
            })
            .exit(0)
            .says(format!("a: {tampered}"))
            .says("(1 本次求解, 1 沿用已完成结果)"),
    );
    v.push(
        Case::new("later/sweep/edited case status", &sweep)
            .prepare(|w| {
                swept(w);
                let t = w.read("sw/cases/0002.json");
                let t2 = t.replacen("\"status\": \"optimal\"", "\"status\": \"gap_limit\"", 1);
                assert_ne!(t, t2, "status in case file");
                w.write("sw/cases/0002.json", t2);
            })
            .exit(0)
            .says(format!("b: {tampered}"))
            .after(|w, _| {
                let t = w.read("sw/cases/0002.json");
                t.contains("\"status\": \"optimal\"")
                    .then_some(())
                    .ok_or_else(|| "case b not solved again".to_string())
            }),
    );
    v.push(
        Case::new("later/sweep/garbage case file", &sweep)
            .prepare(|w| {
                swept(w);
                w.write("sw/cases/0001.json", "{ not json");
            })
            .exit(0)
            .says(format!("a: {tampered}")),
    );
    v.push(
        Case::new("later/sweep/case file without digest", &sweep)
            .prepare(|w| {
                swept(w);
                let t = w.read("sw/cases/0001.json");
                let i = t.find("\"digest\"").unwrap();
                let j = t[i..].find('\n').unwrap() + i + 1;
                w.write("sw/cases/0001.json", format!("{}{}", &t[..i], &t[j..]));
            })
            .exit(0)
            .says(format!("a: {tampered}")),
    );
    v.push(
        Case::new(
            "later/sweep/merge refuses an edited case file",
            &["sweep", "merge", "sw", "--out", "merged"],
        )
        .prepare(|w| {
            swept(w);
            let t = w.read("sw/cases/0002.json");
            let i = t.find("\"loss\": ").unwrap() + 8;
            let mut t2 = t.clone();
            t2.insert(i, '9');
            w.write("sw/cases/0002.json", t2);
        })
        .exit(3)
        .says("0002.json")
        .says("content hash"),
    );
    v
}

// ---------------------------------------------------------------------------------------------
// A file that cannot be read exits 7 (not 3) in every command.

fn unreadable_cases() -> Vec<Case> {
    let mut v = vec![Case::new(
        "later/unreadable/check plan",
        &["check", "noplan", "--scenario", "s.toml"],
    )
    .exit(7)
    .says("noplan")];
    v.push(
        Case::new(
            "later/unreadable/check plan folder without plan.csv",
            &["check", "city", "--scenario", "s.toml"],
        )
        .exit(7)
        .says("plan.csv"),
    );
    v.push(
        Case::new(
            "later/unreadable/diff old list",
            &["diff", "noplan", "plan"],
        )
        .exit(7)
        .says("noplan"),
    );
    v.push(
        Case::new(
            "later/unreadable/diff new list",
            &["diff", "plan", "noplan"],
        )
        .exit(7)
        .says("noplan"),
    );
    v.push(
        Case::new(
            "later/unreadable/revise previous",
            &["revise", "s.toml", "--previous", "noplan", "--out", "rev"],
        )
        .exit(7)
        .says("noplan"),
    );
    v.push(
        Case::new(
            "later/unreadable/plan rules file",
            &["plan", "s.toml", "--out", "p2"],
        )
        .prepare(|w| std::fs::remove_file(w.path("rules/guide-2020.csv")).unwrap())
        .exit(7)
        .says("guide-2020.csv"),
    );
    v.push(
        Case::new(
            "later/unreadable/check rule overrides",
            &["check", "plan", "--scenario", "s.toml"],
        )
        .prepare(|w| std::fs::remove_file(w.path("rules/wuxi-city.csv")).unwrap())
        .exit(7)
        .says("wuxi-city.csv"),
    );
    // Mismatched inputs to diff: a table that is not a list.
    v.push(
        Case::new(
            "later/diff/lines table as a list",
            &["diff", "plan", "city/lines.csv"],
        )
        .exit(3)
        .says("预警级别"),
    );
    v
}

pub fn cases() -> Vec<Case> {
    let mut v = audit_cases();
    v.extend(check_cases());
    v.extend(compare_cases());
    v.extend(sweep_cases());
    v.extend(unreadable_cases());
    v
}
