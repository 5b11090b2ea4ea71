//! User-right changes on record (权限变更申请, 常州 003 第九条, 承德 004):
//! the roles and the department of a staff member change only under a
//! written request that names the reason and the list of changes, approved
//! by a head (负责人) of the department and filed with the supervision
//! office; an administrator then applies exactly the approved list. The
//! direct path remains for the system administrator alone, in an
//! emergency, with a reason, and is flagged to supervision.
//!
//! This module holds the request's states and moves and what a list of
//! changes may hold, and whether a change still fits the account it is
//! applied to. Who takes each step is in [`crate::access::rights`].

use crate::admin::{AccountKind, Role};
use crate::codes::code_list;

pub use super::deletion::Verdict;

code_list!(
    /// Where a right-change request stands.
    RightsState {
        /// Asked: waiting for a head of the department.
        Requested = "requested",
        /// Withdrawn by the asker before the head's verdict.
        Withdrawn = "withdrawn",
        /// Approved by the head: waiting for an administrator to apply it.
        Approved = "approved",
        /// The head refused, with a reason.
        Declined = "declined",
        /// Applied by an administrator (or, an emergency, made directly by
        /// the system administrator).
        Applied = "applied",
        /// The administrator refused to apply it, with a reason.
        Rejected = "rejected",
    }
);

/// The longest reason or note, in characters.
pub const MAX_TEXT: usize = 2000;
/// The most rows (staff members) of one request.
pub const MAX_ROWS: usize = 20;

/// Why a request, one of its rows, a move, or a direct change is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RightsError {
    /// The request is not waiting for this step.
    #[error("the request is not waiting for this step")]
    WrongStage,
    /// The list holds no row, or more than [`MAX_ROWS`].
    #[error("the list of changes is empty or too long")]
    BadList,
    /// A staff member is named on two rows.
    #[error("a staff member is named twice")]
    DuplicateSubject,
    /// A row changes nothing (no role added or removed, no move).
    #[error("a row changes nothing")]
    EmptyRow,
    /// A role is both added and removed, or a move names the present department.
    #[error("a row contradicts itself")]
    Contradiction,
    /// The account is disabled (or not a staff account).
    #[error("the account is disabled")]
    SubjectInactive,
    /// A role to add is held already.
    #[error("a role to add is held already")]
    RoleAlreadyHeld,
    /// A role to remove is not held.
    #[error("a role to remove is not held")]
    RoleNotHeld,
    /// The account left the department it was in when the request was made.
    #[error("the account changed department meanwhile")]
    DepartmentChanged,
    /// The change would leave the account without any role (disable it instead).
    #[error("no role would be left")]
    NoRoleLeft,
    /// A role or department change made directly, without an approved request.
    #[error("a right change needs an approved request")]
    NeedsRequest,
    /// An emergency change by anyone but the system administrator.
    #[error("only the system administrator changes rights directly in an emergency")]
    EmergencyOnlySystemAdmin,
    /// A role the asker's office does not ask for (系统管理员, or another
    /// office's role).
    #[error("a role the asker's office does not ask for")]
    RoleNotOffered,
    /// A move to a department the asker's office does not ask for.
    #[error("a move the asker's office does not ask for")]
    MoveNotOffered,
    /// A move keeps a role the department joined does not hold (a
    /// supervision officer outside the supervision office, a centre
    /// administrator outside the centre, a department's role in either).
    #[error("a role the department moved to does not hold is kept")]
    RoleLeftBehind,
    /// A row both moves a staff member and grants or takes away the
    /// operator's role (运维人员): the receiving office's head decides the
    /// move, the service centre the operator's role; asked apart.
    #[error("a move and the operator's role are asked apart")]
    MoveWithOperator,
    /// A row names a system administrator's account (系统管理员 is
    /// nobody's to ask for).
    #[error("a system administrator's account is nobody's to ask for")]
    SystemAdminNamed,
}

impl RightsError {
    /// The stable code the API returns.
    pub fn code(self) -> &'static str {
        match self {
            RightsError::WrongStage => "rights_wrong_stage",
            RightsError::BadList => "rights_bad_list",
            RightsError::DuplicateSubject => "rights_duplicate_staff",
            RightsError::EmptyRow => "rights_empty_row",
            RightsError::Contradiction => "rights_contradiction",
            RightsError::SubjectInactive => "rights_staff_inactive",
            RightsError::RoleAlreadyHeld => "rights_role_already_held",
            RightsError::RoleNotHeld => "rights_role_not_held",
            RightsError::DepartmentChanged => "rights_department_changed",
            RightsError::NoRoleLeft => "rights_no_role_left",
            RightsError::NeedsRequest => "rights_change_needs_request",
            RightsError::EmergencyOnlySystemAdmin => "rights_emergency_system_admin_only",
            RightsError::RoleNotOffered => "rights_role_not_offered",
            RightsError::MoveNotOffered => "rights_move_not_offered",
            RightsError::RoleLeftBehind => "rights_role_left_behind",
            RightsError::MoveWithOperator => "rights_move_with_operator",
            RightsError::SystemAdminNamed => "rights_system_admin_named",
        }
    }
}

/// One row of a request: the changes asked for one staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowChange {
    pub user_id: i64,
    /// Roles to add (sorted, no duplicates).
    pub add: Vec<Role>,
    /// Roles to take away (sorted, no duplicates).
    pub remove: Vec<Role>,
    /// The department to move to, if any.
    pub move_to: Option<i64>,
}

/// The account a row is checked against: as it is when asked, and again
/// when applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject<'a> {
    pub user_id: i64,
    pub kind: AccountKind,
    pub active: bool,
    pub department_id: Option<i64>,
    pub roles: &'a [Role],
}

fn sorted(mut v: Vec<Role>) -> Vec<Role> {
    v.sort();
    v.dedup();
    v
}

impl RowChange {
    pub fn new(user_id: i64, add: Vec<Role>, remove: Vec<Role>, move_to: Option<i64>) -> RowChange {
        RowChange { user_id, add: sorted(add), remove: sorted(remove), move_to }
    }

    /// The roles the account holds once the row is applied to `held`.
    pub fn roles_after(&self, held: &[Role]) -> Vec<Role> {
        let mut out: Vec<Role> = held.iter().copied().filter(|r| !self.remove.contains(r)).collect();
        out.extend(self.add.iter().copied());
        sorted(out)
    }

    /// Whether the row still fits the account: active staff, in
    /// `department` (where it was when asked), every role to add not held,
    /// every role to remove held, some role left, a move to elsewhere.
    pub fn fits(&self, s: &Subject<'_>, department: i64) -> Result<(), RightsError> {
        if s.kind != AccountKind::Staff || !s.active {
            return Err(RightsError::SubjectInactive);
        }
        if s.department_id != Some(department) {
            return Err(RightsError::DepartmentChanged);
        }
        if self.move_to == Some(department) {
            return Err(RightsError::Contradiction);
        }
        if self.add.iter().any(|r| s.roles.contains(r)) {
            return Err(RightsError::RoleAlreadyHeld);
        }
        if self.remove.iter().any(|r| !s.roles.contains(r)) {
            return Err(RightsError::RoleNotHeld);
        }
        if self.roles_after(s.roles).is_empty() {
            return Err(RightsError::NoRoleLeft);
        }
        Ok(())
    }
}

/// Whether a list of changes may be asked for: one to [`MAX_ROWS`] rows,
/// each staff member once, each row changing something and not
/// contradicting itself.
pub fn check_list(rows: &[RowChange]) -> Result<(), RightsError> {
    if rows.is_empty() || rows.len() > MAX_ROWS {
        return Err(RightsError::BadList);
    }
    for (i, r) in rows.iter().enumerate() {
        if rows[..i].iter().any(|o| o.user_id == r.user_id) {
            return Err(RightsError::DuplicateSubject);
        }
        if r.add.is_empty() && r.remove.is_empty() && r.move_to.is_none() {
            return Err(RightsError::EmptyRow);
        }
        if r.add.iter().any(|a| r.remove.contains(a)) {
            return Err(RightsError::Contradiction);
        }
    }
    Ok(())
}

impl RightsState {
    /// Still waiting for a step (the head's or the administrator's).
    pub fn open(self) -> bool {
        matches!(self, RightsState::Requested | RightsState::Approved)
    }

    /// The state after the head's verdict.
    pub fn decide(self, v: Verdict) -> Result<RightsState, RightsError> {
        if self != RightsState::Requested {
            return Err(RightsError::WrongStage);
        }
        Ok(match v {
            Verdict::Approve => RightsState::Approved,
            Verdict::Refuse => RightsState::Declined,
        })
    }

    /// The state after the administrator applies (or refuses to apply) it.
    pub fn apply(self, v: Verdict) -> Result<RightsState, RightsError> {
        if self != RightsState::Approved {
            return Err(RightsError::WrongStage);
        }
        Ok(match v {
            Verdict::Approve => RightsState::Applied,
            Verdict::Refuse => RightsState::Rejected,
        })
    }

    /// The state once the asker withdraws: only before the head's verdict.
    pub fn withdraw(self) -> Result<RightsState, RightsError> {
        if self != RightsState::Requested {
            return Err(RightsError::WrongStage);
        }
        Ok(RightsState::Withdrawn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RightsState as S;

    #[test]
    fn a_request_is_approved_then_applied_or_refused_at_either_stage() {
        assert_eq!(S::Requested.decide(Verdict::Approve), Ok(S::Approved));
        assert_eq!(S::Requested.decide(Verdict::Refuse), Ok(S::Declined));
        assert_eq!(S::Approved.apply(Verdict::Approve), Ok(S::Applied));
        assert_eq!(S::Approved.apply(Verdict::Refuse), Ok(S::Rejected));
        assert_eq!(S::Requested.withdraw(), Ok(S::Withdrawn));
        for s in [S::Withdrawn, S::Approved, S::Declined, S::Applied, S::Rejected] {
            assert_eq!(s.decide(Verdict::Approve), Err(RightsError::WrongStage), "{s:?}");
            assert_eq!(s.withdraw(), Err(RightsError::WrongStage), "{s:?}");
        }
        for s in [S::Requested, S::Withdrawn, S::Declined, S::Applied, S::Rejected] {
            assert_eq!(s.apply(Verdict::Approve), Err(RightsError::WrongStage), "{s:?}");
        }
        let open: Vec<_> = S::ALL.iter().filter(|s| s.open()).collect();
        assert_eq!(open, [&S::Requested, &S::Approved]);
    }

    #[test]
    fn a_list_names_each_person_once_and_each_row_changes_something() {
        let r = |u, add: &[Role], remove: &[Role], mv| RowChange::new(u, add.to_vec(), remove.to_vec(), mv);
        assert_eq!(check_list(&[r(1, &[Role::Reviewer], &[], None)]), Ok(()));
        assert_eq!(check_list(&[]), Err(RightsError::BadList));
        let many: Vec<_> = (0..=MAX_ROWS as i64).map(|u| r(u, &[Role::Reviewer], &[], None)).collect();
        assert_eq!(check_list(&many), Err(RightsError::BadList));
        assert_eq!(
            check_list(&[r(1, &[Role::Reviewer], &[], None), r(1, &[], &[Role::Counter], None)]),
            Err(RightsError::DuplicateSubject)
        );
        assert_eq!(check_list(&[r(1, &[], &[], None)]), Err(RightsError::EmptyRow));
        assert_eq!(check_list(&[r(1, &[], &[], Some(3))]), Ok(()), "a move alone");
        assert_eq!(check_list(&[r(1, &[Role::Counter], &[Role::Counter], None)]), Err(RightsError::Contradiction));
    }

    #[test]
    fn a_row_fits_only_the_account_as_it_was_asked_for() {
        let held = [Role::Counter];
        let s = Subject { user_id: 4, kind: AccountKind::Staff, active: true, department_id: Some(2), roles: &held };
        let add = RowChange::new(4, vec![Role::Reviewer], vec![], None);
        assert_eq!(add.fits(&s, 2), Ok(()));
        assert_eq!(add.roles_after(&held), vec![Role::Counter, Role::Reviewer]);
        assert_eq!(add.fits(&Subject { active: false, ..s }, 2), Err(RightsError::SubjectInactive));
        assert_eq!(add.fits(&Subject { kind: AccountKind::Person, ..s }, 2), Err(RightsError::SubjectInactive));
        assert_eq!(add.fits(&s, 3), Err(RightsError::DepartmentChanged));
        let again = RowChange::new(4, vec![Role::Counter], vec![], None);
        assert_eq!(again.fits(&s, 2), Err(RightsError::RoleAlreadyHeld));
        let gone = RowChange::new(4, vec![], vec![Role::Reviewer], None);
        assert_eq!(gone.fits(&s, 2), Err(RightsError::RoleNotHeld));
        let none = RowChange::new(4, vec![], vec![Role::Counter], None);
        assert_eq!(none.fits(&s, 2), Err(RightsError::NoRoleLeft));
        let swap = RowChange::new(4, vec![Role::Reviewer], vec![Role::Counter], Some(3));
        assert_eq!(swap.fits(&s, 2), Ok(()));
        assert_eq!(swap.roles_after(&held), vec![Role::Reviewer]);
        let stay = RowChange::new(4, vec![], vec![], Some(2));
        assert_eq!(stay.fits(&s, 2), Err(RightsError::Contradiction));
        let codes: Vec<_> =
            [RightsError::NeedsRequest, RightsError::EmergencyOnlySystemAdmin].iter().map(|e| e.code()).collect();
        assert_eq!(codes, ["rights_change_needs_request", "rights_emergency_system_admin_only"]);
    }
}
