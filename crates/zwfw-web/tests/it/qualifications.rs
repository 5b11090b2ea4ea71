//! 上岗资格 end to end, on SQLite and PostgreSQL: the demo's unqualified
//! officer holds 窗口人员 but may not act in it (a 403 naming the missing
//! qualification, a banner on her workbench) until the centre records a
//! passed examination; bad entries are refused with their reasons and
//! change nothing; a department's administrator records for its own staff
//! only; the overview lists who is not qualified or expires within 30 days;
//! a qualification ending within 30 days is reminded once, to the person
//! and the centre, and after its last day the role is not acted in.
//! Item configuration changes carry a maintenance request's number.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

const MONDAY: &str = "2025-12-01T02:00:00Z";

/// A look-up that only 窗口人员 (and the system administrator) may make:
/// with a malformed number, 422 when allowed, 403 when not.
async fn counter_probe(app: &App, token: &str) -> (StatusCode, Value) {
    body(app.post(token, "/api/v1/registry/lookup", json!({"kind": "company", "number": "123"})).await).await
}

async fn rows_of(app: &App, username: &str) -> usize {
    let id = app.user_id(username).await;
    zwfw_store::governance::qualification::for_user(app.state.store.pool(), id).await.unwrap().len()
}

fn exam(role: &str, held_on: &str, valid_until: &str) -> Value {
    json!({"role": role, "kind": "exam", "held_on": held_on, "content": "窗口受理业务规范考试",
        "result": "passed", "score": 88, "valid_until": valid_until})
}

both_backends!(a_page_and_the_api_refuse_for_want_of_a_qualification_alike, |store: Store| async move {
    // The use case itself tells her `not_qualified`: the API answers it,
    // the page shows the same words (and the way to her qualifications).
    let app = App::start_at(store, MONDAY).await;
    let [trainee, counter] = app.ready_tokens(["demo_trainee", "demo_counter"]).await;
    let web = signed(&trainee);
    let trainee_id = app.user_id("demo_trainee").await;
    for (api, path) in [
        ("/api/v1/handover", "/handover"),
        ("/api/v1/governance/rights", "/governance/rights"),
        ("/api/v1/admin/backups", "/admin/backups"),
    ] {
        let (s, b) = body(app.get(&trainee, api).await).await;
        assert_eq!(
            (s, b["code"].as_str(), b["detail"].as_str()),
            (StatusCode::FORBIDDEN, Some("not_qualified"), Some("counter")),
            "{api}: {b}"
        );
        let told = b["message"].as_str().unwrap();
        let (s, html) = page(&web, &app, path).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}");
        let shown = between(&html, r#"id="qualification-missing">"#, " <a");
        assert_eq!(shown, told, "{path}: the page says what the API says");
        assert!(html.contains(&format!("/governance/qualifications/staff/{trainee_id}")), "{html}");
    }
    // A qualified clerk refused on the same page and API is told the rule's
    // own reason by both.
    let (s, b) = body(app.get(&counter, "/api/v1/governance/rights").await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "{b}");
    let (s, html) = page(&signed(&counter), &app, "/governance/rights").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains(b["message"].as_str().unwrap()) && !html.contains("qualification-missing"), "{html}");
});

both_backends!(an_officer_acts_in_a_role_only_with_a_valid_passed_examination, |store: Store| async move {
    let app = App::start_at(store, MONDAY).await;
    let [trainee, counter, center, deptadmin, supervisor] =
        app.ready_tokens(["demo_trainee", "demo_counter", "demo_center", "demo_deptadmin", "demo_supervisor"]).await;
    let trainee_id = app.user_id("demo_trainee").await;
    // A case at 受理, the counter's step, is not transferred to her either.
    let citizen = app.ready_token("demo_citizen").await;
    let case_id = apply(&app, &citizen, joint_item(&app).await).await;
    act_ok(&app, &counter, case_id, json!({"action": "accept"})).await;
    let transfer = json!({"action": "transfer", "to_user": trainee_id, "opinion": "请何静受理"});
    let (s, b) = act(&app, &counter, case_id, transfer.clone()).await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_action"), Some("to_user")),
        "{b}"
    );

    // The demo's qualified counter clerk looks up; the trainee, 窗口人员 too, may not.
    let (s, b) = counter_probe(&app, &counter).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "qualified: {b}");
    let (s, b) = counter_probe(&app, &trainee).await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_qualified"), Some("counter")),
        "{b}"
    );
    assert!(b["message"].as_str().unwrap().contains("窗口人员岗位的有效上岗资格"), "{b}");
    // Every refusal of the API says so, not the rule's code (staff_only, missing_role).
    for (method, path) in [
        ("POST", "/api/v1/governance/requests"),
        ("GET", "/api/v1/handover"),
        ("GET", "/api/v1/governance/rights"),
        ("POST", "/api/v1/governance/rights"),
    ] {
        let r = match method {
            "POST" => app.post(&trainee, path, json!({"reason": "x", "rows": []})).await,
            _ => app.get(&trainee, path).await,
        };
        let (s, b) = body(r).await;
        assert_eq!(
            (s, b["code"].as_str(), b["detail"].as_str()),
            (StatusCode::FORBIDDEN, Some("not_qualified"), Some("counter")),
            "{method} {path}: {b}"
        );
    }
    // A qualified clerk is refused for the rule's own reason.
    let (s, b) = body(app.get(&counter, "/api/v1/governance/rights").await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "{b}");
    // Her own standing says why.
    let (s, me) = body(app.get(&trainee, "/api/v1/me/qualifications").await).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["roles"][0]["role"], "counter");
    assert_eq!(me["roles"][0]["standing"], "missing", "{me}");
    let results: Vec<&str> = me["records"].as_array().unwrap().iter().map(|r| r["result"].as_str().unwrap()).collect();
    assert!(results.contains(&"pending"), "the examination is pending: {me}");
    // The workbench and a refused page name the missing qualification.
    let web = signed(&trainee);
    let (_, home) = page(&web, &app, "/").await;
    assert!(home.contains("qualification-missing") && home.contains("您尚未取得窗口人员岗位的有效上岗资格"), "{home}");
    let (s, html) = page(&web, &app, "/work/registry").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("您尚未取得窗口人员岗位的有效上岗资格"), "{html}");
    assert_eq!(html.matches("您尚未取得").count(), 1, "named once: {html}");
    assert!(
        html.contains("不能办理此事项") && !html.contains("您的角色不能执行此操作"),
        "the reason, not the rule's: {html}"
    );
    assert!(!html.contains(r#"href="/work/inbox""#), "no 待办 to be refused at: {html}");
    let (_, home) = page(&signed(&counter), &app, "/").await;
    assert!(!home.contains("qualification-missing"), "a qualified clerk sees no such banner");
    // Qualified in no role, she reads none of her department's cases either.
    let (s, _) = code_of(app.get(&counter, &format!("/api/v1/cases/{case_id}")).await).await;
    assert_eq!(s, StatusCode::OK, "the department's case, read by its qualified clerk");
    let (s, _) = code_of(app.get(&trainee, &format!("/api/v1/cases/{case_id}")).await).await;
    assert!(s == StatusCode::NOT_FOUND || s == StatusCode::FORBIDDEN, "{s}");
    let (s, b) = body(app.get(&trainee, "/api/v1/cases").await).await;
    assert!(s == StatusCode::FORBIDDEN || b["total"] == 0, "{s} {b}");
    let (s, html) = page(&web, &app, &format!("/cases/{case_id}")).await;
    assert!(s == StatusCode::NOT_FOUND || s == StatusCode::FORBIDDEN, "{s}");
    assert!(html.contains("您尚未取得窗口人员岗位的有效上岗资格"), "the page says why: {html}");
    // Her menu offers no business page; the qualified clerk's does.
    assert!(!html.contains(r#"href="/handover""#) && !html.contains(r#"href="/cases""#), "{html}");
    let (_, theirs) = page(&signed(&counter), &app, "/").await;
    assert!(theirs.contains(r#"href="/handover""#) && theirs.contains(r#"href="/cases""#));

    // The overview: the centre sees her among those to look at; a department
    // administrator its own department only; a counter clerk nothing.
    let (s, o) = body(app.get(&center, "/api/v1/governance/qualifications?attention=true").await).await;
    assert_eq!(s, StatusCode::OK, "{o}");
    let names: Vec<&str> = o["rows"].as_array().unwrap().iter().map(|r| r["username"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["demo_trainee"], "every other demo account is qualified: {o}");
    // What she lacks is said, so that the centre knows what to record next.
    let lack = &o["rows"][0]["roles"][0];
    assert!(["training_and_exam", "exam", "training"].contains(&lack["lacking"].as_str().unwrap()), "{o}");
    let told = lack["lacking_label"].as_str().unwrap().to_string();
    let (_, theirs) = page(&signed(&center), &app, &format!("/governance/qualifications/staff/{trainee_id}")).await;
    assert!(theirs.contains(&told), "{theirs}");
    let (_, o) = body(app.get(&deptadmin, "/api/v1/governance/qualifications").await).await;
    assert_eq!(o["all_departments"], false);
    assert!(o["rows"].as_array().unwrap().iter().all(|r| r["department"] == "示例市市场监督管理局"), "{o}");
    let (s, _) = body(app.get(&counter, "/api/v1/governance/qualifications").await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, html) = page(&signed(&center), &app, "/governance/qualifications?attention=true").await;
    assert!(html.contains("何静") && html.contains("未取得上岗资格"), "{html}");

    // Bad entries: refused with their reasons, nothing stored.
    let (before, land_before) = (rows_of(&app, "demo_trainee").await, rows_of(&app, "demo_land").await);
    let path = format!("/api/v1/governance/qualifications/staff/{trainee_id}");
    for (entry, code) in [
        (exam("counter", "2025-12-02", "2027-12-01"), "qualification_future_date"),
        (exam("counter", "2025-11-20", "2025-11-19"), "qualification_valid_until_before_date"),
        (exam("reviewer", "2025-11-20", "2027-11-19"), "qualification_role_not_held"),
        (
            json!({"role": "counter", "kind": "exam", "held_on": "2025-11-20", "content": "考试", "result": "passed"}),
            "qualification_valid_until_required",
        ),
    ] {
        let (s, b) = body(app.post(&center, &path, entry).await).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{b}");
        assert!(!b["message"].as_str().unwrap().is_empty(), "{b}");
    }
    let (s, b) = body(app.post(&center, &path, exam("counter", "2025-12-02", "2027-12-01")).await).await;
    assert!(b["message"].as_str().unwrap().contains("不能晚于今天"), "{s} {b}");
    // The wrong people, refused before the body is read.
    let (s, b) = body(app.post(&counter, &path, json!("broken")).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "{b}");
    let (s, b) = body(app.post(&supervisor, &path, json!("broken")).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("supervision_reads_only")), "{b}");
    let (s, b) = body(app.post(&trainee, &path, exam("counter", "2025-11-20", "2027-11-19")).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_account")), "{b}");
    // A department administrator: not another department's staff, with a clear reason.
    let land_id = app.user_id("demo_land").await;
    let (s, b) = body(
        app.post(
            &deptadmin,
            &format!("/api/v1/governance/qualifications/staff/{land_id}"),
            exam("counter", "2025-11-20", "2027-11-19"),
        )
        .await,
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_in_department")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("本部门"), "{b}");
    assert_eq!(rows_of(&app, "demo_trainee").await, before, "nothing stored");
    assert_eq!(rows_of(&app, "demo_land").await, land_before, "nothing stored for another department");

    // The department's administrator records her passed examination, on the page.
    let daweb = signed(&deptadmin);
    let (s, html) = page(&daweb, &app, &format!("/governance/qualifications/staff/{trainee_id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("登记培训或考试") && html.contains("成绩待定"), "{html}");
    let csrf = csrf_of(&html);
    let r = daweb
        .post(app.url(&format!("/governance/qualifications/staff/{trainee_id}")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("role", "counter"),
            ("kind", "exam"),
            ("held_on", "2025-11-28"),
            ("content", "窗口受理业务规范及平台操作考试"),
            ("result", "passed"),
            ("score", "91"),
            ("valid_until", "2025-12-24"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // She acts as 窗口人员 at once (a case is transferred to her), and is told.
    let (s, b) = counter_probe(&app, &trainee).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "qualified now: {b}");
    act_ok(&app, &counter, case_id, transfer).await;
    let (_, inbox) = body(app.get(&trainee, "/api/v1/me/notifications").await).await;
    assert!(
        inbox["messages"].as_array().unwrap().iter().any(|n| n["title"].as_str().unwrap().contains("窗口人员岗位考试")),
        "{inbox}"
    );
    let (_, me) = body(app.get(&trainee, "/api/v1/me/qualifications").await).await;
    assert_eq!(
        (me["roles"][0]["standing"].as_str(), me["roles"][0]["valid_until"].as_str()),
        (Some("expiring"), Some("2025-12-24")),
        "within 30 days of its end: {me}"
    );
    let q = format!("/api/v1/audit?action=qualification_recorded&object_type=user&object_id={trainee_id}");
    let (_, audit) = body(app.get(&center, &q).await).await;
    let recorded = audit.as_array().unwrap().iter().any(|a| {
        let d: Value = serde_json::from_str(a["detail"].as_str().unwrap()).unwrap();
        d["role"] == "counter" && d["qualification_result"] == "passed" && d["recorded_as"] == "dept_admin"
    });
    assert!(recorded, "{audit}");
    // Nobody records their own.
    let da_id = app.user_id("demo_deptadmin").await;
    let (s, b) =
        body(app.post(&deptadmin, &format!("/api/v1/governance/qualifications/staff/{da_id}"), json!({})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_account")), "{b}");

    // Within 30 days of the end: one reminder, to her, the centre and her department's administrator.
    zwfw_app::run_jobs(&app.state).await.unwrap();
    let reminded = |b: &Value| {
        b["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["title"].as_str().unwrap().contains("上岗资格即将到期"))
            .count()
    };
    let (_, mine) = body(app.get(&trainee, "/api/v1/me/notifications").await).await;
    assert_eq!(reminded(&mine), 1, "{mine}");
    let (_, theirs) = body(app.get(&center, "/api/v1/me/notifications").await).await;
    assert_eq!(reminded(&theirs), 1, "{theirs}");
    let (_, admins) = body(app.get(&deptadmin, "/api/v1/me/notifications").await).await;
    assert_eq!(reminded(&admins), 1, "her department's administrator too: {admins}");
    zwfw_app::run_jobs(&app.state).await.unwrap();
    let (_, mine) = body(app.get(&trainee, "/api/v1/me/notifications").await).await;
    assert_eq!(reminded(&mine), 1, "once");
    let (_, o) = body(app.get(&center, "/api/v1/governance/qualifications?attention=true").await).await;
    let row = o["rows"].as_array().unwrap().iter().find(|r| r["username"] == "demo_trainee").cloned().unwrap();
    assert_eq!(row["roles"][0]["standing"], "expiring", "{row}");
    let (s, _) = counter_probe(&app, &trainee).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "the last days still count");

    // After its last day she no longer acts as 窗口人员.
    day(&app, "2025-12-24").await;
    let trainee = app.signed_in("demo_trainee").await;
    let (s, _) = counter_probe(&app, &trainee).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "the last day itself");
    day(&app, "2025-12-25").await;
    let trainee = app.signed_in("demo_trainee").await;
    let (s, b) = counter_probe(&app, &trainee).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_qualified")), "{b}");
    // Her workbench says it expired, and when.
    let (_, home) = page(&signed(&trainee), &app, "/").await;
    assert!(home.contains("您的窗口人员岗位上岗资格有效期至2025-12-24，已过期"), "{home}");
});

both_backends!(item_configuration_changes_carry_a_maintenance_request, |store: Store| async move {
    let app = App::start_at(store, MONDAY).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let [deptadmin, center, admin] = app.ready_tokens(["demo_deptadmin", "demo_center", "demo_admin"]).await;
    let (s, b) = crate::governance::submit_api(&app, &deptadmin, "item_config", "新增测试许可事项。").await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["id"].as_i64().unwrap();
    let mut content = zwfw_domain::catalog::example(market);
    content.basic_code = "000117099001".into();
    content.name = "依需求新增的测试许可".into();
    let write = json!({"content": content, "reason": "依需求新增", "request": id});
    // Not yet accepted: refused, nothing created.
    let (s, b) = body(app.post(&center, "/api/v1/items", write.clone()).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("request_not_accepted")), "{b}");
    let accept = json!({"decision": "accept", "necessity": "确有需要", "feasibility": "可行"});
    let (s, b) = body(app.post(&center, &format!("/api/v1/governance/requests/{id}/answer"), accept).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // The department's administrator does not act under it; the message names both who may.
    let (s, b) = body(app.post(&deptadmin, "/api/v1/items", write.clone()).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("系统管理员"), "{b}");
    let (s, b) = body(app.post(&deptadmin, &format!("/api/v1/governance/requests/{id}/answer"), json!({})).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert!(b["message"].as_str().unwrap().contains("政务服务中心管理员或系统管理员"), "{b}");
    // The centre creates the item and submits it under the request.
    let (s, b) = body(app.post(&center, "/api/v1/items", write).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (item, version) = (b["item_id"].as_i64().unwrap(), b["version_id"].as_i64().unwrap());
    let submit = json!({"action": "submit", "reason": "提交法制审核", "request": id});
    let (s, b) = body(app.post(&center, &format!("/api/v1/item-versions/{version}/actions"), submit).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let q = format!("/api/v1/audit?action=item_create&object_type=item&object_id={item}");
    let (_, audit) = body(app.get(&admin, &q).await).await;
    let detail: Value = serde_json::from_str(audit[0]["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["request"].as_i64(), Some(id), "{detail}");
    let (_, r) = body(app.get(&center, &format!("/api/v1/governance/requests/{id}")).await).await;
    let seen: Vec<(&str, &str)> = r["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["object_type"].as_str().unwrap(), c["action"].as_str().unwrap()))
        .collect();
    assert_eq!(seen, vec![("item", "item_create"), ("item", "item_submit")], "{r}");
    // The item's page offers the field to the centre.
    let (_, html) = page(&signed(&center), &app, &format!("/admin/items/{item}")).await;
    assert!(html.contains("依据的配置/维护需求编号"), "{html}");
});
