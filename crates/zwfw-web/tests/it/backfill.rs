//! 补录 end to end, on SQLite and PostgreSQL: a fault of the market
//! department is declared and cleared 28 hours later; its counter enters a
//! paper application received during it, then the acceptance, the three
//! steps and the grant, each with its real time and paper number; the
//! clocks count from the real acceptance; the case's events and the
//! exchange outbox carry the real times; the timeline flags each entry.
//! Refused, each changing nothing: a time in the future, before the fault,
//! after its clearing, before the case's last event; a department the fault
//! does not cover; a role without the right; supervision. Supervision lists
//! the entries per department; the evaluation counts them apart.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_domain::catalog::example;
use zwfw_store::{both_backends, Store};

/// Tuesday 2026-12-01, 09:00 in Beijing.
const NOW: &str = "2026-12-01T09:00:00+08:00";
const HOUR: i64 = 3_600_000;

fn ms(t: &str) -> i64 {
    zwfw_domain::time::parse_rfc3339(t).unwrap()
}

/// What a refusal must leave as it was: the case events and the 补录 entries.
async fn written(app: &App) -> (i64, i64, i64) {
    (
        count(app, "SELECT COUNT(*) AS n FROM case_events").await,
        count(app, "SELECT COUNT(*) AS n FROM case_backfills").await,
        count(app, "SELECT COUNT(*) AS n FROM cases").await,
    )
}

fn walk_in() -> Value {
    let first17 = "52990219900307123";
    let id_no = format!("{first17}{}", zwfw_domain::ids::ResidentId::check_char(first17).unwrap());
    json!({"kind": "natural", "name": "赵六", "id_no": id_no, "mobile": "13812345678", "address": "示例市东城区"})
}

both_backends!(paper_cases_are_entered_later_with_their_real_times, |store: Store| async move {
    let app = App::start_at(store, NOW).await;
    let [counter, _, _, center, ..] = app
        .ready_tokens(["demo_counter", "demo_reviewer", "demo_head", "demo_center", "demo_supervisor", "demo_land"])
        .await;
    let (market, item) = market_item(&app, "TESTBACKFILL000000000000000001").await;
    let land_dept = app.department_id("示例市自然资源局").await;
    let land_item = publish(&app, &example(land_dept), "TESTBACKFILL000000000000000002").await;

    // The market department's acceptance system fails since 08:00.
    let (s, f) = body(
        app.post(
            &counter,
            "/api/v1/faults",
            json!({"what": "受理系统无法登记办件", "since": "2026-12-01T08:00:00+08:00", "scope": "department", "department_id": market}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    let fault = f["id"].as_i64().unwrap();
    // Reported only, it opens no paper period: nothing to name, an entry refused.
    let (_, choices) = body(app.get(&counter, "/api/v1/backfill/faults").await).await;
    assert_eq!(choices, json!([]), "an unconfirmed fault is not offered");
    let early = json!({"fault_id": fault, "paper_no": "市监收〔2026〕000号", "at": "2026-12-01T09:00:00+08:00",
        "applicant": walk_in(), "form": {"申请事项说明": "新办食品经营许可"}, "paper_materials": [1]});
    let (s, e) = body(app.post(&counter, &format!("/api/v1/items/{item}/backfill"), early).await).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("backfill_fault_unconfirmed")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("尚未经政务服务中心确认"), "{e}");
    let (s, _) = code_of(app.post(&center, &format!("/api/v1/faults/{fault}/acknowledge"), json!({})).await).await;
    assert_eq!(s, StatusCode::OK);
    // Cleared 27 hours on (2026-12-02 12:00): the market worked on paper meanwhile.
    app.advance(27 * HOUR);
    let center = app.signed_in("demo_center").await;
    let (s, _) = code_of(app.post(&center, &format!("/api/v1/faults/{fault}/clear"), json!({})).await).await;
    assert_eq!(s, StatusCode::OK);
    // An hour after the clearing, the paper cases are entered.
    app.advance(HOUR);
    let counter = app.signed_in("demo_counter").await;
    let reviewer = app.signed_in("demo_reviewer").await;
    let head = app.signed_in("demo_head").await;
    let sup = app.signed_in("demo_supervisor").await;
    let land = app.signed_in("demo_land").await;

    // The faults an entry may name: the market's for its counter, none for the land department.
    let (_, choices) = body(app.get(&counter, "/api/v1/backfill/faults").await).await;
    assert_eq!(choices.as_array().unwrap().len(), 1, "{choices}");
    assert_eq!(choices[0]["number"], format!("GZ{fault:06}"));
    let (_, choices) = body(app.get(&land, "/api/v1/backfill/faults").await).await;
    assert_eq!(choices, json!([]));

    // Refused paper applications change nothing.
    let apply = |at: &str, paper: &str| {
        json!({"fault_id": fault, "paper_no": paper, "at": at, "applicant": walk_in(),
               "form": {"申请事项说明": "新办食品经营许可"}, "paper_materials": [1]})
    };
    let path = format!("/api/v1/items/{item}/backfill");
    let before = written(&app).await;
    for (at, code) in [
        ("2026-12-02T14:00:00+08:00", "backfill_in_future"),
        ("2026-12-01T07:59:00+08:00", "backfill_outside_fault"),
        ("2026-12-02T12:30:00+08:00", "backfill_outside_fault"),
        ("昨天上午", "backfill_at_invalid"),
    ] {
        let (s, e) = body(app.post(&counter, &path, apply(at, "市监收〔2026〕001号")).await).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{at}: {e}");
    }
    let (_, e) = body(app.post(&counter, &path, apply("2026-12-01T07:59:00+08:00", "x")).await).await;
    assert!(e["message"].as_str().unwrap().contains("2026-12-01 08:00"), "{e}");
    let (s, e) = body(app.post(&counter, &path, apply("2026-12-01T10:00:00+08:00", " ")).await).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("backfill_paper_no_missing")), "{e}");
    let mut no_materials = apply("2026-12-01T10:00:00+08:00", "市监收〔2026〕001号");
    no_materials["paper_materials"] = json!([]);
    let (s, e) = body(app.post(&counter, &path, no_materials).await).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("materials_missing")), "{e}");
    // A department the fault does not cover: the land department's counter, for its own item.
    let (s, e) = body(
        app.post(
            &land,
            &format!("/api/v1/items/{land_item}/backfill"),
            apply("2026-12-01T10:00:00+08:00", "自然收1号"),
        )
        .await,
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("backfill_not_covered")), "{e}");
    // Roles without the right: a reviewer registers no application; supervision enters nothing (refused before the body).
    let (s, c) = code_of(app.post(&reviewer, &path, apply("2026-12-01T10:00:00+08:00", "市监收1号")).await).await;
    assert_eq!((s, c.as_str()), (StatusCode::FORBIDDEN, "missing_role"));
    let r = client()
        .post(app.url(&path))
        .bearer_auth(&sup)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    let (s, c) = code_of(r).await;
    assert_eq!((s, c.as_str()), (StatusCode::FORBIDDEN, "supervision_reads_only"));
    assert_eq!(written(&app).await, before);

    // The paper application received at 10:00 on the first day.
    let (s, sub) =
        body(app.post(&counter, &path, apply("2026-12-01T10:00:00+08:00", "市监收〔2026〕001号")).await).await;
    assert_eq!(s, StatusCode::CREATED, "{sub}");
    let id = sub["case_id"].as_i64().unwrap();
    assert!(sub["case_no"].as_str().unwrap().contains("20261201"), "numbered on the day received: {sub}");
    assert_eq!(sub["state"], "submitted");
    // The same paper application entered again (its document number, the
    // same item; another time, even spaced otherwise) makes no second case.
    let before = written(&app).await;
    for (at, paper) in
        [("2026-12-01T10:00:00+08:00", "市监收〔2026〕001号"), ("2026-12-01T11:00:00+08:00", " 市监收〔2026〕001号 ")]
    {
        let (s, e) = body(app.post(&counter, &path, apply(at, paper)).await).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("backfill_application_repeated")), "{e}");
        assert_eq!(e["detail"], sub["case_no"], "{e}");
        let msg = e["message"].as_str().unwrap();
        assert!(msg.contains(sub["case_no"].as_str().unwrap()) && msg.contains("只能补录一次"), "{msg}");
    }
    assert_eq!(written(&app).await, before);

    let enter = |action: Value, at: &str, paper: &str| {
        let mut a = action;
        a["fault_id"] = json!(fault);
        a["at"] = json!(at);
        a["paper_no"] = json!(paper);
        a
    };
    let act_path = format!("/api/v1/cases/{id}/backfill");
    let (s, r) = body(
        app.post(
            &counter,
            &act_path,
            enter(json!({"action": "accept"}), "2026-12-01T10:30:00+08:00", "市监受〔2026〕001号"),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");

    // Refused actions change nothing.
    let before = written(&app).await;
    let pass = json!({"action": "pass", "opinion": "材料齐全"});
    for (at, code) in [
        ("2026-12-02T14:00:00+08:00", "backfill_in_future"),
        ("2026-12-01T07:00:00+08:00", "backfill_outside_fault"),
        ("2026-12-02T12:01:00+08:00", "backfill_outside_fault"),
        ("2026-12-01T10:20:00+08:00", "backfill_before_last_event"),
    ] {
        let (s, e) = body(app.post(&counter, &act_path, enter(pass.clone(), at, "市监审1号")).await).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{at}: {e}");
    }
    let (_, e) = body(app.post(&counter, &act_path, enter(pass.clone(), "2026-12-01T10:20:00+08:00", "x")).await).await;
    assert!(e["message"].as_str().unwrap().contains("2026-12-01 10:30"), "{e}");
    // The counter's step is not the reviewer's: the same rule as on the platform.
    let (s, c) =
        code_of(app.post(&reviewer, &act_path, enter(pass.clone(), "2026-12-01T11:00:00+08:00", "x")).await).await;
    assert_eq!((s, c.as_str()), (StatusCode::FORBIDDEN, "not_step_role"));
    // What the system records is not entered later.
    let (s, c) = code_of(
        app.post(
            &head,
            &act_path,
            enter(json!({"action": "urge", "opinion": "请加快"}), "2026-12-01T11:00:00+08:00", "x"),
        )
        .await,
    )
    .await;
    assert_eq!((s, c.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "backfill_not_enterable"));
    // Another department reads no such case.
    let (s, _) = code_of(app.post(&land, &act_path, enter(pass.clone(), "2026-12-01T11:00:00+08:00", "x")).await).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(written(&app).await, before);

    // The steps and the grant, on paper, on the first and second day.
    for (who, action, at, paper) in [
        (
            &counter,
            json!({"action": "pass", "opinion": "材料齐全"}),
            "2026-12-01T11:00:00+08:00",
            "市监审〔2026〕001号",
        ),
        (
            &reviewer,
            json!({"action": "pass", "opinion": "审查通过"}),
            "2026-12-01T15:00:00+08:00",
            "市监审〔2026〕002号",
        ),
        (&head, json!({"action": "pass", "opinion": "同意"}), "2026-12-02T09:00:00+08:00", "市监审〔2026〕003号"),
        (
            &head,
            json!({"action": "conclude", "outcome": "granted", "document_no": "JY15299020000001"}),
            "2026-12-02T10:00:00+08:00",
            "市监许〔2026〕001号",
        ),
    ] {
        let (s, r) = body(app.post(who, &act_path, enter(action, at, paper)).await).await;
        assert_eq!(s, StatusCode::OK, "{at}: {r}");
    }

    // The clocks count from the real acceptance (12-01): ten working days
    // end on 12-15, twenty on 12-29 (accepted at entry, 12-02, they would
    // end a day later); concluded at its real time, on time.
    let (_, d) = body(app.get(&counter, &format!("/api/v1/cases/{id}")).await).await;
    let c = &d["case"];
    assert_eq!(c["state"], "concluded", "{d}");
    assert_eq!(c["accepted_at"].as_i64(), Some(ms("2026-12-01T10:30:00+08:00")));
    assert_eq!(c["submitted_at"].as_i64(), Some(ms("2026-12-01T10:00:00+08:00")));
    assert_eq!(c["concluded_at"].as_i64(), Some(ms("2026-12-02T10:00:00+08:00")));
    assert_eq!((c["promised_due"].as_str(), c["legal_due"].as_str()), (Some("2026-12-15"), Some("2026-12-29")));
    // Each event at its real time, flagged with the fault, the paper number and who entered it when.
    let events = d["events"].as_array().unwrap();
    let ats: Vec<i64> = events.iter().map(|e| e["at"].as_i64().unwrap()).collect();
    let want: Vec<i64> = [
        "2026-12-01T10:00:00+08:00",
        "2026-12-01T10:30:00+08:00",
        "2026-12-01T11:00:00+08:00",
        "2026-12-01T15:00:00+08:00",
        "2026-12-02T09:00:00+08:00",
        "2026-12-02T10:00:00+08:00",
    ]
    .iter()
    .map(|t| ms(t))
    .collect();
    assert_eq!(ats, want);
    let entered_at = ms("2026-12-02T13:00:00+08:00");
    for e in events {
        let b = &e["body"]["backfill"];
        assert_eq!(b["fault_id"].as_i64(), Some(fault), "{e}");
        assert!(b["entered_at_ms"].as_i64().unwrap() >= entered_at, "{e}");
        assert!(!b["paper_no"].as_str().unwrap().is_empty());
    }
    assert_eq!(events[1]["body"]["backfill"]["paper_no"], "市监受〔2026〕001号");
    assert_eq!(events[1]["body"]["backfill"]["entered_by"].as_i64(), Some(app.user_id("demo_counter").await));
    assert_eq!(count(&app, &format!("SELECT COUNT(*) AS n FROM case_originals WHERE case_id = {id}")).await, 1);

    // The exchange outbox: a row per reported step, each from its event, whose time is the real one.
    zwfw_app::exchange::derive(&app.state).await.unwrap();
    let rows = count(&app, &format!("SELECT COUNT(*) AS n FROM exchange_outbox WHERE case_id = {id}")).await;
    assert!(rows >= 3, "the acceptance, the steps and the result are reported ({rows})");
    let accept_row = count(
        &app,
        &format!(
            "SELECT COUNT(*) AS n FROM exchange_outbox o JOIN case_events e ON e.case_id = o.case_id AND e.seq = o.event_seq \
             WHERE o.case_id = {id} AND o.tbl = 'up_pro_accept' AND e.at = {}",
            ms("2026-12-01T10:30:00+08:00")
        ),
    )
    .await;
    assert_eq!(accept_row, 1, "the acceptance row is of the real acceptance");

    // Supervision lists the entries per department; the department its own; another department none.
    let (_, l) = body(app.get(&sup, &format!("/api/v1/backfill?department_id={market}")).await).await;
    assert_eq!((l["total"].as_i64(), l["all"].as_bool()), (Some(6), Some(true)), "{l}");
    let kinds: Vec<&str> = l["entries"].as_array().unwrap().iter().map(|e| e["event_kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["concluded", "step_passed", "step_passed", "step_passed", "accepted", "submitted"]);
    assert_eq!(l["entries"][0]["paper_no"], "市监许〔2026〕001号");
    assert_eq!(l["entries"][0]["entered_name"], "吴海");
    let (_, l) = body(app.get(&counter, "/api/v1/backfill").await).await;
    assert_eq!((l["total"].as_i64(), l["all"].as_bool()), (Some(6), Some(false)));
    let (s, l) = body(app.get(&land, &format!("/api/v1/backfill?department_id={market}")).await).await;
    assert_eq!(
        (s, l["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_in_department")),
        "another's is refused: {l}"
    );
    let (_, l) = body(app.get(&land, "/api/v1/backfill").await).await;
    assert_eq!(l["total"], 0, "another department lists only its own");

    // The evaluation counts the 补录 apart: one case, six entries, concluded on time.
    let (s, ev) = body(app.get(&sup, "/api/v1/supervision/evaluation?period=2026-12").await).await;
    assert_eq!(s, StatusCode::OK, "{ev}");
    let line = ev["backfill"].as_array().unwrap().iter().find(|b| b["department_id"] == market).cloned().unwrap();
    assert_eq!(
        (line["cases"].as_i64(), line["entries"].as_i64(), line["concluded"].as_i64(), line["late"].as_i64()),
        (Some(1), Some(6), Some(1), Some(0)),
        "{line}"
    );

    // Every entry is audited as the platform's own action, with its marks.
    zwfw_store::audit::seal(&app.state.store).await.unwrap();
    let marked =
        count(&app, "SELECT COUNT(*) AS n FROM audit_log WHERE action LIKE 'case_%' AND detail LIKE '%paper_no%'")
            .await;
    assert_eq!(marked, 6);
    // Another paper number of the same item is another application; the
    // same number of another item too.
    let (s, other) =
        body(app.post(&counter, &path, apply("2026-12-01T10:05:00+08:00", "市监收〔2026〕002号")).await).await;
    assert_eq!(s, StatusCode::CREATED, "{other}");
    assert_ne!(other["case_id"], json!(id));
    let second_item = publish(&app, &example(market), "TESTBACKFILL000000000000000003").await;
    let (s, other) = body(
        app.post(
            &counter,
            &format!("/api/v1/items/{second_item}/backfill"),
            apply("2026-12-01T10:05:00+08:00", "市监收〔2026〕001号"),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{other}");
    assert_invariants(&app).await;
    let _: Value = ev;
});

both_backends!(the_backfill_pages_enter_and_flag_paper_cases, |store: Store| async move {
    let app = App::start_at(store, NOW).await;
    let [counter, sup, center] = app.ready_tokens(["demo_counter", "demo_supervisor", "demo_center"]).await;
    let (market, item) = market_item(&app, "TESTBACKFILL000000000000000003").await;
    let (s, f) = body(
        app.post(
            &counter,
            "/api/v1/faults",
            json!({"what": "平台无法访问", "since": "2026-12-01T08:00:00+08:00", "scope": "platform"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    let fault = f["id"].as_i64().unwrap().to_string();
    let (s, _) = code_of(app.post(&center, &format!("/api/v1/faults/{fault}/acknowledge"), json!({})).await).await;
    assert_eq!(s, StatusCode::OK);
    let _ = market;
    let c = signed(&counter);
    let (s, html) = page(&c, &app, &format!("/backfill/new?item={item}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("实际收件时间") && html.contains(&format!("GZ{:0>6}", fault)), "{html}");
    let csrf = csrf_of(&html);
    let id_no = walk_in()["id_no"].as_str().unwrap().to_string();
    let mut fields = vec![
        ("_csrf", csrf.clone()),
        ("fault_id", fault.clone()),
        ("paper_no", "市监收〔2026〕009号".to_string()),
        ("kind", "natural".into()),
        ("name", "赵六".into()),
        ("id_no", id_no),
        ("mobile", "13812345678".into()),
        ("m1", "1".into()),
    ];
    // A time in the future: the form again with the reason, nothing written.
    let mut future = fields.clone();
    future.push(("at", "2026-12-01T09:30".into()));
    let r = c.post(app.url(&format!("/backfill/items/{item}"))).form(&future).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("补录的实际办理时间不能晚于现在"));
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM cases").await, 0);
    fields.push(("at", "2026-12-01T08:40".into()));
    let r = c.post(app.url(&format!("/backfill/items/{item}"))).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("纸质申请已补录"), "{html}");
    let id = count(&app, "SELECT MAX(id) AS n FROM cases").await;

    // The acceptance through the case's 补录 form; the timeline flags both.
    let (s, html) = page(&c, &app, &format!("/cases/{id}/backfill")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("受理"), "{html}");
    let r = c
        .post(app.url(&format!("/cases/{id}/backfill")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("fault_id", fault.as_str()),
            ("paper_no", "市监受〔2026〕009号"),
            ("at", "2026-12-01T08:50"),
            ("action", "accept"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&c, &app, &format!("/cases/{id}?done=backfill")).await;
    assert!(html.contains("补录已登记"), "{html}");
    assert!(html.contains("纸质文书编号 市监受〔2026〕009号"), "{html}");
    assert_eq!(html.matches("tag backfill").count(), 2, "{html}");
    // Before the last event: the reason, nothing written.
    let r = c
        .post(app.url(&format!("/cases/{id}/backfill")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("fault_id", fault.as_str()),
            ("paper_no", "市监审1号"),
            ("at", "2026-12-01T08:45"),
            ("action", "pass"),
            ("opinion", "材料齐全"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("不能早于该办件的上一条办理记录（2026-12-01 08:50"), "{html}");
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM case_backfills").await, 2);

    // Supervision's list.
    let (s, html) = page(&signed(&sup), &app, "/backfill").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("市监受〔2026〕009号") && html.contains("全部部门"), "{html}");
});
