//! Workbook helpers: formats a reviewer expects (t/d with 3–4 decimals, money, shares), sheet
//! names Excel accepts, titles and two-row grouped headers.

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};
use std::collections::HashSet;

/// The cell formats of every report workbook.
#[derive(Debug, Clone)]
pub struct Formats {
    /// Sheet title.
    pub title: Format,
    /// Header cells (bold, centred, wrapped, shaded, bordered).
    pub header: Format,
    /// Plain text with a border.
    pub text: Format,
    /// Wrapped text with a border.
    pub wrap: Format,
    /// Whole numbers.
    pub int: Format,
    /// Tonnes per day, 4 decimals, zero shown as `-`.
    pub tonnes: Format,
    /// Tonnes per day, 3 decimals (the printed list's narrow columns), zero shown as `-`.
    pub tonnes3: Format,
    /// Tonnes per day, 2 decimals (totals under narrow columns), zero shown as `-`.
    pub tonnes2: Format,
    /// 万元, 2 decimals with thousands separators.
    pub money: Format,
    /// kWh/d, whole numbers with thousands separators.
    pub kwh: Format,
    /// Shares as percentages.
    pub pct: Format,
    /// A label cell (bold).
    pub label: Format,
    /// Text in red (unmet targets).
    pub bad: Format,
    /// Notice board title.
    pub board_title: Format,
    /// Notice board text.
    pub board: Format,
}

impl Formats {
    /// The standard formats.
    pub fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::VerticalCenter),
            header: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xDDEBF7)),
            text: cell.clone(),
            wrap: cell.clone().set_text_wrap(),
            int: cell.clone().set_num_format("0"),
            tonnes: cell.clone().set_num_format("0.0000;-0.0000;\"-\""),
            tonnes3: cell.clone().set_num_format("0.000;-0.000;\"-\""),
            tonnes2: cell.clone().set_num_format("0.00;-0.00;\"-\""),
            money: cell.clone().set_num_format("#,##0.00"),
            kwh: cell.clone().set_num_format("#,##0"),
            pct: cell.clone().set_num_format("0.0%"),
            label: cell.clone().set_bold(),
            bad: cell.clone().set_font_color(Color::RGB(0xC00000)).set_bold(),
            board_title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_border(FormatBorder::Medium)
                .set_background_color(Color::RGB(0xFFF2CC)),
            board: Format::new()
                .set_font_size(12)
                .set_align(FormatAlign::VerticalCenter)
                .set_border(FormatBorder::Thin)
                .set_background_color(Color::RGB(0xFFFBEA)),
        }
    }
}

impl Default for Formats {
    fn default() -> Self {
        Self::new()
    }
}

/// A workbook with fixed document properties (same input → same bytes).
pub fn workbook(title: &str) -> Workbook {
    let mut wb = Workbook::new();
    let when = ExcelDateTime::from_ymd(2021, 1, 1).expect("valid date");
    wb.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_author("jianpai")
            .set_creation_datetime(&when),
    );
    wb
}

/// A sheet name Excel accepts: no `[]:*?/\`, not blank, at most 31 characters, unique in `used`.
pub fn sheet_name(want: &str, used: &mut HashSet<String>) -> String {
    let clean: String = want
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let clean = clean.trim().trim_matches('\'').to_string();
    let base: String = if clean.is_empty() {
        "Sheet".into()
    } else {
        clean
    };
    let mut n = 1;
    loop {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("~{n}")
        };
        let keep = 31 - suffix.chars().count();
        // A name may not end with an apostrophe, also after it is cut to 31 characters.
        let cut: String = base.chars().take(keep).collect();
        let name = cut.trim_end_matches('\'').trim_end().to_string() + &suffix;
        if used.insert(name.to_lowercase()) {
            return name;
        }
        n += 1;
    }
}

/// A sheet name as a formula or link reference: quoted, with `'` doubled (`'O''Brien'`), so that
/// every legal name links.
pub fn sheet_ref(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

/// A column of a table: header, width and whether it is a group member (second header row).
#[derive(Debug, Clone)]
pub struct Column {
    /// Group header over several columns (two-row header), or `None` for a single column.
    pub group: Option<String>,
    /// Column header.
    pub name: String,
    /// Width in characters.
    pub width: f64,
}

/// Column helper.
pub fn col(name: &str, width: f64) -> Column {
    Column {
        group: None,
        name: name.into(),
        width,
    }
}

/// Grouped column helper.
pub fn grouped(group: &str, name: &str, width: f64) -> Column {
    Column {
        group: Some(group.into()),
        name: name.into(),
        width,
    }
}

/// Write a title in row 0 and a header in rows 1–2 (see [`header_at`]); freeze the header and
/// `freeze_cols` columns, repeat it on printed pages. Returns the first data row.
pub fn header(
    ws: &mut Worksheet,
    f: &Formats,
    title: &str,
    cols: &[Column],
    freeze_cols: u16,
) -> Result<u32, XlsxError> {
    let last = cols.len().saturating_sub(1) as u16;
    ws.merge_range(0, 0, 0, last.max(1), title, &f.title)?;
    ws.set_row_height(0, 24)?;
    let first = header_at(ws, f, 1, cols)?;
    ws.set_freeze_panes(first, freeze_cols)?;
    ws.set_repeat_rows(1, first - 1)?;
    page_setup(ws, A3);
    Ok(first)
}

/// Paper sizes (Excel codes).
pub const A3: u8 = 8;
/// A4.
pub const A4: u8 = 9;

/// Print setup of report sheets: landscape, one page wide, narrow margins (inches).
pub fn page_setup(ws: &mut Worksheet, paper: u8) {
    ws.set_paper_size(paper);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.2, 0.2, 0.4, 0.4, 0.2, 0.2);
}

/// Write a header at `row`: group headers merged across their columns over the column names,
/// single columns merged down both rows; set the column widths. Returns the first data row.
pub fn header_at(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    cols: &[Column],
) -> Result<u32, XlsxError> {
    let two_rows = cols.iter().any(|c| c.group.is_some());
    // The top row first, then the second: constant-memory sheets accept rows only in order.
    let mut i = 0;
    while i < cols.len() {
        let c = &cols[i];
        let col = i as u16;
        match &c.group {
            Some(g) => {
                let mut j = i;
                while j + 1 < cols.len() && cols[j + 1].group.as_ref() == Some(g) {
                    j += 1;
                }
                if j > i {
                    ws.merge_range(row, col, row, j as u16, g, &f.header)?;
                } else {
                    ws.write_string_with_format(row, col, g, &f.header)?;
                }
                i = j + 1;
            }
            None => {
                if two_rows {
                    ws.merge_range(row, col, row + 1, col, &c.name, &f.header)?;
                } else {
                    ws.write_string_with_format(row, col, &c.name, &f.header)?;
                }
                i += 1;
            }
        }
    }
    for (k, c) in cols.iter().enumerate() {
        ws.set_column_width(k as u16, c.width)?;
        if c.group.is_some() {
            ws.write_string_with_format(row + 1, k as u16, &c.name, &f.header)?;
        }
    }
    Ok(if two_rows { row + 2 } else { row + 1 })
}

/// Display width of text in Excel character units (CJK characters count two).
pub fn display_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if (c as u32) < 0x2E80 { 1.1 } else { 2.0 })
        .sum()
}

/// Give a row with wrapped `text` in a column `width` wide enough height for every line.
pub fn fit_height(ws: &mut Worksheet, row: u32, text: &str, width: f64) -> Result<(), XlsxError> {
    // LibreOffice's fallback fonts are wider than Calibri: count 15 % less per line.
    let lines = (display_width(text) / (width * 0.85)).ceil().max(1.0);
    if lines > 1.0 {
        ws.set_row_height(row, 15.0 * lines)?;
    }
    Ok(())
}

/// Turn on the filter over a table written by [`header`] once its rows are known.
pub fn filter(ws: &mut Worksheet, first: u32, rows: usize, cols: usize) -> Result<(), XlsxError> {
    let last_row = (first + rows as u32).saturating_sub(1).max(first - 1);
    ws.autofilter(first - 1, 0, last_row, cols.saturating_sub(1) as u16)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = HashSet::new();
        let long = "无锡市某某某某某某某某某某某某某某某某某某某某某某某某某某某某某某有限公司";
        let a = sheet_name(long, &mut used);
        let b = sheet_name(long, &mut used);
        assert!(a.chars().count() <= 31 && b.chars().count() <= 31);
        assert_ne!(a, b);
        assert!(b.ends_with("~2"));
        assert_eq!(sheet_name("a[b]:c*?/\\", &mut used), "a_b__c____");
        assert_eq!(sheet_name("", &mut used), "Sheet");
        assert_eq!(sheet_name("A", &mut used), "A");
        assert_eq!(sheet_name("a", &mut used), "a~2", "Excel names ignore case");
    }
}
