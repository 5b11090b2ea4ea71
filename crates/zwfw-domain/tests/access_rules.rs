//! The access rules that were wrong before they were written in one place:
//! actions at a step without its role, withdrawal of an online application
//! by staff, special procedures where the process allows none, and roles a
//! department administrator granted beyond the working roles.

#[path = "support/actors.rs"]
mod actors;

use actors::{person, staff};
use zwfw_domain::access::cases::{may_act, timeline_names_actor, CaseFacts};
use zwfw_domain::access::staff::{may_grant, may_grant_role};
use zwfw_domain::access::Refusal;
use zwfw_domain::admin::{Actor, Role};
use zwfw_domain::cases::{apply, replay, CaseError, CaseState, CaseView, Channel, Event, EventKind, Outcome};
use zwfw_domain::catalog::{example, CoReview, ItemContent};

fn item() -> ItemContent {
    let mut c = example(1);
    c.steps[1].joint = vec![CoReview { department_id: 2, limit_days: 3 }];
    c
}

fn facts(channel: Channel) -> CaseFacts {
    CaseFacts { department_id: 1, applicant_user_id: Some(100), channel, assignee_id: None }
}

fn ms(s: &str) -> i64 {
    zwfw_domain::time::parse_rfc3339(s).unwrap()
}

/// The event `actor` takes, with the role access decided (or why not).
fn decided(
    actor: &Actor,
    f: &CaseFacts,
    it: &ItemContent,
    v: &CaseView,
    at: &str,
    kind: EventKind,
) -> Result<Event, Refusal> {
    let role = may_act(actor, f, it, v, &kind)?;
    Ok(Event {
        at_ms: ms(at),
        actor_id: Some(actor.user_id),
        role,
        department_id: actor.department_id,
        kind,
        backfill: None,
    })
}

/// An online case at step 2 (审查, the reviewer's, with joint review).
fn at_review(it: &ItemContent) -> CaseView {
    let e = |at: &str, role, kind| Event {
        at_ms: ms(at),
        actor_id: Some(7),
        role,
        department_id: Some(1),
        kind,
        backfill: None,
    };
    replay(
        it,
        &[
            Event {
                actor_id: Some(100),
                department_id: None,
                ..e("2025-03-03T09:00:00+08:00", None, EventKind::Submitted)
            },
            e("2025-03-03T10:00:00+08:00", Some(Role::Counter), EventKind::Accepted),
            e("2025-03-04T10:00:00+08:00", Some(Role::Counter), EventKind::StepPassed { opinion: "受理".into() }),
        ],
    )
    .unwrap()
}

#[test]
fn counter_staff_do_not_act_at_a_reviewers_step() {
    let it = item();
    let v = at_review(&it);
    assert_eq!((v.state, v.step), (CaseState::InProgress, 1));
    let f = facts(Channel::Online);
    let counter = staff(7, 1, &[Role::Counter]);
    for kind in [
        EventKind::StepPassed { opinion: "同意".into() },
        EventKind::ReturnedToStep { step: 0, reason: "退回".into() },
        EventKind::ExtensionRequested { days: 10, reason: "复杂".into() },
        EventKind::SpecialStarted { kind: "检测".into(), reason: "送检".into() },
        EventKind::SpecialEnded { result: "合格".into() },
        EventKind::Transferred { to_user: 8, reason: "转交".into() },
        EventKind::JointTimedOut { departments: vec![2] },
        EventKind::Concluded {
            outcome: Outcome::Returned,
            reason: "退件".into(),
            document_no: String::new(),
            valid_until: None,
            fee_fen: None,
        },
    ] {
        assert_eq!(may_act(&counter, &f, &it, &v, &kind), Err(Refusal::NotStepRole), "{kind:?}");
    }
    // The reviewer acts in the step's role, which the event records.
    let reviewer = staff(8, 1, &[Role::Reviewer]);
    let e = decided(
        &reviewer,
        &f,
        &it,
        &v,
        "2025-03-05T10:00:00+08:00",
        EventKind::ReturnedToStep { step: 0, reason: "补充核查".into() },
    )
    .unwrap();
    assert_eq!(e.role, Some(Role::Reviewer));
    assert!(apply(&it, &v, &e).is_ok());
    assert!(!timeline_names_actor(e.actor_id, e.role, &f), "the applicant's timeline shows 工作人员");
    // Joint answers: members of the co-department in a reviewing role only.
    let answer = |dept| EventKind::JointAnswered { department_id: dept, agree: true, opinion: "同意".into() };
    assert_eq!(may_act(&staff(9, 2, &[Role::Counter]), &f, &it, &v, &answer(2)), Err(Refusal::MissingRole));
    assert_eq!(may_act(&staff(9, 2, &[Role::Reviewer]), &f, &it, &v, &answer(2)), Ok(Some(Role::Reviewer)));
    assert_eq!(
        may_act(&staff(9, 2, &[Role::Reviewer]), &f, &it, &v, &answer(1)),
        Err(Refusal::NotInDepartment),
        "nobody answers for another department"
    );
    assert_eq!(may_act(&staff(9, 1, &[Role::Reviewer]), &f, &it, &v, &answer(1)), Err(Refusal::NotJointMember));
    assert_eq!(may_act(&staff(9, 3, &[Role::Reviewer]), &f, &it, &v, &answer(3)), Err(Refusal::NotParty));
}

#[test]
fn an_online_application_is_withdrawn_by_its_applicant_or_on_a_written_request_approved_by_the_head() {
    let it = item();
    let f = facts(Channel::Online);
    let v = at_review(&it);
    let counter = staff(7, 1, &[Role::Counter]);
    let head = staff(9, 1, &[Role::DeptHead]);
    let withdraw = || EventKind::Withdrawn { reason: "申请人书面申请撤回".into() };
    assert_eq!(may_act(&counter, &f, &it, &v, &withdraw()), Err(Refusal::WithdrawalNeedsRequest));
    assert_eq!(may_act(&head, &f, &it, &v, &withdraw()), Err(Refusal::WithdrawalNeedsRequest));
    // The counter records the written request; the head then decides it.
    let request = EventKind::WithdrawalRequested {
        reason: "申请人2025年3月5日书面申请撤回，理由：经营计划变更".into(),
    };
    let e = decided(&counter, &f, &it, &v, "2025-03-05T09:00:00+08:00", request.clone()).unwrap();
    assert_eq!(e.role, Some(Role::Counter));
    let pending = apply(&it, &v, &e).unwrap();
    assert!(pending.withdrawal_requested.is_some());
    assert_eq!(pending.state, CaseState::InProgress, "a request changes nothing until decided");
    assert_eq!(apply(&it, &pending, &e), Err(CaseError::WithdrawalPending), "one request at a time");
    assert_eq!(may_act(&counter, &f, &it, &pending, &withdraw()), Err(Refusal::WithdrawalNeedsHead));
    // Approved: the head's withdrawal.
    let w = decided(&head, &f, &it, &pending, "2025-03-05T10:00:00+08:00", withdraw()).unwrap();
    assert_eq!(w.role, Some(Role::DeptHead));
    let done = apply(&it, &pending, &w).unwrap();
    assert_eq!((done.state, done.withdrawal_requested.as_deref()), (CaseState::Withdrawn, None));
    // Declined: the case goes on; a new withdrawal again needs a request.
    let decline = EventKind::WithdrawalDeclined { opinion: "申请人已电话确认继续办理".into() };
    assert_eq!(may_act(&counter, &f, &it, &pending, &decline), Err(Refusal::NeedsDeptHead));
    let d = decided(&head, &f, &it, &pending, "2025-03-05T10:00:00+08:00", decline.clone()).unwrap();
    let on = apply(&it, &pending, &d).unwrap();
    assert_eq!((on.state, on.withdrawal_requested.as_deref()), (CaseState::InProgress, None));
    assert_eq!(apply(&it, &on, &d), Err(CaseError::NoWithdrawalPending));
    assert_eq!(may_act(&head, &f, &it, &on, &withdraw()), Err(Refusal::WithdrawalNeedsRequest));
    let counter_declines = Event { role: Some(Role::Counter), ..d };
    assert_eq!(apply(&it, &pending, &counter_declines), Err(CaseError::WrongRole));
    // The applicant withdraws by himself at any open state, request or not.
    assert_eq!(may_act(&person(100), &f, &it, &v, &withdraw()), Ok(None));
    assert_eq!(may_act(&person(100), &f, &it, &pending, &withdraw()), Ok(None));
    assert_eq!(may_act(&person(100), &f, &it, &v, &request), Err(Refusal::StaffOnly));
    // An applicant's own event cannot carry a request either.
    let own = Event { role: None, ..e };
    assert_eq!(apply(&it, &v, &own), Err(CaseError::WrongRole));
}

#[test]
fn a_walk_in_application_is_withdrawn_at_the_counter_as_before() {
    let it = item();
    let f = facts(Channel::Counter);
    let v = at_review(&it);
    let withdraw = EventKind::Withdrawn { reason: "申请人当场申请撤回".into() };
    assert_eq!(may_act(&staff(7, 1, &[Role::Counter]), &f, &it, &v, &withdraw), Ok(Some(Role::Counter)));
    assert_eq!(may_act(&staff(7, 2, &[Role::Counter]), &f, &it, &v, &withdraw), Err(Refusal::NotInDepartment));
    assert_eq!(
        may_act(&staff(7, 1, &[Role::Counter]), &f, &it, &v, &EventKind::WithdrawalRequested { reason: "x".into() }),
        Err(Refusal::NotOnlineCase)
    );
    // A walk-in applicant who holds an account may still withdraw by himself.
    assert_eq!(may_act(&person(100), &f, &it, &v, &withdraw), Ok(None));
}

#[test]
fn special_procedures_only_where_the_process_allows_one() {
    let it = item();
    let e = |at: &str, role, kind| Event {
        at_ms: ms(at),
        actor_id: Some(7),
        role,
        department_id: Some(1),
        kind,
        backfill: None,
    };
    let special =
        |at| e(at, Some(Role::Reviewer), EventKind::SpecialStarted { kind: "检测".into(), reason: "送检".into() });
    let mut events = vec![
        e("2025-03-03T09:00:00+08:00", None, EventKind::Submitted),
        e("2025-03-03T10:00:00+08:00", Some(Role::Counter), EventKind::Accepted),
    ];
    // Step 1 (受理) allows none.
    let v = replay(&it, &events).unwrap();
    assert!(!it.steps[0].may_suspend);
    assert_eq!(apply(&it, &v, &special("2025-03-03T11:00:00+08:00")), Err(CaseError::SpecialNotAllowed));
    // Step 2 (审查) allows one.
    events.push(e("2025-03-04T10:00:00+08:00", Some(Role::Counter), EventKind::StepPassed { opinion: "受理".into() }));
    let v = replay(&it, &events).unwrap();
    assert!(apply(&it, &v, &special("2025-03-04T11:00:00+08:00")).is_ok());
    // Once every step passed, the last step's (决定: none) applies.
    events.push(Event {
        department_id: Some(2),
        ..e(
            "2025-03-05T10:00:00+08:00",
            Some(Role::Reviewer),
            EventKind::JointAnswered { department_id: 2, agree: true, opinion: "同意".into() },
        )
    });
    events.push(e("2025-03-05T11:00:00+08:00", Some(Role::Reviewer), EventKind::StepPassed { opinion: "通过".into() }));
    events.push(e("2025-03-06T11:00:00+08:00", Some(Role::DeptHead), EventKind::StepPassed { opinion: "同意".into() }));
    let v = replay(&it, &events).unwrap();
    assert_eq!(v.state, CaseState::Deciding);
    assert_eq!(apply(&it, &v, &special("2025-03-06T12:00:00+08:00")), Err(CaseError::SpecialNotAllowed));
    let mut lenient = it.clone();
    lenient.steps[2].may_suspend = true;
    assert!(apply(&lenient, &v, &special("2025-03-06T12:00:00+08:00")).is_ok());
}

#[test]
fn department_administrators_grant_working_roles_only() {
    let da = staff(1, 1, &[Role::DeptAdmin]);
    assert_eq!(may_grant(&da, 1, &[Role::LegalReview]), Err(Refusal::RoleGrantForbidden));
    assert_eq!(may_grant(&da, 1, &[Role::DeptAdmin]), Err(Refusal::RoleGrantForbidden));
    assert_eq!(may_grant(&da, 1, &[Role::Counter, Role::Reviewer, Role::DeptHead]), Ok(()));
    assert_eq!(may_grant(&da, 2, &[Role::Counter]), Err(Refusal::NotInDepartment));
    assert!(!da.can_grant(Role::LegalReview), "the actor's own method says the same");
    let sys = staff(2, 5, &[Role::SystemAdmin]);
    assert!(Role::ALL.iter().all(|r| may_grant_role(&sys, *r)));
}

#[test]
fn stored_events_and_views_read_as_before() {
    // Events stored before the withdrawal request existed still read.
    let old: Event = serde_json::from_str(
        r#"{"at_ms":1,"actor_id":7,"role":"counter","department_id":1,"type":"withdrawn","reason":"x"}"#,
    )
    .unwrap();
    assert_eq!(old.kind, EventKind::Withdrawn { reason: "x".into() });
    let new = serde_json::to_value(EventKind::WithdrawalRequested { reason: "书面申请".into() }).unwrap();
    assert_eq!(new, serde_json::json!({"type": "withdrawal_requested", "reason": "书面申请"}));
    let declined = serde_json::to_value(EventKind::WithdrawalDeclined { opinion: "不同意".into() }).unwrap();
    assert_eq!(declined, serde_json::json!({"type": "withdrawal_declined", "opinion": "不同意"}));
    // A view stored without the new field reads, and one without a request is written as before.
    let v = CaseView::new();
    let mut stored = serde_json::to_value(&v).unwrap();
    assert!(stored.get("withdrawal_requested").is_none());
    stored.as_object_mut().unwrap().remove("withdrawal_requested");
    assert_eq!(serde_json::from_value::<CaseView>(stored).unwrap(), v);
}

/// 数据备份: the system administrator and the operators (运维人员) read
/// the backups and make one now (no page hands a file out).
#[test]
fn backups_are_the_system_administrators_and_the_operators() {
    use zwfw_domain::access::staff::may_operate_backups;
    for role in Role::ALL {
        let may = matches!(role, Role::SystemAdmin | Role::Operator);
        assert_eq!(may_operate_backups(&staff(1, 1, &[role])), may, "{role:?}");
    }
    assert!(may_operate_backups(&staff(1, 1, &[Role::Counter, Role::SystemAdmin])));
    assert!(!may_operate_backups(&staff(1, 1, &[])));
    assert!(!may_operate_backups(&person(1)));
}

/// The rules app and pages ask for the staff menu, the outbox and the
/// handlers on duty: one row per role alone, and the public.
#[test]
fn staff_menu_outbox_and_handlers() {
    use zwfw_domain::access::interaction::may_read_handlers;
    use zwfw_domain::access::staff::{may_create_staff, may_operate_outbox};
    // role, may create staff, may operate the outbox, may read the handlers
    let table: [(Option<Role>, bool, bool, bool); 11] = [
        (Some(Role::SystemAdmin), true, true, true),
        (Some(Role::CenterAdmin), true, true, true),
        (Some(Role::DeptAdmin), true, false, true),
        (Some(Role::Counter), false, false, true),
        (Some(Role::Reviewer), false, false, true),
        (Some(Role::DeptHead), false, false, true),
        (Some(Role::Supervisor), false, false, true),
        (Some(Role::LegalReview), false, false, true),
        (Some(Role::Operator), false, false, true),
        (None, false, false, true),
        (None, false, false, false),
    ];
    for (i, (role, create, outbox, handlers)) in table.into_iter().enumerate() {
        let a = match role {
            Some(r) => staff(1, 1, &[r]),
            None if i == 9 => staff(1, 1, &[]),
            None => person(1),
        };
        assert_eq!(may_create_staff(&a), create, "{role:?} creates staff");
        assert_eq!(may_operate_outbox(&a), outbox, "{role:?} operates the outbox");
        assert_eq!(may_read_handlers(&a), handlers, "{role:?} reads the handlers");
    }
}

/// 电子证照: one row per actor. Types and keys are the system
/// administrators'; revocation is the issuing department's head's; the
/// issuing department's working roles record cancellations and
/// reissues; the holder, the issuing department and the overseers read;
/// everyone verifies.
#[test]
fn licenses_table() {
    use zwfw_domain::access::licenses::{
        may_change, may_manage_keys, may_manage_types, may_read, may_revoke, may_verify, LicenseFacts,
    };
    use Refusal::*;
    let f = LicenseFacts { issuer_department_id: 1, holder_user_id: Some(50) };
    type Row = (Actor, Result<Role, Refusal>, Result<Role, Refusal>, Result<Role, Refusal>, bool);
    // actor, manage types and keys, revoke, cancel/reissue, read
    let table: Vec<Row> = vec![
        (staff(1, 1, &[Role::SystemAdmin]), Ok(Role::SystemAdmin), Err(NeedsDeptHead), Err(MissingRole), true),
        (staff(2, 1, &[Role::CenterAdmin]), Err(MissingRole), Err(NeedsDeptHead), Err(MissingRole), true),
        (staff(3, 1, &[Role::DeptAdmin]), Err(MissingRole), Err(NeedsDeptHead), Err(MissingRole), true),
        (staff(4, 1, &[Role::Counter]), Err(MissingRole), Err(NeedsDeptHead), Ok(Role::Counter), true),
        (staff(5, 1, &[Role::Reviewer]), Err(MissingRole), Err(NeedsDeptHead), Ok(Role::Reviewer), true),
        (staff(6, 1, &[Role::DeptHead]), Err(MissingRole), Ok(Role::DeptHead), Ok(Role::DeptHead), true),
        (staff(7, 2, &[Role::DeptHead]), Err(MissingRole), Err(NotInDepartment), Err(NotInDepartment), false),
        (staff(8, 2, &[Role::Supervisor]), Err(MissingRole), Err(NotInDepartment), Err(NotInDepartment), true),
        (staff(9, 1, &[Role::LegalReview]), Err(MissingRole), Err(NeedsDeptHead), Err(MissingRole), true),
        (person(50), Err(StaffOnly), Err(StaffOnly), Err(StaffOnly), true),
        (person(51), Err(StaffOnly), Err(StaffOnly), Err(StaffOnly), false),
    ];
    for (a, manage, revoke, change, read) in table {
        let who = format!("{} {:?}", a.username, a.roles);
        assert_eq!(may_manage_types(&a), manage, "{who} manages types");
        assert_eq!(may_manage_keys(&a), manage, "{who} manages keys");
        assert_eq!(may_revoke(&a, &f), revoke, "{who} revokes");
        assert_eq!(may_change(&a, &f), change, "{who} cancels or reissues");
        assert_eq!(may_read(&a, &f), read, "{who} reads");
        assert!(may_verify(Some(&a)));
    }
    assert!(may_verify(None));
}
