//! The air module: matrix evaluation against a hand-computed sum, the look-up precedence
//! line > enterprise > grid cell > district, weather types, the screening plume against a hand
//! computation, table validation, and the commands (`air`, `receptors`, `seeds air`, `check`
//! with station targets, `report` with `[air]`).

mod common;

use jianpai::air::evaluate::{evaluate, SourceCut};
use jianpai::air::geo::LonLat;
use jianpai::air::met::{MetClass, Stability};
use jianpai::air::plume::dilution;
use jianpai::air::receptors::{read_receptors, Matrix, SourceKind, SourceRef, Species};
use jianpai::air::stations::read_stations;
use jianpai::domain::{Level, Pollutant};
use std::path::Path;

const STATIONS: &str = "站点编号,站点名称,经度,纬度,坐标系,站点类型
S1,东亭,120.358,31.591,WGS-84,国控
S2,雪浪,120.270,31.500,GCJ-02,省控
";

fn jianpai() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("jianpai").unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn cut(red: [f64; 4]) -> [[f64; 4]; 3] {
    [
        [0.0; 4],
        [red[0] / 2.0, red[1] / 2.0, red[2] / 2.0, red[3] / 2.0],
        red,
    ]
}

/// Two lines of district 甲区: line A (enterprise EA) cuts SO2 2 t/d and PM 1 t/d at red, line B
/// (enterprise EB) NOx 3 t/d; orange is half of red. At S1 the district row gives SO2 0.5, PM 1.0
/// and NOx 0.2 µg/m³ per t/d, and EB's own NOx row 0.4 overrides the district's. By hand, red at
/// S1 = 2 × 0.5 + 1 × 1.0 + 3 × 0.4 = 3.2 µg/m³ (orange 1.6); S2 has only the district's NOx row
/// 0.1: red = 3 × 0.1 = 0.3, and line A's SO2 and PM (3 t/d) are uncovered there.
#[test]
fn evaluation_equals_the_hand_computed_sum() {
    let d = tempfile::tempdir().unwrap();
    let stations = read_stations(&write(d.path(), "stations.csv", STATIONS)).unwrap();
    let m = read_receptors(
        &write(
            d.path(),
            "receptors.csv",
            "源类型,源编号,站点编号,前体物,传输系数\n区县,甲区,S1,SO2,0.5\n区县,甲区,S1,颗粒物,1.0\n区县,甲区,S1,NOx,0.2\n企业,eb,S1,NOx,0.4\n区县,甲区,S2,NOx,0.1\n",
        ),
        &stations,
    )
    .unwrap();
    let src = |line: &str, ent: &str, red: [f64; 4]| SourceCut {
        line: line.into(),
        enterprise: ent.into(),
        enterprise_name: format!("企业{ent}"),
        district: "甲区".into(),
        site: None,
        cut: cut(red),
    };
    let sources = [
        src("A", "EA", [2.0, 0.0, 1.0, 0.0]),
        src("B", "EB", [0.0, 3.0, 0.0, 0.0]),
    ];
    let r = evaluate(&m, &stations, &sources, None);
    let pm = r.pm25().unwrap();
    let s1 = &pm.stations[0].levels;
    assert!((s1[Level::Red.index()].reduction - 3.2).abs() < 1e-12);
    assert!((s1[Level::Orange.index()].reduction - 1.6).abs() < 1e-12);
    assert_eq!(s1[Level::Yellow.index()].reduction, 0.0);
    assert!((s1[2].by_precursor[Pollutant::Nox.index()] - 1.2).abs() < 1e-12);
    let s2 = &pm.stations[1].levels[2];
    assert!((s2.reduction - 0.3).abs() < 1e-12);
    assert!((s2.uncovered_cut - 3.0).abs() < 1e-12);
    // City mean and worst station.
    let red = &pm.levels[2];
    assert!((red.mean - 1.75).abs() < 1e-12);
    assert_eq!(red.worst_station, "S2");
    assert!((red.worst - 0.3).abs() < 1e-12);
    // Contributors: EA 2.0, EB 1.2 at S1.
    let top = &s1[2].top;
    assert_eq!(top[0].code, "EA");
    assert!((top[0].reduction - 2.0).abs() < 1e-12 && (top[1].reduction - 1.2).abs() < 1e-12);
    // GCJ-02 coordinates are converted: S2 moves by a few hundred metres.
    assert!((stations[1].at.lon - 120.270).abs() > 1e-3);
}

#[test]
fn a_line_takes_its_own_row_then_its_enterprise_then_its_grid_cell_then_its_district() {
    let mut m = Matrix::default();
    m.cells = vec![jianpai::air::receptors::GridCell::parse("120.25/31.50/0.1").unwrap()];
    let p = Pollutant::So2;
    let sp = Species::Pm25;
    assert!(m.insert(SourceKind::District, "甲区", 0, p, sp, None, 1.0));
    let site = Some(LonLat {
        lon: 120.3,
        lat: 31.55,
    });
    let cell = m.cell_of(site).map(str::to_string);
    assert_eq!(cell.as_deref(), Some("120.25/31.50/0.1"));
    let r = SourceRef {
        line: "L1",
        enterprise: "E1",
        district: "甲区",
        cell: cell.as_deref(),
    };
    let look = |m: &Matrix| m.coefficient(r, 0, p, sp, None);
    assert_eq!(look(&m), Some((1.0, SourceKind::District)));
    assert!(m.insert(SourceKind::Grid, "120.25/31.50/0.1", 0, p, sp, None, 2.0));
    assert_eq!(look(&m), Some((2.0, SourceKind::Grid)));
    assert!(m.insert(SourceKind::Enterprise, "E1", 0, p, sp, None, 3.0));
    assert_eq!(look(&m), Some((3.0, SourceKind::Enterprise)));
    assert!(m.insert(SourceKind::Line, "L1", 0, p, sp, None, 4.0));
    assert_eq!(look(&m), Some((4.0, SourceKind::Line)));
    // Another line of the same enterprise still takes the enterprise's row.
    let other = SourceRef { line: "L2", ..r };
    assert_eq!(
        m.coefficient(other, 0, p, sp, None),
        Some((3.0, SourceKind::Enterprise))
    );
    // A site outside the cell falls through to the district.
    let far = SourceRef {
        line: "L9",
        enterprise: "E9",
        cell: None,
        ..r
    };
    let outside = Some(LonLat {
        lon: 120.5,
        lat: 31.7,
    });
    assert_eq!(m.cell_of(outside), None);
    assert_eq!(
        m.coefficient(far, 0, p, sp, None),
        Some((1.0, SourceKind::District))
    );
    // Another precursor or station has nothing.
    assert_eq!(m.coefficient(r, 0, Pollutant::Vocs, sp, None), None);
    assert_eq!(m.coefficient(r, 1, p, sp, None), None);
    // The same key twice is refused.
    assert!(!m.insert(SourceKind::Line, "L1", 0, p, sp, None, 5.0));
}

#[test]
fn a_weather_type_row_wins_when_chosen_and_untyped_rows_fill_in() {
    let mut m = Matrix::default();
    let (p, sp) = (Pollutant::Nox, Species::Pm25);
    assert!(m.insert(SourceKind::District, "甲区", 0, p, sp, None, 1.0));
    assert!(m.insert(SourceKind::District, "甲区", 0, p, sp, Some("静稳"), 1.5));
    assert!(m.insert(SourceKind::Enterprise, "E1", 0, p, sp, None, 0.7));
    let r = SourceRef {
        line: "L1",
        enterprise: "E2",
        district: "甲区",
        cell: None,
    };
    assert_eq!(m.coefficient(r, 0, p, sp, None).unwrap().0, 1.0);
    assert_eq!(m.coefficient(r, 0, p, sp, Some("静稳")).unwrap().0, 1.5);
    let r1 = SourceRef {
        enterprise: "E1",
        ..r
    };
    assert_eq!(m.coefficient(r1, 0, p, sp, Some("静稳")).unwrap().0, 0.7);
    assert!(m.check_weather(Some("静稳")).is_ok());
    assert!(m.check_weather(None).is_ok());
    let e = m.check_weather(Some("大风")).unwrap_err();
    assert!(e.contains("静稳"), "{e}");
}

/// One source 30 m high, one wind class: from the north (sector N, blowing south), 2 m/s,
/// stability D, all hours. The receptor is 1,000 m due south, in the downwind sector.
///
/// By hand: σz(D, 1000 m) = 0.06 · 1000 · (1 + 0.0015 · 1000)^−½ = 60 / √2.5 = 37.9473 m;
/// Q = 10⁶ g / 86,400 s = 11.5741 g/s per t/d; sector arc = 2π · 1000 / 16 = 392.699 m;
/// exp(−30² / (2 · 37.9473²)) = exp(−0.3125) = 0.731616;
/// C = √(2/π) · Q / (u · σz · arc) · exp(…) = 0.797885 · 11.5741 / (2 · 37.9473 · 392.699)
///   · 0.731616 = 2.26693·10⁻⁴ g/m³ = 226.693 µg/m³ per t/d.
/// Upwind (due north) the concentration is zero; a wind from the south gives nothing here.
#[test]
fn the_plume_reproduces_a_hand_computed_value() {
    let met = [MetClass {
        from: 0,
        speed: 2.0,
        stability: Stability::D,
        frequency: 1.0,
    }];
    let c = dilution(0.0, -1000.0, 30.0, &met);
    assert!((c - 226.693).abs() < 1e-3, "{c}");
    assert_eq!(dilution(0.0, 1000.0, 30.0, &met), 0.0);
    let half = [MetClass {
        frequency: 0.5,
        ..met[0]
    }];
    assert!((dilution(0.0, -1000.0, 30.0, &half) - c / 2.0).abs() < 1e-9);
    // A taller stack gives less at 1 km; a closer receptor is raised to 100 m.
    assert!(dilution(0.0, -1000.0, 80.0, &met) < c);
    assert_eq!(
        dilution(0.0, -10.0, 30.0, &met),
        dilution(0.0, -100.0, 30.0, &met)
    );
}

#[test]
fn bad_tables_are_named_by_file_row_column_and_value() {
    let d = tempfile::tempdir().unwrap();
    let bad_stations = write(
        d.path(),
        "st.csv",
        "站点编号,站点名称,经度,纬度,坐标系,站点类型\nS1,东亭,120.3,31.5,,国控\nS1,漆塘,120.3,31.5,WGS-84,国控\nS3,荣巷,12.3,31.5,WGS-84,国控\nS4,黄巷,120.3,31.5,BD-09,市控\n",
    );
    let r = read_stations(&bad_stations).unwrap_err();
    let text: Vec<String> = r.diagnostics.iter().map(|d| d.to_string()).collect();
    let has = |code: &str, row: &str| text.iter().any(|t| t.contains(code) && t.contains(row));
    assert!(has("E904", "row 2"), "{text:#?}");
    assert!(has("E901", "row 3"), "{text:#?}");
    assert!(has("E902", "row 4"), "{text:#?}");
    assert!(has("E903", "row 5") && has("E906", "row 5"), "{text:#?}");
    assert!(text
        .iter()
        .any(|t| t.contains("st.csv") && t.contains("坐标系") && t.contains("BD-09")));

    let stations = read_stations(&write(d.path(), "s.csv", STATIONS)).unwrap();
    let bad = write(
        d.path(),
        "r.csv",
        "源类型,源编号,站点编号,前体物,受体物种,传输系数\n区县,甲区,S9,SO2,PM25,0.5\n区县,甲区,S1,SO2,PM25,-0.5\n区县,甲区,S1,NOx,PM25,0.5\n区县,甲区,S1,NOx,PM25,0.6\n网格,x/y,S1,SO2,PM25,1\n工地,甲区,S1,SO2,PM25,1\n区县,甲区,S1,CO,PM10,1\n",
    );
    let r = read_receptors(&bad, &stations).unwrap_err();
    let text: Vec<String> = r.diagnostics.iter().map(|d| d.to_string()).collect();
    let has = |code: &str, row: &str, value: &str| {
        text.iter().any(|t| {
            t.contains(code) && t.contains(row) && t.contains(value) && t.contains("r.csv")
        })
    };
    assert!(has("E912", "row 2", "S9"), "{text:#?}");
    assert!(has("E006", "row 3", "-0.5"), "{text:#?}");
    assert!(has("E915", "row 5", "甲区"), "{text:#?}");
    assert!(has("E917", "row 6", "x/y"), "{text:#?}");
    assert!(has("E911", "row 7", "工地"), "{text:#?}");
    assert!(
        has("E913", "row 8", "CO") && has("E914", "row 8", "PM10"),
        "{text:#?}"
    );
}

/// A small city with two stations and a district matrix in its scenario's `[air]`, planned
/// without station targets; `targets` are added to the scenario afterwards (what `check`
/// verifies the plan against).
fn planned_city(targets: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, root) = common::small_city_dir(0.25, |s| s);
    write(&root, "stations.csv", STATIONS);
    let districts = std::fs::read_to_string(root.join("city/districts.csv")).unwrap();
    let mut m = String::from("源类型,源编号,站点编号,前体物,传输系数\n");
    for (i, line) in districts.lines().skip(1).enumerate() {
        let d = line.split(',').next().unwrap();
        for (st, p, c) in [
            ("S1", "SO2", 0.3),
            ("S1", "NOx", 0.2),
            ("S1", "PM", 0.8),
            ("S1", "VOCs", 0.05),
            ("S2", "PM", 0.4),
            ("S2", "NOx", 0.1),
        ] {
            m.push_str(&format!(
                "区县,{d},{st},{p},{}\n",
                c * (1.0 + i as f64 / 10.0)
            ));
        }
    }
    write(&root, "receptors.csv", &m);
    let mut s = std::fs::read_to_string(root.join("s.toml")).unwrap();
    s.push_str("\n[air]\nstations = \"stations.csv\"\nreceptors = \"receptors.csv\"\n");
    std::fs::write(root.join("s.toml"), &s).unwrap();
    jianpai()
        .current_dir(&root)
        .args(["--quiet", "plan", "s.toml", "--out", "plan"])
        .assert()
        .success();
    s.push_str(targets);
    std::fs::write(root.join("s.toml"), s).unwrap();
    (dir, root)
}

#[test]
fn check_flags_a_missed_station_target_and_passes_a_met_one() {
    let (_d, root) =
        planned_city("[air.targets.red]\nstation = 1000.0\n[air.targets.orange]\nmean = 0.0\n");
    let out = jianpai()
        .current_dir(&root)
        .args(["check", "plan", "--scenario", "s.toml"])
        .assert()
        .code(6);
    let text = String::from_utf8_lossy(&out.get_output().stderr).to_string()
        + &String::from_utf8_lossy(&out.get_output().stdout);
    assert!(
        text.contains("station-target") && text.contains("station:red:PM25:S1"),
        "{text}"
    );
    assert!(text.contains("已纳入优化，按清单独立核算"), "{text}");
    assert!(
        !text.contains("station:orange:PM25:mean"),
        "met target reported as a violation: {text}"
    );
    let json = jianpai()
        .current_dir(&root)
        .args(["check", "plan", "--scenario", "s.toml", "--format", "json"])
        .assert()
        .code(6);
    let v: serde_json::Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    let rows = v["station_targets"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows
        .iter()
        .any(|r| r["row"] == "station:orange:PM25:mean" && r["met"] == true));

    // The same plan meets a small target: exit 0.
    let s = std::fs::read_to_string(root.join("s.toml"))
        .unwrap()
        .replace("station = 1000.0", "station = 0.001");
    std::fs::write(root.join("s.toml"), s).unwrap();
    jianpai()
        .current_dir(&root)
        .args(["check", "plan", "--scenario", "s.toml"])
        .assert()
        .success();
}

#[test]
fn air_writes_the_estimate_and_the_report_shows_it() {
    let (_d, root) = planned_city("[air.targets.red]\nstation = 0.001\n");
    let run = |out: &str| {
        jianpai()
            .current_dir(&root)
            .args(["air", "--plan", "plan", "--out", out])
            .assert()
            .success();
    };
    run("a1");
    run("a2");
    for f in ["air.csv", "air.json", "air-map-PM25-red.svg"] {
        let a = std::fs::read(root.join("a1").join(f)).unwrap();
        assert_eq!(
            a,
            std::fs::read(root.join("a2").join(f)).unwrap(),
            "{f} differs between runs"
        );
    }
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("a1/air.json")).unwrap()).unwrap();
    let st = &v["species"][0]["stations"];
    let red = st[0]["levels"][2]["reduction"].as_f64().unwrap();
    let orange = st[0]["levels"][1]["reduction"].as_f64().unwrap();
    assert!(red > 0.0 && red >= orange, "{red} {orange}");
    // The estimate equals the stated cuts of plan.csv times the district coefficients.
    let csv = std::fs::read_to_string(root.join("a1/air.csv")).unwrap();
    assert!(
        csv.contains("station:red:PM25:S1") && csv.contains("已纳入优化，按清单独立核算"),
        "{csv}"
    );
    assert!(
        csv.contains("全市站点均值") && csv.contains("最差站点") && csv.contains("东亭"),
        "{csv}"
    );
    let cmp = jianpai()
        .current_dir(&root)
        .args(["compare", "plan", "plan"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&cmp.get_output().stdout).to_string();
    assert!(
        text.contains("站点 PM2.5 降幅") && text.contains("S1 东亭"),
        "{text}"
    );
    jianpai()
        .current_dir(&root)
        .args(["--quiet", "report", "plan", "--out", "r"])
        .assert()
        .success();
    let html = std::fs::read_to_string(root.join("r/报告.html")).unwrap();
    assert!(html.contains("空气质量效果") && html.contains("<circle") && html.contains("东亭"));
    let names = calamine_sheets(&root.join("r/应急减排清单.xlsx"));
    assert!(names.iter().any(|n| n == "空气质量效果"), "{names:?}");
    jianpai()
        .current_dir(&root)
        .args(["--quiet", "--lang", "en", "report", "plan", "--out", "en"])
        .assert()
        .success();
    let html = std::fs::read_to_string(root.join("en/report.html")).unwrap();
    assert!(html.contains("Effect on air quality") && html.contains("Mean of stations"));
}

fn calamine_sheets(p: &Path) -> Vec<String> {
    use calamine::Reader;
    let wb: calamine::Xlsx<_> = calamine::open_workbook(p).unwrap();
    wb.sheet_names().to_vec()
}

#[test]
fn seeds_air_gives_sites_stations_and_a_screening_matrix_the_air_command_uses() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    jianpai::seeds::generate_to(40, 5, &root.join("city")).unwrap();
    jianpai()
        .current_dir(root)
        .args([
            "--quiet",
            "seeds",
            "air",
            "--dataset",
            "city",
            "--out",
            "wx",
        ])
        .assert()
        .success();
    for f in [
        "enterprises.csv",
        "lines.csv",
        "districts.csv",
        "stations.csv",
        "met.csv",
        "receptors.csv",
    ] {
        assert!(root.join("wx").join(f).is_file(), "{f}");
    }
    // The copy validates, with coordinates inside Wuxi's box.
    jianpai()
        .current_dir(root)
        .args(["--quiet", "validate", "wx"])
        .assert()
        .success();
    let ent = std::fs::read_to_string(root.join("wx/enterprises.csv")).unwrap();
    assert!(ent.lines().next().unwrap().ends_with("经度,纬度,坐标系"));
    let m = std::fs::read_to_string(root.join("wx/receptors.csv")).unwrap();
    assert!(
        m.lines().skip(1).all(|l| l.contains("筛查估算")),
        "every row is marked screening"
    );
    // `receptors` alone reproduces the same matrix.
    jianpai()
        .current_dir(root)
        .args([
            "--quiet",
            "receptors",
            "--inventory",
            "wx",
            "--stations",
            "wx/stations.csv",
            "--met",
            "wx/met.csv",
            "--out",
            "r.csv",
        ])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(root.join("r.csv")).unwrap(),
        std::fs::read(root.join("wx/receptors.csv")).unwrap()
    );
    // Plan on the copy and estimate: the output says it is a screening estimate.
    let s = common::small_city_scenario(
        "wx",
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/rules"),
        0.25,
    );
    std::fs::write(root.join("s.toml"), s).unwrap();
    jianpai()
        .current_dir(root)
        .args(["--quiet", "plan", "s.toml", "--out", "plan"])
        .assert()
        .success();
    let out = jianpai()
        .current_dir(root)
        .args([
            "air",
            "--plan",
            "plan",
            "--stations",
            "wx/stations.csv",
            "--receptors",
            "wx/receptors.csv",
        ])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("筛查估算") && text.contains("东亭"), "{text}");
}
