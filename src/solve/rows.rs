//! Fast lookup of the target rows a unit contributes to.

use crate::model::{Problem, Scope, Unit};

/// Target row indices by scope, level and pollutant.
#[derive(Debug, Clone)]
pub struct RowIndex {
    city: [[Option<usize>; 4]; 3],
    district: Vec<[[Option<usize>; 4]; 3]>,
    controlled: [[Option<usize>; 4]; 3],
}

impl RowIndex {
    /// Index the problem's targets.
    pub fn new(p: &Problem) -> Self {
        let mut ix = RowIndex {
            city: [[None; 4]; 3],
            district: vec![[[None; 4]; 3]; p.districts.len()],
            controlled: [[None; 4]; 3],
        };
        for (r, t) in p.targets.iter().enumerate() {
            let (k, q) = (t.level.index(), t.pollutant.index());
            match t.scope {
                Scope::City => ix.city[k][q] = Some(r),
                Scope::District(d) => ix.district[d][k][q] = Some(r),
                Scope::Controlled => ix.controlled[k][q] = Some(r),
            }
        }
        ix
    }

    /// Rows of a unit as (row, level, pollutant).
    pub fn of(&self, u: &Unit) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        let d = u.district.map(|d| &self.district[d]);
        let c = if u.controlled {
            Some(&self.controlled)
        } else {
            None
        };
        [Some(&self.city), d, c]
            .into_iter()
            .flatten()
            .flat_map(|tab| {
                (0..3).flat_map(move |k| (0..4).filter_map(move |q| tab[k][q].map(|r| (r, k, q))))
            })
    }

    /// Effective multiplier per (level, pollutant) for a unit: the sum of its rows' multipliers.
    pub fn effective(&self, u: &Unit, lambda: &[f64]) -> [[f64; 4]; 3] {
        let mut w = [[0.0; 4]; 3];
        for (r, k, q) in self.of(u) {
            w[k][q] += lambda[r];
        }
        w
    }
}
