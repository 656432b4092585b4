//! Infeasibility in planners' terms: for each coupling row (each target), the most the lines can cut, the shortfall,
//! and what blocks more (exempt and A / 引领性 emissions, 保障类 floors, idle lines, baselines
//! above the effective capacity, and emissions outside the list).

use crate::domain::{Inventory, LineStatus};
use crate::model::family::coupling_rows;
use crate::model::registry::Family;
use crate::model::{Problem, Scope};
use crate::rules::Resolved;
use indexmap::IndexMap;
use serde::Serialize;

/// One target that cannot be met, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shortfall {
    /// Registry name of the row.
    pub row: String,
    /// Required cut, t/d.
    pub required: f64,
    /// Other-sector credits, t/d.
    pub credit: f64,
    /// The most the listed lines can cut together at this level, t/d.
    pub max_from_lines: f64,
    /// Required − credits − max, t/d.
    pub shortfall: f64,
    /// Emissions that cannot be cut, by reason (t/d).
    pub blocked: IndexMap<&'static str, f64>,
    /// Unit of `required`, `max_from_lines` and `shortfall`: `t/d` for tonnage rows, `µg/m³` for
    /// station rows (their maximum is every line covered by the matrix at its strongest option).
    pub unit: &'static str,
    /// For a station row, the station's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub station: Option<String>,
}

/// Coupling rows that no plan can meet even with every member at its strongest option, with
/// their blockers (empty when every row is reachable on its own; joint infeasibility is reported
/// by the solver). Target rows list what keeps emissions from being cut.
pub fn shortfalls(inv: &Inventory, resolved: &Resolved, p: &Problem) -> Vec<Shortfall> {
    let mut out = Vec::new();
    for row in coupling_rows(p) {
        if row.rhs <= 0.0 {
            continue;
        }
        let max = row.most(p);
        if crate::model::problem::reaches(max, row.rhs) {
            continue;
        }
        let Some(t) = (row.family == Family::Target).then(|| &p.targets[row.source]) else {
            let station = (row.family == Family::Station).then(|| &p.stations[row.source]);
            out.push(Shortfall {
                row: row.key,
                required: row.rhs,
                credit: 0.0,
                max_from_lines: max,
                shortfall: row.rhs - max,
                blocked: IndexMap::new(),
                unit: if station.is_some() { "µg/m³" } else { "t/d" },
                station: station.map(|s| s.name.clone()),
            });
            continue;
        };
        let q = t.pollutant;
        let in_scope = |district: &str, controlled: bool| match t.scope {
            Scope::City => true,
            Scope::District(d) => p.districts[d] == district,
            Scope::Controlled => controlled,
            // Diagnosed with one city's inventory: the city is the whole of it.
            Scope::Member(_) => true,
            Scope::MemberControlled(_) => controlled,
        };
        let mut blocked: IndexMap<&'static str, f64> = [
            ("exempt 豁免企业", 0.0),
            ("A / 引领性 (voluntary)", 0.0),
            ("保障类 minimum load 最低负荷", 0.0),
            ("idle lines 停产生产线 (not counted)", 0.0),
            ("above effective baseline 超出基准产能", 0.0),
            ("not on the list 清单外排放", 0.0),
        ]
        .into_iter()
        .collect();
        let mut listed = 0.0;
        for r in &resolved.lines {
            let line = &inv.lines[r.line];
            let ent = inv.enterprise_of(line);
            if !in_scope(&ent.district, r.controlled) {
                continue;
            }
            let base = line.baseline_emissions()[q].0;
            listed += line.emissions[q].0;
            *blocked
                .get_mut("above effective baseline 超出基准产能")
                .expect("key") += line.emissions[q].0 - base;
            if ent.exempt.is_some() {
                *blocked.get_mut("exempt 豁免企业").expect("key") += base * (1.0 - r.cap.0);
            } else if !r.controllable {
                *blocked.get_mut("A / 引领性 (voluntary)").expect("key") += base;
            } else if r.cap.0 < 1.0 {
                *blocked
                    .get_mut("保障类 minimum load 最低负荷")
                    .expect("key") += base * (1.0 - r.cap.0);
            }
        }
        for line in inv.lines.iter().filter(|l| l.status == LineStatus::Idle) {
            let ent = inv.enterprise_of(line);
            if in_scope(&ent.district, ent.exempt.is_none()) {
                *blocked
                    .get_mut("idle lines 停产生产线 (not counted)")
                    .expect("key") += line.emissions[q].0;
                listed += line.emissions[q].0;
            }
        }
        if t.scope != Scope::Controlled {
            *blocked.get_mut("not on the list 清单外排放").expect("key") +=
                (t.base - listed).max(0.0);
        }
        for v in blocked.values_mut() {
            *v = crate::domain::summary::round6(*v);
        }
        out.push(Shortfall {
            row: row.key,
            required: t.required,
            credit: t.credit,
            max_from_lines: max,
            shortfall: t.rhs - max,
            blocked,
            unit: "t/d",
            station: None,
        });
    }
    out
}

/// Text lines explaining the shortfalls (Chinese and English).
pub fn explain(shortfalls: &[Shortfall]) -> String {
    let mut s = String::new();
    for f in shortfalls {
        if let Some(name) = &f.station {
            s.push_str(&format!(
                "{} ({name}): 需降低 PM2.5 required {:.3} µg/m³, 清单全部最强措施最多 lines at most {:.3} µg/m³ → 缺口 shortfall {:.3} µg/m³\n",
                f.row, f.required, f.max_from_lines, f.shortfall
            ));
            continue;
        }
        s.push_str(&format!(
            "{}: 需减排 required {:.3} {u}, 其他领域 credits {:.3}, 清单最多 lines at most {:.3} → 缺口 shortfall {:.3} {u}\n",
            f.row, f.required, f.credit, f.max_from_lines, f.shortfall, u = f.unit
        ));
        for (k, v) in &f.blocked {
            if *v > 0.0 {
                s.push_str(&format!("    {k}: {v:.3} t/d\n"));
            }
        }
    }
    s
}
