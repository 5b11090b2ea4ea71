//! Governance of the system itself (配置/维护需求, 000 第八—十条): the
//! departments and the supervision office submit their configuration and
//! maintenance needs in writing; the service centre analyses each for
//! necessity and feasibility and either refuses it with written reasons or
//! accepts and carries it out, the changes made under it carrying its number.
//! The kinds, the states and their moves, the texts, the answer's deadline.

pub mod correction;
pub mod deletion;
pub mod qualification;
pub mod rights;

use crate::calendar::{Calendar, CalendarError};
use crate::codes::code_list;
use chrono::NaiveDate;

code_list!(
    /// What a request is about.
    RequestKind {
        /// 用户和权限: staff accounts and their roles.
        UsersRights = "users_rights",
        /// 事项配置: items to configure or changes to them.
        ItemConfig = "item_config",
        /// 机构数据: addresses, contacts and other data of the organisation.
        OrgData = "org_data",
        /// 误操作更正: a recorded misoperation to correct.
        Misoperation = "misoperation",
        /// 其他.
        Other = "other",
    }
);

code_list!(
    /// Where a request stands.
    RequestState {
        /// Waiting for the service centre's answer.
        Submitted = "submitted",
        /// Accepted: the centre carries it out; changes may name it.
        Accepted = "accepted",
        /// Refused with written reasons (a PDF reply).
        Refused = "refused",
        /// Carried out and closed by the centre.
        Done = "done",
    }
);

/// Working days the centre has to answer a request unless the rule (A13)
/// is configured otherwise.
pub const DEFAULT_ANSWER_DAYS: u32 = 5;
/// The longest request text, analysis or answer, in characters.
pub const MAX_TEXT: usize = 2000;
/// The most attachments of one request.
pub const MAX_ATTACHMENTS: usize = 5;

/// How the centre answers a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Refuse,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Decision> {
        match s.trim() {
            "accept" => Some(Decision::Accept),
            "refuse" => Some(Decision::Refuse),
            _ => None,
        }
    }
}

/// Why a move of a request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GovernanceError {
    /// The request is answered already.
    #[error("the request is answered already")]
    AlreadyAnswered,
    /// Only an accepted request is carried out (and named by changes).
    #[error("the request is not accepted, or closed")]
    NotAccepted,
}

impl RequestState {
    /// Whether the centre has answered (accepted or refused) it.
    pub fn answered(self) -> bool {
        self != RequestState::Submitted
    }

    /// The state after the centre's answer.
    pub fn decide(self, d: Decision) -> Result<RequestState, GovernanceError> {
        if self.answered() {
            return Err(GovernanceError::AlreadyAnswered);
        }
        Ok(match d {
            Decision::Accept => RequestState::Accepted,
            Decision::Refuse => RequestState::Refused,
        })
    }

    /// Whether a change may be made under the request now: accepted and
    /// not yet closed.
    pub fn takes_changes(self) -> Result<(), GovernanceError> {
        if self == RequestState::Accepted {
            Ok(())
        } else {
            Err(GovernanceError::NotAccepted)
        }
    }

    /// The state once the centre closes a carried-out request.
    pub fn complete(self) -> Result<RequestState, GovernanceError> {
        self.takes_changes().map(|_| RequestState::Done)
    }
}

/// The last day the centre may answer a request submitted on `submitted_on`:
/// `days` working days later (the day of submission not counted).
pub fn answer_due(cal: &Calendar, submitted_on: NaiveDate, days: u32) -> Result<NaiveDate, CalendarError> {
    cal.add_working_days(submitted_on, days)
}

/// Whether a request is left unanswered beyond its last day.
pub fn unanswered_overdue(state: RequestState, due: NaiveDate, today: NaiveDate) -> bool {
    !state.answered() && due < today
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_answered_once_then_carried_out_and_closed() {
        use RequestState as S;
        assert_eq!(S::Submitted.decide(Decision::Accept), Ok(S::Accepted));
        assert_eq!(S::Submitted.decide(Decision::Refuse), Ok(S::Refused));
        for s in [S::Accepted, S::Refused, S::Done] {
            assert_eq!(s.decide(Decision::Accept), Err(GovernanceError::AlreadyAnswered), "{s:?}");
        }
        assert_eq!(S::Accepted.takes_changes(), Ok(()));
        for s in [S::Submitted, S::Refused, S::Done] {
            assert_eq!(s.takes_changes(), Err(GovernanceError::NotAccepted), "{s:?}");
            assert_eq!(s.complete(), Err(GovernanceError::NotAccepted), "{s:?}");
        }
        assert_eq!(S::Accepted.complete(), Ok(S::Done));
        assert_eq!(Decision::parse(" refuse "), Some(Decision::Refuse));
        assert_eq!(Decision::parse("maybe"), None);
    }

    #[test]
    fn the_kinds_are_the_five_of_the_regulation() {
        let codes: Vec<&str> = RequestKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes, ["users_rights", "item_config", "org_data", "misoperation", "other"]);
        assert_eq!(RequestKind::parse("org_data"), Some(RequestKind::OrgData));
        assert_eq!(RequestKind::parse("delete_all"), None);
    }

    #[test]
    fn the_answer_is_due_five_working_days_after_submission() {
        let cal = Calendar::new(crate::calendar::shipped_years()).unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Tuesday 2025-09-30: the National Day week is off, Saturday 10-11 is a make-up day.
        assert_eq!(answer_due(&cal, d("2025-09-30"), DEFAULT_ANSWER_DAYS).unwrap(), d("2025-10-14"));
        assert_eq!(answer_due(&cal, d("2025-12-01"), DEFAULT_ANSWER_DAYS).unwrap(), d("2025-12-08"));
        let due = d("2025-12-08");
        assert!(!unanswered_overdue(RequestState::Submitted, due, d("2025-12-08")), "the last day itself");
        assert!(unanswered_overdue(RequestState::Submitted, due, d("2025-12-09")));
        assert!(!unanswered_overdue(RequestState::Refused, due, d("2025-12-09")), "answered");
        assert!(!unanswered_overdue(RequestState::Accepted, due, d("2025-12-30")));
    }
}
