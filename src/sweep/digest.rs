//! Content hashes (BLAKE3, 256 bits) for resuming sweeps safely: a case's fingerprint covers every input
//! file its scenario names, and every finished case file carries a hash of its own content, so a
//! stale or hand-edited result is never taken for a finished one.

use crate::io::dataset::{locate, Source};
use crate::io::scenario_file::referenced_paths;
use std::io::Read;
use std::path::Path;

/// A BLAKE3 hash of a sequence of fields (each field is closed by a separator, so that `ab`,`c` and
/// `a`,`bc` differ).
#[derive(Default)]
pub struct Hasher(blake3::Hasher);

impl Hasher {
    /// Add one field.
    pub fn field(&mut self, bytes: &[u8]) {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// Add the content of a file (or why it cannot be read, so that a missing file still
    /// differs from a present one).
    pub fn file(&mut self, path: &Path) {
        self.field(path.to_string_lossy().as_bytes());
        let mut inner = blake3::Hasher::new();
        let mut buf = vec![0u8; 1 << 16];
        let read = std::fs::File::open(path).and_then(|mut f| loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break Ok(());
            }
            inner.update(&buf[..n]);
        });
        match read {
            Ok(()) => self.field(inner.finalize().as_bytes()),
            Err(e) => self.field(format!("unreadable: {}", e.kind()).as_bytes()),
        }
    }

    /// The hash in lower-case hex.
    pub fn hex(self) -> String {
        self.0.finalize().to_hex().to_string()
    }
}

/// The hash of bytes in lower-case hex (64 digits).
pub fn hash_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// A hash of the content of every input a (merged, paths absolute) scenario table names: the
/// inventory's tables as the loader finds them, the rules, the city overrides, the base scenario
/// and last year's list.
pub fn inputs_digest(scenario: &toml::Table) -> String {
    let mut h = Hasher::default();
    for (key, path) in referenced_paths(scenario) {
        h.field(key.as_bytes());
        if key == "inventory" {
            match locate(std::slice::from_ref(&path)) {
                Ok(tables) => {
                    for (name, src) in tables {
                        h.field(name.as_bytes());
                        match src {
                            Source::File(p) => h.file(&p),
                            Source::Sheet(p, sheet) => {
                                h.field(sheet.as_bytes());
                                h.file(&p);
                            }
                        }
                    }
                }
                Err(e) => h.field(e.to_string().as_bytes()),
            }
        } else if path.is_dir() {
            // A plan folder (last year's list).
            h.file(&path.join("plan.csv"));
        } else {
            h.file(&path);
        }
    }
    h.hex()
}

/// A hash of the content of every input a regional scenario table names: each city's scenario
/// file and, through [`inputs_digest`], every input that city's scenario names.
pub fn region_inputs_digest(region: &toml::Table) -> String {
    let mut h = Hasher::default();
    let cities = region.get("cities").and_then(toml::Value::as_array);
    for city in cities.into_iter().flatten().filter_map(toml::Value::as_str) {
        let path = Path::new(city);
        h.file(path);
        match crate::io::scenario_file::scenario_table(path, &mut Vec::new()) {
            Ok(t) => h.field(inputs_digest(&t).as_bytes()),
            Err(e) => h.field(e.to_string().as_bytes()),
        }
    }
    // The regional stations and matrix (`[air]`), when named.
    if let Some(toml::Value::Table(air)) = region.get("air") {
        for key in ["stations", "receptors"] {
            if let Some(p) = air.get(key).and_then(toml::Value::as_str) {
                h.file(Path::new(p));
            }
        }
    }
    h.hex()
}

/// The field a signed JSON file starts with; its value is the hash of the file written with an
/// empty value.
const FIELD: &str = "\"digest\": \"";

/// Fill the (empty) `"digest": ""` field of a pretty JSON text with the hash of that text.
pub fn sign(text_with_empty_digest: &str) -> String {
    let d = hash_hex(text_with_empty_digest.as_bytes());
    text_with_empty_digest.replacen(&format!("{FIELD}\""), &format!("{FIELD}{d}\""), 1)
}

/// Whether a text written by [`sign`] is unchanged: its `digest` field holds the hash of the text
/// with that field emptied.
pub fn verify(text: &str, digest: &str) -> bool {
    if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let signed = format!("{FIELD}{digest}\"");
    text.contains(&signed)
        && hash_hex(text.replacen(&signed, &format!("{FIELD}\""), 1).as_bytes()) == digest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_text_verifies_and_any_edit_does_not() {
        let text = "{\n  \"digest\": \"\",\n  \"loss\": 12.5\n}\n";
        let signed = sign(text);
        let d = signed.split('"').nth(3).unwrap().to_string();
        assert!(verify(&signed, &d));
        assert!(!verify(&signed.replace("12.5", "12.4"), &d));
        assert!(!verify(text, ""));
    }

    #[test]
    fn fields_are_delimited() {
        let mut a = Hasher::default();
        a.field(b"ab");
        a.field(b"c");
        let mut b = Hasher::default();
        b.field(b"a");
        b.field(b"bc");
        assert_ne!(a.hex(), b.hex());
    }
}
