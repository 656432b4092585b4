//! The sections of a calendar report (`jianpai stagger` directories): 汇总 (status, loss, bound,
//! gap, saving against the greedy calendar), 日历 (every stop block and maintenance job, with a
//! Gantt chart) and 逐日 (daily cut against target, stopped capacity against cap), over the data
//! [`super::calendar_data`] reads.

use super::html::{fixed, table, text, Cell};
use super::svg::{date_line_chart, esc, gantt, GanttRow, Series};
use super::sweep_sections::status_label;
use super::xlsx::{col, filter, header, Column, Formats};
use super::{Labels, Section};
use crate::domain::Pollutant;
use crate::stagger::calendar::{cut_header, kind, target_header};
use crate::stagger::tables::CALENDAR;
use crate::stagger::State;
use chrono::{Datelike, NaiveDate};
use indexmap::IndexMap;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::fmt::Write;

pub use super::calendar_data::*;

/// At most this many Gantt rows; more lines are merged by enterprise, then capped.
pub const MAX_GANTT_ROWS: usize = 60;

/// The sections of a calendar report, in page order.
pub fn sections(data: &CalendarData) -> Vec<Box<dyn Section + '_>> {
    vec![
        Box::new(Overview(data)),
        Box::new(Blocks(data)),
        Box::new(Days(data)),
    ]
}

/// Lines under the page title.
pub fn subtitle(d: &CalendarData, t: Labels) -> Vec<String> {
    let s = &d.summary;
    let c = &s.counts;
    vec![
        format!(
            "{}  ·  {} — {}",
            status_label(&s.status, t),
            s.horizon.0,
            s.horizon.1
        ),
        if t.english {
            format!(
                "{} staggered lines, {} season stops, {} others; {} blocks ({} line-days), {} maintenance jobs",
                c.stagger_lines, c.season_stop_lines, c.other_lines, c.blocks, c.chosen_days, c.jobs
            )
        } else {
            format!(
                "错峰生产线 {} 条，整季停产 {} 条，其他 {} 条；停产段 {} 个（{} 线·日），检修任务 {} 项",
                c.stagger_lines, c.season_stop_lines, c.other_lines, c.blocks, c.chosen_days, c.jobs
            )
        },
    ]
}

/// Chart colour of a stop kind.
pub fn kind_colour(k: State) -> &'static str {
    match k {
        State::Chosen => "#2e75b6",
        State::Season => "#5b6b7f",
        State::Gov => "#d62828",
        State::Maint(_) => "#f08c00",
        State::Run => "#ffffff",
    }
}

/// The stop kinds in legend order.
const KINDS: [State; 4] = [State::Chosen, State::Season, State::Gov, State::Maint(0)];

/// Status, losses, bound, gap and saving against the greedy calendar.
struct Overview<'a>(&'a CalendarData);

/// A value of the overview: money, a share, or text.
enum Value {
    Money(Option<f64>),
    Share(Option<f64>),
    Text(String),
}

impl Overview<'_> {
    fn items(&self, t: Labels) -> Vec<(&'static str, Value)> {
        let s = &self.0.summary;
        vec![
            (t.t("情景", "Scenario"), Value::Text(s.scenario.clone())),
            (
                t.t("求解状态", "Solver status"),
                Value::Text(status_label(&s.status, t)),
            ),
            (
                t.t("可优化损失(万元)", "Controllable loss (10k yuan)"),
                Value::Money(s.objective),
            ),
            (
                t.t("损失下界(万元)", "Lower bound (10k yuan)"),
                Value::Money(s.bound),
            ),
            (t.t("相对间隙", "Relative gap"), Value::Share(s.gap)),
            (
                t.t("贪心方案损失(万元)", "Greedy calendar loss (10k yuan)"),
                Value::Money(s.greedy_objective),
            ),
            (
                t.t("较贪心方案节省(万元)", "Saving against greedy (10k yuan)"),
                Value::Money(s.saving_vs_greedy),
            ),
            (
                t.t("节省比例", "Saving share"),
                Value::Share(s.saving_vs_greedy_share),
            ),
            (
                t.t("固定损失(万元)", "Fixed loss (10k yuan)"),
                Value::Money(Some(s.fixed_loss)),
            ),
            (
                t.t("时段", "Horizon"),
                Value::Text(format!("{} — {}", s.horizon.0, s.horizon.1)),
            ),
        ]
    }
}

impl Section for Overview<'_> {
    fn id(&self) -> &'static str {
        "overview"
    }
    fn title(&self, t: Labels) -> String {
        t.t("汇总", "Summary").into()
    }
    fn html(&self, t: Labels) -> String {
        let ok = matches!(self.0.summary.status.as_str(), "optimal" | "gap_limit");
        let mut o = String::from("<div class=\"cards\">");
        for (i, (label, v)) in self.items(t).into_iter().enumerate() {
            let v = match v {
                Value::Money(x) => x.map_or("—".into(), |x| fixed(x, 2)),
                Value::Share(x) => x.map_or("—".into(), |x| format!("{}%", fixed(x * 100.0, 2))),
                Value::Text(s) => s,
            };
            let class = match (i, ok) {
                (1, true) => " class=\"ok\"",
                (1, false) => " class=\"bad\"",
                _ => "",
            };
            let _ = write!(
                o,
                "<div class=\"card\">{}<b{class}>{}</b></div>",
                esc(label),
                esc(&v)
            );
        }
        o.push_str("</div>");
        for n in &self.0.summary.notes {
            let _ = write!(o, "<p class=\"note\">{}</p>", esc(n));
        }
        o
    }
    fn sheets(&self, wb: &mut Workbook, f: &Formats, t: Labels) -> Result<(), XlsxError> {
        let ws = wb.add_worksheet();
        ws.set_name(self.title(t))?;
        let cols = [
            col(t.t("项目", "Item"), 30.0),
            col(t.t("数值", "Value"), 40.0),
        ];
        let title = format!(
            "{} · {}",
            self.0.summary.scenario,
            t.t("错峰生产日历汇总", "staggered-production calendar")
        );
        let first = header(ws, f, &title, &cols, 0)?;
        let mut rows = self.items(t);
        for n in &self.0.summary.notes {
            rows.push((t.t("说明", "Note"), Value::Text(n.clone())));
        }
        for (i, (label, v)) in rows.into_iter().enumerate() {
            let r = first + i as u32;
            ws.write_string_with_format(r, 0, label, &f.label)?;
            let (x, fmt) = match v {
                Value::Money(x) => (x, &f.money),
                Value::Share(x) => (x, &f.pct),
                Value::Text(s) => {
                    ws.write_string_with_format(r, 1, s, &f.wrap)?;
                    continue;
                }
            };
            match x {
                Some(x) => ws.write_number_with_format(r, 1, x, fmt)?,
                None => ws.write_string_with_format(r, 1, "—", &f.text)?,
            };
        }
        Ok(())
    }
}

/// The stop blocks and maintenance jobs: Gantt chart and table.
struct Blocks<'a>(&'a CalendarData);

/// Date cell format.
/// Date ticks `MM-DD` over `span` days from `first`, at axis position `offset + day index`:
/// every week for horizons up to 120 days, month starts beyond.
fn date_ticks(first: NaiveDate, span: i64, offset: f64) -> Vec<(f64, String)> {
    (0..span)
        .filter_map(|i| {
            let d = first + chrono::Duration::days(i);
            let tick = if span <= 120 {
                i % 7 == 0
            } else {
                d.day() == 1
            };
            tick.then(|| (i as f64 + offset, d.format("%m-%d").to_string()))
        })
        .collect()
}

fn date_format(f: &Formats) -> Format {
    f.text.clone().set_num_format("yyyy-mm-dd")
}

fn write_date(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    d: NaiveDate,
    fmt: &Format,
) -> Result<(), XlsxError> {
    let x = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
    ws.write_datetime_with_format(r, c, &x, fmt)?;
    Ok(())
}

impl Blocks<'_> {
    fn day(&self, d: NaiveDate) -> f64 {
        (d - self.0.first).num_days() as f64
    }

    /// Gantt rows: one per line; by enterprise when there are more than [`MAX_GANTT_ROWS`]
    /// lines, then the enterprises with most stopped line-days. Returns the note saying so.
    fn rows(&self, t: Labels) -> (Vec<GanttRow>, Option<String>) {
        let blocks = &self.0.blocks;
        let mut by_line: IndexMap<&str, Vec<&Block>> = IndexMap::new();
        for b in blocks {
            by_line.entry(&b.line).or_default().push(b);
        }
        let per_enterprise = by_line.len() > MAX_GANTT_ROWS;
        let mut groups: IndexMap<&str, Vec<&Block>> = IndexMap::new();
        for b in blocks {
            let key = if per_enterprise {
                if b.enterprise.is_empty() {
                    &b.credit_code
                } else {
                    &b.enterprise
                }
            } else {
                &b.line
            };
            groups.entry(key).or_default().push(b);
        }
        let total = groups.len();
        let mut kept: Vec<(&str, Vec<&Block>)> = groups.into_iter().collect();
        if total > MAX_GANTT_ROWS {
            let days = |v: &Vec<&Block>| -> f64 { v.iter().map(|b| b.days).sum() };
            // Most stopped line-days first; ties keep the calendar's order (stable sort).
            kept.sort_by(|a, b| days(&b.1).total_cmp(&days(&a.1)));
            kept.truncate(MAX_GANTT_ROWS);
        }
        let note = match (per_enterprise, total > MAX_GANTT_ROWS) {
            (false, _) => None,
            (true, false) => Some(if t.english {
                format!(
                    "{} lines are merged into one row per enterprise ({total} rows).",
                    by_line.len()
                )
            } else {
                format!("共 {} 条生产线，按企业合并为 {total} 行。", by_line.len())
            }),
            (true, true) => Some(if t.english {
                format!(
                    "{} lines of {total} enterprises: the chart shows one row per enterprise for the {MAX_GANTT_ROWS} enterprises with most stopped line-days; the table below and the workbook list every block.",
                    by_line.len()
                )
            } else {
                format!(
                    "共 {} 条生产线、{total} 家企业：图中按企业合并，仅显示停产线·日最多的 {MAX_GANTT_ROWS} 家；下表和工作簿列出全部停产段。",
                    by_line.len()
                )
            }),
        };
        let rows = kept
            .into_iter()
            .map(|(label, bs)| GanttRow {
                label: label.chars().take(18).collect(),
                blocks: bs
                    .iter()
                    .map(|b| {
                        let what = if b.job.is_empty() {
                            kind(b.kind, t.english).to_string()
                        } else {
                            format!("{} {}", kind(b.kind, t.english), b.job)
                        };
                        (
                            self.day(b.start),
                            self.day(b.end) + 1.0,
                            kind_colour(b.kind).to_string(),
                            format!(
                                "{} {} {} · {what} · {} — {} ({} {})",
                                b.enterprise,
                                b.line_name,
                                b.line,
                                b.start,
                                b.end,
                                b.days,
                                t.t("天", "days")
                            ),
                        )
                    })
                    .collect(),
            })
            .collect();
        (rows, note)
    }

    /// Axis ticks (MM-DD): weeks for short horizons, month starts for long ones.
    fn ticks(&self) -> Vec<(f64, String)> {
        date_ticks(self.0.first, self.0.span, 0.0)
    }

    fn headers(t: Labels) -> Vec<String> {
        CALENDAR
            .columns
            .iter()
            .map(|c| t.t(c.zh, c.key).to_string())
            .collect()
    }
}

impl Section for Blocks<'_> {
    fn id(&self) -> &'static str {
        "calendar"
    }
    fn title(&self, t: Labels) -> String {
        t.t("日历", "Calendar").into()
    }
    fn html(&self, t: Labels) -> String {
        let (rows, note) = self.rows(t);
        let mut o = String::new();
        if let Some(n) = note {
            let _ = write!(o, "<p class=\"note\">{}</p>", esc(&n));
        }
        o.push_str("<p class=\"note\">");
        for k in KINDS {
            let _ = write!(
                o,
                "<span style=\"display:inline-block;width:12px;height:12px;background:{};margin:0 4px 0 12px;vertical-align:middle\"></span>{}",
                kind_colour(k),
                esc(kind(k, t.english))
            );
        }
        o.push_str("</p>");
        o.push_str(&gantt(
            t.t("错峰生产与检修甘特图", "Stop blocks and maintenance"),
            self.0.span as f64,
            &self.ticks(),
            &rows,
        ));
        let body: Vec<Vec<Cell>> = self
            .0
            .blocks
            .iter()
            .map(|b| {
                vec![
                    text(&b.line),
                    text(&b.line_name),
                    text(&b.credit_code),
                    text(&b.enterprise),
                    text(&b.district),
                    text(&b.industry),
                    text(b.start.to_string()),
                    text(b.end.to_string()),
                    Cell::Num(b.days, 0),
                    text(kind(b.kind, t.english)),
                    text(&b.job),
                    text(&b.reason),
                ]
            })
            .collect();
        o.push_str(&table(&Self::headers(t), &body, true));
        o
    }
    fn sheets(&self, wb: &mut Workbook, f: &Formats, t: Labels) -> Result<(), XlsxError> {
        let widths = [
            14.0, 24.0, 22.0, 34.0, 10.0, 10.0, 12.0, 12.0, 8.0, 14.0, 14.0, 48.0,
        ];
        let cols: Vec<Column> = Self::headers(t)
            .iter()
            .zip(widths)
            .map(|(h, w)| col(h, w))
            .collect();
        let ws = wb.add_worksheet();
        ws.set_name(self.title(t))?;
        let title = format!(
            "{} · {}",
            self.0.summary.scenario,
            t.t(CALENDAR.zh, "staggered production and maintenance")
        );
        let first = header(ws, f, &title, &cols, 1)?;
        let df = date_format(f);
        for (i, b) in self.0.blocks.iter().enumerate() {
            let r = first + i as u32;
            let texts = [
                &b.line,
                &b.line_name,
                &b.credit_code,
                &b.enterprise,
                &b.district,
                &b.industry,
            ];
            for (c, s) in texts.into_iter().enumerate() {
                ws.write_string_with_format(r, c as u16, s, &f.text)?;
            }
            write_date(ws, r, 6, b.start, &df)?;
            write_date(ws, r, 7, b.end, &df)?;
            ws.write_number_with_format(r, 8, b.days, &f.int)?;
            ws.write_string_with_format(r, 9, kind(b.kind, t.english), &f.text)?;
            ws.write_string_with_format(r, 10, &b.job, &f.text)?;
            ws.write_string_with_format(r, 11, &b.reason, &f.text)?;
        }
        filter(ws, first, self.0.blocks.len(), cols.len())
    }
}

/// Whether a days.csv column is in t/d (a cut or a target) rather than capacity.
fn tonnes(header: &str) -> bool {
    header.ends_with("(t/d)") || header.ends_with("_t_per_day")
}

/// Daily cut against target and stopped capacity against cap.
struct Days<'a>(&'a CalendarData);

impl Days<'_> {
    /// (pollutant, cut, target) for the pollutants with a target on some day, or, when no day
    /// has a target, those cut on some day.
    fn pollutants(&self) -> Vec<(Pollutant, Vec<f64>, Vec<f64>)> {
        let d = &self.0.days;
        let all: Vec<(Pollutant, Vec<f64>, Vec<f64>)> = Pollutant::ALL
            .into_iter()
            .filter_map(|p| {
                let cut = d.column([cut_header(p, false), cut_header(p, true)])?;
                let target = d.column([target_header(p, false), target_header(p, true)])?;
                Some((p, cut, target))
            })
            .collect();
        let any = |v: &[f64]| v.iter().any(|x| *x > 0.0);
        let targeted = all.iter().any(|(_, _, t)| any(t));
        all.into_iter()
            .filter(|(_, c, t)| if targeted { any(t) } else { any(c) })
            .collect()
    }
}

impl Section for Days<'_> {
    fn id(&self) -> &'static str {
        "days"
    }
    fn title(&self, t: Labels) -> String {
        t.t("逐日", "Daily").into()
    }
    fn html(&self, t: Labels) -> String {
        let d = &self.0.days;
        let x: Vec<f64> = d
            .rows
            .iter()
            .map(|r| (r.0 - self.0.first).num_days() as f64 + 1.0)
            .collect();
        let x_label = format!(
            "{}{} → {}",
            t.t("日期 ", "date "),
            self.0.first,
            d.rows.last().map_or(self.0.first, |r| r.0)
        );
        let names: Vec<String> = d
            .rows
            .iter()
            .map(|r| r.0.format("%m-%d").to_string())
            .collect();
        let ticks = date_ticks(self.0.first, self.0.span, 1.0);
        let mut o = String::from("<div class=\"charts\">");
        for (p, cut, target) in self.pollutants() {
            o.push_str(&date_line_chart(
                &format!(
                    "{} {}",
                    t.pollutant(p),
                    t.t("逐日减排量与目标", "daily cut and target")
                ),
                (&x_label, &ticks, &names),
                "t/d",
                &x,
                &[
                    Series {
                        name: t.t("减排量", "cut").into(),
                        colour: "#2e75b6".into(),
                        values: cut,
                    },
                    Series {
                        name: t.t("目标", "target").into(),
                        colour: "#d62828".into(),
                        values: target,
                    },
                ],
            ));
        }
        o.push_str("</div>");
        let body: Vec<Vec<Cell>> = d
            .rows
            .iter()
            .map(|(date, season, warning, nums)| {
                let mut r = vec![text(date.to_string()), text(season), text(warning)];
                r.extend(nums.iter().enumerate().map(|(i, v)| {
                    let places = match i {
                        0 => 0,
                        _ if tonnes(&d.headers[i + 3]) => 4,
                        _ => 2,
                    };
                    Cell::Num(*v, places)
                }));
                r
            })
            .collect();
        o.push_str(&table(&d.headers, &body, true));
        o
    }
    fn sheets(&self, wb: &mut Workbook, f: &Formats, t: Labels) -> Result<(), XlsxError> {
        let d = &self.0.days;
        let cols: Vec<Column> = d
            .headers
            .iter()
            .enumerate()
            .map(|(i, h)| col(h, if i == 0 { 12.0 } else { 14.0 }))
            .collect();
        let ws = wb.add_worksheet();
        ws.set_name(self.title(t))?;
        let title = format!(
            "{} · {}",
            self.0.summary.scenario,
            t.t("逐日减排量与停产产能", "daily cuts and stopped capacity")
        );
        let first = header(ws, f, &title, &cols, 1)?;
        ws.set_row_height(first - 1, 45)?;
        let df = date_format(f);
        for (i, (date, season, warning, nums)) in d.rows.iter().enumerate() {
            let r = first + i as u32;
            write_date(ws, r, 0, *date, &df)?;
            ws.write_string_with_format(r, 1, season, &f.text)?;
            ws.write_string_with_format(r, 2, warning, &f.text)?;
            for (c, v) in nums.iter().enumerate() {
                let fmt = match c {
                    0 => &f.int,
                    _ if tonnes(&d.headers[c + 3]) => &f.tonnes,
                    _ => &f.money,
                };
                ws.write_number_with_format(r, 3 + c as u16, *v, fmt)?;
            }
        }
        filter(ws, first, d.rows.len(), cols.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(lines: usize, per_enterprise: usize) -> CalendarData {
        let first = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let blocks = (0..lines)
            .map(|i| Block {
                line: format!("L{i:04}"),
                line_name: format!("熟料线{i}"),
                credit_code: format!("C{}", i / per_enterprise),
                enterprise: format!("企业{}", i / per_enterprise),
                district: "区".into(),
                industry: "水泥".into(),
                start: first + chrono::Duration::days((i % 20) as i64),
                end: first + chrono::Duration::days((i % 20) as i64 + i as i64 % 5),
                days: (i % 5 + 1) as f64,
                kind: if i % 7 == 0 {
                    State::Maint(0)
                } else {
                    State::Chosen
                },
                job: String::new(),
                reason: String::new(),
            })
            .collect();
        CalendarData {
            summary: serde_json::from_str(
                r#"{"status":"optimal","objective":1,"bound":1,"gap":0,"greedy_objective":2,
                "saving_vs_greedy":1,"saving_vs_greedy_share":0.5,"horizon":["2024-01-01","2024-12-31"]}"#,
            )
            .unwrap(),
            blocks,
            days: DaysTable {
                headers: vec![],
                rows: vec![],
            },
            first,
            span: 366,
        }
    }

    #[test]
    fn many_lines_are_merged_by_enterprise_and_capped() {
        let t = Labels { english: false };
        let small = data(12, 3);
        let (rows, note) = Blocks(&small).rows(t);
        assert_eq!(rows.len(), 12, "one row per line");
        assert!(note.is_none());
        assert_eq!(rows[0].label, "L0000");
        let merged = data(120, 3);
        let (rows, note) = Blocks(&merged).rows(t);
        assert_eq!(rows.len(), 40, "one row per enterprise");
        assert_eq!(rows.iter().map(|r| r.blocks.len()).sum::<usize>(), 120);
        assert!(note.unwrap().contains("按企业合并为 40 行"));
        let capped = data(400, 2);
        let (rows, note) = Blocks(&capped).rows(t);
        assert_eq!(rows.len(), MAX_GANTT_ROWS);
        assert!(note.unwrap().contains("200 家企业"));
        // The enterprises kept have the most stopped line-days.
        let kept: f64 = rows.iter().flat_map(|r| &r.blocks).map(|b| b.1 - b.0).sum();
        let mut per: Vec<f64> = (0..200)
            .map(|e| {
                capped.blocks[e * 2..e * 2 + 2]
                    .iter()
                    .map(|b| b.days)
                    .sum::<f64>()
            })
            .collect();
        per.sort_by(|a, b| b.total_cmp(a));
        assert_eq!(kept, per[..MAX_GANTT_ROWS].iter().sum::<f64>());
        let svg = gantt("g", 366.0, &Blocks(&capped).ticks(), &rows);
        assert_eq!(svg.matches("<rect").count(), 2 * MAX_GANTT_ROWS);
        assert_eq!(Blocks(&capped).ticks().len(), 12, "month starts of 2024");
    }
}
