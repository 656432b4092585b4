//! Adaptive cost-effectiveness greedy (the planner's "least cost per tonne" ranking, re-ranked
//! after every step), then a clean-up pass that drops measures no longer needed.

use super::rows::RowIndex;
use crate::model::family::row_values;
use crate::model::problem::reaches;
use crate::model::{Problem, Unit};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// State shared by the greedy steps: current triple per unit and the value of every coupling row.
struct State<'a> {
    p: &'a Problem,
    rows: &'a RowIndex,
    assignment: Vec<u32>,
    achieved: Vec<f64>,
}

impl<'a> State<'a> {
    fn new(p: &'a Problem, rows: &'a RowIndex) -> Self {
        let assignment = vec![0u32; p.units.len()];
        let achieved = row_values(p, &rows.rows, &assignment);
        State {
            p,
            rows,
            assignment,
            achieved,
        }
    }

    fn deficit(&self, r: usize) -> f64 {
        (self.rows.rows[r].rhs - self.achieved[r]).max(0.0)
    }

    /// Coefficient in row `r` (level `k`, member weight `w`) of unit `u` under triple `t`.
    fn coef(&self, r: usize, w: f64, u: &Unit, t: usize, k: usize) -> f64 {
        self.rows.rows[r].coefficient(w, u, &u.choices[u.triples[t][k] as usize])
    }

    /// `to` cuts at least as much as `from` on every level and pollutant and stops at least as much.
    fn dominates(u: &Unit, from: usize, to: usize) -> bool {
        let (a, b) = (u.triples[from], u.triples[to]);
        (0..3).all(|k| {
            let (ca, cb) = (&u.choices[a[k] as usize], &u.choices[b[k] as usize]);
            (0..4).all(|q| cb.cut[q] >= ca.cut[q] - 1e-12) && (cb.stop || !ca.stop)
        })
    }

    /// Best upgrade of a unit: (score, triple) with score = normalised deficit reduction per 万元.
    fn best_move(&self, ui: usize) -> Option<(f64, usize)> {
        let u = &self.p.units[ui];
        let cur = self.assignment[ui] as usize;
        let rows: Vec<(usize, usize, f64, f64)> = self
            .rows
            .of(u)
            .filter_map(|(r, k, _, w)| {
                let d = self.deficit(r);
                (d > 0.0).then_some((r, k, w, d))
            })
            .collect();
        if rows.is_empty() {
            return None;
        }
        let mut best: Option<(f64, usize)> = None;
        for t in 0..u.triples.len() {
            if t == cur || !Self::dominates(u, cur, t) {
                continue;
            }
            let mut gain = 0.0;
            for &(r, k, w, d) in &rows {
                let delta = self.coef(r, w, u, t, k) - self.coef(r, w, u, cur, k);
                gain += delta.min(d) / self.rows.rows[r].normaliser(d);
            }
            if gain <= 1e-15 {
                continue;
            }
            let dc = (u.costs[t] - u.costs[cur]).max(1e-9);
            let score = gain / dc;
            if best.is_none_or(|(s, bt)| score > s || (score == s && t < bt)) {
                best = Some((score, t));
            }
        }
        best
    }

    fn apply(&mut self, ui: usize, t: usize) {
        let u = &self.p.units[ui];
        let cur = self.assignment[ui] as usize;
        for (r, k, _, w) in self.rows.of(u) {
            self.achieved[r] += self.coef(r, w, u, t, k) - self.coef(r, w, u, cur, k);
        }
        self.assignment[ui] = t as u32;
    }

    fn satisfied(&self) -> bool {
        self.rows
            .rows
            .iter()
            .zip(&self.achieved)
            .all(|(row, a)| reaches(*a, row.rhs))
    }

    /// Whether moving unit `ui` to `t` keeps every row satisfied.
    fn keeps_feasible(&self, ui: usize, t: usize) -> bool {
        let u = &self.p.units[ui];
        let cur = self.assignment[ui] as usize;
        self.rows.of(u).all(|(r, k, _, w)| {
            let after = self.achieved[r] + self.coef(r, w, u, t, k) - self.coef(r, w, u, cur, k);
            reaches(after, self.rows.rows[r].rhs)
        })
    }
}

#[derive(PartialEq)]
struct Entry(f64, usize);
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Ordering {
        self.0.total_cmp(&o.0).then(o.1.cmp(&self.1))
    }
}

/// Greedy plan from the cheapest triples, or `None` when the greedy cannot meet every target.
pub fn greedy(p: &Problem, rows: &RowIndex) -> Option<Vec<u32>> {
    repair(p, rows, &vec![0; p.units.len()])
}

fn cleanup(s: &mut State) {
    let mut order: Vec<usize> = (0..s.p.units.len())
        .filter(|&u| s.assignment[u] != 0)
        .collect();
    order.sort_by(|&a, &b| {
        let sa = s.p.units[a].costs[s.assignment[a] as usize];
        let sb = s.p.units[b].costs[s.assignment[b] as usize];
        sb.total_cmp(&sa).then(a.cmp(&b))
    });
    for ui in order {
        let cur = s.assignment[ui] as usize;
        // Triples are sorted cheapest first: take the first cheaper one that keeps feasibility.
        if let Some(t) = (0..cur).find(|&t| {
            s.p.units[ui].costs[t] < s.p.units[ui].costs[cur] - 1e-12 && s.keeps_feasible(ui, t)
        }) {
            s.apply(ui, t);
        }
    }
}

/// Repair an assignment that misses targets with greedy upgrades, then clean up.
pub fn repair(p: &Problem, rows: &RowIndex, assignment: &[u32]) -> Option<Vec<u32>> {
    let mut s = State::new(p, rows);
    for (ui, &t) in assignment.iter().enumerate() {
        s.apply(ui, t as usize);
    }
    let mut heap: BinaryHeap<Entry> = (0..p.units.len())
        .filter_map(|u| s.best_move(u).map(|(sc, _)| Entry(sc, u)))
        .collect();
    while !s.satisfied() {
        let Entry(_, ui) = heap.pop()?;
        let Some((score, t)) = s.best_move(ui) else {
            continue;
        };
        if heap.peek().is_some_and(|top| top.0 > score) {
            heap.push(Entry(score, ui));
            continue;
        }
        s.apply(ui, t);
        if let Some((sc, _)) = s.best_move(ui) {
            heap.push(Entry(sc, ui));
        }
    }
    cleanup(&mut s);
    Some(s.assignment)
}
