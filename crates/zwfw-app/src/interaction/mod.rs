//! Public interaction (我要咨询 / 我要建议 / 我要投诉 / 网站纠错): the
//! service functions the API and the pages share. Submissions are routed to
//! the department or county responsible, answered within their working-day
//! limit (extensions with a reason), and published once answered unless the
//! submitter opted out, the content is secret or the department recorded why
//! not. Complaints about staff conduct are also visible to the supervision
//! bureau. Every change is an event and an audit record.

use crate::cases::{day_text, hash_query, query_matches, query_password};
use crate::error::Kind as Fail;
use crate::error::{AppError, AppResult};
use crate::state::{App, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use zwfw_domain::access::interaction as access;
use zwfw_domain::admin::{Actor, DepartmentKind, Role};
use zwfw_domain::ids::{Mobile, RegionLevel};
use zwfw_domain::interaction::{self as di, Duty, InteractionError, Kind, Publication, State};
use zwfw_store::admin as sa;
use zwfw_store::interaction::{self as si, InteractionRow};

mod handlers;
mod handling;

pub use handlers::*;
pub use handling::*;

impl From<InteractionError> for AppError {
    fn from(e: InteractionError) -> Self {
        let (status, code) = match &e {
            InteractionError::RealNameRequired => (Fail::Forbidden, "real_name_required"),
            InteractionError::AlreadyAnswered | InteractionError::SameDepartment(_) => {
                (Fail::Conflict, "interaction_conflict")
            }
            InteractionError::Calendar(_) => (Fail::Unavailable, "calendar_missing"),
            _ => (Fail::Invalid, "invalid_interaction"),
        };
        AppError::with_detail(status, code, crate::messages::interaction_error_text(&e))
    }
}

/// Submissions allowed per client address and per mobile number in an hour.
pub const PER_HOUR_CLIENT: i64 = 10;
pub const PER_HOUR_MOBILE: i64 = 5;
pub const MAX_ATTACHMENTS: usize = 3;

/// The settings key of a kind's limit in working days.
pub fn limit_key(kind: Kind) -> String {
    format!("interaction.limit_days.{}", kind.code())
}

/// The limit in working days for a kind (configured, or the default 5).
pub async fn limit_days(st: &App, kind: Kind) -> AppResult<u32> {
    let v = zwfw_store::settings::get(&st.store, &limit_key(kind)).await?;
    Ok(v.and_then(|v| v.parse().ok()).filter(|d: &u32| (1..=60).contains(d)).unwrap_or(di::DEFAULT_LIMIT_DAYS))
}

/// Sets a kind's limit (service-centre or system administrators).
/// Whether the actor sets the answer limits (asked before the form is read).
pub fn may_set_limits(ctx: &Ctx<'_>) -> AppResult<()> {
    match ctx.actor.is_some_and(access::may_set_limits) {
        true => Ok(()),
        false => Err(AppError::forbidden()),
    }
}

pub async fn set_limit_days(ctx: &Ctx<'_>, kind: Kind, days: u32, reason: &str) -> AppResult<()> {
    let actor = ctx.actor.ok_or_else(AppError::forbidden)?;
    if !access::may_set_limits(actor) {
        return Err(AppError::forbidden());
    }
    if !(1..=60).contains(&days) {
        return Err(AppError::with_detail(Fail::Invalid, "invalid_days", "limit"));
    }
    if reason.trim().is_empty() {
        return Err(AppError::bad("reason_required"));
    }
    crate::error::reason(reason)?;
    let mut tx = ctx.state.store.begin().await?;
    zwfw_store::settings::put(&mut tx, &limit_key(kind), &days.to_string(), ctx.now()).await?;
    let e = ctx.entry("interaction_limit", "setting", limit_key(kind), json!({"days": days}), reason);
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

/// A stored attachment of a submission.
pub use zwfw_domain::files::Attachment;

/// Checks an attachment by content and stores it.
pub async fn store_attachment(st: &App, name: &str, bytes: &[u8]) -> AppResult<Attachment> {
    use zwfw_domain::files::FileKind::*;
    let kind = zwfw_domain::files::check_upload(name, bytes, st.config.max_upload_bytes, &[Pdf, Jpeg, Png, Ofd])?;
    let sm3 = st.put_file(bytes.to_vec()).await?;
    let name: String = name.chars().rev().take(100).collect::<Vec<_>>().into_iter().rev().collect();
    Ok(Attachment { sm3, name, kind: kind.extension().into(), size: bytes.len() as i64 })
}

/// A submission as the portal or an app sends it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SubmitInput {
    /// consultation | suggestion | complaint | correction
    pub kind: String,
    pub title: String,
    pub content: String,
    /// The item asked about (its department handles it).
    pub item_id: Option<i64>,
    /// The department concerned.
    pub department_id: Option<i64>,
    /// The county concerned (its government office handles it).
    pub region_id: Option<i64>,
    /// Required without an account; where the answer is sent.
    pub mobile: Option<String>,
    /// Do not publish the answer (第六条).
    #[serde(default)]
    pub no_publish: bool,
    /// Complaints: the unit and the person complained about.
    pub accused_unit: Option<String>,
    pub accused_person: Option<String>,
    /// Complaints: about the conduct of staff (also goes to the supervision bureau).
    #[serde(default)]
    pub staff_conduct: bool,
    /// Uploads of the signed-in submitter (`/api/v1/uploads`).
    #[serde(default)]
    pub upload_ids: Vec<i64>,
    /// Makes a repeated submit (double click, retry) return the first result.
    pub idem_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = InteractionSubmitted)]
pub struct Submitted {
    pub id: i64,
    /// The number (咨询编码 and the like) to follow it with.
    pub code: String,
    /// Shown once: with the number it opens the submission without signing in.
    pub query_password: Option<String>,
    pub department_name: String,
    /// The day the answer is due.
    pub due: String,
    /// This is a repeat of an earlier submit with the same key.
    pub repeated: bool,
}

impl Submitted {
    /// The answer to a repeated submit: the first one's, without its password.
    fn repeat(first: InteractionRow) -> Submitted {
        Submitted {
            id: first.id,
            code: first.code,
            query_password: None,
            department_name: first.department_name,
            due: first.due,
            repeated: true,
        }
    }
}

/// The government office of a county, among `depts`.
fn county_office(depts: &[sa::Department], county_region_id: i64) -> Option<i64> {
    depts
        .iter()
        .find(|d| d.active && d.kind == DepartmentKind::CountyOffice && d.region_id == county_region_id)
        .map(|d| d.id)
}

/// The county a region belongs to (itself for a county, its parent for a town).
async fn county_of(st: &App, region_id: i64) -> AppResult<Option<i64>> {
    let r = sa::get_region(&st.store, region_id).await?;
    Ok(match r.level {
        RegionLevel::County => Some(r.id),
        RegionLevel::Town => r.parent_id,
        _ => None,
    })
}

async fn place(st: &App, depts: &[sa::Department], department_id: i64) -> AppResult<di::DeptPlace> {
    let d =
        depts.iter().find(|d| d.id == department_id && d.active).ok_or_else(|| AppError::not_found("department"))?;
    let office = match county_of(st, d.region_id).await? {
        Some(county) if d.kind != DepartmentKind::CountyOffice => county_office(depts, county),
        _ => None,
    };
    Ok(di::DeptPlace { id: d.id, county_office: office })
}

fn service_center(depts: &[sa::Department]) -> AppResult<i64> {
    let mut centers: Vec<_> = depts.iter().filter(|d| d.active && d.kind == DepartmentKind::ServiceCenter).collect();
    centers.sort_by_key(|d| d.id);
    centers.first().map(|d| d.id).ok_or_else(|| AppError::with_detail(Fail::Unavailable, "no_handler", ""))
}

fn check_idem(key: &str) -> AppResult<()> {
    if key.is_empty() || key.len() > 64 || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(AppError::bad("invalid_idem_key"));
    }
    Ok(())
}

/// Submits a consultation, suggestion, complaint or error report.
pub async fn submit(ctx: &Ctx<'_>, input: &SubmitInput, files: Vec<Attachment>) -> AppResult<Submitted> {
    let st = ctx.state;
    let kind = Kind::parse(&input.kind).ok_or_else(|| AppError::invalid("kind"))?;
    let actor = ctx.actor;
    access::may_submit(actor).map_err(|r| AppError::refused(r, "interaction"))?;
    if actor.is_none() && !kind.anonymous_allowed() {
        return Err(InteractionError::RealNameRequired.into());
    }
    if let Some(k) = &input.idem_key {
        check_idem(k)?;
        if let Some(first) = si::find_by_idem(&st.store, &idem_scope(actor, k)).await? {
            return Ok(Submitted::repeat(first));
        }
    }
    let title = di::text("title", &input.title, di::MAX_TITLE)?;
    let content = di::text("content", &input.content, kind.max_content())?;
    let accused_unit = di::optional_text("accused_unit", input.accused_unit.as_deref(), 100)?.unwrap_or_default();
    let accused_person = di::optional_text("accused_person", input.accused_person.as_deref(), 30)?.unwrap_or_default();
    let staff_conduct = kind == Kind::Complaint && input.staff_conduct;
    let user = match actor {
        Some(a) => Some(sa::get_user(&st.store, a.user_id).await?),
        None => None,
    };
    let mobile = match input.mobile.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => String::from(Mobile::parse(m)?),
        None if user.is_none() => return Err(InteractionError::MobileRequired.into()),
        None => user.as_ref().and_then(|u| u.mobile.clone()).unwrap_or_default(),
    };
    // Flood limits, counted in the database so that they hold on every app server.
    let (by_client, by_mobile) = si::count_recent(&st.store, &ctx.client_addr, &mobile, ctx.now() - 3_600_000).await?;
    if by_client >= PER_HOUR_CLIENT {
        return Err(AppError::with_detail(Fail::TooMany, "rate_limited", "client"));
    }
    if by_mobile >= PER_HOUR_MOBILE {
        return Err(AppError::with_detail(Fail::TooMany, "rate_limited", "mobile"));
    }
    let mut attachments = files;
    if !input.upload_ids.is_empty() {
        let owner = actor.ok_or_else(AppError::forbidden)?;
        for id in &input.upload_ids {
            let u = zwfw_store::cases::get_upload(&st.store, *id)
                .await
                .ok()
                .filter(|u| u.owner_user_id == owner.user_id)
                .ok_or_else(|| AppError::bad("invalid_material"))?;
            attachments.push(Attachment { sm3: u.file_sm3, name: u.file_name, kind: u.kind, size: u.size });
        }
    }
    if attachments.len() > MAX_ATTACHMENTS {
        return Err(AppError::with_detail(Fail::Invalid, "too_many_files", MAX_ATTACHMENTS.to_string()));
    }
    // Routing (分级负责).
    let mut about_department = input.department_id;
    if let Some(item_id) = input.item_id {
        let item = zwfw_store::catalog::get_item(&st.store, item_id).await.map_err(AppError::missing("item"))?;
        about_department = Some(item.department_id);
    }
    let depts = sa::list_departments(&st.store).await?;
    let department = match about_department {
        Some(d) => Some(place(st, &depts, d).await?),
        None => None,
    };
    let county = match input.region_id {
        Some(r) => county_of(st, r).await.map_err(AppError::missing("region"))?.and_then(|c| county_office(&depts, c)),
        None => None,
    };
    let handling = di::route(&di::Subject { department, county_office: county }, service_center(&depts)?);
    let days = limit_days(st, kind).await?;
    let today = st.today();
    let due = di::due_date(&st.calendar(), today, days)?;
    let password = query_password();
    let salt = crate::accounts::sessions::random_token(8);
    let (name, anonymous) = match &user {
        Some(u) => (u.display_name.clone(), false),
        None => ("匿名".to_string(), true),
    };
    let idem = input.idem_key.as_ref().map(|k| idem_scope(actor, k));
    let mut tx = st.store.begin().await?;
    let prefix = format!("{}{}", kind.prefix(), today.format("%Y%m%d"));
    let serial = zwfw_store::cases::next_serial(&mut tx, &prefix).await?;
    let code = di::number(kind, today, serial);
    let files_json = serde_json::to_string(&attachments).unwrap_or_else(|_| "[]".into());
    let id = si::insert(
        &mut tx,
        &si::NewInteraction {
            code: &code,
            kind: kind.code(),
            title: &title,
            content: &content,
            submitter_user_id: user.as_ref().map(|u| u.id),
            submitter_name: &name,
            mobile: &mobile,
            anonymous,
            no_publish: input.no_publish,
            item_id: input.item_id,
            about_department_id: about_department,
            region_id: input.region_id,
            accused_unit: &accused_unit,
            accused_person: &accused_person,
            staff_conduct,
            department_id: handling,
            limit_days: days as i64,
            due: &day_text(due),
            attachments: &files_json,
            query_hash: &hash_query(&salt, &password),
            client_addr: &ctx.client_addr,
            idem_key: idem.as_deref(),
        },
        ctx.now(),
    )
    .await;
    let id = match id {
        Ok(id) => id,
        Err(zwfw_store::StoreError::Duplicate(_)) => {
            // The same key won a race: answer with the first.
            drop(tx);
            let first = si::find_by_idem(&st.store, idem.as_deref().unwrap_or(""))
                .await?
                .ok_or_else(|| AppError::Internal("idempotency key without its submission".into()))?;
            return Ok(Submitted::repeat(first));
        }
        Err(e) => return Err(e.into()),
    };
    for a in &attachments {
        zwfw_store::files::record(&mut tx, &a.sm3, a.size, &a.kind, user.as_ref().map(|u| u.id), ctx.now()).await?;
    }
    si::add_event(
        &mut tx,
        id,
        &si::NewEvent {
            actor_id: user.as_ref().map(|u| u.id),
            actor_name: &name,
            kind: "submitted",
            from_department_id: None,
            to_department_id: Some(handling),
            detail: "",
            reason: "",
        },
        ctx.now(),
    )
    .await?;
    notify_handlers(&mut tx, st, handling, &format!("新的网民留言 {code}"), &title, &format!("/interact/{code}"))
        .await?;
    let e = ctx.entry(
        "interaction_submit",
        "interaction",
        id,
        json!({"code": code, "kind": kind.code(), "department_id": handling, "due": day_text(due)}),
        "",
    );
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    let department_name = depts.iter().find(|d| d.id == handling).map(|d| d.name.clone()).unwrap_or_default();
    Ok(Submitted { id, code, query_password: Some(password), department_name, due: day_text(due), repeated: false })
}

fn idem_scope(actor: Option<&Actor>, key: &str) -> String {
    match actor {
        Some(a) => format!("u{}:{key}", a.user_id),
        None => format!("anon:{key}"),
    }
}

/// In-app messages to the department's current handlers (or, when it named
/// none, to its head) of a new submission.
async fn notify_handlers(
    tx: &mut zwfw_store::Tx,
    st: &App,
    department_id: i64,
    title: &str,
    body: &str,
    link: &str,
) -> AppResult<()> {
    let users: Vec<i64> = si::handlers(&st.store, department_id)
        .await?
        .into_iter()
        .filter(|h| h.ended_at.is_none())
        .map(|h| h.user_id)
        .collect();
    let users = readers(st, department_id, users).await?;
    Ok(si::notify_users(tx, &users, title, body, link, st.now_ms()).await?)
}

/// `users`, or when there are none the department's heads; each once.
async fn readers(st: &App, department_id: i64, mut users: Vec<i64>) -> AppResult<Vec<i64>> {
    if users.is_empty() {
        users = sa::list_staff(&st.store, Some(department_id))
            .await?
            .into_iter()
            .filter(|u| u.active && u.roles.contains(&Role::DeptHead))
            .map(|u| u.id)
            .collect();
    }
    users.sort();
    users.dedup();
    Ok(users)
}

/// What waits for staff (a 督办 order, a 差评 follow-up assigned), told to
/// `users`, or when there are none to the department's heads, on every
/// channel their accounts have (see [`notify_accounts`]).
pub(crate) async fn notify_department(
    tx: &mut zwfw_store::Tx,
    st: &App,
    department_id: i64,
    users: Vec<i64>,
    title: &str,
    body: &str,
    link: &str,
) -> AppResult<()> {
    let users = readers(st, department_id, users).await?;
    notify_accounts(tx, &users, title, body, link, st.now_ms()).await
}

/// The same notice to each of the accounts `users`, in-app and by SMS and
/// e-mail where their accounts give a mobile or an address: one INSERT.
pub(crate) async fn notify_accounts(
    tx: &mut zwfw_store::Tx,
    users: &[i64],
    title: &str,
    body: &str,
    link: &str,
    now_ms: i64,
) -> AppResult<()> {
    let notices: Vec<zwfw_store::outbox::Notice> = users
        .iter()
        .map(|u| zwfw_store::outbox::Notice {
            user_id: Some(*u),
            mobile: None,
            email: None,
            sms_to_account: true,
            title: title.to_string(),
            body: body.to_string(),
            link: link.to_string(),
        })
        .collect();
    zwfw_store::outbox::write_notices(tx, &notices, now_ms).await?;
    Ok(())
}

/// Who may see what of a submission: the rule is
/// [`zwfw_domain::access::interaction::reader`].
pub use zwfw_domain::access::interaction::Reader;

/// The departments that handled the submission before a transfer.
pub(crate) fn former_departments(events: &[si::EventRow]) -> Vec<i64> {
    events.iter().filter_map(|e| e.from_department_id).collect()
}

/// The access facts of a stored submission.
pub(crate) fn facts<'a>(row: &InteractionRow, former: &'a [i64]) -> access::InteractionFacts<'a> {
    access::InteractionFacts {
        department_id: row.department_id,
        submitter_user_id: row.submitter_user_id,
        former_departments: former,
    }
}

/// How `actor` reads the submission, before any transfer is considered.
pub fn reader_of(actor: Option<&Actor>, row: &InteractionRow) -> Reader {
    access::reader(actor, &facts(row, &[]), false)
}

/// A submission as one reader may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Detail {
    pub interaction: InteractionRow,
    /// Working days past the due date while unanswered (超期天数).
    pub overdue_days: i64,
    pub events: Vec<si::EventRow>,
    /// What this reader may do: transfer, extend, reply.
    pub actions: Vec<String>,
    /// public | submitter | handler | overseer
    pub reader: String,
}

fn mask_for(reader: Reader, mut row: InteractionRow) -> InteractionRow {
    match reader {
        Reader::Public => {
            if !row.anonymous {
                row.submitter_name = zwfw_domain::ids::mask_name(&row.submitter_name);
            }
            row.mobile = String::new();
            row.accused_person = String::new();
            row.withhold_reason = None;
            row.replier_name = None;
            row.attachments = serde_json::Value::Array(vec![]);
        }
        Reader::Submitter => {
            row.withhold_reason = None;
        }
        Reader::Overseer => {
            row.mobile = Mobile::mask_stored(Some(&row.mobile)).unwrap_or_default();
        }
        Reader::Handler | Reader::Former => {}
    }
    row
}

pub async fn detail(st: &App, actor: Option<&Actor>, id: i64, by_query: bool) -> AppResult<Detail> {
    let row = si::get(&st.store, id).await?;
    let mut events = si::events(&st.store, id).await?;
    let former = former_departments(&events);
    let reader = access::reader(actor, &facts(&row, &former), by_query);
    if reader == Reader::Public && row.publication.as_deref() != Some(Publication::Public.code()) {
        return Err(AppError::not_found("interaction"));
    }
    let state = State::parse(&row.state).unwrap_or(State::Open);
    let overdue = if state == State::Open {
        let due = chrono::NaiveDate::parse_from_str(&row.due, "%Y-%m-%d").map_err(|_| AppError::invalid("due"))?;
        di::overdue_days(&st.calendar(), due, st.today())?
    } else {
        0
    };
    if matches!(reader, Reader::Public | Reader::Submitter) {
        for e in &mut events {
            if e.actor_id.is_some() && e.actor_id != row.submitter_user_id {
                e.actor_name = "工作人员".into();
            }
            if e.kind == "answered" {
                e.detail = String::new();
            }
        }
        if reader == Reader::Public {
            events.retain(|e| e.kind != "extended");
        }
    }
    let actions = if reader == Reader::Handler && state == State::Open && !by_query {
        vec!["transfer".into(), "extend".into(), "reply".into()]
    } else {
        vec![]
    };
    let reader_code = reader.code();
    Ok(Detail {
        interaction: mask_for(reader, row),
        overdue_days: overdue,
        events,
        actions,
        reader: reader_code.into(),
    })
}

/// Opens a submission by its number and query password (no sign-in), slowed
/// down after repeated failures like case tracking.
pub async fn track(st: &App, client: &str, code: &str, password: &str) -> AppResult<Detail> {
    let code = code.trim().to_uppercase();
    let keys = [format!("iaddr:{client}"), format!("icode:{code}")];
    if st.track_blocked(&keys).await? {
        return Err(AppError::with_detail(Fail::TooMany, "track_limited", "code"));
    }
    match si::find_by_code(&st.store, &code).await? {
        Some(row) if query_matches(&row.query_hash, password) => detail(st, None, row.id, true).await,
        _ => {
            st.track_failed(&keys).await?;
            Err(AppError::with_detail(Fail::NotFound, "interaction_track_failed", "code"))
        }
    }
}
