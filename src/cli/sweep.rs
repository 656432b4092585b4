//! `jianpai sweep` and `jianpai sweep merge`.

use super::{Failure, SweepAction};
use crate::exit;
use crate::sweep::{merge, read_sweep, run as run_sweep, RunOptions, SweepError};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Flags of `jianpai sweep FILE`.
#[derive(Debug)]
pub struct Args {
    /// Sweep TOML.
    pub file: Option<PathBuf>,
    /// Output folder.
    pub out: Option<PathBuf>,
    /// Parallel jobs.
    pub jobs: Option<usize>,
    /// `K/N`.
    pub shard: Option<String>,
    /// Keep every case's plan.
    pub plans: bool,
    /// No warm starts.
    pub cold: bool,
}

fn failure(e: SweepError) -> Failure {
    match e {
        SweepError::Io(e) => e.into(),
        SweepError::Usage(m) => Failure::new(exit::USAGE, m),
    }
}

/// Parse `K/N`.
pub fn parse_shard(s: &str) -> Result<(usize, usize), Failure> {
    let bad = || Failure::new(exit::USAGE, format!("--shard {s}: expected K/N, e.g. 2/8"));
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    Ok((
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    ))
}

/// Run a sweep or merge shards.
pub fn run(
    action: Option<SweepAction>,
    a: Args,
    english: bool,
    quiet: bool,
) -> Result<(), Failure> {
    if let Some(SweepAction::Merge { dirs, out }) = action {
        let n = merge(&dirs, &out, english).map_err(failure)?;
        if !quiet {
            println!("{n} scenarios → {}", out.join("results.csv").display());
        }
        return Ok(());
    }
    let (Some(file), Some(out)) = (a.file, a.out) else {
        return Err(Failure::new(
            exit::USAGE,
            "usage: jianpai sweep <sweep.toml> --out DIR [--jobs N] [--shard K/N]  |  jianpai sweep merge DIR... --out DIR",
        ));
    };
    let shard = a.shard.as_deref().map(parse_shard).transpose()?;
    let jobs = a.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    if jobs == 0 {
        return Err(Failure::new(exit::USAGE, "--jobs must be ≥ 1"));
    }
    let sweep = read_sweep(&file)?;
    let o = RunOptions {
        jobs,
        shard,
        keep_plans: a.plans,
        english,
        progress: !quiet && std::io::stderr().is_terminal(),
        cold: a.cold,
    };
    let r = run_sweep(&sweep, &out, &o).map_err(failure)?;
    if !quiet {
        println!(
            "{}: {} {} ({} {}, {} {}) → {}",
            sweep.name,
            r.cases,
            if english { "scenarios" } else { "个情景" },
            r.solved,
            if english { "solved" } else { "本次求解" },
            r.resumed,
            if english {
                "resumed"
            } else {
                "沿用已完成结果"
            },
            out.join("results.csv").display()
        );
        for (name, status) in &r.not_ok {
            eprintln!("{name}: {status}");
        }
    }
    if r.not_ok.iter().any(|(_, s)| s == "invalid") {
        return Err(Failure::new(
            exit::INVALID_INPUT,
            "some scenarios are invalid (see the `message` column)",
        ));
    }
    Ok(())
}
