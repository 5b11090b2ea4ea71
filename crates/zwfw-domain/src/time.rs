//! Time conventions: instants are stored as milliseconds since the Unix epoch
//! in UTC and shown in Asia/Shanghai (UTC+8 all year, no daylight saving).

use crate::error::{DomainError, DomainResult};
use chrono::{DateTime, FixedOffset, TimeZone, Utc};

pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// Formats a UTC millisecond instant as Shanghai local time `YYYY-MM-DD HH:MM:SS`.
pub fn format_local(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.with_timezone(&shanghai()).format("%Y-%m-%d %H:%M:%S").to_string(),
        None => String::from("-"),
    }
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
