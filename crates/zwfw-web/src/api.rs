//! The JSON API under `/api/v1`: every action of the pages, for mobile apps,
//! mini-programs and integrations. Described by OpenAPI at `/api/openapi.json`
//! and browsable with Swagger UI at `/api/docs`.
//!
//! Authentication: `POST /api/v1/auth/login` returns a bearer token. Calls
//! made with the session cookie instead must send `X-CSRF-Token`.

use crate::auth::{self, AnySigned, Auth, Signed};
use crate::error::{ErrorBody, Kind, WebError, WebResult};
use crate::state::AppState;
use axum::extract::{FromRequest, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{OpenApi, ToSchema};
use zwfw_app::accounts::sessions::Gate;
use zwfw_app::accounts::{self, MeView, PublicUserView, RegisterInput, StaffInput, StaffUpdate, StaffView};
use zwfw_app::orgs::{self, DepartmentInput, RegionInput};
use zwfw_app::Ctx;
use zwfw_domain::admin::Role;
use zwfw_domain::audit::action;
use zwfw_store::admin::{self as store_admin, Department, Region};

/// JSON body whose rejection is a structured error.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(WebError))]
pub struct ApiJson<T>(pub T);

fn ctx<'a>(state: &'a AppState, ra: &'a auth::RequestAuth) -> Ctx<'a> {
    Ctx { state, actor: ra.session.as_ref().map(|s| &s.actor), client_addr: ra.client_addr.clone() }
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Bearer token for `Authorization: Bearer …`.
    pub token: String,
    /// For calls authenticated by the session cookie instead (header `X-CSRF-Token`).
    pub csrf_token: String,
    /// What the session must do first: open | change_password | second_factor | enroll_totp.
    pub next_step: String,
    /// Other live sessions of this account.
    pub other_sessions: usize,
}

fn gate_code(g: Gate) -> &'static str {
    match g {
        Gate::Open => "open",
        Gate::ChangePassword => "change_password",
        Gate::SecondFactor => "second_factor",
        Gate::EnrollTotp => "enroll_totp",
    }
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 423, description = "account locked", body = ErrorBody)))]
pub async fn login(
    State(st): State<AppState>,
    Auth(ra): Auth,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> WebResult<Json<LoginResponse>> {
    let ua = headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("api");
    let out = zwfw_app::accounts::sessions::login(&ctx(&st, &ra), &req.username, &req.password, ua).await?;
    Ok(Json(LoginResponse {
        token: out.token,
        csrf_token: out.csrf_token,
        next_step: gate_code(out.gate).into(),
        other_sessions: out.other_sessions,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct CodeRequest {
    /// Six digits from the authenticator.
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct NextStep {
    pub next_step: String,
}

#[utoipa::path(post, path = "/api/v1/auth/totp", tag = "auth", request_body = CodeRequest,
    responses((status = 200, body = NextStep), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn totp_login(
    State(st): State<AppState>,
    AnySigned(s, ra): AnySigned,
    ApiJson(req): ApiJson<CodeRequest>,
) -> WebResult<Json<NextStep>> {
    if s.gate != Gate::SecondFactor {
        return Err(WebError::new(Kind::Conflict, "conflict"));
    }
    accounts::totp_login(&ctx(&st, &ra), &s, &req.code).await?;
    let user = store_admin::get_user(&st.store, s.user.id).await?;
    let next = if user.must_change_password || st.config.policy.password_expired(user.password_changed_at, st.now_ms())
    {
        Gate::ChangePassword
    } else {
        Gate::Open
    };
    Ok(Json(NextStep { next_step: gate_code(next).into() }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)), security(("bearer" = [])))]
pub async fn logout(State(st): State<AppState>, AnySigned(s, ra): AnySigned) -> WebResult<StatusCode> {
    accounts::end_own_session(&ctx(&st, &ra), &s, s.session.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "account", responses((status = 200, body = MeView), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn me(AnySigned(s, _): AnySigned) -> Json<MeView> {
    Json(MeView::of(&s))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    pub old_password: String,
    pub new_password: String,
}

#[utoipa::path(post, path = "/api/v1/me/password", tag = "account", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn change_password(
    State(st): State<AppState>,
    AnySigned(s, ra): AnySigned,
    ApiJson(req): ApiJson<PasswordChange>,
) -> WebResult<StatusCode> {
    if s.gate == Gate::SecondFactor {
        return Err(WebError::new(Kind::Forbidden, "second_factor_required"));
    }
    accounts::change_own_password(&ctx(&st, &ra), &s, &req.old_password, &req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub id: i64,
    pub created_at: String,
    pub last_seen_at: String,
    pub client_addr: String,
    pub user_agent: String,
    pub current: bool,
}

#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "account", responses((status = 200, body = [SessionView])), security(("bearer" = [])))]
pub async fn my_sessions(State(st): State<AppState>, Signed(s, _): Signed) -> WebResult<Json<Vec<SessionView>>> {
    let list = zwfw_store::auth::list_user_sessions(&st.store, s.user.id).await?;
    Ok(Json(
        list.into_iter()
            .map(|x| SessionView {
                id: x.id,
                created_at: zwfw_domain::time::format_rfc3339(x.created_at),
                last_seen_at: zwfw_domain::time::format_rfc3339(x.last_seen_at),
                client_addr: x.client_addr,
                user_agent: x.user_agent,
                current: x.id == s.session.id,
            })
            .collect(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "account", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn end_my_session(
    State(st): State<AppState>,
    Signed(s, ra): Signed,
    Path(id): Path<i64>,
) -> WebResult<StatusCode> {
    accounts::end_own_session(&ctx(&st, &ra), &s, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct TotpEnrollment {
    /// Base32 secret to type into an authenticator.
    pub secret: String,
    /// otpauth:// URL (what the QR code encodes).
    pub otpauth_url: String,
}

#[utoipa::path(post, path = "/api/v1/me/totp/begin", tag = "account", responses((status = 200, body = TotpEnrollment)), security(("bearer" = [])))]
pub async fn totp_begin(State(st): State<AppState>, AnySigned(s, ra): AnySigned) -> WebResult<Json<TotpEnrollment>> {
    if !matches!(s.gate, Gate::EnrollTotp | Gate::Open) {
        return Err(WebError::new(Kind::Forbidden, "password_change_required"));
    }
    let secret = accounts::totp_begin(&ctx(&st, &ra), &s).await?;
    Ok(Json(TotpEnrollment {
        secret: zwfw_domain::totp::encode_secret(&secret),
        otpauth_url: zwfw_domain::totp::otpauth_url(&st.config.site_name, &s.user.username, &secret),
    }))
}

#[utoipa::path(post, path = "/api/v1/me/totp/confirm", tag = "account", request_body = CodeRequest,
    responses((status = 204), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn totp_confirm(
    State(st): State<AppState>,
    AnySigned(s, ra): AnySigned,
    ApiJson(req): ApiJson<CodeRequest>,
) -> WebResult<StatusCode> {
    if !matches!(s.gate, Gate::EnrollTotp | Gate::Open) {
        return Err(WebError::new(Kind::Forbidden, "password_change_required"));
    }
    // Re-read: the secret was stored by `begin` after this session was resolved.
    let mut s = s;
    s.user = store_admin::get_user(&st.store, s.user.id).await?;
    accounts::totp_confirm(&ctx(&st, &ra), &s, &req.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/register", tag = "account", request_body = RegisterInput,
    responses((status = 201, body = MeViewPublic), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(st): State<AppState>,
    Auth(ra): Auth,
    ApiJson(req): ApiJson<RegisterInput>,
) -> WebResult<(StatusCode, Json<MeViewPublic>)> {
    let u = accounts::register_public(&ctx(&st, &ra), &req).await?;
    Ok((StatusCode::CREATED, Json(MeViewPublic { id: u.id, username: u.username, kind: u.kind.code().into() })))
}

/// A newly registered account.
#[derive(Serialize, ToSchema)]
pub struct MeViewPublic {
    pub id: i64,
    pub username: String,
    pub kind: String,
}

// ---------- organizations ----------

#[derive(Serialize, ToSchema)]
pub struct RegionView {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// city | county | town
    pub level: String,
    pub parent_id: Option<i64>,
}

impl From<Region> for RegionView {
    fn from(r: Region) -> Self {
        RegionView { id: r.id, code: r.code, name: r.name, level: r.level.code().into(), parent_id: r.parent_id }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DepartmentView {
    pub id: i64,
    pub name: String,
    pub short_name: String,
    pub credit_code: String,
    pub kind: String,
    pub region_id: i64,
    pub parent_id: Option<i64>,
    pub phone: String,
    pub address: String,
    pub active: bool,
}

impl From<Department> for DepartmentView {
    fn from(d: Department) -> Self {
        DepartmentView {
            id: d.id,
            name: d.name,
            short_name: d.short_name,
            credit_code: d.credit_code,
            kind: d.kind.code().into(),
            region_id: d.region_id,
            parent_id: d.parent_id,
            phone: d.phone,
            address: d.address,
            active: d.active,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/regions", tag = "organizations", responses((status = 200, body = [RegionView])))]
pub async fn list_regions(State(st): State<AppState>) -> WebResult<Json<Vec<RegionView>>> {
    Ok(Json(store_admin::list_regions(&st.store).await?.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/regions", tag = "organizations", request_body = RegionInput,
    responses((status = 201, body = RegionView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_region(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    ApiJson(req): ApiJson<RegionInput>,
) -> WebResult<(StatusCode, Json<RegionView>)> {
    Ok((StatusCode::CREATED, Json(orgs::create_region(&ctx(&st, &ra), &req).await?.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct RenameRegion {
    pub name: String,
    pub reason: String,
}

#[utoipa::path(put, path = "/api/v1/regions/{id}", tag = "organizations", params(("id" = i64, Path)), request_body = RenameRegion,
    responses((status = 200, body = RegionView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn rename_region(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<RenameRegion>,
) -> WebResult<Json<RegionView>> {
    Ok(Json(orgs::rename_region(&ctx(&st, &ra), id, &req.name, &req.reason).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/departments", tag = "organizations", responses((status = 200, body = [DepartmentView])))]
pub async fn list_departments(State(st): State<AppState>) -> WebResult<Json<Vec<DepartmentView>>> {
    Ok(Json(store_admin::list_departments(&st.store).await?.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, body = DepartmentView), (status = 404, body = ErrorBody)))]
pub async fn get_department(State(st): State<AppState>, Path(id): Path<i64>) -> WebResult<Json<DepartmentView>> {
    Ok(Json(store_admin::get_department(&st.store, id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/departments", tag = "organizations", request_body = DepartmentInput,
    responses((status = 201, body = DepartmentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_department(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    ApiJson(req): ApiJson<DepartmentInput>,
) -> WebResult<(StatusCode, Json<DepartmentView>)> {
    Ok((StatusCode::CREATED, Json(orgs::create_department(&ctx(&st, &ra), &req).await?.into())))
}

#[utoipa::path(put, path = "/api/v1/departments/{id}", tag = "organizations", params(("id" = i64, Path)), request_body = DepartmentInput,
    responses((status = 200, body = DepartmentView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn update_department(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<DepartmentInput>,
) -> WebResult<Json<DepartmentView>> {
    Ok(Json(orgs::update_department(&ctx(&st, &ra), id, &req).await?.into()))
}

// ---------- staff ----------

#[utoipa::path(get, path = "/api/v1/staff", tag = "accounts", responses((status = 200, body = [StaffView]), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_staff(State(st): State<AppState>, Signed(_s, ra): Signed) -> WebResult<Json<Vec<StaffView>>> {
    let now = st.now_ms();
    Ok(Json(accounts::list_visible_staff(&ctx(&st, &ra)).await?.iter().map(|u| StaffView::of(u, now)).collect()))
}

#[utoipa::path(get, path = "/api/v1/staff/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = StaffView), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_staff(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
) -> WebResult<Json<StaffView>> {
    let u = accounts::visible_staff(&ctx(&st, &ra), id).await?;
    Ok(Json(StaffView::of(&u, st.now_ms())))
}

#[derive(Serialize, ToSchema)]
pub struct StaffCreated {
    pub account: StaffView,
    /// The initial password, shown once; it must be changed at first sign-in.
    pub initial_password: String,
}

#[utoipa::path(post, path = "/api/v1/staff", tag = "accounts", request_body = StaffInput,
    responses((status = 201, body = StaffCreated), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_staff(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    ApiJson(req): ApiJson<StaffInput>,
) -> WebResult<(StatusCode, Json<StaffCreated>)> {
    let (u, pw) = accounts::create_staff(&ctx(&st, &ra), &req).await?;
    Ok((StatusCode::CREATED, Json(StaffCreated { account: StaffView::of(&u, st.now_ms()), initial_password: pw })))
}

#[utoipa::path(put, path = "/api/v1/staff/{id}", tag = "accounts", params(("id" = i64, Path)), request_body = StaffUpdate,
    responses((status = 200, body = StaffView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn update_staff(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<StaffUpdate>,
) -> WebResult<Json<StaffView>> {
    let u = accounts::update_staff(&ctx(&st, &ra), id, &req).await?;
    Ok(Json(StaffView::of(&u, st.now_ms())))
}

#[derive(Deserialize, ToSchema)]
pub struct ResetRequest {
    pub reason: String,
    #[serde(default)]
    pub reset_totp: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TemporaryPassword {
    pub temporary_password: String,
}

#[utoipa::path(post, path = "/api/v1/staff/{id}/reset-password", tag = "accounts", params(("id" = i64, Path)), request_body = ResetRequest,
    responses((status = 200, body = TemporaryPassword), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn reset_password(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ResetRequest>,
) -> WebResult<Json<TemporaryPassword>> {
    let pw = accounts::reset_password(&ctx(&st, &ra), id, &req.reason, req.reset_totp).await?;
    Ok(Json(TemporaryPassword { temporary_password: pw }))
}

#[derive(Deserialize, ToSchema)]
pub struct ActiveRequest {
    pub active: bool,
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/staff/{id}/active", tag = "accounts", params(("id" = i64, Path)), request_body = ActiveRequest,
    responses((status = 200, body = StaffView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn set_active(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ActiveRequest>,
) -> WebResult<Json<StaffView>> {
    let u = accounts::set_staff_active(&ctx(&st, &ra), id, req.active, &req.reason).await?;
    Ok(Json(StaffView::of(&u, st.now_ms())))
}

#[utoipa::path(get, path = "/api/v1/public-users", tag = "accounts", responses((status = 200, body = [PublicUserView]), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_public_users(
    State(st): State<AppState>,
    Signed(s, _): Signed,
) -> WebResult<Json<Vec<PublicUserView>>> {
    if !(s.actor.is_global_admin() || s.actor.has(Role::Supervisor)) {
        return Err(WebError::forbidden());
    }
    Ok(Json(store_admin::list_public_users(&st.store, 1000).await?.iter().map(PublicUserView::masked).collect()))
}

// ---------- audit ----------

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// RFC 3339 instant, inclusive.
    pub from: Option<String>,
    /// RFC 3339 instant, exclusive.
    pub to: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// Records with a smaller sequence number (paging).
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditRecordView {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub actor_role: String,
    pub department_id: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// JSON text describing what changed.
    pub detail: String,
    pub reason: String,
    pub client_addr: String,
    pub hash: String,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = [AuditRecordView]), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn audit(
    State(st): State<AppState>,
    Signed(s, _): Signed,
    Query(q): Query<AuditQuery>,
) -> WebResult<Json<Vec<AuditRecordView>>> {
    if !s.actor.can_read_audit() {
        return Err(WebError::forbidden());
    }
    let t = |v: &Option<String>| -> WebResult<Option<i64>> {
        v.as_deref().map(zwfw_domain::time::parse_rfc3339).transpose().map_err(Into::into)
    };
    let f = zwfw_store::audit::AuditFilter {
        from_ms: t(&q.from)?,
        to_ms: t(&q.to)?,
        actor_name: q.actor,
        action: q.action,
        object_type: q.object_type,
        object_id: q.object_id,
        department_id: None,
        before_seq: q.before,
        limit: q.limit.unwrap_or(100),
    };
    let records = zwfw_store::audit::list(&st.store, &f).await?;
    Ok(Json(
        records
            .into_iter()
            .map(|r| AuditRecordView {
                seq: r.seq,
                at: zwfw_domain::time::format_rfc3339(r.entry.at_ms),
                actor_id: r.entry.actor_id,
                actor_name: r.entry.actor_name,
                actor_role: r.entry.actor_role,
                department_id: r.entry.department_id,
                action: r.entry.action,
                object_type: r.entry.object_type,
                object_id: r.entry.object_id,
                detail: r.entry.detail,
                reason: r.entry.reason,
                client_addr: r.entry.client_addr,
                hash: r.hash,
            })
            .collect(),
    ))
}

// ---------- clock ----------

#[derive(Serialize, ToSchema)]
pub struct ClockView {
    /// The platform's current time (RFC 3339, Asia/Shanghai).
    pub now: String,
    /// Total shift from the real time, in milliseconds.
    pub offset_ms: i64,
    pub controlled: bool,
    pub demo: bool,
}

fn clock_view(st: &AppState) -> ClockView {
    ClockView {
        now: zwfw_domain::time::format_rfc3339(st.now_ms()),
        offset_ms: st.clock.offset_ms(),
        controlled: st.clock.is_controlled(),
        demo: st.config.demo,
    }
}

#[utoipa::path(get, path = "/api/v1/clock", tag = "clock", responses((status = 200, body = ClockView)))]
pub async fn get_clock(State(st): State<AppState>) -> Json<ClockView> {
    Json(clock_view(&st))
}

#[derive(Deserialize, ToSchema)]
pub struct MoveClock {
    /// Forward shift such as `+1d`, `+5d`, `+2h`.
    pub offset: String,
}

/// Moves the demo clock forward (demo mode, system administrators only).
pub async fn move_clock(ctx: &Ctx<'_>, offset: &str) -> WebResult<i64> {
    let st = ctx.state;
    if !st.config.demo {
        return Err(WebError::new(Kind::Conflict, "clock_not_controllable"));
    }
    if !ctx.actor.is_some_and(|a| a.can_control_clock()) {
        return Err(WebError::forbidden());
    }
    let delta = zwfw_domain::time::parse_offset(offset)?;
    if delta <= 0 {
        return Err(zwfw_domain::DomainError::Invalid { field: "offset", reason: "not_forward" }.into());
    }
    let before = st.now_ms();
    let moved = st.clock.moved_ms() + delta;
    let mut tx = st.store.begin().await?;
    zwfw_store::settings::put(&mut tx, zwfw_store::settings::CLOCK_OFFSET_MS, &moved.to_string(), before).await?;
    ctx.audit(
        &mut tx,
        ctx.entry(action::CLOCK_MOVED, "clock", "demo", json!({"offset": offset, "from": zwfw_domain::time::format_rfc3339(before), "to": zwfw_domain::time::format_rfc3339(before + delta)}), ""),
    )
    .await?;
    tx.commit().await?;
    st.clock.set_moved_ms(moved);
    Ok(moved)
}

#[utoipa::path(post, path = "/api/v1/admin/clock", tag = "clock", request_body = MoveClock,
    responses((status = 200, body = ClockView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn post_clock(
    State(st): State<AppState>,
    Signed(_s, ra): Signed,
    ApiJson(req): ApiJson<MoveClock>,
) -> WebResult<Json<ClockView>> {
    move_clock(&ctx(&st, &ra), &req.offset).await?;
    Ok(Json(clock_view(&st)))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "zwfw 政务服务平台 API", description = "JSON API of the zwfw platform. Errors are `{code, message, detail}` with a stable `code`."),
    paths(
        login, totp_login, logout, me, change_password, my_sessions, end_my_session, totp_begin, totp_confirm, register,
        list_regions, create_region, rename_region, list_departments, get_department, create_department, update_department,
        list_staff, get_staff, create_staff, update_staff, reset_password, set_active, list_public_users,
        audit, get_clock, post_clock,
        crate::calendar::api_year, crate::calendar::api_working_days, crate::calendar::api_add, crate::calendar::api_put_year,
        crate::catalog::api_create, crate::catalog::api_get, crate::catalog::api_list, crate::catalog::api_edit,
        crate::catalog::api_act, crate::catalog::api_new_version, crate::catalog::api_retire, crate::catalog::api_diff,
        crate::catalog::api_guide_list, crate::catalog::api_guide_item, crate::catalog::api_search, crate::catalog::api_export, crate::catalog::api_attach, crate::catalog_xlsx::api_import,
        crate::cases_api::api_upload, crate::cases_api::api_apply, crate::cases_api::api_list, crate::cases_api::api_get,
        crate::cases_api::api_act, crate::cases_api::api_document, crate::cases_api::api_material, crate::cases_api::api_original,
        crate::cases_api::api_original_return, crate::cases_api::api_inbox, crate::cases_api::api_track, crate::cases_api::api_e_materials,
        crate::interaction_api::api_submit, crate::interaction_api::api_list, crate::interaction_api::api_get, crate::interaction_api::api_act,
        crate::interaction_api::api_track, crate::interaction_api::api_handlers, crate::interaction_api::api_add_handler,
        crate::interaction_api::api_end_handler, crate::interaction_api::api_limits, crate::interaction_api::api_set_limit,
        crate::interaction_api::api_notifications, crate::interaction_api::api_notifications_read,
        crate::interaction_api::api_rate, crate::interaction_api::api_case_ratings, crate::interaction_api::api_link,
        crate::interaction_api::api_rate_link, crate::interaction_api::api_ratings, crate::interaction_api::api_public_ratings,
        crate::interaction_api::api_rating, crate::interaction_api::api_follow_up,
        crate::interaction_api::api_outbox, crate::interaction_api::api_outbox_retry, crate::interaction_api::api_region_handlers,
        crate::supervision_api::api_rules, crate::supervision_api::api_update_rule, crate::supervision_api::api_evaluate,
        crate::supervision_api::api_findings, crate::supervision_api::api_finding, crate::supervision_api::api_finding_act,
        crate::supervision_api::api_orders, crate::supervision_api::api_issue_order, crate::supervision_api::api_order,
        crate::supervision_api::api_order_act, crate::supervision_api::api_dashboard,
        crate::supervision_api::api_conduct_finding,
        crate::evaluation_api::api_evaluation, crate::evaluation_api::api_report, crate::evaluation_api::api_config,
        crate::evaluation_api::api_update_config, crate::evaluation_api::api_publish, crate::evaluation_api::api_rankings,
        crate::evaluation_api::api_ranking
    ),
    modifiers(&SecurityAddon),
    tags((name = "auth"), (name = "account"), (name = "organizations"), (name = "accounts"), (name = "audit"), (name = "clock"), (name = "calendar"), (name = "catalog"), (name = "cases"), (name = "interaction"), (name = "rating"), (name = "supervision"))
)]
pub struct ApiDoc;

struct SecurityAddon;

impl utoipa::Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/totp", post(totp_login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
        .route("/me/password", post(change_password))
        .route("/me/sessions", get(my_sessions))
        .route("/me/sessions/{id}", axum::routing::delete(end_my_session))
        .route("/me/totp/begin", post(totp_begin))
        .route("/me/totp/confirm", post(totp_confirm))
        .route("/register", post(register))
        .route("/regions", get(list_regions).post(create_region))
        .route("/regions/{id}", axum::routing::put(rename_region))
        .route("/departments", get(list_departments).post(create_department))
        .route("/departments/{id}", get(get_department).put(update_department))
        .route("/staff", get(list_staff).post(create_staff))
        .route("/staff/{id}", get(get_staff).put(update_staff))
        .route("/staff/{id}/reset-password", post(reset_password))
        .route("/staff/{id}/active", post(set_active))
        .route("/public-users", get(list_public_users))
        .route("/audit", get(audit))
        .route("/clock", get(get_clock))
        .route("/admin/clock", post(post_clock))
        .route("/items", get(crate::catalog::api_list).post(crate::catalog::api_create))
        .route("/items/{id}", get(crate::catalog::api_get))
        .route("/items/{id}/versions", post(crate::catalog::api_new_version))
        .route("/items/{id}/retire", post(crate::catalog::api_retire))
        .route("/items/{id}/diff", get(crate::catalog::api_diff))
        .route("/item-versions/{id}", axum::routing::put(crate::catalog::api_edit))
        .route("/item-versions/{id}/actions", post(crate::catalog::api_act))
        .route("/item-versions/{id}/attachments", post(crate::catalog::api_attach))
        .route("/items/import", post(crate::catalog_xlsx::api_import))
        .route("/guide/items", get(crate::catalog::api_guide_list))
        .route("/guide/search", get(crate::catalog::api_search))
        .route("/guide/export.json", get(crate::catalog::api_export))
        .route("/guide/items/{id}", get(crate::catalog::api_guide_item))
        .route("/calendar/working-days", get(crate::calendar::api_working_days))
        .route("/calendar/add", get(crate::calendar::api_add))
        .route("/calendar/{year}", get(crate::calendar::api_year).put(crate::calendar::api_put_year))
        .route("/uploads", post(crate::cases_api::api_upload))
        .route("/items/{id}/applications", post(crate::cases_api::api_apply))
        .route("/cases", get(crate::cases_api::api_list))
        .route("/cases/{id}", get(crate::cases_api::api_get))
        .route("/cases/{id}/actions", post(crate::cases_api::api_act))
        .route("/cases/{id}/documents/{doc_id}", get(crate::cases_api::api_document))
        .route("/cases/{id}/materials/{mid}", get(crate::cases_api::api_material))
        .route("/cases/{id}/originals", post(crate::cases_api::api_original))
        .route("/cases/{id}/originals/{oid}/return", post(crate::cases_api::api_original_return))
        .route("/inbox", get(crate::cases_api::api_inbox))
        .route("/track", post(crate::cases_api::api_track))
        .route("/e-materials", get(crate::cases_api::api_e_materials))
        .route("/interactions", get(crate::interaction_api::api_list).post(crate::interaction_api::api_submit))
        .route("/interactions/track", post(crate::interaction_api::api_track))
        .route("/interactions/{id}", get(crate::interaction_api::api_get))
        .route("/interactions/{id}/actions", post(crate::interaction_api::api_act))
        .route("/interactions/{id}/finding", post(crate::supervision_api::api_conduct_finding))
        .route(
            "/departments/{id}/interaction-handlers",
            get(crate::interaction_api::api_handlers).post(crate::interaction_api::api_add_handler),
        )
        .route("/departments/{id}/interaction-handlers/{hid}/end", post(crate::interaction_api::api_end_handler))
        .route("/interaction-limits", get(crate::interaction_api::api_limits))
        .route("/interaction-limits/{kind}", axum::routing::put(crate::interaction_api::api_set_limit))
        .route("/me/notifications", get(crate::interaction_api::api_notifications))
        .route("/me/notifications/read", post(crate::interaction_api::api_notifications_read))
        .route(
            "/cases/{id}/ratings",
            get(crate::interaction_api::api_case_ratings).post(crate::interaction_api::api_rate),
        )
        .route("/cases/{id}/rating-link", post(crate::interaction_api::api_link))
        .route("/rate/{token}", post(crate::interaction_api::api_rate_link))
        .route("/ratings", get(crate::interaction_api::api_ratings))
        .route("/ratings/public", get(crate::interaction_api::api_public_ratings))
        .route("/ratings/{id}", get(crate::interaction_api::api_rating))
        .route("/ratings/{id}/actions", post(crate::interaction_api::api_follow_up))
        .route("/regions/{id}/interaction-handlers", get(crate::interaction_api::api_region_handlers))
        .route("/admin/outbox", get(crate::interaction_api::api_outbox))
        .route("/admin/outbox/{id}/retry", post(crate::interaction_api::api_outbox_retry))
        .route("/supervision/rules", get(crate::supervision_api::api_rules))
        .route("/supervision/rules/{code}", axum::routing::put(crate::supervision_api::api_update_rule))
        .route("/supervision/evaluate", post(crate::supervision_api::api_evaluate))
        .route("/supervision/findings", get(crate::supervision_api::api_findings))
        .route("/supervision/findings/{id}", get(crate::supervision_api::api_finding))
        .route("/supervision/findings/{id}/actions", post(crate::supervision_api::api_finding_act))
        .route(
            "/supervision/orders",
            get(crate::supervision_api::api_orders).post(crate::supervision_api::api_issue_order),
        )
        .route("/supervision/orders/{id}", get(crate::supervision_api::api_order))
        .route("/supervision/orders/{id}/actions", post(crate::supervision_api::api_order_act))
        .route("/supervision/dashboard", get(crate::supervision_api::api_dashboard))
        .route("/supervision/evaluation", get(crate::evaluation_api::api_evaluation))
        .route("/supervision/evaluation/report", get(crate::evaluation_api::api_report))
        .route(
            "/supervision/evaluation/config",
            get(crate::evaluation_api::api_config).put(crate::evaluation_api::api_update_config),
        )
        .route("/supervision/evaluation/publications", post(crate::evaluation_api::api_publish))
        .route("/rankings", get(crate::evaluation_api::api_rankings))
        .route("/rankings/{period}", get(crate::evaluation_api::api_ranking))
}
