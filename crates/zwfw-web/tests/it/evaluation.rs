//! Performance evaluation (绩效考核) through the API, on SQLite and
//! PostgreSQL: cases concluded early, on the day and late, a case left
//! overdue, cards, a rectification in time and one not, ratings with an
//! upheld appeal, a complaint, and sign-ins on chosen days give exactly the
//! figures, score, grade and rank worked out by hand; reports as .xlsx and
//! PDF; configuration; publication on the portal.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

async fn pass(app: &App, token: &str, case: i64) {
    act_ok(app, token, case, json!({"action": "pass", "opinion": "同意"})).await;
}

async fn grant(app: &App, head: &str, case: i64) {
    act_ok(app, head, case, json!({"action": "conclude", "outcome": "granted", "document_no": format!("JY{case:013}"), "valid_until": "2031-11-30"}))
        .await;
}

/// A market case through review and decision to its grant, by the reviewer
/// and the head signed in afresh; the head's token.
async fn review_and_grant(app: &App, case: i64) -> String {
    let (reviewer, head) = (app.signed_in("demo_reviewer").await, app.signed_in("demo_head").await);
    pass(app, &reviewer, case).await;
    pass(app, &head, case).await;
    grant(app, &head, case).await;
    head
}

async fn rate(app: &App, citizen: &str, case: i64, level: i64) -> i64 {
    let (s, b) = body(
        app.post(
            citizen,
            &format!("/api/v1/cases/{case}/ratings"),
            json!({"stage": "conclusion", "level": level, "channel": "pc"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["id"].as_i64().unwrap()
}

/// Citizens keep their password: a fresh session with it.
async fn citizen_token(app: &App) -> String {
    let (s, b) = app.api_login("demo_citizen", DEMO_PW).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["token"].as_str().unwrap().to_string()
}

fn line<'a>(ev: &'a Value, department: &str) -> &'a Value {
    ev["lines"].as_array().unwrap().iter().find(|l| l["department"] == department).unwrap()
}

fn figures(l: &Value) -> Vec<i64> {
    [
        "concluded",
        "on_time",
        "early",
        "due",
        "overdue",
        "warnings",
        "yellow",
        "red",
        "rectify_due",
        "rectified_in_time",
        "rated",
        "satisfied",
        "struck_out",
        "complaints",
    ]
    .iter()
    .map(|k| l["figures"][k].as_i64().unwrap())
    .collect()
}

both_backends!(figures_scores_reports_and_publication, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let land = app.department_id("示例市自然资源局").await;
    // The land department gets a head to decide its cases.
    {
        let ctx = zwfw_app::Ctx { state: &app.state, actor: None, client_addr: "test".into() };
        zwfw_app::accounts::create_staff(
            &ctx,
            &zwfw_app::accounts::StaffInput {
                username: "test_land_head".into(),
                display_name: "陈刚".into(),
                department_id: land,
                roles: vec!["dept_head".into()],
                mobile: None,
                password: Some(DEMO_PW.into()),
                reason: "测试".into(),
                request: None,
                is_demo: false,
            },
        )
        .await
        .unwrap();
    }
    app.qualify("test_land_head").await;
    let m_item = publish(&app, &zwfw_domain::catalog::example(market), "TESTEVAL00000000000000000000001").await;
    let l_item = publish(&app, &zwfw_domain::catalog::example(land), "TESTEVAL00000000000000000000002").await;
    let [citizen, counter] = app.ready_tokens(["demo_citizen", "demo_counter"]).await;
    for u in ["demo_reviewer", "demo_head", "demo_land", "test_land_head", "demo_supervisor"] {
        app.ready_token(u).await;
    }
    let land_staff = app.signed_in("demo_land").await;

    // Four market cases and one land case, accepted on Friday 09-26: promised
    // 10 working days, due 2025-10-16 (the make-up days 09-28 and 10-11 count).
    let mut market_cases = vec![];
    for _ in 0..4 {
        let id = apply(&app, &citizen, m_item).await;
        act_ok(&app, &counter, id, json!({"action": "accept"})).await;
        pass(&app, &counter, id).await;
        market_cases.push(id);
    }
    // C is never concluded.
    let (a, b, d) = (market_cases[0], market_cases[1], market_cases[3]);
    let l = apply(&app, &citizen, l_item).await;
    act_ok(&app, &land_staff, l, json!({"action": "accept"})).await;

    // Mon 10-13: A and L concluded early; both rated well.
    day(&app, "2025-10-13").await;
    review_and_grant(&app, a).await;
    let sup = app.signed_in("demo_supervisor").await;
    let land_staff = app.signed_in("demo_land").await;
    let land_head = app.signed_in("test_land_head").await;
    pass(&app, &land_staff, l).await;
    pass(&app, &land_staff, l).await;
    pass(&app, &land_head, l).await;
    grant(&app, &land_head, l).await;
    let citizen = citizen_token(&app).await;
    rate(&app, &citizen, a, 1).await;
    rate(&app, &citizen, l, 2).await;
    let (s, ev) = body(app.get(&sup, "/api/v1/supervision/evaluation?period=2025-10-1").await).await;
    assert_eq!(s, StatusCode::OK, "{ev}");
    assert_eq!((ev["complete"].as_bool(), ev["as_of"].as_str()), (Some(false), Some("2025-10-13")), "{ev}");

    // Wed 10-15 and Thu 10-16: the officer signs in; B concluded on its due day and rated 非常不满意,
    // which the head appeals and supervision upholds.
    day(&app, "2025-10-15").await;
    app.signed_in("demo_supervisor").await;
    day(&app, "2025-10-16").await;
    let sup = app.signed_in("demo_supervisor").await;
    let head = review_and_grant(&app, b).await;
    let citizen = citizen_token(&app).await;
    let bad = rate(&app, &citizen, b, 5).await;
    let actions = format!("/api/v1/ratings/{bad}/actions");
    let (s, r) = body(app.post(&head, &actions, json!({"action": "appeal", "reason": "评价人误选"})).await).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, r) = body(
        app.post(&sup, &actions, json!({"action": "decide_appeal", "uphold": true, "reason": "经核实属误评"})).await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");

    // Fri 10-17: C and D are overdue: yellow cards, to be rectified by 10-24.
    day(&app, "2025-10-17").await;
    // Mon 10-20: D concluded late and rated 不满意; its card answered and accepted; a complaint.
    day(&app, "2025-10-20").await;
    let sup = app.signed_in("demo_supervisor").await;
    let head = review_and_grant(&app, d).await;
    let citizen = citizen_token(&app).await;
    rate(&app, &citizen, d, 4).await;
    let (_, f) = body(app.get(&sup, &format!("/api/v1/supervision/findings?case_id={d}&rule=Y01")).await).await;
    let fid = f["rows"][0]["id"].as_i64().unwrap();
    assert_eq!(f["rows"][0]["reply_due"], "2025-10-24", "{f}");
    let path = format!("/api/v1/supervision/findings/{fid}/actions");
    let (s, r) = body(app.post(&head, &path, json!({"action": "reply", "text": "已办结并约谈经办人"})).await).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, r) = body(app.post(&sup, &path, json!({"action": "accept"})).await).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, r) = submit_interaction(
        &app,
        &citizen,
        json!({"kind": "complaint", "title": "办理超期", "content": "承诺时限内未办结", "department_id": market}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");

    // Mon 10-27: C's card is still not rectified five working days on: a red card (R02).
    day(&app, "2025-10-27").await;
    // Mon 11-03: October has ended.
    day(&app, "2025-11-03").await;
    let sup = app.signed_in("demo_supervisor").await;
    let (s, ev) = body(app.get(&sup, "/api/v1/supervision/evaluation?period=2025-10").await).await;
    assert_eq!(s, StatusCode::OK, "{ev}");
    assert_eq!(
        (ev["label"].as_str(), ev["first_day"].as_str(), ev["last_day"].as_str(), ev["complete"].as_bool()),
        (Some("2025年10月"), Some("2025-10-01"), Some("2025-10-31"), Some(true)),
        "{ev}"
    );
    // Market: concluded A (early), B (on the day), D (late); due A–D, overdue C and D;
    // warnings W02 on 10-13 (A–D, step due 10-11) and W01 on 10-15 (B–D); yellow C and D;
    // red C (R02); rectification due C and D, D in time; rated A and D (B struck out),
    // A satisfied; one complaint.
    let m = line(&ev, "示例市市场监督管理局");
    assert_eq!(figures(m), vec![3, 2, 1, 4, 2, 7, 2, 1, 2, 1, 2, 1, 1, 1], "{m}");
    // (66.67·30 + 33.33·10 + 50·15 + 91·15 + 50·10 + 50·15 + 0·5) / 100 = 56.98
    assert_eq!(
        (m["score"].as_f64(), m["grade"].as_str(), m["rank"].as_i64()),
        (Some(57.0), Some("fail"), Some(2)),
        "{m}"
    );
    let lnd = line(&ev, "示例市自然资源局");
    assert_eq!(figures(lnd)[..5], [1, 1, 1, 1, 0], "{lnd}");
    assert_eq!((lnd["figures"]["rated"].as_i64(), lnd["figures"]["satisfied"].as_i64()), (Some(1), Some(1)));
    assert_eq!(
        (lnd["score"].as_f64(), lnd["grade"].as_str(), lnd["rank"].as_i64()),
        (Some(100.0), Some("excellent"), Some(1)),
        "{lnd}"
    );
    // A department with nothing to judge is listed, unranked.
    let housing = line(&ev, "示例市住房和城乡建设局");
    assert_eq!((housing["score"].clone(), housing["rank"].clone()), (Value::Null, Value::Null), "{housing}");
    assert!(
        ev["lines"].as_array().unwrap().iter().all(|l| l["department"] != "示例市监察局"),
        "supervision is not evaluated"
    );

    // Activity: the officer's whole weeks of October (Mondays 09-29 … 10-20).
    let officer = &ev["officers"].as_array().unwrap().iter().find(|o| o["name"] == "郑洁").unwrap()["weeks"];
    let weeks: Vec<(&str, i64, bool)> = officer
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["week"].as_str().unwrap(), w["logins"].as_i64().unwrap(), w["met"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        weeks,
        vec![("2025-09-29", 0, false), ("2025-10-06", 0, false), ("2025-10-13", 3, true), ("2025-10-20", 1, false)]
    );
    // The market department signed in on 3 of October's 18 working days (10-11, a Saturday, is one).
    let presence =
        &ev["departments"].as_array().unwrap().iter().find(|x| x["department_id"] == market).unwrap()["presence"];
    assert_eq!(
        (presence["working_days"].as_i64(), presence["days_signed_in"].as_i64()),
        (Some(18), Some(3)),
        "{presence}"
    );
    assert_eq!(presence["missed"][0], "2025-10-09");
    assert!(presence["missed"].as_array().unwrap().iter().any(|d| d == "2025-10-11"));

    // Who may read; bad periods and formats.
    let head = app.signed_in("demo_head").await;
    let (s, _) = body(app.get(&head, "/api/v1/supervision/evaluation?period=2025-10").await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, r) = body(app.get(&sup, "/api/v1/supervision/evaluation?period=2025-13").await).await;
    assert_eq!((s, r["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_period")), "{r}");
    assert!(r["message"].as_str().unwrap().contains("考核期间格式不正确"), "{r}");
    let (s, r) = body(app.get(&sup, "/api/v1/supervision/evaluation/report?period=2025-10&format=doc").await).await;
    assert_eq!((s, r["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_report_format")), "{r}");

    // The reports.
    let r = app.get(&sup, "/api/v1/supervision/evaluation/report?period=2025-10&format=xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''"));
    let bytes = r.bytes().await.unwrap().to_vec();
    {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), vec!["考核排名", "监察人员登录", "部门登录", "考核办法"]);
        let sheet = wb.worksheet_range("考核排名").unwrap();
        let row = |i: usize| -> Vec<String> { sheet.rows().nth(i).unwrap().iter().map(|c| c.to_string()).collect() };
        assert_eq!(row(0)[..5], ["名次", "部门", "所属县区", "得分", "等次"]);
        assert_eq!(row(1)[..5], ["1", "示例市自然资源局", "市直", "100", "优秀"]);
        assert_eq!(row(2)[..6], ["2", "示例市市场监督管理局", "市直", "57", "不合格", "3"]);
        assert_eq!(row(2)[6..10], ["66.7%", "33.3%", "2", "2/1"]);
    }
    let r = app.get(&sup, "/api/v1/supervision/evaluation/report?period=2025-10&format=pdf").await;
    assert_eq!(
        (r.status(), r.headers()["content-type"].to_str().unwrap().to_string()),
        (StatusCode::OK, "application/pdf".into())
    );
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    assert!(String::from_utf8_lossy(&pdf).contains("/MediaBox [0 0 841.89 595.28]"), "A4 landscape");

    // Configuration: refused when wrong, audited when changed; the next evaluation uses it.
    let (s, cfg) = body(app.get(&sup, "/api/v1/supervision/evaluation/config").await).await;
    assert_eq!((s, cfg["good_from"].as_i64()), (StatusCode::OK, Some(80)), "{cfg}");
    let mut bad_cfg = cfg.clone();
    bad_cfg["good_from"] = json!(95);
    bad_cfg["reason"] = json!("调整");
    let (s, r) = body(app.put(&sup, "/api/v1/supervision/evaluation/config", bad_cfg).await).await;
    assert_eq!((s, r["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_evaluation_config")), "{r}");
    assert!(r["message"].as_str().unwrap().contains("100 ≥ 优秀 > 良好 > 合格"), "{r}");
    let mut no_reason = cfg.clone();
    no_reason["reason"] = json!(" ");
    let (s, _) = body(app.put(&sup, "/api/v1/supervision/evaluation/config", no_reason).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let mut new_cfg = cfg.clone();
    new_cfg["good_from"] = json!(55);
    new_cfg["pass_from"] = json!(40);
    new_cfg["reason"] = json!("按市政府办通知调整等次");
    let mut as_head = new_cfg.clone();
    as_head["good_from"] = json!(10);
    let (s, _) = body(app.put(&head, "/api/v1/supervision/evaluation/config", as_head).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, r) = body(app.put(&sup, "/api/v1/supervision/evaluation/config", new_cfg).await).await;
    assert_eq!((s, r["good_from"].as_i64()), (StatusCode::OK, Some(55)), "{r}");
    let audit = zwfw_store::audit::list(
        &app.state.store,
        &zwfw_store::audit::AuditFilter { action: Some("evaluation_config".into()), limit: 20, ..Default::default() },
    )
    .await
    .unwrap();
    assert!(audit.iter().any(|e| e.entry.action == "evaluation_config" && e.entry.reason == "按市政府办通知调整等次"));

    // Publication: only an ended period; public without signing in; a later change of method does not alter it.
    let (s, r) =
        body(app.post(&sup, "/api/v1/supervision/evaluation/publications", json!({"period": "2025-11-1"})).await).await;
    assert_eq!((s, r["code"].as_str()), (StatusCode::CONFLICT, Some("period_not_over")), "{r}");
    let (s, r) =
        body(app.post(&head, "/api/v1/supervision/evaluation/publications", json!({"period": "2025-10"})).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{r}");
    let (s, p) = body(
        app.post(
            &sup,
            "/api/v1/supervision/evaluation/publications",
            json!({"period": "2025-10", "note": "请各部门对照整改"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(line(&p, "示例市市场监督管理局")["grade"], "good", "scored with the method in force");
    let mut final_cfg = cfg.clone();
    final_cfg["reason"] = json!("恢复默认");
    assert_eq!(app.put(&sup, "/api/v1/supervision/evaluation/config", final_cfg).await.status(), StatusCode::OK);
    let (s, list) = anon_get(&app, "/api/v1/rankings").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (list[0]["period"].as_str(), list[0]["note"].as_str()),
        (Some("2025-10"), Some("请各部门对照整改")),
        "{list}"
    );
    assert_eq!(line(&list[0], "示例市市场监督管理局")["grade"], "good");
    let (s, one) = anon_get(&app, "/api/v1/rankings/2025-10").await;
    assert_eq!((s, one["lines"][0]["department"].as_str()), (StatusCode::OK, Some("示例市自然资源局")), "{one}");
    let (s, _) = anon_get(&app, "/api/v1/rankings/2025-09").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let html = client().get(app.url("/ranking")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("2025年10月") && html.contains("示例市自然资源局") && html.contains("良好"), "{html}");
    assert!(!html.contains("示例市住房和城乡建设局"), "unranked departments are not listed publicly");

    // The pages: the evaluation with its tables, a wrong period in Chinese, the method form.
    let browser = signed(&sup);
    let (s, html) = page(&browser, &app, "/supervision/evaluation?period=2025-10").await;
    assert_eq!(s, StatusCode::OK);
    for text in
        ["2025年10月（2025-10-01 至 2025-10-31）", "示例市自然资源局", "66.7%", "不合格", "郑洁", "2025-10-13", "已于"]
    {
        assert!(html.contains(text), "{text}: {html}");
    }
    assert!(html.contains("/supervision/evaluation/report?period=2025-10&format=pdf"), "{html}");
    let (s, html) = page(&browser, &app, "/supervision/evaluation?period=2025-10-3").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("考核期间格式不正确"), "{html}");
    let (s, html) = page(&browser, &app, "/supervision/evaluation?kind=quarter").await;
    assert!(s == StatusCode::OK && html.contains("2025年第三季度"), "the last quarter that ended: {html}");
    let (_, html) = page(&browser, &app, "/supervision/evaluation/config").await;
    let csrf = csrf_of(&html);
    let mut form: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
    let fields = [
        ("on_time", "30"),
        ("early", "10"),
        ("overdue", "15"),
        ("cards", "15"),
        ("rectified", "10"),
        ("satisfaction", "15"),
        ("complaints", "5"),
        ("yellow_points", "2"),
        ("red_points", "5"),
        ("complaints_zero_per_100", "5"),
        ("excellent_from", "90"),
        ("good_from", "80"),
        ("pass_from", "60"),
        ("weekly_logins", "3"),
    ];
    form.extend(fields.iter().map(|(k, v)| (*k, if *k == "early" { "十" } else { *v })));
    form.push(("reason", "核对"));
    let r = browser.post(app.url("/supervision/evaluation/config")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("权重填写不正确"));
    let r = browser.post(app.url("/supervision/evaluation/config")).form(&[("reason", "x")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no CSRF token");
    let head_browser = signed(&head);
    let (s, _) = page(&head_browser, &app, "/supervision/evaluation").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_invariants(&app).await;
});
