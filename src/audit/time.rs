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
        assert!(window("2021-12-20..2021-12-19").is_err());
    }
}
