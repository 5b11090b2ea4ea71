//! 配置/维护需求: the departments (their administrators and heads) and the
//! supervision office submit requests; the service centre answers and
//! carries them out; a department reads its own, the centre, the
//! supervision office and the operators read all (the last two without
//! acting); nobody else
//! learns a request exists.

use super::{first_held, in_department, Refusal};
use crate::admin::{AccountKind, Actor, Role};

/// The plain facts of a request that the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestFacts {
    /// The requesting department.
    pub department_id: i64,
    /// Who submitted it.
    pub requester_id: i64,
}

/// The service centre: its administrators (政务服务中心管理员), and the
/// system administrators who keep the platform with them.
pub fn is_centre(actor: &Actor) -> bool {
    actor.is_staff() && (actor.has(Role::CenterAdmin) || actor.has(Role::SystemAdmin))
}

/// Who submits a request, for their own department: a department's
/// administrator or head, or a supervision officer (for the supervision
/// office). The role it is submitted in.
pub fn may_submit(actor: &Actor) -> Result<Role, Refusal> {
    super::staff_department(actor)?;
    first_held(actor, &[Role::DeptHead, Role::DeptAdmin, Role::Supervisor]).ok_or(Refusal::MissingRole)
}

/// Who reads a request: the staff of the requesting department, the
/// centre and the supervision office. Anyone else is answered "not found".
pub fn may_read(actor: &Actor, f: &RequestFacts) -> bool {
    in_department(actor, f.department_id) || reads_every_request(actor)
}

/// Who reads every request: the centre, the supervision office and the
/// operators (运维人员), who keep the installation the centre configures
/// (the last two act on none).
fn reads_every_request(actor: &Actor) -> bool {
    is_centre(actor) || (actor.is_staff() && actor.has(Role::Supervisor)) || super::operator::is_operator(actor)
}

/// Who answers (analyses, accepts or refuses) and closes a request: the
/// centre, never the person who submitted it (one who holds a department's
/// and the centre's roles does not answer their own). The requesting
/// department and the supervision office read it.
pub fn may_answer(actor: &Actor, f: &RequestFacts) -> Result<Role, Refusal> {
    if !may_read(actor, f) {
        return Err(Refusal::NotParty);
    }
    if let Some(r) = first_held(actor, &[Role::CenterAdmin, Role::SystemAdmin]) {
        return if actor.user_id == f.requester_id { Err(Refusal::OwnAccount) } else { Ok(r) };
    }
    Err(if actor.has(Role::Supervisor) { Refusal::SupervisionReadsOnly } else { Refusal::MissingRole })
}

/// Who makes a change under an accepted request (its number recorded with
/// the change): the centre, which carries the requests out.
pub fn may_carry_out(actor: &Actor) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    first_held(actor, &[Role::CenterAdmin, Role::SystemAdmin]).ok_or(Refusal::MissingRole)
}

/// Whose requests a list shows: every department's for the centre and the
/// supervision office (`None`), else the staff member's own department's.
pub fn list_scope(actor: &Actor) -> Result<Option<i64>, Refusal> {
    if reads_every_request(actor) {
        return Ok(None);
    }
    match super::acting_department(actor) {
        Some(d) if actor.is_staff() => Ok(Some(d)),
        _ => Err(Refusal::NotParty),
    }
}

/// The person a training or an examination is recorded for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QualificationSubject {
    pub user_id: i64,
    pub kind: AccountKind,
    pub department_id: Option<i64>,
}

/// Who records a training or an examination for `role` of `subject` (上岗资格):
/// the service centre for every staff member, a department's administrator
/// for the working roles of its own department's staff. Nobody records
/// their own. The role it is recorded in.
pub fn may_record_qualification(actor: &Actor, subject: &QualificationSubject, role: Role) -> Result<Role, Refusal> {
    let by = may_record_for(actor, subject)?;
    if by == Role::DeptAdmin && !super::staff::WORKING_ROLES.contains(&role) {
        return Err(Refusal::RoleGrantForbidden);
    }
    Ok(by)
}

/// [`may_record_qualification`] for some role of `subject`: asked before
/// the entry is read.
pub fn may_record_for(actor: &Actor, subject: &QualificationSubject) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if subject.kind != AccountKind::Staff {
        return Err(Refusal::NotParty);
    }
    if subject.user_id == actor.user_id {
        return Err(Refusal::OwnAccount);
    }
    if let Some(r) = first_held(actor, &[Role::CenterAdmin, Role::SystemAdmin]) {
        return Ok(r);
    }
    if actor.has(Role::DeptAdmin) {
        if !subject.department_id.is_some_and(|d| in_department(actor, d)) {
            return Err(Refusal::NotInDepartment);
        }
        return Ok(Role::DeptAdmin);
    }
    Err(if actor.has(Role::Supervisor) { Refusal::SupervisionReadsOnly } else { Refusal::MissingRole })
}

/// Whose qualifications a list shows: every department's for the centre,
/// the system administrator and the supervision office (`None`), its own
/// department's for a department administrator.
pub fn qualification_scope(actor: &Actor) -> Result<Option<i64>, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if is_centre(actor) || actor.has(Role::Supervisor) {
        return Ok(None);
    }
    match super::acting_department(actor) {
        Some(d) if actor.has(Role::DeptAdmin) => Ok(Some(d)),
        _ => Err(Refusal::MissingRole),
    }
}

/// Who reads a staff member's trainings and examinations: the person, and
/// whoever lists their department's.
pub fn may_read_qualifications(actor: &Actor, subject: &QualificationSubject) -> bool {
    if !actor.is_staff() || subject.kind != AccountKind::Staff {
        return false;
    }
    subject.user_id == actor.user_id
        || match qualification_scope(actor) {
            Ok(None) => true,
            Ok(Some(d)) => subject.department_id == Some(d),
            Err(_) => false,
        }
}

/// The plain facts of a deletion request (删除申请) that the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeletionFacts {
    /// Who entered the record and asked for its deletion.
    pub author_id: i64,
    /// The author's department when asking.
    pub department_id: i64,
    /// Who consents when no head of the department may (the author is its
    /// only head qualified today): as for rights requests,
    /// [`super::rights::stand_in`] — a head of the service centre, else the
    /// system administrator.
    pub stand_in: super::rights::StandIn,
    /// Who gave the consent or refusal, once given.
    pub consent_by: Option<i64>,
}

fn is_supervision(actor: &Actor) -> bool {
    actor.is_staff() && actor.has(Role::Supervisor)
}

/// Who asks for a record's deletion: only the staff member who entered it
/// (常州 003 第七条 "数据录入人"); a colleague of the record's department is
/// told so, anyone else does not learn the record exists. Whether the
/// record's state allows it is [`crate::governance::deletion::may_be_requested`].
pub fn may_request_deletion(actor: &Actor, record: &crate::governance::deletion::RecordFacts) -> Result<(), Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if record.author_id != Some(actor.user_id) {
        return Err(if in_department(actor, record.department_id) || is_supervision(actor) {
            Refusal::NotAuthor
        } else {
            Refusal::NotParty
        });
    }
    Ok(())
}

/// What a record's own page tells the reader about its deletion (its
/// offer): `Ok(None)` when they may ask, `Ok(Some(refusal))` when they see
/// the record but may not ask (a colleague of its department, the
/// supervision office: told why), `Err(NotParty)` when they may not learn
/// the record exists (another department's staff, an operator, the public),
/// as [`may_request_deletion`] answers the request itself.
pub fn deletion_offer(
    actor: &Actor,
    record: &crate::governance::deletion::RecordFacts,
) -> Result<Option<Refusal>, Refusal> {
    match may_request_deletion(actor, record) {
        Ok(()) => Ok(None),
        Err(Refusal::NotAuthor) => Ok(Some(Refusal::NotAuthor)),
        Err(_) => Err(Refusal::NotParty),
    }
}

/// Who reads a deletion request: its author, the heads of the author's
/// department and the supervision office. Anyone else is answered "not found".
pub fn may_read_deletion(actor: &Actor, f: &DeletionFacts) -> bool {
    actor.is_staff()
        && (actor.user_id == f.author_id
            || is_supervision(actor)
            || f.consent_by == Some(actor.user_id)
            || super::rights::is_stand_in(actor, f.stand_in)
            || (actor.has(Role::DeptHead) && in_department(actor, f.department_id)))
}

/// Who consents to (or refuses) a deletion: a head (部门负责人) of the
/// author's department, not the author; when no head may (the author is
/// its only head), who stands in ([`DeletionFacts::stand_in`]). The role
/// it is given in.
pub fn may_consent_deletion(actor: &Actor, f: &DeletionFacts) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    match department_head_consents(actor, f) {
        Err(_) if super::rights::is_stand_in(actor, f.stand_in) && actor.user_id != f.author_id => {
            Ok(if f.stand_in == super::rights::StandIn::SystemAdmin { Role::SystemAdmin } else { Role::DeptHead })
        }
        decided => decided,
    }
}

fn department_head_consents(actor: &Actor, f: &DeletionFacts) -> Result<Role, Refusal> {
    if !actor.has(Role::DeptHead) {
        return Err(Refusal::NeedsDeptHead);
    }
    if !in_department(actor, f.department_id) {
        return Err(Refusal::NotInDepartment);
    }
    if actor.user_id == f.author_id {
        return Err(Refusal::OwnRequest);
    }
    Ok(Role::DeptHead)
}

/// Who performs (or refuses) a consented deletion: the supervision office
/// (局监察室), never the author. The role it is done in.
pub fn may_perform_deletion(actor: &Actor, f: &DeletionFacts) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if !actor.has(Role::Supervisor) {
        return Err(Refusal::MissingRole);
    }
    if actor.user_id == f.author_id {
        return Err(Refusal::OwnRequest);
    }
    Ok(Role::Supervisor)
}

/// Who withdraws a deletion request: its author.
pub fn may_withdraw_deletion(actor: &Actor, f: &DeletionFacts) -> Result<(), Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if actor.user_id != f.author_id {
        return Err(Refusal::NotAuthor);
    }
    Ok(())
}

/// Whose deletion requests a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletionScope {
    /// Every request: the supervision office.
    All,
    /// The author's department's: its heads (and their own).
    Department(i64),
    /// One's own requests: every other staff member.
    Author(i64),
}

/// The deletion requests a staff member lists.
pub fn deletion_scope(actor: &Actor) -> Result<DeletionScope, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if is_supervision(actor) {
        return Ok(DeletionScope::All);
    }
    match super::acting_department(actor) {
        Some(d) if actor.has(Role::DeptHead) => Ok(DeletionScope::Department(d)),
        _ => Ok(DeletionScope::Author(actor.user_id)),
    }
}

/// Who acts on others' deletion requests (the heads and the supervision
/// office): their menu offers the list.
pub fn acts_on_deletions(actor: &Actor) -> bool {
    actor.is_staff() && (actor.has(Role::DeptHead) || actor.has(Role::Supervisor))
}

/// Who reads the archive of deleted records: the supervision office.
pub fn may_read_deletion_archive(actor: &Actor) -> Result<(), Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if !is_supervision(actor) {
        return Err(Refusal::MissingRole);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;

    const F: RequestFacts = RequestFacts { department_id: 2, requester_id: 99 };

    #[test]
    fn departments_and_supervision_submit_and_nobody_else() {
        assert_eq!(may_submit(&staff(1, 2, &[Role::DeptAdmin])), Ok(Role::DeptAdmin));
        assert_eq!(may_submit(&staff(2, 2, &[Role::DeptHead, Role::Reviewer])), Ok(Role::DeptHead));
        assert_eq!(may_submit(&staff(3, 9, &[Role::Supervisor])), Ok(Role::Supervisor));
        assert_eq!(may_submit(&staff(4, 2, &[Role::Counter])), Err(Refusal::MissingRole));
        assert_eq!(may_submit(&staff(5, 1, &[Role::CenterAdmin])), Err(Refusal::MissingRole));
        assert_eq!(may_submit(&person(7)), Err(Refusal::StaffOnly));
        // An operator is staff, whose role submits no department's request.
        assert_eq!(may_submit(&staff(8, 2, &[Role::Operator])), Err(Refusal::MissingRole));
    }

    #[test]
    fn the_centre_answers_supervision_reads_the_department_reads_its_own() {
        assert_eq!(may_answer(&staff(5, 1, &[Role::CenterAdmin]), &F), Ok(Role::CenterAdmin));
        assert_eq!(may_answer(&staff(6, 1, &[Role::SystemAdmin]), &F), Ok(Role::SystemAdmin));
        // Holding the centre's role and the requesting department's: not one's own request.
        let both = staff(99, 2, &[Role::CenterAdmin, Role::DeptAdmin]);
        assert_eq!(may_answer(&both, &F), Err(Refusal::OwnAccount));
        assert_eq!(may_answer(&both, &RequestFacts { requester_id: 98, ..F }), Ok(Role::CenterAdmin));
        assert!(may_read(&staff(3, 9, &[Role::Supervisor]), &F));
        assert_eq!(may_answer(&staff(3, 9, &[Role::Supervisor]), &F), Err(Refusal::SupervisionReadsOnly));
        // The requesting department reads its request and does not answer it.
        assert!(may_read(&staff(4, 2, &[Role::Counter]), &F));
        assert_eq!(may_answer(&staff(1, 2, &[Role::DeptAdmin]), &F), Err(Refusal::MissingRole));
        // Another department does not learn the request exists.
        assert!(!may_read(&staff(8, 3, &[Role::DeptHead]), &F));
        assert_eq!(may_answer(&staff(8, 3, &[Role::DeptHead]), &F), Err(Refusal::NotParty));
        assert!(!may_read(&person(7), &F));
        assert_eq!(may_answer(&person(7), &F), Err(Refusal::NotParty));
    }

    #[test]
    fn only_the_centre_carries_out_and_lists_are_scoped() {
        assert_eq!(may_carry_out(&staff(5, 1, &[Role::CenterAdmin])), Ok(Role::CenterAdmin));
        assert_eq!(may_carry_out(&staff(1, 2, &[Role::DeptAdmin])), Err(Refusal::MissingRole));
        assert_eq!(may_carry_out(&staff(3, 9, &[Role::Supervisor])), Err(Refusal::MissingRole));
        assert_eq!(may_carry_out(&person(7)), Err(Refusal::StaffOnly));
        assert_eq!(list_scope(&staff(5, 1, &[Role::CenterAdmin])), Ok(None));
        assert_eq!(list_scope(&staff(3, 9, &[Role::Supervisor])), Ok(None));
        assert_eq!(list_scope(&staff(4, 2, &[Role::Counter])), Ok(Some(2)));
        assert_eq!(list_scope(&person(7)), Err(Refusal::NotParty));
    }

    #[test]
    fn the_centre_records_qualifications_a_department_admin_its_own_working_roles() {
        let subject =
            |id, dept| QualificationSubject { user_id: id, kind: AccountKind::Staff, department_id: Some(dept) };
        let centre = staff(5, 1, &[Role::CenterAdmin]);
        assert_eq!(may_record_qualification(&centre, &subject(4, 2), Role::Counter), Ok(Role::CenterAdmin));
        assert_eq!(may_record_qualification(&centre, &subject(4, 2), Role::DeptAdmin), Ok(Role::CenterAdmin));
        assert_eq!(may_record_qualification(&centre, &subject(5, 1), Role::CenterAdmin), Err(Refusal::OwnAccount));
        let da = staff(1, 2, &[Role::DeptAdmin]);
        assert_eq!(may_record_qualification(&da, &subject(4, 2), Role::Reviewer), Ok(Role::DeptAdmin));
        assert_eq!(may_record_qualification(&da, &subject(8, 3), Role::Reviewer), Err(Refusal::NotInDepartment));
        assert_eq!(may_record_qualification(&da, &subject(9, 2), Role::DeptAdmin), Err(Refusal::RoleGrantForbidden));
        let sup = staff(3, 9, &[Role::Supervisor]);
        assert_eq!(may_record_qualification(&sup, &subject(4, 2), Role::Counter), Err(Refusal::SupervisionReadsOnly));
        let counter = staff(4, 2, &[Role::Counter]);
        assert_eq!(may_record_qualification(&counter, &subject(6, 2), Role::Counter), Err(Refusal::MissingRole));
        assert_eq!(may_record_qualification(&person(7), &subject(4, 2), Role::Counter), Err(Refusal::StaffOnly));
        // Reading: the person, the department's administrator, the centre and supervision.
        assert!(may_read_qualifications(&counter, &subject(4, 2)));
        assert!(!may_read_qualifications(&counter, &subject(6, 2)));
        assert!(may_read_qualifications(&da, &subject(6, 2)) && !may_read_qualifications(&da, &subject(8, 3)));
        assert!(may_read_qualifications(&sup, &subject(8, 3)) && may_read_qualifications(&centre, &subject(8, 3)));
        assert_eq!(qualification_scope(&da), Ok(Some(2)));
        assert_eq!(qualification_scope(&centre), Ok(None));
        assert_eq!(qualification_scope(&counter), Err(Refusal::MissingRole));
    }

    #[test]
    fn the_author_asks_the_head_of_their_department_consents_supervision_performs() {
        use crate::governance::deletion::{RecordFacts, RecordKind};
        let rec = RecordFacts { kind: RecordKind::CaseDraft, author_id: Some(4), department_id: 2, deletable: true };
        let author = staff(4, 2, &[Role::Counter]);
        let colleague = staff(5, 2, &[Role::Counter]);
        let head = staff(6, 2, &[Role::DeptHead]);
        let other_head = staff(7, 3, &[Role::DeptHead]);
        let sup = staff(8, 9, &[Role::Supervisor]);
        assert_eq!(may_request_deletion(&author, &rec), Ok(()));
        assert_eq!(may_request_deletion(&colleague, &rec), Err(Refusal::NotAuthor));
        assert_eq!(may_request_deletion(&head, &rec), Err(Refusal::NotAuthor));
        assert_eq!(may_request_deletion(&person(4), &rec), Err(Refusal::StaffOnly));
        assert_eq!(may_request_deletion(&other_head, &rec), Err(Refusal::NotParty), "another department's record");
        // The record's page: the author is offered it, a colleague told why not, anyone else "not found".
        assert_eq!(deletion_offer(&author, &rec), Ok(None));
        assert_eq!(deletion_offer(&colleague, &rec), Ok(Some(Refusal::NotAuthor)));
        assert_eq!(deletion_offer(&sup, &rec), Ok(Some(Refusal::NotAuthor)));
        assert_eq!(deletion_offer(&other_head, &rec), Err(Refusal::NotParty));
        assert_eq!(deletion_offer(&person(4), &rec), Err(Refusal::NotParty), "the public");
        let operator = staff(9, 5, &[Role::Operator]);
        assert_eq!(deletion_offer(&operator, &rec), Err(Refusal::NotParty), "an operator");
        let f = DeletionFacts { author_id: 4, department_id: 2, ..Default::default() };
        assert_eq!(may_consent_deletion(&head, &f), Ok(Role::DeptHead));
        assert_eq!(may_consent_deletion(&other_head, &f), Err(Refusal::NotInDepartment));
        assert_eq!(may_consent_deletion(&colleague, &f), Err(Refusal::NeedsDeptHead));
        assert_eq!(may_consent_deletion(&sup, &f), Err(Refusal::NeedsDeptHead));
        let own = DeletionFacts { author_id: 6, department_id: 2, ..Default::default() };
        assert_eq!(may_consent_deletion(&head, &own), Err(Refusal::OwnRequest), "no consent to one's own");
        // The author the department's only head: a head of the service centre stands in, else the
        // system administrator; nobody else, never the author.
        let centre_head = staff(10, 1, &[Role::DeptHead]);
        let sysadmin = staff(11, 1, &[Role::SystemAdmin]);
        let by_centre = DeletionFacts { stand_in: crate::access::rights::StandIn::CentreHead { centre: 1 }, ..own };
        assert_eq!(may_consent_deletion(&centre_head, &by_centre), Ok(Role::DeptHead));
        assert_eq!(may_consent_deletion(&sysadmin, &by_centre), Err(Refusal::NeedsDeptHead));
        assert_eq!(may_consent_deletion(&head, &by_centre), Err(Refusal::OwnRequest));
        assert!(may_read_deletion(&centre_head, &by_centre) && !may_read_deletion(&centre_head, &own));
        let by_admin = DeletionFacts { stand_in: crate::access::rights::StandIn::SystemAdmin, ..own };
        assert_eq!(may_consent_deletion(&sysadmin, &by_admin), Ok(Role::SystemAdmin));
        assert_eq!(may_consent_deletion(&centre_head, &by_admin), Err(Refusal::NotInDepartment));
        assert_eq!(may_consent_deletion(&other_head, &own), Err(Refusal::NotInDepartment));
        assert_eq!(may_perform_deletion(&sup, &f), Ok(Role::Supervisor));
        assert_eq!(may_perform_deletion(&head, &f), Err(Refusal::MissingRole));
        assert_eq!(
            may_perform_deletion(
                &staff(8, 9, &[Role::Supervisor]),
                &DeletionFacts { author_id: 8, department_id: 9, ..Default::default() }
            ),
            Err(Refusal::OwnRequest)
        );
        assert_eq!(may_withdraw_deletion(&author, &f), Ok(()));
        assert_eq!(may_withdraw_deletion(&head, &f), Err(Refusal::NotAuthor));
        for (a, can) in [(&author, true), (&head, true), (&sup, true), (&colleague, false), (&other_head, false)] {
            assert_eq!(may_read_deletion(a, &f), can, "{}", a.user_id);
        }
        assert_eq!(deletion_scope(&sup), Ok(DeletionScope::All));
        assert_eq!(deletion_scope(&head), Ok(DeletionScope::Department(2)));
        assert_eq!(deletion_scope(&author), Ok(DeletionScope::Author(4)));
        assert_eq!(deletion_scope(&person(1)), Err(Refusal::StaffOnly));
        assert_eq!(may_read_deletion_archive(&sup), Ok(()));
        assert_eq!(may_read_deletion_archive(&head), Err(Refusal::MissingRole));
    }
}
