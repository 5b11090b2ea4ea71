//! 双公示 of 行政许可 decisions: which conclusions are published as credit
//! information, the national fields they carry, when a publication is due
//! (7 working days after the decision), how timely it was, and when a
//! published licence turns 无效.

use crate::calendar::{Calendar, CalendarError};
use crate::cases::{ApplicantKind, Outcome};
use crate::catalog::ItemType;
use crate::codes::code_list;
use crate::licenses::LicenseChange;
use chrono::NaiveDate;

/// Working days after the decision by which it is published (State Council
/// documents as local credit sites quote them).
pub const PUBLISH_DAYS: u32 = 7;

/// 有效期至 of a licence without an end (长期).
pub const LONG_TERM: &str = "2099-12-31";

/// The longest 许可内容, in characters.
pub const MAX_CONTENT: usize = 2000;

code_list!(
    /// 许可类别, the national list.
    Category {
        General = "general": "普通",
        Special = "special": "特许",
        Recognition = "recognition": "认可",
        Approval = "approval": "核准",
        Registration = "registration": "登记",
        Other = "other": "其他",
    }
);

code_list!(
    /// How a decision's publication stands against its due day.
    Timeliness {
        /// Published on or before the due day.
        OnTime = "on_time": "按期公示",
        /// Published after the due day.
        Late = "late": "逾期公示",
        /// Not published and the due day has passed.
        Overdue = "overdue": "超期未公示",
        /// Not published, the due day still ahead (or today).
        Pending = "pending": "待公示",
    }
);

code_list!(
    /// 当前状态 of a published decision.
    Status {
        Valid = "valid": "有效",
        Invalid = "invalid": "无效",
    }
);

/// Whether a conclusion is a 行政许可 decision that is published: a grant
/// or a denial (不予许可) of an item of type 行政许可. A withdrawal, a void
/// or a forwarding decides nothing; other item types are not 行政许可.
pub fn published(item_type: ItemType, outcome: Outcome) -> bool {
    item_type == ItemType::Licensing && matches!(outcome, Outcome::Granted | Outcome::Denied)
}

/// 行政许可决定文书名称 of a decision.
pub fn document_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Denied => "不予行政许可决定书",
        _ => "准予行政许可决定书",
    }
}

/// The last day to publish a decision taken on `decided_on`: seven working
/// days later (the day of the decision not counted).
pub fn publish_due(cal: &Calendar, decided_on: NaiveDate) -> Result<NaiveDate, CalendarError> {
    cal.add_working_days(decided_on, PUBLISH_DAYS)
}

/// The timeliness of a publication due on `due`, published on `published_on`
/// (if it was), seen on `today`.
pub fn timeliness(due: NaiveDate, published_on: Option<NaiveDate>, today: NaiveDate) -> Timeliness {
    match published_on {
        Some(p) if p <= due => Timeliness::OnTime,
        Some(_) => Timeliness::Late,
        None if due < today => Timeliness::Overdue,
        None => Timeliness::Pending,
    }
}

/// Whether a change of the licence makes its published decision 无效:
/// 注销, 吊销 and 作废. (A reissue or an amendment keeps the decision in force; an
/// expiry is read from 有效期至.)
pub fn invalidates(change: LicenseChange) -> bool {
    matches!(change, LicenseChange::Cancelled | LicenseChange::Revoked | LicenseChange::Voided)
}

/// 当前状态: 无效 from the day it was recorded so, else 有效.
pub fn status(invalid_on: Option<&str>) -> Status {
    if invalid_on.is_some() {
        Status::Invalid
    } else {
        Status::Valid
    }
}

/// 行政相对人类别 as the national table names it.
pub fn holder_category(kind: ApplicantKind) -> &'static str {
    match kind {
        ApplicantKind::Legal => "法人及非法人组织",
        ApplicantKind::Natural => "自然人",
    }
}

/// The holder's name and code as published: an organisation's whole (its
/// 统一社会信用代码 is public by law), a person's masked — the name to its
/// first character, the 身份证 number to its first six and last four.
pub fn public_holder(kind: ApplicantKind, name: &str, code: &str) -> (String, String) {
    match kind {
        ApplicantKind::Legal => (name.to_string(), code.to_string()),
        ApplicantKind::Natural => (crate::ids::mask_name(name), crate::ids::mask_middle(code, 6, 4)),
    }
}

/// 许可内容 given at publication: trimmed, 1 to [`MAX_CONTENT`] characters.
pub fn content(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty() && t.chars().count() <= MAX_CONTENT).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn licensing_grants_and_denials_are_published_and_nothing_else() {
        assert!(published(ItemType::Licensing, Outcome::Granted));
        assert!(published(ItemType::Licensing, Outcome::Denied));
        for o in [Outcome::Returned, Outcome::Voided, Outcome::Forwarded] {
            assert!(!published(ItemType::Licensing, o), "{o:?}");
        }
        assert!(!published(ItemType::Benefit, Outcome::Granted));
        assert_eq!(document_name(Outcome::Denied), "不予行政许可决定书");
    }

    #[test]
    fn the_publication_is_due_seven_working_days_after_the_decision() {
        let cal = Calendar::new(crate::calendar::shipped_years()).unwrap();
        // Friday 2025-09-26: Sunday 09-28 and Saturday 10-11 are make-up working days, 10-01..08 are off.
        assert_eq!(publish_due(&cal, d("2025-09-26")).unwrap(), d("2025-10-13"));
        // Monday 2025-12-01: seven working days are 12-10.
        assert_eq!(publish_due(&cal, d("2025-12-01")).unwrap(), d("2025-12-10"));
    }

    #[test]
    fn timeliness_against_the_due_day() {
        let due = d("2025-12-10");
        assert_eq!(timeliness(due, Some(due), d("2025-12-20")), Timeliness::OnTime);
        assert_eq!(timeliness(due, Some(d("2025-12-11")), d("2025-12-20")), Timeliness::Late);
        assert_eq!(timeliness(due, None, due), Timeliness::Pending);
        assert_eq!(timeliness(due, None, d("2025-12-11")), Timeliness::Overdue);
    }

    #[test]
    fn cancellation_and_revocation_make_the_decision_invalid() {
        assert!(invalidates(LicenseChange::Revoked) && invalidates(LicenseChange::Cancelled));
        assert!(invalidates(LicenseChange::Voided), "a licence voided with its decision");
        for c in [LicenseChange::Issued, LicenseChange::Reissued, LicenseChange::Amended, LicenseChange::Expired] {
            assert!(!invalidates(c), "{c:?}");
        }
        assert_eq!(status(Some("2025-12-01")).label(), "无效");
        assert_eq!(status(None).label(), "有效");
    }

    #[test]
    fn a_person_is_masked_and_an_organisation_is_not() {
        let (n, c) = public_holder(ApplicantKind::Natural, "张三丰", "110101199003074514");
        assert!(n.starts_with('张') && !n.contains("三丰"), "{n}");
        assert_eq!(c.len(), 18);
        assert!(c.starts_with("110101") && c.ends_with("4514") && !c.contains("19900307"), "{c}");
        let (n, c) = public_holder(ApplicantKind::Legal, "示例公司", "91110000000000000X");
        assert_eq!((n.as_str(), c.as_str()), ("示例公司", "91110000000000000X"));
        assert!(content("  ").is_none() && content(&"长".repeat(MAX_CONTENT + 1)).is_none());
        assert_eq!(content(" 食品销售 ").as_deref(), Some("食品销售"));
    }
}
