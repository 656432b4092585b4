//! Calendars plants can run (issue 14, item 2): a minimum production run between a chosen stop
//! block and another stop, a limit on chosen blocks per season, both exact in the pricing DP and
//! the enumeration, kept by the greedy and verified by the checker; stops beyond a quota only
//! where a daily target needs them (and said so); plain-Chinese reasons, line names and dates in
//! the outputs; `stagger --threads` honoured with the same calendar for 1 and 2 threads.

use assert_cmd::Command;
use chrono::NaiveDate;
use jianpai::domain::Level;
use jianpai::seeds::rng::Rng;
use jianpai::solve::{Method, SolveOptions, Status};
use jianpai::stagger::check::{check_states, short_runs, total_cost};
use jianpai::stagger::instance::{runs, Day, IndustryCap, Season, UnitPlan};
use jianpai::stagger::{calendar, enumerate, generate, greedy, pricing, solve};
use jianpai::stagger::{Instance, Mode, Quota, State, Unit};
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn opts(threads: u32) -> SolveOptions {
    SolveOptions {
        method: Method::Mip,
        time_limit: 30.0,
        rel_gap: 0.0,
        threads,
    }
}

/// A tiny instance: `units` staggered lines over `days` season days, blocks of 2, a minimum run
/// of `min_run`, at most `max_blocks` blocks per season, a quota and a NOx target.
fn tiny(
    seed: u64,
    units: usize,
    days: usize,
    min_run: usize,
    max_blocks: Option<usize>,
) -> Instance {
    let mut r = Rng::new(seed);
    let first = NaiveDate::from_ymd_opt(2024, 1, 10).unwrap();
    let list: Vec<Unit> = (0..units)
        .map(|i| Unit {
            line: format!("L{i}"),
            name: format!("{i}号熟料线"),
            process: "熟料".into(),
            credit_code: format!("C{i}"),
            enterprise: format!("企业{i}"),
            district: "区".into(),
            industry: 0,
            grade: "C".into(),
            mode: Mode::Stagger,
            value: r.range(5.0, 50.0),
            emissions: [0.0, r.range(0.2, 1.0), 0.0, 0.0],
            capacity: r.range(1.0, 10.0),
            min_block: 2,
            min_run,
            max_blocks,
            startup_cost: r.range(0.0, 3.0),
            quotas: vec![Quota {
                name: "冬季".into(),
                first: 0,
                last: days - 1,
                min_days: r.int(2, 4),
            }],
            gov_days: if i == 1 && r.chance(0.5) {
                vec![r.int(2, days - 3)]
            } else {
                Vec::new()
            },
            jobs: Vec::new(),
        })
        .collect();
    let total: f64 = list.iter().map(|u| u.emissions[1]).sum();
    // Expensive days in the middle push stops to the ends, where a short run would be cheapest.
    let day_list = (0..days)
        .map(|d| Day {
            date: first + chrono::Duration::days(d as i64),
            season: Some(0),
            level: (d % 4 == 1).then_some(Level::Orange),
            target: [
                0.0,
                if d % 4 == 1 {
                    total * 0.45
                } else {
                    total * 0.1
                },
                0.0,
                0.0,
            ],
            value_factor: if d < 3 || d + 3 >= days { 0.3 } else { 1.0 },
        })
        .collect();
    Instance {
        name: "tiny".into(),
        days: day_list,
        seasons: vec![Season {
            name: "冬季".into(),
            first: 0,
            last: days - 1,
        }],
        industries: vec![IndustryCap {
            code: "cement".into(),
            name_zh: "水泥".into(),
            name_en: "cement".into(),
            capacity: 100.0,
            share: 1.0,
        }],
        units: list,
        maintenance_counts: true,
    }
}

/// Every calendar of one line that the checker accepts on its own (no targets, no caps): all
/// 2^choosable-days choices of stop days, filtered.
fn line_calendars(inst: &Instance, ui: usize) -> Vec<Vec<State>> {
    let u = &inst.units[ui];
    let mut alone = inst.clone();
    alone.units = vec![u.clone()];
    for d in &mut alone.days {
        d.target = [0.0; 4];
    }
    let n = inst.days.len();
    let can: Vec<usize> = (0..n).filter(|&d| inst.choosable(u, d)).collect();
    (0u32..1 << can.len())
        .filter_map(|mask| {
            let mut chosen = vec![false; n];
            for (i, &d) in can.iter().enumerate() {
                chosen[d] = mask >> i & 1 == 1;
            }
            let plan = UnitPlan {
                blocks: runs(&chosen, |&c| c),
                job_starts: Vec::new(),
            };
            let s = alone.states(u, &plan);
            check_states(&alone, std::slice::from_ref(&s))
                .is_empty()
                .then_some(s)
        })
        .collect()
}

/// The cheapest calendar of all lines by enumeration (None when none exists).
fn brute_force(inst: &Instance) -> Option<f64> {
    let per: Vec<Vec<Vec<State>>> = (0..inst.units.len())
        .map(|u| line_calendars(inst, u))
        .collect();
    let mut best: Option<f64> = None;
    for a in &per[0] {
        for b in &per[1] {
            let states = vec![a.clone(), b.clone()];
            let c = total_cost(inst, &states);
            if best.is_none_or(|x| c < x) && check_states(inst, &states).is_empty() {
                best = Some(c);
            }
        }
    }
    best
}

#[test]
fn brute_force_equals_the_optimiser_with_the_run_rule() {
    let mut bites = 0;
    let mut compared = 0;
    for seed in 0..8 {
        for (min_run, max_blocks) in [(3, None), (4, Some(2)), (3, Some(1))] {
            let inst = tiny(seed, 2, 10, min_run, max_blocks);
            let Some(best) = brute_force(&inst) else {
                continue;
            };
            compared += 1;
            let out = solve::solve(&inst, &opts(1));
            assert_eq!(out.status, Status::Optimal, "seed {seed} run {min_run}");
            let obj = out.objective.unwrap();
            assert!(
                (obj - best).abs() <= 1e-6 * best.max(1.0),
                "seed {seed} run {min_run} blocks {max_blocks:?}: optimiser {obj}, brute force {best}"
            );
            let states = out.states.unwrap();
            assert!(check_states(&inst, &states).is_empty());
            for (u, s) in inst.units.iter().zip(&states) {
                assert!(short_runs(u, s).is_empty(), "seed {seed}: {s:?}");
            }
            // Without the rules the optimum is sometimes cheaper: the rules bite.
            let mut free = inst.clone();
            for u in &mut free.units {
                u.min_run = 0;
                u.max_blocks = None;
            }
            bites += usize::from(brute_force(&free).is_some_and(|f| f < best - 1e-9));
        }
    }
    assert!(compared >= 12, "only {compared} feasible tiny calendars");
    assert!(
        bites >= 3,
        "the rules changed the optimum only {bites} times"
    );
}

#[test]
fn pricing_and_enumeration_are_exact_under_the_rules() {
    let mut r = Rng::new(7);
    for seed in 0..6 {
        for (min_run, max_blocks) in [(3, None), (5, Some(2)), (2, Some(1))] {
            let inst = tiny(seed, 2, 10, min_run, max_blocks);
            for ui in 0..2 {
                let u = &inst.units[ui];
                let mut want = line_calendars(&inst, ui);
                // Enumeration lists exactly the calendars the checker accepts.
                let mut got: Vec<Vec<State>> = enumerate::line_plans(&inst, ui)
                    .expect("few calendars")
                    .iter()
                    .map(|p| inst.states(u, p))
                    .collect();
                got.sort_by_key(|s| format!("{s:?}"));
                want.sort_by_key(|s| format!("{s:?}"));
                assert_eq!(got, want, "seed {seed} line {ui} run {min_run}");
                // The DP's cheapest calendar under random day prices (some negative, as duals
                // make them) costs what the cheapest of all calendars costs.
                for _ in 0..5 {
                    let price: Vec<f64> = (0..10).map(|_| r.range(-20.0, 20.0)).collect();
                    let startup = r.range(0.0, 5.0);
                    let priced = |s: &Vec<State>| {
                        let days: f64 = (0..10)
                            .filter(|&d| s[d] == State::Chosen)
                            .map(|d| price[d])
                            .sum();
                        days + startup * runs(s, |x| *x == State::Chosen).len() as f64
                    };
                    let best = want.iter().map(priced).fold(f64::INFINITY, f64::min);
                    match pricing::cheapest(&inst, ui, &price, startup) {
                        Some((plan, cost)) => {
                            let s = inst.states(u, &plan);
                            assert!(want.contains(&s), "the DP's calendar breaks a rule: {s:?}");
                            assert!((cost - best).abs() < 1e-9, "DP {cost} vs {best}");
                        }
                        None => assert!(want.is_empty()),
                    }
                }
            }
        }
    }
}

#[test]
fn optimiser_and_greedy_calendars_keep_runs_and_block_limits() {
    let mut inst = generate::instance(generate::Spec {
        lines: 20,
        days: 60,
        min_block: 5,
        min_run: 7,
        seed: 3,
    });
    for u in &mut inst.units {
        u.max_blocks = Some(3);
    }
    for method in [Method::Greedy, Method::Mip] {
        let out = solve::solve(
            &inst,
            &SolveOptions {
                method,
                time_limit: 5.0,
                rel_gap: 0.05,
                threads: 1,
            },
        );
        let s = out.states.expect("a calendar");
        assert!(check_states(&inst, &s).is_empty(), "{method:?}");
        for (u, s) in inst.units.iter().zip(&s) {
            assert!(short_runs(u, s).is_empty(), "{method:?} {}", u.line);
            assert!(runs(s, |x| *x == State::Chosen).len() <= 3);
        }
    }
}

#[test]
fn same_calendar_for_one_and_two_threads() {
    for seed in 0..4 {
        let inst = tiny(seed, 2, 10, 3, Some(2));
        let one = solve::solve(&inst, &opts(1));
        let two = solve::solve(&inst, &opts(2));
        assert_eq!(one.states, two.states, "seed {seed}");
        assert_eq!(one.objective, two.objective);
        assert_eq!(one.status, two.status);
    }
}

#[test]
fn the_checker_rejects_short_runs_and_too_many_blocks() {
    let inst = tiny(1, 2, 14, 4, Some(2));
    let mut s = vec![vec![State::Run; 14]; 2];
    // L0: blocks 0–1 and 4–5 with a 2-day run (02–03) between, then 10–11: three blocks.
    for d in [0, 1, 4, 5, 10, 11] {
        s[0][d] = State::Chosen;
    }
    let v = check_states(&inst, &s);
    let run = v.iter().find(|v| v.kind == "run").expect("a run violation");
    assert_eq!(run.line.as_deref(), Some("L0"));
    assert!(
        run.message.contains("2024-01-12 → 2024-01-13")
            && run.message.contains("2 days")
            && run.message.contains("minimum run of 4 days"),
        "{}",
        run.message
    );
    let blocks = v
        .iter()
        .find(|v| v.kind == "blocks")
        .expect("a block-count violation");
    assert!(
        blocks.message.contains("3 stop blocks, at most 2")
            && blocks.message.contains("2024-01-20 → 2024-01-21"),
        "{}",
        blocks.message
    );
    // A short run between a chosen block and a government stop counts too; between two
    // government stops (no chosen block) it does not.
    let mut g = inst.clone();
    g.units[1].gov_days = vec![5, 8];
    let mut s = vec![vec![State::Run; 14]; 2];
    s[1][5] = State::Gov;
    s[1][8] = State::Gov;
    assert!(short_runs(&g.units[1], &s[1]).is_empty());
    s[1][2] = State::Chosen;
    s[1][3] = State::Chosen;
    assert_eq!(short_runs(&g.units[1], &s[1]), vec![(4, 4)]);
}

#[test]
fn polish_drops_stops_no_quota_or_target_needs() {
    let inst = tiny(2, 2, 10, 3, None);
    let out = solve::solve(&inst, &opts(1));
    let mut s = out.states.expect("a calendar");
    // Stretch L0's last block to the end of the season where nothing needs it.
    let (_, b) = *runs(&s[0], |x| *x == State::Chosen).last().unwrap();
    let before = total_cost(&inst, &s);
    for x in &mut s[0][b + 1..] {
        *x = State::Chosen;
    }
    if b + 1 < 10 {
        assert!(total_cost(&inst, &s) > before);
        let p = greedy::polish(&inst, s);
        assert!(check_states(&inst, &p).is_empty());
        assert!((total_cost(&inst, &p) - before).abs() < 1e-9);
    }
}

/// A cement calendar over the bundled Wuxi inventory: six weeks, C kilns stagger with a 7-day
/// minimum run; the NOx target needs more than the quotas on the warning days.
fn cement_fixture(dir: &Path, solver: &str) {
    let w = |n: &str, t: &str| std::fs::write(dir.join(n), t).unwrap();
    w(
        "participation.csv",
        "行业,绩效等级,区县,工序,方式,最短停产天数,启停成本天数,最短连续生产天数\n\
         cement,D,*,熟料,整季停产,,,\ncement,C,*,熟料,错峰,5,1,7\n",
    );
    w(
        "quotas.csv",
        "范围,时段,开始日期,结束日期,最少停产天数\n\
         cement,冬季,2024-02-10,2024-03-10,8\ncement,2月,2024-02-10,2024-02-29,5\n",
    );
    w("forecast.csv", "日期,预警级别\n2024-02-29,橙色\n");
    w(
        "s.toml",
        &format!(
            "name = \"错峰\"\ninventory = \"{ROOT}/seeds/wuxi-2021\"\n\
             participation = \"participation.csv\"\nquotas = \"quotas.csv\"\n\
             forecast = \"forecast.csv\"\n[blocks]\nmin_days = 7\n[caps]\ndefault = 0.6\n\
             [[seasons]]\nname = \"冬季\"\nstart = \"2024-02-10\"\nend = \"2024-03-10\"\n\
             [seasons.cut]\nnox = 40.0\n[uplift.orange]\nnox = 25.0\n[solver]\n{solver}\n"
        ),
    );
}

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

#[test]
fn cli_calendar_is_runnable_readable_and_thread_independent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cement_fixture(d, "time_limit = 60\nrel_gap = 0.05");
    for (out, threads) in [("a", "1"), ("b", "2")] {
        jianpai()
            .args(["--quiet", "stagger"])
            .arg(d.join("s.toml"))
            .arg("--out")
            .arg(d.join(out))
            .args(["--threads", threads])
            .assert()
            .success();
    }
    for file in ["calendar.csv", "days.csv"] {
        assert_eq!(
            std::fs::read(d.join("a").join(file)).unwrap(),
            std::fs::read(d.join("b").join(file)).unwrap(),
            "{file} differs between 1 and 2 threads"
        );
    }
    let cal = std::fs::read_to_string(d.join("a/calendar.csv")).unwrap();
    assert!(cal.starts_with("\u{feff}生产线编号,生产线名称,"), "{cal}");
    // Plain reasons built from the data, never the rule's codes.
    assert!(
        cal.contains("C级水泥熟料错峰：冬季配额8天，其中2月≥5天"),
        "{cal}"
    );
    assert!(cal.contains("D级水泥熟料整季停产"), "{cal}");
    assert!(!cal.contains("cement C 错峰"));
    // The orange day needs more than the quotas: the extra stops say why.
    assert!(
        cal.lines().any(|l| l.contains("超出配额（冬季停产")
            && l.contains("02-29")
            && l.contains("的日减排目标需要本线停产")),
        "{cal}"
    );
    // Blocks within the quota say nothing of the sort.
    assert!(cal
        .lines()
        .any(|l| l.ends_with(",C级水泥熟料错峰：冬季配额8天，其中2月≥5天")));
    // Line names (not ids) in the name column.
    let rows: Vec<Vec<&str>> = cal
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert!(rows.iter().all(|r| !r[1].is_empty() && r[1] != r[0]));
    // The checker passes the calendar as written.
    jianpai()
        .args(["check"])
        .arg(d.join("a"))
        .arg("--scenario")
        .arg(d.join("s.toml"))
        .assert()
        .success();
    // The report's charts have dates on their axes.
    jianpai()
        .args(["--quiet", "report"])
        .arg(d.join("a"))
        .arg("--out")
        .arg(d.join("r"))
        .assert()
        .success();
    let html = std::fs::read_to_string(d.join("r/报告.html")).unwrap();
    let daily = &html[html.find("NOx 逐日减排量与目标").expect("the daily chart")..];
    let daily = &daily[..daily.find("</svg>").unwrap()];
    for tick in ["02-10", "02-17", "02-24", "03-02", "03-09"] {
        assert!(
            daily.contains(&format!(">{tick}</text>")),
            "{tick} on the axis"
        );
    }
    assert!(
        daily.contains("<title>减排量: 02-29,"),
        "dates in the tooltips"
    );
    assert!(!daily.contains("第几天"));
}

#[test]
fn cli_check_rejects_a_tampered_calendar_with_a_two_day_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cement_fixture(d, "time_limit = 60\nrel_gap = 0.05");
    jianpai()
        .args(["--quiet", "stagger"])
        .arg(d.join("s.toml"))
        .arg("--out")
        .arg(d.join("a"))
        .assert()
        .success();
    let path = d.join("a/calendar.csv");
    let cal = std::fs::read_to_string(&path).unwrap();
    // A staggered block that ends early enough: add a 7-day block after a 2-day run.
    let row = cal
        .lines()
        .find(|l| {
            let f: Vec<&str> = l.split(',').collect();
            f.len() > 9 && f[9] == "错峰停产" && f[7] <= "2024-02-25"
        })
        .expect("a staggered block ending by 02-25");
    let f: Vec<&str> = row.split(',').collect();
    let end = NaiveDate::parse_from_str(f[7], "%Y-%m-%d").unwrap();
    let (a, b) = (
        end + chrono::Duration::days(3),
        end + chrono::Duration::days(9),
    );
    let extra = format!(
        "{},{},{},{},{},{},{a},{b},7,错峰停产,,手工添加\n",
        f[0], f[1], f[2], f[3], f[4], f[5]
    );
    // Drop the line's other rows after the block so nothing overlaps.
    let kept: String = cal
        .lines()
        .filter(|l| {
            let g: Vec<&str> = l.split(',').collect();
            !(g[0] == f[0] && g.len() > 7 && g[6] > f[7])
        })
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&path, format!("{kept}{extra}")).unwrap();
    let second = end + chrono::Duration::days(1);
    jianpai()
        .args(["check"])
        .arg(d.join("a"))
        .arg("--scenario")
        .arg(d.join("s.toml"))
        .assert()
        .code(6)
        .stderr(predicates::str::contains(format!(
            "violation[run] line {} {second}: production run {second} → {}",
            f[0],
            end + chrono::Duration::days(2)
        )))
        .stderr(predicates::str::contains("minimum run of 7 days"));
}

#[test]
fn reasons_read_as_plain_chinese() {
    let inst = tiny(0, 2, 10, 3, None);
    let mut u = inst.units[0].clone();
    u.quotas.push(Quota {
        name: "1月".into(),
        first: 0,
        last: 5,
        min_days: 2,
    });
    assert_eq!(
        calendar::reason(&inst, &u, false),
        format!(
            "C级水泥熟料错峰：冬季配额{}天，其中1月≥2天",
            u.quotas[0].min_days
        )
    );
    assert!(
        calendar::reason(&inst, &u, true).starts_with("grade C cement 熟料 staggered: 冬季 quota")
    );
}
