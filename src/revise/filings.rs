//! The three filings of the September revision (seed item 32), as CSV (UTF-8 with BOM so Excel
//! shows Chinese): the revised list (修订后应急减排清单), the grade list (绩效分级清单) and the
//! exempt list (豁免企业清单).

use crate::diff::listing::Listing;
use crate::diff::{Cause, Classified};
use crate::domain::{Enterprise, Inventory, Level};
use crate::io::atomic::write_bytes;
use crate::io::IoError;
use crate::plan::write::num;
use crate::plan::Plan;
use std::collections::HashMap;
use std::path::Path;

/// File names of the filings.
pub const FILES: [&str; 3] = ["filing-list.csv", "filing-grades.csv", "filing-exempt.csv"];

fn csv_bytes(header: &[&str], rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut w = crate::io::cells::CsvOut::with_bom();
    w.row(header);
    for (i, r) in rows.into_iter().enumerate() {
        let mut rec = vec![(i + 1).to_string()];
        rec.extend(r);
        w.row(&rec);
    }
    w.into_bytes()
}

fn industry(inv: &Inventory, e: &Enterprise, english: bool) -> String {
    inv.industries
        .by_code
        .get(&e.industry)
        .map(|i| {
            if english {
                i.name_en.clone()
            } else {
                i.name_zh.clone()
            }
        })
        .unwrap_or_else(|| e.industry.clone())
}

fn grade(inv: &Inventory, e: &Enterprise, english: bool) -> String {
    let g = inv.industries.effective_grade(&e.industry, e.grade);
    if english { g.label_en() } else { g.label() }.to_string()
}

/// Headers of the enterprise columns every filing starts with (after 序号).
fn enterprise_header(english: bool, extra: &[&'static str]) -> Vec<&'static str> {
    let mut h = if english {
        vec![
            "no",
            "district",
            "enterprise",
            "credit_code",
            "industry",
            "grade",
        ]
    } else {
        vec![
            "序号",
            "区县",
            "企业名称",
            "统一社会信用代码",
            "行业",
            "绩效等级",
        ]
    };
    h.extend_from_slice(extra);
    h
}

/// District, name, credit code, industry and grade of an enterprise.
fn enterprise_cells(inv: &Inventory, e: &Enterprise, english: bool) -> Vec<String> {
    vec![
        e.district.clone(),
        e.name.clone(),
        e.code.to_string(),
        industry(inv, e, english),
        grade(inv, e, english),
    ]
}

/// Enterprises ordered by district (dataset order), then credit code.
fn by_district(inv: &Inventory) -> Vec<&Enterprise> {
    let order: HashMap<&str, usize> = inv
        .districts
        .keys()
        .enumerate()
        .map(|(i, d)| (d.as_str(), i))
        .collect();
    let mut v: Vec<&Enterprise> = inv.enterprises.values().collect();
    v.sort_by(|a, b| {
        let da = order
            .get(a.district.as_str())
            .copied()
            .unwrap_or(usize::MAX);
        let db = order
            .get(b.district.as_str())
            .copied()
            .unwrap_or(usize::MAX);
        da.cmp(&db).then(a.code.as_str().cmp(b.code.as_str()))
    });
    v
}

/// Write the three filings into `dir`.
pub fn write_filings(
    dir: &Path,
    inv: &Inventory,
    plan: &Plan,
    previous: &Listing,
    classified: &Classified,
    english: bool,
) -> Result<(), IoError> {
    write_bytes(
        &dir.join(FILES[0]),
        &revised_list(inv, plan, previous, classified, english),
    )?;
    write_bytes(&dir.join(FILES[1]), &grade_list(inv, previous, english))?;
    write_bytes(&dir.join(FILES[2]), &exempt_list(inv, previous, english))
}

/// 修订后应急减排清单: one row per line with its three measures and what changed.
pub fn revised_list(
    inv: &Inventory,
    plan: &Plan,
    previous: &Listing,
    classified: &Classified,
    english: bool,
) -> Vec<u8> {
    let t = |zh: &'static str, en: &'static str| if english { en } else { zh };
    let header = if english {
        enterprise_header(
            true,
            &[
                "line_id",
                "line_name",
                "process",
                "yellow_measure",
                "orange_measure",
                "red_measure",
                "measure_codes",
                "red_so2_cut_t_per_d",
                "red_nox_cut_t_per_d",
                "red_pm_cut_t_per_d",
                "red_vocs_cut_t_per_d",
                "change",
                "change_reason",
            ],
        )
    } else {
        enterprise_header(
            false,
            &[
                "生产线编号",
                "生产线名称",
                "工序",
                "黄色预警措施",
                "橙色预警措施",
                "红色预警措施",
                "措施编号（黄/橙/红）",
                "红色预警二氧化硫减排量(t/d)",
                "红色预警氮氧化物减排量(t/d)",
                "红色预警颗粒物减排量(t/d)",
                "红色预警挥发性有机物减排量(t/d)",
                "变更情况",
                "变更说明",
            ],
        )
    };
    let lines: HashMap<&str, &crate::domain::Line> =
        inv.lines.iter().map(|l| (l.id.as_str(), l)).collect();
    let mut per_line: Vec<&[crate::plan::PlanRow]> = plan.rows.chunks(3).collect();
    let rank: HashMap<&str, usize> = by_district(inv)
        .iter()
        .enumerate()
        .map(|(i, e)| (e.code.as_str(), i))
        .collect();
    per_line.sort_by_key(|rs| (rank[rs[0].credit_code.as_str()], rs[0].line_id.clone()));
    let rows = per_line
        .into_iter()
        .map(|rs| {
            let line = lines[rs[0].line_id.as_str()];
            let e = inv.enterprise_of(line);
            let (change, reason) = match previous.lines.get(&line.id) {
                None => (t("新增", "added").to_string(), String::new()),
                Some(_) => {
                    let causes: Vec<&(Cause, String)> = Level::ALL
                        .iter()
                        .filter_map(|l| classified.get(&(line.id.clone(), l.index())))
                        .collect();
                    if causes.is_empty() {
                        (t("不变", "unchanged").to_string(), String::new())
                    } else if causes.iter().any(|c| c.0 == Cause::Forced) {
                        let r = causes
                            .iter()
                            .filter(|c| c.0 == Cause::Forced)
                            .map(|c| c.1.as_str())
                            .next()
                            .unwrap_or("");
                        (
                            t("调整（强制）", "changed (forced)").to_string(),
                            r.to_string(),
                        )
                    } else {
                        (
                            t("调整（优化）", "changed (chosen)").to_string(),
                            causes[0].1.clone(),
                        )
                    }
                }
            };
            let red = rs[2].cut;
            let mut cells = enterprise_cells(inv, e, english);
            cells.extend([
                line.id.clone(),
                line.name.clone(),
                line.process.clone(),
                rs[0].text.clone(),
                rs[1].text.clone(),
                rs[2].text.clone(),
                rs.iter()
                    .map(|r| r.measure.code())
                    .collect::<Vec<_>>()
                    .join("/"),
                num(red[0], 6),
                num(red[1], 6),
                num(red[2], 6),
                num(red[3], 6),
                change,
                reason,
            ]);
            cells
        })
        .collect();
    csv_bytes(&header, rows)
}

/// 绩效分级清单: every enterprise with this year's and last year's grade.
pub fn grade_list(inv: &Inventory, previous: &Listing, english: bool) -> Vec<u8> {
    let header = if english {
        enterprise_header(true, &["grade_last_year", "change"])
    } else {
        enterprise_header(false, &["上年绩效等级", "变化"])
    };
    let rows = by_district(inv)
        .into_iter()
        .map(|e| {
            let g = inv.industries.effective_grade(&e.industry, e.grade);
            let old = previous
                .enterprises
                .get(e.code.as_str())
                .and_then(|o| o.grade);
            let change = super::grade_change(old, g);
            let mut cells = enterprise_cells(inv, e, english);
            cells.extend([
                old.map(|o| if english { o.label_en() } else { o.label() }.to_string())
                    .unwrap_or_default(),
                if english {
                    match change {
                        "升级" => "up",
                        "降级" => "down",
                        "不变" => "unchanged",
                        _ => "new",
                    }
                    .to_string()
                } else {
                    change.to_string()
                },
            ]);
            cells
        })
        .collect();
    csv_bytes(&header, rows)
}

/// 豁免企业清单: exempt enterprises with their reason and whether they are new on the list.
pub fn exempt_list(inv: &Inventory, previous: &Listing, english: bool) -> Vec<u8> {
    let t = |zh: &'static str, en: &'static str| if english { en } else { zh };
    let header = if english {
        enterprise_header(true, &["exempt_reason", "change"])
    } else {
        enterprise_header(false, &["豁免原因", "变化"])
    };
    let rows = by_district(inv)
        .into_iter()
        .filter_map(|e| {
            let reason = e.exempt.as_ref()?;
            let change = match previous.enterprises.get(e.code.as_str()) {
                Some(o) if o.exempt.is_some() => t("继续豁免", "kept"),
                Some(_) => t("新增豁免", "newly exempt"),
                None => t("新增企业", "new enterprise"),
            };
            let mut cells = enterprise_cells(inv, e, english);
            cells.extend([reason.clone(), change.to_string()]);
            Some(cells)
        })
        .collect();
    csv_bytes(&header, rows)
}
