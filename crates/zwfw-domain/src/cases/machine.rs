//! The state machine: a case's states, and [`apply`], which checks each event
//! against the view and the item and makes the next view.

use super::{waiting_joint, CaseError, CaseView, Event, EventKind, Outcome};
use crate::admin::Role;
use crate::catalog::{ItemContent, Step};
use crate::clock::{local_date, CaseClock, Extension};
use crate::codes::code_list;

code_list!(
    /// Where a case stands, as its events make it.
    CaseState {
        /// Saved by the applicant, not submitted.
        Draft = "draft",
        /// 待受理 (pre-review)
        Submitted = "submitted",
        /// 补正中: waiting for the applicant
        Supplementing = "supplementing",
        /// 不予受理
        Refused = "refused",
        /// 办理中 at `step`
        InProgress = "in_progress",
        /// All steps passed: waiting for the decision
        Deciding = "deciding",
        /// 办结 with an outcome
        Concluded = "concluded",
        /// Concluded, and the result delivered (送达)
        Delivered = "delivered",
        /// 撤回
        Withdrawn = "withdrawn",
    }
);

impl CaseState {
    /// Open: submitted and not yet ended, in the department's hands or
    /// waiting for the applicant's supplement. Supervision watches these;
    /// a draft is not open yet.
    pub const OPEN: &'static [CaseState] =
        &[CaseState::Submitted, CaseState::Supplementing, CaseState::InProgress, CaseState::Deciding];
    /// Ended: nothing more is decided on the case. Reaching one of these
    /// sets the case's conclusion time (`concluded_at`), which the lists
    /// of open cases (and their indexes) read as "ended".
    pub const ENDED: &'static [CaseState] =
        &[CaseState::Refused, CaseState::Concluded, CaseState::Delivered, CaseState::Withdrawn];
    /// 办结: concluded with an outcome, delivered after or not.
    pub const CONCLUDED: &'static [CaseState] = &[CaseState::Concluded, CaseState::Delivered];

    /// What waits for the applicant (their workbench): a supplement to give.
    pub const APPLICANT_TO_ACT: &'static [CaseState] = &[CaseState::Supplementing];
    /// Decided, the result not yet delivered (their workbench: 结果待领取).
    pub const RESULT_READY: &'static [CaseState] = &[CaseState::Concluded];

    /// See [`CaseState::OPEN`].
    pub fn is_open(self) -> bool {
        CaseState::OPEN.contains(&self)
    }
    /// See [`CaseState::ENDED`].
    pub fn is_ended(self) -> bool {
        CaseState::ENDED.contains(&self)
    }
    /// See [`CaseState::CONCLUDED`].
    pub fn is_concluded(self) -> bool {
        CaseState::CONCLUDED.contains(&self)
    }
}

fn need(text: &str) -> Result<(), CaseError> {
    if text.trim().is_empty() {
        Err(CaseError::ReasonRequired)
    } else {
        Ok(())
    }
}

fn current<'a>(item: &'a ItemContent, v: &CaseView) -> Option<&'a Step> {
    item.steps.get(v.step)
}

/// Applies one event to the view, or says why it is not allowed. `item` is
/// the version of the item the case is bound to.
pub fn apply(item: &ItemContent, v: &CaseView, e: &Event) -> Result<CaseView, CaseError> {
    use EventKind::*;
    let mut n = v.clone();
    let wrong = || Err(CaseError::WrongState { state: v.state });
    let day = local_date(e.at_ms);
    match &e.kind {
        Submitted => {
            if v.state != CaseState::Draft {
                return wrong();
            }
            n.state = CaseState::Submitted;
            n.submitted_at_ms = Some(e.at_ms);
        }
        SupplementRequested { missing } => {
            if v.state != CaseState::Submitted {
                return wrong();
            }
            if missing.iter().all(|m| m.trim().is_empty()) {
                return Err(CaseError::EmptySupplement);
            }
            n.state = CaseState::Supplementing;
            n.supplement_notices += 1;
            n.missing = missing.clone();
        }
        SupplementProvided => {
            if v.state != CaseState::Supplementing {
                return wrong();
            }
            n.state = CaseState::Submitted;
            n.missing.clear();
        }
        Accepted | DeemedAccepted => {
            if v.state != CaseState::Submitted {
                return wrong();
            }
            if matches!(e.kind, Accepted) && !matches!(e.role, Some(Role::Counter) | Some(Role::Reviewer)) {
                return Err(CaseError::WrongRole);
            }
            // A deemed acceptance counts from receipt (the submission).
            let at = if matches!(e.kind, DeemedAccepted) { v.submitted_at_ms.unwrap_or(e.at_ms) } else { e.at_ms };
            n.accepted_at_ms = Some(at);
            n.deemed_accepted = matches!(e.kind, DeemedAccepted);
            let mut clock = CaseClock::new(at, item.promised_limit_days, item.legal_limit_days)
                .map_err(|_| CaseError::WrongState { state: v.state })?;
            if let Some(first) = item.steps.first() {
                clock.steps.push(crate::clock::StepTimer {
                    name: first.name.clone(),
                    started_on: local_date(at),
                    limit_days: first.limit_days,
                    ended_on: None,
                });
            }
            n.clock = Some(clock);
            n.state = CaseState::InProgress;
            n.step = 0;
        }
        Refused { reason } => {
            if v.state != CaseState::Submitted {
                return wrong();
            }
            need(reason)?;
            n.state = CaseState::Refused;
            n.withdrawal_requested = None;
        }
        StepPassed { opinion } => {
            if v.state != CaseState::InProgress {
                return wrong();
            }
            need(opinion)?;
            let step = current(item, v).ok_or(CaseError::WrongState { state: v.state })?;
            if e.role != Some(step.role) && e.role != Some(Role::DeptHead) {
                return Err(CaseError::WrongRole);
            }
            let waiting = waiting_joint(step, v).len();
            if waiting > 0 {
                return Err(CaseError::JointPending { waiting });
            }
            let clock = n.clock.as_mut().expect("accepted cases have a clock");
            if let Some(t) = clock.steps.last_mut() {
                t.ended_on = Some(day);
            }
            n.step += 1;
            n.joint_answers.clear();
            n.joint_missing.clear();
            match item.steps.get(n.step) {
                Some(next) => clock.steps.push(crate::clock::StepTimer {
                    name: next.name.clone(),
                    started_on: day,
                    limit_days: next.limit_days,
                    ended_on: None,
                }),
                None => n.state = CaseState::Deciding,
            }
        }
        ReturnedToStep { step, reason } => {
            if !matches!(v.state, CaseState::InProgress | CaseState::Deciding) {
                return wrong();
            }
            need(reason)?;
            if *step >= v.step {
                return Err(CaseError::BadReturn);
            }
            let clock = n.clock.as_mut().expect("accepted cases have a clock");
            if let Some(t) = clock.steps.last_mut() {
                t.ended_on.get_or_insert(day);
            }
            let target = &item.steps[*step];
            clock.steps.push(crate::clock::StepTimer {
                name: target.name.clone(),
                started_on: day,
                limit_days: target.limit_days,
                ended_on: None,
            });
            n.step = *step;
            n.joint_answers.clear();
            n.joint_missing.clear();
            n.state = CaseState::InProgress;
        }
        Transferred { reason, .. } => {
            if v.state != CaseState::InProgress {
                return wrong();
            }
            need(reason)?;
        }
        Urged { message } => {
            if !matches!(v.state, CaseState::Submitted | CaseState::InProgress | CaseState::Deciding) {
                return wrong();
            }
            need(message)?;
            n.urges += 1;
        }
        ExtensionRequested { days, reason } => {
            if !matches!(v.state, CaseState::InProgress | CaseState::Deciding) {
                return wrong();
            }
            need(reason)?;
            if v.extension_pending.is_some() || v.extended || *days == 0 {
                return Err(CaseError::ExtensionExists);
            }
            n.extension_pending = Some(*days);
        }
        ExtensionDecided { approved, opinion } => {
            let days = v.extension_pending.ok_or(CaseError::NoExtensionPending)?;
            if e.role != Some(Role::DeptHead) {
                return Err(CaseError::WrongRole);
            }
            need(opinion)?;
            n.extension_pending = None;
            if *approved {
                n.extended = true;
                let clock = n.clock.as_mut().expect("accepted cases have a clock");
                clock
                    .extend(Extension {
                        days,
                        applies_to_promised: item.extension_moves_promised,
                        approved_by: e.actor_id.map(|a| a.to_string()).unwrap_or_default(),
                        reason: opinion.clone(),
                        on: day,
                    })
                    .map_err(|_| CaseError::ReasonRequired)?;
            }
        }
        SpecialStarted { kind, reason } => {
            if !matches!(v.state, CaseState::InProgress | CaseState::Deciding) {
                return wrong();
            }
            // Only where the item's process allows one: at the current step,
            // or, once every step passed, at the last one.
            let step = if v.state == CaseState::InProgress { current(item, v) } else { item.steps.last() };
            if !step.is_some_and(|s| s.may_suspend) {
                return Err(CaseError::SpecialNotAllowed);
            }
            need(kind)?;
            need(reason)?;
            let clock = n.clock.as_mut().expect("accepted cases have a clock");
            clock.start_suspension(kind, day, reason).map_err(|_| CaseError::SpecialRunning)?;
        }
        SpecialEnded { result } => {
            need(result)?;
            let clock = n.clock.as_mut().ok_or(CaseError::NoSpecialRunning)?;
            clock.end_suspension(day).map_err(|_| CaseError::NoSpecialRunning)?;
        }
        JointAnswered { department_id, opinion, agree } => {
            if v.state != CaseState::InProgress {
                return wrong();
            }
            need(opinion)?;
            let step = current(item, v).ok_or(CaseError::NotInJointReview)?;
            if !waiting_joint(step, v).contains(department_id) || e.department_id != Some(*department_id) {
                return Err(CaseError::NotInJointReview);
            }
            n.joint_answers.push((*department_id, *agree));
        }
        JointTimedOut { departments } => {
            if v.state != CaseState::InProgress {
                return wrong();
            }
            let step = current(item, v).ok_or(CaseError::NotInJointReview)?;
            let waiting = waiting_joint(step, v);
            if departments.is_empty() || departments.iter().any(|d| !waiting.contains(d)) {
                return Err(CaseError::NotInJointReview);
            }
            n.joint_missing.extend(departments);
        }
        Concluded { outcome, reason, document_no, valid_until, .. } => {
            match outcome {
                Outcome::Granted | Outcome::Denied => {
                    if v.state != CaseState::Deciding {
                        return if v.state == CaseState::InProgress { Err(CaseError::StepsPending) } else { wrong() };
                    }
                    if e.role != Some(Role::DeptHead) {
                        return Err(CaseError::WrongRole);
                    }
                }
                Outcome::Returned | Outcome::Forwarded => {
                    if !matches!(v.state, CaseState::Supplementing | CaseState::InProgress | CaseState::Deciding) {
                        return wrong();
                    }
                }
                Outcome::Voided => {
                    if !matches!(
                        v.state,
                        CaseState::Submitted | CaseState::Supplementing | CaseState::InProgress | CaseState::Deciding
                    ) {
                        return wrong();
                    }
                    if e.role != Some(Role::DeptHead) {
                        return Err(CaseError::WrongRole);
                    }
                }
            }
            conclusion_agrees(*outcome, reason, document_no, valid_until.is_some())?;
            if let Some(c) = n.clock.as_mut() {
                if c.suspensions.iter().any(|s| s.end.is_none()) {
                    c.end_suspension(day).ok();
                }
                if let Some(t) = c.steps.last_mut() {
                    t.ended_on.get_or_insert(day);
                }
                c.concluded_on = Some(day);
            }
            n.outcome = Some(*outcome);
            n.state = CaseState::Concluded;
            n.withdrawal_requested = None;
        }
        Delivered { method, .. } => {
            if v.state != CaseState::Concluded || v.outcome != Some(Outcome::Granted) {
                return wrong();
            }
            need(method)?;
            n.state = CaseState::Delivered;
        }
        Withdrawn { reason } => {
            if !matches!(
                v.state,
                CaseState::Draft
                    | CaseState::Submitted
                    | CaseState::Supplementing
                    | CaseState::InProgress
                    | CaseState::Deciding
            ) {
                return wrong();
            }
            need(reason)?;
            if let Some(c) = n.clock.as_mut() {
                c.concluded_on = Some(day);
            }
            n.state = CaseState::Withdrawn;
            n.withdrawal_requested = None;
        }
        WithdrawalRequested { reason } => {
            if !matches!(
                v.state,
                CaseState::Submitted | CaseState::Supplementing | CaseState::InProgress | CaseState::Deciding
            ) {
                return wrong();
            }
            // Recorded by staff: an applicant withdraws by himself.
            if e.role.is_none() {
                return Err(CaseError::WrongRole);
            }
            need(reason)?;
            if v.withdrawal_requested.is_some() {
                return Err(CaseError::WithdrawalPending);
            }
            n.withdrawal_requested = Some(reason.clone());
        }
        WithdrawalDeclined { opinion } => {
            if v.withdrawal_requested.is_none() {
                return Err(CaseError::NoWithdrawalPending);
            }
            if e.role != Some(Role::DeptHead) {
                return Err(CaseError::WrongRole);
            }
            need(opinion)?;
            n.withdrawal_requested = None;
        }
        Corrected { what, reason, joint_answers, joint_missing, applicant, .. } => {
            // Carried out by the service centre only (which event may be
            // corrected is `governance::correction::check`).
            if !matches!(e.role, Some(Role::CenterAdmin) | Some(Role::SystemAdmin)) {
                return Err(CaseError::WrongRole);
            }
            need(reason)?;
            match what {
                crate::governance::correction::CorrectionKind::StepPassed => {
                    // Back at the step passed wrongly, as if it had not been
                    // passed: its timer runs on from its own start, the next
                    // step's (begun by the wrong pass) is dropped.
                    if !matches!(v.state, CaseState::InProgress | CaseState::Deciding) || v.step == 0 {
                        return wrong();
                    }
                    let clock = n.clock.as_mut().expect("accepted cases have a clock");
                    if v.state == CaseState::InProgress {
                        clock.steps.pop();
                    }
                    if let Some(t) = clock.steps.last_mut() {
                        t.ended_on = None;
                    }
                    n.step = v.step - 1;
                    n.state = CaseState::InProgress;
                    n.joint_answers = joint_answers.clone();
                    n.joint_missing = joint_missing.clone();
                }
                crate::governance::correction::CorrectionKind::Conclusion => {
                    // Back waiting for the decision, as if it had not been
                    // taken: the clocks run on (the time since counts), the
                    // outcome is cleared. A special procedure the conclusion
                    // ended stays ended.
                    if v.state != CaseState::Concluded || !matches!(v.outcome, Some(Outcome::Granted | Outcome::Denied))
                    {
                        return wrong();
                    }
                    if let Some(c) = n.clock.as_mut() {
                        c.concluded_on = None;
                    }
                    n.outcome = None;
                    n.state = CaseState::Deciding;
                }
                crate::governance::correction::CorrectionKind::ApplicantData => {
                    // The case's record takes the corrected values; where
                    // the case stands, its clocks and steps do not move.
                    if applicant.is_none() || v.clock.is_none() {
                        return wrong();
                    }
                }
            }
        }
    }
    Ok(n)
}

/// A conclusion's text agrees with its kind: a grant (准予) carries its
/// licence (result document) number; every other conclusion carries its
/// reason, and neither a licence number, a validity, nor a reason that reads
/// as a grant (准予…), so that a 退件 or 不予许可 can never be issued looking like
/// a licence.
pub fn conclusion_agrees(
    outcome: Outcome,
    reason: &str,
    document_no: &str,
    has_validity: bool,
) -> Result<(), CaseError> {
    if outcome == Outcome::Granted {
        return match document_no.trim().is_empty() {
            true => Err(CaseError::DocumentRequired),
            false => Ok(()),
        };
    }
    if reason.trim().is_empty() {
        return Err(CaseError::ReasonRequired);
    }
    if !document_no.trim().is_empty() || has_validity {
        return Err(CaseError::LicenceOnlyWithGrant);
    }
    if reason.contains("准予") {
        return Err(CaseError::GrantTextWithoutGrant);
    }
    Ok(())
}
