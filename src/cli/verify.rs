//! `jianpai verify`: are the inputs a result was made from still the same on disk?

use super::{Failure, Format};
use crate::exit;
use crate::io::provenance::{verify, FileState, Provenance};
use crate::validate::escape_controls;
use std::path::Path;

/// Re-hash every input recorded in `DIR/summary.json` and say which match, which changed and
/// which are missing. Exit 0 when all match, 6 when any changed or is missing.
pub fn run(dir: &Path, format: Format, english: bool, quiet: bool) -> Result<(), Failure> {
    let dir = if dir.is_file() {
        dir.parent().unwrap_or(Path::new("."))
    } else {
        dir
    };
    let file = dir.join("summary.json");
    let text = std::fs::read_to_string(&file).map_err(|e| {
        Failure::new(
            exit::IO,
            format!(
                "{}: cannot read ({e}); give a result folder",
                file.display()
            ),
        )
    })?;
    let summary: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Failure::new(
            exit::INVALID_INPUT,
            format!("{}: not valid JSON ({e})", file.display()),
        )
    })?;
    let Some(p) = summary.get("provenance") else {
        return Err(Failure::new(
            exit::INVALID_INPUT,
            format!(
                "E532 {}: 没有 provenance（来源记录），该结果由较早版本生成，无法校验输入 (no provenance: made by an older version; re-run to record it)",
                file.display()
            ),
        ));
    };
    let p: Provenance = serde_json::from_value(p.clone()).map_err(|e| {
        Failure::new(
            exit::INVALID_INPUT,
            format!(
                "E532 {}: provenance 无法读取 ({e}) (provenance is not as jianpai writes it)",
                file.display()
            ),
        )
    })?;
    let found = verify(&p, dir);
    let bad = found.iter().filter(|v| v.state != FileState::Same).count();
    match format {
        Format::Json => {
            let out = serde_json::json!({
                "tool": p.tool,
                "version": p.version,
                "command": p.command,
                "all_match": bad == 0,
                "inputs": found,
            });
            println!("{}", serde_json::to_string_pretty(&out).expect("json"));
        }
        Format::Text => {
            for v in &found {
                let state = if english { v.state.en() } else { v.state.zh() };
                let code = match v.state {
                    FileState::Same => "",
                    FileState::Changed => "E533 ",
                    FileState::Missing => "E534 ",
                };
                let line = format!(
                    "{code}{state}\t{}\t{}",
                    escape_controls(&v.role),
                    escape_controls(&v.path)
                );
                match v.state {
                    FileState::Same if quiet => {}
                    FileState::Same => println!("{line}"),
                    _ => eprintln!("{line}"),
                }
            }
            if !quiet {
                if english {
                    println!(
                        "{} inputs of {} {}: {} same, {bad} changed or missing",
                        found.len(),
                        p.tool,
                        p.version,
                        found.len() - bad
                    );
                } else {
                    println!(
                        "共 {} 个输入文件（{} {}）：{} 个一致，{bad} 个已变更或缺失",
                        found.len(),
                        p.tool,
                        p.version,
                        found.len() - bad
                    );
                }
            }
        }
    }
    if bad == 0 {
        Ok(())
    } else {
        let names: Vec<String> = found
            .iter()
            .filter(|v| v.state != FileState::Same)
            .map(|v| format!("{} {} ({})", v.role, v.path, v.state.en()))
            .collect();
        Err(Failure::new(
            exit::CHECK_FAILED,
            format!(
                "{bad} 个输入文件与生成结果时不同 ({bad} inputs differ from those the result was made from): {}",
                names.join(", ")
            ),
        ))
    }
}
