//! Truck gate logs (门禁记录): which trucks of which emission standard passed an enterprise's gate
//! during the warning. They verify transport measures, which electricity cannot: T4 (no
//! China-IV-or-older heavy diesel trucks) and T0 (no road trucks but new-energy ones).

use super::evidence::check_id;
use super::meters::{stream_rows, MeterError};
use super::time;
use crate::domain::Transport;
use crate::io::schema::GATES;
use std::collections::HashMap;
use std::path::Path;

/// An emission standard: 1–6 for 国一 … 国六, [`NEW_ENERGY`] for new-energy trucks.
pub type Standard = u8;

/// New-energy (electric, hydrogen) trucks.
pub const NEW_ENERGY: Standard = 9;

/// Parse an emission standard as gate systems write it.
pub fn parse_standard(s: &str) -> Option<Standard> {
    let t = s.trim().to_uppercase().replace(' ', "");
    if [
        "新能源",
        "电动",
        "纯电动",
        "纯电",
        "氢能",
        "EV",
        "NEV",
        "BEV",
        "FCEV",
    ]
    .contains(&t.as_str())
    {
        return Some(NEW_ENERGY);
    }
    let body = t
        .strip_prefix('国')
        .or_else(|| t.strip_prefix("CHINA"))
        .or_else(|| t.strip_prefix("GUO"))?;
    let body = body.trim_end_matches(['A', 'B']);
    match body {
        "一" | "1" | "I" | "Ⅰ" => Some(1),
        "二" | "2" | "II" | "Ⅱ" => Some(2),
        "三" | "3" | "III" | "Ⅲ" => Some(3),
        "四" | "4" | "IV" | "Ⅳ" => Some(4),
        "五" | "5" | "V" | "Ⅴ" => Some(5),
        "六" | "6" | "VI" | "Ⅵ" => Some(6),
        _ => None,
    }
}

/// One passage during the warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Licence plate.
    pub plate: String,
    /// Emission standard.
    pub standard: Standard,
    /// Time (UTC ms).
    pub ts: i64,
}

/// A gate log reduced to what an audit needs: the passages inside the warning per enterprise,
/// and the enterprises the log covers at all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GateLog {
    /// Passages inside the warning, by credit code (in time order).
    pub during: HashMap<String, Vec<Passage>>,
    /// Passages of each enterprise in the whole log.
    pub seen: HashMap<String, usize>,
    /// Rows read.
    pub rows_read: usize,
}

const KEYS: [&str; 5] = ["credit_code", "plate", "standard", "timestamp", "direction"];

/// Read a gate log (CSV streamed, or Parquet), keeping the passages inside `warning`; errors name
/// file, row, column and value.
pub fn read_gates(path: &Path, warning: (i64, i64)) -> Result<GateLog, MeterError> {
    let file = crate::io::table::display(path);
    let mut log = GateLog::default();
    stream_rows(
        path,
        &GATES,
        &KEYS,
        |_| Ok(()),
        |cols, row, cells| {
            let bad = |k: usize, msg: &str| cols.bad(&file, row, k, cells[k], msg);
            for k in 0..2 {
                check_id(cols, &file, row, cells, k, "")?;
                if cells[k].is_empty() {
                    return Err(bad(k, "is empty"));
                }
            }
            let standard = parse_standard(cells[2])
                .ok_or_else(|| bad(2, "unknown emission standard (use 国一 … 国六 or 新能源)"))?;
            let ts = time::parse(cells[3]).map_err(|e| bad(3, &e.to_string()))?;
            let direction = match cells[4].trim() {
                // As usually written (lower case already): no allocation.
                d @ ("" | "进" | "出") => std::borrow::Cow::Borrowed(d),
                d => std::borrow::Cow::Owned(d.to_lowercase()),
            };
            let inbound = match direction.as_ref() {
                "" | "进" | "入" | "进厂" | "in" => true,
                "出" | "出厂" | "out" => false,
                _ => return Err(bad(4, "use 进 or 出 (in or out)")),
            };
            log.rows_read += 1;
            match log.seen.get_mut(cells[0]) {
                Some(n) => *n += 1,
                None => {
                    log.seen.insert(cells[0].to_string(), 1);
                }
            }
            if inbound && ts >= warning.0 && ts < warning.1 {
                log.during
                    .entry(cells[0].to_string())
                    .or_default()
                    .push(Passage {
                        plate: cells[1].to_string(),
                        standard,
                        ts,
                    });
            }
            Ok(())
        },
    )?;
    for v in log.during.values_mut() {
        v.sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.plate.cmp(&b.plate)));
    }
    Ok(log)
}

/// The gate log's verdict on a transport restriction of an enterprise: `None` when the
/// restriction is none; else (verdict, reason in Chinese).
pub fn gate_verdict(
    log: &GateLog,
    credit_code: &str,
    transport: Transport,
) -> Option<(super::Verdict, String)> {
    use super::Verdict;
    let banned = |s: Standard| match transport {
        Transport::BanGuoSi => s <= 4,
        Transport::NoRoad => s != NEW_ENERGY,
        Transport::None => false,
    };
    if transport == Transport::None {
        return None;
    }
    if !log.seen.contains_key(credit_code) {
        return Some((
            Verdict::InsufficientData,
            "门禁记录中没有该企业的记录，运输管控无法核查".into(),
        ));
    }
    let during = log.during.get(credit_code).map_or(&[][..], Vec::as_slice);
    let what = match transport {
        Transport::BanGuoSi => "国四及以下重型柴油货车",
        _ => "非新能源货车",
    };
    let bad: Vec<&Passage> = during.iter().filter(|p| banned(p.standard)).collect();
    Some(match bad.first() {
        Some(first) => (
            Verdict::LikelyNonCompliant,
            format!(
                "预警期间门禁记录有 {} 车次{}进厂（如 {}，{}）",
                bad.len(),
                what,
                first.plate,
                time::format(first.ts)
            ),
        ),
        None => (
            Verdict::Compliant,
            format!("预警期间门禁记录进厂 {} 车次，无{}", during.len(), what),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standards_as_written() {
        for (s, v) in [
            ("国四", 4),
            ("国4", 4),
            ("国IV", 4),
            ("China V", 5),
            ("国六b", 6),
            ("新能源", NEW_ENERGY),
            ("国Ⅵ", 6),
            ("国七", 0),
        ] {
            assert_eq!(parse_standard(s).unwrap_or(0), v, "{s}");
        }
    }
}
