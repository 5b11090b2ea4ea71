//! 双公示: the department that decided publishes its 行政许可 decisions;
//! the overseers read every department's list and publish nothing; the
//! published records are public and need no rule.

use super::{first_held, in_department, is_overseer, Refusal};
use crate::admin::{Actor, Role};

/// Who publishes (公示) a decision of `department_id`: its head, reviewers
/// or department administrator. The supervision bureau reads only.
pub fn may_publish(actor: &Actor, department_id: i64) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if !in_department(actor, department_id) {
        return Err(if actor.has(Role::Supervisor) {
            Refusal::SupervisionReadsOnly
        } else if is_overseer(actor) {
            Refusal::Forbidden
        } else if super::acting_department(actor).is_none() {
            Refusal::MissingRole
        } else {
            Refusal::NotInDepartment
        });
    }
    first_held(actor, &[Role::DeptHead, Role::Reviewer, Role::DeptAdmin]).ok_or(Refusal::MissingRole)
}

/// Whose records, published or not, a staff list shows: every department's
/// for the overseers (`None`), else the staff member's own department's.
pub fn list_scope(actor: &Actor) -> Result<Option<i64>, Refusal> {
    if is_overseer(actor) {
        return Ok(None);
    }
    super::staff_department(actor).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;

    #[test]
    fn the_deciding_department_publishes_and_the_others_do_not() {
        assert_eq!(may_publish(&staff(1, 2, &[Role::Reviewer]), 2), Ok(Role::Reviewer));
        assert_eq!(may_publish(&staff(1, 2, &[Role::DeptHead, Role::DeptAdmin]), 2), Ok(Role::DeptHead));
        assert_eq!(may_publish(&staff(1, 2, &[Role::Counter]), 2), Err(Refusal::MissingRole));
        assert_eq!(may_publish(&staff(1, 3, &[Role::DeptHead]), 2), Err(Refusal::NotInDepartment));
        assert_eq!(may_publish(&staff(5, 9, &[Role::Supervisor]), 2), Err(Refusal::SupervisionReadsOnly));
        assert_eq!(list_scope(&staff(5, 9, &[Role::Supervisor])), Ok(None));
        assert_eq!(list_scope(&staff(1, 2, &[Role::Counter])), Ok(Some(2)));
        // An operator is staff, whose role publishes and manages nothing.
        let op = staff(9, 2, &[Role::Operator]);
        assert_eq!(list_scope(&op), Err(Refusal::MissingRole));
        assert_eq!(may_publish(&op, 2), Err(Refusal::MissingRole));
        assert_eq!(list_scope(&person(7)), Err(Refusal::StaffOnly));
    }
}
