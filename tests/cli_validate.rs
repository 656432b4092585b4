//! `jianpai validate`, `seeds list` and `schema` from the command line: exit codes and output.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

fn wuxi() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/wuxi-2021")
}

/// The bundled seed, or — while `seeds/wuxi-2021/*.csv` are still empty placeholders — the same
/// city generated into a temporary folder (`seeds generate --enterprises 4000 --seed 2021`, which is
/// what the bundled seed is defined to be).
fn wuxi_dataset() -> (PathBuf, Option<tempfile::TempDir>) {
    let seeded = ["districts.csv", "enterprises.csv", "lines.csv"]
        .iter()
        .all(|f| {
            std::fs::metadata(wuxi().join(f))
                .map(|m| m.len() > 0)
                .unwrap_or(false)
        });
    if seeded {
        return (wuxi(), None);
    }
    eprintln!("note: seeds/wuxi-2021 is not generated yet; validating a generated copy instead");
    let tmp = tempfile::tempdir().unwrap();
    jianpai()
        .args([
            "-q",
            "seeds",
            "generate",
            "--enterprises",
            "4000",
            "--seed",
            "2021",
            "--out",
        ])
        .arg(tmp.path())
        .assert()
        .code(0);
    (tmp.path().to_path_buf(), Some(tmp))
}

#[test]
fn validate_wuxi_prints_the_summary() {
    let (dir, _guard) = wuxi_dataset();
    let out = jianpai().arg("validate").arg(&dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("企业"), "{stdout}");
    assert!(stdout.contains("企业 enterprises: 4000"), "{stdout}");
    assert!(stdout.contains("0 errors"), "{stdout}");
    assert!(!stderr.contains("error["), "{stderr}");
}

#[test]
fn validate_wuxi_json() {
    let (dir, _guard) = wuxi_dataset();
    let out = jianpai()
        .args(["validate", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(v["valid"], true);
    assert_eq!(v["errors"], 0);
    assert!(v["warnings"].is_u64());
    assert!(v["diagnostics"].is_array());
    let s = &v["summary"];
    assert_eq!(s["enterprises"], 4000);
    assert!(s["lines"].as_u64().unwrap() > 0);
    for key in ["by_district", "by_industry", "by_grade"] {
        let total: u64 = s[key]
            .as_object()
            .unwrap_or_else(|| panic!("{key}"))
            .values()
            .map(|x| x.as_u64().unwrap())
            .sum();
        assert_eq!(total, 4000, "{key} counts every enterprise once");
    }
    assert!(
        s["by_district"].get("江阴市").is_some(),
        "{}",
        s["by_district"]
    );
    for key in ["baseline", "society"] {
        for p in ["so2", "nox", "pm", "vocs"] {
            assert!(s[key][p].as_f64().unwrap() > 0.0, "{key}.{p}");
        }
    }
    let (b, so) = (&s["baseline"], &s["society"]);
    for p in ["so2", "nox", "pm", "vocs"] {
        assert!(
            b[p].as_f64().unwrap() < so[p].as_f64().unwrap(),
            "industry is part of society for {p}"
        );
    }
}

#[test]
fn validate_missing_path_is_an_io_error() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-such-folder");
    let out = jianpai().arg("validate").arg(&missing).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "{stderr}");
    assert!(stderr.contains("no-such-folder"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    let out = jianpai().output().unwrap();
    assert_eq!(out.status.code(), Some(2), "no arguments");
    let out = jianpai().arg("validate").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "validate without inputs");
    let out = jianpai()
        .args(["validate", "x", "--format", "yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "unknown format");
}

#[test]
fn seeds_list_names_wuxi() {
    let out = jianpai().args(["seeds", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l.starts_with("wuxi-2021")),
        "{stdout}"
    );
}

#[test]
fn schema_lists_the_columns() {
    let out = jianpai().arg("schema").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for s in [
        "统一社会信用代码",
        "`enterprises`",
        "`lines`",
        "`districts`",
        "保障最低负荷",
    ] {
        assert!(stdout.contains(s), "schema lacks {s}");
    }
}

#[test]
fn output_piped_into_head_stops_quietly() {
    let bin = assert_cmd::cargo::cargo_bin("jianpai");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; for i in 1 2 3 4 5; do \"{}\" schema; done | head -c 10 >/dev/null",
            bin.display()
        ))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("internal error"), "{err}");
}

#[test]
fn out_of_range_solver_flags_exit_2_for_plan_and_stagger() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().unwrap();
    for (cmd, scenario, flag) in [
        ("plan", "wuxi-2021.toml", ["--gap", "1.5"]),
        ("plan", "wuxi-2021.toml", ["--time-limit", "0"]),
        ("stagger", "wuxi-2021-stagger.toml", ["--threads", "0"]),
    ] {
        let out = jianpai()
            .arg(cmd)
            .arg(format!("{root}/scenarios/{scenario}"))
            .arg("--out")
            .arg(dir.path().join("o"))
            .args(flag)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd} {flag:?}: {err}");
        assert!(err.contains("outside the allowed range"), "{err}");
        assert!(!dir.path().join("o").exists(), "nothing written");
    }
}
