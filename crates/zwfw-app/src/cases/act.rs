//! Actions on a case: parsed at the edge, asked of the access rules and the state machine, written if nobody moved the case meanwhile.

use super::*;

// ---------- actions ----------

/// An action on a case. Which fields matter depends on `action`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = CaseActionInput)]
pub struct ActionInput {
    /// submit | supplement_request | supplement_provide | accept | refuse | pass | return | transfer | urge |
    /// extension_request | extension_decide | special_start | special_end | joint_answer | joint_close |
    /// conclude | deliver | withdraw | withdrawal_request | withdrawal_decline
    pub action: String,
    /// The event number the decision was made on; a different current number means someone acted first.
    pub expected_seq: Option<i64>,
    pub idem_key: Option<String>,
    /// 处理意见 / reason.
    #[serde(default)]
    pub opinion: String,
    /// Everything missing, for a supplement notice.
    #[serde(default)]
    pub missing: Vec<String>,
    /// Target step (1-based) of a return.
    pub step: Option<usize>,
    pub to_user: Option<i64>,
    pub days: Option<u32>,
    pub approved: Option<bool>,
    pub agree: Option<bool>,
    /// Special procedure kind, e.g. 检测, 专家评审.
    pub kind: Option<String>,
    /// granted | denied | returned | voided | forwarded
    pub outcome: Option<String>,
    pub document_no: Option<String>,
    /// YYYY-MM-DD
    pub valid_until: Option<String>,
    /// conclude: the fee charged, in fen (分), when one was collected
    pub fee_fen: Option<i64>,
    /// 窗口领取 | 邮寄 | 电子送达
    pub method: Option<String>,
    pub tracking_no: Option<String>,
    /// New materials with a supplement.
    #[serde(default)]
    pub materials: Vec<MaterialRef>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActResult {
    pub case_id: i64,
    pub seq: i64,
    pub state: String,
    pub repeated: bool,
}

pub(super) fn text(s: &str, max: usize) -> String {
    s.trim().chars().take(max).collect()
}

/// Turns the input into a domain event kind (the edge parse).
pub(super) fn parse_action(a: &ActionInput, actor: &Actor) -> AppResult<EventKind> {
    let opinion = text(&a.opinion, 2000);
    let bad = |f: &'static str| unprocessable("invalid_action", f);
    Ok(match a.action.as_str() {
        "submit" => EventKind::Submitted,
        "supplement_request" => EventKind::SupplementRequested {
            missing: a.missing.iter().map(|m| text(m, 200)).filter(|m| !m.is_empty()).collect(),
        },
        "supplement_provide" => EventKind::SupplementProvided,
        "accept" => EventKind::Accepted,
        "refuse" => EventKind::Refused { reason: opinion },
        "pass" => EventKind::StepPassed { opinion },
        "return" => EventKind::ReturnedToStep {
            step: a.step.and_then(|s| s.checked_sub(1)).ok_or_else(|| bad("step"))?,
            reason: opinion,
        },
        "transfer" => EventKind::Transferred { to_user: a.to_user.ok_or_else(|| bad("to_user"))?, reason: opinion },
        "urge" => EventKind::Urged { message: opinion },
        "extension_request" => EventKind::ExtensionRequested { days: a.days.unwrap_or(10), reason: opinion },
        "extension_decide" => {
            EventKind::ExtensionDecided { approved: a.approved.ok_or_else(|| bad("approved"))?, opinion }
        }
        "special_start" => {
            EventKind::SpecialStarted { kind: text(a.kind.as_deref().unwrap_or(""), 40), reason: opinion }
        }
        "special_end" => EventKind::SpecialEnded { result: opinion },
        "joint_answer" => EventKind::JointAnswered {
            department_id: actor.department_id.ok_or_else(AppError::forbidden)?,
            agree: a.agree.ok_or_else(|| bad("agree"))?,
            opinion,
        },
        "joint_close" => EventKind::JointTimedOut { departments: vec![] },
        "conclude" => {
            let outcome = a.outcome.as_deref().and_then(Outcome::parse).ok_or_else(|| bad("outcome"))?;
            let valid_until = match a.valid_until.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => Some(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad("valid_until"))?),
                None => None,
            };
            EventKind::Concluded {
                outcome,
                reason: opinion,
                document_no: text(a.document_no.as_deref().unwrap_or(""), 100),
                valid_until,
                fee_fen: match a.fee_fen {
                    Some(f) if !(0..=10_000_000_000).contains(&f) => return Err(bad("fee_fen")),
                    f => f,
                },
            }
        }
        "deliver" => EventKind::Delivered {
            method: text(a.method.as_deref().unwrap_or(""), 20),
            tracking_no: text(a.tracking_no.as_deref().unwrap_or(""), 60),
        },
        "withdraw" => EventKind::Withdrawn { reason: opinion },
        "withdrawal_request" => EventKind::WithdrawalRequested { reason: opinion },
        "withdrawal_decline" => EventKind::WithdrawalDeclined { opinion },
        _ => return Err(bad("action")),
    })
}

pub use zwfw_domain::access::in_department;

/// Whether the actor may take some action on the case (which one the
/// action decides, in [`act`]): asked before the action's form is read, so
/// that who may not is refused whatever was sent (`not_found` when the case
/// is not theirs to see).
pub async fn may_act_on(ctx: &Ctx<'_>, case_id: i64) -> AppResult<()> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let row = sc::get_case(&ctx.state.store, case_id).await?;
    let content = item_version(ctx.state, row.version_id).await?;
    if !readable(actor, &row, &content) {
        return Err(AppError::not_found("case"));
    }
    access::may_act_at_all(actor, &facts(&row), &content).map_err(refused)
}

/// Takes an action on a case.
pub async fn act(ctx: &Ctx<'_>, case_id: i64, input: &ActionInput) -> AppResult<ActResult> {
    act_entered(ctx, case_id, input, None).await
}

/// Takes an action on a case now, or, as a 补录 (`entry`), at the real time
/// it took place on paper during a fault.
pub(super) async fn act_entered(
    ctx: &Ctx<'_>,
    case_id: i64,
    input: &ActionInput,
    entry: Option<&super::backfill::Entry>,
) -> AppResult<ActResult> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let kind = parse_action(input, actor)?;
    if entry.is_some() && !zwfw_domain::backfill::enterable(&kind) {
        return Err(super::backfill::refusal(zwfw_domain::backfill::BackfillError::NotEnterable, None));
    }
    let key = idem(&input.idem_key)?;
    // The case as this process last wrote it, if it did so recently (the
    // write below is refused if the case moved since, and then the case is
    // read from the database).
    let (row0, mut remembered) = sc::case_to_act(&st.store, case_id).await?;
    let content = item_version(st, row0.version_id).await?;
    if !readable(actor, &row0, &content) {
        return Err(AppError::not_found("case"));
    }
    // A grant's 有效期至 is not before the day of the grant.
    if let EventKind::Concluded { valid_until: Some(d), .. } = &kind {
        let day = entry.map_or_else(|| st.today(), |b| zwfw_domain::clock::local_date(b.at_ms));
        if !zwfw_domain::licenses::validity_end_allowed(*d, day) {
            return Err(AppError::with_detail(Kind::Invalid, "validity_before_grant", "valid_until"));
        }
    }
    // Supplement materials are checked before the transaction.
    let mut supplement = vec![];
    if matches!(kind, EventKind::SupplementProvided) {
        let trust = if actor.is_staff() { TrustLevel::B } else { TrustLevel::C };
        let who = super::sources::Applicant::of(&row0);
        supplement = super::sources::resolve_all(ctx, &who, &content, &input.materials, trust).await?;
        if supplement.is_empty() {
            return Err(unprocessable("materials_missing", "supplement"));
        }
    }
    let to_user = match &kind {
        EventKind::Transferred { to_user, .. } => {
            // A user id that does not exist is refused like an unsuitable
            // colleague, after the actor's own right to transfer is checked,
            // so that the answer does not tell which ids exist.
            Some(match zwfw_store::admin::get_user(&st.store, *to_user).await {
                Ok(u) => Some(u),
                Err(zwfw_store::StoreError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            })
        }
        _ => None,
    };
    if matches!(kind, EventKind::Submitted) {
        if input.expected_seq.is_some_and(|exp| exp != row0.p.seq) {
            return Err(already_handled(sc::events(&st.store, case_id).await?.last()));
        }
        let s = submit_draft(ctx, case_id, key.as_deref()).await?;
        let seq = sc::get_case(&st.store, case_id).await?.p.seq;
        return Ok(ActResult { case_id, seq, state: s.state, repeated: s.repeated });
    }
    let scoped = key.as_ref().map(|k| scoped_key(actor, k));
    // A grant of an item whose result is a licence writes the issuance job
    // in its own transaction.
    let licensed =
        crate::licenses::issue::is_grant(&kind) && crate::licenses::types::of_item(st, row0.item_id).await?.is_some();
    // A grant or a denial pushes its record to the regulators (审管交互) and
    // writes its 双公示 record: both are derived after the commit from the
    // audit trail (`notices::derive`), once each.
    // Optimistic: read and decide outside the write transaction, write only
    // if nobody moved the case meanwhile, else decide again on the new state.
    let mut row = row0;
    let mut reread = false;
    for attempt in 0.. {
        if reread {
            row = sc::case_as_stored(&st.store, case_id).await?;
            remembered = false;
        }
        reread = true;
        if let Some(k) = &scoped {
            if let Some(seq) = sc::event_by_idem(st.store.pool(), case_id, k).await? {
                // The answer says where the case is now: the row remembered
                // may be behind another process's write.
                let state =
                    if remembered { sc::case_as_stored(&st.store, case_id).await?.p.state } else { row.p.state };
                return Ok(ActResult { case_id, seq, state, repeated: true });
            }
        }
        let (w, view) =
            match decide(ctx, &row, &content, &kind, to_user.as_ref().map(Option::as_ref), input.expected_seq, entry)
                .await
            {
                Ok(decided) => decided,
                // Refused on the row remembered, which may be behind: decided
                // again on the stored row before the refusal stands.
                Err(_) if remembered => continue,
                Err(e) => return Err(e),
            };
        let (seq, state) = (w.p.seq, w.p.state.clone());
        let planned = super::notices::plan_step(st, &row, &content, &view, &w);
        let written = if supplement.is_empty() && w.joint.is_none() && !licensed && entry.is_none() {
            write_alone(ctx, case_id, &row.p, &w, scoped.as_deref()).await?
        } else {
            let mut tx = st.store.begin().await?;
            let entered = super::backfill::record_of(&w, case_id);
            let written = write_prepared(ctx, &mut tx, case_id, &row.p, w, scoped.as_deref()).await?;
            if written {
                if let Some(b) = &entered {
                    zwfw_store::backfill::insert(&mut tx, &b.as_new()).await?;
                }
                let round = i64::from(view.supplement_notices);
                attach_materials(&mut tx, &row, &supplement, round, actor.user_id, ctx.now()).await?;
                if licensed {
                    crate::licenses::issue::write_job(&mut tx, case_id, ctx.now()).await?;
                }
                tx.commit().await?;
            }
            written
        };
        if written {
            super::notices::handed(st, case_id, seq, planned);
            super::sources::record_uses(ctx, &supplement, case_id).await?;
            if licensed {
                // Issued now if the issuer has a key; else the job waits and the case shows why.
                if let Err(e) = crate::licenses::issue::issue_for_case(st, case_id).await {
                    tracing::warn!(case = case_id, error = %e.message(), "licence not issued yet");
                }
            }
            return Ok(ActResult { case_id, seq, state, repeated: false });
        }
        if (input.expected_seq.is_some() && !remembered) || attempt >= 8 {
            let events = sc::events(&st.store, case_id).await?;
            return Err(already_handled(events.last()));
        }
    }
    unreachable!("the loop returns")
}

/// Decides action `kind` on the case as `row` has it: the event to write
/// and the case's view before it, or why not.
pub(super) async fn decide(
    ctx: &Ctx<'_>,
    row: &CaseRow,
    content: &ItemContent,
    kind: &EventKind,
    to_user: Option<Option<&zwfw_store::admin::User>>,
    expected_seq: Option<i64>,
    entry: Option<&super::backfill::Entry>,
) -> AppResult<(Prepared, CaseView)> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    if expected_seq.is_some_and(|exp| exp != row.p.seq) {
        let events = sc::events(&st.store, row.id).await?;
        return Err(already_handled(events.last()));
    }
    let view = current_view(st.store.pool(), row, content).await?;
    let role = access::may_act(actor, &facts(row), content, &view, kind).map_err(refused)?;
    match to_user {
        // A colleague of the department handling the case as decided on,
        // who may act at its step.
        Some(Some(to)) => {
            // As the colleague may act today (上岗资格).
            let to = crate::governance::qualifications::acting_user(st, to.clone()).await?;
            access::may_receive_transfer(actor, &transfer_target(&to), &facts(row), content, &view).map_err(refused)?
        }
        Some(None) => return Err(refused(zwfw_domain::access::Refusal::BadTransferTarget)),
        None => {}
    }
    let mut kind = kind.clone();
    if let EventKind::JointTimedOut { departments } = &mut kind {
        // Only the co-departments whose sub-deadline has passed.
        let today = st.today();
        let open = sc::joint(&st.store, row.id).await?;
        *departments = open
            .iter()
            .filter(|(_, _, due, answered)| !answered && due.as_str() < day_text(today).as_str())
            .map(|(d, _, _, _)| *d)
            .collect();
        if departments.is_empty() {
            return Err(AppError::with_detail(Kind::Conflict, "joint_not_due", "joint"));
        }
    }
    // A 补录 at its real time: within a fault covering the department, not
    // before the case's last event.
    let (at_ms, backfill) = match entry {
        None => (ctx.now(), None),
        Some(b) => {
            let last = sc::events(&st.store, row.id).await?.last().map(|e| e.at);
            b.check(ctx, actor, last)?;
            (b.at_ms, Some(b.mark(actor, ctx.now())))
        }
    };
    let e = Event { at_ms, actor_id: Some(actor.user_id), role, department_id: actor.department_id, kind, backfill };
    let w = prepare(ctx, row, content, &view, e).await?;
    Ok((w, view))
}

pub(super) fn already_handled(last: Option<&sc::EventRow>) -> AppError {
    match last {
        Some(e) => AppError::with_detail(
            Kind::Conflict,
            "already_handled",
            format!(
                "{}已于{}{}，请刷新后查看",
                e.actor_name,
                zwfw_domain::time::format_local(e.at),
                crate::messages::case_event_label(&e.kind)
            ),
        ),
        None => already_handled_plain(),
    }
}

/// The view stored with the case's last event, if it reads back (rows written
/// before snapshots have none: their events are replayed).
pub(super) fn snapshot(row: &CaseRow) -> Option<CaseView> {
    if row.p.view.is_empty() {
        return None;
    }
    serde_json::from_str::<CaseView>(&row.p.view).ok()
}

/// Whether the view stored on the case equals its events replayed (a
/// consistency check of the snapshot the actions decide on).
#[cfg(feature = "testing")]
pub async fn snapshot_matches_events(st: &App, case_id: i64) -> AppResult<bool> {
    let row = sc::get_case(&st.store, case_id).await?;
    let content = item_version(st, row.version_id).await?;
    let replayed = dc::replay(&content, &to_events(&sc::events(&st.store, case_id).await?)?)?;
    Ok(snapshot(&row).as_ref() == Some(&replayed))
}

/// The case's view: its snapshot, or its events replayed (read from the
/// store or inside a transaction).
pub(super) async fn current_view(
    ex: zwfw_store::db::Ex<'_>,
    row: &CaseRow,
    content: &ItemContent,
) -> AppResult<CaseView> {
    match snapshot(row) {
        Some(v) => Ok(v),
        None => {
            // The events as far as the row read: one written since belongs to
            // a newer state, which the write will refuse (`already_handled`).
            let mut events = sc::events_via(ex, row.id).await?;
            events.retain(|e| e.seq <= row.p.seq);
            Ok(dc::replay(content, &to_events(&events)?)?)
        }
    }
}

/// A case locked in a new transaction, with its item version and events (for background work).
pub(super) async fn locked(st: &App, id: i64) -> AppResult<(zwfw_store::Tx, CaseRow, Arc<ItemContent>, Vec<Event>)> {
    let row = sc::get_case(&st.store, id).await?;
    let content = item_version(st, row.version_id).await?;
    let mut tx = st.store.begin().await?;
    sc::lock_case(&mut tx, id).await?;
    let row = sc::get_case_in(&mut tx, id).await?;
    let events = to_events(&sc::events_in(&mut tx, id).await?)?;
    Ok((tx, row, content, events))
}

/// Records deemed acceptance (第三十二条) for every application whose five
/// working days passed without a decision or a supplement notice.
pub async fn record_deemed_acceptances(st: &App) -> AppResult<usize> {
    let today = day_text(st.today());
    let ids = sc::acceptance_overdue(&st.store, &today, 500).await?;
    let ctx = Ctx { state: st, actor: None, client_addr: "job".into() };
    let mut n = 0;
    for id in ids {
        let (mut tx, row, content, events) = locked(st, id).await?;
        let view = dc::replay(&content, &events)?;
        if !dc::is_deemed_accepted(&st.calendar(), &view, st.today()).map_err(CaseError::from)? {
            continue;
        }
        let e = Event {
            at_ms: st.now_ms(),
            actor_id: None,
            role: None,
            department_id: None,
            kind: EventKind::DeemedAccepted,
            backfill: None,
        };
        match append(&ctx, &mut tx, &row, &content, &view, e, None).await {
            Ok(_) => {
                tx.commit().await?;
                n += 1;
            }
            Err(e) => tracing::warn!(case = id, error = %e, "deemed acceptance not recorded"),
        }
    }
    Ok(n)
}

/// Recomputes the deadlines of every open case with the current calendar
/// (after a year's notice is entered, provisional dates become exact).
/// Returns how many projections changed.
pub async fn recompute_open(st: &App) -> AppResult<usize> {
    let mut changed = 0;
    let mut after = 0;
    loop {
        let ids = sc::open_case_ids(&st.store, after, 500).await?;
        let Some(&last) = ids.last() else { break };
        after = last;
        for id in ids {
            let (mut tx, row, content, events) = locked(st, id).await?;
            let (Some(e), Ok(view)) = (events.last(), dc::replay(&content, &events)) else { continue };
            let mut p = match project(st, &content, &row, &view, e, row.p.seq) {
                Ok(p) => p,
                Err(err) => {
                    tracing::warn!(case = id, error = %err.message(), "deadlines not recomputed");
                    continue;
                }
            };
            if let Some(submitted) = view.submitted_at_ms {
                p.acceptance_due =
                    Some(day_text(dc::acceptance_due(&st.calendar(), submitted).map_err(CaseError::from)?));
            }
            let joint = recount::joint_moves(&st.calendar(), &content, &view, &sc::joint(&st.store, id).await?);
            let moved = p != row.p && sc::update_projection(&mut tx, id, &row.p, &p, row.updated_at).await?;
            if moved || !joint.is_empty() {
                recount::move_joint(&mut tx, id, &joint).await?;
                tx.commit().await?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}
