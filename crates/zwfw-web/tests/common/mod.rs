//! Starts the real application on port 0 against a fresh database.
#![allow(dead_code)]

use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use zwfw_app::{AppConfig, Clock};
use zwfw_domain::catalog::{example, CoReview, ItemContent};
use zwfw_store::Store;
use zwfw_web::{AppState, WebConfig};

pub struct App {
    pub base: String,
    pub state: AppState,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

pub const DEMO_PW: &str = zwfw_app::demo::DEMO_PASSWORD;
/// The smallest PDF the upload check accepts.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
pub const NEW_PW: &str = "Changed#2026pw";

impl App {
    pub async fn start(store: Store) -> App {
        App::start_with_clock(store, Clock::system()).await
    }

    /// Starts with the clock set to an RFC 3339 instant.
    pub async fn start_at(store: Store, now: &str) -> App {
        App::start_with_clock(store, Clock::from_config(Some(now), None).unwrap()).await
    }

    /// Starts at an instant with an SMS gateway.
    pub async fn start_with_sms(store: Store, now: &str, sms: zwfw_app::sms::SmsConfig) -> App {
        App::start_configured(store, Clock::from_config(Some(now), None).unwrap(), Some(sms), true).await
    }

    async fn start_with_clock(store: Store, clock: Clock) -> App {
        App::start_configured(store, clock, None, true).await
    }

    /// Starts trusting no reverse proxy, as the program does by default: the
    /// test client's X-Forwarded-For is then its own claim.
    pub async fn start_trusting_no_proxy(store: Store) -> App {
        App::start_configured(store, Clock::system(), None, false).await
    }

    async fn start_configured(
        store: Store,
        clock: Clock,
        sms: Option<zwfw_app::sms::SmsConfig>,
        behind_proxy: bool,
    ) -> App {
        let data_dir = std::env::temp_dir().join(format!("zwfw_app_{}_{}", std::process::id(), rand_suffix()));
        // Unless told otherwise, the test client stands for a reverse proxy:
        // tests name the client they play in X-Forwarded-For.
        let trusted_proxies = if behind_proxy { vec!["127.0.0.1".parse().unwrap()] } else { vec![] };
        let config = AppConfig { demo: true, data_dir, max_upload_bytes: 64 * 1024, sms, ..AppConfig::default() };
        let state = AppState::new(
            zwfw_app::App::new(store, clock, config),
            WebConfig { trusted_proxies, ..WebConfig::default() },
        );
        zwfw_app::startup(&state).await.expect("calendar and search load");
        zwfw_app::demo::load(&state).await.expect("demo loads");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        tokio::spawn(async move {
            zwfw_web::serve(listener, st, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        App { base: format!("http://{addr}"), state, _shutdown: tx }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Moves the application's clock forward.
    pub fn advance(&self, ms: i64) {
        self.state.clock.set_moved_ms(self.state.clock.moved_ms() + ms);
    }

    pub async fn api_login(&self, username: &str, password: &str) -> (StatusCode, Value) {
        let r = client()
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
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

    pub async fn department_id(&self, name: &str) -> i64 {
        zwfw_store::admin::list_departments(&self.state.store)
            .await
            .unwrap()
            .into_iter()
            .find(|d| d.name == name)
            .map(|d| d.id)
            .unwrap_or_else(|| panic!("no department {name}"))
    }

    pub async fn user_id(&self, username: &str) -> i64 {
        zwfw_store::admin::find_user_by_username(&self.state.store, username).await.unwrap().unwrap().id
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    N.fetch_add(1, Ordering::Relaxed) ^ t
}

pub fn client() -> Client {
    Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// A browser-like client that keeps cookies.
pub fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

pub async fn code_of(r: Response) -> (StatusCode, String) {
    let s = r.status();
    let b: Value = r.json().await.unwrap_or(Value::Null);
    (s, b["code"].as_str().unwrap_or("").to_string())
}

/// Extracts the first `_csrf` value from a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let i = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[i..].split('"').next().unwrap().to_string()
}

/// Publishes an item straight through the store (the governance flow is tested elsewhere).
pub async fn publish(app: &App, content: &ItemContent, code: &str) -> i64 {
    let st = &app.state.store;
    let mut tx = st.begin().await.unwrap();
    let (item, v) = zwfw_store::catalog::create_item(&mut tx, code, content, "测试", None, 0).await.unwrap();
    use zwfw_domain::catalog::VersionState::*;
    zwfw_store::catalog::move_version(&mut tx, v, Draft, CenterApproval, 0).await.unwrap();
    zwfw_store::catalog::publish(&mut tx, item, v, 0).await.unwrap();
    tx.commit().await.unwrap();
    item
}

/// The example item of the market department, with the land department joining step 2.
pub async fn joint_item(app: &App) -> i64 {
    let market = app.department_id("示例市市场监督管理局").await;
    let land = app.department_id("示例市自然资源局").await;
    let mut c = example(market);
    c.steps[1].joint = vec![CoReview { department_id: land, limit_days: 2 }];
    c.steps[1].limit_days = 4;
    publish(app, &c, "TESTJOINT0000000000000000000001").await
}

/// Applies for `item` with one PDF as the signed-in applicant; the new case's id.
pub async fn apply(app: &App, applicant: &str, item: i64) -> i64 {
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("申请书.pdf".to_string()));
    let r = client().post(app.url("/api/v1/uploads")).bearer_auth(applicant).multipart(form).send().await.unwrap();
    let up: Value = r.json().await.unwrap();
    let path = format!("/api/v1/items/{item}/applications");
    let r = app.post(applicant, &path, json!({"materials": [{"material_no": 1, "upload_id": up["id"]}]})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let sub: Value = r.json().await.unwrap();
    sub["case_id"].as_i64().unwrap()
}

/// The invariants the database keeps for the program hold: nothing the
/// program did looked to the guards like a change made around it (rule
/// A07: it never deletes business data, rewrites an append-only record or
/// edits a published item version), and the kept counts are right.
pub async fn assert_invariants(app: &App) {
    let seen = zwfw_store::guards::tamper_after(&app.state.store, 0, 100).await.unwrap();
    assert!(seen.is_empty(), "the program itself set off a guard: {seen:?}");
    assert!(zwfw_store::guards::missing_guards(&app.state.store).await.unwrap().is_empty());
    // The dashboard's kept counts of open cases agree with the cases.
    let kept = zwfw_store::supervision::open_cases_by_department(&app.state.store).await.unwrap();
    let counted = zwfw_store::supervision::open_cases_counted(&app.state.store).await.unwrap();
    assert_eq!(kept, counted, "open case counts kept by the triggers");
    // What the indexes and inboxes read instead of a case's state agrees with it.
    let off = zwfw_store::testing::case_rows_off_their_state(&app.state.store).await.unwrap();
    assert!(off.is_empty(), "cases whose conclusion time or handling department disagrees with their state: {off:?}");
    // Every number taken from a serial numbers a stored document or case,
    // or is recorded as unused (on PostgreSQL, by a write that lost a race).
    let q = |sql: &'static str| async move {
        match zwfw_store::db::query(sql).fetch_one(app.state.store.pool()).await.unwrap().value("n") {
            Some(zwfw_store::db::Value::Int(n)) => *n,
            v => panic!("{sql}: {v:?}"),
        }
    };
    // Listing the trail seals what is pending (PostgreSQL).
    let f = zwfw_store::audit::AuditFilter { limit: 1, ..Default::default() };
    zwfw_store::audit::list(&app.state.store, &f).await.unwrap();
    let unused_cases =
        q("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'number_unused' AND detail LIKE '%\"kind\":\"case\"%'")
            .await;
    let unused_documents = q("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'number_unused'").await - unused_cases;
    let taken =
        q("SELECT CAST(COALESCE(SUM(next_no - 1), 0) AS BIGINT) AS n FROM case_serials WHERE prefix LIKE 'doc:%'")
            .await;
    let documents = q("SELECT COUNT(*) AS n FROM case_documents").await;
    assert_eq!(taken, documents + unused_documents, "document numbers taken: documents stored, numbers unused");
    let taken =
        q("SELECT CAST(COALESCE(SUM(next_no - 1), 0) AS BIGINT) AS n FROM case_serials WHERE prefix LIKE 'case:%'")
            .await;
    let numbered = q("SELECT COUNT(*) AS n FROM cases WHERE case_no IS NOT NULL").await;
    assert_eq!(taken, numbered + unused_cases, "case numbers taken: cases numbered, numbers unused");
    // A case row the program remembers having written is the stored row,
    // unless the case has moved on since (which its next write finds out).
    for r in zwfw_store::testing::remembered_cases(&app.state.store) {
        let stored = zwfw_store::cases::get_case(&app.state.store, r.id).await.unwrap();
        assert!(r == stored || r.p.seq != stored.p.seq, "remembered {r:?}\nstored {stored:?}");
    }
}
