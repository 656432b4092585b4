//! `jianpai explain`: why a line (or every line of an enterprise) takes its measure at each level.
//!
//! For each level: every admissible option with its cuts, loss and cut per 万元; the target prices
//! (LP duals, from the plan's `summary.json`) of the rows the line counts toward; each option's
//! reduced cost under those prices (see [`crate::plan::reasons`]); why the chosen option beat the
//! next-best and by how much; and the price of the binding target at which the two would tie
//! (the break-even dual). A level whose measure is forced (a single admissible option, a
//! decision, the whole-line stop rule, nesting red ⊇ orange ⊇ yellow) says so.

use crate::domain::{Inventory, Level, Pollutant};
use crate::model::{Problem, Unit};
use crate::plan::reasons::{
    admissible, compatible, minimum_choice, reason, row_label, Context, Prices, Reason, PRICE_TOL,
};
use crate::plan::{choice_measure, measure_text};
use crate::rules::{LineRule, Resolved};
use serde::Serialize;

/// Tolerance on reduced costs (万元) when telling a minimum from a tie.
const RC_TOL: f64 = 1e-7;

/// Cuts per pollutant with English keys.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cuts {
    /// SO2.
    pub so2: f64,
    /// NOx.
    pub nox: f64,
    /// PM.
    pub pm: f64,
    /// VOCs.
    pub vocs: f64,
}

impl From<[f64; 4]> for Cuts {
    fn from(c: [f64; 4]) -> Self {
        Cuts {
            so2: c[0],
            nox: c[1],
            pm: c[2],
            vocs: c[3],
        }
    }
}

/// One admissible option of a line at a level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionView {
    /// Measure code.
    pub code: String,
    /// Measure text.
    pub text: String,
    /// The plan's measure.
    pub chosen: bool,
    /// The rules' minimum measure.
    pub minimum: bool,
    /// Nests with the plan's measures at the other levels.
    pub nests_with_plan: bool,
    /// Cut per pollutant, t/d.
    pub cut: Cuts,
    /// Production loss, 万元/d.
    pub loss_per_day: f64,
    /// Cut per 万元 of daily loss per pollutant (t/d per 万元/d); `None` when the option loses nothing.
    pub cut_per_10k_yuan: Option<Cuts>,
    /// Season loss at this level (万元): warning days × loss, plus restarts for a stop.
    pub season_loss: f64,
    /// Season loss less the priced value of its cuts (万元).
    pub reduced_cost: f64,
}

/// A target row the line counts toward at a level, with its price.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowPrice {
    /// Registry name, `target:orange:NOx:city`.
    pub row: String,
    /// Planner's label.
    pub label: String,
    /// Pollutant label.
    pub pollutant: &'static str,
    /// LP dual (万元 of season loss per t/d).
    pub dual: f64,
}

/// What forced a level's measure, when it was not a free choice at the prices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forced {
    /// `rule`, `decision`, `stop_lines`, `nesting` or `integer` (the integer plan differs from
    /// the LP prices' choice: whole measures where the LP takes a fraction of a step).
    pub kind: &'static str,
    /// Explanation.
    pub text: String,
}

/// The chosen option against the next-best one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextBest {
    /// Next-best option's code.
    pub code: String,
    /// Its reduced cost less the chosen option's (万元; ≥ 0 when the choice is the cheapest).
    pub margin: f64,
    /// The binding target row whose price decides between them (`None` when their cuts are
    /// equal on every priced pollutant).
    pub binding_row: Option<String>,
    /// That row's dual (万元 per t/d).
    pub dual: Option<f64>,
    /// The dual at which the two options tie (万元 per t/d).
    pub break_even_dual: Option<f64>,
    /// Break-even less current dual.
    pub dual_change: Option<f64>,
}

/// One level of a line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelView {
    /// Level key.
    pub level: &'static str,
    /// The plan's measure code.
    pub chosen: String,
    /// The rules' minimum measure code.
    pub minimum: Option<String>,
    /// Target prices of the rows the line counts toward at this level.
    pub prices: Vec<RowPrice>,
    /// Admissible options, weakest first.
    pub options: Vec<OptionView>,
    /// What forced the measure, if anything.
    pub forced: Option<Forced>,
    /// The chosen option against the next-best.
    pub next_best: Option<NextBest>,
    /// The reason the list gives for a measure above its minimum.
    pub reason: Option<Reason>,
    /// That reason as printed in the list.
    pub reason_text: Option<String>,
}

/// One line explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineView {
    /// Line id.
    pub line_id: String,
    /// Line name.
    pub line_name: String,
    /// Enterprise credit code.
    pub credit_code: String,
    /// Enterprise name.
    pub enterprise: String,
    /// Yellow, orange, red.
    pub levels: Vec<LevelView>,
}

/// The whole explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Scenario name.
    pub scenario: String,
    /// Solve status keyword of the plan.
    pub status: String,
    /// Whether the plan carries LP duals for every target row.
    pub priced: bool,
    /// Lines explained.
    pub lines: Vec<LineView>,
}

/// Explain units `units` of a problem whose plan takes the nested triple `assignment[ui]` for
/// every unit (the whole plan, so that whole-line stop counts are the plan's).
#[allow(clippy::too_many_arguments)]
pub fn explain(
    inv: &Inventory,
    resolved: &Resolved,
    p: &Problem,
    duals: &[f64],
    assignment: &[u32],
    units: &[usize],
    status: crate::solve::Status,
    scenario: &str,
    english: bool,
) -> Explanation {
    let prices = Prices::new(p, duals);
    let stopped = p.stopped(assignment);
    let cx = Context {
        prices: &prices,
        status,
        stopped: &stopped,
        english,
    };
    let lines = units
        .iter()
        .map(|&ui| {
            let chosen = crate::plan::reasons::chosen_of(&p.units[ui], assignment[ui]);
            line_view(inv, resolved, &cx, ui, chosen, english)
        })
        .collect();
    Explanation {
        scenario: scenario.to_string(),
        status: status.key().to_string(),
        priced: duals.len() == p.targets.len() && prices.any(),
        lines,
    }
}

fn line_view(
    inv: &Inventory,
    resolved: &Resolved,
    cx: &Context,
    ui: usize,
    chosen: [usize; 3],
    english: bool,
) -> LineView {
    let p = cx.prices.problem();
    let u = &p.units[ui];
    let rule = &resolved.lines[u.rule];
    let line = &inv.lines[u.line];
    let ent = inv.enterprise_of(line);
    let code_of = |c: usize, k: usize| choice_measure(&u.choices[c], rule.transport[k]).code();
    let codes: [String; 3] = std::array::from_fn(|k| code_of(chosen[k], k));
    let levels = (0..3)
        .map(|k| {
            let mut v = level_view(inv, cx, rule, ui, chosen, k, english);
            let why = reason(cx, rule, ui, chosen, &codes, k);
            v.reason_text = why.as_ref().map(|r| r.text(Level::ALL[k], english));
            v.reason = why;
            v
        })
        .collect();
    LineView {
        line_id: line.id.clone(),
        line_name: line.name.clone(),
        credit_code: line.enterprise.to_string(),
        enterprise: ent.name.clone(),
        levels,
    }
}

fn level_view(
    inv: &Inventory,
    cx: &Context,
    rule: &LineRule,
    ui: usize,
    chosen: [usize; 3],
    k: usize,
    english: bool,
) -> LevelView {
    let p = cx.prices.problem();
    let u = &p.units[ui];
    let level = Level::ALL[k];
    let w = cx.prices.weights(u);
    let rc = |c: usize| Prices::reduced_cost(u, c, k, &w);
    let code_of = |c: usize| choice_measure(&u.choices[c], rule.transport[k]).code();
    let codes: [String; 3] =
        std::array::from_fn(|j| choice_measure(&u.choices[chosen[j]], rule.transport[j]).code());
    let line_id = &inv.lines[u.line].id;
    let all = admissible(u, k);
    let nests = compatible(u, k, chosen);
    let min = minimum_choice(u, rule, k);
    let options = all
        .iter()
        .map(|&c| {
            let ch = &u.choices[c];
            OptionView {
                code: code_of(c),
                text: measure_text(
                    inv,
                    line_id,
                    &choice_measure(ch, rule.transport[k]),
                    english,
                ),
                chosen: c == chosen[k],
                minimum: Some(c) == min,
                nests_with_plan: nests.contains(&c),
                cut: ch.cut.into(),
                loss_per_day: ch.loss,
                cut_per_10k_yuan: (ch.loss > 0.0).then(|| ch.cut.map(|x| x / ch.loss).into()),
                season_loss: u.level_costs[c][k],
                reduced_cost: rc(c),
            }
        })
        .collect();
    let prices = cx
        .prices
        .touched(u, k)
        .into_iter()
        .map(|(r, q)| RowPrice {
            row: crate::model::registry::target_name(p, &p.targets[r]),
            label: row_label(p, &p.targets[r], english),
            pollutant: Pollutant::ALL[q].label(),
            dual: cx.prices.dual(r),
        })
        .collect();
    let c = chosen[k];
    let best = |set: &[usize]| set.iter().map(|&i| rc(i)).fold(f64::INFINITY, f64::min);
    let forced = forced(cx, rule, u, chosen, k, &all, &nests, english).or_else(|| {
        let tol = RC_TOL * (1.0 + rc(c).abs());
        if rc(c) > best(&all) + tol && rc(c) <= best(&nests) + tol {
            Some(nesting_forced(u, chosen, &codes, k, &all, rc, &code_of, english))
        } else if rc(c) > best(&nests) + tol {
            Some(Forced {
                kind: "integer",
                text: if english {
                    "whole measures: at the LP prices another option costs less (the LP takes a fraction of a step on this line); the integer plan needs this one to meet the targets in whole measures (exact MIP, or a time-limited incumbent)".into()
                } else {
                    "整数取整：按线性规划影子价格另有约化成本更低的措施（线性规划在此线上只取一个措施档的一部分）；为以整档措施满足目标，整数解（精确整数规划或限时方案）选择了本措施".into()
                },
            })
        } else {
            None
        }
    });
    // The comparison set: every admissible option when the choice is free at the prices, the
    // options that nest with the plan's other levels when something forces it.
    let pool = if forced.is_some() { &nests } else { &all };
    let next_best = pool
        .iter()
        .copied()
        .filter(|&i| i != c)
        .min_by(|&a, &b| rc(a).total_cmp(&rc(b)).then(a.cmp(&b)))
        .map(|n| next_best(cx, u, c, n, k, rc(n) - rc(c), &code_of));
    LevelView {
        level: level.key(),
        chosen: code_of(c),
        minimum: min.map(code_of),
        prices,
        options,
        forced,
        next_best,
        reason: None,
        reason_text: None,
    }
}

/// A rule, a decision or the whole-line stop share forcing the level's measure.
#[allow(clippy::too_many_arguments)]
fn forced(
    cx: &Context,
    rule: &LineRule,
    u: &Unit,
    chosen: [usize; 3],
    k: usize,
    all: &[usize],
    nests: &[usize],
    english: bool,
) -> Option<Forced> {
    let level = Level::ALL[k];
    let deciding: Vec<String> = rule.decided[k].iter().map(|d| d.note()).collect();
    if !deciding.is_empty() && nests.len() <= 1 {
        return Some(Forced {
            kind: "decision",
            text: deciding.join("；"),
        });
    }
    if all.len() == 1 {
        return Some(Forced {
            kind: "rule",
            text: if english {
                format!("the rules admit one measure only at {}", level.key())
            } else {
                format!("规则在{}预警只允许这一种措施", level.zh())
            },
        });
    }
    let p = cx.prices.problem();
    let stop = u.choices[chosen[k]].stop;
    if let (Some(g), true) = (u.group, stop) {
        let need = p.groups[g].min_stopped[k];
        let have = cx.stopped.get(g).map_or(0, |s| s[k]);
        if need > 0 && have <= need {
            return Some(Forced {
                kind: "stop_lines",
                text: Reason::StopLines {
                    required: need,
                    stopped: have,
                }
                .text(level, english),
            });
        }
    }
    None
}

/// Which neighbouring level's measure keeps the cheapest option at the prices out.
#[allow(clippy::too_many_arguments)]
fn nesting_forced(
    u: &Unit,
    chosen: [usize; 3],
    codes: &[String; 3],
    k: usize,
    all: &[usize],
    rc: impl Fn(usize) -> f64,
    code_of: &dyn Fn(usize) -> String,
    english: bool,
) -> Forced {
    let cheapest = all
        .iter()
        .copied()
        .min_by(|&a, &b| rc(a).total_cmp(&rc(b)).then(a.cmp(&b)))
        .unwrap_or(chosen[k]);
    let below = k > 0 && !u.choices[chosen[k - 1]].weaker_or_equal(&u.choices[cheapest]);
    let by = if below { k - 1 } else { (k + 1).min(2) };
    let (lv, byl) = (Level::ALL[k], Level::ALL[by]);
    let text = if english {
        format!(
            "nesting (red ⊇ orange ⊇ yellow): the {} measure {} rules out {}, the cheapest at the prices",
            byl.key(),
            codes[by],
            code_of(cheapest)
        )
    } else {
        format!(
            "嵌套要求（红 ⊇ 橙 ⊇ 黄）：{}预警措施 {} 使按价格最省的 {} 在{}预警不可选",
            byl.zh(),
            codes[by],
            code_of(cheapest),
            lv.zh()
        )
    };
    Forced {
        kind: "nesting",
        text,
    }
}

/// The chosen option `c` against the next-best `n` at level `k`: the binding row (the largest
/// dual among the rows where their cuts differ) and its break-even dual.
fn next_best(
    cx: &Context,
    u: &Unit,
    c: usize,
    n: usize,
    k: usize,
    margin: f64,
    code_of: &dyn Fn(usize) -> String,
) -> NextBest {
    let p = cx.prices.problem();
    let diff: [f64; 4] = std::array::from_fn(|q| u.choices[n].cut[q] - u.choices[c].cut[q]);
    let binding = cx
        .prices
        .touched(u, k)
        .into_iter()
        .filter(|&(_, q)| diff[q].abs() > 1e-12)
        .max_by(|&(ra, qa), &(rb, qb)| {
            let key = |r: usize, q: usize| {
                (
                    cx.prices.dual(r) > PRICE_TOL,
                    cx.prices.dual(r),
                    diff[q].abs(),
                )
            };
            let (a, b) = (key(ra, qa), key(rb, qb));
            a.0.cmp(&b.0)
                .then(a.1.total_cmp(&b.1))
                .then(a.2.total_cmp(&b.2))
                .then(rb.cmp(&ra))
        });
    let (binding_row, dual, break_even_dual, dual_change) = match binding {
        Some((r, q)) => {
            // rc(n) − rc(c) falls by diff[q] per unit of the row's dual: they tie at +margin/diff.
            let change = margin / diff[q];
            let d = cx.prices.dual(r);
            (
                Some(crate::model::registry::target_name(p, &p.targets[r])),
                Some(d),
                Some(d + change),
                Some(change),
            )
        }
        None => (None, None, None, None),
    };
    NextBest {
        code: code_of(n),
        margin,
        binding_row,
        dual,
        break_even_dual,
        dual_change,
    }
}

/// The explanation as text (Chinese, or English).
pub fn render(e: &Explanation, english: bool) -> String {
    let mut o = String::new();
    let t = |zh: &'static str, en: &'static str| if english { en } else { zh };
    if !e.priced {
        o.push_str(t(
            "注意：该方案没有可用的线性规划影子价格（全部为零或缺失），约化成本即季节损失。\n",
            "Note: the plan has no usable LP prices (all zero or missing); reduced costs equal season losses.\n",
        ));
    }
    for l in &e.lines {
        o.push_str(&format!(
            "{} {}（{} {}）\n",
            t("生产线", "Line"),
            l.line_id,
            l.enterprise,
            l.credit_code
        ));
        for v in &l.levels {
            let level = Level::parse(v.level).expect("level key");
            let name = if english {
                format!("{} warning", level.key())
            } else {
                format!("{}预警", level.zh())
            };
            o.push_str(&format!(
                "  {name}：{} {}{}{}\n",
                t("选定", "chosen"),
                v.chosen,
                t("；规则最低 ", "; rule minimum "),
                v.minimum.as_deref().unwrap_or("—")
            ));
            let priced: Vec<String> = v
                .prices
                .iter()
                .map(|r| format!("{} {:.4}", r.label, r.dual))
                .collect();
            o.push_str(&format!(
                "    {}{}\n",
                t(
                    "目标影子价格（万元/(t/d)）：",
                    "target prices (10k yuan per t/d): "
                ),
                if priced.is_empty() {
                    "—".to_string()
                } else {
                    priced.join(t("；", "; "))
                }
            ));
            o.push_str(&format!(
                "    {}\n",
                t(
                    "措施\tSO2\tNOx\tPM\tVOCs(t/d)\t损失(万元/日)\t每万元减排(t/d)\t季损失(万元)\t约化成本(万元)",
                    "option\tSO2\tNOx\tPM\tVOCs (t/d)\tloss (10k yuan/d)\tcut per 10k yuan (t/d)\tseason loss\treduced cost"
                )
            ));
            for op in &v.options {
                let mark = match (op.chosen, op.minimum) {
                    (true, _) => "*",
                    (false, true) => "m",
                    _ => " ",
                };
                let per = op
                    .cut_per_10k_yuan
                    .map(|c| format!("{:.4}/{:.4}/{:.4}/{:.4}", c.so2, c.nox, c.pm, c.vocs))
                    .unwrap_or_else(|| "—".into());
                o.push_str(&format!(
                    "    {mark} {}\t{:.6}\t{:.6}\t{:.6}\t{:.6}\t{:.4}\t{per}\t{:.4}\t{:.4}{}\n",
                    op.code,
                    op.cut.so2,
                    op.cut.nox,
                    op.cut.pm,
                    op.cut.vocs,
                    op.loss_per_day,
                    op.season_loss,
                    op.reduced_cost,
                    if op.nests_with_plan {
                        ""
                    } else {
                        t(
                            "（与其他级别措施不嵌套）",
                            " (does not nest with the other levels)",
                        )
                    }
                ));
            }
            match &v.forced {
                Some(f) => o.push_str(&format!("    {}{}\n", t("强制：", "forced: "), f.text)),
                None => o.push_str(&format!(
                    "    {}\n",
                    t(
                        "按影子价格，选定措施的约化成本最低",
                        "at the prices, the chosen option has the least reduced cost"
                    )
                )),
            }
            if let Some(n) = &v.next_best {
                o.push_str(&format!(
                    "    {}{}{}{:.4}{}\n",
                    t("次优 ", "next-best "),
                    n.code,
                    if n.margin >= 0.0 {
                        t("：约化成本高 ", ": reduced cost higher by ")
                    } else {
                        t("：约化成本低 ", ": reduced cost lower by ")
                    },
                    n.margin.abs(),
                    t(" 万元", " (10k yuan)")
                ));
                if let (Some(key), Some(d), Some(be)) = (&n.binding_row, n.dual, n.break_even_dual)
                {
                    // The planner's label of the row (the registry key in json).
                    let row = v
                        .prices
                        .iter()
                        .find(|p| &p.row == key)
                        .map_or(key.as_str(), |p| p.label.as_str());
                    o.push_str(&format!(
                        "    {}{row}{}{d:.4}{}{be:.4}{}{}\n",
                        t("翻转价格：若 ", "break-even: if the price of "),
                        t(" 的影子价格由 ", " went from "),
                        t(" 变为 ", " to "),
                        t(
                            " 万元/(t/d)，两者持平",
                            " (10k yuan per t/d), the two would tie"
                        ),
                        if be < 0.0 {
                            t(
                                "（价格不能为负：不会翻转）",
                                " (prices cannot be negative: no flip)",
                            )
                        } else {
                            ""
                        }
                    ));
                }
            }
            if let Some(r) = &v.reason_text {
                o.push_str(&format!("    {}{r}\n", t("加严理由：", "reason: ")));
            }
        }
    }
    o
}
