//! User-right changes on record (权限变更申请) end to end, on SQLite and
//! PostgreSQL: the department administrator asks for a counter clerk to
//! become a reviewer too, the head approves (supervision is told), the
//! administrator applies it (each change audited with the request's number,
//! the clerk's sessions ended, supervision told). The wrong people and bad
//! input are refused with a reason at each step and nothing changes: a
//! direct role change by the department administrator, a staff member of
//! another department named, approval by the asker or by a head of another
//! department, application before approval, by the supervision office or
//! by another department's administrator, of a declined request, or of a
//! request that no longer fits. The system administrator's emergency change
//! needs the emergency mark and a reason, and is flagged to supervision.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

async fn ask(app: &App, token: &str, reason: &str, rows: Value) -> (StatusCode, Value) {
    body(app.post(token, "/api/v1/governance/rights", json!({"reason": reason, "rows": rows})).await).await
}

async fn step(app: &App, token: &str, id: i64, what: &str, decision: &str, note: &str) -> (StatusCode, Value) {
    let path = format!("/api/v1/governance/rights/{id}/{what}");
    body(app.post(token, &path, json!({"decision": decision, "note": note})).await).await
}

/// Whether the reader may give the head's verdict on request `id`, as its view says.
async fn theirs_may_decide(app: &App, token: &str, id: i64) -> Option<bool> {
    let (_, v) = body(app.get(token, &format!("/api/v1/governance/rights/{id}")).await).await;
    v["may_decide"].as_bool()
}

async fn roles_of(app: &App, user: i64) -> Vec<String> {
    let u = zwfw_store::admin::get_user(&app.state.store, user).await.unwrap();
    u.roles.iter().map(|r| r.code().to_string()).collect()
}

async fn requests(app: &App) -> i64 {
    count(app, "SELECT COUNT(*) AS n FROM rights_requests").await
}

/// The in-app notices of `who` whose title starts with `prefix`.
async fn told(app: &App, who: &str, prefix: &str) -> i64 {
    let u = app.user_id(who).await;
    count(
        app,
        &format!(
            "SELECT COUNT(*) AS n FROM notifications WHERE user_id = {u} AND channel = 'inapp' AND title LIKE '{prefix}%'"
        ),
    )
    .await
}

/// The staff edit of the API: the account as it is with `roles` and `department`.
async fn edit(app: &App, token: &str, user: i64, roles: &[&str], extra: Value) -> (StatusCode, Value) {
    let u = zwfw_store::admin::get_user(&app.state.store, user).await.unwrap();
    let mut b = json!({"display_name": u.display_name, "department_id": u.department_id, "roles": roles,
        "reason": "岗位调整"});
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    body(app.put(token, &format!("/api/v1/staff/{user}"), b).await).await
}

/// The audit records of account `user` whose action is `action`, newest first.
async fn audit_of(app: &App, admin: &str, user: i64, action: &str) -> Vec<Value> {
    let (s, b) = body(app.get(admin, &format!("/api/v1/audit?object_type=user&object_id={user}")).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b.as_array().unwrap().iter().filter(|r| r["action"] == action).cloned().collect()
}

both_backends!(a_right_change_is_asked_approved_and_applied_on_record, |store: Store| async move {
    let app = App::start(store).await;
    let [da, head, sup, admin, county, center, land] = app
        .ready_tokens([
            "demo_deptadmin",
            "demo_head",
            "demo_supervisor",
            "demo_admin",
            "demo_county",
            "demo_center",
            "demo_land",
        ])
        .await;
    let lina = app.user_id("demo_counter").await;
    let zhou = app.user_id("demo_reviewer").await;
    let land_id = app.user_id("demo_land").await;
    let counter_token = app.ready_token("demo_counter").await;

    // The direct path is closed to the department administrator; the name still changes directly.
    let (s, b) = edit(&app, &da, lina, &["counter", "reviewer"], json!({})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("rights_change_needs_request")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("权限变更申请"), "{b}");
    let (s, b) = edit(&app, &da, lina, &["counter", "reviewer"], json!({"emergency": true})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("rights_emergency_system_admin_only")), "{b}");
    assert_eq!(roles_of(&app, lina).await, ["counter"], "nothing changed");
    let (s, b) = edit(&app, &da, lina, &["counter"], json!({"mobile": "13912345678"})).await;
    assert_eq!(s, StatusCode::OK, "a mobile changes directly: {b}");
    let (s, html) = page(&signed(&da), &app, &format!("/admin/users/{lina}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("角色和所属部门的变更须经") && !html.contains("name=\"emergency\""), "{html}");

    // Asking: refused with a reason, nothing stored.
    let row = |u: i64, add: &[&str], remove: &[&str]| json!([{"user_id": u, "add_roles": add, "remove_roles": remove}]);
    let (s, b) = ask(&app, &land, "需要", row(land_id, &["dept_head"], &[])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "a clerk does not ask: {b}");
    let (s, b) = ask(&app, &da, "需要", row(land_id, &["dept_head"], &[])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_in_department")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("只能为本部门的工作人员"), "{b}");
    let (s, b) = ask(&app, &da, "  ", row(lina, &["reviewer"], &[])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_rights_text")), "{b}");
    let (s, b) = ask(&app, &da, "需要", row(lina, &["counter"], &[])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("rights_role_already_held")), "{b}");
    let (s, b) = ask(&app, &da, "需要", json!([])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rights_bad_list")), "{b}");
    let (s, b) = ask(&app, &da, "需要", row(lina, &["clerk"], &[])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_rights_role")), "{b}");
    assert_eq!(requests(&app).await, 0, "nothing stored");

    // The department administrator asks; the head is told.
    let (s, r) = ask(&app, &da, "窗口业务量大，李娜兼任审批人员", row(lina, &["reviewer"], &[])).await;
    assert_eq!((s, r["state"].as_str()), (StatusCode::CREATED, Some("requested")), "{r}");
    let id = r["id"].as_i64().unwrap();
    assert_eq!(r["rows"][0]["roles_after"], json!(["counter", "reviewer"]), "{r}");
    assert_eq!(told(&app, "demo_head", "权限变更申请第").await, 1);
    // The same form sent again: one open request per staff member.
    let (s, b) = ask(&app, &da, "窗口业务量大，李娜兼任审批人员", row(lina, &["reviewer"], &[])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("rights_already_requested")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("李娜"), "{b}");
    assert_eq!(requests(&app).await, 1);

    // Not before approval, not by the asker, not by another department's head.
    let (s, b) = step(&app, &da, id, "apply", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("rights_wrong_stage")), "{b}");
    let (s, b) = step(&app, &da, id, "decide", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("needs_dept_head")), "{b}");
    let (s, b) = step(&app, &county, id, "decide", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_in_department")), "{b}");
    let (s, b) = step(&app, &head, id, "decide", "maybe", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_verdict")), "{b}");
    assert_eq!(
        zwfw_store::governance::rights::get(app.state.store.pool(), id).await.unwrap().unwrap().state,
        "requested"
    );

    // A request the head asked: not approved by the head, withdrawn.
    let (s, own) = ask(&app, &head, "周强兼任窗口人员", row(zhou, &["counter"], &[])).await;
    assert_eq!(s, StatusCode::CREATED, "{own}");
    let own = own["id"].as_i64().unwrap();
    let (s, b) = step(&app, &head, own, "decide", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_request")), "{b}");
    let (s, b) = body(app.post(&da, &format!("/api/v1/governance/rights/{own}/withdraw"), json!({})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_author")), "{b}");
    let (s, b) = body(app.post(&head, &format!("/api/v1/governance/rights/{own}/withdraw"), json!({})).await).await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("withdrawn")), "{b}");
    // A request changing the head's own rights: not approved by that head either.
    let head_id = app.user_id("demo_head").await;
    let (s, theirs) = ask(&app, &da, "吴海兼任审批人员", row(head_id, &["reviewer"], &[])).await;
    assert_eq!(s, StatusCode::CREATED, "{theirs}");
    let theirs = theirs["id"].as_i64().unwrap();
    assert_eq!(theirs_may_decide(&app, &head, theirs).await, Some(false), "the page offers no verdict");
    let (s, b) = step(&app, &head, theirs, "decide", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_account")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("变更的是您本人的权限"), "{b}");
    assert_eq!(roles_of(&app, head_id).await, vec!["dept_head".to_string()]);
    let (s, _) = body(app.post(&da, &format!("/api/v1/governance/rights/{theirs}/withdraw"), json!({})).await).await;
    assert_eq!(s, StatusCode::OK);

    // The head approves: filed with supervision.
    let (s, b) = step(&app, &head, id, "decide", "approve", "同意").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("approved")), "{b}");
    assert_eq!(told(&app, "demo_supervisor", &format!("权限变更申请第{id}号：部门负责人已同意")).await, 1);
    let (s, b) = body(app.get(&sup, &format!("/api/v1/governance/rights/{id}")).await).await;
    assert_eq!((s, b["may_apply"].as_bool()), (StatusCode::OK, Some(false)), "supervision reads: {b}");
    let (s, b) = body(app.get(&land, &format!("/api/v1/governance/rights/{id}")).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another department's clerk does not learn it exists: {b}");

    // Applied by an administrator of the department only.
    let (s, b) = step(&app, &sup, id, "apply", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("supervision_reads_only")), "{b}");
    let (s, b) = step(&app, &center, id, "apply", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_in_department")), "{b}");
    let (s, b) = step(&app, &head, id, "apply", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "{b}");
    assert_eq!(roles_of(&app, lina).await, ["counter"], "nothing changed");
    // The account's page offers it to the administrator.
    let (_, html) = page(&signed(&da), &app, &format!("/admin/users/{lina}")).await;
    assert!(
        html.contains("待执行的权限变更申请") && html.contains(&format!("/governance/rights/{id}/apply")),
        "{html}"
    );
    let (s, b) = step(&app, &da, id, "apply", "approve", "").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("applied")), "{b}");
    assert_eq!(roles_of(&app, lina).await, ["counter", "reviewer"]);
    assert_eq!(app.get(&counter_token, "/api/v1/me").await.status(), StatusCode::UNAUTHORIZED, "her sessions ended");
    let changed = audit_of(&app, &admin, lina, "roles_changed").await;
    let detail: Value = serde_json::from_str(changed[0]["detail"].as_str().unwrap_or("{}"))
        .unwrap_or_else(|_| changed[0]["detail"].clone());
    assert_eq!(detail["rights_request"].as_i64(), Some(id), "{changed:?}");
    assert_eq!(told(&app, "demo_supervisor", &format!("权限变更申请第{id}号：已执行")).await, 1);
    let (s, b) = step(&app, &da, id, "apply", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("rights_wrong_stage")), "{b}");

    // Declined: the reason required; a declined request is not applied.
    let (_, r2) = ask(&app, &da, "李娜不再兼任审批", row(lina, &[], &["reviewer"])).await;
    let r2 = r2["id"].as_i64().unwrap();
    let (s, b) = step(&app, &head, r2, "decide", "refuse", " ").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_rights_text")), "{b}");
    let (s, b) = step(&app, &head, r2, "decide", "refuse", "审批人员不足，暂不调整").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("declined")), "{b}");
    let (s, b) = step(&app, &da, r2, "apply", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("rights_wrong_stage")), "{b}");
    assert_eq!(roles_of(&app, lina).await, ["counter", "reviewer"]);

    // A role the department administrator may not grant: the system administrator applies it.
    let (_, r3) = ask(&app, &da, "周强担任法制审核", row(zhou, &["legal_review"], &[])).await;
    let r3 = r3["id"].as_i64().unwrap();
    step(&app, &head, r3, "decide", "approve", "").await;
    let (s, b) = step(&app, &da, r3, "apply", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("role_grant_forbidden")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("须由系统管理员执行"), "{b}");
    assert_eq!(roles_of(&app, zhou).await, ["reviewer"]);

    // The emergency path: the system administrator only, marked, with a reason.
    let (s, b) = edit(&app, &admin, zhou, &["reviewer", "legal_review"], json!({})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("rights_change_needs_request")), "{b}");
    let (s, b) =
        edit(&app, &admin, zhou, &["reviewer", "legal_review"], json!({"emergency": true, "reason": "\u{7}"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "an emergency without a reason: {b}");
    assert_eq!(roles_of(&app, zhou).await, ["reviewer"], "nothing changed");
    let before = requests(&app).await;
    let (s, b) = edit(
        &app,
        &admin,
        zhou,
        &["reviewer", "legal_review"],
        json!({"emergency": true, "reason": "法制审核人员突发缺岗，案件即将超期，紧急授权"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(roles_of(&app, zhou).await, ["reviewer", "legal_review"]);
    assert_eq!(requests(&app).await, before + 1, "kept as an emergency change");
    assert_eq!(told(&app, "demo_supervisor", "紧急变更第").await, 1, "flagged to supervision");
    let (s, list) = body(app.get(&sup, "/api/v1/governance/rights?state=emergency").await).await;
    assert_eq!((s, list["total"].as_i64()), (StatusCode::OK, Some(1)), "{list}");
    let e = &list["rows"][0];
    assert_eq!((e["emergency"].as_bool(), e["state"].as_str()), (Some(true), Some("applied")), "{e}");
    assert_eq!(e["rows"][0]["add_roles"], json!(["legal_review"]), "{e}");
    let changed = audit_of(&app, &admin, zhou, "roles_changed").await;
    let detail: Value = serde_json::from_str(changed[0]["detail"].as_str().unwrap_or("{}"))
        .unwrap_or_else(|_| changed[0]["detail"].clone());
    assert_eq!(detail["emergency"].as_bool(), Some(true), "{changed:?}");
    let (_, html) = page(&signed(&sup), &app, "/governance/rights?state=emergency").await;
    assert!(html.contains("紧急变更") && html.contains("周强"), "{html}");

    // The approved request no longer fits (the role is held now): refused, nothing changes; then set aside.
    let (s, b) = step(&app, &admin, r3, "apply", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("rights_role_already_held")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("周强"), "the row named: {b}");
    assert_eq!(
        zwfw_store::governance::rights::get(app.state.store.pool(), r3).await.unwrap().unwrap().state,
        "approved"
    );
    let (s, b) = step(&app, &da, r3, "apply", "refuse", "已由系统管理员紧急授权").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("rejected")), "{b}");

    // Lists: the department its own, supervision all; a clerk none.
    let (s, b) = body(app.get(&da, "/api/v1/governance/rights").await).await;
    assert_eq!((s, b["scope"].as_str()), (StatusCode::OK, Some("department")), "{b}");
    assert_eq!(b["total"].as_i64(), Some(6), "{b}");
    let (s, b) = body(app.get(&land, "/api/v1/governance/rights").await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "{b}");
    let (s, b) = body(app.get(&da, "/api/v1/governance/rights?state=bogus").await).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(zwfw_store::guards::missing_guards(&app.state.store).await.unwrap().is_empty());
});

both_backends!(the_page_asks_with_rows_and_shows_the_refusal, |store: Store| async move {
    let app = App::start(store).await;
    let [da, head] = app.ready_tokens(["demo_deptadmin", "demo_head"]).await;
    let lina = app.user_id("demo_counter").await;
    let land_id = app.user_id("demo_land").await;
    let web = signed(&da);
    let (s, html) = page(&web, &app, "/governance/rights/new").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains(&format!("name=\"add_{lina}\"")) && !html.contains(&format!("add_{land_id}")), "{html}");
    let csrf = csrf_of(&html);
    let add = format!("add_{lina}");
    // Another department's staff member forged into the form: refused, the choices kept.
    let land = format!("add_{land_id}");
    let form = [("_csrf", csrf.as_str()), (add.as_str(), "reviewer"), (land.as_str(), "dept_head"), ("reason", "调整")];
    let r = web.post(app.url("/governance/rights")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = r.text().await.unwrap();
    assert!(html.contains("只能为本部门的工作人员") && html.contains("调整"), "{html}");
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM rights_requests").await, 0);
    let form = [("_csrf", csrf.as_str()), (add.as_str(), "reviewer"), ("reason", "窗口兼任审批")];
    let r = web.post(app.url("/governance/rights")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = page(&web, &app, &to).await;
    assert!(html.contains("权限变更申请已提交") && html.contains("撤回权限变更申请"), "{html}");
    let (_, html) = page(&signed(&head), &app, &to.replace("?done=request", "")).await;
    assert!(html.contains("部门负责人审核") && html.contains("审批人员"), "{html}");
});
