//! 故障: a fault reported by any staff member, told at once to the service
//! centre's administrators and the information office (系统管理员) in-app
//! and by SMS through the outbox; its timeline (acknowledged, cause,
//! cleared once); and, when it is not cleared within 24 hours, the paper
//! notice (纸质书面通知) to the affected departments with who printed it and
//! who sent it to which department. Every step is audited.

use crate::documents::pdf::{self, Align, Block};
use crate::error::{AppError, AppResult, Kind};
use crate::state::Ctx;
use chrono::TimeZone;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use zwfw_domain::access::faults as access;
use zwfw_domain::access::Refusal;
use zwfw_domain::admin::{Actor, Role};
use zwfw_domain::faults::{self as df, EventKind, FaultError, Scope};
use zwfw_store::faults as sf;
use zwfw_store::outbox::Notice;

fn refused(r: Refusal) -> AppError {
    if r.hides_object() {
        AppError::not_found("fault")
    } else {
        AppError::with_detail(Kind::Forbidden, r.code(), "fault")
    }
}

fn fault_error(e: FaultError) -> AppError {
    AppError::new(if e.is_conflict() { Kind::Conflict } else { Kind::Invalid }, e.code())
}

fn signed_in<'a>(ctx: &'a Ctx<'_>) -> AppResult<&'a Actor> {
    ctx.actor.ok_or_else(AppError::forbidden)
}

/// An instant as given: RFC 3339, or a local (China) date and time
/// `YYYY-MM-DDTHH:MM[:SS]` as a form's date-time field sends it.
pub fn parse_instant(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(ms) = zwfw_domain::time::parse_rfc3339(t) {
        return Some(ms);
    }
    let local = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M"))
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
        .ok()?;
    zwfw_domain::time::shanghai().from_local_datetime(&local).single().map(|d| d.timestamp_millis())
}

/// A report of a fault.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = FaultReportInput)]
pub struct ReportInput {
    /// What fails (at most 1000 characters).
    #[serde(default)]
    pub what: String,
    /// Since when: RFC 3339, or `YYYY-MM-DDTHH:MM` in China time; not in the future.
    #[serde(default)]
    pub since: String,
    /// platform | department | function
    #[serde(default)]
    pub scope: String,
    /// The department, for the scope `department`.
    pub department_id: Option<i64>,
    /// The function, for the scope `function` (at most 100 characters).
    #[serde(default)]
    pub function: String,
}

/// Reports a fault: recorded with its first step, the centre's and the
/// information office's staff told in-app and by SMS, audited.
pub async fn report(ctx: &Ctx<'_>, input: &ReportInput) -> AppResult<FaultView> {
    let actor = signed_in(ctx)?;
    access::may_report(actor).map_err(refused)?;
    let st = ctx.state;
    let since = parse_instant(&input.since).ok_or_else(|| AppError::new(Kind::Invalid, "fault_since_invalid"))?;
    let r = df::report(&input.what, since, &input.scope, input.department_id, &input.function, ctx.now())
        .map_err(fault_error)?;
    if let Some(d) = r.department_id {
        zwfw_store::admin::get_department(&st.store, d)
            .await
            .map_err(AppError::unless_down(AppError::new(Kind::Invalid, "fault_department_missing")))?;
    }
    let scope_text = scope_text(ctx, r.scope, r.department_id, &r.function).await;
    let mut tx = st.store.begin().await?;
    let id = sf::insert(
        &mut tx,
        &sf::NewFault {
            what: &r.what,
            since_at: r.since_ms,
            scope: r.scope.code(),
            department_id: r.department_id,
            function_name: &r.function,
            reported_by: actor.user_id,
            reported_name: &actor.display_name,
            reported_at: ctx.now(),
        },
    )
    .await?;
    event(ctx, &mut tx, id, EventKind::Reported, None, &r.what).await?;
    let title = format!("平台故障报告：{}", short(&r.what, 30));
    let body = format!(
        "{} 起发生故障（影响范围：{scope_text}）：{}。请立即确认并组织排除；24小时内不能排除的，须以纸质书面方式通知相关业务部门。",
        zwfw_domain::time::format_local(r.since_ms),
        r.what
    );
    let notices = handlers_told(ctx, id, &title, &body).await?;
    zwfw_store::outbox::write_notices(&mut tx, &notices, ctx.now()).await?;
    let detail = json!({"scope": r.scope.code(), "department_id": r.department_id, "function": r.function,
        "since": zwfw_domain::time::format_local(r.since_ms), "notified": notices.len()});
    ctx.audit(&mut tx, ctx.entry("fault_reported", "fault", id, detail, &r.what)).await?;
    tx.commit().await?;
    get(ctx, id).await
}

/// Every active centre administrator and system administrator, in-app and
/// by SMS to their account's mobile, told of fault `id`.
async fn handlers_told(ctx: &Ctx<'_>, id: i64, title: &str, body: &str) -> AppResult<Vec<Notice>> {
    let staff = zwfw_store::admin::list_staff(&ctx.state.store, None).await?;
    Ok(staff
        .into_iter()
        .filter(|u| u.active && u.roles.iter().any(|r| access::NOTIFIED.contains(r)))
        .map(|u| Notice {
            user_id: Some(u.id),
            mobile: None,
            email: None,
            sms_to_account: true,
            title: title.to_string(),
            body: body.to_string(),
            link: format!("/faults/{id}"),
        })
        .collect())
}

/// The background job's part: each open fault that passed 24 hours is
/// marked once in its timeline (满24小时未排除), and the centre's and the
/// system administrators are told (in-app, SMS) that the paper notice to
/// the departments is due. How many faults were marked.
pub async fn remind_notice_due(st: &crate::state::App) -> AppResult<usize> {
    let now = st.now_ms();
    let (open, _) = sf::list(&st.store, Some(true), None, 500, 0).await?;
    let ctx = Ctx { state: st, actor: None, client_addr: "system".into() };
    let mut marked = 0;
    for r in open.iter().filter(|r| df::notice_due(&state_of(r), now).is_ok()) {
        let text = "故障开始已满24小时仍未排除，须以纸质书面方式通知相关业务部门";
        let mut tx = st.store.begin().await?;
        let e = sf::NewEvent {
            fault_id: r.id,
            kind: EventKind::NoticeDue.code(),
            at: now,
            actor_id: None,
            actor_name: "系统",
            department_id: None,
            text,
        };
        if !sf::add_event_once(&mut tx, &e).await? {
            continue;
        }
        let title = format!("故障满24小时未排除：{}", short(&r.what, 30));
        let body = format!(
            "{} 起的故障（{}）已满24小时仍未排除。请打印纸质书面通知（{}），送达相关业务部门并登记送达，通知其改用纸质方式办理。",
            zwfw_domain::time::format_local(r.since_at),
            r.what,
            number(r.id)
        );
        let notices = handlers_told(&ctx, r.id, &title, &body).await?;
        zwfw_store::outbox::write_notices(&mut tx, &notices, now).await?;
        let detail = json!({"notified": notices.len()});
        ctx.audit(&mut tx, ctx.entry("fault_notice_due", "fault", r.id, detail, "")).await?;
        tx.commit().await?;
        marked += 1;
    }
    Ok(marked)
}

/// Who is told that fault `r` is cleared: its reporter (in-app), and the
/// heads of the departments its paper period concerns (in-app and by SMS),
/// who go back from paper to the platform and enter what they did (补录).
async fn cleared_told(ctx: &Ctx<'_>, r: &sf::FaultRow, note: &str) -> AppResult<Vec<Notice>> {
    let scope = Scope::parse(&r.scope).unwrap_or(Scope::Platform);
    let departments: Vec<i64> = addressed(ctx, scope, r.department_id).await?.iter().map(|d| d.id).collect();
    let title = format!("平台故障已排除：{}", short(&r.what, 30));
    let body = format!(
        "{} 起的故障（{}）已于 {} 排除{}。请恢复在平台上办理业务；故障期间以纸质方式办理的办件，请按实际日期和时间补录。",
        zwfw_domain::time::format_local(r.since_at),
        r.what,
        zwfw_domain::time::format_local(ctx.now()),
        if note.is_empty() { String::new() } else { format!("（{note}）") }
    );
    let link = format!("/faults/{}", r.id);
    let notice = |user_id: i64, sms: bool| Notice {
        user_id: Some(user_id),
        mobile: None,
        email: None,
        sms_to_account: sms,
        title: title.clone(),
        body: body.clone(),
        link: link.clone(),
    };
    let mut out = vec![notice(r.reported_by, false)];
    for u in zwfw_store::admin::list_staff(&ctx.state.store, None).await? {
        let head = u.active && u.roles.contains(&Role::DeptHead);
        if head && u.department_id.is_some_and(|d| departments.contains(&d)) {
            if u.id == r.reported_by {
                out[0].sms_to_account = true;
            } else {
                out.push(notice(u.id, true));
            }
        }
    }
    Ok(out)
}

fn short(text: &str, n: usize) -> String {
    let mut s: String = text.chars().take(n).collect();
    if text.chars().count() > n {
        s.push('…');
    }
    s
}

async fn department_name(ctx: &Ctx<'_>, id: i64) -> String {
    zwfw_store::admin::get_department(&ctx.state.store, id).await.map(|d| d.name).unwrap_or_default()
}

async fn scope_text(ctx: &Ctx<'_>, scope: Scope, department: Option<i64>, function: &str) -> String {
    match (scope, department) {
        (Scope::Department, Some(d)) => format!("{}：{}", scope.label(), department_name(ctx, d).await),
        (Scope::Function, _) => format!("{}：{function}", scope.label()),
        _ => scope.label().to_string(),
    }
}

async fn event(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    fault_id: i64,
    kind: EventKind,
    department_id: Option<i64>,
    text: &str,
) -> AppResult<()> {
    let (actor_id, name) = match ctx.actor {
        Some(a) => (Some(a.user_id), a.display_name.as_str()),
        None => (None, "系统"),
    };
    sf::add_event(
        tx,
        &sf::NewEvent { fault_id, kind: kind.code(), at: ctx.now(), actor_id, actor_name: name, department_id, text },
    )
    .await?;
    Ok(())
}

// ---------- reading ----------

/// One step of a fault's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FaultEvent)]
pub struct EventView {
    /// reported | acknowledged | cause | cleared | notice_printed | notice_sent
    pub kind: String,
    pub kind_label: String,
    pub at: i64,
    pub by: String,
    /// The department a notice was sent to.
    pub department: Option<String>,
    pub text: String,
}

/// A department the paper notice is addressed to, and whether (when, by
/// whom) it was sent there.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FaultAddressee)]
pub struct Addressee {
    pub department_id: i64,
    pub department: String,
    pub sent_at: Option<i64>,
    pub sent_by: String,
}

/// A fault as its readers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Fault)]
pub struct FaultView {
    pub id: i64,
    /// 故障编号 (GZ and six digits), as the paper notice names it.
    pub number: String,
    pub what: String,
    pub since: i64,
    /// platform | department | function
    pub scope: String,
    /// The scope in words (全平台, 一个部门：…, 一项功能：…).
    pub scope_text: String,
    pub department_id: Option<i64>,
    pub function: String,
    pub reported_by: String,
    pub reported_at: i64,
    pub acknowledged_at: Option<i64>,
    pub acknowledged_by: String,
    pub cause: String,
    pub cleared_at: Option<i64>,
    pub cleared_by: String,
    /// When the paper notice is (or was) due: 24 hours after the start.
    pub notice_due_at: i64,
    /// The paper notice may be printed now.
    pub notice_available: bool,
    /// Why not, in words, when it may not.
    pub notice_refusal: Option<String>,
    pub printed_at: Option<i64>,
    /// The departments the notice is addressed to (filled on one fault's view).
    pub addressees: Vec<Addressee>,
    /// The notice has been sent to every department it is addressed to:
    /// no sending is left to record (filled on one fault's view).
    pub sent_to_all: bool,
    pub timeline: Vec<EventView>,
    /// The reader may acknowledge, record the cause, clear, print and send.
    pub may_handle: bool,
}

fn state_of(r: &sf::FaultRow) -> df::State {
    df::State {
        since_ms: r.since_at,
        acknowledged: r.acknowledged_at.is_some(),
        cleared_at: r.cleared_at,
        printed: r.printed_at.is_some(),
    }
}

async fn view(ctx: &Ctx<'_>, r: sf::FaultRow, full: bool) -> AppResult<FaultView> {
    let scope = Scope::parse(&r.scope).unwrap_or(Scope::Platform);
    let due = df::notice_due(&state_of(&r), ctx.now());
    let may_handle = ctx.actor.is_some_and(|a| access::may_handle(a).is_ok());
    let (mut timeline, mut addressees) = (vec![], vec![]);
    if full {
        let events = sf::events(ctx.state.store.pool(), r.id).await?;
        for e in &events {
            let department = match e.department_id {
                Some(d) => Some(department_name(ctx, d).await),
                None => None,
            };
            timeline.push(EventView {
                kind_label: EventKind::parse(&e.kind).map(|k| k.label()).unwrap_or("").to_string(),
                kind: e.kind.clone(),
                at: e.at,
                by: e.actor_name.clone(),
                department,
                text: e.text.clone(),
            });
        }
        for d in addressed(ctx, scope, r.department_id).await? {
            let sent =
                events.iter().rev().find(|e| e.kind == EventKind::NoticeSent.code() && e.department_id == Some(d.id));
            addressees.push(Addressee {
                department_id: d.id,
                department: d.name,
                sent_at: sent.map(|e| e.at),
                sent_by: sent.map(|e| e.actor_name.clone()).unwrap_or_default(),
            });
        }
    }
    Ok(FaultView {
        id: r.id,
        number: number(r.id),
        scope_text: scope_text(ctx, scope, r.department_id, &r.function_name).await,
        what: r.what,
        since: r.since_at,
        scope: r.scope,
        department_id: r.department_id,
        function: r.function_name,
        reported_by: r.reported_name,
        reported_at: r.reported_at,
        acknowledged_at: r.acknowledged_at,
        acknowledged_by: r.acknowledged_name,
        cause: r.cause,
        cleared_at: r.cleared_at,
        cleared_by: r.cleared_name,
        notice_due_at: df::notice_due_at(r.since_at),
        notice_available: due.is_ok(),
        notice_refusal: due.err().map(|e| {
            crate::messages::error_text(e.code(), Some(&zwfw_domain::time::format_local(df::notice_due_at(r.since_at))))
        }),
        printed_at: r.printed_at,
        sent_to_all: !addressees.is_empty() && addressees.iter().all(|a| a.sent_at.is_some()),
        addressees,
        timeline,
        may_handle,
    })
}

/// The departments the notice goes to, by the scope.
async fn addressed(
    ctx: &Ctx<'_>,
    scope: Scope,
    department: Option<i64>,
) -> AppResult<Vec<zwfw_store::admin::Department>> {
    let all = zwfw_store::admin::list_departments(&ctx.state.store).await?;
    // A fault of the platform or of a function: the departments whose approval work it stops.
    let ids: Vec<i64> = all.iter().filter(|d| d.active && df::approves(d.kind)).map(|d| d.id).collect();
    let wanted = df::addressed(scope, department, &ids);
    Ok(all.into_iter().filter(|d| wanted.contains(&d.id)).collect())
}

/// Which faults a list shows.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[schema(as = FaultQuery)]
pub struct ListQuery {
    /// open (default) | cleared | all
    pub state: Option<String>,
    /// 1-based.
    pub page: Option<i64>,
}

/// A page of faults.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FaultPage)]
pub struct FaultPage {
    pub rows: Vec<FaultView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// The reader sees every fault (else only those they reported).
    pub all: bool,
    /// The reader may handle faults.
    pub may_handle: bool,
}

pub const PER_PAGE: i64 = 50;

/// The faults, newest first: every fault for the handlers and supervision,
/// the reader's own reports for other staff.
pub async fn list(ctx: &Ctx<'_>, q: &ListQuery) -> AppResult<FaultPage> {
    let actor = signed_in(ctx)?;
    access::may_report(actor).map_err(refused)?;
    let open = match q.state.as_deref().unwrap_or("") {
        "" | "open" => Some(true),
        "cleared" => Some(false),
        "all" => None,
        _ => return Err(AppError::with_detail(Kind::BadInput, "bad_filter", "state")),
    };
    let page = q.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(AppError::invalid("page"));
    }
    let all = access::may_read_all(actor);
    let reporter = (!all).then_some(actor.user_id);
    let (rows, total) = sf::list(&ctx.state.store, open, reporter, PER_PAGE, (page - 1) * PER_PAGE).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(ctx, r, false).await?);
    }
    Ok(FaultPage { rows: out, total, page, per_page: PER_PAGE, all, may_handle: access::may_handle(actor).is_ok() })
}

async fn readable(ctx: &Ctx<'_>, id: i64) -> AppResult<sf::FaultRow> {
    let actor = signed_in(ctx)?;
    let r = sf::get(&ctx.state.store, id).await?.ok_or_else(|| AppError::not_found("fault"))?;
    if !access::may_read(actor, r.reported_by) {
        return Err(AppError::not_found("fault"));
    }
    Ok(r)
}

/// One fault with its timeline and the paper notice's addressees.
pub async fn get(ctx: &Ctx<'_>, id: i64) -> AppResult<FaultView> {
    let r = readable(ctx, id).await?;
    view(ctx, r, true).await
}

// ---------- handling ----------

/// The handler's right on a fault that exists (404 before 403 for those who
/// may not read it).
async fn handled(ctx: &Ctx<'_>, id: i64) -> AppResult<(sf::FaultRow, zwfw_domain::admin::Role)> {
    let actor = signed_in(ctx)?;
    let r = readable(ctx, id).await?;
    let role = access::may_handle(actor).map_err(refused)?;
    Ok((r, role))
}

/// Whether the reader may report a fault (asked before a body is read).
pub fn check_report(ctx: &Ctx<'_>) -> AppResult<()> {
    access::may_report(signed_in(ctx)?).map_err(refused)
}

/// Whether the reader may handle fault `id` (asked before a body is read).
pub async fn check_handle(ctx: &Ctx<'_>, id: i64) -> AppResult<()> {
    handled(ctx, id).await.map(|_| ())
}

/// A step's text (a cause, a note).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = FaultStepInput)]
pub struct StepInput {
    /// The cause (required to record a cause), or a note (optional, at most 500 characters).
    #[serde(default)]
    pub text: String,
}

fn already_cleared(r: &sf::FaultRow) -> AppError {
    let at = r.cleared_at.map(zwfw_domain::time::format_local).unwrap_or_default();
    AppError::with_detail(Kind::Conflict, FaultError::AlreadyCleared.code(), format!("{at}由{}", r.cleared_name))
}

/// 确认: the centre takes the fault in hand (once, before it is cleared).
pub async fn acknowledge(ctx: &Ctx<'_>, id: i64, input: &StepInput) -> AppResult<FaultView> {
    let (r, role) = handled(ctx, id).await?;
    let note = df::note(&input.text).map_err(fault_error)?;
    df::may_acknowledge(&state_of(&r)).map_err(|e| {
        if e == FaultError::AlreadyCleared {
            already_cleared(&r)
        } else {
            fault_error(e)
        }
    })?;
    let actor = signed_in(ctx)?;
    let mut tx = ctx.state.store.begin().await?;
    if !sf::acknowledge(&mut tx, id, &actor.display_name, ctx.now()).await? {
        return Err(fault_error(FaultError::AlreadyAcknowledged));
    }
    event(ctx, &mut tx, id, EventKind::Acknowledged, None, &note).await?;
    ctx.audit(&mut tx, ctx.entry("fault_acknowledged", "fault", id, json!({"role": role.code()}), &note)).await?;
    tx.commit().await?;
    get(ctx, id).await
}

/// 记录原因: the cause as found (again, to correct it; before clearing).
pub async fn record_cause(ctx: &Ctx<'_>, id: i64, input: &StepInput) -> AppResult<FaultView> {
    let (r, role) = handled(ctx, id).await?;
    let cause = df::cause(&input.text).map_err(fault_error)?;
    df::may_record_cause(&state_of(&r)).map_err(|_| already_cleared(&r))?;
    let mut tx = ctx.state.store.begin().await?;
    if !sf::set_cause(&mut tx, id, &cause).await? {
        drop(tx);
        let now = sf::get(&ctx.state.store, id).await?.ok_or_else(|| AppError::not_found("fault"))?;
        return Err(already_cleared(&now));
    }
    event(ctx, &mut tx, id, EventKind::Cause, None, &cause).await?;
    ctx.audit(&mut tx, ctx.entry("fault_cause", "fault", id, json!({"role": role.code()}), &cause)).await?;
    tx.commit().await?;
    get(ctx, id).await
}

/// 排除: the fault is cleared, once; a second clearing is refused with
/// `fault_already_cleared` and changes nothing.
pub async fn clear(ctx: &Ctx<'_>, id: i64, input: &StepInput) -> AppResult<FaultView> {
    let (r, role) = handled(ctx, id).await?;
    let note = df::note(&input.text).map_err(fault_error)?;
    df::may_clear(&state_of(&r)).map_err(|_| already_cleared(&r))?;
    let actor = signed_in(ctx)?;
    let mut tx = ctx.state.store.begin().await?;
    if !sf::clear(&mut tx, id, &actor.display_name, ctx.now()).await? {
        drop(tx);
        let now = sf::get(&ctx.state.store, id).await?.ok_or_else(|| AppError::not_found("fault"))?;
        return Err(already_cleared(&now));
    }
    event(ctx, &mut tx, id, EventKind::Cleared, None, &note).await?;
    let lasted_hours = (ctx.now() - r.since_at) / 3_600_000;
    let notices = cleared_told(ctx, &r, &note).await?;
    zwfw_store::outbox::write_notices(&mut tx, &notices, ctx.now()).await?;
    let detail = json!({"role": role.code(), "lasted_hours": lasted_hours, "notified": notices.len()});
    ctx.audit(&mut tx, ctx.entry("fault_cleared", "fault", id, detail, &note)).await?;
    tx.commit().await?;
    get(ctx, id).await
}

/// A step of the timeline taken with a text: 确认, 记录原因, 排除.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Acknowledge,
    Cause,
    Clear,
}

/// Takes `step` on fault `id` (see [`acknowledge`], [`record_cause`], [`clear`]).
pub async fn take_step(ctx: &Ctx<'_>, id: i64, step: Step, input: &StepInput) -> AppResult<FaultView> {
    match step {
        Step::Acknowledge => acknowledge(ctx, id, input).await,
        Step::Cause => record_cause(ctx, id, input).await,
        Step::Clear => clear(ctx, id, input).await,
    }
}

/// The paper notice (纸质书面通知) as a PDF, when due: its printing is
/// recorded and audited. Before 24 hours it is refused with the time it
/// becomes due.
pub async fn paper_notice(ctx: &Ctx<'_>, id: i64) -> AppResult<(Vec<u8>, String)> {
    let (r, role) = handled(ctx, id).await?;
    let due_at = df::notice_due_at(r.since_at);
    df::notice_due(&state_of(&r), ctx.now())
        .map_err(|e| AppError::with_detail(Kind::Conflict, e.code(), zwfw_domain::time::format_local(due_at)))?;
    let scope = Scope::parse(&r.scope).unwrap_or(Scope::Platform);
    let departments = addressed(ctx, scope, r.department_id).await?;
    let names: Vec<&str> = departments.iter().map(|d| d.name.as_str()).collect();
    let scope_words = scope_text(ctx, scope, r.department_id, &r.function_name).await;
    let bytes = render_notice(&r, &names, &scope_words, ctx.now())
        .map_err(|e| AppError::Internal(format!("paper notice: {e}")))?;
    let mut tx = ctx.state.store.begin().await?;
    sf::mark_printed(&mut tx, id, ctx.now()).await?;
    event(ctx, &mut tx, id, EventKind::NoticePrinted, None, "").await?;
    let detail = json!({"role": role.code(), "departments": departments.len()});
    ctx.audit(&mut tx, ctx.entry("fault_notice_printed", "fault", id, detail, "")).await?;
    tx.commit().await?;
    Ok((bytes, format!("纸质书面通知-故障{id}.pdf")))
}

/// A fault's number as shown (GZ000001).
pub fn number(id: i64) -> String {
    format!("GZ{id:06}")
}

fn date_time_cn(ms: i64) -> String {
    zwfw_domain::time::shanghai()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y年%-m月%-d日%H时%M分").to_string())
        .unwrap_or_default()
}

/// The notice's text on A4: the addressees, the fault, its period and the
/// fallback procedure, the sender and the date.
fn render_notice(r: &sf::FaultRow, departments: &[&str], scope: &str, now: i64) -> Result<Vec<u8>, pdf::PdfError> {
    let title = "关于网上审批系统故障期间改用纸质方式办理审批业务的书面通知";
    let until = match r.cleared_at {
        Some(c) => format!("至{}故障排除", date_time_cn(c)),
        None => format!("截至{}尚未排除", date_time_cn(now)),
    };
    let mut blocks = vec![
        Block::new(title, 18.0, Align::Center),
        Block::new(format!("故障编号：{}", number(r.id)), 11.0, Align::Center).gap(6.0),
        Block::new(format!("{}：", departments.join("、")), 12.0, Align::Left).gap(18.0),
        Block::para(format!(
            "网上审批系统自{}起发生故障（影响范围：{scope}），故障情况：{}。该故障{until}，未能在24小时内排除。根据有关规定，现以纸质书面方式通知如下：",
            date_time_cn(r.since_at),
            r.what
        )),
    ];
    if !r.cause.is_empty() {
        blocks.push(Block::para(format!("经查，故障原因为：{}。", r.cause)));
    }
    blocks.push(Block::para(format!(
        "一、故障期间：自{}起，{}。",
        date_time_cn(r.since_at),
        match r.cleared_at {
            Some(c) => format!("至{}止", date_time_cn(c)),
            None => "至平台另行通知故障排除时止".to_string(),
        }
    )));
    let numbers = ["二", "三", "四", "五"];
    for (n, text) in numbers.iter().zip(df::FALLBACK) {
        blocks.push(Block::para(format!("{n}、{text}")));
    }
    blocks.push(Block::new("政务服务中心", 12.0, Align::Right).gap(36.0));
    blocks.push(Block::new(
        zwfw_domain::clock::local_date(now).format("%Y年%-m月%-d日").to_string(),
        12.0,
        Align::Right,
    ));
    pdf::render(title, &blocks)
}

/// The delivery of the paper notice to a department.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = FaultSentInput)]
pub struct SentInput {
    /// The department it was sent to (one the notice is addressed to).
    pub department_id: Option<i64>,
    /// How it was delivered, to whom (optional, at most 500 characters).
    #[serde(default)]
    pub note: String,
}

/// Records that the printed notice was sent to a department: who, when,
/// how; audited. Refused before the notice is due or printed, or for a
/// department it is not addressed to.
pub async fn record_sent(ctx: &Ctx<'_>, id: i64, input: &SentInput) -> AppResult<FaultView> {
    let (r, role) = handled(ctx, id).await?;
    let department = input.department_id.ok_or_else(|| AppError::new(Kind::Invalid, "fault_not_addressed"))?;
    let note = df::note(&input.note).map_err(fault_error)?;
    let scope = Scope::parse(&r.scope).unwrap_or(Scope::Platform);
    let ids: Vec<i64> = addressed(ctx, scope, r.department_id).await?.iter().map(|d| d.id).collect();
    // The departments a delivery is recorded for, from the timeline.
    let sent: Vec<i64> = sf::events(ctx.state.store.pool(), id)
        .await?
        .iter()
        .filter(|e| e.kind == EventKind::NoticeSent.code())
        .filter_map(|e| e.department_id)
        .collect();
    df::may_record_sent(&state_of(&r), ctx.now(), &ids, &sent, department).map_err(|e| match e {
        FaultError::NotAddressed => AppError::new(Kind::Invalid, e.code()),
        _ => fault_error(e),
    })?;
    let mut tx = ctx.state.store.begin().await?;
    event(ctx, &mut tx, id, EventKind::NoticeSent, Some(department), &note).await?;
    let detail = json!({"role": role.code(), "department_id": department});
    ctx.audit(&mut tx, ctx.entry("fault_notice_sent", "fault", id, detail, &note)).await?;
    tx.commit().await?;
    get(ctx, id).await
}
