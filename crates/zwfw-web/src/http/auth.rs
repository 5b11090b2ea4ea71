//! Sessions over HTTP: the session cookie and bearer token, CSRF on every
//! state-changing request, and the extractors handlers use to learn who acts.

use crate::http::error::Kind;
use crate::http::error::WebError;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::extract::Request;
use axum::extract::State;
use axum::http::header;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::http::Method;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use zwfw_app::accounts::sessions::random_token;
use zwfw_app::accounts::sessions::resolve;
use zwfw_app::accounts::sessions::Gate;
use zwfw_app::accounts::sessions::SessionCtx;

pub const SESSION_COOKIE: &str = "zwfw_session";
pub const CSRF_COOKIE: &str = "zwfw_csrf";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|cookies| {
        cookies.split(';').find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
    })
}

/// The client's address (see [`crate::http::proxies`]).
pub fn client_addr(
    parts_headers: &HeaderMap,
    extensions: &axum::http::Extensions,
    trusted: &[crate::http::proxies::ProxyNet],
) -> String {
    let peer = extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let forwarded = parts_headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    crate::http::proxies::client_ip(peer, forwarded, trusted).map(|ip| ip.to_string()).unwrap_or_default()
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

impl RequestAuth {
    /// A page request nobody is known for (an error answered before the
    /// session was read).
    pub fn nobody() -> RequestAuth {
        RequestAuth {
            session: None,
            csrf_token: String::new(),
            client_addr: String::new(),
            large: false,
            api: false,
            mobile_client: false,
        }
    }
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
    let addr = client_addr(&parts.headers, &parts.extensions, &state.web().trusted_proxies);
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
        Err(e) => return WebError(e).into_response(),
    };
    let anon_csrf = cookie_value(&parts.headers, CSRF_COOKIE).filter(|v| v.len() == 32);
    let (csrf_token, new_anon_csrf) = match (&session, &anon_csrf) {
        (Some(s), _) => (s.session.csrf_token.clone(), false),
        (None, Some(c)) => (c.clone(), false),
        (None, None) => (random_token(16), true),
    };
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let mut body = axum::body::Body::new(body);
    let multipart = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/"));
    // A file upload form's token: its first field (or, from older pages,
    // the query string).
    let mut multipart_csrf = None;
    if unsafe_method && multipart {
        // Read whole before anything answers: a refusal (CSRF, permission,
        // a file too large or not accepted) answered while the browser is
        // still sending resets the connection, and the visitor sees no page.
        let taken = std::mem::replace(&mut body, axum::body::Body::empty());
        match read_whole(taken).await {
            Ok(bytes) => {
                multipart_csrf = multipart_field(&parts.headers, &bytes, CSRF_FIELD);
                body = axum::body::Body::from(bytes);
            }
            Err(err) => {
                return if is_api(parts.uri.path()) {
                    err.into_response()
                } else {
                    crate::http::pages::error_page(&state, None, &err)
                };
            }
        }
    }
    if unsafe_method {
        let path = parts.uri.path().to_string();
        if is_api(&path) {
            if let Some(s) = session.as_ref().filter(|s| !s.bearer) {
                let header = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
                if !constant_time_eq(header, &s.session.csrf_token) {
                    return WebError::new(Kind::Forbidden, "csrf").into_response();
                }
            }
        } else {
            // Every form carries the token in its body: file upload forms
            // (multipart, read whole above) as their first field, which keeps
            // it out of the address bar; a query string is still read there.
            let from_query = || {
                let q: Vec<(String, String)> =
                    serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).unwrap_or_default();
                q.into_iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v)
            };
            let (sent, rebuilt) = if multipart {
                (multipart_csrf.take().or_else(from_query), None)
            } else {
                let taken = std::mem::replace(&mut body, axum::body::Body::empty());
                let bytes = match axum::body::to_bytes(taken, 2 * 1024 * 1024).await {
                    Ok(b) => b,
                    Err(_) => return WebError::new(Kind::TooLarge, "bad_request").into_response(),
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
                // A form sent after its session ended (idle, signed out
                // elsewhere): say so, with the way back through the login.
                // (Signing out in another tab removes the cookie: a form that
                // still carries a token was sent from a session's page.)
                if session.is_none() && (cookie_token.is_some() || !sent.is_empty()) {
                    let e = WebError::new(Kind::Unauthenticated, "form_session_expired");
                    return crate::http::pages::expired_page(&state, &e, &back_path(&parts));
                }
                return crate::http::pages::error_page(&state, None, &WebError::new(Kind::Forbidden, "csrf"));
            }
            if let Some(bytes) = rebuilt {
                body = axum::body::Body::from(bytes);
            }
        }
    }
    let large = cookie_value(&parts.headers, "zwfw_large").is_some_and(|v| v == "1");
    let ra = RequestAuth {
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
    };
    parts.extensions.insert(ra.clone());
    // A refusal for want of a qualification (上岗资格) is told as such by
    // the use case that makes it, to a page and to the API alike.
    let acting = ra.session.as_ref().filter(|s| s.gate == Gate::Open).map(|s| s.actor.clone());
    let mut resp =
        zwfw_app::governance::qualifications::acting(acting, next.run(Request::from_parts(parts, body))).await;
    if is_extractor_rejection(&resp) {
        // A path or query that does not parse (/cases/abc, ?page=x): answered
        // in words like every other refusal, not with the framework's text.
        let status = resp.status();
        let err = WebError::new(Kind::BadInput, "bad_request");
        resp = if ra.api { err.into_response() } else { crate::http::pages::error_page(&state, Some(&ra), &err) };
        *resp.status_mut() = status;
    }
    if resp.status() == StatusCode::METHOD_NOT_ALLOWED && !resp.headers().contains_key(header::CONTENT_TYPE) {
        // A form's address opened in the browser (GET of a POST-only path):
        // said in words, the methods it takes kept in `Allow`.
        let allow = resp.headers().get(header::ALLOW).cloned();
        let err = WebError::new(Kind::BadInput, "method_not_allowed");
        resp = if ra.api { err.into_response() } else { crate::http::pages::error_page(&state, Some(&ra), &err) };
        *resp.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        if let Some(a) = allow {
            resp.headers_mut().insert(header::ALLOW, a);
        }
    }
    if new_anon_csrf {
        let cookie = format!(
            "{CSRF_COOKIE}={csrf_token}; Path=/; HttpOnly; SameSite=Strict{}",
            if state.web().secure_cookies { "; Secure" } else { "" }
        );
        if let Ok(v) = cookie.parse() {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// The most a multipart request may carry (each handler checks its files
/// against the configured upload limit, below this).
pub const MULTIPART_MAX: usize = 16 * 1024 * 1024;
/// How much of a multipart request past [`MULTIPART_MAX`] is still read and
/// thrown away, so that the browser gets the answer (文件超过大小限制) instead
/// of a reset connection; the transport refuses larger bodies outright.
pub const DRAIN_MAX: usize = 64 * 1024 * 1024;

/// A multipart body read to its end: its bytes, or, past [`MULTIPART_MAX`],
/// `TooLarge` once the rest (up to [`DRAIN_MAX`]) has been read and dropped.
async fn read_whole(mut body: axum::body::Body) -> Result<axum::body::Bytes, WebError> {
    use http_body_util::BodyExt;
    let mut buf: Vec<u8> = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            if seen > MULTIPART_MAX {
                break;
            }
            return Err(WebError::new(Kind::BadInput, "bad_request"));
        };
        if let Ok(data) = frame.into_data() {
            seen = seen.saturating_add(data.len());
            if seen <= MULTIPART_MAX {
                buf.extend_from_slice(&data);
            } else if seen > DRAIN_MAX {
                break;
            } else {
                buf = Vec::new();
            }
        }
    }
    if seen > MULTIPART_MAX {
        return Err(zwfw_domain::files::UploadError::TooLarge { max_bytes: MULTIPART_MAX }.into());
    }
    Ok(buf.into())
}

/// The framework's own answer to a request it could not parse: a client
/// error in plain text (every answer of ours is HTML or JSON).
fn is_extractor_rejection(resp: &Response) -> bool {
    matches!(
        resp.status(),
        StatusCode::BAD_REQUEST | StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::UNPROCESSABLE_ENTITY
    ) && resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/plain"))
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn session_cookie(state: &AppState, token: &str) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}",
        if state.web().secure_cookies { "; Secure" } else { "" }
    )
}

pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// The request's auth information; present on every route behind the session layer.
/// A session whose gate is not open (password to change, second factor
/// not given, authenticator not enrolled) is no one here: the handlers that
/// take `Auth` serve visitors and signed-in users alike, and must not let a
/// half-signed-in session read what only the signed-in may (files above all).
pub struct Auth(pub RequestAuth);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, WebError> {
        let mut ra = parts
            .extensions
            .get::<RequestAuth>()
            .cloned()
            .ok_or_else(|| WebError::internal("session layer missing"))?;
        if ra.session.as_ref().is_some_and(|s| !matches!(s.gate, Gate::Open)) {
            ra.session = None;
        }
        Ok(Auth(ra))
    }
}

/// The value of a small text field `name` of a multipart body, when it is
/// the body's first part (forms put their token first).
fn multipart_field(headers: &HeaderMap, body: &[u8], name: &str) -> Option<String> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let boundary = ct.split(';').map(str::trim).find_map(|p| p.strip_prefix("boundary="))?.trim_matches('"');
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let rest = body.strip_prefix(format!("--{boundary}\r\n").as_bytes())?;
    // The part's headers are short; never search a file's bytes for them.
    let head_end = find(&rest[..rest.len().min(1024)], b"\r\n\r\n")?;
    let head = std::str::from_utf8(&rest[..head_end]).ok()?;
    let named = head.split("\r\n").any(|l| {
        l.to_ascii_lowercase().starts_with("content-disposition:")
            && l.split(';').map(str::trim).any(|p| p == format!("name=\"{name}\""))
    });
    if !named {
        return None;
    }
    let value = &rest[head_end + 4..];
    let end = find(&value[..value.len().min(256)], format!("\r\n--{boundary}").as_bytes())?;
    String::from_utf8(value[..end].to_vec()).ok()
}

/// The page a form was sent from (the `Referer`'s path on this site), for
/// the way back after a login: `/` when it is not known.
pub fn back_path(parts: &Parts) -> String {
    let referer = parts.headers.get(header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or("");
    let host = parts.headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let rest = referer.split_once("://").map(|(_, r)| r).unwrap_or("");
    match rest.split_once('/') {
        Some((h, path)) if !host.is_empty() && h == host && !path.starts_with('/') => {
            // Never a token in the way back (a multipart form's query).
            let p = format!("/{path}");
            match p.contains("_csrf=") {
                true => p.split('?').next().unwrap_or("/").to_string(),
                false => p,
            }
        }
        _ => "/".into(),
    }
}

/// A signed-in user whose gate is open. Pages redirect to the login or gate
/// page; the API answers 401/403 with a code.
pub struct Signed(pub SessionCtx, pub RequestAuth);

pub enum SignedRejection {
    Api(WebError),
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
            return Err(SignedRejection::Api(WebError::internal("session layer missing")));
        };
        let Some(s) = ra.session.clone() else {
            return Err(if api {
                SignedRejection::Api(WebError::new(Kind::Unauthenticated, "login_required"))
            } else {
                // After the login a form's address is not a page: back to the page it was sent from.
                let next = match parts.method == axum::http::Method::GET {
                    true => parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into()),
                    false => back_path(parts),
                };
                SignedRejection::Page(Redirect::to(&format!("/login?next={}", urlencode(&next))))
            });
        };
        let (code, page) = match s.gate {
            Gate::Open => return Ok(Signed(s, ra)),
            Gate::ChangePassword => ("password_change_required", "/account/password"),
            Gate::SecondFactor => ("second_factor_required", "/login/totp"),
            Gate::EnrollTotp => ("totp_enrollment_required", "/account/totp"),
        };
        Err(if api {
            SignedRejection::Api(WebError::new(Kind::Forbidden, code))
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
            None if api => Err(SignedRejection::Api(WebError::new(Kind::Unauthenticated, "login_required"))),
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

/// Whether a link is a path of this site: no scheme, no protocol-relative
/// URL, no backslash (which browsers read as a slash, so `/\\host` leaves).
pub fn is_local_path(link: &str) -> bool {
    link.starts_with('/') && !link.starts_with("//") && !link.contains('\\')
}

/// A safe local redirect target (no scheme, no protocol-relative URL).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{is_local_path, safe_next};

    #[test]
    fn only_paths_of_this_site_are_followed() {
        for ok in ["/", "/my/messages", "/cases/12?tab=files"] {
            assert!(is_local_path(ok), "{ok}");
        }
        for bad in ["", "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil", "my/messages"] {
            assert!(!is_local_path(bad), "{bad}");
            assert_eq!(safe_next(Some(bad)), "/");
        }
    }
}
