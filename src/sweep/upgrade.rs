//! Grade-upgrade value: which enterprises, if helped to grade A (or put on the exempt list),
//! save the city the most loss. Singles are solved in parallel from the base plan; the set of
//! `k` is chosen by lazy greedy forward selection, re-solving with the set so far, so that
//! interactions (two firms that cut the same binding pollutant) are priced in.

use crate::domain::scenario::EnterpriseChange;
use crate::domain::{Inventory, Scenario};
use crate::pipeline::{load_inventory, plan_warm, prepare_with, LoadError, Planned};
use crate::rules::Rules;
use crate::solve::warm::WarmData;
use crate::solve::{Method, SolveOptions, Status};
use crate::validate::Report;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What the upgraded enterprises become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum UpgradeTo {
    /// Grade A (voluntary measures only).
    A,
    /// On the published exempt list.
    Exempt,
}

/// Settings of an upgrade study.
#[derive(Debug, Clone)]
pub struct UpgradeOptions {
    /// Size of the set.
    pub k: usize,
    /// Candidates screened (the firms carrying most loss in the base plan).
    pub candidates: usize,
    /// What they become.
    pub to: UpgradeTo,
    /// Parallel solves for the singles.
    pub jobs: usize,
}

/// One candidate.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// Credit code.
    pub code: String,
    /// Name.
    pub name: String,
    /// District.
    pub district: String,
    /// Industry code.
    pub industry: String,
    /// Grade today.
    pub grade: String,
    /// Its season loss in the base plan (万元) — the screening key.
    pub base_loss: f64,
    /// Loss the city saves if it alone is upgraded (万元).
    pub single_saving: Option<f64>,
    /// Status of that solve.
    pub single_status: String,
    /// Position in the chosen set (1-based), if chosen.
    pub chosen: Option<usize>,
    /// Saving it added when it joined the set (万元).
    pub marginal_saving: Option<f64>,
}

/// The study's result.
#[derive(Debug, Clone, Serialize)]
pub struct UpgradeResult {
    /// Always "upgrade".
    pub kind: &'static str,
    /// Base scenario name.
    pub scenario: String,
    /// What the firms become.
    pub to: UpgradeTo,
    /// Base plan's loss (万元) and status.
    pub base_loss: f64,
    /// Status of the base plan.
    pub base_status: Status,
    /// Candidates, best single saving first.
    pub candidates: Vec<Candidate>,
    /// The chosen set's codes in the order chosen.
    pub set: Vec<String>,
    /// Loss with the whole set upgraded (re-solved) and its status.
    pub set_loss: Option<f64>,
    /// Status of the set's solve.
    pub set_status: Option<Status>,
    /// Base loss − set loss.
    pub set_saving: Option<f64>,
    /// Sum of the chosen firms' single savings.
    pub sum_of_singles: f64,
    /// Solves run.
    pub solves: usize,
    /// Notes (time limits, infeasible variants).
    pub notes: Vec<String>,
}

struct Study<'a> {
    path: &'a Path,
    scenario: Scenario,
    inventory: Inventory,
    warnings: Report,
    rules: Rules,
    opts: SolveOptions,
    to: UpgradeTo,
}

impl Study<'_> {
    fn change(&self, code: &str) -> EnterpriseChange {
        EnterpriseChange {
            code: code.to_string(),
            grade: (self.to == UpgradeTo::A).then(|| "A".to_string()),
            exempt: (self.to == UpgradeTo::Exempt).then_some(true),
            guarantee_min_load: None,
        }
    }

    /// Solve the base with `codes` upgraded, warm-started from `warm`.
    fn solve(
        &self,
        codes: &[String],
        warm: Option<&WarmData>,
    ) -> Result<(Planned, Option<WarmData>, Inventory), LoadError> {
        let mut s = self.scenario.clone();
        s.changes.extend(codes.iter().map(|c| self.change(c)));
        let loaded = prepare_with(
            s,
            self.inventory.clone(),
            self.warnings.clone(),
            Some(&self.rules),
            self.path,
        )?;
        let planned = plan_warm(&loaded, &self.opts, false, warm);
        let next = planned.solution.assignment.as_ref().map(|a| {
            WarmData::record(
                &planned.problem,
                &crate::pipeline::line_ids(&loaded.inventory),
                a,
                &planned.solution.report.duals,
            )
        });
        Ok((planned, next, loaded.inventory))
    }
}

fn ok(s: Status) -> bool {
    matches!(s, Status::Optimal | Status::GapLimit | Status::TimeLimit)
}

/// Run the study.
pub fn upgrade(path: &Path, o: &UpgradeOptions) -> Result<(UpgradeResult, Scenario), LoadError> {
    let scenario = crate::io::scenario_file::read_scenario(path)?;
    let (inventory, warnings) = load_inventory(&scenario)?;
    let mut opts = crate::pipeline::solve_options(&scenario.solver, Method::Mip, None, None, None);
    opts.threads = 1;
    // Upgrades change grades, not the rules table: read it once.
    let rules = Rules::load(
        &scenario.rules,
        scenario.rule_overrides.as_deref(),
        &inventory.industries,
    )
    .map_err(LoadError::Rules)?;
    let study = Study {
        path,
        scenario: scenario.clone(),
        inventory,
        warnings,
        rules,
        opts,
        to: o.to,
    };
    let mut notes = Vec::new();
    let (base, base_warm, inv) = study.solve(&[], None)?;
    let base_status = base.summary.status;
    let mut solves = 1;
    let Some(base_loss) = base.summary.objective.filter(|_| ok(base_status)) else {
        return Ok((
            UpgradeResult {
                kind: "upgrade",
                scenario: scenario.name.clone(),
                to: o.to,
                base_loss: 0.0,
                base_status,
                candidates: Vec::new(),
                set: Vec::new(),
                set_loss: None,
                set_status: None,
                set_saving: None,
                sum_of_singles: 0.0,
                solves,
                notes: vec![format!(
                    "the base scenario has no plan: {}",
                    base_status.message()
                )],
            },
            scenario,
        ));
    };
    let mut candidates = screen(&inv, &base, o);
    // Singles, in parallel; each starts from the base plan, so results do not depend on --jobs.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(o.jobs.max(1))
        .build()
        .map_err(|e| {
            LoadError::Scenario(crate::io::IoError::Format {
                file: "--jobs".into(),
                message: e.to_string(),
            })
        })?;
    let singles: Vec<Result<(Option<f64>, Status), LoadError>> = pool.install(|| {
        candidates
            .par_iter()
            .map(|c| {
                let (p, _, _) = study.solve(std::slice::from_ref(&c.code), base_warm.as_ref())?;
                Ok((p.summary.objective, p.summary.status))
            })
            .collect()
    });
    solves += singles.len();
    for (c, r) in candidates.iter_mut().zip(singles) {
        let (loss, status) = r?;
        c.single_status = status.key().to_string();
        c.single_saving = loss.filter(|_| ok(status)).map(|l| round(base_loss - l));
        if status == Status::TimeLimit {
            notes.push(format!("{}: single solve hit the time limit", c.code));
        }
    }
    candidates.sort_by(|a, b| {
        b.single_saving
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.single_saving.unwrap_or(f64::NEG_INFINITY))
            .then(a.code.cmp(&b.code))
    });
    // Lazy greedy: a candidate's last known marginal saving bounds its next one (savings shrink
    // as the set grows); re-evaluate the best bound until it stays on top.
    let mut bound: Vec<Option<f64>> = candidates.iter().map(|c| c.single_saving).collect();
    let mut fresh: Vec<bool> = vec![false; candidates.len()];
    let mut set: Vec<String> = Vec::new();
    let mut current = (base_loss, base_warm.clone());
    while set.len() < o.k {
        let Some(best) = (0..candidates.len())
            .filter(|&i| candidates[i].chosen.is_none() && bound[i].is_some())
            .max_by(|&a, &b| {
                bound[a]
                    .unwrap_or(0.0)
                    .total_cmp(&bound[b].unwrap_or(0.0))
                    .then(b.cmp(&a))
            })
        else {
            break;
        };
        if fresh[best] {
            set.push(candidates[best].code.clone());
            candidates[best].chosen = Some(set.len());
            candidates[best].marginal_saving = bound[best];
            let (p, w, _) = study.solve(&set, current.1.as_ref())?;
            solves += 1;
            current = (p.summary.objective.unwrap_or(current.0), w.or(current.1));
            fresh.iter_mut().for_each(|f| *f = false);
            continue;
        }
        let mut trial = set.clone();
        trial.push(candidates[best].code.clone());
        let (p, _, _) = study.solve(&trial, current.1.as_ref())?;
        solves += 1;
        bound[best] = p
            .summary
            .objective
            .filter(|_| ok(p.summary.status))
            .map(|l| round(current.0 - l));
        fresh[best] = true;
    }
    // The set's loss, re-solved cold from its own scenario: what a planner would get.
    let (set_plan, _, _) = study.solve(&set, None)?;
    solves += 1;
    let set_loss = set_plan
        .summary
        .objective
        .filter(|_| ok(set_plan.summary.status));
    let sum_of_singles = round(
        candidates
            .iter()
            .filter(|c| c.chosen.is_some())
            .filter_map(|c| c.single_saving)
            .sum(),
    );
    let mut set_scenario = scenario.clone();
    set_scenario
        .changes
        .extend(set.iter().map(|c| study.change(c)));
    Ok((
        UpgradeResult {
            kind: "upgrade",
            scenario: scenario.name.clone(),
            to: o.to,
            base_loss,
            base_status,
            candidates,
            set,
            set_loss,
            set_status: Some(set_plan.summary.status),
            set_saving: set_loss.map(|l| round(base_loss - l)),
            sum_of_singles,
            solves,
            notes,
        },
        set_scenario,
    ))
}

fn round(v: f64) -> f64 {
    crate::domain::summary::round6(v)
}

/// Candidates: firms with mandatory measures (not A / 引领性, not exempt) carrying loss in the
/// base plan, most loss first.
fn screen(inv: &Inventory, base: &Planned, o: &UpgradeOptions) -> Vec<Candidate> {
    let Some(plan) = &base.plan else {
        return Vec::new();
    };
    let days = base.problem.days;
    let line_owner: HashMap<&str, &crate::domain::CreditCode> = inv
        .lines
        .iter()
        .map(|l| (l.id.as_str(), &l.enterprise))
        .collect();
    let mut loss: HashMap<&crate::domain::CreditCode, f64> = HashMap::new();
    for r in &plan.rows {
        if let Some(code) = line_owner.get(r.line_id.as_str()) {
            *loss.entry(code).or_default() += r.loss * days[r.level.index()];
        }
    }
    let mut out: Vec<Candidate> = inv
        .enterprises
        .values()
        .filter(|e| {
            e.exempt.is_none()
                && !inv
                    .industries
                    .effective_grade(&e.industry, e.grade)
                    .is_voluntary()
        })
        .filter_map(|e| {
            let l = *loss.get(&e.code)?;
            (l > 1e-9).then(|| Candidate {
                code: e.code.as_str().to_string(),
                name: e.name.clone(),
                district: e.district.clone(),
                industry: e.industry.clone(),
                grade: e.grade.label().to_string(),
                base_loss: round(l),
                single_saving: None,
                single_status: String::new(),
                chosen: None,
                marginal_saving: None,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.base_loss
            .total_cmp(&a.base_loss)
            .then(a.code.cmp(&b.code))
    });
    out.truncate(o.candidates.max(o.k));
    out
}

/// `upgrade.csv` (UTF-8 with BOM): candidates, best single saving first.
pub fn upgrade_csv(r: &UpgradeResult, english: bool) -> Vec<u8> {
    let industries = crate::validate::default_industries();
    let industry = |code: &str| {
        industries
            .by_code
            .get(code)
            .map(|i| {
                if english {
                    i.name_en.clone()
                } else {
                    i.name_zh.clone()
                }
            })
            .unwrap_or_else(|| code.to_string())
    };
    let head: [&str; 10] = if english {
        [
            "rank",
            "credit code",
            "enterprise",
            "district",
            "industry",
            "grade",
            "base-plan loss (10k yuan)",
            "single saving (10k yuan)",
            "chosen (order)",
            "marginal saving in the set (10k yuan)",
        ]
    } else {
        [
            "序号",
            "统一社会信用代码",
            "企业名称",
            "区县",
            "行业",
            "绩效等级",
            "基准方案中损失(万元)",
            "单独升级节省(万元)",
            "入选顺序",
            "入选时边际节省(万元)",
        ]
    };
    let mut w = crate::io::cells::CsvOut::with_bom();
    w.row(head);
    let f = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    for (i, c) in r.candidates.iter().enumerate() {
        w.row([
            (i + 1).to_string(),
            c.code.clone(),
            c.name.clone(),
            c.district.clone(),
            industry(&c.industry),
            c.grade.clone(),
            c.base_loss.to_string(),
            f(c.single_saving),
            c.chosen.map(|k| k.to_string()).unwrap_or_default(),
            f(c.marginal_saving),
        ]);
    }
    w.into_bytes()
}

/// The set as a scenario file over the base (for `jianpai plan` and `check`): the base's own
/// changes and the set's (arrays replace when merged, so both are written).
pub fn set_scenario_toml(
    base_file: &Path,
    out_dir: &Path,
    r: &UpgradeResult,
    set_scenario: &Scenario,
) -> String {
    #[derive(Serialize)]
    struct Overlay<'a> {
        name: String,
        base: String,
        changes: &'a [EnterpriseChange],
    }
    let base: PathBuf = base_file
        .canonicalize()
        .unwrap_or_else(|_| base_file.to_path_buf());
    let base = relative_to(&base, out_dir).unwrap_or(base);
    let what = if r.to == UpgradeTo::A {
        "升为A级"
    } else {
        "纳入豁免清单"
    };
    let overlay = Overlay {
        name: format!("{} · {}家企业{what}", r.scenario, r.set.len()),
        base: base.display().to_string(),
        changes: &set_scenario.changes,
    };
    format!(
        "# jianpai upgrade: the base scenario with {} enterprises {}\n{}",
        r.set.len(),
        if r.to == UpgradeTo::A {
            "upgraded to A"
        } else {
            "put on the exempt list"
        },
        toml::to_string(&overlay).unwrap_or_default()
    )
}

/// `target` relative to the folder `from` (both made absolute), e.g. `../../scenarios/x.toml`.
fn relative_to(target: &Path, from: &Path) -> Option<PathBuf> {
    let from = from.canonicalize().unwrap_or_else(|_| from.to_path_buf());
    let t: Vec<_> = target.components().collect();
    let f: Vec<_> = from.components().collect();
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    Some(out)
}
