//! 故障: a fault of the platform reported by staff (东莞 第二十五条, 常州
//! 第十条), its timeline (acknowledged, cause recorded, cleared once) and the
//! paper notice (纸质书面通知) due when it is not cleared within 24 hours
//! (东莞 第二十六条), with who printed it and who sent it to which department.

use crate::codes::code_list;

code_list!(
    /// What a fault affects.
    Scope {
        /// The whole platform (全平台).
        Platform = "platform" : "全平台",
        /// One department (一个部门).
        Department = "department" : "一个部门",
        /// One function (一项功能).
        Function = "function" : "一项功能",
    }
);

code_list!(
    /// A step of a fault's timeline.
    EventKind {
        Reported = "reported" : "报告故障",
        Acknowledged = "acknowledged" : "确认受理",
        Cause = "cause" : "记录原因",
        Cleared = "cleared" : "排除故障",
        NoticePrinted = "notice_printed" : "打印纸质书面通知",
        NoticeSent = "notice_sent" : "送达纸质书面通知",
        /// Written by the platform, once: 24 hours passed and the fault is
        /// open; the centre and the system administrators were told.
        NoticeDue = "notice_due" : "满24小时未排除",
    }
);

/// A fault not cleared this long after it began gets the paper notice.
pub const PAPER_NOTICE_AFTER_MS: i64 = 24 * 3_600_000;
/// The longest description of what fails, and of a cause, in characters.
pub const MAX_TEXT: usize = 1000;
/// The longest name of a function, in characters.
pub const MAX_FUNCTION: usize = 100;
/// The longest note of a delivery, in characters.
pub const MAX_NOTE: usize = 500;

/// Why a report or a step is refused. The codes are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultError {
    /// What fails is not said, or said at too great a length.
    WhatMissing,
    WhatTooLong,
    /// The start lies in the future.
    SinceInFuture,
    /// The start is more than [`MAX_LATE_DAYS`] days before the report (a
    /// fault is reported the same day: 常州 003 第十条).
    SinceTooOld,
    /// The scope is not one of the list.
    BadScope,
    /// A department scope names no department.
    DepartmentMissing,
    /// A function scope names no function (or too long a name).
    FunctionMissing,
    /// The cause is empty or too long.
    CauseMissing,
    /// A note is too long.
    NoteTooLong,
    /// The fault was cleared already.
    AlreadyCleared,
    /// The fault was acknowledged already.
    AlreadyAcknowledged,
    /// The paper notice is not due yet (24 hours not passed).
    NoticeNotDue,
    /// The fault was cleared within 24 hours: no paper notice is needed.
    NoticeNotNeeded,
    /// The delivery to this department is recorded already.
    AlreadySent,
    /// The department is not one the notice is addressed to.
    NotAddressed,
    /// The notice is sent only once printed.
    NotPrinted,
}

impl FaultError {
    pub fn code(self) -> &'static str {
        match self {
            FaultError::WhatMissing => "fault_what_missing",
            FaultError::WhatTooLong => "fault_what_too_long",
            FaultError::SinceInFuture => "fault_since_in_future",
            FaultError::SinceTooOld => "fault_since_too_old",
            FaultError::BadScope => "fault_bad_scope",
            FaultError::DepartmentMissing => "fault_department_missing",
            FaultError::FunctionMissing => "fault_function_missing",
            FaultError::CauseMissing => "fault_cause_missing",
            FaultError::NoteTooLong => "fault_note_too_long",
            FaultError::AlreadyCleared => "fault_already_cleared",
            FaultError::AlreadyAcknowledged => "fault_already_acknowledged",
            FaultError::NoticeNotDue => "fault_notice_not_due",
            FaultError::NoticeNotNeeded => "fault_notice_not_needed",
            FaultError::AlreadySent => "fault_notice_already_sent",
            FaultError::NotAddressed => "fault_not_addressed",
            FaultError::NotPrinted => "fault_notice_not_printed",
        }
    }

    /// Whether the refusal is about the state of the fault (a conflict)
    /// rather than the input.
    pub fn is_conflict(self) -> bool {
        matches!(
            self,
            FaultError::AlreadyCleared
                | FaultError::AlreadyAcknowledged
                | FaultError::NoticeNotDue
                | FaultError::NoticeNotNeeded
                | FaultError::NotPrinted
                | FaultError::AlreadySent
        )
    }
}

/// Days a fault's start may lie before its report at most.
pub const MAX_LATE_DAYS: i64 = 7;

/// Whether a department of this kind does the approval work a fault
/// interrupts (审批部门, 法制审核): a fault of the whole platform or of a
/// function is notified, on paper and when cleared, to those.
pub fn approves(kind: crate::admin::DepartmentKind) -> bool {
    matches!(kind, crate::admin::DepartmentKind::Approval | crate::admin::DepartmentKind::LegalAffairs)
}

/// A report as checked: what fails, since when, and the scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub what: String,
    pub since_ms: i64,
    pub scope: Scope,
    pub department_id: Option<i64>,
    pub function: String,
}

/// Checks a report made at `now_ms`: what fails is said (at most
/// [`MAX_TEXT`] characters), the start is not in the future, the scope names
/// its department or function (and only that).
pub fn report(
    what: &str,
    since_ms: i64,
    scope: &str,
    department_id: Option<i64>,
    function: &str,
    now_ms: i64,
) -> Result<Report, FaultError> {
    let what = what.trim();
    if what.is_empty() {
        return Err(FaultError::WhatMissing);
    }
    if what.chars().count() > MAX_TEXT {
        return Err(FaultError::WhatTooLong);
    }
    if since_ms > now_ms {
        return Err(FaultError::SinceInFuture);
    }
    if since_ms < now_ms - MAX_LATE_DAYS * 86_400_000 {
        return Err(FaultError::SinceTooOld);
    }
    let scope = Scope::parse(scope).ok_or(FaultError::BadScope)?;
    let function = function.trim();
    let (department_id, function) = match scope {
        Scope::Platform => (None, String::new()),
        Scope::Department => (Some(department_id.ok_or(FaultError::DepartmentMissing)?), String::new()),
        Scope::Function => {
            if function.is_empty() || function.chars().count() > MAX_FUNCTION {
                return Err(FaultError::FunctionMissing);
            }
            (None, function.to_string())
        }
    };
    Ok(Report { what: what.to_string(), since_ms, scope, department_id, function })
}

/// A cause as recorded: trimmed, said, at most [`MAX_TEXT`] characters.
pub fn cause(text: &str) -> Result<String, FaultError> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > MAX_TEXT {
        return Err(FaultError::CauseMissing);
    }
    Ok(t.to_string())
}

/// A note: trimmed, at most [`MAX_NOTE`] characters.
pub fn note(text: &str) -> Result<String, FaultError> {
    let t = text.trim();
    if t.chars().count() > MAX_NOTE {
        return Err(FaultError::NoteTooLong);
    }
    Ok(t.to_string())
}

/// The plain facts of a fault the timeline rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub since_ms: i64,
    pub acknowledged: bool,
    pub cleared_at: Option<i64>,
    pub printed: bool,
}

/// Whether the fault may be acknowledged now: once, and not after clearing.
pub fn may_acknowledge(s: &State) -> Result<(), FaultError> {
    if s.cleared_at.is_some() {
        return Err(FaultError::AlreadyCleared);
    }
    if s.acknowledged {
        return Err(FaultError::AlreadyAcknowledged);
    }
    Ok(())
}

/// Whether a cause may be recorded: any time before clearing (a later
/// cause replaces an earlier one in the view; both stay in the timeline).
pub fn may_record_cause(s: &State) -> Result<(), FaultError> {
    if s.cleared_at.is_some() {
        return Err(FaultError::AlreadyCleared);
    }
    Ok(())
}

/// Whether the fault may be cleared: once.
pub fn may_clear(s: &State) -> Result<(), FaultError> {
    if s.cleared_at.is_some() {
        return Err(FaultError::AlreadyCleared);
    }
    Ok(())
}

/// When the paper notice becomes due: 24 hours after the fault began.
pub fn notice_due_at(since_ms: i64) -> i64 {
    since_ms.saturating_add(PAPER_NOTICE_AFTER_MS)
}

/// Whether the paper notice is due at `now_ms`: the fault was not cleared
/// within 24 hours of its start (still open 24 hours on, or cleared later
/// than that, when the notice still documents the paper period).
pub fn notice_due(s: &State, now_ms: i64) -> Result<(), FaultError> {
    let due = notice_due_at(s.since_ms);
    match s.cleared_at {
        Some(at) if at < due => Err(FaultError::NoticeNotNeeded),
        None if now_ms < due => Err(FaultError::NoticeNotDue),
        _ => Ok(()),
    }
}

/// Whether the delivery of the notice to `department` may be recorded: the
/// notice is due and was printed, the department is addressed, and its
/// delivery is not recorded yet (`sent`: the departments recorded).
pub fn may_record_sent(
    s: &State,
    now_ms: i64,
    addressed: &[i64],
    sent: &[i64],
    department: i64,
) -> Result<(), FaultError> {
    notice_due(s, now_ms)?;
    if !s.printed {
        return Err(FaultError::NotPrinted);
    }
    if !addressed.contains(&department) {
        return Err(FaultError::NotAddressed);
    }
    if sent.contains(&department) {
        return Err(FaultError::AlreadySent);
    }
    Ok(())
}

/// The departments the paper notice is addressed to: the department of a
/// department scope, else every department (`all`).
pub fn addressed(scope: Scope, department_id: Option<i64>, all: &[i64]) -> Vec<i64> {
    match (scope, department_id) {
        (Scope::Department, Some(d)) => vec![d],
        _ => all.to_vec(),
    }
}

/// The fallback procedure the paper notice states (第二十六条): how the
/// departments keep approving while the fault lasts.
pub const FALLBACK: [&str; 4] = [
    "故障期间，各业务部门改用纸质方式受理和办理审批业务：按纸质申请材料受理，出具纸质受理通知书或不予受理通知书，并在纸质材料上载明受理（办理）的实际日期和时间、经办人及纸质文书编号。",
    "法定时限和承诺时限照常计算，不因故障中止；办理过程中形成的纸质材料和文书应妥善保存。",
    "故障排除后，各部门应将故障期间纸质受理和办理的办件在平台上补录，补录时按实际日期和时间登记，注明所属故障及纸质文书编号，补录记录由平台标注“补录”。",
    "故障期间有关情况请与政务服务中心及信息化主管部门联系。",
];

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn a_report_says_what_since_when_and_where() {
        let r = report("  网上申报无法提交 ", NOW - 1000, "department", Some(3), "忽略", NOW).unwrap();
        assert_eq!(
            (r.what.as_str(), r.scope, r.department_id, r.function.as_str()),
            ("网上申报无法提交", Scope::Department, Some(3), "")
        );
        let r = report("x", NOW, "function", Some(3), " 网上申报 ", NOW).unwrap();
        assert_eq!((r.department_id, r.function.as_str()), (None, "网上申报"));
        assert_eq!(report("x", NOW, "platform", Some(3), "", NOW).unwrap().department_id, None);
        assert_eq!(report(" ", NOW, "platform", None, "", NOW), Err(FaultError::WhatMissing));
        assert_eq!(report(&"长".repeat(MAX_TEXT + 1), NOW, "platform", None, "", NOW), Err(FaultError::WhatTooLong));
        assert_eq!(report("x", NOW + 1, "platform", None, "", NOW), Err(FaultError::SinceInFuture));
        let week = MAX_LATE_DAYS * 86_400_000;
        assert!(report("x", NOW - week, "platform", None, "", NOW).is_ok());
        assert_eq!(report("x", NOW - week - 1, "platform", None, "", NOW), Err(FaultError::SinceTooOld));
        assert_eq!(report("x", NOW, "town", None, "", NOW), Err(FaultError::BadScope));
        assert_eq!(report("x", NOW, "department", None, "", NOW), Err(FaultError::DepartmentMissing));
        assert_eq!(report("x", NOW, "function", None, " ", NOW), Err(FaultError::FunctionMissing));
    }

    #[test]
    fn the_timeline_clears_once() {
        let open = State { since_ms: NOW, acknowledged: false, cleared_at: None, printed: false };
        assert_eq!(may_acknowledge(&open), Ok(()));
        assert_eq!(may_acknowledge(&State { acknowledged: true, ..open }), Err(FaultError::AlreadyAcknowledged));
        assert_eq!(may_clear(&open), Ok(()));
        let cleared = State { cleared_at: Some(NOW + 5), ..open };
        assert_eq!(may_clear(&cleared), Err(FaultError::AlreadyCleared));
        assert_eq!(may_record_cause(&cleared), Err(FaultError::AlreadyCleared));
        assert_eq!(may_acknowledge(&cleared), Err(FaultError::AlreadyCleared));
        assert!(FaultError::AlreadyCleared.is_conflict() && !FaultError::CauseMissing.is_conflict());
        assert_eq!(cause("  "), Err(FaultError::CauseMissing));
        assert_eq!(cause(" 数据库服务器磁盘损坏 ").unwrap(), "数据库服务器磁盘损坏");
        assert_eq!(note(&"长".repeat(MAX_NOTE + 1)), Err(FaultError::NoteTooLong));
    }

    #[test]
    fn the_paper_notice_is_due_after_24_hours_not_cleared() {
        let open = State { since_ms: NOW, acknowledged: true, cleared_at: None, printed: false };
        assert_eq!(notice_due(&open, NOW + PAPER_NOTICE_AFTER_MS - 1), Err(FaultError::NoticeNotDue));
        assert_eq!(notice_due(&open, NOW + PAPER_NOTICE_AFTER_MS), Ok(()));
        // Cleared within 24 hours: never due.
        let quick = State { cleared_at: Some(NOW + 3_600_000), ..open };
        assert_eq!(notice_due(&quick, NOW + 10 * PAPER_NOTICE_AFTER_MS), Err(FaultError::NoticeNotNeeded));
        // Cleared after 30 hours: the notice documents the paper period.
        let late = State { cleared_at: Some(NOW + 30 * 3_600_000), ..open };
        assert_eq!(notice_due(&late, NOW + 31 * 3_600_000), Ok(()));
        let later = NOW + PAPER_NOTICE_AFTER_MS;
        assert_eq!(may_record_sent(&open, later, &[1, 2], &[], 2), Err(FaultError::NotPrinted));
        let printed = State { printed: true, ..open };
        assert_eq!(may_record_sent(&printed, later, &[1, 2], &[1], 2), Ok(()));
        assert_eq!(may_record_sent(&printed, later, &[1, 2], &[], 7), Err(FaultError::NotAddressed));
        assert_eq!(may_record_sent(&printed, later, &[1, 2], &[1], 1), Err(FaultError::AlreadySent));
        assert_eq!(addressed(Scope::Department, Some(4), &[1, 4, 5]), vec![4]);
        assert_eq!(addressed(Scope::Platform, None, &[1, 4, 5]), vec![1, 4, 5]);
        assert_eq!(addressed(Scope::Function, None, &[1, 4]), vec![1, 4]);
    }
}
