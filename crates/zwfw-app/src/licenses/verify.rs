//! Verification (核验), public and without sign-in: the status, the masked
//! holder, the issuer, the validity and the signature with everything an
//! independent SM2 implementation needs to check it. Each verification is
//! recorded in the 用证 log.

use super::keys;
use crate::error::{AppError, AppResult};
use crate::state::{App, Ctx};
use serde::Serialize;
use zwfw_domain::licenses::{expired_on, mask_holder, HolderKind, JobState, LicenseId, LicenseStatus};
use zwfw_store::licenses::{self as store, LicenseRow};

/// The signature of a licence, for an independent check.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LicenseSignature)]
pub struct SignatureView {
    /// Always `SM2-SM3` (SM2 signature with SM3, GB/T 32918.2).
    pub algorithm: String,
    /// The SM2 signer ID (ENTL‖ID in Z).
    pub signer_id: String,
    /// The issuer's public key, uncompressed `04‖x‖y`, hex.
    pub public_key: String,
    /// Base64 of the exact bytes signed (UTF-8 text: identifier, version,
    /// metadata and the SM3 of the licence file). In the public encoding
    /// (`zwfw-license/2`, every version signed now: the holder's details as
    /// salted SM3 digests) given to anyone; in the older encodings, which
    /// name the holder unmasked, only to those who read the licence in full
    /// (its holder, the issuing department, the overseers), null for others.
    pub signed_data: Option<String>,
    /// r‖s, 64 bytes, hex.
    pub value: String,
}

/// What verification answers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LicenseVerification)]
pub struct Verification {
    /// valid (有效) | superseded (已换发) | cancelled (已注销) | revoked (已吊销) | expired (已过期)
    pub status: LicenseStatus,
    /// The status in Chinese.
    pub status_label: String,
    pub identifier: String,
    /// `001`, `002`, …
    pub version: String,
    /// 证照名称
    pub name: String,
    /// The holder's name, masked for a person.
    pub holder_masked: String,
    /// 证照颁发机构
    pub issuer: String,
    /// YYYY-MM-DD
    pub valid_from: String,
    /// YYYY-MM-DD; none: long-term (长期).
    pub valid_until: Option<String>,
    /// The newer version that replaced this one (已换发).
    pub successor: Option<String>,
    /// issued (on a grant here: the signature covers the licence file) |
    /// imported (an existing licence, 存量证照: signed at import by the
    /// issuing department's key over the imported record, not over an
    /// original file).
    pub origin: String,
    /// Whether the identifier's check character is the ISO 7064 MOD 37,36
    /// one (false only for an imported licence whose administrator
    /// confirmed a check character computed wrongly elsewhere).
    pub check_character_valid: bool,
    /// Whether the signature holds for the signed data and the issuer's key.
    pub signature_valid: bool,
    pub signature: SignatureView,
}

/// The status a licence shows today: a valid one past its last day is
/// expired even before the background job records it.
pub(super) fn effective_status(st: &App, l: &LicenseRow) -> LicenseStatus {
    let status = LicenseStatus::parse(&l.status).unwrap_or(LicenseStatus::Valid);
    let until = l.valid_until.as_deref().and_then(zwfw_domain::time::parse_ymd);
    if status == LicenseStatus::Valid && expired_on(until, st.today()) {
        LicenseStatus::Expired
    } else {
        status
    }
}

/// The stored licence version an identifier names: parsed (422 when
/// malformed), else not found. An identifier whose check character does
/// not match is refused as such unless an imported licence has it exactly.
pub(crate) async fn find(st: &App, identifier: &str) -> AppResult<LicenseRow> {
    let (id, check_valid) = match LicenseId::parse_as_written(identifier) {
        Ok(parsed) => parsed,
        Err(e) => return Err(e.into()),
    };
    let found = store::by_identifier(st.store.pool(), &id.to_string()).await?;
    match found {
        Some(l) if check_valid || l.origin == "imported" => Ok(l),
        _ if !check_valid => Err(zwfw_domain::DomainError::InvalidLicenseId("check_character").into()),
        _ => Err(AppError::not_found("license")),
    }
}

/// Checks (verifications and QR checks) one client address may make
/// without signing in, per 15 minutes, unless configured otherwise
/// (`[lookups] license_checks`).
pub const ANONYMOUS_CHECKS: u32 = 60;

/// The length of the window the checks are counted in.
pub const CHECK_WINDOW_MS: i64 = crate::lookups::WINDOW_MS;

/// Refuses a check by a visitor who is not signed in once their address
/// made the configured number ([`ANONYMOUS_CHECKS`] by default) in the
/// current 15-minute window (`license_verify_limited`, 429): the public
/// checks are open, but no one fills a licence's 用证 log or walks the
/// identifiers without limit. The count is kept in the database, so that
/// every app server counts the same checks. Signed-in accounts are named in
/// the log and not limited here.
pub async fn throttle(ctx: &Ctx<'_>) -> AppResult<()> {
    use crate::lookups::{throttle, Lookup};
    throttle(ctx.state, Lookup::LicenseCheck, &ctx.client_addr, ctx.actor.is_none()).await
}

/// The verification of a licence version; recorded in its 用证 log (a
/// refused or throttled check is not).
pub async fn verify(ctx: &Ctx<'_>, identifier: &str) -> AppResult<Verification> {
    let st = ctx.state;
    throttle(ctx).await?;
    let l = find(st, identifier).await?;
    let mut v = view(st, &l).await?;
    let facts = super::facts(&l);
    let public = zwfw_domain::licenses::is_public_encoding(l.signed_data.as_bytes());
    if !zwfw_domain::access::licenses::may_read_signed_text(ctx.actor, &facts, public) {
        v.signature.signed_data = None;
    }
    store::record_use(
        &st.store,
        l.id,
        &l.identifier,
        "verification",
        ctx.actor.map(|a| a.user_id),
        &ctx.client_addr,
        ctx.now(),
    )
    .await?;
    Ok(v)
}

pub(crate) async fn view(st: &App, l: &LicenseRow) -> AppResult<Verification> {
    let key = store::get_key(st.store.pool(), l.key_id).await?;
    let signature = hex::decode(&l.signature).unwrap_or_default();
    let public_key = hex::decode(&key.public_key).unwrap_or_default();
    let signature_valid = keys::verify(&public_key, &key.signer_id, l.signed_data.as_bytes(), &signature);
    let status = effective_status(st, l);
    let kind = HolderKind::parse(&l.holder_kind).unwrap_or(HolderKind::Person);
    let issuer = st.department(l.issuer_department_id).await?.name.clone();
    let name = l.signed_data.lines().find_map(|x| x.strip_prefix("name=")).unwrap_or_default().to_string();
    Ok(Verification {
        status,
        status_label: status.label().into(),
        identifier: l.identifier.clone(),
        version: format!("{:03}", l.version),
        name,
        holder_masked: mask_holder(&l.holder_name, kind),
        issuer,
        valid_from: l.valid_from.clone(),
        valid_until: l.valid_until.clone(),
        successor: l.successor.clone(),
        origin: l.origin.clone(),
        check_character_valid: LicenseId::parse(&l.identifier).is_ok(),
        signature_valid,
        signature: SignatureView {
            algorithm: "SM2-SM3".into(),
            signer_id: key.signer_id,
            public_key: key.public_key,
            signed_data: Some(data_encoding::BASE64.encode(l.signed_data.as_bytes())),
            value: l.signature.clone(),
        },
    })
}

/// The licence of a case as its readers see it: the issuance job (and why
/// it waits, and what to do) and the versions issued.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CaseLicense)]
pub struct CaseLicense {
    /// None: the case issues no licence (not granted, or its item's result is no licence type).
    pub job: Option<zwfw_store::licenses::JobRow>,
    /// Why issuance waits (or failed), in Chinese (empty when it does not).
    pub waiting: String,
    /// What to do about it, and who does it, in Chinese (empty when it does not wait).
    pub todo: String,
    pub licenses: Vec<CaseLicenseVersion>,
}

/// A licence version issued on a case.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CaseLicenseVersion)]
pub struct CaseLicenseVersion {
    #[serde(flatten)]
    pub verification: Verification,
    /// 证照编号 as printed (the grant's document number).
    pub number: String,
    /// The licence file (PDF), when the reader may download it (the holder
    /// and the issuing department's staff).
    pub file_url: Option<String>,
    /// The licence's staff page, for its issuing department and the overseers.
    pub manage_url: Option<String>,
}

/// The licence of a case, for whoever may read the case.
pub async fn of_case(ctx: &Ctx<'_>, case_id: i64) -> AppResult<CaseLicense> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(|| AppError::not_found("case"))?;
    let row = zwfw_store::cases::get_case(&st.store, case_id).await?;
    let content = crate::cases::item_version(st, row.version_id).await?;
    if !zwfw_domain::access::cases::may_read(actor, &crate::cases::facts(&row), &content) {
        return Err(AppError::not_found("case"));
    }
    let job = store::job(st.store.pool(), case_id).await?;
    let pending = |j: &store::JobRow| j.license_id.is_none() && j.state == JobState::Pending.code();
    let (waiting, todo) = match &job {
        Some(j) if pending(j) && !j.reason.is_empty() => {
            (crate::messages::label("license_wait", &j.reason), crate::messages::label("license_wait_todo", &j.reason))
        }
        Some(j) if pending(j) => ("正在生成电子证照".into(), "请稍后刷新本页".into()),
        _ => (String::new(), String::new()),
    };
    let mut licenses = vec![];
    for l in store::of_case(st.store.pool(), case_id).await? {
        let facts = super::facts(&l);
        let file_url = zwfw_domain::access::licenses::may_download_file(actor, &facts)
            .is_ok()
            .then(|| format!("/licenses/{}/file", l.identifier));
        let manage_url = zwfw_domain::access::licenses::may_read_as_issuer(actor, &facts)
            .then(|| format!("/work/licenses/{}", l.identifier));
        let number = number_of(&l);
        licenses.push(CaseLicenseVersion { verification: view(st, &l).await?, number, file_url, manage_url });
    }
    Ok(CaseLicense { job, waiting, todo, licenses })
}

/// 证照编号 as printed, from the signed data.
pub(super) fn number_of(l: &LicenseRow) -> String {
    l.signed_data.lines().find_map(|x| x.strip_prefix("number=")).unwrap_or_default().to_string()
}
