//! The open cases whose deadlines a proposed calendar moves: what the
//! preview of a calendar change lists, and what saving it writes.

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
    pub assignee_id: Option<i64>,
    /// Which due day moved first in this order: 承诺办结日, 受理期限, 法定办结日,
    /// 环节期限; and that day before and after.
    pub which: &'static str,
    pub old_due: String,
    pub new_due: String,
    pub(crate) old: Projection,
    pub(crate) new: Projection,
    pub(crate) updated_at: i64,
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
        if p == row.p {
            continue;
        }
        let (which, old_due, new_due) = moved_due(&row.p, &p);
        out.push(CaseRecount {
            id,
            case_no: row.case_no.clone().unwrap_or_default(),
            department_id: row.department_id,
            applicant_user_id: row.applicant_user_id,
            assignee_id: row.p.assignee_id,
            which,
            old_due,
            new_due,
            old: row.p.clone(),
            new: p,
            updated_at: row.updated_at,
        });
    }
    Ok(out)
}

/// Writes the recounted deadlines of `c`; false when the case changed since
/// (the recount after saving takes it up again).
pub async fn apply(tx: &mut zwfw_store::Tx, c: &CaseRecount) -> AppResult<bool> {
    Ok(sc::update_projection(tx, c.id, &c.old, &c.new, c.updated_at).await?)
}
