//! 审管交互: an approval's result pushed to the departments that supervise
//! the licensee afterwards (the regulators), and their claim (认领) within a
//! number of working days. Which records are pushed, what they carry of the
//! case, when a claim is due and what a claim's note may be.

use crate::calendar::{Calendar, CalendarError};
use crate::cases::{EventKind, Outcome};
use crate::codes::code_list;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_list!(
    /// What a record was pushed on.
    Kind {
        /// 办结: a grant (准予) or a denial (不予许可).
        Conclusion = "conclusion",
        /// A change of the licence's status (换发, 变更, 注销, 吊销, 过期).
        LicenseChange = "license_change",
    }
);

/// Working days a regulator has to claim a record, unless configured.
pub const DEFAULT_CLAIM_DAYS: u32 = 2;
/// The longest claim note, in characters.
pub const MAX_NOTE: usize = 500;

/// Whether a conclusion is pushed to the regulators: a grant and a denial
/// are (the licensee is supervised, or the regulator knows who was refused);
/// a withdrawal, a void or a forwarding is not a decision on the matter.
pub fn pushes(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Granted | Outcome::Denied)
}

/// The last day to claim a record pushed on `pushed_on`: `days` working
/// days later (the day of the push not counted).
pub fn claim_due(cal: &Calendar, pushed_on: NaiveDate, days: u32) -> Result<NaiveDate, CalendarError> {
    cal.add_working_days(pushed_on, days)
}

/// A claim's note: trimmed, at most [`MAX_NOTE`] characters (None when too long).
pub fn note(text: &str) -> Option<String> {
    let t = text.trim();
    (t.chars().count() <= MAX_NOTE).then(|| t.to_string())
}

/// One opinion recorded while the case was handled (办理意见).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = HandoverOpinion))]
pub struct Opinion {
    /// The step the case was at (环节名称).
    pub step: String,
    /// Who gave it.
    pub by: String,
    /// When (ms since the epoch).
    pub at: i64,
    /// The opinion, as recorded.
    pub text: String,
}

/// One event of the case as the opinions are read from it.
pub struct SeenEvent<'a> {
    pub step: &'a str,
    pub by: &'a str,
    pub at: i64,
    pub kind: &'a EventKind,
}

/// The opinions of a case, in order: each step passed, each joint answer,
/// an extension's decision, a special procedure's result and the
/// conclusion's reason, where one was written.
pub fn opinions(events: &[SeenEvent<'_>]) -> Vec<Opinion> {
    events
        .iter()
        .filter_map(|e| {
            let text = match e.kind {
                EventKind::StepPassed { opinion } => opinion.clone(),
                EventKind::JointAnswered { agree, opinion, .. } => {
                    format!(
                        "{}{}{}",
                        if *agree { "同意" } else { "不同意" },
                        if opinion.is_empty() { "" } else { "：" },
                        opinion
                    )
                }
                EventKind::ExtensionDecided { opinion, .. } => opinion.clone(),
                EventKind::SpecialEnded { result } => result.clone(),
                EventKind::Concluded { reason, .. } => reason.clone(),
                _ => return None,
            };
            let text = text.trim().to_string();
            (!text.is_empty()).then(|| Opinion { step: e.step.to_string(), by: e.by.to_string(), at: e.at, text })
        })
        .collect()
}

/// One material of the case as the record lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = HandoverMaterial))]
pub struct MaterialEntry {
    pub material_no: i64,
    pub name: String,
    pub file_name: String,
    /// The SM3 of the file in the file store.
    pub file_sm3: String,
    /// 可信等级 A–D.
    pub trust: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_and_denials_are_pushed_and_nothing_else() {
        assert!(pushes(Outcome::Granted) && pushes(Outcome::Denied));
        for o in [Outcome::Returned, Outcome::Voided, Outcome::Forwarded] {
            assert!(!pushes(o), "{o:?}");
        }
    }

    #[test]
    fn the_claim_is_due_two_working_days_after_the_push() {
        let cal = Calendar::new(crate::calendar::shipped_years()).unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Friday 2025-09-26: Sunday 09-28 is a make-up working day.
        assert_eq!(claim_due(&cal, d("2025-09-26"), 2).unwrap(), d("2025-09-29"));
        // Tuesday 2025-09-30: the National Day week is off.
        assert_eq!(claim_due(&cal, d("2025-09-30"), 2).unwrap(), d("2025-10-10"));
        assert_eq!(claim_due(&cal, d("2025-12-01"), DEFAULT_CLAIM_DAYS).unwrap(), d("2025-12-03"));
    }

    #[test]
    fn opinions_are_read_in_order_and_empty_ones_left_out() {
        let passed = EventKind::StepPassed { opinion: "材料齐全".into() };
        let silent = EventKind::StepPassed { opinion: "  ".into() };
        let joint = EventKind::JointAnswered { department_id: 3, agree: false, opinion: "规划不符".into() };
        let accepted = EventKind::Accepted;
        let e = |kind, step| SeenEvent { step, by: "李娜", at: 1, kind };
        let got = opinions(&[e(&accepted, "受理"), e(&passed, "受理"), e(&silent, "审查"), e(&joint, "审查")]);
        let texts: Vec<&str> = got.iter().map(|o| o.text.as_str()).collect();
        assert_eq!(texts, ["材料齐全", "不同意：规划不符"]);
        assert_eq!(got[0].step, "受理");
    }

    #[test]
    fn a_note_is_trimmed_and_bounded() {
        assert_eq!(note("  已接收  ").as_deref(), Some("已接收"));
        assert_eq!(note(""), Some(String::new()));
        assert!(note(&"长".repeat(MAX_NOTE + 1)).is_none());
        assert!(note(&"长".repeat(MAX_NOTE)).is_some());
    }
}
