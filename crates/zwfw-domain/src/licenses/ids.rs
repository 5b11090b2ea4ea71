//! 电子证照标识 (GB/T 36904-2018): `1.2.156.3005.2.<证照类型代码>.<证照颁发机构代码>.<流水号>.<版本号>.<校验位>`,
//! the 证照类型代码 and the ISO/IEC 7064 MOD 37,36 (hybrid) check character.

use crate::error::{DomainError, DomainResult};
use crate::ids::CreditCode;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The fixed root of every identifier (电子证照根代码).
pub const ROOT: &str = "1.2.156.3005.2";

/// The longest 流水号 accepted. The standard's maximum was not available;
/// observed serials are 7 to 32 characters and the national exchange column
/// holding the whole identifier is 128 characters.
pub const SERIAL_MAX: usize = 40;

const SYMBOLS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn symbol_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

/// The running product of ISO/IEC 7064 MOD 37,36 over `input`, and the last
/// `S mod 36` (None when a character is outside `0-9A-Z`).
fn mod37_36(input: &str) -> Option<(u32, u32)> {
    let mut p = 36;
    let mut last = 0;
    for c in input.bytes() {
        let s = p + symbol_value(c)?;
        last = s % 36;
        let r = if last == 0 { 36 } else { last };
        p = (2 * r) % 37;
    }
    Some((p, last))
}

/// The ISO/IEC 7064 MOD 37,36 check character of `input` (characters
/// `0-9A-Z` only; anything else answers `None`).
pub fn check_char(input: &str) -> Option<char> {
    let (p, _) = mod37_36(input)?;
    Some(SYMBOLS[((37 - p) % 36) as usize] as char)
}

/// Whether `input_with_check` (the check character last) holds.
pub fn check_holds(input_with_check: &str) -> bool {
    !input_with_check.is_empty() && mod37_36(input_with_check).is_some_and(|(_, last)| last == 1)
}

fn bad(reason: &'static str) -> DomainError {
    DomainError::InvalidLicenseId(reason)
}

/// 证照类型代码: the 统一社会信用代码 of the defining authority (证照定义机构)
/// and a 3-digit sequence, 21 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LicenseTypeCode(String);

impl LicenseTypeCode {
    /// Parses a type code; the authority's credit code is checked (GB 32100).
    pub fn parse(input: &str) -> DomainResult<Self> {
        let s = input.trim().to_ascii_uppercase();
        if s.len() != 21 || !s.is_ascii() {
            return Err(DomainError::InvalidLicenseTypeCode("length"));
        }
        CreditCode::parse(&s[..18]).map_err(|_| DomainError::InvalidLicenseTypeCode("authority"))?;
        if !s.as_bytes()[18..].iter().all(u8::is_ascii_digit) {
            return Err(DomainError::InvalidLicenseTypeCode("sequence"));
        }
        Ok(LicenseTypeCode(s))
    }

    /// The defining authority's 统一社会信用代码.
    pub fn authority(&self) -> &str {
        &self.0[..18]
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LicenseTypeCode {
    type Error = DomainError;
    fn try_from(s: String) -> DomainResult<Self> {
        LicenseTypeCode::parse(&s)
    }
}
impl From<LicenseTypeCode> for String {
    fn from(v: LicenseTypeCode) -> String {
        v.0
    }
}
impl fmt::Display for LicenseTypeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An electronic licence's identifier (电子证照标识).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LicenseId {
    type_code: LicenseTypeCode,
    issuer: CreditCode,
    serial: String,
    version: u16,
    check: char,
}

impl LicenseId {
    /// A new identifier: its check character computed. `version` is 1 for
    /// the first issue (`001`) and at most 999.
    pub fn new(type_code: LicenseTypeCode, issuer: CreditCode, serial: &str, version: u16) -> DomainResult<Self> {
        if serial.is_empty() || serial.len() > SERIAL_MAX || !serial.bytes().all(|c| symbol_value(c).is_some()) {
            return Err(bad("serial"));
        }
        if !(1..=999).contains(&version) {
            return Err(bad("version"));
        }
        let mut id = LicenseId { type_code, issuer, serial: serial.to_string(), version, check: '0' };
        id.check = check_char(&id.check_input()).ok_or_else(|| bad("characters"))?;
        Ok(id)
    }

    /// Parses an identifier exactly as written (letters upper-case): root,
    /// six parts, the type code and the issuer's credit code valid, and the
    /// check character matching.
    pub fn parse(input: &str) -> DomainResult<Self> {
        let s = input.trim();
        let rest = s.strip_prefix(ROOT).and_then(|r| r.strip_prefix('.')).ok_or_else(|| bad("root"))?;
        let parts: Vec<&str> = rest.split('.').collect();
        let [type_code, issuer, serial, version, check] = parts[..] else {
            return Err(bad("parts"));
        };
        if !rest.bytes().all(|c| c == b'.' || symbol_value(c).is_some()) {
            return Err(bad("characters"));
        }
        let type_code = LicenseTypeCode::parse(type_code).map_err(|_| bad("type_code"))?;
        let issuer = CreditCode::parse(issuer).map_err(|_| bad("issuer"))?;
        if serial.is_empty() || serial.len() > SERIAL_MAX {
            return Err(bad("serial"));
        }
        if version.len() != 3 || !version.bytes().all(|c| c.is_ascii_digit()) || version == "000" {
            return Err(bad("version"));
        }
        let version: u16 = version.parse().map_err(|_| bad("version"))?;
        let [check] = check.as_bytes() else {
            return Err(bad("check_character"));
        };
        let id = LicenseId::new(type_code, issuer, serial, version)?;
        if id.check as u8 != *check {
            return Err(bad("check_character"));
        }
        Ok(id)
    }

    /// Parses an identifier whose check character may be wrong, as some
    /// deployed systems compute it: everything else is checked as by
    /// [`LicenseId::parse`]; the check character is kept as written (one of
    /// `0-9A-Z`). Answers the identifier and whether its check character
    /// holds.
    pub fn parse_as_written(input: &str) -> DomainResult<(Self, bool)> {
        match LicenseId::parse(input) {
            Ok(id) => Ok((id, true)),
            Err(DomainError::InvalidLicenseId("check_character")) => {
                let written = input.trim().rsplit('.').next().unwrap_or_default();
                let [c] = written.as_bytes() else { return Err(bad("check_character")) };
                if symbol_value(*c).is_none() {
                    return Err(bad("check_character"));
                }
                let computed = input.trim().strip_suffix(written).unwrap_or_default().to_string() + "0";
                // The same identifier with any check character parses but for
                // that character: take its parts from there.
                let mut id = LicenseId::parse_parts(&computed)?;
                id.check = *c as char;
                Ok((id, false))
            }
            Err(e) => Err(e),
        }
    }

    /// The parts of an identifier, its check character recomputed.
    fn parse_parts(input: &str) -> DomainResult<Self> {
        let rest = input.strip_prefix(ROOT).and_then(|r| r.strip_prefix('.')).ok_or_else(|| bad("root"))?;
        let parts: Vec<&str> = rest.split('.').collect();
        let [type_code, issuer, serial, version, _] = parts[..] else { return Err(bad("parts")) };
        let version: u16 = version.parse().map_err(|_| bad("version"))?;
        LicenseId::new(
            LicenseTypeCode::parse(type_code).map_err(|_| bad("type_code"))?,
            CreditCode::parse(issuer).map_err(|_| bad("issuer"))?,
            serial,
            version,
        )
    }

    /// The check character this identifier should have (the one computed
    /// over its parts).
    pub fn expected_check(&self) -> char {
        check_char(&self.check_input()).unwrap_or('0')
    }

    /// Whether its check character is the computed one (always, except for
    /// an identifier read by [`LicenseId::parse_as_written`]).
    pub fn check_valid(&self) -> bool {
        self.expected_check() == self.check
    }

    /// The text the check character is computed over: type code, issuer,
    /// serial and version, without the root and the dots.
    pub fn check_input(&self) -> String {
        format!("{}{}{}{:03}", self.type_code, self.issuer, self.serial, self.version)
    }

    /// The same licence's next version (换发, 变更): version + 1.
    pub fn next_version(&self) -> DomainResult<Self> {
        LicenseId::new(self.type_code.clone(), self.issuer.clone(), &self.serial, self.version + 1)
    }

    pub fn type_code(&self) -> &LicenseTypeCode {
        &self.type_code
    }
    pub fn issuer(&self) -> &CreditCode {
        &self.issuer
    }
    pub fn serial(&self) -> &str {
        &self.serial
    }
    pub fn version(&self) -> u16 {
        self.version
    }
    /// `001`, `002`, …
    pub fn version_text(&self) -> String {
        format!("{:03}", self.version)
    }
    pub fn check(&self) -> char {
        self.check
    }
}

impl fmt::Display for LicenseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{ROOT}.{}.{}.{}.{:03}.{}", self.type_code, self.issuer, self.serial, self.version, self.check)
    }
}
impl TryFrom<String> for LicenseId {
    type Error = DomainError;
    fn try_from(s: String) -> DomainResult<Self> {
        LicenseId::parse(&s)
    }
}
impl From<LicenseId> for String {
    fn from(v: LicenseId) -> String {
        v.to_string()
    }
}
