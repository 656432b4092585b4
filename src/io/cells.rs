//! CSV cells that are safe to open in a spreadsheet: a text cell starting with `=`, `+`, `-`,
//! `@`, tab or carriage return would be read as a formula by Excel or LibreOffice (CSV
//! injection), so every CSV we write prefixes such a cell with a single quote, as OWASP's "CSV
//! Injection" page advises. Numbers (`-0.5`, `+3`) are not text and stay as they are. Readers of
//! our CSVs undo the prefix ([`restore`]), so names round-trip byte for byte.

use std::borrow::Cow;

/// Characters that make a spreadsheet treat a cell as a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell that is a plain decimal number (`-0.5`, `+3`, `1e-6`): not a formula, left alone.
fn is_number(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// The cell as written to a CSV file: prefixed with `'` when a spreadsheet would run it as a
/// formula, or when it already starts with a quote that [`restore`] would remove.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let formula = cell.starts_with(TRIGGERS) && !is_number(cell);
    if formula || restore(cell).len() != cell.len() {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The cell as it was before [`neutralise`]: one leading `'` removed when it is followed by a
/// formula character or by another `'`.
pub fn restore(cell: &str) -> Cow<'_, str> {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(TRIGGERS) || rest.starts_with('\'') => Cow::Borrowed(rest),
        _ => Cow::Borrowed(cell),
    }
}

/// An in-memory CSV whose every cell passes through [`neutralise`]; the one way we write CSV.
pub struct CsvOut {
    w: csv::Writer<Vec<u8>>,
}

impl CsvOut {
    /// UTF-8 with a byte-order mark, so that Excel shows Chinese.
    pub fn with_bom() -> Self {
        CsvOut {
            w: csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec()),
        }
    }

    /// UTF-8 without a byte-order mark (inventories).
    pub fn plain() -> Self {
        CsvOut {
            w: csv::WriterBuilder::new().from_writer(Vec::new()),
        }
    }

    /// Append one record.
    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| neutralise(c.as_ref()).into_owned())
            .collect();
        self.w.write_record(&cells).expect("in-memory write");
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.w.into_inner().expect("in-memory flush")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_quoted_numbers_are_not() {
        for (raw, out) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(1)", "'@SUM(1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-", "'-"),
            ("-inf", "'-inf"),
            ("'=x", "''=x"),
            ("''x", "'''x"),
            ("-0.5", "-0.5"),
            ("+3", "+3"),
            ("1e-6", "1e-6"),
            ("'abc", "'abc"),
            ("无锡", "无锡"),
            ("", ""),
        ] {
            assert_eq!(neutralise(raw), out, "{raw:?}");
            assert_eq!(restore(&neutralise(raw)), raw, "{raw:?}");
        }
    }
}
