//! 误操作更正 on the case: the events a correction may name, and the
//! corrective event the service centre appends under an approved request.
//! A case without corrections is read and written as before: nothing here
//! runs on the actions' path.

use super::*;
use zwfw_domain::governance::correction::{
    self as dcor, ApplicantChange, ApplicantRecord, CorrectionError, CorrectionKind, Derived,
};
use zwfw_store::governance::correction as scor;

/// An event of a case as a correction names it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CorrectableEvent)]
pub struct NamedEvent {
    pub seq: i64,
    /// The event's kind (step_passed, accepted, …).
    pub kind: String,
    /// What a correction of it corrects (step_passed, applicant_data).
    pub correction_kind: String,
    pub label: String,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub step_name: String,
}

/// What a correction reads of a case: its department and state, its events
/// with their numbers, the records its conclusion derived.
pub struct Target {
    pub row: CaseRow,
    pub rows: Vec<sc::EventRow>,
    pub events: Vec<Event>,
    pub derived: Derived,
}

impl Target {
    pub fn state(&self) -> CaseState {
        CaseState::parse(&self.row.p.state).unwrap_or(CaseState::Draft)
    }

    pub fn numbered(&self) -> Vec<(i64, &Event)> {
        self.rows.iter().map(|r| r.seq).zip(self.events.iter()).collect()
    }

    /// Event `seq` as named, if it was recorded on the case.
    pub fn named(&self, seq: i64) -> Option<NamedEvent> {
        self.rows.iter().find(|r| r.seq == seq).map(|r| NamedEvent {
            seq: r.seq,
            kind: r.kind.clone(),
            correction_kind: kind_for(&r.kind).map(|k| k.code().to_string()).unwrap_or_default(),
            label: crate::messages::case_event_label(&r.kind),
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name.clone(),
            step_name: r.step_name.clone(),
        })
    }

    /// Whether event `seq` may be corrected as `kind` now.
    pub fn check(&self, seq: i64, kind: CorrectionKind) -> Result<dcor::Reopened, CorrectionError> {
        dcor::check(&self.numbered(), self.state(), seq, kind, self.derived)
    }

    /// The applicant's data the case records.
    pub fn applicant(&self) -> ApplicantRecord {
        applicant_of(&self.row)
    }
}

/// The applicant's data case `row` records.
pub fn applicant_of(row: &CaseRow) -> ApplicantRecord {
    ApplicantRecord {
        kind: row.applicant_kind.clone(),
        name: row.applicant_name.clone(),
        id_no: row.applicant_id_no.clone(),
        mobile: row.applicant_mobile.clone(),
        address: row.applicant_address.clone(),
        email: row.applicant_email.clone(),
    }
}

/// Corrected applicant data for case `row` (a field left empty keeps the
/// value recorded), checked as at application
/// (`invalid_applicant`, the identity number's and the mobile's own codes,
/// `invalid_email`); for an application made online the identity (kind,
/// name, number) is the account's and is not corrected here
/// (`correction_identity_of_account`); values that change nothing are
/// refused (`correction_no_change`).
pub fn checked_applicant(row: &CaseRow, given: Option<&ApplicantRecord>) -> AppResult<ApplicantRecord> {
    let given = given.ok_or_else(|| AppError::with_detail(Kind::Invalid, "correction_values_required", "applicant"))?;
    // A field left empty keeps the value recorded.
    let or = |v: &str, recorded: &str| if v.trim().is_empty() { recorded.to_string() } else { v.to_string() };
    let merged = ApplicantInput {
        kind: or(&given.kind, &row.applicant_kind),
        name: or(&given.name, &row.applicant_name),
        id_no: or(&given.id_no, &row.applicant_id_no),
        mobile: or(&given.mobile, &row.applicant_mobile),
        address: or(&given.address, &row.applicant_address),
        email: or(&given.email, &row.applicant_email),
    };
    let a = super::application::check_applicant(&merged)?;
    let after = ApplicantRecord {
        kind: a.kind,
        name: a.name,
        id_no: a.id_no,
        mobile: a.mobile,
        address: a.address,
        email: a.email,
    };
    let before = applicant_of(row);
    if row.channel == "online" && before.identity_changed(&after) {
        return Err(AppError::with_detail(Kind::Invalid, "correction_identity_of_account", "applicant"));
    }
    if before.changed(&after).is_empty() {
        return Err(AppError::with_detail(Kind::Invalid, "correction_no_change", "applicant"));
    }
    Ok(after)
}

/// The records derived from case `case_id` that name its applicant: those
/// stored, and the 双公示 record its conclusion makes (derived after the
/// conclusion's commit, so counted from the conclusion itself).
async fn derived(
    ex: zwfw_store::db::Ex<'_>,
    case_id: i64,
    content: &ItemContent,
    events: &[Event],
) -> AppResult<Derived> {
    let (license, stored, license_changed) = scor::derived(ex, case_id).await?;
    let publishes = events.iter().any(|e| {
        matches!(e.kind, EventKind::Concluded { outcome, .. } if zwfw_domain::credit::published(content.item_type, outcome))
    });
    Ok(Derived { license, published: stored || publishes, license_changed })
}

/// The case `id` with its events; "not found" when there is none.
pub async fn target(st: &App, id: i64) -> AppResult<Target> {
    let row = match sc::get_case(&st.store, id).await {
        Ok(r) => r,
        Err(zwfw_store::StoreError::NotFound(_)) => return Err(AppError::not_found("case")),
        Err(e) => return Err(e.into()),
    };
    let rows = sc::events(&st.store, id).await?;
    let events = to_events(&rows)?;
    let content = item_version(st, row.version_id).await?;
    let derived = derived(st.store.pool(), id, &content, &events).await?;
    Ok(Target { row, rows, events, derived })
}

/// The correction kind an event's kind is corrected as, if any.
pub fn kind_for(event_kind: &str) -> Option<CorrectionKind> {
    match event_kind {
        "step_passed" => Some(CorrectionKind::StepPassed),
        "accepted" | "deemed_accepted" => Some(CorrectionKind::ApplicantData),
        "concluded" => Some(CorrectionKind::Conclusion),
        _ => None,
    }
}

/// Appends the corrective event of event `seq` under request `request`,
/// in a new transaction that locks the case, checked again on the case as
/// it is now. Returns the transaction, uncommitted (the caller records the
/// request's step in it), and the corrective event's number.
///
/// Wrong applicant data (`values`: the corrected data): the event keeps
/// the values recorded before and the corrected ones, the case's record
/// takes the corrected ones (the account linked again by the number for an
/// application registered at the counter), and the exchange sends the
/// case's acceptance row again as a new version. The applicant is told by
/// the corrective event's notice, at the corrected contact.
#[allow(clippy::too_many_arguments)]
pub async fn append_correction(
    ctx: &Ctx<'_>,
    role: Role,
    case_id: i64,
    seq: i64,
    what: CorrectionKind,
    request: i64,
    reason: &str,
    values: Option<ApplicantRecord>,
) -> AppResult<(zwfw_store::Tx, Result<i64, CorrectionError>)> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let mut account = None;
    if what == CorrectionKind::Conclusion {
        // The records the conclusion derived (审管 push, 双公示) written
        // first, so that they are undone with it here.
        super::notices::derive(st).await?;
    }
    if let Some(a) = &values {
        // The acceptance row derived first, so that its new version follows it.
        zwfw_store::exchange::derive(&st.store).await?;
        account = sc::find_applicant_account(&st.store, &a.id_no).await?;
    }
    let (mut tx, row, content, _) = locked(st, case_id).await?;
    let rows = sc::events_in(&mut tx, case_id).await?;
    let events = to_events(&rows)?;
    let derived = derived(tx.conn(), case_id, &content, &events).await?;
    let t = Target { row, rows, events, derived };
    let reopened = match t.check(seq, what) {
        Ok(r) => r,
        Err(e) => return Ok((tx, Err(e))),
    };
    let change = match (what, values) {
        (CorrectionKind::ApplicantData, Some(after)) => {
            let before = t.applicant();
            if before.changed(&after).is_empty() {
                return Err(AppError::with_detail(Kind::Conflict, "correction_no_change", "applicant"));
            }
            Some(Box::new(ApplicantChange { before, after }))
        }
        (CorrectionKind::ApplicantData, None) => {
            return Err(AppError::Internal(format!("correction request {request} carries no values")))
        }
        _ => None,
    };
    let view = dc::replay(&content, &t.events)?;
    let e = Event {
        at_ms: ctx.now(),
        actor_id: Some(actor.user_id),
        role: Some(role),
        department_id: actor.department_id,
        kind: EventKind::Corrected {
            event: seq,
            what,
            request,
            reason: reason.to_string(),
            joint_answers: reopened.joint_answers,
            joint_missing: reopened.joint_missing,
            applicant: change.clone(),
        },
        backfill: None,
    };
    let p = append(ctx, &mut tx, &t.row, &content, &view, e, None).await?;
    if let Some(c) = change {
        let a = &c.after;
        // The account of the applicant: at the counter, found by the number as at registration.
        let user_id =
            if t.row.channel == "counter" && a.id_no != c.before.id_no { account } else { t.row.applicant_user_id };
        let set = scor::Applicant {
            kind: &a.kind,
            name: &a.name,
            id_no: &a.id_no,
            mobile: &a.mobile,
            address: &a.address,
            email: &a.email,
            user_id,
        };
        scor::set_applicant(&mut tx, case_id, &set).await?;
        zwfw_store::exchange::enqueue_accept_version(&mut tx, case_id, ctx.now()).await?;
    }
    if what == CorrectionKind::Conclusion {
        let outcome = match t.numbered().iter().find(|(s, _)| *s == seq).map(|(_, e)| &e.kind) {
            Some(EventKind::Concluded { outcome, .. }) => *outcome,
            _ => return Err(AppError::Internal(format!("case {case_id}: event {seq} is no conclusion"))),
        };
        undo_conclusion(ctx, &mut tx, &t.row, outcome, request, reason).await?;
    }
    Ok((tx, Ok(p.seq)))
}

/// What followed a conclusion corrected as a misoperation, undone in the
/// correction's transaction, each by its own owner's rule: the licence's
/// issue under way withdrawn, a licence issued voided (作废: signed, its
/// holder and the regulators told), the 双公示 record 无效, and the
/// regulators the conclusion was pushed to told that it no longer stands.
/// The documents rendered stay (the case page marks them 已更正); the new
/// decision derives its own records.
async fn undo_conclusion(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    row: &CaseRow,
    outcome: Outcome,
    request: i64,
    reason: &str,
) -> AppResult<()> {
    let note = format!("办结结论更正（更正申请第{request}号）：{}", reason.trim());
    let job_withdrawn = zwfw_store::licenses::withdraw_job(tx, row.id, ctx.now()).await?;
    let voided = crate::licenses::status::void_issued_on_case(ctx, tx, row.id, &note).await?;
    let credit_invalidated = crate::credit::on_conclusion_corrected(ctx, tx, row.id, &note).await?;
    let regulators = crate::handover::push_conclusion_corrected(ctx, tx, row, outcome, &note).await?;
    let detail = json!({"outcome": outcome.code(), "request": request, "license_job_withdrawn": job_withdrawn,
        "licenses_voided": voided, "credit_invalidated": credit_invalidated, "regulators_told": regulators});
    ctx.audit(tx, ctx.entry("conclusion_undone", "case", row.id, detail, reason)).await?;
    Ok(())
}
