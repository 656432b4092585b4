//! Shared pieces of the hourly evidence readers (CEMS, operating status) and the verdict each
//! source gives on a line: ids, hourly series reduced to window means and day blocks, and the
//! near-zero test of a stop.

use super::meters::{Columns, MeterError};
use super::series::WindowLoad;
use super::Verdict;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Most distinct ids (outlets, facilities, lines) one evidence file may hold.
pub const MAX_IDS: usize = 1_000_000;

/// A stopped line counts as running in an hour when its signal reaches this share of its
/// baseline (CEMS flow) or of rated load (status).
pub const RUNNING_SHARE: f64 = 0.2;

/// A stopped line is flagged when it ran for at least this many hours of the warning.
pub const MIN_RUNNING_HOURS: usize = 3;

/// Interned ids: each distinct string gets a number. Evidence files come grouped by unit, so
/// the last id asked for is checked first (no hashing for a run of rows of one unit).
#[derive(Debug, Default)]
pub struct Ids {
    map: HashMap<String, u32>,
    names: Vec<String>,
    last: Option<u32>,
}

impl Ids {
    /// The number of `s` (a new one when unseen); `None` past [`MAX_IDS`].
    pub fn get(&mut self, s: &str) -> Option<u32> {
        if let Some(i) = self.last {
            if self.names[i as usize] == s {
                return Some(i);
            }
        }
        let i = match self.map.get(s) {
            Some(&i) => i,
            None => {
                if self.names.len() >= MAX_IDS {
                    return None;
                }
                let i = self.names.len() as u32;
                self.map.insert(s.to_string(), i);
                self.names.push(s.to_string());
                i
            }
        };
        self.last = Some(i);
        Some(i)
    }

    /// The string of number `i`.
    pub fn name(&self, i: u32) -> &str {
        &self.names[i as usize]
    }
}

/// `s` without leading and trailing whitespace, as [`str::trim`], without scanning when both
/// ends are printable ASCII (the common case).
#[inline]
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) if f > b' ' && f < 0x80 && l > b' ' && l < 0x80 => s,
        _ => s.trim(),
    }
}

/// A number cell, as [`crate::validate::cells::parse_number`] reads it, without its allocation
/// when the cell is plain ASCII digits, signs and a decimal point (the common case).
pub fn number(s: &str) -> Option<f64> {
    let t = trim(s);
    let plain = !t.is_empty()
        && t.bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+'));
    if plain {
        // What parse_number does with such a cell: no full-width characters to map, no
        // thousands separators, no letters.
        return t.parse::<f64>().ok();
    }
    crate::validate::cells::parse_number(s)
}

/// Check an id cell (key `k`): at most 64 characters, no control characters, and non-empty
/// when `k` is 0 (the first key, a required column). The value is shown escaped (control
/// characters never reach the terminal); `code` prefixes the message.
pub fn check_id(
    cols: &Columns,
    file: &str,
    row: usize,
    cells: &[&str],
    k: usize,
    code: &str,
) -> Result<(), MeterError> {
    let cell = cells[k];
    let pre = || {
        if code.is_empty() {
            String::new()
        } else {
            format!("{code} ")
        }
    };
    if k == 0 && cell.is_empty() {
        return Err(cols.bad(file, row, k, cell, &format!("{}is empty", pre())));
    }
    // ASCII: characters are bytes, and the control characters are below 0x20 and 0x7F.
    let ascii_ok = cell.len() <= 64 && cell.bytes().all(|b| (0x20..0x7f).contains(&b));
    if !ascii_ok && (cell.chars().count() > 64 || cell.chars().any(char::is_control)) {
        let shown = cell.escape_debug().to_string();
        return Err(cols.bad(
            file,
            row,
            k,
            &shown,
            &format!(
                "{}not an id (at most 64 characters, no control characters)",
                pre()
            ),
        ));
    }
    Ok(())
}

/// The hour (start, UTC ms) of a sample at `ts` and its line id (the `line_id` cell, second,
/// else the unit's id, first); `None` when the hour starts outside `span` (half-open).
pub fn hour_and_line<'c>(ts: i64, span: (i64, i64), cells: &[&'c str]) -> Option<(i64, &'c str)> {
    let hour = ts.div_euclid(super::time::HOUR_MS) * super::time::HOUR_MS;
    if hour < span.0 || hour >= span.1 {
        return None;
    }
    Some((
        hour,
        if cells[1].is_empty() {
            cells[0]
        } else {
            cells[1]
        },
    ))
}

/// Milliseconds in a day.
const DAY_MS: i64 = 24 * super::time::HOUR_MS;

/// An hourly series (hour start, value) reduced to one window (half-open): the sum, the hours
/// with data, the spread of the hourly values and the day blocks from the window's start.
pub fn window_load(hours: &[(i64, f64)], w: (i64, i64)) -> WindowLoad {
    let inside: Vec<(i64, f64)> = hours
        .iter()
        .copied()
        .filter(|(h, _)| *h >= w.0 && *h < w.1)
        .collect();
    let n = inside.len();
    let sum: f64 = inside.iter().map(|x| x.1).sum();
    let mean = if n > 0 { sum / n as f64 } else { 0.0 };
    let var = if n > 1 {
        inside.iter().map(|x| (x.1 - mean).powi(2)).sum::<f64>() / (n - 1) as f64
    } else {
        0.0
    };
    let mut blocks: BTreeMap<i64, (f64, f64)> = BTreeMap::new();
    for (h, v) in &inside {
        let b = blocks.entry((h - w.0).div_euclid(DAY_MS)).or_default();
        b.0 += v;
        b.1 += 1.0;
    }
    WindowLoad {
        energy: sum,
        hours: n as f64,
        buckets: n,
        std_kw: var.sqrt(),
        blocks: blocks.into_iter().map(|(b, (e, h))| (b, e, h)).collect(),
    }
}

/// What one source says about one line, with its numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceVerdict {
    /// `electricity`, `cems`, `status` or `gate_log`.
    pub source: &'static str,
    /// What was measured (`load`, `emission_rate`, `flow`, `running_hours`, `trucks`).
    pub measured: &'static str,
    /// Verdict of this source alone.
    pub verdict: Verdict,
    /// Expected share of the baseline (or, for a stop, the running share threshold).
    pub expected: Option<f64>,
    /// Observed share of the baseline (warning mean / baseline mean).
    pub observed: Option<f64>,
    /// Standard error of the observed share.
    pub standard_error: Option<f64>,
    /// Test statistic and its critical value.
    pub t_statistic: Option<f64>,
    /// Critical value at this source's share of the false-alarm rate.
    pub critical_value: Option<f64>,
    /// Hours of the warning the line ran (stop measures).
    pub running_hours: Option<usize>,
    /// Share of the warning's hours with data.
    pub warning_coverage: Option<f64>,
    /// Why (Chinese).
    pub reason: String,
}

impl SourceVerdict {
    /// A verdict with only a reason.
    pub fn bare(
        source: &'static str,
        measured: &'static str,
        verdict: Verdict,
        reason: String,
    ) -> SourceVerdict {
        SourceVerdict {
            source,
            measured,
            verdict,
            expected: None,
            observed: None,
            standard_error: None,
            t_statistic: None,
            critical_value: None,
            running_hours: None,
            warning_coverage: None,
            reason,
        }
    }

    /// The source's name in Chinese.
    pub fn source_zh(source: &str) -> &'static str {
        match source {
            "electricity" => "用电监控",
            "cems" => "在线监测",
            "status" => "工况监控",
            "gate_log" => "门禁记录",
            _ => "无",
        }
    }
}

/// The near-zero test of a stop on one hourly signal: `running` hours of the warning at or
/// above [`RUNNING_SHARE`] of `reference`, out of `with_data` hours with data, `hours` in the
/// warning. Seen running for [`MIN_RUNNING_HOURS`] is a finding whatever the coverage; otherwise
/// the stop is confirmed only with enough coverage.
#[allow(clippy::too_many_arguments)]
pub fn stop_verdict(
    source: &'static str,
    measured: &'static str,
    what: &str,
    running: usize,
    with_data: usize,
    hours: f64,
    observed: Option<f64>,
    min_coverage: f64,
) -> SourceVerdict {
    let cov = with_data as f64 / hours.max(1.0);
    let shown = observed.map_or_else(String::new, |o| {
        format!("，预警期均值为基准期的 {:.1}%", o * 100.0)
    });
    let (verdict, reason) = if running >= MIN_RUNNING_HOURS {
        (
            Verdict::LikelyNonCompliant,
            format!(
                "停产期间有 {running} 小时{what}达到{}的 {:.0}% 以上（有数据 {with_data} 小时{shown}）",
                if source == "status" {
                    "额定负荷"
                } else {
                    "基准期"
                },
                RUNNING_SHARE * 100.0
            ),
        )
    } else if cov < min_coverage {
        (
            Verdict::InsufficientData,
            format!(
                "{}数据覆盖不足：预警期 {:.0}%（需 ≥ {:.0}%）",
                SourceVerdict::source_zh(source),
                cov * 100.0,
                min_coverage * 100.0
            ),
        )
    } else {
        (
            Verdict::Compliant,
            format!(
                "停产：预警期{what}接近零（运行 {running} 小时，有数据 {with_data} 小时{shown}）"
            ),
        )
    };
    SourceVerdict {
        running_hours: Some(running),
        warning_coverage: Some(r4(cov.min(1.0))),
        expected: Some(RUNNING_SHARE),
        observed: observed.map(r4),
        ..SourceVerdict::bare(source, measured, verdict, reason)
    }
}

/// Rounded to 4 decimals.
pub fn r4(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}
