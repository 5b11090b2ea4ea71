//! 权限变更申请: who asks for a change of staff rights, who approves,
//! applies, withdraws and reads a request, and who may still change rights
//! directly (the system administrator, in an emergency).
//!
//! A department asks for its own staff: its administrator or head (the
//! supervision office's officers and the service centre's administrators
//! likewise for the staff of their own office); a head (部门负责人) of the
//! department approves or refuses, never the asker; an administrator of
//! the department (its department administrator, the centre's
//! administrator for the centre's staff) or the system administrator
//! applies it, each row only where the administrator may make that change
//! ([`super::staff::may_change_account`]). The supervision office reads
//! every request; the system administrator too.

use super::{first_held, in_department, Refusal};
use crate::admin::{AccountKind, Actor, Role};
use crate::governance::rights::RightsError;

/// The plain facts of a request that the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RightsFacts {
    /// The department whose staff the request is for.
    pub department_id: i64,
    /// Who asked.
    pub requester_id: i64,
}

/// The roles that ask for their own department's staff.
const ASKERS: [Role; 4] = [Role::DeptAdmin, Role::DeptHead, Role::CenterAdmin, Role::Supervisor];

fn is_supervision(actor: &Actor) -> bool {
    actor.is_staff() && actor.has(Role::Supervisor)
}

/// Who asks for a change of rights, for the staff of their own department:
/// its administrator or head, a supervision officer, a centre
/// administrator. The role it is asked in.
pub fn may_ask(actor: &Actor) -> Result<Role, Refusal> {
    if !actor.is_staff() || actor.department_id.is_none() {
        return Err(Refusal::StaffOnly);
    }
    first_held(actor, &ASKERS).ok_or(Refusal::MissingRole)
}

/// The account a row of a request names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named {
    pub user_id: i64,
    pub kind: AccountKind,
    pub department_id: Option<i64>,
}

/// Whether the asker may name `subject` on a row: a staff member of the
/// asker's own department, not the asker.
pub fn may_name(actor: &Actor, subject: &Named) -> Result<(), Refusal> {
    if subject.kind != AccountKind::Staff {
        return Err(Refusal::NotParty);
    }
    if !subject.department_id.is_some_and(|d| in_department(actor, d)) {
        return Err(Refusal::NotInDepartment);
    }
    if subject.user_id == actor.user_id {
        return Err(Refusal::OwnAccount);
    }
    Ok(())
}

/// Who reads a request: the asker, the heads and administrators of its
/// department, the supervision office and the system administrator.
/// Anyone else is answered "not found".
pub fn may_read(actor: &Actor, f: &RightsFacts) -> bool {
    actor.is_staff()
        && (actor.user_id == f.requester_id
            || is_supervision(actor)
            || actor.has(Role::SystemAdmin)
            || (in_department(actor, f.department_id) && first_held(actor, &ASKERS).is_some()))
}

/// Who approves or refuses a request: a head (部门负责人) of its
/// department, not the asker. The role it is given in.
pub fn may_decide(actor: &Actor, f: &RightsFacts) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if !actor.has(Role::DeptHead) {
        return Err(Refusal::NeedsDeptHead);
    }
    if !in_department(actor, f.department_id) {
        return Err(Refusal::NotInDepartment);
    }
    if actor.user_id == f.requester_id {
        return Err(Refusal::OwnRequest);
    }
    Ok(Role::DeptHead)
}

/// A head decides no request that changes their own rights: a request
/// naming them (`named`: the staff its rows change) is decided by another
/// head, as one they asked for is.
pub fn may_decide_naming(actor: &Actor, f: &RightsFacts, named: &[i64]) -> Result<Role, Refusal> {
    let role = may_decide(actor, f)?;
    if named.contains(&actor.user_id) {
        return Err(Refusal::OwnAccount);
    }
    Ok(role)
}

/// Who applies (or refuses to apply) an approved request: the system
/// administrator, or an administrator of its department (its department
/// administrator; the centre's administrator for the centre's own staff).
/// Each row is then checked with [`super::staff::may_change_account`].
/// The role it is applied in.
pub fn may_apply(actor: &Actor, f: &RightsFacts) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if actor.has(Role::SystemAdmin) {
        return Ok(Role::SystemAdmin);
    }
    if let Some(r) = first_held(actor, &[Role::DeptAdmin, Role::CenterAdmin]) {
        return if in_department(actor, f.department_id) { Ok(r) } else { Err(Refusal::NotInDepartment) };
    }
    Err(if actor.has(Role::Supervisor) { Refusal::SupervisionReadsOnly } else { Refusal::MissingRole })
}

/// Who withdraws a request: its asker.
pub fn may_withdraw(actor: &Actor, f: &RightsFacts) -> Result<(), Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if actor.user_id != f.requester_id {
        return Err(Refusal::NotAuthor);
    }
    Ok(())
}

/// Whose requests a list shows: every department's for the supervision
/// office and the system administrator (`None`), the own department's for
/// those who ask, approve or apply there.
pub fn list_scope(actor: &Actor) -> Result<Option<i64>, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if is_supervision(actor) || actor.has(Role::SystemAdmin) {
        return Ok(None);
    }
    match actor.department_id {
        Some(d) if first_held(actor, &ASKERS).is_some() => Ok(Some(d)),
        _ => Err(Refusal::MissingRole),
    }
}

/// Whose menu offers the requests: who lists them.
pub fn acts_on_rights(actor: &Actor) -> bool {
    list_scope(actor).is_ok()
}

/// Whether a role or department change may be made directly, outside a
/// request: only by the system administrator, marked as an emergency
/// (the reason is then required, and supervision is told).
pub fn may_change_directly(actor: &Actor, emergency: bool) -> Result<(), RightsError> {
    match (actor.is_staff() && actor.has(Role::SystemAdmin), emergency) {
        (true, true) => Ok(()),
        (false, true) => Err(RightsError::EmergencyOnlySystemAdmin),
        (_, false) => Err(RightsError::NeedsRequest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;

    const F: RightsFacts = RightsFacts { department_id: 2, requester_id: 1 };

    #[test]
    fn a_department_asks_for_its_own_staff_a_head_approves_an_administrator_applies() {
        let da = staff(1, 2, &[Role::DeptAdmin]);
        let head = staff(6, 2, &[Role::DeptHead]);
        let other_head = staff(7, 3, &[Role::DeptHead]);
        let other_da = staff(8, 3, &[Role::DeptAdmin]);
        let counter = staff(4, 2, &[Role::Counter]);
        let sup = staff(9, 9, &[Role::Supervisor]);
        let sys = staff(10, 5, &[Role::SystemAdmin]);
        assert_eq!(may_ask(&da), Ok(Role::DeptAdmin));
        assert_eq!(may_ask(&head), Ok(Role::DeptHead));
        assert_eq!(may_ask(&sup), Ok(Role::Supervisor));
        assert_eq!(may_ask(&counter), Err(Refusal::MissingRole));
        assert_eq!(may_ask(&person(3)), Err(Refusal::StaffOnly));
        let named = |id, dept| Named { user_id: id, kind: AccountKind::Staff, department_id: Some(dept) };
        assert_eq!(may_name(&da, &named(4, 2)), Ok(()));
        assert_eq!(may_name(&da, &named(5, 3)), Err(Refusal::NotInDepartment), "another department's staff");
        assert_eq!(may_name(&da, &named(1, 2)), Err(Refusal::OwnAccount));
        let public = Named { user_id: 5, kind: AccountKind::Person, department_id: None };
        assert_eq!(may_name(&da, &public), Err(Refusal::NotParty));

        assert_eq!(may_decide(&head, &F), Ok(Role::DeptHead));
        assert_eq!(may_decide(&other_head, &F), Err(Refusal::NotInDepartment));
        assert_eq!(may_decide(&da, &F), Err(Refusal::NeedsDeptHead));
        assert_eq!(may_decide(&head, &RightsFacts { requester_id: 6, ..F }), Err(Refusal::OwnRequest));
        assert_eq!(may_decide_naming(&head, &F, &[9, head.user_id]), Err(Refusal::OwnAccount));
        assert!(may_decide_naming(&head, &F, &[9]).is_ok());

        assert_eq!(may_apply(&da, &F), Ok(Role::DeptAdmin));
        assert_eq!(may_apply(&sys, &F), Ok(Role::SystemAdmin));
        assert_eq!(may_apply(&other_da, &F), Err(Refusal::NotInDepartment));
        assert_eq!(may_apply(&staff(11, 5, &[Role::CenterAdmin]), &F), Err(Refusal::NotInDepartment));
        assert_eq!(may_apply(&staff(11, 2, &[Role::CenterAdmin]), &F), Ok(Role::CenterAdmin));
        assert_eq!(may_apply(&head, &F), Err(Refusal::MissingRole));
        assert_eq!(may_apply(&sup, &F), Err(Refusal::SupervisionReadsOnly));

        assert_eq!(may_withdraw(&da, &F), Ok(()));
        assert_eq!(may_withdraw(&head, &F), Err(Refusal::NotAuthor));
        for (a, can) in
            [(&da, true), (&head, true), (&sup, true), (&sys, true), (&counter, false), (&other_head, false)]
        {
            assert_eq!(may_read(a, &F), can, "{}", a.user_id);
        }
        assert_eq!(list_scope(&sup), Ok(None));
        assert_eq!(list_scope(&sys), Ok(None));
        assert_eq!(list_scope(&head), Ok(Some(2)));
        assert_eq!(list_scope(&counter), Err(Refusal::MissingRole));
        assert!(acts_on_rights(&da) && !acts_on_rights(&counter));
    }

    #[test]
    fn only_the_system_administrator_changes_rights_directly_and_only_in_an_emergency() {
        let sys = staff(10, 5, &[Role::SystemAdmin]);
        assert_eq!(may_change_directly(&sys, true), Ok(()));
        assert_eq!(may_change_directly(&sys, false), Err(RightsError::NeedsRequest));
        for r in [Role::DeptAdmin, Role::CenterAdmin, Role::DeptHead, Role::Supervisor] {
            let a = staff(1, 2, &[r]);
            assert_eq!(may_change_directly(&a, false), Err(RightsError::NeedsRequest), "{r:?}");
            assert_eq!(may_change_directly(&a, true), Err(RightsError::EmergencyOnlySystemAdmin), "{r:?}");
        }
    }
}
