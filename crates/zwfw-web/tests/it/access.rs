//! Access decisions end to end, on SQLite and PostgreSQL: roles granted by
//! level (a department administrator grants the working roles only, through
//! the API and the page), and the supervision bureau, which reads cases and
//! submissions and acts on none of them.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

fn staff_input(username: &str, department_id: i64, role: &str) -> Value {
    json!({"username": username, "display_name": "王测试", "department_id": department_id, "roles": [role],
        "reason": "人员调整"})
}

/// Posts the new-account form of the page: the status and the page answered.
async fn create_on_page(
    app: &App,
    token: &str,
    username: &str,
    department_id: i64,
    role: &str,
) -> (StatusCode, String) {
    let html = app.get(token, "/admin/users/new").await.text().await.unwrap();
    let csrf = csrf_of(&html);
    let dept = department_id.to_string();
    let form = [
        ("_csrf", csrf.as_str()),
        ("username", username),
        ("display_name", "王测试"),
        ("department_id", dept.as_str()),
        ("roles", role),
        ("reason", "人员调整"),
    ];
    let r = client().post(app.url("/admin/users")).bearer_auth(token).form(&form).send().await.unwrap();
    let s = r.status();
    (s, r.text().await.unwrap())
}

both_backends!(department_admins_grant_working_roles_only, |store: Store| async move {
    let app = App::start(store).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let [da, admin] = app.ready_tokens(["demo_deptadmin", "demo_admin"]).await;

    for (i, role) in ["legal_review", "dept_admin"].into_iter().enumerate() {
        // The API: refused with the refusal's code, nothing stored.
        let (s, b) =
            body(app.post(&da, "/api/v1/staff", staff_input(&format!("da_api_{i}"), market, role)).await).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("role_grant_forbidden")), "{role}: {b}");
        assert!(b["message"].as_str().unwrap().contains("您不能授予该角色"), "{b}");
        assert!(zwfw_store::admin::find_user_by_username(&app.state.store, &format!("da_api_{i}"))
            .await
            .unwrap()
            .is_none());
        // The page: the form again, with the message in Chinese.
        let (s, html) = create_on_page(&app, &da, &format!("da_page_{i}"), market, role).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{role}");
        assert!(html.contains("您不能授予该角色"), "{role}: the message is shown");
        assert!(zwfw_store::admin::find_user_by_username(&app.state.store, &format!("da_page_{i}"))
            .await
            .unwrap()
            .is_none());
        // The form offers the working roles only.
        let form = app.get(&da, "/admin/users/new").await.text().await.unwrap();
        assert!(!form.contains(&format!("value=\"{role}\"")), "{role} is not offered");

        // A system administrator creates both, through the API and the page.
        let (s, b) =
            body(app.post(&admin, "/api/v1/staff", staff_input(&format!("sys_api_{i}"), market, role)).await).await;
        assert_eq!(s, StatusCode::CREATED, "{role}: {b}");
        let (s, html) = create_on_page(&app, &admin, &format!("sys_page_{i}"), market, role).await;
        assert_eq!(s, StatusCode::OK, "{role}: {html}");
        assert!(html.contains("账号已创建"));
        let u = zwfw_store::admin::find_user_by_username(&app.state.store, &format!("sys_page_{i}"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(u.roles.iter().map(|r| r.code()).collect::<Vec<_>>(), vec![role]);
    }
    // The working roles the department administrator does grant, in its department only.
    let (s, b) = body(app.post(&da, "/api/v1/staff", staff_input("da_counter", market, "counter")).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let land = app.department_id("示例市自然资源局").await;
    let (s, b) = body(app.post(&da, "/api/v1/staff", staff_input("da_elsewhere", land, "counter")).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_in_department")), "{b}");
});

/// Every case action, with what it needs so that only access can refuse it.
fn case_actions(colleague: i64, upload_id: &Value) -> Vec<Value> {
    vec![
        json!({"action": "submit"}),
        json!({"action": "supplement_request", "missing": ["营业执照"]}),
        json!({"action": "supplement_provide", "materials": [{"material_no": 1, "upload_id": upload_id}]}),
        json!({"action": "accept"}),
        json!({"action": "refuse", "opinion": "不属于本机关职权范围"}),
        json!({"action": "pass", "opinion": "同意"}),
        json!({"action": "return", "step": 1, "opinion": "退回"}),
        json!({"action": "transfer", "to_user": colleague, "opinion": "转办"}),
        json!({"action": "urge", "opinion": "请加快办理"}),
        json!({"action": "extension_request", "days": 10, "opinion": "需要现场核查"}),
        json!({"action": "extension_decide", "approved": true, "opinion": "同意"}),
        json!({"action": "special_start", "kind": "检验", "opinion": "需要检验"}),
        json!({"action": "special_end", "opinion": "检验合格"}),
        json!({"action": "joint_answer", "agree": true, "opinion": "同意"}),
        json!({"action": "joint_close"}),
        json!({"action": "conclude", "outcome": "granted", "document_no": "JY1529900000001", "valid_until": "2031-11-30"}),
        json!({"action": "deliver", "method": "邮寄", "tracking_no": "SF1234567890"}),
        json!({"action": "withdraw", "opinion": "撤回"}),
        json!({"action": "withdrawal_request", "opinion": "申请人书面申请撤回"}),
        json!({"action": "withdrawal_decline", "opinion": "不同意"}),
    ]
}

both_backends!(supervision_acts_on_no_case_and_no_submission, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let item = joint_item(&app).await;
    let [sup, counter, citizen] = app.ready_tokens(["demo_supervisor", "demo_counter", "demo_citizen"]).await;
    let colleague = app.user_id("demo_reviewer").await;
    let (s, up) = upload(&app, &sup, PDF, "补正材料.pdf").await;
    assert_eq!(s, StatusCode::CREATED, "{up}");

    // A submitted case and an accepted one: supervision reads both and changes neither.
    let submitted = apply(&app, &citizen, item).await;
    let accepted = apply(&app, &citizen, item).await;
    act_ok(&app, &counter, accepted, json!({"action": "accept"})).await;
    for id in [submitted, accepted] {
        let before = case(&app, &sup, id).await;
        for a in case_actions(colleague, &up["id"]) {
            let (s, b) = act(&app, &sup, id, a.clone()).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{a}: {b}");
            let code = b["code"].as_str().unwrap();
            assert!(["supervision_reads_only", "system_only"].contains(&code), "{a}: {b}");
        }
        let after = case(&app, &sup, id).await;
        assert_eq!(before["state"], after["state"]);
        assert_eq!(
            before["events"].as_array().unwrap().len(),
            after["events"].as_array().unwrap().len(),
            "nothing recorded"
        );
    }

    // A submission to the department: supervision reads it and takes none of its actions.
    let market = app.department_id("示例市市场监督管理局").await;
    let land = app.department_id("示例市自然资源局").await;
    let ask =
        json!({"kind": "consultation", "title": "营业执照办理", "content": "需要哪些材料？", "department_id": market});
    let (s, q) = submit_interaction(&app, &citizen, ask).await;
    assert_eq!(s, StatusCode::CREATED, "{q}");
    let id = q["id"].as_i64().unwrap();
    let (s, d) = body(app.get(&sup, &format!("/api/v1/interactions/{id}")).await).await;
    assert_eq!((s, d["reader"].as_str()), (StatusCode::OK, Some("overseer")), "{d}");
    assert_eq!(d["actions"], json!([]));
    for a in [
        json!({"action": "transfer", "to_department_id": land, "reason": "属自然资源局职责"}),
        json!({"action": "extend", "days": 2, "reason": "需要核实"}),
        json!({"action": "reply", "reply": "请携带身份证原件。"}),
    ] {
        let (s, b) = body(app.post(&sup, &format!("/api/v1/interactions/{id}/actions"), a.clone()).await).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("supervision_reads_only")), "{a}: {b}");
    }
    let row = zwfw_store::interaction::get(&app.state.store, id).await.unwrap();
    assert_eq!((row.department_id, row.state.as_str()), (market, "open"), "nothing changed");
    // Nor does supervision submit one as staff.
    let again = json!({"kind": "consultation", "title": "测试", "content": "测试", "department_id": market});
    let (s, b) = submit_interaction(&app, &sup, again).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("applicant_only")), "{b}");
});

both_backends!(a_form_address_opened_in_the_browser_is_answered_in_words, |store: Store| async move {
    // A POST-only address opened with GET: the page and the API say so in
    // Chinese (the API with its code), and `Allow` names what it takes.
    let app = App::start(store).await;
    let admin = app.ready_token("demo_admin").await;
    let r = signed(&admin).get(app.url("/admin/exchange/poll")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.headers().get("allow").is_some_and(|a| a.to_str().unwrap().contains("POST")));
    let html = r.text().await.unwrap();
    assert!(html.contains("该地址不能直接打开，请通过页面上的按钮或链接操作"), "{html}");
    let r = client().get(app.url("/api/v1/auth/login")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.headers().get("allow").is_some_and(|a| a.to_str().unwrap().contains("POST")));
    let (_, b) = body(r).await;
    assert_eq!(b["code"], "method_not_allowed", "{b}");
});
