//! Building the model from the inventory, the applied rules and the scenario.

use super::problem::{Choice, Group, Problem, Scope, Target, Unit, UnitFigures};
use crate::domain::DecisionMode;
use crate::domain::{Inventory, Level, Pollutant, Scenario};
use crate::rules::decide::Decided;
use crate::rules::Resolved;

const EPS: f64 = 1e-9;

/// A line's dense transfer coefficients (receptor by receptor) as the model's sparse
/// (receptor + `offset`, coefficients) pairs, receptors without a coefficient left out.
pub fn sparse(transfer: &[[f64; 4]], offset: usize) -> Vec<(usize, [f64; 4])> {
    transfer
        .iter()
        .enumerate()
        .filter(|(_, t)| t.iter().any(|&c| c != 0.0))
        .map(|(r, t)| (r + offset, *t))
        .collect()
}

/// Build the model without station rows. One function per part: choices, triples, targets,
/// groups.
pub fn build(inv: &Inventory, resolved: &Resolved, scenario: &Scenario) -> Problem {
    build_with(inv, resolved, scenario, None)
}

/// Build the model with the station rows of `air` (the scenario's `[air.targets]`, see
/// [`crate::air::optimise`]) when given.
pub fn build_with(
    inv: &Inventory,
    resolved: &Resolved,
    scenario: &Scenario,
    air: Option<&crate::air::optimise::StationRows>,
) -> Problem {
    let districts: Vec<String> = inv.districts.keys().cloned().collect();
    let days = Level::ALL.map(|l| *scenario.days.get(l));
    let restart_days =
        Level::ALL.map(|l| *scenario.episodes.get(l) * scenario.options.restart_cost_days);
    let mut problem = Problem {
        units: Vec::with_capacity(resolved.lines.len()),
        targets: Vec::new(),
        groups: Vec::new(),
        stations: air.map(|a| a.targets.clone()).unwrap_or_default(),
        districts,
        days,
        restart_days,
        figures: Vec::with_capacity(resolved.lines.len()),
        fairness: Vec::new(),
        given_rows: None,
        members: Vec::new(),
    };
    for (ri, rule) in resolved.lines.iter().enumerate() {
        let line = &inv.lines[rule.line];
        let ent = inv.enterprise_of(line);
        let choices = choices(inv, rule, scenario);
        let allowed = allowed_per_level(rule, &choices, line);
        let value = line.baseline_value().0;
        let level_costs: Vec<[f64; 3]> = choices
            .iter()
            .map(|c| [0, 1, 2].map(|k| problem.level_cost(c, value, k)))
            .collect();
        let triples = nested_triples(&choices, &allowed, &level_costs);
        let costs = triples
            .iter()
            .map(|t| (0..3).map(|k| level_costs[t[k] as usize][k]).sum())
            .collect();
        problem.figures.push(UnitFigures {
            line_id: line.id.clone(),
            emissions: line.baseline_emissions().0.map(|e| e.0),
            value,
        });
        problem.units.push(Unit {
            rule: ri,
            line: rule.line,
            district: problem.districts.iter().position(|d| *d == ent.district),
            controlled: rule.controlled,
            choices,
            triples,
            level_costs,
            costs,
            group: None,
            air: air
                .and_then(|a| a.transfer.get(rule.line))
                .map(|t| sparse(t, 0))
                .unwrap_or_default(),
            member: 0,
        });
    }
    add_groups(&mut problem, resolved);
    add_targets(&mut problem, inv, scenario);
    if let Some(rule) = scenario.fairness() {
        // Units are built one per resolved line, in order: member indices carry over.
        problem.fairness = crate::rules::fair::groups(inv, resolved, &rule).groups;
    }
    problem
}

/// The options of a line: proportional limits from the city's ladder up to the line's cap, its
/// obligation levels, and its declared options. Lines the city may not control get only their minima.
fn choices(inv: &Inventory, rule: &crate::rules::LineRule, scenario: &Scenario) -> Vec<Choice> {
    let line = &inv.lines[rule.line];
    let base = line.baseline_emissions();
    let value = line.baseline_value().0;
    let elec = line.baseline_electricity().0;
    let stop_elec = scenario.options.stop_electricity;
    let mut limits: Vec<f64> = rule.min.iter().map(|m| m.0).collect();
    if rule.controllable {
        limits.push(rule.cap.0);
        limits.extend(
            scenario
                .options
                .limits
                .iter()
                .copied()
                .filter(|&l| l < rule.cap.0 - EPS && l > rule.min[0].0 + EPS),
        );
        // A limit the planner decided on is an option even when the city's ladder lacks it.
        limits.extend(
            rule.decided
                .iter()
                .flatten()
                .filter(|d| d.declared.is_none())
                .map(|d| d.limit)
                .filter(|&l| l <= rule.cap.0 + EPS && l >= rule.min[0].0 - EPS),
        );
    }
    limits.sort_by(f64::total_cmp);
    limits.dedup_by(|a, b| (*a - *b).abs() < EPS);
    let mut out: Vec<Choice> = limits
        .into_iter()
        .map(|f| Choice {
            limit: f,
            declared: None,
            cut: Pollutant::ALL.map(|p| base[p].0 * f),
            loss: value * f,
            electricity: elec * (1.0 - f * (1.0 - stop_elec)),
            stop: f >= 1.0 - EPS,
        })
        .collect();
    if rule.controllable {
        if let Some(opts) = inv.options.get(&line.id) {
            for o in opts {
                if o.loss.0 > rule.cap.0 + EPS {
                    continue;
                }
                out.push(Choice {
                    limit: o.loss.0,
                    declared: Some(o.code.clone()),
                    cut: Pollutant::ALL.map(|p| base[p].0 * o.cut[p].0),
                    loss: value * o.loss.0,
                    electricity: elec * o.electricity.0,
                    stop: false,
                });
            }
        }
    }
    out
}

fn allowed_per_level(
    rule: &crate::rules::LineRule,
    choices: &[Choice],
    line: &crate::domain::Line,
) -> [Vec<bool>; 3] {
    let base = line.baseline_emissions();
    [0, 1, 2].map(|k| {
        let min = rule.min[k].0;
        choices
            .iter()
            .map(|c| {
                let by_rule = match &c.declared {
                    None => c.limit >= min - EPS,
                    Some(_) => {
                        min < 1.0 - EPS
                            && Pollutant::ALL.iter().all(|&p| {
                                base[p].0 <= 0.0 || c.cut[p.index()] >= base[p].0 * min - EPS
                            })
                    }
                };
                by_rule && rule.decided[k].iter().all(|d| admits(d, c, choices, &base))
            })
            .collect()
    })
}

/// Whether choice `c` satisfies a planner's decision. Proportional limits compare by limit;
/// a declared option compares by its cuts against the decided measure's cuts.
fn admits(
    d: &Decided,
    c: &Choice,
    choices: &[Choice],
    base: &crate::domain::PollutantVec<crate::units::TonnesPerDay>,
) -> bool {
    let same = match (&d.declared, &c.declared) {
        (Some(a), Some(b)) => a == b,
        (None, None) => (c.limit - d.limit).abs() < 1e-6,
        _ => false,
    };
    if same {
        return true;
    }
    // The decided measure's cuts: a proportional limit of the baseline, or the declared option's.
    let decided_cut: [f64; 4] = match &d.declared {
        None => std::array::from_fn(|p| base[Pollutant::ALL[p]].0 * d.limit),
        Some(code) => match choices.iter().find(|x| x.declared.as_ref() == Some(code)) {
            Some(r) => r.cut,
            None => return false,
        },
    };
    let decided_stop = d.declared.is_none() && d.limit >= 1.0 - EPS;
    let (stronger, weaker) = match (&d.declared, &c.declared) {
        (None, None) => (c.limit > d.limit, c.limit < d.limit),
        _ => (
            !decided_stop && (0..4).all(|p| c.cut[p] >= decided_cut[p] - EPS),
            (!c.stop || decided_stop) && (0..4).all(|p| c.cut[p] <= decided_cut[p] + EPS),
        ),
    };
    match d.mode {
        DecisionMode::Fix => false,
        DecisionMode::AtLeast => stronger,
        DecisionMode::AtMost => weaker,
    }
}

/// All (yellow, orange, red) option triples that are allowed and nested, cheapest first.
fn nested_triples(
    choices: &[Choice],
    allowed: &[Vec<bool>; 3],
    level_costs: &[[f64; 3]],
) -> Vec<[u8; 3]> {
    let n = choices.len();
    let mut out = Vec::new();
    for a in (0..n).filter(|&a| allowed[0][a]) {
        for b in (0..n).filter(|&b| allowed[1][b] && choices[a].weaker_or_equal(&choices[b])) {
            for c in (0..n).filter(|&c| allowed[2][c] && choices[b].weaker_or_equal(&choices[c])) {
                out.push([a as u8, b as u8, c as u8]);
            }
        }
    }
    let cost = |t: &[u8; 3]| (0..3).map(|k| level_costs[t[k] as usize][k]).sum::<f64>();
    out.sort_by(|x, y| cost(x).total_cmp(&cost(y)).then(x.cmp(y)));
    out
}

fn add_groups(problem: &mut Problem, resolved: &Resolved) {
    for g in &resolved.groups {
        let gi = problem.groups.len();
        for &u in &g.lines {
            problem.units[u].group = Some(gi);
        }
        problem.groups.push(Group {
            units: g.lines.clone(),
            min_stopped: g.min_stopped,
            enterprise: g.enterprise.to_string(),
        });
    }
}

fn add_targets(problem: &mut Problem, inv: &Inventory, scenario: &Scenario) {
    let from_districts = inv.society_total();
    let city_base = |p: Pollutant| {
        scenario
            .society
            .and_then(|s| s.get(p))
            .unwrap_or(from_districts[p].0)
    };
    for level in Level::ALL {
        let credit = scenario.credit(level);
        for p in Pollutant::ALL {
            let base = city_base(p);
            let ratio = scenario.ratio(level, p, None).0;
            push_target(problem, level, p, Scope::City, base, ratio, credit[p].0);
        }
        if scenario.districts.enforce {
            for (di, d) in inv.districts.values().enumerate() {
                for p in Pollutant::ALL {
                    let base = d.society[p].0;
                    let share = if from_districts[p].0 > 0.0 {
                        base / from_districts[p].0
                    } else {
                        0.0
                    };
                    let ratio = scenario.ratio(level, p, Some(&d.name)).0;
                    push_target(
                        problem,
                        level,
                        p,
                        Scope::District(di),
                        base,
                        ratio,
                        credit[p].0 * share,
                    );
                }
            }
        }
        if let Some(c) = &scenario.controlled_min_cut {
            for p in Pollutant::ALL {
                if let Some(ratio) = c.get(level).get(p) {
                    let base: f64 = problem
                        .units
                        .iter()
                        .filter(|u| u.controlled)
                        .map(|u| inv.lines[u.line].baseline_emissions()[p].0)
                        .sum();
                    push_target(problem, level, p, Scope::Controlled, base, ratio, 0.0);
                }
            }
        }
    }
    // Tonnage switched off at a level: its rows stay for reporting but ask nothing of the lines.
    for t in &mut problem.targets {
        if !scenario.tonnage(t.level) {
            t.enforced = false;
            t.rhs = 0.0;
        }
    }
}

fn push_target(
    problem: &mut Problem,
    level: Level,
    pollutant: Pollutant,
    scope: Scope,
    base: f64,
    ratio: f64,
    credit: f64,
) {
    let required = ratio * base;
    problem.targets.push(Target {
        level,
        pollutant,
        scope,
        base,
        ratio,
        required,
        credit,
        rhs: required - credit,
        enforced: true,
    });
}
