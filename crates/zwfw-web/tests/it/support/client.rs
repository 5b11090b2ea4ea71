//! The clients a test plays: signing in (a bearer token through every gate,
//! or a page session by its cookie), JSON calls with their status, pages and
//! their CSRF token, and the actions on a case through the API and its page.

use super::App;
use reqwest::header::{HeaderMap, HeaderValue, COOKIE};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

pub const DEMO_PW: &str = zwfw_app::demo::DEMO_PASSWORD;
/// The password a demo account is given at its first sign-in (`ready_token`).
pub const NEW_PW: &str = "Changed#2026pw";

/// A client that does not follow redirects.
pub fn client() -> Client {
    Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// A browser-like client that keeps cookies.
pub fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// A browser signed in with `token` (the session cookie), not following redirects.
pub fn signed(token: &str) -> Client {
    let mut h = HeaderMap::new();
    h.insert(COOKIE, HeaderValue::from_str(&format!("zwfw_session={token}")).unwrap());
    Client::builder().default_headers(h).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// A response's status and JSON body (null when it has none).
pub async fn body(r: Response) -> (StatusCode, Value) {
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// A response's status and error code.
pub async fn code_of(r: Response) -> (StatusCode, String) {
    let (s, b) = body(r).await;
    (s, b["code"].as_str().unwrap_or("").to_string())
}

/// A page read by `c`: its status and HTML.
pub async fn page(c: &Client, app: &App, path: &str) -> (StatusCode, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Posts a multipart form (a page's upload form) as the browser `c`.
pub async fn post_form(c: &Client, app: &App, path: &str, form: reqwest::multipart::Form) -> Response {
    c.post(app.url(path)).multipart(form).send().await.unwrap()
}

/// The text of `html` from the first `start` to the next `end`.
pub fn between(html: &str, start: &str, end: &str) -> String {
    let i = html.find(start).unwrap_or_else(|| panic!("{start} not in page")) + start.len();
    html[i..].split(end).next().unwrap().to_string()
}

/// The first `_csrf` value of a page.
pub fn csrf_of(html: &str) -> String {
    between(html, "name=\"_csrf\" value=\"", "\"")
}

impl App {
    pub async fn api_login(&self, username: &str, password: &str) -> (StatusCode, Value) {
        body(
            client()
                .post(self.url("/api/v1/auth/login"))
                .json(&json!({"username": username, "password": password}))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Signs in a demo account through every gate (password change, TOTP
    /// enrolment) and returns a bearer token with an open session.
    pub async fn ready_token(&self, username: &str) -> String {
        let (s, body) = self.api_login(username, DEMO_PW).await;
        let (s, body) = if s == StatusCode::OK { (s, body) } else { self.api_login(username, NEW_PW).await };
        assert_eq!(s, StatusCode::OK, "{username}: {body}");
        let token = body["token"].as_str().unwrap().to_string();
        let mut next = body["next_step"].as_str().unwrap().to_string();
        if next == "change_password" {
            let r = self
                .post(&token, "/api/v1/me/password", json!({"old_password": DEMO_PW, "new_password": NEW_PW}))
                .await;
            assert_eq!(r.status(), StatusCode::NO_CONTENT);
            let me = self.get(&token, "/api/v1/staff").await;
            next = if me.status() == StatusCode::FORBIDDEN {
                let b: Value = me.json().await.unwrap();
                if b["code"] == "totp_enrollment_required" {
                    "enroll_totp".into()
                } else {
                    "open".into()
                }
            } else {
                "open".into()
            };
        }
        if next == "enroll_totp" {
            let b: Value = self.post(&token, "/api/v1/me/totp/begin", json!({})).await.json().await.unwrap();
            let secret = zwfw_domain::totp::decode_secret(b["secret"].as_str().unwrap()).unwrap();
            let code = zwfw_domain::totp::code_at(&secret, self.state.now_ms() / 1000);
            let r = self.post(&token, "/api/v1/me/totp/confirm", json!({"code": code})).await;
            assert_eq!(r.status(), StatusCode::NO_CONTENT, "{:?}", r.text().await);
        }
        if next == "second_factor" {
            panic!("{username} already enrolled; use a fresh app (or `signed_in`)");
        }
        token
    }

    /// [`App::ready_token`] for each account, in order.
    pub async fn ready_tokens<const N: usize>(&self, usernames: [&str; N]) -> [String; N] {
        let mut tokens = Vec::with_capacity(N);
        for u in usernames {
            tokens.push(self.ready_token(u).await);
        }
        tokens.try_into().expect("one token an account")
    }

    /// A fresh session for an account already made ready (after the clock
    /// moved past the idle timeout), answering the second factor from the
    /// stored secret when the account has one.
    pub async fn signed_in(&self, username: &str) -> String {
        let (s, body) = self.api_login(username, NEW_PW).await;
        assert_eq!(s, StatusCode::OK, "{username}: {body}");
        let token = body["token"].as_str().unwrap().to_string();
        if body["next_step"] == "second_factor" {
            let u = zwfw_store::admin::find_user_by_username(&self.state.store, username).await.unwrap().unwrap();
            let secret = zwfw_domain::totp::decode_secret(&u.totp_secret.unwrap()).unwrap();
            let code = zwfw_domain::totp::code_at(&secret, self.state.now_ms() / 1000);
            let r = self.post(&token, "/api/v1/auth/totp", json!({"code": code})).await;
            assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
        }
        token
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        client().get(self.url(path)).bearer_auth(token).send().await.unwrap()
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Response {
        client().post(self.url(path)).bearer_auth(token).json(&body).send().await.unwrap()
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> Response {
        client().put(self.url(path)).bearer_auth(token).json(&body).send().await.unwrap()
    }
}

/// Reads without signing in.
pub async fn anon_get(app: &App, path: &str) -> (StatusCode, Value) {
    body(client().get(app.url(path)).send().await.unwrap()).await
}

/// Posts without signing in, from a given client address.
pub async fn anon_post(app: &App, from: &str, path: &str, b: Value) -> (StatusCode, Value) {
    body(client().post(app.url(path)).header("x-forwarded-for", from).json(&b).send().await.unwrap()).await
}

/// A consultation, suggestion, complaint or correction submitted by a signed-in account.
pub async fn submit_interaction(app: &App, token: &str, b: Value) -> (StatusCode, Value) {
    body(app.post(token, "/api/v1/interactions", b).await).await
}

/// Uploads a file for an application (`/api/v1/uploads`).
pub async fn upload(app: &App, token: &str, bytes: &[u8], name: &str) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()));
    body(client().post(app.url("/api/v1/uploads")).bearer_auth(token).multipart(form).send().await.unwrap()).await
}

/// An action on a case through the API.
pub async fn act(app: &App, token: &str, case: i64, a: Value) -> (StatusCode, Value) {
    body(app.post(token, &format!("/api/v1/cases/{case}/actions"), a).await).await
}

/// An action on a case that must succeed; its answer.
pub async fn act_ok(app: &App, token: &str, case: i64, a: Value) -> Value {
    let (s, b) = act(app, token, case, a.clone()).await;
    assert_eq!(s, StatusCode::OK, "{a}: {b}");
    b
}

/// A case as `token` reads it.
pub async fn case(app: &App, token: &str, id: i64) -> Value {
    let (s, b) = body(app.get(token, &format!("/api/v1/cases/{id}")).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

/// Posts an action form of the case page, with the page's CSRF token and
/// event number: the status, the redirect's location and the page.
pub async fn page_act(c: &Client, app: &App, case: i64, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
    let (_, html) = page(c, app, &format!("/cases/{case}")).await;
    let csrf = csrf_of(&html);
    let seq = between(&html, "name=\"expected_seq\" value=\"", "\"");
    let mut form: Vec<(&str, &str)> = vec![("_csrf", &csrf), ("expected_seq", &seq)];
    form.extend_from_slice(fields);
    let r = c.post(app.url(&format!("/cases/{case}/act"))).form(&form).send().await.unwrap();
    let s = r.status();
    let loc = r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (s, loc, r.text().await.unwrap())
}
