//! Hostile cases: scenario files (list, stagger, sweep) and command-line bounds. Every number a
//! scenario states has a documented range; a value outside it, a required ratio that falls from
//! one warning level to the next, a partial table, an unknown or unquoted Chinese key, a broken
//! `base` chain, a file that is not a scenario, and unbounded work asked for by a flag all get a
//! clear error naming the file or flag, the key and the value.

use super::{Case, Work};
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_jianpai");

/// `jianpai plan s.toml --out o`.
fn plan(name: &str) -> Case {
    Case::new(
        format!("scenario/{name}"),
        &["plan", "s.toml", "--out", "o"],
    )
}

/// `jianpai check plan --scenario s.toml` (reads the scenario, never solves).
fn check(name: &str) -> Case {
    Case::new(
        format!("scenario/{name}"),
        &["check", "plan", "--scenario", "s.toml"],
    )
}

/// How Rust prints a value written in TOML as `v`.
fn shown(v: &str) -> &str {
    match v {
        "nan" => "NaN",
        "1e300" => "1000000000000",
        v => v,
    }
}

/// Every numeric scenario key (table, key, documented range) × a bad value.
fn numeric_keys() -> Vec<Case> {
    const KEYS: [(&str, &str, &str); 16] = [
        ("targets.yellow", "so2", "[0, 1)"),
        ("targets.orange", "nox", "[0, 1)"),
        ("targets.red", "pm", "[0, 1)"),
        ("targets.red", "vocs", "[0, 1)"),
        ("days", "yellow", "[0, 366]"),
        ("days", "red", "[0, 366]"),
        ("episodes", "orange", "[0, 366]"),
        ("options", "stop_electricity", "[0, 1]"),
        ("options", "restart_cost_days", "[0, 60]"),
        ("solver", "time_limit", "(0, 86400]"),
        ("solver", "rel_gap", "[0, 1)"),
        ("society", "nox", "[0, 100000]"),
        ("credits.red.mobile", "nox", "[0, 100000]"),
        ("controlled_min_cut.red", "pm", "[0, 1)"),
        ("revision", "stability_weight", "[0, 1000000]"),
        ("districts.ratios.\"新吴区\".red", "so2", "[0, 1)"),
    ];
    let mut out = Vec::new();
    for (table, key, range) in KEYS {
        for v in ["-0.5", "nan", "inf", "1e300"] {
            let slug = table.replace('"', "");
            out.push(
                plan(&format!("key/{slug}.{key}={v}"))
                    .prepare(move |w| w.set_key(Some(table), key, v))
                    .exit(3)
                    .says("s.toml")
                    .says(format!("[{table}] {key} = {}", shown(v)))
                    .says(range),
            );
        }
    }
    // `limits` is an array: each step in (0, 1).
    for v in ["0", "1", "-0.1", "nan"] {
        out.push(
            plan(&format!("key/options.limits={v}"))
                .prepare(move |w| w.set_key(Some("options"), "limits", &format!("[0.1, {v}]")))
                .exit(3)
                .says(format!("[options] limits[1] = {}", shown(v)))
                .says("(0, 1)"),
        );
    }
    out.push(
        plan("key/options.limits-too-many")
            .prepare(|w| {
                let steps: Vec<String> = (1..=40).map(|i| format!("{}", i as f64 / 50.0)).collect();
                w.set_key(
                    Some("options"),
                    "limits",
                    &format!("[{}]", steps.join(", ")),
                )
            })
            .exit(3)
            .says("[options] limits has 40 steps: at most 20"),
    );
    out.push(
        plan("key/changes.guarantee_min_load")
            .prepare(|w| {
                w.append(
                    "s.toml",
                    "\n[[changes]]\ncode = \"91320281EN7426253B\"\nguarantee_min_load = 1.5\n",
                )
            })
            .exit(3)
            .says("guarantee_min_load = 1.5")
            .says("[0, 1]"),
    );
    out
}

/// `[solver] threads` in TOML: named as the file's key, never as a flag.
fn threads_key() -> Vec<Case> {
    let mut out = Vec::new();
    for v in ["0", "257", "100000"] {
        out.push(
            plan(&format!("threads/toml={v}"))
                .prepare(move |w| w.set_key(Some("solver"), "threads", v))
                .exit(3)
                .says(format!("s.toml: [solver] threads = {v}"))
                .says("[1, 256]")
                .says_not("--threads"),
        );
    }
    out.push(
        plan("threads/toml=-1")
            .prepare(|w| w.set_key(Some("solver"), "threads", "-1"))
            .exit(3)
            .says("s.toml")
            .says("line "),
    );
    out
}

/// A pollutant's ratio must not fall from yellow to orange to red (fixture: 0.025 / 0.05 / 0.075).
fn monotone() -> Vec<Case> {
    let mut out = Vec::new();
    for p in ["so2", "nox", "pm", "vocs"] {
        out.push(
            check(&format!("monotone/red<orange/{p}"))
                .prepare(move |w| w.set_key(Some("targets.red"), p, "0.04"))
                .exit(3)
                .says(format!(
                    "[targets.red] {p} = 0.04 is below [targets.orange] {p} = 0.05"
                )),
        );
        out.push(
            check(&format!("monotone/orange<yellow/{p}"))
                .prepare(move |w| w.set_key(Some("targets.yellow"), p, "0.06"))
                .exit(3)
                .says(format!(
                    "[targets.orange] {p} = 0.05 is below [targets.yellow] {p} = 0.06"
                )),
        );
    }
    out.push(
        check("monotone/district-red-below-city-orange")
            .prepare(|w| w.set_key(Some("districts.ratios.\"新吴区\".red"), "pm", "0.01"))
            .exit(3)
            .says(
                "[districts.ratios.\"新吴区\".red] pm = 0.01 is below [targets.orange] pm = 0.05",
            ),
    );
    out.push(
        check("monotone/district-yellow-above-own-orange")
            .prepare(|w| {
                w.set_key(Some("districts.ratios.\"新吴区\".yellow"), "nox", "0.3");
                w.set_key(Some("districts.ratios.\"新吴区\".orange"), "nox", "0.2");
            })
            .exit(3)
            .says("[districts.ratios.\"新吴区\".orange] nox = 0.2 is below [districts.ratios.\"新吴区\".yellow] nox = 0.3"),
    );
    out
}

/// Remove a whole `[table]` section (its header and keys) from `s.toml`.
fn drop_table(w: &Work, header: &str) {
    let text = w.read("s.toml");
    let mut out = Vec::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.trim_start().starts_with('[') {
            skipping = line.trim() == header;
        }
        if !skipping {
            out.push(line);
        }
    }
    w.write("s.toml", out.join("\n") + "\n");
}

/// Partial tables keep the documented defaults of the keys they leave out.
fn partial_tables() -> Vec<Case> {
    vec![
        check("partial/days-red-only")
            .prepare(|w| {
                drop_table(w, "[days]");
                w.append("s.toml", "\n[days]\nred = 3\n");
            })
            .exit(0)
            .says_not("missing field"),
        check("partial/episodes-yellow-only")
            .prepare(|w| {
                drop_table(w, "[episodes]");
                w.append("s.toml", "\n[episodes]\nyellow = 4\n");
            })
            .exit(0)
            .says_not("missing field"),
        // Only [targets.red]: yellow and orange take 0.10 / 0.20, above red's 0.075.
        check("partial/targets-red-only")
            .prepare(|w| {
                drop_table(w, "[targets.yellow]");
                drop_table(w, "[targets.orange]");
            })
            .exit(3)
            .says("[targets.red] so2 = 0.075 is below [targets.orange] so2 = 0.2")
            .says_not("missing field"),
        // A pollutant left out of [targets.red] takes 0.30, which the fixture's list misses.
        check("partial/targets-red-without-so2")
            .prepare(|w| {
                let text = w.read("s.toml");
                let i = text.find("[targets.red]").unwrap();
                let j = i + text[i..].find("so2 = ").unwrap();
                let k = j + text[j..].find('\n').unwrap() + 1;
                w.write("s.toml", format!("{}{}", &text[..j], &text[k..]));
            })
            .exit(6),
    ]
}

/// Unknown keys: an error with the line, and the key meant when it is a likely typo.
fn unknown_keys() -> Vec<Case> {
    let typo = |name: &str, table: Option<&'static str>, key: &'static str, meant: &str| {
        plan(&format!("unknown/{name}"))
            .prepare(move |w| w.set_key(table, key, "1"))
            .exit(3)
            .says(format!("unknown field `{key}`"))
            .says(format!("did you mean `{meant}`?"))
            .says("line ")
    };
    vec![
        typo("top-tragets", None, "tragets", "targets"),
        typo("days-yelow", Some("days"), "yelow", "yellow"),
        typo("solver-thread", Some("solver"), "thread", "threads"),
        typo("options-limit", Some("options"), "limit", "limits"),
        typo(
            "solver-timelimit",
            Some("solver"),
            "time_limt",
            "time_limit",
        ),
        plan("unknown/far-from-any-key")
            .prepare(|w| w.set_key(None, "zzzzzzzz", "1"))
            .exit(3)
            .says("unknown field `zzzzzzzz`")
            .says_not("did you mean"),
    ]
}

/// Chinese bare keys: the TOML error says to quote them, with the line and the fixed text.
fn unquoted_keys() -> Vec<Case> {
    vec![
        plan("quote/district-header")
            .prepare(|w| w.append("s.toml", "\n[districts.ratios.新吴区.yellow]\npm = 0.05\n"))
            .exit(3)
            .says("line ")
            .says("must be quoted")
            .says("[districts.ratios.\"新吴区\".yellow]"),
        plan("quote/credit-source-key")
            .prepare(|w| w.append("s.toml", "\n[credits.red]\n移动源 = { pm = 1.0 }\n"))
            .exit(3)
            .says("must be quoted")
            .says("\"移动源\" = { pm = 1.0 }"),
        Case::new(
            "scenario/quote/stagger-cap-key",
            &["stagger", "st.toml", "--out", "so"],
        )
        .prepare(|w| {
            stagger_fixture(w);
            w.append("st.toml", "\n[caps.industries]\n水泥 = 0.5\n");
        })
        .exit(3)
        .says("st.toml")
        .says("\"水泥\" = 0.5"),
        Case::new(
            "scenario/quote/sweep-grid-key",
            &["sweep", "sw.toml", "--out", "sweep"],
        )
        .prepare(|w| {
            w.write(
                "sw.toml",
                "name = \"扫描\"\nbase = \"s.toml\"\n[[scenario]]\nname = \"a\"\n[scenario.districts.ratios.新吴区.red]\npm = 0.1\n",
            )
        })
        .exit(3)
        .says("sw.toml")
        .says("[scenario.districts.ratios.\"新吴区\".red]"),
    ]
}

/// `base` chains that cannot be followed, and files that are not scenarios.
fn files() -> Vec<Case> {
    vec![
        plan("base/cycle")
            .prepare(|w| {
                w.write("a.toml", "base = \"s.toml\"\nname = \"a\"\n");
                w.set_key(None, "base", "\"a.toml\"");
            })
            .exit(3)
            .says("cycle of base scenarios"),
        plan("base/self")
            .prepare(|w| w.set_key(None, "base", "\"s.toml\""))
            .exit(3)
            .says("cycle of base scenarios"),
        plan("base/missing-file")
            .prepare(|w| w.set_key(None, "base", "\"no-such-base.toml\""))
            .exit(7)
            .says("no-such-base.toml"),
        plan("base/directory")
            .prepare(|w| w.set_key(None, "base", "\"city\""))
            .exit(7)
            .says("is a folder"),
        plan("base/not-a-string")
            .prepare(|w| w.set_key(None, "base", "5"))
            .exit(3)
            .says("base = 5"),
        Case::new(
            "scenario/base/bad-value-inside-base",
            &["plan", "top.toml", "--out", "o"],
        )
        .prepare(|w| {
            w.set_key(Some("days"), "red", "-3");
            w.write("top.toml", "base = \"s.toml\"\nname = \"top\"\n");
        })
        .exit(3)
        .says("[days] red = -3"),
        Case::new("scenario/file/directory", &["plan", "city", "--out", "o"])
            .exit(7)
            .says("is a folder"),
        Case::new(
            "scenario/file/missing",
            &["plan", "none.toml", "--out", "o"],
        )
        .exit(7)
        .says("none.toml"),
        plan("file/empty")
            .prepare(|w| w.write("s.toml", ""))
            .exit(3)
            .says("missing field `name`"),
        plan("file/gbk-bytes")
            .prepare(|w| w.write("s.toml", b"name = \"\xce\xde\xce\xfd\"\n".as_slice()))
            .exit(3)
            .says("UTF-8"),
        check("file/byte-order-mark")
            .prepare(|w| {
                let text = w.read("s.toml");
                w.write("s.toml", format!("\u{feff}{text}"));
            })
            .exit(0),
        plan("file/five-megabytes")
            .prepare(|w| {
                let mut text = w.read("s.toml");
                text.push_str(&format!("# {}\n", "x".repeat(5 << 20)));
                w.write("s.toml", text);
            })
            .exit(3)
            .says("bytes"),
        plan("file/not-toml")
            .prepare(|w| w.write("s.toml", "this is [not toml\n"))
            .exit(3)
            .says("line 1"),
    ]
}

/// Flags that ask for unbounded work or make no sense are named (exit 2).
fn flags() -> Vec<Case> {
    let mut out = Vec::new();
    let bad: [(&str, &str, &str); 8] = [
        ("--threads", "0", "[1, 256]"),
        ("--threads", "100000", "[1, 256]"),
        ("--time-limit", "0", "(0, 86400]"),
        ("--time-limit", "NaN", "(0, 86400]"),
        ("--time-limit", "1e9", "(0, 86400]"),
        ("--gap", "1", "[0, 1)"),
        ("--gap", "1.5", "[0, 1)"),
        ("--gap", "inf", "[0, 1)"),
    ];
    for (flag, v, range) in bad {
        out.push(
            Case::new(
                format!("scenario/flag/plan{flag}={v}"),
                &["plan", "s.toml", "--out", "o", flag, v],
            )
            .exit(2)
            .says(format!("{flag} = "))
            .says(range),
        );
    }
    for (flag, v) in [("--threads", "100000"), ("--time-limit", "0")] {
        out.push(
            Case::new(
                format!("scenario/flag/revise{flag}={v}"),
                &[
                    "revise",
                    "s.toml",
                    "--previous",
                    "plan",
                    "--out",
                    "r",
                    flag,
                    v,
                ],
            )
            .exit(2)
            .says(format!("{flag} = ")),
        );
        out.push(
            Case::new(
                format!("scenario/flag/stagger{flag}={v}"),
                &["stagger", "st.toml", "--out", "so", flag, v],
            )
            .prepare(stagger_fixture)
            .exit(2)
            .says(format!("{flag} = ")),
        );
    }
    for v in ["0", "100000"] {
        out.push(
            Case::new(
                format!("scenario/flag/sweep--jobs={v}"),
                &["sweep", "sw.toml", "--out", "sweep", "--jobs", v],
            )
            .prepare(sweep_file)
            .exit(2)
            .says(format!("--jobs {v}: outside the allowed range [1, 256]")),
        );
        out.push(
            Case::new(
                format!("scenario/flag/curve--jobs={v}"),
                &[
                    "curve",
                    "s.toml",
                    "--level",
                    "red",
                    "--pollutant",
                    "pm",
                    "--from",
                    "0.08",
                    "--to",
                    "0.09",
                    "--out",
                    "cu",
                    "--jobs",
                    v,
                ],
            )
            .exit(2)
            .says(format!("--jobs {v}: outside the allowed range [1, 256]")),
        );
        out.push(
            Case::new(
                format!("scenario/flag/upgrade--jobs={v}"),
                &["upgrade", "s.toml", "--k", "2", "--out", "up", "--jobs", v],
            )
            .exit(2)
            .says(format!("--jobs {v}: outside the allowed range [1, 256]")),
        );
    }
    for k in ["100000000", "6148914691236517206"] {
        out.push(
            Case::new(
                format!("scenario/flag/upgrade--k={k}"),
                &["upgrade", "s.toml", "--k", k, "--out", "up", "--jobs", "1"],
            )
            .exit(2)
            .says(format!("--k {k}: outside the allowed range")),
        );
    }
    // More threads than cores: capped with a warning, the list is still made.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 200 {
        out.push(
            Case::new(
                "scenario/flag/plan--threads-above-cores",
                &["plan", "s.toml", "--out", "o", "--threads", "200"],
            )
            .exit(0)
            .says(format!(
                "--threads 200 is more than this machine's {cores} cores"
            )),
        );
    }
    // A curve below the next lower level's ratio is refused before any solve.
    out.push(
        Case::new(
            "scenario/curve/below-orange",
            &[
                "curve",
                "s.toml",
                "--level",
                "red",
                "--pollutant",
                "pm",
                "--from",
                "0.01",
                "--to",
                "0.02",
                "--out",
                "cu",
                "--jobs",
                "1",
            ],
        )
        .exit(3)
        .says("is below [targets.orange] pm = 0.05"),
    );
    out
}

/// A sweep over the fixture's scenario.
fn sweep_file(w: &Work) {
    w.write(
        "sw.toml",
        "name = \"扫描\"\nbase = \"s.toml\"\n[[scenario]]\nname = \"基准\"\n",
    );
}

/// Sweep files: errors name the sweep file and the scenario (or `[set]`), never only the base.
fn sweeps() -> Vec<Case> {
    let sweep = |name: &str| {
        Case::new(
            format!("scenario/sweep/{name}"),
            &["sweep", "sw.toml", "--out", "sweep", "--jobs", "1"],
        )
        .prepare(sweep_file)
    };
    vec![
        sweep("set-threads-0")
            .prepare(|w| w.append("sw.toml", "[set.solver]\nthreads = 0\n"))
            .exit(3)
            .says("sw.toml: [set] over the base scenario")
            .says("[solver] threads = 0"),
        sweep("set-ratio-falls")
            .prepare(|w| w.append("sw.toml", "[set.targets.red]\nnox = 0.01\n"))
            .exit(3)
            .says("sw.toml: [set]")
            .says("[targets.red] nox = 0.01 is below"),
        sweep("case-negative-days")
            .prepare(|w| w.append("sw.toml", "[[scenario]]\nname = \"坏\"\ndays.red = -1\n"))
            .exit(3)
            .says("sw.toml: scenario \"坏\": [days] red = -1"),
        sweep("base-itself-bad")
            .prepare(|w| w.set_key(Some("episodes"), "red", "nan"))
            .exit(3)
            .says("s.toml: [episodes] red = NaN")
            .says_not("[set]"),
        sweep("grid-too-large")
            .prepare(|w| {
                let axis: Vec<String> = (0..200).map(|i| format!("{}", i as f64 / 1000.0)).collect();
                let a = axis.join(", ");
                w.append(
                    "sw.toml",
                    &format!("[[grid]]\nname = \"大\"\n[grid.axes]\n\"days.red\" = [{a}]\n\"days.orange\" = [{a}]\n"),
                );
            })
            .exit(3)
            .says("more than 10000 scenarios"),
        sweep("grid-overflow")
            .prepare(|w| {
                let axis: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
                let a = axis.join(", ");
                let axes: String = (0..7).map(|k| format!("\"x{k}\" = [{a}]\n")).collect();
                w.append("sw.toml", &format!("[[grid]]\nname = \"溢出\"\n[grid.axes]\n{axes}"));
            })
            .exit(3)
            .says("more than 10000 scenarios"),
    ]
}

/// A stagger scenario on the fixture city: every line staggered in one winter, no quotas or
/// targets (a trivial calendar).
fn stagger_fixture(w: &Work) {
    w.write(
        "st.toml",
        "name = \"错峰\"\ninventory = \"city\"\nparticipation = \"st/participation.csv\"\n\
         [[seasons]]\nname = \"冬季\"\nstart = \"2021-11-15\"\nend = \"2022-03-15\"\n\
         [solver]\ntime_limit = 20\n",
    );
    w.write("st/participation.csv", "行业,绩效等级,方式\n*,*,错峰\n");
}

/// The id of the fixture city's first line.
fn first_line(w: &Work) -> String {
    let text = w.read("city/lines.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap()
        .trim_start_matches('\u{feff}')
        .split(',')
        .collect();
    let c = header
        .iter()
        .position(|h| *h == "line_id" || *h == "生产线编号")
        .unwrap_or(0);
    lines.next().unwrap().split(',').nth(c).unwrap().to_string()
}

/// Stagger scenarios and tables: bounded seasons, numbers and dates.
fn stagger() -> Vec<Case> {
    let st = |name: &str| {
        Case::new(
            format!("scenario/stagger/{name}"),
            &["stagger", "st.toml", "--out", "so"],
        )
        .prepare(stagger_fixture)
    };
    let season = |name: &str, start: &'static str, end: &'static str| {
        st(name).prepare(move |w| {
            w.replace(
                "st.toml",
                "start = \"2021-11-15\"",
                &format!("start = \"{start}\""),
            );
            w.replace(
                "st.toml",
                "end = \"2022-03-15\"",
                &format!("end = \"{end}\""),
            );
        })
    };
    let key = |table: &'static str, k: &'static str, v: &'static str| {
        st(&format!("key/{table}.{k}={v}")).prepare(move |w| {
            set_toml(&w.path("st.toml"), Some(table), k, v);
        })
    };
    let mut out = vec![
        season("season-100-years", "2000-01-01", "2099-12-31")
            .exit(3)
            .says("st.toml")
            .says("a season lasts at most 366 days"),
        season("season-367-days", "2021-01-01", "2022-01-02")
            .exit(3)
            .says("367 days"),
        season("season-year-1900", "1900-01-01", "1900-03-01")
            .exit(3)
            .says("start = \"1900-01-01\": outside the allowed range 2000-01-01 → 2100-12-31"),
        season("season-year-9999", "9999-01-01", "9999-02-01")
            .exit(3)
            .says("outside the allowed range"),
        st("seasons-far-apart")
            .prepare(|w| {
                w.append(
                    "st.toml",
                    "[[seasons]]\nname = \"远\"\nstart = \"2030-01-01\"\nend = \"2030-02-01\"\n",
                )
            })
            .exit(3)
            .says("keep the seasons of one scenario within 732 days"),
        st("nine-seasons")
            .prepare(|w| {
                for m in 1..=9 {
                    w.append(
                        "st.toml",
                        &format!("[[seasons]]\nname = \"s{m}\"\nstart = \"2023-{m:02}-01\"\nend = \"2023-{m:02}-10\"\n"),
                    );
                }
            })
            .exit(3)
            .says("10 [[seasons]]: at most 8"),
        key("blocks", "min_days", "0").exit(3).says("[blocks] min_days = 0"),
        key("blocks", "min_days", "100000")
            .exit(3)
            .says("[blocks] min_days = 100000")
            .says("[1, 366]"),
        key("blocks", "startup_cost_days", "-1")
            .exit(3)
            .says("[blocks] startup_cost_days = -1"),
        key("blocks", "startup_cost_days", "nan")
            .exit(3)
            .says("[blocks] startup_cost_days = NaN"),
        key("caps", "default", "1.5").exit(3).says("[caps] default = 1.5"),
        key("uplift.red", "pm", "-1").exit(3).says("[uplift.red] pm = -1"),
        key("uplift.red", "pm", "inf").exit(3).says("[uplift.red] pm = inf"),
        key("solver", "threads", "0")
            .exit(3)
            .says("st.toml: [solver] threads = 0")
            .says_not("--threads"),
        key("solver", "time_limit", "nan")
            .exit(3)
            .says("[solver] time_limit = NaN"),
        st("value-factor-nan")
            .prepare(|w| {
                set_toml(
                    &w.path("st.toml"),
                    None,
                    "value_factor",
                    "[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, nan]",
                )
            })
            .exit(3)
            .says("value_factor[11] (month 12) = NaN"),
        st("season-cut-negative")
            .prepare(|w| w.append("st.toml", "[seasons.cut]\npm = -2\n"))
            .exit(3)
            .says("cut.pm = -2"),
        st("unknown-key")
            .prepare(|w| set_toml(&w.path("st.toml"), Some("blocks"), "min_day", "3"))
            .exit(3)
            .says("did you mean `min_days`?"),
        st("base-works")
            .prepare(|w| {
                let text = w.read("st.toml");
                w.write("st-base.toml", text);
                w.write("st.toml", "base = \"st-base.toml\"\nname = \"错峰（基于）\"\n");
            })
            .exit(0),
        st("base-missing")
            .prepare(|w| w.write("st.toml", "base = \"gone.toml\"\nname = \"x\"\n"))
            .exit(7)
            .says("gone.toml"),
    ];
    // Tables: day counts up to 366 (E202), start-up costs (E212), dates near the seasons (E211).
    out.push(
        st("table/quota-min-days-huge")
            .prepare(|w| {
                let line = first_line(w);
                set_toml(&w.path("st.toml"), None, "quotas", "\"st/quotas.csv\"");
                w.write(
                    "st/quotas.csv",
                    format!("范围,时段,开始日期,结束日期,最少停产天数\n{line},冬季,2021-11-15,2022-03-15,100000\n"),
                );
            })
            .exit(3)
            .says("E202")
            .says("366"),
    );
    out.push(
        st("table/participation-startup-cost-huge")
            .prepare(|w| {
                w.write(
                    "st/participation.csv",
                    "行业,绩效等级,方式,启停成本天数\n*,*,错峰,1000\n",
                )
            })
            .exit(3)
            .says("E212")
            .says("1000"),
    );
    out.push(
        st("table/participation-min-block-huge")
            .prepare(|w| {
                w.write(
                    "st/participation.csv",
                    "行业,绩效等级,方式,最短停产天数\n*,*,错峰,5000\n",
                )
            })
            .exit(3)
            .says("E202")
            .says("5000"),
    );
    out.push(
        st("table/government-date-far")
            .prepare(|w| {
                let line = first_line(w);
                set_toml(&w.path("st.toml"), None, "government", "\"st/gov.csv\"");
                w.write(
                    "st/gov.csv",
                    format!("生产线编号,开始日期,结束日期,原因\n{line},2090-01-01,2090-01-03,远\n"),
                );
            })
            .exit(3)
            .says("E211")
            .says("2090-01-01"),
    );
    out.push(
        st("table/government-100-year-stop")
            .prepare(|w| {
                let line = first_line(w);
                set_toml(&w.path("st.toml"), None, "government", "\"st/gov.csv\"");
                w.write(
                    "st/gov.csv",
                    format!(
                        "生产线编号,开始日期,结束日期,原因\n{line},2000-01-01,2099-12-31,百年\n"
                    ),
                );
            })
            .exit(3)
            .says("E211"),
    );
    out.push(
        st("table/maintenance-duration-huge")
            .prepare(|w| {
                let line = first_line(w);
                set_toml(&w.path("st.toml"), None, "maintenance", "\"st/m.csv\"");
                w.write(
                    "st/m.csv",
                    format!("生产线编号,检修任务,工期天数,最早开始,最晚结束\n{line},大修,500,2021-11-15,2022-03-15\n"),
                );
            })
            .exit(3)
            .says("E202")
            .says("500"),
    );
    out.push(
        st("table/forecast-year-1999")
            .prepare(|w| {
                set_toml(&w.path("st.toml"), None, "forecast", "\"st/f.csv\"");
                w.write("st/f.csv", "日期,预警级别\n1999-12-01,红色\n");
            })
            .exit(3)
            .says("E211"),
    );
    out
}

/// `set_toml_key` for any file of the work folder.
fn set_toml(path: &Path, table: Option<&str>, key: &str, value: &str) {
    super::set_toml_key(path, table, key, value);
}

/// Summaries name their inputs relative to the result directory (found from any folder), and
/// the same run from the same folder writes the same bytes.
fn summaries() -> Vec<Case> {
    let stored = |w: &Work, dir: &str, pointer: &str| -> Result<String, String> {
        let text = std::fs::read_to_string(w.path(dir).join("summary.json"))
            .map_err(|e| format!("{dir}/summary.json: {e}"))?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let s = v
            .pointer(pointer)
            .and_then(|x| x.as_str())
            .ok_or_else(|| format!("{dir}/summary.json has no {pointer}"))?
            .to_string();
        if !w.path(dir).join(&s).exists() {
            return Err(format!(
                "{dir}/summary.json {pointer} = {s:?}: not found from {dir}"
            ));
        }
        Ok(text)
    };
    vec![
        Case::new(
            "scenario/summary/plan-path-relative-to-result",
            &["plan", "s.toml", "--out", "deep/er/o", "--quiet"],
        )
        .exit(0)
        .after(move |w, _| {
            let first = stored(w, "deep/er/o", "/scenario_file")?;
            // The same run again from the same folder: the same summary, byte for byte.
            let again = Command::new(BIN)
                .args(["plan", "s.toml", "--out", "deep/er/o2", "--quiet"])
                .current_dir(&w.root)
                .status()
                .map_err(|e| e.to_string())?;
            if !again.success() {
                return Err("second plan failed".into());
            }
            let second = std::fs::read_to_string(w.path("deep/er/o2/summary.json"))
                .map_err(|e| e.to_string())?;
            let strip = |t: &str| {
                t.lines()
                    .filter(|l| !l.contains("seconds") && !l.contains("elapsed"))
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            };
            if strip(&first).iter().find(|l| l.contains("scenario_file"))
                != strip(&second).iter().find(|l| l.contains("scenario_file"))
            {
                return Err("scenario_file differs between two identical runs".into());
            }
            // A report from another working folder finds the scenario.
            let rep = Command::new(BIN)
                .args(["--quiet", "report", "o", "--out", "rep"])
                .current_dir(w.path("deep/er"))
                .output()
                .map_err(|e| e.to_string())?;
            if !rep.status.success() {
                return Err(format!(
                    "report from another folder failed: {}",
                    String::from_utf8_lossy(&rep.stderr)
                ));
            }
            Ok(())
        }),
        Case::new(
            "scenario/summary/revise-paths-relative-to-result",
            &[
                "revise",
                "s.toml",
                "--previous",
                "plan",
                "--out",
                "sub/r",
                "--quiet",
            ],
        )
        .exit(0)
        .after(move |w, _| {
            stored(w, "sub/r", "/scenario_file")?;
            stored(w, "sub/r", "/revision/previous")?;
            Ok(())
        }),
    ]
}

pub fn cases() -> Vec<Case> {
    let mut all = Vec::new();
    all.extend(numeric_keys());
    all.extend(threads_key());
    all.extend(monotone());
    all.extend(partial_tables());
    all.extend(unknown_keys());
    all.extend(unquoted_keys());
    all.extend(files());
    all.extend(flags());
    all.extend(sweeps());
    all.extend(stagger());
    all.extend(summaries());
    all
}
