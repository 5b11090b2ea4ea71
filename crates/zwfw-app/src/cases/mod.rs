//! Cases (办件): online and counter application, acceptance, processing,
//! conclusion and delivery. Every action loads the case's events, lets the
//! domain decide (`zwfw_domain::cases::apply`), and appends the new event, the
//! rewritten projection and the audit record in one transaction.
//!
//! Concurrency: an action may name the event number it was decided on
//! (`expected_seq`); if somebody acted first it is refused with
//! `already_handled` and who did what. Repeats: an action or a submission may
//! carry an idempotency key; a repeat returns the first result and creates
//! nothing.

use crate::error::Kind;
use crate::error::{AppError, AppResult};
use crate::state::{App, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use utoipa::ToSchema;
use zwfw_domain::access::cases::{self as access, CaseFacts};
use zwfw_domain::access::Refusal;
use zwfw_domain::admin::{AccountKind, Actor, Role};
use zwfw_domain::cases::{
    self as dc, ApplicantKind, CaseError, CaseState, CaseView, Channel, DocKind, Event, EventKind, Outcome, TrustLevel,
};
use zwfw_domain::catalog::{ItemContent, ItemStatus};
use zwfw_domain::ids::{CreditCode, Mobile, ResidentId};
use zwfw_store::cases::{self as sc, CaseRow, NewCase, NewEvent, Projection};

mod act;
mod application;
pub mod backfill;
pub mod correct;
mod drafts;
pub mod notices;
mod read;
pub(crate) mod recount;
pub mod sources;
mod track;
mod workbench;
mod write;

pub use act::*;
pub use application::*;
pub use drafts::*;
pub use read::*;
pub use sources::{
    mark_unfulfilled, material_options, may_mark_unfulfilled, MaterialCheck, MaterialOption, UnfulfilledInput,
};
pub use track::*;
pub use workbench::*;
use write::*;

/// A refusal of the access rules: `not_party` hides the case (not found),
/// a bad transfer target is invalid input, the others are forbidden.
pub fn refused(r: Refusal) -> AppError {
    AppError::refused(r, "case")
}

/// The access facts of a stored case.
/// Whether `actor` reads the case as stored (a draft only its own side reads).
pub(crate) fn readable(actor: &Actor, row: &CaseRow, content: &ItemContent) -> bool {
    let state = CaseState::parse(&row.p.state).unwrap_or(CaseState::Submitted);
    access::may_read_in(actor, &facts(row), content, state)
}

pub fn facts(row: &CaseRow) -> CaseFacts {
    CaseFacts {
        department_id: row.department_id,
        applicant_user_id: row.applicant_user_id,
        channel: Channel::parse(&row.channel).unwrap_or(Channel::Counter),
        assignee_id: row.p.assignee_id,
    }
}

/// A colleague as the access rules see a transfer target.
pub fn transfer_target(u: &zwfw_store::admin::User) -> access::TransferTarget<'_> {
    access::TransferTarget {
        user_id: u.id,
        is_staff: u.kind == AccountKind::Staff,
        active: u.active,
        department_id: u.department_id,
        roles: &u.roles,
    }
}

impl From<CaseError> for AppError {
    fn from(e: CaseError) -> Self {
        let (status, code) = match &e {
            CaseError::WrongRole => (Kind::Forbidden, "wrong_role"),
            CaseError::ReasonRequired => (Kind::Invalid, "reason_required"),
            CaseError::EmptySupplement => (Kind::Invalid, "empty_supplement"),
            CaseError::DocumentRequired => (Kind::Invalid, "document_required"),
            CaseError::LicenceOnlyWithGrant => (Kind::Invalid, "licence_only_with_grant"),
            CaseError::GrantTextWithoutGrant => (Kind::Invalid, "grant_text_without_grant"),
            CaseError::BadReturn => (Kind::Invalid, "bad_return"),
            CaseError::SpecialNotAllowed => (Kind::Invalid, "special_not_allowed"),
            CaseError::WithdrawalPending => (Kind::Conflict, "withdrawal_pending"),
            CaseError::NoWithdrawalPending => (Kind::Conflict, "no_withdrawal_pending"),
            CaseError::Calendar(_) => (Kind::Unavailable, "calendar_missing"),
            _ => (Kind::Conflict, "case_conflict"),
        };
        AppError::with_detail(status, code, crate::messages::case_error_text(&e))
    }
}

fn sm3_hex(b: &[u8]) -> String {
    zwfw_domain::audit::sm3_hex(b)
}

/// A query password: eight characters without look-alikes.
pub(crate) fn query_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::thread_rng();
    (0..8).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

pub(crate) fn hash_query(salt: &str, password: &str) -> String {
    format!("{salt}${}", sm3_hex(format!("{salt}:{}", password.trim().to_uppercase()).as_bytes()))
}

pub(crate) fn query_matches(stored: &str, password: &str) -> bool {
    match stored.split_once('$') {
        Some((salt, _)) => {
            let want = hash_query(salt, password);
            // constant-time comparison
            want.len() == stored.len() && want.bytes().zip(stored.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0
        }
        None => false,
    }
}

/// The content of an item version; published versions never change, so they are cached.
pub async fn item_version(st: &App, version_id: i64) -> AppResult<Arc<ItemContent>> {
    if let Some(c) = st.versions.lock().expect("versions lock").get(&version_id) {
        return Ok(c.clone());
    }
    let v = zwfw_store::catalog::get_version(&st.store, version_id).await?;
    let c = Arc::new(v.content);
    st.versions.lock().expect("versions lock").insert(version_id, c.clone());
    Ok(c)
}

fn to_events(rows: &[sc::EventRow]) -> AppResult<Vec<Event>> {
    rows.iter()
        .map(|r| serde_json::from_value(r.body.clone()).map_err(|e| AppError::Internal(format!("stored event: {e}"))))
        .collect()
}

fn kind_code(k: &EventKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
        .unwrap_or_default()
}

pub fn day_text(d: chrono::NaiveDate) -> String {
    zwfw_domain::time::ymd(d)
}

/// The projection of a case after `e`, from its new view.
fn project(st: &App, item: &ItemContent, row: &CaseRow, v: &CaseView, e: &Event, seq: i64) -> AppResult<Projection> {
    project_on(&st.calendar(), item, row, v, e, seq)
}

/// `project` on a given calendar (the one in force, or one proposed).
fn project_on(
    cal: &zwfw_domain::calendar::Calendar,
    item: &ItemContent,
    row: &CaseRow,
    v: &CaseView,
    e: &Event,
    seq: i64,
) -> AppResult<Projection> {
    let mut p = row.p.clone();
    p.state = v.state.code().to_string();
    p.seq = seq;
    p.step_no = v.step as i64;
    p.supplement_notices = i64::from(v.supplement_notices);
    p.deemed_accepted = v.deemed_accepted;
    p.outcome = v.outcome.map(|o| o.code().to_string());
    p.submitted_at = v.submitted_at_ms;
    p.accepted_at = v.accepted_at_ms;
    if let EventKind::Submitted = e.kind {
        p.acceptance_due = Some(day_text(dc::acceptance_due(cal, e.at_ms)?));
    }
    match &e.kind {
        EventKind::Transferred { to_user, .. } => p.assignee_id = Some(*to_user),
        EventKind::StepPassed { .. } | EventKind::ReturnedToStep { .. } | EventKind::Accepted => p.assignee_id = None,
        _ => {}
    }
    if let EventKind::Concluded { outcome: Outcome::Granted, document_no, .. } = &e.kind {
        p.result_no = Some(document_no.clone());
    }
    let status = match &v.clock {
        Some(c) => Some(c.status_at(cal, e.at_ms)?),
        None => None,
    };
    if let Some(s) = &status {
        p.promised_due = Some(day_text(s.promised.deadline));
        p.legal_due = Some(day_text(s.legal.deadline));
        p.suspended = s.suspended_now;
    }
    let step = item.steps.get(v.step);
    p.step_name = match v.state {
        CaseState::Draft => "草稿".into(),
        CaseState::Submitted => "预审".into(),
        CaseState::Supplementing => "补正".into(),
        CaseState::InProgress => step.map(|s| s.name.clone()).unwrap_or_default(),
        CaseState::Deciding => "决定".into(),
        _ => "办结".into(),
    };
    match v.state {
        CaseState::Submitted => {
            p.handling_department_id = Some(row.department_id);
            p.step_due = p.acceptance_due.clone();
        }
        CaseState::InProgress => {
            p.handling_department_id = step.map(|s| s.department_id);
            p.step_due = status.as_ref().and_then(|s| s.steps.last()).map(|t| day_text(t.period.deadline));
        }
        CaseState::Deciding => {
            p.handling_department_id = Some(row.department_id);
            p.step_due = p.promised_due.clone();
        }
        _ => {
            p.handling_department_id = None;
            p.assignee_id = None;
            p.step_due = None;
        }
    }
    if v.state.is_ended() && p.concluded_at.is_none() {
        p.concluded_at = Some(e.at_ms);
    }
    // A conclusion corrected (办结结论有误): the case is open again, its
    // licence number gone with the grant.
    if !v.state.is_ended() {
        p.concluded_at = None;
    }
    if v.outcome.is_none() {
        p.result_no = None;
    }
    p.view = serde_json::to_string(v).map_err(|x| AppError::Internal(x.to_string()))?;
    Ok(p)
}
