//! The bureau's own inventories: units written in headers are converted (and reported), the
//! t/a-as-t/d slip is caught, and lines that produce nothing are flagged.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

/// A generated city in `dir/city`.
fn city(dir: &Path, enterprises: usize) -> std::path::PathBuf {
    let p = dir.join("city");
    jianpai::seeds::generate_to(enterprises, 7, &p).unwrap();
    p
}

type Table = (Vec<String>, Vec<Vec<String>>);

fn read(p: &Path) -> Table {
    let mut r = csv::Reader::from_path(p).unwrap();
    let h = r
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    (h, rows)
}

fn write(p: &Path, (h, rows): &Table) {
    let mut w = csv::Writer::from_path(p).unwrap();
    w.write_record(h).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

/// Copy the city to `name` with lines.csv edited.
fn edited(dir: &Path, name: &str, edit: impl FnOnce(&mut Table)) -> std::path::PathBuf {
    let from = dir.join("city");
    let to = dir.join(name);
    std::fs::create_dir_all(&to).unwrap();
    for f in std::fs::read_dir(&from).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
    }
    let mut t = read(&to.join("lines.csv"));
    edit(&mut t);
    write(&to.join("lines.csv"), &t);
    to
}

fn col(t: &Table, starts: &str) -> usize {
    t.0.iter()
        .position(|h| h.starts_with(starts))
        .unwrap_or_else(|| panic!("no column {starts} in {:?}", t.0))
}

fn scale(t: &mut Table, c: usize, f: f64) {
    for r in &mut t.1 {
        if let Ok(v) = r[c].parse::<f64>() {
            r[c] = format!("{}", v * f);
        }
    }
}

fn validate(dir: &Path) -> (Option<i32>, Value) {
    let out = jianpai()
        .args(["validate", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

fn diagnostics(v: &Value, code: &str) -> Vec<Value> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .cloned()
        .collect()
}

#[test]
fn annual_and_hourly_units_in_headers_are_converted_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let city = city(tmp.path(), 60);
    let annual = edited(tmp.path(), "annual", |t| {
        let so2 = col(t, "二氧化硫");
        t.0[so2] = "二氧化硫排放量（吨/年）".into();
        scale(t, so2, 300.0);
        let nox = col(t, "氮氧化物");
        t.0[nox] = "NOx (kg/h)".into();
        scale(t, nox, 1000.0 / 24.0);
        let value = col(t, "日产值");
        t.0[value] = "产值（万元/年）".into();
        scale(t, value, 300.0);
        let kwh = col(t, "日用电量");
        t.0[kwh] = "用电量（千瓦时/年）".into();
        scale(t, kwh, 300.0);
    });
    let (code, base) = validate(&city);
    assert_eq!(code, Some(0));
    let (code, conv) = validate(&annual);
    assert_eq!(code, Some(0), "{conv}");
    let w = diagnostics(&conv, "W401");
    assert_eq!(w.len(), 4, "{w:?}");
    let text = serde_json::to_string(&w).unwrap();
    assert!(
        text.contains("吨/年 → t/d (÷ 300 operating days)"),
        "{text}"
    );
    assert!(text.contains("kg/h → t/d (× 24 operating hours)"), "{text}");
    let b: BTreeMap<String, f64> =
        serde_json::from_value(base["summary"]["baseline"].clone()).unwrap();
    let c: BTreeMap<String, f64> =
        serde_json::from_value(conv["summary"]["baseline"].clone()).unwrap();
    for (k, v) in &b {
        assert!(
            (c[k] - v).abs() <= 1e-9 * v.max(1.0),
            "{k}: {} vs {v}",
            c[k]
        );
    }
}

#[test]
fn an_unknown_unit_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    city(tmp.path(), 30);
    let bad = edited(tmp.path(), "bad", |t| {
        let so2 = col(t, "二氧化硫");
        t.0[so2] = "二氧化硫（桶/年）".into();
    });
    let (code, v) = validate(&bad);
    assert_eq!(code, Some(3));
    let e = diagnostics(&v, "E410");
    assert_eq!(e.len(), 1, "{v}");
    assert_eq!(e[0]["value"], "桶/年");
    assert!(e[0]["column"]
        .as_str()
        .unwrap()
        .contains("二氧化硫（桶/年）"));
}

#[test]
fn annual_tonnes_written_as_daily_are_caught() {
    let tmp = tempfile::tempdir().unwrap();
    city(tmp.path(), 60);
    // The whole column: the listed lines emit more than their districts.
    let slip = edited(tmp.path(), "slip", |t| {
        let so2 = col(t, "二氧化硫");
        scale(t, so2, 300.0);
    });
    let (code, v) = validate(&slip);
    assert_eq!(code, Some(3));
    let e = diagnostics(&v, "E412");
    assert!(!e.is_empty(), "{v}");
    assert!(e.iter().all(|d| d["column"] == "二氧化硫"), "{e:?}");
    assert!(e[0]["hint"].as_str().unwrap().contains("二氧化硫（吨/年）"));
}

#[test]
fn one_line_far_above_its_industry_is_flagged() {
    let tmp = tempfile::tempdir().unwrap();
    let c = city(tmp.path(), 300);
    let ents = read(&c.join("enterprises.csv"));
    let industry: BTreeMap<String, String> = ents
        .1
        .iter()
        .map(|r| (r[0].clone(), r[3].clone()))
        .collect();
    let lines = read(&c.join("lines.csv"));
    let (so2, value, status) = (
        col(&lines, "二氧化硫"),
        col(&lines, "日产值"),
        col(&lines, "状态"),
    );
    // SO2 per 万元 of every active line, by industry; pick the smallest emitter at or above its
    // industry's median (so that 300× it stays below its district's total).
    let mut by: BTreeMap<String, Vec<(f64, f64, usize)>> = BTreeMap::new();
    for (i, r) in lines.1.iter().enumerate() {
        let (e, v): (f64, f64) = (r[so2].parse().unwrap(), r[value].parse().unwrap());
        if e > 0.0 && v > 0.0 && r[status] != "停产" {
            by.entry(industry[&r[1]].clone())
                .or_default()
                .push((e / v, e, i));
        }
    }
    let mut pick: Option<(f64, usize)> = None;
    for v in by.values_mut().filter(|v| v.len() >= 5) {
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        let m = v[v.len() / 2].0;
        for x in v.iter().filter(|x| x.0 >= m) {
            if pick.is_none_or(|p| x.1 < p.0) {
                pick = Some((x.1, x.2));
            }
        }
    }
    let (_, row) = pick.expect("an industry with five SO2 lines");
    let id = lines.1[row][0].clone();
    let slip = edited(tmp.path(), "one", |t| {
        let v: f64 = t.1[row][so2].parse().unwrap();
        t.1[row][so2] = format!("{}", v * 300.0);
        // And an active line with no output value.
        let other = (0..t.1.len())
            .find(|&i| i != row && t.1[i][status] != "停产")
            .unwrap();
        t.1[other][value] = "0".into();
    });
    let (code, v) = validate(&slip);
    assert_eq!(code, Some(0), "{v}");
    let w = diagnostics(&v, "W402");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0]["value"], id.as_str());
    assert_eq!(w[0]["column"], "二氧化硫");
    assert!(w[0]["hint"].as_str().unwrap().contains("吨/年"));
    assert_eq!(diagnostics(&v, "W403").len(), 1, "{v}");
}
