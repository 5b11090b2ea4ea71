//! 误操作更正 (六盘水 000 第八—十条): an action recorded wrongly on a case is
//! corrected by request. The officer who recorded it (or a head of the
//! case's department) names the event and says what is wrong and why; a
//! head of the case's department consents or refuses with a reason; the
//! service centre carries it out — a corrective event appended to the case
//! in the request's transaction, the original left in the timeline — or
//! refuses with a reason. The next actor is told in-app at each step, the
//! supervision office is told of every correction carried out and lists
//! them all, and each step is an audit record on the request.

use super::rights::Deciders;
use crate::cases::correct::{self as cc, NamedEvent};
use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use zwfw_domain::access::correction::{self as access, CorrectionFacts};
use zwfw_domain::access::governance::DeletionScope;
use zwfw_domain::access::Refusal;
use zwfw_domain::admin::{Actor, Role};
use zwfw_domain::governance::correction::{self as dcor, ApplicantRecord, CorrectionError, CorrectionKind};
use zwfw_domain::governance::deletion::{DeletionState as State, Verdict};
use zwfw_store::governance::correction as scor;

/// The object named in refusals, "not found" and the audit trail.
const OBJECT: &str = "correction_request";

fn refused(r: Refusal) -> AppError {
    if r.hides_object() {
        AppError::not_found(OBJECT)
    } else {
        AppError::with_detail(Kind::Forbidden, r.code(), OBJECT)
    }
}

fn correction_error(e: CorrectionError, seq: i64) -> AppError {
    let s = seq.to_string();
    match e {
        CorrectionError::NoSuchEvent => AppError::with_detail(Kind::Invalid, "correction_no_such_event", s),
        CorrectionError::WrongKind => AppError::with_detail(Kind::Invalid, "correction_wrong_kind", s),
        CorrectionError::AlreadyCorrected => AppError::with_detail(Kind::Conflict, "correction_already_done", s),
        CorrectionError::NotCorrectable => AppError::with_detail(Kind::Conflict, "correction_not_possible", s),
        CorrectionError::AlreadyRequested => AppError::with_detail(Kind::Conflict, "correction_already_requested", s),
        CorrectionError::LicenseIssued => AppError::with_detail(Kind::Conflict, "correction_license_issued", s),
        CorrectionError::RecordsDerived => AppError::with_detail(Kind::Conflict, "correction_records_derived", s),
        CorrectionError::Delivered => AppError::with_detail(Kind::Conflict, "correction_decision_delivered", s),
        CorrectionError::LicenseChanged => AppError::with_detail(Kind::Conflict, "correction_license_changed", s),
    }
}

fn wrong_stage() -> AppError {
    AppError::new(Kind::Conflict, "correction_wrong_stage")
}

fn text(field: &'static str, s: &str) -> AppResult<String> {
    zwfw_domain::interaction::text(field, s, dcor::MAX_TEXT).map_err(|e| {
        AppError::with_detail(Kind::Invalid, "invalid_correction_text", crate::messages::interaction_error_text(&e))
    })
}

fn actor<'a>(ctx: &Ctx<'a>) -> AppResult<&'a Actor> {
    ctx.actor.ok_or_else(AppError::forbidden)
}

fn facts(r: &scor::CorrectionRow) -> CorrectionFacts {
    CorrectionFacts {
        department_id: r.department_id,
        requester_id: r.requester_id,
        consent_by: r.consent_by,
        ..Default::default()
    }
}

/// The facts of a request with who stands in for the heads while it waits
/// for consent: as for deletion and rights requests, when no head of the
/// case's department qualified today is free to consent (the requester is
/// its only head), a head of the service centre, else the system
/// administrator.
async fn facts_of(st: &App, r: &scor::CorrectionRow) -> AppResult<CorrectionFacts> {
    facts_with(st, r, &mut Deciders::default()).await
}

/// [`facts_of`], with who may consent read once for a page of requests.
async fn facts_with(st: &App, r: &scor::CorrectionRow, d: &mut Deciders) -> AppResult<CorrectionFacts> {
    let mut f = facts(r);
    if state_of(r) == State::Requested {
        f.stand_in = d.stand_in(st, r.department_id, r.requester_id, &[]).await?;
    }
    Ok(f)
}

fn state_of(r: &scor::CorrectionRow) -> State {
    State::parse(&r.state).unwrap_or(State::Requested)
}

// ---------- views ----------

/// A correction request as its readers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CorrectionRequest)]
pub struct CorrectionView {
    pub id: i64,
    pub case_id: i64,
    pub case_no: String,
    pub item_name: String,
    /// The case's page.
    pub case_link: String,
    /// The number of the event to correct on the case.
    pub event_seq: i64,
    /// Its kind (step_passed, accepted, concluded, …) and its words.
    pub event_kind: String,
    pub event_label: String,
    /// step_passed | applicant_data | conclusion
    pub correction_kind: String,
    pub correction_kind_label: String,
    /// The case's department.
    pub department_id: i64,
    pub department: String,
    pub requester_name: String,
    /// 更正内容: what is wrong and what is right.
    pub content: String,
    /// 更正原因.
    pub reason: String,
    /// requested | withdrawn | consented | declined | performed | rejected
    pub state: String,
    pub state_label: String,
    pub requested_at: i64,
    pub withdrawn_at: Option<i64>,
    pub consent_name: String,
    pub consent_at: Option<i64>,
    /// The head's note: the reason when refused.
    pub consent_note: String,
    /// In whose stead the consent was given: `centre_head`,
    /// `system_admin`, or none (a head of the case's department).
    pub consent_as: Option<String>,
    /// Who gave it, in words (部门负责人, 政务服务中心负责人（代部门负责人）,
    /// 系统管理员（代部门负责人）).
    pub consenter: String,
    pub performed_name: String,
    pub performed_at: Option<i64>,
    /// The centre's note: the reason when refused.
    pub performed_note: String,
    /// The corrective event's number on the case, once carried out.
    pub corrective_seq: Option<i64>,
    /// The corrected applicant data (applicant_data), masked.
    pub corrected_applicant: Option<ApplicantRecord>,
    /// Who consents in the heads' stead while it waits (the requester is
    /// the department's only head): `centre_head`, `system_admin`, or none.
    pub stand_in: Option<String>,
    pub may_consent: bool,
    pub may_perform: bool,
    pub may_withdraw: bool,
}

/// The corrected applicant data a request carries, as stored.
fn values_of(r: &scor::CorrectionRow) -> AppResult<Option<ApplicantRecord>> {
    if r.corrected_values.is_empty() {
        return Ok(None);
    }
    serde_json::from_str(&r.corrected_values)
        .map(Some)
        .map_err(|e| AppError::Internal(format!("correction request {}: {e}", r.id)))
}

async fn view(ctx: &Ctx<'_>, r: scor::CorrectionRow, d: &mut Deciders) -> AppResult<CorrectionView> {
    let state = state_of(&r);
    let corrected_applicant = values_of(&r).ok().flatten().map(|a| a.masked());
    let f = facts_with(ctx.state, &r, d).await?;
    let (may_consent, may_perform, may_withdraw) = match ctx.actor {
        Some(a) => (
            state == State::Requested && access::may_consent_correction(a, &f).is_ok(),
            state == State::Consented && access::may_carry_out_correction(a, &f).is_ok(),
            state == State::Requested && access::may_withdraw_correction(a, &f).is_ok(),
        ),
        None => (false, false, false),
    };
    Ok(CorrectionView {
        id: r.id,
        case_id: r.case_id,
        case_link: format!("/cases/{}", r.case_id),
        case_no: r.case_no,
        item_name: r.item_name,
        event_seq: r.event_seq,
        event_label: crate::messages::case_event_label(&r.event_kind),
        event_kind: r.event_kind,
        correction_kind_label: crate::messages::label("correction_kind", &r.correction_kind),
        correction_kind: r.correction_kind,
        department_id: r.department_id,
        department: r.department_name,
        requester_name: r.requester_name,
        content: r.content,
        reason: r.reason,
        state_label: crate::messages::label("correction_state", &r.state),
        state: r.state,
        requested_at: r.requested_at,
        withdrawn_at: r.withdrawn_at,
        consent_name: r.consent_name,
        consent_at: r.consent_at,
        consent_note: r.consent_note,
        consenter: crate::messages::correction_consenter(&r.consent_as).to_string(),
        consent_as: Some(r.consent_as).filter(|c| !c.is_empty()),
        performed_name: r.performed_name,
        performed_at: r.performed_at,
        performed_note: r.performed_note,
        corrective_seq: r.corrective_seq,
        corrected_applicant,
        stand_in: super::deletions::stand_in_code(f.stand_in),
        may_consent,
        may_perform,
        may_withdraw,
    })
}

// ---------- who is told ----------

async fn tell(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    users: &[i64],
    step: &str,
    r: &scor::CorrectionRow,
    note: &str,
) -> AppResult<usize> {
    let what =
        crate::messages::correction_subject(&r.case_no, r.event_seq, &crate::messages::case_event_label(&r.event_kind));
    let by = crate::messages::correction_consenter(&r.consent_as);
    let (title, body) = crate::messages::correction_notice(step, r.id, &what, &r.requester_name, by, note);
    let mut to: Vec<i64> = users.to_vec();
    to.sort_unstable();
    to.dedup();
    zwfw_store::interaction::notify_users(
        tx,
        &to,
        &title,
        &body,
        &format!("/governance/corrections/{}", r.id),
        ctx.now(),
    )
    .await?;
    Ok(to.len())
}

// ---------- asking ----------

/// What a case's page offers for corrections: the events the reader may
/// ask to correct now, and the requests on the case they may read.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CorrectionOffer)]
pub struct Offer {
    pub case_id: i64,
    pub case_no: String,
    pub item_name: String,
    /// The events the reader may ask to correct, newest first.
    pub events: Vec<NamedEvent>,
    /// The correction requests of the case the reader may read, newest first.
    pub requests: Vec<CorrectionView>,
    /// The applicant's data the case records, masked: when its acceptance
    /// is offered for an applicant-data correction.
    pub applicant: Option<ApplicantRecord>,
}

/// The offer of case `case_id` to the signed-in reader; "not found" for
/// who may not read the case.
pub async fn offer(ctx: &Ctx<'_>, case_id: i64) -> AppResult<Offer> {
    let actor = actor(ctx)?;
    let st = ctx.state;
    let t = cc::target(st, case_id).await?;
    let content = crate::cases::item_version(st, t.row.version_id).await?;
    if !crate::cases::readable(actor, &t.row, &content) {
        return Err(AppError::not_found("case"));
    }
    let mut events = vec![];
    if access::may_ask_on_case(actor, t.row.department_id) {
        for r in t.rows.iter().rev() {
            let Some(kind) = cc::kind_for(&r.kind) else { continue };
            if access::may_request_correction(actor, t.row.department_id, r.actor_id).is_err()
                || t.check(r.seq, kind).is_err()
                || scor::open_for(st.store.pool(), case_id, r.seq).await?.is_some()
            {
                continue;
            }
            events.extend(t.named(r.seq));
        }
    }
    let (rows, _) =
        scor::list(&st.store, &scor::Filter { case_id: Some(case_id), limit: 50, ..Default::default() }).await?;
    let mut requests = vec![];
    let mut deciders = Deciders::default();
    for r in rows {
        if access::may_read_correction(actor, &facts_with(st, &r, &mut deciders).await?) {
            requests.push(view(ctx, r, &mut deciders).await?);
        }
    }
    let applicant = events.iter().any(|e| e.correction_kind == CorrectionKind::ApplicantData.code());
    Ok(Offer {
        case_id,
        case_no: t.row.case_no.clone().unwrap_or_default(),
        item_name: t.row.item_name.clone(),
        events,
        requests,
        applicant: applicant.then(|| t.applicant().masked()),
    })
}

/// A correction request as its requester writes it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = CorrectionRequestInput)]
pub struct RequestInput {
    pub case_id: i64,
    /// The number of the event to correct, as the case's timeline shows it.
    pub event_seq: i64,
    /// What the correction corrects: step_passed (the event named must be
    /// a step passed), applicant_data (the event named must be the
    /// case's acceptance) or conclusion (the event named must be the
    /// case's decision, 准予 or 不予许可, not yet delivered).
    pub correction_kind: String,
    /// What is wrong and what is right (更正内容, at most 2000 characters).
    pub content: String,
    /// Why (更正原因, at most 2000 characters).
    pub reason: String,
    /// The corrected applicant data (applicant_data only, required there;
    /// a field left empty keeps the value recorded), checked as at application: `invalid_applicant`, the number's and
    /// the mobile's own codes, `invalid_email`; an online application's
    /// identity is its account's (`correction_identity_of_account`);
    /// values that change nothing are refused (`correction_no_change`).
    #[serde(default)]
    pub applicant: Option<ApplicantRecord>,
}

/// Whether the signed-in actor may ask for corrections at all (staff):
/// asked before the body is read.
pub fn may_ask(ctx: &Ctx<'_>) -> AppResult<()> {
    if actor(ctx)?.is_staff() {
        Ok(())
    } else {
        Err(refused(Refusal::StaffOnly))
    }
}

/// The requester asks for the correction of an event; the heads of the
/// case's department are told, and who stands in for them when none may
/// consent (the requester is its only head).
pub async fn request(ctx: &Ctx<'_>, input: &RequestInput) -> AppResult<CorrectionView> {
    let actor = actor(ctx)?;
    let st = ctx.state;
    let kind = CorrectionKind::parse(&input.correction_kind)
        .ok_or_else(|| AppError::with_detail(Kind::Invalid, "bad_correction_kind", "correction_kind"))?;
    let t = cc::target(st, input.case_id).await?;
    let dept = t.row.department_id;
    let seq = input.event_seq;
    // Staff of the case's department learn what is wrong with the event
    // named; anyone else does not learn the case exists.
    access::may_request_correction(actor, dept, None)
        .or_else(|r| if r == Refusal::NotAuthor { Ok(()) } else { Err(r) })
        .map_err(|r| if r.hides_object() { AppError::not_found("case") } else { refused(r) })?;
    t.check(seq, kind).map_err(|e| correction_error(e, seq))?;
    let named = t.named(seq).ok_or_else(|| correction_error(CorrectionError::NoSuchEvent, seq))?;
    access::may_request_correction(actor, dept, named.actor_id).map_err(refused)?;
    let content = text("content", &input.content)?;
    let reason = text("reason", &input.reason)?;
    let values = match kind {
        CorrectionKind::ApplicantData => Some(cc::checked_applicant(&t.row, input.applicant.as_ref())?),
        CorrectionKind::StepPassed | CorrectionKind::Conclusion => None,
    };
    let changed = values.as_ref().map(|v| t.applicant().changed(v));
    let stored = match &values {
        Some(v) => serde_json::to_string(v).map_err(|e| AppError::Internal(e.to_string()))?,
        None => String::new(),
    };
    let mut heads = super::deletions::heads_but(st, dept, actor.user_id).await?;
    heads.extend(super::deletions::stand_ins(st, dept, actor.user_id).await?);
    heads.retain(|&u| u != actor.user_id);
    let mut tx = st.store.begin().await?;
    let id = scor::insert(
        &mut tx,
        &scor::NewCorrection {
            case_id: input.case_id,
            event_seq: seq,
            event_kind: &named.kind,
            correction_kind: kind.code(),
            department_id: dept,
            requester_id: actor.user_id,
            requester_name: &actor.display_name,
            content: &content,
            reason: &reason,
            requested_at: ctx.now(),
            corrected_values: &stored,
        },
    )
    .await?
    .ok_or_else(|| correction_error(CorrectionError::AlreadyRequested, seq))?;
    let r = scor::get(tx.conn(), id).await?.ok_or_else(|| AppError::not_found(OBJECT))?;
    let told = tell(ctx, &mut tx, &heads, "requested", &r, &reason).await?;
    let detail = json!({"case_id": input.case_id, "event_seq": seq, "event_kind": named.kind,
        "correction_kind": kind.code(), "content": content, "changed": changed, "correction_state": "requested",
        "notified": told});
    ctx.audit(&mut tx, ctx.entry("correction_requested", OBJECT, id, detail, &reason)).await?;
    tx.commit().await?;
    get(ctx, id).await
}

// ---------- reading ----------

/// Which requests a list shows.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[schema(as = CorrectionRequestQuery)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// requested | withdrawn | consented | declined | performed | rejected (default: every state)
    pub state: Option<String>,
    /// 1-based.
    pub page: Option<i64>,
}

/// A page of correction requests.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CorrectionRequestPage)]
pub struct CorrectionPage {
    pub rows: Vec<CorrectionView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Whose requests: all | department | own
    pub scope: String,
}

pub const PER_PAGE: i64 = 50;

/// The requests the reader may see, newest first, by state: the centre and
/// the supervision office all, a department head their department's (and
/// those waiting for the consent she gives in another department's heads'
/// stead), anyone else their own.
pub async fn list(ctx: &Ctx<'_>, q: &ListQuery) -> AppResult<CorrectionPage> {
    let scope = access::correction_scope(actor(ctx)?).map_err(refused)?;
    let state = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(State::parse(s).ok_or_else(|| AppError::with_detail(Kind::BadInput, "bad_filter", "state"))?),
    };
    let page = q.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(AppError::invalid("page"));
    }
    let mut f = scor::Filter {
        state: state.map(|s| s.code().to_string()),
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
        ..Default::default()
    };
    // Who may consent is read once for the page, not once a request.
    let mut deciders = Deciders::default();
    let scope_code = match scope {
        DeletionScope::All => "all",
        DeletionScope::Department(d) => {
            f.department_id = Some(d);
            f.or_ids = stood_in_for(ctx, d, &mut deciders).await?;
            "department"
        }
        DeletionScope::Author(a) => {
            f.requester_id = Some(a);
            "own"
        }
    };
    let (rows, total) = scor::list(&ctx.state.store, &f).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(ctx, r, &mut deciders).await?);
    }
    Ok(CorrectionPage { rows: out, total, page, per_page: PER_PAGE, scope: scope_code.to_string() })
}

/// The requests of other departments than the head's own `department`
/// waiting for the consent the signed-in head gives in their heads' stead.
async fn stood_in_for(ctx: &Ctx<'_>, department: i64, d: &mut Deciders) -> AppResult<Vec<i64>> {
    let actor = actor(ctx)?;
    let waiting = scor::Filter { state: Some(State::Requested.code().to_string()), limit: 500, ..Default::default() };
    let (rows, _) = scor::list(&ctx.state.store, &waiting).await?;
    let mut ids = vec![];
    for r in rows.iter().filter(|r| r.department_id != department) {
        let f = facts_with(ctx.state, r, d).await?;
        if zwfw_domain::access::rights::is_stand_in(actor, f.stand_in) {
            ids.push(r.id);
        }
    }
    Ok(ids)
}

/// The request `id` for one who may read it; anyone else, whatever step
/// they try, is answered "not found" (the steps' rules say so too:
/// [`access::may_consent_correction`] …), so that no refusal tells them it
/// exists.
async fn readable(ctx: &Ctx<'_>, id: i64) -> AppResult<scor::CorrectionRow> {
    let actor = actor(ctx)?;
    let r = scor::get(ctx.state.store.pool(), id).await?.ok_or_else(|| AppError::not_found(OBJECT))?;
    let f = facts_of(ctx.state, &r).await?;
    if !access::may_read_correction(actor, &f) {
        return Err(AppError::not_found(OBJECT));
    }
    Ok(r)
}

/// One request.
pub async fn get(ctx: &Ctx<'_>, id: i64) -> AppResult<CorrectionView> {
    view(ctx, readable(ctx, id).await?, &mut Deciders::default()).await
}

// ---------- consent, carrying out, withdrawal ----------

pub use super::deletions::VerdictInput;

fn verdict(input: &VerdictInput) -> AppResult<(Verdict, String)> {
    let v = Verdict::parse(&input.decision)
        .ok_or_else(|| AppError::with_detail(Kind::Invalid, "bad_verdict", "decision"))?;
    let note = match v {
        Verdict::Refuse => text("note", &input.note)?,
        Verdict::Approve if input.note.trim().is_empty() => String::new(),
        Verdict::Approve => text("note", &input.note)?,
    };
    Ok((v, note))
}

/// Whether the actor may give the head's verdict on request `id`: asked before the body is read.
pub async fn may_consent(ctx: &Ctx<'_>, id: i64) -> AppResult<()> {
    let r = readable(ctx, id).await?;
    access::may_consent_correction(actor(ctx)?, &facts_of(ctx.state, &r).await?).map(|_| ()).map_err(refused)
}

/// Whether the actor may give the centre's verdict on request `id`.
pub async fn may_perform(ctx: &Ctx<'_>, id: i64) -> AppResult<()> {
    let r = readable(ctx, id).await?;
    access::may_carry_out_correction(actor(ctx)?, &facts(&r)).map(|_| ()).map_err(refused)
}

fn step<'a>(actor: &'a Actor, from: State, to: State, note: &'a str, at: i64) -> scor::Step<'a> {
    scor::Step { from: from.code(), to: to.code(), by: actor.user_id, by_name: &actor.display_name, note, at }
}

/// A head of the case's department (or who stands in for its heads)
/// consents (the centre is told) or refuses with a reason (the requester
/// is told).
pub async fn consent(ctx: &Ctx<'_>, id: i64, input: &VerdictInput) -> AppResult<CorrectionView> {
    let st = ctx.state;
    let actor = actor(ctx)?;
    let mut r = readable(ctx, id).await?;
    let f = facts_of(st, &r).await?;
    let role = access::may_consent_correction(actor, &f).map_err(refused)?;
    // In whose stead: a head of the case's department consents as such.
    let head_here = actor.has(Role::DeptHead) && actor.department_id == Some(r.department_id);
    let stood_in = !head_here && zwfw_domain::access::rights::is_stand_in(actor, f.stand_in);
    r.consent_as =
        if stood_in { super::deletions::stand_in_code(f.stand_in).unwrap_or_default() } else { String::new() };
    let (v, note) = verdict(input)?;
    let from = state_of(&r);
    let to = from.consent(v).map_err(|_| wrong_stage())?;
    let approve = v == Verdict::Approve;
    let centre = if approve { super::deletions::staff_in_role(st, None, Role::CenterAdmin).await? } else { vec![] };
    let mut tx = st.store.begin().await?;
    if !scor::consent(&mut tx, id, &step(actor, from, to, &note, ctx.now()), &r.consent_as).await? {
        return Err(wrong_stage());
    }
    let mut told = tell(ctx, &mut tx, &[r.requester_id], to.code(), &r, &note).await?;
    if approve {
        let others: Vec<i64> = centre.into_iter().filter(|&u| u != r.requester_id).collect();
        told += tell(ctx, &mut tx, &others, "to_perform", &r, &note).await?;
    }
    let action = if approve { "correction_consented" } else { "correction_declined" };
    let detail =
        json!({"correction_state": to.code(), "role": role.code(), "consent_as": r.consent_as, "notified": told});
    ctx.audit(&mut tx, ctx.entry(action, OBJECT, id, detail, &note)).await?;
    tx.commit().await?;
    get(ctx, id).await
}

/// The centre carries out a consented correction — the corrective event
/// appended to the case in the request's transaction, checked again on the
/// case as it is now — or refuses it with a reason. The requester and the
/// consenting head are told; the supervision office is told of every
/// correction carried out.
pub async fn perform(ctx: &Ctx<'_>, id: i64, input: &VerdictInput) -> AppResult<CorrectionView> {
    let st = ctx.state;
    let actor = actor(ctx)?;
    let r = readable(ctx, id).await?;
    let role = access::may_carry_out_correction(actor, &facts(&r)).map_err(refused)?;
    let (v, note) = verdict(input)?;
    let from = state_of(&r);
    let to = from.perform(v).map_err(|_| wrong_stage())?;
    let approve = v == Verdict::Approve;
    let supervision = if approve { super::deletions::staff_in_role(st, None, Role::Supervisor).await? } else { vec![] };
    let (mut tx, corrective) = if approve {
        let kind = CorrectionKind::parse(&r.correction_kind)
            .ok_or_else(|| AppError::Internal(format!("correction kind {}", r.correction_kind)))?;
        let why = r.reason.as_str();
        let values = values_of(&r)?;
        let (tx, seq) = cc::append_correction(ctx, role, r.case_id, r.event_seq, kind, id, why, values).await?;
        (tx, Some(seq.map_err(|e| correction_error(e, r.event_seq))?))
    } else {
        (st.store.begin().await?, None)
    };
    if !scor::finish(&mut tx, id, &step(actor, from, to, &note, ctx.now()), corrective).await? {
        return Err(wrong_stage());
    }
    let mut to_tell = vec![r.requester_id];
    to_tell.extend(r.consent_by);
    let mut told = tell(ctx, &mut tx, &to_tell, to.code(), &r, &note).await?;
    if approve {
        let watchers: Vec<i64> = supervision.into_iter().filter(|u| !to_tell.contains(u)).collect();
        told += tell(ctx, &mut tx, &watchers, "reported", &r, &note).await?;
    }
    let action = if approve { "correction_performed" } else { "correction_rejected" };
    let detail = json!({"correction_state": to.code(), "role": role.code(), "case_id": r.case_id,
        "event_seq": r.event_seq, "corrective_seq": corrective, "notified": told});
    ctx.audit(&mut tx, ctx.entry(action, OBJECT, id, detail, &note)).await?;
    tx.commit().await?;
    get(ctx, id).await
}

/// Whether the actor may withdraw request `id`: asked before anything else.
pub async fn may_withdraw(ctx: &Ctx<'_>, id: i64) -> AppResult<()> {
    let r = readable(ctx, id).await?;
    access::may_withdraw_correction(actor(ctx)?, &facts(&r)).map_err(refused)
}

/// The requester withdraws the request before the head's consent; the
/// heads (or who stands in for them) are told.
pub async fn withdraw(ctx: &Ctx<'_>, id: i64) -> AppResult<CorrectionView> {
    let actor = actor(ctx)?;
    let st = ctx.state;
    let r = readable(ctx, id).await?;
    access::may_withdraw_correction(actor, &facts(&r)).map_err(refused)?;
    let to = state_of(&r).withdraw().map_err(|_| wrong_stage())?;
    let mut heads = super::deletions::heads_but(st, r.department_id, actor.user_id).await?;
    heads.extend(super::deletions::stand_ins(st, r.department_id, r.requester_id).await?);
    heads.retain(|&u| u != actor.user_id);
    let mut tx = st.store.begin().await?;
    if !scor::withdraw(&mut tx, id, ctx.now()).await? {
        return Err(wrong_stage());
    }
    let told = tell(ctx, &mut tx, &heads, to.code(), &r, "").await?;
    let detail = json!({"correction_state": to.code(), "notified": told});
    ctx.audit(&mut tx, ctx.entry("correction_withdrawn", OBJECT, id, detail, "")).await?;
    tx.commit().await?;
    get(ctx, id).await
}

/// The corrections of kind `what` carried out on a case: (event corrected,
/// request), for its timeline.
pub fn corrected_on(events: &[zwfw_store::cases::EventRow], what: CorrectionKind) -> Vec<(i64, i64)> {
    events
        .iter()
        .filter(|e| e.kind == "corrected")
        .filter_map(|e| {
            let ev = serde_json::from_value::<zwfw_domain::cases::Event>(e.body.clone()).ok()?;
            match ev.kind {
                zwfw_domain::cases::EventKind::Corrected { event, request, what: w, .. } if w == what => {
                    Some((event, request))
                }
                _ => None,
            }
        })
        .collect()
}

/// The documents of a case, each marked superseded when the event it is
/// numbered with was struck out by a correction
/// ([`zwfw_domain::governance::correction::document_superseded`]).
pub fn mark_superseded(
    events: &[zwfw_store::cases::EventRow],
    mut documents: Vec<zwfw_store::cases::DocumentRow>,
) -> Vec<zwfw_store::cases::DocumentRow> {
    let parsed: Vec<(i64, zwfw_domain::cases::Event)> = events
        .iter()
        .filter(|e| e.kind == "corrected")
        .filter_map(|e| Some((e.seq, serde_json::from_value(e.body.clone()).ok()?)))
        .collect();
    let refs: Vec<(i64, &zwfw_domain::cases::Event)> = parsed.iter().map(|(s, e)| (*s, e)).collect();
    for d in &mut documents {
        d.superseded = zwfw_domain::governance::correction::document_superseded(&refs, d.event_seq);
    }
    documents
}
