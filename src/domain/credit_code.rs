//! 统一社会信用代码 (unified social credit code), GB 32100-2015.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The 31 characters allowed in a credit code (no I, O, S, V, Z).
pub const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A validated 18-character unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CreditCode(String);

/// Why a string is not a valid credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    /// Wrong number of characters.
    #[error("has {0} characters, a credit code has 18")]
    Length(usize),
    /// A character outside the GB 32100 alphabet.
    #[error("character '{ch}' at position {pos} is not allowed (allowed: 0-9 and A-Y without I, O, S, V, Z)")]
    Character {
        /// The offending character.
        ch: char,
        /// 1-based position.
        pos: usize,
    },
    /// The 18th character does not match the checksum.
    #[error("check character is '{found}', GB 32100-2015 gives '{expected}'")]
    Check {
        /// Character found.
        found: char,
        /// Character the checksum requires.
        expected: char,
    },
}

fn value(c: char) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|&a| a as char == c)
        .map(|p| p as u32)
}

/// The check character for the first 17 characters (which must be valid).
pub fn check_char(first17: &str) -> Option<char> {
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value(c)? * w;
    }
    let v = (31 - sum % 31) % 31;
    Some(ALPHABET[v as usize] as char)
}

impl CreditCode {
    /// Parse and verify a code; surrounding spaces are trimmed and letters upper-cased.
    pub fn parse(s: &str) -> Result<Self, CreditCodeError> {
        let s = s.trim().to_uppercase();
        let n = s.chars().count();
        if n != 18 {
            return Err(CreditCodeError::Length(n));
        }
        for (i, ch) in s.chars().enumerate() {
            if value(ch).is_none() {
                return Err(CreditCodeError::Character { ch, pos: i + 1 });
            }
        }
        let expected = check_char(&s[..17]).expect("alphabet checked");
        let found = s.chars().nth(17).expect("length checked");
        if found != expected {
            return Err(CreditCodeError::Check { found, expected });
        }
        Ok(CreditCode(s))
    }

    /// Build a valid code from its first 17 characters.
    pub fn complete(first17: &str) -> Option<Self> {
        let c = check_char(first17)?;
        Some(CreditCode(format!("{first17}{c}")))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_public_code_verifies() {
        // A widely published example code (format documentation), not a company of ours.
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
        assert!(CreditCode::parse("91350100M000100Y44").is_err());
    }

    #[test]
    fn errors_are_specific() {
        assert_eq!(CreditCode::parse("123"), Err(CreditCodeError::Length(3)));
        assert!(matches!(
            CreditCode::parse("91350100M000100I43"),
            Err(CreditCodeError::Character { ch: 'I', pos: 16 })
        ));
        let code = CreditCode::complete("91320281MA1XY0123").unwrap();
        assert!(CreditCode::parse(code.as_str()).is_ok());
        assert!(CreditCode::parse(&code.as_str().to_lowercase()).is_ok());
    }
}
