//! Provenance of a result: the tool version, the command line and every input file with its
//! SHA-256 hash, recorded in `summary.json` (`provenance`), printed by the reports, and re-checked
//! by `jianpai verify`. Results written before SHA-256 (session 4) recorded BLAKE3 (`blake3`);
//! `verify` still checks those with BLAKE3.
//!
//! Paths are stored as [`stored_path`] stores the scenario (relative to the result directory), so
//! that `verify` finds them from any working folder. The command line keeps every argument as
//! given except the program path (`jianpai`) and the value of `--out` (`<out>`): the same inputs
//! give the same bytes whichever folder the result is written to.

use super::dataset::{locate, Source};
use super::scenario_file::{resolve_stored, scenario_table, stored_path};
use crate::domain::Scenario;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::{Path, PathBuf};

/// What produced a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// Tool name.
    pub tool: String,
    /// Tool version (Cargo package version).
    pub version: String,
    /// The command line, `--out` value replaced by `<out>`.
    pub command: Vec<String>,
    /// Every input file, in a fixed order (scenario, its bases, inventory tables, rules, …).
    pub inputs: Vec<InputFile>,
}

/// One input file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputFile {
    /// What the file is: `scenario`, `base`, `inventory.<table>`, `rules`, `rule_overrides`,
    /// `decisions`, `previous`, `calendar`.
    pub role: String,
    /// Path relative to the result directory (absolute when there is none).
    pub path: String,
    /// SHA-256 of the content, lower-case hex (empty only in results made before SHA-256).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sha256: String,
    /// BLAKE3 of the content: only in results made before SHA-256 was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blake3: Option<String>,
    /// Size in bytes.
    pub bytes: u64,
}

/// SHA-256 (lower-case hex) and size of a file, streamed.
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    let n = stream(path, |chunk| h.update(chunk))?;
    Ok((hex(&h.finalize()), n))
}

/// BLAKE3 (lower-case hex) of a file: how results made before SHA-256 recorded their inputs.
fn legacy_blake3(path: &Path) -> std::io::Result<String> {
    let mut h = blake3::Hasher::new();
    stream(path, |chunk| {
        h.update(chunk);
    })?;
    Ok(h.finalize().to_hex().to_string())
}

/// Feed a file to `eat` in 64 KiB chunks; its size in bytes.
fn stream(path: &Path, mut eat: impl FnMut(&[u8])) -> std::io::Result<u64> {
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            return Ok(n);
        }
        n += k as u64;
        eat(&buf[..k]);
    }
}

/// Lower-case hex of bytes.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

thread_local! {
    /// The command line a result of this thread records instead of the process's own.
    static COMMAND: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

/// Run `f` recording `args` as its command line instead of this process's: the web workbench
/// runs the CLI's commands inside `jianpai serve` and records the command each run amounts to.
pub fn with_command<T>(args: Vec<String>, f: impl FnOnce() -> T) -> T {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            COMMAND.with_borrow_mut(|c| *c = None);
        }
    }
    COMMAND.with_borrow_mut(|c| *c = Some(args));
    let _reset = Reset;
    f()
}

/// The command line of this run as recorded (see the module documentation).
pub fn command_line() -> Vec<String> {
    match COMMAND.with_borrow(|c| c.clone()) {
        Some(args) => recorded_command(args),
        None => recorded_command(std::env::args_os().map(|a| a.to_string_lossy().into_owned())),
    }
}

/// `args` as recorded: the program as `jianpai`, the value of `--out` as `<out>`.
pub fn recorded_command(args: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut after_out = false;
    for (i, a) in args.into_iter().enumerate() {
        if i == 0 {
            out.push("jianpai".to_string());
        } else if after_out {
            out.push("<out>".into());
            after_out = false;
        } else if a == "--out" {
            out.push(a);
            after_out = true;
        } else if a.starts_with("--out=") {
            out.push("--out=<out>".into());
        } else {
            out.push(a);
        }
    }
    out
}

/// The input files of a list scenario, in a fixed order, with their roles. `scenario` is as
/// read (paths absolute, `decisions` already replaced by `--decisions`).
pub fn scenario_inputs(scenario_file: &Path, s: &Scenario) -> Vec<(String, PathBuf)> {
    let mut v: Vec<(String, PathBuf)> = Vec::new();
    let mut chain = Vec::new();
    // The chain was read once already; a failure here only loses the bases from the record.
    let _ = scenario_table(scenario_file, &mut chain);
    v.push(("scenario".into(), scenario_file.to_path_buf()));
    v.extend(chain.into_iter().skip(1).map(|p| ("base".to_string(), p)));
    match locate(std::slice::from_ref(&s.inventory)) {
        Ok(tables) => {
            for (name, src) in tables {
                let path = match src {
                    Source::File(p) | Source::Sheet(p, _) => p,
                };
                if !v.iter().any(|(_, q)| q == &path) {
                    v.push((format!("inventory.{name}"), path));
                }
            }
        }
        Err(_) => v.push(("inventory".into(), s.inventory.clone())),
    }
    v.push(("rules".into(), s.rules.clone()));
    v.extend(
        s.rule_overrides
            .clone()
            .map(|p| ("rule_overrides".into(), p)),
    );
    v.extend(s.decisions.clone().map(|p| ("decisions".into(), p)));
    if let Some(prev) = s.revision.as_ref().and_then(|r| r.previous.clone()) {
        let file = if prev.is_dir() {
            prev.join("plan.csv")
        } else {
            prev
        };
        v.push(("previous".into(), file));
    }
    v.extend(s.calendar.clone().map(|p| ("calendar".into(), p)));
    if let Some(a) = &s.air {
        v.extend(a.stations.clone().map(|p| ("air.stations".into(), p)));
        v.extend(a.receptors.clone().map(|p| ("air.receptors".into(), p)));
    }
    v
}

/// The provenance of a result written to `out` from these inputs (files that cannot be read are
/// recorded with an empty hash; the run itself has already read them).
pub fn collect(inputs: &[(String, PathBuf)], out: &Path) -> Provenance {
    Provenance {
        tool: "jianpai".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: command_line(),
        inputs: inputs
            .iter()
            .map(|(role, path)| {
                let (sha256, bytes) = hash_file(path).unwrap_or_default();
                InputFile {
                    role: role.clone(),
                    path: stored_path(path, out),
                    sha256,
                    blake3: None,
                    bytes,
                }
            })
            .collect(),
    }
}

/// How one recorded input compares with the file on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileState {
    /// Same content.
    Same,
    /// Different content.
    Changed,
    /// Not found or not readable.
    Missing,
}

impl FileState {
    /// Chinese word.
    pub fn zh(self) -> &'static str {
        match self {
            FileState::Same => "一致",
            FileState::Changed => "已变更",
            FileState::Missing => "缺失",
        }
    }

    /// English word.
    pub fn en(self) -> &'static str {
        match self {
            FileState::Same => "same",
            FileState::Changed => "changed",
            FileState::Missing => "missing",
        }
    }
}

/// One input as `verify` found it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verified {
    /// Role of the file.
    pub role: String,
    /// Path as recorded.
    pub path: String,
    /// The path looked at.
    pub resolved: String,
    /// Same, changed or missing.
    pub state: FileState,
    /// Recorded hash.
    pub recorded: String,
    /// Hash on disk, when readable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
}

/// Re-hash every recorded input of the result directory `dir` (whose summary held `p`).
pub fn verify(p: &Provenance, dir: &Path) -> Vec<Verified> {
    p.inputs
        .iter()
        .map(|f| {
            let path = resolve_stored(&f.path, dir);
            let (recorded, found) = match (&f.blake3, f.sha256.is_empty()) {
                (Some(b), true) => (b.clone(), legacy_blake3(&path).ok()),
                _ => (f.sha256.clone(), hash_file(&path).ok().map(|(h, _)| h)),
            };
            let state = match &found {
                None => FileState::Missing,
                Some(h) if *h == recorded => FileState::Same,
                Some(_) => FileState::Changed,
            };
            Verified {
                role: f.role.clone(),
                path: f.path.clone(),
                resolved: path.display().to_string(),
                state,
                recorded,
                found,
            }
        })
        .collect()
}

/// Lines a report prints: version, command, and each input with the first 12 hex digits.
pub fn footer_lines(p: &Provenance, english: bool) -> Vec<String> {
    let mut v = vec![if english {
        format!("Made by {} {}: {}", p.tool, p.version, p.command.join(" "))
    } else {
        format!("由 {} {} 生成：{}", p.tool, p.version, p.command.join(" "))
    }];
    for f in &p.inputs {
        let (name, hash) = match &f.blake3 {
            Some(b) if f.sha256.is_empty() => ("BLAKE3", b),
            _ => ("SHA-256", &f.sha256),
        };
        v.push(format!(
            "{} {} {name} {}",
            f.role,
            f.path,
            hash.get(..16).unwrap_or(hash)
        ));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_out_value_and_program_path_are_not_recorded() {
        let args = [
            "/usr/bin/jianpai",
            "plan",
            "s.toml",
            "--out",
            "/tmp/x",
            "--gap=0.1",
        ];
        assert_eq!(
            recorded_command(args.map(String::from)),
            ["jianpai", "plan", "s.toml", "--out", "<out>", "--gap=0.1"]
        );
        assert_eq!(
            recorded_command(["j", "plan", "--out=/a/b"].map(String::from)),
            ["jianpai", "plan", "--out=<out>"]
        );
    }

    #[test]
    fn sha256_of_a_known_text() {
        let dir = std::env::temp_dir().join(format!("jianpai-prov-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("abc.txt");
        std::fs::write(&p, "abc").unwrap();
        let (h, n) = hash_file(&p).unwrap();
        assert_eq!(
            h,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(n, 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
