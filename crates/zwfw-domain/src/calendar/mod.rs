//! Working days (工作日) and the legal arithmetic of periods.
//!
//! A working day is a Monday–Friday that is not a statutory holiday, or a
//! weekend day that the State Council's yearly notice makes a working day
//! (调休上班). The calendar is data, one year at a time; a computation that
//! needs a year that is not configured fails and names the year.
//!
//! Periods follow 行政许可法 and 民法典 第二百零一条: the day a period starts
//! is not counted (开始的当日不计入); counting N working days lands on the N-th
//! working day after the start, which is therefore never a non-working day.
//!
//! Speed: the calendar keeps, for every day of the configured range, whether it
//! is a working day and how many working days precede it, and the position of
//! every working day. Counting between two dates and adding N working days are
//! then a few array reads (constant time).

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod festivals;
pub mod notice_text;
use thiserror::Error;

/// One notice of the State Council (General Office) that a year follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CalendarNotice))]
pub struct Notice {
    /// 文号, e.g. 国办发明电〔2024〕12号
    pub number: String,
    pub title: String,
    pub date: NaiveDate,
}

/// Days off named by a notice, e.g. 春节 from 01-28 to 02-04.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HolidaySpan {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A weekend day made a working day (调休上班).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MakeupDay {
    pub date: NaiveDate,
    pub name: String,
}

crate::codes::code_list!(
    /// Where the stored configuration of a year comes from.
    YearSource {
        /// Loaded from the data shipped with the program.
        Shipped = "shipped",
        /// Set by an administrator.
        Edited = "edited",
    }
);

/// The configuration of one year, as the administrator edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearSpec {
    pub year: i32,
    pub notices: Vec<Notice>,
    pub holidays: Vec<HolidaySpan>,
    pub workdays: Vec<MakeupDay>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CalendarError {
    /// The computation needs a year that is not configured.
    #[error("the working-day calendar of {year} is not configured")]
    YearMissing { year: i32 },
    #[error("{date} is listed as a make-up working day but is not a Saturday or Sunday")]
    MakeupNotWeekend { date: NaiveDate },
    #[error("{date} is listed both as a holiday and as a make-up working day")]
    HolidayOnMakeupDay { date: NaiveDate },
    #[error("{date} is listed twice")]
    Duplicate { date: NaiveDate },
    #[error("holiday {name}: the end {to} is before the start {from}")]
    BadSpan { name: String, from: NaiveDate, to: NaiveDate },
    #[error("{date} is too far from the year {year} it is listed in")]
    OutsideYear { year: i32, date: NaiveDate },
    #[error("year {year} is outside the supported range 2000–2100")]
    YearOutOfRange { year: i32 },
    #[error("a year needs at least one notice with its number")]
    NoNotice,
    #[error("a name is empty")]
    EmptyName,
    /// A statutory festival's day is not off, or off under another name.
    #[error("the statutory festivals are not all covered: {problems:?}")]
    Festivals { problems: Vec<festivals::FestivalProblem> },
    /// A make-up day lies more than four weeks from the festival it is named for.
    #[error("the make-up day {date} is more than four weeks from the festival it is named for")]
    MakeupFarFromFestival { date: NaiveDate },
    /// An administrator may enter the years from 2010 to next year.
    #[error("year {year} cannot be entered: only {first}–{last}")]
    YearNotEnterable { year: i32, first: i32, last: i32 },
}

impl CalendarError {
    pub fn code(&self) -> &'static str {
        match self {
            CalendarError::YearMissing { .. } => "calendar_year_missing",
            CalendarError::Festivals { .. } => "calendar_festivals_missing",
            _ => "invalid_calendar",
        }
    }
}

/// Whether `date` may be listed in the entry of `year` (its own year, or the
/// last days of December / first of January around it).
fn near_year(year: i32, date: NaiveDate) -> bool {
    date.year() == year
        || (date.year() == year - 1 && date.month() == 12)
        || (date.year() == year + 1 && date.month() == 1)
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl YearSpec {
    /// Checks the rules of a year on its own: make-up days are weekend days,
    /// no day is both, no day twice, dates belong to the year.
    pub fn validate(&self) -> Result<(), CalendarError> {
        if !(2000..=2100).contains(&self.year) {
            return Err(CalendarError::YearOutOfRange { year: self.year });
        }
        if self.notices.is_empty() || self.notices.iter().any(|n| n.number.trim().is_empty()) {
            return Err(CalendarError::NoNotice);
        }
        let mut holidays = std::collections::BTreeSet::new();
        for h in &self.holidays {
            if h.name.trim().is_empty() {
                return Err(CalendarError::EmptyName);
            }
            if h.to < h.from {
                return Err(CalendarError::BadSpan { name: h.name.clone(), from: h.from, to: h.to });
            }
            let mut d = h.from;
            while d <= h.to {
                if !near_year(self.year, d) {
                    return Err(CalendarError::OutsideYear { year: self.year, date: d });
                }
                if !holidays.insert(d) {
                    return Err(CalendarError::Duplicate { date: d });
                }
                d = d.succ_opt().expect("in range");
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for w in &self.workdays {
            if !near_year(self.year, w.date) {
                return Err(CalendarError::OutsideYear { year: self.year, date: w.date });
            }
            if !is_weekend(w.date) {
                return Err(CalendarError::MakeupNotWeekend { date: w.date });
            }
            if holidays.contains(&w.date) {
                return Err(CalendarError::HolidayOnMakeupDay { date: w.date });
            }
            if !seen.insert(w.date) {
                return Err(CalendarError::Duplicate { date: w.date });
            }
        }
        Ok(())
    }
}

crate::codes::code_list!(
    /// What a due day counted in working days belongs to, when a change of
    /// the calendar moves it.
    DueKind {
        Case = "case": "办件",
        Interaction = "interaction": "政民互动",
        Finding = "finding": "监察发现",
        Order = "order": "督办单",
        FollowUp = "follow_up": "差评整改",
    }
);

/// The due day `old_due`, counted `n` working days after `start` on the
/// calendar `old`, counted again on `new`: the same `n` working days after
/// `start`. A due day before its start is left as it is.
pub fn recount_due(
    old: &Calendar,
    new: &Calendar,
    start: NaiveDate,
    old_due: NaiveDate,
) -> Result<NaiveDate, CalendarError> {
    let n = old.working_days_between(start, old_due)?;
    match u32::try_from(n) {
        Ok(n) => new.add_working_days(start, n),
        Err(_) => Ok(old_due),
    }
}

/// The first year an administrator may enter.
pub const FIRST_ENTERABLE_YEAR: i32 = 2010;

impl YearSpec {
    /// The checks of a year an administrator enters, beyond `validate`: the
    /// year is from 2010 to the year after `this_year`; every statutory
    /// festival's day lies in a span named for it; every make-up day lies
    /// within four weeks of its festival.
    pub fn check_entry(&self, this_year: i32) -> Result<(), CalendarError> {
        check_enterable(self.year, this_year)?;
        self.validate()?;
        festivals::check(self).map_err(|problems| CalendarError::Festivals { problems })?;
        if let Some(&date) = festivals::stray_makeup_days(self).first() {
            return Err(CalendarError::MakeupFarFromFestival { date });
        }
        Ok(())
    }
}

/// Whether `year` may be entered in `this_year`: from `FIRST_ENTERABLE_YEAR`
/// to next year.
pub fn check_enterable(year: i32, this_year: i32) -> Result<(), CalendarError> {
    let last = this_year + 1;
    if !(FIRST_ENTERABLE_YEAR..=last).contains(&year) {
        return Err(CalendarError::YearNotEnterable { year, first: FIRST_ENTERABLE_YEAR, last });
    }
    Ok(())
}

/// What a day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Workday,
    Weekend,
    Holiday,
    /// A weekend day made a working day.
    Makeup,
}

impl DayKind {
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::Makeup)
    }
}

/// Holidays on fixed dates (month, day, name), as the national rules on
/// public holidays set them; used for provisional years only.
const FIXED_HOLIDAYS: &[(u32, u32, &str)] =
    &[(1, 1, "元旦"), (5, 1, "劳动节"), (5, 2, "劳动节"), (10, 1, "国庆节"), (10, 2, "国庆节"), (10, 3, "国庆节")];

/// The compiled calendar over a contiguous range of configured years.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// First day of the range (January 1 of the first configured year).
    start: NaiveDate,
    /// Days from CE of `start`, for fast indexing.
    start_ce: i32,
    first_year: i32,
    /// Last configured year.
    last_year: i32,
    /// Years after `last_year` compiled as provisional (Monday to Friday
    /// without the fixed-date holidays) until the State Council notice is entered.
    provisional_years: i32,
    kinds: Vec<DayKind>,
    /// `before[i]`: working days among days `0..i` (so `before[len]` is the total).
    before: Vec<u32>,
    /// Index of the k-th working day (0-based k).
    working: Vec<u32>,
    names: BTreeMap<NaiveDate, String>,
    specs: BTreeMap<i32, YearSpec>,
}

impl Calendar {
    /// Compiles validated years. The years must form one contiguous range;
    /// a gap is reported as the missing year.
    pub fn new(specs: Vec<YearSpec>) -> Result<Calendar, CalendarError> {
        Calendar::compile(specs, 0)
    }

    /// Like `new`, and the `extra` years after the last configured one are
    /// provisional: Monday to Friday are working days except the fixed-date
    /// holidays (元旦, 劳动节, 国庆节; the lunar ones are not guessed) (a period
    /// that runs into a year whose notice is not out yet can still be
    /// computed; `is_provisional` tells which dates are so).
    pub fn with_provisional(specs: Vec<YearSpec>, extra: i32) -> Result<Calendar, CalendarError> {
        Calendar::compile(specs, extra.clamp(0, 2))
    }

    fn compile(specs: Vec<YearSpec>, extra: i32) -> Result<Calendar, CalendarError> {
        let mut by_year = BTreeMap::new();
        for s in specs {
            s.validate()?;
            by_year.insert(s.year, s);
        }
        let (Some(&first_year), Some(&last_year)) = (by_year.keys().next(), by_year.keys().next_back()) else {
            return Ok(Calendar::empty());
        };
        for y in first_year..=last_year {
            if !by_year.contains_key(&y) {
                return Err(CalendarError::YearMissing { year: y });
            }
        }
        let start = NaiveDate::from_ymd_opt(first_year, 1, 1).expect("valid");
        let end = NaiveDate::from_ymd_opt(last_year + extra, 12, 31).expect("valid");
        let len = (end - start).num_days() as usize + 1;
        let mut kinds: Vec<DayKind> = (0..len)
            .map(|i| {
                let d = start + chrono::Duration::days(i as i64);
                if is_weekend(d) {
                    DayKind::Weekend
                } else {
                    DayKind::Workday
                }
            })
            .collect();
        let mut names = BTreeMap::new();
        // Entries of different years may name the same date (around New Year):
        // they must agree.
        let mut marked: BTreeMap<NaiveDate, DayKind> = BTreeMap::new();
        for s in by_year.values() {
            for h in &s.holidays {
                let mut d = h.from;
                while d <= h.to {
                    if marked.insert(d, DayKind::Holiday) == Some(DayKind::Makeup) {
                        return Err(CalendarError::HolidayOnMakeupDay { date: d });
                    }
                    names.insert(d, h.name.clone());
                    d = d.succ_opt().expect("in range");
                }
            }
            for w in &s.workdays {
                if marked.insert(w.date, DayKind::Makeup) == Some(DayKind::Holiday) {
                    return Err(CalendarError::HolidayOnMakeupDay { date: w.date });
                }
                names.insert(w.date, w.name.clone());
            }
        }
        // Provisional years: the fixed-date statutory holidays (元旦, 劳动节,
        // 国庆节 of 全国年节及纪念日放假办法) are known; the lunar ones and the
        // make-up days are not.
        for y in last_year + 1..=last_year + extra {
            for (m, day, name) in FIXED_HOLIDAYS {
                let d = NaiveDate::from_ymd_opt(y, *m, *day).expect("valid");
                if let std::collections::btree_map::Entry::Vacant(v) = marked.entry(d) {
                    v.insert(DayKind::Holiday);
                    names.insert(d, (*name).to_string());
                }
            }
        }
        for (d, k) in &marked {
            if *d >= start && *d <= end {
                kinds[(*d - start).num_days() as usize] = *k;
            }
        }
        let mut before = Vec::with_capacity(len + 1);
        let mut working = Vec::new();
        let mut n = 0u32;
        for (i, k) in kinds.iter().enumerate() {
            before.push(n);
            if k.is_working() {
                working.push(i as u32);
                n += 1;
            }
        }
        before.push(n);
        Ok(Calendar {
            start,
            start_ce: start.num_days_from_ce(),
            first_year,
            last_year,
            provisional_years: extra,
            kinds,
            before,
            working,
            names,
            specs: by_year,
        })
    }

    pub fn empty() -> Calendar {
        let start = NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid");
        Calendar {
            start,
            start_ce: start.num_days_from_ce(),
            first_year: 0,
            last_year: -1,
            provisional_years: 0,
            kinds: Vec::new(),
            before: vec![0],
            working: Vec::new(),
            names: BTreeMap::new(),
            specs: BTreeMap::new(),
        }
    }

    /// The configured years, first and last (inclusive), if any.
    pub fn years(&self) -> Option<(i32, i32)> {
        (self.last_year >= self.first_year).then_some((self.first_year, self.last_year))
    }

    pub fn is_configured(&self, year: i32) -> bool {
        year >= self.first_year && year <= self.last_year
    }

    /// Whether `d` lies in a provisional year (computed as Monday to Friday).
    pub fn is_provisional(&self, d: NaiveDate) -> bool {
        d.year() > self.last_year && d.year() <= self.last_year + self.provisional_years
    }

    pub fn spec(&self, year: i32) -> Option<&YearSpec> {
        self.specs.get(&year)
    }

    pub fn specs(&self) -> impl Iterator<Item = &YearSpec> {
        self.specs.values()
    }

    #[inline]
    fn index(&self, d: NaiveDate) -> Result<usize, CalendarError> {
        let i = d.num_days_from_ce() - self.start_ce;
        if i < 0 || i as usize >= self.kinds.len() {
            return Err(CalendarError::YearMissing { year: d.year() });
        }
        Ok(i as usize)
    }

    pub fn kind(&self, d: NaiveDate) -> Result<DayKind, CalendarError> {
        Ok(self.kinds[self.index(d)?])
    }

    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.kind(d)?.is_working())
    }

    /// The holiday or make-up day's name, e.g. 春节.
    pub fn day_name(&self, d: NaiveDate) -> Option<&str> {
        self.names.get(&d).map(String::as_str)
    }

    /// Working days in the half-open interval (`from`, `to`]: the start day is
    /// not counted. Negative when `to` is before `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, CalendarError> {
        let (a, b) = (self.index(from)?, self.index(to)?);
        Ok(i64::from(self.before[b + 1]) - i64::from(self.before[a + 1]))
    }

    /// The date `days` working days after `from` (the start day not counted).
    /// Zero days gives `from` itself (a same-day item is due on its day).
    pub fn add_working_days(&self, from: NaiveDate, days: u32) -> Result<NaiveDate, CalendarError> {
        let a = self.index(from)?;
        if days == 0 {
            return Ok(from);
        }
        let k = self.before[a + 1] as usize + days as usize - 1;
        match self.working.get(k) {
            Some(&i) => Ok(self.start + chrono::Duration::days(i64::from(i))),
            None => Err(CalendarError::YearMissing { year: self.last_year + self.provisional_years + 1 }),
        }
    }

    /// The first working day on or after `d`.
    pub fn next_working_day_from(&self, d: NaiveDate) -> Result<NaiveDate, CalendarError> {
        if self.is_working_day(d)? {
            return Ok(d);
        }
        self.add_working_days(d, 1)
    }
}

/// Checks that the step limits of a process fit in the promised limit.
pub fn check_step_limits(promised_days: u32, steps: &[u32]) -> Result<(), (u32, u32)> {
    let sum: u32 = steps.iter().sum();
    if sum > promised_days {
        Err((sum, promised_days))
    } else {
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn spec(year: i32, holidays: &[(&str, &str)], workdays: &[&str]) -> YearSpec {
        YearSpec {
            year,
            notices: vec![Notice {
                number: "测试".into(),
                title: "测试".into(),
                date: d(&format!("{}-11-01", year - 1)),
            }],
            holidays: holidays.iter().map(|(f, t)| HolidaySpan { name: "假".into(), from: d(f), to: d(t) }).collect(),
            workdays: workdays.iter().map(|w| MakeupDay { date: d(w), name: "班".into() }).collect(),
        }
    }

    #[test]
    fn validation_rules() {
        assert_eq!(
            spec(2025, &[], &["2025-09-29"]).validate(),
            Err(CalendarError::MakeupNotWeekend { date: d("2025-09-29") })
        );
        assert_eq!(
            spec(2025, &[("2025-09-27", "2025-09-28")], &["2025-09-28"]).validate(),
            Err(CalendarError::HolidayOnMakeupDay { date: d("2025-09-28") })
        );
        assert_eq!(
            spec(2025, &[("2025-10-01", "2025-10-02"), ("2025-10-02", "2025-10-03")], &[]).validate(),
            Err(CalendarError::Duplicate { date: d("2025-10-02") })
        );
        assert!(matches!(
            spec(2025, &[("2025-10-03", "2025-10-01")], &[]).validate(),
            Err(CalendarError::BadSpan { .. })
        ));
        assert!(matches!(
            spec(2025, &[("2026-03-01", "2026-03-01")], &[]).validate(),
            Err(CalendarError::OutsideYear { .. })
        ));
        assert!(spec(2019, &[("2018-12-30", "2019-01-01")], &["2018-12-29"]).validate().is_ok());
    }

    #[test]
    fn missing_years_are_errors() {
        let cal = Calendar::new(vec![spec(2024, &[], &[]), spec(2025, &[], &[])]).unwrap();
        assert_eq!(cal.kind(d("2026-01-05")), Err(CalendarError::YearMissing { year: 2026 }));
        assert_eq!(cal.kind(d("2023-12-29")), Err(CalendarError::YearMissing { year: 2023 }));
        assert_eq!(cal.add_working_days(d("2025-12-30"), 5), Err(CalendarError::YearMissing { year: 2026 }));
        let gap = Calendar::new(vec![spec(2023, &[], &[]), spec(2025, &[], &[])]);
        assert_eq!(gap.unwrap_err(), CalendarError::YearMissing { year: 2024 });
    }

    #[test]
    fn the_year_after_the_last_notice_is_provisional() {
        // 2025's notice makes 2026-01-01 a holiday; 2026 itself is not configured.
        let cal = Calendar::with_provisional(vec![spec(2025, &[("2026-01-01", "2026-01-01")], &[])], 1).unwrap();
        assert!(
            !cal.is_configured(2026) && cal.is_provisional(d("2026-03-02")) && !cal.is_provisional(d("2025-12-31"))
        );
        assert_eq!(cal.years(), Some((2025, 2025)), "only configured years are listed");
        // Wed 12-31, (Thu 01-01 holiday from the 2025 notice), Fri 01-02, Mon 01-05.
        assert_eq!(cal.add_working_days(d("2025-12-30"), 3), Ok(d("2026-01-05")));
        assert_eq!(cal.kind(d("2026-10-01")), Ok(DayKind::Holiday), "fixed-date holidays are known");
        assert_eq!(cal.day_name(d("2026-05-02")), Some("劳动节"));
        assert_eq!(cal.kind(d("2026-02-17")), Ok(DayKind::Workday), "lunar holidays are not guessed");
        assert_eq!(cal.kind(d("2027-01-04")), Err(CalendarError::YearMissing { year: 2027 }));
        assert_eq!(cal.add_working_days(d("2026-12-30"), 5), Err(CalendarError::YearMissing { year: 2027 }));
    }

    #[test]
    fn neighbouring_notices_must_agree() {
        let a = spec(2018, &[("2018-12-29", "2018-12-29")], &[]);
        let b = spec(2019, &[], &["2018-12-29"]);
        assert_eq!(Calendar::new(vec![a, b]).unwrap_err(), CalendarError::HolidayOnMakeupDay { date: d("2018-12-29") });
    }

    #[test]
    fn step_limits() {
        assert!(check_step_limits(20, &[5, 10, 5]).is_ok());
        assert_eq!(check_step_limits(20, &[5, 10, 6]), Err((21, 20)));
    }
}

/// The calendar shipped with the program (`data/holidays.toml`).
pub const SHIPPED_TOML: &str = include_str!("../../../../data/holidays.toml");

#[derive(Deserialize)]
struct ShippedFile {
    year: Vec<YearSpec>,
}

/// Parses the shipped calendar file format.
pub fn parse_years(text: &str) -> Result<Vec<YearSpec>, String> {
    let f: ShippedFile = toml::from_str(text).map_err(|e| e.to_string())?;
    Ok(f.year)
}

/// The shipped years, parsed and validated.
pub fn shipped_years() -> Vec<YearSpec> {
    parse_years(SHIPPED_TOML).expect("the shipped calendar parses")
}
