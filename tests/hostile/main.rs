//! Hostile-input corpus: every case runs the `jianpai` binary on a small valid city with one
//! defect planted, and states the exit code and the message fragments it must produce. The runner
//! adds the checks every case shares: no panic or internal error, no raw control bytes on the
//! terminal, a bounded run time, and a failed run leaves its `--out` folder as it was (absent, or
//! unchanged byte for byte).
//!
//! Cases live in one module per class of defect (see `mod` lines below); each returns
//! `Vec<Case>` built with [`Case::new`]. The fixture folder every case starts from holds
//! `city/` (a generated 60-enterprise city that validates), `s.toml` (a scenario on it with a short
//! time limit), `plan/` (its planned list), `rules/` (copies of the bundled rules) and `m.csv` (30 days of
//! meter readings for the plan's lines).

#[path = "../common/mod.rs"]
mod common;

mod cases_air;
mod cases_audit;
mod cases_calendar;
mod cases_core;
mod cases_explain;
mod cases_fairness;
mod cases_fusion;
mod cases_import;
mod cases_later;
mod cases_output;
mod cases_provenance;
mod cases_readers;
mod cases_scenario;
mod cases_setup;
mod cases_solver;
mod cases_web;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_jianpai");
/// Longest a single case may run before it counts as unbounded work.
const CASE_TIMEOUT: Duration = Duration::from_secs(90);

type Prepare = Box<dyn Fn(&Work) + Send + Sync>;
type After = Box<dyn Fn(&Work, &Outcome) -> Result<(), String> + Send + Sync>;

/// One hostile case.
pub struct Case {
    pub name: String,
    args: Vec<String>,
    prepare: Vec<Prepare>,
    stdin: Option<Vec<u8>>,
    exit: Option<i32>,
    says: Vec<String>,
    says_not: Vec<String>,
    after: Vec<After>,
}

/// What a case's run produced.
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Case {
    /// A case running `jianpai <args>`; `{w}` in an argument stands for the case's work folder.
    pub fn new(name: impl Into<String>, args: &[&str]) -> Case {
        Case {
            name: name.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            prepare: Vec::new(),
            stdin: None,
            exit: None,
            says: Vec::new(),
            says_not: Vec::new(),
            after: Vec::new(),
        }
    }

    /// Plant the defect (runs after the fixture is copied into the case's folder).
    pub fn prepare(mut self, f: impl Fn(&Work) + Send + Sync + 'static) -> Case {
        self.prepare.push(Box::new(f));
        self
    }

    /// The exit code the run must end with.
    pub fn exit(mut self, code: i32) -> Case {
        self.exit = Some(code);
        self
    }

    /// A fragment that stdout or stderr must contain (case-sensitive).
    pub fn says(mut self, fragment: impl Into<String>) -> Case {
        self.says.push(fragment.into());
        self
    }

    /// A fragment that neither stdout nor stderr may contain.
    pub fn says_not(mut self, fragment: impl Into<String>) -> Case {
        self.says_not.push(fragment.into());
        self
    }

    /// Bytes given on standard input.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Case {
        self.stdin = Some(bytes.into());
        self
    }

    /// A check of the files afterwards (e.g. a neutralised formula in plan.csv).
    pub fn after(
        mut self,
        f: impl Fn(&Work, &Outcome) -> Result<(), String> + Send + Sync + 'static,
    ) -> Case {
        self.after.push(Box::new(f));
        self
    }
}

/// A case's own copy of the fixture.
pub struct Work {
    pub root: PathBuf,
}

impl Work {
    /// A path inside the work folder.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Read a file of the work folder as text.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Write a file (text or bytes) into the work folder, creating folders.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let p = self.path(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(p, bytes).unwrap();
    }

    /// Replace the first occurrence of `from` by `to` in a file; panics if `from` is absent.
    pub fn replace(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, text.replacen(from, to, 1));
    }

    /// Append text to a file.
    pub fn append(&self, rel: &str, text: &str) {
        let mut t = self.read(rel);
        t.push_str(text);
        self.write(rel, t);
    }

    /// Set one cell of a CSV file: `row` counts data rows from 1 (the header is row 0), `column`
    /// is the header's text.
    pub fn set_cell(&self, rel: &str, row: usize, column: &str, value: &str) {
        let text = self.read(rel);
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let header: Vec<&str> = lines[0].split(',').collect();
        let c = header
            .iter()
            .position(|h| *h == column)
            .unwrap_or_else(|| panic!("{rel} has no column {column:?}: {header:?}"));
        let mut cells: Vec<String> = lines[row].split(',').map(str::to_string).collect();
        cells[c] = value.to_string();
        lines[row] = cells.join(",");
        self.write(rel, lines.join("\n") + "\n");
    }

    /// Set a top-level or `[table]` key of the scenario `s.toml` (adds it when absent).
    pub fn set_key(&self, table: Option<&str>, key: &str, value: &str) {
        set_toml_key(&self.path("s.toml"), table, key, value);
    }
}

/// Set `key = value` inside `[table]` (or at the top) of a TOML file, textually, keeping the rest.
pub fn set_toml_key(path: &Path, table: Option<&str>, key: &str, value: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out: Vec<String> = Vec::new();
    let mut section: Option<String> = None;
    let mut done = false;
    let mut insert_at: Option<usize> = None;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            if section.as_deref() == table && insert_at.is_none() {
                insert_at = Some(out.len());
            }
            section = Some(t.trim_matches(|c| c == '[' || c == ']').trim().to_string());
        }
        let here = match table {
            None => section.is_none(),
            Some(tb) => section.as_deref() == Some(tb),
        };
        if here && !done && t.split('=').next().map(str::trim) == Some(key) {
            out.push(format!("{key} = {value}"));
            done = true;
            continue;
        }
        out.push(line.to_string());
    }
    if !done {
        match (table, insert_at) {
            (None, _) => {
                let first_table = out.iter().position(|l| l.trim_start().starts_with('['));
                out.insert(first_table.unwrap_or(out.len()), format!("{key} = {value}"));
            }
            (Some(tb), _) if section.as_deref() == Some(tb) => out.push(format!("{key} = {value}")),
            (Some(_), Some(i)) => out.insert(i, format!("{key} = {value}")),
            (Some(tb), None) => {
                out.push(format!("[{tb}]"));
                out.push(format!("{key} = {value}"));
            }
        }
    }
    std::fs::write(path, out.join("\n") + "\n").unwrap();
}

/// The fixture folder, made once per test run.
fn fixture() -> &'static Path {
    static FIXTURE: OnceLock<tempfile::TempDir> = OnceLock::new();
    FIXTURE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            jianpai::seeds::generate_to(60, 11, &root.join("city")).unwrap();
            std::fs::create_dir_all(root.join("rules")).unwrap();
            for f in ["guide-2020.csv", "wuxi-city.csv"] {
                std::fs::copy(
                    Path::new(ROOT).join("seeds/rules").join(f),
                    root.join("rules").join(f),
                )
                .unwrap();
            }
            std::fs::write(
                root.join("s.toml"),
                common::small_city_scenario("city", Path::new("rules"), 0.25),
            )
            .unwrap();
            let out = Command::new(BIN)
                .args(["plan", "s.toml", "--out", "plan", "--quiet"])
                .current_dir(root)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "fixture plan failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let meters = Command::new(BIN)
                .args(["seeds", "meters", "--plan", "plan", "--cheaters", "2"])
                .args(["--seed", "1", "--out", "m.csv", "--quiet"])
                .current_dir(root)
                .output()
                .unwrap();
            assert!(
                meters.status.success(),
                "fixture meters failed: {}",
                String::from_utf8_lossy(&meters.stderr)
            );
            dir
        })
        .path()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

/// Every file below `dir` with its bytes (empty when `dir` does not exist).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut m = BTreeMap::new();
    fn walk(d: &Path, m: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, m);
            } else if let Ok(b) = std::fs::read(&p) {
                m.insert(p, b);
            }
        }
    }
    walk(dir, &mut m);
    m
}

/// Run one case; `Err` lists what went wrong.
fn run(case: &Case) -> Result<(), String> {
    let tmp = tempfile::tempdir().unwrap();
    let w = Work {
        root: tmp.path().to_path_buf(),
    };
    copy_dir(fixture(), &w.root);
    for p in &case.prepare {
        p(&w);
    }
    let root = w.root.display().to_string();
    let args: Vec<String> = case.args.iter().map(|a| a.replace("{w}", &root)).collect();
    let out_dir = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map(|o| w.root.join(o));
    let before = out_dir.as_deref().map(snapshot);

    let mut child = Command::new(BIN)
        .args(&args)
        .current_dir(&w.root)
        .stdin(if case.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    if let Some(bytes) = &case.stdin {
        use std::io::Write;
        let mut si = child.stdin.take().unwrap();
        let bytes = bytes.clone();
        std::thread::spawn(move || {
            let _ = si.write_all(&bytes);
        });
    }
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let ho = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = so.read_to_end(&mut b);
        b
    });
    let he = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = se.read_to_end(&mut b);
        b
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if start.elapsed() > CASE_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("ran longer than {CASE_TIMEOUT:?} (unbounded work)"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout_b = ho.join().unwrap();
    let stderr_b = he.join().unwrap();
    let o = Outcome {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout_b).into_owned(),
        stderr: String::from_utf8_lossy(&stderr_b).into_owned(),
    };
    let mut errs = Vec::new();
    let text = format!("{}\n{}", o.stdout, o.stderr);
    match o.code {
        None => errs.push("killed by a signal (crash)".to_string()),
        Some(c @ (1 | 101 | 134 | 139)) => {
            errs.push(format!("exit {c}: a crash, not a clean error"))
        }
        Some(c) if case.exit.is_some_and(|e| e != c) => {
            errs.push(format!("exit {c}, expected {}", case.exit.unwrap()))
        }
        _ => {}
    }
    for bad in [
        "panicked",
        "internal error",
        "stack overflow",
        "RUST_BACKTRACE",
    ] {
        if text.contains(bad) {
            errs.push(format!("output contains {bad:?}"));
        }
    }
    if stderr_b.iter().any(|&b| b == 0x1b || b == 0) {
        errs.push("raw ESC or NUL byte on the terminal".into());
    }
    for f in &case.says {
        if !text.contains(f.as_str()) {
            errs.push(format!("output lacks {f:?}"));
        }
    }
    for f in &case.says_not {
        if text.contains(f.as_str()) {
            errs.push(format!("output contains {f:?}"));
        }
    }
    if o.code != Some(0) {
        if let (Some(dir), Some(before)) = (out_dir.as_deref(), before) {
            let now = snapshot(dir);
            if now != before {
                errs.push(format!(
                    "failed run changed its --out folder ({} files before, {} after)",
                    before.len(),
                    now.len()
                ));
            }
        }
    }
    for a in &case.after {
        if let Err(e) = a(&w, &o) {
            errs.push(e);
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        let clip = |s: &str| s.chars().take(600).collect::<String>();
        Err(format!(
            "{}\n    exit {:?}\n    stderr: {}\n    stdout: {}",
            errs.join("; "),
            o.code,
            clip(&o.stderr),
            clip(&o.stdout)
        ))
    }
}

/// All cases of the corpus.
fn corpus() -> Vec<Case> {
    let mut all = Vec::new();
    all.extend(cases_setup::cases());
    all.extend(cases_readers::cases());
    all.extend(cases_scenario::cases());
    all.extend(cases_output::cases());
    all.extend(cases_later::cases());
    all.extend(cases_explain::cases());
    all.extend(cases_solver::cases());
    all.extend(cases_import::cases());
    all.extend(cases_fairness::cases());
    all.extend(cases_calendar::cases());
    all.extend(cases_core::cases());
    all.extend(cases_provenance::cases());
    all.extend(cases_audit::cases());
    all.extend(cases_fusion::cases());
    all.extend(cases_air::cases());
    all.extend(cases_web::cases());
    all
}

#[test]
fn hostile_corpus() {
    let cases = corpus();
    let mut names = std::collections::BTreeSet::new();
    for c in &cases {
        assert!(
            names.insert(c.name.clone()),
            "duplicate case name {}",
            c.name
        );
    }
    // `HOSTILE=substring` runs only the cases whose name contains it.
    let only = std::env::var("HOSTILE").ok();
    let cases: Vec<&Case> = cases
        .iter()
        .filter(|c| only.as_deref().is_none_or(|o| c.name.contains(o)))
        .collect();
    fixture();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(c) = cases.get(i) else { break };
                if let Err(e) = run(c) {
                    failures.lock().unwrap().push(format!("{}: {e}", c.name));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    println!(
        "hostile corpus: {} cases, {} failed",
        cases.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} hostile cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    if only.is_none() {
        assert!(
            names.len() >= 300,
            "the corpus has {} cases (≥ 300 wanted)",
            names.len()
        );
    }
}
