//! A result folder changes as one unit: `plan`, `report` and `revise` are killed (SIGKILL) at
//! deterministic pseudo-random moments spread over their run time while they replace a complete
//! older result, and after every kill the folder must hold exactly the old complete result or
//! the new complete one — never a mix, never a temporary folder under the final name. Two
//! writers racing into one folder never mix either.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_jianpai");
/// Trials per command (several hundred in all), unless the time budget runs out first.
const TRIALS: usize = 100;
/// At least this many trials per command even on a slow machine.
const MIN_TRIALS: usize = 40;
/// Time budget per command.
const BUDGET: Duration = Duration::from_secs(17);

/// A tiny city, a scenario on it and last year's plan.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    jianpai::seeds::generate_to(12, 3, &root.join("city")).unwrap();
    let rules = Path::new(ROOT).join("seeds/rules");
    let out = common::small_city_scenario("city", &rules, 0.2);
    std::fs::write(root.join("s.toml"), out).unwrap();
    let st = Command::new(BIN)
        .args(["plan", "s.toml", "--out", "prev", "--quiet"])
        .current_dir(root)
        .status()
        .unwrap();
    assert!(st.success(), "fixture plan failed");
    dir
}

/// Every file below `dir` (relative path → bytes, JSON without its wall-clock `timing`).
fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, d: &Path, m: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                m.insert(p.strip_prefix(base).unwrap().join(""), Vec::new());
                walk(base, &p, m);
            } else {
                let mut b = std::fs::read(&p).unwrap();
                if p.extension().is_some_and(|x| x == "json") {
                    let mut v: serde_json::Value = serde_json::from_slice(&b).unwrap();
                    strip_timing(&mut v);
                    b = serde_json::to_vec(&v).unwrap();
                }
                m.insert(p.strip_prefix(base).unwrap().to_path_buf(), b);
            }
        }
    }
    let mut m = BTreeMap::new();
    walk(dir, dir, &mut m);
    m
}

fn strip_timing(v: &mut serde_json::Value) {
    if let Some(o) = v.as_object_mut() {
        o.remove("timing");
        for x in o.values_mut() {
            strip_timing(x);
        }
    }
}

/// Temporary folders, lock files and old folders beside `out`.
fn leftovers(out: &Path) -> Vec<String> {
    let name = out.file_name().unwrap().to_string_lossy().to_string();
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(&format!(".{name}.jianpai-")))
        .collect()
}

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn run(root: &Path, args: &[String]) -> std::process::ExitStatus {
    Command::new(BIN)
        .args(args)
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
}

/// Kill `command` (two variants writing different complete results into `out`) many times.
fn kill_trials(name: &str, variants: [Vec<String>; 2], out: &str, seed: u64) -> usize {
    let fx = fixture();
    let root = fx.path();
    let out = root.join(out);
    // The two complete results, and the run time.
    let mut known = Vec::new();
    let mut took = Duration::MAX;
    for v in &variants {
        for _ in 0..2 {
            let t = Instant::now();
            assert!(run(root, v).success(), "{name}: {v:?} failed");
            took = took.min(t.elapsed());
        }
        known.push(contents(&out));
    }
    assert_ne!(known[0], known[1], "{name}: the two variants must differ");
    let mut rng = Rng(seed);
    let start = Instant::now();
    let mut trials = 0;
    let mut kills = 0;
    while trials < TRIALS && (trials < MIN_TRIALS || start.elapsed() < BUDGET) {
        // Write the variant the folder does not hold, so that a mix would show.
        let now = contents(&out);
        let held = known.iter().position(|k| *k == now);
        let next = match held {
            Some(0) => 1,
            _ => 0,
        };
        let delay = took.mul_f64(rng.unit());
        let mut child = Command::new(BIN)
            .args(&variants[next])
            .current_dir(root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        match child.try_wait().unwrap() {
            Some(st) => assert!(st.success(), "{name}: an unkilled run failed: {st}"),
            None => {
                child.kill().unwrap();
                child.wait().unwrap();
                kills += 1;
            }
        }
        let after = contents(&out);
        assert!(
            known.contains(&after),
            "{name}, trial {trials} (killed after {delay:?}): the folder holds neither complete result: {:?}",
            after.keys().collect::<Vec<_>>()
        );
        assert!(
            after
                .keys()
                .all(|k| !k.to_string_lossy().contains("jianpai-tmp")),
            "{name}: a temporary folder inside the result"
        );
        trials += 1;
    }
    assert!(
        kills > trials / 4,
        "{name}: only {kills} of {trials} runs were killed"
    );
    // The next run succeeds and cleans up what the killed ones left.
    let now = contents(&out);
    let next = usize::from(known[0] == now);
    assert!(run(root, &variants[next]).success());
    assert_eq!(contents(&out), known[next]);
    assert_eq!(leftovers(&out), Vec::<String>::new(), "{name}: leftovers");
    trials
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

#[test]
fn killed_plan_report_revise_leave_old_or_new_result() {
    let t = Instant::now();
    let mut total = 0;
    total += kill_trials(
        "plan",
        [
            args(&["plan", "s.toml", "--out", "out", "--quiet"]),
            args(&["plan", "s.toml", "--out", "out", "--quiet", "--lang", "en"]),
        ],
        "out",
        1,
    );
    total += kill_trials(
        "report",
        [
            args(&["report", "prev", "--out", "prev/report", "--quiet"]),
            args(&[
                "report",
                "prev",
                "--out",
                "prev/report",
                "--quiet",
                "--lang",
                "en",
            ]),
        ],
        "prev/report",
        2,
    );
    total += kill_trials(
        "revise",
        [
            args(&[
                "revise",
                "s.toml",
                "--previous",
                "prev",
                "--out",
                "rev",
                "--quiet",
            ]),
            args(&[
                "revise",
                "s.toml",
                "--previous",
                "prev",
                "--out",
                "rev",
                "--quiet",
                "--lang",
                "en",
            ]),
        ],
        "rev",
        3,
    );
    println!("{total} kill trials in {:?}", t.elapsed());
    assert!(total >= 3 * MIN_TRIALS);
}

#[test]
fn concurrent_writers_never_mix() {
    let fx = fixture();
    let root = fx.path();
    let variants = [
        args(&["plan", "s.toml", "--out", "out", "--quiet"]),
        args(&["plan", "s.toml", "--out", "out", "--quiet", "--lang", "en"]),
    ];
    let mut known = Vec::new();
    for v in &variants {
        assert!(run(root, v).success());
        known.push(contents(&root.join("out")));
    }
    let mut refused = 0;
    for _ in 0..12 {
        let children: Vec<_> = variants
            .iter()
            .map(|v| {
                Command::new(BIN)
                    .args(v)
                    .current_dir(root)
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            match o.status.code() {
                Some(0) => {}
                Some(7) => {
                    let e = String::from_utf8_lossy(&o.stderr);
                    assert!(e.contains("another jianpai run is writing"), "{e}");
                    refused += 1;
                }
                c => panic!("exit {c:?}: {}", String::from_utf8_lossy(&o.stderr)),
            }
        }
        assert!(known.contains(&contents(&root.join("out"))), "mixed result");
        assert_eq!(leftovers(&root.join("out")), Vec::<String>::new());
    }
    println!("{refused} of 24 writers refused by the lock");
}
