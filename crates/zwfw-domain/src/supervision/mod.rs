//! Electronic supervision (电子监察, regulation 000 第五条): the coded rules,
//! the facts they find in cases and submissions, and the life of a finding
//! (整改) and of an oversight order (督办). GB/T 39046 表11 names the data.
//!
//! A rule looks at one object and says which facts hold for it today. A fact
//! is (rule, object, key): the same fact found twice is one finding, so the
//! store keeps them unique and evaluation can run as often as it likes.
//!
//! Time-based rules are written as day cutoffs ([`Cutoffs`]) so that the
//! store can select the few cases that crossed a threshold since the last
//! run with an index range; the per-object functions here then decide.

mod facts;
mod findings;
mod orders;
mod rules;

pub use facts::*;
pub use findings::*;
pub use orders::*;
pub use rules::*;

use crate::calendar::CalendarError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SupervisionError {
    #[error("parameter {param} of {rule:?} must be between {min} and {max}")]
    ParamOutOfRange { rule: RuleCode, param: &'static str, min: u32, max: u32 },
    #[error("{rule:?} takes no parameter {param}")]
    ParamNotUsed { rule: RuleCode, param: &'static str },
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{field} is longer than {max}")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} contains control characters")]
    ControlCharacters { field: &'static str },
    #[error("not possible while the finding or order is {0}")]
    WrongState(&'static str),
    #[error("a warning needs no reply")]
    NoReplyNeeded,
    #[error("days out of range")]
    BadDays,
    #[error("the rule is switched off")]
    RuleOff,
    #[error("only a complaint about staff conduct")]
    NotStaffConduct,
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

#[cfg(test)]
mod tests;
