//! The printed list: the list workbook of a planned 60-enterprise city, converted to PDF by
//! LibreOffice (`soffice --headless --convert-to pdf`), has A3 pages only and no text smaller than
//! 6 pt. The PDF is read here: page sizes from `/MediaBox`, font sizes from the content streams'
//! `Tf` operators times the text and transformation matrices' vertical scale.
//!
//! Skipped with a printed notice when `soffice` is not installed (scripts/setup-system.sh installs
//! it).

#[path = "common/mod.rs"]
mod common;

use assert_cmd::Command;
use std::io::Read;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// A3 in points (either orientation).
const A3: (f64, f64) = (841.89, 1190.55);
/// Smallest legible printed text, points.
const MIN_FONT: f64 = 6.0;

fn soffice() -> Option<&'static str> {
    ["soffice", "libreoffice"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// The streams of a PDF, inflated when Flate-compressed.
fn streams(pdf: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = find(&pdf[at..], b"stream") {
        let start = at + i + b"stream".len();
        // `endstream` also contains `stream`: only a keyword followed by a line break opens one.
        let body = match pdf.get(start..) {
            Some([b'\r', b'\n', ..]) => start + 2,
            Some([b'\n', ..]) => start + 1,
            _ => {
                at = start;
                continue;
            }
        };
        let Some(len) = find(&pdf[body..], b"endstream") else {
            break;
        };
        let raw = &pdf[body..body + len];
        let mut inflated = Vec::new();
        if flate2::read::ZlibDecoder::new(raw)
            .read_to_end(&mut inflated)
            .is_ok()
        {
            out.push(inflated);
        } else {
            out.push(raw.to_vec());
        }
        at = body + len + b"endstream".len();
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Every page's media box size.
fn page_sizes(pdf: &[u8]) -> Vec<(f64, f64)> {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/MediaBox")
        .filter_map(|(i, _)| {
            let rest = &text[i..];
            let open = rest.find('[')?;
            let close = rest.find(']')?;
            let v: Vec<f64> = rest[open + 1..close]
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            (v.len() == 4).then(|| ((v[2] - v[0]).abs(), (v[3] - v[1]).abs()))
        })
        .collect()
}

/// The effective size of every text font setting in a content stream: `Tf` size times the
/// vertical scale of the text matrix (`Tm`) and of the graphics state's matrix (`cm`, with `q`/`Q`).
fn font_sizes(content: &[u8]) -> Vec<f64> {
    let text = String::from_utf8_lossy(content);
    let spaced: String = text
        .chars()
        .flat_map(|c| match c {
            '<' | '>' | '[' | ']' | '(' | ')' | '/' => vec![' ', c, ' '],
            c => vec![c],
        })
        .collect();
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let num = |i: usize| tokens.get(i).and_then(|t| t.parse::<f64>().ok());
    let mut ctm_stack = vec![1.0f64];
    let mut tm = 1.0f64;
    let mut sizes = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match *t {
            "q" => ctm_stack.push(*ctm_stack.last().unwrap()),
            "Q" if ctm_stack.len() > 1 => {
                ctm_stack.pop();
            }
            "cm" if i >= 6 => {
                if let (Some(b), Some(d)) = (num(i - 5), num(i - 3)) {
                    let s = (b * b + d * d).sqrt();
                    *ctm_stack.last_mut().unwrap() *= s;
                }
            }
            "BT" => tm = 1.0,
            "Tm" if i >= 6 => {
                if let (Some(c), Some(d)) = (num(i - 4), num(i - 3)) {
                    tm = (c * c + d * d).sqrt();
                }
            }
            "Tf" if i >= 1 => {
                if let Some(size) = num(i - 1) {
                    sizes.push(size.abs() * tm * ctm_stack.last().unwrap());
                }
            }
            _ => {}
        }
    }
    sizes
}

#[test]
fn the_list_prints_on_a3_with_legible_text() {
    let Some(office) = soffice() else {
        println!("NOTICE: soffice (LibreOffice) is not installed; the print test is skipped");
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    jianpai::seeds::generate_to(60, 3, &root.join("city")).unwrap();
    std::fs::create_dir_all(root.join("rules")).unwrap();
    for f in ["guide-2020.csv", "wuxi-city.csv"] {
        std::fs::copy(
            Path::new(ROOT).join("seeds/rules").join(f),
            root.join("rules").join(f),
        )
        .unwrap();
    }
    std::fs::write(
        root.join("s.toml"),
        common::small_city_scenario("city", Path::new("rules"), 0.25),
    )
    .unwrap();
    for args in [
        &["--quiet", "plan", "s.toml", "--out", "plan"][..],
        &["--quiet", "report", "plan", "--out", "rep"][..],
    ] {
        Command::cargo_bin("jianpai")
            .unwrap()
            .current_dir(root)
            .args(args)
            .assert()
            .success();
    }
    // A profile of its own, so that a LibreOffice already running elsewhere does not take the job.
    let profile = format!("-env:UserInstallation=file://{}", root.join("lo").display());
    let out = std::process::Command::new(office)
        .current_dir(root)
        .args([
            &profile,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            "pdf",
        ])
        .arg("rep/应急减排清单.xlsx")
        .output()
        .unwrap();
    let pdf = std::fs::read(root.join("pdf/应急减排清单.pdf")).unwrap_or_else(|e| {
        panic!(
            "no PDF ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let pages = page_sizes(&pdf);
    assert!(pages.len() >= 3, "{pages:?}");
    for (w, h) in &pages {
        let (short, long) = (w.min(*h), w.max(*h));
        assert!(
            (short - A3.0).abs() < 1.0 && (long - A3.1).abs() < 1.0,
            "a page is {w} × {h} pt, not A3: {pages:?}"
        );
    }
    let sizes: Vec<f64> = streams(&pdf).iter().flat_map(|s| font_sizes(s)).collect();
    assert!(sizes.len() > 100, "too little text found: {}", sizes.len());
    let smallest = sizes.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "{} pages, {} text runs, smallest font {smallest:.2} pt",
        pages.len(),
        sizes.len()
    );
    assert!(
        smallest >= MIN_FONT,
        "text printed at {smallest:.2} pt (< {MIN_FONT} pt)"
    );
}

#[test]
fn font_sizes_take_the_matrices_into_account() {
    let s = b"q 0.5 0 0 0.5 0 0 cm BT /F1 12 Tf<01>Tj ET Q BT 2 0 0 2 0 0 Tm /F1 4 Tf ET BT /F2 7 Tf[<01>]TJ ET";
    assert_eq!(font_sizes(s), vec![6.0, 8.0, 7.0]);
    assert_eq!(
        page_sizes(b"<< /MediaBox [0 0 1190.55 841.89] >>"),
        vec![(1190.55, 841.89)]
    );
}

#[test]
fn split_by_district_writes_each_district_its_own_workbooks() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    jianpai::seeds::generate_to(60, 3, &root.join("city")).unwrap();
    // District targets enforced, so that each district has its own targets against achieved.
    let mut scenario = format!(
        "name = \"小城分区清单\"\ninventory = \"city\"\nrules = \"{ROOT}/seeds/rules/guide-2020.csv\"\n\
         rule_overrides = \"{ROOT}/seeds/rules/wuxi-city.csv\"\n[districts]\nenforce = true\n"
    );
    for (level, r) in [("yellow", 0.01), ("orange", 0.02), ("red", 0.03)] {
        scenario.push_str(&format!(
            "[targets.{level}]\nso2 = {r}\nnox = {r}\npm = {r}\nvocs = {r}\n"
        ));
    }
    std::fs::write(root.join("s.toml"), scenario).unwrap();
    for args in [
        &["--quiet", "plan", "s.toml", "--out", "plan"][..],
        &[
            "--quiet", "report", "plan", "--out", "rep", "--split", "district",
        ][..],
    ] {
        Command::cargo_bin("jianpai")
            .unwrap()
            .current_dir(root)
            .args(args)
            .assert()
            .success();
    }
    use calamine::{open_workbook_auto, Data, Reader};
    let column = |path: &Path, sheet: &str, header: &str| -> Vec<String> {
        let mut wb = open_workbook_auto(path).unwrap();
        let range = wb.worksheet_range(sheet).unwrap();
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        c => c.to_string(),
                    })
                    .collect()
            })
            .collect();
        let (h, j) = rows
            .iter()
            .enumerate()
            .find_map(|(i, r)| r.iter().position(|c| c == header).map(|j| (i, j)))
            .unwrap_or_else(|| panic!("{}: no {header} in {sheet}", path.display()));
        rows[h + 1..]
            .iter()
            .map(|r| r[j].clone())
            .filter(|c| !c.is_empty())
            .collect()
    };
    let all = column(&root.join("rep/应急减排清单.xlsx"), "清单", "区县");
    let mut districts: Vec<String> = all.clone();
    districts.dedup();
    assert!(districts.len() >= 3, "{districts:?}");
    let mut lines = 0;
    for name in &districts {
        let dir = root.join("rep/districts").join(name);
        for f in ["应急减排清单.xlsx", "一厂一策.xlsx"] {
            assert!(dir.join(f).is_file(), "{}", dir.join(f).display());
        }
        let list = dir.join("应急减排清单.xlsx");
        let here = column(&list, "清单", "区县");
        assert!(here.iter().all(|x| x == name), "{name}: {here:?}");
        lines += here.len();
        // The district's targets against achieved are in its workbook, and no other district's.
        let targets = column(&list, "区县目标", "区县");
        assert!(
            !targets.is_empty() && targets.iter().all(|x| x == name),
            "{name}: {targets:?}"
        );
        let wb = open_workbook_auto(&list).unwrap();
        assert!(!wb
            .sheet_names()
            .iter()
            .any(|s| s != name && districts.contains(s)));
    }
    assert_eq!(lines, all.len());
}
