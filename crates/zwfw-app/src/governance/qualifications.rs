//! 上岗资格 (qualification before use): the trainings and examinations of
//! staff per role, recorded by the service centre (and by a department's
//! administrator for the working roles of its own staff); the roles a
//! session acts in (held ∩ qualified today, the rule of
//! [`zwfw_domain::governance::qualification`]); the overview of who is not
//! qualified or expires within 30 days; the reminders before the end.

use crate::error::{AppError, AppResult, Kind};
use crate::state::{App, Ctx};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;
use zwfw_domain::access::governance::{self as access, QualificationSubject};
use zwfw_domain::access::Refusal;
use zwfw_domain::admin::{AccountKind, Actor, Role};
use zwfw_domain::governance::qualification::{
    self as dq, Entry, QualificationError, QualificationKind, QualificationResult, Record, Standing,
};
use zwfw_store::admin::{self as store_admin, User};
use zwfw_store::governance::qualification::{self as sq, QualificationRow};

/// The object named in refusals.
const OBJECT: &str = "qualification";

fn refused(r: Refusal) -> AppError {
    if r.hides_object() {
        AppError::not_found("user")
    } else {
        AppError::with_detail(Kind::Forbidden, r.code(), OBJECT)
    }
}

fn entry_error(e: QualificationError) -> AppError {
    let code = match e {
        QualificationError::FutureDate => "qualification_future_date",
        QualificationError::ValidUntilBeforeDate => "qualification_valid_until_before_date",
        QualificationError::ValidUntilRequired => "qualification_valid_until_required",
        QualificationError::RoleNotHeld => "qualification_role_not_held",
        QualificationError::RoleExempt => "qualification_role_exempt",
        QualificationError::ScoreOutOfRange => "qualification_score_out_of_range",
        QualificationError::ValidTooLong => "qualification_valid_too_long",
        QualificationError::ValidUntilNotAllowed => "qualification_valid_until_not_allowed",
    };
    AppError::new(Kind::Invalid, code)
}

fn ymd(d: NaiveDate) -> String {
    zwfw_domain::time::ymd(d)
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// The rules' view of stored rows (a row the program did not write is skipped).
pub fn records(rows: &[QualificationRow]) -> Vec<Record> {
    rows.iter().filter_map(record_of).collect()
}

fn record_of(r: &QualificationRow) -> Option<Record> {
    Some(Record {
        role: Role::parse(&r.role).ok()?,
        kind: QualificationKind::parse(&r.kind)?,
        result: QualificationResult::parse(&r.result)?,
        held_on: parse_day(&r.held_on)?,
        valid_until: r.valid_until.as_deref().and_then(parse_day),
    })
}

/// The actor of a signed-in staff member as it acts today (its roles cut
/// down to those qualified), and the roles held that lack a qualification.
pub async fn session_actor(st: &App, user: &User) -> AppResult<(Actor, Vec<(Role, dq::Standing)>)> {
    let actor = crate::accounts::sessions::actor_of(user);
    if user.kind != AccountKind::Staff {
        return Ok((actor, vec![]));
    }
    if !user.roles.iter().any(|r| dq::needs_qualification(*r)) {
        // Exempt, or holding no role (then acting for no department).
        return Ok((dq::effective_actor(actor, &[], st.today()), vec![]));
    }
    let recs = records(&sq::for_user(st.store.pool(), user.id).await?);
    let today = st.today();
    let missing = dq::unqualified_roles(&user.roles, &recs, today)
        .into_iter()
        .map(|r| (r, dq::standing(&recs, r, today)))
        .collect();
    Ok((dq::effective_actor(actor, &recs, today), missing))
}

tokio::task_local! {
    /// The signed-in staff member the work at hand is done for: whom a
    /// refusal made meanwhile is told to ([`acting`]).
    static ACTING: Actor;
}

/// Runs `work` for `actor` (a signed-in staff member whose session is open):
/// every refusal (403) made meanwhile that is one for want of a
/// qualification (上岗资格) is made as `403 not_qualified`, naming the roles
/// missing it (their codes in the detail), instead of the rule's code
/// ([`zwfw_domain::access::missing_qualification`]) — for a page, the API
/// and every other caller alike.
pub async fn acting<F: std::future::Future>(actor: Option<Actor>, work: F) -> F::Output {
    match actor {
        Some(a) if !a.unqualified.is_empty() => ACTING.scope(a, work).await,
        _ => work.await,
    }
}

/// The refusal told instead of a refusal coded `code` being made, when the
/// work is done for an actor ([`acting`]) who lacks a qualification for it.
pub(crate) fn told_instead(code: &str) -> Option<AppError> {
    if code == Refusal::NotQualified.code() {
        return None;
    }
    let roles = ACTING.try_with(|a| zwfw_domain::access::missing_qualification(a, Refusal::parse(code))).ok()??;
    let codes: Vec<&str> = roles.iter().map(|r| r.code()).collect();
    Some(AppError::Refused { kind: Kind::Forbidden, code: Refusal::NotQualified.code(), detail: Some(codes.join(",")) })
}

/// A staff member as they may act today (their roles cut down to those
/// qualified): what a transfer's target is checked as.
pub async fn acting_user(st: &App, mut user: User) -> AppResult<User> {
    let (actor, _) = session_actor(st, &user).await?;
    user.roles = actor.roles;
    Ok(user)
}

// ---------- views ----------

/// A training or an examination as its readers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = StaffQualification)]
pub struct QualificationView {
    pub id: i64,
    pub user_id: i64,
    pub role: String,
    pub role_label: String,
    /// training | exam
    pub kind: String,
    pub kind_label: String,
    /// YYYY-MM-DD.
    pub held_on: String,
    pub content: String,
    /// passed | failed | pending
    pub result: String,
    pub result_label: String,
    pub score: Option<i64>,
    /// YYYY-MM-DD: the last day a passed examination qualifies.
    pub valid_until: Option<String>,
    pub recorded_name: String,
    pub recorded_at: i64,
}

fn view(r: QualificationRow) -> QualificationView {
    QualificationView {
        id: r.id,
        user_id: r.user_id,
        role_label: crate::messages::label("role", &r.role),
        role: r.role,
        kind_label: crate::messages::label("qualification_kind", &r.kind),
        kind: r.kind,
        held_on: r.held_on,
        content: r.content,
        result_label: crate::messages::label("qualification_result", &r.result),
        result: r.result,
        score: r.score,
        valid_until: r.valid_until,
        recorded_name: r.recorded_name,
        recorded_at: r.recorded_at,
    }
}

/// Where a held role stands today.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = QualificationStanding)]
pub struct StandingView {
    pub role: String,
    pub role_label: String,
    /// exempt | qualified | expiring (within 30 days) | expired | missing
    pub standing: String,
    pub standing_label: String,
    /// The last day qualified (YYYY-MM-DD), when qualified.
    pub valid_until: Option<String>,
    /// The last day of a qualification that lapsed (YYYY-MM-DD), when expired.
    pub lapsed_on: Option<String>,
    /// Not qualified, or expiring within 30 days.
    pub attention: bool,
    /// What a role never qualified lacks: `training_and_exam`, `exam` (a
    /// passed examination after the training) or `training` (a passed
    /// training before the examination); none otherwise.
    pub lacking: Option<String>,
    pub lacking_label: Option<String>,
}

fn standing_view(role: Role, s: Standing, lack: Option<dq::Lack>) -> StandingView {
    StandingView {
        lacking: lack.map(|l| l.code().into()),
        lacking_label: lack.map(|l| crate::messages::label("qualification_lacking", l.code())),
        role: role.code().into(),
        role_label: crate::messages::label("role", role.code()),
        standing: s.code().into(),
        standing_label: crate::messages::label("qualification_standing", s.code()),
        valid_until: s.until().map(ymd),
        lapsed_on: s.lapsed_on().map(ymd),
        attention: s.needs_attention(),
    }
}

/// A staff member's qualifications: the standing of each role held and,
/// on their own page, every training and examination recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = StaffQualifications)]
pub struct PersonView {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub department_id: Option<i64>,
    pub department: String,
    pub active: bool,
    pub roles: Vec<StandingView>,
    /// Some role is not qualified, or expires within 30 days.
    pub attention: bool,
    /// Newest first (empty in the overview).
    pub records: Vec<QualificationView>,
    /// The reader may record a training or examination for this person, and for which roles.
    pub may_record: bool,
    pub recordable_roles: Vec<String>,
}

fn person_view(u: &User, department: String, rows: &[QualificationRow], today: NaiveDate) -> PersonView {
    let recs = records(rows);
    let roles: Vec<StandingView> = u
        .roles
        .iter()
        .map(|r| standing_view(*r, dq::standing(&recs, *r, today), dq::lacking(&recs, *r, today)))
        .collect();
    PersonView {
        user_id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        department_id: u.department_id,
        department,
        active: u.active,
        attention: u.active && roles.iter().any(|r| r.attention),
        roles,
        records: vec![],
        may_record: false,
        recordable_roles: vec![],
    }
}

fn subject(u: &User) -> QualificationSubject {
    QualificationSubject { user_id: u.id, kind: u.kind, department_id: u.department_id }
}

async fn department_names(st: &App) -> AppResult<HashMap<i64, String>> {
    Ok(store_admin::list_departments(&st.store).await?.into_iter().map(|d| (d.id, d.name)).collect())
}

// ---------- reading ----------

/// One staff member's qualifications, for them and for whoever lists their
/// department's; anyone else is answered "not found".
pub async fn person(ctx: &Ctx<'_>, user_id: i64) -> AppResult<PersonView> {
    let st = ctx.state;
    let u = store_admin::get_user(&st.store, user_id).await.map_err(AppError::missing("user"))?;
    if u.kind != AccountKind::Staff {
        return Err(AppError::not_found("user"));
    }
    if let Some(a) = ctx.actor {
        if !access::may_read_qualifications(a, &subject(&u)) {
            return Err(AppError::not_found("user"));
        }
    }
    let rows = sq::for_user(st.store.pool(), u.id).await?;
    let names = department_names(st).await?;
    let dept = u.department_id.and_then(|d| names.get(&d).cloned()).unwrap_or_default();
    let mut v = person_view(&u, dept, &rows, st.today());
    let recordable: Vec<String> = match ctx.actor {
        Some(a) => u
            .roles
            .iter()
            .filter(|r| dq::needs_qualification(**r))
            .filter(|r| access::may_record_qualification(a, &subject(&u), **r).is_ok())
            .map(|r| r.code().to_string())
            .collect(),
        None => vec![],
    };
    v.may_record = !recordable.is_empty();
    v.recordable_roles = recordable;
    v.records = rows.into_iter().map(view).collect();
    Ok(v)
}

/// The signed-in staff member's own qualifications.
pub async fn mine(ctx: &Ctx<'_>) -> AppResult<PersonView> {
    let a = ctx
        .actor
        .filter(|a| a.is_staff())
        .ok_or_else(|| AppError::with_detail(Kind::Forbidden, "staff_only", OBJECT))?;
    person(ctx, a.user_id).await
}

/// Which staff an overview shows.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[schema(as = QualificationQuery)]
#[into_params(parameter_in = Query)]
pub struct OverviewQuery {
    /// The centre and the supervision office: one department's staff.
    pub department_id: Option<i64>,
    /// Only those not qualified or expiring within 30 days.
    pub attention: Option<bool>,
}

/// One department's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = QualificationDepartment)]
pub struct DepartmentFigures {
    pub department_id: i64,
    pub department: String,
    /// Active staff members.
    pub staff: i64,
    /// Of them, not qualified or expiring within 30 days in some role.
    pub attention: i64,
}

/// The staff and their standing, per person and per department.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = QualificationOverview)]
pub struct Overview {
    /// The day the standing is read on (YYYY-MM-DD).
    pub today: String,
    pub rows: Vec<PersonView>,
    pub departments: Vec<DepartmentFigures>,
    /// The reader sees every department's staff.
    pub all_departments: bool,
}

/// The active staff the reader may list, with the standing of each role:
/// the centre, the system administrator and supervision every department's,
/// a department administrator its own.
pub async fn overview(ctx: &Ctx<'_>, q: &OverviewQuery) -> AppResult<Overview> {
    let st = ctx.state;
    let a = ctx.actor.ok_or_else(AppError::forbidden)?;
    let scope = access::qualification_scope(a).map_err(refused)?;
    let department = crate::error::list_department(scope, q.department_id)?;
    let staff = store_admin::list_staff(&st.store, department).await?;
    let mut by_user: HashMap<i64, Vec<QualificationRow>> = HashMap::new();
    for r in sq::for_department(st.store.pool(), department).await? {
        by_user.entry(r.user_id).or_default().push(r);
    }
    let names = department_names(st).await?;
    let today = st.today();
    let mut rows = Vec::new();
    let mut figures: Vec<DepartmentFigures> = Vec::new();
    for u in staff.iter().filter(|u| u.active) {
        let dept_name = u.department_id.and_then(|d| names.get(&d).cloned()).unwrap_or_default();
        let v = person_view(u, dept_name.clone(), by_user.get(&u.id).map(Vec::as_slice).unwrap_or(&[]), today);
        if let Some(d) = u.department_id {
            match figures.iter_mut().find(|f| f.department_id == d) {
                Some(f) => {
                    f.staff += 1;
                    f.attention += i64::from(v.attention);
                }
                None => figures.push(DepartmentFigures {
                    department_id: d,
                    department: dept_name,
                    staff: 1,
                    attention: i64::from(v.attention),
                }),
            }
        }
        if !q.attention.unwrap_or(false) || v.attention {
            rows.push(v);
        }
    }
    // Those to look at first.
    rows.sort_by_key(|r| (!r.attention, r.department_id, r.user_id));
    Ok(Overview { today: ymd(today), rows, departments: figures, all_departments: scope.is_none() })
}

// ---------- recording ----------

/// A training or an examination to record.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = StaffQualificationInput)]
pub struct RecordInput {
    /// The role it qualifies for (counter, reviewer, dept_head, legal_review, supervisor, dept_admin, center_admin).
    pub role: String,
    /// training | exam
    pub kind: String,
    /// The day it was held (YYYY-MM-DD), today or before.
    pub held_on: String,
    /// What it covered (at most 500 characters).
    pub content: String,
    /// passed | failed | pending
    pub result: String,
    /// 0–100, optional.
    #[serde(default)]
    pub score: Option<i64>,
    /// The last day a passed examination qualifies (YYYY-MM-DD): required
    /// for a passed examination, not before the day it was held.
    #[serde(default)]
    pub valid_until: Option<String>,
}

async fn staff_member(ctx: &Ctx<'_>, user_id: i64) -> AppResult<User> {
    let u = store_admin::get_user(&ctx.state.store, user_id).await.map_err(AppError::missing("user"))?;
    if u.kind != AccountKind::Staff {
        return Err(AppError::not_found("user"));
    }
    Ok(u)
}

/// Whether the actor may record a training or examination for `user_id`:
/// asked before the entry is read.
pub async fn may_record(ctx: &Ctx<'_>, user_id: i64) -> AppResult<()> {
    let u = staff_member(ctx, user_id).await?;
    match ctx.actor {
        Some(a) => access::may_record_for(a, &subject(&u)).map(|_| ()).map_err(refused),
        None => Ok(()),
    }
}

/// Records a training or an examination of `user_id` for one of the roles
/// they hold; the person is told in-app when a person recorded it.
pub async fn record(ctx: &Ctx<'_>, user_id: i64, input: &RecordInput) -> AppResult<QualificationView> {
    let st = ctx.state;
    let u = staff_member(ctx, user_id).await?;
    if let Some(a) = ctx.actor {
        access::may_record_for(a, &subject(&u)).map_err(refused)?;
    }
    let role = Role::parse(input.role.trim())
        .map_err(|_| AppError::with_detail(Kind::Invalid, "bad_qualification_role", "role"))?;
    let by_role = match ctx.actor {
        Some(a) => Some(access::may_record_qualification(a, &subject(&u), role).map_err(refused)?),
        None => None,
    };
    let kind = QualificationKind::parse(&input.kind)
        .ok_or_else(|| AppError::with_detail(Kind::Invalid, "bad_qualification_kind", "kind"))?;
    let result = QualificationResult::parse(&input.result)
        .ok_or_else(|| AppError::with_detail(Kind::Invalid, "bad_qualification_result", "result"))?;
    let held_on = parse_day(&input.held_on)
        .ok_or_else(|| AppError::with_detail(Kind::Invalid, "bad_qualification_date", "held_on"))?;
    let valid_until = match input.valid_until.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            parse_day(s)
                .ok_or_else(|| AppError::with_detail(Kind::Invalid, "bad_qualification_date", "valid_until"))?,
        ),
    };
    let content = zwfw_domain::interaction::text("content", &input.content, dq::MAX_CONTENT).map_err(|e| {
        AppError::with_detail(Kind::Invalid, "invalid_qualification_text", crate::messages::interaction_error_text(&e))
    })?;
    let entry = Entry { role, kind, result, held_on, valid_until, score: input.score };
    entry.check(&u.roles, st.today()).map_err(entry_error)?;
    let now = ctx.now();
    let recorded_name = ctx.actor.map(|a| a.display_name.clone()).unwrap_or_else(|| "系统".into());
    let (held, until) = (ymd(held_on), valid_until.map(ymd));
    let mut tx = st.store.begin().await?;
    let id = sq::insert(
        &mut tx,
        &sq::NewQualification {
            user_id: u.id,
            department_id: u.department_id,
            role: role.code(),
            kind: kind.code(),
            held_on: &held,
            content: &content,
            result: result.code(),
            score: input.score,
            valid_until: until.as_deref(),
            recorded_by: ctx.actor.map(|a| a.user_id),
            recorded_name: &recorded_name,
            recorded_at: now,
        },
    )
    .await?;
    let detail = json!({"qualification_id": id, "role": role.code(), "qualification_kind": kind.code(),
        "qualification_result": result.code(),
        "held_on": held, "valid_until": until, "score": input.score, "department_id": u.department_id,
        "recorded_as": by_role.map(|r| r.code())});
    ctx.audit(&mut tx, ctx.entry("qualification_recorded", "user", u.id, detail, &content)).await?;
    let title = format!(
        "已登记您的{}岗位{}：{}",
        crate::messages::label("role", role.code()),
        crate::messages::label("qualification_kind", kind.code()),
        crate::messages::label("qualification_result", result.code()),
    );
    let body = match &until {
        Some(d) if result == QualificationResult::Passed && kind == QualificationKind::Exam => {
            format!("{held}，{content}。上岗资格有效期至{d}。")
        }
        _ => format!("{held}，{content}。"),
    };
    // Told when a person records it (not when the program does: the demo, an operator's command).
    if ctx.actor.is_some() {
        zwfw_store::interaction::notify_users(&mut tx, &[u.id], &title, &body, &page_of(u.id), now).await?;
    }
    tx.commit().await?;
    let row = sq::for_user(st.store.pool(), u.id).await?.into_iter().find(|r| r.id == id);
    row.map(view).ok_or_else(|| AppError::not_found("qualification"))
}

/// The page of a staff member's qualifications.
pub fn page_of(user_id: i64) -> String {
    format!("/governance/qualifications/staff/{user_id}")
}

/// Records, as the program itself (the demo, the tests' one helper), a
/// training and a passed examination held on `held_on` for every role of
/// `user_id` that needs one and is not qualified today, valid through
/// `valid_until`; the number of roles qualified.
pub async fn qualify_all(
    st: &App,
    user_id: i64,
    held_on: NaiveDate,
    valid_until: NaiveDate,
    content: &str,
) -> AppResult<usize> {
    let ctx = Ctx { state: st, actor: None, client_addr: "system".into() };
    let u = staff_member(&ctx, user_id).await?;
    let recs = records(&sq::for_user(st.store.pool(), u.id).await?);
    let mut n = 0;
    for role in dq::unqualified_roles(&u.roles, &recs, st.today()) {
        for (kind, until) in [("training", None), ("exam", Some(ymd(valid_until)))] {
            let input = RecordInput {
                role: role.code().into(),
                kind: kind.into(),
                held_on: ymd(held_on),
                content: content.into(),
                result: "passed".into(),
                score: None,
                valid_until: until,
            };
            record(&ctx, u.id, &input).await?;
        }
        n += 1;
    }
    Ok(n)
}

// ---------- reminders ----------

/// Reminds, once per qualification, the holder, the service centre and the
/// administrators of the holder's department of a
/// qualification that ends within 30 days (and has no later one). Run by
/// the background job; the number of reminders sent.
pub async fn remind_expiring(st: &App) -> AppResult<usize> {
    let today = st.today();
    let staff: Vec<User> = store_admin::list_staff(&st.store, None).await?.into_iter().filter(|u| u.active).collect();
    let mut by_user: HashMap<i64, Vec<QualificationRow>> = HashMap::new();
    for r in sq::for_department(st.store.pool(), None).await? {
        by_user.entry(r.user_id).or_default().push(r);
    }
    let reminded: HashSet<i64> = sq::reminded(st.store.pool()).await?.into_iter().collect();
    let centre: Vec<i64> = staff.iter().filter(|u| u.roles.contains(&Role::CenterAdmin)).map(|u| u.id).collect();
    let ctx = Ctx { state: st, actor: None, client_addr: "system".into() };
    let mut sent = 0;
    for u in &staff {
        let rows = by_user.get(&u.id).map(Vec::as_slice).unwrap_or(&[]);
        for role in u.roles.iter().copied().filter(|r| dq::needs_qualification(*r)) {
            // The qualification that lasts longest today is the one that ends.
            let Some((row, until)) = rows
                .iter()
                .filter_map(|r| record_of(r).filter(|rec| rec.qualifies(role, today)).map(|rec| (r, rec.valid_until)))
                .filter_map(|(r, u)| u.map(|u| (r, u)))
                .max_by_key(|(_, u)| *u)
            else {
                continue;
            };
            if !dq::due_for_reminder(until, today) || reminded.contains(&row.id) {
                continue;
            }
            let until_s = ymd(until);
            let now = ctx.now();
            let mut tx = st.store.begin().await?;
            if !sq::add_reminder(&mut tx, row.id, u.id, &until_s, now).await? {
                continue;
            }
            let role_label = crate::messages::label("role", role.code());
            let title = format!("上岗资格即将到期：{}（{role_label}）", u.display_name);
            let body = format!(
                "{}的{role_label}岗位上岗资格有效期至{until_s}，到期后将不能以该岗位办理业务。请及时安排培训和考试。",
                u.display_name
            );
            // The holder, the centre and the administrators of the holder's department.
            let admins = staff
                .iter()
                .filter(|a| a.roles.contains(&Role::DeptAdmin) && a.department_id == u.department_id)
                .map(|a| a.id);
            let mut to = vec![u.id];
            for c in centre.iter().copied().chain(admins) {
                if !to.contains(&c) {
                    to.push(c);
                }
            }
            zwfw_store::interaction::notify_users(&mut tx, &to, &title, &body, &page_of(u.id), now).await?;
            let detail =
                json!({"qualification_id": row.id, "role": role.code(), "valid_until": until_s, "notified": to});
            ctx.audit(&mut tx, ctx.entry("qualification_reminded", "user", u.id, detail, "")).await?;
            tx.commit().await?;
            sent += 1;
        }
    }
    Ok(sent)
}

/// The Chinese sentence naming the roles a staff member holds but may not
/// act in today, for their workbench and a refused page. `acts_in_none`:
/// they act in no role at all (and so read none of the department's cases).
pub fn missing_text(missing: &[(Role, dq::Standing)], acts_in_none: bool) -> Option<String> {
    if missing.is_empty() {
        return None;
    }
    let name = |r: &Role| crate::messages::label("role", r.code());
    let mut parts = vec![];
    let never: Vec<String> = missing.iter().filter(|(_, s)| s.lapsed_on().is_none()).map(|(r, _)| name(r)).collect();
    if !never.is_empty() {
        parts.push(format!("您尚未取得{}岗位的有效上岗资格（经培训并考试合格，且在有效期内）", never.join("、")));
    }
    for (r, s) in missing {
        if let Some(on) = s.lapsed_on() {
            parts.push(format!("您的{}岗位上岗资格有效期至{}，已过期", name(r), on.format("%Y-%m-%d")));
        }
    }
    let reach = if acts_in_none {
        "暂不能以该岗位办理业务，也不能查阅本部门的办件"
    } else {
        "暂不能以该岗位办理业务"
    };
    Some(format!("{}，{reach}。请联系政务服务中心管理员安排培训和考试。", parts.join("；")))
}
