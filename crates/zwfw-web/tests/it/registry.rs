//! 人口库 / 法人库: imports all or nothing with every bad cell named, the
//! later record of a number replacing the earlier; who may import and look
//! up; registrations checked against the records; a material drawn from the
//! registry (trust A); the look-up service, against a real HTTP server the
//! test starts; the watched folder.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use zwfw_domain::ids::{CreditCode, ResidentId};
use zwfw_store::{both_backends, Store};

fn id(first17: &str) -> String {
    format!("{first17}{}", ResidentId::check_char(first17).unwrap())
}

fn code(first17: &str) -> String {
    format!("{first17}{}", CreditCode::check_char(first17).unwrap())
}

async fn import(app: &App, token: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    body(client().post(app.url("/api/v1/registry/import")).bearer_auth(token).multipart(form).send().await.unwrap())
        .await
}

async fn counts(app: &App) -> (i64, i64) {
    zwfw_store::registry::counts(&app.state.store).await.unwrap()
}

fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("法人").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

both_backends!(imports_are_all_or_nothing_and_a_later_record_replaces, |store: Store| async move {
    let app = App::start(store).await;
    let [admin, counter, citizen, center] =
        app.ready_tokens(["demo_admin", "demo_counter", "demo_citizen", "demo_center"]).await;
    let before = counts(&app).await;
    let (zhang, li) = (id("11010519491231002"), id("52990219900307123"));

    // Bad cells: each named by row, column and reason; nothing stored.
    let bad = format!(
        "姓名,公民身份号码,住址\n张三,{zhang},示例路1号\n,110105194912310021,\n李四,{},\n",
        zhang.to_lowercase()
    );
    let (s, b) = import(&app, &admin, "persons.csv", bad.into_bytes()).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("registry_import_rejected")), "{b}");
    let errors: Vec<(i64, &str, &str)> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        vec![
            (3, "A 姓名", "registry_field"),
            (3, "B 公民身份号码", "invalid_resident_id"),
            (4, "B 公民身份号码", "registry_duplicate"),
        ]
    );
    assert!(b["message"].as_str().unwrap().contains("3处错误"), "{b}");
    assert!(b["errors"][1]["message"].as_str().unwrap().contains("校验位"), "{b}");
    assert_eq!(counts(&app).await, before, "nothing stored");

    // Not an extract at all; not the administrator.
    let (s, b) = import(&app, &admin, "notes.txt", b"hello".to_vec()).await;
    assert_eq!((s, b["errors"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("registry_format")));
    for t in [&counter, &citizen, &center] {
        let (s, _) = import(&app, t, "persons.csv", b"a".to_vec()).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(app.get(t, "/api/v1/registry").await.status(), StatusCode::FORBIDDEN);
    }

    // A good extract (CSV), then JSON, then Excel.
    let good = format!("姓名,身份证号,住址\n张三,{zhang},示例路1号\n李四,{li},示例路2号\n");
    let (s, b) = import(&app, &admin, "persons.csv", good.into_bytes()).await;
    assert_eq!((s, b["persons_added"].as_i64()), (StatusCode::CREATED, Some(2)), "{b}");
    let firm = code("91529902MA0000001");
    let json = json!({"companies": [{"name": "示例市甲公司", "credit_code": firm, "legal_rep": "王五", "address": "示例路3号", "status": "存续"}]});
    let (s, b) = import(&app, &admin, "companies.json", json.to_string().into_bytes()).await;
    assert_eq!((s, b["companies_added"].as_i64()), (StatusCode::CREATED, Some(1)), "{b}");
    let other = code("91529902MA0000002");
    let sheet = xlsx(&[
        &["名称", "统一社会信用代码", "法定代表人", "住所", "登记状态"],
        &["示例市甲公司", &firm, "王五", "示例路3号", "吊销"],
        &["示例市乙公司", &other, "赵七", "示例路4号", "存续"],
    ]);
    let (s, b) = import(&app, &admin, "法人库.xlsx", sheet).await;
    assert_eq!(
        (s, b["companies_added"].as_i64(), b["companies_replaced"].as_i64()),
        (StatusCode::CREATED, Some(1), Some(1)),
        "{b}"
    );

    // A later extract replaces the record of a number and leaves the others.
    let later = format!("姓名,身份证号,住址\n张三,{zhang},示例路9号\n");
    let (s, b) = import(&app, &admin, "persons.csv", later.into_bytes()).await;
    assert_eq!(
        (s, b["persons_replaced"].as_i64(), b["persons_added"].as_i64()),
        (StatusCode::CREATED, Some(1), Some(0))
    );
    assert_eq!(counts(&app).await, (before.0 + 2, before.1 + 2));

    // The lists mask a person's number, name and address, and a company's
    // 法定代表人; the full number is nowhere.
    let (s, o) = body(app.get(&admin, "/api/v1/registry").await).await;
    assert_eq!(s, StatusCode::OK);
    let text = o.to_string();
    assert!(!text.contains(&zhang) && text.contains(&ResidentId::parse(&zhang).unwrap().masked()), "{text}");
    for plain in ["示例路9号", "示例路2号", "张三", "李四", "王五"] {
        assert!(!text.contains(plain), "{plain} in {text}");
    }
    assert!(text.contains("\"张*\"") && text.contains("\"示例****\"") && text.contains("\"王*\""), "{text}");
    let firm_row = o["latest_companies"].as_array().unwrap().iter().find(|r| r["number"] == json!(firm)).unwrap();
    assert_eq!(firm_row["status_label"], "吊销");

    // Looked up by the counter; not by a citizen.
    let (s, r) =
        body(app.post(&counter, "/api/v1/registry/lookup", json!({"kind": "person", "number": li})).await).await;
    assert_eq!(
        (s, r["name"].as_str(), r["address"].as_str()),
        (StatusCode::OK, Some("李四"), Some("示例路2号")),
        "{r}"
    );
    assert!(!r.to_string().contains(&li));
    // The later extract's record, whole to the counter that looks its number up.
    let (s, r) =
        body(app.post(&counter, "/api/v1/registry/lookup", json!({"kind": "person", "number": zhang})).await).await;
    assert_eq!(
        (s, r["name"].as_str(), r["address"].as_str()),
        (StatusCode::OK, Some("张三"), Some("示例路9号")),
        "{r}"
    );
    let (s, r) = body(
        app.post(&counter, "/api/v1/registry/lookup", json!({"kind": "person", "number": id("52990219700101001")}))
            .await,
    )
    .await;
    assert_eq!((s, r["code"].as_str()), (StatusCode::NOT_FOUND, Some("registry_not_found")));
    let (s, r) =
        body(app.post(&counter, "/api/v1/registry/lookup", json!({"kind": "company", "number": "123"})).await).await;
    assert_eq!((s, r["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_credit_code")));
    let (s, _) =
        body(app.post(&citizen, "/api/v1/registry/lookup", json!({"kind": "person", "number": li})).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Each import is audited with its counts.
    let f = zwfw_store::audit::AuditFilter { action: Some("registry_import".into()), limit: 10, ..Default::default() };
    let trail = zwfw_store::audit::list(&app.state.store, &f).await.unwrap();
    assert_eq!(trail.iter().filter(|r| r.entry.actor_name == "demo_admin").count(), 4);
    assert!(trail[0].entry.detail.contains("\"persons\":[0,1,0]"), "{}", trail[0].entry.detail);

    // The pages: the administrator's import lists the bad cells too.
    let c = signed(&admin);
    let (s, html) = page(&c, &app, "/admin/registry").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("人口库：") && html.contains("张*") && !html.contains("示例路9号") && !html.contains(&zhang));
    let csrf = csrf_of(&html);
    let bad = format!("姓名,公民身份号码\n张三,{}\n", &zhang[..17]);
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(bad.into_bytes()).file_name("persons.csv"));
    let r = post_form(&c, &app, &format!("/admin/registry/import?_csrf={csrf}"), form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("第2行") && html.contains("B 公民身份号码") && html.contains("18位"), "{html}");
    let (s, html) = page(&signed(&counter), &app, "/admin/registry").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{html}");
    let (s, html) = page(&signed(&counter), &app, "/work/registry").await;
    assert!(s == StatusCode::OK && html.contains("人口库/法人库查询"));
    // Each field named for the record's kind, by the application (the API
    // gives the same names).
    let csrf = csrf_of(&html);
    for (kind, number, names, not) in [
        ("company", code("91529902MA1234567"), ["名称", "统一社会信用代码", "法定代表人", "住所", "登记状态"], "姓名"),
        ("person", id("52990219850612302"), ["姓名", "公民身份号码", "住址", "住址", "住址"], "法定代表人"),
    ] {
        let form = [("_csrf", csrf.as_str()), ("kind", kind), ("number", number.as_str())];
        let r = signed(&counter).post(app.url("/work/registry")).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let found = between(&r.text().await.unwrap(), "查询结果", "</section>");
        for n in names {
            assert!(found.contains(&format!("<dt>{n}</dt>")), "{n} in {found}");
        }
        assert!(!found.contains(not), "{found}");
        let (_, v) =
            body(app.post(&counter, "/api/v1/registry/lookup", json!({"kind": kind, "number": number})).await).await;
        assert_eq!(v["fields"][0]["label"].as_str(), Some(names[0]), "{v}");
    }
    assert_invariants(&app).await;
});

both_backends!(registration_and_applications_are_checked_against_the_registry, |store: Store| async move {
    let app = App::start(store).await;
    let item = registry_item(&app, "TESTREGISTRY000000000000000001", "person").await;
    let [counter, citizen] = app.ready_tokens(["demo_counter", "demo_citizen"]).await;
    let chen = id("52990219850612302");
    let register = |kind: &str, name: &str, number: &str| {
        let mut reg = json!({"kind": kind, "username": format!("u{}", &number[10..]), "password": "Zwfw-2026-ok!", "name": name, "mobile": "13812345678"});
        if kind == "person" {
            reg["id_number"] = json!(number);
        } else {
            reg["credit_code"] = json!(number);
            reg["legal_rep"] = json!("马强");
        }
        let req = client().post(app.url("/api/v1/register")).json(&reg);
        async move { body(req.send().await.unwrap()).await }
    };

    // The demo's 人口库 holds 陈小华: another name for the number is refused, nothing created.
    let users_before = zwfw_store::admin::list_public_users(&app.state.store, 100_000).await.unwrap().len();
    let (s, b) = register("person", "陈晓华", &chen).await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("registry_mismatch"), Some("person"))
    );
    assert!(b["message"].as_str().unwrap().contains("人口库"), "{b}");
    // A revoked company may not register.
    let revoked = code("91529902MA7654321");
    let (s, b) = register("company", "示例市恒通商贸有限公司", &revoked).await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("registry_not_operating"), Some("revoked"))
    );
    assert!(b["message"].as_str().unwrap().contains("吊销"), "{b}");
    assert_eq!(zwfw_store::admin::list_public_users(&app.state.store, 100_000).await.unwrap().len(), users_before);
    // A number the registry does not hold: nothing to check against.
    let (s, b) = register("person", "赵六", &id("52990219900307123")).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // At the counter: a mismatch is refused; a match takes the record's address.
    let path = format!("/api/v1/items/{item}/applications");
    let (_, up) = upload(&app, &counter, PDF, "扫描件.pdf").await;
    let walk_in = |name: &str| {
        json!({"applicant": {"kind": "natural", "name": name, "id_no": chen, "mobile": "13800000001", "address": ""},
               "materials": [{"material_no": 1, "upload_id": up["id"]}]})
    };
    let (s, b) = body(app.post(&counter, &path, walk_in("陈小花")).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("registry_mismatch")), "{b}");
    let (s, b) = body(app.post(&counter, &path, walk_in("陈小华")).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let row = zwfw_store::cases::get_case(&app.state.store, b["case_id"].as_i64().unwrap()).await.unwrap();
    assert_eq!(row.applicant_address, "示例市城关区建设路18号2单元301室");

    // Online: the citizen's own record prefills; a material drawn from it is
    // trust A, for the material the item names it for only.
    let (s, r) = body(app.get(&citizen, "/api/v1/me/registry-record").await).await;
    assert_eq!((s, r["address"].as_str()), (StatusCode::OK, Some("示例市城关区建设路18号2单元301室")), "{r}");
    let (s, b) =
        body(app.post(&citizen, &path, json!({"materials": [{"material_no": 1, "from_registry": true}]})).await).await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("registry_not_accepted"), Some("食品经营许可申请书")),
        "{b}"
    );
    assert_eq!(b["message"], "「食品经营许可申请书」不能用人口库/法人库信息核验单代替，请上传材料", "{b}");
    let (_, up) = upload(&app, &citizen, PDF, "申请书.pdf").await;
    let (s, b) = body(
        app.post(
            &citizen,
            &path,
            json!({"materials": [{"material_no": 1, "upload_id": up["id"]}, {"material_no": 2, "from_registry": true}]}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let c = case(&app, &citizen, b["case_id"].as_i64().unwrap()).await;
    let m = c["materials"].as_array().unwrap().iter().find(|m| m["material_no"] == 2).unwrap();
    assert_eq!(
        (m["trust"].as_str(), m["source"].as_str(), m["kind"].as_str()),
        (Some("A"), Some("registry"), Some("pdf")),
        "{c}"
    );
    let row = zwfw_store::cases::get_case(&app.state.store, b["case_id"].as_i64().unwrap()).await.unwrap();
    assert_eq!(row.applicant_address, "示例市城关区建设路18号2单元301室");
    assert_invariants(&app).await;
});

/// A look-up service for the test: 陈 for one number, an error for another,
/// a slow answer for a third; counts the requests.
async fn lookup_service(hits: Arc<AtomicUsize>) -> String {
    use axum::routing::post;
    let known = id("52990219660101001");
    let app = axum::Router::new().route(
        "/lookup",
        post(move |axum::Json(q): axum::Json<Value>| {
            let known = known.clone();
            let hits = hits.clone();
            async move {
                hits.fetch_add(1, Ordering::SeqCst);
                let number = q["number"].as_str().unwrap_or_default().to_string();
                if number == known {
                    (StatusCode::OK, axum::Json(json!({"found": true, "name": "远方", "address": "外省某地"})))
                } else if number.starts_with("11") {
                    (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(json!({"error": "down"})))
                } else if number.starts_with("12") {
                    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                    (StatusCode::OK, axum::Json(json!({"found": false})))
                } else if number.starts_with("13") {
                    (StatusCode::OK, axum::Json(json!({"found": true, "name": ""})))
                } else {
                    (StatusCode::OK, axum::Json(json!({"found": false})))
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/lookup")
}

both_backends!(the_look_up_service_answers_when_the_local_copy_has_none, |store: Store| async move {
    let hits = Arc::new(AtomicUsize::new(0));
    let url = lookup_service(hits.clone()).await;
    let lookup = zwfw_app::registry::lookup::LookupConfig { url, token: None, timeout_ms: 300 };
    let app =
        App::start_with_registry(store, zwfw_app::registry::RegistryConfig { watch_dir: None, lookup: Some(lookup) })
            .await;
    let counter = app.ready_token("demo_counter").await;
    let ask = |number: String| {
        let req = client()
            .post(app.url("/api/v1/registry/lookup"))
            .bearer_auth(&counter)
            .json(&json!({"kind": "person", "number": number}));
        async move { body(req.send().await.unwrap()).await }
    };
    // Found there: kept here, so the second look-up does not ask again.
    let far = id("52990219660101001");
    let (s, r) = ask(far.clone()).await;
    assert_eq!((s, r["name"].as_str(), r["source"].as_str()), (StatusCode::OK, Some("远方"), Some("lookup")), "{r}");
    let (s, _) = ask(far).await;
    assert_eq!((s, hits.load(Ordering::SeqCst)), (StatusCode::OK, 1));
    // Not found there either.
    let (s, r) = ask(id("52990219700101002")).await;
    assert_eq!((s, r["code"].as_str()), (StatusCode::NOT_FOUND, Some("registry_not_found")));
    // Errors, each with its reason.
    for (first17, detail) in
        [("11010519700101003", "status"), ("12010519700101004", "timeout"), ("13010519700101005", "answer")]
    {
        let (s, r) = ask(id(first17)).await;
        assert_eq!(
            (s, r["code"].as_str(), r["detail"].as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, Some("registry_lookup_failed"), Some(detail)),
            "{r}"
        );
        assert!(r["message"].as_str().unwrap().contains("接口"), "{r}");
    }
    // A registration goes on when the service fails (nothing to check against).
    let reg = json!({"kind": "person", "username": "slowpoke", "password": "Zwfw-2026-ok!", "name": "张三", "id_number": id("11010519700101003"), "mobile": "13812345678"});
    let (s, b) = body(client().post(app.url("/api/v1/register")).json(&reg).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_invariants(&app).await;
});

both_backends!(the_look_up_service_unreachable_is_reported, |store: Store| async move {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let lookup = zwfw_app::registry::lookup::LookupConfig {
        url: format!("http://127.0.0.1:{port}/"),
        token: None,
        timeout_ms: 2000,
    };
    let app =
        App::start_with_registry(store, zwfw_app::registry::RegistryConfig { watch_dir: None, lookup: Some(lookup) })
            .await;
    let counter = app.ready_token("demo_counter").await;
    let (s, r) = body(
        app.post(&counter, "/api/v1/registry/lookup", json!({"kind": "company", "number": code("91529902MA0000009")}))
            .await,
    )
    .await;
    assert_eq!((s, r["detail"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("unreachable")), "{r}");
});

both_backends!(the_watched_folder_imports_and_files_what_it_took, |store: Store| async move {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("zwfw_watch_{}_{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let app = App::start_with_registry(
        store,
        zwfw_app::registry::RegistryConfig { watch_dir: Some(dir.clone()), lookup: None },
    )
    .await;
    let before = counts(&app).await;
    std::fs::write(dir.join("a.csv"), format!("姓名,身份证号,住址\n王五,{},示例路\n", id("52990219900307124")))
        .unwrap();
    std::fs::write(dir.join("b.json"), br#"{"persons": [{"name": "", "id_number": "1"}]}"#).unwrap();
    std::fs::write(dir.join("c.csv.part"), b"not yet").unwrap();
    let r = zwfw_app::registry::watch::scan(&app.state, &dir).await.unwrap();
    assert_eq!((r.imported, r.failed), (vec!["a.csv".to_string()], vec!["b.json".to_string()]));
    assert_eq!(counts(&app).await, (before.0 + 1, before.1));
    let listed = |sub: &str| -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(dir.join(sub)).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        v.sort();
        v
    };
    let done = listed("done");
    assert_eq!(done.len(), 2, "{done:?}");
    assert!(done[0].ends_with("-a.csv") && done[1].ends_with("-a.csv.report.json"), "{done:?}");
    let failed = listed("failed");
    let report: Value = serde_json::from_slice(&std::fs::read(dir.join("failed").join(&failed[1])).unwrap()).unwrap();
    assert_eq!(
        (report["ok"].as_bool(), report["rejected"]["errors"].as_array().map(Vec::len)),
        (Some(false), Some(2)),
        "{report}"
    );
    assert!(dir.join("c.csv.part").exists(), "a partly written file waits");
    assert!(listed("processing").is_empty());
    // Nothing left to take: a second pass does nothing.
    assert_eq!(zwfw_app::registry::watch::scan(&app.state, &dir).await.unwrap(), Default::default());
    let _ = std::fs::remove_dir_all(&dir);
    assert_invariants(&app).await;
});

both_backends!(the_look_up_page_and_the_api_refuse_alike, |store: Store| async move {
    // One rule asked once: the form's page refuses whom the API refuses, for the same reason.
    let app = App::start(store).await;
    for who in ["demo_reviewer", "demo_supervisor"] {
        let t = app.ready_token(who).await;
        let (s, b) =
            body(app.post(&t, "/api/v1/registry/lookup", json!({"kind": "company", "number": "123"})).await).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "{who}: {b}");
        let (s, html) = page(&signed(&t), &app, "/work/registry").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
        assert!(html.contains(b["message"].as_str().unwrap()) && !html.contains("人口库/法人库查询</h1>"), "{html}");
    }
    let counter = app.ready_token("demo_counter").await;
    assert_eq!(page(&signed(&counter), &app, "/work/registry").await.0, StatusCode::OK);
});
