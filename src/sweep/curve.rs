//! The cost curve: loss against the required ratio of one pollutant (or all four) at one level,
//! with what each extra tonne per day and each extra percentage point costs.

use super::run::CaseFile;
use super::spec::{build, insert_dotted, Kind, Sweep};
use crate::domain::{Level, Pollutant};
use crate::io::IoError;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One point of the curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Required ratio.
    pub ratio: f64,
    /// Solver status.
    pub status: String,
    /// Required cut of the chosen pollutants at the level, city-wide (t/d).
    pub required: Option<f64>,
    /// Expected season loss (万元).
    pub loss: Option<f64>,
    /// Extra loss against the previous solved point per extra t/d required (万元 per t/d).
    pub loss_per_tonne: Option<f64>,
    /// Extra loss against the previous solved point per percentage point of ratio (万元).
    pub loss_per_point: Option<f64>,
    /// LP marginal loss at this point, summed over the chosen pollutants (万元 per t/d).
    pub dual: Option<f64>,
}

/// Ratios from `from` to `to` (inclusive) in steps of `step`.
pub fn ratios(from: f64, to: f64, step: f64) -> Result<Vec<f64>, String> {
    if !(0.0..=1.0).contains(&from) || !(0.0..=1.0).contains(&to) || from > to || step <= 0.0 {
        return Err(format!(
            "--from {from} --to {to} --step {step}: expected 0 ≤ from ≤ to ≤ 1 and step > 0"
        ));
    }
    let n = ((to - from) / step + 1e-9).floor() as usize;
    if n > 200 {
        return Err(format!("{} points: use a larger --step", n + 1));
    }
    Ok((0..=n)
        .map(|i| crate::domain::summary::round6(from + step * i as f64))
        .collect())
}

/// The sweep behind a curve: one case per ratio (all chosen pollutants set to it).
pub fn curve_sweep(
    scenario: &Path,
    level: Level,
    pollutants: &[Pollutant],
    ratios: &[f64],
    chains: usize,
) -> Result<Sweep, IoError> {
    let list = ratios
        .iter()
        .map(|&r| {
            let mut overlay = toml::Table::new();
            for p in pollutants {
                insert_dotted(
                    &mut overlay,
                    &format!("targets.{}.{}", level.key(), p.key()),
                    r.into(),
                );
            }
            let mut params = IndexMap::new();
            params.insert("ratio".to_string(), toml::Value::Float(r));
            (format!("{}={r}", level.key()), overlay, params)
        })
        .collect();
    let sweep = build(
        &format!(
            "cost curve {} {}",
            level.key(),
            pollutants
                .iter()
                .map(|p| p.key())
                .collect::<Vec<_>>()
                .join("+")
        ),
        scenario,
        chains,
        scenario,
        toml::Table::new(),
        list,
    )?;
    if sweep.kind == Kind::Region {
        return Err(IoError::Format {
            file: scenario.display().to_string(),
            message: "a regional scenario: a cost curve is drawn for one city's list scenario \
                      (sweep the regional targets with `jianpai sweep`)"
                .into(),
        });
    }
    Ok(sweep)
}

/// Curve points from the finished cases (in ratio order).
pub fn points(files: &[CaseFile], level: Level, pollutants: &[Pollutant]) -> Vec<CurvePoint> {
    let mut out: Vec<CurvePoint> = Vec::new();
    let mut prev: Option<(f64, f64, f64)> = None;
    for f in files {
        let get = |k: &str| f.row.get(k).and_then(|v| v.as_f64());
        let sum = |what: &str| -> Option<f64> {
            pollutants
                .iter()
                .map(|p| get(&format!("{}.{}.{what}", level.key(), p.key())))
                .sum()
        };
        let ratio = get("param.ratio").unwrap_or(0.0);
        let status = f
            .row
            .get("status")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        let ok = matches!(status.as_str(), "optimal" | "gap_limit" | "time_limit");
        let loss = get("loss").filter(|_| ok);
        let required = sum("required");
        let round = crate::domain::summary::round6;
        let (per_tonne, per_point) = match (prev, loss, required) {
            (Some((r0, q0, l0)), Some(l), Some(q)) => (
                (q - q0 > 1e-9).then(|| round((l - l0) / (q - q0))),
                (ratio - r0 > 1e-9).then(|| round((l - l0) / ((ratio - r0) * 100.0))),
            ),
            _ => (None, None),
        };
        if let (Some(l), Some(q)) = (loss, required) {
            prev = Some((ratio, q, l));
        }
        out.push(CurvePoint {
            ratio,
            status,
            required,
            loss,
            loss_per_tonne: per_tonne,
            loss_per_point: per_point,
            dual: sum("marginal").filter(|_| ok),
        });
    }
    out
}

/// Column headers of the curve table (`curve.csv` and the report's 成本曲线 sheet).
pub fn curve_header(english: bool) -> [&'static str; 7] {
    if english {
        [
            "ratio",
            "status",
            "required t/d",
            "season loss (10k yuan)",
            "extra loss per extra t/d",
            "extra loss per percentage point",
            "LP marginal loss per t/d",
        ]
    } else {
        [
            "要求减排比例",
            "求解状态",
            "要求减排量(t/d)",
            "预期损失(万元)",
            "每增加1 t/d的损失(万元)",
            "每增加1个百分点的损失(万元)",
            "边际损失(万元/(t/d))",
        ]
    }
}

/// `curve.csv` (UTF-8 with BOM).
pub fn curve_csv(points: &[CurvePoint], english: bool) -> Vec<u8> {
    let head = curve_header(english);
    let mut w = crate::io::cells::CsvOut::with_bom();
    w.row(head);
    let f = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    for p in points {
        w.row([
            p.ratio.to_string(),
            p.status.clone(),
            f(p.required),
            f(p.loss),
            f(p.loss_per_tonne),
            f(p.loss_per_point),
            f(p.dual),
        ]);
    }
    w.into_bytes()
}
