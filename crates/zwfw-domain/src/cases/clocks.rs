//! The acceptance deadline (行政许可法 第三十二条) and the urgency an inbox shows.

use super::{CaseState, CaseView};
use crate::calendar::{Calendar, CalendarError};
use crate::clock::local_date;
use chrono::NaiveDate;
use serde::Serialize;

/// The five working days the law gives for the acceptance decision (行政许可法 第三十二条).
pub const ACCEPTANCE_DAYS: u32 = 5;

/// The colour of the time left, as inboxes show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// The time left to a deadline in working days, as lists say it in words
/// (剩3个工作日 / 今日到期 / 已超期2个工作日).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "days", rename_all = "snake_case")]
pub enum TimeLeft {
    /// Working days left after today (at least one).
    Left(i64),
    /// The deadline is today.
    DueToday,
    /// The deadline has passed; working days counted since it (0 when only
    /// non-working days have passed).
    Overdue(i64),
}

/// The time left from `today` to `due` (a deadline ends at 24:00 of its day).
pub fn time_left(cal: &Calendar, today: NaiveDate, due: NaiveDate) -> Result<TimeLeft, CalendarError> {
    Ok(match today.cmp(&due) {
        std::cmp::Ordering::Equal => TimeLeft::DueToday,
        std::cmp::Ordering::Less => match cal.working_days_between(today, due)? {
            0 => TimeLeft::DueToday,
            n => TimeLeft::Left(n),
        },
        std::cmp::Ordering::Greater => TimeLeft::Overdue(cal.working_days_between(due, today)?),
    })
}

/// The last day the acceptance decision may be taken: five working days after
/// receipt (the day of receipt not counted). After it, the application counts
/// as accepted on receipt unless a supplement notice was sent in time.
pub fn acceptance_due(cal: &Calendar, submitted_at_ms: i64) -> Result<NaiveDate, CalendarError> {
    cal.add_working_days(local_date(submitted_at_ms), ACCEPTANCE_DAYS)
}

/// The working days a supplement notice gives the applicant (the date the
/// notice names). No text sets this period: 行政许可法 第三十二条 bounds only
/// the notice itself (once, listing everything missing, within five days of
/// receipt: [`ACCEPTANCE_DAYS`]), and the platform rules at hand ask only that
/// the department write down why and tell the applicant (承德市“互联网+政务服务”
/// 平台运行维护管理规定（试行） 第十一条: “如有专家评审、现场勘查或补齐补正等特殊情况，应写明详细原因
/// 并通知申请人”). Twenty working days is the platform's own choice, stated in
/// every notice.
pub const SUPPLEMENT_DAYS: u32 = 20;

/// The day by which a supplement notice sent at `notice_at_ms` asks the
/// applicant to supplement: `SUPPLEMENT_DAYS` working days later.
pub fn supplement_due(cal: &Calendar, notice_at_ms: i64) -> Result<NaiveDate, CalendarError> {
    cal.add_working_days(local_date(notice_at_ms), SUPPLEMENT_DAYS)
}

/// Whether the case must now be recorded as deemed accepted.
pub fn is_deemed_accepted(cal: &Calendar, v: &CaseView, today: NaiveDate) -> Result<bool, CalendarError> {
    match (v.state, v.submitted_at_ms) {
        (CaseState::Submitted, Some(at)) if v.supplement_notices == 0 => Ok(today > acceptance_due(cal, at)?),
        _ => Ok(false),
    }
}

/// The joint reviews (并联审批) open at the current step of a case in
/// progress: each co-department with its due day, `limit_days` working days
/// after the day the step started, and whether it has answered or timed out.
/// Empty when the case is not in progress or its step has none.
pub fn joint_dues(
    cal: &Calendar,
    item: &crate::catalog::ItemContent,
    v: &CaseView,
) -> Result<Vec<(i64, NaiveDate, bool)>, CalendarError> {
    let (CaseState::InProgress, Some(step), Some(clock)) = (v.state, item.steps.get(v.step), v.clock.as_ref()) else {
        return Ok(vec![]);
    };
    let started = clock.steps.last().map(|t| t.started_on).unwrap_or(clock.accepted_on);
    let mut out = vec![];
    for c in &step.joint {
        let due = cal.add_working_days(started, c.limit_days)?;
        let done =
            v.joint_answers.iter().any(|(d, _)| *d == c.department_id) || v.joint_missing.contains(&c.department_id);
        out.push((c.department_id, due, done));
    }
    Ok(out)
}
