//! A result directory changes as one unit: every command builds its `--out` folder in a hidden
//! sibling (`.NAME.jianpai-tmp-PID`) and swaps it in with one rename, so a reader (or a run
//! killed at any moment) sees either the old complete folder or the new complete one. On Linux
//! the swap of an existing folder is `renameat2(RENAME_EXCHANGE)`; elsewhere the old folder is
//! renamed away first and put back by the next run if the process died in between.
//!
//! A lock file beside the target (`.NAME.jianpai-lock`) keeps a second writer out. The next run
//! removes temporary folders a killed run left behind. An existing target is replaced only when
//! it is empty or a previous result of the same command (it holds [`MARKER`] naming the
//! command, or — folders written before markers existed — only files the command writes), and
//! never when it is, or contains, one of the command's inputs.

use super::table::display;
use super::IoError;
use std::fs::File;
use std::path::{Path, PathBuf};

/// File in every result folder naming the command that wrote it.
pub const MARKER: &str = ".jianpai-result";

/// What writes a result folder: the command's name (stored in [`MARKER`]) and the entries a
/// folder written by an older version (without a marker) may hold.
#[derive(Debug, Clone, Copy)]
pub struct Producer {
    /// Command, e.g. `plan` or `seeds generate`.
    pub command: &'static str,
    /// Entries of an unmarked earlier result (empty: an unmarked non-empty folder is refused).
    pub legacy: &'static [&'static str],
}

/// A result folder being built; [`ResultDir::commit`] swaps it in, dropping it discards it.
#[derive(Debug)]
pub struct ResultDir {
    target: PathBuf,
    staging: PathBuf,
    lock: Option<Lock>,
    shown: String,
    command: &'static str,
}

fn write_err(file: &Path, message: impl std::fmt::Display) -> IoError {
    IoError::Write {
        file: display(file),
        source: std::io::Error::other(message.to_string()),
    }
}

fn refuse(file: &Path, message: String) -> IoError {
    IoError::Format {
        file: display(file),
        message,
    }
}

/// `parent/.NAME.jianpai-WHAT`.
fn sibling(target: &Path, what: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.jianpai-{what}"))
}

/// The target as an absolute path with symbolic links resolved (its parent is created).
fn resolve(out: &Path) -> Result<PathBuf, IoError> {
    if out.as_os_str().is_empty() {
        return Err(refuse(out, "is not a folder name".into()));
    }
    if let Ok(real) = std::fs::canonicalize(out) {
        return Ok(real);
    }
    if std::fs::symlink_metadata(out).is_ok() {
        return Err(write_err(out, "is a symbolic link to nothing"));
    }
    let name = match out.file_name() {
        Some(n)
            if out
                .components()
                .next_back()
                .is_some_and(|c| c.as_os_str() == n) =>
        {
            n
        }
        _ => return Err(refuse(out, "is not a folder name".into())),
    };
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| write_err(out, e))?;
    let parent = std::fs::canonicalize(parent).map_err(|e| write_err(out, e))?;
    Ok(parent.join(name))
}

/// An input path as an absolute path (itself when it cannot be resolved).
fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    })
}

/// Refuse an output (a folder, or a file) that is one of `inputs` or holds one of them.
pub fn refuse_inputs(out: &Path, inputs: &[&Path]) -> Result<(), IoError> {
    let real = absolute(out);
    for input in inputs {
        let inp = absolute(input);
        if inp.starts_with(&real) {
            let what = if inp == real {
                "is".to_string()
            } else {
                format!("contains {}, which is", input.display())
            };
            return Err(refuse(
                out,
                format!(
                    "{what} an input of this command; writing there would overwrite it — choose another --out"
                ),
            ));
        }
    }
    Ok(())
}

impl ResultDir {
    /// Start a result folder for `out`: take the lock, clean up after killed runs, check that
    /// the target may be replaced and overlaps none of `inputs`, and create the empty staging
    /// folder (holding the marker).
    pub fn create(out: &Path, producer: Producer, inputs: &[&Path]) -> Result<Self, IoError> {
        let target = resolve(out)?;
        refuse_inputs(&target, inputs).map_err(|e| match e {
            IoError::Format { message, .. } => refuse(out, message),
            e => e,
        })?;
        if std::env::current_dir().is_ok_and(|cwd| cwd.starts_with(&target)) {
            return Err(refuse(
                out,
                "is (or holds) the current folder; it would be replaced as a whole — choose another --out".into(),
            ));
        }
        if std::fs::metadata(&target).is_ok_and(|m| !m.is_dir()) {
            return Err(write_err(out, "exists and is not a folder"));
        }
        let lock = Lock::take(&target, out)?;
        clean_leftovers(&target).map_err(|e| write_err(out, e))?;
        check_target(&target, out, producer)?;
        let staging = sibling(&target, &format!("tmp-{}", std::process::id()));
        std::fs::create_dir(&staging).map_err(|e| write_err(out, e))?;
        let dir = ResultDir {
            target,
            staging,
            lock: Some(lock),
            shown: display(out),
            command: producer.command,
        };
        dir.mark(&dir.staging)?;
        Ok(dir)
    }

    fn mark(&self, folder: &Path) -> Result<(), IoError> {
        super::atomic::write_bytes(
            &folder.join(MARKER),
            format!("{}\n", self.command).as_bytes(),
        )
    }

    /// The target itself, created (with its marker) when absent, for files that must survive
    /// a killed run (a sweep's case files); [`ResultDir::carry_over`] takes them into the result.
    pub fn in_place(&self) -> Result<&Path, IoError> {
        if !self.target.exists() {
            let fresh = sibling(&self.target, &format!("tmp-{}-new", std::process::id()));
            std::fs::create_dir(&fresh).map_err(|e| write_err(&self.target, e))?;
            self.mark(&fresh)?;
            std::fs::rename(&fresh, &self.target).map_err(|e| write_err(&self.target, e))?;
        }
        Ok(&self.target)
    }

    /// The folder to write into (hidden until [`ResultDir::commit`]).
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The final folder (resolved), e.g. for paths written into the result relative to it.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Where to write `path`: inside the staging folder when `path` lies inside the target
    /// (e.g. `--write-model out/w/model.lp`), else `path` itself.
    pub fn redirect(&self, path: &Path) -> PathBuf {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let abs = absolute(parent).join(path.file_name().unwrap_or_default());
        match abs.strip_prefix(&self.target) {
            Ok(rel) => self.staging.join(rel),
            Err(_) => path.to_path_buf(),
        }
    }

    /// Hard-link (or copy) `rel` of the current target into the staging folder, so that it
    /// survives the swap (a sweep's resumable case files).
    pub fn carry_over(&self, rel: &str) -> Result<(), IoError> {
        let from = self.target.join(rel);
        if from.exists() {
            link_tree(&from, &self.staging.join(rel)).map_err(|e| write_err(&from, e))?;
        }
        Ok(())
    }

    /// Swap the new folder in as one step, remove the old one and release the lock.
    pub fn commit(mut self) -> Result<(), IoError> {
        let shown = PathBuf::from(&self.shown);
        sync_dir(&self.staging);
        swap_in(&self.staging, &self.target).map_err(|e| write_err(&shown, e))?;
        // The staging name now holds the old folder (or nothing).
        let _ = std::fs::remove_dir_all(&self.staging);
        if let Some(parent) = self.target.parent() {
            sync_dir(parent);
        }
        drop(self.lock.take());
        Ok(())
    }
}

impl Drop for ResultDir {
    fn drop(&mut self) {
        if let Some(l) = self.lock.take() {
            let _ = std::fs::remove_dir_all(&self.staging);
            drop(l);
        }
    }
}

/// The lock on a target: an exclusive `flock` on `.NAME.jianpai-lock`, removed on release.
#[derive(Debug)]
struct Lock {
    file: File,
    path: PathBuf,
}

impl Lock {
    fn take(target: &Path, shown: &Path) -> Result<Lock, IoError> {
        let path = sibling(target, "lock");
        loop {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(|e| write_err(shown, format!("cannot create {}: {e}", path.display())))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(write_err(
                        shown,
                        format!(
                            "another jianpai run is writing this folder (lock {}); wait for it to finish",
                            path.display()
                        ),
                    ))
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(write_err(shown, e)),
            }
            // The previous holder may have removed the file between our open and lock: lock
            // the file that is there now.
            if same_file(&file, &path) {
                return Ok(Lock { file, path });
            }
        }
    }
}

impl Drop for Lock {
    /// Remove the lock file while still holding the lock (a waiting writer re-checks the path).
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

/// Remove what a killed run left beside the target (we hold the lock: nobody else is writing).
/// An old folder renamed away by the non-Linux swap is put back first if the target is gone.
fn clean_leftovers(target: &Path) -> std::io::Result<()> {
    let Some(parent) = target.parent() else {
        return Ok(());
    };
    let old = sibling(target, "old");
    if old.exists() && std::fs::symlink_metadata(target).is_err() {
        std::fs::rename(&old, target)?;
    }
    let prefix = sibling(target, "tmp-");
    let prefix = prefix.file_name().unwrap_or_default().to_string_lossy();
    for e in std::fs::read_dir(parent)?.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with(prefix.as_ref()) || e.path() == old {
            std::fs::remove_dir_all(e.path())?;
        }
    }
    Ok(())
}

/// May the existing `target` be replaced by `producer`'s result?
fn check_target(target: &Path, shown: &Path, producer: Producer) -> Result<(), IoError> {
    let Ok(meta) = std::fs::metadata(target) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Err(write_err(shown, "exists and is not a folder"));
    }
    if let Ok(text) = std::fs::read_to_string(target.join(MARKER)) {
        let by = text.trim();
        return if by == producer.command {
            Ok(())
        } else {
            Err(refuse(
                shown,
                format!(
                    "holds the result of `jianpai {by}`, not of `jianpai {}`; it would be replaced as a whole — choose another --out or delete it",
                    producer.command
                ),
            ))
        };
    }
    let entries = std::fs::read_dir(target).map_err(|e| write_err(shown, e))?;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if !producer.legacy.contains(&name.as_str()) {
            return Err(refuse(
                shown,
                format!(
                    "is not empty and not a result of `jianpai {}` (it holds {name}); the folder would be replaced as a whole — choose another --out or delete it",
                    producer.command
                ),
            ));
        }
    }
    Ok(())
}

/// Put `staging` in place of `target` in one step.
fn swap_in(staging: &Path, target: &Path) -> std::io::Result<()> {
    if std::fs::symlink_metadata(target).is_err() {
        return std::fs::rename(staging, target);
    }
    exchange(staging, target)
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        return Ok(());
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        // Old kernels or file systems without the exchange: fall back.
        Some(libc::ENOSYS) | Some(libc::EINVAL) => rename_away(a, b),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    rename_away(a, b)
}

/// Rename the old target away, the new one in, and the old one to `staging` (removed by the
/// caller). A kill between the two renames leaves `.NAME.jianpai-old`, which the next run puts
/// back before anything else.
fn rename_away(staging: &Path, target: &Path) -> std::io::Result<()> {
    let old = sibling(target, "old");
    std::fs::rename(target, &old)?;
    if let Err(e) = std::fs::rename(staging, target) {
        let _ = std::fs::rename(&old, target);
        return Err(e);
    }
    std::fs::rename(&old, staging)
}

/// Hard-link every file below `from` into `to` (copy where links are not possible).
fn link_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_dir() {
        std::fs::create_dir_all(to)?;
        for e in std::fs::read_dir(from)? {
            let e = e?;
            link_tree(&e.path(), &to.join(e.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::hard_link(from, to).or_else(|_| std::fs::copy(from, to).map(|_| ()))
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
}

/// `jianpai plan`.
pub const PLAN: Producer = Producer {
    command: "plan",
    legacy: &[
        "plan.csv",
        "summary.json",
        "report",
        "model.lp",
        "model.mps",
    ],
};
/// `jianpai region`.
pub const REGION: Producer = Producer {
    command: "region",
    legacy: &[],
};
/// `jianpai negotiate`.
pub const NEGOTIATE: Producer = Producer {
    command: "negotiate",
    legacy: &[],
};
/// `jianpai revise`.
pub const REVISE: Producer = Producer {
    command: "revise",
    legacy: &[
        "plan.csv",
        "summary.json",
        "diff.json",
        "diff-cli.json",
        "report",
        "filing-grades.csv",
        "filing-list.csv",
        "filing-exempt.csv",
    ],
};
/// `jianpai audit --out`.
pub const AUDIT: Producer = Producer {
    command: "audit",
    legacy: &[],
};
/// `jianpai report`.
pub const REPORT: Producer = Producer {
    command: "report",
    legacy: &[
        "应急减排清单.xlsx",
        "一厂一策.xlsx",
        "报告.html",
        "情景对比.xlsx",
        "错峰生产日历.xlsx",
        "reduction-list.xlsx",
        "one-plant-one-policy.xlsx",
        "report.html",
        "sweep-comparison.xlsx",
        "staggered-calendar.xlsx",
        "核查报告.xlsx",
        "audit-report.xlsx",
    ],
};
/// `jianpai stagger`.
pub const STAGGER: Producer = Producer {
    command: "stagger",
    legacy: &["calendar.csv", "days.csv", "summary.json", "report"],
};
/// `jianpai sweep` and `jianpai sweep merge`.
pub const SWEEP: Producer = Producer {
    command: "sweep",
    legacy: &[
        "cases",
        "plans",
        "sweep.json",
        "results.csv",
        "results.parquet",
        "summary.json",
        "report",
    ],
};
/// `jianpai curve`.
pub const CURVE: Producer = Producer {
    command: "curve",
    legacy: &[
        "cases",
        "sweep.json",
        "results.csv",
        "results.parquet",
        "summary.json",
        "curve.csv",
        "report",
    ],
};
/// `jianpai upgrade`.
pub const UPGRADE: Producer = Producer {
    command: "upgrade",
    legacy: &["upgrade.csv", "summary.json", "scenario.toml", "report"],
};
/// A plan kept by `jianpai sweep --plans` (plans/NNNN).
pub const SWEEP_PLAN: Producer = Producer {
    command: "sweep --plans",
    legacy: &["plan.csv", "summary.json", "scenario.toml"],
};
/// `jianpai seeds generate`, `evolve` and `extract` (an inventory: never replace an unmarked one).
pub const SEEDS_GENERATE: Producer = Producer {
    command: "seeds generate",
    legacy: &[],
};
/// `jianpai import` (a dataset: never replace an unmarked one).
pub const IMPORT: Producer = Producer {
    command: "import",
    legacy: &[],
};
/// `jianpai seeds monitoring`.
pub const SEEDS_MONITORING: Producer = Producer {
    command: "seeds monitoring",
    legacy: &[],
};
/// `jianpai seeds evolve`.
pub const SEEDS_EVOLVE: Producer = Producer {
    command: "seeds evolve",
    legacy: &[],
};
/// `jianpai seeds extract`.
pub const SEEDS_EXTRACT: Producer = Producer {
    command: "seeds extract",
    legacy: &[],
};
/// `jianpai air --out`.
pub const AIR: Producer = Producer {
    command: "air",
    legacy: &[],
};
/// `jianpai seeds air`.
pub const SEEDS_AIR: Producer = Producer {
    command: "seeds air",
    legacy: &[],
};
