//! Writing the model in CPLEX LP or free MPS format, with every row and column named from the
//! registry, so that an auditor can solve it with another solver (CBC reads both).
//!
//! Two formulations, with the same optimum:
//! - **compact** (default): one binary per line × level × option allowed at that level, one
//!   `choose` row per line and level, and nesting rows that keep each level's option at most as
//!   strict as the next level's (loss, every pollutant's cut and stopping), which is exactly the
//!   nested-triple condition; its size grows linearly with a line's options;
//! - **triples**: one binary per line × nested (yellow, orange, red) triple, as the solver sees it;
//!   a line with many limit steps makes this cubic in size.

use super::family::coupling_rows;
use super::problem::{Choice, Problem, Unit};
use super::registry::{
    choose_level_name, choose_name, fair_column_name, fair_count_name, fair_link_name, nest_name,
    option_column_name, triple_column_name, SafeNames,
};
use crate::domain::{Inventory, Level, Pollutant};
use std::io::Write;

/// Which formulation to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ModelForm {
    /// One binary per line × level × option, with nesting rows (linear size).
    #[default]
    Compact,
    /// One binary per line × nested option triple (the solver's form; cubic in limit steps).
    Triples,
}

/// File format of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelFormat {
    /// CPLEX LP.
    Lp,
    /// Free MPS with quoted integer markers.
    Mps,
}

impl ModelFormat {
    /// The format a file name asks for (`.lp` or `.mps`, any case).
    pub fn from_path(path: &std::path::Path) -> Option<ModelFormat> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("lp") => Some(ModelFormat::Lp),
            Some("mps") => Some(ModelFormat::Mps),
            _ => None,
        }
    }
}

/// Why a model could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A coefficient, cost or right-hand side is not a finite number.
    #[error("模型中 {row} 的 {what} 不是有限数值（{value}），无法导出 / {row}: {what} is not finite ({value}); the model cannot be exported")]
    NonFinite {
        /// Row or column (registry name).
        row: String,
        /// Which number.
        what: &'static str,
        /// The value.
        value: f64,
    },
    /// A number of the model no solver can hold.
    #[error(transparent)]
    Numbers(#[from] super::problem::NumericError),
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Sense of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sense {
    Eq,
    Ge,
}

/// A row: registry name, sense, right-hand side and terms (column, coefficient).
pub(crate) struct ExportRow {
    pub(crate) name: String,
    pub(crate) sense: Sense,
    pub(crate) rhs: f64,
    pub(crate) terms: Vec<(usize, f64)>,
}

/// The model as rows over named binary columns.
#[derive(Default)]
pub(crate) struct Model {
    pub(crate) columns: Vec<(String, f64)>,
    pub(crate) rows: Vec<ExportRow>,
}

impl Model {
    fn column(&mut self, name: String, cost: f64) -> usize {
        self.columns.push((name, cost));
        self.columns.len() - 1
    }

    fn row(&mut self, name: String, sense: Sense, rhs: f64, terms: Vec<(usize, f64)>) {
        self.rows.push(ExportRow {
            name,
            sense,
            rhs,
            terms,
        });
    }

    /// Every number finite, else the first offending row or column.
    fn check_finite(&self) -> Result<(), ExportError> {
        let bad = |row: &str, what, value: f64| {
            (!value.is_finite()).then(|| ExportError::NonFinite {
                row: row.to_string(),
                what,
                value,
            })
        };
        for (name, cost) in &self.columns {
            if let Some(e) = bad(name, "目标系数 / cost", *cost) {
                return Err(e);
            }
        }
        for r in &self.rows {
            if let Some(e) = bad(&r.name, "右端项 / right-hand side", r.rhs) {
                return Err(e);
            }
            for &(_, c) in &r.terms {
                if let Some(e) = bad(&r.name, "系数 / coefficient", c) {
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

fn line_id<'a>(inv: &'a Inventory, u: &Unit) -> &'a str {
    &inv.lines[u.line].id
}

/// The triple form: one column per line × nested triple.
fn triples_model(inv: &Inventory, p: &Problem) -> Model {
    let mut m = Model::default();
    let first: Vec<usize> = p
        .units
        .iter()
        .map(|u| {
            let start = m.columns.len();
            for (t, &c) in u.costs.iter().enumerate() {
                m.column(triple_column_name(line_id(inv, u), t), c);
            }
            start
        })
        .collect();
    for (u, &s) in p.units.iter().zip(&first) {
        let terms = (0..u.triples.len()).map(|t| (s + t, 1.0)).collect();
        m.row(choose_name(line_id(inv, u)), Sense::Eq, 1.0, terms);
    }
    coupling(&mut m, p, |ui, k| {
        let u = &p.units[ui];
        u.triples
            .iter()
            .enumerate()
            .map(|(t, tr)| (tr[k] as usize, first[ui] + t))
            .collect()
    });
    fair_rows(&mut m, p, |ui, k| {
        let u = &p.units[ui];
        u.triples
            .iter()
            .enumerate()
            .map(|(t, tr)| (tr[k] as usize, first[ui] + t))
            .collect()
    });
    m
}

/// Every coupling family's rows (see [`super::family`]): `Σ coefficient · column ≥ rhs`.
/// `terms(unit, level)` lists the unit's (option, column) pairs at that level.
fn coupling(m: &mut Model, p: &Problem, terms: impl Fn(usize, usize) -> Vec<(usize, usize)>) {
    for row in coupling_rows(p) {
        let k = row.level.index();
        let mut coefs = Vec::new();
        for &(ui, w) in &row.members {
            let u = &p.units[ui];
            for (c, j) in terms(ui, k) {
                let v = row.coefficient(w, u, &u.choices[c]);
                if v != 0.0 {
                    coefs.push((j, v));
                }
            }
        }
        m.row(row.key, Sense::Ge, row.rhs, coefs);
    }
}

/// The fairness family: per group, level and measure a binary `w` ("the group uses this
/// measure"), rows `w ≥ Σ columns of a member taking the measure`, and `Σ w ≤ max_distinct`.
/// `terms(unit, level)` lists the unit's (option, column) pairs at that level.
fn fair_rows(m: &mut Model, p: &Problem, terms: impl Fn(usize, usize) -> Vec<(usize, usize)>) {
    for g in &p.fairness {
        let k = g.level.index();
        let mut used: std::collections::BTreeMap<String, Vec<(usize, Vec<usize>)>> =
            std::collections::BTreeMap::new();
        for &ui in &g.members {
            let u = &p.units[ui];
            let mut per_key: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
            for (c, j) in terms(ui, k) {
                per_key
                    .entry(u.choices[c].measure_key())
                    .or_default()
                    .push(j);
            }
            for (key, cols) in per_key {
                used.entry(key).or_default().push((ui, cols));
            }
        }
        let mut count = Vec::with_capacity(used.len());
        for (key, links) in used {
            let w = m.column(fair_column_name(g.level, &g.name, &key), 0.0);
            count.push((w, -1.0));
            for (ui, cols) in links {
                let row = fair_link_name(g.level, &g.name, &key, &p.figure_id(ui));
                let terms = std::iter::once((w, 1.0))
                    .chain(cols.into_iter().map(|j| (j, -1.0)))
                    .collect();
                m.row(row, Sense::Ge, 0.0, terms);
            }
        }
        let name = fair_count_name(g.level, &g.name);
        m.row(name, Sense::Ge, -(g.max_distinct as f64), count);
    }
}

/// The options of a unit usable at each level: those that appear at that level in some nested
/// triple (the rules' minima and the nesting already applied).
fn options_per_level(u: &Unit) -> [Vec<usize>; 3] {
    [0, 1, 2].map(|k| {
        let mut v: Vec<usize> = u.triples.iter().map(|t| t[k] as usize).collect();
        v.sort_unstable();
        v.dedup();
        v
    })
}

/// A named numeric attribute of a choice (what the nesting rows compare).
type Attribute = (&'static str, fn(&Choice) -> f64);

/// What nesting compares between two levels' options: loss, each pollutant's cut, stopping.
fn attributes() -> Vec<Attribute> {
    let mut out: Vec<Attribute> = vec![
        ("loss", |c| c.loss),
        (Pollutant::So2.label(), |c| c.cut[0]),
        (Pollutant::Nox.label(), |c| c.cut[1]),
        (Pollutant::Pm.label(), |c| c.cut[2]),
        (Pollutant::Vocs.label(), |c| c.cut[3]),
    ];
    out.push(("stop", |c| f64::from(u8::from(c.stop))));
    out
}

/// Per unit and level: (option index, column) of the compact form.
pub(crate) type OptionColumns = Vec<[Vec<(usize, usize)>; 3]>;

/// The compact form: one column per line × level × usable option, `choose` rows per level,
/// nesting rows between consecutive levels.
fn compact_model(inv: &Inventory, p: &Problem) -> Model {
    compact(p, |u| line_id(inv, u)).0
}

/// The compact form with its option columns; `id` names a unit's line.
pub(crate) fn compact<'s>(p: &Problem, id: impl Fn(&Unit) -> &'s str) -> (Model, OptionColumns) {
    let mut m = Model::default();
    // Per unit and level: (option index, column).
    let mut cols: Vec<[Vec<(usize, usize)>; 3]> = Vec::with_capacity(p.units.len());
    for u in &p.units {
        let usable = options_per_level(u);
        cols.push([0, 1, 2].map(|k| {
            usable[k]
                .iter()
                .map(|&c| {
                    let name = option_column_name(id(u), Level::ALL[k], c);
                    (c, m.column(name, u.level_costs[c][k]))
                })
                .collect()
        }));
    }
    let attrs = attributes();
    for (u, uc) in p.units.iter().zip(&cols) {
        let id = id(u);
        for level in Level::ALL {
            let terms = uc[level.index()].iter().map(|&(_, j)| (j, 1.0)).collect();
            m.row(choose_level_name(level, id), Sense::Eq, 1.0, terms);
        }
        for k in 0..2 {
            for (label, attr) in &attrs {
                if let Some(terms) = nesting_terms(u, &uc[k], &uc[k + 1], *attr) {
                    let name = nest_name(Level::ALL[k], Level::ALL[k + 1], label, id);
                    m.row(name, Sense::Ge, 0.0, terms);
                }
            }
        }
    }
    coupling(&mut m, p, |ui, k| cols[ui][k].clone());
    fair_rows(&mut m, p, |ui, k| cols[ui][k].clone());
    (m, cols)
}

/// Terms of `Σ attr·y(upper) − Σ attr·y(lower) ≥ 0`, scaled so that the largest coefficient is 1;
/// `None` when every usable option of both levels has the same value (the row always holds).
fn nesting_terms(
    u: &Unit,
    lower: &[(usize, usize)],
    upper: &[(usize, usize)],
    attr: fn(&Choice) -> f64,
) -> Option<Vec<(usize, f64)>> {
    let values = || lower.iter().chain(upper).map(|&(c, _)| attr(&u.choices[c]));
    let first = values().next()?;
    if values().all(|v| v == first) {
        return None;
    }
    let scale = values().fold(0.0_f64, |a, v| a.max(v.abs()));
    let terms = upper
        .iter()
        .map(|&(c, j)| (j, attr(&u.choices[c]) / scale))
        .chain(
            lower
                .iter()
                .map(|&(c, j)| (j, -attr(&u.choices[c]) / scale)),
        )
        .filter(|&(_, v)| v != 0.0)
        .collect();
    Some(terms)
}

/// A number as LP and MPS readers parse it back exactly (shortest round-trip form).
fn num(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if (1e-4..1e15).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Write the model of `p` in `format` and `form` to `w`.
pub fn write_model(
    inv: &Inventory,
    p: &Problem,
    format: ModelFormat,
    form: ModelForm,
    w: &mut impl Write,
) -> Result<(), ExportError> {
    p.check_numbers()?;
    let m = match form {
        ModelForm::Compact => compact_model(inv, p),
        ModelForm::Triples => triples_model(inv, p),
    };
    m.check_finite()?;
    let mut names = SafeNames::new(format == ModelFormat::Lp);
    let cols: Vec<String> = m.columns.iter().map(|(n, _)| names.name(n)).collect();
    let rows: Vec<String> = m.rows.iter().map(|r| names.name(&r.name)).collect();
    let comment = match form {
        ModelForm::Compact => "one option per line and level, nested from yellow to red",
        ModelForm::Triples => "one nested (yellow, orange, red) option triple per line",
    };
    match format {
        ModelFormat::Lp => write_lp(&m, &cols, &rows, comment, w)?,
        ModelFormat::Mps => write_mps(&m, &cols, &rows, comment, w)?,
    }
    Ok(())
}

/// The model as a string (for tests and small models).
pub fn model_text(
    inv: &Inventory,
    p: &Problem,
    format: ModelFormat,
    form: ModelForm,
) -> Result<String, ExportError> {
    let mut out = Vec::new();
    write_model(inv, p, format, form, &mut out)?;
    Ok(String::from_utf8(out).expect("names are UTF-8"))
}

/// CPLEX LP format. Rows without terms get a `0 <first column>` term so that they parse.
fn write_lp(
    m: &Model,
    cols: &[String],
    rows: &[String],
    comment: &str,
    w: &mut impl Write,
) -> std::io::Result<()> {
    writeln!(w, "\\ jianpai emergency-list model: {comment}")?;
    writeln!(w, "\\ objective: expected season loss (万元)")?;
    write!(w, "Minimize\n obj:")?;
    for (i, (name, (_, cost))) in cols.iter().zip(&m.columns).enumerate() {
        write!(w, " + {} {name}", num(*cost))?;
        if i % 8 == 7 {
            writeln!(w)?;
        }
    }
    if cols.is_empty() {
        write!(w, " 0 dummy")?;
    }
    write!(w, "\nSubject To\n")?;
    let filler = cols.first().map_or("dummy", String::as_str);
    for (r, name) in m.rows.iter().zip(rows) {
        write!(w, " {name}:")?;
        if r.terms.is_empty() {
            write!(w, " 0 {filler}")?;
        }
        for (i, &(j, c)) in r.terms.iter().enumerate() {
            let sign = if c < 0.0 { "-" } else { "+" };
            write!(w, " {sign} {} {}", num(c.abs()), cols[j])?;
            if i % 8 == 7 {
                write!(w, "\n  ")?;
            }
        }
        let op = match r.sense {
            Sense::Eq => "=",
            Sense::Ge => ">=",
        };
        writeln!(w, " {op} {}", num(r.rhs))?;
    }
    if cols.is_empty() {
        writeln!(w, "Bounds\n dummy = 0")?;
    }
    writeln!(w, "Binary")?;
    for name in cols {
        writeln!(w, " {name}")?;
    }
    writeln!(w, "End")
}

/// Free MPS format with the standard quoted `'MARKER'` / `'INTORG'` / `'INTEND'` lines.
fn write_mps(
    m: &Model,
    cols: &[String],
    rows: &[String],
    comment: &str,
    w: &mut impl Write,
) -> std::io::Result<()> {
    let mut by_col: Vec<Vec<(usize, f64)>> = vec![Vec::new(); cols.len()];
    for (ri, r) in m.rows.iter().enumerate() {
        for &(j, c) in &r.terms {
            by_col[j].push((ri, c));
        }
    }
    writeln!(w, "* jianpai emergency-list model: {comment}")?;
    writeln!(w, "* objective: expected season loss (万元)")?;
    writeln!(w, "NAME jianpai\nROWS\n N obj")?;
    for (r, name) in m.rows.iter().zip(rows) {
        let s = match r.sense {
            Sense::Eq => "E",
            Sense::Ge => "G",
        };
        writeln!(w, " {s} {name}")?;
    }
    writeln!(w, "COLUMNS")?;
    writeln!(w, "    MARKER    'MARKER'    'INTORG'")?;
    for ((name, (_, cost)), terms) in cols.iter().zip(&m.columns).zip(&by_col) {
        writeln!(w, "    {name} obj {}", num(*cost))?;
        for &(ri, c) in terms {
            writeln!(w, "    {name} {} {}", rows[ri], num(c))?;
        }
    }
    writeln!(w, "    MARKER    'MARKER'    'INTEND'")?;
    writeln!(w, "RHS")?;
    for (r, name) in m.rows.iter().zip(rows) {
        if r.rhs != 0.0 {
            writeln!(w, "    RHS {name} {}", num(r.rhs))?;
        }
    }
    writeln!(w, "BOUNDS")?;
    for name in cols {
        writeln!(w, " BV BND {name}")?;
    }
    writeln!(w, "ENDATA")
}
