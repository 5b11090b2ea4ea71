//! 咨询/建议/投诉/纠错: who reads a submission (and how much of it), who
//! handles it, who names a department's handlers and sets the deadlines.

use super::{in_department, is_overseer, require, Refusal};
use crate::admin::{Actor, DepartmentKind, Role};
use serde::Serialize;

/// The facts about a submission that access depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InteractionFacts<'a> {
    /// The department handling it now.
    pub department_id: i64,
    /// The submitter's account (none for an anonymous or signed-out submission).
    pub submitter_user_id: Option<i64>,
    /// The departments that handled it before a transfer.
    pub former_departments: &'a [i64],
}

/// How a reader sees a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reader {
    /// Anyone: the published answer only, with the submitter masked.
    Public,
    /// The submitter (signed in, or by number and query password).
    Submitter,
    /// Staff of the handling department: may act.
    Handler,
    /// Staff of a department that handled it before a transfer: reads, acts no more.
    Former,
    /// Supervision and global administrators: read everything, act on nothing.
    Overseer,
}

impl Reader {
    pub fn code(self) -> &'static str {
        match self {
            Reader::Public => "public",
            Reader::Submitter => "submitter",
            Reader::Handler => "handler",
            Reader::Former => "former",
            Reader::Overseer => "overseer",
        }
    }
}

/// How `actor` (none: not signed in) reads the submission; `by_query` when
/// it was opened by its number and query password.
pub fn reader(actor: Option<&Actor>, s: &InteractionFacts<'_>, by_query: bool) -> Reader {
    match actor {
        Some(a) if is_overseer(a) => Reader::Overseer,
        Some(a) if in_department(a, s.department_id) => Reader::Handler,
        Some(a) if !a.is_staff() && s.submitter_user_id == Some(a.user_id) => Reader::Submitter,
        _ if by_query => Reader::Submitter,
        Some(a) if a.is_staff() && super::acting_department(a).is_some_and(|d| s.former_departments.contains(&d)) => {
            Reader::Former
        }
        _ => Reader::Public,
    }
}

/// Transfer, extend, reply: the handling department's staff. The
/// supervision bureau and global administrators read and act on nothing;
/// a former department is refused, anyone else does not see it.
pub fn may_handle(actor: &Actor, s: &InteractionFacts<'_>) -> Result<(), Refusal> {
    match reader(Some(actor), s, false) {
        Reader::Handler => Ok(()),
        Reader::Overseer => Err(Refusal::SupervisionReadsOnly),
        Reader::Former | Reader::Submitter => Err(Refusal::Forbidden),
        Reader::Public => Err(Refusal::NotParty),
    }
}

/// Which submissions a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListScope {
    /// The published answers (anyone, signed in or not).
    Public,
    /// The submitter's own.
    Mine,
    /// The actor's department's.
    Department,
    /// All of them (supervision, global administrators).
    All,
    /// Complaints about staff conduct (supervision, global administrators).
    Conduct,
}

/// The reader a list is shown to, or why not.
pub fn list_reader(actor: Option<&Actor>, scope: ListScope) -> Result<Reader, Refusal> {
    match (scope, actor) {
        (ListScope::Public, _) => Ok(Reader::Public),
        (_, None) => Err(Refusal::Forbidden),
        (ListScope::Mine, Some(a)) => require(!a.is_staff(), Refusal::Forbidden).map(|_| Reader::Submitter),
        (ListScope::Department, Some(a)) => {
            require(a.is_staff() && super::acting_department(a).is_some(), Refusal::Forbidden).map(|_| Reader::Handler)
        }
        (ListScope::All | ListScope::Conduct, Some(a)) => {
            require(is_overseer(a), Refusal::Forbidden).map(|_| Reader::Overseer)
        }
    }
}

/// Naming a department's handlers on duty (第七条): its department
/// administrator or head, or a global administrator.
pub fn may_manage_handlers(actor: &Actor, department_id: i64) -> bool {
    (actor.is_staff() && actor.is_global_admin())
        || (in_department(actor, department_id) && (actor.has(Role::DeptAdmin) || actor.has(Role::DeptHead)))
}

/// Reading who handles a department's or a region's submissions: every
/// staff member (matters are routed by them).
pub fn may_read_handlers(actor: &Actor) -> bool {
    actor.is_staff()
}

/// Which regions' handlers a reader sees at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionScope {
    /// Every city and county.
    All,
    /// One county (the staff of its government office).
    One(i64),
    Nothing,
}

/// Supervision and global administrators see every region; the staff of a
/// county government office (`own_department`: its kind and region) their county.
pub fn handler_regions(actor: &Actor, own_department: Option<(DepartmentKind, i64)>) -> RegionScope {
    if is_overseer(actor) {
        return RegionScope::All;
    }
    match own_department {
        Some((DepartmentKind::CountyOffice, region)) if actor.is_staff() => RegionScope::One(region),
        _ => RegionScope::Nothing,
    }
}

/// Setting the deadline of a kind of submission: global administrators.
pub fn may_set_limits(actor: &Actor) -> bool {
    actor.is_staff() && actor.is_global_admin()
}

/// Whether `actor` names handlers of some department or sets the limits:
/// asked before the form, which names the department, is read.
pub fn may_manage_some_handlers(actor: &Actor) -> bool {
    may_set_limits(actor) || super::acting_department(actor).is_some_and(|d| may_manage_handlers(actor, d))
}

/// Submitting: the public (signed in or not); staff do not submit as staff.
pub fn may_submit(actor: Option<&Actor>) -> Result<(), Refusal> {
    require(!actor.is_some_and(|a| a.is_staff()), Refusal::ApplicantOnly)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::{person, staff};

    #[test]
    fn readers_and_handlers() {
        let s = InteractionFacts { department_id: 1, submitter_user_id: Some(100), former_departments: &[4] };
        assert_eq!(reader(Some(&staff(1, 1, &[Role::Counter])), &s, false), Reader::Handler);
        assert_eq!(reader(Some(&staff(1, 4, &[Role::Counter])), &s, false), Reader::Former);
        assert_eq!(reader(Some(&staff(1, 3, &[Role::Counter])), &s, false), Reader::Public);
        assert_eq!(reader(Some(&person(100)), &s, false), Reader::Submitter);
        assert_eq!(reader(Some(&person(200)), &s, false), Reader::Public);
        assert_eq!(reader(None, &s, true), Reader::Submitter);
        assert_eq!(reader(Some(&staff(1, 1, &[Role::Supervisor])), &s, false), Reader::Overseer);
        assert_eq!(may_handle(&staff(1, 1, &[Role::Reviewer]), &s), Ok(()));
        assert_eq!(may_handle(&staff(1, 4, &[Role::Reviewer]), &s), Err(Refusal::Forbidden));
        assert_eq!(may_handle(&staff(1, 3, &[Role::Reviewer]), &s), Err(Refusal::NotParty));
        assert_eq!(may_handle(&staff(1, 1, &[Role::Supervisor]), &s), Err(Refusal::SupervisionReadsOnly));
        assert_eq!(may_handle(&staff(1, 1, &[Role::CenterAdmin]), &s), Err(Refusal::SupervisionReadsOnly));
        assert_eq!(may_handle(&person(100), &s), Err(Refusal::Forbidden));
        assert!(may_manage_handlers(&staff(1, 1, &[Role::DeptHead]), 1));
        assert!(!may_manage_handlers(&staff(1, 1, &[Role::Reviewer]), 1));
        assert!(!may_manage_handlers(&staff(1, 2, &[Role::DeptAdmin]), 1));
        assert_eq!(list_reader(None, ListScope::Public), Ok(Reader::Public));
        assert_eq!(list_reader(None, ListScope::Mine), Err(Refusal::Forbidden));
        assert_eq!(list_reader(Some(&staff(1, 1, &[Role::Counter])), ListScope::All), Err(Refusal::Forbidden));
        assert_eq!(
            handler_regions(&staff(1, 1, &[Role::Counter]), Some((DepartmentKind::CountyOffice, 8))),
            RegionScope::One(8)
        );
        assert_eq!(
            handler_regions(&staff(1, 1, &[Role::Counter]), Some((DepartmentKind::Approval, 8))),
            RegionScope::Nothing
        );
        assert_eq!(may_submit(Some(&staff(1, 1, &[Role::Counter]))), Err(Refusal::ApplicantOnly));
        assert_eq!(may_submit(None), Ok(()));
    }
}
