//! Hostile input to `jianpai audit`'s warning record and windows (issue 17): every defect of the
//! record (`warnings.csv` or the calendar's `forecast` table) is refused with its file, row,
//! column, value and code (exit 3; a missing file exit 7), a run without a warning record refuses
//! (exit 2), and a baseline overlapping a warning names both windows.

use super::Case;

const HEADER: &str = "预警级别,开始时间,结束时间";
const GOOD: [&str; 2] = [
    "黄色,2021-12-14T00:00,2021-12-16T00:00",
    "橙色,2021-12-22T00:00,2021-12-25T00:00",
];

fn audit_with(extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "audit", "--plan", "plan", "--meter", "m.csv", "--level", "orange",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

fn case(name: String, extra: &[&str]) -> Case {
    let a = audit_with(extra);
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    Case::new(name, &refs)
}

/// A record whose second warning has `cell` in column `col` (0 level, 1 start, 2 end).
fn record_with(col: usize, cell: &str) -> String {
    let mut cells: Vec<String> = GOOD[1].split(',').map(str::to_string).collect();
    cells[col] = cell.to_string();
    format!("{HEADER}\n{}\n{}\n", GOOD[0], cells.join(","))
}

pub fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    // Bad time stamps in start or end: E601 with the row, the column and the value.
    for (col, key) in [(1, "开始时间"), (2, "结束时间")] {
        for bad in [
            "yesterday",
            "2021-13-01T00:00",
            "2021-02-30T00:00",
            "2021-12-22T25:00",
            "2021-12-22T00:00+25:00",
            "1e300",
        ] {
            let text = record_with(col, bad);
            v.push(
                case(
                    format!("audit/warnings/{key} {bad}"),
                    &["--warnings", "w.csv"],
                )
                .prepare(move |w| w.write("w.csv", &text))
                .exit(3)
                .says("E601")
                .says("w.csv row 3")
                .says(format!("column {key}"))
                .says(format!("value \"{bad}\"")),
            );
        }
    }
    // Unknown levels: E603.
    for bad in ["紫色", "purple", "4", "橙色预警!"] {
        let text = record_with(0, bad);
        v.push(
            case(
                format!("audit/warnings/level {bad}"),
                &["--warnings", "w.csv"],
            )
            .prepare(move |w| w.write("w.csv", &text))
            .exit(3)
            .says("E603")
            .says("w.csv row 3")
            .says(format!("value \"{bad}\"")),
        );
    }
    // Empty required cells name their column.
    for (col, key) in [(0, "预警级别"), (1, "开始时间"), (2, "结束时间")] {
        let text = record_with(col, "");
        v.push(
            case(
                format!("audit/warnings/empty {key}"),
                &["--warnings", "w.csv"],
            )
            .prepare(move |w| w.write("w.csv", &text))
            .exit(3)
            .says("w.csv row 3")
            .says(key),
        );
    }
    // A control character in a cell is refused, never echoed raw.
    v.push(
        case(
            "audit/warnings/control char".into(),
            &["--warnings", "w.csv"],
        )
        .prepare(|w| w.write("w.csv", record_with(0, "橙\u{1b}[31m色")))
        .exit(3)
        .says("w.csv row 3")
        .says("control character"),
    );
    // An end not after its start: E602.
    for end in ["2021-12-22T00:00", "2021-12-21T23:00"] {
        let text = record_with(2, end);
        v.push(
            case(
                format!("audit/warnings/end {end} before start"),
                &["--warnings", "w.csv"],
            )
            .prepare(move |w| w.write("w.csv", &text))
            .exit(3)
            .says("E602")
            .says(format!("value \"{end}\"")),
        );
    }
    // Overlapping warnings: E604 naming both rows' windows.
    v.push(
        case("audit/warnings/overlap".into(), &["--warnings", "w.csv"])
            .prepare(|w| {
                w.write(
                    "w.csv",
                    format!(
                        "{HEADER}\n{}\n黄色,2021-12-24T00:00,2021-12-26T00:00\n",
                        GOOD[1]
                    ),
                )
            })
            .exit(3)
            .says("E604")
            .says("2021-12-22T00:00:00+08:00 .. 2021-12-25T00:00:00+08:00")
            .says("2021-12-24T00:00:00+08:00 .. 2021-12-26T00:00:00+08:00"),
    );
    // A missing column, an empty file, a header without rows, garbage, a missing file, a folder.
    v.push(
        case(
            "audit/warnings/missing end column".into(),
            &["--warnings", "w.csv"],
        )
        .prepare(|w| w.write("w.csv", "预警级别,开始时间\n橙色,2021-12-22T00:00\n"))
        .exit(3)
        .says("结束时间"),
    );
    v.push(
        case(
            "audit/warnings/header only".into(),
            &["--warnings", "w.csv"],
        )
        .prepare(|w| w.write("w.csv", format!("{HEADER}\n")))
        .exit(3)
        .says("w.csv")
        .says("no data rows"),
    );
    v.push(
        case("audit/warnings/empty file".into(), &["--warnings", "w.csv"])
            .prepare(|w| w.write("w.csv", ""))
            .exit(3)
            .says("w.csv"),
    );
    v.push(
        case("audit/warnings/garbage".into(), &["--warnings", "w.csv"])
            .prepare(|w| {
                let bytes: Vec<u8> = (0..4096u32)
                    .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                    .collect();
                w.write("w.csv", bytes)
            })
            .exit(3)
            .says("w.csv"),
    );
    v.push(
        case(
            "audit/warnings/missing file".into(),
            &["--warnings", "nowhere.csv"],
        )
        .exit(7)
        .says("nowhere.csv"),
    );
    v.push(
        case("audit/warnings/folder".into(), &["--warnings", "a-folder"])
            .prepare(|w| std::fs::create_dir_all(w.path("a-folder")).unwrap())
            .says("a-folder"),
    );
    // The calendar's forecast table: bad dates and levels named.
    for (cell, code) in [("2021-02-30", "E601"), ("tomorrow", "E601")] {
        let text = format!("date,level\n2021-12-22,orange\n{cell},orange\n");
        v.push(
            case(
                format!("audit/forecast/date {cell}"),
                &["--warnings", "f.csv"],
            )
            .prepare(move |w| w.write("f.csv", &text))
            .exit(3)
            .says(code)
            .says("f.csv row 3")
            .says(format!("value \"{cell}\"")),
        );
    }
    v.push(
        case("audit/forecast/level pink".into(), &["--warnings", "f.csv"])
            .prepare(|w| w.write("f.csv", "date,level\n2021-12-22,pink\n"))
            .exit(3)
            .says("E603")
            .says("value \"pink\""),
    );
    // No warning of the audited level: E606 naming the level.
    v.push(
        case("audit/warnings/no orange".into(), &["--warnings", "w.csv"])
            .prepare(|w| w.write("w.csv", format!("{HEADER}\n{}\n", GOOD[0])))
            .exit(3)
            .says("E606")
            .says("orange"),
    );
    v.push(
        case(
            "audit/warnings/window outside record".into(),
            &["--warnings", "w.csv", "--window", "2021-12-02..2021-12-03"],
        )
        .prepare(|w| w.write("w.csv", format!("{HEADER}\n{}\n{}\n", GOOD[0], GOOD[1])))
        .exit(3)
        .says("E606")
        .says("2021-12-02T00:00:00+08:00"),
    );
    // Neither a record nor a window: refused, saying what to pass.
    v.push(
        case("audit/windows/neither".into(), &[])
            .exit(2)
            .says("--warnings")
            .says("--window"),
    );
    // A baseline overlapping the warning or a warning of the record: E605 naming both windows.
    v.push(
        case(
            "audit/windows/baseline overlaps warning".into(),
            &[
                "--window",
                "2021-12-22..2021-12-25",
                "--baseline",
                "2021-12-20..2021-12-23",
            ],
        )
        .exit(3)
        .says("E605")
        .says("2021-12-20T00:00:00+08:00 .. 2021-12-23T00:00:00+08:00")
        .says("2021-12-22T00:00:00+08:00 .. 2021-12-25T00:00:00+08:00"),
    );
    v.push(
        case(
            "audit/windows/baseline overlaps earlier warning".into(),
            &[
                "--warnings",
                "w.csv",
                "--baseline",
                "2021-12-10..2021-12-15",
            ],
        )
        .prepare(|w| w.write("w.csv", format!("{HEADER}\n{}\n{}\n", GOOD[0], GOOD[1])))
        .exit(3)
        .says("E605")
        .says("2021-12-14T00:00:00+08:00 .. 2021-12-16T00:00:00+08:00")
        .says("第 2 行"),
    );
    // Gate logs (门禁记录): every bad cell named with its column and value, exit 3.
    let gate_header = "统一社会信用代码,车牌号,排放标准,通行时间,进出";
    let gate_row = [
        "91320200MA1XXXXX00",
        "苏B12345",
        "国五",
        "2021-12-23T09:00",
        "进",
    ];
    for (col, key, bad, says) in [
        (2, "排放标准", "国七", "unknown emission standard"),
        (2, "排放标准", "euro 6", "unknown emission standard"),
        (2, "排放标准", "", "unknown emission standard"),
        (3, "通行时间", "noon", "time stamp"),
        (3, "通行时间", "2021-12-23T09:00+99:00", "not a real offset"),
        (4, "进出", "sideways", "进 or 出"),
        (0, "统一社会信用代码", "", "is empty"),
        (1, "车牌号", "", "is empty"),
        (1, "车牌号", "苏B\u{7}12345", "control characters"),
    ] {
        let mut cells: Vec<String> = gate_row.iter().map(|c| c.to_string()).collect();
        cells[col] = bad.to_string();
        let text = format!(
            "{gate_header}\n{}\n{}\n",
            gate_row.join(","),
            cells.join(",")
        );
        v.push(
            case(
                format!("audit/gates/{key} {}", bad.escape_debug()),
                &["--window", "2021-12-22..2021-12-25", "--gates", "g.csv"],
            )
            .prepare(move |w| w.write("g.csv", &text))
            .exit(3)
            .says("g.csv row 3")
            .says(format!("column {key}"))
            .says(says),
        );
    }
    v.push(
        case(
            "audit/gates/missing standard column".into(),
            &["--window", "2021-12-22..2021-12-25", "--gates", "g.csv"],
        )
        .prepare(|w| {
            w.write(
                "g.csv",
                "统一社会信用代码,车牌号,通行时间\nX,苏B1,2021-12-23T09:00\n",
            )
        })
        .exit(3)
        .says("g.csv row 1")
        .says("排放标准"),
    );
    v.push(
        case(
            "audit/gates/missing file".into(),
            &[
                "--window",
                "2021-12-22..2021-12-25",
                "--gates",
                "nowhere.csv",
            ],
        )
        .exit(7)
        .says("nowhere.csv"),
    );
    // The false-alarm rate must be a probability the test can honour.
    for bad in ["0", "-0.01", "0.5", "NaN", "inf"] {
        v.push(
            case(
                format!("audit/flags/false-alarm {bad}"),
                &["--window", "2021-12-22..2021-12-25", "--false-alarm", bad],
            )
            .exit(2)
            .says("--false-alarm"),
        );
    }
    v
}
