//! One mapping per national table, from the facts of a case (as they were
//! at the event reported) to the table's columns. The application gathers
//! the facts from the store; these functions decide every value.

pub mod accept;
pub mod license;
pub mod material;
pub mod process;
pub mod result;
pub mod special;

#[cfg(test)]
mod golden;

use crate::cases::EventKind;
use crate::catalog::CaseType;

/// What a case says about itself, as reported (the parts of a case that
/// its events do not change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    /// 办件编号
    pub case_no: String,
    pub item_name: String,
    /// 基本编码
    pub basic_code: String,
    /// 实施编码
    pub impl_code: String,
    /// The item version the case is bound to.
    pub item_version: i64,
    pub case_type: CaseType,
    /// The item's 结果名称 (a licence's name when granted).
    pub result_name: String,
    /// The accepting department and its 统一社会信用代码.
    pub org_name: String,
    pub org_code: String,
    /// natural | legal
    pub applicant_kind: String,
    pub applicant_name: String,
    /// 身份证号 or 统一社会信用代码.
    pub applicant_id_no: String,
    pub applicant_mobile: String,
    pub applicant_address: String,
    /// online | counter
    pub channel: String,
}

impl CaseFacts {
    pub fn is_legal_person(&self) -> bool {
        self.applicant_kind == "legal"
    }
}

/// One event of the case, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFacts {
    pub seq: i64,
    pub at_ms: i64,
    pub actor_name: String,
    /// The step the case was at when the event happened.
    pub step_name: String,
    pub kind: EventKind,
}

/// The events of a case up to and including the one reported (the last).
/// Never empty.
pub type History<'a> = &'a [EventFacts];

/// The event reported: the last of `h`.
pub(crate) fn reported(h: History<'_>) -> &EventFacts {
    h.last().expect("a history holds the event reported")
}
