//! Hostile cases: the stagger scenario read through the common scenario reader (issue 14 item 1):
//! a `base` chain that loops, points nowhere or is not a path, an override out of range in the
//! scenario that names a base, and a `--threads` flag out of range.

use super::Case;

/// A stagger scenario on the fixture city (every line staggered in one winter).
const CAL: &str =
    "name = \"错峰\"\ninventory = \"city\"\nparticipation = \"cal/participation.csv\"\n\
[blocks]\nmin_days = 7\n\
[[seasons]]\nname = \"冬季\"\nstart = \"2021-11-15\"\nend = \"2022-03-15\"\n\
[solver]\ntime_limit = 20\n";

fn stagger(name: &str, scenario: &str, extra: &[&str]) -> Case {
    let mut args = vec!["stagger", scenario, "--out", "core-out", "--quiet"];
    args.extend_from_slice(extra);
    Case::new(format!("core: {name}"), &args).prepare(|w| {
        w.write("cal.toml", CAL);
        w.write("cal/participation.csv", "行业,绩效等级,方式\n*,*,错峰\n");
    })
}

pub fn cases() -> Vec<Case> {
    vec![
        stagger("stagger base cycle", "a.toml", &[])
            .prepare(|w| {
                w.write("a.toml", "base = \"b.toml\"\nname = \"a\"\n");
                w.write("b.toml", "base = \"a.toml\"\nname = \"b\"\n");
            })
            .exit(3)
            .says("a.toml")
            .says("cycle"),
        stagger("stagger base missing", "a.toml", &[])
            .prepare(|w| w.write("a.toml", "base = \"nowhere.toml\"\nname = \"a\"\n"))
            .exit(7)
            .says("nowhere.toml"),
        stagger("stagger base not a path", "a.toml", &[])
            .prepare(|w| w.write("a.toml", "base = 5\nname = \"a\"\n"))
            .exit(3)
            .says("a.toml")
            .says("base = 5"),
        stagger("stagger override out of range over a base", "a.toml", &[])
            .prepare(|w| {
                w.write(
                    "a.toml",
                    "base = \"cal.toml\"\nname = \"a\"\n[caps]\ndefault = 2.5\n",
                )
            })
            .exit(3)
            .says("[caps] default")
            .says("2.5"),
        stagger("stagger threads zero", "cal.toml", &["--threads", "0"])
            .exit(2)
            .says("--threads"),
    ]
}
