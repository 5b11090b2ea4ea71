//! Reading a case: its detail with the clock, the possible actions, tracking by number and query password, uploads and paper originals.

use super::*;

// ---------- reading ----------

/// A case as its reader may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseDetail {
    pub case: CaseRow,
    /// Masked for every reader but the applicant.
    pub applicant_id_no: String,
    pub applicant_mobile: String,
    pub applicant_address: String,
    pub clock: Option<zwfw_domain::clock::ClockStatus>,
    pub urgency: Option<dc::Urgency>,
    pub events: Vec<sc::EventRow>,
    pub materials: Vec<sc::MaterialRow>,
    /// Beside a material that is a licence, its verification today; beside
    /// a 告知承诺, who signed it, when, and whether it was found unfulfilled.
    pub material_checks: Vec<MaterialCheck>,
    /// Whether the reader may mark a commitment unfulfilled.
    pub may_mark_commitment: bool,
    pub documents: Vec<sc::DocumentRow>,
    pub originals: Vec<sc::OriginalRow>,
    /// (department, step, due, answered) of an open joint review.
    pub joint: Vec<(i64, i64, String, bool)>,
    /// What is missing, while a supplement notice is open.
    pub missing: Vec<String>,
    pub extension_pending: Option<u32>,
    /// A pending written request of the applicant to withdraw (recorded by the counter, for the department head).
    pub withdrawal_requested: Option<String>,
    /// The current step's definition, while in progress.
    pub step: Option<zwfw_domain::catalog::Step>,
    pub step_count: usize,
    /// A deadline lies in a year whose working-day calendar is not out yet
    /// (computed Monday to Friday; recomputed when the notice is entered).
    pub provisional: bool,
    /// What the reader may do now, each checked as the action itself would be
    /// (`ActionInput.action` codes).
    pub actions: Vec<String>,
    /// The conclusions open to the reader now (`ActionInput.outcome` codes).
    pub outcomes: Vec<String>,
    /// 限制准入 a regulator recorded on the applicant for this item, in force
    /// on the day the case was submitted: for the staff of the case's
    /// department and the overseers (empty for everyone else).
    pub restrictions: Vec<crate::handover::RestrictionView>,
}

/// The actions `actor` may take on the case in its state `v`: each candidate
/// goes through the same authorization and domain checks as the real action,
/// with placeholder texts.
pub fn possible_actions(
    actor: &Actor,
    row: &CaseRow,
    item: &ItemContent,
    v: &CaseView,
    joint_overdue: &[i64],
    now_ms: i64,
) -> (Vec<String>, Vec<String>) {
    use EventKind::*;
    let x = || "-".to_string();
    let mut candidates: Vec<(&str, EventKind)> = vec![
        ("submit", Submitted),
        ("supplement_request", SupplementRequested { missing: vec![x()] }),
        ("supplement_provide", SupplementProvided),
        ("accept", Accepted),
        ("refuse", Refused { reason: x() }),
        ("pass", StepPassed { opinion: x() }),
        ("return", ReturnedToStep { step: 0, reason: x() }),
        ("transfer", Transferred { to_user: 0, reason: x() }),
        ("urge", Urged { message: x() }),
        ("extension_request", ExtensionRequested { days: 1, reason: x() }),
        ("extension_decide", ExtensionDecided { approved: true, opinion: x() }),
        ("special_start", SpecialStarted { kind: x(), reason: x() }),
        ("special_end", SpecialEnded { result: x() }),
        ("deliver", Delivered { method: x(), tracking_no: String::new() }),
        ("withdraw", Withdrawn { reason: x() }),
        ("withdrawal_request", WithdrawalRequested { reason: x() }),
        ("withdrawal_decline", WithdrawalDeclined { opinion: x() }),
    ];
    if let Some(d) = actor.department_id.filter(|_| actor.is_staff()) {
        candidates.push(("joint_answer", JointAnswered { department_id: d, agree: true, opinion: x() }));
    }
    if !joint_overdue.is_empty() {
        candidates.push(("joint_close", JointTimedOut { departments: joint_overdue.to_vec() }));
    }
    for o in Outcome::ALL.iter().copied() {
        // Each with the texts its kind carries (a grant its licence number, the others their reason).
        let (reason, document_no) = if o == Outcome::Granted { (String::new(), x()) } else { (x(), String::new()) };
        candidates.push((o.code(), Concluded { outcome: o, reason, document_no, valid_until: None, fee_fen: None }));
    }
    let mut actions = vec![];
    let mut outcomes = vec![];
    for (code, kind) in candidates {
        let Ok(role) = access::may_act(actor, &facts(row), item, v, &kind) else { continue };
        let e = Event {
            at_ms: now_ms,
            actor_id: Some(actor.user_id),
            role,
            department_id: actor.department_id,
            kind,
            backfill: None,
        };
        if dc::apply(item, v, &e).is_err() {
            continue;
        }
        if matches!(e.kind, Concluded { .. }) {
            outcomes.push(code.to_string());
        } else {
            actions.push(code.to_string());
        }
    }
    if !outcomes.is_empty() {
        actions.push("conclude".into());
    }
    (actions, outcomes)
}

/// Gives the case a new query password (the first one was lost): for its
/// applicant, or the counter of its department for a walk-in applicant.
pub async fn reset_query_password(ctx: &Ctx<'_>, case_id: i64) -> AppResult<String> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let row = sc::get_case(&st.store, case_id).await?;
    if access::may_reset_query_password(actor, &facts(&row)).is_err() {
        return Err(AppError::not_found("case"));
    }
    if row.case_no.is_none() {
        return Err(CaseError::WrongState { state: CaseState::Draft }.into());
    }
    let password = query_password();
    let salt = crate::accounts::sessions::random_token(8);
    let mut tx = st.store.begin().await?;
    sc::set_query_hash(&mut tx, case_id, &hash_query(&salt, &password)).await?;
    ctx.audit(&mut tx, ctx.entry("case_query_password", "case", case_id, json!({}), "")).await?;
    tx.commit().await?;
    Ok(password)
}

pub async fn detail(st: &App, actor: Option<&Actor>, case_id: i64, by_query: bool) -> AppResult<CaseDetail> {
    let row = sc::get_case(&st.store, case_id).await?;
    let content = item_version(st, row.version_id).await?;
    let case_facts = facts(&row);
    let own = match actor {
        Some(a) => {
            if !readable(a, &row, &content) {
                return Err(AppError::not_found("case"));
            }
            access::is_applicant(a, &case_facts)
        }
        None if by_query => false,
        None => return Err(AppError::not_found("case")),
    };
    let events = sc::events(&st.store, case_id).await?;
    let view = dc::replay(&content, &to_events(&events)?)?;
    let clock = match &view.clock {
        Some(c) => Some(c.status_at(&st.calendar(), st.now_ms()).map_err(CaseError::from)?),
        None => None,
    };
    let provisional = clock.as_ref().is_some_and(|c| {
        let cal = st.calendar();
        cal.is_provisional(c.legal.deadline) || cal.is_provisional(c.promised.deadline)
    });
    let urgency = clock.as_ref().filter(|_| !view.state.is_ended()).map(|c| dc::urgency(&c.promised));
    let (id_no, mobile, address) = if actor.is_some_and(|a| access::sees_applicant_identity(a, &case_facts)) {
        (row.applicant_id_no.clone(), row.applicant_mobile.clone(), row.applicant_address.clone())
    } else {
        (
            zwfw_domain::ids::mask_middle(&row.applicant_id_no, 4, 4),
            zwfw_domain::ids::Mobile::mask_stored(Some(&row.applicant_mobile)).unwrap_or_default(),
            String::new(),
        )
    };
    let mut events = events;
    for e in events.iter_mut().filter(|e| e.actor_id.is_none()) {
        e.actor_name = "系统".into();
    }
    if by_query || own {
        // The public timeline names departments and steps, not officers,
        // nor their accounts (a staff member's id is not the applicant's
        // to see, in the row or in the event it records).
        for e in &mut events {
            let role = e.role.as_deref().and_then(|r| Role::parse(r).ok());
            if !access::timeline_names_actor(e.actor_id, role, &case_facts) {
                e.actor_name = "工作人员".into();
                e.actor_id = None;
                if let Some(body) = e.body.as_object_mut() {
                    body.insert("actor_id".into(), serde_json::Value::Null);
                }
            }
        }
    }
    let joint = sc::joint(&st.store, case_id).await?;
    let (actions, outcomes) = match actor {
        Some(a) if !by_query => {
            let today = day_text(st.today());
            let overdue: Vec<i64> = joint
                .iter()
                .filter(|(_, _, due, answered)| !answered && due.as_str() < today.as_str())
                .map(|(d, _, _, _)| *d)
                .collect();
            possible_actions(a, &row, &content, &view, &overdue, st.now_ms())
        }
        _ => (vec![], vec![]),
    };
    if by_query && !own {
        // Whoever follows by number sees the applicant's name masked, in the
        // timeline as at the top.
        for e in events.iter_mut().filter(|e| e.actor_id.is_some() && e.actor_name != "工作人员") {
            e.actor_name = zwfw_domain::ids::mask_name(&e.actor_name);
        }
    }
    let mut case = row.clone();
    if by_query && !own {
        case.applicant_name = zwfw_domain::ids::mask_name(&case.applicant_name);
        case.form = serde_json::Value::Null;
    }
    let materials = if by_query && !own { vec![] } else { sc::materials(&st.store, case_id).await? };
    let material_checks = super::sources::checks(st, &row, &content, &materials).await?;
    let restrictions = match actor {
        Some(a) if !by_query => crate::handover::sanctions::restrictions_for(st, Some(a), &row).await?,
        _ => vec![],
    };
    let may_mark_commitment = !by_query
        && actor.is_some_and(|a| access::may_mark_commitment(a, &case_facts).is_ok())
        && row.p.state != CaseState::Draft.code();
    Ok(CaseDetail {
        material_checks,
        may_mark_commitment,
        applicant_id_no: id_no,
        applicant_mobile: mobile,
        applicant_address: address,
        clock,
        urgency,
        materials,
        documents: crate::governance::corrections::mark_superseded(&events, sc::documents(&st.store, case_id).await?),
        originals: sc::originals(&st.store, case_id).await?,
        joint,
        missing: view.missing.clone(),
        extension_pending: view.extension_pending,
        withdrawal_requested: view.withdrawal_requested.clone(),
        step: (view.state == CaseState::InProgress).then(|| content.steps.get(view.step).cloned()).flatten(),
        step_count: content.steps.len(),
        provisional,
        events,
        case,
        actions,
        outcomes,
        restrictions,
    })
}

pub use crate::state::TRACK_MAX_FAILURES;

/// Finds a case by number and query password (no sign-in needed), slowed
/// down after repeated failures (`App::track_blocked`).
///
/// The number is read trimmed and in capitals (as printed). Failures count
/// per client address and per case number from that address, never per case
/// alone: a stranger's wrong guesses do not lock the case for its owner.
pub async fn track(st: &App, client: &str, case_no: &str, password: &str) -> AppResult<CaseDetail> {
    let case_no = case_no.trim().to_uppercase();
    let case_no = case_no.as_str();
    let keys = [format!("addr:{client}"), format!("case:{case_no}@{client}")];
    // Every look-up counts towards the address's limit ([`crate::lookups`]),
    // the failures besides towards their own.
    crate::lookups::throttle(st, crate::lookups::Lookup::Track, client, true).await?;
    if st.track_blocked(&keys).await? {
        return Err(AppError::with_detail(Kind::TooMany, "track_limited", "case_no"));
    }
    match sc::find_by_no(&st.store, case_no).await? {
        Some((row, hash)) if query_matches(&hash, password) => detail(st, None, row.id, true).await,
        _ => {
            st.track_failed(&keys).await?;
            Err(AppError::with_detail(Kind::NotFound, "track_failed", "case_no"))
        }
    }
}

/// A stored upload of the actor's (checked by content).
pub async fn upload(ctx: &Ctx<'_>, file_name: &str, bytes: &[u8]) -> AppResult<sc::UploadRow> {
    use zwfw_domain::files::FileKind::*;
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let kind = zwfw_domain::files::check_upload(file_name, bytes, st.config.max_upload_bytes, &[Pdf, Jpeg, Png, Ofd])?;
    let sm3 = st.put_file(bytes.to_vec()).await?;
    let name: String = file_name.chars().rev().take(100).collect::<Vec<_>>().into_iter().rev().collect();
    let mut tx = st.store.begin().await?;
    zwfw_store::files::record(&mut tx, &sm3, bytes.len() as i64, kind.extension(), Some(actor.user_id), ctx.now())
        .await?;
    let id =
        sc::add_upload(&mut tx, actor.user_id, &sm3, &name, kind.extension(), bytes.len() as i64, ctx.now()).await?;
    tx.commit().await?;
    Ok(sc::UploadRow {
        id,
        owner_user_id: actor.user_id,
        file_sm3: sm3,
        file_name: name,
        kind: kind.extension().into(),
        size: bytes.len() as i64,
    })
}

/// Whether the actor receives and returns the case's paper originals
/// (asked before the form is read).
pub async fn may_handle_originals(ctx: &Ctx<'_>, case_id: i64) -> AppResult<()> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let row = sc::get_case(&ctx.state.store, case_id).await?;
    access::may_handle_originals(actor, &facts(&row)).map_err(refused).map(|_| ())
}

/// Registers a paper original received at the counter, or its return.
pub async fn original(ctx: &Ctx<'_>, case_id: i64, name: &str, copies: i64, returned: Option<i64>) -> AppResult<()> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    may_handle_originals(ctx, case_id).await?;
    let mut tx = st.store.begin().await?;
    match returned {
        Some(oid) => {
            if !sc::return_original(&mut tx, case_id, oid, actor.user_id, ctx.now()).await? {
                return Err(AppError::with_detail(Kind::Conflict, "already_handled", "原件已退还"));
            }
            ctx.audit(&mut tx, ctx.entry("case_original_return", "case", case_id, json!({"original": oid}), ""))
                .await?;
        }
        None => {
            let name = text(name, 100);
            if name.is_empty() || !(1..=100).contains(&copies) {
                return Err(unprocessable("invalid_original", "name"));
            }
            let id = sc::receive_original(&mut tx, case_id, &name, copies, actor.user_id, "", ctx.now()).await?;
            ctx.audit(
                &mut tx,
                ctx.entry(
                    "case_original_receive",
                    "case",
                    case_id,
                    json!({"original": id, "name": name, "copies": copies}),
                    "",
                ),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The colleagues `actor` may transfer the case to at its current step (those
/// the access rules accept as a target), for the transfer form.
pub async fn transfer_targets(st: &App, actor: &Actor, case_id: i64) -> AppResult<Vec<zwfw_store::admin::User>> {
    let row = sc::get_case(&st.store, case_id).await?;
    let content = item_version(st, row.version_id).await?;
    let view = current_view(st.store.pool(), &row, &content).await?;
    let case = facts(&row);
    let handling = access::handling_department(&case, &content, &view);
    let staff = zwfw_store::admin::list_staff(&st.store, Some(handling)).await?;
    let mut out = Vec::new();
    for u in staff {
        // As each may act today (上岗资格).
        let acting = crate::governance::qualifications::acting_user(st, u.clone()).await?;
        if access::may_receive_transfer(actor, &transfer_target(&acting), &case, &content, &view).is_ok() {
            out.push(u);
        }
    }
    Ok(out)
}
