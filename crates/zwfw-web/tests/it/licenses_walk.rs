//! 电子证照 and 人口库 under attack, on SQLite and PostgreSQL: every role of
//! the issuing department and of other departments, and the public, trying
//! every change of a licence, its 用证 log and the departments' keys; a key
//! in use replaced from the page only when confirmed; a licence past its
//! last day that the job has not yet marked is not reissued; a grant naming
//! a 有效期至 before the grant is refused; registration is no oracle of the
//! registry.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

/// The market regulator's licence type for `item`, its key, and a grant to
/// demo_citizen valid through `until`, by the tokens of demo_admin,
/// demo_citizen, demo_counter, demo_reviewer and demo_head: the case and
/// the licence identifier.
pub(crate) async fn licensed(app: &App, tokens: [&String; 5], item: i64, market: i64, until: &str) -> (i64, String) {
    let [admin, citizen, counter, reviewer, head] = tokens;
    let types = body(app.get(admin, "/api/v1/admin/license-types").await).await.1;
    if !types.as_array().unwrap().iter().any(|t| t["item_ids"].as_array().unwrap().contains(&json!(item))) {
        let code = format!("{}001", zwfw_app::demo::credit_code_for("100000", 905));
        let t = json!({"code": code, "name": "食品经营许可证", "define_authority": "国家市场监督管理总局",
            "define_authority_level": "国家级", "holder_kind": "person", "validity_years": 5,
            "template": "经营场所", "item_ids": [item]});
        let (s, b) = body(app.post(admin, "/api/v1/admin/license-types", t).await).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let (s, b) = body(app.post(admin, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let id = apply(app, citizen, item).await;
    grant(app, [counter, reviewer, head], id, &format!("JY{id:013}"), until).await;
    let (s, cl) = body(app.get(citizen, &format!("/api/v1/cases/{id}/license")).await).await;
    assert_eq!((s, cl["job"]["state"].as_str()), (StatusCode::OK, Some("issued")), "{cl}");
    (id, cl["licenses"][0]["identifier"].as_str().unwrap().to_string())
}

/// Takes case `id` of the market regulator through its steps to a grant
/// numbered `document_no`, valid through `until`, by the tokens of
/// demo_counter, demo_reviewer and demo_head.
pub(crate) async fn grant(app: &App, [counter, reviewer, head]: [&String; 3], id: i64, document_no: &str, until: &str) {
    for (who, a) in [
        (counter, json!({"action": "accept"})),
        (counter, json!({"action": "pass", "opinion": "材料齐全"})),
        (reviewer, json!({"action": "pass", "opinion": "审查通过"})),
        (head, json!({"action": "pass", "opinion": "同意"})),
        (head, json!({"action": "conclude", "outcome": "granted", "document_no": document_no, "valid_until": until})),
    ] {
        act_ok(app, who, id, a).await;
    }
}

fn said(s: StatusCode, b: &Value) -> (StatusCode, String) {
    (s, b["code"].as_str().unwrap_or("").to_string())
}

both_backends!(licences_resist_every_role_of_every_department, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let (market, item) = market_item(&app, "TESTLICWALK000000000000000000001").await;
    let users = [
        "demo_admin",
        "demo_center",
        "demo_deptadmin",
        "demo_counter",
        "demo_reviewer",
        "demo_head",
        "demo_supervisor",
        "demo_legal",
        "demo_land",
        "demo_county",
        "demo_citizen",
        "demo_elder",
        "demo_company",
    ];
    let tokens = app.ready_tokens(users).await;
    let [admin, citizen, counter, reviewer, head] = [0, 10, 3, 4, 5].map(|i| &tokens[i]);
    let (_, identifier) = licensed(&app, [admin, citizen, counter, reviewer, head], item, market, "2030-12-31").await;
    let change = format!("/api/v1/licenses/{identifier}/changes");
    let uses = format!("/api/v1/me/licenses/{identifier}/uses");
    // What each gets for a change of the market regulator's licence: staff
    // of other departments (and other public accounts) do not learn it is
    // there; the overseers read it but change nothing; the holder asks the
    // department; in the department, the roles the rules name.
    let hidden = (StatusCode::NOT_FOUND, "not_found".to_string());
    let refused = |code: &str| (StatusCode::FORBIDDEN, code.to_string());
    for (user, token) in users.iter().zip(&tokens) {
        let revoke = json!({"action": "revoke", "decision_no": ""});
        let cancel = json!({"action": "cancel", "reason": ""});
        let reissue = json!({"action": "amend", "reason": "测试", "fields": {}});
        let (expect_revoke, expect_change) = match *user {
            "demo_admin" | "demo_center" | "demo_supervisor" => {
                (refused("not_in_department"), refused("not_in_department"))
            }
            // Refused before the change asked for is read: the role takes none.
            "demo_deptadmin" => (refused("missing_role"), refused("missing_role")),
            // Allowed: refused only for the missing reason, decision number or fields.
            "demo_counter" | "demo_reviewer" => {
                (refused("needs_dept_head"), (StatusCode::UNPROCESSABLE_ENTITY, "reason_required".to_string()))
            }
            "demo_head" => (
                (StatusCode::UNPROCESSABLE_ENTITY, "decision_no_required".to_string()),
                (StatusCode::UNPROCESSABLE_ENTITY, "reason_required".to_string()),
            ),
            "demo_citizen" => (refused("staff_only"), refused("staff_only")),
            _ => (hidden.clone(), hidden.clone()),
        };
        let (s, b) = body(app.post(token, &change, revoke).await).await;
        assert_eq!(said(s, &b), expect_revoke, "{user} revoke: {b}");
        let (s, b) = body(app.post(token, &change, cancel).await).await;
        assert_eq!(said(s, &b), expect_change, "{user} cancel: {b}");
        let (s, b) = body(app.post(token, &change, reissue).await).await;
        let expect_amend = match *user {
            "demo_counter" | "demo_reviewer" | "demo_head" => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field".to_string())
            }
            _ => expect_change.clone(),
        };
        assert_eq!(said(s, &b), expect_amend, "{user} amend: {b}");
        if s == StatusCode::NOT_FOUND {
            assert_eq!(b["message"], "电子证照不存在", "named in Chinese: {b}");
        }
        // The 用证 log is the holder's alone.
        let (s, b) = body(app.get(token, &uses).await).await;
        let expect = if *user == "demo_citizen" { StatusCode::OK } else { StatusCode::NOT_FOUND };
        assert_eq!(s, expect, "{user} uses: {b}");
        // Keys and types: the system administrators only.
        let (s, b) = body(app.post(token, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
        if *user == "demo_admin" {
            assert_eq!(s, StatusCode::CREATED, "{b}");
        } else {
            assert_eq!(s, StatusCode::FORBIDDEN, "{user} key: {b}");
        }
        let (s, _) = body(app.get(token, "/api/v1/admin/license-types").await).await;
        assert_eq!(s == StatusCode::OK, *user == "demo_admin", "{user} types");
    }
    // Nothing changed: the licence is still valid and version 001.
    let (_, v) = anon_get(&app, &format!("/api/v1/licenses/{identifier}/verification")).await;
    assert_eq!((v["status"].as_str(), v["version"].as_str()), (Some("valid"), Some("001")), "{v}");
    // Forged identifiers: a wrong check character, lower case, unknown.
    let mut forged = identifier.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    for (id, expect) in [
        (forged, (StatusCode::UNPROCESSABLE_ENTITY, "invalid_license_id".to_string())),
        (identifier.to_lowercase(), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_license_id".to_string())),
        ("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F".into(), hidden.clone()),
    ] {
        let path = format!("/api/v1/licenses/{id}/changes");
        let (s, b) = body(app.post(head, &path, json!({"action": "cancel", "reason": "申请注销"})).await).await;
        assert_eq!(said(s, &b), expect, "{id}: {b}");
    }
    // A department that does not exist, or no longer works, gets no key.
    let (s, b) = body(app.post(admin, "/api/v1/admin/license-keys", json!({"department_id": 999_999})).await).await;
    assert_eq!(said(s, &b), hidden, "{b}");
    let land = app.department_id("示例市自然资源局").await;
    app.sql("UPDATE departments SET active = 0 WHERE id = $1", land).await;
    app.state.forget_department(land);
    let (s, b) = body(app.post(admin, "/api/v1/admin/license-keys", json!({"department_id": land})).await).await;
    assert_eq!(said(s, &b), hidden, "an inactive department: {b}");
    assert_invariants(&app).await;
});

both_backends!(a_key_in_use_is_replaced_from_the_page_only_when_confirmed, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let admin = app.ready_token("demo_admin").await;
    let c = signed(&admin);
    let (s, html) = page(&c, &app, "/admin/licenses").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<a href=\"/admin/licenses\">电子证照管理</a>"), "in the navigation");
    assert!(html.contains("<table class=\"stack\">"), "tables read as cards on a phone");
    let csrf = csrf_of(&html);
    let post = |fields: Vec<(&'static str, String)>| {
        let c = c.clone();
        let url = app.url("/admin/licenses/keys");
        async move {
            let r = c.post(url).form(&fields).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let keys = || async { zwfw_store::licenses::list_keys(app.state.store.pool()).await.unwrap() };

    // No department chosen: a message, no key.
    let (s, html) = post(vec![("_csrf", csrf.clone()), ("department_id", String::new())]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(keys().await.is_empty());
    // The first key needs no confirmation.
    let (s, _) = post(vec![("_csrf", csrf.clone()), ("department_id", market.to_string())]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(keys().await.len(), 1);
    // Replacing it without the confirmation: refused with the reason, the key kept.
    let (s, html) = post(vec![("_csrf", csrf.clone()), ("department_id", market.to_string())]).await;
    assert_eq!(s, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("确认更换密钥"), "{html}");
    let k = keys().await;
    assert_eq!((k.len(), k[0].retired_at), (1, None), "nothing replaced");
    // Confirmed: replaced, the old one kept for verification.
    let (s, _) =
        post(vec![("_csrf", csrf.clone()), ("department_id", market.to_string()), ("rotate", "true".into())]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let k = keys().await;
    assert_eq!((k.len(), k.iter().filter(|k| k.retired_at.is_none()).count()), (2, 1), "rotated");
    // Without the form's token: refused.
    let (s, _) = post(vec![("department_id", market.to_string()), ("rotate", "true".into())]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(keys().await.len(), 2);
    assert_invariants(&app).await;
});

both_backends!(a_licence_past_its_last_day_is_not_changed_as_if_valid, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let (market, item) = market_item(&app, "TESTLICWALK000000000000000000002").await;
    let [admin, citizen, counter, reviewer, head] =
        app.ready_tokens(["demo_admin", "demo_citizen", "demo_counter", "demo_reviewer", "demo_head"]).await;

    // A grant may not name a last day before the grant.
    let id = apply(&app, &citizen, item).await;
    for (who, a) in [
        (&counter, json!({"action": "accept"})),
        (&counter, json!({"action": "pass", "opinion": "材料齐全"})),
        (&reviewer, json!({"action": "pass", "opinion": "审查通过"})),
        (&head, json!({"action": "pass", "opinion": "同意"})),
    ] {
        act_ok(&app, who, id, a).await;
    }
    let grant = |until: &str| json!({"action": "conclude", "outcome": "granted", "document_no": "JY0001", "valid_until": until});
    let (s, b) = act(&app, &head, id, grant("2025-09-25")).await;
    assert_eq!(
        (s, b["code"].as_str(), b["message"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("validity_before_grant"),
            Some("有效期至不能早于准予之日，请核对后重新填写")
        ),
        "{b}"
    );
    act_ok(&app, &head, id, grant("2025-09-26")).await;

    // Valid through today; tomorrow it shows 已过期 before the job records it,
    // and is neither reissued, amended nor revoked as if it were valid.
    let (_, identifier) =
        licensed(&app, [&admin, &citizen, &counter, &reviewer, &head], item, market, "2025-09-26").await;
    app.advance(24 * 3_600_000);
    let [counter, head] = [app.signed_in("demo_counter").await, app.signed_in("demo_head").await];
    let (_, v) = anon_get(&app, &format!("/api/v1/licenses/{identifier}/verification")).await;
    assert_eq!(v["status"], "expired", "{v}");
    let change = format!("/api/v1/licenses/{identifier}/changes");
    for (who, a) in [
        (&counter, json!({"action": "reissue", "reason": "遗失补办"})),
        (&counter, json!({"action": "amend", "reason": "变更", "fields": {"经营场所": "新址"}})),
        (&head, json!({"action": "revoke", "decision_no": "示市监罚〔2025〕9号"})),
    ] {
        let (s, b) = body(app.post(who, &change, a.clone()).await).await;
        assert_eq!(
            (s, b["code"].as_str(), b["detail"].as_str()),
            (StatusCode::CONFLICT, Some("license_wrong_status"), Some("expired")),
            "{a}: {b}"
        );
    }
    // Cancelling an expired licence stays possible (注销 of a licence whose term ended).
    let (s, b) = body(app.post(&counter, &change, json!({"action": "cancel", "reason": "持证人申请注销"})).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, v) = anon_get(&app, &format!("/api/v1/licenses/{identifier}/verification")).await;
    assert_eq!(v["status"], "cancelled", "{v}");
    assert_invariants(&app).await;
});

both_backends!(registration_is_no_oracle_of_the_registry, |store: Store| async move {
    let app = App::start(store).await;
    // 陈小华's number, from the demo's 人口库.
    let body17 = "52990219850612302";
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body17.chars().zip(w).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    let chen = format!("{body17}{}", "10X98765432".as_bytes()[(sum % 11) as usize] as char);
    let register = |name: String, n: usize| {
        let reg = json!({"kind": "person", "username": format!("guess{n}"), "password": "Zwfw-2026-ok!",
            "name": name, "id_number": chen, "mobile": "13812345678"});
        let req = client().post(app.url("/api/v1/register")).json(&reg);
        async move { body(req.send().await.unwrap()).await }
    };
    for n in 0..zwfw_app::state::TRACK_MAX_FAILURES as usize {
        let (s, b) =
            register(format!("陈{}", ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"][n % 10]), n).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("registry_mismatch")), "{b}");
    }
    // The next guess, even the right one, is refused without an answer.
    let (s, b) = register("陈小华".into(), 99).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("registry_check_limited")), "{b}");
    assert!(zwfw_store::admin::find_user_by_username(&app.state.store, "guess99").await.unwrap().is_none());
});
