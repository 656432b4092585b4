//! The run queue: a bounded pool of worker threads (one solve each) taking run ids in order.
//! A run is the CLI's own `plan` then `report` (the same functions, writing the same result
//! folders), with its status and progress kept in the database. At start, runs a previous
//! server life left `running` are marked failed and those left `queued` are queued again.

use super::db::Db;
use super::store::Store;
use std::path::Path;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};

/// Message of a run the server was stopped in the middle of.
pub const INTERRUPTED: &str = "服务器重启时中断 (interrupted by a server restart)";

/// Most worker threads `--workers` accepts.
pub const MAX_WORKERS: usize = 16;

/// Hands run ids to the workers.
#[derive(Clone)]
pub struct Jobs {
    tx: Arc<Mutex<Sender<i64>>>,
}

impl Jobs {
    /// Start `workers` threads; re-queue what a previous server life left queued and fail what
    /// it left running.
    pub fn start(db: Db, store: Store, workers: usize) -> Result<Jobs, super::db::DbError> {
        let (tx, rx) = channel::<i64>();
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..workers.clamp(1, MAX_WORKERS) {
            let (db, store, rx) = (db.clone(), store.clone(), rx.clone());
            std::thread::spawn(move || worker(&db, &store, &rx));
        }
        let jobs = Jobs {
            tx: Arc::new(Mutex::new(tx)),
        };
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
}

/// Niceness of the worker threads: solves yield the cores to page requests.
#[cfg(target_os = "linux")]
const WORKER_NICE: i32 = 10;

fn worker(db: &Db, store: &Store, rx: &Mutex<Receiver<i64>>) {
    // On Linux the niceness is the calling thread's (and the solver threads it starts inherit
    // it); a failure leaves the default priority.
    #[cfg(target_os = "linux")]
    // SAFETY: nice(2) takes a plain integer and touches no memory of ours.
    unsafe {
        libc::nice(WORKER_NICE);
    }
    loop {
        let next = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
        let Ok(id) = next else { return };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            execute(db, &store.run_dir(id), id)
        }));
        let (status, stage, message) = match outcome {
            Ok(Ok(note)) => ("finished", "done", note),
            Ok(Err(message)) => ("failed", "failed", message),
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

/// Plan then report one run; the note of a finished run or the failure message.
fn execute(db: &Db, dir: &Path, id: i64) -> Result<String, String> {
    let run = db
        .run(id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("run {id} is not in the database"))?;
    if run.status != "queued" {
        return Err(format!(
            "run {id} was {} when taken from the queue",
            run.status
        ));
    }
    let english = run.lang == "en";
    let set = |progress, stage: &str| {
        db.set_run(id, "running", progress, stage, "")
            .map_err(|e| e.to_string())
    };
    set(10, "plan")?;
    let scenario = dir.join("scenario.toml");
    let plan_dir = dir.join("plan");
    // Recorded in the result's provenance: the command this run amounts to.
    let mut command = vec!["jianpai".to_string()];
    if english {
        command.extend(["--lang".to_string(), "en".to_string()]);
    }
    command.extend([
        "plan".to_string(),
        scenario.display().to_string(),
        "--out".to_string(),
        plan_dir.display().to_string(),
    ]);
    let planned = crate::io::provenance::with_command(command, || {
        crate::cli::plan::run(
            &scenario,
            None,
            &plan_dir,
            crate::solve::Method::Mip,
            (None, None, Some(1)),
            None,
            crate::model::export::ModelForm::Compact,
            english,
            true,
        )
    });
    let note = match planned {
        Ok(()) => String::new(),
        Err(f) if f.code == crate::exit::TIME_LIMIT => f.message,
        Err(f) => return Err(failure_text(&f, &plan_dir)),
    };
    set(70, "report")?;
    crate::cli::report::run(&plan_dir, &dir.join("report"), None, false, english, true)
        .map_err(|f| f.message)?;
    Ok(note)
}

/// A failed plan's message with the shortfall explanation the plan's summary holds, if any.
fn failure_text(f: &crate::cli::Failure, plan_dir: &Path) -> String {
    let summary = std::fs::read_to_string(plan_dir.join("summary.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
    match summary.as_ref().and_then(|s| s.get("infeasibility")) {
        Some(v) => format!("{} (exit {}): {v}", f.message, f.code),
        None => format!("{} (exit {})", f.message, f.code),
    }
}
