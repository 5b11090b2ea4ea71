//! 办件查询 by identity number and mobile with a one-time SMS code, on
//! SQLite and PostgreSQL: the code goes out through the SMS outbox, is kept
//! hashed, expires, allows few tries and is used once; nobody learns whose
//! cases exist.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

/// The code in the last SMS queued for `mobile`.
async fn sms_code(app: &App, mobile: &str) -> Option<String> {
    let row = zwfw_store::db::query(
        "SELECT body FROM notifications WHERE channel = 'sms' AND mobile = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(mobile)
    .fetch_optional(app.state.store.pool())
    .await
    .unwrap()?;
    match row.value("body") {
        Some(zwfw_store::db::Value::Text(body)) => Some(body.chars().filter(char::is_ascii_digit).take(6).collect()),
        v => panic!("{v:?}"),
    }
}

both_backends!(cases_are_followed_by_identity_and_an_sms_code, |store: Store| async move {
    let app = App::start(store).await;
    let item = joint_item(&app).await;
    let citizen = app.ready_token("demo_citizen").await;
    let sub = apply_with_pdf(&app, &citizen, item).await;
    let c = case(&app, &citizen, sub["case_id"].as_i64().unwrap()).await;
    let (id_no, mobile) =
        (c["applicant_id_no"].as_str().unwrap().to_string(), c["applicant_mobile"].as_str().unwrap().to_string());
    let post = |path: &'static str, b: Value| {
        let req = client().post(app.url(path)).json(&b);
        async move { body(req.send().await.unwrap()).await }
    };
    // A stranger's number: answered the same, nothing sent.
    let (s, _) = post("/api/v1/track/code", json!({"id_no": "11010519491231002X", "mobile": mobile})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(sms_code(&app, &mobile).await, None);
    let (s, b) = post("/api/v1/track/code", json!({"id_no": "123", "mobile": mobile})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_resident_id")), "{b}");
    // The applicant: a code by SMS, kept hashed; asked again at once, refused.
    let (s, _) =
        post("/api/v1/track/code", json!({"id_no": format!(" {} ", id_no.to_lowercase()), "mobile": mobile})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let code = sms_code(&app, &mobile).await.expect("an SMS");
    assert_eq!(code.len(), 6);
    let kept = zwfw_store::cases::latest_track_code(&app.state.store, &id_no, &mobile).await.unwrap().unwrap();
    assert!(!kept.code_hash.contains(&code), "kept hashed");
    let (s, b) = post("/api/v1/track/code", json!({"id_no": id_no, "mobile": mobile})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("track_code_wait")), "{b}");
    // A wrong code, then the right one: the cases, the name masked; used once.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (s, b) = post("/api/v1/track/identity", json!({"id_no": id_no, "mobile": mobile, "code": wrong})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("track_code_wrong")), "{b}");
    let (s, b) = post("/api/v1/track/identity", json!({"id_no": id_no, "mobile": mobile, "code": code})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let found = b.as_array().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["case"]["case_no"], sub["case_no"]);
    assert!(found[0]["case"]["applicant_name"].as_str().unwrap().contains('*'));
    let (s, b) = post("/api/v1/track/identity", json!({"id_no": id_no, "mobile": mobile, "code": code})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("track_code_expired")), "used once: {b}");
    // A new code expires after five minutes.
    app.advance(2 * 60_000);
    post("/api/v1/track/code", json!({"id_no": id_no, "mobile": mobile})).await;
    let code = sms_code(&app, &mobile).await.unwrap();
    app.advance(5 * 60_000 + 1_000);
    let (s, b) = post("/api/v1/track/identity", json!({"id_no": id_no, "mobile": mobile, "code": code})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("track_code_expired")), "{b}");

    // The page: the code asked for, then the case's timeline.
    app.advance(2 * 60_000);
    let anon = browser();
    let (s, html) = page(&anon, &app, "/track").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let csrf = csrf_of(&html);
    let form = [("_csrf", csrf.as_str()), ("id_no", id_no.as_str()), ("mobile", mobile.as_str())];
    let r = anon.post(app.url("/track/identity")).form(&form).send().await.unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("验证码已发送到该手机") && html.contains("name=\"code\""), "{html}");
    let code = sms_code(&app, &mobile).await.unwrap();
    let form =
        [("_csrf", csrf.as_str()), ("id_no", id_no.as_str()), ("mobile", mobile.as_str()), ("code", code.as_str())];
    let r = anon.post(app.url("/track/identity")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains(sub["case_no"].as_str().unwrap()), "{html}");
    assert_invariants(&app).await;
});

both_backends!(a_strangers_number_answers_as_an_applicants_does, |store: Store| async move {
    let app = App::start(store).await;
    let item = joint_item(&app).await;
    let citizen = app.ready_token("demo_citizen").await;
    let sub = apply_with_pdf(&app, &citizen, item).await;
    let c = case(&app, &citizen, sub["case_id"].as_i64().unwrap()).await;
    let real =
        (c["applicant_id_no"].as_str().unwrap().to_string(), c["applicant_mobile"].as_str().unwrap().to_string());
    let stranger = ("11010519491231002X".to_string(), "13912345678".to_string());
    // Each from an address of its own, so that neither is slowed by the other's tries.
    let mut answers = vec![];
    for (n, (id_no, mobile)) in [real, stranger].into_iter().enumerate() {
        let from = format!("10.9.9.{n}");
        let mut seen = vec![];
        let identity = |code: &str| json!({"id_no": id_no, "mobile": mobile, "code": code});
        // Never asked for: no code to try.
        seen.push(anon_post(&app, &from, "/api/v1/track/identity", identity("123456")).await);
        // Asked for, and again at once.
        for _ in 0..2 {
            seen.push(anon_post(&app, &from, "/api/v1/track/code", json!({"id_no": id_no, "mobile": mobile})).await);
        }
        // Wrong codes until the code is spent.
        let wrong = match sms_code(&app, &mobile).await {
            Some(c) if c == "000000" => "111111",
            _ => "000000",
        };
        for _ in 0..6 {
            seen.push(anon_post(&app, &from, "/api/v1/track/identity", identity(wrong)).await);
        }
        answers.push(seen.into_iter().map(|(s, b)| (s, b["code"].clone())).collect::<Vec<_>>());
    }
    assert_eq!(answers[0], answers[1], "the applicant's answers, then the stranger's");
    let codes: Vec<&str> = answers[0].iter().map(|(_, c)| c.as_str().unwrap_or("")).collect();
    assert_eq!(
        codes,
        [
            "track_code_expired",
            "",
            "track_code_wait",
            "track_code_wrong",
            "track_code_wrong",
            "track_code_wrong",
            "track_code_wrong",
            "track_code_wrong",
            "track_code_expired"
        ]
    );
    assert_eq!(sms_code(&app, "13912345678").await, None, "nothing sent to the stranger's number");
    assert_invariants(&app).await;
});
