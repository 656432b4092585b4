//! `jianpai stagger` and the calendar branch of `jianpai check`, end to end on a small stagger
//! scenario over the bundled Wuxi inventory (cement kilns, six weeks).

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn jianpai() -> Command {
    Command::cargo_bin("jianpai").unwrap()
}

/// A small stagger scenario in a temporary folder; `edit` rewrites any of its files.
struct Fixture {
    dir: tempfile::TempDir,
}

const PARTICIPATION: &str = "行业,绩效等级,区县,工序,方式,最短停产天数,启停成本天数
cement,D,*,熟料,整季停产,,
cement,C,*,熟料,错峰,5,1
";
const QUOTAS: &str = "范围,时段,开始日期,结束日期,最少停产天数
cement,冬季,2024-02-10,2024-03-10,8
";
const FORECAST: &str = "日期,预警级别
2024-02-29,橙色
";
const GOVERNMENT: &str = "生产线编号,开始日期,结束日期,原因
L00031-02,2024-02-20,2024-02-22,指令
";
const MAINTENANCE: &str = "生产线编号,检修任务,工期天数,最早开始,最晚结束,避开时段
L00040-01,窑检修,5,2024-02-10,2024-03-10,2024-02-25~2024-03-03
";

impl Fixture {
    fn new() -> Fixture {
        let f = Fixture {
            dir: tempfile::tempdir().unwrap(),
        };
        f.write("participation.csv", PARTICIPATION);
        f.write("quotas.csv", QUOTAS);
        f.write("forecast.csv", FORECAST);
        f.write("government.csv", GOVERNMENT);
        f.write("maintenance.csv", MAINTENANCE);
        f.write("s.toml", &Self::toml(""));
        f
    }

    fn toml(extra: &str) -> String {
        format!(
            "name = \"test\"
inventory = \"{ROOT}/seeds/wuxi-2021\"
participation = \"participation.csv\"
quotas = \"quotas.csv\"
forecast = \"forecast.csv\"
government = \"government.csv\"
maintenance = \"maintenance.csv\"
{extra}
[blocks]
min_days = 7
[caps]
default = 0.6
[[seasons]]
name = \"冬季\"
start = \"2024-02-10\"
end = \"2024-03-10\"
[seasons.cut]
nox = 40.0
[uplift.orange]
nox = 10.0
[solver]
time_limit = 60
# The 7-day minimum run leaves an integrality gap of about 4 % on this fixture (no branching).
rel_gap = 0.05
"
        )
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn stagger(&self, out: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
        jianpai()
            .arg("stagger")
            .arg(self.path("s.toml"))
            .arg("--out")
            .arg(self.path(out))
            .args(extra)
            .assert()
    }

    fn check(&self, cal: &Path) -> assert_cmd::assert::Assert {
        jianpai()
            .arg("check")
            .arg(cal)
            .arg("--scenario")
            .arg(self.path("s.toml"))
            .assert()
    }
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn stagger_then_check_passes_and_hand_edits_are_caught() {
    let f = Fixture::new();
    f.stagger("out", &[]).success();
    let out = f.path("out");
    let s = summary(&out);
    assert_eq!(s["kind"], "calendar");
    assert!(
        matches!(s["status"].as_str(), Some("optimal" | "gap_limit")),
        "{s}"
    );
    assert!(s["bound"].as_f64().unwrap() <= s["objective"].as_f64().unwrap() + 1e-9);
    assert!(s["greedy_objective"].as_f64().unwrap() >= s["objective"].as_f64().unwrap() - 1e-9);
    let cal = std::fs::read_to_string(out.join("calendar.csv")).unwrap();
    assert!(cal.starts_with("\u{feff}生产线编号,"), "{cal}");
    for kind in ["错峰停产", "整季停产", "政府指令停产", "检修"] {
        assert!(cal.contains(kind), "no {kind} row");
    }
    // The season ends on 2024-03-10 inclusive and crosses 29 February.
    let days = std::fs::read_to_string(out.join("days.csv")).unwrap();
    assert!(days.contains("\n2024-02-29,冬季,橙色,"));
    assert!(days
        .trim_end()
        .lines()
        .last()
        .unwrap()
        .starts_with("2024-03-10,"));
    f.check(&out).success();

    let edited = |name: &str, edit: &dyn Fn(&str) -> String| {
        let dir = f.path(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("calendar.csv"), edit(&cal)).unwrap();
        std::fs::copy(out.join("summary.json"), dir.join("summary.json")).unwrap();
        dir
    };
    // Drop the government stop: its days are no longer shown as stopped.
    let no_gov = edited("no-gov", &|c| {
        c.lines()
            .filter(|l| !l.contains("政府指令停产"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    f.check(&no_gov)
        .code(6)
        .stderr(predicates::str::contains("violation[government]"));
    // Drop every staggered block: quotas and cuts fail, and the loss no longer matches.
    let no_blocks = edited("no-blocks", &|c| {
        c.lines()
            .filter(|l| !l.contains(",错峰停产,"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    f.check(&no_blocks)
        .code(6)
        .stderr(predicates::str::contains("violation[quota]"))
        .stderr(predicates::str::contains("violation[cut]"))
        .stderr(predicates::str::contains("violation[objective]"));
    // Move the maintenance job into the window to avoid.
    let moved = edited("moved-job", &|c| {
        c.lines()
            .map(|l| {
                if l.contains(",检修,") {
                    let mut cells: Vec<String> = l.split(',').map(str::to_string).collect();
                    cells[6] = "2024-02-26".into();
                    cells[7] = "2024-03-01".into();
                    cells.join(",")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    f.check(&moved)
        .code(6)
        .stderr(predicates::str::contains("violation[maintenance]"));
    // Shorten a block below seven days.
    let short = edited("short", &|c| {
        let mut done = false;
        c.lines()
            .map(|l| {
                if !done && l.contains(",错峰停产,") {
                    done = true;
                    let mut cells: Vec<String> = l.split(',').map(str::to_string).collect();
                    let start = chrono::NaiveDate::parse_from_str(&cells[6], "%Y-%m-%d").unwrap();
                    cells[7] = (start + chrono::Duration::days(2)).to_string();
                    cells[8] = "3".into();
                    cells.join(",")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    f.check(&short)
        .code(6)
        .stderr(predicates::str::contains("violation[block]"));
}

#[test]
fn same_calendar_twice_and_english_headers() {
    let f = Fixture::new();
    f.stagger("a", &[]).success();
    f.stagger("b", &["--threads", "2"]).success();
    for file in ["calendar.csv", "days.csv"] {
        assert_eq!(
            std::fs::read(f.path("a").join(file)).unwrap(),
            std::fs::read(f.path("b").join(file)).unwrap(),
            "{file} differs"
        );
    }
    jianpai()
        .args(["--lang", "en", "stagger"])
        .arg(f.path("s.toml"))
        .arg("--out")
        .arg(f.path("en"))
        .assert()
        .success()
        .stdout(predicates::str::contains("status:"));
    let cal = std::fs::read_to_string(f.path("en").join("calendar.csv")).unwrap();
    assert!(cal.starts_with("\u{feff}line_id,line_name,credit_code,"));
    assert!(cal.contains(",stagger,") && cal.contains(",maintenance,"));
    f.check(&f.path("en")).success();
}

#[test]
fn infeasible_targets_are_explained_by_day() {
    let f = Fixture::new();
    f.write(
        "s.toml",
        &Fixture::toml("").replace("nox = 40.0", "nox = 400.0"),
    );
    f.stagger("out", &[])
        .code(4)
        .stderr(predicates::str::contains("infeasible[cut] cut:2024-02-"));
    let s = summary(&f.path("out"));
    assert_eq!(s["status"], "infeasible");
    assert!(!s["infeasibility"].as_array().unwrap().is_empty());
    assert!(!f.path("out").join("calendar.csv").exists());
}

#[test]
fn bad_inputs_name_file_row_column_and_value() {
    let cases: [(&str, &str, &str); 5] = [
        (
            "participation.csv",
            "行业,绩效等级,方式\ncement,C,有时\n",
            "E204",
        ),
        (
            "quotas.csv",
            "范围,时段,开始日期,结束日期,最少停产天数\ncement,冬季,2024-02-30,2024-03-10,8\n",
            "E201",
        ),
        (
            "quotas.csv",
            "范围,时段,开始日期,结束日期,最少停产天数\ncement,冬季,2024-02-10,2024-02-12,8\n",
            "E206",
        ),
        (
            "maintenance.csv",
            "生产线编号,检修任务,工期天数,最早开始,最晚结束\nL99999-01,x,3,2024-02-10,2024-03-10\n",
            "E205",
        ),
        ("forecast.csv", "日期,预警级别\n2024-02-29,紫色\n", "E022"),
    ];
    for (file, text, code) in cases {
        let f = Fixture::new();
        f.write(file, text);
        f.stagger("out", &[])
            .code(3)
            .stderr(predicates::str::contains(format!("error[{code}]")))
            .stderr(predicates::str::contains(file))
            .stderr(predicates::str::contains("row 2"));
    }
    let f = Fixture::new();
    f.write(
        "s.toml",
        &Fixture::toml("").replace("end = \"2024-03-10\"", "end = \"2024-02-01\""),
    );
    f.stagger("out", &[])
        .code(3)
        .stderr(predicates::str::contains("end 2024-02-01 is before start"));
}
