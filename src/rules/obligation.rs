//! The obligation vocabulary: `V`, `T4`, `T0`, `L20`, `SL50`, `SL50:熟料`, `SP:烧结|球团`, `S`,
//! joined with `+`.

use crate::domain::measure::fmt_percent;
use crate::domain::Transport;
use crate::units::Fraction;
use serde::Serialize;

/// The minimum a grade × industry × level rule demands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Obligation {
    /// Minimum output limit of every line (1 = stop).
    pub limit: Fraction,
    /// Transport restriction.
    pub transport: Transport,
    /// Share of the enterprise's active lines to stop, counted in whole lines (rounded up).
    pub stop_line_share: Fraction,
    /// The processes whose lines `stop_line_share` counts (`SL50:熟料`: clinker kilns, not
    /// grinding mills); empty = every line of the enterprise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stop_line_processes: Vec<String>,
    /// Processes whose lines must stop.
    pub stop_processes: Vec<String>,
}

impl Obligation {
    /// No obligation.
    pub fn voluntary() -> Self {
        Obligation {
            limit: Fraction::ZERO,
            transport: Transport::None,
            stop_line_share: Fraction::ZERO,
            stop_line_processes: Vec::new(),
            stop_processes: Vec::new(),
        }
    }

    /// Parse a measure expression.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut o = Obligation::voluntary();
        let s = s.trim();
        if s.is_empty() {
            return Err("empty measure".into());
        }
        for part in s.split('+').map(str::trim) {
            let up = part.to_uppercase();
            if up == "V" {
            } else if up == "S" {
                o.limit = Fraction::ONE;
            } else if up == "T4" {
                o.transport = o.transport.max(Transport::BanGuoSi);
            } else if up == "T0" {
                o.transport = Transport::NoRoad;
            } else if part.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("SL")) {
                let (share, counted) = match part[2..].split_once(':') {
                    Some((share, names)) => (share, Some(process_list(names))),
                    None => (&part[2..], None),
                };
                o.stop_line_share = Fraction(percent(share, part)?);
                if let Some(counted) = counted {
                    if counted.is_empty() {
                        return Err(format!(
                            "'{part}' names no counted process (write SL50:熟料, or SL50 to count every line)"
                        ));
                    }
                    o.stop_line_processes = counted;
                }
            } else if part.starts_with("SP:") || part.starts_with("sp:") {
                o.stop_processes = process_list(&part[3..]);
                if o.stop_processes.is_empty() {
                    return Err(format!("'{part}' names no process (write SP:烧结|球团)"));
                }
            } else if let Some(rest) = up.strip_prefix('L') {
                o.limit = Fraction(o.limit.0.max(percent(rest, part)?));
            } else {
                return Err(format!("unknown measure part '{part}' (use V, T4, T0, L<percent>, SL<percent>, SL<percent>:<process>, SP:<process>, S)"));
            }
        }
        Ok(o)
    }

    /// Code in the same vocabulary.
    pub fn code(&self) -> String {
        let mut parts = Vec::new();
        if self.limit.0 >= 1.0 {
            parts.push("S".to_string());
        } else {
            if !self.stop_processes.is_empty() {
                parts.push(format!("SP:{}", self.stop_processes.join("|")));
            }
            if self.stop_line_share.0 > 0.0 {
                let counted = if self.stop_line_processes.is_empty() {
                    String::new()
                } else {
                    format!(":{}", self.stop_line_processes.join("|"))
                };
                parts.push(format!("SL{}{counted}", fmt_percent(self.stop_line_share)));
            }
            if self.limit.0 > 0.0 {
                parts.push(format!("L{}", fmt_percent(self.limit)));
            }
        }
        if self.transport != Transport::None {
            parts.push(self.transport.code().to_string());
        }
        if parts.is_empty() {
            "V".into()
        } else {
            parts.join("+")
        }
    }

    /// Whether a line of `process` counts toward the whole-line stop share.
    pub fn counts_line(&self, process: &str) -> bool {
        self.stop_line_processes.is_empty() || self.stop_line_processes.iter().any(|p| p == process)
    }

    /// Chinese text.
    pub fn text_zh(&self) -> String {
        let mut parts = Vec::new();
        if self.limit.0 >= 1.0 {
            parts.push("停产".to_string());
        } else {
            if !self.stop_processes.is_empty() {
                parts.push(format!("停产{}工序", self.stop_processes.join("、")));
            }
            if self.stop_line_share.0 > 0.0 {
                let counted = if self.stop_line_processes.is_empty() {
                    String::new()
                } else {
                    format!("{}工序", self.stop_line_processes.join("、"))
                };
                parts.push(format!(
                    "停产{}%{counted}生产线（按整条线计）",
                    fmt_percent(self.stop_line_share)
                ));
            }
            if self.limit.0 > 0.0 {
                parts.push(format!("限产{}%", fmt_percent(self.limit)));
            }
        }
        if self.transport != Transport::None {
            parts.push(self.transport.zh().to_string());
        }
        if parts.is_empty() {
            "自愿减排".into()
        } else {
            parts.join("；")
        }
    }
}

/// `烧结|球团` → the trimmed, non-empty process names.
fn process_list(s: &str) -> Vec<String> {
    s.split('|')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn percent(s: &str, part: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 100.0 => Ok(v / 100.0),
        _ => Err(format!(
            "'{part}' needs a percentage between 0 and 100, e.g. L20"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        for s in [
            "V",
            "T4",
            "L20+T4",
            "S+T0",
            "SL50+T4",
            "SL50:熟料+T4",
            "SL34:烧结|球团+L20",
            "SP:烧结|球团+L20+T4",
        ] {
            assert_eq!(Obligation::parse(s).unwrap().code(), s);
        }
        assert!(Obligation::parse("L0").is_err());
        assert!(Obligation::parse("X1").is_err());
        assert!(Obligation::parse("SL50:").is_err());
        assert!(Obligation::parse("SL0:熟料").is_err());
        let kilns = Obligation::parse("SL50:熟料+T4").unwrap();
        assert!(kilns.counts_line("熟料") && !kilns.counts_line("水泥粉磨"));
        assert!(Obligation::parse("SL50").unwrap().counts_line("水泥粉磨"));
        assert_eq!(
            kilns.text_zh(),
            "停产50%熟料工序生产线（按整条线计）；国四及以下重型柴油货车禁止运输"
        );
        assert_eq!(
            Obligation::parse("SL50+T4").unwrap().text_zh(),
            "停产50%生产线（按整条线计）；国四及以下重型柴油货车禁止运输"
        );
    }
}
