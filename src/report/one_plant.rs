//! 一厂一策: one sheet per listed enterprise (its lines, the measure and cuts per level, the
//! verification indicators) with the text of its public notice board (公示牌), and an index sheet.

use super::plan_data::{ListLine, PlanData};
use super::plan_sections::{pollutant_columns, remarks};
use super::xlsx::{
    col, display_width, fit_height, header_at, page_setup, sheet_name, sheet_ref, workbook, Column,
    Formats, A4,
};
use super::Labels;
use crate::domain::{Level, Pollutant};
use rust_xlsxwriter::{Url, Workbook, Worksheet, XlsxError};
use std::collections::HashSet;

/// Response grade of a level (Ⅲ级 / Ⅱ级 / Ⅰ级).
fn response(l: Level, t: Labels) -> &'static str {
    match (l, t.english) {
        (Level::Yellow, false) => "Ⅲ级响应",
        (Level::Orange, false) => "Ⅱ级响应",
        (Level::Red, false) => "Ⅰ级响应",
        (Level::Yellow, true) => "level III response",
        (Level::Orange, true) => "level II response",
        (Level::Red, true) => "level I response",
    }
}

/// The public notice board (公示牌) of one enterprise, one string per printed line.
pub fn notice_board(d: &PlanData, firm: usize, lines: &[ListLine], t: Labels) -> Vec<String> {
    let e = d.firm(firm);
    let grade = d.grade(e);
    let mut o = vec![
        t.t(
            "重污染天气应急减排公示牌",
            "Heavy-pollution emergency reduction notice board",
        )
        .to_string(),
        format!("{}{}", t.t("企业名称：", "Enterprise: "), e.name),
        format!("{}{}", t.t("统一社会信用代码：", "Credit code: "), e.code),
        format!(
            "{}{}{}    {}{}",
            t.t("绩效等级：", "Performance grade: "),
            t.grade(grade),
            if t.english
                || matches!(
                    grade,
                    crate::domain::Grade::Leading | crate::domain::Grade::Unrated
                )
            {
                ""
            } else {
                "级"
            },
            t.t("所属行业：", "Industry: "),
            d.industry(&e.industry, t.english)
        ),
    ];
    let rem = remarks(e, t);
    if !rem.is_empty() {
        o.push(format!("{}{rem}", t.t("备注：", "Remarks: ")));
    }
    for l in Level::ALL {
        o.push(format!(
            "{}（{}）{}",
            t.level(l),
            response(l, t),
            t.t("：", ":")
        ));
        for x in lines {
            let line = d.line(x);
            let e = &x.levels[l.index()];
            let check = e
                .electricity
                .filter(|_| e.controlled())
                .map(|kwh| {
                    format!(
                        "{}{} kWh",
                        t.t(
                            "；核查：日用电量不高于 ",
                            "; check: daily electricity at most "
                        ),
                        super::html::fixed(kwh, 0)
                    )
                })
                .unwrap_or_default();
            o.push(format!("    {}：{}{check}", line.name, e.text));
        }
    }
    let phone = d
        .scenario
        .report
        .supervision_phone
        .clone()
        .unwrap_or_default();
    o.push(format!(
        "{}{phone}",
        t.t("监督电话：", "Supervision hotline: ")
    ));
    o
}

/// Width of the measure column.
const MEASURE_WIDTH: f64 = 42.0;

/// Columns of the measures table; the baseline table above it shares the column widths.
fn columns(t: Labels) -> Vec<Column> {
    let mut c = vec![
        col(t.t("生产线/设施", "Line / facility"), 16.0),
        col(t.t("工序", "Process"), 10.0),
        col(t.t("预警级别", "Level"), 10.0),
        col(t.t("措施", "Measure"), MEASURE_WIDTH),
    ];
    pollutant_columns(&mut c, t.t("减排量（吨/日）", "Cuts (t/d)"), t);
    c.push(col(
        t.t(
            "核查指标：日用电量不高于（kWh）",
            "Check: daily electricity at most (kWh)",
        ),
        16.0,
    ));
    c.push(col(
        t.t(
            "加严理由（严于最低要求时）",
            "Reason (when above the minimum)",
        ),
        REASON_WIDTH,
    ));
    c
}

/// Width of the reason column.
const REASON_WIDTH: f64 = 48.0;

/// The baseline table: electricity (C:D merged) and emissions aligned with the cut columns.
fn baseline_table(
    ws: &mut Worksheet,
    f: &Formats,
    t: Labels,
    d: &PlanData,
    row: u32,
    lines: &[ListLine],
) -> Result<u32, XlsxError> {
    ws.merge_range(
        row,
        0,
        row + 1,
        0,
        t.t("生产线/设施", "Line / facility"),
        &f.header,
    )?;
    ws.merge_range(row, 1, row + 1, 1, t.t("工序", "Process"), &f.header)?;
    ws.merge_range(
        row,
        2,
        row + 1,
        3,
        t.t("基准日用电量（kWh）", "Baseline daily electricity (kWh)"),
        &f.header,
    )?;
    ws.merge_range(
        row,
        4,
        row,
        7,
        t.t("基准排放量（吨/日）", "Baseline emissions (t/d)"),
        &f.header,
    )?;
    for p in Pollutant::ALL {
        ws.write_string_with_format(row + 1, 4 + p.index() as u16, t.pollutant(p), &f.header)?;
    }
    let mut r = row + 2;
    for x in lines {
        let line = d.line(x);
        ws.write_string_with_format(r, 0, &line.name, &f.text)?;
        ws.write_string_with_format(r, 1, &line.process, &f.text)?;
        ws.merge_range(r, 2, r, 3, "", &f.kwh)?;
        ws.write_number_with_format(r, 2, line.baseline_electricity().0, &f.kwh)?;
        for (p, v) in line.baseline_emissions().iter() {
            ws.write_number_with_format(r, 4 + p.index() as u16, v.0, &f.tonnes)?;
        }
        r += 1;
    }
    Ok(r)
}

/// The 一厂一策 workbook: an index sheet with links, then one sheet per listed enterprise.
pub fn workbook_for(d: &PlanData, f: &Formats, t: Labels) -> Result<Workbook, XlsxError> {
    let mut wb = workbook(&format!(
        "{} — {}",
        d.summary.scenario,
        t.t("一厂一策", "one plant, one policy")
    ));
    let index_name = t.t("目录", "Index");
    let mut used: HashSet<String> = HashSet::from([index_name.to_lowercase()]);
    let names: Vec<String> = d
        .firms
        .iter()
        .enumerate()
        .map(|(i, (ei, _))| sheet_name(&format!("{:04} {}", i + 1, d.firm(*ei).name), &mut used))
        .collect();
    let index = wb.add_worksheet();
    index.set_name(index_name)?;
    let cols = [
        col(t.t("序号", "No."), 6.0),
        col(t.t("企业名称", "Enterprise"), 34.0),
        col(t.t("区县", "District"), 9.0),
        col(t.t("行业", "Industry"), 12.0),
        col(t.t("绩效等级", "Grade"), 8.0),
        col(t.t("生产线数", "Lines"), 8.0),
        col(t.t("工作表", "Sheet"), 34.0),
    ];
    index.merge_range(
        0,
        0,
        0,
        6,
        &format!(
            "{} — {}",
            d.summary.scenario,
            t.t("一厂一策目录", "one plant, one policy: index")
        ),
        &f.title,
    )?;
    let first = header_at(index, f, 1, &cols)?;
    index.set_freeze_panes(first, 0)?;
    page_setup(index, A4);
    for (i, (ei, range)) in d.firms.iter().enumerate() {
        let e = d.firm(*ei);
        let r = first + i as u32;
        index.write_number_with_format(r, 0, (i + 1) as f64, &f.int)?;
        index.write_string_with_format(r, 1, &e.name, &f.text)?;
        index.write_string_with_format(r, 2, &e.district, &f.text)?;
        index.write_string_with_format(r, 3, d.industry(&e.industry, t.english), &f.text)?;
        index.write_string_with_format(r, 4, t.grade(d.grade(e)), &f.text)?;
        index.write_number_with_format(r, 5, range.len() as f64, &f.int)?;
        index.write_url(
            r,
            6,
            Url::new(format!("internal:{}!A1", sheet_ref(&names[i]))).set_text(&names[i]),
        )?;
    }
    index.autofilter(first - 1, 0, first + d.firms.len().max(1) as u32 - 1, 6)?;
    let cols = columns(t);
    for (i, (ei, range)) in d.firms.iter().enumerate() {
        let e = d.firm(*ei);
        let lines = &d.lines[range.clone()];
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name(&names[i])?;
        ws.set_paper_size(A4);
        ws.set_print_fit_to_pages(1, 0);
        let last = cols.len() as u16 - 1;
        ws.merge_range(
            0,
            0,
            0,
            last,
            &format!("{}{}", t.t("一厂一策：", "One plant, one policy: "), e.name),
            &f.title,
        )?;
        ws.set_row_height(0, 24)?;
        let info = [
            (t.t("统一社会信用代码", "Credit code"), e.code.to_string()),
            (t.t("区县", "District"), e.district.clone()),
            (t.t("行业", "Industry"), d.industry(&e.industry, t.english)),
            (t.t("绩效等级", "Grade"), t.grade(d.grade(e)).to_string()),
            (t.t("备注", "Remarks"), remarks(e, t)),
        ];
        for (k, (label, value)) in info.iter().enumerate() {
            let r = 1 + k as u32;
            ws.merge_range(r, 0, r, 1, label, &f.label)?;
            ws.merge_range(r, 2, r, 8, value, &f.text)?;
        }
        let below = baseline_table(ws, f, t, d, 7, lines)?;
        let first = header_at(ws, f, below + 1, &cols)?;
        let mut r = first;
        for x in lines {
            let line = d.line(x);
            for (l, lv) in Level::ALL.iter().zip(&x.levels) {
                ws.write_string_with_format(r, 0, &line.name, &f.text)?;
                ws.write_string_with_format(r, 1, &line.process, &f.text)?;
                ws.write_string_with_format(r, 2, t.level(*l), &f.text)?;
                ws.write_string_with_format(r, 3, &lv.text, &f.wrap)?;
                for (pi, v) in lv.cut.iter().enumerate() {
                    ws.write_number_with_format(r, 4 + pi as u16, *v, &f.tonnes)?;
                }
                match lv.electricity.filter(|_| lv.controlled()) {
                    Some(kwh) => ws.write_number_with_format(r, 8, kwh, &f.kwh)?,
                    None => ws.write_string_with_format(r, 8, "—", &f.text)?,
                };
                ws.write_string_with_format(r, 9, &lv.reason, &f.wrap)?;
                // The row's height for the taller of the wrapped cells.
                if display_width(&lv.reason) / REASON_WIDTH
                    > display_width(&lv.text) / MEASURE_WIDTH
                {
                    fit_height(ws, r, &lv.reason, REASON_WIDTH)?;
                } else {
                    fit_height(ws, r, &lv.text, MEASURE_WIDTH)?;
                }
                r += 1;
            }
        }
        let board = notice_board(d, *ei, lines, t);
        for (r, (k, text)) in (r + 1..).zip(board.iter().enumerate()) {
            let fmt = if k == 0 { &f.board_title } else { &f.board };
            ws.merge_range(r, 0, r, last, text, fmt)?;
            ws.set_row_height(r, if k == 0 { 30 } else { 20 })?;
        }
    }
    Ok(wb)
}
