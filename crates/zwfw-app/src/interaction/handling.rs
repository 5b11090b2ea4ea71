//! Handling a consultation, suggestion, complaint or correction: the department's actions, and lists.

use super::*;
use utoipa::ToSchema;
use zwfw_domain::outbox::Channel;

/// An action of the handling department.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = InteractionActionInput)]
pub struct ActionInput {
    /// transfer (to another department, or a county office assigning to one of its departments) | extend | reply
    pub action: String,
    pub to_department_id: Option<i64>,
    /// extend: working days to add (1–10)
    pub days: Option<u32>,
    /// transfer and extend: why
    #[serde(default)]
    pub reason: String,
    /// reply: the answer (处理意见)
    #[serde(default)]
    pub reply: String,
    /// reply: the content is secret (涉密): not published
    #[serde(default)]
    pub secret: bool,
    /// reply: why the department does not publish it (visible to supervision)
    pub withhold_reason: Option<String>,
}

/// Transfers, extends or answers a submission. Only staff of the handling
/// department act; supervision reads and acts on nothing.
/// Whether the actor handles submission `id` (asked before an action's form
/// is read; which action, and the state, are [`act`]'s questions).
pub async fn may_handle(ctx: &Ctx<'_>, id: i64) -> AppResult<()> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let first = si::get(&st.store, id).await?;
    let former = former_departments(&si::events(&st.store, id).await?);
    access::may_handle(actor, &facts(&first, &former)).map_err(|r| AppError::refused(r, "interaction"))
}

pub async fn act(ctx: &Ctx<'_>, id: i64, input: &ActionInput) -> AppResult<Detail> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    may_handle(ctx, id).await?;
    let mut tx = st.store.begin().await?;
    let row = si::lock(&mut tx, id).await?;
    if access::reader(Some(actor), &facts(&row, &[]), false) != Reader::Handler {
        // Moved to another department meanwhile.
        return Err(AppError::with_detail(Fail::Conflict, "already_handled", "该留言已被转至其他部门办理"));
    }
    let state = State::parse(&row.state).unwrap_or(State::Answered);
    let now = ctx.now();
    let event = |kind: &'static str, to: Option<i64>, detail: String, reason: String| (kind, to, detail, reason);
    let (kind, to, what, reason) = match input.action.as_str() {
        "transfer" => {
            let to = input.to_department_id.ok_or_else(|| AppError::invalid("to_department_id"))?;
            di::check_transfer(state, row.department_id, to, &input.reason)?;
            let target = sa::get_department(&st.store, to).await.map_err(AppError::missing("department"))?;
            if !target.active {
                return Err(AppError::not_found("department"));
            }
            si::set_department(&mut tx, id, to, now).await?;
            let me = sa::get_department(&st.store, row.department_id).await?;
            let assigned =
                me.kind == DepartmentKind::CountyOffice && county_of(st, target.region_id).await? == Some(me.region_id);
            notify_handlers(
                &mut tx,
                st,
                to,
                &format!("转来的网民留言 {}", row.code),
                &row.title,
                &format!("/interact/{}", row.code),
            )
            .await?;
            event(if assigned { "assigned" } else { "transferred" }, Some(to), target.name, input.reason.trim().into())
        }
        "extend" => {
            let days = input.days.unwrap_or(0);
            let due = chrono::NaiveDate::parse_from_str(&row.due, "%Y-%m-%d").map_err(|_| AppError::invalid("due"))?;
            let new_due = di::extend(&st.calendar(), state, due, days, &input.reason)?;
            si::set_extension(&mut tx, id, &day_text(new_due), days as i64, input.reason.trim(), now).await?;
            event("extended", None, format!("{days}个工作日，至{}", day_text(new_due)), input.reason.trim().into())
        }
        "reply" => {
            if state != State::Open {
                return Err(InteractionError::AlreadyAnswered.into());
            }
            let reply = di::text("reply", &input.reply, di::MAX_REPLY)?;
            let withhold = input.withhold_reason.as_deref().map(str::trim).filter(|s| !s.is_empty());
            let publication = di::publication(row.no_publish, input.secret, withhold)?;
            si::set_answer(
                &mut tx,
                id,
                &si::Answer {
                    reply: &reply,
                    by: actor.user_id,
                    by_name: &actor.display_name,
                    publication: publication.code(),
                    withhold_reason: withhold,
                },
                now,
            )
            .await?;
            let link = format!("/interact/{}", row.code);
            let title = format!("您的留言 {} 已答复", row.code);
            let n = match row.submitter_user_id {
                Some(u) => si::NewNotification {
                    user_id: Some(u),
                    mobile: None,
                    channel: Channel::InApp.code(),
                    title: &title,
                    body: &row.title,
                    link: &link,
                },
                None => si::NewNotification {
                    user_id: None,
                    mobile: Some(&row.mobile),
                    channel: Channel::Sms.code(),
                    title: &title,
                    body: &row.title,
                    link: &link,
                },
            };
            si::notify(&mut tx, &n, now).await?;
            event("answered", None, publication.code().into(), withhold.unwrap_or("").into())
        }
        _ => return Err(AppError::with_detail(Fail::BadInput, "invalid_action", "action")),
    };
    si::add_event(
        &mut tx,
        id,
        &si::NewEvent {
            actor_id: Some(actor.user_id),
            actor_name: &actor.display_name,
            kind,
            from_department_id: Some(row.department_id),
            to_department_id: to,
            detail: &what,
            reason: &reason,
        },
        now,
    )
    .await?;
    let e = ctx.entry(
        &format!("interaction_{kind}"),
        "interaction",
        id,
        json!({"code": row.code, "to_department_id": to, "detail": what}),
        &reason,
    );
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    detail(st, Some(actor), id, false).await
}

/// A list as one reader may see it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = InteractionListQuery)]
pub struct ListQuery {
    /// public (published answers) | mine (the submitter's) | department (the handling department's)
    /// | all (supervision) | conduct (complaints about staff conduct, supervision)
    pub scope: Option<String>,
    pub kind: Option<String>,
    pub state: Option<String>,
    pub q: Option<String>,
    /// Only the unanswered ones past their due date.
    #[serde(default)]
    pub overdue: bool,
    pub page: Option<i64>,
}

/// A submission in a list, with whether it is overdue today.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = InteractionListItem)]
pub struct ListItem {
    #[serde(flatten)]
    pub row: InteractionRow,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListPage {
    pub rows: Vec<ListItem>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

pub const PER_PAGE: i64 = 20;

pub async fn list(st: &App, actor: Option<&Actor>, q: &ListQuery) -> AppResult<ListPage> {
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let mut f = si::Filter {
        kind: q.kind.clone().filter(|k| Kind::parse(k).is_some()),
        state: q.state.clone().filter(|s| State::parse(s).is_some()),
        q: q.q.clone().map(|s| s.chars().take(50).collect()),
        due_before: q.overdue.then(|| day_text(st.today())),
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
        ..Default::default()
    };
    let scope = q.scope.as_deref().unwrap_or("public");
    let list_scope = match scope {
        "public" => access::ListScope::Public,
        "mine" => access::ListScope::Mine,
        "department" => access::ListScope::Department,
        "all" => access::ListScope::All,
        "conduct" => access::ListScope::Conduct,
        _ if actor.is_none() => return Err(AppError::new(Fail::Unauthenticated, "login_required")),
        _ => return Err(AppError::forbidden()),
    };
    if actor.is_none() && list_scope != access::ListScope::Public {
        return Err(AppError::new(Fail::Unauthenticated, "login_required"));
    }
    let reader = access::list_reader(actor, list_scope).map_err(|r| AppError::refused(r, "interaction"))?;
    match (reader, actor) {
        (Reader::Public, _) => {
            f.public_only = true;
            f.due_before = None;
        }
        (Reader::Submitter, Some(a)) => f.submitter_user_id = Some(a.user_id),
        (Reader::Handler, Some(a)) => f.department_id = a.department_id,
        _ => f.staff_conduct_only = list_scope == access::ListScope::Conduct,
    }
    let (rows, total) = si::list(&st.store, &f).await?;
    let today = st.today();
    let rows = rows
        .into_iter()
        .map(|r| {
            let state = State::parse(&r.state).unwrap_or(State::Answered);
            let due = chrono::NaiveDate::parse_from_str(&r.due, "%Y-%m-%d").unwrap_or(today);
            ListItem { overdue: di::is_overdue(state, due, today), row: mask_for(reader, r) }
        })
        .collect();
    Ok(ListPage { rows, total, page, per_page: PER_PAGE })
}
