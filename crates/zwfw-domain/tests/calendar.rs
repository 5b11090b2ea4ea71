//! Working-day arithmetic on the shipped calendar (2010–2026): known cases
//! worked out by hand from the notices, and properties checked against a slow
//! day-by-day reference.

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use std::sync::OnceLock;
use zwfw_domain::calendar::{shipped_years, Calendar, CalendarError, DayKind};
use zwfw_domain::clock::{deadline_with, end_of_day_ms, CaseClock, ClockError, Extension};

fn cal() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(|| Calendar::new(shipped_years()).expect("shipped calendar is valid"))
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn add(from: &str, n: u32) -> NaiveDate {
    cal().add_working_days(d(from), n).unwrap()
}

#[test]
fn shipped_years_cover_2010_to_2026() {
    assert_eq!(cal().years(), Some((2010, 2026)));
    for y in 2010..=2026 {
        let s = cal().spec(y).unwrap();
        assert!(s.notices[0].number.contains("国"), "{y}");
        assert!(!s.holidays.is_empty());
    }
}

/// One known case per year, reasoned from that year's notice.
#[test]
fn known_cases_from_the_notices() {
    // 2010 (国办发明电〔2009〕19号): 9-19 (Sun), 9-25 (Sat) and 9-26 (Sun) are
    // working days around 中秋 9-22..24. From Fri 09-17: 19 Sun (1), 20 (2),
    // 21 (3), 25 Sat (4), 26 Sun (5): due on a Sunday.
    assert_eq!(add("2010-09-17", 5), d("2010-09-26"));
    // 2011: 春节 02-02..08 with 01-30 (Sun) worked. From Fri 01-28: 30 Sun (1),
    // 31 (2), 02-01 (3), then 02-09 (4), 02-10 (5).
    assert_eq!(add("2011-01-28", 5), d("2011-02-10"));
    // 2012: the 2012 notice makes Sat 2011-12-31 a working day; 元旦 01-01..03.
    // From Fri 2011-12-30: 12-31 (1), 2012-01-04 (2).
    assert_eq!(add("2011-12-30", 2), d("2012-01-04"));
    // 2013: 春节 02-09..15, Sat 02-16 worked. From Fri 02-08, 1 day: 02-16.
    assert_eq!(add("2013-02-08", 1), d("2013-02-16"));
    // 2014: 劳动节 05-01..03, Sun 05-04 worked. From Wed 04-30: 05-04 (1), 05-05 (2).
    assert_eq!(add("2014-04-30", 2), d("2014-05-05"));
    // 2015: the 70th anniversary holiday 09-03..05 (国发明电〔2015〕3号), Sun 09-06 worked.
    // From Wed 09-02: 09-06 (1), 09-07 (2).
    assert_eq!(add("2015-09-02", 2), d("2015-09-07"));
    // 2016: 中秋 09-15..17, Sun 09-18 worked. From Fri 09-09: 12,13,14 (3), 18 (4), 19 (5).
    assert_eq!(add("2016-09-09", 5), d("2016-09-19"));
    // 2017: Sat 09-30 worked before 中秋国庆 10-01..08. From Fri 09-29: 09-30 (1), 10-09 (2).
    assert_eq!(add("2017-09-29", 1), d("2017-09-30"));
    assert_eq!(add("2017-09-29", 2), d("2017-10-09"));
    // 2018/2019: the 2019 notice makes Sat 2018-12-29 a working day and 12-30..01-01 holidays.
    assert_eq!(add("2018-12-28", 1), d("2018-12-29"));
    assert_eq!(add("2018-12-28", 2), d("2019-01-02"));
    // 2019: 劳动节 as amended by 国办发明电〔2019〕2号: 05-01..04 off, Sun 04-28 and Sun 05-05 worked.
    // From Fri 04-26: 28 (1), 29 (2), 30 (3), 05-05 (4).
    assert_eq!(add("2019-04-26", 4), d("2019-05-05"));
    // 2020: 国办发明电〔2020〕1号 extended 春节 to 02-02, so Sat 02-01 was no longer worked.
    // From Thu 01-23, 1 day: 02-03.
    assert_eq!(add("2020-01-23", 1), d("2020-02-03"));
    // 2021: Sun 02-07 worked before 春节 02-11..17. From Fri 02-05: 07 (1), 08, 09, 10 (4), 18 (5).
    assert_eq!(add("2021-02-05", 5), d("2021-02-18"));
    // 2022: 劳动节 04-30..05-04, Sat 05-07 worked. From Fri 04-29: 05-05 (1), 05-06 (2), 05-07 (3).
    assert_eq!(add("2022-04-29", 3), d("2022-05-07"));
    // 2023: 中秋国庆 09-29..10-06, Sat 10-07 and Sun 10-08 worked.
    assert_eq!(add("2023-09-28", 2), d("2023-10-08"));
    assert_eq!(add("2023-09-28", 3), d("2023-10-09"));
    // 2024: Sun 02-04 worked, 春节 02-10..17, Sun 02-18 worked. From Fri 02-02:
    // 04 (1), 05..09 (2..6), 18 (7).
    assert_eq!(add("2024-02-02", 7), d("2024-02-18"));
    // 2025: the example of the issue: accepted Fri 09-26, 5 working days:
    // Sun 09-28 is worked (1), 29 (2), 30 (3), 10-01..08 off, 10-09 (4), 10-10 (5).
    assert_eq!(add("2025-09-26", 5), d("2025-10-10"));
    assert_eq!(cal().working_days_between(d("2025-09-26"), d("2025-10-10")).unwrap(), 5);
    // 2026: Sat 02-14 worked, 春节 02-15..23. From Fri 02-13: 02-14 (1), 02-24 (2).
    assert_eq!(add("2026-02-13", 2), d("2026-02-24"));
    // 2026: 20 working days from Fri 09-18 across 中秋 (09-25..27) and 国庆 (10-01..07),
    // with Sun 09-20 and Sat 10-10 worked: 20, 21..24 (5), 28..30 (8), 10-08, 09 (10),
    // 10-10 (11), 12..16 (16), 19..22 (20).
    assert_eq!(add("2026-09-18", 20), d("2026-10-22"));
}

#[test]
fn day_kinds_and_names() {
    let c = cal();
    assert_eq!(c.kind(d("2025-09-28")).unwrap(), DayKind::Makeup);
    assert_eq!(c.kind(d("2025-10-03")).unwrap(), DayKind::Holiday);
    assert_eq!(c.day_name(d("2025-10-03")), Some("国庆节、中秋节"));
    assert_eq!(c.kind(d("2025-10-18")).unwrap(), DayKind::Weekend);
    assert_eq!(c.kind(d("2025-10-17")).unwrap(), DayKind::Workday);
    assert_eq!(c.kind(d("2027-01-04")), Err(CalendarError::YearMissing { year: 2027 }));
    assert_eq!(c.kind(d("2009-12-31")), Err(CalendarError::YearMissing { year: 2009 }));
    assert_eq!(c.add_working_days(d("2026-12-30"), 5), Err(CalendarError::YearMissing { year: 2027 }));
    assert_eq!(c.add_working_days(d("2025-10-04"), 0).unwrap(), d("2025-10-04"));
    assert_eq!(c.next_working_day_from(d("2025-10-04")).unwrap(), d("2025-10-09"));
}

fn slow_kind(c: &Calendar, day: NaiveDate) -> bool {
    c.kind(day).unwrap().is_working()
}

fn slow_add(c: &Calendar, from: NaiveDate, n: u32) -> NaiveDate {
    let mut day = from;
    let mut left = n;
    while left > 0 {
        day += Duration::days(1);
        if slow_kind(c, day) {
            left -= 1;
        }
    }
    day
}

fn slow_count(c: &Calendar, from: NaiveDate, to: NaiveDate) -> i64 {
    let mut n = 0;
    let mut day = from;
    while day < to {
        day += Duration::days(1);
        if slow_kind(c, day) {
            n += 1;
        }
    }
    n
}

/// Day by day: a day counts when it is a working day outside every (s, e].
fn slow_deadline(c: &Calendar, from: NaiveDate, limit: u32, susp: &[(NaiveDate, NaiveDate)]) -> NaiveDate {
    if limit == 0 {
        return from;
    }
    let mut day = from;
    let mut left = limit;
    loop {
        day += Duration::days(1);
        let stopped = susp.iter().any(|&(s, e)| day > s && day <= e);
        if slow_kind(c, day) && !stopped {
            left -= 1;
            if left == 0 {
                return day;
            }
        }
    }
}

fn any_day() -> impl Strategy<Value = NaiveDate> {
    // 2010-01-01 .. 2026-06-30, leaving room to add within the configured range.
    (0i64..6025).prop_map(|o| d("2010-01-01") + Duration::days(o))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn add_then_count_round_trips(from in any_day(), n in 1u32..120) {
        let c = cal();
        let r = c.add_working_days(from, n).unwrap();
        prop_assert!(c.is_working_day(r).unwrap(), "a deadline never lands on a non-working day");
        prop_assert_eq!(c.working_days_between(from, r).unwrap(), i64::from(n));
        prop_assert_eq!(r, slow_add(c, from, n));
    }

    #[test]
    fn counting_agrees_with_reference(a in any_day(), span in 0i64..180) {
        let c = cal();
        let b = a + Duration::days(span);
        prop_assert_eq!(c.working_days_between(a, b).unwrap(), slow_count(c, a, b));
        prop_assert_eq!(c.working_days_between(b, a).unwrap(), -slow_count(c, a, b));
    }

    #[test]
    fn suspensions_never_shorten_and_match_reference(
        from in any_day(),
        limit in 0u32..60,
        raw in proptest::collection::vec((0i64..90, 0i64..20), 0..4),
    ) {
        let c = cal();
        // Non-overlapping intervals after `from`, sorted.
        let mut susp = Vec::new();
        let mut cursor = from;
        for (gap, len) in raw {
            let s = cursor + Duration::days(gap);
            let e = s + Duration::days(len);
            susp.push((s, e));
            cursor = e;
        }
        let plain = deadline_with(c, from, limit, &[]).unwrap();
        let with = deadline_with(c, from, limit, &susp).unwrap();
        prop_assert!(with >= plain, "suspensions never shorten a deadline");
        prop_assert_eq!(with, slow_deadline(c, from, limit, &susp));
        prop_assert!(limit == 0 || c.is_working_day(with).unwrap());
    }
}

fn accepted(day: &str) -> i64 {
    // 10:00 in Shanghai.
    zwfw_domain::time::parse_rfc3339(&format!("{day}T10:00:00+08:00")).unwrap()
}

#[test]
fn clock_with_special_procedure() {
    let c = cal();
    // Accepted Mon 2025-03-03, promised 10 and legal 20 working days.
    let mut clock = CaseClock::new(accepted("2025-03-03"), 10, 20).unwrap();
    let st = clock.status_on(c, d("2025-03-03")).unwrap();
    assert_eq!(st.promised.deadline, d("2025-03-17"));
    assert_eq!((st.promised.used_days, st.promised.remaining_days), (0, 10));

    // 检测 starts Wed 03-05 and is still running on Fri 03-07: 03-06 and 03-07 do not count.
    clock.start_suspension("检测", d("2025-03-05"), "送检").unwrap();
    assert_eq!(clock.start_suspension("鉴定", d("2025-03-06"), "x"), Err(ClockError::SuspensionRunning));
    let st = clock.status_on(c, d("2025-03-07")).unwrap();
    assert!(st.suspended_now);
    assert_eq!(st.suspended_days, 2);
    assert_eq!(st.promised.used_days, 2);
    assert_eq!(st.promised.deadline, d("2025-03-19"));

    // It ends Tue 03-11: (03-05, 03-11] = 4 working days stopped; the deadline moves 4 days.
    clock.end_suspension(d("2025-03-11")).unwrap();
    let st = clock.status_on(c, d("2025-03-12")).unwrap();
    assert!(!st.suspended_now);
    assert_eq!(st.suspended_days, 4);
    assert_eq!(st.promised.deadline, d("2025-03-21"));
    assert_eq!(st.promised.used_days, 3, "03-04, 03-05, 03-12");
    assert_eq!(clock.promised_remaining_on(c, d("2025-03-12")).unwrap(), 7);
    // Two procedures may not overlap.
    assert_eq!(clock.start_suspension("鉴定", d("2025-03-10"), "x"), Err(ClockError::SuspensionOverlap));
    clock.start_suspension("专家评审", d("2025-03-13"), "评审").unwrap();
    clock.end_suspension(d("2025-03-13")).unwrap();

    // Extension (行政许可法 第四十二条): +10 working days on the legal limit only.
    let before = clock.status_on(c, d("2025-03-12")).unwrap().legal.deadline;
    let ext = Extension {
        days: 10,
        applies_to_promised: false,
        approved_by: "吴海".into(),
        reason: "情况复杂".into(),
        on: d("2025-03-12"),
    };
    assert_eq!(clock.extend(Extension { reason: " ".into(), ..ext.clone() }), Err(ClockError::BadExtension));
    clock.extend(ext).unwrap();
    let st = clock.status_on(c, d("2025-03-12")).unwrap();
    assert_eq!(st.legal.limit_days, 30);
    assert_eq!(c.working_days_between(before, st.legal.deadline).unwrap(), 10);
    assert_eq!(st.promised.deadline, d("2025-03-21"));

    // Overdue: on Mon 03-24 the promised deadline (Fri 03-21) has passed.
    let st = clock.status_on(c, d("2025-03-24")).unwrap();
    assert!(st.promised.overdue);
    assert_eq!(st.promised.overdue_days, 1);
    assert!(!st.legal.overdue);
    // Passed on a weekend: overdue, but no working day beyond the limit yet.
    let st = clock.status_on(c, d("2025-03-22")).unwrap();
    assert!(st.promised.overdue && st.promised.overdue_days == 0);
    // Concluded on 03-20: the clock stops there.
    clock.concluded_on = Some(d("2025-03-20"));
    let st = clock.status_on(c, d("2025-06-01")).unwrap();
    assert!(!st.promised.overdue);
    assert_eq!(st.as_of, d("2025-03-20"));
}

#[test]
fn same_day_items_and_steps() {
    let c = cal();
    let clock = CaseClock::new(accepted("2025-09-30"), 0, 0).unwrap();
    let st = clock.status_on(c, d("2025-09-30")).unwrap();
    assert_eq!(st.promised.deadline, d("2025-09-30"));
    assert!(!st.promised.overdue);
    assert!(clock.status_on(c, d("2025-10-01")).unwrap().promised.overdue);
    assert_eq!(end_of_day_ms(d("2025-09-30")), zwfw_domain::time::parse_rfc3339("2025-10-01T00:00:00+08:00").unwrap());
    assert_eq!(CaseClock::new(0, 21, 20).unwrap_err(), ClockError::PromisedOverLegal);

    let mut clock = CaseClock::new(accepted("2025-09-26"), 5, 20).unwrap();
    clock.steps.push(zwfw_domain::clock::StepTimer {
        name: "受理".into(),
        started_on: d("2025-09-26"),
        limit_days: 1,
        ended_on: Some(d("2025-09-28")),
    });
    clock.steps.push(zwfw_domain::clock::StepTimer {
        name: "审查".into(),
        started_on: d("2025-09-28"),
        limit_days: 3,
        ended_on: None,
    });
    let st = clock.status_on(c, d("2025-10-10")).unwrap();
    assert_eq!(st.promised.deadline, d("2025-10-10"));
    assert!(!st.steps[0].period.overdue && st.steps[0].ended);
    assert_eq!(st.steps[1].period.deadline, d("2025-10-09"));
    assert!(st.steps[1].period.overdue);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// The fast remaining-time path, the full status and the day-by-day
    /// reference agree on every clock.
    #[test]
    fn clock_views_agree(
        acc in 0i64..400,
        promised in 1u32..60,
        susp in proptest::option::of((0i64..20, proptest::option::of(0i64..15))),
        later in 0i64..150,
    ) {
        let c = cal();
        let accepted_on = d("2025-01-02") + Duration::days(acc);
        let ms = zwfw_domain::time::parse_rfc3339(&format!("{accepted_on}T10:00:00+08:00")).unwrap();
        let mut clock = CaseClock::new(ms, promised, promised * 2).unwrap();
        if let Some((s, e)) = susp {
            let s = accepted_on + Duration::days(s);
            clock.start_suspension("检测", s, "x").unwrap();
            if let Some(e) = e {
                clock.end_suspension(s + Duration::days(e)).unwrap();
            }
        }
        let today = accepted_on + Duration::days(later);
        let st = clock.status_on(c, today).unwrap();
        let fast = clock.promised_remaining_on(c, today).unwrap();
        prop_assert_eq!(i64::from(promised) - st.promised.used_days, fast);
        prop_assert_eq!(st.promised.remaining_days, fast.max(0));
        if fast < 0 {
            prop_assert!(st.promised.overdue, "used beyond the limit means the deadline has passed: {:?}", st.promised);
        }
        // The deadline agrees with the reference, with running procedures ending today.
        let intervals: Vec<_> = clock.suspensions.iter().filter(|x| x.start <= today)
            .map(|x| (x.start, x.end.unwrap_or(today).min(today))).collect();
        prop_assert_eq!(st.promised.deadline, slow_deadline(c, accepted_on, promised, &intervals));
    }
}

#[test]
fn a_span_of_days_runs_from_the_first_midnight_to_the_last_in_china_time() {
    use zwfw_domain::clock::{days_span_ms, start_of_day_ms};
    let at = |s: &str| zwfw_domain::time::parse_rfc3339(s).unwrap();
    assert_eq!(start_of_day_ms(d("2025-09-30")), at("2025-09-30T00:00:00+08:00"));
    assert_eq!(
        days_span_ms(Some(d("2025-09-30")), Some(d("2025-09-30"))),
        Some((Some(at("2025-09-30T00:00:00+08:00")), Some(at("2025-10-01T00:00:00+08:00"))))
    );
    assert_eq!(days_span_ms(None, Some(d("2025-09-30"))), Some((None, Some(at("2025-10-01T00:00:00+08:00")))));
    assert_eq!(days_span_ms(None, None), Some((None, None)));
    assert_eq!(days_span_ms(Some(d("2025-10-02")), Some(d("2025-10-01"))), None, "ends before it starts");
}
