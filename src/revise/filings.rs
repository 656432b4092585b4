//! The three filings of the September revision (seed item 32), as CSV (UTF-8 with BOM so Excel
//! shows Chinese): the revised list (修订后应急减排清单), the grade list (绩效分级清单) and the
//! exempt list (豁免企业清单). A plan without last year's list (each city of a regional plan) gets
//! the same three files with the comparison columns blank, and a region a roll-up of its cities'
//! filings with a 城市 column.

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

/// One filing: its header (序号 first) and its rows (without 序号, numbered when written).
#[derive(Debug, Clone, PartialEq)]
pub struct Filing {
    /// Column labels, 序号 first.
    pub header: Vec<&'static str>,
    /// Rows, one cell per column after 序号.
    pub rows: Vec<Vec<String>>,
}

impl Filing {
    /// The CSV: UTF-8 with BOM, rows numbered from 1.
    pub fn csv(&self) -> Vec<u8> {
        let mut w = crate::io::cells::CsvOut::with_bom();
        w.row(&self.header);
        for (i, r) in self.rows.iter().enumerate() {
            let mut rec = vec![(i + 1).to_string()];
            rec.extend(r.iter().cloned());
            w.row(&rec);
        }
        w.into_bytes()
    }
}

/// Last year's list and why each measure changed: what the filings compare this year's with.
#[derive(Clone, Copy)]
pub struct History<'a> {
    /// Last year's list.
    pub previous: &'a Listing,
    /// Each changed line × level's cause and reason.
    pub classified: &'a Classified,
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

/// The three filings of a plan that revises no earlier list (a city of a regional plan): the
/// same files and columns as a revision's, with the columns that compare with last year's list
/// (变更情况 and 变更说明, 上年绩效等级, 变化) left blank — there is no last year's list to
/// compare with; file a revision (`jianpai revise`) to fill them.
pub fn plan_filings(inv: &Inventory, plan: &Plan, english: bool) -> [Filing; 3] {
    [
        list_filing(inv, plan, None, english),
        grade_filing(inv, None, english),
        exempt_filing(inv, None, english),
    ]
}

/// Write filings in [`FILES`] order into `dir`.
pub fn write_all(dir: &Path, filings: &[Filing; 3]) -> Result<(), IoError> {
    for (name, f) in FILES.iter().zip(filings) {
        write_bytes(&dir.join(name), &f.csv())?;
    }
    Ok(())
}

/// A region's roll-up of its cities' filings (each in [`FILES`] order): every city's rows in
/// city order, a 城市 (city) column after 序号, numbered through. Built city by city as CSV text,
/// so that a province's rows are not held twice as cells.
pub struct Rollup {
    city: &'static str,
    files: Option<[(crate::io::cells::CsvOut, usize); 3]>,
}

impl Rollup {
    /// An empty roll-up (`english`: the city column's label).
    pub fn new(english: bool) -> Self {
        Rollup {
            city: if english { "city" } else { "城市" },
            files: None,
        }
    }

    /// Append one city's filings (the first city's headers head the roll-up).
    pub fn add(&mut self, name: &str, filings: &[Filing; 3]) {
        let city = self.city;
        let files = self.files.get_or_insert_with(|| {
            std::array::from_fn(|k| {
                let mut w = crate::io::cells::CsvOut::with_bom();
                let mut header = filings[k].header.clone();
                header.insert(1.min(header.len()), city);
                w.row(&header);
                (w, 0)
            })
        });
        for ((w, n), f) in files.iter_mut().zip(filings) {
            for r in &f.rows {
                *n += 1;
                let number = n.to_string();
                w.row(
                    [number.as_str(), name]
                        .into_iter()
                        .chain(r.iter().map(String::as_str)),
                );
            }
        }
    }

    /// Write the roll-up into `dir` ([`FILES`] names); nothing when no city was added.
    pub fn write_all(self, dir: &Path) -> Result<(), IoError> {
        for (name, (w, _)) in FILES.iter().zip(self.files.into_iter().flatten()) {
            write_bytes(&dir.join(name), &w.into_bytes())?;
        }
        Ok(())
    }
}

/// 修订后应急减排清单: one row per line with its three measures and what changed.
pub fn revised_list(
    inv: &Inventory,
    plan: &Plan,
    previous: &Listing,
    classified: &Classified,
    english: bool,
) -> Vec<u8> {
    let history = History {
        previous,
        classified,
    };
    list_filing(inv, plan, Some(history), english).csv()
}

/// The list filing: one row per line with its three measures and, given last year's list,
/// what changed and why (blank without it).
pub fn list_filing(
    inv: &Inventory,
    plan: &Plan,
    history: Option<History<'_>>,
    english: bool,
) -> Filing {
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
            let (change, reason) = history
                .map(|h| change_of(h, &line.id, english))
                .unwrap_or_default();
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
    Filing { header, rows }
}

/// What happened to a line since last year's list (新增, 不变, 调整（强制）/（优化）) and why.
fn change_of(h: History<'_>, line: &str, english: bool) -> (String, String) {
    let t = |zh: &'static str, en: &'static str| if english { en } else { zh };
    if !h.previous.lines.contains_key(line) {
        return (t("新增", "added").to_string(), String::new());
    }
    let causes: Vec<&(Cause, String)> = Level::ALL
        .iter()
        .filter_map(|l| h.classified.get(&(line.to_string(), l.index())))
        .collect();
    if causes.is_empty() {
        (t("不变", "unchanged").to_string(), String::new())
    } else if let Some(forced) = causes.iter().find(|c| c.0 == Cause::Forced) {
        (
            t("调整（强制）", "changed (forced)").to_string(),
            forced.1.clone(),
        )
    } else {
        (
            t("调整（优化）", "changed (chosen)").to_string(),
            causes[0].1.clone(),
        )
    }
}

/// 绩效分级清单: every enterprise with this year's and last year's grade.
pub fn grade_list(inv: &Inventory, previous: &Listing, english: bool) -> Vec<u8> {
    grade_filing(inv, Some(previous), english).csv()
}

/// The grade filing: every enterprise with its grade and, given last year's list, last year's
/// grade and the change (blank without it).
pub fn grade_filing(inv: &Inventory, previous: Option<&Listing>, english: bool) -> Filing {
    let header = if english {
        enterprise_header(true, &["grade_last_year", "change"])
    } else {
        enterprise_header(false, &["上年绩效等级", "变化"])
    };
    let rows = by_district(inv)
        .into_iter()
        .map(|e| {
            let mut cells = enterprise_cells(inv, e, english);
            let Some(previous) = previous else {
                cells.extend([String::new(), String::new()]);
                return cells;
            };
            let g = inv.industries.effective_grade(&e.industry, e.grade);
            let old = previous
                .enterprises
                .get(e.code.as_str())
                .and_then(|o| o.grade);
            let change = super::grade_change(old, g);
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
    Filing { header, rows }
}

/// 豁免企业清单: exempt enterprises with their reason and whether they are new on the list.
pub fn exempt_list(inv: &Inventory, previous: &Listing, english: bool) -> Vec<u8> {
    exempt_filing(inv, Some(previous), english).csv()
}

/// The exempt filing: exempt enterprises with their reason and, given last year's list, whether
/// they are newly exempt (blank without it).
pub fn exempt_filing(inv: &Inventory, previous: Option<&Listing>, english: bool) -> Filing {
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
            let change = match previous.map(|p| p.enterprises.get(e.code.as_str())) {
                None => "",
                Some(Some(o)) if o.exempt.is_some() => t("继续豁免", "kept"),
                Some(Some(_)) => t("新增豁免", "newly exempt"),
                Some(None) => t("新增企业", "new enterprise"),
            };
            let mut cells = enterprise_cells(inv, e, english);
            cells.extend([reason.clone(), change.to_string()]);
            Some(cells)
        })
        .collect();
    Filing { header, rows }
}
