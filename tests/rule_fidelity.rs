//! Rule fidelity (issue 13 item 5): a whole-line stop share counts the lines of the processes the
//! rule names — clinker kilns, not grinding mills — in the model, in the shipped rules and in
//! `check`.

mod common;

use common::*;
use jianpai::domain::*;
use jianpai::model::{build, Problem};
use jianpai::rules::{resolve, Rules};
use jianpai::solve::{solve, Method, SolveOptions, Status};
use jianpai::units::*;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The shipped rules (Guide 2020 rows and the city's overrides).
fn shipped_rules(ind: &IndustryTable) -> Rules {
    let dir = Path::new(ROOT).join("seeds/rules");
    Rules::load(
        &dir.join("guide-2020.csv"),
        Some(&dir.join("wuxi-city.csv")),
        ind,
    )
    .expect("shipped rules load")
}

/// One grade-C cement firm with three clinker kilns and a grinding mill. The mill is the
/// cheapest line to stop, so counting it as a line would stop it and keep a second kiln running.
fn cement_firm() -> Inventory {
    let mut inv = Inventory {
        industries: industries(),
        ..Default::default()
    };
    inv.districts.insert(
        "宜兴市".into(),
        District {
            name: "宜兴市".into(),
            society: PollutantVec::from_fn(|_| TonnesPerDay(100.0)),
        },
    );
    let code = CreditCode::complete("91320282MA0000045").unwrap();
    inv.enterprises.insert(
        code.clone(),
        Enterprise {
            code: code.clone(),
            name: "宜宏嘉水泥（样例00045）".into(),
            district: "宜兴市".into(),
            industry: "cement".into(),
            grade: Grade::C,
            exempt: None,
            guarantee_min_load: None,
            cluster: None,
        },
    );
    let line = |id: &str, process: &str, value: f64| Line {
        id: id.into(),
        enterprise: code.clone(),
        name: id.into(),
        process: process.into(),
        capacity_approved: CapacityPerDay(100.0),
        capacity_permitted: None,
        output_last_year: None,
        output_value: WanYuanPerDay(value),
        emissions: PollutantVec::from_fn(|_| TonnesPerDay(0.5)),
        electricity: KwhPerDay(1000.0),
        status: LineStatus::Active,
    };
    inv.lines = vec![
        line("K1", "熟料", 30.0),
        line("K2", "熟料", 40.0),
        line("K3", "熟料", 50.0),
        line("M1", "水泥粉磨", 1.0),
    ];
    inv.canonicalize();
    inv
}

fn opts() -> SolveOptions {
    SolveOptions {
        method: Method::Mip,
        time_limit: 30.0,
        rel_gap: 0.0,
        threads: 1,
    }
}

/// Lines stopped at yellow in an assignment.
fn stopped_at_yellow(inv: &Inventory, p: &Problem, a: &[u32]) -> Vec<String> {
    p.units
        .iter()
        .zip(a)
        .filter(|(u, &t)| u.choices[u.triples[t as usize][0] as usize].stop)
        .map(|(u, _)| inv.lines[u.line].id.clone())
        .collect()
}

/// The assignment with exactly `ids` stopped at yellow (every other choice as in `a`).
fn with_yellow_stops(inv: &Inventory, p: &Problem, a: &[u32], ids: &[&str]) -> Vec<u32> {
    p.units
        .iter()
        .zip(a)
        .map(|(u, &t)| {
            let want = ids.contains(&inv.lines[u.line].id.as_str());
            let cur = u.triples[t as usize];
            (0..u.triples.len())
                .find(|&x| {
                    let tr = u.triples[x];
                    u.choices[tr[0] as usize].stop == want && tr[1..] == cur[1..]
                })
                .expect("a triple with that yellow choice") as u32
        })
        .collect()
}

#[test]
fn sl50_on_a_cement_firm_with_three_kilns_and_a_mill_stops_two_kilns() {
    let inv = cement_firm();
    let rules = shipped_rules(&inv.industries);
    let s = scenario([0.0, 0.0, 0.0], false);
    let resolved = resolve(&inv, &rules, &s).unwrap();
    assert_eq!(resolved.lines[0].obligation[0], "SL50:熟料+T4");
    assert_eq!(resolved.groups.len(), 1);
    let members: Vec<&str> = resolved.groups[0]
        .lines
        .iter()
        .map(|&r| inv.lines[resolved.lines[r].line].id.as_str())
        .collect();
    assert_eq!(
        members,
        ["K1", "K2", "K3"],
        "the grinding mill is not counted"
    );
    assert_eq!(
        resolved.groups[0].min_stopped[0], 2,
        "half of 3 kilns, rounded up"
    );

    let p = build(&inv, &resolved, &s);
    let sol = solve(&p, &opts());
    assert_eq!(sol.report.status, Status::Optimal);
    let a = sol.assignment.expect("a plan");
    assert_eq!(
        stopped_at_yellow(&inv, &p, &a),
        ["K1", "K2"],
        "two kilns stop, the cheapest; the mill runs"
    );
    assert_eq!(
        plan_violations(&inv, &rules, &s, &p, &a),
        Vec::<String>::new()
    );

    // A plan stopping the mill and one kiln keeps two kilns running: check rejects it.
    let mill = with_yellow_stops(&inv, &p, &a, &["K1", "M1"]);
    let v = plan_violations(&inv, &rules, &s, &p, &mill);
    assert!(
        v.iter()
            .any(|m| m.starts_with("stop-lines") && m.contains("1 of 3 熟料 lines")),
        "{v:?}"
    );
    // Two kilns and the mill: the share is met by the kilns.
    let more = with_yellow_stops(&inv, &p, &a, &["K1", "K3", "M1"]);
    assert!(!plan_violations(&inv, &rules, &s, &p, &more)
        .iter()
        .any(|m| m.starts_with("stop-lines")));
}

#[test]
fn an_uncounted_share_still_counts_every_line() {
    let inv = cement_firm();
    let (_d, path) = temp_file(
        "rules.csv",
        "industry,grade,level,measure\ncement,C,yellow,SL50+T4\ncement,C,*,S+T4\n*,*,*,V\nnonkey,*,*,V\n",
    );
    let rules = Rules::load(&path, None, &inv.industries).unwrap();
    let resolved = resolve(&inv, &rules, &scenario([0.0; 3], false)).unwrap();
    assert_eq!(resolved.groups[0].lines.len(), 4);
    assert_eq!(resolved.groups[0].min_stopped[0], 2);
}

#[test]
fn levels_counting_different_processes_are_refused_e531() {
    let ind = industries();
    let (_d, path) = temp_file(
        "rules.csv",
        "industry,grade,level,measure\ncement,C,yellow,SL50:熟料+T4\ncement,C,orange,SL50+T4\ncement,C,red,S\n*,*,*,V\nnonkey,*,*,V\n",
    );
    let report = Rules::load(&path, None, &ind).unwrap_err();
    let text = report
        .diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("E531"), "{text}");
    assert!(text.contains("row 3"), "{text}");
    assert!(text.contains("熟料"), "{text}");
}

#[test]
fn shipped_cement_rows_count_kilns() {
    let text = std::fs::read_to_string(Path::new(ROOT).join("seeds/rules/guide-2020.csv")).unwrap();
    for line in text.lines().filter(|l| l.starts_with("cement,")) {
        let measure = line.split(',').nth(3).unwrap();
        if measure.contains("SL") {
            assert!(measure.contains("SL50:熟料"), "{line}");
        }
    }
}
