//! Time stamps of meter data: ISO 8601 with or without an offset; no offset means Asia/Shanghai
//! local time, a fixed UTC+08:00 (China has no daylight saving time). Stored as UTC milliseconds.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};

/// Asia/Shanghai: UTC+08:00 all year.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// Milliseconds in an hour.
pub const HOUR_MS: i64 = 3_600_000;

/// Parse a time stamp to UTC milliseconds.
pub fn parse(s: &str) -> Option<i64> {
    let s = s.trim();
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

/// The common shapes without allocation: `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH:MM]`.
fn fast(b: &[u8]) -> Option<i64> {
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        part.iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    if b.len() < 16
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b' ')
        || b[13] != b':'
    {
        return None;
    }
    let (y, mo, d, h, mi) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
    );
    let mut i = 16;
    let mut sec = 0;
    let mut ms = 0;
    if b.get(i) == Some(&b':') {
        sec = num(i + 1..i + 3)?;
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
            let digits = num(start..j.min(start + 3))?;
            ms = digits * 10i64.pow(3 - (j.min(start + 3) - start) as u32);
            i = j;
        }
    }
    let offset_s = match b.get(i) {
        None => 8 * 3600,
        Some(b'Z') if i + 1 == b.len() => 0,
        Some(&c @ (b'+' | b'-')) if b.len() == i + 6 && b[i + 3] == b':' => {
            let o = num(i + 1..i + 3)? * 3600 + num(i + 4..i + 6)? * 60;
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
    let start = parse(a).ok_or_else(|| format!("'{a}' is not a time stamp"))?;
    let end = parse(b).ok_or_else(|| format!("'{b}' is not a time stamp"))?;
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
        assert!(parse("2021-13-01").is_none());
        assert!(parse("2021-02-29T00:00").is_none());
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
}
