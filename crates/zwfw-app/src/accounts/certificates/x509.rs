//! The X.509 side of staff certificates: reading a certificate (PEM or DER)
//! down to what is registered, checking that an SM2 CA signed it, the
//! software signer (a PKCS#8 SM2 key signing a challenge, as the vendor's
//! signing service does in production) and the demo CA that issues
//! certificates for tests and demonstrations.

use std::str::FromStr;
use x509_cert::crl::CertificateList;
use x509_cert::der::asn1::{BitString, GeneralizedTime, UtcTime};
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::pem::LineEnding;
use x509_cert::der::{Decode, DecodePem, Encode, EncodePem, Tagged};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};
use zwfw_domain::certificates as dc;

/// id-ecPublicKey (RFC 5480).
pub const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// The SM2 curve (GB/T 33560).
pub const SM2_CURVE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.301");
/// SM2 signature with SM3 (GB/T 33560).
pub const SM2_WITH_SM3: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.501");
/// The subject's common name (CN).
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// The SM2 distinguishing ID of GB/T 32918.2 / GM/T 0009 used by certificates and signing services.
pub const DISTINGUISHING_ID: &str = "1234567812345678";

/// Why a certificate cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadError {
    /// Neither a PEM nor a DER X.509 certificate.
    Unreadable,
    /// Its public key is not an SM2 key.
    NotSm2,
}

/// What is kept of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// Upper-case hex.
    pub serial: String,
    /// RFC 4514 text.
    pub issuer: String,
    pub subject: String,
    /// The subject's common name, when it has one.
    pub common_name: Option<String>,
    pub not_before_ms: i64,
    pub not_after_ms: i64,
    /// SM3 of the DER, hex.
    pub fingerprint: String,
    /// The SM2 public key, uncompressed (`04‖x‖y`).
    pub public_key: Vec<u8>,
    /// The certificate as PEM (whatever form it came in).
    pub pem: String,
    cert: Certificate,
}

fn millis(t: &Time) -> i64 {
    i64::try_from(t.to_unix_duration().as_millis()).unwrap_or(i64::MAX)
}

/// The text of a name attribute's value (UTF8String, PrintableString,
/// IA5String, BMPString — the last used by some Chinese CAs).
fn attribute_text(value: &x509_cert::der::Any) -> Option<String> {
    use x509_cert::der::asn1::{BmpString, Ia5StringRef, PrintableStringRef, Utf8StringRef};
    use x509_cert::der::Tag;
    match value.tag() {
        Tag::Utf8String => Utf8StringRef::try_from(value).ok().map(|s| s.as_str().to_string()),
        Tag::PrintableString => PrintableStringRef::try_from(value).ok().map(|s| s.as_str().to_string()),
        Tag::Ia5String => Ia5StringRef::try_from(value).ok().map(|s| s.as_str().to_string()),
        Tag::BmpString => BmpString::from_der(&value.to_der().ok()?).ok().map(|s| s.to_string()),
        _ => None,
    }
}

fn common_name(name: &Name) -> Option<String> {
    name.0.iter().flat_map(|rdn| rdn.0.iter()).find(|a| a.oid == COMMON_NAME).and_then(|a| attribute_text(&a.value))
}

/// Reads a certificate given as PEM text or DER bytes.
pub fn read(bytes: &[u8]) -> Result<Parsed, ReadError> {
    let text = std::str::from_utf8(bytes).ok().map(str::trim).filter(|t| t.starts_with("-----BEGIN"));
    let cert = match text {
        Some(t) => Certificate::from_pem(t).map_err(|_| ReadError::Unreadable)?,
        None => Certificate::from_der(bytes).map_err(|_| ReadError::Unreadable)?,
    };
    of(cert)
}

fn of(cert: Certificate) -> Result<Parsed, ReadError> {
    let tbs = &cert.tbs_certificate;
    let public_key = sm2_key(&tbs.subject_public_key_info).ok_or(ReadError::NotSm2)?;
    let der = cert.to_der().map_err(|_| ReadError::Unreadable)?;
    let pem = cert.to_pem(LineEnding::LF).map_err(|_| ReadError::Unreadable)?;
    Ok(Parsed {
        serial: hex::encode_upper(tbs.serial_number.as_bytes()),
        issuer: tbs.issuer.to_string(),
        subject: tbs.subject.to_string(),
        common_name: common_name(&tbs.subject),
        not_before_ms: millis(&tbs.validity.not_before),
        not_after_ms: millis(&tbs.validity.not_after),
        fingerprint: zwfw_domain::audit::sm3_hex(&der),
        public_key,
        pem,
        cert,
    })
}

/// The SM2 public key of a key info: id-ecPublicKey on the SM2 curve, a point on it.
fn sm2_key(spki: &SubjectPublicKeyInfoOwned) -> Option<Vec<u8>> {
    if spki.algorithm.oid != EC_PUBLIC_KEY {
        return None;
    }
    let curve: ObjectIdentifier = spki.algorithm.parameters.as_ref()?.decode_as().ok()?;
    if curve != SM2_CURVE {
        return None;
    }
    let point = spki.subject_public_key.as_bytes()?;
    let key = sm2::PublicKey::from_sec1_bytes(point).ok()?;
    use sm2::elliptic_curve::sec1::ToEncodedPoint;
    Some(key.to_encoded_point(false).as_bytes().to_vec())
}

/// Whether `ca` issued `cert`: the issuer is the CA's subject and the CA's
/// SM2 key verifies the SM2-with-SM3 signature over the certificate's body.
pub fn issued_by(cert: &Parsed, ca: &Parsed) -> bool {
    if cert.cert.tbs_certificate.issuer != ca.cert.tbs_certificate.subject
        || cert.cert.signature_algorithm.oid != SM2_WITH_SM3
    {
        return false;
    }
    let Ok(tbs) = cert.cert.tbs_certificate.to_der() else { return false };
    let Some(sig) = cert.cert.signature.as_bytes().and_then(dc::signature_rs) else { return false };
    crate::licenses::keys::verify(&ca.public_key, DISTINGUISHING_ID, &tbs, &sig)
}

/// Whether `signature` (r‖s or DER) over `message` holds for the certificate's key.
pub fn verifies(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    dc::signature_rs(signature)
        .is_some_and(|rs| crate::licenses::keys::verify(public_key, DISTINGUISHING_ID, message, &rs))
}

// ---------- the software signer and the demo CA ----------

/// Why a key file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("not a PEM PKCS#8 SM2 private key (-----BEGIN PRIVATE KEY-----)")]
    Unreadable,
    #[error("{0}")]
    Encoding(String),
}

/// An SM2 private key from PKCS#8 PEM (as `openssl genpkey -algorithm SM2` writes it).
pub fn read_key(pem: &str) -> Result<sm2::SecretKey, KeyError> {
    use sm2::pkcs8::DecodePrivateKey;
    let (label, der) = x509_cert::der::pem::decode_vec(pem.trim().as_bytes()).map_err(|_| KeyError::Unreadable)?;
    if label != "PRIVATE KEY" {
        return Err(KeyError::Unreadable);
    }
    sm2::SecretKey::from_pkcs8_der(&der).map_err(|_| KeyError::Unreadable)
}

/// A key as PKCS#8 PEM.
pub fn key_pem(key: &sm2::SecretKey) -> Result<String, KeyError> {
    use sm2::pkcs8::EncodePrivateKey;
    let der = key.to_pkcs8_der().map_err(|e| KeyError::Encoding(e.to_string()))?;
    x509_cert::der::pem::encode_string("PRIVATE KEY", LineEnding::LF, der.as_bytes())
        .map_err(|e| KeyError::Encoding(e.to_string()))
}

/// Signs `message` with SM2 (SM3 digest, the default distinguishing ID):
/// the DER signature, as signing services answer.
pub fn sign(key: &sm2::SecretKey, message: &[u8]) -> Result<Vec<u8>, KeyError> {
    use sm2::dsa::signature::Signer;
    let k = sm2::dsa::SigningKey::new(DISTINGUISHING_ID, key).map_err(|e| KeyError::Encoding(e.to_string()))?;
    let s: sm2::dsa::Signature = k.try_sign(message).map_err(|e| KeyError::Encoding(e.to_string()))?;
    Ok(dc::signature_der(&s.to_bytes()))
}

/// A certificate to issue.
pub struct Issue<'a> {
    /// RFC 4514 text, e.g. `CN=李娜,OU=市场监督管理局,O=示例市`.
    pub subject: &'a str,
    pub not_before_ms: i64,
    pub not_after_ms: i64,
    /// The key certified.
    pub key: &'a sm2::PublicKey,
    /// A CA certificate (basicConstraints cA, keyCertSign), or a holder's (digitalSignature).
    pub ca: bool,
}

/// The extensions of an issued certificate: basic constraints and key usage, both critical.
fn extensions(ca: bool) -> Result<Vec<x509_cert::ext::Extension>, x509_cert::der::Error> {
    use x509_cert::der::asn1::OctetString;
    use x509_cert::der::oid::AssociatedOid;
    use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
    let usage = if ca { KeyUsages::KeyCertSign | KeyUsages::CRLSign } else { KeyUsages::DigitalSignature.into() };
    Ok(vec![
        x509_cert::ext::Extension {
            extn_id: BasicConstraints::OID,
            critical: true,
            extn_value: OctetString::new(BasicConstraints { ca, path_len_constraint: None }.to_der()?)?,
        },
        x509_cert::ext::Extension {
            extn_id: KeyUsage::OID,
            critical: true,
            extn_value: OctetString::new(KeyUsage(usage).to_der()?)?,
        },
    ])
}

fn time(ms: i64) -> Result<Time, KeyError> {
    let d = std::time::Duration::from_millis(u64::try_from(ms.max(0)).unwrap_or(0) / 1000 * 1000);
    let err = |e: x509_cert::der::Error| KeyError::Encoding(e.to_string());
    // UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
    if ms < 2_524_608_000_000 {
        Ok(Time::UtcTime(UtcTime::from_unix_duration(d).map_err(err)?))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_unix_duration(d).map_err(err)?))
    }
}

/// Issues a certificate signed by `issuer_key` under the name `issuer`
/// (for a self-signed CA: its own subject and key); PEM.
pub fn issue(i: &Issue<'_>, issuer: &str, issuer_key: &sm2::SecretKey) -> Result<String, KeyError> {
    use rand::RngCore;
    let err = |e: x509_cert::der::Error| KeyError::Encoding(e.to_string());
    let mut serial = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut serial);
    serial[0] = (serial[0] & 0x7f) | 0x10;
    let sig_alg = AlgorithmIdentifierOwned { oid: SM2_WITH_SM3, parameters: None };
    let spki = SubjectPublicKeyInfoOwned::from_key(*i.key).map_err(|e| KeyError::Encoding(e.to_string()))?;
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&serial).map_err(err)?,
        signature: sig_alg.clone(),
        issuer: Name::from_str(issuer).map_err(err)?,
        validity: Validity { not_before: time(i.not_before_ms)?, not_after: time(i.not_after_ms)? },
        subject: Name::from_str(i.subject).map_err(err)?,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions(i.ca).map_err(err)?),
    };
    let body = tbs.to_der().map_err(err)?;
    let signature = sign(issuer_key, &body)?;
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: sig_alg,
        signature: BitString::from_bytes(&signature).map_err(err)?,
    };
    cert.to_pem(LineEnding::LF).map_err(err)
}

// ---------- revocation lists (CRL) ----------

/// A certificate revocation list (RFC 5280 section 5) as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crl {
    /// The CA's name, RFC 4514 text.
    pub issuer: String,
    pub this_update_ms: i64,
    pub next_update_ms: Option<i64>,
    /// The serials revoked (upper-case hex, as [`Parsed::serial`]) and when.
    pub revoked: Vec<(String, i64)>,
    /// SM3 of the DER, hex.
    pub fingerprint: String,
    pub pem: String,
    crl: CertificateList,
}

/// The PEM label of a CRL.
const CRL_LABEL: &str = "X509 CRL";

/// Reads a CRL given as PEM (`-----BEGIN X509 CRL-----`) or DER; `None`
/// when it is neither.
pub fn read_crl(bytes: &[u8]) -> Option<Crl> {
    let text = std::str::from_utf8(bytes).ok().map(str::trim).filter(|t| t.starts_with("-----BEGIN"));
    let der = match text {
        Some(t) => {
            let (label, der) = x509_cert::der::pem::decode_vec(t.as_bytes()).ok()?;
            if label != CRL_LABEL {
                return None;
            }
            der
        }
        None => bytes.to_vec(),
    };
    let crl = CertificateList::from_der(&der).ok()?;
    let tbs = &crl.tbs_cert_list;
    let revoked = tbs
        .revoked_certificates
        .iter()
        .flatten()
        .map(|r| (hex::encode_upper(r.serial_number.as_bytes()), millis(&r.revocation_date)))
        .collect();
    Some(Crl {
        issuer: tbs.issuer.to_string(),
        this_update_ms: millis(&tbs.this_update),
        next_update_ms: tbs.next_update.as_ref().map(millis),
        revoked,
        fingerprint: zwfw_domain::audit::sm3_hex(&der),
        pem: x509_cert::der::pem::encode_string(CRL_LABEL, LineEnding::LF, &der).ok()?,
        crl,
    })
}

/// Whether `ca` signed the CRL: its issuer is the CA's subject and the CA's
/// SM2 key verifies the SM2-with-SM3 signature over the list's body.
pub fn crl_signed_by(crl: &Crl, ca: &Parsed) -> bool {
    let c = &crl.crl;
    if c.tbs_cert_list.issuer != ca.cert.tbs_certificate.subject || c.signature_algorithm.oid != SM2_WITH_SM3 {
        return false;
    }
    let Ok(tbs) = c.tbs_cert_list.to_der() else { return false };
    let Some(sig) = c.signature.as_bytes().and_then(dc::signature_rs) else { return false };
    crate::licenses::keys::verify(&ca.public_key, DISTINGUISHING_ID, &tbs, &sig)
}

/// Issues a CRL of the CA named `issuer` listing `revoked` (serials as
/// upper-case hex, revocation times epoch ms), signed with `issuer_key`; PEM.
pub fn issue_crl(
    issuer: &str,
    issuer_key: &sm2::SecretKey,
    this_update_ms: i64,
    next_update_ms: i64,
    revoked: &[(String, i64)],
) -> Result<String, KeyError> {
    use x509_cert::crl::{RevokedCert, TbsCertList};
    let err = |e: x509_cert::der::Error| KeyError::Encoding(e.to_string());
    let sig_alg = AlgorithmIdentifierOwned { oid: SM2_WITH_SM3, parameters: None };
    let mut entries = Vec::new();
    for (serial, at) in revoked {
        let bytes = hex::decode(serial).map_err(|_| KeyError::Encoding(format!("not a hex serial: {serial}")))?;
        entries.push(RevokedCert {
            serial_number: SerialNumber::new(&bytes).map_err(err)?,
            revocation_date: time(*at)?,
            crl_entry_extensions: None,
        });
    }
    let tbs = TbsCertList {
        version: Version::V2,
        signature: sig_alg.clone(),
        issuer: Name::from_str(issuer).map_err(err)?,
        this_update: time(this_update_ms)?,
        next_update: Some(time(next_update_ms)?),
        revoked_certificates: if entries.is_empty() { None } else { Some(entries) },
        crl_extensions: None,
    };
    let body = tbs.to_der().map_err(err)?;
    let signature = sign(issuer_key, &body)?;
    let crl = CertificateList {
        tbs_cert_list: tbs,
        signature_algorithm: sig_alg,
        signature: BitString::from_bytes(&signature).map_err(err)?,
    };
    let der = crl.to_der().map_err(err)?;
    x509_cert::der::pem::encode_string(CRL_LABEL, LineEnding::LF, &der).map_err(|e| KeyError::Encoding(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> sm2::SecretKey {
        sm2::SecretKey::random(&mut rand::rngs::OsRng)
    }

    #[test]
    fn issued_certificates_read_back_and_chain_to_their_ca() {
        let (ca_key, holder) = (key(), key());
        let ca_name = "CN=示例市数字证书演示CA,O=示例市";
        let ca_pem = issue(
            &Issue {
                subject: ca_name,
                not_before_ms: 0,
                not_after_ms: 4_000_000_000_000,
                key: &ca_key.public_key(),
                ca: true,
            },
            ca_name,
            &ca_key,
        )
        .unwrap();
        let pem = issue(
            &Issue {
                subject: "CN=李娜,OU=市场监督管理局,O=示例市",
                not_before_ms: 1_767_225_600_000,
                not_after_ms: 1_830_297_600_000,
                key: &holder.public_key(),
                ca: false,
            },
            ca_name,
            &ca_key,
        )
        .unwrap();
        let (ca, cert) = (read(ca_pem.as_bytes()).unwrap(), read(pem.as_bytes()).unwrap());
        assert_eq!(cert.common_name.as_deref(), Some("李娜"));
        assert_eq!(cert.not_before_ms, 1_767_225_600_000);
        assert_eq!(cert.not_after_ms, 1_830_297_600_000);
        assert_eq!(cert.fingerprint.len(), 64);
        assert!(issued_by(&cert, &ca) && issued_by(&ca, &ca));
        assert!(!issued_by(&ca, &cert), "the holder issued nothing");
        // DER reads the same.
        let der = x509_cert::der::pem::decode_vec(pem.as_bytes()).unwrap().1;
        assert_eq!(read(&der).unwrap().fingerprint, cert.fingerprint);
        // Signing and verifying a challenge; a forged signature does not verify.
        let msg = b"zwfw-sign-in:00ff";
        let sig = sign(&holder, msg).unwrap();
        assert!(verifies(&cert.public_key, msg, &sig));
        assert!(verifies(&cert.public_key, msg, &dc::signature_rs(&sig).unwrap()));
        assert!(!verifies(&cert.public_key, b"zwfw-sign-in:00fe", &sig));
        assert!(!verifies(&ca.public_key, msg, &sig));
        // A key file round trip.
        let back = read_key(&key_pem(&holder).unwrap()).unwrap();
        assert_eq!(back.to_bytes(), holder.to_bytes());
        assert_eq!(read(b"not a certificate"), Err(ReadError::Unreadable));
    }

    #[test]
    fn revocation_lists_read_back_and_verify_with_their_ca_only() {
        let (ca_key, other_key) = (key(), key());
        let ca_name = "CN=示例市数字证书演示CA,O=示例市";
        let ca_cert = |k: &sm2::SecretKey| {
            let pem = issue(
                &Issue {
                    subject: ca_name,
                    not_before_ms: 0,
                    not_after_ms: 4_000_000_000_000,
                    key: &k.public_key(),
                    ca: true,
                },
                ca_name,
                k,
            )
            .unwrap();
            read(pem.as_bytes()).unwrap()
        };
        let (ca, impostor) = (ca_cert(&ca_key), ca_cert(&other_key));
        let revoked = vec![("1A2B3C".to_string(), 1_767_225_600_000), ("7F00".to_string(), 1_767_312_000_000)];
        let pem = issue_crl(ca_name, &ca_key, 1_767_400_000_000, 1_768_000_000_000, &revoked).unwrap();
        assert!(pem.starts_with("-----BEGIN X509 CRL-----"));
        let crl = read_crl(pem.as_bytes()).unwrap();
        assert_eq!(crl.revoked, revoked);
        assert_eq!(crl.this_update_ms, 1_767_400_000_000);
        assert_eq!(crl.next_update_ms, Some(1_768_000_000_000));
        assert_eq!(crl.issuer, ca.subject);
        assert!(crl_signed_by(&crl, &ca));
        assert!(!crl_signed_by(&crl, &impostor), "the same name, another key");
        // Signed by another key under the CA's name: refused.
        let forged = read_crl(issue_crl(ca_name, &other_key, 1, 2, &revoked).unwrap().as_bytes()).unwrap();
        assert!(!crl_signed_by(&forged, &ca));
        // DER reads the same; a certificate is no CRL.
        let der = x509_cert::der::pem::decode_vec(pem.as_bytes()).unwrap().1;
        assert_eq!(read_crl(&der).unwrap().fingerprint, crl.fingerprint);
        assert!(read_crl(ca.pem.as_bytes()).is_none());
        assert!(read_crl(b"nothing").is_none());
        // An empty list.
        assert!(read_crl(issue_crl(ca_name, &ca_key, 1, 2, &[]).unwrap().as_bytes()).unwrap().revoked.is_empty());
    }

    /// Certificates and keys made by another implementation (OpenSSL 3:
    /// `openssl genpkey -algorithm SM2`, `openssl req -x509 -sm3 -sigopt
    /// distid:1234567812345678`; a P-256 one for the refusal) read, verify
    /// and sign as ours do.
    #[test]
    fn openssl_made_certificates_and_keys() {
        let cert = read(include_bytes!("fixtures/openssl-sm2.pem")).unwrap();
        assert_eq!(cert.common_name.as_deref(), Some("周强"));
        assert!(issued_by(&cert, &cert), "OpenSSL's SM2-with-SM3 self-signature verifies");
        let key = read_key(include_str!("fixtures/openssl-sm2.key")).unwrap();
        let sig = sign(&key, b"zwfw-sign-in:01").unwrap();
        assert!(verifies(&cert.public_key, b"zwfw-sign-in:01", &sig));
        assert_eq!(read(include_bytes!("fixtures/openssl-p256.pem")), Err(ReadError::NotSm2));
    }
}
