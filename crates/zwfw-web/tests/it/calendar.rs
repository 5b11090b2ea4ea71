//! The working-day calendar through the API and the pages, on SQLite and PostgreSQL.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;
use zwfw_store::{both_backends, Store};

both_backends!(calendar_api_answers_and_refuses_clearly, |store: Store| async move {
    let app = App::start_at(store, "2026-11-02T09:00:00+08:00").await;
    let (s, y) = anon_get(&app, "/api/v1/calendar/2025").await;
    assert_eq!(s, StatusCode::OK);
    // 261 weekdays; 18 of them are holidays (元旦 1, 春节 6, 清明 1, 劳动节 3, 端午 1,
    // 国庆中秋 6); 5 weekend days are worked: 248.
    assert_eq!(y["working_days"], 248);
    assert_eq!(y["notices"][0]["number"], "国办发明电〔2024〕12号");
    assert!(y["special_days"].as_array().unwrap().iter().any(|d| d["date"] == "2025-09-28" && d["kind"] == "makeup"));

    let (s, b) = anon_get(&app, "/api/v1/calendar/working-days?from=2025-09-26&to=2025-10-10").await;
    assert_eq!((s, b["working_days"].as_i64()), (StatusCode::OK, Some(5)));
    let (s, b) = anon_get(&app, "/api/v1/calendar/add?from=2025-09-26&days=5").await;
    assert_eq!((s, b["due"].as_str()), (StatusCode::OK, Some("2025-10-10")));

    // Bad input: 400 with a code; an unconfigured year: 422 naming the year.
    let (s, b) = anon_get(&app, "/api/v1/calendar/add?from=2025-13-01&days=5").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_date")));
    let (s, b) = anon_get(&app, "/api/v1/calendar/add?from=2025-09-26&days=-1").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_days")));
    // The year after the last notice is provisional (Monday to Friday); the one after is missing.
    let (s, b) = anon_get(&app, "/api/v1/calendar/add?from=2026-12-30&days=5").await;
    assert_eq!((s, b["due"].as_str(), b["provisional"].as_bool()), (StatusCode::OK, Some("2027-01-07"), Some(true)));
    let (s, b) = anon_get(&app, "/api/v1/calendar/add?from=2025-09-26&days=5").await;
    assert_eq!((s, b["provisional"].as_bool()), (StatusCode::OK, Some(false)));
    let (s, b) = anon_get(&app, "/api/v1/calendar/add?from=2027-12-28&days=5").await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar_year_missing"), Some("2028"))
    );
    assert!(b["message"].as_str().unwrap().contains("2028年的工作日历尚未配置"));
    let (s, _) = anon_get(&app, "/api/v1/calendar/2027").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, b) = anon_get(&app, "/api/v1/calendar/twenty").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_date")));

    // The administrator enters next year; rules are enforced and the change is audited.
    let admin = app.ready_token("demo_admin").await;
    let notice = json!([{"number": "测试〔2026〕1号", "title": "测试通知", "date": "2026-11-01"}]);
    let bad = json!({"notices": notice, "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-01"}],
                     "workdays": [{"name": "元旦", "date": "2027-01-04"}], "reason": "录入通知"});
    let r = app.put(&admin, "/api/v1/calendar/2027", bad).await;
    let (s, code) = code_of(r).await;
    assert_eq!((s, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_calendar"), "2027-01-04 is a Monday");
    let good = json!({"notices": notice, "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}],
                      "workdays": [], "reason": ""});
    assert_eq!(code_of(app.put(&admin, "/api/v1/calendar/2027", good.clone()).await).await.1, "reason_required");
    let rv = app.ready_token("demo_reviewer").await;
    let mut good = good;
    good["reason"] = json!("录入2027年放假通知");
    assert_eq!(app.put(&rv, "/api/v1/calendar/2027", good.clone()).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.put(&admin, "/api/v1/calendar/2027", good).await.status(), StatusCode::OK);
    // 2026-12-30 (Wed) + 5: 12-31 (1), 01-01..03 off, 01-04 (2) .. 01-07 (5).
    let (s, b) = anon_get(&app, "/api/v1/calendar/add?from=2026-12-30&days=5").await;
    assert_eq!((s, b["due"].as_str()), (StatusCode::OK, Some("2027-01-07")));
    let f = zwfw_store::audit::AuditFilter {
        object_type: Some("calendar".into()),
        object_id: Some("2027".into()),
        limit: 5,
        ..Default::default()
    };
    let trail = zwfw_store::audit::list(&app.state.store, &f).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].entry.reason, "录入2027年放假通知");
    // A restart reloads the same calendar from the database.
    zwfw_app::calendar::startup(&app.state).await.unwrap();
    assert!(app.state.calendar().is_configured(2027));
});

both_backends!(calendar_pages_and_next_year_warning, |store: Store| async move {
    let app = App::start_at(store, "2026-11-02T09:00:00+08:00").await;
    let html =
        client().get(app.url("/calendar?year=2026&from=2026-02-13&days=2")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("办事日历"));
    assert!(html.contains("国办发明电〔2025〕7号"));
    assert!(html.contains("<strong id=\"due\">2026-02-24</strong>"), "the calculator answers");
    assert!(html.contains("title=\"2026-02-14 春节\""), "make-up day marked");
    let html = client().get(app.url("/calendar?from=2026-02-30&days=2")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("日期格式不正确"));

    let admin = app.ready_token("demo_admin").await;
    let home = app.get(&admin, "/").await.text().await.unwrap();
    assert!(home.contains("2027年工作日历尚未录入"), "warned from November 1");
    let page = app.get(&admin, "/admin/calendar").await.text().await.unwrap();
    assert!(page.contains("编辑2027年度"));
    let sup = app.ready_token("demo_supervisor").await;
    assert!(app.get(&sup, "/").await.text().await.unwrap().contains("2027年工作日历尚未录入"));
    assert_eq!(app.get(&sup, "/admin/calendar").await.status(), StatusCode::FORBIDDEN);
    let counter = app.ready_token("demo_counter").await;
    assert!(!app.get(&counter, "/").await.text().await.unwrap().contains("工作日历尚未录入"));
});

both_backends!(no_warning_before_november, |store: Store| async move {
    let app = App::start_at(store, "2026-10-30T09:00:00+08:00").await;
    let admin = app.ready_token("demo_admin").await;
    assert!(!app.get(&admin, "/").await.text().await.unwrap().contains("工作日历尚未录入"));
});
