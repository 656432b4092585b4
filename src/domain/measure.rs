//! The measure vocabulary of 一厂一策 (domain.md §4).

use super::PollutantVec;
use crate::units::Fraction;
use serde::{Deserialize, Serialize};

/// Transport restriction attached to a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Transport {
    /// No restriction.
    None,
    /// 国四及以下重型柴油货车禁止运输.
    BanGuoSi,
    /// 停止公路运输 (grade D).
    NoRoad,
}

impl Transport {
    /// Code fragment (`T4`, `T0`), empty for none.
    pub fn code(self) -> &'static str {
        match self {
            Transport::None => "",
            Transport::BanGuoSi => "T4",
            Transport::NoRoad => "T0",
        }
    }
    /// Chinese text.
    pub fn zh(self) -> &'static str {
        match self {
            Transport::None => "",
            Transport::BanGuoSi => "国四及以下重型柴油货车禁止运输",
            Transport::NoRoad => "停止公路运输",
        }
    }
    /// English text.
    pub fn en(self) -> &'static str {
        match self {
            Transport::None => "",
            Transport::BanGuoSi => "no China-IV-or-older heavy trucks",
            Transport::NoRoad => "no road transport",
        }
    }
}

/// A measure a line takes at one level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    /// Output limit as a share of baseline: 0 = no limit, 1 = stop.
    pub limit: Fraction,
    /// Transport restriction (counted in the mobile-source credit, never as an enterprise cut).
    pub transport: Transport,
    /// A declared option of the line, by code, instead of a proportional limit.
    pub declared: Option<String>,
}

impl Measure {
    /// No measure (voluntary only).
    pub fn voluntary() -> Self {
        Measure {
            limit: Fraction::ZERO,
            transport: Transport::None,
            declared: None,
        }
    }

    /// Whether the line stops.
    pub fn is_stop(&self) -> bool {
        self.declared.is_none() && self.limit.0 >= 1.0 - 1e-9
    }

    /// Machine-readable code, e.g. `L20+T4`, `S+T0`, `V`, `D:COAT1+T4`.
    pub fn code(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(d) = &self.declared {
            parts.push(format!("D:{d}"));
        } else if self.is_stop() {
            parts.push("S".into());
        } else if self.limit.0 > 1e-9 {
            parts.push(format!("L{}", fmt_percent(self.limit)));
        }
        if self.transport != Transport::None {
            parts.push(self.transport.code().into());
        }
        if parts.is_empty() {
            "V".into()
        } else {
            parts.join("+")
        }
    }

    /// Parse a code written by [`Measure::code`] (whitespace and case tolerated).
    pub fn parse_code(s: &str) -> Option<Measure> {
        let mut m = Measure::voluntary();
        let mut seen_main = false;
        for part in s.split('+').map(str::trim) {
            let up = part.to_uppercase();
            match up.as_str() {
                "V" if !seen_main => seen_main = true,
                "S" if !seen_main => {
                    m.limit = Fraction::ONE;
                    seen_main = true;
                }
                "T4" if m.transport == Transport::None => m.transport = Transport::BanGuoSi,
                "T0" if m.transport == Transport::None => m.transport = Transport::NoRoad,
                _ if up.starts_with("D:") && !seen_main && part.len() > 2 => {
                    m.declared = Some(part[2..].trim().to_string());
                    seen_main = true;
                }
                _ if up.starts_with('L') && !seen_main => {
                    let v: f64 = up[1..].parse().ok()?;
                    if !(0.0..=100.0).contains(&v) || !v.is_finite() {
                        return None;
                    }
                    m.limit = Fraction(v / 100.0);
                    seen_main = true;
                }
                _ => return None,
            }
        }
        Some(m)
    }

    /// Chinese text of the measure; `declared_text` is used for declared options.
    pub fn text_zh(&self, declared_text: Option<&str>) -> String {
        let main = if let Some(d) = &self.declared {
            declared_text.unwrap_or(d).to_string()
        } else if self.is_stop() {
            "停产".to_string()
        } else if self.limit.0 > 1e-9 {
            format!("限产{}%", fmt_percent(self.limit))
        } else if self.transport == Transport::None {
            "自愿减排".to_string()
        } else {
            String::new()
        };
        join_text(&main, self.transport.zh(), "；")
    }

    /// English text of the measure.
    pub fn text_en(&self, declared_text: Option<&str>) -> String {
        let main = if let Some(d) = &self.declared {
            declared_text.unwrap_or(d).to_string()
        } else if self.is_stop() {
            "stop".to_string()
        } else if self.limit.0 > 1e-9 {
            format!("limit output by {}%", fmt_percent(self.limit))
        } else if self.transport == Transport::None {
            "voluntary".to_string()
        } else {
            String::new()
        };
        join_text(&main, self.transport.en(), "; ")
    }
}

fn join_text(a: &str, b: &str, sep: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}{sep}{b}"),
    }
}

/// A percentage without trailing zeros (20, 12.5).
pub fn fmt_percent(f: Fraction) -> String {
    let v = (f.0 * 1000.0).round() / 10.0;
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v}")
    }
}

/// A measure option declared by an enterprise for one line (non-proportional effects).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeclaredOption {
    /// Line id.
    pub line: String,
    /// Option code, unique within the line.
    pub code: String,
    /// Chinese text of the measure.
    pub text: String,
    /// Cut of each pollutant as a share of the line's baseline emissions.
    pub cut: PollutantVec<Fraction>,
    /// Output lost as a share of the line's baseline output value.
    pub loss: Fraction,
    /// Whether the option stops the whole line.
    pub whole_line: bool,
    /// Expected electricity as a share of baseline (the verification indicator).
    pub electricity: Fraction,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in ["V", "L20", "L12.5+T4", "S+T0", "T4", "D:COAT1+T4"] {
            let m = Measure::parse_code(code).unwrap();
            assert_eq!(m.code(), code);
        }
        assert!(Measure::parse_code("L200").is_none());
        assert!(Measure::parse_code("S+S").is_none());
        assert!(Measure::parse_code("X").is_none());
    }

    #[test]
    fn texts() {
        let m = Measure::parse_code("L20+T4").unwrap();
        assert_eq!(m.text_zh(None), "限产20%；国四及以下重型柴油货车禁止运输");
        assert_eq!(Measure::voluntary().text_zh(None), "自愿减排");
        assert_eq!(
            Measure::parse_code("T4").unwrap().text_zh(None),
            "国四及以下重型柴油货车禁止运输"
        );
    }
}
