//! Items (事项) and the governance of their changes: the implementing
//! department writes, legal review checks, the service centre approves and
//! publishes (常州 第八条: every item change with reason, approval, record).

use super::{in_department, require, Refusal};
use crate::admin::{Actor, Role};
use crate::catalog::{GovernanceAction, VersionState};

/// Whether `actor` may act for the implementing department `department_id`
/// on its items (create, edit a draft, submit, withdraw a draft, open a new
/// version, import): its department administrator, or a global administrator.
pub fn may_author(actor: &Actor, department_id: i64) -> bool {
    actor.is_staff() && (actor.is_global_admin() || (actor.has(Role::DeptAdmin) && in_department(actor, department_id)))
}

/// Whether `actor` reads every item, drafts included (service centre, legal
/// review, supervision); other staff read their own department's.
pub fn sees_all_items(actor: &Actor) -> bool {
    actor.is_staff() && (actor.is_global_admin() || actor.has(Role::LegalReview) || actor.has(Role::Supervisor))
}

/// Whether `actor` reads an item that is not published (its versions in the
/// flow): its department's staff and those who see all items.
pub fn may_read_drafts(actor: &Actor, department_id: i64) -> bool {
    sees_all_items(actor) || in_department(actor, department_id)
}

/// Which items a staff list shows: `Ok(None)` all, `Ok(Some(d))` department `d`'s.
pub fn item_list_scope(actor: &Actor) -> Result<Option<i64>, Refusal> {
    require(actor.is_staff(), Refusal::Forbidden)?;
    if sees_all_items(actor) {
        Ok(None)
    } else {
        super::acting_department(actor).map(Some).ok_or(Refusal::Forbidden)
    }
}

/// Who takes a governance action on a version of an item of department
/// `department_id` in state `state` (the state itself is checked by
/// [`crate::catalog::transition`]).
pub fn may_govern(
    actor: &Actor,
    action: GovernanceAction,
    state: VersionState,
    department_id: i64,
) -> Result<(), Refusal> {
    use GovernanceAction::*;
    let centre = || actor.is_staff() && (actor.has(Role::CenterAdmin) || actor.has(Role::SystemAdmin));
    let legal = || actor.is_staff() && actor.has(Role::LegalReview);
    let ok = match action {
        Edit | Submit | Withdraw => may_author(actor, department_id),
        PassLegalReview => legal(),
        Approve => centre(),
        SendBack => match state {
            VersionState::LegalReview => legal(),
            _ => centre(),
        },
    };
    require(ok, Refusal::MissingRole)
}

/// Retiring an item: the service centre.
pub fn may_retire(actor: &Actor) -> bool {
    actor.is_staff() && (actor.has(Role::CenterAdmin) || actor.has(Role::SystemAdmin))
}

/// Whether `actor` takes any step at all on the items of department
/// `department_id` (a draft's edit or submission, a review, the approval,
/// a new version, the retirement): asked before a change's body is read,
/// each step then deciding with its own rule above.
pub fn may_change_items(actor: &Actor, department_id: i64) -> bool {
    use GovernanceAction::*;
    may_retire(actor)
        || [Edit, PassLegalReview, Approve]
            .into_iter()
            .any(|a| may_govern(actor, a, VersionState::LegalReview, department_id).is_ok())
}

/// Whether `actor` may author for some department (each item is then
/// checked with [`may_author`]): creating an item, importing a workbook.
pub fn may_author_somewhere(actor: &Actor) -> bool {
    actor.is_staff() && (actor.is_global_admin() || actor.has(Role::DeptAdmin))
}

/// Importing items from a workbook: those who may author for some
/// department (each row is then checked with [`may_author`]).
pub fn may_import(actor: &Actor) -> bool {
    may_author_somewhere(actor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::{person, staff};

    #[test]
    fn governance_roles() {
        let da = staff(1, 1, &[Role::DeptAdmin]);
        let legal = staff(2, 6, &[Role::LegalReview]);
        let centre = staff(3, 5, &[Role::CenterAdmin]);
        use GovernanceAction::*;
        use VersionState as S;
        assert_eq!(may_govern(&da, Submit, S::Draft, 1), Ok(()));
        assert_eq!(may_govern(&da, Submit, S::Draft, 2), Err(Refusal::MissingRole));
        assert_eq!(may_govern(&da, PassLegalReview, S::LegalReview, 1), Err(Refusal::MissingRole));
        assert_eq!(may_govern(&legal, PassLegalReview, S::LegalReview, 1), Ok(()));
        assert_eq!(may_govern(&legal, SendBack, S::LegalReview, 1), Ok(()));
        assert_eq!(may_govern(&legal, SendBack, S::CenterApproval, 1), Err(Refusal::MissingRole));
        assert_eq!(may_govern(&centre, Approve, S::CenterApproval, 1), Ok(()));
        assert_eq!(may_govern(&centre, Edit, S::Draft, 1), Ok(()), "the centre acts for any department");
        assert!(may_read_drafts(&legal, 1) && may_read_drafts(&staff(4, 1, &[Role::Counter]), 1));
        assert!(!may_read_drafts(&staff(4, 2, &[Role::Counter]), 1) && !may_read_drafts(&person(5), 1));
        assert_eq!(item_list_scope(&staff(4, 2, &[Role::Counter])), Ok(Some(2)));
        assert_eq!(item_list_scope(&staff(7, 9, &[Role::Supervisor])), Ok(None));
        assert!(may_retire(&centre) && !may_retire(&da));
        assert!(may_import(&da) && !may_import(&legal));
    }
}
