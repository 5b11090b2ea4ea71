//! Accounts: staff administration, public self-registration, passwords,
//! TOTP enrolment, staff certificates and sessions. Shared by pages, API and command line.

pub mod certificates;
pub mod profile;
pub mod sessions;
pub use profile::*;

use crate::accounts::sessions::{hash_password, verify_password, SessionCtx};
use crate::error::Kind;
use crate::error::{AppError, AppResult};
use crate::state::Ctx;
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use zwfw_domain::access::{
    self,
    staff::{StaffAccount, StaffChange},
};
use zwfw_domain::admin::{parse_roles, AccountKind, Role};
use zwfw_domain::audit::action;
use zwfw_domain::auth::{parse_name, parse_username};
use zwfw_domain::ids::{mask_name, CreditCode, Mobile, ResidentId};
use zwfw_domain::{totp, DomainError};
use zwfw_store::admin::{self as store_admin, NewUser, User};
use zwfw_store::auth as store_auth;

/// A random password that satisfies the policy (all four classes, 12 characters).
pub fn generate_password() -> String {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"#@%+=!";
    let mut rng = rand::thread_rng();
    let all: Vec<u8> = [UPPER, LOWER, DIGIT].concat();
    let mut chars: Vec<u8> = vec![
        UPPER[rng.gen_range(0..UPPER.len())],
        LOWER[rng.gen_range(0..LOWER.len())],
        DIGIT[rng.gen_range(0..DIGIT.len())],
        SYMBOL[rng.gen_range(0..SYMBOL.len())],
    ];
    while chars.len() < 12 {
        chars.push(all[rng.gen_range(0..all.len())]);
    }
    chars.shuffle(&mut rng);
    String::from_utf8(chars).expect("ascii")
}

/// The reason of an administrator's change of an account, checked.
fn reason_required(reason: &str) -> AppResult<()> {
    crate::error::reason(reason).map(|_| ())
}

/// A staff account as shown to someone else: personal data masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub department_id: Option<i64>,
    /// Masked, e.g. 138****8000.
    pub mobile: Option<String>,
    pub roles: Vec<String>,
    pub active: bool,
    pub locked: bool,
    pub totp_enabled: bool,
    pub must_change_password: bool,
    pub is_demo: bool,
}

impl StaffView {
    pub fn of(u: &User, now_ms: i64) -> StaffView {
        StaffView {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            department_id: u.department_id,
            mobile: Mobile::mask_stored(u.mobile.as_deref()),
            roles: u.roles.iter().map(|r| r.code().to_string()).collect(),
            active: u.active,
            locked: zwfw_domain::auth::is_locked(u.locked_until, now_ms),
            totp_enabled: u.totp_enabled,
            must_change_password: u.must_change_password,
            is_demo: u.is_demo,
        }
    }
}

/// A public account as shown to staff: name, ID number and mobile masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicUserView {
    pub id: i64,
    pub username: String,
    pub kind: String,
    pub display_name: String,
    pub id_number: Option<String>,
    pub credit_code: Option<String>,
    pub mobile: Option<String>,
    pub active: bool,
}

impl PublicUserView {
    pub fn masked(u: &User) -> PublicUserView {
        PublicUserView {
            id: u.id,
            username: u.username.clone(),
            kind: u.kind.code().into(),
            display_name: if u.kind == AccountKind::Person {
                mask_name(&u.display_name)
            } else {
                u.display_name.clone()
            },
            id_number: u.id_number.as_deref().and_then(|v| ResidentId::parse(v).ok()).map(|v| v.masked()),
            credit_code: u.credit_code.clone(),
            mobile: Mobile::mask_stored(u.mobile.as_deref()),
            active: u.active,
        }
    }
}

/// The signed-in user's own profile: nothing masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeView {
    pub id: i64,
    pub username: String,
    pub kind: String,
    pub display_name: String,
    pub department_id: Option<i64>,
    pub id_number: Option<String>,
    pub credit_code: Option<String>,
    pub legal_rep: Option<String>,
    pub mobile: Option<String>,
    /// Where notices by e-mail go (none without).
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub totp_enabled: bool,
    pub csrf_token: String,
}

impl MeView {
    pub fn of(s: &SessionCtx) -> MeView {
        let u = &s.user;
        MeView {
            id: u.id,
            username: u.username.clone(),
            kind: u.kind.code().into(),
            display_name: u.display_name.clone(),
            department_id: u.department_id,
            id_number: u.id_number.clone(),
            credit_code: u.credit_code.clone(),
            legal_rep: u.legal_rep.clone(),
            mobile: u.mobile.clone(),
            email: u.email.clone(),
            roles: u.roles.iter().map(|r| r.code().to_string()).collect(),
            totp_enabled: u.totp_enabled,
            csrf_token: s.session.csrf_token.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct StaffInput {
    pub username: String,
    pub display_name: String,
    pub department_id: i64,
    /// Role codes, e.g. ["counter", "reviewer"].
    pub roles: Vec<String>,
    #[serde(default)]
    pub mobile: Option<String>,
    /// Initial password; generated when absent. Must be changed at first sign-in either way.
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub reason: String,
    /// The accepted configuration/maintenance request (配置/维护需求) the
    /// change is made under: recorded in the audit record and listed on the
    /// request's page (the service centre's administrators only).
    #[serde(default)]
    pub request: Option<i64>,
    /// Set by the demo loader only.
    #[serde(skip)]
    pub is_demo: bool,
}

fn parse_mobile(m: Option<&str>) -> AppResult<Option<String>> {
    match m.map(str::trim).filter(|s| !s.is_empty()) {
        Some(m) => Ok(Some(Mobile::parse(m)?.as_str().to_string())),
        None => Ok(None),
    }
}

fn check_grants(ctx: &Ctx<'_>, department_id: i64, roles: &[Role]) -> AppResult<()> {
    match ctx.actor {
        Some(a) => access::staff::may_create_with(a, department_id, roles).map_err(|r| AppError::refused(r, "user")),
        None => Ok(()),
    }
}

fn account(u: &User) -> StaffAccount<'_> {
    StaffAccount { user_id: u.id, kind: u.kind, department_id: u.department_id, roles: &u.roles }
}

/// Creates a staff account; returns it and the initial password to hand over.
pub async fn create_staff(ctx: &Ctx<'_>, input: &StaffInput) -> AppResult<(User, String)> {
    if !input.reason.trim().is_empty() {
        reason_required(&input.reason)?;
    }
    let username = parse_username(&input.username)?;
    let display_name = parse_name("display_name", &input.display_name, 30)?;
    // No role at all is allowed: an operator's account (运维人员), whose
    // role is granted only on a rights request the centre decides.
    let roles = if input.roles.iter().all(|r| r.trim().is_empty()) { vec![] } else { parse_roles(&input.roles)? };
    check_grants(ctx, input.department_id, &roles)?;
    crate::governance::check_request(ctx, input.request).await?;
    let store = &ctx.state.store;
    store_admin::get_department(store, input.department_id).await.map_err(AppError::missing("department"))?;
    let mobile = parse_mobile(input.mobile.as_deref())?;
    let password = match input.password.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => {
            ctx.state.config.policy.check_password(p, &username)?;
            p.to_string()
        }
        None => generate_password(),
    };
    if store_admin::find_user_by_username(store, &username).await?.is_some() {
        return Err(zwfw_store::StoreError::Duplicate("username").into());
    }
    let hash = hash_password(&password).await?;
    let mut tx = store.begin().await?;
    let id = store_admin::insert_user(
        &mut tx,
        &NewUser {
            username: username.clone(),
            kind: AccountKind::Staff,
            display_name,
            department_id: Some(input.department_id),
            id_number: None,
            credit_code: None,
            legal_rep: None,
            mobile,
            password_hash: hash,
            must_change_password: true,
            is_demo: input.is_demo,
            roles: roles.clone(),
        },
        ctx.now(),
    )
    .await?;
    crate::governance::audit_under(
        ctx,
        &mut tx,
        input.request,
        ctx.entry(
            action::CREATE,
            "user",
            id,
            json!({"username": username, "department_id": input.department_id, "roles": roles.iter().map(|r| r.code()).collect::<Vec<_>>()}),
            &input.reason,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((store_admin::get_user(store, id).await?, password))
}

/// Loads a staff account the actor may see; 404 (not 403) for other
/// departments so that their existence is not revealed.
pub async fn visible_staff(ctx: &Ctx<'_>, id: i64) -> AppResult<User> {
    let u = store_admin::get_user(&ctx.state.store, id).await?;
    if u.kind != AccountKind::Staff {
        return Err(AppError::not_found("user"));
    }
    if let Some(a) = ctx.actor {
        access::staff::may_read_account(a, &account(&u)).map_err(|r| AppError::refused(r, "user"))?;
    }
    Ok(u)
}

/// Loads a staff account the actor may make `change` to.
/// Whether the actor changes staff account `id` at all — the conditions
/// every change shares, which a password reset asks and no more — before the
/// change sent is read.
pub async fn may_change_staff(ctx: &Ctx<'_>, id: i64) -> AppResult<()> {
    manageable_staff(ctx, id, StaffChange::ResetPassword).await.map(|_| ())
}

/// Whether the actor creates staff accounts for some department (before
/// the form, which names the department and the roles, is read).
pub fn may_create_staff(ctx: &Ctx<'_>) -> AppResult<()> {
    match ctx.actor.is_none_or(access::staff::may_create_staff) {
        true => Ok(()),
        false => Err(AppError::forbidden()),
    }
}

async fn manageable_staff(ctx: &Ctx<'_>, id: i64, change: StaffChange<'_>) -> AppResult<User> {
    let u = visible_staff(ctx, id).await?;
    if let Some(a) = ctx.actor {
        access::staff::may_change_account(a, &account(&u), change).map_err(|r| AppError::refused(r, "user"))?;
    }
    Ok(u)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct StaffUpdate {
    pub display_name: String,
    pub department_id: i64,
    pub roles: Vec<String>,
    #[serde(default)]
    pub mobile: Option<String>,
    pub reason: String,
    /// The accepted configuration/maintenance request (配置/维护需求) the
    /// change is made under: recorded in the audit record and listed on the
    /// request's page (the service centre's administrators only).
    #[serde(default)]
    pub request: Option<i64>,
    /// 紧急变更: a role or department change made without an approved
    /// right-change request (权限变更申请), by the system administrator
    /// only, the reason required; flagged to the supervision office. Any
    /// other role or department change goes through a request.
    #[serde(default)]
    pub emergency: bool,
}

/// Edits a staff account. The name and the mobile change directly; the
/// roles and the department only in an emergency of the system
/// administrator (see [`crate::governance::rights`]), else through an
/// approved right-change request.
pub async fn update_staff(ctx: &Ctx<'_>, id: i64, input: &StaffUpdate) -> AppResult<User> {
    reason_required(&input.reason)?;
    let display_name = parse_name("display_name", &input.display_name, 30)?;
    let roles = parse_roles(&input.roles)?;
    // 紧急变更 is the system administrator's: anyone else marking it is told
    // so, before whether they may change the account at all.
    if let (true, Some(a)) = (input.emergency, ctx.actor) {
        visible_staff(ctx, id).await?;
        zwfw_domain::access::rights::may_change_directly(a, true)
            .map_err(|e| AppError::new(crate::error::Kind::Forbidden, e.code()))?;
    }
    let before =
        manageable_staff(ctx, id, StaffChange::Edit { department_id: input.department_id, roles: &roles }).await?;
    let emergency =
        crate::governance::rights::check_direct(ctx, &before, input.department_id, &roles, input.emergency).await?;
    crate::governance::check_request(ctx, input.request).await?;
    let store = &ctx.state.store;
    store_admin::get_department(store, input.department_id).await.map_err(AppError::missing("department"))?;
    let mobile = parse_mobile(input.mobile.as_deref())?;
    let now = ctx.now();
    let mut tx = store.begin().await?;
    // An emergency change moves the account under its own record below.
    let department_id = match (&emergency, before.department_id) {
        (Some(_), Some(d)) => d,
        _ => input.department_id,
    };
    store_admin::update_staff(&mut tx, id, &display_name, department_id, mobile.as_deref(), now).await?;
    let mut changes = serde_json::Map::new();
    if before.display_name != display_name {
        changes.insert("display_name".into(), json!([before.display_name, display_name]));
    }
    if before.department_id != Some(department_id) {
        changes.insert("department_id".into(), json!([before.department_id, department_id]));
    }
    if before.mobile != mobile {
        // Masked in the trail: the trail is read by more people than the owner.
        let m = |v: &Option<String>| Mobile::mask_stored(v.as_deref());
        changes.insert("mobile".into(), json!([m(&before.mobile), m(&mobile)]));
    }
    if !changes.is_empty() {
        let e = ctx.entry(action::UPDATE, "user", id, serde_json::Value::Object(changes), &input.reason);
        crate::governance::audit_under(ctx, &mut tx, input.request, e).await?;
    }
    if let Some(supervisors) = &emergency {
        crate::governance::rights::record_emergency(
            ctx,
            &mut tx,
            &before,
            input.department_id,
            &roles,
            &input.reason,
            supervisors,
        )
        .await?;
    } else if before.roles != roles {
        store_admin::set_roles(&mut tx, id, &roles).await?;
        let codes = |rs: &[Role]| rs.iter().map(|r| r.code()).collect::<Vec<_>>();
        crate::governance::audit_under(
            ctx,
            &mut tx,
            input.request,
            ctx.entry(
                action::ROLES_CHANGED,
                "user",
                id,
                json!({"roles": [codes(&before.roles), codes(&roles)]}),
                &input.reason,
            ),
        )
        .await?;
        // New rights take effect at the next sign-in.
        store_auth::end_user_sessions(&mut tx, id, None, "roles_changed", now).await?;
    }
    tx.commit().await?;
    Ok(store_admin::get_user(store, id).await?)
}

pub async fn set_staff_active(ctx: &Ctx<'_>, id: i64, active: bool, reason: &str) -> AppResult<User> {
    reason_required(reason)?;
    let change = if active { StaffChange::Enable } else { StaffChange::Disable };
    let u = manageable_staff(ctx, id, change).await?;
    let now = ctx.now();
    let mut tx = ctx.state.store.begin().await?;
    store_admin::set_active(&mut tx, u.id, active, now).await?;
    if !active {
        store_auth::end_user_sessions(&mut tx, u.id, None, "account_disabled", now).await?;
        // A disabled account handles no department's messages.
        crate::interaction::end_handlers_of(ctx, &mut tx, u.id, None, crate::interaction::ENDED_DISABLED).await?;
    }
    let act = if active { action::ACCOUNT_ENABLED } else { action::ACCOUNT_DISABLED };
    ctx.audit(&mut tx, ctx.entry(act, "user", u.id, json!({}), reason)).await?;
    tx.commit().await?;
    Ok(store_admin::get_user(&ctx.state.store, id).await?)
}

/// Resets a password (and unlocks the account); returns the temporary password.
/// With `reset_totp` the second factor must be enrolled again.
pub async fn reset_password(ctx: &Ctx<'_>, id: i64, reason: &str, reset_totp: bool) -> AppResult<String> {
    reason_required(reason)?;
    let u = manageable_staff(ctx, id, StaffChange::ResetPassword).await?;
    let password = generate_password();
    let hash = hash_password(&password).await?;
    let now = ctx.now();
    let mut tx = ctx.state.store.begin().await?;
    store_admin::set_password(&mut tx, u.id, &hash, true, now).await?;
    store_auth::end_user_sessions(&mut tx, u.id, None, "password_reset", now).await?;
    ctx.audit(&mut tx, ctx.entry(action::PASSWORD_RESET, "user", u.id, json!({"unlocked": true}), reason)).await?;
    if reset_totp {
        store_admin::set_totp(&mut tx, u.id, None, false, None).await?;
        ctx.audit(&mut tx, ctx.entry(action::TOTP_RESET, "user", u.id, json!({}), reason)).await?;
    }
    tx.commit().await?;
    Ok(password)
}

/// Changes the signed-in user's own password; other sessions are ended.
pub async fn change_own_password(ctx: &Ctx<'_>, s: &SessionCtx, old: &str, new: &str) -> AppResult<()> {
    if !verify_password(&s.user.password_hash, old).await {
        return Err(AppError::new(Kind::Invalid, "wrong_password"));
    }
    if old == new {
        return Err(DomainError::WeakPassword("same_as_old").into());
    }
    ctx.state.config.policy.check_password(new, &s.user.username)?;
    let hash = hash_password(new).await?;
    let now = ctx.now();
    let mut tx = ctx.state.store.begin().await?;
    store_admin::set_password(&mut tx, s.user.id, &hash, false, now).await?;
    let ended = store_auth::end_user_sessions(&mut tx, s.user.id, Some(s.session.id), "password_changed", now).await?;
    ctx.audit(
        &mut tx,
        ctx.entry(action::PASSWORD_CHANGED, "user", s.user.id, json!({"other_sessions_ended": ended}), ""),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RegisterInput {
    /// person (自然人) or company (法人)
    pub kind: String,
    pub username: String,
    pub password: String,
    /// 姓名 for a person, 单位名称 for a company.
    pub name: String,
    /// 居民身份证号码 (person).
    #[serde(default)]
    pub id_number: Option<String>,
    /// 统一社会信用代码 (company).
    #[serde(default)]
    pub credit_code: Option<String>,
    /// 法定代表人 (company).
    #[serde(default)]
    pub legal_rep: Option<String>,
    pub mobile: String,
    /// Set by the demo loader only.
    #[serde(skip)]
    pub is_demo: bool,
}

/// Self-registration of a natural or legal person.
pub async fn register_public(ctx: &Ctx<'_>, input: &RegisterInput) -> AppResult<User> {
    let kind = AccountKind::parse(input.kind.trim())?;
    if kind == AccountKind::Staff {
        return Err(DomainError::Invalid { field: "kind", reason: "unknown" }.into());
    }
    let username = parse_username(&input.username)?;
    let mobile = Mobile::parse(&input.mobile)?;
    let (display_name, id_number, credit_code, legal_rep) = match kind {
        AccountKind::Person => {
            let name = parse_name("name", &input.name, 30)?;
            let id = ResidentId::parse(input.id_number.as_deref().unwrap_or(""))?;
            (name, Some(id.to_string()), None, None)
        }
        _ => {
            let name = parse_name("name", &input.name, 100)?;
            let code = CreditCode::parse(input.credit_code.as_deref().unwrap_or(""))?;
            let rep = parse_name("legal_rep", input.legal_rep.as_deref().unwrap_or(""), 30)?;
            (name, None, Some(code.to_string()), Some(rep))
        }
    };
    ctx.state.config.policy.check_password(&input.password, &username)?;
    let store = &ctx.state.store;
    if store_admin::find_user_by_username(store, &username).await?.is_some() {
        return Err(zwfw_store::StoreError::Duplicate("username").into());
    }
    // The name and number against the 人口库 / 法人库, when it holds the number.
    let (record_kind, number) = match (&id_number, &credit_code) {
        (Some(id), _) => (zwfw_domain::registry::RecordKind::Person, id),
        (None, Some(code)) => (zwfw_domain::registry::RecordKind::Company, code),
        _ => return Err(AppError::Internal("registration without a number".into())),
    };
    // A refusal tells whether a name goes with a number: after repeated
    // refusals from one address, that address is refused for a while, so
    // that registration is no oracle of the registry.
    let guard = [format!("registry:{}", ctx.client_addr)];
    if ctx.state.track_blocked(&guard).await? {
        return Err(AppError::with_detail(Kind::TooMany, "registry_check_limited", "client"));
    }
    if let Err(e) = crate::registry::check_identity(ctx, record_kind, number, &display_name).await {
        if matches!(e.code(), "registry_mismatch" | "registry_not_operating") {
            ctx.state.track_failed(&guard).await?;
        }
        return Err(e);
    }
    let hash = hash_password(&input.password).await?;
    let mut tx = store.begin().await?;
    let id = store_admin::insert_user(
        &mut tx,
        &NewUser {
            username: username.clone(),
            kind,
            display_name,
            department_id: None,
            id_number: id_number.clone(),
            credit_code: credit_code.clone(),
            legal_rep,
            mobile: Some(mobile.as_str().to_string()),
            password_hash: hash,
            must_change_password: false,
            is_demo: input.is_demo,
            roles: vec![],
        },
        ctx.now(),
    )
    .await?;
    let mut e = ctx.entry(
        action::REGISTER,
        "user",
        id,
        json!({"username": username, "kind": kind.code(),
               "id_number": id_number.as_deref().and_then(|v| ResidentId::parse(v).ok()).map(|v| v.masked()),
               "credit_code": credit_code}),
        "",
    );
    e.actor_id = Some(id);
    e.actor_name = username;
    e.actor_role = kind.code().into();
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    Ok(store_admin::get_user(store, id).await?)
}

/// Starts TOTP enrolment: stores a new secret (not yet active) and returns it.
pub async fn totp_begin(ctx: &Ctx<'_>, s: &SessionCtx) -> AppResult<Vec<u8>> {
    if let Some(existing) = s.user.totp_secret.as_deref().filter(|_| !s.user.totp_enabled) {
        if let Some(secret) = totp::decode_secret(existing) {
            return Ok(secret);
        }
    }
    if s.user.totp_enabled {
        return Err(AppError::new(Kind::Conflict, "conflict"));
    }
    let mut secret = vec![0u8; 20];
    rand::thread_rng().fill(&mut secret[..]);
    let mut tx = ctx.state.store.begin().await?;
    store_admin::set_totp(&mut tx, s.user.id, Some(&totp::encode_secret(&secret)), false, None).await?;
    tx.commit().await?;
    Ok(secret)
}

/// Confirms enrolment with a code from the authenticator.
pub async fn totp_confirm(ctx: &Ctx<'_>, s: &SessionCtx, code: &str) -> AppResult<()> {
    let secret = s
        .user
        .totp_secret
        .as_deref()
        .and_then(totp::decode_secret)
        .ok_or_else(|| AppError::new(Kind::Conflict, "conflict"))?;
    let step = totp::verify(&secret, code, ctx.now() / 1000, s.user.totp_last_step)
        .ok_or_else(|| AppError::new(Kind::Invalid, "invalid_totp"))?;
    let mut tx = ctx.state.store.begin().await?;
    store_admin::set_totp(&mut tx, s.user.id, s.user.totp_secret.as_deref(), true, Some(step)).await?;
    ctx.audit(&mut tx, ctx.entry(action::TOTP_ENROLLED, "user", s.user.id, json!({}), "")).await?;
    tx.commit().await?;
    Ok(())
}

/// Completes a sign-in that waits for the second factor.
pub async fn totp_login(ctx: &Ctx<'_>, s: &SessionCtx, code: &str) -> AppResult<()> {
    let secret = s
        .user
        .totp_secret
        .as_deref()
        .and_then(totp::decode_secret)
        .ok_or_else(|| AppError::new(Kind::Conflict, "conflict"))?;
    let now = ctx.now();
    let mut tx = ctx.state.store.begin().await?;
    let ok = match totp::verify(&secret, code, now / 1000, s.user.totp_last_step) {
        Some(step) => store_admin::use_totp_step(&mut tx, s.user.id, step).await?,
        None => false,
    };
    if !ok {
        let outcome = ctx.state.config.policy.after_failure(s.user.failed_logins, now);
        store_admin::record_login_failure(&mut tx, s.user.id, outcome.failures, outcome.locked_until_ms).await?;
        ctx.audit(&mut tx, ctx.entry(action::LOGIN_FAILED, "session", s.session.id, json!({"cause": "totp"}), ""))
            .await?;
        if outcome.locked_until_ms.is_some() {
            store_auth::end_session(&mut tx, s.session.id, "locked", now).await?;
            ctx.audit(&mut tx, ctx.entry(action::ACCOUNT_LOCKED, "user", s.user.id, json!({"cause": "totp"}), ""))
                .await?;
        }
        tx.commit().await?;
        return Err(AppError::new(Kind::Invalid, "invalid_totp"));
    }
    store_auth::complete_mfa(&mut tx, s.session.id, now).await?;
    store_admin::record_login_success(&mut tx, s.user.id).await?;
    ctx.audit(&mut tx, ctx.entry(action::LOGIN, "session", s.session.id, json!({"second_factor": "totp"}), "")).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends one of the user's own sessions (or the current one: logout).
pub async fn end_own_session(ctx: &Ctx<'_>, s: &SessionCtx, session_id: i64) -> AppResult<()> {
    let target = store_auth::get_session(&ctx.state.store, session_id).await?;
    if target.user_id != s.user.id {
        return Err(AppError::not_found("session"));
    }
    let (act, reason) = if session_id == s.session.id {
        (action::LOGOUT, "logout")
    } else {
        (action::SESSION_REVOKED, "ended_by_user")
    };
    let mut tx = ctx.state.store.begin().await?;
    store_auth::end_session(&mut tx, session_id, reason, ctx.now()).await?;
    ctx.audit(&mut tx, ctx.entry(act, "session", session_id, json!({}), "")).await?;
    tx.commit().await?;
    Ok(())
}

/// Staff accounts the actor may see.
pub async fn list_visible_staff(ctx: &Ctx<'_>) -> AppResult<Vec<User>> {
    let a = ctx.actor.ok_or_else(AppError::forbidden)?;
    let scope = access::staff::staff_list_scope(a).map_err(|r| AppError::refused(r, "user"))?;
    Ok(store_admin::list_staff(&ctx.state.store, scope).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_satisfy_policy() {
        let p = zwfw_domain::auth::SecurityPolicy::default();
        for _ in 0..200 {
            let pw = generate_password();
            assert!(p.check_password(&pw, "someone").is_ok(), "{pw}");
        }
    }
}
