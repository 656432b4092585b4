//! The synthetic city's air data (`jianpai seeds air`): enterprise sites scattered around their
//! district's centre within Wuxi's real bounding box, eight stations carrying the names of Wuxi's
//! national stations at approximate positions, and an illustrative winter wind table. All of it is
//! illustrative: the sites are invented, the station positions approximate, the winds typical of
//! a Yangtze-delta winter rather than measured.

use crate::domain::Inventory;
use crate::io::cells::CsvOut;
use crate::io::schema::{ENTERPRISES, TABLES};
use crate::io::IoError;
use crate::seeds::rng::Rng;
use std::path::Path;

/// Wuxi's bounding box (°E, °N), WGS-84.
pub const WUXI_LON: (f64, f64) = (119.52, 120.63);
/// See [`WUXI_LON`].
pub const WUXI_LAT: (f64, f64) = (31.12, 32.04);

/// District centres (WGS-84, approximate).
const CENTRES: [(&str, f64, f64); 8] = [
    ("江阴市", 120.285, 31.905),
    ("宜兴市", 119.823, 31.345),
    ("梁溪区", 120.300, 31.575),
    ("锡山区", 120.360, 31.590),
    ("惠山区", 120.245, 31.680),
    ("滨湖区", 120.250, 31.520),
    ("新吴区", 120.365, 31.495),
    ("经开区", 120.310, 31.500),
];

/// Stations: id, name (Wuxi's national stations, used illustratively), lon, lat (approximate).
pub const STATIONS: [(&str, &str, f64, f64); 8] = [
    ("WX01", "东亭", 120.358, 31.591),
    ("WX02", "漆塘", 120.322, 31.604),
    ("WX03", "旺庄", 120.366, 31.545),
    ("WX04", "黄巷", 120.290, 31.612),
    ("WX05", "荣巷", 120.245, 31.567),
    ("WX06", "堰桥", 120.283, 31.671),
    ("WX07", "雪浪", 120.270, 31.500),
    ("WX08", "曹张", 120.302, 31.553),
];

/// Winter wind-sector shares from N clockwise (north-westerlies and north-easterlies dominate).
const SECTOR_SHARE: [f64; 16] = [
    0.12, 0.08, 0.08, 0.06, 0.07, 0.05, 0.06, 0.04, 0.04, 0.03, 0.03, 0.03, 0.04, 0.07, 0.12, 0.08,
];
/// Speed (m/s) and stability classes with their shares.
const CLASSES: [(f64, &str, f64); 5] = [
    (1.5, "F", 0.15),
    (1.5, "E", 0.15),
    (2.5, "D", 0.35),
    (4.0, "D", 0.20),
    (2.0, "C", 0.15),
];

/// A district's centre: Wuxi's where known, else a point on a ring around the city centre.
fn centre(district: &str, index: usize) -> (f64, f64) {
    CENTRES
        .iter()
        .find(|c| c.0 == district)
        .map(|c| (c.1, c.2))
        .unwrap_or_else(|| {
            let a = index as f64 * 0.9;
            (120.30 + 0.25 * a.cos(), 31.57 + 0.2 * a.sin())
        })
}

fn write_csv(
    path: &Path,
    header: &[String],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<(), IoError> {
    let mut w = CsvOut::plain();
    w.row(header);
    for r in rows {
        w.row(r);
    }
    crate::io::atomic::write_bytes(path, &w.into_bytes())
}

/// Write the dataset's tables into `out` (CSV, cells as read), the enterprises with `经度`,
/// `纬度`, `坐标系` added, plus `stations.csv` and `met.csv`.
pub fn write_dataset(
    dataset: &Path,
    inv: &Inventory,
    seed: u64,
    out: &Path,
) -> Result<(), IoError> {
    let sources = crate::io::dataset::locate(&[dataset.to_path_buf()])?;
    let mut rng = Rng::new(seed);
    for spec in TABLES {
        let Some(src) = sources.get(spec.name) else {
            continue;
        };
        let t = src.read()?;
        let path = out.join(format!("{}.csv", spec.name));
        if spec.name != ENTERPRISES.name {
            write_csv(&path, &t.headers, t.rows.iter().map(|r| r.cells.clone()))?;
            continue;
        }
        let code_col = t
            .headers
            .iter()
            .position(|h| ENTERPRISES.columns[0].matches(h));
        let mut headers = t.headers.clone();
        headers.extend(["经度", "纬度", "坐标系"].map(String::from));
        let district_of: std::collections::HashMap<String, &str> = inv
            .enterprises
            .values()
            .map(|e| (e.code.as_str().to_uppercase(), e.district.as_str()))
            .collect();
        let rows: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|r| {
                let code = code_col
                    .and_then(|i| r.cells.get(i))
                    .map(|c| c.trim().to_uppercase());
                let district = code
                    .and_then(|c| district_of.get(&c).copied())
                    .unwrap_or("");
                let index = inv.districts.get_index_of(district).unwrap_or(0);
                let (cx, cy) = centre(district, index);
                // A triangular spread of about ±0.08° (±8 km) around the centre.
                let lon = (cx + 0.08 * (rng.unit() - rng.unit())).clamp(WUXI_LON.0, WUXI_LON.1);
                let lat = (cy + 0.07 * (rng.unit() - rng.unit())).clamp(WUXI_LAT.0, WUXI_LAT.1);
                let mut cells = r.cells.clone();
                cells.resize(t.headers.len(), String::new());
                cells.extend([format!("{lon:.5}"), format!("{lat:.5}"), "WGS-84".into()]);
                cells
            })
            .collect();
        write_csv(&path, &headers, rows)?;
    }
    write_csv(
        &out.join("stations.csv"),
        &["站点编号", "站点名称", "经度", "纬度", "坐标系", "站点类型"].map(String::from),
        STATIONS.iter().map(|(id, name, lon, lat)| {
            vec![
                id.to_string(),
                name.to_string(),
                format!("{lon:.3}"),
                format!("{lat:.3}"),
                "WGS-84".into(),
                "国控".into(),
            ]
        }),
    )?;
    let mut met = Vec::new();
    for (i, share) in SECTOR_SHARE.iter().enumerate() {
        for (speed, stability, f) in CLASSES {
            met.push(vec![
                super::met::SECTORS[i].to_string(),
                format!("{speed}"),
                stability.to_string(),
                format!("{:.4}", share * f),
            ]);
        }
    }
    write_csv(
        &out.join("met.csv"),
        &["风向", "风速", "稳定度", "频率"].map(String::from),
        met,
    )
}
