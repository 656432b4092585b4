//! `jianpai sweep` and `jianpai sweep merge`.

use super::{Failure, SweepAction};
use crate::exit;
use crate::io::result_dir::{ResultDir, CURVE, SWEEP, UPGRADE};
use crate::sweep::{merge, read_sweep, run as run_sweep, RunOptions, SweepError};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

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
    let jobs = jobs(a.jobs)?;
    let sweep = read_sweep(&file)?;
    let o = RunOptions {
        jobs,
        shard,
        keep_plans: a.plans,
        english,
        progress: !quiet && std::io::stderr().is_terminal(),
        cold: a.cold,
    };
    let out_dir = ResultDir::create(&out, SWEEP, &[file.as_path()])?;
    let r = run_sweep(&sweep, &out_dir, &o).map_err(failure)?;
    out_dir.commit()?;
    for (name, why) in &r.redone {
        eprintln!("{name}: {}", why.describe(english));
    }
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

/// `--jobs`, defaulting to the number of cores: 1 to [`MAX_WORKERS`](super::MAX_WORKERS) (exit 2
/// beyond), capped at the machine's cores with a warning.
pub fn jobs(j: Option<usize>) -> Result<usize, Failure> {
    match j {
        None => Ok(super::cores()),
        Some(n) if n == 0 || n > super::MAX_WORKERS => Err(Failure::new(
            exit::USAGE,
            format!(
                "--jobs {n}: outside the allowed range [1, {}] (scenarios solved at once)",
                super::MAX_WORKERS
            ),
        )),
        Some(n) => Ok(super::cap_at_cores(n, "--jobs")),
    }
}

/// `jianpai curve`.
pub fn curve(
    scenario: &Path,
    (level, pollutant): (&str, &str),
    (from, to, step): (f64, f64, f64),
    jobs_flag: Option<usize>,
    out: &Path,
    english: bool,
    quiet: bool,
) -> Result<(), Failure> {
    use crate::domain::{Level, Pollutant};
    use crate::sweep::curve::{curve_csv, curve_sweep, points, ratios};
    let level = Level::parse(level).ok_or_else(|| {
        Failure::new(
            exit::USAGE,
            format!("--level {level}: expected yellow, orange or red"),
        )
    })?;
    let pollutants: Vec<Pollutant> = if pollutant.eq_ignore_ascii_case("all") {
        Pollutant::ALL.to_vec()
    } else {
        vec![Pollutant::parse(pollutant).ok_or_else(|| {
            Failure::new(
                exit::USAGE,
                format!("--pollutant {pollutant}: expected so2, nox, pm, vocs or all"),
            )
        })?]
    };
    let rs = ratios(from, to, step).map_err(|m| Failure::new(exit::USAGE, m))?;
    let sweep = curve_sweep(scenario, level, &pollutants, &rs, 2)?;
    let o = RunOptions {
        jobs: jobs(jobs_flag)?,
        shard: None,
        keep_plans: false,
        english,
        progress: !quiet && std::io::stderr().is_terminal(),
        cold: false,
    };
    let out_dir = ResultDir::create(out, CURVE, &[scenario])?;
    let r = run_sweep(&sweep, &out_dir, &o).map_err(failure)?;
    let pts = points(&r.files, level, &pollutants);
    let dir = out_dir.path();
    crate::io::atomic::write_bytes(&dir.join("curve.csv"), &curve_csv(&pts, english))?;
    let mut summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("summary.json")).unwrap_or_else(|_| "{}".into()),
    )
    .unwrap_or_default();
    summary["curve"] = serde_json::json!({
        "level": level.key(),
        "pollutants": pollutants.iter().map(|p| p.key()).collect::<Vec<_>>(),
        "points": pts,
    });
    crate::plan::write::write_json(&dir.join("summary.json"), &summary)?;
    out_dir.commit()?;
    if !quiet {
        print!(
            "{}",
            String::from_utf8_lossy(&curve_csv(&pts, english)).trim_start_matches('\u{feff}')
        );
    }
    Ok(())
}

/// Largest `--k` of `jianpai upgrade` (firms in the chosen set).
const MAX_K: usize = 1_000;
/// Most candidates `jianpai upgrade` screens (one solve each).
const MAX_CANDIDATES: usize = 3 * MAX_K;

/// `jianpai upgrade`.
pub fn upgrade(
    scenario: &Path,
    o: crate::sweep::upgrade::UpgradeOptions,
    out: &Path,
    english: bool,
    quiet: bool,
) -> Result<(), Failure> {
    use crate::sweep::upgrade::{set_scenario_toml, upgrade, upgrade_csv};
    if !(1..=MAX_K).contains(&o.k) {
        return Err(Failure::new(
            exit::USAGE,
            format!("--k {}: outside the allowed range [1, {MAX_K}]", o.k),
        ));
    }
    if !(1..=MAX_CANDIDATES).contains(&o.candidates) {
        return Err(Failure::new(
            exit::USAGE,
            format!(
                "--candidates {}: outside the allowed range [1, {MAX_CANDIDATES}]",
                o.candidates
            ),
        ));
    }
    let out_dir = ResultDir::create(out, UPGRADE, &[scenario])?;
    let (r, set_scenario) = upgrade(scenario, &o).map_err(super::plan::load_failure)?;
    let dir = out_dir.path();
    crate::io::atomic::write_bytes(&dir.join("upgrade.csv"), &upgrade_csv(&r, english))?;
    // The scenario file refers to the base by a path relative to its own folder.
    crate::plan::write::write_json(&dir.join("summary.json"), &r)?;
    crate::io::atomic::write_bytes(
        &dir.join("scenario.toml"),
        set_scenario_toml(scenario, out_dir.target(), &r, &set_scenario).as_bytes(),
    )?;
    out_dir.commit()?;
    if !quiet {
        let f = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into());
        println!(
            "{} {:.2}; {} {} {}: {} {} ({} {:.2}); {} {}",
            if english {
                "base loss"
            } else {
                "基准损失(万元)"
            },
            r.base_loss,
            if english { "set of" } else { "选出" },
            r.set.len(),
            if english {
                "firms saves"
            } else {
                "家企业，节省(万元)"
            },
            f(r.set_saving),
            if english { "10k yuan" } else { "" },
            if english {
                "sum of singles"
            } else {
                "单独节省之和"
            },
            r.sum_of_singles,
            r.solves,
            if english { "solves" } else { "次求解" },
        );
        for n in &r.notes {
            eprintln!("{n}");
        }
    }
    if r.set_saving.is_none() {
        let status = r.set_status.unwrap_or(r.base_status);
        let code = match super::outcome::exit_code(status) {
            exit::OK => exit::NO_SOLUTION,
            c => c,
        };
        return Err(Failure::new(code, "no plan for the base or the chosen set"));
    }
    Ok(())
}

/// `jianpai compare`.
pub fn compare(
    plans: &[PathBuf],
    format: super::Format,
    totals_only: bool,
    english: bool,
) -> Result<(), Failure> {
    use crate::compare::CompareError;
    let c = crate::compare::compare(plans, totals_only).map_err(|e| match e {
        CompareError::Plan(p, r) => {
            super::plan::report_failure(&r, format!("{}: the plan cannot be read", p.display()))
        }
        CompareError::Summary(e) => e.into(),
        e @ CompareError::OtherInventory { .. } => Failure::new(exit::INVALID_INPUT, e.to_string()),
    })?;
    let air = crate::air::compare::for_plans(plans, english);
    match format {
        super::Format::Json => {
            let mut v = serde_json::to_value(&c).expect("json");
            if !air.is_empty() {
                v["air"] = serde_json::to_value(&air).expect("json");
            }
            println!("{}", serde_json::to_string_pretty(&v).expect("json"))
        }
        super::Format::Text => {
            print!("{}", crate::compare::render(&c, english));
            print!("{}", crate::air::compare::render(&air, english));
        }
    }
    Ok(())
}
