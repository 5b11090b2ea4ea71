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
        /// A change of the licence's status (换发, 变更, 注销, 吊销, 过期, 作废).
        LicenseChange = "license_change",
        /// The conclusion pushed before was corrected (误操作更正, before
        /// delivery): it no longer stands, the case waits for a new
        /// decision, whose own record follows. `decision` is the outcome
        /// corrected.
        ConclusionCorrected = "conclusion_corrected",
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

/// The departments a change of a licence's status is pushed to: those its
/// case's conclusion went to (none recorded: the issuing department), and,
/// when another department made the change (a regulator's 吊销 flowing
/// back), the issuing department too; never the department that made it
/// (`acting`, None for the background job's 过期), which knows.
pub fn change_recipients(conclusion_went_to: &[i64], issuer: i64, acting: Option<i64>) -> Vec<i64> {
    let mut out: Vec<i64> = conclusion_went_to.to_vec();
    if out.is_empty() || acting.is_some_and(|a| a != issuer) {
        out.push(issuer);
    }
    let mut seen = vec![];
    out.retain(|d| {
        Some(*d) != acting && !seen.contains(d) && {
            seen.push(*d);
            true
        }
    });
    out
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

// ---------- the flow back (回流) ----------

code_list!(
    /// What a regulator decided about a licensee whose approval it claimed.
    SanctionKind {
        /// 行政处罚 (a fine, a warning, …).
        Penalty = "penalty": "行政处罚",
        /// 责令改正.
        Rectify = "rectify": "责令改正",
        /// 吊销: the licence is revoked.
        Revoke = "revoke": "吊销许可证件",
        /// 限制准入: new applications for the items concerned are flagged for a period.
        Restrict = "restrict": "限制准入",
    }
);

/// The longest decision number (决定书文号), in characters.
pub const MAX_DECISION_NO: usize = 100;
/// The longest reason, in characters.
pub const MAX_SANCTION_REASON: usize = 2000;
/// The most items a 限制准入 may name.
pub const MAX_RESTRICT_ITEMS: usize = 50;

/// Why a decision flowing back is refused; nothing is written then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SanctionError {
    /// Every decision carries its number (决定书文号).
    DecisionNoRequired,
    DecisionNoTooLong,
    /// A control character (a tab, a line break, a bell …) in the number.
    DecisionNoInvalid,
    ReasonRequired,
    ReasonTooLong,
    /// A decision is recorded once taken: not dated after today.
    DecidedInFuture,
    /// A 限制准入 names its first and last day.
    PeriodRequired,
    /// The last day of a 限制准入 is before its first.
    PeriodEndsBeforeStart,
    /// A 限制准入 names the items it concerns.
    ItemsRequired,
    TooManyItems,
    /// A 吊销 names the licence it revokes.
    LicenseRequired,
    /// A decision number names one decision of one regulator: the same
    /// department recorded this number already (checked by the use case
    /// against what is stored, guarded by a unique index).
    DecisionNoTaken,
    /// A 限制准入 names an item outside the regulator's field: neither the
    /// record's own item nor one whose licensees the regulator supervises.
    ItemOutsideField,
}

impl SanctionError {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            SanctionError::DecisionNoRequired => "decision_no_required",
            SanctionError::DecisionNoTooLong => "decision_no_too_long",
            SanctionError::DecisionNoInvalid => "decision_no_invalid",
            SanctionError::ReasonRequired => "sanction_reason_required",
            SanctionError::ReasonTooLong => "sanction_reason_too_long",
            SanctionError::DecidedInFuture => "decided_in_future",
            SanctionError::PeriodRequired => "restrict_period_required",
            SanctionError::PeriodEndsBeforeStart => "restrict_period_reversed",
            SanctionError::ItemsRequired => "restrict_items_required",
            SanctionError::TooManyItems => "restrict_too_many_items",
            SanctionError::LicenseRequired => "revoke_needs_license",
            SanctionError::DecisionNoTaken => "decision_no_taken",
            SanctionError::ItemOutsideField => "restrict_item_outside_field",
        }
    }
}

/// A decision as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanctionDraft<'a> {
    pub kind: SanctionKind,
    pub decision_no: &'a str,
    pub decided_on: NaiveDate,
    pub reason: &'a str,
    /// 限制准入: the first and the last day (both counted).
    pub restrict_from: Option<NaiveDate>,
    pub restrict_until: Option<NaiveDate>,
    /// 限制准入: the catalogue items concerned.
    pub item_ids: &'a [i64],
    /// A licence is named (the record's or the one entered).
    pub has_license: bool,
}

/// A decision as recorded: texts trimmed, the period and the items only for
/// a 限制准入 (items once each, in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sanction {
    pub kind: SanctionKind,
    pub decision_no: String,
    pub decided_on: NaiveDate,
    pub reason: String,
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub item_ids: Vec<i64>,
}

/// A decision document number (决定书文号) as recorded: trimmed, present,
/// at most [`MAX_DECISION_NO`] characters. It names one decision of one
/// department, whichever way the decision is entered (a decision flowing
/// back on a pushed record, or a 吊销 on the licence's page): the use cases
/// refuse a number the department used already ([`SanctionError::DecisionNoTaken`]).
///
/// One number however it was typed: full-width letters, digits and signs
/// (（２０２６）) are read as their ASCII forms, the ideographic space as a
/// space, and characters that show nothing (a zero-width space …) are
/// dropped, so that two numbers that look alike are one; a control
/// character is refused.
pub fn decision_number(text: &str) -> Result<String, SanctionError> {
    let mut typed = String::with_capacity(text.len());
    for c in text.chars() {
        if crate::admin::invisible(c) {
            continue;
        }
        if c.is_control() {
            return Err(SanctionError::DecisionNoInvalid);
        }
        typed.push(match c {
            '\u{3000}' => ' ',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(u32::from(c) - 0xfee0).unwrap_or(c),
            _ => c,
        });
    }
    let decision_no = typed.trim();
    if decision_no.is_empty() {
        return Err(SanctionError::DecisionNoRequired);
    }
    if decision_no.chars().count() > MAX_DECISION_NO {
        return Err(SanctionError::DecisionNoTooLong);
    }
    Ok(decision_no.to_string())
}

/// Checks a decision entered on `today`.
pub fn sanction(d: &SanctionDraft<'_>, today: NaiveDate) -> Result<Sanction, SanctionError> {
    let decision_no = decision_number(d.decision_no)?;
    let reason = d.reason.trim();
    if reason.is_empty() {
        return Err(SanctionError::ReasonRequired);
    }
    if reason.chars().count() > MAX_SANCTION_REASON {
        return Err(SanctionError::ReasonTooLong);
    }
    if d.decided_on > today {
        return Err(SanctionError::DecidedInFuture);
    }
    if d.kind == SanctionKind::Revoke && !d.has_license {
        return Err(SanctionError::LicenseRequired);
    }
    let (period, item_ids) = if d.kind == SanctionKind::Restrict {
        let (Some(from), Some(until)) = (d.restrict_from, d.restrict_until) else {
            return Err(SanctionError::PeriodRequired);
        };
        if until < from {
            return Err(SanctionError::PeriodEndsBeforeStart);
        }
        let mut items: Vec<i64> = vec![];
        for id in d.item_ids {
            if !items.contains(id) {
                items.push(*id);
            }
        }
        if items.is_empty() {
            return Err(SanctionError::ItemsRequired);
        }
        if items.len() > MAX_RESTRICT_ITEMS {
            return Err(SanctionError::TooManyItems);
        }
        (Some((from, until)), items)
    } else {
        (None, vec![])
    };
    Ok(Sanction { kind: d.kind, decision_no, decided_on: d.decided_on, reason: reason.to_string(), period, item_ids })
}

/// Whether a 限制准入 from `from` to `until` (both counted) on `items`
/// concerns an application for `item_id` made on `on`.
pub fn restricts(from: NaiveDate, until: NaiveDate, items: &[i64], item_id: i64, on: NaiveDate) -> bool {
    from <= on && on <= until && items.contains(&item_id)
}

/// Whether a regulator's 限制准入 may name an item: the item of the record
/// it was recorded on, or an item whose licensees the regulator supervises
/// (it is among the item's regulators, [`crate::catalog::ItemContent::regulators`]).
/// An item of another field is another department's to restrict.
pub fn in_field(regulator_department_id: i64, record_item_id: i64, item_id: i64, item_regulators: &[i64]) -> bool {
    item_id == record_item_id || item_regulators.contains(&regulator_department_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restriction_stays_in_the_regulators_field() {
        // The record's own item, whoever supervises it now.
        assert!(in_field(2, 10, 10, &[3]));
        // An item the regulator supervises.
        assert!(in_field(2, 10, 11, &[1, 2]));
        // Another department's field.
        assert!(!in_field(2, 10, 12, &[3]));
        assert!(!in_field(2, 10, 12, &[]));
    }

    fn draft(kind: SanctionKind) -> SanctionDraft<'static> {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        SanctionDraft {
            kind,
            decision_no: " 六市监罚〔2026〕12号 ",
            decided_on: d("2026-03-02"),
            reason: "超范围经营",
            restrict_from: Some(d("2026-03-02")),
            restrict_until: Some(d("2027-03-01")),
            item_ids: &[7, 7, 9],
            has_license: true,
        }
    }

    #[test]
    fn a_decision_needs_its_number_and_reason_and_a_restriction_its_period_and_items() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        let s = sanction(&draft(SanctionKind::Restrict), today).unwrap();
        assert_eq!(s.decision_no, "六市监罚〔2026〕12号");
        // Numbers that look alike are one; a control character is refused.
        assert_eq!(decision_number("市监罚（２０２６）12号\u{200b}").unwrap(), "市监罚(2026)12号");
        assert_eq!(decision_number("\u{feff}DN－B\u{3000}").unwrap(), "DN-B");
        assert_eq!(decision_number("DN\u{7}X"), Err(SanctionError::DecisionNoInvalid));
        assert_eq!(decision_number("\u{200b}\u{200c}"), Err(SanctionError::DecisionNoRequired));
        assert_eq!(s.item_ids, [7, 9]);
        assert!(s.period.is_some());
        let p = sanction(&draft(SanctionKind::Penalty), today).unwrap();
        assert!(p.period.is_none() && p.item_ids.is_empty(), "a penalty carries no period");
        let e = |d: SanctionDraft<'_>| sanction(&d, today).unwrap_err();
        assert_eq!(
            e(SanctionDraft { decision_no: "  ", ..draft(SanctionKind::Revoke) }),
            SanctionError::DecisionNoRequired
        );
        assert_eq!(e(SanctionDraft { reason: "", ..draft(SanctionKind::Penalty) }), SanctionError::ReasonRequired);
        assert_eq!(
            e(SanctionDraft { has_license: false, ..draft(SanctionKind::Revoke) }),
            SanctionError::LicenseRequired
        );
        assert_eq!(
            e(SanctionDraft { restrict_until: None, ..draft(SanctionKind::Restrict) }),
            SanctionError::PeriodRequired
        );
        let before = NaiveDate::from_ymd_opt(2026, 3, 1);
        assert_eq!(
            e(SanctionDraft { restrict_until: before, ..draft(SanctionKind::Restrict) }),
            SanctionError::PeriodEndsBeforeStart
        );
        assert_eq!(e(SanctionDraft { item_ids: &[], ..draft(SanctionKind::Restrict) }), SanctionError::ItemsRequired);
        let later = NaiveDate::from_ymd_opt(2026, 3, 6).unwrap();
        assert_eq!(
            e(SanctionDraft { decided_on: later, ..draft(SanctionKind::Penalty) }),
            SanctionError::DecidedInFuture
        );
        assert_eq!(
            e(SanctionDraft { decision_no: &"号".repeat(MAX_DECISION_NO + 1), ..draft(SanctionKind::Penalty) }),
            SanctionError::DecisionNoTooLong
        );
    }

    #[test]
    fn a_restriction_concerns_its_items_within_its_period() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (from, until) = (d("2026-03-02"), d("2026-06-30"));
        assert!(restricts(from, until, &[7, 9], 7, d("2026-03-02")));
        assert!(restricts(from, until, &[7, 9], 9, d("2026-06-30")));
        assert!(!restricts(from, until, &[7, 9], 7, d("2026-07-01")));
        assert!(!restricts(from, until, &[7, 9], 7, d("2026-03-01")));
        assert!(!restricts(from, until, &[7, 9], 8, d("2026-04-01")));
    }

    #[test]
    fn a_change_goes_to_the_regulators_and_never_back_to_who_made_it() {
        // The issuing department (1) revokes: the regulators (2, 3) are told.
        assert_eq!(change_recipients(&[2, 3], 1, Some(1)), [2, 3]);
        // A regulator (2) revokes: the other regulator and the issuing department, not itself.
        assert_eq!(change_recipients(&[2, 3], 1, Some(2)), [3, 1]);
        assert_eq!(change_recipients(&[2], 1, Some(2)), [1]);
        // The issuing department is its own regulator (the default) and changes it: nobody else to tell.
        assert!(change_recipients(&[1], 1, Some(1)).is_empty());
        // No conclusion record (an imported licence): the issuing department, unless it acted.
        assert_eq!(change_recipients(&[], 1, None), [1]);
        assert!(change_recipients(&[], 1, Some(1)).is_empty());
        // The job's 过期: the regulators as pushed, each once.
        assert_eq!(change_recipients(&[1, 2], 1, None), [1, 2]);
    }

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
