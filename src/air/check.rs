//! Station targets against a plan's estimated reductions: `station:<level>:PM25:<station>` and
//! `station:<level>:PM25:mean` rows, met or missed. The optimiser enforces them as station rows
//! (see [`super::optimise`]); this check recomputes them from the plan on its own.

use super::evaluate::AirResult;
use super::settings::AirSettings;
use crate::domain::Level;
use serde::Serialize;

/// What every station-target line says about how it was obtained.
pub const CHECK_ONLY_ZH: &str = "已纳入优化，按清单独立核算";
/// English of [`CHECK_ONLY_ZH`].
pub const CHECK_ONLY_EN: &str = "enforced by the optimiser; verified independently from the list";

/// One station target as checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetResult {
    /// `station:<level>:PM25:<station id>` or `station:<level>:PM25:mean`.
    pub row: String,
    /// Level.
    pub level: Level,
    /// Required reduction, µg/m³.
    pub required: f64,
    /// Estimated reduction, µg/m³.
    pub achieved: f64,
    /// achieved ≥ required.
    pub met: bool,
    /// The plan's LP price of the row, 万元 of season loss per extra µg/m³ (from its
    /// `summary.json`, when the plan was made with the row; the report fills it in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marginal_loss_per_ugm3: Option<f64>,
}

/// Tolerance of the comparison, µg/m³.
const TOL: f64 = 1e-9;

/// Check the `[air.targets]` of a scenario against a PM2.5 estimate. A station id in `at` that the
/// stations table lacks is an error (E931).
pub fn check_targets(
    settings: &AirSettings,
    result: &AirResult,
) -> Result<Vec<TargetResult>, String> {
    let mut out = Vec::new();
    let Some(pm) = result.pm25() else {
        return if settings.has_targets() {
            Err(format!(
                "error[E931] {}: the matrix has no PM2.5 rows; station targets need them",
                result.matrix
            ))
        } else {
            Ok(out)
        };
    };
    for l in Level::ALL {
        let Some(t) = settings.targets.get(l) else {
            continue;
        };
        let mut push = |scope: &str, required: f64, achieved: f64| {
            out.push(TargetResult {
                row: format!("station:{}:PM25:{scope}", l.key()),
                level: l,
                required,
                achieved,
                met: achieved + TOL >= required,
                marginal_loss_per_ugm3: None,
            })
        };
        if let Some(req) = t.station {
            for s in &pm.stations {
                push(&s.id, req, s.levels[l.index()].reduction);
            }
        }
        for (id, &req) in &t.at {
            let s = pm.stations.iter().find(|s| &s.id == id).ok_or_else(|| {
                format!("error[E931] [air.targets.{}] at names station {id:?}, which the stations table lacks", l.key())
            })?;
            push(&s.id, req, s.levels[l.index()].reduction);
        }
        if let Some(req) = t.mean {
            push("mean", req, pm.levels[l.index()].mean);
        }
    }
    Ok(out)
}

/// The `[air.targets]` of a loaded scenario against a plan, computed on their own: each row's
/// cuts re-derived from its measure and the inventory ([`crate::check::derived_cuts`]), times
/// the matrix's coefficients ([`super::evaluate`], not the optimiser's station rows); empty
/// without targets.
pub fn plan_targets(
    loaded: &crate::pipeline::Loaded,
    rows: &[crate::plan::read::StatedRow],
) -> Result<Vec<TargetResult>, super::AirError> {
    let Some(air) = loaded.scenario.air.as_ref().filter(|a| a.has_targets()) else {
        return Ok(Vec::new());
    };
    let (Some(st), Some(rc)) = (&air.stations, &air.receptors) else {
        return Ok(Vec::new());
    };
    let inputs = super::read_inputs(st, rc)?;
    let result = super::estimate_plan(
        &inputs,
        &loaded.inventory,
        &loaded.scenario.inventory,
        crate::check::derived_cuts(&loaded.inventory, rows),
        air.weather.as_deref(),
    )?;
    check_targets(air, &result).map_err(super::AirError::Input)
}
