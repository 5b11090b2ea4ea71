//! Case numbers (办件编号) and other serial-numbered references.

use chrono::NaiveDate;

/// 办件编号: the item's implementation code, the day of submission and a
/// daily serial of at least [`CASE_SERIAL_DIGITS`] digits.
pub fn case_number(impl_code: &str, day: NaiveDate, serial: i64) -> String {
    numbered(&case_number_prefix(impl_code, day), serial)
}

/// The 办件编号 of serial `serial` after its `prefix` ([`case_number_prefix`]).
pub fn numbered(prefix: &str, serial: i64) -> String {
    format!("{prefix}{serial:0width$}", width = CASE_SERIAL_DIGITS)
}

/// The part of a 办件编号 before its serial; every case of the item that day shares it.
pub fn case_number_prefix(impl_code: &str, day: NaiveDate) -> String {
    format!("{impl_code}{}", day.format("%Y%m%d"))
}

/// A 办件编号 split for display: the head (the item's implementation code)
/// that lists shorten, and the tail (day of submission and serial) that they
/// always show. The two parts together are the full number.
pub fn case_number_parts(no: &str) -> (&str, &str) {
    let tail = 8 + CASE_SERIAL_DIGITS;
    if !no.is_ascii() || no.len() <= tail + 2 {
        return ("", no);
    }
    no.split_at(no.len() - tail)
}

/// The serial's least number of digits (zero-padded).
pub const CASE_SERIAL_DIGITS: usize = 4;
