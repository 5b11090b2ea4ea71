//! 好差评: who rates a case, who reads a rating, who follows a bad one up
//! and who decides an appeal.

use super::{in_department, is_overseer, require, Refusal};
use crate::admin::{Actor, Role};

/// How a rating is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatedBy {
    /// The applicant, signed in.
    Applicant,
    /// Staff of the rated department record what the applicant said (by
    /// phone, SMS, the hall's devices); the rating is the applicant's.
    Recorded(Role),
}

/// Rating case work of `case_department` for the applicant `applicant_user_id`
/// (a rating link opened from the counter's QR code needs no account).
pub fn may_rate(actor: &Actor, case_department: i64, applicant_user_id: Option<i64>) -> Result<RatedBy, Refusal> {
    if !actor.is_staff() {
        return require(applicant_user_id == Some(actor.user_id), Refusal::NotParty).map(|_| RatedBy::Applicant);
    }
    require(!actor.has(Role::Supervisor), Refusal::SupervisionReadsOnly)?;
    require(in_department(actor, case_department), Refusal::NotInDepartment)?;
    let role = actor.primary_role().ok_or(Refusal::MissingRole)?;
    Ok(RatedBy::Recorded(role))
}

/// The counter's rating link (QR code) for a case: its department's counter or reviewers.
pub fn may_make_link(actor: &Actor, case_department: i64) -> Result<Role, Refusal> {
    require(in_department(actor, case_department), Refusal::NotInDepartment)?;
    super::first_held(actor, &[Role::Counter, Role::Reviewer]).ok_or(Refusal::MissingRole)
}

/// Reads a rating: the department rated, the supervision bureau and global
/// administrators, the rater.
pub fn may_read(actor: &Actor, rated_department: i64, rater_user_id: Option<i64>) -> bool {
    is_overseer(actor)
        || in_department(actor, rated_department)
        || (!actor.is_staff() && rater_user_id == Some(actor.user_id))
}

/// A step of a bad rating's follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpStep {
    /// 回访 and 整改答复: the department rated.
    CallBack,
    Reply,
    /// 申诉 against a malicious or mistaken rating: the department's head or administrator.
    Appeal,
    /// The decision on an appeal: the supervision bureau.
    DecideAppeal,
}

pub fn may_follow_up(actor: &Actor, rated_department: i64, step: FollowUpStep) -> Result<(), Refusal> {
    let department_staff = in_department(actor, rated_department) && !actor.has(Role::Supervisor);
    match step {
        FollowUpStep::CallBack | FollowUpStep::Reply => require(department_staff, Refusal::NotInDepartment),
        FollowUpStep::Appeal => {
            require(department_staff, Refusal::NotInDepartment)?;
            require(actor.has(Role::DeptHead) || actor.has(Role::DeptAdmin), Refusal::MissingRole)
        }
        FollowUpStep::DecideAppeal => require(actor.is_staff() && actor.has(Role::Supervisor), Refusal::MissingRole),
    }
}

/// Whether `actor` takes some step of the follow-up of a rating of
/// `rated_department` (which one the form decides): asked before it is read.
pub fn may_follow_up_at_all(actor: &Actor, rated_department: i64) -> Result<(), Refusal> {
    may_follow_up(actor, rated_department, FollowUpStep::CallBack)
        .or_else(|_| may_follow_up(actor, rated_department, FollowUpStep::DecideAppeal))
}

/// Which ratings a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListScope {
    /// Those answered, for anyone.
    Public,
    Department,
    /// Appeals waiting for supervision.
    Appeals,
    All,
}

pub fn may_list(actor: Option<&Actor>, scope: ListScope) -> Result<(), Refusal> {
    match (scope, actor) {
        (ListScope::Public, _) => Ok(()),
        (_, None) => Err(Refusal::Forbidden),
        (ListScope::Department, Some(a)) => {
            require(a.is_staff() && super::acting_department(a).is_some(), Refusal::Forbidden)
        }
        (ListScope::Appeals, Some(a)) => require(a.is_staff() && a.has(Role::Supervisor), Refusal::Forbidden),
        (ListScope::All, Some(a)) => require(is_overseer(a), Refusal::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::{person, staff};

    #[test]
    fn ratings() {
        assert_eq!(may_rate(&person(100), 1, Some(100)), Ok(RatedBy::Applicant));
        assert_eq!(may_rate(&person(200), 1, Some(100)), Err(Refusal::NotParty));
        assert_eq!(may_rate(&staff(1, 1, &[Role::Counter]), 1, Some(100)), Ok(RatedBy::Recorded(Role::Counter)));
        assert_eq!(may_rate(&staff(1, 2, &[Role::Counter]), 1, Some(100)), Err(Refusal::NotInDepartment));
        assert_eq!(may_rate(&staff(1, 1, &[Role::Supervisor]), 1, None), Err(Refusal::SupervisionReadsOnly));
        assert_eq!(may_make_link(&staff(1, 1, &[Role::DeptHead]), 1), Err(Refusal::MissingRole));
        assert!(may_read(&person(100), 1, Some(100)) && !may_read(&person(200), 1, Some(100)));
        assert_eq!(may_follow_up(&staff(1, 1, &[Role::Counter]), 1, FollowUpStep::Reply), Ok(()));
        assert_eq!(may_follow_up(&staff(1, 1, &[Role::Counter]), 1, FollowUpStep::Appeal), Err(Refusal::MissingRole));
        assert_eq!(may_follow_up(&staff(1, 1, &[Role::DeptHead]), 1, FollowUpStep::Appeal), Ok(()));
        assert_eq!(
            may_follow_up(&staff(1, 1, &[Role::DeptHead]), 1, FollowUpStep::DecideAppeal),
            Err(Refusal::MissingRole)
        );
        assert_eq!(may_follow_up(&staff(1, 9, &[Role::Supervisor]), 1, FollowUpStep::DecideAppeal), Ok(()));
        assert_eq!(
            may_follow_up(&staff(1, 9, &[Role::Supervisor]), 1, FollowUpStep::Reply),
            Err(Refusal::NotInDepartment)
        );
        assert_eq!(may_list(None, ListScope::Public), Ok(()));
        assert_eq!(may_list(Some(&staff(1, 9, &[Role::CenterAdmin])), ListScope::Appeals), Err(Refusal::Forbidden));
    }
}
