//! The life of a finding (整改).

use super::{Severity, SupervisionError};
use crate::codes::code_list;
use chrono::NaiveDate;

/// 监察编号: `SV`, the day found and a daily serial of at least six digits (an..20).
pub fn finding_number(day: NaiveDate, serial: i64) -> String {
    format!("SV{}{serial:06}", day.format("%Y%m%d"))
}

/// 督办编号: `DB`, the day issued and a daily serial.
pub fn order_number(day: NaiveDate, serial: i64) -> String {
    format!("DB{}{serial:04}", day.format("%Y%m%d"))
}

code_list!(
    /// What a finding is about.
    ObjectKind {
        Case = "case",
        Interaction = "interaction",
        Rating = "rating",
        Department = "department",
        /// The audit trail (rule A07).
        Audit = "audit",
        /// Business data changed around the program.
        Data = "data",
        /// A guard trigger found missing.
        Guard = "guard",
        /// The platform's backups and restore drills (rule A10).
        Backup = "backup",
        /// A row of the exchange outbox (rule A11).
        Exchange = "exchange",
        /// A record pushed to a regulator (审管交互, rules W03 and Y03).
        Handover = "handover",
        /// A configuration or maintenance request (配置/维护需求, rule A13).
        MaintenanceRequest = "maintenance_request",
        /// A 行政许可 decision's 双公示 record (rule A12).
        Credit = "credit",
    }
);

code_list!(
    /// Where a finding stands.
    FindingState {
        /// A warning sent to the department: no reply asked.
        Noted = "noted",
        /// Waiting for the department's explanation or rectification.
        Open = "open",
        /// Replied: waiting for the supervision officer.
        Replied = "replied",
        Closed = "closed",
    }
);

impl FindingState {
    /// Not closed yet (未办结): what the department and the dashboard count.
    pub const ACTIVE: &'static [FindingState] = &[FindingState::Noted, FindingState::Open, FindingState::Replied];
    /// The code that names [`FindingState::ACTIVE`] where a list of
    /// findings is filtered by state.
    pub const ACTIVE_CODE: &'static str = "active";

    /// Whether a warning can be in this state (it is noted, then closed;
    /// it never asks for a reply).
    pub fn open_to_warnings(self) -> bool {
        matches!(self, FindingState::Noted | FindingState::Closed)
    }

    /// Whether a finding in this state with this reply due day (YYYY-MM-DD)
    /// is past it on `today`: only a finding waiting for its reply is.
    pub fn reply_overdue(self, reply_due: Option<&str>, today: &str) -> bool {
        self == FindingState::Open && reply_due.is_some_and(|d| d < today)
    }

    /// The state a new finding starts in.
    pub fn initial(severity: Severity) -> FindingState {
        if severity.needs_reply() {
            FindingState::Open
        } else {
            FindingState::Noted
        }
    }
}

/// What can be done with a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingAction {
    /// The department explains or rectifies (整改回复).
    Reply,
    /// The supervision officer accepts the reply: closed.
    Accept,
    /// The supervision officer rejects the reply: open again, with a new due day.
    Reject,
    /// The supervision officer closes a warning, or an open finding with a reason.
    Close,
}

pub const MAX_TEXT: usize = 2000;

/// Checks a required free text: the rule of [`crate::interaction::text`].
pub fn text(field: &'static str, s: &str, max: usize) -> Result<String, SupervisionError> {
    use crate::interaction::InteractionError as E;
    crate::interaction::text(field, s, max).map_err(|e| match e {
        E::TooLong { field, max } => SupervisionError::TooLong { field, max },
        E::ControlCharacters { field } => SupervisionError::ControlCharacters { field },
        _ => SupervisionError::Empty { field },
    })
}

/// The state after `action`, or why not.
pub fn finding_next(state: FindingState, action: FindingAction) -> Result<FindingState, SupervisionError> {
    use FindingAction as A;
    use FindingState as S;
    match (state, action) {
        (S::Noted, A::Reply) => Err(SupervisionError::NoReplyNeeded),
        (S::Open, A::Reply) => Ok(S::Replied),
        (S::Replied, A::Accept) => Ok(S::Closed),
        (S::Replied, A::Reject) => Ok(S::Open),
        (S::Noted | S::Open, A::Close) => Ok(S::Closed),
        (s, _) => Err(SupervisionError::WrongState(s.code())),
    }
}
