//! The statutory festivals (法定节假日) of 全国年节及纪念日放假办法 and the
//! check that a year's entry gives each of them its days off.
//!
//! The festivals and their days, in the version in force each year:
//!
//! | festival | until 2013 | 2014–2024 | from 2025 |
//! |---|---|---|---|
//! | 元旦 | 1 January | same | same |
//! | 春节 | 除夕, 初一, 初二 | 初一 to 初三 | 除夕 to 初三 |
//! | 清明节 | the day of the 清明 solar term | same | same |
//! | 劳动节 | 1 May | same | 1 and 2 May |
//! | 端午节 | lunar 5/5 | same | same |
//! | 中秋节 | lunar 8/15 | same | same |
//! | 国庆节 | 1 to 3 October | same | same |
//!
//! The lunar dates come from a table shipped here (the Gregorian dates of
//! 正月初一, 五月初五 and 八月十五 of each year, checked in the tests against an
//! independent lunisolar calendar); the 清明 day from the solar term's formula
//! for the 21st century. The table covers `FIRST_YEAR..=LAST_YEAR`.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{HolidaySpan, YearSpec};

/// The first and the last year the festival dates are known for.
pub const FIRST_YEAR: i32 = 2009;
pub const LAST_YEAR: i32 = 2035;

/// (正月初一, 五月初五, 八月十五) of each year from `FIRST_YEAR`, as (month, day).
const LUNAR: [[(u32, u32); 3]; (LAST_YEAR - FIRST_YEAR + 1) as usize] = [
    [(1, 26), (5, 28), (10, 3)], // 2009
    [(2, 14), (6, 16), (9, 22)], // 2010
    [(2, 3), (6, 6), (9, 12)],   // 2011
    [(1, 23), (6, 23), (9, 30)], // 2012
    [(2, 10), (6, 12), (9, 19)], // 2013
    [(1, 31), (6, 2), (9, 8)],   // 2014
    [(2, 19), (6, 20), (9, 27)], // 2015
    [(2, 8), (6, 9), (9, 15)],   // 2016
    [(1, 28), (5, 30), (10, 4)], // 2017
    [(2, 16), (6, 18), (9, 24)], // 2018
    [(2, 5), (6, 7), (9, 13)],   // 2019
    [(1, 25), (6, 25), (10, 1)], // 2020
    [(2, 12), (6, 14), (9, 21)], // 2021
    [(2, 1), (6, 3), (9, 10)],   // 2022
    [(1, 22), (6, 22), (9, 29)], // 2023
    [(2, 10), (6, 10), (9, 17)], // 2024
    [(1, 29), (5, 31), (10, 6)], // 2025
    [(2, 17), (6, 19), (9, 25)], // 2026
    [(2, 6), (6, 9), (9, 15)],   // 2027
    [(1, 26), (5, 28), (10, 3)], // 2028
    [(2, 13), (6, 16), (9, 22)], // 2029
    [(2, 3), (6, 5), (9, 12)],   // 2030
    [(1, 23), (6, 24), (10, 1)], // 2031
    [(2, 11), (6, 12), (9, 19)], // 2032
    [(1, 31), (6, 1), (9, 8)],   // 2033
    [(2, 19), (6, 20), (9, 27)], // 2034
    [(2, 8), (6, 10), (9, 16)],  // 2035
];

crate::codes::code_list!(
    /// A statutory festival: its code and the name a holiday span carries.
    Festival {
        NewYear = "new_year": "元旦",
        SpringFestival = "spring_festival": "春节",
        Qingming = "qingming": "清明节",
        Labour = "labour": "劳动节",
        DragonBoat = "dragon_boat": "端午节",
        MidAutumn = "mid_autumn": "中秋节",
        National = "national": "国庆节",
    }
);

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date of the table")
}

/// The day of the 清明 solar term in `year` (21st century): 4 or 5 April.
pub fn qingming(year: i32) -> Option<NaiveDate> {
    if !(2000..=2099).contains(&year) {
        return None;
    }
    // 寿星 formula: day = floor(Y × D + C) − floor(Y / 4), Y = year − 2000,
    // D = 0.2422, C = 4.81 for 清明 in the 21st century (no exceptions there).
    let y = year - 2000;
    let day = (f64::from(y) * 0.2422 + 4.81).floor() as i32 - y / 4;
    NaiveDate::from_ymd_opt(year, 4, day as u32)
}

/// The Gregorian dates of 正月初一, 五月初五 (端午) and 八月十五 (中秋) of `year`.
pub fn lunar_days(year: i32) -> Option<(NaiveDate, NaiveDate, NaiveDate)> {
    let row = LUNAR.get(usize::try_from(year - FIRST_YEAR).ok()?)?;
    Some((ymd(year, row[0].0, row[0].1), ymd(year, row[1].0, row[1].1), ymd(year, row[2].0, row[2].1)))
}

/// The statutory days off of `year`, festival by festival, as the version of
/// the rules in force that year sets them; `None` outside the known years.
pub fn statutory_days(year: i32) -> Option<Vec<(Festival, NaiveDate)>> {
    let (new_year, dragon_boat, mid_autumn) = lunar_days(year)?;
    let eve = new_year.pred_opt()?;
    let day = |n: i64| new_year + chrono::Duration::days(n);
    let spring: Vec<NaiveDate> = match year {
        ..=2013 => vec![eve, day(0), day(1)],
        2014..=2024 => vec![day(0), day(1), day(2)],
        _ => vec![eve, day(0), day(1), day(2)],
    };
    let mut out = vec![(Festival::NewYear, ymd(year, 1, 1))];
    out.extend(spring.into_iter().map(|d| (Festival::SpringFestival, d)));
    out.push((Festival::Qingming, qingming(year)?));
    out.push((Festival::Labour, ymd(year, 5, 1)));
    if year >= 2025 {
        out.push((Festival::Labour, ymd(year, 5, 2)));
    }
    out.push((Festival::DragonBoat, dragon_boat));
    out.push((Festival::MidAutumn, mid_autumn));
    out.extend((1..=3).map(|d| (Festival::National, ymd(year, 10, d))));
    Some(out)
}

/// Whether a span or a make-up day named `name` is named for `festival`
/// ("中秋节、国庆节" is named for both).
pub fn named_for(name: &str, festival: Festival) -> bool {
    name.split(['、', ',', '，', '/', ' ']).any(|part| {
        let part = part.trim();
        part == festival.label() || part.trim_end_matches('节') == festival.label().trim_end_matches('节')
    })
}

/// What is wrong with one statutory day in a year's entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FestivalProblem {
    /// The day is not a day off at all.
    Missing { festival: Festival, date: NaiveDate },
    /// The day is off, but in a span named for something else.
    Misplaced { festival: Festival, date: NaiveDate, span: String },
}

impl FestivalProblem {
    /// The problem as a line of a machine-readable detail:
    /// `missing mid_autumn 2027-09-15` or `misplaced dragon_boat 2026-06-19 清明节`.
    pub fn detail(&self) -> String {
        match self {
            FestivalProblem::Missing { festival, date } => format!("missing {} {date}", festival.code()),
            FestivalProblem::Misplaced { festival, date, span } => {
                format!("misplaced {} {date} {span}", festival.code())
            }
        }
    }

    /// Reads back a line written by `detail`.
    pub fn from_detail(line: &str) -> Option<FestivalProblem> {
        let mut parts = line.trim().splitn(4, ' ');
        let (kind, festival, date) = (parts.next()?, parts.next()?, parts.next()?);
        let festival = Festival::parse(festival)?;
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
        match (kind, parts.next()) {
            ("missing", None) => Some(FestivalProblem::Missing { festival, date }),
            ("misplaced", Some(span)) => Some(FestivalProblem::Misplaced { festival, date, span: span.to_string() }),
            _ => None,
        }
    }
}

/// Days a make-up working day may lie from the festival it is named for.
pub const MAKEUP_REACH_DAYS: i64 = 28;

/// Checks that every statutory day of the year lies in a holiday span named
/// for its festival. Every problem is listed, in the order of the days.
pub fn check(spec: &YearSpec) -> Result<(), Vec<FestivalProblem>> {
    let Some(days) = statutory_days(spec.year) else {
        return Ok(());
    };
    let problems: Vec<FestivalProblem> = days
        .into_iter()
        .filter_map(|(festival, date)| {
            let span = spec.holidays.iter().find(|h| h.from <= date && date <= h.to);
            match span {
                None => Some(FestivalProblem::Missing { festival, date }),
                Some(h) if !named_for(&h.name, festival) => {
                    Some(FestivalProblem::Misplaced { festival, date, span: h.name.clone() })
                }
                Some(_) => None,
            }
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Days between `date` and the nearest day of `span` (0 inside it).
fn distance(span: &HolidaySpan, date: NaiveDate) -> i64 {
    if date < span.from {
        (span.from - date).num_days()
    } else if date > span.to {
        (date - span.to).num_days()
    } else {
        0
    }
}

/// The make-up days of the entry that lie more than `MAKEUP_REACH_DAYS` from
/// every span named like them (or whose name no span carries).
pub fn stray_makeup_days(spec: &YearSpec) -> Vec<NaiveDate> {
    spec.workdays
        .iter()
        .filter(|w| {
            let near =
                spec.holidays.iter().filter(|h| shares_name(&h.name, &w.name)).map(|h| distance(h, w.date)).min();
            near.is_none_or(|n| n > MAKEUP_REACH_DAYS)
        })
        .map(|w| w.date)
        .collect()
}

/// Whether two names share a festival (or are the same name).
fn shares_name(a: &str, b: &str) -> bool {
    a.trim() == b.trim() || Festival::ALL.iter().any(|f| named_for(a, *f) && named_for(b, *f))
}

/// The year of a date, for the message of a refused year.
pub fn year_of(d: NaiveDate) -> i32 {
    d.year()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn qingming_days_of_the_shipped_years() {
        // 4 April in the years divisible by 4 and the following one (2010–2026).
        let fourth = [2012, 2013, 2016, 2017, 2020, 2021, 2024, 2025];
        for y in 2010..=2026 {
            let want = if fourth.contains(&y) { 4 } else { 5 };
            assert_eq!(qingming(y), Some(ymd(y, 4, want)), "{y}");
        }
        assert_eq!(qingming(2027), Some(d("2027-04-05")));
        assert_eq!(qingming(2028), Some(d("2028-04-04")));
    }

    #[test]
    fn the_lunar_table_agrees_with_an_independent_calendar() {
        use chinese_lunisolar_calendar::LunisolarDate;
        for year in FIRST_YEAR..=LAST_YEAR {
            let lunar = |m, day| LunisolarDate::from_ymd(year as u16, m, false, day).unwrap().to_naive_date();
            assert_eq!(lunar_days(year), Some((lunar(1, 1), lunar(5, 5), lunar(8, 15))), "{year}");
        }
        assert_eq!(lunar_days(FIRST_YEAR - 1), None);
        assert_eq!(lunar_days(LAST_YEAR + 1), None);
    }

    #[test]
    fn the_version_in_force_decides_the_spring_festival_and_labour_day() {
        let spring = |y| -> Vec<NaiveDate> {
            statutory_days(y)
                .unwrap()
                .into_iter()
                .filter(|(f, _)| *f == Festival::SpringFestival)
                .map(|x| x.1)
                .collect()
        };
        assert_eq!(spring(2013), vec![d("2013-02-09"), d("2013-02-10"), d("2013-02-11")]);
        assert_eq!(spring(2014), vec![d("2014-01-31"), d("2014-02-01"), d("2014-02-02")]);
        assert_eq!(spring(2025), vec![d("2025-01-28"), d("2025-01-29"), d("2025-01-30"), d("2025-01-31")]);
        let labour = |y| statutory_days(y).unwrap().iter().filter(|(f, _)| *f == Festival::Labour).count();
        assert_eq!((labour(2024), labour(2025)), (1, 2));
        assert_eq!(statutory_days(2008), None);
        assert_eq!(statutory_days(2036), None);
    }

    #[test]
    fn names_with_two_festivals_count_for_both() {
        assert!(named_for("中秋节、国庆节", Festival::MidAutumn));
        assert!(named_for("中秋节、国庆节", Festival::National));
        assert!(named_for("国庆", Festival::National));
        assert!(!named_for("国庆节", Festival::MidAutumn));
    }

    fn span(name: &str, from: &str, to: &str) -> HolidaySpan {
        HolidaySpan { name: name.into(), from: d(from), to: d(to) }
    }

    #[test]
    fn a_year_with_only_new_year_and_spring_festival_lists_the_rest() {
        let spec = YearSpec {
            year: 2027,
            notices: vec![],
            holidays: vec![span("元旦", "2027-01-01", "2027-01-03"), span("春节", "2027-02-05", "2027-02-11")],
            workdays: vec![],
        };
        let problems = check(&spec).unwrap_err();
        let missing: Vec<(Festival, NaiveDate)> = problems
            .iter()
            .map(|p| match p {
                FestivalProblem::Missing { festival, date } => (*festival, *date),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            missing,
            vec![
                (Festival::Qingming, d("2027-04-05")),
                (Festival::Labour, d("2027-05-01")),
                (Festival::Labour, d("2027-05-02")),
                (Festival::DragonBoat, d("2027-06-09")),
                (Festival::MidAutumn, d("2027-09-15")),
                (Festival::National, d("2027-10-01")),
                (Festival::National, d("2027-10-02")),
                (Festival::National, d("2027-10-03")),
            ]
        );
    }

    #[test]
    fn a_problem_reads_back_from_its_detail() {
        for p in [
            FestivalProblem::Missing { festival: Festival::MidAutumn, date: d("2027-09-15") },
            FestivalProblem::Misplaced {
                festival: Festival::DragonBoat,
                date: d("2026-06-19"),
                span: "清明 节".into(),
            },
        ] {
            assert_eq!(FestivalProblem::from_detail(&p.detail()), Some(p));
        }
        assert_eq!(FestivalProblem::from_detail("missing moon 2027-09-15"), None);
    }

    #[test]
    fn a_span_named_for_another_festival_is_misplaced() {
        let mut spec = super::super::shipped_years().into_iter().find(|s| s.year == 2026).unwrap();
        for h in &mut spec.holidays {
            if h.name == "端午节" {
                h.name = "清明节".into();
            }
        }
        assert_eq!(
            check(&spec).unwrap_err(),
            vec![FestivalProblem::Misplaced {
                festival: Festival::DragonBoat,
                date: d("2026-06-19"),
                span: "清明节".into()
            }]
        );
    }

    #[test]
    fn every_shipped_year_covers_its_festivals_and_keeps_its_makeup_days_near() {
        for spec in super::super::shipped_years() {
            assert_eq!(check(&spec), Ok(()), "{}", spec.year);
            assert_eq!(stray_makeup_days(&spec), Vec::<NaiveDate>::new(), "{}", spec.year);
        }
    }

    #[test]
    fn a_makeup_day_far_from_its_festival_is_stray() {
        let spec = YearSpec {
            year: 2027,
            notices: vec![],
            holidays: vec![span("劳动节", "2027-05-01", "2027-05-05")],
            workdays: vec![
                super::super::MakeupDay { date: d("2027-04-25"), name: "劳动节".into() },
                super::super::MakeupDay { date: d("2027-03-20"), name: "劳动节".into() },
                super::super::MakeupDay { date: d("2027-05-08"), name: "端午节".into() },
            ],
        };
        assert_eq!(stray_makeup_days(&spec), vec![d("2027-03-20"), d("2027-05-08")]);
    }
}
