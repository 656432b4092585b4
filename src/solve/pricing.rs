//! Lagrangian pricing: with multipliers on the target rows (λ) and stop-group rows (σ), each unit
//! independently picks its best nested triple; the sum gives a certified lower bound.

use super::rows::RowIndex;
use crate::model::{Problem, Unit};

/// Multipliers on the coupling rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Multipliers {
    /// One per target row (≥ 0).
    pub lambda: Vec<f64>,
    /// One per group and level (≥ 0).
    pub sigma: Vec<[f64; 3]>,
}

impl Multipliers {
    /// All zero.
    pub fn zero(p: &Problem) -> Self {
        Multipliers {
            lambda: vec![0.0; p.targets.len()],
            sigma: vec![[0.0; 3]; p.groups.len()],
        }
    }
}

/// Per-choice, per-level price adjustment: −(λ·cut + σ·stop).
fn adjustments(rows: &RowIndex, u: &Unit, m: &Multipliers) -> Vec<[f64; 3]> {
    let w = rows.effective(u, &m.lambda);
    let sig = u.group.map(|g| m.sigma[g]).unwrap_or([0.0; 3]);
    u.choices
        .iter()
        .map(|c| {
            [0, 1, 2].map(|k| {
                -(0..4).map(|q| w[k][q] * c.cut[q]).sum::<f64>() - if c.stop { sig[k] } else { 0.0 }
            })
        })
        .collect()
}

/// Priced value of every triple of a unit: cost − λ·cut − σ·stops.
pub fn values(rows: &RowIndex, u: &Unit, m: &Multipliers, out: &mut Vec<f64>) {
    let adj = adjustments(rows, u, m);
    out.clear();
    out.extend(
        u.triples.iter().zip(&u.costs).map(|(t, c)| {
            c + adj[t[0] as usize][0] + adj[t[1] as usize][1] + adj[t[2] as usize][2]
        }),
    );
}

/// The Lagrangian bound L(λ, σ) and each unit's best triple.
pub fn lagrangian(p: &Problem, rows: &RowIndex, m: &Multipliers) -> (f64, Vec<u32>) {
    let mut total: f64 = p
        .targets
        .iter()
        .zip(&m.lambda)
        .map(|(t, l)| l * t.rhs)
        .sum();
    total += p
        .groups
        .iter()
        .zip(&m.sigma)
        .map(|(g, s)| (0..3).map(|k| s[k] * g.min_stopped[k] as f64).sum::<f64>())
        .sum::<f64>();
    let mut best = Vec::with_capacity(p.units.len());
    let mut buf = Vec::new();
    for u in &p.units {
        values(rows, u, m, &mut buf);
        let (i, v) = argmin(&buf);
        total += v;
        best.push(i as u32);
    }
    (total, best)
}

/// Index and value of the smallest element (first on ties).
pub fn argmin(v: &[f64]) -> (usize, f64) {
    let mut bi = 0;
    for i in 1..v.len() {
        if v[i] < v[bi] {
            bi = i;
        }
    }
    (bi, v[bi])
}
