//! 补录: the later entry of the cases a department handled on paper while a
//! fault of the platform lasted (东莞 第二十六条). A 补录 entry is the same
//! business action as on the platform (a counter application, then
//! acceptance, the steps and the conclusion), carrying the real time it
//! took place on paper instead of the time of entry, and marked: the fault it
//! belongs to, the paper document number (纸质文书编号), who entered it and
//! when. The legal clocks count from the real times.
//!
//! An entry is accepted only when its real time lies within a declared fault
//! that covers the acting department (between the fault's start and its
//! clearing, or now while it is not cleared), is not in the future, and
//! does not precede the case's last recorded event (the timeline stays in
//! order). Who may take the action is decided by the same access rules as
//! on the platform (`crate::access::cases`): a 补录 is no way around them.
//!
//! Scope: a fault of the whole platform and a fault of one function both
//! cover every department (a function's fault, like 网上审批 or 受理登记,
//! stops that function for all, and the paper notice is addressed to every
//! approving department); a fault of one department covers that department
//! alone.

use crate::cases::EventKind;
use crate::faults::Scope;
use serde::{Deserialize, Serialize};

/// The longest paper document number, in characters.
pub const MAX_PAPER_NO: usize = 60;

/// The 补录 marks an event carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mark {
    /// The fault during which the action took place on paper.
    pub fault_id: i64,
    /// 纸质文书编号: the number of the paper document of the action.
    pub paper_no: String,
    /// Who entered it on the platform.
    pub entered_by: i64,
    /// When it was entered (the event's own time is the real time).
    pub entered_at_ms: i64,
}

/// The period of a fault as a 补录 reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub fault_id: i64,
    pub since_ms: i64,
    pub cleared_at: Option<i64>,
    pub scope: Scope,
    pub department_id: Option<i64>,
    /// The centre (or the system administrator) confirmed the fault: a
    /// report alone opens no paper period.
    pub acknowledged: bool,
}

/// Why an entry is refused. The codes are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackfillError {
    /// The real time lies in the future.
    InFuture,
    /// The fault does not cover the acting department.
    NotCovered,
    /// The fault is only reported: the centre has not confirmed it.
    NotConfirmed,
    /// The real time lies before the fault's start or after its clearing.
    OutsideFault,
    /// The real time precedes the case's last recorded event.
    BeforeLastEvent,
    /// No paper document number, or too long a one.
    PaperNoMissing,
    PaperNoTooLong,
    /// A paper application of the item with this document number was entered already.
    PaperApplicationRepeated,
    /// The action is not one entered later (the system's own, or one that
    /// reads today's date such as closing a joint review).
    NotEnterable,
}

impl BackfillError {
    pub fn code(self) -> &'static str {
        match self {
            BackfillError::InFuture => "backfill_in_future",
            BackfillError::NotCovered => "backfill_not_covered",
            BackfillError::NotConfirmed => "backfill_fault_unconfirmed",
            BackfillError::OutsideFault => "backfill_outside_fault",
            BackfillError::BeforeLastEvent => "backfill_before_last_event",
            BackfillError::PaperNoMissing => "backfill_paper_no_missing",
            BackfillError::PaperNoTooLong => "backfill_paper_no_too_long",
            BackfillError::PaperApplicationRepeated => "backfill_application_repeated",
            BackfillError::NotEnterable => "backfill_not_enterable",
        }
    }
}

/// Whether the fault covers `department_id` (see the module's note on scopes).
pub fn covers(p: &Period, department_id: i64) -> bool {
    match p.scope {
        Scope::Platform | Scope::Function => true,
        Scope::Department => p.department_id == Some(department_id),
    }
}

/// The end of the fault's paper period: its clearing, or `now_ms` while it lasts.
pub fn period_end(p: &Period, now_ms: i64) -> i64 {
    p.cleared_at.unwrap_or(now_ms)
}

/// Checks the real time `at_ms` of an entry by `department_id` at `now_ms`:
/// not in the future, within a fault covering the department, not before
/// the case's last event (`last_event_ms`, none for a new application).
pub fn check_time(
    p: &Period,
    department_id: i64,
    at_ms: i64,
    last_event_ms: Option<i64>,
    now_ms: i64,
) -> Result<(), BackfillError> {
    if at_ms > now_ms {
        return Err(BackfillError::InFuture);
    }
    if !p.acknowledged {
        return Err(BackfillError::NotConfirmed);
    }
    if !covers(p, department_id) {
        return Err(BackfillError::NotCovered);
    }
    if at_ms < p.since_ms || at_ms > period_end(p, now_ms) {
        return Err(BackfillError::OutsideFault);
    }
    if last_event_ms.is_some_and(|last| at_ms < last) {
        return Err(BackfillError::BeforeLastEvent);
    }
    Ok(())
}

/// A paper document number as recorded: trimmed, said, at most [`MAX_PAPER_NO`] characters.
pub fn paper_no(text: &str) -> Result<String, BackfillError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(BackfillError::PaperNoMissing);
    }
    if t.chars().count() > MAX_PAPER_NO || t.chars().any(char::is_control) {
        return Err(BackfillError::PaperNoTooLong);
    }
    Ok(t.to_string())
}

/// The repeat key of a paper application entered later: one case per item
/// and paper document number (`paper_no` as [`paper_no`] reads it), so that
/// entering the same paper application twice makes no second case. Never
/// the form of an applicant's own key (`<user id>:<key>`).
pub fn paper_application_key(item_id: i64, paper_no: &str) -> String {
    format!("paper:{item_id}:{paper_no}")
}

/// The actions a department enters later with their real time: what staff
/// do on a case on paper. Not the submission (entered as a paper
/// application), nor what the system records (deemed acceptance) or decides
/// from today's date (closing a joint review), nor an applicant's own acts.
pub fn enterable(kind: &EventKind) -> bool {
    use EventKind::*;
    matches!(
        kind,
        SupplementRequested { .. }
            | Accepted
            | Refused { .. }
            | StepPassed { .. }
            | ReturnedToStep { .. }
            | ExtensionRequested { .. }
            | ExtensionDecided { .. }
            | SpecialStarted { .. }
            | SpecialEnded { .. }
            | JointAnswered { .. }
            | Concluded { .. }
            | Delivered { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000_000;
    const H: i64 = 3_600_000;

    fn fault(scope: Scope, department_id: Option<i64>, cleared_at: Option<i64>) -> Period {
        Period { fault_id: 1, since_ms: T0, cleared_at, scope, department_id, acknowledged: true }
    }

    #[test]
    fn an_entry_lies_within_a_fault_covering_the_department() {
        let dept = fault(Scope::Department, Some(3), Some(T0 + 30 * H));
        let now = T0 + 40 * H;
        assert_eq!(check_time(&dept, 3, T0 + 2 * H, None, now), Ok(()));
        assert_eq!(check_time(&dept, 3, T0, None, now), Ok(()), "from the start");
        assert_eq!(check_time(&dept, 3, T0 + 30 * H, None, now), Ok(()), "until the clearing");
        assert_eq!(check_time(&dept, 3, T0 - 1, None, now), Err(BackfillError::OutsideFault));
        assert_eq!(check_time(&dept, 3, T0 + 30 * H + 1, None, now), Err(BackfillError::OutsideFault));
        assert_eq!(check_time(&dept, 4, T0 + 2 * H, None, now), Err(BackfillError::NotCovered));
        assert_eq!(check_time(&dept, 3, now + 1, None, now), Err(BackfillError::InFuture));
        // The timeline stays in order; the same instant as the last event is fine.
        assert_eq!(check_time(&dept, 3, T0 + 2 * H, Some(T0 + 3 * H), now), Err(BackfillError::BeforeLastEvent));
        assert_eq!(check_time(&dept, 3, T0 + 3 * H, Some(T0 + 3 * H), now), Ok(()));
        // A fault not cleared lasts until now.
        let open = fault(Scope::Platform, None, None);
        assert_eq!(check_time(&open, 9, now, None, now), Ok(()));
        assert_eq!(check_time(&open, 9, now + 1, None, now), Err(BackfillError::InFuture));
        // A function's fault covers every department.
        assert!(covers(&fault(Scope::Function, None, None), 7));
        assert!(covers(&fault(Scope::Platform, None, None), 7));
        assert!(!covers(&fault(Scope::Department, Some(3), None), 7));
        // A fault only reported, not confirmed by the centre, opens no paper period.
        let reported = Period { acknowledged: false, ..fault(Scope::Platform, None, None) };
        assert_eq!(check_time(&reported, 9, now, None, now), Err(BackfillError::NotConfirmed));
    }

    #[test]
    fn the_paper_number_is_said_and_short() {
        assert_eq!(paper_no("  市监受〔2026〕12号 ").unwrap(), "市监受〔2026〕12号");
        assert_eq!(paper_no(" "), Err(BackfillError::PaperNoMissing));
        assert_eq!(paper_no(&"号".repeat(MAX_PAPER_NO + 1)), Err(BackfillError::PaperNoTooLong));
        assert_eq!(paper_no("a\u{0}b"), Err(BackfillError::PaperNoTooLong));
        assert_eq!(paper_application_key(7, &paper_no(" 市监受〔2026〕12号").unwrap()), "paper:7:市监受〔2026〕12号");
        assert_ne!(paper_application_key(7, "12"), paper_application_key(8, "12"), "per item");
        assert_ne!(paper_application_key(7, "12"), paper_application_key(71, "2"));
        assert!(enterable(&EventKind::Accepted));
        assert!(!enterable(&EventKind::Submitted));
        assert!(!enterable(&EventKind::DeemedAccepted));
        assert!(!enterable(&EventKind::JointTimedOut { departments: vec![1] }));
        assert!(!enterable(&EventKind::Urged { message: "x".into() }));
    }
}
