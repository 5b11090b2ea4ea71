//! 运维人员 (operators) end to end, on SQLite and PostgreSQL: the demo
//! operator keeps the installation (faults, backups, the exchange's status,
//! the maintenance requests) and reads no case and no row of the exchange;
//! every role of a department and of other departments is refused what
//! operators do; an operator's role comes only through a rights request the
//! service centre decides (not a department head), applied by the system
//! administrator, and acts only once qualified; a case of the operator's
//! own department stays "not found" to them.

use crate::rights::{ask, step};
use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

/// The refusal code (or "ok") of a GET.
async fn got(app: &App, token: &str, path: &str) -> (StatusCode, String) {
    let r = app.get(token, path).await;
    let s = r.status();
    if s.is_success() {
        return (s, "ok".into());
    }
    code_of(r).await
}

both_backends!(operators_keep_the_installation_and_read_no_case, |store: Store| async move {
    let app = App::start(store).await;
    // Like an administrator, an operator enrols a second factor before acting.
    let (_, b) = app.api_login("demo_operator", DEMO_PW).await;
    let first = b["token"].as_str().unwrap().to_string();
    let r = app.post(&first, "/api/v1/me/password", json!({"old_password": DEMO_PW, "new_password": NEW_PW})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        code_of(app.get(&first, "/api/v1/admin/backups").await).await,
        (StatusCode::FORBIDDEN, "totp_enrollment_required".into())
    );
    let [op, counter, reviewer, head, da, legal, land, county] = app
        .ready_tokens([
            "demo_operator",
            "demo_counter",
            "demo_reviewer",
            "demo_head",
            "demo_deptadmin",
            "demo_legal",
            "demo_land",
            "demo_county",
        ])
        .await;
    // What the operator does: faults, backups, the exchange's status, the requests.
    for path in ["/api/v1/admin/backups", "/api/v1/admin/exchange", "/api/v1/governance/requests"] {
        assert_eq!(got(&app, &op, path).await, (StatusCode::OK, "ok".into()), "{path}");
    }
    let (_, m) = body(app.get(&op, "/api/v1/admin/exchange").await).await;
    assert_eq!(m["may_read_rows"], false, "{m}");
    assert_eq!((m["rejected"].as_array().map(Vec::len), m["feedback"].as_array().map(Vec::len)), (Some(0), Some(0)));
    let since = zwfw_domain::time::format_local(app.state.now_ms() - 3_600_000)[..16].replace(' ', "T");
    let (s, f) = body(
        app.post(
            &counter,
            "/api/v1/faults",
            json!({"what": "受理系统无法登记办件", "since": since, "scope": "platform"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    let fault = f["id"].as_i64().unwrap();
    let ack = format!("/api/v1/faults/{fault}/acknowledge");
    // Every role of the market department and of other departments: refused
    // what operators do.
    for t in [&counter, &reviewer, &head, &da, &legal, &land, &county] {
        assert_eq!(got(&app, t, "/api/v1/admin/backups").await.0, StatusCode::FORBIDDEN);
        assert_eq!(got(&app, t, "/api/v1/admin/exchange").await.0, StatusCode::FORBIDDEN);
        // The reporter is refused; anyone else does not learn the fault exists.
        let (s, c) = code_of(app.post(t, &ack, json!({})).await).await;
        let expected =
            if *t == counter { (StatusCode::FORBIDDEN, "missing_role") } else { (StatusCode::NOT_FOUND, "not_found") };
        assert_eq!((s, c.as_str()), expected);
    }
    let op_id = app.user_id("demo_operator").await;
    let told = count(
        &app,
        &format!("SELECT COUNT(*) AS n FROM notifications WHERE user_id = {op_id} AND title LIKE '平台故障报告%'"),
    )
    .await;
    assert!(told >= 1, "the operator is told of a new fault");
    let (s, f) = body(app.post(&op, &ack, json!({})).await).await;
    assert_eq!(s, StatusCode::OK, "{f}");

    // What the operator does not: cases, accounts, the audit trail, the outbox, approvals.
    let (_, item) = market_item(&app, "OPS-1").await;
    let citizen = app.ready_token("demo_citizen").await;
    let case = apply(&app, &citizen, item).await;
    assert_eq!(got(&app, &op, &format!("/api/v1/cases/{case}")).await.0, StatusCode::NOT_FOUND);
    for path in ["/api/v1/cases", "/api/v1/staff", "/api/v1/audit", "/api/v1/admin/outbox", "/api/v1/governance/rights"]
    {
        let (s, _) = got(&app, &op, path).await;
        assert!(s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND, "{path}: {s}");
    }
    // A department's maintenance request: the operator reads it, answers nothing.
    let (s, r) = crate::governance::submit_api(&app, &da, "other", "本局服务大厅终端需要重新部署").await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let req = r["id"].as_i64().unwrap();
    assert_eq!(got(&app, &op, &format!("/api/v1/governance/requests/{req}")).await.0, StatusCode::OK);
    let answer = json!({"decision": "accept", "necessity": "必要", "feasibility": "可行", "answer": ""});
    let (s, c) = code_of(app.post(&op, &format!("/api/v1/governance/requests/{req}/answer"), answer).await).await;
    assert_eq!((s, c.as_str()), (StatusCode::FORBIDDEN, "missing_role"));
    // On a phone each row is a card: a cell's lines stay one block beside its label.
    let (_, html) = page(&signed(&op), &app, "/governance/requests").await;
    assert!(html.contains(r#"<td data-label="提出部门"><div>"#), "{html}");

    // The menu offers the operator's pages, none of the business pages.
    let (s, html) = page(&signed(&op), &app, "/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("/admin/backups") && html.contains("/faults") && html.contains("/admin/exchange"), "{html}");
    assert!(!html.contains(r#"href="/cases""#) && !html.contains("/work/inbox"), "{html}");
    let (_, html) = page(&signed(&op), &app, "/admin/exchange").await;
    assert!(html.contains("rows-hidden"), "{html}");
});

both_backends!(the_operator_role_comes_only_through_a_request_the_centre_decides, |store: Store| async move {
    let app = App::start(store).await;
    let [admin, center, da, head, sup, counter] = app
        .ready_tokens(["demo_admin", "demo_center", "demo_deptadmin", "demo_head", "demo_supervisor", "demo_counter"])
        .await;
    let market = app.department_id("示例市市场监督管理局").await;
    let new = |username: &str, roles: Value| {
        json!({"username": username, "display_name": "马驰", "department_id": market, "roles": roles,
            "password": DEMO_PW, "reason": "新进运维人员"})
    };
    // Never created with the role, by anyone; nothing stored.
    for t in [&admin, &center] {
        let (s, c) = code_of(app.post(t, "/api/v1/staff", new("ops_market", json!(["operator"]))).await).await;
        assert_eq!((s, c.as_str()), (StatusCode::FORBIDDEN, "needs_centre"));
    }
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM users WHERE username = 'ops_market'").await, 0);
    let (s, u) = body(app.post(&admin, "/api/v1/staff", new("ops_market", json!([]))).await).await;
    assert!(s.is_success(), "{u}");
    let ops = app.user_id("ops_market").await;

    // The department asks; a head of the department may not decide it, nor supervision.
    let (s, r) = body(
        app.post(
            &da,
            "/api/v1/governance/rights",
            json!({"reason": "负责本局网络和终端运维", "rows": [{"user_id": ops, "add_roles": ["operator"]}]}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let id = r["id"].as_i64().unwrap();
    assert_eq!(r["centre_decides"], true, "{r}");
    assert_eq!(r["state_label"], "待政务服务中心管理员审核", "{r}");
    // The asker is told who decides it.
    let (_, html) = page(&signed(&da), &app, &format!("/governance/rights/{id}?done=request")).await;
    assert!(html.contains("权限变更申请已提交，等待政务服务中心管理员审核"), "{html}");
    let center_id = app.user_id("demo_center").await;
    let told = count(
        &app,
        &format!("SELECT COUNT(*) AS n FROM notifications WHERE user_id = {center_id} AND channel = 'inapp' AND link LIKE '%/governance/rights/{id}%'"),
    )
    .await;
    assert!(told >= 1, "the centre is told");
    let decide = format!("/api/v1/governance/rights/{id}/decide");
    for t in [&head, &sup, &admin] {
        let (s, c) = code_of(app.post(t, &decide, json!({"decision": "approve", "note": ""})).await).await;
        assert_eq!((s, c.as_str()), (StatusCode::FORBIDDEN, "needs_centre"));
    }
    let (s, c) = code_of(app.post(&counter, &decide, json!({"decision": "approve", "note": ""})).await).await;
    assert!(s == StatusCode::NOT_FOUND || (s, c.as_str()) == (StatusCode::FORBIDDEN, "needs_centre"), "{s} {c}");
    // The centre lists it among its own and decides it; choosing the
    // department lists it, choosing the centre lists the centre's own only.
    let (_, l) = body(app.get(&center, "/api/v1/governance/rights").await).await;
    assert!(l["rows"].as_array().unwrap().iter().any(|x| x["id"] == id), "{l}");
    let (s, l) = body(app.get(&center, &format!("/api/v1/governance/rights?department_id={market}")).await).await;
    assert_eq!(s, StatusCode::OK, "{l}");
    let ids: Vec<i64> = l["rows"].as_array().unwrap().iter().map(|x| x["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![id], "{l}");
    let centre = app.department_id("示例市政务服务中心").await;
    let (_, l) = body(app.get(&center, &format!("/api/v1/governance/rights?department_id={centre}")).await).await;
    assert!(l["rows"].as_array().unwrap().iter().all(|x| x["department_id"] == centre), "{l}");
    let (_, l) =
        body(app.get(&center, &format!("/api/v1/governance/rights?department_id={market}&state=requested")).await)
            .await;
    assert_eq!(l["total"], 0, "{l}");
    let (_, v) = body(app.get(&center, &format!("/api/v1/governance/rights/{id}")).await).await;
    assert_eq!(v["may_decide"], true, "{v}");
    let (s, v) = body(app.post(&center, &decide, json!({"decision": "approve", "note": "同意"})).await).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Applied by the system administrator (not a working role).
    let apply_path = format!("/api/v1/governance/rights/{id}/apply");
    let (s, _) = code_of(app.post(&da, &apply_path, json!({"decision": "approve", "note": ""})).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = body(app.post(&admin, &apply_path, json!({"decision": "approve", "note": ""})).await).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let u = zwfw_store::admin::get_user(&app.state.store, ops).await.unwrap();
    assert_eq!(u.roles, [zwfw_domain::admin::Role::Operator]);

    // Held but not qualified, the role acts in nothing.
    let t = app.ready_token("ops_market").await;
    let (s, c) = got(&app, &t, "/api/v1/admin/backups").await;
    assert_eq!((s, c.as_str()), (StatusCode::FORBIDDEN, "not_qualified"));
    app.qualify("ops_market").await;
    // A new sign-in (the qualification is read at sign-in), with a TOTP code
    // of the next 30-second step: the enrolment's code is spent.
    app.advance(30_000);
    let t = app.signed_in("ops_market").await;
    assert_eq!(got(&app, &t, "/api/v1/admin/backups").await.0, StatusCode::OK);
    // Qualified, an operator of the market department still reads none of its cases.
    let (_, item) = market_item(&app, "OPS-2").await;
    let citizen = app.ready_token("demo_citizen").await;
    let case = apply(&app, &citizen, item).await;
    assert_eq!(got(&app, &counter, &format!("/api/v1/cases/{case}")).await.0, StatusCode::OK);
    assert_eq!(got(&app, &t, &format!("/api/v1/cases/{case}")).await.0, StatusCode::NOT_FOUND);
    let (s, l) = body(app.get(&t, "/api/v1/cases").await).await;
    assert!(s == StatusCode::FORBIDDEN || l["total"] == 0, "{s} {l}");

    // The system administrator's emergency path stays, flagged.
    let (s, v) = body(
        app.put(
            &admin,
            &format!("/api/v1/staff/{ops}"),
            json!({"display_name": "马驰", "department_id": market, "roles": ["counter"], "emergency": true,
                "reason": "运维人员离岗，紧急收回"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM rights_requests WHERE emergency = 1").await, 1);
});

both_backends!(the_centres_administrator_asks_for_the_operators_role_of_any_department, |store: Store| async move {
    let app = App::start(store).await;
    let [center, admin, da] = app.ready_tokens(["demo_center", "demo_admin", "demo_deptadmin"]).await;
    let reviewer = app.user_id("demo_reviewer").await;
    let operator = app.user_id("demo_operator").await;
    let market = app.department_id("示例市市场监督管理局").await;

    // The centre asks to grant the role to another department's staff member: the request is
    // that department's, the centre decides it, and (its only administrator asked) the system
    // administrator stands in.
    let (s, r) = ask(&app, &center, "设为运维人员", json!([{"user_id": reviewer, "add_roles": ["operator"]}])).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["department_id"].as_i64(), Some(market), "{r}");
    assert_eq!((r["centre_decides"].as_bool(), r["stand_in"].as_str()), (Some(true), Some("system_admin")), "{r}");
    let (s, b) = step(&app, &admin, r["id"].as_i64().unwrap(), "decide", "approve", "同意").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("approved")), "{b}");

    // A second administrator of the centre not qualified (上岗资格) today decides nothing: the
    // system administrator still stands in for the centre's only administrator who may.
    let centre = app.department_id("示例市政务服务中心").await;
    crate::rights::new_staff(&app, "test_unqualified_centre", "钱进", centre, &["center_admin"]).await;
    let counter = app.user_id("demo_counter").await;
    let (s, r) = ask(&app, &center, "设为运维人员", json!([{"user_id": counter, "add_roles": ["operator"]}])).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!((r["centre_decides"].as_bool(), r["stand_in"].as_str()), (Some(true), Some("system_admin")), "{r}");
    let (s, b) = step(&app, &admin, r["id"].as_i64().unwrap(), "decide", "approve", "同意").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("approved")), "{b}");

    // Taking the role from the information office's operator is asked, not refused as another
    // department's: his only role, so the account is disabled instead.
    let (s, b) = ask(&app, &center, "取消运维人员", json!([{"user_id": operator, "remove_roles": ["operator"]}])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rights_no_role_left")), "{b}");
    let said = b["message"].as_str().unwrap();
    assert!(said.contains("停用账号") && said.contains("由系统管理员停用"), "what to do instead: {b}");

    // Anything beyond the operator's role stays the department's own to ask.
    let (s, b) = ask(&app, &center, "兼任负责人", json!([{"user_id": operator, "add_roles": ["dept_head"]}])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_in_department")), "{b}");
    let (s, b) = ask(&app, &da, "设为运维人员", json!([{"user_id": operator, "add_roles": ["operator"]}])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_in_department")), "{b}");
    let (s, b) = ask(&app, &admin, "设为运维人员", json!([{"user_id": operator, "add_roles": ["operator"]}])).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "{b}");
});

both_backends!(an_operator_is_told_the_role_does_not_do_a_departments_business, |store: Store| async move {
    // Staff, acting for no department: refused for the role, never told
    // that only staff may (they are staff).
    let app = App::start(store).await;
    let op = app.ready_token("demo_operator").await;
    let web = signed(&op);
    for (method, api, path, told) in [
        ("GET", "/api/v1/handover", "/handover", "认领审管推送须由"),
        ("GET", "/api/v1/credit/licensing/manage", "/credit/licensing/manage", "公示行政许可决定须由"),
        ("POST", "/api/v1/governance/requests", "/governance/requests/new", "提交配置/维护需求须由"),
    ] {
        let (s, b) = match method {
            "POST" => crate::governance::submit_api(&app, &op, "other", "终端需要重新部署").await,
            _ => body(app.get(&op, api).await).await,
        };
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "{api}: {b}");
        let message = b["message"].as_str().unwrap();
        assert!(message.starts_with(told) && !message.contains("只能由工作人员"), "{api}: {message}");
        let (s, html) = page(&web, &app, path).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}");
        let shown = message.replace('/', "&#x2f;");
        assert!(html.contains(&shown) && !html.contains("只能由工作人员"), "{path}: {html}");
    }
});

both_backends!(a_role_held_but_not_qualified_is_named_when_it_is_what_is_missing, |store: Store| async move {
    // 周强 is qualified as 审批人员; given 运维人员 (set here directly) without
    // its qualification, he is refused the operators' pages for want of that
    // qualification, by API and page alike — not "no permission".
    let app = App::start(store).await;
    let reviewer = app.user_id("demo_reviewer").await;
    let mut tx = app.state.store.begin().await.unwrap();
    zwfw_store::admin::set_roles(
        &mut tx,
        reviewer,
        &[zwfw_domain::admin::Role::Reviewer, zwfw_domain::admin::Role::Operator],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let t = app.ready_token("demo_reviewer").await;
    let r = app.get(&t, "/api/v1/admin/backups").await;
    let (s, b) = body(r).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_qualified")), "{b}");
    assert_eq!(b["detail"], "operator", "{b}");
    let (s, html) = page(&signed(&t), &app, "/admin/backups").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains(b["message"].as_str().unwrap()), "{html}");
    // His qualified role acts as before.
    assert_eq!(got(&app, &t, "/api/v1/cases").await.0, StatusCode::OK);
});
