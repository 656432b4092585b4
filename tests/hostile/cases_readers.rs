//! Hostile cases: the inventory readers (CSV, xlsx, Parquet) and validation — numbers beyond their
//! plausible range, control characters and over-long texts, date cells, Parquet column types,
//! files that are not tables, and `seeds generate` bounds.

use super::{Case, Outcome, Work};
use polars::prelude::*;
use rust_xlsxwriter::{Format, Formula, Workbook};

const BIN: &str = env!("CARGO_BIN_EXE_jianpai");

/// Headers of the generated city's tables (see `seeds::generator`).
const LINES: &str = "city/lines.csv";
const DISTRICTS: &str = "city/districts.csv";
const ENTERPRISES: &str = "city/enterprises.csv";
const OPTIONS: &str = "city/options.csv";

/// Number columns of lines.csv with their plausible maximum (docs/schema.md, `limits`).
const LINE_NUMBERS: [(&str, f64); 9] = [
    ("核定产能", 1e10),
    ("许可产能", 1e10),
    ("上年日均产量", 1e10),
    ("日产值(万元)", 1e6),
    ("二氧化硫(t/d)", 1e4),
    ("氮氧化物(t/d)", 1e4),
    ("颗粒物(t/d)", 1e4),
    ("挥发性有机物(t/d)", 1e4),
    ("日用电量(kWh)", 1e9),
];

/// Number columns of districts.csv (whole-society emissions).
const DISTRICT_NUMBERS: [(&str, f64); 4] = [
    ("二氧化硫(t/d)", 1e6),
    ("氮氧化物(t/d)", 1e6),
    ("颗粒物(t/d)", 1e6),
    ("挥发性有机物(t/d)", 1e6),
];

/// Share columns of options.csv.
const OPTION_SHARES: [&str; 6] = [
    "二氧化硫减排比例",
    "氮氧化物减排比例",
    "颗粒物减排比例",
    "挥发性有机物减排比例",
    "产值损失比例",
    "核查用电比例",
];

/// Set a cell of a CSV file; for options.csv (header-only in the generated city) a valid option
/// row for the first line is added first.
fn set(w: &Work, rel: &str, column: &str, value: &str) {
    if rel == OPTIONS && w.read(OPTIONS).lines().count() < 2 {
        w.append(
            OPTIONS,
            "L00001-01,D1,停用一号炉,0.5,0.5,0.5,0.5,0.3,否,0.6\n",
        );
    }
    w.set_cell(rel, 1, column, value);
}

/// `jianpai validate city` after `prepare`, which must fail with exit 3.
fn invalid(name: &str, prepare: impl Fn(&Work) + Send + Sync + 'static) -> Case {
    Case::new(format!("readers/{name}"), &["validate", "city"])
        .prepare(prepare)
        .exit(3)
}

/// `jianpai validate city` after `prepare`, which must pass.
fn valid(name: &str, prepare: impl Fn(&Work) + Send + Sync + 'static) -> Case {
    Case::new(format!("readers/{name}"), &["validate", "city"])
        .prepare(prepare)
        .exit(0)
        .says("\n0 errors,")
}

fn slug(column: &str) -> String {
    column.chars().take_while(|c| *c != '(').collect::<String>()
}

/// A table of the city: name for case names, file, number columns with their maxima.
type Table = (&'static str, &'static str, &'static [(&'static str, f64)]);

/// Every number column × {negative, NaN, inf, 1e300, just beyond its maximum}.
fn number_cases(out: &mut Vec<Case>) {
    let tables: [Table; 2] = [
        ("lines", LINES, &LINE_NUMBERS),
        ("districts", DISTRICTS, &DISTRICT_NUMBERS),
    ];
    for (table, file, columns) in tables {
        for &(column, max) in columns {
            let beyond = format!("{}", max * 10.0);
            let values: [(&str, String, &str, &str); 5] = [
                ("negative", "-1".into(), "E006", "must not be negative"),
                ("nan", "NaN".into(), "E007", "not a finite number"),
                ("inf", "inf".into(), "E007", "not a finite number"),
                (
                    "1e300",
                    "1e300".into(),
                    "E024",
                    "beyond the plausible range",
                ),
                ("beyond-max", beyond, "E024", "beyond the plausible range"),
            ];
            for (what, value, code, says) in values {
                let v = value.clone();
                out.push(
                    invalid(&format!("{table}-{}-{what}", slug(column)), move |w| {
                        w.set_cell(file, 1, column, &v)
                    })
                    .says(code)
                    .says(column)
                    .says(format!("value \"{value}\""))
                    .says(says),
                );
            }
        }
    }
    // The plausible range is stated with the unit.
    out.push(
        invalid("lines-emissions-1e16-range", |w| {
            w.set_cell(LINES, 1, "二氧化硫(t/d)", "1e16")
        })
        .says("0–10000 t/d"),
    );
    out.push(
        invalid("lines-output-value-1e20-range", |w| {
            w.set_cell(LINES, 1, "日产值(万元)", "1e20")
        })
        .says("0–1e6 万元/d"),
    );
    // Shares: NaN, 1e300 and above 100 %.
    for column in OPTION_SHARES {
        for (what, value, code) in [
            ("nan", "NaN", "E007"),
            ("1e300", "1e300", "E008"),
            ("150pct", "150%", "E008"),
        ] {
            out.push(
                invalid(&format!("options-{column}-{what}"), move |w| {
                    set(w, OPTIONS, column, value)
                })
                .says(code)
                .says(column)
                .says(format!("value \"{value}\"")),
            );
        }
    }
}

/// `plan` refuses what used to crash or mislead the solver.
fn plan_cases(out: &mut Vec<Case>) {
    for (name, column, value) in [
        ("so2-1e16", "二氧化硫(t/d)", "1e16"),
        ("vocs-1e300", "挥发性有机物(t/d)", "1e300"),
        ("output-value-1e20", "日产值(万元)", "1e20"),
        ("electricity-1e15", "日用电量(kWh)", "1e15"),
    ] {
        out.push(
            Case::new(
                format!("readers/plan-refuses-{name}"),
                &["plan", "s.toml", "--out", "out"],
            )
            .prepare(move |w| w.set_cell(LINES, 1, column, value))
            .exit(3)
            .says("E024")
            .says(column),
        );
    }
}

/// Text columns × {NUL, ESC, 40,000 characters, only invisible characters}.
fn text_cases(out: &mut Vec<Case>) {
    let columns: [(&str, &str, &str, usize); 9] = [
        ("enterprises", ENTERPRISES, "企业名称", 200),
        ("enterprises", ENTERPRISES, "区县", 200),
        ("enterprises", ENTERPRISES, "行业", 200),
        ("lines", LINES, "生产线编号", 64),
        ("lines", LINES, "生产线名称", 200),
        ("lines", LINES, "工序", 200),
        ("districts", DISTRICTS, "区县", 200),
        ("options", OPTIONS, "措施编号", 64),
        ("options", OPTIONS, "措施内容", 2000),
    ];
    for (table, file, column, max) in columns {
        out.push(
            invalid(&format!("{table}-{column}-esc"), move |w| {
                set(w, file, column, "甲\u{1b}[31m乙")
            })
            .says("E025")
            .says("U+001B")
            .says(column)
            .says("\\u{1b}[31m"),
        );
        out.push(
            invalid(&format!("{table}-{column}-nul"), move |w| {
                set(w, file, column, "甲\0乙")
            })
            .says("NUL"),
        );
        out.push(
            invalid(&format!("{table}-{column}-40k"), move |w| {
                set(w, file, column, &"名".repeat(40_000))
            })
            .says("E026")
            .says(column)
            .says(format!(
                "is 40000 characters long; this column allows at most {max}"
            ))
            .says("…（共 40000 个字符）"),
        );
        out.push(
            invalid(&format!("{table}-{column}-invisible"), move |w| {
                set(w, file, column, " \u{200B}\u{3000} ")
            })
            .says("E004")
            .says(column),
        );
    }
    // Other control characters: C1, DEL, bidi override, line break in a name.
    for (what, value, shown) in [
        ("c1", "甲\u{9b}乙", "U+009B"),
        ("del", "甲\u{7f}乙", "U+007F"),
        ("bidi", "甲\u{202e}乙", "U+202E"),
        ("bell", "甲\u{7}乙", "U+0007"),
    ] {
        out.push(
            invalid(&format!("enterprises-name-{what}"), move |w| {
                w.set_cell(ENTERPRISES, 1, "企业名称", value)
            })
            .says("E025")
            .says(shown),
        );
    }
    out.push(
        invalid("lines-name-quoted-line-break", |w| {
            w.set_cell(LINES, 1, "生产线名称", "\"一号\n线\"")
        })
        .says("E025")
        .says("U+000A"),
    );
    // Free text may hold a tab and line breaks (Excel's Alt+Enter).
    out.push(valid("options-text-tab-and-break-ok", |w| {
        set(w, OPTIONS, "措施内容", "\"停用\t涂装线\n（一号）\"")
    }));
    // Escape sequences in values that are not texts never reach the terminal raw.
    out.push(
        invalid("grade-esc-escaped", |w| {
            w.set_cell(ENTERPRISES, 1, "绩效等级", "\u{1b}]0;pwned\u{7}")
        })
        .says("E011")
        .says("\\u{1b}]0;pwned\\u{7}"),
    );
    out.push(
        invalid("header-esc-escaped", |w| {
            w.replace(LINES, "工序", "工序\u{1b}[2J");
        })
        .says("E003")
        .says("工序\\u{1b}[2J"),
    );
    // A 40,000-character name fails at validate, before `plan` and `report`.
    out.push(
        Case::new(
            "readers/plan-refuses-40k-name",
            &["plan", "s.toml", "--out", "out"],
        )
        .prepare(|w| w.set_cell(ENTERPRISES, 1, "企业名称", &"厂".repeat(40_000)))
        .exit(3)
        .says("E026"),
    );
}

/// The rows of a CSV file as cells (the generated files have no quoted cells).
fn csv_rows(w: &Work, rel: &str) -> Vec<Vec<String>> {
    w.read(rel)
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// Replace `city/lines.csv` by `city/lines.xlsx` with the same cells (numbers as numbers), then
/// let `edit` change the workbook's sheet.
fn lines_as_xlsx(w: &Work, edit: impl Fn(&mut rust_xlsxwriter::Worksheet, &[String])) {
    let rows = csv_rows(w, LINES);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let numeric: Vec<bool> = rows[0]
        .iter()
        .map(|h| LINE_NUMBERS.iter().any(|(n, _)| n == h))
        .collect();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell.parse::<f64>() {
                Ok(x) if r > 0 && numeric[c] => ws.write_number(r as u32, c as u16, x).map(|_| ()),
                _ => ws.write_string(r as u32, c as u16, cell).map(|_| ()),
            }
            .unwrap();
        }
    }
    edit(ws, &rows[0]);
    wb.save(w.path("city/lines.xlsx")).unwrap();
    std::fs::remove_file(w.path(LINES)).unwrap();
}

fn col_of(header: &[String], name: &str) -> u16 {
    header.iter().position(|h| h == name).unwrap() as u16
}

/// Date cells, Excel errors and hostile shapes in workbooks.
fn xlsx_cases(out: &mut Vec<Case>) {
    out.push(valid("xlsx-lines-ok", |w| lines_as_xlsx(w, |_, _| {})));
    for (what, format, value, shown) in [
        ("date", "yyyy-mm-dd", 44197.0, "2021-01-01"),
        (
            "datetime",
            "yyyy-mm-dd hh:mm",
            44197.5,
            "2021-01-01 12:00:00",
        ),
        (
            "chinese-date",
            "yyyy\"年\"m\"月\"d\"日\"",
            44562.0,
            "2022-01-01",
        ),
        ("time", "[h]:mm:ss", 1.5, "36:00:00"),
    ] {
        out.push(
            invalid(&format!("xlsx-{what}-cell-in-so2"), move |w| {
                lines_as_xlsx(w, |ws, h| {
                    let f = Format::new().set_num_format(format);
                    ws.write_number_with_format(1, col_of(h, "二氧化硫(t/d)"), value, &f)
                        .unwrap();
                })
            })
            .says("E027")
            .says("[Sheet1]")
            .says("row 2")
            .says("二氧化硫(t/d)")
            .says(format!("value \"{shown}\""))
            .says_not("44197"),
        );
    }
    for err in ["#DIV/0!", "#N/A", "#VALUE!", "#REF!"] {
        out.push(
            invalid(
                &format!("xlsx-error-{}", err.trim_matches(|c| c == '#' || c == '!')),
                move |w| {
                    lines_as_xlsx(w, |ws, h| {
                        ws.write_formula(
                            3,
                            col_of(h, "日产值(万元)"),
                            Formula::new("=1/0").set_result(err),
                        )
                        .unwrap();
                    })
                },
            )
            .says("E002")
            .says("row 4, column H")
            .says(format!("Excel error {err}")),
        );
    }
    out.push(
        invalid("xlsx-esc-in-name", |w| {
            lines_as_xlsx(w, |ws, h| {
                ws.write_string(2, col_of(h, "生产线名称"), "炉\u{1b}[5m")
                    .unwrap();
            })
        })
        .says("E025")
        .says("row 3"),
    );
    out.push(
        invalid("xlsx-1e300", |w| {
            lines_as_xlsx(w, |ws, h| {
                ws.write_number(1, col_of(h, "颗粒物(t/d)"), 1e300).unwrap();
            })
        })
        .says("E024")
        .says("颗粒物(t/d)"),
    );
    // Two cells far apart: the rectangle between them is not allocated.
    out.push(
        invalid("xlsx-far-apart-cells", |w| {
            lines_as_xlsx(w, |ws, _| {
                ws.write_string(1_048_575, 16_383, "x").unwrap();
            })
        })
        .says("E002")
        .says("at most 1024 columns"),
    );
    out.push(
        invalid("xlsx-too-wide", |w| {
            lines_as_xlsx(w, |ws, _| {
                for c in 0..1100u16 {
                    ws.write_string(0, c + 20, format!("extra{c}")).unwrap();
                }
            })
        })
        .says("at most 1024 columns"),
    );
}

/// Write `city/lines.parquet` from lines.csv with the given columns typed by `typed`, the rest
/// as strings; lines.csv is removed.
fn lines_as_parquet(w: &Work, typed: &[(&str, DataType)]) {
    let rows = csv_rows(w, LINES);
    let header = &rows[0];
    let cols: Vec<Column> = header
        .iter()
        .enumerate()
        .map(|(j, h)| {
            let texts: Vec<&str> = rows[1..].iter().map(|r| r[j].as_str()).collect();
            match typed.iter().find(|(name, _)| name == h) {
                Some((_, dt)) => {
                    let nums: Vec<Option<f64>> =
                        texts.iter().map(|t| t.parse::<f64>().ok()).collect();
                    Series::new(h.as_str().into(), nums)
                        .cast(dt)
                        .unwrap()
                        .into_column()
                }
                None => Column::new(h.as_str().into(), texts),
            }
        })
        .collect();
    write_parquet(w, "city/lines.parquet", cols, rows.len() - 1);
    std::fs::remove_file(w.path(LINES)).unwrap();
}

fn write_parquet(w: &Work, rel: &str, cols: Vec<Column>, height: usize) {
    let mut df = DataFrame::new(height, cols).unwrap();
    let f = std::fs::File::create(w.path(rel)).unwrap();
    ParquetWriter::new(f).finish(&mut df).unwrap();
}

/// A minimal Parquet writer (Thrift compact protocol by hand) for the column types polars is not
/// built to write here (decimals, 8/16-bit integers, dates): one row group, PLAIN encoding, no
/// compression, required columns.
mod pq {
    /// Physical type and Parquet converted type of a column.
    pub enum Col {
        /// UTF-8 text (BYTE_ARRAY, UTF8).
        Text(Vec<String>),
        /// INT32 values with a converted type (5 DECIMAL, 6 DATE, 11 UINT_8, 12 UINT_16, 15 INT_8,
        /// 16 INT_16) and, for decimals, (scale, precision).
        I32(Vec<i32>, i32, Option<(i32, i32)>),
        /// INT64 decimal values with (scale, precision).
        I64Decimal(Vec<i64>, (i32, i32)),
    }

    struct Thrift {
        out: Vec<u8>,
        last: Vec<i16>,
    }

    impl Thrift {
        fn varint(&mut self, mut v: u64) {
            loop {
                let b = (v & 0x7f) as u8;
                v >>= 7;
                if v == 0 {
                    self.out.push(b);
                    return;
                }
                self.out.push(b | 0x80);
            }
        }
        fn field(&mut self, id: i16, ty: u8) {
            let last = self.last.last_mut().unwrap();
            self.out.push((((id - *last) as u8) << 4) | ty);
            *last = id;
        }
        fn i32(&mut self, id: i16, v: i32) {
            self.field(id, 5);
            self.varint(((v << 1) ^ (v >> 31)) as u32 as u64);
        }
        fn i64(&mut self, id: i16, v: i64) {
            self.field(id, 6);
            self.varint(((v << 1) ^ (v >> 63)) as u64);
        }
        fn bin(&mut self, id: i16, b: &[u8]) {
            self.field(id, 8);
            self.varint(b.len() as u64);
            self.out.extend_from_slice(b);
        }
        fn list(&mut self, id: i16, elem: u8, n: usize) {
            self.field(id, 9);
            if n < 15 {
                self.out.push(((n as u8) << 4) | elem);
            } else {
                self.out.push(0xF0 | elem);
                self.varint(n as u64);
            }
        }
        fn begin(&mut self, id: Option<i16>) {
            if let Some(id) = id {
                self.field(id, 12);
            }
            self.last.push(0);
        }
        fn end(&mut self) {
            self.out.push(0);
            self.last.pop();
        }
    }

    /// The bytes of a Parquet file with these named columns (all of the same length).
    pub fn file(cols: &[(&str, Col)]) -> Vec<u8> {
        let rows = match &cols[0].1 {
            Col::Text(v) => v.len(),
            Col::I32(v, ..) => v.len(),
            Col::I64Decimal(v, _) => v.len(),
        };
        let mut out = b"PAR1".to_vec();
        let mut chunks = Vec::new();
        for (_, col) in cols {
            let mut data = Vec::new();
            match col {
                Col::Text(v) => v.iter().for_each(|s| {
                    data.extend_from_slice(&(s.len() as u32).to_le_bytes());
                    data.extend_from_slice(s.as_bytes());
                }),
                Col::I32(v, ..) => v
                    .iter()
                    .for_each(|x| data.extend_from_slice(&x.to_le_bytes())),
                Col::I64Decimal(v, _) => v
                    .iter()
                    .for_each(|x| data.extend_from_slice(&x.to_le_bytes())),
            }
            let mut h = Thrift {
                out: Vec::new(),
                last: vec![0],
            };
            h.i32(1, 0);
            h.i32(2, data.len() as i32);
            h.i32(3, data.len() as i32);
            h.begin(Some(5));
            h.i32(1, rows as i32);
            h.i32(2, 0);
            h.i32(3, 3);
            h.i32(4, 3);
            h.end();
            h.end();
            let offset = out.len();
            out.extend_from_slice(&h.out);
            out.extend_from_slice(&data);
            chunks.push((offset as i64, (h.out.len() + data.len()) as i64));
        }
        let physical = |c: &Col| match c {
            Col::Text(_) => 6,
            Col::I32(..) => 1,
            Col::I64Decimal(..) => 2,
        };
        let mut m = Thrift {
            out: Vec::new(),
            last: vec![0],
        };
        m.i32(1, 1);
        m.list(2, 12, cols.len() + 1);
        m.begin(None);
        m.bin(4, b"schema");
        m.i32(5, cols.len() as i32);
        m.end();
        for (name, col) in cols {
            m.begin(None);
            m.i32(1, physical(col));
            m.i32(3, 0);
            m.bin(4, name.as_bytes());
            let (converted, decimal) = match col {
                Col::Text(_) => (0, None),
                Col::I32(_, c, d) => (*c, *d),
                Col::I64Decimal(_, d) => (5, Some(*d)),
            };
            m.i32(6, converted);
            if let Some((scale, precision)) = decimal {
                m.i32(7, scale);
                m.i32(8, precision);
            }
            m.end();
        }
        m.i64(3, rows as i64);
        m.list(4, 12, 1);
        m.begin(None);
        m.list(1, 12, cols.len());
        for ((name, col), (offset, size)) in cols.iter().zip(&chunks) {
            m.begin(None);
            m.i64(2, *offset);
            m.begin(Some(3));
            m.i32(1, physical(col));
            m.list(2, 5, 1);
            m.out.push(0);
            m.list(3, 8, 1);
            m.varint(name.len() as u64);
            m.out.extend_from_slice(name.as_bytes());
            m.i32(4, 0);
            m.i64(5, rows as i64);
            m.i64(6, *size);
            m.i64(7, *size);
            m.i64(9, *offset);
            m.end();
            m.end();
        }
        m.i64(2, chunks.iter().map(|c| c.1).sum());
        m.i64(3, rows as i64);
        m.end();
        m.end();
        out.extend_from_slice(&m.out);
        out.extend_from_slice(&(m.out.len() as u32).to_le_bytes());
        out.extend_from_slice(b"PAR1");
        out
    }
}

/// Write `city/lines.parquet` by hand from lines.csv: every column text except `column`, made by
/// `typed` from the column's numbers; lines.csv is removed.
fn lines_as_raw_parquet(w: &Work, column: &str, typed: impl Fn(&[f64]) -> pq::Col) {
    let rows = csv_rows(w, LINES);
    let cols: Vec<(&str, pq::Col)> = rows[0]
        .iter()
        .enumerate()
        .map(|(j, h)| {
            let cells: Vec<String> = rows[1..].iter().map(|r| r[j].clone()).collect();
            let col = if h == column {
                let nums: Vec<f64> = cells.iter().map(|c| c.parse().unwrap_or(0.0)).collect();
                typed(&nums)
            } else {
                pq::Col::Text(cells)
            };
            (h.as_str(), col)
        })
        .collect();
    w.write("city/lines.parquet", pq::file(&cols));
    std::fs::remove_file(w.path(LINES)).unwrap();
}

/// Parquet columns polars can read are read; decimals, small integers, dates, lists are refused by
/// name with what to export instead (polars panicked on several of them).
fn parquet_cases(out: &mut Vec<Case>) {
    out.push(valid("parquet-handwritten-text-ok", |w| {
        lines_as_raw_parquet(w, "", |_| unreachable!())
    }));
    for (what, dt) in [("float32", DataType::Float32), ("int64", DataType::Int64)] {
        out.push(valid(&format!("parquet-emissions-{what}"), move |w| {
            let typed: Vec<(&str, DataType)> = ["二氧化硫(t/d)", "氮氧化物(t/d)"]
                .iter()
                .map(|e| (*e, dt.clone()))
                .collect();
            lines_as_parquet(w, &typed)
        }));
    }
    type Make = fn(&[f64]) -> pq::Col;
    let refused: [(&str, &str, Make, &str, &str); 8] = [
        (
            "decimal-int32",
            "二氧化硫(t/d)",
            |v| {
                pq::Col::I32(
                    v.iter().map(|x| (x * 100.0).round() as i32).collect(),
                    5,
                    Some((2, 9)),
                )
            },
            "Decimal(9, 2)",
            "export decimals as float64",
        ),
        (
            "decimal-int64",
            "氮氧化物(t/d)",
            |v| {
                pq::Col::I64Decimal(
                    v.iter().map(|x| (x * 1e4).round() as i64).collect(),
                    (4, 18),
                )
            },
            "Decimal(18, 4)",
            "export decimals as float64",
        ),
        (
            "decimal-output-value",
            "日产值(万元)",
            |v| {
                pq::Col::I32(
                    v.iter().map(|x| (x * 10.0).round() as i32).collect(),
                    5,
                    Some((1, 9)),
                )
            },
            "Decimal(9, 1)",
            "as text",
        ),
        (
            "int8",
            "核定产能",
            |v| pq::Col::I32(v.iter().map(|_| 1).collect(), 15, None),
            "Int8",
            "int32/int64",
        ),
        (
            "int16",
            "核定产能",
            |v| pq::Col::I32(v.iter().map(|_| 1).collect(), 16, None),
            "Int16",
            "int32/int64",
        ),
        (
            "uint8",
            "许可产能",
            |v| pq::Col::I32(v.iter().map(|_| 1).collect(), 11, None),
            "UInt8",
            "int32/int64",
        ),
        (
            "uint16",
            "许可产能",
            |v| pq::Col::I32(v.iter().map(|_| 1).collect(), 12, None),
            "UInt16",
            "int32/int64",
        ),
        (
            "date",
            "颗粒物(t/d)",
            |v| pq::Col::I32(v.iter().map(|_| 18628).collect(), 6, None),
            "Date32",
            "export dates as text",
        ),
    ];
    for (what, column, make, ty, hint) in refused {
        out.push(
            invalid(&format!("parquet-{what}-refused"), move |w| {
                lines_as_raw_parquet(w, column, make)
            })
            .says("E002")
            .says(format!("column '{column}' has the Parquet type {ty}"))
            .says(hint),
        );
    }
    out.push(
        invalid("parquet-list-column", |w| {
            lines_as_parquet(w, &[]);
            let f = std::fs::File::open(w.path("city/lines.parquet")).unwrap();
            let mut df = ParquetReader::new(f).finish().unwrap();
            let n = df.height();
            let list: Vec<Series> = (0..n)
                .map(|_| Series::new("".into(), [1.0f64, 2.0]))
                .collect();
            df.with_column(Column::new("extra".into(), list)).unwrap();
            let f = std::fs::File::create(w.path("city/lines.parquet")).unwrap();
            ParquetWriter::new(f).finish(&mut df).unwrap();
        })
        .says("E002")
        .says("column 'extra' has the Parquet type"),
    );
    out.push(
        invalid("parquet-1e300-float", |w| {
            w.set_cell(LINES, 1, "氮氧化物(t/d)", "1e300");
            lines_as_parquet(w, &[("氮氧化物(t/d)", DataType::Float64)])
        })
        .says("E024")
        .says("氮氧化物(t/d)"),
    );
    out.push(
        invalid("parquet-garbage", |w| {
            let mut b = b"PAR1".to_vec();
            b.extend((0..5000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
            b.extend_from_slice(b"\x10\x00\x00\x00PAR1");
            w.write("city/lines.parquet", b);
            std::fs::remove_file(w.path(LINES)).unwrap();
        })
        .says("E002")
        .says("lines.parquet"),
    );
    // Meters for `audit` share the Parquet reader: a decimal column is refused by name, exit 3.
    out.push(
        Case::new(
            "readers/meters-parquet-decimal-refused",
            &[
                "audit",
                "--plan",
                "plan",
                "--meter",
                "m.parquet",
                "--level",
                "yellow",
            ],
        )
        .prepare(|w| {
            let ts = |h: u32| format!("2021-12-20T{h:02}:00:00");
            let cols = [
                ("电表编号", pq::Col::Text(vec!["M1".into(); 3])),
                ("时间", pq::Col::Text((8..11).map(ts).collect())),
                (
                    "区间电量",
                    pq::Col::I32(vec![150, 225, 300], 5, Some((2, 9))),
                ),
            ];
            w.write("m.parquet", pq::file(&cols));
        })
        .exit(3)
        .says("column '区间电量' has the Parquet type Decimal(9, 2)"),
    );
}

/// Files that are not tables, or tables too large to hold.
fn file_cases(out: &mut Vec<Case>) {
    out.push(
        invalid("csv-50mb-no-newline", |w| {
            let mut b = Vec::with_capacity(50 << 20);
            while b.len() < 50 << 20 {
                b.extend_from_slice(b"1234567,");
            }
            w.write(LINES, b);
        })
        .says("E002")
        .says("row 1 is longer than 1 MiB"),
    );
    out.push(
        invalid("csv-unclosed-quote", |w| {
            let mut t = w.read(LINES);
            t.push('"');
            t.push_str(&"x,y\n".repeat(400_000));
            w.write(LINES, t);
        })
        .says("inside a quoted cell"),
    );
    out.push(
        invalid("csv-binary-garbage", |w| {
            let b: Vec<u8> = (0..100_000u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
                .collect();
            w.write(LINES, b);
        })
        .says("E002")
        .says("lines.csv"),
    );
    out.push(
        invalid("csv-elf-binary", |w| {
            let mut b = b"\x7fELF\x02\x01\x01\x00\x00\x00".to_vec();
            b.extend(std::iter::repeat_n(0u8, 4000));
            w.write(LINES, b);
        })
        .says("contains NUL bytes"),
    );
    out.push(
        invalid("csv-parquet-renamed", |w| {
            lines_as_parquet(w, &[]);
            std::fs::rename(w.path("city/lines.parquet"), w.path(LINES)).unwrap();
        })
        .says("is a Parquet file"),
    );
    for (what, big_endian) in [("le", false), ("be", true)] {
        out.push(
            valid(&format!("csv-utf16-{what}-without-bom"), move |w| {
                let t = w.read(LINES);
                let b: Vec<u8> = t
                    .encode_utf16()
                    .flat_map(|u| {
                        if big_endian {
                            u.to_be_bytes()
                        } else {
                            u.to_le_bytes()
                        }
                    })
                    .collect();
                w.write(LINES, b);
            })
            .says("UTF-16"),
        );
    }
    out.push(
        invalid("csv-2100-columns", |w| {
            let mut t = w.read(LINES);
            let first = t.find('\n').unwrap();
            t.insert_str(first, &",x".repeat(2100));
            w.write(LINES, t);
        })
        .says("row 1 has 2114 cells; a table may have at most 1024 columns"),
    );
    out.push(
        invalid("csv-over-2gib", |w| {
            let f = std::fs::OpenOptions::new()
                .append(true)
                .open(w.path(LINES))
                .unwrap();
            f.set_len((2u64 << 30) + 1).unwrap();
        })
        .says("a table may be at most 2 GiB"),
    );
    out.push(
        invalid("xlsx-over-2gib", |w| {
            lines_as_xlsx(w, |_, _| {});
            let f = std::fs::OpenOptions::new()
                .append(true)
                .open(w.path("city/lines.xlsx"))
                .unwrap();
            f.set_len((2u64 << 30) + 1).unwrap();
        })
        .says("a table may be at most 2 GiB"),
    );
}

/// The generator's output always validates; its sizes are bounded.
fn generator_cases(out: &mut Vec<Case>) {
    for n in ["1000000000", "0", "200001", "-5", "1e3"] {
        out.push(
            Case::new(
                format!("readers/generate-enterprises-{n}"),
                &[
                    "seeds",
                    "generate",
                    &format!("--enterprises={n}"),
                    "--out",
                    "gen",
                ],
            )
            .exit(2)
            .says("from 1 to 200000"),
        );
    }
    for n in ["1", "3"] {
        out.push(
            Case::new(
                format!("readers/generate-{n}-then-validate"),
                &[
                    "seeds",
                    "generate",
                    "--enterprises",
                    n,
                    "--seed",
                    "5",
                    "--out",
                    "gen",
                ],
            )
            .exit(0)
            .after(|w: &Work, _o: &Outcome| {
                let o = std::process::Command::new(BIN)
                    .args(["validate", "gen"])
                    .current_dir(&w.root)
                    .output()
                    .map_err(|e| e.to_string())?;
                if o.status.success() {
                    Ok(())
                } else {
                    Err(format!(
                        "generated city does not validate: {}",
                        String::from_utf8_lossy(&o.stderr)
                    ))
                }
            }),
        );
    }
    out.push(valid("options-header-only-ok", |w| {
        let t = w.read(OPTIONS);
        let header = t.lines().next().unwrap().to_string();
        w.write(OPTIONS, header + "\n");
    }));
}

pub fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    number_cases(&mut out);
    plan_cases(&mut out);
    text_cases(&mut out);
    xlsx_cases(&mut out);
    parquet_cases(&mut out);
    file_cases(&mut out);
    generator_cases(&mut out);
    out
}
