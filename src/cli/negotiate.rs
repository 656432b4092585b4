//! `jianpai negotiate`: offers of deeper cuts by the largest emitters, valued by re-solving.

use super::plan::{load_failure, solver_flags};
use super::Failure;
use crate::exit;
use crate::io::atomic::write_bytes;
use crate::io::cells::CsvOut;
use crate::io::result_dir::{ResultDir, NEGOTIATE};
use crate::pipeline::load_with_decisions;
use crate::plan::negotiate::{negotiate, Negotiation, MAX_TOP};
use crate::plan::write::{num, write_json};
use crate::report::xlsx::{col, header, workbook, Formats};
use crate::solve::Method;
use std::path::Path;

/// Run the negotiation and write negotiation.csv / .xlsx / .json and decisions.csv.
pub fn run(
    scenario: &Path,
    top: i64,
    out: &Path,
    overrides: (Option<f64>, Option<f64>),
    english: bool,
    quiet: bool,
) -> Result<(), Failure> {
    let top = usize::try_from(top)
        .ok()
        .filter(|t| (1..=MAX_TOP).contains(t))
        .ok_or_else(|| {
            Failure::new(
                exit::USAGE,
                format!("--top {top}: 须为 1 到 {MAX_TOP} / must be from 1 to {MAX_TOP}"),
            )
        })?;
    let loaded = load_with_decisions(scenario, None).map_err(load_failure)?;
    let opts = solver_flags(
        &loaded.scenario.solver,
        Method::Mip,
        (overrides.0, overrides.1, None),
    )?;
    let inputs = super::plan::inputs(scenario, &loaded.scenario);
    let out_dir = ResultDir::create(out, NEGOTIATE, &inputs)?;
    let n = negotiate(&loaded, top, &opts)
        .map_err(|e| Failure::new(exit::INFEASIBLE, e.to_string()))?;
    let dir = out_dir.path();
    write_bytes(&dir.join("negotiation.csv"), &table_csv(&n, english))?;
    write_bytes(&dir.join("decisions.csv"), &decisions_csv(&n))?;
    write_json(&dir.join("negotiation.json"), &n)?;
    let xlsx = workbook_bytes(&n, english)
        .map_err(|e| Failure::new(exit::IO, format!("negotiation.xlsx: {e}")))?;
    write_bytes(&dir.join("negotiation.xlsx"), &xlsx)?;
    out_dir.commit()?;
    if !quiet {
        let chosen = n.offers.iter().filter(|o| o.chosen).count();
        if english {
            println!(
                "{} offers valued; {chosen} chosen: joint saving {:.2} vs sum of single savings {:.2} (10k yuan per season)",
                n.offers.len(),
                n.joint_saving,
                n.sum_of_single_savings
            );
        } else {
            println!(
                "评估 {} 项协商方案，入选 {chosen} 项：联合节省 {:.2} 万元/季（各项单独节省之和 {:.2}）",
                n.offers.len(),
                n.joint_saving,
                n.sum_of_single_savings
            );
        }
    }
    Ok(())
}

/// Column headers (Chinese, English) of negotiation.csv and the 协商清单 sheet.
const COLUMNS: [(&str, &str, f64); 11] = [
    ("排名", "rank", 6.0),
    ("统一社会信用代码", "credit_code", 22.0),
    ("企业名称", "enterprise", 28.0),
    ("排放权重得分", "score", 12.0),
    ("协商方案", "offer", 26.0),
    ("措施变化", "changes", 48.0),
    ("城市节省（万元/季）", "saving", 14.0),
    ("企业自身损失增加（万元/季）", "firm_cost", 14.0),
    ("可补偿上限（万元/季）", "max_compensation", 14.0),
    ("求解状态", "status", 12.0),
    ("入选", "chosen", 8.0),
];

/// The cells of one offer row.
fn cells(n: &Negotiation, english: bool) -> Vec<Vec<String>> {
    let opt = |v: Option<f64>| v.map_or(String::new(), |x| num(x, 2));
    n.offers
        .iter()
        .map(|o| {
            let changes: Vec<String> = o
                .changes
                .iter()
                .map(|c| {
                    let level = if english { c.level.key() } else { c.level.zh() };
                    format!("{} {level} {}→{}", c.line_id, c.from, c.to)
                })
                .collect();
            vec![
                o.rank.to_string(),
                o.credit_code.clone(),
                o.enterprise.clone(),
                num(o.score, 6),
                if english { o.kind.en() } else { o.kind.zh() }.to_string(),
                changes.join("; "),
                opt(o.saving),
                opt(o.firm_cost),
                opt(o.saving.map(|s| s.max(0.0))),
                o.status.key().to_string(),
                match (o.chosen, english) {
                    (true, true) => "yes",
                    (false, true) => "no",
                    (true, false) => "是",
                    (false, false) => "否",
                }
                .to_string(),
            ]
        })
        .collect()
}

fn table_csv(n: &Negotiation, english: bool) -> Vec<u8> {
    let mut w = CsvOut::with_bom();
    w.row(COLUMNS.map(|c| if english { c.1 } else { c.0 }));
    for r in cells(n, english) {
        w.row(&r);
    }
    w.into_bytes()
}

/// The chosen offers in the decisions format (`plan --decisions` reads it).
fn decisions_csv(n: &Negotiation) -> Vec<u8> {
    let mut w = CsvOut::with_bom();
    w.row([
        "line_id",
        "credit_code",
        "level",
        "measure",
        "mode",
        "reason",
    ]);
    for d in n.decisions() {
        let line = match &d.target {
            crate::domain::DecisionTarget::Line(id) => id.clone(),
            crate::domain::DecisionTarget::Enterprise(c) => c.to_string(),
        };
        w.row([
            line,
            String::new(),
            d.levels[0].key().to_string(),
            d.measure.code(),
            d.mode.key().to_string(),
            d.reason.clone(),
        ]);
    }
    w.into_bytes()
}

/// The 协商清单 workbook.
fn workbook_bytes(n: &Negotiation, english: bool) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let title = if english {
        "Negotiated deep cuts"
    } else {
        "协商清单"
    };
    let mut wb = workbook(title);
    let f = Formats::new();
    let ws = wb.add_worksheet();
    ws.set_name(title)?;
    let cols: Vec<_> = COLUMNS
        .iter()
        .map(|c| col(if english { c.1 } else { c.0 }, c.2))
        .collect();
    let first = header(ws, &f, title, &cols, 3)?;
    for (i, row) in cells(n, english).iter().enumerate() {
        let r = first + i as u32;
        for (c, v) in row.iter().enumerate() {
            match (c, v.parse::<f64>()) {
                (0 | 3 | 6 | 7 | 8, Ok(x)) => {
                    ws.write_number_with_format(r, c as u16, x, &f.money)?
                }
                _ => ws.write_string_with_format(r, c as u16, v, &f.text)?,
            };
        }
    }
    let r = first + n.offers.len() as u32 + 1;
    let summary = if english {
        format!(
            "chosen set: joint saving {:.2}, sum of single savings {:.2} (10k yuan per season); ranking: {}",
            n.joint_saving, n.sum_of_single_savings, n.ranking
        )
    } else {
        format!(
            "入选方案联合节省 {:.2} 万元/季，各项单独节省之和 {:.2}；排名：各污染物排放占全社会排放比例 × 红色目标比例之和",
            n.joint_saving, n.sum_of_single_savings
        )
    };
    ws.write_string(r, 0, summary)?;
    wb.save_to_buffer()
}
