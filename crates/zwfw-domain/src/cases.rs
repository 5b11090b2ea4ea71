//! The case (办件) lifecycle as an append-only list of events. The state of a
//! case and its legal clock are derived from its events; every transition is
//! checked here, so that the store only appends what this module accepted.
//!
//! draft → submitted → (补正 ↔ submitted) → accepted | refused → the steps of
//! the item's process (with joint review) → concluded (granted | denied |
//! returned 退件 | voided | forwarded) → delivered. Returns, transfers,
//! urges, suspensions (special procedures) and extensions are explicit events.

use crate::admin::Role;
use crate::calendar::{Calendar, CalendarError};
use crate::catalog::{ItemContent, Step};
use crate::clock::{local_date, CaseClock, Extension};
use crate::codes::code_list;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The five working days the law gives for the acceptance decision (行政许可法 第三十二条).
pub const ACCEPTANCE_DAYS: u32 = 5;

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
}

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

/// The case as its events make it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub state: CaseState,
    pub submitted_at_ms: Option<i64>,
    /// How many supplement notices were sent (more than one breaks 一次性告知).
    pub supplement_notices: u32,
    pub missing: Vec<String>,
    pub accepted_at_ms: Option<i64>,
    pub deemed_accepted: bool,
    /// Index of the current step while in progress.
    pub step: usize,
    /// Joint review answers for the current step: (department, agree).
    pub joint_answers: Vec<(i64, bool)>,
    /// Co-departments that let the joint review's sub-deadline pass.
    pub joint_missing: Vec<i64>,
    pub extension_pending: Option<u32>,
    pub extended: bool,
    pub outcome: Option<Outcome>,
    pub clock: Option<CaseClock>,
    pub urges: u32,
    /// A withdrawal request recorded at the counter and waiting for the
    /// department head: what the applicant's written request says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawal_requested: Option<String>,
}

impl CaseView {
    pub fn new() -> CaseView {
        CaseView {
            state: CaseState::Draft,
            submitted_at_ms: None,
            supplement_notices: 0,
            missing: vec![],
            accepted_at_ms: None,
            deemed_accepted: false,
            step: 0,
            joint_answers: vec![],
            joint_missing: vec![],
            extension_pending: None,
            extended: false,
            outcome: None,
            clock: None,
            urges: 0,
            withdrawal_requested: None,
        }
    }
}

impl Default for CaseView {
    fn default() -> Self {
        CaseView::new()
    }
}

/// The co-departments of the current step that have neither answered nor timed out.
pub fn waiting_joint(step: &Step, v: &CaseView) -> Vec<i64> {
    step.joint
        .iter()
        .map(|c| c.department_id)
        .filter(|d| !v.joint_answers.iter().any(|(a, _)| a == d) && !v.joint_missing.contains(d))
        .collect()
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
        Concluded { outcome, reason, document_no, .. } => {
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
            if *outcome != Outcome::Granted {
                need(reason)?;
            }
            if *outcome == Outcome::Granted && document_no.trim().is_empty() {
                return Err(CaseError::DocumentRequired);
            }
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
    }
    Ok(n)
}

code_list!(
    /// Who applies: a natural person (自然人, identified by the 居民身份证号码)
    /// or a legal person (法人, by the 统一社会信用代码).
    ApplicantKind {
        Natural = "natural",
        Legal = "legal",
    }
);

/// Trust level of an e-material (国办函〔2016〕108号).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TrustLevel {
    /// Issued by an agency (电子证照, official result).
    A,
    /// Checked against the original by a counter officer.
    B,
    /// Uploaded by the applicant.
    C,
    /// Made under the applicant's commitment (告知承诺).
    D,
}

impl TrustLevel {
    pub fn code(self) -> &'static str {
        match self {
            TrustLevel::A => "A",
            TrustLevel::B => "B",
            TrustLevel::C => "C",
            TrustLevel::D => "D",
        }
    }
    pub fn parse(s: &str) -> Option<TrustLevel> {
        match s {
            "A" => Some(TrustLevel::A),
            "B" => Some(TrustLevel::B),
            "C" => Some(TrustLevel::C),
            "D" => Some(TrustLevel::D),
            _ => None,
        }
    }
}

/// The official documents (文书) a case produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// 受理通知书
    Acceptance,
    /// 不予受理通知书
    Refusal,
    /// 补正通知书
    Supplement,
    /// 特别程序告知书
    Special,
    /// 延长审批告知书
    Extension,
    /// 准予许可决定书
    Grant,
    /// 不予许可决定书
    Denial,
}

impl DocKind {
    pub const ALL: [DocKind; 7] = [
        DocKind::Acceptance,
        DocKind::Refusal,
        DocKind::Supplement,
        DocKind::Special,
        DocKind::Extension,
        DocKind::Grant,
        DocKind::Denial,
    ];
    pub fn code(self) -> &'static str {
        match self {
            DocKind::Acceptance => "acceptance",
            DocKind::Refusal => "refusal",
            DocKind::Supplement => "supplement",
            DocKind::Special => "special",
            DocKind::Extension => "extension",
            DocKind::Grant => "grant",
            DocKind::Denial => "denial",
        }
    }
    pub fn parse(s: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.code() == s)
    }
    /// The abbreviation used in the document number, e.g. 示市监受〔2026〕12号.
    pub fn abbrev(self) -> &'static str {
        match self {
            DocKind::Acceptance => "受",
            DocKind::Refusal => "不受",
            DocKind::Supplement => "补",
            DocKind::Special => "特",
            DocKind::Extension => "延",
            DocKind::Grant => "准",
            DocKind::Denial => "不准",
        }
    }
    /// The document number (文号) around its serial: the issuing department's
    /// short name, the kind's abbreviation and 〔year〕 before it, 号 after
    /// it (示市监受〔2026〕12号).
    pub fn number_parts(self, issuer: &str, year: i32) -> (String, &'static str) {
        (format!("{issuer}{}〔{year}〕", self.abbrev()), "号")
    }
    /// The document an event produces, if any.
    pub fn of(kind: &EventKind) -> Option<DocKind> {
        match kind {
            EventKind::Accepted | EventKind::DeemedAccepted => Some(DocKind::Acceptance),
            EventKind::Refused { .. } => Some(DocKind::Refusal),
            EventKind::SupplementRequested { .. } => Some(DocKind::Supplement),
            EventKind::SpecialStarted { .. } => Some(DocKind::Special),
            EventKind::ExtensionDecided { approved: true, .. } => Some(DocKind::Extension),
            EventKind::Concluded { outcome: Outcome::Granted, .. } => Some(DocKind::Grant),
            EventKind::Concluded { outcome: Outcome::Denied, .. } => Some(DocKind::Denial),
            _ => None,
        }
    }
}

/// The colour of the time left, as inboxes show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Green,
    /// One working day or less left (the W01 warning threshold).
    Yellow,
    Red,
}

pub fn urgency(p: &crate::clock::Period) -> Urgency {
    if p.overdue {
        Urgency::Red
    } else if p.remaining_days <= 1 {
        Urgency::Yellow
    } else {
        Urgency::Green
    }
}

/// 办件编号: the item's implementation code, the day of submission and a
/// daily serial of at least [`CASE_SERIAL_DIGITS`] digits.
pub fn case_number(impl_code: &str, day: NaiveDate, serial: i64) -> String {
    numbered(&case_number_prefix(impl_code, day), serial)
}

/// The 办件编号 of serial `serial` after its `prefix` ([`case_number_prefix`]).
pub fn numbered(prefix: &str, serial: i64) -> String {
    format!("{prefix}{serial:0width$}", width = CASE_SERIAL_DIGITS)
}

/// The part of a 办件编号 before its serial; every case of the item that day shares it.
pub fn case_number_prefix(impl_code: &str, day: NaiveDate) -> String {
    format!("{impl_code}{}", day.format("%Y%m%d"))
}

/// The serial's least number of digits (zero-padded).
pub const CASE_SERIAL_DIGITS: usize = 4;

/// The role an actor acts in for an action that `wanted` roles may take:
/// the first of them the actor holds.
pub fn acting_role(actor: &crate::admin::Actor, wanted: &[Role]) -> Option<Role> {
    wanted.iter().copied().find(|r| actor.has(*r))
}

/// Who takes part in a case, for deciding who may read it.
#[derive(Debug, Clone, Default)]
pub struct Parties {
    pub applicant_user_id: Option<i64>,
    /// The implementing department and every department named by a step or a joint review.
    pub departments: Vec<i64>,
}

/// Applicants read their own cases, staff their department's cases and those
/// they take part in, supervision reads everything. The rule is
/// [`crate::access::cases::may_read`]; this is the same rule for callers
/// that hold the parties only.
pub fn may_read(actor: &crate::admin::Actor, p: &Parties) -> bool {
    crate::access::cases::reads(actor, p.applicant_user_id, &p.departments)
}

impl Parties {
    pub fn of(item: &ItemContent, applicant_user_id: Option<i64>) -> Parties {
        Parties { applicant_user_id, departments: item.department_ids() }
    }
}

/// How an application reached the department: online by the applicant
/// himself, or registered at the counter for a walk-in applicant (who may
/// also hold an account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 网上申报: submitted by the applicant's own account.
    Online,
    /// 窗口受理: registered by counter staff.
    Counter,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Counter => "counter",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "online" => Some(Channel::Online),
            "counter" => Some(Channel::Counter),
            _ => None,
        }
    }
}

/// The view of a case from all its events.
pub fn replay(item: &ItemContent, events: &[Event]) -> Result<CaseView, CaseError> {
    let mut v = CaseView::new();
    let mut last = i64::MIN;
    for e in events {
        if e.at_ms < last {
            return Err(CaseError::OutOfOrder);
        }
        last = e.at_ms;
        v = apply(item, &v, e)?;
    }
    Ok(v)
}

/// The last day the acceptance decision may be taken: five working days after
/// receipt (the day of receipt not counted). After it, the application counts
/// as accepted on receipt unless a supplement notice was sent in time.
pub fn acceptance_due(cal: &Calendar, submitted_at_ms: i64) -> Result<NaiveDate, CalendarError> {
    cal.add_working_days(local_date(submitted_at_ms), ACCEPTANCE_DAYS)
}

/// Whether the case must now be recorded as deemed accepted.
pub fn is_deemed_accepted(cal: &Calendar, v: &CaseView, today: NaiveDate) -> Result<bool, CalendarError> {
    match (v.state, v.submitted_at_ms) {
        (CaseState::Submitted, Some(at)) if v.supplement_notices == 0 => Ok(today > acceptance_due(cal, at)?),
        _ => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::shipped_years;
    use crate::catalog::{example, CoReview};

    fn ms(s: &str) -> i64 {
        crate::time::parse_rfc3339(s).unwrap()
    }

    fn ev(at: &str, role: Option<Role>, kind: EventKind) -> Event {
        Event { at_ms: ms(at), actor_id: Some(7), role, department_id: Some(1), kind }
    }

    fn item() -> ItemContent {
        let mut c = example(1);
        c.steps[1].joint = vec![CoReview { department_id: 2, limit_days: 3 }];
        c
    }

    #[test]
    fn full_lifecycle_with_supplement_joint_review_and_grant() {
        use EventKind::*;
        let it = item();
        let mut events = vec![
            ev("2025-09-22T09:00:00+08:00", None, Submitted),
            ev(
                "2025-09-23T09:00:00+08:00",
                Some(Role::Counter),
                SupplementRequested { missing: vec!["营业执照复印件".into()] },
            ),
            ev("2025-09-24T09:00:00+08:00", None, SupplementProvided),
            ev("2025-09-26T09:00:00+08:00", Some(Role::Counter), Accepted),
            ev("2025-09-26T10:00:00+08:00", Some(Role::Counter), StepPassed { opinion: "材料齐全".into() }),
        ];
        let v = replay(&it, &events).unwrap();
        assert_eq!((v.state, v.step, v.supplement_notices), (CaseState::InProgress, 1, 1));
        // The joint step cannot pass before the co-department answers.
        let pass = ev("2025-10-09T09:00:00+08:00", Some(Role::Reviewer), StepPassed { opinion: "同意".into() });
        assert_eq!(apply(&it, &v, &pass), Err(CaseError::JointPending { waiting: 1 }));
        let mut answer = ev(
            "2025-09-30T09:00:00+08:00",
            Some(Role::Reviewer),
            JointAnswered { department_id: 2, agree: true, opinion: "同意".into() },
        );
        answer.department_id = Some(3);
        assert_eq!(apply(&it, &v, &answer), Err(CaseError::NotInJointReview), "only the named department answers");
        answer.department_id = Some(2);
        events.push(answer);
        events.push(pass);
        events.push(ev("2025-10-10T09:00:00+08:00", Some(Role::DeptHead), StepPassed { opinion: "同意".into() }));
        let v = replay(&it, &events).unwrap();
        assert_eq!(v.state, CaseState::Deciding);
        let grant = ev(
            "2025-10-10T10:00:00+08:00",
            Some(Role::DeptHead),
            Concluded {
                outcome: Outcome::Granted,
                reason: String::new(),
                document_no: String::new(),
                valid_until: None,
                fee_fen: None,
            },
        );
        assert_eq!(apply(&it, &v, &grant), Err(CaseError::DocumentRequired));
        events.push(ev(
            "2025-10-10T10:00:00+08:00",
            Some(Role::DeptHead),
            Concluded {
                outcome: Outcome::Granted,
                reason: String::new(),
                document_no: "示食经〔2025〕1号".into(),
                valid_until: None,
                fee_fen: None,
            },
        ));
        events.push(ev(
            "2025-10-11T10:00:00+08:00",
            Some(Role::Counter),
            Delivered { method: "窗口领取".into(), tracking_no: String::new() },
        ));
        let v = replay(&it, &events).unwrap();
        assert_eq!((v.state, v.outcome), (CaseState::Delivered, Some(Outcome::Granted)));
        // Accepted Fri 2025-09-26 with a promised limit of 10: 09-28 (Sun, worked) 1, 29, 30 (3),
        // 10-01..08 off, 10-09, 10-10 (5), 10-11 (Sat, worked) 6, 10-13..16 (10): due 2025-10-16.
        let cal = Calendar::new(shipped_years()).unwrap();
        let st = v.clock.as_ref().unwrap().status_on(&cal, NaiveDate::from_ymd_opt(2025, 12, 1).unwrap()).unwrap();
        assert_eq!(st.promised.deadline, NaiveDate::from_ymd_opt(2025, 10, 16).unwrap());
        assert!(!st.promised.overdue);
        assert_eq!(st.steps.len(), 3);
    }

    #[test]
    fn illegal_actions_are_refused() {
        use EventKind::*;
        let it = item();
        let v = replay(&it, &[ev("2025-09-22T09:00:00+08:00", None, Submitted)]).unwrap();
        assert_eq!(
            apply(&it, &v, &ev("2025-09-22T10:00:00+08:00", Some(Role::Counter), Refused { reason: " ".into() })),
            Err(CaseError::ReasonRequired)
        );
        assert_eq!(
            apply(
                &it,
                &v,
                &ev("2025-09-22T10:00:00+08:00", Some(Role::Counter), SupplementRequested { missing: vec![] })
            ),
            Err(CaseError::EmptySupplement)
        );
        assert_eq!(
            apply(&it, &v, &ev("2025-09-22T10:00:00+08:00", Some(Role::DeptAdmin), Accepted)),
            Err(CaseError::WrongRole)
        );
        assert!(
            matches!(
                apply(&it, &v, &ev("2025-09-22T10:00:00+08:00", None, Submitted)),
                Err(CaseError::WrongState { .. })
            ),
            "no double submit"
        );
        let granted_early = ev(
            "2025-09-22T10:00:00+08:00",
            Some(Role::DeptHead),
            Concluded {
                outcome: Outcome::Granted,
                reason: String::new(),
                document_no: "1".into(),
                valid_until: None,
                fee_fen: None,
            },
        );
        assert!(matches!(apply(&it, &v, &granted_early), Err(CaseError::WrongState { .. })));
        let v = apply(&it, &v, &ev("2025-09-23T10:00:00+08:00", Some(Role::Counter), Accepted)).unwrap();
        assert_eq!(
            apply(&it, &v, &granted_early),
            Err(CaseError::StepsPending),
            "no conclusion without the steps (A05)"
        );
        assert_eq!(
            apply(&it, &v, &ev("2025-09-23T11:00:00+08:00", Some(Role::Reviewer), StepPassed { opinion: "x".into() })),
            Err(CaseError::WrongRole),
            "step 1 is the counter's"
        );
        assert_eq!(
            apply(
                &it,
                &v,
                &ev("2025-09-23T11:00:00+08:00", Some(Role::Counter), ReturnedToStep { step: 0, reason: "x".into() })
            ),
            Err(CaseError::BadReturn)
        );
        let void = ev(
            "2025-09-23T11:00:00+08:00",
            Some(Role::Reviewer),
            Concluded {
                outcome: Outcome::Voided,
                reason: "重复申请".into(),
                document_no: String::new(),
                valid_until: None,
                fee_fen: None,
            },
        );
        assert_eq!(apply(&it, &v, &void), Err(CaseError::WrongRole), "void needs the department head");
        let ext = ev(
            "2025-09-24T10:00:00+08:00",
            Some(Role::Reviewer),
            ExtensionRequested { days: 10, reason: "情况复杂".into() },
        );
        let v2 = apply(&it, &v, &ext).unwrap();
        assert_eq!(apply(&it, &v2, &ext), Err(CaseError::ExtensionExists));
        assert_eq!(
            apply(
                &it,
                &v2,
                &ev(
                    "2025-09-24T11:00:00+08:00",
                    Some(Role::Reviewer),
                    ExtensionDecided { approved: true, opinion: "同意".into() }
                )
            ),
            Err(CaseError::WrongRole)
        );
        let v3 = apply(
            &it,
            &v2,
            &ev(
                "2025-09-24T11:00:00+08:00",
                Some(Role::DeptHead),
                ExtensionDecided { approved: true, opinion: "同意延长".into() },
            ),
        )
        .unwrap();
        assert_eq!(v3.clock.as_ref().unwrap().legal_limit(), 30);
        assert_eq!(
            replay(
                &it,
                &[
                    ev("2025-09-23T09:00:00+08:00", None, Submitted),
                    ev("2025-09-22T09:00:00+08:00", None, Withdrawn { reason: "x".into() })
                ]
            ),
            Err(CaseError::OutOfOrder)
        );
    }

    #[test]
    fn return_keeps_the_task_and_special_procedures_stop_the_clock() {
        use EventKind::*;
        let it = example(1);
        let events = vec![
            ev("2025-03-03T09:00:00+08:00", None, Submitted),
            ev("2025-03-03T10:00:00+08:00", Some(Role::Counter), Accepted),
            ev("2025-03-04T10:00:00+08:00", Some(Role::Counter), StepPassed { opinion: "受理".into() }),
            ev(
                "2025-03-05T10:00:00+08:00",
                Some(Role::Reviewer),
                SpecialStarted { kind: "检测".into(), reason: "送检".into() },
            ),
            ev("2025-03-11T10:00:00+08:00", Some(Role::Reviewer), SpecialEnded { result: "合格".into() }),
            ev("2025-03-12T10:00:00+08:00", Some(Role::Reviewer), StepPassed { opinion: "审查通过".into() }),
            ev(
                "2025-03-13T10:00:00+08:00",
                Some(Role::DeptHead),
                ReturnedToStep { step: 1, reason: "补充核查".into() },
            ),
        ];
        let v = replay(&it, &events).unwrap();
        assert_eq!((v.state, v.step), (CaseState::InProgress, 1), "the returned task is at step 2 again");
        let cal = Calendar::new(shipped_years()).unwrap();
        let st = v.clock.as_ref().unwrap().status_on(&cal, NaiveDate::from_ymd_opt(2025, 3, 13).unwrap()).unwrap();
        assert_eq!(st.suspended_days, 4);
        assert_eq!(st.promised.deadline, NaiveDate::from_ymd_opt(2025, 3, 21).unwrap());
        assert_eq!(st.steps.len(), 4);
    }

    #[test]
    fn deemed_acceptance_after_five_working_days() {
        let cal = Calendar::new(shipped_years()).unwrap();
        let it = item();
        // Received Fri 2025-09-26: five working days end Fri 10-10 (09-28 worked, 10-01..08 off).
        let v = replay(&it, &[ev("2025-09-26T15:00:00+08:00", None, EventKind::Submitted)]).unwrap();
        assert_eq!(
            acceptance_due(&cal, v.submitted_at_ms.unwrap()).unwrap(),
            NaiveDate::from_ymd_opt(2025, 10, 10).unwrap()
        );
        assert!(!is_deemed_accepted(&cal, &v, NaiveDate::from_ymd_opt(2025, 10, 10).unwrap()).unwrap());
        assert!(is_deemed_accepted(&cal, &v, NaiveDate::from_ymd_opt(2025, 10, 11).unwrap()).unwrap());
        let v = apply(&it, &v, &ev("2025-10-11T00:05:00+08:00", None, EventKind::DeemedAccepted)).unwrap();
        assert!(v.deemed_accepted);
        assert_eq!(v.accepted_at_ms, Some(ms("2025-09-26T15:00:00+08:00")), "accepted on receipt");
    }

    #[test]
    fn every_state_but_a_draft_is_open_or_ended() {
        for s in CaseState::ALL {
            let n = [*s == CaseState::Draft, s.is_open(), s.is_ended()].iter().filter(|b| **b).count();
            assert_eq!(n, 1, "{s:?} is one of draft, open, ended");
            assert!(!s.is_concluded() || s.is_ended(), "{s:?}: concluded is ended");
        }
        assert_eq!(serde_json::to_string(&CaseState::InProgress).unwrap(), "\"in_progress\"");
        assert_eq!(CaseState::parse("in_progress"), Some(CaseState::InProgress));
        assert_eq!(crate::sql_list!(CaseState, CaseState::CONCLUDED), "'concluded', 'delivered'");
        assert_eq!(Outcome::parse("voided"), Some(Outcome::Voided));
    }
}
