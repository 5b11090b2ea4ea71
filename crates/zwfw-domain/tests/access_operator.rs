//! 运维人员 (operators): what they do that no role of a department does,
//! and that they read no case, no personal data and take no approval
//! action — with the actor as the session builds it (qualified, acting for
//! no department) and as a bare fixture of a department.

#[path = "support/actors.rs"]
mod actors;

use actors::{person, staff};
use chrono::NaiveDate;
use zwfw_domain::access::cases::{self, CaseFacts, ListScope};
use zwfw_domain::access::governance::{self as gov, DeletionFacts, RequestFacts};
use zwfw_domain::access::interaction::{self, InteractionFacts};
use zwfw_domain::access::licenses::{self, LicenseFacts};
use zwfw_domain::access::rights::{self, RightsFacts, StandIn};
use zwfw_domain::access::{faults, in_department, operator, staff as st, Refusal};
use zwfw_domain::admin::{Actor, Role};
use zwfw_domain::cases::Channel;
use zwfw_domain::catalog::example;
use zwfw_domain::governance::qualification::{effective_actor, QualificationKind, QualificationResult, Record};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A qualified operator of department 1 as the session builds the actor.
fn session_operator() -> Actor {
    let rec = |kind, valid_until| Record {
        role: Role::Operator,
        kind,
        result: QualificationResult::Passed,
        held_on: day("2026-01-05"),
        valid_until,
    };
    let records = [rec(QualificationKind::Training, None), rec(QualificationKind::Exam, Some(day("2028-01-05")))];
    effective_actor(staff(5, 1, &[Role::Operator]), &records, day("2026-06-01"))
}

/// Department 1's operator: as the session builds it, and as a bare
/// fixture still naming the department.
fn operators() -> [Actor; 2] {
    [session_operator(), staff(5, 1, &[Role::Operator])]
}

/// The roles of department 1 and of department 2, one at a time, but the
/// system administrator (who does everything) and the operator.
fn others() -> Vec<Actor> {
    let mut v = vec![];
    for dept in [1, 2] {
        for r in Role::ALL {
            if !matches!(r, Role::SystemAdmin | Role::Operator) {
                v.push(staff(10 + dept, dept, &[r]));
            }
        }
    }
    v
}

#[test]
fn the_session_operator_acts_in_the_role_for_no_department() {
    let op = session_operator();
    assert_eq!(op.roles, [Role::Operator], "qualified, the role acts");
    assert_eq!(op.department_id, None, "and for no department");
    assert!(!op.acts_in_no_role());
    for a in operators() {
        assert!(operator::operates_only(&a) && !in_department(&a, 1));
    }
    // Unqualified, the role does not act at all.
    let unqualified = effective_actor(staff(5, 1, &[Role::Operator]), &[], day("2026-06-01"));
    assert!(unqualified.roles.is_empty() && unqualified.unqualified == [Role::Operator]);
    // An operator who also holds a department's role acts for it in that role.
    let both = staff(6, 1, &[Role::Counter, Role::Operator]);
    assert!(!operator::operates_only(&both) && in_department(&both, 1));
    assert!(!operator::is_operator(&person(7)) && !operator::operates_only(&person(7)));
}

#[test]
fn what_operators_do_no_role_of_a_department_does() {
    for op in operators() {
        assert!(st::may_operate_backups(&op), "backups");
        assert_eq!(faults::may_handle(&op), Ok(Role::Operator), "faults");
        assert!(faults::may_read_all(&op));
        assert!(st::may_monitor_exchange(&op), "the exchange's status");
        assert!(gov::may_read(&op, &RequestFacts { department_id: 3, requester_id: 9 }), "every maintenance request");
        assert_eq!(gov::list_scope(&op), Ok(None));
    }
    assert!(faults::NOTIFIED.contains(&Role::Operator), "told of a new fault");
    for a in others() {
        let r = a.roles[0];
        assert!(!st::may_operate_backups(&a), "{r:?} of {:?} operates backups", a.department_id);
        let handles = matches!(r, Role::CenterAdmin);
        assert_eq!(faults::may_handle(&a).is_ok(), handles, "{r:?} handles faults");
        let watches = matches!(r, Role::CenterAdmin | Role::Supervisor);
        assert_eq!(st::may_monitor_exchange(&a), watches, "{r:?} reads the exchange");
        let all = matches!(r, Role::CenterAdmin | Role::Supervisor);
        assert_eq!(gov::may_read(&a, &RequestFacts { department_id: 3, requester_id: 9 }), all, "{r:?}");
    }
}

#[test]
fn operators_read_no_case_no_personal_data_and_approve_nothing() {
    let item = example(1);
    for op in operators() {
        for channel in [Channel::Counter, Channel::Online] {
            let case = CaseFacts { department_id: 1, applicant_user_id: Some(100), channel, assignee_id: None };
            assert!(!cases::may_read(&op, &case, &item), "reads a case of its department");
            assert!(!cases::sees_applicant_identity(&op, &case));
            assert!(cases::may_edit_draft(&op, &case).is_err());
            assert!(cases::may_act_at_all(&op, &case, &item).is_err());
        }
        assert!(cases::may_register(&op, 1).is_err());
        assert!(cases::may_list(&op, ListScope::All).is_err());
        let s = InteractionFacts { department_id: 1, submitter_user_id: Some(100), former_departments: &[] };
        assert!(interaction::may_handle(&op, &s).is_err());
        assert_ne!(interaction::reader(Some(&op), &s, false), interaction::Reader::Handler);
        assert!(interaction::list_reader(Some(&op), interaction::ListScope::All).is_err());
        let l = LicenseFacts { issuer_department_id: 1, holder_user_id: Some(100) };
        assert!(!licenses::may_read(&op, &l));
        assert!(!zwfw_domain::access::rating::may_read(&op, 1, Some(100)));
        assert!(zwfw_domain::access::credit::may_publish(&op, 1).is_err());
        assert!(!zwfw_domain::access::catalog::may_read_drafts(&op, 1));
        assert!(!zwfw_domain::access::catalog::may_author(&op, 1));
        // Personal data: staff and public accounts, the audit trail, the SMS
        // outbox, the exchange's rows, the registries.
        assert!(st::staff_list_scope(&op).is_err());
        assert!(!st::may_read_staff_in(&op, 1));
        assert!(!st::may_list_public_accounts(&op));
        assert!(!st::may_read_audit(&op));
        assert!(!st::may_operate_outbox(&op));
        assert!(!st::may_read_exchange_rows(&op));
        assert!(!st::may_resend_exchange(&op));
        for action in zwfw_domain::access::registry::RegistryAction::ALL {
            assert!(zwfw_domain::access::registry::may(&op, action).is_err(), "{action:?}");
        }
        // No approval: maintenance requests, deletions, rights, accounts.
        let req = RequestFacts { department_id: 1, requester_id: 9 };
        assert_eq!(gov::may_answer(&op, &req), Err(Refusal::MissingRole));
        assert!(gov::may_carry_out(&op).is_err());
        assert!(gov::may_submit(&op).is_err());
        let del = DeletionFacts { author_id: 9, department_id: 1, ..Default::default() };
        assert!(gov::may_consent_deletion(&op, &del).is_err());
        assert!(gov::may_perform_deletion(&op, &del).is_err());
        assert!(!gov::may_read_deletion(&op, &del));
        let f = RightsFacts {
            department_id: 1,
            requester_id: 9,
            decided_by: None,
            stand_in: StandIn::None,
            operator: true,
            source: None,
        };
        assert!(rights::may_decide(&op, &f).is_err());
        assert!(rights::may_apply(&op, &f).is_err());
        assert!(rights::may_ask(&op).is_err());
        assert!(!st::may_create_staff(&op));
        assert!(Role::ALL.into_iter().all(|r| !st::may_grant_role(&op, r)));
        assert!(!st::may_manage_organizations(&op));
        assert!(!zwfw_domain::access::supervision::may_read_overview(&op));
    }
}

#[test]
fn nobody_creates_an_account_with_the_operator_role() {
    for r in [Role::SystemAdmin, Role::CenterAdmin, Role::DeptAdmin] {
        let a = staff(1, 1, &[r]);
        assert_eq!(st::may_create_with(&a, 1, &[Role::Operator]), Err(Refusal::NeedsCentre), "{r:?}");
        assert!(!st::offered_at_creation(&a).contains(&Role::Operator));
    }
    let sys = staff(1, 1, &[Role::SystemAdmin]);
    assert_eq!(st::may_create_with(&sys, 1, &[]), Ok(()), "an account without a role");
    assert_eq!(st::may_create_with(&sys, 1, &[Role::Counter]), Ok(()));
}
