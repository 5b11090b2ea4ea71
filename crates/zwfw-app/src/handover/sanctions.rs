//! 审管交互, the flow back (回流): the regulator that claimed a record
//! records what it decided about the licensee — 行政处罚, 责令改正, 吊销,
//! 限制准入 — with the decision's number, date, reason and attachments. A
//! 吊销 revokes the licence through the licences' own status change in the
//! same transaction; a 限制准入 is shown to the counter on every application
//! the person or company makes for the items concerned during its period.

use super::{department_name, facts};
use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use utoipa::ToSchema;
use zwfw_domain::access::handover as access;
use zwfw_domain::access::Refusal;
use zwfw_domain::admin::Actor;
use zwfw_domain::files::Attachment;
use zwfw_domain::handover::{self as dh, SanctionError, SanctionKind};
use zwfw_domain::time::{parse_ymd, ymd};
use zwfw_store::cases::CaseRow;
use zwfw_store::handover as sh;

/// A decision flowing back, as a regulator enters it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = HandoverSanctionInput)]
#[serde(default)]
pub struct SanctionInput {
    /// penalty (行政处罚) | rectify (责令改正) | revoke (吊销) | restrict (限制准入)
    pub kind: String,
    /// 决定书文号 (required).
    pub decision_no: String,
    /// 决定日期, YYYY-MM-DD, not after today.
    pub decided_on: String,
    /// 事实与理由 (required).
    pub reason: String,
    /// The licence concerned (its identifier); by default the record's.
    /// A 吊销 revokes it.
    pub license: Option<String>,
    /// 限制准入: the first day (YYYY-MM-DD).
    pub restrict_from: Option<String>,
    /// 限制准入: the last day (YYYY-MM-DD), not before the first.
    pub restrict_until: Option<String>,
    /// 限制准入: the catalogue items concerned.
    pub item_ids: Vec<i64>,
    /// Files uploaded first (`POST /api/v1/uploads`), at most 3.
    pub upload_ids: Vec<i64>,
}

/// A catalogue item a 限制准入 concerns.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = HandoverSanctionItem)]
pub struct ItemRef {
    pub id: i64,
    pub name: String,
}

/// A decision flowing back, as its readers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = HandoverSanction)]
pub struct SanctionView {
    pub id: i64,
    pub handover_id: i64,
    /// penalty | rectify | revoke | restrict
    pub kind: String,
    pub kind_label: String,
    /// handover (recorded on a pushed record; `id` is the decision's) |
    /// license_page (a 吊销 the issuing department entered on the licence's
    /// page; `id` is 0)
    pub origin: String,
    pub decision_no: String,
    /// YYYY-MM-DD
    pub decided_on: String,
    pub reason: String,
    /// The licence concerned (its identifier).
    pub license: Option<String>,
    /// The department that decided (the regulator).
    pub regulator_department: String,
    /// The licensee: a company's name whole, a person's masked.
    pub holder_name: String,
    /// A 统一社会信用代码 whole, a 公民身份号码 masked.
    pub holder_code: String,
    pub restrict_from: Option<String>,
    pub restrict_until: Option<String>,
    pub items: Vec<ItemRef>,
    pub attachments: Vec<Attachment>,
    pub recorded_at: i64,
    pub recorded_name: String,
}

/// The published items' names, by id.
async fn item_names(st: &App) -> AppResult<HashMap<i64, String>> {
    let f = zwfw_store::catalog::ItemFilter { published_only: true, limit: 5000, ..Default::default() };
    Ok(zwfw_store::catalog::list(&st.store, &f).await?.into_iter().map(|i| (i.item_id, i.name)).collect())
}

/// A published item a 限制准入 on record `r` may name (the domain's
/// [`dh::in_field`]): its id, name and implementing department.
struct FieldItem {
    id: i64,
    name: String,
    department_id: i64,
}

async fn field_items(st: &App, r: &sh::HandoverRow) -> AppResult<Vec<FieldItem>> {
    let record_item = r.item_id.unwrap_or(0);
    let mut out: Vec<FieldItem> = zwfw_store::catalog::published_versions(&st.store)
        .await?
        .into_iter()
        .filter(|v| dh::in_field(r.regulator_department_id, record_item, v.item_id, &v.content.regulators()))
        .map(|v| FieldItem { id: v.item_id, name: v.content.name.clone(), department_id: v.content.department_id })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// The items a 限制准入 on record `id` may concern, for the form: the
/// record's own item and the published items whose licensees the record's
/// regulator supervises.
pub async fn item_choices(st: &App, id: i64) -> AppResult<Vec<ItemRef>> {
    let r = sh::get(&st.store, id).await?.ok_or_else(|| AppError::not_found("handover"))?;
    Ok(field_items(st, &r).await?.into_iter().map(|i| ItemRef { id: i.id, name: i.name }).collect())
}

fn sanction_view(s: sh::SanctionRow, names: &HashMap<i64, String>, regulator: String) -> SanctionView {
    let legal = s.holder_kind == zwfw_domain::cases::ApplicantKind::Legal.code();
    let (holder_name, holder_code) = zwfw_domain::ids::shown_holder(legal, &s.holder_name, &s.holder_code);
    let ids: Vec<i64> = serde_json::from_str(&s.item_ids).unwrap_or_default();
    SanctionView {
        id: s.id,
        handover_id: s.handover_id,
        kind_label: SanctionKind::parse(&s.kind).map(|k| k.label().to_string()).unwrap_or_else(|| s.kind.clone()),
        kind: s.kind,
        origin: ORIGIN_HANDOVER.to_string(),
        decision_no: s.decision_no,
        decided_on: s.decided_on,
        reason: s.reason,
        license: s.license_identifier,
        regulator_department: regulator,
        holder_name,
        holder_code,
        restrict_from: s.restrict_from,
        restrict_until: s.restrict_until,
        items: ids.into_iter().map(|id| ItemRef { id, name: names.get(&id).cloned().unwrap_or_default() }).collect(),
        attachments: serde_json::from_str(&s.attachments).unwrap_or_default(),
        recorded_at: s.recorded_at,
        recorded_name: s.recorded_name,
    }
}

/// The decisions recorded on a record (its readers: the regulator, the
/// approving department, the overseers), oldest first.
pub(super) async fn of_record(st: &App, r: &sh::HandoverRow) -> AppResult<Vec<SanctionView>> {
    let rows = sh::sanctions_of(&st.store, r.id).await?;
    let mut out = vec![];
    if !rows.is_empty() {
        let names = item_names(st).await?;
        let regulator = department_name(st, r.regulator_department_id).await;
        out.extend(rows.into_iter().map(|s| sanction_view(s, &names, regulator.clone())));
    }
    // A 吊销 the issuing department entered on the licence's page is the
    // same kind of decision on the same licensee: listed with them.
    if r.license_id.is_some() || r.case_id.is_some() {
        for n in sh::page_revocations(&st.store, r.license_id, r.case_id).await? {
            out.push(page_revocation_view(st, r, n).await);
        }
        out.sort_by_key(|s| s.recorded_at);
    }
    Ok(out)
}

/// A 吊销 entered on a licence's page, as a decision of the record `r`.
async fn page_revocation_view(st: &App, r: &sh::HandoverRow, n: sh::DecisionNumberRow) -> SanctionView {
    let legal = r.holder_kind == zwfw_domain::cases::ApplicantKind::Legal.code();
    let (holder_name, holder_code) = zwfw_domain::ids::shown_holder(legal, &r.holder_name, &r.holder_code);
    let decided_on = ymd(zwfw_domain::clock::local_date(n.recorded_at));
    SanctionView {
        id: 0,
        handover_id: r.id,
        kind: SanctionKind::Revoke.code().to_string(),
        kind_label: SanctionKind::Revoke.label().to_string(),
        origin: ORIGIN_LICENSE_PAGE.to_string(),
        decision_no: n.decision_no,
        decided_on,
        reason: crate::messages::REVOKED_ON_LICENSE_PAGE.to_string(),
        license: n.license_identifier,
        regulator_department: department_name(st, n.department_id).await,
        holder_name,
        holder_code,
        restrict_from: None,
        restrict_until: None,
        items: vec![],
        attachments: vec![],
        recorded_at: n.recorded_at,
        recorded_name: n.recorded_name,
    }
}

/// [`SanctionView::origin`] of a decision flowing back on a pushed record.
const ORIGIN_HANDOVER: &str = "handover";
/// [`SanctionView::origin`] of a 吊销 entered on the licence's page.
const ORIGIN_LICENSE_PAGE: &str = "license_page";

fn refused(r: Refusal) -> AppError {
    if r.hides_object() {
        AppError::not_found("handover")
    } else {
        AppError::with_detail(Kind::Forbidden, r.code(), "handover_sanction")
    }
}

/// The department recorded a decision under this number already.
pub(crate) fn number_taken(decision_no: &str) -> AppError {
    AppError::with_detail(Kind::Conflict, SanctionError::DecisionNoTaken.code(), decision_no.to_string())
}

/// Records the number `n` as used by its department, in the decision's
/// transaction; refused with `decision_no_taken` when it was (two entries
/// racing).
pub(crate) async fn use_number(tx: &mut zwfw_store::Tx, n: &sh::NewDecisionNumber<'_>) -> AppResult<()> {
    sh::use_decision_number(tx, n).await.map_err(|e| match e {
        zwfw_store::StoreError::Duplicate("decision_no") => number_taken(n.decision_no),
        e => e.into(),
    })
}

fn invalid(e: SanctionError) -> AppError {
    AppError::with_detail(Kind::Invalid, e.code(), e.code())
}

/// The record a decision is recorded on, when the reader may record one
/// there: checked before anything the request carries is read.
pub async fn target(ctx: &Ctx<'_>, id: i64) -> AppResult<sh::HandoverRow> {
    // Records of conclusions are derived after them: none acknowledged is missed.
    crate::cases::notices::derive_if_behind(ctx.state).await;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let r = sh::get(&ctx.state.store, id).await?.ok_or_else(|| AppError::not_found("handover"))?;
    if access::sanctions_offered(actor, &facts(&r)).is_empty() {
        let why = access::may_record_sanction(actor, &facts(&r), SanctionKind::Penalty).err();
        return Err(refused(why.unwrap_or(Refusal::MissingRole)));
    }
    if r.claimed_at.is_none() {
        return Err(AppError::with_detail(Kind::Conflict, "handover_not_claimed", "handover"));
    }
    Ok(r)
}

fn day(field: &'static str, text: &str) -> AppResult<NaiveDay> {
    parse_ymd(text.trim()).ok_or_else(|| AppError::invalid(field))
}

type NaiveDay = chrono::NaiveDate;

fn optional_day(field: &'static str, text: Option<&str>) -> AppResult<Option<NaiveDay>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => day(field, t).map(Some),
        None => Ok(None),
    }
}

/// Records a decision on the licensee of record `id` (files already stored
/// from a page's upload, besides the input's `upload_ids`); a 吊销 revokes
/// the licence in the same transaction. Refused with nothing written when
/// the reader is not the claiming regulator's staff, the record is not
/// claimed, the licence is unknown or not the licensee's, or the decision
/// is incomplete.
pub async fn record(ctx: &Ctx<'_>, id: i64, input: &SanctionInput, files: Vec<Attachment>) -> AppResult<SanctionView> {
    // Records of conclusions are derived after them: none acknowledged is missed.
    crate::cases::notices::derive_if_behind(ctx.state).await;
    let st = ctx.state;
    let r = target(ctx, id).await?;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let kind = SanctionKind::parse(&input.kind).ok_or_else(|| AppError::invalid("kind"))?;
    access::may_record_sanction(actor, &facts(&r), kind).map_err(refused)?;
    let license = match input.license.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(identifier) => {
            let l = crate::licenses::verify::find(st, identifier).await.map_err(AppError::unless_down(
                AppError::with_detail(Kind::Invalid, "unknown_license", identifier.to_string()),
            ))?;
            if l.holder_code.trim() != r.holder_code.trim() {
                return Err(AppError::with_detail(Kind::Invalid, "license_not_of_holder", identifier.to_string()));
            }
            Some(l)
        }
        None => match r.license_id {
            Some(lid) => Some(zwfw_store::licenses::get_license(st.store.pool(), lid).await?),
            None => None,
        },
    };
    let draft = dh::SanctionDraft {
        kind,
        decision_no: &input.decision_no,
        decided_on: day("decided_on", &input.decided_on)?,
        reason: &input.reason,
        restrict_from: optional_day("restrict_from", input.restrict_from.as_deref())?,
        restrict_until: optional_day("restrict_until", input.restrict_until.as_deref())?,
        item_ids: &input.item_ids,
        has_license: license.is_some(),
    };
    let s = dh::sanction(&draft, st.today()).map_err(invalid)?;
    // The items, read before the transaction (which reads only through its
    // own connection): each in the regulator's field, named in the notices.
    let mut item_list = vec![];
    // The departments implementing named items, other than the regulator,
    // with their items: each department's heads are told.
    let mut affected: Vec<(i64, Vec<String>)> = vec![];
    if !s.item_ids.is_empty() {
        let field = field_items(st, &r).await?;
        let names = item_names(st).await?;
        for i in &s.item_ids {
            let Some(item) = field.iter().find(|f| f.id == *i) else {
                return Err(match names.contains_key(i) {
                    true => AppError::with_detail(Kind::Invalid, SanctionError::ItemOutsideField.code(), i.to_string()),
                    false => AppError::with_detail(Kind::Invalid, "unknown_item", i.to_string()),
                });
            };
            item_list.push(item.name.clone());
            if item.department_id != r.regulator_department_id {
                match affected.iter_mut().find(|(d, _)| *d == item.department_id) {
                    Some((_, names)) => names.push(item.name.clone()),
                    None => affected.push((item.department_id, vec![item.name.clone()])),
                }
            }
        }
    }
    let mut attachments = files;
    for uid in &input.upload_ids {
        let u = zwfw_store::cases::get_upload(&st.store, *uid)
            .await
            .ok()
            .filter(|u| u.owner_user_id == actor.user_id)
            .ok_or_else(|| AppError::bad("invalid_material"))?;
        attachments.push(Attachment { sm3: u.file_sm3, name: u.file_name, kind: u.kind, size: u.size });
    }
    if attachments.len() > crate::interaction::MAX_ATTACHMENTS {
        return Err(AppError::with_detail(
            Kind::Invalid,
            "too_many_files",
            crate::interaction::MAX_ATTACHMENTS.to_string(),
        ));
    }
    let period = s.period.map(|(a, b)| (ymd(a), ymd(b)));
    let items = json!(s.item_ids).to_string();
    let files = json!(attachments).to_string();
    let decided_on = ymd(s.decided_on);
    let (holder_kind, holder_name, holder_code) = match &license {
        Some(l) => (super::holder_kind_of(&l.holder_kind), l.holder_name.as_str(), l.holder_code.as_str()),
        None => (r.holder_kind.as_str(), r.holder_name.as_str(), r.holder_code.as_str()),
    };
    let mut tx = st.store.begin().await?;
    // One number, one decision of this regulator, also among the 吊销 it
    // entered on a licence's page as the issuing department: the key of
    // `decision_numbers` refuses a number used already ([`use_number`]).
    let sid = sh::insert_sanction(
        &mut tx,
        &sh::NewSanction {
            handover_id: r.id,
            regulator_department_id: r.regulator_department_id,
            source_department_id: r.source_department_id,
            kind: kind.code(),
            decision_no: &s.decision_no,
            decided_on: &decided_on,
            reason: &s.reason,
            license_id: license.as_ref().map(|l| l.id),
            holder_kind,
            holder_name,
            holder_code: holder_code.trim(),
            restrict_from: period.as_ref().map(|p| p.0.as_str()),
            restrict_until: period.as_ref().map(|p| p.1.as_str()),
            item_ids: &items,
            attachments: &files,
            recorded_at: ctx.now(),
            recorded_by: actor.user_id,
            recorded_name: &actor.display_name,
        },
    )
    .await
    .map_err(|e| match e {
        zwfw_store::StoreError::Duplicate("decision_no") => number_taken(&s.decision_no),
        e => e.into(),
    })?;
    use_number(
        &mut tx,
        &sh::NewDecisionNumber {
            department_id: r.regulator_department_id,
            decision_no: &s.decision_no,
            kind: kind.code(),
            sanction_id: Some(sid),
            license_id: license.as_ref().map(|l| l.id),
            recorded_at: ctx.now(),
            recorded_by: Some(actor.user_id),
            recorded_name: &actor.display_name,
        },
    )
    .await?;
    let told = if kind == SanctionKind::Revoke {
        // The holder is told by the licence's own change (吊销).
        let l = license.as_ref().ok_or_else(|| invalid(SanctionError::LicenseRequired))?;
        crate::licenses::status::revoke_in(ctx, &mut tx, l, &s.decision_no).await?;
        0
    } else {
        let regulator = zwfw_store::admin::get_department_via(tx.conn(), r.regulator_department_id)
            .await
            .map(|d| d.name)
            .unwrap_or_default();
        let facts = crate::messages::SanctionFacts {
            kind,
            regulator: &regulator,
            item_name: &r.item_name,
            decision_no: &s.decision_no,
            decided_on: &decided_on,
            period: period.as_ref().map(|p| (p.0.as_str(), p.1.as_str())),
            items: &item_list,
        };
        let told = tell_licensee(ctx, &mut tx, &r, license.as_ref(), &facts).await?;
        if let Some(p) = period.as_ref() {
            let holder = shown_holder(holder_kind, holder_name);
            tell_departments(ctx, &mut tx, &affected, &regulator, &holder, &s.decision_no, p).await?;
        }
        told
    };
    let detail = json!({"handover_id": r.id, "sanction": kind.code(), "decision_no": s.decision_no,
        "decided_on": decided_on, "identifier": license.as_ref().map(|l| l.identifier.clone()),
        "restrict_from": period.as_ref().map(|p| p.0.clone()), "restrict_until": period.as_ref().map(|p| p.1.clone()),
        "item_ids": s.item_ids, "files": attachments, "licensee_notices": told,
        "departments_told": affected.iter().map(|(d, _)| *d).collect::<Vec<_>>()});
    ctx.audit(&mut tx, ctx.entry("handover_sanction", "handover", r.id, detail, &s.reason)).await?;
    tx.commit().await?;
    let row = sh::sanctions_of(&st.store, r.id)
        .await?
        .into_iter()
        .find(|x| x.id == sid)
        .ok_or_else(|| AppError::not_found("handover"))?;
    let names = item_names(st).await?;
    Ok(sanction_view(row, &names, department_name(st, r.regulator_department_id).await))
}

/// A licensee as staff see it: a company's name whole, a person's masked.
fn shown_holder(holder_kind: &str, name: &str) -> String {
    let legal = holder_kind == zwfw_domain::cases::ApplicantKind::Legal.code();
    zwfw_domain::ids::shown_holder(legal, name, "").0
}

/// The heads of each department whose items a 限制准入 names told, in the
/// decision's transaction (its staff read through it), in-app.
async fn tell_departments(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    affected: &[(i64, Vec<String>)],
    regulator: &str,
    holder: &str,
    decision_no: &str,
    (from, until): &(String, String),
) -> AppResult<()> {
    let mut notices = vec![];
    for (department, items) in affected {
        let (title, body) =
            crate::messages::restriction_department_notice(regulator, holder, decision_no, (from, until), items);
        for u in zwfw_store::admin::list_staff_via(tx.conn(), Some(*department)).await? {
            if u.active && u.roles.contains(&zwfw_domain::admin::Role::DeptHead) {
                notices.push(zwfw_store::outbox::Notice {
                    sms_to_account: false,
                    ..zwfw_store::outbox::Notice::to_account(u.id, title.clone(), body.clone(), String::new())
                });
            }
        }
    }
    zwfw_store::outbox::write_notices(tx, &notices, ctx.now()).await?;
    Ok(())
}

/// The licensee told of a decision recorded on them, in the decision's own
/// transaction `tx` (read through it): the applicant of the case the record
/// was pushed on, as a step of the case tells them — in-app and by e-mail
/// to their account, by SMS to the mobile and by e-mail to the address the
/// application gives (so an applicant registered at the counter, without an
/// account, is told too); with no case, the licence's holder's account.
/// How many notices were written.
async fn tell_licensee(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    r: &sh::HandoverRow,
    license: Option<&zwfw_store::licenses::LicenseRow>,
    f: &crate::messages::SanctionFacts<'_>,
) -> AppResult<usize> {
    let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let (title, body) = crate::messages::sanction_notice(f);
    let notice = match (r.case_id, license.and_then(|l| l.holder_user_id)) {
        (Some(case_id), _) => {
            let c = zwfw_store::cases::get_case_in(tx, case_id).await?;
            zwfw_store::outbox::Notice {
                user_id: c.applicant_user_id,
                mobile: given(&c.applicant_mobile),
                email: given(&c.applicant_email),
                sms_to_account: false,
                title,
                body,
                link: if c.applicant_user_id.is_some() { format!("/cases/{case_id}") } else { String::new() },
            }
        }
        (None, Some(user)) => zwfw_store::outbox::Notice::to_account(user, title, body, "/my/licenses".into()),
        (None, None) => return Ok(0),
    };
    if notice.user_id.is_none() && notice.mobile.is_none() && notice.email.is_none() {
        return Ok(0);
    }
    zwfw_store::outbox::write_notices(tx, std::slice::from_ref(&notice), ctx.now()).await?;
    Ok(1)
}

/// A 限制准入 in force on an application, as the counter sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = EntryRestriction)]
pub struct RestrictionView {
    /// The record it was recorded on.
    pub handover_id: i64,
    pub decision_no: String,
    pub decided_on: String,
    pub reason: String,
    /// The first and the last day (YYYY-MM-DD).
    pub restrict_from: String,
    pub restrict_until: String,
    /// The regulator that decided it.
    pub regulator_department: String,
}

/// The 限制准入 in force on a case's applicant for its item, on the day it
/// was submitted (a draft: today), for the readers the rule names (the
/// staff of the case's department and the overseers); none for others.
pub async fn restrictions_for(st: &App, actor: Option<&Actor>, case: &CaseRow) -> AppResult<Vec<RestrictionView>> {
    let Some(actor) = actor else { return Ok(vec![]) };
    let code = case.applicant_id_no.trim();
    if code.is_empty() || !access::sees_restrictions(actor, case.department_id) {
        return Ok(vec![]);
    }
    let on = case.p.submitted_at.map(zwfw_domain::clock::local_date).unwrap_or_else(|| st.today());
    let mut out = vec![];
    for s in sh::restrictions_on(&st.store, code, &ymd(on)).await? {
        let (Some(from), Some(until)) =
            (s.restrict_from.as_deref().and_then(parse_ymd), s.restrict_until.as_deref().and_then(parse_ymd))
        else {
            continue;
        };
        let items: Vec<i64> = serde_json::from_str(&s.item_ids).unwrap_or_default();
        if !dh::restricts(from, until, &items, case.item_id, on) {
            continue;
        }
        out.push(RestrictionView {
            handover_id: s.handover_id,
            decision_no: s.decision_no,
            decided_on: s.decided_on,
            reason: s.reason,
            restrict_from: ymd(from),
            restrict_until: ymd(until),
            regulator_department: department_name(st, s.regulator_department_id).await,
        });
    }
    Ok(out)
}
