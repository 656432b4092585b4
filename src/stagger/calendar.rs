//! The calendar as files: `calendar.csv` (one row per stop block or maintenance job), `days.csv`
//! (stopped capacity per industry and cut per pollutant against the target, day by day), and
//! reading a calendar back into day states for the checker.

use super::check::{counts_toward_quota, cuts, stopped_capacity};
use super::instance::{runs, Instance, Mode, Quota, State, Unit, TOL};
use super::tables::CALENDAR;
use crate::domain::Pollutant;
use crate::io::RawTable;
use crate::plan::write::num;
use crate::validate::cells::{error, Sheet};
use crate::validate::Report;
use std::collections::HashMap;

/// Kind label of a state as written in calendar.csv.
pub fn kind(s: State, english: bool) -> &'static str {
    match (s, english) {
        (State::Chosen, false) => "错峰停产",
        (State::Chosen, true) => "stagger",
        (State::Season, false) => "整季停产",
        (State::Season, true) => "season_stop",
        (State::Gov, false) => "政府指令停产",
        (State::Gov, true) => "government",
        (State::Maint(_), false) => "检修",
        (State::Maint(_), true) => "maintenance",
        (State::Run, _) => "",
    }
}

/// The state of a calendar.csv kind label in either language (maintenance with no job yet).
pub fn parse_kind(s: &str) -> Option<State> {
    match s.trim() {
        "错峰停产" | "stagger" => Some(State::Chosen),
        "整季停产" | "season_stop" => Some(State::Season),
        "政府指令停产" | "government" => Some(State::Gov),
        "检修" | "maintenance" => Some(State::Maint(usize::MAX)),
        _ => None,
    }
}

fn industry_name(inst: &Instance, i: usize, english: bool) -> &str {
    let ind = &inst.industries[i];
    if english {
        &ind.name_en
    } else {
        &ind.name_zh
    }
}

fn csv_bytes(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = crate::io::cells::CsvOut::with_bom();
    w.row(header);
    for r in rows {
        w.row(r);
    }
    w.into_bytes()
}

/// Why a line takes part, in plain words built from its data: grade, industry, process and
/// participation, then its quotas (`C级水泥熟料错峰：冬季配额60天，其中2月≥20天`).
pub fn reason(inst: &Instance, u: &Unit, english: bool) -> String {
    let industry = industry_name(inst, u.industry, english);
    let grade = match (english, u.grade.is_ascii()) {
        (false, true) => format!("{}级", u.grade),
        (false, false) => u.grade.clone(),
        (true, _) => format!("grade {}", u.grade),
    };
    let how = match (u.mode, english) {
        (Mode::Stagger, false) => "错峰",
        (Mode::Stagger, true) => "staggered",
        (Mode::SeasonStop, false) => "整季停产",
        (Mode::SeasonStop, true) => "stopped for the season",
        (Mode::Fixed, _) => "",
    };
    let mut out = if english {
        format!("{grade} {industry} {} {how}", u.process)
    } else {
        format!("{grade}{industry}{}{how}", u.process)
    };
    let mut quotas: Vec<&Quota> = u.quotas.iter().collect();
    quotas.sort_by_key(|q| (std::cmp::Reverse(q.last - q.first), q.first));
    let parts: Vec<String> = quotas
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let inner = quotas[..i]
                .iter()
                .any(|o| o.first <= q.first && q.last <= o.last);
            match (english, inner) {
                (false, false) => format!("{}配额{}天", q.name, q.min_days),
                (false, true) => format!("其中{}≥{}天", q.name, q.min_days),
                (true, false) => format!("{} quota {} days", q.name, q.min_days),
                (true, true) => format!("of which {} ≥ {} days", q.name, q.min_days),
            }
        })
        .collect();
    if !parts.is_empty() {
        out.push_str(if english { ": " } else { "：" });
        out.push_str(&parts.join(if english { ", " } else { "，" }));
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Day ranges `MM-DD~MM-DD` of sorted day indices (at most three, then 等/…).
fn day_ranges(inst: &Instance, days: &[usize], english: bool) -> String {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for &d in days {
        match ranges.last_mut() {
            Some(r) if r.1 + 1 == d => r.1 = d,
            _ => ranges.push((d, d)),
        }
    }
    let md = |d: usize| inst.days[d].date.format("%m-%d").to_string();
    let mut text: Vec<String> = ranges
        .iter()
        .take(3)
        .map(|&(a, b)| {
            if a == b {
                md(a)
            } else {
                format!("{}~{}", md(a), md(b))
            }
        })
        .collect();
    if ranges.len() > 3 {
        text.push(if english { "…" } else { "等" }.into());
    }
    text.join(if english { ", " } else { "、" })
}

/// What a chosen block adds to the line's reason when the line stops beyond its quota on some of
/// its days (every quota window holding the day already met without it): the windows and their
/// counts, and the days of the block whose daily cut target needs this line (or the block and
/// run rules that force the extra days).
fn beyond_quota(
    inst: &Instance,
    u: &Unit,
    s: &[State],
    (a, b): (usize, usize),
    cut: &[[f64; 4]],
    english: bool,
) -> Option<String> {
    let count = |q: &Quota| {
        s[q.first..=q.last]
            .iter()
            .filter(|&&x| counts_toward_quota(inst, x))
            .count()
    };
    let beyond = (a..=b).any(|d| {
        u.quotas
            .iter()
            .filter(|q| q.first <= d && d <= q.last)
            .all(|q| count(q) > q.min_days)
    });
    if !beyond {
        return None;
    }
    let windows: Vec<String> = u
        .quotas
        .iter()
        .filter(|q| q.first <= b && a <= q.last && count(q) > q.min_days)
        .map(|q| {
            if english {
                format!("{} {} days against {}", q.name, count(q), q.min_days)
            } else {
                format!("{}停产{}天，配额{}天", q.name, count(q), q.min_days)
            }
        })
        .collect();
    let needed: Vec<usize> = (a..=b)
        .filter(|&d| {
            (0..4).any(|p| {
                u.emissions[p] > 0.0 && cut[d][p] - u.emissions[p] < inst.days[d].target[p] - TOL
            })
        })
        .collect();
    let rest = needed.len() < b - a + 1;
    let why = match (needed.is_empty(), english) {
        (false, false) => format!(
            "{}的日减排目标需要本线停产{}",
            day_ranges(inst, &needed, false),
            if rest {
                "，其余天数为最短停产、最短连续生产天数所需"
            } else {
                ""
            }
        ),
        (false, true) => format!(
            "the daily cut targets of {} need this line{}",
            day_ranges(inst, &needed, true),
            if rest {
                "; the other days keep the minimum block and run"
            } else {
                ""
            }
        ),
        (true, false) => format!(
            "最短停产{}天、最短连续生产{}天的规则所致",
            u.min_block, u.min_run
        ),
        (true, true) => format!(
            "forced by the minimum block of {} days and the minimum run of {} days",
            u.min_block, u.min_run
        ),
    };
    Some(if english {
        if windows.is_empty() {
            format!("; beyond the quotas: {why}")
        } else {
            format!("; beyond the quota ({}): {why}", windows.join(", "))
        }
    } else if windows.is_empty() {
        format!("；超出配额：{why}")
    } else {
        format!("；超出配额（{}）：{why}", windows.join("；"))
    })
}

/// `calendar.csv`: rows sorted by line, then start.
pub fn calendar_csv(inst: &Instance, states: &[Vec<State>], english: bool) -> Vec<u8> {
    let header: Vec<String> = CALENDAR
        .columns
        .iter()
        .map(|c| if english { c.key } else { c.zh }.to_string())
        .collect();
    let cut = cuts(inst, states);
    let mut rows = Vec::new();
    for (u, s) in inst.units.iter().zip(states) {
        let why = reason(inst, u, english);
        for (a, b) in runs(s, |x| x.stopped()).into_iter().flat_map(|(a, b)| {
            // Split a stop run where the state changes (e.g. a government stop then a chosen block).
            let mut parts = Vec::new();
            let mut start = a;
            for d in a + 1..=b {
                if s[d] != s[d - 1] {
                    parts.push((start, d - 1));
                    start = d;
                }
            }
            parts.push((start, b));
            parts
        }) {
            let st = s[a];
            let (job, reason) = match st {
                State::Maint(k) => (
                    u.jobs[k].name.clone(),
                    if english {
                        "maintenance job".to_string()
                    } else {
                        "检修计划".to_string()
                    },
                ),
                State::Gov => (
                    String::new(),
                    if english {
                        "government order".into()
                    } else {
                        "政府指令".into()
                    },
                ),
                State::Chosen => (
                    String::new(),
                    format!(
                        "{why}{}",
                        beyond_quota(inst, u, s, (a, b), &cut, english).unwrap_or_default()
                    ),
                ),
                _ => (String::new(), why.clone()),
            };
            rows.push(vec![
                u.line.clone(),
                u.name.clone(),
                u.credit_code.clone(),
                u.enterprise.clone(),
                u.district.clone(),
                industry_name(inst, u.industry, english).to_string(),
                inst.days[a].date.to_string(),
                inst.days[b].date.to_string(),
                (b - a + 1).to_string(),
                kind(st, english).to_string(),
                job,
                reason.trim().to_string(),
            ]);
        }
    }
    csv_bytes(&header, &rows)
}

/// days.csv header of a pollutant's daily cut.
pub fn cut_header(p: Pollutant, english: bool) -> String {
    if english {
        format!("{}_cut_t_per_day", p.key())
    } else {
        format!("{}减排量(t/d)", p.zh())
    }
}

/// days.csv header of a pollutant's daily target.
pub fn target_header(p: Pollutant, english: bool) -> String {
    if english {
        format!("{}_target_t_per_day", p.key())
    } else {
        format!("{}目标(t/d)", p.zh())
    }
}

/// `days.csv`: per day, the cut per pollutant against its target and the stopped capacity per
/// industry against its cap.
pub fn days_csv(inst: &Instance, states: &[Vec<State>], english: bool) -> Vec<u8> {
    let mut header: Vec<String> = if english {
        vec![
            "date".into(),
            "season".into(),
            "warning".into(),
            "lines_stopped".into(),
        ]
    } else {
        vec![
            "日期".into(),
            "季节".into(),
            "预警级别".into(),
            "停产线数".into(),
        ]
    };
    for p in Pollutant::ALL {
        header.push(cut_header(p, english));
        header.push(target_header(p, english));
    }
    for i in 0..inst.industries.len() {
        let name = industry_name(inst, i, english);
        if english {
            header.push(format!("{name}_stopped_capacity"));
            header.push(format!("{name}_cap"));
        } else {
            header.push(format!("{name}停产产能"));
            header.push(format!("{name}停产上限"));
        }
    }
    let cap = stopped_capacity(inst, states);
    let cut = cuts(inst, states);
    let rows: Vec<Vec<String>> = inst
        .days
        .iter()
        .enumerate()
        .map(|(d, day)| {
            let mut r = vec![
                day.date.to_string(),
                day.season
                    .map(|s| inst.seasons[s].name.clone())
                    .unwrap_or_default(),
                day.level
                    .map(|l| if english { l.key() } else { l.zh() })
                    .unwrap_or("")
                    .to_string(),
                states.iter().filter(|s| s[d].stopped()).count().to_string(),
            ];
            for (c, t) in cut[d].iter().zip(&day.target) {
                r.push(num(*c, 4));
                r.push(num(*t, 4));
            }
            for (i, ind) in inst.industries.iter().enumerate() {
                r.push(num(cap[d][i], 2));
                r.push(num(ind.limit(), 2));
            }
            r
        })
        .collect();
    csv_bytes(&header, &rows)
}

/// Read a calendar table back into every unit's day states. Rows that cannot be placed (unknown
/// line, bad dates, overlaps, unknown kind or job) are reported as errors.
pub fn read_calendar(inst: &Instance, table: &RawTable) -> (Vec<Vec<State>>, Report) {
    let mut report = Report::default();
    let mut states: Vec<Vec<State>> = vec![vec![State::Run; inst.days.len()]; inst.units.len()];
    let Some(s) = Sheet::new(table, &CALENDAR, &mut report) else {
        return (states, report);
    };
    let by_line: HashMap<&str, usize> = inst
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.line.as_str(), i))
        .collect();
    let src = &table.source;
    for row in &table.rows {
        let bad = |report: &mut Report, key: &str, msg: &str, hint: &str| {
            report.push(error(
                "E210",
                src,
                Some(row.row),
                Some(s.label(key)),
                Some(s.raw(row, key)),
                msg.to_string(),
                hint.to_string(),
            ));
        };
        let line = s.text(&mut report, row, "line_id").unwrap_or_default();
        let Some(&u) = by_line.get(line.as_str()) else {
            bad(
                &mut report,
                "line_id",
                "the line does not take part in this scenario",
                "remove the row or add the line to the participation rules",
            );
            continue;
        };
        let day = |report: &mut Report, key: &str| {
            let v = super::input::parse_date(s.raw(row, key)).and_then(|d| inst.day(d));
            if v.is_none() {
                report.push(error(
                    "E210",
                    src,
                    Some(row.row),
                    Some(s.label(key)),
                    Some(s.raw(row, key)),
                    "is not a date of the scenario's horizon".to_string(),
                    format!(
                        "use YYYY-MM-DD between {} and {}",
                        inst.days[0].date,
                        inst.days[inst.days.len() - 1].date
                    ),
                ));
            }
            v
        };
        let (a, b) = (day(&mut report, "start"), day(&mut report, "end"));
        let (Some(a), Some(b)) = (a, b) else { continue };
        if b < a {
            bad(
                &mut report,
                "end",
                "ends before it starts",
                "correct the dates",
            );
            continue;
        }
        let days = s.number(&mut report, row, "days");
        if days.is_some_and(|n| n != (b - a + 1) as f64) {
            bad(
                &mut report,
                "days",
                &format!("does not match the dates ({} days)", b - a + 1),
                "write end − start + 1",
            );
            continue;
        }
        let Some(mut st) = parse_kind(s.raw(row, "kind")) else {
            bad(
                &mut report,
                "kind",
                "unknown kind",
                "use 错峰停产, 整季停产, 政府指令停产 or 检修",
            );
            continue;
        };
        if st == State::Maint(usize::MAX) {
            let job = s.raw(row, "job");
            match inst.units[u].jobs.iter().position(|j| j.name == job) {
                Some(k) => st = State::Maint(k),
                None => {
                    bad(
                        &mut report,
                        "job",
                        "is not a maintenance job of this line",
                        "use the job name of the maintenance table",
                    );
                    continue;
                }
            }
        }
        if states[u][a..=b].iter().any(|x| x.stopped()) {
            bad(
                &mut report,
                "start",
                "overlaps another row of the same line",
                "merge or correct the rows",
            );
            continue;
        }
        for x in &mut states[u][a..=b] {
            *x = st;
        }
    }
    (states, report)
}

/// The lines a calendar stops for the whole season (`整季停产` rows), read for `jianpai plan`'s
/// `calendar` key: every row must name a line of the inventory (E535) and a known kind (E536).
/// Rows of other kinds (staggered blocks, maintenance, government stops) stop a line for part of
/// the season only and are not used by the list.
pub fn season_stopped(
    table: &RawTable,
    inv: &crate::domain::Inventory,
) -> Result<Vec<String>, Report> {
    let mut report = Report::default();
    let Some(s) = Sheet::new(table, &CALENDAR, &mut report) else {
        return Err(report);
    };
    let lines: std::collections::HashSet<&str> = inv.lines.iter().map(|l| l.id.as_str()).collect();
    let mut out = Vec::new();
    for row in &table.rows {
        let Some(line) = s.text(&mut report, row, "line_id") else {
            continue;
        };
        let raw_kind = s.raw(row, "kind");
        let Some(kind) = parse_kind(raw_kind) else {
            report.push(error(
                "E536",
                &table.source,
                Some(row.row),
                Some(s.label("kind")),
                Some(raw_kind),
                "unknown kind of stop",
                "use 错峰停产, 整季停产, 政府指令停产 or 检修 (stagger, season_stop, government, maintenance)",
            ));
            continue;
        };
        if !lines.contains(line.as_str()) {
            report.push(error(
                "E535",
                &table.source,
                Some(row.row),
                Some(s.label("line_id")),
                Some(&line),
                "the line is not in the scenario's inventory",
                "give the calendar made for this inventory (jianpai stagger)",
            ));
            continue;
        }
        if kind == State::Season && !out.contains(&line) {
            out.push(line);
        }
    }
    if report.has_errors() {
        Err(report)
    } else {
        Ok(out)
    }
}
