//! Reading typed cells out of raw rows, recording a diagnostic for every bad cell.

use super::{is_control, Diagnostic, Report, Severity};
use crate::domain::{CreditCode, Grade};
use crate::io::schema::{ColumnSpec, TableSpec};
use crate::io::table::column_letter;
use crate::io::{RawRow, RawTable};
use crate::units::Fraction;

/// A raw table with its columns matched to a schema.
pub struct Sheet<'a> {
    /// The table.
    pub table: &'a RawTable,
    /// Spec of the table.
    pub spec: &'static TableSpec,
    /// Column index per spec column (same order as `spec.columns`).
    cols: Vec<Option<usize>>,
}

/// The diagnostic of a table that could not be read at all (`E301`, exit 7) or not parsed
/// (`E002`), naming the file.
pub fn unreadable(e: &crate::io::IoError, file: &str, hint: &str) -> Diagnostic {
    // The diagnostic names the file; the error's text names it too.
    let text = e.to_string();
    let message = text
        .strip_prefix(file)
        .and_then(|m| m.strip_prefix(": "))
        .unwrap_or(&text);
    error(e.diagnostic_code(), file, None, None, None, message, hint)
}

#[allow(clippy::too_many_arguments)]
fn diag(
    severity: Severity,
    code: &'static str,
    file: &str,
    row: Option<usize>,
    column: Option<String>,
    value: Option<&str>,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Diagnostic {
    Diagnostic {
        severity,
        code,
        file: file.to_string(),
        row,
        column,
        value: value.map(str::to_string),
        message: message.into(),
        hint: hint.into(),
    }
}

/// An error at a table position.
#[allow(clippy::too_many_arguments)]
pub fn error(
    code: &'static str,
    file: &str,
    row: Option<usize>,
    column: Option<String>,
    value: Option<&str>,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Diagnostic {
    diag(
        Severity::Error,
        code,
        file,
        row,
        column,
        value,
        message,
        hint,
    )
}

/// A warning at a table position.
pub fn warning(
    code: &'static str,
    file: &str,
    row: Option<usize>,
    column: Option<String>,
    value: Option<&str>,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Diagnostic {
    diag(
        Severity::Warning,
        code,
        file,
        row,
        column,
        value,
        message,
        hint,
    )
}

impl<'a> Sheet<'a> {
    /// Match headers to the spec; missing required columns, duplicates and an empty table are errors.
    pub fn new(table: &'a RawTable, spec: &'static TableSpec, report: &mut Report) -> Option<Self> {
        Self::matched(table, spec, false, report)
    }

    /// Like [`Sheet::new`], but a table with a header and no rows is valid (an optional table the
    /// city has nothing for, such as declared options).
    pub fn allow_empty(
        table: &'a RawTable,
        spec: &'static TableSpec,
        report: &mut Report,
    ) -> Option<Self> {
        Self::matched(table, spec, true, report)
    }

    fn matched(
        table: &'a RawTable,
        spec: &'static TableSpec,
        empty_ok: bool,
        report: &mut Report,
    ) -> Option<Self> {
        let mut ok = true;
        for n in &table.notes {
            report.push(warning(
                "W107",
                &table.source,
                None,
                None,
                None,
                n.clone(),
                "",
            ));
        }
        let mut cols = Vec::with_capacity(spec.columns.len());
        for c in spec.columns {
            let hits: Vec<usize> = table
                .headers
                .iter()
                .enumerate()
                .filter(|(_, h)| c.matches(h))
                .map(|(i, _)| i)
                .collect();
            if hits.len() > 1 {
                report.push(error(
                    "E017",
                    &table.source,
                    Some(1),
                    Some(format!(
                        "{} ({})",
                        c.zh,
                        hits.iter()
                            .map(|&i| column_letter(i))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                    None,
                    format!("two columns both mean '{}'", c.key),
                    "delete or rename one of them",
                ));
                ok = false;
            }
            if hits.is_empty() && c.required {
                report.push(error(
                    "E003",
                    &table.source,
                    Some(1),
                    Some(c.zh.to_string()),
                    None,
                    format!("required column '{}' ({}) is missing", c.zh, c.key),
                    format!(
                        "add a column headed '{}' or '{}'; headers found: {}",
                        c.zh,
                        c.key,
                        table.headers.join(", ")
                    ),
                ));
                ok = false;
            }
            cols.push(hits.first().copied());
        }
        for (i, h) in table.headers.iter().enumerate() {
            if !h.is_empty() && !spec.columns.iter().any(|c| c.matches(h)) {
                report.push(warning(
                    "W106",
                    &table.source,
                    Some(1),
                    Some(format!("{h} ({})", column_letter(i))),
                    None,
                    "unknown column, ignored",
                    "see `jianpai schema` for the accepted headers",
                ));
            }
        }
        if table.rows.is_empty() && !empty_ok {
            report.push(error(
                "E018",
                &table.source,
                None,
                None,
                None,
                "has a header but no data rows",
                "fill in the rows or remove the file",
            ));
            ok = false;
        }
        ok.then_some(Sheet { table, spec, cols })
    }

    fn spec_index(&self, key: &str) -> usize {
        self.spec
            .columns
            .iter()
            .position(|c| c.key == key)
            .unwrap_or_else(|| panic!("no column {key} in {}", self.spec.name))
    }

    /// The column spec and its position for a key.
    fn column(&self, key: &str) -> (&'static ColumnSpec, Option<usize>) {
        let i = self.spec_index(key);
        (&self.spec.columns[i], self.cols[i])
    }

    /// Column label for messages: `统一社会信用代码 (A)`.
    pub fn label(&self, key: &str) -> String {
        let (c, idx) = self.column(key);
        match idx {
            Some(i) => format!("{} ({})", self.table.headers[i], column_letter(i)),
            None => c.zh.to_string(),
        }
    }

    /// The raw cell text (empty when the column is absent).
    pub fn raw<'r>(&self, row: &'r RawRow, key: &str) -> &'r str {
        match self.column(key).1 {
            Some(i) => row.cells.get(i).map(String::as_str).unwrap_or(""),
            None => "",
        }
    }

    /// Record an error at one cell of this sheet (file, row, column label and the raw value).
    pub fn bad(
        &self,
        report: &mut Report,
        code: &'static str,
        row: &RawRow,
        key: &str,
        msg: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let value = self.raw(row, key);
        report.push(error(
            code,
            &self.table.source,
            Some(row.row),
            Some(self.label(key)),
            Some(value),
            msg,
            hint,
        ));
    }

    /// A cell that must be present when its column is required: `None` if empty (or made only of
    /// spaces and invisible characters).
    fn nonempty<'r>(&self, report: &mut Report, row: &'r RawRow, key: &str) -> Option<&'r str> {
        let v = self.raw(row, key);
        if is_blank(v) {
            let (c, idx) = self.column(key);
            if c.required && idx.is_some() {
                self.bad(
                    report,
                    "E004",
                    row,
                    key,
                    "required value is empty",
                    format!("fill in {}", c.doc),
                );
            }
            return None;
        }
        Some(v)
    }

    /// Text cell: no control characters (tabs and line breaks only in free text), no longer than
    /// its column allows.
    pub fn text(&self, report: &mut Report, row: &RawRow, key: &str) -> Option<String> {
        let v = self.nonempty(report, row, key)?;
        let rule = self.column(key).0.text;
        let layout = |c: char| rule.allows_layout() && matches!(c, '\t' | '\n' | '\r');
        if let Some(c) = v.chars().find(|&c| is_control(c) && !layout(c)) {
            self.bad(
                report,
                "E025",
                row,
                key,
                format!(
                    "holds the control character U+{:04X}{}",
                    c as u32,
                    if rule.allows_layout() {
                        ""
                    } else {
                        " (tabs and line breaks are allowed only in free text such as notes)"
                    }
                ),
                "retype the text; control characters make the list unreadable in Excel and LibreOffice",
            );
            return None;
        }
        let n = v.chars().count();
        if n > rule.max_chars() {
            self.bad(
                report,
                "E026",
                row,
                key,
                format!(
                    "is {n} characters long; this column allows at most {}",
                    rule.max_chars()
                ),
                "shorten it (names and ids are printed in the list and on notice boards)",
            );
            return None;
        }
        Some(v.to_string())
    }

    /// Non-negative finite number within the column's plausible range.
    pub fn number(&self, report: &mut Report, row: &RawRow, key: &str) -> Option<f64> {
        let v = self.nonempty(report, row, key)?;
        match parse_number(v) {
            Some(x) if x.is_finite() && x > self.column(key).0.max => {
                let c = self.column(key).0;
                self.bad(
                    report,
                    "E024",
                    row,
                    key,
                    format!(
                        "{} is beyond the plausible range 0–{} {}",
                        c.doc,
                        crate::io::schema::human(c.max),
                        c.unit
                    ),
                    "check the unit and the decimal point (see `jianpai schema` for the ranges)",
                );
                None
            }
            Some(x) if x.is_nan() || x.is_infinite() => {
                self.bad(
                    report,
                    "E007",
                    row,
                    key,
                    "is not a finite number",
                    "write a number (NaN and infinity are not allowed)",
                );
                None
            }
            Some(x) if x < 0.0 => {
                let c = self.column(key).0;
                self.bad(
                    report,
                    "E006",
                    row,
                    key,
                    format!("{} must not be negative", c.doc),
                    "correct the sign or the value",
                );
                None
            }
            Some(x) => Some(x),
            None if looks_like_date(v) => {
                let c = self.column(key).0;
                self.bad(
                    report,
                    "E027",
                    row,
                    key,
                    format!(
                        "is a date or time, not a number ({} {})",
                        c.doc, c.unit
                    ),
                    "an Excel cell formatted as 日期/时间 shows a number as a date: format the column as 常规 or 数值 and type the figure",
                );
                None
            }
            None => {
                let c = self.column(key).0;
                self.bad(
                    report,
                    "E005",
                    row,
                    key,
                    format!("is not a number ({} {})", c.doc, c.unit),
                    "write a plain number such as 12.5",
                );
                None
            }
        }
    }

    /// A share 0–1 (also `20%`).
    pub fn fraction(&self, report: &mut Report, row: &RawRow, key: &str) -> Option<Fraction> {
        let v = self.nonempty(report, row, key)?;
        let (num, pct) = match v.strip_suffix('%').or_else(|| v.strip_suffix('％')) {
            Some(n) => (n.trim(), true),
            None => (v, false),
        };
        let Some(mut x) = parse_number(num) else {
            self.bad(
                report,
                "E005",
                row,
                key,
                "is not a share",
                "write a share such as 0.2 or 20%",
            );
            return None;
        };
        if !x.is_finite() {
            self.bad(
                report,
                "E007",
                row,
                key,
                "is not a finite number",
                "write a share such as 0.2 or 20%",
            );
            return None;
        }
        if pct {
            x /= 100.0;
        }
        if !(0.0..=1.0).contains(&x) {
            self.bad(
                report,
                "E008",
                row,
                key,
                "a share must lie between 0 and 1",
                "write 0.2 or 20% for twenty per cent",
            );
            return None;
        }
        Some(Fraction(x))
    }

    /// Yes / no; empty is `None`.
    pub fn boolean(&self, report: &mut Report, row: &RawRow, key: &str) -> Option<bool> {
        let v = self.nonempty(report, row, key)?;
        match v.to_lowercase().as_str() {
            "是" | "y" | "yes" | "true" | "1" | "√" | "✓" => Some(true),
            "否" | "n" | "no" | "false" | "0" | "×" => Some(false),
            _ => {
                self.bad(
                    report,
                    "E015",
                    row,
                    key,
                    "is not yes/no",
                    "write 是 or 否 (yes/no, 1/0)",
                );
                None
            }
        }
    }

    /// A credit code with a verified check character.
    pub fn credit_code(&self, report: &mut Report, row: &RawRow, key: &str) -> Option<CreditCode> {
        let v = self.nonempty(report, row, key)?;
        match CreditCode::parse(v) {
            Ok(c) => Some(c),
            Err(e) => {
                self.bad(report, "E009", row, key, format!("not a valid 统一社会信用代码: {e}"), "copy the code from the business licence; Excel may have turned it into a number");
                None
            }
        }
    }

    /// A grade (empty = unrated).
    pub fn grade(&self, report: &mut Report, row: &RawRow, key: &str) -> Option<Grade> {
        let v = self.raw(row, key);
        match Grade::parse(v) {
            Some(g) => Some(g),
            None => {
                self.bad(
                    report,
                    "E011",
                    row,
                    key,
                    "unknown grade",
                    "use A, 引领性, B, B-, C, D, or leave empty for 未评级",
                );
                None
            }
        }
    }
}

/// Whether a cell is empty for our purposes: nothing but spaces and invisible characters (zero-width
/// spaces and joiners, word joiners, byte-order marks).
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
    })
}

/// Whether a cell reads as a date or time (`2021-01-01`, `2021/1/1 8:00`, `12:00:00`), as
/// date-formatted Excel cells are read.
fn looks_like_date(s: &str) -> bool {
    let t = s.trim();
    let date = t.len() >= 8
        && t.split([' ', 'T']).next().is_some_and(|d| {
            let parts: Vec<&str> = d.split(['-', '/']).collect();
            parts.len() == 3
                && parts[0].len() == 4
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
        });
    let time = {
        let parts: Vec<&str> = t.trim_start_matches('-').split(':').collect();
        (2..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
    };
    date || time
}

/// Parse a number as Chinese spreadsheets write it: full-width digits, thousands separators.
pub fn parse_number(s: &str) -> Option<f64> {
    let mut t: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '－' | '−' => '-',
            '，' => ',',
            c => c,
        })
        .collect();
    if t.contains(',') {
        let parts: Vec<&str> = t.split('.').collect();
        let int = parts[0];
        let groups: Vec<&str> = int.trim_start_matches('-').split(',').collect();
        let valid = groups[0].len() <= 3
            && !groups[0].is_empty()
            && groups[1..].iter().all(|g| g.len() == 3);
        if !valid || parts.len() > 2 {
            return None;
        }
        t = t.replace(',', "");
    }
    if t.is_empty()
        || t.chars().any(|c| {
            c.is_alphabetic() && !matches!(c, 'e' | 'E' | 'N' | 'a' | 'i' | 'n' | 'f' | 'I')
        })
    {
        return None;
    }
    t.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::parse_number;

    /// An unreadable table names its file once: in the diagnostic's file, not again in its text.
    #[test]
    fn unreadable_names_the_file_once() {
        let e = crate::io::IoError::Read {
            file: "data/nope.csv".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        let d = super::unreadable(&e, "data/nope.csv", "");
        assert_eq!(d.file, "data/nope.csv");
        assert!(!d.message.contains("nope.csv"), "{}", d.message);
        assert!(d.message.starts_with("cannot read"), "{}", d.message);
        // Another file's name is kept.
        let d = super::unreadable(&e, "other.csv", "");
        assert!(d.message.contains("data/nope.csv"), "{}", d.message);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("12.5"), Some(12.5));
        assert_eq!(parse_number("1,234.5"), Some(1234.5));
        assert_eq!(parse_number("１２"), Some(12.0));
        assert_eq!(parse_number("12,34"), None);
        assert_eq!(parse_number("abc"), None);
        assert!(parse_number("NaN").unwrap().is_nan());
        assert_eq!(parse_number("-3"), Some(-3.0));
    }

    #[test]
    fn dates_and_blanks() {
        use super::{is_blank, looks_like_date};
        for d in [
            "2021-01-01",
            "2021/1/1",
            "2021-01-01 08:30:00",
            "12:00:00",
            "36:00:00",
        ] {
            assert!(looks_like_date(d), "{d}");
        }
        for n in ["12.5", "1e5", "-3", "2021", "1,234"] {
            assert!(!looks_like_date(n), "{n}");
        }
        assert!(is_blank(" \u{3000}\u{200B}\u{FEFF}"));
        assert!(!is_blank(" a "));
    }
}
