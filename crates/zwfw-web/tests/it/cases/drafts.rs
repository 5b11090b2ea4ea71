//! Drafts on SQLite and PostgreSQL: saved, edited (form, files added,
//! replaced and taken off), hidden from everybody else, submitted once
//! complete; and on the apply page, a refused application keeps every file
//! chosen as a draft that the form comes back as.

use crate::support::*;
use reqwest::multipart::Form;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_domain::catalog::{example, FieldKind, FormField, Material};
use zwfw_store::{both_backends, Store};

/// The example item with two required materials and a required field.
async fn two_material_item(app: &App) -> i64 {
    let market = app.department_id("示例市市场监督管理局").await;
    let mut c = example(market);
    c.materials.push(Material { name: "营业场所证明".into(), required: true, ..Default::default() });
    c.form_fields =
        vec![FormField { name: "经营场所".into(), kind: FieldKind::Text, required: true, options: vec![] }];
    publish(app, &c, "TESTDRAFT0000000000000000000001").await
}

async fn call(app: &App, token: &str, method: reqwest::Method, path: &str, b: Option<Value>) -> (StatusCode, Value) {
    let mut r = client().request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = b {
        r = r.json(&b);
    }
    body(r.send().await.unwrap()).await
}

both_backends!(a_draft_is_edited_and_submitted_through_the_api, |store: Store| async move {
    use reqwest::Method;
    let app = App::start(store).await;
    let item = two_material_item(&app).await;
    let citizen = app.ready_token("demo_citizen").await;
    let company = app.ready_token("demo_company").await;
    let counter = app.ready_token("demo_counter").await;
    let up = |name: &'static str| {
        let (app, citizen) = (&app, &citizen);
        async move { upload(app, citizen, PDF, name).await.1["id"].as_i64().unwrap() }
    };
    let u1 = up("申请书.pdf").await;
    let (s, d) = body(
        app.post(
            &citizen,
            &format!("/api/v1/items/{item}/applications"),
            json!({"draft": true, "form": {"申请事项说明": "新开面馆"}, "materials": [{"material_no": 1, "upload_id": u1}]}),
        )
        .await,
    )
    .await;
    assert_eq!((s, d["state"].as_str()), (StatusCode::CREATED, Some("draft")), "{d}");
    let id = d["case_id"].as_i64().unwrap();
    let path = format!("/api/v1/cases/{id}/draft");

    // Its author reads it back with its files and what is still missing.
    let (s, d) = call(&app, &citizen, Method::GET, &path, None).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["materials"].as_array().unwrap().len(), 1);
    assert_eq!(d["missing"], json!(["营业场所证明"]));
    assert_eq!(d["form"]["申请事项说明"], "新开面馆");
    // Nobody else: another applicant is told it does not exist, the counter that it is the applicant's.
    for m in [Method::GET, Method::PUT] {
        let (s, b) = call(&app, &company, m.clone(), &path, Some(json!({}))).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{b}");
    }
    let (s, b) = call(&app, &counter, Method::PUT, &path, Some(json!({"address": "x"}))).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("applicant_only")), "{b}");
    let (s, b) = call(&app, &company, Method::POST, &format!("{path}/submit"), Some(json!({}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    // Somebody else's upload cannot be attached.
    let theirs = upload(&app, &company, PDF, "别人的.pdf").await.1["id"].as_i64().unwrap();
    let (s, b) = call(
        &app,
        &citizen,
        Method::POST,
        &format!("{path}/materials"),
        Some(json!({"material_no": 2, "upload_id": theirs})),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{b}");

    // Incomplete: refused with what is missing.
    let (s, b) = call(&app, &citizen, Method::POST, &format!("{path}/submit"), Some(json!({}))).await;
    assert_eq!(
        (s, b["message"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("缺少必备材料：营业场所证明")),
        "{b}"
    );
    // A file added, then one replaced: still one file per material.
    let u2 = up("场所证明.pdf").await;
    let (s, d) = call(
        &app,
        &citizen,
        Method::POST,
        &format!("{path}/materials"),
        Some(json!({"material_no": 2, "upload_id": u2})),
    )
    .await;
    assert_eq!((s, d["missing"].clone()), (StatusCode::OK, json!([])), "{d}");
    let u1b = up("申请书第二版.pdf").await;
    let (_, d) = call(
        &app,
        &citizen,
        Method::POST,
        &format!("{path}/materials"),
        Some(json!({"material_no": 1, "upload_id": u1b})),
    )
    .await;
    let names: Vec<&str> =
        d["materials"].as_array().unwrap().iter().map(|m| m["file_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["申请书第二版.pdf", "场所证明.pdf"]);
    // One taken off, and again: the second time there is nothing to take off.
    let second = d["materials"][1]["id"].as_i64().unwrap();
    let (s, d) = call(&app, &citizen, Method::DELETE, &format!("{path}/materials/{second}"), None).await;
    assert_eq!((s, d["missing"].clone()), (StatusCode::OK, json!(["营业场所证明"])), "{d}");
    let (s, _) = call(&app, &citizen, Method::DELETE, &format!("{path}/materials/{second}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    call(&app, &citizen, Method::POST, &format!("{path}/materials"), Some(json!({"material_no": 2, "upload_id": u2})))
        .await;
    // The required field still empty; then filled (and a bad mobile refused, nothing changed).
    let (s, b) = call(&app, &citizen, Method::POST, &format!("{path}/submit"), Some(json!({}))).await;
    assert_eq!((s, b["message"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("请填写“经营场所”")), "{b}");
    let (s, b) =
        call(&app, &citizen, Method::PUT, &path, Some(json!({"mobile": "12345", "form": {"经营场所": "x"}}))).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_mobile")), "{b}");
    let (s, d) = call(&app, &citizen, Method::GET, &path, None).await;
    assert_eq!((s, d["form"].get("经营场所")), (StatusCode::OK, None));
    let form = json!({"申请事项说明": "新开面馆", "经营场所": "建设路1号"});
    let (s, d) = call(&app, &citizen, Method::PUT, &path, Some(json!({"form": form, "address": "建设路1号"}))).await;
    assert_eq!((s, d["form"]["经营场所"].as_str()), (StatusCode::OK, Some("建设路1号")), "{d}");

    // Submitted: numbered, with a query password that works; a repeat creates nothing.
    let submit = json!({"idem_key": "draft-submit-1"});
    let (s, sub) = call(&app, &citizen, Method::POST, &format!("{path}/submit"), Some(submit.clone())).await;
    assert_eq!((s, sub["state"].as_str()), (StatusCode::CREATED, Some("submitted")), "{sub}");
    let (s, again) = call(&app, &citizen, Method::POST, &format!("{path}/submit"), Some(submit)).await;
    assert_eq!(
        (s, again["repeated"].as_bool(), again["query_password"].clone()),
        (StatusCode::OK, Some(true), Value::Null)
    );
    let (s, b) = anon_post(
        &app,
        "10.1.1.1",
        "/api/v1/track",
        json!({"case_no": sub["case_no"], "password": sub["query_password"]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["materials"].as_array().unwrap().len(), 0, "the public does not see the files");
    let c = case(&app, &citizen, id).await;
    assert_eq!(c["materials"].as_array().unwrap().len(), 2);
    // No longer a draft: not edited any more.
    let (s, b) = call(&app, &citizen, Method::PUT, &path, Some(json!({"address": "y"}))).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("case_conflict")), "{b}");
    assert_invariants(&app).await;
});

both_backends!(an_online_draft_is_read_by_its_applicant_alone, |store: Store| async move {
    use reqwest::Method;
    let app = App::start(store).await;
    let item = two_material_item(&app).await;
    let citizen = app.ready_token("demo_citizen").await;
    let u1 = upload(&app, &citizen, PDF, "申请书.pdf").await.1["id"].as_i64().unwrap();
    let b = json!({"draft": true, "form": {}, "materials": [{"material_no": 1, "upload_id": u1}]});
    let (s, d) = body(app.post(&citizen, &format!("/api/v1/items/{item}/applications"), b).await).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["case_id"].as_i64().unwrap();
    let c = case(&app, &citizen, id).await;
    let mid = c["materials"][0]["id"].as_i64().unwrap();
    let file = format!("/api/v1/cases/{id}/materials/{mid}");
    assert_eq!(app.get(&citizen, &file).await.status(), StatusCode::OK);
    // Not yet an application: the department and the overseers are told it
    // does not exist, by id, its file, an action or its page.
    for who in ["demo_counter", "demo_head", "demo_supervisor", "demo_admin"] {
        let t = app.ready_token(who).await;
        for path in [format!("/api/v1/cases/{id}"), file.clone()] {
            let (s, b) = call(&app, &t, Method::GET, &path, None).await;
            assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{who} {path}: {b}");
        }
        let accept = Some(json!({"action": "accept"}));
        let (s, b) = call(&app, &t, Method::POST, &format!("/api/v1/cases/{id}/actions"), accept).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{who}: {b}");
        let (s, html) = page(&signed(&t), &app, &format!("/cases/{id}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{who}: {html}");
    }
    let (s, d) = call(&app, &citizen, Method::GET, &format!("/api/v1/cases/{id}/draft"), None).await;
    assert_eq!((s, d["materials"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "nothing changed: {d}");
    assert_invariants(&app).await;
});

both_backends!(a_refused_application_keeps_its_files_as_a_draft_to_go_on_with, |store: Store| async move {
    let app = App::start(store).await;
    let item = two_material_item(&app).await;
    let citizen = signed(&app.ready_token("demo_citizen").await);
    let (_, html) = page(&citizen, &app, &format!("/apply/{item}")).await;
    let csrf = csrf_of(&html);
    // The required field left empty, both files chosen: refused, but nothing is lost.
    let form = Form::new()
        .text("idem_key", "apply-page-1")
        .text("purpose", "新开面馆")
        .part("m1", pdf_part("申请书.pdf"))
        .part("m2", pdf_part("场所证明.pdf"));
    let r = citizen.post(app.url(&format!("/apply/{item}?_csrf={csrf}"))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("请填写“经营场所”") && html.contains("已为您保存为草稿"), "{html}");
    assert!(html.contains("已上传：申请书.pdf") && html.contains("已上传：场所证明.pdf"), "{html}");
    assert!(html.contains("新开面馆") && !html.contains("请重新选择"), "{html}");
    let id: i64 = between(&html, "action=\"/cases/", "/edit").parse().unwrap();
    // Another applicant cannot open it.
    let company = signed(&app.ready_token("demo_company").await);
    assert_eq!(page(&company, &app, &format!("/cases/{id}/edit")).await.0, StatusCode::NOT_FOUND);
    // The case page of the draft leads back to the form.
    let (_, html) = page(&citizen, &app, &format!("/cases/{id}")).await;
    assert!(html.contains(&format!("href=\"/cases/{id}/edit\"")), "{html}");
    // A file taken off with its button; the rest of the form is kept.
    let (_, html) = page(&citizen, &app, &format!("/cases/{id}/edit")).await;
    let ids: Vec<&str> = html.split("name=\"remove\" value=\"").skip(1).map(|s| s.split('"').next().unwrap()).collect();
    let second = ids[1].to_string();
    let form = Form::new().text("purpose", "新开面馆").text("f1", "建设路1号").text("remove", second);
    let r = citizen.post(app.url(&format!("/cases/{id}/edit?_csrf={csrf}"))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("已删除该文件") && !html.contains("已上传：场所证明.pdf") && html.contains("建设路1号"),
        "{html}"
    );
    // Submitting without it: refused, the form as it was.
    let r = citizen
        .post(app.url(&format!("/cases/{id}/edit?_csrf={csrf}")))
        .multipart(Form::new().text("purpose", "新开面馆").text("f1", "建设路1号").text("idem_key", "edit-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("缺少必备材料：营业场所证明"));
    // The file chosen again and submitted: the number and query password.
    let form = Form::new()
        .text("purpose", "新开面馆")
        .text("f1", "建设路1号")
        .text("idem_key", "edit-2")
        .part("m2", pdf_part("场所证明.pdf"));
    let r = citizen.post(app.url(&format!("/cases/{id}/edit?_csrf={csrf}"))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"case-no\"") && html.contains("id=\"query-password\""), "{html}");
    // 保存草稿 on the first form goes to the draft's own form.
    let form = Form::new().text("idem_key", "apply-page-2").text("draft", "1").part("m1", pdf_part("申请书.pdf"));
    let r = citizen.post(app.url(&format!("/apply/{item}?_csrf={csrf}"))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (s, html) = page(&citizen, &app, &to).await;
    assert!(s == StatusCode::OK && html.contains("草稿已保存") && html.contains("已上传：申请书.pdf"), "{html}");
    assert_invariants(&app).await;
});
