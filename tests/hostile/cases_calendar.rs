//! Hostile cases: calendars plants can run (issue 14). Participation cells and scenario keys of
//! the minimum run and the block limit out of range (E701, E702, `[blocks]` keys), and
//! hand-written calendars that `check` must reject for a short production run or too many stop
//! blocks in a season, naming the line, the dates and the rule.

use super::{set_toml_key, Case, Work};

/// A stagger scenario on the fixture city: every line staggered in one winter (2021-11-15 →
/// 2022-03-15), no quotas or targets, so any calendar that keeps the rules passes `check`.
fn fixture(w: &Work) {
    w.write(
        "cal.toml",
        "name = \"错峰\"\ninventory = \"city\"\nparticipation = \"cal/participation.csv\"\n\
         [blocks]\nmin_days = 7\n\
         [[seasons]]\nname = \"冬季\"\nstart = \"2021-11-15\"\nend = \"2022-03-15\"\n\
         [solver]\ntime_limit = 20\n",
    );
    w.write("cal/participation.csv", "行业,绩效等级,方式\n*,*,错峰\n");
}

/// The id of the fixture city's first line.
fn first_line(w: &Work) -> String {
    let text = w.read("city/lines.csv");
    let mut rows = text.lines();
    let header: Vec<&str> = rows
        .next()
        .unwrap()
        .trim_start_matches('\u{feff}')
        .split(',')
        .collect();
    let c = header
        .iter()
        .position(|h| *h == "line_id" || *h == "生产线编号")
        .unwrap_or(0);
    rows.next().unwrap().split(',').nth(c).unwrap().to_string()
}

/// Write `cal/calendar.csv` with chosen blocks `(start, end)` (dates) for the first line.
fn blocks(w: &Work, list: &[(String, String, usize)]) {
    let line = first_line(w);
    let mut text = String::from("生产线编号,开始日期,结束日期,天数,类型\n");
    for (a, b, n) in list {
        text.push_str(&format!("{line},{a},{b},{n},错峰停产\n"));
    }
    w.write("cal/calendar.csv", text);
}

/// Date `days` after 2021-12-01.
fn dec(days: i64) -> String {
    (chrono::NaiveDate::from_ymd_opt(2021, 12, 1).unwrap() + chrono::Duration::days(days))
        .to_string()
}

fn check(name: String) -> Case {
    Case::new(
        name,
        &["check", "cal/calendar.csv", "--scenario", "cal.toml"],
    )
    .prepare(fixture)
}

fn stagger(name: String) -> Case {
    Case::new(name, &["stagger", "cal.toml", "--out", "co"]).prepare(fixture)
}

/// Two 7-day blocks with `run` production days between them.
fn two_blocks(run: i64) -> Vec<(String, String, usize)> {
    vec![(dec(0), dec(6), 7), (dec(7 + run), dec(13 + run), 7)]
}

pub fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    // Runs of 1–6 days between two chosen blocks break the default 7-day minimum run; the
    // message names the line, the run's dates, its length and the rule.
    for run in 1..=6i64 {
        out.push(
            check(format!("calendar/run/{run}-day-run-default"))
                .prepare(move |w| blocks(w, &two_blocks(run)))
                .exit(6)
                .says("violation[run]")
                .says(format!(
                    "production run {} → {} between two stops lasts {run} days",
                    dec(7),
                    dec(6 + run)
                ))
                .says("minimum run of 7 days"),
        );
    }
    // Exactly the minimum passes.
    out.push(
        check("calendar/run/7-day-run-passes".into())
            .prepare(|w| blocks(w, &two_blocks(7)))
            .exit(0)
            .says("0 violations"),
    );
    // A participation row's own minimum run (最短连续生产天数) replaces the default.
    for (rule, run, bad) in [
        (3i64, 2i64, true),
        (3, 3, false),
        (10, 8, true),
        (0, 1, false),
    ] {
        let case = check(format!("calendar/run/rule-{rule}-run-{run}")).prepare(move |w| {
            w.write(
                "cal/participation.csv",
                format!("行业,绩效等级,方式,最短连续生产天数\n*,*,错峰,{rule}\n"),
            );
            blocks(w, &two_blocks(run));
        });
        out.push(if bad {
            case.exit(6)
                .says("violation[run]")
                .says(format!("lasts {run} days"))
                .says(format!("minimum run of {rule} days"))
        } else {
            case.exit(0).says("0 violations")
        });
    }
    // The scenario key sets it for every line.
    out.push(
        check("calendar/run/key-min-run-days-14".into())
            .prepare(|w| {
                set_toml_key(&w.path("cal.toml"), Some("blocks"), "min_run_days", "14");
                blocks(w, &two_blocks(10));
            })
            .exit(6)
            .says("lasts 10 days")
            .says("minimum run of 14 days"),
    );
    // Too many blocks in the season (limit from the key or the participation row).
    for limit in 1..=3usize {
        out.push(
            check(format!(
                "calendar/blocks/{}-blocks-limit-{limit}",
                limit + 1
            ))
            .prepare(move |w| {
                set_toml_key(
                    &w.path("cal.toml"),
                    Some("blocks"),
                    "max_per_season",
                    &limit.to_string(),
                );
                let list: Vec<(String, String, usize)> = (0..=limit as i64)
                    .map(|k| (dec(14 * k), dec(14 * k + 6), 7))
                    .collect();
                blocks(w, &list);
            })
            .exit(6)
            .says("violation[blocks]")
            .says(format!(
                "season 冬季: {} stop blocks, at most {limit} allowed",
                limit + 1
            ))
            .says(format!(
                "{} → {}",
                dec(14 * limit as i64),
                dec(14 * limit as i64 + 6)
            )),
        );
    }
    out.push(
        check("calendar/blocks/rule-limit-2".into())
            .prepare(|w| {
                w.write(
                    "cal/participation.csv",
                    "行业,绩效等级,方式,每季最多停产段数\n*,*,错峰,2\n",
                );
                let list: Vec<(String, String, usize)> =
                    (0..3).map(|k| (dec(14 * k), dec(14 * k + 6), 7)).collect();
                blocks(w, &list);
            })
            .exit(6)
            .says("3 stop blocks, at most 2 allowed"),
    );
    // Participation cells out of range: E701 (minimum run), E702 (block limit), E005 (not a
    // number), E006 (negative), naming the column and the value.
    for v in ["-1", "1.5", "367", "七"] {
        out.push(
            stagger(format!("calendar/cell/min-run-days={v}"))
                .prepare(move |w| {
                    w.write(
                        "cal/participation.csv",
                        format!("行业,绩效等级,方式,最短连续生产天数\n*,*,错峰,{v}\n"),
                    )
                })
                .exit(3)
                .says(match v {
                    "七" => "E005",
                    "-1" => "E006",
                    _ => "E701",
                })
                .says("最短连续生产天数")
                .says(v),
        );
    }
    for v in ["0", "-2", "2.5", "400", "多"] {
        out.push(
            stagger(format!("calendar/cell/max-blocks={v}"))
                .prepare(move |w| {
                    w.write(
                        "cal/participation.csv",
                        format!("行业,绩效等级,方式,每季最多停产段数\n*,*,错峰,{v}\n"),
                    )
                })
                .exit(3)
                .says(match v {
                    "多" => "E005",
                    "-2" => "E006",
                    _ => "E702",
                })
                .says("每季最多停产段数")
                .says(v),
        );
    }
    // Scenario keys out of range.
    for (key, v, says) in [
        ("min_run_days", "367", "[blocks] min_run_days"),
        ("min_run_days", "100000", "[blocks] min_run_days"),
        ("max_per_season", "0", "[blocks] max_per_season"),
        ("max_per_season", "1000", "[blocks] max_per_season"),
    ] {
        out.push(
            stagger(format!("calendar/key/{key}={v}"))
                .prepare(move |w| set_toml_key(&w.path("cal.toml"), Some("blocks"), key, v))
                .exit(3)
                .says(says)
                .says(v),
        );
    }
    out
}
