//! Hostile cases: `jianpai import` of the fixture city's tables as a platform would export them —
//! units in headers it does not know, annual amounts without a unit, totals and title rows,
//! statuses it does not know, mapping files with unknown columns and out-of-range operating
//! times, missing, doubled and table-less files. Every failed import writes nothing.

use super::{Case, Work};

/// `jianpai import` of the fixture's tables (plus `extra` arguments) into `{w}/out`.
fn import(name: &str, extra: &[&str]) -> Case {
    let mut args = vec![
        "import",
        "{w}/city/districts.csv",
        "{w}/city/enterprises.csv",
        "{w}/city/lines.csv",
        "{w}/city/options.csv",
    ];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--out", "{w}/out"]);
    Case::new(format!("import/{name}"), &args)
}

/// Replace the header cell of lines.csv that starts with `starts` by `to`.
fn rename_header(w: &Work, starts: &str, to: &str) {
    let text = w.read("city/lines.csv");
    let (header, rest) = text.split_once('\n').unwrap();
    let header: Vec<String> = header
        .split(',')
        .map(|h| {
            if h.starts_with(starts) {
                to.to_string()
            } else {
                h.to_string()
            }
        })
        .collect();
    w.write("city/lines.csv", format!("{}\n{rest}", header.join(",")));
}

/// Multiply every value of the lines.csv column whose header starts with `starts` by `f`.
fn scale_column(w: &Work, starts: &str, f: f64) {
    let text = w.read("city/lines.csv");
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let j = header
        .split(',')
        .position(|h| h.starts_with(starts))
        .unwrap();
    let mut out = vec![header];
    for l in lines {
        let mut cells: Vec<String> = l.split(',').map(str::to_string).collect();
        let v: f64 = cells[j].parse().unwrap();
        cells[j] = format!("{}", v * f);
        out.push(cells.join(","));
    }
    w.write("city/lines.csv", out.join("\n") + "\n");
}

/// The out folder must not exist after the run.
fn nothing_written(c: Case) -> Case {
    c.after(|w, _| {
        if w.path("out").exists() {
            Err("a failed import wrote its --out folder".into())
        } else {
            Ok(())
        }
    })
}

pub fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    v.push(
        import("clean-city", &[])
            .exit(0)
            .says("lines.csv")
            .after(|w, _| {
                let report = w.read("out/import-report.csv");
                if report.contains("识别表格") && w.path("out/lines.csv").exists() {
                    Ok(())
                } else {
                    Err(format!("no dataset or report: {report}"))
                }
            }),
    );
    // A unit the converter does not know, in each amount column of lines.csv: E410 naming it.
    for (col, unit) in [
        ("二氧化硫", "桶/年"),
        ("氮氧化物", "吨/周"),
        ("颗粒物", "磅/日"),
        ("挥发性有机物", "升/年"),
        ("日产值", "美元/年"),
        ("日用电量", "焦耳/年"),
    ] {
        let header = format!("{col}（{unit}）");
        v.push(nothing_written(
            import(&format!("unknown-unit-{col}"), &[])
                .prepare(move |w| rename_header(w, col, &header))
                .exit(3)
                .says("E410")
                .says(unit)
                .says(col),
        ));
    }
    // Annual tonnes under a header without a unit: the lines outgrow their district (E412).
    for col in ["二氧化硫", "氮氧化物", "颗粒物"] {
        v.push(nothing_written(
            import(&format!("annual-as-daily-{col}"), &[])
                .prepare(move |w| scale_column(w, col, 300.0))
                .exit(3)
                .says("E412")
                .says(col)
                .says("（吨/年）"),
        ));
    }
    // The same figures with the unit written are converted, and the import succeeds.
    v.push(
        import("annual-with-unit", &[])
            .prepare(|w| {
                scale_column(w, "二氧化硫", 300.0);
                rename_header(w, "二氧化硫", "二氧化硫排放量（吨/年）");
            })
            .exit(0)
            .says("W401")
            .says("二氧化硫排放量（吨/年）"),
    );
    // Title rows above and totals rows below the table are skipped and reported.
    v.push(
        import("title-and-totals", &[])
            .prepare(|w| {
                let text = w.read("city/lines.csv");
                w.write(
                    "city/lines.csv",
                    format!("2021年生产线清单导出\n导出单位：市生态环境局\n{text}合计,,,,1,1,1,1,1,1,1,1,1,\n"),
                );
            })
            .exit(0)
            .says("W404")
            .says("W405")
            .says("2021年生产线清单导出"),
    );
    // A status word nobody knows: E016 naming the value.
    v.push(nothing_written(
        import("unknown-status", &[])
            .prepare(|w| w.set_cell("city/lines.csv", 1, "状态", "半停"))
            .exit(3)
            .says("E016")
            .says("半停"),
    ));
    // Statuses and grades as the platforms write them are accepted.
    v.push(
        import("status-and-grade-synonyms", &[])
            .prepare(|w| {
                w.set_cell("city/lines.csv", 1, "状态", "正常生产");
                w.set_cell("city/enterprises.csv", 1, "绩效等级", "绩效C");
            })
            .exit(0)
            .after(|w, _| {
                let r = w.read("out/import-report.csv");
                if r.contains("'正常生产' → '在产'") && r.contains("'绩效C' → 'C'") {
                    Ok(())
                } else {
                    Err(format!("synonyms not reported: {r}"))
                }
            }),
    );
    // Mapping files: unknown target columns, values for unknown columns, unknown keys, bad TOML.
    for (name, toml, code, fragment) in [
        (
            "unknown-target",
            "[columns]\n\"设施\" = \"nosuch\"\n",
            "E414",
            "nosuch",
        ),
        (
            "unknown-table-target",
            "[columns]\n\"设施\" = \"plants.name\"\n",
            "E414",
            "plants.name",
        ),
        (
            "unknown-column-in-table",
            "[columns]\n\"设施\" = \"districts.status\"\n",
            "E414",
            "districts.status",
        ),
        (
            "values-unknown-column",
            "[values.colour]\n\"红\" = \"red\"\n",
            "E415",
            "colour",
        ),
        ("unknown-key", "days = 300\n", "E413", "days"),
        ("not-toml", "[columns\n", "E413", "map.toml"),
        (
            "days-zero",
            "operating_days = 0\n",
            "E411",
            "operating_days",
        ),
        (
            "days-negative",
            "operating_days = -30\n",
            "E411",
            "operating_days",
        ),
        (
            "days-too-many",
            "operating_days = 400\n",
            "E411",
            "operating_days",
        ),
        (
            "days-nan",
            "operating_days = nan\n",
            "E411",
            "operating_days",
        ),
        (
            "days-inf",
            "operating_days = inf\n",
            "E411",
            "operating_days",
        ),
        (
            "hours-zero",
            "operating_hours = 0\n",
            "E411",
            "operating_hours",
        ),
        (
            "hours-too-many",
            "operating_hours = 25\n",
            "E411",
            "operating_hours",
        ),
        (
            "hours-nan",
            "operating_hours = nan\n",
            "E411",
            "operating_hours",
        ),
    ] {
        v.push(nothing_written(
            import(&format!("mapping-{name}"), &["--mapping", "{w}/map.toml"])
                .prepare(move |w| w.write("map.toml", toml))
                .exit(3)
                .says(code)
                .says(fragment)
                .says("map.toml"),
        ));
    }
    // A mapping that renames their header makes the import succeed.
    v.push(
        import("mapping-renames-header", &["--mapping", "{w}/map.toml"])
            .prepare(|w| {
                rename_header(w, "工序", "生产工段");
                w.write("map.toml", "[columns]\n\"生产工段\" = \"process\"\n");
            })
            .exit(0)
            .says("lines.csv"),
    );
    // Operating time on the command line out of range: exit 2 naming the flag.
    for (flag, value) in [
        ("--days", "0"),
        ("--days", "-5"),
        ("--days", "367"),
        ("--days", "NaN"),
        ("--hours", "0"),
        ("--hours", "24.5"),
        ("--hours", "inf"),
    ] {
        v.push(nothing_written(
            import(&format!("flag{flag}={value}"), &[flag, value])
                .exit(2)
                .says(flag),
        ));
    }
    // A missing table is one error, not one per line.
    v.push(nothing_written(
        Case::new(
            "import/missing-enterprises",
            &[
                "import",
                "{w}/city/districts.csv",
                "{w}/city/lines.csv",
                "--out",
                "{w}/out",
            ],
        )
        .exit(3)
        .says("E001")
        .says("enterprises")
        .says_not("E012"),
    ));
    // A file holding no table, and the same table twice.
    v.push(nothing_written(
        import("no-table", &["{w}/notes.csv"])
            .prepare(|w| w.write("notes.csv", "说明\n本文件只有说明文字\n"))
            .exit(3)
            .says("E416")
            .says("notes.csv"),
    ));
    v.push(nothing_written(
        import("same-table-twice", &["{w}/lines2.csv"])
            .prepare(|w| w.write("lines2.csv", w.read("city/lines.csv")))
            .exit(3)
            .says("E417")
            .says("lines2.csv"),
    ));
    v.push(nothing_written(
        import("missing-file", &["{w}/nosuch.csv"])
            .exit(7)
            .says("nosuch.csv"),
    ));
    v
}
