//! Notices on the steps of a case: written with the step, to every channel
//! of the applicant (in-app, SMS, e-mail through a real SMTP server) and to
//! the department heads who must decide.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_app::outbox::email::send_due;
use zwfw_app::outbox::SendReport;
use zwfw_domain::catalog::example;
use zwfw_store::{both_backends, Store};

/// The market department's example item (食品经营许可) published; its id.
async fn item(app: &App) -> i64 {
    let market = app.department_id("示例市市场监督管理局").await;
    publish(app, &example(market), "TESTNOTICE000000000000000000001").await
}

/// The signed-in account's in-app notices, newest first, and the unread count.
async fn inbox(app: &App, token: &str) -> (Vec<Value>, i64) {
    let (s, b) = body(app.get(token, "/api/v1/me/notifications").await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    (b["messages"].as_array().unwrap().clone(), b["unread"].as_i64().unwrap())
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

both_backends!(supplement_notice_reaches_the_applicant_in_app_and_by_e_mail, |store: Store| async move {
    if !SmtpServer::wanted() {
        return;
    }
    let server = SmtpServer::start(SmtpServer::free_port());
    let app = App::start_with_smtp(store, FRIDAY, SmtpServer::config(server.port)).await;
    let item = item(&app).await;
    let citizen = app.ready_token("demo_citizen").await;
    let counter = app.ready_token("demo_counter").await;

    // An address that is not one: a clear error, nothing changed.
    let (s, b) = body(app.put(&citizen, "/api/v1/me/email", json!({"email": "zhangsan@localhost"})).await).await;
    assert_eq!(
        (s, text(&b["code"]), text(&b["detail"])),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_email", "domain")
    );
    assert!(text(&b["message"]).contains("邮箱"), "{b}");
    let (_, me) = body(app.get(&citizen, "/api/v1/me").await).await;
    assert_eq!(me["email"], Value::Null, "nothing changed");
    let (s, b) = body(app.put(&citizen, "/api/v1/me/email", json!({"email": " zhangsan@example.cn "})).await).await;
    assert_eq!((s, text(&b["email"])), (StatusCode::OK, "zhangsan@example.cn"), "{b}");

    let id = apply(&app, &citizen, item).await;
    let c = case(&app, &citizen, id).await;
    let (no, applicant) = (text(&c["case"]["case_no"]).to_string(), text(&c["case"]["applicant_name"]).to_string());
    let (before, _) = inbox(&app, &citizen).await;
    act_ok(
        &app,
        &counter,
        id,
        json!({"action": "supplement_request", "missing": ["营业执照复印件不清晰。", "缺少场所平面图"]}),
    )
    .await;

    // In-app at once: what to supplement and by when, the item, the number, the link.
    let (messages, unread) = inbox(&app, &citizen).await;
    assert_eq!(messages.len(), before.len() + 1);
    let m = &messages[0];
    assert_eq!(text(&m["title"]), "请补正材料：食品经营许可");
    let b = text(&m["body"]);
    assert!(b.starts_with(&format!("{applicant}：")), "addressed to the applicant, not to staff: {b}");
    assert!(b.contains(&no) && b.contains("1. 营业执照复印件不清晰；2. 缺少场所平面图"), "{b}");
    assert!(b.contains("请于2025年10月") && !b.contains("。；"), "{b}");
    assert_eq!(text(&m["link"]), format!("/cases/{id}"));
    assert!(unread >= 1);

    // By e-mail: handed to the SMTP server and read back by another parser.
    assert_eq!(send_due(&app.state).await.unwrap(), SendReport { sent: 1, failed: 0, given_up: 0 });
    assert_eq!(send_due(&app.state).await.unwrap(), SendReport::default(), "sent once");
    let mails = server.mails();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail["rcpt_tos"], json!(["zhangsan@example.cn"]));
    assert_eq!(text(&mail["subject"]), "请补正材料：食品经营许可", "the Chinese subject decodes: {mail}");
    assert!(text(&mail["from"]).contains("示例市政务服务"), "{mail}");
    assert_eq!((text(&mail["content_type"]), text(&mail["charset"])), ("text/plain", "utf-8"));
    let t = text(&mail["text"]);
    assert!(t.contains(&no) && t.contains("营业执照复印件不清晰"), "{t}");
    assert!(t.contains(&format!("https://zwfw.example.gov.cn/cases/{id}")), "{t}");

    // The SMS waits for a gateway (none here), to the application's mobile, masked on the page.
    let admin = app.ready_token("demo_admin").await;
    let (_, ob) = body(app.get(&admin, "/api/v1/admin/outbox?state=waiting").await).await;
    assert_eq!((ob["gateway"].as_bool(), ob["smtp"].as_bool()), (Some(false), Some(true)), "{ob}");
    let sms = ob["messages"].as_array().unwrap().iter().find(|m| m["channel"] == "sms").expect("an SMS waits");
    assert_eq!(text(&sms["title"]), "请补正材料：食品经营许可");
    assert!(text(&sms["recipient"]).contains("****"), "{sms}");
    let (_, ob) = body(app.get(&admin, "/api/v1/admin/outbox?state=sent").await).await;
    let sent = &ob["messages"][0];
    assert_eq!((text(&sent["channel"]), text(&sent["recipient"])), ("email", "zh***@example.cn"), "{sent}");
    assert!(!ob.to_string().contains("zhangsan@example.cn"), "the address is masked: {ob}");
    assert_invariants(&app).await;
});

both_backends!(e_mail_waits_while_the_smtp_server_is_down_and_goes_once_it_is_up, |store: Store| async move {
    if !SmtpServer::wanted() {
        return;
    }
    let port = SmtpServer::free_port();
    let app = App::start_with_smtp(store, FRIDAY, SmtpServer::config(port)).await;
    let item = item(&app).await;
    let citizen = app.ready_token("demo_citizen").await;
    let counter = app.ready_token("demo_counter").await;
    // The address given with the application (the account gives none); one that is not one is refused.
    let (_, up) = upload(&app, &citizen, PDF, "申请书.pdf").await;
    let path = format!("/api/v1/items/{item}/applications");
    let application = |email: &str| {
        json!({"materials": [{"material_no": 1, "upload_id": up["id"]}],
               "applicant": {"kind": "", "name": "", "id_no": "", "mobile": "", "email": email}})
    };
    let (s, b) = body(app.post(&citizen, &path, application("zhangsan@@example.cn")).await).await;
    assert_eq!((s, text(&b["code"])), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_email"), "{b}");
    let (s, b) = body(app.post(&citizen, &path, application("zhangsan@example.cn")).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["case_id"].as_i64().unwrap();
    act_ok(&app, &counter, id, json!({"action": "refuse", "opinion": "不属于本机关职权范围。"})).await;

    // Nobody listens: the try is counted, the error kept, the message waits.
    let r = send_due(&app.state).await.unwrap();
    assert_eq!(r, SendReport { sent: 0, failed: 1, given_up: 0 });
    let admin = app.ready_token("demo_admin").await;
    let (_, ob) = body(app.get(&admin, "/api/v1/admin/outbox?state=waiting").await).await;
    let m = ob["messages"].as_array().unwrap().iter().find(|m| m["channel"] == "email").expect("waits").clone();
    assert_eq!((m["attempts"].as_i64(), text(&m["state"])), (Some(1), "waiting"), "{m}");
    assert!(text(&m["last_error"]).contains(&port.to_string()), "{m}");
    assert_eq!(send_due(&app.state).await.unwrap(), SendReport::default(), "not before its next try");
    let page = signed(&admin).get(app.url("/admin/outbox?state=waiting")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("消息发送") && page.contains("电子邮件") && page.contains("zh***@example.cn"), "{page}");

    // The server comes up; a minute later the message goes, once.
    let server = SmtpServer::start(port);
    app.advance(60_000);
    assert_eq!(send_due(&app.state).await.unwrap(), SendReport { sent: 1, failed: 0, given_up: 0 });
    let mails = server.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(text(&mails[0]["subject"]), "不予受理：食品经营许可");
    let t = text(&mails[0]["text"]);
    assert!(t.contains("理由：不属于本机关职权范围。如不服") && !t.contains("。。"), "{t}");
    assert_invariants(&app).await;
});

both_backends!(the_head_is_told_of_an_extension_and_the_applicant_of_the_new_deadline, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let item = item(&app).await;
    let citizen = app.ready_token("demo_citizen").await;
    let counter = app.ready_token("demo_counter").await;
    let reviewer = app.ready_token("demo_reviewer").await;
    let head = app.ready_token("demo_head").await;
    let id = apply(&app, &citizen, item).await;
    act_ok(&app, &counter, id, json!({"action": "accept"})).await;
    let (messages, _) = inbox(&app, &citizen).await;
    assert!(text(&messages[0]["title"]).starts_with("已受理"), "{messages:?}");
    act_ok(&app, &counter, id, json!({"action": "pass", "opinion": "受理"})).await;

    let (head_before, _) = inbox(&app, &head).await;
    act_ok(&app, &reviewer, id, json!({"action": "extension_request", "days": 10, "opinion": "需现场核查。"})).await;
    let (head_after, unread) = inbox(&app, &head).await;
    assert_eq!(head_after.len(), head_before.len() + 1, "the head is told");
    let m = &head_after[0];
    assert!(text(&m["title"]).starts_with("待您审批：延长审批"), "{m}");
    assert!(text(&m["body"]).contains("10个工作日") && text(&m["body"]).contains("周强"), "{m}");
    assert_eq!(text(&m["link"]), format!("/cases/{id}"));
    assert!(unread >= 1);
    // The head's workbench shows it waiting.
    let session = app.signed_in("demo_head").await;
    let home = signed(&session).get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("待我处理") && home.contains("待您审批：延长审批"), "{home}");

    act_ok(&app, &head, id, json!({"action": "extension_decide", "approved": true, "opinion": "同意。"})).await;
    let legal_due = text(&case(&app, &citizen, id).await["case"]["legal_due"]).to_string();
    let (messages, _) = inbox(&app, &citizen).await;
    let m = &messages[0];
    assert!(text(&m["title"]).starts_with("办理期限延长"), "{m}");
    let day = chrono::NaiveDate::parse_from_str(&legal_due, "%Y-%m-%d").unwrap().format("%Y年%-m月%-d日").to_string();
    let b = text(&m["body"]);
    assert!(b.contains(&format!("延长后的办结期限为{day}")) && !b.contains("。，"), "{b}");
    assert!(!b.contains("吴海") && !b.contains("周强"), "no staff name in the applicant's notice: {b}");
    assert_invariants(&app).await;
});

/// The notices of case `id`, every channel, in order (user, mobile,
/// e-mail, channel, title, body), with its id and number written as `#`.
async fn notices_of_case(app: &App, id: i64, case_no: &str) -> Vec<String> {
    let rows = zwfw_store::db::query(
        "SELECT user_id, mobile, email, channel, title, body FROM notifications WHERE link = $1 ORDER BY id",
    )
    .bind(format!("/cases/{id}"))
    .fetch_all(app.state.store.pool())
    .await
    .unwrap();
    rows.iter()
        .map(|r| {
            let line = ["user_id", "mobile", "email", "channel", "title", "body"]
                .map(|c| format!("{:?}", r.value(c)))
                .join(" ");
            line.replace(case_no, "#")
        })
        .collect()
}

both_backends!(notices_planned_by_the_steps_equal_those_derived_from_the_database, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let item = item(&app).await;
    let [citizen, counter, reviewer, head] =
        app.ready_tokens(["demo_citizen", "demo_counter", "demo_reviewer", "demo_head"]).await;
    // Every kind of notice of a lifecycle: the applicant's (补正, 受理,
    // 延期, 办结) and the heads' (an extension to decide).
    let lifecycle = |id: i64| {
        let (app, citizen, counter, reviewer, head) = (&app, &citizen, &counter, &reviewer, &head);
        async move {
            act_ok(app, counter, id, json!({"action": "supplement_request", "missing": ["缺少场所平面图"]})).await;
            let (_, up) = upload(app, citizen, PDF, "平面图.pdf").await;
            act_ok(
                app,
                citizen,
                id,
                json!({"action": "supplement_provide", "materials": [{"material_no": 1, "upload_id": up["id"]}]}),
            )
            .await;
            act_ok(app, counter, id, json!({"action": "accept"})).await;
            act_ok(app, counter, id, json!({"action": "pass", "opinion": "受理"})).await;
            act_ok(app, reviewer, id, json!({"action": "extension_request", "days": 10, "opinion": "需现场核查。"}))
                .await;
            act_ok(app, head, id, json!({"action": "extension_decide", "approved": true, "opinion": "同意。"})).await;
            act_ok(app, reviewer, id, json!({"action": "pass", "opinion": "审查通过"})).await;
            act_ok(app, head, id, json!({"action": "pass", "opinion": "同意"})).await;
            act_ok(
                app,
                head,
                id,
                json!({"action": "conclude", "outcome": "granted", "document_no": "JY1529900000019",
                       "valid_until": "2031-11-30"}),
            )
            .await;
            text(&case(app, citizen, id).await["case"]["case_no"]).to_string()
        }
    };
    // One case whose steps plan their notices (this process's shortcut),
    // one whose steps do not: its notices are derived from the stored case
    // and events replayed, as another server's steps are.
    use zwfw_app::cases::notices::{handed_counts, set_handing};
    let before = handed_counts(&app.state);
    let planned = apply(&app, &citizen, item).await;
    let planned_no = lifecycle(planned).await;
    zwfw_app::cases::notices::derive(&app.state).await.unwrap();
    let between = handed_counts(&app.state);
    set_handing(&app.state, false);
    let replayed = apply(&app, &citizen, item).await;
    let replayed_no = lifecycle(replayed).await;
    set_handing(&app.state, true);
    zwfw_app::cases::notices::derive(&app.state).await.unwrap();
    let after = handed_counts(&app.state);
    // Five steps tell somebody something (补正, 受理, the extension asked and
    // granted, 办结; not the supplement itself nor the passes): each derived
    // from its plan, then from the database.
    assert_eq!((between.0 - before.0, between.1 - before.1), (5, 0), "planned");
    assert_eq!((after.0 - between.0, after.1 - between.1), (0, 5), "replayed");
    let (a, b) =
        (notices_of_case(&app, planned, &planned_no).await, notices_of_case(&app, replayed, &replayed_no).await);
    assert!(a.len() >= 8, "every step's notices on every channel: {a:#?}");
    assert!(a.iter().any(|n| n.contains("待您审批")), "the heads told: {a:#?}");
    assert_eq!(a, b, "the same notices either way");
    assert_invariants(&app).await;
});

both_backends!(notices_are_read_a_page_at_a_time_and_only_by_their_reader, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let item = item(&app).await;
    let citizen = app.ready_token("demo_citizen").await;
    let company = app.ready_token("demo_company").await;
    let counter = app.ready_token("demo_counter").await;
    let (first, second) = (apply(&app, &citizen, item).await, apply(&app, &citizen, item).await);
    for id in [first, second] {
        act_ok(&app, &counter, id, json!({"action": "supplement_request", "missing": ["缺少场所平面图"]})).await;
    }

    // The workbench: both applications wait for their supplement, with what is missing.
    let (s, wb) = body(app.get(&citizen, "/api/v1/me/workbench").await).await;
    assert_eq!(s, StatusCode::OK, "{wb}");
    let waiting = wb["to_supplement"].as_array().unwrap();
    assert_eq!(waiting.len(), 2, "{wb}");
    assert_eq!(waiting[0]["missing"], json!(["缺少场所平面图"]));
    assert!(wb["unread"].as_i64().unwrap() >= 2 && !wb["notices"].as_array().unwrap().is_empty(), "{wb}");
    assert_eq!(
        app.get(&counter, "/api/v1/me/workbench").await.status(),
        StatusCode::FORBIDDEN,
        "staff have their inbox"
    );

    // Paged, counted.
    let (_, count) = body(app.get(&citizen, "/api/v1/me/notifications/count").await).await;
    let unread = count["unread"].as_i64().unwrap();
    let (s, p) = body(app.get(&citizen, "/api/v1/me/notifications?page=2&per_page=1").await).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(
        (p["page"].as_i64(), p["per_page"].as_i64(), p["messages"].as_array().unwrap().len()),
        (Some(2), Some(1), 1)
    );
    assert!(p["total"].as_i64().unwrap() >= 2);
    let (s, b) = body(app.get(&citizen, "/api/v1/me/notifications?per_page=1000").await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["code"].is_string() && b["message"].as_str().unwrap().contains("每页条数"), "{b}");
    let (s, b) = body(app.get(&citizen, "/api/v1/me/notifications?page=x").await).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");

    // Another account's message, or one that does not exist: not found, nothing changed.
    let (_, mine) = body(app.get(&citizen, "/api/v1/me/notifications?per_page=1").await).await;
    let id = mine["messages"][0]["id"].as_i64().unwrap();
    let (s, b) = body(app.post(&company, &format!("/api/v1/me/notifications/{id}/read"), json!({})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{b}");
    let (s, b) = body(app.post(&citizen, "/api/v1/me/notifications/987654321/read", json!({})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{b}");
    let (_, count) = body(app.get(&citizen, "/api/v1/me/notifications/count").await).await;
    assert_eq!(count["unread"].as_i64(), Some(unread), "nothing changed");
    // The reader marks it read: once counted.
    let r = app.post(&citizen, &format!("/api/v1/me/notifications/{id}/read"), json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    app.post(&citizen, &format!("/api/v1/me/notifications/{id}/read"), json!({})).await;
    let (_, count) = body(app.get(&citizen, "/api/v1/me/notifications/count").await).await;
    assert_eq!(count["unread"].as_i64(), Some(unread - 1));

    // The pages: the workbench lists what waits, the menu shows the count.
    let home = signed(&citizen).get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("待我补正") && home.contains("缺少场所平面图") && home.contains("食品经营许可"), "{home}");
    assert!(home.contains(&format!("未读{}条", unread - 1)), "the menu's badge: {home}");
    let (s, page) = page(&signed(&citizen), &app, "/my/messages").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("请补正材料：食品经营许可") && page.contains("/open"), "{page}");
    assert_invariants(&app).await;
});

both_backends!(the_menu_counts_a_step_s_notice_at_the_next_page_view, |store: Store| async move {
    use std::sync::atomic::Ordering::SeqCst;
    let app = App::start_at(store, FRIDAY).await;
    let item = item(&app).await;
    let citizen = app.ready_token("demo_citizen").await;
    let counter = app.ready_token("demo_counter").await;
    let id = apply(&app, &citizen, item).await;
    let (_, count) = body(app.get(&citizen, "/api/v1/me/notifications/count").await).await;
    let before = count["unread"].as_i64().unwrap();

    // Everything committed here derived: the count on a page derives nothing.
    zwfw_app::cases::notices::derive(&app.state).await.unwrap();
    assert_eq!(app.state.notices_derived.load(SeqCst), app.state.store.trail_commits());

    // A step acknowledged: the very next page view counts its notice, and
    // so does the count's API (whether or not the derivation's own task
    // came first).
    act_ok(&app, &counter, id, json!({"action": "supplement_request", "missing": ["缺少场所平面图"]})).await;
    let (s, guide) = page(&signed(&citizen), &app, "/guide").await;
    assert_eq!(s, StatusCode::OK);
    assert!(guide.contains(&format!("未读{}条", before + 1)), "the menu's badge: {guide}");
    let (_, count) = body(app.get(&citizen, "/api/v1/me/notifications/count").await).await;
    assert_eq!(count["unread"].as_i64(), Some(before + 1), "{count}");
    assert_eq!(app.state.notices_derived.load(SeqCst), app.state.store.trail_commits());
    assert_invariants(&app).await;
});

both_backends!(a_head_sees_what_waits_for_their_decision, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let item = item(&app).await;
    let [citizen, counter, reviewer, head] =
        app.ready_tokens(["demo_citizen", "demo_counter", "demo_reviewer", "demo_head"]).await;
    let waiting = |token: String| {
        let app = &app;
        async move {
            let (s, b) = body(app.get(&token, "/api/v1/inbox?scope=decide").await).await;
            assert_eq!(s, StatusCode::OK, "{b}");
            let ids: Vec<i64> = b["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
            assert_eq!(b["total"].as_i64(), Some(ids.len() as i64));
            ids
        }
    };
    let before = waiting(head.clone()).await;
    let id = apply(&app, &citizen, item).await;
    act_ok(&app, &counter, id, json!({"action": "accept"})).await;
    act_ok(&app, &counter, id, json!({"action": "pass", "opinion": "受理"})).await;
    assert!(!waiting(head.clone()).await.contains(&id), "the reviewer's step is not the head's");

    // An extension to approve.
    act_ok(&app, &reviewer, id, json!({"action": "extension_request", "days": 10, "opinion": "需现场核查。"})).await;
    assert!(waiting(head.clone()).await.contains(&id));
    let session = app.signed_in("demo_head").await;
    let home = signed(&session).get(app.url("/")).send().await.unwrap().text().await.unwrap();
    let n = between(&home, "id=\"n-decide\">", "<");
    assert_eq!(n, (before.len() + 1).to_string(), "{home}");
    assert!(home.contains("href=\"/work/inbox?scope=decide\""));
    let (s, list) = page(&signed(&session), &app, "/work/inbox?scope=decide").await;
    assert_eq!(s, StatusCode::OK);
    assert!(list.contains(&format!("/cases/{id}")) && list.contains("待我决定"), "{list}");
    act_ok(&app, &head, id, json!({"action": "extension_decide", "approved": true, "opinion": "同意。"})).await;
    assert!(!waiting(head.clone()).await.contains(&id));

    // The head's own step (决定), then the conclusion.
    act_ok(&app, &reviewer, id, json!({"action": "pass", "opinion": "审查通过"})).await;
    assert!(waiting(head.clone()).await.contains(&id), "the head's step");
    act_ok(&app, &head, id, json!({"action": "pass", "opinion": "同意"})).await;
    assert!(waiting(head.clone()).await.contains(&id), "the conclusion");
    act_ok(
        &app,
        &head,
        id,
        json!({"action": "conclude", "outcome": "granted", "document_no": "JY1529900000019", "valid_until": "2031-11-30"}),
    )
    .await;
    assert_eq!(waiting(head.clone()).await, before);

    // Only a head has such a list.
    let (s, b) = body(app.get(&reviewer, "/api/v1/inbox?scope=decide").await).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let home =
        signed(&app.signed_in("demo_reviewer").await).get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(!home.contains("n-decide"));
    assert_invariants(&app).await;
});

/// A process that plays walk-in cases (acceptance and grant each send an SMS)
/// on 8 clients, deriving the notices and the exchange rows now and then
/// itself beside its background derivation, and prints each acknowledged step until it is
/// killed: the child of `killed_while_stepping` (run by it, not alone).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of notices::killed_while_stepping"]
async fn stepping_child() {
    use zwfw_app::cases::{act, apply, ActionInput, ApplicantInput, ApplicationInput};
    let url = std::env::var("ZWFW_STEPPING_URL").expect("run by killed_while_stepping");
    let item: i64 = std::env::var("ZWFW_STEPPING_ITEM").unwrap().parse().unwrap();
    let store = Store::connect(&url).await.unwrap();
    let data_dir = std::env::temp_dir().join(format!("zwfw_stepping_{}", std::process::id()));
    let config = zwfw_app::AppConfig { data_dir, ..Default::default() };
    let state = zwfw_app::App::new(store, zwfw_app::Clock::system(), config);
    zwfw_app::startup(&state).await.unwrap();
    let actor = |name: &'static str| {
        let st = state.clone();
        async move {
            let u = zwfw_store::admin::find_user_by_username(&st.store, name).await.unwrap().unwrap();
            zwfw_app::accounts::sessions::actor_of(&u)
        }
    };
    let cast =
        std::sync::Arc::new((actor("demo_counter").await, actor("demo_reviewer").await, actor("demo_head").await));
    // A person the demo's 人口库 does not hold.
    let first17 = "11010519491231002";
    let id_no = format!("{first17}{}", zwfw_domain::ids::ResidentId::check_char(first17).unwrap());
    let mut clients = vec![];
    for client in 0..8 {
        let (st, cast, id_no) = (state.clone(), cast.clone(), id_no.clone());
        clients.push(tokio::spawn(async move {
            let ctx = |a| zwfw_app::Ctx { state: &st, actor: Some(a), client_addr: "child".into() };
            let step = |a: &str, o: &str| ActionInput { action: a.into(), opinion: o.into(), ..Default::default() };
            for n in 0.. {
                let walk_in = ApplicationInput {
                    applicant: Some(ApplicantInput {
                        kind: "natural".into(),
                        name: "步进申请人".into(),
                        id_no: id_no.clone(),
                        mobile: "13800138000".into(),
                        address: String::new(),
                        email: String::new(),
                    }),
                    ..Default::default()
                };
                let c = apply(&ctx(&cast.0), item, &walk_in).await.unwrap().case_id;
                act(&ctx(&cast.0), c, &step("accept", "")).await.unwrap();
                println!("ACK {c} accepted");
                act(&ctx(&cast.0), c, &step("pass", "材料齐全")).await.unwrap();
                act(&ctx(&cast.1), c, &step("pass", "审查通过")).await.unwrap();
                act(&ctx(&cast.2), c, &step("pass", "同意")).await.unwrap();
                let mut grant = step("conclude", "");
                grant.outcome = Some("granted".into());
                grant.document_no = Some(format!("JY{client}{n:06}"));
                act(&ctx(&cast.2), c, &grant).await.unwrap();
                println!("ACK {c} granted");
                if n % 3 == client % 3 {
                    zwfw_app::cases::notices::derive(&st).await.unwrap();
                }
                if n % 4 == client % 4 {
                    zwfw_store::exchange::derive(&st.store).await.unwrap();
                }
            }
        }));
    }
    for c in clients {
        c.await.unwrap();
    }
}

/// The process writing case steps is killed (SIGKILL) while it writes them
/// and derives their notices and exchange rows; started again, the program
/// writes the notice and the exchange rows of every step that process
/// acknowledged, and of no step twice.
async fn killed_while_stepping(db: zwfw_store::scratch::ScratchDb) {
    use std::io::BufRead;
    let store = db.store().await.unwrap();
    let app = App::start(store.clone()).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let mut content = example(market);
    for m in &mut content.materials {
        m.required = false;
    }
    let item = publish(&app, &content, "TESTKILLED00000000000000000001").await;
    let errors = std::env::temp_dir().join(format!("zwfw_stepping_{item}_{}.err", std::process::id()));
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["notices::stepping_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env("ZWFW_STEPPING_URL", &db.url)
        .env("ZWFW_STEPPING_ITEM", item.to_string())
        .env("ZWFW_LOG", "off")
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&errors).unwrap())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let acked = tokio::task::spawn_blocking(move || {
        let mut acked = vec![];
        for line in std::io::BufReader::new(out).lines() {
            let line = line.unwrap();
            let Some(rest) = line.strip_prefix("ACK ") else { continue };
            let (case, what) = rest.split_once(' ').unwrap();
            acked.push((case.parse::<i64>().unwrap(), what.to_string()));
            if acked.iter().filter(|(_, w)| w == "granted").count() >= 40 {
                break;
            }
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        acked
    })
    .await
    .unwrap();
    let stopped = std::fs::read_to_string(&errors).unwrap_or_default();
    let _ = std::fs::remove_file(&errors);
    assert!(acked.iter().filter(|(_, w)| w == "granted").count() >= 40, "the child stopped early: {stopped}");

    // Started again: what the killed process left is derived once.
    let again = another_process(&app).await;
    zwfw_app::cases::notices::derive(&again).await.unwrap();
    zwfw_app::cases::notices::derive(&app.state).await.unwrap();
    let rows =
        zwfw_store::db::query("SELECT link, title FROM notifications WHERE channel = 'sms' AND link LIKE '/cases/%'")
            .fetch_all(app.state.store.pool())
            .await
            .unwrap();
    let mut sent = std::collections::HashMap::<(i64, String), usize>::new();
    for r in &rows {
        let text = |c: &str| match r.value(c) {
            Some(zwfw_store::db::Value::Text(t)) => t.clone(),
            v => panic!("{c}: {v:?}"),
        };
        let case: i64 = text("link").trim_start_matches("/cases/").parse().unwrap();
        let what = if text("title").starts_with("已受理") {
            "accepted"
        } else if text("title").starts_with("已办结（准予许可）") {
            "granted"
        } else {
            continue;
        };
        *sent.entry((case, what.to_string())).or_default() += 1;
    }
    let twice: Vec<_> = sent.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "notices written twice: {twice:?}");
    let lost: Vec<_> = acked.iter().filter(|a| !sent.contains_key(a)).collect();
    assert!(lost.is_empty(), "acknowledged steps without their notice: {lost:?} of {}", acked.len());
    assert_eq!(zwfw_app::cases::notices::derive(&app.state).await.unwrap(), 0, "nothing left");

    // The records a grant causes beyond the case, derived with the notices:
    // its 审管 push (to the market department, the item naming no regulator)
    // and its 双公示 record, once each, none lost.
    let per_case = |sql: &'static str| {
        let store = app.state.store.clone();
        async move {
            let rows = zwfw_store::db::query(sql).bind(item).fetch_all(store.pool()).await.unwrap();
            let mut n = std::collections::HashMap::<i64, usize>::new();
            for r in &rows {
                match r.value("case_id") {
                    Some(zwfw_store::db::Value::Int(c)) => *n.entry(*c).or_default() += 1,
                    v => panic!("case_id: {v:?}"),
                }
            }
            n
        }
    };
    let pushed = per_case(
        "SELECT case_id FROM handovers WHERE kind = 'conclusion' AND case_id IN (SELECT id FROM cases WHERE item_id = $1)",
    )
    .await;
    let recorded =
        per_case("SELECT case_id FROM credit_licensing WHERE case_id IN (SELECT id FROM cases WHERE item_id = $1)")
            .await;
    for (what, written) in [("审管 push", &pushed), ("双公示 record", &recorded)] {
        let twice: Vec<_> = written.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "{what} written twice: {twice:?}");
        // A grant not acknowledged may have committed: only the acknowledged ones must have theirs.
        for (case, _) in acked.iter().filter(|(_, step)| step == "granted") {
            assert_eq!(written.get(case).copied(), Some(1), "granted case {case}: its {what}");
        }
    }

    // The exchange rows (数据交换) the same: derived once, none lost.
    let (x, y) =
        tokio::join!(zwfw_store::exchange::derive(&again.store), zwfw_store::exchange::derive(&app.state.store));
    x.unwrap();
    y.unwrap();
    let rows = zwfw_store::db::query(
        "SELECT case_id, event_seq, tbl FROM exchange_outbox WHERE case_id IN \
         (SELECT id FROM cases WHERE item_id = $1)",
    )
    .bind(item)
    .fetch_all(app.state.store.pool())
    .await
    .unwrap();
    let mut written = std::collections::HashMap::<(i64, i64, String), usize>::new();
    for r in &rows {
        let int = |c: &str| match r.value(c) {
            Some(zwfw_store::db::Value::Int(n)) => *n,
            v => panic!("{c}: {v:?}"),
        };
        let tbl = match r.value("tbl") {
            Some(zwfw_store::db::Value::Text(t)) => t.clone(),
            v => panic!("tbl: {v:?}"),
        };
        *written.entry((int("case_id"), int("event_seq"), tbl)).or_default() += 1;
    }
    let twice: Vec<_> = written.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "exchange rows written twice: {twice:?}");
    let of = |case: i64, tbl: &str| written.keys().filter(|(c, _, t)| *c == case && t == tbl).count();
    for (case, what) in &acked {
        let expected: &[(&str, usize)] = if what == "accepted" {
            &[("up_pro_accept", 1), ("up_pro_material", 1)]
        } else {
            &[("up_pro_accept", 1), ("up_pro_process", 5), ("up_pro_result", 1)]
        };
        for (tbl, n) in expected {
            assert_eq!(of(*case, tbl), *n, "case {case} {what}: its {tbl} rows");
        }
    }
    // A step not acknowledged may have committed; none is reported without its acceptance.
    for (case, _, _) in written.keys() {
        assert_eq!(of(*case, "up_pro_accept"), 1, "case {case}: rows without the acceptance's");
    }
    assert_eq!(zwfw_store::exchange::derive(&app.state.store).await.unwrap(), 0, "nothing left");
    drop(again);
    store.close().await;
    db.cleanup().await;
}

mod killed_while_stepping {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::killed_while_stepping(zwfw_store::scratch::ScratchDb::sqlite()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let Some(db) = zwfw_store::testing::postgres("notices::killed_while_stepping").await else { return };
        super::killed_while_stepping(db).await;
    }
}
