//! The open cases whose deadlines a proposed calendar moves (their own and
//! those of their open joint reviews): what the preview of a calendar change
//! lists, and what saving it writes.

use super::{day_text, item_version, project_on, to_events};
use crate::error::AppResult;
use crate::state::App;
use zwfw_domain::calendar::Calendar;
use zwfw_domain::cases as dc;
use zwfw_store::cases as sc;
use zwfw_store::cases::Projection;

/// An open case whose deadlines differ on the proposed calendar.
#[derive(Debug, Clone)]
pub struct CaseRecount {
    pub id: i64,
    pub case_no: String,
    pub department_id: i64,
    pub applicant_user_id: Option<i64>,
    /// The application's mobile and e-mail address ("" for none), where the
    /// applicant is told that a deadline moved.
    pub applicant_mobile: String,
    pub applicant_email: String,
    pub assignee_id: Option<i64>,
    /// Which due day moved first in this order: 承诺办结日, 受理期限, 法定办结日,
    /// 环节期限, 并联审批期限; and that day before and after.
    pub which: &'static str,
    pub old_due: String,
    pub new_due: String,
    pub(crate) old: Projection,
    pub(crate) new: Projection,
    pub(crate) updated_at: i64,
    /// The open joint reviews whose due day moves: (co-department, before, after).
    pub(crate) joint: Vec<JointMove>,
}

impl CaseRecount {
    /// Whether the case's own deadlines move (not only a joint review's),
    /// which concerns the applicant.
    pub fn moves_case(&self) -> bool {
        self.old != self.new
    }
}

/// A joint review's due day moved: (co-department, before, after), YYYY-MM-DD.
pub(crate) type JointMove = (i64, String, String);

/// The open joint reviews of the current step whose due day differs on
/// `cal` (the domain counts it, `dc::joint_dues`) from the one stored in
/// `stored` (as `sc::joint` reads them).
pub(crate) fn joint_moves(
    cal: &Calendar,
    content: &zwfw_domain::catalog::ItemContent,
    view: &dc::CaseView,
    stored: &[(i64, i64, String, bool)],
) -> Vec<JointMove> {
    // A due day outside the configured years is left to the next change.
    let Ok(dues) = dc::joint_dues(cal, content, view) else { return vec![] };
    stored
        .iter()
        .filter(|(_, step, _, _)| *step == view.step as i64)
        .filter_map(|(dept, _, old, _)| {
            let new = day_text(dues.iter().find(|(d, _, _)| d == dept)?.1);
            (new != *old).then(|| (*dept, old.clone(), new))
        })
        .collect()
}

/// The first due day that differs between `old` and `new`, named, with both values.
fn moved_due(old: &Projection, new: &Projection) -> (&'static str, String, String) {
    let pairs = [
        ("承诺办结日", &old.promised_due, &new.promised_due),
        ("受理期限", &old.acceptance_due, &new.acceptance_due),
        ("法定办结日", &old.legal_due, &new.legal_due),
        ("环节期限", &old.step_due, &new.step_due),
    ];
    pairs
        .into_iter()
        .find(|(_, a, b)| a != b)
        .map(|(which, a, b)| (which, a.clone().unwrap_or_default(), b.clone().unwrap_or_default()))
        .unwrap_or(("", String::new(), String::new()))
}

/// Every open case whose deadlines move on `new`, in the order of their ids.
pub async fn changes(st: &App, new: &Calendar) -> AppResult<Vec<CaseRecount>> {
    let mut out = Vec::new();
    // Read once, all of them: the preview is a rare administrator's action.
    for id in sc::open_case_ids(&st.store, 0, i64::MAX).await? {
        let row = sc::get_case(&st.store, id).await?;
        let content = item_version(st, row.version_id).await?;
        let events = to_events(&sc::events(&st.store, id).await?)?;
        let (Some(e), Ok(view)) = (events.last(), dc::replay(&content, &events)) else { continue };
        let Ok(mut p) = project_on(new, &content, &row, &view, e, row.p.seq) else { continue };
        if let Some(submitted) = view.submitted_at_ms {
            match dc::acceptance_due(new, submitted) {
                Ok(d) => p.acceptance_due = Some(day_text(d)),
                Err(_) => continue,
            }
        }
        let joint = joint_moves(new, &content, &view, &sc::joint(&st.store, id).await?);
        if p == row.p && joint.is_empty() {
            continue;
        }
        let (which, old_due, new_due) = match joint.first() {
            Some((_, old, new)) if p == row.p => ("并联审批期限", old.clone(), new.clone()),
            _ => moved_due(&row.p, &p),
        };
        out.push(CaseRecount {
            id,
            case_no: row.case_no.clone().unwrap_or_default(),
            department_id: row.department_id,
            applicant_user_id: row.applicant_user_id,
            applicant_mobile: row.applicant_mobile.clone(),
            applicant_email: row.applicant_email.clone(),
            assignee_id: row.p.assignee_id,
            which,
            old_due,
            new_due,
            old: row.p.clone(),
            new: p,
            updated_at: row.updated_at,
            joint,
        });
    }
    Ok(out)
}

/// Writes the recounted deadlines of `c` and of its joint reviews; false
/// when the case changed since (the recount after saving takes it up again).
pub async fn apply(tx: &mut zwfw_store::Tx, c: &CaseRecount) -> AppResult<bool> {
    if c.moves_case() && !sc::update_projection(tx, c.id, &c.old, &c.new, c.updated_at).await? {
        return Ok(false);
    }
    move_joint(tx, c.id, &c.joint).await?;
    Ok(true)
}

/// Moves the due days of the joint reviews `moves` of case `id`.
pub(crate) async fn move_joint(tx: &mut zwfw_store::Tx, id: i64, moves: &[JointMove]) -> AppResult<()> {
    for (dept, old, new) in moves {
        sc::move_joint_due(tx, id, *dept, old, new).await?;
    }
    Ok(())
}
