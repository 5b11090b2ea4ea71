//! 审管交互, the flow back, on SQLite and PostgreSQL: the regulator that
//! claimed a record records a 行政处罚, a 吊销 (the licence is revoked at
//! once, its history names the decision) and a 限制准入 (shown to the counter
//! on the applicant's next application for the item, on the case page, at
//! the accept step and in the case API; not to the applicant); the
//! approving department and supervision read the decisions on the record,
//! another department does not see them; the wrong people, an unclaimed
//! record, an unknown licence, a 吊销 without number and a period ending
//! before it starts are refused and nothing is written.

use crate::handover::{accounts, conclude, count, inbox, licensed_item, pass_steps};
use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;
use zwfw_domain::catalog::example;
use zwfw_store::{both_backends, Store};

const SANCTIONS: &str = "SELECT COUNT(*) AS n FROM handover_sanctions";

both_backends!(handover_backflow_penalty_revocation_and_restriction, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let land = app.department_id("示例市自然资源局").await;
    let [admin, citizen, counter, reviewer, head, land_staff, county_head, supervisor] = accounts(&app).await;
    let item = licensed_item(&app, &admin, vec![land], "TESTBACKFLOW000000000000000001", 904).await;
    let tokens = [citizen.clone(), counter.clone(), reviewer.clone(), head.clone()];
    conclude(
        &app,
        &tokens,
        item,
        json!({"action": "conclude", "outcome": "granted", "document_no": "JY0000000000002", "valid_until": "2030-12-31"}),
    )
    .await;
    let r = inbox(&app, &land_staff, "").await["rows"][0].clone();
    let record = r["id"].as_i64().unwrap();
    let license = r["license"].as_str().unwrap().to_string();
    let path = format!("/api/v1/handover/{record}/sanctions");
    let penalty = json!({"kind": "penalty", "decision_no": "示自然罚〔2025〕3号", "decided_on": "2025-09-26",
        "reason": "未按规定公示许可信息，罚款二千元"});

    // Not claimed yet: the regulator is told to claim first.
    let (s, c) = code_of(app.post(&land_staff, &path, penalty.clone()).await).await;
    assert_eq!((s, c.as_str()), (StatusCode::CONFLICT, "handover_not_claimed"));
    let (s, b) = body(app.post(&land_staff, &format!("/api/v1/handover/{record}/claim"), json!({})).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["may_record_sanction"], true, "{b}");

    // Who may not is refused before the body is read (a body that is not even JSON).
    let raw = |token: &str| {
        client().post(app.url(&path)).bearer_auth(token).header("content-type", "application/json").body("{").send()
    };
    let (s, c) = code_of(raw(&head).await.unwrap()).await;
    assert_eq!((s, c.as_str()), (StatusCode::FORBIDDEN, "not_in_department"));
    let (s, c) = code_of(raw(&supervisor).await.unwrap()).await;
    assert_eq!((s, c.as_str()), (StatusCode::FORBIDDEN, "supervision_reads_only"));
    let (s, c) = code_of(raw(&county_head).await.unwrap()).await;
    assert_eq!((s, c.as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let (s, c) = code_of(raw(&citizen).await.unwrap()).await;
    assert_eq!((s, c.as_str()), (StatusCode::FORBIDDEN, "staff_only"));
    let (s, _) = code_of(raw(&land_staff).await.unwrap()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "the regulator's malformed body is a bad request");

    // Bad input: a clear reason, nothing written, the licence untouched.
    for (input, want) in [
        (
            json!({"license": "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"}),
            "unknown_license",
        ),
        (json!({"kind": "revoke", "decision_no": "  "}), "decision_no_required"),
        (
            json!({"kind": "restrict", "restrict_from": "2025-10-01", "restrict_until": "2025-09-30", "item_ids": [item]}),
            "restrict_period_reversed",
        ),
        (
            json!({"kind": "restrict", "restrict_from": "2025-10-01", "restrict_until": "2026-09-30", "item_ids": []}),
            "restrict_items_required",
        ),
        (json!({"reason": ""}), "sanction_reason_required"),
        (json!({"decided_on": "2025-09-27"}), "decided_in_future"),
        (
            json!({"kind": "restrict", "restrict_from": "2025-10-01", "restrict_until": "2026-09-30", "item_ids": [999999]}),
            "unknown_item",
        ),
    ] {
        let mut b = penalty.clone();
        for (k, v) in input.as_object().unwrap() {
            b[k] = v.clone();
        }
        let (s, e) = body(app.post(&land_staff, &path, b).await).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(want)), "{e}");
        assert!(!e["message"].as_str().unwrap_or("").is_empty(), "{e}");
    }
    assert_eq!(count(&app, SANCTIONS).await, 0, "nothing written by a refused decision");
    let (_, v) = anon_get(&app, &format!("/api/v1/licenses/{license}/verification")).await;
    assert_eq!(v["status"], "valid", "{v}");

    // A 行政处罚, then a 吊销: the licence shows 已吊销 at once and its history names the decision.
    let (s, p) = body(app.post(&land_staff, &path, penalty.clone()).await).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!((p["kind_label"].as_str(), p["license"].as_str()), (Some("行政处罚"), Some(license.as_str())), "{p}");
    let mut revoke = penalty.clone();
    revoke["kind"] = json!("revoke");
    revoke["decision_no"] = json!("示自然罚〔2025〕4号");
    let (s, b) = body(app.post(&land_staff, &path, revoke.clone()).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (_, v) = anon_get(&app, &format!("/api/v1/licenses/{license}/verification")).await;
    assert_eq!(v["status"], "revoked", "{v}");
    let lid = zwfw_store::licenses::by_identifier(app.state.store.pool(), &license).await.unwrap().unwrap().id;
    let history = zwfw_store::licenses::events(app.state.store.pool(), lid).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!((last.change.as_str(), last.note.as_str()), ("revoked", "示自然罚〔2025〕4号"), "{history:?}");
    // A second 吊销 of the revoked licence is refused, and writes nothing.
    revoke["decision_no"] = json!("示自然罚〔2025〕5号");
    let (s, c) = code_of(app.post(&land_staff, &path, revoke).await).await;
    assert_eq!((s, c.as_str()), (StatusCode::CONFLICT, "license_wrong_status"));
    assert_eq!(count(&app, SANCTIONS).await, 2);

    // A 限制准入 from the page (CSRF, an attachment), on this item for a year.
    let browser = signed(&land_staff);
    let (s, html) = page(&browser, &app, &format!("/handover/{record}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("登记处理决定") && html.contains(&format!("name=\"item_{item}\"")), "{html}");
    let csrf = csrf_of(&html);
    let form = |csrf: &str| {
        reqwest::multipart::Form::new()
            .text("kind", "restrict")
            .text("decision_no", "示自然限〔2025〕1号")
            .text("decided_on", "2025-09-26")
            .text("reason", "一年内不得再次申请")
            .text("restrict_from", "2025-09-26")
            .text("restrict_until", "2026-09-25")
            .text(format!("item_{item}"), "1")
            .part("attachment", pdf_part("限制准入决定书.pdf"))
            .text("_csrf", csrf.to_string())
    };
    let target = format!("/handover/{record}/sanctions");
    let r = post_form(&browser, &app, &target, form("wrong")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no CSRF token, nothing done");
    assert_eq!(count(&app, SANCTIONS).await, 2);
    let r = post_form(&browser, &app, &format!("{target}?_csrf={csrf}"), form(&csrf)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    // A period ending before it starts, from the page: the reason shown, nothing written.
    let bad = reqwest::multipart::Form::new()
        .text("kind", "restrict")
        .text("decision_no", "示自然限〔2025〕2号")
        .text("decided_on", "2025-09-26")
        .text("reason", "x")
        .text("restrict_from", "2025-10-01")
        .text("restrict_until", "2025-09-30")
        .text(format!("item_{item}"), "1");
    let r = post_form(&browser, &app, &format!("{target}?_csrf={csrf}"), bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("截止日期不能早于起始日期"));
    assert_eq!(count(&app, SANCTIONS).await, 3);
    // The applicant, who has an account, is told in-app of the 行政处罚 and the 限制准入.
    let applicant = format!("user_id = {}", app.user_id("demo_citizen").await);
    assert_eq!(told(&app, "inapp", &applicant, "行政处罚决定：").await, 1);
    assert_eq!(told(&app, "inapp", &applicant, "限制准入决定：").await, 1);
    let (_, n) = body(app.get(&citizen, "/api/v1/me/notifications").await).await;
    assert!(n.to_string().contains("示自然限〔2025〕1号"), "{n}");

    // The approving department and supervision read the decisions on the record; another department does not.
    let (s, d) = body(app.get(&head, &format!("/api/v1/handover/{record}")).await).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let kinds: Vec<&str> = d["sanctions"].as_array().unwrap().iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["penalty", "revoke", "restrict"], "{d}");
    assert_eq!(d["may_record_sanction"], false);
    let restrict = &d["sanctions"][2];
    assert_eq!(restrict["attachments"][0]["name"], "限制准入决定书.pdf", "{restrict}");
    assert_eq!(restrict["items"][0]["id"].as_i64(), Some(item), "{restrict}");
    let sm3 = restrict["attachments"][0]["sm3"].as_str().unwrap();
    let r = signed(&head).get(app.url(&format!("/handover/{record}/files/{sm3}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (s, d) = body(app.get(&supervisor, &format!("/api/v1/handover/{record}")).await).await;
    assert_eq!((s, d["sanctions"].as_array().map(Vec::len)), (StatusCode::OK, Some(3)));
    let (s, _) = code_of(app.get(&county_head, &format!("/api/v1/handover/{record}")).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, html) = page(&signed(&head), &app, &format!("/handover/{record}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("示自然限〔2025〕1号") && !html.contains("登记处理决定"), "read only: {html}");
    zwfw_store::audit::seal(&app.state.store).await.unwrap();
    let audited = "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'handover_sanction'";
    assert_eq!(count(&app, audited).await, 3);

    // The applicant's next application for the item: the counter is shown the 限制准入, the applicant is not.
    let next = apply(&app, &citizen, item).await;
    let c = case(&app, &counter, next).await;
    let shown = c["restrictions"].as_array().unwrap();
    assert_eq!(shown.len(), 1, "{c}");
    assert_eq!(
        (shown[0]["decision_no"].as_str(), shown[0]["restrict_until"].as_str()),
        (Some("示自然限〔2025〕1号"), Some("2026-09-25"))
    );
    assert_eq!(case(&app, &citizen, next).await["restrictions"], json!([]));
    let (s, html) = page(&signed(&counter), &app, &format!("/cases/{next}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("限制准入提示"), "the case page");
    let accept = between(&html, "<h3>受理</h3>", "</form>");
    assert!(accept.contains("限制准入期间") && accept.contains("示自然限〔2025〕1号"), "the accept step: {accept}");
    // Another item of the same department is not concerned.
    let other = publish(&app, &example(market), "TESTBACKFLOW000000000000000002").await;
    let unconcerned = apply(&app, &citizen, other).await;
    assert_eq!(case(&app, &counter, unconcerned).await["restrictions"], json!([]));
    assert_invariants(&app).await;
});

/// Notices of `channel` to the mobile or account `to` whose title starts with `title`.
async fn told(app: &App, channel: &str, to: &str, title: &str) -> i64 {
    count(
        app,
        &format!(
            "SELECT COUNT(*) AS n FROM notifications WHERE channel = '{channel}' AND ({to}) AND title LIKE '{title}%'"
        ),
    )
    .await
}

// A walk-in applicant without an account (registered at the counter with a
// mobile) granted an item pushed to two regulators: who may not claim is
// refused whatever the body (JSON and the page's form); a decision number is
// recorded once per regulator (another regulator keeps its own numbering);
// the licensee is told of a 行政处罚 and a 限制准入 by SMS to the mobile of the
// application, and of the 吊销 of the licence; the regulator's own 吊销 is
// pushed to the other regulator and the approving department, never back to
// itself; a page number past the end shows the last page; an upload refused
// or too large is answered with the page, not a reset connection.
both_backends!(handover_backflow_numbers_recipients_and_licensee_notices, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let land = app.department_id("示例市自然资源局").await;
    let county = app.department_id("东城区人民政府办公室").await;
    let [admin, citizen, counter, reviewer, head, land_staff, county_head, supervisor] = accounts(&app).await;
    let item = licensed_item(&app, &admin, vec![land, county], "TESTBACKFLOW000000000000000003", 905).await;
    let (_, scan) = upload(&app, &counter, PDF, "申请书.pdf").await;
    let first17 = "52990219850612302";
    let id_no = format!("{first17}{}", zwfw_domain::ids::ResidentId::check_char(first17).unwrap());
    let walk_in = json!({"applicant": {"kind": "natural", "name": "陈小华", "id_no": id_no, "mobile": "13800000001", "address": ""},
                         "materials": [{"material_no": 1, "upload_id": scan["id"]}]});
    let (s, b) = body(app.post(&counter, &format!("/api/v1/items/{item}/applications"), walk_in).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let case_id = b["case_id"].as_i64().unwrap();
    let tokens = [citizen.clone(), counter.clone(), reviewer.clone(), head.clone()];
    pass_steps(&app, &tokens, case_id).await;
    let grant = json!({"action": "conclude", "outcome": "granted", "document_no": "JY0000000000003", "valid_until": "2030-12-31"});
    act_ok(&app, &head, case_id, grant).await;
    let r = inbox(&app, &land_staff, "").await["rows"][0].clone();
    let record = r["id"].as_i64().unwrap();
    let license = r["license"].as_str().expect("the licence joined the record").to_string();
    let county_record = inbox(&app, &county_head, "").await["rows"][0]["id"].as_i64().unwrap();

    // Who may not claim is answered so whatever the body: not JSON, not even of the right type.
    let claim = format!("/api/v1/handover/{record}/claim");
    for (token, content_type, want) in [
        (&head, "application/json", (StatusCode::FORBIDDEN, "not_in_department")),
        (&head, "text/plain", (StatusCode::FORBIDDEN, "not_in_department")),
        (&supervisor, "application/json", (StatusCode::FORBIDDEN, "supervision_reads_only")),
        (&county_head, "application/json", (StatusCode::NOT_FOUND, "not_found")),
        (&citizen, "application/json", (StatusCode::FORBIDDEN, "staff_only")),
        (&land_staff, "application/json", (StatusCode::BAD_REQUEST, "bad_request")),
        (&land_staff, "text/plain", (StatusCode::BAD_REQUEST, "bad_request")),
    ] {
        let r = client()
            .post(app.url(&claim))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body("{")
            .send()
            .await
            .unwrap();
        let (s, c) = code_of(r).await;
        assert_eq!((s, c.as_str()), want, "{content_type}");
    }
    // The page's claim form sent as JSON (the CSRF token in its header): the same order.
    let (_, html) = page(&signed(&county_head), &app, "/handover").await;
    let csrf = csrf_of(&html);
    let form_as_json = |token: &str| {
        signed(token)
            .post(app.url(&format!("/handover/{record}/claim")))
            .header("content-type", "application/json")
            .header("x-csrf-token", csrf.clone())
            .body("{}")
            .send()
    };
    assert_eq!(form_as_json(&county_head).await.unwrap().status(), StatusCode::NOT_FOUND);
    let (_, html) = page(&signed(&head), &app, "/handover").await;
    let head_csrf = csrf_of(&html);
    let r = signed(&head)
        .post(app.url(&format!("/handover/{record}/claim")))
        .header("content-type", "application/json")
        .header("x-csrf-token", head_csrf)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("监管部门"), "the reason in Chinese");
    let claims = "SELECT COUNT(*) AS n FROM handovers WHERE claimed_at IS NOT NULL";
    assert_eq!(count(&app, claims).await, 0, "nothing written by a refused claim");
    for (token, id) in [(&land_staff, record), (&county_head, county_record)] {
        let (s, b) = body(app.post(token, &format!("/api/v1/handover/{id}/claim"), json!({})).await).await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }

    // One decision number, one decision of the regulator.
    let path = format!("/api/v1/handover/{record}/sanctions");
    let penalty = json!({"kind": "penalty", "decision_no": "示自然罚〔2025〕7号", "decided_on": "2025-09-26",
        "reason": "未按规定公示许可信息，罚款二千元"});
    let (s, b) = body(app.post(&land_staff, &path, penalty.clone()).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let mut again = penalty.clone();
    again["kind"] = json!("rectify");
    again["decision_no"] = json!(" 示自然罚〔2025〕7号 ");
    let (s, e) = body(app.post(&land_staff, &path, again).await).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("decision_no_taken")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("示自然罚〔2025〕7号"), "{e}");
    assert_eq!(count(&app, SANCTIONS).await, 1, "nothing written by a repeated number");
    let browser = signed(&land_staff);
    let (_, html) = page(&browser, &app, &format!("/handover/{record}")).await;
    let csrf = csrf_of(&html);
    let repeated = reqwest::multipart::Form::new()
        .text("kind", "penalty")
        .text("decision_no", "示自然罚〔2025〕7号")
        .text("decided_on", "2025-09-26")
        .text("reason", "重复登记");
    let r = post_form(&browser, &app, &format!("/handover/{record}/sanctions?_csrf={csrf}"), repeated).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("同一文号不能重复登记"), "the reason on the page");
    assert_eq!(count(&app, SANCTIONS).await, 1);
    // Another regulator numbers its own decisions: the same text is its own number.
    let (s, b) =
        body(app.post(&county_head, &format!("/api/v1/handover/{county_record}/sanctions"), penalty.clone()).await)
            .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // The licensee, without an account, is told by SMS to the application's mobile.
    let mobile = "mobile = '13800000001'";
    assert_eq!(told(&app, "sms", mobile, "行政处罚决定：").await, 2, "one for each regulator's penalty");
    let restrict = json!({"kind": "restrict", "decision_no": "示自然限〔2025〕9号", "decided_on": "2025-09-26",
        "reason": "一年内不得再次申请", "restrict_from": "2025-09-26", "restrict_until": "2026-09-25", "item_ids": [item]});
    let (s, b) = body(app.post(&land_staff, &path, restrict).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(told(&app, "sms", mobile, "限制准入决定：").await, 1);
    let row = zwfw_store::db::query(
        "SELECT body AS b FROM notifications WHERE channel = 'sms' AND title LIKE '限制准入决定%'",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    let text = match row.value("b") {
        Some(zwfw_store::db::Value::Text(t)) => t.clone(),
        other => panic!("{other:?}"),
    };
    assert!(text.contains("2025-09-26至2026-09-25") && text.contains("示自然限〔2025〕9号"), "{text}");

    // The regulator's 吊销: to the other regulator and back to the approving department, not to itself.
    let revoke = json!({"kind": "revoke", "decision_no": "示自然罚〔2025〕8号", "decided_on": "2025-09-26",
        "reason": "以欺骗手段取得许可"});
    let (s, b) = body(app.post(&land_staff, &path, revoke).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let changes = |d: i64| {
        format!("SELECT COUNT(*) AS n FROM handovers WHERE kind = 'license_change' AND regulator_department_id = {d}")
    };
    assert_eq!(count(&app, &changes(land)).await, 0, "not pushed back to the regulator that revoked");
    assert_eq!(count(&app, &changes(county)).await, 1);
    assert_eq!(count(&app, &changes(market)).await, 1, "the approving department learns of it");
    let back = inbox(&app, &head, "").await;
    let row = back["rows"].as_array().unwrap().iter().find(|x| x["kind"] == "license_change").cloned();
    let row = row.unwrap_or_else(|| panic!("{back}"));
    assert_eq!(
        (row["decision"].as_str(), row["source_department_id"].as_i64(), row["license"].as_str()),
        (Some("revoked"), Some(land), Some(license.as_str())),
        "{row}"
    );
    assert_eq!(inbox(&app, &land_staff, "").await["total"], 0, "{}", inbox(&app, &land_staff, "").await);
    assert_eq!(told(&app, "sms", mobile, "电子证照").await, 1, "the holder told of the 吊销");

    // A page past the end: the last page, said so, with a way back.
    let (s, html) = page(&browser, &app, "/handover?state=all&page=99999").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("没有更多记录") && html.contains("回到第一页"), "{html}");
    assert!(html.contains(&format!("/handover/{record}\"")), "the last page's records: {html}");
    let (s, b) = body(app.get(&land_staff, "/api/v1/handover?state=all&page=99999").await).await;
    assert_eq!((s, b["rows"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{b}");

    // Uploads refused before they are read, or too large: the page answers, the connection stays.
    let big = |size: usize| {
        reqwest::multipart::Form::new().text("kind", "penalty").part(
            "attachment",
            reqwest::multipart::Part::bytes(vec![b'%'; size])
                .file_name("大文件.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        )
    };
    let (_, html) = page(&signed(&county_head), &app, "/handover").await;
    let county_csrf = csrf_of(&html);
    let r = post_form(
        &signed(&county_head),
        &app,
        &format!("/handover/{record}/sanctions?_csrf={county_csrf}"),
        big(4 * 1024 * 1024),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("<html"), "a page");
    let r =
        post_form(&browser, &app, &format!("/handover/{record}/sanctions?_csrf={csrf}"), big(20 * 1024 * 1024)).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().await.unwrap().contains("文件超过大小限制"), "the reason in Chinese");
    assert_eq!(count(&app, SANCTIONS).await, 4);
    let _ = (admin, citizen);
    assert_invariants(&app).await;
});

// Who enters which decision, and on which items: the regulator's counter
// enters a 行政处罚 but not a 吊销 or a 限制准入 (refused before anything is
// written, and not offered on the page); a 限制准入 names the record's item or
// items the regulator supervises, never another department's field; the
// department implementing a named item is told (its heads, in-app), the
// regulator itself is not.
both_backends!(handover_backflow_roles_and_the_regulators_field, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let land = app.department_id("示例市自然资源局").await;
    let [admin, citizen, counter, reviewer, head, land_staff, _, _] = accounts(&app).await;
    let item = licensed_item(&app, &admin, vec![land], "TESTBACKFLOW000000000000000004", 906).await;
    // Another market item the land bureau supervises, and one it does not.
    let mut supervised = example(market);
    supervised.regulator_department_ids = vec![land];
    let supervised = publish(&app, &supervised, "TESTBACKFLOW000000000000000005").await;
    let foreign = publish(&app, &example(market), "TESTBACKFLOW000000000000000006").await;
    conclude(
        &app,
        &[citizen.clone(), counter.clone(), reviewer.clone(), head.clone()],
        item,
        json!({"action": "conclude", "outcome": "granted", "document_no": "JY0000000000009", "valid_until": "2030-12-31"}),
    )
    .await;
    let record = inbox(&app, &land_staff, "").await["rows"][0]["id"].as_i64().unwrap();
    let (s, b) = body(app.post(&land_staff, &format!("/api/v1/handover/{record}/claim"), json!({})).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let path = format!("/api/v1/handover/{record}/sanctions");
    let decision = |kind: &str, no: &str| {
        json!({"kind": kind, "decision_no": no, "decided_on": "2025-09-26", "reason": "以欺骗手段取得许可",
            "restrict_from": "2025-09-26", "restrict_until": "2026-09-25", "item_ids": [item]})
    };

    // The bureau's officer as a counter clerk only.
    let land_id = app.user_id("demo_land").await;
    app.sql("DELETE FROM user_roles WHERE role = 'reviewer' AND user_id = $1", land_id).await;
    let (s, d) = body(app.get(&land_staff, &format!("/api/v1/handover/{record}")).await).await;
    assert_eq!((s, d["sanction_kinds"].clone()), (StatusCode::OK, json!(["penalty", "rectify"])), "{d}");
    for kind in ["revoke", "restrict"] {
        let (s, e) = body(app.post(&land_staff, &path, decision(kind, "示自然罚〔2025〕20号")).await).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "{kind}: {e}");
        assert!(e["message"].as_str().unwrap().contains("吊销和限制准入须由审批人员或部门负责人登记"), "{e}");
    }
    assert_eq!(count(&app, SANCTIONS).await, 0, "nothing written by a refused decision");
    let (_, html) = page(&signed(&land_staff), &app, &format!("/handover/{record}")).await;
    let form = between(&html, "<h3>登记处理决定</h3>", "</form>");
    assert!(form.contains("value=\"penalty\"") && !form.contains("value=\"revoke\""), "{form}");
    assert!(!form.contains("value=\"restrict\"") && form.contains("须由审批人员或部门负责人登记"), "{form}");
    let (s, b) = body(app.post(&land_staff, &path, decision("penalty", "示自然罚〔2025〕21号")).await).await;
    assert_eq!(s, StatusCode::CREATED, "the counter enters a 行政处罚: {b}");
    app.sql("INSERT INTO user_roles (user_id, role) VALUES ($1, 'reviewer')", land_id).await;

    // The reviewer again: a 限制准入 on another department's field is refused.
    let mut outside = decision("restrict", "示自然限〔2025〕22号");
    outside["item_ids"] = json!([item, foreign]);
    let (s, e) = body(app.post(&land_staff, &path, outside).await).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("restrict_item_outside_field")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("本部门负责监管的事项"), "{e}");
    assert_eq!(count(&app, SANCTIONS).await, 1);
    let (_, html) = page(&signed(&land_staff), &app, &format!("/handover/{record}")).await;
    assert!(html.contains(&format!("name=\"item_{supervised}\"")), "the supervised item is offered");
    assert!(!html.contains(&format!("name=\"item_{foreign}\"")), "another field's item is not offered");

    // On its own field: recorded, and the market bureau's heads are told which of its items.
    let mut inside = decision("restrict", "示自然限〔2025〕23号");
    inside["item_ids"] = json!([item, supervised]);
    let (s, b) = body(app.post(&land_staff, &path, inside).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let heads = format!("user_id = {}", app.user_id("demo_head").await);
    assert_eq!(told(&app, "inapp", &heads, "限制准入涉及本部门事项").await, 1);
    let land_told = format!("user_id = {land_id}");
    assert_eq!(told(&app, "inapp", &land_told, "限制准入涉及本部门事项").await, 0, "not the regulator itself");
    let (_, n) = body(app.get(&head, "/api/v1/me/notifications").await).await;
    assert!(n.to_string().contains("示自然限〔2025〕23号"), "{n}");
    assert_invariants(&app).await;
});

// A 决定书文号 names one decision of one department, whichever way it is
// entered: the market bureau, issuing department and one of the item's
// regulators, cannot revoke a licence on its page under a number it used for
// a decision flowing back, nor the other way round, nor revoke two licences
// under one number; the land bureau numbers its own decisions. The 吊销
// entered on the licence's page is listed among the record's decisions.
both_backends!(handover_decision_numbers_shared_with_the_licence_page, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let land = app.department_id("示例市自然资源局").await;
    let [admin, citizen, counter, reviewer, head, land_staff, _, _] = accounts(&app).await;
    let item = licensed_item(&app, &admin, vec![land, market], "TESTBACKFLOW000000000000000003", 906).await;
    let tokens = [citizen.clone(), counter.clone(), reviewer.clone(), head.clone()];
    for no in ["JY0000000000031", "JY0000000000032"] {
        let grant = json!({"action": "conclude", "outcome": "granted", "document_no": no, "valid_until": "2030-12-31"});
        conclude(&app, &tokens, item, grant).await;
    }
    // Each bureau has a record of each grant: the market bureau's of one licence, the land bureau's of the same.
    let ours = inbox(&app, &head, "").await["rows"].clone();
    let (market_record, license) = (ours[0]["id"].as_i64().unwrap(), ours[0]["license"].as_str().unwrap().to_string());
    let second = ours[1]["license"].as_str().unwrap().to_string();
    assert_ne!(license, second);
    let theirs = inbox(&app, &land_staff, "").await["rows"].clone();
    let land_record =
        theirs.as_array().unwrap().iter().find(|r| r["license"] == license.as_str()).unwrap()["id"].as_i64().unwrap();
    for (token, id) in [(&head, market_record), (&land_staff, land_record)] {
        let (s, b) = body(app.post(token, &format!("/api/v1/handover/{id}/claim"), json!({})).await).await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let sanctions = |id: i64| format!("/api/v1/handover/{id}/sanctions");
    let penalty = |no: &str| json!({"kind": "penalty", "decision_no": no, "decided_on": "2025-09-26", "reason": "未按规定公示许可信息"});
    let revoke = |no: &str| json!({"action": "revoke", "decision_no": no});
    let changes = |l: &str| format!("/api/v1/licenses/{l}/changes");
    let numbers = "SELECT COUNT(*) AS n FROM decision_numbers";

    // A number the market bureau used flowing back cannot revoke on the licence's page.
    let (s, b) = body(app.post(&head, &sanctions(market_record), penalty("示市监罚〔2025〕11号")).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, e) = body(app.post(&head, &changes(&license), revoke(" 示市监罚〔2025〕11号 ")).await).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("decision_no_taken")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("同一文号不能重复登记"), "{e}");
    // Typed otherwise, it is the same number: full-width, with a zero-width space.
    let (s, e) = body(app.post(&head, &changes(&license), revoke("示市监罚〔２０２５〕１１号\u{200b}")).await).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("decision_no_taken")), "{e}");
    let (s, e) = body(app.post(&head, &sanctions(market_record), penalty("示市监罚\u{7}12号")).await).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("decision_no_invalid")), "{e}");
    let (_, v) = anon_get(&app, &format!("/api/v1/licenses/{license}/verification")).await;
    assert_eq!(v["status"], "valid", "nothing changed: {v}");
    assert_eq!(count(&app, numbers).await, 1);
    // The page says so in Chinese, and nothing changes.
    let h = signed(&head);
    let (_, html) = page(&h, &app, &format!("/work/licenses/{license}")).await;
    let csrf = csrf_of(&html);
    let fields =
        [("_csrf", csrf.as_str()), ("action", "revoke"), ("decision_no", "示市监罚〔2025〕11号"), ("confirm", "yes")];
    let r = h.post(app.url(&format!("/work/licenses/{license}/change"))).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("同一文号不能重复登记"), "the reason on the page");

    // A new number revokes; the land bureau's record lists the 吊销 among its decisions.
    let (s, b) = body(app.post(&head, &changes(&license), revoke("示市监罚〔2025〕12号")).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, v) = anon_get(&app, &format!("/api/v1/licenses/{license}/verification")).await;
    assert_eq!(v["status"], "revoked", "{v}");
    let (s, r) = body(app.get(&land_staff, &format!("/api/v1/handover/{land_record}")).await).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let listed = r["sanctions"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{r}");
    let d = &listed[0];
    assert_eq!(
        (d["origin"].as_str(), d["kind"].as_str(), d["decision_no"].as_str(), d["license"].as_str()),
        (Some("license_page"), Some("revoke"), Some("示市监罚〔2025〕12号"), Some(license.as_str())),
        "{d}"
    );
    assert_eq!(d["regulator_department"], "示例市市场监督管理局", "{d}");
    let (_, html) = page(&signed(&land_staff), &app, &format!("/handover/{land_record}")).await;
    assert!(html.contains("示市监罚〔2025〕12号") && html.contains("发证部门吊销"), "on the record's page");

    // That number is used: neither a decision flowing back nor another licence's 吊销 takes it.
    let (s, e) = body(app.post(&head, &sanctions(market_record), penalty("示市监罚〔2025〕12号")).await).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("decision_no_taken")), "{e}");
    let (s, e) = body(app.post(&head, &changes(&second), revoke("示市监罚〔2025〕12号")).await).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("decision_no_taken")), "{e}");
    let (_, v) = anon_get(&app, &format!("/api/v1/licenses/{second}/verification")).await;
    assert_eq!(v["status"], "valid", "{v}");
    assert_eq!(count(&app, SANCTIONS).await, 1);
    assert_eq!(count(&app, numbers).await, 2);
    // Another department's numbering is its own.
    let (s, b) = body(app.post(&land_staff, &sanctions(land_record), penalty("示市监罚〔2025〕12号")).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // The key holds outside the use cases too; a uniqueness rule a write
    // did not name is answered as a conflict (409), not as an outage (503).
    let raw = format!(
        "INSERT INTO decision_numbers (department_id, decision_no, kind, recorded_at, recorded_name) \
         VALUES ({market}, '示市监罚〔2025〕12号', 'revoke', 0, 'x')"
    );
    let e = zwfw_store::db::query(raw.as_str()).execute(app.state.store.pool()).await.expect_err("the key holds");
    let e = zwfw_app::AppError::from(zwfw_store::StoreError::Db(e));
    assert_eq!((e.kind(), e.code()), (zwfw_app::error::Kind::Conflict, "conflict"), "{e:?}");
});
