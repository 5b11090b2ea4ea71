//! Electronic supervision through the API, on SQLite and PostgreSQL: cases
//! driven past each threshold with the controllable clock give exactly the
//! findings of the rules, once; the rectification and oversight flows; rule
//! editing; the job's lease; supervision acts on no case.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

async fn evaluate(app: &App, sup: &str, full: bool) -> Value {
    let (s, b) = body(app.post(sup, "/api/v1/supervision/evaluate", json!({"full": full})).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

/// The rule codes of a case's findings, sorted.
async fn rules_of(app: &App, sup: &str, case: i64) -> Vec<String> {
    let (s, b) = body(app.get(sup, &format!("/api/v1/supervision/findings?case_id={case}")).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let mut v: Vec<String> =
        b["rows"].as_array().unwrap().iter().map(|r| r["rule_code"].as_str().unwrap().to_string()).collect();
    v.sort();
    v
}

/// Changes a supervision rule through the API; the status and the answer.
async fn set_rule(app: &App, token: &str, rule: &str, change: Value) -> (StatusCode, Value) {
    body(app.put(token, &format!("/api/v1/supervision/rules/{rule}"), change).await).await
}

async fn finding(app: &App, sup: &str, case: i64, rule: &str) -> Value {
    let (_, b) = body(app.get(sup, &format!("/api/v1/supervision/findings?case_id={case}&rule={rule}")).await).await;
    b["rows"][0].clone()
}

both_backends!(thresholds_findings_rectification_and_orders, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let (market, item) = market_item(&app, "TESTSUPV00000000000000000000001").await;
    let [citizen, counter] = app.ready_tokens(["demo_citizen", "demo_counter"]).await;
    // Made ready now (password changed); signed in again after the clock moves.
    app.ready_token("demo_head").await;
    let sup = app.ready_token("demo_supervisor").await;

    // A: accepted on Friday and passed its first step: promised 10 working
    // days (2025-10-16, the make-up days 09-28 and 10-11 count), legal 20
    // (2025-10-30); the review step has 6 working days from 09-26 (2025-10-11).
    let a = apply(&app, &citizen, item).await;
    assert_eq!(act(&app, &counter, a, json!({"action": "accept"})).await.0, StatusCode::OK);
    assert_eq!(act(&app, &counter, a, json!({"action": "pass", "opinion": "材料齐全"})).await.0, StatusCode::OK);
    let (_, ca) = body(app.get(&sup, &format!("/api/v1/cases/{a}")).await).await;
    let row = &ca["case"];
    assert_eq!(
        (row["promised_due"].as_str(), row["legal_due"].as_str(), row["step_due"].as_str()),
        (Some("2025-10-16"), Some("2025-10-30"), Some("2025-10-11")),
        "{ca}"
    );
    // B: never decided: deemed accepted after five working days (2025-10-10).
    let b = apply(&app, &citizen, item).await;
    // C: two supplement notices.
    let c = apply(&app, &citizen, item).await;
    let (_, up) = upload(&app, &citizen, PDF, "营业执照.pdf").await;
    for x in [
        json!({"action": "supplement_request", "missing": ["营业执照复印件"]}),
        json!({"action": "supplement_provide", "materials": [{"material_no": 1, "upload_id": up["id"]}]}),
        json!({"action": "supplement_request", "missing": ["法定代表人身份证明"]}),
    ] {
        let who = if x["action"] == "supplement_provide" { &citizen } else { &counter };
        let (s, r) = act(&app, who, c, x.clone()).await;
        assert_eq!(s, StatusCode::OK, "{x}: {r}");
    }

    // Supervision acts on no case.
    let seq = ca["case"]["seq"].clone();
    let (s, r) = act(&app, &sup, a, json!({"action": "urge", "opinion": "请加快办理"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{r}");
    let (_, again) = body(app.get(&sup, &format!("/api/v1/cases/{a}")).await).await;
    assert_eq!(again["case"]["seq"], seq, "nothing appended");

    // Day 0: the first run is a full one; only C's second notice is a finding.
    let r = evaluate(&app, &sup, false).await;
    assert_eq!(r["mode"], "full", "{r}");
    assert_eq!(r["by_rule"], json!({"A02": 1}), "{r}");
    let a02 = finding(&app, &sup, c, "A02").await;
    assert!(a02["finding_no"].as_str().unwrap().starts_with("SV20250926"), "{a02}");
    assert_eq!((a02["state"].as_str(), a02["reply_due"].as_str()), (Some("open"), Some("2025-10-10")), "{a02}");
    assert_eq!(a02["department_id"], market);
    assert!(a02["description"].as_str().unwrap().contains("2 次补正通知"), "{a02}");
    // Idempotent: the same facts again are no new findings, full or not.
    let r = evaluate(&app, &sup, true).await;
    assert_eq!(r["new_findings"], 0, "{r}");
    let r = evaluate(&app, &sup, false).await;
    assert_eq!(
        (r["mode"].as_str(), r["new_findings"].as_i64(), r["cases_read"].as_i64()),
        (Some("incremental"), Some(0), Some(0)),
        "{r}"
    );

    // 10-10 (Friday): nothing has crossed yet: A's step is due tomorrow (a make-up Saturday).
    day(&app, "2025-10-10").await;
    let sup = app.signed_in("demo_supervisor").await;
    assert_eq!(rules_of(&app, &sup, a).await, Vec::<String>::new());
    assert_eq!(rules_of(&app, &sup, b).await, Vec::<String>::new());
    // 10-13 (Monday): B is deemed accepted by the job (A01) and, counted from
    // receipt, its first step (due 09-28) is overdue; A's review step is overdue (W02).
    day(&app, "2025-10-13").await;
    let sup = app.signed_in("demo_supervisor").await;
    assert_eq!(rules_of(&app, &sup, a).await, vec!["W02"]);
    assert_eq!(rules_of(&app, &sup, b).await, vec!["A01", "W02"]);
    let w02 = finding(&app, &sup, a, "W02").await;
    assert_eq!(
        (w02["severity"].as_str(), w02["state"].as_str(), &w02["reply_due"]),
        (Some("warning"), Some("noted"), &Value::Null)
    );
    // 10-15: one working day before the promised deadline → W01.
    day(&app, "2025-10-14").await;
    let sup = app.signed_in("demo_supervisor").await;
    assert_eq!(rules_of(&app, &sup, a).await, vec!["W02"]);
    day(&app, "2025-10-15").await;
    let sup = app.signed_in("demo_supervisor").await;
    assert_eq!(rules_of(&app, &sup, a).await, vec!["W01", "W02"]);
    // 10-17: the promised limit passed → yellow card (to be replied by 10-24).
    day(&app, "2025-10-16").await;
    let sup = app.signed_in("demo_supervisor").await;
    assert_eq!(rules_of(&app, &sup, a).await, vec!["W01", "W02"]);
    day(&app, "2025-10-17").await;
    let sup = app.signed_in("demo_supervisor").await;
    assert_eq!(rules_of(&app, &sup, a).await, vec!["W01", "W02", "Y01"]);
    assert_eq!(rules_of(&app, &sup, b).await, vec!["A01", "W01", "W02", "Y01"]);
    let y_a = finding(&app, &sup, a, "Y01").await;
    assert_eq!((y_a["severity"].as_str(), y_a["reply_due"].as_str()), (Some("yellow"), Some("2025-10-24")), "{y_a}");
    assert_eq!(y_a["responsible_name"], "吴海", "unassigned: the department head answers for it");
    let y_a_id = y_a["id"].as_i64().unwrap();
    // The department head was told.
    let head = app.signed_in("demo_head").await;
    let (_, inbox) = body(app.get(&head, "/api/v1/me/notifications").await).await;
    assert!(inbox["messages"].as_array().unwrap().iter().any(|m| m["title"] == "新的电子监察事项"), "{inbox}");

    // Rectification: only the department replies, only supervision decides.
    let path = format!("/api/v1/supervision/findings/{y_a_id}/actions");
    let (s, e) = body(app.post(&sup, &path, json!({"action": "reply", "text": "已整改"})).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let (s, e) = body(app.post(&head, &path, json!({"action": "accept"})).await).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (StatusCode::CONFLICT, Some("supervision_conflict")),
        "the state forbids it first: {e}"
    );
    let (s, e) = body(app.post(&head, &path, json!({"action": "reply", "text": "  "})).await).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_supervision")), "{e}");
    let (s, d) =
        body(app.post(&head, &path, json!({"action": "reply", "text": "审查人员病假，已调整人员加快办理"})).await)
            .await;
    assert_eq!((s, d["finding"]["state"].as_str()), (StatusCode::OK, Some("replied")), "{d}");
    assert_eq!(d["actions"], json!([]), "the department waits for the decision");
    let (s, d) = body(app.post(&sup, &path, json!({"action": "reject", "text": "未说明何时办结"})).await).await;
    assert_eq!(
        (s, d["finding"]["state"].as_str(), d["finding"]["reply_due"].as_str()),
        (StatusCode::OK, Some("open"), Some("2025-10-24")),
        "{d}"
    );
    let (s, _) = body(app.post(&head, &path, json!({"action": "reply", "text": "已于10月20日前办结"})).await).await;
    assert_eq!(s, StatusCode::OK);
    let (s, d) = body(app.post(&sup, &path, json!({"action": "accept", "text": "整改到位"})).await).await;
    assert_eq!((s, d["finding"]["state"].as_str()), (StatusCode::OK, Some("closed")), "{d}");
    let kinds: Vec<&str> = d["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["reply", "reject", "reply", "accept"]);
    // Another department's staff do not see it.
    let land = app.ready_token("demo_land").await;
    let (s, _) = body(app.get(&land, &format!("/api/v1/supervision/findings/{y_a_id}")).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, mine) = body(app.get(&land, "/api/v1/supervision/findings").await).await;
    assert_eq!(mine["total"], 0, "{mine}");

    // Oversight order on B's yellow card, repeat-safe.
    let y_b = finding(&app, &sup, b, "Y01").await;
    let order = json!({"finding_id": y_b["id"], "content": "请于两个工作日内说明超期原因并办结", "days": 2, "idem_key": "order-b-1"});
    let (s, o) = body(app.post(&sup, "/api/v1/supervision/orders", order.clone()).await).await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    assert_eq!((o["order"]["due"].as_str(), o["order"]["case_id"].as_i64()), (Some("2025-10-21"), Some(b)), "{o}");
    assert!(o["order"]["order_no"].as_str().unwrap().starts_with("DB20251017"), "{o}");
    let (s, o2) = body(app.post(&sup, "/api/v1/supervision/orders", order).await).await;
    assert_eq!((s, &o2["order"]["id"]), (StatusCode::OK, &o["order"]["id"]), "the repeat returns the first order");
    let (s, e) = body(
        app.post(&head, "/api/v1/supervision/orders", json!({"department_id": market, "content": "x", "days": 2}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let (s, e) = body(
        app.post(&sup, "/api/v1/supervision/orders", json!({"department_id": market, "content": "x", "days": 0})).await,
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_supervision")), "{e}");
    let oid = o["order"]["id"].as_i64().unwrap();
    // Unanswered past its due day (10-21), it escalates once on 10-22, with two more working days.
    day(&app, "2025-10-21").await;
    let sup = app.signed_in("demo_supervisor").await;
    let (_, od) = body(app.get(&sup, &format!("/api/v1/supervision/orders/{oid}")).await).await;
    assert_eq!(od["order"]["level"], 0, "{od}");
    day(&app, "2025-10-22").await;
    let sup = app.signed_in("demo_supervisor").await;
    let head = app.signed_in("demo_head").await;
    let (_, od) = body(app.get(&sup, &format!("/api/v1/supervision/orders/{oid}")).await).await;
    assert_eq!((od["order"]["level"].as_i64(), od["order"]["due"].as_str()), (Some(1), Some("2025-10-24")), "{od}");
    zwfw_app::run_jobs(&app.state).await.unwrap();
    let (_, od) = body(app.get(&sup, &format!("/api/v1/supervision/orders/{oid}")).await).await;
    assert_eq!(od["order"]["level"], 1, "once per passed due day");
    let opath = format!("/api/v1/supervision/orders/{oid}/actions");
    let (s, d) = body(app.post(&head, &opath, json!({"action": "answer", "text": "已办结并约谈经办人"})).await).await;
    assert_eq!((s, d["order"]["state"].as_str()), (StatusCode::OK, Some("answered")), "{d}");
    let (s, d) = body(app.post(&sup, &opath, json!({"action": "accept"})).await).await;
    assert_eq!((s, d["order"]["state"].as_str()), (StatusCode::OK, Some("closed")), "{d}");

    // R02: B's yellow card (found 10-17) is still not rectified five working days later.
    assert!(!rules_of(&app, &sup, b).await.contains(&"R02".to_string()));
    day(&app, "2025-10-27").await;
    let sup = app.signed_in("demo_supervisor").await;
    assert_eq!(rules_of(&app, &sup, a).await, vec!["W01", "W02", "Y01"], "A's card was rectified");
    assert_eq!(rules_of(&app, &sup, b).await, vec!["A01", "R02", "W01", "W02", "Y01"]);
    // R01 from the day after the legal deadline (10-30).
    day(&app, "2025-10-31").await;
    let sup = app.signed_in("demo_supervisor").await;
    assert_eq!(rules_of(&app, &sup, a).await, vec!["R01", "W01", "W02", "Y01"]);
    assert_eq!(rules_of(&app, &sup, b).await, vec!["A01", "R01", "R02", "W01", "W02", "Y01"]);

    // Rules: only supervision edits them, within range, with a reason; the next run is full.
    let (s, e) =
        set_rule(&app, &sup, "W01", json!({"enabled": true, "days": 11, "reply_days": 5, "reason": "调整"})).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_supervision")), "{e}");
    assert!(e["detail"].as_str().unwrap().contains("0 至 10"), "{e}");
    let head = app.signed_in("demo_head").await;
    let (s, _) =
        set_rule(&app, &head, "R03", json!({"enabled": true, "count": 2, "reply_days": 5, "reason": "从严"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = set_rule(&app, &sup, "R03", json!({"enabled": true, "count": 2, "reply_days": 5, "reason": ""})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // Two yellow cards in October for the market department: with R03 at 2, a red card for the department.
    let (s, rule) =
        set_rule(&app, &sup, "R03", json!({"enabled": true, "count": 2, "reply_days": 5, "reason": "从严考核"})).await;
    assert_eq!((s, rule["params"]["count"].as_i64()), (StatusCode::OK, Some(2)), "{rule}");
    let r = evaluate(&app, &sup, false).await;
    assert_eq!((r["mode"].as_str(), &r["by_rule"]), (Some("full"), &json!({"R03": 1})), "{r}");
    let (_, r03) = body(app.get(&sup, "/api/v1/supervision/findings?rule=R03").await).await;
    assert_eq!(
        (r03["rows"][0]["object_kind"].as_str(), r03["rows"][0]["fact_key"].as_str()),
        (Some("department"), Some("2025-10")),
        "{r03}"
    );
    let (_, audit) = body(app.get(&sup, "/api/v1/audit?object_type=supervision_rule").await).await;
    assert!(audit.to_string().contains("从严考核"), "the change and its reason are audited: {audit}");

    filters_agree_with_the_findings(&app).await;

    // The dashboard: the market department is red (R01 twice, R02, R03); A's yellow card is closed.
    let (s, dash) = body(app.get(&sup, "/api/v1/supervision/dashboard").await).await;
    assert_eq!(s, StatusCode::OK, "{dash}");
    let m = dash["departments"].as_array().unwrap().iter().find(|d| d["id"] == market).unwrap().clone();
    assert_eq!((m["status"].as_str(), m["red"].as_i64(), m["yellow"].as_i64()), (Some("red"), Some(4), Some(1)), "{m}");
    assert_eq!(
        (m["warning"].as_i64(), m["anomaly"].as_i64()),
        (Some(4), Some(2)),
        "W01 and W02 of A and B; A01 and A02: {m}"
    );
    assert_eq!(dash["totals"]["red"], 4, "{dash}");
    assert_eq!(m["open_cases"], 2, "A and B; C waits for the applicant: {m}");
    assert_eq!(dash["trend"].as_array().unwrap().len(), 30);
    let (s, _) = body(app.get(&head, "/api/v1/supervision/dashboard").await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The running counts the dashboard reads agree with a count of the findings.
    let mut kept: Vec<(String, String, i64)> =
        zwfw_store::supervision::tallies(&app.state.store, "active", "").await.unwrap();
    let mut counted: Vec<(String, String, i64)> = zwfw_store::supervision::count_active(&app.state.store)
        .await
        .unwrap()
        .into_iter()
        .map(|(d, s, n)| (d.map(|d| d.to_string()).unwrap_or_default(), s, n))
        .collect();
    kept.sort();
    counted.sort();
    assert_eq!(kept, counted);
    assert_invariants(&app).await;
});

both_backends!(overdue_messages_fees_and_the_job_lease, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let (market, item) = market_item(&app, "TESTSUPV00000000000000000000002").await;
    let [citizen, counter, reviewer, head, sup] =
        app.ready_tokens(["demo_citizen", "demo_counter", "demo_reviewer", "demo_head", "demo_supervisor"]).await;

    // A consultation due 10-10 and a case granted with a fee the item does not charge.
    let (s, q) = submit_interaction(
        &app,
        &citizen,
        json!({"kind": "consultation", "title": "营业时间", "content": "周末能办吗", "department_id": market}),
    )
    .await;
    assert_eq!((s, q["due"].as_str()), (StatusCode::CREATED, Some("2025-10-10")), "{q}");
    let id = apply(&app, &citizen, item).await;
    for (who, a) in [
        (&counter, json!({"action": "accept"})),
        (&counter, json!({"action": "pass", "opinion": "材料齐全"})),
        (&reviewer, json!({"action": "pass", "opinion": "审查通过"})),
        (&head, json!({"action": "pass", "opinion": "同意"})),
        (&head, json!({"action": "conclude", "outcome": "granted", "document_no": "JY1529900000010", "fee_fen": 5000})),
    ] {
        act_ok(&app, who, id, a).await;
    }
    let (s, b) =
        act(&app, &head, id, json!({"action": "conclude", "outcome": "granted", "document_no": "X", "fee_fen": -1}))
            .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");

    // The first run reads every open case; the granted one is not open, so A04 waits for the change feed.
    let r = evaluate(&app, &sup, false).await;
    assert_eq!(r["mode"], "full");
    assert_eq!(rules_of(&app, &sup, id).await, Vec::<String>::new());
    // A run that starts from the feed sees the conclusion: reset to just before it.
    let head_seq = zwfw_store::audit::head_seq(&app.state.store).await.unwrap();
    let state = json!({"seq": head_seq - 20, "day": "2025-09-26", "warn_until": "2025-09-28"}).to_string();
    app.sql("UPDATE jobs SET state = $1 WHERE name = 'supervision'", state).await;
    let r = evaluate(&app, &sup, false).await;
    assert_eq!((r["mode"].as_str(), &r["by_rule"]), (Some("incremental"), &json!({"A04": 1})), "{r}");
    let a04 = finding(&app, &sup, id, "A04").await;
    assert!(a04["description"].as_str().unwrap().contains("实收费用 50.00 元"), "{a04}");

    // Another server holds the job: this one waits (409), until the lease runs out.
    let taken =
        zwfw_store::supervision::claim_job(&app.state.store, "supervision", "other-server", app.state.now_ms(), 60_000)
            .await
            .unwrap();
    assert!(taken.is_some());
    let (s, e) = body(app.post(&sup, "/api/v1/supervision/evaluate", json!({})).await).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("evaluation_running")), "{e}");
    assert!(zwfw_app::supervision::evaluate(&app.state, false).await.unwrap().is_none());

    // 10-13: the consultation is overdue (A08) once the lease is free again.
    day(&app, "2025-10-13").await;
    let sup = app.signed_in("demo_supervisor").await;
    let (_, a08) = body(app.get(&sup, "/api/v1/supervision/findings?rule=A08").await).await;
    assert_eq!(a08["total"], 1, "{a08}");
    assert_eq!(
        (a08["rows"][0]["object_kind"].as_str(), a08["rows"][0]["object_id"].as_i64()),
        (Some("interaction"), q["id"].as_i64())
    );
    assert_eq!(a08["rows"][0]["severity"], "anomaly");
    let job = zwfw_store::supervision::job(&app.state.store, "supervision").await.unwrap().unwrap();
    assert_eq!((job.locked_by, job.last_error), (None, None), "the lease is given back");

    // A change made around the program: an audit record rewritten in the database (A07), found once.
    let seq = zwfw_store::audit::head_seq(&app.state.store).await.unwrap() - 1;
    app.sql("UPDATE audit_log SET reason = '改过' WHERE seq = $1", seq).await;
    let r = evaluate(&app, &sup, false).await;
    assert_eq!(r["by_rule"], json!({"A07": 1}), "{r}");
    let (_, a07) = body(app.get(&sup, "/api/v1/supervision/findings?rule=A07").await).await;
    assert_eq!(
        (a07["rows"][0]["object_kind"].as_str(), a07["rows"][0]["object_id"].as_i64()),
        (Some("audit"), Some(seq))
    );
    assert!(a07["rows"][0]["description"].as_str().unwrap().contains(&format!("审计记录第 {seq} 条")), "{a07}");
    let r = evaluate(&app, &sup, true).await;
    assert_eq!(r["new_findings"], 0, "{r}");
    let (_, dash) = body(app.get(&sup, "/api/v1/supervision/dashboard").await).await;
    assert!(dash["totals"]["anomaly"].as_i64().unwrap() >= 2, "A04, A08 and A07 (no department): {dash}");
    assert_invariants(&app).await;
});

both_backends!(supervision_pages_rules_replies_and_assets, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let (_, item) = market_item(&app, "TESTSUPV00000000000000000000003").await;
    let [citizen, counter, sup_token, head_token, land_token] =
        app.ready_tokens(["demo_citizen", "demo_counter", "demo_supervisor", "demo_head", "demo_land"]).await;
    let id = apply(&app, &citizen, item).await;
    assert_eq!(act(&app, &counter, id, json!({"action": "accept"})).await.0, StatusCode::OK);
    // 2025-10-17: the promised day (10-16) has passed.
    app.advance(zwfw_domain::time::parse_rfc3339("2025-10-17T10:00:00+08:00").unwrap() - app.state.now_ms());
    let sup = signed(&app.signed_in("demo_supervisor").await);
    let head = signed(&app.signed_in("demo_head").await);
    let land = signed(&app.signed_in("demo_land").await);
    let _ = (sup_token, head_token, land_token);

    // The dashboard's evaluate button, then the figures; the chart data cannot close its script element.
    let (_, html) = page(&sup, &app, "/supervision").await;
    assert!(html.contains("电子监察总览"), "{html}");
    // No county registered to report by package: the section says so rather than vanishing.
    assert!(html.contains("区县报送") && html.contains("尚未登记任何以离线包报送的县区"), "{html}");
    let csrf = csrf_of(&html);
    let r = sup.post(app.url("/supervision/evaluate")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&sup, &app, "/supervision?done=evaluate").await;
    assert!(html.contains("评估已完成"));
    let data = html.split("id=\"dash-data\">").nth(1).unwrap().split("</script>").next().unwrap();
    assert!(!data.contains('<') && data.contains("示例市市场监督管理局"), "{data}");
    // Department staff have no dashboard: they go to their findings.
    let r = head.get(app.url("/supervision")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/supervision/findings");
    let (s, list) = page(&head, &app, "/supervision/findings?state=active&severity=yellow").await;
    assert_eq!(s, StatusCode::OK);
    assert!(list.contains("黄牌") && list.contains("超承诺时限"), "{list}");
    let fid: i64 = list.split("/supervision/findings/").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();

    // The head replies with an attachment; the file is theirs and supervision's to read, not another department's.
    let (_, fpage) = page(&head, &app, &format!("/supervision/findings/{fid}")).await;
    let csrf = csrf_of(&fpage);
    let form = reqwest::multipart::Form::new()
        .text("action", "reply")
        .text("text", "已整改：增派人员")
        .part("attachment", pdf_part("整改报告.pdf"));
    let r = post_form(&head, &app, &format!("/supervision/findings/{fid}/act?_csrf={csrf}"), form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    let (_, fpage) = page(&sup, &app, &format!("/supervision/findings/{fid}")).await;
    assert!(fpage.contains("整改报告.pdf") && fpage.contains("待审核"), "{fpage}");
    let sm3 = between(&fpage, &format!("/supervision/findings/{fid}/files/"), "\"");
    let r = sup.get(app.url(&format!("/supervision/findings/{fid}/files/{sm3}"))).send().await.unwrap();
    assert_eq!((r.status(), r.bytes().await.unwrap().as_ref()), (StatusCode::OK, PDF));
    let r = land.get(app.url(&format!("/supervision/findings/{fid}/files/{sm3}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A second reply while waiting for the decision: refused with the reason, nothing stored.
    let form = reqwest::multipart::Form::new().text("action", "reply").text("text", "再次回复");
    let r = post_form(&head, &app, &format!("/supervision/findings/{fid}/act?_csrf={csrf}"), form).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("当前状态（待审核）下不能进行该操作"));
    let events = zwfw_store::supervision::events(&app.state.store, "finding", fid).await.unwrap();
    assert_eq!(events.len(), 1);

    // Rules: a value out of range is refused in Chinese and changes nothing; a good one is saved.
    let (_, rules) = page(&sup, &app, "/supervision/rules").await;
    assert!(rules.contains("修改 W01"), "supervision edits rules");
    let csrf = csrf_of(&rules);
    let bad = [("_csrf", csrf.as_str()), ("enabled", "1"), ("days", "30"), ("reply_days", "5"), ("reason", "调整")];
    let r = sup.post(app.url("/supervision/rules/W01")).form(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("参数“天数”应在 0 至 10 之间"));
    let good =
        [("_csrf", csrf.as_str()), ("enabled", "1"), ("days", "2"), ("reply_days", "5"), ("reason", "提前两日预警")];
    let r = sup.post(app.url("/supervision/rules/W01")).form(&good).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, rules) = page(&sup, &app, "/supervision/rules?done=rule").await;
    assert!(rules.contains("天数 2"), "{rules}");
    let (_, rules) = page(&head, &app, "/supervision/rules").await;
    assert!(!rules.contains("修改 W01"), "department staff read the rules only");
    let r = head.post(app.url("/supervision/rules/W01")).form(&good).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The charting library is served by the program, compressed when the browser accepts it.
    let r =
        client().get(app.url("/assets/echarts-5.6.0.min.js")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let r = reqwest::Client::builder()
        .no_gzip()
        .build()
        .unwrap()
        .get(app.url("/assets/echarts-5.6.0.min.js"))
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("content-encoding").is_none());
    let js = r.text().await.unwrap();
    assert!(js.len() > 900_000 && js.contains("echarts"), "the whole library, uncompressed");
});

both_backends!(conduct_complaint_becomes_a_finding, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let [citizen, sup, head] = app.ready_tokens(["demo_citizen", "demo_supervisor", "demo_head"]).await;
    let complaint = |conduct: bool| {
        json!({"kind": "complaint", "title": "窗口人员态度差", "content": "办理时被推诿", "department_id": market,
               "accused_unit": "示例市市场监督管理局", "accused_person": "某工作人员", "staff_conduct": conduct})
    };
    let (s, c) = submit_interaction(&app, &citizen, complaint(true)).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_i64().unwrap();
    let (_, plain) = submit_interaction(&app, &citizen, complaint(false)).await;
    let path = |id: i64| format!("/api/v1/interactions/{id}/finding");
    let found = "经调取窗口录像核实，经办人员存在推诿情况";

    // Only supervision; only a complaint about staff conduct; what was found is required; the person is of the department.
    let (s, _) = body(app.post(&head, &path(id), json!({"found": found})).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, r) = body(app.post(&sup, &path(plain["id"].as_i64().unwrap()), json!({"found": found})).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert!(r["message"].as_str().unwrap().contains("只有反映工作人员作风问题的投诉"), "{r}");
    let (s, r) = body(app.post(&sup, &path(id), json!({"found": "  "})).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert!(r["message"].as_str().unwrap().contains("核实情况"), "{r}");
    let land_user = app.user_id("demo_land").await;
    let (s, r) = body(app.post(&sup, &path(id), json!({"found": found, "responsible_user_id": land_user})).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    let (_, none) = body(app.get(&sup, "/api/v1/supervision/findings?rule=Y02").await).await;
    assert_eq!(none["total"], 0, "refusals change nothing: {none}");

    // Recorded: a yellow card for the market department, the counter officer responsible, due in 5 working days.
    let counter = app.user_id("demo_counter").await;
    let (s, f) = body(app.post(&sup, &path(id), json!({"found": found, "responsible_user_id": counter})).await).await;
    assert_eq!(s, StatusCode::OK, "{f}");
    assert_eq!(
        (f["rule_code"].as_str(), f["severity"].as_str(), f["state"].as_str(), f["reply_due"].as_str()),
        (Some("Y02"), Some("yellow"), Some("open"), Some("2025-10-10")),
        "{f}"
    );
    assert_eq!((f["department_id"].as_i64(), f["responsible_name"].as_str()), (Some(market), Some("李娜")), "{f}");
    assert!(f["description"].as_str().unwrap().contains(found), "{f}");
    // Asking again answers with the same finding.
    let (s, again) = body(app.post(&sup, &path(id), json!({"found": "再次"})).await).await;
    assert_eq!((s, again["id"].clone()), (StatusCode::OK, f["id"].clone()));
    let (_, all) = body(app.get(&sup, "/api/v1/supervision/findings?rule=Y02").await).await;
    assert_eq!(all["total"], 1, "{all}");
    // The complainant sees it on the timeline; the dashboard counts the card; the head rectifies.
    let (_, d) = body(app.get(&citizen, &format!("/api/v1/interactions/{id}")).await).await;
    assert!(d["events"].as_array().unwrap().iter().any(|e| e["kind"] == "supervision_finding"), "{d}");
    let (_, dash) = body(app.get(&sup, "/api/v1/supervision/dashboard").await).await;
    assert_eq!(dash["totals"]["yellow"], 1, "{dash}");
    let fpath = format!("/api/v1/supervision/findings/{}/actions", f["id"]);
    let (s, r) =
        body(app.post(&head, &fpath, json!({"action": "reply", "text": "已对经办人员批评教育并调整岗位"})).await).await;
    assert_eq!((s, r["finding"]["state"].as_str()), (StatusCode::OK, Some("replied")), "{r}");

    // The page shows the link; with the rule switched off nothing more is recorded.
    let browser = signed(&sup);
    let (_, html) = page(&browser, &app, &format!("/interact/{}", c["code"].as_str().unwrap())).await;
    assert!(html.contains(&format!("已转为监察事项 <a href=\"/supervision/findings/{}\">", f["id"])), "{html}");
    let r = app
        .put(&sup, "/api/v1/supervision/rules/Y02", json!({"enabled": false, "reply_days": 5, "reason": "暂停"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (_, other) = submit_interaction(&app, &citizen, complaint(true)).await;
    let (s, r) = body(app.post(&sup, &path(other["id"].as_i64().unwrap()), json!({"found": found})).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert!(r["message"].as_str().unwrap().contains("已停用"), "{r}");
    assert_invariants(&app).await;
});

both_backends!(changes_around_the_program_are_found, |store: Store| async move {
    use zwfw_store::{db::query, Backend};
    let app = App::start_at(store, FRIDAY).await;
    let (market, item) = market_item(&app, "TESTGUARD0000000000000000000001").await;
    let [citizen, counter, sup] = app.ready_tokens(["demo_citizen", "demo_counter", "demo_supervisor"]).await;
    let case = apply(&app, &citizen, item).await;
    assert_eq!(act(&app, &counter, case, json!({"action": "accept"})).await.0, StatusCode::OK);
    evaluate(&app, &sup, true).await;
    assert_invariants(&app).await;
    let pool = || app.state.store.pool();
    let int = |r: &zwfw_store::db::Row, c: &str| match r.value(c) {
        Some(zwfw_store::db::Value::Int(i)) => *i,
        v => panic!("{c}: {v:?}"),
    };

    // Three changes made in the database by hand: an append-only case event
    // rewritten, an item's change record deleted, a published version edited.
    query("UPDATE case_events SET body = '{}' WHERE case_id = $1 AND seq = 1")
        .bind(case)
        .execute(pool())
        .await
        .unwrap();
    let ev = query("SELECT MAX(id) AS id FROM item_events").fetch_one(pool()).await.unwrap();
    let ev_id = int(&ev, "id");
    query("DELETE FROM item_events WHERE id = $1").bind(ev_id).execute(pool()).await.unwrap();
    let v =
        query("SELECT published_version_id AS v FROM items WHERE id = $1").bind(item).fetch_one(pool()).await.unwrap();
    let version = int(&v, "v");
    query("UPDATE item_versions SET content = content || ' ' WHERE id = $1")
        .bind(version)
        .execute(pool())
        .await
        .unwrap();
    // A change the program may make to a published version (its state) is no finding.
    query("UPDATE item_versions SET updated_at = updated_at + 1 WHERE id = $1")
        .bind(version)
        .execute(pool())
        .await
        .unwrap();

    let r = evaluate(&app, &sup, false).await;
    assert_eq!(r["by_rule"], json!({"A07": 3}), "{r}");
    let (_, a07) = body(app.get(&sup, "/api/v1/supervision/findings?rule=A07").await).await;
    let mut found: Vec<(String, String)> = a07["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["object_no"].as_str().unwrap().to_string(), f["description"].as_str().unwrap().to_string()))
        .collect();
    found.sort();
    assert_eq!(found[0].0, format!("case_events:{case}:1"));
    assert!(found[0].1.contains("办件过程记录（case_events）中主键为") && found[0].1.contains("改写"), "{found:?}");
    assert_eq!(found[1].0, format!("item_events:{ev_id}"));
    assert!(found[1].1.contains("被直接从数据库删除"), "{found:?}");
    assert_eq!(found[2].0, format!("item_versions:{version}"));
    assert!(found[2].1.contains("未经事项变更流程"), "{found:?}");
    let row = a07["rows"].as_array().unwrap().iter().find(|f| f["object_no"] == found[2].0).unwrap().clone();
    assert_eq!((row["object_kind"].as_str(), row["department_id"].as_i64()), (Some("data"), Some(market)), "{row}");
    // Found once: neither the next run nor a full one finds them again.
    assert_eq!(evaluate(&app, &sup, false).await["new_findings"], 0);
    assert_eq!(evaluate(&app, &sup, true).await["new_findings"], 0);

    // The guards' own records only take inserts.
    assert!(query("UPDATE data_tamper SET op = 'x'").execute(pool()).await.is_err());
    assert!(query("DELETE FROM data_tamper").execute(pool()).await.is_err());
    assert_eq!(zwfw_store::guards::tamper_after(&app.state.store, 0, 100).await.unwrap().len(), 3);

    // Ordinary rows edited around the program, by a database tool: a case's
    // step deadline pushed back, an item's record touched. The program's own
    // edits of the same rows go on unrecorded.
    let outside = |sql: String| {
        let store = app.state.store.clone();
        async move { zwfw_store::testing::execute_outside(&store, &sql).await.unwrap() }
    };
    assert_eq!(outside(format!("UPDATE cases SET step_due = '2099-12-31' WHERE id = {case}")).await, 1);
    assert_eq!(outside(format!("UPDATE items SET updated_at = updated_at + 1 WHERE id = {item}")).await, 1);
    let (s, r) = act(&app, &counter, case, json!({"action": "pass", "opinion": "材料齐全"})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let r = evaluate(&app, &sup, false).await;
    assert_eq!(r["by_rule"], json!({"A07": 2}), "{r}");
    assert_eq!(zwfw_store::guards::tamper_after(&app.state.store, 0, 100).await.unwrap().len(), 5);
    let (_, a07) = body(app.get(&sup, "/api/v1/supervision/findings?rule=A07").await).await;
    let text = a07.to_string();
    assert!(text.contains(&format!("办件（cases）中主键为 {case} 的记录被绕过系统直接在数据库中修改")), "{a07}");
    assert!(text.contains(&format!("事项（items）中主键为 {item} 的记录被绕过系统直接在数据库中修改")), "{a07}");
    assert!(text.contains("未经事项变更流程，修改前的内容已留存"), "{a07}");
    let edited = zwfw_store::guards::tamper_after(&app.state.store, 0, 100).await.unwrap();
    assert!(edited.iter().any(|t| t.op == "edit" && t.table_name == "cases" && !t.row_data.contains("2099-12-31")));

    // A guard dropped is itself a finding, once.
    let drop = match app.state.store.backend() {
        Backend::Sqlite => "DROP TRIGGER zwfw_guard_del_cases",
        Backend::Postgres => "DROP TRIGGER zwfw_guard_del_cases ON cases",
    };
    query(drop).execute(pool()).await.unwrap();
    let r = evaluate(&app, &sup, false).await;
    assert_eq!(r["by_rule"], json!({"A07": 1}), "{r}");
    let (_, g) = body(app.get(&sup, "/api/v1/supervision/findings?rule=A07&page=1").await).await;
    let guard = g["rows"].as_array().unwrap().iter().find(|f| f["object_kind"] == "guard").unwrap().clone();
    assert_eq!(guard["object_no"], "zwfw_guard_del_cases");
    assert!(
        guard["description"].as_str().unwrap().contains("数据库防护触发器 zwfw_guard_del_cases 已不存在"),
        "{guard}"
    );
    assert_eq!(evaluate(&app, &sup, false).await["new_findings"], 0);

    // PostgreSQL: a whole table emptied with TRUNCATE is seen too.
    if app.state.store.backend() == Backend::Postgres {
        query("TRUNCATE evaluation_publications").execute(pool()).await.unwrap();
        let r = evaluate(&app, &sup, false).await;
        assert_eq!(r["by_rule"], json!({"A07": 1}), "{r}");
        let (_, g) = body(app.get(&sup, "/api/v1/supervision/findings?rule=A07").await).await;
        assert!(g.to_string().contains("考核排名公布（evaluation_publications）被整表清空"), "{g}");
    }
});

/// Every filter of the findings list, with the indexes that leave warnings
/// out (migration 0015), finds what a filter over all findings finds.
async fn filters_agree_with_the_findings(app: &App) {
    use zwfw_store::supervision::{list_findings, FindingFilter};
    let all = list_findings(&app.state.store, &FindingFilter { limit: 500, ..Default::default() }).await.unwrap().0;
    assert!(all.iter().any(|f| f.severity == "warning") && all.iter().any(|f| f.state == "open"));
    let mut rules: Vec<Option<String>> = all.iter().map(|f| Some(f.rule_code.clone())).collect();
    rules.sort();
    rules.dedup();
    rules.push(None);
    let states = [None, Some("noted"), Some("open"), Some("replied"), Some("closed"), Some("active")];
    let severities = [None, Some("warning"), Some("yellow"), Some("red"), Some("anomaly")];
    for rule in &rules {
        for state in states {
            for severity in severities {
                let filter = FindingFilter {
                    rule_code: rule.clone(),
                    state: state.map(String::from),
                    severity: severity.map(String::from),
                    limit: 500,
                    ..Default::default()
                };
                let (_, total) = list_findings(&app.state.store, &filter).await.unwrap();
                let expected = all
                    .iter()
                    .filter(|f| rule.as_ref().is_none_or(|r| &f.rule_code == r))
                    .filter(|f| match state {
                        None => true,
                        Some("active") => f.state != "closed",
                        Some(s) => f.state == s,
                    })
                    .filter(|f| severity.is_none_or(|s| f.severity == s))
                    .count() as i64;
                assert_eq!(total, expected, "{rule:?} {state:?} {severity:?}");
            }
        }
    }
}
