//! Units written in headers (`二氧化硫排放量（吨/年）`, `日产值（万元/年）`, `SO2 (kg/h)`) converted
//! to the tool's daily units (t/d, 万元/d, kWh/d) with the operating days per year and hours per
//! day, before any cell is read. Each conversion is reported once per column (W401); a unit that
//! is not understood is an error (E410).

use super::cells::{error, parse_number, warning};
use super::Report;
use crate::io::schema::TableSpec;
use crate::io::table::column_letter;
use crate::io::RawTable;

pub use crate::domain::scenario::OperatingTime;

/// What a column's amount is measured in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Quantity {
    Mass,
    Money,
    Energy,
    /// Any product unit (capacities): only the period is converted.
    Product,
}

/// The quantity of a schema unit (`t/d`, `万元/d`, `kWh/d`, `unit/d`); others are not converted.
fn quantity_of(spec_unit: &str) -> Option<Quantity> {
    match spec_unit {
        "t/d" => Some(Quantity::Mass),
        "万元/d" => Some(Quantity::Money),
        "kWh/d" => Some(Quantity::Energy),
        "unit/d" => Some(Quantity::Product),
        _ => None,
    }
}

/// The text in the first bracket of a header (`（吨/年）` → `吨/年`).
pub fn header_unit(header: &str) -> Option<String> {
    let open = header.find(['(', '（', '[', '【'])?;
    let rest = &header[open..];
    let first = rest.chars().next()?;
    let inner = &rest[first.len_utf8()..];
    let close = inner.find([')', '）', ']', '】'])?;
    let u = inner[..close].trim();
    (!u.is_empty()).then(|| u.to_string())
}

/// Factor of an amount unit to the base of its quantity (t, 万元, kWh).
fn amount(q: Quantity, a: &str) -> Option<f64> {
    let a = a.trim().to_lowercase();
    let table: &[(&str, f64)] = match q {
        Quantity::Mass => &[
            ("t", 1.0),
            ("吨", 1.0),
            ("万吨", 1e4),
            ("kg", 1e-3),
            ("千克", 1e-3),
            ("公斤", 1e-3),
            ("g", 1e-6),
            ("克", 1e-6),
        ],
        Quantity::Money => &[
            ("万元", 1.0),
            ("元", 1e-4),
            ("千元", 0.1),
            ("亿元", 1e4),
            ("10k yuan", 1.0),
            ("yuan", 1e-4),
        ],
        Quantity::Energy => &[
            ("kwh", 1.0),
            ("千瓦时", 1.0),
            ("度", 1.0),
            ("万千瓦时", 1e4),
            ("万度", 1e4),
            ("mwh", 1e3),
            ("兆瓦时", 1e3),
        ],
        Quantity::Product => return Some(1.0),
    };
    table.iter().find(|(u, _)| *u == a).map(|(_, f)| *f)
}

/// Factor of a period to one day, and the words of the conversion.
fn period(p: &str, t: OperatingTime) -> Option<(f64, String)> {
    let p = p.trim().to_lowercase();
    Some(match p.as_str() {
        "d" | "日" | "天" | "day" => (1.0, String::new()),
        "a" | "年" | "yr" | "year" | "y" => (
            1.0 / t.operating_days,
            format!("÷ {} operating days", t.operating_days),
        ),
        "月" | "month" => (
            12.0 / t.operating_days,
            format!("÷ {} operating days per month", t.operating_days / 12.0),
        ),
        "h" | "小时" | "时" | "hour" => (
            t.operating_hours,
            format!("× {} operating hours", t.operating_hours),
        ),
        _ => return None,
    })
}

/// The factor from a header unit to the column's daily unit, with a description; `Ok(None)` when
/// nothing changes.
pub fn factor(
    unit: &str,
    spec_unit: &str,
    t: OperatingTime,
) -> Result<Option<(f64, String)>, String> {
    let Some(q) = quantity_of(spec_unit) else {
        return Ok(None);
    };
    let (a, p) = match unit.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (unit, None),
    };
    let amount_factor = amount(q, a).ok_or_else(|| format!("unknown amount unit '{a}'"))?;
    let (pf, words) = match p {
        Some(p) => period(p, t).ok_or_else(|| format!("unknown period '{p}'"))?,
        None => (1.0, String::new()),
    };
    let f = amount_factor * pf;
    if (f - 1.0).abs() < 1e-12 {
        return Ok(None);
    }
    let mut how = format!("{unit} → {spec_unit}");
    if !words.is_empty() {
        how.push_str(&format!(" ({words})"));
    }
    Ok(Some((f, how)))
}

/// Convert the amount columns of a raw table whose header states a unit other than the
/// schema's; report each conversion (W401) and each unknown unit (E410).
pub fn convert_table(
    table: &mut RawTable,
    spec: &TableSpec,
    t: OperatingTime,
    report: &mut Report,
) {
    let days_ok = t.operating_days > 0.0 && t.operating_days <= 366.0;
    let hours_ok = t.operating_hours > 0.0 && t.operating_hours <= 24.0;
    if !(days_ok && hours_ok) {
        report.push(error(
            "E411",
            &table.source,
            None,
            None,
            Some(&format!("{} d, {} h", t.operating_days, t.operating_hours)),
            "operating time out of range: days per year must be in (0, 366], hours per day in (0, 24]",
            "fix [units] operating_days / operating_hours",
        ));
        return;
    }
    for (j, h) in table.headers.clone().iter().enumerate() {
        let Some(c) = spec.columns.iter().find(|c| c.matches(h)) else {
            continue;
        };
        let Some(unit) = header_unit(h) else { continue };
        let col = format!("{h} ({})", column_letter(j));
        match factor(&unit, c.unit, t) {
            Ok(None) => {}
            Ok(Some((f, how))) => {
                for row in &mut table.rows {
                    if let Some(v) = row.cells.get(j).and_then(|s| parse_number(s)) {
                        row.cells[j] = format!("{}", v * f);
                    }
                }
                report.push(warning(
                    "W401",
                    &table.source,
                    Some(1),
                    Some(col),
                    Some(&unit),
                    format!("converted {how}: every value × {f:e}"),
                    "set the operating time with [units] operating_days / operating_hours in the scenario or the mapping file",
                ));
            }
            Err(why) => report.push(error(
                "E410",
                &table.source,
                Some(1),
                Some(col),
                Some(&unit),
                format!("{why} in the header; the column is read in {}", c.unit),
                "write the unit as 吨/年, t/a, kg/d, kg/h, 万元/年, 元/日, 千瓦时/年 … or remove it",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(unit: &str, spec: &str) -> f64 {
        factor(unit, spec, OperatingTime::default())
            .unwrap()
            .map_or(1.0, |x| x.0)
    }

    #[test]
    fn units_convert_to_daily_amounts() {
        assert_eq!(
            header_unit("二氧化硫排放量（吨/年）").as_deref(),
            Some("吨/年")
        );
        assert_eq!(header_unit("SO2 (kg/h)").as_deref(), Some("kg/h"));
        assert_eq!(header_unit("日产值"), None);
        assert!((f("吨/年", "t/d") - 1.0 / 300.0).abs() < 1e-15);
        assert!((f("t/a", "t/d") - 1.0 / 300.0).abs() < 1e-15);
        assert!((f("kg/d", "t/d") - 1e-3).abs() < 1e-15);
        assert!((f("kg/h", "t/d") - 0.024).abs() < 1e-15);
        assert!((f("万元/年", "万元/d") - 1.0 / 300.0).abs() < 1e-15);
        assert!((f("元/日", "万元/d") - 1e-4).abs() < 1e-15);
        assert!((f("千瓦时/年", "kWh/d") - 1.0 / 300.0).abs() < 1e-15);
        assert!((f("万吨/年", "unit/d") - 1.0 / 300.0).abs() < 1e-15);
        assert_eq!(f("t/d", "t/d"), 1.0);
        assert_eq!(f("万元", "万元/d"), 1.0);
        assert_eq!(f("kWh", "kWh/d"), 1.0);
        assert!(factor("桶/年", "t/d", OperatingTime::default()).is_err());
        assert!(factor("吨/周", "t/d", OperatingTime::default()).is_err());
    }
}
