//! The revision section of a `jianpai revise` directory (修订变化): the diff against last year's
//! list (`diff.json`) — counts per category, enterprise and line changes, measure changes per level
//! with their cause and reason — and the three filings (`filing-*.csv`) as sheets.

use super::html::{table, text, Cell};
use super::svg::{grouped_bars, Series};
use super::xlsx::{col, filter, header, Column, Formats};
use super::{Labels, ReportError, Section};
use crate::domain::Level;
use crate::revise::filings::FILES;
use rust_xlsxwriter::{Workbook, XlsxError};
use serde::Deserialize;
use std::fmt::Write;
use std::path::Path;

/// One entry of `diff.json` `changes` (enterprise, line, attribute or measure change; the fields a
/// category does not have stay empty).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Change {
    /// Credit code.
    pub credit_code: String,
    /// Enterprise name (enterprise and attribute changes).
    pub name: String,
    /// Enterprise name (line and measure changes).
    pub enterprise: String,
    /// District.
    pub district: String,
    /// Industry.
    pub industry: String,
    /// Grade.
    pub grade: String,
    /// Line id.
    pub line_id: String,
    /// Line name.
    pub line_name: String,
    /// Warning level (measure changes).
    pub level: String,
    /// Old value or measure code.
    pub old: String,
    /// New value or measure code.
    pub new: String,
    /// `stronger`, `weaker` or `different` (measure changes).
    pub direction: String,
    /// `forced` or `chosen` (measure changes).
    pub cause: String,
    /// Reason.
    pub reason: String,
}

/// `diff.json` as the report reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct DiffView {
    /// Changes by category key.
    pub changes: indexmap::IndexMap<String, Vec<Change>>,
}

/// One filing read from its CSV.
#[derive(Debug, Clone)]
pub struct Filing {
    /// Sheet name.
    pub sheet: &'static str,
    /// Header row.
    pub header: Vec<String>,
    /// Data rows.
    pub rows: Vec<Vec<String>>,
}

/// A revision directory's diff and filings.
#[derive(Debug, Clone)]
pub struct RevisionData {
    /// The diff against last year's list.
    pub diff: DiffView,
    /// The filings present in the directory.
    pub filings: Vec<Filing>,
}

/// Categories of enterprise and line changes: key, Chinese and English names.
const CATEGORIES: [(&str, &str, &str); 9] = [
    ("enterprises_added", "新增企业", "Enterprises added"),
    ("enterprises_removed", "移出企业", "Enterprises removed"),
    ("lines_added", "新增生产线", "Lines added"),
    ("lines_removed", "移出生产线", "Lines removed"),
    ("grades_up", "绩效等级提升", "Grade up"),
    ("grades_down", "绩效等级下降", "Grade down"),
    ("exempt_added", "新增豁免", "Newly exempt"),
    ("exempt_removed", "取消豁免", "No longer exempt"),
    ("guarantee_changed", "保障类变化", "Guarantee changed"),
];

/// A table column: Chinese and English header, width in the workbook.
type Col = (&'static str, &'static str, f64);

/// Columns of the enterprise and line changes.
const OTHER_COLUMNS: [Col; 11] = [
    ("类别", "Category", 14.0),
    ("统一社会信用代码", "Credit code", 22.0),
    ("企业名称", "Enterprise", 30.0),
    ("区县", "District", 10.0),
    ("行业", "Industry", 12.0),
    ("绩效等级", "Grade", 10.0),
    ("生产线编号", "Line id", 14.0),
    ("生产线名称", "Line", 20.0),
    ("原值", "Old", 12.0),
    ("新值", "New", 12.0),
    ("说明", "Reason", 40.0),
];

/// Columns of the measure changes.
const MEASURE_COLUMNS: [Col; 10] = [
    ("序号", "No.", 6.0),
    ("生产线编号", "Line id", 14.0),
    ("企业名称", "Enterprise", 30.0),
    ("统一社会信用代码", "Credit code", 22.0),
    ("预警级别", "Level", 12.0),
    ("上年措施", "Last year's measure", 12.0),
    ("本年措施", "This year's measure", 12.0),
    ("变化方向", "Direction", 10.0),
    ("变化性质", "Cause", 12.0),
    ("原因", "Reason", 50.0),
];

fn headers(cols: &[Col], t: Labels) -> Vec<String> {
    cols.iter()
        .map(|(zh, en, _)| t.t(zh, en).to_string())
        .collect()
}

fn xlsx_columns(cols: &[Col], t: Labels) -> Vec<Column> {
    cols.iter()
        .map(|(zh, en, w)| col(t.t(zh, en), *w))
        .collect()
}

/// Load `diff.json` and the filings of a revision directory.
pub fn load(dir: &Path, english: bool) -> Result<RevisionData, ReportError> {
    let path = dir.join("diff.json");
    let file = path.display().to_string();
    let body = std::fs::read_to_string(&path).map_err(|e| ReportError::Read {
        file: file.clone(),
        message: e.to_string(),
    })?;
    let diff: DiffView = serde_json::from_str(&body).map_err(|e| ReportError::Input {
        file,
        message: e.to_string(),
    })?;
    let names = if english {
        ["Revised list", "Grade list", "Exempt list"]
    } else {
        ["修订后清单", "绩效分级清单", "豁免企业清单"]
    };
    let mut filings = Vec::new();
    for (name, sheet) in FILES.iter().zip(names) {
        let path = dir.join(name);
        if path.is_file() {
            filings.push(read_filing(&path, sheet)?);
        }
    }
    Ok(RevisionData { diff, filings })
}

fn read_filing(path: &Path, sheet: &'static str) -> Result<Filing, ReportError> {
    let err = |e: csv::Error| ReportError::Input {
        file: path.display().to_string(),
        message: e.to_string(),
    };
    let mut r = csv::Reader::from_path(path).map_err(err)?;
    let header: Vec<String> = r
        .headers()
        .map_err(err)?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let rows = r
        .records()
        .map(|rec| {
            rec.map(|rec| {
                rec.iter()
                    .map(|c| crate::io::cells::restore(c).into_owned())
                    .collect()
            })
        })
        .collect::<Result<Vec<Vec<String>>, _>>()
        .map_err(err)?;
    Ok(Filing {
        sheet,
        header,
        rows,
    })
}

/// The revision sections (one: the diff and the filings).
pub fn sections(data: &RevisionData) -> Vec<Box<dyn Section + '_>> {
    vec![Box::new(Changes(data))]
}

/// Pick one side of a `中文 / English` text (texts without exactly one separator stay whole).
fn side(s: &str, t: Labels) -> String {
    match s.split(" / ").collect::<Vec<_>>().as_slice() {
        [zh, en] => t.t(zh, en).to_string(),
        _ => s.to_string(),
    }
}

fn cause_text(c: &str, t: Labels) -> String {
    match c {
        "forced" => t.t("强制变化", "forced").into(),
        "chosen" => t.t("优化选择", "chosen").into(),
        c => c.into(),
    }
}

fn direction_text(d: &str, t: Labels) -> String {
    match d {
        "stronger" => t.t("加严", "stronger").into(),
        "weaker" => t.t("放宽", "weaker").into(),
        "different" => t.t("调整", "different").into(),
        d => d.into(),
    }
}

fn level_text(l: &str, t: Labels) -> String {
    Level::parse(l).map_or(l.to_string(), |l| t.level(l))
}

/// The diff against last year's list.
struct Changes<'a>(&'a RevisionData);

impl Changes<'_> {
    fn measures(&self) -> &[Change] {
        self.0
            .diff
            .changes
            .get("measures")
            .map_or(&[], Vec::as_slice)
    }
    /// Enterprise and line changes with their category name, in category order.
    fn others(&self, t: Labels) -> Vec<(String, &Change)> {
        CATEGORIES
            .iter()
            .flat_map(|(k, zh, en)| {
                self.0
                    .diff
                    .changes
                    .get(*k)
                    .into_iter()
                    .flatten()
                    .map(|c| (t.t(zh, en).to_string(), c))
            })
            .collect()
    }
    fn other_cells(cat: &str, c: &Change, t: Labels) -> Vec<String> {
        let name = if c.name.is_empty() {
            &c.enterprise
        } else {
            &c.name
        };
        vec![
            cat.to_string(),
            c.credit_code.clone(),
            name.clone(),
            c.district.clone(),
            c.industry.clone(),
            c.grade.clone(),
            c.line_id.clone(),
            c.line_name.clone(),
            c.old.clone(),
            c.new.clone(),
            side(&c.reason, t),
        ]
    }
    fn measure_cells(c: &Change, t: Labels) -> Vec<String> {
        vec![
            c.line_id.clone(),
            c.enterprise.clone(),
            c.credit_code.clone(),
            level_text(&c.level, t),
            c.old.clone(),
            c.new.clone(),
            direction_text(&c.direction, t),
            cause_text(&c.cause, t),
            side(&c.reason, t),
        ]
    }
}

impl Section for Changes<'_> {
    fn id(&self) -> &'static str {
        "revision"
    }
    fn title(&self, t: Labels) -> String {
        t.t("修订变化", "Changes against last year").into()
    }
    fn html(&self, t: Labels) -> String {
        let changes = &self.0.diff.changes;
        let measures = self.measures();
        let mut cats: Vec<String> = CATEGORIES
            .iter()
            .map(|(_, zh, en)| t.t(zh, en).to_string())
            .collect();
        cats.push(t.t("措施变化", "Measure changes").into());
        let mut counts: Vec<f64> = CATEGORIES
            .iter()
            .map(|(k, ..)| changes.get(*k).map_or(0, Vec::len) as f64)
            .collect();
        counts.push(measures.len() as f64);
        let mut o = String::from("<div class=\"charts\">");
        o.push_str(&grouped_bars(
            t.t("各类变化数量", "Changes per category"),
            t.t("条", "count"),
            &cats,
            &[Series {
                name: t.t("变化数", "changes").into(),
                colour: "#2e75b6".into(),
                values: counts,
            }],
        ));
        let per = |l: Level, cause: &str| {
            measures
                .iter()
                .filter(|m| m.level == l.key() && m.cause == cause)
                .count() as f64
        };
        o.push_str(&grouped_bars(
            t.t("各级预警措施变化", "Measure changes per level"),
            t.t("条", "count"),
            &Level::ALL.map(|l| t.level_short(l).to_string()),
            &[("forced", "#d62828"), ("chosen", "#2e75b6")].map(|(cause, colour)| Series {
                name: cause_text(cause, t),
                colour: colour.into(),
                values: Level::ALL.map(|l| per(l, cause)).to_vec(),
            }),
        ));
        o.push_str("</div>");
        let _ = write!(
            o,
            "<h3>{} ({})</h3>",
            t.t("措施变化", "Measure changes"),
            measures.len()
        );
        let body: Vec<Vec<Cell>> = measures
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let mut r = vec![Cell::Num((i + 1) as f64, 0)];
                r.extend(Self::measure_cells(m, t).into_iter().map(text));
                r
            })
            .collect();
        o.push_str(&table(&headers(&MEASURE_COLUMNS, t), &body, true));
        let others = self.others(t);
        if !others.is_empty() {
            let _ = write!(
                o,
                "<h3>{} ({})</h3>",
                t.t("企业与生产线变化", "Enterprise and line changes"),
                others.len()
            );
            let body: Vec<Vec<Cell>> = others
                .iter()
                .map(|(cat, c)| Self::other_cells(cat, c, t).into_iter().map(text).collect())
                .collect();
            o.push_str(&table(&headers(&OTHER_COLUMNS, t), &body, true));
        }
        o
    }
    fn sheets(&self, wb: &mut Workbook, f: &Formats, t: Labels) -> Result<(), XlsxError> {
        // Enterprise and line changes.
        let others = self.others(t);
        let cols: Vec<Column> = headers(&OTHER_COLUMNS, t)
            .iter()
            .zip([
                14.0, 22.0, 30.0, 10.0, 12.0, 10.0, 14.0, 20.0, 12.0, 12.0, 40.0,
            ])
            .map(|(h, w)| col(h, w))
            .collect();
        let ws = wb.add_worksheet();
        ws.set_name(self.title(t))?;
        let first = header(ws, f, &self.title(t), &cols, 1)?;
        for (i, (cat, c)) in others.iter().enumerate() {
            for (j, v) in Self::other_cells(cat, c, t).iter().enumerate() {
                ws.write_string_with_format(first + i as u32, j as u16, v, &f.text)?;
            }
        }
        filter(ws, first, others.len(), cols.len())?;
        // Measure changes.
        let measures = self.measures();
        let cols = xlsx_columns(&MEASURE_COLUMNS, t);
        let ws = wb.add_worksheet();
        ws.set_name(t.t("措施变化", "Measure changes"))?;
        let first = header(ws, f, t.t("措施变化", "Measure changes"), &cols, 2)?;
        for (i, m) in measures.iter().enumerate() {
            let r = first + i as u32;
            ws.write_number_with_format(r, 0, (i + 1) as f64, &f.int)?;
            for (j, v) in Self::measure_cells(m, t).iter().enumerate() {
                let fmt = if m.cause == "forced" && j == 7 {
                    &f.bad
                } else {
                    &f.text
                };
                ws.write_string_with_format(r, 1 + j as u16, v, fmt)?;
            }
        }
        filter(ws, first, measures.len(), cols.len())?;
        for filing in &self.0.filings {
            filing_sheet(wb, f, filing)?;
        }
        Ok(())
    }
}

/// Whether a filing column holds numbers (序号 and the cuts in t/d).
fn numeric(header: &str) -> bool {
    matches!(header, "序号" | "no") || header.contains("t/d") || header.contains("t_per_d")
}

/// A filing as a sheet: its CSV header and rows, numbers where the column holds numbers.
fn filing_sheet(wb: &mut Workbook, f: &Formats, filing: &Filing) -> Result<(), XlsxError> {
    let cols: Vec<Column> = filing
        .header
        .iter()
        .enumerate()
        .map(|(c, h)| {
            let longest = filing
                .rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|v| super::xlsx::display_width(v))
                .fold(super::xlsx::display_width(h) * 0.6, f64::max);
            col(h, longest.clamp(6.0, 40.0) + 1.0)
        })
        .collect();
    let ws = wb.add_worksheet();
    ws.set_name(filing.sheet)?;
    let first = header(ws, f, filing.sheet, &cols, 0)?;
    ws.set_row_height(first - 1, 32)?;
    for (i, row) in filing.rows.iter().enumerate() {
        let r = first + i as u32;
        for (c, v) in row.iter().enumerate() {
            let num = filing
                .header
                .get(c)
                .filter(|h| numeric(h))
                .and_then(|_| v.parse::<f64>().ok());
            match num {
                Some(x) => {
                    let fmt = if c == 0 { &f.int } else { &f.tonnes };
                    ws.write_number_with_format(r, c as u16, x, fmt)?
                }
                None => ws.write_string_with_format(r, c as u16, v, &f.text)?,
            };
        }
    }
    filter(ws, first, filing.rows.len(), cols.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilingual_texts_and_codes_follow_the_language() {
        let zh = Labels { english: false };
        let en = Labels { english: true };
        assert_eq!(side("优化选择 / chosen", en), "chosen");
        assert_eq!(side("绩效等级 B → D", en), "绩效等级 B → D");
        assert_eq!(cause_text("forced", zh), "强制变化");
        assert_eq!(direction_text("weaker", zh), "放宽");
        assert_eq!(level_text("red", zh), "红色预警");
        assert!(numeric("红色预警二氧化硫减排量(t/d)") && numeric("序号"));
        assert!(!numeric("统一社会信用代码"));
    }
}
