//! Seed data: the deterministic generator and the data sets bundled in the binary.

pub mod evolve;
pub mod generator;
pub mod meters;
pub mod monitoring;
pub mod region;
pub mod rng;

use crate::io::atomic::write_bytes;
use crate::io::result_dir::{Producer, ResultDir, SEEDS_EVOLVE, SEEDS_EXTRACT, SEEDS_GENERATE};
use crate::io::IoError;
use std::path::Path;

/// A data set shipped inside the binary.
pub struct Bundled {
    /// Name used on the command line.
    pub name: &'static str,
    /// What it is.
    pub description: &'static str,
    /// Files (relative path, contents).
    pub files: &'static [(&'static str, &'static str)],
}

/// The bundled data sets.
pub const BUNDLED: &[Bundled] = &[
    Bundled {
        name: "wuxi-2021",
        description: "synthetic city calibrated to Wuxi's 2021 air plan (generate --enterprises 4000 --seed 2021)",
        files: &[
            ("README.md", include_str!("../../seeds/wuxi-2021/README.md")),
            ("districts.csv", include_str!("../../seeds/wuxi-2021/districts.csv")),
            ("enterprises.csv", include_str!("../../seeds/wuxi-2021/enterprises.csv")),
            ("lines.csv", include_str!("../../seeds/wuxi-2021/lines.csv")),
            ("options.csv", include_str!("../../seeds/wuxi-2021/options.csv")),
        ],
    },
    Bundled {
        name: "rules",
        description: "industry table and grade × industry × level rules (cement rows from the Guide, others illustrative)",
        files: &[("industries.csv", include_str!("../../seeds/rules/industries.csv"))],
    },
];

/// Find a bundled set by name.
pub fn bundled(name: &str) -> Option<&'static Bundled> {
    BUNDLED.iter().find(|b| b.name == name)
}

/// Write named files as one result folder (see [`crate::io::result_dir`]).
fn write_folder<'a>(
    out: &Path,
    producer: Producer,
    inputs: &[&Path],
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), IoError> {
    let dir = ResultDir::create(out, producer, inputs)?;
    for (name, text) in files {
        write_bytes(&dir.path().join(name), text.as_bytes())?;
    }
    dir.commit()
}

/// Write a bundled set into a folder.
pub fn extract(set: &Bundled, out: &Path) -> Result<(), IoError> {
    write_folder(out, SEEDS_EXTRACT, &[], set.files.iter().copied())
}

/// Most enterprises `seeds generate` makes: a province-sized city (Jiangsu lists some 60,000
/// firms) fits several times; beyond it the generator would only exhaust memory.
pub const MAX_GENERATED_ENTERPRISES: usize = 200_000;

/// Generate a city and write it into a folder.
pub fn generate_to(n: usize, seed: u64, out: &Path) -> Result<generator::Dataset, IoError> {
    let ds = generator::generate(n, seed);
    write_folder(
        out,
        SEEDS_GENERATE,
        &[],
        ds.files.iter().map(|(n, t)| (n.as_str(), t.as_str())),
    )?;
    Ok(ds)
}

/// Evolve a generated city in `from` into next year's, written to `out`.
pub fn evolve_to(from: &Path, seed: u64, out: &Path) -> Result<evolve::Evolved, IoError> {
    let read = |name: &str| {
        let p = from.join(name);
        std::fs::read_to_string(&p).map_err(|source| IoError::Read {
            file: p.display().to_string(),
            source,
        })
    };
    let ev = evolve::evolve(
        &read("enterprises.csv")?,
        &read("lines.csv")?,
        &read("options.csv")?,
        &read("districts.csv")?,
        seed,
    )
    .map_err(|message| IoError::Format {
        file: from.display().to_string(),
        message,
    })?;
    write_folder(
        out,
        SEEDS_EVOLVE,
        &[from],
        ev.files.iter().map(|(n, t)| (n.as_str(), t.as_str())),
    )?;
    Ok(ev)
}
