use super::*;
use crate::calendar::{shipped_years, Calendar};
use crate::cases::{EventKind, Outcome};
use crate::catalog::example;
use crate::clock::CaseClock;
use crate::clock::{Extension, Suspension};
use chrono::NaiveDate;

fn cal() -> Calendar {
    Calendar::new(shipped_years()).unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn open(promised: &str, legal: &str, step: &str) -> OpenCase {
    OpenCase {
        state: "in_progress".into(),
        suspended: false,
        step_no: 1,
        step_due: Some(d(step)),
        promised_due: Some(d(promised)),
        legal_due: Some(d(legal)),
        deemed_accepted: false,
        supplement_notices: 0,
    }
}

fn codes(f: &[Fact]) -> Vec<&'static str> {
    f.iter().map(|x| x.rule.code()).collect()
}

#[test]
fn deadline_rules_cross_on_the_right_days() {
    let cal = cal();
    let rules = RuleSet::defaults();
    // Promised due Friday 2025-10-10 (after the National Day week), legal 2025-10-24, step due 2025-10-09.
    let c = open("2025-10-10", "2025-10-24", "2025-10-09");
    let on = |day: &str| codes(&case_facts(&rules, &c, &Cutoffs::on(&cal, &rules, d(day)).unwrap()));
    // 2025-09-30: next working day is 10-09 (holidays 10-01..10-08), so 10-10 is two working days away.
    assert_eq!(on("2025-09-30"), Vec::<&str>::new());
    // On a holiday (10-05) the next working day is 10-09: 10-10 is 2 working days away still.
    assert_eq!(on("2025-10-05"), Vec::<&str>::new());
    // 10-09: one working day left → W01; the step is due that day, not yet overdue.
    assert_eq!(on("2025-10-09"), vec!["W01"]);
    // 10-10: the deadline day → still W01 (0 left), the step is now overdue → W02.
    assert_eq!(on("2025-10-10"), vec!["W01", "W02"]);
    // The weekend after: promised limit exceeded → Y01; W02 only while within the limit.
    assert_eq!(on("2025-10-11"), vec!["Y01"]);
    assert_eq!(on("2025-10-25"), vec!["Y01", "R01"]);
    // A suspended case's clock is stopped.
    let mut s = c.clone();
    s.suspended = true;
    assert!(case_facts(&rules, &s, &Cutoffs::on(&cal, &rules, d("2025-10-25")).unwrap()).is_empty());
    // W01 with 3 days: 10-09 + 3 = 10-14 ≥ 10-10.
    let mut wider = rules.clone();
    wider.0[0].params.days = Some(3);
    let facts = case_facts(&wider, &c, &Cutoffs::on(&cal, &wider, d("2025-09-30")).unwrap());
    assert_eq!(codes(&facts), vec!["W01"]);
    assert_eq!(facts[0].key, "2025-10-10", "keyed by the deadline it warns of");
    // A disabled rule finds nothing.
    let mut off = rules.clone();
    off.0.iter_mut().find(|r| r.code == RuleCode::Y01).unwrap().enabled = false;
    assert_eq!(codes(&case_facts(&off, &c, &Cutoffs::on(&cal, &off, d("2025-10-11")).unwrap())), Vec::<&str>::new());
}

#[test]
fn acceptance_and_supplement_rules() {
    let cal = cal();
    let rules = RuleSet::defaults();
    let cut = Cutoffs::on(&cal, &rules, d("2025-10-10")).unwrap();
    let mut c = open("2025-12-01", "2025-12-30", "2025-11-01");
    c.deemed_accepted = true;
    assert_eq!(codes(&case_facts(&rules, &c, &cut)), vec!["A01"]);
    c.deemed_accepted = false;
    c.state = "submitted".into();
    c.supplement_notices = 1;
    assert!(case_facts(&rules, &c, &cut).is_empty(), "one notice is the rule");
    c.supplement_notices = 2;
    assert_eq!(codes(&case_facts(&rules, &c, &cut)), vec!["A02"]);
}

fn ev(kind: EventKind, step: &str) -> SeenEvent {
    SeenEvent { kind, step_name: step.into() }
}

#[test]
fn history_rules_read_events_as_stored() {
    let cal = cal();
    let rules = RuleSet::defaults();
    let item = example(1);
    let names: Vec<String> = item.steps.iter().map(|s| s.name.clone()).collect();
    let today = d("2025-10-10");
    let pass = |s: &str| ev(EventKind::StepPassed { opinion: "同意".into() }, s);
    let grant = ev(
        EventKind::Concluded {
            outcome: Outcome::Granted,
            reason: String::new(),
            document_no: "X1".into(),
            valid_until: None,
            fee_fen: None,
        },
        "决定",
    );
    let mut good: Vec<SeenEvent> = names.iter().map(|n| pass(n)).collect();
    good.push(grant.clone());
    assert!(history_facts(&cal, &rules, &item, &good, None, None, today).unwrap().is_empty());
    // Granted after only the first step.
    let short = vec![pass(&names[0]), grant.clone()];
    let f = history_facts(&cal, &rules, &item, &short, None, None, today).unwrap();
    assert_eq!(codes(&f), vec!["A05"]);
    assert_eq!(f[0].key, "steps");
    // Steps passed in the wrong order.
    let mut swapped: Vec<SeenEvent> = names.iter().rev().map(|n| pass(n)).collect();
    swapped.push(grant);
    assert_eq!(codes(&history_facts(&cal, &rules, &item, &swapped, None, None, today).unwrap()), vec!["A05"]);
    // A denial and a refusal without reason.
    let silent = vec![
        ev(EventKind::Refused { reason: " ".into() }, "预审"),
        ev(
            EventKind::Concluded {
                outcome: Outcome::Voided,
                reason: String::new(),
                document_no: String::new(),
                valid_until: None,
                fee_fen: None,
            },
            "预审",
        ),
    ];
    let f = history_facts(&cal, &rules, &item, &silent, None, None, today).unwrap();
    assert_eq!(codes(&f), vec!["A03", "A03"]);
    assert_ne!(f[0].key, f[1].key, "two events, two facts");
    // Fee: the example item charges nothing, so any fee differs.
    assert_eq!(codes(&history_facts(&cal, &rules, &item, &[], None, Some(500), today).unwrap()), vec!["A04"]);
    assert!(history_facts(&cal, &rules, &item, &[], None, Some(0), today).unwrap().is_empty());
    let mut paid = item.clone();
    paid.fee = true;
    paid.fee_amount_fen = Some(2000);
    assert!(history_facts(&cal, &rules, &paid, &[], None, Some(2000), today).unwrap().is_empty());
    assert_eq!(codes(&history_facts(&cal, &rules, &paid, &[], None, Some(3000), today).unwrap()), vec!["A04"]);
}

#[test]
fn special_procedures_and_extensions() {
    let cal = cal();
    let item = example(1); // declares at most 10 working days of special procedure
    let mut clock = CaseClock::new(crate::time::parse_rfc3339("2025-09-01T09:00:00+08:00").unwrap(), 10, 20).unwrap();
    clock.suspensions.push(Suspension {
        kind: "现场核查".into(),
        start: d("2025-11-03"),
        end: Some(d("2025-11-17")),
        reason: "核查".into(),
    });
    // (11-03, 11-17] = 10 working days: allowed.
    assert!(clock_facts(&cal, &item, &clock, d("2025-12-10")).unwrap().is_empty());
    clock.suspensions[0].end = Some(d("2025-11-18"));
    let f = clock_facts(&cal, &item, &clock, d("2025-12-10")).unwrap();
    assert_eq!(codes(&f), vec!["A06"]);
    assert_eq!(f[0].detail["days"], 11);
    // A running one counts up to today.
    clock.suspensions[0].end = None;
    assert!(clock_facts(&cal, &item, &clock, d("2025-11-17")).unwrap().is_empty());
    assert_eq!(codes(&clock_facts(&cal, &item, &clock, d("2025-11-18")).unwrap()), vec!["A06"]);
    clock.suspensions.clear();
    clock.extensions.push(Extension {
        days: 10,
        applies_to_promised: false,
        approved_by: "12".into(),
        reason: "复杂".into(),
        on: d("2025-09-10"),
    });
    assert!(clock_facts(&cal, &item, &clock, d("2025-10-10")).unwrap().is_empty());
    clock.extensions[0].approved_by = String::new();
    assert_eq!(codes(&clock_facts(&cal, &item, &clock, d("2025-10-10")).unwrap()), vec!["A06"]);
    clock.extensions[0].approved_by = "12".into();
    clock.extensions[0].days = 15;
    assert_eq!(codes(&clock_facts(&cal, &item, &clock, d("2025-10-10")).unwrap()), vec!["A06"]);
}

#[test]
fn repeated_and_unrectified_cards() {
    let cal = cal();
    let rules = RuleSet::defaults();
    // Found Friday 10-10; Saturday 10-11 is a make-up working day, so the
    // fifth working day after is 10-16 and R02 holds from 10-17.
    assert_eq!(unrectified(&cal, &rules, d("2025-10-10"), false, d("2025-10-16")).unwrap(), None);
    let f = unrectified(&cal, &rules, d("2025-10-10"), false, d("2025-10-17")).unwrap().unwrap();
    assert_eq!(f.rule, RuleCode::R02);
    assert_eq!(unrectified(&cal, &rules, d("2025-10-10"), true, d("2025-11-20")).unwrap(), None);
    // The same threshold as a day: on 10-17 the cards found on or before 10-10 are due.
    assert_eq!(unrectified_until(&cal, &rules, d("2025-10-17")).unwrap(), Some(d("2025-10-10")));
    assert_eq!(unrectified_until(&cal, &rules, d("2025-10-16")).unwrap(), Some(d("2025-10-09")));
    // Over a weekend nothing new falls due: 10-18 and 10-19 give 10-10 too.
    assert_eq!(unrectified_until(&cal, &rules, d("2025-10-19")).unwrap(), Some(d("2025-10-10")));
    assert_eq!(repeated_yellow(&rules, d("2025-10-10"), 2), None);
    let f = repeated_yellow(&rules, d("2025-10-10"), 3).unwrap();
    assert_eq!((f.rule, f.key.as_str()), (RuleCode::R03, "2025-10"));
    assert_eq!(overdue_answer(&rules, "", d("2025-10-10"), false, d("2025-10-10")), None);
    assert!(overdue_answer(&rules, "", d("2025-10-10"), false, d("2025-10-11")).is_some());
    assert_eq!(overdue_answer(&rules, "", d("2025-10-10"), true, d("2025-10-11")), None);
}

#[test]
fn audit_defects_are_a07_once_each() {
    use crate::audit::ChainDefect;
    let rules = RuleSet::defaults();
    let a = audit_fact(&rules, &ChainDefect::Altered { seq: 7 }).unwrap();
    assert_eq!((a.rule, a.key.as_str()), (RuleCode::A07, "audit:altered:7"));
    let d = data_fact(&rules, 3, "case_events", "update", "12:4", 1_000).unwrap();
    assert_eq!((d.key.as_str(), d.detail["kind"].as_str()), ("data:3", Some("data_updated")));
    let d = data_fact(&rules, 4, "cases", "truncate", "*", 1_000).unwrap();
    assert_eq!(d.detail["kind"], "data_deleted", "a truncation removes data");
    let e = data_fact(&rules, 5, "cases", "edit", "12", 1_000).unwrap();
    assert_eq!((e.key.as_str(), e.detail["kind"].as_str()), ("data:5", Some("data_edited")));
    assert_eq!(guard_fact(&rules, "zwfw_guard_del_cases").unwrap().key, "guard:zwfw_guard_del_cases");
    let r = audit_fact(&rules, &ChainDefect::Removed { from_seq: 9, to_seq: 12 }).unwrap();
    assert_eq!(r.key, "audit:removed:9");
    assert_eq!(r.detail["to_seq"], 12);
    let mut off = rules.clone();
    off.0.iter_mut().find(|r| r.code == RuleCode::A07).unwrap().enabled = false;
    assert_eq!(audit_fact(&off, &ChainDefect::Altered { seq: 7 }), None);
}

#[test]
fn parameters_are_checked() {
    for code in RuleCode::ALL {
        code.default_params().check(code).unwrap();
    }
    let mut p = RuleCode::W01.default_params();
    p.days = Some(11);
    assert!(matches!(p.check(RuleCode::W01), Err(SupervisionError::ParamOutOfRange { param: "days", .. })));
    p.days = Some(2);
    assert!(matches!(p.check(RuleCode::Y01), Err(SupervisionError::ParamNotUsed { param: "days", .. })));
    let mut r = RuleCode::R03.default_params();
    r.count = Some(1);
    assert!(r.check(RuleCode::R03).is_err());
    r.count = Some(4);
    r.reply_days = 0;
    assert!(r.check(RuleCode::R03).is_err());
    let stored: Params = serde_json::from_str(r#"{"days":2}"#).unwrap();
    assert_eq!(stored.reply_days, DEFAULT_REPLY_DAYS);
}

#[test]
fn a_verified_conduct_complaint_is_one_yellow_fact() {
    let rules = RuleSet::defaults();
    let f = conduct_fact(&rules, "complaint", true, " 经核实属实 ").unwrap();
    assert_eq!((f.rule, f.key.as_str(), f.rule.severity()), (RuleCode::Y02, "", Severity::Yellow));
    assert_eq!(f.detail["found"], "经核实属实");
    assert_eq!(conduct_fact(&rules, "complaint", false, "x"), Err(SupervisionError::NotStaffConduct));
    assert_eq!(conduct_fact(&rules, "consultation", true, "x"), Err(SupervisionError::NotStaffConduct));
    assert_eq!(conduct_fact(&rules, "complaint", true, " "), Err(SupervisionError::Empty { field: "found" }));
    let off =
        RuleSet::from_rules([Rule { code: RuleCode::Y02, enabled: false, params: RuleCode::Y02.default_params() }]);
    assert_eq!(conduct_fact(&off, "complaint", true, "x"), Err(SupervisionError::RuleOff));
    assert_eq!(RuleCode::Y02.default_params().check(RuleCode::Y02), Ok(()));
}

#[test]
fn finding_and_order_lifecycles() {
    use FindingAction as A;
    use FindingState as S;
    assert_eq!(FindingState::initial(Severity::Warning), S::Noted);
    assert_eq!(FindingState::initial(Severity::Yellow), S::Open);
    assert_eq!(finding_next(S::Noted, A::Reply), Err(SupervisionError::NoReplyNeeded));
    assert_eq!(finding_next(S::Open, A::Reply), Ok(S::Replied));
    assert_eq!(finding_next(S::Open, A::Accept), Err(SupervisionError::WrongState("open")));
    assert_eq!(finding_next(S::Replied, A::Reject), Ok(S::Open));
    assert_eq!(finding_next(S::Replied, A::Accept), Ok(S::Closed));
    assert!(finding_next(S::Closed, A::Close).is_err());
    assert!(finding_next(S::Replied, A::Close).is_err(), "a reply is decided, not closed over");
    assert_eq!(order_next(OrderState::Issued, OrderAction::Answer), Ok(OrderState::Answered));
    assert!(order_next(OrderState::Issued, OrderAction::Accept).is_err());
    assert_eq!(order_next(OrderState::Answered, OrderAction::Reject), Ok(OrderState::Issued));
    let cal = cal();
    assert_eq!(order_due(&cal, d("2025-09-30"), 2).unwrap(), d("2025-10-10"));
    assert_eq!(order_due(&cal, d("2025-09-30"), 0), Err(SupervisionError::BadDays));
    assert_eq!(escalation(&cal, OrderState::Issued, d("2025-10-10"), 2, d("2025-10-10")).unwrap(), None);
    assert_eq!(
        escalation(&cal, OrderState::Issued, d("2025-10-10"), 2, d("2025-10-11")).unwrap(),
        Some(d("2025-10-14"))
    );
    assert_eq!(escalation(&cal, OrderState::Answered, d("2025-10-10"), 2, d("2025-10-11")).unwrap(), None);
    assert_eq!(finding_number(d("2025-10-10"), 42), "SV20251010000042");
    assert!(finding_number(d("2025-10-10"), 42).len() <= 20);
    assert_eq!(order_number(d("2025-10-10"), 3), "DB202510100003");
}

#[test]
fn an_unfulfilled_commitment_is_one_anomaly_per_material() {
    let rules = RuleSet::defaults();
    let f = commitment_fact(&rules, 2, "营业执照", " 现场核查未见许可 ").unwrap();
    assert_eq!((f.rule, f.key.as_str(), f.rule.severity()), (RuleCode::A09, "2", Severity::Anomaly));
    assert_eq!(
        (f.detail["material"].as_str(), f.detail["reason"].as_str()),
        (Some("营业执照"), Some("现场核查未见许可"))
    );
    assert_eq!(commitment_fact(&rules, 2, "x", "  "), Err(SupervisionError::Empty { field: "reason" }));
    let off =
        RuleSet::from_rules([Rule { code: RuleCode::A09, enabled: false, params: RuleCode::A09.default_params() }]);
    assert_eq!(commitment_fact(&off, 2, "x", "y"), Err(SupervisionError::RuleOff));
    assert_eq!(RuleCode::parse("A09"), Some(RuleCode::A09));
}

#[test]
fn a_lapse_of_continuity_is_one_anomaly_per_lapse() {
    use crate::backup::Lapse;
    let rules = RuleSet::defaults();
    let f = continuity_fact(&rules, &Lapse::Stale { id: 7, at: 1_000 }).unwrap();
    assert_eq!((f.rule, f.key.as_str(), f.rule.severity()), (RuleCode::A10, "backup:stale:7", Severity::Anomaly));
    assert_eq!((f.detail["kind"].as_str(), f.detail["at"].as_i64()), (Some("stale"), Some(1_000)));
    let f = continuity_fact(&rules, &Lapse::DrillFailed { id: 3, at: 5 }).unwrap();
    assert_eq!((f.key.as_str(), f.detail["kind"].as_str()), ("drill:failed:3", Some("drill_failed")));
    let f = continuity_fact(&rules, &Lapse::NoDrillPassed { last: None }).unwrap();
    assert_eq!((f.key.as_str(), f.detail["at"].is_null()), ("drill:missing:0", true));
    let off =
        RuleSet::from_rules([Rule { code: RuleCode::A10, enabled: false, params: RuleCode::A10.default_params() }]);
    assert_eq!(continuity_fact(&off, &Lapse::NoBackup { since: 0 }), None);
    assert_eq!(RuleCode::parse("A10"), Some(RuleCode::A10));
}

#[test]
fn exchange_backlog_and_uncorrected_rejections_are_a10() {
    let cal = cal();
    let rules = RuleSet::defaults();
    let h = 3_600_000;
    // The default: 24 hours of backlog.
    assert_eq!(exchange_backlog(&rules, "up_pro_accept", 0, 24 * h), None);
    let f = exchange_backlog(&rules, "up_pro_accept", 0, 24 * h + 1).unwrap();
    assert_eq!(
        (f.rule, f.key.as_str(), f.rule.severity()),
        (RuleCode::A11, "backlog:up_pro_accept", Severity::Anomaly)
    );
    assert_eq!(f.detail["hours"], 24);
    // Configured to 2 hours.
    let p = Params { hours: Some(2), ..RuleCode::A11.default_params() };
    assert!(p.check(RuleCode::A11).is_ok());
    let two = RuleSet::from_rules([Rule { code: RuleCode::A11, enabled: true, params: p }]);
    assert!(exchange_backlog(&two, "up_lic_data", 0, 2 * h + 1).is_some());
    assert!(Params { hours: Some(0), ..p }.check(RuleCode::A11).is_err());
    assert!(Params { hours: Some(2), ..RuleCode::R02.default_params() }.check(RuleCode::R02).is_err());

    // Rejected Friday 10-10 (Saturday 10-11 a make-up working day): the
    // fifth working day after is 10-16, so A11 holds from 10-17.
    let rej =
        |today| exchange_rejection(&cal, &rules, "up_pro_accept", d("2025-10-10"), true, "证件号码错误", d(today));
    assert_eq!(rej("2025-10-16").unwrap(), None);
    let f = rej("2025-10-17").unwrap().unwrap();
    assert_eq!((f.rule, f.key.as_str(), f.detail["by_province"].as_bool()), (RuleCode::A11, "rejected", Some(true)));
    assert_eq!(exchange_rejection_until(&cal, &rules, d("2025-10-17")).unwrap(), Some(d("2025-10-10")));
    let off = RuleSet::from_rules([Rule { code: RuleCode::A11, enabled: false, params: p }]);
    assert_eq!(exchange_rejection_until(&cal, &off, d("2025-10-17")).unwrap(), None);
    assert_eq!(exchange_backlog(&off, "up_pro_accept", 0, 100 * h), None);
}

#[test]
fn an_unclaimed_push_is_warned_of_on_its_last_days_then_a_yellow_card() {
    let cal = cal();
    let rules = RuleSet::defaults();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // Pushed on Friday 2025-09-26, due Monday 09-29 (two working days, the
    // make-up Sunday 09-28 counts).
    let due = d("2025-09-29");
    let on = |today: &str| {
        let today = d(today);
        let until = unclaimed_until(&cal, &rules, today).unwrap();
        unclaimed_fact(&rules, due, today, until).map(|f| (f.rule.code(), f.key))
    };
    assert_eq!(on("2025-09-26"), None, "two working days left");
    assert_eq!(on("2025-09-28"), Some(("W03", "2025-09-29".into())), "one working day left");
    assert_eq!(on("2025-09-29"), Some(("W03", "2025-09-29".into())), "the last day");
    assert_eq!(on("2025-09-30"), Some(("Y03", String::new())), "past the last day");
    // Off: nothing.
    let mut off = rules.clone();
    off.0.iter_mut().for_each(|r| r.enabled = false);
    assert_eq!(unclaimed_fact(&off, due, d("2025-09-30"), d("2025-09-30")), None);
    assert_eq!(RuleCode::W03.severity(), Severity::Warning);
    assert_eq!(RuleCode::Y03.severity(), Severity::Yellow);
    assert!(RuleCode::W03.takes_days() && !RuleCode::Y03.takes_days());
}

#[test]
fn a_request_unanswered_beyond_its_working_days_is_a13() {
    use crate::governance::RequestState as S;
    let cal = cal();
    let rules = RuleSet::defaults();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // Submitted Monday 2025-12-01: five working days end Monday 12-08.
    let on = |today: &str, state| {
        unanswered_request(&cal, &rules, d("2025-12-01"), state, d(today)).unwrap().map(|f| (f.rule.code(), f.detail))
    };
    assert_eq!(on("2025-12-08", S::Submitted), None, "the last day itself");
    let (code, detail) = on("2025-12-09", S::Submitted).unwrap();
    assert_eq!((code, detail["due"].as_str(), detail["days"].as_u64()), ("A13", Some("2025-12-08"), Some(5)));
    assert_eq!(on("2025-12-30", S::Refused), None, "answered");
    assert_eq!(on("2025-12-30", S::Accepted), None, "answered");
    // Configured to two working days: due Wednesday 12-03.
    let p = Params { days: Some(2), ..RuleCode::A13.default_params() };
    assert!(p.check(RuleCode::A13).is_ok());
    assert!(Params { days: Some(0), ..p }.check(RuleCode::A13).is_err());
    let two = RuleSet::from_rules([Rule { code: RuleCode::A13, enabled: true, params: p }]);
    assert!(unanswered_request(&cal, &two, d("2025-12-01"), S::Submitted, d("2025-12-04")).unwrap().is_some());
    let off = RuleSet::from_rules([Rule { code: RuleCode::A13, enabled: false, params: p }]);
    assert_eq!(unanswered_request(&cal, &off, d("2025-12-01"), S::Submitted, d("2025-12-30")).unwrap(), None);
    assert_eq!(RuleCode::A13.severity(), Severity::Anomaly);
    assert!(RuleCode::A13.takes_days());
    assert_eq!(RuleCode::parse("A13"), Some(RuleCode::A13));
}

#[test]
fn a12_holds_the_day_after_the_last_day_to_publish() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let rules = RuleSet::defaults();
    let (on, due) = (d("2025-12-01"), d("2025-12-10"));
    assert!(unpublished_fact(&rules, on, due, due).is_none());
    let f = unpublished_fact(&rules, on, due, d("2025-12-11")).expect("overdue");
    assert_eq!((f.rule, f.rule.severity()), (RuleCode::A12, Severity::Anomaly));
    assert_eq!(f.detail["due"], "2025-12-10");
    let off =
        RuleSet::from_rules([Rule { code: RuleCode::A12, enabled: false, params: RuleCode::A12.default_params() }]);
    assert!(unpublished_fact(&off, on, due, d("2025-12-11")).is_none());
    assert_eq!(RuleCode::parse("A12"), Some(RuleCode::A12));
}
