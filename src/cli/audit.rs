//! `jianpai audit` and `jianpai seeds meters`.

use super::{Failure, Format};
use crate::audit::{audit, meters::read_meters, series::loads, time, Settings, Verdict};
use crate::diff::listing::{read_listing, Listing};
use crate::domain::Level;
use crate::exit;
use std::path::{Path, PathBuf};

fn plan(path: &Path) -> Result<Listing, Failure> {
    read_listing(path).map_err(|r| {
        super::plan::report_failure(&r, format!("{}: the list cannot be read", path.display()))
    })
}

fn level(s: &str) -> Result<Level, Failure> {
    Level::parse(s).ok_or_else(|| {
        Failure::new(
            exit::USAGE,
            format!("--level {s}: use yellow, orange or red"),
        )
    })
}

/// Arguments of `jianpai audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Plan folder or plan.csv (the list in force during the warning).
    #[arg(long)]
    pub plan: PathBuf,
    /// Meter file (CSV or Parquet; columns in docs/schema.md, `meters`).
    #[arg(long)]
    pub meter: PathBuf,
    /// Warning level (yellow, orange, red).
    #[arg(long)]
    pub level: String,
    /// Warning window START..END (local time unless an offset is given; default: the last
    /// 72 hours of data).
    #[arg(long)]
    pub window: Option<String>,
    /// Baseline window START..END (default: the 7 days ending 24 h before the warning).
    #[arg(long)]
    pub baseline: Option<String>,
    /// A line complies when its load fell by at least this share of the drop its measure implies.
    #[arg(long, default_value_t = 0.5)]
    pub min_share: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Audit a warning.
pub fn run_audit(a: AuditArgs, english: bool) -> Result<(), Failure> {
    let level = level(&a.level)?;
    let listing = plan(&a.plan)?;
    let usage = |m: String| Failure::new(exit::USAGE, m);
    let meter_err = |e: crate::audit::meters::MeterError| {
        let code = if e.unreadable {
            exit::IO
        } else {
            exit::INVALID_INPUT
        };
        Failure::new(code, e.to_string())
    };
    let warning = match &a.window {
        Some(w) => time::window(w).map_err(|m| usage(format!("--window {m}")))?,
        None => {
            // Default: the last 72 hours of data.
            let last = read_meters(&a.meter, Some((i64::MAX, i64::MAX)))
                .map_err(meter_err)?
                .last_ts
                .ok_or_else(|| Failure::new(exit::INVALID_INPUT, "the meter file has no rows"))?;
            (last - 72 * time::HOUR_MS, last)
        }
    };
    let baseline = match &a.baseline {
        Some(w) => time::window(w).map_err(|m| usage(format!("--baseline {m}")))?,
        None => (
            warning.0 - 7 * 24 * time::HOUR_MS,
            warning.0 - 24 * time::HOUR_MS,
        ),
    };
    if !(a.min_share > 0.0 && a.min_share <= 1.0) {
        return Err(usage("--min-share must be in (0, 1]".into()));
    }
    let span = (baseline.0.min(warning.0), baseline.1.max(warning.1));
    let data = read_meters(&a.meter, Some(span)).map_err(meter_err)?;
    let loads = loads(&data, baseline, warning)
        .map_err(|e| Failure::new(exit::INTERNAL, format!("series: {e}")))?;
    let settings = Settings {
        level,
        baseline,
        warning,
        min_share: a.min_share,
        min_coverage: 0.5,
        z: 3.0,
    };
    let report = audit(&listing, &data, &loads, &settings);
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report).expect("json")),
        Format::Text => {
            let t = |zh: &'static str, en: &'static str| if english { en } else { zh };
            println!(
                "{} {}  {} {} .. {}  {} {} .. {}",
                t("预警级别", "level"),
                if english { level.key() } else { level.zh() },
                t("预警期", "warning"),
                report.warning[0],
                report.warning[1],
                t("基准期", "baseline"),
                report.baseline[0],
                report.baseline[1]
            );
            println!(
                "{}",
                t(
                    "结论\t生产线\t企业\t措施\t要求用电比例\t实测用电比例\t标准误\t说明",
                    "verdict\tline\tenterprise\tmeasure\texpected share\tobserved share\tstd error\treason"
                )
            );
            for l in report
                .lines
                .iter()
                .filter(|l| l.verdict != Verdict::Compliant)
            {
                let f = |v: Option<f64>| v.map(|x| format!("{x:.3}")).unwrap_or_else(|| "—".into());
                println!(
                    "{}\t{}\t{}\t{}\t{:.3}\t{}\t{}\t{}",
                    if english {
                        match l.verdict {
                            Verdict::LikelyNonCompliant => "likely non-compliant",
                            Verdict::InsufficientData => "insufficient data",
                            Verdict::Compliant => "compliant",
                        }
                    } else {
                        l.verdict.zh()
                    },
                    l.line_id,
                    l.credit_code,
                    l.measure,
                    l.expected_share,
                    f(l.observed_share),
                    f(l.standard_error),
                    l.reason
                );
            }
            for (k, v) in &report.counts {
                println!("{k}: {v}");
            }
            println!("rows_read: {}", report.rows_read);
        }
    }
    Ok(())
}

/// Arguments of `jianpai seeds meters`.
#[derive(Debug, clap::Args)]
pub struct MetersArgs {
    /// Plan folder or plan.csv.
    #[arg(long)]
    pub plan: PathBuf,
    /// Warning level.
    #[arg(long, default_value = "orange")]
    pub level: String,
    /// Lines that ignore or under-apply their measure.
    #[arg(long, default_value_t = 0)]
    pub cheaters: usize,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Hourly noise (share of load); day-to-day swings are a fifth of it.
    #[arg(long, default_value_t = 0.05)]
    pub noise: f64,
    /// First day of data (local time).
    #[arg(long, default_value = "2021-12-01")]
    pub start: String,
    /// Days of data.
    #[arg(long, default_value_t = 30)]
    pub days: usize,
    /// Start of the warning (default: 21 days after the start).
    #[arg(long)]
    pub warning_start: Option<String>,
    /// Length of the warning in hours.
    #[arg(long, default_value_t = 72)]
    pub warning_hours: i64,
    /// At most this many meters.
    #[arg(long)]
    pub meters: Option<usize>,
    /// Every meter hourly (default: 15-minute and hourly meters mixed).
    #[arg(long)]
    pub hourly: bool,
    /// Meter file to write (CSV); the truth goes beside it as `<stem>.truth.csv`.
    #[arg(long)]
    pub out: PathBuf,
}

/// Generate synthetic meter data.
pub fn run_meters(a: MetersArgs, quiet: bool) -> Result<(), Failure> {
    let level = level(&a.level)?;
    let listing = plan(&a.plan)?;
    let usage = |m: String| Failure::new(exit::USAGE, m);
    let start = time::parse(&a.start).map_err(|e| usage(format!("--start {}: {e}", a.start)))?;
    let ws = match &a.warning_start {
        Some(w) => time::parse(w).map_err(|e| usage(format!("--warning-start {w}: {e}")))?,
        None => start + 21 * 24 * time::HOUR_MS,
    };
    let we = ws + a.warning_hours * time::HOUR_MS;
    let end = start + a.days as i64 * 24 * time::HOUR_MS;
    if a.days == 0 || a.warning_hours <= 0 || ws < start + 8 * 24 * time::HOUR_MS || we > end {
        return Err(usage(
            "the warning must lie inside the data, after at least 8 days of baseline".into(),
        ));
    }
    if !(0.0..=0.5).contains(&a.noise) {
        return Err(usage("--noise must be in [0, 0.5]".into()));
    }
    let settings = crate::seeds::meters::MeterSettings {
        level,
        cheaters: a.cheaters,
        seed: a.seed,
        noise: a.noise,
        start,
        days: a.days,
        warning: (ws, we),
        meters: a.meters,
        hourly: a.hourly,
    };
    let truth_path = truth_path(&a.out);
    let plan_files = [a.plan.join("plan.csv"), a.plan.join("summary.json")];
    for out in [&a.out, &truth_path] {
        crate::io::result_dir::refuse_inputs(
            out,
            &[
                a.plan.as_path(),
                plan_files[0].as_path(),
                plan_files[1].as_path(),
            ],
        )?;
    }
    let mut truth = String::new();
    let mut rows = 0;
    crate::io::atomic::write_with(&a.out, |w| {
        let (t, r) = crate::seeds::meters::generate(&listing, &settings, w)?;
        truth = t;
        rows = r;
        Ok(())
    })?;
    crate::io::atomic::write_bytes(&truth_path, truth.as_bytes())?;
    if !quiet {
        println!(
            "{rows} rows for {} meters in {}; truth in {}; warning {}..{}",
            truth.lines().count() - 1,
            a.out.display(),
            truth_path.display(),
            time::format(ws),
            time::format(we)
        );
    }
    Ok(())
}

/// `<stem>.truth.csv` beside a meter file.
pub fn truth_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "meters".into());
    out.with_file_name(format!("{stem}.truth.csv"))
}
