//! What entering a year changes before it is saved: every open case,
//! submission, finding, oversight order and follow-up whose due day moves,
//! listed per department; and, when the year is saved, moving those due days
//! and telling each applicant and handler concerned, in the same transaction,
//! on each of their channels (in-app, SMS, e-mail) as a step of a case does.

use super::parse_date;
use crate::cases::recount::{self, CaseRecount};
use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use serde::Serialize;
use std::collections::BTreeMap;
use zwfw_domain::calendar::{recount_due, Calendar, DueKind, YearSpec};
use zwfw_domain::clock::local_date;
use zwfw_store::calendar::OpenDue;
use zwfw_store::outbox::Notice;

/// One due day that the proposed calendar moves.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueChange {
    /// case | interaction | finding | order | follow_up
    pub kind: String,
    /// 办件, 政民互动, 监察发现, 督办单, 差评整改
    pub kind_label: String,
    /// Which due day of it moves (承诺办结日, 受理期限, 法定办结日, 环节期限,
    /// 答复期限, 整改期限).
    pub due_label: String,
    pub id: i64,
    /// The number people know it by.
    pub label: String,
    /// YYYY-MM-DD
    pub old_due: String,
    /// YYYY-MM-DD
    pub new_due: String,
    /// Where to read it.
    pub link: String,
    /// Who is told, each on their channels (the text is written when the
    /// year is saved, with its reason).
    #[serde(skip)]
    #[schema(ignore)]
    pub(crate) readers: Vec<Notice>,
}

/// The due days one department sees moved.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DepartmentImpact {
    pub department_id: Option<i64>,
    pub department: String,
    pub changes: Vec<DueChange>,
}

/// How many of one kind move.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KindCount {
    pub kind: String,
    pub kind_label: String,
    pub count: i64,
}

/// What saving the proposed year would move.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Impact {
    pub year: i32,
    /// Every due day that moves, counted per kind (all five kinds, zeros too).
    pub counts: Vec<KindCount>,
    pub total: i64,
    pub departments: Vec<DepartmentImpact>,
}

/// Checks a proposed year as an administrator enters it, and the whole
/// calendar with it; answers the calendar in force and the proposed one.
pub(super) fn proposed(ctx: &Ctx<'_>, spec: &YearSpec) -> AppResult<(std::sync::Arc<Calendar>, Calendar)> {
    super::may_edit(ctx)?;
    let st = ctx.state;
    spec.check_entry(chrono::Datelike::year(&st.today()))?;
    let current = st.calendar();
    // The whole calendar must still compile (neighbouring years agree, no gap).
    let mut all: Vec<YearSpec> = current.specs().filter(|s| s.year != spec.year).cloned().collect();
    all.push(spec.clone());
    Calendar::new(all.clone())?;
    let new = Calendar::with_provisional(all, 1)?;
    Ok((current, new))
}

/// The due days that saving `spec` would move, per department.
pub async fn preview(ctx: &Ctx<'_>, spec: &YearSpec) -> AppResult<Impact> {
    let (old, new) = proposed(ctx, spec)?;
    let (cases, others) = changes(ctx.state, &old, &new).await?;
    impact(ctx.state, spec.year, &cases, &others).await
}

/// The cases and the other objects whose due days move from `old` to `new`.
pub(super) async fn changes(
    st: &App,
    old: &Calendar,
    new: &Calendar,
) -> AppResult<(Vec<CaseRecount>, Vec<(OpenDue, String)>)> {
    let cases = recount::changes(st, new).await?;
    let mut others = Vec::new();
    for due in zwfw_store::calendar::open_dues(&st.store).await? {
        let start = local_date(due.start_ms);
        let Ok(old_due) = parse_date(&due.due) else { continue };
        // A due day outside the configured years is left to the next change.
        let Ok(moved) = recount_due(old, new, start, old_due) else { continue };
        if moved != old_due {
            others.push((due, zwfw_domain::time::ymd(moved)));
        }
    }
    Ok((cases, others))
}

fn link(kind: DueKind, id: i64, label: &str) -> String {
    match kind {
        DueKind::Case => format!("/cases/{id}"),
        DueKind::Interaction => format!("/interact/{label}"),
        DueKind::Finding => format!("/supervision/findings/{id}"),
        DueKind::Order => format!("/supervision/orders/{id}"),
        DueKind::FollowUp => "/ratings".to_string(),
    }
}

/// The changes as the preview shows them, per department (by name).
pub(super) async fn impact(
    st: &App,
    year: i32,
    cases: &[CaseRecount],
    others: &[(OpenDue, String)],
) -> AppResult<Impact> {
    let names: BTreeMap<i64, String> =
        zwfw_store::admin::list_departments(&st.store).await?.into_iter().map(|d| (d.id, d.name)).collect();
    let mut by_dept: BTreeMap<Option<i64>, Vec<DueChange>> = BTreeMap::new();
    let change = |kind: DueKind, which: &str, id: i64, label: &str, old: &str, new: &str, readers: Vec<Notice>| {
        let link = link(kind, id, label);
        let readers = readers.into_iter().map(|r| Notice { link: link.clone(), ..r }).collect();
        DueChange {
            kind: kind.code().into(),
            kind_label: kind.label().into(),
            due_label: which.into(),
            id,
            label: label.into(),
            old_due: old.into(),
            new_due: new.into(),
            link,
            readers,
        }
    };
    for c in cases {
        let readers = case_readers(c);
        by_dept.entry(Some(c.department_id)).or_default().push(change(
            DueKind::Case,
            c.which,
            c.id,
            &c.case_no,
            &c.old_due,
            &c.new_due,
            readers,
        ));
    }
    for (d, new_due) in others {
        // The submitter of an interaction is a member of the public: on every
        // channel their account gives; staff in-app and by their account's e-mail.
        let public = d.kind == DueKind::Interaction;
        let readers = d.user_id.map(|u| reader(Some(u), None, None, public)).into_iter().collect();
        let which = if d.kind == DueKind::FollowUp { "整改期限" } else { "答复期限" };
        by_dept
            .entry(d.department_id)
            .or_default()
            .push(change(d.kind, which, d.id, &d.label, &d.due, new_due, readers));
    }
    let counts: Vec<KindCount> = DueKind::ALL
        .iter()
        .map(|k| KindCount {
            kind: k.code().into(),
            kind_label: k.label().into(),
            count: by_dept.values().flatten().filter(|c| c.kind == k.code()).count() as i64,
        })
        .collect();
    let departments: Vec<DepartmentImpact> = by_dept
        .into_iter()
        .map(|(id, changes)| DepartmentImpact {
            department_id: id,
            department: id.and_then(|i| names.get(&i).cloned()).unwrap_or_else(|| "（无所属部门）".into()),
            changes,
        })
        .collect();
    Ok(Impact { year, total: counts.iter().map(|c| c.count).sum(), counts, departments })
}

/// A reader of a notice whose text is not written yet: the account (in-app,
/// and its e-mail address unless `email` is given), the mobile, and whether
/// to send an SMS to the account's mobile when none is given.
fn reader(user_id: Option<i64>, mobile: Option<String>, email: Option<String>, sms_to_account: bool) -> Notice {
    Notice { user_id, mobile, email, sms_to_account, title: String::new(), body: String::new(), link: String::new() }
}

/// Who is told that a case's deadlines moved: the applicant when their own
/// deadlines move, on each channel the application gives (as a step of the
/// case tells them), and the officer handling it.
fn case_readers(c: &CaseRecount) -> Vec<Notice> {
    let mut out = vec![];
    if c.moves_case() {
        let given = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        let applicant = reader(c.applicant_user_id, given(&c.applicant_mobile), given(&c.applicant_email), false);
        if applicant.user_id.is_some() || applicant.mobile.is_some() || applicant.email.is_some() {
            out.push(applicant);
        }
    }
    out.extend(c.assignee_id.map(|u| reader(Some(u), None, None, false)));
    out
}

/// Moves the due days of `others` and the deadlines of `cases`, and tells
/// everyone concerned, inside the transaction that saves the year.
pub(super) async fn apply(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    year: i32,
    reason: &str,
    cases: &[CaseRecount],
    others: &[(OpenDue, String)],
    impact: &Impact,
) -> AppResult<()> {
    for c in cases {
        recount::apply(tx, c).await?;
    }
    for (d, new_due) in others {
        zwfw_store::calendar::move_due(tx, d.kind, d.id, &d.due, new_due).await?;
    }
    let title = crate::messages::due_moved_title(year);
    let mut notices = vec![];
    for dept in &impact.departments {
        for c in &dept.changes {
            let what = format!("{}{}", c.kind_label, c.due_label);
            let body = crate::messages::due_moved_body(&what, &c.label, &c.old_due, &c.new_due, year, reason);
            notices.extend(c.readers.iter().map(|r| Notice { title: title.clone(), body: body.clone(), ..r.clone() }));
        }
    }
    // A statement per hundred notices (SQLite joins at most 500 SELECTs in one).
    for part in notices.chunks(100) {
        zwfw_store::outbox::write_notices(tx, part, ctx.now()).await?;
    }
    Ok(())
}

impl From<zwfw_domain::calendar::notice_text::NoticeTextError> for AppError {
    fn from(e: zwfw_domain::calendar::notice_text::NoticeTextError) -> Self {
        AppError::with_detail(Kind::Invalid, "notice_text_unreadable", format!("{}:{}", e.line, e.reason.code()))
    }
}
