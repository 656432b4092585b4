//! Every shipped scenario parses with its reader and the list scenarios plan; every complete
//! ```toml scenario in the docs parses; the scenario readers never panic on arbitrary or mutated
//! text (a bounded property test).

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_jianpai");

/// What kind of scenario a file is, by its keys.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    List,
    Revision,
    Stagger,
    Sweep,
    Region,
}

fn kind(text: &str) -> Kind {
    let t: toml::Table = toml::from_str(text).expect("a shipped scenario is TOML");
    if t.contains_key("cities") {
        Kind::Region
    } else if t.contains_key("participation") || t.contains_key("seasons") {
        Kind::Stagger
    } else if t.contains_key("scenario") || t.contains_key("grid") {
        Kind::Sweep
    } else if t.contains_key("revision") {
        Kind::Revision
    } else {
        Kind::List
    }
}

fn shipped() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// Read one file with the reader of its kind (the sweep reader also reads its base).
fn read(path: &Path, kind: Kind) -> Result<(), String> {
    let r = match kind {
        Kind::List | Kind::Revision => jianpai::io::scenario_file::read_scenario(path).map(|_| ()),
        Kind::Stagger => jianpai::stagger::input::read_scenario(path).map(|_| ()),
        Kind::Sweep => jianpai::sweep::read_sweep(path).map(|_| ()),
        Kind::Region => jianpai::region::scenario::read_region(path).map(|_| ()),
    };
    r.map_err(|e| e.to_string())
}

#[test]
fn every_shipped_scenario_parses_with_its_reader() {
    let files = shipped();
    assert!(files.len() >= 8, "scenarios/ has {} files", files.len());
    let mut kinds = Vec::new();
    for f in &files {
        let k = kind(&std::fs::read_to_string(f).unwrap());
        read(f, k).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        kinds.push(k);
    }
    for k in [Kind::List, Kind::Revision, Kind::Stagger, Kind::Sweep] {
        assert!(kinds.contains(&k), "no {k:?} scenario shipped");
    }
}

/// Every list scenario loads its inventory and rules, builds its model and is planned end to end
/// by the binary with a short time limit (exit 0, or 8 when the limit stops it unproven). All
/// seven Wuxi scenarios (4,000 firms) take about 40 s in the test build.
#[test]
fn list_scenarios_load_build_and_plan() {
    let out = tempfile::tempdir().unwrap();
    for f in shipped() {
        let k = kind(&std::fs::read_to_string(&f).unwrap());
        if !matches!(k, Kind::List | Kind::Revision) {
            continue;
        }
        let loaded = jianpai::pipeline::load(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let problem =
            jianpai::model::build::build(&loaded.inventory, &loaded.resolved, &loaded.scenario);
        assert!(
            !problem.targets.is_empty(),
            "{}: no target rows",
            f.display()
        );
        let o = Command::new(BIN)
            .args(["--quiet", "plan"])
            .arg(&f)
            .arg("--out")
            .arg(out.path().join(f.file_stem().unwrap()))
            .args(["--time-limit", "5"])
            .output()
            .unwrap();
        assert!(
            matches!(o.status.code(), Some(0 | 8)),
            "plan {}: {:?} {}",
            f.display(),
            o.status.code(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

/// ```toml blocks of README.md and docs/*.md that state `name` are complete scenarios: each
/// parses with its reader (paths need not exist; they are resolved, not opened).
#[test]
fn complete_toml_blocks_in_the_docs_parse() {
    let mut docs = vec![Path::new(ROOT).join("README.md")];
    for e in std::fs::read_dir(Path::new(ROOT).join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            docs.push(p);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    for d in docs {
        let text = std::fs::read_to_string(&d).unwrap();
        for (i, block) in text.split("```toml\n").skip(1).enumerate() {
            let block = block.split("```").next().unwrap();
            if !block.lines().any(|l| l.trim_start().starts_with("name")) {
                continue;
            }
            let f = dir.path().join(format!("doc-{n}.toml"));
            std::fs::write(&f, block).unwrap();
            read(&f, kind(block))
                .unwrap_or_else(|e| panic!("{} toml block {}: {e}", d.display(), i + 1));
            n += 1;
        }
    }
    println!("{n} complete toml blocks in the docs");
}

/// A valid list scenario, a stagger scenario and a sweep over the first, as mutation seeds.
fn seeds() -> Vec<String> {
    [
        "wuxi-2021.toml",
        "wuxi-2021-stagger.toml",
        "wuxi-2021-sweep.toml",
    ]
    .iter()
    .map(|f| std::fs::read_to_string(Path::new(ROOT).join("scenarios").join(f)).unwrap())
    .collect()
}

/// Run every reader on `text` (as a file in `scenarios/`-like folder `dir`): an error or a value,
/// never a panic.
fn all_readers(dir: &Path, text: &[u8]) {
    let f = dir.join("fuzz.toml");
    std::fs::write(&f, text).unwrap();
    let _ = jianpai::io::scenario_file::read_scenario(&f);
    let _ = jianpai::stagger::input::read_scenario(&f);
    let _ = jianpai::sweep::read_sweep(&f);
    let _ = jianpai::region::scenario::read_region(&f);
}

/// Pieces a mutation may insert: TOML syntax, odd numbers, Chinese keys, control bytes.
const PIECES: [&str; 16] = [
    "=",
    "[",
    "]",
    "[[",
    "\"",
    "'",
    ".",
    "\n",
    "nan",
    "-inf",
    "1e308",
    "-0",
    "新吴区",
    "\u{0}",
    "base = \"fuzz.toml\"\n",
    "{ a = 1 }",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    /// Arbitrary text: the readers return an error (or, rarely, a scenario), never panic.
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        let dir = tempfile::tempdir().unwrap();
        all_readers(dir.path(), text.as_bytes());
    }

    /// A valid scenario with a few cuts, insertions and replacements: never a panic.
    #[test]
    fn mutated_scenarios_never_panic(
        seed in 0usize..3,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..3, 0usize..PIECES.len(), 0usize..40), 1..6),
    ) {
        let mut text = seeds()[seed].clone().into_bytes();
        for (at, op, piece, len) in edits {
            let i = at.index(text.len() + 1);
            match op {
                0 => { text.splice(i..(i + len).min(text.len()), std::iter::empty()); }
                1 => { text.splice(i..i, PIECES[piece].bytes()); }
                _ => { text.splice(i..(i + len.min(8)).min(text.len()), PIECES[piece].bytes()); }
            }
        }
        // Run beside the real scenarios so that relative paths (and `base`) resolve.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("wuxi-2021.toml"), &seeds()[0]).unwrap();
        all_readers(dir.path(), &text);
    }
}
