//! The events of a case: what happened, and how a case was concluded.

use crate::admin::Role;
use crate::codes::code_list;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_list!(
    /// How a case was concluded (办结).
    Outcome {
        /// 准予
        Granted = "granted",
        /// 不予许可
        Denied = "denied",
        /// 退件
        Returned = "returned",
        /// 作废
        Voided = "voided",
        /// 转报
        Forwarded = "forwarded",
    }
);

/// What happened. Each event is stored with who, when and the actor's role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    Submitted,
    /// 一次性告知: everything missing or defective, in one notice.
    SupplementRequested {
        missing: Vec<String>,
    },
    SupplementProvided,
    Accepted,
    /// 不予受理
    Refused {
        reason: String,
    },
    /// No decision within five working days: accepted on receipt.
    DeemedAccepted,
    /// 通过: the current step is done.
    StepPassed {
        opinion: String,
    },
    /// 退回 to an earlier step.
    ReturnedToStep {
        step: usize,
        reason: String,
    },
    /// 转办 to a colleague.
    Transferred {
        to_user: i64,
        reason: String,
    },
    /// 催办
    Urged {
        message: String,
    },
    ExtensionRequested {
        days: u32,
        reason: String,
    },
    ExtensionDecided {
        approved: bool,
        opinion: String,
    },
    SpecialStarted {
        kind: String,
        reason: String,
    },
    SpecialEnded {
        result: String,
    },
    /// A co-department's answer in a joint review.
    JointAnswered {
        /// Named apart from the event's own department so that the stored JSON has one key each.
        #[serde(rename = "answering_department_id")]
        department_id: i64,
        agree: bool,
        opinion: String,
    },
    /// The lead closes a joint review whose sub-deadline passed: the
    /// departments that did not answer in time are recorded as such.
    JointTimedOut {
        departments: Vec<i64>,
    },
    Concluded {
        outcome: Outcome,
        reason: String,
        document_no: String,
        /// Validity of a granted licence (有效期至).
        #[serde(default)]
        valid_until: Option<NaiveDate>,
        /// The fee charged, in fen (分), when one was collected; checked
        /// against the item's fee standard by supervision (rule A04).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fee_fen: Option<i64>,
    },
    Delivered {
        method: String,
        tracking_no: String,
    },
    Withdrawn {
        reason: String,
    },
    /// An online applicant's written request to withdraw, recorded by the
    /// counter (`reason`: what the request says). The department head then
    /// approves it (`Withdrawn`) or declines it (`WithdrawalDeclined`).
    WithdrawalRequested {
        reason: String,
    },
    /// The department head declines a recorded withdrawal request.
    WithdrawalDeclined {
        opinion: String,
    },
    /// 误操作更正: the service centre corrects event `event` (its sequence
    /// number on the case), recorded wrongly, under the approved correction
    /// request `request`. The event corrected stays in the timeline.
    Corrected {
        event: i64,
        what: crate::governance::correction::CorrectionKind,
        request: i64,
        reason: String,
        /// A step's joint-review answers recorded before its wrong pass,
        /// given back with the step.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        joint_answers: Vec<(i64, bool)>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        joint_missing: Vec<i64>,
        /// Wrong applicant data: the values recorded before and the
        /// corrected ones (the case's record takes the latter).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        applicant: Option<Box<crate::governance::correction::ApplicantChange>>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at_ms: i64,
    pub actor_id: Option<i64>,
    /// The role the actor acted in (applicant events carry none).
    pub role: Option<Role>,
    pub department_id: Option<i64>,
    #[serde(flatten)]
    pub kind: EventKind,
    /// 补录: the event took place on paper during a fault and was entered
    /// later; `at_ms` is its real time (`crate::backfill`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backfill: Option<crate::backfill::Mark>,
}
