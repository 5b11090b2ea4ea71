//! 证照夹: the signed-in holder's licences and, per licence, its 用证 log
//! ("谁用了我的证"): every verification and use, with when, by whom (where
//! known) and why. The log is the holder's alone.

use super::facts;
use super::verify::effective_status;
use crate::error::{AppError, AppResult};
use crate::state::{App, Ctx};
use serde::Serialize;
use zwfw_domain::access::licenses::{may_download_file, may_read_uses};
use zwfw_domain::admin::AccountKind;
use zwfw_domain::ids::mask_name;
use zwfw_domain::licenses::{LicenseId, LicenseStatus};
use zwfw_domain::time::format_local;
use zwfw_store::licenses::{self as store, LicenseRow};

/// How many uses the log shows, newest first.
pub const USES_SHOWN: i64 = 200;

/// One licence in the holder's 证照夹.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = HeldLicense)]
pub struct HeldLicense {
    pub identifier: String,
    /// 证照名称 (the licence type's name).
    pub type_name: String,
    /// `001`, `002`, …
    pub version: String,
    /// valid | superseded | cancelled | revoked | expired
    pub status: LicenseStatus,
    /// The status in Chinese.
    pub status_label: String,
    /// 证照颁发机构
    pub issuer: String,
    /// YYYY-MM-DD
    pub valid_from: String,
    /// YYYY-MM-DD; none: long-term (长期).
    pub valid_until: Option<String>,
    /// The public verification page.
    pub verify_url: String,
    /// The holder's own 用证 log.
    pub uses_url: String,
    /// What the licence's QR code holds: the verification address with the
    /// signed payload (the address alone for a version issued before QR
    /// codes), for an app to draw the code.
    pub qr_text: String,
    /// The licence file (PDF, with the QR code): `GET /api/v1/licenses/{identifier}/file`.
    pub file_url: String,
    /// The salt (32 hex digits) of the holder digests in the signed text
    /// (`zwfw-license/2`): with it the holder shows that a name, a number
    /// or a field is the one signed, `SM3(salt ‖ value)`. The holder's
    /// alone; none for a version signed in an older encoding.
    pub holder_salt: Option<String>,
}

/// One entry of a licence's 用证 log.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LicenseUseEntry)]
pub struct UseEntry {
    /// Milliseconds since the epoch.
    pub at: i64,
    /// The time in China, `YYYY-MM-DD HH:MM`.
    pub at_text: String,
    /// verification | …
    pub purpose: String,
    /// Why, in Chinese (e.g. 扫码或链接核验).
    pub purpose_label: String,
    /// Who, where known: 本人 (the holder), a department's staff by name and
    /// department, an organisation by name, another person masked;
    /// 未登录的访客 otherwise.
    pub who: String,
}

/// A licence's 用证 log for its holder.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LicenseUses)]
pub struct UseLog {
    pub license: HeldLicense,
    pub uses: Vec<UseEntry>,
}

async fn held(st: &App, l: &LicenseRow, type_name: String) -> AppResult<HeldLicense> {
    let status = effective_status(st, l);
    Ok(HeldLicense {
        identifier: l.identifier.clone(),
        type_name,
        version: format!("{:03}", l.version),
        status,
        status_label: status.label().into(),
        issuer: st.department(l.issuer_department_id).await?.name.clone(),
        valid_from: l.valid_from.clone(),
        valid_until: l.valid_until.clone(),
        verify_url: super::verify_path(&l.identifier),
        uses_url: format!("/my/licenses/{}", l.identifier),
        qr_text: super::qr::text(st, &l.identifier, &l.qr_payload),
        file_url: format!("/api/v1/licenses/{}/file", l.identifier),
        holder_salt: (!l.holder_salt.is_empty()).then(|| l.holder_salt.clone()),
    })
}

/// A licence's file (the signed PDF with its QR code) and its name: the
/// holder's and the issuing department's staff's
/// ([`zwfw_domain::access::licenses::may_download_file`]); anyone else is
/// answered "not found".
pub async fn file(ctx: &Ctx<'_>, identifier: &str) -> AppResult<(Vec<u8>, String)> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(|| AppError::not_found("license"))?;
    let id = LicenseId::parse(identifier)?;
    let l =
        store::by_identifier(st.store.pool(), &id.to_string()).await?.ok_or_else(|| AppError::not_found("license"))?;
    may_download_file(actor, &facts(&l)).map_err(|r| AppError::refused(r, "license"))?;
    let l = with_file(ctx, l).await?;
    let bytes = st.file(&l.file_sm3).await?.ok_or_else(|| AppError::not_found("file"))?;
    let name = store::get_type(st.store.pool(), l.type_id).await?.name;
    Ok((bytes, format!("{name}-{}.pdf", l.identifier)))
}

/// The licence with its file: an imported licence (存量证照) has none until
/// it is first needed; then its PDF is rendered like an issued one's, with
/// a QR code signed by the issuing department's key (its current one, else
/// the one that signed the import), stored and recorded (audited). The
/// import's own signature, over the imported record, stays as it was.
pub(super) async fn with_file(ctx: &Ctx<'_>, l: LicenseRow) -> AppResult<LicenseRow> {
    if !l.file_sm3.is_empty() {
        return Ok(l);
    }
    let st = ctx.state;
    let key = super::status::key_for(st, &l).await?;
    let signer = super::keys::signer_of(st, &key)?;
    let m = super::status::metadata_of(&l)?;
    // A QR payload names the identifier with its right check character: one
    // imported with a wrong one gets a code with the verification address alone.
    let payload = match LicenseId::parse(&l.identifier) {
        Ok(_) => super::qr::payload(&m, signer.as_ref())?,
        Err(_) => String::new(),
    };
    let text = super::qr::text(st, &l.identifier, &payload);
    let template = store::get_type(st.store.pool(), l.type_id).await?.template;
    let file = tokio::task::spawn_blocking(move || super::issue::render(&m, &template, &text))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let size = file.len() as i64;
    let sm3 = st.put_file(file).await?;
    let mut tx = st.store.begin().await?;
    if store::set_file(&mut tx, l.id, &sm3, &payload, ctx.now()).await? {
        zwfw_store::files::record(&mut tx, &sm3, size, "pdf", None, ctx.now()).await?;
        let detail = serde_json::json!({"identifier": l.identifier, "file_sm3": sm3, "key_id": key.id});
        ctx.audit(&mut tx, ctx.entry("license_file_made", "license", l.id, detail, "")).await?;
    }
    tx.commit().await?;
    Ok(store::get_license(st.store.pool(), l.id).await?)
}

/// The signed-in account's licences, newest first (every version, each
/// with the status it shows today).
pub async fn mine(ctx: &Ctx<'_>) -> AppResult<Vec<HeldLicense>> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let types = store::list_types(st.store.pool()).await?;
    let mut out = vec![];
    for l in store::of_holder(st.store.pool(), actor.user_id).await? {
        if may_read_uses(actor, &facts(&l)).is_err() {
            continue;
        }
        let name = types.iter().find(|t| t.id == l.type_id).map(|t| t.name.clone()).unwrap_or_default();
        // An imported licence gets its file and QR code when its holder first sees it.
        let l = match with_file(ctx, l.clone()).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(license = l.id, error = %e.message(), "licence file not made");
                l
            }
        };
        out.push(held(st, &l, name).await?);
    }
    Ok(out)
}

/// Who used a licence, as its holder (`reader`) reads it: the holder as
/// 本人, a department's staff by name and department, an organisation by its
/// (public) name, another person masked.
async fn who(st: &App, actor_id: Option<i64>, reader: i64) -> AppResult<String> {
    let Some(id) = actor_id else { return Ok("未登录的访客".into()) };
    if id == reader {
        return Ok("本人".into());
    }
    let u = zwfw_store::admin::get_user(&st.store, id).await?;
    Ok(match (u.kind, u.department_id) {
        (AccountKind::Staff, Some(d)) => format!("{}（{}）", u.display_name, st.department(d).await?.name),
        (AccountKind::Staff, None) => u.display_name,
        (AccountKind::Company, _) => u.display_name,
        (AccountKind::Person, _) => mask_name(&u.display_name),
    })
}

/// A licence's 用证 log: its holder's alone (anyone else: not found).
pub async fn uses(ctx: &Ctx<'_>, identifier: &str) -> AppResult<UseLog> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(|| AppError::not_found("license"))?;
    let l = super::verify::find(st, identifier).await?;
    may_read_uses(actor, &facts(&l)).map_err(|r| AppError::refused(r, "license"))?;
    let name = store::get_type(st.store.pool(), l.type_id).await?.name;
    let license = held(st, &l, name).await?;
    let mut uses = vec![];
    for u in store::uses(st.store.pool(), l.id, USES_SHOWN).await? {
        uses.push(UseEntry {
            at: u.at,
            at_text: format_local(u.at),
            purpose_label: crate::messages::label("license_use", &u.purpose),
            purpose: u.purpose,
            who: who(st, u.actor_id, actor.user_id).await?,
        });
    }
    Ok(UseLog { license, uses })
}

/// The signed-in account's licences valid today, each with its type code:
/// what an application may use instead of an upload.
pub async fn usable(ctx: &Ctx<'_>) -> AppResult<Vec<(String, HeldLicense)>> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let types = store::list_types(st.store.pool()).await?;
    let mut out = vec![];
    for l in store::of_holder(st.store.pool(), actor.user_id).await? {
        if !LicenseStatus::USABLE.contains(&effective_status(st, &l)) {
            continue;
        }
        let Some(t) = types.iter().find(|t| t.id == l.type_id) else { continue };
        out.push((t.code.clone(), held(st, &l, t.name.clone()).await?));
    }
    Ok(out)
}
