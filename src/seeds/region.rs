//! A synthetic region (`seeds generate --cities N`): N generated cities (seeds `seed`,
//! `seed + 1`, …), a list scenario per city with the bundled rules, `region.toml` naming them
//! with one unified warning and a regional target a little above the cities' own, and
//! `region-sweep.toml`, a regional sweep over it.

use super::generator;
use crate::io::result_dir::SEEDS_GENERATE;
use crate::io::IoError;
use std::path::Path;

/// The regional scenario written with a synthetic region.
fn region_toml(n: usize) -> String {
    let cities: Vec<String> = (1..=n).map(|k| format!("\"city-{k}.toml\"")).collect();
    format!(
        "# 合成区域：{n} 个城市联合编制（区域联防联控）。Paths are relative to this file.\n\
         name = \"合成区域{n}市联防联控（合成数据）\"\n\
         cities = [{}]\n\
         # Each city still meets its own targets in full (1 = 100 %; 0 lets cities trade cuts).\n\
         city_floor = 1.0\n\n\
         # Unified warning: one set of expected warning days and episodes for every city.\n\
         [days]\nyellow = 10\norange = 6\nred = 3\n\n\
         [episodes]\nyellow = 4\norange = 3\nred = 1\n\n\
         # Regional targets: shares of the region's whole-society emissions (the cities' sum).\n\
         [targets.red]\nso2 = 0.31\nnox = 0.31\npm = 0.31\nvocs = 0.31\n\n\
         [solver]\ntime_limit = 60\nrel_gap = 0.001\n",
        cities.join(", ")
    )
}

/// A regional sweep over the generated region (`region-sweep.toml`): the region as generated,
/// its regional targets at the cities' own 30 % (slack), and each city's floor × the regional
/// red PM target.
fn region_sweep_toml(n: usize) -> String {
    format!(
        "# 合成区域情景扫描：区域联合方案在不同设置下的损失与区域目标，一行一个情景。\n\
         #   jianpai sweep region-sweep.toml --jobs 2 --out ../region-sweep\n\
         # Every [[scenario]] and [[grid]] axis overrides keys of region.toml (city_floor, [days],\n\
         # [targets.<level>]); each case is the joint solve of `jianpai region`.\n\
         name = \"合成区域{n}市联防联控情景扫描（合成数据）\"\n\
         base = \"region.toml\"\n\
         # Warm-start chains: also the most shards (`--shard K/N`) the sweep splits into.\n\
         chains = 2\n\n\
         [[scenario]]\n\
         name = \"基准\"\n\n\
         [[scenario]]\n\
         name = \"区域目标与各市相同（30%）\"\n\
         targets.red = {{ so2 = 0.30, nox = 0.30, pm = 0.30, vocs = 0.30 }}\n\n\
         [[scenario]]\n\
         name = \"红色预警天数翻倍\"\n\
         days.red = 6\n\
         episodes.red = 2\n\n\
         [[grid]]\n\
         name = \"本市底线×区域红色PM\"\n\
         [grid.axes]\n\
         city_floor = [1.0, 0.9, 0.8]\n\
         \"targets.red.pm\" = [0.31, 0.315]\n"
    )
}

/// A generated city's list scenario (targets 10 / 20 / 30 %, the bundled rules).
fn city_toml(k: usize, seed: u64) -> String {
    format!(
        "# 合成城市{k}（generate seed {seed}）\n\
         name = \"合成城市{k}\"\n\
         inventory = \"city-{k}\"\n\
         rules = \"rules/guide-2020.csv\"\n\
         rule_overrides = \"rules/wuxi-city.csv\"\n\n\
         [targets.yellow]\nso2 = 0.10\nnox = 0.10\npm = 0.10\nvocs = 0.10\n\n\
         [targets.orange]\nso2 = 0.20\nnox = 0.20\npm = 0.20\nvocs = 0.20\n\n\
         [targets.red]\nso2 = 0.30\nnox = 0.30\npm = 0.30\nvocs = 0.30\n\n\
         [days]\nyellow = 10\norange = 6\nred = 3\n\n\
         [episodes]\nyellow = 4\norange = 3\nred = 1\n"
    )
}

/// Generate `cities` cities of `n` enterprises each (seeds `seed`, `seed + 1`, …) with their
/// scenarios, `region.toml` and `region-sweep.toml`, written to `out` as one unit. Returns
/// (enterprises, lines).
pub fn generate_region(
    cities: usize,
    n: usize,
    seed: u64,
    out: &Path,
) -> Result<(usize, usize), IoError> {
    let mut files: Vec<(String, String)> = vec![
        (
            "rules/guide-2020.csv".into(),
            include_str!("../../seeds/rules/guide-2020.csv").into(),
        ),
        (
            "rules/wuxi-city.csv".into(),
            include_str!("../../seeds/rules/wuxi-city.csv").into(),
        ),
        ("region.toml".into(), region_toml(cities)),
        ("region-sweep.toml".into(), region_sweep_toml(cities)),
    ];
    let (mut ents, mut lines) = (0, 0);
    for k in 1..=cities {
        let s = seed.wrapping_add(k as u64 - 1);
        let ds = generator::generate(n, s);
        ents += ds.enterprises;
        lines += ds.lines;
        files.push((format!("city-{k}.toml"), city_toml(k, s)));
        files.extend(
            ds.files
                .into_iter()
                .map(|(name, text)| (format!("city-{k}/{name}"), text)),
        );
    }
    let dir = crate::io::result_dir::ResultDir::create(out, SEEDS_GENERATE, &[])?;
    for (name, text) in &files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| IoError::Write {
                file: parent.display().to_string(),
                source,
            })?;
        }
        crate::io::atomic::write_bytes(&path, text.as_bytes())?;
    }
    dir.commit()?;
    Ok((ents, lines))
}
