//! 电子证照 end to end, on SQLite and PostgreSQL: a licence type linked to
//! an item; a grant whose issuer has no key waits and the case says why;
//! the key's generation issues it; public verification whose signature an
//! independent SM2 check accepts from the JSON alone (and refuses with one
//! byte of the signed data changed); malformed and unknown identifiers;
//! the page; 换发, 吊销, 过期 and a key rotation, each reflected at once.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sm2::dsa::signature::Verifier;
use zwfw_store::{both_backends, Store};

/// The signature of a verification answer checked with nothing but its JSON.
fn holds(v: &Value, signed_data: &[u8]) -> bool {
    let sig = &v["signature"];
    assert_eq!(sig["algorithm"], "SM2-SM3");
    let pk = hex::decode(sig["public_key"].as_str().unwrap()).unwrap();
    assert_eq!((pk.len(), pk[0]), (65, 4), "uncompressed 04‖x‖y");
    let value = hex::decode(sig["value"].as_str().unwrap()).unwrap();
    assert_eq!(value.len(), 64, "r‖s");
    let key = sm2::dsa::VerifyingKey::from_sec1_bytes(sig["signer_id"].as_str().unwrap(), &pk).unwrap();
    let signature = sm2::dsa::Signature::from_slice(&value).unwrap();
    key.verify(signed_data, &signature).is_ok()
}

fn signed_data(v: &Value) -> Vec<u8> {
    data_encoding::BASE64.decode(v["signature"]["signed_data"].as_str().unwrap().as_bytes()).unwrap()
}

async fn grant(app: &App, tokens: &[String; 4], item: i64, until: &str) -> i64 {
    let [citizen, counter, reviewer, head] = tokens;
    let id = apply(app, citizen, item).await;
    for (who, a) in [
        (counter, json!({"action": "accept"})),
        (counter, json!({"action": "pass", "opinion": "材料齐全"})),
        (reviewer, json!({"action": "pass", "opinion": "审查通过"})),
        (head, json!({"action": "pass", "opinion": "同意"})),
        (
            head,
            json!({"action": "conclude", "outcome": "granted", "document_no": format!("JY{id:013}"), "valid_until": until}),
        ),
    ] {
        act_ok(app, who, id, a).await;
    }
    id
}

/// A licence type of the market regulator's defining authority for `item`.
fn type_body(code: &str, item: i64, holder_kind: &str) -> Value {
    json!({"code": code, "name": "食品经营许可证", "define_authority": "国家市场监督管理总局",
        "define_authority_level": "国家级", "holder_kind": holder_kind, "validity_years": 5,
        "template": "经营者名称\n经营场所", "item_ids": [item]})
}

async fn verification(app: &App, identifier: &str) -> (StatusCode, Value) {
    anon_get(app, &format!("/api/v1/licenses/{identifier}/verification")).await
}

/// 证照夹: the holder sees every version of their licences with the status
/// it shows today, and each licence's 用证 log; another person sees none of
/// them and is answered "not found" on the log, as is a staff member.
async fn holder_reads_own(app: &App, holder: &str, staff: &str, [first, second, third]: [&String; 3]) {
    let (s, mine) = body(app.get(holder, "/api/v1/me/licenses").await).await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    let shown: Vec<(&str, &str)> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["identifier"].as_str().unwrap(), l["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        shown,
        [(third.as_str(), "valid"), (second.as_str(), "revoked"), (first.as_str(), "superseded")],
        "newest first"
    );
    let l = &mine[2];
    assert_eq!(
        (l["type_name"].as_str(), l["version"].as_str(), l["status_label"].as_str(), l["issuer"].as_str()),
        (Some("食品经营许可证"), Some("001"), Some("已换发"), Some("示例市市场监督管理局")),
        "{l}"
    );
    assert_eq!(l["verify_url"].as_str(), Some(format!("/verify/{first}").as_str()));

    // A staff member's verification is named in the log; a visitor's is not.
    let (s, _) = body(app.get(staff, &format!("/api/v1/licenses/{first}/verification")).await).await;
    assert_eq!(s, StatusCode::OK);
    let uses_path = format!("/api/v1/me/licenses/{first}/uses");
    let (s, log) = body(app.get(holder, &uses_path).await).await;
    assert_eq!(s, StatusCode::OK, "{log}");
    let uses = log["uses"].as_array().unwrap();
    assert!(uses.len() >= 4, "API, page, staff and the later checks: {log}");
    assert!(uses[0]["who"].as_str().unwrap().contains("市场监督管理局"), "{log}");
    assert!(uses.iter().any(|u| u["who"] == "未登录的访客"), "{log}");
    assert!(uses
        .iter()
        .all(|u| u["purpose"] == "verification" && u["purpose_label"].as_str().unwrap().contains("核验")));

    // The pages: cards with the links, the log in Chinese.
    let (s, html) = page(&signed(holder), app, "/my/licenses").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("我的证照") && html.contains(first.as_str()) && html.contains("已吊销"), "{html}");
    let (s, html) = page(&signed(holder), app, &format!("/my/licenses/{first}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("用证记录") && html.contains("未登录的访客") && html.contains("持证人信息校验盐值"),
        "{html}"
    );

    // Anyone else: none listed, the log not found.
    let other = app.ready_token("demo_elder").await;
    let (s, none) = body(app.get(&other, "/api/v1/me/licenses").await).await;
    assert_eq!((s, none.as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{none}");
    for who in [other.as_str(), staff] {
        let (s, b) = body(app.get(who, &uses_path).await).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{b}");
    }
    let (s, _) = page(&signed(&other), app, &format!("/my/licenses/{first}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = body(app.get(holder, "/api/v1/me/licenses/1.2.3/uses").await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

both_backends!(licenses_issue_verify_and_change, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let (market, item) = market_item(&app, "TESTLIC0000000000000000000000001").await;
    let [admin, citizen, counter, reviewer, head] =
        app.ready_tokens(["demo_admin", "demo_citizen", "demo_counter", "demo_reviewer", "demo_head"]).await;
    let tokens = [citizen.clone(), counter.clone(), reviewer.clone(), head.clone()];

    // The licence type: a system administrator's; its code checked.
    let code = format!("{}001", zwfw_app::demo::credit_code_for("100000", 903));
    let mut t = type_body(&code, item, "person");
    let (s, b) = body(app.post(&counter, "/api/v1/admin/license-types", t.clone()).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    t["code"] = json!("11100000000013338X032");
    let (s, b) = body(app.post(&admin, "/api/v1/admin/license-types", t.clone()).await).await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_license_type_code"), Some("authority")),
        "{b}"
    );
    t["code"] = json!(code);
    let (s, b) = body(app.post(&admin, "/api/v1/admin/license-types", t.clone()).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    t["code"] = json!(format!("{}002", zwfw_app::demo::credit_code_for("100000", 903)));
    let (s, b) = body(app.post(&admin, "/api/v1/admin/license-types", t.clone()).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("item_has_license_type")), "{b}");

    // A grant while the market regulator has no key: concluded, the licence waits.
    let first = grant(&app, &tokens, item, "2030-12-31").await;
    let (s, cl) = body(app.get(&citizen, &format!("/api/v1/cases/{first}/license")).await).await;
    assert_eq!(s, StatusCode::OK, "{cl}");
    assert_eq!((cl["job"]["state"].as_str(), cl["job"]["reason"].as_str()), (Some("pending"), Some("no_key")), "{cl}");
    assert!(cl["waiting"].as_str().unwrap().contains("签名密钥"), "{cl}");
    assert!(cl["licenses"].as_array().unwrap().is_empty());

    // The key's generation issues it.
    let (s, b) = body(app.post(&counter, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, key) = body(app.post(&admin, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
    assert_eq!(s, StatusCode::CREATED, "{key}");
    assert!(key.get("private_sealed").is_none() && key["public_key"].as_str().unwrap().starts_with("04"), "{key}");
    let (_, cl) = body(app.get(&citizen, &format!("/api/v1/cases/{first}/license")).await).await;
    assert_eq!(cl["job"]["state"], "issued", "{cl}");
    let identifier = cl["licenses"][0]["identifier"].as_str().unwrap().to_string();
    assert!(identifier.starts_with(&format!("1.2.156.3005.2.{code}.")) && identifier.contains(".001."), "{identifier}");

    // Public verification, checked independently from the JSON alone.
    let (s, v) = verification(&app, &identifier).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["version"].as_str(), v["identifier"].as_str()),
        (Some("valid"), Some("001"), Some(identifier.as_str()))
    );
    assert_eq!((v["holder_masked"].as_str(), v["valid_until"].as_str()), (Some("陈**"), Some("2030-12-31")), "{v}");
    assert_eq!(v["signature"]["signer_id"], "1234567812345678");
    // The signed text is public (zwfw-license/2): a visitor reads the
    // identifier and version in it, never the holder's name or ID number.
    let row = zwfw_store::licenses::by_identifier(app.state.store.pool(), &identifier).await.unwrap().unwrap();
    let data = signed_data(&v);
    let text = String::from_utf8(data.clone()).unwrap();
    assert!(text.starts_with("zwfw-license/2\n"), "{text}");
    assert!(text.contains(&format!("identifier={identifier}\n")) && text.contains("\nversion=001\n"), "{text}");
    assert!(!row.holder_name.is_empty() && !text.contains(&row.holder_name), "no holder name: {text}");
    assert!(!text.contains(&row.holder_code) && !text.contains("陈"), "no ID number: {text}");
    assert!(holds(&v, &data), "the signature holds, checked by an independent SM2 verifier");
    let mut forged = data.clone();
    let at = text.find("\nversion=").unwrap() + 9;
    forged[at] ^= 1;
    assert!(!holds(&v, &forged), "one byte changed: refused");
    let mut forged = data.clone();
    let at = text.find("holder_sm3=").unwrap() + 11;
    forged[at] ^= 1;
    assert!(!holds(&v, &forged), "one byte of a digest changed: refused");
    // The holder, who is shown the salt, proves the signed name and number.
    let (_, mine) = body(app.get(&citizen, "/api/v1/me/licenses").await).await;
    let salt = hex::decode(mine[0]["holder_salt"].as_str().unwrap()).unwrap();
    assert_eq!(salt.len(), 16, "{mine}");
    for (line, value) in [("holder_sm3", &row.holder_name), ("holder_code_sm3", &row.holder_code)] {
        let digest = zwfw_domain::licenses::salted_sm3(&salt, value);
        assert!(text.contains(&format!("\n{line}={digest}\n")), "{line}: {text}");
    }
    let (s, mine) = body(app.get(&citizen, &format!("/api/v1/licenses/{identifier}/verification")).await).await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    let land = app.ready_token("demo_land").await;
    let (s, other) = body(app.get(&land, &format!("/api/v1/licenses/{identifier}/verification")).await).await;
    assert_eq!(s, StatusCode::OK, "{other}");
    assert_eq!(other["signature"]["signed_data"], v["signature"]["signed_data"], "the same text for all: {other}");
    assert_eq!(mine["signature"]["signed_data"], v["signature"]["signed_data"], "the same text for all: {mine}");

    // Malformed and unknown identifiers.
    let mut bad = identifier.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == 'A' { 'B' } else { 'A' });
    let (s, b) = verification(&app, &bad).await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_license_id"), Some("check_character")),
        "{b}"
    );
    let (s, b) = verification(&app, "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{b}");

    // The page: status and masked holder, no sign-in.
    let (s, html) = page(&client(), &app, &format!("/verify/{identifier}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("有效") && html.contains("陈**") && !html.contains("陈小华") && html.contains("签名验证通过"),
        "{html}"
    );
    let id = zwfw_store::licenses::by_identifier(app.state.store.pool(), &identifier).await.unwrap().unwrap().id;
    let uses = zwfw_store::licenses::uses(app.state.store.pool(), id, 100).await.unwrap();
    assert_eq!(
        uses.len(),
        4,
        "the API's (a visitor, the holder, another department) and the page's verification logged"
    );

    // 换发 by the counter: version 002; the old one superseded, pointing to it.
    let change = format!("/api/v1/licenses/{identifier}/changes");
    let (s, b) = body(app.post(&citizen, &change, json!({"action": "reissue", "reason": "遗失补办"})).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = body(app.post(&counter, &change, json!({"action": "reissue", "reason": "遗失补办"})).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let second = b["identifier"].as_str().unwrap().to_string();
    assert!(second.contains(".002."), "{second}");
    let (_, old) = body(app.get(&citizen, &format!("/api/v1/licenses/{identifier}/verification")).await).await;
    assert_eq!(
        (old["status"].as_str(), old["successor"].as_str()),
        (Some("superseded"), Some(second.as_str())),
        "{old}"
    );
    assert!(holds(&old, &signed_data(&old)), "an old version still verifies");
    let (_, html) = page(&client(), &app, &format!("/verify/{identifier}")).await;
    assert!(html.contains("已换发") && html.contains(&second), "{html}");

    // A key rotation keeps the old public key for what it signed.
    let (s, _) = body(app.post(&admin, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, v2) = verification(&app, &second).await;
    assert_eq!((v2["status"].as_str(), v2["signature_valid"].as_bool()), (Some("valid"), Some(true)), "{v2}");
    assert_eq!(v2["signature"]["public_key"], v["signature"]["public_key"], "signed with the key of its day");

    // 吊销: the head of the issuing department, with the decision number.
    let change2 = format!("/api/v1/licenses/{second}/changes");
    let (s, b) =
        body(app.post(&counter, &change2, json!({"action": "revoke", "decision_no": "示市监罚〔2025〕1号"})).await)
            .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("needs_dept_head")), "{b}");
    let (s, b) = body(app.post(&head, &change2, json!({"action": "revoke"})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("decision_no_required")), "{b}");
    // Blank (or invisible) text is no number either: the same answer as the flow back's.
    let (s, b) =
        body(app.post(&head, &change2, json!({"action": "revoke", "decision_no": " \u{200b}\u{3000}"})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("decision_no_required")), "{b}");
    let (s, b) =
        body(app.post(&head, &change2, json!({"action": "revoke", "decision_no": "示市监罚〔2025〕1号"})).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, v2) = verification(&app, &second).await;
    assert_eq!(v2["status"], "revoked", "{v2}");
    let (s, b) = body(app.post(&head, &change2, json!({"action": "cancel", "reason": "申请注销"})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("license_wrong_status")), "{b}");
    // The holder was told of each change, on the workbench (in-app; SMS
    // and e-mail to the account's mobile and address through the outbox).
    let r = app.get(&citizen, "/api/v1/me/workbench").await;
    let s = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(s, StatusCode::OK, "{text}");
    let wb: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let told = |wb: &Value, title: &str, has: &str| {
        wb["notices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["title"] == title && n["body"].as_str().unwrap().contains(has))
    };
    assert!(told(&wb, "电子证照换发：食品经营许可证", &second), "换发, naming the new version: {wb}");
    assert!(told(&wb, "电子证照吊销：食品经营许可证", "示市监罚〔2025〕1号"), "吊销, with the decision: {wb}");
    let history = zwfw_store::licenses::events(app.state.store.pool(), id).await.unwrap();
    assert_eq!(history.iter().map(|e| e.change.as_str()).collect::<Vec<_>>(), ["issued", "reissued"]);

    // 过期: a licence valid through 2025-12-31 expires on 2026-01-01 (China time), by the job.
    let short = grant(&app, &tokens, item, "2025-12-31").await;
    let (_, cl) = body(app.get(&citizen, &format!("/api/v1/cases/{short}/license")).await).await;
    let third = cl["licenses"][0]["identifier"].as_str().unwrap().to_string();
    assert_eq!(cl["licenses"][0]["status"], "valid", "issued at once now that the key exists: {cl}");
    holder_reads_own(&app, &citizen, &counter, [&identifier, &second, &third]).await;
    day(&app, "2026-01-01").await;
    let (_, v3) = verification(&app, &third).await;
    assert_eq!(v3["status"], "expired", "{v3}");
    let l3 = zwfw_store::licenses::by_identifier(app.state.store.pool(), &third).await.unwrap().unwrap();
    assert_eq!(l3.status, "expired", "recorded by the job");
    // (a day later the earlier session has ended: signed in again)
    let citizen = app.ready_token("demo_citizen").await;
    let (_, wb) = body(app.get(&citizen, "/api/v1/me/workbench").await).await;
    assert!(told(&wb, "电子证照过期：食品经营许可证", &third), "过期, by the job: {wb}");

    assert_invariants(&app).await;
});

// The holder kind comes from the licence type: a citizen's grant of an item
// whose licence a legal person holds waits with the reason on the case
// (nothing lost), and is issued once the type is corrected.
both_backends!(licenses_holder_kind_from_the_type, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let (market, item) = market_item(&app, "TESTLIC0000000000000000000000002").await;
    let [admin, citizen, counter, reviewer, head] =
        app.ready_tokens(["demo_admin", "demo_citizen", "demo_counter", "demo_reviewer", "demo_head"]).await;
    let code = format!("{}001", zwfw_app::demo::credit_code_for("100000", 903));
    let mut t = type_body(&code, item, "legal");
    let (s, ty) = body(app.post(&admin, "/api/v1/admin/license-types", t.clone()).await).await;
    assert_eq!(s, StatusCode::CREATED, "{ty}");
    let (s, _) = body(app.post(&admin, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
    assert_eq!(s, StatusCode::CREATED);

    let case = grant(&app, &[citizen.clone(), counter, reviewer, head], item, "2030-12-31").await;
    let path = format!("/api/v1/cases/{case}/license");
    let (_, cl) = body(app.get(&citizen, &path).await).await;
    assert_eq!(
        (cl["job"]["state"].as_str(), cl["job"]["reason"].as_str()),
        (Some("pending"), Some("holder_kind_mismatch")),
        "{cl}"
    );
    assert!(cl["waiting"].as_str().unwrap().contains("持证主体类型"), "{cl}");
    assert!(cl["licenses"].as_array().unwrap().is_empty());
    zwfw_app::run_jobs(&app.state).await.unwrap();
    let (_, cl) = body(app.get(&citizen, &path).await).await;
    assert_eq!(cl["job"]["reason"], "holder_kind_mismatch", "still waiting: {cl}");

    t["holder_kind"] = json!("person");
    let (s, b) = body(app.put(&admin, &format!("/api/v1/admin/license-types/{}", ty["id"]), t).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    zwfw_app::run_jobs(&app.state).await.unwrap();
    let (_, cl) = body(app.get(&citizen, &path).await).await;
    assert_eq!(cl["job"]["state"], "issued", "{cl}");
    let (_, v) = verification(&app, cl["licenses"][0]["identifier"].as_str().unwrap()).await;
    assert_eq!((v["status"].as_str(), v["holder_masked"].as_str()), (Some("valid"), Some("陈**")), "{v}");
    assert_invariants(&app).await;
});

both_backends!(the_demo_citizen_is_issued_a_licence_of_a_natural_person, |store: Store| async move {
    let app = App::start(store).await;
    let [admin, citizen, counter, reviewer, head] =
        app.ready_tokens(["demo_admin", "demo_citizen", "demo_counter", "demo_reviewer", "demo_head"]).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let (s, b) = body(app.post(&admin, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // The demo's 个体工商户登记, applied for online by the citizen with its three materials.
    let (_, items) = anon_get(&app, "/api/v1/guide/items").await;
    let item = items.as_array().unwrap().iter().find(|i| i["name"] == "个体工商户登记").expect("demo item")["item_id"]
        .as_i64()
        .unwrap();
    let mut materials = vec![];
    for n in 1..=3 {
        let (_, up) = upload(&app, &citizen, PDF, &format!("材料{n}.pdf")).await;
        materials.push(json!({"material_no": n, "upload_id": up["id"]}));
    }
    let (s, sub) =
        body(app.post(&citizen, &format!("/api/v1/items/{item}/applications"), json!({"materials": materials})).await)
            .await;
    assert_eq!(s, StatusCode::CREATED, "{sub}");
    let id = sub["case_id"].as_i64().unwrap();
    for (who, a) in [
        (&counter, json!({"action": "accept"})),
        (&counter, json!({"action": "pass", "opinion": "材料齐全"})),
        (&reviewer, json!({"action": "pass", "opinion": "审核通过"})),
        (&head, json!({"action": "pass", "opinion": "核准"})),
        (&head, json!({"action": "conclude", "outcome": "granted", "document_no": "GT0000001"})),
    ] {
        act_ok(&app, who, id, a).await;
    }
    let (_, cl) = body(app.get(&citizen, &format!("/api/v1/cases/{id}/license")).await).await;
    assert_eq!(cl["job"]["state"], "issued", "not held back by the holder kind: {cl}");
    let (_, mine) = body(app.get(&citizen, "/api/v1/me/licenses").await).await;
    let held = mine.as_array().unwrap().iter().find(|l| l["type_name"] == "营业执照（个体工商户）");
    assert_eq!(held.map(|l| l["status"].as_str()), Some(Some("valid")), "{mine}");

    // The administrators link items by ticking them, found by name or code.
    let c = signed(&admin);
    let (s, html) = page(&c, &app, "/admin/licenses?q=护士").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("护士执业注册") && html.contains("已关联“护士执业证书”"), "{html}");
    assert!(!html.contains("value=\"{item}\""), "the search leaves other items out");
    let (_, html) = page(&c, &app, "/admin/licenses").await;
    assert!(html.contains(&format!("name=\"item_ids\" value=\"{item}\"")), "{html}");
    let csrf = csrf_of(&html);
    let form = |items: &[&str]| {
        let mut f: Vec<(&str, String)> = vec![
            ("_csrf", csrf.clone()),
            ("name", "示例证照".into()),
            ("code", format!("{}007", zwfw_app::demo::credit_code_for("100000", 903))),
            ("define_authority", "示例机关".into()),
            ("define_authority_level", "地市级".into()),
            ("holder_kind", "person".into()),
            ("template", "姓名".into()),
        ];
        f.extend(items.iter().map(|i| ("item_ids", i.to_string())));
        f
    };
    let r = c.post(app.url("/admin/licenses/types")).form(&form(&[&item.to_string()])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("营业执照（个体工商户）") && html.contains("value=\"示例证照\""),
        "the message, the form kept: {html}"
    );
    let r = c.post(app.url("/admin/licenses/types")).form(&form(&["x"])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("关联事项"));
    let r = c.post(app.url("/admin/licenses/types")).form(&form(&[])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
});
