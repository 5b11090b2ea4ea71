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
    let da = app.ready_token("demo_deptadmin").await;
    let legal = app.ready_token("demo_legal").await;
    let center = app.ready_token("demo_center").await;

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
        let url = app.url(&format!("/api/v1/guide/search?q={}", zwfw_web::auth::urlencode(q)));
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
    use zwfw_app::catalog_xlsx::{workbook, ITEM_COLUMNS, ITEM_SHEET, MATERIAL_COLUMNS, MATERIAL_SHEET};
    let app = App::start(store).await;
    let da = app.ready_token("demo_deptadmin").await;
    let market = app.department_id("示例市市场监督管理局").await;
    let credit = zwfw_store::admin::get_department(&app.state.store, market).await.unwrap().credit_code;

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
    let (s, r) =
        import(&app, &da, workbook(&[(a.clone(), credit.clone()), (b.clone(), credit.clone())]).unwrap()).await;
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
    let (s, r) =
        import(&app, &da, workbook(&[(a.clone(), credit.clone()), (b.clone(), credit.clone())]).unwrap()).await;
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
    let (s, r) = import(&app, &da, workbook(&[(good, credit.clone()), (bad, credit.clone())]).unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("承诺办结时限"), "{r}");
    assert_eq!(item_count(&app).await, before);
    // Not a workbook at all; another department's items; a reviewer.
    let (s, r) = import(&app, &da, b"%PDF-1.4 no".to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("不是有效的Excel"));
    let land = app.department_id("示例市自然资源局").await;
    let land_credit = zwfw_store::admin::get_department(&app.state.store, land).await.unwrap().credit_code;
    let mut foreign = zwfw_domain::catalog::example(land);
    foreign.basic_code = "000117054000".into();
    let (_, r) = import(&app, &da, workbook(&[(foreign, land_credit)]).unwrap()).await;
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("无权"), "{r}");
    let rv = app.ready_token("demo_reviewer").await;
    assert_eq!(import(&app, &rv, workbook(&[]).unwrap()).await.0, StatusCode::FORBIDDEN);

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
    let credit = zwfw_store::admin::get_department(&app.state.store, market).await.unwrap().credit_code;
    let page = app.get(&da, "/admin/items").await.text().await.unwrap();
    assert!(page.contains("下载导入模板"));
    let csrf = csrf_of(&page);
    let mut a = zwfw_domain::catalog::example(market);
    a.basic_code = "000117060000".into();
    let bytes = zwfw_app::catalog_xlsx::workbook(&[(a, credit)]).unwrap();
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
