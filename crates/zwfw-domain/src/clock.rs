//! The legal clock of a case (办件时限): promised and legal deadlines, step
//! deadlines, special procedures that stop the clock, and extensions.
//!
//! All periods are counted in working days from the day after their start
//! (see `calendar`). A special procedure (特别程序) running from day S to day E
//! stops the clock for the working days in (S, E] — the period of the
//! procedure counted by the same rule — and those days are reported
//! separately. An ongoing procedure is treated as ending on the day asked
//! about, so the deadline moves on while it lasts. An extension (延长审批)
//! adds its days to the legal limit and, where the item says so, to the
//! promised one. A case concluded stops its clock on the day of conclusion.

use crate::calendar::{Calendar, CalendarError};
use chrono::{NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    /// 听证, 招标, 拍卖, 检验, 检测, 检疫, 鉴定, 专家评审, or what the item declares.
    pub kind: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub days: u32,
    /// Whether the promised limit moves too (the item decides).
    pub applies_to_promised: bool,
    pub approved_by: String,
    pub reason: String,
    pub on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTimer {
    pub name: String,
    pub started_on: NaiveDate,
    pub limit_days: u32,
    pub ended_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClockError {
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error("a special procedure is already running")]
    SuspensionRunning,
    #[error("no special procedure is running")]
    NoSuspensionRunning,
    #[error("special procedures on one case cannot overlap")]
    SuspensionOverlap,
    #[error("a special procedure cannot end before it starts")]
    SuspensionEndsBeforeStart,
    #[error("an event cannot happen before acceptance")]
    BeforeAcceptance,
    #[error("an extension needs at least one day, an approver and a reason")]
    BadExtension,
    #[error("the promised limit exceeds the legal limit")]
    PromisedOverLegal,
}

/// Everything the clock of one case knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseClock {
    /// The instant of acceptance (UTC milliseconds), kept for same-day items.
    pub accepted_at_ms: i64,
    /// The acceptance day in Asia/Shanghai.
    pub accepted_on: NaiveDate,
    pub promised_days: u32,
    pub legal_days: u32,
    pub suspensions: Vec<Suspension>,
    pub extensions: Vec<Extension>,
    pub steps: Vec<StepTimer>,
    pub concluded_on: Option<NaiveDate>,
}

/// The Shanghai calendar day of an instant.
pub fn local_date(ms: i64) -> NaiveDate {
    crate::time::shanghai().timestamp_millis_opt(ms).single().map(|t| t.date_naive()).unwrap_or_default()
}

/// The instant a deadline day ends (24:00 in Asia/Shanghai), in UTC milliseconds.
pub fn end_of_day_ms(d: NaiveDate) -> i64 {
    start_of_day_ms(d.succ_opt().unwrap_or(d))
}

/// The instant a day begins (00:00 in Asia/Shanghai), in UTC milliseconds.
pub fn start_of_day_ms(d: NaiveDate) -> i64 {
    let midnight = d.and_hms_opt(0, 0, 0).expect("midnight");
    crate::time::shanghai().from_local_datetime(&midnight).single().map(|t| t.timestamp_millis()).unwrap_or_default()
}

/// The instants from the start of day `from` to the end of day `to` (both
/// days included, Asia/Shanghai), either end open when not given; `None`
/// when `to` is before `from`.
pub fn days_span_ms(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Option<(Option<i64>, Option<i64>)> {
    if let (Some(a), Some(b)) = (from, to) {
        if b < a {
            return None;
        }
    }
    Some((from.map(start_of_day_ms), to.map(end_of_day_ms)))
}

/// The state of one period on a given day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ClockPeriod))]
pub struct Period {
    pub limit_days: u32,
    /// The last day of the period (it ends at 24:00 that day, Shanghai time).
    pub deadline: NaiveDate,
    /// Working days counted so far (special procedures excluded).
    pub used_days: i64,
    /// Working days left; 0 once the deadline day is reached.
    pub remaining_days: i64,
    /// The deadline day has passed.
    pub overdue: bool,
    /// Working days counted beyond the limit.
    pub overdue_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ClockStep))]
pub struct StepStatus {
    pub name: String,
    pub ended: bool,
    pub period: Period,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockStatus {
    pub as_of: NaiveDate,
    pub promised: Period,
    pub legal: Period,
    /// Working days spent in special procedures so far (not counted above).
    pub suspended_days: i64,
    pub suspended_now: bool,
    pub steps: Vec<StepStatus>,
}

/// Working days of the suspensions inside (`from`, `to`], each clipped to
/// `today` while running.
fn suspended_between(
    cal: &Calendar,
    susp: &[(NaiveDate, NaiveDate)],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<i64, CalendarError> {
    let mut n = 0;
    for &(s, e) in susp {
        let (a, b) = (s.max(from), e.min(to));
        if b > a {
            n += cal.working_days_between(a, b)?;
        }
    }
    Ok(n)
}

/// The last day of a `limit`-day period starting on `from`, given the
/// (sorted, non-overlapping) suspended intervals.
pub fn deadline_with(
    cal: &Calendar,
    from: NaiveDate,
    limit: u32,
    susp: &[(NaiveDate, NaiveDate)],
) -> Result<NaiveDate, CalendarError> {
    if limit == 0 {
        return Ok(from);
    }
    let mut remaining = i64::from(limit);
    let mut cur = from;
    for &(s, e) in susp {
        if e <= cur {
            continue;
        }
        let s = s.max(cur);
        let avail = cal.working_days_between(cur, s)?;
        if avail >= remaining {
            break;
        }
        remaining -= avail;
        cur = e;
    }
    cal.add_working_days(cur, remaining as u32)
}

fn period(
    cal: &Calendar,
    from: NaiveDate,
    limit: u32,
    susp: &[(NaiveDate, NaiveDate)],
    today: NaiveDate,
) -> Result<Period, CalendarError> {
    let deadline = deadline_with(cal, from, limit, susp)?;
    let used = if today > from {
        cal.working_days_between(from, today)? - suspended_between(cal, susp, from, today)?
    } else {
        0
    };
    let limit_i = i64::from(limit);
    Ok(Period {
        limit_days: limit,
        deadline,
        used_days: used,
        remaining_days: (limit_i - used).max(0),
        overdue: today > deadline,
        overdue_days: (used - limit_i).max(0),
    })
}

impl CaseClock {
    pub fn new(accepted_at_ms: i64, promised_days: u32, legal_days: u32) -> Result<CaseClock, ClockError> {
        if promised_days > legal_days {
            return Err(ClockError::PromisedOverLegal);
        }
        Ok(CaseClock {
            accepted_at_ms,
            accepted_on: local_date(accepted_at_ms),
            promised_days,
            legal_days,
            suspensions: Vec::new(),
            extensions: Vec::new(),
            steps: Vec::new(),
            concluded_on: None,
        })
    }

    pub fn start_suspension(&mut self, kind: &str, start: NaiveDate, reason: &str) -> Result<(), ClockError> {
        if start < self.accepted_on {
            return Err(ClockError::BeforeAcceptance);
        }
        if self.suspensions.iter().any(|s| s.end.is_none()) {
            return Err(ClockError::SuspensionRunning);
        }
        if self.suspensions.iter().any(|s| s.end.is_some_and(|e| start < e)) {
            return Err(ClockError::SuspensionOverlap);
        }
        self.suspensions.push(Suspension { kind: kind.into(), start, end: None, reason: reason.into() });
        Ok(())
    }

    pub fn end_suspension(&mut self, end: NaiveDate) -> Result<(), ClockError> {
        let s = self.suspensions.iter_mut().find(|s| s.end.is_none()).ok_or(ClockError::NoSuspensionRunning)?;
        if end < s.start {
            return Err(ClockError::SuspensionEndsBeforeStart);
        }
        s.end = Some(end);
        Ok(())
    }

    pub fn extend(&mut self, ext: Extension) -> Result<(), ClockError> {
        if ext.days == 0 || ext.approved_by.trim().is_empty() || ext.reason.trim().is_empty() {
            return Err(ClockError::BadExtension);
        }
        if ext.on < self.accepted_on {
            return Err(ClockError::BeforeAcceptance);
        }
        self.extensions.push(ext);
        Ok(())
    }

    pub fn promised_limit(&self) -> u32 {
        self.promised_days + self.extensions.iter().filter(|e| e.applies_to_promised).map(|e| e.days).sum::<u32>()
    }

    pub fn legal_limit(&self) -> u32 {
        self.legal_days + self.extensions.iter().map(|e| e.days).sum::<u32>()
    }

    /// The suspended intervals as of `today` (running ones end today).
    fn intervals(&self, today: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
        let mut v: Vec<_> = self
            .suspensions
            .iter()
            .filter(|s| s.start <= today)
            .map(|s| (s.start, s.end.unwrap_or(today).min(today).max(s.start)))
            .collect();
        v.sort();
        v
    }

    /// The whole status on `day` (the clock stops at conclusion).
    pub fn status_on(&self, cal: &Calendar, day: NaiveDate) -> Result<ClockStatus, CalendarError> {
        let today = self.concluded_on.map_or(day, |c| c.min(day));
        let susp = self.intervals(today);
        let promised = period(cal, self.accepted_on, self.promised_limit(), &susp, today)?;
        let legal = period(cal, self.accepted_on, self.legal_limit(), &susp, today)?;
        let suspended_days =
            if today > self.accepted_on { suspended_between(cal, &susp, self.accepted_on, today)? } else { 0 };
        let mut steps = Vec::with_capacity(self.steps.len());
        for st in &self.steps {
            let end = st.ended_on.map_or(today, |e| e.min(today));
            steps.push(StepStatus {
                name: st.name.clone(),
                ended: st.ended_on.is_some(),
                period: period(cal, st.started_on, st.limit_days, &susp, end)?,
            });
        }
        Ok(ClockStatus {
            as_of: today,
            promised,
            legal,
            suspended_days,
            suspended_now: self.concluded_on.is_none() && self.suspensions.iter().any(|s| s.end.is_none()),
            steps,
        })
    }

    /// The status at an instant (UTC milliseconds).
    pub fn status_at(&self, cal: &Calendar, now_ms: i64) -> Result<ClockStatus, CalendarError> {
        self.status_on(cal, local_date(now_ms))
    }

    /// Only the remaining working days of the promised period on `day`: the
    /// hot path of dashboards that recompute every open case.
    pub fn promised_remaining_on(&self, cal: &Calendar, day: NaiveDate) -> Result<i64, CalendarError> {
        let today = self.concluded_on.map_or(day, |c| c.min(day));
        let mut used = if today > self.accepted_on { cal.working_days_between(self.accepted_on, today)? } else { 0 };
        for s in &self.suspensions {
            if s.start > today {
                continue;
            }
            let e = s.end.unwrap_or(today).min(today);
            let a = s.start.max(self.accepted_on);
            if e > a {
                used -= cal.working_days_between(a, e)?;
            }
        }
        Ok(i64::from(self.promised_limit()) - used)
    }
}
