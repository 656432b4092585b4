//! Writing `plan.csv` (UTF-8 with BOM so Excel shows Chinese) and `summary.json`, atomically.

use super::Plan;
use crate::domain::Inventory;
use crate::io::atomic::write_bytes;
use crate::io::schema::PLAN;
use crate::io::IoError;
use std::collections::HashMap;
use std::path::Path;

/// Round to a fixed number of decimals for stable, readable files.
pub fn num(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v + 0.0);
    if s.starts_with("-0") && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s[1..].to_string()
    } else {
        s
    }
}

/// CSV bytes of the plan.
pub fn plan_csv(inv: &Inventory, plan: &Plan, english: bool) -> Vec<u8> {
    let mut w = crate::io::cells::CsvOut::with_bom();
    let header: Vec<&str> = PLAN
        .columns
        .iter()
        .map(|c| if english { c.key } else { c.zh })
        .collect();
    w.row(&header);
    let lines: HashMap<&str, &crate::domain::Line> =
        inv.lines.iter().map(|l| (l.id.as_str(), l)).collect();
    for r in &plan.rows {
        let line = lines[r.line_id.as_str()];
        let ent = inv.enterprise_of(line);
        let grade = inv.industries.effective_grade(&ent.industry, ent.grade);
        let industry = inv
            .industries
            .by_code
            .get(&ent.industry)
            .map(|i| {
                if english {
                    i.name_en.clone()
                } else {
                    i.name_zh.clone()
                }
            })
            .unwrap_or_else(|| ent.industry.clone());
        let rec = [
            r.line_id.clone(),
            r.credit_code.clone(),
            ent.name.clone(),
            ent.district.clone(),
            industry,
            if english {
                grade.label_en().to_string()
            } else {
                grade.label().to_string()
            },
            line.name.clone(),
            line.process.clone(),
            if english {
                r.level.key().to_string()
            } else {
                r.level.zh().to_string()
            },
            r.measure.code(),
            r.text.clone(),
            r.obligation.clone(),
            num(r.cut[0], 6),
            num(r.cut[1], 6),
            num(r.cut[2], 6),
            num(r.cut[3], 6),
            num(r.loss, 4),
            num(r.electricity, 1),
            num(r.electricity_share, 4),
            r.note.clone(),
            r.reason.clone(),
        ];
        w.row(&rec);
    }
    w.into_bytes()
}

/// Write `plan.csv` into a folder.
pub fn write_plan(dir: &Path, inv: &Inventory, plan: &Plan, english: bool) -> Result<(), IoError> {
    write_bytes(&dir.join("plan.csv"), &plan_csv(inv, plan, english))
}

/// Write any serialisable value as pretty JSON.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), IoError> {
    let mut s = serde_json::to_string_pretty(value).expect("json");
    s.push('\n');
    write_bytes(path, s.as_bytes())
}
