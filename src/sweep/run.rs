//! Running a sweep: chains of cases in parallel (rayon), one HiGHS thread per model, each case
//! warm-started from the previous case of its chain. Every finished case is written at once
//! (`cases/NNNN.json`), so a killed sweep resumes where it stopped; the results table is built
//! from those files, so `--jobs`, `--shard` and resuming never change it.

use super::spec::{case_fingerprint, Case, Kind, Sweep};
use super::table::{csv_bytes, explain_shortfalls, failed_row, row, write_parquet, Row};
use crate::domain::Inventory;
use crate::io::result_dir::{ResultDir, SWEEP, SWEEP_PLAN};
use crate::io::scenario_file::scenario_from_table;
use crate::io::IoError;
use crate::pipeline::{load_inventory, plan_warm, prepare, LoadError};
use crate::plan::write::{write_json, write_plan};
use crate::solve::warm::WarmData;
use crate::solve::Method;
use crate::validate::Report;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// How to run a sweep.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Parallel jobs (rayon threads); each model uses one HiGHS thread.
    pub jobs: usize,
    /// Run only chains `k` of `n` (1-based `k`): a slice for an array job.
    pub shard: Option<(usize, usize)>,
    /// Also write each case's plan under `plans/NNNN/`.
    pub keep_plans: bool,
    /// English labels.
    pub english: bool,
    /// Draw a progress bar (only on a terminal).
    pub progress: bool,
    /// Never warm-start (for measuring what warm starts save).
    pub cold: bool,
}

/// A finished case as stored in `cases/NNNN.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseFile {
    /// Hash (BLAKE3) of the file as written with this field empty: a file that does not verify was
    /// edited or damaged, and its case is solved again.
    #[serde(default)]
    pub digest: String,
    /// Position (0-based).
    pub index: usize,
    /// Name.
    pub name: String,
    /// Fingerprint of the case (its scenario and this program's version).
    pub fingerprint: String,
    /// The results-table row.
    pub row: Row,
    /// Solve seconds (not in the table: the only thing that differs between identical runs).
    pub seconds: f64,
    /// What the next case of the chain starts from.
    pub warm: Option<WarmData>,
}

impl CaseFile {
    /// The file of a case that could not be solved (`status` "invalid": its scenario or inputs).
    pub fn failed(case: &Case, status: &str, message: &str, seconds: f64) -> CaseFile {
        CaseFile::new(case, failed_row(case, status, message), seconds, None)
    }

    /// A case's file with its row (not yet signed: `digest` is filled when it is written).
    pub fn new(case: &Case, row: Row, seconds: f64, warm: Option<WarmData>) -> CaseFile {
        CaseFile {
            digest: String::new(),
            index: case.index,
            name: case.name.clone(),
            fingerprint: case_fingerprint(case),
            row,
            seconds,
            warm,
        }
    }
}

/// The sweep's identity, written as `sweep.json` in every output folder (checked by merge).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SweepInfo {
    /// Always "sweep".
    pub kind: String,
    /// Sweep name.
    pub name: String,
    /// Fingerprint of all cases.
    pub fingerprint: String,
    /// Number of cases in the whole sweep.
    pub cases: usize,
    /// Warm-start chains.
    pub chains: usize,
    /// Which shard this folder holds ("k/n"), if any.
    pub shard: Option<String>,
}

/// Why a sweep could not run or finish.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Reading or writing failed.
    #[error(transparent)]
    Io(#[from] IoError),
    /// Bad `--shard` or merge inputs.
    #[error("{0}")]
    Usage(String),
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    /// Cases in this run's slice.
    pub cases: usize,
    /// Cases solved now.
    pub solved: usize,
    /// Cases found finished from an earlier run.
    pub resumed: usize,
    /// Cases that did not end optimal / within the gap (infeasible, time limit, invalid…).
    pub not_ok: Vec<(String, String)>,
    /// Cases an earlier run had finished but that were solved again, with why.
    pub redone: Vec<(String, Redo)>,
    /// The finished cases of this run's slice, in order.
    pub files: Vec<CaseFile>,
}

fn case_path(out: &Path, index: usize) -> PathBuf {
    out.join("cases").join(format!("{:04}.json", index + 1))
}

/// Why a case found in the output folder was solved again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redo {
    /// Its scenario or an input file (inventory, rules, overrides) changed since it was solved.
    Stale,
    /// The case file was edited by hand or damaged: its content hash does not match.
    Tampered,
}

impl Redo {
    /// What happened, for the terminal.
    pub fn describe(self, english: bool) -> &'static str {
        match (self, english) {
            (Redo::Stale, false) => "情景或输入文件（清单、规则）已改变，重新求解",
            (Redo::Stale, true) => {
                "the scenario or an input file (inventory, rules) changed: solved again"
            }
            (Redo::Tampered, false) => "结果文件被修改或损坏（内容校验不符），重新求解",
            (Redo::Tampered, true) => {
                "the case file was edited or damaged (content hash does not match): solved again"
            }
        }
    }
}

/// What the output folder holds for a case.
enum Earlier {
    /// Nothing: never solved.
    None,
    /// A finished case that verifies and matches the case's fingerprint.
    Done(Box<CaseFile>),
    /// A file that cannot be used.
    Redo(Redo),
}

/// Read and verify a case file: `Err` when it is damaged or edited (its digest does not match).
fn read_case(path: &Path) -> Result<Option<CaseFile>, IoError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(IoError::Format {
                file: path.display().to_string(),
                message: format!("damaged case file: {e}"),
            })
        }
    };
    let bad = |message: String| IoError::Format {
        file: path.display().to_string(),
        message,
    };
    let f: CaseFile =
        serde_json::from_str(&text).map_err(|e| bad(format!("damaged case file: {e}")))?;
    if !super::digest::verify(&text, &f.digest) {
        return Err(bad(
            "case file edited or damaged: its content hash does not match".into(),
        ));
    }
    Ok(Some(f))
}

/// What an earlier run left for a case.
fn finished(out: &Path, case: &Case) -> Earlier {
    match read_case(&case_path(out, case.index)) {
        Ok(None) => Earlier::None,
        Ok(Some(f)) if f.fingerprint == case_fingerprint(case) => Earlier::Done(Box::new(f)),
        Ok(Some(_)) => Earlier::Redo(Redo::Stale),
        Err(_) => Earlier::Redo(Redo::Tampered),
    }
}

/// Write a case file with its content hash.
fn write_case(path: &Path, f: &CaseFile) -> Result<(), IoError> {
    let blank = CaseFile {
        digest: String::new(),
        ..f.clone()
    };
    let mut text = serde_json::to_string_pretty(&blank).expect("json");
    text.push('\n');
    crate::io::atomic::write_bytes(path, super::digest::sign(&text).as_bytes())
}

/// The chains (case ranges) that shard `k/n` runs.
pub fn shard_chains(
    sweep: &Sweep,
    shard: Option<(usize, usize)>,
) -> Result<Vec<std::ops::Range<usize>>, SweepError> {
    let chains = sweep.chain_ranges();
    let Some((k, n)) = shard else {
        return Ok(chains);
    };
    if k == 0 || k > n {
        return Err(SweepError::Usage(format!(
            "--shard {k}/{n}: expected K/N with 1 ≤ K ≤ N"
        )));
    }
    if n > chains.len() {
        return Err(SweepError::Usage(format!(
            "--shard {k}/{n}: the sweep has {} warm-start chains; use at most that many shards or raise `chains` in the sweep file",
            chains.len()
        )));
    }
    Ok(chains
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % n == k - 1)
        .map(|(_, r)| r)
        .collect())
}

/// Inventories shared by the cases (loaded once per dataset).
#[derive(Default)]
struct Inventories(Mutex<HashMap<PathBuf, Arc<LoadedInventory>>>);

/// A validated inventory with its warnings, or why it could not be loaded.
type LoadedInventory = Result<(Inventory, Report), String>;

impl Inventories {
    fn get(&self, s: &crate::domain::Scenario) -> Arc<LoadedInventory> {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(s.inventory.clone())
            .or_insert_with(|| Arc::new(load_inventory(s).map_err(|e| load_message(&e))))
            .clone()
    }
}

/// A load error with its first findings (the table has one cell for it).
pub(super) fn load_message(e: &LoadError) -> String {
    match e {
        LoadError::Inventory(r) | LoadError::Rules(r) | LoadError::Calendar(r) => {
            let first: Vec<String> = r
                .diagnostics
                .iter()
                .take(3)
                .map(|d| d.to_string())
                .collect();
            format!("{e}: {}", first.join(" / "))
        }
        e => e.to_string(),
    }
}

/// Solve one case. Returns its file (row and warm data for the next case).
fn solve_case(
    sweep: &Sweep,
    case: &Case,
    warm: Option<&WarmData>,
    inventories: &Inventories,
    out: &Path,
    o: &RunOptions,
) -> Result<CaseFile, SweepError> {
    if sweep.kind == Kind::Region {
        return Ok(super::region::solve_case(sweep, case, o.english));
    }
    let t0 = std::time::Instant::now();
    let fail = |status: &str, message: String| {
        CaseFile::failed(case, status, &message, t0.elapsed().as_secs_f64())
    };
    let scenario = match scenario_from_table(&sweep.file, case.scenario.clone()) {
        Ok(s) => s,
        Err(e) => return Ok(fail("invalid", e.to_string())),
    };
    let inv = inventories.get(&scenario);
    let (inventory, report) = match inv.as_ref() {
        Ok(x) => x,
        Err(e) => return Ok(fail("invalid", e.clone())),
    };
    let loaded = match prepare(scenario, inventory.clone(), report.clone(), &sweep.file) {
        Ok(l) => l,
        Err(e) => return Ok(fail("invalid", load_message(&e))),
    };
    let mut opts =
        crate::pipeline::solve_options(&loaded.scenario.solver, Method::Mip, None, None, None);
    opts.threads = 1;
    let planned = plan_warm(&loaded, &opts, o.english, warm.filter(|_| !o.cold));
    if o.keep_plans {
        let kept = ResultDir::create(
            &out.join("plans").join(format!("{:04}", case.index + 1)),
            SWEEP_PLAN,
            &[],
        )?;
        let dir = kept.path();
        if let Some(p) = &planned.plan {
            write_plan(dir, &loaded.inventory, p, o.english)?;
        }
        write_json(&dir.join("summary.json"), &planned.summary)?;
        // The merged scenario, so that `jianpai check` and reports can re-derive the plan.
        let text = toml::to_string(&case.scenario).unwrap_or_default();
        crate::io::atomic::write_bytes(&dir.join("scenario.toml"), text.as_bytes())?;
        kept.commit()?;
    }
    let mut row = row(case, &planned.summary);
    explain_shortfalls(&mut row, &planned.shortfalls);
    let warm = planned.solution.assignment.as_ref().map(|a| {
        WarmData::record(
            &planned.problem,
            &crate::pipeline::line_ids(&loaded.inventory),
            a,
            &planned.solution.report.duals,
        )
    });
    Ok(CaseFile::new(case, row, t0.elapsed().as_secs_f64(), warm))
}

/// Run (or resume) a sweep into `dir`: case files (and kept plans) go into the target folder
/// as they finish, so that a killed run resumes; the results table goes into the staging folder
/// with links to the case files, for the caller to [`ResultDir::commit`].
pub fn run(sweep: &Sweep, dir: &ResultDir, o: &RunOptions) -> Result<RunSummary, SweepError> {
    let chains = shard_chains(sweep, o.shard)?;
    if o.keep_plans && sweep.kind == Kind::Region {
        return Err(SweepError::Usage(format!(
            "--plans: not available for a regional sweep ({}); plan one case's region with \
             `jianpai region` to keep its lists",
            sweep.file.display()
        )));
    }
    let out = dir.in_place()?;
    std::fs::create_dir_all(out.join("cases")).map_err(|source| IoError::Write {
        file: out.display().to_string(),
        source,
    })?;
    let info = SweepInfo {
        kind: "sweep".into(),
        name: sweep.name.clone(),
        fingerprint: sweep.fingerprint(),
        cases: sweep.cases.len(),
        chains: sweep.chain_ranges().len(),
        shard: o.shard.map(|(k, n)| format!("{k}/{n}")),
    };
    write_json(&out.join("sweep.json"), &info)?;
    // Cases finished by an earlier run, each file read once.
    let earlier: Vec<Vec<Earlier>> = chains
        .iter()
        .map(|r| r.clone().map(|i| finished(out, &sweep.cases[i])).collect())
        .collect();
    let redone: Vec<(String, Redo)> = chains
        .iter()
        .zip(&earlier)
        .flat_map(|(r, e)| r.clone().zip(e))
        .filter_map(|(i, e)| match e {
            Earlier::Redo(why) => Some((sweep.cases[i].name.clone(), *why)),
            _ => None,
        })
        .collect();
    let todo = earlier
        .iter()
        .flatten()
        .filter(|f| !matches!(f, Earlier::Done(_)))
        .count();
    let bar = if o.progress && todo > 0 {
        let b = ProgressBar::new(todo as u64);
        b.set_style(
            ProgressStyle::with_template(
                "{bar:30} {pos}/{len} 情景 · {elapsed} 已用 · 预计剩余 {eta} · {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    } else {
        ProgressBar::hidden()
    };
    let inventories = Inventories::default();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(o.jobs.max(1))
        .build()
        .map_err(|e| SweepError::Usage(format!("--jobs {}: {e}", o.jobs)))?;
    let solved = std::sync::atomic::AtomicUsize::new(0);
    let per_chain: Vec<Vec<CaseFile>> = pool.install(|| {
        chains
            .par_iter()
            .zip(earlier)
            .map(|(range, done)| -> Result<Vec<CaseFile>, SweepError> {
                let mut warm: Option<WarmData> = None;
                let mut files = Vec::with_capacity(range.len());
                for (i, prior) in range.clone().zip(done) {
                    let case = &sweep.cases[i];
                    let mut file = match prior {
                        Earlier::Done(f) => *f,
                        Earlier::None | Earlier::Redo(_) => {
                            let f = solve_case(sweep, case, warm.as_ref(), &inventories, out, o)?;
                            write_case(&case_path(out, i), &f)?;
                            solved.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            bar.set_message(case.name.clone());
                            bar.inc(1);
                            f
                        }
                    };
                    // Keep the warm data for the next case only; the table needs the rows.
                    if let Some(w) = file.warm.take() {
                        warm = Some(w);
                    }
                    files.push(file);
                }
                Ok(files)
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    bar.finish_and_clear();
    let files: Vec<CaseFile> = per_chain.into_iter().flatten().collect();
    for kept in ["cases", "plans", "sweep.json"] {
        dir.carry_over(kept)?;
    }
    write_table(dir.path(), &files, o.english, &sweep.name)?;
    let solved = solved.into_inner();
    Ok(RunSummary {
        cases: files.len(),
        solved,
        resumed: files.len() - solved,
        not_ok: not_ok(&files),
        redone,
        files,
    })
}

/// Cases whose status is not optimal / within the gap, with their status.
pub fn not_ok(files: &[CaseFile]) -> Vec<(String, String)> {
    files
        .iter()
        .filter_map(|f| {
            let st = f.row.get("status").and_then(|v| v.as_str()).unwrap_or("");
            (!matches!(st, "optimal" | "gap_limit")).then(|| (f.name.clone(), st.to_string()))
        })
        .collect()
}

/// Write `results.csv`, `results.parquet` and `summary.json` (kind "sweep") from case files.
pub fn write_table(
    out: &Path,
    files: &[CaseFile],
    english: bool,
    name: &str,
) -> Result<(), SweepError> {
    let rows: Vec<Row> = files.iter().map(|f| f.row.clone()).collect();
    let industries = crate::validate::default_industries();
    crate::io::atomic::write_bytes(
        &out.join("results.csv"),
        &csv_bytes(&rows, english, &industries),
    )?;
    write_parquet(&out.join("results.parquet"), &rows)?;
    let mut statuses: std::collections::BTreeMap<String, usize> = Default::default();
    for f in files {
        let st = f
            .row
            .get("status")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        *statuses.entry(st).or_default() += 1;
    }
    let summary = serde_json::json!({
        "kind": "sweep",
        "name": name,
        "cases": files.len(),
        "statuses": statuses,
        "table": ["results.csv", "results.parquet"],
    });
    write_json(&out.join("summary.json"), &summary)?;
    Ok(())
}

/// Merge the folders of shards (or partial runs) of one sweep into one table in `out`.
pub fn merge(dirs: &[PathBuf], out: &Path, english: bool) -> Result<usize, SweepError> {
    let inputs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    let target = ResultDir::create(out, SWEEP, &inputs)?;
    let n = merge_into(dirs, target.path(), english)?;
    target.commit()?;
    Ok(n)
}

fn merge_into(dirs: &[PathBuf], out: &Path, english: bool) -> Result<usize, SweepError> {
    let mut info: Option<SweepInfo> = None;
    let mut files: std::collections::BTreeMap<usize, CaseFile> = Default::default();
    for d in dirs {
        let path = d.join("sweep.json");
        let text = std::fs::read_to_string(&path).map_err(|source| IoError::Read {
            file: path.display().to_string(),
            source,
        })?;
        let this: SweepInfo = serde_json::from_str(&text).map_err(|e| IoError::Format {
            file: path.display().to_string(),
            message: format!("not a sweep folder: {e}"),
        })?;
        if let Some(first) = &info {
            if first.fingerprint != this.fingerprint {
                return Err(SweepError::Usage(format!(
                    "{}: a different sweep (fingerprint {} ≠ {}) — merge only shards of one sweep file",
                    d.display(),
                    this.fingerprint,
                    first.fingerprint
                )));
            }
        }
        for i in 0..this.cases {
            // A case file that does not verify is refused: re-run its shard to solve it again.
            let Some(f) = read_case(&case_path(d, i))? else {
                continue;
            };
            files.entry(i).or_insert(f);
        }
        info.get_or_insert(this);
    }
    let Some(mut info) = info else {
        return Err(SweepError::Usage("no folders to merge".into()));
    };
    let missing: Vec<String> = (0..info.cases)
        .filter(|i| !files.contains_key(i))
        .map(|i| (i + 1).to_string())
        .collect();
    if !missing.is_empty() {
        return Err(SweepError::Usage(format!(
            "cases {} are in none of the folders: run their shards (or resume them) first",
            missing.join(", ")
        )));
    }
    std::fs::create_dir_all(out.join("cases")).map_err(|source| IoError::Write {
        file: out.display().to_string(),
        source,
    })?;
    for (i, f) in &files {
        write_case(&case_path(out, *i), f)?;
    }
    info.shard = None;
    write_json(&out.join("sweep.json"), &info)?;
    let files: Vec<CaseFile> = files.into_values().collect();
    write_table(out, &files, english, &info.name)?;
    Ok(files.len())
}
