//! Public interaction (我要咨询 / 我要建议 / 我要投诉 / 网站纠错): what a
//! submission must contain, who handles it (分级负责, regulation 004 第四条),
//! its deadline in working days (第五条), the actions on it and whether the
//! answer is published (第六条). GB/T 39046 表10 names the data items.

use crate::calendar::{Calendar, CalendarError};
use crate::codes::code_list;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The four columns of the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 我要咨询
    Consultation,
    /// 我要建议
    Suggestion,
    /// 我要投诉
    Complaint,
    /// 网站纠错
    Correction,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Consultation, Kind::Suggestion, Kind::Complaint, Kind::Correction];

    pub const fn code(self) -> &'static str {
        match self {
            Kind::Consultation => "consultation",
            Kind::Suggestion => "suggestion",
            Kind::Complaint => "complaint",
            Kind::Correction => "correction",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The letters that begin its number (咨询编码 and the like).
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Consultation => "ZX",
            Kind::Suggestion => "JY",
            Kind::Complaint => "TS",
            Kind::Correction => "JC",
        }
    }

    /// A consultation or an error report may come without an account, with a
    /// mobile number to answer; a suggestion or a complaint is real-name.
    pub fn anonymous_allowed(self) -> bool {
        matches!(self, Kind::Consultation | Kind::Correction)
    }

    /// The longest content: GB/T 39046 表10 gives 投诉内容 an..1000; the
    /// others are unlimited there and held to 5,000 characters here.
    pub fn max_content(self) -> usize {
        match self {
            Kind::Complaint => 1000,
            _ => 5000,
        }
    }
}

/// Working days to answer, per kind (regulation 004 第五条: 5 for all four).
pub const DEFAULT_LIMIT_DAYS: u32 = 5;
pub const MAX_TITLE: usize = 200;
/// The longest reply (反馈信息 an..500 for complaints; the same for all).
pub const MAX_REPLY: usize = 2000;
pub const MAX_REASON: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InteractionError {
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{field} is longer than {max}")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} contains control characters")]
    ControlCharacters { field: &'static str },
    #[error("this kind needs a signed-in, real-name submitter")]
    RealNameRequired,
    #[error("an anonymous submission needs a mobile number")]
    MobileRequired,
    #[error("the item is answered; nothing more can be done on it")]
    AlreadyAnswered,
    #[error("a reason is required")]
    ReasonRequired,
    #[error("extension of {0} working days is out of range")]
    BadExtension(u32),
    #[error("assignment target is not a department of the county")]
    NotInCounty,
    #[error("the handling department is already {0}")]
    SameDepartment(i64),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// Checks a free-text field: trimmed, not empty, not longer than `max`
/// characters, no control characters other than line breaks and tabs. The
/// text is stored as written; every page escapes it when shown.
pub fn text(field: &'static str, s: &str, max: usize) -> Result<String, InteractionError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(InteractionError::Empty { field });
    }
    if t.chars().count() > max {
        return Err(InteractionError::TooLong { field, max });
    }
    if t.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(InteractionError::ControlCharacters { field });
    }
    Ok(t.to_string())
}

/// An optional short text: empty means none.
pub fn optional_text(field: &'static str, s: Option<&str>, max: usize) -> Result<Option<String>, InteractionError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(t) => text(field, t, max).map(Some),
    }
}

/// What a submission may name as its subject, as the web layer found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The department named (directly, or as the owner of the item named).
    pub department: Option<DeptPlace>,
    /// The county named (when no department is).
    pub county_office: Option<i64>,
}

/// A department and where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeptPlace {
    pub id: i64,
    /// The government office of the county the department belongs to, when
    /// the department is a county's (not the city's).
    pub county_office: Option<i64>,
}

/// Who handles a new submission (分级负责): a city department's matter goes
/// to that department; a county's matter to the county government office,
/// which assigns it to its departments; anything else to the service centre,
/// which distributes it.
pub fn route(subject: &Subject, service_center: i64) -> i64 {
    match (&subject.department, subject.county_office) {
        (Some(DeptPlace { county_office: Some(office), .. }), _) => *office,
        (Some(DeptPlace { id, county_office: None }), _) => *id,
        (None, Some(office)) => office,
        (None, None) => service_center,
    }
}

/// The day an answer is due: `days` working days after the day of receipt
/// (the day of receipt not counted), like every other limit of the platform.
pub fn due_date(cal: &Calendar, received: NaiveDate, days: u32) -> Result<NaiveDate, CalendarError> {
    cal.add_working_days(received, days)
}

/// Working days past the due date on `today` (超期天数); 0 when not late.
pub fn overdue_days(cal: &Calendar, due: NaiveDate, today: NaiveDate) -> Result<i64, CalendarError> {
    if today <= due {
        return Ok(0);
    }
    cal.working_days_between(due, today)
}

/// Whether an item is past its due day and still unanswered.
pub fn is_overdue(state: State, due: NaiveDate, today: NaiveDate) -> bool {
    state == State::Open && today > due
}

code_list!(
    /// Whether an answered item is shown on the public list (第六条).
    Publication {
        Public = "public",
        /// The submitter chose not to publish.
        OptedOut = "opted_out",
        /// The content is secret (涉密).
        Secret = "secret",
        /// The department recorded why it should not be published; supervision sees the reason.
        Withheld = "withheld",
    }
);

/// The publication of an answer: the submitter's choice wins, then secrecy,
/// then a department's recorded reason. A department that withholds must
/// give its reason.
pub fn publication(
    submitter_opted_out: bool,
    secret: bool,
    withhold_reason: Option<&str>,
) -> Result<Publication, InteractionError> {
    let reason = withhold_reason.map(str::trim).filter(|r| !r.is_empty());
    if submitter_opted_out {
        return Ok(Publication::OptedOut);
    }
    if secret {
        return Ok(Publication::Secret);
    }
    match reason {
        Some(r) if r.chars().count() > MAX_REASON => {
            Err(InteractionError::TooLong { field: "withhold_reason", max: MAX_REASON })
        }
        Some(_) => Ok(Publication::Withheld),
        None => Ok(Publication::Public),
    }
}

code_list!(
    /// The state of a submission.
    State {
        /// Waiting for its handling department's answer.
        Open = "open",
        /// Answered (办结).
        Answered = "answered",
    }
);

code_list!(
    /// What a handler on duty in a department does with the submissions
    /// routed there: the one responsible (负责人) or the staff member who
    /// handles them (具体工作人员).
    Duty {
        Lead = "lead",
        Staff = "staff",
    }
);

/// Longest single extension, in working days.
pub const MAX_EXTENSION_DAYS: u32 = 10;

/// An extension of the answer's deadline: open items only, with a reason,
/// 1–10 working days at a time. Returns the new due date.
pub fn extend(
    cal: &Calendar,
    state: State,
    due: NaiveDate,
    days: u32,
    reason: &str,
) -> Result<NaiveDate, InteractionError> {
    if state != State::Open {
        return Err(InteractionError::AlreadyAnswered);
    }
    if reason.trim().is_empty() {
        return Err(InteractionError::ReasonRequired);
    }
    text("reason", reason, MAX_REASON)?;
    if days == 0 || days > MAX_EXTENSION_DAYS {
        return Err(InteractionError::BadExtension(days));
    }
    Ok(cal.add_working_days(due, days)?)
}

/// A transfer to another department (reassignment with a reason, or the
/// county office assigning to one of its departments): open items only, to a
/// different department.
pub fn check_transfer(state: State, from: i64, to: i64, reason: &str) -> Result<(), InteractionError> {
    if state != State::Open {
        return Err(InteractionError::AlreadyAnswered);
    }
    if reason.trim().is_empty() {
        return Err(InteractionError::ReasonRequired);
    }
    text("reason", reason, MAX_REASON)?;
    if from == to {
        return Err(InteractionError::SameDepartment(to));
    }
    Ok(())
}

/// The number of a submission: prefix + yyyyMMdd + a six-digit serial of the day.
pub fn number(kind: Kind, day: NaiveDate, serial: i64) -> String {
    format!("{}{}{:06}", kind.prefix(), day.format("%Y%m%d"), serial)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::shipped_years;

    fn cal() -> Calendar {
        Calendar::new(shipped_years()).unwrap()
    }
    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn routing_follows_graded_responsibility() {
        let city_dept = DeptPlace { id: 5, county_office: None };
        let county_dept = DeptPlace { id: 12, county_office: Some(9) };
        assert_eq!(route(&Subject { department: Some(city_dept), county_office: None }, 1), 5);
        assert_eq!(route(&Subject { department: Some(county_dept.clone()), county_office: None }, 1), 9);
        // A named department wins over a named county.
        assert_eq!(route(&Subject { department: Some(county_dept), county_office: Some(10) }, 1), 9);
        assert_eq!(route(&Subject { department: None, county_office: Some(10) }, 1), 10);
        assert_eq!(route(&Subject { department: None, county_office: None }, 1), 1);
    }

    #[test]
    fn deadline_is_five_working_days_across_the_national_day() {
        let c = cal();
        // Received on Friday 2025-09-26: 09-28 (make-up Sunday), 09-29, 09-30,
        // (National Day 10-01..08), 10-09, 10-10.
        assert_eq!(due_date(&c, d("2025-09-26"), 5).unwrap(), d("2025-10-10"));
        assert_eq!(overdue_days(&c, d("2025-10-10"), d("2025-10-10")).unwrap(), 0);
        // 10-11 (make-up Saturday), 10-13, 10-14.
        assert_eq!(overdue_days(&c, d("2025-10-10"), d("2025-10-14")).unwrap(), 3);
        assert!(!is_overdue(State::Open, d("2025-10-10"), d("2025-10-10")));
        assert!(is_overdue(State::Open, d("2025-10-10"), d("2025-10-11")));
        assert!(!is_overdue(State::Answered, d("2025-10-10"), d("2025-10-11")));
    }

    #[test]
    fn publication_rules() {
        assert_eq!(publication(false, false, None).unwrap(), Publication::Public);
        assert_eq!(publication(false, false, Some("  ")).unwrap(), Publication::Public);
        assert_eq!(publication(true, false, Some("涉及个人隐私")).unwrap(), Publication::OptedOut);
        assert_eq!(publication(false, true, None).unwrap(), Publication::Secret);
        assert_eq!(publication(false, false, Some("涉及个人隐私")).unwrap(), Publication::Withheld);
        assert!(publication(false, false, Some(&"长".repeat(501))).is_err());
    }

    #[test]
    fn texts_are_checked() {
        assert_eq!(text("title", "  问 ", 200).unwrap(), "问");
        assert_eq!(text("title", " ", 200), Err(InteractionError::Empty { field: "title" }));
        assert!(matches!(text("title", &"字".repeat(201), 200), Err(InteractionError::TooLong { .. })));
        assert!(matches!(text("title", "a\u{0}b", 200), Err(InteractionError::ControlCharacters { .. })));
        assert_eq!(
            text("content", "<script>alert(1)</script>\n第二行", 50).unwrap(),
            "<script>alert(1)</script>\n第二行"
        );
    }

    #[test]
    fn extension_and_transfer_rules() {
        let c = cal();
        assert_eq!(extend(&c, State::Open, d("2025-09-26"), 3, "需要实地核实").unwrap(), d("2025-09-30"));
        assert_eq!(extend(&c, State::Open, d("2025-09-26"), 3, " "), Err(InteractionError::ReasonRequired));
        assert_eq!(extend(&c, State::Open, d("2025-09-26"), 0, "r"), Err(InteractionError::BadExtension(0)));
        assert_eq!(extend(&c, State::Open, d("2025-09-26"), 11, "r"), Err(InteractionError::BadExtension(11)));
        assert_eq!(extend(&c, State::Answered, d("2025-09-26"), 1, "r"), Err(InteractionError::AlreadyAnswered));
        assert_eq!(check_transfer(State::Open, 1, 1, "r"), Err(InteractionError::SameDepartment(1)));
        assert_eq!(check_transfer(State::Open, 1, 2, ""), Err(InteractionError::ReasonRequired));
        assert_eq!(check_transfer(State::Answered, 1, 2, "r"), Err(InteractionError::AlreadyAnswered));
        assert!(check_transfer(State::Open, 1, 2, "属于住建局职责").is_ok());
    }

    #[test]
    fn kinds_and_numbers() {
        assert!(Kind::Consultation.anonymous_allowed() && Kind::Correction.anonymous_allowed());
        assert!(!Kind::Complaint.anonymous_allowed() && !Kind::Suggestion.anonymous_allowed());
        assert_eq!(number(Kind::Complaint, d("2026-11-30"), 42), "TS20261130000042");
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.code()), Some(k));
        }
    }
}
