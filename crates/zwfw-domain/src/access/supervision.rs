//! Electronic supervision (电子监察) and performance evaluation: the
//! supervision bureau sets the rules, runs the evaluation, decides findings
//! and issues oversight orders; departments read and answer their own.

use super::{is_overseer, require, Refusal};
use crate::admin::{Actor, Role};
use crate::supervision::{FindingAction, OrderAction};

/// A supervision officer (监察人员).
pub fn is_supervisor(actor: &Actor) -> bool {
    actor.is_staff() && actor.has(Role::Supervisor)
}

/// Changing a rule, running an evaluation, recording a conduct finding,
/// issuing an oversight order, changing the evaluation's weights,
/// publishing a ranking: supervision officers.
pub fn may_supervise(actor: &Actor) -> Result<(), Refusal> {
    require(is_supervisor(actor), Refusal::MissingRole)
}

/// Reading the rules: every staff member.
pub fn may_read_rules(actor: &Actor) -> bool {
    actor.is_staff()
}

/// The dashboard, the evaluation and its rankings before publication:
/// supervision and global administrators.
pub fn may_read_overview(actor: &Actor) -> bool {
    is_overseer(actor)
}

/// Reads a finding or an order about `department_id` (none: about nobody
/// in particular): supervision and global administrators all, staff their
/// department's.
pub fn may_read_about(actor: &Actor, department_id: Option<i64>) -> bool {
    is_overseer(actor)
        || (actor.is_staff() && department_id.is_some() && super::acting_department(actor) == department_id)
}

/// Which findings or orders a list shows: `Ok(None)` all (optionally
/// narrowed by the caller), `Ok(Some(d))` department `d`'s only.
pub fn list_scope(actor: &Actor) -> Result<Option<i64>, Refusal> {
    require(actor.is_staff(), Refusal::Forbidden)?;
    if is_overseer(actor) {
        Ok(None)
    } else {
        super::acting_department(actor).map(Some).ok_or(Refusal::Forbidden)
    }
}

/// The facts about a finding that access depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingFacts {
    pub department_id: Option<i64>,
    /// The person the finding names as responsible.
    pub responsible_user_id: Option<i64>,
}

/// A finding's actions: the reply (整改回复) by the department's head or the
/// person named responsible; accepting, rejecting and closing by
/// supervision officers.
pub fn may_act_on_finding(actor: &Actor, f: &FindingFacts, action: FindingAction) -> Result<(), Refusal> {
    match action {
        FindingAction::Reply => {
            let dept =
                actor.is_staff() && f.department_id.is_some() && super::acting_department(actor) == f.department_id;
            require(dept, Refusal::NotInDepartment)?;
            require(actor.has(Role::DeptHead) || f.responsible_user_id == Some(actor.user_id), Refusal::MissingRole)
        }
        FindingAction::Accept | FindingAction::Reject | FindingAction::Close => may_supervise(actor),
    }
}

/// Whether `actor` takes some action on the finding (which one the action
/// sent decides, with [`may_act_on_finding`]): asked before the form is read.
pub fn may_act_on_finding_at_all(actor: &Actor, f: &FindingFacts) -> Result<(), Refusal> {
    may_act_on_finding(actor, f, FindingAction::Accept).or_else(|_| may_act_on_finding(actor, f, FindingAction::Reply))
}

/// Issuing an oversight order on a finding: supervision officers, for a
/// finding that names a department.
pub fn may_order_on_finding(actor: &Actor, f: &FindingFacts) -> Result<(), Refusal> {
    may_supervise(actor)?;
    require(f.department_id.is_some(), Refusal::Forbidden)
}

/// An oversight order's actions: the answer by the head of the department
/// it is issued to; accepting or rejecting the answer by supervision officers.
pub fn may_act_on_order(actor: &Actor, order_department: i64, action: OrderAction) -> Result<(), Refusal> {
    match action {
        OrderAction::Answer => {
            require(
                actor.is_staff() && super::acting_department(actor) == Some(order_department),
                Refusal::NotInDepartment,
            )?;
            require(actor.has(Role::DeptHead), Refusal::NeedsDeptHead)
        }
        OrderAction::Accept | OrderAction::Reject => may_supervise(actor),
    }
}

/// Whether `actor` takes some action on an order to `order_department`
/// (see [`may_act_on_order`]): asked before the form is read.
pub fn may_act_on_order_at_all(actor: &Actor, order_department: i64) -> Result<(), Refusal> {
    may_act_on_order(actor, order_department, OrderAction::Accept)
        .or_else(|_| may_act_on_order(actor, order_department, OrderAction::Answer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::{person, staff};

    #[test]
    fn findings_and_orders() {
        let sup = staff(1, 9, &[Role::Supervisor]);
        let head = staff(2, 1, &[Role::DeptHead]);
        let clerk = staff(3, 1, &[Role::Reviewer]);
        let f = FindingFacts { department_id: Some(1), responsible_user_id: Some(3) };
        assert_eq!(may_act_on_finding(&head, &f, FindingAction::Reply), Ok(()));
        assert_eq!(may_act_on_finding(&clerk, &f, FindingAction::Reply), Ok(()), "the person named responsible");
        assert_eq!(
            may_act_on_finding(&staff(4, 1, &[Role::Reviewer]), &f, FindingAction::Reply),
            Err(Refusal::MissingRole)
        );
        assert_eq!(may_act_on_finding(&sup, &f, FindingAction::Reply), Err(Refusal::NotInDepartment));
        assert_eq!(may_act_on_finding(&sup, &f, FindingAction::Close), Ok(()));
        assert_eq!(may_act_on_finding(&head, &f, FindingAction::Accept), Err(Refusal::MissingRole));
        assert_eq!(
            may_order_on_finding(&sup, &FindingFacts { department_id: None, responsible_user_id: None }),
            Err(Refusal::Forbidden)
        );
        assert_eq!(may_act_on_order(&head, 1, OrderAction::Answer), Ok(()));
        assert_eq!(may_act_on_order(&clerk, 1, OrderAction::Answer), Err(Refusal::NeedsDeptHead));
        assert_eq!(
            may_act_on_order(&staff(5, 2, &[Role::DeptHead]), 1, OrderAction::Answer),
            Err(Refusal::NotInDepartment)
        );
        assert_eq!(may_act_on_order(&sup, 1, OrderAction::Reject), Ok(()));
        assert!(may_read_about(&clerk, Some(1)) && !may_read_about(&clerk, Some(2)) && !may_read_about(&clerk, None));
        assert!(may_read_about(&staff(6, 5, &[Role::CenterAdmin]), Some(2)));
        assert_eq!(list_scope(&clerk), Ok(Some(1)));
        assert_eq!(list_scope(&sup), Ok(None));
        assert_eq!(list_scope(&person(7)), Err(Refusal::Forbidden));
        assert!(may_read_overview(&sup) && !may_read_overview(&head));
        assert!(may_read_rules(&clerk) && !may_read_rules(&person(7)));
        assert_eq!(may_supervise(&staff(6, 5, &[Role::CenterAdmin])), Err(Refusal::MissingRole));
    }
}
