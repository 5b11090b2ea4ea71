//! The view of a case as its events make it, and its replay.

use super::{apply, CaseError, CaseState, Event, Outcome};
use crate::catalog::{ItemContent, Step};
use crate::clock::CaseClock;
use serde::{Deserialize, Serialize};

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
