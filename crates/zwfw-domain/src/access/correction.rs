//! 误操作更正: who asks for the correction of an action recorded on a case,
//! who consents, who carries it out, who reads the requests. The officer
//! who recorded the action (or a head of the case's department) asks; a
//! head of the case's department consents, never to their own request (when
//! no head of it may, the requester being its only head, who stands in as
//! for rights and deletion requests: [`super::rights::stand_in`]); the
//! service centre carries it out; the supervision office reads every
//! request and changes nothing.

use super::governance::{is_centre, DeletionScope};
use super::rights::{is_stand_in, StandIn};
use super::{first_held, in_department, Refusal};
use crate::admin::{Actor, Role};

/// The plain facts of a correction request that the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CorrectionFacts {
    /// The case's department.
    pub department_id: i64,
    /// Who asked for the correction.
    pub requester_id: i64,
    /// Who consents when no head of the department qualified today is free
    /// to (the requester is its only head): [`super::rights::stand_in`] — a
    /// head of the service centre, else the system administrator.
    pub stand_in: StandIn,
    /// Who gave the consent or refusal, once given.
    pub consent_by: Option<i64>,
}

fn is_supervision(actor: &Actor) -> bool {
    actor.is_staff() && actor.has(Role::Supervisor)
}

/// Who asks for the correction of an event of a case of `department_id`
/// recorded by `recorded_by`: that officer, or a head of the case's
/// department. A colleague is told so; the centre and supervision are told
/// they do not ask; anyone else does not learn the case exists.
pub fn may_request_correction(actor: &Actor, department_id: i64, recorded_by: Option<i64>) -> Result<(), Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if !in_department(actor, department_id) {
        return Err(if is_supervision(actor) {
            Refusal::SupervisionReadsOnly
        } else if is_centre(actor) {
            Refusal::NotInDepartment
        } else {
            Refusal::NotParty
        });
    }
    if recorded_by == Some(actor.user_id) || actor.has(Role::DeptHead) {
        Ok(())
    } else {
        Err(Refusal::NotAuthor)
    }
}

/// Who may ask for a correction on some case of `department_id` at all
/// (the case page offers the form): the department's staff.
/// Who is shown the form asking for a correction at all: staff, not the
/// supervision office (which reads corrections and asks for none).
pub fn may_open_request_form(actor: &Actor) -> Result<(), Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if is_supervision(actor) {
        return Err(Refusal::SupervisionReadsOnly);
    }
    Ok(())
}

pub fn may_ask_on_case(actor: &Actor, department_id: i64) -> bool {
    in_department(actor, department_id)
}

/// Who reads a correction request: who asked, the heads of the case's
/// department, who stands in for them (and, having consented or refused,
/// keeps reading it), the centre and the supervision office. Anyone else
/// is answered "not found".
pub fn may_read_correction(actor: &Actor, f: &CorrectionFacts) -> bool {
    actor.is_staff()
        && (actor.user_id == f.requester_id
            || is_centre(actor)
            || is_supervision(actor)
            || f.consent_by == Some(actor.user_id)
            || is_stand_in(actor, f.stand_in)
            || (actor.has(Role::DeptHead) && in_department(actor, f.department_id)))
}

/// Who may not read a request learns nothing of it from a step either: the
/// step's own refusal (`needs_dept_head`, `missing_role`, …) would tell
/// that it exists. Answered "not found" (`NotParty`).
fn readers_only(actor: &Actor, f: &CorrectionFacts) -> Result<(), Refusal> {
    if may_read_correction(actor, f) {
        Ok(())
    } else {
        Err(Refusal::NotParty)
    }
}

/// Who consents to (or refuses) a correction: a head of the case's
/// department, not the one who asked; when no head may (the requester is
/// its only head), who stands in ([`CorrectionFacts::stand_in`]), never on
/// their own request. The role it is given in. Who may not read the
/// request is answered "not found".
pub fn may_consent_correction(actor: &Actor, f: &CorrectionFacts) -> Result<Role, Refusal> {
    readers_only(actor, f)?;
    match department_head_consents(actor, f) {
        Err(_) if is_stand_in(actor, f.stand_in) => {
            if actor.user_id == f.requester_id {
                Err(Refusal::OwnRequest)
            } else {
                Ok(if f.stand_in == StandIn::SystemAdmin { Role::SystemAdmin } else { Role::DeptHead })
            }
        }
        decided => decided,
    }
}

fn department_head_consents(actor: &Actor, f: &CorrectionFacts) -> Result<Role, Refusal> {
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

/// Who carries out (or refuses) a consented correction: the service centre
/// (政务服务中心管理员, or a system administrator with them), never the one
/// who asked nor the one who consented (a system administrator standing in
/// for the heads: `OwnConsent`). The role it is done in. Who may not read
/// the request is answered "not found".
pub fn may_carry_out_correction(actor: &Actor, f: &CorrectionFacts) -> Result<Role, Refusal> {
    readers_only(actor, f)?;
    let Some(role) = first_held(actor, &[Role::CenterAdmin, Role::SystemAdmin]) else {
        return Err(if is_supervision(actor) { Refusal::SupervisionReadsOnly } else { Refusal::MissingRole });
    };
    if actor.user_id == f.requester_id {
        return Err(Refusal::OwnRequest);
    }
    if f.consent_by == Some(actor.user_id) {
        return Err(Refusal::OwnConsent);
    }
    Ok(role)
}

/// Who withdraws a correction request before consent: who asked. Who may
/// not read the request is answered "not found".
pub fn may_withdraw_correction(actor: &Actor, f: &CorrectionFacts) -> Result<(), Refusal> {
    readers_only(actor, f)?;
    if actor.user_id != f.requester_id {
        return Err(Refusal::NotAuthor);
    }
    Ok(())
}

/// The correction requests a staff member lists: every one for the centre
/// and the supervision office, their department's for a head, their own
/// for anyone else.
pub fn correction_scope(actor: &Actor) -> Result<DeletionScope, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if is_centre(actor) || is_supervision(actor) {
        return Ok(DeletionScope::All);
    }
    match actor.department_id {
        Some(d) if actor.has(Role::DeptHead) => Ok(DeletionScope::Department(d)),
        _ => Ok(DeletionScope::Author(actor.user_id)),
    }
}

/// Who acts on others' correction requests (heads, the centre) or watches
/// them (supervision): their menu offers the list.
pub fn acts_on_corrections(actor: &Actor) -> bool {
    actor.is_staff() && (actor.has(Role::DeptHead) || is_centre(actor) || is_supervision(actor))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;

    #[test]
    fn the_recorder_asks_the_head_consents_the_centre_carries_out() {
        let officer = staff(4, 2, &[Role::Reviewer]);
        let colleague = staff(5, 2, &[Role::Reviewer]);
        let head = staff(6, 2, &[Role::DeptHead]);
        let other_head = staff(7, 3, &[Role::DeptHead]);
        let sup = staff(8, 9, &[Role::Supervisor]);
        let centre = staff(10, 1, &[Role::CenterAdmin]);
        assert_eq!(may_request_correction(&officer, 2, Some(4)), Ok(()));
        assert_eq!(may_request_correction(&head, 2, Some(4)), Ok(()), "the head of the case's department");
        assert_eq!(may_request_correction(&colleague, 2, Some(4)), Err(Refusal::NotAuthor));
        assert_eq!(may_request_correction(&other_head, 2, Some(4)), Err(Refusal::NotParty));
        assert_eq!(may_request_correction(&sup, 2, Some(4)), Err(Refusal::SupervisionReadsOnly));
        assert_eq!(may_request_correction(&centre, 2, Some(4)), Err(Refusal::NotInDepartment));
        assert_eq!(may_request_correction(&person(4), 2, Some(4)), Err(Refusal::StaffOnly));
        let f = CorrectionFacts { department_id: 2, requester_id: 4, ..Default::default() };
        assert_eq!(may_consent_correction(&head, &f), Ok(Role::DeptHead));
        assert_eq!(may_consent_correction(&other_head, &f), Err(Refusal::NotParty), "who may not read it");
        assert_eq!(may_consent_correction(&colleague, &f), Err(Refusal::NotParty));
        assert_eq!(may_consent_correction(&centre, &f), Err(Refusal::NeedsDeptHead), "the centre reads it");
        assert_eq!(may_consent_correction(&person(4), &f), Err(Refusal::NotParty));
        let own = CorrectionFacts { department_id: 2, requester_id: 6, ..Default::default() };
        assert_eq!(may_consent_correction(&head, &own), Err(Refusal::OwnRequest));
        assert_eq!(may_carry_out_correction(&centre, &f), Ok(Role::CenterAdmin));
        assert_eq!(may_carry_out_correction(&head, &f), Err(Refusal::MissingRole));
        assert_eq!(may_carry_out_correction(&colleague, &f), Err(Refusal::NotParty));
        assert_eq!(may_carry_out_correction(&other_head, &f), Err(Refusal::NotParty));
        assert_eq!(may_withdraw_correction(&other_head, &f), Err(Refusal::NotParty));
        assert_eq!(may_carry_out_correction(&sup, &f), Err(Refusal::SupervisionReadsOnly));
        let centre_own = CorrectionFacts { department_id: 2, requester_id: 10, ..Default::default() };
        assert_eq!(may_carry_out_correction(&centre, &centre_own), Err(Refusal::OwnRequest));
        assert_eq!(may_withdraw_correction(&officer, &f), Ok(()));
        assert_eq!(may_withdraw_correction(&head, &f), Err(Refusal::NotAuthor));
        for (a, can) in [(&officer, true), (&head, true), (&sup, true), (&centre, true), (&colleague, false)] {
            assert_eq!(may_read_correction(a, &f), can, "{}", a.user_id);
        }
        assert!(!may_read_correction(&other_head, &f));
        assert_eq!(correction_scope(&sup), Ok(DeletionScope::All));
        assert_eq!(correction_scope(&centre), Ok(DeletionScope::All));
        assert_eq!(correction_scope(&head), Ok(DeletionScope::Department(2)));
        assert_eq!(correction_scope(&officer), Ok(DeletionScope::Author(4)));
        assert!(acts_on_corrections(&head) && acts_on_corrections(&centre) && !acts_on_corrections(&officer));
    }

    #[test]
    fn who_stands_in_consents_when_the_requester_is_the_only_head() {
        let head = staff(6, 2, &[Role::DeptHead]);
        let other_head = staff(7, 3, &[Role::DeptHead]);
        let centre_head = staff(11, 1, &[Role::DeptHead]);
        let centre = staff(10, 1, &[Role::CenterAdmin]);
        let sys = staff(12, 1, &[Role::SystemAdmin]);
        let sup = staff(8, 9, &[Role::Supervisor]);
        // The department's only head asked: a head of the centre (department 1) stands in.
        let by_centre = CorrectionFacts {
            department_id: 2,
            requester_id: 6,
            stand_in: StandIn::CentreHead { centre: 1 },
            ..Default::default()
        };
        assert_eq!(may_consent_correction(&centre_head, &by_centre), Ok(Role::DeptHead));
        assert!(may_read_correction(&centre_head, &by_centre), "she reads what she consents to");
        assert_eq!(may_consent_correction(&head, &by_centre), Err(Refusal::OwnRequest));
        assert_eq!(may_consent_correction(&other_head, &by_centre), Err(Refusal::NotParty));
        assert!(!may_read_correction(&other_head, &by_centre));
        assert_eq!(
            may_consent_correction(&sys, &by_centre),
            Err(Refusal::NeedsDeptHead),
            "not the system administrator"
        );
        assert_eq!(may_consent_correction(&centre, &by_centre), Err(Refusal::NeedsDeptHead));
        assert_eq!(may_consent_correction(&sup, &by_centre), Err(Refusal::NeedsDeptHead));
        // No head at the centre free to: the system administrator.
        let by_sys = CorrectionFacts { stand_in: StandIn::SystemAdmin, ..by_centre };
        assert_eq!(may_consent_correction(&sys, &by_sys), Ok(Role::SystemAdmin));
        assert_eq!(may_consent_correction(&centre_head, &by_sys), Err(Refusal::NotParty));
        // Never on their own request.
        let sys_own = CorrectionFacts { requester_id: 12, ..by_sys };
        assert_eq!(may_consent_correction(&sys, &sys_own), Err(Refusal::OwnRequest));
        let centre_own = CorrectionFacts { department_id: 1, requester_id: 11, ..by_centre };
        assert_eq!(may_consent_correction(&centre_head, &centre_own), Err(Refusal::OwnRequest));
        // With a head free to consent nobody stands in: the refusals stay as they were.
        let two = CorrectionFacts { stand_in: StandIn::None, ..by_centre };
        assert_eq!(may_consent_correction(&centre_head, &two), Err(Refusal::NotParty));
        assert_eq!(may_consent_correction(&sys, &two), Err(Refusal::NeedsDeptHead));
        assert!(!may_read_correction(&centre_head, &two));
        // Having consented or refused, she keeps reading it.
        let given = CorrectionFacts { consent_by: Some(11), ..two };
        assert!(may_read_correction(&centre_head, &given));
        // The system administrator who consented in the heads' stead does not carry it out.
        let consented = CorrectionFacts { consent_by: Some(12), stand_in: StandIn::None, ..by_sys };
        assert_eq!(may_carry_out_correction(&sys, &consented), Err(Refusal::OwnConsent));
        assert_eq!(may_carry_out_correction(&centre, &consented), Ok(Role::CenterAdmin));
    }
}
