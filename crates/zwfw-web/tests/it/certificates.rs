//! Staff certificates (数字证书) end to end, on SQLite and PostgreSQL: the
//! centre registers a staff member's SM2 certificate; bad certificates (of
//! another person, expired, not SM2, unreadable, registered already, not
//! from the configured CA) are refused with their reasons and change
//! nothing; the holder signs a server challenge after the password instead
//! of a TOTP code; a forged signature, a replayed or expired challenge are
//! refused; a report (lost, revoked) blocks the certificate at once — its
//! open challenge fails, the sessions signed with it end, the centre is
//! told — and a re-issued certificate signs in again; an expired
//! certificate no longer signs in.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_app::accounts::certificates::{self as certs, x509};
use zwfw_store::{both_backends, Store};

const NOW: &str = "2026-03-02T02:00:00Z";
const DAY: i64 = 86_400_000;

/// A demo CA in a fresh folder, and what it issues.
struct Ca {
    name: String,
    key: sm2::SecretKey,
    dir: std::path::PathBuf,
}

impl Ca {
    fn new(now_ms: i64) -> Ca {
        let dir = data_dir();
        let (name, key) = certs::demo_ca(&dir, now_ms).unwrap();
        Ca { name, key, dir }
    }

    /// A certificate for `name` valid from `from` to `until` (epoch ms): (PEM, key).
    fn issue(&self, name: &str, from: i64, until: i64) -> (String, sm2::SecretKey) {
        let i = certs::issue_with_key(&format!("CN={name},O=示例市"), from, until, &self.name, &self.key).unwrap();
        (i.certificate_pem, x509::read_key(&i.key_pem).unwrap())
    }
}

fn sign(key: &sm2::SecretKey, challenge: &str) -> String {
    data_encoding::BASE64.encode(&x509::sign(key, challenge.as_bytes()).unwrap())
}

async fn register(app: &App, token: &str, user_id: i64, pem: &str) -> (StatusCode, Value) {
    let b = json!({"certificate": pem, "reason": "新领取数字证书"});
    body(app.post(token, &format!("/api/v1/staff/{user_id}/certificates"), b).await).await
}

async fn stored(app: &App, user_id: i64) -> usize {
    zwfw_store::certificates::for_user(app.state.store.pool(), user_id).await.unwrap().len()
}

/// A password sign-in of demo_counter: its token and the answer.
async fn password(app: &App) -> (String, Value) {
    let (s, b) = app.api_login("demo_counter", NEW_PW).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    (b["token"].as_str().unwrap().to_string(), b)
}

async fn challenge(app: &App, token: &str) -> (StatusCode, Value) {
    body(app.post(token, "/api/v1/auth/certificate/challenge", json!({})).await).await
}

async fn answer(app: &App, token: &str, challenge: &str, signature: &str) -> (StatusCode, Value) {
    let b = json!({"challenge": challenge, "signature": signature});
    body(app.post(token, "/api/v1/auth/certificate", b).await).await
}

/// Signs demo_counter in with the certificate's key: the open session's token.
async fn certificate_sign_in(app: &App, key: &sm2::SecretKey) -> String {
    let (token, b) = password(app).await;
    assert_eq!(b["next_step"], "second_factor", "{b}");
    let (s, c) = challenge(app, &token).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let text = c["challenge"].as_str().unwrap().to_string();
    let (s, b) = answer(app, &token, &text, &sign(key, &text)).await;
    assert_eq!((s, b["next_step"].as_str()), (StatusCode::OK, Some("open")), "{b}");
    token
}

both_backends!(a_registered_certificate_signs_in_instead_of_totp, |store: Store| async move {
    let app = App::start_at(store, NOW).await;
    let now = app.state.now_ms();
    let ca = Ca::new(now);
    let [center, counter, reviewer, deptadmin] =
        app.ready_tokens(["demo_center", "demo_counter", "demo_reviewer", "demo_deptadmin"]).await;
    let lina = app.user_id("demo_counter").await;
    let (pem, key) = ca.issue("李娜", now - DAY, now + 365 * DAY);

    // Only the centre (or the system administrator) registers; nobody for themselves.
    for (token, code) in [(&reviewer, "missing_role"), (&deptadmin, "missing_role"), (&counter, "missing_role")] {
        let (s, b) = register(&app, token, lina, &pem).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some(code)), "{b}");
    }
    // Refused certificates, each with its reason; nothing is stored.
    let (other, other_key) = ca.issue("周强", now - DAY, now + 365 * DAY);
    let (expired, _) = ca.issue("李娜", now - 400 * DAY, now - DAY);
    let (future, _) = ca.issue("李娜", now + DAY, now + 400 * DAY);
    let p256 = include_str!("../../../zwfw-app/src/accounts/certificates/fixtures/openssl-p256.pem");
    for (bad, code) in [
        (other.as_str(), "certificate_other_person"),
        (expired.as_str(), "certificate_expired"),
        (future.as_str(), "certificate_not_yet_valid"),
        (p256, "certificate_not_sm2"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "certificate_unreadable"),
        ("not base64 at all!", "certificate_unreadable"),
    ] {
        let (s, b) = register(&app, &center, lina, bad).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{b}");
        assert!(!b["message"].as_str().unwrap().is_empty());
    }
    let (_, b) = register(&app, &center, lina, &other).await;
    assert!(b["message"].as_str().unwrap().contains("周强"), "the message names whose it is: {b}");
    assert_eq!(stored(&app, lina).await, 0);

    // Registered, as PEM; the DER in base64 is the same certificate, registered already.
    let (s, c) = register(&app, &center, lina, &pem).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!((c["standing"].as_str(), c["ca_checked"].as_bool()), (Some("active"), Some(false)), "{c}");
    let der = data_encoding::BASE64.encode(&x509_cert_der(&pem));
    let (s, b) = register(&app, &center, lina, &der).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("certificate_registered")), "{b}");
    assert_eq!(stored(&app, lina).await, 1);
    // One person, one usable certificate: a second one is refused while the first is in use.
    let (second, _) = ca.issue("李娜", now - DAY, now + 365 * DAY);
    let (s, b) = register(&app, &center, lina, &second).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("certificate_already_held")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("一人一证"), "{b}");
    assert_eq!(stored(&app, lina).await, 1);
    // The holder sees it, and a message about it; another department's clerk does not.
    let (_, mine) = body(app.get(&counter, "/api/v1/me/certificates").await).await;
    assert_eq!(mine[0]["serial"], c["serial"], "{mine}");
    let (_, inbox) = body(app.get(&counter, "/api/v1/me/notifications").await).await;
    assert!(inbox["messages"][0]["title"].as_str().unwrap().contains("数字证书"), "{inbox}");
    let land = app.ready_token("demo_land").await;
    assert_eq!(app.get(&land, &format!("/api/v1/staff/{lina}/certificates")).await.status(), StatusCode::NOT_FOUND);

    // The next sign-in waits for the second factor: the certificate.
    let (token, b) = password(&app).await;
    assert_eq!(b["next_step"], "second_factor", "{b}");
    assert_eq!(b["second_factors"], json!(["certificate"]), "{b}");
    assert_eq!(code_of(app.get(&token, "/api/v1/me/sessions").await).await.1, "second_factor_required");
    let (s, ch) = challenge(&app, &token).await;
    assert_eq!(s, StatusCode::OK, "{ch}");
    let text = ch["challenge"].as_str().unwrap().to_string();
    assert!(text.starts_with("zwfw-sign-in:"), "{ch}");
    assert_eq!(ch["certificate_serial"], c["serial"]);
    // A forged signature (another person's key) is refused, and burns the challenge:
    // the right signature then is a replay.
    let (s, b) = answer(&app, &token, &text, &sign(&other_key, &text)).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_certificate_signature")),
        "{b}"
    );
    let (s, b) = answer(&app, &token, &text, &sign(&key, &text)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("challenge_used")), "{b}");
    // A signature over other text, garbage, or a made-up challenge.
    let (_, ch) = challenge(&app, &token).await;
    let text = ch["challenge"].as_str().unwrap().to_string();
    let (s, b) = answer(&app, &token, "zwfw-sign-in:00", &sign(&key, "zwfw-sign-in:00")).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("challenge_unknown")), "{b}");
    let (_, ch2) = challenge(&app, &token).await;
    let text2 = ch2["challenge"].as_str().unwrap().to_string();
    let (_, b) = answer(&app, &token, &text2, &sign(&key, &text)).await;
    assert_eq!(b["code"], "invalid_certificate_signature", "signed the wrong challenge: {b}");
    // The right signature (r‖s in hex works as DER in base64 does).
    let rs = zwfw_domain::certificates::signature_rs(&x509::sign(&key, text.as_bytes()).unwrap()).unwrap();
    let (s, b) = answer(&app, &token, &text, &hex::encode(rs)).await;
    assert_eq!((s, b["next_step"].as_str()), (StatusCode::OK, Some("open")), "{b}");
    assert_eq!(app.get(&token, "/api/v1/me/sessions").await.status(), StatusCode::OK);
    // The same answer again, once the session is open: said so.
    let (s, b) = answer(&app, &token, &text, &hex::encode(rs)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("second_factor_not_pending")), "{b}");
    assert!(b["message"].as_str().unwrap_or("").contains("无需（或已完成）第二步验证"), "{b}");

    // A replay from another session: the challenge is not this session's.
    let (t3, _) = password(&app).await;
    let (s, b) = answer(&app, &t3, &text, &sign(&key, &text)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("challenge_unknown")), "{b}");
    // An expired challenge.
    let (_, ch) = challenge(&app, &t3).await;
    let late = ch["challenge"].as_str().unwrap().to_string();
    app.advance(121_000);
    let (s, b) = answer(&app, &t3, &late, &sign(&key, &late)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("challenge_expired")), "{b}");

    // The trail: the registration, and the sign-in by certificate.
    let q = format!("/api/v1/audit?action=certificate_registered&object_type=user&object_id={lina}");
    let (_, a) = body(app.get(&center, &q).await).await;
    assert_eq!(a.as_array().map(Vec::len), Some(1), "{a}");
    let (_, a) = body(app.get(&center, "/api/v1/audit?action=login&object_type=session").await).await;
    let by_certificate = |r: &Value| r["detail"].as_str().unwrap_or("").contains("\"second_factor\":\"certificate\"");
    assert!(a.as_array().unwrap().iter().any(by_certificate), "{a}");
});

/// The DER of a PEM certificate.
fn x509_cert_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    data_encoding::BASE64.decode(body.as_bytes()).unwrap()
}

both_backends!(a_reported_certificate_is_blocked_at_once_and_reissued, |store: Store| async move {
    let app = App::start_at(store, NOW).await;
    let now = app.state.now_ms();
    let ca = Ca::new(now);
    let [center, _counter, deptadmin] = app.ready_tokens(["demo_center", "demo_counter", "demo_deptadmin"]).await;
    let land_admin = app.ready_token("demo_land").await;
    let lina = app.user_id("demo_counter").await;
    let (pem, key) = ca.issue("李娜", now - DAY, now + 365 * DAY);
    let (_, c) = register(&app, &center, lina, &pem).await;
    let id = c["id"].as_i64().unwrap();

    // Signed in with it; a second sign-in waits with a challenge.
    let signed = certificate_sign_in(&app, &key).await;
    let (waiting, _) = password(&app).await;
    let (_, ch) = challenge(&app, &waiting).await;
    let text = ch["challenge"].as_str().unwrap().to_string();

    // Who may not report: a clerk of another department does not even see it; bad input changes nothing.
    let report = |state: &str| json!({"state": state, "reason": "证书介质遗失"});
    let r = app.post(&land_admin, &format!("/api/v1/certificates/{id}/report"), report("lost")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (s, b) = body(app.post(&deptadmin, &format!("/api/v1/certificates/{id}/report"), report("stolen")).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_certificate_report")), "{b}");
    let (s, b) = body(
        app.post(&deptadmin, &format!("/api/v1/certificates/{id}/report"), json!({"state": "lost", "reason": " "}))
            .await,
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason_required")), "{b}");
    assert_eq!(app.get(&signed, "/api/v1/me/sessions").await.status(), StatusCode::OK, "nothing changed");

    // The department's administrator reports it lost: blocked at once.
    let (s, b) = body(app.post(&deptadmin, &format!("/api/v1/certificates/{id}/report"), report("lost")).await).await;
    assert_eq!((s, b["standing"].as_str()), (StatusCode::OK, Some("lost")), "{b}");
    // The session signed in with it has ended; the waiting one's challenge fails; no new one.
    assert_eq!(app.get(&signed, "/api/v1/me/sessions").await.status(), StatusCode::UNAUTHORIZED);
    let (s, b) = answer(&app, &waiting, &text, &sign(&key, &text)).await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::FORBIDDEN, Some("certificate_unusable"), Some("lost")),
        "{b}"
    );
    let (s, b) = challenge(&app, &waiting).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("no_certificate")), "{b}");
    // Reported once.
    let (s, b) = body(app.post(&center, &format!("/api/v1/certificates/{id}/report"), report("revoked")).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("certificate_reported")), "{b}");
    // The centre was told, and the holder.
    let (_, inbox) = body(app.get(&center, "/api/v1/me/notifications").await).await;
    assert!(
        inbox["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["title"].as_str().unwrap().contains("数字证书已挂失：李娜")),
        "{inbox}"
    );

    // Re-issue through the centre: a new certificate replacing the old, which stays on record.
    let (pem2, key2) = ca.issue("李娜", now - DAY, now + 730 * DAY);
    let b = json!({"certificate": pem2, "reason": "挂失后补办", "replaces": id});
    let (s, c2) = body(app.post(&center, &format!("/api/v1/staff/{lina}/certificates"), b).await).await;
    assert_eq!((s, c2["replaces"].as_i64()), (StatusCode::CREATED, Some(id)), "{c2}");
    let (_, list) = body(app.get(&center, &format!("/api/v1/staff/{lina}/certificates")).await).await;
    let standings: Vec<&str> = list.as_array().unwrap().iter().map(|c| c["standing"].as_str().unwrap()).collect();
    assert_eq!(standings, vec!["active", "lost"], "{list}");
    // The old key signs in no more; the new one does.
    let (t, _) = password(&app).await;
    let (_, ch) = challenge(&app, &t).await;
    let text = ch["challenge"].as_str().unwrap().to_string();
    let (_, b) = answer(&app, &t, &text, &sign(&key, &text)).await;
    assert_eq!(b["code"], "invalid_certificate_signature", "{b}");
    let holder = certificate_sign_in(&app, &key2).await;
    // The holder reports the new one locked from the session signed with it: the session stays.
    let id2 = c2["id"].as_i64().unwrap();
    let (s, b) = body(app.post(&holder, &format!("/api/v1/certificates/{id2}/report"), report("locked")).await).await;
    assert_eq!((s, b["standing"].as_str()), (StatusCode::OK, Some("locked")), "{b}");
    assert_eq!(app.get(&holder, "/api/v1/me/sessions").await.status(), StatusCode::OK);
    // Without a usable certificate (and no TOTP) a clerk's sign-in needs no second factor again.
    let (_, b) = password(&app).await;
    assert_eq!(b["next_step"], "open", "{b}");
});

both_backends!(an_expired_certificate_no_longer_signs_in, |store: Store| async move {
    let app = App::start_at(store, NOW).await;
    let now = app.state.now_ms();
    let ca = Ca::new(now);
    let [center, _counter] = app.ready_tokens(["demo_center", "demo_counter"]).await;
    let lina = app.user_id("demo_counter").await;
    let (pem, key) = ca.issue("李娜", now - DAY, now + 60_000);
    assert_eq!(register(&app, &center, lina, &pem).await.0, StatusCode::CREATED);
    let (t, _) = password(&app).await;
    let (_, ch) = challenge(&app, &t).await;
    let text = ch["challenge"].as_str().unwrap().to_string();
    app.advance(61_000);
    let (s, b) = answer(&app, &t, &text, &sign(&key, &text)).await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::FORBIDDEN, Some("certificate_unusable"), Some("expired")),
        "{b}"
    );
    let (_, list) = body(app.get(&center, &format!("/api/v1/staff/{lina}/certificates")).await).await;
    assert_eq!(list[0]["standing"], "expired", "{list}");
});

both_backends!(only_certificates_of_the_configured_ca_are_registered, |store: Store| async move {
    let ca = Ca::new(chrono::DateTime::parse_from_rfc3339(NOW).unwrap().timestamp_millis());
    let config = zwfw_app::accounts::certificates::CertificatesConfig::default()
        .with_ca(&std::fs::read(ca.dir.join("ca.pem")).unwrap())
        .unwrap();
    let app = App::start_with_certificates(store, NOW, config).await;
    let now = app.state.now_ms();
    let center = app.ready_token("demo_center").await;
    let lina = app.user_id("demo_counter").await;
    let stranger = Ca::new(now);
    let (pem, _) = stranger.issue("李娜", now - DAY, now + 365 * DAY);
    let (s, b) = register(&app, &center, lina, &pem).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("certificate_not_from_ca")), "{b}");
    let (pem, _) = ca.issue("李娜", now - DAY, now + 365 * DAY);
    let (s, b) = register(&app, &center, lina, &pem).await;
    assert_eq!((s, b["ca_checked"].as_bool()), (StatusCode::CREATED, Some(true)), "{b}");
});

both_backends!(the_pages_register_report_and_sign_in, |store: Store| async move {
    let app = App::start_at(store, NOW).await;
    let now = app.state.now_ms();
    let ca = Ca::new(now);
    let [center, counter] = app.ready_tokens(["demo_center", "demo_counter"]).await;
    let lina = app.user_id("demo_counter").await;
    let admin = signed(&center);
    let path = format!("/admin/users/{lina}/certificates");
    let (s, html) = page(&admin, &app, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("登记证书") && html.contains("尚未登记数字证书"), "{html}");
    let csrf = csrf_of(&html);
    // Another person's certificate: the page again with the reason, nothing stored.
    let (other, _) = ca.issue("周强", now - DAY, now + 365 * DAY);
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(other.into_bytes()).file_name("zhouqiang.cer"))
        .text("reason", "新领取");
    let r = post_form(&admin, &app, &format!("{path}?_csrf={csrf}"), form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("与该工作人员的姓名不符"));
    assert_eq!(stored(&app, lina).await, 0);
    // Her own: registered.
    let (pem, key) = ca.issue("李娜", now - DAY, now + 365 * DAY);
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(pem.into_bytes()).file_name("lina.cer"))
        .text("reason", "新领取");
    let r = post_form(&admin, &app, &format!("{path}?_csrf={csrf}"), form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&admin, &app, &format!("{path}?done=registered")).await;
    assert!(html.contains("证书已登记") && html.contains("有效"), "{html}");
    // Her account page lists it with the report form.
    let (_, html) = page(&signed(&counter), &app, "/account").await;
    assert!(html.contains("id=\"certificates\"") && html.contains("报告并停用"), "{html}");

    // The sign-in pages: password, then the certificate page, a pasted signature.
    let web = browser();
    let (_, login) = page(&web, &app, "/login").await;
    let r = web
        .post(app.url("/login"))
        .form(&[("_csrf", csrf_of(&login).as_str()), ("username", "demo_counter"), ("password", NEW_PW)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/login/certificate");
    let r = web.get(app.url("/login/certificate")).send().await.unwrap();
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("connect-src 'self' http://127.0.0.1:18089"), "{csp}");
    let html = r.text().await.unwrap();
    // Waiting for the second factor: the menu offers only signing out.
    assert!(html.contains("请先完成登录验证") && !html.contains(r#"href="/my/messages""#), "{html}");
    let text = between(&html, "name=\"challenge\" class=\"mono\" value=\"", "\"");
    let form = [("_csrf", csrf_of(&html)), ("challenge", text.clone()), ("signature", "AAAA".into())];
    let r = web.post(app.url("/login/certificate")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("证书签名验证失败"), "{html}");
    let text = between(&html, "name=\"challenge\" class=\"mono\" value=\"", "\"");
    let form = [("_csrf", csrf_of(&html)), ("challenge", text.clone()), ("signature", sign(&key, &text))];
    let r = web.post(app.url("/login/certificate")).form(&form).send().await.unwrap();
    assert_eq!((r.status(), r.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/"));
    assert_eq!(page(&web, &app, "/account").await.0, StatusCode::OK);
});

both_backends!(an_expiring_certificate_is_reminded_once_and_only_a_spent_one_is_replaced, |store: Store| async move {
    let app = App::start_at(store, NOW).await;
    let now = app.state.now_ms();
    let ca = Ca::new(now);
    let center = app.ready_token("demo_center").await;
    let lina = app.user_id("demo_counter").await;
    let (pem, _) = ca.issue("李娜", now - DAY, now + 40 * DAY);
    let (_, c) = register(&app, &center, lina, &pem).await;
    let id = c["id"].as_i64().unwrap();
    // The reminders in a user's inbox (the notices, read directly: sessions do not last for days).
    let reminded = |user: i64| inapp(&app, user, "数字证书即将到期：李娜");
    let (centre_id, deptadmin_id) = (app.user_id("demo_center").await, app.user_id("demo_deptadmin").await);

    // Forty days before its end: nothing yet.
    zwfw_app::run_jobs(&app.state).await.unwrap();
    assert_eq!(reminded(lina).await, 0);
    // Within thirty days: the holder and the centre are told, once.
    app.advance(11 * DAY);
    zwfw_app::run_jobs(&app.state).await.unwrap();
    zwfw_app::run_jobs(&app.state).await.unwrap();
    assert_eq!(reminded(lina).await, 1);
    assert_eq!(reminded(centre_id).await, 1);
    assert_eq!(reminded(deptadmin_id).await, 0, "the centre handles certificates");
    let center = app.signed_in("demo_center").await;
    let q = format!("/api/v1/audit?action=certificate_expiry_reminded&object_type=user&object_id={lina}");
    let (_, a) = body(app.get(&center, &q).await).await;
    assert_eq!(a.as_array().map(Vec::len), Some(1), "{a}");

    // A re-issue may not replace the certificate in use; the form offers none to replace.
    let (page_status, html) = page(&signed(&center), &app, &format!("/admin/users/{lina}/certificates")).await;
    assert_eq!(page_status, StatusCode::OK);
    assert!(!html.contains("补办，替换原证书"), "nothing to replace yet");
    let (next, _) = ca.issue("李娜", now, now + 400 * DAY);
    let b = json!({"certificate": next, "reason": "到期前补办", "replaces": id});
    let (s, b) = body(app.post(&center, &format!("/api/v1/staff/{lina}/certificates"), b).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("certificate_replaces_usable")), "{b}");
    assert_eq!(stored(&app, lina).await, 1);
    // Once it expired, it is offered, and replaced.
    app.advance(30 * DAY);
    let center = app.signed_in("demo_center").await;
    let (_, html) = page(&signed(&center), &app, &format!("/admin/users/{lina}/certificates")).await;
    assert!(html.contains("补办，替换原证书"), "{html}");
    let b = json!({"certificate": next, "reason": "到期后补办", "replaces": id});
    let (s, c2) = body(app.post(&center, &format!("/api/v1/staff/{lina}/certificates"), b).await).await;
    assert_eq!((s, c2["replaces"].as_i64()), (StatusCode::CREATED, Some(id)), "{c2}");
});

/// Imports a revocation list as the command line does.
async fn import(app: &App, crl: &str) -> Result<certs::CrlImported, (StatusCode, &'static str)> {
    let ctx = zwfw_app::state::Ctx { state: &app.state, actor: None, client_addr: "cli:test".into() };
    certs::import_crl(&ctx, crl.as_bytes()).await.map_err(|e| {
        let s = if e.kind() == zwfw_app::error::Kind::Conflict {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        (s, e.code())
    })
}

async fn count(app: &App, sql: String) -> i64 {
    let row = zwfw_store::db::query(sql).fetch_one(app.state.store.pool()).await.unwrap();
    match row.value("n") {
        Some(zwfw_store::db::Value::Int(n)) => *n,
        v => panic!("{v:?}"),
    }
}

async fn held_crls(app: &App) -> i64 {
    count(app, "SELECT COUNT(*) AS n FROM certificate_crls".into()).await
}

/// The in-app messages to `user` whose title starts with `title` (read
/// directly: sessions do not last for days).
async fn inapp(app: &App, user: i64, title: &str) -> i64 {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM notifications WHERE user_id = {user} AND channel = 'inapp' AND title LIKE '{title}%'"
    );
    count(app, sql).await
}

both_backends!(the_cas_revocation_list_blocks_its_certificates_at_once, |store: Store| async move {
    let ca = Ca::new(chrono::DateTime::parse_from_rfc3339(NOW).unwrap().timestamp_millis());
    let crl_file = ca.dir.join("published.crl");
    let mut config = zwfw_app::accounts::certificates::CertificatesConfig::default()
        .with_ca(&std::fs::read(ca.dir.join("ca.pem")).unwrap())
        .unwrap();
    config.crl_file = Some(crl_file.clone());
    let app = App::start_with_certificates(store, NOW, config).await;
    let now = app.state.now_ms();
    let [center, _counter, _reviewer] = app.ready_tokens(["demo_center", "demo_counter", "demo_reviewer"]).await;
    let (lina, zhou) = (app.user_id("demo_counter").await, app.user_id("demo_reviewer").await);
    let (pem, key) = ca.issue("李娜", now - DAY, now + 365 * DAY);
    let (_, c) = register(&app, &center, lina, &pem).await;
    let (id, serial) = (c["id"].as_i64().unwrap(), c["serial"].as_str().unwrap().to_string());
    let (zpem, _) = ca.issue("周强", now - DAY, now + 365 * DAY);
    let (_, zc) = register(&app, &center, zhou, &zpem).await;
    // Signed in with hers; a second sign-in waits with a challenge.
    let signed = certificate_sign_in(&app, &key).await;
    let (waiting, _) = password(&app).await;
    let (_, ch) = challenge(&app, &waiting).await;
    let text = ch["challenge"].as_str().unwrap().to_string();

    // Refused lists change nothing: not a CRL, signed by another key under the
    // CA's name, issued by another CA.
    let on_list = vec![(serial.clone(), now - 3_600_000)];
    let stranger = Ca::new(now);
    let forged = x509::issue_crl(&ca.name, &stranger.key, now - 60_000, now + 7 * DAY, &on_list).unwrap();
    let foreign = x509::issue_crl(&stranger.name, &stranger.key, now - 60_000, now + 7 * DAY, &on_list).unwrap();
    assert_eq!(import(&app, "not a list").await.unwrap_err(), (StatusCode::UNPROCESSABLE_ENTITY, "crl_unreadable"));
    assert_eq!(import(&app, &pem).await.unwrap_err().1, "crl_unreadable", "a certificate is no CRL");
    assert_eq!(import(&app, &forged).await.unwrap_err(), (StatusCode::UNPROCESSABLE_ENTITY, "crl_not_from_ca"));
    assert_eq!(import(&app, &foreign).await.unwrap_err().1, "crl_not_from_ca");
    // Put where crl_file points, the background job refuses it the same way.
    std::fs::write(&crl_file, &forged).unwrap();
    zwfw_app::run_jobs(&app.state).await.unwrap();
    assert_eq!(held_crls(&app).await, 0);
    assert_eq!(app.get(&signed, "/api/v1/me/sessions").await.status(), StatusCode::OK, "nothing changed");

    // The CA's list, put at crl_file: the background job takes it; hers is blocked at once.
    let crl = x509::issue_crl(&ca.name, &ca.key, now - 60_000, now + 7 * DAY, &on_list).unwrap();
    std::fs::write(&crl_file, &crl).unwrap();
    zwfw_app::run_jobs(&app.state).await.unwrap();
    assert_eq!(held_crls(&app).await, 1);
    assert_eq!(app.get(&signed, "/api/v1/me/sessions").await.status(), StatusCode::UNAUTHORIZED, "its session ended");
    let (s, b) = answer(&app, &waiting, &text, &sign(&key, &text)).await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::FORBIDDEN, Some("certificate_unusable"), Some("ca_revoked")),
        "{b}"
    );
    assert!(b["message"].as_str().unwrap().contains("吊销"), "{b}");
    let (_, list) = body(app.get(&center, &format!("/api/v1/staff/{lina}/certificates")).await).await;
    assert_eq!(
        (list[0]["standing"].as_str(), list[0]["standing_label"].as_str()),
        (Some("ca_revoked"), Some("已被签发机构吊销")),
        "{list}"
    );
    assert!(list[0]["replaceable"].as_bool().unwrap(), "re-issued through the centre: {list}");
    let (_, list) = body(app.get(&center, &format!("/api/v1/staff/{zhou}/certificates")).await).await;
    assert_eq!(
        (list[0]["id"].as_i64(), list[0]["standing"].as_str()),
        (zc["id"].as_i64(), Some("active")),
        "not on the list"
    );
    // The centre and the holder are told; the trail records the list and the block.
    let told = |user: i64| inapp(&app, user, "数字证书已被签发机构吊销：李娜");
    assert_eq!((told(lina).await, told(app.user_id("demo_center").await).await), (1, 1));
    let (_, a) = body(app.get(&center, "/api/v1/audit?action=certificate_crl_imported").await).await;
    assert_eq!(a.as_array().map(Vec::len), Some(1), "{a}");
    let q = format!("/api/v1/audit?action=certificate_reported&object_type=user&object_id={lina}");
    let (_, a) = body(app.get(&center, &q).await).await;
    assert!(a[0]["detail"].as_str().unwrap().contains("ca_revoked"), "{a}");
    // The holder may not report a certificate 'ca_revoked' herself: the CA's list does.
    let (_, c2) = {
        let (pem2, _) = ca.issue("李娜", now - DAY, now + 365 * DAY);
        let b = json!({"certificate": pem2, "reason": "吊销后补办", "replaces": id});
        body(app.post(&center, &format!("/api/v1/staff/{lina}/certificates"), b).await).await
    };
    let id2 = c2["id"].as_i64().unwrap();
    let r = json!({"state": "ca_revoked", "reason": "自称吊销"});
    let (s, b) = body(app.post(&center, &format!("/api/v1/certificates/{id2}/report"), r).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_certificate_report")), "{b}");

    // The same list again: nothing to do; the job reads it again without a change.
    assert!(!import(&app, &crl).await.unwrap().imported);
    zwfw_app::run_jobs(&app.state).await.unwrap();
    assert_eq!(held_crls(&app).await, 1);
    // An older list (or one of the same moment) is refused, nothing changed.
    let older = x509::issue_crl(&ca.name, &ca.key, now - 120_000, now + 7 * DAY, &[]).unwrap();
    assert_eq!(import(&app, &older).await.unwrap_err(), (StatusCode::CONFLICT, "crl_older"));
    assert_eq!(held_crls(&app).await, 1);
    // A newer list naming a certificate not registered yet: it cannot be registered.
    let (pem3, _) = ca.issue("周强", now - DAY, now + 365 * DAY);
    let serial3 = x509::read(pem3.as_bytes()).unwrap().serial;
    let newer = x509::issue_crl(&ca.name, &ca.key, now, now + 7 * DAY, &[on_list[0].clone(), (serial3, now)]).unwrap();
    let o = import(&app, &newer).await.unwrap();
    assert!(o.imported && o.blocked.is_empty() && o.revoked == 2, "{o:?}");
    let b = json!({"certificate": pem3, "reason": "新领取"});
    let (s, b) = body(app.post(&center, &format!("/api/v1/staff/{zhou}/certificates"), b).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("certificate_revoked_by_ca")), "{b}");
    // The re-issued certificate of hers is not on any list and signs in.
    assert_eq!(stored(&app, lina).await, 2);
});

both_backends!(the_demo_registers_a_certificate_of_its_demo_ca, |store: Store| async move {
    let app = App::start_at(store, NOW).await;
    // Without a configured CA a revocation list cannot be checked.
    assert_eq!(import(&app, "x").await.unwrap_err(), (StatusCode::UNPROCESSABLE_ENTITY, "crl_no_ca"));
    // Her first sign-in (the password changed, a TOTP authenticator enrolled) before.
    let _ = app.ready_token(zwfw_app::demo::CERTIFICATE_HOLDER).await;
    let dir = data_dir().join("demo-ca");
    let c = zwfw_app::demo::certificate(&app.state, &dir).await.unwrap().expect("registered");
    assert_eq!(c.username, zwfw_app::demo::CERTIFICATE_HOLDER);
    assert!(c.key.exists() && c.certificate.exists() && dir.join("ca.pem").exists());
    // Loaded again: the same one, nothing more.
    let again = zwfw_app::demo::certificate(&app.state, &dir).await.unwrap().expect("there");
    assert_eq!(again.serial, c.serial);
    let holder = app.user_id(zwfw_app::demo::CERTIFICATE_HOLDER).await;
    assert_eq!(stored(&app, holder).await, 1);
    // She signs in with the key written beside it.
    let key = x509::read_key(&std::fs::read_to_string(&c.key).unwrap()).unwrap();
    let (s, b) = app.api_login(zwfw_app::demo::CERTIFICATE_HOLDER, NEW_PW).await;
    assert_eq!((s, b["next_step"].as_str()), (StatusCode::OK, Some("second_factor")), "{b}");
    assert_eq!(b["second_factors"], json!(["totp", "certificate"]), "{b}");
    let token = b["token"].as_str().unwrap().to_string();
    let (_, ch) = challenge(&app, &token).await;
    let text = ch["challenge"].as_str().unwrap().to_string();
    let (s, b) = answer(&app, &token, &text, &sign(&key, &text)).await;
    assert_eq!((s, b["next_step"].as_str()), (StatusCode::OK, Some("open")), "{b}");
});
