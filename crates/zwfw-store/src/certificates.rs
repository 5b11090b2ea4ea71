//! Staff certificates (migrations 0052, 0059): the registered SM2 certificates,
//! the reports that block them, and the single-use sign-in challenges.
//! Certificates and reports are append-only.

use crate::db::{query, Ex, Row};
use crate::{RowExt, StoreError, StoreResult, Tx};

/// A registered certificate with its report, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRow {
    pub id: i64,
    pub user_id: i64,
    /// Upper-case hex.
    pub serial: String,
    pub issuer: String,
    pub subject: String,
    pub not_before: i64,
    pub not_after: i64,
    /// SM3 of the DER, hex.
    pub fingerprint: String,
    /// Uncompressed SM2 public key, hex.
    pub public_key: String,
    pub pem: String,
    pub ca_checked: bool,
    pub replaces: Option<i64>,
    pub registered_by: Option<i64>,
    pub registered_name: String,
    pub registered_at: i64,
    pub reason: String,
    /// lost | locked | revoked, when reported.
    pub report: Option<String>,
    pub report_reason: Option<String>,
    pub reported_name: Option<String>,
    pub reported_at: Option<i64>,
}

fn row(r: &Row) -> CertificateRow {
    CertificateRow {
        id: r.i64("id"),
        user_id: r.i64("user_id"),
        serial: r.str("serial"),
        issuer: r.str("issuer"),
        subject: r.str("subject"),
        not_before: r.i64("not_before"),
        not_after: r.i64("not_after"),
        fingerprint: r.str("fingerprint"),
        public_key: r.str("public_key"),
        pem: r.str("pem"),
        ca_checked: r.i64("ca_checked") != 0,
        replaces: r.opt_i64("replaces"),
        registered_by: r.opt_i64("registered_by"),
        registered_name: r.str("registered_name"),
        registered_at: r.i64("registered_at"),
        reason: r.str("reason"),
        report: r.opt_str("report"),
        report_reason: r.opt_str("report_reason"),
        reported_name: r.opt_str("reported_name"),
        reported_at: r.opt_i64("reported_at"),
    }
}

const SELECT: &str = "SELECT c.*, r.state AS report, r.reason AS report_reason, r.reported_name, r.reported_at \
     FROM staff_certificates c LEFT JOIN staff_certificate_reports r ON r.certificate_id = c.id";

/// A certificate to register.
pub struct NewCertificate<'a> {
    pub user_id: i64,
    pub serial: &'a str,
    pub issuer: &'a str,
    pub subject: &'a str,
    pub not_before: i64,
    pub not_after: i64,
    pub fingerprint: &'a str,
    pub public_key: &'a str,
    pub pem: &'a str,
    pub ca_checked: bool,
    pub replaces: Option<i64>,
    pub registered_by: Option<i64>,
    pub registered_name: &'a str,
    pub registered_at: i64,
    pub reason: &'a str,
}

/// Registers a certificate; its id. `Duplicate("certificate")` when the
/// same certificate is registered already (for anyone).
pub async fn insert(tx: &mut Tx, n: &NewCertificate<'_>) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO staff_certificates (user_id, serial, issuer, subject, not_before, not_after, fingerprint, \
         public_key, pem, ca_checked, replaces, registered_by, registered_name, registered_at, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(n.user_id)
    .bind(n.serial)
    .bind(n.issuer)
    .bind(n.subject)
    .bind(n.not_before)
    .bind(n.not_after)
    .bind(n.fingerprint)
    .bind(n.public_key)
    .bind(n.pem)
    .bind(i64::from(n.ca_checked))
    .bind(n.replaces)
    .bind(n.registered_by)
    .bind(n.registered_name)
    .bind(n.registered_at)
    .bind(n.reason)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| StoreError::unique_as(e, "certificate"))?;
    Ok(r.i64("id"))
}

pub async fn get(ex: Ex<'_>, id: i64) -> StoreResult<CertificateRow> {
    query(format!("{SELECT} WHERE c.id = $1")).bind(id).one(ex, "certificate", row).await
}

/// A certificate by its SM3 fingerprint, registered for anyone.
pub async fn by_fingerprint(ex: Ex<'_>, fingerprint: &str) -> StoreResult<Option<CertificateRow>> {
    query(format!("{SELECT} WHERE c.fingerprint = $1")).bind(fingerprint).maybe(ex, row).await
}

/// A person's certificates, the latest registered first.
pub async fn for_user(ex: Ex<'_>, user_id: i64) -> StoreResult<Vec<CertificateRow>> {
    query(format!("{SELECT} WHERE c.user_id = $1 ORDER BY c.id DESC")).bind(user_id).all(ex, row).await
}

/// Whether the person has a certificate without a report whose validity
/// covers `now_ms`.
pub async fn has_usable(ex: Ex<'_>, user_id: i64, now_ms: i64) -> StoreResult<bool> {
    let r = query(
        "SELECT COUNT(*) AS n FROM staff_certificates c WHERE c.user_id = $1 AND c.not_before <= $2 \
         AND c.not_after >= $2 AND NOT EXISTS (SELECT 1 FROM staff_certificate_reports r WHERE r.certificate_id = c.id)",
    )
    .bind(user_id)
    .bind(now_ms)
    .fetch_one(ex)
    .await?;
    Ok(r.i64("n") > 0)
}

/// A report that blocks a certificate.
pub struct NewReport<'a> {
    pub certificate_id: i64,
    pub user_id: i64,
    pub state: &'a str,
    pub reason: &'a str,
    pub reported_by: Option<i64>,
    pub reported_name: &'a str,
    pub reported_at: i64,
}

/// Records a report; `Duplicate("certificate_report")` when the certificate
/// was reported already (one report each, final).
pub async fn insert_report(tx: &mut Tx, n: &NewReport<'_>) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO staff_certificate_reports (certificate_id, user_id, state, reason, reported_by, reported_name, \
         reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(n.certificate_id)
    .bind(n.user_id)
    .bind(n.state)
    .bind(n.reason)
    .bind(n.reported_by)
    .bind(n.reported_name)
    .bind(n.reported_at)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| StoreError::unique_as(e, "certificate_report"))?;
    Ok(r.i64("id"))
}

/// A sign-in challenge as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeRow {
    pub id: i64,
    pub nonce: String,
    pub session_id: i64,
    pub user_id: i64,
    pub certificate_id: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub outcome: Option<String>,
}

fn challenge_row(r: &Row) -> ChallengeRow {
    ChallengeRow {
        id: r.i64("id"),
        nonce: r.str("nonce"),
        session_id: r.i64("session_id"),
        user_id: r.i64("user_id"),
        certificate_id: r.i64("certificate_id"),
        created_at: r.i64("created_at"),
        expires_at: r.i64("expires_at"),
        used_at: r.opt_i64("used_at"),
        outcome: r.opt_str("outcome"),
    }
}

/// A challenge to store.
pub struct NewChallenge<'a> {
    pub nonce: &'a str,
    pub session_id: i64,
    pub user_id: i64,
    pub certificate_id: i64,
    pub created_at: i64,
    pub expires_at: i64,
}

pub async fn insert_challenge(tx: &mut Tx, n: &NewChallenge<'_>) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO certificate_challenges (nonce, session_id, user_id, certificate_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(n.nonce)
    .bind(n.session_id)
    .bind(n.user_id)
    .bind(n.certificate_id)
    .bind(n.created_at)
    .bind(n.expires_at)
    .fetch_one(tx.conn())
    .await?;
    Ok(r.i64("id"))
}

pub async fn challenge_by_nonce(ex: Ex<'_>, nonce: &str) -> StoreResult<Option<ChallengeRow>> {
    query("SELECT * FROM certificate_challenges WHERE nonce = $1").bind(nonce).maybe(ex, challenge_row).await
}

/// Marks a challenge answered with `outcome`; false when it was answered
/// already (another server or request came first): each is answered once.
pub async fn use_challenge(tx: &mut Tx, id: i64, outcome: &str, at: i64) -> StoreResult<bool> {
    let done = query("UPDATE certificate_challenges SET used_at = $1, outcome = $2 WHERE id = $3 AND used_at IS NULL")
        .bind(at)
        .bind(outcome)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Closes the open challenges of a certificate (it was reported): the
/// number closed.
pub async fn close_challenges(tx: &mut Tx, certificate_id: i64, outcome: &str, at: i64) -> StoreResult<u64> {
    let done = query(
        "UPDATE certificate_challenges SET used_at = $1, outcome = $2 WHERE certificate_id = $3 AND used_at IS NULL",
    )
    .bind(at)
    .bind(outcome)
    .bind(certificate_id)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

/// The live sessions that completed their sign-in with the certificate.
pub async fn sessions_signed_with(ex: Ex<'_>, certificate_id: i64) -> StoreResult<Vec<i64>> {
    let rows = query(
        "SELECT DISTINCT s.id FROM certificate_challenges c JOIN sessions s ON s.id = c.session_id \
         WHERE c.certificate_id = $1 AND c.outcome = 'signed_in' AND s.ended_at IS NULL",
    )
    .bind(certificate_id)
    .fetch_all(ex)
    .await?;
    Ok(rows.iter().map(|r| r.i64("id")).collect())
}

/// The certificates usable now that end before `until_ms` and whose holders
/// were not reminded of them yet (migration 0054), for the expiry reminder.
pub async fn expiring_unreminded(ex: Ex<'_>, now_ms: i64, until_ms: i64) -> StoreResult<Vec<CertificateRow>> {
    query(format!(
        "{SELECT} WHERE r.state IS NULL AND c.not_before <= $1 AND c.not_after >= $1 AND c.not_after < $2 \
         AND NOT EXISTS (SELECT 1 FROM certificate_reminders m WHERE m.certificate_id = c.id) ORDER BY c.id"
    ))
    .bind(now_ms)
    .bind(until_ms)
    .all(ex, row)
    .await
}

/// Records the expiry reminder of a certificate; false when it was sent already.
pub async fn add_reminder(
    tx: &mut Tx,
    certificate_id: i64,
    user_id: i64,
    not_after: i64,
    at: i64,
) -> StoreResult<bool> {
    let done = query(
        "INSERT INTO certificate_reminders (certificate_id, user_id, not_after, sent_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (certificate_id) DO NOTHING",
    )
    .bind(certificate_id)
    .bind(user_id)
    .bind(not_after)
    .bind(at)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A certificate revocation list of the CA taken (migration 0059).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlRow {
    pub id: i64,
    pub issuer: String,
    pub this_update: i64,
    pub next_update: Option<i64>,
    /// The serials on it, upper-case hex.
    pub revoked: Vec<String>,
    /// SM3 of the DER, hex.
    pub fingerprint: String,
    pub pem: String,
    pub imported_name: String,
    pub imported_at: i64,
}

fn crl_row(r: &Row) -> CrlRow {
    CrlRow {
        id: r.i64("id"),
        issuer: r.str("issuer"),
        this_update: r.i64("this_update"),
        next_update: r.opt_i64("next_update"),
        revoked: r.str("revoked").split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        fingerprint: r.str("fingerprint"),
        pem: r.str("pem"),
        imported_name: r.str("imported_name"),
        imported_at: r.i64("imported_at"),
    }
}

/// A revocation list to record.
pub struct NewCrl<'a> {
    pub issuer: &'a str,
    pub this_update: i64,
    pub next_update: Option<i64>,
    pub revoked: &'a [String],
    pub fingerprint: &'a str,
    pub pem: &'a str,
    pub imported_by: Option<i64>,
    pub imported_name: &'a str,
    pub imported_at: i64,
}

/// The latest revocation list held of the CA named `issuer`.
pub async fn latest_crl(ex: Ex<'_>, issuer: &str) -> StoreResult<Option<CrlRow>> {
    query("SELECT * FROM certificate_crls WHERE issuer = $1 ORDER BY this_update DESC, id DESC LIMIT 1")
        .bind(issuer)
        .maybe(ex, crl_row)
        .await
}

/// Records a revocation list; `Duplicate("certificate_crl")` when one of
/// the same CA and thisUpdate is held already.
pub async fn insert_crl(tx: &mut Tx, n: &NewCrl<'_>) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO certificate_crls (issuer, this_update, next_update, revoked, fingerprint, pem, imported_by, \
         imported_name, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(n.issuer)
    .bind(n.this_update)
    .bind(n.next_update)
    .bind(n.revoked.join(","))
    .bind(n.fingerprint)
    .bind(n.pem)
    .bind(n.imported_by)
    .bind(n.imported_name)
    .bind(n.imported_at)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| StoreError::unique_as(e, "certificate_crl"))?;
    Ok(r.i64("id"))
}

/// The registered certificates of the CA named `issuer` with one of `serials`.
pub async fn by_issuer_serials(ex: Ex<'_>, issuer: &str, serials: &[String]) -> StoreResult<Vec<CertificateRow>> {
    if serials.is_empty() {
        return Ok(vec![]);
    }
    let all = query(format!("{SELECT} WHERE c.issuer = $1 ORDER BY c.id")).bind(issuer).all(ex, row).await?;
    Ok(all.into_iter().filter(|c| serials.contains(&c.serial)).collect())
}
