//! The wind/stability frequency table (`met.csv`) of the screening model.

use super::tables::MET;
use crate::validate::cells::{error, warning, Sheet};
use crate::validate::Report;
use std::collections::HashMap;
use std::path::Path;

/// Pasquill–Gifford stability class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stability {
    /// Very unstable.
    A,
    /// Unstable.
    B,
    /// Slightly unstable.
    C,
    /// Neutral.
    D,
    /// Slightly stable.
    E,
    /// Stable.
    F,
}

impl Stability {
    /// Parse `A` … `F` (also `D类`, `中性` for D).
    pub fn parse(s: &str) -> Option<Stability> {
        let t = s.trim().to_uppercase();
        let t = t.trim_end_matches('类').trim_end_matches('级');
        Some(match t {
            "A" | "极不稳定" => Stability::A,
            "B" | "不稳定" => Stability::B,
            "C" | "弱不稳定" => Stability::C,
            "D" | "中性" => Stability::D,
            "E" | "弱稳定" | "较稳定" => Stability::E,
            "F" | "稳定" => Stability::F,
            _ => return None,
        })
    }
}

/// Sector names from north clockwise, 22.5° each.
pub const SECTORS: [&str; 16] = [
    "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW",
    "NNW",
];
const SECTORS_ZH: [&str; 16] = [
    "北",
    "北东北",
    "东北",
    "东东北",
    "东",
    "东东南",
    "东南",
    "南东南",
    "南",
    "南西南",
    "西南",
    "西西南",
    "西",
    "西西北",
    "西北",
    "北西北",
];

/// The 16-sector index of a bearing in degrees (0 = north, clockwise).
pub fn sector_of(degrees: f64) -> usize {
    ((degrees.rem_euclid(360.0) + 11.25) / 22.5) as usize % 16
}

/// Parse a sector: a name (N, NNE …, 北, 东北 …, also 北东北 as 东北偏北 is written) or degrees.
pub fn parse_sector(s: &str) -> Option<usize> {
    let t = s.trim().to_uppercase();
    if let Some(i) = SECTORS.iter().position(|n| *n == t) {
        return Some(i);
    }
    let zh = t.trim_end_matches('风').replace("偏", "");
    if let Some(i) = SECTORS_ZH.iter().position(|n| *n == zh) {
        return Some(i);
    }
    // 东北偏北 (NNE) written with 偏: the main direction comes first.
    let alt = [
        ("东北北", 1),
        ("东北东", 3),
        ("东南东", 5),
        ("东南南", 7),
        ("西南南", 9),
        ("西南西", 11),
        ("西北西", 13),
        ("西北北", 15),
    ];
    if let Some((_, i)) = alt.iter().find(|(n, _)| *n == zh) {
        return Some(*i);
    }
    let d: f64 = t.trim_end_matches('°').parse().ok()?;
    (d.is_finite() && (0.0..=360.0).contains(&d)).then(|| sector_of(d))
}

/// One class of the frequency table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetClass {
    /// Sector the wind blows from (0 = N).
    pub from: usize,
    /// Wind speed, m/s.
    pub speed: f64,
    /// Stability.
    pub stability: Stability,
    /// Share of hours.
    pub frequency: f64,
}

/// Slowest wind the plume formula takes, m/s: calms are folded into the lowest class.
pub const MIN_SPEED: f64 = 0.5;
/// Most classes a table may have (16 sectors × 6 classes × 20 speeds).
pub const MAX_CLASSES: usize = 16 * 6 * 20;

/// Read and validate a frequency table (E921–E925, W902).
pub fn read_met(path: &Path) -> Result<(Vec<MetClass>, Report), Report> {
    let mut report = Report::default();
    let table = super::sites::read_air_table(path, "give a wind/stability frequency table")?;
    let Some(s) = Sheet::new(&table, &MET, &mut report) else {
        return Err(report);
    };
    let mut out = Vec::new();
    let mut seen: HashMap<(usize, u64, Stability), usize> = HashMap::new();
    for row in &table.rows {
        let before = report.error_count();
        let from = parse_sector(s.raw(row, "sector"));
        if from.is_none() {
            s.bad(
                &mut report,
                "E921",
                row,
                "sector",
                "unknown wind direction",
                "write N, NNE … NNW, 北, 东北 …, or degrees 0–360",
            );
        }
        let speed = s.number(&mut report, row, "speed");
        if speed.is_some_and(|v| v < MIN_SPEED) {
            s.bad(
                &mut report,
                "E923",
                row,
                "speed",
                format!("below {MIN_SPEED} m/s: the plume formula does not hold in calms"),
                "fold calm hours into the lowest speed class",
            );
        }
        let stability = Stability::parse(s.raw(row, "stability"));
        if stability.is_none() {
            s.bad(
                &mut report,
                "E922",
                row,
                "stability",
                "unknown stability class",
                "write A, B, C, D, E or F (Pasquill–Gifford)",
            );
        }
        let frequency = s.fraction(&mut report, row, "frequency");
        if report.error_count() > before {
            continue;
        }
        let (Some(from), Some(speed), Some(stability), Some(frequency)) =
            (from, speed, stability, frequency)
        else {
            continue;
        };
        let key = (from, speed.to_bits(), stability);
        if let Some(first) = seen.get(&key) {
            s.bad(
                &mut report,
                "E925",
                row,
                "sector",
                format!("the same direction, speed and stability as row {first}"),
                "add the frequencies into one row",
            );
            continue;
        }
        seen.insert(key, row.row);
        out.push(MetClass {
            from,
            speed,
            stability,
            frequency: frequency.0,
        });
    }
    let total: f64 = out.iter().map(|c| c.frequency).sum();
    if out.len() > MAX_CLASSES {
        report.push(error(
            "E924",
            &table.source,
            None,
            None,
            Some(&out.len().to_string()),
            format!("more than {MAX_CLASSES} classes"),
            "merge speed classes",
        ));
    } else if total > 1.0 + 1e-6 {
        report.push(error(
            "E924",
            &table.source,
            None,
            Some(s.label("frequency")),
            Some(&format!("{total}")),
            "the frequencies add up to more than 1",
            "write shares of all hours (they sum to 1, or less when calms are left out)",
        ));
    } else if total < 0.99 {
        report.push(warning(
            "W902",
            &table.source,
            None,
            Some(s.label("frequency")),
            Some(&format!("{total}")),
            format!(
                "the frequencies cover only {:.1} % of hours; the rest counts as no contribution",
                total * 100.0
            ),
            "add the missing classes (calms into the lowest speed)",
        ));
    }
    if report.has_errors() {
        return Err(report);
    }
    Ok((out, report))
}
