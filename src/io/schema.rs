//! Input file schemas: every column with its aliases (Chinese and English), type, unit and
//! whether it is required. `jianpai schema` prints this as the schema document.

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text.
    Text,
    /// A non-negative finite number.
    Number,
    /// A share between 0 and 1 (a percentage like `20%` or `20` with `%` is accepted too).
    Fraction,
    /// Yes / no (是/否, Y/N, true/false, 1/0).
    Bool,
    /// 统一社会信用代码 (18 characters, GB 32100-2015 check character).
    CreditCode,
    /// A grade (A, 引领性, B, B-, C, D, empty = 未评级).
    Grade,
    /// An enumerated word listed in the description.
    Word,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Number => "number ≥ 0",
            Kind::Fraction => "share 0–1 (or 0–100%)",
            Kind::Bool => "是/否",
            Kind::CreditCode => "credit code",
            Kind::Grade => "grade",
            Kind::Word => "word",
        }
    }
}

/// What a text cell may hold: how long it may be and which layout characters it may contain.
/// Control characters (C0 except tab/line breaks where allowed, DEL, C1, bidi overrides) are never
/// allowed: they break the xlsx outputs and the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextRule {
    /// An identifier (line id, option code, industry code): at most 64 characters, one line.
    Id,
    /// A name or short label: at most 200 characters, one line.
    Name,
    /// Free text (notes, measure texts, reasons): at most 2,000 characters; tabs and line breaks
    /// (Excel's Alt+Enter) are allowed.
    Note,
}

impl TextRule {
    /// Longest text allowed, in characters.
    pub const fn max_chars(self) -> usize {
        match self {
            TextRule::Id => 64,
            TextRule::Name => 200,
            TextRule::Note => 2000,
        }
    }

    /// Whether tabs and line breaks are allowed.
    pub const fn allows_layout(self) -> bool {
        matches!(self, TextRule::Note)
    }
}

/// Largest value of a number column that states no bound of its own. No count, amount or day
/// figure of these tables comes near 10^12; beyond it sums lose precision and the solver fails.
pub const GENERIC_MAX: f64 = 1e12;

/// One column of an input table.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Canonical key (English).
    pub key: &'static str,
    /// Chinese header.
    pub zh: &'static str,
    /// Other accepted headers.
    pub aliases: &'static [&'static str],
    /// Cell type.
    pub kind: Kind,
    /// Unit, if any.
    pub unit: &'static str,
    /// Must the column be present (and its cells non-empty)?
    pub required: bool,
    /// What it means.
    pub doc: &'static str,
    /// Largest plausible value of a number (in `unit`); larger values are refused (E024).
    pub max: f64,
    /// Length and characters a text cell may have (E025, E026).
    pub text: TextRule,
}

impl ColumnSpec {
    /// A column with the default bounds of its kind (numbers up to [`GENERIC_MAX`], shares up to 1,
    /// texts as names).
    pub const fn new(
        key: &'static str,
        zh: &'static str,
        aliases: &'static [&'static str],
        kind: Kind,
        unit: &'static str,
        required: bool,
        doc: &'static str,
    ) -> ColumnSpec {
        ColumnSpec {
            key,
            zh,
            aliases,
            kind,
            unit,
            required,
            doc,
            max: if matches!(kind, Kind::Fraction) {
                1.0
            } else {
                GENERIC_MAX
            },
            text: TextRule::Name,
        }
    }

    /// The same column with another largest plausible value.
    pub const fn up_to(self, max: f64) -> ColumnSpec {
        ColumnSpec { max, ..self }
    }

    /// The same column holding identifiers.
    pub const fn id(self) -> ColumnSpec {
        ColumnSpec {
            text: TextRule::Id,
            ..self
        }
    }

    /// The same column holding free text.
    pub const fn note(self) -> ColumnSpec {
        ColumnSpec {
            text: TextRule::Note,
            ..self
        }
    }

    /// The bounds shown in the schema document.
    fn limits(&self) -> String {
        match self.kind {
            Kind::Number => format!("0 – {}", human(self.max)),
            Kind::Fraction => String::new(),
            Kind::Text | Kind::Word => format!("≤ {} chars", self.text.max_chars()),
            _ => String::new(),
        }
    }
}

/// A bound as people write it: 10000, 1e6, 1e12.
pub fn human(x: f64) -> String {
    if x < 1e5 {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// One input table.
#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    /// File stem (`enterprises` → `enterprises.csv`).
    pub name: &'static str,
    /// Chinese name (also accepted as file stem or sheet name).
    pub zh: &'static str,
    /// Must the table be present in a dataset?
    pub required: bool,
    /// What it holds.
    pub doc: &'static str,
    /// Its columns.
    pub columns: &'static [ColumnSpec],
}

/// A column with the default bounds of its kind (shorthand of [`ColumnSpec::new`]).
pub(crate) const fn col(
    key: &'static str,
    zh: &'static str,
    aliases: &'static [&'static str],
    kind: Kind,
    unit: &'static str,
    required: bool,
    doc: &'static str,
) -> ColumnSpec {
    ColumnSpec::new(key, zh, aliases, kind, unit, required, doc)
}

use Kind::*;

/// Largest plausible daily emission of one line, t/d. The biggest single sources in China (a
/// 5 GW coal plant, a large sinter strand) emit tens of t/d of a pollutant; 10,000 t/d leaves two
/// orders of magnitude for unusual units, and refuses figures that would wreck the solver.
pub const LINE_EMISSIONS_MAX: f64 = 1e4;
/// Largest plausible whole-society daily emission of a district, t/d. The whole world emits about
/// 3·10^5 t/d of SO2 or NOx; a city or province total stays far below 10^6 t/d.
pub const SOCIETY_EMISSIONS_MAX: f64 = 1e6;
/// Largest plausible output value of one line, 万元/d: 10^6 万元/d is 3.65 万亿元 a year, more than
/// the revenue of any single firm.
pub const OUTPUT_VALUE_MAX: f64 = 1e6;
/// Largest plausible capacity or output of one line per day, in the line's own unit (t, m², pieces):
/// the biggest plants make some 10^7 pieces or 10^5 t a day; 10^10 leaves room for any unit.
pub const CAPACITY_MAX: f64 = 1e10;
/// Largest plausible electricity use of one line, kWh/d: 10^9 kWh/d is a 40 GW load running all
/// day; the biggest aluminium smelters draw about 2 GW.
pub const ELECTRICITY_MAX: f64 = 1e9;

const POLLUTANT_EMISSIONS: [ColumnSpec; 4] = [
    col(
        "so2",
        "二氧化硫",
        &["SO2", "SO₂", "二氧化硫排放量", "SO2排放量"],
        Number,
        "t/d",
        true,
        "daily SO2 emissions",
    )
    .up_to(LINE_EMISSIONS_MAX),
    col(
        "nox",
        "氮氧化物",
        &["NOx", "NOₓ", "氮氧化物排放量", "NOx排放量"],
        Number,
        "t/d",
        true,
        "daily NOx emissions",
    )
    .up_to(LINE_EMISSIONS_MAX),
    col(
        "pm",
        "颗粒物",
        &["PM", "烟粉尘", "颗粒物排放量", "烟粉尘排放量"],
        Number,
        "t/d",
        true,
        "daily PM (颗粒物) emissions",
    )
    .up_to(LINE_EMISSIONS_MAX),
    col(
        "vocs",
        "挥发性有机物",
        &["VOCs", "VOC", "挥发性有机物排放量", "VOCs排放量"],
        Number,
        "t/d",
        true,
        "daily VOCs emissions",
    )
    .up_to(LINE_EMISSIONS_MAX),
];

/// 区县: districts and their whole-society emissions.
pub const DISTRICTS: TableSpec = TableSpec {
    name: "districts",
    zh: "区县",
    required: true,
    doc:
        "Districts (市县区) with their whole-society daily emissions (全社会排放量, all sources). \
          The city's total is their sum unless the scenario overrides it.",
    columns: &[
        col(
            "district",
            "区县",
            &["地区", "市县区", "所属市县区", "所属区县", "name", "名称"],
            Text,
            "",
            true,
            "district name",
        ),
        POLLUTANT_EMISSIONS[0].up_to(SOCIETY_EMISSIONS_MAX),
        POLLUTANT_EMISSIONS[1].up_to(SOCIETY_EMISSIONS_MAX),
        POLLUTANT_EMISSIONS[2].up_to(SOCIETY_EMISSIONS_MAX),
        POLLUTANT_EMISSIONS[3].up_to(SOCIETY_EMISSIONS_MAX),
    ],
};

/// 企业: enterprises.
pub const ENTERPRISES: TableSpec = TableSpec {
    name: "enterprises",
    zh: "企业",
    required: true,
    doc: "One row per enterprise on the list.",
    columns: &[
        col(
            "credit_code",
            "统一社会信用代码",
            &[
                "信用代码",
                "社会信用代码",
                "企业统一社会信用代码",
                "code",
                "uscc",
            ],
            CreditCode,
            "",
            true,
            "18 characters, GB 32100-2015 check character",
        ),
        col(
            "name",
            "企业名称",
            &["名称", "单位名称", "enterprise"],
            Text,
            "",
            true,
            "registered name",
        ),
        col(
            "district",
            "区县",
            &[
                "所在区县",
                "所属区县",
                "市县区",
                "所属市县区",
                "所在地区",
                "地区",
                "行政区",
            ],
            Text,
            "",
            true,
            "a district of districts.csv",
        ),
        col(
            "industry",
            "行业",
            &["行业类别", "所属行业"],
            Text,
            "",
            true,
            "industry code or Chinese name from the industry table",
        ),
        col(
            "grade",
            "绩效等级",
            &[
                "绩效分级",
                "等级",
                "环保绩效等级",
                "绩效分级结果",
                "绩效评级",
            ],
            Grade,
            "",
            false,
            "A, 引领性, B, B-, C, D; empty = 未评级 (counts as the industry's lowest)",
        ),
        col(
            "exempt",
            "豁免",
            &["是否豁免", "豁免企业"],
            Bool,
            "",
            false,
            "on the published exempt list (豁免企业清单)",
        ),
        col(
            "exempt_reason",
            "豁免原因",
            &["豁免理由"],
            Text,
            "",
            false,
            "why it is exempt",
        )
        .note(),
        col(
            "guarantee",
            "保障类",
            &["是否保障类", "民生保障"],
            Bool,
            "",
            false,
            "保障类 (livelihood guarantee) enterprise",
        ),
        col(
            "guarantee_min_load",
            "保障最低负荷",
            &["最低负荷", "min_load"],
            Fraction,
            "share of baseline",
            false,
            "certified minimum load of a 保障类 firm",
        ),
        col(
            "cluster",
            "产业集群",
            &["集群"],
            Text,
            "",
            false,
            "VOC industrial cluster",
        ),
        col(
            "lon",
            "经度",
            &["longitude", "lng"],
            Number,
            "°E",
            false,
            "longitude of the site, decimal degrees (for `jianpai air` and `jianpai receptors`)",
        )
        .up_to(180.0),
        col(
            "lat",
            "纬度",
            &["latitude"],
            Number,
            "°N",
            false,
            "latitude of the site, decimal degrees",
        )
        .up_to(90.0),
        col(
            "datum",
            "坐标系",
            &["坐标系统", "坐标类型"],
            Word,
            "",
            false,
            "WGS-84 or GCJ-02; required when lon/lat are given",
        ),
    ],
};

/// 生产线: production lines / facilities.
pub const LINES: TableSpec = TableSpec {
    name: "lines",
    zh: "生产线",
    required: true,
    doc: "One row per production line, process or facility (the unit of 一厂一策). Emissions, output \
          value and electricity are daily means at the approved capacity; the tool scales them to the \
          effective baseline (the smallest of approved, permitted and last year's output).",
    columns: &[
        col("line_id", "生产线编号", &["设施编号", "编号", "id"], Text, "", true, "unique line id").id(),
        col("credit_code", "统一社会信用代码", &["信用代码", "社会信用代码", "企业统一社会信用代码", "code", "enterprise"], CreditCode, "", true, "owning enterprise"),
        col("name", "生产线名称", &["设施名称", "名称", "line_name"], Text, "", true, "line / facility name"),
        col("process", "工序", &["生产工序", "工艺"], Text, "", true, "process, e.g. 熟料, 烧结, 涂装"),
        col("capacity_approved", "核定产能", &["设计产能", "approved"], Number, "unit/d", true, "approved capacity, daily mean").up_to(CAPACITY_MAX),
        col("capacity_permitted", "许可产能", &["排污许可产能", "permitted"], Number, "unit/d", false, "permitted capacity, daily mean").up_to(CAPACITY_MAX),
        col("output_last_year", "上年日均产量", &["上年实际产量", "last_year"], Number, "unit/d", false, "last year's actual daily mean output").up_to(CAPACITY_MAX),
        col("output_value", "日产值", &["产值", "value"], Number, "万元/d", true, "output value per day at approved capacity").up_to(OUTPUT_VALUE_MAX),
        POLLUTANT_EMISSIONS[0],
        POLLUTANT_EMISSIONS[1],
        POLLUTANT_EMISSIONS[2],
        POLLUTANT_EMISSIONS[3],
        col("electricity", "日用电量", &["用电量", "electricity_kwh"], Number, "kWh/d", false, "electricity per day at approved capacity").up_to(ELECTRICITY_MAX),
        col("status", "状态", &["生产状态", "运行状态", "生产线状态"], Word, "", false, "在产/active or 停产/idle (default 在产); also 正常生产/生产/运行, 关停/停用/闲置"),
        col("stack_height", "排气筒高度", &["烟囱高度", "排放高度"], Number, "m", false, "release height (screening estimate of `jianpai receptors`; default 30 m)").up_to(crate::air::tables::STACK_HEIGHT_MAX),
    ],
};

/// 措施选项: measure options declared by enterprises.
pub const OPTIONS: TableSpec = TableSpec {
    name: "options",
    zh: "措施选项",
    required: false,
    doc: "Measure options an enterprise declared for a line when a proportional limit does not describe \
          it (e.g. stopping a coating booth cuts VOCs by 80 % and output by 30 %).",
    columns: &[
        col("line_id", "生产线编号", &["设施编号", "id"], Text, "", true, "line the option belongs to").id(),
        col("code", "措施编号", &["option_code"], Text, "", true, "code unique within the line (letters, digits, - _)").id(),
        col("text", "措施内容", &["措施", "measure"], Text, "", true, "measure text as it will appear in the list").note(),
        col("so2_cut", "二氧化硫减排比例", &["so2减排比例"], Fraction, "share", true, "SO2 cut as share of the line's baseline"),
        col("nox_cut", "氮氧化物减排比例", &["nox减排比例"], Fraction, "share", true, "NOx cut as share of baseline"),
        col("pm_cut", "颗粒物减排比例", &["pm减排比例"], Fraction, "share", true, "PM cut as share of baseline"),
        col("vocs_cut", "挥发性有机物减排比例", &["vocs减排比例"], Fraction, "share", true, "VOCs cut as share of baseline"),
        col("loss", "产值损失比例", &["损失比例"], Fraction, "share", true, "output value lost, share of baseline"),
        col("whole_line", "整线停产", &["是否整线"], Bool, "", false, "the option stops the whole line"),
        col("electricity", "核查用电比例", &["用电比例"], Fraction, "share", false, "expected electricity as share of baseline (default 1 − loss×0.8)"),
    ],
};

/// 行业: the industry table (optional in a dataset; a default ships in `seeds/rules/industries.csv`).
pub const INDUSTRIES: TableSpec = TableSpec {
    name: "industries",
    zh: "行业",
    required: false,
    doc: "Industries: Guide-2020 key industries and the city's non-key categories.",
    columns: &[
        col(
            "code",
            "行业代码",
            &["industry"],
            Text,
            "",
            true,
            "code used in enterprises.csv",
        )
        .id(),
        col(
            "name_zh",
            "行业名称",
            &["名称"],
            Text,
            "",
            true,
            "Chinese name",
        ),
        col(
            "name_en",
            "英文名称",
            &["english"],
            Text,
            "",
            false,
            "English name",
        ),
        col(
            "key",
            "重点行业",
            &["是否重点行业"],
            Bool,
            "",
            true,
            "one of the 39 key industries of the Technical Guide 2020",
        ),
        col(
            "leading_only",
            "引领性行业",
            &["leading"],
            Bool,
            "",
            false,
            "graded only against one bar (引领性)",
        ),
        col(
            "lowest_grade",
            "最低等级",
            &["lowest"],
            Grade,
            "",
            true,
            "grade an unrated firm counts as",
        ),
        col(
            "pollutants",
            "排放污染物",
            &["污染物"],
            Text,
            "",
            true,
            "pollutants a line can emit, e.g. so2|nox|pm|vocs",
        ),
    ],
};

/// All dataset tables.
pub const TABLES: [&TableSpec; 5] = [&DISTRICTS, &ENTERPRISES, &LINES, &OPTIONS, &INDUSTRIES];

/// Normalise a header for matching: lower case, no spaces, no bracketed unit.
pub fn normalize_header(h: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for ch in h.trim().trim_start_matches('\u{feff}').chars() {
        match ch {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = (depth - 1).max(0),
            c if depth == 0 && !c.is_whitespace() && c != '_' => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out
}

impl ColumnSpec {
    /// Whether a header names this column.
    pub fn matches(&self, header: &str) -> bool {
        let h = normalize_header(header);
        !h.is_empty()
            && std::iter::once(self.key)
                .chain(std::iter::once(self.zh))
                .chain(self.aliases.iter().copied())
                .any(|a| normalize_header(a) == h)
    }
}

/// The schema document (Markdown), generated from the specs above.
pub fn markdown() -> String {
    let mut s = String::from(
        "# Input schema\n\nGenerated by `jianpai schema`; do not edit by hand.\n\n\
         A dataset is a folder with one file per table, named by the table (`enterprises.csv`, or the \
         Chinese name: `企业.csv`), as CSV (UTF-8, GBK/GB18030 or UTF-16; `,` `;` or tab), xlsx/xls/ods \
         (first sheet) or Parquet. Headers may be written in Chinese or English, with or without a unit \
         in brackets; matching ignores case, spaces and `_`. Unknown columns are ignored with a warning.\n",
    );
    s.push('\n');
    s.push_str(&super::table::limits_doc());
    s.push_str(SCENARIO_DOC);
    for t in TABLES
        .into_iter()
        .chain([&METERS, &WARNINGS, &GATES, &CEMS, &STATUS])
    {
        s.push_str(&table_markdown(t));
    }
    s.push_str(&table_markdown(&DECISIONS));
    s.push_str(crate::stagger::input::SCENARIO_DOC);
    for t in crate::stagger::tables::TABLES {
        s.push_str(&table_markdown(t));
    }
    s.push_str(crate::air::SCHEMA_DOC);
    for t in crate::air::tables::TABLES {
        s.push_str(&table_markdown(t));
    }
    s
}

/// One table's section of the schema document.
fn table_markdown(t: &TableSpec) -> String {
    let mut s = format!(
        "\n## `{}` ({}){}\n\n{}\n\n| column | 中文表头 | other accepted headers | type | unit | limits | required | meaning |\n|---|---|---|---|---|---|---|---|\n",
        t.name,
        t.zh,
        if t.required { "" } else { " — optional" },
        t.doc
    );
    for c in t.columns {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
            c.key,
            c.zh,
            c.aliases.join(", "),
            c.kind.name(),
            c.unit,
            c.limits(),
            if c.required { "yes" } else { "no" },
            c.doc
        ));
    }
    s
}

/// 规则: grade × industry × level → minimum obligation (a rules file, not part of a dataset).
pub const RULES: TableSpec = TableSpec {
    name: "rules",
    zh: "规则",
    required: false,
    doc: "Minimum obligation per industry × grade × level (see seeds/rules/README.md for the vocabulary).",
    columns: &[
        col("industry", "行业", &["行业代码"], Text, "", true, "industry code, `*` (any key industry) or `nonkey`"),
        col("grade", "绩效等级", &["等级"], Text, "", true, "A, 引领性, B, B-, C, D, 未评级 or `*`"),
        col("level", "预警级别", &["级别"], Text, "", true, "yellow/黄色, orange/橙色, red/红色 or `*`"),
        col("measure", "措施", &["最低措施", "obligation"], Text, "", true, "measure expression, e.g. L20+T4"),
        col("illustrative", "示例", &["是否示例"], Bool, "", false, "row is illustrative, not from a published table"),
        col("note", "说明", &["备注", "source"], Text, "", false, "source or remark").note(),
    ],
};

/// 清单: the plan file `plan.csv` (one row per line and level), read back by `check`.
pub const PLAN: TableSpec = TableSpec {
    name: "plan",
    zh: "应急减排清单",
    required: false,
    doc: "The emergency reduction list: one row per active line and warning level.",
    columns: &[
        col(
            "line_id",
            "生产线编号",
            &["line"],
            Text,
            "",
            true,
            "line id",
        )
        .id(),
        col(
            "credit_code",
            "统一社会信用代码",
            &["enterprise_code"],
            Text,
            "",
            true,
            "enterprise credit code",
        ),
        col(
            "enterprise",
            "企业名称",
            &["enterprise_name"],
            Text,
            "",
            false,
            "enterprise name",
        ),
        col("district", "区县", &[], Text, "", false, "district"),
        col("industry", "行业", &[], Text, "", false, "industry"),
        col(
            "grade",
            "绩效等级",
            &[],
            Text,
            "",
            false,
            "grade applied (unrated key-industry firms show their industry's lowest)",
        ),
        col("line_name", "生产线名称", &[], Text, "", false, "line name"),
        col("process", "工序", &[], Text, "", false, "process"),
        col(
            "level",
            "预警级别",
            &[],
            Text,
            "",
            true,
            "黄色/橙色/红色 or yellow/orange/red",
        ),
        col(
            "measure_code",
            "措施编号",
            &["code"],
            Text,
            "",
            true,
            "measure code (V, L20+T4, S+T0, D:<option>+T4)",
        ),
        col(
            "measure",
            "措施内容",
            &["measure_text"],
            Text,
            "",
            false,
            "measure text",
        )
        .note(),
        col(
            "obligation",
            "最低要求",
            &[],
            Text,
            "",
            false,
            "minimum obligation of the rules",
        )
        .note(),
        col(
            "so2_cut",
            "二氧化硫减排量",
            &[],
            Number,
            "t/d",
            true,
            "SO2 cut",
        )
        .up_to(LINE_EMISSIONS_MAX),
        col(
            "nox_cut",
            "氮氧化物减排量",
            &[],
            Number,
            "t/d",
            true,
            "NOx cut",
        )
        .up_to(LINE_EMISSIONS_MAX),
        col("pm_cut", "颗粒物减排量", &[], Number, "t/d", true, "PM cut").up_to(LINE_EMISSIONS_MAX),
        col(
            "vocs_cut",
            "挥发性有机物减排量",
            &[],
            Number,
            "t/d",
            true,
            "VOCs cut",
        )
        .up_to(LINE_EMISSIONS_MAX),
        col(
            "loss",
            "产值损失",
            &["loss_per_day"],
            Number,
            "万元/d",
            true,
            "production loss per warning day",
        )
        .up_to(OUTPUT_VALUE_MAX),
        col(
            "electricity",
            "核查用电量",
            &["expected_electricity"],
            Number,
            "kWh/d",
            false,
            "expected electricity under the measure (verification indicator)",
        )
        .up_to(ELECTRICITY_MAX),
        col(
            "electricity_share",
            "核查用电比例",
            &[],
            Fraction,
            "share",
            false,
            "expected electricity as share of baseline",
        ),
        col("note", "备注", &[], Text, "", false, "remarks").note(),
        col(
            "reason",
            "加严理由",
            &["理由"],
            Text,
            "",
            false,
            "why a measure stricter than the rule minimum was chosen (targets served with their prices and the marginal loss, nesting, a decision, a rule); required on such rows when the column is present",
        )
        .note(),
    ],
};

/// 电表数据: electricity meter readings for `jianpai audit` (CSV or Parquet, any row order).
pub const METERS: TableSpec = TableSpec {
    name: "meters",
    zh: "电表数据",
    required: false,
    doc: "Sub-metered electricity (分表计电) for `jianpai audit`: one row per meter and time stamp, \
          with a cumulative register reading and/or the energy of the interval ending at the time stamp. \
          Rows may come in any order, with duplicates, gaps, register resets and rollovers, and 15-minute \
          and hourly data mixed. Time stamps without an offset are Asia/Shanghai local time (UTC+08:00).",
    columns: &[
        col("meter", "电表编号", &["meter_id", "表号"], Text, "", true, "meter id"),
        col("line_id", "生产线编号", &["line"], Text, "", false, "line the meter measures (default: the meter id)"),
        col("timestamp", "时间", &["time", "采集时间", "datetime"], Text, "ISO 8601", true, "end of the interval, e.g. 2021-12-20T08:00:00 or 2021-12-20 08:00+08:00"),
        col("reading", "表码", &["累计电量", "register", "示数"], Number, "kWh", false, "cumulative register reading"),
        col("kwh", "区间电量", &["interval_kwh", "电量"], Number, "kWh", false, "energy of the interval ending at the time stamp (used when the meter has no readings)"),
    ],
};

/// 预警记录: the warnings a city issued, for `jianpai audit --warnings`.
pub const WARNINGS: TableSpec = TableSpec {
    name: "warnings",
    zh: "预警记录",
    required: false,
    doc: "The warnings the city issued (one row per warning) for `jianpai audit --warnings`: the audit takes its \
          warning window from it and keeps its baseline clear of every warning in it. Warnings must not overlap. \
          The calendar's `forecast` table (date, level) is accepted too: consecutive days of one level make one warning.",
    columns: &[
        col("level", "预警级别", &["级别"], Word, "", true, "黄色 / 橙色 / 红色 (yellow / orange / red)"),
        col("start", "开始时间", &["开始", "发布时间"], Text, "ISO 8601", true, "start, e.g. 2021-12-22T00:00 (local time) or with an offset"),
        col("end", "结束时间", &["结束", "解除时间"], Text, "ISO 8601", true, "end (exclusive), e.g. 2021-12-25T00:00"),
        col("note", "备注", &["文号"], Text, "", false, "document number or remark").note(),
    ],
};

/// 门禁记录: truck gate logs, for `jianpai audit --gates`.
pub const GATES: TableSpec = TableSpec {
    name: "gates",
    zh: "门禁记录",
    required: false,
    doc: "Truck gate records (门禁和视频监控) for `jianpai audit --gates`: one row per truck passing an enterprise's gate. \
          They verify transport measures: T4 (no China-IV-or-older heavy diesel trucks) and T0 (no road trucks but new-energy ones) \
          during the warning. Rows may come in any order; time stamps as in `meters`.",
    columns: &[
        col("credit_code", "统一社会信用代码", &["信用代码", "code", "uscc"], Text, "", true, "enterprise").id(),
        col("plate", "车牌号", &["车牌", "plate_number"], Text, "", true, "licence plate").id(),
        col("standard", "排放标准", &["排放阶段", "emission_standard"], Word, "", true, "国一 … 国六 (or 国1 … 国6, 国I … 国VI), 新能源 / 电动"),
        col("timestamp", "通行时间", &["时间", "time"], Text, "ISO 8601", true, "time the truck passed the gate"),
        col("direction", "进出", &["方向", "direction", "in_out"], Word, "", false, "进 / 出 (in / out); empty counts as a passage"),
    ],
};

/// Largest concentration accepted from online monitoring (mg/m³).
pub const CEMS_CONCENTRATION_MAX: f64 = 100_000.0;
/// Largest flue-gas flow accepted from online monitoring (m³/h).
pub const CEMS_FLOW_MAX: f64 = 1e8;
/// Largest load signal accepted from operating-status data (% of rated load).
pub const STATUS_LOAD_MAX: f64 = 150.0;

/// 在线监测: hourly CEMS data (污染源在线监测), for `jianpai audit --cems`.
pub const CEMS: TableSpec = TableSpec {
    name: "cems",
    zh: "在线监测",
    required: false,
    doc: "Online monitoring (CEMS, 国控/省控 hourly data) for `jianpai audit --cems`: one row per outlet, hour and \
          pollutant. The emission rate of a row is concentration × flow (kg/h); a line's rate is the sum over its \
          outlets and pollutants, its flow the sum over its outlets. The time stamp names the hour it starts \
          (local time unless an offset is given). Flags as in 国控 data: N normal and T over range count; F \
          (停运, source stopped) counts as a stopped hour; M maintenance, D fault, C calibration, S set value and \
          B communication failure are faults (the hour has no data). Rows may come in any order; a repeated \
          outlet, hour and pollutant keeps the first row.",
    columns: &[
        col("outlet", "排放口编号", &["排口编号", "监测点编号", "outlet_id"], Text, "", true, "outlet (排放口) id").id(),
        col("line_id", "生产线编号", &["line", "对应生产线"], Text, "", false, "line the outlet serves (default: the outlet id)").id(),
        col("timestamp", "监测时间", &["数据时间", "时间", "time", "datetime"], Text, "ISO 8601", true, "start of the hour, e.g. 2021-12-22T08:00"),
        col("pollutant", "污染物", &["监测因子", "因子"], Word, "", false, "颗粒物, 二氧化硫, 氮氧化物, VOCs … (one outlet may have several)"),
        col("concentration", "折算浓度", &["浓度", "实测浓度", "排放浓度"], Number, "mg/m³", true, "hourly mean concentration").up_to(CEMS_CONCENTRATION_MAX),
        col("flow", "烟气流量", &["流量", "废气流量", "标干流量"], Number, "m³/h", true, "hourly mean flue-gas flow").up_to(CEMS_FLOW_MAX),
        col("flag", "数据标记", &["标记", "数据标识"], Word, "", false, "N, T, F, M, D, C, S, B (empty = N)"),
    ],
};

/// 工况: operating-status signals (DCS on/off or load), for `jianpai audit --status`.
pub const STATUS: TableSpec = TableSpec {
    name: "status",
    zh: "工况",
    required: false,
    doc: "Operating status (用电量及工况监控: DCS on/off or load signals) for `jianpai audit --status`: one row per \
          facility and sample (any interval, e.g. 5-minute or hourly). A row gives a load in % of rated load, or \
          an on/off state (on = 100 %, off = 0 %). A line's hourly load is the mean of its facilities' hourly means. \
          The time stamp names the hour it falls in (local time unless an offset is given). On/off signals verify \
          stops only; limits need a load signal.",
    columns: &[
        col("facility", "设施编号", &["设备编号", "facility_id"], Text, "", true, "facility (生产设施) id").id(),
        col("line_id", "生产线编号", &["line", "对应生产线"], Text, "", false, "line the facility belongs to (default: the facility id)").id(),
        col("timestamp", "时间", &["采集时间", "time", "datetime"], Text, "ISO 8601", true, "time of the sample"),
        col("running", "运行状态", &["开停状态", "状态", "on_off"], Word, "", false, "开 / 运行 / 1 / on or 停 / 停机 / 0 / off"),
        col("load", "负荷率", &["负荷", "load_pct"], Number, "%", false, "load in % of rated load (used when given)").up_to(STATUS_LOAD_MAX),
    ],
};

const SCENARIO_DOC: &str = "
## Scenario (TOML)

A scenario names its data and states the policy; paths are relative to the scenario file.
`scenarios/wuxi-2021.toml` is a commented example. Unknown keys are errors (with their line and,
for a likely typo, the key meant). Keys with Chinese (non-ASCII) characters must be quoted:
`[districts.ratios.\"新吴区\".yellow]`. A table given in part keeps the defaults of the keys it
leaves out (`[days] red = 2` keeps yellow 10 and orange 6). Every number must lie in its allowed
range (NaN and infinities never do); a value outside is an error naming the file, the key, the
value and the range (exit 3). A pollutant's required cut must not fall from yellow to orange to
red (red ≥ orange ≥ yellow), for the city and for every district with overrides.

| key | meaning | default | allowed range |
|---|---|---|---|
| `base` | another scenario file whose keys this one overrides (tables merge key by key; values and arrays replace) | none | |
| `name` | display name | required | |
| `inventory` | dataset folder | required | |
| `rules` | rules file (grade × industry × level) | required | |
| `rule_overrides` | city override rules, replacing rows of the same key | none | |
| `decisions` | the planner's decisions file (measures fixed or bounded per line or enterprise and level; see the 决策 table); `plan --decisions` replaces it | none | |
| `[society]` `so2`, `nox`, `pm`, `vocs` | whole-society emissions, t/d | sum of `districts` | [0, 100000] |
| `[targets.<level>]` `so2` … `vocs` | required cut as a share of whole-society emissions | 0.10 / 0.20 / 0.30 | [0, 1), red ≥ orange ≥ yellow |
| `[credits.<level>.<source>]` `so2` … `vocs` | other-sector credits (mobile, dust), t/d; district targets get a share by emissions | none | [0, 100000] |
| `[districts]` `enforce` | also check every district | false | |
| `[districts.ratios.<district>.<level>]` (quote Chinese names) | per-district ratio overrides (levels left out keep the city's) | city ratios | [0, 1), red ≥ orange ≥ yellow |
| `[controlled_min_cut.<level>]` | controlled firms (not exempt, not A / 引领性) as a whole cut at least this share of their baseline | none | [0, 1) |
| `[days]` `yellow`, `orange`, `red` | expected warning days in a season (objective weights) | 10 / 6 / 3 | [0, 366] |
| `[episodes]` `yellow`, `orange`, `red` | expected warning episodes (restart costs) | 4 / 2 / 1 | [0, 366] |
| `[options]` `limits` | output-limit steps the city may ask for (stop is always offered) | [0.1, 0.2, 0.3, 0.5] | each in (0, 1), at most 20 |
| `[options]` `stop_electricity` | expected electricity of a stopped line, share of baseline | 0.2 | [0, 1] |
| `[options]` `exempt_lowest_limit` | exempt firms take the lowest limit where their level demands a stop (older Jiangsu rule) | false | |
| `[options]` `restart_cost_days` | restart cost of a stop, days of output per episode | 0 | [0, 60] |
| `[solver]` `time_limit` | seconds (`--time-limit` overrides) | 60 | (0, 86400] |
| `[solver]` `rel_gap` | relative gap (`--gap` overrides) | 1e-4 | [0, 1) |
| `[solver]` `threads` | HiGHS threads (`--threads` overrides); more than the machine's cores run as many as it has, with a warning | 1 | [1, 256] |
| `[[changes]]` `code`, `grade`, `exempt`, `guarantee_min_load` | what-if change of one enterprise (credit code): new grade, on / off the exempt list, new 保障类 floor (0 removes it) | none | floor [0, 1] |
| `[filter]` `districts`, `industries`, `exclude` | keep only these districts / industries on the list, leave these credit codes off; whole-society emissions stay | all | |
| `[report]` `supervision_phone` | 监督电话 on every public notice board (公示牌) of `jianpai report` | blank | |
| `[revision]` `previous` | last year's list for `jianpai revise` (plan folder or `plan.csv`; `--previous` overrides) | none | |
| `[units]` `operating_days`, `operating_hours` | operating days per year and hours per day: inventory columns whose header states an annual or hourly unit (`二氧化硫排放量（吨/年）`, `kg/h`, `万元/年`) are converted to daily means with them (reported as W401) | 300, 24 | (0, 366] days, (0, 24] hours |
| `[revision]` `stability_weight` | season-loss equivalent (万元) charged per line × level whose measure changes (`--stability` overrides) | 20 | [0, 1000000] |

Command-line bounds: `--time-limit` (0, 86400], `--gap` [0, 1), `--threads` and `--jobs` [1, 256]
(beyond: exit 2 naming the flag; more than the machine's cores run as many as it has, with a
warning); `upgrade --k` [1, 1000], `--candidates` [1, 3000]. Result summaries (`summary.json`
of `plan` and `revise`) name the scenario file and the previous list relative to the result
directory.

### Sweep files (`jianpai sweep`)

A sweep file names a `base` scenario and lists what-if scenarios; `scenarios/wuxi-2021-sweep.toml`
is a commented example.

| key | meaning | default |
|---|---|---|
| `name` | display name | required |
| `base` | the base scenario file | required |
| `chains` | warm-start chains (each scenario starts from the previous one of its chain); fixed here so results never depend on `--jobs`; the most shards the sweep can be split into | 4 |
| `[set]` | overrides applied to every scenario (e.g. `[set.solver] rel_gap = 0.001`) | none |
| `[[scenario]]` `name` + any scenario keys | one named scenario: the base with these keys overridden | — |
| `[[grid]]` `name`, `[grid.set]`, `[grid.axes]` | one scenario per combination of the axes (`targets.red.pm = [0.25, 0.3]`, keys quoted); `set` applies to all of them | — |

A sweep expands into at most 10,000 scenarios. An error in a `[set]` value names the sweep file and
`[set]`; an error of one scenario names it.

";

/// 决策: the planner's decisions (`decisions = "decisions.csv"` in a scenario, or
/// `jianpai plan --decisions FILE`): measures fixed or bounded per line or enterprise and level.
pub const DECISIONS: TableSpec = TableSpec {
    name: "decisions",
    zh: "决策",
    required: false,
    doc: "The planner's decisions: one row per line (or enterprise) and level; the optimiser honours each, `check` verifies them and the summary prices each.",
    columns: &[
        col("line_id", "生产线编号", &["生产线", "line"], Text, "", false, "a line of lines.csv (this or the credit code, not both)"),
        col("credit_code", "统一社会信用代码", &["信用代码", "code", "uscc"], CreditCode, "", false, "an enterprise: the decision binds each of its active lines"),
        col("level", "预警级别", &["级别"], Text, "", true, "yellow/黄色, orange/橙色, red/红色 or `*` (all three)"),
        col("measure", "措施编号", &["措施", "measure_code"], Text, "", true, "measure code as in plan.csv (V, L20, S, D:CODE); the transport part follows the rules"),
        col("mode", "方式", &["决策方式"], Text, "", true, "fix/锁定, at_least/不低于 or at_most/不高于"),
        col("reason", "理由", &["原因", "备注", "note"], Text, "", true, "why (written into the list's 备注 and the summary)"),
    ],
};
