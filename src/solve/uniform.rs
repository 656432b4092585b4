//! Uniform fairness as an ordinary list: every line of a uniform group takes the same measure at
//! each level, so the group is ONE unit (a "super-line") whose options are the measure triples
//! (yellow, orange, red) that every member offers, nested for every member, with cuts, loss and
//! season cost summed over the members. The coupling rows stay the same rows; a super-line counts
//! in each with the weight its members give it (1 in a city row, its members' share of the
//! group's cut in a district row, the number of its members in an enterprise's stop count). The
//! aggregated problem has no fairness rows, so the column generation, its certified bound and
//! the exact MIP solve it as they solve any list; the plan is expanded back to the lines.
//!
//! The aggregation is exact or refused: when a group's lines are grouped differently at
//! different levels (a rule on some levels only, a line a decision locks at one level), when a
//! line offers two options with one measure code, or when a weight is not the same for every
//! option (declared options with different cut shares in a district row), [`aggregate`] says
//! why and the caller falls back to the compact MIP.

use super::{Solution, SolveOptions, WarmStart};
use crate::model::family::{coupling_rows, CouplingRow};
use crate::model::problem::UnitFigures;
use crate::model::{Choice, Problem, Unit};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

/// A problem whose uniform groups are single units, and the way back to the lines.
#[derive(Debug, Clone)]
pub struct Aggregated {
    /// The aggregated problem (no fairness groups; its coupling rows given).
    pub problem: Problem,
    /// Per aggregated unit, its lines (an ordinary line maps to itself).
    members: Vec<Members>,
    /// Uniform groups that became one unit.
    pub groups: usize,
    /// Lines in those groups.
    pub grouped_lines: usize,
}

/// Relative tolerance of a row weight: a member line's coefficient must equal weight × the
/// super-line's attribute to this precision for every option.
const WEIGHT_TOL: f64 = 1e-12;

/// Aggregate the uniform groups of `p` (every group `max_distinct == 1`), or say why that would
/// not be exact.
pub fn aggregate(p: &Problem) -> Result<Aggregated, String> {
    if p.fairness.iter().any(|g| g.max_distinct != 1) {
        return Err("公平约束非“同组同措施”，不能合并为单元 / not every group is uniform".into());
    }
    // Each line's group at each level.
    let mut sig: Vec<[Option<usize>; 3]> = vec![[None; 3]; p.units.len()];
    for (gi, g) in p.fairness.iter().enumerate() {
        for &ui in &g.members {
            let slot = sig
                .get_mut(ui)
                .ok_or_else(|| format!("fairness group {} names unit {ui}", g.name))?;
            slot[g.level.index()] = Some(gi);
        }
    }
    for g in &p.fairness {
        let first = sig[g.members[0]];
        if first.iter().any(Option::is_none) {
            return Err(format!(
                "公平分组 {} 并非三个预警级别都分组（规则只覆盖部分级别，或有生产线在某一级别被锁定），改用整体模型 / group {} is not grouped alike at every level; using the compact model",
                g.name, g.name
            ));
        }
        if g.members.iter().any(|&ui| sig[ui] != first) {
            return Err(format!(
                "公平分组 {} 的成员在各级别不同，改用整体模型 / the lines of group {} differ by level; using the compact model",
                g.name, g.name
            ));
        }
    }
    // Units of the aggregated problem, in the order of their first line.
    let mut classes: Vec<Vec<usize>> = Vec::new();
    let mut class_of_group: HashMap<usize, usize> = HashMap::new();
    let mut class_of_unit: Vec<usize> = Vec::with_capacity(p.units.len());
    for (ui, s) in sig.iter().enumerate() {
        let c = match s[0] {
            Some(g) => *class_of_group.entry(g).or_insert_with(|| {
                classes.push(Vec::new());
                classes.len() - 1
            }),
            None => {
                classes.push(Vec::new());
                classes.len() - 1
            }
        };
        classes[c].push(ui);
        class_of_unit.push(c);
    }
    let mut units = Vec::with_capacity(classes.len());
    let mut figures = Vec::with_capacity(classes.len());
    let mut members = Vec::with_capacity(classes.len());
    let (mut groups, mut grouped_lines) = (0, 0);
    for class in &classes {
        if class.len() == 1 && sig[class[0]][0].is_none() {
            let ui = class[0];
            units.push(p.units[ui].clone());
            figures.push(p.figures.get(ui).cloned().unwrap_or_default());
            members.push(vec![(ui, (0..p.units[ui].triples.len() as u32).collect())]);
            continue;
        }
        let name = &p.fairness[sig[class[0]][0].unwrap_or(0)].name;
        let (unit, map) = super_line(p, class, name)?;
        groups += 1;
        grouped_lines += class.len();
        let mut fig = UnitFigures {
            line_id: format!("{name}（{} 条生产线）", class.len()),
            ..UnitFigures::default()
        };
        for &ui in class {
            if let Some(f) = p.figures.get(ui) {
                fig.value += f.value;
                for q in 0..4 {
                    fig.emissions[q] += f.emissions[q];
                }
            }
        }
        units.push(unit);
        figures.push(fig);
        members.push(map);
    }
    let mut pos_in_class = vec![0; p.units.len()];
    for class in &classes {
        for (i, &ui) in class.iter().enumerate() {
            pos_in_class[ui] = i;
        }
    }
    let mut agg = Problem {
        units,
        targets: p.targets.clone(),
        groups: p.groups.clone(),
        districts: p.districts.clone(),
        days: p.days,
        restart_days: p.restart_days,
        figures,
        fairness: Vec::new(),
        stations: p.stations.clone(),
        given_rows: None,
        members: p.members.clone(),
    };
    let rows = coupling_rows(p)
        .into_iter()
        .map(|row| aggregate_row(p, &agg, row, &class_of_unit, &pos_in_class, &members))
        .collect::<Result<Vec<_>, String>>()?;
    agg.given_rows = Some(rows);
    Ok(Aggregated {
        problem: agg,
        members,
        groups,
        grouped_lines,
    })
}

/// The measure key of each option of a line, refused when two options share one.
fn keys(p: &Problem, ui: usize) -> Result<Vec<String>, String> {
    let u = &p.units[ui];
    let keys: Vec<String> = u.choices.iter().map(Choice::measure_key).collect();
    let distinct: HashSet<&String> = keys.iter().collect();
    if distinct.len() != keys.len() {
        return Err(format!(
            "生产线 {} 有两个选项对应同一措施代码，改用整体模型 / line {} offers two options with one measure code; using the compact model",
            p.figure_id(ui),
            p.figure_id(ui)
        ));
    }
    Ok(keys)
}

/// Per line of an aggregated unit: (unit of the original problem, its triple for each of the
/// aggregated unit's triples).
type Members = Vec<(usize, Vec<u32>)>;

/// The super-line of a uniform group (`class`: its lines, ascending) and, per line, its triple
/// for each of the super-line's triples.
fn super_line(p: &Problem, class: &[usize], name: &str) -> Result<(Unit, Members), String> {
    // Per line: measure-key triple → its triple index.
    let mut per_line: Vec<HashMap<[String; 3], u32>> = Vec::with_capacity(class.len());
    let mut line_keys: Vec<Vec<String>> = Vec::with_capacity(class.len());
    for &ui in class {
        let k = keys(p, ui)?;
        let u = &p.units[ui];
        per_line.push(
            u.triples
                .iter()
                .enumerate()
                .map(|(ti, t)| (t.map(|c| k[c as usize].clone()), ti as u32))
                .collect(),
        );
        line_keys.push(k);
    }
    // The common key triples, in the first line's triple order (deterministic).
    let first = &p.units[class[0]];
    let common: Vec<[String; 3]> = first
        .triples
        .iter()
        .map(|t| t.map(|c| line_keys[0][c as usize].clone()))
        .filter(|kt| per_line.iter().all(|m| m.contains_key(kt)))
        .collect();
    if common.is_empty() {
        return Err(format!(
            "公平分组 {name} 的生产线没有共同的可选措施组合，改用整体模型 / the lines of group {name} share no nested measure triple; using the compact model"
        ));
    }
    // The super-line's options: the keys its triples use, in the first line's option order.
    let used: HashSet<&String> = common.iter().flatten().collect();
    let option_keys: Vec<String> = line_keys[0]
        .iter()
        .filter(|k| used.contains(k))
        .cloned()
        .collect();
    if option_keys.len() > usize::from(u8::MAX) {
        return Err(format!(
            "公平分组 {name} 的措施过多 / group {name} has too many measures"
        ));
    }
    let index: HashMap<&String, u8> = option_keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k, i as u8))
        .collect();
    // Each line's option for each of the super-line's options.
    let pick: Vec<Vec<usize>> = line_keys
        .iter()
        .map(|lk| {
            option_keys
                .iter()
                .map(|k| lk.iter().position(|x| x == k).unwrap_or(0))
                .collect()
        })
        .collect();
    let mut choices = Vec::with_capacity(option_keys.len());
    let mut level_costs = Vec::with_capacity(option_keys.len());
    for (oi, key) in option_keys.iter().enumerate() {
        let c0 = &first.choices[pick[0][oi]];
        let mut c = Choice {
            limit: c0.limit,
            declared: c0.declared.clone(),
            cut: [0.0; 4],
            loss: 0.0,
            electricity: 0.0,
            stop: c0.stop,
        };
        let mut lc = [0.0; 3];
        for (li, &ui) in class.iter().enumerate() {
            let u = &p.units[ui];
            let m = &u.choices[pick[li][oi]];
            if m.stop != c.stop {
                return Err(format!(
                    "公平分组 {name} 中措施 {key} 对部分生产线为停产 / measure {key} stops only some lines of group {name}"
                ));
            }
            for q in 0..4 {
                c.cut[q] += m.cut[q];
            }
            c.loss += m.loss;
            c.electricity += m.electricity;
            for (k, v) in lc.iter_mut().enumerate() {
                *v += u.level_costs[pick[li][oi]][k];
            }
        }
        choices.push(c);
        level_costs.push(lc);
    }
    // Triples with their summed cost, cheapest first (ties by option indices, as the builder).
    let mut triples: Vec<([u8; 3], f64, Vec<u32>)> = common
        .iter()
        .map(|kt| {
            let t = [0, 1, 2].map(|k| index[&kt[k]]);
            let per: Vec<u32> = per_line.iter().map(|m| m[kt]).collect();
            let cost = class
                .iter()
                .zip(&per)
                .map(|(&ui, &ti)| p.units[ui].costs[ti as usize])
                .sum::<f64>();
            (t, cost, per)
        })
        .collect();
    triples.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let map = class
        .iter()
        .enumerate()
        .map(|(li, &ui)| (ui, triples.iter().map(|t| t.2[li]).collect()))
        .collect();
    let unit = Unit {
        rule: first.rule,
        line: first.line,
        district: Some(first.district)
            .filter(|d| class.iter().all(|&ui| p.units[ui].district == *d))
            .flatten(),
        controlled: class.iter().all(|&ui| p.units[ui].controlled),
        triples: triples.iter().map(|t| t.0).collect(),
        costs: triples.iter().map(|t| t.1).collect(),
        choices,
        level_costs,
        group: None,
        // No transfer coefficients of its own: a station row counts the lines' coefficients,
        // which are not proportional to the group's option, so such a row sends the problem
        // to the compact model (`aggregate_row`).
        air: Vec::new(),
        member: first.member,
    };
    Ok((unit, map))
}

/// A coupling row of the lines as a row of the aggregated problem: a super-line counts with the
/// one weight that gives, for every option it may take at the row's level, what its lines give.
fn aggregate_row(
    p: &Problem,
    agg: &Problem,
    mut row: CouplingRow,
    class_of_unit: &[usize],
    pos_in_class: &[usize],
    members: &[Members],
) -> Result<CouplingRow, String> {
    let k = row.level.index();
    let mut by_class: BTreeMap<usize, Vec<(usize, f64)>> = BTreeMap::new();
    for &(ui, w) in &row.members {
        by_class.entry(class_of_unit[ui]).or_default().push((ui, w));
    }
    let mut out = Vec::with_capacity(by_class.len());
    for (ci, lines) in by_class {
        let su = &agg.units[ci];
        if members[ci].len() == 1 {
            // An ordinary line: the row as the families declared it.
            out.push((ci, lines[0].1));
            continue;
        }
        // The options the super-line may take at this level, with what its lines give.
        let mut seen = HashSet::new();
        let mut pairs: Vec<(f64, f64)> = Vec::new();
        for (ti, t) in su.triples.iter().enumerate() {
            if !seen.insert(t[k]) {
                continue;
            }
            let attr = row.attribute.of(su, &su.choices[t[k] as usize]);
            let mut coef = 0.0;
            for &(ui, w) in &lines {
                let lt = members[ci][pos_in_class[ui]].1[ti];
                let u = &p.units[ui];
                coef += row.coefficient(w, u, &u.choices[u.triples[lt as usize][k] as usize]);
            }
            pairs.push((attr, coef));
        }
        let Some(&(a0, c0)) = pairs.iter().max_by(|x, y| x.0.abs().total_cmp(&y.0.abs())) else {
            continue;
        };
        let weight = if a0 == 0.0 { 0.0 } else { c0 / a0 };
        let exact = pairs.iter().all(|&(a, c)| {
            let v = weight * a;
            (c - v).abs() <= WEIGHT_TOL * c.abs().max(v.abs()) + 1e-300
        });
        if !exact {
            return Err(format!(
                "行 {} 中公平分组 {} 的各措施不成比例（如区县目标下各线申报选项的削减比例不同），改用整体模型 / row {}: the lines of {} do not count in proportion to the group's option; using the compact model",
                row.key, agg.figures[ci].line_id, row.key, agg.figures[ci].line_id
            ));
        }
        if weight != 0.0 {
            out.push((ci, weight));
        }
    }
    row.members = out;
    Ok(row)
}

impl Aggregated {
    /// The lines' assignment of an assignment of the aggregated units.
    pub fn expand(&self, a: &[u32], n_lines: usize) -> Vec<u32> {
        let mut out = vec![0; n_lines];
        for (m, &t) in self.members.iter().zip(a) {
            for (ui, map) in m {
                out[*ui] = map[t as usize];
            }
        }
        out
    }

    /// A warm start of the lines as one of the aggregated units: a group keeps its lines'
    /// triple when they all took the same one; the multipliers carry over (same rows).
    pub fn warm(&self, w: &WarmStart) -> WarmStart {
        let assignment = self
            .members
            .iter()
            .map(|m| {
                let want: Vec<Option<u32>> = m
                    .iter()
                    .map(|(ui, _)| w.assignment.get(*ui).copied().flatten())
                    .collect();
                let n = m[0].1.len();
                (0..n as u32).find(|&t| {
                    m.iter()
                        .zip(&want)
                        .all(|((_, map), x)| *x == Some(map[t as usize]))
                })
            })
            .collect();
        WarmStart {
            assignment,
            mult: w.mult.clone(),
        }
    }
}

/// Solve `p` (uniform fairness) through its aggregation: the list machinery on the aggregated
/// problem, the plan expanded to the lines and checked against `p` (targets and fairness).
pub fn solve(
    p: &Problem,
    agg: &Aggregated,
    opts: &SolveOptions,
    warm: Option<&WarmStart>,
    start: Instant,
) -> Solution {
    let warm = warm.map(|w| agg.warm(w));
    let mut sol = super::solve_lines(&agg.problem, opts, warm.as_ref(), start);
    sol.report.notes.insert(
        0,
        format!(
            "同组同措施：{} 个公平分组（{} 条生产线）各作为一个单元，与其余 {} 条生产线一同经列生成与精确 MIP 求解 / uniform fairness: {} groups ({} lines) solved as single units with the other {} lines by column generation and the exact MIP",
            agg.groups,
            agg.grouped_lines,
            agg.problem.units.len() - agg.groups,
            agg.groups,
            agg.grouped_lines,
            agg.problem.units.len() - agg.groups
        ),
    );
    if let Some(a) = sol.assignment.take() {
        let lines = agg.expand(&a, p.units.len());
        if p.feasible(&lines) {
            sol.assignment = Some(lines);
        } else {
            // The aggregation is exact up to float noise; a plan it cannot carry over is not used.
            sol.report.notes.push(
                "合并单元的方案在逐线核对时未满足目标或公平约束，未采用 / the aggregated plan failed the line-by-line check; not used".into(),
            );
            let bound = sol.report.bound;
            sol.report.finish(None, opts, start, super::Stop::Trouble);
            sol.report.bound = bound;
        }
    }
    sol
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Level, Pollutant};
    use crate::model::{Group, Scope, Target};
    use crate::rules::fair::FairGroup;
    use crate::solve::{solve, Method, Status};

    /// Proportional limits 0, 0.2, 0.5, 1 (stop) of a line with `base` SO2 and NOx t/d and
    /// `value` 万元/d, plus a declared option cutting `declared` of its SO2 (none when `None`).
    fn line(
        line: usize,
        district: usize,
        base: [f64; 2],
        value: f64,
        declared: Option<f64>,
    ) -> Unit {
        let mut choices: Vec<Choice> = [0.0, 0.2, 0.5, 1.0]
            .iter()
            .map(|&f| Choice {
                limit: f,
                declared: None,
                cut: [base[0] * f, base[1] * f, 0.0, 0.0],
                loss: value * f,
                electricity: 0.0,
                stop: f >= 1.0,
            })
            .collect();
        if let Some(s) = declared {
            choices.push(Choice {
                limit: 0.1,
                declared: Some("X".into()),
                cut: [base[0] * s, base[1] * 0.1, 0.0, 0.0],
                loss: value * 0.1,
                electricity: 0.0,
                stop: false,
            });
        }
        let days = [3.0, 2.0, 1.0];
        let level_costs: Vec<[f64; 3]> = choices
            .iter()
            .map(|c| [0, 1, 2].map(|k| days[k] * c.loss))
            .collect();
        let n = choices.len();
        let mut triples = Vec::new();
        for a in 0..n {
            for b in 0..n {
                for c in 0..n {
                    if choices[a].weaker_or_equal(&choices[b])
                        && choices[b].weaker_or_equal(&choices[c])
                    {
                        triples.push([a as u8, b as u8, c as u8]);
                    }
                }
            }
        }
        let cost = |t: &[u8; 3]| (0..3).map(|k| level_costs[t[k] as usize][k]).sum::<f64>();
        triples.sort_by(|x, y| cost(x).total_cmp(&cost(y)).then(x.cmp(y)));
        Unit {
            rule: line,
            line,
            district: Some(district),
            controlled: true,
            costs: triples.iter().map(cost).collect(),
            triples,
            level_costs,
            choices,
            group: None,
            air: Vec::new(),
            member: 0,
        }
    }

    fn target(level: Level, pollutant: Pollutant, scope: Scope, rhs: f64) -> Target {
        Target {
            level,
            pollutant,
            scope,
            base: 100.0,
            ratio: 0.1,
            required: rhs,
            credit: 0.0,
            rhs,
            enforced: true,
        }
    }

    /// Five lines in two districts: lines 0, 2, 3 form a uniform group spanning both districts,
    /// lines 1 and 4 are free; district and city rows at every level, and (optionally) a stop
    /// count over lines 2 and 4.
    fn problem(declared: Option<f64>, stop_group: bool) -> Problem {
        let units = vec![
            line(0, 0, [4.0, 2.0], 10.0, declared),
            line(1, 0, [3.0, 3.0], 7.0, None),
            line(2, 1, [2.0, 5.0], 6.0, Some(0.3)),
            line(3, 1, [5.0, 1.0], 12.0, declared),
            line(4, 1, [1.0, 4.0], 3.0, None),
        ];
        let mut targets = Vec::new();
        for (level, need) in [
            (Level::Yellow, 0.15),
            (Level::Orange, 0.3),
            (Level::Red, 0.55),
        ] {
            targets.push(target(level, Pollutant::So2, Scope::City, 15.0 * need));
            targets.push(target(level, Pollutant::Nox, Scope::City, 15.0 * need));
            targets.push(target(
                level,
                Pollutant::So2,
                Scope::District(0),
                7.0 * need,
            ));
            targets.push(target(
                level,
                Pollutant::Nox,
                Scope::District(1),
                10.0 * need,
            ));
        }
        let groups = if stop_group {
            vec![Group {
                units: vec![2, 4],
                min_stopped: [0, 1, 2],
                enterprise: "E".into(),
            }]
        } else {
            Vec::new()
        };
        let fairness = Level::ALL
            .iter()
            .map(|&level| FairGroup {
                name: "g".into(),
                level,
                members: vec![0, 2, 3],
                max_distinct: 1,
            })
            .collect();
        Problem {
            units,
            targets,
            groups,
            districts: vec!["A".into(), "B".into()],
            days: [3.0, 2.0, 1.0],
            restart_days: [0.0; 3],
            figures: Vec::new(),
            fairness,
            stations: Vec::new(),
            given_rows: None,
            members: Vec::new(),
        }
    }

    /// The cheapest assignment meeting every row and the fairness rule, by enumeration (the
    /// fairness rule tested first, on measure keys computed once).
    fn brute_force(p: &Problem) -> Option<f64> {
        let keys: Vec<Vec<[String; 3]>> = p
            .units
            .iter()
            .map(|u| {
                u.triples
                    .iter()
                    .map(|t| t.map(|c| u.choices[c as usize].measure_key()))
                    .collect()
            })
            .collect();
        let fair = |a: &[u32]| {
            p.fairness.iter().all(|g| {
                let k = g.level.index();
                let mut seen: Vec<&String> = g
                    .members
                    .iter()
                    .map(|&ui| &keys[ui][a[ui] as usize][k])
                    .collect();
                seen.sort();
                seen.dedup();
                seen.len() <= g.max_distinct
            })
        };
        let rows = coupling_rows(p);
        let sizes: Vec<usize> = p.units.iter().map(|u| u.triples.len()).collect();
        let mut a = vec![0u32; sizes.len()];
        let mut best: Option<f64> = None;
        loop {
            if fair(&a) {
                let c = p.cost(&a);
                let met = crate::model::family::row_values(p, &rows, &a)
                    .iter()
                    .zip(&rows)
                    .all(|(v, r)| *v >= r.rhs - 1e-9);
                if met && best.is_none_or(|b| c < b) {
                    best = Some(c);
                }
            }
            let mut i = 0;
            loop {
                if i == a.len() {
                    return best;
                }
                a[i] += 1;
                if (a[i] as usize) < sizes[i] {
                    break;
                }
                a[i] = 0;
                i += 1;
            }
        }
    }

    fn opts() -> SolveOptions {
        SolveOptions {
            method: Method::Mip,
            time_limit: 30.0,
            rel_gap: 0.0,
            threads: 1,
        }
    }

    #[test]
    fn a_group_across_districts_and_a_stop_count_aggregates_exactly() {
        for stop_group in [false, true] {
            let p = problem(None, stop_group);
            let agg = aggregate(&p).expect("proportional options aggregate");
            assert_eq!(agg.problem.units.len(), 3, "one unit for the group");
            assert_eq!((agg.groups, agg.grouped_lines), (1, 3));
            // The group's weight in district 0's SO2 row is line 0's share of the group's SO2.
            let rows = agg.problem.given_rows.as_ref().unwrap();
            let d0 = rows
                .iter()
                .find(|r| r.key == "target:yellow:SO2:A")
                .expect("row");
            assert_eq!(d0.members[0].0, 0);
            assert!(
                (d0.members[0].1 - 4.0 / 11.0).abs() < 1e-12,
                "{:?}",
                d0.members
            );
            let best = brute_force(&p).expect("a fair plan exists");
            let sol = solve(&p, &opts());
            let a = sol.assignment.expect("a plan");
            assert!(p.feasible(&a));
            assert_eq!(p.fair_measures(&a).iter().map(Vec::len).max(), Some(1));
            assert!((p.cost(&a) - best).abs() < 1e-9, "{} vs {best}", p.cost(&a));
            assert_eq!(sol.report.status, Status::Optimal);
            assert!(sol.report.notes[0].contains("solved as single units"));
        }
    }

    #[test]
    fn declared_options_out_of_proportion_in_a_district_row_fall_back_to_the_compact_model() {
        let p = problem(Some(0.4), true);
        // Lines 0 and 3 both declare X but with SO2 shares 0.4 of different bases: in the
        // district rows the group's X does not count in proportion to its limits.
        let why = aggregate(&p).expect_err("not exact");
        assert!(why.contains("compact model"), "{why}");
        let best = brute_force(&p).expect("a fair plan exists");
        let sol = solve(&p, &opts());
        let a = sol.assignment.expect("a plan");
        assert!((p.cost(&a) - best).abs() < 1e-9, "{} vs {best}", p.cost(&a));
        assert!(sol.report.notes[0].contains("compact model"));
    }

    #[test]
    fn a_station_row_over_a_group_falls_back_and_is_still_met() {
        // The group's lines (0, 2, 3) reach a station with different coefficients: the row
        // cannot count the group's option with one weight, so the compact model solves it.
        let mut p = problem(None, false);
        for (ui, u) in p.units.iter_mut().enumerate() {
            u.air = vec![(0, [0.1 * (ui + 1) as f64, 0.05, 0.0, 0.0])];
        }
        p.stations = vec![crate::model::StationTarget {
            level: Level::Red,
            receptor: 0,
            station: "S1".into(),
            name: "S1".into(),
            required: 0.0,
        }];
        // Required: halfway between what the plan without the row gives and the most possible,
        // so that the row binds.
        let rows = coupling_rows(&p);
        let station = rows
            .iter()
            .position(|r| r.key.starts_with("station:"))
            .unwrap();
        let fa = solve(&p, &opts()).assignment.expect("a plan");
        let free = crate::model::family::row_values(&p, &rows, &fa)[station];
        let most = rows[station].most(&p);
        assert!(most > free + 1e-6, "{free} vs {most}");
        p.stations[0].required = (free + most) / 2.0;
        let why = aggregate(&p).expect_err("station coefficients out of proportion");
        assert!(why.contains("compact model"), "{why}");
        let best = brute_force(&p).expect("a fair plan exists");
        let sol = solve(&p, &opts());
        let a = sol.assignment.expect("a plan");
        assert!(p.feasible(&a), "station row and fairness met");
        assert!((p.cost(&a) - best).abs() < 1e-9, "{} vs {best}", p.cost(&a));
    }

    #[test]
    fn a_rule_on_some_levels_only_is_not_aggregated() {
        let mut p = problem(None, false);
        p.fairness.retain(|g| g.level == Level::Red);
        assert!(aggregate(&p).is_err());
        let best = brute_force(&p).expect("a plan");
        let a = solve(&p, &opts()).assignment.expect("a plan");
        assert!((p.cost(&a) - best).abs() < 1e-9);
    }

    #[test]
    fn at_most_two_measures_is_never_dearer_than_uniform_and_matches_enumeration() {
        let mut p = problem(None, true);
        for g in &mut p.fairness {
            g.max_distinct = 2;
        }
        let best = brute_force(&p).expect("a plan");
        let sol = solve(&p, &opts());
        let a = sol.assignment.expect("a plan");
        assert!((p.cost(&a) - best).abs() < 1e-9, "{} vs {best}", p.cost(&a));
        assert_eq!(sol.report.status, Status::Optimal);
        let uniform = brute_force(&problem(None, true)).unwrap();
        assert!(best <= uniform + 1e-9);
    }
}
