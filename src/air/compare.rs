//! `jianpai compare` with air data: each run's PM2.5 reduction per station (for plans whose
//! scenario names `[air] stations` and `receptors`).

use super::evaluate::AirResult;
use crate::domain::Level;
use crate::report::Labels;
use serde::Serialize;
use std::path::PathBuf;

/// One run's estimate (`None` when its scenario names no matrix or it cannot be loaded).
#[derive(Debug, Clone, Serialize)]
pub struct RunAir {
    /// The plan as given.
    pub plan: String,
    /// The estimate.
    pub air: Option<AirResult>,
}

/// The estimates of the runs; empty when none has air data.
pub fn for_plans(paths: &[PathBuf], english: bool) -> Vec<RunAir> {
    let runs: Vec<RunAir> = paths
        .iter()
        .map(|p| RunAir {
            plan: p.display().to_string(),
            air: names_air(p)
                .then(|| crate::report::plan_data::load(p, None, english).ok())
                .flatten()
                .and_then(|d| super::report::for_plan(&d).ok().flatten())
                .map(|s| s.result),
        })
        .collect();
    if runs.iter().any(|r| r.air.is_some()) {
        runs
    } else {
        Vec::new()
    }
}

/// Whether a plan folder's scenario names stations and a matrix (read cheaply, before the
/// inventory is loaded).
fn names_air(plan: &std::path::Path) -> bool {
    let Ok(summary) =
        crate::report::plan_data::read_summary::<crate::report::plan_data::SummaryView>(plan)
    else {
        return false;
    };
    let Some(file) = summary.scenario_file else {
        return false;
    };
    let path = crate::io::scenario_file::resolve_stored(&file, plan);
    crate::io::scenario_file::read_scenario(&path)
        .ok()
        .and_then(|s| s.air)
        .is_some_and(|a| a.stations.is_some() && a.receptors.is_some())
}

/// The text block: per level, one row per station with each run's PM2.5 reduction (µg/m³).
pub fn render(runs: &[RunAir], english: bool) -> String {
    let t = Labels { english };
    let Some(first) = runs
        .iter()
        .find_map(|r| r.air.as_ref().and_then(|a| a.pm25()))
    else {
        return String::new();
    };
    let mut o = format!(
        "\n{}\n",
        t.t(
            "站点 PM2.5 降幅（µg/m³）",
            "PM2.5 reduction at each station (µg/m³)"
        )
    );
    for l in [Level::Orange, Level::Red] {
        o.push_str(&format!("{}\t{}", t.level(l), t.t("站点", "station")));
        for (i, _) in runs.iter().enumerate() {
            o.push_str(&format!("\t#{}", i + 1));
        }
        o.push('\n');
        for (si, s) in first.stations.iter().enumerate() {
            o.push_str(&format!("\t{} {}", s.id, s.name));
            for r in runs {
                let v = r
                    .air
                    .as_ref()
                    .and_then(|a| a.pm25())
                    .and_then(|p| p.stations.get(si).filter(|x| x.id == s.id))
                    .map(|x| format!("{:.2}", x.levels[l.index()].reduction));
                o.push_str(&format!("\t{}", v.unwrap_or_else(|| "—".into())));
            }
            o.push('\n');
        }
    }
    if runs
        .iter()
        .any(|r| r.air.as_ref().is_some_and(|a| a.screening))
    {
        o.push_str(t.t(
            "（筛查估算，示意）\n",
            "(screening estimate, illustrative)\n",
        ));
    }
    o
}
