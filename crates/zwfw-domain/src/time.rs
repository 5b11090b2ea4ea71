//! Time conventions: instants are stored as milliseconds since the Unix epoch
//! in UTC and shown in Asia/Shanghai (UTC+8 all year, no daylight saving).

use crate::error::{DomainError, DomainResult};
use chrono::{DateTime, FixedOffset, TimeZone, Utc};

pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// A period written as a whole number and a unit (`90s`, `30m` or
/// `30min`, `24h`, `7d`; spaces around allowed, none between) in
/// milliseconds; `None` for anything else.
pub fn period_ms(text: &str) -> Option<i64> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = t.split_at(split);
    let n: i64 = number.parse().ok()?;
    let unit_ms: i64 = match unit {
        "s" => 1_000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(unit_ms)
}

/// Formats a UTC millisecond instant as Shanghai local time `YYYY-MM-DD HH:MM:SS`.
pub fn format_local(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.with_timezone(&shanghai()).format("%Y-%m-%d %H:%M:%S").to_string(),
        None => String::from("-"),
    }
}

/// A UTC millisecond instant as Shanghai local time (the epoch if out of range).
pub fn local_naive(ms: i64) -> chrono::NaiveDateTime {
    Utc.timestamp_millis_opt(ms).single().map(|t| t.with_timezone(&shanghai()).naive_local()).unwrap_or_default()
}

/// A day as `YYYY-MM-DD` (the form dates are stored and exchanged in),
/// without going through a format string: it is written for every case
/// an evaluation reads.
pub fn ymd(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let (y, m, day) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&y) {
        return d.format("%Y-%m-%d").to_string();
    }
    format!("{y:04}-{m:02}-{day:02}")
}

/// Reads a `YYYY-MM-DD` day exactly (no other form), without a format string.
pub fn parse_ymd(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// Formats as RFC 3339 with the +08:00 offset.
pub fn format_rfc3339(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.with_timezone(&shanghai()).to_rfc3339(),
        None => String::new(),
    }
}

/// Parses an RFC 3339 instant into UTC milliseconds.
pub fn parse_rfc3339(s: &str) -> DomainResult<i64> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.timestamp_millis())
        .map_err(|_| DomainError::InvalidTime(s.to_string()))
}

/// Parses a clock offset such as `+15d`, `-2h`, `90m`, `30s` into milliseconds.
pub fn parse_offset(s: &str) -> DomainResult<i64> {
    let s = s.trim();
    let err = || DomainError::InvalidTime(s.to_string());
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'-') => (-1, &s[1..]),
        Some(b'+') => (1, &s[1..]),
        _ => (1, s),
    };
    if rest.len() < 2 {
        return Err(err());
    }
    let (num, unit) = rest.split_at(rest.len() - 1);
    let n: i64 = num.parse().map_err(|_| err())?;
    let unit_ms = match unit {
        "d" => 86_400_000,
        "h" => 3_600_000,
        "m" => 60_000,
        "s" => 1000,
        _ => return Err(err()),
    };
    n.checked_mul(unit_ms).map(|v| v * sign).ok_or_else(err)
}

#[cfg(test)]
mod tests {

    #[test]
    fn ymd_is_the_iso_day() {
        let mut d = chrono::NaiveDate::from_ymd_opt(1999, 12, 25).unwrap();
        for _ in 0..800 {
            assert_eq!(ymd(d), d.format("%Y-%m-%d").to_string());
            d = d.succ_opt().unwrap();
        }
        assert_eq!(ymd(chrono::NaiveDate::from_ymd_opt(33, 1, 2).unwrap()), "0033-01-02");
        let d = chrono::NaiveDate::from_ymd_opt(2025, 10, 11).unwrap();
        assert_eq!(parse_ymd("2025-10-11"), Some(d));
        for bad in ["2025-1-11", "2025-02-30", "2025/10/11", "２０２５-10-11", "2025-10-1a", ""] {
            assert_eq!(parse_ymd(bad), None, "{bad}");
        }
    }

    use super::*;

    #[test]
    fn formats_in_shanghai() {
        // 2025-09-26T00:30:00Z is 08:30 in Shanghai.
        let ms = parse_rfc3339("2025-09-26T00:30:00Z").unwrap();
        assert_eq!(format_local(ms), "2025-09-26 08:30:00");
        assert_eq!(format_rfc3339(ms), "2025-09-26T08:30:00+08:00");
        assert!(parse_rfc3339("2025-13-01T00:00:00Z").is_err());
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+15d").unwrap(), 15 * 86_400_000);
        assert_eq!(parse_offset("-2h").unwrap(), -2 * 3_600_000);
        assert_eq!(parse_offset("90m").unwrap(), 90 * 60_000);
        assert!(parse_offset("15").is_err());
        assert!(parse_offset("+d").is_err());
        assert!(parse_offset("3w").is_err());
    }
}
