use super::*;
use crate::admin::Role;
use crate::calendar::shipped_years;
use crate::calendar::Calendar;
use crate::catalog::ItemContent;
use crate::catalog::{example, CoReview};
use chrono::NaiveDate;

fn ms(s: &str) -> i64 {
    crate::time::parse_rfc3339(s).unwrap()
}

fn ev(at: &str, role: Option<Role>, kind: EventKind) -> Event {
    Event { at_ms: ms(at), actor_id: Some(7), role, department_id: Some(1), kind, backfill: None }
}

fn item() -> ItemContent {
    let mut c = example(1);
    c.steps[1].joint = vec![CoReview { department_id: 2, limit_days: 3 }];
    c
}

#[test]
fn full_lifecycle_with_supplement_joint_review_and_grant() {
    use EventKind::*;
    let it = item();
    let mut events = vec![
        ev("2025-09-22T09:00:00+08:00", None, Submitted),
        ev(
            "2025-09-23T09:00:00+08:00",
            Some(Role::Counter),
            SupplementRequested { missing: vec!["营业执照复印件".into()] },
        ),
        ev("2025-09-24T09:00:00+08:00", None, SupplementProvided),
        ev("2025-09-26T09:00:00+08:00", Some(Role::Counter), Accepted),
        ev("2025-09-26T10:00:00+08:00", Some(Role::Counter), StepPassed { opinion: "材料齐全".into() }),
    ];
    let v = replay(&it, &events).unwrap();
    assert_eq!((v.state, v.step, v.supplement_notices), (CaseState::InProgress, 1, 1));
    // The joint step cannot pass before the co-department answers.
    let pass = ev("2025-10-09T09:00:00+08:00", Some(Role::Reviewer), StepPassed { opinion: "同意".into() });
    assert_eq!(apply(&it, &v, &pass), Err(CaseError::JointPending { waiting: 1 }));
    let mut answer = ev(
        "2025-09-30T09:00:00+08:00",
        Some(Role::Reviewer),
        JointAnswered { department_id: 2, agree: true, opinion: "同意".into() },
    );
    answer.department_id = Some(3);
    assert_eq!(apply(&it, &v, &answer), Err(CaseError::NotInJointReview), "only the named department answers");
    answer.department_id = Some(2);
    events.push(answer);
    events.push(pass);
    events.push(ev("2025-10-10T09:00:00+08:00", Some(Role::DeptHead), StepPassed { opinion: "同意".into() }));
    let v = replay(&it, &events).unwrap();
    assert_eq!(v.state, CaseState::Deciding);
    let grant = ev(
        "2025-10-10T10:00:00+08:00",
        Some(Role::DeptHead),
        Concluded {
            outcome: Outcome::Granted,
            reason: String::new(),
            document_no: String::new(),
            valid_until: None,
            fee_fen: None,
        },
    );
    assert_eq!(apply(&it, &v, &grant), Err(CaseError::DocumentRequired));
    events.push(ev(
        "2025-10-10T10:00:00+08:00",
        Some(Role::DeptHead),
        Concluded {
            outcome: Outcome::Granted,
            reason: String::new(),
            document_no: "示食经〔2025〕1号".into(),
            valid_until: None,
            fee_fen: None,
        },
    ));
    events.push(ev(
        "2025-10-11T10:00:00+08:00",
        Some(Role::Counter),
        Delivered { method: "窗口领取".into(), tracking_no: String::new() },
    ));
    let v = replay(&it, &events).unwrap();
    assert_eq!((v.state, v.outcome), (CaseState::Delivered, Some(Outcome::Granted)));
    // Accepted Fri 2025-09-26 with a promised limit of 10: 09-28 (Sun, worked) 1, 29, 30 (3),
    // 10-01..08 off, 10-09, 10-10 (5), 10-11 (Sat, worked) 6, 10-13..16 (10): due 2025-10-16.
    let cal = Calendar::new(shipped_years()).unwrap();
    let st = v.clock.as_ref().unwrap().status_on(&cal, NaiveDate::from_ymd_opt(2025, 12, 1).unwrap()).unwrap();
    assert_eq!(st.promised.deadline, NaiveDate::from_ymd_opt(2025, 10, 16).unwrap());
    assert!(!st.promised.overdue);
    assert_eq!(st.steps.len(), 3);
}

#[test]
fn illegal_actions_are_refused() {
    use EventKind::*;
    let it = item();
    let v = replay(&it, &[ev("2025-09-22T09:00:00+08:00", None, Submitted)]).unwrap();
    assert_eq!(
        apply(&it, &v, &ev("2025-09-22T10:00:00+08:00", Some(Role::Counter), Refused { reason: " ".into() })),
        Err(CaseError::ReasonRequired)
    );
    assert_eq!(
        apply(&it, &v, &ev("2025-09-22T10:00:00+08:00", Some(Role::Counter), SupplementRequested { missing: vec![] })),
        Err(CaseError::EmptySupplement)
    );
    assert_eq!(
        apply(&it, &v, &ev("2025-09-22T10:00:00+08:00", Some(Role::DeptAdmin), Accepted)),
        Err(CaseError::WrongRole)
    );
    assert!(
        matches!(apply(&it, &v, &ev("2025-09-22T10:00:00+08:00", None, Submitted)), Err(CaseError::WrongState { .. })),
        "no double submit"
    );
    let granted_early = ev(
        "2025-09-22T10:00:00+08:00",
        Some(Role::DeptHead),
        Concluded {
            outcome: Outcome::Granted,
            reason: String::new(),
            document_no: "1".into(),
            valid_until: None,
            fee_fen: None,
        },
    );
    assert!(matches!(apply(&it, &v, &granted_early), Err(CaseError::WrongState { .. })));
    let v = apply(&it, &v, &ev("2025-09-23T10:00:00+08:00", Some(Role::Counter), Accepted)).unwrap();
    assert_eq!(apply(&it, &v, &granted_early), Err(CaseError::StepsPending), "no conclusion without the steps (A05)");
    assert_eq!(
        apply(&it, &v, &ev("2025-09-23T11:00:00+08:00", Some(Role::Reviewer), StepPassed { opinion: "x".into() })),
        Err(CaseError::WrongRole),
        "step 1 is the counter's"
    );
    assert_eq!(
        apply(
            &it,
            &v,
            &ev("2025-09-23T11:00:00+08:00", Some(Role::Counter), ReturnedToStep { step: 0, reason: "x".into() })
        ),
        Err(CaseError::BadReturn)
    );
    let void = ev(
        "2025-09-23T11:00:00+08:00",
        Some(Role::Reviewer),
        Concluded {
            outcome: Outcome::Voided,
            reason: "重复申请".into(),
            document_no: String::new(),
            valid_until: None,
            fee_fen: None,
        },
    );
    assert_eq!(apply(&it, &v, &void), Err(CaseError::WrongRole), "void needs the department head");
    let ext = ev(
        "2025-09-24T10:00:00+08:00",
        Some(Role::Reviewer),
        ExtensionRequested { days: 10, reason: "情况复杂".into() },
    );
    let v2 = apply(&it, &v, &ext).unwrap();
    assert_eq!(apply(&it, &v2, &ext), Err(CaseError::ExtensionExists));
    assert_eq!(
        apply(
            &it,
            &v2,
            &ev(
                "2025-09-24T11:00:00+08:00",
                Some(Role::Reviewer),
                ExtensionDecided { approved: true, opinion: "同意".into() }
            )
        ),
        Err(CaseError::WrongRole)
    );
    let v3 = apply(
        &it,
        &v2,
        &ev(
            "2025-09-24T11:00:00+08:00",
            Some(Role::DeptHead),
            ExtensionDecided { approved: true, opinion: "同意延长".into() },
        ),
    )
    .unwrap();
    assert_eq!(v3.clock.as_ref().unwrap().legal_limit(), 30);
    assert_eq!(
        replay(
            &it,
            &[
                ev("2025-09-23T09:00:00+08:00", None, Submitted),
                ev("2025-09-22T09:00:00+08:00", None, Withdrawn { reason: "x".into() })
            ]
        ),
        Err(CaseError::OutOfOrder)
    );
}

#[test]
fn return_keeps_the_task_and_special_procedures_stop_the_clock() {
    use EventKind::*;
    let it = example(1);
    let events = vec![
        ev("2025-03-03T09:00:00+08:00", None, Submitted),
        ev("2025-03-03T10:00:00+08:00", Some(Role::Counter), Accepted),
        ev("2025-03-04T10:00:00+08:00", Some(Role::Counter), StepPassed { opinion: "受理".into() }),
        ev(
            "2025-03-05T10:00:00+08:00",
            Some(Role::Reviewer),
            SpecialStarted { kind: "检测".into(), reason: "送检".into() },
        ),
        ev("2025-03-11T10:00:00+08:00", Some(Role::Reviewer), SpecialEnded { result: "合格".into() }),
        ev("2025-03-12T10:00:00+08:00", Some(Role::Reviewer), StepPassed { opinion: "审查通过".into() }),
        ev("2025-03-13T10:00:00+08:00", Some(Role::DeptHead), ReturnedToStep { step: 1, reason: "补充核查".into() }),
    ];
    let v = replay(&it, &events).unwrap();
    assert_eq!((v.state, v.step), (CaseState::InProgress, 1), "the returned task is at step 2 again");
    let cal = Calendar::new(shipped_years()).unwrap();
    let st = v.clock.as_ref().unwrap().status_on(&cal, NaiveDate::from_ymd_opt(2025, 3, 13).unwrap()).unwrap();
    assert_eq!(st.suspended_days, 4);
    assert_eq!(st.promised.deadline, NaiveDate::from_ymd_opt(2025, 3, 21).unwrap());
    assert_eq!(st.steps.len(), 4);
}

#[test]
fn deemed_acceptance_after_five_working_days() {
    let cal = Calendar::new(shipped_years()).unwrap();
    let it = item();
    // Received Fri 2025-09-26: five working days end Fri 10-10 (09-28 worked, 10-01..08 off).
    let v = replay(&it, &[ev("2025-09-26T15:00:00+08:00", None, EventKind::Submitted)]).unwrap();
    assert_eq!(
        acceptance_due(&cal, v.submitted_at_ms.unwrap()).unwrap(),
        NaiveDate::from_ymd_opt(2025, 10, 10).unwrap()
    );
    assert!(!is_deemed_accepted(&cal, &v, NaiveDate::from_ymd_opt(2025, 10, 10).unwrap()).unwrap());
    assert!(is_deemed_accepted(&cal, &v, NaiveDate::from_ymd_opt(2025, 10, 11).unwrap()).unwrap());
    let v = apply(&it, &v, &ev("2025-10-11T00:05:00+08:00", None, EventKind::DeemedAccepted)).unwrap();
    assert!(v.deemed_accepted);
    assert_eq!(v.accepted_at_ms, Some(ms("2025-09-26T15:00:00+08:00")), "accepted on receipt");
}

#[test]
fn every_state_but_a_draft_is_open_or_ended() {
    for s in CaseState::ALL {
        let n = [*s == CaseState::Draft, s.is_open(), s.is_ended()].iter().filter(|b| **b).count();
        assert_eq!(n, 1, "{s:?} is one of draft, open, ended");
        assert!(!s.is_concluded() || s.is_ended(), "{s:?}: concluded is ended");
    }
    assert_eq!(serde_json::to_string(&CaseState::InProgress).unwrap(), "\"in_progress\"");
    assert_eq!(CaseState::parse("in_progress"), Some(CaseState::InProgress));
    assert_eq!(crate::sql_list!(CaseState, CaseState::CONCLUDED), "'concluded', 'delivered'");
    assert_eq!(Outcome::parse("voided"), Some(Outcome::Voided));
}

#[test]
fn time_left_counts_working_days_in_words() {
    let cal = Calendar::new(shipped_years()).unwrap();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // Due Fri 2025-10-10; the National Day holiday runs 10-01..10-08 and Sat 10-11 is worked.
    assert_eq!(time_left(&cal, d("2025-09-30"), d("2025-10-10")).unwrap(), TimeLeft::Left(2));
    assert_eq!(time_left(&cal, d("2025-10-09"), d("2025-10-10")).unwrap(), TimeLeft::Left(1));
    assert_eq!(time_left(&cal, d("2025-10-10"), d("2025-10-10")).unwrap(), TimeLeft::DueToday);
    assert_eq!(time_left(&cal, d("2025-10-11"), d("2025-10-10")).unwrap(), TimeLeft::Overdue(1));
    assert_eq!(time_left(&cal, d("2025-10-14"), d("2025-10-10")).unwrap(), TimeLeft::Overdue(3));
    // Due Fri 2025-03-14, read on the Saturday after: overdue, no working day counted yet.
    assert_eq!(time_left(&cal, d("2025-03-15"), d("2025-03-14")).unwrap(), TimeLeft::Overdue(0));
}

#[test]
fn case_numbers_split_into_the_code_and_the_day_with_serial() {
    let no = case_number("11529900MB000000583000117008000", NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(), 7);
    let (head, tail) = case_number_parts(&no);
    assert_eq!(head, "11529900MB000000583000117008000");
    assert_eq!(tail, "202612050007");
    assert_eq!(format!("{head}{tail}"), no);
    assert_eq!(case_number_parts("ABC"), ("", "ABC"), "a short reference stays whole");
}

#[test]
fn a_conclusions_text_agrees_with_its_kind() {
    use CaseError::*;
    use Outcome::*;
    const LICENCE: &str = "JY15299000001";
    // (outcome, reason, licence number, validity) → the answer.
    type Row = (Outcome, &'static str, &'static str, bool, Result<(), CaseError>);
    let cases: &[Row] = &[
        (Granted, "", LICENCE, true, Ok(())),
        (Granted, "符合条件，准予许可", LICENCE, false, Ok(())),
        (Granted, "准予许可", "", false, Err(DocumentRequired)),
        (Granted, "", "  ", false, Err(DocumentRequired)),
        (Denied, "不符合法定条件", "", false, Ok(())),
        (Denied, "", "", false, Err(ReasonRequired)),
        (Denied, "不符合法定条件", LICENCE, false, Err(LicenceOnlyWithGrant)),
        (Denied, "不符合法定条件", "", true, Err(LicenceOnlyWithGrant)),
        (Denied, "准予许可", "", false, Err(GrantTextWithoutGrant)),
        (Returned, "逾期未补正，作退件处理", "", false, Ok(())),
        (Returned, "  ", "", false, Err(ReasonRequired)),
        (Returned, "准予许可", LICENCE, false, Err(LicenceOnlyWithGrant)),
        (Returned, "经审查准予许可", "", false, Err(GrantTextWithoutGrant)),
        (Voided, "重复申请", "", false, Ok(())),
        (Voided, "重复申请", LICENCE, false, Err(LicenceOnlyWithGrant)),
        (Forwarded, "报省局审批", "", false, Ok(())),
        (Forwarded, "准予转报", "", false, Err(GrantTextWithoutGrant)),
    ];
    for (outcome, reason, no, validity, want) in cases {
        assert_eq!(&conclusion_agrees(*outcome, reason, no, *validity), want, "{outcome:?} {reason:?} {no:?}");
    }
    // The state machine asks the same: a 退件 dressed as a grant is refused;
    // a 退件 and a denial issue their notice, a grant its decision.
    let it = item();
    let mut v = CaseView::new();
    v.state = CaseState::Deciding;
    v.step = it.steps.len() - 1;
    let conclude = |outcome, reason: &str, no: &str| {
        ev(
            "2025-10-10T10:00:00+08:00",
            Some(Role::DeptHead),
            EventKind::Concluded {
                outcome,
                reason: reason.into(),
                document_no: no.into(),
                valid_until: None,
                fee_fen: None,
            },
        )
    };
    assert_eq!(apply(&it, &v, &conclude(Returned, "准予许可", LICENCE)), Err(LicenceOnlyWithGrant));
    assert_eq!(apply(&it, &v, &conclude(Denied, "准予许可", "")), Err(GrantTextWithoutGrant));
    assert_eq!(DocKind::of(&conclude(Returned, "逾期未补正", "").kind), Some(DocKind::Return));
    assert_eq!(DocKind::of(&conclude(Denied, "不符合条件", "").kind), Some(DocKind::Denial));
    assert_eq!(DocKind::of(&conclude(Granted, "", LICENCE).kind), Some(DocKind::Grant));
    assert_eq!(DocKind::of(&conclude(Voided, "重复申请", "").kind), None);
}

#[test]
fn joint_reviews_are_due_in_working_days_from_the_start_of_their_step() {
    use EventKind::*;
    let (it, cal) = (item(), Calendar::new(shipped_years()).unwrap());
    let mut events = vec![
        ev("2025-09-24T09:00:00+08:00", None, Submitted),
        ev("2025-09-25T09:00:00+08:00", Some(Role::Counter), Accepted),
    ];
    assert_eq!(joint_dues(&cal, &it, &replay(&it, &events).unwrap()).unwrap(), vec![], "step 1 has none");
    // Step 2 starts on Friday 2025-09-26: three working days are Sunday
    // 09-28 (a make-up day), 09-29 and 09-30, before 国庆.
    events.push(ev("2025-09-26T10:00:00+08:00", Some(Role::Counter), StepPassed { opinion: "材料齐全".into() }));
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(joint_dues(&cal, &it, &replay(&it, &events).unwrap()).unwrap(), vec![(2, day("2025-09-30"), false)]);
    let mut answer = ev(
        "2025-09-29T09:00:00+08:00",
        Some(Role::Reviewer),
        JointAnswered { department_id: 2, agree: true, opinion: "同意".into() },
    );
    answer.department_id = Some(2);
    events.push(answer);
    assert_eq!(joint_dues(&cal, &it, &replay(&it, &events).unwrap()).unwrap(), vec![(2, day("2025-09-30"), true)]);
}

#[test]
fn a_corrected_step_pass_takes_the_case_back_to_the_step_with_its_joint_answers() {
    use crate::governance::correction::CorrectionKind;
    use EventKind::*;
    let it = item();
    let mut answer = ev(
        "2025-09-29T09:00:00+08:00",
        Some(Role::Reviewer),
        JointAnswered { department_id: 2, agree: true, opinion: "同意".into() },
    );
    answer.department_id = Some(2);
    let events = vec![
        ev("2025-09-22T09:00:00+08:00", None, Submitted),
        ev("2025-09-23T09:00:00+08:00", Some(Role::Counter), Accepted),
        ev("2025-09-23T10:00:00+08:00", Some(Role::Counter), StepPassed { opinion: "材料齐全".into() }),
        answer,
        // Passed wrongly on Tuesday: the case moves to 决定.
        ev("2025-09-30T09:00:00+08:00", Some(Role::Reviewer), StepPassed { opinion: "同意".into() }),
    ];
    let v = replay(&it, &events).unwrap();
    assert_eq!((v.state, v.step), (CaseState::InProgress, 2));
    let fix = |role| {
        ev(
            "2025-10-09T09:00:00+08:00",
            role,
            Corrected {
                event: 5,
                what: CorrectionKind::StepPassed,
                request: 1,
                reason: "误点通过".into(),
                joint_answers: vec![(2, true)],
                joint_missing: vec![],
                applicant: None,
            },
        )
    };
    assert_eq!(apply(&it, &v, &fix(Some(Role::DeptHead))), Err(CaseError::WrongRole), "the centre corrects");
    let n = apply(&it, &v, &fix(Some(Role::CenterAdmin))).unwrap();
    assert_eq!((n.state, n.step, n.joint_answers.clone()), (CaseState::InProgress, 1, vec![(2, true)]));
    let clock = n.clock.as_ref().unwrap();
    let timers: Vec<_> = clock.steps.iter().map(|t| (t.name.as_str(), t.started_on, t.ended_on)).collect();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(timers, [("受理", d("2025-09-23"), Some(d("2025-09-23"))), ("审查", d("2025-09-23"), None)]);
    // The step may be passed again; a correction on a case at its first step is refused.
    let again = ev("2025-10-09T10:00:00+08:00", Some(Role::Reviewer), StepPassed { opinion: "审查完毕".into() });
    assert_eq!(apply(&it, &n, &again).unwrap().step, 2);
    let first = replay(&it, &events[..2]).unwrap();
    assert!(matches!(apply(&it, &first, &fix(Some(Role::CenterAdmin))), Err(CaseError::WrongState { .. })));
}

#[test]
fn a_corrected_conclusion_takes_the_case_back_to_its_decision_with_the_clock_running_on() {
    use crate::governance::correction::CorrectionKind;
    use EventKind::*;
    let it = item();
    let mut answer = ev(
        "2025-09-29T09:00:00+08:00",
        Some(Role::Reviewer),
        JointAnswered { department_id: 2, agree: true, opinion: "同意".into() },
    );
    answer.department_id = Some(2);
    let concluded = |at: &str, outcome: Outcome| {
        let (reason, no) = match outcome {
            Outcome::Granted => (String::new(), "示食经〔2025〕1号".to_string()),
            _ => ("不符合条件".to_string(), String::new()),
        };
        ev(at, Some(Role::DeptHead), Concluded { outcome, reason, document_no: no, valid_until: None, fee_fen: None })
    };
    let mut events = vec![
        ev("2025-09-22T09:00:00+08:00", None, Submitted),
        ev("2025-09-23T09:00:00+08:00", Some(Role::Counter), Accepted),
        ev("2025-09-23T10:00:00+08:00", Some(Role::Counter), StepPassed { opinion: "材料齐全".into() }),
        answer,
        ev("2025-09-30T09:00:00+08:00", Some(Role::Reviewer), StepPassed { opinion: "同意".into() }),
        ev("2025-09-30T10:00:00+08:00", Some(Role::DeptHead), StepPassed { opinion: "同意".into() }),
    ];
    let deciding = replay(&it, &events).unwrap();
    assert_eq!(deciding.state, CaseState::Deciding);
    // Granted by mistake on Tuesday 09-30; corrected on 10-09.
    events.push(concluded("2025-09-30T11:00:00+08:00", Outcome::Granted));
    let v = replay(&it, &events).unwrap();
    assert_eq!(v.clock.as_ref().unwrap().concluded_on, NaiveDate::from_ymd_opt(2025, 9, 30));
    let fix = |role| {
        ev(
            "2025-10-09T09:00:00+08:00",
            role,
            Corrected {
                event: 7,
                what: CorrectionKind::Conclusion,
                request: 1,
                reason: "误点准予".into(),
                joint_answers: vec![],
                joint_missing: vec![],
                applicant: None,
            },
        )
    };
    assert_eq!(apply(&it, &v, &fix(Some(Role::DeptHead))), Err(CaseError::WrongRole), "the centre corrects");
    let n = apply(&it, &v, &fix(Some(Role::CenterAdmin))).unwrap();
    assert_eq!((n.state, n.outcome, n.step), (CaseState::Deciding, None, deciding.step));
    assert_eq!(n.clock, deciding.clock, "the clock is as before the conclusion: it runs on");
    // The time since counts: on 12-01 the promised limit (10 days from 09-23) is long past.
    let cal = Calendar::new(shipped_years()).unwrap();
    let day = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
    assert!(n.clock.as_ref().unwrap().status_on(&cal, day).unwrap().promised.overdue);
    assert!(!v.clock.as_ref().unwrap().status_on(&cal, day).unwrap().promised.overdue, "concluded in time");
    // The head decides again by the ordinary decision.
    let deny = concluded("2025-10-09T10:00:00+08:00", Outcome::Denied);
    let again = apply(&it, &n, &deny).unwrap();
    assert_eq!((again.state, again.outcome), (CaseState::Concluded, Some(Outcome::Denied)));
    // Not on a delivered case, nor on a case not concluded.
    let delivered = Delivered { method: "窗口领取".into(), tracking_no: String::new() };
    let d = apply(&it, &v, &ev("2025-10-08T09:00:00+08:00", Some(Role::Counter), delivered)).unwrap();
    assert!(matches!(apply(&it, &d, &fix(Some(Role::CenterAdmin))), Err(CaseError::WrongState { .. })));
    assert!(matches!(apply(&it, &deciding, &fix(Some(Role::CenterAdmin))), Err(CaseError::WrongState { .. })));
}
