//! The notices a step of a case sends, computed with the step and written in
//! its transaction (one INSERT): the applicant is told of every step that
//! concerns them on each channel they have (in-app for an account, SMS to
//! the application's mobile, e-mail to the account's address), and the
//! department heads who must decide are told what waits for them.

use super::*;
use crate::messages::{applicant_notice, head_notice, NoticeFacts};
use zwfw_store::outbox::Notice;

/// The notices of event `e`, which moves the case from `view` (before) to
/// the projection `p` (after).
pub(super) async fn of_event(
    st: &App,
    row: &CaseRow,
    content: &ItemContent,
    view: &CaseView,
    e: &Event,
    p: &Projection,
    actor_name: &str,
) -> AppResult<Vec<Notice>> {
    let supplement_due = match e.kind {
        EventKind::SupplementRequested { .. } => {
            Some(day_text(dc::supplement_due(&st.calendar(), e.at_ms).map_err(CaseError::from)?))
        }
        _ => None,
    };
    let case_no = row.case_no.clone().unwrap_or_default();
    let f = NoticeFacts {
        item_name: &row.item_name,
        case_no: &case_no,
        applicant_name: &row.applicant_name,
        actor_name,
        supplement_due: supplement_due.as_deref(),
        promised_due: p.promised_due.as_deref(),
        legal_due: p.legal_due.as_deref(),
        extension_days: view.extension_pending,
    };
    let link = format!("/cases/{}", row.id);
    let mut out = vec![];
    if let Some((title, body)) = applicant_notice(&e.kind, &f) {
        out.push(Notice {
            user_id: row.applicant_user_id,
            mobile: Some(row.applicant_mobile.clone()),
            email: Some(row.applicant_email.clone()).filter(|e| !e.is_empty()),
            sms_to_account: false,
            title,
            body,
            link: link.clone(),
        });
    }
    let departments = access::heads_to_decide(&e.kind, &facts(row), content, view);
    if let (false, Some((title, body))) = (departments.is_empty(), head_notice(&e.kind, &f)) {
        for head in heads(st, &departments).await? {
            out.push(Notice {
                user_id: Some(head.id),
                mobile: head.mobile,
                email: None,
                sms_to_account: false,
                title: title.clone(),
                body: body.clone(),
                link: link.clone(),
            });
        }
    }
    Ok(out)
}

/// The active department heads of `departments`, each once.
pub(crate) async fn heads(st: &App, departments: &[i64]) -> AppResult<Vec<zwfw_store::admin::User>> {
    let mut out: Vec<zwfw_store::admin::User> = vec![];
    for d in departments {
        for u in zwfw_store::admin::list_staff(&st.store, Some(*d)).await? {
            if u.active && u.roles.contains(&Role::DeptHead) && !out.iter().any(|o| o.id == u.id) {
                out.push(u);
            }
        }
    }
    Ok(out)
}
