//! 审管交互 end to end, on SQLite and PostgreSQL: an item naming two
//! regulators; a grant pushes one record to each in the conclusion's
//! transaction, with the decision, the opinions, the materials and (once
//! issued) the licence, and tells the regulators' staff (in-app; SMS to the
//! heads); a denial is pushed too; the licence's revocation is pushed to the
//! same regulators; claims by the wrong people, a second claim and an
//! overlong note are refused and change nothing; an unclaimed record is
//! warned of on its last day (W03) and a yellow card once past it (Y03).

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_domain::catalog::example;
use zwfw_store::{both_backends, Store};

pub(crate) async fn count(app: &App, sql: &str) -> i64 {
    let row = zwfw_store::db::query(sql).fetch_one(app.state.store.pool()).await.unwrap();
    match row.value("n") {
        Some(zwfw_store::db::Value::Int(n)) => *n,
        other => panic!("{other:?}"),
    }
}

/// The accounts the 审管 tests act as: the administrator, the applicant, the
/// market bureau's counter, reviewer and head, the land bureau's officer,
/// the county's head and a supervision officer.
pub(crate) async fn accounts(app: &App) -> [String; 8] {
    app.ready_tokens([
        "demo_admin",
        "demo_citizen",
        "demo_counter",
        "demo_reviewer",
        "demo_head",
        "demo_land",
        "demo_county",
        "demo_supervisor",
    ])
    .await
}

/// The market bureau's example item naming `regulators`, published under
/// `code`, with its licence type (`serial` makes the type's code unique) and
/// the bureau's signing key, so that a grant issues a licence.
pub(crate) async fn licensed_item(app: &App, admin: &str, regulators: Vec<i64>, code: &str, serial: u32) -> i64 {
    let market = app.department_id("示例市市场监督管理局").await;
    let mut content = example(market);
    content.regulator_department_ids = regulators;
    let item = publish(app, &content, code).await;
    let type_code = format!("{}001", zwfw_app::demo::credit_code_for("100000", serial));
    let t = json!({"code": type_code, "name": "食品经营许可证", "define_authority": "国家市场监督管理总局",
        "define_authority_level": "国家级", "holder_kind": "person", "validity_years": 5,
        "template": "经营者名称", "item_ids": [item]});
    let (s, b) = body(app.post(admin, "/api/v1/admin/license-types", t).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = body(app.post(admin, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    item
}

/// A case taken through its steps up to the head's decision.
pub(crate) async fn up_to_decision(app: &App, tokens: &[String; 4], item: i64) -> i64 {
    let id = apply(app, &tokens[0], item).await;
    pass_steps(app, tokens, id).await;
    id
}

/// A submitted case `id` accepted and its steps passed by the counter, the
/// reviewer and the head (`tokens[1..]`), up to the head's decision.
pub(crate) async fn pass_steps(app: &App, tokens: &[String; 4], id: i64) {
    let [_, counter, reviewer, head] = tokens;
    for (who, a) in [
        (counter, json!({"action": "accept"})),
        (counter, json!({"action": "pass", "opinion": "材料齐全"})),
        (reviewer, json!({"action": "pass", "opinion": "审查通过"})),
        (head, json!({"action": "pass", "opinion": "同意"})),
    ] {
        act_ok(app, who, id, a).await;
    }
}

/// A case taken through its steps and concluded with `conclusion`.
pub(crate) async fn conclude(app: &App, tokens: &[String; 4], item: i64, conclusion: Value) -> i64 {
    let id = up_to_decision(app, tokens, item).await;
    act_ok(app, &tokens[3], id, conclusion).await;
    id
}

pub(crate) async fn inbox(app: &App, token: &str, query: &str) -> Value {
    let (s, b) = body(app.get(token, &format!("/api/v1/handover{query}")).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

/// The findings of `rule` about pushed records.
async fn findings(app: &App, supervisor: &str, rule: &str) -> Vec<Value> {
    let (s, f) = body(app.get(supervisor, &format!("/api/v1/supervision/findings?rule={rule}&state=all")).await).await;
    assert_eq!(s, StatusCode::OK, "{f}");
    f["rows"].as_array().unwrap().iter().filter(|x| x["object_kind"] == "handover").cloned().collect()
}

both_backends!(handover_push_claim_and_unclaimed_rule, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let land = app.department_id("示例市自然资源局").await;
    let county = app.department_id("东城区人民政府办公室").await;
    let [admin, citizen, counter, reviewer, head, land_staff, county_head, supervisor] = accounts(&app).await;
    let item = licensed_item(&app, &admin, vec![land, county], "TESTHANDOVER0000000000000000001", 903).await;
    let tokens = [citizen.clone(), counter.clone(), reviewer.clone(), head.clone()];

    // Nothing before the conclusion.
    assert_eq!(inbox(&app, &land_staff, "").await["total"], 0);
    let granted = conclude(
        &app,
        &tokens,
        item,
        json!({"action": "conclude", "outcome": "granted", "document_no": "JY0000000000001", "valid_until": "2030-12-31"}),
    )
    .await;

    // One record per regulator, pushed with the conclusion.
    let b = inbox(&app, &land_staff, "").await;
    assert_eq!(b["total"], 1, "{b}");
    let r = &b["rows"][0];
    assert_eq!(
        (r["kind"].as_str(), r["decision"].as_str(), r["decision_label"].as_str(), r["decision_no"].as_str()),
        (Some("conclusion"), Some("granted"), Some("准予许可"), Some("JY0000000000001")),
        "{r}"
    );
    assert_eq!((r["case_id"].as_i64(), r["regulator_department_id"].as_i64()), (Some(granted), Some(land)), "{r}");
    assert_eq!(r["source_department"], "示例市市场监督管理局");
    // Pushed on Friday 2025-09-26: two working days, the make-up Sunday counted.
    assert_eq!(
        (r["claim_due"].as_str(), r["claimed"].as_bool(), r["may_claim"].as_bool()),
        (Some("2025-09-29"), Some(false), Some(true)),
        "{r}"
    );
    let opinions: Vec<&str> = r["opinions"].as_array().unwrap().iter().map(|o| o["text"].as_str().unwrap()).collect();
    assert_eq!(opinions, ["材料齐全", "审查通过", "同意"], "{r}");
    assert_eq!(r["materials"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["materials"][0]["file_name"], "申请书.pdf", "{r}");
    // The licence issued after the commit joins the record.
    let license = r["license"].as_str().expect("the licence joined the record").to_string();
    assert!(license.starts_with("1.2.156.3005.2."), "{license}");
    // A person's name and number are masked.
    assert!(r["holder_name"].as_str().unwrap().ends_with('*'), "{r}");
    assert!(r["holder_code"].as_str().unwrap().contains("****"), "{r}");
    let land_record = r["id"].as_i64().unwrap();
    let county_rows = inbox(&app, &county_head, "").await;
    assert_eq!(county_rows["total"], 1, "{county_rows}");
    let county_record = county_rows["rows"][0]["id"].as_i64().unwrap();

    // The regulators' named handlers (their heads) are told, in-app and by
    // SMS; the other staff who may claim find the record on their workbench.
    let (_, n) = body(app.get(&county_head, "/api/v1/me/notifications").await).await;
    let titles: Vec<&str> = n["messages"].as_array().unwrap().iter().map(|m| m["title"].as_str().unwrap()).collect();
    assert!(titles.iter().any(|t| t.starts_with("审管推送待认领")), "{n}");
    let (_, n) = body(app.get(&land_staff, "/api/v1/me/notifications").await).await;
    let titles: Vec<&str> = n["messages"].as_array().unwrap().iter().map(|m| m["title"].as_str().unwrap()).collect();
    assert!(!titles.iter().any(|t| t.starts_with("审管推送待认领")), "not a named handler: {n}");
    let waiting = |who: &'static str| {
        let app = &app;
        async move {
            let actor = actor_of(app, who).await;
            let ctx = zwfw_app::Ctx { state: &app.state, actor: Some(&actor), client_addr: "test".into() };
            zwfw_app::cases::staff_workbench(&ctx).await.unwrap().handover
        }
    };
    assert_eq!(waiting("demo_land").await, Some(1), "the land bureau's record waits on its workbench");
    assert_eq!(waiting("demo_counter").await, Some(0), "nothing was pushed to the approving department");
    assert_eq!(waiting("demo_supervisor").await, None, "supervision claims nothing");
    let county_user = app.user_id("demo_county").await;
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) AS n FROM notifications WHERE channel = 'sms' AND user_id = {county_user} AND title LIKE '审管推送待认领%'")).await,
        1
    );
    let land_user = app.user_id("demo_land").await;
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) AS n FROM notifications WHERE channel = 'sms' AND user_id = {land_user}")
        )
        .await,
        0,
        "not a head: in-app only"
    );

    // The approving department sees what it pushed, and reads the record but claims nothing.
    let pushed = inbox(&app, &head, "?side=pushed&state=all").await;
    assert_eq!(pushed["total"], 2, "{pushed}");
    let claim = format!("/api/v1/handover/{land_record}/claim");
    let (s, code) = code_of(app.post(&head, &claim, json!({"note": "x"})).await).await;
    assert_eq!((s, code.as_str()), (StatusCode::FORBIDDEN, "not_in_department"));
    let (s, b) = body(app.post(&head, &claim, json!({})).await).await;
    assert!(b["message"].as_str().unwrap().contains("监管部门"), "{s} {b}");
    // Supervision reads it and claims nothing.
    let (s, code) = code_of(app.post(&supervisor, &claim, json!({})).await).await;
    assert_eq!((s, code.as_str()), (StatusCode::FORBIDDEN, "supervision_reads_only"));
    // Another regulator does not learn the record exists.
    let (s, code) = code_of(app.post(&county_head, &claim, json!({})).await).await;
    assert_eq!((s, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let (s, _) = code_of(app.get(&county_head, &format!("/api/v1/handover/{land_record}")).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, code) = code_of(app.post(&citizen, &claim, json!({})).await).await;
    assert_eq!((s, code.as_str()), (StatusCode::FORBIDDEN, "staff_only"));
    let (s, code) = code_of(app.post(&land_staff, &claim, json!({"note": "长".repeat(501)})).await).await;
    assert_eq!((s, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "note_too_long"));
    let claims = "SELECT COUNT(*) AS n FROM handovers WHERE claimed_at IS NOT NULL";
    assert_eq!(count(&app, claims).await, 0, "nothing written by a refused claim");

    // The regulator claims it, once.
    let (s, b) = body(app.post(&land_staff, &claim, json!({"note": "已接收，纳入日常监管"})).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        (b["claimed"].as_bool(), b["claimed_name"].as_str(), b["claim_note"].as_str()),
        (Some(true), Some("冯雪"), Some("已接收，纳入日常监管")),
        "{b}"
    );
    let (s, b) = body(app.post(&land_staff, &claim, json!({"note": "again"})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("handover_already_claimed")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("冯雪"), "{b}");
    assert_eq!(count(&app, claims).await, 1);
    // Claimed records, per regulator, with their licensee.
    let b = inbox(&app, &land_staff, "?state=claimed").await;
    assert_eq!((b["total"].as_i64(), b["rows"][0]["id"].as_i64()), (Some(1), Some(land_record)), "{b}");
    assert_eq!(inbox(&app, &land_staff, "").await["total"], 0, "nothing left to claim");
    let all = inbox(&app, &supervisor, &format!("?state=all&department_id={county}")).await;
    assert_eq!((all["total"].as_i64(), all["all_departments"].as_bool()), (Some(1), Some(true)), "{all}");
    let (s, code) = code_of(app.get(&land_staff, "/api/v1/handover?state=moon").await).await;
    assert_eq!((s, code.as_str()), (StatusCode::BAD_REQUEST, "bad_filter"));

    // A denial is pushed too; the licence's revocation goes to the same regulators.
    conclude(&app, &tokens, item, json!({"action": "conclude", "outcome": "denied", "opinion": "经营场所不符合要求"}))
        .await;
    let b = inbox(&app, &land_staff, "").await;
    assert_eq!((b["total"].as_i64(), b["rows"][0]["decision"].as_str()), (Some(1), Some("denied")), "{b}");
    assert_eq!(b["rows"][0]["reason"], "经营场所不符合要求");
    let (s, b) = body(
        app.post(
            &head,
            &format!("/api/v1/licenses/{license}/changes"),
            json!({"action": "revoke", "decision_no": "示市监罚〔2025〕1号"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let b = inbox(&app, &land_staff, "").await;
    assert_eq!(b["total"], 2, "{b}");
    // Unclaimed records by their last day to claim, the older first on the same day.
    assert_eq!(
        (b["rows"][0]["kind"].as_str(), b["rows"][0]["claim_due"] == b["rows"][1]["claim_due"]),
        (Some("conclusion"), true),
        "{b}"
    );
    let r = &b["rows"][1];
    assert_eq!(
        (r["kind"].as_str(), r["decision"].as_str(), r["decision_no"].as_str(), r["license"].as_str()),
        (Some("license_change"), Some("revoked"), Some("示市监罚〔2025〕1号"), Some(license.as_str())),
        "{r}"
    );
    assert_eq!(inbox(&app, &county_head, "").await["total"], 3, "the county's too");

    // The county's first record stays unclaimed: on its last day a warning,
    // past it a yellow card, both to the regulator.
    day(&app, "2025-09-29").await;
    let supervisor = app.signed_in("demo_supervisor").await;
    let w = findings(&app, &supervisor, "W03").await;
    assert!(w.iter().any(|f| f["object_id"].as_i64() == Some(county_record)), "{w:?}");
    let of = |list: &[Value], id: i64| list.iter().filter(|f| f["object_id"].as_i64() == Some(id)).count();
    assert_eq!(of(&w, land_record), 0, "claimed in time: no warning");
    let w_county = w.iter().find(|f| f["object_id"].as_i64() == Some(county_record)).unwrap();
    assert_eq!(w_county["department_id"].as_i64(), Some(county), "to the regulator: {w_county}");
    assert!(findings(&app, &supervisor, "Y03").await.is_empty());
    day(&app, "2025-09-30").await;
    let supervisor = app.signed_in("demo_supervisor").await;
    let (county_head, land_staff) = (app.signed_in("demo_county").await, app.signed_in("demo_land").await);
    let y = findings(&app, &supervisor, "Y03").await;
    // Every record unclaimed past its day: the county's three and the land bureau's two later ones.
    let by = |d: i64| y.iter().filter(|f| f["department_id"].as_i64() == Some(d)).count();
    assert_eq!((by(county), by(land), y.len()), (3, 2, 5), "{y:?}");
    assert_eq!(of(&y, land_record), 0, "claimed in time");
    let d = y.iter().find(|f| f["object_id"].as_i64() == Some(county_record)).unwrap();
    assert!(d["description"].as_str().unwrap().contains("已逾期未认领"), "{d}");
    // Claimed late, it stays claimed and the finding remains for the record.
    let (s, b) =
        body(app.post(&county_head, &format!("/api/v1/handover/{county_record}/claim"), json!({})).await).await;
    assert_eq!((s, b["claimed"].as_bool()), (StatusCode::OK, Some(true)), "{b}");

    // The pages: the inbox and the record with its claim form, as the regulator; another department's staff are told it is not there.
    let c = signed(&land_staff);
    let (s, html) = page(&c, &app, "/handover?state=all").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("审管推送") && html.contains(&format!("/handover/{land_record}")), "{html}");
    let (s, html) = page(&c, &app, &format!("/handover/{land_record}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("已接收，纳入日常监管") && !html.contains("name=\"note\""), "claimed: no form");
    let (s, _) = page(&signed(&county_head), &app, &format!("/handover/{land_record}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let _ = admin;
    assert_invariants(&app).await;
});

/// A grant's push reads through the grant's own transaction only: with every
/// other connection of the PostgreSQL pool held by an open transaction (as
/// steps waiting for the rows a grant has locked hold them under load), the
/// grant completes and pushes its record. Reading through a second
/// connection, it waited for the pool and failed (数据库暂时不可用).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handover_push_takes_no_second_connection() {
    let Some(db) = zwfw_store::testing::postgres("handover_push_takes_no_second_connection").await else {
        return;
    };
    let store = db.store().await.expect("postgres store");
    let app = App::start_at(store.clone(), FRIDAY).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let land = app.department_id("示例市自然资源局").await;
    let mut content = example(market);
    content.regulator_department_ids = vec![land];
    let item = publish(&app, &content, "TESTHANDOVER0000000000000000002").await;
    let [citizen, counter, reviewer, head, land_staff] =
        app.ready_tokens(["demo_citizen", "demo_counter", "demo_reviewer", "demo_head", "demo_land"]).await;
    let tokens = [citizen, counter, reviewer, head];
    let id = up_to_decision(&app, &tokens, item).await;
    let mut held = vec![];
    for _ in 1..zwfw_store::PG_CONNECTIONS {
        let mut tx = store.begin().await.unwrap();
        zwfw_store::db::query("SELECT 1 AS n").fetch_one(tx.conn()).await.unwrap();
        held.push(tx);
    }
    act_ok(&app, &tokens[3], id, json!({"action": "conclude", "outcome": "denied", "opinion": "经营场所不符合要求"}))
        .await;
    drop(held);
    let b = inbox(&app, &land_staff, "").await;
    assert_eq!((b["total"].as_i64(), b["rows"][0]["case_id"].as_i64()), (Some(1), Some(id)), "{b}");
    assert_invariants(&app).await;
    store.close().await;
    db.cleanup().await;
}
