//! Hostile cases: the scenario's `[fairness]` table (every malformed key named with its value and
//! code E511–E513, before anything is solved or written), `check` of a plan that breaks the rule
//! (violation naming group, level and measures), and `negotiate`'s bounds.

use super::Case;

/// `jianpai check plan --scenario s.toml` with a `[fairness]` table appended.
fn check(name: &str, table: &'static str) -> Case {
    Case::new(
        format!("fairness/{name}"),
        &["check", "plan", "--scenario", "s.toml"],
    )
    .prepare(move |w| w.append("s.toml", &format!("\n[fairness]\n{table}\n")))
}

/// `jianpai plan s.toml --out o` with a `[fairness]` table appended (refused before solving).
fn plan(name: &str, table: &'static str) -> Case {
    Case::new(
        format!("fairness/plan/{name}"),
        &["plan", "s.toml", "--out", "o"],
    )
    .prepare(move |w| w.append("s.toml", &format!("\n[fairness]\n{table}\n")))
}

/// Malformed tables: (slug, table, code, fragment naming key and value).
const BAD: [(&str, &str, &str, &str); 20] = [
    (
        "group-unknown",
        "group = [\"industri\"]\nmode = \"uniform\"",
        "E511",
        "'industri'",
    ),
    (
        "group-unknown-zh",
        "group = [\"行业类别\"]\nmode = \"uniform\"",
        "E511",
        "'行业类别'",
    ),
    (
        "group-blank",
        "group = [\"\"]\nmode = \"uniform\"",
        "E511",
        "未知分组属性 ''",
    ),
    (
        "group-twice",
        "group = [\"grade\", \"等级\", \"grade\"]\nmode = \"uniform\"",
        "E511",
        "'grade' 重复",
    ),
    (
        "group-empty",
        "group = []\nmode = \"uniform\"",
        "E511",
        "group 为空",
    ),
    (
        "group-string",
        "group = \"industry\"\nmode = \"uniform\"",
        "E511",
        "group = \"industry\"",
    ),
    (
        "group-number",
        "group = [\"industry\", 3]\nmode = \"uniform\"",
        "E511",
        "group = [\"industry\", 3]",
    ),
    (
        "mode-unknown",
        "group = [\"industry\"]\nmode = \"fair\"",
        "E512",
        "mode = 'fair'",
    ),
    (
        "mode-number",
        "group = [\"industry\"]\nmode = 1",
        "E512",
        "mode = '1'",
    ),
    (
        "mode-and-k",
        "group = [\"industry\"]\nmode = \"uniform\"\nmax_distinct = 2",
        "E512",
        "not both",
    ),
    (
        "no-mode",
        "group = [\"industry\"]",
        "E512",
        "give mode = \"uniform\" or max_distinct",
    ),
    (
        "k-zero",
        "group = [\"industry\"]\nmax_distinct = 0",
        "E512",
        "max_distinct = 0",
    ),
    (
        "k-negative",
        "group = [\"industry\"]\nmax_distinct = -3",
        "E512",
        "max_distinct = -3",
    ),
    (
        "k-huge",
        "group = [\"industry\"]\nmax_distinct = 100000",
        "E512",
        "max_distinct = 100000",
    ),
    (
        "k-fraction",
        "group = [\"industry\"]\nmax_distinct = 1.5",
        "E512",
        "max_distinct = 1.5",
    ),
    (
        "k-nan",
        "group = [\"industry\"]\nmax_distinct = nan",
        "E512",
        "max_distinct = nan",
    ),
    (
        "k-string",
        "group = [\"industry\"]\nmax_distinct = \"2\"",
        "E512",
        "max_distinct = \"2\"",
    ),
    (
        "levels-unknown",
        "group = [\"industry\"]\nmode = \"uniform\"\nlevels = [\"purple\"]",
        "E513",
        "'purple'",
    ),
    (
        "levels-empty",
        "group = [\"industry\"]\nmode = \"uniform\"\nlevels = []",
        "E513",
        "levels 为空",
    ),
    (
        "levels-string",
        "group = [\"industry\"]\nmode = \"uniform\"\nlevels = \"red\"",
        "E513",
        "levels = \"red\"",
    ),
];

/// Every fairness case.
pub fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for (slug, table, code, fragment) in BAD {
        out.push(
            check(slug, table)
                .exit(3)
                .says("s.toml")
                .says(code)
                .says("[fairness]")
                .says(fragment),
        );
    }
    // `plan` refuses the same tables before solving, and leaves no output folder.
    for (slug, table, code, fragment) in [BAD[0], BAD[11], BAD[17]] {
        out.push(
            plan(slug, table)
                .exit(3)
                .says(code)
                .says(fragment)
                .after(|w, _| {
                    if w.path("o").exists() {
                        Err("a refused scenario left an output folder".into())
                    } else {
                        Ok(())
                    }
                }),
        );
    }
    out.push(
        check(
            "unknown-key",
            "group = [\"industry\"]\nmode = \"uniform\"\ngrop = 1",
        )
        .exit(3)
        .says("unknown field `grop`"),
    );
    // The fixture's free plan mixes measures within these groups: `check` names group, level
    // and the measures found.
    for (slug, table, group) in [
        (
            "industry-grade",
            "group = [\"industry\", \"grade\"]\nmode = \"uniform\"",
            "行业=",
        ),
        (
            "enterprise",
            "group = [\"enterprise\"]\nmode = \"uniform\"",
            "企业=",
        ),
        (
            "process",
            "group = [\"process\"]\nmode = \"uniform\"",
            "工序=",
        ),
        (
            "cluster",
            "group = [\"cluster\"]\nmax_distinct = 1",
            "集群=",
        ),
        (
            "red-only",
            "group = [\"process\"]\nmode = \"uniform\"\nlevels = [\"red\"]",
            "在红色",
        ),
    ] {
        out.push(
            check(&format!("violated/{slug}"), table)
                .exit(6)
                .says("violation[fairness]")
                .says("公平分组")
                .says(group)
                .says("上限 1"),
        );
    }
    out.push(
        check(
            "holds-with-enough-freedom",
            "group = [\"district\", \"industry\", \"grade\", \"process\"]\nmax_distinct = 2",
        )
        .exit(0)
        .says_not("violation[fairness]"),
    );
    // negotiate: --top bounded, solver flags range-checked, nothing written.
    for (top, says) in [
        ("0", "--top 0"),
        ("201", "--top 201"),
        ("100000", "--top 100000"),
        ("-1", "--top -1: 须为 1 到 200"),
        ("ten", "--top"),
    ] {
        out.push(
            Case::new(
                format!("fairness/negotiate/top={top}"),
                &["negotiate", "s.toml", "--top", top, "--out", "o"],
            )
            .exit(2)
            .says(says),
        );
    }
    for (flag, v) in [
        ("--time-limit", "-1"),
        ("--gap", "2"),
        ("--time-limit", "nan"),
    ] {
        out.push(
            Case::new(
                format!("fairness/negotiate/{flag}={v}"),
                &["negotiate", "s.toml", "--top", "3", "--out", "o", flag, v],
            )
            .exit(2)
            .says(flag),
        );
    }
    out.push(
        Case::new(
            "fairness/negotiate/bad-fairness",
            &["negotiate", "s.toml", "--top", "3", "--out", "o"],
        )
        .prepare(|w| {
            w.append(
                "s.toml",
                "\n[fairness]\ngroup = [\"colour\"]\nmode = \"uniform\"\n",
            )
        })
        .exit(3)
        .says("E511")
        .says("'colour'"),
    );
    out.push(
        Case::new(
            "fairness/negotiate/infeasible",
            &["negotiate", "s.toml", "--top", "3", "--out", "o"],
        )
        .prepare(|w| {
            for l in ["yellow", "orange", "red"] {
                w.set_key(Some(&format!("targets.{l}")), "nox", "0.9");
            }
        })
        .exit(4)
        .says("基础方案无解"),
    );
    out
}
