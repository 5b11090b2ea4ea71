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

pub(crate) async fn ask(app: &App, token: &str, reason: &str, rows: Value) -> (StatusCode, Value) {
    body(app.post(token, "/api/v1/governance/rights", json!({"reason": reason, "rows": rows})).await).await
}

pub(crate) async fn step(
    app: &App,
    token: &str,
    id: i64,
    what: &str,
    decision: &str,
    note: &str,
) -> (StatusCode, Value) {
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
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rights_role_already_held")), "{b}");
    let said = b["message"].as_str().unwrap();
    assert!(said.contains("李娜") && said.contains("请不要勾选已有的角色") && !said.contains("不予执行"), "{b}");
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
    let (s, b) = step(&app, &admin, r3, "apply", "refuse", "已由系统管理员紧急授权").await;
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
    // On a phone each row is a card: a cell's lines stay one block beside its label.
    assert!(html.contains(r#"<td data-label="工作人员"><div>"#), "{html}");
    let (_, html) = page(&web, &app, "/governance/rights").await;
    assert!(html.contains(r#"<td data-label="部门"><div>"#), "{html}");
});

/// A staff member of `department` created directly (as the demo loader
/// does), with the demo password.
pub(crate) async fn new_staff(app: &App, username: &str, name: &str, department: i64, roles: &[&str]) -> i64 {
    let ctx = zwfw_app::Ctx { state: &app.state, actor: None, client_addr: "test".into() };
    let input = zwfw_app::accounts::StaffInput {
        username: username.into(),
        display_name: name.into(),
        department_id: department,
        roles: roles.iter().map(|r| r.to_string()).collect(),
        mobile: None,
        password: Some(DEMO_PW.into()),
        reason: "测试".into(),
        request: None,
        is_demo: false,
    };
    zwfw_app::accounts::create_staff(&ctx, &input).await.unwrap();
    app.user_id(username).await
}

both_backends!(each_office_asks_for_its_own_and_the_list_says_who_applies, |store: Store| async move {
    let app = App::start(store).await;
    let [da, head, admin] = app.ready_tokens(["demo_deptadmin", "demo_head", "demo_admin"]).await;
    let lina = app.user_id("demo_counter").await;
    let zhou = app.user_id("demo_reviewer").await;
    let centre = app.department_id("示例市政务服务中心").await;
    let land = app.department_id("示例市自然资源局").await;
    let row = |u: i64, add: &[&str]| json!([{"user_id": u, "add_roles": add}]);

    // Roles and moves the department does not ask for: refused, nothing stored.
    for add in ["system_admin", "supervisor", "center_admin"] {
        let (s, b) = ask(&app, &da, "需要", row(lina, &[add])).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("rights_role_not_offered")), "{add}: {b}");
        assert!(b["message"].as_str().unwrap().contains("本部门的角色"), "{b}");
    }
    let moved = |to: i64| json!([{"user_id": lina, "move_to": to}]);
    let (s, b) = ask(&app, &da, "调往中心窗口", moved(centre)).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("rights_move_not_offered")), "{b}");
    assert_eq!(requests(&app).await, 0, "nothing stored");
    // The form offers only those.
    let (s, html) = page(&signed(&da), &app, "/governance/rights/new").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(r#"value="reviewer""#) && html.contains(r#"value="legal_review""#), "{html}");
    for v in ["system_admin", "supervisor", "center_admin"] {
        assert!(!html.contains(&format!(r#"value="{v}""#)), "{v} offered: {html}");
    }
    assert!(html.contains(&format!(r#"value="{land}""#)) && !html.contains(&format!(r#"value="{centre}""#)), "{html}");

    // 法制审核 asked and approved: only the system administrator applies it, and the page says so.
    let (s, r) = ask(&app, &da, "周强担任法制审核", row(zhou, &["legal_review"])).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let id = r["id"].as_i64().unwrap();
    let (s, _) = step(&app, &head, id, "decide", "approve", "").await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = body(app.get(&da, &format!("/api/v1/governance/rights/{id}")).await).await;
    assert_eq!((v["may_apply"].as_bool(), v["applier"].as_str()), (Some(false), Some("system_admin")), "{v}");
    let (_, html) = page(&signed(&da), &app, &format!("/governance/rights/{id}")).await;
    assert!(html.contains(r#"id="applier""#) && html.contains("由系统管理员执行"), "{html}");
    assert!(!html.contains(&format!("/governance/rights/{id}/apply")), "no 按清单执行 offered: {html}");
    let (_, html) = page(&signed(&da), &app, &format!("/admin/users/{zhou}")).await;
    assert!(!html.contains(&format!("/governance/rights/{id}/apply")), "nor on the account's page: {html}");
    let (s, b) = step(&app, &da, id, "apply", "refuse", "不执行").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("role_grant_forbidden")), "{b}");
    let (_, v) = body(app.get(&admin, &format!("/api/v1/governance/rights/{id}")).await).await;
    assert_eq!(v["may_apply"].as_bool(), Some(true), "{v}");
    let (s, b) = step(&app, &admin, id, "apply", "approve", "").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("applied")), "{b}");

    // His account is now beyond the department administrator: the page says why, and where to ask.
    let (_, html) = page(&signed(&da), &app, &format!("/admin/users/{zhou}")).await;
    assert!(html.contains(r#"id="readonly-hint""#) && html.contains("不能授予或取消的角色"), "{html}");
    assert!(html.contains(r#"href="/governance/rights/new""#), "{html}");
    let me = app.user_id("demo_deptadmin").await;
    let (_, html) = page(&signed(&da), &app, &format!("/admin/users/{me}")).await;
    assert!(html.contains("这是您本人的账号"), "{html}");
});

both_backends!(a_request_its_only_head_may_not_decide_goes_to_the_centres_head, |store: Store| async move {
    let app = App::start(store).await;
    let [da, head] = app.ready_tokens(["demo_deptadmin", "demo_head"]).await;
    let zhou = app.user_id("demo_reviewer").await;
    let head_id = app.user_id("demo_head").await;
    let row = |u: i64, add: &[&str]| json!([{"user_id": u, "add_roles": add}]);

    // With no head at the centre, the system administrator stands in.
    let (s, r) = ask(&app, &head, "周强兼任窗口人员", row(zhou, &["counter"])).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["stand_in"].as_str(), Some("system_admin"), "{r}");
    let (s, _) =
        body(app.post(&head, &format!("/api/v1/governance/rights/{}/withdraw", r["id"]), json!({})).await).await;
    assert_eq!(s, StatusCode::OK);

    // The centre gets a head: the market's only head's own request goes to her.
    let centre = app.department_id("示例市政务服务中心").await;
    new_staff(&app, "test_centre_head", "陈静", centre, &["dept_head"]).await;
    app.qualify("test_centre_head").await;
    let centre_head = app.ready_token("test_centre_head").await;
    // A second head of the market without the qualification (上岗资格) decides
    // nothing: the heads who may are counted among those qualified today.
    let market = app.department_id("示例市市场监督管理局").await;
    new_staff(&app, "test_unqualified_head", "赵峰", market, &["dept_head"]).await;
    // The centre's head asks as the centre: its own roles; a move out takes the centre's roles away.
    let centre_admin = app.user_id("demo_center").await;
    let (s, b) = ask(&app, &centre_head, "兼任窗口人员", row(centre_admin, &["counter"])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("rights_role_not_offered")), "{b}");
    let (s, b) = ask(&app, &centre_head, "调往市场监管局", json!([{"user_id": centre_admin, "move_to": market}])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rights_role_left_behind")), "{b}");
    let (s, r) = ask(&app, &head, "周强兼任窗口人员", row(zhou, &["counter"])).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let id = r["id"].as_i64().unwrap();
    assert_eq!(r["stand_in"].as_str(), Some("centre_head"), "{r}");
    assert_eq!(told(&app, "test_centre_head", &format!("权限变更申请第{id}号")).await, 1, "she is told");
    let (_, html) = page(&signed(&head), &app, &format!("/governance/rights/{id}")).await;
    assert!(html.contains(r#"id="stand-in""#) && html.contains("由政务服务中心的部门负责人审核"), "{html}");
    let (s, b) = step(&app, &head, id, "decide", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_request")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("政务服务中心的部门负责人"), "{b}");
    let (_, v) = body(app.get(&centre_head, &format!("/api/v1/governance/rights/{id}")).await).await;
    assert_eq!(v["may_decide"].as_bool(), Some(true), "{v}");
    let (s, b) = step(&app, &centre_head, id, "decide", "approve", "同意").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("approved")), "{b}");
    // Decided, it still says who stood in; a second verdict is one too many, not one not hers.
    assert_eq!(b["stand_in"].as_str(), Some("centre_head"), "{b}");
    let (s, b) = step(&app, &centre_head, id, "decide", "refuse", "不同意").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("rights_wrong_stage")), "{b}");
    let (s, b) = step(&app, &da, id, "apply", "approve", "").await;
    assert_eq!(
        (s, b["state"].as_str(), b["stand_in"].as_str()),
        (StatusCode::OK, Some("applied"), Some("centre_head")),
        "{b}"
    );
    assert_eq!(roles_of(&app, zhou).await, ["counter", "reviewer"]);
    // She still reads what she decided; a request the market's head may decide is not hers.
    let (s, _) = body(app.get(&centre_head, &format!("/api/v1/governance/rights/{id}")).await).await;
    assert_eq!(s, StatusCode::OK);
    let (_, other) = ask(&app, &da, "李娜兼任审批人员", row(app.user_id("demo_counter").await, &["reviewer"])).await;
    assert_eq!(other["stand_in"], Value::Null, "{other}");
    let (s, b) = step(&app, &centre_head, other["id"].as_i64().unwrap(), "decide", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_in_department")), "{b}");
    // A request changing the only head: the centre's head too.
    let (_, theirs) = ask(&app, &da, "吴海兼任审批人员", row(head_id, &["reviewer"])).await;
    assert_eq!(theirs["stand_in"].as_str(), Some("centre_head"), "{theirs}");
});

both_backends!(a_head_not_qualified_as_head_is_told_so, |store: Store| async move {
    let app = App::start(store).await;
    let [da, center] = app.ready_tokens(["demo_deptadmin", "demo_center"]).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let id = new_staff(&app, "test_new_head", "郑伟", market, &["reviewer", "dept_head"]).await;
    // Qualified as 审批人员 only.
    let today = app.state.today().format("%Y-%m-%d").to_string();
    let until = (app.state.today() + chrono::Days::new(300)).format("%Y-%m-%d").to_string();
    let path = format!("/api/v1/governance/qualifications/staff/{id}");
    for entry in [
        json!({"role": "reviewer", "kind": "training", "held_on": today, "content": "审批业务培训", "result": "passed"}),
        json!({"role": "reviewer", "kind": "exam", "held_on": today, "content": "审批业务考试", "result": "passed",
            "valid_until": until}),
    ] {
        let (s, b) = body(app.post(&center, &path, entry).await).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let new_head = app.ready_token("test_new_head").await;
    let lina = app.user_id("demo_counter").await;
    let (_, r) = ask(&app, &da, "李娜兼任审批人员", json!([{"user_id": lina, "add_roles": ["reviewer"]}])).await;
    let rid = r["id"].as_i64().unwrap();
    let (s, b) = step(&app, &new_head, rid, "decide", "approve", "").await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_qualified"), Some("dept_head")),
        "{b}"
    );
    assert!(b["message"].as_str().unwrap().contains("部门负责人岗位的有效上岗资格"), "{b}");
    let web = signed(&new_head);
    let (_, html) = page(&web, &app, "/").await;
    let csrf = csrf_of(&html);
    let r = web
        .post(app.url(&format!("/governance/rights/{rid}/decide")))
        .form(&[("_csrf", csrf.as_str()), ("decision", "approve"), ("note", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = r.text().await.unwrap();
    assert!(html.contains("部门负责人岗位的有效上岗资格") && !html.contains("须由申请部门的部门负责人"), "{html}");
    assert_eq!(
        zwfw_store::governance::rights::get(app.state.store.pool(), rid).await.unwrap().unwrap().state,
        "requested"
    );
});

/// The department and the roles of account `user`.
async fn posting(app: &App, user: i64) -> (Option<i64>, Vec<String>) {
    let u = zwfw_store::admin::get_user(&app.state.store, user).await.unwrap();
    (u.department_id, u.roles.iter().map(|r| r.code().to_string()).collect())
}

both_backends!(moves_into_and_out_of_the_centre_and_supervision_go_by_request, |store: Store| async move {
    let app = App::start(store).await;
    let [center, sup, admin, head, da] =
        app.ready_tokens(["demo_center", "demo_supervisor", "demo_admin", "demo_head", "demo_deptadmin"]).await;
    let centre = app.department_id("示例市政务服务中心").await;
    let supervision = app.department_id("示例市监察局").await;
    let market = app.department_id("示例市市场监督管理局").await;
    let land = app.department_id("示例市自然资源局").await;
    let lina = app.user_id("demo_counter").await;
    let feng = app.user_id("demo_land").await;
    let into = |u: i64, to: i64, add: &[&str], remove: &[&str]| json!({"user_id": u, "move_to": to, "add_roles": add, "remove_roles": remove});

    // Refused, nothing stored: the department does not ask a move into the centre; the centre
    // takes in, it does not move another department's staff to a third one; supervision does
    // not take in for the centre; a role of the department left kept, a role not the centre's.
    let (s, b) = ask(&app, &da, "调入中心", json!([into(lina, centre, &[], &[])])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("rights_move_not_offered")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("调入的一方"), "{b}");
    let (s, b) = ask(&app, &center, "调往自然资源局", json!([into(lina, land, &["counter"], &[])])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_in_department")), "a third department: {b}");
    let (s, b) = ask(&app, &sup, "调入中心", json!([into(lina, centre, &["center_admin"], &["counter"])])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_in_department")), "the wrong office: {b}");
    let (s, b) = ask(&app, &center, "调入中心", json!([into(lina, centre, &["center_admin"], &[])])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rights_role_left_behind")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("调入部门的角色"), "{b}");
    let (s, b) = ask(&app, &center, "调入中心", json!([into(lina, centre, &["supervisor"], &["counter"])])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("rights_role_not_offered")), "{b}");
    let two = json!([
        into(lina, centre, &["center_admin"], &["counter"]),
        into(feng, centre, &["center_admin"], &["counter", "reviewer"])
    ]);
    let (s, b) = ask(&app, &center, "调入中心", two).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_in_department")), "two departments: {b}");
    assert!(b["message"].as_str().unwrap().contains("同一个部门"), "{b}");
    assert_eq!(requests(&app).await, 0, "nothing stored");

    // The centre asks to take 李娜 in: the request is the centre's, the market's head is told and
    // reads it, does not decide it; with no head at the centre the system administrator decides.
    let (s, r) =
        ask(&app, &center, "中心窗口需要管理员", json!([into(lina, centre, &["center_admin"], &["counter"])])).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let id = r["id"].as_i64().unwrap();
    assert_eq!(
        (r["department_id"].as_i64(), r["rows"][0]["from_department_id"].as_i64()),
        (Some(centre), Some(market))
    );
    assert_eq!(r["stand_in"].as_str(), Some("system_admin"), "{r}");
    assert_eq!(told(&app, "demo_head", &format!("权限变更申请第{id}号：调出本部门")).await, 1);
    let (s, v) = body(app.get(&head, &format!("/api/v1/governance/rights/{id}")).await).await;
    assert_eq!((s, v["may_decide"].as_bool()), (StatusCode::OK, Some(false)), "{v}");
    let (s, b) = step(&app, &head, id, "decide", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_in_department")), "{b}");
    let (_, l) = body(app.get(&da, "/api/v1/governance/rights").await).await;
    assert!(l["rows"].as_array().unwrap().iter().any(|x| x["id"] == id), "the market lists it: {l}");
    let (s, b) = step(&app, &admin, id, "decide", "approve", "同意").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("approved")), "{b}");
    assert_eq!(b["applier"].as_str(), Some("system_admin"), "{b}");
    let (s, _) = step(&app, &center, id, "apply", "approve", "").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a move is applied by the system administrator");
    let (s, b) = step(&app, &admin, id, "apply", "approve", "").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("applied")), "{b}");
    assert_eq!(posting(&app, lina).await, (Some(centre), vec!["center_admin".to_string()]));

    // A move out of the supervision office: asked by the office, its officer's role taken away.
    let officer = new_staff(&app, "test_officer", "韩冰", supervision, &["supervisor"]).await;
    let (s, b) = ask(&app, &sup, "调往自然资源局", json!([into(officer, land, &["counter"], &[])])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rights_role_left_behind")), "{b}");
    // The office's form offers the move out with the roles of the department joined.
    let web = signed(&sup);
    let (_, html) = page(&web, &app, "/governance/rights/new").await;
    assert!(html.contains(&format!(r#"name="add_{officer}" value="counter""#)), "{html}");
    assert!(html.contains(&format!(r#"<option value="{land}" "#)), "{html}");
    let (add, remove, mv, to) =
        (format!("add_{officer}"), format!("remove_{officer}"), format!("move_{officer}"), land.to_string());
    let csrf = csrf_of(&html);
    let form = [
        ("_csrf", csrf.as_str()),
        (add.as_str(), "counter"),
        (remove.as_str(), "supervisor"),
        (mv.as_str(), to.as_str()),
        ("reason", "调往自然资源局"),
    ];
    let r = web.post(app.url("/governance/rights")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, l) = body(app.get(&sup, "/api/v1/governance/rights?state=requested").await).await;
    let r = l["rows"].as_array().unwrap().iter().find(|x| x["rows"][0]["user_id"] == officer).unwrap().clone();
    let out = r["id"].as_i64().unwrap();
    assert_eq!(r["department_id"].as_i64(), Some(supervision), "{r}");
    assert_eq!(r["rows"][0]["roles_after"], json!(["counter"]), "{r}");
    let (s, b) = step(&app, &head, out, "decide", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_in_department")), "{b}");
    // Supervision takes 冯雪 in; the land department's heads told (none here), the request its own.
    let (s, r) =
        ask(&app, &sup, "充实监察力量", json!([into(feng, supervision, &["supervisor"], &["counter", "reviewer"])]))
            .await;
    assert_eq!((s, r["department_id"].as_i64()), (StatusCode::CREATED, Some(supervision)), "{r}");
    for rid in [out, r["id"].as_i64().unwrap()] {
        let (s, b) = step(&app, &admin, rid, "decide", "approve", "").await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, b) = step(&app, &admin, rid, "apply", "approve", "").await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("applied")), "{b}");
    }
    assert_eq!(posting(&app, officer).await, (Some(land), vec!["counter".to_string()]));
    assert_eq!(posting(&app, feng).await, (Some(supervision), vec!["supervisor".to_string()]));
});

both_backends!(the_centre_picks_another_departments_staff_on_the_rights_form, |store: Store| async move {
    let app = App::start(store).await;
    let [center, da] = app.ready_tokens(["demo_center", "demo_deptadmin"]).await;
    let centre = app.department_id("示例市政务服务中心").await;
    let market = app.department_id("示例市市场监督管理局").await;
    let it = app.department_id("示例市大数据和信息中心").await;
    let lina = app.user_id("demo_counter").await;
    let zhou = app.user_id("demo_reviewer").await;
    let operator = app.user_id("demo_operator").await;
    let web = signed(&center);

    // The centre's form offers the other departments; picked, their staff.
    let (s, html) = page(&web, &app, "/governance/rights/new").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains(r#"id="pick-department""#) && html.contains(&format!(r#"value="{market}""#)), "{html}");
    let (s, html) = page(&web, &app, &format!("/governance/rights/new?department_id={market}")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains(r#"id="picked-hint""#) && html.contains(&format!(r#"name="add_{lina}""#)), "{html}");
    assert!(html.contains(&format!(r#"name="remove_{lina}" value="counter""#)), "{html}");
    assert!(
        html.contains(&format!(r#"<option value="{centre}" "#)) && html.contains("调入示例市政务服务中心"),
        "{html}"
    );
    // The information office: its operator's role, granted or taken away alone.
    let (_, html) = page(&web, &app, &format!("/governance/rights/new?department_id={it}")).await;
    assert!(html.contains(&format!(r#"name="remove_{operator}" value="operator""#)), "{html}");
    // A department's administrator picks no other department.
    let (_, html) = page(&signed(&da), &app, "/governance/rights/new").await;
    assert!(!html.contains(r#"id="pick-department""#), "{html}");
    let (s, _) = page(&signed(&da), &app, &format!("/governance/rights/new?department_id={it}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (_, html) = page(&web, &app, &format!("/governance/rights/new?department_id={market}")).await;
    let csrf = csrf_of(&html);
    let dept = market.to_string();
    // A centre role for another department's staff without the move: refused, the picked department kept.
    let (add, remove, mv) = (format!("add_{lina}"), format!("remove_{lina}"), format!("move_{lina}"));
    let form = [
        ("_csrf", csrf.as_str()),
        ("department_id", dept.as_str()),
        (add.as_str(), "center_admin"),
        ("reason", "调入中心"),
    ];
    let r = web.post(app.url("/governance/rights")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="picked-hint""#) && html.contains(&format!(r#"name="move_{lina}""#)), "{html}");
    assert_eq!(requests(&app).await, 0);
    // Taken in by the form.
    let c = centre.to_string();
    let form = [
        ("_csrf", csrf.as_str()),
        ("department_id", dept.as_str()),
        (add.as_str(), "center_admin"),
        (remove.as_str(), "counter"),
        (mv.as_str(), c.as_str()),
        ("reason", "中心窗口需要管理员"),
    ];
    let r = web.post(app.url("/governance/rights")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The operator's role for another department's staff, by the form too.
    let add_op = format!("add_{zhou}");
    let form = [
        ("_csrf", csrf.as_str()),
        ("department_id", dept.as_str()),
        (add_op.as_str(), "operator"),
        ("reason", "兼任本局运维"),
    ];
    let r = web.post(app.url("/governance/rights")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, l) = body(app.get(&center, "/api/v1/governance/rights").await).await;
    let rows = l["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{l}");
    assert_eq!((rows[0]["department_id"].as_i64(), rows[0]["centre_decides"].as_bool()), (Some(market), Some(true)));
    assert_eq!(rows[1]["department_id"].as_i64(), Some(centre), "{l}");
    // The list's filter of the requests waiting for the centre.
    let (_, html) = page(&web, &app, "/governance/rights").await;
    assert!(html.contains("state=requested_centre") && html.contains("待政务服务中心管理员审核"), "{html}");
    assert!(html.contains(r#"id="rights-intro""#) && html.contains("政务服务中心管理员审核"), "{html}");
    let (_, l) = body(app.get(&center, "/api/v1/governance/rights?state=requested_centre").await).await;
    assert_eq!(l["total"].as_i64(), Some(1), "{l}");
    assert_eq!(l["rows"][0]["centre_decides"].as_bool(), Some(true), "{l}");
    let (_, l) = body(app.get(&center, "/api/v1/governance/rights?state=requested").await).await;
    assert_eq!((l["total"].as_i64(), l["rows"][0]["department_id"].as_i64()), (Some(1), Some(centre)), "{l}");
});

both_backends!(
    the_centres_administrator_marking_an_emergency_rights_change_is_told_it_is_the_system_administrators,
    |store: Store| async move {
        let app = App::start(store).await;
        let [center] = app.ready_tokens(["demo_center"]).await;
        let operator = app.user_id("demo_operator").await;
        let lina = app.user_id("demo_counter").await;
        // Roles beyond the working roles asked too: told it is the system administrator's, not which role.
        for roles in [&["counter", "reviewer"][..], &["counter", "legal_review"], &["counter", "operator"]] {
            let (s, b) = edit(&app, &center, lina, roles, json!({"emergency": true, "reason": "紧急"})).await;
            assert_eq!(
                (s, b["code"].as_str()),
                (StatusCode::FORBIDDEN, Some("rights_emergency_system_admin_only")),
                "{b}"
            );
            assert!(b["message"].as_str().unwrap().contains("只有系统管理员"), "{b}");
        }
        // An account the centre's administrator may not change at all is refused before the change is read.
        let (s, b) = edit(&app, &center, operator, &["counter"], json!({"emergency": true, "reason": "紧急"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("role_grant_forbidden")), "{b}");
        let (s, b) = edit(&app, &center, lina, &["counter", "reviewer"], json!({})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("rights_change_needs_request")), "{b}");
        assert_eq!(roles_of(&app, lina).await, ["counter"]);
        assert_eq!(roles_of(&app, operator).await, ["operator"]);
    }
);

both_backends!(
    the_supervised_office_does_not_take_the_supervisor_and_the_office_left_is_told,
    |store: Store| async move {
        let app = App::start(store).await;
        let [center, sup, admin, da] =
            app.ready_tokens(["demo_center", "demo_supervisor", "demo_admin", "demo_deptadmin"]).await;
        let centre = app.department_id("示例市政务服务中心").await;
        let supervision = app.department_id("示例市监察局").await;
        let officer = app.user_id("demo_supervisor").await;
        let lina = app.user_id("demo_counter").await;
        let into = |u: i64, to: i64, add: &[&str], remove: &[&str]| json!({"user_id": u, "move_to": to, "add_roles": add, "remove_roles": remove});

        // The centre asks to take the supervision office's officer in: refused, nothing stored.
        let (s, b) =
            ask(&app, &center, "调入中心", json!([into(officer, centre, &["center_admin"], &["supervisor"])])).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("rights_move_not_offered")), "{b}");
        assert!(b["message"].as_str().unwrap().contains("监察室的工作人员只由监察室申请调动"), "{b}");
        // A system administrator's account is nobody's to ask for.
        let sys = app.user_id("demo_admin").await;
        let (s, b) = ask(&app, &center, "调入中心", json!([into(sys, centre, &["center_admin"], &[])])).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("rights_system_admin_named")), "{b}");
        assert!(b["message"].as_str().unwrap().contains("系统管理员"), "{b}");
        // A move and the operator's role are asked apart.
        let (s, b) =
            ask(&app, &center, "调入中心", json!([into(lina, centre, &["center_admin", "operator"], &["counter"])]))
                .await;
        assert_eq!(
            (s, b["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("rights_move_with_operator")),
            "{b}"
        );
        assert!(b["message"].as_str().unwrap().contains("调动和运维人员角色请分别申请"), "{b}");
        assert_eq!(requests(&app).await, 0, "nothing stored");

        // Supervision takes a centre administrator in: the centre, which has no head, is told through
        // its administrators, when asked and when applied.
        let clerk = new_staff(&app, "test_centre_clerk", "高远", centre, &["center_admin"]).await;
        let (s, r) =
            ask(&app, &sup, "充实监察力量", json!([into(clerk, supervision, &["supervisor"], &["center_admin"])]))
                .await;
        assert_eq!((s, r["department_id"].as_i64()), (StatusCode::CREATED, Some(supervision)), "{r}");
        let id = r["id"].as_i64().unwrap();
        assert_eq!(told(&app, "demo_center", &format!("权限变更申请第{id}号：调出本部门")).await, 1);
        assert_eq!(told(&app, "test_centre_clerk", &format!("权限变更申请第{id}号")).await, 0, "not the one moved");
        let (s, b) = step(&app, &admin, id, "decide", "approve", "").await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, b) = step(&app, &admin, id, "apply", "approve", "").await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("applied")), "{b}");
        assert_eq!(told(&app, "demo_center", &format!("权限变更申请第{id}号：已执行")).await, 1);

        // The flash after asking names the office whose head decides.
        let (s, r) = ask(&app, &da, "李娜兼任审批人员", json!([{"user_id": lina, "add_roles": ["reviewer"]}])).await;
        assert_eq!((s, r["stand_in"].clone()), (StatusCode::CREATED, Value::Null), "{r}");
        let (_, html) = page(&signed(&da), &app, &format!("/governance/rights/{}?done=request", r["id"])).await;
        assert!(html.contains("等待示例市市场监督管理局的部门负责人审核"), "{html}");
    }
);

both_backends!(
    a_staff_member_moved_out_or_disabled_handles_no_more_of_the_departments_messages,
    |store: Store| async move {
        let app = App::start(store).await;
        let [head, da, admin] = app.ready_tokens(["demo_head", "demo_deptadmin", "demo_admin"]).await;
        let market = app.department_id("示例市市场监督管理局").await;
        let land = app.department_id("示例市自然资源局").await;
        let zhou = app.user_id("demo_reviewer").await;
        let lina = app.user_id("demo_counter").await;
        let path = format!("/api/v1/departments/{market}/interaction-handlers");
        for (u, mobile) in [(zhou, "13900000005"), (lina, "13900000004")] {
            let (s, b) =
                body(app.post(&head, &path, json!({"user_id": u, "duty": "staff", "mobile": mobile})).await).await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
        }
        let on_duty = |list: &Value, u: i64| {
            list.as_array().unwrap().iter().any(|h| h["user_id"] == u && h["ended_at"].is_null())
        };
        let ended = |list: &Value, u: i64| {
            list.as_array()
                .unwrap()
                .iter()
                .find(|h| h["user_id"] == u)
                .and_then(|h| h["end_reason"].as_str())
                .map(String::from)
        };

        // 周强 moves to the land department by request: his entry ends when it is applied.
        let (s, r) = ask(&app, &da, "调往自然资源局", json!([{"user_id": zhou, "move_to": land}])).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let id = r["id"].as_i64().unwrap();
        let (_, list) = body(app.get(&head, &path).await).await;
        assert!(on_duty(&list, zhou), "still on duty while asked: {list}");
        let (s, b) = step(&app, &head, id, "decide", "approve", "").await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, b) = step(&app, &admin, id, "apply", "approve", "").await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("applied")), "{b}");
        let (_, list) = body(app.get(&head, &path).await).await;
        assert!(!on_duty(&list, zhou), "{list}");
        assert_eq!(ended(&list, zhou).as_deref(), Some("调出本部门"), "{list}");
        assert!(on_duty(&list, lina), "{list}");

        // 李娜's account disabled: her entry ends too.
        let (s, b) = body(
            app.post(&admin, &format!("/api/v1/staff/{lina}/active"), json!({"active": false, "reason": "离职"})).await,
        )
        .await;
        assert!(s.is_success(), "{s} {b}");
        let (_, list) = body(app.get(&head, &path).await).await;
        assert_eq!(ended(&list, lina).as_deref(), Some("账号停用"), "{list}");
        // The system administrator's emergency move ends them as well.
        let da_id = app.user_id("demo_deptadmin").await;
        let named = json!({"user_id": da_id, "duty": "staff", "mobile": "13900000003"});
        let (s, b) = body(app.post(&head, &path, named).await).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let moved = json!({"department_id": land, "emergency": true, "reason": "紧急调整"});
        let (s, b) = edit(&app, &admin, da_id, &["dept_admin"], moved).await;
        assert!(s.is_success(), "{s} {b}");
        let (_, list) = body(app.get(&head, &path).await).await;
        assert_eq!(ended(&list, da_id).as_deref(), Some("调出本部门"), "{list}");
        zwfw_store::audit::seal(&app.state.store).await.unwrap();
        let sql = format!(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'interaction_handler_end' AND object_id = '{market}'"
        );
        assert_eq!(count(&app, &sql).await, 3, "each ending audited");
    }
);
