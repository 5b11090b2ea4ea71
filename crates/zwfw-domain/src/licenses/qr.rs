//! The compact signed payload a licence's QR code carries, so that the
//! licence can be checked offline: its identifier, version and validity
//! and the issuer's key, signed with SM2-SM3 by the same key as the
//! licence. (The licence's main signature covers the SM3 of its file, which
//! cannot be inside a picture printed in that same file.)
//!
//! Byte for byte (all ASCII):
//!
//! ```text
//! signed  = "zwfw-qr/1" "|" identifier "|" version "|" valid_from "|" valid_until "|" key
//! payload = base64url-without-padding( signed "|" r‖s )
//! QR text = <base>/verify/<identifier>?qr=<payload>
//! ```
//!
//! - `identifier`: the licence's identifier as printed (GB/T 36904);
//! - `version`: its three digits (`001`), the same as in the identifier;
//! - `valid_from`, `valid_until`: `YYYYMMDD` (China dates), `valid_until`
//!   `-` for a long-term licence;
//! - `key`: 8 lower-case hexadecimal digits, the first 4 bytes of the SM3 of
//!   the signing key's uncompressed public key (`04‖x‖y`, 65 bytes), so that
//!   a checker knows which of the issuer's keys (current or retired) to use;
//! - `r‖s`: the SM2 signature over `signed`, 64 bytes (r and s big-endian,
//!   32 bytes each), with the platform's signer ID.

use crate::codes::code_list;
use crate::licenses::{expired_on, LicenseId};
use chrono::NaiveDate;
use sm3::{Digest, Sm3};

/// The first field of the signed bytes: the encoding and its version.
pub const QR_HEADER: &str = "zwfw-qr/1";
/// The query parameter of the verification address holding the payload.
pub const QR_PARAM: &str = "qr";
/// The length of an SM2 signature r‖s.
const SIG_LEN: usize = 64;

code_list!(
    /// Why a QR payload is refused (its Chinese text is in the messages
    /// catalogue, `license_qr`).
    QrRefusal {
        /// Not a payload of this encoding (bad base64url, fields, identifier, dates).
        Malformed = "malformed",
        /// Signed by a key the checker does not know for this issuer.
        UnknownKey = "unknown_key",
        /// The signature does not hold: the content was altered.
        BadSignature = "bad_signature",
        /// The payload belongs to another licence than the one looked at.
        OtherLicense = "other_license",
    }
);

/// What a QR payload states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrClaims {
    pub id: LicenseId,
    pub valid_from: NaiveDate,
    /// `None`: long-term (长期).
    pub valid_until: Option<NaiveDate>,
    /// The signing key's fingerprint ([`key_fingerprint`]).
    pub key: String,
}

/// A decoded payload: its claims, the exact bytes signed and the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrPayload {
    pub claims: QrClaims,
    pub signed: Vec<u8>,
    pub signature: [u8; SIG_LEN],
}

/// The fingerprint of a public key in a QR payload: the first 4 bytes of
/// its SM3, 8 lower-case hex digits.
pub fn key_fingerprint(public_key: &[u8]) -> String {
    hex::encode(&Sm3::digest(public_key)[..4])
}

fn compact(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

fn parse_compact(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y%m%d").ok()
}

impl QrClaims {
    /// The exact bytes signed.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let until = self.valid_until.map(compact).unwrap_or_else(|| "-".into());
        format!("{QR_HEADER}|{}|{}|{}|{until}|{}", self.id, self.id.version_text(), compact(self.valid_from), self.key)
            .into_bytes()
    }

    /// The payload: the signed bytes, `|` and the signature, in base64url
    /// without padding.
    pub fn encode(&self, signature: &[u8; SIG_LEN]) -> String {
        let mut bytes = self.signed_bytes();
        bytes.push(b'|');
        bytes.extend_from_slice(signature);
        data_encoding::BASE64URL_NOPAD.encode(&bytes)
    }

    /// Whether the licence's validity has ended by `today` (China date).
    pub fn expired_on(&self, today: NaiveDate) -> bool {
        expired_on(self.valid_until, today)
    }
}

/// The address the QR code opens: the verification page with the payload.
/// `base` is the platform's public address (no trailing `/`), or empty for
/// the path alone.
pub fn qr_text(base: &str, id: &str, payload: &str) -> String {
    let base = base.trim_end_matches('/');
    if payload.is_empty() {
        format!("{base}/verify/{id}")
    } else {
        format!("{base}/verify/{id}?{QR_PARAM}={payload}")
    }
}

/// The payload of a text read from a QR code: the whole verification
/// address (its `qr` parameter), or the payload alone.
fn payload_part(text: &str) -> &str {
    let t = text.trim();
    let Some(q) = t.find('?') else { return t };
    let query = t[q + 1..].split('#').next().unwrap_or_default();
    query.split('&').find_map(|kv| kv.strip_prefix("qr=")).unwrap_or_default()
}

/// Decodes a payload (or the QR code's whole text). The reason names what
/// is malformed: `encoding`, `length`, `fields`, `header`, `identifier`,
/// `version`, `dates`, `key`.
pub fn decode(text: &str) -> Result<QrPayload, &'static str> {
    let part = payload_part(text).trim_end_matches('=');
    if part.is_empty() {
        return Err("encoding");
    }
    let bytes = data_encoding::BASE64URL_NOPAD.decode(part.as_bytes()).map_err(|_| "encoding")?;
    if bytes.len() < SIG_LEN + 2 || bytes[bytes.len() - SIG_LEN - 1] != b'|' {
        return Err("length");
    }
    let (signed, rest) = bytes.split_at(bytes.len() - SIG_LEN - 1);
    let signature: [u8; SIG_LEN] = rest[1..].try_into().map_err(|_| "length")?;
    let text = std::str::from_utf8(signed).map_err(|_| "fields")?;
    if !text.is_ascii() {
        return Err("fields");
    }
    let fields: Vec<&str> = text.split('|').collect();
    let [header, id, version, from, until, key] = fields[..] else { return Err("fields") };
    if header != QR_HEADER {
        return Err("header");
    }
    let id = LicenseId::parse(id).map_err(|_| "identifier")?;
    if version != id.version_text() {
        return Err("version");
    }
    let valid_from = parse_compact(from).ok_or("dates")?;
    let valid_until = match until {
        "-" => None,
        d => Some(parse_compact(d).ok_or("dates")?),
    };
    if valid_until.is_some_and(|u| u < valid_from) {
        return Err("dates");
    }
    if key.len() != 8 || !key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err("key");
    }
    let claims = QrClaims { id, valid_from, valid_until, key: key.to_string() };
    // One payload, one way of writing it (no blanks, no lower-case letters).
    if claims.signed_bytes() != signed {
        return Err("fields");
    }
    Ok(QrPayload { claims, signed: signed.to_vec(), signature })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(until: Option<NaiveDate>) -> QrClaims {
        QrClaims {
            id: LicenseId::parse("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U").unwrap(),
            valid_from: NaiveDate::from_ymd_opt(2025, 9, 26).unwrap(),
            valid_until: until,
            key: key_fingerprint(b"\x04key"),
        }
    }

    #[test]
    fn the_signed_bytes_are_the_documented_ones() {
        let c = claims(NaiveDate::from_ymd_opt(2030, 12, 31));
        let text = String::from_utf8(c.signed_bytes()).unwrap();
        assert_eq!(
            text,
            format!(
                "zwfw-qr/1|1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U|001|20250926|20301231|{}",
                c.key
            )
        );
        assert_eq!(c.key.len(), 8);
        let long = String::from_utf8(claims(None).signed_bytes()).unwrap();
        assert!(long.contains("|20250926|-|"), "{long}");
    }

    #[test]
    fn payloads_round_trip_alone_or_in_their_address() {
        let c = claims(NaiveDate::from_ymd_opt(2030, 12, 31));
        let sig = [7u8; 64];
        let p = c.encode(&sig);
        assert!(p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{p}");
        let d = decode(&p).unwrap();
        assert_eq!((d.claims.clone(), d.signature, d.signed.clone()), (c.clone(), sig, c.signed_bytes()));
        let url = qr_text("https://zwfw.example.gov.cn/", &c.id.to_string(), &p);
        assert!(url.starts_with("https://zwfw.example.gov.cn/verify/1.2.156.3005.2."), "{url}");
        assert_eq!(decode(&url).unwrap(), d);
        assert_eq!(decode(&format!("{url}&lang=zh#top")).unwrap(), d);
        assert_eq!(decode(&format!(" {p}\n")).unwrap(), d);
        assert_eq!(decode(&claims(None).encode(&sig)).unwrap().claims.valid_until, None);
    }

    #[test]
    fn malformed_payloads_name_what_is_wrong() {
        let c = claims(NaiveDate::from_ymd_opt(2030, 12, 31));
        let sig = [1u8; 64];
        let with = |signed: &str| {
            let mut b = signed.as_bytes().to_vec();
            b.push(b'|');
            b.extend_from_slice(&sig);
            data_encoding::BASE64URL_NOPAD.encode(&b)
        };
        let good = String::from_utf8(c.signed_bytes()).unwrap();
        assert_eq!(decode(&with(&good)).map(|p| p.claims), Ok(c.clone()));
        assert_eq!(decode(""), Err("encoding"));
        assert_eq!(decode("not base64!"), Err("encoding"));
        assert_eq!(decode("https://x/verify/1.2"), Err("encoding"));
        assert_eq!(decode(&data_encoding::BASE64URL_NOPAD.encode(b"short")), Err("length"));
        assert_eq!(decode(&with(&good.replace("zwfw-qr/1", "zwfw-qr/2"))), Err("header"));
        assert_eq!(decode(&with(&good.replace(".001.U|", ".001.V|"))), Err("identifier"));
        assert_eq!(decode(&with(&good.replace("|001|", "|002|"))), Err("version"));
        assert_eq!(decode(&with(&good.replace("20301231", "20301232"))), Err("dates"));
        assert_eq!(decode(&with(&good.replace("20301231", "20200101"))), Err("dates"));
        assert_eq!(decode(&with(&good.replace(&c.key, "XYZ12345"))), Err("key"));
        assert_eq!(decode(&with(&format!("{good}|extra"))), Err("fields"));
        assert_eq!(decode(&with(&good.replace("zwfw-qr/1|", "zwfw-qr/1| "))), Err("fields"), "one way of writing it");
    }

    #[test]
    fn a_payload_past_its_last_day_is_expired() {
        let c = claims(NaiveDate::from_ymd_opt(2030, 12, 31));
        assert!(!c.expired_on(NaiveDate::from_ymd_opt(2030, 12, 31).unwrap()));
        assert!(c.expired_on(NaiveDate::from_ymd_opt(2031, 1, 1).unwrap()));
        assert!(!claims(None).expired_on(NaiveDate::from_ymd_opt(2099, 1, 1).unwrap()));
    }
}
