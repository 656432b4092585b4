//! List workbooks read back as plans: our own `应急减排清单.xlsx` (check passes, diff shows no
//! change, revise gives the same revision as from the plan folder) and a provincial-template
//! workbook built here (title rows, two-row merged headers, merged enterprise cells without line
//! ids, usual measure phrasings, a 合计 row and a note row).

mod common;

use assert_cmd::Command;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

/// A planned 60-enterprise city with its Chinese and English reports (built once per run).
struct City {
    dir: tempfile::TempDir,
}

impl City {
    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }
    fn list(&self) -> PathBuf {
        self.path("zh/应急减排清单.xlsx")
    }
}

const SOLVER: &str = "[solver]\ntime_limit = 60\nrel_gap = 0.0\n";

fn scenario_text(inventory: &Path) -> String {
    common::report_scenario(inventory, SOLVER)
}

fn city() -> &'static City {
    static C: OnceLock<City> = OnceLock::new();
    C.get_or_init(|| City {
        dir: common::reported_city(3, SOLVER),
    })
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

fn check(plan: &Path, scenario: &Path) -> std::process::Output {
    jianpai()
        .arg("check")
        .arg(plan)
        .arg("--scenario")
        .arg(scenario)
        .output()
        .unwrap()
}

/// `diff OLD NEW --format json` counts (with inventories when given).
fn diff_counts(old: &Path, new: &Path, inventory: Option<&Path>) -> Value {
    let mut cmd = jianpai();
    cmd.arg("diff").arg(old).arg(new).args(["--format", "json"]);
    if let Some(inv) = inventory {
        cmd.arg("--old-inventory")
            .arg(inv)
            .arg("--new-inventory")
            .arg(inv);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out.stdout)["counts"].clone()
}

fn assert_no_changes(counts: &Value) {
    for (k, v) in counts.as_object().unwrap() {
        assert_eq!(v, 0, "{k}: {counts}");
    }
}

#[test]
fn our_list_workbook_reads_back_as_the_plan() {
    let c = city();
    let s = c.path("s.toml");
    for list in [
        c.list(),
        PathBuf::from(format!("{}#清单", c.list().display())),
        c.path("en/reduction-list.xlsx"),
    ] {
        let out = check(&list, &s);
        assert!(
            out.status.success(),
            "{}: {}",
            list.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("0 violations"));
        assert_no_changes(&diff_counts(&c.path("plan"), &list, None));
    }
    // compare takes the workbook beside the folder.
    jianpai()
        .arg("compare")
        .arg(c.path("plan"))
        .arg(c.list())
        .assert()
        .success();
    // A district sheet is a part of the list: check finds the other lines missing.
    let out = check(Path::new(&format!("{}#nosuch", c.list().display())), &s);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("E401") && err.contains("nosuch") && err.contains("清单"),
        "{err}"
    );
}

/// The plan's rows by (line, level key) with the columns by Chinese header.
fn plan_rows(c: &City) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(c.path("plan/plan.csv")).unwrap();
    let h: Vec<String> = r
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    r.records()
        .map(|rec| {
            h.iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// The usual phrasing of a measure code (declared options keep their text).
fn phrasing(code: &str, text: &str) -> String {
    let mut parts = Vec::new();
    for p in code.split('+') {
        parts.push(match p {
            "V" => "自愿减排".to_string(),
            "S" => "全厂停产".to_string(),
            "T4" => "停止使用国四及以下重型柴油货车运输".to_string(),
            "T0" => "停止公路运输".to_string(),
            p if p.starts_with('L') => format!("限产{}％", &p[1..]),
            _ => return text.to_string(),
        });
    }
    parts.join("，")
}

/// Write the plan as a provincial template: title and note rows, a two-row merged header,
/// enterprise cells merged over their lines, no line ids, a 合计 row and a note below.
fn provincial_template(c: &City, path: &Path, tamper: Option<&str>) -> u32 {
    let rows = plan_rows(c);
    let mut lines: Vec<(String, [BTreeMap<String, String>; 3])> = Vec::new();
    for chunk in rows.chunks(3) {
        let by_level = |zh: &str| chunk.iter().find(|r| r["预警级别"] == zh).unwrap().clone();
        lines.push((
            chunk[0]["生产线编号"].clone(),
            [by_level("黄色"), by_level("橙色"), by_level("红色")],
        ));
    }
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Sheet1").unwrap();
    let f = Format::new();
    ws.merge_range(
        0,
        0,
        0,
        25,
        "某市2021年重污染天气应急减排清单（工业源）",
        &f,
    )
    .unwrap();
    ws.write_string(1, 0, "填报单位：某市生态环境局    填报日期：2021年9月30日")
        .unwrap();
    let firm = [
        "序号",
        "所属市县区",
        "企业名称",
        "统一社会信用代码",
        "行业类别",
        "绩效分级",
        "生产线/设施名称",
    ];
    for (j, h) in firm.iter().enumerate() {
        ws.merge_range(2, j as u16, 3, j as u16, h, &f).unwrap();
    }
    let subs = ["减排措施", "SO2", "NOx", "颗粒物", "VOCs"];
    for (k, level) in ["黄色预警", "橙色预警", "红色预警"].iter().enumerate() {
        let c0 = 7 + 5 * k as u16;
        ws.merge_range(
            2,
            c0,
            2,
            c0 + 4,
            &format!("{level}减排措施及减排量（吨/日）"),
            &f,
        )
        .unwrap();
        for (i, s) in subs.iter().enumerate() {
            ws.write_string(3, c0 + i as u16, *s).unwrap();
        }
    }
    ws.merge_range(2, 22, 2, 24, "停产限产损失（万元/日）", &f)
        .unwrap();
    for (i, s) in ["黄色", "橙色", "红色"].iter().enumerate() {
        ws.write_string(3, 22 + i as u16, *s).unwrap();
    }
    ws.merge_range(2, 25, 3, 25, "备注", &f).unwrap();
    let mut r = 4u32;
    let mut tampered_row = 0;
    let mut i = 0;
    let mut no = 0;
    while i < lines.len() {
        let code = lines[i].1[0]["统一社会信用代码"].clone();
        let n = lines[i..]
            .iter()
            .take_while(|l| l.1[0]["统一社会信用代码"] == code)
            .count();
        no += 1;
        let first = &lines[i].1[0];
        let firm_cells = [
            no.to_string(),
            first["区县"].clone(),
            first["企业名称"].clone(),
            code.clone(),
            first["行业"].clone(),
            first["绩效等级"].clone(),
        ];
        for (j, v) in firm_cells.iter().enumerate() {
            if n > 1 {
                ws.merge_range(r, j as u16, r + n as u32 - 1, j as u16, v, &f)
                    .unwrap();
            } else {
                ws.write_string(r, j as u16, v).unwrap();
            }
        }
        for (_, levels) in &lines[i..i + n] {
            ws.write_string(r, 6, &levels[0]["生产线名称"]).unwrap();
            for (k, row) in levels.iter().enumerate() {
                let c0 = 7 + 5 * k as u16;
                let mut text = phrasing(&row["措施编号"], &row["措施内容"]);
                if let Some(t) = tamper.filter(|_| tampered_row == 0 && k == 1) {
                    text = t.to_string();
                    tampered_row = r + 1;
                }
                ws.write_string(r, c0, &text).unwrap();
                for (p, key) in [
                    "二氧化硫减排量",
                    "氮氧化物减排量",
                    "颗粒物减排量",
                    "挥发性有机物减排量",
                ]
                .iter()
                .enumerate()
                {
                    let v: f64 = row[*key].parse().unwrap();
                    ws.write_number(r, c0 + 1 + p as u16, v).unwrap();
                }
                ws.write_number(r, 22 + k as u16, row["产值损失"].parse::<f64>().unwrap())
                    .unwrap();
            }
            ws.write_string(r, 25, &levels[0]["备注"]).unwrap();
            r += 1;
        }
        i += n;
    }
    ws.write_string(r, 2, "合计").unwrap();
    ws.write_number(r, 8, 123.0).unwrap();
    ws.write_string(r + 2, 0, "注：减排量按基准排放量计算。")
        .unwrap();
    wb.save(path).unwrap();
    tampered_row
}

#[test]
fn a_provincial_template_reads_as_the_same_plan() {
    let c = city();
    let t = c.path("template.xlsx");
    provincial_template(c, &t, None);
    let out = check(&t, &c.path("s.toml"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No line ids in the template: lines are found by enterprise and name in the inventory.
    assert_no_changes(&diff_counts(&c.path("plan"), &t, Some(&c.path("city"))));
    let out = jianpai()
        .arg("diff")
        .arg(c.path("plan"))
        .arg(&t)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E403"));
}

#[test]
fn an_unknown_measure_phrasing_names_sheet_row_and_cell() {
    let c = city();
    let t = c.path("tampered.xlsx");
    let row = provincial_template(c, &t, Some("加强管理，减少排放"));
    let out = check(&t, &c.path("s.toml"));
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("E406"), "{err}");
    assert!(err.contains("[Sheet1]"), "{err}");
    assert!(err.contains(&format!("row {row}")), "{err}");
    assert!(err.contains("(M)"), "orange measure column M: {err}");
    assert!(err.contains("加强管理"), "{err}");
}

#[test]
fn revising_from_the_workbook_equals_revising_from_the_folder() {
    let c = city();
    // This year a few B-grade firms drop to C: some measures are forced to change.
    let inv = c.path("city-2022");
    std::fs::create_dir_all(&inv).unwrap();
    for f in std::fs::read_dir(c.path("city")).unwrap() {
        let f = f.unwrap();
        let text = std::fs::read_to_string(f.path()).unwrap();
        let text = if f.file_name() == "enterprises.csv" {
            let mut n = 0;
            text.lines()
                .map(|l| {
                    let mut cells: Vec<String> = l.split(',').map(str::to_string).collect();
                    if cells.len() > 4 && cells[4] == "B" && n < 3 {
                        cells[4] = "C".into();
                        n += 1;
                    }
                    cells.join(",")
                })
                .collect::<Vec<_>>()
                .join("\n")
                + "\n"
        } else {
            text
        };
        std::fs::write(inv.join(f.file_name()), text).unwrap();
    }
    std::fs::write(c.path("s2022.toml"), scenario_text(&inv)).unwrap();
    let mut outs = Vec::new();
    for (name, previous) in [("rev-dir", c.path("plan")), ("rev-xlsx", c.list())] {
        jianpai()
            .args(["--quiet", "revise"])
            .arg(c.path("s2022.toml"))
            .arg("--previous")
            .arg(&previous)
            .arg("--out")
            .arg(c.path(name))
            .assert()
            .success();
        outs.push(c.path(name));
    }
    let read = |d: &Path, f: &str| std::fs::read(d.join(f)).unwrap();
    assert_eq!(read(&outs[0], "plan.csv"), read(&outs[1], "plan.csv"));
    let (a, b) = (
        json(&read(&outs[0], "diff.json")),
        json(&read(&outs[1], "diff.json")),
    );
    assert!(a["counts"]["measure_changes"].as_u64().unwrap() > 0, "{a}");
    assert_eq!(a["counts"], b["counts"]);
    assert_eq!(a["changes"], b["changes"]);
    for f in jianpai::revise::filings::FILES {
        assert_eq!(read(&outs[0], f), read(&outs[1], f), "{f}");
    }
}

#[test]
fn report_rewrites_the_same_list_from_the_workbook() {
    use calamine::{open_workbook, Reader, Xlsx};
    let c = city();
    let out = c.path("again");
    jianpai()
        .args(["--quiet", "report"])
        .arg(c.list())
        .arg("--scenario")
        .arg(c.path("s.toml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let sheet = |p: &Path, name: &str| {
        let mut wb: Xlsx<_> = open_workbook(p).unwrap();
        wb.worksheet_range(name).unwrap()
    };
    let again = out.join("应急减排清单.xlsx");
    for name in ["清单", "区县目标", "豁免清单", "保障类清单"] {
        let (a, b) = (sheet(&c.list(), name), sheet(&again, name));
        assert_eq!(a.get_size(), b.get_size(), "{name}");
        for (ra, rb) in a.rows().zip(b.rows()) {
            for (x, y) in ra.iter().zip(rb) {
                match (x, y) {
                    (calamine::Data::Float(x), calamine::Data::Float(y)) => {
                        // plan.csv rounds cuts to 6 decimals, the workbook keeps them whole.
                        assert!(
                            (x - y).abs() <= 1e-5 * x.abs().max(1.0),
                            "{name}: {x} vs {y}"
                        )
                    }
                    _ => assert_eq!(x, y, "{name}"),
                }
            }
        }
    }
    // The report without a scenario cannot know the targets.
    jianpai()
        .arg("report")
        .arg(c.list())
        .arg("--out")
        .arg(c.path("no-scenario"))
        .assert()
        .code(2);
}
