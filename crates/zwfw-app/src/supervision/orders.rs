//! Oversight orders (督办): issuing, reading and acting on them.

use super::*;

// ---------- oversight orders ----------

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OrderInput {
    /// The finding the order is about (its department is the order's).
    pub finding_id: Option<i64>,
    pub department_id: Option<i64>,
    pub case_id: Option<i64>,
    /// 督办内容
    pub content: String,
    /// Working days to answer (1–20).
    pub days: u32,
    /// Repeat-safe: the same key returns the first order.
    pub idem_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderDetail {
    pub order: OrderRow,
    pub events: Vec<ss::EventRow>,
    /// answer | accept | reject
    pub actions: Vec<String>,
    pub overdue: bool,
}

pub(super) fn order_actions(actor: &Actor, o: &OrderRow) -> Vec<String> {
    let state = OrderState::parse(&o.state).unwrap_or(OrderState::Closed);
    let mut out = vec![];
    for (a, name) in [(OrderAction::Answer, "answer"), (OrderAction::Accept, "accept"), (OrderAction::Reject, "reject")]
    {
        if access::supervision::may_act_on_order(actor, o.department_id, a).is_ok() && ds::order_next(state, a).is_ok()
        {
            out.push(name.into());
        }
    }
    out
}

pub(super) fn may_read_order(actor: &Actor, o: &OrderRow) -> bool {
    access::supervision::may_read_about(actor, Some(o.department_id))
}

/// Issues an oversight order to a department head (supervision officers).
pub async fn issue_order(ctx: &Ctx<'_>, input: &OrderInput) -> AppResult<(OrderDetail, bool)> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    access::supervision::may_supervise(actor).map_err(refused("order"))?;
    let key = input.idem_key.as_deref().map(str::trim).filter(|k| !k.is_empty());
    if let Some(k) = key {
        if let Some(id) = ss::order_by_idem(&st.store, k).await? {
            return Ok((order_detail(st, actor, id).await?, true));
        }
    }
    let content = ds::text("content", &input.content, ds::MAX_TEXT)?;
    let finding = match input.finding_id {
        Some(fid) => Some(ss::get_finding(&st.store, fid).await?),
        None => None,
    };
    if let Some(f) = &finding {
        access::supervision::may_order_on_finding(actor, &finding_facts(f)).map_err(refused("finding"))?;
    }
    let department_id = finding
        .as_ref()
        .and_then(|f| f.department_id)
        .or(input.department_id)
        .ok_or_else(|| AppError::invalid("department_id"))?;
    let dept = sa::get_department(&st.store, department_id).await.map_err(AppError::missing("department"))?;
    let case_id = input.case_id.or_else(|| finding.as_ref().filter(|f| f.object_kind == "case").map(|f| f.object_id));
    if let Some(c) = case_id {
        zwfw_store::cases::get_case(&st.store, c).await?;
    }
    let today = st.today();
    let due = ds::order_due(&st.calendar(), today, input.days)?;
    let now = ctx.now();
    let mut tx = st.store.begin().await?;
    let serial = zwfw_store::cases::next_serial(&mut tx, &format!("DB{}", today.format("%Y%m%d"))).await?;
    let no = ds::order_number(today, serial);
    let id = match ss::insert_order(
        &mut tx,
        &ss::NewOrder {
            order_no: &no,
            finding_id: finding.as_ref().map(|f| f.id),
            case_id,
            department_id,
            content: &content,
            days: i64::from(input.days),
            due: &day_text(due),
            issued_by: actor.user_id,
            issued_by_name: &actor.display_name,
            idem_key: key,
        },
        now,
    )
    .await
    {
        Ok(id) => id,
        Err(zwfw_store::StoreError::Duplicate(_)) if key.is_some() => {
            drop(tx);
            let id = ss::order_by_idem(&st.store, key.unwrap_or_default())
                .await?
                .ok_or_else(|| AppError::not_found("order"))?;
            return Ok((order_detail(st, actor, id).await?, true));
        }
        Err(e) => return Err(e.into()),
    };
    ss::add_event(&mut tx, "order", id, "issued", Some(actor.user_id), &actor.display_name, &content, "[]", now)
        .await?;
    let title = format!("督办通知 {no}（{}前答复）", day_text(due));
    crate::interaction::notify_department(
        &mut tx,
        st,
        department_id,
        vec![],
        &title,
        &content,
        &format!("/supervision/orders/{id}"),
    )
    .await?;
    let e = ctx.entry(
        "order_issued",
        "oversight_order",
        id,
        json!({"order_no": no, "department": dept.name, "finding_id": input.finding_id, "case_id": case_id, "due": day_text(due)}),
        &content,
    );
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    Ok((order_detail(st, actor, id).await?, false))
}

pub async fn order_detail(st: &App, actor: &Actor, id: i64) -> AppResult<OrderDetail> {
    let o = ss::get_order(&st.store, id).await?;
    if !may_read_order(actor, &o) {
        return Err(AppError::not_found("order"));
    }
    let events = ss::events(&st.store, "order", id).await?;
    let overdue = o.state == OrderState::Issued.code() && o.due < day_text(st.today());
    Ok(OrderDetail { actions: order_actions(actor, &o), order: o, events, overdue })
}

pub async fn list_orders(st: &App, actor: &Actor, state: Option<&str>) -> AppResult<Vec<OrderRow>> {
    let dept = access::supervision::list_scope(actor).map_err(refused("order"))?;
    let state = state.filter(|s| OrderState::parse(s).is_some());
    Ok(ss::list_orders(&st.store, dept, None, state, 200).await?)
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OrderActionInput {
    /// answer (the department head) | accept | reject (supervision)
    pub action: String,
    #[serde(default)]
    pub text: String,
}

/// Whether the actor takes some action on order `id` (asked before the
/// form is read): `not_found` when it is not theirs to read.
pub async fn may_act_on_order(ctx: &Ctx<'_>, id: i64) -> AppResult<()> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let o = ss::get_order(&ctx.state.store, id).await?;
    if !may_read_order(actor, &o) {
        return Err(AppError::not_found("order"));
    }
    access::supervision::may_act_on_order_at_all(actor, o.department_id).map_err(refused("order"))
}

pub async fn order_act(
    ctx: &Ctx<'_>,
    id: i64,
    input: &OrderActionInput,
    files: Vec<Attachment>,
) -> AppResult<OrderDetail> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let first = ss::get_order(&st.store, id).await?;
    if !may_read_order(actor, &first) {
        return Err(AppError::not_found("order"));
    }
    let action = match input.action.as_str() {
        "answer" => OrderAction::Answer,
        "accept" => OrderAction::Accept,
        "reject" => OrderAction::Reject,
        _ => return Err(AppError::with_detail(Kind::BadInput, "invalid_action", "action")),
    };
    let mut tx = st.store.begin().await?;
    let o = ss::lock_order(&mut tx, id).await?;
    let state = OrderState::parse(&o.state).unwrap_or(OrderState::Closed);
    if let Err(r) = access::supervision::may_act_on_order(actor, o.department_id, action) {
        ds::order_next(state, action)?;
        return Err(AppError::refused(r, "order"));
    }
    let next = ds::order_next(state, action)?;
    let (text, files_json) = action_input(action == OrderAction::Accept, &input.text, &files)?;
    let now = ctx.now();
    let notify_to: Vec<i64>;
    match action {
        OrderAction::Answer => {
            ss::answer_order(&mut tx, id, &text, &files_json, actor.user_id, now).await?;
            notify_to = vec![o.issued_by];
        }
        OrderAction::Reject => {
            let due = ds::order_due(&st.calendar(), st.today(), o.days as u32)?;
            ss::decide_order(&mut tx, id, next.code(), &text, Some(&day_text(due)), now).await?;
            notify_to = o.replied_by.into_iter().collect();
        }
        OrderAction::Accept => {
            ss::decide_order(&mut tx, id, next.code(), &text, None, now).await?;
            notify_to = o.replied_by.into_iter().collect();
        }
    }
    let title = format!("督办 {} {}", o.order_no, label("order_event", &input.action));
    let link = format!("/supervision/orders/{id}");
    let r = Recorded {
        object: "order",
        id,
        no: &o.order_no,
        action: &input.action,
        from: &o.state,
        to: next.code(),
        text: &text,
        files: &files_json,
        people: &notify_to,
        title: &title,
        body: &o.content,
        link: &link,
    };
    record_action(ctx, &mut tx, actor, r).await?;
    tx.commit().await?;
    order_detail(st, actor, id).await
}
