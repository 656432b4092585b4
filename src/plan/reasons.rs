//! Why a measure is stricter than its rule minimum (issue 13): the targets it serves at their LP
//! prices, the nesting red ⊇ orange ⊇ yellow, a planner's decision, a whole-line stop rule, or —
//! when the LP gives no price — that, honestly.
//!
//! Prices. `duals[r]` is the LP dual of target row `r` (万元 of season loss per extra t/d it
//! requires; see [`crate::solve::SolveReport::duals`]). A line's price for pollutant `q` at level
//! `k`, `w[k][q]`, is the sum of the duals of the rows it counts toward (city, its district, the
//! controlled firms). The *reduced cost* of option `c` at level `k` is its season loss there less
//! the priced value of its cuts: `rc = days·loss (+ restart) − Σ_q w[k][q]·cut[q]`.
//!
//! Marginal loss. Against the minimum option `m`, a stricter option `c` cuts `Δ_q = cut_c − cut_m`
//! more and loses `ΔC` more over the season. With `W = Σ_q w[k][q]` over the served pollutants,
//! its dual-weighted extra cut is `Δ̄ = Σ_q w[k][q]·Δ_q / W` (t/d), and its marginal loss is
//! `ΔC / Δ̄` (万元 per t/d): at the LP prices the line pays for its measure when the marginal loss
//! is at most `W`.

use super::Plan;
use crate::domain::{Inventory, Level, Pollutant};
use crate::model::family::Attribute;
use crate::model::{Problem, Scope, Target, Unit};
use crate::rules::{LineRule, Resolved};
use crate::solve::rows::RowIndex;
use crate::solve::{SolveReport, Status};
use serde::Serialize;

/// Smallest dual counted as a price (万元 per t/d).
pub const PRICE_TOL: f64 = 1e-9;

/// The target prices of a solved problem.
pub struct Prices<'a> {
    p: &'a Problem,
    rows: RowIndex,
    duals: Vec<f64>,
    /// Per unit and level, the uniform fairness group it belongs to (index into
    /// `Problem::fairness`).
    uniform: Vec<[Option<usize>; 3]>,
    /// Duals of the station rows (万元 per µg/m³), one per `Problem::stations` entry.
    station_duals: Vec<f64>,
}

impl<'a> Prices<'a> {
    /// Prices from a solve's target duals (none when their number does not match the rows).
    pub fn new(p: &'a Problem, duals: &[f64]) -> Self {
        let duals = if duals.len() == p.targets.len() {
            duals.iter().map(|d| d.max(0.0)).collect()
        } else {
            vec![0.0; p.targets.len()]
        };
        let mut uniform = vec![[None; 3]; p.units.len()];
        for (gi, g) in p.fairness.iter().enumerate() {
            if g.max_distinct == 1 {
                for &ui in &g.members {
                    if let Some(slot) = uniform.get_mut(ui) {
                        slot[g.level.index()] = Some(gi);
                    }
                }
            }
        }
        Prices {
            p,
            rows: RowIndex::new(p),
            duals,
            uniform,
            station_duals: vec![0.0; p.stations.len()],
        }
    }

    /// The uniform fairness group (its name) unit `ui` belongs to at level `k`.
    pub fn uniform_group(&self, ui: usize, k: usize) -> Option<&str> {
        let gi = self.uniform.get(ui)?[k]?;
        Some(self.p.fairness[gi].name.as_str())
    }

    /// The same with the station rows' duals (ignored when their number does not match).
    pub fn with_stations(mut self, duals: &[f64]) -> Self {
        if duals.len() == self.p.stations.len() {
            self.station_duals = duals.iter().map(|d| d.max(0.0)).collect();
        }
        self
    }

    /// Whether any target row has a positive price.
    pub fn any(&self) -> bool {
        self.duals.iter().any(|&d| d > PRICE_TOL)
    }

    /// Dual of target row `r`.
    pub fn dual(&self, r: usize) -> f64 {
        self.duals[r]
    }

    /// The unit's price per (level, pollutant): the sum of the duals of its rows.
    pub fn weights(&self, u: &Unit) -> [[f64; 4]; 3] {
        self.rows.effective(u, &self.duals)
    }

    /// Target rows the unit counts toward at level `k`, as (row, pollutant index).
    pub fn touched(&self, u: &Unit, k: usize) -> Vec<(usize, usize)> {
        let mut v: Vec<(usize, usize)> = self
            .rows
            .of(u)
            .filter_map(|(r, kk, a, _)| match a {
                Attribute::Cut(q) if kk == k && r < self.duals.len() => Some((r, q)),
                _ => None,
            })
            .collect();
        v.sort_unstable();
        v
    }

    /// Reduced cost of option `c` of a unit at level `k` under weights `w` (see the module doc).
    pub fn reduced_cost(u: &Unit, c: usize, k: usize, w: &[[f64; 4]; 3]) -> f64 {
        u.level_costs[c][k] - (0..4).map(|q| w[k][q] * u.choices[c].cut[q]).sum::<f64>()
    }

    /// The problem priced.
    pub fn problem(&self) -> &Problem {
        self.p
    }
}

/// Options of a unit admissible at level `k` (by rules and decisions, in some nested triple).
pub fn admissible(u: &Unit, k: usize) -> Vec<usize> {
    let mut v: Vec<usize> = u.triples.iter().map(|t| t[k] as usize).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Options of a unit at level `k` that nest with the chosen options of the other levels.
pub fn compatible(u: &Unit, k: usize, chosen: [usize; 3]) -> Vec<usize> {
    let mut v: Vec<usize> = u
        .triples
        .iter()
        .filter(|t| (0..3).all(|j| j == k || t[j] as usize == chosen[j]))
        .map(|t| t[k] as usize)
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The rule-minimum option of a unit at level `k`: the proportional limit the rules require.
pub fn minimum_choice(u: &Unit, rule: &LineRule, k: usize) -> Option<usize> {
    u.choices
        .iter()
        .position(|c| c.declared.is_none() && (c.limit - rule.min[k].0).abs() < 1e-9)
}

/// The chosen option index per level of a unit under triple `t`.
pub fn chosen_of(u: &Unit, t: u32) -> [usize; 3] {
    u.triples[t as usize].map(|c| c as usize)
}

/// A target row as planners name it: `橙色预警 全市 NOx` / `orange city NOx`.
pub fn row_label(p: &Problem, t: &Target, english: bool) -> String {
    let scope = match (t.scope, english) {
        (Scope::City, false) => "全市".to_string(),
        (Scope::City, true) => "city".to_string(),
        (Scope::Controlled, false) => "管控企业".to_string(),
        (Scope::Controlled, true) => "controlled firms".to_string(),
        (Scope::District(d), _) => p.districts[d].clone(),
        (Scope::Member(c), _) => p.members[c].clone(),
        (Scope::MemberControlled(c), false) => format!("{} 管控企业", p.members[c]),
        (Scope::MemberControlled(c), true) => format!("{} controlled firms", p.members[c]),
    };
    if english {
        format!("{} {scope} {}", t.level.key(), t.pollutant.label())
    } else {
        format!("{}预警 {scope} {}", t.level.zh(), t.pollutant.label())
    }
}

/// A target row a measure serves, with its price.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServedRow {
    /// Registry name, `target:orange:NOx:city`.
    pub row: String,
    /// Planner's label.
    pub label: String,
    /// LP dual (万元 per t/d).
    pub dual: f64,
}

/// A station row a measure serves, with its price.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServedStation {
    /// Registry name, `station:red:PM25:WX05`.
    pub row: String,
    /// Station name.
    pub name: String,
    /// LP dual (万元 per µg/m³).
    pub dual: f64,
    /// Extra PM2.5 reduction there over the minimum (µg/m³).
    pub extra_reduction: f64,
}

/// Why a measure above its minimum was chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// It serves priced targets at its level.
    Target {
        /// The rows served (positive dual, the measure cuts more of their pollutant).
        rows: Vec<ServedRow>,
        /// Extra cut over the minimum per pollutant (t/d).
        extra_cut: [f64; 4],
        /// Labels of the pollutants whose price the extra cut earns.
        served: Vec<&'static str>,
        /// Extra loss over the minimum (万元/d).
        extra_loss_per_day: f64,
        /// Extra season loss over the minimum (万元), restarts included.
        extra_season_loss: f64,
        /// Sum of the line's prices of the served pollutants, `W` (万元 per t/d).
        price: f64,
        /// Extra season loss per dual-weighted extra t/d (万元 per t/d; see the module doc).
        marginal_loss_per_tonne: f64,
        /// The uniform fairness group whose common measure this is, when the line is in one.
        #[serde(skip_serializing_if = "Option::is_none")]
        group: Option<String>,
    },
    /// It serves priced station rows (`[air.targets]`) at its level, and no priced tonnage row.
    Station {
        /// The rows served (positive dual, the measure reduces more there).
        rows: Vec<ServedStation>,
        /// Extra season loss over the minimum (万元), restarts included.
        extra_season_loss: f64,
        /// Extra season loss per dual-weighted extra µg/m³ (万元 per µg/m³).
        marginal_loss_per_ugm3: f64,
    },
    /// Forced up by the measure of the level below (red ⊇ orange ⊇ yellow).
    Nesting {
        /// The level whose measure forces it.
        by: Level,
        /// That measure's code.
        code: String,
    },
    /// The planner's decision.
    Decision {
        /// The decisions' notes.
        notes: Vec<String>,
    },
    /// The rules' whole-line stop share at this level.
    StopLines {
        /// Lines of the firm that must stop.
        required: usize,
        /// Lines the plan stops.
        stopped: usize,
    },
    /// The common measure of the line's uniform fairness group (serving no priced target of its
    /// own: the group's other lines, or their rule minima, need it).
    Fairness {
        /// Group name.
        group: String,
    },
    /// The LP gives no positive price at this level: the measure is the solver's choice.
    Unpriced {
        /// Solve status keyword.
        status: String,
    },
}

impl Reason {
    /// The reason as the list prints it.
    pub fn text(&self, level: Level, english: bool) -> String {
        match self {
            Reason::Target {
                rows,
                extra_cut,
                served,
                extra_loss_per_day,
                extra_season_loss,
                price: _,
                marginal_loss_per_tonne,
                group,
            } => {
                let labels: Vec<String> = rows
                    .iter()
                    .map(|r| {
                        if english {
                            format!("{} (shadow price {:.2} 10k yuan/(t/d))", r.label, r.dual)
                        } else {
                            format!("{}（影子价格 {:.2} 万元/(t/d)）", r.label, r.dual)
                        }
                    })
                    .collect();
                let cuts: Vec<String> = Pollutant::ALL
                    .iter()
                    .filter(|p| served.contains(&p.label()))
                    .map(|p| format!("{} {} t/d", p.label(), significant(extra_cut[p.index()])))
                    .collect();
                let fair = match (group, english) {
                    (Some(g), true) => {
                        format!("; uniform fairness: the common measure of group {g}")
                    }
                    (Some(g), false) => format!("；同组同措施：公平分组 {g} 的共同措施"),
                    (None, _) => String::new(),
                };
                if english {
                    format!(
                        "serves the targets {}; cuts {} more than the minimum, losing {:.2} (10k yuan/d, {:.2} over the season) more; marginal loss {:.2} (10k yuan per t/d){fair}",
                        labels.join(", "),
                        cuts.join(", "),
                        extra_loss_per_day,
                        extra_season_loss,
                        marginal_loss_per_tonne
                    )
                } else {
                    format!(
                        "为满足{}减排目标；较最低要求多减 {}，增加损失 {:.2} 万元/日（全季 {:.2} 万元），边际损失 {:.2} 万元/(t/d){fair}",
                        labels.join("、"),
                        cuts.join("、"),
                        extra_loss_per_day,
                        extra_season_loss,
                        marginal_loss_per_tonne
                    )
                }
            }
            Reason::Station {
                rows,
                extra_season_loss,
                marginal_loss_per_ugm3,
            } => {
                let labels: Vec<String> = rows
                    .iter()
                    .map(|r| {
                        if english {
                            format!(
                                "{} {} +{} µg/m³ (shadow price {:.2} 10k yuan/(µg/m³))",
                                r.row,
                                r.name,
                                significant(r.extra_reduction),
                                r.dual
                            )
                        } else {
                            format!(
                                "{} {} 多降 {} µg/m³（影子价格 {:.2} 万元/(µg/m³)）",
                                r.row,
                                r.name,
                                significant(r.extra_reduction),
                                r.dual
                            )
                        }
                    })
                    .collect();
                if english {
                    format!(
                        "serves the station targets {}; losing {:.2} (10k yuan over the season) more than the minimum; marginal loss {:.2} (10k yuan per µg/m³)",
                        labels.join(", "),
                        extra_season_loss,
                        marginal_loss_per_ugm3
                    )
                } else {
                    format!(
                        "为满足{}预警站点 PM2.5 降幅目标：{}；较最低要求全季增加损失 {:.2} 万元，边际损失 {:.2} 万元/(µg/m³)",
                        level.zh(),
                        labels.join("、"),
                        extra_season_loss,
                        marginal_loss_per_ugm3
                    )
                }
            }
            Reason::Nesting { by, code } => {
                if english {
                    format!(
                        "nesting: the {} measure {code} binds this level (red ⊇ orange ⊇ yellow)",
                        by.key()
                    )
                } else {
                    format!(
                        "嵌套要求：{}预警措施为 {code}，{}预警不得更宽松（红 ⊇ 橙 ⊇ 黄）",
                        by.zh(),
                        level.zh()
                    )
                }
            }
            Reason::Decision { notes } => notes.join("；"),
            Reason::StopLines { required, stopped } => {
                if english {
                    format!(
                        "rule: the firm must stop {required} whole lines at {} (stops {stopped})",
                        level.key()
                    )
                } else {
                    format!(
                        "规则：整线停产比例要求本企业{}预警停产 {required} 条生产线（本清单停 {stopped} 条）",
                        level.zh()
                    )
                }
            }
            Reason::Fairness { group } => {
                if english {
                    format!("uniform fairness: the common measure of group {group} at {} (needed by the group's other lines or their rule minima, not by a priced target of this line)", level.key())
                } else {
                    format!(
                        "同组同措施：公平分组 {group} 在{}预警的共同措施（由组内其他生产线或其规则最低要求决定，本线无对应的目标影子价格）",
                        level.zh()
                    )
                }
            }
            Reason::Unpriced { status } => {
                if english {
                    format!("no LP price at {} (status {status}): the solver's integer choice, not attributable to one target", level.key())
                } else {
                    format!(
                        "{}预警各目标的线性规划影子价格均为零或不可得（求解状态 {status}）：为求解器整数解的选择，无法归因于单一目标",
                        level.zh()
                    )
                }
            }
        }
    }
}

/// A positive quantity with at least three significant digits (and at least three decimals).
pub fn significant(v: f64) -> String {
    let decimals = if v > 0.0 && v.is_finite() {
        (2 - v.log10().floor() as i32).clamp(3, 9) as usize
    } else {
        3
    };
    format!("{v:.decimals$}")
}

/// What a reason needs to know about the solved plan.
pub struct Context<'a> {
    /// Target prices.
    pub prices: &'a Prices<'a>,
    /// Solve status.
    pub status: Status,
    /// Whole lines stopped per stop group and level in the plan.
    pub stopped: &'a [[usize; 3]],
    /// Labels in English.
    pub english: bool,
}

/// Why unit `ui`'s option at level `k` (of `chosen`) is above its minimum; `None` when it is not.
/// `codes` are the chosen measure codes per level (for nesting reasons).
pub fn reason(
    cx: &Context,
    rule: &LineRule,
    ui: usize,
    chosen: [usize; 3],
    codes: &[String; 3],
    k: usize,
) -> Option<Reason> {
    let p = cx.prices.problem();
    let u = &p.units[ui];
    let value = p.figures.get(ui).map_or(0.0, |f| f.value);
    let c = &u.choices[chosen[k]];
    if !rule.above_minimum(k, c.limit, c.declared.is_some(), c.loss, value) {
        return None;
    }
    use crate::domain::DecisionMode;
    let forcing: Vec<String> = rule.decided[k]
        .iter()
        .filter(|d| matches!(d.mode, DecisionMode::Fix | DecisionMode::AtLeast))
        .map(|d| d.note())
        .collect();
    if !forcing.is_empty() {
        return Some(Reason::Decision { notes: forcing });
    }
    if let Some(g) = u.group {
        let need = p.groups[g].min_stopped[k];
        let have = cx.stopped.get(g).map_or(0, |s| s[k]);
        if c.stop && need > 0 && have <= need {
            return Some(Reason::StopLines {
                required: need,
                stopped: have,
            });
        }
    }
    if k > 0 {
        let cost = |i: usize| u.level_costs[i][k];
        let compat = compatible(u, k, chosen);
        let cheapest_compatible = compat.iter().all(|&i| cost(i) >= cost(chosen[k]) - 1e-9);
        let cheaper_elsewhere = admissible(u, k)
            .into_iter()
            .any(|i| cost(i) < cost(chosen[k]) - 1e-9);
        if cheapest_compatible && cheaper_elsewhere {
            return Some(Reason::Nesting {
                by: Level::ALL[k - 1],
                code: codes[k - 1].clone(),
            });
        }
    }
    if let Some(m) = minimum_choice(u, rule, k) {
        if let Some(mut r) = target_reason(cx.prices, u, value, chosen[k], m, k, cx.english) {
            if let Reason::Target { group, .. } = &mut r {
                *group = cx.prices.uniform_group(ui, k).map(str::to_string);
            }
            return Some(r);
        }
        if let Some(r) = station_reason(cx.prices, u, value, chosen[k], m, k) {
            return Some(r);
        }
    }
    if let Some(g) = cx.prices.uniform_group(ui, k) {
        return Some(Reason::Fairness {
            group: g.to_string(),
        });
    }
    Some(Reason::Unpriced {
        status: cx.status.key().to_string(),
    })
}

/// The priced targets option `c` serves at level `k` against the minimum option `m`, with its
/// extra cut, extra loss and marginal loss (`value`: the line's baseline output value, 万元/d);
/// `None` when no served row has a price.
#[allow(clippy::too_many_arguments)]
fn target_reason(
    prices: &Prices,
    u: &Unit,
    value: f64,
    c: usize,
    m: usize,
    k: usize,
    english: bool,
) -> Option<Reason> {
    let p = prices.problem();
    let (cc, mc) = (&u.choices[c], &u.choices[m]);
    let extra_cut: [f64; 4] = std::array::from_fn(|q| cc.cut[q] - mc.cut[q]);
    let rows: Vec<ServedRow> = prices
        .touched(u, k)
        .into_iter()
        .filter(|&(r, q)| prices.dual(r) > PRICE_TOL && extra_cut[q] > 1e-12)
        .map(|(r, _)| {
            let t = &p.targets[r];
            ServedRow {
                row: crate::model::registry::target_name(p, t),
                label: row_label(p, t, english),
                dual: prices.dual(r),
            }
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let w = prices.weights(u);
    let served: Vec<usize> = (0..4)
        .filter(|&q| w[k][q] > PRICE_TOL && extra_cut[q] > 1e-12)
        .collect();
    let price: f64 = served.iter().map(|&q| w[k][q]).sum();
    let valued: f64 = served.iter().map(|&q| w[k][q] * extra_cut[q]).sum();
    // The season loss proper (a revision's stability penalty on changed measures is no loss).
    let extra_season_loss = p.level_cost(cc, value, k) - p.level_cost(mc, value, k);
    let weighted_cut = valued / price;
    Some(Reason::Target {
        rows,
        extra_cut,
        served: served.iter().map(|&q| Pollutant::ALL[q].label()).collect(),
        extra_loss_per_day: cc.loss - mc.loss,
        extra_season_loss,
        price,
        marginal_loss_per_tonne: extra_season_loss / weighted_cut,
        group: None,
    })
}

/// The priced station rows option `c` serves at level `k` against the minimum option `m`
/// (`value`: the line's baseline output value, 万元/d); `None` when none has a price.
fn station_reason(
    prices: &Prices,
    u: &Unit,
    value: f64,
    c: usize,
    m: usize,
    k: usize,
) -> Option<Reason> {
    let p = prices.problem();
    let (cc, mc) = (&u.choices[c], &u.choices[m]);
    let rows: Vec<ServedStation> = p
        .stations
        .iter()
        .zip(&prices.station_duals)
        .filter(|(s, &d)| s.level.index() == k && d > PRICE_TOL)
        .filter_map(|(s, &d)| {
            let extra = u.air_effect(s.receptor, cc) - u.air_effect(s.receptor, mc);
            (extra > 1e-12).then(|| ServedStation {
                row: crate::model::registry::station_name(s),
                name: s.name.clone(),
                dual: d,
                extra_reduction: extra,
            })
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let price: f64 = rows.iter().map(|r| r.dual).sum();
    let weighted: f64 = rows.iter().map(|r| r.dual * r.extra_reduction).sum::<f64>() / price;
    let extra_season_loss = p.level_cost(cc, value, k) - p.level_cost(mc, value, k);
    Some(Reason::Station {
        rows,
        extra_season_loss,
        marginal_loss_per_ugm3: extra_season_loss / weighted,
    })
}

/// Write a reason into every plan row whose measure is above its rule minimum. `plan` rows are
/// in the order [`super::from_assignment`] makes them (unit by unit, yellow → red).
pub fn annotate(
    plan: &mut Plan,
    inv: &Inventory,
    resolved: &Resolved,
    p: &Problem,
    assignment: &[u32],
    report: &SolveReport,
    english: bool,
) {
    let prices = Prices::new(p, &report.duals).with_stations(&report.station_duals);
    let stopped = p.stopped(assignment);
    let cx = Context {
        prices: &prices,
        status: report.status,
        stopped: &stopped,
        english,
    };
    for (ui, (u, &t)) in p.units.iter().zip(assignment).enumerate() {
        let rows = &mut plan.rows[3 * ui..3 * ui + 3];
        debug_assert!(rows.iter().all(|r| r.line_id == inv.lines[u.line].id));
        let codes: [String; 3] = std::array::from_fn(|k| rows[k].measure.code());
        let chosen = chosen_of(u, t);
        for (k, row) in rows.iter_mut().enumerate() {
            if let Some(r) = reason(&cx, &resolved.lines[u.rule], ui, chosen, &codes, k) {
                row.reason = r.text(row.level, english);
            }
        }
    }
}
