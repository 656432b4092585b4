//! The sections of a sweep report (`jianpai sweep` / `jianpai curve` directories): one row per
//! scenario (情景对比) with its loss against the first scenario, and the cost curve (成本曲线) when
//! the sweep was made by `jianpai curve`.

use super::html::{table, text, Cell};
use super::labels::level_colour;
use super::plan_data::read_summary;
use super::svg::{grouped_bars, line_chart, Series};
use super::xlsx::{col, filter, header, Column, Formats};
use super::{Labels, ReportError, Section};
use crate::domain::{IndustryTable, Level};
use crate::solve::Status;
use crate::sweep::curve::{curve_header, CurvePoint};
use crate::sweep::run::CaseFile;
use crate::sweep::table::{columns, label, Row};
use rust_xlsxwriter::{Workbook, XlsxError};
use serde::Deserialize;
use serde_json::Value;
use std::path::Path;

/// The cost curve stored in a curve directory's summary.json.
#[derive(Debug, Clone, Deserialize)]
pub struct CurveView {
    /// Warning level.
    pub level: String,
    /// Pollutant keys whose ratio moves.
    pub pollutants: Vec<String>,
    /// Points in ratio order.
    pub points: Vec<CurvePoint>,
}

#[derive(Deserialize)]
struct SweepSummary {
    #[serde(default)]
    name: String,
    cases: usize,
    curve: Option<CurveView>,
}

/// A sweep directory: its rows (from `cases/NNNN.json`) and its curve.
#[derive(Debug, Clone)]
pub struct SweepData {
    /// Sweep name.
    pub name: String,
    /// One results row per scenario, in sweep order.
    pub rows: Vec<Row>,
    /// The cost curve, when made by `jianpai curve`.
    pub curve: Option<CurveView>,
    /// Industry names for the `affected.industry.*` headers.
    pub industries: IndustryTable,
}

/// Key of the derived column: loss against the first scenario.
const VS_FIRST: &str = "loss_vs_first";

/// Load a sweep directory (no scenario or inventory needed).
pub fn load(dir: &Path) -> Result<SweepData, ReportError> {
    let s: SweepSummary = read_summary(dir)?;
    let mut rows = Vec::with_capacity(s.cases);
    for i in 0..s.cases {
        let path = dir.join("cases").join(format!("{:04}.json", i + 1));
        let file = path.display().to_string();
        let body = std::fs::read_to_string(&path).map_err(|e| ReportError::Read {
            file: file.clone(),
            message: format!(
                "{e} (summary.json counts {} cases; finish or merge the sweep first)",
                s.cases
            ),
        })?;
        let case: CaseFile = serde_json::from_str(&body).map_err(|e| ReportError::Input {
            file,
            message: format!("damaged case file: {e}"),
        })?;
        rows.push(case.row);
    }
    Ok(SweepData {
        name: s.name,
        rows,
        curve: s.curve,
        industries: crate::validate::default_industries(),
    })
}

/// The sections of a sweep report, in page order.
pub fn sections(data: &SweepData) -> Vec<Box<dyn Section + '_>> {
    let mut out: Vec<Box<dyn Section + '_>> = vec![Box::new(Comparison(data))];
    if let Some(c) = &data.curve {
        out.push(Box::new(Curve(c)));
    }
    out
}

/// Lines under the page title: number of scenarios and their statuses.
pub fn subtitle(d: &SweepData, t: Labels) -> Vec<String> {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for r in &d.rows {
        *counts
            .entry(status_label(str_of(r, "status"), t))
            .or_default() += 1;
    }
    let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
    vec![format!(
        "{} {}  ·  {}",
        d.rows.len(),
        t.t("个情景", "scenarios"),
        parts.join("，")
    )]
}

/// A status keyword in the report's language (unknown keywords as they are).
pub fn status_label(key: &str, t: Labels) -> String {
    [
        Status::Optimal,
        Status::GapLimit,
        Status::TimeLimit,
        Status::Infeasible,
        Status::NoSolution,
        Status::Heuristic,
    ]
    .into_iter()
    .find(|s| s.key() == key)
    .map_or(key.to_string(), |s| {
        let (zh, en) = s.message().split_once(" / ").unwrap_or((key, key));
        t.t(zh, en).to_string()
    })
}

fn str_of<'a>(r: &'a Row, k: &str) -> &'a str {
    r.get(k).and_then(Value::as_str).unwrap_or("")
}

fn num_of(r: &Row, k: &str) -> Option<f64> {
    r.get(k).and_then(Value::as_f64)
}

/// One row per scenario with the loss against the first scenario.
struct Comparison<'a>(&'a SweepData);

impl Comparison<'_> {
    /// Loss of each scenario as a share of the first scenario's loss (1.0 = same).
    fn vs_first(&self) -> Vec<Option<f64>> {
        let first = self.0.rows.first().and_then(|r| num_of(r, "loss"));
        self.0
            .rows
            .iter()
            .map(|r| match (first, num_of(r, "loss")) {
                (Some(f), Some(l)) if f > 0.0 => Some(l / f),
                _ => None,
            })
            .collect()
    }
    /// Workbook columns: the results table's, with the share of the first loss after `loss`.
    fn keys(&self) -> Vec<String> {
        let mut keys = columns(&self.0.rows);
        if let Some(i) = keys.iter().position(|k| k == "loss") {
            keys.insert(i + 1, VS_FIRST.into());
        }
        keys
    }
    fn label(&self, key: &str, t: Labels) -> String {
        if key == VS_FIRST {
            return t
                .t("损失相对第一情景", "Loss against the first scenario")
                .into();
        }
        label(key, t.english, &self.0.industries)
    }
}

/// Column width and number format of a results column.
fn column_style<'f>(key: &str, f: &'f Formats) -> (f64, &'f rust_xlsxwriter::Format) {
    let last = key.rsplit('.').next().unwrap_or(key);
    match last {
        "scenario" => (22.0, &f.text),
        "status" | "message" => (18.0, &f.wrap),
        "gap" | VS_FIRST => (12.0, &f.pct),
        "required" | "achieved" => (14.0, &f.tonnes),
        "loss" | "bound" | "greedy_loss" | "marginal" | "loss_per_day" => (16.0, &f.money),
        "index" | "enterprises" | "lines" => (10.0, &f.int),
        _ if key.starts_with("affected.") => (12.0, &f.int),
        _ => (14.0, &f.text),
    }
}

impl Section for Comparison<'_> {
    fn id(&self) -> &'static str {
        "sweep"
    }
    fn title(&self, t: Labels) -> String {
        t.t("情景对比", "Scenario comparison").into()
    }
    fn html(&self, t: Labels) -> String {
        let rows = &self.0.rows;
        let names: Vec<String> = rows
            .iter()
            .map(|r| str_of(r, "scenario").to_string())
            .collect();
        let vs = self.vs_first();
        let mut o = String::from("<div class=\"charts\">");
        o.push_str(&grouped_bars(
            t.t(
                "各情景预期损失（第一情景 = 100）",
                "Expected loss per scenario (first scenario = 100)",
            ),
            t.t("相对损失", "relative loss"),
            &names,
            &[Series {
                name: t.t("预期损失", "expected loss").into(),
                colour: "#2e75b6".into(),
                values: vs.iter().map(|v| v.map_or(0.0, |x| x * 100.0)).collect(),
            }],
        ));
        o.push_str(&grouped_bars(
            t.t("各级预警日损失", "Loss per warning day"),
            t.t("万元/日", "10k yuan/d"),
            &names,
            &Level::ALL.map(|l| Series {
                name: t.level_short(l).into(),
                colour: level_colour(l).into(),
                values: rows
                    .iter()
                    .map(|r| num_of(r, &format!("{}.loss_per_day", l.key())).unwrap_or(0.0))
                    .collect(),
            }),
        ));
        o.push_str("</div>");
        let keys: Vec<String> = self
            .keys()
            .into_iter()
            .filter(|k| {
                !k.starts_with("affected.")
                    && !k.ends_with(".required")
                    && !k.ends_with(".achieved")
                    && !k.ends_with(".marginal")
            })
            .collect();
        let headers: Vec<String> = keys
            .iter()
            .map(|k| match k.as_str() {
                "gap" => format!("{}（%）", self.label(k, t)),
                VS_FIRST => t
                    .t("损失相对第一情景（%）", "Loss against the first (%)")
                    .into(),
                _ => self.label(k, t),
            })
            .collect();
        let body: Vec<Vec<Cell>> = rows
            .iter()
            .zip(&vs)
            .map(|(r, v)| {
                keys.iter()
                    .map(|k| match (k.as_str(), r.get(k)) {
                        (VS_FIRST, _) => v.map_or(text("—"), |x| Cell::Num(x * 100.0, 1)),
                        ("status", _) => text(status_label(str_of(r, "status"), t)),
                        ("gap", Some(Value::Number(n))) => {
                            Cell::Num(n.as_f64().unwrap_or(0.0) * 100.0, 3)
                        }
                        (_, Some(Value::Number(n))) => {
                            let d = if n.is_f64() { 2 } else { 0 };
                            Cell::Num(n.as_f64().unwrap_or(0.0), d)
                        }
                        (_, Some(Value::String(s))) => text(s.clone()),
                        (_, Some(Value::Bool(b))) => text(t.yes_no(*b)),
                        _ => text("—"),
                    })
                    .collect()
            })
            .collect();
        o.push_str(&table(&headers, &body, true));
        o
    }
    fn sheets(&self, wb: &mut Workbook, f: &Formats, t: Labels) -> Result<(), XlsxError> {
        let keys = self.keys();
        let cols: Vec<Column> = keys
            .iter()
            .map(|k| col(&self.label(k, t), column_style(k, f).0))
            .collect();
        let ws = wb.add_worksheet();
        ws.set_name(self.title(t))?;
        let first = header(ws, f, &self.0.name, &cols, 2)?;
        ws.set_row_height(first - 1, 45)?;
        let vs = self.vs_first();
        for (i, (r, v)) in self.0.rows.iter().zip(&vs).enumerate() {
            let row = first + i as u32;
            for (c, k) in keys.iter().enumerate() {
                let c = c as u16;
                let fmt = column_style(k, f).1;
                match (k.as_str(), r.get(k)) {
                    (VS_FIRST, _) => match v {
                        Some(x) => ws.write_number_with_format(row, c, *x, fmt)?,
                        None => ws.write_blank(row, c, fmt)?,
                    },
                    ("status", _) => {
                        let st = str_of(r, "status");
                        let fmt = if matches!(st, "optimal" | "gap_limit") {
                            &f.text
                        } else {
                            &f.bad
                        };
                        ws.write_string_with_format(row, c, status_label(st, t), fmt)?
                    }
                    (_, Some(Value::Number(n))) => {
                        ws.write_number_with_format(row, c, n.as_f64().unwrap_or(0.0), fmt)?
                    }
                    (_, Some(Value::String(s))) => ws.write_string_with_format(row, c, s, fmt)?,
                    (_, Some(Value::Bool(b))) => {
                        ws.write_string_with_format(row, c, t.yes_no(*b), fmt)?
                    }
                    _ => ws.write_blank(row, c, fmt)?,
                };
            }
        }
        filter(ws, first, self.0.rows.len(), cols.len())
    }
}

/// Loss against the required ratio (from `jianpai curve`).
struct Curve<'a>(&'a CurveView);

impl Curve<'_> {
    /// "红色预警 VOCs" — what the curve moves.
    fn what(&self, t: Labels) -> String {
        let level = Level::parse(&self.0.level).map_or(self.0.level.clone(), |l| t.level(l));
        let pols: Vec<&str> = self
            .0
            .pollutants
            .iter()
            .map(|p| crate::domain::Pollutant::parse(p).map_or(p.as_str(), |p| t.pollutant(p)))
            .collect();
        format!("{level} {}", pols.join("+"))
    }
}

impl Section for Curve<'_> {
    fn id(&self) -> &'static str {
        "curve"
    }
    fn title(&self, t: Labels) -> String {
        t.t("成本曲线", "Cost curve").into()
    }
    fn html(&self, t: Labels) -> String {
        let pts = &self.0.points;
        let what = self.what(t);
        let mut o = format!(
            "<p class=\"note\">{}{what}</p><div class=\"charts\">",
            t.t("要求减排比例变化：", "Required ratio moved: ")
        );
        let solved: Vec<&CurvePoint> = pts.iter().filter(|p| p.loss.is_some()).collect();
        o.push_str(&line_chart(
            &format!("{what} {}", t.t("损失—减排比例", "loss against ratio")),
            t.t("要求减排比例（%）", "required ratio (%)"),
            t.t("预期损失（万元）", "expected loss (10k yuan)"),
            &solved.iter().map(|p| p.ratio * 100.0).collect::<Vec<_>>(),
            &[Series {
                name: t.t("预期损失", "expected loss").into(),
                colour: "#2e75b6".into(),
                values: solved.iter().map(|p| p.loss.unwrap_or(0.0)).collect(),
            }],
        ));
        let marginal: Vec<&CurvePoint> =
            pts.iter().filter(|p| p.loss_per_tonne.is_some()).collect();
        if !marginal.is_empty() {
            o.push_str(&line_chart(
                &format!("{what} {}", t.t("边际损失", "marginal loss")),
                t.t("要求减排比例（%）", "required ratio (%)"),
                t.t("万元/(t/d)", "10k yuan per t/d"),
                &marginal.iter().map(|p| p.ratio * 100.0).collect::<Vec<_>>(),
                &[
                    Series {
                        name: t.t("每增加1 t/d的损失", "extra loss per extra t/d").into(),
                        colour: "#d62828".into(),
                        values: marginal
                            .iter()
                            .map(|p| p.loss_per_tonne.unwrap_or(0.0))
                            .collect(),
                    },
                    Series {
                        name: t.t("线性松弛边际损失", "LP marginal loss").into(),
                        colour: "#9aa5b1".into(),
                        values: marginal.iter().map(|p| p.dual.unwrap_or(0.0)).collect(),
                    },
                ],
            ));
        }
        o.push_str("</div>");
        let opt = |v: Option<f64>, d: usize| v.map_or(text("—"), |x| Cell::Num(x, d));
        let body: Vec<Vec<Cell>> = pts
            .iter()
            .map(|p| {
                vec![
                    Cell::Num(p.ratio * 100.0, 1),
                    text(status_label(&p.status, t)),
                    opt(p.required, 3),
                    opt(p.loss, 2),
                    opt(p.loss_per_tonne, 2),
                    opt(p.loss_per_point, 2),
                    opt(p.dual, 2),
                ]
            })
            .collect();
        let mut h: Vec<String> = curve_header(t.english).map(String::from).to_vec();
        h[0] = format!("{}（%）", h[0]);
        o.push_str(&table(&h, &body, true));
        o
    }
    fn sheets(&self, wb: &mut Workbook, f: &Formats, t: Labels) -> Result<(), XlsxError> {
        let cols: Vec<Column> = curve_header(t.english)
            .iter()
            .zip([12.0, 18.0, 14.0, 16.0, 18.0, 18.0, 18.0])
            .map(|(h, w)| col(h, w))
            .collect();
        let ws = wb.add_worksheet();
        ws.set_name(self.title(t))?;
        let title = format!("{} · {}", self.title(t), self.what(t));
        let first = header(ws, f, &title, &cols, 1)?;
        ws.set_row_height(first - 1, 32)?;
        for (i, p) in self.0.points.iter().enumerate() {
            let r = first + i as u32;
            ws.write_number_with_format(r, 0, p.ratio, &f.pct)?;
            ws.write_string_with_format(r, 1, status_label(&p.status, t), &f.text)?;
            let cells = [
                (p.required, &f.tonnes),
                (p.loss, &f.money),
                (p.loss_per_tonne, &f.money),
                (p.loss_per_point, &f.money),
                (p.dual, &f.money),
            ];
            for (c, (v, fmt)) in cells.into_iter().enumerate() {
                let c = 2 + c as u16;
                match v {
                    Some(x) => ws.write_number_with_format(r, c, x, fmt)?,
                    None => ws.write_blank(r, c, fmt)?,
                };
            }
        }
        filter(ws, first, self.0.points.len(), cols.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::xlsx::Formats;

    fn row(name: &str, loss: f64) -> Row {
        let mut r = Row::new();
        r.insert("index".into(), Value::from(1));
        r.insert("scenario".into(), Value::from(name));
        r.insert("status".into(), Value::from("optimal"));
        r.insert("loss".into(), serde_json::json!(loss));
        r.insert("red.loss_per_day".into(), serde_json::json!(loss / 10.0));
        r
    }

    #[test]
    fn losses_are_shown_against_the_first_scenario() {
        let d = SweepData {
            name: "s".into(),
            rows: vec![row("a", 200.0), row("b", 300.0)],
            curve: None,
            industries: crate::validate::default_industries(),
        };
        let c = Comparison(&d);
        assert_eq!(c.vs_first(), vec![Some(1.0), Some(1.5)]);
        let keys = c.keys();
        let at = keys.iter().position(|k| k == "loss").unwrap();
        assert_eq!(keys[at + 1], VS_FIRST);
        let t = Labels { english: false };
        let html = c.html(t);
        assert!(html.contains("data-v=\"150\">150.0<"), "{html}");
        assert!(html.contains("最优解（已证明）"));
        assert_eq!(status_label("invalid", t), "invalid");
        let mut wb = Workbook::new();
        c.sheets(&mut wb, &Formats::new(), t).unwrap();
        assert!(wb.worksheet_from_name("情景对比").is_ok());
    }
}
