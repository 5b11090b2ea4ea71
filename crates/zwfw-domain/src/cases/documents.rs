//! The trust level of a material and the official documents (文书) a case
//! produces.

use super::{EventKind, Outcome};
use crate::codes::code_list;
use serde::{Deserialize, Serialize};

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
    /// 退件通知书
    Return,
}

impl DocKind {
    pub const ALL: [DocKind; 8] = [
        DocKind::Acceptance,
        DocKind::Refusal,
        DocKind::Supplement,
        DocKind::Special,
        DocKind::Extension,
        DocKind::Grant,
        DocKind::Denial,
        DocKind::Return,
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
            DocKind::Return => "return",
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
            DocKind::Return => "退",
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
            EventKind::Concluded { outcome: Outcome::Returned, .. } => Some(DocKind::Return),
            _ => None,
        }
    }
}
