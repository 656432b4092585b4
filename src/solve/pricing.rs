//! Lagrangian pricing: with a multiplier on every coupling row (λ ≥ 0), each unit independently
//! picks its best nested triple; the sum gives a certified lower bound.

use super::rows::RowIndex;
use crate::model::{Problem, Unit};

/// Multipliers on the coupling rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Multipliers {
    /// One per coupling row, in [`RowIndex`] order (≥ 0).
    pub lambda: Vec<f64>,
}

impl Multipliers {
    /// All zero.
    pub fn zero(rows: &RowIndex) -> Self {
        Multipliers {
            lambda: vec![0.0; rows.len()],
        }
    }
}

/// Per-choice, per-level price adjustment: −Σ λ·coefficient over the unit's rows.
fn adjustments(rows: &RowIndex, u: &Unit, m: &Multipliers) -> Vec<[f64; 3]> {
    let w = rows.prices(u, &m.lambda);
    u.choices
        .iter()
        .map(|c| {
            let stop = f64::from(u8::from(c.stop));
            [0, 1, 2].map(|k| {
                -(0..4).map(|q| w[k][q] * c.cut[q]).sum::<f64>() - w[k][4] * c.loss - w[k][5] * stop
            })
        })
        .collect()
}

/// Priced value of every triple of a unit: cost − Σ λ·coefficient.
pub fn values(rows: &RowIndex, u: &Unit, m: &Multipliers, out: &mut Vec<f64>) {
    let adj = adjustments(rows, u, m);
    out.clear();
    out.extend(
        u.triples.iter().zip(&u.costs).map(|(t, c)| {
            c + adj[t[0] as usize][0] + adj[t[1] as usize][1] + adj[t[2] as usize][2]
        }),
    );
}

/// The Lagrangian bound L(λ) and each unit's best triple.
pub fn lagrangian(p: &Problem, rows: &RowIndex, m: &Multipliers) -> (f64, Vec<u32>) {
    let mut total = 0.0;
    let mut start = 0;
    // Family by family, so that each family's share is summed on its own.
    for family in rows.rows.chunk_by(|a, b| a.family == b.family) {
        let end = start + family.len();
        total += family
            .iter()
            .zip(&m.lambda[start..end])
            .map(|(row, l)| l * row.rhs)
            .sum::<f64>();
        start = end;
    }
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
