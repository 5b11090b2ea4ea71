//! Identifier newtypes validated at the edge: 居民身份证号码 (GB 11643),
//! 统一社会信用代码 (GB 32100), 行政区划代码 (GB/T 2260) and mobile numbers,
//! plus the masking rules used wherever they are shown to someone else.

use crate::error::{DomainError, DomainResult};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A citizen identity number per GB 11643-1999: 6-digit region, 8-digit birth
/// date, 3-digit sequence and an ISO 7064 MOD 11-2 check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId(String);

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

impl ResidentId {
    pub fn parse(input: &str) -> DomainResult<Self> {
        let s = input.trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(DomainError::InvalidResidentId("length"));
        }
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(DomainError::InvalidResidentId("characters"));
        }
        let province: u32 = s[0..2].parse().unwrap_or(0);
        if !(11..=82).contains(&province) {
            return Err(DomainError::InvalidResidentId("region"));
        }
        let (y, m, d) = (
            s[6..10].parse::<i32>().unwrap_or(0),
            s[10..12].parse::<u32>().unwrap_or(0),
            s[12..14].parse::<u32>().unwrap_or(0),
        );
        if y < 1900 || NaiveDate::from_ymd_opt(y, m, d).is_none() {
            return Err(DomainError::InvalidResidentId("birth_date"));
        }
        let sum: u32 = b[..17].iter().zip(ID_WEIGHTS).map(|(c, w)| u32::from(c - b'0') * w).sum();
        if ID_CHECK[(sum % 11) as usize] != b[17] {
            return Err(DomainError::InvalidResidentId("check_digit"));
        }
        Ok(ResidentId(s))
    }

    /// Computes the check character for 17 leading digits (used by the demo data
    /// and by tests).
    pub fn check_char(first17: &str) -> Option<char> {
        let b = first17.as_bytes();
        if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let sum: u32 = b.iter().zip(ID_WEIGHTS).map(|(c, w)| u32::from(c - b'0') * w).sum();
        Some(ID_CHECK[(sum % 11) as usize] as char)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("validated")
    }

    /// `110101********1234`: region and last four shown, birth date hidden.
    pub fn masked(&self) -> String {
        mask_middle(&self.0, 6, 4)
    }
}

impl TryFrom<String> for ResidentId {
    type Error = DomainError;
    fn try_from(s: String) -> DomainResult<Self> {
        ResidentId::parse(&s)
    }
}
impl From<ResidentId> for String {
    fn from(v: ResidentId) -> String {
        v.0
    }
}
impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 统一社会信用代码 per GB 32100-2015: registration authority (1), kind (1),
/// division code (6), organization code (9) and a MOD 31 check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

const CC_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const CC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

impl CreditCode {
    pub fn parse(input: &str) -> DomainResult<Self> {
        let s = input.trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(DomainError::InvalidCreditCode("length"));
        }
        let mut values = [0u32; 18];
        for (i, c) in s.bytes().enumerate() {
            match CC_CHARSET.iter().position(|&x| x == c) {
                Some(v) => values[i] = v as u32,
                None => return Err(DomainError::InvalidCreditCode("characters")),
            }
        }
        // The registration authority of GB 32100 (1–9, A, N, Y) and a
        // division code that names a place (not 000000, like a 身份证号's).
        if !b"123456789ANY".contains(&s.as_bytes()[0]) {
            return Err(DomainError::InvalidCreditCode("authority"));
        }
        let region = &s[2..8];
        if !region.bytes().all(|b| b.is_ascii_digit()) || region.starts_with('0') {
            return Err(DomainError::InvalidCreditCode("region"));
        }
        let expected = Self::check_value(&values[..17]);
        if values[17] != expected {
            return Err(DomainError::InvalidCreditCode("check_digit"));
        }
        Ok(CreditCode(s))
    }

    fn check_value(values: &[u32]) -> u32 {
        let sum: u32 = values.iter().zip(CC_WEIGHTS).map(|(v, w)| v * w).sum();
        (31 - sum % 31) % 31
    }

    /// The check character for 17 leading characters, if they are in the charset.
    pub fn check_char(first17: &str) -> Option<char> {
        if first17.len() != 17 {
            return None;
        }
        let mut values = [0u32; 17];
        for (i, c) in first17.bytes().enumerate() {
            values[i] = CC_CHARSET.iter().position(|&x| x == c)? as u32;
        }
        Some(CC_CHARSET[Self::check_value(&values) as usize] as char)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit division code embedded in the credit code.
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }
}

impl TryFrom<String> for CreditCode {
    type Error = DomainError;
    fn try_from(s: String) -> DomainResult<Self> {
        CreditCode::parse(&s)
    }
}
impl From<CreditCode> for String {
    fn from(v: CreditCode) -> String {
        v.0
    }
}
impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Level of an administrative division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 市 (prefecture-level city)
    City,
    /// 县/县级市/区
    County,
    /// 乡/镇/街道
    Town,
}

impl RegionLevel {
    pub fn code(self) -> &'static str {
        match self {
            RegionLevel::City => "city",
            RegionLevel::County => "county",
            RegionLevel::Town => "town",
        }
    }
    pub fn parse(s: &str) -> DomainResult<Self> {
        match s {
            "city" => Ok(RegionLevel::City),
            "county" => Ok(RegionLevel::County),
            "town" => Ok(RegionLevel::Town),
            _ => Err(DomainError::Invalid { field: "level", reason: "unknown" }),
        }
    }
}

/// 行政区划代码: 6 digits (GB/T 2260) for province, city and county; 9 digits
/// for towns (the county code followed by a 3-digit town number, as in the
/// statistical division codes).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(input: &str) -> DomainResult<Self> {
        let s = input.trim();
        let ok_len = s.len() == 6 || s.len() == 9;
        if !ok_len || !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(DomainError::InvalidRegionCode);
        }
        let province: u32 = s[0..2].parse().unwrap_or(0);
        if !(11..=82).contains(&province) {
            return Err(DomainError::InvalidRegionCode);
        }
        Ok(RegionCode(s.to_string()))
    }

    /// The level implied by the code's shape.
    pub fn level(&self) -> RegionLevel {
        if self.0.len() == 9 {
            RegionLevel::Town
        } else if &self.0[4..6] == "00" {
            RegionLevel::City
        } else {
            RegionLevel::County
        }
    }

    /// Whether `child` is inside this division (or is this division).
    pub fn contains(&self, child: &RegionCode) -> bool {
        match self.level() {
            RegionLevel::City => child.0[..4] == self.0[..4],
            RegionLevel::County => child.0[..6] == self.0[..6],
            RegionLevel::Town => child.0 == self.0,
        }
    }

    /// The code of the division directly above, where that is a city or county.
    pub fn parent_code(&self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::Town => Some(RegionCode(self.0[..6].to_string())),
            RegionLevel::County => Some(RegionCode(format!("{}00", &self.0[..4]))),
            RegionLevel::City => None,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RegionCode {
    type Error = DomainError;
    fn try_from(s: String) -> DomainResult<Self> {
        RegionCode::parse(&s)
    }
}
impl From<RegionCode> for String {
    fn from(v: RegionCode) -> String {
        v.0
    }
}
impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A mainland mobile number: 11 digits starting with 1 (a leading +86 is accepted).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Mobile(String);

impl Mobile {
    pub fn parse(input: &str) -> DomainResult<Self> {
        let s: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        let s = s.strip_prefix("+86").unwrap_or(&s);
        let b = s.as_bytes();
        if b.len() != 11 || b[0] != b'1' || !(b'3'..=b'9').contains(&b[1]) || !b.iter().all(u8::is_ascii_digit) {
            return Err(DomainError::InvalidMobile);
        }
        Ok(Mobile(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// `138****1234`
    pub fn masked(&self) -> String {
        mask_middle(&self.0, 3, 4)
    }

    /// Masks a stored number for display to someone other than its owner.
    pub fn mask_stored(stored: Option<&str>) -> Option<String> {
        stored.and_then(|m| Mobile::parse(m).ok()).map(|m| m.masked())
    }
}

impl TryFrom<String> for Mobile {
    type Error = DomainError;
    fn try_from(s: String) -> DomainResult<Self> {
        Mobile::parse(&s)
    }
}
impl From<Mobile> for String {
    fn from(v: Mobile) -> String {
        v.0
    }
}

/// Keeps `head` leading and `tail` trailing characters and replaces the rest by `*`.
pub fn mask_middle(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// A licensee as shown to staff of other departments and the public: a
/// company's (legal person's) name and 统一社会信用代码 whole, a natural
/// person's name and 公民身份号码 masked.
pub fn shown_holder(legal: bool, name: &str, code: &str) -> (String, String) {
    match legal {
        true => (name.to_string(), code.to_string()),
        false => (mask_name(name), mask_middle(code, 6, 4)),
    }
}

/// Masks a personal name for display to others: 张三 → 张*, 欧阳小明 → 欧***.
pub fn mask_name(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        n => format!("{}{}", chars[0], "*".repeat(n - 1)),
    }
}

/// Masks an address for display to others: the first six characters (the city and the district:
/// 示例市城关区人民路66号 → 示例市城关区****) and a fixed `****`, which says nothing of the length.
/// An address of six characters or fewer keeps its first half.
pub fn mask_address(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let keep = if chars.len() > 6 { 6 } else { chars.len() / 2 };
    let mut out: String = chars[..keep].iter().collect();
    out.push_str("****");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_id_examples() {
        // The example from the standard's annex: 11010519491231002X.
        assert!(ResidentId::parse("11010519491231002X").is_ok());
        assert!(ResidentId::parse("11010519491231002x").is_ok());
        assert_eq!(ResidentId::parse("110105194912310021"), Err(DomainError::InvalidResidentId("check_digit")));
        assert_eq!(ResidentId::parse("11010519491331002X"), Err(DomainError::InvalidResidentId("birth_date")));
        assert_eq!(ResidentId::parse("1101051949"), Err(DomainError::InvalidResidentId("length")));
        assert_eq!(ResidentId::parse("1101051949123100AX"), Err(DomainError::InvalidResidentId("characters")));
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
    }

    #[test]
    fn resident_id_check_char_round_trip() {
        let first = "52020119900307123";
        let c = ResidentId::check_char(first).unwrap();
        assert!(ResidentId::parse(&format!("{first}{c}")).is_ok());
    }

    #[test]
    fn credit_code_examples() {
        // A published code: 91350100M000100Y43.
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
        assert_eq!(CreditCode::parse("91350100M000100Y44"), Err(DomainError::InvalidCreditCode("check_digit")));
        // I, O, S, V, Z are not in the charset.
        assert_eq!(CreditCode::parse("91350100M000100I43"), Err(DomainError::InvalidCreditCode("characters")));
        assert_eq!(CreditCode::parse("9135"), Err(DomainError::InvalidCreditCode("length")));
        let first = "11520200MB1234567";
        let c = CreditCode::check_char(first).unwrap();
        let code = CreditCode::parse(&format!("{first}{c}")).unwrap();
        assert_eq!(code.region_code(), "520200");
    }

    #[test]
    fn credit_code_of_zeros_is_refused() {
        // All zeros has a valid check character ('0'), but names no authority and no place.
        assert_eq!(CreditCode::check_char("00000000000000000"), Some('0'));
        assert_eq!(CreditCode::parse("000000000000000000"), Err(DomainError::InvalidCreditCode("authority")));
        for first in ["91000000MA1234567", "11000000MB1234567", "9105000012345678A"] {
            let first = &first[..17];
            let code = format!("{first}{}", CreditCode::check_char(first).unwrap());
            assert_eq!(CreditCode::parse(&code), Err(DomainError::InvalidCreditCode("region")), "{code}");
        }
        let first = "01520200MB1234567";
        let code = format!("{first}{}", CreditCode::check_char(first).unwrap());
        assert_eq!(CreditCode::parse(&code), Err(DomainError::InvalidCreditCode("authority")));
        // The central authorities' division code 100000 names the country.
        assert!(CreditCode::parse("11100000000013338W").is_ok());
    }

    #[test]
    fn region_codes() {
        let city = RegionCode::parse("520200").unwrap();
        let county = RegionCode::parse("520201").unwrap();
        let town = RegionCode::parse("520201001").unwrap();
        assert_eq!(city.level(), RegionLevel::City);
        assert_eq!(county.level(), RegionLevel::County);
        assert_eq!(town.level(), RegionLevel::Town);
        assert!(city.contains(&town));
        assert!(county.contains(&town));
        assert!(!RegionCode::parse("520202").unwrap().contains(&town));
        assert_eq!(town.parent_code(), Some(county.clone()));
        assert_eq!(county.parent_code(), Some(city));
        assert!(RegionCode::parse("99000").is_err());
        assert!(RegionCode::parse("990000").is_err());
        assert!(RegionCode::parse("52020a").is_err());
    }

    #[test]
    fn mobiles_and_masks() {
        let m = Mobile::parse("+86 138-0013-8000").unwrap();
        assert_eq!(m.as_str(), "13800138000");
        assert_eq!(m.masked(), "138****8000");
        assert!(Mobile::parse("12800138000").is_err());
        assert!(Mobile::parse("1380013800").is_err());
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳小明"), "欧***");
        assert_eq!(mask_address("示例市城关区人民路66号"), "示例市城关区****");
        assert_eq!(mask_address("示例市东城区幸福里小区5栋102室"), "示例市东城区****");
        assert_eq!(mask_address("城关区人民路"), "城关区****");
        assert_eq!(mask_address(""), "");
    }

    proptest::proptest! {
        #[test]
        fn any_single_digit_change_breaks_resident_id(pos in 0usize..17, delta in 1u8..10) {
            let valid = "11010519491231002X";
            let mut b = valid.as_bytes().to_vec();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            let s = String::from_utf8(b).unwrap();
            // Either the birth date or the region becomes invalid, or the check fails.
            proptest::prop_assert!(ResidentId::parse(&s).is_err());
        }

        #[test]
        fn any_single_char_change_breaks_credit_code(pos in 0usize..18, delta in 1usize..31) {
            let valid = "91350100M000100Y43";
            let mut b = valid.as_bytes().to_vec();
            let v = CC_CHARSET.iter().position(|&x| x == b[pos]).unwrap();
            b[pos] = CC_CHARSET[(v + delta) % 31];
            let s = String::from_utf8(b).unwrap();
            proptest::prop_assert!(CreditCode::parse(&s).is_err());
        }
    }
}
