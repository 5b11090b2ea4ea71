//! Who may do and see what: every access rule of zwfw, written once.
//!
//! Each rule is a pure function of the [`Actor`] and a few plain facts about
//! the object (passed in small structs, never store rows). An action answers
//! `Ok` with the role the actor acts in (recorded with the event) or
//! `Err(Refusal)` with a stable code; a read answers `bool`, and a refused
//! read is shown as "not found" so that the object's existence is not
//! revealed.
//!
//! The areas: [`cases`] (办件: actions and reads), [`staff`] (accounts and
//! roles, organizations, calendar, audit), [`catalog`] (items and their
//! change governance), [`interaction`] (咨询/建议/投诉/纠错), [`rating`]
//! (好差评 and its follow-up), [`licenses`] (电子证照), [`registry`] (人口库/法人库)
//! and [`supervision`] (findings, orders, evaluation). The supervision bureau reads everything and changes nothing
//! in a case.

pub mod cases;
pub mod catalog;
pub mod correction;
pub mod credit;
pub mod faults;
pub mod governance;
pub mod handover;
pub mod interaction;
pub mod licenses;
pub mod notices;
pub mod operator;
pub mod rating;
pub mod registry;
pub mod rights;
pub mod staff;
pub mod supervision;

use crate::admin::{Actor, Role};
use serde::Serialize;

/// Why an action is refused. The codes are stable: the API returns them and
/// the message catalogue renders them in Chinese.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The actor may not act here at all (wrong kind of account, no right).
    Forbidden,
    /// The actor may not even read the object: answered as "not found".
    NotParty,
    /// Staff of another department than the one that acts on the object now.
    NotInDepartment,
    /// The actor holds none of the roles the action needs.
    MissingRole,
    /// The actor holds neither the role of the case's current step nor the
    /// department head's.
    NotStepRole,
    /// The case is assigned (transferred) to a colleague; only the department
    /// head may act in the assignee's place.
    AssignedToOther,
    /// The actor's department takes no part in the current joint review.
    NotJointMember,
    /// Only the department head decides this.
    NeedsDeptHead,
    /// The supervision bureau reads cases and changes nothing in them.
    SupervisionReadsOnly,
    /// Only the system itself records this (deemed acceptance).
    SystemOnly,
    /// An online application's own act: only its applicant takes it.
    ApplicantOnly,
    /// Staff act here; an applicant does not.
    StaffOnly,
    /// A withdrawal request is recorded only for an application made online
    /// (at the counter the walk-in applicant's request is acted on at once).
    NotOnlineCase,
    /// Staff withdraw an online application only on the applicant's written
    /// request, recorded first.
    WithdrawalNeedsRequest,
    /// A recorded withdrawal request is approved by the department head.
    WithdrawalNeedsHead,
    /// A transfer goes to an active colleague of the handling department
    /// who may act at the current step.
    BadTransferTarget,
    /// The actor may not grant (or take away) one of these roles.
    RoleGrantForbidden,
    /// Nobody changes their own roles or disables their own account.
    OwnAccount,
    /// Only the person who entered a record asks for its deletion (and
    /// withdraws the request).
    NotAuthor,
    /// Nobody consents to their own request.
    OwnRequest,
    /// The role the action needs is held but not qualified (上岗资格)
    /// today: [`missing_qualification`] names it.
    NotQualified,
    /// Only the service centre decides this (a change of an operator's
    /// rights: [`rights::may_decide`]).
    NeedsCentre,
    /// Who consented to a request does not also carry it out (separation
    /// of duties: a stand-in who consented to a correction).
    OwnConsent,
}

impl Refusal {
    pub const ALL: [Refusal; 23] = [
        Refusal::Forbidden,
        Refusal::NotParty,
        Refusal::NotInDepartment,
        Refusal::MissingRole,
        Refusal::NotStepRole,
        Refusal::AssignedToOther,
        Refusal::NotJointMember,
        Refusal::NeedsDeptHead,
        Refusal::SupervisionReadsOnly,
        Refusal::SystemOnly,
        Refusal::ApplicantOnly,
        Refusal::StaffOnly,
        Refusal::NotOnlineCase,
        Refusal::WithdrawalNeedsRequest,
        Refusal::WithdrawalNeedsHead,
        Refusal::BadTransferTarget,
        Refusal::RoleGrantForbidden,
        Refusal::OwnAccount,
        Refusal::NotAuthor,
        Refusal::OwnRequest,
        Refusal::NotQualified,
        Refusal::NeedsCentre,
        Refusal::OwnConsent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Refusal::Forbidden => "forbidden",
            Refusal::NotParty => "not_party",
            Refusal::NotInDepartment => "not_in_department",
            Refusal::MissingRole => "missing_role",
            Refusal::NotStepRole => "not_step_role",
            Refusal::AssignedToOther => "assigned_to_other",
            Refusal::NotJointMember => "not_joint_member",
            Refusal::NeedsDeptHead => "needs_dept_head",
            Refusal::SupervisionReadsOnly => "supervision_reads_only",
            Refusal::SystemOnly => "system_only",
            Refusal::ApplicantOnly => "applicant_only",
            Refusal::StaffOnly => "staff_only",
            Refusal::NotOnlineCase => "not_online_case",
            Refusal::WithdrawalNeedsRequest => "withdrawal_needs_request",
            Refusal::WithdrawalNeedsHead => "withdrawal_needs_head",
            Refusal::BadTransferTarget => "bad_transfer_target",
            Refusal::RoleGrantForbidden => "role_grant_forbidden",
            Refusal::OwnAccount => "own_account",
            Refusal::NotAuthor => "not_author",
            Refusal::OwnRequest => "own_request",
            Refusal::NotQualified => "not_qualified",
            Refusal::NeedsCentre => "needs_centre",
            Refusal::OwnConsent => "own_consent",
        }
    }

    pub fn parse(code: &str) -> Option<Refusal> {
        Refusal::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether the refusal should be answered as "not found" (the actor may
    /// not learn that the object exists) rather than "forbidden".
    pub fn hides_object(self) -> bool {
        self == Refusal::NotParty
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::error::Error for Refusal {}

/// The department the actor acts for: their own, but none for an operator
/// acting in no other role ([`operator::operates_only`]), who keeps the
/// installation and acts for no department's business. Every rule that
/// reads the actor's department reads it here.
pub fn acting_department(actor: &Actor) -> Option<i64> {
    actor.department_id.filter(|_| !operator::operates_only(actor))
}

/// The department a staff member acts for ([`acting_department`]), or why
/// not: `staff_only` for an applicant, `missing_role` for a staff member
/// who acts for no department (an operator: the role does not do a
/// department's business).
pub fn staff_department(actor: &Actor) -> Result<i64, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    acting_department(actor).ok_or(Refusal::MissingRole)
}

/// The department a list shows: the one the rule narrows the reader to
/// (`scope`, their own) or else the one asked for. Another department
/// asked for by a reader narrowed to their own is refused
/// (`not_in_department`), never silently replaced by theirs.
pub fn list_department(scope: Option<i64>, asked: Option<i64>) -> Result<Option<i64>, Refusal> {
    match (scope, asked) {
        (Some(own), Some(d)) if d != own => Err(Refusal::NotInDepartment),
        (Some(own), _) => Ok(Some(own)),
        (None, asked) => Ok(asked),
    }
}

/// A staff member of department `department_id`, acting for it
/// ([`acting_department`]).
pub fn in_department(actor: &Actor, department_id: i64) -> bool {
    actor.is_staff() && acting_department(actor) == Some(department_id)
}

/// The first of `wanted` the actor holds: the role it acts in.
pub fn first_held(actor: &Actor, wanted: &[Role]) -> Option<Role> {
    wanted.iter().copied().find(|r| actor.has(*r))
}

/// Reads everything: the supervision bureau and the global administrators.
/// (Reading is not acting: each action's rule says who acts.)
pub fn is_overseer(actor: &Actor) -> bool {
    actor.is_staff() && (actor.has(Role::Supervisor) || actor.is_global_admin())
}

/// The qualification (上岗资格) a refusal is really for, when it is one:
/// the roles to name. `refusal` is the rule's (`None`: a refusal of
/// another kind, e.g. a rule of the area's own). A staff member qualified
/// in no role held is refused everything for want of those
/// qualifications; one refused because only a head (部门负责人) decides,
/// who holds that role without its qualification, for want of that one;
/// one refused for want of a role (`missing_role`, `not_step_role`, the
/// plain `forbidden`) who holds roles not qualified, for want of those.
/// A refusal that no role would lift stands: "not found", and one's own
/// account or request.
pub fn missing_qualification(actor: &Actor, refusal: Option<Refusal>) -> Option<Vec<Role>> {
    let stands = |r: Refusal| r.hides_object() || matches!(r, Refusal::OwnAccount | Refusal::OwnRequest);
    if !actor.is_staff() || actor.unqualified.is_empty() || refusal.is_some_and(stands) {
        return None;
    }
    if actor.qualified_in_no_role() {
        return Some(actor.unqualified.clone());
    }
    let head = matches!(refusal, Some(Refusal::NeedsDeptHead | Refusal::WithdrawalNeedsHead | Refusal::NotQualified));
    if head && actor.unqualified.contains(&Role::DeptHead) {
        return Some(vec![Role::DeptHead]);
    }
    // Refused for want of a role by one who holds roles not qualified: those
    // are what stand between them and acting (a role they hold but may not
    // act in is not told as a role they lack).
    matches!(refusal, Some(Refusal::MissingRole | Refusal::NotStepRole | Refusal::Forbidden))
        .then(|| actor.unqualified.clone())
}

/// `Ok(())` when `ok`, else the refusal.
fn require(ok: bool, refusal: Refusal) -> Result<(), Refusal> {
    if ok {
        Ok(())
    } else {
        Err(refusal)
    }
}

/// Actors for the tests (shared with the integration tests in `tests/`).
#[cfg(test)]
#[path = "../../tests/support/actors.rs"]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_narrowed_to_the_own_department_refuses_another() {
        assert_eq!(list_department(Some(2), None), Ok(Some(2)));
        assert_eq!(list_department(Some(2), Some(2)), Ok(Some(2)));
        assert_eq!(list_department(Some(2), Some(3)), Err(Refusal::NotInDepartment));
        assert_eq!(list_department(None, Some(3)), Ok(Some(3)));
        assert_eq!(list_department(None, None), Ok(None));
    }

    #[test]
    fn refusal_codes_round_trip_and_are_snake_case() {
        for r in Refusal::ALL {
            assert_eq!(Refusal::parse(r.code()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), serde_json::json!(r.code()));
            assert!(r.code().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        }
        assert!(Refusal::NotParty.hides_object() && !Refusal::Forbidden.hides_object());
    }

    #[test]
    fn a_refusal_for_want_of_a_qualification_names_it() {
        let mut idle = fixtures::staff(1, 2, &[]);
        idle.department_id = None;
        idle.unqualified = vec![Role::Counter, Role::Reviewer];
        for r in [None, Some(Refusal::StaffOnly), Some(Refusal::MissingRole), Some(Refusal::NotInDepartment)] {
            assert_eq!(missing_qualification(&idle, r), Some(vec![Role::Counter, Role::Reviewer]), "{r:?}");
        }
        assert_eq!(missing_qualification(&idle, Some(Refusal::NotParty)), None, "not found stays not found");
        assert_eq!(missing_qualification(&idle, Some(Refusal::OwnAccount)), None, "no role would lift it");
        // A head qualified as 审批人员 only: refused as head for that qualification.
        let mut head = fixtures::staff(1, 2, &[Role::Reviewer]);
        head.unqualified = vec![Role::DeptHead];
        assert_eq!(missing_qualification(&head, Some(Refusal::NeedsDeptHead)), Some(vec![Role::DeptHead]));
        assert_eq!(missing_qualification(&head, Some(Refusal::NotInDepartment)), None);
        // Refused for want of a role while holding one not qualified: told of that one.
        for r in [Refusal::MissingRole, Refusal::NotStepRole, Refusal::Forbidden] {
            assert_eq!(missing_qualification(&head, Some(r)), Some(vec![Role::DeptHead]), "{r:?}");
        }
        assert_eq!(missing_qualification(&head, None), None, "an area's own refusal stands");
        // Qualified in every role held, or holding none: the rule's refusal stands.
        assert_eq!(
            missing_qualification(&fixtures::staff(1, 2, &[Role::Reviewer]), Some(Refusal::NeedsDeptHead)),
            None
        );
        assert_eq!(missing_qualification(&fixtures::staff(1, 2, &[]), Some(Refusal::StaffOnly)), None);
        assert_eq!(missing_qualification(&fixtures::person(3), Some(Refusal::StaffOnly)), None);
    }
}
