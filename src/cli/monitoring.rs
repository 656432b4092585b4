//! `jianpai seeds monitoring`: synthetic evidence from all four sources for an audit.

use super::audit::{meter_settings, plan, EvidenceSpan};
use super::Failure;
use crate::exit;
use crate::io::result_dir::{ResultDir, SEEDS_MONITORING};
use crate::seeds::monitoring::{generate, MonitoringSettings};
use std::path::PathBuf;

/// Arguments of `jianpai seeds monitoring`.
#[derive(Debug, clap::Args)]
pub struct MonitoringArgs {
    #[command(flatten)]
    pub common: EvidenceSpan,
    /// Cheats in all: a fifth each abatement off (CEMS only), night runs of stopped lines
    /// (status and CEMS) and banned trucks (gate log only; enterprises), the rest ignore or
    /// under-apply their measure (all sources).
    #[arg(long, default_value_t = 0)]
    pub cheaters: usize,
    /// Folder to write (meters.csv, cems.csv, status.csv, gates.csv, warnings.csv, truth.csv).
    #[arg(long)]
    pub out: PathBuf,
}

/// Generate synthetic evidence into a result folder (written atomically).
pub fn run_monitoring(a: MonitoringArgs, quiet: bool) -> Result<(), Failure> {
    let listing = plan(&a.common.plan)?;
    if a.cheaters > listing.lines.len() {
        return Err(Failure::new(
            exit::USAGE,
            format!(
                "--cheaters {} exceeds the {} lines of the list",
                a.cheaters,
                listing.lines.len()
            ),
        ));
    }
    let settings = MonitoringSettings {
        meters: meter_settings(&a.common, 0, None, false)?,
        cheaters: a.cheaters,
    };
    let dir = ResultDir::create(&a.out, SEEDS_MONITORING, &[a.common.plan.as_path()])?;
    let mut failed = None;
    let mut rows: Vec<(String, usize)> = Vec::new();
    let written = generate(&listing, &settings, &mut |name, body| {
        let mut n = 0;
        let r = crate::io::atomic::write_with(&dir.path().join(name), |w| {
            n = body(w)?;
            Ok(())
        });
        rows.push((name.to_string(), n));
        r.map_err(|e| {
            let m = e.to_string();
            failed = Some(e);
            std::io::Error::other(m)
        })
    });
    if let Some(e) = failed {
        return Err(e.into());
    }
    let written = written.map_err(|e| Failure::new(exit::IO, e.to_string()))?;
    dir.commit()?;
    if !quiet {
        let files: Vec<String> = rows.iter().map(|(f, n)| format!("{f} {n}")).collect();
        let cheats: Vec<String> = written
            .cheats
            .iter()
            .map(|(b, n)| format!("{b} {n}"))
            .collect();
        println!(
            "wrote {} (rows: {}); cheats: {}",
            a.out.display(),
            files.join(", "),
            if cheats.is_empty() {
                "none".into()
            } else {
                cheats.join(", ")
            }
        );
    }
    Ok(())
}
