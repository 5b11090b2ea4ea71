//! The life of an oversight order (督办).

use super::SupervisionError;
use crate::calendar::{Calendar, CalendarError};
use crate::codes::code_list;
use chrono::NaiveDate;

code_list!(
    /// Where an oversight order (督办) stands.
    OrderState {
        /// Sent to the department head: waiting for the answer.
        Issued = "issued",
        /// Answered: waiting for the supervision officer.
        Answered = "answered",
        Closed = "closed",
    }
);

impl OrderState {
    /// Not closed yet: what the dashboard counts.
    pub const ACTIVE: &'static [OrderState] = &[OrderState::Issued, OrderState::Answered];

    /// Whether an order in this state due on `due` (YYYY-MM-DD) is past it on
    /// `today`: only an order waiting for its answer is.
    pub fn overdue(self, due: &str, today: &str) -> bool {
        self == OrderState::Issued && due < today
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    Answer,
    Accept,
    Reject,
}

pub fn order_next(state: OrderState, action: OrderAction) -> Result<OrderState, SupervisionError> {
    use OrderAction as A;
    use OrderState as S;
    match (state, action) {
        (S::Issued, A::Answer) => Ok(S::Answered),
        (S::Answered, A::Accept) => Ok(S::Closed),
        (S::Answered, A::Reject) => Ok(S::Issued),
        (s, _) => Err(SupervisionError::WrongState(s.code())),
    }
}

/// Working days an order may give, and the due day they make.
pub fn order_due(cal: &Calendar, today: NaiveDate, days: u32) -> Result<NaiveDate, SupervisionError> {
    if !(1..=20).contains(&days) {
        return Err(SupervisionError::BadDays);
    }
    Ok(cal.add_working_days(today, days)?)
}

/// An unanswered order past its due day escalates one level and gets the
/// same number of working days again from today. `None` while not due.
pub fn escalation(
    cal: &Calendar,
    state: OrderState,
    due: NaiveDate,
    days: u32,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, CalendarError> {
    if state != OrderState::Issued || due >= today {
        return Ok(None);
    }
    cal.add_working_days(today, days.max(1)).map(Some)
}
