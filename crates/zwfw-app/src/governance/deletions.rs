//! Deletion by approved request (删除申请, 常州 003 第七条): nothing is
//! deleted any other way. The staff member who entered a record asks for
//! its deletion, saying what is to be deleted and why; a head of their
//! department consents or refuses with a reason; the supervision office
//! performs the deletion or refuses with a reason; the author may withdraw
//! before consent. The next actor is told in-app at each step, and each step
//! is an audit record on the request. A performed deletion removes the
//! record from every business view and keeps its rows, as they were, in the
//! archive that supervision reads with the request; rule A07 stays silent
//! for it (the database's guards let exactly these rows through).

use super::rights::Deciders;
use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use zwfw_domain::access::governance::{self as access, DeletionFacts, DeletionScope};
use zwfw_domain::access::rights::StandIn;
use zwfw_domain::access::Refusal;
use zwfw_domain::admin::{Actor, Role};
use zwfw_domain::governance::deletion::{self as dd, DeletionError, DeletionState, RecordFacts, RecordKind, Verdict};
use zwfw_store::governance::deletion as sd;

/// The object named in refusals, "not found" and the audit trail.
const OBJECT: &str = "deletion_request";

fn refused(r: Refusal) -> AppError {
    if r.hides_object() {
        AppError::not_found(OBJECT)
    } else {
        AppError::with_detail(Kind::Forbidden, r.code(), OBJECT)
    }
}

/// A refusal to ask for the deletion of a record: one the asker may not
/// see is "not found" as that record, not as a request.
fn refused_on(kind: RecordKind) -> impl Fn(Refusal) -> AppError {
    move |r| match (r.hides_object(), kind) {
        (true, RecordKind::CaseDraft) => AppError::not_found("case"),
        (true, RecordKind::MaintenanceRequest) => AppError::not_found("maintenance_request"),
        (true, RecordKind::DraftMaterial) => AppError::not_found("material"),
        (true, RecordKind::ItemDraft) => AppError::not_found("item"),
        (false, _) => refused(r),
    }
}

fn state_error(e: DeletionError) -> AppError {
    match e {
        DeletionError::NotDeletable => AppError::new(Kind::Conflict, "record_not_deletable"),
        DeletionError::AlreadyRequested => AppError::new(Kind::Conflict, "deletion_already_requested"),
        DeletionError::WrongStage => AppError::new(Kind::Conflict, "deletion_wrong_stage"),
    }
}

fn text(field: &'static str, s: &str) -> AppResult<String> {
    zwfw_domain::interaction::text(field, s, dd::MAX_TEXT).map_err(|e| {
        AppError::with_detail(Kind::Invalid, "invalid_deletion_text", crate::messages::interaction_error_text(&e))
    })
}

fn actor<'a>(ctx: &Ctx<'a>) -> AppResult<&'a Actor> {
    ctx.actor.ok_or_else(AppError::forbidden)
}

fn kind_of(code: &str) -> AppResult<RecordKind> {
    RecordKind::parse(code.trim()).ok_or_else(|| AppError::with_detail(Kind::Invalid, "bad_record_kind", "record_kind"))
}

fn facts(r: &sd::DeletionRow) -> DeletionFacts {
    DeletionFacts {
        author_id: r.author_id,
        department_id: r.department_id,
        consent_by: r.consent_by,
        ..Default::default()
    }
}

/// The facts of a request with who stands in for the heads while it waits
/// for consent: as for rights requests ([`super::rights`]), when no head
/// of the author's department qualified today is free to consent (the
/// author is its only head), a head of the service centre, else the
/// system administrator.
async fn facts_of(st: &App, r: &sd::DeletionRow) -> AppResult<DeletionFacts> {
    facts_with(st, r, &mut Deciders::default()).await
}

/// [`facts_of`], with who may consent read once for a page of requests.
async fn facts_with(st: &App, r: &sd::DeletionRow, d: &mut Deciders) -> AppResult<DeletionFacts> {
    let mut f = facts(r);
    if r.state == DeletionState::Requested.code() {
        f.stand_in = d.stand_in(st, r.department_id, r.author_id, &[]).await?;
    }
    Ok(f)
}

/// Who stands in for the heads of `department` on a request asked by
/// `requester` ([`super::rights::stand_in_for`]): told when it is asked.
pub(super) async fn stand_ins(st: &App, department: i64, requester: i64) -> AppResult<Vec<i64>> {
    Ok(match super::rights::stand_in_for(st, department, requester, &[]).await? {
        StandIn::None => vec![],
        StandIn::CentreHead { centre } => super::rights::qualified_heads(st, centre).await?,
        StandIn::SystemAdmin => staff_in_role(st, None, Role::SystemAdmin).await?,
    })
}

/// Who stands in, as the view names it.
pub(super) fn stand_in_code(s: StandIn) -> Option<String> {
    match s {
        StandIn::None => None,
        StandIn::CentreHead { .. } => Some("centre_head".to_string()),
        StandIn::SystemAdmin => Some("system_admin".to_string()),
    }
}

// ---------- the records ----------

/// A record a deletion may be asked for: the facts the rules read and the
/// words its lists show.
struct Record {
    facts: RecordFacts,
    label: String,
    /// Its own page.
    link: String,
}

/// The record `kind`/`id` as the rules see it; "not found" when gone.
async fn record(st: &App, kind: RecordKind, id: i64) -> AppResult<Record> {
    match kind {
        RecordKind::CaseDraft => {
            let c = zwfw_store::cases::get_case(&st.store, id).await.map_err(|e| match e {
                zwfw_store::StoreError::NotFound(_) => AppError::not_found("case"),
                e => e.into(),
            })?;
            let author = c.registered_by;
            Ok(Record {
                facts: RecordFacts {
                    kind,
                    author_id: author,
                    department_id: c.department_id,
                    deletable: dd::case_draft_deletable(&c.p.state, author),
                },
                label: crate::messages::deletion_record_label(
                    kind.code(),
                    id,
                    &c.item_name,
                    &zwfw_domain::ids::mask_name(&c.applicant_name),
                ),
                link: format!("/cases/{id}/edit"),
            })
        }
        RecordKind::DraftMaterial => {
            let m = sd::material_of(st.store.pool(), id).await?.ok_or_else(|| AppError::not_found("material"))?;
            let c = zwfw_store::cases::get_case(&st.store, m.case_id).await?;
            Ok(Record {
                facts: RecordFacts {
                    kind,
                    author_id: m.added_by,
                    department_id: c.department_id,
                    deletable: dd::draft_material_deletable(&c.p.state, c.registered_by, m.added_by),
                },
                label: crate::messages::deletion_record_label(kind.code(), m.case_id, &c.item_name, &m.name),
                link: format!("/cases/{}/edit", m.case_id),
            })
        }
        RecordKind::ItemDraft => {
            let v = sd::item_draft_of(st.store.pool(), id).await?.ok_or_else(|| AppError::not_found("item"))?;
            Ok(Record {
                facts: RecordFacts {
                    kind,
                    author_id: v.created_by,
                    department_id: v.department_id,
                    deletable: dd::item_draft_deletable(&v.state, v.created_by, v.actions.iter().map(String::as_str)),
                },
                label: crate::messages::deletion_record_label(kind.code(), v.version_no, &v.name, ""),
                link: format!("/admin/items/{}", v.item_id),
            })
        }
        RecordKind::MaintenanceRequest => {
            let r = zwfw_store::governance::get(st.store.pool(), id)
                .await?
                .ok_or_else(|| AppError::not_found("maintenance_request"))?;
            Ok(Record {
                facts: RecordFacts {
                    kind,
                    author_id: Some(r.requester_id),
                    department_id: r.department_id,
                    deletable: dd::maintenance_request_deletable(&r.state),
                },
                label: crate::messages::deletion_record_label(
                    kind.code(),
                    id,
                    &crate::messages::label("request_kind", &r.kind),
                    "",
                ),
                link: format!("/governance/requests/{id}"),
            })
        }
    }
}

/// What a record's own page offers: the author's "申请删除" while it may be
/// deleted, or the open request for it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = DeletionOffer)]
pub struct Offer {
    pub record_kind: String,
    pub record_id: i64,
    /// The reader may ask for its deletion now.
    pub may_request: bool,
    /// Why the reader may not ask, when they see the record but did not
    /// enter it (`not_author`). Whoever may not see the record is answered
    /// "not found" instead.
    pub refusal: Option<String>,
    /// The open request for it, if one is waiting (its number).
    pub open_request: Option<i64>,
}

/// The offer of record `kind`/`id` to the signed-in reader.
pub async fn offer(ctx: &Ctx<'_>, kind: RecordKind, id: i64) -> AppResult<Offer> {
    let actor = actor(ctx)?;
    let st = ctx.state;
    let rec = record(st, kind, id).await?;
    let told = access::deletion_offer(actor, &rec.facts).map_err(refused_on(kind))?;
    let open = sd::open_for(st.store.pool(), kind.code(), id).await?;
    let may_request = told.is_none() && dd::may_be_requested(&rec.facts, open.is_some()).is_ok();
    let open_request = open.filter(|r| access::may_read_deletion(actor, &facts(r))).map(|r| r.id);
    Ok(Offer {
        record_kind: kind.code().to_string(),
        record_id: id,
        may_request,
        refusal: told.map(|r| r.code().to_string()),
        open_request,
    })
}

// ---------- views ----------

/// A row the deletion removed, as it was (read by supervision).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = DeletedRecord)]
pub struct ArchivedView {
    /// The table it was in.
    pub table_name: String,
    pub table_label: String,
    pub row_key: String,
    /// Every column as it was.
    #[schema(value_type = Object)]
    pub row: serde_json::Value,
    pub deleted_at: i64,
}

/// A deletion request as its readers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = DeletionRequest)]
pub struct DeletionView {
    pub id: i64,
    /// case_draft | draft_material | item_draft | maintenance_request
    pub record_kind: String,
    pub record_kind_label: String,
    pub record_id: i64,
    /// What the record was, as the lists show it (personal data masked).
    pub record_label: String,
    /// The record's own page (while it exists).
    pub record_link: String,
    /// The author's department.
    pub department_id: i64,
    pub department: String,
    pub author_name: String,
    /// 删除数据内容.
    pub content: String,
    /// 删除原因.
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
    pub performed_name: String,
    pub performed_at: Option<i64>,
    /// The supervision office's note: the reason when refused.
    pub performed_note: String,
    /// The rows deleted, as they were: for the supervision office, once performed.
    pub archived: Vec<ArchivedView>,
    /// Who consents in the heads' stead while it waits (the author is the
    /// department's only head): `centre_head`, `system_admin`, or none.
    pub stand_in: Option<String>,
    pub may_consent: bool,
    pub may_perform: bool,
    pub may_withdraw: bool,
}

async fn view(ctx: &Ctx<'_>, r: sd::DeletionRow, with_archive: bool, d: &mut Deciders) -> AppResult<DeletionView> {
    let st = ctx.state;
    let state = DeletionState::parse(&r.state).unwrap_or(DeletionState::Requested);
    let f = facts_with(st, &r, d).await?;
    let (may_consent, may_perform, may_withdraw, reads_archive) = match ctx.actor {
        Some(a) => (
            state == DeletionState::Requested && access::may_consent_deletion(a, &f).is_ok(),
            state == DeletionState::Consented && access::may_perform_deletion(a, &f).is_ok(),
            state == DeletionState::Requested && access::may_withdraw_deletion(a, &f).is_ok(),
            access::may_read_deletion_archive(a).is_ok(),
        ),
        None => (false, false, false, false),
    };
    let archived = if with_archive && reads_archive && state == DeletionState::Performed {
        sd::archived_rows(st.store.pool(), r.id)
            .await?
            .into_iter()
            .map(|a| ArchivedView {
                table_label: crate::messages::table_label(&a.table_name),
                table_name: a.table_name,
                row_key: a.row_key,
                row: shown(&a.row_data),
                deleted_at: a.deleted_at,
            })
            .collect()
    } else {
        vec![]
    };
    let record_link = match RecordKind::parse(&r.record_kind) {
        Some(RecordKind::CaseDraft) if state != DeletionState::Performed => format!("/cases/{}/edit", r.record_id),
        Some(RecordKind::ItemDraft) if state != DeletionState::Performed => {
            match sd::item_draft_of(st.store.pool(), r.record_id).await? {
                Some(v) => format!("/admin/items/{}", v.item_id),
                None => String::new(),
            }
        }
        Some(RecordKind::DraftMaterial) if state != DeletionState::Performed => {
            match sd::material_of(st.store.pool(), r.record_id).await? {
                Some(m) => format!("/cases/{}/edit", m.case_id),
                None => String::new(),
            }
        }
        Some(RecordKind::MaintenanceRequest) if state != DeletionState::Performed => {
            format!("/governance/requests/{}", r.record_id)
        }
        _ => String::new(),
    };
    Ok(DeletionView {
        id: r.id,
        record_kind_label: crate::messages::label("deletion_record_kind", &r.record_kind),
        record_kind: r.record_kind,
        record_id: r.record_id,
        record_label: r.record_label,
        record_link,
        department_id: r.department_id,
        department: r.department_name,
        author_name: r.author_name,
        content: r.content,
        reason: r.reason,
        state_label: crate::messages::label("deletion_state", &r.state),
        state: r.state,
        requested_at: r.requested_at,
        withdrawn_at: r.withdrawn_at,
        consent_name: r.consent_name,
        consent_at: r.consent_at,
        consent_note: r.consent_note,
        performed_name: r.performed_name,
        performed_at: r.performed_at,
        performed_note: r.performed_note,
        archived,
        stand_in: stand_in_code(f.stand_in),
        may_consent,
        may_perform,
        may_withdraw,
    })
}

/// An archived row as shown: its text columns through [`dd::shown_archived`].
fn shown(row_data: &str) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(row_data).unwrap_or(serde_json::Value::Null);
    if let Some(m) = v.as_object_mut() {
        for (k, x) in m.iter_mut() {
            if let Some(s) = x.as_str() {
                *x = dd::shown_archived(k, s).into();
            }
        }
    }
    v
}

// ---------- who is told ----------

/// The active staff of `department` (every department when none) acting in `role`.
pub(crate) async fn staff_in_role(st: &App, department: Option<i64>, role: Role) -> AppResult<Vec<i64>> {
    Ok(zwfw_store::admin::list_staff(&st.store, department)
        .await?
        .iter()
        .filter(|u| u.active && crate::accounts::sessions::actor_of(u).has(role))
        .map(|u| u.id)
        .collect())
}

/// The heads of `department` but `who` (the author).
pub(super) async fn heads_but(st: &App, department: i64, who: i64) -> AppResult<Vec<i64>> {
    // Only heads qualified today (上岗资格): one who may not consent is not
    // asked to.
    let mut heads = super::rights::qualified_heads(st, department).await?;
    heads.retain(|&u| u != who);
    Ok(heads)
}

async fn tell(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    users: &[i64],
    step: &str,
    r: &sd::DeletionRow,
    note: &str,
) -> AppResult<usize> {
    let (title, body) = crate::messages::deletion_notice(step, r.id, &r.record_label, &r.author_name, note);
    let mut to: Vec<i64> = users.to_vec();
    to.sort_unstable();
    to.dedup();
    zwfw_store::interaction::notify_users(
        tx,
        &to,
        &title,
        &body,
        &format!("/governance/deletions/{}", r.id),
        ctx.now(),
    )
    .await?;
    Ok(to.len())
}

// ---------- asking ----------

/// A deletion request as its author writes it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = DeletionRequestInput)]
pub struct RequestInput {
    /// case_draft | draft_material | item_draft | maintenance_request
    pub record_kind: String,
    /// The record's id (the case's, the maintenance request's).
    pub record_id: i64,
    /// What is to be deleted (删除数据内容, at most 2000 characters).
    pub content: String,
    /// Why (删除原因, at most 2000 characters).
    pub reason: String,
}

/// Whether the signed-in actor may ask for deletions at all (staff):
/// asked before the body is read.
pub fn may_ask(ctx: &Ctx<'_>) -> AppResult<()> {
    if actor(ctx)?.is_staff() {
        Ok(())
    } else {
        Err(refused(Refusal::StaffOnly))
    }
}

/// What the form of a new request shows: the record's words, if the actor may ask.
pub async fn record_label(ctx: &Ctx<'_>, kind: &str, id: i64) -> AppResult<String> {
    let actor = actor(ctx)?;
    let kind = kind_of(kind)?;
    let rec = record(ctx.state, kind, id).await?;
    access::may_request_deletion(actor, &rec.facts).map_err(refused_on(kind))?;
    Ok(rec.label)
}

/// The author asks for a record's deletion; its department's heads are told.
pub async fn request(ctx: &Ctx<'_>, input: &RequestInput) -> AppResult<DeletionView> {
    let actor = actor(ctx)?;
    let st = ctx.state;
    let kind = kind_of(&input.record_kind)?;
    let rec = record(st, kind, input.record_id).await?;
    access::may_request_deletion(actor, &rec.facts).map_err(refused_on(kind))?;
    let content = text("content", &input.content)?;
    let reason = text("reason", &input.reason)?;
    let department_id = actor.department_id.ok_or_else(|| refused(Refusal::StaffOnly))?;
    let open = sd::open_for(st.store.pool(), kind.code(), input.record_id).await?;
    dd::may_be_requested(&rec.facts, open.is_some()).map_err(state_error)?;
    let mut heads = heads_but(st, department_id, actor.user_id).await?;
    // No other head to consent: who stands in is told as well.
    heads.extend(stand_ins(st, department_id, actor.user_id).await?);
    heads.retain(|&u| u != actor.user_id);
    let now = ctx.now();
    let mut tx = st.store.begin().await?;
    let id = sd::insert(
        &mut tx,
        &sd::NewDeletion {
            record_kind: kind.code(),
            record_id: input.record_id,
            record_label: &rec.label,
            department_id,
            author_id: actor.user_id,
            author_name: &actor.display_name,
            content: &content,
            reason: &reason,
            requested_at: now,
        },
    )
    .await?
    .ok_or_else(|| state_error(DeletionError::AlreadyRequested))?;
    let r = sd::get(tx.conn(), id).await?.ok_or_else(|| AppError::not_found(OBJECT))?;
    let told = tell(ctx, &mut tx, &heads, "requested", &r, &reason).await?;
    let detail = json!({"record_kind": kind.code(), "record_id": input.record_id, "record": rec.link,
        "content": content, "deletion_state": "requested", "notified": told});
    ctx.audit(&mut tx, ctx.entry("deletion_requested", OBJECT, id, detail, &reason)).await?;
    tx.commit().await?;
    get(ctx, id).await
}

// ---------- reading ----------

/// Which requests a list shows.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[schema(as = DeletionRequestQuery)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// requested | withdrawn | consented | declined | performed | rejected (default: every state)
    pub state: Option<String>,
    /// 1-based.
    pub page: Option<i64>,
}

/// A page of deletion requests.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = DeletionRequestPage)]
pub struct DeletionPage {
    pub rows: Vec<DeletionView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Whose requests: all | department | own
    pub scope: String,
}

pub const PER_PAGE: i64 = 50;

async fn page_of(
    ctx: &Ctx<'_>,
    scope: DeletionScope,
    state: Option<DeletionState>,
    page: i64,
) -> AppResult<DeletionPage> {
    if !(1..=100_000).contains(&page) {
        return Err(AppError::invalid("page"));
    }
    let mut f = sd::Filter {
        state: state.map(|s| s.code().to_string()),
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
        ..Default::default()
    };
    let scope_code = match scope {
        DeletionScope::All => "all",
        DeletionScope::Department(d) => {
            f.department_id = Some(d);
            "department"
        }
        DeletionScope::Author(a) => {
            f.author_id = Some(a);
            "own"
        }
    };
    let (rows, total) = sd::list(&ctx.state.store, &f).await?;
    let mut out = Vec::with_capacity(rows.len());
    // Who may consent is read once for the page, not once a request.
    let mut deciders = Deciders::default();
    for r in rows {
        out.push(view(ctx, r, false, &mut deciders).await?);
    }
    Ok(DeletionPage { rows: out, total, page, per_page: PER_PAGE, scope: scope_code.to_string() })
}

/// The requests the reader may see, newest first, by state: the supervision
/// office all, a department head their department's, anyone else their own.
pub async fn list(ctx: &Ctx<'_>, q: &ListQuery) -> AppResult<DeletionPage> {
    let scope = access::deletion_scope(actor(ctx)?).map_err(refused)?;
    let state = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            Some(DeletionState::parse(s).ok_or_else(|| AppError::with_detail(Kind::BadInput, "bad_filter", "state"))?)
        }
    };
    page_of(ctx, scope, state, q.page.unwrap_or(1)).await
}

/// The archive: the performed deletions, newest first (the supervision office).
pub async fn archive(ctx: &Ctx<'_>, page: Option<i64>) -> AppResult<DeletionPage> {
    access::may_read_deletion_archive(actor(ctx)?).map_err(refused)?;
    page_of(ctx, DeletionScope::All, Some(DeletionState::Performed), page.unwrap_or(1)).await
}

async fn readable(ctx: &Ctx<'_>, id: i64) -> AppResult<sd::DeletionRow> {
    let actor = actor(ctx)?;
    let r = sd::get(ctx.state.store.pool(), id).await?.ok_or_else(|| AppError::not_found(OBJECT))?;
    if !access::may_read_deletion(actor, &facts_of(ctx.state, &r).await?) {
        return Err(AppError::not_found(OBJECT));
    }
    Ok(r)
}

/// One request; for the supervision office, once performed, the rows deleted as they were.
pub async fn get(ctx: &Ctx<'_>, id: i64) -> AppResult<DeletionView> {
    let r = readable(ctx, id).await?;
    view(ctx, r, true, &mut Deciders::default()).await
}

// ---------- consent, performance, withdrawal ----------

/// A verdict at either stage: approve, or refuse with the reason.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = DeletionVerdict)]
pub struct VerdictInput {
    /// approve | refuse
    pub decision: String,
    /// The reason (required when refusing; an optional note when approving).
    #[serde(default)]
    pub note: String,
}

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
    let r = readable_or_refused(ctx, id, access::may_consent_deletion).await?;
    access::may_consent_deletion(actor(ctx)?, &facts_of(ctx.state, &r).await?).map(|_| ()).map_err(refused)
}

/// Whether the actor may give the supervision office's verdict on request `id`.
pub async fn may_perform(ctx: &Ctx<'_>, id: i64) -> AppResult<()> {
    let r = readable_or_refused(ctx, id, access::may_perform_deletion).await?;
    access::may_perform_deletion(actor(ctx)?, &facts(&r)).map(|_| ()).map_err(refused)
}

/// The request, for one who may read it, or the step's own refusal for
/// staff who may not (a head of another department is told why).
async fn readable_or_refused(
    ctx: &Ctx<'_>,
    id: i64,
    rule: fn(&Actor, &DeletionFacts) -> Result<Role, Refusal>,
) -> AppResult<sd::DeletionRow> {
    let actor = actor(ctx)?;
    let r = sd::get(ctx.state.store.pool(), id).await?.ok_or_else(|| AppError::not_found(OBJECT))?;
    let f = facts_of(ctx.state, &r).await?;
    if !access::may_read_deletion(actor, &f) {
        // Staff learn why they may not act; the request's content stays hidden.
        return Err(match rule(actor, &f) {
            Err(refusal) if actor.is_staff() => refused(refusal),
            _ => AppError::not_found(OBJECT),
        });
    }
    Ok(r)
}

/// What a verdict at either stage starts from: the request, the role it
/// is given in, the verdict and its note, the state it moves from.
struct Deciding<'a> {
    actor: &'a Actor,
    r: sd::DeletionRow,
    role: Role,
    verdict: Verdict,
    note: String,
    from: DeletionState,
}

async fn deciding<'a>(
    ctx: &Ctx<'a>,
    id: i64,
    input: &VerdictInput,
    rule: fn(&Actor, &DeletionFacts) -> Result<Role, Refusal>,
) -> AppResult<Deciding<'a>> {
    let actor = actor(ctx)?;
    let r = readable_or_refused(ctx, id, rule).await?;
    let role = rule(actor, &facts_of(ctx.state, &r).await?).map_err(refused)?;
    let (verdict, note) = verdict(input)?;
    let from = DeletionState::parse(&r.state).unwrap_or(DeletionState::Requested);
    Ok(Deciding { actor, r, role, verdict, note, from })
}

impl Deciding<'_> {
    fn step(&self, to: DeletionState, at: i64) -> sd::Step<'_> {
        sd::Step {
            from: self.from.code(),
            to: to.code(),
            by: self.actor.user_id,
            by_name: &self.actor.display_name,
            note: &self.note,
            at,
        }
    }
}

/// A head of the author's department consents (the supervision office is
/// told) or refuses with a reason (the author is told).
pub async fn consent(ctx: &Ctx<'_>, id: i64, input: &VerdictInput) -> AppResult<DeletionView> {
    let st = ctx.state;
    let d = deciding(ctx, id, input, access::may_consent_deletion).await?;
    let to = d.from.consent(d.verdict).map_err(state_error)?;
    let approve = d.verdict == Verdict::Approve;
    let supervision = if approve { staff_in_role(st, None, Role::Supervisor).await? } else { vec![] };
    let now = ctx.now();
    let mut tx = st.store.begin().await?;
    if !sd::consent(&mut tx, id, &d.step(to, now)).await? {
        return Err(state_error(DeletionError::WrongStage));
    }
    let r = &d.r;
    let mut told = tell(ctx, &mut tx, &[r.author_id], to.code(), r, &d.note).await?;
    if approve {
        let others: Vec<i64> = supervision.into_iter().filter(|&u| u != r.author_id).collect();
        told += tell(ctx, &mut tx, &others, "to_perform", r, &d.note).await?;
    }
    let action = if approve { "deletion_consented" } else { "deletion_declined" };
    let detail = json!({"deletion_state": to.code(), "role": d.role.code(), "notified": told});
    ctx.audit(&mut tx, ctx.entry(action, OBJECT, id, detail, &d.note)).await?;
    tx.commit().await?;
    get(ctx, id).await
}

/// The supervision office performs a consented deletion — the record's rows
/// archived and deleted in the request's transaction — or refuses with a
/// reason. The author and the consenting head are told.
pub async fn perform(ctx: &Ctx<'_>, id: i64, input: &VerdictInput) -> AppResult<DeletionView> {
    let st = ctx.state;
    let d = deciding(ctx, id, input, access::may_perform_deletion).await?;
    let to = d.from.perform(d.verdict).map_err(state_error)?;
    let r = &d.r;
    let kind = RecordKind::parse(&r.record_kind)
        .ok_or_else(|| AppError::Internal(format!("deletion record kind {}", r.record_kind)))?;
    let approve = d.verdict == Verdict::Approve;
    let now = ctx.now();
    let mut tx = st.store.begin().await?;
    let mut rows = 0usize;
    if approve {
        // The request is still `consented` while the rows go: the guards let
        // exactly the rows marked under it through.
        if sd::get(tx.conn(), id).await?.map(|x| x.state) != Some(DeletionState::Consented.code().to_string()) {
            return Err(state_error(DeletionError::WrongStage));
        }
        let deleted = match kind {
            RecordKind::CaseDraft => sd::delete_case_draft(&mut tx, id, r.record_id, now).await?,
            RecordKind::MaintenanceRequest => sd::delete_maintenance_request(&mut tx, id, r.record_id, now).await?,
            RecordKind::DraftMaterial => sd::delete_draft_material(&mut tx, id, r.record_id, now).await?,
            RecordKind::ItemDraft => {
                sd::delete_item_draft(&mut tx, id, r.record_id, &dd::DRAFTING_ACTIONS, now).await?
            }
        };
        if !deleted {
            return Err(state_error(DeletionError::NotDeletable));
        }
        rows = sd::archived_rows(tx.conn(), id).await?.len();
    }
    if !sd::finish(&mut tx, id, &d.step(to, now)).await? {
        return Err(state_error(DeletionError::WrongStage));
    }
    let mut to_tell = vec![r.author_id];
    to_tell.extend(r.consent_by);
    let told = tell(ctx, &mut tx, &to_tell, to.code(), r, &d.note).await?;
    let action = if approve { "deletion_performed" } else { "deletion_rejected" };
    let detail = json!({"deletion_state": to.code(), "role": d.role.code(), "record_kind": kind.code(),
        "record_id": r.record_id, "archived_rows": rows, "notified": told});
    ctx.audit(&mut tx, ctx.entry(action, OBJECT, id, detail, &d.note)).await?;
    tx.commit().await?;
    get(ctx, id).await
}

/// Whether the actor may withdraw request `id`: asked before anything else.
pub async fn may_withdraw(ctx: &Ctx<'_>, id: i64) -> AppResult<()> {
    let r = readable(ctx, id).await?;
    access::may_withdraw_deletion(actor(ctx)?, &facts(&r)).map_err(refused)
}

/// The author withdraws the request before the head's consent; the heads are told.
pub async fn withdraw(ctx: &Ctx<'_>, id: i64) -> AppResult<DeletionView> {
    let actor = actor(ctx)?;
    let st = ctx.state;
    let r = readable(ctx, id).await?;
    access::may_withdraw_deletion(actor, &facts(&r)).map_err(refused)?;
    let from = DeletionState::parse(&r.state).unwrap_or(DeletionState::Requested);
    let to = from.withdraw().map_err(state_error)?;
    let heads = heads_but(st, r.department_id, actor.user_id).await?;
    let now = ctx.now();
    let mut tx = st.store.begin().await?;
    if !sd::withdraw(&mut tx, id, now).await? {
        return Err(state_error(DeletionError::WrongStage));
    }
    let told = tell(ctx, &mut tx, &heads, to.code(), &r, "").await?;
    let detail = json!({"deletion_state": to.code(), "notified": told});
    ctx.audit(&mut tx, ctx.entry("deletion_withdrawn", OBJECT, id, detail, "")).await?;
    tx.commit().await?;
    get(ctx, id).await
}
