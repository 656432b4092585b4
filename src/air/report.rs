//! The air section of a plan report (when the scenario names `[air] stations` and `receptors`):
//! the station table, a map-like SVG of the stations sized by their reduction with the largest
//! contributors listed, the station targets (checked only), and a workbook sheet.

use super::check::{check_targets, TargetResult};
use super::evaluate::{AirResult, SpeciesResult};
use super::write::{basis, headers, rows, target_headers, target_rows};
use crate::domain::Level;
use crate::report::html::{table, Cell};
use crate::report::plan_data::PlanData;
use crate::report::svg::esc;
use crate::report::xlsx::{col, header, Formats};
use crate::report::{Labels, ReportError, Section};
use rust_xlsxwriter::{Workbook, XlsxError};
use std::fmt::Write;

/// The estimate of a plan and its station targets.
#[derive(Debug, Clone)]
pub struct AirSection {
    /// The estimate.
    pub result: AirResult,
    /// Station targets as checked.
    pub targets: Vec<TargetResult>,
}

/// The air section of a plan whose scenario names stations and a matrix (`None` otherwise).
pub fn for_plan(data: &PlanData) -> Result<Option<AirSection>, ReportError> {
    let Some(air) = &data.scenario.air else {
        return Ok(None);
    };
    let (Some(st), Some(rc)) = (&air.stations, &air.receptors) else {
        return Ok(None);
    };
    let load = |e: super::AirError| match e {
        super::AirError::Invalid(r) => ReportError::Load(
            r.diagnostics
                .iter()
                .find(|d| d.severity == crate::validate::Severity::Error)
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        other => ReportError::Load(other.to_string()),
    };
    let inputs = super::read_inputs(st, rc).map_err(load)?;
    let rows = data.lines.iter().flat_map(|l| {
        let id = data.inventory.lines[l.line].id.as_str();
        Level::ALL.map(|lv| (id, lv, l.levels[lv.index()].cut))
    });
    let result = super::estimate_plan(
        &inputs,
        &data.inventory,
        &data.scenario.inventory,
        rows,
        air.weather.as_deref(),
    )
    .map_err(load)?;
    let mut targets = check_targets(air, &result).map_err(ReportError::Load)?;
    for t in &mut targets {
        t.marginal_loss_per_ugm3 = data
            .summary
            .stations
            .iter()
            .find(|s| s.row == t.row)
            .map(|s| s.marginal_loss_per_ugm3);
    }
    Ok(Some(AirSection { result, targets }))
}

/// Map width and height, px.
const W: f64 = 720.0;
const H: f64 = 460.0;

/// A map-like SVG: stations placed by longitude and latitude (equirectangular), circles sized
/// by the reduction at `level`, labelled with name and value; the largest contributors listed
/// beside it.
pub fn station_map(sp: &SpeciesResult, level: Level, title: &str, t: Labels) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"Noto Sans CJK SC, sans-serif\"><text class=\"ct\" x=\"12\" y=\"22\">{}</text>",
        esc(title)
    );
    let (map_w, map_h, top, left): (f64, f64, f64, f64) = (440.0, 380.0, 50.0, 30.0);
    let lons: Vec<f64> = sp.stations.iter().map(|s| s.at.lon).collect();
    let lats: Vec<f64> = sp.stations.iter().map(|s| s.at.lat).collect();
    let (lo0, lo1) = min_max(&lons);
    let (la0, la1) = min_max(&lats);
    let k = ((la0 + la1) / 2.0).to_radians().cos();
    // Room for the largest circle and its label inside the frame.
    let pad = 48.0;
    let span = ((lo1 - lo0) * k).max(la1 - la0).max(0.01);
    let (cx, cy) = ((lo0 + lo1) / 2.0, (la0 + la1) / 2.0);
    let scale = (map_w.min(map_h) - 2.0 * pad) / span;
    let _ = write!(o, "<rect x=\"{left}\" y=\"{top}\" width=\"{map_w}\" height=\"{map_h}\" fill=\"#f7f9fb\" stroke=\"#d8dee6\"/>");
    let max = sp
        .stations
        .iter()
        .map(|s| s.levels[level.index()].reduction)
        .fold(0.0, f64::max);
    for s in &sp.stations {
        let v = s.levels[level.index()].reduction;
        let x = left + map_w / 2.0 + (s.at.lon - cx) * k * scale;
        let y = top + map_h / 2.0 - (s.at.lat - cy) * scale;
        let r = if max > 0.0 {
            4.0 + 26.0 * (v / max).sqrt()
        } else {
            4.0
        };
        let _ = write!(
            o,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\" fill=\"{}\" fill-opacity=\"0.55\" stroke=\"#1f4e79\"><title>{} {:.2} µg/m³</title></circle><text class=\"lg\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{} {:.2}</text>",
            crate::report::labels::level_colour(level),
            esc(&s.name),
            v,
            y + r + 13.0,
            esc(&s.name),
            v
        );
    }
    let _ = write!(
        o,
        "<text class=\"ax\" x=\"{left}\" y=\"{}\">{}</text>",
        top + map_h + 18.0,
        esc(t.t(
            "圆面积与降幅成正比；按经纬度示意定位",
            "circle area ∝ reduction; placed by longitude and latitude"
        ))
    );
    let lx = left + map_w + 20.0;
    let _ = write!(
        o,
        "<text class=\"lg\" x=\"{lx}\" y=\"{}\" font-weight=\"bold\">{}</text>",
        top + 4.0,
        esc(t.t("主要贡献企业", "Largest contributors"))
    );
    let mut y = top + 24.0;
    for s in &sp.stations {
        if y > H - 16.0 {
            break;
        }
        let _ = write!(
            o,
            "<text class=\"lg\" x=\"{lx}\" y=\"{y:.0}\">{}</text>",
            esc(&s.name)
        );
        y += 15.0;
        for c in s.levels[level.index()].top.iter().take(2) {
            let name: String = c.name.chars().take(14).collect();
            let _ = write!(
                o,
                "<text class=\"ax\" x=\"{:.0}\" y=\"{y:.0}\">{} {:.2}</text>",
                lx + 10.0,
                esc(&name),
                c.reduction
            );
            y += 14.0;
        }
    }
    o.push_str("</svg>");
    o
}

fn min_max(v: &[f64]) -> (f64, f64) {
    v.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        })
}

impl Section for AirSection {
    fn id(&self) -> &'static str {
        "air"
    }
    fn title(&self, t: Labels) -> String {
        format!(
            "{}（{}）",
            t.t("空气质量效果", "Effect on air quality"),
            basis(&self.result, t)
        )
    }
    fn html(&self, t: Labels) -> String {
        let mut o = String::new();
        let _ = write!(
            o,
            "<p class=\"note\">{}：{}。{}</p>",
            esc(t.t("依据", "Basis")),
            esc(basis(&self.result, t)),
            esc(t.t(
                "各站点降幅 = Σ 生产线各前体物削减量（吨/日）× 传输系数（µg/m³ 每吨/日）。",
                "Station reduction = Σ over lines and precursors of the cut (t/d) × transfer coefficient (µg/m³ per t/d)."
            ))
        );
        for sp in &self.result.species {
            o.push_str("<div class=\"charts\">");
            for l in [Level::Orange, Level::Red] {
                o.push_str(&station_map(
                    sp,
                    l,
                    &format!(
                        "{} {} {}",
                        t.level(l),
                        sp.species.label(),
                        t.t("降幅（µg/m³）", "reduction (µg/m³)")
                    ),
                    t,
                ));
            }
            o.push_str("</div>");
            o.push_str(&table(&headers(sp, t), &rows(sp, t), true));
        }
        if !self.targets.is_empty() {
            let _ = write!(
                o,
                "<h3>{}</h3>",
                esc(t.t(
                    "站点目标（已纳入优化，按清单独立核算）",
                    "Station targets (enforced by the optimiser; verified independently from the list)"
                ))
            );
            o.push_str(&table(
                &target_headers(t),
                &target_rows(&self.targets, t),
                false,
            ));
        }
        o
    }
    fn sheets(&self, wb: &mut Workbook, f: &Formats, t: Labels) -> Result<(), XlsxError> {
        let ws = wb.add_worksheet();
        ws.set_name(t.t("空气质量效果", "Air quality"))?;
        let mut blocks: Vec<(String, Vec<String>, Vec<Vec<Cell>>)> = self
            .result
            .species
            .iter()
            .map(|sp| {
                (
                    format!(
                        "{} {}（{}）",
                        sp.species.label(),
                        t.t("降幅", "reduction"),
                        basis(&self.result, t)
                    ),
                    headers(sp, t),
                    rows(sp, t),
                )
            })
            .collect();
        if !self.targets.is_empty() {
            blocks.push((
                t.t(
                    "站点目标（已纳入优化，按清单独立核算）",
                    "Station targets (enforced; verified from the list)",
                )
                .into(),
                target_headers(t),
                target_rows(&self.targets, t),
            ));
        }
        let mut r0 = 0u32;
        for (i, (title, h, body)) in blocks.iter().enumerate() {
            let cols: Vec<_> = h
                .iter()
                .map(|n| {
                    // The contributors' names need room; the figures do not.
                    let names = n.contains("贡献") || n.contains("contributors");
                    col(n, if names { 60.0 } else { 16.0 })
                })
                .collect();
            let first = if i == 0 {
                header(ws, f, title, &cols, 2)?
            } else {
                ws.write_string_with_format(r0, 0, title, &f.title)?;
                crate::report::xlsx::header_at(ws, f, r0 + 1, &cols)?
            };
            for (k, row) in body.iter().enumerate() {
                let r = first + k as u32;
                for (c, cell) in row.iter().enumerate() {
                    match cell {
                        Cell::Text(s) => ws.write_string_with_format(r, c as u16, s, &f.text)?,
                        Cell::Num(v, _) => {
                            ws.write_number_with_format(r, c as u16, *v, &f.money)?
                        }
                    };
                }
            }
            r0 = first + body.len() as u32 + 2;
        }
        Ok(())
    }
}
