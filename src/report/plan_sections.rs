//! The sections of a plan report: targets (achieved against required), losses by district,
//! industry and grade, and the list itself (standard layout, district, exempt and guarantee
//! sheets).

use super::html::{table, text, Cell};
use super::labels::level_colour;
use super::plan_data::{GroupView, ListLine, PlanData};
use super::svg::{grouped_bars, Series};
use super::xlsx::{
    col, display_width, filter, fit_height, grouped, header, sheet_name, Column, Formats,
};
use super::{Labels, Section};
use crate::domain::{Level, Pollutant};
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;

/// The sections of a plan report, in page order.
pub fn sections(data: &PlanData) -> Vec<Box<dyn Section + '_>> {
    vec![
        Box::new(Targets(data)),
        Box::new(Losses(data)),
        Box::new(List(data)),
    ]
}

/// Lines under the page title: status, method, loss, bound and gap.
pub fn subtitle(d: &PlanData, t: Labels) -> Vec<String> {
    let s = &d.summary;
    let money = |v: Option<f64>| v.map_or("—".into(), |x| super::html::fixed(x, 2));
    let mut lines = vec![
        format!("{}{}", t.t("求解状态：", "Status: "), status_text(d, t)),
        format!(
            "{} {}  ·  {} {}  ·  {} {}",
            t.t("预期季度损失（万元）", "Expected season loss (10k yuan)"),
            money(s.objective),
            t.t("下界", "bound"),
            money(s.bound),
            t.t("间隙", "gap"),
            s.gap.map_or("—".into(), |g| format!("{:.4}%", g * 100.0))
        ),
    ];
    lines.extend(s.fairness.as_ref().map(|f| f.line(t)));
    lines
}

/// The status message in the report's language.
fn status_text(d: &PlanData, t: Labels) -> String {
    let m = &d.summary.status_message;
    match m.split_once(" / ") {
        Some((zh, en)) => t.t(zh, en).to_string(),
        None if m.is_empty() => d.summary.status.clone(),
        None => m.clone(),
    }
}

/// Achieved against required, per level × pollutant.
struct Targets<'a>(&'a PlanData);

impl Targets<'_> {
    fn rows(&self) -> Vec<(Level, Pollutant, &super::plan_data::TargetView)> {
        let mut out = Vec::new();
        for l in Level::ALL {
            let Some(lv) = self.0.summary.levels.get(l.key()) else {
                continue;
            };
            for p in Pollutant::ALL {
                if let Some(tv) = lv.city.get(p.label()) {
                    out.push((l, p, tv));
                }
            }
        }
        out
    }
    /// District targets (when the scenario enforces them): level, district, pollutant, target.
    fn district_rows(&self) -> Vec<(Level, &str, Pollutant, &super::plan_data::TargetView)> {
        let mut out = Vec::new();
        for l in Level::ALL {
            let Some(lv) = self.0.summary.levels.get(l.key()) else {
                continue;
            };
            for (district, targets) in &lv.districts {
                for p in Pollutant::ALL {
                    if let Some(tv) = targets.get(p.label()) {
                        out.push((l, district.as_str(), p, tv));
                    }
                }
            }
        }
        out
    }
    fn district_headers(t: Labels) -> Vec<String> {
        [
            t.t("预警级别", "Level"),
            t.t("区县", "District"),
            t.t("污染物", "Pollutant"),
            t.t("要求减排量（吨/日）", "Required cut (t/d)"),
            t.t("清单减排量（吨/日）", "Cut by the list (t/d)"),
            t.t("合计减排量（吨/日）", "Total cut (t/d)"),
            t.t("是否达标", "Met"),
        ]
        .map(String::from)
        .to_vec()
    }
    fn headers(t: Labels) -> Vec<String> {
        [
            t.t("预警级别", "Level"),
            t.t("污染物", "Pollutant"),
            t.t("全社会排放量（吨/日）", "Whole-society emissions (t/d)"),
            t.t("要求比例", "Required share"),
            t.t("要求减排量（吨/日）", "Required cut (t/d)"),
            t.t("其他领域减排量（吨/日）", "Other-sector credits (t/d)"),
            t.t("清单减排量（吨/日）", "Cut by the list (t/d)"),
            t.t("合计减排量（吨/日）", "Total cut (t/d)"),
            t.t("是否达标", "Met"),
        ]
        .map(String::from)
        .to_vec()
    }
}

impl Section for Targets<'_> {
    fn id(&self) -> &'static str {
        "targets"
    }
    fn title(&self, t: Labels) -> String {
        t.t("减排目标完成情况", "Targets: achieved against required")
            .into()
    }
    fn html(&self, t: Labels) -> String {
        let d = self.0;
        let mut o = String::from("<div class=\"cards\">");
        let controlled = |l: Level| total(&d.summary.by_grade, l);
        for l in Level::ALL {
            let g = controlled(l);
            let _ = write!(
                o,
                "<div class=\"card\" style=\"border-top:4px solid {}\">{}<b>{} {}</b>{} {} · {} {}</div>",
                level_colour(l),
                super::svg::esc(&t.level(l)),
                super::html::fixed(g.loss_per_day, 1),
                t.t("万元/日", "10k yuan/d"),
                g.enterprises_controlled,
                t.t("家企业管控", "firms controlled"),
                g.lines_controlled,
                t.t("条生产线", "lines"),
            );
        }
        o.push_str("</div><div class=\"charts\">");
        let rows = self.rows();
        for p in Pollutant::ALL {
            let of = |f: fn(&super::plan_data::TargetView) -> f64| -> Vec<f64> {
                Level::ALL
                    .iter()
                    .map(|l| {
                        rows.iter()
                            .find(|r| r.0 == *l && r.1 == p)
                            .map_or(0.0, |r| f(r.2))
                    })
                    .collect()
            };
            o.push_str(&grouped_bars(
                &format!("{} {}", t.pollutant(p), t.t("减排量", "cut")),
                t.t("吨/日", "t/d"),
                &Level::ALL.map(|l| t.level_short(l).to_string()),
                &[
                    Series {
                        name: t.t("要求", "required").into(),
                        colour: "#9aa5b1".into(),
                        values: of(|v| v.required),
                    },
                    Series {
                        name: t.t("清单", "by the list").into(),
                        colour: "#2e75b6".into(),
                        values: of(|v| v.achieved_by_lines),
                    },
                    Series {
                        name: t.t("合计", "total").into(),
                        colour: "#1b7f3b".into(),
                        values: of(|v| v.achieved),
                    },
                ],
            ));
        }
        o.push_str("</div>");
        let body: Vec<Vec<Cell>> = rows
            .iter()
            .map(|(l, p, v)| {
                vec![
                    text(t.level_short(*l)),
                    text(t.pollutant(*p)),
                    Cell::Num(v.base, 3),
                    Cell::Num(v.ratio * 100.0, 1),
                    Cell::Num(v.required, 3),
                    Cell::Num(v.credit, 3),
                    Cell::Num(v.achieved_by_lines, 3),
                    Cell::Num(v.achieved, 3),
                    text(t.yes_no(v.met)),
                ]
            })
            .collect();
        let mut h = Self::headers(t);
        h[3] = t.t("要求比例（%）", "Required share (%)").into();
        o.push_str(&table(&h, &body, false));
        let districts = self.district_rows();
        if !districts.is_empty() {
            let body: Vec<Vec<Cell>> = districts
                .iter()
                .map(|(l, district, p, v)| {
                    vec![
                        text(t.level_short(*l)),
                        text(*district),
                        text(t.pollutant(*p)),
                        Cell::Num(v.required, 3),
                        Cell::Num(v.achieved_by_lines, 3),
                        Cell::Num(v.achieved, 3),
                        text(t.yes_no(v.met)),
                    ]
                })
                .collect();
            let _ = write!(o, "<h3>{}</h3>", t.t("区县目标", "District targets"));
            o.push_str(&table(&Self::district_headers(t), &body, true));
        }
        o
    }
    fn sheets(&self, wb: &mut Workbook, f: &Formats, t: Labels) -> Result<(), XlsxError> {
        let d = self.0;
        let s = &d.summary;
        let ws = wb.add_worksheet();
        ws.set_name(t.t("汇总", "Summary"))?;
        super::xlsx::page_setup(ws, super::xlsx::A3);
        ws.write_string_with_format(0, 0, &s.scenario, &f.title)?;
        ws.set_row_height(0, 24)?;
        let mut info: Vec<(&str, String)> = vec![
            (t.t("求解状态", "Status"), status_text(d, t)),
            (t.t("求解方法", "Method"), s.method.clone()),
            (
                t.t("预期季度损失（万元）", "Expected season loss (10k yuan)"),
                opt(s.objective),
            ),
            (
                t.t("已证明下界（万元）", "Proven bound (10k yuan)"),
                opt(s.bound),
            ),
            (
                t.t("相对间隙", "Relative gap"),
                s.gap.map_or("—".into(), |g| format!("{:.4}%", g * 100.0)),
            ),
            (
                t.t(
                    "预计预警天数（黄/橙/红）",
                    "Expected warning days (yellow/orange/red)",
                ),
                Level::ALL
                    .map(|l| s.days.get(l.key()).map_or("—".into(), |v| v.to_string()))
                    .join(" / "),
            ),
        ];
        if let Some(fair) = &s.fairness {
            info.push((t.t("公平代价", "Price of fairness"), fair.line(t)));
        }
        for (i, (k, v)) in info.iter().enumerate() {
            ws.write_string_with_format(1 + i as u32, 0, *k, &f.label)?;
            ws.merge_range(1 + i as u32, 1, 1 + i as u32, 4, v, &f.text)?;
        }
        let top = 2 + info.len() as u32;
        let heads = Self::headers(t);
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(top, c as u16, h, &f.header)?;
        }
        for (c, w) in [24.0, 10.0, 16.0, 10.0, 14.0, 16.0, 14.0, 14.0, 10.0]
            .iter()
            .enumerate()
        {
            ws.set_column_width(c as u16, *w)?;
        }
        ws.set_row_height(top, 32)?;
        for (i, (l, p, v)) in self.rows().iter().enumerate() {
            let r = top + 1 + i as u32;
            ws.write_string_with_format(r, 0, t.level(*l), &f.text)?;
            ws.write_string_with_format(r, 1, t.pollutant(*p), &f.text)?;
            ws.write_number_with_format(r, 2, v.base, &f.tonnes)?;
            ws.write_number_with_format(r, 3, v.ratio, &f.pct)?;
            ws.write_number_with_format(r, 4, v.required, &f.tonnes)?;
            ws.write_number_with_format(r, 5, v.credit, &f.tonnes)?;
            ws.write_number_with_format(r, 6, v.achieved_by_lines, &f.tonnes)?;
            ws.write_number_with_format(r, 7, v.achieved, &f.tonnes)?;
            ws.write_string_with_format(
                r,
                8,
                t.yes_no(v.met),
                if v.met { &f.text } else { &f.bad },
            )?;
        }
        let mut r = top + 2 + self.rows().len() as u32;
        ws.set_row_height(r, 32)?;
        for (c, h) in [
            t.t("预警级别", "Level"),
            t.t("管控企业数", "Firms controlled"),
            t.t("管控生产线数", "Lines controlled"),
            t.t("产值损失（万元/日）", "Loss (10k yuan/d)"),
        ]
        .iter()
        .enumerate()
        {
            ws.write_string_with_format(r, c as u16, *h, &f.header)?;
        }
        for l in Level::ALL {
            r += 1;
            let g = total(&s.by_grade, l);
            ws.write_string_with_format(r, 0, t.level(l), &f.text)?;
            ws.write_number_with_format(r, 1, g.enterprises_controlled as f64, &f.int)?;
            ws.write_number_with_format(r, 2, g.lines_controlled as f64, &f.int)?;
            ws.write_number_with_format(r, 3, g.loss_per_day, &f.money)?;
        }
        if let Some(p) = &s.provenance {
            r += 2;
            ws.write_string_with_format(
                r,
                0,
                t.t("来源（输入文件 SHA-256）", "Provenance (input SHA-256)"),
                &f.label,
            )?;
            for line in crate::io::provenance::footer_lines(p, t.english) {
                r += 1;
                ws.merge_range(r, 0, r, 8, &line, &f.text)?;
            }
        }
        let districts = self.district_rows();
        if districts.is_empty() {
            return Ok(());
        }
        let ws = wb.add_worksheet();
        ws.set_name(t.t("区县目标", "District targets"))?;
        let cols: Vec<Column> = Self::district_headers(t)
            .iter()
            .zip([12.0, 10.0, 10.0, 16.0, 16.0, 16.0, 10.0])
            .map(|(h, w)| col(h, w))
            .collect();
        let first = header(ws, f, &self.title(t), &cols, 0)?;
        for (i, (l, district, p, v)) in districts.iter().enumerate() {
            let r = first + i as u32;
            ws.write_string_with_format(r, 0, t.level(*l), &f.text)?;
            ws.write_string_with_format(r, 1, *district, &f.text)?;
            ws.write_string_with_format(r, 2, t.pollutant(*p), &f.text)?;
            ws.write_number_with_format(r, 3, v.required, &f.tonnes)?;
            ws.write_number_with_format(r, 4, v.achieved_by_lines, &f.tonnes)?;
            ws.write_number_with_format(r, 5, v.achieved, &f.tonnes)?;
            let fmt = if v.met { &f.text } else { &f.bad };
            ws.write_string_with_format(r, 6, t.yes_no(v.met), fmt)?;
        }
        filter(ws, first, districts.len(), cols.len())
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or("—".into(), |x| super::html::fixed(x, 2))
}

/// Sum of group totals at a level (every line is in exactly one grade group).
fn total(groups: &indexmap::IndexMap<String, BTreeMap<String, GroupView>>, l: Level) -> GroupView {
    let mut g = GroupView::default();
    for v in groups.get(l.key()).into_iter().flat_map(|m| m.values()) {
        g.enterprises_controlled += v.enterprises_controlled;
        g.lines_controlled += v.lines_controlled;
        g.loss_per_day += v.loss_per_day;
    }
    g
}

/// Loss by district, industry and grade.
struct Losses<'a>(&'a PlanData);

/// Grouping of the loss section: summary key, Chinese and English titles.
type Grouping<'a> = (
    &'a indexmap::IndexMap<String, BTreeMap<String, GroupView>>,
    &'static str,
    &'static str,
);

impl Losses<'_> {
    fn groupings(&self) -> [Grouping<'_>; 3] {
        let s = &self.0.summary;
        [
            (&s.by_district, "区县", "District"),
            (&s.by_industry, "行业", "Industry"),
            (&s.by_grade, "绩效等级", "Grade"),
        ]
    }
    /// Groups sorted by red-level loss (largest first), with their display names.
    fn groups(
        &self,
        map: &indexmap::IndexMap<String, BTreeMap<String, GroupView>>,
        industry: bool,
        t: Labels,
    ) -> Vec<(String, [GroupView; 3])> {
        let mut keys: Vec<&String> = map.values().flat_map(|m| m.keys()).collect();
        keys.sort();
        keys.dedup();
        let mut out: Vec<(String, [GroupView; 3])> = keys
            .into_iter()
            .map(|k| {
                let name = if industry {
                    self.0.industry(k, t.english)
                } else if t.english {
                    crate::domain::Grade::parse(k).map_or(k.clone(), |g| t.grade(g).into())
                } else {
                    k.clone()
                };
                let per = Level::ALL.map(|l| {
                    map.get(l.key())
                        .and_then(|m| m.get(k))
                        .cloned()
                        .unwrap_or_default()
                });
                (name, per)
            })
            .collect();
        out.sort_by(|a, b| b.1[2].loss_per_day.total_cmp(&a.1[2].loss_per_day));
        out
    }
}

impl Section for Losses<'_> {
    fn id(&self) -> &'static str {
        "losses"
    }
    fn title(&self, t: Labels) -> String {
        t.t("产值损失分布", "Production loss by group").into()
    }
    fn html(&self, t: Labels) -> String {
        let mut o = String::new();
        for (i, (map, zh, en)) in self.groupings().iter().enumerate() {
            let mut groups = self.groups(map, i == 1, t);
            let _ = write!(o, "<h3>{}</h3><div class=\"charts\">", t.t(zh, en));
            let shown = if groups.len() > 15 {
                &groups[..15]
            } else {
                &groups[..]
            };
            let series: Vec<Series> = Level::ALL
                .iter()
                .map(|l| Series {
                    name: t.level_short(*l).into(),
                    colour: level_colour(*l).into(),
                    values: shown.iter().map(|g| g.1[l.index()].loss_per_day).collect(),
                })
                .collect();
            let mut title = format!(
                "{}{}",
                t.t(zh, en),
                t.t("产值损失（万元/日）", ": loss (10k yuan/d)")
            );
            if groups.len() > 15 {
                title += t.t("（前15）", " (top 15)");
            }
            o.push_str(&grouped_bars(
                &title,
                t.t("万元/日", "10k yuan/d"),
                &shown.iter().map(|g| g.0.clone()).collect::<Vec<_>>(),
                &series,
            ));
            o.push_str("</div>");
            let mut heads = vec![t.t(zh, en).to_string()];
            for l in Level::ALL {
                heads.push(format!("{} {}", t.level_short(l), t.t("管控企业", "firms")));
                heads.push(format!(
                    "{} {}",
                    t.level_short(l),
                    t.t("损失（万元/日）", "loss (10k yuan/d)")
                ));
            }
            let rows: Vec<Vec<Cell>> = groups
                .drain(..)
                .map(|(name, per)| {
                    let mut r = vec![text(name)];
                    for g in per {
                        r.push(Cell::Num(g.enterprises_controlled as f64, 0));
                        r.push(Cell::Num(g.loss_per_day, 2));
                    }
                    r
                })
                .collect();
            o.push_str(&table(&heads, &rows, true));
        }
        o
    }
    fn sheets(&self, wb: &mut Workbook, f: &Formats, t: Labels) -> Result<(), XlsxError> {
        let ws = wb.add_worksheet();
        ws.set_name(t.t("损失分布", "Loss by group"))?;
        let mut cols = vec![
            col(t.t("分组", "Grouping"), 10.0),
            col(t.t("名称", "Name"), 20.0),
        ];
        for l in Level::ALL {
            let g = t.level(l);
            cols.push(grouped(&g, t.t("管控企业数", "Firms controlled"), 11.0));
            cols.push(grouped(&g, t.t("管控生产线数", "Lines controlled"), 11.0));
            cols.push(grouped(
                &g,
                t.t("损失（万元/日）", "Loss (10k yuan/d)"),
                14.0,
            ));
        }
        let first = header(ws, f, &self.title(t), &cols, 2)?;
        let mut r = first;
        for (i, (map, zh, en)) in self.groupings().iter().enumerate() {
            for (name, per) in self.groups(map, i == 1, t) {
                ws.write_string_with_format(r, 0, t.t(zh, en), &f.text)?;
                ws.write_string_with_format(r, 1, &name, &f.text)?;
                for (k, g) in per.iter().enumerate() {
                    let c = 2 + 3 * k as u16;
                    ws.write_number_with_format(r, c, g.enterprises_controlled as f64, &f.int)?;
                    ws.write_number_with_format(r, c + 1, g.lines_controlled as f64, &f.int)?;
                    ws.write_number_with_format(r, c + 2, g.loss_per_day, &f.money)?;
                }
                r += 1;
            }
        }
        filter(ws, first, (r - first) as usize, cols.len())
    }
}

// The list's columns are narrow and their texts wrapped, so that the 清单 sheet prints one A3
// page wide (landscape) with text no smaller than 6 pt (tests/print.rs): LibreOffice prints
// about 260 characters of column width (plus Excel's padding of 0.71 per column) that way.
/// Width of the measure columns of the list.
const MEASURE_WIDTH: f64 = 12.0;
/// Width of the verification indicator column of the list (wrapped).
const INDICATOR_WIDTH: f64 = 18.0;
/// Width of the remarks column of the list (wrapped).
const REMARKS_WIDTH: f64 = 10.0;
/// Width of the t/d columns of the list (3 decimals: `Formats::tonnes3`).
const TONNES_WIDTH: f64 = 6.0;
/// Widths of the enterprise columns (序号 … 绩效等级) of the firm lists and of the list.
const FIRM_WIDTHS: [f64; 6] = [6.0, 9.0, 36.0, 21.0, 12.0, 8.0];
const LIST_FIRM_WIDTHS: [f64; 6] = [4.0, 6.0, 14.0, 19.0, 7.0, 5.0];
/// Widths of the line name and process columns of the list (wrapped).
const LIST_LINE_WIDTHS: [f64; 2] = [9.0, 6.0];

/// The list in the standard layout, one sheet per district, the exempt and guarantee lists.
struct List<'a>(&'a PlanData);

/// The 核查指标 text of a line: expected daily electricity at each controlled level.
pub fn indicator(d: &PlanData, l: &ListLine, t: Labels) -> String {
    let parts: Vec<String> = Level::ALL
        .iter()
        .filter(|lv| l.levels[lv.index()].controlled())
        .filter_map(|lv| {
            let e = l.levels[lv.index()].electricity?;
            Some(format!(
                "{} {}",
                t.level_short(*lv),
                super::html::fixed(e, 0)
            ))
        })
        .collect();
    if parts.is_empty() {
        return t
            .t(
                "自愿减排，无强制核查指标",
                "voluntary: no mandatory indicator",
            )
            .into();
    }
    let base = d.line(l).baseline_electricity().0;
    format!(
        "{}{} kWh{}{} kWh{}{}",
        t.t("日用电量≤ ", "daily electricity ≤ "),
        parts.join(t.t("；", "; ")),
        t.t("（基准 ", " (baseline "),
        super::html::fixed(base, 0),
        t.t("）", ")"),
        evidence(l, t)
    )
}

/// What verifies the line's strongest measure, in plain Chinese (`；核查：…`; empty in English).
/// It holds no digits: the workbook reader takes the numbers of the text before it.
fn evidence(l: &ListLine, t: Labels) -> String {
    let strongest = Level::ALL
        .iter()
        .rev()
        .map(|lv| &l.levels[lv.index()])
        .find(|e| e.controlled())
        .and_then(|e| crate::domain::Measure::parse_code(&e.code));
    match strongest {
        Some(m) if !t.t("zh", "").is_empty() => {
            format!("；核查：{}", crate::audit::evidence_zh(&m))
        }
        _ => String::new(),
    }
}

/// Remarks of an enterprise: exemption, guarantee floor.
pub fn remarks(e: &crate::domain::Enterprise, t: Labels) -> String {
    let mut r = Vec::new();
    if let Some(why) = &e.exempt {
        r.push(format!("{}{}", t.t("豁免：", "exempt: "), why));
    }
    if let Some(m) = e.guarantee_min_load {
        r.push(format!(
            "{}{:.0}%",
            t.t("保障类，最低负荷 ", "livelihood guarantee, minimum load "),
            m.0 * 100.0
        ));
    }
    r.join(t.t("；", "; "))
}

/// The 备注 of a list row: the enterprise's remarks and the rules' notes on the line, each once
/// (a list read back from a workbook carries both in its note), then the reason of every measure
/// stricter than its rule minimum, by level.
fn list_remarks(e: &crate::domain::Enterprise, l: &ListLine, t: Labels) -> String {
    let mut parts: Vec<String> = Vec::new();
    let own = remarks(e, t);
    for p in own
        .split(t.t("；", "; "))
        .chain(l.note.split(['；', ';']).map(str::trim))
    {
        if !p.is_empty() && !parts.iter().any(|q| q == p) {
            parts.push(p.to_string());
        }
    }
    let mut out = parts.join(t.t("；", "; "));
    for r in level_reasons(l, t) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&r);
    }
    out
}

/// `橙色预警加严理由：…` for every level whose measure carries a reason.
pub fn level_reasons(l: &ListLine, t: Labels) -> Vec<String> {
    Level::ALL
        .iter()
        .zip(&l.levels)
        .filter(|(_, e)| !e.reason.is_empty())
        .map(|(lv, e)| {
            format!(
                "{}{}{}",
                t.level(*lv),
                t.t("加严理由：", " reason: "),
                e.reason
            )
        })
        .collect()
}

/// The first columns of every enterprise table: 序号, 区县, 企业名称, 统一社会信用代码, 行业, 绩效等级.
fn firm_columns(t: Labels, widths: [f64; 6]) -> Vec<Column> {
    [
        t.t("序号", "No."),
        t.t("区县", "District"),
        t.t("企业名称", "Enterprise"),
        t.t("统一社会信用代码", "Credit code"),
        t.t("行业", "Industry"),
        t.t("绩效等级", "Grade"),
    ]
    .into_iter()
    .zip(widths)
    .map(|(name, w)| col(name, w))
    .collect()
}

/// Write the cells of [`firm_columns`] in row `r`.
fn firm_cells(
    ws: &mut Worksheet,
    f: &Formats,
    t: Labels,
    d: &PlanData,
    r: u32,
    no: usize,
    e: &crate::domain::Enterprise,
) -> Result<(), XlsxError> {
    ws.write_number_with_format(r, 0, no as f64, &f.int)?;
    let texts = [
        e.district.clone(),
        e.name.clone(),
        e.code.to_string(),
        d.industry(&e.industry, t.english),
        t.grade(d.grade(e)).to_string(),
    ];
    for (c, s) in texts.iter().enumerate() {
        ws.write_string_with_format(r, 1 + c as u16, s, &f.wrap)?;
    }
    Ok(())
}

/// Four pollutant columns under one group header.
pub fn pollutant_columns(c: &mut Vec<Column>, group: &str, t: Labels) {
    pollutant_columns_of(c, group, t, 9.0);
}

/// [`pollutant_columns`] of a given width.
fn pollutant_columns_of(c: &mut Vec<Column>, group: &str, t: Labels, width: f64) {
    for p in Pollutant::ALL {
        c.push(grouped(group, t.pollutant(p), width));
    }
}

impl List<'_> {
    fn columns(t: Labels) -> Vec<Column> {
        let mut c = firm_columns(t, LIST_FIRM_WIDTHS);
        c.push(col(
            t.t("生产线/设施", "Line / facility"),
            LIST_LINE_WIDTHS[0],
        ));
        c.push(col(t.t("工序", "Process"), LIST_LINE_WIDTHS[1]));
        pollutant_columns_of(
            &mut c,
            t.t("基准排放量（吨/日）", "Baseline emissions (t/d)"),
            t,
            TONNES_WIDTH,
        );
        for l in Level::ALL {
            let g = format!(
                "{}{}",
                t.level(l),
                t.t(" 措施与减排量（吨/日）", ": measure and cuts (t/d)")
            );
            c.push(grouped(&g, t.t("措施", "Measure"), MEASURE_WIDTH));
            pollutant_columns_of(&mut c, &g, t, TONNES_WIDTH);
        }
        let loss = t.t("产值损失（万元/日）", "Production loss (10k yuan/d)");
        for l in Level::ALL {
            c.push(grouped(loss, t.level_short(l), 8.0));
        }
        c.push(col(
            t.t("核查指标", "Verification indicator"),
            INDICATOR_WIDTH,
        ));
        c.push(col(t.t("备注", "Remarks"), REMARKS_WIDTH));
        c.push(col(t.t("生产线编号", "Line id"), 11.0));
        // Hidden: the codes behind the texts, so that the workbook reads back as the plan
        // without the inventory (declared options) and with the obligations.
        for l in Level::ALL {
            let short = t.level_short(l);
            c.push(col(
                &format!("{short}{}", t.t("措施编号", " measure code")),
                12.0,
            ));
            c.push(col(
                &format!("{short}{}", t.t("最低要求", " obligation")),
                12.0,
            ));
        }
        c
    }

    /// One list sheet over `lines`, with a totals row below the filtered range.
    fn write_list(
        &self,
        ws: &mut Worksheet,
        f: &Formats,
        t: Labels,
        title: &str,
        lines: &[&ListLine],
    ) -> Result<(), XlsxError> {
        let d = self.0;
        let cols = Self::columns(t);
        let first = header(ws, f, title, &cols, 3)?;
        // Column totals with their format (numeric columns only).
        let mut sums: Vec<Option<(f64, &rust_xlsxwriter::Format)>> = vec![None; cols.len()];
        for (i, l) in lines.iter().enumerate() {
            let r = first + i as u32;
            let line = d.line(l);
            let e = d.enterprise(l);
            firm_cells(ws, f, t, d, r, i + 1, e)?;
            ws.write_string_with_format(r, 6, &line.name, &f.wrap)?;
            ws.write_string_with_format(r, 7, &line.process, &f.wrap)?;
            let mut c = 8u16;
            let mut num = |ws: &mut Worksheet, c: &mut u16, v: f64, fmt| -> Result<(), XlsxError> {
                ws.write_number_with_format(r, *c, v, fmt)?;
                let sum = &mut sums[*c as usize];
                *sum = Some((sum.map_or(0.0, |s| s.0) + v, fmt));
                *c += 1;
                Ok(())
            };
            for (_, v) in line.baseline_emissions().iter() {
                num(ws, &mut c, v.0, &f.tonnes3)?;
            }
            for e in &l.levels {
                ws.write_string_with_format(r, c, &e.text, &f.wrap)?;
                c += 1;
                for v in e.cut {
                    num(ws, &mut c, v, &f.tonnes3)?;
                }
            }
            for e in &l.levels {
                num(ws, &mut c, e.loss, &f.money)?;
            }
            let check = indicator(d, l, t);
            ws.write_string_with_format(r, c, &check, &f.wrap)?;
            let rem = list_remarks(e, l, t);
            ws.write_string_with_format(r, c + 1, &rem, &f.wrap)?;
            ws.write_string_with_format(r, c + 2, &line.id, &f.text)?;
            for (k, e) in l.levels.iter().enumerate() {
                let h = c + 3 + 2 * k as u16;
                ws.write_string(r, h, &e.code)?;
                ws.write_string(r, h + 1, &e.obligation)?;
            }
            // Row height for the tallest wrapped cell (names, measures, indicator, remarks).
            let tallest = l
                .levels
                .iter()
                .map(|e| (e.text.as_str(), MEASURE_WIDTH))
                .chain([
                    (check.as_str(), INDICATOR_WIDTH),
                    (rem.as_str(), REMARKS_WIDTH),
                    (e.name.as_str(), LIST_FIRM_WIDTHS[2]),
                    (e.district.as_str(), LIST_FIRM_WIDTHS[1]),
                    (line.name.as_str(), LIST_LINE_WIDTHS[0]),
                    (line.process.as_str(), LIST_LINE_WIDTHS[1]),
                ])
                .max_by(|a, b| (display_width(a.0) / a.1).total_cmp(&(display_width(b.0) / b.1)))
                .expect("cells");
            fit_height(ws, r, tallest.0, tallest.1)?;
        }
        filter(ws, first, lines.len(), cols.len())?;
        for c in cols.len() - 6..cols.len() {
            ws.set_column_hidden(c as u16)?;
        }
        // Totals below the filtered range.
        let r = first + lines.len() as u32;
        // Printed: up to the remarks (the line id stays on screen, for reading the list back).
        ws.set_print_area(0, 0, r, (cols.len() - 8) as u16)?;
        ws.write_string_with_format(r, 2, t.t("合计", "Total"), &f.label)?;
        for (c, sum) in sums.iter().enumerate() {
            if let Some((v, fmt)) = sum {
                // City totals of t/d outgrow the narrow columns at 3 decimals.
                let fmt = if std::ptr::eq(*fmt, &f.tonnes3) {
                    &f.tonnes2
                } else {
                    fmt
                };
                ws.write_number_with_format(r, c as u16, *v, fmt)?;
            }
        }
        Ok(())
    }
}

impl Section for List<'_> {
    fn id(&self) -> &'static str {
        "list"
    }
    fn title(&self, t: Labels) -> String {
        t.t("应急减排清单", "Emergency reduction list").into()
    }
    fn html(&self, t: Labels) -> String {
        let d = self.0;
        let mut heads: Vec<String> = [
            t.t("区县", "District"),
            t.t("企业名称", "Enterprise"),
            t.t("行业", "Industry"),
            t.t("绩效等级", "Grade"),
            t.t("生产线", "Lines"),
        ]
        .map(String::from)
        .to_vec();
        for l in Level::ALL {
            heads.push(format!(
                "{} {}",
                t.level_short(l),
                t.t("损失（万元/日）", "loss (10k yuan/d)")
            ));
        }
        for p in Pollutant::ALL {
            heads.push(format!(
                "{} {}{}",
                t.level_short(Level::Red),
                t.pollutant(p),
                t.t("（吨/日）", " (t/d)")
            ));
        }
        heads.push(t.t("备注", "Remarks").into());
        let rows: Vec<Vec<Cell>> = d
            .firms
            .iter()
            .map(|(ei, range)| {
                let e = d.firm(*ei);
                let lines = &d.lines[range.clone()];
                let mut r = vec![
                    text(&e.district),
                    text(&e.name),
                    text(d.industry(&e.industry, t.english)),
                    text(t.grade(d.grade(e))),
                    Cell::Num(lines.len() as f64, 0),
                ];
                for l in Level::ALL {
                    r.push(Cell::Num(
                        lines.iter().map(|x| x.levels[l.index()].loss).sum(),
                        2,
                    ));
                }
                for p in Pollutant::ALL {
                    r.push(Cell::Num(
                        lines.iter().map(|x| x.levels[2].cut[p.index()]).sum(),
                        4,
                    ));
                }
                r.push(text(remarks(e, t)));
                r
            })
            .collect();
        let exempt = d
            .inventory
            .enterprises
            .values()
            .filter(|e| e.exempt.is_some())
            .count();
        let guarantee = d
            .inventory
            .enterprises
            .values()
            .filter(|e| e.guarantee_min_load.is_some())
            .count();
        format!(
            "<p class=\"note\">{} {} · {} {} · {} {} · {} {}</p>{}",
            t.t("清单企业", "Listed enterprises"),
            d.firms.len(),
            t.t("生产线", "lines"),
            d.lines.len(),
            t.t("豁免企业", "exempt"),
            exempt,
            t.t("保障类企业", "livelihood guarantee"),
            guarantee,
            table(&heads, &rows, true)
        )
    }
    fn sheets(&self, wb: &mut Workbook, f: &Formats, t: Labels) -> Result<(), XlsxError> {
        let d = self.0;
        let mut used: HashSet<String> = [
            t.t("汇总", "Summary"),
            t.t("区县目标", "District targets"),
            t.t("损失分布", "Loss by group"),
        ]
        .iter()
        .map(|s| s.to_lowercase())
        .collect();
        let all: Vec<&ListLine> = d.lines.iter().collect();
        let title = format!("{} — {}", d.summary.scenario, self.title(t));
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(t.t("清单", "List"), &mut used))?;
        self.write_list(ws, f, t, &title, &all)?;
        let mut by_district: BTreeMap<usize, Vec<&ListLine>> = BTreeMap::new();
        for l in &d.lines {
            let e = d.enterprise(l);
            let k = d
                .inventory
                .districts
                .get_index_of(&e.district)
                .unwrap_or(usize::MAX);
            by_district.entry(k).or_default().push(l);
        }
        // A district's own workbook (`report --split district`) is its 清单 sheet.
        for lines in by_district.values().filter(|_| d.district.is_none()) {
            let district = d.enterprise(lines[0]).district.clone();
            let ws = wb.add_worksheet();
            ws.set_name(sheet_name(&district, &mut used))?;
            self.write_list(ws, f, t, &format!("{district} — {}", self.title(t)), lines)?;
        }
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(t.t("豁免清单", "Exempt"), &mut used))?;
        firm_list(d, ws, f, t, false)?;
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(
            t.t("保障类清单", "Livelihood guarantee"),
            &mut used,
        ))?;
        firm_list(d, ws, f, t, true)
    }
}

/// The exempt (`guarantee` false) or guarantee list: one row per enterprise with its baseline.
fn firm_list(
    d: &PlanData,
    ws: &mut Worksheet,
    f: &Formats,
    t: Labels,
    guarantee: bool,
) -> Result<(), XlsxError> {
    let mut cols = firm_columns(t, FIRM_WIDTHS);
    cols.push(if guarantee {
        col(t.t("最低负荷", "Minimum load"), 10.0)
    } else {
        col(t.t("豁免原因", "Reason"), 24.0)
    });
    cols.push(col(t.t("在产生产线数", "Active lines"), 10.0));
    pollutant_columns(
        &mut cols,
        t.t("基准排放量（吨/日）", "Baseline emissions (t/d)"),
        t,
    );
    if guarantee {
        let g = format!(
            "{}{}",
            t.level(Level::Red),
            t.t("减排量（吨/日）", ": cuts (t/d)")
        );
        pollutant_columns(&mut cols, &g, t);
    }
    let title = if guarantee {
        t.t("保障类企业清单", "Livelihood-guarantee enterprises")
    } else {
        t.t("豁免企业清单", "Exempt enterprises")
    };
    let first = header(
        ws,
        f,
        &format!("{} — {title}", d.summary.scenario),
        &cols,
        3,
    )?;
    let mut firms: Vec<(
        usize,
        (&crate::domain::CreditCode, &crate::domain::Enterprise),
    )> = d
        .inventory
        .enterprises
        .iter()
        .enumerate()
        .filter(|(_, (_, e))| d.district.as_ref().is_none_or(|name| &e.district == name))
        .filter(|(_, (_, e))| {
            if guarantee {
                e.guarantee_min_load.is_some()
            } else {
                e.exempt.is_some()
            }
        })
        .collect();
    let district = |e: &crate::domain::Enterprise| {
        d.inventory
            .districts
            .get_index_of(&e.district)
            .unwrap_or(usize::MAX)
    };
    firms.sort_by_key(|(ei, (_, e))| (district(e), *ei));
    let n = firms.len();
    for (k, (ei, (code, e))) in firms.into_iter().enumerate() {
        let r = first + k as u32;
        let lines: Vec<&crate::domain::Line> = d
            .inventory
            .lines
            .iter()
            .filter(|l| &l.enterprise == code && l.status == crate::domain::LineStatus::Active)
            .collect();
        firm_cells(ws, f, t, d, r, k + 1, e)?;
        match (guarantee, e.guarantee_min_load, &e.exempt) {
            (true, Some(m), _) => ws.write_number_with_format(r, 6, m.0, &f.pct)?,
            (_, _, reason) => {
                ws.write_string_with_format(r, 6, reason.clone().unwrap_or_default(), &f.text)?
            }
        };
        ws.write_number_with_format(r, 7, lines.len() as f64, &f.int)?;
        for p in Pollutant::ALL {
            let v: f64 = lines.iter().map(|l| l.baseline_emissions()[p].0).sum();
            ws.write_number_with_format(r, 8 + p.index() as u16, v, &f.tonnes)?;
        }
        if guarantee {
            let planned = d
                .firms
                .iter()
                .find(|(i, _)| *i == ei)
                .map(|(_, range)| &d.lines[range.clone()])
                .unwrap_or(&[]);
            for p in Pollutant::ALL {
                let v: f64 = planned.iter().map(|l| l.levels[2].cut[p.index()]).sum();
                ws.write_number_with_format(r, 12 + p.index() as u16, v, &f.tonnes)?;
            }
        }
    }
    filter(ws, first, n, cols.len())
}
