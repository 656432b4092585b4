//! The input tables of the air module: monitoring stations, the source–receptor matrix and the
//! wind/stability frequency table of the screening model (documented by `jianpai schema`).

use crate::io::schema::{col, Kind, TableSpec};

/// Largest transfer coefficient accepted, µg/m³ per t/d: a source right beside a station gives a
/// few hundred; beyond this a unit is wrong (µg instead of mg, per t/yr instead of per t/d).
pub const COEFFICIENT_MAX: f64 = 1e4;
/// Tallest effective release height accepted, m (the tallest chimneys are about 400 m).
pub const STACK_HEIGHT_MAX: f64 = 500.0;
/// Fastest wind-speed class accepted, m/s.
pub const WIND_SPEED_MAX: f64 = 50.0;

/// 监测站点: national (国控) and provincial (省控) air-quality monitoring stations.
pub const STATIONS: TableSpec = TableSpec {
    name: "stations",
    zh: "监测站点",
    required: false,
    doc: "Air-quality monitoring stations for `jianpai air` and `jianpai receptors` (and the scenario's `[air] stations`): \
          one row per station with its coordinates and the datum they are stated in.",
    columns: &[
        col("station_id", "站点编号", &["站点代码", "站点", "station", "id"], Kind::Text, "", true, "unique station id").id(),
        col("name", "站点名称", &["名称", "station_name"], Kind::Text, "", true, "station name"),
        col("lon", "经度", &["longitude", "lng"], Kind::Number, "°E", true, "longitude, decimal degrees (73–136 in China)").up_to(180.0),
        col("lat", "纬度", &["latitude"], Kind::Number, "°N", true, "latitude, decimal degrees (3–54 in China)").up_to(90.0),
        col("datum", "坐标系", &["坐标系统", "坐标类型"], Kind::Word, "", true, "WGS-84 (GPS, 天地图) or GCJ-02 (高德, 腾讯 maps); GCJ-02 is converted to WGS-84"),
        col("kind", "站点类型", &["类型", "站点级别", "station_kind"], Kind::Word, "", false, "国控 (national) or 省控 (provincial); default 国控"),
    ],
};

/// 源受体传输系数: linear source–receptor transfer coefficients.
pub const RECEPTORS: TableSpec = TableSpec {
    name: "receptors",
    zh: "源受体传输系数",
    required: false,
    doc: "Source–receptor matrix for `jianpai air` (and the scenario's `[air] receptors`): µg/m³ of PM2.5 (or O3) at a \
          station per t/d of a precursor emitted by a source, as delivered from CMAQ/CAMx brute-force or adjoint runs, or \
          estimated by `jianpai receptors` (rows marked 筛查估算). A line takes the coefficient of its own `line` row, else \
          its enterprise's, else the `grid` cell holding its enterprise's coordinates, else its district's. A `grid` source \
          id is `lon/lat/size`: the cell's south-west corner and its edge in degrees, WGS-84 (e.g. `120.25/31.50/0.05`). \
          Rows of a weather type apply when that type is chosen (`--weather`, `[air] weather`); rows without one apply \
          otherwise and whenever no typed row exists for the same source, station, precursor and species.",
    columns: &[
        col("source_kind", "源类型", &["source_type", "kind"], Kind::Word, "", true, "district/区县, enterprise/企业, line/生产线 or grid/网格"),
        col("source_id", "源编号", &["源", "source"], Kind::Text, "", true, "district name, credit code, line id or grid cell `lon/lat/size`").id(),
        col("station_id", "站点编号", &["站点", "station"], Kind::Text, "", true, "a station of the stations table").id(),
        col("precursor", "前体物", &["污染物", "pollutant"], Kind::Word, "", true, "SO2, NOx, PM (颗粒物) or VOCs"),
        col("species", "受体物种", &["物种", "浓度指标"], Kind::Word, "", false, "PM25 (PM2.5, default) or O3"),
        col("weather", "天气类型", &["气象类型", "weather_type"], Kind::Text, "", false, "warning-weather type the coefficient holds for (empty: any)").id(),
        col("coefficient", "传输系数", &["系数", "coefficient_ug_per_t"], Kind::Number, "µg/m³ per t/d", true, "concentration reduction per t/d of precursor cut").up_to(COEFFICIENT_MAX),
        col("method", "方法", &["来源", "basis"], Kind::Text, "", false, "how it was made (e.g. CMAQ brute force; 筛查估算 marks screening estimates)"),
    ],
};

/// 气象频率: joint frequency of wind direction, speed class and stability class.
pub const MET: TableSpec = TableSpec {
    name: "met",
    zh: "气象频率",
    required: false,
    doc: "Wind-direction × speed × Pasquill–Gifford stability frequency table for `jianpai receptors` (a season's hours, \
          e.g. winter): one row per combination; frequencies are shares of all hours and sum to at most 1.",
    columns: &[
        col("sector", "风向", &["wind_direction", "direction"], Kind::Word, "", true, "the direction the wind blows from: N, NNE … NNW (北, 东北偏北 …) or degrees (0 = north, 90 = east), 16 sectors"),
        col("speed", "风速", &["wind_speed"], Kind::Number, "m/s", true, "mean wind speed of the class at release height, at least 0.5").up_to(WIND_SPEED_MAX),
        col("stability", "稳定度", &["stability_class", "大气稳定度"], Kind::Word, "", true, "Pasquill–Gifford class A (very unstable) … F (stable)"),
        col("frequency", "频率", &["freq", "share"], Kind::Fraction, "share", true, "share of hours with this wind and stability"),
    ],
};

/// The air module's tables, in schema order.
pub const TABLES: [&TableSpec; 3] = [&STATIONS, &RECEPTORS, &MET];

/// Optional site columns the air module adds to the enterprises (`lon`, `lat`, `datum`) and
/// lines (`stack_height`) tables; `import` writes them only when an export has them.
pub const SITE_COLUMNS: [&str; 4] = ["lon", "lat", "datum", "stack_height"];
