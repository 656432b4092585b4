//! Hostile cases: the command line and the files it names — every command given a path that is
//! missing, a folder where a file belongs, an empty file or binary garbage, and malformed flags.
//! The expected codes are the README's: 2 wrong command line, 3 invalid input, 7 not readable.

use super::Case;

/// Commands with the position of one input path, written `@` in the argument list.
const INPUTS: &[(&str, &[&str])] = &[
    ("plan-scenario", &["plan", "@", "--out", "o"]),
    ("check-plan", &["check", "@", "--scenario", "s.toml"]),
    ("check-scenario", &["check", "plan", "--scenario", "@"]),
    ("report-dir", &["report", "@", "--out", "o"]),
    (
        "report-scenario",
        &["report", "plan", "--out", "o", "--scenario", "@"],
    ),
    (
        "revise-scenario",
        &["revise", "@", "--previous", "plan", "--out", "o"],
    ),
    (
        "revise-previous",
        &["revise", "s.toml", "--previous", "@", "--out", "o"],
    ),
    ("diff-old", &["diff", "@", "plan"]),
    ("diff-new", &["diff", "plan", "@"]),
    ("compare-first", &["compare", "@", "plan"]),
    ("compare-second", &["compare", "plan", "@"]),
    (
        "curve-scenario",
        &["curve", "@", "--from", "0.3", "--to", "0.35", "--out", "o"],
    ),
    (
        "upgrade-scenario",
        &["upgrade", "@", "--k", "1", "--out", "o"],
    ),
    ("stagger-scenario", &["stagger", "@", "--out", "o"]),
    ("sweep-file", &["sweep", "@", "--out", "o"]),
    (
        "audit-plan",
        &[
            "audit", "--plan", "@", "--meter", "m.csv", "--level", "orange",
        ],
    ),
    (
        "audit-meter",
        &[
            "audit", "--plan", "plan", "--meter", "@", "--level", "orange",
        ],
    ),
    ("validate-dir", &["validate", "@"]),
    (
        "evolve-from",
        &["seeds", "evolve", "@", "--seed", "3", "--out", "o"],
    ),
];

/// How the named input is spoiled, and the exit code a clean refusal gives.
const SPOILS: &[(&str, i32)] = &[("missing", 7), ("empty", 3), ("garbage", 3)];

fn with_input(args: &[&str], path: &str) -> Vec<String> {
    args.iter()
        .map(|a| {
            if *a == "@" {
                path.to_string()
            } else {
                a.to_string()
            }
        })
        .collect()
}

pub fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for (cmd, args) in INPUTS {
        for (spoil, code) in SPOILS {
            // A folder input (plan dir, dataset dir) spoiled as a file: an empty or garbage file
            // where a folder belongs is not a plan either, so it is invalid input (3).
            let path = format!("spoiled-{spoil}.in");
            let a = with_input(args, &path);
            let refs: Vec<&str> = a.iter().map(String::as_str).collect();
            // A file given where a folder is read (a result folder, a dataset) cannot be read as
            // one: exit 7, like a missing folder.
            let folder_input = matches!(*cmd, "report-dir" | "evolve-from");
            let code = if folder_input { 7 } else { *code };
            let mut c = Case::new(format!("setup/{cmd}/{spoil}"), &refs).exit(code);
            c = match *spoil {
                "missing" => c.says("spoiled-missing.in"),
                "empty" => c.prepare(|w| w.write("spoiled-empty.in", "")),
                _ => c.prepare(|w| {
                    let bytes: Vec<u8> = (0..4096u32)
                        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                        .collect();
                    w.write("spoiled-garbage.in", bytes)
                }),
            };
            // The meter file of the audit cases other than audit-meter must exist and be valid
            // enough not to be the reason for the refusal: the plan input is spoiled first.
            v.push(c);
        }
        // A folder where the command reads a file, or the other way round: never a crash.
        let a = with_input(args, "a-folder");
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        v.push(
            Case::new(format!("setup/{cmd}/folder"), &refs)
                .prepare(|w| std::fs::create_dir_all(w.path("a-folder")).unwrap())
                .says("a-folder"),
        );
    }
    // Malformed command lines: exit 2 and the flag named.
    let flags: &[(&str, &[&str], &str)] = &[
        ("no-command", &[], "Usage"),
        ("unknown-command", &["plann", "s.toml"], "plann"),
        (
            "unknown-flag",
            &["plan", "s.toml", "--out", "o", "--fast"],
            "--fast",
        ),
        ("lang", &["--lang", "fr", "schema"], "fr"),
        (
            "time-limit-text",
            &["plan", "s.toml", "--out", "o", "--time-limit", "soon"],
            "soon",
        ),
        (
            "time-limit-negative",
            &["plan", "s.toml", "--out", "o", "--time-limit", "-1"],
            "-1",
        ),
        (
            "time-limit-nan",
            &["plan", "s.toml", "--out", "o", "--time-limit", "NaN"],
            "time-limit",
        ),
        (
            "time-limit-inf",
            &["plan", "s.toml", "--out", "o", "--time-limit", "inf"],
            "time-limit",
        ),
        (
            "gap-above-one",
            &["plan", "s.toml", "--out", "o", "--gap", "2"],
            "gap",
        ),
        (
            "gap-negative",
            &["plan", "s.toml", "--out", "o", "--gap", "-0.1"],
            "gap",
        ),
        (
            "threads-zero",
            &["plan", "s.toml", "--out", "o", "--threads", "0"],
            "threads",
        ),
        (
            "threads-negative",
            &["plan", "s.toml", "--out", "o", "--threads", "-3"],
            "-3",
        ),
        (
            "method",
            &["plan", "s.toml", "--out", "o", "--method", "magic"],
            "magic",
        ),
        ("out-missing", &["plan", "s.toml", "--out"], "--out"),
        ("plan-no-out", &["plan", "s.toml"], "--out"),
        ("check-no-scenario", &["check", "plan"], "--scenario"),
        (
            "curve-level",
            &[
                "curve", "s.toml", "--level", "purple", "--from", "0.1", "--to", "0.2", "--out",
                "o",
            ],
            "purple",
        ),
        (
            "curve-pollutant",
            &[
                "curve",
                "s.toml",
                "--pollutant",
                "co2",
                "--from",
                "0.1",
                "--to",
                "0.2",
                "--out",
                "o",
            ],
            "co2",
        ),
        (
            "audit-level",
            &[
                "audit", "--plan", "plan", "--meter", "m.csv", "--level", "black",
            ],
            "black",
        ),
        ("format", &["validate", "city", "--format", "yaml"], "yaml"),
        ("seeds-unknown", &["seeds", "conjure"], "conjure"),
        (
            "diff-one-inventory",
            &["diff", "plan", "plan", "--old-inventory", "city"],
            "--new-inventory",
        ),
    ];
    for (name, args, says) in flags {
        v.push(
            Case::new(format!("setup/flags/{name}"), args)
                .exit(2)
                .says(*says),
        );
    }
    // Unknown bundled seed: named in the message.
    v.push(
        Case::new(
            "setup/seeds-extract-unknown",
            &["seeds", "extract", "atlantis", "--out", "o"],
        )
        .says("atlantis"),
    );
    v
}
