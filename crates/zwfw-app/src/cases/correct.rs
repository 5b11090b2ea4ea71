//! 误操作更正 on the case: the events a correction may name, and the
//! corrective event the service centre appends under an approved request.
//! A case without corrections is read and written as before: nothing here
//! runs on the actions' path.

use super::*;
use zwfw_domain::governance::correction::{self as dcor, CorrectionError, CorrectionKind};

/// An event of a case as a correction names it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CorrectableEvent)]
pub struct NamedEvent {
    pub seq: i64,
    /// The event's kind (step_passed, …).
    pub kind: String,
    pub label: String,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub step_name: String,
}

/// What a correction reads of a case: its department and state, its events
/// with their numbers.
pub struct Target {
    pub row: CaseRow,
    pub rows: Vec<sc::EventRow>,
    pub events: Vec<Event>,
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
            label: crate::messages::case_event_label(&r.kind),
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name.clone(),
            step_name: r.step_name.clone(),
        })
    }

    /// Whether event `seq` may be corrected as `kind` now.
    pub fn check(&self, seq: i64, kind: CorrectionKind) -> Result<dcor::Reopened, CorrectionError> {
        dcor::check(&self.numbered(), self.state(), seq, kind)
    }
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
    Ok(Target { row, rows, events })
}

/// The correction kind an event's kind is corrected as, if any.
pub fn kind_for(event_kind: &str) -> Option<CorrectionKind> {
    CorrectionKind::ALL.iter().copied().find(|k| k.code() == event_kind)
}

/// Appends the corrective event of event `seq` under request `request`,
/// in a new transaction that locks the case, checked again on the case as
/// it is now. Returns the transaction, uncommitted (the caller records the
/// request's step in it), and the corrective event's number.
pub async fn append_correction(
    ctx: &Ctx<'_>,
    role: Role,
    case_id: i64,
    seq: i64,
    what: CorrectionKind,
    request: i64,
    reason: &str,
) -> AppResult<(zwfw_store::Tx, Result<i64, CorrectionError>)> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let (mut tx, row, content, _) = locked(st, case_id).await?;
    let rows = sc::events_in(&mut tx, case_id).await?;
    let events = to_events(&rows)?;
    let t = Target { row, rows, events };
    let reopened = match t.check(seq, what) {
        Ok(r) => r,
        Err(e) => return Ok((tx, Err(e))),
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
        },
        backfill: None,
    };
    let p = append(ctx, &mut tx, &t.row, &content, &view, e, None).await?;
    Ok((tx, Ok(p.seq)))
}
