//! Schemas of the staggered-production tables (participation, quotas, forecast, government stops,
//! maintenance) and of the calendar file; printed by `jianpai schema`.

use crate::io::schema::{ColumnSpec, Kind, TableSpec};

const fn col(
    key: &'static str,
    zh: &'static str,
    aliases: &'static [&'static str],
    kind: Kind,
    required: bool,
    doc: &'static str,
) -> ColumnSpec {
    ColumnSpec::new(key, zh, aliases, kind, "", required, doc)
}

use Kind::{Number, Text, Word};

/// 错峰参与规则: who takes part, by industry × grade (× district × process).
pub const PARTICIPATION: TableSpec = TableSpec {
    name: "participation",
    zh: "错峰参与规则",
    required: true,
    doc: "Which active lines take part in staggered production. The first matching row wins: put specific rows first. Lines no row matches do not take part.",
    columns: &[
        col("industry", "行业", &["行业代码"], Text, true, "industry code or Chinese name"),
        col("grade", "绩效等级", &["等级"], Text, true, "A, 引领性, B, B-, C, D, 未评级 or `*` (unrated firms of key industries count as the industry's lowest grade)"),
        col("district", "区县", &[], Text, false, "district or `*` (empty = any)"),
        col("process", "工序", &[], Text, false, "process (e.g. 熟料) or `*` (empty = any)"),
        col("mode", "方式", &["参与方式"], Word, true, "错峰 / stagger (blocks chosen by the optimiser), 整季停产 / season_stop (stops every season day), 豁免 / exempt"),
        col("min_block_days", "最短停产天数", &["min_block"], Number, false, "least days of one stop block (default: `[blocks] min_days`)"),
        col("min_run_days", "最短连续生产天数", &["min_run"], Number, false, "least production days between a chosen stop block and another stop (default: `[blocks] min_run_days`, 7; 0 = no rule)"),
        col("max_blocks_per_season", "每季最多停产段数", &["max_blocks"], Number, false, "most chosen stop blocks starting in one season (default: `[blocks] max_per_season`, none)"),
        col("startup_cost_days", "启停成本天数", &[], Number, false, "cost of one shutdown and start-up in days of the line's output (default: `[blocks] startup_cost_days`)"),
    ],
};

/// 错峰配额: stop-day quotas per window.
pub const QUOTAS: TableSpec = TableSpec {
    name: "quotas",
    zh: "错峰配额",
    required: false,
    doc: "Least stop days per window, for an industry's lines or one line (a line row replaces the industry row of the same window). Government-ordered days count toward quotas.",
    columns: &[
        col("scope", "范围", &["行业或生产线"], Text, true, "industry code or line id"),
        col("window", "时段", &["时段名称"], Text, true, "window name (e.g. 冬季, 2月)"),
        col("start", "开始日期", &["开始"], Text, true, "first day (YYYY-MM-DD), inclusive"),
        col("end", "结束日期", &["结束"], Text, true, "last day (YYYY-MM-DD), inclusive"),
        col("min_days", "最少停产天数", &["配额天数"], Number, true, "least stop days in the window"),
    ],
};

/// 预警预报: forecast warning days.
pub const FORECAST: TableSpec = TableSpec {
    name: "forecast",
    zh: "预警预报",
    required: false,
    doc: "Forecast or announced warning level per day; the daily cut target rises by the level's uplift.",
    columns: &[
        col("date", "日期", &[], Text, true, "date (YYYY-MM-DD)"),
        col("level", "预警级别", &["级别"], Word, true, "黄色 / 橙色 / 红色 (yellow / orange / red)"),
    ],
};

/// 政府指令停产: stops ordered by the government.
pub const GOVERNMENT: TableSpec = TableSpec {
    name: "government",
    zh: "政府指令停产",
    required: false,
    doc: "Days a line is stopped by government order; they count toward its quotas and the daily cuts.",
    columns: &[
        col("line_id", "生产线编号", &["line"], Text, true, "line id"),
        col("start", "开始日期", &["开始"], Text, true, "first day, inclusive"),
        col("end", "结束日期", &["结束"], Text, true, "last day, inclusive"),
        col("reason", "原因", &["文号"], Text, false, "order or reason"),
    ],
};

/// 检修计划: maintenance jobs to schedule.
pub const MAINTENANCE: TableSpec = TableSpec {
    name: "maintenance",
    zh: "检修计划",
    required: false,
    doc: "Maintenance jobs (whole-plant shutdowns, start-ups, tank cleaning): one continuous block each, placed by the optimiser.",
    columns: &[
        col("line_id", "生产线编号", &["line"], Text, true, "line id"),
        col("job", "检修任务", &["任务"], Text, true, "job name, unique per line"),
        col("duration", "工期天数", &["天数"], Number, true, "days"),
        col("earliest", "最早开始", &[], Text, true, "earliest first day"),
        col("latest", "最晚结束", &[], Text, true, "latest last day, inclusive"),
        col("avoid", "避开时段", &[], Text, false, "windows to avoid, `;`-separated: `2022-07-01~2022-09-30` or every year `07-01~09-30`"),
    ],
};

/// 错峰日历: `calendar.csv`, read back by `check`.
pub const CALENDAR: TableSpec = TableSpec {
    name: "calendar",
    zh: "错峰生产与检修日历",
    required: false,
    doc: "The calendar `jianpai stagger` writes: one row per stop block or maintenance job.",
    columns: &[
        col("line_id", "生产线编号", &["line"], Text, true, "line id"),
        col("line_name", "生产线名称", &[], Text, false, "line name"),
        col("credit_code", "统一社会信用代码", &[], Text, false, "enterprise credit code"),
        col("enterprise", "企业名称", &[], Text, false, "enterprise name"),
        col("district", "区县", &[], Text, false, "district"),
        col("industry", "行业", &[], Text, false, "industry"),
        col("start", "开始日期", &[], Text, true, "first day, inclusive"),
        col("end", "结束日期", &[], Text, true, "last day, inclusive"),
        col("days", "天数", &[], Number, true, "days, end − start + 1"),
        col("kind", "类型", &[], Word, true, "错峰停产 / 整季停产 / 政府指令停产 / 检修 (stagger / season_stop / government / maintenance)"),
        col("job", "检修任务", &[], Text, false, "maintenance job name"),
        col("reason", "原因", &[], Text, false, "rule or order behind the row"),
    ],
};

/// The input tables of a stagger scenario, for the schema document.
pub const TABLES: [&TableSpec; 5] = [
    &PARTICIPATION,
    &QUOTAS,
    &FORECAST,
    &GOVERNMENT,
    &MAINTENANCE,
];
