//! `jianpai seeds`.

use super::{Failure, SeedsAction};
use crate::exit;
use crate::seeds;

/// Run a seeds action.
pub fn run(action: SeedsAction, quiet: bool) -> Result<(), Failure> {
    match action {
        SeedsAction::Air { dataset, seed, out } => {
            super::air::run_seeds_air(&dataset, seed, &out, quiet)?;
        }
        SeedsAction::List => {
            for b in seeds::BUNDLED {
                println!("{:<12} {}", b.name, b.description);
            }
        }
        SeedsAction::Extract { name, out } => {
            let set = seeds::bundled(&name).ok_or_else(|| {
                let names: Vec<_> = seeds::BUNDLED.iter().map(|b| b.name).collect();
                Failure::new(
                    crate::exit::USAGE,
                    format!(
                        "no bundled data set '{name}'; available: {}",
                        names.join(", ")
                    ),
                )
            })?;
            seeds::extract(set, &out)?;
            if !quiet {
                println!("wrote {} files to {}", set.files.len(), out.display());
            }
        }
        SeedsAction::Generate {
            enterprises,
            seed,
            out,
            cities: Some(cities),
        } => {
            let cities = usize::from(cities);
            let max = seeds::MAX_GENERATED_ENTERPRISES;
            if cities * enterprises > max {
                return Err(Failure::new(
                    exit::USAGE,
                    format!(
                        "--cities {cities} × --enterprises {enterprises} is more than {max} enterprises in all"
                    ),
                ));
            }
            let (e, l) = seeds::region::generate_region(cities, enterprises, seed, &out)?;
            if !quiet {
                println!(
                    "generated {cities} cities ({e} enterprises, {l} lines), region.toml and region-sweep.toml in {}",
                    out.display()
                );
            }
        }
        SeedsAction::Generate {
            enterprises,
            seed,
            out,
            cities: None,
        } => {
            let ds = seeds::generate_to(enterprises, seed, &out)?;
            if !quiet {
                println!(
                    "generated {} enterprises and {} lines in {}",
                    ds.enterprises,
                    ds.lines,
                    out.display()
                );
            }
        }
        SeedsAction::Meters(args) => super::audit::run_meters(args, quiet)?,
        SeedsAction::Monitoring(args) => super::monitoring::run_monitoring(args, quiet)?,
        SeedsAction::Evolve { from, seed, out } => {
            let ev = seeds::evolve_to(&from, seed, &out)?;
            if !quiet {
                println!("{} changes written to {}", ev.changes, out.display());
            }
        }
    }
    Ok(())
}
