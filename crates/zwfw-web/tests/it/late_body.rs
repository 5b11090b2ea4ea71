//! Permission before the body, on SQLite and PostgreSQL: a caller who may
//! not act is answered 403 whatever was sent — a body of the wrong content
//! type, a form or JSON without a required field — and nothing changes; the
//! caller who may act is told the body's fault (400, in Chinese on a page).

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;
use zwfw_store::{both_backends, Store};

/// One handler of an area: where it is, who may not and who may act on it,
/// and whether its body has a required field (so that an empty form or an
/// empty JSON object is a fault).
struct Row {
    method: reqwest::Method,
    path: String,
    refused: &'static str,
    allowed: &'static str,
    required_field: bool,
}

fn row(method: reqwest::Method, path: String, refused: &'static str, allowed: &'static str, required: bool) -> Row {
    Row { method, path, refused, allowed, required_field: required }
}

/// What changed state in the database: the audit trail, cases and their
/// events, regions, notices, findings and orders.
async fn state_counts(app: &App) -> Vec<i64> {
    let mut out = vec![];
    for t in ["audit_log", "case_events", "case_originals", "regions", "notices", "findings", "oversight_orders"] {
        out.push(count(app, &format!("SELECT COUNT(*) AS n FROM {t}")).await);
    }
    out
}

both_backends!(who_may_not_act_is_refused_before_the_body_is_read, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let users = ["demo_admin", "demo_counter", "demo_reviewer", "demo_head", "demo_supervisor", "demo_citizen"];
    let tokens = app.ready_tokens(users).await;
    let token = |u: &str| tokens[users.iter().position(|x| *x == u).unwrap()].clone();
    let counter = app.user_id("demo_counter").await;
    let (_, item) = market_item(&app, "TESTLATEBODY000000000000000001").await;
    let case = apply(&app, &token("demo_citizen"), item).await;
    let complaint = json!({"kind": "complaint", "title": "窗口人员态度差", "content": "办理时被推诿",
        "accused_unit": "示例市市场监督管理局", "accused_person": "某工作人员", "staff_conduct": true});
    let (s, sub) = submit_interaction(&app, &token("demo_citizen"), complaint).await;
    assert_eq!(s, StatusCode::CREATED, "{sub}");
    let (sub_id, sub_code) = (sub["id"].as_i64().unwrap(), sub["code"].as_str().unwrap().to_string());
    // Each session's CSRF token, read once before anything is counted.
    let mut csrf = std::collections::HashMap::new();
    for u in users {
        let (_, html) = page(&signed(&token(u)), &app, "/").await;
        csrf.insert(u, csrf_of(&html));
    }

    use reqwest::Method as M;
    let pages = [
        row(M::POST, format!("/admin/items/{item}"), "demo_counter", "demo_admin", true),
        row(M::POST, "/admin/items/import".into(), "demo_counter", "demo_admin", false),
        row(M::POST, format!("/cases/{case}/act"), "demo_supervisor", "demo_counter", true),
        row(M::POST, format!("/cases/{case}/originals"), "demo_reviewer", "demo_counter", true),
        row(M::POST, format!("/cases/{case}/supplement"), "demo_supervisor", "demo_counter", false),
        row(M::POST, format!("/interact/{sub_code}/finding"), "demo_counter", "demo_supervisor", false),
        row(M::POST, "/work/interactions/handlers".into(), "demo_counter", "demo_admin", false),
        row(M::POST, "/admin/notices".into(), "demo_counter", "demo_admin", false),
        row(M::POST, "/admin/regions".into(), "demo_head", "demo_admin", true),
        row(M::POST, "/faults/new".into(), "demo_citizen", "demo_counter", false),
        row(M::POST, "/supervision/rules/A01".into(), "demo_head", "demo_supervisor", false),
        row(M::POST, "/supervision/evaluation/publish".into(), "demo_head", "demo_supervisor", false),
        row(M::POST, "/admin/outbox/1/retry".into(), "demo_counter", "demo_admin", false),
        row(M::POST, "/admin/calendar".into(), "demo_counter", "demo_admin", true),
    ];
    let apis = [
        row(M::POST, "/api/v1/items".into(), "demo_counter", "demo_admin", true),
        row(M::POST, format!("/api/v1/cases/{case}/actions"), "demo_supervisor", "demo_counter", true),
        row(M::POST, format!("/api/v1/cases/{case}/originals"), "demo_reviewer", "demo_counter", true),
        row(M::POST, format!("/api/v1/interactions/{sub_id}/finding"), "demo_counter", "demo_supervisor", true),
        row(M::POST, "/api/v1/notices".into(), "demo_counter", "demo_admin", true),
        row(M::POST, "/api/v1/regions".into(), "demo_head", "demo_admin", true),
        row(M::POST, "/api/v1/supervision/orders".into(), "demo_head", "demo_supervisor", true),
        row(M::PUT, "/api/v1/supervision/evaluation/config".into(), "demo_head", "demo_supervisor", true),
        row(M::POST, "/api/v1/admin/outbox/1/retry".into(), "demo_counter", "demo_admin", true),
        row(M::PUT, "/api/v1/calendar/2027".into(), "demo_counter", "demo_admin", true),
        row(M::POST, "/api/v1/staff".into(), "demo_counter", "demo_admin", true),
        row(M::PUT, format!("/api/v1/staff/{counter}"), "demo_supervisor", "demo_admin", true),
        row(M::POST, format!("/api/v1/items/{item}/applications"), "demo_head", "demo_citizen", false),
    ];
    let before = state_counts(&app).await;

    for r in &pages {
        let send = |user: &'static str, json_body: bool| {
            let c = signed(&token(user)).request(r.method.clone(), app.url(&r.path));
            let c = c.header("x-csrf-token", csrf[user].clone());
            if json_body {
                c.header("content-type", "application/json").body("{}")
            } else {
                c.form(&[("_csrf", csrf[user].as_str())])
            }
        };
        for json_body in [true, false] {
            let resp = send(r.refused, json_body).send().await.unwrap();
            let status = resp.status();
            let html = resp.text().await.unwrap();
            assert_eq!(status, StatusCode::FORBIDDEN, "{} by {} (json {json_body}): {html}", r.path, r.refused);
            assert!(html.contains("无权访问"), "{}: {html}", r.path);
        }
        let checks: &[bool] = if r.required_field { &[true, false] } else { &[true] };
        for &json_body in checks {
            let resp = send(r.allowed, json_body).send().await.unwrap();
            let status = resp.status();
            let html = resp.text().await.unwrap();
            assert_eq!(status, StatusCode::BAD_REQUEST, "{} by {} (json {json_body}): {html}", r.path, r.allowed);
            assert!(html.contains("请求格式不正确"), "{}: {html}", r.path);
            assert!(!html.contains("Failed to deserialize"), "{}: {html}", r.path);
        }
    }

    for r in &apis {
        let send = |user: &'static str, json_body: bool| {
            let c = client().request(r.method.clone(), app.url(&r.path)).bearer_auth(token(user));
            if json_body {
                c.json(&json!({}))
            } else {
                c.header("content-type", "text/plain").body("reason=x")
            }
        };
        for json_body in [false, true] {
            let (s, b) = body(send(r.refused, json_body).send().await.unwrap()).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{} by {} (json {json_body}): {b}", r.path, r.refused);
            assert_ne!(b["code"], "bad_request", "{}: {b}", r.path);
        }
        let checks: &[bool] = if r.required_field { &[false, true] } else { &[false] };
        for &json_body in checks {
            let (s, b) = body(send(r.allowed, json_body).send().await.unwrap()).await;
            assert_eq!(
                (s, b["code"].as_str()),
                (StatusCode::BAD_REQUEST, Some("bad_request")),
                "{} by {} (json {json_body}): {b}",
                r.path,
                r.allowed
            );
        }
    }

    assert_eq!(state_counts(&app).await, before, "nothing changed");
    assert_invariants(&app).await;
});

both_backends!(staff_account_pages_refuse_who_may_not_change_them_whatever_the_body, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let users = ["demo_counter", "demo_supervisor", "demo_head"];
    let tokens = app.ready_tokens(users).await;
    let counter = app.user_id("demo_counter").await;
    let (_, item) = market_item(&app, "TESTLATEBODY000000000000000002").await;
    let paths = [
        "/admin/users".to_string(),
        format!("/admin/users/{counter}"),
        format!("/admin/users/{counter}/reset-password"),
        format!("/admin/users/{counter}/active"),
        format!("/admin/items/{item}/edit"),
    ];
    let mut csrfs = vec![];
    for t in &tokens {
        let (_, html) = page(&signed(t), &app, "/").await;
        csrfs.push(csrf_of(&html));
    }
    zwfw_store::audit::seal(&app.state.store).await.unwrap();
    let before = (state_counts(&app).await, count(&app, "SELECT COUNT(*) AS n FROM users").await);
    for (i, user) in users.iter().enumerate() {
        let csrf = csrfs[i].clone();
        for path in &paths {
            for json_body in [true, false] {
                let c = signed(&tokens[i]).post(app.url(path)).header("x-csrf-token", csrf.clone());
                let c = if json_body {
                    c.header("content-type", "application/json").body("{\"roles\": [\"system_admin\"]}")
                } else {
                    c.form(&[("_csrf", csrf.as_str()), ("roles", "system_admin"), ("active", "false")])
                };
                let resp = c.send().await.unwrap();
                let status = resp.status();
                let html = resp.text().await.unwrap();
                assert!(
                    status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                    "{path} by {user} (json {json_body}): {status} {html}"
                );
                assert!(html.contains("无权访问") || html.contains("不存在"), "{path} by {user}: {html}");
            }
        }
    }
    zwfw_store::audit::seal(&app.state.store).await.unwrap();
    let after = (state_counts(&app).await, count(&app, "SELECT COUNT(*) AS n FROM users").await);
    assert_eq!(before, after, "nothing changed");
});
