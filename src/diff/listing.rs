//! A list as filed: `plan.csv` read back with its descriptive columns (grade, names, remarks),
//! grouped by line, optionally completed from the inventory it was made from.

use crate::domain::{Grade, Inventory, Level, Measure};
use crate::io::schema::PLAN;
use crate::plan::read::{parse_plan, read_plan_table};
use crate::validate::cells::Sheet;
use crate::validate::Report;
use std::collections::BTreeMap;
use std::path::Path;

/// One line of a list with its measure at each level.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedLine {
    /// Line id.
    pub line_id: String,
    /// Enterprise credit code.
    pub credit_code: String,
    /// Line name.
    pub line_name: String,
    /// Measure per level (`None` when the level's row is missing).
    pub measure: [Option<Measure>; 3],
    /// Obligation of the rules per level, as written.
    pub obligation: [String; 3],
    /// Cut per level and pollutant (t/d).
    pub cut: [[f64; 4]; 3],
    /// Loss per level (万元/d).
    pub loss: [f64; 3],
    /// Expected electricity share per level (核查用电比例).
    pub electricity_share: [Option<f64>; 3],
    /// Expected electricity per level (kWh/d).
    pub electricity: [Option<f64>; 3],
}

impl ListedLine {
    /// Measure code at a level (`—` when missing).
    pub fn code(&self, k: usize) -> String {
        self.measure[k]
            .as_ref()
            .map(Measure::code)
            .unwrap_or_else(|| "—".into())
    }
}

/// One enterprise of a list: what the list (or its inventory) says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedEnterprise {
    /// Credit code.
    pub credit_code: String,
    /// Name.
    pub name: String,
    /// District.
    pub district: String,
    /// Industry (as written in the list).
    pub industry: String,
    /// Grade applied.
    pub grade: Option<Grade>,
    /// On the exempt list (with its reason, possibly empty).
    pub exempt: Option<String>,
    /// 保障类 minimum load, when known.
    pub guarantee_min_load: Option<f64>,
}

/// A whole list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Listing {
    /// File the list was read from.
    pub source: String,
    /// Lines by id.
    pub lines: BTreeMap<String, ListedLine>,
    /// Enterprises by credit code.
    pub enterprises: BTreeMap<String, ListedEnterprise>,
    /// Whether exempt and guarantee facts come from the inventory (else from the list's remarks).
    pub from_inventory: bool,
    /// Expected season loss from the folder's `summary.json` (万元), when present.
    pub season_loss: Option<f64>,
}

/// Read a list (plan folder, plan file or list workbook). Errors name file, row, column and value.
pub fn read_listing(path: &Path) -> Result<Listing, Report> {
    read_listing_with(path, None)
}

/// Read a list; `inv` finds the lines of a list workbook without line ids (see
/// [`read_plan_table`]).
pub fn read_listing_with(path: &Path, inv: Option<&Inventory>) -> Result<Listing, Report> {
    let table = read_plan_table(path, inv)?;
    let rows = parse_plan(&table)?;
    let mut listing = Listing {
        source: table.source.clone(),
        ..Default::default()
    };
    for r in rows {
        let k = r.level.index();
        let line = listing
            .lines
            .entry(r.line_id.clone())
            .or_insert_with(|| ListedLine {
                line_id: r.line_id.clone(),
                credit_code: r.credit_code.clone(),
                line_name: String::new(),
                measure: [None, None, None],
                obligation: Default::default(),
                cut: [[0.0; 4]; 3],
                loss: [0.0; 3],
                electricity_share: [None; 3],
                electricity: [None; 3],
            });
        line.measure[k] = Some(r.measure);
        line.cut[k] = r.cut;
        line.loss[k] = r.loss;
        line.electricity[k] = r.electricity;
    }
    // Descriptive columns, row by row.
    let mut report = Report::default();
    let sheet = Sheet::new(&table, &PLAN, &mut report).expect("parsed above");
    for row in &table.rows {
        let id = sheet.raw(row, "line_id");
        let Some(line) = listing.lines.get_mut(id) else {
            continue;
        };
        let Some(level) = Level::parse(sheet.raw(row, "level")) else {
            continue;
        };
        let k = level.index();
        line.line_name = sheet.raw(row, "line_name").to_string();
        line.obligation[k] = sheet.raw(row, "obligation").to_string();
        line.electricity_share[k] =
            crate::validate::cells::parse_number(sheet.raw(row, "electricity_share"));
        let code = line.credit_code.clone();
        let note = sheet.raw(row, "note");
        let ent = listing
            .enterprises
            .entry(code.clone())
            .or_insert_with(|| ListedEnterprise {
                credit_code: code,
                name: sheet.raw(row, "enterprise").to_string(),
                district: sheet.raw(row, "district").to_string(),
                industry: sheet.raw(row, "industry").to_string(),
                grade: Grade::parse(sheet.raw(row, "grade")),
                exempt: None,
                guarantee_min_load: None,
            });
        if note.contains("豁免企业") && ent.exempt.is_none() {
            ent.exempt = Some(String::new());
        }
        if let Some(cap) = guarantee_cap(note) {
            ent.guarantee_min_load = Some(crate::domain::summary::round6(1.0 - cap));
        }
    }
    listing.season_loss = season_loss(path);
    Ok(listing)
}

/// The cap written in a 保障类 remark (`保障类：按最低负荷限产40%` → 0.4).
fn guarantee_cap(note: &str) -> Option<f64> {
    let rest = note.split("保障类：按最低负荷限产").nth(1)?;
    let num: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    num.parse::<f64>().ok().map(|v| v / 100.0)
}

fn season_loss(path: &Path) -> Option<f64> {
    let dir = if path.is_dir() { path } else { path.parent()? };
    let text = std::fs::read_to_string(dir.join("summary.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("objective")?.as_f64()
}

impl Listing {
    /// Replace the list's grade, exempt and guarantee facts by the inventory's, for the
    /// enterprises the inventory knows.
    pub fn attach_inventory(&mut self, inv: &Inventory) {
        for (code, e) in &inv.enterprises {
            if let Some(le) = self.enterprises.get_mut(code.as_str()) {
                le.grade = Some(inv.industries.effective_grade(&e.industry, e.grade));
                le.exempt = e.exempt.clone();
                le.guarantee_min_load = e.guarantee_min_load.map(|f| f.0);
                if le.name.is_empty() {
                    le.name = e.name.clone();
                }
                if le.district.is_empty() {
                    le.district = e.district.clone();
                }
            }
        }
        self.from_inventory = true;
    }
}
