//! 审管交互: a pushed record is the regulator's to claim; the approving
//! department and the overseers read it; nobody else learns it exists.

use super::{first_held, in_department, is_overseer, Refusal};
use crate::admin::{Actor, Role};
use crate::handover::SanctionKind;

/// The plain facts of a pushed record that the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandoverFacts {
    /// The department that supervises the licensee (监管部门).
    pub regulator_department_id: i64,
    /// The department that decided (审批部门).
    pub source_department_id: i64,
}

/// Who reads a record: the regulator's staff, the approving department's
/// staff and the overseers. Anyone else is answered "not found".
pub fn may_read(actor: &Actor, f: &HandoverFacts) -> bool {
    in_department(actor, f.regulator_department_id)
        || in_department(actor, f.source_department_id)
        || is_overseer(actor)
}

/// Who claims (认领) a record: the regulator's counter, reviewers, head or
/// department administrator. The approving department and the supervision
/// bureau read it and claim nothing.
pub fn may_claim(actor: &Actor, f: &HandoverFacts) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if !in_department(actor, f.regulator_department_id) {
        return Err(if in_department(actor, f.source_department_id) {
            Refusal::NotInDepartment
        } else if actor.has(Role::Supervisor) {
            Refusal::SupervisionReadsOnly
        } else if is_overseer(actor) {
            Refusal::Forbidden
        } else {
            Refusal::NotParty
        });
    }
    first_held(actor, &[Role::DeptHead, Role::Reviewer, Role::Counter, Role::DeptAdmin]).ok_or(Refusal::MissingRole)
}

/// Whose records a list shows: every department's for the overseers
/// (`None`), else the staff member's own department's (as regulator, or as
/// the approving department with `pushed`).
pub fn list_scope(actor: &Actor) -> Result<Option<i64>, Refusal> {
    if is_overseer(actor) {
        return Ok(None);
    }
    super::staff_department(actor).map(Some)
}

/// Whether a page offers the claim form: the rule above holds.
pub fn offers_claim(actor: &Actor, f: &HandoverFacts, claimed: bool) -> bool {
    !claimed && may_claim(actor, f).is_ok()
}

/// Who records a decision flowing back (行政处罚, 责令改正, 吊销, 限制准入)
/// on a record's licensee: the staff of the regulator, who may claim it
/// (that it was claimed first is the use case's check). A 吊销 takes the
/// licence away and a 限制准入 bars the licensee from applying: those two
/// are entered only by the regulator's head or reviewers, never by its
/// counter or its administrator. The approving department and the
/// overseers read the decisions with the record; other departments do not
/// learn of them.
pub fn may_record_sanction(actor: &Actor, f: &HandoverFacts, kind: SanctionKind) -> Result<Role, Refusal> {
    may_claim(actor, f)?;
    let roles: &[Role] = match kind {
        SanctionKind::Revoke | SanctionKind::Restrict => &[Role::DeptHead, Role::Reviewer],
        SanctionKind::Penalty | SanctionKind::Rectify => &[Role::DeptHead, Role::Reviewer, Role::Counter],
    };
    first_held(actor, roles).ok_or(Refusal::MissingRole)
}

/// The decisions an actor may record on a record, in the list's order
/// (empty: the page offers no form).
pub fn sanctions_offered(actor: &Actor, f: &HandoverFacts) -> Vec<SanctionKind> {
    SanctionKind::ALL.iter().copied().filter(|k| may_record_sanction(actor, f, *k).is_ok()).collect()
}

/// Who is shown the 限制准入 in force on an applicant: the staff of the
/// department handling the case (the counter at acceptance first) and the
/// overseers; never the applicant.
pub fn sees_restrictions(actor: &Actor, case_department_id: i64) -> bool {
    in_department(actor, case_department_id) || is_overseer(actor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;

    const F: HandoverFacts = HandoverFacts { regulator_department_id: 2, source_department_id: 1 };

    #[test]
    fn the_regulator_claims_and_the_others_read_or_do_not_see() {
        assert_eq!(may_claim(&staff(1, 2, &[Role::Counter]), &F), Ok(Role::Counter));
        assert_eq!(may_claim(&staff(2, 2, &[Role::DeptHead, Role::Reviewer]), &F), Ok(Role::DeptHead));
        assert_eq!(may_claim(&staff(3, 2, &[Role::LegalReview]), &F), Err(Refusal::MissingRole));
        // The approving department reads its push but does not claim it.
        assert!(may_read(&staff(4, 1, &[Role::DeptHead]), &F));
        assert_eq!(may_claim(&staff(4, 1, &[Role::DeptHead]), &F), Err(Refusal::NotInDepartment));
        // The supervision bureau reads everything and claims nothing.
        assert!(may_read(&staff(5, 9, &[Role::Supervisor]), &F));
        assert_eq!(may_claim(&staff(5, 9, &[Role::Supervisor]), &F), Err(Refusal::SupervisionReadsOnly));
        // Another department does not learn the record exists.
        assert!(!may_read(&staff(6, 3, &[Role::DeptHead]), &F));
        assert_eq!(may_claim(&staff(6, 3, &[Role::DeptHead]), &F), Err(Refusal::NotParty));
        assert_eq!(may_claim(&person(7), &F), Err(Refusal::StaffOnly));
        assert!(!may_read(&person(7), &F));
        assert!(offers_claim(&staff(1, 2, &[Role::Counter]), &F, false));
        assert!(!offers_claim(&staff(1, 2, &[Role::Counter]), &F, true));
    }

    #[test]
    fn only_the_regulator_records_decisions_and_the_case_department_sees_restrictions() {
        use SanctionKind::*;
        let rec = |a: &Actor, k| may_record_sanction(a, &F, k);
        assert_eq!(rec(&staff(1, 2, &[Role::Reviewer]), Revoke), Ok(Role::Reviewer));
        assert_eq!(rec(&staff(2, 2, &[Role::DeptHead]), Restrict), Ok(Role::DeptHead));
        // The counter enters penalties and orders, not a 吊销 or a 限制准入.
        assert_eq!(rec(&staff(3, 2, &[Role::Counter]), Penalty), Ok(Role::Counter));
        assert_eq!(rec(&staff(3, 2, &[Role::Counter]), Rectify), Ok(Role::Counter));
        assert_eq!(rec(&staff(3, 2, &[Role::Counter]), Revoke), Err(Refusal::MissingRole));
        assert_eq!(rec(&staff(3, 2, &[Role::Counter]), Restrict), Err(Refusal::MissingRole));
        assert_eq!(sanctions_offered(&staff(3, 2, &[Role::Counter]), &F), vec![Penalty, Rectify]);
        assert_eq!(sanctions_offered(&staff(1, 2, &[Role::Reviewer]), &F), SanctionKind::ALL.to_vec());
        // The department administrator claims but records no decision.
        assert_eq!(rec(&staff(8, 2, &[Role::DeptAdmin]), Penalty), Err(Refusal::MissingRole));
        assert!(sanctions_offered(&staff(8, 2, &[Role::DeptAdmin]), &F).is_empty());
        assert_eq!(rec(&staff(4, 1, &[Role::DeptHead]), Penalty), Err(Refusal::NotInDepartment));
        assert_eq!(rec(&staff(5, 9, &[Role::Supervisor]), Penalty), Err(Refusal::SupervisionReadsOnly));
        assert_eq!(rec(&staff(6, 3, &[Role::DeptHead]), Revoke), Err(Refusal::NotParty));
        assert_eq!(rec(&person(7), Penalty), Err(Refusal::StaffOnly));
        assert!(sees_restrictions(&staff(1, 1, &[Role::Counter]), 1));
        assert!(sees_restrictions(&staff(5, 9, &[Role::Supervisor]), 1));
        assert!(!sees_restrictions(&staff(6, 3, &[Role::Counter]), 1));
        assert!(!sees_restrictions(&person(7), 1));
    }

    #[test]
    fn lists_are_the_departments_own_or_everything_for_overseers() {
        assert_eq!(list_scope(&staff(1, 2, &[Role::Counter])), Ok(Some(2)));
        assert_eq!(list_scope(&staff(5, 9, &[Role::Supervisor])), Ok(None));
        assert_eq!(list_scope(&person(7)), Err(Refusal::StaffOnly));
        // An operator is staff, whose role handles no push.
        assert_eq!(list_scope(&staff(9, 2, &[Role::Operator])), Err(Refusal::MissingRole));
    }
}
