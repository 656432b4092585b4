//! The coupling rows as the solver sees them: every family's rows in one list (the dual vector's
//! order) and, per unit, the rows it counts in.

use crate::model::family::{coupling_rows, rows_by_unit, Attribute, CouplingRow};
use crate::model::registry::Family;
use crate::model::{Problem, Unit};

/// The coupling rows of a problem and, per unit, the rows it counts in.
#[derive(Debug, Clone)]
pub struct RowIndex {
    /// Every coupling row, family by family (duals and multipliers use this order).
    pub rows: Vec<CouplingRow>,
    /// Per unit (by its inventory line index): (row, weight) in the unit's visiting order.
    by_unit: Vec<Vec<(usize, f64)>>,
    /// Unit index of each inventory line index (`usize::MAX` for lines without a unit).
    unit_of_line: Vec<usize>,
}

impl RowIndex {
    /// Index the problem's coupling rows.
    pub fn new(p: &Problem) -> Self {
        let rows = coupling_rows(p);
        let by_unit = rows_by_unit(p, &rows);
        let mut unit_of_line =
            vec![usize::MAX; p.units.iter().map(|u| u.line + 1).max().unwrap_or(0)];
        for (ui, u) in p.units.iter().enumerate() {
            unit_of_line[u.line] = ui;
        }
        RowIndex {
            rows,
            by_unit,
            unit_of_line,
        }
    }

    /// Number of coupling rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Rows of a unit as (row, level index, attribute, weight).
    pub fn of(&self, u: &Unit) -> impl Iterator<Item = (usize, usize, Attribute, f64)> + '_ {
        let list = self
            .unit_of_line
            .get(u.line)
            .and_then(|&ui| self.by_unit.get(ui))
            .map_or(&[][..], Vec::as_slice);
        list.iter().map(|&(r, w)| {
            let row = &self.rows[r];
            (r, row.level.index(), row.attribute, w)
        })
    }

    /// The entries of `values` (one per row) that belong to `family`, in row order.
    pub fn of_family(&self, family: Family, values: &[f64]) -> Vec<f64> {
        self.rows
            .iter()
            .zip(values)
            .filter(|(row, _)| row.family == family)
            .map(|(_, &v)| v)
            .collect()
    }

    /// A unit's price per level and attribute: the weighted sum of its rows' multipliers (rows
    /// beyond `mult` count 0).
    pub fn prices(&self, u: &Unit, mult: &[f64]) -> [[f64; Attribute::COUNT]; 3] {
        let mut w = [[0.0; Attribute::COUNT]; 3];
        for (r, k, a, weight) in self.of(u) {
            if let Some(&m) = mult.get(r) {
                if m == 0.0 {
                    continue;
                }
                for (wi, ai) in w[k].iter_mut().zip(a.cut_weights(u)) {
                    *wi += weight * m * ai;
                }
            }
        }
        w
    }

    /// A unit's price per (level, pollutant) under `mult` (the cut attributes of [`Self::prices`]).
    pub fn effective(&self, u: &Unit, mult: &[f64]) -> [[f64; 4]; 3] {
        let w = self.prices(u, mult);
        [0, 1, 2].map(|k| [0, 1, 2, 3].map(|q| w[k][q]))
    }
}
