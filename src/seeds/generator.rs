//! Deterministic synthetic city generator, calibrated to Wuxi's 2021 air plan
//! (districts of annex 1, industries of items 16–19 and annexes 4–5). No real company is named;
//! credit codes are synthetic but checksum-valid.

use super::rng::Rng;
use crate::domain::credit_code::ALPHABET;
use crate::domain::CreditCode;
use std::fmt::Write as _;

/// A district with its administrative code and weight among generic firms.
struct DistrictDef {
    name: &'static str,
    short: &'static str,
    admin: &'static str,
    weight: f64,
}

const DISTRICTS: [DistrictDef; 8] = [
    DistrictDef {
        name: "江阴市",
        short: "澄",
        admin: "320281",
        weight: 0.24,
    },
    DistrictDef {
        name: "宜兴市",
        short: "宜",
        admin: "320282",
        weight: 0.20,
    },
    DistrictDef {
        name: "梁溪区",
        short: "梁",
        admin: "320213",
        weight: 0.04,
    },
    DistrictDef {
        name: "锡山区",
        short: "锡",
        admin: "320205",
        weight: 0.14,
    },
    DistrictDef {
        name: "惠山区",
        short: "惠",
        admin: "320206",
        weight: 0.14,
    },
    DistrictDef {
        name: "滨湖区",
        short: "滨",
        admin: "320211",
        weight: 0.06,
    },
    DistrictDef {
        name: "新吴区",
        short: "新",
        admin: "320214",
        weight: 0.15,
    },
    DistrictDef {
        name: "经开区",
        short: "经",
        admin: "320200",
        weight: 0.03,
    },
];

/// A process an industry's lines run, with per-line magnitudes at approved capacity.
struct ProcessDef {
    name: &'static str,
    /// Capacity unit per day and its typical size.
    capacity: f64,
    /// Output value, 万元/d.
    value: f64,
    /// SO2, NOx, PM, VOCs t/d.
    emissions: [f64; 4],
    /// kWh/d.
    electricity: f64,
    /// How many of these lines a firm has (min, max).
    count: (usize, usize),
}

const fn p(
    name: &'static str,
    capacity: f64,
    value: f64,
    emissions: [f64; 4],
    electricity: f64,
    count: (usize, usize),
) -> ProcessDef {
    ProcessDef {
        name,
        capacity,
        value,
        emissions,
        electricity,
        count,
    }
}

/// An industry profile: share of firms, district weights (None = generic), processes.
struct IndustryDef {
    code: &'static str,
    word: &'static str,
    share: f64,
    districts: Option<[f64; 8]>,
    processes: &'static [ProcessDef],
    /// Share of firms A, 引领性, B, B-, C, D, unrated.
    grades: [f64; 7],
}

const HEAVY_JY: Option<[f64; 8]> = Some([0.8, 0.0, 0.0, 0.1, 0.1, 0.0, 0.0, 0.0]);
const KILN_YX: Option<[f64; 8]> = Some([0.1, 0.85, 0.0, 0.05, 0.0, 0.0, 0.0, 0.0]);
const KEY_GRADES: [f64; 7] = [0.04, 0.0, 0.28, 0.06, 0.42, 0.08, 0.12];
const VOC_GRADES: [f64; 7] = [0.03, 0.0, 0.22, 0.05, 0.50, 0.05, 0.15];
const LEADING_GRADES: [f64; 7] = [0.0, 0.08, 0.0, 0.0, 0.0, 0.0, 0.92];
const NONKEY_GRADES: [f64; 7] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0];

const INDUSTRIES: &[IndustryDef] = &[
    IndustryDef {
        code: "steel",
        word: "钢铁",
        share: 0.004,
        districts: HEAVY_JY,
        grades: [0.15, 0.0, 0.45, 0.1, 0.25, 0.05, 0.0],
        processes: &[
            p(
                "烧结",
                12000.0,
                260.0,
                [1.1, 1.6, 0.7, 0.08],
                380000.0,
                (1, 2),
            ),
            p(
                "球团",
                6000.0,
                120.0,
                [0.5, 0.7, 0.3, 0.0],
                150000.0,
                (0, 1),
            ),
            p(
                "高炉炼铁",
                8000.0,
                420.0,
                [0.3, 0.4, 0.5, 0.0],
                250000.0,
                (1, 3),
            ),
            p(
                "转炉炼钢",
                9000.0,
                520.0,
                [0.05, 0.1, 0.4, 0.0],
                300000.0,
                (1, 2),
            ),
            p(
                "轧钢",
                7000.0,
                600.0,
                [0.1, 0.3, 0.1, 0.02],
                400000.0,
                (1, 3),
            ),
            p(
                "石灰窑",
                1200.0,
                25.0,
                [0.1, 0.2, 0.1, 0.0],
                30000.0,
                (0, 1),
            ),
        ],
    },
    IndustryDef {
        code: "coking",
        word: "焦化",
        share: 0.001,
        districts: HEAVY_JY,
        grades: KEY_GRADES,
        processes: &[p(
            "焦炉",
            3000.0,
            180.0,
            [0.6, 1.2, 0.5, 0.4],
            90000.0,
            (1, 3),
        )],
    },
    IndustryDef {
        code: "cement",
        word: "水泥",
        share: 0.008,
        districts: KILN_YX,
        grades: [0.05, 0.0, 0.35, 0.1, 0.35, 0.15, 0.0],
        processes: &[
            p(
                "熟料",
                4500.0,
                140.0,
                [0.25, 2.6, 0.45, 0.0],
                480000.0,
                (1, 3),
            ),
            p(
                "水泥粉磨",
                3000.0,
                90.0,
                [0.0, 0.0, 0.2, 0.0],
                150000.0,
                (0, 2),
            ),
        ],
    },
    IndustryDef {
        code: "glass",
        word: "玻璃",
        share: 0.002,
        districts: None,
        grades: KEY_GRADES,
        processes: &[p(
            "玻璃熔窑",
            600.0,
            60.0,
            [0.4, 1.0, 0.15, 0.0],
            120000.0,
            (1, 2),
        )],
    },
    IndustryDef {
        code: "ceramics",
        word: "陶瓷",
        share: 0.03,
        districts: KILN_YX,
        grades: KEY_GRADES,
        processes: &[
            p(
                "陶瓷窑炉",
                40.0,
                9.0,
                [0.04, 0.07, 0.05, 0.0],
                8000.0,
                (1, 3),
            ),
            p(
                "喷雾干燥",
                60.0,
                4.0,
                [0.02, 0.02, 0.04, 0.0],
                4000.0,
                (0, 1),
            ),
        ],
    },
    IndustryDef {
        code: "brick",
        word: "新型建材",
        share: 0.015,
        districts: KILN_YX,
        grades: KEY_GRADES,
        processes: &[p(
            "砖瓦窑",
            300.0,
            4.0,
            [0.06, 0.05, 0.06, 0.0],
            5000.0,
            (1, 2),
        )],
    },
    IndustryDef {
        code: "refractory",
        word: "耐火材料",
        share: 0.01,
        districts: KILN_YX,
        grades: KEY_GRADES,
        processes: &[p(
            "耐材窑炉",
            80.0,
            12.0,
            [0.05, 0.08, 0.05, 0.0],
            12000.0,
            (1, 3),
        )],
    },
    IndustryDef {
        code: "lime",
        word: "石灰",
        share: 0.003,
        districts: KILN_YX,
        grades: KEY_GRADES,
        processes: &[p(
            "石灰窑",
            500.0,
            8.0,
            [0.08, 0.12, 0.1, 0.0],
            9000.0,
            (1, 2),
        )],
    },
    IndustryDef {
        code: "foundry",
        word: "铸造",
        share: 0.03,
        districts: None,
        grades: KEY_GRADES,
        processes: &[
            p(
                "熔炼",
                50.0,
                12.0,
                [0.01, 0.02, 0.05, 0.01],
                20000.0,
                (1, 2),
            ),
            p(
                "造型制芯",
                50.0,
                6.0,
                [0.0, 0.0, 0.03, 0.02],
                6000.0,
                (0, 2),
            ),
            p(
                "铸件涂装",
                30.0,
                4.0,
                [0.0, 0.0, 0.01, 0.03],
                3000.0,
                (0, 1),
            ),
        ],
    },
    IndustryDef {
        code: "petrochem",
        word: "石化",
        share: 0.003,
        districts: HEAVY_JY,
        grades: KEY_GRADES,
        processes: &[
            p(
                "常减压装置",
                5000.0,
                400.0,
                [0.2, 0.4, 0.06, 0.3],
                200000.0,
                (1, 2),
            ),
            p(
                "催化裂化",
                3000.0,
                300.0,
                [0.3, 0.5, 0.1, 0.25],
                180000.0,
                (0, 1),
            ),
            p("储罐", 5000.0, 3.0, [0.0, 0.0, 0.0, 0.03], 500.0, (3, 12)),
        ],
    },
    IndustryDef {
        code: "chemicals",
        word: "化工",
        share: 0.06,
        districts: Some([0.5, 0.2, 0.0, 0.05, 0.1, 0.0, 0.15, 0.0]),
        grades: VOC_GRADES,
        processes: &[
            p(
                "反应釜生产线",
                60.0,
                30.0,
                [0.01, 0.02, 0.01, 0.06],
                15000.0,
                (1, 4),
            ),
            p("精馏", 80.0, 15.0, [0.0, 0.0, 0.0, 0.03], 8000.0, (0, 2)),
            p("储罐", 500.0, 1.0, [0.0, 0.0, 0.0, 0.015], 200.0, (0, 5)),
            p(
                "燃气锅炉",
                10.0,
                2.0,
                [0.002, 0.02, 0.002, 0.0],
                1500.0,
                (0, 1),
            ),
        ],
    },
    IndustryDef {
        code: "pharma",
        word: "制药",
        share: 0.015,
        districts: None,
        grades: VOC_GRADES,
        processes: &[
            p(
                "合成车间",
                5.0,
                40.0,
                [0.0, 0.01, 0.005, 0.04],
                10000.0,
                (1, 3),
            ),
            p(
                "燃气锅炉",
                10.0,
                2.0,
                [0.002, 0.02, 0.002, 0.0],
                1500.0,
                (0, 1),
            ),
        ],
    },
    IndustryDef {
        code: "coating",
        word: "机械",
        share: 0.18,
        districts: None,
        grades: VOC_GRADES,
        processes: &[
            p(
                "涂装线",
                2000.0,
                6.0,
                [0.0, 0.0, 0.006, 0.025],
                3000.0,
                (1, 3),
            ),
            p(
                "机加工",
                2000.0,
                10.0,
                [0.0, 0.0, 0.002, 0.001],
                6000.0,
                (0, 2),
            ),
            p(
                "燃气锅炉",
                4.0,
                1.5,
                [0.001, 0.01, 0.001, 0.0],
                800.0,
                (0, 1),
            ),
        ],
    },
    IndustryDef {
        code: "printing",
        word: "包装印刷",
        share: 0.08,
        districts: Some([0.1, 0.08, 0.02, 0.5, 0.1, 0.05, 0.12, 0.03]),
        grades: VOC_GRADES,
        processes: &[
            p(
                "凹版印刷",
                30000.0,
                4.0,
                [0.0, 0.0, 0.0, 0.03],
                2500.0,
                (1, 3),
            ),
            p("复合", 20000.0, 2.5, [0.0, 0.0, 0.0, 0.015], 1500.0, (0, 2)),
        ],
    },
    IndustryDef {
        code: "furniture",
        word: "家具",
        share: 0.03,
        districts: None,
        grades: VOC_GRADES,
        processes: &[
            p("喷涂", 200.0, 3.0, [0.0, 0.0, 0.008, 0.02], 1500.0, (1, 2)),
            p("木工", 200.0, 2.0, [0.0, 0.0, 0.01, 0.0], 2000.0, (0, 1)),
        ],
    },
    IndustryDef {
        code: "rubber",
        word: "橡胶",
        share: 0.02,
        districts: None,
        grades: LEADING_GRADES,
        processes: &[p(
            "炼胶硫化",
            50.0,
            8.0,
            [0.0, 0.0, 0.01, 0.015],
            9000.0,
            (1, 3),
        )],
    },
    IndustryDef {
        code: "oil_storage",
        word: "油品储运",
        share: 0.03,
        districts: None,
        grades: VOC_GRADES,
        processes: &[
            p("储罐", 2000.0, 1.2, [0.0, 0.0, 0.0, 0.01], 300.0, (2, 6)),
            p(
                "装卸站台",
                1000.0,
                2.0,
                [0.0, 0.0, 0.0, 0.015],
                400.0,
                (0, 1),
            ),
        ],
    },
    IndustryDef {
        code: "textile",
        word: "印染",
        share: 0.12,
        districts: Some([0.35, 0.05, 0.02, 0.2, 0.2, 0.05, 0.1, 0.03]),
        grades: NONKEY_GRADES,
        processes: &[
            p(
                "印染定型",
                30.0,
                8.0,
                [0.0, 0.0, 0.01, 0.012],
                7000.0,
                (1, 3),
            ),
            p(
                "燃气锅炉",
                10.0,
                2.0,
                [0.002, 0.02, 0.002, 0.0],
                1500.0,
                (0, 1),
            ),
        ],
    },
    IndustryDef {
        code: "boiler_coal",
        word: "热电",
        share: 0.0,
        districts: Some([0.3, 0.25, 0.0, 0.1, 0.15, 0.0, 0.2, 0.0]),
        grades: NONKEY_GRADES,
        processes: &[p(
            "燃煤锅炉",
            300.0,
            8.0,
            [0.12, 0.15, 0.03, 0.0],
            9000.0,
            (1, 2),
        )],
    },
    IndustryDef {
        code: "boiler_gas",
        word: "供热",
        share: 0.0,
        districts: None,
        grades: NONKEY_GRADES,
        processes: &[p(
            "燃气锅炉",
            20.0,
            3.0,
            [0.003, 0.03, 0.003, 0.0],
            2000.0,
            (1, 2),
        )],
    },
    IndustryDef {
        code: "boiler_biomass",
        word: "生物质能源",
        share: 0.0,
        districts: Some([0.2, 0.3, 0.0, 0.15, 0.15, 0.05, 0.15, 0.0]),
        grades: NONKEY_GRADES,
        processes: &[p(
            "生物质锅炉",
            40.0,
            2.0,
            [0.01, 0.04, 0.02, 0.0],
            1500.0,
            (1, 1),
        )],
    },
    IndustryDef {
        code: "power",
        word: "电力",
        share: 0.002,
        districts: Some([0.4, 0.2, 0.0, 0.1, 0.1, 0.0, 0.2, 0.0]),
        grades: NONKEY_GRADES,
        processes: &[p(
            "燃煤机组",
            6000.0,
            220.0,
            [0.6, 1.1, 0.15, 0.0],
            150000.0,
            (1, 3),
        )],
    },
    IndustryDef {
        code: "incineration",
        word: "环保能源",
        share: 0.001,
        districts: None,
        grades: NONKEY_GRADES,
        processes: &[p(
            "焚烧炉",
            800.0,
            25.0,
            [0.05, 0.3, 0.02, 0.0],
            40000.0,
            (1, 3),
        )],
    },
    IndustryDef {
        code: "other",
        word: "实业",
        share: 0.3535,
        districts: None,
        grades: NONKEY_GRADES,
        processes: &[p(
            "生产线",
            100.0,
            5.0,
            [0.002, 0.004, 0.006, 0.004],
            3000.0,
            (1, 3),
        )],
    },
];

/// The 15 VOC industrial clusters (item 17): name, district index, industry code.
const CLUSTERS: [(&str, usize, &str); 15] = [
    ("锡山区鹅湖镇包装印刷产业集群", 3, "printing"),
    ("锡山区东港镇化纤印染产业集群", 3, "textile"),
    ("江阴市周庄镇化纤纺织产业集群", 0, "textile"),
    ("江阴市临港化工产业集群", 0, "chemicals"),
    ("江阴市新桥镇纺织印染产业集群", 0, "textile"),
    ("宜兴市官林镇电线电缆涂装产业集群", 1, "coating"),
    ("宜兴市和桥镇化工产业集群", 1, "chemicals"),
    ("惠山区洛社镇机械涂装产业集群", 4, "coating"),
    ("惠山区长安街道家具制造产业集群", 4, "furniture"),
    ("新吴区硕放工业涂装产业集群", 6, "coating"),
    ("新吴区梅村橡胶制品产业集群", 6, "rubber"),
    ("滨湖区胡埭镇机械涂装产业集群", 5, "coating"),
    ("梁溪区印刷包装产业集群", 2, "printing"),
    ("经开区汽车零部件涂装产业集群", 7, "coating"),
    ("锡山区羊尖镇家具制造产业集群", 3, "furniture"),
];

/// Industrial share of whole-society emissions (SO2, NOx, PM, VOCs).
const INDUSTRY_SHARE: [f64; 4] = [0.75, 0.50, 0.45, 0.60];

const NAME_WORDS: [&str; 40] = [
    "恒", "泰", "华", "兴", "盛", "达", "源", "宏", "瑞", "丰", "昌", "隆", "鑫", "永", "联", "新",
    "博", "创", "嘉", "润", "锦", "金", "宝", "立", "和", "信", "诚", "远", "通", "海", "天", "成",
    "德", "安", "富", "康", "明", "光", "科", "顺",
];

/// Generated dataset files as (file name, contents).
pub struct Dataset {
    /// Files in writing order.
    pub files: Vec<(String, String)>,
    /// Number of enterprises.
    pub enterprises: usize,
    /// Number of lines.
    pub lines: usize,
}

pub(crate) fn org_code(rng: &mut Rng) -> String {
    // GB 11714 organisation code: 8 characters + check character.
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let body: Vec<u8> = (0..8)
        .map(|i| {
            if i < 2 {
                *rng.pick(&ALPHABET[10..])
            } else {
                *rng.pick(&ALPHABET[..10])
            }
        })
        .collect();
    let val = |c: u8| {
        if c.is_ascii_digit() {
            (c - b'0') as u32
        } else {
            (c - b'A') as u32 + 10
        }
    };
    let sum: u32 = body.iter().zip(W).map(|(&c, w)| val(c) * w).sum();
    let check = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        v => char::from_digit(v, 10).expect("digit"),
    };
    format!("{}{check}", String::from_utf8(body).expect("ascii"))
}

fn fmt_num(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Generate a synthetic city of about `n` enterprises from `seed`.
pub fn generate(n: usize, seed: u64) -> Dataset {
    let mut rng = Rng::new(seed);
    let scale = n as f64 / 4000.0;
    // Firm counts per industry; boilers are set by the plan's counts (item 19), scaled.
    let mut counts: Vec<usize> = INDUSTRIES
        .iter()
        .map(|i| (i.share * n as f64).round() as usize)
        .collect();
    let fixed = [
        ("boiler_coal", 50.0),
        ("boiler_gas", 120.0),
        ("boiler_biomass", 49.0),
    ];
    for (code, c) in fixed {
        let i = INDUSTRIES
            .iter()
            .position(|d| d.code == code)
            .expect("industry");
        counts[i] = ((c * scale).round() as usize).max(usize::from(n >= 50));
    }
    let other = INDUSTRIES
        .iter()
        .position(|d| d.code == "other")
        .expect("other");
    let assigned: usize = counts
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != other)
        .map(|(_, c)| c)
        .sum();
    counts[other] = n.saturating_sub(assigned);

    let mut ent_csv = String::from(
        "统一社会信用代码,企业名称,区县,行业,绩效等级,豁免,豁免原因,保障类,保障最低负荷,产业集群\n",
    );
    let mut line_csv = String::from(
        "生产线编号,统一社会信用代码,生产线名称,工序,核定产能,许可产能,上年日均产量,日产值(万元),二氧化硫(t/d),氮氧化物(t/d),颗粒物(t/d),挥发性有机物(t/d),日用电量(kWh),状态\n",
    );
    let mut opt_csv = String::from("生产线编号,措施编号,措施内容,二氧化硫减排比例,氮氧化物减排比例,颗粒物减排比例,挥发性有机物减排比例,产值损失比例,整线停产,核查用电比例\n");
    let mut district_em = [[0.0f64; 4]; 8];
    let mut seq = 0usize;
    let mut line_count = 0usize;
    let mut cluster_budget = ((622.0 * scale).round() as usize).min(n);
    let grades = ["A", "引领性", "B", "B-", "C", "D", ""];
    let mut used_codes = std::collections::HashSet::new();
    for (ii, ind) in INDUSTRIES.iter().enumerate() {
        for _ in 0..counts[ii] {
            seq += 1;
            let dw: Vec<f64> = match ind.districts {
                Some(w) => w.to_vec(),
                None => DISTRICTS.iter().map(|d| d.weight).collect(),
            };
            let di = rng.weighted(&dw);
            let d = &DISTRICTS[di];
            let code = loop {
                let first17 = format!("91{}{}", d.admin, org_code(&mut rng));
                let c = CreditCode::complete(&first17).expect("valid alphabet");
                if used_codes.insert(c.clone()) {
                    break c;
                }
            };
            let name = format!(
                "{}{}{}{}（样例{seq:05}）有限公司",
                d.short,
                rng.pick(&NAME_WORDS),
                rng.pick(&NAME_WORDS),
                ind.word
            );
            let grade = grades[rng.weighted(&ind.grades)];
            let guarantee_prob = match ind.code {
                "power" | "incineration" => 0.9,
                "boiler_gas" | "boiler_coal" | "boiler_biomass" => 0.35,
                "pharma" => 0.08,
                _ => 0.0,
            };
            let guarantee = rng.chance(guarantee_prob);
            let min_load = if guarantee {
                fmt_num(rng.range(0.4, 0.8), 2)
            } else {
                String::new()
            };
            let (exempt, reason) = if grade == "A" && rng.chance(0.7) {
                ("是", "A级企业")
            } else if grade == "引领性" && rng.chance(0.6) {
                ("是", "引领性企业")
            } else if guarantee && rng.chance(0.3) {
                ("是", "民生保障")
            } else if rng.chance(0.002) {
                ("是", "")
            } else {
                ("否", "")
            };
            let cluster = if cluster_budget > 0 {
                CLUSTERS
                    .iter()
                    .find(|(_, cd, ci)| *cd == di && *ci == ind.code)
                    .filter(|_| rng.chance(0.6))
                    .map(|(c, _, _)| {
                        cluster_budget -= 1;
                        *c
                    })
                    .unwrap_or("")
            } else {
                ""
            };
            let _ = writeln!(
                ent_csv,
                "{code},{name},{},{},{grade},{exempt},{reason},{},{min_load},{cluster}",
                d.name,
                ind.code,
                if guarantee { "是" } else { "否" }
            );

            let mut ln = 0;
            let firm_size = rng.spread();
            for proc_ in ind.processes {
                let k = rng.int(proc_.count.0, proc_.count.1);
                let k = if ln == 0 && k == 0 && std::ptr::eq(proc_, &ind.processes[0]) {
                    1
                } else {
                    k
                };
                for j in 0..k {
                    ln += 1;
                    line_count += 1;
                    let size = firm_size * (0.8 + 0.4 * rng.unit());
                    let approved = proc_.capacity * size;
                    let permitted = if rng.chance(0.8) {
                        let f = if rng.chance(0.02) {
                            rng.range(0.85, 0.97)
                        } else {
                            rng.range(1.0, 1.1)
                        };
                        fmt_num(approved * f, 1)
                    } else {
                        String::new()
                    };
                    let last_year = if rng.chance(0.9) {
                        fmt_num(approved * rng.range(0.55, 1.0), 1)
                    } else {
                        String::new()
                    };
                    let idle = rng.chance(0.03);
                    let eff = rng.spread();
                    let mut em = [0.0; 4];
                    for (pi, e) in proc_.emissions.iter().enumerate() {
                        em[pi] = if idle && rng.chance(0.85) {
                            0.0
                        } else {
                            e * size * (0.7 + 0.6 * eff)
                        };
                        district_em[di][pi] += if idle { 0.0 } else { em[pi] };
                    }
                    let value = proc_.value * size * rng.range(0.7, 1.3);
                    let elec = proc_.electricity * size * rng.range(0.8, 1.2);
                    let id = format!("L{seq:05}-{ln:02}");
                    let lname = if k > 1 {
                        format!("{}{}号线", proc_.name, j + 1)
                    } else {
                        proc_.name.to_string()
                    };
                    let _ = writeln!(
                        line_csv,
                        "{id},{code},{lname},{},{},{permitted},{last_year},{},{},{},{},{},{},{}",
                        proc_.name,
                        fmt_num(approved, 1),
                        fmt_num(value, 3),
                        fmt_num(em[0], 5),
                        fmt_num(em[1], 5),
                        fmt_num(em[2], 5),
                        fmt_num(em[3], 5),
                        fmt_num(elec, 0),
                        if idle { "停产" } else { "在产" }
                    );
                    if (proc_.name == "涂装线" || proc_.name == "喷涂") && !idle && rng.chance(0.08)
                    {
                        let _ = writeln!(
                            opt_csv,
                            "{id},COAT-STOP,停用喷涂工位，保留前处理和装配,0,0,0.5,0.8,0.3,否,0.75"
                        );
                    }
                }
            }
        }
    }
    let mut dist_csv =
        String::from("区县,二氧化硫(t/d),氮氧化物(t/d),颗粒物(t/d),挥发性有机物(t/d)\n");
    for (di, d) in DISTRICTS.iter().enumerate() {
        let soc: Vec<String> = (0..4)
            .map(|pi| {
                let share = INDUSTRY_SHARE[pi] * rng.range(0.85, 1.15);
                fmt_num((district_em[di][pi] / share).max(0.001), 3)
            })
            .collect();
        let _ = writeln!(dist_csv, "{},{}", d.name, soc.join(","));
    }
    Dataset {
        files: vec![
            ("districts.csv".into(), dist_csv),
            ("enterprises.csv".into(), ent_csv),
            ("lines.csv".into(), line_csv),
            ("options.csv".into(), opt_csv),
        ],
        enterprises: seq,
        lines: line_count,
    }
}
