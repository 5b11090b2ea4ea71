//! Staff administration (accounts and roles), organizations, the holiday
//! calendar, the audit trail and the demo clock.
//!
//! Roles are granted by level (第十一条, account rules): system
//! administrators grant every role; the service centre and department
//! administrators grant only the working roles (窗口人员, 审批人员,
//! 部门负责人), the centre in any department, a department administrator in
//! its own. 法制审核, 监察, the centre's and the administrators' roles come
//! from a system administrator only.

use super::{in_department, is_overseer, require, Refusal};
use crate::admin::{AccountKind, Actor, Role};

/// The working roles of a department: what department administrators grant.
pub const WORKING_ROLES: [Role; 3] = [Role::Counter, Role::Reviewer, Role::DeptHead];

/// Whether `actor` may grant (or take away) `role`, in a department it manages.
pub fn may_grant_role(actor: &Actor, role: Role) -> bool {
    if !actor.is_staff() {
        return false;
    }
    if actor.has(Role::SystemAdmin) {
        return true;
    }
    WORKING_ROLES.contains(&role) && (actor.has(Role::CenterAdmin) || actor.has(Role::DeptAdmin))
}

/// Whether `actor` administers the staff of `department_id`: global
/// administrators anywhere, a department administrator in its own department.
pub fn may_manage_staff_in(actor: &Actor, department_id: i64) -> bool {
    actor.is_staff() && (actor.is_global_admin() || (actor.has(Role::DeptAdmin) && in_department(actor, department_id)))
}

/// Whether `actor` reads the staff accounts of `department_id`: who manages
/// them, and the supervision bureau everywhere.
pub fn may_read_staff_in(actor: &Actor, department_id: i64) -> bool {
    may_manage_staff_in(actor, department_id) || (actor.is_staff() && actor.has(Role::Supervisor))
}

/// Giving `roles` to an account of `target_department`: the actor manages
/// that department and may grant every role listed.
pub fn may_grant(actor: &Actor, target_department: i64, roles: &[Role]) -> Result<(), Refusal> {
    require(may_manage_staff_in(actor, target_department), Refusal::NotInDepartment)?;
    require(roles.iter().all(|r| may_grant_role(actor, *r)), Refusal::RoleGrantForbidden)
}

/// Creating an account with `roles` in `target_department`: as
/// [`may_grant`], and never with the operator's role (运维人员), which is
/// granted only on a rights request the service centre decides
/// (`needs_centre`; an operator's account is created without a role).
pub fn may_create_with(actor: &Actor, target_department: i64, roles: &[Role]) -> Result<(), Refusal> {
    require(!super::operator::concerns_operator(roles), Refusal::NeedsCentre)?;
    may_grant(actor, target_department, roles)
}

/// The roles offered on the form of a new account: those `actor` may grant
/// ([`may_grant_role`]) but the operator's ([`may_create_with`]).
pub fn offered_at_creation(actor: &Actor) -> Vec<Role> {
    Role::ALL.into_iter().filter(|r| may_grant_role(actor, *r) && *r != Role::Operator).collect()
}

/// The account a change is made to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffAccount<'a> {
    pub user_id: i64,
    pub kind: AccountKind,
    pub department_id: Option<i64>,
    pub roles: &'a [Role],
}

/// A change to a staff account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffChange<'a> {
    /// Name, mobile, department and roles (the new department and roles).
    Edit {
        department_id: i64,
        roles: &'a [Role],
    },
    Enable,
    Disable,
    /// A new temporary password (and unlock), optionally a new second factor.
    ResetPassword,
}

/// Whether `actor` may read the account: `NotParty` (answered as not found)
/// otherwise.
pub fn may_read_account(actor: &Actor, target: &StaffAccount<'_>) -> Result<(), Refusal> {
    let ok = target.kind == AccountKind::Staff && target.department_id.is_some_and(|d| may_read_staff_in(actor, d));
    require(ok, Refusal::NotParty)
}

/// Whether `actor` may make `change` to the account: it reads it, manages
/// its department, may grant every role it holds now (nobody changes an
/// account more powerful than they may create), and for an edit may grant
/// the new roles in the new department. Nobody disables their own account
/// or changes their own roles.
pub fn may_change_account(actor: &Actor, target: &StaffAccount<'_>, change: StaffChange<'_>) -> Result<(), Refusal> {
    may_read_account(actor, target)?;
    require(target.department_id.is_some_and(|d| may_manage_staff_in(actor, d)), Refusal::NotInDepartment)?;
    require(target.roles.iter().all(|r| may_grant_role(actor, *r)), Refusal::RoleGrantForbidden)?;
    let own = target.user_id == actor.user_id;
    match change {
        StaffChange::Edit { department_id, roles } => {
            let mut before = target.roles.to_vec();
            let mut after = roles.to_vec();
            before.sort();
            before.dedup();
            after.sort();
            after.dedup();
            require(!own || (before == after && target.department_id == Some(department_id)), Refusal::OwnAccount)?;
            may_grant(actor, department_id, roles)
        }
        StaffChange::Disable => require(!own, Refusal::OwnAccount),
        StaffChange::Enable | StaffChange::ResetPassword => Ok(()),
    }
}

/// Whether `actor` registers a certificate for the account (数字证书,
/// 承德 第二十一条: issued and re-issued through the centre): the service
/// centre's or the system administrator, for an account they may change,
/// never their own.
pub fn may_register_certificate(actor: &Actor, target: &StaffAccount<'_>) -> Result<(), Refusal> {
    require(actor.is_staff() && actor.is_global_admin(), Refusal::MissingRole)?;
    require(target.user_id != actor.user_id, Refusal::OwnAccount)?;
    may_change_account(actor, target, StaffChange::ResetPassword)
}

/// Whether `actor` reads the account's certificates: the holder, and who reads the account.
pub fn may_read_certificates(actor: &Actor, target: &StaffAccount<'_>) -> Result<(), Refusal> {
    if actor.user_id == target.user_id {
        return Ok(());
    }
    may_read_account(actor, target)
}

/// Whether `actor` reports a certificate of the account lost, locked or
/// revoked (blocking it at once): the holder, and who administers the
/// account (the centre, the system administrator, the department's
/// administrator).
pub fn may_report_certificate(actor: &Actor, target: &StaffAccount<'_>) -> Result<(), Refusal> {
    if actor.user_id == target.user_id && actor.is_staff() {
        return Ok(());
    }
    may_change_account(actor, target, StaffChange::ResetPassword)
}

/// May open the form for a new staff account: who manages the staff of
/// some department (each account is then checked with [`may_grant`]).
pub fn may_create_staff(actor: &Actor) -> bool {
    actor.is_staff() && (actor.is_global_admin() || actor.has(Role::DeptAdmin))
}

/// Which staff accounts a list shows: `Ok(None)` every department's,
/// `Ok(Some(d))` department `d`'s.
pub fn staff_list_scope(actor: &Actor) -> Result<Option<i64>, Refusal> {
    if is_overseer(actor) {
        Ok(None)
    } else if actor.is_staff() && actor.has(Role::DeptAdmin) {
        super::acting_department(actor).map(Some).ok_or(Refusal::Forbidden)
    } else {
        Err(Refusal::Forbidden)
    }
}

/// Public (natural and legal person) accounts are listed for global
/// administrators and the supervision bureau.
pub fn may_list_public_accounts(actor: &Actor) -> bool {
    is_overseer(actor)
}

/// May manage regions and departments.
pub fn may_manage_organizations(actor: &Actor) -> bool {
    actor.is_staff() && actor.is_global_admin()
}

/// May read the organization tree (every staff member).
pub fn may_read_organizations(actor: &Actor) -> bool {
    actor.is_staff()
}

/// May enter a year of the working-day calendar.
pub fn may_edit_calendar(actor: &Actor) -> bool {
    actor.is_staff() && actor.is_global_admin()
}

/// May read the SMS outbox and send a given-up message again.
pub fn may_operate_outbox(actor: &Actor) -> bool {
    actor.is_staff() && actor.is_global_admin()
}

/// May read the backups and restore drills and make a backup or a drill
/// now: the system administrator, who runs the platform, and the operators
/// (运维人员) who keep it running. The files stay in the backup directory
/// (a backup holds every person's data): no page hands one out.
pub fn may_operate_backups(actor: &Actor) -> bool {
    actor.is_staff() && (actor.has(Role::SystemAdmin) || super::operator::is_operator(actor))
}

/// May read the exchange monitor's status (数据交换: the backlog, the
/// deliveries, the exporter's failures): the administrators, the
/// supervision bureau, which watches that the platform reports, and the
/// operators (运维人员).
pub fn may_monitor_exchange(actor: &Actor) -> bool {
    may_read_exchange_rows(actor) || super::operator::is_operator(actor)
}

/// May read the exchange's rows (rejected rows, the province's feedback, a
/// row's columns), which carry case data: the administrators and the
/// supervision bureau, not the operators.
pub fn may_read_exchange_rows(actor: &Actor) -> bool {
    actor.is_staff() && (actor.is_global_admin() || is_overseer(actor))
}

/// May manage offline packages (离线包): make this installation's packages
/// and its signing key, register the installations whose packages are
/// imported and import them. The system and centre administrators only:
/// the supervision bureau watches the exchange but changes nothing in it.
pub fn may_manage_exchange_packages(actor: &Actor) -> bool {
    actor.is_staff() && actor.is_global_admin()
}

/// May correct a row the province or the exporter rejected and send it
/// again, and read the feedback tables now: the system and centre
/// administrators (the supervision bureau watches, it changes nothing).
pub fn may_resend_exchange(actor: &Actor) -> bool {
    actor.is_staff() && actor.is_global_admin()
}

/// May read the audit trail.
pub fn may_read_audit(actor: &Actor) -> bool {
    is_overseer(actor)
}

/// May move the demo clock.
pub fn may_control_clock(actor: &Actor) -> bool {
    actor.is_staff() && actor.has(Role::SystemAdmin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::{person, staff};

    #[test]
    fn offline_packages_are_for_the_administrators() {
        assert!(may_manage_exchange_packages(&staff(1, 1, &[Role::SystemAdmin])));
        assert!(may_manage_exchange_packages(&staff(1, 1, &[Role::CenterAdmin])));
        for r in [Role::Supervisor, Role::DeptAdmin, Role::Counter, Role::Reviewer, Role::DeptHead, Role::LegalReview] {
            assert!(!may_manage_exchange_packages(&staff(1, 1, &[r])), "{r:?}");
        }
        assert!(!may_manage_exchange_packages(&person(2)));
    }

    #[test]
    fn only_administrators_send_exchange_rows_again() {
        assert!(may_resend_exchange(&staff(1, 1, &[Role::SystemAdmin])));
        assert!(may_resend_exchange(&staff(1, 1, &[Role::CenterAdmin])));
        let sup = staff(1, 1, &[Role::Supervisor]);
        assert!(may_monitor_exchange(&sup) && !may_resend_exchange(&sup), "supervision reads only");
        for r in [Role::DeptAdmin, Role::Counter, Role::DeptHead, Role::Reviewer] {
            assert!(!may_resend_exchange(&staff(1, 1, &[r])) && !may_monitor_exchange(&staff(1, 1, &[r])), "{r:?}");
        }
        assert!(!may_resend_exchange(&person(1)));
    }

    #[test]
    fn department_admins_grant_working_roles_in_their_department_only() {
        let da = staff(1, 1, &[Role::DeptAdmin]);
        assert_eq!(may_grant(&da, 1, &[Role::Counter, Role::Reviewer, Role::DeptHead]), Ok(()));
        for r in [Role::LegalReview, Role::DeptAdmin, Role::Supervisor, Role::CenterAdmin, Role::SystemAdmin] {
            assert_eq!(may_grant(&da, 1, &[Role::Counter, r]), Err(Refusal::RoleGrantForbidden), "{r:?}");
        }
        assert_eq!(may_grant(&da, 2, &[Role::Counter]), Err(Refusal::NotInDepartment));
        let center = staff(2, 5, &[Role::CenterAdmin]);
        assert_eq!(may_grant(&center, 2, &[Role::Reviewer]), Ok(()));
        assert_eq!(may_grant(&center, 2, &[Role::DeptAdmin]), Err(Refusal::RoleGrantForbidden));
        assert_eq!(may_grant(&center, 2, &[Role::LegalReview]), Err(Refusal::RoleGrantForbidden));
        let sys = staff(3, 5, &[Role::SystemAdmin]);
        for r in Role::ALL {
            assert_eq!(may_grant(&sys, 2, &[r]), Ok(()));
        }
        assert_eq!(may_grant(&staff(4, 1, &[Role::DeptHead]), 1, &[Role::Counter]), Err(Refusal::NotInDepartment));
        assert_eq!(may_grant(&person(5), 1, &[Role::Counter]), Err(Refusal::NotInDepartment));
    }

    /// A staff account of department `dept` holding `roles`.
    fn acc(id: i64, dept: i64, roles: &'static [Role]) -> StaffAccount<'static> {
        StaffAccount { user_id: id, kind: AccountKind::Staff, department_id: Some(dept), roles }
    }

    #[test]
    fn certificates_are_registered_by_the_centre_and_reported_by_holder_or_administrator() {
        let counter = acc(2, 1, &[Role::Counter]);
        let center = staff(3, 5, &[Role::CenterAdmin]);
        let sys = staff(4, 5, &[Role::SystemAdmin]);
        let da = staff(1, 1, &[Role::DeptAdmin]);
        assert_eq!(may_register_certificate(&center, &counter), Ok(()));
        assert_eq!(may_register_certificate(&sys, &counter), Ok(()));
        assert_eq!(may_register_certificate(&da, &counter), Err(Refusal::MissingRole));
        assert_eq!(may_register_certificate(&staff(2, 1, &[Role::Counter]), &counter), Err(Refusal::MissingRole));
        assert_eq!(
            may_register_certificate(&center, &acc(4, 5, &[Role::SystemAdmin])),
            Err(Refusal::RoleGrantForbidden),
            "the centre registers no certificate of a system administrator"
        );
        assert_eq!(may_register_certificate(&sys, &acc(4, 5, &[Role::SystemAdmin])), Err(Refusal::OwnAccount));
        // The holder and the administrators report; another department's administrator does not even see it.
        assert_eq!(may_report_certificate(&staff(2, 1, &[Role::Counter]), &counter), Ok(()));
        assert_eq!(may_report_certificate(&da, &counter), Ok(()));
        assert_eq!(may_report_certificate(&center, &counter), Ok(()));
        assert_eq!(may_report_certificate(&staff(9, 2, &[Role::DeptAdmin]), &counter), Err(Refusal::NotParty));
        assert_eq!(may_report_certificate(&staff(8, 1, &[Role::Counter]), &counter), Err(Refusal::NotParty));
        assert_eq!(may_read_certificates(&staff(2, 1, &[Role::Counter]), &counter), Ok(()));
        assert_eq!(may_read_certificates(&staff(7, 6, &[Role::Supervisor]), &counter), Ok(()));
        assert_eq!(may_read_certificates(&staff(8, 1, &[Role::Counter]), &counter), Err(Refusal::NotParty));
    }

    #[test]
    fn account_changes() {
        let da = staff(1, 1, &[Role::DeptAdmin]);
        let counter = acc(2, 1, &[Role::Counter]);
        assert_eq!(may_change_account(&da, &counter, StaffChange::ResetPassword), Ok(()));
        assert_eq!(may_change_account(&da, &counter, StaffChange::Disable), Ok(()));
        assert_eq!(
            may_change_account(&da, &counter, StaffChange::Edit { department_id: 1, roles: &[Role::Reviewer] }),
            Ok(())
        );
        assert_eq!(
            may_change_account(&da, &counter, StaffChange::Edit { department_id: 1, roles: &[Role::LegalReview] }),
            Err(Refusal::RoleGrantForbidden)
        );
        assert_eq!(
            may_change_account(&da, &counter, StaffChange::Edit { department_id: 2, roles: &[Role::Counter] }),
            Err(Refusal::NotInDepartment),
            "no move out of the department"
        );
        // Another department's account is not even seen; a fellow administrator is not changed.
        assert_eq!(may_change_account(&da, &acc(3, 2, &[Role::Counter]), StaffChange::Enable), Err(Refusal::NotParty));
        assert_eq!(
            may_change_account(&da, &acc(4, 1, &[Role::DeptAdmin]), StaffChange::ResetPassword),
            Err(Refusal::RoleGrantForbidden)
        );
        // Oneself: no disabling, no new roles; the name and mobile may change.
        let sys = staff(9, 5, &[Role::SystemAdmin]);
        let me = acc(9, 5, &[Role::SystemAdmin]);
        assert_eq!(may_change_account(&sys, &me, StaffChange::Disable), Err(Refusal::OwnAccount));
        assert_eq!(
            may_change_account(&sys, &me, StaffChange::Edit { department_id: 5, roles: &[Role::SystemAdmin] }),
            Ok(())
        );
        assert_eq!(
            may_change_account(
                &sys,
                &me,
                StaffChange::Edit { department_id: 5, roles: &[Role::SystemAdmin, Role::Supervisor] }
            ),
            Err(Refusal::OwnAccount)
        );
        // Supervision reads every account and changes none.
        let sup = staff(7, 9, &[Role::Supervisor]);
        assert_eq!(may_read_account(&sup, &counter), Ok(()));
        assert_eq!(may_change_account(&sup, &counter, StaffChange::Enable), Err(Refusal::NotInDepartment));
        let public = StaffAccount { user_id: 8, kind: AccountKind::Person, department_id: None, roles: &[] };
        assert_eq!(may_read_account(&sys, &public), Err(Refusal::NotParty));
    }

    #[test]
    fn lists_and_global_rights() {
        assert_eq!(staff_list_scope(&staff(1, 1, &[Role::DeptAdmin])), Ok(Some(1)));
        assert_eq!(staff_list_scope(&staff(1, 9, &[Role::Supervisor])), Ok(None));
        assert_eq!(staff_list_scope(&staff(1, 1, &[Role::Reviewer])), Err(Refusal::Forbidden));
        assert!(may_manage_organizations(&staff(1, 5, &[Role::CenterAdmin])));
        assert!(!may_manage_organizations(&staff(1, 1, &[Role::DeptAdmin])));
        assert!(may_read_organizations(&staff(1, 1, &[Role::Counter])) && !may_read_organizations(&person(2)));
        assert!(may_edit_calendar(&staff(1, 5, &[Role::SystemAdmin])));
        assert!(!may_edit_calendar(&staff(1, 9, &[Role::Supervisor])));
        assert!(may_read_audit(&staff(1, 9, &[Role::Supervisor])) && !may_read_audit(&staff(1, 1, &[Role::Reviewer])));
        assert!(may_control_clock(&staff(1, 5, &[Role::SystemAdmin])));
        assert!(!may_control_clock(&staff(1, 5, &[Role::CenterAdmin])));
    }
}
