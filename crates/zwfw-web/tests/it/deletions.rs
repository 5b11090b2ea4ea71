//! Deletion by approved request (删除申请) end to end, on SQLite and
//! PostgreSQL: a counter clerk asks from her draft's page for its deletion,
//! the head of her department consents, the supervision office performs it;
//! the draft leaves every business view and is kept in the archive with the
//! request, and rule A07 stays silent for it while a delete made around the
//! program (even with a forged mark) is still found. A maintenance request's
//! deletion is refused at consent, withdrawn, refused at performance and
//! finally performed; the wrong people are refused with a reason at each
//! step and nothing changes.

use crate::governance::submit_api;
use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

const MONDAY: &str = "2025-12-01T02:00:00Z";

async fn ask(app: &App, token: &str, kind: &str, id: i64, content: &str, reason: &str) -> (StatusCode, Value) {
    let b = json!({"record_kind": kind, "record_id": id, "content": content, "reason": reason});
    body(app.post(token, "/api/v1/governance/deletions", b).await).await
}

async fn step(app: &App, token: &str, id: i64, what: &str, decision: &str, note: &str) -> (StatusCode, Value) {
    let path = format!("/api/v1/governance/deletions/{id}/{what}");
    body(app.post(token, &path, json!({"decision": decision, "note": note})).await).await
}

async fn state_of(app: &App, id: i64) -> String {
    zwfw_store::governance::deletion::get(app.state.store.pool(), id).await.unwrap().unwrap().state
}

async fn requests(app: &App) -> i64 {
    count(app, "SELECT COUNT(*) AS n FROM deletion_requests").await
}

/// The in-app notices of `user` whose title starts with `prefix`.
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

async fn evaluate(app: &App, sup: &str) -> Value {
    let (s, b) = body(app.post(sup, "/api/v1/supervision/evaluate", json!({"full": false})).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

/// A walk-in draft registered by `counter` (a material attached); its case id.
async fn counter_draft(app: &App, counter: &str, item: i64) -> i64 {
    let (_, up) = upload(app, counter, PDF, "扫描件.pdf").await;
    let first17 = "52990219900307123";
    let id_no = format!("{first17}{}", zwfw_domain::ids::ResidentId::check_char(first17).unwrap());
    let b = json!({"draft": true,
        "applicant": {"kind": "natural", "name": "赵六", "id_no": id_no, "mobile": "13812345678", "address": "示例市东城区人民路1号"},
        "materials": [{"material_no": 1, "upload_id": up["id"]}]});
    let (s, d) = body(app.post(counter, &format!("/api/v1/items/{item}/applications"), b).await).await;
    assert_eq!((s, d["state"].as_str()), (StatusCode::CREATED, Some("draft")), "{d}");
    d["case_id"].as_i64().unwrap()
}

/// The audit actions recorded on deletion request `id`, oldest first.
async fn audit_actions(app: &App, admin: &str, id: i64) -> Vec<String> {
    let (s, b) =
        body(app.get(admin, &format!("/api/v1/audit?object_type=deletion_request&object_id={id}")).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let mut v: Vec<String> = b.as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap().to_string()).collect();
    v.reverse();
    v
}

both_backends!(a_counter_draft_is_deleted_on_an_approved_request, |store: Store| async move {
    let app = App::start_at(store, MONDAY).await;
    let (_, item) = market_item(&app, "TESTDELETE0000000000000000000001").await;
    let [counter, head, supervisor, county, reviewer, land, admin] = app
        .ready_tokens([
            "demo_counter",
            "demo_head",
            "demo_supervisor",
            "demo_county",
            "demo_reviewer",
            "demo_land",
            "demo_admin",
        ])
        .await;
    let draft = counter_draft(&app, &counter, item).await;
    let tampered_before = zwfw_store::guards::tamper_after(&app.state.store, 0, 1000).await.unwrap().len();

    // The draft's page offers its author "申请删除"; nobody else.
    let web = signed(&counter);
    let (s, html) = page(&web, &app, &format!("/cases/{draft}/edit")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains(&format!("/governance/deletions/new?record_kind=case_draft&amp;record_id={draft}")),
        "{html}"
    );
    let (s, o) = body(
        app.get(&counter, &format!("/api/v1/governance/deletions/offer?record_kind=case_draft&record_id={draft}"))
            .await,
    )
    .await;
    assert_eq!((s, o["may_request"].as_bool()), (StatusCode::OK, Some(true)), "{o}");

    // Refused with a reason, nothing stored: a colleague who did not enter
    // it, another department, an empty reason, a kind that is not deletable.
    let (s, b) = ask(&app, &reviewer, "case_draft", draft, "该草稿", "录入错误").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_author")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("录入该记录的本人"), "{b}");
    let (s, b) = ask(&app, &land, "case_draft", draft, "该草稿", "录入错误").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another department does not learn it exists: {b}");
    assert!(b["message"].as_str().unwrap().contains("办件"), "the record is what is not found: {b}");
    let (s, b) = ask(&app, &counter, "case_draft", draft, "该草稿", "  ").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_deletion_text")), "{b}");
    let (s, b) = ask(&app, &counter, "case", draft, "该草稿", "录入错误").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_record_kind")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("办件草稿的材料、未提交法制审核的事项草稿"), "{b}");
    let citizen = app.ready_token("demo_citizen").await;
    let (s, b) = ask(&app, &citizen, "case_draft", draft, "该草稿", "录入错误").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("staff_only")), "{b}");
    assert_eq!(requests(&app).await, 0, "nothing stored");

    // The author asks through the page; the head is told.
    let (s, html) =
        page(&web, &app, &format!("/governance/deletions/new?record_kind=case_draft&record_id={draft}")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("办件草稿") && html.contains("赵*"), "the record named, the name masked: {html}");
    let csrf = csrf_of(&html);
    let form = [
        ("_csrf", csrf.as_str()),
        ("record_kind", "case_draft"),
        ("record_id", &draft.to_string()),
        ("content", "误登记的食品经营许可草稿及其扫描件"),
        ("reason", "申请人并未到场办理，窗口误录入"),
    ];
    let r = web.post(app.url("/governance/deletions")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let rid: i64 = to.trim_start_matches("/governance/deletions/").split('?').next().unwrap().parse().unwrap();
    let (_, html) = page(&web, &app, &to).await;
    assert!(html.contains("删除申请已提交") && html.contains("撤回删除申请"), "{html}");
    assert_eq!(told(&app, "demo_head", "删除申请第").await, 1);
    assert_eq!(told(&app, "demo_supervisor", "删除申请第").await, 0, "supervision after consent only");
    let (s, b) = ask(&app, &counter, "case_draft", draft, "再次", "重复").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("deletion_already_requested")), "{b}");

    // Consent: a head of another department, the supervision office and the
    // author are refused with a reason, before the body is read.
    let (s, b) = step(&app, &county, rid, "consent", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_in_department")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("申请人所在部门的部门负责人"), "{b}");
    let r = client()
        .post(app.url(&format!("/api/v1/governance/deletions/{rid}/consent")))
        .bearer_auth(&county)
        .header("content-type", "application/json")
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(r).await, (StatusCode::FORBIDDEN, "not_in_department".to_string()));
    let (s, b) = step(&app, &supervisor, rid, "consent", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("needs_dept_head")), "{b}");
    let (s, b) = step(&app, &supervisor, rid, "perform", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("deletion_wrong_stage")), "not consented yet: {b}");
    let (s, b) = step(&app, &head, rid, "consent", "maybe", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_verdict")), "{b}");
    assert_eq!(state_of(&app, rid).await, "requested");

    // The head consents on the request's page; the supervision office is told.
    let hweb = signed(&head);
    let (_, html) = page(&hweb, &app, &format!("/governance/deletions/{rid}")).await;
    assert!(html.contains("同意删除") && !html.contains("执行删除"), "{html}");
    let (_, html) = page(&hweb, &app, "/governance/deletions?state=requested").await;
    assert!(html.contains(&format!("第{rid}号")), "the head's list: {html}");
    let (s, b) = step(&app, &head, rid, "consent", "approve", "同意").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("consented")), "{b}");
    assert_eq!(told(&app, "demo_supervisor", "删除申请第").await, 1);
    assert_eq!(told(&app, "demo_counter", "删除申请第").await, 1);
    let r = client()
        .post(app.url(&format!("/api/v1/governance/deletions/{rid}/withdraw")))
        .bearer_auth(&counter)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code_of(r).await,
        (StatusCode::CONFLICT, "deletion_wrong_stage".to_string()),
        "withdrawn before consent only"
    );
    // Performance: the head (a wrong role) is refused; the draft is still there.
    let (s, b) = step(&app, &head, rid, "perform", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "{b}");
    assert_eq!(count(&app, &format!("SELECT COUNT(*) AS n FROM cases WHERE id = {draft}")).await, 1);

    // The supervision office performs it on the page.
    let sweb = signed(&supervisor);
    let (_, html) = page(&sweb, &app, &format!("/governance/deletions/{rid}")).await;
    assert!(html.contains("执行删除"), "{html}");
    let csrf = csrf_of(&html);
    let r = sweb
        .post(app.url(&format!("/governance/deletions/{rid}/perform")))
        .form(&[("_csrf", csrf.as_str()), ("decision", "approve"), ("note", "已核实")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app, rid).await, "performed");

    // Gone from the business views…
    let (s, _) = body(app.get(&counter, &format!("/api/v1/cases/{draft}")).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = page(&web, &app, &format!("/cases/{draft}/edit")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = body(app.get(&counter, "/api/v1/cases?state=draft").await).await;
    assert!(!list.to_string().contains(&format!("\"id\":{draft},")), "{list}");
    assert_eq!(count(&app, &format!("SELECT COUNT(*) AS n FROM cases WHERE id = {draft}")).await, 0);
    assert_eq!(count(&app, &format!("SELECT COUNT(*) AS n FROM case_materials WHERE case_id = {draft}")).await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM deletion_marks").await, 0, "no mark outlives its transaction");
    // …kept in the archive with the request, for supervision (personal data masked).
    let (s, a) = body(app.get(&supervisor, "/api/v1/governance/deletions/archive").await).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["rows"][0]["id"].as_i64(), Some(rid), "{a}");
    let (_, d) = body(app.get(&supervisor, &format!("/api/v1/governance/deletions/{rid}")).await).await;
    let tables: Vec<&str> =
        d["archived"].as_array().unwrap().iter().map(|r| r["table_name"].as_str().unwrap()).collect();
    assert_eq!(tables, ["case_materials", "cases"], "{d}");
    let case_row = &d["archived"][1]["row"];
    assert_eq!(case_row["id"].as_i64(), Some(draft));
    assert_eq!(
        (case_row["state"].as_str(), case_row["applicant_mobile"].as_str()),
        (Some("draft"), Some("138****5678"))
    );
    let (_, html) = page(&sweb, &app, "/governance/deletions/archive").await;
    assert!(html.contains("已删除记录存档") && html.contains(&format!("第{rid}号")), "{html}");
    let (_, html) = page(&sweb, &app, &format!("/governance/deletions/{rid}")).await;
    assert!(html.contains("存档的原记录") && html.contains("办件（cases）"), "{html}");
    // The head reads the request, not the archive.
    let (_, d) = body(app.get(&head, &format!("/api/v1/governance/deletions/{rid}")).await).await;
    assert_eq!(d["archived"], json!([]), "{d}");
    let (s, b) = body(app.get(&head, "/api/v1/governance/deletions/archive").await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "{b}");
    assert_eq!(told(&app, "demo_counter", "删除申请第").await, 2);
    assert_eq!(told(&app, "demo_head", "删除申请第").await, 2);
    // Every step is an audit record on the request.
    assert_eq!(
        audit_actions(&app, &admin, rid).await,
        ["deletion_requested", "deletion_consented", "deletion_performed"]
    );

    // A07 is silent for this deletion…
    let r = evaluate(&app, &supervisor).await;
    assert_eq!(r["by_rule"].get("A07"), None, "{r}");
    assert_eq!(zwfw_store::guards::tamper_after(&app.state.store, 0, 1000).await.unwrap().len(), tampered_before);
    assert!(zwfw_store::guards::missing_guards(&app.state.store).await.unwrap().is_empty());
    // …and not for a delete made around the program, even one that forges a
    // mark under the performed request.
    let other = counter_draft(&app, &counter, item).await;
    let pool = || app.state.store.pool();
    zwfw_store::db::query("INSERT INTO deletion_marks (request_id, table_name, row_key) VALUES ($1, 'cases', $2)")
        .bind(rid)
        .bind(other.to_string())
        .execute(pool())
        .await
        .unwrap();
    zwfw_store::db::query("DELETE FROM case_materials WHERE case_id = $1").bind(other).execute(pool()).await.unwrap();
    zwfw_store::db::query("DELETE FROM cases WHERE id = $1").bind(other).execute(pool()).await.unwrap();
    let r = evaluate(&app, &supervisor).await;
    assert_eq!(r["by_rule"]["A07"], 2, "the case and its material: {r}");
});

both_backends!(a_maintenance_request_deletion_is_refused_withdrawn_and_performed, |store: Store| async move {
    let app = App::start_at(store, MONDAY).await;
    let [deptadmin, head, supervisor, center, county] =
        app.ready_tokens(["demo_deptadmin", "demo_head", "demo_supervisor", "demo_center", "demo_county"]).await;
    let (s, b) = submit_api(&app, &deptadmin, "org_data", "更正本局办公地址为人民路1号。").await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let req = b["id"].as_i64().unwrap();
    let kind = "maintenance_request";

    // The request's page offers its author "申请删除".
    let (_, html) = page(&signed(&deptadmin), &app, &format!("/governance/requests/{req}")).await;
    assert!(html.contains(&format!("record_kind=maintenance_request&amp;record_id={req}")), "{html}");
    let (_, html) = page(&signed(&head), &app, &format!("/governance/requests/{req}")).await;
    assert!(!html.contains("申请删除"), "not the author: {html}");

    // Refused at consent, with a reason (required).
    let (s, b) = ask(&app, &deptadmin, kind, req, "本需求", "重复提交").await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let first = b["id"].as_i64().unwrap();
    let (s, b) = step(&app, &head, first, "consent", "refuse", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_deletion_text")), "{b}");
    assert_eq!(state_of(&app, first).await, "requested");
    let (s, b) = step(&app, &head, first, "consent", "refuse", "该需求仍需办理").await;
    assert_eq!(
        (s, b["state"].as_str(), b["consent_note"].as_str()),
        (StatusCode::OK, Some("declined"), Some("该需求仍需办理")),
        "{b}"
    );
    let (s, b) = step(&app, &supervisor, first, "perform", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("deletion_wrong_stage")), "{b}");

    // Asked again and withdrawn by the author (only).
    let (_, b) = ask(&app, &deptadmin, kind, req, "本需求", "重复提交").await;
    let second = b["id"].as_i64().unwrap();
    let r = client()
        .post(app.url(&format!("/api/v1/governance/deletions/{second}/withdraw")))
        .bearer_auth(&head)
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(r).await, (StatusCode::FORBIDDEN, "not_author".to_string()));
    let r = client()
        .post(app.url(&format!("/api/v1/governance/deletions/{second}/withdraw")))
        .bearer_auth(&deptadmin)
        .send()
        .await
        .unwrap();
    let (s, b) = body(r).await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("withdrawn")), "{b}");
    let (s, b) = step(&app, &head, second, "consent", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("deletion_wrong_stage")), "{b}");

    // Asked again, consented, refused by the supervision office with a reason.
    let (_, b) = ask(&app, &deptadmin, kind, req, "本需求", "重复提交").await;
    let third = b["id"].as_i64().unwrap();
    let (s, _) = step(&app, &head, third, "consent", "approve", "").await;
    assert_eq!(s, StatusCode::OK);
    let (s, b) = step(&app, &supervisor, third, "perform", "refuse", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_deletion_text")), "{b}");
    let (s, b) = step(&app, &supervisor, third, "perform", "refuse", "该需求已列入答复计划，不予删除").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("rejected")), "{b}");
    assert_eq!(told(&app, "demo_deptadmin", "删除申请第").await, 3, "declined, consented, rejected");
    let (s, _) = body(app.get(&deptadmin, &format!("/api/v1/governance/requests/{req}")).await).await;
    assert_eq!(s, StatusCode::OK, "still there");

    // A head's own request is consented by nobody but another head.
    let (_, b) = submit_api(&app, &head, "other", "本部门需要新增一个报表。").await;
    let heads_own = b["id"].as_i64().unwrap();
    let (s, b) = ask(&app, &head, kind, heads_own, "本需求", "不再需要").await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = step(&app, &head, b["id"].as_i64().unwrap(), "consent", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_request")), "{b}");

    // An answered request may not be deleted, and one answered after the
    // consent is not deleted at performance.
    let (_, b) = submit_api(&app, &deptadmin, "other", "增加一个统计报表。").await;
    let answered = b["id"].as_i64().unwrap();
    let (_, b) = ask(&app, &deptadmin, kind, answered, "本需求", "不再需要").await;
    let late = b["id"].as_i64().unwrap();
    let (s, _) = step(&app, &head, late, "consent", "approve", "").await;
    assert_eq!(s, StatusCode::OK);
    let a = json!({"decision": "accept", "necessity": "确有需要", "feasibility": "可行"});
    let (s, b) = body(app.post(&center, &format!("/api/v1/governance/requests/{answered}/answer"), a).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = step(&app, &supervisor, late, "perform", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("record_not_deletable")), "{b}");
    assert_eq!(state_of(&app, late).await, "consented", "nothing changed");
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM deleted_records").await, 0);
    let (s, b) = ask(&app, &deptadmin, kind, answered, "本需求", "不再需要").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("record_not_deletable")), "answered: {b}");
    // The supervision office closes the request it could not perform.
    let (s, b) = step(&app, &supervisor, late, "perform", "refuse", "需求已答复，不能删除").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("rejected")), "{b}");

    // Finally performed: the request leaves the lists, kept in the archive.
    let (_, b) = ask(&app, &deptadmin, kind, req, "本需求", "重复提交").await;
    let last = b["id"].as_i64().unwrap();
    let (s, b) = step(&app, &county, last, "consent", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_in_department")), "{b}");
    step(&app, &head, last, "consent", "approve", "").await;
    let (s, b) = step(&app, &supervisor, last, "perform", "approve", "").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("performed")), "{b}");
    assert_eq!(b["archived"][0]["row"]["content"], "更正本局办公地址为人民路1号。", "{b}");
    let (s, _) = body(app.get(&deptadmin, &format!("/api/v1/governance/requests/{req}")).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, l) = body(app.get(&center, "/api/v1/governance/requests").await).await;
    assert!(l["rows"].as_array().unwrap().iter().all(|r| r["id"].as_i64() != Some(req)), "{l}");
    // The lists by state: the head's department's, supervision's all, the author's own.
    let ids = |b: &Value| b["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect::<Vec<_>>();
    let (_, b) = body(app.get(&supervisor, "/api/v1/governance/deletions?state=performed").await).await;
    assert_eq!(ids(&b), vec![last], "{b}");
    let (_, b) = body(app.get(&head, "/api/v1/governance/deletions?state=rejected").await).await;
    assert_eq!(ids(&b), vec![late, third], "{b}");
    let (_, b) = body(app.get(&deptadmin, "/api/v1/governance/deletions?state=requested").await).await;
    assert_eq!(
        (ids(&b), b["scope"].as_str()),
        (vec![], Some("own")),
        "the head's own request is not the author's: {b}"
    );
    let (_, b) = body(app.get(&county, "/api/v1/governance/deletions").await).await;
    assert_eq!(ids(&b), Vec::<i64>::new(), "{b}");
    let (s, _) = body(app.get(&county, &format!("/api/v1/governance/deletions/{last}")).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let r = evaluate(&app, &supervisor).await;
    assert_eq!(r["by_rule"].get("A07"), None, "{r}");
});

both_backends!(a_material_of_a_counter_draft_is_deleted_on_its_own, |store: Store| async move {
    let app = App::start_at(store, MONDAY).await;
    let (_, item) = market_item(&app, "TESTDELETE0000000000000000000003").await;
    let [counter, head, supervisor, reviewer, land] =
        app.ready_tokens(["demo_counter", "demo_head", "demo_supervisor", "demo_reviewer", "demo_land"]).await;
    let draft = counter_draft(&app, &counter, item).await;
    let material = count(&app, &format!("SELECT MAX(id) AS n FROM case_materials WHERE case_id = {draft}")).await;
    let tampered_before = zwfw_store::guards::tamper_after(&app.state.store, 0, 1000).await.unwrap().len();

    // Its author is offered it on the draft's page; a colleague, another
    // department and a kind not deletable are refused, nothing stored.
    let (_, html) = page(&signed(&counter), &app, &format!("/cases/{draft}/edit")).await;
    assert!(
        html.contains(&format!("/governance/deletions/new?record_kind=draft_material&amp;record_id={material}")),
        "{html}"
    );
    let (s, b) = ask(&app, &reviewer, "draft_material", material, "扫描件", "上传错误").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_author")), "{b}");
    let (s, _) = ask(&app, &land, "draft_material", material, "扫描件", "上传错误").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = ask(&app, &counter, "draft_material", 999_999, "扫描件", "上传错误").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(requests(&app).await, 0, "nothing stored");

    // Asked, consented, performed: the material goes, the draft stays.
    let (s, d) = ask(&app, &counter, "draft_material", material, "误上传的他人身份证扫描件", "上传错误").await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let rid = d["id"].as_i64().unwrap();
    assert!(d["record_label"].as_str().unwrap().contains("材料"), "{d}");
    assert_eq!(d["record_link"], format!("/cases/{draft}/edit"), "{d}");
    let (s, b) = step(&app, &head, rid, "consent", "approve", "同意").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = step(&app, &supervisor, rid, "perform", "approve", "已核实").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("performed")), "{b}");
    assert_eq!(count(&app, &format!("SELECT COUNT(*) AS n FROM case_materials WHERE id = {material}")).await, 0);
    assert_eq!(count(&app, &format!("SELECT COUNT(*) AS n FROM cases WHERE id = {draft}")).await, 1);
    let (_, d) = body(app.get(&supervisor, &format!("/api/v1/governance/deletions/{rid}")).await).await;
    let tables: Vec<&str> =
        d["archived"].as_array().unwrap().iter().map(|r| r["table_name"].as_str().unwrap()).collect();
    assert_eq!(tables, ["case_materials"], "{d}");
    assert_eq!(d["archived"][0]["row"]["id"].as_i64(), Some(material), "{d}");
    // A07 stays silent for it.
    let r = evaluate(&app, &supervisor).await;
    assert_eq!(r["by_rule"].get("A07"), None, "{r}");
    assert_eq!(zwfw_store::guards::tamper_after(&app.state.store, 0, 1000).await.unwrap().len(), tampered_before);
    // On a phone each row is a card: a cell's lines stay one block beside its label.
    let (_, html) = page(&signed(&supervisor), &app, "/governance/deletions/archive").await;
    assert!(
        html.contains(r#"<td data-label="申请人"><div>"#) && html.contains(r#"<td data-label="状态"><div>"#),
        "{html}"
    );

    // A material of a submitted case is not deletable.
    let other = counter_draft(&app, &counter, item).await;
    let kept = count(&app, &format!("SELECT MAX(id) AS n FROM case_materials WHERE case_id = {other}")).await;
    app.sql("UPDATE cases SET state = 'submitted' WHERE id = $1", other).await;
    let (s, b) = ask(&app, &counter, "draft_material", kept, "扫描件", "上传错误").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("record_not_deletable")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("未提交的办件草稿及其材料"), "{b}");
});

both_backends!(an_item_draft_never_submitted_is_deleted_on_an_approved_request, |store: Store| async move {
    let app = App::start_at(store, MONDAY).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let [da, head, supervisor, counter, legal] =
        app.ready_tokens(["demo_deptadmin", "demo_head", "demo_supervisor", "demo_counter", "demo_legal"]).await;
    let mut content = zwfw_domain::catalog::example(market);
    content.basic_code = "000117099001".into();
    content.name = "误建的测试事项".into();
    let (s, b) = body(app.post(&da, "/api/v1/items", json!({"content": content, "reason": "新增事项"})).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (item, v1) = (b["item_id"].as_i64().unwrap(), b["version_id"].as_i64().unwrap());
    let tampered_before = zwfw_store::guards::tamper_after(&app.state.store, 0, 1000).await.unwrap().len();

    // Its author is offered it on the item's page; a colleague is refused, nothing stored.
    let (_, html) = page(&signed(&da), &app, &format!("/admin/items/{item}")).await;
    assert!(html.contains(&format!("record_kind=item_draft&amp;record_id={v1}")), "{html}");
    let (s, b) = ask(&app, &counter, "item_draft", v1, "误建事项", "重复建立").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_author")), "{b}");
    let (s, _) = ask(&app, &legal, "item_draft", v1, "误建事项", "重复建立").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another department");
    assert_eq!(requests(&app).await, 0);

    // Asked, consented, performed: the never-published item goes with its draft.
    let (s, d) = ask(&app, &da, "item_draft", v1, "误建的测试事项（第1版草稿）", "与已有事项重复").await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let rid = d["id"].as_i64().unwrap();
    assert!(d["record_label"].as_str().unwrap().contains("事项草稿"), "{d}");
    assert_eq!(step(&app, &head, rid, "consent", "approve", "同意").await.0, StatusCode::OK);
    let (s, b) = step(&app, &supervisor, rid, "perform", "approve", "已核实").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("performed")), "{b}");
    for t in ["items", "item_versions", "item_events"] {
        let key = if t == "items" { "id" } else { "item_id" };
        assert_eq!(count(&app, &format!("SELECT COUNT(*) AS n FROM {t} WHERE {key} = {item}")).await, 0, "{t}");
    }
    let (_, d) = body(app.get(&supervisor, &format!("/api/v1/governance/deletions/{rid}")).await).await;
    let tables: Vec<&str> =
        d["archived"].as_array().unwrap().iter().map(|r| r["table_name"].as_str().unwrap()).collect();
    assert_eq!(tables, ["item_events", "item_versions", "items"], "{d}");
    let r = evaluate(&app, &supervisor).await;
    assert_eq!(r["by_rule"].get("A07"), None, "{r}");
    assert_eq!(zwfw_store::guards::tamper_after(&app.state.store, 0, 1000).await.unwrap().len(), tampered_before);

    // A new version of a published item: the version goes, the item stays
    // in force without an open version; a version once submitted is not deletable.
    let (_, published) = market_item(&app, "TESTDELETE0000000000000000000004").await;
    let (s, b) =
        body(app.post(&da, &format!("/api/v1/items/{published}/versions"), json!({"reason": "调整时限"})).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let v2 = b["version_id"].as_i64().unwrap();
    let number = |v: i64| format!("SELECT version_no AS n FROM item_versions WHERE id = {v}");
    let deleted_no = count(&app, &number(v2)).await;
    let (s, d) = ask(&app, &da, "item_draft", v2, "第2版草稿", "不再调整").await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let rid = d["id"].as_i64().unwrap();
    step(&app, &head, rid, "consent", "approve", "同意").await;
    let (s, b) = step(&app, &supervisor, rid, "perform", "approve", "已核实").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("performed")), "{b}");
    let i = zwfw_store::catalog::get_item(&app.state.store, published).await.unwrap();
    assert_eq!((i.open_version_id, i.published_version_id.is_some()), (None, true));
    let (s, b) =
        body(app.post(&da, &format!("/api/v1/items/{published}/versions"), json!({"reason": "再次调整"})).await).await;
    assert_eq!(s, StatusCode::CREATED, "a new version may be opened again: {b}");
    let v3 = b["version_id"].as_i64().unwrap();
    // Its number is a new one: the deleted draft's stays its own (in the archive).
    assert_eq!(count(&app, &number(v3)).await, deleted_no + 1, "a version number is never given twice");
    let (s, b) = body(
        app.post(
            &da,
            &format!("/api/v1/item-versions/{v3}/actions"),
            json!({"action": "submit", "reason": "提交审核"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = ask(&app, &da, "item_draft", v3, "第3版", "不再调整").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("record_not_deletable")), "{b}");
});

both_backends!(deletion_offer_hides_a_record_from_who_may_not_see_it, |store: Store| async move {
    let app = App::start_at(store, MONDAY).await;
    let (_, item) = market_item(&app, "TESTDELETE0000000000000000000005").await;
    let [counter, reviewer, land, operator, citizen, supervisor, deptadmin] = app
        .ready_tokens([
            "demo_counter",
            "demo_reviewer",
            "demo_land",
            "demo_operator",
            "demo_citizen",
            "demo_supervisor",
            "demo_deptadmin",
        ])
        .await;
    let draft = counter_draft(&app, &counter, item).await;
    let material = count(&app, &format!("SELECT MAX(id) AS n FROM case_materials WHERE case_id = {draft}")).await;
    let (s, b) = submit_api(&app, &deptadmin, "org_data", "更正本局办公地址为人民路1号。").await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let maintenance = b["id"].as_i64().unwrap();
    let offer = |token: String, kind: &'static str, id: i64| {
        let app = &app;
        async move {
            body(
                app.get(&token, &format!("/api/v1/governance/deletions/offer?record_kind={kind}&record_id={id}")).await,
            )
            .await
        }
    };
    for (kind, id, author) in [
        ("case_draft", draft, &counter),
        ("draft_material", material, &counter),
        ("maintenance_request", maintenance, &deptadmin),
    ] {
        // The author is offered it; a colleague of the department sees why not.
        let (s, o) = offer(author.clone(), kind, id).await;
        assert_eq!((s, o["may_request"].as_bool(), o["refusal"].as_str()), (StatusCode::OK, Some(true), None), "{o}");
        let (s, o) = offer(reviewer.clone(), kind, id).await;
        assert_eq!(
            (s, o["may_request"].as_bool(), o["refusal"].as_str()),
            (StatusCode::OK, Some(false), Some("not_author")),
            "{kind}: {o}"
        );
        let (s, o) = offer(supervisor.clone(), kind, id).await;
        assert_eq!((s, o["refusal"].as_str()), (StatusCode::OK, Some("not_author")), "{kind}: {o}");
        // Another department, an operator, the public: answered as a missing id is.
        let (_, missing) = offer(land.clone(), kind, 999_999).await;
        for (who, token) in [("another department", &land), ("an operator", &operator), ("the public", &citizen)] {
            let (s, o) = offer(token.clone(), kind, id).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{kind}, {who}: {o}");
            assert_eq!(o["code"], "not_found", "{kind}, {who}: {o}");
            assert_eq!(o["message"], missing["message"], "{kind}, {who}: as a missing one");
        }
    }
    let (s, o) = offer(land.clone(), "draft_material", 999_999).await;
    assert_eq!((s, o["message"].as_str()), (StatusCode::NOT_FOUND, Some("材料不存在")), "{o}");
    assert_eq!(requests(&app).await, 0, "nothing stored");
});

both_backends!(deletion_offer_of_a_material_links_its_open_request, |store: Store| async move {
    let app = App::start_at(store, MONDAY).await;
    let (_, item) = market_item(&app, "TESTDELETE0000000000000000000006").await;
    let counter = app.ready_token("demo_counter").await;
    let draft = counter_draft(&app, &counter, item).await;
    let material = count(&app, &format!("SELECT MAX(id) AS n FROM case_materials WHERE case_id = {draft}")).await;
    let web = signed(&counter);
    let ask_link = format!("/governance/deletions/new?record_kind=draft_material&amp;record_id={material}");
    let (_, html) = page(&web, &app, &format!("/cases/{draft}/edit")).await;
    assert!(html.contains(&ask_link) && html.contains("申请删除该材料记录"), "{html}");

    let (s, d) = ask(&app, &counter, "draft_material", material, "误上传的扫描件", "上传错误").await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let rid = d["id"].as_i64().unwrap();
    // The draft's page now links the open request instead of offering a second one.
    let (s, html) = page(&web, &app, &format!("/cases/{draft}/edit")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains(&ask_link) && !html.contains("申请删除该材料记录"), "{html}");
    assert!(
        html.contains(&format!(
            r#"<a href="/governance/deletions/{rid}" id="delete-material-{material}">删除申请第{rid}号</a>"#
        )),
        "{html}"
    );
    // The draft itself may still be asked for.
    assert!(
        html.contains(&format!("/governance/deletions/new?record_kind=case_draft&amp;record_id={draft}")),
        "{html}"
    );
    // The form, reached again, leads to the open request.
    let r = web
        .get(app.url(&format!("/governance/deletions/new?record_kind=draft_material&record_id={material}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("/governance/deletions/{rid}").as_str());
    assert_eq!(requests(&app).await, 1);
});

both_backends!(
    a_deletion_its_authors_department_has_no_other_head_for_is_consented_by_who_stands_in,
    |store: Store| async move {
        let app = App::start_at(store, MONDAY).await;
        let [head, admin, supervisor] = app.ready_tokens(["demo_head", "demo_admin", "demo_supervisor"]).await;
        let kind = "maintenance_request";
        let own = |content: &'static str| {
            let (app, head) = (&app, &head);
            async move {
                let (_, b) = submit_api(app, head, "other", content).await;
                let (s, b) = ask(app, head, kind, b["id"].as_i64().unwrap(), "本需求", "不再需要").await;
                assert_eq!(s, StatusCode::CREATED, "{b}");
                b
            }
        };

        // The market's only head asks: with no head at the centre, the system administrator stands in.
        let r = own("本部门需要新增一个报表。").await;
        let id = r["id"].as_i64().unwrap();
        assert_eq!(r["stand_in"].as_str(), Some("system_admin"), "{r}");
        assert_eq!(told(&app, "demo_admin", &format!("删除申请第{id}号")).await, 1, "{r}");
        let (s, b) = step(&app, &head, id, "consent", "approve", "").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_request")), "{b}");
        let (s, html) = page(&signed(&admin), &app, &format!("/governance/deletions/{id}")).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(html.contains(r#"id="stand-in""#) && html.contains("由系统管理员审核"), "{html}");
        assert!(html.contains(&format!(r#"action="/governance/deletions/{id}/consent""#)), "{html}");
        let (s, b) = step(&app, &admin, id, "consent", "approve", "同意").await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("consented")), "{b}");
        let (s, b) = step(&app, &supervisor, id, "perform", "approve", "").await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("performed")), "{b}");
        let (s, _) = body(app.get(&admin, &format!("/api/v1/governance/deletions/{id}")).await).await;
        assert_eq!(s, StatusCode::OK, "who consented still reads it");

        // The centre gets a head qualified today: she stands in, the system administrator no longer.
        let centre = app.department_id("示例市政务服务中心").await;
        crate::rights::new_staff(&app, "test_centre_head", "陈静", centre, &["dept_head"]).await;
        app.qualify("test_centre_head").await;
        let centre_head = app.ready_token("test_centre_head").await;
        let r = own("本部门需要新增第二个报表。").await;
        let id = r["id"].as_i64().unwrap();
        assert_eq!(r["stand_in"].as_str(), Some("centre_head"), "{r}");
        assert_eq!(told(&app, "test_centre_head", &format!("删除申请第{id}号")).await, 1);
        let (s, b) = step(&app, &admin, id, "consent", "approve", "").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("needs_dept_head")), "{b}");
        let (s, b) = step(&app, &centre_head, id, "consent", "refuse", "理由不充分").await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("declined")), "{b}");

        // A colleague's request is the head's own to consent: nobody stands in.
        let deptadmin = app.ready_token("demo_deptadmin").await;
        let (_, b) = submit_api(&app, &deptadmin, "other", "增加一个统计报表。").await;
        let (_, r) = ask(&app, &deptadmin, kind, b["id"].as_i64().unwrap(), "本需求", "不再需要").await;
        assert_eq!(r["stand_in"], Value::Null, "{r}");
        let (s, b) = step(&app, &centre_head, r["id"].as_i64().unwrap(), "consent", "approve", "").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_in_department")), "{b}");
    }
);
