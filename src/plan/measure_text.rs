//! Measure texts as lists write them (限产30%, 停产, 停止使用国四及以下重型柴油货车运输,
//! 停产50%生产线, a line's declared option …) mapped back to measure codes.

use crate::domain::{Measure, Transport};
use crate::units::Fraction;

/// Texts that mean "no measure beyond voluntary".
const VOLUNTARY: &[&str] = &[
    "",
    "v",
    "无",
    "/",
    "-",
    "—",
    "——",
    "自愿减排",
    "自主减排",
    "自愿",
    "不管控",
    "voluntary",
];

/// The measure a list cell describes. `declared` holds the line's declared options as
/// (code, text). The error is the fragment that could not be understood.
pub fn parse_measure_text(text: &str, declared: &[(&str, &str)]) -> Result<Measure, String> {
    let t = text.trim();
    if VOLUNTARY.contains(&t.to_lowercase().as_str()) {
        return Ok(Measure::voluntary());
    }
    if is_code(t) {
        if let Some(m) = Measure::parse_code(t) {
            return Ok(m);
        }
    }
    let mut m = Measure::voluntary();
    let mut main = false;
    let mut rest = t;
    // A declared option's text, possibly followed by a transport restriction.
    let best = declared
        .iter()
        .filter(|(_, d)| !d.is_empty() && t.starts_with(d.trim()))
        .max_by_key(|(_, d)| d.trim().len());
    if let Some((code, d)) = best {
        m.declared = Some(code.to_string());
        main = true;
        rest = &t[d.trim().len()..];
    }
    for fragment in rest
        .split(['；', ';', '，', ',', '、', '。', '\n'])
        .map(normalise)
        .filter(|f| !f.is_empty())
    {
        let lower = fragment.to_lowercase();
        if VOLUNTARY.contains(&lower.as_str()) {
            continue;
        }
        if let Some(tr) = transport(&lower) {
            if m.transport != Transport::None && m.transport != tr {
                return Err(fragment);
            }
            m.transport = m.transport.max(tr);
            continue;
        }
        let limit = main_measure(&lower).ok_or_else(|| fragment.clone())?;
        if main {
            return Err(fragment);
        }
        m.limit = limit;
        main = true;
    }
    Ok(m)
}

/// A measure code written as such (`L30+T4`, `S`, `D:COAT1`), not a phrase.
fn is_code(t: &str) -> bool {
    t.is_ascii() && !t.contains(' ') && Measure::parse_code(t).is_some()
}

/// Full-width digits, percent signs and spaces normalised.
fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '％' => '%',
            '．' => '.',
            c => c,
        })
        .collect()
}

/// A transport restriction phrase.
fn transport(f: &str) -> Option<Transport> {
    let china_iv = f.contains("国四") || f.contains("国iv") || f.contains("china-iv");
    if china_iv && (f.contains("货车") || f.contains("运输") || f.contains("truck")) {
        return Some(Transport::BanGuoSi);
    }
    let road = [
        "停止公路运输",
        "禁止公路运输",
        "不得公路运输",
        "停止使用公路运输",
    ];
    if road.iter().any(|p| f.contains(p)) || f.contains("noroadtransport") {
        return Some(Transport::NoRoad);
    }
    None
}

/// The percentage in a phrase (`限产30%` → 30).
fn percent(f: &str) -> Option<f64> {
    let at = f.find('%')?;
    let digits: String = f[..at]
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let v: f64 = digits.parse().ok()?;
    (v.is_finite() && (0.0..=100.0).contains(&v)).then_some(v)
}

/// An output limit or stop phrase, as the share of output lost.
fn main_measure(f: &str) -> Option<Fraction> {
    // 停产50%生产线 / 50%生产线停产: half the lines stop, half the output is lost.
    if f.contains("生产线") && f.contains('停') {
        return percent(f).map(|v| Fraction(v / 100.0));
    }
    let limits = [
        "限产",
        "减产",
        "限制生产",
        "压减产能",
        "压减产量",
        "limitoutputby",
    ];
    if limits.iter().any(|p| f.contains(p)) {
        return percent(f).map(|v| Fraction(v / 100.0));
    }
    let stops = [
        "停产",
        "停止生产",
        "全厂停产",
        "全部停产",
        "停产停工",
        "停工",
        "stop",
    ];
    if stops.contains(&f) || (f.starts_with("停产") && !f.contains('%')) {
        return Some(Fraction::ONE);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(t: &str) -> String {
        parse_measure_text(t, &[("COAT1", "更换低VOCs涂料")])
            .map(|m| m.code())
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn our_texts_and_usual_phrasings() {
        for (text, want) in [
            ("自愿减排", "V"),
            ("", "V"),
            ("限产30%", "L30"),
            ("限产 12.5％", "L12.5"),
            ("停产", "S"),
            ("停产；国四及以下重型柴油货车禁止运输", "S+T4"),
            ("限产20%；停止使用国四及以下重型柴油货车运输", "L20+T4"),
            ("国四及以下重型柴油货车禁止运输", "T4"),
            ("停产；停止公路运输", "S+T0"),
            ("停产50%生产线", "L50"),
            ("50%生产线停产", "L50"),
            (
                "更换低VOCs涂料；国四及以下重型柴油货车禁止运输",
                "D:COAT1+T4",
            ),
            ("L30+T4", "L30+T4"),
            (
                "limit output by 30%; no China-IV-or-older heavy trucks",
                "L30+T4",
            ),
            ("stop; no road transport", "S+T0"),
            ("voluntary", "V"),
        ] {
            assert_eq!(code(text), want, "{text}");
        }
    }

    #[test]
    fn unknown_phrasings_are_refused() {
        assert_eq!(code("加强管理"), "ERR 加强管理");
        assert_eq!(code("限产"), "ERR 限产");
        assert_eq!(code("限产30%；停产"), "ERR 停产");
        assert_eq!(code("国五及以下货车禁止运输"), "ERR 国五及以下货车禁止运输");
    }
}
