//! Coordinates: datums (WGS-84, GCJ-02), the GCJ-02 → WGS-84 conversion, China's bounding box and
//! local distances for the plume model and the station map.

use std::f64::consts::PI;

/// The datum coordinates are stated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Datum {
    /// WGS-84 (GPS, 天地图, most GIS files).
    #[serde(rename = "WGS-84")]
    Wgs84,
    /// GCJ-02 (the shifted datum of 高德 and 腾讯 maps).
    #[serde(rename = "GCJ-02")]
    Gcj02,
}

impl Datum {
    /// Parse a datum as written (`WGS-84`, `WGS84`, `GPS`, `GCJ-02`, `GCJ02`, `火星坐标`, `高德`).
    pub fn parse(s: &str) -> Option<Datum> {
        let t: String = s
            .trim()
            .to_uppercase()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' ' | '－'))
            .collect();
        match t.as_str() {
            "WGS84" | "GPS" | "EPSG:4326" | "EPSG4326" | "天地图" | "CGCS2000" => {
                Some(Datum::Wgs84)
            }
            "GCJ02" | "火星坐标" | "火星坐标系" | "高德" | "腾讯" | "国测局" => {
                Some(Datum::Gcj02)
            }
            _ => None,
        }
    }

    /// Label written in files.
    pub fn label(self) -> &'static str {
        match self {
            Datum::Wgs84 => "WGS-84",
            Datum::Gcj02 => "GCJ-02",
        }
    }
}

/// A point in WGS-84 decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LonLat {
    /// Longitude, °E.
    pub lon: f64,
    /// Latitude, °N.
    pub lat: f64,
}

/// China's bounding box (with its islands), decimal degrees: coordinates outside are a typo or
/// swapped longitude and latitude.
pub const CHINA_LON: (f64, f64) = (73.0, 136.0);
/// See [`CHINA_LON`].
pub const CHINA_LAT: (f64, f64) = (3.0, 54.0);

/// Whether a point lies in China's bounding box.
pub fn in_china(lon: f64, lat: f64) -> bool {
    (CHINA_LON.0..=CHINA_LON.1).contains(&lon) && (CHINA_LAT.0..=CHINA_LAT.1).contains(&lat)
}

const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;

fn shift_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn shift_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS-84 → GCJ-02 (the published obfuscation formula; about 300–600 m of shift in eastern China).
pub fn wgs84_to_gcj02(p: LonLat) -> LonLat {
    let dlat = shift_lat(p.lon - 105.0, p.lat - 35.0);
    let dlon = shift_lon(p.lon - 105.0, p.lat - 35.0);
    let rad = p.lat / 180.0 * PI;
    let magic = 1.0 - EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    LonLat {
        lon: p.lon + dlon * 180.0 / (A / sqrt_magic * rad.cos() * PI),
        lat: p.lat + dlat * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI),
    }
}

/// GCJ-02 → WGS-84 by fixed-point iteration of [`wgs84_to_gcj02`] (error below 1 mm after 6
/// rounds).
pub fn gcj02_to_wgs84(g: LonLat) -> LonLat {
    let mut w = g;
    for _ in 0..6 {
        let back = wgs84_to_gcj02(w);
        w = LonLat {
            lon: w.lon - (back.lon - g.lon),
            lat: w.lat - (back.lat - g.lat),
        };
    }
    w
}

/// A point in WGS-84 from coordinates stated in `datum`.
pub fn to_wgs84(datum: Datum, lon: f64, lat: f64) -> LonLat {
    let p = LonLat { lon, lat };
    match datum {
        Datum::Wgs84 => p,
        Datum::Gcj02 => gcj02_to_wgs84(p),
    }
}

/// Mean Earth radius, m.
const EARTH_RADIUS: f64 = 6_371_000.0;

/// Offset of `to` from `from` in metres (east, north), equirectangular: below 0.1 % error over a
/// city's 100 km.
pub fn offset_m(from: LonLat, to: LonLat) -> (f64, f64) {
    let mid = ((from.lat + to.lat) / 2.0).to_radians();
    (
        EARTH_RADIUS * (to.lon - from.lon).to_radians() * mid.cos(),
        EARTH_RADIUS * (to.lat - from.lat).to_radians(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcj_round_trip_and_size_of_shift() {
        let w = LonLat {
            lon: 120.30,
            lat: 31.57,
        };
        let g = wgs84_to_gcj02(w);
        let (dx, dy) = offset_m(w, g);
        let shift = (dx * dx + dy * dy).sqrt();
        assert!((200.0..800.0).contains(&shift), "{shift}");
        let back = gcj02_to_wgs84(g);
        let (ex, ey) = offset_m(w, back);
        assert!((ex * ex + ey * ey).sqrt() < 0.01);
    }

    #[test]
    fn datums_as_written() {
        assert_eq!(Datum::parse("wgs-84"), Some(Datum::Wgs84));
        assert_eq!(Datum::parse("GCJ02"), Some(Datum::Gcj02));
        assert_eq!(Datum::parse("高德"), Some(Datum::Gcj02));
        assert_eq!(Datum::parse("BD-09"), None);
    }
}
