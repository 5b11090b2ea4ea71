//! 故障 end to end, on SQLite and PostgreSQL: a counter clerk reports a
//! fault of their department; the centre's and the information office's
//! administrators are told in-app and by SMS; supervision reads and changes
//! nothing; other departments' staff do not see it; the timeline
//! (acknowledged once, cause, cleared once: a second clearing is refused
//! with `fault_already_cleared`); the paper notice refused before 24 hours
//! and printed after, addressed to the department, its delivery recorded;
//! every step audited; the report form of the pages.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

/// Tuesday 2026-12-01, 09:00 in Beijing.
const NOW: &str = "2026-12-01T09:00:00+08:00";
const HOUR: i64 = 3_600_000;

async fn count(app: &App, sql: &str) -> i64 {
    let row = zwfw_store::db::query(sql).fetch_one(app.state.store.pool()).await.unwrap();
    match row.value("n") {
        Some(zwfw_store::db::Value::Int(n)) => *n,
        other => panic!("{other:?}"),
    }
}

async fn audited(app: &App, action: &str) -> i64 {
    zwfw_store::audit::seal(&app.state.store).await.unwrap();
    count(app, &format!("SELECT COUNT(*) AS n FROM audit_log WHERE action = '{action}'")).await
}

both_backends!(a_fault_is_reported_handled_and_noticed_on_paper_after_24_hours, |store: Store| async move {
    let app = App::start_at(store, NOW).await;
    let [counter, center, admin, sup, head, citizen] = app
        .ready_tokens(["demo_counter", "demo_center", "demo_admin", "demo_supervisor", "demo_head", "demo_citizen"])
        .await;
    let dept = actor_of(&app, "demo_counter").await.department_id.unwrap();
    let other_dept = actor_of(&app, "demo_supervisor").await.department_id.unwrap();

    // Bad reports change nothing.
    let bad = [
        (
            json!({"what": "网上申报无法提交", "since": "2026-12-01T10:00:00+08:00", "scope": "platform"}),
            "fault_since_in_future",
        ),
        (json!({"what": " ", "since": "2026-12-01T08:00:00+08:00", "scope": "platform"}), "fault_what_missing"),
        (json!({"what": "x", "since": "1900-01-01T00:00", "scope": "platform"}), "fault_since_too_old"),
        (json!({"what": "x", "since": "昨天", "scope": "platform"}), "fault_since_invalid"),
        (json!({"what": "x", "since": "2026-12-01T08:00", "scope": "department"}), "fault_department_missing"),
        (json!({"what": "x", "since": "2026-12-01T08:00", "scope": "town"}), "fault_bad_scope"),
    ];
    for (b, code) in bad {
        let (s, c) = code_of(app.post(&counter, "/api/v1/faults", b).await).await;
        assert_eq!((s, c.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, code));
    }
    // A public account is refused before its body is read.
    let r = client()
        .post(app.url("/api/v1/faults"))
        .bearer_auth(&citizen)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (s, c) = code_of(r).await;
    assert_eq!((s, c.as_str()), (StatusCode::FORBIDDEN, "staff_only"));
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM faults").await, 0);

    // The report: the department's acceptance system fails since 08:00.
    let (s, f) = body(
        app.post(
            &counter,
            "/api/v1/faults",
            json!({"what": "受理系统无法登记办件", "since": "2026-12-01T08:00:00+08:00", "scope": "department", "department_id": dept}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    let id = f["id"].as_i64().unwrap();
    assert_eq!((f["scope"].as_str(), f["notice_available"].as_bool()), (Some("department"), Some(false)));
    assert!(f["notice_refusal"].as_str().unwrap().contains("24小时"), "{f}");
    assert_eq!(f["timeline"][0]["kind"], "reported");

    // The centre and the information office are told in-app and by SMS; the department head is not.
    for who in ["demo_center", "demo_admin"] {
        let u = app.user_id(who).await;
        let q = |ch: &str| {
            format!("SELECT COUNT(*) AS n FROM notifications WHERE user_id = {u} AND channel {ch} AND title LIKE '平台故障报告%'")
        };
        assert_eq!(count(&app, &q("= 'sms'")).await, 1, "{who} by SMS");
        assert!(count(&app, &q("<> 'sms'")).await >= 1, "{who} in-app");
    }
    let h = app.user_id("demo_head").await;
    let q = format!("SELECT COUNT(*) AS n FROM notifications WHERE user_id = {h} AND title LIKE '平台故障报告%'");
    assert_eq!(count(&app, &q).await, 0);

    // Who reads: the reporter, the handlers, supervision; another department's head does not see it.
    for t in [&counter, &center, &admin, &sup] {
        let (s, _) = code_of(app.get(t, &format!("/api/v1/faults/{id}")).await).await;
        assert_eq!(s, StatusCode::OK);
    }
    let (s, _) = code_of(app.get(&head, &format!("/api/v1/faults/{id}")).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, l) = body(app.get(&sup, "/api/v1/faults").await).await;
    assert_eq!(
        (l["total"].as_i64(), l["all"].as_bool(), l["may_handle"].as_bool()),
        (Some(1), Some(true), Some(false))
    );
    let (_, l) = body(app.get(&head, "/api/v1/faults").await).await;
    assert_eq!(l["total"], 0, "other staff list their own reports only");

    // Supervision and the reporter change nothing; the refusal comes before the body.
    for (t, code) in [(&sup, "supervision_reads_only"), (&counter, "missing_role")] {
        let r = client()
            .post(app.url(&format!("/api/v1/faults/{id}/clear")))
            .bearer_auth(t)
            .header("content-type", "application/json")
            .body("{oops")
            .send()
            .await
            .unwrap();
        let (s, c) = code_of(r).await;
        assert_eq!((s, c.as_str()), (StatusCode::FORBIDDEN, code));
    }

    // Acknowledged once.
    let path = |p: &str| format!("/api/v1/faults/{id}/{p}");
    let (s, f) = body(app.post(&center, &path("acknowledge"), json!({})).await).await;
    assert_eq!(s, StatusCode::OK, "{f}");
    assert_eq!(f["acknowledged_by"], "钱敏");
    let (s, c) = code_of(app.post(&admin, &path("acknowledge"), json!({})).await).await;
    assert_eq!((s, c.as_str()), (StatusCode::CONFLICT, "fault_already_acknowledged"));

    // Before 24 hours the paper notice is refused with the time it becomes due.
    let (s, e) = body(app.post(&center, &path("paper-notice"), json!({})).await).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("fault_notice_not_due")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("2026-12-02 08:00"), "{e}");
    let (s, c) = code_of(app.post(&center, &path("paper-notice/sent"), json!({"department_id": dept})).await).await;
    assert_eq!((s, c.as_str()), (StatusCode::CONFLICT, "fault_notice_not_due"));

    // Not due yet: the job marks nothing.
    assert_eq!(zwfw_app::faults::remind_notice_due(&app.state).await.unwrap(), 0);
    // 25 hours on, still not cleared: the job marks the fault once and tells the centre, the
    // system administrators and the operators; the notice is printed and sent to the department of the scope.
    app.advance(24 * HOUR);
    assert_eq!(zwfw_app::faults::remind_notice_due(&app.state).await.unwrap(), 1);
    assert_eq!(zwfw_app::faults::remind_notice_due(&app.state).await.unwrap(), 0, "once");
    let told = "SELECT COUNT(*) AS n FROM notifications WHERE channel = 'inapp' AND title LIKE '故障满24小时未排除%'";
    let handlers = "SELECT COUNT(DISTINCT u.id) AS n FROM users u JOIN user_roles r ON r.user_id = u.id \
        WHERE u.active = 1 AND r.role IN ('center_admin', 'system_admin', 'operator')";
    assert_eq!(count(&app, told).await, count(&app, handlers).await);
    let center = app.signed_in("demo_center").await;
    let admin = app.signed_in("demo_admin").await;
    let _sup = app.signed_in("demo_supervisor").await;
    let (s, c) = code_of(app.post(&center, &path("paper-notice/sent"), json!({"department_id": dept})).await).await;
    assert_eq!((s, c.as_str()), (StatusCode::CONFLICT, "fault_notice_not_printed"));
    let r = app.post(&admin, &path("paper-notice"), json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF") && pdf.len() > 1000);
    // Printed, not yet sent: the page offers the department to record.
    let (_, f) = body(app.get(&center, &format!("/api/v1/faults/{id}")).await).await;
    assert_eq!(f["sent_to_all"], false, "{f}");
    let (_, html) = page(&signed(&center), &app, &format!("/faults/{id}")).await;
    assert!(html.contains(r#"id="sent-dept""#) && !html.contains("sent-to-all"), "{html}");
    let (s, c) =
        code_of(app.post(&center, &path("paper-notice/sent"), json!({"department_id": other_dept})).await).await;
    assert_eq!((s, c.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "fault_not_addressed"));
    let (s, f) = body(
        app.post(&center, &path("paper-notice/sent"), json!({"department_id": dept, "note": "专人送达，签收人李娜"}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{f}");
    let addressees = f["addressees"].as_array().unwrap();
    assert_eq!(addressees.len(), 1, "{f}");
    assert_eq!(
        (addressees[0]["department_id"].as_i64(), addressees[0]["sent_by"].as_str()),
        (Some(dept), Some("钱敏"))
    );
    assert!(f["printed_at"].is_i64());
    // A delivery is recorded once per department.
    let (s, c) = code_of(app.post(&center, &path("paper-notice/sent"), json!({"department_id": dept})).await).await;
    assert_eq!((s, c.as_str()), (StatusCode::CONFLICT, "fault_notice_already_sent"));
    let (_, f) = body(app.get(&center, &format!("/api/v1/faults/{id}")).await).await;
    assert_eq!(f["addressees"][0]["sent_by"], "钱敏", "unchanged: {f}");
    // Everyone served: the page says so instead of an empty choice.
    assert_eq!(f["sent_to_all"], true, "{f}");
    let (_, html) = page(&signed(&center), &app, &format!("/faults/{id}")).await;
    assert!(html.contains("纸质书面通知已送达全部通知部门") && !html.contains(r#"id="sent-dept""#), "{html}");

    // The cause, then cleared once; a second clearing is refused and changes nothing.
    let (s, c) = code_of(app.post(&admin, &path("cause"), json!({"text": " "})).await).await;
    assert_eq!((s, c.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "fault_cause_missing"));
    let (s, _) = code_of(app.post(&admin, &path("cause"), json!({"text": "数据库服务器磁盘故障"})).await).await;
    assert_eq!(s, StatusCode::OK);
    let (s, f) = body(app.post(&admin, &path("clear"), json!({"text": "更换磁盘后恢复"})).await).await;
    assert_eq!(s, StatusCode::OK, "{f}");
    let cleared_at = f["cleared_at"].as_i64().unwrap();
    // The reporter and the head of the department concerned are told it is cleared; another department's head is not.
    let told = |who: i64, ch: &'static str| {
        format!("SELECT COUNT(*) AS n FROM notifications WHERE user_id = {who} AND channel {ch} AND title LIKE '平台故障已排除%'")
    };
    let (reporter, market_head) = (app.user_id("demo_counter").await, app.user_id("demo_head").await);
    assert!(count(&app, &told(reporter, "<> 'sms'")).await >= 1, "the reporter in-app");
    assert_eq!(count(&app, &told(market_head, "= 'sms'")).await, 1, "the department's head by SMS");
    let land = app.user_id("demo_land").await;
    assert_eq!(count(&app, &told(land, "IS NOT NULL")).await, 0, "another department");
    app.advance(HOUR);
    let center = app.signed_in("demo_center").await;
    let sup = app.signed_in("demo_supervisor").await;
    let (s, e) = body(app.post(&center, &path("clear"), json!({})).await).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("fault_already_cleared")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("赵建国"), "{e}");
    let (_, f) = body(app.get(&sup, &format!("/api/v1/faults/{id}")).await).await;
    assert_eq!((f["cleared_at"].as_i64(), f["cleared_by"].as_str()), (Some(cleared_at), Some("赵建国")));
    let kinds: Vec<&str> = f["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["reported", "acknowledged", "notice_due", "notice_printed", "notice_sent", "cause", "cleared"]);
    // Cleared after 24 hours: the notice still documents the paper period.
    assert_eq!(f["notice_available"], true);

    for (action, n) in [
        ("fault_reported", 1),
        ("fault_acknowledged", 1),
        ("fault_notice_printed", 1),
        ("fault_notice_sent", 1),
        ("fault_cause", 1),
        ("fault_cleared", 1),
    ] {
        assert_eq!(audited(&app, action).await, n, "{action}");
    }
    let _: Value = f;

    // Nothing the program did set off a guard; a step of the timeline
    // rewritten or deleted by hand is recorded.
    assert_invariants(&app).await;
    let pool = || app.state.store.pool();
    zwfw_store::db::query("UPDATE fault_events SET text = '' WHERE fault_id = $1 AND kind = 'cause'")
        .bind(id)
        .execute(pool())
        .await
        .unwrap();
    zwfw_store::db::query("DELETE FROM fault_events WHERE fault_id = $1 AND kind = 'notice_sent'")
        .bind(id)
        .execute(pool())
        .await
        .unwrap();
    let seen = zwfw_store::guards::tamper_after(&app.state.store, 0, 100).await.unwrap();
    let ops: Vec<(&str, &str)> = seen.iter().map(|t| (t.table_name.as_str(), t.op.as_str())).collect();
    assert_eq!(ops, [("fault_events", "update"), ("fault_events", "delete")]);
});

both_backends!(the_fault_pages_report_and_show_the_timeline, |store: Store| async move {
    let app = App::start_at(store, NOW).await;
    let [counter, sup, center] = app.ready_tokens(["demo_counter", "demo_supervisor", "demo_center"]).await;
    let c = signed(&counter);
    let (s, html) = page(&c, &app, "/faults/new").await;
    assert_eq!(s, StatusCode::OK);
    let csrf = csrf_of(&html);
    // A start in the future: the form again with the reason, nothing recorded.
    let r = c
        .post(app.url("/faults/new"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("what", "打印机无法打印"),
            ("since", "2026-12-02T08:00"),
            ("scope", "platform"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("故障开始时间不能晚于现在"));
    let r = c
        .post(app.url("/faults/new"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("what", "网上申报页面打不开"),
            ("since", "2026-12-01T08:30"),
            ("scope", "function"),
            ("function", "网上申报"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/faults/") && to.ends_with("?done=report"), "{to}");
    let (_, html) = page(&c, &app, &to).await;
    assert!(
        html.contains("一项功能：网上申报") && html.contains("2026-12-01 08:30") && html.contains("报告故障"),
        "{html}"
    );
    assert!(!html.contains("确认受理"), "the reporter does not handle it");
    // Supervision reads the page without forms; the centre sees them.
    let path = to.split('?').next().unwrap().to_string();
    let (_, html) = page(&signed(&sup), &app, &path).await;
    assert!(
        html.contains("网上申报页面打不开") && !html.contains("确认受理") && !html.contains("打印纸质书面通知"),
        "{html}"
    );
    let (_, html) = page(&signed(&center), &app, &path).await;
    assert!(html.contains("确认受理") && html.contains("故障已排除"), "{html}");
    let (_, list) = page(&signed(&center), &app, "/faults").await;
    assert!(list.contains("网上申报页面打不开") && list.contains("待确认"), "{list}");

    // The centre's session ends while the page is open: the form sent then
    // is answered "登录已过期", nothing recorded, with a login back to the page.
    let cweb = signed(&center);
    let (_, html) = page(&cweb, &app, &path).await;
    let csrf = csrf_of(&html);
    let r = cweb.post(app.url("/api/v1/auth/logout")).header("x-csrf-token", csrf.as_str()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = cweb
        .post(app.url(&format!("{path}/acknowledge")))
        .header("referer", app.url(&path))
        .form(&[("_csrf", csrf.as_str()), ("text", "已收到")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let html = r.text().await.unwrap();
    assert!(html.contains("登录已过期") && html.contains("没有保存"), "{html}");
    let login = format!("/login?next={path}\"").replace('/', "&#x2f;");
    assert!(html.contains(&login), "back to the fault's page: {html}");
    let (_, f) = body(app.get(&sup, &format!("/api/v1{path}")).await).await;
    assert!(f["acknowledged_at"].is_null(), "nothing recorded: {f}");
    // Signed out in another tab, the browser sends no session cookie any more:
    // a form carrying its page's token is answered the same way.
    let r = client()
        .post(app.url(&format!("{path}/acknowledge")))
        .header("referer", app.url(&path))
        .form(&[("_csrf", csrf.as_str()), ("text", "已收到")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("登录已过期"));
});
