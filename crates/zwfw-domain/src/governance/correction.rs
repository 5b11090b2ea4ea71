//! Misoperation correction (误操作更正, 六盘水 000 第八—十条 "误操作记录"): an
//! action recorded wrongly on a case is corrected by a written request of the
//! officer who recorded it (or the head of the case's department), the
//! consent of the head of the case's department, and the service centre,
//! which carries it out as a corrective event appended to the case. The
//! original event stays in the timeline, marked as corrected; the replay of
//! the events makes the case as the correction says; supervision is told.
//!
//! This module holds the kinds of correction, which event each may name and
//! what the corrective event restores. The request's states and their moves
//! are those of a deletion request ([`super::deletion::DeletionState`]:
//! requested → consented → performed, refused with a reason at either stage,
//! withdrawn before consent). Who takes each step is in
//! [`crate::access::correction`].

use crate::cases::{CaseState, Event, EventKind};
use crate::codes::code_list;

code_list!(
    /// What a correction corrects.
    CorrectionKind {
        /// 环节误通过: a step passed wrongly; the case goes back to that step.
        StepPassed = "step_passed",
    }
);

/// The longest text of a request, a consent or a refusal, in characters.
pub const MAX_TEXT: usize = 2000;

/// Why a correction of an event is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CorrectionError {
    /// No event of that number was recorded on the case.
    #[error("no such event on the case")]
    NoSuchEvent,
    /// The event is of another kind than the correction says.
    #[error("the event is of another kind")]
    WrongKind,
    /// The event is corrected already.
    #[error("the event is corrected already")]
    AlreadyCorrected,
    /// The event no longer decides where the case stands: a later step
    /// moved the case on or back, or the case is ended.
    #[error("the event may no longer be corrected")]
    NotCorrectable,
    /// An open request names the event already.
    #[error("a correction of the event is already asked for")]
    AlreadyRequested,
}

/// What a step's correction gives back to the case: the joint-review
/// answers recorded at the step before the wrong pass (the pass cleared them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reopened {
    pub joint_answers: Vec<(i64, bool)>,
    pub joint_missing: Vec<i64>,
}

/// Whether an event moves a case to a step (acceptance, pass, return, a
/// step's correction): what came before it belongs to another step.
fn enters_step(k: &EventKind) -> bool {
    matches!(
        k,
        EventKind::Accepted
            | EventKind::DeemedAccepted
            | EventKind::StepPassed { .. }
            | EventKind::ReturnedToStep { .. }
            | EventKind::Corrected { .. }
    )
}

/// The sequence numbers of the events corrected on a case, with the request
/// each was corrected under (read by the timeline).
pub fn corrected(events: &[(i64, &Event)]) -> Vec<(i64, i64)> {
    events
        .iter()
        .filter_map(|(_, e)| match &e.kind {
            EventKind::Corrected { event, request, .. } => Some((*event, *request)),
            _ => None,
        })
        .collect()
}

/// Whether event `seq` of a case in `state` (its events with their numbers,
/// in order) may be corrected as `kind`, and what the correction restores.
///
/// A wrong step pass is corrected only while it still decides where the
/// case stands: the latest step pass, with no return or correction after it,
/// on a case in progress or waiting for its decision.
pub fn check(
    events: &[(i64, &Event)],
    state: CaseState,
    seq: i64,
    kind: CorrectionKind,
) -> Result<Reopened, CorrectionError> {
    let at = events.iter().position(|(s, _)| *s == seq).ok_or(CorrectionError::NoSuchEvent)?;
    let named = &events[at].1.kind;
    match kind {
        CorrectionKind::StepPassed => {
            if !matches!(named, EventKind::StepPassed { .. }) {
                return Err(CorrectionError::WrongKind);
            }
        }
    }
    if corrected(events).iter().any(|(s, _)| *s == seq) {
        return Err(CorrectionError::AlreadyCorrected);
    }
    if !matches!(state, CaseState::InProgress | CaseState::Deciding) {
        return Err(CorrectionError::NotCorrectable);
    }
    if events[at + 1..].iter().any(|(_, e)| enters_step(&e.kind)) {
        return Err(CorrectionError::NotCorrectable);
    }
    // The joint answers given at the step before its wrong pass.
    let mut r = Reopened::default();
    for (_, e) in events[..at].iter().rev() {
        match &e.kind {
            k if enters_step(k) => break,
            EventKind::JointAnswered { department_id, agree, .. } => {
                r.joint_answers.insert(0, (*department_id, *agree))
            }
            EventKind::JointTimedOut { departments } => {
                r.joint_missing.splice(0..0, departments.iter().copied());
            }
            _ => {}
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: EventKind) -> Event {
        Event { at_ms: 0, actor_id: Some(1), role: None, department_id: Some(2), kind, backfill: None }
    }

    fn pass() -> EventKind {
        EventKind::StepPassed { opinion: "同意".into() }
    }

    #[test]
    fn only_the_latest_pass_still_in_force_is_corrected() {
        let joint = EventKind::JointAnswered { department_id: 7, agree: true, opinion: "同意".into() };
        let list = [
            ev(EventKind::Submitted),
            ev(EventKind::Accepted),
            ev(pass()),
            ev(joint),
            ev(EventKind::JointTimedOut { departments: vec![8] }),
            ev(pass()),
            ev(EventKind::Urged { message: "请加快".into() }),
        ];
        let events: Vec<(i64, &Event)> = list.iter().enumerate().map(|(i, e)| (i as i64 + 1, e)).collect();
        let s = CaseState::InProgress;
        let k = CorrectionKind::StepPassed;
        assert_eq!(
            check(&events, s, 6, k),
            Ok(Reopened { joint_answers: vec![(7, true)], joint_missing: vec![8] }),
            "the answers of the step before its pass come back"
        );
        assert_eq!(check(&events, s, 3, k), Err(CorrectionError::NotCorrectable), "a later pass moved the case on");
        assert_eq!(check(&events, s, 99, k), Err(CorrectionError::NoSuchEvent));
        assert_eq!(check(&events, s, 7, k), Err(CorrectionError::WrongKind));
        assert_eq!(check(&events, CaseState::Concluded, 6, k), Err(CorrectionError::NotCorrectable));
        let mut more = list.to_vec();
        more.push(ev(EventKind::ReturnedToStep { step: 0, reason: "补充".into() }));
        let events: Vec<(i64, &Event)> = more.iter().enumerate().map(|(i, e)| (i as i64 + 1, e)).collect();
        assert_eq!(check(&events, s, 6, k), Err(CorrectionError::NotCorrectable), "returned since");
        let fix = EventKind::Corrected {
            event: 6,
            what: CorrectionKind::StepPassed,
            request: 1,
            reason: "误点通过".into(),
            joint_answers: vec![],
            joint_missing: vec![],
        };
        let mut done = list.to_vec();
        done.push(ev(fix));
        let events: Vec<(i64, &Event)> = done.iter().enumerate().map(|(i, e)| (i as i64 + 1, e)).collect();
        assert_eq!(check(&events, s, 6, k), Err(CorrectionError::AlreadyCorrected));
        assert_eq!(check(&events, s, 3, k), Err(CorrectionError::NotCorrectable));
        assert_eq!(corrected(&events), [(6, 1)]);
    }
}
