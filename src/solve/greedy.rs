//! Adaptive cost-effectiveness greedy (the planner's "least cost per tonne" ranking, re-ranked
//! after every step), then a clean-up pass that drops measures no longer needed.

use super::rows::RowIndex;
use crate::model::problem::feas_tol;
use crate::model::{Problem, Unit};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// State shared by the greedy steps: current triple per unit, achieved cut per row, stops per group.
struct State<'a> {
    p: &'a Problem,
    rows: &'a RowIndex,
    assignment: Vec<u32>,
    achieved: Vec<f64>,
    stopped: Vec<[usize; 3]>,
}

impl<'a> State<'a> {
    fn new(p: &'a Problem, rows: &'a RowIndex) -> Self {
        let assignment = vec![0u32; p.units.len()];
        let achieved = p.achieved(&assignment);
        let stopped = p.stopped(&assignment);
        State {
            p,
            rows,
            assignment,
            achieved,
            stopped,
        }
    }

    fn deficit(&self, r: usize) -> f64 {
        (self.p.targets[r].rhs - self.achieved[r]).max(0.0)
    }

    fn cut(u: &Unit, t: usize, k: usize, q: usize) -> f64 {
        u.choices[u.triples[t][k] as usize].cut[q]
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
        let rows: Vec<(usize, usize, usize, f64)> = self
            .rows
            .of(u)
            .filter_map(|(r, k, q)| {
                let d = self.deficit(r);
                (d > 0.0).then_some((r, k, q, d))
            })
            .collect();
        let group_def = u.group.map(|g| {
            [0, 1, 2].map(|k| self.p.groups[g].min_stopped[k].saturating_sub(self.stopped[g][k]))
        });
        if rows.is_empty() && group_def.is_none_or(|d| d.iter().all(|&x| x == 0)) {
            return None;
        }
        let mut best: Option<(f64, usize)> = None;
        for t in 0..u.triples.len() {
            if t == cur || !Self::dominates(u, cur, t) {
                continue;
            }
            let mut gain = 0.0;
            for &(r, k, q, d) in &rows {
                let delta = Self::cut(u, t, k, q) - Self::cut(u, cur, k, q);
                gain += delta.min(d) / self.p.targets[r].rhs.max(1e-12);
            }
            if let Some(def) = group_def {
                for (k, &dk) in def.iter().enumerate() {
                    let now = u.choices[u.triples[cur][k] as usize].stop;
                    let then = u.choices[u.triples[t][k] as usize].stop;
                    if dk > 0 && then && !now {
                        gain += 1.0 / dk as f64;
                    }
                }
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
        for (r, k, q) in self.rows.of(u) {
            self.achieved[r] += Self::cut(u, t, k, q) - Self::cut(u, cur, k, q);
        }
        if let Some(g) = u.group {
            for k in 0..3 {
                let now = u.choices[u.triples[cur][k] as usize].stop as usize;
                let then = u.choices[u.triples[t][k] as usize].stop as usize;
                self.stopped[g][k] = self.stopped[g][k] + then - now;
            }
        }
        self.assignment[ui] = t as u32;
    }

    fn satisfied(&self) -> bool {
        self.p
            .targets
            .iter()
            .enumerate()
            .all(|(r, t)| self.achieved[r] >= t.rhs - feas_tol(t.rhs))
            && self
                .p
                .groups
                .iter()
                .zip(&self.stopped)
                .all(|(g, s)| (0..3).all(|k| s[k] >= g.min_stopped[k]))
    }

    /// Whether moving unit `ui` to `t` keeps every row and group satisfied.
    fn keeps_feasible(&self, ui: usize, t: usize) -> bool {
        let u = &self.p.units[ui];
        let cur = self.assignment[ui] as usize;
        let rows_ok = self.rows.of(u).all(|(r, k, q)| {
            let rhs = self.p.targets[r].rhs;
            self.achieved[r] + Self::cut(u, t, k, q) - Self::cut(u, cur, k, q)
                >= rhs - feas_tol(rhs)
        });
        let group_ok = u.group.is_none_or(|g| {
            (0..3).all(|k| {
                let now = u.choices[u.triples[cur][k] as usize].stop as usize;
                let then = u.choices[u.triples[t][k] as usize].stop as usize;
                self.stopped[g][k] + then >= self.p.groups[g].min_stopped[k] + now
            })
        });
        rows_ok && group_ok
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
