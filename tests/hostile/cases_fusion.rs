//! Hostile input to `jianpai audit --cems` (online monitoring) and `--status` (operating
//! status) (issue 17): every bad cell is refused with its file, row, column, value and code
//! (exit 3), bad files as such (a missing one exit 7), control characters never echoed raw.

use super::Case;

const WINDOW: &str = "2021-12-22T00:00..2021-12-25T00:00";
const CEMS_HEADER: &str = "排放口编号,生产线编号,监测时间,污染物,折算浓度,烟气流量,数据标记";
const CEMS_GOOD: &str = "P1,L1,2021-12-22T08:00,颗粒物,12.5,250000,N";
const STATUS_HEADER: &str = "设施编号,生产线编号,时间,运行状态,负荷率";
const STATUS_GOOD: &str = "F1,L1,2021-12-22T08:00,开,85";

fn case(name: String, flag: &str, file: &str) -> Case {
    Case::new(
        name,
        &[
            "audit", "--plan", "plan", "--meter", "m.csv", "--level", "orange", "--window", WINDOW,
            flag, file,
        ],
    )
}

/// A file whose second data row has `cell` in column `col`.
fn with_cell(header: &str, good: &str, col: usize, cell: &str) -> String {
    let mut cells: Vec<String> = good.split(',').map(str::to_string).collect();
    cells[col] = cell.to_string();
    format!("{header}\n{good}\n{}\n", cells.join(","))
}

/// A bad file case: name, flag, file, bytes, exit code, a fragment of the message.
type BadFile = (
    &'static str,
    &'static str,
    &'static str,
    &'static [u8],
    i32,
    &'static str,
);

pub fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    let cems_cells: [(usize, &str, &str, &str); 13] = [
        (0, "排放口编号", "", "E608"),
        (
            0,
            "排放口编号",
            "P-0123456789012345678901234567890123456789012345678901234567890123",
            "E608",
        ),
        (1, "生产线编号", "L\u{7}1", "E608"),
        (2, "监测时间", "2021-13-01T00:00", "E609"),
        (2, "监测时间", "yesterday", "E609"),
        (
            3,
            "污染物",
            "颗粒物颗粒物颗粒物颗粒物颗粒物颗粒物颗粒物颗粒物颗粒物颗粒物颗粒物",
            "E612",
        ),
        (4, "折算浓度", "-1", "E610"),
        (4, "折算浓度", "NaN", "E610"),
        (4, "折算浓度", "1e300", "E610"),
        (4, "折算浓度", "", "E610"),
        (5, "烟气流量", "1e9", "E610"),
        (5, "烟气流量", "abc", "E610"),
        (6, "数据标记", "X", "E611"),
    ];
    for (col, key, bad, code) in cems_cells {
        let text = with_cell(CEMS_HEADER, CEMS_GOOD, col, bad);
        let shown = bad.escape_debug().to_string();
        v.push(
            case(format!("fusion/cems/{key} {shown}"), "--cems", "c.csv")
                .prepare(move |w| w.write("c.csv", &text))
                .exit(3)
                .says(code)
                .says("c.csv row 3")
                .says(format!("column {key}"))
                .says(format!("value \"{shown}\""))
                .says_not("\u{7}"),
        );
    }
    let status_cells: [(usize, &str, &str, &str); 7] = [
        (0, "设施编号", "", "E615"),
        (2, "时间", "2021-12-22T25:00", "E616"),
        (4, "负荷率", "200", "E617"),
        (4, "负荷率", "-5", "E617"),
        (4, "负荷率", "inf", "E617"),
        (3, "运行状态", "maybe", "E618"),
        (1, "生产线编号", "L\u{1b}[31m", "E615"),
    ];
    for (col, key, bad, code) in status_cells {
        // A state-only row, so that a bad state is the cell read.
        let good = if col == 3 {
            "F1,L1,2021-12-22T08:00,开,"
        } else {
            STATUS_GOOD
        };
        let text = with_cell(STATUS_HEADER, good, col, bad);
        let shown = bad.escape_debug().to_string();
        v.push(
            case(format!("fusion/status/{key} {shown}"), "--status", "s.csv")
                .prepare(move |w| w.write("s.csv", &text))
                .exit(3)
                .says(code)
                .says("s.csv row 3")
                .says(format!("column {key}"))
                .says(format!("value \"{shown}\""))
                .says_not("\u{1b}"),
        );
    }
    // Bad files: a missing column, no state or load column, empty, header only, garbage, absent.
    let files: [BadFile; 7] = [
        ("cems missing concentration", "--cems", "c.csv", b"\xe6\x8e\x92\xe6\x94\xbe\xe5\x8f\xa3\xe7\xbc\x96\xe5\x8f\xb7,\xe7\x9b\x91\xe6\xb5\x8b\xe6\x97\xb6\xe9\x97\xb4,\xe7\x83\x9f\xe6\xb0\x94\xe6\xb5\x81\xe9\x87\x8f\nP1,2021-12-22T08:00,1000\n", 3, "missing column 折算浓度"),
        ("status without state or load", "--status", "s.csv", "设施编号,时间\nF1,2021-12-22T08:00\n".as_bytes(), 3, "E614"),
        ("cems empty", "--cems", "c.csv", b"", 3, "c.csv"),
        ("cems header only", "--cems", "c.csv", CEMS_HEADER.as_bytes(), 3, "no data rows"),
        ("status header only", "--status", "s.csv", STATUS_HEADER.as_bytes(), 3, "no data rows"),
        ("cems garbage", "--cems", "c.csv", b"\x00\x01\x02garbage\xff\xfe\n\x00", 3, "c.csv"),
        ("status absent", "--status", "none.csv", b"", 7, "none.csv"),
    ];
    for (name, flag, file, bytes, exit, says) in files {
        let mut c = case(format!("fusion/file/{name}"), flag, file);
        if file != "none.csv" {
            let bytes = bytes.to_vec();
            c = c.prepare(move |w| w.write(file, &bytes));
        }
        v.push(c.exit(exit).says(says));
    }
    // `seeds monitoring`: bounds on what the user gives, and never over its input.
    let monitoring = |extra: &[&str]| {
        let mut a = vec!["seeds", "monitoring", "--plan", "plan"];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<String>>()
    };
    for (name, extra, says) in [
        (
            "too many cheaters",
            &["--cheaters", "999999", "--out", "ev"][..],
            "--cheaters",
        ),
        ("no days", &["--days", "0", "--out", "ev"][..], "--days"),
        (
            "too many days",
            &["--days", "100000", "--out", "ev"][..],
            "--days",
        ),
        ("noise", &["--noise", "2", "--out", "ev"][..], "--noise"),
        (
            "warning outside",
            &["--warning-start", "2022-06-01", "--out", "ev"][..],
            "warning",
        ),
    ] {
        let a = monitoring(extra);
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        v.push(
            Case::new(format!("fusion/seeds monitoring/{name}"), &refs)
                .exit(2)
                .says(says)
                .after(|w, _| {
                    if w.path("ev").exists() {
                        Err("ev written".into())
                    } else {
                        Ok(())
                    }
                }),
        );
    }
    let a = monitoring(&["--out", "plan"]);
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    v.push(
        Case::new("fusion/seeds monitoring/over its plan", &refs)
            .says("plan")
            .after(|w, o| {
                if o.code == Some(0) || !w.path("plan/plan.csv").exists() {
                    Err("the plan was replaced".into())
                } else {
                    Ok(())
                }
            }),
    );
    v
}
