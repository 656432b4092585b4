//! The calendar master problem: its coupling rows (the registry-named day rows
//! `cut:2022-01-05:NOx`, cut ≥ target, and `cap:2022-01-05:cement`, stopped capacity ≤ cap), the
//! generated patterns as columns, the master as a HiGHS problem and a unit's day prices under
//! the row duals.

use super::instance::{Instance, UnitPlan, TOL};
use crate::domain::Pollutant;
use highs::RowProblem;

/// A coupling row of the master.
#[derive(Debug, Clone)]
pub(super) struct Coupling {
    pub(super) name: String,
    pub(super) kind: &'static str,
    /// (day, pollutant) for cuts, (day, industry) for caps.
    pub(super) at: (usize, usize),
    /// Cut rows: need ≥; cap rows: room ≤.
    pub(super) rhs: f64,
}

/// A generated pattern: unit, plan, true cost and its coefficients in the coupling rows.
#[derive(Debug, Clone)]
pub(super) struct Column {
    pub(super) unit: usize,
    pub(super) plan: UnitPlan,
    pub(super) cost: f64,
    pub(super) terms: Vec<(usize, f64)>,
}

pub(super) struct Master<'a> {
    pub(super) inst: &'a Instance,
    pub(super) rows: Vec<Coupling>,
    pub(super) cut_row: Vec<[Option<usize>; 4]>,
    pub(super) cap_row: Vec<Vec<Option<usize>>>,
    pub(super) columns: Vec<Column>,
}

impl<'a> Master<'a> {
    pub(super) fn new(inst: &'a Instance) -> Self {
        let n = inst.days.len();
        let mut fixed_cut = vec![[0.0; 4]; n];
        let mut fixed_cap = vec![vec![0.0; inst.industries.len()]; n];
        let mut movable = vec![vec![false; inst.industries.len()]; n];
        for u in &inst.units {
            for d in 0..n {
                if inst.forced(u, d).is_some() {
                    for (f, e) in fixed_cut[d].iter_mut().zip(&u.emissions) {
                        *f += e;
                    }
                    fixed_cap[d][u.industry] += u.capacity;
                } else if inst.choosable(u, d) || !u.jobs.is_empty() {
                    movable[d][u.industry] = true;
                }
            }
        }
        let mut m = Master {
            inst,
            rows: Vec::new(),
            cut_row: vec![[None; 4]; n],
            cap_row: vec![vec![None; inst.industries.len()]; n],
            columns: Vec::new(),
        };
        for (d, day) in inst.days.iter().enumerate() {
            for p in Pollutant::ALL {
                let need = day.target[p.index()] - fixed_cut[d][p.index()];
                if day.target[p.index()] > 0.0 && need > TOL {
                    m.cut_row[d][p.index()] = Some(m.rows.len());
                    m.rows.push(Coupling {
                        name: format!("cut:{}:{}", day.date, p.label()),
                        kind: "cut",
                        at: (d, p.index()),
                        rhs: need,
                    });
                }
            }
            for (i, ind) in inst.industries.iter().enumerate() {
                let room = ind.limit() - fixed_cap[d][i];
                if movable[d][i] || room < -TOL {
                    m.cap_row[d][i] = Some(m.rows.len());
                    m.rows.push(Coupling {
                        name: format!("cap:{}:{}", day.date, ind.code),
                        kind: "cap",
                        at: (d, i),
                        rhs: room,
                    });
                }
            }
        }
        m
    }

    /// Column of a unit plan.
    pub(super) fn column(&self, ui: usize, plan: UnitPlan) -> Column {
        let u = &self.inst.units[ui];
        let states = self.inst.states(u, &plan);
        let cost = self.inst.unit_cost(u, &states);
        let mut terms = Vec::new();
        for (d, s) in states.iter().enumerate() {
            if s.decided() {
                terms.extend(self.day_terms(u, d));
            }
        }
        Column {
            unit: ui,
            plan,
            cost,
            terms,
        }
    }

    /// The coupling-row terms a decided stop of `u` on day `d` earns: its emissions in the day's
    /// cut rows, its capacity in its industry's cap row.
    pub(super) fn day_terms<'b>(
        &'b self,
        u: &'b super::Unit,
        d: usize,
    ) -> impl Iterator<Item = (usize, f64)> + 'b {
        let cuts = (0..4).filter_map(move |p| {
            self.cut_row[d][p]
                .filter(|_| u.emissions[p] > 0.0)
                .map(|r| (r, u.emissions[p]))
        });
        cuts.chain(self.cap_row[d][u.industry].map(|r| (r, u.capacity)))
    }

    pub(super) fn add(&mut self, c: Column) {
        if !self
            .columns
            .iter()
            .any(|o| o.unit == c.unit && o.plan == c.plan)
        {
            self.columns.push(c);
        }
    }

    /// The master over the generated columns: LP (with slack columns, costs × `weight`, slack
    /// cost `penalty` per unit of a row's relative shortfall) or MIP (no slacks).
    pub(super) fn problem(
        &self,
        keep: &[usize],
        weight: f64,
        penalty: f64,
        integer: bool,
    ) -> RowProblem {
        let units = self.inst.units.len();
        let mut pb = RowProblem::default();
        let mut col_terms: Vec<Vec<(usize, f64)>> = Vec::with_capacity(keep.len());
        let cols: Vec<highs::Col> = keep
            .iter()
            .map(|&ci| {
                let c = &self.columns[ci];
                col_terms.push(
                    std::iter::once((c.unit, 1.0))
                        .chain(c.terms.iter().map(|&(r, a)| (units + r, a)))
                        .collect(),
                );
                if integer {
                    pb.add_integer_column(c.cost * weight, 0.0..=1.0)
                } else {
                    pb.add_column(c.cost * weight, 0.0..=1.0)
                }
            })
            .collect();
        let mut rows: Vec<Vec<(highs::Col, f64)>> = vec![Vec::new(); units + self.rows.len()];
        for (c, terms) in cols.iter().zip(&col_terms) {
            for &(r, a) in terms {
                rows[r].push((*c, a));
            }
        }
        if !integer {
            for (r, row) in self.rows.iter().enumerate() {
                let scale = row.rhs.abs().max(1.0);
                let s = pb.add_column(penalty / scale, 0.0..);
                rows[units + r].push((s, if row.kind == "cut" { 1.0 } else { -1.0 }));
            }
        }
        for (r, terms) in rows.into_iter().enumerate() {
            if r < units {
                pb.add_row(1.0..=1.0, terms);
            } else {
                let row = &self.rows[r - units];
                if row.kind == "cut" {
                    pb.add_row(row.rhs..=f64::INFINITY, terms);
                } else {
                    pb.add_row(f64::NEG_INFINITY..=row.rhs, terms);
                }
            }
        }
        pb
    }

    /// Day prices of unit ui under the row duals: value × factor × weight − what a stop earns.
    pub(super) fn prices(&self, ui: usize, duals: &[f64], weight: f64) -> Vec<f64> {
        let u = &self.inst.units[ui];
        (0..self.inst.days.len())
            .map(|d| {
                let mut p = self.inst.day_value(u, d) * weight;
                for q in 0..4 {
                    if let Some(r) = self.cut_row[d][q] {
                        p -= duals[r].max(0.0) * u.emissions[q];
                    }
                }
                if let Some(r) = self.cap_row[d][u.industry] {
                    p -= duals[r].min(0.0) * u.capacity;
                }
                p
            })
            .collect()
    }
}
