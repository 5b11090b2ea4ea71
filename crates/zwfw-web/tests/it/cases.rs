//! Case handling through the API, on SQLite and PostgreSQL: application,
//! supplement, acceptance, steps with joint review, conclusion, documents,
//! refusals of illegal actions, concurrency and repeats.

mod drafts;
mod pages;
mod track;

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_domain::catalog::example;
use zwfw_store::{both_backends, Store};

/// The applicant's view of a case names no officer: every staff event shows
/// 工作人员, and neither the row nor the event it records gives the
/// officer's account.
fn assert_staff_unnamed(case: &Value) {
    for e in case["events"].as_array().unwrap() {
        if e["role"].is_string() {
            assert_eq!(e["actor_name"], "工作人员", "{e}");
            assert!(e["actor_id"].is_null() && e["body"]["actor_id"].is_null(), "{e}");
        }
    }
}

both_backends!(case_lifecycle_with_supplement_joint_review_and_grant, |store: Store| async move {
    let app = App::start(store).await;
    let item = joint_item(&app).await;
    let [citizen, counter, reviewer, head, land, company] = app
        .ready_tokens(["demo_citizen", "demo_counter", "demo_reviewer", "demo_head", "demo_land", "demo_company"])
        .await;

    // Uploads are checked by content.
    let (s, b) = upload(&app, &citizen, b"MZ\x90\x00 not a pdf", "营业执照.pdf").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_upload")), "{b}");
    let (s, up) = upload(&app, &citizen, PDF, "申请书.pdf").await;
    assert_eq!(s, StatusCode::CREATED, "{up}");
    let up_id = up["id"].as_i64().unwrap();

    // A required material missing, or someone else's upload: refused, nothing stored.
    let (s, b) = body(
        app.post(&citizen, &format!("/api/v1/items/{item}/applications"), json!({"form": {"申请事项": "新办"}})).await,
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("materials_missing")), "{b}");
    assert!(b["message"].as_str().unwrap().starts_with("缺少必备材料："), "{b}");
    let (s, b) = body(
        app.post(
            &company,
            &format!("/api/v1/items/{item}/applications"),
            json!({"materials": [{"material_no": 1, "upload_id": up_id}]}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let (_, mine) = body(app.get(&citizen, "/api/v1/cases").await).await;
    assert_eq!(mine.as_array().unwrap().len(), 0);

    let (s, sub) = body(
        app.post(
            &citizen,
            &format!("/api/v1/items/{item}/applications"),
            json!({"form": {"申请事项": "新办"}, "materials": [{"material_no": 1, "upload_id": up_id}], "idem_key": "k-1"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{sub}");
    let id = sub["case_id"].as_i64().unwrap();
    let no = sub["case_no"].as_str().unwrap().to_string();
    let pw = sub["query_password"].as_str().unwrap().to_string();
    assert_eq!(no.len(), 31 + 8 + 4, "{no}");
    assert!(no.starts_with("TESTJOINT"));
    assert_eq!(sub["state"], "submitted");

    // Followed without signing in; a wrong password reveals nothing.
    let (s, _) = body(
        client()
            .post(app.url("/api/v1/track"))
            .json(&json!({"case_no": no, "password": "WRONG123"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, t) = body(
        client()
            .post(app.url("/api/v1/track"))
            .json(&json!({"case_no": no, "password": pw.to_lowercase()}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["case"]["state"], "submitted");
    assert!(t["case"]["applicant_name"].as_str().unwrap().contains('*'), "masked: {t}");
    assert_eq!(t["materials"].as_array().unwrap().len(), 0, "materials are not shown by query");

    // Other applicants and other departments do not see it; supervision reads it.
    assert_eq!(app.get(&company, &format!("/api/v1/cases/{id}")).await.status(), StatusCode::NOT_FOUND);
    let sup = app.ready_token("demo_supervisor").await;
    let c = case(&app, &sup, id).await;
    assert!(c["applicant_id_no"].as_str().unwrap().contains('*'), "masked for supervision");
    let (s, b) = act(&app, &sup, id, json!({"action": "accept"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "supervision changes nothing: {b}");

    // The counter asks once for everything missing; an empty list is refused.
    let (s, b) = act(&app, &counter, id, json!({"action": "supplement_request", "missing": [" "]})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("empty_supplement")), "{b}");
    let (s, b) = act(&app, &counter, id, json!({"action": "supplement_request", "missing": ["营业执照复印件不清晰", "缺少场所平面图"], "expected_seq": 1})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "supplementing");
    // A second notice on the same application is not possible (一次性告知).
    let (s, b) = act(&app, &counter, id, json!({"action": "supplement_request", "missing": ["x"]})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let c = case(&app, &citizen, id).await;
    assert_eq!(c["missing"], json!(["营业执照复印件不清晰", "缺少场所平面图"]));
    assert_eq!(c["documents"][0]["kind"], "supplement");

    // The citizen supplies; back to pre-review.
    let (s, b) = act(&app, &citizen, id, json!({"action": "supplement_provide"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("materials_missing")), "{b}");
    assert_eq!(b["message"], "请至少上传一份补正材料后再提交", "{b}");
    let (_, up2) = upload(&app, &citizen, b"\x89PNG\r\n\x1a\n0000IHDR", "平面图.png").await;
    let (s, b) = act(
        &app,
        &citizen,
        id,
        json!({"action": "supplement_provide", "materials": [{"material_no": 1, "upload_id": up2["id"]}]}),
    )
    .await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("submitted")), "{b}");

    // Acceptance: the reviewer of another department cannot; the counter can.
    let (s, _) = act(&app, &land, id, json!({"action": "accept"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the land department reads the case but does not accept it");
    let (s, b) = act(&app, &counter, id, json!({"action": "accept"})).await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("in_progress")), "{b}");
    // Step 1 (受理, the counter's); the reviewer may not pass it.
    let (s, b) = act(&app, &reviewer, id, json!({"action": "pass", "opinion": "同意"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_step_role")), "{b}");
    let (s, b) = act(&app, &counter, id, json!({"action": "pass", "opinion": " "})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason_required")), "{b}");
    let (s, _) = act(&app, &counter, id, json!({"action": "pass", "opinion": "材料齐全，转审查"})).await;
    assert_eq!(s, StatusCode::OK);

    // Step 2 with joint review: the lead cannot pass before the land department answers.
    let (s, b) = act(&app, &reviewer, id, json!({"action": "pass", "opinion": "同意"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert!(b["message"].as_str().unwrap().contains("1个会办部门尚未答复"), "{b}");
    let (s, inbox) = body(app.get(&land, "/api/v1/inbox?scope=joint").await).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(inbox["total"], 1, "{inbox}");
    let c = case(&app, &land, id).await;
    assert_eq!(c["joint"][0][3], false);
    let (s, b) =
        act(&app, &land, id, json!({"action": "joint_answer", "agree": true, "opinion": "用地符合规划"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, _) = act(&app, &land, id, json!({"action": "joint_answer", "agree": true, "opinion": "again"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "one answer per department");
    let (s, _) = act(&app, &reviewer, id, json!({"action": "pass", "opinion": "审查通过"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = act(&app, &head, id, json!({"action": "pass", "opinion": "同意"})).await;
    assert_eq!(s, StatusCode::OK);

    // Conclusion: a grant needs the document number; the counter cannot grant.
    let (s, b) =
        act(&app, &counter, id, json!({"action": "conclude", "outcome": "granted", "document_no": "JY1529900000001"}))
            .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = act(&app, &head, id, json!({"action": "conclude", "outcome": "granted"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("document_required")), "{b}");
    let (s, b) = act(&app, &head, id, json!({"action": "conclude", "outcome": "granted", "document_no": "JY1529900000001", "valid_until": "2031-11-30"})).await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("concluded")), "{b}");
    let (s, b) = act(&app, &citizen, id, json!({"action": "withdraw", "opinion": "不需要了"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "no withdrawal after conclusion: {b}");
    let (s, b) =
        act(&app, &counter, id, json!({"action": "deliver", "method": "邮寄", "tracking_no": "SF1234567890"})).await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("delivered")), "{b}");

    // The timeline and the documents.
    let c = case(&app, &citizen, id).await;
    let kinds: Vec<&str> = c["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "submitted",
            "supplement_requested",
            "supplement_provided",
            "accepted",
            "step_passed",
            "joint_answered",
            "step_passed",
            "step_passed",
            "concluded",
            "delivered"
        ]
    );
    assert_eq!(c["case"]["result_no"], "JY1529900000001");
    assert!(
        zwfw_app::cases::snapshot_matches_events(&app.state, id).await.unwrap(),
        "the view stored with the last event is the events replayed"
    );
    assert_eq!(c["materials"].as_array().unwrap().len(), 2);
    let docs: Vec<&str> = c["documents"].as_array().unwrap().iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(docs, ["supplement", "acceptance", "grant"]);
    let grant = c["documents"][2]["id"].as_i64().unwrap();
    assert!(c["documents"][2]["doc_no"].as_str().unwrap().contains("准〔"), "{}", c["documents"][2]);
    let r = app.get(&citizen, &format!("/api/v1/cases/{id}/documents/{grant}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    assert!(String::from_utf8_lossy(&pdf).contains("WenQuanYiMicroHei"), "the CJK font is embedded");
    // The same document again is the same stored file.
    let again = app.get(&head, &format!("/api/v1/cases/{id}/documents/{grant}")).await.bytes().await.unwrap();
    assert_eq!(pdf, again);
    assert_eq!(
        app.get(&company, &format!("/api/v1/cases/{id}/documents/{grant}")).await.status(),
        StatusCode::NOT_FOUND
    );
    // A session still behind its gate (the first password not changed yet)
    // downloads no document and no material of its own department's case.
    let (s, b) = app.api_login("demo_legal", DEMO_PW).await;
    assert_eq!((s, b["next_step"].as_str()), (StatusCode::OK, Some("change_password")), "{b}");
    let gated = b["token"].as_str().unwrap().to_string();
    let material = c["materials"][0]["id"].as_i64().unwrap();
    for path in [format!("/api/v1/cases/{id}/documents/{grant}"), format!("/api/v1/cases/{id}/materials/{material}")] {
        assert_eq!(app.get(&head, &path).await.status(), StatusCode::OK, "{path} for the open session");
        assert_eq!(app.get(&gated, &path).await.status(), StatusCode::NOT_FOUND, "{path} behind the gate");
    }

    // The library keeps what the citizen gave, once each, as trust level C.
    let (_, lib) = body(app.get(&citizen, "/api/v1/e-materials").await).await;
    assert_eq!(lib.as_array().unwrap().len(), 2, "{lib}");
    assert!(lib.as_array().unwrap().iter().all(|m| m["trust"] == "C"));

    // Every change is in the audit chain.
    let report = zwfw_store::audit::verify(&app.state.store).await.unwrap();
    assert!(report.defects.is_empty());
    assert_invariants(&app).await;
});

// An application whose upload cannot be read because the database fails
// (here: the table gone for a moment, as a statement fails when the server
// is killed) is answered 503 `database_unavailable`, which a retry may
// change: never 404 "所选文件不存在", which tells the client its upload is
// gone. Sent again with its key once the database serves, it is registered,
// and a third time it is the first answer repeated.
both_backends!(an_upload_the_database_fails_to_read_is_unavailable_not_missing, |store: Store| async move {
    let app = App::start(store).await;
    let item = joint_item(&app).await;
    let [citizen] = app.ready_tokens(["demo_citizen"]).await;
    let (_, up) = upload(&app, &citizen, PDF, "申请书.pdf").await;
    let apply = json!({"materials": [{"material_no": 1, "upload_id": up["id"]}], "idem_key": "after-outage-1"});
    let path = format!("/api/v1/items/{item}/applications");
    zwfw_store::db::query("ALTER TABLE uploads RENAME TO uploads_away").execute(app.state.store.pool()).await.unwrap();
    let (s, b) = body(app.post(&citizen, &path, apply.clone()).await).await;
    zwfw_store::db::query("ALTER TABLE uploads_away RENAME TO uploads").execute(app.state.store.pool()).await.unwrap();
    assert_eq!((s, b["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("database_unavailable")), "{b}");
    assert_eq!(b["message"], "数据库暂时不可用，请稍后再试", "{b}");
    let (_, mine) = body(app.get(&citizen, "/api/v1/cases").await).await;
    assert_eq!(mine.as_array().unwrap().len(), 0, "nothing registered: {mine}");
    let (s, first) = body(app.post(&citizen, &path, apply.clone()).await).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let (s, again) = body(app.post(&citizen, &path, apply).await).await;
    assert!(s.is_success(), "{again}");
    assert_eq!((again["case_id"].as_i64(), &again["repeated"]), (first["case_id"].as_i64(), &json!(true)));
    assert_invariants(&app).await;
});

both_backends!(two_officers_at_once_exactly_one_succeeds_and_repeats_create_nothing, |store: Store| async move {
    let app = App::start(store).await;
    let item = joint_item(&app).await;
    let [citizen, counter, head] = app.ready_tokens(["demo_citizen", "demo_counter", "demo_head"]).await;
    let (_, up) = upload(&app, &citizen, PDF, "申请书.pdf").await;
    let apply = json!({"materials": [{"material_no": 1, "upload_id": up["id"]}], "idem_key": "double-click-1"});
    let path = format!("/api/v1/items/{item}/applications");
    let (a, b) = tokio::join!(app.post(&citizen, &path, apply.clone()), app.post(&citizen, &path, apply.clone()));
    let (a, b) = (body(a).await, body(b).await);
    let ids: Vec<i64> = [&a.1, &b.1].iter().filter_map(|v| v["case_id"].as_i64()).collect();
    assert!(!ids.is_empty(), "{a:?} {b:?}");
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "one case: {a:?} {b:?}");
    let (_, again) = body(app.post(&citizen, &path, apply).await).await;
    assert_eq!(again["repeated"], true);
    assert_eq!(again["case_id"].as_i64(), Some(ids[0]));
    assert!(again["query_password"].is_null());
    let (_, mine) = body(app.get(&citizen, "/api/v1/cases").await).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let id = ids[0];
    // A case stored before views were kept on the row is decided on its events replayed.
    app.sql("UPDATE cases SET view = '' WHERE id = $1", id).await;
    zwfw_store::testing::forget_remembered_cases(&app.state.store);

    // Counter and head both decide on event 1: exactly one wins, the other is told who acted.
    let accept = act(&app, &counter, id, json!({"action": "accept", "expected_seq": 1}));
    let refuse =
        act(&app, &head, id, json!({"action": "refuse", "opinion": "不属于本机关职权范围", "expected_seq": 1}));
    let (x, y) = tokio::join!(accept, refuse);
    let oks = [&x, &y].iter().filter(|r| r.0 == StatusCode::OK).count();
    assert_eq!(oks, 1, "{x:?} {y:?}");
    let loser = if x.0 == StatusCode::OK { &y } else { &x };
    assert_eq!(loser.0, StatusCode::CONFLICT);
    assert_eq!(loser.1["code"], "already_handled");
    let msg = loser.1["message"].as_str().unwrap();
    assert!(msg.contains("李娜") || msg.contains("吴海"), "names who acted: {msg}");
    let c = case(&app, &counter, id).await;
    assert_eq!(c["events"].as_array().unwrap().len(), 2);

    if c["case"]["state"] == "in_progress" {
        // A retried pass with the same key is one event.
        let pass = json!({"action": "pass", "opinion": "同意", "idem_key": "retry-7"});
        let (s1, b1) = act(&app, &counter, id, pass.clone()).await;
        let (s2, b2) = act(&app, &counter, id, pass).await;
        assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK), "{b1} {b2}");
        assert_eq!(b1["seq"], b2["seq"]);
        assert_eq!(b2["repeated"], true);
        assert_eq!(case(&app, &counter, id).await["events"].as_array().unwrap().len(), 3);

        // The same request twice at once (a retry racing the original): one event.
        let urge = json!({"action": "urge", "opinion": "请加快办理", "idem_key": "urge-race"});
        let (u1, u2) = tokio::join!(act(&app, &head, id, urge.clone()), act(&app, &head, id, urge));
        assert_eq!((u1.0, u2.0), (StatusCode::OK, StatusCode::OK), "{u1:?} {u2:?}");
        assert_eq!(u1.1["seq"], u2.1["seq"]);
        assert_eq!(case(&app, &counter, id).await["events"].as_array().unwrap().len(), 4);

        // Two different actions at once, neither naming the state it saw: both
        // are recorded, one after the other, each decided on the state it found.
        let land = app.ready_token("demo_land").await;
        let urge = act(&app, &head, id, json!({"action": "urge", "opinion": "今日办结"}));
        let answer = act(&app, &land, id, json!({"action": "joint_answer", "agree": true, "opinion": "用地符合规划"}));
        let (u, p) = tokio::join!(urge, answer);
        assert_eq!((u.0, p.0), (StatusCode::OK, StatusCode::OK), "{u:?} {p:?}");
        assert_ne!(u.1["seq"], p.1["seq"]);
        let c = case(&app, &counter, id).await;
        let kinds: Vec<&str> = c["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds.len(), 6, "{kinds:?}");
        assert!(kinds[4..].contains(&"urged") && kinds[4..].contains(&"joint_answered"), "{kinds:?}");
        assert!(zwfw_app::cases::snapshot_matches_events(&app.state, id).await.unwrap());
    }
    assert_invariants(&app).await;
});

both_backends!(returns_transfers_extensions_special_procedures_and_deemed_acceptance, |store: Store| async move {
    let app = App::start_at(store, "2026-03-02T09:00:00+08:00").await;
    let (_, item) = market_item(&app, "TESTPLAIN0000000000000000000001").await;
    let counter = app.ready_token("demo_counter").await;
    let head_id = app.user_id("demo_head").await;

    // Counter registration of a walk-in applicant, materials scanned (trust B).
    let (_, up) = upload(&app, &counter, PDF, "扫描件.pdf").await;
    let first17 = "52990219900307123";
    let id_no = format!("{first17}{}", zwfw_domain::ids::ResidentId::check_char(first17).unwrap());
    let reg = |id_no: &str| {
        json!({"applicant": {"kind": "natural", "name": "赵六", "id_no": id_no, "mobile": "13812345678", "address": "示例市东城区"},
               "materials": [{"material_no": 1, "upload_id": up["id"]}]})
    };
    let (s, b) =
        body(app.post(&counter, &format!("/api/v1/items/{item}/applications"), reg("529902199003071231")).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_resident_id")), "{b}");
    let (s, b) = body(app.post(&counter, &format!("/api/v1/items/{item}/applications"), reg(&id_no)).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let walk_in = b["case_id"].as_i64().unwrap();
    let c = case(&app, &counter, walk_in).await;
    assert_eq!(c["case"]["channel"], "counter");
    assert_eq!(c["materials"][0]["trust"], "B");
    assert_eq!(c["applicant_id_no"], id_no, "the handling department sees the full number");
    // Received Mon 03-02: five working days end Mon 03-09; undecided on 03-10 it counts as accepted on receipt.
    assert_eq!(c["case"]["acceptance_due"], "2026-03-09");
    app.advance(7 * 86_400_000);
    assert_eq!(zwfw_app::cases::record_deemed_acceptances(&app.state).await.unwrap(), 0);
    app.advance(86_400_000);
    assert_eq!(zwfw_app::cases::record_deemed_acceptances(&app.state).await.unwrap(), 1);
    // Sessions idle out while the clock moves: sign in again.
    let [counter, reviewer, head] = app.ready_tokens(["demo_counter", "demo_reviewer", "demo_head"]).await;
    let c = case(&app, &counter, walk_in).await;
    assert_eq!(c["case"]["state"], "in_progress");
    assert_eq!(c["case"]["deemed_accepted"], true);
    assert_eq!(c["case"]["accepted_at"], c["case"]["submitted_at"], "accepted on receipt");
    assert_eq!(c["documents"][0]["kind"], "acceptance");
    assert_eq!(zwfw_app::cases::record_deemed_acceptances(&app.state).await.unwrap(), 0, "once");

    let id = walk_in;
    act(&app, &counter, id, json!({"action": "pass", "opinion": "受理"})).await;
    // Return to the first step keeps the task: it is back in the department inbox at step 1.
    let (s, b) = act(&app, &reviewer, id, json!({"action": "return", "step": 2, "opinion": "x"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_return")), "{b}");
    let (s, b) = act(&app, &reviewer, id, json!({"action": "return", "step": 1, "opinion": "身份信息需核实"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let c = case(&app, &reviewer, id).await;
    assert_eq!((c["case"]["step_no"].as_i64(), c["case"]["step_name"].as_str()), (Some(0), Some("受理")));
    let (_, inbox) = body(app.get(&counter, "/api/v1/inbox").await).await;
    assert!(inbox["items"].as_array().unwrap().iter().any(|i| i["id"] == id), "{inbox}");
    act(&app, &counter, id, json!({"action": "pass", "opinion": "已核实"})).await;

    // Transfer to the head: the reviewer can no longer act, the head can.
    let (s, b) =
        act(&app, &reviewer, id, json!({"action": "transfer", "to_user": head_id, "opinion": "请负责人审查"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, mine) = body(app.get(&head, "/api/v1/inbox?scope=mine").await).await;
    assert_eq!(mine["total"], 1);
    let (s, b) =
        act(&app, &reviewer, id, json!({"action": "extension_request", "days": 10, "opinion": "情况复杂"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("assigned_to_other")), "{b}");

    // Extension: requested, then decided by the head; the legal deadline moves by 10 working days.
    let before = case(&app, &head, id).await["case"]["legal_due"].as_str().unwrap().to_string();
    let (s, b) =
        act(&app, &head, id, json!({"action": "extension_request", "days": 10, "opinion": "需补充现场核查"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) =
        act(&app, &head, id, json!({"action": "extension_decide", "approved": true, "opinion": "同意延长"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let c = case(&app, &head, id).await;
    assert_ne!(c["case"]["legal_due"].as_str().unwrap(), before);
    assert!(c["documents"].as_array().unwrap().iter().any(|d| d["kind"] == "extension"));

    // A special procedure stops the clock and is told in writing.
    let (s, b) = act(&app, &head, id, json!({"action": "special_start", "kind": "检测", "opinion": "送样检测"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(case(&app, &head, id).await["case"]["suspended"], true);
    app.advance(3 * 86_400_000);
    let [head, counter] = app.ready_tokens(["demo_head", "demo_counter"]).await;
    let (s, _) = act(&app, &head, id, json!({"action": "special_end", "opinion": "检测合格"})).await;
    assert_eq!(s, StatusCode::OK);
    let c = case(&app, &head, id).await;
    assert_eq!(c["case"]["suspended"], false);
    assert!(c["clock"]["suspended_days"].as_i64().unwrap() >= 2, "{}", c["clock"]);
    assert!(c["documents"].as_array().unwrap().iter().any(|d| d["kind"] == "special"));

    // Urge by the head; void needs a reason; deny needs a reason.
    let (s, _) = act(&app, &head, id, json!({"action": "urge", "opinion": "请加快办理"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, b) = act(&app, &counter, id, json!({"action": "urge", "opinion": "x"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = act(&app, &head, id, json!({"action": "conclude", "outcome": "voided"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason_required")), "{b}");
    // A conclusion's text agrees with its kind: a 退件 carries no licence number nor a grant's words.
    for (fields, code) in [
        (
            json!({"outcome": "returned", "opinion": "准予许可", "document_no": "JY1520000001"}),
            "licence_only_with_grant",
        ),
        (json!({"outcome": "returned", "opinion": "经审查准予许可"}), "grant_text_without_grant"),
        (json!({"outcome": "voided", "opinion": "重复申请", "valid_until": "2030-01-01"}), "licence_only_with_grant"),
    ] {
        let mut a = fields.clone();
        a["action"] = json!("conclude");
        let (s, b) = act(&app, &head, id, a).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{fields}: {b}");
        assert!(b["message"].as_str().unwrap().contains("准予"), "{b}");
    }
    assert_eq!(case(&app, &head, id).await["case"]["state"], "in_progress", "nothing was concluded");
    let (s, b) =
        act(&app, &head, id, json!({"action": "conclude", "outcome": "voided", "opinion": "申请人重复申请"})).await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("concluded")), "{b}");
    let (_, inbox) = body(app.get(&counter, "/api/v1/inbox").await).await;
    assert!(!inbox["items"].as_array().unwrap().iter().any(|i| i["id"] == id), "closed cases leave the inbox");

    // Paper originals: received and returned once.
    let (s, _) = body(
        app.post(&counter, &format!("/api/v1/cases/{id}/originals"), json!({"name": "身份证原件", "copies": 1})).await,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let oid = case(&app, &counter, id).await["originals"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/cases/{id}/originals/{oid}/return");
    assert_eq!(app.post(&counter, &path, json!({})).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.post(&counter, &path, json!({})).await.status(), StatusCode::CONFLICT);
    assert_invariants(&app).await;
});

both_backends!(demo_cases_fill_every_state, |store: Store| async move {
    // In the evening, China time: the demo plays its cases up to the last
    // close of a working day, so the newest still reach what they should
    // (played up to the present, they did not at this hour).
    let app = App::start_at(store, "2026-11-24T20:48:00+08:00").await;
    let made = zwfw_app::demo::cases::load(&app.state, 320).await.unwrap();
    assert!(made >= 300, "{made}");
    assert_eq!(app.state.clock.moved_ms(), 0, "the clock is back");
    assert_eq!(zwfw_app::demo::cases::load(&app.state, 320).await.unwrap(), 0, "only into an empty database");
    let counts: std::collections::HashMap<String, i64> =
        zwfw_store::cases::counts(&app.state.store, None).await.unwrap().into_iter().collect();
    for s in [
        "draft",
        "submitted",
        "supplementing",
        "refused",
        "in_progress",
        "deciding",
        "concluded",
        "delivered",
        "withdrawn",
    ] {
        assert!(counts.get(s).copied().unwrap_or(0) > 0, "{s}: {counts:?}");
    }
    // Some overdue, some in a special procedure, some waiting for a joint answer.
    let supervisor = app.ready_token("demo_supervisor").await;
    let (_, all) = body(app.get(&supervisor, "/api/v1/cases?scope=all&state=in_progress").await).await;
    let all = all.as_array().unwrap();
    assert!(all.iter().any(|c| c["urgency"] == "red"), "overdue");
    assert!(all.iter().any(|c| c["urgency"] == "green"), "on time");
    assert!(all.iter().any(|c| c["suspended"] == true), "special procedure");
    let mut waiting = 0;
    for name in ["示例市市场监督管理局", "示例市自然资源局", "示例市住房和城乡建设局", "示例市卫生健康委员会"]
    {
        let scope = zwfw_store::cases::InboxScope::Joint(app.department_id(name).await);
        waiting += zwfw_store::cases::inbox(&app.state.store, scope, 1, 0).await.unwrap().1;
    }
    assert!(waiting > 0, "joint reviews waiting");
    // Every event went through the service: the audit chain holds.
    let report = zwfw_store::audit::verify(&app.state.store).await.unwrap();
    assert!(report.defects.is_empty(), "{:?}", report.defects);
    assert_invariants(&app).await;
});

both_backends!(guessing_query_passwords_is_slowed_down, |store: Store| async move {
    let app = App::start(store).await;
    let item = joint_item(&app).await;
    let citizen = app.ready_token("demo_citizen").await;
    let sub = apply_with_pdf(&app, &citizen, item).await;
    let (no, pw) = (sub["case_no"].as_str().unwrap(), sub["query_password"].as_str().unwrap());
    let track = |from: &'static str, password: String| {
        let req = client()
            .post(app.url("/api/v1/track"))
            .header("x-forwarded-for", from)
            .json(&json!({"case_no": no, "password": password}));
        async move { code_of(req.send().await.unwrap()).await }
    };
    let max = zwfw_app::cases::TRACK_MAX_FAILURES;
    for i in 0..max {
        assert_eq!(track("10.0.0.1", format!("WRONG{i:03}")).await, (StatusCode::NOT_FOUND, "track_failed".into()));
    }
    // Now even the right password is refused from this address; the owner,
    // from another, is not locked out by the stranger.
    assert_eq!(track("10.0.0.1", pw.to_string()).await, (StatusCode::TOO_MANY_REQUESTS, "track_limited".into()));
    let (s, d) = body(
        client()
            .post(app.url("/api/v1/track"))
            .header("x-forwarded-for", "10.0.0.2")
            .json(&json!({"case_no": format!("  {}\t", no.to_lowercase()), "password": pw.to_lowercase()}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "the owner, with the number trimmed and in lower case: {d}");
    // The timeline names the applicant masked, as the top does, and officers as 工作人员.
    let masked = d["case"]["applicant_name"].as_str().unwrap().to_string();
    assert!(masked.contains('*'), "{masked}");
    for e in d["events"].as_array().unwrap() {
        let name = e["actor_name"].as_str().unwrap();
        assert!(name == masked || name == "工作人员" || e["actor_id"].is_null(), "{name} in {e}");
    }
    // After the window it works again from the first address.
    app.advance(16 * 60_000);
    let (s, _) = track("10.0.0.1", pw.to_string()).await;
    assert_eq!(s, StatusCode::OK);
    // A lost query password is reset through the API: the old one stops working.
    let citizen = app.ready_token("demo_citizen").await;
    let id = sub["case_id"].as_i64().unwrap();
    let (s, b) = body(app.post(&citizen, &format!("/api/v1/cases/{id}/query-password"), json!({})).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let new_pw = b["query_password"].as_str().unwrap().to_string();
    assert_eq!(track("10.0.0.3", pw.to_string()).await.0, StatusCode::NOT_FOUND);
    assert_eq!(track("10.0.0.3", new_pw).await.0, StatusCode::OK);
    let company = app.ready_token("demo_company").await;
    let (s, _) = body(app.post(&company, &format!("/api/v1/cases/{id}/query-password"), json!({})).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another applicant's case does not exist for them");
});

both_backends!(a_client_cannot_escape_the_guessing_limit_by_naming_another_address, |store: Store| async move {
    // No reverse proxy is trusted (the default): X-Forwarded-For is the
    // client's own claim and the limit counts the address it connects from.
    let app = App::start_trusting_no_proxy(store).await;
    let item = joint_item(&app).await;
    let citizen = app.ready_token("demo_citizen").await;
    let first = apply_with_pdf(&app, &citizen, item).await;
    let second = apply_with_pdf(&app, &citizen, item).await;
    let track = |from: String, case: &Value, password: &str| {
        let req = client()
            .post(app.url("/api/v1/track"))
            .header("x-forwarded-for", from)
            .json(&json!({"case_no": case["case_no"], "password": password}));
        async move { code_of(req.send().await.unwrap()).await }
    };
    for i in 0..zwfw_app::cases::TRACK_MAX_FAILURES {
        let (s, _) = track(format!("10.0.{i}.1"), &first, &format!("WRONG{i:03}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    // Another case, its right password, "from" yet another address: still
    // the same client, which has used up its tries.
    let pw = second["query_password"].as_str().unwrap();
    assert_eq!(track("10.9.9.9".into(), &second, pw).await, (StatusCode::TOO_MANY_REQUESTS, "track_limited".into()));
});

both_backends!(application_forms_follow_the_item, |store: Store| async move {
    use zwfw_domain::catalog::{FieldKind, FormField};
    let app = App::start(store).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let mut c = example(market);
    c.form_fields = vec![
        FormField { name: "经营场所".into(), kind: FieldKind::Text, required: true, options: vec![] },
        FormField {
            name: "主体业态".into(),
            kind: FieldKind::Choice,
            required: true,
            options: vec!["餐饮服务经营者".into(), "单位食堂".into()],
        },
        FormField { name: "从业人员数".into(), kind: FieldKind::Number, required: false, options: vec![] },
    ];
    let item = publish(&app, &c, "TESTFORM00000000000000000000001").await;
    let citizen = app.ready_token("demo_citizen").await;
    let (_, up) = upload(&app, &citizen, PDF, "申请书.pdf").await;
    let mats = json!([{"material_no": 1, "upload_id": up["id"]}]);
    let apply = |form: Value, draft: bool| {
        let body_json = json!({"form": form, "materials": mats, "draft": draft});
        let path = format!("/api/v1/items/{item}/applications");
        let app = &app;
        let citizen = &citizen;
        async move { body(app.post(citizen, &path, body_json).await).await }
    };
    let (s, b) = apply(json!({"主体业态": "单位食堂"}), false).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_form")), "{b}");
    assert_eq!(b["message"], "请填写“经营场所”");
    let (s, b) = apply(json!({"经营场所": "建设路1号", "主体业态": "超市"}), false).await;
    assert_eq!((s, b["message"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("“主体业态”须从列出的选项中选择")));
    let (s, b) = apply(json!({"经营场所": "建设路1号", "主体业态": "单位食堂", "从业人员数": "很多"}), false).await;
    assert_eq!((s, b["message"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("“从业人员数”应填写数字")));
    // A draft may leave required fields empty, but cannot be submitted so.
    let (s, draft) = apply(json!({"主体业态": "单位食堂"}), true).await;
    assert_eq!(s, StatusCode::CREATED, "{draft}");
    let (s, b) = act(&app, &citizen, draft["case_id"].as_i64().unwrap(), json!({"action": "submit"})).await;
    assert_eq!((s, b["message"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("请填写“经营场所”")));
    // Right: the declared fields and 申请事项说明 are kept, anything else dropped.
    let (s, ok) = apply(
        json!({"经营场所": " 建设路1号 ", "主体业态": "单位食堂", "申请事项说明": "新办", "管理员": "是"}),
        false,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{ok}");
    let c = case(&app, &citizen, ok["case_id"].as_i64().unwrap()).await;
    assert_eq!(c["case"]["form"], json!({"经营场所": "建设路1号", "主体业态": "单位食堂", "申请事项说明": "新办"}));
});

both_backends!(deadlines_into_an_unpublished_year_are_provisional_until_its_notice, |store: Store| async move {
    use zwfw_domain::calendar::YearSpec;
    let app = App::start_at(store, "2026-11-24T09:00:00+08:00").await;
    let market = app.department_id("示例市市场监督管理局").await;
    let mut c = example(market);
    c.legal_limit_days = 60; // runs into 2027, whose notice is not entered
    c.promised_limit_days = 50;
    let item = publish(&app, &c, "TESTPROV00000000000000000000001").await;
    let [citizen, counter] = app.ready_tokens(["demo_citizen", "demo_counter"]).await;
    let sub = apply_with_pdf(&app, &citizen, item).await;
    let id = sub["case_id"].as_i64().unwrap();
    let (s, b) = act(&app, &counter, id, json!({"action": "accept"})).await;
    assert_eq!(s, StatusCode::OK, "acceptance is not blocked by the missing year: {b}");
    let before = case(&app, &counter, id).await;
    assert_eq!(before["provisional"], true);
    // Counted Monday to Friday in 2027 for now.
    let legal_before = before["case"]["legal_due"].as_str().unwrap().to_string();
    // The 2027 notice arrives: a Spring Festival week off in February.
    let actor = actor_of(&app, "demo_admin").await;
    let ctx = zwfw_app::Ctx { state: &app.state, actor: Some(&actor), client_addr: "test".into() };
    let e = entry_2027();
    let spec = YearSpec {
        year: 2027,
        notices: serde_json::from_value(e["notices"].clone()).unwrap(),
        holidays: serde_json::from_value(e["holidays"].clone()).unwrap(),
        workdays: serde_json::from_value(e["workdays"].clone()).unwrap(),
    };
    zwfw_app::calendar::put_year(&ctx, spec, "国务院办公厅通知发布").await.unwrap();
    let after = case(&app, &counter, id).await;
    assert_eq!(after["provisional"], false);
    let legal_after = after["case"]["legal_due"].as_str().unwrap();
    assert!(legal_after > legal_before.as_str(), "the festival moves the deadline: {legal_before} → {legal_after}");
    assert_eq!(after["clock"]["legal"]["deadline"], legal_after, "the stored projection agrees with the clock");
});

both_backends!(registration_numbers_the_case_and_files_each_material_once, |store: Store| async move {
    let app = App::start_at(store.clone(), "2026-03-02T09:00:00+08:00").await;
    let market = app.department_id("示例市市场监督管理局").await;
    let code = "TESTSERIAL000000000000000000001";
    let item = publish(&app, &example(market), code).await;
    let [citizen, counter] = app.ready_tokens(["demo_citizen", "demo_counter"]).await;
    let path = format!("/api/v1/items/{item}/applications");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let library = || async { body(app.get(&citizen, "/api/v1/e-materials").await).await.1 };

    // Online, the same file twice in one slot: one library entry (trust C), both materials on it.
    let (_, up) = upload(&app, &citizen, PDF, "营业执照.pdf").await;
    let twice =
        json!({"materials": [{"material_no": 1, "upload_id": up["id"]}, {"material_no": 1, "upload_id": up["id"]}]});
    let (s, b) = body(app.post(&citizen, &path, twice).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["case_no"], zwfw_domain::cases::case_number(code, day, 1));
    let first = b["case_id"].as_i64().unwrap();
    let c = case(&app, &citizen, first).await;
    let mats = c["materials"].as_array().unwrap();
    assert_eq!(mats.len(), 2);
    assert!(mats[0]["e_material_id"].is_i64(), "{c}");
    assert_eq!(mats[0]["e_material_id"], mats[1]["e_material_id"]);
    let lib = library().await;
    assert_eq!(lib.as_array().unwrap().len(), 1, "{lib}");
    assert_eq!(
        (&lib[0]["trust"], &lib[0]["source_case_id"], &lib[0]["id"]),
        (&json!("C"), &json!(first), &mats[0]["e_material_id"])
    );

    // At the counter, the same file scanned for the same applicant: checked
    // by an officer, trust B, which replaces the weaker C of the same entry.
    let (_, scan) = upload(&app, &counter, PDF, "扫描件.pdf").await;
    let first17 = "52990219850612302";
    let id_no = format!("{first17}{}", zwfw_domain::ids::ResidentId::check_char(first17).unwrap());
    let walk_in = json!({"applicant": {"kind": "natural", "name": "陈小华", "id_no": id_no, "mobile": "13800000001", "address": ""},
                         "materials": [{"material_no": 1, "upload_id": scan["id"]}]});
    let (s, b) = body(app.post(&counter, &path, walk_in).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["case_no"], zwfw_domain::cases::case_number(code, day, 2));
    let lib = library().await;
    assert_eq!(lib.as_array().unwrap().len(), 1, "{lib}");
    assert_eq!(lib[0]["trust"], "B", "{lib}");

    // Reused from the library: no new entry; the material is the entry's, at its trust.
    let reuse = json!({"materials": [{"material_no": 1, "e_material_id": lib[0]["id"]}]});
    let (s, b) = body(app.post(&citizen, &path, reuse).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let c = case(&app, &citizen, b["case_id"].as_i64().unwrap()).await;
    assert_eq!((&c["materials"][0]["e_material_id"], &c["materials"][0]["trust"]), (&lib[0]["id"], &json!("B")));
    assert_eq!(library().await.as_array().unwrap().len(), 1);
    assert_invariants(&app).await;

    // Past 9,999 cases of the item in a day the serial takes a fifth digit.
    let mut tx = store.begin().await.unwrap();
    zwfw_store::cases::reserve_serials(&mut tx, &format!("case:{code}:20260302"), 9996).await.unwrap();
    tx.commit().await.unwrap();
    let (s, b) =
        body(app.post(&citizen, &path, json!({"materials": [{"material_no": 1, "upload_id": up["id"]}]})).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["case_no"], zwfw_domain::cases::case_number(code, day, 10_000));
    assert_eq!(b["case_no"], format!("{code}2026030210000"));
});

both_backends!(
    an_action_decides_on_the_row_written_last_and_again_when_another_process_moved_the_case,
    |store: Store| async move {
        use zwfw_store::cases::{case_to_act, get_case};
        let app = App::start_at(store.clone(), "2026-03-02T09:00:00+08:00").await;
        let (_, item) = market_item(&app, "TESTRECENT000000000000000000001").await;
        let [citizen, counter, reviewer] = app.ready_tokens(["demo_citizen", "demo_counter", "demo_reviewer"]).await;
        let id = apply_with_pdf(&app, &citizen, item).await["case_id"].as_i64().unwrap();

        // The registration and each action leave the row as stored in memory.
        let remembered = || async { case_to_act(&store, id).await.unwrap() };
        let (row, known) = remembered().await;
        assert!(known, "the registration is remembered");
        assert_eq!(row, get_case(&store, id).await.unwrap());
        let (s, b) = act(&app, &counter, id, json!({"action": "accept"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (row, known) = remembered().await;
        assert!(known);
        assert_eq!(row, get_case(&store, id).await.unwrap());

        // Another process of the program passes the first step: this one's row is now behind.
        let other = another_process(&app).await;
        let (counter_actor, reviewer_actor) =
            (actor_of(&app, "demo_counter").await, actor_of(&app, "demo_reviewer").await);
        let input = |a: &str, o: &str, exp: Option<i64>| zwfw_app::cases::ActionInput {
            action: a.into(),
            opinion: o.into(),
            expected_seq: exp,
            ..Default::default()
        };
        let elsewhere = zwfw_app::Ctx { state: &other, actor: Some(&counter_actor), client_addr: "test".into() };
        zwfw_app::cases::act(&elsewhere, id, &input("pass", "材料齐全", None)).await.unwrap();
        assert_eq!(remembered().await.0.p.seq, 2, "this process still remembers the row before");
        assert_eq!(get_case(&store, id).await.unwrap().p.seq, 3);

        // The reviewer acts here: decided on the remembered row, the write finds
        // the case moved, and the action is decided again on the stored row.
        let (s, b) = act(&app, &reviewer, id, json!({"action": "pass", "opinion": "审查通过"})).await;
        assert_eq!((s, b["seq"].as_i64()), (StatusCode::OK, Some(4)), "{b}");
        let stored = get_case(&store, id).await.unwrap();
        assert_eq!((stored.p.step_name.as_str(), stored.p.seq), ("决定", 4));
        let c = case(&app, &reviewer, id).await;
        let seqs: Vec<i64> = c["events"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert_eq!(seqs, vec![1, 2, 3, 4]);
        assert_eq!(remembered().await, (stored, true));

        // The other process returns the case to review; a request here that saw
        // that (its expected event the newest) is not refused on this process's
        // older memory of the case.
        let head = actor_of(&app, "demo_head").await;
        let elsewhere = zwfw_app::Ctx { state: &other, actor: Some(&head), client_addr: "test".into() };
        let mut back = input("return", "补充核查", None);
        back.step = Some(2);
        zwfw_app::cases::act(&elsewhere, id, &back).await.unwrap();
        assert_eq!(remembered().await.0.p.seq, 4);
        let here = zwfw_app::Ctx { state: &app.state, actor: Some(&reviewer_actor), client_addr: "test".into() };
        let r = zwfw_app::cases::act(&here, id, &input("pass", "已核查", Some(5))).await.unwrap();
        assert_eq!((r.seq, r.repeated), (6, false));
        // And one that saw an older event is told who acted since.
        let e = zwfw_app::cases::act(&here, id, &input("pass", "同意", Some(5))).await.unwrap_err();
        assert_eq!(e.code(), "already_handled", "{}", e.message());

        // A request repeated with its key is answered with where the case is
        // now, not where this process last left it: the head returns it here,
        // the other process takes it on and grants it, then the return's
        // request comes again.
        let head_here = zwfw_app::Ctx { state: &app.state, actor: Some(&head), client_addr: "test".into() };
        let mut back = input("return", "请再核查", None);
        back.step = Some(2);
        back.idem_key = Some("repeat-return-0001".into());
        let first = zwfw_app::cases::act(&head_here, id, &back).await.unwrap();
        assert_eq!((first.seq, first.state.as_str(), first.repeated), (7, "in_progress", false));
        let reviewer_elsewhere =
            zwfw_app::Ctx { state: &other, actor: Some(&reviewer_actor), client_addr: "test".into() };
        zwfw_app::cases::act(&reviewer_elsewhere, id, &input("pass", "已核查", None)).await.unwrap();
        zwfw_app::cases::act(&elsewhere, id, &input("pass", "同意", None)).await.unwrap();
        let mut grant = input("conclude", "同意", None);
        grant.outcome = Some("granted".into());
        grant.document_no = Some("JY0000009".into());
        zwfw_app::cases::act(&elsewhere, id, &grant).await.unwrap();
        assert_eq!(remembered().await.0.p.seq, 7, "this process still remembers its return");
        let again = zwfw_app::cases::act(&head_here, id, &back).await.unwrap();
        assert_eq!((again.seq, again.state.as_str(), again.repeated), (7, "concluded", true));
        assert_invariants(&app).await;
    }
);

both_backends!(a_case_and_what_it_refers_to_cannot_be_deleted_while_referenced, |store: Store| async move {
    let app = App::start_at(store.clone(), "2026-03-02T09:00:00+08:00").await;
    let (_, item) = market_item(&app, "TESTREFS0000000000000000000001").await;
    let [citizen, counter] = app.ready_tokens(["demo_citizen", "demo_counter"]).await;
    let id = apply_with_pdf(&app, &citizen, item).await["case_id"].as_i64().unwrap();
    let (s, b) = act(&app, &counter, id, json!({"action": "accept"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let c = zwfw_store::cases::get_case(&store, id).await.unwrap();
    let refused = [
        format!("DELETE FROM cases WHERE id = {id}"),
        format!("DELETE FROM items WHERE id = {}", c.item_id),
        format!("DELETE FROM item_versions WHERE id = {}", c.version_id),
        format!("DELETE FROM departments WHERE id = {}", c.department_id),
    ];
    for sql in &refused {
        let r = zwfw_store::db::query(sql.as_str()).execute(store.pool()).await;
        assert!(r.is_err(), "refused: {sql}");
    }
    if store.backend() == zwfw_store::Backend::Postgres {
        // Likewise from a database tool, and a truncation.
        for sql in refused.iter().map(String::as_str).chain(["TRUNCATE cases", "TRUNCATE departments CASCADE"]) {
            assert!(zwfw_store::testing::execute_outside(&store, sql).await.is_err(), "refused: {sql}");
        }
    }
    let stored = zwfw_store::cases::get_case(&store, id).await.unwrap();
    assert_eq!(stored.p.seq, 2);
    assert_eq!(case(&app, &counter, id).await["events"].as_array().unwrap().len(), 2);
});

both_backends!(a_document_number_an_action_could_not_use_is_recorded_as_unused, |store: Store| async move {
    use zwfw_store::audit::{list, AuditFilter};
    let app = App::start_at(store.clone(), "2026-03-02T09:00:00+08:00").await;
    let (_, item) = market_item(&app, "TESTNUMBERS00000000000000000001").await;
    let [citizen, counter] = app.ready_tokens(["demo_citizen", "demo_counter"]).await;
    let serial_of = |c: &Value, kind: &str| -> i64 {
        let d = c["documents"].as_array().unwrap().iter().find(|d| d["kind"] == kind).expect("the document");
        let no = d["doc_no"].as_str().unwrap();
        let digits: String =
            no.chars().rev().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
        digits.chars().rev().collect::<String>().parse().unwrap()
    };
    let unused = || async {
        let f = AuditFilter { action: Some("number_unused".into()), limit: 10, ..Default::default() };
        list(&store, &f).await.unwrap()
    };

    // This process registers two cases and remembers them as submitted.
    let first = apply_with_pdf(&app, &citizen, item).await["case_id"].as_i64().unwrap();
    let second = apply_with_pdf(&app, &citizen, item).await["case_id"].as_i64().unwrap();
    // Another process of the program accepts the first: 受理通知书 number n.
    let other = another_process(&app).await;
    let officer = actor_of(&app, "demo_counter").await;
    let elsewhere = zwfw_app::Ctx { state: &other, actor: Some(&officer), client_addr: "test".into() };
    let accept = zwfw_app::cases::ActionInput { action: "accept".into(), ..Default::default() };
    zwfw_app::cases::act(&elsewhere, first, &accept).await.unwrap();
    let n = serial_of(&case(&app, &counter, first).await, "acceptance");

    // Here the counter accepts it too, decided on the row remembered: the
    // write finds the case moved, the action is refused on the stored row,
    // and the case keeps one acceptance notice.
    let (s, b) = act(&app, &counter, first, json!({"action": "accept"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("case_conflict")), "{b}");
    let c = case(&app, &counter, first).await;
    assert_eq!(c["documents"].as_array().unwrap().len(), 1, "{}", c["documents"]);

    // The second case's notice: on PostgreSQL the number the refused action
    // had taken (n + 1) is skipped and recorded as unused, with who and why;
    // on SQLite the number is taken inside the write and given back with it.
    let (s, b) = act(&app, &counter, second, json!({"action": "accept"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let m = serial_of(&case(&app, &counter, second).await, "acceptance");
    let records = unused().await;
    if store.backend() == zwfw_store::Backend::Postgres {
        assert_eq!(m, n + 2);
        assert_eq!(records.len(), 1);
        let r = &records[0].entry;
        assert_eq!((r.object_type.as_str(), r.object_id.as_str()), ("case", first.to_string().as_str()));
        assert_eq!(r.actor_name, officer.username);
        let detail: Value = serde_json::from_str(&r.detail).unwrap();
        assert_eq!(detail["kind"], "acceptance");
        assert!(detail["number"].as_str().unwrap().ends_with(&format!("〕{}号", n + 1)), "{detail}");
    } else {
        assert_eq!(m, n + 1);
        assert!(records.is_empty());
    }
    assert_invariants(&app).await;
});

both_backends!(every_step_action_needs_the_role_of_the_step, |store: Store| async move {
    // The case of the issue: the counter accepts and passes step 1 (受理, the
    // counter's); step 2 (审查) is the reviewer's, with the land department
    // joining. The counter may take none of the reviewer's actions there.
    let app = App::start(store).await;
    let item = joint_item(&app).await;
    let [citizen, counter, reviewer, head] =
        app.ready_tokens(["demo_citizen", "demo_counter", "demo_reviewer", "demo_head"]).await;
    let id = apply(&app, &citizen, item).await;
    act_ok(&app, &counter, id, json!({"action": "accept"})).await;
    let (s, b) =
        act(&app, &counter, id, json!({"action": "special_start", "kind": "现场核查", "opinion": "核查"})).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("special_not_allowed")),
        "受理 does not allow a special procedure: {b}"
    );
    act_ok(&app, &counter, id, json!({"action": "pass", "opinion": "材料齐全"})).await;
    let reviewer_id = app.user_id("demo_reviewer").await;
    for a in [
        json!({"action": "return", "step": 1, "opinion": "x"}),
        json!({"action": "extension_request", "days": 10, "opinion": "x"}),
        json!({"action": "special_start", "kind": "现场核查", "opinion": "x"}),
        json!({"action": "transfer", "to_user": reviewer_id, "opinion": "x"}),
        json!({"action": "pass", "opinion": "x"}),
    ] {
        let (s, b) = act(&app, &counter, id, a.clone()).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_step_role")), "{a}: {b}");
    }
    let (s, b) = act(&app, &counter, id, json!({"action": "joint_answer", "agree": true, "opinion": "x"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_joint_member")), "{b}");
    // A user id that does not exist tells nothing: refused for the actor's
    // own right first, then like a colleague who may not receive the case.
    let (s, b) = act(&app, &counter, id, json!({"action": "transfer", "to_user": 999_999, "opinion": "x"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_step_role")), "{b}");
    let elsewhere = app.user_id("demo_land").await;
    let (s1, b1) = act(&app, &reviewer, id, json!({"action": "transfer", "to_user": elsewhere, "opinion": "x"})).await;
    let (s2, b2) = act(&app, &reviewer, id, json!({"action": "transfer", "to_user": 999_999, "opinion": "x"})).await;
    assert_eq!((b2["code"].as_str(), b2["detail"].as_str()), (Some("invalid_action"), Some("to_user")), "{b2}");
    assert_eq!((s1, &b1), (s2, &b2));
    // The case did not move; the reviewer acts, and the event records the role.
    let c = case(&app, &reviewer, id).await;
    assert_eq!(c["case"]["step_name"], "审查", "{c}");
    act_ok(&app, &reviewer, id, json!({"action": "special_start", "kind": "现场核查", "opinion": "现场核查经营场所"}))
        .await;
    let c = case(&app, &head, id).await;
    let last = c["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["kind"].as_str(), last["role"].as_str()), (Some("special_started"), Some("reviewer")), "{last}");
    // The applicant's timeline names no officer.
    let mine = case(&app, &citizen, id).await;
    assert_staff_unnamed(&mine);
    // Her own acts keep her account; staff read every officer's.
    let citizen_id = app.user_id("demo_citizen").await;
    let events = |c: &Value| c["events"].as_array().unwrap().clone();
    assert!(events(&mine).iter().any(|e| e["role"].is_null() && e["actor_id"] == citizen_id), "{mine}");
    let staff_events: Vec<Value> = events(&c).into_iter().filter(|e| e["role"].is_string()).collect();
    assert!(!staff_events.is_empty(), "{c}");
    for e in staff_events {
        assert!(e["actor_id"].is_i64() && e["body"]["actor_id"] == e["actor_id"], "{e}");
    }
    // Her page says 工作人员 for them, as the API does (not 系统).
    let (s, html) = page(&signed(&citizen), &app, &format!("/cases/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let staff_lines = events(&mine).iter().filter(|e| e["role"].is_string()).count();
    assert!(html.matches(" · 工作人员").count() >= staff_lines, "{html}");
    assert_invariants(&app).await;
});

both_backends!(
    an_online_application_is_withdrawn_by_its_applicant_or_at_a_written_request,
    |store: Store| async move {
        let app = App::start(store).await;
        let item = joint_item(&app).await;
        let [citizen, counter, reviewer, head] =
            app.ready_tokens(["demo_citizen", "demo_counter", "demo_reviewer", "demo_head"]).await;

        // The counter cannot withdraw an online application on its own.
        let id = apply(&app, &citizen, item).await;
        let (s, b) = act(&app, &counter, id, json!({"action": "withdraw", "opinion": "申请人电话要求撤回"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("withdrawal_needs_request")), "{b}");
        // It records the applicant's written request; nothing else moves.
        let b = act_ok(
            &app,
            &counter,
            id,
            json!({"action": "withdrawal_request", "opinion": "申请人2026年12月5日书面申请撤回"}),
        )
        .await;
        assert_eq!(b["state"], "submitted", "{b}");
        let (s, b) = act(&app, &counter, id, json!({"action": "withdrawal_request", "opinion": "再次登记"})).await;
        assert_eq!(s, StatusCode::CONFLICT, "one request at a time: {b}");
        let c = case(&app, &head, id).await;
        assert_eq!(c["withdrawal_requested"], "申请人2026年12月5日书面申请撤回", "{c}");
        assert!(c["actions"].as_array().unwrap().iter().any(|a| a == "withdraw"), "the head decides: {c}");
        assert!(c["actions"].as_array().unwrap().iter().any(|a| a == "withdrawal_decline"), "{c}");
        // Only the department head decides it.
        for t in [&counter, &reviewer] {
            let (s, b) = act(&app, t, id, json!({"action": "withdraw", "opinion": "同意"})).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        }
        let b = act_ok(&app, &head, id, json!({"action": "withdraw", "opinion": "同意撤回"})).await;
        assert_eq!(b["state"], "withdrawn", "{b}");

        // Declined: the case goes on, and the request is no longer pending.
        let id = apply(&app, &citizen, item).await;
        act_ok(&app, &counter, id, json!({"action": "withdrawal_request", "opinion": "书面申请撤回"})).await;
        let b =
            act_ok(&app, &head, id, json!({"action": "withdrawal_decline", "opinion": "申请人已到窗口说明继续办理"}))
                .await;
        assert_eq!(b["state"], "submitted", "{b}");
        let c = case(&app, &head, id).await;
        assert!(c["withdrawal_requested"].is_null(), "{c}");
        let (s, b) = act(&app, &head, id, json!({"action": "withdrawal_decline", "opinion": "x"})).await;
        assert_eq!(s, StatusCode::CONFLICT, "nothing pending: {b}");
        // The applicant still withdraws their own application, and sees no officer named.
        let b = act_ok(&app, &citizen, id, json!({"action": "withdraw", "opinion": "不再需要"})).await;
        assert_eq!(b["state"], "withdrawn", "{b}");
        let mine = case(&app, &citizen, id).await;
        let kinds: Vec<&str> = mine["events"].as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
        assert!(kinds.contains(&"withdrawal_requested") && kinds.contains(&"withdrawal_declined"), "{kinds:?}");
        assert_staff_unnamed(&mine);
        assert_invariants(&app).await;
    }
);

both_backends!(
    the_case_page_offers_the_written_withdrawal_request_to_the_counter_and_the_decision_to_the_head,
    |store: Store| async move {
        let app = App::start(store).await;
        let item = joint_item(&app).await;
        let citizen = app.ready_token("demo_citizen").await;
        let id = apply(&app, &citizen, item).await;
        let counter = signed(&app.ready_token("demo_counter").await);
        let (s, html) = page(&counter, &app, &format!("/cases/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("登记申请人书面撤回申请"), "the counter records the request");
        assert!(!html.contains("value=\"withdraw\""), "the counter has no withdraw form for an online case");
        let (s, _, _) =
            page_act(&counter, &app, id, &[("action", "withdrawal_request"), ("opinion", "申请人书面申请撤回")]).await;
        assert!(s.is_success() || s.is_redirection(), "{s}");
        let head = signed(&app.ready_token("demo_head").await);
        let (_, html) = page(&head, &app, &format!("/cases/{id}")).await;
        assert!(html.contains("申请人已书面申请撤回本申请，待部门负责人决定"), "the pending request is shown");
        assert!(html.contains("同意撤回") && html.contains("不同意撤回，继续办理"), "the head decides");
    }
);
