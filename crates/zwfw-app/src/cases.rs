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

/// A refusal of the access rules: `not_party` hides the case (not found),
/// a bad transfer target is invalid input, the others are forbidden.
pub fn refused(r: Refusal) -> AppError {
    match r {
        r if r.hides_object() => AppError::not_found("case"),
        Refusal::BadTransferTarget => AppError::with_detail(Kind::Invalid, "invalid_action", "to_user"),
        r => AppError::with_detail(Kind::Forbidden, r.code(), r.code()),
    }
}

/// The access facts of a stored case.
pub fn facts(row: &CaseRow) -> CaseFacts {
    CaseFacts {
        department_id: row.department_id,
        applicant_user_id: row.applicant_user_id,
        channel: Channel::parse(&row.channel).unwrap_or(Channel::Counter),
        assignee_id: row.p.assignee_id,
    }
}

impl From<CaseError> for AppError {
    fn from(e: CaseError) -> Self {
        let (status, code) = match &e {
            CaseError::WrongRole => (Kind::Forbidden, "wrong_role"),
            CaseError::ReasonRequired => (Kind::Invalid, "reason_required"),
            CaseError::EmptySupplement => (Kind::Invalid, "empty_supplement"),
            CaseError::DocumentRequired => (Kind::Invalid, "document_required"),
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
    let cal = st.calendar();
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
        p.acceptance_due = Some(day_text(dc::acceptance_due(&cal, e.at_ms)?));
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
        Some(c) => Some(c.status_at(&cal, e.at_ms)?),
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
    p.view = serde_json::to_string(v).map_err(|x| AppError::Internal(x.to_string()))?;
    Ok(p)
}

// ---------- application ----------

/// The applicant, as a counter officer enters it (public users apply as themselves).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ApplicantInput {
    /// natural (自然人) | legal (法人)
    pub kind: String,
    pub name: String,
    /// 身份证号 for a natural person, 统一社会信用代码 for a legal person.
    pub id_no: String,
    pub mobile: String,
    #[serde(default)]
    pub address: String,
}

/// One material of the application: an upload of the applicant's, or an entry of their e-materials library.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct MaterialRef {
    /// 1-based number of the material in the item's list.
    pub material_no: usize,
    pub upload_id: Option<i64>,
    pub e_material_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ApplicationInput {
    /// Required when counter staff register for an applicant; public users apply as themselves
    /// (their mobile and address may be given here).
    pub applicant: Option<ApplicantInput>,
    /// The application form: 申请事项说明 and any other fields.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub form: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub materials: Vec<MaterialRef>,
    /// Save as a draft instead of submitting.
    #[serde(default)]
    pub draft: bool,
    /// A repeated request with the same key returns the first result.
    pub idem_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Submitted {
    pub case_id: i64,
    pub case_no: Option<String>,
    /// Shown once: with the case number it lets anyone follow the case without signing in.
    pub query_password: Option<String>,
    pub state: String,
    /// The request repeated an earlier one; nothing new was created.
    pub repeated: bool,
}

fn unprocessable(code: &'static str, detail: impl Into<String>) -> AppError {
    AppError::with_detail(Kind::Invalid, code, detail)
}

/// Checks an identity: its kind, name, number and mobile.
fn check_applicant(a: &ApplicantInput) -> AppResult<ApplicantInput> {
    let mut a = a.clone();
    a.name = a.name.trim().to_string();
    if a.name.is_empty() || a.name.chars().count() > 100 {
        return Err(unprocessable("invalid_applicant", "name"));
    }
    a.id_no = match ApplicantKind::parse(&a.kind) {
        Some(ApplicantKind::Natural) => ResidentId::parse(&a.id_no)?.as_str().to_string(),
        Some(ApplicantKind::Legal) => CreditCode::parse(&a.id_no)?.as_str().to_string(),
        None => return Err(unprocessable("invalid_applicant", "kind")),
    };
    a.mobile = Mobile::parse(&a.mobile)?.as_str().to_string();
    a.address = a.address.trim().chars().take(200).collect();
    Ok(a)
}

/// The application form as the item defines it, or the first problem.
fn check_form(
    content: &ItemContent,
    given: &serde_json::Map<String, serde_json::Value>,
    draft: bool,
) -> AppResult<serde_json::Map<String, serde_json::Value>> {
    let values: Vec<(String, String)> = given
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
        .collect();
    let mut fields = content.form_fields.clone();
    if draft {
        fields.iter_mut().for_each(|f| f.required = false);
    }
    let kept = zwfw_domain::catalog::check_form(&fields, &values)
        .map_err(|e| AppError::with_detail(Kind::Invalid, "invalid_form", crate::messages::form_error_text(&e)))?;
    Ok(kept.into_iter().map(|(k, v)| (k, json!(v))).collect())
}

fn idem(key: &Option<String>) -> AppResult<Option<String>> {
    match key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) if k.len() <= 100 && k.bytes().all(|b| b.is_ascii_graphic()) => Ok(Some(k.to_string())),
        Some(_) => Err(unprocessable("invalid_idem_key", "idem_key")),
        None => Ok(None),
    }
}

/// Submits (or saves as a draft) an application for a published item.
pub async fn apply(ctx: &Ctx<'_>, item_id: i64, input: &ApplicationInput) -> AppResult<Submitted> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let item = zwfw_store::catalog::get_item(&st.store, item_id).await?;
    let version_id = match (ItemStatus::parse(&item.status), item.published_version_id) {
        (Some(ItemStatus::Active), Some(v)) => v,
        _ => return Err(AppError::not_found("item")),
    };
    let content = item_version(st, version_id).await?;
    let key = idem(&input.idem_key)?;
    if let Some(k) = &key {
        if let Some(id) = sc::find_by_idem(&st.store, &scoped_key(actor, k)).await? {
            let c = sc::get_case(&st.store, id).await?;
            return Ok(Submitted {
                case_id: id,
                case_no: c.case_no,
                query_password: None,
                state: c.p.state,
                repeated: true,
            });
        }
    }
    // Who applies, through which channel.
    let (applicant, applicant_user_id, channel, trust_upload) = if actor.is_staff() {
        if !actor.has(Role::Counter) || actor.department_id != Some(content.department_id) {
            return Err(AppError::forbidden());
        }
        let a = check_applicant(input.applicant.as_ref().ok_or_else(|| unprocessable("invalid_applicant", "kind"))?)?;
        let account = sc::find_applicant_account(&st.store, &a.id_no).await?;
        (a, account, "counter", TrustLevel::B)
    } else {
        if !content.online {
            return Err(AppError::with_detail(Kind::Conflict, "not_online", "item"));
        }
        let user = zwfw_store::admin::get_user(&st.store, actor.user_id).await?;
        let given = input.applicant.clone().unwrap_or_default();
        let (kind, id_no) = match user.kind {
            AccountKind::Company => (ApplicantKind::Legal.code(), user.credit_code.clone().unwrap_or_default()),
            _ => (ApplicantKind::Natural.code(), user.id_number.clone().unwrap_or_default()),
        };
        let mobile =
            if given.mobile.trim().is_empty() { user.mobile.clone().unwrap_or_default() } else { given.mobile };
        let a = check_applicant(&ApplicantInput {
            kind: kind.into(),
            name: user.display_name.clone(),
            id_no,
            mobile,
            address: given.address,
        })?;
        (a, Some(actor.user_id), "online", TrustLevel::C)
    };
    // The form: the item's fields, checked (a draft may leave required ones empty).
    let form = check_form(&content, &input.form, input.draft)?;
    // Materials: each must be the actor's upload or the applicant's library entry.
    let mut mats: Vec<(MaterialRef, sc::NewMaterialOwned)> = vec![];
    for m in &input.materials {
        let spec = content
            .materials
            .get(m.material_no.wrapping_sub(1))
            .ok_or_else(|| unprocessable("invalid_material", m.material_no.to_string()))?;
        let owned = resolve_material(st, actor, applicant_user_id, m, &spec.name, trust_upload).await?;
        mats.push((m.clone(), owned));
    }
    if !input.draft {
        let missing: Vec<String> = content
            .materials
            .iter()
            .enumerate()
            .filter(|(i, spec)| spec.required && !mats.iter().any(|(m, _)| m.material_no == i + 1))
            .map(|(_, spec)| spec.name.clone())
            .collect();
        if !missing.is_empty() {
            return Err(unprocessable("materials_missing", missing.join("、")));
        }
    }
    let password = query_password();
    let salt = crate::sessions::random_token(8);
    let now = ctx.now();
    let form = serde_json::Value::Object(form);
    let scoped = key.as_ref().map(|k| scoped_key(actor, k));
    let query_hash = hash_query(&salt, &password);
    let new_case = NewCase {
        item_id,
        version_id,
        item_name: &content.name,
        impl_code: &item.impl_code,
        department_id: content.department_id,
        applicant_user_id,
        applicant_kind: &applicant.kind,
        applicant_name: &applicant.name,
        applicant_id_no: &applicant.id_no,
        applicant_mobile: &applicant.mobile,
        applicant_address: &applicant.address,
        form: &form,
        channel,
        registered_by: actor.is_staff().then_some(actor.user_id),
        query_hash: &query_hash,
        idem_key: scoped.as_deref(),
    };
    let created = |case_id: i64| {
        ctx.entry(
            "case_create",
            "case",
            case_id,
            json!({"item_id": item_id, "version_id": version_id, "channel": channel, "materials": mats.len()}),
            "",
        )
    };
    let duplicate = |e: zwfw_store::StoreError| match e {
        zwfw_store::StoreError::Duplicate(_) => AppError::with_detail(Kind::Conflict, "already_submitted", "idem_key"),
        e => e.into(),
    };
    if input.draft {
        let mut tx = st.store.begin().await?;
        let row = sc::insert_case(&mut tx, &new_case, now).await.map_err(duplicate)?;
        attach_materials(&mut tx, &row, &mats, 0, actor.user_id, now).await?;
        ctx.audit(&mut tx, created(row.id)).await?;
        tx.commit().await?;
        crate::metrics::Metrics::inc(&st.metrics.cases_created);
        return Ok(Submitted {
            case_id: row.id,
            case_no: None,
            query_password: Some(password),
            state: row.p.state,
            repeated: false,
        });
    }
    // Registered and submitted at once: everything is decided on the draft
    // as it would be stored, then written in one go.
    let draft = sc::draft_row(&new_case, now);
    let mut w = prepare(ctx, &draft, &content, &CaseView::new(), submission(actor, now)).await?;
    if w.joint.is_some() || w.document.is_some() {
        return Err(AppError::Internal("a submission writes no joint review and no document".into()));
    }
    // The audit records' object is the new case, whose id the store fills in.
    w.first_audit = Some(created(0));
    let audit = w.audit_records();
    let materials: Vec<sc::RegisteredMaterial> = mats
        .iter()
        .map(|(m, owned)| sc::RegisteredMaterial {
            m: owned.as_new(m.material_no as i64),
            library: match (applicant_user_id, m.e_material_id) {
                (_, Some(id)) => sc::Library::Reuse(id),
                (Some(owner), None) => sc::Library::File { owner },
                (None, None) => sc::Library::Without,
            },
        })
        .collect();
    let day = zwfw_domain::clock::local_date(now);
    let (case_id, case_no) = sc::register(
        &st.store,
        &sc::Registration {
            case: &new_case,
            p: &w.p,
            serial: &case_serial(&item.impl_code, day),
            number_prefix: &dc::case_number_prefix(&item.impl_code, day),
            event: w.new_event(0, None),
            materials: &materials,
            by: actor.user_id,
            audit: &audit,
            now_ms: now,
        },
    )
    .await
    .map_err(duplicate)?;
    count_written(ctx, audit.len());
    crate::metrics::Metrics::inc(&st.metrics.cases_created);
    Ok(Submitted { case_id, case_no: Some(case_no), query_password: Some(password), state: w.p.state, repeated: false })
}

/// The serial a case's number is taken from: the item's, for the day.
fn case_serial(impl_code: &str, day: chrono::NaiveDate) -> String {
    format!("case:{impl_code}:{}", day.format("%Y%m%d"))
}

fn scoped_key(actor: &Actor, key: &str) -> String {
    format!("{}:{key}", actor.user_id)
}

async fn resolve_material(
    st: &App,
    actor: &Actor,
    applicant: Option<i64>,
    m: &MaterialRef,
    name: &str,
    trust_upload: TrustLevel,
) -> AppResult<sc::NewMaterialOwned> {
    match (m.upload_id, m.e_material_id) {
        (Some(u), None) => {
            let up = sc::get_upload(&st.store, u).await.map_err(|_| AppError::not_found("upload"))?;
            if up.owner_user_id != actor.user_id {
                return Err(AppError::not_found("upload"));
            }
            Ok(sc::NewMaterialOwned {
                name: name.to_string(),
                file_sm3: up.file_sm3,
                file_name: up.file_name,
                kind: up.kind,
                size: up.size,
                trust: trust_upload.code().to_string(),
            })
        }
        (None, Some(e)) => {
            let em = sc::get_e_material(&st.store, e).await.map_err(|_| AppError::not_found("e_material"))?;
            if Some(em.owner_user_id) != applicant {
                return Err(AppError::not_found("e_material"));
            }
            Ok(sc::NewMaterialOwned {
                name: name.to_string(),
                file_sm3: em.file_sm3,
                file_name: em.file_name,
                kind: em.kind,
                size: em.size,
                trust: em.trust,
            })
        }
        _ => Err(unprocessable("invalid_material", m.material_no.to_string())),
    }
}

/// Attaches materials to a case; an applicant with an account keeps them in
/// their e-materials library.
async fn attach_materials(
    tx: &mut zwfw_store::Tx,
    row: &CaseRow,
    mats: &[(MaterialRef, sc::NewMaterialOwned)],
    round: i64,
    by: i64,
    now: i64,
) -> AppResult<()> {
    for (m, owned) in mats {
        let nm = owned.as_new(m.material_no as i64);
        let emat = match (row.applicant_user_id, m.e_material_id) {
            (_, Some(id)) => Some(id),
            (Some(owner), None) => Some(sc::file_e_material(tx, owner, &nm, Some(row.id), now).await?),
            (None, None) => None,
        };
        sc::add_material(tx, row.id, &nm, emat, round, Some(by), now).await?;
    }
    Ok(())
}

/// Numbers a saved draft and appends its `Submitted` event. The row every
/// submission of the item that day shares (the serial) is taken last, to be
/// held for as short as possible.
async fn submit_in(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    row: &CaseRow,
    content: &ItemContent,
    actor: &Actor,
    idem_key: Option<&str>,
) -> AppResult<(String, Projection)> {
    let now = ctx.now();
    let w = prepare(ctx, row, content, &CaseView::new(), submission(actor, now)).await?;
    let p = w.p.clone();
    if !write_prepared(ctx, tx, row.id, &row.p, w, idem_key).await? {
        return Err(already_handled_plain());
    }
    // The day's serial is taken last: every application of the item that
    // day waits for its row until this transaction commits.
    let day = zwfw_domain::clock::local_date(now);
    let serial = sc::next_serial(tx, &case_serial(&row.impl_code, day)).await?;
    let no = dc::case_number(&row.impl_code, day, serial);
    sc::set_case_no(tx, row.id, &no).await?;
    Ok((no, p))
}

/// The submission of a case by `actor` (the applicant, or a counter officer for them).
fn submission(actor: &Actor, at_ms: i64) -> Event {
    Event {
        at_ms,
        actor_id: Some(actor.user_id),
        role: actor.is_staff().then_some(Role::Counter),
        department_id: actor.department_id,
        kind: EventKind::Submitted,
    }
}

/// The open joint review of a step: (step, [(co-department, due day, answered)]).
type JointState = (i64, Vec<(i64, String, bool)>);

/// Everything one event writes, computed before the write transaction so
/// that the transaction itself only writes.
struct Prepared {
    p: Projection,
    body: serde_json::Value,
    kind: String,
    event: Event,
    actor_name: String,
    step_name: String,
    /// The joint-review state of the current step, when it changes.
    joint: Option<JointState>,
    /// The official document this event produces, numbered when written.
    document: Option<sc::NewDocument>,
    /// An audit record written just before the event's own.
    first_audit: Option<zwfw_domain::audit::AuditEntry>,
    audit: zwfw_domain::audit::AuditEntry,
}

/// Applies `e` to the case's view `view` (domain rules) and computes what it writes.
async fn prepare(
    ctx: &Ctx<'_>,
    row: &CaseRow,
    content: &ItemContent,
    view: &CaseView,
    e: Event,
) -> AppResult<Prepared> {
    let st = ctx.state;
    let next = dc::apply(content, view, &e)?;
    let seq = row.p.seq + 1;
    let p = project(st, content, row, &next, &e, seq)?;
    let body = serde_json::to_value(&e).map_err(|x| AppError::Internal(x.to_string()))?;
    let kind = kind_code(&e.kind);
    let actor_name = ctx.actor.map(|a| a.display_name.clone()).unwrap_or_else(|| "系统".into());
    // Joint review: the co-departments waiting at the current step.
    let mut joint = None;
    let step_changed = next.step != view.step || next.state != view.state;
    if step_changed || matches!(e.kind, EventKind::JointAnswered { .. } | EventKind::JointTimedOut { .. }) {
        let mut open = vec![];
        if next.state == CaseState::InProgress {
            if let (Some(step), Some(clock)) = (content.steps.get(next.step), next.clock.as_ref()) {
                let started = clock.steps.last().map(|t| t.started_on).unwrap_or(clock.accepted_on);
                let cal = st.calendar();
                for c in &step.joint {
                    let due = cal.add_working_days(started, c.limit_days).map_err(CaseError::from)?;
                    let done = next.joint_answers.iter().any(|(d, _)| *d == c.department_id)
                        || next.joint_missing.contains(&c.department_id);
                    open.push((c.department_id, day_text(due), done));
                }
            }
        }
        let any_joint = content.steps.iter().any(|s| !s.joint.is_empty());
        if any_joint && (!open.is_empty() || view.state == CaseState::InProgress) {
            joint = Some((next.step as i64, open));
        }
    }
    // The official document this event produces gets its number when
    // written; the PDF is rendered from the event when first downloaded.
    let document = match DocKind::of(&e.kind) {
        Some(dk) => {
            use chrono::Datelike;
            let year = zwfw_domain::clock::local_date(e.at_ms).year();
            let dept = st.department(row.department_id).await?;
            let short = if dept.short_name.trim().is_empty() { dept.name.as_str() } else { dept.short_name.as_str() };
            let (prefix, suffix) = dk.number_parts(short, year);
            Some(sc::NewDocument {
                kind: dk.code().to_string(),
                serial: format!("doc:{}:{}:{year}", dept.id, dk.code()),
                prefix,
                suffix: suffix.into(),
            })
        }
        None => None,
    };
    let audit =
        ctx.entry(&format!("case_{kind}"), "case", row.id, json!({"seq": seq, "event": body}), &reason_of(&e.kind));
    Ok(Prepared {
        p,
        body,
        kind,
        event: e,
        actor_name,
        step_name: row.p.step_name.clone(),
        joint,
        document,
        first_audit: None,
        audit,
    })
}

impl Prepared {
    fn audit_records(&self) -> Vec<zwfw_domain::audit::AuditEntry> {
        self.first_audit.iter().chain(std::iter::once(&self.audit)).cloned().collect()
    }

    fn transition<'a>(
        &'a self,
        case_id: i64,
        old: &'a Projection,
        idem_key: Option<&'a str>,
        audit: &'a [zwfw_domain::audit::AuditEntry],
    ) -> sc::Transition<'a> {
        sc::Transition {
            event: self.new_event(case_id, idem_key),
            old,
            p: &self.p,
            document: self.document.as_ref(),
            audit,
        }
    }

    fn new_event<'a>(&'a self, case_id: i64, idem_key: Option<&'a str>) -> NewEvent<'a> {
        NewEvent {
            case_id,
            seq: self.p.seq,
            kind: &self.kind,
            body: &self.body,
            at: self.event.at_ms,
            actor_id: self.event.actor_id,
            actor_name: &self.actor_name,
            role: self.event.role.map(|r| r.code()),
            department_id: self.event.department_id,
            step_name: &self.step_name,
            idem_key,
        }
    }
}

/// Writes a prepared event that touches nothing else (no joint-review
/// state, no materials) as a transaction of its own; false when someone
/// else moved the case first.
async fn write_alone(
    ctx: &Ctx<'_>,
    case_id: i64,
    old: &Projection,
    w: &Prepared,
    idem_key: Option<&str>,
) -> AppResult<bool> {
    let audit = w.audit_records();
    let written = sc::write_transition(&ctx.state.store, &w.transition(case_id, old, idem_key, &audit)).await?;
    if written {
        count_written(ctx, audit.len());
    }
    Ok(written)
}

/// Counts a written event and its audit records.
fn count_written(ctx: &Ctx<'_>, audit_records: usize) {
    crate::metrics::Metrics::inc(&ctx.state.metrics.case_events);
    crate::metrics::Metrics::add(&ctx.state.metrics.audit_records, audit_records as u64);
}

/// Writes a prepared event: event, projection (only if the case is still at
/// the event `old` was read at), joint-review state, document number and audit record.
/// Returns false, having written nothing that counts, when someone else moved
/// the case first (the caller drops the transaction).
async fn write_prepared(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    case_id: i64,
    old: &Projection,
    w: Prepared,
    idem_key: Option<&str>,
) -> AppResult<bool> {
    let audit = w.audit_records();
    if !sc::write_transition_in(tx, &w.transition(case_id, old, idem_key, &audit)).await? {
        return Ok(false);
    }
    if let Some((step, open)) = &w.joint {
        sc::set_joint(tx, case_id, *step, open).await?;
    }
    count_written(ctx, audit.len());
    Ok(true)
}

/// Applies `e` to the case and stores event, projection, joint-review state,
/// document number and audit record (inside the caller's transaction, which
/// has read the case in it).
async fn append(
    ctx: &Ctx<'_>,
    tx: &mut zwfw_store::Tx,
    row: &CaseRow,
    content: &ItemContent,
    view: &CaseView,
    e: Event,
    idem_key: Option<&str>,
) -> AppResult<Projection> {
    let w = prepare(ctx, row, content, view, e).await?;
    let p = w.p.clone();
    if !write_prepared(ctx, tx, row.id, &row.p, w, idem_key).await? {
        return Err(already_handled_plain());
    }
    Ok(p)
}

fn reason_of(k: &EventKind) -> String {
    use EventKind::*;
    match k {
        Refused { reason } | ReturnedToStep { reason, .. } | Transferred { reason, .. } | Withdrawn { reason } => {
            reason.clone()
        }
        StepPassed { opinion } | ExtensionDecided { opinion, .. } | JointAnswered { opinion, .. } => opinion.clone(),
        Urged { message } => message.clone(),
        ExtensionRequested { reason, .. } | SpecialStarted { reason, .. } | WithdrawalRequested { reason } => {
            reason.clone()
        }
        WithdrawalDeclined { opinion } => opinion.clone(),
        SpecialEnded { result } => result.clone(),
        Concluded { reason, .. } => reason.clone(),
        SupplementRequested { missing } => missing.join("；"),
        _ => String::new(),
    }
}

fn already_handled_plain() -> AppError {
    AppError::with_detail(Kind::Conflict, "already_handled", "该办件刚被其他人处理，请刷新后查看")
}

// ---------- actions ----------

/// An action on a case. Which fields matter depends on `action`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ActionInput {
    /// submit | supplement_request | supplement_provide | accept | refuse | pass | return | transfer | urge |
    /// extension_request | extension_decide | special_start | special_end | joint_answer | joint_close |
    /// conclude | deliver | withdraw | withdrawal_request | withdrawal_decline
    pub action: String,
    /// The event number the decision was made on; a different current number means someone acted first.
    pub expected_seq: Option<i64>,
    pub idem_key: Option<String>,
    /// 处理意见 / reason.
    #[serde(default)]
    pub opinion: String,
    /// Everything missing, for a supplement notice.
    #[serde(default)]
    pub missing: Vec<String>,
    /// Target step (1-based) of a return.
    pub step: Option<usize>,
    pub to_user: Option<i64>,
    pub days: Option<u32>,
    pub approved: Option<bool>,
    pub agree: Option<bool>,
    /// Special procedure kind, e.g. 检测, 专家评审.
    pub kind: Option<String>,
    /// granted | denied | returned | voided | forwarded
    pub outcome: Option<String>,
    pub document_no: Option<String>,
    /// YYYY-MM-DD
    pub valid_until: Option<String>,
    /// conclude: the fee charged, in fen (分), when one was collected
    pub fee_fen: Option<i64>,
    /// 窗口领取 | 邮寄 | 电子送达
    pub method: Option<String>,
    pub tracking_no: Option<String>,
    /// New materials with a supplement.
    #[serde(default)]
    pub materials: Vec<MaterialRef>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActResult {
    pub case_id: i64,
    pub seq: i64,
    pub state: String,
    pub repeated: bool,
}

fn text(s: &str, max: usize) -> String {
    s.trim().chars().take(max).collect()
}

/// Turns the input into a domain event kind (the edge parse).
fn parse_action(a: &ActionInput, actor: &Actor) -> AppResult<EventKind> {
    let opinion = text(&a.opinion, 2000);
    let bad = |f: &'static str| unprocessable("invalid_action", f);
    Ok(match a.action.as_str() {
        "submit" => EventKind::Submitted,
        "supplement_request" => EventKind::SupplementRequested {
            missing: a.missing.iter().map(|m| text(m, 200)).filter(|m| !m.is_empty()).collect(),
        },
        "supplement_provide" => EventKind::SupplementProvided,
        "accept" => EventKind::Accepted,
        "refuse" => EventKind::Refused { reason: opinion },
        "pass" => EventKind::StepPassed { opinion },
        "return" => EventKind::ReturnedToStep {
            step: a.step.and_then(|s| s.checked_sub(1)).ok_or_else(|| bad("step"))?,
            reason: opinion,
        },
        "transfer" => EventKind::Transferred { to_user: a.to_user.ok_or_else(|| bad("to_user"))?, reason: opinion },
        "urge" => EventKind::Urged { message: opinion },
        "extension_request" => EventKind::ExtensionRequested { days: a.days.unwrap_or(10), reason: opinion },
        "extension_decide" => {
            EventKind::ExtensionDecided { approved: a.approved.ok_or_else(|| bad("approved"))?, opinion }
        }
        "special_start" => {
            EventKind::SpecialStarted { kind: text(a.kind.as_deref().unwrap_or(""), 40), reason: opinion }
        }
        "special_end" => EventKind::SpecialEnded { result: opinion },
        "joint_answer" => EventKind::JointAnswered {
            department_id: actor.department_id.ok_or_else(AppError::forbidden)?,
            agree: a.agree.ok_or_else(|| bad("agree"))?,
            opinion,
        },
        "joint_close" => EventKind::JointTimedOut { departments: vec![] },
        "conclude" => {
            let outcome = a.outcome.as_deref().and_then(Outcome::parse).ok_or_else(|| bad("outcome"))?;
            let valid_until = match a.valid_until.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => Some(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad("valid_until"))?),
                None => None,
            };
            EventKind::Concluded {
                outcome,
                reason: opinion,
                document_no: text(a.document_no.as_deref().unwrap_or(""), 100),
                valid_until,
                fee_fen: match a.fee_fen {
                    Some(f) if !(0..=10_000_000_000).contains(&f) => return Err(bad("fee_fen")),
                    f => f,
                },
            }
        }
        "deliver" => EventKind::Delivered {
            method: text(a.method.as_deref().unwrap_or(""), 20),
            tracking_no: text(a.tracking_no.as_deref().unwrap_or(""), 60),
        },
        "withdraw" => EventKind::Withdrawn { reason: opinion },
        "withdrawal_request" => EventKind::WithdrawalRequested { reason: opinion },
        "withdrawal_decline" => EventKind::WithdrawalDeclined { opinion },
        _ => return Err(bad("action")),
    })
}

pub use zwfw_domain::access::in_department;

/// Takes an action on a case.
pub async fn act(ctx: &Ctx<'_>, case_id: i64, input: &ActionInput) -> AppResult<ActResult> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let kind = parse_action(input, actor)?;
    let key = idem(&input.idem_key)?;
    // The case as this process last wrote it, if it did so recently (the
    // write below is refused if the case moved since, and then the case is
    // read from the database).
    let (row0, mut remembered) = sc::case_to_act(&st.store, case_id).await?;
    let content = item_version(st, row0.version_id).await?;
    if !access::may_read(actor, &facts(&row0), &content) {
        return Err(AppError::not_found("case"));
    }
    // Supplement materials are checked before the transaction.
    let mut supplement = vec![];
    if matches!(kind, EventKind::SupplementProvided) {
        let trust = if actor.is_staff() { TrustLevel::B } else { TrustLevel::C };
        for m in &input.materials {
            let spec = content
                .materials
                .get(m.material_no.wrapping_sub(1))
                .ok_or_else(|| unprocessable("invalid_material", m.material_no.to_string()))?;
            supplement
                .push((m.clone(), resolve_material(st, actor, row0.applicant_user_id, m, &spec.name, trust).await?));
        }
        if supplement.is_empty() {
            return Err(unprocessable("materials_missing", "补正材料"));
        }
    }
    let to_user = match &kind {
        EventKind::Transferred { to_user, .. } => {
            Some(zwfw_store::admin::get_user(&st.store, *to_user).await.map_err(|_| AppError::not_found("user"))?)
        }
        _ => None,
    };
    if matches!(kind, EventKind::Submitted) {
        return submit_draft(ctx, case_id, input, &content, key.as_deref()).await;
    }
    let scoped = key.as_ref().map(|k| scoped_key(actor, k));
    // Optimistic: read and decide outside the write transaction, write only
    // if nobody moved the case meanwhile, else decide again on the new state.
    let mut row = row0;
    let mut reread = false;
    for attempt in 0.. {
        if reread {
            row = sc::case_as_stored(&st.store, case_id).await?;
            remembered = false;
        }
        reread = true;
        if let Some(k) = &scoped {
            if let Some(seq) = sc::event_by_idem(st.store.pool(), case_id, k).await? {
                // The answer says where the case is now: the row remembered
                // may be behind another process's write.
                let state =
                    if remembered { sc::case_as_stored(&st.store, case_id).await?.p.state } else { row.p.state };
                return Ok(ActResult { case_id, seq, state, repeated: true });
            }
        }
        let (w, view) = match decide(ctx, &row, &content, &kind, to_user.as_ref(), input.expected_seq).await {
            Ok(decided) => decided,
            // Refused on the row remembered, which may be behind: decided
            // again on the stored row before the refusal stands.
            Err(_) if remembered => continue,
            Err(e) => return Err(e),
        };
        let (seq, state) = (w.p.seq, w.p.state.clone());
        let written = if supplement.is_empty() && w.joint.is_none() {
            write_alone(ctx, case_id, &row.p, &w, scoped.as_deref()).await?
        } else {
            let mut tx = st.store.begin().await?;
            let written = write_prepared(ctx, &mut tx, case_id, &row.p, w, scoped.as_deref()).await?;
            if written {
                let round = i64::from(view.supplement_notices);
                attach_materials(&mut tx, &row, &supplement, round, actor.user_id, ctx.now()).await?;
                tx.commit().await?;
            }
            written
        };
        if written {
            return Ok(ActResult { case_id, seq, state, repeated: false });
        }
        if (input.expected_seq.is_some() && !remembered) || attempt >= 8 {
            let events = sc::events(&st.store, case_id).await?;
            return Err(already_handled(events.last()));
        }
    }
    unreachable!("the loop returns")
}

/// Decides action `kind` on the case as `row` has it: the event to write
/// and the case's view before it, or why not.
async fn decide(
    ctx: &Ctx<'_>,
    row: &CaseRow,
    content: &ItemContent,
    kind: &EventKind,
    to_user: Option<&zwfw_store::admin::User>,
    expected_seq: Option<i64>,
) -> AppResult<(Prepared, CaseView)> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    if expected_seq.is_some_and(|exp| exp != row.p.seq) {
        let events = sc::events(&st.store, row.id).await?;
        return Err(already_handled(events.last()));
    }
    let view = current_view(st.store.pool(), row, content).await?;
    let role = access::may_act(actor, &facts(row), content, &view, kind).map_err(refused)?;
    if let Some(to) = to_user {
        // A colleague of the department handling the case as decided on,
        // who may act at its step.
        let target = access::TransferTarget {
            user_id: to.id,
            is_staff: to.kind == AccountKind::Staff,
            active: to.active,
            department_id: to.department_id,
            roles: &to.roles,
        };
        access::may_receive_transfer(actor, &target, &facts(row), content, &view).map_err(refused)?;
    }
    let mut kind = kind.clone();
    if let EventKind::JointTimedOut { departments } = &mut kind {
        // Only the co-departments whose sub-deadline has passed.
        let today = st.today();
        let open = sc::joint(&st.store, row.id).await?;
        *departments = open
            .iter()
            .filter(|(_, _, due, answered)| !answered && due.as_str() < day_text(today).as_str())
            .map(|(d, _, _, _)| *d)
            .collect();
        if departments.is_empty() {
            return Err(AppError::with_detail(Kind::Conflict, "joint_not_due", "joint"));
        }
    }
    let e = Event { at_ms: ctx.now(), actor_id: Some(actor.user_id), role, department_id: actor.department_id, kind };
    let w = prepare(ctx, row, content, &view, e).await?;
    Ok((w, view))
}

/// Submits a saved draft: checked and numbered under the case's lock.
async fn submit_draft(
    ctx: &Ctx<'_>,
    case_id: i64,
    input: &ActionInput,
    content: &ItemContent,
    key: Option<&str>,
) -> AppResult<ActResult> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let mut tx = st.store.begin().await?;
    let scoped = key.map(|k| scoped_key(actor, k));
    if let Some(k) = &scoped {
        if let Some(seq) = sc::event_by_idem(tx.conn(), case_id, k).await? {
            drop(tx);
            let c = sc::get_case(&st.store, case_id).await?;
            return Ok(ActResult { case_id, seq, state: c.p.state, repeated: true });
        }
    }
    sc::lock_case(&mut tx, case_id).await?;
    let row = sc::get_case_in(&mut tx, case_id).await?;
    if let Some(exp) = input.expected_seq {
        if exp != row.p.seq {
            let events = sc::events_in(&mut tx, case_id).await?;
            return Err(already_handled(events.last()));
        }
    }
    let view = current_view(tx.conn(), &row, content).await?;
    access::may_act(actor, &facts(&row), content, &view, &EventKind::Submitted).map_err(refused)?;
    if view.state != CaseState::Draft {
        return Err(CaseError::WrongState { state: view.state }.into());
    }
    let missing: Vec<String> = {
        let have = sc::materials(&st.store, case_id).await?;
        content
            .materials
            .iter()
            .enumerate()
            .filter(|(i, m)| m.required && !have.iter().any(|h| h.material_no == *i as i64 + 1))
            .map(|(_, m)| m.name.clone())
            .collect()
    };
    if !missing.is_empty() {
        return Err(unprocessable("materials_missing", missing.join("、")));
    }
    check_form(content, row.form.as_object().unwrap_or(&serde_json::Map::new()), false)?;
    let p = submit_in(ctx, &mut tx, &row, content, actor, scoped.as_deref()).await?.1;
    tx.commit().await?;
    Ok(ActResult { case_id, seq: p.seq, state: p.state, repeated: false })
}

fn already_handled(last: Option<&sc::EventRow>) -> AppError {
    match last {
        Some(e) => AppError::with_detail(
            Kind::Conflict,
            "already_handled",
            format!(
                "{}已于{}{}，请刷新后查看",
                e.actor_name,
                zwfw_domain::time::format_local(e.at),
                crate::messages::case_event_label(&e.kind)
            ),
        ),
        None => already_handled_plain(),
    }
}

/// The view stored with the case's last event, if it reads back (rows written
/// before snapshots have none: their events are replayed).
fn snapshot(row: &CaseRow) -> Option<CaseView> {
    if row.p.view.is_empty() {
        return None;
    }
    serde_json::from_str::<CaseView>(&row.p.view).ok()
}

/// Whether the view stored on the case equals its events replayed (a
/// consistency check of the snapshot the actions decide on).
pub async fn snapshot_matches_events(st: &App, case_id: i64) -> AppResult<bool> {
    let row = sc::get_case(&st.store, case_id).await?;
    let content = item_version(st, row.version_id).await?;
    let replayed = dc::replay(&content, &to_events(&sc::events(&st.store, case_id).await?)?)?;
    Ok(snapshot(&row).as_ref() == Some(&replayed))
}

/// The case's view: its snapshot, or its events replayed (read from the
/// store or inside a transaction).
async fn current_view(ex: zwfw_store::db::Ex<'_>, row: &CaseRow, content: &ItemContent) -> AppResult<CaseView> {
    match snapshot(row) {
        Some(v) => Ok(v),
        None => {
            // The events as far as the row read: one written since belongs to
            // a newer state, which the write will refuse (`already_handled`).
            let mut events = sc::events_via(ex, row.id).await?;
            events.retain(|e| e.seq <= row.p.seq);
            Ok(dc::replay(content, &to_events(&events)?)?)
        }
    }
}

/// A case locked in a new transaction, with its item version and events (for background work).
async fn locked(st: &App, id: i64) -> AppResult<(zwfw_store::Tx, CaseRow, Arc<ItemContent>, Vec<Event>)> {
    let row = sc::get_case(&st.store, id).await?;
    let content = item_version(st, row.version_id).await?;
    let mut tx = st.store.begin().await?;
    sc::lock_case(&mut tx, id).await?;
    let row = sc::get_case_in(&mut tx, id).await?;
    let events = to_events(&sc::events_in(&mut tx, id).await?)?;
    Ok((tx, row, content, events))
}

/// Records deemed acceptance (第三十二条) for every application whose five
/// working days passed without a decision or a supplement notice.
pub async fn record_deemed_acceptances(st: &App) -> AppResult<usize> {
    let today = day_text(st.today());
    let ids = sc::acceptance_overdue(&st.store, &today, 500).await?;
    let ctx = Ctx { state: st, actor: None, client_addr: "job".into() };
    let mut n = 0;
    for id in ids {
        let (mut tx, row, content, events) = locked(st, id).await?;
        let view = dc::replay(&content, &events)?;
        if !dc::is_deemed_accepted(&st.calendar(), &view, st.today()).map_err(CaseError::from)? {
            continue;
        }
        let e = Event {
            at_ms: st.now_ms(),
            actor_id: None,
            role: None,
            department_id: None,
            kind: EventKind::DeemedAccepted,
        };
        match append(&ctx, &mut tx, &row, &content, &view, e, None).await {
            Ok(_) => {
                tx.commit().await?;
                n += 1;
            }
            Err(e) => tracing::warn!(case = id, error = %e, "deemed acceptance not recorded"),
        }
    }
    Ok(n)
}

/// Recomputes the deadlines of every open case with the current calendar
/// (after a year's notice is entered, provisional dates become exact).
/// Returns how many projections changed.
pub async fn recompute_open(st: &App) -> AppResult<usize> {
    let mut changed = 0;
    let mut after = 0;
    loop {
        let ids = sc::open_case_ids(&st.store, after, 500).await?;
        let Some(&last) = ids.last() else { break };
        after = last;
        for id in ids {
            let (mut tx, row, content, events) = locked(st, id).await?;
            let (Some(e), Ok(view)) = (events.last(), dc::replay(&content, &events)) else { continue };
            let mut p = match project(st, &content, &row, &view, e, row.p.seq) {
                Ok(p) => p,
                Err(err) => {
                    tracing::warn!(case = id, error = %err.message(), "deadlines not recomputed");
                    continue;
                }
            };
            if let Some(submitted) = view.submitted_at_ms {
                p.acceptance_due =
                    Some(day_text(dc::acceptance_due(&st.calendar(), submitted).map_err(CaseError::from)?));
            }
            if p != row.p && sc::update_projection(&mut tx, id, &row.p, &p, row.updated_at).await? {
                tx.commit().await?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

// ---------- reading ----------

/// A case as its reader may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseDetail {
    #[schema(value_type = Object)]
    pub case: CaseRow,
    /// Masked for every reader but the applicant.
    pub applicant_id_no: String,
    pub applicant_mobile: String,
    pub applicant_address: String,
    #[schema(value_type = Object)]
    pub clock: Option<zwfw_domain::clock::ClockStatus>,
    #[schema(value_type = Option<String>)]
    pub urgency: Option<dc::Urgency>,
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<sc::EventRow>,
    #[schema(value_type = Vec<Object>)]
    pub materials: Vec<sc::MaterialRow>,
    #[schema(value_type = Vec<Object>)]
    pub documents: Vec<sc::DocumentRow>,
    #[schema(value_type = Vec<Object>)]
    pub originals: Vec<sc::OriginalRow>,
    /// (department, step, due, answered) of an open joint review.
    pub joint: Vec<(i64, i64, String, bool)>,
    /// What is missing, while a supplement notice is open.
    pub missing: Vec<String>,
    pub extension_pending: Option<u32>,
    /// A pending written request of the applicant to withdraw (recorded by the counter, for the department head).
    pub withdrawal_requested: Option<String>,
    /// The current step's definition, while in progress.
    #[schema(value_type = Object)]
    pub step: Option<zwfw_domain::catalog::Step>,
    pub step_count: usize,
    /// A deadline lies in a year whose working-day calendar is not out yet
    /// (computed Monday to Friday; recomputed when the notice is entered).
    pub provisional: bool,
    /// What the reader may do now, each checked as the action itself would be
    /// (`ActionInput.action` codes).
    pub actions: Vec<String>,
    /// The conclusions open to the reader now (`ActionInput.outcome` codes).
    pub outcomes: Vec<String>,
}

/// The actions `actor` may take on the case in its state `v`: each candidate
/// goes through the same authorization and domain checks as the real action,
/// with placeholder texts.
pub fn possible_actions(
    actor: &Actor,
    row: &CaseRow,
    item: &ItemContent,
    v: &CaseView,
    joint_overdue: &[i64],
    now_ms: i64,
) -> (Vec<String>, Vec<String>) {
    use EventKind::*;
    let x = || "-".to_string();
    let mut candidates: Vec<(&str, EventKind)> = vec![
        ("submit", Submitted),
        ("supplement_request", SupplementRequested { missing: vec![x()] }),
        ("supplement_provide", SupplementProvided),
        ("accept", Accepted),
        ("refuse", Refused { reason: x() }),
        ("pass", StepPassed { opinion: x() }),
        ("return", ReturnedToStep { step: 0, reason: x() }),
        ("transfer", Transferred { to_user: 0, reason: x() }),
        ("urge", Urged { message: x() }),
        ("extension_request", ExtensionRequested { days: 1, reason: x() }),
        ("extension_decide", ExtensionDecided { approved: true, opinion: x() }),
        ("special_start", SpecialStarted { kind: x(), reason: x() }),
        ("special_end", SpecialEnded { result: x() }),
        ("deliver", Delivered { method: x(), tracking_no: String::new() }),
        ("withdraw", Withdrawn { reason: x() }),
        ("withdrawal_request", WithdrawalRequested { reason: x() }),
        ("withdrawal_decline", WithdrawalDeclined { opinion: x() }),
    ];
    if let Some(d) = actor.department_id.filter(|_| actor.is_staff()) {
        candidates.push(("joint_answer", JointAnswered { department_id: d, agree: true, opinion: x() }));
    }
    if !joint_overdue.is_empty() {
        candidates.push(("joint_close", JointTimedOut { departments: joint_overdue.to_vec() }));
    }
    for o in Outcome::ALL.iter().copied() {
        candidates.push((
            o.code(),
            Concluded { outcome: o, reason: x(), document_no: x(), valid_until: None, fee_fen: None },
        ));
    }
    let mut actions = vec![];
    let mut outcomes = vec![];
    for (code, kind) in candidates {
        let Ok(role) = access::may_act(actor, &facts(row), item, v, &kind) else { continue };
        let e = Event { at_ms: now_ms, actor_id: Some(actor.user_id), role, department_id: actor.department_id, kind };
        if dc::apply(item, v, &e).is_err() {
            continue;
        }
        if matches!(e.kind, Concluded { .. }) {
            outcomes.push(code.to_string());
        } else {
            actions.push(code.to_string());
        }
    }
    if !outcomes.is_empty() {
        actions.push("conclude".into());
    }
    (actions, outcomes)
}

/// Gives the case a new query password (the first one was lost): for its
/// applicant, or the counter of its department for a walk-in applicant.
pub async fn reset_query_password(ctx: &Ctx<'_>, case_id: i64) -> AppResult<String> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let row = sc::get_case(&st.store, case_id).await?;
    if access::may_reset_query_password(actor, &facts(&row)).is_err() {
        return Err(AppError::not_found("case"));
    }
    if row.case_no.is_none() {
        return Err(CaseError::WrongState { state: CaseState::Draft }.into());
    }
    let password = query_password();
    let salt = crate::sessions::random_token(8);
    let mut tx = st.store.begin().await?;
    sc::set_query_hash(&mut tx, case_id, &hash_query(&salt, &password)).await?;
    ctx.audit(&mut tx, ctx.entry("case_query_password", "case", case_id, json!({}), "")).await?;
    tx.commit().await?;
    Ok(password)
}

pub async fn detail(st: &App, actor: Option<&Actor>, case_id: i64, by_query: bool) -> AppResult<CaseDetail> {
    let row = sc::get_case(&st.store, case_id).await?;
    let content = item_version(st, row.version_id).await?;
    let case_facts = facts(&row);
    let own = match actor {
        Some(a) => {
            if !access::may_read(a, &case_facts, &content) {
                return Err(AppError::not_found("case"));
            }
            access::is_applicant(a, &case_facts)
        }
        None if by_query => false,
        None => return Err(AppError::not_found("case")),
    };
    let events = sc::events(&st.store, case_id).await?;
    let view = dc::replay(&content, &to_events(&events)?)?;
    let clock = match &view.clock {
        Some(c) => Some(c.status_at(&st.calendar(), st.now_ms()).map_err(CaseError::from)?),
        None => None,
    };
    let provisional = clock.as_ref().is_some_and(|c| {
        let cal = st.calendar();
        cal.is_provisional(c.legal.deadline) || cal.is_provisional(c.promised.deadline)
    });
    let urgency = clock.as_ref().filter(|_| !view.state.is_ended()).map(|c| dc::urgency(&c.promised));
    let (id_no, mobile, address) = if actor.is_some_and(|a| access::sees_applicant_identity(a, &case_facts)) {
        (row.applicant_id_no.clone(), row.applicant_mobile.clone(), row.applicant_address.clone())
    } else {
        (
            zwfw_domain::ids::mask_middle(&row.applicant_id_no, 4, 4),
            zwfw_domain::ids::Mobile::mask_stored(Some(&row.applicant_mobile)).unwrap_or_default(),
            String::new(),
        )
    };
    let mut events = events;
    if by_query || own {
        // The public timeline names departments and steps, not officers.
        for e in &mut events {
            let role = e.role.as_deref().and_then(|r| Role::parse(r).ok());
            if !access::timeline_names_actor(e.actor_id, role, &case_facts) {
                e.actor_name = "工作人员".into();
            }
        }
    }
    let joint = sc::joint(&st.store, case_id).await?;
    let (actions, outcomes) = match actor {
        Some(a) if !by_query => {
            let today = day_text(st.today());
            let overdue: Vec<i64> = joint
                .iter()
                .filter(|(_, _, due, answered)| !answered && due.as_str() < today.as_str())
                .map(|(d, _, _, _)| *d)
                .collect();
            possible_actions(a, &row, &content, &view, &overdue, st.now_ms())
        }
        _ => (vec![], vec![]),
    };
    let mut case = row.clone();
    if by_query && !own {
        case.applicant_name = zwfw_domain::ids::mask_name(&case.applicant_name);
        case.form = serde_json::Value::Null;
    }
    Ok(CaseDetail {
        applicant_id_no: id_no,
        applicant_mobile: mobile,
        applicant_address: address,
        clock,
        urgency,
        materials: if by_query && !own { vec![] } else { sc::materials(&st.store, case_id).await? },
        documents: sc::documents(&st.store, case_id).await?,
        originals: sc::originals(&st.store, case_id).await?,
        joint,
        missing: view.missing.clone(),
        extension_pending: view.extension_pending,
        withdrawal_requested: view.withdrawal_requested.clone(),
        step: (view.state == CaseState::InProgress).then(|| content.steps.get(view.step).cloned()).flatten(),
        step_count: content.steps.len(),
        provisional,
        events,
        case,
        actions,
        outcomes,
    })
}

pub use crate::state::TRACK_MAX_FAILURES;

/// Finds a case by number and query password (no sign-in needed), slowed
/// down after repeated failures (`App::track_blocked`).
pub async fn track(st: &App, client: &str, case_no: &str, password: &str) -> AppResult<CaseDetail> {
    let case_no = case_no.trim();
    let keys = [format!("addr:{client}"), format!("case:{case_no}")];
    if st.track_blocked(&keys) {
        return Err(AppError::with_detail(Kind::TooMany, "track_limited", "case_no"));
    }
    match sc::find_by_no(&st.store, case_no).await? {
        Some((row, hash)) if query_matches(&hash, password) => detail(st, None, row.id, true).await,
        _ => {
            st.track_failed(&keys);
            Err(AppError::with_detail(Kind::NotFound, "track_failed", "case_no"))
        }
    }
}

/// A stored upload of the actor's (checked by content).
pub async fn upload(ctx: &Ctx<'_>, file_name: &str, bytes: &[u8]) -> AppResult<sc::UploadRow> {
    use zwfw_domain::files::FileKind::*;
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let kind = zwfw_domain::files::check_upload(file_name, bytes, st.config.max_upload_bytes, &[Pdf, Jpeg, Png, Ofd])?;
    let sm3 = st.put_file(bytes.to_vec()).await?;
    let name: String = file_name.chars().rev().take(100).collect::<Vec<_>>().into_iter().rev().collect();
    let mut tx = st.store.begin().await?;
    zwfw_store::files::record(&mut tx, &sm3, bytes.len() as i64, kind.extension(), Some(actor.user_id), ctx.now())
        .await?;
    let id =
        sc::add_upload(&mut tx, actor.user_id, &sm3, &name, kind.extension(), bytes.len() as i64, ctx.now()).await?;
    tx.commit().await?;
    Ok(sc::UploadRow {
        id,
        owner_user_id: actor.user_id,
        file_sm3: sm3,
        file_name: name,
        kind: kind.extension().into(),
        size: bytes.len() as i64,
    })
}

/// Registers a paper original received at the counter, or its return.
pub async fn original(ctx: &Ctx<'_>, case_id: i64, name: &str, copies: i64, returned: Option<i64>) -> AppResult<()> {
    let st = ctx.state;
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    let row = sc::get_case(&st.store, case_id).await?;
    access::may_handle_originals(actor, &facts(&row)).map_err(refused)?;
    let mut tx = st.store.begin().await?;
    match returned {
        Some(oid) => {
            if !sc::return_original(&mut tx, case_id, oid, actor.user_id, ctx.now()).await? {
                return Err(AppError::with_detail(Kind::Conflict, "already_handled", "原件已退还"));
            }
            ctx.audit(&mut tx, ctx.entry("case_original_return", "case", case_id, json!({"original": oid}), ""))
                .await?;
        }
        None => {
            let name = text(name, 100);
            if name.is_empty() || !(1..=100).contains(&copies) {
                return Err(unprocessable("invalid_original", "name"));
            }
            let id = sc::receive_original(&mut tx, case_id, &name, copies, actor.user_id, "", ctx.now()).await?;
            ctx.audit(
                &mut tx,
                ctx.entry(
                    "case_original_receive",
                    "case",
                    case_id,
                    json!({"original": id, "name": name, "copies": copies}),
                    "",
                ),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
