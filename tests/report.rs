//! `jianpai report` end to end on a small generated city: the workbooks read back with calamine
//! against plan.csv, LibreOffice converts them, headless Chromium renders the HTML page.

mod common;

use assert_cmd::Command;
use calamine::{open_workbook, Data, Reader, Xlsx};
use predicates::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

/// A planned 60-enterprise city with its Chinese and English reports (built once per run).
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| Fixture {
        dir: common::reported_city(1, "[report]\nsupervision_phone = \"12369\"\n"),
    })
}

/// Plan rows: (line, level) → cuts and loss, read with the csv crate (independent of the tool).
fn plan_rows() -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(fixture().path("plan/plan.csv")).unwrap();
    let headers: Vec<String> = r
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn sheet(wb: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> Vec<Vec<Data>> {
    let range = wb.worksheet_range(name).unwrap();
    // Rows from A1 (calamine starts at the first used cell, which is A1 here: the title).
    assert_eq!(range.start(), Some((0, 0)), "{name} starts at A1");
    range.rows().map(|r| r.to_vec()).collect()
}

fn has_sheets(wb: &Xlsx<std::io::BufReader<std::fs::File>>, want: &[&str]) {
    let names = wb.sheet_names();
    for w in want {
        assert!(names.iter().any(|n| n == w), "sheet {w} in {names:?}");
    }
}

#[test]
fn list_workbook_matches_the_plan() {
    let f = fixture();
    let mut wb: Xlsx<_> = open_workbook(f.path("zh/应急减排清单.xlsx")).unwrap();
    has_sheets(
        &wb,
        &[
            "汇总",
            "区县目标",
            "损失分布",
            "清单",
            "豁免清单",
            "保障类清单",
        ],
    );
    let names = wb.sheet_names();
    let list = sheet(&mut wb, "清单");
    let h1: Vec<String> = list[1].iter().map(cell_text).collect();
    let h2: Vec<String> = list[2].iter().map(cell_text).collect();
    assert_eq!(
        &h1[..8],
        [
            "序号",
            "区县",
            "企业名称",
            "统一社会信用代码",
            "行业",
            "绩效等级",
            "生产线/设施",
            "工序"
        ]
    );
    assert_eq!(h1[8], "基准排放量（吨/日）");
    assert_eq!(&h2[8..12], ["SO2", "NOx", "颗粒物", "VOCs"]);
    for (k, level) in ["黄色", "橙色", "红色"].iter().enumerate() {
        let c = 12 + 5 * k;
        assert_eq!(h1[c], format!("{level}预警 措施与减排量（吨/日）"));
        assert_eq!(&h2[c..c + 5], ["措施", "SO2", "NOx", "颗粒物", "VOCs"]);
    }
    assert!(h1.contains(&"核查指标".to_string()));
    // The two-row header: groups merged across, single columns merged down.
    let merged: Vec<_> = wb
        .merge_cells_by_sheet_name("清单")
        .unwrap()
        .into_iter()
        .map(|d| (d.start, d.end))
        .collect();
    assert!(merged.contains(&((1, 0), (2, 0))), "序号 spans two rows");
    assert!(
        merged.contains(&((1, 8), (1, 11))),
        "baseline group spans four columns"
    );
    assert!(
        merged.contains(&((1, 12), (1, 16))),
        "yellow group spans five columns"
    );

    // One data row per line, in the plan's order; per-level cuts and losses add up to plan.csv.
    let rows = plan_rows();
    let data = &list[3..];
    let lines = rows.len() / 3;
    assert_eq!(
        data.len(),
        lines + 1,
        "one row per line plus the totals row"
    );
    let totals = &data[lines];
    assert_eq!(cell_text(&totals[2]), "合计");
    let cut_cols = [
        "二氧化硫减排量",
        "氮氧化物减排量",
        "颗粒物减排量",
        "挥发性有机物减排量",
    ];
    for (k, level) in ["黄色", "橙色", "红色"].iter().enumerate() {
        for (p, key) in cut_cols.iter().enumerate() {
            let want: f64 = rows
                .iter()
                .filter(|r| r["预警级别"] == *level)
                .map(|r| r[*key].parse::<f64>().unwrap())
                .sum();
            let c = 13 + 5 * k + p;
            let got: f64 = data[..lines].iter().map(|r| num(&r[c])).sum();
            assert!((got - want).abs() < 1e-6, "{level} {key}: {got} vs {want}");
            assert!(
                (num(&totals[c]) - want).abs() < 1e-6,
                "totals row {level} {key}"
            );
        }
        let want_loss: f64 = rows
            .iter()
            .filter(|r| r["预警级别"] == *level)
            .map(|r| r["产值损失"].parse::<f64>().unwrap())
            .sum();
        let got: f64 = data[..lines].iter().map(|r| num(&r[27 + k])).sum();
        assert!((got - want_loss).abs() < 1e-3, "{level} loss");
    }
    // Every plan line appears once, with its enterprise name.
    let mut plan_lines: Vec<(String, String)> = rows
        .iter()
        .filter(|r| r["预警级别"] == "红色")
        .map(|r| (r["企业名称"].clone(), r["生产线名称"].clone()))
        .collect();
    let mut sheet_lines: Vec<(String, String)> = data[..lines]
        .iter()
        .map(|r| (cell_text(&r[2]), cell_text(&r[6])))
        .collect();
    plan_lines.sort();
    sheet_lines.sort();
    assert_eq!(plan_lines, sheet_lines);

    // District sheets partition the list.
    let districts: Vec<String> = names
        .iter()
        .filter(|n| {
            ![
                "汇总",
                "区县目标",
                "损失分布",
                "清单",
                "豁免清单",
                "保障类清单",
            ]
            .contains(&n.as_str())
        })
        .cloned()
        .collect();
    assert!(districts.len() >= 2, "{districts:?}");
    let mut n = 0;
    for d in &districts {
        let s = sheet(&mut wb, d);
        let body = &s[3..s.len() - 1];
        assert!(
            body.iter().all(|r| cell_text(&r[1]) == *d),
            "{d} sheet holds only {d}"
        );
        n += body.len();
    }
    assert_eq!(n, lines);

    // Exempt and guarantee lists: one row per such enterprise of the inventory.
    let ents = std::fs::read_to_string(f.path("city/enterprises.csv")).unwrap();
    let exempt = ents
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(5) == Some("是"))
        .count();
    let guarantee = ents
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(7) == Some("是"))
        .count();
    assert_eq!(sheet(&mut wb, "豁免清单").len() - 3, exempt);
    assert_eq!(sheet(&mut wb, "保障类清单").len() - 3, guarantee);

    // Summary: the targets table holds 12 level × pollutant rows, all met.
    let s = sheet(&mut wb, "汇总");
    let met: Vec<String> = s
        .iter()
        .filter(|r| {
            r.len() > 8 && ["SO2", "NOx", "颗粒物", "VOCs"].contains(&cell_text(&r[1]).as_str())
        })
        .map(|r| cell_text(&r[8]))
        .collect();
    assert_eq!(met, vec!["是"; 12]);
    // District targets: 3 levels × districts × pollutants with a target, all met.
    let dt = sheet(&mut wb, "区县目标");
    let body = &dt[2..];
    assert_eq!(body.len() % (3 * districts.len()), 0, "{} rows", body.len());
    assert!(!body.is_empty() && body.iter().all(|r| cell_text(&r[6]) == "是"));
    assert!(body.iter().all(|r| districts.contains(&cell_text(&r[1]))));
}

#[test]
fn one_plant_workbook_has_a_sheet_and_notice_board_per_enterprise() {
    let f = fixture();
    let mut wb: Xlsx<_> = open_workbook(f.path("zh/一厂一策.xlsx")).unwrap();
    let names = wb.sheet_names();
    let firms: std::collections::BTreeSet<String> = plan_rows()
        .iter()
        .map(|r| r["统一社会信用代码"].clone())
        .collect();
    assert_eq!(names[0], "目录");
    assert_eq!(names.len(), firms.len() + 1);
    assert!(names.iter().all(|n| n.chars().count() <= 31));
    let index = sheet(&mut wb, "目录");
    assert_eq!(index.len() - 2, firms.len());
    let first = names[1].clone();
    let s = sheet(&mut wb, &first);
    let texts: Vec<String> = s.iter().map(|r| cell_text(&r[0])).collect();
    assert!(texts[0].starts_with("一厂一策："));
    let board = texts
        .iter()
        .position(|t| t == "重污染天气应急减排公示牌")
        .expect("notice board");
    let after = &texts[board..];
    for want in [
        "企业名称：",
        "统一社会信用代码：",
        "绩效等级：",
        "黄色预警（Ⅲ级响应）",
        "红色预警（Ⅰ级响应）",
    ] {
        assert!(
            after.iter().any(|t| t.starts_with(want)),
            "{want} in {after:?}"
        );
    }
    assert_eq!(after.last().unwrap(), "监督电话：12369");
    // The credit code on the sheet is one of the plan's enterprises.
    assert!(firms.contains(&cell_text(&s[1][2])));
}

#[test]
fn english_report_has_english_headers() {
    let f = fixture();
    let mut wb: Xlsx<_> = open_workbook(f.path("en/reduction-list.xlsx")).unwrap();
    assert!(wb.sheet_names().contains(&"List".to_string()));
    let list = sheet(&mut wb, "List");
    assert_eq!(cell_text(&list[1][0]), "No.");
    assert_eq!(
        cell_text(&list[1][12]),
        "yellow warning: measure and cuts (t/d)"
    );
    let html = std::fs::read_to_string(f.path("en/report.html")).unwrap();
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("Targets: achieved against required")
    );
    assert!(f.path("en/one-plant-one-policy.xlsx").is_file());
}

#[test]
fn reports_are_byte_identical_and_self_contained() {
    let f = fixture();
    let again = f.path("again");
    jianpai()
        .arg("report")
        .arg(f.path("plan"))
        .arg("--out")
        .arg(&again)
        .assert()
        .success();
    for name in ["应急减排清单.xlsx", "一厂一策.xlsx", "报告.html"] {
        let a = std::fs::read(f.path("zh").join(name)).unwrap();
        let b = std::fs::read(again.join(name)).unwrap();
        assert!(a == b, "{name} differs between two runs");
    }
    let html = std::fs::read_to_string(f.path("zh/报告.html")).unwrap();
    let outside = html.replace("http://www.w3.org/2000/svg", "");
    for bad in ["http://", "https://", " src=", "@import", "url("] {
        assert!(!outside.contains(bad), "the page loads something: {bad}");
    }
}

#[test]
fn bad_result_directories_fail_clearly() {
    let f = fixture();
    let out = f.path("bad-out");
    // No summary.json.
    jianpai()
        .arg("report")
        .arg(f.path("city"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(7)
        .stderr(predicates::str::contains("summary.json"));
    // A calendar run that found no calendar says so.
    let cal = f.path("calendar");
    std::fs::create_dir_all(&cal).unwrap();
    std::fs::write(
        cal.join("summary.json"),
        "{\"kind\": \"calendar\", \"status\": \"infeasible\", \"objective\": null, \"bound\": null, \"gap\": null, \"greedy_objective\": null, \"saving_vs_greedy\": null, \"saving_vs_greedy_share\": null, \"horizon\": [\"2024-02-10\", \"2024-03-10\"]}",
    )
    .unwrap();
    jianpai()
        .arg("report")
        .arg(&cal)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(7)
        .stderr(
            predicates::str::contains("calendar.csv").and(predicates::str::contains("infeasible")),
        );
    // A sweep whose case files are missing names the first one.
    let sw = f.path("unfinished-sweep");
    std::fs::create_dir_all(&sw).unwrap();
    std::fs::write(
        sw.join("summary.json"),
        "{\"kind\": \"sweep\", \"cases\": 2}",
    )
    .unwrap();
    jianpai()
        .arg("report")
        .arg(&sw)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(7)
        .stderr(predicates::str::contains("0001.json"));
    std::fs::create_dir_all(sw.join("cases")).unwrap();
    std::fs::write(sw.join("cases/0001.json"), "{\"index\": 0}").unwrap();
    jianpai()
        .arg("report")
        .arg(&sw)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(3)
        .stderr(predicates::str::contains("damaged case file"));
    // A plan whose summary names no scenario needs --scenario; a broken plan.csv names its row.
    let p = f.path("edited");
    std::fs::create_dir_all(&p).unwrap();
    let summary = std::fs::read_to_string(f.path("plan/summary.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&summary).unwrap();
    let mut v2 = v.clone();
    v2.as_object_mut().unwrap().remove("scenario_file");
    std::fs::write(p.join("summary.json"), v2.to_string()).unwrap();
    let plan = std::fs::read_to_string(f.path("plan/plan.csv")).unwrap();
    let broken: Vec<String> = plan
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 1 {
                l.replacen("黄色", "紫色", 1)
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(p.join("plan.csv"), broken.join("\n")).unwrap();
    jianpai()
        .arg("report")
        .arg(&p)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--scenario"));
    jianpai()
        .arg("report")
        .arg(&p)
        .arg("--out")
        .arg(&out)
        .arg("--scenario")
        .arg(f.path("s.toml"))
        .assert()
        .code(3)
        .stderr(predicates::str::contains("紫色"));
    assert!(!out.exists(), "nothing written on failure");
}

/// A 3-scenario sweep and a 3-point cost curve on the fixture's city, reported (built once).
fn sweep_fixture() -> &'static Fixture {
    static F: OnceLock<()> = OnceLock::new();
    let f = fixture();
    F.get_or_init(|| {
        std::fs::write(
            f.path("sweep.toml"),
            "name = \"小城情景\"\nbase = \"s.toml\"\n\
             [[scenario]]\nname = \"基准\"\n\
             [[scenario]]\nname = \"颗粒物加严\"\ntargets.red.pm = 0.09\n\
             [[scenario]]\nname = \"二氧化硫过严\"\ntargets.red.so2 = 0.05\n",
        )
        .unwrap();
        jianpai()
            .args(["--quiet", "sweep"])
            .arg(f.path("sweep.toml"))
            .args(["--jobs", "1", "--out"])
            .arg(f.path("sweep"))
            .assert()
            .success();
        jianpai()
            .args(["--quiet", "curve"])
            .arg(f.path("s.toml"))
            .args(["--level", "red", "--pollutant", "pm"])
            .args(["--from", "0.05", "--to", "0.09", "--step", "0.02", "--out"])
            .arg(f.path("curve"))
            .assert()
            .success();
        for (dir, out) in [("sweep", "sweep-zh"), ("curve", "curve-zh")] {
            jianpai()
                .arg("report")
                .arg(f.path(dir))
                .arg("--out")
                .arg(f.path(out))
                .assert()
                .success();
        }
    });
    f
}

/// A revision of the fixture's plan for the city with one listed B firm downgraded to D.
fn revision_fixture() -> &'static Fixture {
    static F: OnceLock<()> = OnceLock::new();
    let f = fixture();
    F.get_or_init(|| {
        let plan = std::fs::read_to_string(f.path("plan/plan.csv")).unwrap();
        let (from, to) = (f.path("city"), f.path("city2"));
        std::fs::create_dir_all(&to).unwrap();
        for e in std::fs::read_dir(&from).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
        let ents = std::fs::read_to_string(from.join("enterprises.csv")).unwrap();
        let mut done = false;
        let edited: Vec<String> = ents
            .lines()
            .map(|l| {
                let mut c: Vec<&str> = l.split(',').collect();
                if !done && c.len() > 7 && c[4] == "B" && c[5] == "否" && plan.contains(c[0]) {
                    done = true;
                    c[4] = "D";
                }
                c.join(",")
            })
            .collect();
        assert!(done, "a listed B firm");
        std::fs::write(to.join("enterprises.csv"), edited.join("\n") + "\n").unwrap();
        let s = std::fs::read_to_string(f.path("s.toml")).unwrap();
        let city = f.path("city").display().to_string();
        let s2 = s.replace(&city, &f.path("city2").display().to_string());
        std::fs::write(f.path("s2.toml"), s2).unwrap();
        jianpai()
            .args(["--quiet", "revise"])
            .arg(f.path("s2.toml"))
            .arg("--previous")
            .arg(f.path("plan"))
            .arg("--out")
            .arg(f.path("rev"))
            .assert()
            .success();
        jianpai()
            .arg("report")
            .arg(f.path("rev"))
            .arg("--out")
            .arg(f.path("rev-zh"))
            .assert()
            .success();
    });
    f
}

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Data rows of a sheet written with a one-row header (title in row 0, header in row 1).
fn data_rows(wb: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> Vec<Vec<Data>> {
    let rows = sheet(wb, name);
    rows[2..].to_vec()
}

#[test]
fn sweep_report_compares_the_scenarios() {
    let f = sweep_fixture();
    let mut wb: Xlsx<_> = open_workbook(f.path("sweep-zh/情景对比.xlsx")).unwrap();
    assert_eq!(wb.sheet_names(), ["情景对比"], "no curve in a plain sweep");
    let all = sheet(&mut wb, "情景对比");
    let head: Vec<String> = all[1].iter().map(cell_text).collect();
    assert_eq!(&head[..2], ["序号", "情景"]);
    let rows = &all[2..];
    assert_eq!(rows.len(), 3, "one row per scenario");
    let names: Vec<String> = rows.iter().map(|r| cell_text(&r[1])).collect();
    assert_eq!(names, ["基准", "颗粒物加严", "二氧化硫过严"]);
    // Losses match the case files; the share of the first loss follows them.
    let loss_col = head.iter().position(|h| h == "预期损失(万元)").unwrap();
    assert_eq!(head[loss_col + 1], "损失相对第一情景");
    let status_col = head.iter().position(|h| h == "求解状态").unwrap();
    let losses: Vec<Option<f64>> = (1..=3)
        .map(|i| {
            let case = json(&f.path(&format!("sweep/cases/{i:04}.json")));
            case["row"]["loss"].as_f64()
        })
        .collect();
    let base = losses[0].unwrap();
    for (r, loss) in rows[..2].iter().zip(&losses) {
        let loss = loss.unwrap();
        assert!((num(&r[loss_col]) - loss).abs() < 1e-9);
        assert!((num(&r[loss_col + 1]) - loss / base).abs() < 1e-9);
    }
    assert!(losses[1].unwrap() > base, "a stricter PM target costs more");
    // The infeasible scenario says so and has no loss.
    assert_eq!(losses[2], None);
    assert_eq!(cell_text(&rows[2][status_col]), "无法满足减排目标");
    assert_eq!(rows[2][loss_col], Data::Empty);
    assert_eq!(rows[2][loss_col + 1], Data::Empty);
    let html = std::fs::read_to_string(f.path("sweep-zh/报告.html")).unwrap();
    assert!(html.contains("各情景预期损失（第一情景 = 100）"));
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 2);
    assert!(html.contains("class=\"sortable\"") && html.contains("二氧化硫过严"));
    let pct = (losses[1].unwrap() / base * 100.0 * 10.0).round() / 10.0;
    assert!(html.contains(&format!("{pct:.1}</td>")), "{pct}");
    assert!(!f.path("sweep-zh/一厂一策.xlsx").exists());
    // Same sweep, same bytes.
    jianpai()
        .args(["--quiet", "report"])
        .arg(f.path("sweep"))
        .arg("--out")
        .arg(f.path("sweep-again"))
        .assert()
        .success();
    for name in ["情景对比.xlsx", "报告.html"] {
        let a = std::fs::read(f.path("sweep-zh").join(name)).unwrap();
        let b = std::fs::read(f.path("sweep-again").join(name)).unwrap();
        assert!(a == b, "{name} differs between runs");
    }
}

#[test]
fn curve_report_has_the_cost_curve() {
    let f = sweep_fixture();
    let mut wb: Xlsx<_> = open_workbook(f.path("curve-zh/情景对比.xlsx")).unwrap();
    assert_eq!(wb.sheet_names(), ["情景对比", "成本曲线"]);
    assert_eq!(data_rows(&mut wb, "情景对比").len(), 3);
    let curve = data_rows(&mut wb, "成本曲线");
    let points = json(&f.path("curve/summary.json"))["curve"]["points"].clone();
    let points = points.as_array().unwrap();
    assert_eq!(curve.len(), points.len());
    assert_eq!(curve.len(), 3);
    for (r, p) in curve.iter().zip(points) {
        assert!((num(&r[0]) - p["ratio"].as_f64().unwrap()).abs() < 1e-9);
        assert!((num(&r[3]) - p["loss"].as_f64().unwrap()).abs() < 1e-9);
    }
    let html = std::fs::read_to_string(f.path("curve-zh/报告.html")).unwrap();
    assert!(html.contains("损失—减排比例") && html.contains("<polyline"));
    assert!(html.contains("每增加1 t/d的损失"));
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 4);
}

#[test]
fn revision_report_lists_the_diff_and_the_filings() {
    let f = revision_fixture();
    let diff = json(&f.path("rev/diff.json"));
    let changes = &diff["changes"];
    let measures = changes["measures"].as_array().unwrap();
    assert!(!measures.is_empty(), "the downgrade forces changes");
    let others: usize = changes
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| *k != "measures")
        .map(|(_, v)| v.as_array().unwrap().len())
        .sum();
    assert_eq!(changes["grades_down"].as_array().unwrap().len(), 1);
    let mut wb: Xlsx<_> = open_workbook(f.path("rev-zh/应急减排清单.xlsx")).unwrap();
    has_sheets(
        &wb,
        &[
            "汇总",
            "清单",
            "修订变化",
            "措施变化",
            "修订后清单",
            "绩效分级清单",
            "豁免企业清单",
        ],
    );
    let other_rows = data_rows(&mut wb, "修订变化");
    assert_eq!(other_rows.len(), others);
    let down = other_rows
        .iter()
        .find(|r| cell_text(&r[0]) == "绩效等级下降")
        .expect("grade change row");
    assert_eq!(
        (cell_text(&down[8]), cell_text(&down[9])),
        ("B".into(), "D".into())
    );
    let m = data_rows(&mut wb, "措施变化");
    assert_eq!(m.len(), measures.len());
    assert_eq!(
        cell_text(&m[0][1]),
        measures[0]["line_id"].as_str().unwrap()
    );
    assert_eq!(cell_text(&m[0][8]), "强制变化");
    assert!(cell_text(&m[0][9]).contains("B → D"));
    // Each filing sheet holds its CSV's rows.
    for (file, name) in [
        ("filing-list.csv", "修订后清单"),
        ("filing-grades.csv", "绩效分级清单"),
        ("filing-exempt.csv", "豁免企业清单"),
    ] {
        let csv_rows = csv::Reader::from_path(f.path(&format!("rev/{file}")))
            .unwrap()
            .records()
            .count();
        assert_eq!(data_rows(&mut wb, name).len(), csv_rows, "{name}");
    }
    let list = data_rows(&mut wb, "修订后清单");
    assert_eq!(num(&list[0][0]), 1.0, "序号 is a number");
    let html = std::fs::read_to_string(f.path("rev-zh/报告.html")).unwrap();
    assert!(html.contains("各类变化数量") && html.contains("各级预警措施变化"));
    assert!(html.contains("<section id=\"revision\">"));
    let plan_page = std::fs::read_to_string(f.path("zh/报告.html")).unwrap();
    let plan_charts = plan_page.matches("<svg class=\"chart\"").count();
    assert_eq!(
        html.matches("<svg class=\"chart\"").count(),
        plan_charts + 2
    );
}

/// A six-week cement calendar from `jianpai stagger` (the scenario of tests/cli_stagger.rs),
/// reported in Chinese and English (built once).
fn calendar_fixture() -> &'static Fixture {
    static F: OnceLock<()> = OnceLock::new();
    let f = fixture();
    F.get_or_init(|| {
        let files = [
            (
                "participation.csv",
                "行业,绩效等级,区县,工序,方式,最短停产天数,启停成本天数\n\
                 cement,D,*,熟料,整季停产,,\ncement,C,*,熟料,错峰,5,1\n",
            ),
            (
                "quotas.csv",
                "范围,时段,开始日期,结束日期,最少停产天数\ncement,冬季,2024-02-10,2024-03-10,8\n",
            ),
            ("forecast.csv", "日期,预警级别\n2024-02-29,橙色\n"),
            (
                "government.csv",
                "生产线编号,开始日期,结束日期,原因\nL00031-02,2024-02-20,2024-02-22,指令\n",
            ),
            (
                "maintenance.csv",
                "生产线编号,检修任务,工期天数,最早开始,最晚结束,避开时段\n\
                 L00040-01,窑检修,5,2024-02-10,2024-03-10,2024-02-25~2024-03-03\n",
            ),
        ];
        for (name, text) in files {
            std::fs::write(f.path(name), text).unwrap();
        }
        let toml = format!(
            "name = \"错峰测试\"\ninventory = \"{ROOT}/seeds/wuxi-2021\"\n\
             participation = \"participation.csv\"\nquotas = \"quotas.csv\"\n\
             forecast = \"forecast.csv\"\ngovernment = \"government.csv\"\n\
             maintenance = \"maintenance.csv\"\n[blocks]\nmin_days = 7\n[caps]\ndefault = 0.6\n\
             [[seasons]]\nname = \"冬季\"\nstart = \"2024-02-10\"\nend = \"2024-03-10\"\n\
             [seasons.cut]\nnox = 40.0\n[uplift.orange]\nnox = 10.0\n\
             [solver]\ntime_limit = 60\nrel_gap = 0.05\n"
        );
        // (rel_gap 5 %: the 7-day minimum run leaves an integrality gap of about 4 % here.)
        std::fs::write(f.path("stagger.toml"), toml).unwrap();
        jianpai()
            .args(["--quiet", "stagger"])
            .arg(f.path("stagger.toml"))
            .arg("--out")
            .arg(f.path("cal"))
            .assert()
            .success();
        for (lang, out) in [("zh", "cal-zh"), ("en", "cal-en")] {
            jianpai()
                .args(["--quiet", "--lang", lang, "report"])
                .arg(f.path("cal"))
                .arg("--out")
                .arg(f.path(out))
                .assert()
                .success();
        }
    });
    f
}

/// Records of a CSV written by the tool, by header (BOM removed).
fn csv_records(path: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    (headers, r.records().map(Result::unwrap).collect())
}

/// Excel serial number of a YYYY-MM-DD date.
fn excel_serial(date: &str) -> f64 {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    (d - chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days() as f64
}

#[test]
fn calendar_report_has_the_blocks_the_days_and_the_gantt_chart() {
    let f = calendar_fixture();
    let summary = json(&f.path("cal/summary.json"));
    let (head, blocks) = csv_records(&f.path("cal/calendar.csv"));
    let (day_head, days) = csv_records(&f.path("cal/days.csv"));
    assert!(blocks.len() > 10 && days.len() == 30);
    let mut wb: Xlsx<_> = open_workbook(f.path("cal-zh/错峰生产日历.xlsx")).unwrap();
    assert_eq!(wb.sheet_names(), ["汇总", "日历", "逐日"]);
    // 汇总: status, loss, bound, gap and saving from summary.json.
    let over = data_rows(&mut wb, "汇总");
    let value = |label: &str| {
        over.iter()
            .find(|r| cell_text(&r[0]) == label)
            .unwrap_or_else(|| panic!("{label}"))[1]
            .clone()
    };
    assert_eq!(
        cell_text(&value("求解状态")),
        "在设定间隙内的最优解（已证明）"
    );
    for (label, key) in [
        ("可优化损失(万元)", "objective"),
        ("损失下界(万元)", "bound"),
        ("相对间隙", "gap"),
        ("贪心方案损失(万元)", "greedy_objective"),
        ("较贪心方案节省(万元)", "saving_vs_greedy"),
    ] {
        assert!(
            (num(&value(label)) - summary[key].as_f64().unwrap()).abs() < 1e-9,
            "{label}"
        );
    }
    // 日历: one row per calendar.csv row, same lines, dates as dates, same day total.
    let all = sheet(&mut wb, "日历");
    let header: Vec<String> = all[1].iter().map(cell_text).collect();
    assert_eq!(header, head);
    let rows = &all[2..];
    assert_eq!(rows.len(), blocks.len());
    for (r, b) in rows.iter().zip(&blocks) {
        assert_eq!(cell_text(&r[0]), &b[0]);
        assert_eq!(cell_text(&r[1]), &b[1], "line name");
        match &r[6] {
            Data::DateTime(d) => assert_eq!(d.as_f64(), excel_serial(&b[6])),
            other => panic!("start is not a date: {other:?}"),
        }
        assert_eq!(cell_text(&r[9]), &b[9]);
    }
    let total: f64 = rows.iter().map(|r| num(&r[8])).sum();
    let csv_total: f64 = blocks.iter().map(|b| b[8].parse::<f64>().unwrap()).sum();
    assert_eq!(total, csv_total);
    // 逐日: one row per day; the NOx cuts add up to days.csv's.
    let all = sheet(&mut wb, "逐日");
    assert_eq!(all[1].iter().map(cell_text).collect::<Vec<_>>(), day_head);
    assert_eq!(all.len() - 2, days.len());
    let nox = day_head
        .iter()
        .position(|h| h == "氮氧化物减排量(t/d)")
        .unwrap();
    let sheet_sum: f64 = all[2..].iter().map(|r| num(&r[nox])).sum();
    let csv_sum: f64 = days.iter().map(|d| d[nox].parse::<f64>().unwrap()).sum();
    assert!((sheet_sum - csv_sum).abs() < 1e-6);
    // The page: a Gantt chart with one row per line and one bar per block, the NOx chart only
    // (the only pollutant with a target), sortable tables.
    let html = std::fs::read_to_string(f.path("cal-zh/报告.html")).unwrap();
    let start = html
        .find("aria-label=\"错峰生产与检修甘特图\"")
        .expect("Gantt chart");
    let gantt = &html[start..start + html[start..].find("</svg>").unwrap()];
    let lines: std::collections::BTreeSet<&str> = blocks.iter().map(|b| &b[0]).collect();
    for l in &lines {
        assert!(gantt.contains(&format!(">{l}</text>")), "{l} has a row");
    }
    assert_eq!(gantt.matches("<rect").count(), blocks.len());
    assert!(
        gantt.contains("#d62828") && gantt.contains("#f08c00"),
        "government and maintenance colours"
    );
    assert!(html.contains("NOx 逐日减排量与目标") && !html.contains("SO2 逐日减排量与目标"));
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 2);
    assert_eq!(html.matches("class=\"sortable\"").count(), 2);
    // English report: English sheet names and headers.
    let mut en: Xlsx<_> = open_workbook(f.path("cal-en/staggered-calendar.xlsx")).unwrap();
    assert_eq!(en.sheet_names(), ["Summary", "Calendar", "Daily"]);
    let cal = sheet(&mut en, "Calendar");
    assert_eq!(cell_text(&cal[1][0]), "line_id");
    assert_eq!(cell_text(&cal[2][9]), "season_stop");
    assert_eq!(cal.len() - 2, blocks.len());
    assert!(std::fs::read_to_string(f.path("cal-en/report.html"))
        .unwrap()
        .contains("Stop blocks and maintenance"));
}

#[test]
fn calendar_written_in_english_reports_the_same_blocks_and_days() {
    let f = calendar_fixture();
    jianpai()
        .args(["--quiet", "--lang", "en", "stagger"])
        .arg(f.path("stagger.toml"))
        .arg("--out")
        .arg(f.path("cal-en-files"))
        .assert()
        .success();
    for (dir, out) in [("cal-en-files", "cal-from-en"), ("cal", "cal-again")] {
        jianpai()
            .args(["--quiet", "report"])
            .arg(f.path(dir))
            .arg("--out")
            .arg(f.path(out))
            .assert()
            .success();
    }
    // Same directory, same bytes.
    for name in ["错峰生产日历.xlsx", "报告.html"] {
        let a = std::fs::read(f.path("cal-zh").join(name)).unwrap();
        let b = std::fs::read(f.path("cal-again").join(name)).unwrap();
        assert!(a == b, "{name} differs between runs");
    }
    // English headers are read by name: the same lines, dates, days and (Chinese) kinds, and
    // the same daily numbers.
    let mut zh: Xlsx<_> = open_workbook(f.path("cal-zh/错峰生产日历.xlsx")).unwrap();
    let mut en: Xlsx<_> = open_workbook(f.path("cal-from-en/错峰生产日历.xlsx")).unwrap();
    let pick = |rows: Vec<Vec<Data>>, cols: &[usize]| -> Vec<Vec<Data>> {
        rows.into_iter()
            .map(|r| cols.iter().map(|&c| r[c].clone()).collect())
            .collect()
    };
    let blocks = [0, 1, 2, 6, 7, 8, 9];
    assert_eq!(
        pick(data_rows(&mut zh, "日历"), &blocks),
        pick(data_rows(&mut en, "日历"), &blocks)
    );
    let numbers: Vec<usize> = (3..data_rows(&mut zh, "逐日")[0].len()).collect();
    assert_eq!(
        pick(data_rows(&mut zh, "逐日"), &numbers),
        pick(data_rows(&mut en, "逐日"), &numbers)
    );
    let html = std::fs::read_to_string(f.path("cal-from-en/报告.html")).unwrap();
    assert!(html.contains(">错峰停产<") && html.contains("NOx 逐日减排量与目标"));
}

/// Run a system program, failing the test with a hint when it is missing.
fn system(program: &str) -> std::process::Command {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "{program} is not installed: run `make setup` (scripts/setup-system.sh)"
    );
    std::process::Command::new(program)
}

#[test]
fn libreoffice_converts_the_workbooks() {
    let f = sweep_fixture();
    let pdf = f.path("pdf");
    let status = system("soffice")
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&pdf)
        .arg(f.path("zh/应急减排清单.xlsx"))
        .arg(f.path("zh/一厂一策.xlsx"))
        .arg(f.path("curve-zh/情景对比.xlsx"))
        .arg(calendar_fixture().path("cal-zh/错峰生产日历.xlsx"))
        .env("HOME", f.path("lo-home"))
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    for name in [
        "应急减排清单.pdf",
        "一厂一策.pdf",
        "情景对比.pdf",
        "错峰生产日历.pdf",
    ] {
        let bytes = std::fs::read(pdf.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(bytes.starts_with(b"%PDF"), "{name} is a PDF");
        assert!(bytes.len() > 10_000, "{name}: only {} bytes", bytes.len());
    }
}

/// Decode an 8-bit RGB or RGBA PNG (what Chromium writes) into pixels.
fn decode_png(bytes: &[u8]) -> (usize, usize, Vec<[u8; 3]>) {
    use std::io::Read;
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let (mut w, mut h, mut channels) = (0usize, 0usize, 0usize);
    let mut idat = Vec::new();
    let mut i = 8;
    while i + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
        let kind = &bytes[i + 4..i + 8];
        let body = &bytes[i + 8..i + 8 + len];
        match kind {
            b"IHDR" => {
                w = u32::from_be_bytes(body[0..4].try_into().unwrap()) as usize;
                h = u32::from_be_bytes(body[4..8].try_into().unwrap()) as usize;
                assert_eq!(body[8], 8, "8-bit");
                channels = match body[9] {
                    2 => 3,
                    6 => 4,
                    c => panic!("colour type {c}"),
                };
            }
            b"IDAT" => idat.extend_from_slice(body),
            _ => {}
        }
        i += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .unwrap();
    let stride = w * channels;
    let mut prev = vec![0u8; stride];
    let mut px = Vec::with_capacity(w * h);
    for y in 0..h {
        let filter = raw[y * (stride + 1)];
        let mut line = raw[y * (stride + 1) + 1..(y + 1) * (stride + 1)].to_vec();
        for x in 0..stride {
            let a = if x >= channels {
                line[x - channels] as i16
            } else {
                0
            };
            let b = prev[x] as i16;
            let c = if x >= channels {
                prev[x - channels] as i16
            } else {
                0
            };
            let add = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => {
                    let p = a + b - c;
                    let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                f => panic!("filter {f}"),
            };
            line[x] = line[x].wrapping_add(add as u8);
        }
        for p in line.chunks(channels) {
            px.push([p[0], p[1], p[2]]);
        }
        prev = line;
    }
    (w, h, px)
}

fn chromium(args: &[&str], page: &Path) -> std::process::Output {
    system("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap()
}

/// The page's DOM after its script ran; fails on any console message.
fn clean_dom(page: &Path) -> String {
    let out = chromium(
        &[
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
            "--dump-dom",
        ],
        page,
    );
    let log = String::from_utf8_lossy(&out.stderr);
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(
        console.is_empty(),
        "{}: console messages: {console:?}",
        page.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn chromium_renders_the_charts_without_console_errors() {
    let f = fixture();
    let page = f.path("zh/报告.html");
    let html = std::fs::read_to_string(&page).unwrap();
    let charts = html.matches("<svg class=\"chart\"").count();
    assert!(
        charts >= 7,
        "4 target charts and 3 loss charts, got {charts}"
    );
    // The inline script ran to its end and counted the rendered charts.
    let dom = clean_dom(&page);
    assert!(
        dom.contains(&format!("data-charts=\"{charts}\"")),
        "script marker missing: {}",
        &dom[..dom.len().min(400)]
    );
    // A sweep report with its cost curve and a calendar report with its Gantt chart render as
    // cleanly.
    assert!(clean_dom(&sweep_fixture().path("curve-zh/报告.html")).contains("data-charts=\"4\""));
    assert!(clean_dom(&calendar_fixture().path("cal-zh/报告.html")).contains("data-charts=\"2\""));
    let shot = f.path("shot.png");
    let out = chromium(
        &[
            "--window-size=1280,1600",
            &format!("--screenshot={}", shot.display()),
        ],
        &page,
    );
    assert!(out.status.success(), "{out:?}");
    let (w, h, px) = decode_png(&std::fs::read(&shot).unwrap());
    assert_eq!((w, h), (1280, 1600));
    let colours: std::collections::HashSet<[u8; 3]> = px.iter().copied().collect();
    let non_white = px.iter().filter(|p| p.iter().any(|&c| c < 235)).count();
    assert!(colours.len() > 50, "{} colours", colours.len());
    assert!(
        non_white * 10 > px.len(),
        "mostly blank: {non_white} of {}",
        px.len()
    );
    // The page header (dark blue bar) is on screen.
    assert!(px.contains(&[0x1f, 0x4e, 0x79]), "header colour");
}
