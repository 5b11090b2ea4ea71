//! The licence's QR code: the verification address with a compact payload
//! (identifier, version, validity, key) signed by the issuing department's
//! key ([`zwfw_domain::licenses::qr`] has the bytes), and its checks: by the
//! platform (the issuer's keys, current and retired) and offline, with
//! nothing but a public key (the `zwfw licenses check-qr` command).

use super::keys::{self, Signer};
use super::verify::effective_status;
use crate::error::AppResult;
use crate::state::{App, Ctx};
use chrono::NaiveDate;
use serde::Serialize;
use zwfw_domain::licenses::qr::{self as q, QrClaims, QrPayload, QrRefusal};
use zwfw_domain::licenses::{LicenseId, LicenseMetadata, LicenseStatus};
use zwfw_store::licenses::{self as store, LicenseRow};

/// The payload of a licence version, signed by `signer`.
pub fn payload(m: &LicenseMetadata, signer: &dyn Signer) -> AppResult<String> {
    sign_payload(&m.id, m.valid_from, m.valid_until, signer)
}

/// The payload of a licence `id` valid from `valid_from` through
/// `valid_until` (`None`: long-term), signed by `signer`.
pub fn sign_payload(
    id: &LicenseId,
    valid_from: NaiveDate,
    valid_until: Option<NaiveDate>,
    signer: &dyn Signer,
) -> AppResult<String> {
    let claims = QrClaims { id: id.clone(), valid_from, valid_until, key: q::key_fingerprint(&signer.public_key()) };
    let signature = signer.sign(&claims.signed_bytes())?;
    Ok(claims.encode(&signature))
}

/// What the QR code of a licence holds: the verification address on the
/// platform's public base (`[licenses] verify_base`) with the payload.
pub fn text(st: &App, identifier: &str, payload: &str) -> String {
    q::qr_text(&st.config.licenses.verify_base, identifier, payload)
}

/// The verdict on a QR payload.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LicenseQrCheck)]
pub struct QrCheck {
    /// Whether the payload is well formed and its SM2 signature holds for a
    /// key of the issuer it names.
    pub valid: bool,
    /// Why not: malformed | unknown_key | bad_signature | other_license.
    pub reason: Option<QrRefusal>,
    /// The reason in Chinese.
    pub reason_label: Option<String>,
    /// For a malformed payload, the part at fault (encoding, length,
    /// fields, header, identifier, version, dates, key).
    pub detail: Option<String>,
    /// What the payload states (when it could be read).
    pub identifier: Option<String>,
    pub version: Option<String>,
    /// YYYY-MM-DD
    pub valid_from: Option<String>,
    /// YYYY-MM-DD; none: long-term (长期), or unread.
    pub valid_until: Option<String>,
    /// The signing key's fingerprint (8 hex digits).
    pub key: Option<String>,
    /// The public key that verified the signature, uncompressed, hex.
    pub public_key: Option<String>,
    /// The stated validity ended before today (China date).
    pub expired: bool,
    /// The licence's status on the platform now, when it holds the licence
    /// (not known offline): a QR code that verifies may belong to a licence
    /// since revoked.
    pub status: Option<LicenseStatus>,
    pub status_label: Option<String>,
    /// The verification page of the licence named.
    pub verify_url: Option<String>,
}

impl QrCheck {
    fn refused(reason: QrRefusal, detail: Option<&str>, p: Option<&QrPayload>) -> QrCheck {
        let mut c = QrCheck::read(p);
        c.reason = Some(reason);
        c.reason_label = Some(crate::messages::label("license_qr", reason.code()));
        c.detail = detail.map(str::to_string);
        c
    }

    fn read(p: Option<&QrPayload>) -> QrCheck {
        let c = p.map(|p| &p.claims);
        QrCheck {
            valid: false,
            reason: None,
            reason_label: None,
            detail: None,
            identifier: c.map(|c| c.id.to_string()),
            version: c.map(|c| c.id.version_text()),
            valid_from: c.map(|c| zwfw_domain::time::ymd(c.valid_from)),
            valid_until: c.and_then(|c| c.valid_until.map(zwfw_domain::time::ymd)),
            key: c.map(|c| c.key.clone()),
            public_key: None,
            expired: false,
            status: None,
            status_label: None,
            verify_url: c.map(|c| super::verify_path(&c.id.to_string())),
        }
    }

    fn valid(p: &QrPayload, public_key: &[u8], today: NaiveDate) -> QrCheck {
        let mut c = QrCheck::read(Some(p));
        c.valid = true;
        c.public_key = Some(hex::encode(public_key));
        c.expired = p.claims.expired_on(today);
        c
    }
}

/// The uncompressed form (`04‖x‖y`) of an SM2 public key given compressed
/// or uncompressed; `None` when it is not a point of the curve.
fn uncompressed(public_key: &[u8]) -> Option<Vec<u8>> {
    use sm2::elliptic_curve::sec1::ToEncodedPoint;
    let key = sm2::PublicKey::from_sec1_bytes(public_key).ok()?;
    Some(key.to_encoded_point(false).as_bytes().to_vec())
}

/// Checks a payload (or the QR code's whole text) with nothing but the
/// issuer's public key (hex, compressed or not) and the SM2 signer ID:
/// offline, no platform needed.
pub fn check_offline(text: &str, public_key_hex: &str, signer_id: &str, today: NaiveDate) -> QrCheck {
    let p = match q::decode(text) {
        Ok(p) => p,
        Err(part) => return QrCheck::refused(QrRefusal::Malformed, Some(part), None),
    };
    let Some(pk) = hex::decode(public_key_hex.trim()).ok().and_then(|b| uncompressed(&b)) else {
        return QrCheck::refused(QrRefusal::UnknownKey, Some("public_key"), Some(&p));
    };
    if q::key_fingerprint(&pk) != p.claims.key {
        return QrCheck::refused(QrRefusal::UnknownKey, None, Some(&p));
    }
    if !keys::verify(&pk, signer_id, &p.signed, &p.signature) {
        return QrCheck::refused(QrRefusal::BadSignature, None, Some(&p));
    }
    QrCheck::valid(&p, &pk, today)
}

/// The platform's check: the key is one of the issuing department's
/// (current or retired) whose 统一社会信用代码 the identifier names; with
/// the licence's status now when the platform holds it. `expected`: the
/// identifier of the page the QR code led to, which it must name.
pub async fn check_on(st: &App, text: &str, expected: Option<&str>) -> AppResult<(QrCheck, Option<LicenseRow>)> {
    let p = match q::decode(text) {
        Ok(p) => p,
        Err(part) => return Ok((QrCheck::refused(QrRefusal::Malformed, Some(part), None), None)),
    };
    let identifier = p.claims.id.to_string();
    if expected.is_some_and(|e| e.trim() != identifier) {
        return Ok((QrCheck::refused(QrRefusal::OtherLicense, None, Some(&p)), None));
    }
    let issuer = p.claims.id.issuer().to_string();
    let mut key = None;
    for k in store::list_keys(st.store.pool()).await? {
        let Ok(pk) = hex::decode(&k.public_key) else { continue };
        if q::key_fingerprint(&pk) == p.claims.key && st.department(k.department_id).await?.credit_code == issuer {
            key = Some((k, pk));
            break;
        }
    }
    let Some((k, pk)) = key else { return Ok((QrCheck::refused(QrRefusal::UnknownKey, None, Some(&p)), None)) };
    if !keys::verify(&pk, &k.signer_id, &p.signed, &p.signature) {
        return Ok((QrCheck::refused(QrRefusal::BadSignature, None, Some(&p)), None));
    }
    let mut c = QrCheck::valid(&p, &pk, st.today());
    let license = store::by_identifier(st.store.pool(), &identifier).await?;
    if let Some(l) = &license {
        let status = effective_status(st, l);
        c.status = Some(status);
        c.status_label = Some(status.label().into());
    }
    Ok((c, license))
}

/// The public check of a QR payload (`POST /api/v1/licenses/qr-check`);
/// recorded in the licence's 用证 log when the platform holds it.
pub async fn check(ctx: &Ctx<'_>, text: &str) -> AppResult<QrCheck> {
    let st = ctx.state;
    super::verify::throttle(ctx).await?;
    let (c, license) = check_on(st, text, None).await?;
    if let Some(l) = license {
        store::record_use(
            &st.store,
            l.id,
            &l.identifier,
            "qr_check",
            ctx.actor.map(|a| a.user_id),
            &ctx.client_addr,
            ctx.now(),
        )
        .await?;
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::licenses::{SoftwareSigner, DEFAULT_SIGNER_ID};

    fn metadata() -> LicenseMetadata {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        LicenseMetadata {
            id: LicenseId::parse("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U").unwrap(),
            name: "食品经营许可证".into(),
            number: "JY1".into(),
            type_name: "食品经营许可证".into(),
            define_authority: "国家市场监督管理总局".into(),
            issuer_name: "示例市市场监督管理局".into(),
            issued_on: d(2025, 9, 26),
            holder_name: "陈小华".into(),
            holder_code: "110101199003071234".into(),
            holder_code_type: "公民身份号码".into(),
            area_code: "430000".into(),
            valid_from: d(2025, 9, 26),
            valid_until: Some(d(2030, 12, 31)),
            item_name: "食品经营许可".into(),
            item_code: "X".into(),
            case_no: "C1".into(),
            file_sm3: String::new(),
            fields: Default::default(),
        }
    }

    #[test]
    fn offline_checks_name_the_reason() {
        let secret = sm2::SecretKey::random(&mut rand::rngs::OsRng);
        let signer = SoftwareSigner::new(&secret, DEFAULT_SIGNER_ID).unwrap();
        let pk = hex::encode(signer.public_key());
        let p = payload(&metadata(), &signer).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let ok = check_offline(&p, &pk, DEFAULT_SIGNER_ID, today);
        assert!(ok.valid && ok.reason.is_none() && !ok.expired, "{ok:?}");
        assert_eq!(ok.valid_until.as_deref(), Some("2030-12-31"));
        // The whole address read from the code checks the same.
        let url =
            zwfw_domain::licenses::qr::qr_text("https://zwfw.example.gov.cn", ok.identifier.as_deref().unwrap(), &p);
        assert!(check_offline(&url, &pk, DEFAULT_SIGNER_ID, today).valid);
        // Expired by its stated validity: still a valid signature, flagged.
        let later = check_offline(&p, &pk, DEFAULT_SIGNER_ID, NaiveDate::from_ymd_opt(2031, 1, 1).unwrap());
        assert!(later.valid && later.expired);
        // The compressed form of the same key is the same key.
        let compressed = {
            use sm2::elliptic_curve::sec1::ToEncodedPoint;
            hex::encode(secret.public_key().to_encoded_point(true).as_bytes())
        };
        assert!(check_offline(&p, &compressed, DEFAULT_SIGNER_ID, today).valid);

        // One byte of the signed part changed: the signature no longer holds.
        let mut bytes = data_encoding::BASE64URL_NOPAD.decode(p.as_bytes()).unwrap();
        let at = bytes.iter().position(|&b| b == b'|').unwrap() + 40;
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let tampered = data_encoding::BASE64URL_NOPAD.encode(&bytes);
        let c = check_offline(&tampered, &pk, DEFAULT_SIGNER_ID, today);
        assert!(!c.valid, "{c:?}");
        assert!(matches!(c.reason, Some(QrRefusal::Malformed) | Some(QrRefusal::BadSignature)), "{c:?}");
        // A byte of the signature changed.
        let mut bytes = data_encoding::BASE64URL_NOPAD.decode(p.as_bytes()).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let c = check_offline(&data_encoding::BASE64URL_NOPAD.encode(&bytes), &pk, DEFAULT_SIGNER_ID, today);
        assert_eq!((c.valid, c.reason), (false, Some(QrRefusal::BadSignature)));
        // The validity changed (still well formed): bad signature.
        let text = String::from_utf8(bytes[..bytes.len() - 65].to_vec()).unwrap().replace("20301231", "20351231");
        let mut forged = text.into_bytes();
        forged.extend_from_slice(&data_encoding::BASE64URL_NOPAD.decode(p.as_bytes()).unwrap()[bytes.len() - 65..]);
        let c = check_offline(&data_encoding::BASE64URL_NOPAD.encode(&forged), &pk, DEFAULT_SIGNER_ID, today);
        assert_eq!((c.valid, c.reason), (false, Some(QrRefusal::BadSignature)), "{c:?}");
        assert_eq!(c.valid_until.as_deref(), Some("2035-12-31"), "what it claims is shown");

        // Another key: unknown; a signer ID other than the one used: bad signature.
        let other = SoftwareSigner::new(&sm2::SecretKey::random(&mut rand::rngs::OsRng), DEFAULT_SIGNER_ID).unwrap();
        let c = check_offline(&p, &hex::encode(other.public_key()), DEFAULT_SIGNER_ID, today);
        assert_eq!((c.valid, c.reason), (false, Some(QrRefusal::UnknownKey)));
        let c = check_offline(&p, "04zz", DEFAULT_SIGNER_ID, today);
        assert_eq!((c.reason, c.detail.as_deref()), (Some(QrRefusal::UnknownKey), Some("public_key")));
        let c = check_offline(&p, &pk, "another", today);
        assert_eq!(c.reason, Some(QrRefusal::BadSignature));
        let c = check_offline("garbage!", &pk, DEFAULT_SIGNER_ID, today);
        assert_eq!((c.reason, c.detail.as_deref()), (Some(QrRefusal::Malformed), Some("encoding")));
        assert!(c.reason_label.unwrap().contains("格式"));
    }
}
