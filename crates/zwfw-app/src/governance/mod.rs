//! 配置/维护需求 (000 第八—十条): the departments and the supervision office
//! submit their configuration and maintenance needs in writing, with
//! attachments; the service centre analyses each (necessity, feasibility)
//! and refuses it with written reasons (a PDF reply the requester
//! downloads) or accepts it and carries it out. A change made under an
//! accepted request names it: the audit record stores the request's number
//! and the request's page lists the changes made under it. A request left
//! unanswered beyond the working days of rule A13 is a supervision finding.

pub mod corrections;
pub mod deletions;
pub mod qualifications;
pub mod rights;

use crate::documents::pdf::{self, Align, Block};
use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use zwfw_domain::access::governance::{self as access, RequestFacts};
use zwfw_domain::access::Refusal;
use zwfw_domain::admin::Actor;
use zwfw_domain::audit::AuditEntry;
use zwfw_domain::files::Attachment;
use zwfw_domain::governance::{self as dg, Decision, GovernanceError, RequestKind, RequestState};
use zwfw_domain::supervision::RuleCode;
use zwfw_store::governance as sg;
use zwfw_store::Tx;

/// The object named in refusals and "not found".
const OBJECT: &str = "maintenance_request";

fn refused(r: Refusal) -> AppError {
    if r.hides_object() {
        AppError::not_found(OBJECT)
    } else {
        AppError::with_detail(Kind::Forbidden, r.code(), OBJECT)
    }
}

fn state_error(e: GovernanceError) -> AppError {
    match e {
        GovernanceError::AlreadyAnswered => AppError::new(Kind::Conflict, "request_already_answered"),
        GovernanceError::NotAccepted => AppError::new(Kind::Conflict, "request_not_accepted"),
    }
}

/// A required free text of a request, checked (trimmed, not empty, bounded,
/// no control characters).
fn text(field: &'static str, s: &str) -> AppResult<String> {
    zwfw_domain::interaction::text(field, s, dg::MAX_TEXT).map_err(|e| {
        AppError::with_detail(Kind::Invalid, "invalid_request_text", crate::messages::interaction_error_text(&e))
    })
}

fn actor<'a>(ctx: &Ctx<'a>) -> AppResult<&'a Actor> {
    ctx.actor.ok_or_else(AppError::forbidden)
}

/// Whether the signed-in actor may submit a request: asked before the
/// request's body is read.
pub fn may_submit(ctx: &Ctx<'_>) -> AppResult<()> {
    access::may_submit(actor(ctx)?).map(|_| ()).map_err(refused)
}

/// The working days the centre has to answer (rule A13's, default 5).
async fn answer_days(st: &App) -> AppResult<u32> {
    let rules = crate::supervision::rule_set(st).await?;
    Ok(rules.get(RuleCode::A13).params.days.unwrap_or(dg::DEFAULT_ANSWER_DAYS))
}

// ---------- views ----------

/// A change made under an accepted request, as its audit record has it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MaintenanceRequestChange)]
pub struct ChangeView {
    pub at: i64,
    pub actor_name: String,
    /// The audit action (`create`, `update`, `roles_changed` …).
    pub action: String,
    pub action_label: String,
    /// user | department | item
    pub object_type: String,
    pub object_id: String,
    /// The audit record's detail (JSON text), naming the request.
    pub detail: String,
}

/// A request as its readers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MaintenanceRequest)]
pub struct RequestView {
    pub id: i64,
    /// The requesting department.
    pub department_id: i64,
    pub department: String,
    pub requester_name: String,
    /// The role it was submitted in.
    pub requester_role: String,
    /// users_rights | item_config | org_data | misoperation | other
    pub kind: String,
    pub kind_label: String,
    pub content: String,
    pub attachments: Vec<Attachment>,
    /// submitted | accepted | refused | done
    pub state: String,
    pub state_label: String,
    pub submitted_at: i64,
    /// The last day to answer (YYYY-MM-DD, working days of rule A13).
    pub answer_due: String,
    /// Unanswered past its last day.
    pub overdue: bool,
    /// 必要性分析.
    pub necessity: String,
    /// 可行性分析.
    pub feasibility: String,
    /// The written answer: a refusal's reasons, an acceptance's note.
    pub answer: String,
    pub answered_at: Option<i64>,
    pub answered_name: String,
    /// A refusal's PDF reply is ready (`GET …/reply.pdf`).
    pub has_reply: bool,
    pub done_at: Option<i64>,
    pub done_note: String,
    /// The changes made under it.
    pub changes: Vec<ChangeView>,
    /// The reader may answer it now.
    pub may_answer: bool,
    /// The reader may close it (carried out) now.
    pub may_complete: bool,
}

fn facts(r: &sg::RequestRow) -> RequestFacts {
    RequestFacts { department_id: r.department_id, requester_id: r.requester_id }
}

fn due_of(st: &App, submitted_at: i64, days: u32) -> Option<chrono::NaiveDate> {
    let on = zwfw_domain::clock::local_date(submitted_at);
    dg::answer_due(&st.calendar(), on, days).ok()
}

async fn view(ctx: &Ctx<'_>, r: sg::RequestRow, days: u32, with_changes: bool) -> AppResult<RequestView> {
    let st = ctx.state;
    let state = RequestState::parse(&r.state).unwrap_or(RequestState::Submitted);
    let due = due_of(st, r.submitted_at, days);
    let answerable = ctx.actor.is_some_and(|a| access::may_answer(a, &facts(&r)).is_ok());
    let changes = if with_changes {
        sg::changes(&st.store, r.id)
            .await?
            .into_iter()
            .map(|c| ChangeView {
                at: c.at,
                actor_name: c.actor_name,
                action_label: crate::messages::audit::action_label(&c.action),
                action: c.action,
                object_type: c.object_type,
                object_id: c.object_id,
                detail: c.detail,
            })
            .collect()
    } else {
        vec![]
    };
    Ok(RequestView {
        id: r.id,
        department_id: r.department_id,
        department: r.department_name,
        requester_name: r.requester_name,
        requester_role: crate::messages::label("role", &r.requester_role),
        kind_label: crate::messages::label("request_kind", &r.kind),
        kind: r.kind,
        content: r.content,
        attachments: serde_json::from_str(&r.attachments).unwrap_or_default(),
        state_label: crate::messages::label("request_state", &r.state),
        state: r.state,
        submitted_at: r.submitted_at,
        answer_due: due.map(zwfw_domain::time::ymd).unwrap_or_default(),
        overdue: due.is_some_and(|d| dg::unanswered_overdue(state, d, st.today())),
        necessity: r.necessity,
        feasibility: r.feasibility,
        answer: r.answer,
        answered_at: r.answered_at,
        answered_name: r.answered_name,
        has_reply: !r.reply_sm3.is_empty(),
        done_at: r.done_at,
        done_note: r.done_note,
        changes,
        may_answer: answerable && !state.answered(),
        may_complete: answerable && state.takes_changes().is_ok(),
    })
}

// ---------- submitting ----------

/// A request as a department or the supervision office writes it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = MaintenanceRequestInput)]
pub struct SubmitInput {
    /// users_rights | item_config | org_data | misoperation | other
    pub kind: String,
    /// What is needed and why (at most 2000 characters).
    pub content: String,
}

/// Submits a request for the actor's department, with its stored attachments.
pub async fn submit(ctx: &Ctx<'_>, input: &SubmitInput, files: &[Attachment]) -> AppResult<RequestView> {
    let actor = actor(ctx)?;
    let role = access::may_submit(actor).map_err(refused)?;
    let department_id = actor.department_id.ok_or_else(AppError::forbidden)?;
    let kind = RequestKind::parse(&input.kind)
        .ok_or_else(|| AppError::with_detail(Kind::Invalid, "bad_request_kind", "kind"))?;
    let content = text("content", &input.content)?;
    if files.len() > dg::MAX_ATTACHMENTS {
        return Err(AppError::with_detail(Kind::Invalid, "too_many_files", dg::MAX_ATTACHMENTS.to_string()));
    }
    let attachments = serde_json::to_string(files).map_err(|e| AppError::Internal(e.to_string()))?;
    let st = ctx.state;
    // The centre is told at once (read before the transaction).
    let centre: Vec<i64> = zwfw_store::admin::list_staff(&st.store, None)
        .await?
        .iter()
        .filter(|u| u.active && access::is_centre(&crate::accounts::sessions::actor_of(u)))
        .map(|u| u.id)
        .collect();
    let department = st.department(department_id).await.map(|d| d.name.clone()).unwrap_or_default();
    let days = answer_days(st).await?;
    let mut tx = st.store.begin().await?;
    let id = sg::insert(
        &mut tx,
        &sg::NewRequest {
            department_id,
            requester_id: actor.user_id,
            requester_name: &actor.display_name,
            requester_role: role.code(),
            kind: kind.code(),
            content: &content,
            attachments: &attachments,
            state: RequestState::Submitted.code(),
            submitted_at: ctx.now(),
        },
    )
    .await?;
    let short: String = content.chars().take(40).collect();
    let title = format!("新的配置/维护需求：{}", crate::messages::label("request_kind", kind.code()));
    let body = format!(
        "{department}{}提交了配置/维护需求（第{id}号）：{short}{}。请分析必要性和可行性，并在{days}个工作日内答复。",
        actor.display_name,
        if content.chars().count() > 40 { "…" } else { "" }
    );
    let notices: Vec<zwfw_store::outbox::Notice> = centre
        .iter()
        .map(|&u| zwfw_store::outbox::Notice {
            user_id: Some(u),
            mobile: None,
            email: None,
            sms_to_account: false,
            title: title.clone(),
            body: body.clone(),
            link: format!("/governance/requests/{id}"),
        })
        .collect();
    zwfw_store::outbox::write_notices(&mut tx, &notices, ctx.now()).await?;
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    let detail =
        json!({"request_kind": kind.code(), "department_id": department_id, "files": names, "notified": notices.len()});
    ctx.audit(&mut tx, ctx.entry("request_submitted", OBJECT, id, detail, "")).await?;
    tx.commit().await?;
    get(ctx, id).await
}

// ---------- reading ----------

/// Which requests a list shows.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[schema(as = MaintenanceRequestQuery)]
pub struct ListQuery {
    /// submitted | accepted | refused | done (default: every state)
    pub state: Option<String>,
    /// The centre and the supervision office: one department's requests.
    pub department_id: Option<i64>,
    /// 1-based.
    pub page: Option<i64>,
}

/// A page of requests.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MaintenanceRequestPage)]
pub struct RequestPage {
    pub rows: Vec<RequestView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// The reader sees every department's requests.
    pub all_departments: bool,
}

pub const PER_PAGE: i64 = 50;

/// The requests the reader may see, newest first, by state and department.
pub async fn list(ctx: &Ctx<'_>, q: &ListQuery) -> AppResult<RequestPage> {
    let actor = actor(ctx)?;
    let scope = access::list_scope(actor).map_err(|_| AppError::forbidden())?;
    let state = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            Some(RequestState::parse(s).ok_or_else(|| AppError::with_detail(Kind::BadInput, "bad_filter", "state"))?)
        }
    };
    let page = q.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(AppError::invalid("page"));
    }
    let f = sg::Filter {
        department_id: crate::error::list_department(scope, q.department_id)?,
        state: state.map(|s| s.code().to_string()),
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
    };
    let (rows, total) = sg::list(&ctx.state.store, &f).await?;
    let days = answer_days(ctx.state).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(ctx, r, days, false).await?);
    }
    Ok(RequestPage { rows: out, total, page, per_page: PER_PAGE, all_departments: scope.is_none() })
}

async fn readable(ctx: &Ctx<'_>, id: i64) -> AppResult<sg::RequestRow> {
    let actor = actor(ctx)?;
    let r = sg::get(ctx.state.store.pool(), id).await?.ok_or_else(|| AppError::not_found(OBJECT))?;
    if !access::may_read(actor, &facts(&r)) {
        return Err(AppError::not_found(OBJECT));
    }
    Ok(r)
}

/// One request with the changes made under it.
pub async fn get(ctx: &Ctx<'_>, id: i64) -> AppResult<RequestView> {
    let r = readable(ctx, id).await?;
    let days = answer_days(ctx.state).await?;
    view(ctx, r, days, true).await
}

/// The attachments of a request the reader may read.
pub async fn attachments(ctx: &Ctx<'_>, id: i64) -> AppResult<Vec<Attachment>> {
    let r = readable(ctx, id).await?;
    Ok(serde_json::from_str(&r.attachments).unwrap_or_default())
}

// ---------- answering ----------

/// The centre's answer: the analysis and the decision.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = MaintenanceRequestAnswer)]
pub struct AnswerInput {
    /// accept | refuse
    pub decision: String,
    /// 必要性分析 (required).
    pub necessity: String,
    /// 可行性分析 (required).
    pub feasibility: String,
    /// The written answer: required when refusing (the reasons), optional when accepting.
    #[serde(default)]
    pub answer: String,
}

/// Whether the actor may answer the request `id`: asked before the body is read.
pub async fn may_answer(ctx: &Ctx<'_>, id: i64) -> AppResult<()> {
    let r = readable(ctx, id).await?;
    access::may_answer(actor(ctx)?, &facts(&r)).map(|_| ()).map_err(refused)
}

/// Answers a request: accepted (the centre carries it out), or refused
/// with written reasons and a PDF reply stored for the requester.
pub async fn answer(ctx: &Ctx<'_>, id: i64, input: &AnswerInput) -> AppResult<RequestView> {
    let actor = actor(ctx)?;
    let st = ctx.state;
    let r = readable(ctx, id).await?;
    let role = access::may_answer(actor, &facts(&r)).map_err(refused)?;
    let decision = Decision::parse(&input.decision)
        .ok_or_else(|| AppError::with_detail(Kind::Invalid, "bad_decision", "decision"))?;
    let necessity = text("necessity", &input.necessity)?;
    let feasibility = text("feasibility", &input.feasibility)?;
    let answer = match decision {
        Decision::Refuse => text("answer", &input.answer)?,
        Decision::Accept if input.answer.trim().is_empty() => String::new(),
        Decision::Accept => text("answer", &input.answer)?,
    };
    let from = RequestState::parse(&r.state).unwrap_or(RequestState::Submitted);
    let to = from.decide(decision).map_err(state_error)?;
    let now = ctx.now();
    let reply_sm3 = if decision == Decision::Refuse {
        let bytes = reply_pdf_bytes(&r, &necessity, &feasibility, &answer, &actor.display_name, now)?;
        st.put_file(bytes).await?
    } else {
        String::new()
    };
    let mut tx = st.store.begin().await?;
    let a = sg::Answer {
        from: from.code(),
        to: to.code(),
        necessity: &necessity,
        feasibility: &feasibility,
        answer: &answer,
        by: actor.user_id,
        by_name: &actor.display_name,
        reply_sm3: &reply_sm3,
        at: now,
    };
    if !sg::answer(&mut tx, id, &a).await? {
        return Err(state_error(GovernanceError::AlreadyAnswered));
    }
    let action = if decision == Decision::Accept { "request_accepted" } else { "request_refused" };
    let detail = json!({"request_state": to.code(), "role": role.code(),
        "necessity": necessity, "feasibility": feasibility, "reply": reply_sm3});
    ctx.audit(&mut tx, ctx.entry(action, OBJECT, id, detail, &answer)).await?;
    let title =
        format!("配置/维护需求第{id}号已{}", if decision == Decision::Accept { "受理" } else { "答复不予办理" });
    zwfw_store::interaction::notify_users(
        &mut tx,
        &[r.requester_id],
        &title,
        &title,
        &format!("/governance/requests/{id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, id).await
}

/// The centre closes an accepted request once carried out.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = MaintenanceRequestComplete)]
pub struct CompleteInput {
    /// What was done (required).
    pub note: String,
}

/// Closes an accepted request as carried out; no change names it afterwards.
pub async fn complete(ctx: &Ctx<'_>, id: i64, input: &CompleteInput) -> AppResult<RequestView> {
    let actor = actor(ctx)?;
    let st = ctx.state;
    let r = readable(ctx, id).await?;
    let role = access::may_answer(actor, &facts(&r)).map_err(refused)?;
    let note = text("note", &input.note)?;
    let from = RequestState::parse(&r.state).unwrap_or(RequestState::Submitted);
    let to = from.complete().map_err(state_error)?;
    let now = ctx.now();
    let mut tx = st.store.begin().await?;
    if !sg::close(&mut tx, id, from.code(), to.code(), &note, now).await? {
        return Err(state_error(GovernanceError::NotAccepted));
    }
    let changes = sg::changes(&st.store, id).await?.len();
    let detail = json!({"request_state": to.code(), "role": role.code(), "changes": changes});
    ctx.audit(&mut tx, ctx.entry("request_done", OBJECT, id, detail, &note)).await?;
    let title = format!("配置/维护需求第{id}号已办理完毕");
    zwfw_store::interaction::notify_users(
        &mut tx,
        &[r.requester_id],
        &title,
        &note,
        &format!("/governance/requests/{id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    get(ctx, id).await
}

// ---------- the written reply ----------

fn date_cn(ms: i64) -> String {
    zwfw_domain::clock::local_date(ms).format("%Y年%-m月%-d日").to_string()
}

/// The refusal's written reply (不予办理答复书): the request, the analysis
/// and the reasons, dated and signed by the service centre.
fn reply_pdf_bytes(
    r: &sg::RequestRow,
    necessity: &str,
    feasibility: &str,
    reasons: &str,
    by: &str,
    at: i64,
) -> AppResult<Vec<u8>> {
    let title = "配置/维护需求不予办理答复书";
    let blocks = vec![
        Block::new("政务服务中心", 16.0, Align::Center),
        Block::new(title, 22.0, Align::Center).gap(6.0),
        Block::new(format!("需求编号：第{}号", r.id), 12.0, Align::Center).gap(4.0),
        Block::new(format!("{}：", r.department_name), 12.0, Align::Left).gap(18.0),
        Block::para(format!(
            "你单位{}于{}提出的{}需求（{}）收悉。经分析，答复如下：",
            r.requester_name,
            date_cn(r.submitted_at),
            crate::messages::label("request_kind", &r.kind),
            r.content
        )),
        Block::para(format!("一、必要性分析：{necessity}")),
        Block::para(format!("二、可行性分析：{feasibility}")),
        Block::para(format!("三、不予办理的理由：{reasons}")),
        Block::para("如有异议，可补充说明后重新提出需求。"),
        Block::new(format!("政务服务中心（经办人：{by}）"), 12.0, Align::Right).gap(36.0),
        Block::new(date_cn(at), 12.0, Align::Right),
    ];
    pdf::render(title, &blocks).map_err(|e| AppError::Internal(format!("pdf: {e}")))
}

/// The refusal's PDF reply, for whoever may read the request.
pub async fn reply_pdf(ctx: &Ctx<'_>, id: i64) -> AppResult<Vec<u8>> {
    let r = readable(ctx, id).await?;
    if r.reply_sm3.is_empty() {
        return Err(AppError::not_found("document"));
    }
    ctx.state.file(&r.reply_sm3).await?.ok_or_else(|| AppError::not_found("document"))
}

// ---------- changes made under a request ----------

/// Checks that the actor may make a change under request `request` (when
/// one is named): the request exists, is accepted and not closed, and the
/// actor is the centre that carries it out. Asked before the change.
pub async fn check_request(ctx: &Ctx<'_>, request: Option<i64>) -> AppResult<()> {
    let Some(id) = request else { return Ok(()) };
    let actor = actor(ctx)?;
    access::may_carry_out(actor).map_err(|r| AppError::with_detail(Kind::Forbidden, r.code(), "request_change"))?;
    let r = sg::get(ctx.state.store.pool(), id).await?.ok_or_else(|| AppError::not_found(OBJECT))?;
    RequestState::parse(&r.state).unwrap_or(RequestState::Submitted).takes_changes().map_err(state_error)
}

/// Writes the audit record of a change, in its transaction `tx`; under a
/// request, the record's detail names it (`request`) and the request lists
/// the change. The request is checked again inside the transaction.
pub async fn audit_under(ctx: &Ctx<'_>, tx: &mut Tx, request: Option<i64>, mut entry: AuditEntry) -> AppResult<()> {
    if let Some(id) = request {
        let r = sg::get(tx.conn(), id).await?.ok_or_else(|| AppError::not_found(OBJECT))?;
        RequestState::parse(&r.state).unwrap_or(RequestState::Submitted).takes_changes().map_err(state_error)?;
        let mut detail: serde_json::Value = serde_json::from_str(&entry.detail).unwrap_or_else(|_| json!({}));
        if let Some(map) = detail.as_object_mut() {
            map.insert("request".into(), json!(id));
        }
        entry.detail = detail.to_string();
        sg::add_change(
            tx,
            &sg::ChangeRow {
                id: 0,
                request_id: id,
                at: entry.at_ms,
                actor_id: entry.actor_id,
                actor_name: ctx.actor.map(|a| a.display_name.clone()).unwrap_or_else(|| entry.actor_name.clone()),
                action: entry.action.clone(),
                object_type: entry.object_type.clone(),
                object_id: entry.object_id.clone(),
                detail: entry.detail.clone(),
            },
        )
        .await?;
    }
    ctx.audit(tx, entry).await
}

// ---------- supervision (A13) ----------

/// A request unanswered, as rule A13 reads it.
pub struct Unanswered {
    pub id: i64,
    pub department_name: String,
    pub submitted_at: i64,
    pub state: RequestState,
}

/// The requests still waiting for the centre's answer.
pub async fn unanswered(st: &App) -> AppResult<Vec<Unanswered>> {
    Ok(sg::unanswered(&st.store, RequestState::Submitted.code())
        .await?
        .into_iter()
        .map(|r| Unanswered {
            id: r.id,
            department_name: r.department_name,
            submitted_at: r.submitted_at,
            state: RequestState::parse(&r.state).unwrap_or(RequestState::Submitted),
        })
        .collect())
}
