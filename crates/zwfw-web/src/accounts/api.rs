//! The accounts API: sign-in, the own account, sessions, TOTP, registration, and staff administration.

use crate::api::Register;
use crate::http::prelude::*;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use zwfw_app::accounts;
use zwfw_app::accounts::sessions::Gate;
use zwfw_app::accounts::MeView;
use zwfw_app::accounts::PublicUserView;
use zwfw_app::accounts::RegisterInput;
use zwfw_app::accounts::StaffInput;
use zwfw_app::accounts::StaffUpdate;
use zwfw_app::accounts::StaffView;
use zwfw_store::admin as store_admin;

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
    /// With `second_factor`: what the account may use, `totp` (`POST /auth/totp`)
    /// and/or `certificate` (`POST /auth/certificate/challenge`, then `POST /auth/certificate`).
    pub second_factors: Vec<String>,
}

fn gate_code(g: Gate) -> &'static str {
    match g {
        Gate::Open => "open",
        Gate::ChangePassword => "change_password",
        Gate::SecondFactor => "second_factor",
        Gate::EnrollTotp => "enroll_totp",
    }
}

#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 423, description = "account locked", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)))]
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
        second_factors: match out.gate {
            Gate::SecondFactor => [(out.user.totp_enabled, "totp"), (out.has_certificate, "certificate")]
                .into_iter()
                .filter(|(on, _)| *on)
                .map(|(_, f)| f.to_string())
                .collect(),
            _ => vec![],
        },
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

#[utoipa::path(post, path = "/auth/totp", tag = "auth", request_body = CodeRequest,
    responses((status = 409, description = "the session does not wait for a second factor (`second_factor_not_pending`)", body = ErrorBody), (status = 200, body = NextStep), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn totp_login(
    State(st): State<AppState>,
    AnySigned(s, ra): AnySigned,
    ApiJson(req): ApiJson<CodeRequest>,
) -> WebResult<Json<NextStep>> {
    if s.gate != Gate::SecondFactor {
        return Err(WebError::new(Kind::Conflict, "second_factor_not_pending"));
    }
    accounts::totp_login(&ctx(&st, &ra), &s, &req.code).await?;
    Ok(Json(NextStep { next_step: next_after_second_factor(&st, s.user.id).await?.into() }))
}

/// The next step of a session once its second factor is given.
pub(crate) async fn next_after_second_factor(st: &AppState, user_id: i64) -> WebResult<&'static str> {
    let user = store_admin::get_user(&st.store, user_id).await?;
    let next = if user.must_change_password || st.config.policy.password_expired(user.password_changed_at, st.now_ms())
    {
        Gate::ChangePassword
    } else {
        Gate::Open
    };
    Ok(gate_code(next))
}

#[utoipa::path(post, path = "/auth/logout", tag = "auth", responses((status = 204), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn logout(State(st): State<AppState>, AnySigned(s, ra): AnySigned) -> WebResult<StatusCode> {
    accounts::end_own_session(&ctx(&st, &ra), &s, s.session.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/me", tag = "account", responses((status = 200, body = MeView), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn me(AnySigned(s, _): AnySigned) -> Json<MeView> {
    Json(MeView::of(&s))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    pub old_password: String,
    pub new_password: String,
}

#[utoipa::path(post, path = "/me/password", tag = "account", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
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

#[derive(Deserialize, Serialize, ToSchema)]
pub struct EmailInput {
    /// The address notices by e-mail go to; empty to receive none.
    pub email: String,
}

/// Sets (or, empty, clears) the own e-mail address for notices; `invalid_email` when it is not one.
#[utoipa::path(put, path = "/me/email", tag = "account", request_body = EmailInput,
    responses((status = 200, body = EmailInput), (status = 422, description = "not an e-mail address", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn set_email(
    SignedIn { st, s, ra }: SignedIn,
    ApiJson(input): ApiJson<EmailInput>,
) -> WebResult<Json<EmailInput>> {
    let email = accounts::set_own_email(&ctx(&st, &ra), &s, &input.email).await?;
    Ok(Json(EmailInput { email: email.unwrap_or_default() }))
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

#[utoipa::path(get, path = "/me/sessions", tag = "account", responses((status = 200, body = [SessionView]), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn my_sessions(SignedIn { st, s, .. }: SignedIn) -> WebResult<Json<Vec<SessionView>>> {
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

#[utoipa::path(delete, path = "/me/sessions/{id}", tag = "account", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn end_my_session(SignedIn { st, s, ra }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<StatusCode> {
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

#[utoipa::path(post, path = "/me/totp/begin", tag = "account", responses((status = 200, body = TotpEnrollment), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
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

#[utoipa::path(post, path = "/me/totp/confirm", tag = "account", request_body = CodeRequest,
    responses((status = 204), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
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

#[utoipa::path(post, path = "/register", tag = "account", request_body = RegisterInput,
    responses((status = 201, body = MeViewPublic), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, description = "registry_check_limited: too many registrations from this address refused by the 人口库/法人库 check; try again later", body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody)))]
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

// ---------- staff ----------

#[utoipa::path(get, path = "/staff", tag = "accounts", responses((status = 200, body = [StaffView]), (status = 403, body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_staff(SignedIn { st, ra, .. }: SignedIn) -> WebResult<Json<Vec<StaffView>>> {
    let now = st.now_ms();
    Ok(Json(accounts::list_visible_staff(&ctx(&st, &ra)).await?.iter().map(|u| StaffView::of(u, now)).collect()))
}

#[utoipa::path(get, path = "/staff/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = StaffView), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not allowed, or the session must first change its password or set up TOTP", body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_staff(SignedIn { st, ra, .. }: SignedIn, ApiPath(id): ApiPath<i64>) -> WebResult<Json<StaffView>> {
    let u = accounts::visible_staff(&ctx(&st, &ra), id).await?;
    Ok(Json(StaffView::of(&u, st.now_ms())))
}

#[derive(Serialize, ToSchema)]
pub struct StaffCreated {
    pub account: StaffView,
    /// The initial password, shown once; it must be changed at first sign-in.
    pub initial_password: String,
}

#[utoipa::path(post, path = "/staff", tag = "accounts", request_body = StaffInput,
    responses((status = 201, body = StaffCreated), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_staff(
    SignedIn { st, ra, .. }: SignedIn,
    body: LateJson<StaffInput>,
) -> WebResult<(StatusCode, Json<StaffCreated>)> {
    let c = ctx(&st, &ra);
    accounts::may_create_staff(&c)?;
    let (u, pw) = accounts::create_staff(&c, &body.parse()?).await?;
    Ok((StatusCode::CREATED, Json(StaffCreated { account: StaffView::of(&u, st.now_ms()), initial_password: pw })))
}

#[utoipa::path(put, path = "/staff/{id}", tag = "accounts", params(("id" = i64, Path)), request_body = StaffUpdate,
    responses((status = 200, body = StaffView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)), security(("bearer" = [])))]
pub async fn update_staff(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<StaffUpdate>,
) -> WebResult<Json<StaffView>> {
    let c = ctx(&st, &ra);
    accounts::may_change_staff(&c, id).await?;
    let u = accounts::update_staff(&c, id, &body.parse()?).await?;
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

#[utoipa::path(post, path = "/staff/{id}/reset-password", tag = "accounts", params(("id" = i64, Path)), request_body = ResetRequest,
    responses((status = 200, body = TemporaryPassword), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)), security(("bearer" = [])))]
pub async fn reset_password(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<ResetRequest>,
) -> WebResult<Json<TemporaryPassword>> {
    let c = ctx(&st, &ra);
    accounts::may_change_staff(&c, id).await?;
    let req = body.parse()?;
    let pw = accounts::reset_password(&c, id, &req.reason, req.reset_totp).await?;
    Ok(Json(TemporaryPassword { temporary_password: pw }))
}

#[derive(Deserialize, ToSchema)]
pub struct ActiveRequest {
    pub active: bool,
    pub reason: String,
}

#[utoipa::path(post, path = "/staff/{id}/active", tag = "accounts", params(("id" = i64, Path)), request_body = ActiveRequest,
    responses((status = 200, body = StaffView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 400, description = "a bad parameter or body", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 422, description = "invalid input", body = ErrorBody)), security(("bearer" = [])))]
pub async fn set_active(
    SignedIn { st, ra, .. }: SignedIn,
    ApiPath(id): ApiPath<i64>,
    body: LateJson<ActiveRequest>,
) -> WebResult<Json<StaffView>> {
    let c = ctx(&st, &ra);
    accounts::may_change_staff(&c, id).await?;
    let req = body.parse()?;
    let u = accounts::set_staff_active(&c, id, req.active, &req.reason).await?;
    Ok(Json(StaffView::of(&u, st.now_ms())))
}

#[utoipa::path(get, path = "/public-users", tag = "accounts", responses((status = 200, body = [PublicUserView]), (status = 403, body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_public_users(SignedIn { st, s, .. }: SignedIn) -> WebResult<Json<Vec<PublicUserView>>> {
    if !zwfw_domain::access::staff::may_list_public_accounts(&s.actor) {
        return Err(WebError::forbidden());
    }
    Ok(Json(store_admin::list_public_users(&st.store, 1000).await?.iter().map(PublicUserView::masked).collect()))
}

/// The accounts endpoints, each registered with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .register(routes!(login))
        .register(routes!(totp_login))
        .register(routes!(logout))
        .register(routes!(me))
        .register(routes!(change_password))
        .register(routes!(set_email))
        .register(routes!(my_sessions))
        .register(routes!(end_my_session))
        .register(routes!(totp_begin))
        .register(routes!(totp_confirm))
        .register(routes!(register))
        .register(routes!(list_staff, create_staff))
        .register(routes!(get_staff, update_staff))
        .register(routes!(reset_password))
        .register(routes!(set_active))
        .register(routes!(list_public_users))
}
