//! Writing a decided transition: the event, the projection, the documents and the audit records, alone or in a group.

use super::*;

/// The submission of a case by `actor` (the applicant, or a counter officer for them).
pub(super) fn submission(actor: &Actor, at_ms: i64) -> Event {
    Event {
        at_ms,
        actor_id: Some(actor.user_id),
        role: actor.is_staff().then_some(Role::Counter),
        department_id: actor.department_id,
        kind: EventKind::Submitted,
        backfill: None,
    }
}

/// The open joint review of a step: (step, [(co-department, due day, answered)]).
pub(super) type JointState = (i64, Vec<(i64, String, bool)>);

/// Everything one event writes, computed before the write transaction so
/// that the transaction itself only writes.
pub(super) struct Prepared {
    pub(super) p: Projection,
    pub(super) body: serde_json::Value,
    pub(super) kind: String,
    pub(super) event: Event,
    pub(super) actor_name: String,
    pub(super) step_name: String,
    /// The joint-review state of the current step, when it changes.
    pub(super) joint: Option<JointState>,
    /// The official document this event produces, numbered when written.
    pub(super) document: Option<sc::NewDocument>,
    /// An audit record written just before the event's own.
    pub(super) first_audit: Option<zwfw_domain::audit::AuditEntry>,
    pub(super) audit: zwfw_domain::audit::AuditEntry,
}

/// Applies `e` to the case's view `view` (domain rules) and computes what it writes.
pub(super) async fn prepare(
    ctx: &Ctx<'_>,
    row: &CaseRow,
    content: &ItemContent,
    view: &CaseView,
    e: Event,
) -> AppResult<Prepared> {
    let st = ctx.state;
    let next = dc::apply(content, view, &e)?;
    let seq = row.p.seq + 1;
    let p = project(st, content, row, &next, &e, seq)?;
    let body = serde_json::to_value(&e).map_err(|x| AppError::Internal(x.to_string()))?;
    let kind = kind_code(&e.kind);
    let actor_name = ctx.actor.map(|a| a.display_name.clone()).unwrap_or_else(|| "系统".into());
    // Joint review: the co-departments waiting at the current step.
    let mut joint = None;
    let step_changed = next.step != view.step || next.state != view.state;
    if step_changed || matches!(e.kind, EventKind::JointAnswered { .. } | EventKind::JointTimedOut { .. }) {
        let open: Vec<_> = dc::joint_dues(&st.calendar(), content, &next)
            .map_err(CaseError::from)?
            .into_iter()
            .map(|(d, due, done)| (d, day_text(due), done))
            .collect();
        let any_joint = content.steps.iter().any(|s| !s.joint.is_empty());
        if any_joint && (!open.is_empty() || view.state == CaseState::InProgress) {
            joint = Some((next.step as i64, open));
        }
    }
    // The official document this event produces gets its number when
    // written; the PDF is rendered from the event when first downloaded.
    let document = match DocKind::of(&e.kind) {
        Some(dk) => {
            use chrono::Datelike;
            let year = zwfw_domain::clock::local_date(e.at_ms).year();
            let dept = st.department(row.department_id).await?;
            let short = if dept.short_name.trim().is_empty() { dept.name.as_str() } else { dept.short_name.as_str() };
            let (prefix, suffix) = dk.number_parts(short, year);
            Some(sc::NewDocument {
                kind: dk.code().to_string(),
                serial: format!("doc:{}:{}:{year}", dept.id, dk.code()),
                prefix,
                suffix: suffix.into(),
            })
        }
        None => None,
    };
    let audit =
        ctx.entry(&format!("case_{kind}"), "case", row.id, json!({"seq": seq, "event": body}), &reason_of(&e.kind));
    Ok(Prepared {
        p,
        body,
        kind,
        event: e,
        actor_name,
        step_name: row.p.step_name.clone(),
        joint,
        document,
        first_audit: None,
        audit,
    })
}

impl Prepared {
    pub(super) fn audit_records(&self) -> Vec<zwfw_domain::audit::AuditEntry> {
        self.first_audit.iter().chain(std::iter::once(&self.audit)).cloned().collect()
    }

    pub(super) fn transition<'a>(
        &'a self,
        case_id: i64,
        old: &'a Projection,
        idem_key: Option<&'a str>,
        audit: &'a [zwfw_domain::audit::AuditEntry],
    ) -> sc::Transition<'a> {
        sc::Transition {
            event: self.new_event(case_id, idem_key),
            old,
            p: &self.p,
            document: self.document.as_ref(),
            audit,
        }
    }

    pub(super) fn new_event<'a>(&'a self, case_id: i64, idem_key: Option<&'a str>) -> NewEvent<'a> {
        NewEvent {
            case_id,
            seq: self.p.seq,
            kind: &self.kind,
            body: &self.body,
            at: self.event.at_ms,
            actor_id: self.event.actor_id,
            actor_name: &self.actor_name,
            role: self.event.role.map(|r| r.code()),
            department_id: self.event.department_id,
            step_name: &self.step_name,
            idem_key,
        }
    }
}

/// Writes a prepared event that touches nothing else (no joint-review
/// state, no materials) as a transaction of its own; false when someone
/// else moved the case first.
pub(super) async fn write_alone(
    ctx: &Ctx<'_>,
    case_id: i64,
    old: &Projection,
    w: &Prepared,
    idem_key: Option<&str>,
) -> AppResult<bool> {
    let audit = w.audit_records();
    let written = sc::write_transition(&ctx.state.store, &w.transition(case_id, old, idem_key, &audit)).await?;
    if written {
        count_written(ctx, audit.len());
    }
    Ok(written)
}

/// Counts a written event and its audit records, and wakes the derivation
/// of its notices and exchange rows (which finds it once committed).
pub(super) fn count_written(ctx: &Ctx<'_>, audit_records: usize) {
    ctx.state.notices_wake.notify_one();
    crate::metrics::Metrics::inc(&ctx.state.metrics.case_events);
    crate::metrics::Metrics::add(&ctx.state.metrics.audit_records, audit_records as u64);
}

/// Writes a prepared event: event, projection (only if the case is still at
/// the event `old` was read at), joint-review state, document number and audit record.
/// Returns false, having written nothing that counts, when someone else moved
/// the case first (the caller drops the transaction).
pub(super) async fn write_prepared(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    case_id: i64,
    old: &Projection,
    w: Prepared,
    idem_key: Option<&str>,
) -> AppResult<bool> {
    let audit = w.audit_records();
    if !sc::write_transition_in(tx, &w.transition(case_id, old, idem_key, &audit)).await? {
        return Ok(false);
    }
    if let Some((step, open)) = &w.joint {
        sc::set_joint(tx, case_id, *step, open).await?;
    }
    count_written(ctx, audit.len());
    Ok(true)
}

/// Applies `e` to the case and stores event, projection, joint-review state,
/// document number and audit record (inside the caller's transaction, which
/// has read the case in it).
pub(super) async fn append(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    row: &CaseRow,
    content: &ItemContent,
    view: &CaseView,
    e: Event,
    idem_key: Option<&str>,
) -> AppResult<Projection> {
    let w = prepare(ctx, row, content, view, e).await?;
    let p = w.p.clone();
    if !write_prepared(ctx, tx, row.id, &row.p, w, idem_key).await? {
        return Err(already_handled_plain());
    }
    Ok(p)
}

pub(super) fn reason_of(k: &EventKind) -> String {
    use EventKind::*;
    match k {
        Refused { reason } | ReturnedToStep { reason, .. } | Transferred { reason, .. } | Withdrawn { reason } => {
            reason.clone()
        }
        StepPassed { opinion } | ExtensionDecided { opinion, .. } | JointAnswered { opinion, .. } => opinion.clone(),
        Urged { message } => message.clone(),
        ExtensionRequested { reason, .. } | SpecialStarted { reason, .. } | WithdrawalRequested { reason } => {
            reason.clone()
        }
        WithdrawalDeclined { opinion } => opinion.clone(),
        SpecialEnded { result } => result.clone(),
        Concluded { reason, .. } => reason.clone(),
        SupplementRequested { missing } => missing.join("；"),
        _ => String::new(),
    }
}

pub(super) fn already_handled_plain() -> AppError {
    AppError::with_detail(Kind::Conflict, "already_handled", "该办件刚被其他人处理，请刷新后查看")
}
