//! "Next year" of a generated city, for the September revision demo and tests: some grades move
//! up or down (new A-grade firms join the exempt list, downgraded A firms leave it), some firms
//! close, a few new ones open, a few livelihood exemptions end. Deterministic for a seed; the
//! changes are written to `changes.csv` as the truth a diff must find.

use super::generator::org_code;
use super::rng::Rng;
use crate::domain::CreditCode;
use std::collections::HashSet;
use std::fmt::Write as _;

/// Columns of the generator's `enterprises.csv`.
const GRADE: usize = 4;
const EXEMPT: usize = 5;
const REASON: usize = 6;

/// Evolved files (name, contents) and the number of changes made.
pub struct Evolved {
    /// Files in writing order.
    pub files: Vec<(String, String)>,
    /// Changes recorded in `changes.csv`.
    pub changes: usize,
}

fn records(text: &str) -> Result<(String, Vec<Vec<String>>), String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut rows = Vec::new();
    for rec in r.records() {
        rows.push(
            rec.map_err(|e| e.to_string())?
                .iter()
                .map(|c| crate::io::cells::restore(c).into_owned())
                .collect(),
        );
    }
    if rows.is_empty() {
        return Err("empty file".into());
    }
    let header: Vec<String> = rows.remove(0);
    Ok((header.join(","), rows))
}

fn to_csv(header: &str, rows: &[Vec<String>]) -> String {
    let mut w = crate::io::cells::CsvOut::plain();
    for r in rows {
        w.row(r);
    }
    format!(
        "{header}\n{}",
        String::from_utf8(w.into_bytes()).expect("utf-8")
    )
}

/// Evolve a generated city (`enterprises`, `lines`, `options`, `districts` CSV texts).
pub fn evolve(
    enterprises: &str,
    lines: &str,
    options: &str,
    districts: &str,
    seed: u64,
) -> Result<Evolved, String> {
    let mut rng = Rng::new(seed);
    let (eh, ents) = records(enterprises).map_err(|e| format!("enterprises.csv: {e}"))?;
    let (lh, lns) = records(lines).map_err(|e| format!("lines.csv: {e}"))?;
    let (oh, opts) = records(options).map_err(|e| format!("options.csv: {e}"))?;
    let mut log = String::from("change,credit_code,old,new\n");
    let mut changes = 0usize;
    let mut note = |log: &mut String, kind: &str, code: &str, old: &str, new: &str| {
        let _ = writeln!(log, "{kind},{code},{old},{new}");
        changes += 1;
    };
    let mut closed: HashSet<String> = HashSet::new();
    let mut out_ents: Vec<Vec<String>> = Vec::with_capacity(ents.len());
    for e in &ents {
        let mut e = e.clone();
        let code = e[0].clone();
        if rng.chance(0.01) {
            note(&mut log, "closed", &code, &e[1], "");
            closed.insert(code);
            continue;
        }
        if rng.chance(0.05) {
            let old = e[GRADE].clone();
            let up = rng.chance(0.5);
            let new = match (old.as_str(), up) {
                ("A", _) => "B",
                ("B", true) => "A",
                ("B", false) | ("B-", false) | ("D", _) => "C",
                ("B-", true) | ("C", true) => "B",
                ("C", false) => "D",
                _ => "",
            };
            if !new.is_empty() {
                note(&mut log, "grade", &code, &old, new);
                e[GRADE] = new.into();
                if old == "A" && e[EXEMPT] == "是" && e[REASON] == "A级企业" {
                    note(&mut log, "exempt_removed", &code, "A级企业", "");
                    e[EXEMPT] = "否".into();
                    e[REASON] = String::new();
                } else if new == "A" && e[EXEMPT] == "否" && rng.chance(0.7) {
                    note(&mut log, "exempt_added", &code, "", "A级企业");
                    e[EXEMPT] = "是".into();
                    e[REASON] = "A级企业".into();
                }
            }
        }
        if e[EXEMPT] == "是" && e[REASON] == "民生保障" && rng.chance(0.2) {
            note(&mut log, "exempt_removed", &code, "民生保障", "");
            e[EXEMPT] = "否".into();
            e[REASON] = String::new();
        }
        out_ents.push(e);
    }
    let mut out_lines: Vec<Vec<String>> = lns
        .iter()
        .filter(|l| !closed.contains(&l[1]))
        .cloned()
        .collect();
    let kept_lines: HashSet<&str> = out_lines.iter().map(|l| l[0].as_str()).collect();
    let out_opts: Vec<Vec<String>> = opts
        .iter()
        .filter(|o| kept_lines.contains(o[0].as_str()))
        .cloned()
        .collect();
    // New enterprises: copies of existing ones with new codes, names and line ids.
    let n_new = (ents.len() as f64 * 0.01).round() as usize;
    let mut codes: HashSet<String> = ents.iter().map(|e| e[0].clone()).collect();
    for i in 1..=n_new {
        let src = out_ents[rng.int(0, out_ents.len() - 1)].clone();
        let code = loop {
            let first17 = format!("{}{}", &src[0][..8], org_code(&mut rng));
            let c = CreditCode::complete(&first17)
                .expect("valid alphabet")
                .to_string();
            if codes.insert(c.clone()) {
                break c;
            }
        };
        let mut e = src.clone();
        e[0] = code.clone();
        e[1] = match e[1].find('（') {
            Some(p) => format!("{}（新建样例{i:04}）有限公司", &e[1][..p]),
            None => format!("{}（新建样例{i:04}）", e[1]),
        };
        note(&mut log, "opened", &code, "", &e[1]);
        let scale = rng.range(0.8, 1.2);
        let src_lines: Vec<Vec<String>> = out_lines
            .iter()
            .filter(|l| l[1] == src[0])
            .cloned()
            .collect();
        for (j, l) in src_lines.into_iter().enumerate() {
            let mut l = l;
            l[0] = format!("N{i:04}-{:02}", j + 1);
            l[1] = code.clone();
            for c in l.iter_mut().take(13).skip(4) {
                if let Ok(v) = c.parse::<f64>() {
                    *c = format!("{}", (v * scale * 1000.0).round() / 1000.0);
                }
            }
            out_lines.push(l);
        }
        out_ents.push(e);
    }
    let readme = format!(
        "# wuxi-2022 — next year of the synthetic city (合成数据)\n\n\
         **Synthetic.** Derived from `seeds/wuxi-2021` by `jianpai seeds evolve seeds/wuxi-2021 --seed {seed} \
         --out seeds/wuxi-2022`: grades moved up or down (new A-grade firms joined the exempt list, \
         downgraded A firms left it), about 1 % of firms closed and 1 % opened (copies with `新建样例` \
         names and `N`-numbered lines), some livelihood exemptions ended. `changes.csv` lists every \
         change ({changes} in all). Whole-society emissions (`districts.csv`) are unchanged.\n"
    );
    Ok(Evolved {
        files: vec![
            ("README.md".into(), readme),
            ("changes.csv".into(), log),
            ("districts.csv".into(), districts.to_string()),
            ("enterprises.csv".into(), to_csv(&eh, &out_ents)),
            ("lines.csv".into(), to_csv(&lh, &out_lines)),
            ("options.csv".into(), to_csv(&oh, &out_opts)),
        ],
        changes,
    })
}
