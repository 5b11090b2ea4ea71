//! The portal's home page, the notices (通知公告, 政策文件), the guide's
//! filters, tabs and forms: through the API and the pages, on SQLite and
//! PostgreSQL.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

/// A page read without signing in.
async fn visitor_page(app: &App, path: &str) -> (StatusCode, String) {
    page(&client(), app, path).await
}

/// Attaches a file to a notice through the API.
async fn attach(app: &App, token: &str, id: i64, bytes: &[u8], name: &str) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()));
    let r = client().post(app.url(&format!("/api/v1/notices/{id}/attachments"))).bearer_auth(token).multipart(form);
    body(r.send().await.unwrap()).await
}

both_backends!(portal_home_for_a_visitor, |store: Store| async move {
    let app = App::start(store).await;
    zwfw_app::demo::cases::load(&app.state, 12).await.unwrap();
    // The visitor gets the portal, not the sign-in form.
    let (s, html) = visitor_page(&app, "/").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("<title>首页 - "), "{html}");
    assert_eq!(html.matches("<h1").count(), 1);
    for part in [
        "搜索办事事项",
        "热门事项",
        "按人生事件",
        "按主题",
        "按部门",
        "按层级",
        "通知公告",
        "政策文件",
        "政民互动",
        "好差评",
        "部门考核排名",
    ] {
        assert!(html.contains(part), "{part} missing");
    }
    assert!(html.contains("关于2027年元旦假期政务服务中心办公安排的通知"));
    assert!(html.contains("/guide?life_event=birth") && html.contains("/guide?level=4"));
    // A draft is not public.
    assert!(!html.contains("征求意见稿"));
    // The demo cases make hot items.
    assert!(between(&html, "id=\"hot\"", "</section>").contains("/guide/"), "no hot items");

    // The same through the API.
    let (s, h) = anon_get(&app, "/api/v1/portal").await;
    assert_eq!(s, StatusCode::OK, "{h}");
    assert_eq!(h["announcements"].as_array().unwrap().len(), 2);
    assert_eq!(h["policies"].as_array().unwrap().len(), 2);
    assert_eq!(h["policies"][0]["attachments"][0]["kind"], "pdf");
    assert_eq!(h["levels"].as_array().unwrap().len(), 3);
    assert!(h["life_events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["code"] == "start_business" && e["label"] == "开办企业"));
    assert!(!h["departments"].as_array().unwrap().is_empty());
    assert!(!h["hot_items"].as_array().unwrap().is_empty());
    assert!(h["themes"].as_array().unwrap().iter().any(|t| t["name"] == "开办企业"));
    let total = h["ratings"]["total"].as_i64().unwrap();
    assert_eq!(h["ratings"]["levels"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).sum::<i64>(), total);

    // A signed-in user keeps the workbench at / and finds the portal at /portal.
    let token = app.ready_token("demo_citizen").await;
    let (s, html) = page(&signed(&token), &app, "/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<title>工作台") && html.contains("href=\"/portal\""));
    let (s, html) = page(&signed(&token), &app, "/portal").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("进入我的工作台"));
    assert_invariants(&app).await;
});

both_backends!(notices_draft_publish_withdraw, |store: Store| async move {
    let app = App::start(store).await;
    let center = app.ready_token("demo_center").await;
    let counter = app.ready_token("demo_counter").await;

    // The public list holds only what is published.
    let (s, list) = anon_get(&app, "/api/v1/notices").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 4);
    assert!(list["items"].as_array().unwrap().iter().all(|n| n["state"] == "published"));
    assert_eq!(anon_get(&app, "/api/v1/notices?kind=policy").await.1["total"], 2);
    assert_eq!(anon_get(&app, "/api/v1/notices?kind=").await.1["total"], 4);
    let (s, b) = anon_get(&app, "/api/v1/notices?kind=news").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_filter")));
    assert!(b["message"].as_str().unwrap().contains("栏目") || b["message"].as_str().unwrap().contains("类型"), "{b}");
    let (s, all) = body(app.get(&center, "/api/v1/admin/notices").await).await;
    assert_eq!((s, all["total"].as_i64()), (StatusCode::OK, Some(5)));
    let draft =
        all["items"].as_array().unwrap().iter().find(|n| n["state"] == "draft").unwrap()["id"].as_i64().unwrap();
    assert_eq!(anon_get(&app, &format!("/api/v1/notices/{draft}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(visitor_page(&app, &format!("/notices/{draft}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(body(app.get(&center, &format!("/api/v1/notices/{draft}")).await).await.0, StatusCode::OK);

    // Only the service centre (and the system administrators) manage.
    let input = json!({"kind": "announcement", "title": "关于窗口搬迁的通知", "body": "综合窗口自下周一起迁至二楼。"});
    assert_eq!(code_of(app.post(&counter, "/api/v1/notices", input.clone()).await).await.0, StatusCode::FORBIDDEN);
    assert_eq!(code_of(app.get(&counter, "/api/v1/admin/notices").await).await.0, StatusCode::FORBIDDEN);
    assert_eq!(anon_post(&app, "10.0.0.9", "/api/v1/notices", input.clone()).await.0, StatusCode::UNAUTHORIZED);
    // Bad input changes nothing.
    let (s, b) =
        body(app.post(&center, "/api/v1/notices", json!({"kind": "announcement", "title": " ", "body": "x"})).await)
            .await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_field"), Some("title"))
    );
    let (s, b) =
        body(app.post(&center, "/api/v1/notices", json!({"kind": "gossip", "title": "t", "body": "x"})).await).await;
    assert_eq!((s, b["detail"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("kind")));
    assert_eq!(body(app.get(&center, "/api/v1/admin/notices").await).await.1["total"], 5);

    let (s, n) = body(app.post(&center, "/api/v1/notices", input).await).await;
    assert_eq!((s, n["state"].as_str()), (StatusCode::CREATED, Some("draft")), "{n}");
    let id = n["id"].as_i64().unwrap();
    assert_eq!(n["issuer"], "政务服务中心");
    // Attachments: a real PDF; a text file named .pdf is refused.
    let pdf =
        zwfw_app::documents::pdf::render("搬迁示意", &[zwfw_app::documents::pdf::Block::para("二楼东侧")]).unwrap();
    let (s, n) = attach(&app, &center, id, &pdf, "搬迁示意图.pdf").await;
    assert_eq!((s, n["attachments"].as_array().map(Vec::len)), (StatusCode::CREATED, Some(1)), "{n}");
    let (s, b) = attach(&app, &center, id, b"not a pdf", "fake.pdf").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_upload")), "{b}");
    let sm3 = n["attachments"][0]["sm3"].as_str().unwrap().to_string();
    // Not public before it is published, its file neither.
    assert_eq!(anon_get(&app, &format!("/api/v1/notices/{id}/attachments/{sm3}")).await.0, StatusCode::NOT_FOUND);

    let publish = json!({"action": "publish"});
    let (s, n) = body(app.post(&center, &format!("/api/v1/notices/{id}/actions"), publish.clone()).await).await;
    assert_eq!((s, n["state"].as_str()), (StatusCode::OK, Some("published")), "{n}");
    let published_at = n["published_at"].as_i64().unwrap();
    let r = client().get(app.url(&format!("/notices/{id}/files/{sm3}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    // Published: no edits, no second publication; a withdrawal needs its reason.
    let edit = json!({"kind": "announcement", "title": "改", "body": "改"});
    let (s, b) = body(app.put(&center, &format!("/api/v1/notices/{id}"), edit.clone()).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("notice_wrong_state")));
    assert!(b["message"].as_str().unwrap().contains("已发布"), "{b}");
    assert_eq!(
        code_of(app.post(&center, &format!("/api/v1/notices/{id}/actions"), publish.clone()).await).await.1,
        "notice_wrong_state"
    );
    let (s, b) =
        body(app.post(&center, &format!("/api/v1/notices/{id}/actions"), json!({"action": "withdraw"})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason_required")));
    assert_eq!(
        code_of(app.post(&center, &format!("/api/v1/notices/{id}/actions"), json!({"action": "erase"})).await).await.0,
        StatusCode::BAD_REQUEST
    );
    let (s, n) = body(
        app.post(
            &center,
            &format!("/api/v1/notices/{id}/actions"),
            json!({"action": "withdraw", "reason": "地点有误"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, n["state"].as_str(), n["withdraw_reason"].as_str()),
        (StatusCode::OK, Some("withdrawn"), Some("地点有误"))
    );
    assert_eq!(anon_get(&app, &format!("/api/v1/notices/{id}")).await.0, StatusCode::NOT_FOUND);
    // Withdrawn: edited and published again, keeping its first publication time.
    let (s, n) = body(app.put(&center, &format!("/api/v1/notices/{id}"), edit).await).await;
    assert_eq!((s, n["title"].as_str()), (StatusCode::OK, Some("改")));
    let (s, n) = body(app.post(&center, &format!("/api/v1/notices/{id}/actions"), publish).await).await;
    assert_eq!((s, n["published_at"].as_i64()), (StatusCode::OK, Some(published_at)));

    // Every change is in the audit trail.
    let f = zwfw_store::audit::AuditFilter {
        object_type: Some("notice".into()),
        object_id: Some(id.to_string()),
        limit: 100,
        ..Default::default()
    };
    let trail = zwfw_store::audit::list(&app.state.store, &f).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|r| r.entry.action.as_str()).collect();
    for a in ["create", "attach", "publish", "withdraw", "update"] {
        assert!(actions.contains(&a), "{a} not audited: {actions:?}");
    }
    assert_invariants(&app).await;
});

both_backends!(notices_through_the_pages, |store: Store| async move {
    let app = App::start(store).await;
    let center = app.ready_token("demo_center").await;
    let c = signed(&center);
    let (s, html) = page(&c, &app, "/admin/notices/new").await;
    assert_eq!(s, StatusCode::OK);
    let csrf = csrf_of(&html);
    // An empty title answers the form again, in Chinese, with what was typed.
    let r = c
        .post(app.url("/admin/notices"))
        .form(&[("_csrf", csrf.as_str()), ("kind", "policy"), ("title", ""), ("body", "正文内容")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("标题填写不正确") && html.contains("正文内容"), "{html}");
    let r = c
        .post(app.url("/admin/notices"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("kind", "policy"),
            ("title", "示例市政务数据共享管理办法"),
            ("doc_no", "示政办〔2026〕9号"),
            ("body", "第一条 为规范政务数据共享……"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = between(&to, "/admin/notices/", "?").parse().unwrap();
    let (_, html) = page(&c, &app, &to).await;
    assert!(html.contains("已保存") && html.contains("发布") && !html.contains("撤回原因"));
    let r = c
        .post(app.url(&format!("/admin/notices/{id}/act")))
        .form(&[("_csrf", csrf.as_str()), ("action", "publish")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, html) = visitor_page(&app, "/notices?kind=policy").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("示例市政务数据共享管理办法"));
    let (s, html) = visitor_page(&app, &format!("/notices/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("示政办〔2026〕9号") && html.contains("<title>示例市政务数据共享管理办法 - "));
    // A withdrawal without a reason is refused in Chinese.
    let r = c
        .post(app.url(&format!("/admin/notices/{id}/act")))
        .form(&[("_csrf", csrf.as_str()), ("action", "withdraw"), ("reason", " ")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请填写撤回原因"));
    // A visitor finds no management page; a counter officer is refused.
    assert_eq!(visitor_page(&app, "/admin/notices").await.0, StatusCode::SEE_OTHER);
    let counter = app.ready_token("demo_counter").await;
    assert_eq!(page(&signed(&counter), &app, "/admin/notices").await.0, StatusCode::FORBIDDEN);
    assert_eq!(visitor_page(&app, "/notices?kind=x").await.0, StatusCode::BAD_REQUEST);
    assert_invariants(&app).await;
});

both_backends!(guide_filters_with_empty_and_unknown_values, |store: Store| async move {
    let app = App::start(store).await;
    // Dropdowns left at 全部 send empty values: no filter.
    let all = "/guide?department=&region=&object=&level=&life_event=&theme=";
    let (s, html) = visitor_page(&app, all).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("食品经营许可"));
    let (s, items) = anon_get(&app, "/api/v1/guide/items?department=&region=&object=&level=&life_event=&theme=").await;
    assert_eq!(s, StatusCode::OK, "{items}");
    let n_all = items.as_array().unwrap().len();
    assert!(n_all >= 30);
    // Unknown values: a Chinese message on the page, a structured error in the API.
    for (q, field) in
        [("department=abc", "所属部门"), ("level=9", "层级"), ("life_event=moon", "人生事件"), ("object=7", "服务对象")]
    {
        let (s, html) = visitor_page(&app, &format!("/guide?{q}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{q}");
        assert!(html.contains(&format!("查询条件“{field}”的取值无法识别")), "{q}: {html}");
        assert!(!html.contains("Failed to deserialize"));
        let (s, b) = anon_get(&app, &format!("/api/v1/guide/items?{q}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{q}: {b}");
        assert!(b["code"] == "bad_filter" || b["code"] == "bad_request", "{b}");
    }
    assert_eq!(visitor_page(&app, "/guide?region=999999").await.0, StatusCode::NOT_FOUND);
    // Browse by level and by life event.
    let county: Vec<Value> = anon_get(&app, "/api/v1/guide/items?level=4").await.1.as_array().unwrap().clone();
    assert!(!county.is_empty() && county.len() < n_all);
    assert!(county.iter().all(|i| i["name"].as_str().unwrap().starts_with("东城区")), "{county:?}");
    let births = anon_get(&app, "/api/v1/guide/items?life_event=birth").await.1;
    assert_eq!(
        births.as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect::<Vec<_>>(),
        ["出生医学证明首次签发"]
    );
    let (_, html) = visitor_page(&app, "/guide?life_event=start_business").await;
    assert!(html.contains("企业设立登记") && !html.contains(">出生医学证明首次签发<"));
    assert_invariants(&app).await;
});

both_backends!(page_filters_left_empty_work_everywhere, |store: Store| async move {
    let app = App::start(store).await;
    let supervisor = app.ready_token("demo_supervisor").await;
    let center = app.ready_token("demo_center").await;
    let admin = app.ready_token("demo_admin").await;
    let head = app.ready_token("demo_head").await;
    let pages: &[(&str, &str)] = &[
        (&head, "/cases?state=&q=&page="),
        (&head, "/work/inbox?state=&page=&sort="),
        (&head, "/work/ratings?scope=&bad=&page="),
        (&head, "/work/interactions?scope=&state=&overdue=&q=&page="),
        (&supervisor, "/supervision/findings?department_id=&county_region_id=&severity=&rule=&state=&case_id=&reply_overdue=&page="),
        (&supervisor, "/supervision/orders?state="),
        (&supervisor, "/supervision/evaluation?period=&kind="),
        (&admin, "/admin/outbox?state="),
        (&admin, "/admin/calendar?year="),
        (&admin, "/admin/audit?actor=&action=&object_type=&from=&to=&page="),
        (&center, "/admin/notices?kind=&page="),
        ("", "/interact?kind=&q=&page="),
        ("", "/calendar?year=&from=&days="),
        ("", "/ranking?period="),
        ("", "/ratings/public?page="),
        ("", "/notices?kind=&page="),
        ("", "/login?next="),
    ];
    for (token, path) in pages {
        let c = if token.is_empty() { client() } else { signed(token) };
        let (s, html) = page(&c, &app, path).await;
        assert_eq!(s, StatusCode::OK, "{path}: {html}");
        // A number that is not one: a Chinese message, never the framework's English.
        let bad = path.replace("page=", "page=x").replace("year=", "year=x");
        if bad != *path {
            let (s, html) = page(&c, &app, &bad).await;
            assert!(s == StatusCode::BAD_REQUEST || s == StatusCode::OK, "{bad}: {s}");
            assert!(!html.contains("Failed to deserialize") && !html.contains("invalid digit"), "{bad}: {html}");
        }
    }
    assert_invariants(&app).await;
});

both_backends!(guide_tabs_forms_and_print_view, |store: Store| async move {
    let app = App::start(store).await;
    let items = anon_get(&app, "/api/v1/guide/items").await.1;
    let id = items.as_array().unwrap().iter().find(|i| i["name"] == "出生医学证明首次签发").unwrap()["item_id"]
        .as_i64()
        .unwrap();
    let (s, html) = visitor_page(&app, &format!("/guide/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    for tab in ["基本信息", "受理条件", "申请材料", "办理流程", "收费", "常见问题", "咨询监督"]
    {
        assert!(html.contains(&format!("\">{tab}</a>")) && html.contains(&format!("\">{tab}</h2>")), "{tab}");
    }
    let links: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .map(|p| p.split('"').next().unwrap().to_string())
        .filter(|h| h.starts_with(&format!("/guide/{id}/files/")))
        .collect();
    assert_eq!(links.len(), 2, "{links:?}");
    let mut types = vec![];
    for l in &links {
        let r = client().get(app.url(l)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        types.push(r.headers()["content-type"].to_str().unwrap().to_string());
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.len() > 500 && bytes.len() < 200_000, "{l}: {}", bytes.len());
    }
    assert_eq!(types, ["application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]);
    let (s, html) = visitor_page(&app, &format!("/guide/{id}?print=1")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("guide print-all") && html.contains("返回办事指南"));
    assert_invariants(&app).await;
});
