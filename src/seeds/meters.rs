//! Synthetic meter data for a warning (`jianpai seeds meters`): one meter per line with a required
//! drop, compliant lines and `cheaters` that ignore or under-apply their measure, hourly noise and
//! day-to-day swings, and the faults real data has (gaps, duplicates, resets, rollovers, 15-minute
//! and hourly data mixed, local and offset time stamps), plus a truth file.

use super::rng::Rng;
use crate::audit::time::{format, HOUR_MS};
use crate::diff::listing::Listing;
use crate::domain::Level;
use std::fmt::Write as _;
use std::io::Write;

/// Settings of the generator.
#[derive(Debug, Clone, PartialEq)]
pub struct MeterSettings {
    /// Level of the warning.
    pub level: Level,
    /// Lines that do not apply their measure.
    pub cheaters: usize,
    /// Random seed.
    pub seed: u64,
    /// Hourly noise (standard deviation, share of load); day-to-day swings are a fifth of it.
    pub noise: f64,
    /// First time stamp (UTC ms).
    pub start: i64,
    /// Days of data.
    pub days: usize,
    /// Warning window (UTC ms).
    pub warning: (i64, i64),
    /// At most this many meters (all lines with a required drop when `None`).
    pub meters: Option<usize>,
    /// Every meter hourly (else 15-minute and hourly meters mixed).
    pub hourly: bool,
}

/// A standard normal draw (Box–Muller).
pub fn normal(rng: &mut Rng) -> f64 {
    let u = rng.unit().max(1e-12);
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * rng.unit()).cos()
}

/// Write meter rows to `out` and return the truth file (CSV text).
pub fn generate(
    plan: &Listing,
    s: &MeterSettings,
    out: &mut dyn Write,
) -> std::io::Result<(String, usize)> {
    let k = s.level.index();
    let mut rng = Rng::new(s.seed);
    let mut lines: Vec<(&String, f64, f64)> = plan
        .lines
        .iter()
        .filter_map(|(id, l)| {
            let share = l.electricity_share[k]?;
            let kwh = l.electricity[k]?;
            (share < 0.999 && share > 0.0 && kwh > 0.0).then(|| (id, share, kwh / share / 24.0))
        })
        .collect();
    if let Some(n) = s.meters {
        lines.truncate(n);
    }
    let mut order: Vec<usize> = (0..lines.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.int(0, i));
    }
    let cheaters: std::collections::HashSet<usize> =
        order.iter().take(s.cheaters).copied().collect();
    let mut truth = String::from(
        "meter,line_id,behaviour,expected_share,applied_share,data_ok,faults,warning_start,warning_end\n",
    );
    writeln!(out, "meter,line_id,timestamp,reading,kwh")?;
    let mut rows = 0usize;
    let end = s.start + s.days as i64 * 24 * HOUR_MS;
    for (i, &(id, expected, base_kw)) in lines.iter().enumerate() {
        let meter = format!("M-{id}");
        let (behaviour, applied) = if cheaters.contains(&i) {
            if rng.chance(0.5) {
                ("ignore", 1.0)
            } else {
                ("under_apply", 1.0 - rng.range(0.0, 0.3) * (1.0 - expected))
            }
        } else {
            ("compliant", expected * (1.0 + rng.range(-0.03, 0.01)))
        };
        let register = rng.chance(0.7);
        let res = rng.unit();
        let switch = if s.hourly || res < 0.6 {
            i64::MAX
        } else if res < 0.85 {
            s.start
        } else {
            s.start + (s.days as i64 / 2) * 24 * HOUR_MS
        };
        let tz = rng.unit();
        let mut faults: Vec<&str> = Vec::new();
        let outage = rng.chance(0.03);
        let outage_at = s.warning.0 + rng.range(0.0, 12.0) as i64 * HOUR_MS;
        if outage {
            faults.push("outage");
        }
        let reset_at = (register && rng.chance(0.03)).then(|| {
            faults.push("reset");
            s.start + rng.range(0.0, s.days as f64 * 24.0) as i64 * HOUR_MS
        });
        let rollover = register && rng.chance(0.05);
        let mut reading = if rollover {
            faults.push("rollover");
            1e6 - (base_kw * 24.0 * rng.range(2.0, 20.0)).min(5e4)
        } else {
            rng.range(0.0, 5e5)
        };
        let day_sd = s.noise / 5.0;
        let mut day_factor = 1.0 + day_sd * normal(&mut rng);
        let mut t = s.start;
        let mut last_day = 0;
        while t < end {
            let step = if t >= switch { HOUR_MS / 4 } else { HOUR_MS };
            let next = t + step;
            let day = (next - s.start) / (24 * HOUR_MS);
            if day != last_day {
                last_day = day;
                day_factor = 1.0 + day_sd * normal(&mut rng);
            }
            let hour = ((next / HOUR_MS) + 8) % 24;
            let profile = 1.0 + 0.1 * ((hour as f64 - 8.0) / 24.0 * std::f64::consts::TAU).sin();
            let in_warning = next > s.warning.0 && next <= s.warning.1;
            let factor = if in_warning { applied } else { 1.0 };
            let kw = (base_kw * profile * day_factor * factor * (1.0 + s.noise * normal(&mut rng)))
                .max(0.0);
            let energy = kw * step as f64 / HOUR_MS as f64;
            reading += energy;
            if reset_at.is_some_and(|r| t < r && next >= r) {
                reading = energy;
            }
            if reading >= 1e6 {
                reading -= 1e6;
            }
            t = next;
            let lost = rng.chance(0.01)
                || (outage && next > outage_at && next <= outage_at + 36 * HOUR_MS);
            if lost {
                continue;
            }
            let stamp = if tz < 0.8 {
                format(next)[..19].to_string()
            } else if tz < 0.95 {
                format(next)
            } else {
                chrono::DateTime::from_timestamp_millis(next)
                    .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                    .unwrap_or_default()
            };
            let copies = if rng.chance(0.005) { 2 } else { 1 };
            for _ in 0..copies {
                if register {
                    writeln!(out, "{meter},{id},{stamp},{reading:.2},")?;
                } else {
                    writeln!(out, "{meter},{id},{stamp},,{energy:.3}")?;
                }
                rows += 1;
            }
        }
        let _ = writeln!(
            truth,
            "{meter},{id},{behaviour},{expected:.4},{applied:.4},{},{},{},{}",
            !outage,
            faults.join(";"),
            format(s.warning.0),
            format(s.warning.1)
        );
    }
    Ok((truth, rows))
}
