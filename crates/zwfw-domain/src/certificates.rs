//! Staff certificates (数字证书, 承德 第十九—二十一条): a staff member's SM2
//! certificate, registered by the service centre, signs a single-use
//! challenge of the server as the second factor of a sign-in instead of a
//! TOTP code. The rules here: where a certificate stands (active, reported
//! lost, locked or revoked, expired, not yet valid), which person a
//! certificate names, when a challenge may still be answered, and the forms
//! a signature comes in. Who may register, read and report is in
//! [`crate::access::staff`].

use crate::codes::code_list;

code_list!(
    /// A certificate's reported state. A certificate without a report is active.
    Report {
        /// 挂失: the medium (USB key) is lost or stolen.
        Lost = "lost",
        /// 锁死: the medium's PIN is locked.
        Locked = "locked",
        /// 撤销/停用: revoked, as the holder or the centre reports.
        Revoked = "revoked",
        /// 吊销: on the revocation list (CRL) the CA signed.
        CaRevoked = "ca_revoked",
    }
);

impl Report {
    /// A person may report it (the holder, an administrator); a CA's
    /// revocation comes only from the CA's signed revocation list.
    pub fn by_people(self) -> bool {
        self != Report::CaRevoked
    }
}

/// Where a registered certificate stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Signs sign-ins.
    Active,
    /// Reported: blocked for good.
    Reported(Report),
    /// Past its `notAfter`.
    Expired,
    /// Before its `notBefore`.
    NotYetValid,
}

impl Standing {
    /// The certificate's standing at `now_ms`: a report first, then the dates.
    pub fn at(report: Option<Report>, not_before_ms: i64, not_after_ms: i64, now_ms: i64) -> Standing {
        match report {
            Some(r) => Standing::Reported(r),
            None if now_ms > not_after_ms => Standing::Expired,
            None if now_ms < not_before_ms => Standing::NotYetValid,
            None => Standing::Active,
        }
    }

    /// The stable code: active | lost | locked | revoked | expired | not_yet_valid.
    pub fn code(self) -> &'static str {
        match self {
            Standing::Active => "active",
            Standing::Reported(r) => r.code(),
            Standing::Expired => "expired",
            Standing::NotYetValid => "not_yet_valid",
        }
    }

    /// A re-issue (补办) may replace it: it was reported, or it expired.
    pub fn replaceable(self) -> bool {
        matches!(self, Standing::Reported(_) | Standing::Expired)
    }

    pub fn usable(self) -> bool {
        self == Standing::Active
    }

    /// A report may still be made (a reported certificate stays as reported;
    /// an expired one may still be reported lost or revoked).
    pub fn reportable(self) -> bool {
        !matches!(self, Standing::Reported(_))
    }
}

/// Why a certificate is refused at registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    /// The subject's common name is not the person's name.
    #[error("the certificate names another person")]
    OtherPerson,
    /// Past its `notAfter`.
    #[error("the certificate has expired")]
    Expired,
    /// Its `notBefore` is still to come.
    #[error("the certificate is not valid yet")]
    NotYetValid,
}

/// The binding of a certificate to a staff account: its subject's common
/// name (CN) is the account's name, exactly (blanks around ignored). Staff
/// accounts hold no 身份证号, so the name is what both carry; the centre
/// registers a certificate for one account after checking the person, and
/// a certificate is registered once (its SM3 fingerprint is unique).
pub fn names_holder(subject_cn: Option<&str>, display_name: &str) -> bool {
    subject_cn.is_some_and(|cn| !cn.trim().is_empty() && cn.trim() == display_name.trim())
}

/// Whether a certificate may be registered for the person named
/// `display_name` at `now_ms`.
pub fn check_registration(
    subject_cn: Option<&str>,
    display_name: &str,
    not_before_ms: i64,
    not_after_ms: i64,
    now_ms: i64,
) -> Result<(), RegistrationError> {
    if !names_holder(subject_cn, display_name) {
        return Err(RegistrationError::OtherPerson);
    }
    match Standing::at(None, not_before_ms, not_after_ms, now_ms) {
        Standing::Expired => Err(RegistrationError::Expired),
        Standing::NotYetValid => Err(RegistrationError::NotYetValid),
        _ => Ok(()),
    }
}

/// How long a sign-in challenge may be answered.
pub const CHALLENGE_SECONDS: i64 = 120;

/// What a challenge's text starts with: the signed text names its purpose,
/// so that a signature made for something else is no sign-in.
pub const CHALLENGE_PREFIX: &str = "zwfw-sign-in:";

/// The text to sign for a challenge of 32 random bytes (hex): ASCII, signed as its UTF-8 bytes.
pub fn challenge_text(nonce_hex: &str) -> String {
    format!("{CHALLENGE_PREFIX}{nonce_hex}")
}

/// A stored challenge, as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Challenge {
    pub session_id: i64,
    pub expires_at_ms: i64,
    pub used: bool,
}

/// Why an answer to a challenge is refused before its signature is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeError {
    /// No such challenge, or one issued to another session.
    #[error("unknown challenge")]
    Unknown,
    /// Answered already (a replay).
    #[error("the challenge was answered already")]
    Used,
    /// Past its expiry.
    #[error("the challenge has expired")]
    Expired,
}

/// Whether `c` may be answered by session `session_id` at `now_ms`.
pub fn check_challenge(c: &Challenge, session_id: i64, now_ms: i64) -> Result<(), ChallengeError> {
    if c.session_id != session_id {
        return Err(ChallengeError::Unknown);
    }
    if c.used {
        return Err(ChallengeError::Used);
    }
    if now_ms > c.expires_at_ms {
        return Err(ChallengeError::Expired);
    }
    Ok(())
}

/// An SM2 signature as r‖s (64 bytes) from the forms signing services give:
/// r‖s itself, or the DER `SEQUENCE { INTEGER r, INTEGER s }` of GB/T 35276.
pub fn signature_rs(bytes: &[u8]) -> Option<[u8; 64]> {
    if bytes.len() == 64 {
        return bytes.try_into().ok();
    }
    let (body, rest) = der_item(bytes, 0x30)?;
    if !rest.is_empty() {
        return None;
    }
    let (r, rest) = der_item(body, 0x02)?;
    let (s, rest) = der_item(rest, 0x02)?;
    if !rest.is_empty() {
        return None;
    }
    let mut out = [0u8; 64];
    let (left, right) = out.split_at_mut(32);
    for (int, half) in [(r, left), (s, right)] {
        // A positive INTEGER (its first bit clear): at most one leading zero
        // byte, kept only before a byte with the high bit set, and 32 bytes.
        if int.first().is_none_or(|b| b & 0x80 != 0) {
            return None;
        }
        let int = match int {
            [0, tail @ ..] if tail.first().is_some_and(|b| b & 0x80 != 0) => tail,
            _ => int,
        };
        if int.len() > 32 {
            return None;
        }
        half[32 - int.len()..].copy_from_slice(int);
    }
    Some(out)
}

/// The DER form of an r‖s signature (`SEQUENCE { INTEGER r, INTEGER s }`).
pub fn signature_der(rs: &[u8; 64]) -> Vec<u8> {
    let int = |half: &[u8]| {
        let start = half.iter().position(|b| *b != 0).unwrap_or(half.len() - 1);
        let mut v = half[start..].to_vec();
        if v[0] & 0x80 != 0 {
            v.insert(0, 0);
        }
        let mut out = vec![0x02, v.len() as u8];
        out.extend(v);
        out
    };
    let body = [int(&rs[..32]), int(&rs[32..])].concat();
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

/// One DER item of tag `tag` (short or one/two-byte long lengths): its content and what follows.
fn der_item(bytes: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&t, rest) = bytes.split_first()?;
    if t != tag {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        n if n < 0x80 => (n as usize, rest),
        0x81 => (*rest.first()? as usize, &rest[1..]),
        0x82 => ((*rest.first()? as usize) << 8 | *rest.get(1)? as usize, rest.get(2..)?),
        _ => return None,
    };
    (rest.len() >= len).then(|| rest.split_at(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standing_by_report_then_dates() {
        assert_eq!(Standing::at(None, 10, 20, 15), Standing::Active);
        assert_eq!(Standing::at(None, 10, 20, 21), Standing::Expired);
        assert_eq!(Standing::at(None, 10, 20, 9), Standing::NotYetValid);
        assert_eq!(Standing::at(Some(Report::Lost), 10, 20, 15), Standing::Reported(Report::Lost));
        assert_eq!(Standing::at(Some(Report::Revoked), 10, 20, 21).code(), "revoked");
        assert!(!Standing::Reported(Report::Locked).usable());
        assert!(!Standing::Reported(Report::Locked).reportable());
        assert_eq!(Standing::at(Some(Report::CaRevoked), 10, 20, 15).code(), "ca_revoked");
        assert!(Report::Lost.by_people() && Report::Revoked.by_people() && !Report::CaRevoked.by_people());
        assert!(Standing::Expired.reportable());
    }

    #[test]
    fn registration_binds_the_name() {
        assert_eq!(check_registration(Some(" 李娜 "), "李娜", 0, 100, 50), Ok(()));
        assert_eq!(check_registration(Some("李娜"), "周强", 0, 100, 50), Err(RegistrationError::OtherPerson));
        assert_eq!(check_registration(None, "李娜", 0, 100, 50), Err(RegistrationError::OtherPerson));
        assert_eq!(check_registration(Some(""), "", 0, 100, 50), Err(RegistrationError::OtherPerson));
        assert_eq!(check_registration(Some("李娜"), "李娜", 0, 100, 101), Err(RegistrationError::Expired));
        assert_eq!(check_registration(Some("李娜"), "李娜", 60, 100, 50), Err(RegistrationError::NotYetValid));
    }

    #[test]
    fn challenges_once_in_time_for_their_session() {
        let c = Challenge { session_id: 7, expires_at_ms: 1000, used: false };
        assert_eq!(check_challenge(&c, 7, 1000), Ok(()));
        assert_eq!(check_challenge(&c, 8, 10), Err(ChallengeError::Unknown));
        assert_eq!(check_challenge(&c, 7, 1001), Err(ChallengeError::Expired));
        assert_eq!(check_challenge(&Challenge { used: true, ..c }, 7, 10), Err(ChallengeError::Used));
        assert_eq!(challenge_text("ab"), "zwfw-sign-in:ab");
    }

    #[test]
    fn signatures_raw_or_der() {
        let raw: Vec<u8> = (1..=64).collect();
        assert_eq!(signature_rs(&raw).unwrap().to_vec(), raw);
        // r with its high bit set takes a leading zero; s shorter than 32 bytes.
        let mut r = vec![0x00, 0x80];
        r.extend([1u8; 31]);
        let s = vec![0x05, 0x06];
        let mut der = vec![0x30, (2 + r.len() + 2 + s.len()) as u8, 0x02, r.len() as u8];
        der.extend(&r);
        der.extend([0x02, s.len() as u8]);
        der.extend(&s);
        let rs = signature_rs(&der).unwrap();
        assert_eq!(&rs[..32], &r[1..]);
        assert_eq!(&rs[32..62], &[0u8; 30]);
        assert_eq!(&rs[62..], &[5, 6]);
        assert!(signature_rs(&der[..der.len() - 1]).is_none());
        assert_eq!(signature_rs(&signature_der(&rs)).unwrap(), rs, "round trip");
        let high = [0xffu8; 64];
        assert_eq!(signature_rs(&signature_der(&high)).unwrap(), high);
        assert!(signature_rs(&[0x30, 0x00]).is_none());
        let negative = [0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01];
        assert!(signature_rs(&negative).is_none());
    }
}
