//! Why an event is not allowed.

use super::CaseState;
use crate::calendar::CalendarError;
use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CaseError {
    #[error("not possible while the case is {state:?}")]
    WrongState { state: CaseState },
    #[error("a reason or opinion is required")]
    ReasonRequired,
    #[error("the supplement notice must list what is missing")]
    EmptySupplement,
    #[error("the acting role may not do this")]
    WrongRole,
    #[error("a step can only return to an earlier step")]
    BadReturn,
    #[error("an extension is already pending or was granted")]
    ExtensionExists,
    #[error("no extension is pending")]
    NoExtensionPending,
    #[error("a special procedure is already running")]
    SpecialRunning,
    #[error("no special procedure is running")]
    NoSpecialRunning,
    #[error("this department takes no part in the joint review, or already answered")]
    NotInJointReview,
    #[error("the joint review is not finished: waiting for {waiting} department(s)")]
    JointPending { waiting: usize },
    #[error("a grant needs the result document number")]
    DocumentRequired,
    /// Only a grant carries a licence (result document) number or validity.
    #[error("only a grant carries a licence number")]
    LicenceOnlyWithGrant,
    /// A refusal's (不予许可, 退件, 作废, 转报) reason that reads as a grant (准予…).
    #[error("the reason of a conclusion that is not a grant reads as a grant")]
    GrantTextWithoutGrant,
    #[error("the case has steps not yet passed")]
    StepsPending,
    #[error("events must be in time order")]
    OutOfOrder,
    #[error("the item's process allows no special procedure at this step")]
    SpecialNotAllowed,
    #[error("a withdrawal request is already waiting for the department head")]
    WithdrawalPending,
    #[error("no withdrawal request is waiting")]
    NoWithdrawalPending,
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}
