//! Where sources are: the optional `lon`, `lat`, `datum` columns of the enterprises table and
//! `stack_height` of the lines table, validated like every cell (E902–E905).

use super::geo::{in_china, to_wgs84, Datum, LonLat};
use crate::io::schema::{ENTERPRISES, LINES};
use crate::io::{RawRow, RawTable};
use crate::validate::cells::Sheet;
use crate::validate::Report;
use std::collections::HashMap;
use std::path::Path;

/// Read one air table; a file that cannot be read is one diagnostic (E301/E002) with `hint`.
pub(crate) fn read_air_table(path: &Path, hint: &str) -> Result<RawTable, Report> {
    crate::io::table::read_table(path).map_err(|e| {
        let mut r = Report::default();
        r.push(crate::validate::cells::unreadable(
            &e,
            &path.display().to_string(),
            hint,
        ));
        r
    })
}

/// The point a row states in its `lon`, `lat` and `datum` columns, in WGS-84: `None` when the row
/// states no coordinates (or they are invalid, which is reported).
pub fn row_point(s: &Sheet, report: &mut Report, row: &RawRow) -> Option<LonLat> {
    let blank = |k: &str| crate::validate::cells::is_blank(s.raw(row, k));
    match (blank("lon"), blank("lat")) {
        (true, true) => return None,
        (false, true) | (true, false) => {
            let missing = if blank("lon") { "lon" } else { "lat" };
            s.bad(
                report,
                "E905",
                row,
                missing,
                "longitude and latitude must be given together",
                "fill in both or leave both empty",
            );
            return None;
        }
        (false, false) => {}
    }
    let lon = s.number(report, row, "lon");
    let lat = s.number(report, row, "lat");
    let datum = if blank("datum") {
        s.bad(
            report,
            "E904",
            row,
            "datum",
            "coordinates are given without their datum",
            "write WGS-84 (GPS) or GCJ-02 (高德/腾讯 maps): they differ by about 500 m",
        );
        None
    } else {
        let d = Datum::parse(s.raw(row, "datum"));
        if d.is_none() {
            s.bad(
                report,
                "E903",
                row,
                "datum",
                "unknown datum",
                "write WGS-84 or GCJ-02 (convert BD-09 of Baidu maps first)",
            );
        }
        d
    };
    let (lon, lat, datum) = (lon?, lat?, datum?);
    if !in_china(lon, lat) {
        let key = if (super::geo::CHINA_LON.0..=super::geo::CHINA_LON.1).contains(&lon) {
            "lat"
        } else {
            "lon"
        };
        s.bad(
            report,
            "E902",
            row,
            key,
            format!("({lon}, {lat}) lies outside China (longitude 73–136, latitude 3–54)"),
            "check for swapped longitude and latitude, or degrees-minutes written as decimals",
        );
        return None;
    }
    Some(to_wgs84(datum, lon, lat))
}

/// Check the coordinate columns of an enterprises sheet (used by `validate`).
pub fn check_enterprises(s: &Sheet, report: &mut Report) {
    for row in &s.table.rows {
        row_point(s, report, row);
    }
}

/// Enterprise sites (credit code as written → WGS-84 point) and line release heights (line id →
/// m) of a dataset, read from its enterprises and lines tables. The dataset is validated
/// separately; rows with bad cells are left out here.
#[derive(Debug, Clone, Default)]
pub struct Sites {
    /// Enterprise sites by credit code.
    pub enterprises: HashMap<String, LonLat>,
    /// Release heights by line id, where the lines table states them.
    pub stack_heights: HashMap<String, f64>,
}

/// Read the sites of a dataset folder (or table files).
pub fn read_sites(dataset: &Path) -> Result<Sites, crate::io::IoError> {
    let sources = crate::io::dataset::locate(&[dataset.to_path_buf()])?;
    let mut sites = Sites::default();
    if let Some(src) = sources.get(ENTERPRISES.name) {
        sites.enterprises = enterprise_sites(&src.read()?);
    }
    if let Some(src) = sources.get(LINES.name) {
        sites.stack_heights = stack_heights(&src.read()?);
    }
    Ok(sites)
}

/// Sites of an enterprises table (credit code as written → point).
pub fn enterprise_sites(t: &RawTable) -> HashMap<String, LonLat> {
    let mut scratch = Report::default();
    let Some(s) = Sheet::new(t, &ENTERPRISES, &mut scratch) else {
        return HashMap::new();
    };
    t.rows
        .iter()
        .filter_map(|row| {
            let code = s.raw(row, "credit_code").trim().to_uppercase();
            row_point(&s, &mut scratch, row).map(|p| (code, p))
        })
        .collect()
}

/// Release heights of a lines table (line id → m).
pub fn stack_heights(t: &RawTable) -> HashMap<String, f64> {
    let mut scratch = Report::default();
    let Some(s) = Sheet::new(t, &LINES, &mut scratch) else {
        return HashMap::new();
    };
    t.rows
        .iter()
        .filter_map(|row| {
            let h = s.number(&mut scratch, row, "stack_height")?;
            Some((s.raw(row, "line_id").to_string(), h))
        })
        .collect()
}
