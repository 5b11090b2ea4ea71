//! Status changes of a licence: 换发 and 变更 (a new version; the old one
//! superseded), 注销 on the holder's request with a reason, 吊销 by the
//! issuing department's head with the decision number, and 过期 by the
//! background job at the end of the last valid day (China time). Each
//! change is signed by the issuing department's current key and audited,
//! and verification shows it at once.

use super::facts;
use super::issue::{record_change, sign, write_version, SignedChange};
use super::keys::signer_of;
use super::verify::effective_status;
use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use zwfw_domain::access::licenses::{may_change, may_revoke};
use zwfw_domain::licenses::{HolderKind, LicenseChange, LicenseId, LicenseMetadata, LicenseStatus, StatusRecord};
use zwfw_store::licenses::{self as store, KeyRow, LicenseRow};
use zwfw_store::Tx;

/// A change of a licence.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = LicenseChangeInput)]
pub struct ChangeInput {
    /// cancel (注销) | revoke (吊销) | reissue (换发) | amend (变更)
    pub action: String,
    /// 注销: the holder's request and its reason; 换发, 变更: why.
    #[serde(default)]
    pub reason: String,
    /// 吊销: the number of the decision (决定书文号).
    #[serde(default)]
    pub decision_no: String,
    /// 变更: the template's fields that change, by name.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

fn status_of(l: &LicenseRow) -> LicenseStatus {
    LicenseStatus::parse(&l.status).unwrap_or(LicenseStatus::Valid)
}

fn required(v: &str, what: &'static str) -> AppResult<String> {
    if v.trim().is_empty() {
        return Err(AppError::with_detail(Kind::Invalid, "reason_required", what));
    }
    Ok(crate::error::reason(v)?.to_string())
}

fn wrong_status(s: LicenseStatus) -> AppError {
    AppError::with_detail(Kind::Conflict, "license_wrong_status", s.code())
}

/// The key a department signs a change with: its current one, or (none
/// current) the one the licence was signed with.
pub(super) async fn key_for(st: &App, l: &LicenseRow) -> AppResult<KeyRow> {
    match store::current_key(st.store.pool(), l.issuer_department_id).await? {
        Some(k) => Ok(k),
        None => Ok(store::get_key(st.store.pool(), l.key_id).await?),
    }
}

/// [`key_for`], read through the open transaction `tx` (a 吊销 flowing back
/// runs inside the transaction that records the decision).
async fn key_in(tx: &mut Tx, l: &LicenseRow) -> AppResult<KeyRow> {
    match store::current_key(tx.conn(), l.issuer_department_id).await? {
        Some(k) => Ok(k),
        None => Ok(store::get_key(tx.conn(), l.key_id).await?),
    }
}

/// Sets a version's status with its signed record, history and audit, in `tx`.
#[allow(clippy::too_many_arguments)]
async fn record_status(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    l: &LicenseRow,
    key: &KeyRow,
    change: LicenseChange,
    note: &str,
    successor: Option<&str>,
) -> AppResult<()> {
    let from = status_of(l);
    let to = from.change_to(change.status_after()).map_err(|_| wrong_status(from))?;
    let (id, _) = LicenseId::parse_as_written(&l.identifier)?;
    let record = StatusRecord { id, status: to, at_ms: ctx.now(), note: note.to_string() };
    let bytes = record.signing_bytes();
    let signature = hex::encode(signer_of(ctx.state, key)?.sign(&bytes)?);
    if !store::set_status(tx, l.id, from, to, note, successor, ctx.now()).await? {
        return Err(AppError::with_detail(Kind::Conflict, "already_handled", "license"));
    }
    let signed_data = String::from_utf8(bytes).map_err(|e| AppError::Internal(e.to_string()))?;
    let detail = json!({"identifier": l.identifier, "status": [from.code(), to.code()], "successor": successor});
    let signed =
        SignedChange { change, status: to, note, key_id: key.id, signed_data: &signed_data, signature: &signature };
    record_change(tx, ctx, l.id, &signed, detail).await?;
    tell_holder(ctx, tx, l, change, note, successor).await?;
    // The regulators learn of every change of the licence's status (审管交互).
    crate::handover::push_license_change(ctx, tx, l, change, note).await?;
    // A licence 注销 or 吊销: its 双公示 record shows 无效 from today.
    crate::credit::on_license_change(ctx, tx, l.case_id, change, note).await
}

/// The holder is told of the change, in the change's own transaction (the
/// notices' outbox sends them): a holder with an account in-app, by SMS to
/// the account's mobile and by e-mail to its address; a holder without one
/// (registered at the counter) by SMS to the mobile and by e-mail to the
/// address the application of the licence's case gives, read through `tx`.
/// An imported licence without an account or a case has nobody to tell.
async fn tell_holder(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    l: &LicenseRow,
    change: LicenseChange,
    note: &str,
    successor: Option<&str>,
) -> AppResult<()> {
    let name = l.signed_data.lines().find_map(|x| x.strip_prefix("name=")).unwrap_or("电子证照");
    let (title, body) = crate::messages::license_change_notice(name, &l.identifier, change, note, successor);
    let current = successor.unwrap_or(&l.identifier);
    let notice = match (l.holder_user_id, l.case_id) {
        (Some(user), _) => zwfw_store::outbox::Notice::to_account(user, title, body, format!("/my/licenses/{current}")),
        (None, Some(case_id)) => {
            let c = zwfw_store::cases::get_case_in(tx, case_id).await?;
            let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
            let (mobile, email) = (given(&c.applicant_mobile), given(&c.applicant_email));
            if mobile.is_none() && email.is_none() {
                return Ok(());
            }
            zwfw_store::outbox::Notice {
                user_id: None,
                mobile,
                email,
                sms_to_account: false,
                title,
                body,
                link: format!("/verify/{current}"),
            }
        }
        (None, None) => return Ok(()),
    };
    zwfw_store::outbox::write_notices(tx, &[notice], ctx.now()).await?;
    Ok(())
}

/// Whether the signed-in account may change the licence `identifier` at
/// all (any of 换发, 变更, 注销, 吊销): a reader who may not is refused
/// (the supervision bureau, the administrators, the holder: 403; anyone
/// else: not found) before the change asked for is read. Which change
/// (吊销 is the head's) is decided by [`change`].
pub async fn authorize(ctx: &Ctx<'_>, identifier: &str) -> AppResult<()> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let l = super::verify::find(ctx.state, identifier).await?;
    if !zwfw_domain::access::licenses::may_read(actor, &facts(&l)) {
        return Err(AppError::not_found("license"));
    }
    may_change(actor, &facts(&l)).map_err(|r| AppError::refused(r, "license"))?;
    Ok(())
}

/// Changes a licence (the version named by `identifier`); answers the
/// identifier of the version that is current afterwards.
pub async fn change(ctx: &Ctx<'_>, identifier: &str, input: &ChangeInput) -> AppResult<String> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let l = super::verify::find(st, identifier).await?;
    if !zwfw_domain::access::licenses::may_read(actor, &facts(&l)) {
        return Err(AppError::not_found("license"));
    }
    let (change, note) = match input.action.as_str() {
        "cancel" => {
            may_change(actor, &facts(&l)).map_err(|r| AppError::refused(r, "license"))?;
            (LicenseChange::Cancelled, required(&input.reason, "请填写注销原因（持证人申请注销的理由）")?)
        }
        "revoke" => {
            may_revoke(actor, &facts(&l)).map_err(|r| AppError::refused(r, "license"))?;
            // An empty number is `decision_no_required`, as in the flow back.
            let number = zwfw_domain::handover::decision_number(&input.decision_no)
                .map_err(|e| AppError::with_detail(Kind::Invalid, e.code(), "decision_no"))?;
            return revoke_on_page(ctx, &l, &number).await;
        }
        "reissue" | "amend" => {
            may_change(actor, &facts(&l)).map_err(|r| AppError::refused(r, "license"))?;
            let change = if input.action == "amend" { LicenseChange::Amended } else { LicenseChange::Reissued };
            return new_version(ctx, &l, change, &required(&input.reason, "请填写换发或变更的原因")?, &input.fields)
                .await;
        }
        _ => return Err(AppError::with_detail(Kind::BadInput, "unknown_action", "action")),
    };
    let mut tx = st.store.begin().await?;
    set_status_in(ctx, &mut tx, &l, change, &note).await?;
    tx.commit().await?;
    Ok(l.identifier)
}

/// 注销 or 吊销 of `l` in `tx`, unless the status it shows today (a licence
/// past its last day is expired even before the background job records
/// it) does not allow it.
async fn set_status_in(ctx: &Ctx<'_>, tx: &mut Tx, l: &LicenseRow, change: LicenseChange, note: &str) -> AppResult<()> {
    let today = effective_status(ctx.state, l);
    if !today.may_become(change.status_after()) {
        return Err(wrong_status(today));
    }
    let key = key_in(tx, l).await?;
    let l = store::lock_license(tx, l.id).await?;
    record_status(ctx, tx, &l, &key, change, note, None).await
}

/// 吊销 entered on the licence's page by the issuing department's head under
/// the decision number `number`: one number, one decision of the department,
/// whichever way it was entered — a number the department used already
/// (on another licence's page, or on a decision flowing back as a regulator)
/// is refused with `decision_no_taken` (the key of `decision_numbers`
/// refuses it) and nothing changes. The number is recorded with the 吊销 in
/// its transaction, so that the back-flow lists it among the licensee's
/// decisions.
async fn revoke_on_page(ctx: &Ctx<'_>, l: &LicenseRow, number: &str) -> AppResult<String> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let department = l.issuer_department_id;
    // A licence that cannot be revoked says so first, whatever the number.
    let today = effective_status(ctx.state, l);
    if !today.may_become(LicenseChange::Revoked.status_after()) {
        return Err(wrong_status(today));
    }
    let mut tx = ctx.state.store.begin().await?;
    let used = zwfw_store::handover::NewDecisionNumber {
        department_id: department,
        decision_no: number,
        kind: zwfw_domain::handover::SanctionKind::Revoke.code(),
        sanction_id: None,
        license_id: Some(l.id),
        recorded_at: ctx.now(),
        recorded_by: Some(actor.user_id),
        recorded_name: &actor.display_name,
    };
    crate::handover::sanctions::use_number(&mut tx, &used).await?;
    set_status_in(ctx, &mut tx, l, LicenseChange::Revoked, number).await?;
    tx.commit().await?;
    Ok(l.identifier.clone())
}

/// 吊销 on a regulator's decision flowing back (审管交互), in the
/// transaction `tx` that records the decision: signed, in the licence's
/// history under the decision's number, audited and pushed like the issuing
/// department's own 吊销. Who decides is the flow back's rule, not
/// [`may_revoke`].
pub(crate) async fn revoke_in(ctx: &Ctx<'_>, tx: &mut Tx, l: &LicenseRow, decision_no: &str) -> AppResult<()> {
    set_status_in(ctx, tx, l, LicenseChange::Revoked, decision_no).await
}

/// The metadata a stored version was signed with, read back from its
/// signed bytes (the canonical encoding is one field a line). What the
/// public encoding gives as digests is read from the row: the holder's name
/// and code, and the hidden template fields.
pub(crate) fn metadata_of(l: &LicenseRow) -> AppResult<LicenseMetadata> {
    let bad = || AppError::Internal(format!("licence {}: signed data unreadable", l.id));
    let hidden: BTreeMap<String, String> = if l.hidden_fields.is_empty() {
        BTreeMap::new()
    } else {
        serde_json::from_str(&l.hidden_fields).map_err(|_| bad())?
    };
    let mut base: BTreeMap<&str, String> = BTreeMap::new();
    let mut fields = BTreeMap::new();
    for line in l.signed_data.lines().skip(1) {
        let (k, v) = line.split_once('=').ok_or_else(bad)?;
        let v = unescape(v);
        if let Some(name) = k.strip_prefix("field.") {
            fields.insert(name.to_string(), v);
        } else if let Some(name) = k.strip_prefix("field_sm3.") {
            fields.insert(name.to_string(), hidden.get(name).cloned().ok_or_else(bad)?);
        } else if k == "holder_sm3" {
            base.insert("holder", l.holder_name.clone());
        } else if k == "holder_code_sm3" {
            base.insert("holder_code", l.holder_code.clone());
        } else {
            base.insert(k, v);
        }
    }
    let get = |k: &str| base.get(k).cloned().unwrap_or_default();
    let day = |k: &str| zwfw_domain::time::parse_ymd(&get(k)).ok_or_else(bad);
    let (item_code, item_name) =
        get("item").split_once(' ').map(|(a, b)| (a.to_string(), b.to_string())).unwrap_or_default();
    Ok(LicenseMetadata {
        // As written: an imported licence may carry a check character
        // computed wrongly elsewhere.
        id: LicenseId::parse_as_written(&get("identifier"))?.0,
        name: get("name"),
        number: get("number"),
        type_name: get("type_name"),
        define_authority: get("define_authority"),
        issuer_name: get("issuer"),
        issued_on: day("issued_on")?,
        holder_name: get("holder"),
        holder_code: get("holder_code"),
        holder_code_type: get("holder_code_type"),
        area_code: get("area_code"),
        valid_from: day("valid_from")?,
        valid_until: zwfw_domain::time::parse_ymd(&get("valid_until")),
        item_name,
        item_code,
        case_no: get("case_no"),
        file_sm3: String::new(),
        fields,
    })
}

fn unescape(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(o) => out.push(o),
            None => {}
        }
    }
    out
}

/// 换发 / 变更: the next version, signed, issued today with the same
/// validity (变更 with the changed fields); the old version superseded.
async fn new_version(
    ctx: &Ctx<'_>,
    l: &LicenseRow,
    change: LicenseChange,
    reason: &str,
    changed: &BTreeMap<String, String>,
) -> AppResult<String> {
    let st = ctx.state;
    let today = effective_status(st, l);
    if today != LicenseStatus::Valid {
        return Err(wrong_status(today));
    }
    let case_id = l.case_id.ok_or_else(|| AppError::with_detail(Kind::Conflict, "license_without_case", "case"))?;
    let case = zwfw_store::cases::get_case(&st.store, case_id).await?;
    let ty = store::get_type(st.store.pool(), l.type_id).await?;
    let mut m = metadata_of(l)?;
    for (name, value) in changed {
        let Some(slot) = m.fields.get_mut(name) else {
            return Err(AppError::with_detail(Kind::Invalid, "invalid_field", "fields"));
        };
        *slot = value.trim().chars().take(200).collect();
    }
    if change == LicenseChange::Amended && changed.is_empty() {
        return Err(AppError::with_detail(Kind::Invalid, "invalid_field", "fields"));
    }
    m.id = m.id.next_version()?;
    m.issued_on = st.today();
    let key = store::current_key(st.store.pool(), l.issuer_department_id)
        .await?
        .ok_or_else(|| AppError::with_detail(Kind::Conflict, "license_no_key", "key"))?;
    let signer = signer_of(st, &key)?;
    let signed = sign(st, m, &ty.template, signer.as_ref()).await?;
    let successor = signed.metadata.id.to_string();
    let mut tx = st.store.begin().await?;
    let old = store::lock_license(&mut tx, l.id).await?;
    record_status(ctx, &mut tx, &old, &key, change, reason, Some(&successor)).await?;
    // A new version keeps the holder, and so the kind of holder, of the old one.
    let kind = HolderKind::parse(&l.holder_kind).unwrap_or(HolderKind::Person);
    write_version(ctx, &mut tx, &signed, &key, &ty, &case, kind, change, reason).await?;
    tx.commit().await?;
    Ok(successor)
}

/// Records 过期 for every valid licence whose last day has passed (China
/// time); how many.
pub async fn expire_due(st: &App) -> AppResult<usize> {
    let today = zwfw_domain::time::ymd(st.today());
    let ctx = Ctx { state: st, actor: None, client_addr: "job".into() };
    let mut n = 0;
    for id in store::expired_before(st.store.pool(), &today, 500).await? {
        let l = store::get_license(st.store.pool(), id).await?;
        let key = key_for(st, &l).await?;
        let mut tx = st.store.begin().await?;
        let l = store::lock_license(&mut tx, id).await?;
        if status_of(&l) != LicenseStatus::Valid {
            continue;
        }
        match record_status(&ctx, &mut tx, &l, &key, LicenseChange::Expired, "有效期届满", None).await {
            Ok(()) => {
                tx.commit().await?;
                n += 1;
            }
            Err(e) => tracing::warn!(license = id, error = %e.message(), "expiry not recorded"),
        }
    }
    Ok(n)
}

/// 作废 of the licences issued on case `case_id` under a decision corrected
/// as a misoperation (办结结论有误, before delivery), in the correction's
/// transaction: each valid one is voided — signed, written to its history,
/// audited, its holder and the regulators told, its 双公示 record 无效 — and
/// never deleted. Returns their identifiers. (Whether the correction may be
/// carried out at all is `zwfw_domain::governance::correction::check`: a
/// licence changed by its own routes since refuses it.)
pub async fn void_issued_on_case(ctx: &Ctx<'_>, tx: &mut Tx, case_id: i64, note: &str) -> AppResult<Vec<String>> {
    let mut voided = vec![];
    for l in store::of_case(tx.conn(), case_id).await? {
        if status_of(&l) != LicenseStatus::Valid {
            continue;
        }
        let key = key_in(tx, &l).await?;
        let l = store::lock_license(tx, l.id).await?;
        record_status(ctx, tx, &l, &key, LicenseChange::Voided, note, None).await?;
        voided.push(l.identifier);
    }
    Ok(voided)
}
