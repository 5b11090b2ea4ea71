//! Cases (办件): who may take each action, in which role, and who reads what.
//!
//! [`may_act`] decides who; [`crate::cases::apply`] then decides whether the
//! case's state allows it. Both must accept an event before it is stored.

use super::{first_held, in_department, require, Refusal};
use crate::admin::{Actor, Role};
use crate::cases::{CaseState, CaseView, Channel, EventKind, Outcome};
use crate::catalog::{ItemContent, Step};
use crate::codes::code_list;

/// The facts about a case that access depends on, beside its item version
/// and its view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFacts {
    /// The implementing department (the item's).
    pub department_id: i64,
    /// The applicant's account, when they have one.
    pub applicant_user_id: Option<i64>,
    pub channel: Channel,
    /// The colleague the case was transferred to at the current step, if any.
    pub assignee_id: Option<i64>,
}

/// Whether `actor` is the case's applicant, signed in with their own account.
pub fn is_applicant(actor: &Actor, case: &CaseFacts) -> bool {
    !actor.is_staff() && case.applicant_user_id == Some(actor.user_id)
}

/// The department working on the case now: the current step's while in
/// progress, otherwise the implementing department.
pub fn handling_department(case: &CaseFacts, item: &ItemContent, v: &CaseView) -> i64 {
    match v.state {
        CaseState::InProgress => item.steps.get(v.step).map(|s| s.department_id).unwrap_or(case.department_id),
        _ => case.department_id,
    }
}

/// The step whose role acts now: the current step while in progress; once
/// every step passed and the decision is pending, the last step.
fn acting_step<'a>(item: &'a ItemContent, v: &CaseView) -> Option<&'a Step> {
    match v.state {
        CaseState::InProgress => item.steps.get(v.step),
        CaseState::Deciding => item.steps.last(),
        _ => None,
    }
}

/// Reads: applicants their own cases, staff the cases their department
/// takes part in (implementing, a step, a joint review), the supervision
/// bureau and the global administrators every case.
/// The departments whose heads must decide what event `kind` asks of them,
/// and are told so: an extension request (the case's department and the one
/// handling its step, as `may_act` lets either decide it), an online
/// applicant's withdrawal request and a decision corrected as a
/// misoperation, which waits for a new one (the case's department). Empty
/// for any other event.
pub fn heads_to_decide(kind: &EventKind, case: &CaseFacts, item: &ItemContent, v: &CaseView) -> Vec<i64> {
    match kind {
        EventKind::ExtensionRequested { .. } => {
            let mut d = vec![case.department_id, handling_department(case, item, v)];
            d.dedup();
            d
        }
        EventKind::WithdrawalRequested { .. } => vec![case.department_id],
        // A decision corrected (办结结论有误): the case waits for a new one.
        EventKind::Corrected { what: crate::governance::correction::CorrectionKind::Conclusion, .. } => {
            vec![case.department_id]
        }
        _ => vec![],
    }
}

code_list!(
    /// A decision a case waits for from a department head (待我决定).
    HeadDecision {
        /// An extension request to approve or not.
        Extension = "extension",
        /// An online applicant's withdrawal request to approve or decline.
        Withdrawal = "withdrawal",
        /// The conclusion (准予 or 不予) once every step passed.
        Conclusion = "conclusion",
        /// A step of the item's process that is the head's own (e.g. 决定).
        Step = "step",
    }
);

/// What the case waits for from the heads of `department_id`, if anything:
/// the decisions [`may_act`] gives a department head alone — an extension
/// request (the case's or the handling department's head), an online
/// applicant's withdrawal request (the case's), the conclusion once every
/// step passed (the case's) — and a step whose role is the head's (the
/// handling department's). A special procedure is the step's to start and
/// end, not the head's.
pub fn waits_for_head(department_id: i64, case: &CaseFacts, item: &ItemContent, v: &CaseView) -> Option<HeadDecision> {
    if !v.state.is_open() {
        return None;
    }
    let home = case.department_id == department_id;
    let handling = handling_department(case, item, v) == department_id;
    if v.extension_pending.is_some() && (home || handling) {
        Some(HeadDecision::Extension)
    } else if home && case.channel == Channel::Online && v.withdrawal_requested.is_some() {
        Some(HeadDecision::Withdrawal)
    } else if home && v.state == CaseState::Deciding {
        Some(HeadDecision::Conclusion)
    } else if handling
        && v.state == CaseState::InProgress
        && acting_step(item, v).is_some_and(|s| s.role == Role::DeptHead)
    {
        Some(HeadDecision::Step)
    } else {
        None
    }
}

pub fn may_read(actor: &Actor, case: &CaseFacts, item: &ItemContent) -> bool {
    reads(actor, case.applicant_user_id, &item.department_ids())
}

/// [`may_read`] for a case in `state`. A draft is not yet an application:
/// an online one is its applicant's alone, one registered at the counter is
/// the implementing department's (as the lists show them); nobody else reads
/// it, not even the overseers.
pub fn may_read_in(actor: &Actor, case: &CaseFacts, item: &ItemContent, state: CaseState) -> bool {
    if state != CaseState::Draft {
        return may_read(actor, case, item);
    }
    match case.channel {
        Channel::Online => is_applicant(actor, case),
        Channel::Counter => actor.is_staff() && in_department(actor, case.department_id),
    }
}

/// [`may_read`] on the parties alone: the applicant's account and the
/// departments taking part.
pub fn reads(actor: &Actor, applicant_user_id: Option<i64>, departments: &[i64]) -> bool {
    if super::is_overseer(actor) {
        return true;
    }
    if actor.is_staff() {
        return super::acting_department(actor).is_some_and(|d| departments.contains(&d));
    }
    applicant_user_id == Some(actor.user_id)
}

/// The applicant's identity number, mobile and address unmasked: for the
/// applicant and the implementing department's staff (not the supervision
/// bureau, nor departments taking part in a step or joint review).
pub fn sees_applicant_identity(actor: &Actor, case: &CaseFacts) -> bool {
    is_applicant(actor, case) || (in_department(actor, case.department_id) && !actor.has(Role::Supervisor))
}

/// In the timeline the applicant and the public see, an event names its
/// actor only when it was the applicant's own act (no role, the applicant's
/// account) or the system's (no actor); every other event says 工作人员.
pub fn timeline_names_actor(event_actor_id: Option<i64>, event_role: Option<Role>, case: &CaseFacts) -> bool {
    match event_actor_id {
        None => true,
        Some(a) => event_role.is_none() && case.applicant_user_id == Some(a),
    }
}

/// Which cases a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListScope {
    /// The applicant's own.
    Mine,
    /// The actor's department's (with the joint reviews it takes part in),
    /// also the inboxes (department, assigned to me, joint).
    Department,
    /// Every case, optionally narrowed to a department.
    All,
}

pub fn may_list(actor: &Actor, scope: ListScope) -> Result<(), Refusal> {
    match scope {
        ListScope::Mine => require(!actor.is_staff(), Refusal::Forbidden),
        ListScope::Department => {
            require(actor.is_staff() && super::acting_department(actor).is_some(), Refusal::Forbidden)
        }
        ListScope::All => require(super::is_overseer(actor), Refusal::Forbidden),
    }
}

/// Registering an application at the counter for a walk-in applicant: the
/// counter of the item's implementing department.
pub fn may_register(actor: &Actor, item_department_id: i64) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    require(!actor.has(Role::Supervisor), Refusal::SupervisionReadsOnly)?;
    require(in_department(actor, item_department_id), Refusal::NotInDepartment)?;
    first_held(actor, &[Role::Counter]).ok_or(Refusal::MissingRole)
}

/// Applying online: public accounts (natural and legal persons) only; staff
/// register at the counter instead.
pub fn may_apply_online(actor: &Actor) -> Result<(), Refusal> {
    require(!actor.is_staff(), Refusal::ApplicantOnly)
}

/// A new query password: the applicant, or the implementing department's
/// counter (for a walk-in applicant who lost it).
pub fn may_reset_query_password(actor: &Actor, case: &CaseFacts) -> Result<Option<Role>, Refusal> {
    if is_applicant(actor, case) {
        return Ok(None);
    }
    if !actor.is_staff() || !in_department(actor, case.department_id) {
        return Err(Refusal::NotParty);
    }
    first_held(actor, &[Role::Counter]).map(Some).ok_or(Refusal::MissingRole)
}

/// Editing a draft (its form, contact details and materials) and submitting
/// it: the applicant of an online draft, or the implementing department's
/// counter for a draft it registered. Anybody else does not see the draft.
/// Whether the case is still a draft is the state machine's question.
pub fn may_edit_draft(actor: &Actor, case: &CaseFacts) -> Result<Option<Role>, Refusal> {
    if is_applicant(actor, case) {
        return Ok(None);
    }
    if !actor.is_staff() || !in_department(actor, case.department_id) {
        return Err(Refusal::NotParty);
    }
    require(case.channel == Channel::Counter, Refusal::ApplicantOnly)?;
    first_held(actor, &[Role::Counter]).map(Some).ok_or(Refusal::MissingRole)
}

/// Receiving and returning paper originals: the implementing department's
/// counter or head.
pub fn may_handle_originals(actor: &Actor, case: &CaseFacts) -> Result<Role, Refusal> {
    require(actor.is_staff(), Refusal::StaffOnly)?;
    require(!actor.has(Role::Supervisor), Refusal::SupervisionReadsOnly)?;
    require(in_department(actor, case.department_id), Refusal::NotInDepartment)?;
    first_held(actor, &[Role::Counter, Role::DeptHead]).ok_or(Refusal::MissingRole)
}

/// Whether the actor may take some action on the case (which one is then
/// [`may_act`]'s question): a party to it, and not the supervision bureau,
/// which reads cases and acts on none. Asked before an action's form is read.
pub fn may_act_at_all(actor: &Actor, case: &CaseFacts, item: &ItemContent) -> Result<(), Refusal> {
    if !may_read(actor, case, item) {
        return Err(Refusal::NotParty);
    }
    require(!actor.is_staff() || !actor.has(Role::Supervisor), Refusal::SupervisionReadsOnly)
}

/// Whether the actor may take action `kind` on the case, and in which role:
/// `Ok(None)` for the applicant's own act, `Ok(Some(role))` for staff (the
/// role the event records), or why not. The case's state is checked apart,
/// by [`crate::cases::apply`].
pub fn may_act(
    actor: &Actor,
    case: &CaseFacts,
    item: &ItemContent,
    v: &CaseView,
    kind: &EventKind,
) -> Result<Option<Role>, Refusal> {
    use EventKind::*;
    if matches!(kind, DeemedAccepted) {
        return Err(Refusal::SystemOnly);
    }
    may_act_at_all(actor, case, item)?;
    if !actor.is_staff() {
        // The applicant: submits, supplements and withdraws their own application.
        return match kind {
            Submitted | SupplementProvided | Withdrawn { .. } => Ok(None),
            _ => Err(Refusal::StaffOnly),
        };
    }
    let home = in_department(actor, case.department_id);
    let home_with = |wanted: &[Role]| -> Result<Option<Role>, Refusal> {
        require(home, Refusal::NotInDepartment)?;
        first_held(actor, wanted).map(Some).ok_or(Refusal::MissingRole)
    };
    let head_here = || -> Result<Option<Role>, Refusal> {
        require(home, Refusal::NotInDepartment)?;
        require(actor.has(Role::DeptHead), Refusal::NeedsDeptHead)?;
        Ok(Some(Role::DeptHead))
    };
    match kind {
        Submitted => {
            // Staff submit only what they registered at the counter; an
            // online draft is submitted by its applicant.
            require(home, Refusal::NotInDepartment)?;
            require(case.channel == Channel::Counter, Refusal::ApplicantOnly)?;
            home_with(&[Role::Counter])
        }
        SupplementProvided => home_with(&[Role::Counter]),
        Accepted => home_with(&[Role::Counter, Role::Reviewer]),
        Refused { .. } | SupplementRequested { .. } => home_with(&[Role::Counter, Role::Reviewer, Role::DeptHead]),
        DeemedAccepted => Err(Refusal::SystemOnly),
        StepPassed { .. }
        | ReturnedToStep { .. }
        | Transferred { .. }
        | ExtensionRequested { .. }
        | SpecialStarted { .. }
        | SpecialEnded { .. }
        | JointTimedOut { .. } => at_step(actor, case, item, v).map(Some),
        ExtensionDecided { .. } => {
            let here = home || in_department(actor, handling_department(case, item, v));
            require(here, Refusal::NotInDepartment)?;
            require(actor.has(Role::DeptHead), Refusal::NeedsDeptHead)?;
            Ok(Some(Role::DeptHead))
        }
        Urged { .. } => {
            if actor.has(Role::CenterAdmin) {
                return Ok(Some(Role::CenterAdmin));
            }
            head_here()
        }
        JointAnswered { department_id, .. } => {
            require(super::acting_department(actor) == Some(*department_id), Refusal::NotInDepartment)?;
            let member = v.state == CaseState::InProgress
                && item.steps.get(v.step).is_some_and(|s| s.joint.iter().any(|c| c.department_id == *department_id));
            require(member, Refusal::NotJointMember)?;
            first_held(actor, &[Role::Reviewer, Role::DeptHead]).map(Some).ok_or(Refusal::MissingRole)
        }
        Concluded { outcome, .. } => match outcome {
            Outcome::Granted | Outcome::Denied | Outcome::Voided => head_here(),
            Outcome::Returned | Outcome::Forwarded => {
                require(home, Refusal::NotInDepartment)?;
                if actor.has(Role::DeptHead) {
                    Ok(Some(Role::DeptHead))
                } else if matches!(v.state, CaseState::InProgress | CaseState::Deciding) {
                    // While processing, only who may act at the step (or the
                    // implementing department's head) ends the case.
                    at_step(actor, case, item, v).map(Some)
                } else {
                    home_with(&[Role::Counter, Role::Reviewer, Role::DeptHead])
                }
            }
        },
        Delivered { .. } => home_with(&[Role::Counter, Role::DeptHead]),
        Withdrawn { .. } => {
            require(home, Refusal::NotInDepartment)?;
            match case.channel {
                // A walk-in applicant asks at the counter, which withdraws at once.
                Channel::Counter => home_with(&[Role::Counter]),
                // Online, staff act only on a recorded written request, and
                // the department head's withdrawal approves it.
                Channel::Online => {
                    require(v.withdrawal_requested.is_some(), Refusal::WithdrawalNeedsRequest)?;
                    require(actor.has(Role::DeptHead), Refusal::WithdrawalNeedsHead)?;
                    Ok(Some(Role::DeptHead))
                }
            }
        }
        WithdrawalRequested { .. } => {
            require(home, Refusal::NotInDepartment)?;
            require(case.channel == Channel::Online, Refusal::NotOnlineCase)?;
            home_with(&[Role::Counter, Role::DeptHead])
        }
        WithdrawalDeclined { .. } => head_here(),
        // Only under an approved correction request (`access::correction`).
        Corrected { .. } => Err(Refusal::Forbidden),
    }
}

/// The rule of every action at a step (pass, return, transfer, extension
/// request, special procedure, closing a joint review): staff of the
/// handling department holding the step's role, or its department head;
/// when the case is assigned to a colleague, only the head acts in the
/// assignee's place. Returns the role acted in (the step's first).
fn at_step(actor: &Actor, case: &CaseFacts, item: &ItemContent, v: &CaseView) -> Result<Role, Refusal> {
    require(in_department(actor, handling_department(case, item, v)), Refusal::NotInDepartment)?;
    let step_role = acting_step(item, v).map(|s| s.role);
    let role = step_role
        .filter(|r| actor.has(*r))
        .or_else(|| first_held(actor, &[Role::DeptHead]))
        .ok_or(Refusal::NotStepRole)?;
    if let Some(a) = case.assignee_id {
        require(a == actor.user_id || actor.has(Role::DeptHead), Refusal::AssignedToOther)?;
    }
    Ok(role)
}

/// A colleague a case may be transferred to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferTarget<'a> {
    pub user_id: i64,
    pub is_staff: bool,
    pub active: bool,
    pub department_id: Option<i64>,
    pub roles: &'a [Role],
}

/// A transfer goes to another active staff member of the handling
/// department who holds the step's role or is its head (else the case would
/// sit with someone who may not act on it).
pub fn may_receive_transfer(
    actor: &Actor,
    target: &TransferTarget<'_>,
    case: &CaseFacts,
    item: &ItemContent,
    v: &CaseView,
) -> Result<(), Refusal> {
    let handling = handling_department(case, item, v);
    let step_role = acting_step(item, v).map(|s| s.role);
    let can_act = target.roles.contains(&Role::DeptHead) || step_role.is_some_and(|r| target.roles.contains(&r));
    let ok = target.is_staff
        && target.active
        && target.department_id == Some(handling)
        && target.user_id != actor.user_id
        && !target.roles.contains(&Role::Supervisor)
        && can_act;
    require(ok, Refusal::BadTransferTarget)
}

/// Who marks a 告知承诺 of a case unfulfilled (opening a supervision
/// finding): the staff of the case's implementing department who handle
/// it — counter, reviewers, head. Supervision reads the commitments and the
/// finding; it marks nothing.
pub fn may_mark_commitment(actor: &Actor, case: &CaseFacts) -> Result<Role, Refusal> {
    if !actor.is_staff() {
        return Err(Refusal::StaffOnly);
    }
    if !in_department(actor, case.department_id) {
        return Err(Refusal::NotInDepartment);
    }
    first_held(actor, &[Role::DeptHead, Role::Reviewer, Role::Counter]).ok_or(Refusal::MissingRole)
}

/// 补录: who enters later the cases their department handled on paper
/// during a fault — staff of a department, not the supervision bureau.
/// Which action each may enter is then decided as on the platform
/// ([`may_register`] for a paper application, [`may_act`] for an action).
pub fn may_enter_later(actor: &Actor) -> Result<(), Refusal> {
    require(actor.is_staff(), Refusal::StaffOnly)?;
    require(!actor.has(Role::Supervisor), Refusal::SupervisionReadsOnly)?;
    require(super::acting_department(actor).is_some(), Refusal::NotInDepartment)
}

/// Whose 补录 entries `actor` lists: every department's for the
/// supervision bureau and the global administrators (`Ok(None)`), their
/// own department's for other staff.
pub fn backfills_listed(actor: &Actor) -> Result<Option<i64>, Refusal> {
    if super::is_overseer(actor) {
        return Ok(None);
    }
    require(actor.is_staff(), Refusal::StaffOnly)?;
    super::acting_department(actor).map(Some).ok_or(Refusal::NotInDepartment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::{person, staff};
    use crate::catalog::{example, CoReview};

    fn item() -> ItemContent {
        let mut c = example(1);
        c.steps[1].joint = vec![CoReview { department_id: 2, limit_days: 3 }];
        c
    }

    fn at(state: CaseState, step: usize) -> CaseView {
        CaseView { state, step, ..CaseView::new() }
    }

    fn facts(channel: Channel) -> CaseFacts {
        CaseFacts { department_id: 1, applicant_user_id: Some(100), channel, assignee_id: None }
    }

    #[test]
    fn a_step_in_another_department_is_that_departments() {
        let mut it = item();
        it.steps[1].department_id = 4;
        let v = at(CaseState::InProgress, 1);
        let f = facts(Channel::Online);
        let pass = EventKind::StepPassed { opinion: "x".into() };
        assert_eq!(may_act(&staff(1, 4, &[Role::Reviewer]), &f, &it, &v, &pass), Ok(Some(Role::Reviewer)));
        assert_eq!(
            may_act(&staff(1, 1, &[Role::Reviewer]), &f, &it, &v, &pass),
            Err(Refusal::NotInDepartment),
            "the implementing department's reviewer does not act at another department's step"
        );
        assert_eq!(
            may_act(&staff(1, 1, &[Role::DeptHead]), &f, &it, &v, &pass),
            Err(Refusal::NotInDepartment),
            "nor its head"
        );
        // The implementing department's head may end the case (退件) there; its reviewer may not.
        let returned = EventKind::Concluded {
            outcome: Outcome::Returned,
            reason: "x".into(),
            document_no: String::new(),
            valid_until: None,
            fee_fen: None,
        };
        assert_eq!(may_act(&staff(1, 4, &[Role::DeptHead]), &f, &it, &v, &returned), Err(Refusal::NotInDepartment));
        assert_eq!(may_act(&staff(1, 1, &[Role::DeptHead]), &f, &it, &v, &returned), Ok(Some(Role::DeptHead)));
        assert_eq!(may_act(&staff(1, 1, &[Role::Reviewer]), &f, &it, &v, &returned), Err(Refusal::NotInDepartment));
    }

    #[test]
    fn what_waits_for_a_head_is_what_only_a_head_may_do() {
        let it = item();
        let head = staff(9, 1, &[Role::DeptHead]);
        let others = staff(8, 1, &[Role::Counter, Role::Reviewer]);
        let online = facts(Channel::Online);
        let head_alone = |f: &CaseFacts, v: &CaseView, kind: EventKind| {
            may_act(&head, f, &it, v, &kind) == Ok(Some(Role::DeptHead)) && may_act(&others, f, &it, v, &kind).is_err()
        };
        // An extension asked at the second step.
        let v = CaseView { extension_pending: Some(5), ..at(CaseState::InProgress, 1) };
        assert_eq!(waits_for_head(1, &online, &it, &v), Some(HeadDecision::Extension));
        assert!(head_alone(&online, &v, EventKind::ExtensionDecided { approved: true, opinion: "x".into() }));
        assert_eq!(waits_for_head(2, &online, &it, &v), None, "a joint reviewer's head does not decide it");
        // An online withdrawal request.
        let v = CaseView { withdrawal_requested: Some("书面申请".into()), ..at(CaseState::InProgress, 1) };
        assert_eq!(waits_for_head(1, &online, &it, &v), Some(HeadDecision::Withdrawal));
        assert!(head_alone(&online, &v, EventKind::Withdrawn { reason: "x".into() }));
        // Every step passed: the conclusion.
        let v = at(CaseState::Deciding, 3);
        assert_eq!(waits_for_head(1, &online, &it, &v), Some(HeadDecision::Conclusion));
        let grant = EventKind::Concluded {
            outcome: Outcome::Granted,
            reason: String::new(),
            document_no: "x".into(),
            valid_until: None,
            fee_fen: None,
        };
        assert!(head_alone(&online, &v, grant));
        // The head's own step (决定), in the department handling it.
        assert_eq!(it.steps[2].role, Role::DeptHead);
        let v = at(CaseState::InProgress, 2);
        assert_eq!(waits_for_head(1, &online, &it, &v), Some(HeadDecision::Step));
        assert!(head_alone(&online, &v, EventKind::StepPassed { opinion: "x".into() }));
        let mut elsewhere = item();
        elsewhere.steps[2].department_id = 4;
        assert_eq!(waits_for_head(1, &online, &elsewhere, &v), None);
        assert_eq!(waits_for_head(4, &online, &elsewhere, &v), Some(HeadDecision::Step));
        // The reviewer's step, a case waiting for acceptance or concluded: nothing for the head.
        for v in [at(CaseState::InProgress, 1), at(CaseState::Submitted, 0), at(CaseState::Concluded, 3)] {
            assert_eq!(waits_for_head(1, &online, &it, &v), None, "{:?}", v.state);
        }
        let ended = CaseView { extension_pending: Some(5), ..at(CaseState::Concluded, 3) };
        assert_eq!(waits_for_head(1, &online, &it, &ended), None);
    }

    #[test]
    fn the_assignee_and_the_head_act_on_an_assigned_case() {
        let it = item();
        let v = at(CaseState::InProgress, 1);
        let f = CaseFacts { assignee_id: Some(7), ..facts(Channel::Online) };
        let ret = EventKind::ReturnedToStep { step: 0, reason: "x".into() };
        assert_eq!(may_act(&staff(7, 1, &[Role::Reviewer]), &f, &it, &v, &ret), Ok(Some(Role::Reviewer)));
        assert_eq!(may_act(&staff(8, 1, &[Role::Reviewer]), &f, &it, &v, &ret), Err(Refusal::AssignedToOther));
        assert_eq!(may_act(&staff(9, 1, &[Role::DeptHead]), &f, &it, &v, &ret), Ok(Some(Role::DeptHead)));
        // A head holding the step's role acts in the step's role.
        assert_eq!(
            may_act(&staff(9, 1, &[Role::Reviewer, Role::DeptHead]), &f, &it, &v, &ret),
            Ok(Some(Role::Reviewer))
        );
    }

    #[test]
    fn transfers_go_to_a_colleague_who_may_act() {
        let it = item();
        let v = at(CaseState::InProgress, 1);
        let f = facts(Channel::Online);
        let me = staff(7, 1, &[Role::Reviewer]);
        let t = |id, dept, roles: &'static [Role]| TransferTarget {
            user_id: id,
            is_staff: true,
            active: true,
            department_id: Some(dept),
            roles,
        };
        assert_eq!(may_receive_transfer(&me, &t(8, 1, &[Role::Reviewer]), &f, &it, &v), Ok(()));
        assert_eq!(may_receive_transfer(&me, &t(8, 1, &[Role::DeptHead]), &f, &it, &v), Ok(()));
        for bad in [t(8, 1, &[Role::Counter]), t(8, 2, &[Role::Reviewer]), t(7, 1, &[Role::Reviewer])] {
            assert_eq!(may_receive_transfer(&me, &bad, &f, &it, &v), Err(Refusal::BadTransferTarget), "{bad:?}");
        }
        let inactive = TransferTarget { active: false, ..t(8, 1, &[Role::Reviewer]) };
        assert_eq!(may_receive_transfer(&me, &inactive, &f, &it, &v), Err(Refusal::BadTransferTarget));
    }

    #[test]
    fn reads_and_masks() {
        let it = item();
        let f = facts(Channel::Online);
        assert!(may_read(&person(100), &f, &it));
        assert!(!may_read(&person(200), &f, &it));
        assert!(may_read(&staff(1, 2, &[Role::Reviewer]), &f, &it), "the joint department reads");
        assert!(!may_read(&staff(1, 3, &[Role::Reviewer]), &f, &it));
        assert!(may_read(&staff(1, 9, &[Role::Supervisor]), &f, &it));
        assert!(sees_applicant_identity(&person(100), &f));
        assert!(sees_applicant_identity(&staff(1, 1, &[Role::Counter]), &f));
        assert!(!sees_applicant_identity(&staff(1, 2, &[Role::Reviewer]), &f));
        assert!(!sees_applicant_identity(&staff(1, 9, &[Role::Supervisor]), &f));
        assert!(timeline_names_actor(Some(100), None, &f), "the applicant's own act");
        assert!(timeline_names_actor(None, None, &f), "the system");
        assert!(!timeline_names_actor(Some(7), Some(Role::Counter), &f));
        assert!(!timeline_names_actor(Some(7), None, &f), "a staff event stored without a role names nobody");
        assert_eq!(may_list(&person(100), ListScope::Mine), Ok(()));
        assert_eq!(may_list(&staff(1, 1, &[Role::Counter]), ListScope::Mine), Err(Refusal::Forbidden));
        assert_eq!(may_list(&staff(1, 1, &[Role::Counter]), ListScope::All), Err(Refusal::Forbidden));
        assert_eq!(may_list(&staff(1, 9, &[Role::Supervisor]), ListScope::All), Ok(()));
    }

    #[test]
    fn counter_registration_originals_and_query_passwords() {
        let f = facts(Channel::Counter);
        assert_eq!(may_register(&staff(1, 1, &[Role::Counter]), 1), Ok(Role::Counter));
        assert_eq!(may_register(&staff(1, 2, &[Role::Counter]), 1), Err(Refusal::NotInDepartment));
        assert_eq!(may_register(&staff(1, 1, &[Role::Reviewer]), 1), Err(Refusal::MissingRole));
        assert_eq!(may_register(&person(100), 1), Err(Refusal::StaffOnly));
        assert_eq!(may_apply_online(&staff(1, 1, &[Role::Counter])), Err(Refusal::ApplicantOnly));
        assert_eq!(may_handle_originals(&staff(1, 1, &[Role::DeptHead]), &f), Ok(Role::DeptHead));
        assert_eq!(may_handle_originals(&staff(1, 1, &[Role::Reviewer]), &f), Err(Refusal::MissingRole));
        assert_eq!(may_reset_query_password(&person(100), &f), Ok(None));
        assert_eq!(may_reset_query_password(&person(200), &f), Err(Refusal::NotParty));
        assert_eq!(may_reset_query_password(&staff(1, 1, &[Role::Counter]), &f), Ok(Some(Role::Counter)));
        assert_eq!(may_reset_query_password(&staff(1, 2, &[Role::Counter]), &f), Err(Refusal::NotParty));
    }

    #[test]
    fn drafts_are_edited_by_whoever_submits_them() {
        let online = facts(Channel::Online);
        let walkin = facts(Channel::Counter);
        assert_eq!(may_edit_draft(&person(100), &online), Ok(None));
        assert_eq!(may_edit_draft(&person(200), &online), Err(Refusal::NotParty));
        assert_eq!(may_edit_draft(&staff(1, 1, &[Role::Counter]), &online), Err(Refusal::ApplicantOnly));
        assert_eq!(may_edit_draft(&staff(1, 1, &[Role::Counter]), &walkin), Ok(Some(Role::Counter)));
        assert_eq!(may_edit_draft(&staff(1, 1, &[Role::Reviewer]), &walkin), Err(Refusal::MissingRole));
        assert_eq!(may_edit_draft(&staff(1, 2, &[Role::Counter]), &walkin), Err(Refusal::NotParty));
        assert_eq!(may_edit_draft(&staff(1, 9, &[Role::Supervisor]), &walkin), Err(Refusal::NotParty));
    }

    #[test]
    fn a_draft_is_read_only_by_its_side() {
        let it = item();
        let online = facts(Channel::Online);
        let walkin = facts(Channel::Counter);
        let draft = CaseState::Draft;
        assert!(may_read_in(&person(100), &online, &it, draft));
        assert!(!may_read_in(&person(200), &online, &it, draft));
        for outsider in
            [staff(1, 1, &[Role::Counter]), staff(1, 1, &[Role::DeptHead]), staff(1, 9, &[Role::Supervisor])]
        {
            assert!(!may_read_in(&outsider, &online, &it, draft), "{outsider:?} reads an online draft");
        }
        assert!(may_read_in(&staff(1, 9, &[Role::Supervisor]), &online, &it, CaseState::Submitted));
        assert!(may_read_in(&staff(1, 1, &[Role::Reviewer]), &walkin, &it, draft));
        assert!(!may_read_in(&staff(1, 2, &[Role::Counter]), &walkin, &it, draft));
        assert!(!may_read_in(&staff(1, 9, &[Role::Supervisor]), &walkin, &it, draft));
        assert!(!may_read_in(&person(100), &walkin, &it, draft));
    }

    #[test]
    fn only_the_cases_department_marks_a_commitment() {
        let f = facts(Channel::Online);
        assert_eq!(may_mark_commitment(&staff(1, 1, &[Role::Counter]), &f), Ok(Role::Counter));
        assert_eq!(may_mark_commitment(&staff(1, 1, &[Role::DeptHead, Role::Reviewer]), &f), Ok(Role::DeptHead));
        assert_eq!(may_mark_commitment(&staff(1, 2, &[Role::DeptHead]), &f), Err(Refusal::NotInDepartment));
        assert_eq!(may_mark_commitment(&staff(1, 1, &[Role::Supervisor]), &f), Err(Refusal::MissingRole));
        assert_eq!(may_mark_commitment(&person(100), &f), Err(Refusal::StaffOnly));
    }

    #[test]
    fn department_staff_enter_paper_cases_later_supervision_lists_them() {
        assert_eq!(may_enter_later(&staff(1, 2, &[Role::Counter])), Ok(()));
        assert_eq!(may_enter_later(&staff(2, 2, &[Role::Reviewer])), Ok(()), "which action: may_act decides");
        assert_eq!(may_enter_later(&staff(3, 9, &[Role::Supervisor])), Err(Refusal::SupervisionReadsOnly));
        assert_eq!(may_enter_later(&person(7)), Err(Refusal::StaffOnly));
        assert_eq!(backfills_listed(&staff(3, 9, &[Role::Supervisor])), Ok(None));
        assert_eq!(backfills_listed(&staff(1, 2, &[Role::Counter])), Ok(Some(2)));
        assert_eq!(backfills_listed(&person(7)), Err(Refusal::StaffOnly));
    }
}
