//! Criterion benchmarks: model build and solve timed separately on generated cities.
//! `cargo bench --bench plan`; figures in benches/README.md.

use criterion::{criterion_group, criterion_main, Criterion};
use jianpai::domain::Scenario;
use jianpai::model::build;
use jianpai::rules::{resolve, Rules};
use jianpai::solve::{solve, Method, SolveOptions};
use std::path::Path;

fn scenario(dir: &Path, districts: bool) -> Scenario {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{root}/scenarios/wuxi-2021.toml")).unwrap();
    let mut s: Scenario = toml::from_str(&text).unwrap();
    s.inventory = dir.to_path_buf();
    s.rules = format!("{root}/seeds/rules/guide-2020.csv").into();
    s.rule_overrides = Some(format!("{root}/seeds/rules/wuxi-city.csv").into());
    s.districts.enforce = districts;
    s
}

fn bench(c: &mut Criterion) {
    for (n, districts) in [(1000usize, false), (4000, false), (4000, true)] {
        let dir = tempfile::tempdir().unwrap();
        jianpai::seeds::generate_to(n, 1, dir.path()).unwrap();
        let s = scenario(dir.path(), districts);
        let (inv, _) = jianpai::validate::load_dataset(&[dir.path().to_path_buf()]);
        let inv = inv.unwrap();
        let rules = Rules::load(&s.rules, s.rule_overrides.as_deref(), &inv.industries).unwrap();
        let resolved = resolve(&inv, &rules, &s).unwrap();
        let tag = format!("{n}{}", if districts { "-districts" } else { "" });
        let mut g = c.benchmark_group(format!("city-{tag}"));
        g.sample_size(10);
        g.bench_function("build", |b| b.iter(|| build(&inv, &resolved, &s)));
        let p = build(&inv, &resolved, &s);
        let opts = |method| SolveOptions {
            method,
            time_limit: 120.0,
            rel_gap: 1e-3,
            threads: 1,
        };
        g.bench_function("greedy", |b| b.iter(|| solve(&p, &opts(Method::Greedy))));
        g.bench_function("mip", |b| b.iter(|| solve(&p, &opts(Method::Mip))));
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
