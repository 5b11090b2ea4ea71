//! The issuing department's licence pages, on SQLite and PostgreSQL: the
//! list (filters, paging, the holder masked) and a licence's page (history,
//! 用证 records without the visitors' identities, the changes each role may
//! take, each confirmed) tried by every role of the department and of
//! another, the public and the overseers; the licence type edited from its
//! page; the case page showing the licence or why it waits and what to do;
//! the verification form and its errors; the anonymous checks throttled
//! without a 用证 row; an imported licence's file and QR code made on
//! first need.

use crate::licenses_walk::{grant, licensed};
use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

fn said(s: StatusCode, b: &Value) -> (StatusCode, String) {
    (s, b["code"].as_str().unwrap_or("").to_string())
}

/// Posts a page's form as the browser `c`: the status, the redirect (if any) and the page.
async fn post_page(
    c: &reqwest::Client,
    app: &App,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let r = c.post(app.url(path)).form(fields).send().await.unwrap();
    let to = r.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (r.status(), to, r.text().await.unwrap())
}

async fn uses_of(app: &App, holder: &str, identifier: &str) -> usize {
    let (s, b) = body(app.get(holder, &format!("/api/v1/me/licenses/{identifier}/uses")).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["uses"].as_array().unwrap().len()
}

both_backends!(licence_list_and_page_for_the_issuing_department, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let (market, item) = market_item(&app, "TESTLICSTAFF00000000000000000001").await;
    let users = [
        "demo_admin",
        "demo_deptadmin",
        "demo_counter",
        "demo_reviewer",
        "demo_head",
        "demo_supervisor",
        "demo_legal",
        "demo_land",
        "demo_citizen",
        "demo_company",
    ];
    let tokens = app.ready_tokens(users).await;
    let tok = |u: &str| tokens[users.iter().position(|x| *x == u).unwrap()].clone();
    let [admin, citizen, counter, reviewer, head] =
        ["demo_admin", "demo_citizen", "demo_counter", "demo_reviewer", "demo_head"].map(tok);
    let (case_id, identifier) =
        licensed(&app, [&admin, &citizen, &counter, &reviewer, &head], item, market, "2030-12-31").await;
    let holder = zwfw_store::admin::get_user(&app.state.store, app.user_id("demo_citizen").await).await.unwrap();
    let number = holder.id_number.clone().unwrap();

    // The list: the department's, the holder masked.
    let (s, list) = body(app.get(&counter, "/api/v1/licenses").await).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!((list["total"].as_i64(), list["all_departments"].as_bool()), (Some(1), Some(false)), "{list}");
    let row = &list["rows"][0];
    assert_eq!(row["identifier"], identifier.as_str());
    let name: Vec<char> = holder.display_name.chars().collect();
    assert_eq!(row["holder"], format!("{}{}", name[0], "*".repeat(name.len() - 1)), "{row}");
    assert_eq!(row["holder_code"], format!("{}********{}", &number[..6], &number[14..]), "{row}");
    assert!(!list.to_string().contains(&number), "the number never whole: {list}");
    assert_eq!((row["status"].as_str(), row["version"].as_str()), (Some("valid"), Some("001")));

    // Each filter selects it or not.
    let type_id = zwfw_store::licenses::list_types(app.state.store.pool())
        .await
        .unwrap()
        .iter()
        .find(|t| t.item_ids.contains(&item))
        .unwrap()
        .id;
    let surname: String = name[..1].iter().collect();
    for (q, n) in [
        (format!("status=valid&type_id={type_id}"), 1),
        ("status=revoked".to_string(), 0),
        ("status=expired".to_string(), 0),
        (format!("holder={}", urlencoding(&surname)), 1),
        (format!("holder={number}"), 1),
        (format!("holder={}", &number[..10]), 0),
        ("holder=%25".to_string(), 0),
        ("from=2025-09-26&to=2025-09-26".to_string(), 1),
        ("from=2025-09-27".to_string(), 0),
        ("to=2025-09-25".to_string(), 0),
        ("page=2".to_string(), 0),
    ] {
        let (s, b) = body(app.get(&counter, &format!("/api/v1/licenses?{q}")).await).await;
        assert_eq!((s, b["rows"].as_array().map(Vec::len)), (StatusCode::OK, Some(n)), "{q}: {b}");
    }
    for (q, field) in [
        ("status=lost", "status"),
        ("from=2025-13-01", "from"),
        ("from=2025-09-27&to=2025-09-26", "to"),
        ("page=0", "page"),
        ("type_id=x", "type_id"),
    ] {
        let (s, b) = body(app.get(&counter, &format!("/api/v1/licenses?{q}")).await).await;
        assert_eq!((s, b["detail"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{q}: {b}");
    }

    // Who lists what, and who reads the licence's page.
    for user in users {
        let t = tok(user);
        let (s, b) = body(app.get(&t, "/api/v1/licenses").await).await;
        let (ls, lb) = body(app.get(&t, &format!("/api/v1/licenses/{identifier}")).await).await;
        match user {
            "demo_citizen" | "demo_company" => {
                assert_eq!(said(s, &b), (StatusCode::FORBIDDEN, "staff_only".into()), "{user}: {b}");
                assert_eq!(ls, StatusCode::NOT_FOUND, "{user}: {lb}");
            }
            "demo_land" | "demo_legal" => {
                assert_eq!((s, b["total"].as_i64()), (StatusCode::OK, Some(0)), "{user}: {b}");
                assert_eq!(
                    (ls, lb["message"].as_str()),
                    (StatusCode::NOT_FOUND, Some("电子证照不存在")),
                    "{user}: {lb}"
                );
            }
            "demo_admin" | "demo_supervisor" => {
                assert_eq!(
                    (s, b["all_departments"].as_bool(), b["total"].as_i64()),
                    (StatusCode::OK, Some(true), Some(1)),
                    "{user}: {b}"
                );
                assert_eq!(
                    (ls, lb["actions"].clone()),
                    (StatusCode::OK, json!([])),
                    "{user} reads, changes nothing: {lb}"
                );
                assert_ne!(lb["holder_name"], holder.display_name.as_str(), "masked for the overseers");
            }
            _ => {
                assert_eq!((s, b["total"].as_i64()), (StatusCode::OK, Some(1)), "{user}: {b}");
                let actions = match user {
                    "demo_head" => json!(["reissue", "amend", "cancel", "revoke"]),
                    "demo_counter" | "demo_reviewer" => json!(["reissue", "amend", "cancel"]),
                    _ => json!([]),
                };
                assert_eq!((ls, lb["actions"].clone()), (StatusCode::OK, actions), "{user}: {lb}");
                assert_eq!(lb["holder_name"], holder.display_name.as_str());
            }
        }
    }

    // The licence's page: its history, the 用证 records without the
    // visitors' identities, the links.
    let (_, v) = anon_get(&app, &format!("/api/v1/licenses/{identifier}/verification")).await;
    assert_eq!(v["status"], "valid");
    let (_, d) = body(app.get(&counter, &format!("/api/v1/licenses/{identifier}")).await).await;
    assert_eq!(
        (d["case_id"].as_i64(), d["number"].as_str()),
        (Some(case_id), Some(format!("JY{case_id:013}").as_str())),
        "{d}"
    );
    assert_eq!(d["history"][0]["change_label"], "颁发", "{d}");
    assert_eq!(
        (d["uses"][0]["purpose"].as_str(), d["uses"][0]["by"].as_str()),
        (Some("verification"), Some("未登录的访客")),
        "{d}"
    );
    assert!(!d.to_string().contains("127.0.0.1"), "no addresses: {d}");
    assert_eq!(d["file_url"], format!("/licenses/{identifier}/file"));

    // The page, as the counter: 换发 and 注销 offered, 吊销 not; each needs its tick.
    let c = signed(&counter);
    let path = format!("/work/licenses/{identifier}");
    let (s, html) = page(&c, &app, &path).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("<a href=\"/work/licenses\">电子证照</a>"), "in the navigation");
    assert!(
        html.contains("value=\"reissue\"") && html.contains("value=\"cancel\"") && !html.contains("value=\"revoke\"")
    );
    assert!(!html.contains(&number), "the number masked on the page");
    let csrf = csrf_of(&html);
    let change = format!("{path}/change");
    let (s, _, html) =
        post_page(&c, &app, &change, &[("_csrf", &csrf), ("action", "cancel"), ("reason", "持证人申请")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请勾选“确认注销此证照”后再提交"), "{html}");
    let (s, _, html) = post_page(
        &c,
        &app,
        &change,
        &[("_csrf", &csrf), ("action", "revoke"), ("decision_no", "示市监罚〔2025〕1号"), ("confirm", "yes")],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "吊销 is the head's");
    assert!(html.contains("<h1>食品经营许可证</h1>") && html.contains("role=\"alert\""), "said on the page: {html}");
    let (s, _, _) =
        post_page(&c, &app, &change, &[("action", "cancel"), ("reason", "持证人申请"), ("confirm", "yes")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "without the form's token");
    let (s, _, html) =
        post_page(&c, &app, &change, &[("_csrf", &csrf), ("action", "cancel"), ("reason", " "), ("confirm", "yes")])
            .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let (_, v) = anon_get(&app, &format!("/api/v1/licenses/{identifier}/verification")).await;
    assert_eq!(v["status"], "valid", "nothing changed yet");
    // Another department's head, the overseer: not changed.
    for (who, expect) in [(tok("demo_land"), StatusCode::NOT_FOUND), (tok("demo_supervisor"), StatusCode::FORBIDDEN)] {
        let w = signed(&who);
        let (_, html) = page(&w, &app, "/work/licenses").await;
        let csrf = csrf_of(&html);
        let (s, _, _) = post_page(
            &w,
            &app,
            &change,
            &[("_csrf", &csrf), ("action", "cancel"), ("reason", "x"), ("confirm", "yes")],
        )
        .await;
        assert_eq!(s, expect);
    }
    // Permission before the body: a role that may not change the licence
    // is refused whatever the form or body holds (no tick, nothing, junk);
    // another department's staff do not learn it exists.
    for (who, expect) in [
        ("demo_supervisor", StatusCode::FORBIDDEN),
        ("demo_deptadmin", StatusCode::FORBIDDEN),
        ("demo_admin", StatusCode::FORBIDDEN),
        ("demo_citizen", StatusCode::FORBIDDEN),
        ("demo_land", StatusCode::NOT_FOUND),
    ] {
        let w = signed(&tok(who));
        let (_, html) = page(&w, &app, "/").await;
        let csrf = csrf_of(&html);
        for action in ["amend", "reissue", "cancel", "revoke", ""] {
            let (s, _, _) = post_page(&w, &app, &change, &[("_csrf", &csrf), ("action", action)]).await;
            assert_eq!(s, expect, "{who} {action} without the tick");
        }
        for b in [json!({}), json!({"action": 5}), json!("x")] {
            let (s, r) = body(app.post(&tok(who), &format!("/api/v1/licenses/{identifier}/changes"), b).await).await;
            assert_eq!(s, expect, "{who}: {r}");
        }
    }
    let (s, r) = body(app.post(&counter, &format!("/api/v1/licenses/{identifier}/changes"), json!({})).await).await;
    assert_eq!((s, r["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")), "one who may act: {r}");
    // The licence types, keys and imports: the system administrators'.
    let type_path = format!("/api/v1/admin/license-types/{type_id}");
    for who in ["demo_counter", "demo_head", "demo_deptadmin", "demo_supervisor", "demo_citizen", "demo_company"] {
        let t = tok(who);
        for b in [json!({}), json!([1]), json!({"code": 1})] {
            let (s, r) = body(app.put(&t, &type_path, b.clone()).await).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who} PUT {b}: {r}");
            let (s, r) = body(app.post(&t, "/api/v1/admin/license-types", b.clone()).await).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who} POST {b}: {r}");
            let (s, r) = body(app.post(&t, "/api/v1/admin/license-keys", b).await).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who} key: {r}");
        }
        for path in ["/api/v1/admin/licenses/import/preview", "/api/v1/admin/licenses/import"] {
            let form = reqwest::multipart::Form::new().text("confirm", "x");
            let r = reqwest::Client::new().post(app.url(path)).bearer_auth(&t).multipart(form).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who} {path}");
        }
        let w = signed(&t);
        let (_, html) = page(&w, &app, "/").await;
        let csrf = csrf_of(&html);
        for (path, fields) in [
            ("/admin/licenses/keys", vec![("_csrf", csrf.as_str()), ("department_id", "x")]),
            ("/admin/licenses/types", vec![("_csrf", csrf.as_str()), ("validity_years", "x")]),
        ] {
            let (s, _, _) = post_page(&w, &app, path, &fields).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who} {path}");
        }
    }
    let (s, r) = body(app.put(&admin, &type_path, json!({})).await).await;
    assert_eq!((s, r["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")), "the administrator: {r}");

    // 换发 by the counter: the new version's page.
    let (s, to, _) = post_page(
        &c,
        &app,
        &change,
        &[("_csrf", &csrf), ("action", "reissue"), ("reason", "遗失补办"), ("confirm", "yes")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let second = to.strip_prefix("/work/licenses/").unwrap().strip_suffix("?done=reissue").unwrap().to_string();
    assert!(second.contains(".002."), "{second}");
    let (_, html) = page(&c, &app, &to).await;
    assert!(html.contains("已换发：本页为新版本的证照。"), "{html}");
    // The old version's page and the case page lead to the new one.
    let (s, html) = page(&c, &app, &path).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains(&format!("<a href=\"/work/licenses/{second}\">查看新版本</a>")), "{html}");
    let (s, html) = page(&signed(&citizen), &app, &format!("/cases/{case_id}")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(between(&html, "id=\"case-license\"", "</section>").contains(&format!("/verify/{second}")), "{html}");
    // 变更 from the page: the template's fields prefilled, a reason, the tick.
    let (_, html) = page(&c, &app, &format!("/work/licenses/{second}")).await;
    assert!(html.contains("value=\"amend\"") && html.contains("name=\"field.经营场所\""), "{html}");
    let csrf = csrf_of(&html);
    let amend = format!("/work/licenses/{second}/change");
    let new_place = ("field.经营场所", "示例市新华路8号");
    let (s, _, html) =
        post_page(&c, &app, &amend, &[("_csrf", &csrf), ("action", "amend"), ("reason", "经营场所变更"), new_place])
            .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "without the tick");
    assert!(html.contains("请勾选确认后再提交") && html.contains("示例市新华路8号"), "kept: {html}");
    let (s, _, html) = post_page(
        &c,
        &app,
        &amend,
        &[("_csrf", &csrf), ("action", "amend"), ("reason", "经营场所变更"), ("confirm", "yes")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "nothing changed: {html}");
    assert!(html.contains("请至少修改一项"), "{html}");
    let (s, to, _) = post_page(
        &c,
        &app,
        &amend,
        &[("_csrf", &csrf), ("action", "amend"), ("reason", "经营场所变更"), new_place, ("confirm", "yes")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let amended = to.strip_prefix("/work/licenses/").unwrap().strip_suffix("?done=amend").unwrap().to_string();
    assert!(amended.contains(".003."), "{amended}");
    let (_, html) = page(&c, &app, &to).await;
    assert!(html.contains("已变更：本页为新版本的证照。") && html.contains("value=\"示例市新华路8号\""), "{html}");
    let (_, v) = anon_get(&app, &format!("/api/v1/licenses/{second}/verification")).await;
    assert_eq!((v["status"].as_str(), v["successor"].as_str()), (Some("superseded"), Some(amended.as_str())));
    let (_, v) = anon_get(&app, &format!("/api/v1/licenses/{amended}/verification")).await;
    assert_eq!((v["status"].as_str(), v["signature_valid"].as_bool()), (Some("valid"), Some(true)), "{v}");
    let second = amended;
    // 吊销 by the head, with the decision number.
    let h = signed(&head);
    let (_, html) = page(&h, &app, &format!("/work/licenses/{second}")).await;
    assert!(html.contains("value=\"revoke\""), "the head is offered 吊销");
    let csrf = csrf_of(&html);
    let (s, to, _) = post_page(
        &h,
        &app,
        &format!("/work/licenses/{second}/change"),
        &[("_csrf", &csrf), ("action", "revoke"), ("decision_no", "示市监罚〔2025〕1号"), ("confirm", "yes")],
    )
    .await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, format!("/work/licenses/{second}?done=revoke").as_str()));
    let (_, v) = anon_get(&app, &format!("/api/v1/licenses/{second}/verification")).await;
    assert_eq!(v["status"], "revoked");
    let (_, html) = page(&h, &app, &format!("/work/licenses/{second}")).await;
    assert!(html.contains("示市监罚〔2025〕1号") && !html.contains("value=\"revoke\""), "history; no more changes");
    let (_, list) = body(app.get(&head, "/api/v1/licenses?status=revoked").await).await;
    assert_eq!(list["rows"][0]["identifier"], second.as_str());
    // Audited, with who.
    let (_, audit) = body(app.get(&admin, "/api/v1/audit?action=license_revoked").await).await;
    assert!(audit.to_string().contains("示市监罚〔2025〕1号"), "{audit}");
    // The list page fits a phone: a table that reads as cards.
    let (s, html) = page(&c, &app, "/work/licenses?status=superseded").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<table class=\"stack\">") && html.contains(&identifier), "{html}");
    let (s, html) = page(&c, &app, "/work/licenses?from=2025-99-01").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("role=\"alert\""), "{html}");
    // A status that is none names the field, on the page and in the API.
    let (s, html) = page(&c, &app, "/work/licenses?status=zzz").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("状态填写不正确"), "{html}");
    for (q, label) in [("type_id=x", "证照类型填写不正确"), ("from=2025-99-01", "开始日期")] {
        let (_, html) = page(&c, &app, &format!("/work/licenses?{q}")).await;
        assert!(html.contains(label), "{q}: {html}");
    }
    let (s, b) = body(app.get(&counter, "/api/v1/licenses?status=zzz").await).await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_field"), Some("status")),
        "{b}"
    );
    assert!(b["message"].as_str().unwrap().starts_with("状态"), "{b}");
    let (s, _) = page(&signed(&citizen), &app, "/work/licenses").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_invariants(&app).await;
});

/// `s` percent-encoded for a query.
fn urlencoding(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

both_backends!(the_case_page_shows_the_licence_or_why_it_waits, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let (market, item) = market_item(&app, "TESTLICSTAFF00000000000000000002").await;
    let [admin, citizen, counter, reviewer, head, land] = app
        .ready_tokens(["demo_admin", "demo_citizen", "demo_counter", "demo_reviewer", "demo_head", "demo_land"])
        .await;
    // A type for legal persons only: the citizen's grant waits.
    let code = format!("{}002", zwfw_app::demo::credit_code_for("100000", 905));
    let t = json!({"code": code, "name": "食品经营许可证", "define_authority": "国家市场监督管理总局",
        "define_authority_level": "国家级", "holder_kind": "legal", "validity_years": 5,
        "template": "经营场所", "item_ids": [item]});
    let (s, ty) = body(app.post(&admin, "/api/v1/admin/license-types", t.clone()).await).await;
    assert_eq!(s, StatusCode::CREATED, "{ty}");
    let (s, _) = body(app.post(&admin, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
    assert_eq!(s, StatusCode::CREATED);
    let id = apply(&app, &citizen, item).await;
    grant(&app, [&counter, &reviewer, &head], id, "JY2025000001", "2030-12-31").await;
    let (_, cl) = body(app.get(&citizen, &format!("/api/v1/cases/{id}/license")).await).await;
    assert_eq!(cl["job"]["reason"], "holder_kind_mismatch", "{cl}");
    assert!(cl["waiting"].as_str().unwrap().starts_with("持证主体类型与证照类型不符"), "{cl}");
    assert!(cl["todo"].as_str().unwrap().contains("核对证照类型的持证主体类别"), "{cl}");
    for who in [&citizen, &counter] {
        let (s, html) = page(&signed(who), &app, &format!("/cases/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        let section = between(&html, "id=\"case-license\"", "</section>");
        assert!(section.contains("证照尚未签发") && section.contains("持证主体类型与证照类型不符"), "{section}");
        assert!(section.contains("请系统管理员核对证照类型的持证主体类别"), "what to do: {section}");
    }

    // The administrator corrects the type on its edit page; the job issues it.
    let type_id = ty["id"].as_i64().unwrap();
    let edit = format!("/admin/licenses/types/{type_id}");
    for who in [&counter, &head, &citizen] {
        let (s, _) = page(&signed(who), &app, &edit).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "only the system administrators");
    }
    let a = signed(&admin);
    let (s, html) = page(&a, &app, &edit).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains(&format!("value=\"{code}\"")) && html.contains("经营场所"), "the type's values");
    // A search that leaves the linked item out keeps its link on saving.
    let (s, found) = page(&a, &app, &format!("{edit}?q=没有这样的事项")).await;
    assert_eq!(s, StatusCode::OK, "{found}");
    assert!(!found.contains(&format!("type=\"checkbox\" name=\"item_ids\" value=\"{item}\"")), "filtered out");
    assert!(found.contains(&format!("type=\"hidden\" name=\"item_ids\" value=\"{item}\"")), "kept: {found}");
    let csrf = csrf_of(&html);
    let item_s = item.to_string();
    let market_s = market.to_string();
    let mut fields = vec![
        ("_csrf", csrf.as_str()),
        ("name", "食品经营许可证"),
        ("code", code.as_str()),
        ("define_authority", "国家市场监督管理总局"),
        ("define_authority_level", "国家级"),
        ("holder_kind", "person"),
        ("validity_years", "abc"),
        ("template", "经营场所\n主体业态"),
        ("item_ids", item_s.as_str()),
        ("issuer_department_ids", market_s.as_str()),
        ("active", "yes"),
    ];
    // A bad value: said, nothing changed.
    let (s, _, html) = post_page(&a, &app, &edit, &fields).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("role=\"alert\"") && html.contains("value=\"abc\""), "the form kept: {html}");
    let (_, types) = body(app.get(&admin, "/api/v1/admin/license-types").await).await;
    assert_eq!(types.as_array().unwrap().iter().find(|t| t["id"] == type_id).unwrap()["holder_kind"], "legal");
    // Another staff member posting the form: refused, nothing changed.
    let (_, ch) = page(&signed(&counter), &app, "/work/licenses").await;
    let ccsrf = csrf_of(&ch);
    let mut theirs = fields.clone();
    theirs[0] = ("_csrf", ccsrf.as_str());
    theirs[6] = ("validity_years", "3");
    let (s, _, _) = post_page(&signed(&counter), &app, &edit, &theirs).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    fields[6] = ("validity_years", "3");
    let (s, to, _) = post_page(&a, &app, &edit, &fields).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/admin/licenses?done=type_updated"));
    let (_, types) = body(app.get(&admin, "/api/v1/admin/license-types").await).await;
    let t = types.as_array().unwrap().iter().find(|t| t["id"] == type_id).unwrap().clone();
    assert_eq!(
        (
            t["holder_kind"].clone(),
            t["validity_years"].clone(),
            t["template"].clone(),
            t["issuer_department_ids"].clone()
        ),
        (json!("person"), json!(3), json!(["经营场所", "主体业态"]), json!([market])),
        "{t}"
    );
    let (_, audit) = body(app.get(&admin, "/api/v1/audit?action=license_type_updated").await).await;
    assert!(audit.to_string().contains("license_type_updated"), "{audit}");
    zwfw_app::licenses::issue::run_pending(&app.state).await.unwrap();

    // Issued: the case page shows its number, status and links.
    let (_, cl) = body(app.get(&citizen, &format!("/api/v1/cases/{id}/license")).await).await;
    assert_eq!((cl["job"]["state"].as_str(), cl["waiting"].as_str()), (Some("issued"), Some("")), "{cl}");
    let identifier = cl["licenses"][0]["identifier"].as_str().unwrap().to_string();
    assert_eq!(cl["licenses"][0]["number"], "JY2025000001");
    let (_, html) = page(&signed(&citizen), &app, &format!("/cases/{id}")).await;
    let section = between(&html, "id=\"case-license\"", "</section>");
    for want in ["JY2025000001", "有效", &format!("/licenses/{identifier}/file"), &format!("/verify/{identifier}")] {
        assert!(section.contains(want), "{want}: {section}");
    }
    assert!(!section.contains("/work/licenses/"), "the citizen has no staff page");
    let (_, html) = page(&signed(&counter), &app, &format!("/cases/{id}")).await;
    assert!(between(&html, "id=\"case-license\"", "</section>").contains(&format!("/work/licenses/{identifier}")));
    // Another department's staff do not read the case at all.
    let (s, _) = body(app.get(&land, &format!("/api/v1/cases/{id}/license")).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_invariants(&app).await;
});

both_backends!(verification_form_errors_and_anonymous_throttle, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let (market, item) = market_item(&app, "TESTLICSTAFF00000000000000000003").await;
    let [admin, citizen, counter, reviewer, head] =
        app.ready_tokens(["demo_admin", "demo_citizen", "demo_counter", "demo_reviewer", "demo_head"]).await;
    let (_, identifier) =
        licensed(&app, [&admin, &citizen, &counter, &reviewer, &head], item, market, "2030-12-31").await;
    let c = client();

    // The form, and an identifier typed in it.
    let (s, html) = page(&c, &app, "/verify").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<form method=\"get\" action=\"/verify\"") && html.contains("name=\"id\""), "{html}");
    assert!(html.contains("<a href=\"/verify\">证照核验</a>"), "in the public navigation");
    let r = c.get(app.url(&format!("/verify?id=%20{identifier}%20"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("/verify/{identifier}").as_str());
    // A wrong check character, an unknown licence: the form again, with why, the identifier kept.
    let last = identifier.chars().last().unwrap();
    let mistyped = format!("{}{}", &identifier[..identifier.len() - 1], if last == 'A' { 'B' } else { 'A' });
    let unknown = identifier.replace(".001.", ".009.");
    let unknown = zwfw_domain::licenses::LicenseId::parse_as_written(&unknown).unwrap().0;
    let unknown = zwfw_domain::licenses::LicenseId::new(
        unknown.type_code().clone(),
        unknown.issuer().clone(),
        unknown.serial(),
        9,
    )
    .unwrap()
    .to_string();
    for (id, status, why) in [
        (mistyped.as_str(), StatusCode::UNPROCESSABLE_ENTITY, "校验位"),
        (unknown.as_str(), StatusCode::NOT_FOUND, "电子证照不存在"),
        ("1.2.3", StatusCode::UNPROCESSABLE_ENTITY, "1.2.156.3005.2"),
    ] {
        let (s, html) = page(&c, &app, &format!("/verify/{id}")).await;
        assert_eq!(s, status, "{id}: {html}");
        assert!(
            html.contains("action=\"/verify\"") && html.contains(&format!("value=\"{id}\"")),
            "the form, kept: {html}"
        );
        assert!(between(&html, "role=\"alert\">", "</p>").contains(why), "{id}: {html}");
    }

    // A visitor's checks are throttled per address: the 61st in 15 minutes
    // is refused, with nothing written to the 用证 log; a signed-in holder
    // is not limited; the window passes.
    let before = uses_of(&app, &citizen, &identifier).await;
    // 3 refused page checks above (no rows) count, as does every check.
    let allowed = zwfw_app::licenses::verify::ANONYMOUS_CHECKS as usize - 3;
    for n in 0..allowed {
        let path = if n % 2 == 0 {
            format!("/api/v1/licenses/{identifier}/verification")
        } else {
            format!("/verify/{identifier}")
        };
        let r = c.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "check {n}");
    }
    assert_eq!(uses_of(&app, &citizen, &identifier).await, before + allowed);
    let (s, b) = anon_get(&app, &format!("/api/v1/licenses/{identifier}/verification")).await;
    assert_eq!(said(s, &b), (StatusCode::TOO_MANY_REQUESTS, "license_verify_limited".into()), "{b}");
    assert!(b["message"].as_str().unwrap().contains("15分钟"), "{b}");
    let (s, html) = page(&c, &app, &format!("/verify/{identifier}")).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("核验过于频繁") && html.contains("action=\"/verify\""), "{html}");
    let (s, b) = anon_post(&app, "127.0.0.1", "/api/v1/licenses/qr-check", json!({"payload": "x"})).await;
    assert_eq!(said(s, &b), (StatusCode::TOO_MANY_REQUESTS, "license_verify_limited".into()), "{b}");
    assert_eq!(uses_of(&app, &citizen, &identifier).await, before + allowed, "no row for a throttled check");
    let (s, _) = body(app.get(&counter, &format!("/api/v1/licenses/{identifier}/verification")).await).await;
    assert_eq!(s, StatusCode::OK, "signed in: named in the log, not limited");
    app.advance(15 * 60_000 + 1);
    let (s, _) = anon_get(&app, &format!("/api/v1/licenses/{identifier}/verification")).await;
    assert_eq!(s, StatusCode::OK, "a new window");

    // Two app servers on one database count the same checks: half of them
    // here, half on the other, and the next on either is refused.
    let other = another_process(&app).await;
    let there = zwfw_app::Ctx { state: &other, actor: None, client_addr: "10.9.8.7".into() };
    let half = zwfw_app::licenses::verify::ANONYMOUS_CHECKS / 2;
    for n in 0..half {
        let (s, b) = anon_post(&app, "10.9.8.7", "/api/v1/licenses/qr-check", json!({"payload": "x"})).await;
        assert_eq!(s, StatusCode::OK, "here {n}: {b}");
        zwfw_app::licenses::qr::check(&there, "x").await.unwrap_or_else(|e| panic!("there {n}: {}", e.code()));
    }
    let e = zwfw_app::licenses::qr::check(&there, "x").await.err().map(|e| e.code().to_string());
    assert_eq!(e.as_deref(), Some("license_verify_limited"), "the other server knows of this one's checks");
    let (s, b) = anon_post(&app, "10.9.8.7", "/api/v1/licenses/qr-check", json!({"payload": "x"})).await;
    assert_eq!(said(s, &b), (StatusCode::TOO_MANY_REQUESTS, "license_verify_limited".into()), "{b}");
    let (s, _) = anon_post(&app, "10.9.8.8", "/api/v1/licenses/qr-check", json!({"payload": "x"})).await;
    assert_eq!(s, StatusCode::OK, "another address has its own count");
    // The windows that ended are pruned as a new one starts.
    app.advance(15 * 60_000 + 1);
    let (s, _) = anon_post(&app, "10.9.8.7", "/api/v1/licenses/qr-check", json!({"payload": "x"})).await;
    assert_eq!(s, StatusCode::OK, "a new window, on both");
    zwfw_app::licenses::qr::check(&there, "x").await.unwrap();
    // (an UPDATE that changes nothing answers how many rows there are)
    let sql = "UPDATE license_check_counts SET checks = checks";
    let rows = zwfw_store::testing::execute_outside(&app.state.store, sql).await.unwrap();
    assert_eq!(rows, 1, "only the current window is kept");
});

both_backends!(an_imported_licence_gets_its_file_and_qr_code, |store: Store| async move {
    use zwfw_domain::ids::CreditCode;
    use zwfw_domain::licenses::{LicenseId, LicenseTypeCode};
    let app = App::start(store).await;
    let [admin, counter, company, land] =
        app.ready_tokens(["demo_admin", "demo_counter", "demo_company", "demo_land"]).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let issuer = zwfw_store::admin::get_department(&app.state.store, market).await.unwrap().credit_code;
    let types = zwfw_store::licenses::list_types(app.state.store.pool()).await.unwrap();
    let food = types.iter().find(|t| t.name == "食品经营许可证").expect("the demo's type");
    let company_code = zwfw_store::admin::get_user(&app.state.store, app.user_id("demo_company").await)
        .await
        .unwrap()
        .credit_code
        .unwrap();
    let identifier = LicenseId::new(
        LicenseTypeCode::parse(&food.code).unwrap(),
        CreditCode::parse(&issuer).unwrap(),
        "IMPQR000000000000001",
        1,
    )
    .unwrap()
    .to_string();
    let (s, _) = body(app.post(&admin, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
    assert_eq!(s, StatusCode::CREATED);
    let record = json!({"certificate_source_id": identifier, "certificate_name": "食品经营许可证",
        "certificate_number": "JY15299020000099", "certificate_type": "食品经营许可证",
        "certificate_type_code": food.code, "issue_dept": "示例市市场监督管理局", "issue_dept_code": issuer,
        "issue_date": "20230115", "certificate_holder": "示例市明达餐饮有限公司",
        "certificate_holder_code": company_code, "certificate_holder_type": "001", "certificate_area_code": "529902",
        "valid_until": "20280114"});
    let file = serde_json::to_vec(&json!({ "up_lic_data": [record] })).unwrap();
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(file).file_name("old.json"));
    let (s, b) = body(
        client()
            .post(app.url("/api/v1/admin/licenses/import"))
            .bearer_auth(&admin)
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let stored =
        || async { zwfw_store::licenses::by_identifier(app.state.store.pool(), &identifier).await.unwrap().unwrap() };
    let before = stored().await;
    assert_eq!((before.file_sm3.as_str(), before.qr_payload.as_str()), ("", ""), "none at import");

    // Another department's staff: not found, and nothing made.
    let (s, _) = body(app.get(&land, &format!("/api/v1/licenses/{identifier}/file")).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(stored().await.file_sm3, "");
    // The issuing department downloads it: a PDF, made once, recorded and audited.
    let r = app.get(&counter, &format!("/api/v1/licenses/{identifier}/file")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let after = stored().await;
    assert_eq!(after.file_sm3, zwfw_domain::audit::sm3_hex(&pdf), "the file recorded");
    assert!(!after.qr_payload.is_empty());
    assert_eq!(
        (after.signed_data, after.signature),
        (before.signed_data, before.signature),
        "the import's signature unchanged"
    );
    let again = app.get(&counter, &format!("/api/v1/licenses/{identifier}/file")).await.bytes().await.unwrap();
    assert_eq!(again, pdf, "made once");
    let (_, audit) = body(app.get(&admin, "/api/v1/audit?action=license_file_made").await).await;
    assert_eq!(audit.as_array().map(Vec::len), Some(1), "{audit}");
    // The holder's 证照夹 shows its QR code, whose signature holds.
    let (_, mine) = body(app.get(&company, "/api/v1/me/licenses").await).await;
    let held = mine.as_array().unwrap().iter().find(|l| l["identifier"] == identifier.as_str()).unwrap().clone();
    let qr_text = held["qr_text"].as_str().unwrap();
    assert!(qr_text.contains("?qr="), "{held}");
    let (s, check) = body(app.post(&company, "/api/v1/licenses/qr-check", json!({"payload": qr_text})).await).await;
    assert_eq!(
        (s, check["valid"].as_bool(), check["status"].as_str()),
        (StatusCode::OK, Some(true), Some("valid")),
        "{check}"
    );
    let (s, v) = anon_get(&app, &format!("/api/v1/licenses/{identifier}/verification")).await;
    assert_eq!(
        (s, v["origin"].as_str(), v["signature_valid"].as_bool()),
        (StatusCode::OK, Some("imported"), Some(true)),
        "{v}"
    );
    // Its page for the department: imported, no 换发 (no case), 注销 open.
    let (_, d) = body(app.get(&counter, &format!("/api/v1/licenses/{identifier}")).await).await;
    assert_eq!((d["origin"].as_str(), d["actions"].clone()), (Some("imported"), json!(["cancel"])), "{d}");
    assert_eq!(d["number"], "JY15299020000099");
    assert_invariants(&app).await;
});
