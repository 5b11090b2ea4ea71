//! Misoperation correction (误操作更正) end to end, on SQLite and PostgreSQL:
//! a reviewer passed a step wrongly; she asks from the case's page for its
//! correction, the head of her department consents, the service centre
//! carries it out. The original pass stays in the timeline marked 已更正
//! with a link to the request; the case is back at the step, its timer
//! running on from the step's own start; supervision is told and lists the
//! correction. The wrong people, an event that was not recorded, one of
//! another kind, one no longer in force or corrected already are each
//! refused with a reason, and nothing changes.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

const MONDAY: &str = "2025-12-01T02:00:00Z";
const DAY: i64 = 86_400_000;

async fn ask(app: &App, token: &str, case: i64, seq: i64, kind: &str, reason: &str) -> (StatusCode, Value) {
    let b = json!({"case_id": case, "event_seq": seq, "correction_kind": kind,
        "content": "审查环节误点了通过，应回到审查环节", "reason": reason});
    body(app.post(token, "/api/v1/governance/corrections", b).await).await
}

async fn step(app: &App, token: &str, id: i64, what: &str, decision: &str, note: &str) -> (StatusCode, Value) {
    let path = format!("/api/v1/governance/corrections/{id}/{what}");
    body(app.post(token, &path, json!({"decision": decision, "note": note})).await).await
}

async fn requests(app: &App) -> i64 {
    count(app, "SELECT COUNT(*) AS n FROM correction_requests").await
}

async fn events_of(app: &App, case: i64) -> i64 {
    count(app, &format!("SELECT COUNT(*) AS n FROM case_events WHERE case_id = {case}")).await
}

async fn state_of(app: &App, id: i64) -> String {
    zwfw_store::governance::correction::get(app.state.store.pool(), id).await.unwrap().unwrap().state
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

/// The case's view as stored with its last event.
async fn view_of(app: &App, case: i64) -> zwfw_domain::cases::CaseView {
    let row = zwfw_store::cases::get_case(&app.state.store, case).await.unwrap();
    serde_json::from_str(&row.p.view).unwrap()
}

/// The events an offer names: (number, correction kind).
fn offered_kinds(o: &Value) -> Vec<(i64, String)> {
    let events = o["events"].as_array().unwrap().iter();
    events.map(|e| (e["seq"].as_i64().unwrap(), e["correction_kind"].as_str().unwrap().to_string())).collect()
}

/// The number of the last event of `kind` on the case.
fn last_seq(c: &Value, kind: &str) -> i64 {
    c["events"].as_array().unwrap().iter().rev().find(|e| e["kind"] == kind).unwrap()["seq"].as_i64().unwrap()
}

both_backends!(a_step_passed_wrongly_is_corrected_on_an_approved_request, |store: Store| async move {
    let app = App::start_at(store, MONDAY).await;
    let (_, item) = market_item(&app, "TESTCORRECT000000000000000000001").await;
    let [citizen, counter] = app.ready_tokens(["demo_citizen", "demo_counter"]).await;
    let id = apply(&app, &citizen, item).await;
    act_ok(&app, &counter, id, json!({"action": "accept"})).await;
    act_ok(&app, &counter, id, json!({"action": "pass", "opinion": "材料齐全"})).await;
    // Tuesday: the reviewer passes 审查 by mistake; the case moves to 决定.
    app.advance(DAY);
    let [reviewer] = app.ready_tokens(["demo_reviewer"]).await;
    act_ok(&app, &reviewer, id, json!({"action": "pass", "opinion": "审查通过"})).await;
    app.advance(DAY);
    let [citizen, counter, reviewer, head, county, center, supervisor, land] = app
        .ready_tokens([
            "demo_citizen",
            "demo_counter",
            "demo_reviewer",
            "demo_head",
            "demo_county",
            "demo_center",
            "demo_supervisor",
            "demo_land",
        ])
        .await;
    let c = case(&app, &head, id).await;
    assert_eq!(c["case"]["step_name"], "决定", "{c}");
    let wrong = last_seq(&c, "step_passed");
    let first =
        c["events"].as_array().unwrap().iter().find(|e| e["kind"] == "step_passed").unwrap()["seq"].as_i64().unwrap();
    let accepted = last_seq(&c, "accepted");
    let before = events_of(&app, id).await;

    // The case page offers the reviewer "申请更正" for her pass, and the API names it.
    let (s, o) = body(app.get(&reviewer, &format!("/api/v1/governance/corrections/offer?case_id={id}")).await).await;
    assert_eq!(s, StatusCode::OK, "{o}");
    let offered: Vec<i64> = o["events"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(offered, [wrong], "only the latest pass still in force: {o}");
    let (s, html) = page(&signed(&reviewer), &app, &format!("/cases/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&format!("/governance/corrections/new?case_id={id}")), "{html}");
    // The counter is offered its acceptance (for the applicant's data), not the reviewer's pass.
    let (_, o) = body(app.get(&counter, &format!("/api/v1/governance/corrections/offer?case_id={id}")).await).await;
    let offered = offered_kinds(&o);
    assert_eq!(offered, [(accepted, "applicant_data".to_string())], "{o}");
    let (s, form) = page(&signed(&reviewer), &app, &format!("/governance/corrections/new?case_id={id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains(&format!("value=\"{wrong}:step_passed\"")), "{form}");
    // The form is not shown to the applicant, nor to supervision (which asks for none).
    for (who, text) in [(&citizen, "只能由工作人员办理"), (&supervisor, "监察人员只能查看更正申请")]
    {
        let (s, html) = page(&signed(who), &app, &format!("/governance/corrections/new?case_id={id}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{html}");
        assert!(html.contains(text), "{html}");
    }

    // Refused with a reason, nothing stored.
    let (s, b) = ask(&app, &reviewer, id, 99, "step_passed", "误点通过").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("correction_no_such_event")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("没有第99号办理记录"), "{b}");
    let (s, b) = ask(&app, &reviewer, id, accepted, "step_passed", "误点通过").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("correction_wrong_kind")), "{b}");
    let (s, b) = ask(&app, &counter, id, first, "step_passed", "误点通过").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("correction_not_possible")), "{b}");
    let (s, b) = ask(&app, &counter, id, wrong, "step_passed", "误点通过").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_author")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("录入该办理记录的本人"), "{b}");
    let (s, b) = ask(&app, &land, id, wrong, "step_passed", "误点通过").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a case of another department: {b}");
    assert!(b["message"].as_str().unwrap().contains("办件"), "the case is not found: {b}");
    assert!(!b["message"].as_str().unwrap().contains("更正申请"), "{b}");
    let (s, b) = ask(&app, &supervisor, id, wrong, "step_passed", "误点通过").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("supervision_reads_only")), "{b}");
    let (s, b) = ask(&app, &citizen, id, wrong, "step_passed", "误点通过").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("staff_only")), "{b}");
    let (s, b) = ask(&app, &reviewer, id, wrong, "step_passed", "  ").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_correction_text")), "{b}");
    let (s, b) = ask(&app, &reviewer, id, wrong, "outcome", "误点通过").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_correction_kind")), "{b}");
    let (s, b) = ask(&app, &reviewer, id, wrong, "conclusion", "误点通过").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("correction_wrong_kind")), "{b}");
    assert_eq!(requests(&app).await, 0);

    // The reviewer asks; the head of her department is told.
    let (s, r) = ask(&app, &reviewer, id, wrong, "step_passed", "误点通过，尚未审查完毕").await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let rid = r["id"].as_i64().unwrap();
    assert_eq!((r["state"].as_str(), r["event_kind"].as_str()), (Some("requested"), Some("step_passed")), "{r}");
    assert_eq!(told(&app, "demo_head", &format!("更正申请第{rid}号待您同意")).await, 1);
    let (s, b) = ask(&app, &reviewer, id, wrong, "step_passed", "再次申请").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("correction_already_requested")), "{b}");

    // Consent: only a head of the case's department, and not before; the centre waits.
    let (s, b) = step(&app, &center, rid, "perform", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("correction_wrong_stage")), "{b}");
    let (s, b) = step(&app, &reviewer, rid, "consent", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("needs_dept_head")), "{b}");
    // Who may not read the request (another department's head, an operator) learns nothing of it
    // from a step either: "not found", as when reading it.
    let [operator] = app.ready_tokens(["demo_operator"]).await;
    for who in [&county, &land, &operator] {
        for what in ["consent", "perform", "withdraw"] {
            let (s, b) = step(&app, who, rid, what, "approve", "").await;
            assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{what}: {b}");
            let (s, g) = body(app.get(who, &format!("/api/v1/governance/corrections/{rid}")).await).await;
            assert_eq!((s, g["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{g}");
            assert_eq!(b["message"], g["message"], "the same answer");
        }
    }
    let (s, b) = step(&app, &head, rid, "consent", "refuse", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_correction_text")), "{b}");
    assert_eq!(state_of(&app, rid).await, "requested");
    let (s, b) = step(&app, &head, rid, "consent", "approve", "情况属实").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("consented")), "{b}");
    assert_eq!(told(&app, "demo_center", &format!("更正申请第{rid}号待政务服务中心执行")).await, 1);
    let (s, b) = step(&app, &head, rid, "consent", "approve", "").await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("correction_wrong_stage")),
        "a request already decided: {b}"
    );

    // Carrying out: the centre only; nothing is appended before.
    let (s, b) = step(&app, &head, rid, "perform", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_role")), "{b}");
    let (s, b) = step(&app, &supervisor, rid, "perform", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("supervision_reads_only")), "{b}");
    assert_eq!((events_of(&app, id).await, state_of(&app, rid).await.as_str()), (before, "consented"));
    let (s, b) = step(&app, &center, rid, "perform", "approve", "核实无误").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("performed")), "{b}");
    assert_eq!(b["corrective_seq"].as_i64(), Some(before + 1), "{b}");
    let (s, b) = step(&app, &center, rid, "perform", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("correction_wrong_stage")), "{b}");

    // The case is back at 审查; the original pass stays, marked as corrected.
    let c = case(&app, &head, id).await;
    assert_eq!(
        (c["case"]["state"].as_str(), c["case"]["step_name"].as_str()),
        (Some("in_progress"), Some("审查")),
        "{c}"
    );
    assert_eq!(events_of(&app, id).await, before + 1);
    assert_eq!(last_seq(&c, "step_passed"), wrong, "the original is kept");
    assert_eq!(last_seq(&c, "corrected"), before + 1);
    assert!(zwfw_app::cases::snapshot_matches_events(&app.state, id).await.unwrap(), "the replay agrees");
    // The step's timer runs on from its own start (Monday); the 决定 timer the wrong pass began is gone.
    let v = view_of(&app, id).await;
    let clock = v.clock.unwrap();
    let timers: Vec<(String, String, Option<String>)> = clock
        .steps
        .iter()
        .map(|t| (t.name.clone(), t.started_on.to_string(), t.ended_on.map(|d| d.to_string())))
        .collect();
    assert_eq!(
        timers,
        [
            ("受理".to_string(), "2025-12-01".to_string(), Some("2025-12-01".to_string())),
            ("审查".to_string(), "2025-12-01".to_string(), None),
        ]
    );
    let (_, html) = page(&signed(&head), &app, &format!("/cases/{id}")).await;
    assert!(html.contains("已更正") && html.contains(&format!("/governance/corrections/{rid}")), "{html}");
    assert!(html.contains("<del><strong>办理通过</strong></del>"), "{html}");
    // The corrective record gives the request's reason (the centre's note stays on the request).
    assert!(html.contains("理由：误点通过，尚未审查完毕") && !html.contains("理由：核实无误"), "{html}");
    // The requester, the consenting head and supervision are told.
    assert_eq!(told(&app, "demo_reviewer", &format!("更正申请第{rid}号：已更正")).await, 1);
    assert_eq!(told(&app, "demo_head", &format!("更正申请第{rid}号：已更正")).await, 1);
    assert_eq!(told(&app, "demo_supervisor", "误操作更正报备").await, 1);
    // Corrected already: refused.
    let (s, b) = ask(&app, &reviewer, id, wrong, "step_passed", "再次").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("correction_already_done")), "{b}");

    // The case goes on: the reviewer passes the step again.
    act_ok(&app, &reviewer, id, json!({"action": "pass", "opinion": "审查完毕"})).await;
    let c = case(&app, &head, id).await;
    assert_eq!(c["case"]["step_name"], "决定");
    let again = last_seq(&c, "step_passed");

    // A consented correction is checked again when carried out: the case
    // moved on meanwhile, so it is refused and nothing changes; the centre
    // then refuses the request with its reason.
    let (s, r2) = ask(&app, &reviewer, id, again, "step_passed", "又误点").await;
    assert_eq!(s, StatusCode::CREATED, "{r2}");
    let rid2 = r2["id"].as_i64().unwrap();
    let (s, b) = step(&app, &head, rid2, "consent", "approve", "").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    act_ok(&app, &head, id, json!({"action": "return", "step": 1, "opinion": "重新受理核对"})).await;
    let moved = events_of(&app, id).await;
    let (s, b) = step(&app, &center, rid2, "perform", "approve", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("correction_not_possible")), "{b}");
    assert_eq!((events_of(&app, id).await, state_of(&app, rid2).await.as_str()), (moved, "consented"));
    let (s, b) = step(&app, &center, rid2, "perform", "refuse", "").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_correction_text")), "{b}");
    let (s, b) = step(&app, &center, rid2, "perform", "refuse", "办件已退回受理环节，无需更正").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("rejected")), "{b}");
    assert_eq!(told(&app, "demo_reviewer", &format!("更正申请第{rid2}号：政务服务中心不予更正")).await, 1);

    // Lists: supervision and the centre read all, the reviewer her own, the other department none.
    let list = |t: &str| {
        let t = t.to_string();
        let app = &app;
        async move { body(app.get(&t, "/api/v1/governance/corrections").await).await }
    };
    let (s, p) = list(&supervisor).await;
    assert_eq!((s, p["total"].as_i64(), p["scope"].as_str()), (StatusCode::OK, Some(2), Some("all")), "{p}");
    let (_, p) = list(&center).await;
    assert_eq!(p["total"].as_i64(), Some(2));
    let (_, p) = list(&reviewer).await;
    assert_eq!((p["total"].as_i64(), p["scope"].as_str()), (Some(2), Some("own")));
    let (_, p) = list(&land).await;
    assert_eq!(p["total"].as_i64(), Some(0));
    let (s, _) = body(app.get(&land, &format!("/api/v1/governance/corrections/{rid}")).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, html) = page(&signed(&supervisor), &app, "/governance/corrections").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&format!("/governance/corrections/{rid}")) && html.contains("已更正"), "{html}");
    // On a phone each row is a card: a cell's lines stay one block beside its label.
    assert!(html.contains(r#"<td data-label="申请人"><div>"#), "{html}");

    // Each step is an audit record on the request.
    let [admin] = app.ready_tokens(["demo_admin"]).await;
    let (s, a) =
        body(app.get(&admin, &format!("/api/v1/audit?object_type=correction_request&object_id={rid}")).await).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let mut actions: Vec<&str> = a.as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    actions.reverse();
    assert_eq!(actions, ["correction_requested", "correction_consented", "correction_performed"]);
    assert_invariants(&app).await;
});

/// A valid 居民身份证号 from its first 17 digits.
fn resident_id(first17: &str) -> String {
    format!("{first17}{}", zwfw_domain::ids::ResidentId::check_char(first17).unwrap())
}

async fn ask_data(app: &App, token: &str, case: i64, seq: i64, applicant: Value) -> (StatusCode, Value) {
    let b = json!({"case_id": case, "event_seq": seq, "correction_kind": "applicant_data",
        "content": "受理时申请人姓名、证件号码和联系电话录错", "reason": "窗口录入错误", "applicant": applicant});
    body(app.post(token, "/api/v1/governance/corrections", b).await).await
}

both_backends!(wrong_applicant_data_is_corrected_and_the_applicant_told, |store: Store| async move {
    let app = App::start_at(store, MONDAY).await;
    let (_, item) = market_item(&app, "TESTCORRECT000000000000000000002").await;
    let [citizen, counter, reviewer, head, center] =
        app.ready_tokens(["demo_citizen", "demo_counter", "demo_reviewer", "demo_head", "demo_center"]).await;
    // The counter registers a walk-in applicant with the wrong name, number and mobile, and accepts.
    let (_, up) = upload(&app, &counter, PDF, "扫描件.pdf").await;
    let wrong_id = resident_id("52990219900307123");
    let reg = json!({"applicant": {"kind": "natural", "name": "赵陆", "id_no": wrong_id, "mobile": "13812345678",
        "address": "示例市东城区人民路1号"}, "materials": [{"material_no": 1, "upload_id": up["id"]}]});
    let (s, b) = body(app.post(&counter, &format!("/api/v1/items/{item}/applications"), reg).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["case_id"].as_i64().unwrap();
    act_ok(&app, &counter, id, json!({"action": "accept"})).await;
    act_ok(&app, &counter, id, json!({"action": "pass", "opinion": "材料齐全"})).await;
    let c = case(&app, &head, id).await;
    let accepted = last_seq(&c, "accepted");
    let passed = last_seq(&c, "step_passed");
    let step_before = c["case"]["step_name"].clone();
    zwfw_store::exchange::derive(&app.state.store).await.unwrap();
    let accept_rows =
        format!("SELECT COUNT(*) AS n FROM exchange_outbox WHERE case_id = {id} AND tbl = 'up_pro_accept'");
    assert_eq!(count(&app, &accept_rows).await, 1);

    // The acceptance is offered for an applicant-data correction, with the data masked.
    let (s, o) = body(app.get(&counter, &format!("/api/v1/governance/corrections/offer?case_id={id}")).await).await;
    assert_eq!(s, StatusCode::OK, "{o}");
    let offered = offered_kinds(&o);
    assert!(offered.contains(&(accepted, "applicant_data".to_string())), "{o}");
    assert_eq!(o["applicant"]["mobile"], "138****5678", "{o}");
    let (s, form) = page(&signed(&counter), &app, &format!("/governance/corrections/new?case_id={id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        form.contains(&format!("value=\"{accepted}:applicant_data\"")) && form.contains("更正后的申请人信息"),
        "{form}"
    );
    assert!(!form.contains("13812345678") && !form.contains(&wrong_id), "masked: {form}");

    // Bad values, checked as at application: refused, nothing stored.
    let right_id = resident_id("52990219900307124");
    let good = json!({"name": "赵六", "id_no": right_id, "mobile": "13900000002"});
    for (applicant, status, code) in [
        (Value::Null, StatusCode::UNPROCESSABLE_ENTITY, "correction_values_required"),
        (json!({"id_no": "529902199003071231"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_resident_id"),
        (json!({"mobile": "1234"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_mobile"),
        (json!({"email": "不是邮箱"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_email"),
        (json!({"kind": "robot"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_applicant"),
        (json!({"name": "赵陆", "mobile": "13812345678"}), StatusCode::UNPROCESSABLE_ENTITY, "correction_no_change"),
    ] {
        let (s, b) = ask_data(&app, &counter, id, accepted, applicant.clone()).await;
        assert_eq!((s, b["code"].as_str()), (status, Some(code)), "{applicant}: {b}");
    }
    let (s, b) = ask_data(&app, &counter, id, passed, good.clone()).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("correction_wrong_kind")), "{b}");
    let (s, b) = ask_data(&app, &reviewer, id, accepted, good.clone()).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_author")), "{b}");
    assert_eq!(requests(&app).await, 0);

    // Asked, consented, carried out.
    let (s, r) = ask_data(&app, &counter, id, accepted, good).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let rid = r["id"].as_i64().unwrap();
    assert_eq!(r["correction_kind"], "applicant_data");
    assert_eq!(
        (r["corrected_applicant"]["name"].as_str(), r["corrected_applicant"]["mobile"].as_str()),
        (Some("赵*"), Some("139****0002")),
        "{r}"
    );
    let (s, b) = step(&app, &head, rid, "consent", "approve", "").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let before = events_of(&app, id).await;
    let (s, b) = step(&app, &center, rid, "perform", "approve", "").await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("performed")), "{b}");
    assert_eq!(b["corrective_seq"].as_i64(), Some(before + 1));

    // The case's record takes the corrected data; where it stands does not move.
    let row = zwfw_store::cases::get_case(&app.state.store, id).await.unwrap();
    assert_eq!(
        (row.applicant_name.as_str(), row.applicant_id_no.as_str(), row.applicant_mobile.as_str()),
        ("赵六", right_id.as_str(), "13900000002")
    );
    assert_eq!(row.applicant_address, "示例市东城区人民路1号", "a field left empty keeps its value");
    let c = case(&app, &head, id).await;
    assert_eq!((c["case"]["state"].as_str(), &c["case"]["step_name"]), (Some("in_progress"), &step_before), "{c}");
    assert!(zwfw_app::cases::snapshot_matches_events(&app.state, id).await.unwrap(), "the replay agrees");
    // The timeline keeps the original values, masked, and marks the acceptance without striking it out.
    let (_, html) = page(&signed(&head), &app, &format!("/cases/{id}")).await;
    assert!(html.contains("申请人信息已更正") && html.contains(&format!("/governance/corrections/{rid}")), "{html}");
    assert!(html.contains("原记录：姓名或单位名称 赵*") && html.contains("联系电话 138****5678"), "{html}");
    assert!(html.contains("更正为：姓名或单位名称 赵*") && html.contains("联系电话 139****0002"), "{html}");
    assert!(!html.contains("<del><strong>受理</strong></del>") && !html.contains(&wrong_id), "{html}");
    // The applicant is told at the corrected mobile; supervision is told.
    zwfw_app::cases::notices::derive(&app.state).await.unwrap();
    let sms = count(
        &app,
        "SELECT COUNT(*) AS n FROM notifications WHERE channel = 'sms' AND mobile = '13900000002' AND title LIKE '申请人信息已更正%'",
    )
    .await;
    assert_eq!(sms, 1);
    assert_eq!(told(&app, "demo_supervisor", "误操作更正报备").await, 1);
    // The exchange sends the acceptance row again, as a new version.
    zwfw_store::exchange::derive(&app.state.store).await.unwrap();
    assert_eq!(count(&app, &accept_rows).await, 2);
    assert_eq!(
        count(
            &app,
            &format!("SELECT MAX(version) AS n FROM exchange_outbox WHERE case_id = {id} AND tbl = 'up_pro_accept'")
        )
        .await,
        2
    );
    // The data may be corrected again; a step's correction is not blocked by it.
    let (s, o) = body(app.get(&counter, &format!("/api/v1/governance/corrections/offer?case_id={id}")).await).await;
    assert_eq!(s, StatusCode::OK);
    assert!(o["events"].as_array().unwrap().iter().any(|e| e["seq"] == accepted), "{o}");
    assert!(o["events"].as_array().unwrap().iter().any(|e| e["seq"] == passed), "{o}");

    // An online application: its identity is the account's, its contact may be corrected.
    let online = apply(&app, &citizen, item).await;
    act_ok(&app, &counter, online, json!({"action": "accept"})).await;
    let acc = last_seq(&case(&app, &head, online).await, "accepted");
    let (s, b) = ask_data(&app, &counter, online, acc, json!({"name": "别人"})).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("correction_identity_of_account")),
        "{b}"
    );
    let (s, b) = ask_data(&app, &counter, online, acc, json!({"mobile": "13900000003"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // A concluded case whose decision was published (双公示, 审管) is refused, with the route to take.
    let tokens = [citizen.clone(), counter.clone(), reviewer.clone(), head.clone()];
    let done =
        conclude(&app, &tokens, item, json!({"action": "conclude", "outcome": "denied", "opinion": "场所不符"})).await;
    let acc = last_seq(&case(&app, &head, done).await, "accepted");
    let (s, b) = ask_data(&app, &counter, done, acc, json!({"mobile": "13900000004"})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("correction_records_derived")), "{b}");
    assert_invariants(&app).await;
});

/// How many rows `sql` counts (`SELECT COUNT(*) AS n …`), the audit trail sealed first.
async fn sealed_count(app: &App, sql: &str) -> i64 {
    zwfw_store::audit::seal(&app.state.store).await.unwrap();
    count(app, sql).await
}

/// The licences, the 双公示 records, the 审管 records and the exchange
/// rows of a case, every derivation done: what a refused correction must
/// leave as it was.
async fn derived_of(app: &App, case: i64) -> [i64; 5] {
    zwfw_app::cases::notices::derive(&app.state).await.unwrap();
    zwfw_app::licenses::issue::run_pending(&app.state).await.unwrap();
    zwfw_store::exchange::derive(&app.state.store).await.unwrap();
    [
        count(app, &format!("SELECT COUNT(*) AS n FROM licenses WHERE case_id = {case} AND status = 'valid'")).await,
        count(
            app,
            &format!("SELECT COUNT(*) AS n FROM credit_licensing WHERE case_id = {case} AND invalid_on IS NULL"),
        )
        .await,
        count(app, &format!("SELECT COUNT(*) AS n FROM handovers WHERE case_id = {case}")).await,
        count(app, &format!("SELECT COUNT(*) AS n FROM exchange_outbox WHERE case_id = {case}")).await,
        events_of(app, case).await,
    ]
}

both_backends!(
    a_wrong_conclusion_is_corrected_before_delivery_and_what_followed_it_undone,
    |store: Store| async move {
        let app = App::start_at(store, MONDAY).await;
        let market = app.department_id("示例市市场监督管理局").await;
        let land = app.department_id("示例市自然资源局").await;
        let [admin, citizen, counter, reviewer, head, land_staff, _, _] = crate::handover::accounts(&app).await;
        let item =
            crate::handover::licensed_item(&app, &admin, vec![land], "TESTCORRECTCONCLUSION0000000001", 931).await;
        crate::rights::new_staff(&app, "test_head_two", "郑明", market, &["dept_head"]).await;
        app.qualify("test_head_two").await;
        let [center, head_two] = app.ready_tokens(["demo_center", "test_head_two"]).await;
        let tokens = [citizen.clone(), counter.clone(), reviewer.clone(), head.clone()];
        let grant = json!({"action": "conclude", "outcome": "granted", "document_no": "JY0000000000931",
        "valid_until": "2030-12-31"});

        // The head grants by mistake: the licence is issued, the 双公示 record and the 审管 push derived.
        let id = crate::handover::conclude(&app, &tokens, item, grant.clone()).await;
        zwfw_app::cases::notices::derive(&app.state).await.unwrap();
        zwfw_app::licenses::issue::run_pending(&app.state).await.unwrap();
        zwfw_store::exchange::derive(&app.state.store).await.unwrap();
        let before = derived_of(&app, id).await;
        assert_eq!(before[..3], [1, 1, 1], "licence, 双公示 record, 审管 push: {before:?}");
        let c = case(&app, &head, id).await;
        let concluded = last_seq(&c, "concluded");
        let last_pass = last_seq(&c, "step_passed");
        assert_eq!(c["case"]["result_no"], "JY0000000000931", "{c}");

        // The head who decided is offered her conclusion; the reviewer nothing of it.
        let (s, o) = body(app.get(&head, &format!("/api/v1/governance/corrections/offer?case_id={id}")).await).await;
        assert_eq!(s, StatusCode::OK, "{o}");
        assert!(offered_kinds(&o).contains(&(concluded, "conclusion".to_string())), "{o}");
        let (_, o) =
            body(app.get(&reviewer, &format!("/api/v1/governance/corrections/offer?case_id={id}")).await).await;
        assert!(!offered_kinds(&o).iter().any(|(_, k)| k == "conclusion"), "{o}");
        let (s, form) = page(&signed(&head), &app, &format!("/governance/corrections/new?case_id={id}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(form.contains(&format!("value=\"{concluded}:conclusion\"")) && form.contains("回到待决定"), "{form}");

        // Bad input, nothing changes.
        let (s, b) = ask(&app, &head, id, last_pass, "conclusion", "误点准予").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("correction_wrong_kind")), "{b}");
        let (s, b) = ask(&app, &reviewer, id, concluded, "conclusion", "误点准予").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_author")), "{b}");
        let (s, b) = ask(&app, &head, id, concluded, "step_passed", "误点准予").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("correction_wrong_kind")), "{b}");
        assert_eq!((requests(&app).await, derived_of(&app, id).await), (0, before));

        // The head asks, the other head consents, the centre carries it out.
        let (s, r) = ask(&app, &head, id, concluded, "conclusion", "应为不予许可，误点准予").await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let rid = r["id"].as_i64().unwrap();
        assert_eq!((r["correction_kind"].as_str(), r["event_kind"].as_str()), (Some("conclusion"), Some("concluded")));
        let (s, b) = step(&app, &head, rid, "consent", "approve", "同意").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_request")), "{b}");
        let (s, b) = step(&app, &head_two, rid, "consent", "approve", "情况属实").await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("consented")), "{b}");
        let (s, b) = step(&app, &center, rid, "perform", "approve", "核实无误").await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("performed")), "{b}");
        let corrective = b["corrective_seq"].as_i64().unwrap();
        assert_eq!(corrective, before[4] + 1, "{b}");

        // The case waits for its decision again; the original 办结 stays, struck out.
        let c = case(&app, &head, id).await;
        assert_eq!(
            (c["case"]["state"].as_str(), c["case"]["step_name"].as_str()),
            (Some("deciding"), Some("决定")),
            "{c}"
        );
        assert!(c["case"]["outcome"].is_null() && c["case"]["result_no"].is_null(), "{c}");
        assert!(c["case"]["concluded_at"].is_null(), "open again: {c}");
        assert_eq!(last_seq(&c, "concluded"), concluded, "the original is kept");
        assert!(zwfw_app::cases::snapshot_matches_events(&app.state, id).await.unwrap(), "the replay agrees");
        let v = view_of(&app, id).await;
        assert_eq!((v.outcome, v.clock.as_ref().unwrap().concluded_on), (None, None), "the clock runs on");
        let (_, html) = page(&signed(&head), &app, &format!("/cases/{id}")).await;
        assert!(html.contains("<del><strong>办结</strong></del>"), "{html}");
        assert!(html.contains(r#"<del class="pre">准予许可"#), "the decision's line struck out too: {html}");
        assert!(!html.contains("双公示记录转为无效"), "no more said than what happened: {html}");
        assert!(html.contains(&format!("/governance/corrections/{rid}")) && html.contains("回到待决定"), "{html}");
        assert!(html.contains("结论已更正，本文书不再有效"), "the decision's document is kept, marked: {html}");
        // The decision's document, never rendered before, is superseded: listed so, and served to nobody.
        let docs = c["documents"].as_array().unwrap();
        let wrong_doc = docs.iter().find(|d| d["event_seq"].as_i64() == Some(concluded)).unwrap();
        assert_eq!(wrong_doc["superseded"].as_bool(), Some(true), "{c}");
        assert!(docs.iter().filter(|d| d["id"] != wrong_doc["id"]).all(|d| d["superseded"] == false), "{c}");
        let doc_path = format!("/cases/{id}/documents/{}", wrong_doc["id"]);
        for who in [&citizen, &head, &center] {
            let (s, b) = body(app.get(who, &format!("/api/v1{doc_path}")).await).await;
            assert_eq!((s, b["code"].as_str()), (StatusCode::GONE, Some("document_superseded")), "{b}");
            assert!(b["message"].as_str().unwrap().contains("结论已更正，本文书不再有效"), "{b}");
        }
        let (s, html) = page(&signed(&citizen), &app, &doc_path).await;
        assert_eq!(s, StatusCode::GONE, "{html}");
        assert!(html.contains("结论已更正，本文书不再有效"), "{html}");
        let (_, html) = page(&signed(&citizen), &app, &format!("/cases/{id}")).await;
        assert!(!html.contains(&format!("href=\"{doc_path}\"")), "not offered for download: {html}");
        let rendered = format!("SELECT COUNT(*) AS n FROM case_documents WHERE case_id = {id} AND file_sm3 <> ''");
        assert_eq!(count(&app, &rendered).await, 0, "nothing rendered");

        // What followed the wrong grant is undone, nothing deleted.
        let licence =
            |status: &str| format!("SELECT COUNT(*) AS n FROM licenses WHERE case_id = {id} AND status = '{status}'");
        assert_eq!((count(&app, &licence("valid")).await, count(&app, &licence("voided")).await), (0, 1));
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) AS n FROM license_events WHERE change = 'voided' AND note LIKE '办结结论更正%'"
            )
            .await,
            1,
            "the 作废 is signed and in the licence's history"
        );
        let credit =
            format!("SELECT COUNT(*) AS n FROM credit_licensing WHERE case_id = {id} AND invalid_on IS NOT NULL");
        assert_eq!(count(&app, &credit).await, 1, "the 双公示 record shows 无效");
        let reason = format!(
            "SELECT COUNT(*) AS n FROM credit_licensing WHERE case_id = {id} \
             AND invalid_reason = '作废：办结结论更正（更正申请第{rid}号）：应为不予许可，误点准予'"
        );
        assert_eq!(count(&app, &reason).await, 1, "made 无效 with its licence's 作废");
        let b = crate::handover::inbox(&app, &land_staff, "?state=all").await;
        let kinds: Vec<(&str, &str)> = b["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["kind"].as_str().unwrap(), r["decision"].as_str().unwrap()))
            .collect();
        assert!(kinds.contains(&("conclusion_corrected", "granted")), "the regulator is told: {b}");
        assert!(kinds.contains(&("license_change", "voided")), "and of the licence: {b}");
        zwfw_store::exchange::derive(&app.state.store).await.unwrap();
        let process = format!(
        "SELECT COUNT(*) AS n FROM exchange_outbox WHERE case_id = {id} AND tbl = 'up_pro_process' AND event_seq = {corrective}"
    );
        assert_eq!(count(&app, &process).await, 1, "the exchange reports the corrective event");
        // Who is told.
        zwfw_app::cases::notices::derive(&app.state).await.unwrap();
        assert_eq!(told(&app, "demo_citizen", "办理结论已更正").await, 1);
        assert_eq!(told(&app, "demo_head", "待您决定：办结结论已更正").await, 1);
        assert_eq!(told(&app, "demo_supervisor", "误操作更正报备").await, 1);
        assert_eq!(told(&app, "demo_head", &format!("更正申请第{rid}号：已更正")).await, 1);
        let audit = |action: &str| format!("SELECT COUNT(*) AS n FROM audit_log WHERE action = '{action}'");
        for action in ["case_corrected", "correction_performed", "conclusion_undone"] {
            assert_eq!(sealed_count(&app, &audit(action)).await, 1, "{action}");
        }
        // Corrected already: refused.
        let (s, b) = ask(&app, &head, id, concluded, "conclusion", "再次").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("correction_already_done")), "{b}");

        // The head decides again by the ordinary decision: the new decision derives its own records.
        let regrant = json!({"action": "conclude", "outcome": "granted", "document_no": "JY0000000000932",
        "valid_until": "2029-12-31"});
        act_ok(&app, &head, id, regrant).await;
        zwfw_app::cases::notices::derive(&app.state).await.unwrap();
        zwfw_app::licenses::issue::run_pending(&app.state).await.unwrap();
        assert_eq!(
            (count(&app, &licence("valid")).await, count(&app, &licence("voided")).await),
            (1, 1),
            "a new licence"
        );
        let standing =
            format!("SELECT COUNT(*) AS n FROM credit_licensing WHERE case_id = {id} AND invalid_on IS NULL");
        assert_eq!(count(&app, &standing).await, 1, "a new 双公示 record");
        let b = crate::handover::inbox(&app, &land_staff, "?state=all").await;
        let pushes: Vec<&Value> = b["rows"].as_array().unwrap().iter().filter(|r| r["kind"] == "conclusion").collect();
        assert_eq!(pushes.len(), 2, "the new grant is pushed: {b}");
        let licences: Vec<&str> = pushes.iter().map(|r| r["license"].as_str().unwrap()).collect();
        assert_ne!(licences[0], licences[1], "each push names its own licence: {b}");
        let c = case(&app, &head, id).await;
        assert_eq!(
            (c["case"]["state"].as_str(), c["case"]["result_no"].as_str()),
            (Some("concluded"), Some("JY0000000000932"))
        );
        assert!(zwfw_app::cases::snapshot_matches_events(&app.state, id).await.unwrap());
        // The new decision's document is valid and served.
        let regranted = last_seq(&c, "concluded");
        assert_ne!(regranted, concluded);
        let new_doc = c["documents"].as_array().unwrap().iter().find(|d| d["event_seq"] == regranted).cloned();
        let new_doc = new_doc.unwrap_or_else(|| panic!("{c}"));
        assert_eq!(new_doc["superseded"].as_bool(), Some(false), "{c}");
        let r = app.get(&citizen, &format!("/api/v1/cases/{id}/documents/{}", new_doc["id"])).await;
        assert_eq!(r.status(), StatusCode::OK);

        // A licence still waiting to be issued (a type held by legal persons, the applicant a
        // natural person): its issue is withdrawn with the grant, and no licence is issued after.
        let mut content = zwfw_domain::catalog::example(market);
        content.regulator_department_ids = vec![land];
        let waiting = publish(&app, &content, "TESTCORRECTCONCLUSION0000000002").await;
        let code = format!("{}001", zwfw_app::demo::credit_code_for("100000", 932));
        let t = json!({"code": code, "name": "单位许可证", "define_authority": "国家市场监督管理总局",
        "define_authority_level": "国家级", "holder_kind": "legal", "validity_years": 5,
        "template": "单位名称", "item_ids": [waiting]});
        let (s, b) = body(app.post(&admin, "/api/v1/admin/license-types", t).await).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let pending = crate::handover::conclude(&app, &tokens, waiting, grant.clone()).await;
        let job = format!("SELECT COUNT(*) AS n FROM license_jobs WHERE case_id = {pending} AND state = 'pending'");
        assert_eq!(count(&app, &job).await, 1, "the issue waits");
        zwfw_app::cases::notices::derive(&app.state).await.unwrap();
        let standing =
            format!("SELECT COUNT(*) AS n FROM credit_licensing WHERE case_id = {pending} AND invalid_on IS NULL");
        assert_eq!(count(&app, &standing).await, 1, "its 双公示 record derived");
        let done = last_seq(&case(&app, &head, pending).await, "concluded");
        let (s, r) = ask(&app, &head, pending, done, "conclusion", "误点准予").await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let w = r["id"].as_i64().unwrap();
        assert_eq!(step(&app, &head_two, w, "consent", "approve", "同意").await.0, StatusCode::OK);
        assert_eq!(step(&app, &center, w, "perform", "approve", "核实").await.0, StatusCode::OK);
        let withdrawn =
            format!("SELECT COUNT(*) AS n FROM license_jobs WHERE case_id = {pending} AND state = 'withdrawn'");
        assert_eq!((count(&app, &job).await, count(&app, &withdrawn).await), (0, 1));
        // No licence to void: the record is made 无效 by the correction itself, its reason said once.
        let reason = format!(
            "SELECT COUNT(*) AS n FROM credit_licensing WHERE case_id = {pending} \
             AND invalid_reason = '办结结论更正（更正申请第{w}号）：误点准予'"
        );
        assert_eq!(count(&app, &reason).await, 1, "the reason, its prefix once");
        zwfw_app::licenses::issue::run_pending(&app.state).await.unwrap();
        let issued = format!("SELECT COUNT(*) AS n FROM licenses WHERE case_id = {pending}");
        assert_eq!(count(&app, &issued).await, 0, "nothing issued under the corrected grant");

        // A decision delivered binds: refused, with the route; nothing changes.
        let other = crate::handover::conclude(&app, &tokens, item, grant.clone()).await;
        zwfw_app::licenses::issue::run_pending(&app.state).await.unwrap();
        act_ok(&app, &counter, other, json!({"action": "deliver", "method": "窗口领取"})).await;
        let done = last_seq(&case(&app, &head, other).await, "concluded");
        let kept = (requests(&app).await, derived_of(&app, other).await);
        let (s, b) = ask(&app, &head, other, done, "conclusion", "误点准予").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("correction_decision_delivered")), "{b}");
        assert!(b["message"].as_str().unwrap().contains("第六十九条"), "{b}");
        assert_eq!((requests(&app).await, derived_of(&app, other).await), kept);

        // A case delivered between consent and carrying out: refused then, nothing changes.
        let third = crate::handover::conclude(&app, &tokens, item, grant).await;
        zwfw_app::licenses::issue::run_pending(&app.state).await.unwrap();
        let done = last_seq(&case(&app, &head, third).await, "concluded");
        let (s, r) = ask(&app, &head, third, done, "conclusion", "误点准予").await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let late = r["id"].as_i64().unwrap();
        let (s, _) = step(&app, &head_two, late, "consent", "approve", "同意").await;
        assert_eq!(s, StatusCode::OK);
        act_ok(&app, &counter, third, json!({"action": "deliver", "method": "窗口领取"})).await;
        zwfw_app::cases::notices::derive(&app.state).await.unwrap();
        let kept = derived_of(&app, third).await;
        let (s, b) = step(&app, &center, late, "perform", "approve", "核实").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("correction_decision_delivered")), "{b}");
        assert_eq!((derived_of(&app, third).await, state_of(&app, late).await.as_str()), (kept, "consented"));
        assert_invariants(&app).await;
    }
);

both_backends!(
    a_correction_the_departments_only_head_asks_for_is_consented_by_who_stands_in,
    |store: Store| async move {
        let app = App::start_at(store, MONDAY).await;
        let market = app.department_id("示例市市场监督管理局").await;
        let centre = app.department_id("示例市政务服务中心").await;
        let (_, item) = market_item(&app, "TESTCORRECTSTANDIN00000000000001").await;
        let [citizen, counter, reviewer] = app.ready_tokens(["demo_citizen", "demo_counter", "demo_reviewer"]).await;
        let id = apply(&app, &citizen, item).await;
        act_ok(&app, &counter, id, json!({"action": "accept"})).await;
        act_ok(&app, &counter, id, json!({"action": "pass", "opinion": "材料齐全"})).await;
        act_ok(&app, &reviewer, id, json!({"action": "pass", "opinion": "审查通过"})).await;
        let [head, admin, center, county] =
            app.ready_tokens(["demo_head", "demo_admin", "demo_center", "demo_county"]).await;
        let wrong = last_seq(&case(&app, &head, id).await, "step_passed");

        // The market's only head asks: the centre has no head, the system administrator stands in
        // and is told when it is asked and withdrawn.
        let (s, r) = ask(&app, &head, id, wrong, "step_passed", "误点通过").await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let first = r["id"].as_i64().unwrap();
        let (s, b) =
            body(app.post(&head, &format!("/api/v1/governance/corrections/{first}/withdraw"), json!({})).await).await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("withdrawn")), "{b}");
        assert_eq!(told(&app, "demo_admin", &format!("更正申请第{first}号待您同意")).await, 1);
        assert_eq!(told(&app, "demo_admin", &format!("更正申请第{first}号已撤回")).await, 1);
        let (s, r) = ask(&app, &head, id, wrong, "step_passed", "误点通过，尚未审查完毕").await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let rid = r["id"].as_i64().unwrap();
        assert_eq!(r["stand_in"].as_str(), Some("system_admin"), "{r}");
        assert_eq!(r["may_consent"].as_bool(), Some(false), "not to her own: {r}");
        assert_eq!(told(&app, "demo_admin", &format!("更正申请第{rid}号待您同意")).await, 1);
        let (s, b) = step(&app, &head, rid, "consent", "approve", "").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_request")), "{b}");
        let (s, b) = step(&app, &county, rid, "consent", "approve", "").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{b}");
        let (s, b) = step(&app, &center, rid, "consent", "approve", "").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("needs_dept_head")), "{b}");
        let (s, b) = body(app.get(&admin, &format!("/api/v1/governance/corrections/{rid}")).await).await;
        assert_eq!((s, b["may_consent"].as_bool()), (StatusCode::OK, Some(true)), "{b}");
        let (s, html) = page(&signed(&admin), &app, &format!("/governance/corrections/{rid}")).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(html.contains(r#"id="stand-in""#) && html.contains("由系统管理员审核"), "{html}");
        assert!(html.contains(&format!(r#"action="/governance/corrections/{rid}/consent""#)), "{html}");
        let (s, b) = step(&app, &admin, rid, "consent", "approve", "情况属实").await;
        assert_eq!((s, b["state"].as_str(), b["stand_in"].as_str()), (StatusCode::OK, Some("consented"), None), "{b}");
        // The notices and the page say who consented, in whose stead.
        assert_eq!(told(&app, "demo_head", &format!("更正申请第{rid}号：系统管理员（代部门负责人）已同意")).await, 1);
        let to_centre = format!(
            "SELECT COUNT(*) AS n FROM notifications WHERE user_id = {} AND title LIKE '更正申请第{rid}号待政务服务中心执行%' \
             AND body LIKE '系统管理员（代部门负责人）已同意%'",
            app.user_id("demo_center").await
        );
        assert_eq!(count(&app, &to_centre).await, 1);
        let (_, html) = page(&signed(&head), &app, &format!("/governance/corrections/{rid}")).await;
        assert!(html.contains("系统管理员（代部门负责人）意见"), "{html}");
        assert_eq!(b["consent_as"].as_str(), Some("system_admin"), "{b}");
        // Who consented does not carry it out too: another of the centre does.
        let (s, b) = step(&app, &admin, rid, "perform", "approve", "核实无误").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_consent")), "{b}");
        assert!(b["message"].as_str().unwrap().contains("同意该更正申请的人不能再执行"), "{b}");
        assert_eq!(state_of(&app, rid).await, "consented");
        let (s, b) = step(&app, &center, rid, "perform", "approve", "核实无误").await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("performed")), "{b}");
        assert_eq!(told(&app, "demo_admin", &format!("更正申请第{rid}号：已更正")).await, 1, "who consented");
        let c = case(&app, &head, id).await;
        assert_eq!(c["case"]["step_name"], "审查", "{c}");

        // The centre gets a head qualified today: she stands in, the system administrator no longer.
        act_ok(&app, &reviewer, id, json!({"action": "pass", "opinion": "审查完毕"})).await;
        let again = last_seq(&case(&app, &head, id).await, "step_passed");
        crate::rights::new_staff(&app, "test_centre_head", "陈静", centre, &["dept_head"]).await;
        app.qualify("test_centre_head").await;
        let centre_head = app.ready_token("test_centre_head").await;
        let (s, r) = ask(&app, &head, id, again, "step_passed", "又误点通过").await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let rid2 = r["id"].as_i64().unwrap();
        assert_eq!(r["stand_in"].as_str(), Some("centre_head"), "{r}");
        assert_eq!(told(&app, "test_centre_head", &format!("更正申请第{rid2}号待您同意")).await, 1);
        assert_eq!(told(&app, "demo_admin", &format!("更正申请第{rid2}号")).await, 0);
        // Her list shows it beside her own department's; the page the note and the form.
        let (s, p) = body(app.get(&centre_head, "/api/v1/governance/corrections").await).await;
        assert_eq!((s, p["total"].as_i64(), p["scope"].as_str()), (StatusCode::OK, Some(1), Some("department")), "{p}");
        assert_eq!((p["rows"][0]["id"].as_i64(), p["rows"][0]["may_consent"].as_bool()), (Some(rid2), Some(true)));
        let (s, p) = body(app.get(&centre_head, "/api/v1/governance/corrections?state=performed").await).await;
        assert_eq!((s, p["total"].as_i64()), (StatusCode::OK, Some(0)), "{p}");
        let (_, p) = body(app.get(&county, "/api/v1/governance/corrections").await).await;
        assert_eq!(p["total"].as_i64(), Some(0), "another department's head: {p}");
        let (s, html) = page(&signed(&centre_head), &app, &format!("/governance/corrections/{rid2}")).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(html.contains(r#"id="stand-in""#) && html.contains("由政务服务中心的部门负责人审核"), "{html}");
        assert!(html.contains("审核（代本部门负责人）"), "{html}");
        let (s, b) = step(&app, &admin, rid2, "consent", "approve", "").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("needs_dept_head")), "{b}");
        let (s, b) = step(&app, &county, rid2, "consent", "approve", "").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{b}");
        let (s, b) = step(&app, &centre_head, rid2, "consent", "approve", "情况属实").await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("consented")), "{b}");
        assert_eq!(b["consent_as"].as_str(), Some("centre_head"), "{b}");
        let by_centre = format!("更正申请第{rid2}号：政务服务中心负责人（代部门负责人）已同意");
        assert_eq!(told(&app, "demo_head", &by_centre).await, 1);
        let (_, html) = page(&signed(&head), &app, &format!("/governance/corrections/{rid2}")).await;
        assert!(html.contains("政务服务中心负责人（代部门负责人）意见"), "{html}");
        assert_eq!(told(&app, "demo_center", &format!("更正申请第{rid2}号待政务服务中心执行")).await, 1);
        let (s, b) = step(&app, &center, rid2, "perform", "approve", "核实无误").await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("performed")), "{b}");
        let (s, _) = body(app.get(&centre_head, &format!("/api/v1/governance/corrections/{rid2}")).await).await;
        assert_eq!(s, StatusCode::OK, "who consented still reads it");
        assert_eq!(case(&app, &head, id).await["case"]["step_name"], "审查");

        // With a second head in the market nobody stands in: the centre's head is refused.
        act_ok(&app, &reviewer, id, json!({"action": "pass", "opinion": "审查完毕"})).await;
        let third = last_seq(&case(&app, &head, id).await, "step_passed");
        crate::rights::new_staff(&app, "test_head_two", "郑明", market, &["dept_head"]).await;
        app.qualify("test_head_two").await;
        let head_two = app.ready_token("test_head_two").await;
        let (s, r) = ask(&app, &head, id, third, "step_passed", "第三次误点").await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let rid3 = r["id"].as_i64().unwrap();
        assert_eq!(r["stand_in"], Value::Null, "{r}");
        assert_eq!(told(&app, "test_centre_head", &format!("更正申请第{rid3}号")).await, 0);
        let (s, b) = step(&app, &centre_head, rid3, "consent", "approve", "").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{b}");
        let (s, b) = step(&app, &admin, rid3, "consent", "approve", "").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("needs_dept_head")), "{b}");
        let (s, html) = page(&signed(&head_two), &app, &format!("/governance/corrections/{rid3}")).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(!html.contains(r#"id="stand-in""#) && html.contains("部门负责人审核"), "{html}");
        let (s, b) = step(&app, &head_two, rid3, "consent", "approve", "情况属实").await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("consented")), "{b}");
        assert_eq!(b["consent_as"], Value::Null, "{b}");
        assert_eq!(told(&app, "demo_head", &format!("更正申请第{rid3}号：部门负责人已同意")).await, 1);
        let (_, html) = page(&signed(&head), &app, &format!("/governance/corrections/{rid3}")).await;
        assert!(html.contains(">部门负责人意见<"), "{html}");
        assert_eq!(state_of(&app, rid3).await, "consented");
        assert_invariants(&app).await;
    }
);

both_backends!(a_head_not_qualified_as_head_is_not_asked_to_consent, |store: Store| async move {
    // 李娜 holds 部门负责人 besides 窗口人员, qualified only as 窗口人员: a
    // correction's consent is asked of the heads who may give it, not of her.
    let app = App::start_at(store, MONDAY).await;
    let (_, item) = market_item(&app, "TESTCORRECT000000000000000000009").await;
    let counter_id = app.user_id("demo_counter").await;
    let mut tx = app.state.store.begin().await.unwrap();
    zwfw_store::admin::set_roles(
        &mut tx,
        counter_id,
        &[zwfw_domain::admin::Role::Counter, zwfw_domain::admin::Role::DeptHead],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let [citizen, counter, reviewer] = app.ready_tokens(["demo_citizen", "demo_counter", "demo_reviewer"]).await;
    let id = apply(&app, &citizen, item).await;
    act_ok(&app, &counter, id, json!({"action": "accept"})).await;
    act_ok(&app, &counter, id, json!({"action": "pass", "opinion": "材料齐全"})).await;
    act_ok(&app, &reviewer, id, json!({"action": "pass", "opinion": "审查通过"})).await;
    let [head] = app.ready_tokens(["demo_head"]).await;
    let c = case(&app, &head, id).await;
    let (s, r) = ask(&app, &reviewer, id, last_seq(&c, "step_passed"), "step_passed", "误点通过").await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert!(told(&app, "demo_head", "更正申请").await >= 1, "the qualified head is asked");
    assert_eq!(told(&app, "demo_counter", "更正申请").await, 0, "the head not qualified as such is not");
});
