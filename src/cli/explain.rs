//! `jianpai explain`.

use super::plan::{load_failure, report_failure};
use super::{Failure, Format};
use crate::domain::{CreditCode, Level, LineStatus};
use crate::exit;
use crate::pipeline::load_with_decisions;
use crate::plan::choice_measure;
use crate::plan::read::read_plan;
use crate::report::ReportError;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Which lines to explain.
#[derive(Debug, Clone)]
pub enum Which {
    /// One line by id.
    Line(String),
    /// Every active line of an enterprise by credit code.
    Code(String),
}

/// The parts of `summary.json` explain reads.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Head {
    kind: Option<String>,
    scenario: String,
    scenario_file: Option<String>,
    status: String,
    solver: Solver,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Solver {
    duals: Vec<f64>,
}

fn report_error(e: ReportError) -> Failure {
    let code = match &e {
        ReportError::Read { .. } => exit::IO,
        _ => exit::INVALID_INPUT,
    };
    Failure::new(code, e.to_string())
}

/// Explain the measures of a line or an enterprise in a plan directory.
pub fn run(
    dir: &Path,
    which: Which,
    scenario: Option<PathBuf>,
    decisions: Option<&Path>,
    format: Format,
    english: bool,
) -> Result<(), Failure> {
    let head: Head = crate::report::plan_data::read_summary(dir).map_err(report_error)?;
    if let Some(k) = head
        .kind
        .as_deref()
        .filter(|k| !["plan", "revision"].contains(k))
    {
        return Err(Failure::new(
            exit::INVALID_INPUT,
            format!(
                "{}：结果类型为 {k}，explain 只解释减排清单（plan） / result kind {k}: explain reads plan directories",
                dir.join("summary.json").display()
            ),
        ));
    }
    let scenario_path = match (scenario, &head.scenario_file) {
        (Some(p), _) => p,
        (None, Some(p)) => crate::io::scenario_file::resolve_stored(p, dir),
        (None, None) => {
            return Err(Failure::new(
                exit::USAGE,
                ReportError::NoScenario(dir.display().to_string()).to_string(),
            ))
        }
    };
    let loaded = load_with_decisions(&scenario_path, decisions).map_err(load_failure)?;
    let inv = &loaded.inventory;
    let (rows, file) = read_plan(dir, Some(inv)).map_err(|r| {
        report_failure(
            &r,
            format!("{}: the plan file cannot be read", dir.display()),
        )
    })?;
    let lines: Vec<usize> = match &which {
        Which::Line(id) => {
            let li = inv.lines.iter().position(|l| &l.id == id).ok_or_else(|| {
                Failure::new(
                    exit::INVALID_INPUT,
                    format!("E521 生产线 {id:?} 不在清单所用的名录中 / line {id:?} is not in the plan's inventory"),
                )
            })?;
            if inv.lines[li].status != LineStatus::Active {
                return Err(Failure::new(
                    exit::INVALID_INPUT,
                    format!("E523 生产线 {id} 停产，清单不对其采取措施 / line {id} is idle: the list gives it no measure"),
                ));
            }
            vec![li]
        }
        Which::Code(code) => {
            let parsed = CreditCode::parse(code)
                .ok()
                .filter(|c| inv.enterprises.contains_key(c))
                .ok_or_else(|| {
                    Failure::new(
                        exit::INVALID_INPUT,
                        format!("E522 统一社会信用代码 {code:?} 不在清单所用的名录中 / enterprise {code:?} is not in the plan's inventory"),
                    )
                })?;
            let v: Vec<usize> = (0..inv.lines.len())
                .filter(|&i| {
                    inv.lines[i].enterprise == parsed && inv.lines[i].status == LineStatus::Active
                })
                .collect();
            if v.is_empty() {
                return Err(Failure::new(
                    exit::INVALID_INPUT,
                    format!("E523 企业 {code} 没有在产生产线，清单不对其采取措施 / enterprise {code} has no active line: the list gives it no measure"),
                ));
            }
            v
        }
    };
    let problem = loaded.model();
    let assignment = plan_assignment(&loaded, &problem, &rows, &lines, &file)?;
    let units: Vec<usize> = (0..problem.units.len())
        .filter(|&ui| lines.contains(&problem.units[ui].line))
        .collect();
    let status = crate::solve::Status::ALL
        .into_iter()
        .find(|s| s.key() == head.status)
        .unwrap_or(crate::solve::Status::NotProven);
    let e = crate::explain::explain(
        inv,
        &loaded.resolved,
        &problem,
        &head.solver.duals,
        &assignment,
        &units,
        status,
        &head.scenario,
        english,
    );
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&e).expect("json")),
        Format::Text => print!("{}", crate::explain::render(&e, english)),
    }
    Ok(())
}

/// The plan's nested triple of every unit. The explained `lines` must each have a row per level
/// whose measure is an admissible option and whose three measures nest (else E524–E526); other
/// lines that do not fall back to their cheapest triple (they only count in whole-line stops).
fn plan_assignment(
    loaded: &crate::pipeline::Loaded,
    problem: &crate::model::Problem,
    rows: &[crate::plan::read::StatedRow],
    lines: &[usize],
    file: &str,
) -> Result<Vec<u32>, Failure> {
    let inv = &loaded.inventory;
    let by_line: std::collections::HashMap<(&str, Level), &crate::plan::read::StatedRow> = rows
        .iter()
        .map(|r| ((r.line_id.as_str(), r.level), r))
        .collect();
    let mut out = Vec::with_capacity(problem.units.len());
    for u in &problem.units {
        let id = inv.lines[u.line].id.as_str();
        let strict = lines.contains(&u.line);
        let rule = &loaded.resolved.lines[u.rule];
        let mut pick = [0usize; 3];
        let mut found = true;
        for level in Level::ALL {
            let k = level.index();
            let Some(row) = by_line.get(&(id, level)) else {
                if strict {
                    return Err(Failure::new(
                        exit::INVALID_INPUT,
                        format!(
                            "E524 {file}：没有生产线 {id} 的{}预警行 / no {} row for line {id}",
                            level.zh(),
                            level.key()
                        ),
                    ));
                }
                found = false;
                break;
            };
            let code = row.measure.code();
            let c = (0..u.choices.len())
                .find(|&c| choice_measure(&u.choices[c], rule.transport[k]).code() == code)
                .filter(|&c| u.triples.iter().any(|t| t[k] as usize == c));
            match c {
                Some(c) => pick[k] = c,
                None if strict => {
                    return Err(Failure::new(
                        exit::INVALID_INPUT,
                        format!("E525 {file} 第{}行：措施 {code} 不是生产线 {id} 在{}预警可选的措施（方案与名录、规则或决策不一致？） / row {}: measure {code} is not an admissible option of line {id} at {}", row.row, level.zh(), row.row, level.key()),
                    ))
                }
                None => {
                    found = false;
                    break;
                }
            }
        }
        let t = u
            .triples
            .iter()
            .position(|t| found && t.map(usize::from) == pick);
        match t {
            Some(t) => out.push(t as u32),
            None if strict => {
                return Err(Failure::new(
                    exit::INVALID_INPUT,
                    format!("E526 {file}：生产线 {id} 的三级措施不满足嵌套或决策（先运行 jianpai check） / the measures of line {id} do not nest or break a decision (run jianpai check)"),
                ))
            }
            None => out.push(0),
        }
    }
    Ok(out)
}
