//! Authentication: argon2id passwords, sign-in with lockout and a second
//! factor, database sessions (cookie for pages, bearer token for the API),
//! CSRF protection, and the extractors handlers use to learn who acts.

use crate::error::{AppError, AppResult};
use crate::metrics::Metrics;
use crate::state::{AppState, Ctx};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use rand::RngCore;
use serde_json::json;
use zwfw_domain::admin::{AccountKind, Actor};
use zwfw_domain::audit::{action, sm3_hex};
use zwfw_domain::auth::is_locked;
use zwfw_store::admin::{self as store_admin, User};
use zwfw_store::auth::{self as store_auth, NewSession, Session};

pub const SESSION_COOKIE: &str = "zwfw_session";
pub const CSRF_COOKIE: &str = "zwfw_csrf";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

pub fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub async fn hash_password(password: &str) -> AppResult<String> {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(pw.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// A hash of nothing, verified for unknown usernames so that a missing account
/// takes as long to refuse as a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Ajq0Yrdg9/Pq0i5ZfE6jIXq0Uu9iVQ1KyH1Xb4Xx4Y";

pub async fn verify_password(hash: &str, password: &str) -> bool {
    let (h, pw) = (hash.to_string(), password.to_string());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&h).is_ok_and(|parsed| Argon2::default().verify_password(pw.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// What a signed-in session may do right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Everything the roles allow.
    Open,
    /// Only change the password (initial, reset or expired password).
    ChangePassword,
    /// Only enter the TOTP code.
    SecondFactor,
    /// Only enrol a TOTP authenticator (required by the role).
    EnrollTotp,
}

/// A resolved session: the session row, the account and its actor.
#[derive(Debug, Clone)]
pub struct SessionCtx {
    pub session: Session,
    pub user: User,
    pub actor: Actor,
    pub gate: Gate,
    /// Came from a bearer token (API clients) rather than a cookie.
    pub bearer: bool,
}

pub fn actor_of(user: &User) -> Actor {
    Actor {
        user_id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        kind: user.kind,
        department_id: user.department_id,
        roles: user.roles.clone(),
    }
}

fn needs_second_factor(user: &User) -> bool {
    user.kind == AccountKind::Staff && user.roles.iter().any(|r| r.requires_second_factor())
}

fn gate_of(state: &AppState, session: &Session, user: &User) -> Gate {
    let now = state.now_ms();
    if session.mfa_pending {
        return Gate::SecondFactor;
    }
    if user.must_change_password || state.config.policy.password_expired(user.password_changed_at, now) {
        return Gate::ChangePassword;
    }
    if needs_second_factor(user) && !user.totp_enabled {
        return Gate::EnrollTotp;
    }
    Gate::Open
}

/// The result of a successful password check.
#[derive(Debug)]
pub struct LoginOutcome {
    pub token: String,
    pub csrf_token: String,
    pub session_id: i64,
    pub user: User,
    pub gate: Gate,
    /// Other live sessions of the same account, shown to the user.
    pub other_sessions: usize,
}

/// Checks a username and password and opens a session. Failures are counted
/// and audited; the fifth in a row locks the account.
pub async fn login(ctx: &Ctx<'_>, username: &str, password: &str, user_agent: &str) -> AppResult<LoginOutcome> {
    let state = ctx.state;
    let now = ctx.now();
    let policy = &state.config.policy;
    let uname = username.trim().to_ascii_lowercase();
    let Some(user) = store_admin::find_user_by_username(&state.store, &uname).await? else {
        verify_password(DUMMY_HASH, password).await;
        Metrics::inc(&state.metrics.logins_failed);
        ctx.audit_alone(ctx.entry(action::LOGIN_FAILED, "user", &uname, json!({"cause": "unknown_user"}), "")).await?;
        return Err(AppError::new(StatusCode::UNAUTHORIZED, "invalid_credentials"));
    };
    let failure_entry = |cause: &str| {
        let mut e = ctx.entry(action::LOGIN_FAILED, "user", user.id, json!({"cause": cause}), "");
        e.actor_id = Some(user.id);
        e.actor_name = user.username.clone();
        e.department_id = user.department_id;
        e
    };
    if is_locked(user.locked_until, now) {
        Metrics::inc(&state.metrics.logins_failed);
        ctx.audit_alone(failure_entry("locked")).await?;
        let until = zwfw_domain::time::format_local(user.locked_until.unwrap_or(now));
        return Err(AppError::with_detail(StatusCode::LOCKED, "account_locked", until));
    }
    if !verify_password(&user.password_hash, password).await {
        Metrics::inc(&state.metrics.logins_failed);
        let outcome = policy.after_failure(user.failed_logins, now);
        let mut tx = state.store.begin().await?;
        store_admin::record_login_failure(&mut tx, user.id, outcome.failures, outcome.locked_until_ms).await?;
        ctx.audit(&mut tx, failure_entry("wrong_password")).await?;
        if let Some(until) = outcome.locked_until_ms {
            let mut e = failure_entry("locked");
            e.action = action::ACCOUNT_LOCKED.into();
            e.detail =
                json!({"locked_until": zwfw_domain::time::format_rfc3339(until), "failures": policy.max_failed_logins})
                    .to_string();
            ctx.audit(&mut tx, e).await?;
        }
        tx.commit().await?;
        return Err(match outcome.locked_until_ms {
            Some(until) => {
                AppError::with_detail(StatusCode::LOCKED, "account_locked", zwfw_domain::time::format_local(until))
            }
            None => AppError::new(StatusCode::UNAUTHORIZED, "invalid_credentials"),
        });
    }
    if !user.active {
        ctx.audit_alone(failure_entry("disabled")).await?;
        return Err(AppError::new(StatusCode::FORBIDDEN, "account_disabled"));
    }
    let token = random_token(32);
    let csrf = random_token(16);
    let mfa_pending = needs_second_factor(&user) && user.totp_enabled;
    let others = store_auth::list_user_sessions(&state.store, user.id).await?.len();
    let mut tx = state.store.begin().await?;
    store_admin::record_login_success(&mut tx, user.id).await?;
    let session_id = store_auth::insert_session(
        &mut tx,
        &NewSession {
            token_hash: &sm3_hex(token.as_bytes()),
            user_id: user.id,
            csrf_token: &csrf,
            mfa_pending,
            client_addr: &ctx.client_addr,
            user_agent: &user_agent.chars().take(200).collect::<String>(),
        },
        now,
    )
    .await?;
    let mut e = ctx.entry(
        action::LOGIN,
        "session",
        session_id,
        json!({"mfa_pending": mfa_pending, "other_live_sessions": others}),
        "",
    );
    let actor = actor_of(&user);
    e.actor_id = Some(user.id);
    e.actor_name = user.username.clone();
    e.actor_role = actor.primary_role().map(|r| r.code().to_string()).unwrap_or_else(|| user.kind.code().into());
    e.department_id = user.department_id;
    ctx.audit(&mut tx, e).await?;
    tx.commit().await?;
    Metrics::inc(&state.metrics.logins_ok);
    let session = store_auth::get_session(&state.store, session_id).await?;
    let gate = gate_of(state, &session, &user);
    Ok(LoginOutcome { token, csrf_token: csrf, session_id, user, gate, other_sessions: others })
}

/// Finds the live session for a token, ending it if it has been idle too long.
pub async fn resolve(state: &AppState, token: &str, bearer: bool) -> AppResult<Option<SessionCtx>> {
    let Some(session) = store_auth::find_session(&state.store, &sm3_hex(token.as_bytes())).await? else {
        return Ok(None);
    };
    let now = state.now_ms();
    if !state.config.policy.session_alive(session.created_at, session.last_seen_at, now) {
        let mut tx = state.store.begin().await?;
        store_auth::end_session(&mut tx, session.id, "idle_timeout", now).await?;
        tx.commit().await?;
        return Ok(None);
    }
    let user = store_admin::get_user(&state.store, session.user_id).await?;
    if !user.active {
        return Ok(None);
    }
    store_auth::touch_session(&state.store, session.id, now).await?;
    let gate = gate_of(state, &session, &user);
    let actor = actor_of(&user);
    Ok(Some(SessionCtx { session, user, actor, gate, bearer }))
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|cookies| {
        cookies.split(';').find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
    })
}

/// The client's address (see [`crate::proxies`]).
pub fn client_addr(
    parts_headers: &HeaderMap,
    extensions: &axum::http::Extensions,
    trusted: &[crate::proxies::ProxyNet],
) -> String {
    let peer = extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let forwarded = parts_headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    crate::proxies::client_ip(peer, forwarded, trusted).map(|ip| ip.to_string()).unwrap_or_default()
}

/// What the session layer learned about a request, stored in its extensions.
#[derive(Clone)]
pub struct RequestAuth {
    pub session: Option<SessionCtx>,
    /// The token to put in forms: the session's, or the anonymous cookie's.
    pub csrf_token: String,
    pub client_addr: String,
    /// Large-type (elderly-friendly) mode chosen by the visitor.
    pub large: bool,
    /// The request is for the JSON API (decided on the full path, before nesting).
    pub api: bool,
    /// The browser says it runs on a phone (the rating channel 移动服务端).
    pub mobile_client: bool,
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Resolves the session once per request and enforces CSRF on every
/// state-changing request: forms carry `_csrf` (the session's token, or for
/// anonymous forms the double-submit cookie); cookie-authenticated API calls
/// carry the `X-CSRF-Token` header; bearer-token API calls need neither.
pub async fn session_layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let addr = client_addr(&parts.headers, &parts.extensions, &state.config.trusted_proxies);
    let bearer_token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|s| s.trim().to_string());
    let cookie_token = cookie_value(&parts.headers, SESSION_COOKIE);
    let session = match (&bearer_token, &cookie_token) {
        (Some(t), _) => resolve(&state, t, true).await,
        (None, Some(t)) => resolve(&state, t, false).await,
        (None, None) => Ok(None),
    };
    let session = match session {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let anon_csrf = cookie_value(&parts.headers, CSRF_COOKIE).filter(|v| v.len() == 32);
    let (csrf_token, new_anon_csrf) = match (&session, &anon_csrf) {
        (Some(s), _) => (s.session.csrf_token.clone(), false),
        (None, Some(c)) => (c.clone(), false),
        (None, None) => (random_token(16), true),
    };
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let mut body = axum::body::Body::new(body);
    if unsafe_method {
        let path = parts.uri.path().to_string();
        if is_api(&path) {
            if let Some(s) = session.as_ref().filter(|s| !s.bearer) {
                let header = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
                if !constant_time_eq(header, &s.session.csrf_token) {
                    return AppError::new(StatusCode::FORBIDDEN, "csrf").into_response();
                }
            }
        } else {
            // File upload forms (multipart) carry the token in the query string;
            // other forms are small and carry it in the body.
            let multipart = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("multipart/form-data"));
            let from_query = || {
                let q: Vec<(String, String)> =
                    serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).unwrap_or_default();
                q.into_iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v)
            };
            let (sent, rebuilt) = if multipart {
                (from_query(), None)
            } else {
                let taken = std::mem::replace(&mut body, axum::body::Body::empty());
                let bytes = match axum::body::to_bytes(taken, 2 * 1024 * 1024).await {
                    Ok(b) => b,
                    Err(_) => return AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "bad_request").into_response(),
                };
                let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
                (form.into_iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v), Some(bytes))
            };
            let sent = sent
                .or_else(|| parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string))
                .unwrap_or_default();
            let expected = match (&session, &anon_csrf) {
                (Some(s), _) => Some(s.session.csrf_token.clone()),
                (None, Some(c)) => Some(c.clone()),
                (None, None) => None,
            };
            if !expected.is_some_and(|e| constant_time_eq(&sent, &e)) {
                tracing::warn!(path, "CSRF check failed");
                return crate::pages::error_page(&state, None, &AppError::new(StatusCode::FORBIDDEN, "csrf"));
            }
            if let Some(bytes) = rebuilt {
                body = axum::body::Body::from(bytes);
            }
        }
    }
    let large = cookie_value(&parts.headers, "zwfw_large").is_some_and(|v| v == "1");
    parts.extensions.insert(RequestAuth {
        session,
        csrf_token: csrf_token.clone(),
        client_addr: addr,
        large,
        api: is_api(parts.uri.path()),
        mobile_client: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ua| ua.contains("Mobile") || ua.contains("Android")),
    });
    let mut resp = next.run(Request::from_parts(parts, body)).await;
    if new_anon_csrf {
        let cookie = format!(
            "{CSRF_COOKIE}={csrf_token}; Path=/; HttpOnly; SameSite=Strict{}",
            if state.config.secure_cookies { "; Secure" } else { "" }
        );
        if let Ok(v) = cookie.parse() {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn session_cookie(state: &AppState, token: &str) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}",
        if state.config.secure_cookies { "; Secure" } else { "" }
    )
}

pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// The request's auth information; present on every route behind the session layer.
pub struct Auth(pub RequestAuth);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<RequestAuth>()
            .cloned()
            .map(Auth)
            .ok_or_else(|| AppError::Internal("session layer missing".into()))
    }
}

/// A signed-in user whose gate is open. Pages redirect to the login or gate
/// page; the API answers 401/403 with a code.
pub struct Signed(pub SessionCtx, pub RequestAuth);

pub enum SignedRejection {
    Api(AppError),
    Page(Redirect),
}

impl IntoResponse for SignedRejection {
    fn into_response(self) -> Response {
        match self {
            SignedRejection::Api(e) => e.into_response(),
            SignedRejection::Page(r) => r.into_response(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Signed {
    type Rejection = SignedRejection;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, SignedRejection> {
        let ra = parts.extensions.get::<RequestAuth>().cloned();
        let api = ra.as_ref().is_none_or(|r| r.api);
        let Some(ra) = ra else {
            return Err(SignedRejection::Api(AppError::Internal("session layer missing".into())));
        };
        let Some(s) = ra.session.clone() else {
            return Err(if api {
                SignedRejection::Api(AppError::new(StatusCode::UNAUTHORIZED, "login_required"))
            } else {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                SignedRejection::Page(Redirect::to(&format!("/login?next={}", urlencode(next))))
            });
        };
        let (code, page) = match s.gate {
            Gate::Open => return Ok(Signed(s, ra)),
            Gate::ChangePassword => ("password_change_required", "/account/password"),
            Gate::SecondFactor => ("second_factor_required", "/login/totp"),
            Gate::EnrollTotp => ("totp_enrollment_required", "/account/totp"),
        };
        Err(if api {
            SignedRejection::Api(AppError::new(StatusCode::FORBIDDEN, code))
        } else {
            SignedRejection::Page(Redirect::to(page))
        })
    }
}

/// A signed-in user whatever the gate (for the gate pages themselves).
pub struct AnySigned(pub SessionCtx, pub RequestAuth);

impl<S: Send + Sync> FromRequestParts<S> for AnySigned {
    type Rejection = SignedRejection;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, SignedRejection> {
        let ra = parts.extensions.get::<RequestAuth>().cloned();
        let api = ra.as_ref().is_none_or(|r| r.api);
        match ra.and_then(|ra| ra.session.clone().map(|s| (s, ra))) {
            Some((s, ra)) => Ok(AnySigned(s, ra)),
            None if api => Err(SignedRejection::Api(AppError::new(StatusCode::UNAUTHORIZED, "login_required"))),
            None => Err(SignedRejection::Page(Redirect::to("/login"))),
        }
    }
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A safe local redirect target (no scheme, no protocol-relative URL).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}
