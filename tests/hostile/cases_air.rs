//! Hostile cases: the air tables (stations, source–receptor matrix, wind table, enterprise
//! coordinates) and the `air`, `receptors` and station-target paths of `check`.

use super::{Case, Work};

const STATIONS: &str = "站点编号,站点名称,经度,纬度,坐标系,站点类型\nS1,东亭,120.358,31.591,WGS-84,国控\nS2,雪浪,120.270,31.500,GCJ-02,省控\n";

/// The first district of the fixture city.
fn district(w: &Work) -> String {
    let d = w.read("city/districts.csv");
    d.lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string()
}

/// Valid stations.csv and receptors.csv (district rows), then `edit` of the matrix text.
fn air_files(w: &Work, edit: impl Fn(String) -> String) {
    w.write("stations.csv", STATIONS);
    let d = district(w);
    let m = format!("源类型,源编号,站点编号,前体物,传输系数\n区县,{d},S1,SO2,0.5\n区县,{d},S1,PM,1.0\n区县,{d},S2,NOx,0.2\n");
    w.write("receptors.csv", edit(m));
}

/// `air` on the valid stations and a matrix passed through `edit`.
fn air_case(name: &str, edit: impl Fn(String) -> String + Send + Sync + 'static) -> Case {
    Case::new(
        name,
        &[
            "air",
            "--plan",
            "plan",
            "--stations",
            "stations.csv",
            "--receptors",
            "receptors.csv",
            "--out",
            "air",
        ],
    )
    .prepare(move |w| air_files(w, &edit))
}

/// The valid air files with one row appended to stations.csv.
fn stations_case(name: &str, row: &'static str) -> Case {
    air_case(name, |m| m).prepare(move |w| w.append("stations.csv", row))
}

/// A wind table with one edited row appended.
fn met_case(name: &str, rows: &'static str) -> Case {
    Case::new(
        name,
        &[
            "receptors",
            "--inventory",
            "city",
            "--stations",
            "stations.csv",
            "--met",
            "met.csv",
            "--out",
            "r.csv",
        ],
    )
    .prepare(move |w| {
        w.write("stations.csv", STATIONS);
        w.write("met.csv", format!("风向,风速,稳定度,频率\n{rows}"));
    })
}

/// `check` with the matrix in the scenario's `[air]` and `targets` (TOML) after it.
fn target_case(name: &str, targets: &'static str) -> Case {
    Case::new(name, &["check", "plan", "--scenario", "s.toml"]).prepare(move |w| {
        air_files(w, |m| m);
        w.append(
            "s.toml",
            &format!(
                "\n[air]\nstations = \"stations.csv\"\nreceptors = \"receptors.csv\"\n{targets}"
            ),
        );
    })
}

/// `plan` with the matrix in the scenario's `[air]` and `targets` (TOML) after it: the station
/// rows of the optimiser.
fn plan_target_case(name: &str, targets: &'static str) -> Case {
    plan_target_case_with(name, targets, &["plan", "s.toml", "--out", "o"])
}

/// As [`plan_target_case`] with other arguments.
fn plan_target_case_with(name: &str, targets: &'static str, args: &[&str]) -> Case {
    Case::new(name, args).prepare(move |w| {
        air_files(w, |m| m);
        w.append(
            "s.toml",
            &format!(
                "\n[air]\nstations = \"stations.csv\"\nreceptors = \"receptors.csv\"\n{targets}"
            ),
        );
    })
}

pub fn cases() -> Vec<Case> {
    vec![
        air_case("air-ok-district-matrix", |m| m)
            .exit(0)
            .says("全市站点均值")
            .says("µg/m³"),
        air_case("air-unknown-station", |m| m.replacen(",S2,", ",S9,", 1))
            .exit(3)
            .says("E912")
            .says("receptors.csv row 4")
            .says("S9"),
        air_case("air-negative-coefficient", |m| {
            m.replacen(",0.5\n", ",-0.5\n", 1)
        })
        .exit(3)
        .says("E006")
        .says("-0.5"),
        air_case("air-nan-coefficient", |m| m.replacen(",0.5\n", ",NaN\n", 1))
            .exit(3)
            .says("E007"),
        air_case("air-huge-coefficient", |m| {
            m.replacen(",0.5\n", ",1e9\n", 1)
        })
        .exit(3)
        .says("E024"),
        air_case("air-duplicate-key", |m| {
            let dup = m.lines().nth(1).unwrap().to_string();
            format!("{m}{dup}\n")
        })
        .exit(3)
        .says("E915")
        .says("row 2"),
        air_case("air-bad-grid-cell", |m| {
            format!("{m}网格,120/31,S1,SO2,1\n")
        })
        .exit(3)
        .says("E917")
        .says("120/31"),
        air_case("air-grid-cell-outside-china", |m| {
            format!("{m}网格,12/31/0.1,S1,SO2,1\n")
        })
        .exit(3)
        .says("E917"),
        air_case("air-unknown-source-kind", |m| {
            format!("{m}工地,x,S1,SO2,1\n")
        })
        .exit(3)
        .says("E911")
        .says("工地"),
        air_case("air-unknown-precursor", |m| m.replacen(",SO2,", ",CO,", 1))
            .exit(3)
            .says("E913")
            .says("CO"),
        air_case("air-matrix-control-characters", |m| {
            m.replacen(",S1,SO2,", ",S1,SO2\u{1b}[31m,", 1)
        })
        .exit(3)
        .says("E913")
        .says("\\u{1b}"),
        air_case("air-matrix-header-only", |m| {
            m.lines().next().unwrap().to_string() + "\n"
        })
        .exit(3)
        .says("E018"),
        air_case("air-matrix-missing-column", |m| {
            m.replace("传输系数", "系数值")
        })
        .exit(3)
        .says("E003"),
        air_case("air-weather-not-chosen", |m| {
            m.replace("传输系数", "天气类型,传输系数")
                .replace(",0.5", ",静稳,0.5")
                .replace(",1.0", ",静稳,1.0")
                .replace(",0.2", ",静稳,0.2")
        })
        .exit(3)
        .says("--weather"),
        Case::new(
            "air-weather-unknown",
            &[
                "air",
                "--plan",
                "plan",
                "--stations",
                "stations.csv",
                "--receptors",
                "receptors.csv",
                "--weather",
                "台风",
            ],
        )
        .prepare(|w| air_files(w, |m| m))
        .exit(3)
        .says("台风"),
        stations_case(
            "air-station-duplicate",
            "S1,漆塘,120.32,31.60,WGS-84,国控\n",
        )
        .exit(3)
        .says("E901")
        .says("row 4"),
        stations_case("air-station-datum-missing", "S3,漆塘,120.32,31.60,,国控\n")
            .exit(3)
            .says("E904"),
        stations_case(
            "air-station-datum-unknown",
            "S3,漆塘,120.32,31.60,BD-09,国控\n",
        )
        .exit(3)
        .says("E903")
        .says("BD-09"),
        stations_case(
            "air-station-swapped-coordinates",
            "S3,漆塘,31.60,120.32,WGS-84,国控\n",
        )
        .exit(3)
        .says("E024"),
        stations_case(
            "air-station-outside-china",
            "S3,漆塘,12.32,31.60,WGS-84,国控\n",
        )
        .exit(3)
        .says("E902"),
        stations_case(
            "air-station-latitude-beyond-90",
            "S3,漆塘,120.32,910,WGS-84,国控\n",
        )
        .exit(3)
        .says("E024"),
        stations_case(
            "air-station-one-coordinate",
            "S3,漆塘,120.32,,WGS-84,国控\n",
        )
        .exit(3)
        .says("E905"),
        stations_case(
            "air-station-unknown-kind",
            "S3,漆塘,120.32,31.60,WGS-84,市控\n",
        )
        .exit(3)
        .says("E906")
        .says("市控"),
        Case::new(
            "air-stations-missing-file",
            &[
                "air",
                "--plan",
                "plan",
                "--stations",
                "nope.csv",
                "--receptors",
                "receptors.csv",
            ],
        )
        .prepare(|w| air_files(w, |m| m))
        .exit(7)
        .says("nope.csv"),
        Case::new("air-no-matrix-named", &["air", "--plan", "plan"])
            .exit(2)
            .says("--receptors"),
        Case::new(
            "air-out-is-the-plan",
            &[
                "air",
                "--plan",
                "plan",
                "--stations",
                "stations.csv",
                "--receptors",
                "receptors.csv",
                "--out",
                "plan",
            ],
        )
        .prepare(|w| air_files(w, |m| m))
        .exit(3),
        Case::new(
            "air-enterprise-coordinates-without-datum",
            &["validate", "city"],
        )
        .prepare(|w| {
            let text = w.read("city/enterprises.csv");
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            lines[0].push_str(",经度,纬度,坐标系");
            for (i, l) in lines.iter_mut().enumerate().skip(1) {
                l.push_str(if i == 2 {
                    ",120.3,31.5,"
                } else {
                    ",120.3,31.5,WGS-84"
                });
            }
            w.write("city/enterprises.csv", lines.join("\n") + "\n");
        })
        .exit(3)
        .says("E904")
        .says("row 3"),
        Case::new(
            "air-receptors-without-sites",
            &[
                "receptors",
                "--inventory",
                "city",
                "--stations",
                "stations.csv",
                "--met",
                "met.csv",
                "--out",
                "r.csv",
            ],
        )
        .prepare(|w| {
            w.write("stations.csv", STATIONS);
            w.write("met.csv", "风向,风速,稳定度,频率\nN,2,D,1\n");
        })
        .exit(3)
        .says("E926")
        .says("W903")
        .after(|w, _| {
            if w.path("r.csv").exists() {
                Err("r.csv written".into())
            } else {
                Ok(())
            }
        }),
        met_case("air-met-frequencies-over-one", "N,2,D,0.7\nS,2,D,0.6\n")
            .exit(3)
            .says("E924"),
        met_case("air-met-calm", "N,0.1,D,0.5\n")
            .exit(3)
            .says("E923"),
        met_case("air-met-unknown-sector", "北北北北,2,D,0.5\n")
            .exit(3)
            .says("E921"),
        met_case("air-met-unknown-stability", "N,2,G,0.5\n")
            .exit(3)
            .says("E922")
            .says("G"),
        met_case("air-met-duplicate-class", "N,2,D,0.3\nN,2,D,0.3\n")
            .exit(3)
            .says("E925"),
        met_case("air-met-huge-speed", "N,1e300,D,0.3\n")
            .exit(3)
            .says("E024"),
        target_case(
            "air-target-out-of-range",
            "[air.targets.red]\nstation = -1.0\n",
        )
        .exit(3)
        .says("[air.targets.red] station = -1"),
        target_case(
            "air-target-unknown-key",
            "[air.targets.red]\nworst_station = 1.0\n",
        )
        .exit(3)
        .says("worst_station"),
        target_case(
            "air-target-unknown-station",
            "[air.targets.red.at]\nS7 = 1.0\n",
        )
        .exit(3)
        .says("E931")
        .says("S7"),
        Case::new(
            "air-target-without-matrix",
            &["check", "plan", "--scenario", "s.toml"],
        )
        .prepare(|w| w.append("s.toml", "\n[air.targets.red]\nmean = 1.0\n"))
        .exit(3)
        .says("needs [air] stations and receptors"),
        plan_target_case(
            "air-plan-tonnage-not-a-boolean",
            "[air.targets.red]\nstation = 0.1\ntonnage = \"no\"\n",
        )
        .exit(3)
        .says("s.toml: line")
        .says("expected a boolean"),
        plan_target_case(
            "air-plan-tonnage-off-without-station-target",
            "[air.targets.red]\ntonnage = false\n",
        )
        .exit(3)
        .says("[air.targets.red] tonnage = false needs a station target"),
        plan_target_case(
            "air-plan-unknown-station",
            "[air.targets.orange.at]\nS7 = 1.0\n",
        )
        .exit(3)
        .says("E931")
        .says("S7"),
        plan_target_case(
            "air-plan-station-target-out-of-range",
            "[air.targets.red]\nmean = 1e300\ntonnage = false\n",
        )
        .exit(3)
        .says("[air.targets.red] mean"),
        // An infeasible plan writes its summary (with the per-station explanation) on purpose,
        // as for tonnage targets: `--out=o` keeps the runner's "failed run wrote" check off.
        plan_target_case_with(
            "air-plan-unreachable-station-explained",
            "[air.targets.red]\nstation = 900.0\ntonnage = false\n",
            &["plan", "s.toml", "--out=o"],
        )
        .exit(4)
        .says("station:red:PM25:S1 (东亭)")
        .says("µg/m³"),
        plan_target_case(
            "air-plan-tonnage-off-at-orange-and-a-matrix-without-pm25",
            "[air.targets.orange]\nmean = 0.1\ntonnage = false\n",
        )
        .prepare(|w| {
            air_files(w, |m| {
                m.replace("前体物,传输系数", "前体物,受体物种,传输系数")
                    .replace(",SO2,0.5", ",SO2,O3,0.5")
                    .replace(",PM,1.0", ",PM,O3,1.0")
                    .replace(",NOx,0.2", ",NOx,O3,0.2")
            })
        })
        .exit(3)
        .says("E931")
        .says("no PM2.5 rows"),
    ]
}
