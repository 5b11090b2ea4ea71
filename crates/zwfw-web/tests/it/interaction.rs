//! Public interaction and ratings through the API, on SQLite and PostgreSQL:
//! routing, deadlines with the controllable clock, publication rules,
//! tracking, flood limits, one rating per stage, the bad-rating follow-up and
//! the appeal.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

async fn act_on_interaction(app: &App, token: &str, id: i64, a: Value) -> (StatusCode, Value) {
    body(app.post(token, &format!("/api/v1/interactions/{id}/actions"), a).await).await
}

const DAY: i64 = 86_400_000;

both_backends!(routing_deadlines_replies_and_publication, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let dc_market = app.department_id("东城区市场监督管理局").await;
    let dongcheng_office = app.department_id("东城区人民政府办公室").await;
    let center = app.department_id("示例市政务服务中心").await;
    let [citizen, reviewer, county, supervisor, land] =
        app.ready_tokens(["demo_citizen", "demo_reviewer", "demo_county", "demo_supervisor", "demo_land"]).await;

    // Anonymous consultation: a mobile number is required, then it goes to the department named.
    let ask = json!({"kind": "consultation", "title": "个体工商户登记需要哪些材料", "content": "请问个体户注册需要带什么？",
        "department_id": market});
    let (s, b) = anon_post(&app, "10.0.0.1", "/api/v1/interactions", ask.clone()).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_interaction")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("手机号码"), "{b}");
    let mut with_mobile = ask.clone();
    with_mobile["mobile"] = json!("13812345678");
    let (s, q1) = anon_post(&app, "10.0.0.1", "/api/v1/interactions", with_mobile).await;
    assert_eq!(s, StatusCode::CREATED, "{q1}");
    assert!(q1["code"].as_str().unwrap().starts_with("ZX20250926"), "{q1}");
    assert_eq!(q1["due"], "2025-10-10");
    assert_eq!(q1["department_name"], "示例市市场监督管理局");
    let q1_id = q1["id"].as_i64().unwrap();

    // A complaint is real-name.
    let complaint = json!({"kind": "complaint", "title": "窗口人员态度差", "content": "办理时被推诿", "department_id": dc_market,
        "accused_unit": "东城区市场监督管理局", "accused_person": "某工作人员", "staff_conduct": true});
    let (s, b) = anon_post(&app, "10.0.0.2", "/api/v1/interactions", complaint.clone()).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("real_name_required")), "{b}");
    // About a county's department: the county government office gets it.
    let (s, c1) = submit_interaction(&app, &citizen, complaint).await;
    assert_eq!(s, StatusCode::CREATED, "{c1}");
    assert_eq!(c1["department_name"], "东城区人民政府办公室");
    let c1_id = c1["id"].as_i64().unwrap();
    // Nothing named: the service centre distributes.
    let (s, e1) = submit_interaction(
        &app,
        &citizen,
        json!({"kind": "correction", "title": "链接失效", "content": "办事指南下载链接打不开"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{e1}");
    let e1_detail = zwfw_store::interaction::get(&app.state.store, e1["id"].as_i64().unwrap()).await.unwrap();
    assert_eq!(e1_detail.department_id, center);

    // The county office assigns the complaint to its department, with a reason.
    let (s, b) = act_on_interaction(
        &app,
        &county,
        c1_id,
        json!({"action": "transfer", "to_department_id": dc_market, "reason": ""}),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_interaction")), "{b}");
    let (s, b) = act_on_interaction(
        &app,
        &county,
        c1_id,
        json!({"action": "transfer", "to_department_id": dongcheng_office, "reason": "r"}),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("interaction_conflict")), "{b}");
    let (s, b) = act_on_interaction(
        &app,
        &county,
        c1_id,
        json!({"action": "transfer", "to_department_id": dc_market, "reason": "属区市场监管局职责"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["actions"], json!([]), "the former department reads, and acts no more");
    let (s, b) = act_on_interaction(&app, &county, c1_id, json!({"action": "extend", "days": 2, "reason": "r"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no longer the county office's: {b}");
    let (s, c1v) = body(app.get(&supervisor, &format!("/api/v1/interactions/{c1_id}")).await).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(c1v["interaction"]["department_id"], dc_market);
    assert!(c1v["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "assigned" && e["reason"] == "属区市场监管局职责"));
    // Complaints about staff conduct reach the supervision bureau's list.
    let (_, conduct) = body(app.get(&supervisor, "/api/v1/interactions?scope=conduct").await).await;
    assert_eq!(conduct["total"], 1, "{conduct}");

    // Only the handling department acts; supervision reads and acts on nothing.
    let reply = json!({"action": "reply", "reply": "需携带身份证原件和经营场所证明。"});
    let (s, _) = act_on_interaction(&app, &land, q1_id, reply.clone()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = act_on_interaction(&app, &supervisor, q1_id, reply.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Unanswered and unpublished: not on the public list, not public.
    assert_eq!(anon_get(&app, &format!("/api/v1/interactions/{q1_id}")).await.0, StatusCode::NOT_FOUND);

    // The submitter's opt-out and the department's recorded reason keep answers off the list.
    let (_, s1) = submit_interaction(
        &app,
        &citizen,
        json!({"kind": "suggestion", "title": "建议延长周六办公时间", "content": "上班族不方便", "department_id": market, "no_publish": true}),
    )
    .await;
    let (_, s2) = submit_interaction(
        &app,
        &citizen,
        json!({"kind": "consultation", "title": "我的营业执照何时发放", "content": "办件编号……", "department_id": market}),
    )
    .await;
    let (s1, s2) = (s1["id"].as_i64().unwrap(), s2["id"].as_i64().unwrap());
    let (_, b) =
        act_on_interaction(&app, &reviewer, s1, json!({"action": "reply", "reply": "已研究，将试行周六上午办公。"}))
            .await;
    assert_eq!(b["interaction"]["publication"], "opted_out");
    let (s, b) = act_on_interaction(
        &app,
        &reviewer,
        s2,
        json!({"action": "reply", "reply": "已于昨日发放。", "withhold_reason": "涉及申请人个人办件信息"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["interaction"]["publication"], "withheld");
    let (_, public) = anon_get(&app, "/api/v1/interactions").await;
    assert_eq!(public["total"], 0, "neither is public: {public}");
    assert_eq!(anon_get(&app, &format!("/api/v1/interactions/{s2}")).await.0, StatusCode::NOT_FOUND);
    // The reason is visible to supervision, not to the submitter.
    let (_, sv) = body(app.get(&supervisor, &format!("/api/v1/interactions/{s2}")).await).await;
    assert_eq!(sv["interaction"]["withhold_reason"], "涉及申请人个人办件信息");
    let (s, mine) = body(app.get(&citizen, &format!("/api/v1/interactions/{s2}")).await).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(mine["interaction"]["withhold_reason"], Value::Null);
    assert_eq!(mine["interaction"]["reply"], "已于昨日发放。");
    // Past the due day the item is overdue; an extension with a reason moves the day.
    app.advance(19 * DAY); // 2025-10-15 (Wednesday): 10-11, 10-13, 10-14, 10-15 are past 10-10
                           // Sessions idle out while the clock moves: sign in again.
    let [reviewer, citizen] = app.ready_tokens(["demo_reviewer", "demo_citizen"]).await;
    let (_, d) = body(app.get(&reviewer, &format!("/api/v1/interactions/{q1_id}")).await).await;
    assert_eq!(d["overdue_days"], 4, "{d}");
    let (_, overdue) = body(app.get(&reviewer, "/api/v1/interactions?scope=department&overdue=true").await).await;
    assert_eq!(overdue["total"], 1, "{overdue}");
    let (s, b) =
        act_on_interaction(&app, &reviewer, q1_id, json!({"action": "extend", "days": 11, "reason": "需核实"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_interaction")), "{b}");
    let (s, b) = act_on_interaction(
        &app,
        &reviewer,
        q1_id,
        json!({"action": "extend", "days": 5, "reason": "需会同登记科核实"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["interaction"]["due"], "2025-10-16");
    assert_eq!(b["overdue_days"], 0);

    // The answer: public by default, and the anonymous submitter is told by SMS (outbox).
    let (s, b) = act_on_interaction(&app, &reviewer, q1_id, reply.clone()).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["interaction"]["publication"], "public");
    let (s, b) = act_on_interaction(&app, &reviewer, q1_id, reply.clone()).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("interaction_conflict")), "answered once");
    assert_eq!(zwfw_store::interaction::pending(&app.state.store, "sms").await.unwrap(), 1);
    let (s, public) = anon_get(&app, "/api/v1/interactions?q=个体户").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(public["total"], 1, "{public}");
    let row = &public["rows"][0];
    assert_eq!(row["reply"], "需携带身份证原件和经营场所证明。");
    assert_eq!(row["mobile"], "", "no personal data on the public list");
    assert_eq!(row["submitter_name"], "匿名");
    let (s, _) = anon_get(&app, &format!("/api/v1/interactions/{q1_id}")).await;
    assert_eq!(s, StatusCode::OK);

    // The submitter follows it with the number and query password.
    let track = |code: Value, pw: &str| json!({"code": code, "password": pw});
    let (s, t) = anon_post(&app, "10.0.0.1", "/api/v1/interactions/track", track(q1["code"].clone(), "WRONG123")).await;
    assert_eq!((s, t["code"].as_str()), (StatusCode::NOT_FOUND, Some("interaction_track_failed")));
    let pw = q1["query_password"].as_str().unwrap();
    let (s, t) = anon_post(&app, "10.0.0.1", "/api/v1/interactions/track", track(q1["code"].clone(), pw)).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["reader"], "submitter");
    assert_eq!(t["interaction"]["state"], "answered");

    // The signed-in submitter got an in-app message for each answer.
    let (_, inbox) = body(app.get(&citizen, "/api/v1/me/notifications").await).await;
    assert_eq!(inbox["unread"], 2, "{inbox}");
    assert_eq!(app.post(&citizen, "/api/v1/me/notifications/read", json!({})).await.status(), StatusCode::NO_CONTENT);
    let (_, inbox) = body(app.get(&citizen, "/api/v1/me/notifications").await).await;
    assert_eq!(inbox["unread"], 0);
    let (_, mine) = body(app.get(&citizen, "/api/v1/interactions?scope=mine").await).await;
    assert_eq!(mine["total"], 4);

    // Every change is in the audit trail, and the chain holds.
    let report = zwfw_store::audit::verify(&app.state.store).await.unwrap();
    assert!(report.defects.is_empty(), "{:?}", report.defects);
    assert_invariants(&app).await;
});

both_backends!(bad_input_floods_and_repeats_change_nothing, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let citizen = app.ready_token("demo_citizen").await;
    let count = || async { zwfw_store::interaction::list(&app.state.store, &Default::default()).await.unwrap().1 };
    let base = json!({"kind": "consultation", "title": "问题", "content": "内容", "mobile": "13900001111"});

    let mut long = base.clone();
    long["title"] = json!("长".repeat(201));
    let (s, b) = anon_post(&app, "10.1.0.1", "/api/v1/interactions", long).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["message"], "标题不能超过200个字");
    let mut bad_kind = base.clone();
    bad_kind["kind"] = json!("praise");
    assert_eq!(anon_post(&app, "10.1.0.1", "/api/v1/interactions", bad_kind).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let mut bad_mobile = base.clone();
    bad_mobile["mobile"] = json!("12345");
    let (s, b) = anon_post(&app, "10.1.0.1", "/api/v1/interactions", bad_mobile).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_mobile")));
    let mut long_complaint = json!({"kind": "complaint", "title": "t", "content": "字".repeat(1001)});
    let (s, b) = submit_interaction(&app, &citizen, long_complaint.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    long_complaint["upload_ids"] = json!([999_999]);
    long_complaint["content"] = json!("c");
    let (s, b) = submit_interaction(&app, &citizen, long_complaint).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_material")), "someone else's upload");
    assert_eq!(count().await, 0, "nothing stored");

    // Script in a title is kept as text: the API returns it as data, pages escape it.
    let mut script = base.clone();
    script["title"] = json!("<script>alert('x')</script>");
    let (s, b) = anon_post(&app, "10.1.0.1", "/api/v1/interactions", script).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let stored = zwfw_store::interaction::get(&app.state.store, b["id"].as_i64().unwrap()).await.unwrap();
    assert_eq!(stored.title, "<script>alert('x')</script>");
    let center = app.ready_token("demo_center").await;
    let page = app.get(&center, &format!("/interact/{}", stored.code)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("&lt;script&gt;alert(") && !html.contains("<script>alert("), "rendered inert");

    // A repeated submit with the same key is one submission.
    let mut keyed = base.clone();
    keyed["idem_key"] = json!("k-123");
    keyed["mobile"] = json!("13900002222");
    let (s1, a) = anon_post(&app, "10.1.0.2", "/api/v1/interactions", keyed.clone()).await;
    let (s2, b) = anon_post(&app, "10.1.0.2", "/api/v1/interactions", keyed).await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::OK));
    assert_eq!(a["code"], b["code"]);
    assert_eq!(b["repeated"], true);
    assert_eq!(b["query_password"], Value::Null, "the password is shown once");
    assert_eq!(count().await, 2);

    // Per mobile number: five an hour.
    for i in 0..4 {
        let (s, b) = anon_post(&app, &format!("10.2.0.{i}"), "/api/v1/interactions", base.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{i}: {b}");
    }
    let (s, b) = anon_post(&app, "10.2.0.9", "/api/v1/interactions", base.clone()).await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"), Some("mobile"))
    );
    // Per client: ten an hour.
    for i in 0..10 {
        let mut m = base.clone();
        m["mobile"] = json!(format!("1370000{i:04}"));
        let (s, b) = anon_post(&app, "10.3.0.1", "/api/v1/interactions", m).await;
        assert_eq!(s, StatusCode::CREATED, "{i}: {b}");
    }
    let mut m = base.clone();
    m["mobile"] = json!("13600000000");
    let (s, b) = anon_post(&app, "10.3.0.1", "/api/v1/interactions", m.clone()).await;
    assert_eq!((s, b["detail"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("client")));
    assert_eq!(count().await, 16);
    // An hour later the client may write again.
    app.advance(3_600_001);
    assert_eq!(anon_post(&app, "10.3.0.1", "/api/v1/interactions", m).await.0, StatusCode::CREATED);
});

both_backends!(limits_and_handlers_are_configured_and_recorded, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let [center, head, reviewer, citizen] =
        app.ready_tokens(["demo_center", "demo_head", "demo_reviewer", "demo_citizen"]).await;

    // Limits per kind, set by a global administrator with a reason.
    let (s, _) =
        body(app.put(&head, "/api/v1/interaction-limits/complaint", json!({"days": 10, "reason": "r"})).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) =
        body(app.put(&center, "/api/v1/interaction-limits/complaint", json!({"days": 0, "reason": "r"})).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let r =
        app.put(&center, "/api/v1/interaction-limits/complaint", json!({"days": 10, "reason": "市政府办通知"})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, c) = submit_interaction(
        &app,
        &citizen,
        json!({"kind": "complaint", "title": "t", "content": "c", "department_id": market}),
    )
    .await;
    // 10 working days from Friday 2025-09-26: 10-16 (make-up days 09-28 and 10-11 count).
    assert_eq!(c["due"], "2025-10-16", "{c}");

    // Handlers (第七条): named by the head, with a mobile number; a change ends the old row.
    let reviewer_id = app.user_id("demo_reviewer").await;
    let land_user = app.user_id("demo_land").await;
    let path = format!("/api/v1/departments/{market}/interaction-handlers");
    let (s, b) = body(
        app.post(&reviewer, &path, json!({"user_id": reviewer_id, "duty": "staff", "mobile": "13900000005"})).await,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) =
        body(app.post(&head, &path, json!({"user_id": land_user, "duty": "staff", "mobile": "13900000009"})).await)
            .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_handler")));
    let (s, h) =
        body(app.post(&head, &path, json!({"user_id": reviewer_id, "duty": "staff", "mobile": "13900000005"})).await)
            .await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    let (s, _) =
        body(app.post(&head, &path, json!({"user_id": reviewer_id, "duty": "staff", "mobile": "13900000005"})).await)
            .await;
    assert_eq!(s, StatusCode::CONFLICT, "named once");
    // A new submission notifies the named handler.
    submit_interaction(
        &app,
        &citizen,
        json!({"kind": "consultation", "title": "问", "content": "内容", "department_id": market}),
    )
    .await;
    let (_, inbox) = body(app.get(&reviewer, "/api/v1/me/notifications").await).await;
    assert_eq!(inbox["unread"], 1, "{inbox}");
    // Its link opens the submission's page.
    let link = inbox["messages"][0]["link"].as_str().unwrap().to_string();
    assert!(link.starts_with("/interact/"), "{link}");
    let (s, html) = page(&signed(&reviewer), &app, &link).await;
    assert_eq!(s, StatusCode::OK, "{link}");
    assert!(html.contains("内容"), "{link}");
    let end = format!("{path}/{}/end", h["id"]);
    let (s, _) = body(app.post(&head, &end, json!({"reason": ""})).await).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(app.post(&head, &end, json!({"reason": "岗位调整"})).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.post(&head, &end, json!({"reason": "岗位调整"})).await.status(), StatusCode::NOT_FOUND);
    let (_, list) = body(app.get(&head, &path).await).await;
    assert_eq!(list[0]["end_reason"], "岗位调整", "{list}");
});

/// A case of demo_citizen taken through acceptance, three steps and a grant.
async fn granted_case(app: &App) -> (i64, String) {
    let (_, item) = market_item(app, "TESTRATE00000000000000000000001").await;
    let [citizen, counter, reviewer, head] =
        app.ready_tokens(["demo_citizen", "demo_counter", "demo_reviewer", "demo_head"]).await;
    let id = apply(app, &citizen, item).await;
    for (who, a) in [
        (&counter, json!({"action": "accept"})),
        (&counter, json!({"action": "pass", "opinion": "材料齐全"})),
        (&reviewer, json!({"action": "pass", "opinion": "审查通过"})),
        (&head, json!({"action": "pass", "opinion": "同意"})),
        (
            &head,
            json!({"action": "conclude", "outcome": "granted", "document_no": "JY1529900000009", "valid_until": "2031-11-30"}),
        ),
    ] {
        act_ok(app, who, id, a).await;
    }
    (id, "demo_citizen".into())
}

both_backends!(ratings_one_per_stage_follow_up_and_appeal, |store: Store| async move {
    let app = App::start(store).await;
    let (case_id, username) = granted_case(&app).await;
    let case = zwfw_store::cases::get_case(&app.state.store, case_id).await.unwrap();
    let dept = case.department_id;
    let applicant = app.ready_token(&username).await;
    let supervisor = app.ready_token("demo_supervisor").await;
    let other = app.ready_token(if username == "demo_elder" { "demo_citizen" } else { "demo_elder" }).await;
    let path = format!("/api/v1/cases/{case_id}/ratings");

    // Only the applicant rates online; bad input changes nothing.
    let good = json!({"stage": "acceptance", "level": 1, "channel": "mobile"});
    assert_eq!(app.post(&other, &path, good.clone()).await.status(), StatusCode::NOT_FOUND);
    let (s, b) = body(app.post(&applicant, &path, json!({"stage": "acceptance", "level": 6})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_rating")), "{b}");
    let (s, b) =
        body(app.post(&applicant, &path, json!({"stage": "acceptance", "level": 2, "channel": "phone"})).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, r1) = body(app.post(&applicant, &path, good.clone()).await).await;
    assert_eq!(s, StatusCode::CREATED, "{r1}");
    assert_eq!(r1["follow_up"], Value::Null, "a good rating opens nothing");
    let (s, b) = body(app.post(&applicant, &path, json!({"stage": "acceptance", "level": 5})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("already_rated")), "{b}");
    assert_eq!(zwfw_store::rating::of_case(&app.state.store, case_id).await.unwrap().len(), 1);

    // 非常不满意 at conclusion opens a follow-up with a due day.
    let (s, r2) = body(
        app.post(
            &applicant,
            &path,
            json!({"stage": "conclusion", "level": 5, "channel": "pc", "comment": "<b>等了很久</b>"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r2}");
    assert_eq!(r2["follow_up"], "open");
    assert!(r2["follow_up_due"].is_string());
    assert_eq!(r2["comment"], "<b>等了很久</b>");
    let rid = r2["id"].as_i64().unwrap();
    let actions = format!("/api/v1/ratings/{rid}/actions");

    // Staff of the rated department follow up: call back first, then reply; supervision cannot.
    let staff = zwfw_store::admin::list_staff(&app.state.store, Some(dept)).await.unwrap();
    use zwfw_domain::admin::Role;
    let worker = staff
        .iter()
        .find(|u| {
            (u.roles.contains(&Role::Reviewer) || u.roles.contains(&Role::Counter))
                && !u.roles.contains(&Role::DeptHead)
        })
        .unwrap();
    let worker_token = app.ready_token(&worker.username).await;
    let reply = json!({"action": "reply", "verification": "情况属实", "rectification": "已优化流程", "reply": "已整改，感谢监督"});
    let (s, b) = body(app.post(&worker_token, &actions, reply.clone()).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("rating_conflict")), "call back first: {b}");
    let (s, _) = body(app.post(&supervisor, &actions, json!({"action": "call_back", "note": "x"})).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) =
        body(app.post(&worker_token, &actions, json!({"action": "call_back", "note": "已电话回访申请人"})).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["follow_up"], "called_back");
    let (_, public) = anon_get(&app, "/api/v1/ratings/public").await;
    assert_eq!(public.as_array().unwrap().len(), 0, "not published before the reply");
    let (s, b) = body(app.post(&worker_token, &actions, reply).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["follow_up"], "replied");
    // The outcome is published, without the rater's name.
    let (_, public) = anon_get(&app, "/api/v1/ratings/public").await;
    let p = &public[0];
    assert_eq!(p["reply"], "已整改，感谢监督");
    assert_ne!(p["rater"], case.applicant_name);
    // The rater is told.
    let (_, inbox) = body(app.get(&applicant, "/api/v1/me/notifications").await).await;
    assert!(inbox["messages"].as_array().unwrap().iter().any(|m| m["link"] == format!("/ratings/{rid}")), "{inbox}");

    // The department head appeals once; supervision decides once.
    let head = staff.iter().find(|u| u.roles.contains(&Role::DeptHead)).expect("the department has a head");
    {
        let head_token = app.ready_token(&head.username).await;
        let (s, _) = body(app.post(&worker_token, &actions, json!({"action": "appeal", "reason": "x"})).await).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "only the head appeals");
        let (s, b) =
            body(app.post(&head_token, &actions, json!({"action": "appeal", "reason": "评价人误选"})).await).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, _) = body(app.post(&head_token, &actions, json!({"action": "appeal", "reason": "again"})).await).await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (_, queue) = body(app.get(&supervisor, "/api/v1/ratings?scope=appeals").await).await;
        assert_eq!(queue.as_array().unwrap().len(), 1);
        // No decision is preset: without a choice the decision is refused, nothing changed.
        let (s, b) =
            body(app.post(&supervisor, &actions, json!({"action": "decide_appeal", "reason": "评价与事实相符"})).await)
                .await;
        assert_eq!(
            (s, b["code"].as_str(), b["detail"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_field"), Some("uphold")),
            "{b}"
        );
        assert!(b["message"].as_str().unwrap().contains("请选择一项"), "{b}");
        let (s, b) = body(
            app.post(
                &supervisor,
                &actions,
                json!({"action": "decide_appeal", "uphold": false, "reason": "评价与事实相符"}),
            )
            .await,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["appeal"], "rejected");
        let (s, _) = body(
            app.post(&supervisor, &actions, json!({"action": "decide_appeal", "uphold": true, "reason": "r"})).await,
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT);
    }

    // The counter's QR code: a link that rates without signing in, once per stage.
    let counter = staff.iter().find(|u| u.roles.contains(&zwfw_domain::admin::Role::Counter)).unwrap();
    let counter_token = app.ready_token(&counter.username).await;
    let (s, link) =
        body(app.post(&counter_token, &format!("/api/v1/cases/{case_id}/rating-link"), json!({})).await).await;
    assert_eq!(s, StatusCode::CREATED, "{link}");
    let token = link["path"].as_str().unwrap().trim_start_matches("/rate/").to_string();
    let (s, b) =
        anon_post(&app, "10.9.0.1", &format!("/api/v1/rate/{token}"), json!({"stage": "conclusion", "level": 1})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("already_rated")));
    let (s, b) =
        anon_post(&app, "10.9.0.1", "/api/v1/rate/nosuchtoken", json!({"stage": "conclusion", "level": 1})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("rating_link_invalid")));
    let report = zwfw_store::audit::verify(&app.state.store).await.unwrap();
    assert!(report.defects.is_empty(), "{:?}", report.defects);
});

both_backends!(ratings_wait_for_their_stage_and_qr_links_rate, |store: Store| async move {
    let app = App::start(store).await;
    let item = joint_item(&app).await;
    let [citizen, counter] = app.ready_tokens(["demo_citizen", "demo_counter"]).await;
    let id = apply(&app, &citizen, item).await;
    let path = format!("/api/v1/cases/{id}/ratings");
    let (s, b) = body(app.post(&citizen, &path, json!({"stage": "acceptance", "level": 1})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("rating_conflict")), "not yet accepted: {b}");
    let (s, b) = body(
        app.post(&counter, &format!("/api/v1/cases/{id}/actions"), json!({"action": "accept", "opinion": "材料齐全"}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = body(app.post(&citizen, &path, json!({"stage": "conclusion", "level": 1})).await).await;
    assert_eq!(s, StatusCode::CONFLICT, "not concluded: {b}");
    // At the counter: a QR link rates the acceptance (channel qr_code), once.
    let (_, link) = body(app.post(&counter, &format!("/api/v1/cases/{id}/rating-link"), json!({})).await).await;
    let rate = app.url(&format!("/api/v1{}", link["path"].as_str().unwrap()));
    let r = client()
        .post(&rate)
        .json(&json!({"stage": "acceptance", "level": 4, "comment": "排队时间长"}))
        .send()
        .await
        .unwrap();
    let (s, b) = body(r).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!((b["channel"].as_str(), b["follow_up"].as_str()), (Some("qr_code"), Some("open")));
    let r = client().post(&rate).json(&json!({"stage": "acceptance", "level": 1})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // Staff record a rating given by phone only through staff channels, and only for their department's cases.
    let land = app.ready_token("demo_land").await;
    let (s, _) =
        body(app.post(&land, &path, json!({"stage": "conclusion", "level": 1, "channel": "phone"})).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The link expires after seven days.
    app.advance(8 * DAY);
    let r = client().post(&rate).json(&json!({"stage": "conclusion", "level": 1})).send().await.unwrap();
    assert_eq!(code_of(r).await, (StatusCode::NOT_FOUND, "rating_link_invalid".to_string()));
});

both_backends!(attachments_are_shown_to_those_who_may_read_them, |store: Store| async move {
    let app = App::start(store).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let citizen = signed(&app.ready_token("demo_citizen").await);
    let head = signed(&app.ready_token("demo_head").await);
    let land = signed(&app.ready_token("demo_land").await);
    let html = citizen.get(app.url("/interact/new?kind=complaint")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&html);
    let form = reqwest::multipart::Form::new()
        .text("kind", "complaint")
        .text("title", "营业执照办理超时")
        .text("content", "窗口称材料不全，但未一次性告知")
        .text("department_id", market.to_string())
        .part("attachment", pdf_part("受理回执.pdf"));
    let r = citizen.post(app.url(&format!("/interact/new?_csrf={csrf}"))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (rows, _) = zwfw_store::interaction::list(
        &app.state.store,
        &zwfw_store::interaction::Filter { limit: 1, ..Default::default() },
    )
    .await
    .unwrap();
    let row = &rows[0];
    let sm3 = row.attachments[0]["sm3"].as_str().unwrap().to_string();
    let page = citizen.get(app.url(&format!("/interact/{}", row.code))).send().await.unwrap().text().await.unwrap();
    let link = format!("/interact/{}/files/{sm3}", row.code);
    assert!(page.contains(&link), "the submitter sees the link");
    for (who, c, want) in [("submitter", &citizen, StatusCode::OK), ("handling department", &head, StatusCode::OK)] {
        let r = c.get(app.url(&link)).send().await.unwrap();
        assert_eq!(r.status(), want, "{who}");
        assert_eq!(r.bytes().await.unwrap().as_ref(), PDF, "{who}");
    }
    let r = land.get(app.url(&link)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "another department");
    let r = client().get(app.url(&link)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "the public");
});

both_backends!(handler_and_limit_pages, |store: Store| async move {
    let app = App::start(store).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let head = signed(&app.ready_token("demo_head").await);
    let counter = signed(&app.ready_token("demo_counter").await);
    let admin = signed(&app.ready_token("demo_admin").await);
    let counter_id = app.user_id("demo_counter").await;
    let land_user = app.user_id("demo_land").await;

    // The head names the counter officer; a wrong number or a person of another department is refused in Chinese.
    let (s, html) = page(&head, &app, "/work/interactions/handlers").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("本部门尚未指定留言办理人") && html.contains("指定办理人"), "{html}");
    let csrf = csrf_of(&html);
    let form = |user: i64, mobile: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("action", "add".into()),
            ("department_id", market.to_string()),
            ("user_id", user.to_string()),
            ("duty", "lead".into()),
            ("mobile", mobile.into()),
        ]
    };
    let r = head.post(app.url("/work/interactions/handlers")).form(&form(counter_id, "1381234")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("手机号码应为11位"));
    let r =
        head.post(app.url("/work/interactions/handlers")).form(&form(land_user, "13812345678")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("只能指定本部门的工作人员"));
    let r =
        head.post(app.url("/work/interactions/handlers")).form(&form(counter_id, "13812345678")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) =
        page(&head, &app, &format!("/work/interactions/handlers?department_id={market}&done=handler_added")).await;
    assert!(html.contains("已指定留言办理人") && html.contains("13812345678") && html.contains("在岗"), "{html}");
    let (_, list) = body(
        app.get(&app.signed_in("demo_head").await, &format!("/api/v1/departments/{market}/interaction-handlers")).await,
    )
    .await;
    let hid = list[0]["id"].as_i64().unwrap();

    // Staff without the right read, cannot change; nobody reads another department's by changing the address.
    let (s, html) = page(&counter, &app, "/work/interactions/handlers").await;
    assert!(s == StatusCode::OK && html.contains("李娜") && !html.contains("指定办理人"), "{html}");
    // Their mobiles masked for who may not name them, by page and API.
    assert!(html.contains("138****5678") && !html.contains("13812345678"), "{html}");
    let (_, list) = body(
        app.get(&app.signed_in("demo_counter").await, &format!("/api/v1/departments/{market}/interaction-handlers"))
            .await,
    )
    .await;
    assert_eq!(list[0]["mobile"], "138****5678", "{list}");
    let land = app.department_id("示例市自然资源局").await;
    let (s, _) = page(&counter, &app, &format!("/work/interactions/handlers?department_id={land}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let csrf_c = csrf_of(&page(&counter, &app, "/work/interactions/handlers").await.1);
    let r = counter
        .post(app.url("/work/interactions/handlers"))
        .form(&[
            ("_csrf", csrf_c.as_str()),
            ("action", "end"),
            ("department_id", &market.to_string()),
            ("handler_id", &hid.to_string()),
            ("reason", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The head ends it with a reason; the record stays.
    let end = |reason: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("action", "end".into()),
            ("department_id", market.to_string()),
            ("handler_id", hid.to_string()),
            ("reason", reason.into()),
        ]
    };
    let r = head.post(app.url("/work/interactions/handlers")).form(&end(" ")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = head.post(app.url("/work/interactions/handlers")).form(&end("岗位调整")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&head, &app, "/work/interactions/handlers").await;
    assert!(html.contains("撤销（岗位调整）"), "{html}");

    // Limits: shown to staff, set by global administrators only, within 1–60 working days.
    assert!(html.contains("5 个工作日") && !html.contains("name=\"days\""), "{html}");
    let (_, html) = page(&admin, &app, &format!("/work/interactions/handlers?department_id={market}")).await;
    let csrf_a = csrf_of(&html);
    let limit = |days: &'static str| {
        vec![
            ("_csrf", csrf_a.clone()),
            ("action", "limit".into()),
            ("kind", "complaint".into()),
            ("days", days.into()),
            ("reason", "市政府办通知".into()),
        ]
    };
    let r = admin.post(app.url("/work/interactions/handlers")).form(&limit("61")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("办理时限应为1至60个工作日"));
    let r = admin.post(app.url("/work/interactions/handlers")).form(&limit("10")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, limits) = anon_get(&app, "/api/v1/interaction-limits").await;
    assert!(limits.as_array().unwrap().iter().any(|l| l["kind"] == "complaint" && l["days"] == 10), "{limits}");
});

/// A stand-in for the city's SMS gateway: records each request (its JSON and
/// Authorization header) and answers with the status the test sets.
struct Gateway {
    url: String,
    seen: std::sync::Arc<std::sync::Mutex<Vec<(Value, String)>>>,
    status: std::sync::Arc<std::sync::atomic::AtomicU16>,
}

async fn gateway() -> Gateway {
    use axum::{extract::State, http::HeaderMap, routing::post, Json, Router};
    type Shared =
        (std::sync::Arc<std::sync::Mutex<Vec<(Value, String)>>>, std::sync::Arc<std::sync::atomic::AtomicU16>);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let status = std::sync::Arc::new(std::sync::atomic::AtomicU16::new(200));
    async fn send(
        State((seen, status)): State<Shared>,
        h: HeaderMap,
        Json(b): Json<Value>,
    ) -> (axum::http::StatusCode, String) {
        let auth = h.get("authorization").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        seen.lock().unwrap().push((b, auth));
        let code = status.load(std::sync::atomic::Ordering::SeqCst);
        (axum::http::StatusCode::from_u16(code).unwrap(), if code == 200 { "ok".into() } else { "gateway busy".into() })
    }
    let app = Router::new().route("/send", post(send)).with_state((seen.clone(), status.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Gateway { url, seen, status }
}

both_backends!(sms_sender_delivers_retries_and_gives_up, |store: Store| async move {
    use std::sync::atomic::Ordering;
    use zwfw_app::outbox::sms::{send_due, SmsConfig};
    use zwfw_app::outbox::SendReport;
    let gw = gateway().await;
    let sms = SmsConfig {
        url: gw.url.clone(),
        token: Some("gw-token".into()),
        signature: "示例市政务服务".into(),
        link_base: "https://zwfw.example.cn".into(),
        timeout_ms: 5_000,
    };
    let app = App::start_with_sms(store, FRIDAY, sms).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let [reviewer, admin] = app.ready_tokens(["demo_reviewer", "demo_admin"]).await;
    let ask = |mobile: &str, title: &str| json!({"kind": "consultation", "title": title, "content": "请问需要带什么材料？", "department_id": market, "mobile": mobile});
    let reply = json!({"action": "reply", "reply": "请携带身份证原件。"});

    // Nothing to send yet.
    assert_eq!(send_due(&app.state).await.unwrap(), SendReport::default());
    let (s, q1) = anon_post(&app, "10.0.1.1", "/api/v1/interactions", ask("13812345678", "个体户登记")).await;
    assert_eq!(s, StatusCode::CREATED, "{q1}");
    let q1_code = q1["code"].as_str().unwrap().to_string();
    let (s, b) = act_on_interaction(&app, &reviewer, q1["id"].as_i64().unwrap(), reply.clone()).await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // The gateway is down: the try is counted, the error kept, the message waits a minute.
    gw.status.store(503, Ordering::SeqCst);
    assert_eq!(send_due(&app.state).await.unwrap(), SendReport { sent: 0, failed: 1, given_up: 0 });
    let (s, ob) = body(app.get(&admin, "/api/v1/admin/outbox?state=waiting").await).await;
    assert_eq!(s, StatusCode::OK, "{ob}");
    assert_eq!(ob["gateway"], true);
    assert_eq!(ob["counts"], json!({"waiting": 1, "sent": 0, "failed": 0}));
    let m = &ob["messages"][0];
    assert_eq!((m["attempts"].as_i64(), m["last_error"].as_str()), (Some(1), Some("HTTP 503: gateway busy")), "{m}");
    assert_eq!(m["recipient"], "138****5678");
    assert!(!ob.to_string().contains("13812345678"), "the number is masked: {ob}");
    assert_eq!(send_due(&app.state).await.unwrap(), SendReport::default(), "not before its next try");
    // A minute later the gateway is back: sent, with the same id as the first try.
    gw.status.store(200, Ordering::SeqCst);
    app.advance(60_000);
    assert_eq!(send_due(&app.state).await.unwrap(), SendReport { sent: 1, failed: 0, given_up: 0 });
    assert_eq!(send_due(&app.state).await.unwrap(), SendReport::default(), "sent once");
    {
        let seen = gw.seen.lock().unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].0["id"], seen[1].0["id"], "a gateway can drop a repeat by its id");
        let (b, auth) = &seen[1];
        assert_eq!(auth, "Bearer gw-token");
        assert_eq!(b["mobile"], "13812345678");
        assert_eq!(
            b["content"],
            format!("【示例市政务服务】您的留言 {q1_code} 已答复：个体户登记 详见 https://zwfw.example.cn/interact/{q1_code}")
        );
    }
    assert_eq!(zwfw_store::interaction::pending(&app.state.store, "sms").await.unwrap(), 0);

    // Two servers sending at once: the gateway gets each message once.
    let (s, q2) = anon_post(&app, "10.0.1.2", "/api/v1/interactions", ask("13900001111", "食品经营许可")).await;
    assert_eq!(s, StatusCode::CREATED, "{q2}");
    act_on_interaction(&app, &reviewer, q2["id"].as_i64().unwrap(), reply.clone()).await;
    let (a, b) = tokio::join!(send_due(&app.state), send_due(&app.state));
    assert_eq!(a.unwrap().sent + b.unwrap().sent, 1);
    assert_eq!(gw.seen.lock().unwrap().len(), 3);

    // A gateway that keeps refusing: tried 8 times over about two hours, then given up.
    let (s, q3) = anon_post(&app, "10.0.1.3", "/api/v1/interactions", ask("13700002222", "药品经营许可")).await;
    assert_eq!(s, StatusCode::CREATED, "{q3}");
    act_on_interaction(&app, &reviewer, q3["id"].as_i64().unwrap(), reply.clone()).await;
    gw.status.store(500, Ordering::SeqCst);
    for n in 0..8 {
        let r = send_due(&app.state).await.unwrap();
        assert_eq!((r.failed, r.given_up), (1, u32::from(n == 7)), "try {}", n + 1);
        app.advance(60_000 << n);
    }
    assert_eq!(send_due(&app.state).await.unwrap(), SendReport::default(), "no ninth try");
    assert_eq!(gw.seen.lock().unwrap().len(), 11);
    let admin = app.signed_in("demo_admin").await;
    let reviewer = app.signed_in("demo_reviewer").await;
    let (_, ob) = body(app.get(&admin, "/api/v1/admin/outbox?state=failed").await).await;
    assert_eq!(ob["counts"], json!({"waiting": 0, "sent": 2, "failed": 1}), "{ob}");
    let failed = &ob["messages"][0];
    assert_eq!((failed["attempts"].as_i64(), failed["state"].as_str()), (Some(8), Some("failed")), "{failed}");
    let id = failed["id"].as_i64().unwrap();

    // Sending again: administrators only, with a reason, audited, once.
    let path = format!("/api/v1/admin/outbox/{id}/retry");
    let (s, _) = body(app.post(&reviewer, &path, json!({"reason": "网关已恢复"})).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&reviewer, "/api/v1/admin/outbox").await.status(), StatusCode::FORBIDDEN);
    let (s, b) = body(app.post(&admin, &path, json!({"reason": " "})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("reason_required")), "{b}");
    let (s, b) = body(app.get(&admin, "/api/v1/admin/outbox?state=lost").await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(app.post(&admin, &path, json!({"reason": "网关已恢复"})).await.status(), StatusCode::NO_CONTENT);
    let (s, b) = body(app.post(&admin, &path, json!({"reason": "网关已恢复"})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("not_given_up")), "{b}");
    let (s, _) = body(app.post(&admin, "/api/v1/admin/outbox/999999/retry", json!({"reason": "x"})).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let trail = zwfw_store::audit::list(&app.state.store, &Default::default()).await.unwrap();
    let rec = trail.iter().find(|r| r.entry.action == "sms_retry").expect("audited");
    assert_eq!((rec.entry.object_id.as_str(), rec.entry.reason.as_str()), (id.to_string().as_str(), "网关已恢复"));
    assert!(
        rec.entry.detail.contains("137****2222") && !rec.entry.detail.contains("13700002222"),
        "{}",
        rec.entry.detail
    );
    gw.status.store(200, Ordering::SeqCst);
    assert_eq!(send_due(&app.state).await.unwrap().sent, 1);

    // The page: counts, masked numbers, the resend form; forbidden to others.
    let page = signed(&admin).get(app.url("/admin/outbox?state=sent")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("消息发送") && page.contains("139****1111") && !page.contains("13900001111"), "{page}");
    assert!(page.contains(r#"id="n-sent">3<"#), "{page}");
    let page = signed(&reviewer).get(app.url("/admin/outbox")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert_invariants(&app).await;
});

both_backends!(handlers_of_a_county_at_a_glance, |store: Store| async move {
    let app = App::start(store).await;
    let regions = zwfw_store::admin::list_regions(&app.state.store).await.unwrap();
    let region = |name: &str| regions.iter().find(|r| r.name == name).unwrap().id;
    let (dongcheng, xishan, city) = (region("东城区"), region("西山县"), region("示例市"));
    let office = app.department_id("东城区人民政府办公室").await;
    let dc_market = app.department_id("东城区市场监督管理局").await;
    let [supervisor, county, reviewer, admin] =
        app.ready_tokens(["demo_supervisor", "demo_county", "demo_reviewer", "demo_admin"]).await;
    let path = |r: i64| format!("/api/v1/regions/{r}/interaction-handlers");

    // The county's departments, its government office first; nobody named yet.
    let (s, v) = body(app.get(&supervisor, &path(dongcheng)).await).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["region_name"], "东城区");
    let depts = v["departments"].as_array().unwrap();
    assert_eq!(depts[0]["department_id"], office);
    assert_eq!(depts[0]["county_office"], true);
    assert!(depts.iter().any(|d| d["department_id"] == dc_market), "{v}");
    assert!(depts.iter().all(|d| d["department_name"].as_str().unwrap().starts_with("东城")), "only the county's: {v}");
    let none_named = v["without_handlers"].as_u64().unwrap();
    assert_eq!(none_named as usize, depts.len());

    // A lead named in the county's market bureau shows at once; ended ones do not.
    let new_staff =
        json!({"username": "dc_handler", "display_name": "陈晨", "department_id": dc_market, "roles": ["reviewer"]});
    let (s, b) = body(app.post(&admin, "/api/v1/staff", new_staff).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let dc_staff = app.user_id("dc_handler").await;
    let (s, b) = body(
        app.post(
            &admin,
            &format!("/api/v1/departments/{dc_market}/interaction-handlers"),
            json!({"user_id": dc_staff, "duty": "lead", "mobile": "13955556666"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (_, v) = body(app.get(&county, &path(dongcheng)).await).await;
    assert_eq!(v["without_handlers"].as_u64().unwrap(), none_named - 1, "{v}");
    let market = v["departments"].as_array().unwrap().iter().find(|d| d["department_id"] == dc_market).unwrap().clone();
    assert_eq!(market["has_lead"], true);
    assert_eq!(market["handlers"][0]["mobile"], "13955556666");
    let hid = market["handlers"][0]["id"].as_i64().unwrap();
    let r = app
        .post(
            &admin,
            &format!("/api/v1/departments/{dc_market}/interaction-handlers/{hid}/end"),
            json!({"reason": "调岗"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, v) = body(app.get(&county, &path(dongcheng)).await).await;
    assert_eq!(v["without_handlers"].as_u64().unwrap(), none_named, "{v}");

    // The county office reads its own county only; a city bureau none; the city is the city's departments.
    assert_eq!(app.get(&county, &path(xishan)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&reviewer, &path(dongcheng)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&supervisor, &path(999_999)).await.status(), StatusCode::NOT_FOUND);
    let (_, v) = body(app.get(&supervisor, &path(city)).await).await;
    let names: Vec<_> = v["departments"].as_array().unwrap().iter().map(|d| d["department_name"].clone()).collect();
    assert!(names.contains(&json!("示例市市场监督管理局")) && !names.contains(&json!("东城区市场监督管理局")), "{v}");

    // The page: the chooser and the table, for the county office.
    let html = signed(&county)
        .get(app.url(&format!("/work/interactions/handlers?region_id={dongcheng}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("东城区各部门留言办理人") && html.contains("未指定办理人"), "{html}");
    assert!(html.contains("东城区人民政府办公室</a>（统筹交办）"), "{html}");
    let r =
        signed(&county).get(app.url(&format!("/work/interactions/handlers?region_id={xishan}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html =
        signed(&reviewer).get(app.url("/work/interactions/handlers")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("按区县查看"), "a city bureau has no county to look at");
    assert_invariants(&app).await;
});

both_backends!(the_rating_form_presets_no_level, |store: Store| async move {
    let app = App::start(store).await;
    let (case_id, username) = granted_case(&app).await;
    let applicant = app.ready_token(&username).await;
    let browser = signed(&applicant);
    let (s, html) = page(&browser, &app, &format!("/cases/{case_id}")).await;
    assert_eq!(s, StatusCode::OK);
    let form = between(&html, "class=\"card rate\"", "</form>");
    assert!(form.contains("name=\"level\" value=\"1\" required"), "{form}");
    assert!(!form.contains("checked"), "{form}");
    // Sent without a level, the page asks for one in words; nothing is recorded.
    let stage = between(&form, "name=\"stage\" value=\"", "\"");
    let csrf = csrf_of(&html);
    let r = browser
        .post(app.url(&format!("/cases/{case_id}/rate")))
        .form(&[("_csrf", csrf.as_str()), ("stage", stage.as_str()), ("comment", "")])
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    assert!(status.is_client_error(), "{status}");
    assert!(text.contains("请选择满意度"), "{text}");
    let r = browser
        .post(app.url(&format!("/cases/{case_id}/rate")))
        .form(&[("_csrf", csrf.as_str()), ("stage", stage.as_str()), ("level", "2"), ("comment", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the stage is still to be rated");
});

both_backends!(an_upheld_appeal_closes_the_follow_up_and_no_a08_follows, |store: Store| async move {
    let app = App::start_at(store, "2026-11-02T09:00:00+08:00").await;
    let (case_id, username) = granted_case(&app).await;
    let [applicant, head, supervisor] = app.ready_tokens([username.as_str(), "demo_head", "demo_supervisor"]).await;
    let path = format!("/api/v1/cases/{case_id}/ratings");
    // Two bad ratings: the one of 受理 stands, the one of 办结 is appealed.
    let mut ids = vec![];
    for (stage, level) in [("acceptance", 4), ("conclusion", 5)] {
        let (s, r) =
            body(app.post(&applicant, &path, json!({"stage": stage, "level": level, "channel": "pc"})).await).await;
        assert_eq!((s, r["follow_up"].as_str()), (StatusCode::CREATED, Some("open")), "{r}");
        ids.push(r["id"].as_i64().unwrap());
    }
    let (stands, appealed) = (ids[0], ids[1]);
    let actions = format!("/api/v1/ratings/{appealed}/actions");
    let (s, b) = body(app.post(&head, &actions, json!({"action": "appeal", "reason": "评价人误选"})).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = body(
        app.post(&supervisor, &actions, json!({"action": "decide_appeal", "uphold": true, "reason": "经核实属误评"}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!((b["appeal"].as_str(), b["follow_up"].as_str()), (Some("upheld"), Some("closed")), "{b}");
    // Nothing is owed for it any more: no call-back, no reply.
    let (s, b) = body(app.post(&head, &actions, json!({"action": "call_back", "note": "已回访"})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("rating_conflict")), "{b}");
    let (s, html) = page(&signed(&head), &app, &format!("/ratings/{appealed}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("申诉成立，无需整改"), "{html}");

    // Past both due days, only the follow-up that stands is overdue (A08).
    day(&app, "2026-11-30").await;
    let sup = app.signed_in("demo_supervisor").await;
    let (_, a08) = body(app.get(&sup, "/api/v1/supervision/findings?rule=A08").await).await;
    let on = |id: i64| {
        a08["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["object_kind"] == "rating" && f["object_id"].as_i64() == Some(id))
    };
    assert!(on(stands), "the follow-up not appealed is overdue: {a08}");
    assert!(!on(appealed), "an upheld appeal raises no finding: {a08}");
    assert_invariants(&app).await;
});
