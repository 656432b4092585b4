//! Plausibility of a validated inventory: numbers that are each valid but together say a unit
//! slipped (annual tonnes written as daily ones), and active lines that produce nothing.

use super::cells::{error, warning};
use super::Report;
use crate::domain::{Inventory, LineStatus, Pollutant};
use std::collections::BTreeMap;

/// How many times its industry's (process's) median emissions per 万元 of output a line may emit.
pub const INTENSITY_FACTOR: f64 = 50.0;
/// Lines an industry needs (with the pollutant) before its median is trusted.
const MIN_LINES: usize = 5;

/// Column names of the emissions as in lines.csv.
fn column(p: Pollutant) -> &'static str {
    match p {
        Pollutant::So2 => "二氧化硫",
        Pollutant::Nox => "氮氧化物",
        Pollutant::Pm => "颗粒物",
        Pollutant::Vocs => "挥发性有机物",
    }
}

/// Check the inventory read from `lines_source` (lines.csv) against its districts.
pub fn check(inv: &Inventory, lines_source: &str, report: &mut Report) {
    district_totals(inv, lines_source, report);
    intensities(inv, lines_source, report);
    for l in &inv.lines {
        if l.status == LineStatus::Active && l.output_value.0 <= 0.0 {
            report.push(warning(
                "W403",
                lines_source,
                None,
                Some("日产值".into()),
                Some(&l.id),
                format!(
                    "active line {} has zero output value: stopping it costs nothing",
                    l.id
                ),
                "fill in the output value (日产值, 万元/日) or mark the line 停产",
            ));
        }
    }
}

/// The lines of a district emit more than the whole district (all sources): an error.
fn district_totals(inv: &Inventory, source: &str, report: &mut Report) {
    let mut sums: BTreeMap<&str, [f64; 4]> = BTreeMap::new();
    for l in inv.lines.iter().filter(|l| l.status == LineStatus::Active) {
        let Some(e) = inv.enterprises.get(&l.enterprise) else {
            continue;
        };
        let s = sums.entry(e.district.as_str()).or_default();
        for (p, v) in l.baseline_emissions().iter() {
            s[p.index()] += v.0;
        }
    }
    for (name, d) in &inv.districts {
        let Some(s) = sums.get(name.as_str()) else {
            continue;
        };
        for p in Pollutant::ALL {
            let (lines, society) = (s[p.index()], d.society[p].0);
            if society > 0.0 && lines > society * (1.0 + 1e-9) {
                report.push(error(
                    "E412",
                    source,
                    None,
                    Some(column(p).into()),
                    Some(name),
                    format!(
                        "the listed lines of {name} emit {lines:.3} t/d of {}, more than the district's whole-society {society:.3} t/d",
                        p.label()
                    ),
                    format!(
                        "were annual amounts written as daily ones? write the unit in the header (e.g. {}（吨/年）) to convert, or check the districts table",
                        column(p)
                    ),
                ));
            }
        }
    }
}

/// A line far above its industry's emissions per 万元 of output: a warning suggesting the unit.
fn intensities(inv: &Inventory, source: &str, report: &mut Report) {
    // Medians per industry and process (a kiln is not a grinding mill), else per industry.
    let mut by_industry: BTreeMap<(&str, &str, usize), Vec<f64>> = BTreeMap::new();
    let intensity = |l: &crate::domain::Line, p: Pollutant| -> Option<f64> {
        let v = l.output_value.0;
        let e = l.emissions[p].0;
        (l.status == LineStatus::Active && v > 0.0 && e > 0.0).then(|| e / v)
    };
    for l in &inv.lines {
        let Some(ent) = inv.enterprises.get(&l.enterprise) else {
            continue;
        };
        for p in Pollutant::ALL {
            if let Some(x) = intensity(l, p) {
                for process in [l.process.as_str(), ""] {
                    by_industry
                        .entry((ent.industry.as_str(), process, p.index()))
                        .or_default()
                        .push(x);
                }
            }
        }
    }
    let medians: BTreeMap<(&str, &str, usize), f64> = by_industry
        .into_iter()
        .filter(|(_, v)| v.len() >= MIN_LINES)
        .map(|(k, mut v)| {
            v.sort_by(f64::total_cmp);
            let n = v.len();
            let m = if n % 2 == 1 {
                v[n / 2]
            } else {
                (v[n / 2 - 1] + v[n / 2]) / 2.0
            };
            (k, m)
        })
        .collect();
    for l in &inv.lines {
        let Some(ent) = inv.enterprises.get(&l.enterprise) else {
            continue;
        };
        for p in Pollutant::ALL {
            let industry = ent.industry.as_str();
            let median = medians
                .get(&(industry, l.process.as_str(), p.index()))
                .or_else(|| medians.get(&(industry, "", p.index())));
            let (Some(x), Some(&m)) = (intensity(l, p), median) else {
                continue;
            };
            if x > INTENSITY_FACTOR * m {
                report.push(warning(
                    "W402",
                    source,
                    None,
                    Some(column(p).into()),
                    Some(&l.id),
                    format!(
                        "line {} emits {:.4} t of {} per 万元 of output, {:.0}× its industry's (process's) median ({:.6})",
                        l.id,
                        x,
                        p.label(),
                        x / m,
                        m
                    ),
                    format!(
                        "is the value annual (吨/年) rather than daily? divide by the operating days, or write the unit in the header ({}（吨/年）)",
                        column(p)
                    ),
                ));
            }
        }
    }
}
