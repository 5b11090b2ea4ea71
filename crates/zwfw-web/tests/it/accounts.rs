//! Accounts and organizations through the API and the pages, on SQLite and
//! PostgreSQL: sign-in, lockout, password changes, TOTP, sessions and CSRF,
//! department scope, input checks, the admin pages, and the health, metrics
//! and API documentation endpoints.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

both_backends!(lockout_after_five_failures_is_audited, |store: Store| async move {
    let app = App::start(store).await;
    for i in 0..4 {
        let (s, b) = app.api_login("demo_reviewer", "Wrong#pass1").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {i}: {b}");
        assert_eq!(b["code"], "invalid_credentials");
    }
    let (s, b) = app.api_login("demo_reviewer", "Wrong#pass1").await;
    assert_eq!(s, StatusCode::LOCKED);
    assert_eq!(b["code"], "account_locked");
    // Even the right password is refused while locked.
    let (s, _) = app.api_login("demo_reviewer", DEMO_PW).await;
    assert_eq!(s, StatusCode::LOCKED);
    app.advance(15 * 60_000 + 1000);
    let (s, b) = app.api_login("demo_reviewer", DEMO_PW).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let f = zwfw_store::audit::AuditFilter { action: Some("account_locked".into()), limit: 10, ..Default::default() };
    let locked = zwfw_store::audit::list(&app.state.store, &f).await.unwrap();
    assert_eq!(locked.len(), 1);
    assert_eq!(locked[0].entry.actor_name, "demo_reviewer");
    let f = zwfw_store::audit::AuditFilter { action: Some("login_failed".into()), limit: 100, ..Default::default() };
    assert_eq!(zwfw_store::audit::list(&app.state.store, &f).await.unwrap().len(), 6);
    // Unknown users are refused the same way.
    let (s, b) = app.api_login("nobody_here", DEMO_PW).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_credentials")));
});

both_backends!(forced_password_change_gates_everything, |store: Store| async move {
    let app = App::start(store).await;
    let (s, b) = app.api_login("demo_counter", DEMO_PW).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["next_step"], "change_password");
    let token = b["token"].as_str().unwrap();
    assert_eq!(
        code_of(app.get(token, "/api/v1/me/sessions").await).await,
        (StatusCode::FORBIDDEN, "password_change_required".into())
    );
    // Weak, wrong-old and reused passwords are refused with specific codes.
    let weak =
        app.post(token, "/api/v1/me/password", json!({"old_password": DEMO_PW, "new_password": "abcdefgh"})).await;
    assert_eq!(code_of(weak).await, (StatusCode::UNPROCESSABLE_ENTITY, "weak_password".into()));
    let wrong =
        app.post(token, "/api/v1/me/password", json!({"old_password": "Nope#1234", "new_password": NEW_PW})).await;
    assert_eq!(code_of(wrong).await, (StatusCode::UNPROCESSABLE_ENTITY, "wrong_password".into()));
    let same = app.post(token, "/api/v1/me/password", json!({"old_password": DEMO_PW, "new_password": DEMO_PW})).await;
    assert_eq!(code_of(same).await, (StatusCode::UNPROCESSABLE_ENTITY, "weak_password".into()));
    let ok = app.post(token, "/api/v1/me/password", json!({"old_password": DEMO_PW, "new_password": NEW_PW})).await;
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(token, "/api/v1/me/sessions").await.status(), StatusCode::OK);
    // The old password no longer works; the new one does.
    assert_eq!(app.api_login("demo_counter", DEMO_PW).await.0, StatusCode::UNAUTHORIZED);
    let (s, b) = app.api_login("demo_counter", NEW_PW).await;
    assert_eq!((s, b["next_step"].as_str()), (StatusCode::OK, Some("open")));
    // Password age: after 91 days the password must be changed again.
    app.advance(91 * 86_400_000);
    let (_, b) = app.api_login("demo_counter", NEW_PW).await;
    assert_eq!(b["next_step"], "change_password");
});

both_backends!(totp_is_required_for_administrators, |store: Store| async move {
    let app = App::start(store).await;
    let (_, b) = app.api_login("demo_admin", DEMO_PW).await;
    let token = b["token"].as_str().unwrap().to_string();
    let r = app.post(&token, "/api/v1/me/password", json!({"old_password": DEMO_PW, "new_password": NEW_PW})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        code_of(app.get(&token, "/api/v1/staff").await).await,
        (StatusCode::FORBIDDEN, "totp_enrollment_required".into())
    );
    let b: Value = app.post(&token, "/api/v1/me/totp/begin", json!({})).await.json().await.unwrap();
    assert!(b["otpauth_url"].as_str().unwrap().starts_with("otpauth://totp/"));
    let secret = zwfw_domain::totp::decode_secret(b["secret"].as_str().unwrap()).unwrap();
    let bad = app.post(&token, "/api/v1/me/totp/confirm", json!({"code": "000000"})).await;
    // (A random code could match by chance one time in a million; the check still stands.)
    assert_eq!(code_of(bad).await.1, "invalid_totp");
    let code = zwfw_domain::totp::code_at(&secret, app.state.now_ms() / 1000);
    assert_eq!(
        app.post(&token, "/api/v1/me/totp/confirm", json!({"code": code})).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get(&token, "/api/v1/staff").await.status(), StatusCode::OK);

    // A new sign-in waits for the second factor; a replayed code is refused.
    let (_, b) = app.api_login("demo_admin", NEW_PW).await;
    assert_eq!(b["next_step"], "second_factor");
    let t2 = b["token"].as_str().unwrap().to_string();
    assert_eq!(
        code_of(app.get(&t2, "/api/v1/staff").await).await,
        (StatusCode::FORBIDDEN, "second_factor_required".into())
    );
    let replay = app.post(&t2, "/api/v1/auth/totp", json!({"code": code})).await;
    assert_eq!(code_of(replay).await.1, "invalid_totp");
    app.advance(30_000);
    let fresh = zwfw_domain::totp::code_at(&secret, app.state.now_ms() / 1000);
    let r = app.post(&t2, "/api/v1/auth/totp", json!({"code": fresh})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(app.get(&t2, "/api/v1/staff").await.status(), StatusCode::OK);
    // The other session is visible and can be ended.
    let sessions: Vec<Value> = app.get(&t2, "/api/v1/me/sessions").await.json().await.unwrap();
    assert_eq!(sessions.len(), 2);
    let other = sessions.iter().find(|s| s["current"] == false).unwrap()["id"].as_i64().unwrap();
    let r = client().delete(app.url(&format!("/api/v1/me/sessions/{other}"))).bearer_auth(&t2).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(&token, "/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);

    // Wrong codes count across sign-ins: signing in with the password again
    // does not start the count afresh; the fifth wrong code locks the account.
    for attempt in 1..=5 {
        let (s, b) = app.api_login("demo_admin", NEW_PW).await;
        assert_eq!((s, b["next_step"].as_str()), (StatusCode::OK, Some("second_factor")), "attempt {attempt}: {b}");
        let t = b["token"].as_str().unwrap().to_string();
        let wrong = app.post(&t, "/api/v1/auth/totp", json!({"code": "000000"})).await;
        assert_eq!(code_of(wrong).await.1, "invalid_totp", "attempt {attempt}");
    }
    let (s, b) = app.api_login("demo_admin", NEW_PW).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::LOCKED, Some("account_locked")), "{b}");
});

both_backends!(department_scope_is_enforced, |store: Store| async move {
    let app = App::start(store).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let land = app.department_id("示例市自然资源局").await;
    let land_user = app.user_id("demo_land").await;
    let market_user = app.user_id("demo_counter").await;
    let da = app.ready_token("demo_deptadmin").await;

    // Only the own department's staff are listed, and other departments' staff are 404.
    let list: Vec<Value> = app.get(&da, "/api/v1/staff").await.json().await.unwrap();
    assert!(!list.is_empty());
    assert!(list.iter().all(|u| u["department_id"] == market), "{list:?}");
    assert_eq!(app.get(&da, &format!("/api/v1/staff/{land_user}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&da, &format!("/api/v1/staff/{market_user}")).await.status(), StatusCode::OK);
    let upd = json!({"display_name": "改名", "department_id": land, "roles": ["reviewer"], "reason": "越权"});
    assert_eq!(app.put(&da, &format!("/api/v1/staff/{land_user}"), upd).await.status(), StatusCode::NOT_FOUND);
    let reset = app.post(&da, &format!("/api/v1/staff/{land_user}/reset-password"), json!({"reason": "越权"})).await;
    assert_eq!(reset.status(), StatusCode::NOT_FOUND);

    // Creating staff elsewhere, or granting roles a department admin may not grant, is forbidden.
    let other_dept =
        json!({"username": "x_other", "display_name": "某人", "department_id": land, "roles": ["reviewer"]});
    assert_eq!(
        code_of(app.post(&da, "/api/v1/staff", other_dept).await).await,
        (StatusCode::FORBIDDEN, "not_in_department".into())
    );
    let grant = json!({"username": "x_sup", "display_name": "某人", "department_id": market, "roles": ["supervisor"]});
    assert_eq!(app.post(&da, "/api/v1/staff", grant).await.status(), StatusCode::FORBIDDEN);
    let ok = json!({"username": "market_new", "display_name": "新同事", "department_id": market, "roles": ["reviewer"], "mobile": "13712345678"});
    let r = app.post(&da, "/api/v1/staff", ok).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["account"]["mobile"], "137****5678", "mobile masked for others");
    assert!(b["initial_password"].as_str().unwrap().len() >= 8);

    // A reviewer administers nothing; nobody but global admins changes organizations.
    let rv = app.ready_token("demo_reviewer").await;
    assert_eq!(app.get(&rv, "/api/v1/staff").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&rv, "/api/v1/audit").await.status(), StatusCode::FORBIDDEN);
    let region = json!({"code": "529923", "name": "北岭县"});
    assert_eq!(app.post(&da, "/api/v1/regions", region.clone()).await.status(), StatusCode::FORBIDDEN);

    // A public user sees only their own data.
    let (_, b) = app.api_login("demo_citizen", DEMO_PW).await;
    let citizen = b["token"].as_str().unwrap().to_string();
    let me: Value = app.get(&citizen, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["username"], "demo_citizen");
    assert_eq!(me["id_number"].as_str().unwrap().len(), 18, "owner sees the full number");
    for path in ["/api/v1/staff", "/api/v1/public-users", "/api/v1/audit"] {
        assert_eq!(app.get(&citizen, path).await.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(app.get(&citizen, &format!("/api/v1/staff/{market_user}")).await.status(), StatusCode::NOT_FOUND);

    // The supervisor reads everything, masked, and changes nothing.
    let sup = app.ready_token("demo_supervisor").await;
    let people: Vec<Value> = app.get(&sup, "/api/v1/public-users").await.json().await.unwrap();
    let c = people.iter().find(|p| p["username"] == "demo_citizen").unwrap();
    assert!(c["id_number"].as_str().unwrap().contains("********"), "{c}");
    assert_eq!(c["display_name"], "陈**");
    assert_eq!(app.get(&sup, &format!("/api/v1/staff/{land_user}")).await.status(), StatusCode::OK);
    let reset = app.post(&sup, &format!("/api/v1/staff/{land_user}/reset-password"), json!({"reason": "x"})).await;
    assert_eq!(reset.status(), StatusCode::FORBIDDEN);
});

both_backends!(bad_input_is_refused_and_changes_nothing, |store: Store| async move {
    let app = App::start(store).await;
    let admin = app.ready_token("demo_admin").await;
    let before = zwfw_store::admin::list_departments(&app.state.store).await.unwrap().len();
    let region_id = zwfw_store::admin::list_regions(&app.state.store).await.unwrap()[0].id;
    let dept = |code: &str| json!({"name": "测试局", "credit_code": code, "kind": "approval", "region_id": region_id});
    let r = app.post(&admin, "/api/v1/departments", dept("11529900MB00000999")).await;
    let s = r.status();
    let b: Value = r.json().await.unwrap();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["code"], "invalid_credit_code");
    assert_eq!(b["detail"], "check_digit");
    assert!(b["message"].as_str().unwrap().contains("校验位"));
    // All zeros passes the check character but names no authority and no place.
    let r = app.post(&admin, "/api/v1/departments", dept("000000000000000000")).await;
    let s = r.status();
    let b: Value = r.json().await.unwrap();
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_credit_code"), Some("authority"))
    );
    assert!(b["message"].as_str().unwrap().contains("登记管理部门代码"), "{b}");
    let existing = zwfw_app::demo::credit_code_for("529900", 5);
    assert_eq!(
        code_of(app.post(&admin, "/api/v1/departments", dept(&existing)).await).await,
        (StatusCode::CONFLICT, "duplicate".into())
    );
    let bad_kind = json!({"name": "测试局", "credit_code": zwfw_app::demo::credit_code_for("529900", 99), "kind": "ministry", "region_id": region_id});
    assert_eq!(code_of(app.post(&admin, "/api/v1/departments", bad_kind).await).await.1, "unknown_department_kind");
    let malformed = client()
        .post(app.url("/api/v1/departments"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(malformed).await, (StatusCode::BAD_REQUEST, "bad_request".into()));
    assert_eq!(zwfw_store::admin::list_departments(&app.state.store).await.unwrap().len(), before);

    // A good department is created and audited with its reason.
    let good = json!({"name": "示例市交通运输局", "credit_code": zwfw_app::demo::credit_code_for("529900", 20), "kind": "approval", "region_id": region_id, "reason": "机构设置"});
    let r = app.post(&admin, "/api/v1/departments", good).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let upd = json!({"name": "示例市交通运输局（改）", "credit_code": zwfw_app::demo::credit_code_for("529900", 20), "kind": "approval", "region_id": region_id});
    assert_eq!(
        code_of(app.put(&admin, &format!("/api/v1/departments/{id}"), upd.clone()).await).await.1,
        "reason_required"
    );
    let mut upd = upd;
    // A reason made of control characters, or holding NUL, is no reason.
    for bad in ["\u{1}\u{2}\u{7f}", "更名\u{0}", " \u{1b}[2J "] {
        upd["reason"] = json!(bad);
        let r = app.put(&admin, &format!("/api/v1/departments/{id}"), upd.clone()).await;
        assert_eq!(code_of(r).await, (StatusCode::UNPROCESSABLE_ENTITY, "reason_control_characters".into()), "{bad:?}");
    }
    let counter = app.user_id("demo_counter").await;
    let r =
        app.post(&admin, &format!("/api/v1/staff/{counter}/active"), json!({"active": false, "reason": "\u{0}"})).await;
    assert_eq!(code_of(r).await.1, "reason_control_characters");
    assert!(zwfw_store::admin::find_user_by_username(&app.state.store, "demo_counter").await.unwrap().unwrap().active);
    upd["reason"] = json!("更名");
    assert_eq!(app.put(&admin, &format!("/api/v1/departments/{id}"), upd).await.status(), StatusCode::OK);
    let f = zwfw_store::audit::AuditFilter {
        object_type: Some("department".into()),
        object_id: Some(id.to_string()),
        limit: 10,
        ..Default::default()
    };
    let trail = zwfw_store::audit::list(&app.state.store, &f).await.unwrap();
    assert_eq!(trail.len(), 2);
    assert_eq!(trail[0].entry.reason, "更名");
    assert!(trail[0].entry.detail.contains("示例市交通运输局（改）"));
    assert_eq!(trail[0].entry.actor_name, "demo_admin");

    // Registration: malformed ID number, weak password, duplicate username.
    let register = |username: &str, id: &str, pw: &str| {
        let reg = json!({"kind": "person", "username": username, "password": pw, "name": "张三", "id_number": id, "mobile": "13812345678"});
        let req = client().post(app.url("/api/v1/register")).json(&reg);
        async move { code_of(req.send().await.unwrap()).await }
    };
    assert_eq!(
        register("zhang3", "11010519491231002", NEW_PW).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_resident_id".into())
    );
    assert_eq!(register("zhang3", "110105194912310021", NEW_PW).await.1, "invalid_resident_id");
    assert_eq!(register("zhang3", "11010519491231002X", "password").await.1, "weak_password");
    assert_eq!(
        register("demo_citizen", "11010519491231002X", NEW_PW).await,
        (StatusCode::CONFLICT, "duplicate".into())
    );
    assert_eq!(register("zhang3", "11010519491231002X", NEW_PW).await.0, StatusCode::CREATED);
    assert_eq!(
        register("zhang4", "11010519491231002X", NEW_PW).await,
        (StatusCode::CONFLICT, "duplicate".into()),
        "one account per identity number"
    );

    // The chain is intact after all of this.
    let report = zwfw_store::audit::verify(&app.state.store).await.unwrap();
    assert!(report.defects.is_empty(), "{:?}", report.defects);
    assert!(report.checked > 30);
});

both_backends!(cookie_sessions_need_csrf_and_expire_when_idle, |store: Store| async move {
    let app = App::start(store).await;
    let b = browser();
    // Signing in through the page.
    let page = b.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    let r =
        b.post(app.url("/login")).form(&[("username", "demo_counter"), ("password", DEMO_PW)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a form without its token is refused");
    let r = b
        .post(app.url("/login"))
        .form(&[("_csrf", csrf.as_str()), ("username", "demo_counter"), ("password", DEMO_PW), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/account/password");
    let page = b.get(app.url("/account/password")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    let r = b
        .post(app.url("/account/password"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("old_password", DEMO_PW),
            ("new_password", NEW_PW),
            ("confirm_password", NEW_PW),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The API with the cookie needs the header.
    let me: Value = b.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    let token = me["csrf_token"].as_str().unwrap().to_string();
    let r = b.post(app.url("/api/v1/auth/logout")).send().await.unwrap();
    assert_eq!(code_of(r).await, (StatusCode::FORBIDDEN, "csrf".into()));
    // Idle for 31 minutes: the session is gone.
    app.advance(31 * 60_000);
    let r = b.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"));
    let r = b.post(app.url("/api/v1/auth/logout")).header("x-csrf-token", token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
});

both_backends!(pages_render_in_chinese_for_each_role, |store: Store| async move {
    let app = App::start(store).await;
    let admin = app.ready_token("demo_admin").await;
    for (path, needle) in [
        ("/", "工作台"),
        ("/admin/regions", "东城区"),
        ("/admin/departments", "示例市市场监督管理局"),
        ("/admin/users", "demo_counter"),
        ("/admin/audit", "审计日志"),
        ("/account", "活动会话"),
    ] {
        let r = app.get(&admin, path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains(needle), "{path} lacks {needle}");
        assert!(html.contains("lang=\"zh-CN\""));
    }
    // Renaming a region from the page: reason required, audited.
    let page = app.get(&admin, "/admin/regions").await.text().await.unwrap();
    let csrf = csrf_of(&page);
    let town = zwfw_store::admin::find_region_by_code(&app.state.store, "529902002").await.unwrap().unwrap();
    let url = app.url(&format!("/admin/regions/{}/rename", town.id));
    let rename = |reason: &str| {
        let form = [("_csrf", csrf.as_str()), ("name", "新华路街道"), ("reason", reason)];
        client().post(&url).bearer_auth(&admin).form(&form).send()
    };
    assert_eq!(rename("").await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(rename("区划调整").await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(zwfw_store::admin::get_region(&app.state.store, town.id).await.unwrap().name, "新华路街道");
    let users = app.get(&admin, "/admin/users").await.text().await.unwrap();
    assert!(users.contains("139****0004"), "mobile masked in the staff list");
    assert!(!users.contains("13900000004"));
    assert!(users.contains("陈**"), "public names masked");
    let rv = app.ready_token("demo_reviewer").await;
    assert_eq!(app.get(&rv, "/admin/audit").await.status(), StatusCode::FORBIDDEN);
    let r = app.get(&rv, "/no/such/page").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("页面不存在"));
    // Script in a name is rendered inert.
    let region_id = zwfw_store::admin::list_regions(&app.state.store).await.unwrap()[0].id;
    let evil = json!({"name": "<script>alert(1)</script>局", "credit_code": zwfw_app::demo::credit_code_for("529900", 30), "kind": "approval", "region_id": region_id});
    assert_eq!(app.post(&admin, "/api/v1/departments", evil).await.status(), StatusCode::CREATED);
    let html = app.get(&admin, "/admin/departments").await.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;"));
});

both_backends!(health_metrics_docs_and_clock, |store: Store| async move {
    let app = App::start(store).await;
    let c = client();
    assert_eq!(c.get(app.url("/healthz")).send().await.unwrap().text().await.unwrap(), "ok");
    assert_eq!(c.get(app.url("/readyz")).send().await.unwrap().status(), StatusCode::OK);
    let m = c.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(m.contains("zwfw_database_up 1"));
    let spec: Value = c.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(spec["paths"]["/api/v1/departments"]["post"].is_object());
    assert_eq!(c.get(app.url("/api/docs/")).send().await.unwrap().status(), StatusCode::OK);
    let r = c.get(app.url("/login")).send().await.unwrap();
    assert!(r.headers().contains_key("content-security-policy"));
    assert!(r.headers().contains_key("x-request-id"));
    // The demo clock moves forward only, by a system administrator, and is audited.
    let [admin, rv] = app.ready_tokens(["demo_admin", "demo_reviewer"]).await;
    assert_eq!(app.post(&rv, "/api/v1/admin/clock", json!({"offset": "+1d"})).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        code_of(app.post(&admin, "/api/v1/admin/clock", json!({"offset": "-1d"})).await).await.1,
        "invalid_field"
    );
    let before = app.state.now_ms();
    let r = app.post(&admin, "/api/v1/admin/clock", json!({"offset": "+5d"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(app.state.now_ms() >= before + 5 * 86_400_000);
    let stored = zwfw_store::settings::get(&app.state.store, zwfw_store::settings::CLOCK_OFFSET_MS).await.unwrap();
    assert_eq!(stored, Some((5 * 86_400_000i64).to_string()));
    // Loading the demo again creates nothing.
    assert!(zwfw_app::demo::load(&app.state).await.unwrap().created.is_empty());
});

both_backends!(the_audit_log_reads_in_chinese_with_filters_and_pages, |store: Store| async move {
    let app = App::start(store).await;
    let sup = app.ready_token("demo_supervisor").await;
    let market = zwfw_store::admin::list_departments(&app.state.store)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.name == "示例市市场监督管理局")
        .unwrap()
        .id;

    // Every action the demo wrote has a Chinese name, and every field its records describe.
    app.ready_token("demo_counter").await;
    for _ in 0..6 {
        app.signed_in("demo_counter").await;
    }
    let codes = zwfw_store::audit::actions(&app.state.store).await.unwrap();
    assert!(codes.len() >= 5, "{codes:?}");
    for code in &codes {
        let name = zwfw_app::messages::audit::action_label(code);
        assert!(name.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{code} has no Chinese name");
    }
    let all = zwfw_store::audit::list(
        &app.state.store,
        &zwfw_store::audit::AuditFilter { limit: 10_000, ..Default::default() },
    )
    .await
    .unwrap();
    for r in &all {
        for c in zwfw_app::audit::changes(&r.entry.detail) {
            assert!(
                c.field.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)),
                "{} in {}",
                c.field,
                r.entry.detail
            );
        }
    }

    // The API: by a part of the person's name, department and action, a page at a time.
    let r = app.get(&sup, &format!("/api/v1/audit?person=李&dept={market}&action=login&limit=3&page=2")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let total: i64 = r.headers()["x-total-count"].to_str().unwrap().parse().unwrap();
    let (_, b) = body(r).await;
    let rows = b.as_array().unwrap();
    assert!(total >= 7 && rows.len() == 3, "{total} {b}");
    for row in rows {
        assert_eq!(row["person_name"], "李娜");
        assert_eq!(row["department_name"], "示例市市场监督管理局");
        assert_eq!(row["action_label"], "登录");
        assert_eq!(row["changes"][1]["field"], "其他在线会话");
    }
    let (_, first) =
        body(app.get(&sup, &format!("/api/v1/audit?person=李&dept={market}&action=login&limit=3")).await).await;
    assert!(first[0]["seq"].as_i64() > rows[0]["seq"].as_i64(), "page 2 is older than page 1");
    // A user name is not a name.
    let r = app.get(&sup, "/api/v1/audit?person=demo_counter").await;
    assert_eq!(r.headers()["x-total-count"], "0");
    // Bad values: a structured error, never a raw framework message.
    for (q, detail) in [
        ("page=0", "page"),
        ("limit=501", "per_page"),
        ("dept=999999", "department_id"),
        ("action=DROP%20TABLE", "action"),
    ] {
        let (s, b) = body(app.get(&sup, &format!("/api/v1/audit?{q}")).await).await;
        assert_eq!(
            (s, b["code"].as_str(), b["detail"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_field"), Some(detail)),
            "{q}"
        );
    }
    let (s, b) = body(app.get(&sup, "/api/v1/audit?page=x").await).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) =
        body(app.get(&sup, "/api/v1/audit?from=2026-12-01T00:00:00%2B08:00&to=2026-11-01T00:00:00%2B08:00").await)
            .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_date_range")));

    // The page: the same filters with Chinese labels, in pages; bad values answered in words.
    let browser = signed(&sup);
    let (s, html) = page(&browser, &app, &format!("/admin/audit?person=李&dept={market}&action=login")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<option value=\"login\" selected>登录</option>"), "{html}");
    assert!(html.contains("李娜") && html.contains("窗口人员") && html.contains("其他在线会话"));
    assert!(!html.contains("other_live_sessions"), "no raw JSON");
    let (_, html) = page(&browser, &app, "/admin/audit?page=2").await;
    assert!(html.contains("上一页") && html.contains("第 2 / ") && html.contains("<tr>"), "{html}");
    let (s, html) = page(&browser, &app, "/admin/audit?page=abc").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains("页码填写不正确"), "{html}");
    let (s, html) = page(&browser, &app, "/admin/audit?from=2026-12-01&to=2026-11-01").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains("结束日期早于开始日期"), "{html}");
    // The export keeps every filter.
    let csv =
        browser.get(app.url(&format!("/admin/audit.csv?person=李&dept={market}&action=login"))).send().await.unwrap();
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("\u{feff}序号,时间,操作人,账号"));
    assert_eq!(csv.matches("\"登录\"").count() as i64, total, "{csv}");
    assert!(csv.contains("登录") && csv.contains("其他在线会话："));
    assert_invariants(&app).await;
});
