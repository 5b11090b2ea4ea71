//! Authentication: argon2id passwords, sign-in with lockout and a second
//! factor, database sessions (the web layer carries their tokens in a cookie
//! for pages and a bearer token for the API).

use crate::error::{AppError, AppResult, Kind};
use crate::metrics::Metrics;
use crate::state::{App, Ctx};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use serde_json::json;
use zwfw_domain::admin::{AccountKind, Actor};
use zwfw_domain::audit::{action, sm3_hex};
use zwfw_domain::auth::is_locked;
use zwfw_store::admin::{self as store_admin, User};
use zwfw_store::auth::{self as store_auth, NewSession, Session};

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
    /// Unread in-app messages, for the menu of a page (counted for cookie
    /// sessions only; 0 for bearer tokens, which ask the API).
    pub unread: i64,
    /// The roles held that lack a valid qualification today (上岗资格): the
    /// actor does not act in them.
    pub unqualified: Vec<(zwfw_domain::admin::Role, zwfw_domain::governance::qualification::Standing)>,
}

pub fn actor_of(user: &User) -> Actor {
    Actor {
        user_id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        kind: user.kind,
        department_id: user.department_id,
        roles: user.roles.clone(),
        unqualified: vec![],
    }
}

fn needs_second_factor(user: &User) -> bool {
    user.kind == AccountKind::Staff && user.roles.iter().any(|r| r.requires_second_factor())
}

/// The gate of a session; `has_certificate`: the account has a staff
/// certificate usable now, which stands for an enrolled TOTP authenticator.
fn gate_of(state: &App, session: &Session, user: &User, has_certificate: bool) -> Gate {
    let now = state.now_ms();
    if session.mfa_pending {
        return Gate::SecondFactor;
    }
    if user.must_change_password || state.config.policy.password_expired(user.password_changed_at, now) {
        return Gate::ChangePassword;
    }
    if needs_second_factor(user) && !user.totp_enabled && !has_certificate {
        return Gate::EnrollTotp;
    }
    Gate::Open
}

/// The gate of a session, asking for a usable certificate only when it decides.
async fn gate(state: &App, session: &Session, user: &User) -> AppResult<Gate> {
    let ask = !session.mfa_pending && needs_second_factor(user) && !user.totp_enabled;
    let has_certificate = ask && crate::accounts::certificates::has_usable(state, user.id).await?;
    Ok(gate_of(state, session, user, has_certificate))
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
    /// The account has a staff certificate usable now (a second factor).
    pub has_certificate: bool,
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
        return Err(AppError::new(Kind::Unauthenticated, "invalid_credentials"));
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
        return Err(AppError::with_detail(Kind::Locked, "account_locked", until));
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
                AppError::with_detail(Kind::Locked, "account_locked", zwfw_domain::time::format_local(until))
            }
            None => AppError::new(Kind::Unauthenticated, "invalid_credentials"),
        });
    }
    if !user.active {
        ctx.audit_alone(failure_entry("disabled")).await?;
        return Err(AppError::new(Kind::Forbidden, "account_disabled"));
    }
    let token = random_token(32);
    let csrf = random_token(16);
    // A staff member with a usable certificate signs with it (or enters a
    // TOTP code) after the password, whatever the roles.
    let has_certificate =
        user.kind == AccountKind::Staff && crate::accounts::certificates::has_usable(state, user.id).await?;
    let mfa_pending = (needs_second_factor(&user) && user.totp_enabled) || has_certificate;
    let others = store_auth::list_user_sessions(&state.store, user.id).await?.len();
    let mut tx = state.store.begin().await?;
    // The failures count on until the second factor is given too: signing
    // in with the password again does not start the count of wrong codes
    // (or signatures) afresh.
    if !mfa_pending {
        store_admin::record_login_success(&mut tx, user.id).await?;
    }
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
    let gate = gate_of(state, &session, &user, has_certificate);
    Ok(LoginOutcome { token, csrf_token: csrf, session_id, user, gate, other_sessions: others, has_certificate })
}

/// Finds the live session for a token, ending it if it has been idle too long.
pub async fn resolve(state: &App, token: &str, bearer: bool) -> AppResult<Option<SessionCtx>> {
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
    let gate = gate(state, &session, &user).await?;
    // A staff member acts only in the roles qualified today.
    let (actor, unqualified) = crate::governance::qualifications::session_actor(state, &user).await?;
    let unread = if bearer {
        0
    } else {
        crate::cases::notices::derive_if_behind(state).await;
        zwfw_store::interaction::unread_count(&state.store, user.id).await?
    };
    Ok(Some(SessionCtx { session, user, actor, gate, bearer, unread, unqualified }))
}
