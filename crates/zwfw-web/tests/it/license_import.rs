//! Import of existing licences (存量证照), on SQLite and PostgreSQL: all or
//! nothing with every bad cell named; duplicates in the file and against
//! the stored licences refused, also beside a row's other problems; a check character that does not match is a
//! warning imported only when confirmed for the exact file (its SM3);
//! imported licences verify as imported, signed by the issuer's key, reach
//! their holder's 证照夹 and can be cancelled; the two-step page.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sm2::dsa::signature::Verifier;
use zwfw_domain::ids::CreditCode;
use zwfw_domain::licenses::{LicenseId, LicenseTypeCode};
use zwfw_store::{both_backends, Store};

fn code(first17: &str) -> String {
    format!("{first17}{}", CreditCode::check_char(first17).unwrap())
}

async fn send(
    app: &App,
    token: &str,
    path: &str,
    name: &str,
    bytes: Vec<u8>,
    confirm: Option<&str>,
) -> (StatusCode, Value) {
    let mut form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    if let Some(c) = confirm {
        form = form.text("confirm", c.to_string());
    }
    body(client().post(app.url(path)).bearer_auth(token).multipart(form).send().await.unwrap()).await
}

const COLUMNS: [&str; 12] = [
    "certificate_source_id",
    "certificate_name",
    "certificate_number",
    "certificate_type",
    "certificate_type_code",
    "issue_dept",
    "issue_dept_code",
    "issue_date",
    "certificate_holder",
    "certificate_holder_code",
    "certificate_holder_type",
    "certificate_area_code",
];

/// A row of up_lic_data for the food-business licence type of the demo.
fn record(id: &str, type_code: &str, issuer: &str, holder: &str, holder_code: &str) -> Value {
    json!({"certificate_source_id": id, "certificate_name": "食品经营许可证", "certificate_number": "JY15299020000001",
        "certificate_type": "食品经营许可证", "certificate_type_code": type_code, "issue_dept": "示例市市场监督管理局",
        "issue_dept_code": issuer, "issue_date": "20230410", "certificate_holder": holder,
        "certificate_holder_code": holder_code, "certificate_holder_type": "", "certificate_area_code": "529900",
        "valid_until": "2028-04-09"})
}

fn xlsx(records: &[Value]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let notes = wb.add_worksheet().set_name("说明").unwrap();
    notes.write_string(0, 0, "存量证照导入").unwrap();
    let ws = wb.add_worksheet().set_name("up_lic_data").unwrap();
    for (c, name) in COLUMNS.iter().chain(["valid_until"].iter()).enumerate() {
        ws.write_string(0, c as u16, *name).unwrap();
        for (r, rec) in records.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, rec[*name].as_str().unwrap_or("")).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

fn holds(v: &Value) -> bool {
    let sig = &v["signature"];
    let pk = hex::decode(sig["public_key"].as_str().unwrap()).unwrap();
    let key = sm2::dsa::VerifyingKey::from_sec1_bytes(sig["signer_id"].as_str().unwrap(), &pk).unwrap();
    let value = sm2::dsa::Signature::from_slice(&hex::decode(sig["value"].as_str().unwrap()).unwrap()).unwrap();
    let data = data_encoding::BASE64.decode(sig["signed_data"].as_str().unwrap().as_bytes()).unwrap();
    key.verify(&data, &value).is_ok()
}

fn signed_text(v: &Value) -> String {
    String::from_utf8(data_encoding::BASE64.decode(v["signature"]["signed_data"].as_str().unwrap().as_bytes()).unwrap())
        .unwrap()
}

fn cells(b: &Value, list: &str) -> Vec<(i64, String, String)> {
    b[list]
        .as_array()
        .unwrap_or_else(|| panic!("{list} in {b}"))
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["column"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn stored(app: &App) -> i64 {
    let row = zwfw_store::db::query("SELECT COUNT(*) AS n FROM licenses WHERE origin = 'imported'")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap();
    int(&row)
}

fn int(row: &zwfw_store::db::Row) -> i64 {
    match row.value("n") {
        Some(zwfw_store::db::Value::Int(n)) => *n,
        other => panic!("{other:?}"),
    }
}

both_backends!(licenses_import_all_or_nothing_with_confirmed_warnings, |store: Store| async move {
    let app = App::start(store).await;
    let [admin, counter, company] = app.ready_tokens(["demo_admin", "demo_counter", "demo_company"]).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let issuer = zwfw_store::admin::get_department(&app.state.store, market).await.unwrap().credit_code;
    let types = zwfw_store::licenses::list_types(app.state.store.pool()).await.unwrap();
    let food = types.iter().find(|t| t.name == "食品经营许可证").expect("the demo's type");
    let type_code = LicenseTypeCode::parse(&food.code).unwrap();
    let company_code = zwfw_store::admin::get_user(&app.state.store, app.user_id("demo_company").await)
        .await
        .unwrap()
        .credit_code
        .unwrap();
    let id = |serial: &str| {
        LicenseId::new(type_code.clone(), CreditCode::parse(&issuer).unwrap(), serial, 1).unwrap().to_string()
    };
    let (good, other) = (id("IMP0000000000000001"), id("IMP0000000000000002"));
    // The same licence written with a wrong check character.
    let right = id("IMP0000000000000003");
    let wrong_check = format!("{}{}", &right[..right.len() - 1], if right.ends_with('A') { 'B' } else { 'A' });
    let other_holder = code("91529902MA0000077");
    let records = vec![
        record(&good, &food.code, &issuer, "示例市明达餐饮有限公司", &company_code),
        record(&other, &food.code, &issuer, "示例市东方小吃店有限公司", &other_holder),
        record(&wrong_check, &food.code, &issuer, "示例市西街餐饮有限公司", &code("91529902MA0000078")),
    ];

    // The issuer has no key yet; someone else may not import.
    let json_file = |r: &[Value]| serde_json::to_vec(&json!({ "up_lic_data": r })).unwrap();
    let (s, b) =
        send(&app, &admin, "/api/v1/admin/licenses/import/preview", "a.json", json_file(&records[..1]), None).await;
    assert_eq!(
        (s, cells(&b, "errors")[0].2.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "license_import_no_key"),
        "{b}"
    );
    let (s, b) = send(&app, &counter, "/api/v1/admin/licenses/import", "a.json", json_file(&records), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, _) = body(app.post(&admin, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
    assert_eq!(s, StatusCode::CREATED);

    // Every bad cell named, by row and column; nothing stored.
    let mut bad = records.clone();
    bad[1]["issue_date"] = json!("2023-02-30");
    bad[1]["certificate_type_code"] = json!(format!("{}009", &food.code[..18]));
    bad.push(record(&good, &food.code, &issuer, "示例市明达餐饮有限公司", &company_code));
    bad.push(record(&id("IMP0000000000000004"), &food.code, &issuer, "陈小华", "11010519491231002X"));
    let (s, b) = send(&app, &admin, "/api/v1/admin/licenses/import", "bad.json", json_file(&bad), None).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("license_import_rejected")), "{b}");
    let got = cells(&b, "errors");
    let want: Vec<(i64, String, String)> = [
        (2, "certificate_type_code", "license_import_field"),
        (2, "issue_date", "license_import_field"),
        (4, "certificate_source_id", "license_import_duplicate"),
        (5, "certificate_holder_code", "license_import_holder_kind"),
    ]
    .iter()
    .map(|(r, c, k)| (*r, c.to_string(), k.to_string()))
    .collect();
    assert_eq!(got, want, "{b}");
    assert!(b["errors"][1]["message"].as_str().unwrap().contains("日期"), "{b}");
    assert!(b["errors"][2]["message"].as_str().unwrap().contains("第1行"), "{b}");
    assert!(b["errors"][3]["message"].as_str().unwrap().contains("法人"), "{b}");
    assert_eq!(stored(&app).await, 0, "nothing stored");

    // The workbook: a preview with the warning; the import refused until
    // confirmed with this file's SM3.
    let file = xlsx(&records);
    let (s, p) = send(&app, &admin, "/api/v1/admin/licenses/import/preview", "licences.xlsx", file.clone(), None).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!((p["rows"].as_i64(), p["format"].as_str()), (Some(3), Some("xlsx")));
    assert_eq!(
        cells(&p, "warnings"),
        vec![(4, "A certificate_source_id".to_string(), "license_check_mismatch".to_string())]
    );
    assert!(
        p["warnings"][0]["message"].as_str().unwrap().contains(&format!("应为“{}”", right.chars().last().unwrap())),
        "{p}"
    );
    let sm3 = p["sm3"].as_str().unwrap().to_string();
    assert_eq!(sm3, zwfw_domain::audit::sm3_hex(&file));
    let (s, b) = send(&app, &admin, "/api/v1/admin/licenses/import", "licences.xlsx", file.clone(), None).await;
    assert_eq!(
        (s, b["code"].as_str(), b["sm3"].as_str()),
        (StatusCode::CONFLICT, Some("license_import_unconfirmed"), Some(sm3.as_str())),
        "{b}"
    );
    let other_file = xlsx(&records[1..]);
    let (s, b) = send(
        &app,
        &admin,
        "/api/v1/admin/licenses/import",
        "l.xlsx",
        [other_file.clone(), vec![]].concat(),
        Some(&sm3),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("license_import_unconfirmed")),
        "bound to the file: {b}"
    );
    assert_eq!(stored(&app).await, 0);
    let (s, b) = send(&app, &admin, "/api/v1/admin/licenses/import", "licences.xlsx", file.clone(), Some(&sm3)).await;
    assert_eq!(
        (s, b["imported"].as_i64(), b["check_mismatches"].as_i64()),
        (StatusCode::CREATED, Some(3), Some(1)),
        "{b}"
    );
    assert_eq!(stored(&app).await, 3);

    // Again: every row exists already (the wrong check character too).
    let (s, b) = send(&app, &admin, "/api/v1/admin/licenses/import", "licences.xlsx", file, Some(&sm3)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(
        cells(&b, "errors").iter().all(|e| e.2 == "license_import_exists")
            && b["errors"].as_array().unwrap().len() == 3,
        "{b}"
    );
    let right_only =
        serde_json::to_vec(&vec![record(&right, &food.code, &issuer, "x", &code("91529902MA0000078"))]).unwrap();
    let (s, b) = send(&app, &admin, "/api/v1/admin/licenses/import", "r.json", right_only, None).await;
    assert_eq!(
        (s, cells(&b, "errors")[0].2.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "license_import_exists"),
        "{b}"
    );

    // Verification says imported, and the signature holds for what it says.
    let (s, v) = anon_get(&app, &format!("/api/v1/licenses/{good}/verification")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["signature"]["signed_data"].is_null(), "the signed text, unmasked, is not a visitor's: {v}");
    // The issuing department reads the signed text.
    let (_, v) = body(app.get(&counter, &format!("/api/v1/licenses/{good}/verification")).await).await;
    assert_eq!(
        (v["origin"].as_str(), v["check_character_valid"].as_bool(), v["status"].as_str()),
        (Some("imported"), Some(true), Some("valid"))
    );
    assert_eq!((v["valid_from"].as_str(), v["valid_until"].as_str()), (Some("2023-04-10"), Some("2028-04-09")));
    assert!(holds(&v), "{v}");
    let text = signed_text(&v);
    assert!(text.starts_with("zwfw-license-import/1\n") && text.contains("\norigin=imported\n"), "{text}");
    assert!(text.contains(&format!("\nimport_file_sm3={sm3}\n")), "{text}");
    let (s, w) = body(app.get(&counter, &format!("/api/v1/licenses/{wrong_check}/verification")).await).await;
    assert_eq!((s, w["check_character_valid"].as_bool()), (StatusCode::OK, Some(false)), "{w}");
    assert!(holds(&w) && signed_text(&w).contains("\ncheck_character_valid=no\n"));
    // A wrong check character no imported licence has is still malformed.
    let unknown = format!("{}{}", &good[..good.len() - 1], if good.ends_with('A') { 'B' } else { 'A' });
    let (s, e) = anon_get(&app, &format!("/api/v1/licenses/{unknown}/verification")).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_license_id")), "{e}");
    let (s, html) = page(&client(), &app, &format!("/verify/{wrong_check}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("导入的存量证照") && html.contains("校验位"), "{html}");

    // The holder's 证照夹 lists it; the issuer's staff may cancel it.
    let (_, mine) = body(app.get(&company, "/api/v1/me/licenses").await).await;
    assert!(mine.as_array().unwrap().iter().any(|l| l["identifier"] == good.as_str()), "{mine}");
    let (s, b) = body(
        app.post(
            &counter,
            &format!("/api/v1/licenses/{wrong_check}/changes"),
            json!({"action": "cancel", "reason": "持证人申请注销"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, w) = anon_get(&app, &format!("/api/v1/licenses/{wrong_check}/verification")).await;
    assert_eq!(w["status"], "cancelled");

    // Audited: each licence and the file.
    let audited = zwfw_store::db::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action IN ('license_imported', 'license_import')",
    )
    .fetch_one(app.state.store.pool())
    .await
    .unwrap();
    assert_eq!(int(&audited), 4);
});

both_backends!(duplicates_are_reported_beside_a_rows_other_problems, |store: Store| async move {
    let app = App::start(store).await;
    let [admin] = app.ready_tokens(["demo_admin"]).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let issuer = zwfw_store::admin::get_department(&app.state.store, market).await.unwrap().credit_code;
    let types = zwfw_store::licenses::list_types(app.state.store.pool()).await.unwrap();
    let food = types.iter().find(|t| t.name == "食品经营许可证").expect("the demo's type");
    let type_code = LicenseTypeCode::parse(&food.code).unwrap();
    let id = |serial: &str| {
        LicenseId::new(type_code.clone(), CreditCode::parse(&issuer).unwrap(), serial, 1).unwrap().to_string()
    };
    let (s, _) = body(app.post(&admin, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
    assert_eq!(s, StatusCode::CREATED);
    let json_file = |r: &[Value]| serde_json::to_vec(&json!({ "up_lic_data": r })).unwrap();
    let holder = code("91529902MA0000081");
    let held = id("DUP0000000000000001");
    let (s, b) = send(
        &app,
        &admin,
        "/api/v1/admin/licenses/import",
        "held.json",
        json_file(&[record(&held, &food.code, &issuer, "示例市南街餐饮有限公司", &holder)]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // Each row has a bad cell too; its duplicate (in the file, or stored) is
    // still reported, the identifier's check character right or not.
    let new = id("DUP0000000000000002");
    let new_wrong_check = format!("{}{}", &new[..new.len() - 1], if new.ends_with('A') { 'B' } else { 'A' });
    let bad_holder = format!("{}{}", &holder[..17], if holder.ends_with('0') { '1' } else { '0' });
    let mut rows = vec![
        record(&held, &food.code, &issuer, "示例市南街餐饮有限公司", &holder),
        record(&new, &food.code, &issuer, "示例市北街餐饮有限公司", &bad_holder),
        record(&new, &food.code, &issuer, "示例市北街餐饮有限公司", &holder),
        record(&new_wrong_check, &food.code, &issuer, "示例市北街餐饮有限公司", &holder),
    ];
    rows[0]["issue_date"] = json!("2023-02-30");
    rows[2]["issue_date"] = json!("20231340");
    rows[3]["certificate_name"] = json!("");
    let (s, b) = send(&app, &admin, "/api/v1/admin/licenses/import/preview", "dup.json", json_file(&rows), None).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("license_import_rejected")), "{b}");
    let want: Vec<(i64, String, String)> = [
        (1, "issue_date", "license_import_field"),
        (1, "certificate_source_id", "license_import_exists"),
        (2, "certificate_holder_code", "invalid_credit_code"),
        (3, "issue_date", "license_import_field"),
        (3, "certificate_source_id", "license_import_duplicate"),
        (4, "certificate_name", "license_import_field"),
        (4, "certificate_source_id", "license_import_duplicate"),
    ]
    .iter()
    .map(|(r, c, k)| (*r, c.to_string(), k.to_string()))
    .collect();
    assert_eq!(cells(&b, "errors"), want, "{b}");
    let messages: Vec<&str> = b["errors"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert!(messages[4].contains("第2行") && messages[6].contains("第2行"), "{b}");
    assert!(messages[1].contains("系统中已有"), "{b}");
    // The import says the same, and stores nothing.
    let (s, b2) = send(&app, &admin, "/api/v1/admin/licenses/import", "dup.json", json_file(&rows), None).await;
    assert_eq!((s, cells(&b2, "errors")), (StatusCode::UNPROCESSABLE_ENTITY, want), "{b2}");
    assert_eq!(stored(&app).await, 1);
});

both_backends!(licenses_import_page_previews_then_confirms, |store: Store| async move {
    let app = App::start(store).await;
    let admin = app.ready_token("demo_admin").await;
    let market = app.department_id("示例市市场监督管理局").await;
    let (s, _) = body(app.post(&admin, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
    assert_eq!(s, StatusCode::CREATED);
    let issuer = zwfw_store::admin::get_department(&app.state.store, market).await.unwrap().credit_code;
    let types = zwfw_store::licenses::list_types(app.state.store.pool()).await.unwrap();
    let food = types.iter().find(|t| t.name == "食品经营许可证").unwrap();
    let right =
        LicenseId::new(LicenseTypeCode::parse(&food.code).unwrap(), CreditCode::parse(&issuer).unwrap(), "PAGE01", 1)
            .unwrap()
            .to_string();
    let wrong = format!("{}{}", &right[..right.len() - 1], if right.ends_with('A') { 'B' } else { 'A' });
    let file = serde_json::to_vec(&vec![record(
        &wrong,
        &food.code,
        &issuer,
        "示例市南街餐饮有限公司",
        &code("91529902MA0000079"),
    )])
    .unwrap();

    let c = signed(&admin);
    let (s, html) = page(&c, &app, "/admin/licenses/import").await;
    assert_eq!(s, StatusCode::OK);
    let csrf = csrf_of(&html);
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(file.clone()).file_name("licences.json"));
    let r = post_form(&c, &app, &format!("/admin/licenses/import/preview?_csrf={csrf}"), form).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("预览结果") && html.contains("校验位不符") && html.contains("certificate_source_id"),
        "{html}"
    );
    let sm3 = between(&html, "name=\"sm3\" value=\"", "\"");
    assert_eq!(sm3, zwfw_domain::audit::sm3_hex(&file));
    let csrf = csrf_of(&html);
    // Without the confirmation box: refused, nothing stored.
    let post = |fields: Vec<(&'static str, String)>| {
        let c = c.clone();
        let url = app.url("/admin/licenses/import");
        async move { c.post(url).form(&fields).send().await.unwrap() }
    };
    let r = post(vec![("_csrf", csrf.clone()), ("sm3", sm3.clone()), ("format", "json".into())]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("确认"));
    assert_eq!(stored(&app).await, 0);
    let r = post(vec![
        ("_csrf", csrf.clone()),
        ("sm3", "0".repeat(64)),
        ("format", "json".into()),
        ("confirm", "yes".into()),
    ])
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = post(vec![("_csrf", csrf), ("sm3", sm3), ("format", "json".into()), ("confirm", "yes".into())]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("导入完成"));
    assert_eq!(stored(&app).await, 1);
});

// Who may not import is answered 403 whatever the body: JSON `{}` where a
// multipart upload is expected, or a real upload, to the licence import's
// preview, the 人口库/法人库 import and a notice's attachments; the administrator gets the fault
// of the body (400) and nothing is stored.
both_backends!(license_import_permission_before_the_body, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let [admin, head] = app.ready_tokens(["demo_admin", "demo_head"]).await;
    let licences = "SELECT COUNT(*) AS n FROM licenses";
    let before = count(&app, licences).await;
    for path in [
        "/api/v1/admin/licenses/import/preview",
        "/api/v1/admin/licenses/import",
        "/api/v1/registry/import",
        "/api/v1/notices/1/attachments",
    ] {
        let json_body = |token: &str| {
            client().post(app.url(path)).bearer_auth(token).header("content-type", "application/json").body("{}").send()
        };
        let (s, b) = body(json_body(&head).await.unwrap()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}: {b}");
        let (s, b) = send(&app, &head, path, "a.json", b"[]".to_vec(), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}: {b}");
        let (s, b) = body(json_body(&admin).await.unwrap()).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")), "{path}: {b}");
    }
    // The page's confirmation (a urlencoded form) sent as JSON by someone who may not import: 403.
    let (_, html) = page(&signed(&head), &app, "/handover").await;
    let csrf = csrf_of(&html);
    let r = signed(&head)
        .post(app.url("/admin/licenses/import"))
        .header("content-type", "application/json")
        .header("x-csrf-token", csrf)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(count(&app, licences).await, before, "nothing stored");
    assert_invariants(&app).await;
});
