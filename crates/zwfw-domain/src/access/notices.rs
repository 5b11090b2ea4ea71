//! 通知公告 and 政策文件: the service centre manages them, everyone reads
//! what is published.

use super::{first_held, Refusal};
use crate::admin::{Actor, Role};
use crate::notices::NoticeState;

/// Who writes, publishes and withdraws notices: the service centre's and
/// the system administrators, acting in that role.
pub fn may_manage(actor: &Actor) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    first_held(actor, &[Role::CenterAdmin, Role::SystemAdmin]).ok_or(Refusal::MissingRole)
}

/// Whether `actor` (or a visitor, `None`) reads a notice in `state`: the
/// public reads only what is published; the managers read everything.
pub fn may_read(actor: Option<&Actor>, state: NoticeState) -> bool {
    NoticeState::PUBLIC.contains(&state) || actor.is_some_and(|a| may_manage(a).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;

    #[test]
    fn only_the_centre_and_system_administrators_manage() {
        assert_eq!(may_manage(&staff(1, 1, &[Role::CenterAdmin])), Ok(Role::CenterAdmin));
        assert_eq!(may_manage(&staff(1, 1, &[Role::SystemAdmin])), Ok(Role::SystemAdmin));
        assert_eq!(may_manage(&staff(1, 1, &[Role::DeptAdmin])), Err(Refusal::MissingRole));
        assert_eq!(may_manage(&staff(1, 1, &[Role::Supervisor])), Err(Refusal::MissingRole));
        assert_eq!(may_manage(&person(9)), Err(Refusal::StaffOnly));
    }

    #[test]
    fn the_public_reads_only_published() {
        assert!(may_read(None, NoticeState::Published));
        assert!(!may_read(None, NoticeState::Draft));
        assert!(!may_read(Some(&person(9)), NoticeState::Withdrawn));
        assert!(!may_read(Some(&staff(1, 1, &[Role::Counter])), NoticeState::Draft));
        assert!(may_read(Some(&staff(1, 1, &[Role::CenterAdmin])), NoticeState::Draft));
    }
}
