//! The mapping file of `jianpai import --mapping map.toml`: their headers → our columns, their
//! values → our values per column, and the operating time that converts annual and hourly
//! amounts.
//!
//! ```toml
//! operating_days = 330          # days per year (annual amounts ÷ this)
//! operating_hours = 24          # hours per day (hourly amounts × this)
//! [columns]
//! "企业统一代码" = "credit_code"      # our key, Chinese header or alias; "lines.name" picks the table
//! "SO2年排放量（吨/年）" = "so2"
//! [values.status]
//! "开工" = "在产"
//! ```

use crate::io::schema::{normalize_header, ColumnSpec, TableSpec, TABLES};
use crate::validate::cells::error;
use crate::validate::header_units::{header_unit, OperatingTime};
use crate::validate::Report;
use std::collections::BTreeMap;
use std::path::Path;

/// The file as written.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    operating_days: Option<f64>,
    operating_hours: Option<f64>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
}

/// A column of ours named in a mapping: the table when it was named (`lines.name`), the column.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The table, when the mapping named it.
    pub table: Option<&'static TableSpec>,
    /// The column.
    pub column: &'static ColumnSpec,
}

/// A validated mapping.
#[derive(Debug, Default)]
pub struct Mapping {
    /// File shown in messages (empty without a mapping file).
    pub source: String,
    /// Their header (normalized) → our column.
    columns: Vec<(String, String, Target)>,
    /// Our column → their value → our value.
    values: Vec<(Target, BTreeMap<String, String>)>,
    /// Operating days and hours from the file, if it gives them.
    pub operating_days: Option<f64>,
    /// Operating hours per day from the file, if given.
    pub operating_hours: Option<f64>,
}

/// Find our column named `name` (`key`, Chinese header, alias, or `table.key`).
pub fn resolve(name: &str) -> Option<Target> {
    let (table, col) = match name.split_once('.') {
        Some((t, c)) => {
            let t = TABLES
                .iter()
                .copied()
                .find(|s| s.name.eq_ignore_ascii_case(t.trim()) || s.zh == t.trim())?;
            (Some(t), c)
        }
        None => (None, name),
    };
    let tables: Vec<&'static TableSpec> = match table {
        Some(t) => vec![t],
        None => TABLES.to_vec(),
    };
    tables
        .into_iter()
        .flat_map(|t| t.columns.iter())
        .find(|c| c.key.eq_ignore_ascii_case(col.trim()) || c.matches(col))
        .map(|column| Target { table, column })
}

fn known_columns() -> String {
    TABLES
        .iter()
        .map(|t| {
            format!(
                "{}: {}",
                t.name,
                t.columns
                    .iter()
                    .map(|c| c.key)
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl Mapping {
    /// Read and check a mapping file; every problem is an error in `report` naming the file and
    /// the key (E413 unreadable, E414 unknown target column, E415 values for an unknown column).
    pub fn read(path: &Path, report: &mut Report) -> Option<Mapping> {
        let source = path.display().to_string();
        let text = match std::fs::read(path) {
            Ok(b) => match crate::io::encoding::decode_owned(b) {
                Ok((t, _)) => t,
                Err(why) => {
                    report.push(error("E413", &source, None, None, None, why, ""));
                    return None;
                }
            },
            Err(e) => {
                report.push(error(
                    "E301",
                    &source,
                    None,
                    None,
                    None,
                    format!("cannot read: {e}"),
                    "",
                ));
                return None;
            }
        };
        let file: MappingFile = match toml::from_str(&text) {
            Ok(f) => f,
            Err(e) => {
                report.push(error(
                    "E413",
                    &source,
                    None,
                    None,
                    None,
                    format!("is not a valid mapping file: {}", e.message()),
                    "keys: operating_days, operating_hours, [columns] \"their header\" = \"our column\", [values.<column>] \"their value\" = \"our value\"",
                ));
                return None;
            }
        };
        let before = report.error_count();
        for (key, v, max) in [
            ("operating_days", file.operating_days, 366.0),
            ("operating_hours", file.operating_hours, 24.0),
        ] {
            if let Some(v) = v.filter(|v| !(*v > 0.0 && *v <= max)) {
                report.push(error(
                    "E411",
                    &source,
                    None,
                    Some(key.into()),
                    Some(&v.to_string()),
                    format!("operating time out of range: {key} must lie in (0, {max}]"),
                    "fix the mapping file",
                ));
            }
        }
        let mut m = Mapping {
            source: source.clone(),
            operating_days: file.operating_days,
            operating_hours: file.operating_hours,
            ..Mapping::default()
        };
        for (theirs, ours) in &file.columns {
            match resolve(ours) {
                Some(t) => m
                    .columns
                    .push((normalize_header(theirs), theirs.clone(), t)),
                None => report.push(error(
                    "E414",
                    &source,
                    None,
                    Some(format!("[columns] \"{theirs}\"")),
                    Some(ours),
                    format!("unknown target column '{ours}'"),
                    format!(
                        "name one of our columns (key or Chinese header, optionally table.key): {}",
                        known_columns()
                    ),
                )),
            }
        }
        for (col, map) in &file.values {
            match resolve(col) {
                Some(t) => m.values.push((t, map.clone())),
                None => report.push(error(
                    "E415",
                    &source,
                    None,
                    Some(format!("[values.\"{col}\"]")),
                    Some(col),
                    format!("values given for an unknown column '{col}'"),
                    format!("name one of our columns: {}", known_columns()),
                )),
            }
        }
        (report.error_count() == before).then_some(m)
    }

    /// The operating time: the command line's, else the mapping's, else the default.
    pub fn time(&self, days: Option<f64>, hours: Option<f64>) -> OperatingTime {
        let d = OperatingTime::default();
        OperatingTime {
            operating_days: days.or(self.operating_days).unwrap_or(d.operating_days),
            operating_hours: hours.or(self.operating_hours).unwrap_or(d.operating_hours),
        }
    }

    /// The header a cell stands for: our column's Chinese header (with the unit written in
    /// theirs) when the mapping names it, else the cell itself; and the mapped table, if any.
    pub fn header(&self, cell: &str) -> (String, Option<Target>) {
        let n = normalize_header(cell);
        // A header with its unit matches a mapping key with or without the unit.
        let exact = normalize_exact(cell);
        match self
            .columns
            .iter()
            .find(|(_, theirs, _)| normalize_exact(theirs) == exact)
            .or_else(|| {
                self.columns
                    .iter()
                    .find(|(k, _, _)| !n.is_empty() && *k == n)
            }) {
            Some((_, _, t)) => {
                let h = match header_unit(cell) {
                    Some(u) => format!("{}（{u}）", t.column.zh),
                    None => t.column.zh.to_string(),
                };
                (h, Some(*t))
            }
            None => (cell.to_string(), None),
        }
    }

    /// Their value of column `col` of `table` as ours, when the mapping says so.
    pub fn value(&self, table: &TableSpec, col: &ColumnSpec, v: &str) -> Option<&str> {
        self.values
            .iter()
            .filter(|(t, _)| {
                t.column.key == col.key && t.table.is_none_or(|tt| tt.name == table.name)
            })
            .find_map(|(_, m)| m.get(v.trim()).map(String::as_str))
    }
}

/// A header without spaces, in lower case (units kept).
fn normalize_exact(h: &str) -> String {
    h.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_by_key_header_alias_and_table() {
        assert_eq!(resolve("so2").unwrap().column.key, "so2");
        assert_eq!(
            resolve("统一社会信用代码").unwrap().column.key,
            "credit_code"
        );
        let t = resolve("lines.name").unwrap();
        assert_eq!((t.table.unwrap().name, t.column.key), ("lines", "name"));
        assert!(resolve("nosuch").is_none());
        assert!(resolve("lines.nosuch").is_none());
    }
}
