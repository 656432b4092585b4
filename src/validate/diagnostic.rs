//! Diagnostics: errors reject the data, warnings flag what looks suspicious.

use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// Whether a character must never reach a terminal or a workbook raw: C0 controls, DEL, C1
/// controls, and the bidirectional overrides and isolates that reorder what is shown.
pub fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// A user value made safe to print: every control character (see [`is_control`]) is written as an
/// escape (`\n`, `\t`, `\r`, `\u{1b}`), so escape sequences in bad input never reach the terminal.
/// This is the one function through which user values go into messages.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    escape_with(s, false)
}

/// Like [`escape_controls`] but keeps line breaks, for multi-line messages printed as they are.
pub fn escape_terminal(s: &str) -> Cow<'_, str> {
    escape_with(s, true)
}

fn escape_with(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s
        .chars()
        .any(|c| is_control(c) && !(keep_newlines && c == '\n'))
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_control(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Longest value shown in full in a message; longer ones are cut with their length stated.
const SHOWN_CHARS: usize = 80;

/// A value as shown in a message: escaped, and cut after [`SHOWN_CHARS`] characters.
fn shown_value(v: &str) -> String {
    let n = v.chars().count();
    if n <= SHOWN_CHARS {
        return escape_controls(v).into_owned();
    }
    let head: String = v.chars().take(SHOWN_CHARS).collect();
    format!("{}…（共 {n} 个字符）", escape_controls(&head))
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The data is rejected.
    Error,
    /// Suspicious; the data is used as documented.
    Warning,
}

/// One finding about one place in the input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code (E0xx errors, W1xx warnings), listed in docs/validation.md.
    pub code: &'static str,
    /// File (and sheet) the finding is in.
    pub file: String,
    /// Row as shown in a spreadsheet (header = 1), if the finding is about a row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// Column header (with its letter), if about a column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The offending value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}[{}] {}", self.code, escape_controls(&self.file))?;
        if let Some(r) = self.row {
            write!(f, " row {r}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column {}", shown_value(c))?;
        }
        if let Some(v) = &self.value {
            write!(f, ", value \"{}\"", shown_value(v))?;
        }
        write!(f, ": {}", escape_controls(&self.message))?;
        if !self.hint.is_empty() {
            write!(f, " — {}", escape_controls(&self.hint))?;
        }
        Ok(())
    }
}

/// All findings of a validation run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Findings in the order they were made (file by file, row by row). Add findings with
    /// [`Report::push`] so that the error count stays right.
    pub diagnostics: Vec<Diagnostic>,
    /// Number of errors among `diagnostics`, kept by `push` so that counting is O(1): validation
    /// asks after every row, and counting by a scan made it quadratic in the number of findings.
    #[serde(skip)]
    errors: usize,
}

impl Report {
    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.errors
    }
    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }
    /// Whether any error was found.
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }
    /// Record a finding.
    pub fn push(&mut self, d: Diagnostic) {
        if d.severity == Severity::Error {
            self.errors += 1;
        }
        self.diagnostics.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_cuts_long_values() {
        assert_eq!(
            escape_controls("甲\u{1b}[31m\0x\n"),
            "甲\\u{1b}[31m\\u{0}x\\n"
        );
        assert_eq!(escape_terminal("a\nb\u{7}"), "a\nb\\u{7}");
        assert!(matches!(escape_controls("plain 名称"), Cow::Borrowed(_)));
        assert_eq!(escape_controls("\u{202E}x"), "\\u{202e}x");
        let long = "名".repeat(40_000);
        let shown = shown_value(&long);
        assert!(shown.ends_with("…（共 40000 个字符）"), "{shown}");
        assert!(shown.chars().count() < 120);
    }

    #[test]
    fn error_count_is_kept_by_push() {
        let mut r = Report::default();
        for i in 0..100_000 {
            r.push(Diagnostic {
                severity: if i % 10 == 0 {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                code: "W100",
                file: String::new(),
                row: None,
                column: None,
                value: None,
                message: String::new(),
                hint: String::new(),
            });
        }
        assert_eq!(r.error_count(), 10_000);
        assert_eq!(r.warning_count(), 90_000);
        assert!(r.has_errors());
    }
}
