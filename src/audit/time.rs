//! Time stamps of meter data: ISO 8601 with or without an offset; no offset means Asia/Shanghai
//! local time, a fixed UTC+08:00 (China has no daylight saving time). Stored as UTC milliseconds.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};

/// Asia/Shanghai: UTC+08:00 all year.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// Milliseconds in an hour.
pub const HOUR_MS: i64 = 3_600_000;

/// Why a time stamp was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Not one of the accepted shapes, or no such date or time of day.
    #[error("not a time stamp (use ISO 8601: 2021-12-20T08:00:00, optionally with +08:00)")]
    Shape,
    /// A UTC offset outside −12:00 … +14:00 or with minutes ≥ 60.
    #[error(
        "UTC offset {0} is not a real offset (use −12:00 … +14:00, minutes below 60, e.g. +08:00)"
    )]
    Offset(String),
}

/// Largest offsets in use on Earth, in minutes: UTC−12:00 and UTC+14:00.
const OFFSET_RANGE_MIN: std::ops::RangeInclusive<i64> = -12 * 60..=14 * 60;

/// Check a trailing `±HH:MM` offset, if the stamp has one (after a time of day).
fn check_offset(s: &str) -> Result<(), TimeError> {
    let b = s.as_bytes();
    if b.len() < 17 {
        return Ok(());
    }
    let t = &b[b.len() - 6..];
    let digits = [1, 2, 4, 5].iter().all(|&i| t[i].is_ascii_digit());
    if !(matches!(t[0], b'+' | b'-') && t[3] == b':' && digits) {
        return Ok(());
    }
    let d = |i: usize| i64::from(t[i] - b'0');
    let (h, m) = (d(1) * 10 + d(2), d(4) * 10 + d(5));
    let signed = if t[0] == b'-' {
        -(h * 60 + m)
    } else {
        h * 60 + m
    };
    if m >= 60 || !OFFSET_RANGE_MIN.contains(&signed) {
        return Err(TimeError::Offset(s[s.len() - 6..].to_string()));
    }
    Ok(())
}

/// Parse a time stamp to UTC milliseconds.
pub fn parse(s: &str) -> Result<i64, TimeError> {
    let s = super::evidence::trim(s);
    check_offset(s)?;
    parse_shape(s).ok_or(TimeError::Shape)
}

fn parse_shape(s: &str) -> Option<i64> {
    if let Some(ms) = fast(s.as_bytes()) {
        return Some(ms);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%d %H:%M%:z",
        "%Y-%m-%dT%H:%M%:z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(t.timestamp_millis());
        }
    }
    let naive = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })?;
    shanghai()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.timestamp_millis())
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The decimal number written by `b[r]` (all ASCII digits), if any.
#[inline(always)]
fn digits(b: &[u8], r: std::ops::Range<usize>) -> Option<i64> {
    let part = b.get(r)?;
    let mut acc = 0i64;
    for &c in part {
        if !c.is_ascii_digit() {
            return None;
        }
        acc = acc * 10 + i64::from(c - b'0');
    }
    Some(acc)
}

/// The common shapes without allocation: `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH:MM]`.
fn fast(b: &[u8]) -> Option<i64> {
    if b.len() < 16
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b' ')
        || b[13] != b':'
    {
        return None;
    }
    let (y, mo, d, h, mi) = (
        digits(b, 0..4)?,
        digits(b, 5..7)?,
        digits(b, 8..10)?,
        digits(b, 11..13)?,
        digits(b, 14..16)?,
    );
    let mut i = 16;
    let mut sec = 0;
    let mut ms = 0;
    if b.get(i) == Some(&b':') {
        sec = digits(b, i + 1..i + 3)?;
        i += 3;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            let mut j = start;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if j == start {
                return None;
            }
            let frac = digits(b, start..j.min(start + 3))?;
            ms = frac * 10i64.pow(3 - (j.min(start + 3) - start) as u32);
            i = j;
        }
    }
    let offset_s = match b.get(i) {
        None => 8 * 3600,
        Some(b'Z') if i + 1 == b.len() => 0,
        Some(&c @ (b'+' | b'-')) if b.len() == i + 6 && b[i + 3] == b':' => {
            let o = digits(b, i + 1..i + 3)? * 3600 + digits(b, i + 4..i + 6)? * 60;
            if c == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo)
        || d < 1
        || d > month_days[(mo - 1) as usize]
        || h > 23
        || mi > 59
        || sec > 59
    {
        return None;
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset_s;
    Some(secs * 1000 + ms)
}

/// Format UTC milliseconds as local time with its offset (`2021-12-20T08:00:00+08:00`).
pub fn format(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&shanghai()).to_rfc3339())
        .unwrap_or_default()
}

/// Parse `START..END` into a half-open window of UTC milliseconds.
pub fn window(s: &str) -> Result<(i64, i64), String> {
    let (a, b) = s.split_once("..").ok_or_else(|| {
        format!("'{s}': write START..END, e.g. 2021-12-20T00:00..2021-12-23T00:00")
    })?;
    let start = parse(a).map_err(|e| format!("'{a}': {e}"))?;
    let end = parse(b).map_err(|e| format!("'{b}': {e}"))?;
    if end <= start {
        return Err(format!("'{s}': the end must be after the start"));
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_and_offset_forms_agree() {
        let a = parse("2021-12-20T08:00:00").unwrap();
        assert_eq!(parse("2021-12-20 08:00").unwrap(), a);
        assert_eq!(parse("2021-12-20T08:00:00+08:00").unwrap(), a);
        assert_eq!(parse("2021-12-20T00:00:00Z").unwrap(), a);
        assert_eq!(format(a), "2021-12-20T08:00:00+08:00");
        assert_eq!(parse("2021-13-01"), Err(TimeError::Shape));
        assert_eq!(parse("2021-02-29T00:00"), Err(TimeError::Shape));
        assert_eq!(
            parse("2020-02-29T23:59:59.5-01:30").unwrap(),
            1_583_026_199_500
        );
        // The fast path agrees with chrono's RFC 3339 parser.
        for (ours, rfc) in [
            ("2021-12-20T08:15:00", "2021-12-20T08:15:00+08:00"),
            ("1999-01-01 00:00:07+05:30", "1999-01-01T00:00:07+05:30"),
            ("2024-02-29T12:00Z", "2024-02-29T12:00:00Z"),
        ] {
            let expected = DateTime::parse_from_rfc3339(rfc)
                .unwrap()
                .timestamp_millis();
            assert_eq!(fast(ours.as_bytes()), Some(expected), "{ours}");
        }
    }

    #[test]
    fn offsets_outside_the_earths_are_refused() {
        for bad in [
            "2021-12-20T08:00:00+99:99",
            "2021-12-20T08:00:00+25:00",
            "2021-12-20 08:00+14:01",
            "2021-12-20T08:00-12:30",
            "2021-12-20T08:00:00+08:60",
        ] {
            assert!(matches!(parse(bad), Err(TimeError::Offset(_))), "{bad}");
        }
        for good in [
            "2021-12-20T08:00:00+14:00",
            "2021-12-20T08:00:00-12:00",
            "2021-12-20T08:00+05:45",
            "2021-12-20T08:00:00-00:00",
        ] {
            assert!(parse(good).is_ok(), "{good}");
        }
    }
}
