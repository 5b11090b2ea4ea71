//! 故障: any staff member reports a fault; the service centre
//! administrators, the information office (the system administrators) and
//! the operators (运维人员) handle it (acknowledge, record the cause, clear it, print and send the
//! paper notice); the supervision bureau reads every fault and changes
//! nothing; a reporter reads the faults they reported.

use super::{first_held, Refusal};
use crate::admin::{Actor, Role};

/// Who reports a fault: any staff member.
pub fn may_report(actor: &Actor) -> Result<(), Refusal> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(Refusal::StaffOnly)
    }
}

/// Who handles a fault (acknowledges it, records its cause, clears it,
/// prints the paper notice and records its delivery): the service centre's
/// administrators, the information office (系统管理员) and the operators
/// (运维人员).
pub fn may_handle(actor: &Actor) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if let Some(r) = first_held(actor, &[Role::CenterAdmin, Role::SystemAdmin, Role::Operator]) {
        return Ok(r);
    }
    Err(if actor.has(Role::Supervisor) { Refusal::SupervisionReadsOnly } else { Refusal::MissingRole })
}

/// Who reads every fault (the list and each timeline): the handlers and
/// the supervision bureau.
pub fn may_read_all(actor: &Actor) -> bool {
    actor.is_staff() && (may_handle(actor).is_ok() || actor.has(Role::Supervisor))
}

/// Who reads one fault: those who read every fault, and its reporter.
pub fn may_read(actor: &Actor, reported_by: i64) -> bool {
    may_read_all(actor) || (actor.is_staff() && actor.user_id == reported_by)
}

/// The roles told of a new fault at once (in-app and by SMS).
pub const NOTIFIED: [Role; 3] = [Role::CenterAdmin, Role::SystemAdmin, Role::Operator];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;

    #[test]
    fn staff_report_the_centre_and_the_information_office_handle_supervision_reads() {
        assert_eq!(may_report(&staff(1, 2, &[Role::Counter])), Ok(()));
        assert_eq!(may_report(&person(7)), Err(Refusal::StaffOnly));
        assert_eq!(may_handle(&staff(2, 1, &[Role::CenterAdmin])), Ok(Role::CenterAdmin));
        assert_eq!(may_handle(&staff(3, 1, &[Role::SystemAdmin])), Ok(Role::SystemAdmin));
        assert_eq!(may_handle(&staff(6, 3, &[Role::Operator])), Ok(Role::Operator));
        assert!(may_read_all(&staff(6, 3, &[Role::Operator])));
        assert_eq!(may_handle(&staff(4, 9, &[Role::Supervisor])), Err(Refusal::SupervisionReadsOnly));
        assert_eq!(may_handle(&staff(5, 2, &[Role::DeptHead])), Err(Refusal::MissingRole));
        assert_eq!(may_handle(&person(7)), Err(Refusal::StaffOnly));
        assert!(may_read_all(&staff(4, 9, &[Role::Supervisor])));
        assert!(!may_read_all(&staff(5, 2, &[Role::DeptHead])));
        assert!(may_read(&staff(5, 2, &[Role::DeptHead]), 5), "the reporter reads their report");
        assert!(!may_read(&staff(5, 2, &[Role::DeptHead]), 6));
        assert!(!may_read(&person(7), 7));
    }
}
