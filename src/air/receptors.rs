//! The source–receptor matrix (`receptors.csv`): µg/m³ at a station per t/d of a precursor cut
//! at a source, and how a line finds its coefficient (line > enterprise > grid cell > district).

use super::geo::LonLat;
use super::stations::Station;
use super::tables::RECEPTORS;
use crate::domain::Pollutant;
use crate::validate::cells::{error, Sheet};
use crate::validate::Report;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// What a matrix row's source is, in the order a line looks for its coefficient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// One production line (by line id).
    Line,
    /// One enterprise (by credit code).
    Enterprise,
    /// A model grid cell holding the enterprise's site.
    Grid,
    /// A district (by name).
    District,
}

impl SourceKind {
    /// Precedence: the first kind with a coefficient wins.
    pub const PRECEDENCE: [SourceKind; 4] = [
        SourceKind::Line,
        SourceKind::Enterprise,
        SourceKind::Grid,
        SourceKind::District,
    ];

    /// Parse as written.
    pub fn parse(s: &str) -> Option<SourceKind> {
        match s.trim().to_lowercase().as_str() {
            "line" | "生产线" | "设施" => Some(SourceKind::Line),
            "enterprise" | "企业" => Some(SourceKind::Enterprise),
            "grid" | "网格" => Some(SourceKind::Grid),
            "district" | "区县" | "市县区" => Some(SourceKind::District),
            _ => None,
        }
    }

    /// Key written in files (`line`, `enterprise`, `grid`, `district`).
    pub fn key(self) -> &'static str {
        match self {
            SourceKind::Line => "line",
            SourceKind::Enterprise => "enterprise",
            SourceKind::Grid => "grid",
            SourceKind::District => "district",
        }
    }
}

/// The concentration a coefficient is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Species {
    /// PM2.5.
    #[serde(rename = "PM25")]
    Pm25,
    /// Ozone.
    #[serde(rename = "O3")]
    O3,
}

impl Species {
    /// Parse as written (empty: PM2.5).
    pub fn parse(s: &str) -> Option<Species> {
        match s
            .trim()
            .to_uppercase()
            .replace(['.', ' ', '_'], "")
            .as_str()
        {
            "" | "PM25" | "细颗粒物" => Some(Species::Pm25),
            "O3" | "臭氧" => Some(Species::O3),
            _ => None,
        }
    }

    /// PM2.5 / O3.
    pub fn label(self) -> &'static str {
        match self {
            Species::Pm25 => "PM2.5",
            Species::O3 => "O3",
        }
    }
}

/// A model grid cell: south-west corner and edge, degrees (WGS-84).
#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    /// Id as written (`lon/lat/size`).
    pub id: String,
    /// West edge.
    pub lon: f64,
    /// South edge.
    pub lat: f64,
    /// Edge length.
    pub size: f64,
}

impl GridCell {
    /// Parse `lon/lat/size` (size in (0, 1] degree).
    pub fn parse(id: &str) -> Option<GridCell> {
        let parts: Vec<f64> = id
            .split('/')
            .map(|p| p.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect::<Option<Vec<f64>>>()?;
        let [lon, lat, size] = parts[..] else {
            return None;
        };
        (super::geo::in_china(lon, lat) && size > 0.0 && size <= 1.0).then(|| GridCell {
            id: id.to_string(),
            lon,
            lat,
            size,
        })
    }

    /// Whether the cell holds a point (west and south edges inside).
    pub fn contains(&self, p: LonLat) -> bool {
        p.lon >= self.lon
            && p.lon < self.lon + self.size
            && p.lat >= self.lat
            && p.lat < self.lat + self.size
    }
}

/// Coefficients of one source × station × precursor × species: untyped and per weather type.
#[derive(Debug, Clone, Default)]
struct Entry {
    any: Option<f64>,
    typed: BTreeMap<String, f64>,
}

type Coefs = HashMap<(usize, Pollutant, Species), Entry>;

/// A validated source–receptor matrix.
#[derive(Debug, Clone, Default)]
pub struct Matrix {
    /// File it was read from.
    pub source: String,
    /// Whether any row is a screening estimate (`方法` holds 筛查).
    pub screening: bool,
    /// Weather types the rows name.
    pub weather_types: BTreeSet<String>,
    /// Species the rows name.
    pub species: BTreeSet<Species>,
    /// Rows read.
    pub rows: usize,
    /// Stations (index into the stations table) with at least one row.
    pub stations_covered: BTreeSet<usize>,
    /// Grid cells, by id.
    pub cells: Vec<GridCell>,
    by_kind: [HashMap<String, Coefs>; 4],
}

/// Most rows a matrix may hold (a province's lines × stations × precursors).
pub const MAX_ROWS: usize = 5_000_000;

/// A line's place for the look-up: its id, enterprise, district and the enterprise's site.
#[derive(Debug, Clone, Copy)]
pub struct SourceRef<'a> {
    /// Line id.
    pub line: &'a str,
    /// Credit code (upper case).
    pub enterprise: &'a str,
    /// District name.
    pub district: &'a str,
    /// Grid cell holding the enterprise's site, if any (see [`Matrix::cell_of`]).
    pub cell: Option<&'a str>,
}

impl Matrix {
    /// Add one coefficient; `false` (and nothing changed) when the key is there already.
    #[allow(clippy::too_many_arguments)]
    pub fn insert(
        &mut self,
        kind: SourceKind,
        id: &str,
        station: usize,
        precursor: Pollutant,
        species: Species,
        weather: Option<&str>,
        value: f64,
    ) -> bool {
        let e = self.by_kind[kind as usize]
            .entry(id.to_string())
            .or_default()
            .entry((station, precursor, species))
            .or_default();
        let slot = match weather {
            None => &mut e.any,
            Some(w) => {
                self.weather_types.insert(w.to_string());
                if e.typed.contains_key(w) {
                    return false;
                }
                e.typed.insert(w.to_string(), value);
                self.species.insert(species);
                self.stations_covered.insert(station);
                return true;
            }
        };
        if slot.is_some() {
            return false;
        }
        *slot = Some(value);
        self.species.insert(species);
        self.stations_covered.insert(station);
        true
    }

    /// The grid cell holding a point: the first by id when cells overlap.
    pub fn cell_of(&self, p: Option<LonLat>) -> Option<&str> {
        let p = p?;
        self.cells
            .iter()
            .find(|c| c.contains(p))
            .map(|c| c.id.as_str())
    }

    /// Whether a source of this kind and id has any row.
    pub fn has_source(&self, kind: SourceKind, id: &str) -> bool {
        self.by_kind[kind as usize].contains_key(id)
    }

    /// Source ids of one kind (sorted).
    pub fn source_ids(&self, kind: SourceKind) -> Vec<&str> {
        let mut v: Vec<&str> = self.by_kind[kind as usize]
            .keys()
            .map(String::as_str)
            .collect();
        v.sort_unstable();
        v
    }

    /// The coefficient of a line: its own row, else its enterprise's, else its grid cell's, else
    /// its district's; at each step the chosen weather type's row, else the untyped one.
    pub fn coefficient(
        &self,
        src: SourceRef,
        station: usize,
        precursor: Pollutant,
        species: Species,
        weather: Option<&str>,
    ) -> Option<(f64, SourceKind)> {
        SourceKind::PRECEDENCE.into_iter().find_map(|kind| {
            let id = match kind {
                SourceKind::Line => src.line,
                SourceKind::Enterprise => src.enterprise,
                SourceKind::Grid => src.cell?,
                SourceKind::District => src.district,
            };
            let e = self.by_kind[kind as usize]
                .get(id)?
                .get(&(station, precursor, species))?;
            weather
                .and_then(|w| e.typed.get(w).copied())
                .or(e.any)
                .map(|v| (v, kind))
        })
    }

    /// Check a weather choice against the rows: a named type must occur; with none named, the
    /// matrix must have untyped rows. Returns the message of E919.
    pub fn check_weather(&self, weather: Option<&str>) -> Result<(), String> {
        let types = || {
            self.weather_types
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        };
        match weather {
            Some(w) if !self.weather_types.contains(w) => Err(format!(
                "error[E919] {}: no row has weather type {w:?}; types in the matrix: {}",
                self.source,
                if self.weather_types.is_empty() { "none".into() } else { types() }
            )),
            None if !self.weather_types.is_empty() && !self.has_untyped() => Err(format!(
                "error[E919] {}: every row names a weather type; choose one of {} (--weather or [air] weather)",
                self.source,
                types()
            )),
            _ => Ok(()),
        }
    }

    fn has_untyped(&self) -> bool {
        self.by_kind
            .iter()
            .flat_map(|m| m.values())
            .flat_map(|c| c.values())
            .any(|e| e.any.is_some())
    }
}

/// Read and validate a matrix against its stations; every bad cell is reported with file, row,
/// column and value (E911–E917 and the shared cell codes).
pub fn read_receptors(path: &Path, stations: &[Station]) -> Result<Matrix, Report> {
    let mut report = Report::default();
    let table =
        super::sites::read_air_table(path, "give a source–receptor table (CSV, xlsx or Parquet)")?;
    let Some(s) = Sheet::new(&table, &RECEPTORS, &mut report) else {
        return Err(report);
    };
    if table.rows.len() > MAX_ROWS {
        report.push(error(
            "E918",
            &table.source,
            None,
            None,
            Some(&table.rows.len().to_string()),
            format!("more than {MAX_ROWS} rows"),
            "aggregate lines to enterprises or grid cells",
        ));
        return Err(report);
    }
    let station_index: HashMap<&str, usize> = stations
        .iter()
        .enumerate()
        .map(|(i, st)| (st.id.as_str(), i))
        .collect();
    let mut m = Matrix {
        source: table.source.clone(),
        ..Matrix::default()
    };
    let mut first_row: HashMap<(SourceKind, String, usize, Pollutant, Species, String), usize> =
        HashMap::new();
    let mut cells: BTreeMap<String, GridCell> = BTreeMap::new();
    for row in &table.rows {
        let before = report.error_count();
        let kind = SourceKind::parse(s.raw(row, "source_kind"));
        if kind.is_none() {
            s.bad(
                &mut report,
                "E911",
                row,
                "source_kind",
                "unknown source kind",
                "write district/区县, enterprise/企业, line/生产线 or grid/网格",
            );
        }
        let id = s.text(&mut report, row, "source_id");
        let station = s.text(&mut report, row, "station_id").and_then(|st| {
            let i = station_index.get(st.as_str()).copied();
            if i.is_none() {
                s.bad(
                    &mut report,
                    "E912",
                    row,
                    "station_id",
                    "unknown station",
                    "use a station id of the stations table",
                );
            }
            i
        });
        let precursor = Pollutant::parse(s.raw(row, "precursor"));
        if precursor.is_none() {
            s.bad(
                &mut report,
                "E913",
                row,
                "precursor",
                "unknown precursor",
                "write SO2, NOx, PM (颗粒物) or VOCs",
            );
        }
        let species = Species::parse(s.raw(row, "species"));
        if species.is_none() {
            s.bad(
                &mut report,
                "E914",
                row,
                "species",
                "unknown species",
                "write PM25 (PM2.5) or O3",
            );
        }
        let weather = s.text(&mut report, row, "weather");
        let value = s.number(&mut report, row, "coefficient");
        let mut id = id.map(|i| match kind {
            Some(SourceKind::Enterprise) => i.to_uppercase(),
            _ => i,
        });
        if kind == Some(SourceKind::Grid) {
            if let Some(i) = &id {
                match GridCell::parse(i) {
                    Some(c) => {
                        cells.entry(c.id.clone()).or_insert(c);
                    }
                    None => {
                        s.bad(&mut report, "E917", row, "source_id", "not a grid cell", "write lon/lat/size: the south-west corner and edge in degrees, WGS-84, e.g. 120.25/31.50/0.05 (edge at most 1°)");
                        id = None;
                    }
                }
            }
        }
        if report.error_count() > before {
            continue;
        }
        let (Some(kind), Some(id), Some(station), Some(precursor), Some(species), Some(value)) =
            (kind, id, station, precursor, species, value)
        else {
            continue;
        };
        if s.raw(row, "method").contains("筛查")
            || s.raw(row, "method").to_lowercase().contains("screening")
        {
            m.screening = true;
        }
        let key = (
            kind,
            id.clone(),
            station,
            precursor,
            species,
            weather.clone().unwrap_or_default(),
        );
        if let Some(first) = first_row.get(&key) {
            s.bad(
                &mut report,
                "E915",
                row,
                "source_id",
                format!(
                    "the same source, station, precursor, species and weather type as row {first}"
                ),
                "keep one row per key",
            );
            continue;
        }
        first_row.insert(key, row.row);
        m.insert(
            kind,
            &id,
            station,
            precursor,
            species,
            weather.as_deref(),
            value,
        );
        m.rows += 1;
    }
    if report.has_errors() {
        return Err(report);
    }
    m.cells = cells.into_values().collect();
    Ok(m)
}
