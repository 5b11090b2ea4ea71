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
//!
//! Each office asks only for what is its own: a department the roles of a
//! department; the supervision office and the service centre their own
//! roles ([`may_ask_row`]). A move out of a department is asked by the
//! department left; a move into the service centre or the supervision
//! office by that office, the receiving office, which names another
//! department's staff, and its head decides it ([`moves_in`]). When no head
//! of the department may decide a request (its only head asked for it or
//! is changed by it), the 分管领导 above the department (常州 003 第九条)
//! is stood in for by a head of the service centre, and for the centre's
//! own requests by the system administrator ([`StandIn`]).
//!
//! A request that grants, takes away or changes the rights of an operator
//! (运维人员) is decided by the service centre — a 政务服务中心管理员 —,
//! not by a head of the department ([`RightsFacts::operator`],
//! [`super::operator`]).

use super::staff::{StaffAccount, StaffChange, WORKING_ROLES};
use super::{first_held, in_department, Refusal};
use crate::admin::{AccountKind, Actor, DepartmentKind, Role};
use crate::governance::rights::{RightsError, RowChange};

/// The plain facts of a request that the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RightsFacts {
    /// The department whose staff the request is for.
    pub department_id: i64,
    /// Who asked.
    pub requester_id: i64,
    /// Who decided it (the head's verdict), once decided.
    pub decided_by: Option<i64>,
    /// Who decides it when no head of the department may.
    pub stand_in: StandIn,
    /// A row grants or takes away the operator's role (运维人员), or names
    /// an operator ([`super::operator::concerns_operator`]): the service
    /// centre decides it.
    pub operator: bool,
    /// The department the staff of a request moving them into the service
    /// centre or the supervision office ([`moves_in`]) leave: its askers
    /// read the request (its heads are told), they do not decide it.
    pub source: Option<i64>,
}

/// Who decides a request that no head of its department may decide (each
/// asked for it or is changed by it): the 分管领导 above the department
/// (常州 003 第九条), stood in for by a head of the service centre, or,
/// for the centre's own requests (or when the centre has no head free to),
/// by the system administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StandIn {
    /// A head of the department decides.
    #[default]
    None,
    /// A head (部门负责人) of the service centre, department `centre`.
    CentreHead { centre: i64 },
    /// The system administrator.
    SystemAdmin,
}

/// Who decides a request of `department_id` asked by `requester_id` and
/// changing `named`: `heads` are the active heads of the department,
/// `centre` the service centre's department and its active heads.
pub fn stand_in(
    department_id: i64,
    requester_id: i64,
    named: &[i64],
    heads: &[i64],
    centre: Option<(i64, &[i64])>,
) -> StandIn {
    let free = |hs: &[i64]| hs.iter().any(|h| *h != requester_id && !named.contains(h));
    if free(heads) {
        return StandIn::None;
    }
    match centre {
        Some((c, centre_heads)) if c != department_id && free(centre_heads) => StandIn::CentreHead { centre: c },
        _ => StandIn::SystemAdmin,
    }
}

/// The roles a department's own askers ask to grant or take away: the
/// roles of a department (its working roles, its administrator, 法制审核)
/// and the operator's (运维人员, decided by the centre).
pub const DEPARTMENT_ROLES: [Role; 6] =
    [Role::Counter, Role::Reviewer, Role::DeptHead, Role::DeptAdmin, Role::LegalReview, Role::Operator];

/// The office one asks in: a member of the service centre asks as the
/// centre ([`Role::CenterAdmin`]) and one of the supervision office as
/// supervision ([`Role::Supervisor`]), whatever role they ask in (their
/// head as well); anyone else as the role they ask in (`asked_in`, from
/// [`may_ask`]), for their department. What may be asked follows the
/// office, not the asker's role.
pub fn asking_office(asked_in: Role, department: DepartmentKind) -> Role {
    match department {
        DepartmentKind::ServiceCenter => Role::CenterAdmin,
        DepartmentKind::Supervision => Role::Supervisor,
        _ => asked_in,
    }
}

/// The roles one asking in `asked_in` asks for: the supervision office its
/// officers and head, the service centre its administrators, head and
/// operators, a department the roles of a department. 系统管理员 is
/// nobody's to ask for.
pub fn askable_roles(asked_in: Role) -> &'static [Role] {
    match asked_in {
        Role::Supervisor => &[Role::Supervisor, Role::DeptHead],
        Role::CenterAdmin => &[Role::CenterAdmin, Role::DeptHead, Role::Operator],
        _ => &DEPARTMENT_ROLES,
    }
}

/// The office whose roles a department of `kind` holds: the service
/// centre's ([`Role::CenterAdmin`]), the supervision office's
/// ([`Role::Supervisor`]), or a department's ([`Role::DeptAdmin`], the
/// roles of a department). Its roles are [`askable_roles`].
pub fn office_of(kind: DepartmentKind) -> Role {
    match kind {
        DepartmentKind::ServiceCenter => Role::CenterAdmin,
        DepartmentKind::Supervision => Role::Supervisor,
        _ => Role::DeptAdmin,
    }
}

/// Whether one asking in `asked_in` asks for a move to a department of
/// `kind`: a move to a department that is neither the service centre nor
/// the supervision office is asked by the department the staff member
/// leaves (every office, for its own staff: a move out); a move into the
/// centre or the supervision office is asked by that office itself, the
/// receiving office, which names another department's staff
/// ([`moves_in`]).
pub fn may_move_to(asked_in: Role, kind: DepartmentKind) -> bool {
    match kind {
        DepartmentKind::ServiceCenter | DepartmentKind::Supervision => asked_in == office_of(kind),
        _ => true,
    }
}

/// Whether one asking in `asked_in` asks for a move of the staff of a
/// department of kind `from`: of the supervision office only the office
/// itself (the supervised office does not take the supervisor); of any
/// other department, as [`may_move_to`] and [`moves_in`] say.
pub fn may_move_staff_of(asked_in: Role, from: DepartmentKind) -> bool {
    from != DepartmentKind::Supervision || asked_in == Role::Supervisor
}

/// Whether a row may be asked by one asking in `asked_in`, for an account
/// holding `held` in a department of kind `from` (`to`: the kind of the
/// department it moves to). No row names a system administrator's account
/// (`rights_system_admin_named`: 系统管理员 is nobody's to ask for).
/// Without a move, every role added or taken away is one the office asks
/// for. With a move, the move is one the office asks for ([`may_move_to`]),
/// and a move of the supervision office's staff is asked by the supervision
/// office alone (the supervised office does not take the supervisor:
/// `rights_move_not_offered`); no role added or taken away is the
/// operator's (`rights_move_with_operator`: the move is the receiving
/// office's head's to decide, the operator's role the centre's; asked
/// apart); every role taken away is one of the office left ([`office_of`]
/// `from`), every role added one of the office joined, and every role kept
/// one the office joined asks for (no supervision officer outside the
/// supervision office, no centre administrator outside the centre:
/// `rights_role_left_behind`).
pub fn may_ask_row(
    asked_in: Role,
    row: &RowChange,
    held: &[Role],
    from: DepartmentKind,
    to: Option<DepartmentKind>,
) -> Result<(), RightsError> {
    if held.contains(&Role::SystemAdmin) {
        return Err(RightsError::SystemAdminNamed);
    }
    let Some(to) = to else {
        let roles = askable_roles(asked_in);
        if row.add.iter().chain(&row.remove).any(|r| !roles.contains(r)) {
            return Err(RightsError::RoleNotOffered);
        }
        return Ok(());
    };
    if !may_move_to(asked_in, to) || !may_move_staff_of(asked_in, from) {
        return Err(RightsError::MoveNotOffered);
    }
    if row.add.iter().chain(&row.remove).any(|r| *r == Role::Operator) {
        return Err(RightsError::MoveWithOperator);
    }
    let (leaving, joining) = (askable_roles(office_of(from)), askable_roles(office_of(to)));
    if row.remove.iter().any(|r| !leaving.contains(r)) || row.add.iter().any(|r| !joining.contains(r)) {
        return Err(RightsError::RoleNotOffered);
    }
    if row.roles_after(held).iter().any(|r| !joining.contains(r)) {
        return Err(RightsError::RoleLeftBehind);
    }
    Ok(())
}

/// Whether one asking in `asked_in` names staff of other departments at
/// all: the service centre and the supervision office, which take staff
/// in ([`moves_in`]; the centre's administrator also asks for the
/// operator's role of any department's staff, [`may_name_row`]).
pub fn names_elsewhere(asked_in: Role) -> bool {
    matches!(asked_in, Role::CenterAdmin | Role::Supervisor)
}

/// Whether `row` moves a staff member of another department into the
/// asker's own office: the service centre or the supervision office
/// (asking as itself) names them with `move_to` its own department.
pub fn moves_in(actor: &Actor, asked_in: Role, row: &RowChange) -> bool {
    names_elsewhere(asked_in) && row.move_to.is_some_and(|d| in_department(actor, d))
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
    if !actor.is_staff() || super::acting_department(actor).is_none() {
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

/// Whether the asker, asking in `asked_in` (their office,
/// [`asking_office`]), may name `subject` on `row`: a staff member of their
/// own department ([`may_name`]); and the service centre's administrator
/// (政务服务中心管理员) any department's staff on a row that only grants or
/// takes away the operator's role (运维人员, [`operator_only`]): the centre
/// decides such requests, and a department without an administrator or a
/// head (the information office of the operators) could not ask otherwise;
/// and the centre or the supervision office another department's staff
/// member on a row moving them into the office ([`moves_in`]): the
/// request is then the receiving office's, decided by its head.
pub fn may_name_row(actor: &Actor, asked_in: Role, subject: &Named, row: &RowChange) -> Result<(), Refusal> {
    match may_name(actor, subject) {
        Err(Refusal::NotInDepartment)
            if asked_in == Role::CenterAdmin && actor.has(Role::CenterAdmin) && operator_only(row) =>
        {
            Ok(())
        }
        Err(Refusal::NotInDepartment) if moves_in(actor, asked_in, row) => Ok(()),
        named => named,
    }
}

/// Whether a row only grants or takes away the operator's role (no move,
/// no other role).
pub fn operator_only(row: &RowChange) -> bool {
    row.move_to.is_none()
        && !(row.add.is_empty() && row.remove.is_empty())
        && row.add.iter().chain(&row.remove).all(|r| *r == Role::Operator)
}

/// Who reads a request: the asker, the heads and administrators of its
/// department (and of the department a move into the centre or the
/// supervision office takes its staff from), the supervision office and
/// the system administrator.
/// Anyone else is answered "not found".
pub fn may_read(actor: &Actor, f: &RightsFacts) -> bool {
    actor.is_staff()
        && (actor.user_id == f.requester_id
            || f.decided_by == Some(actor.user_id)
            || is_supervision(actor)
            || actor.has(Role::SystemAdmin)
            || stands_in(actor, f)
            || (f.operator && is_centre_admin(actor))
            || ([Some(f.department_id), f.source].iter().flatten().any(|d| in_department(actor, *d))
                && first_held(actor, &ASKERS).is_some()))
}

fn is_centre_admin(actor: &Actor) -> bool {
    actor.is_staff() && actor.has(Role::CenterAdmin)
}

/// Whether the actor is who stands in for the department's heads.
fn stands_in(actor: &Actor, f: &RightsFacts) -> bool {
    is_stand_in(actor, f.stand_in)
}

/// Whether the actor is `stand_in` (also for a deletion request's consent,
/// [`super::governance::may_consent_deletion`]).
pub fn is_stand_in(actor: &Actor, stand_in: StandIn) -> bool {
    match stand_in {
        StandIn::None => false,
        StandIn::CentreHead { centre } => actor.has(Role::DeptHead) && in_department(actor, centre),
        StandIn::SystemAdmin => actor.has(Role::SystemAdmin),
    }
}

/// Who approves or refuses a request: a head (部门负责人) of its
/// department, not the asker; when none may, who stands in
/// ([`StandIn`]). A request concerning an operator (运维人员): the service
/// centre — a 政务服务中心管理员, not the asker —, never a head
/// (`needs_centre`); when the centre has no administrator free to decide
/// it ([`operator_stand_in`]), the system administrator. The role it is
/// given in.
pub fn may_decide(actor: &Actor, f: &RightsFacts) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if f.operator {
        // The centre has no administrator free to decide it (the asker,
        // or changed by it): the system administrator stands in.
        let role = if is_centre_admin(actor) {
            Role::CenterAdmin
        } else if f.stand_in == StandIn::SystemAdmin && actor.has(Role::SystemAdmin) {
            Role::SystemAdmin
        } else {
            return Err(Refusal::NeedsCentre);
        };
        if actor.user_id == f.requester_id {
            return Err(Refusal::OwnRequest);
        }
        return Ok(role);
    }
    match department_head_decides(actor, f) {
        Err(_) if stands_in(actor, f) && actor.user_id != f.requester_id => {
            Ok(if f.stand_in == StandIn::SystemAdmin { Role::SystemAdmin } else { Role::DeptHead })
        }
        decided => decided,
    }
}

fn department_head_decides(actor: &Actor, f: &RightsFacts) -> Result<Role, Refusal> {
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

/// A row as its application reads it: the account now, and its
/// department and roles once applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowFacts<'a> {
    pub account: StaffAccount<'a>,
    pub department_id: i64,
    pub roles: &'a [Role],
}

/// Who applies the whole list: one who may apply the request
/// ([`may_apply`]) and may make every row's change
/// ([`super::staff::may_change_account`]). The role it is applied in.
pub fn may_apply_list(actor: &Actor, f: &RightsFacts, rows: &[RowFacts<'_>]) -> Result<Role, Refusal> {
    let role = may_apply(actor, f)?;
    for r in rows {
        let change = StaffChange::Edit { department_id: r.department_id, roles: r.roles };
        super::staff::may_change_account(actor, &r.account, change)?;
    }
    Ok(role)
}

/// Who applies a request, as its page says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applier {
    /// An administrator of the department (the department's administrator;
    /// the centre's administrator for the centre's staff), or the system
    /// administrator.
    Department,
    /// The system administrator only: a row moves someone to another
    /// department, or grants or takes away (or changes someone holding) a
    /// role other than the working roles.
    SystemAdmin,
}

/// Who applies the list: the department's administrators grant and take
/// away only the working roles, within the department.
pub fn applier(rows: &[RowFacts<'_>]) -> Applier {
    let within = rows.iter().all(|r| {
        r.account.department_id == Some(r.department_id)
            && r.account.roles.iter().chain(r.roles).all(|x| WORKING_ROLES.contains(x))
    });
    if within {
        Applier::Department
    } else {
        Applier::SystemAdmin
    }
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
    match super::acting_department(actor) {
        Some(d) if first_held(actor, &ASKERS).is_some() => Ok(Some(d)),
        _ => Err(Refusal::MissingRole),
    }
}

/// Who decides a request concerning an operator when no administrator of
/// the centre may (each asked for it or is changed by it; `centre_admins`:
/// the active ones): the system administrator.
pub fn operator_stand_in(requester_id: i64, named: &[i64], centre_admins: &[i64]) -> StandIn {
    if centre_admins.iter().any(|a| *a != requester_id && !named.contains(a)) {
        StandIn::None
    } else {
        StandIn::SystemAdmin
    }
}

/// Who lists, besides their own department's, every request concerning an
/// operator (运维人员): the centre's administrators, who decide them.
pub fn lists_operator_requests(actor: &Actor) -> bool {
    is_centre_admin(actor)
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

    const F: RightsFacts = RightsFacts {
        department_id: 2,
        requester_id: 1,
        decided_by: None,
        stand_in: StandIn::None,
        operator: false,
        source: None,
    };

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
    fn each_office_asks_only_for_its_own_roles_and_moves() {
        use DepartmentKind::{Approval, ServiceCenter, Supervision};
        let row = |add: &[Role], mv| RowChange::new(4, add.to_vec(), vec![], mv);
        let counter = [Role::Counter];
        for asker in [Role::DeptAdmin, Role::DeptHead] {
            let ask = |r: &RowChange, to| may_ask_row(asker, r, &counter, Approval, to);
            assert_eq!(ask(&row(&[Role::Reviewer, Role::LegalReview], None), None), Ok(()));
            for r in [Role::SystemAdmin, Role::Supervisor, Role::CenterAdmin] {
                assert_eq!(ask(&row(&[r], None), None), Err(RightsError::RoleNotOffered), "{r:?}");
            }
            let moved = row(&[], Some(3));
            assert_eq!(ask(&moved, Some(Approval)), Ok(()));
            // Into the centre or the supervision office: the receiving office asks.
            assert_eq!(ask(&moved, Some(Supervision)), Err(RightsError::MoveNotOffered));
            assert_eq!(ask(&moved, Some(ServiceCenter)), Err(RightsError::MoveNotOffered));
        }
        let ask = |asker, r: &RowChange, held: &[Role], from, to| may_ask_row(asker, r, held, from, to);
        let sup = [Role::Supervisor];
        assert_eq!(ask(Role::Supervisor, &row(&[Role::Supervisor], None), &counter, Supervision, None), Ok(()));
        assert_eq!(
            ask(Role::Supervisor, &row(&[Role::Counter], None), &sup, Supervision, None),
            Err(RightsError::RoleNotOffered)
        );
        // The centre's and supervision's heads ask as their office.
        for (kind, office) in [(ServiceCenter, Role::CenterAdmin), (Supervision, Role::Supervisor)] {
            let as_head = asking_office(Role::DeptHead, kind);
            assert_eq!(as_head, office);
            assert_eq!(office_of(kind), office);
            assert_eq!(ask(as_head, &row(&[Role::Counter], None), &sup, kind, None), Err(RightsError::RoleNotOffered));
            assert!(may_move_to(as_head, Approval), "a move out");
            assert!(may_move_to(as_head, kind) && !may_move_to(Role::DeptAdmin, kind), "a move in: the office's");
        }
        assert!(!may_move_to(Role::CenterAdmin, Supervision) && !may_move_to(Role::Supervisor, ServiceCenter));
        assert_eq!(asking_office(Role::DeptHead, Approval), Role::DeptHead);
        assert_eq!(ask(Role::CenterAdmin, &row(&[Role::CenterAdmin], None), &counter, ServiceCenter, None), Ok(()));
        assert_eq!(
            ask(Role::CenterAdmin, &row(&[Role::SystemAdmin], None), &counter, ServiceCenter, None),
            Err(RightsError::RoleNotOffered)
        );
        // Taking a role away is asked within the same bounds.
        let take = RowChange::new(4, vec![], vec![Role::SystemAdmin], None);
        assert_eq!(ask(Role::DeptAdmin, &take, &counter, Approval, None), Err(RightsError::RoleNotOffered));
    }

    #[test]
    fn a_move_out_of_or_into_the_centre_or_supervision_takes_the_roles_of_the_office_joined() {
        use DepartmentKind::{Approval, ServiceCenter, Supervision};
        let sup = [Role::Supervisor];
        let mv = |add: &[Role], remove: &[Role], to| RowChange::new(4, add.to_vec(), remove.to_vec(), Some(to));
        // Out of the supervision office: its roles taken away, a department's roles added.
        let out = mv(&[Role::Counter], &[Role::Supervisor], 3);
        assert_eq!(may_ask_row(Role::Supervisor, &out, &sup, Supervision, Some(Approval)), Ok(()));
        assert_eq!(
            may_ask_row(Role::Supervisor, &mv(&[Role::Counter], &[], 3), &sup, Supervision, Some(Approval)),
            Err(RightsError::RoleLeftBehind),
            "no supervision officer outside the office"
        );
        assert_eq!(
            may_ask_row(Role::Supervisor, &mv(&[Role::Supervisor], &[], 3), &[], Supervision, Some(Approval)),
            Err(RightsError::RoleNotOffered)
        );
        // Into the centre, asked by the centre: the department's roles taken away, the centre's added.
        let counter = [Role::Counter, Role::Reviewer];
        let into = mv(&[Role::CenterAdmin], &[Role::Counter, Role::Reviewer], 1);
        assert_eq!(may_ask_row(Role::CenterAdmin, &into, &counter, Approval, Some(ServiceCenter)), Ok(()));
        let kept = mv(&[Role::CenterAdmin], &[Role::Counter], 1);
        assert_eq!(
            may_ask_row(Role::CenterAdmin, &kept, &counter, Approval, Some(ServiceCenter)),
            Err(RightsError::RoleLeftBehind)
        );
        assert_eq!(
            may_ask_row(
                Role::CenterAdmin,
                &mv(&[Role::Supervisor], &[Role::Counter, Role::Reviewer], 1),
                &counter,
                Approval,
                Some(ServiceCenter)
            ),
            Err(RightsError::RoleNotOffered),
            "the roles of the office joined"
        );
        assert_eq!(
            may_ask_row(Role::Supervisor, &into, &counter, Approval, Some(ServiceCenter)),
            Err(RightsError::MoveNotOffered),
            "supervision does not ask for the centre"
        );
        // A system administrator's account is nobody's to ask for, moved or not.
        let sys = [Role::SystemAdmin, Role::Counter];
        assert_eq!(
            may_ask_row(Role::DeptAdmin, &mv(&[], &[], 3), &sys, Approval, Some(Approval)),
            Err(RightsError::SystemAdminNamed)
        );
        assert_eq!(
            may_ask_row(Role::CenterAdmin, &mv(&[Role::CenterAdmin], &[], 1), &sys, Approval, Some(ServiceCenter)),
            Err(RightsError::SystemAdminNamed)
        );
        assert_eq!(
            may_ask_row(Role::DeptAdmin, &RowChange::new(4, vec![Role::Reviewer], vec![], None), &sys, Approval, None),
            Err(RightsError::SystemAdminNamed)
        );
        // The supervised office does not take the supervisor: a move of the
        // supervision office's staff is the office's own to ask for.
        let take_officer = mv(&[Role::CenterAdmin], &[Role::Supervisor], 1);
        assert_eq!(
            may_ask_row(Role::CenterAdmin, &take_officer, &sup, Supervision, Some(ServiceCenter)),
            Err(RightsError::MoveNotOffered)
        );
        assert_eq!(may_ask_row(Role::Supervisor, &out, &sup, Supervision, Some(Approval)), Ok(()));
        // A move and the operator's role are asked apart.
        let with_op = mv(&[Role::CenterAdmin, Role::Operator], &[Role::Counter, Role::Reviewer], 1);
        assert_eq!(
            may_ask_row(Role::CenterAdmin, &with_op, &counter, Approval, Some(ServiceCenter)),
            Err(RightsError::MoveWithOperator)
        );
        let op_held = [Role::Counter, Role::Operator];
        assert_eq!(
            may_ask_row(Role::DeptAdmin, &mv(&[], &[Role::Operator], 3), &op_held, Approval, Some(Approval)),
            Err(RightsError::MoveWithOperator)
        );

        // The receiving office names another department's staff on a row moving them in, nothing else.
        let centre_admin = staff(20, 1, &[Role::CenterAdmin]);
        let officer = staff(30, 9, &[Role::Supervisor]);
        let clerk = Named { user_id: 4, kind: AccountKind::Staff, department_id: Some(2) };
        assert_eq!(may_name_row(&centre_admin, Role::CenterAdmin, &clerk, &into), Ok(()));
        assert!(moves_in(&centre_admin, Role::CenterAdmin, &into));
        let third = mv(&[Role::CenterAdmin], &[Role::Counter, Role::Reviewer], 3);
        assert_eq!(
            may_name_row(&centre_admin, Role::CenterAdmin, &clerk, &third),
            Err(Refusal::NotInDepartment),
            "a move to a third department"
        );
        assert_eq!(may_name_row(&officer, Role::Supervisor, &clerk, &into), Err(Refusal::NotInDepartment));
        assert_eq!(may_name_row(&officer, Role::Supervisor, &clerk, &mv(&[Role::Supervisor], &[], 9)), Ok(()));
        let market_admin = staff(23, 5, &[Role::DeptAdmin]);
        assert_eq!(
            may_name_row(&market_admin, Role::DeptAdmin, &clerk, &mv(&[], &[], 5)),
            Err(Refusal::NotInDepartment),
            "a department does not take another's staff"
        );

        // The request is the centre's: its head decides; the department left reads it, does not decide.
        let f = RightsFacts { department_id: 1, source: Some(2), ..F };
        let centre_head = staff(21, 1, &[Role::DeptHead]);
        let market_head = staff(6, 2, &[Role::DeptHead]);
        assert_eq!(may_decide(&centre_head, &f), Ok(Role::DeptHead));
        assert_eq!(may_decide(&market_head, &f), Err(Refusal::NotInDepartment));
        assert!(may_read(&market_head, &f) && may_read(&staff(7, 2, &[Role::DeptAdmin]), &f));
        assert!(!may_read(&staff(8, 2, &[Role::Counter]), &f) && !may_read(&staff(9, 3, &[Role::DeptHead]), &f));
    }

    #[test]
    fn the_list_decides_who_applies_it() {
        let da = staff(1, 2, &[Role::DeptAdmin]);
        let sys = staff(10, 5, &[Role::SystemAdmin]);
        let held = [Role::Counter];
        let acct = StaffAccount { user_id: 4, kind: AccountKind::Staff, department_id: Some(2), roles: &held };
        let working = [Role::Counter, Role::Reviewer];
        let legal = [Role::Counter, Role::LegalReview];
        let within = RowFacts { account: acct, department_id: 2, roles: &working };
        let beyond = RowFacts { account: acct, department_id: 2, roles: &legal };
        let moved = RowFacts { account: acct, department_id: 3, roles: &held };
        assert_eq!(applier(&[within]), Applier::Department);
        assert_eq!(may_apply_list(&da, &F, &[within]), Ok(Role::DeptAdmin));
        for rows in [[within, beyond], [within, moved]] {
            assert_eq!(applier(&rows), Applier::SystemAdmin);
            assert!(may_apply_list(&da, &F, &rows).is_err(), "not offered to the department administrator");
            assert_eq!(may_apply_list(&sys, &F, &rows), Ok(Role::SystemAdmin));
        }
    }

    #[test]
    fn a_request_no_head_of_the_department_may_decide_is_decided_by_who_stands_in() {
        // Department 2's only head (6) asked; the centre (department 7) has a head (11).
        assert_eq!(stand_in(2, 6, &[4], &[6], Some((7, &[11]))), StandIn::CentreHead { centre: 7 });
        assert_eq!(
            stand_in(2, 1, &[6], &[6], Some((7, &[11]))),
            StandIn::CentreHead { centre: 7 },
            "changing the head"
        );
        assert_eq!(stand_in(2, 6, &[4], &[6, 8], Some((7, &[11]))), StandIn::None, "another head decides");
        assert_eq!(stand_in(2, 6, &[4], &[6], Some((7, &[]))), StandIn::SystemAdmin, "the centre has no head");
        assert_eq!(stand_in(7, 11, &[4], &[11], Some((7, &[11]))), StandIn::SystemAdmin, "the centre's own");
        assert_eq!(stand_in(2, 6, &[4], &[6], None), StandIn::SystemAdmin);

        let head = staff(6, 2, &[Role::DeptHead]);
        let centre_head = staff(11, 7, &[Role::DeptHead]);
        let other_head = staff(12, 3, &[Role::DeptHead]);
        let sys = staff(10, 5, &[Role::SystemAdmin]);
        let own = RightsFacts { requester_id: 6, ..F };
        assert_eq!(may_decide(&centre_head, &own), Err(Refusal::NotInDepartment), "no stand-in needed");
        let by_centre = RightsFacts { stand_in: StandIn::CentreHead { centre: 7 }, ..own };
        assert_eq!(may_decide(&head, &by_centre), Err(Refusal::OwnRequest));
        assert_eq!(may_decide(&centre_head, &by_centre), Ok(Role::DeptHead));
        assert!(may_read(&centre_head, &by_centre) && !may_read(&centre_head, &own));
        assert_eq!(may_decide(&other_head, &by_centre), Err(Refusal::NotInDepartment));
        assert_eq!(may_decide(&sys, &by_centre), Err(Refusal::NeedsDeptHead));
        let by_sys = RightsFacts { stand_in: StandIn::SystemAdmin, ..own };
        assert_eq!(may_decide(&sys, &by_sys), Ok(Role::SystemAdmin));
        assert_eq!(may_decide(&centre_head, &by_sys), Err(Refusal::NotInDepartment));
        // Who decided reads it afterwards.
        assert!(may_read(&centre_head, &RightsFacts { decided_by: Some(11), ..own }));
    }

    #[test]
    fn the_service_centre_decides_an_operators_rights_never_a_department_head() {
        // The centre's administrator names any department's staff for the operator's role only.
        let centre_admin = staff(20, 1, &[Role::CenterAdmin]);
        let it_staff = Named { user_id: 21, kind: AccountKind::Staff, department_id: Some(7) };
        let op = |add: Vec<Role>, move_to| RowChange { user_id: 21, add, remove: vec![], move_to };
        assert_eq!(may_name_row(&centre_admin, Role::CenterAdmin, &it_staff, &op(vec![Role::Operator], None)), Ok(()));
        assert_eq!(
            may_name_row(&centre_admin, Role::CenterAdmin, &it_staff, &op(vec![Role::Operator, Role::Counter], None)),
            Err(Refusal::NotInDepartment)
        );
        assert_eq!(
            may_name_row(&centre_admin, Role::CenterAdmin, &it_staff, &op(vec![Role::Operator], Some(3))),
            Err(Refusal::NotInDepartment)
        );
        let centre_head = staff(22, 1, &[Role::DeptHead]);
        assert_eq!(
            may_name_row(&centre_head, Role::CenterAdmin, &it_staff, &op(vec![Role::Operator], None)),
            Err(Refusal::NotInDepartment)
        );
        let market_admin = staff(23, 2, &[Role::DeptAdmin]);
        assert_eq!(
            may_name_row(&market_admin, Role::DeptAdmin, &it_staff, &op(vec![Role::Operator], None)),
            Err(Refusal::NotInDepartment)
        );
        let ops = RightsFacts { operator: true, department_id: 3, ..F };
        let centre_admin = staff(11, 7, &[Role::CenterAdmin]);
        let head = staff(6, 3, &[Role::DeptHead]);
        let centre_head = staff(12, 7, &[Role::DeptHead]);
        let sys = staff(10, 5, &[Role::SystemAdmin]);
        let sup = staff(9, 9, &[Role::Supervisor]);
        assert_eq!(may_decide(&centre_admin, &ops), Ok(Role::CenterAdmin));
        for a in [&head, &centre_head, &sys, &sup, &staff(13, 3, &[Role::DeptAdmin])] {
            assert_eq!(may_decide(a, &ops), Err(Refusal::NeedsCentre), "{}", a.user_id);
        }
        // The centre's heads never stand in; the system administrator only
        // when the centre has no administrator free to decide it.
        let by_head = RightsFacts { stand_in: StandIn::CentreHead { centre: 7 }, ..ops };
        assert_eq!(may_decide(&centre_head, &by_head), Err(Refusal::NeedsCentre));
        let by_sys = RightsFacts { stand_in: StandIn::SystemAdmin, ..ops };
        assert_eq!(may_decide(&sys, &by_sys), Ok(Role::SystemAdmin));
        assert_eq!(may_decide(&head, &by_sys), Err(Refusal::NeedsCentre));
        assert_eq!(may_decide(&centre_admin, &RightsFacts { requester_id: 11, ..ops }), Err(Refusal::OwnRequest));
        assert_eq!(may_decide_naming(&centre_admin, &ops, &[11]), Err(Refusal::OwnAccount));
        assert!(may_read(&centre_admin, &ops) && !may_read(&centre_admin, &RightsFacts { department_id: 3, ..F }));
        assert_eq!(operator_stand_in(1, &[4], &[11]), StandIn::None);
        assert_eq!(operator_stand_in(11, &[4], &[11]), StandIn::SystemAdmin, "the centre's only administrator asked");
        assert_eq!(operator_stand_in(1, &[11], &[11]), StandIn::SystemAdmin, "and is changed by it");
        // The department asks for it; the centre for its own staff; supervision does not.
        let row = RowChange::new(4, vec![Role::Operator], vec![], None);
        let held = [Role::Counter];
        assert_eq!(may_ask_row(Role::DeptAdmin, &row, &held, DepartmentKind::Approval, None), Ok(()));
        assert_eq!(may_ask_row(Role::CenterAdmin, &row, &held, DepartmentKind::ServiceCenter, None), Ok(()));
        assert_eq!(
            may_ask_row(Role::Supervisor, &row, &held, DepartmentKind::Supervision, None),
            Err(RightsError::RoleNotOffered)
        );
        assert!(crate::access::operator::concerns_operator(&[Role::Counter, Role::Operator]));
        assert!(!crate::access::operator::concerns_operator(&[Role::Counter]));
        // An operator asks for nothing and decides nothing.
        let op = staff(14, 3, &[Role::Operator]);
        assert_eq!(may_ask(&op), Err(Refusal::StaffOnly), "acting for no department");
        assert_eq!(may_decide(&op, &ops), Err(Refusal::NeedsCentre));
        assert_eq!(may_decide(&op, &F), Err(Refusal::NeedsDeptHead));
        assert_eq!(list_scope(&op), Err(Refusal::MissingRole));
        // Applying stays the system administrator's (not a working role).
        let held = [Role::Counter];
        let acct = StaffAccount { user_id: 4, kind: AccountKind::Staff, department_id: Some(3), roles: &held };
        let with_op = [Role::Counter, Role::Operator];
        let rows = [RowFacts { account: acct, department_id: 3, roles: &with_op }];
        assert_eq!(applier(&rows), Applier::SystemAdmin);
        assert_eq!(may_apply_list(&sys, &ops, &rows), Ok(Role::SystemAdmin));
        assert!(may_apply_list(&staff(13, 3, &[Role::DeptAdmin]), &ops, &rows).is_err());
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
