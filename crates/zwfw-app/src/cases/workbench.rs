//! The applicant's workbench (工作台): what waits for them — applications to
//! supplement (with what is missing and by when), decisions whose result is
//! ready, and their unread notices.

use super::*;
use zwfw_store::interaction::Notification;

/// One of the applicant's cases as the workbench lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = WorkbenchCase)]
pub struct CaseCard {
    pub id: i64,
    pub case_no: String,
    pub item_name: String,
    pub state: String,
    /// granted | denied | returned | voided | forwarded, once concluded.
    pub outcome: Option<String>,
    /// What the supplement notice asks for.
    pub missing: Vec<String>,
    pub updated_at: i64,
}

/// What waits for the signed-in applicant.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ApplicantWorkbench)]
pub struct Workbench {
    /// Applications waiting for their supplement (补正).
    pub to_supplement: Vec<CaseCard>,
    /// Decided, the result not yet delivered.
    pub results: Vec<CaseCard>,
    /// The latest unread in-app notices (at most 5) and how many are unread.
    pub notices: Vec<Notification>,
    pub unread: i64,
}

async fn cards(st: &App, user: i64, states: &[CaseState]) -> AppResult<Vec<CaseCard>> {
    let mut out = vec![];
    for state in states {
        let f = sc::CaseFilter {
            applicant_user_id: Some(user),
            state: Some(state.code().to_string()),
            limit: 50,
            ..Default::default()
        };
        for row in sc::list(&st.store, &f).await? {
            let missing = snapshot(&row).map(|v| v.missing).unwrap_or_default();
            out.push(CaseCard {
                id: row.id,
                case_no: row.case_no.clone().unwrap_or_default(),
                item_name: row.item_name.clone(),
                state: row.p.state.clone(),
                outcome: row.p.outcome.clone(),
                missing,
                updated_at: row.updated_at,
            });
        }
    }
    Ok(out)
}

/// The workbench of the signed-in applicant (a public account); staff have
/// their inbox instead.
pub async fn applicant_workbench(ctx: &Ctx<'_>) -> AppResult<Workbench> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    if actor.is_staff() {
        return Err(AppError::forbidden());
    }
    let st = ctx.state;
    super::notices::derive_logged(st).await;
    let (latest, _, unread) = zwfw_store::interaction::notifications_page(&st.store, actor.user_id, 0, 20).await?;
    Ok(Workbench {
        to_supplement: cards(st, actor.user_id, CaseState::APPLICANT_TO_ACT).await?,
        results: cards(st, actor.user_id, CaseState::RESULT_READY).await?,
        notices: latest.into_iter().filter(|n| n.read_at.is_none()).take(5).collect(),
        unread,
    })
}

/// What waits for a staff member: the tasks of their department's inbox,
/// those transferred to them, the joint reviews waiting for their
/// department, and their latest unread notices (an extension or a
/// withdrawal to decide, a 督办 order, a follow-up assigned).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = StaffWorkbench)]
pub struct StaffWaiting {
    pub department: i64,
    pub mine: i64,
    pub joint: i64,
    /// For a department head: the cases waiting for their decision (待我决定).
    pub decide: Option<i64>,
    /// For whoever may claim them: the records pushed to the department
    /// (审管交互) that wait to be claimed.
    pub handover: Option<i64>,
    pub notices: Vec<Notification>,
    pub unread: i64,
}

pub async fn staff_workbench(ctx: &Ctx<'_>) -> AppResult<StaffWaiting> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let dept = actor.department_id.filter(|_| actor.is_staff()).ok_or_else(AppError::forbidden)?;
    let st = ctx.state;
    let count = |scope| async move { sc::inbox(&st.store, scope, 1, 0).await.map(|r| r.1) };
    super::notices::derive_logged(st).await;
    let (latest, _, unread) = zwfw_store::interaction::notifications_page(&st.store, actor.user_id, 0, 20).await?;
    Ok(StaffWaiting {
        department: count(sc::InboxScope::Department(dept)).await?,
        mine: count(sc::InboxScope::Assignee(actor.user_id)).await?,
        joint: count(sc::InboxScope::Joint(dept)).await?,
        decide: match actor.has(Role::DeptHead) {
            true => Some(head_decisions(st, actor).await?.len() as i64),
            false => None,
        },
        handover: crate::handover::waiting(st, actor).await?,
        notices: latest.into_iter().filter(|n| n.read_at.is_none()).take(5).collect(),
        unread,
    })
}

/// The cases waiting for the decision of a department head (待我决定), soonest
/// deadline first, each with what it waits for: the domain's
/// [`access::waits_for_head`] over the open cases of the head's department.
/// Only for a department head.
pub async fn head_decisions(st: &App, actor: &Actor) -> AppResult<Vec<(CaseRow, access::HeadDecision)>> {
    let Some(dept) = actor.department_id.filter(|_| actor.is_staff() && actor.has(Role::DeptHead)) else {
        return Err(AppError::forbidden());
    };
    let mut out = vec![];
    for row in sc::open_of_department(&st.store, dept).await? {
        let item = item_version(st, row.version_id).await?;
        let v = current_view(st.store.pool(), &row, &item).await?;
        if let Some(d) = access::waits_for_head(dept, &facts(&row), &item, &v) {
            out.push((row, d));
        }
    }
    Ok(out)
}
