//! The results table: one row per scenario with its parameters, status, loss, cuts and the
//! enterprises affected by district, industry and grade; written as CSV (labels in the chosen
//! language) and Parquet (stable machine column names).

use super::spec::{value_text, Case};
use crate::domain::{Level, Pollutant};
use crate::io::IoError;
use crate::plan::summary::Summary;
use indexmap::IndexMap;
use polars::prelude::*;
use serde_json::Value;
use std::path::Path;

/// One row: machine column name → value (numbers, text, booleans or null).
pub type Row = IndexMap<String, Value>;

/// A number cell (rounded to 6 decimals; null when not finite).
pub(super) fn num(v: f64) -> Value {
    serde_json::Number::from_f64(crate::domain::summary::round6(v))
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// An optional number cell.
pub(super) fn opt(v: Option<f64>) -> Value {
    v.map(num).unwrap_or(Value::Null)
}

/// The first columns of every row: position, name and the overridden parameters.
pub fn head(case: &Case) -> Row {
    let mut r = Row::new();
    r.insert("index".into(), Value::from(case.index + 1));
    r.insert("scenario".into(), Value::from(case.name.clone()));
    for (k, v) in &case.params {
        let v = match v {
            toml::Value::Integer(i) => Value::from(*i),
            toml::Value::Float(f) => num(*f),
            toml::Value::Boolean(b) => Value::from(*b),
            v => Value::from(value_text(v)),
        };
        r.insert(format!("param.{k}"), v);
    }
    r
}

/// A solved (or failed) case's row.
pub fn row(case: &Case, s: &Summary) -> Row {
    let mut r = head(case);
    r.insert("status".into(), Value::from(s.status.key()));
    r.insert("gap".into(), s.gap.map(num).unwrap_or(Value::Null));
    r.insert("loss".into(), opt(s.objective));
    r.insert("bound".into(), opt(s.bound));
    r.insert("greedy_loss".into(), opt(s.greedy_objective));
    for l in Level::ALL {
        let ls = &s.levels[l.key()];
        for p in Pollutant::ALL {
            let t = ls.city.get(p.label());
            let k = format!("{}.{}", l.key(), p.key());
            r.insert(format!("{k}.required"), opt(t.map(|t| t.required)));
            r.insert(format!("{k}.achieved"), opt(t.map(|t| t.achieved)));
            r.insert(
                format!("{k}.marginal"),
                opt(t.map(|t| t.marginal_loss_per_tonne)),
            );
        }
        let totals = s.by_district.get(l.key());
        let sum = |f: fn(&crate::plan::summary::GroupTotals) -> f64| {
            totals
                .map(|m| m.values().map(f).sum::<f64>())
                .unwrap_or(0.0)
        };
        r.insert(
            format!("{}.loss_per_day", l.key()),
            num(sum(|g| g.loss_per_day)),
        );
        r.insert(
            format!("{}.enterprises", l.key()),
            Value::from(sum(|g| g.enterprises_controlled as f64) as u64),
        );
        r.insert(
            format!("{}.lines", l.key()),
            Value::from(sum(|g| g.lines_controlled as f64) as u64),
        );
    }
    // Red measures contain orange and yellow ones: an enterprise affected at any level is at red.
    let red = Level::Red.key();
    for (kind, map) in [
        ("district", &s.by_district),
        ("industry", &s.by_industry),
        ("grade", &s.by_grade),
    ] {
        if let Some(m) = map.get(red) {
            for (k, g) in m {
                r.insert(
                    format!("affected.{kind}.{k}"),
                    Value::from(g.enterprises_controlled),
                );
            }
        }
    }
    r
}

/// A row's `message`: the first three lines of why no plan meets its targets (none when every
/// target can be met).
pub fn explain_shortfalls(row: &mut Row, shortfalls: &[crate::diagnose::Shortfall]) {
    if !shortfalls.is_empty() {
        let text = crate::diagnose::explain(shortfalls);
        row.insert(
            "message".into(),
            text.lines().take(3).collect::<Vec<_>>().join(" / ").into(),
        );
    }
}

/// A case that could not be loaded: its status and why.
pub fn failed_row(case: &Case, status: &str, message: &str) -> Row {
    let mut r = head(case);
    r.insert("status".into(), Value::from(status));
    r.insert("message".into(), Value::from(message));
    r
}

/// Columns of a set of rows: index and name, the parameters (first-seen order), the results,
/// then `affected.*` sorted (their set depends on the plans); missing cells are null.
pub fn columns(rows: &[Row]) -> Vec<String> {
    let mut lists: [Vec<String>; 3] = Default::default();
    for r in rows {
        for k in r
            .keys()
            .filter(|k| !matches!(k.as_str(), "index" | "scenario"))
        {
            let which = if k.starts_with("param.") {
                0
            } else if k.starts_with("affected.") {
                2
            } else {
                1
            };
            if !lists[which].contains(k) {
                lists[which].push(k.clone());
            }
        }
    }
    lists[2].sort();
    let [params, results, affected] = lists;
    ["index".to_string(), "scenario".to_string()]
        .into_iter()
        .chain(params)
        .chain(results)
        .chain(affected)
        .collect()
}

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

/// Column label for the CSV.
pub fn label(key: &str, english: bool, industries: &crate::domain::IndustryTable) -> String {
    if english {
        return key.to_string();
    }
    let fixed = [
        ("index", "序号"),
        ("scenario", "情景"),
        ("status", "求解状态"),
        ("gap", "相对间隙"),
        ("loss", "预期损失(万元)"),
        ("bound", "损失下界(万元)"),
        ("greedy_loss", "贪心方案损失(万元)"),
        ("message", "说明"),
    ];
    if let Some((_, zh)) = fixed.iter().find(|(k, _)| *k == key) {
        return zh.to_string();
    }
    if let Some(p) = key.strip_prefix("param.") {
        return format!("参数:{p}");
    }
    if let Some(rest) = key.strip_prefix("affected.") {
        let (kind, name) = rest.split_once('.').unwrap_or((rest, ""));
        let (kind, name) = match kind {
            "district" => ("区县", name.to_string()),
            "industry" => (
                "行业",
                industries
                    .by_code
                    .get(name)
                    .map(|i| i.name_zh.clone())
                    .unwrap_or_else(|| name.to_string()),
            ),
            _ => ("绩效等级", name.to_string()),
        };
        return format!("红色预警管控企业数·{kind}·{name}");
    }
    if let Some(rest) = key.strip_prefix("region.") {
        return format!("区域{}", label(rest, english, industries));
    }
    if let Some(city) = key
        .strip_prefix("city.")
        .and_then(|k| k.strip_suffix(".loss"))
    {
        return format!("{city}预期损失(万元)");
    }
    let parts: Vec<&str> = key.split('.').collect();
    let level = Level::parse(parts[0]).map(|l| l.zh()).unwrap_or(parts[0]);
    match parts.as_slice() {
        [_, "loss_per_day"] => format!("{level}日损失(万元/日)"),
        [_, "enterprises"] => format!("{level}管控企业数"),
        [_, "lines"] => format!("{level}管控生产线数"),
        [_, p, what] => {
            let pol = Pollutant::ALL
                .iter()
                .find(|x| x.key() == *p)
                .map(|x| x.zh())
                .unwrap_or(p);
            let what = match *what {
                "required" => "要求减排(t/d)",
                "achieved" => "实现减排(t/d)",
                "met" => "是否达标",
                _ => "边际损失(万元/(t/d))",
            };
            format!("{level}{pol}{what}")
        }
        _ => key.to_string(),
    }
}

/// The CSV (UTF-8 with BOM, like plan.csv).
pub fn csv_bytes(
    rows: &[Row],
    english: bool,
    industries: &crate::domain::IndustryTable,
) -> Vec<u8> {
    let cols = columns(rows);
    let mut w = crate::io::cells::CsvOut::with_bom();
    w.row(cols.iter().map(|c| label(c, english, industries)));
    for r in rows {
        w.row(cols.iter().map(|c| cell(r.get(c))));
    }
    w.into_bytes()
}

/// Write the Parquet table: numeric columns as Float64, flags as Boolean, the rest as text.
pub fn write_parquet(path: &Path, rows: &[Row]) -> Result<(), IoError> {
    let file = path.display().to_string();
    let err = |e: PolarsError| IoError::Format {
        file: file.clone(),
        message: format!("cannot write Parquet: {e}"),
    };
    let cols: Vec<Column> = columns(rows)
        .iter()
        .map(|c| {
            let vals: Vec<Option<&Value>> = rows.iter().map(|r| r.get(c)).collect();
            let present = || vals.iter().flatten().filter(|v| !v.is_null());
            let name: PlSmallStr = c.as_str().into();
            if present().all(|v| v.is_number()) {
                Column::new(
                    name,
                    vals.iter()
                        .map(|v| v.and_then(Value::as_f64))
                        .collect::<Vec<_>>(),
                )
            } else if present().all(|v| v.is_boolean()) {
                Column::new(
                    name,
                    vals.iter()
                        .map(|v| v.and_then(Value::as_bool))
                        .collect::<Vec<_>>(),
                )
            } else {
                Column::new(
                    name,
                    vals.iter()
                        .map(|v| v.filter(|v| !v.is_null()).map(|v| cell(Some(v))))
                        .collect::<Vec<_>>(),
                )
            }
        })
        .collect();
    let mut df = DataFrame::new(rows.len(), cols).map_err(err)?;
    crate::io::atomic::write_with(path, |w| {
        ParquetWriter::new(w)
            .finish(&mut df)
            .map(|_| ())
            .map_err(std::io::Error::other)
    })
}
