//! `jianpai check --recompute`: rewrite an edited plan file's derived columns — the four cuts,
//! the loss, and every column `check` re-derives (electricity, its share, measure text, the
//! rules' minimum, remarks, names) — from its measure codes, atomically. The planner's choices
//! (line, level, measure code) and any other column are kept as written.

use super::{effect, rederive, rules_with_decisions};
use crate::domain::{Decision, Inventory, LineStatus, Scenario};
use crate::io::schema::PLAN;
use crate::io::table::{read_table, RawTable};
use crate::plan::write::num;
use crate::rules::Rules;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What a recompute changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recomputed {
    /// Rows with at least one cell rewritten.
    pub rows: usize,
    /// Cells rewritten.
    pub cells: usize,
}

/// Why a plan could not be recomputed.
#[derive(Debug, thiserror::Error)]
pub enum RecomputeError {
    /// Only CSV plan files are rewritten.
    #[error("{0}: check --recompute rewrites a plan folder's plan.csv or a .csv plan file, not a workbook or Parquet file")]
    NotCsv(String),
    /// The file could not be read.
    #[error(transparent)]
    Io(#[from] crate::io::IoError),
    /// The plan's cells are not readable.
    #[error("{} errors in the plan file", .0.error_count())]
    Invalid(crate::validate::Report),
}

/// The CSV file a plan path names.
pub fn plan_file(path: &Path) -> Result<PathBuf, RecomputeError> {
    let file = if path.is_dir() {
        path.join("plan.csv")
    } else {
        path.to_path_buf()
    };
    let csv = file
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if csv {
        Ok(file)
    } else {
        Err(RecomputeError::NotCsv(file.display().to_string()))
    }
}

/// Rewrite the derived cells of the plan file at `path` (a folder's plan.csv or a .csv file).
/// Rows whose measure is not understood for their line (an option the line lacks) are left for
/// `check` to report.
pub fn recompute(
    inv: &Inventory,
    rules: &Rules,
    scenario: &Scenario,
    decided: &[Decision],
    path: &Path,
) -> Result<Recomputed, RecomputeError> {
    let file = plan_file(path)?;
    let mut table = read_table(&file)?;
    let rows = crate::plan::read::parse_plan(&table).map_err(RecomputeError::Invalid)?;
    // A plan written with English headers gets English texts.
    let english = table.headers.iter().any(|h| h == "measure_code");
    let resolved = rules_with_decisions(inv, rules, scenario, decided);
    let rule_of: HashMap<usize, &crate::rules::LineRule> = resolved
        .iter()
        .flat_map(|r| r.lines.iter().map(|l| (l.line, l)))
        .collect();
    let lines = inv.line_positions();
    let at: HashMap<usize, usize> = table
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.row, i))
        .collect();
    let mut done = Recomputed { rows: 0, cells: 0 };
    for r in &rows {
        let Some(&li) = lines.get(r.line_id.as_str()) else {
            continue;
        };
        let mut cells: Vec<(&str, String)> = Vec::new();
        if inv.lines[li].status == LineStatus::Idle {
            // An idle line cuts nothing (no phantom cuts).
            cells.extend(CUTS.map(|k| (k, num(0.0, 6))));
        } else if let Some(eff) = effect(inv, li, r) {
            cells.extend((0..4).map(|q| (CUTS[q], num(eff.cut[q], 6))));
            cells.push(("loss", num(eff.loss, 4)));
            for (d, derived) in rederive(inv, scenario, rule_of.get(&li).copied(), li, r, english) {
                cells.push((d.key, derived));
            }
            // A hand-set measure above the rule minimum is the planner's own choice: say so
            // where the reason is blank (the planner may replace the words).
            if super::missing_reason(inv, rule_of.get(&li).copied(), li, r, &eff) {
                let why = if english {
                    "set by hand in the plan file (figures recomputed by check --recompute)"
                } else {
                    "人工调整措施（数值经 check --recompute 重算）"
                };
                cells.push(("reason", why.to_string()));
            }
        }
        let before = done.cells;
        for (key, value) in cells {
            done.cells += usize::from(set(&mut table, at[&r.row], key, value));
        }
        done.rows += usize::from(done.cells > before);
    }
    if done.cells > 0 {
        let mut w = crate::io::cells::CsvOut::with_bom();
        w.row(&table.headers);
        for row in &table.rows {
            w.row(&row.cells);
        }
        crate::io::atomic::write_bytes(&file, &w.into_bytes())?;
    }
    Ok(done)
}

const CUTS: [&str; 4] = ["so2_cut", "nox_cut", "pm_cut", "vocs_cut"];

/// Set the cell of column `key` in data row `i`; whether it changed (numbers compare by value).
fn set(table: &mut RawTable, i: usize, key: &str, value: String) -> bool {
    let Some(spec) = PLAN.columns.iter().find(|c| c.key == key) else {
        return false;
    };
    let Some(c) = table.headers.iter().position(|h| spec.matches(h)) else {
        return false;
    };
    let row = &mut table.rows[i];
    if row.cells.len() <= c {
        row.cells.resize(c + 1, String::new());
    }
    let same_number = matches!(
        (
            crate::validate::cells::parse_number(&row.cells[c]),
            value.parse::<f64>()
        ),
        (Some(a), Ok(b)) if a == b
    );
    if row.cells[c] == value || same_number {
        return false;
    }
    row.cells[c] = value;
    true
}
