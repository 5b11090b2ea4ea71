//! 配置/维护需求 end to end, on SQLite and PostgreSQL: a department submits a
//! request with an attachment through its page; the API's lists are scoped
//! (a department its own, the centre and supervision all, others nothing);
//! the wrong people are refused before the body is read and nothing changes;
//! the centre refuses one with written reasons (a PDF reply the requester
//! downloads) and accepts another, whose number a department change and an
//! account's role change then carry (the audit records name it, the
//! request's page lists them); a closed request takes no more changes; a
//! request left unanswered beyond five working days is finding A13.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

const MONDAY: &str = "2025-12-01T02:00:00Z";

/// A request submitted through the API (multipart, no attachment).
pub(crate) async fn submit_api(app: &App, token: &str, kind: &str, content: &str) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new().text("kind", kind.to_string()).text("content", content.to_string());
    body(client().post(app.url("/api/v1/governance/requests")).bearer_auth(token).multipart(form).send().await.unwrap())
        .await
}

async fn request(app: &App, token: &str, id: i64) -> (StatusCode, Value) {
    body(app.get(token, &format!("/api/v1/governance/requests/{id}")).await).await
}

async fn state_of(app: &App, id: i64) -> String {
    zwfw_store::governance::get(app.state.store.pool(), id).await.unwrap().unwrap().state
}

/// The detail of the audit record of `action` on a user or department, as the API lists it.
async fn audit_detail(app: &App, admin: &str, action: &str, object_type: &str, object_id: i64) -> Value {
    let q = format!("/api/v1/audit?action={action}&object_type={object_type}&object_id={object_id}");
    let (s, b) = body(app.get(admin, &q).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let rec = b.as_array().and_then(|rows| rows.first()).cloned().unwrap_or_else(|| panic!("no record: {b}"));
    serde_json::from_str(rec["detail"].as_str().unwrap()).unwrap()
}

both_backends!(maintenance_requests_submitted_answered_and_carried_out, |store: Store| async move {
    let app = App::start_at(store, MONDAY).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let [deptadmin, head, center, supervisor, counter, land, citizen, admin] = app
        .ready_tokens([
            "demo_deptadmin",
            "demo_head",
            "demo_center",
            "demo_supervisor",
            "demo_counter",
            "demo_land",
            "demo_citizen",
            "demo_admin",
        ])
        .await;

    // The department's administrator submits through the page, with an attachment.
    let web = signed(&deptadmin);
    let (s, html) = page(&web, &app, "/governance/requests/new").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("误操作更正") && html.contains("需求内容"), "the kinds and the text");
    let csrf = csrf_of(&html);
    // The upload form carries its token as its first field, not in the address.
    assert!(!html.contains("?_csrf="), "{html}");
    let form = |token: &str| {
        reqwest::multipart::Form::new()
            .text("_csrf", token.to_string())
            .text("kind", "users_rights")
            .text("content", "新增窗口人员账号一个，授予窗口人员角色。")
            .part("attachment", pdf_part("人员名单.pdf"))
    };
    // A wrong token, or none, is refused and stores nothing.
    let stored = |app: &App| {
        let f = zwfw_store::governance::Filter { limit: 500, ..Default::default() };
        let store = app.state.store.clone();
        async move { zwfw_store::governance::list(&store, &f).await.unwrap().1 }
    };
    let held = stored(&app).await;
    let r = post_form(&web, &app, "/governance/requests", form(&"0".repeat(32))).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let untokened = reqwest::multipart::Form::new().text("kind", "users_rights").text("content", "无令牌的需求");
    let r = post_form(&web, &app, "/governance/requests", untokened).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(stored(&app).await, held);
    let r = post_form(&web, &app, "/governance/requests", form(&csrf)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let first: i64 = to.trim_start_matches("/governance/requests/").split('?').next().unwrap().parse().unwrap();
    let (s, html) = page(&web, &app, &to).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("需求已提交") && html.contains("人员名单.pdf") && html.contains("2025-12-08"), "{html}");
    // The attachment downloads for the department.
    let (_, v) = request(&app, &deptadmin, first).await;
    let sm3 = v["attachments"][0]["sm3"].as_str().unwrap().to_string();
    let r = web.get(app.url(&format!("/governance/requests/{first}/files/{sm3}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);

    // The head submits through the API; the supervision office too (its own department).
    let (s, b) = submit_api(&app, &head, "org_data", "更正本局办公地址为人民路1号。").await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let second = b["id"].as_i64().unwrap();
    assert_eq!((b["state"].as_str(), b["kind_label"].as_str()), (Some("submitted"), Some("机构数据")), "{b}");
    let (s, b) = submit_api(&app, &supervisor, "other", "监察人员需查看全部部门的考核报表。").await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let third = b["id"].as_i64().unwrap();
    // The centre (its administrators and the system administrator) is told of each at once; the requesters are not.
    let told = |u: i64| {
        format!("SELECT COUNT(*) AS n FROM notifications WHERE user_id = {u} AND channel = 'inapp' AND title LIKE '新的配置/维护需求%'")
    };
    for (who, n) in [("demo_center", 3), ("demo_admin", 3), ("demo_deptadmin", 0), ("demo_head", 0)] {
        let u = app.user_id(who).await;
        let row = zwfw_store::db::query(told(u)).fetch_one(app.state.store.pool()).await.unwrap();
        assert_eq!(row.value("n"), Some(&zwfw_store::db::Value::Int(n)), "{who}");
    }

    // Bad input and the wrong people: refused, nothing stored.
    let before = zwfw_store::governance::list(
        &app.state.store,
        &zwfw_store::governance::Filter { limit: 500, ..Default::default() },
    )
    .await
    .unwrap()
    .1;
    let (s, b) = submit_api(&app, &deptadmin, "delete_all", "删除全部数据").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_request_kind")), "{b}");
    let (s, b) = submit_api(&app, &deptadmin, "other", "  ").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_request_text")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("请填写"), "{b}");
    // A counter clerk may not submit: 403 before the body is read (a broken body is not looked at).
    let r = client()
        .post(app.url("/api/v1/governance/requests"))
        .bearer_auth(&counter)
        .header("content-type", "multipart/form-data; boundary=x")
        .body("not multipart")
        .send()
        .await
        .unwrap();
    let (s, b) = body(r).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "{b}");
    let (s, b) = submit_api(&app, &citizen, "other", "我要改配置").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let after = zwfw_store::governance::list(
        &app.state.store,
        &zwfw_store::governance::Filter { limit: 500, ..Default::default() },
    )
    .await
    .unwrap()
    .1;
    assert_eq!(before, after, "nothing stored");

    // Lists: the department its own, the centre and supervision all, another department nothing.
    let ids = |b: &Value| b["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect::<Vec<_>>();
    let (_, b) = body(app.get(&counter, "/api/v1/governance/requests").await).await;
    assert_eq!(ids(&b), vec![second, first], "{b}");
    let (_, b) = body(app.get(&center, "/api/v1/governance/requests").await).await;
    assert_eq!(ids(&b), vec![third, second, first]);
    let (_, b) = body(app.get(&supervisor, &format!("/api/v1/governance/requests?department_id={market}")).await).await;
    assert_eq!(ids(&b), vec![second, first]);
    let (_, b) = body(app.get(&land, "/api/v1/governance/requests").await).await;
    assert_eq!(ids(&b), Vec::<i64>::new());
    let (s, _) = request(&app, &land, first).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another department does not see it");
    let (s, _) = body(app.get(&citizen, "/api/v1/governance/requests").await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = body(app.get(&center, "/api/v1/governance/requests?state=nonsense").await).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");

    // Answering: supervision reads only, the department does not answer its own; 403 before the body.
    let (s, b) =
        body(app.post(&supervisor, &format!("/api/v1/governance/requests/{first}/answer"), json!("broken")).await)
            .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("supervision_reads_only")), "{b}");
    let (s, b) = body(app.post(&head, &format!("/api/v1/governance/requests/{first}/answer"), json!({})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "{b}");
    let (s, _) = body(app.post(&land, &format!("/api/v1/governance/requests/{first}/answer"), json!({})).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A centre administrator who is also a department administrator submits
    // for the centre, and may not answer or close that request herself.
    let center_id = app.user_id("demo_center").await;
    app.sql("INSERT INTO user_roles (user_id, role) VALUES ($1, 'dept_admin')", center_id).await;
    app.qualify("demo_center").await;
    let own = reqwest::multipart::Form::new().text("kind", "other").text("content", "中心自身的配置需求。");
    let r =
        client().post(app.url("/api/v1/governance/requests")).bearer_auth(&center).multipart(own).send().await.unwrap();
    let (s, b) = body(r).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let own_id = b["id"].as_i64().unwrap();
    let accept = json!({"decision": "accept", "necessity": "需要", "feasibility": "可行", "answer": ""});
    let (s, b) = body(app.post(&center, &format!("/api/v1/governance/requests/{own_id}/answer"), accept).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_account")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("自己提出"), "{b}");
    assert_eq!(state_of(&app, own_id).await, "submitted", "nothing changed");
    let (_, d) = body(app.get(&center, &format!("/api/v1/governance/requests/{own_id}")).await).await;
    assert_eq!(d["may_answer"], false, "no answer form on her own request: {d}");
    // Another of the centre answers it.
    let refusal = json!({"decision": "refuse", "necessity": "不必要", "feasibility": "可行", "answer": "已有同类配置"});
    let (s, b) = body(app.post(&admin, &format!("/api/v1/governance/requests/{own_id}/answer"), refusal).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.sql("DELETE FROM user_roles WHERE role = 'dept_admin' AND user_id = $1", center_id).await;
    // A refusal without reasons is refused.
    let refusal = json!({"decision": "refuse", "necessity": "地址未变更", "feasibility": "可行", "answer": ""});
    let (s, b) = body(app.post(&center, &format!("/api/v1/governance/requests/{second}/answer"), refusal).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_request_text")), "{b}");
    assert_eq!(state_of(&app, second).await, "submitted", "nothing changed");

    // The centre refuses the second with reasons, through the page: a PDF reply for the requester.
    let cweb = signed(&center);
    let (s, html) = page(&cweb, &app, &format!("/governance/requests/{second}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("分析与答复"), "the centre's form");
    let csrf = csrf_of(&html);
    // Without the reasons: the form again, with the analyses as typed.
    let r = cweb
        .post(app.url(&format!("/governance/requests/{second}/answer")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("decision", "refuse"),
            ("necessity", "经核实，贵局办公地址未发生变化。"),
            ("feasibility", "技术上可行。"),
            ("answer", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(">经核实，贵局办公地址未发生变化。</textarea>") && html.contains(">技术上可行。</textarea>"),
        "{html}"
    );
    assert_eq!(state_of(&app, second).await, "submitted", "nothing changed");
    let r = cweb
        .post(app.url(&format!("/governance/requests/{second}/answer")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("decision", "refuse"),
            ("necessity", "经核实，贵局办公地址未发生变化。"),
            ("feasibility", "技术上可行。"),
            ("answer", "办公地址以机构编制部门登记为准，暂不更正。"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, b) = request(&app, &head, second).await;
    assert_eq!((b["state"].as_str(), b["has_reply"].as_bool()), (Some("refused"), Some(true)), "{b}");
    assert_eq!(b["state_label"].as_str(), Some("不予办理"));
    let r = app.get(&head, &format!("/api/v1/governance/requests/{second}/reply.pdf")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let (_, html) = page(&signed(&head), &app, &format!("/governance/requests/{second}")).await;
    assert!(html.contains("下载答复书") && html.contains("暂不更正") && !html.contains("分析与答复"), "{html}");
    // Answered once only.
    let again = json!({"decision": "accept", "necessity": "需要", "feasibility": "可行"});
    let (s, b) = body(app.post(&center, &format!("/api/v1/governance/requests/{second}/answer"), again).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("request_already_answered")), "{b}");
    let r = app.get(&head, &format!("/api/v1/governance/requests/{first}/reply.pdf")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "no reply before a refusal");

    // A change may not name a request that is not accepted.
    let staff = |username: &str, request: Option<i64>| {
        json!({"username": username, "display_name": "赵新", "department_id": market, "roles": ["counter"],
            "reason": "新增窗口人员", "request": request})
    };
    let (s, b) = body(app.post(&center, "/api/v1/staff", staff("gov_new_1", Some(first))).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("request_not_accepted")), "{b}");
    assert!(zwfw_store::admin::find_user_by_username(&app.state.store, "gov_new_1").await.unwrap().is_none());

    // The centre accepts the first; changes made under it carry its number.
    let accept = json!({"decision": "accept", "necessity": "窗口增设岗位，确有需要。", "feasibility": "可行。"});
    let (s, b) = body(app.post(&center, &format!("/api/v1/governance/requests/{first}/answer"), accept).await).await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("accepted")), "{b}");
    // The department's own administrator may not act under the centre's request.
    let (s, b) = body(app.post(&deptadmin, "/api/v1/staff", staff("gov_new_2", Some(first))).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "{b}");
    assert!(zwfw_store::admin::find_user_by_username(&app.state.store, "gov_new_2").await.unwrap().is_none());
    // A request number that is not a number, on the page: a clear message, nothing created.
    let aweb = signed(&center);
    let (_, html) = page(&aweb, &app, "/admin/users/new").await;
    assert!(html.contains("依据的配置/维护需求编号"), "the centre's form offers the field");
    let csrf = csrf_of(&html);
    let dept = market.to_string();
    let mut fields = vec![
        ("_csrf", csrf.as_str()),
        ("username", "gov_page_1"),
        ("display_name", "钱新"),
        ("department_id", dept.as_str()),
        ("roles", "counter"),
        ("reason", "新增窗口人员"),
        ("request", "第一号"),
    ];
    let r = aweb.post(app.url("/admin/users")).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(zwfw_store::admin::find_user_by_username(&app.state.store, "gov_page_1").await.unwrap().is_none());
    // Through the page with the number: created under the request.
    let number = first.to_string();
    fields.pop();
    fields.push(("request", number.as_str()));
    let r = aweb.post(app.url("/admin/users")).form(&fields).send().await.unwrap();
    let (s, html) = (r.status(), r.text().await.unwrap());
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("账号已创建"), "{html}");
    let created = zwfw_store::admin::find_user_by_username(&app.state.store, "gov_page_1").await.unwrap().unwrap();
    // Through the API: a department's data changed under it.
    let (s, d) = body(app.get(&center, &format!("/api/v1/departments/{market}")).await).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let mut edit = d.clone();
    edit["phone"] = json!("0858-8888888");
    edit["reason"] = json!("更新联系电话");
    edit["request"] = json!(first);
    let (s, b) = body(app.put(&center, &format!("/api/v1/departments/{market}"), edit).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // The audit records name the request; the request lists both changes.
    let detail = audit_detail(&app, &admin, "create", "user", created.id).await;
    assert_eq!(detail["request"].as_i64(), Some(first), "{detail}");
    let detail = audit_detail(&app, &admin, "update", "department", market).await;
    assert_eq!(detail["request"].as_i64(), Some(first), "{detail}");
    let (_, b) = request(&app, &supervisor, first).await;
    let changes = b["changes"].as_array().unwrap();
    let seen: Vec<(&str, &str)> =
        changes.iter().map(|c| (c["object_type"].as_str().unwrap(), c["action"].as_str().unwrap())).collect();
    assert_eq!(seen, vec![("user", "create"), ("department", "update")], "{b}");
    assert_eq!(b["may_answer"], false, "supervision reads only: {b}");
    let (_, html) = page(&signed(&deptadmin), &app, &format!("/governance/requests/{first}")).await;
    assert!(html.contains("依本需求所作的变更") && html.contains(&created.id.to_string()), "{html}");

    // Closed, it takes no more changes.
    let (s, b) = body(
        app.post(&supervisor, &format!("/api/v1/governance/requests/{first}/complete"), json!({"note": "x"})).await,
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("supervision_reads_only")), "{b}");
    let (s, b) = body(
        app.post(&center, &format!("/api/v1/governance/requests/{first}/complete"), json!({"note": "账号已开通"}))
            .await,
    )
    .await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("done")), "{b}");
    let (s, b) = body(app.post(&center, "/api/v1/staff", staff("gov_new_3", Some(first))).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("request_not_accepted")), "{b}");
    let (s, b) = body(
        app.post(&center, &format!("/api/v1/governance/requests/{first}/complete"), json!({"note": "再次"})).await,
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("request_not_accepted")), "{b}");

    // The third (supervision's) stays unanswered: on its fifth working day
    // nothing, the day after an A13 finding; the answered ones none.
    day(&app, "2025-12-08").await;
    let sup = app.signed_in("demo_supervisor").await;
    let a13 = |b: &Value| {
        b["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["object_kind"] == "maintenance_request")
            .cloned()
            .collect::<Vec<_>>()
    };
    let (_, f) = body(app.get(&sup, "/api/v1/supervision/findings?rule=A13&state=all").await).await;
    assert!(a13(&f).is_empty(), "the last day itself: {f}");
    day(&app, "2025-12-09").await;
    let sup = app.signed_in("demo_supervisor").await;
    let (_, f) = body(app.get(&sup, "/api/v1/supervision/findings?rule=A13&state=all").await).await;
    let found = a13(&f);
    assert_eq!(found.iter().map(|x| x["object_id"].as_i64().unwrap()).collect::<Vec<_>>(), vec![third], "{f}");
    assert!(found[0]["description"].as_str().unwrap().contains("至今未答复"), "{f}");
    let (_, v) = request(&app, &sup, third).await;
    assert_eq!(v["overdue"], true, "{v}");
});

both_backends!(a_department_filter_outside_the_readers_scope_is_refused_in_words, |store: Store| async move {
    // ?department_id= on a list: the department administrator, narrowed to
    // their own department, is told another is not theirs to list (not
    // shown their own instead); the centre lists the one asked for.
    let app = App::start_at(store, MONDAY).await;
    let [da, center] = app.ready_tokens(["demo_deptadmin", "demo_center"]).await;
    let (market, land) = (app.department_id("示例市市场监督管理局").await, app.department_id("示例市自然资源局").await);
    let (s, r) = submit_api(&app, &da, "other", "本局服务大厅终端需要重新部署").await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    for list in ["/api/v1/governance/requests", "/api/v1/governance/qualifications", "/api/v1/handover"] {
        let (s, b) = body(app.get(&da, &format!("{list}?department_id={land}")).await).await;
        assert_eq!(
            (s, b["code"].as_str(), b["detail"].as_str()),
            (StatusCode::FORBIDDEN, Some("not_in_department"), Some("department_id")),
            "{list}: {b}"
        );
        assert_eq!(b["message"], "您只能查看本部门的记录，不能按其他部门查看", "{b}");
        let (s, b) = body(app.get(&da, &format!("{list}?department_id={market}")).await).await;
        assert_eq!(s, StatusCode::OK, "{list}, their own: {b}");
    }
    let (_, mine) = body(app.get(&da, &format!("/api/v1/governance/requests?department_id={market}")).await).await;
    assert_eq!(mine["total"], 1, "{mine}");
    let (s, theirs) = body(app.get(&center, &format!("/api/v1/governance/requests?department_id={land}")).await).await;
    assert_eq!(
        (s, theirs["total"].as_i64()),
        (StatusCode::OK, Some(0)),
        "the centre lists the one asked for: {theirs}"
    );
    // The page says the same.
    let (s, html) = page(&signed(&da), &app, &format!("/governance/requests?department_id={land}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("您只能查看本部门的记录"), "{html}");
});
