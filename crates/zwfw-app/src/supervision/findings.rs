//! Findings: conduct findings from complaints, lists, details and the actions of the responsible department and the supervision office.

use super::*;

// ---------- findings ----------

/// The finding (Y02) a complaint about staff conduct became, if any.
pub async fn conduct_finding_of(st: &App, interaction_id: i64) -> AppResult<Option<FindingRow>> {
    let filter = ss::FindingFilter {
        object: Some((ds::ObjectKind::Interaction.code().into(), interaction_id)),
        rule_code: Some(RuleCode::Y02.code().into()),
        limit: 1,
        ..Default::default()
    };
    Ok(ss::list_findings(&st.store, &filter).await?.0.into_iter().next())
}

/// What a supervision officer found on a complaint about staff conduct.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ConductInput {
    /// What the check found (核实情况, required).
    pub found: String,
    /// The department responsible; by default the one handling the complaint.
    #[serde(default)]
    pub department_id: Option<i64>,
    /// The staff member concerned, of that department (optional; else its head).
    #[serde(default)]
    pub responsible_user_id: Option<i64>,
}

/// Records a verified complaint about staff conduct as a finding (Y02, a
/// yellow card) for the department to rectify (regulation 001 第十二条).
/// A complaint gives one such finding: asking again answers with it.
pub async fn conduct_finding(ctx: &Ctx<'_>, interaction_id: i64, input: &ConductInput) -> AppResult<FindingRow> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    access::supervision::may_supervise(actor).map_err(refused("finding"))?;
    let row = si::get(&st.store, interaction_id).await.map_err(AppError::missing("interaction"))?;
    let rules = rule_set(st).await?;
    let fact = ds::conduct_fact(&rules, &row.kind, row.staff_conduct, &input.found)?;
    if let Some(f) = conduct_finding_of(st, interaction_id).await? {
        return Ok(f);
    }
    let department_id = input.department_id.unwrap_or(row.department_id);
    let dept = sa::get_department(&st.store, department_id).await.map_err(AppError::missing("department"))?;
    if !dept.active {
        return Err(AppError::not_found("department"));
    }
    if let Some(u) = input.responsible_user_id {
        let user = sa::get_user(&st.store, u)
            .await
            .map_err(AppError::unless_down(AppError::invalid("responsible_user_id")))?;
        if user.department_id != Some(department_id) || !user.active {
            return Err(AppError::invalid("responsible_user_id"));
        }
    }
    let org = org(st).await?;
    let mut report = EvalReport::default();
    let pending = Pending {
        fact,
        object_kind: ds::ObjectKind::Interaction.code(),
        object_id: interaction_id,
        object_no: row.code.clone(),
        item_type: String::new(),
        department_id: Some(department_id),
        responsible_user_id: input.responsible_user_id,
    };
    record(st, &rules, &org, vec![pending], &mut report).await?;
    let f = conduct_finding_of(st, interaction_id)
        .await?
        .ok_or_else(|| AppError::Internal("the finding was not recorded".into()))?;
    if report.new_findings > 0 {
        let mut tx = st.store.begin().await?;
        si::add_event(
            &mut tx,
            interaction_id,
            &si::NewEvent {
                actor_id: Some(actor.user_id),
                actor_name: &actor.display_name,
                kind: "supervision_finding",
                from_department_id: None,
                to_department_id: Some(department_id),
                detail: &f.finding_no,
                reason: "",
            },
            ctx.now(),
        )
        .await?;
        let e = ctx.entry(
            "conduct_finding",
            "interaction",
            interaction_id,
            json!({"finding_no": f.finding_no, "department_id": department_id, "responsible_user_id": input.responsible_user_id}),
            input.found.trim(),
        );
        ctx.audit(&mut tx, e).await?;
        tx.commit().await?;
        *st.dashboard.lock().expect("dashboard lock") = None;
    }
    Ok(f)
}

/// Opens the finding (A09) of a 告知承诺 the case's department found
/// unfulfilled, for the department to explain or rectify; answers its
/// number, or none when the rule is switched off. Asking again for the same
/// material answers the finding already open.
pub async fn commitment_finding(
    st: &App,
    case: &zwfw_store::cases::CaseRow,
    material_no: i64,
    material: &str,
    reason: &str,
) -> AppResult<Option<String>> {
    let rules = rule_set(st).await?;
    let fact = match ds::commitment_fact(&rules, material_no, material, reason) {
        Ok(f) => f,
        Err(ds::SupervisionError::RuleOff) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let content = item_version(st, case.version_id).await?;
    let org = org(st).await?;
    let mut report = EvalReport::default();
    let pending = Pending {
        fact,
        object_kind: ds::ObjectKind::Case.code(),
        object_id: case.id,
        object_no: case.case_no.clone().unwrap_or_default(),
        item_type: content.item_type.code().to_string(),
        department_id: Some(case.department_id),
        responsible_user_id: None,
    };
    record(st, &rules, &org, vec![pending], &mut report).await?;
    if report.new_findings > 0 {
        *st.dashboard.lock().expect("dashboard lock") = None;
    }
    let filter = ss::FindingFilter {
        object: Some((ds::ObjectKind::Case.code().into(), case.id)),
        rule_code: Some(RuleCode::A09.code().into()),
        limit: 100,
        ..Default::default()
    };
    let key = material_no.to_string();
    let found = ss::list_findings(&st.store, &filter).await?.0.into_iter().find(|f| f.fact_key == key);
    Ok(Some(found.ok_or_else(|| AppError::Internal("the finding was not recorded".into()))?.finding_no))
}

/// May this person read this finding? Supervision reads all; staff read
/// their department's.
pub(super) fn may_read_finding(actor: &Actor, f: &FindingRow) -> bool {
    access::supervision::may_read_about(actor, f.department_id)
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct FindingQuery {
    pub department_id: Option<i64>,
    pub county_region_id: Option<i64>,
    /// warning | yellow | red | anomaly
    pub severity: Option<String>,
    pub rule: Option<String>,
    /// noted | open | replied | closed | active (all but closed)
    pub state: Option<String>,
    pub case_id: Option<i64>,
    /// Only those whose reply is overdue.
    #[serde(default)]
    pub reply_overdue: bool,
    pub page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindingPage {
    pub rows: Vec<FindingRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

pub const PER_PAGE: i64 = 30;

pub async fn list_findings(st: &App, actor: &Actor, q: &FindingQuery) -> AppResult<FindingPage> {
    let scope = access::supervision::list_scope(actor).map_err(refused("finding"))?;
    let department_id = crate::error::list_department(scope, q.department_id)?;
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let f = ss::FindingFilter {
        department_id,
        county_region_id: q.county_region_id,
        severity: q.severity.clone().filter(|s| ds::Severity::parse(s).is_some()),
        rule_code: q.rule.clone().filter(|s| RuleCode::parse(s).is_some()),
        state: q.state.clone().filter(|s| s == FindingState::ACTIVE_CODE || FindingState::parse(s).is_some()),
        object: q.case_id.map(|c| (ds::ObjectKind::Case.code().to_string(), c)),
        reply_overdue_on: q.reply_overdue.then(|| day_text(st.today())),
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
    };
    let (rows, total) = ss::list_findings(&st.store, &f).await?;
    Ok(FindingPage { rows, total, page, per_page: PER_PAGE })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindingDetail {
    pub finding: FindingRow,
    pub events: Vec<ss::EventRow>,
    pub orders: Vec<OrderRow>,
    /// What the reader may do: reply | accept | reject | close | order
    pub actions: Vec<String>,
    /// The reply is past its due day.
    pub reply_overdue: bool,
}

pub(super) fn finding_actions(actor: &Actor, f: &FindingRow) -> Vec<String> {
    let state = FindingState::parse(&f.state).unwrap_or(FindingState::Closed);
    let mut out = vec![];
    let facts = finding_facts(f);
    for (a, name) in [
        (FindingAction::Reply, "reply"),
        (FindingAction::Accept, "accept"),
        (FindingAction::Reject, "reject"),
        (FindingAction::Close, "close"),
    ] {
        if access::supervision::may_act_on_finding(actor, &facts, a).is_ok() && ds::finding_next(state, a).is_ok() {
            out.push(name.into());
        }
    }
    if state != FindingState::Closed && access::supervision::may_order_on_finding(actor, &facts).is_ok() {
        out.push("order".into());
    }
    out
}

pub async fn finding_detail(st: &App, actor: &Actor, id: i64) -> AppResult<FindingDetail> {
    let f = ss::get_finding(&st.store, id).await?;
    if !may_read_finding(actor, &f) {
        return Err(AppError::not_found("finding"));
    }
    let events = ss::events(&st.store, "finding", id).await?;
    let orders = ss::list_orders(&st.store, None, Some(id), None, 50).await?;
    let reply_overdue =
        FindingState::parse(&f.state).is_some_and(|s| s.reply_overdue(f.reply_due.as_deref(), &day_text(st.today())));
    Ok(FindingDetail { actions: finding_actions(actor, &f), finding: f, events, orders, reply_overdue })
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct FindingActionInput {
    /// reply (the department) | accept | reject | close (supervision)
    pub action: String,
    #[serde(default)]
    pub text: String,
}

/// A stored attachment (from the page's upload).
pub type Attachment = crate::interaction::Attachment;

/// The text of an action (optional when accepting) and its attachments as stored JSON.
pub(super) fn action_input(accepting: bool, text: &str, files: &[Attachment]) -> AppResult<(String, String)> {
    let text = if accepting { text.trim().to_string() } else { ds::text("text", text, ds::MAX_TEXT)? };
    if files.len() > crate::interaction::MAX_ATTACHMENTS {
        return Err(AppError::with_detail(
            Kind::Invalid,
            "too_many_files",
            crate::interaction::MAX_ATTACHMENTS.to_string(),
        ));
    }
    let files = serde_json::to_string(files).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((text, files))
}

/// One action on a finding or an order, as recorded.
pub(super) struct Recorded<'a> {
    /// `finding` or `order` (the event's object; `oversight_order` in the audit trail)
    pub(super) object: &'static str,
    pub(super) id: i64,
    pub(super) no: &'a str,
    pub(super) action: &'a str,
    pub(super) from: &'a str,
    pub(super) to: &'a str,
    pub(super) text: &'a str,
    pub(super) files: &'a str,
    /// Who is told, and what.
    pub(super) people: &'a [i64],
    pub(super) title: &'a str,
    pub(super) body: &'a str,
    pub(super) link: &'a str,
}

/// Appends the event, tells the other side and writes the audit record.
pub(super) async fn record_action(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    actor: &Actor,
    r: Recorded<'_>,
) -> AppResult<()> {
    let now = ctx.now();
    ss::add_event(tx, r.object, r.id, r.action, Some(actor.user_id), &actor.display_name, r.text, r.files, now).await?;
    si::notify_users(tx, r.people, r.title, r.body, r.link, now).await?;
    let audit_type = if r.object == "order" { "oversight_order" } else { r.object };
    let e = ctx.entry(
        &format!("{}_{}", r.object, r.action),
        audit_type,
        r.id,
        json!({"no": r.no, "from": r.from, "to": r.to, "files": serde_json::from_str::<serde_json::Value>(r.files).ok()}),
        r.text,
    );
    ctx.audit(tx, e).await
}

/// Replies to, accepts, rejects or closes a finding.
/// Whether the actor takes some action on finding `id` (asked before the
/// form is read): `not_found` when it is not theirs to read.
pub async fn may_act_on_finding(ctx: &Ctx<'_>, id: i64) -> AppResult<()> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let f = ss::get_finding(&ctx.state.store, id).await?;
    if !may_read_finding(actor, &f) {
        return Err(AppError::not_found("finding"));
    }
    access::supervision::may_act_on_finding_at_all(actor, &finding_facts(&f)).map_err(refused("finding"))
}

pub async fn finding_act(
    ctx: &Ctx<'_>,
    id: i64,
    input: &FindingActionInput,
    files: Vec<Attachment>,
) -> AppResult<FindingDetail> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let first = ss::get_finding(&st.store, id).await?;
    if !may_read_finding(actor, &first) {
        return Err(AppError::not_found("finding"));
    }
    let action = match input.action.as_str() {
        "reply" => FindingAction::Reply,
        "accept" => FindingAction::Accept,
        "reject" => FindingAction::Reject,
        "close" => FindingAction::Close,
        _ => return Err(AppError::with_detail(Kind::BadInput, "invalid_action", "action")),
    };
    let mut tx = st.store.begin().await?;
    let f = ss::lock_finding(&mut tx, id).await?;
    let state = FindingState::parse(&f.state).unwrap_or(FindingState::Closed);
    if let Err(r) = access::supervision::may_act_on_finding(actor, &finding_facts(&f), action) {
        // Say why: the state forbids it, or the person may not.
        ds::finding_next(state, action)?;
        return Err(AppError::refused(r, "finding"));
    }
    let next = ds::finding_next(state, action)?;
    let now = ctx.now();
    let (text, files_json) = action_input(action == FindingAction::Accept, &input.text, &files)?;
    match action {
        FindingAction::Reply => ss::reply_finding(&mut tx, id, &text, &files_json, actor.user_id, now).await?,
        FindingAction::Reject => {
            let days =
                rule_set(st).await?.get(RuleCode::parse(&f.rule_code).unwrap_or(RuleCode::Y01)).params.reply_days;
            let due = day_text(st.calendar().add_working_days(st.today(), days)?);
            ss::decide_finding(&mut tx, id, next.code(), &text, Some(&due), actor.user_id, now).await?
        }
        _ => ss::decide_finding(&mut tx, id, next.code(), &text, None, actor.user_id, now).await?,
    }
    if next == FindingState::Closed {
        let dept = f.department_id.map(|d| d.to_string()).unwrap_or_default();
        ss::tally(&mut tx, "active", &dept, &f.severity, -1).await?;
    }
    // Tell the other side.
    let (title, people) = match action {
        FindingAction::Reply => {
            let mut p: Vec<i64> = f.decided_by.into_iter().collect();
            if p.is_empty() {
                p = sa::list_staff(&st.store, None)
                    .await?
                    .into_iter()
                    .filter(|u| u.active && u.roles.contains(&Role::Supervisor))
                    .map(|u| u.id)
                    .collect();
            }
            (format!("监察事项 {} 已整改回复", f.finding_no), p)
        }
        _ => {
            let mut p: Vec<i64> = f.replied_by.into_iter().chain(f.responsible_user_id).collect();
            p.sort_unstable();
            p.dedup();
            (format!("监察事项 {} {}", f.finding_no, label("finding_event", &input.action)), p)
        }
    };
    let link = format!("/supervision/findings/{id}");
    let r = Recorded {
        object: "finding",
        id,
        no: &f.finding_no,
        action: &input.action,
        from: &f.state,
        to: next.code(),
        text: &text,
        files: &files_json,
        people: &people,
        title: &title,
        body: &f.description,
        link: &link,
    };
    record_action(ctx, &mut tx, actor, r).await?;
    tx.commit().await?;
    finding_detail(st, actor, id).await
}
