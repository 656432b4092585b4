//! Shared helpers: tiny random cities built in memory, and a brute-force oracle.
#![allow(dead_code)]

use jianpai::domain::scenario::{
    DistrictTargets, LevelTable, OptionSettings, PollutantTable, SolverOptions,
};
use jianpai::domain::*;
use jianpai::model::Problem;
use jianpai::rules::Rules;
use jianpai::seeds::rng::Rng;
use jianpai::units::*;
use std::path::PathBuf;

/// Rules used by the tiny instances (cement rows as in the Guide, a generic key rule, non-key rule).
pub const TINY_RULES: &str = "industry,grade,level,measure
cement,B,yellow,T4
cement,B,orange,L20+T4
cement,B,red,S+T4
cement,C,yellow,SL50+T4
cement,C,*,S+T4
cement,D,*,S+T0
*,B,*,V
*,C,yellow,L10
*,C,orange,L20+T4
*,C,red,L30+T4
*,D,*,S+T0
nonkey,*,yellow,V
nonkey,*,orange,L10
nonkey,*,red,L20
";

/// Write text to a temporary file and return its path (kept alive by the returned guard).
pub fn temp_file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    (dir, p)
}

/// The bundled industry table.
pub fn industries() -> IndustryTable {
    jianpai::validate::default_industries()
}

/// Rules of the tiny instances.
pub fn tiny_rules(ind: &IndustryTable) -> Rules {
    let (_d, p) = temp_file("rules.csv", TINY_RULES);
    Rules::load(&p, None, ind).unwrap()
}

fn pt(v: f64) -> PollutantTable {
    PollutantTable {
        so2: Some(v),
        nox: Some(v),
        pm: Some(v),
        vocs: Some(v),
    }
}

/// A scenario for in-memory inventories.
pub fn scenario(ratios: [f64; 3], districts: bool) -> Scenario {
    Scenario {
        name: "tiny".into(),
        inventory: PathBuf::new(),
        rules: PathBuf::new(),
        rule_overrides: None,
        decisions: None,
        calendar: None,
        society: None,
        targets: LevelTable {
            yellow: pt(ratios[0]),
            orange: pt(ratios[1]),
            red: pt(ratios[2]),
        },
        credits: LevelTable::default(),
        districts: DistrictTargets {
            enforce: districts,
            ratios: Default::default(),
        },
        controlled_min_cut: None,
        days: LevelTable {
            yellow: 10.0,
            orange: 6.0,
            red: 3.0,
        },
        episodes: LevelTable {
            yellow: 4.0,
            orange: 2.0,
            red: 1.0,
        },
        options: OptionSettings {
            limits: vec![0.2, 0.5],
            stop_electricity: 0.2,
            exempt_lowest_limit: false,
            restart_cost_days: 0.5,
        },
        solver: SolverOptions {
            time_limit: 30.0,
            rel_gap: 0.0,
            threads: 1,
        },
        changes: Vec::new(),
        filter: Default::default(),
        report: Default::default(),
        revision: None,
        units: Default::default(),
        fairness: None,
        air: None,
    }
}

/// A random tiny city: `n_lines` lines over a few enterprises in two districts.
pub fn tiny_inventory(seed: u64, n_lines: usize) -> Inventory {
    let mut rng = Rng::new(seed);
    let industries = industries();
    let mut inv = Inventory {
        industries,
        ..Default::default()
    };
    for (i, d) in ["甲区", "乙区"].iter().enumerate() {
        let society = PollutantVec::from_fn(|_| TonnesPerDay(2.0 + i as f64));
        inv.districts.insert(
            d.to_string(),
            District {
                name: d.to_string(),
                society,
            },
        );
    }
    let mut made = 0;
    let mut e = 0;
    while made < n_lines {
        e += 1;
        let code = CreditCode::complete(&format!("91320281MA{:07}", e)).unwrap();
        let industry = ["cement", "coating", "other"][rng.int(0, 2)].to_string();
        let grade = [Grade::A, Grade::B, Grade::C, Grade::D, Grade::Unrated][rng.int(0, 4)];
        let exempt = rng.chance(0.1).then(|| "民生保障".to_string());
        let guarantee_min_load = rng.chance(0.15).then_some(Fraction(0.6));
        let district = if rng.chance(0.5) { "甲区" } else { "乙区" }.to_string();
        inv.enterprises.insert(
            code.clone(),
            Enterprise {
                code: code.clone(),
                name: format!("样例{e}"),
                district,
                industry,
                grade,
                exempt,
                guarantee_min_load,
                cluster: None,
            },
        );
        let k = rng.int(1, 3).min(n_lines - made);
        for j in 0..k {
            made += 1;
            let status = if rng.chance(0.08) {
                LineStatus::Idle
            } else {
                LineStatus::Active
            };
            inv.lines.push(Line {
                id: format!("L{e:02}-{j}"),
                enterprise: code.clone(),
                name: format!("线{j}"),
                process: ["熟料", "涂装", "生产线"][rng.int(0, 2)].into(),
                capacity_approved: CapacityPerDay(100.0),
                capacity_permitted: Some(CapacityPerDay(rng.range(80.0, 110.0))),
                output_last_year: None,
                output_value: WanYuanPerDay(rng.range(1.0, 20.0)),
                emissions: PollutantVec([(); 4].map(|_| TonnesPerDay(rng.range(0.0, 0.6)))),
                electricity: KwhPerDay(1000.0),
                status,
            });
        }
    }
    // Whole-society emissions: the district's listed emissions plus other sources.
    let mut sums = [[0.0f64; 4]; 2];
    for l in &inv.lines {
        let d = usize::from(inv.enterprises[&l.enterprise].district == "乙区");
        for (q, v) in l.emissions.0.iter().enumerate() {
            sums[d][q] += v.0;
        }
    }
    for (i, d) in inv.districts.values_mut().enumerate() {
        let extra = rng.range(1.1, 1.8);
        d.society = PollutantVec([0, 1, 2, 3].map(|q| TonnesPerDay(sums[i][q] * extra + 0.05)));
    }
    inv.canonicalize();
    inv
}

/// Exact optimum by depth-first enumeration of every unit's triples, pruned by cost (with the
/// cheapest completion) and by the most the remaining units could still cut. Only plans cheaper
/// than `below` are searched: pass a claimed optimum to verify that nothing beats it.
pub fn brute_force(p: &Problem, below: Option<f64>) -> Option<f64> {
    brute_force_limited(p, below, u64::MAX).expect("unlimited search finishes")
}

/// Like [`brute_force`], but gives up (`None`) after visiting `max_nodes` search nodes.
pub fn brute_force_limited(p: &Problem, below: Option<f64>, max_nodes: u64) -> Option<Option<f64>> {
    let n = p.units.len();
    let nt = p.targets.len();
    // suffix_max[u][r]: the most units u.. can cut for target r.
    let mut suffix_max = vec![vec![0.0; nt]; n + 1];
    for u in (0..n).rev() {
        for (r, t) in p.targets.iter().enumerate() {
            let m = if p.contributes(&p.units[u], t) {
                (0..p.units[u].triples.len())
                    .map(|ti| p.triple_cut(&p.units[u], ti, t))
                    .fold(0.0, f64::max)
            } else {
                0.0
            };
            suffix_max[u][r] = suffix_max[u + 1][r] + m;
        }
    }
    let mut suffix_min = vec![0.0; n + 1];
    for u in (0..n).rev() {
        suffix_min[u] = suffix_min[u + 1]
            + p.units[u]
                .costs
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min);
    }
    struct S<'a> {
        p: &'a Problem,
        suffix_max: Vec<Vec<f64>>,
        suffix_min: Vec<f64>,
        nodes: u64,
        max_nodes: u64,
        best: Option<f64>,
        a: Vec<u32>,
    }
    fn go(s: &mut S, u: usize, cost: f64, got: &mut Vec<f64>) {
        s.nodes += 1;
        if s.nodes > s.max_nodes {
            return;
        }
        if s.best.is_some_and(|b| cost + s.suffix_min[u] >= b - 1e-9) {
            return;
        }
        for (r, t) in s.p.targets.iter().enumerate() {
            if got[r] + s.suffix_max[u][r] < t.rhs - 1e-9 {
                return;
            }
        }
        if u == s.p.units.len() {
            if s.p.feasible(&s.a) {
                s.best = Some(cost);
            }
            return;
        }
        let unit = &s.p.units[u];
        for t in 0..unit.triples.len() {
            for (r, tg) in s.p.targets.iter().enumerate() {
                if s.p.contributes(unit, tg) {
                    got[r] += s.p.triple_cut(unit, t, tg);
                }
            }
            s.a.push(t as u32);
            go(s, u + 1, cost + unit.costs[t], got);
            s.a.pop();
            for (r, tg) in s.p.targets.iter().enumerate() {
                if s.p.contributes(unit, tg) {
                    got[r] -= s.p.triple_cut(unit, t, tg);
                }
            }
        }
    }
    let mut s = S {
        p,
        suffix_max,
        suffix_min,
        nodes: 0,
        max_nodes,
        best: below,
        a: Vec::new(),
    };
    go(&mut s, 0, 0.0, &mut vec![0.0; nt]);
    (s.nodes <= s.max_nodes).then(|| s.best.filter(|b| Some(*b) != below))
}

/// The Wuxi scenario pointed at a small generated city: `inventory` as written (relative to the
/// scenario's folder), the bundled rules from `rules_dir`, credits off (sized for Wuxi) and every
/// target `scale` × Wuxi's, with a 20 s time limit.
pub fn small_city_scenario(inventory: &str, rules_dir: &std::path::Path, scale: f64) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{root}/scenarios/wuxi-2021.toml")).unwrap();
    let mut out = String::new();
    let mut section = String::new();
    for line in text.lines() {
        let mut l = line.to_string();
        if l.starts_with('[') {
            section = l.clone();
        }
        let key = l.split(' ').next().unwrap_or("").to_string();
        if l.starts_with("inventory = ") {
            l = format!("inventory = {inventory:?}");
        } else if l.starts_with("rules = ") {
            l = format!("rules = {:?}", rules_dir.join("guide-2020.csv"));
        } else if l.starts_with("rule_overrides = ") {
            l = format!("rule_overrides = {:?}", rules_dir.join("wuxi-city.csv"));
        } else if l.starts_with("time_limit = ") {
            l = "time_limit = 20".into();
        } else if ["so2", "nox", "pm", "vocs"].contains(&key.as_str()) {
            if section.starts_with("[credits") {
                l = format!("{key} = 0.0");
            } else if section.starts_with("[targets") {
                let v: f64 = l.split('=').nth(1).unwrap().trim().parse().unwrap();
                l = format!("{key} = {}", v * scale);
            }
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// The checker's violations of an assignment, written and read back as `plan` writes it
/// (measures, figures and the reasons the pipeline adds), as "kind: message" lines.
pub fn plan_violations(
    inv: &Inventory,
    rules: &Rules,
    s: &Scenario,
    p: &Problem,
    a: &[u32],
) -> Vec<String> {
    use jianpai::plan::{from_assignment, reasons::annotate, write::plan_csv};
    let resolved = jianpai::rules::resolve(inv, rules, s).unwrap();
    let mut plan = from_assignment(inv, &resolved, p, a, false);
    let report = jianpai::solve::SolveReport::new(jianpai::solve::Method::Mip);
    annotate(&mut plan, inv, &resolved, p, a, &report, false);
    let (_d, path) = temp_file("plan.csv", "");
    std::fs::write(&path, plan_csv(inv, &plan, false)).unwrap();
    let (rows, _) = jianpai::plan::read::read_plan(&path, None).expect("plan reads back");
    jianpai::check::check_plan(inv, rules, s, &rows)
        .violations
        .iter()
        .map(|v| format!("{}: {}", v.kind, v.message))
        .collect()
}

/// A temporary folder with the 60-firm generated city (seed 11) in `city/` and a scenario
/// `s.toml` on it at `scale` × the Wuxi targets, its text passed through `edit`.
pub fn small_city_dir(scale: f64, edit: impl Fn(String) -> String) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    jianpai::seeds::generate_to(60, 11, &root.join("city")).unwrap();
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/rules");
    let s = edit(small_city_scenario("city", &rules, scale));
    std::fs::write(root.join("s.toml"), s).unwrap();
    (dir, root)
}

/// Precision and recall of an audit's `likely_non_compliant` lines (its json) against the
/// cheaters of a `seeds meters` truth file, and the number of cheaters.
pub fn audit_scores(truth_csv: &str, audit: &serde_json::Value) -> (f64, f64, usize) {
    use std::collections::HashSet;
    let cheaters: HashSet<&str> = truth_csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| r[2] != "compliant" && r[5] == "true")
        .map(|r| r[1])
        .collect();
    let flagged: HashSet<&str> = audit["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["verdict"] == "likely_non_compliant")
        .map(|l| l["line_id"].as_str().unwrap())
        .collect();
    let tp = flagged.intersection(&cheaters).count() as f64;
    (
        tp / flagged.len().max(1) as f64,
        tp / cheaters.len().max(1) as f64,
        cheaters.len(),
    )
}

/// A small-city scenario with 1 / 2 / 3 % targets and enforced districts on `inventory`, with
/// `extra` TOML appended (e.g. `[solver]` or `[report]` tables).
pub fn report_scenario(inventory: &std::path::Path, extra: &str) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    format!(
        "name = \"小城测试清单\"\ninventory = \"{}\"\nrules = \"{root}/seeds/rules/guide-2020.csv\"\n\
         rule_overrides = \"{root}/seeds/rules/wuxi-city.csv\"\n\
         [targets.yellow]\nso2 = 0.01\nnox = 0.01\npm = 0.01\nvocs = 0.01\n\
         [targets.orange]\nso2 = 0.02\nnox = 0.02\npm = 0.02\nvocs = 0.02\n\
         [targets.red]\nso2 = 0.03\nnox = 0.03\npm = 0.03\nvocs = 0.03\n\
         [districts]\nenforce = true\n{extra}",
        inventory.display()
    )
}

/// A temporary folder with a generated 60-firm city (`seed`) in `city/`, its
/// [`report_scenario`] `s.toml`, the plan `plan/` and the Chinese and English reports `zh/`, `en/`.
pub fn reported_city(seed: u64, extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let path = |p: &str| dir.path().join(p);
    jianpai::seeds::generate_to(60, seed, &path("city")).unwrap();
    std::fs::write(path("s.toml"), report_scenario(&path("city"), extra)).unwrap();
    let jianpai = || assert_cmd::Command::cargo_bin("jianpai").unwrap();
    jianpai()
        .args(["--quiet", "plan"])
        .arg(path("s.toml"))
        .arg("--out")
        .arg(path("plan"))
        .assert()
        .success();
    for lang in ["zh", "en"] {
        jianpai()
            .args(["--quiet", "--lang", lang, "report"])
            .arg(path("plan"))
            .arg("--out")
            .arg(path(lang))
            .assert()
            .success();
    }
    dir
}

/// A generated region of two cities of `enterprises` each (`seeds generate --cities 2 --seed 7`)
/// in `r/` of a fresh temporary folder.
pub fn generated_region(enterprises: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("jianpai")
        .unwrap()
        .args([
            "--quiet", "seeds", "generate", "--cities", "2", "--seed", "7",
        ])
        .args(["--enterprises", &enterprises.to_string()])
        .arg("--out")
        .arg(dir.path().join("r"))
        .assert()
        .success();
    dir
}
