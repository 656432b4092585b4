//! Monitoring stations (`stations.csv`): id, name, coordinates with their datum, 国控/省控.

use super::geo::LonLat;
use super::sites::row_point;
use super::tables::STATIONS;
use crate::validate::cells::Sheet;
use crate::validate::Report;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// National (国控) or provincial (省控) station.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StationKind {
    /// 国控: national network.
    National,
    /// 省控: provincial network.
    Provincial,
}

impl StationKind {
    /// Parse as written (empty: national).
    pub fn parse(s: &str) -> Option<StationKind> {
        match s.trim().to_lowercase().as_str() {
            "" | "国控" | "国控点" | "国控站" | "national" => Some(StationKind::National),
            "省控" | "省控点" | "省控站" | "provincial" => Some(StationKind::Provincial),
            _ => None,
        }
    }

    /// 国控 / 省控 or national / provincial.
    pub fn label(self, english: bool) -> &'static str {
        match (self, english) {
            (StationKind::National, false) => "国控",
            (StationKind::Provincial, false) => "省控",
            (StationKind::National, true) => "national",
            (StationKind::Provincial, true) => "provincial",
        }
    }
}

/// One monitoring station.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Station {
    /// Station id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Position, WGS-84.
    pub at: LonLat,
    /// 国控 / 省控.
    pub kind: StationKind,
}

/// Most stations a table may hold (a province has a few hundred national and provincial ones).
pub const MAX_STATIONS: usize = 2000;

/// Read and validate a stations table; every bad cell is reported with file, row, column and
/// value (E901–E906 and the shared cell codes).
pub fn read_stations(path: &Path) -> Result<Vec<Station>, Report> {
    let mut report = Report::default();
    let table = super::sites::read_air_table(path, "give a stations table (CSV, xlsx or Parquet)")?;
    let Some(s) = Sheet::new(&table, &STATIONS, &mut report) else {
        return Err(report);
    };
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in &table.rows {
        let before = report.error_count();
        let id = s.text(&mut report, row, "station_id");
        let name = s.text(&mut report, row, "name");
        if crate::validate::cells::is_blank(s.raw(row, "lon"))
            && crate::validate::cells::is_blank(s.raw(row, "lat"))
        {
            s.bad(
                &mut report,
                "E905",
                row,
                "lon",
                "a station needs its coordinates",
                "fill in longitude, latitude and datum",
            );
        }
        let at = row_point(&s, &mut report, row);
        let kind = StationKind::parse(s.raw(row, "kind"));
        if kind.is_none() {
            s.bad(
                &mut report,
                "E906",
                row,
                "kind",
                "unknown station kind",
                "write 国控 or 省控 (national or provincial)",
            );
        }
        if let Some(id) = &id {
            if let Some(first) = seen.get(id) {
                s.bad(
                    &mut report,
                    "E901",
                    row,
                    "station_id",
                    format!("station id repeated (first in row {first})"),
                    "give every station its own id",
                );
            } else {
                seen.insert(id.clone(), row.row);
            }
        }
        if report.error_count() > before {
            continue;
        }
        if let (Some(id), Some(name), Some(at), Some(kind)) = (id, name, at, kind) {
            out.push(Station { id, name, at, kind });
        }
    }
    if out.len() > MAX_STATIONS {
        report.push(crate::validate::cells::error(
            "E907",
            &table.source,
            None,
            None,
            Some(&out.len().to_string()),
            format!("more than {MAX_STATIONS} stations"),
            "split the table by city",
        ));
    }
    if report.has_errors() {
        return Err(report);
    }
    Ok(out)
}
