//! The catalogue through the API and the pages, on SQLite and PostgreSQL.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

/// The items of the public guide, filtered by `query` (`?object=1` …).
async fn guide_items(app: &App, query: &str) -> Vec<Value> {
    client().get(app.url(&format!("/api/v1/guide/items{query}"))).send().await.unwrap().json().await.unwrap()
}

both_backends!(governance_flow_end_to_end, |store: Store| async move {
    let app = App::start(store).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let land = app.department_id("示例市自然资源局").await;
    let [da, legal, center] = app.ready_tokens(["demo_deptadmin", "demo_legal", "demo_center"]).await;

    let mut content = zwfw_domain::catalog::example(market);
    content.basic_code = "000117099000".into();
    content.name = "测试许可".into();
    // Bad input: step limits over the promised limit, a foreign department, no reason.
    let mut bad = content.clone();
    bad.steps[1].limit_days = 9;
    let (s, b) = body(app.post(&da, "/api/v1/items", json!({"content": bad, "reason": "新增"})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_item")));
    assert!(
        b["message"].as_str().unwrap().contains("各环节时限之和（13个工作日）超过承诺办结时限（10个工作日）"),
        "{b}"
    );
    let mut foreign = content.clone();
    foreign.department_id = land;
    foreign.steps.iter_mut().for_each(|s| s.department_id = land);
    assert_eq!(
        app.post(&da, "/api/v1/items", json!({"content": foreign, "reason": "新增"})).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        body(app.post(&da, "/api/v1/items", json!({"content": content, "reason": " "})).await).await.1["code"],
        "reason_required"
    );

    let (s, b) = body(app.post(&da, "/api/v1/items", json!({"content": content, "reason": "新增事项"})).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (item, v1) = (b["item_id"].as_i64().unwrap(), b["version_id"].as_i64().unwrap());
    // Duplicate 实施编码.
    assert_eq!(
        body(app.post(&da, "/api/v1/items", json!({"content": content, "reason": "again"})).await).await.0,
        StatusCode::CONFLICT
    );
    // Not in the public guide yet; the legal reviewer cannot approve for the centre.
    assert_eq!(
        client().get(app.url(&format!("/api/v1/guide/items/{item}"))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let act = |token: &str, v: i64, action: &str, reason: &str| {
        let (t, a, r) = (token.to_string(), action.to_string(), reason.to_string());
        let app = &app;
        async move {
            body(app.post(&t, &format!("/api/v1/item-versions/{v}/actions"), json!({"action": a, "reason": r})).await)
                .await
        }
    };
    assert_eq!(act(&legal, v1, "pass_legal_review", "x").await.1["code"], "wrong_state");
    assert_eq!(act(&da, v1, "submit", "提交审核").await.1["state"], "legal_review");
    assert_eq!(act(&legal, v1, "approve", "x").await.0, StatusCode::CONFLICT);
    assert_eq!(
        act(&center, v1, "send_back", "x").await.0,
        StatusCode::FORBIDDEN,
        "only legal review sends back at this stage"
    );
    assert_eq!(act(&legal, v1, "send_back", "设定依据条款有误").await.1["state"], "draft");
    let mut fixed = content.clone();
    fixed.legal_basis = "《中华人民共和国食品安全法》第三十五条第一款".into();
    assert_eq!(
        app.put(&da, &format!("/api/v1/item-versions/{v1}"), json!({"content": fixed, "reason": "修正依据"}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    act(&da, v1, "submit", "再次提交").await;
    assert_eq!(act(&legal, v1, "pass_legal_review", "合法").await.1["state"], "center_approval");

    // Two approvals at once: exactly one wins.
    let admin = app.ready_token("demo_admin").await;
    let (a, b2) = tokio::join!(act(&center, v1, "approve", "同意"), act(&admin, v1, "approve", "同意"));
    let states = [a.0, b2.0];
    assert!(states.contains(&StatusCode::OK) && states.contains(&StatusCode::CONFLICT), "{a:?} {b2:?}");
    let loser = if a.0 == StatusCode::CONFLICT { a.1 } else { b2.1 };
    assert!(matches!(loser["code"].as_str(), Some("already_handled") | Some("wrong_state")), "{loser}");

    // Published: public, immutable.
    let (s, g) = anon_get(&app, &format!("/api/v1/guide/items/{item}")).await;
    assert_eq!((s, g["content"]["name"].as_str()), (StatusCode::OK, Some("测试许可")));
    let (s, b) =
        body(app.put(&da, &format!("/api/v1/item-versions/{v1}"), json!({"content": fixed, "reason": "偷改"})).await)
            .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("wrong_state")));

    // A change is a new version, with a diff; only one open at a time.
    let (s, b) =
        body(app.post(&da, &format!("/api/v1/items/{item}/versions"), json!({"reason": "缩短时限"})).await).await;
    assert_eq!(s, StatusCode::CREATED);
    let v2 = b["version_id"].as_i64().unwrap();
    assert_eq!(
        body(app.post(&da, &format!("/api/v1/items/{item}/versions"), json!({"reason": "again"})).await).await.1
            ["code"],
        "open_version_exists"
    );
    let mut shorter = fixed.clone();
    shorter.promised_limit_days = 8;
    shorter.steps[1].limit_days = 4;
    assert_eq!(
        app.put(&da, &format!("/api/v1/item-versions/{v2}"), json!({"content": shorter, "reason": "提速"}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let (_, d) = body(app.get(&da, &format!("/api/v1/items/{item}/diff?from={v1}&to={v2}")).await).await;
    let fields: Vec<&str> = d.as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["promised_limit_days", "steps[2].limit_days"]);
    // The guide still shows version 1 until version 2 is approved.
    let (_, g) = anon_get(&app, &format!("/api/v1/guide/items/{item}")).await;
    assert_eq!(g["version_no"], 1);
    act(&da, v2, "submit", "提交").await;
    act(&legal, v2, "pass_legal_review", "合法").await;
    act(&center, v2, "approve", "同意").await;
    let (_, g) = anon_get(&app, &format!("/api/v1/guide/items/{item}")).await;
    assert_eq!((g["version_no"].as_i64(), g["content"]["promised_limit_days"].as_i64()), (Some(2), Some(8)));

    // Every step is in the item's history and the audit trail.
    let (_, detail) = body(app.get(&center, &format!("/api/v1/items/{item}")).await).await;
    let actions: Vec<&str> =
        detail["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        vec![
            "create",
            "submit",
            "send_back",
            "edit",
            "submit",
            "pass_legal_review",
            "approve",
            "new_version",
            "edit",
            "submit",
            "pass_legal_review",
            "approve"
        ]
    );
    let f = zwfw_store::audit::AuditFilter {
        object_type: Some("item".into()),
        object_id: Some(item.to_string()),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(zwfw_store::audit::list(&app.state.store, &f).await.unwrap().len(), 12);

    // Drafts are not readable by other departments; retiring takes it off the guide.
    let rv_land = app.ready_token("demo_land").await;
    assert_eq!(app.get(&rv_land, &format!("/api/v1/items/{item}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.post(&da, &format!("/api/v1/items/{item}/retire"), json!({"reason": "x"})).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&center, &format!("/api/v1/items/{item}/retire"), json!({"reason": "职能划转"})).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        client().get(app.url(&format!("/api/v1/guide/items/{item}"))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_invariants(&app).await;
});

both_backends!(public_guide_browses_demo_catalogue, |store: Store| async move {
    let app = App::start(store).await;
    let all = guide_items(&app, "").await;
    assert!(all.len() >= 30, "{}", all.len());
    let persons = guide_items(&app, "?object=1").await;
    assert!(persons.len() < all.len() && !persons.is_empty());
    let themed = guide_items(&app, "?theme=%E5%BC%80%E5%8A%9E%E4%BC%81%E4%B8%9A").await;
    assert!(themed.iter().any(|i| i["name"] == "食品经营许可"));
    // By region: the county's departments only.
    let regions = zwfw_store::admin::list_regions(&app.state.store).await.unwrap();
    let dongcheng = regions.iter().find(|r| r.name == "东城区").unwrap().id;
    let county = guide_items(&app, &format!("?region={dongcheng}")).await;
    assert!(
        !county.is_empty() && county.iter().all(|i| i["name"].as_str().unwrap().starts_with("东城区")),
        "{county:?}"
    );

    let html = client().get(app.url("/guide?object=2")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("建设工程规划许可证核发"));
    let id = all.iter().find(|i| i["name"] == "建设工程规划许可证核发").unwrap()["item_id"].as_i64().unwrap();
    let page = client().get(app.url(&format!("/guide/{id}"))).send().await.unwrap().text().await.unwrap();
    for needle in ["申请材料", "办理流程图", "并联：示例市住房和城乡建设局", "设定依据", "监督投诉电话", "在线办理"]
    {
        assert!(page.contains(needle), "guide page lacks {needle}");
    }
    assert_eq!(client().get(app.url("/guide/999999")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let export: Vec<Value> =
        client().get(app.url("/api/v1/guide/export.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(export.len(), all.len());
    let e = export.iter().find(|e| e["事项名称"] == "建设工程规划许可证核发").unwrap();
    assert_eq!(e["事项类型代码"], "01");
    assert!(e["实施编码"].as_str().unwrap().starts_with(e["实施主体代码"].as_str().unwrap()));
    assert_eq!(e["共同实施部门"], "示例市住房和城乡建设局；示例市卫生健康委员会");
    let apply = client().get(app.url(&format!("/apply/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(
        apply.contains("网上申报须先") && apply.contains("/login?next=/apply/"),
        "anonymous visitors are sent to sign in"
    );
    // The admin list and item page.
    let center = app.ready_token("demo_center").await;
    let list = app.get(&center, "/admin/items").await.text().await.unwrap();
    assert!(list.contains("已发布"));
    let item_page = app.get(&center, &format!("/admin/items/{id}")).await.text().await.unwrap();
    assert!(item_page.contains("发起变更（新版本）") || item_page.contains("中心审批通过并发布"));
});

both_backends!(chinese_search_finds_the_right_items, |store: Store| async move {
    let app = App::start(store).await;
    let search = |q: &str| {
        let url = app.url(&format!("/api/v1/guide/search?q={}", zwfw_web::http::auth::urlencode(q)));
        async move { client().get(url).send().await.unwrap().json::<Vec<Value>>().await.unwrap() }
    };
    let names = |hits: &[Value]| hits.iter().map(|h| h["name"].as_str().unwrap().to_string()).collect::<Vec<_>>();

    let hits = search("食品经营").await;
    assert_eq!(names(&hits)[0], "食品经营许可", "{:?}", names(&hits));
    assert!(hits[0]["snippet"].as_str().unwrap().contains("<mark>"));
    // Its guide page lists what the application form asks for.
    let food = hits[0]["item_id"].as_i64().unwrap();
    let page = client().get(app.url(&format!("/guide/{food}"))).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("申请表填写内容")
            && page.contains("主体业态 *（可选：食品销售经营者、餐饮服务经营者、单位食堂）")
    );

    let hits = search("营业执照").await;
    let top: Vec<String> = names(&hits).into_iter().take(4).collect();
    assert!(top.iter().any(|n| n.contains("个体工商户登记")) && top.iter().any(|n| n == "企业设立登记"), "{top:?}");

    let hits = search("开餐馆").await;
    let top: Vec<String> = names(&hits).into_iter().take(3).collect();
    assert!(top.iter().any(|n| n == "食品经营许可" || n.contains("餐饮服务开业联办")), "{top:?}");

    assert!(search("量子计算机").await.is_empty());
    assert!(search("<script>").await.is_empty());

    let html =
        client().get(app.url("/guide?q=%E5%BC%80%E9%A4%90%E9%A6%86")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("搜索结果") && html.contains("<mark>"));

    // Retiring an item takes it out of the index (the change marker makes every server rebuild).
    let center = app.ready_token("demo_center").await;
    let id = search("食品经营").await[0]["item_id"].as_i64().unwrap();
    assert_eq!(
        app.post(&center, &format!("/api/v1/items/{id}/retire"), json!({"reason": "测试取消"})).await.status(),
        StatusCode::NO_CONTENT
    );
    zwfw_app::sync_shared(&app.state, false).await.unwrap();
    assert!(search("食品经营").await.iter().all(|h| h["item_id"].as_i64() != Some(id)));
});

/// `/readyz` and its figures: (status, body).
async fn readyz(app: &App) -> (StatusCode, Value) {
    let r = client().get(app.url("/readyz")).send().await.unwrap();
    (r.status(), r.json().await.unwrap())
}

both_backends!(search_is_current_at_readyz_and_never_goes_back, |store: Store| async move {
    let app = App::start(store).await;
    let st = &app.state;
    let search = |q: &str| {
        let url = app.url(&format!("/api/v1/guide/search?q={}", zwfw_web::http::auth::urlencode(q)));
        async move { client().get(url).send().await.unwrap().json::<Vec<Value>>().await.unwrap() }
    };
    // Ready once the demo is loaded: the index holds the catalogue's generation.
    let (s, ready) = readyz(&app).await;
    assert_eq!(s, StatusCode::OK, "{ready}");
    assert_eq!(ready["status"], "ready");
    let g = ready["search"]["generation"].as_i64().unwrap();
    assert!(g > 0, "every demo publication counts: {ready}");
    assert_eq!(ready["search"]["built"], g);
    assert_eq!(ready["search"]["current"], true);

    // A build that read the catalogue before a change…
    let older = zwfw_app::catalog::search::build_from_store(st).await.unwrap();
    assert_eq!(older.generation(), Some(g));
    // …the change, made on another app server: an item retired.
    let id = search("食品经营").await[0]["item_id"].as_i64().unwrap();
    let other = another_process(&app).await;
    let center = actor_of(&app, "demo_center").await;
    let there = zwfw_app::Ctx { state: &other, actor: Some(&center), client_addr: "test".into() };
    zwfw_app::catalog::retire(&there, id, "职能划转", None).await.unwrap();

    // This server is behind until it rebuilds, and says so.
    let (s, behind) = readyz(&app).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{behind}");
    assert_eq!(behind["status"], "search_behind");
    assert_eq!(behind["search"]["generation"], g + 1);
    assert_eq!(behind["search"]["current"], false);

    // Two builds finishing in the wrong order: the newer one is kept. (The
    // check above started a rebuild; it may have been installed first.)
    let newer = zwfw_app::catalog::search::build_from_store(st).await.unwrap();
    assert_eq!(newer.generation(), Some(g + 1));
    zwfw_app::catalog::search::install(st, newer);
    assert!(!zwfw_app::catalog::search::install(st, older), "an older index replaced a newer one");
    assert_eq!(st.search_index().generation(), Some(g + 1));
    assert!(search("食品经营").await.iter().all(|h| h["item_id"].as_i64() != Some(id)));
    let (s, ready) = readyz(&app).await;
    assert_eq!((s, ready["search"]["built"].as_i64()), (StatusCode::OK, Some(g + 1)), "{ready}");

    // A renamed department is a change of what search shows.
    let admin = app.ready_token("demo_admin").await;
    let dept = app.department_id("示例市市场监督管理局").await;
    let (s, d) = body(app.get(&admin, &format!("/api/v1/departments/{dept}")).await).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let mut input = d.clone();
    input["name"] = json!("示例市市场监督管理局（更名）");
    input["reason"] = json!("机构改革");
    let (s, e) = body(app.put(&admin, &format!("/api/v1/departments/{dept}"), input).await).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    zwfw_app::sync_shared(st, false).await.unwrap();
    assert_eq!(zwfw_app::catalog::search::status(st).await.unwrap().generation, g + 2);
    assert!(search("营业执照").await.iter().any(|h| h["department"] == "示例市市场监督管理局（更名）"));
});

both_backends!(attachments_are_checked_by_content, |store: Store| async move {
    let app = App::start(store).await;
    let center = app.ready_token("demo_center").await;
    let all = guide_items(&app, "").await;
    let id = all.iter().find(|i| i["name"] == "公共场所卫生许可").unwrap()["item_id"].as_i64().unwrap();
    let attach = |v: i64, slot: &str, material: &str, name: &str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("slot", slot.to_string())
            .text("material", material.to_string())
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
        let req = client()
            .post(app.url(&format!("/api/v1/item-versions/{v}/attachments")))
            .bearer_auth(&center)
            .multipart(form);
        async move { body(req.send().await.unwrap()).await }
    };
    let (_, d) = body(app.get(&center, &format!("/api/v1/items/{id}")).await).await;
    let published = d["published_version_id"].as_i64().unwrap();
    let pdf = PDF.to_vec();
    // A published version never changes.
    let (s, b) = attach(published, "form", "1", "申请表.pdf", pdf.clone()).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("wrong_state")));
    let (_, nv) =
        body(app.post(&center, &format!("/api/v1/items/{id}/versions"), json!({"reason": "上传表格"})).await).await;
    let draft = nv["version_id"].as_i64().unwrap();
    // Refused: a page pretending to be a PDF, a PNG named .pdf, too large, a material that does not exist.
    let (s, b) = attach(draft, "form", "1", "申请表.pdf", b"<html>hello</html>".to_vec()).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_upload")));
    assert!(b["message"].as_str().unwrap().contains("无法识别文件内容的格式"), "{b}");
    let (s, b) = attach(draft, "form", "1", "申请表.pdf", b"\x89PNG\r\n\x1a\nxxxx".to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b["message"].as_str().unwrap().contains("内容实际是PNG格式"), "{b}");
    let mut big = pdf.clone();
    big.resize(70 * 1024, b' ');
    assert_eq!(attach(draft, "form", "1", "大.pdf", big).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(attach(draft, "form", "99", "申请表.pdf", pdf.clone()).await.0, StatusCode::NOT_FOUND);
    // Accepted, stored once by SM3, published, downloadable from the guide.
    let (s, b) = attach(draft, "form", "1", "申请表.pdf", pdf.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let sm3 = b["sm3"].as_str().unwrap().to_string();
    assert_eq!(sm3, zwfw_domain::audit::sm3_hex(&pdf));
    let legal = app.ready_token("demo_legal").await;
    for (t, a) in [(&center, "submit"), (&legal, "pass_legal_review"), (&center, "approve")] {
        let r = app
            .post(t, &format!("/api/v1/item-versions/{draft}/actions"), json!({"action": a, "reason": "上传空白表格"}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let page = client().get(app.url(&format!("/guide/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("/guide/{id}/files/{sm3}")));
    let r = client().get(app.url(&format!("/guide/{id}/files/{sm3}"))).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    // Files not referenced by the published guide are not served.
    let other = "0".repeat(64);
    assert_eq!(
        client().get(app.url(&format!("/guide/{id}/files/{other}"))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
});

async fn import(app: &App, token: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("catalog.xlsx"));
    body(client().post(app.url("/api/v1/items/import")).bearer_auth(token).multipart(form).send().await.unwrap()).await
}

async fn item_count(app: &App) -> usize {
    zwfw_store::catalog::list(
        &app.state.store,
        &zwfw_store::catalog::ItemFilter { limit: 100_000, ..Default::default() },
    )
    .await
    .unwrap()
    .len()
}

both_backends!(excel_import_is_all_or_nothing, |store: Store| async move {
    use zwfw_app::catalog::xlsx::{workbook, ITEM_COLUMNS, ITEM_SHEET, MATERIAL_COLUMNS, MATERIAL_SHEET};
    let app = App::start(store).await;
    let da = app.ready_token("demo_deptadmin").await;
    let market = app.department_id("示例市市场监督管理局").await;
    let credit = zwfw_store::admin::get_department(&app.state.store, market).await.unwrap().credit_code;
    let depts = zwfw_store::admin::list_departments(&app.state.store).await.unwrap();

    // The template downloads as a workbook.
    let t = client().get(app.url("/admin/items/import-template.xlsx")).send().await.unwrap();
    assert_eq!(t.status(), StatusCode::OK);
    assert!(t.bytes().await.unwrap().starts_with(b"PK"));

    // Two new items: imported as drafts, in one go.
    let mut a = zwfw_domain::catalog::example(market);
    a.basic_code = "000117050000".into();
    a.name = "导入测试事项甲".into();
    a.form_fields = vec![
        zwfw_domain::catalog::FormField::from_parts(&["经营场所", "文本", "必填"]).unwrap(),
        zwfw_domain::catalog::FormField::from_parts(&["主体业态", "选项", "选填", "餐饮服务经营者、单位食堂"]).unwrap(),
    ];
    let mut b = a.clone();
    b.basic_code = "000117051000".into();
    b.name = "导入测试事项乙".into();
    let before = item_count(&app).await;
    let (s, r) = import(&app, &da, workbook(&[a.clone(), b.clone()], &depts).unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["created"], 2);
    assert_eq!(item_count(&app).await, before + 2);
    // The application form fields travel through the workbook.
    let all = zwfw_store::catalog::list(
        &app.state.store,
        &zwfw_store::catalog::ItemFilter { limit: 1000, ..Default::default() },
    )
    .await
    .unwrap();
    let imported = all.iter().find(|i| i.name == "导入测试事项甲").unwrap();
    let v = zwfw_store::catalog::get_version(&app.state.store, imported.version_id).await.unwrap();
    assert_eq!(v.content.form_fields, a.form_fields);
    // The same file again: both exist now, nothing is stored, both rows named.
    let (s, r) = import(&app, &da, workbook(&[a.clone(), b.clone()], &depts).unwrap()).await;
    assert_eq!((s, r["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("import_rejected")));
    assert_eq!(r["errors"].as_array().unwrap().len(), 2);
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("已存在"));

    // Hundreds of bad rows: every bad cell is reported, nothing is stored.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name(ITEM_SHEET).unwrap();
    for (i, (h, _)) in ITEM_COLUMNS.iter().enumerate() {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    for r in 1..=300u32 {
        let row = [
            format!("坏事项{r}"),
            String::new(),
            format!("00011790{r:04}"),
            "99".into(),
            "依据".into(),
            "3".into(),
            credit.clone(),
            "1".into(),
            "x".into(),
            "5".into(),
            "2".into(),
            "条件".into(),
            "结果".into(),
            "1".into(),
            String::new(),
            String::new(),
            "1".into(),
            String::new(),
            "1".into(),
            "地点".into(),
            "时间".into(),
            "0858-1".into(),
            "0858-2".into(),
            "受理:counter:1".into(),
        ];
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r, c as u16, v).unwrap();
        }
    }
    let ws = wb.add_worksheet().set_name(MATERIAL_SHEET).unwrap();
    for (i, (h, _)) in MATERIAL_COLUMNS.iter().enumerate() {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    let before = item_count(&app).await;
    let (s, r) = import(&app, &da, bytes).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = r["errors"].as_array().unwrap();
    // Per row: 事项类型代码 99, 法定时限 x, no materials.
    assert_eq!(errors.len(), 900, "{}", errors.len());
    let first: Vec<String> = errors
        .iter()
        .filter(|e| e["row"] == 2)
        .map(|e| format!("{} {}", e["column"].as_str().unwrap(), e["message"].as_str().unwrap()))
        .collect();
    assert!(first.iter().any(|e| e.starts_with("D 事项类型代码") && e.contains("“99”不是")), "{first:?}");
    assert!(first.iter().any(|e| e.starts_with("I 法定办结时限") && e.contains("“x”不是")), "{first:?}");
    assert_eq!(errors.last().unwrap()["row"], 301);
    assert_eq!(item_count(&app).await, before, "nothing half-saved");

    // One good and one bad item: nothing at all.
    let mut good = a.clone();
    good.basic_code = "000117052000".into();
    let mut bad = a.clone();
    bad.basic_code = "000117053000".into();
    bad.promised_limit_days = 30;
    let (s, r) = import(&app, &da, workbook(&[good, bad], &depts).unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("承诺办结时限"), "{r}");
    assert_eq!(item_count(&app).await, before);
    // Not a workbook at all; another department's items; a reviewer.
    let (s, r) = import(&app, &da, b"%PDF-1.4 no".to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("不是有效的Excel"));
    let land = app.department_id("示例市自然资源局").await;
    let mut foreign = zwfw_domain::catalog::example(land);
    foreign.basic_code = "000117054000".into();
    let (_, r) = import(&app, &da, workbook(&[foreign], &depts).unwrap()).await;
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("无权"), "{r}");
    let rv = app.ready_token("demo_reviewer").await;
    assert_eq!(import(&app, &rv, workbook(&[], &depts).unwrap()).await.0, StatusCode::FORBIDDEN);

    // The published catalogue exports in the same format.
    let x = client().get(app.url("/guide/export.xlsx")).send().await.unwrap();
    assert_eq!(x.status(), StatusCode::OK);
    assert!(x.bytes().await.unwrap().len() > 5000);
    assert_invariants(&app).await;
});

both_backends!(excel_import_from_the_admin_page, |store: Store| async move {
    let app = App::start(store).await;
    let da = app.ready_token("demo_deptadmin").await;
    let market = app.department_id("示例市市场监督管理局").await;
    let depts = zwfw_store::admin::list_departments(&app.state.store).await.unwrap();
    let page = app.get(&da, "/admin/items").await.text().await.unwrap();
    assert!(page.contains("下载导入模板"));
    let csrf = csrf_of(&page);
    let mut a = zwfw_domain::catalog::example(market);
    a.basic_code = "000117060000".into();
    let bytes = zwfw_app::catalog::xlsx::workbook(&[a], &depts).unwrap();
    let post = |url: String, bytes: Vec<u8>| {
        let form =
            reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("x.xlsx"));
        client().post(url).bearer_auth(&da).multipart(form).send()
    };
    let r = post(app.url("/admin/items/import"), bytes.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no token, no import");
    let r = post(app.url(&format!("/admin/items/import?_csrf={csrf}")), bytes.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("已导入 1 个事项"));
    let r = post(app.url(&format!("/admin/items/import?_csrf={csrf}")), bytes).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("导入未执行") && html.contains("已存在"));

    // A counter clerk is offered no import and refused one before the file is read.
    let counter = app.ready_token("demo_counter").await;
    let page = app.get(&counter, "/admin/items").await.text().await.unwrap();
    assert!(!page.contains("批量导入") && page.contains("导出现行事项目录"), "{page}");
    let csrf = csrf_of(&page);
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(vec![1, 2, 3]).file_name("x.xlsx"));
    let url = app.url(&format!("/admin/items/import?_csrf={csrf}"));
    let r = client().post(url).bearer_auth(&counter).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("批量导入事项须由部门管理员"));
});

both_backends!(draft_editor_page, |store: Store| async move {
    let app = App::start(store).await;
    let center = app.ready_token("demo_center").await;
    let all = guide_items(&app, "").await;
    let id = all.iter().find(|i| i["name"] == "特种设备使用登记").unwrap()["item_id"].as_i64().unwrap();
    // Nothing to edit while only the published version exists.
    assert_eq!(app.get(&center, &format!("/admin/items/{id}/edit")).await.status(), StatusCode::CONFLICT);
    let (_, nv) =
        body(app.post(&center, &format!("/api/v1/items/{id}/versions"), json!({"reason": "缩短时限"})).await).await;
    assert!(nv["version_id"].is_i64());
    let item_page = app.get(&center, &format!("/admin/items/{id}")).await.text().await.unwrap();
    assert!(item_page.contains("修改草稿内容"));
    let page = app.get(&center, &format!("/admin/items/{id}/edit")).await.text().await.unwrap();
    let csrf = csrf_of(&page);
    assert!(page.contains("受理 | counter | 1"));
    let mut form: Vec<(String, String)> = vec![
        ("_csrf".into(), csrf.clone()),
        ("name".into(), "特种设备使用登记".into()),
        ("legal_basis".into(), "《中华人民共和国特种设备安全法》第三十三条".into()),
        ("legal_limit_days".into(), "15".into()),
        ("promised_limit_days".into(), "3".into()),
        ("acceptance_conditions".into(), "材料齐全".into()),
        ("result_name".into(), "特种设备使用登记证".into()),
        ("fee".into(), "0".into()),
        ("objects".into(), "2".into()),
        ("objects".into(), "3".into()),
        ("modes".into(), "1".into()),
        ("materials".into(), "特种设备使用登记表 | 原件 | 申请人自备 | 1 | 0 | 必须 | 统一格式".into()),
        ("steps".into(), "受理 | counter | 1\n审查 | reviewer | 2\n发证 | dept_head | 1".into()),
        ("location".into(), "政务服务中心".into()),
        ("office_hours".into(), "工作日".into()),
        ("enquiry_phone".into(), "0858-1".into()),
        ("supervision_phone".into(), "0858-2".into()),
        ("form_fields".into(), "设备类别 | 选项 | 必填 | 锅炉、电梯、起重机械\n使用单位地址 | 文本".into()),
        ("reason".into(), "提速".into()),
    ];
    let save = |form: &[(String, String)]| {
        client().post(app.url(&format!("/admin/items/{id}/edit"))).bearer_auth(&center).form(form).send()
    };
    // Step limits over the promised limit: refused with the reason, nothing saved.
    let r = save(&form).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("各环节时限之和（4个工作日）超过承诺办结时限（3个工作日）"));
    form.iter_mut().find(|(k, _)| k == "promised_limit_days").unwrap().1 = "4".into();
    let r = save(&form).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v = zwfw_store::catalog::get_version(&app.state.store, nv["version_id"].as_i64().unwrap()).await.unwrap();
    assert_eq!(v.content.promised_limit_days, 4);
    assert_eq!(v.content.steps.len(), 3);
    assert_eq!(v.content.service_objects.len(), 2);
    let fields: Vec<Vec<String>> = v.content.form_fields.iter().map(|f| f.parts()).collect();
    assert_eq!(
        fields,
        [vec!["设备类别", "选项", "必填", "锅炉、电梯、起重机械"], vec!["使用单位地址", "文本", "必填"]]
    );
    let page = app.get(&center, &format!("/admin/items/{id}/edit")).await.text().await.unwrap();
    assert!(page.contains("设备类别 | 选项 | 必填 | 锅炉、电梯、起重机械"), "shown back in the editor");
    // A field line the editor cannot read is refused with its line number.
    let mut bad = form.clone();
    bad.iter_mut().find(|(k, _)| k == "form_fields").unwrap().1 = "设备类别 | 下拉框".into();
    let r = save(&bad).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("申请表字段第1行"));
    // Any two versions can be compared on the item's page.
    let (_, d) = body(app.get(&center, &format!("/api/v1/items/{id}")).await).await;
    let (first, second) = (d["versions"][0]["id"].as_i64().unwrap(), d["versions"][1]["id"].as_i64().unwrap());
    let html = app.get(&center, &format!("/admin/items/{id}?from={first}&to={second}")).await.text().await.unwrap();
    assert!(html.contains("版本差异") && html.contains("promised_limit_days"), "diff shown");
    let same = app.get(&center, &format!("/admin/items/{id}?from={first}&to={first}")).await.text().await.unwrap();
    assert!(!same.contains("版本差异"));
    assert_invariants(&app).await;
});

both_backends!(upload_from_the_editor_page, |store: Store| async move {
    let app = App::start(store).await;
    let center = app.ready_token("demo_center").await;
    let all = guide_items(&app, "").await;
    let id = all.iter().find(|i| i["name"] == "医师执业注册").unwrap()["item_id"].as_i64().unwrap();
    app.post(&center, &format!("/api/v1/items/{id}/versions"), json!({"reason": "上传表格"})).await;
    let page = app.get(&center, &format!("/admin/items/{id}/edit")).await.text().await.unwrap();
    let csrf = csrf_of(&page);
    let send = |bytes: Vec<u8>, name: &str, csrf: &str| {
        let form = reqwest::multipart::Form::new()
            .text("slot", "form")
            .text("material", "1")
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
        client()
            .post(app.url(&format!("/admin/items/{id}/attachments?_csrf={csrf}")))
            .bearer_auth(&center)
            .multipart(form)
            .send()
    };
    let r = send(b"not a pdf".to_vec(), "表.pdf", &csrf).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("上传失败"));
    assert_eq!(send(b"%PDF-1.4 x".to_vec(), "表.pdf", "wrong").await.unwrap().status(), StatusCode::FORBIDDEN);
    let r = send(b"%PDF-1.4 x".to_vec(), "表.pdf", &csrf).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = app.get(&center, &format!("/admin/items/{id}/edit")).await.text().await.unwrap();
    assert!(page.contains("已上传空白表格"));
});

/// A second, fresh database on the backend of `like`, started without the
/// demo city: the demo regions and departments (the same credit codes) and
/// one service-centre administrator, `import_admin`, but no items.
async fn city_without_items(like: &App) -> (zwfw_store::scratch::ScratchDb, App) {
    use zwfw_app::{accounts, orgs};
    let db = match like.state.store.backend() {
        zwfw_store::Backend::Sqlite => zwfw_store::scratch::ScratchDb::sqlite(),
        zwfw_store::Backend::Postgres => {
            zwfw_store::testing::postgres("catalog::city_without_items").await.expect("the server answered")
        }
    };
    let app = App::start_without_demo(db.store().await.unwrap()).await;
    let ctx = zwfw_app::Ctx { state: &app.state, actor: None, client_addr: "test".into() };
    let mut regions = zwfw_store::admin::list_regions(&like.state.store).await.unwrap();
    regions.sort_by_key(|r| r.code.len());
    let mut region_ids = std::collections::HashMap::new();
    for r in regions {
        let input = orgs::RegionInput { code: r.code.clone(), name: r.name.clone(), reason: "测试".into() };
        region_ids.insert(r.id, orgs::create_region(&ctx, &input).await.unwrap().id);
    }
    let mut center = 0;
    for d in zwfw_store::admin::list_departments(&like.state.store).await.unwrap() {
        let input = orgs::DepartmentInput {
            name: d.name.clone(),
            short_name: d.short_name.clone(),
            credit_code: d.credit_code.clone(),
            kind: d.kind.code().into(),
            region_id: region_ids[&d.region_id],
            parent_id: None,
            phone: d.phone.clone(),
            address: d.address.clone(),
            active: d.active,
            reason: "测试".into(),
            request: None,
        };
        let id = orgs::create_department(&ctx, &input).await.unwrap().id;
        if d.kind == zwfw_domain::admin::DepartmentKind::ServiceCenter {
            center = id;
        }
    }
    let staff = accounts::StaffInput {
        username: "import_admin".into(),
        display_name: "导入测试".into(),
        department_id: center,
        roles: vec!["center_admin".into()],
        mobile: Some("13900000099".into()),
        password: Some(DEMO_PW.into()),
        reason: "测试".into(),
        request: None,
        is_demo: false,
    };
    accounts::create_staff(&ctx, &staff).await.unwrap();
    (db, app)
}

/// A copy of a workbook (its cells as text) with one cell set.
fn with_cell(bytes: Vec<u8>, sheet: &str, row: u32, col: u16, value: &str) -> Vec<u8> {
    use calamine::Reader;
    let mut xlsx: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    for name in xlsx.sheet_names() {
        let range = xlsx.worksheet_range(&name).unwrap();
        let ws = wb.add_worksheet().set_name(&name).unwrap();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, cells) in range.rows().enumerate() {
            for (c, cell) in cells.iter().enumerate() {
                if !matches!(cell, calamine::Data::Empty) {
                    ws.write_string(r0 + r as u32, (c0 as usize + c) as u16, cell.to_string()).unwrap();
                }
            }
        }
        if name == sheet {
            ws.write_string(row, col, value).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The content of the item with `impl_code` in `app`: its open version, or else the published one.
async fn content_of(app: &App, impl_code: &str) -> Option<zwfw_domain::catalog::ItemContent> {
    let item = zwfw_store::catalog::find_item_by_code(&app.state.store, impl_code).await.unwrap()?;
    let v = item.open_version_id.or(item.published_version_id)?;
    Some(zwfw_store::catalog::get_version(&app.state.store, v).await.unwrap().content)
}

/// The fields that differ, each named with the item: `食品经营许可: steps[2].may_suspend: true → false`.
fn differences(
    item: &str,
    a: &zwfw_domain::catalog::ItemContent,
    b: &zwfw_domain::catalog::ItemContent,
) -> Vec<String> {
    let mut out: Vec<String> = zwfw_domain::catalog::diff(a, b)
        .into_iter()
        .map(|c| format!("{item}: {}: {} → {}", c.field, c.before, c.after))
        .collect();
    if out.is_empty() && a != b {
        out.push(format!("{item}: differs outside its serialized fields"));
    }
    out
}

both_backends!(excel_export_imports_back_every_demo_item, |store: Store| async move {
    let app = App::start(store).await;
    let x = client().get(app.url("/guide/export.xlsx")).send().await.unwrap();
    assert_eq!(x.status(), StatusCode::OK);
    let exported = x.bytes().await.unwrap().to_vec();

    let (db, fresh) = city_without_items(&app).await;
    // Attachments travel as the SM3 of a file already in the file store:
    // the demo's forms are copied to the other installation first.
    let mut tx = fresh.state.store.begin().await.unwrap();
    for s in zwfw_store::catalog::list(
        &app.state.store,
        &zwfw_store::catalog::ItemFilter { published_only: true, limit: 1000, ..Default::default() },
    )
    .await
    .unwrap()
    {
        let c = zwfw_store::catalog::get_version(&app.state.store, s.version_id).await.unwrap().content;
        for sm3 in c.materials.iter().flat_map(|m| [m.form_sm3.clone(), m.example_sm3.clone()]).flatten() {
            let bytes = app.state.files.get(&sm3).unwrap().unwrap();
            assert_eq!(fresh.state.put_file(bytes.clone()).await.unwrap(), sm3);
            let kind = zwfw_store::files::kind_of(&app.state.store, &sm3).await.unwrap();
            zwfw_store::files::record(&mut tx, &sm3, bytes.len() as i64, &kind, None, 0).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    fresh.qualify("import_admin").await;
    let token = fresh.ready_token("import_admin").await;
    let (s, r) = import(&fresh, &token, exported).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["created"].as_u64(), Some(zwfw_app::demo::items::ITEMS.len() as u64));

    // Department ids are the installation's own: the file names departments by
    // credit code, so the comparison maps ids through the credit codes.
    let credit_of: std::collections::HashMap<i64, String> = zwfw_store::admin::list_departments(&app.state.store)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d.credit_code))
        .collect();
    let fresh_id: std::collections::HashMap<String, i64> = zwfw_store::admin::list_departments(&fresh.state.store)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.credit_code, d.id))
        .collect();
    let to_fresh = |id: i64| fresh_id[&credit_of[&id]];
    let published = zwfw_store::catalog::list(
        &app.state.store,
        &zwfw_store::catalog::ItemFilter { published_only: true, limit: 1000, ..Default::default() },
    )
    .await
    .unwrap();
    let mut names: Vec<&str> = published.iter().map(|s| s.name.as_str()).collect();
    names.sort();
    let mut demo: Vec<&str> = zwfw_app::demo::items::ITEMS.iter().map(|d| d.name).collect();
    demo.sort();
    assert_eq!(names, demo, "the export holds every demo item");
    let mut problems = Vec::new();
    let (mut joint, mut regulated) = (0, 0);
    for s in &published {
        let mut want = zwfw_store::catalog::get_version(&app.state.store, s.version_id).await.unwrap().content;
        want.department_id = to_fresh(want.department_id);
        want.co_department_ids = want.co_department_ids.iter().map(|id| to_fresh(*id)).collect();
        want.regulator_department_ids = want.regulator_department_ids.iter().map(|id| to_fresh(*id)).collect();
        regulated += usize::from(!want.regulator_department_ids.is_empty());
        for step in &mut want.steps {
            step.department_id = to_fresh(step.department_id);
            step.joint.iter_mut().for_each(|j| j.department_id = to_fresh(j.department_id));
        }
        joint += usize::from(want.has_joint_review());
        // The implementation code is the same: same credit code, level and basic code.
        match content_of(&fresh, &s.impl_code).await {
            Some(got) => problems.extend(differences(&s.name, &want, &got)),
            None => problems.push(format!("{}: not imported", s.name)),
        }
    }
    assert!(problems.is_empty(), "export → import changed:\n{}", problems.join("\n"));
    assert!(joint >= 3, "joint reviews are among the items compared");
    assert!(regulated >= 1, "items naming their regulators are among the items compared");
    assert_invariants(&fresh).await;
    drop(fresh);
    db.cleanup().await;
});

both_backends!(excel_import_names_the_columns_of_a_broken_rule, |store: Store| async move {
    use zwfw_app::catalog::xlsx::workbook;
    use zwfw_domain::catalog::{example, CoReview};
    let app = App::start(store).await;
    let center = app.ready_token("demo_center").await;
    let market = app.department_id("示例市市场监督管理局").await;
    let mut depts = zwfw_store::admin::list_departments(&app.state.store).await.unwrap();
    let item = |code: &str| {
        let mut c = example(market);
        c.basic_code = code.into();
        c
    };
    // Promised over legal; a co-department of a joint review that is the
    // implementing (and lead) department; a step of a department the system
    // does not have; step limits over the promised limit.
    let mut over = item("000117070000");
    over.promised_limit_days = 25;
    let mut joint = item("000117071000");
    joint.steps[1].joint = vec![CoReview { department_id: market, limit_days: 2 }];
    let mut ghost = item("000117072000");
    ghost.steps[2].department_id = 999_999;
    let mut unknown = depts[0].clone();
    (unknown.id, unknown.credit_code) = (999_999, zwfw_app::demo::credit_code_for("529900", 99));
    depts.push(unknown);
    let mut slow = item("000117073000");
    slow.steps[1].limit_days = 9;
    let land = app.department_id("示例市自然资源局").await;
    let mut twice = item("000117076000");
    twice.steps[1].joint = vec![CoReview { department_id: land, limit_days: 2 }; 2];
    let before = item_count(&app).await;
    let (s, r) = import(&app, &center, workbook(&[over, joint, ghost, slow, twice], &depts).unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 5, "{r}");
    let at = |sheet: &str, row: u64| {
        errors
            .iter()
            .find(|e| e["sheet"] == sheet && e["row"].as_u64() == Some(row))
            .unwrap_or_else(|| panic!("no error at {sheet} row {row}: {r}"))
    };
    let e = at("事项", 2);
    assert_eq!(e["column"], "I 法定办结时限（工作日）、J 承诺办结时限（工作日）");
    assert!(e["message"].as_str().unwrap().contains("承诺办结时限（25个工作日）不能超过法定办结时限（20个工作日）"));
    // Item 2's second step is row 6 of the process sheet (three steps per item).
    let e = at("办理流程", 6);
    assert_eq!(e["column"], "F 办理部门统一社会信用代码、H 并联审批部门");
    let m = e["message"].as_str().unwrap();
    assert!(m.contains("第2个环节中同一部门重复参与并联审批") && m.contains("即为实施主体"), "{m}");
    assert!(m.contains("“事项”表第3行 G 实施主体统一社会信用代码"), "{m}");
    let e = at("办理流程", 10);
    assert_eq!(e["column"], "F 办理部门统一社会信用代码");
    assert!(e["message"].as_str().unwrap().contains("系统中没有统一社会信用代码为"));
    let e = at("事项", 5);
    assert_eq!(e["column"], "J 承诺办结时限（工作日）；“办理流程”表第11—13行 E 办理时限（工作日）");
    assert!(e["message"].as_str().unwrap().contains("各环节时限之和（13个工作日）超过承诺办结时限（10个工作日）"));
    // One co-department twice: the lead is not concerned.
    let e = at("办理流程", 15);
    assert_eq!(e["column"], "H 并联审批部门");
    assert_eq!(item_count(&app).await, before);

    // Attachments travel as the SM3 of a file already in the file store.
    let sm3 = app.state.put_file(PDF.to_vec()).await.unwrap();
    let mut tx = app.state.store.begin().await.unwrap();
    zwfw_store::files::record(&mut tx, &sm3, PDF.len() as i64, "pdf", None, 0).await.unwrap();
    tx.commit().await.unwrap();
    let mut missing = item("000117074000");
    missing.result_sample_sm3 = Some("0".repeat(64));
    let (s, r) = import(&app, &center, workbook(&[missing], &depts).unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["errors"][0]["column"], "AM 结果样本SM3", "{r}");
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("文件库中没有该文件"));
    let mut attached = item("000117075000");
    attached.result_sample_sm3 = Some(sm3.clone());
    attached.materials[0].form_sm3 = Some(sm3.clone());
    attached.materials[0].example_sm3 = Some(sm3);
    let (s, r) = import(&app, &center, workbook(std::slice::from_ref(&attached), &depts).unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let credit = depts.iter().find(|d| d.id == market).unwrap().credit_code.clone();
    let code = format!("{credit}3000117075000");
    let got = content_of(&app, &code).await.unwrap();
    let problems = differences(&attached.name, &attached, &got);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_invariants(&app).await;
});

both_backends!(excel_import_reads_the_first_template, |store: Store| async move {
    use zwfw_domain::catalog::example;
    // The headers of the first template, before the 办理流程 sheet and the
    // columns after 申请表字段 / 材料要求.
    const ITEM_HEADERS: [&str; 27] = [
        "事项名称*",
        "子项名称",
        "基本编码*",
        "事项类型代码*",
        "设定依据*",
        "行使层级代码*",
        "实施主体统一社会信用代码*",
        "实施主体性质代码*",
        "法定办结时限（工作日）*",
        "承诺办结时限（工作日）*",
        "办件类型代码*",
        "受理条件*",
        "结果名称*",
        "是否收费*",
        "收费标准",
        "收费依据",
        "服务对象代码*",
        "服务主题",
        "办理形式代码*",
        "办理地点*",
        "办理时间*",
        "咨询电话*",
        "监督电话*",
        "办理环节*",
        "特别程序",
        "常见问题",
        "申请表字段",
    ];
    const MATERIAL_HEADERS: [&str; 10] = [
        "基本编码*",
        "实施主体统一社会信用代码*",
        "材料名称*",
        "材料类型",
        "来源渠道",
        "原件份数",
        "复印件份数",
        "是否必须",
        "受理标准",
        "材料要求",
    ];
    let app = App::start(store).await;
    let da = app.ready_token("demo_deptadmin").await;
    let market = app.department_id("示例市市场监督管理局").await;
    let credit = zwfw_store::admin::get_department(&app.state.store, market).await.unwrap().credit_code;
    let c = example(market);
    let item: [&str; 27] = [
        "旧模板事项",
        "旧模板事项（新办）",
        "000117080000",
        "01",
        &c.legal_basis,
        "3",
        &credit,
        "1",
        "20",
        "10",
        "2",
        &c.acceptance_conditions,
        &c.result_name,
        "0",
        "",
        "",
        "2,1",
        "开办企业",
        "1,2",
        &c.location,
        &c.office_hours,
        &c.enquiry_phone,
        &c.supervision_phone,
        "受理:counter:1;审查:reviewer:6;决定:dept_head:3",
        "现场核查",
        "",
        "经营场所:文本:必填",
    ];
    let material: [&str; 10] =
        ["000117080000", &credit, "食品经营许可申请书", "原件", "申请人自备", "1", "0", "1", "填写完整", "统一格式"];
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, headers, row) in
        [("事项", &ITEM_HEADERS[..], &item[..]), ("申请材料", &MATERIAL_HEADERS[..], &material[..])]
    {
        let ws = wb.add_worksheet().set_name(name).unwrap();
        for (i, h) in headers.iter().enumerate() {
            ws.write_string(0, i as u16, *h).unwrap();
        }
        for (i, v) in row.iter().enumerate() {
            ws.write_string(1, i as u16, *v).unwrap();
        }
    }
    let (s, r) = import(&app, &da, wb.save_to_buffer().unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");

    // What the first template says, and today's defaults for the rest.
    let mut want = c.clone();
    want.name = "旧模板事项".into();
    want.sub_name = "旧模板事项（新办）".into();
    want.basic_code = "000117080000".into();
    want.process_description = "受理 → 审查 → 决定".into();
    want.handling_office = String::new();
    want.quantity_limit = String::new();
    want.result_type = String::new();
    want.result_delivery = String::new();
    want.scope = String::new();
    want.special_procedure_max_days = None;
    want.appointment = false;
    want.courier = false;
    want.online = true;
    want.system_level = String::new();
    want.visits = 1;
    want.enquiry_channels = String::new();
    want.life_events = vec![];
    want.materials[0].kind = "原件".into();
    want.materials[0].source = "申请人自备".into();
    want.materials[0].acceptance_standard = "填写完整".into();
    want.materials[0].requirements = "统一格式".into();
    want.steps.iter_mut().for_each(|s| s.may_suspend = false);
    want.form_fields = vec![zwfw_domain::catalog::FormField::from_parts(&["经营场所", "文本", "必填"]).unwrap()];
    let got = content_of(&app, &format!("{credit}3000117080000")).await.unwrap();
    let problems = differences("旧模板事项", &want, &got);
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // The steps are written once: in the column or in the sheet, not both.
    let depts = zwfw_store::admin::list_departments(&app.state.store).await.unwrap();
    let mut twice = c.clone();
    twice.basic_code = "000117081000".into();
    let bytes = zwfw_app::catalog::xlsx::workbook(&[twice], &depts).unwrap();
    let (s, r) = import(&app, &da, with_cell(bytes, "事项", 1, 23, "受理:counter:1")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["errors"][0]["column"], "X 办理环节", "{r}");
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("只在一处填写"));
    assert_invariants(&app).await;
});

both_backends!(excel_import_refuses_the_operator_at_a_step, |store: Store| async move {
    // 运维人员 acts for no department: no step of an item is theirs, by code
    // or by name; the import says so at the cell and stores nothing.
    use zwfw_app::catalog::xlsx::workbook;
    let app = App::start(store).await;
    let center = app.ready_token("demo_center").await;
    let market = app.department_id("示例市市场监督管理局").await;
    let depts = zwfw_store::admin::list_departments(&app.state.store).await.unwrap();
    let mut c = zwfw_domain::catalog::example(market);
    c.basic_code = "000117077000".into();
    c.steps[1].role = zwfw_domain::admin::Role::Operator;
    let by_code = workbook(&[c.clone()], &depts).unwrap();
    c.steps[1].role = zwfw_domain::admin::Role::Reviewer;
    let by_name = with_cell(workbook(&[c], &depts).unwrap(), "办理流程", 2, 3, "运维人员");
    let before = item_count(&app).await;
    for (bytes, written) in [(by_code, "operator"), (by_name, "运维人员")] {
        let (s, r) = import(&app, &center, bytes).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
        let errors = r["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{r}");
        let e = &errors[0];
        assert_eq!((e["sheet"].as_str(), e["row"].as_u64()), (Some("办理流程"), Some(3)), "{r}");
        assert!(e["column"].as_str().unwrap().contains("办理角色代码"), "{r}");
        let m = e["message"].as_str().unwrap();
        assert!(m.contains(&format!("“{written}”（运维人员）不办理事项的环节")), "{m}");
    }
    // Nor by the API: the content's own rule.
    let mut c = zwfw_domain::catalog::example(market);
    c.basic_code = "000117077001".into();
    c.steps[1].role = zwfw_domain::admin::Role::Operator;
    let (s, b) = body(app.post(&center, "/api/v1/items", json!({"content": c, "reason": "新增"})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_item")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("第2个环节的办理角色应为窗口人员"), "{b}");
    // Nor an administrator's or supervision's role: they take no step.
    for role in [zwfw_domain::admin::Role::Supervisor, zwfw_domain::admin::Role::SystemAdmin] {
        c.steps[1].role = role;
        let (s, b) = body(app.post(&center, "/api/v1/items", json!({"content": c, "reason": "新增"})).await).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_item")), "{b}");
    }
    assert_eq!(item_count(&app).await, before);
});
