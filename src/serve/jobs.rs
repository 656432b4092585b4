//! The run queue: a bounded pool of worker threads (one solve each) taking run ids in order.
//! A run is the CLI itself: each step (`plan` then `report`; `stagger`; `sweep`; `revise`) is
//! a child process of this same binary with the CLI's own arguments, so it writes the same result
//! folders byte for byte. The child runs at a lower CPU priority than the server (nice 10: pages
//! stay fast while solves run), dies with the server (Linux: parent-death signal), and is killed
//! when its run is cancelled. The step, the elapsed time and the child's latest message are kept
//! in the database while it runs. At start, runs a previous server life left `running` are
//! marked failed and those left `queued` are queued again.

use super::db::Db;
use super::store::Store;
use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Message of a run the server was stopped in the middle of.
pub const INTERRUPTED: &str = "服务器重启时中断 (interrupted by a server restart)";
/// Message of a cancelled run.
pub const CANCELLED: &str = "已取消 (cancelled)";

/// Most worker threads `--workers` accepts.
pub const MAX_WORKERS: usize = 16;

/// Niceness of the solve processes: they yield the cores to page requests.
pub const CHILD_NICE: i32 = 10;

/// How often a worker looks at its child (exit, cancel, progress).
const POLL: Duration = Duration::from_millis(200);

/// Longest child message kept (characters).
const MAX_MESSAGE: usize = 2000;

/// Hands run ids to the workers and cancels running ones.
#[derive(Clone)]
pub struct Jobs {
    tx: Arc<Mutex<Sender<i64>>>,
    /// Cancel flags of the runs being executed.
    running: Arc<Mutex<HashMap<i64, Arc<AtomicBool>>>>,
    db: Db,
}

/// What [`Jobs::cancel`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancelled {
    /// A queued run was marked cancelled; it will not start.
    Queued,
    /// A running run's process is being stopped; it ends as cancelled.
    Running,
    /// The run had already ended (finished, failed or cancelled).
    AlreadyEnded,
}

impl Jobs {
    /// Start `workers` threads; re-queue what a previous server life left queued and fail what
    /// it left running.
    pub fn start(db: Db, store: Store, workers: usize) -> Result<Jobs, super::db::DbError> {
        let (tx, rx) = channel::<i64>();
        let rx = Arc::new(Mutex::new(rx));
        let jobs = Jobs {
            tx: Arc::new(Mutex::new(tx)),
            running: Arc::default(),
            db: db.clone(),
        };
        for _ in 0..workers.clamp(1, MAX_WORKERS) {
            let (db, store, rx, jobs) = (db.clone(), store.clone(), rx.clone(), jobs.clone());
            std::thread::spawn(move || worker(&db, &store, &rx, &jobs));
        }
        for id in db.recover_runs(INTERRUPTED)? {
            jobs.enqueue(id);
        }
        Ok(jobs)
    }

    /// Queue a run (already stored as `queued`).
    pub fn enqueue(&self, id: i64) {
        let tx = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        // The workers live as long as the process: a send cannot fail.
        let _ = tx.send(id);
    }

    /// Cancel a run: a queued one is marked cancelled at once; a running one has its process
    /// killed by its worker (within a fraction of a second), which then marks it cancelled.
    pub fn cancel(&self, id: i64) -> Result<Cancelled, super::db::DbError> {
        if self.db.cancel_queued(id, CANCELLED)? {
            return Ok(Cancelled::Queued);
        }
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        match running.get(&id) {
            Some(flag) => {
                flag.store(true, Ordering::SeqCst);
                Ok(Cancelled::Running)
            }
            None => Ok(Cancelled::AlreadyEnded),
        }
    }
}

fn worker(db: &Db, store: &Store, rx: &Mutex<Receiver<i64>>, jobs: &Jobs) {
    loop {
        let next = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
        let Ok(id) = next else { return };
        let flag = Arc::new(AtomicBool::new(false));
        // Taken only if still queued (a cancelled run is skipped); registered before it starts
        // so that a cancel in between finds the flag.
        jobs.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, flag.clone());
        let outcome = match db.start_run(id) {
            Ok(Some(kind)) => Some(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
                || execute(db, store, id, &kind, &flag),
            ))),
            Ok(None) => None,
            Err(e) => Some(Ok(Err(Ended::Failed(e.to_string())))),
        };
        jobs.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        let Some(outcome) = outcome else { continue };
        let (status, stage, message) = match outcome {
            Ok(Ok(note)) => ("finished", "done", note),
            Ok(Err(Ended::Failed(message))) => ("failed", "failed", message),
            Ok(Err(Ended::Cancelled)) => ("cancelled", "cancelled", CANCELLED.to_string()),
            Err(_) => (
                "failed",
                "failed",
                "内部错误 (internal error; see the server log)".to_string(),
            ),
        };
        let progress = if status == "finished" { 100 } else { 0 };
        if let Err(e) = db.set_run(id, status, progress, stage, &message) {
            eprintln!("jianpai serve: run {id}: {e}");
        }
    }
}

/// How a run ended other than finished.
enum Ended {
    Failed(String),
    Cancelled,
}

/// One CLI step of a run: its stage name, arguments and the progress range it spans.
struct Step {
    stage: &'static str,
    args: Vec<OsString>,
    progress: (i64, i64),
    /// The result folder it writes.
    out: PathBuf,
}

/// The CLI steps of a run kind, with the arguments the CLI is given by hand (so the result's
/// provenance records the same command).
fn steps(kind: &str, dir: &Path, english: bool) -> Result<Vec<Step>, String> {
    let scenario = dir.join("scenario.toml");
    let lang: Vec<OsString> = if english {
        vec!["--lang".into(), "en".into()]
    } else {
        Vec::new()
    };
    let step = |stage: &'static str, args: Vec<OsString>, progress, out: PathBuf| {
        let mut all = lang.clone();
        all.extend(args);
        Step {
            stage,
            args: all,
            progress,
            out,
        }
    };
    let (plan, report) = (dir.join("plan"), dir.join("report"));
    Ok(match kind {
        "plan" => vec![
            step(
                "plan",
                vec![
                    "plan".into(),
                    scenario.into(),
                    "--out".into(),
                    plan.clone().into(),
                ],
                (5, 70),
                plan.clone(),
            ),
            step(
                "report",
                vec![
                    "report".into(),
                    plan.into(),
                    "--out".into(),
                    report.clone().into(),
                ],
                (70, 99),
                report,
            ),
        ],
        "stagger" | "revise" => {
            let out = dir.join(kind);
            let stage = if kind == "stagger" {
                "stagger"
            } else {
                "revise"
            };
            vec![step(
                stage,
                vec![
                    kind.into(),
                    scenario.into(),
                    "--out".into(),
                    out.clone().into(),
                ],
                (5, 99),
                out,
            )]
        }
        "sweep" => {
            let out = dir.join("sweep");
            // One solve per worker: the pool, not the sweep, decides how many run at once.
            vec![step(
                "sweep",
                vec![
                    "sweep".into(),
                    scenario.into(),
                    "--out".into(),
                    out.clone().into(),
                    "--jobs".into(),
                    "1".into(),
                ],
                (5, 99),
                out,
            )]
        }
        other => return Err(format!("run kind {other:?} is not known")),
    })
}

/// Run a run's steps; the note of a finished run, or how it ended.
fn execute(
    db: &Db,
    store: &Store,
    id: i64,
    kind: &str,
    cancel: &AtomicBool,
) -> Result<String, Ended> {
    let run = db
        .run(id)
        .map_err(|e| Ended::Failed(e.to_string()))?
        .ok_or_else(|| Ended::Failed(format!("run {id} is not in the database")))?;
    let dir = store.run_dir(id);
    let exe = std::env::current_exe()
        .map_err(|e| Ended::Failed(format!("cannot find the jianpai program: {e}")))?;
    let mut notes = Vec::new();
    for step in steps(kind, &dir, run.lang == "en").map_err(Ended::Failed)? {
        if cancel.load(Ordering::SeqCst) {
            return Err(Ended::Cancelled);
        }
        let set = |progress: i64, message: &str| {
            db.set_run(id, "running", progress, step.stage, message)
                .map_err(|e| Ended::Failed(e.to_string()))
        };
        set(step.progress.0, "")?;
        let code = run_child(&exe, &step, cancel, &|line| {
            let _ = set(step.progress.0, line);
        })?;
        match code {
            Ok(_) => {}
            Err((code, tail)) if code == crate::exit::TIME_LIMIT => notes.push(tail),
            Err((code, tail)) => return Err(Ended::Failed(failure_text(code, &tail, &step.out))),
        }
    }
    Ok(notes.join("; "))
}

/// The last lines a child wrote to standard error (bounded).
#[derive(Default)]
struct Tail {
    lines: Vec<String>,
    changed: bool,
}

impl Tail {
    fn push(&mut self, line: String) {
        let line: String = line.chars().take(MAX_MESSAGE).collect();
        if line.trim().is_empty() {
            return;
        }
        self.lines.push(line);
        if self.lines.len() > 8 {
            self.lines.remove(0);
        }
        self.changed = true;
    }

    fn text(&self) -> String {
        let t = self.lines.join("\n");
        let n = t.chars().count();
        t.chars().skip(n.saturating_sub(MAX_MESSAGE)).collect()
    }
}

/// Start one step's child process, at lower priority, dying with the server.
fn spawn(exe: &Path, step: &Step) -> std::io::Result<Child> {
    let mut cmd = Command::new(exe);
    cmd.args(&step.args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .env("NO_COLOR", "1");
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: between fork and exec only async-signal-safe system calls are made (prctl,
        // nice), touching no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                // The server may have died between fork and prctl: then do not start at all.
                if libc::getppid() == 1 {
                    libc::_exit(1);
                }
                libc::nice(CHILD_NICE);
                Ok(())
            });
        }
    }
    cmd.spawn()
}

/// Run a step's child to its end: Ok(Ok(())) on exit 0, Ok(Err((code, stderr tail))) on another
/// exit code, Err(Cancelled) when `cancel` was set (the child is killed). `progress` gets the
/// child's latest message line when it changes (at most every POLL).
#[allow(clippy::type_complexity)]
fn run_child(
    exe: &Path,
    step: &Step,
    cancel: &AtomicBool,
    progress: &dyn Fn(&str),
) -> Result<Result<(), (i32, String)>, Ended> {
    let mut child = spawn(exe, step)
        .map_err(|e| Ended::Failed(format!("cannot start {}: {e}", exe.display())))?;
    let tail = Arc::new(Mutex::new(Tail::default()));
    let reader = child.stderr.take().map(|err| {
        let tail = tail.clone();
        std::thread::spawn(move || {
            // Progress bars redraw with carriage returns: each piece is a message.
            let mut r = BufReader::new(err.take(64 << 20));
            let mut buf = Vec::new();
            while r.read_until(b'\n', &mut buf).is_ok_and(|n| n > 0) {
                let text = String::from_utf8_lossy(&buf).into_owned();
                for piece in text.split('\r') {
                    tail.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(piece.trim_end().to_string());
                }
                buf.clear();
            }
        })
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Ended::Failed(format!("waiting for the run: {e}")));
            }
        }
        if cancel.load(Ordering::SeqCst) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Ended::Cancelled);
        }
        {
            let mut t = tail.lock().unwrap_or_else(|p| p.into_inner());
            if t.changed {
                t.changed = false;
                let last = t.lines.last().cloned().unwrap_or_default();
                drop(t);
                progress(&last);
            }
        }
        std::thread::sleep(POLL);
    };
    if let Some(r) = reader {
        let _ = r.join();
    }
    if cancel.load(Ordering::SeqCst) {
        return Err(Ended::Cancelled);
    }
    let text = tail.lock().unwrap_or_else(|p| p.into_inner()).text();
    Ok(match status.code() {
        Some(0) => Ok(()),
        Some(code) => Err((code, text)),
        None => Err((
            -1,
            format!("{text}\n(killed by a signal)").trim().to_string(),
        )),
    })
}

/// A failed step's message: the CLI's own words, its exit code and the shortfall explanation
/// the plan's summary holds, if any.
fn failure_text(code: i32, tail: &str, out: &Path) -> String {
    let summary = std::fs::read_to_string(out.join("summary.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
    let tail = tail.trim();
    match summary.as_ref().and_then(|s| s.get("infeasibility")) {
        Some(v) => format!("{tail} (exit {code}): {v}"),
        None => format!("{tail} (exit {code})"),
    }
}
