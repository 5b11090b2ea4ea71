//! The public look-ups, limited per client address on SQLite and
//! PostgreSQL: the 双公示 list (page, API, workbook), the tracking of cases
//! (page and API) and the licence checks (page and API) each refuse an
//! address past its limit with 429, a stable code and the reason in
//! Chinese, while another address, and a signed-in account where the
//! look-up names its reader, go on.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_app::lookups::LookupLimits;
use zwfw_store::{both_backends, Store};

async fn get_from(app: &App, from: &str, path: &str) -> (StatusCode, String) {
    let r = client().get(app.url(path)).header("x-forwarded-for", from).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

fn code(text: &str) -> String {
    serde_json::from_str::<Value>(text).ok().and_then(|v| v["code"].as_str().map(str::to_string)).unwrap_or_default()
}

both_backends!(public_lookups_are_limited_per_address, |store: Store| async move {
    let app = App::start_with_lookups(store, LookupLimits { license_checks: 2, credit: 3, track: 2 }).await;
    let [counter] = app.ready_tokens(["demo_counter"]).await;
    let (here, there) = ("10.7.0.1", "10.7.0.2");

    // 双公示: 3 look-ups of the list or its workbook, then 429 on the API, the workbook and the page.
    for path in ["/api/v1/credit/licensing", "/api/v1/credit/licensing/export", "/credit/licensing"] {
        let (s, t) = get_from(&app, here, path).await;
        assert_eq!(s, StatusCode::OK, "{path}: {t}");
    }
    let (s, t) = get_from(&app, here, "/api/v1/credit/licensing?page=2").await;
    assert_eq!((s, code(&t).as_str()), (StatusCode::TOO_MANY_REQUESTS, "credit_lookup_limited"), "{t}");
    assert!(t.contains("15分钟内最多查询3次"), "{t}");
    let (s, t) = get_from(&app, here, "/api/v1/credit/licensing/export").await;
    assert_eq!((s, code(&t).as_str()), (StatusCode::TOO_MANY_REQUESTS, "credit_lookup_limited"), "{t}");
    let (s, html) = get_from(&app, here, "/credit/licensing").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("查询过于频繁") && html.contains("<html"), "a page in Chinese: {html}");
    // The page's export link answers a page too, not the API's JSON.
    let (s, html) = get_from(&app, here, "/credit/licensing/export").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("登录后查询") && html.contains("<html"), "a page in Chinese: {html}");
    let (s, _) = get_from(&app, there, "/credit/licensing/export?department_id=").await;
    assert_eq!(s, StatusCode::OK, "the workbook from the page's link");
    let (s, _) = get_from(&app, there, "/api/v1/credit/licensing").await;
    assert_eq!(s, StatusCode::OK, "another address has its own count");
    let r = client()
        .get(app.url("/api/v1/credit/licensing"))
        .bearer_auth(&counter)
        .header("x-forwarded-for", here)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "a signed-in account is not limited");

    // Tracking: every look-up counts, found or not; the page says why.
    let wrong = json!({"case_no": "ZW0000000000000000", "password": "WRONGPW2"});
    for n in 0..2 {
        let (s, b) = anon_post(&app, here, "/api/v1/track", wrong.clone()).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("track_failed")), "{n}: {b}");
    }
    let (s, e) = anon_post(&app, here, "/api/v1/track", wrong.clone()).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("track_lookup_limited")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("15分钟内最多查询2次办件进度"), "{e}");
    let (s, e) =
        anon_post(&app, here, "/api/v1/track/code", json!({"id_no": "11010519491231002X", "mobile": "13912345678"}))
            .await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("track_lookup_limited")), "{e}");
    let anon = browser();
    let (_, html) = page(&anon, &app, "/track").await;
    let csrf = csrf_of(&html);
    let r = anon
        .post(app.url("/track"))
        .header("x-forwarded-for", here)
        .form(&[("_csrf", csrf.as_str()), ("case_no", "ZW0000000000000000"), ("password", "WRONGPW2")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("查询过于频繁"), "the reason on the page");
    let (s, b) = anon_post(&app, there, "/api/v1/track", wrong).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("track_failed")), "another address: {b}");

    // Licence checks: the configured number, refused checks included.
    let bad = "/api/v1/licenses/1.2.156.3005.2.X/verification";
    for _ in 0..2 {
        let (s, t) = get_from(&app, here, bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{t}");
    }
    let (s, t) = get_from(&app, here, bad).await;
    assert_eq!((s, code(&t).as_str()), (StatusCode::TOO_MANY_REQUESTS, "license_verify_limited"), "{t}");
    assert!(t.contains("15分钟内最多核验2次"), "{t}");
    let (s, html) = get_from(&app, here, "/verify/1.2.156.3005.2.X").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("核验过于频繁"), "{html}");
    let (s, _) = get_from(&app, there, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "another address has its own count");
});

both_backends!(a_lookup_limit_of_zero_is_no_limit, |store: Store| async move {
    let app = App::start_with_lookups(store, LookupLimits { license_checks: 0, credit: 0, track: 1 }).await;
    for n in 0..5 {
        let (s, t) = get_from(&app, "10.7.1.1", "/api/v1/credit/licensing").await;
        assert_eq!(s, StatusCode::OK, "{n}: {t}");
        let (s, t) = get_from(&app, "10.7.1.1", "/api/v1/licenses/1.2.156.3005.2.X/verification").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{n}: {t}");
    }
    let wrong = json!({"case_no": "ZW0000000000000000", "password": "WRONGPW2"});
    let (s, _) = anon_post(&app, "10.7.1.1", "/api/v1/track", wrong.clone()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = anon_post(&app, "10.7.1.1", "/api/v1/track", wrong).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "the limit set still holds");
});
