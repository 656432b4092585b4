//! `jianpai audit` and `jianpai seeds meters`.

use super::{Failure, Format};
use crate::audit::cems::read_cems;
use crate::audit::fusion::Evidence;
use crate::audit::gates::read_gates;
use crate::audit::status::read_status;
use crate::audit::warnings::{default_baseline, overlap, read_warnings, show, Warning};
use crate::audit::{
    audit_with, count_zh, meters::read_meters, series::loads, time, AuditReport, Settings, Verdict,
};
use crate::diff::listing::{read_listing, Listing};
use crate::domain::Level;
use crate::exit;
use crate::io::atomic::write_bytes;
use crate::io::cells::CsvOut;
use crate::io::result_dir::{ResultDir, AUDIT};
use std::path::{Path, PathBuf};

pub(super) fn plan(path: &Path) -> Result<Listing, Failure> {
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
    /// The city's warning record (预警记录: level, start, end; or the calendar's forecast table):
    /// the latest warning of the level is audited and baselines stay clear of every warning.
    #[arg(long)]
    pub warnings: Option<PathBuf>,
    /// Warning window START..END (local time unless an offset is given); with `--warnings`, it
    /// picks the warning audited. One of the two is required.
    #[arg(long)]
    pub window: Option<String>,
    /// Baseline window START..END (default: the 14 days ending 24 h before the warning, moved
    /// earlier past any warning of the record). It must not overlap a warning.
    #[arg(long)]
    pub baseline: Option<String>,
    /// A line complies when its load fell by at least this share of the drop its measure implies.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub min_share: f64,
    /// False-alarm rate per compliant line (one-sided test; see docs/audit in the README).
    #[arg(long, default_value_t = crate::audit::DEFAULT_ALPHA, allow_negative_numbers = true)]
    pub false_alarm: f64,
    /// Truck gate log (门禁记录; columns in docs/schema.md, `gates`): verifies T4/T0 measures.
    #[arg(long)]
    pub gates: Option<PathBuf>,
    /// Online monitoring (在线监测, CEMS hourly data; columns in docs/schema.md, `cems`):
    /// emission rate and flue-gas flow per line.
    #[arg(long)]
    pub cems: Option<PathBuf>,
    /// Operating status (工况: DCS on/off or load signals; columns in docs/schema.md, `status`).
    #[arg(long)]
    pub status: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also write a result folder (audit.json, audit.csv, summary.json) that `jianpai report`
    /// turns into the inspectors' report (核查报告).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The warning audited, where it came from, and the record's warnings.
struct Chosen {
    window: (i64, i64),
    source: String,
    record: Vec<Warning>,
}

/// Pick the warning audited from `--warnings` and `--window` (refusing when neither is given).
fn warning_window(a: &AuditArgs, level: Level) -> Result<Chosen, Failure> {
    let usage = |m: String| Failure::new(exit::USAGE, m);
    let record = match &a.warnings {
        Some(p) => read_warnings(p).map_err(|r| {
            super::plan::report_failure(
                &r,
                format!("{}: the warning record cannot be read", p.display()),
            )
        })?,
        None => Vec::new(),
    };
    let window = match &a.window {
        Some(w) => Some(time::window(w).map_err(|m| usage(format!("--window {m}")))?),
        None => None,
    };
    match (&a.warnings, window) {
        (None, None) => Err(usage(
            "audit needs the warning audited: pass --warnings warnings.csv (the city's warning record 预警记录: level, start, end) or --window START..END (e.g. 2021-12-22T00:00..2021-12-25T00:00); it does not guess".into(),
        )),
        (None, Some(w)) => Ok(Chosen {
            window: w,
            source: "--window".into(),
            record,
        }),
        (Some(p), w) => {
            let file = crate::io::table::display(p);
            let of_level: Vec<&Warning> = record
                .iter()
                .filter(|r| r.level == level && w.is_none_or(|w| overlap(w, r.window)))
                .collect();
            let Some(chosen) = of_level.last() else {
                return Err(Failure::new(
                    exit::INVALID_INPUT,
                    format!(
                        "E606 {file}: no {} warning{} in the warning record (预警记录中无{}预警)",
                        level.key(),
                        w.map(|w| format!(" overlapping {}", show(w))).unwrap_or_default(),
                        level.zh()
                    ),
                ));
            };
            let window = w.unwrap_or(chosen.window);
            Ok(Chosen {
                window,
                source: format!("{file} row {}", chosen.row),
                record,
            })
        }
    }
}

/// Audit a warning.
pub fn run_audit(a: AuditArgs, english: bool) -> Result<(), Failure> {
    let level = level(&a.level)?;
    let usage = |m: String| Failure::new(exit::USAGE, m);
    if !(a.min_share > 0.0 && a.min_share <= 1.0) {
        return Err(usage("--min-share must be in (0, 1]".into()));
    }
    if !(a.false_alarm > 0.0 && a.false_alarm <= 0.1) {
        return Err(usage("--false-alarm must be in (0, 0.1]".into()));
    }
    let explicit_baseline = match &a.baseline {
        Some(b) => Some(time::window(b).map_err(|m| usage(format!("--baseline {m}")))?),
        None => None,
    };
    let listing = plan(&a.plan)?;
    let meter_err = |e: crate::audit::meters::MeterError| {
        let code = if e.unreadable {
            exit::IO
        } else {
            exit::INVALID_INPUT
        };
        Failure::new(code, e.to_string())
    };
    if a.warnings.is_none() && a.window.is_none() {
        // Bad inputs are reported as such before the refusal (no rows are kept).
        read_meters(&a.meter, Some((i64::MAX, i64::MAX))).map_err(meter_err)?;
    }
    let Chosen {
        window: warning,
        source,
        record,
    } = warning_window(&a, level)?;
    let baseline = match explicit_baseline {
        Some(b) => {
            let clash = std::iter::once((warning, "预警期 warning".to_string()))
                .chain(record.iter().map(|r| {
                    (
                        r.window,
                        format!("{}预警（预警记录第 {} 行）", r.level.zh(), r.row),
                    )
                }))
                .find(|(w, _)| overlap(*w, b));
            if let Some((w, what)) = clash {
                return Err(Failure::new(
                    exit::INVALID_INPUT,
                    format!(
                        "E605 --baseline {} overlaps the {what} {}: a baseline must be free of warnings (基准期不得与预警期重叠)",
                        show(b),
                        show(w)
                    ),
                ));
            }
            b
        }
        None => default_baseline(warning, &record, 14),
    };
    let span = (baseline.0.min(warning.0), baseline.1.max(warning.1));
    // The four files are read side by side (each reader alone is deterministic); errors are
    // reported in a fixed order: meters, gate log, CEMS, status. The meter series run after
    // the readers (polars already uses both cores): run beside the CEMS and status rows, their
    // working set raised the 20,000-line month's peak RSS from 1.7 to 2.0 GiB.
    let (data, gates, cems, status) = std::thread::scope(|sc| {
        let gates = sc.spawn(|| a.gates.as_ref().map(|p| read_gates(p, warning)).transpose());
        let cems = sc.spawn(|| a.cems.as_ref().map(|p| read_cems(p, span)).transpose());
        let status = sc.spawn(|| a.status.as_ref().map(|p| read_status(p, span)).transpose());
        let data = read_meters(&a.meter, Some(span));
        (data, joined(gates), joined(cems), joined(status))
    });
    let mut data = data.map_err(meter_err)?;
    let loads = loads(&data, baseline, warning)
        .map_err(|e| Failure::new(exit::INTERNAL, format!("series: {e}")))?;
    // The rows are not needed past here (the audit reads the per-meter columns).
    data.drop_rows();
    let settings = Settings {
        level,
        baseline,
        warning,
        min_share: a.min_share,
        min_coverage: 0.5,
        alpha: a.false_alarm,
    };
    let gates = gates.map_err(meter_err)?;
    let cems = cems.map_err(meter_err)?;
    let status = status.map_err(meter_err)?;
    let evidence = Evidence {
        gates: gates.as_ref(),
        cems: cems.as_ref(),
        status: status.as_ref(),
    };
    let report = audit_with(&listing, &data, &loads, &settings, source, &evidence);
    if let Some(out) = &a.out {
        write_result(out, &a, &report)?;
    }
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report).expect("json")),
        Format::Text => print_text(&report, english),
    }
    Ok(())
}

/// The result of a reader thread (its panic, a bug, carried on).
fn joined<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// Write the audit's result folder atomically: audit.json (the whole audit), audit.csv (one row
/// per line) and summary.json (`"kind": "audit"` and the counts).
fn write_result(out: &Path, a: &AuditArgs, report: &AuditReport) -> Result<(), Failure> {
    let mut inputs = vec![a.plan.as_path(), a.meter.as_path()];
    inputs.extend(a.warnings.as_deref());
    inputs.extend(a.gates.as_deref());
    inputs.extend(a.cems.as_deref());
    inputs.extend(a.status.as_deref());
    let dir = ResultDir::create(out, AUDIT, &inputs)?;
    write_bytes(&dir.path().join("audit.json"), pretty(report).as_bytes())?;
    let summary = serde_json::json!({
        "kind": "audit",
        "level": report.level,
        "warning": report.warning,
        "counts": report.counts,
    });
    write_bytes(
        &dir.path().join("summary.json"),
        pretty(&summary).as_bytes(),
    )?;
    write_bytes(&dir.path().join("audit.csv"), &audit_csv(report))?;
    dir.commit()?;
    Ok(())
}

/// Pretty json with a final newline.
fn pretty<T: serde::Serialize>(v: &T) -> String {
    format!("{}\n", serde_json::to_string_pretty(v).expect("json"))
}

/// One row per audited line (json keys as column names).
fn audit_csv(report: &AuditReport) -> Vec<u8> {
    let mut w = CsvOut::with_bom();
    w.row([
        "district",
        "enterprise",
        "credit_code",
        "line_id",
        "line_name",
        "measure",
        "verdict",
        "decided_by",
        "expected_share",
        "observed_share",
        "standard_error",
        "baseline_kw",
        "warning_kw",
        "electricity_verdict",
        "cems_verdict",
        "status_verdict",
        "gate_verdict",
        "reason",
    ]);
    let f = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    for l in &report.lines {
        let by = |source: &str| {
            l.evidence
                .iter()
                .find(|e| e.source == source)
                .map(|e| e.verdict.key().to_string())
                .unwrap_or_default()
        };
        w.row([
            l.district.clone(),
            l.enterprise.clone(),
            l.credit_code.clone(),
            l.line_id.clone(),
            l.line_name.clone(),
            l.measure.clone(),
            l.verdict.key().to_string(),
            l.decided_by.to_string(),
            l.expected_share.to_string(),
            f(l.observed_share),
            f(l.standard_error),
            f(l.baseline_kw),
            f(l.warning_kw),
            by("electricity"),
            by("cems"),
            by("status"),
            by("gate_log"),
            l.reason.clone(),
        ]);
    }
    w.into_bytes()
}

/// The audit as text: the lines that are not plainly compliant, then the counts.
fn print_text(report: &AuditReport, english: bool) {
    let t = |zh: &'static str, en: &'static str| if english { en } else { zh };
    println!(
        "{} {}  {} {} .. {}  {} {} .. {}  （{}）",
        t("预警级别", "level"),
        if english {
            report.level.key()
        } else {
            report.level.zh()
        },
        t("预警期", "warning"),
        report.warning[0],
        report.warning[1],
        t("基准期", "baseline"),
        report.baseline[0],
        report.baseline[1],
        report.warning_source
    );
    println!(
        "{}",
        t(
            "结论\t区县\t企业\t生产线\t措施\t要求用电比例\t实测用电比例\t标准误\t说明",
            "verdict\tdistrict\tenterprise\tline\tmeasure\texpected share\tobserved share\tstd error\treason"
        )
    );
    let f = |v: Option<f64>| v.map(|x| format!("{x:.3}")).unwrap_or_else(|| "—".into());
    for l in report
        .lines
        .iter()
        .filter(|l| l.verdict != Verdict::Compliant)
    {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{:.3}\t{}\t{}\t{}",
            if english {
                l.verdict.en()
            } else {
                l.verdict.zh()
            },
            l.district,
            l.enterprise,
            l.line_id,
            l.measure,
            l.expected_share,
            f(l.observed_share),
            f(l.standard_error),
            l.reason
        );
    }
    for (k, v) in &report.counts {
        println!("{}: {v}", if english { k } else { count_zh(k) });
    }
    // The key stays beside the label: scripts read `rows_read: N`.
    println!(
        "{}rows_read: {}",
        t("读取电表数据行数 ", ""),
        report.rows_read
    );
}

/// The data span, warning and noise of generated evidence (`seeds meters`, `seeds monitoring`).
#[derive(Debug, clap::Args)]
pub struct EvidenceSpan {
    /// Plan folder or plan.csv.
    #[arg(long)]
    pub plan: PathBuf,
    /// Warning level.
    #[arg(long, default_value = "orange")]
    pub level: String,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Hourly noise (share of load); day-to-day swings are a fifth of it.
    #[arg(long, default_value_t = 0.05)]
    pub noise: f64,
    /// First day of data (local time).
    #[arg(long, default_value = "2021-12-01")]
    pub start: String,
    /// Days of data (at most 400).
    #[arg(long, default_value_t = 30)]
    pub days: usize,
    /// Start of the warning (default: 21 days after the start).
    #[arg(long)]
    pub warning_start: Option<String>,
    /// Length of the warning in hours.
    #[arg(long, default_value_t = 72)]
    pub warning_hours: i64,
}

/// Arguments of `jianpai seeds meters`.
#[derive(Debug, clap::Args)]
pub struct MetersArgs {
    #[command(flatten)]
    pub common: EvidenceSpan,
    /// Lines that ignore or under-apply their measure.
    #[arg(long, default_value_t = 0)]
    pub cheaters: usize,
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

/// Check the span and warning of generated evidence and make the meter generator's settings.
pub fn meter_settings(
    a: &EvidenceSpan,
    cheaters: usize,
    meters: Option<usize>,
    hourly: bool,
) -> Result<crate::seeds::meters::MeterSettings, Failure> {
    let level = level(&a.level)?;
    let usage = |m: String| Failure::new(exit::USAGE, m);
    let start = time::parse(&a.start).map_err(|e| usage(format!("--start {}: {e}", a.start)))?;
    let ws = match &a.warning_start {
        Some(w) => time::parse(w).map_err(|e| usage(format!("--warning-start {w}: {e}")))?,
        None => start + 21 * 24 * time::HOUR_MS,
    };
    if a.days == 0 || a.days > 400 || !(1..=24 * 30).contains(&a.warning_hours) {
        return Err(usage(
            "--days must be in [1, 400] and --warning-hours in [1, 720]".into(),
        ));
    }
    let we = ws + a.warning_hours * time::HOUR_MS;
    let end = start + a.days as i64 * 24 * time::HOUR_MS;
    if ws < start + 8 * 24 * time::HOUR_MS || we > end {
        return Err(usage(
            "the warning must lie inside the data, after at least 8 days of baseline".into(),
        ));
    }
    if !(0.0..=0.5).contains(&a.noise) {
        return Err(usage("--noise must be in [0, 0.5]".into()));
    }
    Ok(crate::seeds::meters::MeterSettings {
        level,
        cheaters,
        seed: a.seed,
        noise: a.noise,
        start,
        days: a.days,
        warning: (ws, we),
        meters,
        hourly,
    })
}

/// Generate synthetic meter data.
pub fn run_meters(a: MetersArgs, quiet: bool) -> Result<(), Failure> {
    let listing = plan(&a.common.plan)?;
    let settings = meter_settings(&a.common, a.cheaters, a.meters, a.hourly)?;
    let (ws, we) = settings.warning;
    let truth_path = truth_path(&a.out);
    let plan_dir = &a.common.plan;
    let plan_files = [plan_dir.join("plan.csv"), plan_dir.join("summary.json")];
    for out in [&a.out, &truth_path] {
        crate::io::result_dir::refuse_inputs(
            out,
            &[
                plan_dir.as_path(),
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
