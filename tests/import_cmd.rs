//! `jianpai import`: a messy platform-export corpus (title rows, 合计 and note rows, a two-row
//! merged header, merged enterprise cells, annual units, header and value synonyms, a GBK file,
//! a mapping file) imports to the clean dataset in `tests/data/messy/expected/`; the t/a-as-t/d
//! slip, bad mappings and missing tables give one clear error each and write nothing.

use assert_cmd::Command;
use rust_xlsxwriter::{Format, FormatAlign, Workbook};
use std::path::{Path, PathBuf};

const MESSY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/messy");

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

/// Line id, name, process, capacities (approved, permitted, last year), annual output value,
/// annual emissions, annual electricity, status word.
type ExportLine = (
    &'static str,
    &'static str,
    &'static str,
    [f64; 3],
    f64,
    [f64; 4],
    f64,
    &'static str,
);

/// The lines as the permit platform exports them (annual amounts, ×330 days): two title rows,
/// a two-row header with the emissions grouped under `排放量（吨/年）` (or `annual_unit` when
/// given), enterprise cells merged over their lines, a 合计 row and a signature row.
fn lines_export(path: &Path, group: &str) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("生产设施").unwrap();
    let c = Format::new().set_align(FormatAlign::Center);
    ws.merge_range(0, 0, 0, 13, "2021年排污许可生产设施信息导出", &c)
        .unwrap();
    ws.write(1, 0, "导出时间：2021-09-01").unwrap();
    let singles = [
        (0, "企业名称"),
        (1, "统一社会信用代码"),
        (2, "设施编号"),
        (3, "设施名称"),
        (4, "工序"),
        (5, "核定产能"),
        (6, "许可产能"),
        (7, "上年实际产量"),
        (8, "产值（万元/年）"),
        (13, "年用电量（千瓦时/年）"),
    ];
    for (col, h) in singles {
        ws.merge_range(2, col, 3, col, h, &c).unwrap();
    }
    ws.merge_range(2, 9, 2, 12, group, &c).unwrap();
    for (j, p) in ["二氧化硫", "氮氧化物", "颗粒物", "挥发性有机物"]
        .iter()
        .enumerate()
    {
        ws.write(3, 9 + j as u16, *p).unwrap();
    }
    ws.write(2, 14, "生产状态").unwrap();
    ws.write(3, 14, "").unwrap();
    let firms = [
        ("澄丰海陶瓷有限公司", "91320281WJ6414804M", 2),
        ("宜海锦陶瓷有限公司", "91320282LB5115360H", 2),
        ("宜诚昌新型建材有限公司", "91320282FG7268082M", 1),
    ];
    #[rustfmt::skip]
    let lines: [ExportLine; 5] = [
        ("L00001-01", "陶瓷窑炉1号线", "陶瓷窑炉", [70.0, 76.0, 59.0], 3960.0, [16.5, 33.0, 23.1, 0.0], 3_960_000.0, "正常生产"),
        ("L00001-02", "陶瓷窑炉2号线", "陶瓷窑炉", [98.0, 105.0, 71.0], 5280.0, [33.0, 59.4, 42.9, 0.0], 6_600_000.0, "在产"),
        ("L00002-01", "陶瓷窑炉1号线", "陶瓷窑炉", [15.0, 15.0, 12.0], 1089.0, [3.96, 7.26, 4.95, 0.0], 792_000.0, "生产"),
        ("L00002-02", "喷雾干燥", "喷雾干燥", [27.0, 28.0, 20.0], 462.0, [0.0; 4], 660_000.0, "关停"),
        ("L00003-01", "砖瓦窑1号线", "砖瓦窑", [114.0, 125.0, 87.0], 429.0, [11.88, 9.9, 11.88, 0.0], 726_000.0, "开工"),
    ];
    let mut r = 4u32;
    let mut k = 0;
    for (name, code, n) in firms {
        if n > 1 {
            ws.merge_range(r, 0, r + n - 1, 0, name, &c).unwrap();
            ws.merge_range(r, 1, r + n - 1, 1, code, &c).unwrap();
        } else {
            ws.write(r, 0, name).unwrap();
            ws.write(r, 1, code).unwrap();
        }
        for _ in 0..n {
            let (id, line, process, caps, value, em, kwh, status) = lines[k];
            ws.write(r, 2, id).unwrap();
            ws.write(r, 3, line).unwrap();
            ws.write(r, 4, process).unwrap();
            for (j, v) in caps.iter().enumerate() {
                ws.write(r, 5 + j as u16, *v).unwrap();
            }
            ws.write(r, 8, value).unwrap();
            for (j, v) in em.iter().enumerate() {
                ws.write(r, 9 + j as u16, *v).unwrap();
            }
            ws.write(r, 13, kwh).unwrap();
            ws.write(r, 14, status).unwrap();
            r += 1;
            k += 1;
        }
    }
    ws.write(r, 0, "合计").unwrap();
    ws.write(r, 8, 11220.0).unwrap();
    ws.write(r + 2, 0, "填报人：张三").unwrap();
    wb.save(path).unwrap();
}

/// A work folder with the messy corpus and the lines export (with `group` over the emissions).
fn corpus(group: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for f in ["区县排放.csv", "企业名录.csv", "map.toml"] {
        std::fs::copy(Path::new(MESSY).join(f), d.path().join(f)).unwrap();
    }
    lines_export(&d.path().join("生产线导出.xlsx"), group);
    d
}

fn import(d: &Path, extra: &[&str]) -> std::process::Output {
    jianpai()
        .current_dir(d)
        .args(["import", "区县排放.csv", "企业名录.csv", "生产线导出.xlsx"])
        .args(extra)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn the_messy_corpus_imports_to_the_clean_dataset() {
    let d = corpus("排放量（吨/年）");
    let out = import(d.path(), &["--mapping", "map.toml", "--out", "clean"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let clean = d.path().join("clean");
    for t in ["districts.csv", "enterprises.csv", "lines.csv"] {
        let got = std::fs::read_to_string(clean.join(t)).unwrap();
        let want = std::fs::read_to_string(Path::new(MESSY).join("expected").join(t)).unwrap();
        assert_eq!(got, want, "{t}");
    }
    // The result is a dataset: it validates without a warning.
    let v = jianpai().arg("validate").arg(&clean).output().unwrap();
    assert!(v.status.success(), "{}", text(&v.stderr));
    assert!(
        text(&v.stdout).contains("0 errors, 0 warnings"),
        "{}",
        text(&v.stdout)
    );
    // The report says what was skipped, filled, converted and rewritten, with file and row.
    let report = std::fs::read_to_string(clean.join("import-report.csv")).unwrap();
    for want in [
        "跳过 W404", // title rows
        "跳过 W405", // 合计 rows
        "skipped 1 totals row(s) (合计/小计/总计): rows 6",
        "跳过 W406",            // the 注 and 填报人 rows
        "向下填充 W407",        // the blank 所属区县 of firm 3
        "单位换算 W401",        // t/a, 万元/年, 千瓦时/年
        "÷ 330 operating days", // the mapping's operating time
        "'开工' → '在产'",      // the mapping's value
        "'正常生产' → '在产'",  // built-in synonyms
        "'关停' → '停产'",
        "'B级' → 'B'",
        "'绩效B-' → 'B-'",
        "by the mapping map.toml",
        "GBK",
        "生产线导出.xlsx[生产设施]",
        "two-row header",
    ] {
        assert!(report.contains(want), "{want} missing from\n{report}");
    }
    let md = std::fs::read_to_string(clean.join("import-report.md")).unwrap();
    assert!(md.contains("| 企业名录.csv | 6 |"), "{md}");
    // Same input, same bytes.
    let again = import(d.path(), &["--mapping", "map.toml", "--out", "again"]);
    assert!(again.status.success());
    for f in ["lines.csv", "import-report.csv", "import-report.md"] {
        assert_eq!(
            std::fs::read(clean.join(f)).unwrap(),
            std::fs::read(d.path().join("again").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn annual_tonnes_read_as_daily_are_caught_and_nothing_is_written() {
    let d = corpus("排放量");
    let out = import(d.path(), &["--mapping", "map.toml", "--out", "clean"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("E412") && err.contains("二氧化硫") && err.contains("（吨/年）"),
        "{err}"
    );
    assert!(!d.path().join("clean").exists());
}

#[test]
fn without_the_mapping_the_unknown_header_and_word_are_named() {
    let d = corpus("排放量（吨/年）");
    let out = import(d.path(), &["--out", "clean"]);
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    // 开工 is no status of ours; 年用电量 is no column of ours (ignored with a warning).
    assert!(
        err.contains("E016")
            && err.contains("开工")
            && err.contains("生产线导出.xlsx[生产设施] row 9"),
        "{err}"
    );
    assert!(err.contains("W106") && err.contains("年用电量"), "{err}");
}

#[test]
fn mapping_errors_name_the_file_and_key() {
    let d = corpus("排放量（吨/年）");
    for (content, code, fragment) in [
        (
            "[columns]\n\"设施\" = \"lines.nosuch\"\n",
            "E414",
            "lines.nosuch",
        ),
        ("[values.nosuch]\n\"a\" = \"b\"\n", "E415", "nosuch"),
        ("operating_dayz = 300\n", "E413", "operating_dayz"),
        ("operating_days = 400\n", "E411", "operating_days"),
    ] {
        std::fs::write(d.path().join("bad.toml"), content).unwrap();
        let out = import(d.path(), &["--mapping", "bad.toml", "--out", "clean"]);
        assert_eq!(out.status.code(), Some(3), "{content}");
        let err = text(&out.stderr);
        assert!(
            err.contains(code) && err.contains("bad.toml") && err.contains(fragment),
            "{content}: {err}"
        );
        assert!(!d.path().join("clean").exists());
    }
    let out = import(d.path(), &["--days", "0", "--out", "clean"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--days"));
}

#[test]
fn a_missing_table_is_one_error() {
    let d = corpus("排放量（吨/年）");
    let out = jianpai()
        .current_dir(d.path())
        .args([
            "import",
            "生产线导出.xlsx",
            "区县排放.csv",
            "--mapping",
            "map.toml",
            "--out",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert_eq!(err.matches("error[").count(), 1, "{err}");
    assert!(err.contains("E001") && err.contains("enterprises"), "{err}");
    // A file without any table is named.
    std::fs::write(d.path().join("notes.csv"), "说明\n本表无数据\n").unwrap();
    let out = jianpai()
        .current_dir(d.path())
        .args(["import", "notes.csv", "--out", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("E416"), "{}", text(&out.stderr));
}

#[test]
fn an_unreadable_enterprises_header_does_not_cascade_onto_every_line() {
    let d = tempfile::tempdir().unwrap();
    let expected = PathBuf::from(MESSY).join("expected");
    for f in ["districts.csv", "lines.csv"] {
        std::fs::copy(expected.join(f), d.path().join(f)).unwrap();
    }
    let ent = std::fs::read_to_string(expected.join("enterprises.csv")).unwrap();
    std::fs::write(
        d.path().join("enterprises.csv"),
        ent.replacen("统一社会信用代码", "代码号", 1),
    )
    .unwrap();
    let out = jianpai().arg("validate").arg(d.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(err.contains("E003"), "{err}");
    assert!(!err.contains("E012"), "{err}");
}

#[test]
fn help_shows_the_mapping_file() {
    let out = jianpai().args(["import", "--help"]).output().unwrap();
    assert!(out.status.success());
    let s = text(&out.stdout);
    assert!(
        s.contains("--mapping") && s.contains("[values.status]") && s.contains("--days"),
        "{s}"
    );
}
