//! What tests start from: a file to upload, a moment to start at, items
//! published straight through the store, applications.

use super::{act_ok, body, upload, App};
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_domain::catalog::{example, CoReview, ItemContent, Material};

/// The smallest PDF the upload check accepts.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Friday 2025-09-26, 10:00 in Beijing: five working days later is 2025-10-10
/// (the make-up Sunday 09-28 counts, the National Day week does not).
pub const FRIDAY: &str = "2025-09-26T02:00:00Z";

/// `PDF` as the file part of a form.
pub fn pdf_part(name: &str) -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(PDF.to_vec()).file_name(name.to_string())
}

/// Publishes an item straight through the store (the governance flow is tested elsewhere).
pub async fn publish(app: &App, content: &ItemContent, code: &str) -> i64 {
    let st = &app.state.store;
    let mut tx = st.begin().await.unwrap();
    let (item, v) = zwfw_store::catalog::create_item(&mut tx, code, content, "测试", None, 0).await.unwrap();
    use zwfw_domain::catalog::VersionState::*;
    zwfw_store::catalog::move_version(&mut tx, v, Draft, CenterApproval, 0).await.unwrap();
    zwfw_store::catalog::publish(&mut tx, item, v, 0).await.unwrap();
    tx.commit().await.unwrap();
    item
}

/// The market department's id and its example item, published under `code`.
pub async fn market_item(app: &App, code: &str) -> (i64, i64) {
    let market = app.department_id("示例市市场监督管理局").await;
    (market, publish(app, &example(market), code).await)
}

/// The market department's example item with a second, optional material
/// for which the applicant's 人口库/法人库 record may stand (`registry`:
/// `person`, `company` or `any`), published under `code`. Its first material
/// (the application form) takes no record.
pub async fn registry_item(app: &App, code: &str, registry: &str) -> i64 {
    let market = app.department_id("示例市市场监督管理局").await;
    let mut c = example(market);
    c.materials.push(Material {
        name: "申请人身份证明".into(),
        registry: registry.into(),
        required: false,
        ..c.materials[0].clone()
    });
    publish(app, &c, code).await
}

/// The example item of the market department, with the land department joining step 2.
pub async fn joint_item(app: &App) -> i64 {
    let market = app.department_id("示例市市场监督管理局").await;
    let land = app.department_id("示例市自然资源局").await;
    let mut c = example(market);
    c.steps[1].joint = vec![CoReview { department_id: land, limit_days: 2 }];
    c.steps[1].limit_days = 4;
    publish(app, &c, "TESTJOINT0000000000000000000001").await
}

/// Applies for `item` with `PDF` as its first material; the submission's answer.
pub async fn apply_with_pdf(app: &App, token: &str, item: i64) -> Value {
    let (_, up) = upload(app, token, PDF, "申请书.pdf").await;
    let path = format!("/api/v1/items/{item}/applications");
    let (s, sub) =
        body(app.post(token, &path, json!({"materials": [{"material_no": 1, "upload_id": up["id"]}]})).await).await;
    assert_eq!(s, StatusCode::CREATED, "{sub}");
    sub
}

/// Applies for `item` with `PDF` as the signed-in applicant; the new case's id.
pub async fn apply(app: &App, applicant: &str, item: i64) -> i64 {
    apply_with_pdf(app, applicant, item).await["case_id"].as_i64().unwrap()
}

/// A 2027 entry that covers every statutory festival (a test entry, not the
/// State Council's notice).
pub fn entry_2027() -> serde_json::Value {
    let span = |name: &str, from: &str, to: &str| json!({"name": name, "from": from, "to": to});
    json!({
        "notices": [{"number": "测试〔2026〕1号", "title": "测试通知", "date": "2026-11-01"}],
        "holidays": [
            span("元旦", "2027-01-01", "2027-01-03"),
            span("春节", "2027-02-05", "2027-02-12"),
            span("清明节", "2027-04-03", "2027-04-05"),
            span("劳动节", "2027-05-01", "2027-05-05"),
            span("端午节", "2027-06-09", "2027-06-09"),
            span("中秋节", "2027-09-15", "2027-09-15"),
            span("国庆节", "2027-10-01", "2027-10-07"),
        ],
        "workdays": [
            {"name": "春节", "date": "2027-02-20"},
            {"name": "劳动节", "date": "2027-04-25"},
            {"name": "国庆节", "date": "2027-09-26"},
            {"name": "国庆节", "date": "2027-10-09"},
        ],
        "reason": "录入2027年放假通知",
    })
}

/// A case of `item` taken through its four steps by `tokens` (citizen,
/// counter, reviewer, head) and concluded with `conclusion`; its id.
pub async fn conclude(app: &App, tokens: &[String; 4], item: i64, conclusion: Value) -> i64 {
    let [citizen, counter, reviewer, head] = tokens;
    let id = apply(app, citizen, item).await;
    for (who, a) in [
        (counter, json!({"action": "accept"})),
        (counter, json!({"action": "pass", "opinion": "材料齐全"})),
        (reviewer, json!({"action": "pass", "opinion": "审查通过"})),
        (head, json!({"action": "pass", "opinion": "同意"})),
        (head, conclusion),
    ] {
        act_ok(app, who, id, a).await;
    }
    id
}

/// The column `n` of the one row `sql` answers on the application's database.
pub async fn count(app: &App, sql: &str) -> i64 {
    let row = zwfw_store::db::query(sql).fetch_one(app.state.store.pool()).await.unwrap();
    match row.value("n") {
        Some(zwfw_store::db::Value::Int(n)) => *n,
        other => panic!("{other:?}"),
    }
}

/// A licence type 食品经营许可证 (its code from `serial`) for `item`, and a
/// signing key of `department`, so that a grant of `item` issues a licence.
pub async fn license_item(app: &App, admin: &str, item: i64, department: i64, serial: u32) {
    let code = format!("{}001", zwfw_app::demo::credit_code_for("100000", serial));
    let t = json!({"code": code, "name": "食品经营许可证", "define_authority": "国家市场监督管理总局",
        "define_authority_level": "国家级", "holder_kind": "person", "validity_years": 5,
        "template": "经营者名称", "item_ids": [item]});
    let (s, b) = body(app.post(admin, "/api/v1/admin/license-types", t).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = body(app.post(admin, "/api/v1/admin/license-keys", json!({"department_id": department})).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}
