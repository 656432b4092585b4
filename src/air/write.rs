//! The air estimate as a table (one row per station plus the city mean and the worst station),
//! `air.csv`, `air.json` and the text printed by `jianpai air`.

use super::check::{TargetResult, CHECK_ONLY_EN, CHECK_ONLY_ZH};
use super::evaluate::{AirResult, SpeciesResult};
use crate::domain::Level;
use crate::io::cells::CsvOut;
use crate::report::html::Cell;
use crate::report::Labels;
use serde::Serialize;

/// How many contributors a table cell lists.
const LISTED: usize = 3;

/// 筛查估算 / screening estimate, or empty for a modelled matrix.
pub fn basis(result: &AirResult, t: Labels) -> &'static str {
    if result.screening {
        t.t(
            "筛查估算（示意，非空气质量模型结果）",
            "screening estimate (illustrative, not an air-quality model run)",
        )
    } else {
        t.t("源受体传输矩阵", "source–receptor matrix")
    }
}

/// Headers of the station table.
pub fn headers(sp: &SpeciesResult, t: Labels) -> Vec<String> {
    let unit = format!(
        "{} {}（µg/m³）",
        sp.species.label(),
        t.t("降幅", "reduction")
    );
    let mut h = vec![
        t.t("站点编号", "Station id").to_string(),
        t.t("站点名称", "Station").to_string(),
        t.t("站点类型", "Kind").to_string(),
    ];
    h.extend(Level::ALL.map(|l| format!("{} {unit}", t.level(l))));
    h.push(format!(
        "{}{}",
        t.level(Level::Red),
        t.t("主要贡献企业（µg/m³）", ": largest contributors (µg/m³)")
    ));
    h
}

/// Rows of the station table: every station, then the city mean and the worst station.
pub fn rows(sp: &SpeciesResult, t: Labels) -> Vec<Vec<Cell>> {
    let mut out: Vec<Vec<Cell>> = sp
        .stations
        .iter()
        .map(|s| {
            let mut r = vec![
                Cell::Text(s.id.clone()),
                Cell::Text(s.name.clone()),
                Cell::Text(s.kind.label(t.english).into()),
            ];
            r.extend(s.levels.iter().map(|l| Cell::Num(l.reduction, 2)));
            let red = &s.levels[Level::Red.index()];
            r.push(Cell::Text(
                red.top
                    .iter()
                    .take(LISTED)
                    .map(|c| format!("{} {:.2}", c.name, c.reduction))
                    .collect::<Vec<_>>()
                    .join(t.t("；", "; ")),
            ));
            r
        })
        .collect();
    let mut mean = vec![
        Cell::Text(String::new()),
        Cell::Text(t.t("全市站点均值", "Mean of stations").into()),
        Cell::Text(String::new()),
    ];
    mean.extend(sp.levels.iter().map(|l| Cell::Num(l.mean, 2)));
    mean.push(Cell::Text(String::new()));
    out.push(mean);
    let mut worst = vec![
        Cell::Text(String::new()),
        Cell::Text(t.t("最差站点", "Worst station").into()),
        Cell::Text(String::new()),
    ];
    worst.extend(sp.levels.iter().map(|l| Cell::Num(l.worst, 2)));
    worst.push(Cell::Text(
        sp.levels
            .iter()
            .map(|l| {
                format!(
                    "{} {}",
                    t.level_short(l.level),
                    station_name(sp, &l.worst_station)
                )
            })
            .collect::<Vec<_>>()
            .join(" · "),
    ));
    out.push(worst);
    out
}

fn station_name<'a>(sp: &'a SpeciesResult, id: &'a str) -> &'a str {
    sp.stations
        .iter()
        .find(|s| s.id == id)
        .map_or(id, |s| s.name.as_str())
}

/// A cell as text (numbers with their decimals, no separators).
fn plain(c: &Cell) -> String {
    match c {
        Cell::Text(s) => s.clone(),
        Cell::Num(v, d) => format!("{:.*}", *d, v + 0.0),
    }
}

/// `air.csv`: one block per species, with the basis on the first line.
pub fn to_csv(result: &AirResult, targets: &[TargetResult], t: Labels) -> Vec<u8> {
    // Blocks of different widths in one file: every record padded to the widest.
    let mut records: Vec<Vec<String>> = Vec::new();
    for sp in &result.species {
        records.push(vec![format!(
            "{}：{}",
            t.t("依据", "Basis"),
            basis(result, t)
        )]);
        records.push(headers(sp, t));
        records.extend(rows(sp, t).iter().map(|r| r.iter().map(plain).collect()));
    }
    if !targets.is_empty() {
        records.push(target_headers(t));
        records.extend(
            target_rows(targets, t)
                .iter()
                .map(|r| r.iter().map(plain).collect()),
        );
    }
    let width = records.iter().map(Vec::len).max().unwrap_or(0);
    let mut w = CsvOut::with_bom();
    for mut r in records {
        r.resize(width, String::new());
        w.row(r);
    }
    w.into_bytes()
}

/// Headers of the station-target table.
pub fn target_headers(t: Labels) -> Vec<String> {
    [
        t.t("站点目标", "Station target"),
        t.t("要求降幅（µg/m³）", "Required (µg/m³)"),
        t.t("核算降幅（µg/m³）", "Estimated (µg/m³)"),
        t.t("是否达标", "Met"),
        t.t("边际损失（万元/(µg/m³)）", "10k yuan per µg/m³"),
        t.t("说明", "Note"),
    ]
    .map(String::from)
    .to_vec()
}

/// Rows of the station-target table.
pub fn target_rows(targets: &[TargetResult], t: Labels) -> Vec<Vec<Cell>> {
    targets
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.row.clone()),
                Cell::Num(r.required, 2),
                Cell::Num(r.achieved, 2),
                Cell::Text(t.yes_no(r.met).into()),
                r.marginal_loss_per_ugm3
                    .map_or_else(|| Cell::Text("—".into()), |v| Cell::Num(v, 2)),
                Cell::Text(t.t(CHECK_ONLY_ZH, CHECK_ONLY_EN).into()),
            ]
        })
        .collect()
}

/// `air.json`.
#[derive(Debug, Serialize)]
pub struct AirJson<'a> {
    /// 筛查估算 / matrix.
    pub basis: &'a str,
    /// The estimate.
    #[serde(flatten)]
    pub result: &'a AirResult,
    /// Station targets as checked.
    pub station_targets: &'a [TargetResult],
    /// How the station targets are obtained (enforced by the optimiser, verified from the list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub station_targets_note: Option<&'a str>,
}

/// `air.json` bytes (keys in English, deterministic order).
pub fn to_json(result: &AirResult, targets: &[TargetResult], t: Labels) -> String {
    serde_json::to_string_pretty(&AirJson {
        basis: basis(result, t),
        result,
        station_targets: targets,
        station_targets_note: (!targets.is_empty()).then(|| t.t(CHECK_ONLY_ZH, CHECK_ONLY_EN)),
    })
    .expect("json")
}

/// The text printed by `jianpai air`: the basis, the table, and the targets.
pub fn to_text(result: &AirResult, targets: &[TargetResult], t: Labels) -> String {
    let mut o = format!("{}：{}\n", t.t("依据", "Basis"), basis(result, t));
    if let Some(w) = &result.weather {
        o.push_str(&format!("{}：{w}\n", t.t("天气类型", "Weather type")));
    }
    for sp in &result.species {
        o.push('\n');
        o.push_str(&headers(sp, t).join("\t"));
        o.push('\n');
        for r in rows(sp, t) {
            o.push_str(&r.iter().map(plain).collect::<Vec<_>>().join("\t"));
            o.push('\n');
        }
        let uncovered: f64 = sp
            .stations
            .iter()
            .flat_map(|s| &s.levels)
            .map(|l| l.uncovered_cut)
            .fold(0.0, f64::max);
        if uncovered > 0.0 {
            o.push_str(&format!(
                "{} {:.3} {}\n",
                t.t(
                    "注意：矩阵未覆盖的削减量最多",
                    "Note: cut not covered by the matrix, up to"
                ),
                uncovered,
                t.t("吨/日（不计入）", "t/d (not counted)")
            ));
        }
    }
    if !targets.is_empty() {
        o.push('\n');
        o.push_str(&target_headers(t).join("\t"));
        o.push('\n');
        for r in target_rows(targets, t) {
            o.push_str(&r.iter().map(plain).collect::<Vec<_>>().join("\t"));
            o.push('\n');
        }
    }
    o
}
