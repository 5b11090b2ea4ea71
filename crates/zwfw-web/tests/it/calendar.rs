//! The working-day calendar through the API and the pages, on SQLite and PostgreSQL.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;
use zwfw_store::{both_backends, Store};

both_backends!(calendar_api_answers_and_refuses_clearly, |store: Store| async move {
    let app = App::start_at(store, "2026-11-02T09:00:00+08:00").await;
    let (s, y) = anon_get(&app, "/api/v1/calendar/2025").await;
    assert_eq!(s, StatusCode::OK);
    // 261 weekdays; 18 of them are holidays (元旦 1, 春节 6, 清明 1, 劳动节 3, 端午 1,
    // 国庆中秋 6); 5 weekend days are worked: 248.
    assert_eq!(y["working_days"], 248);
    assert_eq!(y["notices"][0]["number"], "国办发明电〔2024〕12号");
    assert!(y["special_days"].as_array().unwrap().iter().any(|d| d["date"] == "2025-09-28" && d["kind"] == "makeup"));

    let (s, b) = anon_get(&app, "/api/v1/calendar/working-days?from=2025-09-26&to=2025-10-10").await;
    assert_eq!((s, b["working_days"].as_i64()), (StatusCode::OK, Some(5)));
    let (s, b) = anon_get(&app, "/api/v1/calendar/add?from=2025-09-26&days=5").await;
    assert_eq!((s, b["due"].as_str()), (StatusCode::OK, Some("2025-10-10")));

    // Bad input: 400 with a code; an unconfigured year: 422 naming the year.
    let (s, b) = anon_get(&app, "/api/v1/calendar/add?from=2025-13-01&days=5").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_date")));
    let (s, b) = anon_get(&app, "/api/v1/calendar/add?from=2025-09-26&days=-1").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_days")));
    // The year after the last notice is provisional (Monday to Friday); the one after is missing.
    let (s, b) = anon_get(&app, "/api/v1/calendar/add?from=2026-12-30&days=5").await;
    assert_eq!((s, b["due"].as_str(), b["provisional"].as_bool()), (StatusCode::OK, Some("2027-01-07"), Some(true)));
    let (s, b) = anon_get(&app, "/api/v1/calendar/add?from=2025-09-26&days=5").await;
    assert_eq!((s, b["provisional"].as_bool()), (StatusCode::OK, Some(false)));
    let (s, b) = anon_get(&app, "/api/v1/calendar/add?from=2027-12-28&days=5").await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar_year_missing"), Some("2028"))
    );
    assert!(b["message"].as_str().unwrap().contains("2028年的工作日历尚未配置"));
    let (s, _) = anon_get(&app, "/api/v1/calendar/2027").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, b) = anon_get(&app, "/api/v1/calendar/twenty").await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_date")));

    // The administrator enters next year; rules are enforced and the change is audited.
    let admin = app.ready_token("demo_admin").await;
    let notice = json!([{"number": "测试〔2026〕1号", "title": "测试通知", "date": "2026-11-01"}]);
    let bad = json!({"notices": notice, "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-01"}],
                     "workdays": [{"name": "元旦", "date": "2027-01-04"}], "reason": "录入通知"});
    let r = app.put(&admin, "/api/v1/calendar/2027", bad).await;
    let (s, code) = code_of(r).await;
    assert_eq!((s, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_calendar"), "2027-01-04 is a Monday");
    let mut good = entry_2027();
    good["reason"] = json!("");
    assert_eq!(code_of(app.put(&admin, "/api/v1/calendar/2027", good.clone()).await).await.1, "reason_required");
    let rv = app.ready_token("demo_reviewer").await;
    good["reason"] = json!("录入2027年放假通知");
    assert_eq!(app.put(&rv, "/api/v1/calendar/2027", good.clone()).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.put(&admin, "/api/v1/calendar/2027", good).await.status(), StatusCode::OK);
    // 2026-12-30 (Wed) + 5: 12-31 (1), 01-01..03 off, 01-04 (2) .. 01-07 (5).
    let (s, b) = anon_get(&app, "/api/v1/calendar/add?from=2026-12-30&days=5").await;
    assert_eq!((s, b["due"].as_str()), (StatusCode::OK, Some("2027-01-07")));
    let f = zwfw_store::audit::AuditFilter {
        object_type: Some("calendar".into()),
        object_id: Some("2027".into()),
        limit: 5,
        ..Default::default()
    };
    let trail = zwfw_store::audit::list(&app.state.store, &f).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].entry.reason, "录入2027年放假通知");
    // A restart reloads the same calendar from the database.
    zwfw_app::calendar::startup(&app.state).await.unwrap();
    assert!(app.state.calendar().is_configured(2027));
});

both_backends!(a_year_must_cover_the_festivals_and_its_effect_is_previewed, |store: Store| async move {
    // 2027-02-01 (Monday): 2027 is still provisional (Monday to Friday).
    let app = App::start_at(store, "2027-02-01T09:00:00+08:00").await;
    let admin = app.ready_token("demo_admin").await;
    let citizen = app.ready_token("demo_citizen").await;
    let item = joint_item(&app).await;
    let case_id = apply(&app, &citizen, item).await;
    let before = case(&app, &citizen, case_id).await;
    assert_eq!(before["case"]["acceptance_due"], "2027-02-08", "five weekdays, 春节 not known yet");
    let market = app.department_id("示例市市场监督管理局").await;
    let ask = json!({"kind": "consultation", "title": "春节期间办理", "content": "春节期间能办吗？", "department_id": market});
    let (s, q) = submit_interaction(&app, &citizen, ask).await;
    assert_eq!(s, StatusCode::CREATED, "{q}");

    // A year holding only 元旦 and 春节: refused, naming each festival and its date; nothing saved.
    let mut short = entry_2027();
    short["holidays"] = json!([short["holidays"][0], short["holidays"][1]]);
    short["workdays"] = json!([short["workdays"][0]]);
    for r in [
        app.put(&admin, "/api/v1/calendar/2027", short.clone()).await,
        app.post(&admin, "/api/v1/calendar/2027/preview", short).await,
    ] {
        let (s, b) = body(r).await;
        assert_eq!(
            (s, b["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar_festivals_missing")),
            "{b}"
        );
        let msg = b["message"].as_str().unwrap();
        for want in [
            "缺少清明节（2027-04-05）",
            "缺少劳动节（2027-05-01、2027-05-02）",
            "缺少端午节（2027-06-09）",
            "缺少中秋节（2027-09-15）",
            "缺少国庆节（2027-10-01、2027-10-02、2027-10-03）",
        ] {
            assert!(msg.contains(want), "{msg} lacks {want}");
        }
        assert!(!msg.contains("元旦") && !msg.contains("春节"), "{msg}");
    }
    assert!(!app.state.calendar().is_configured(2027));
    // A festival under another festival's name is misplaced; a make-up day far from its festival is refused.
    let mut misnamed = entry_2027();
    misnamed["holidays"][4]["name"] = json!("清明节");
    let (s, b) = body(app.post(&admin, "/api/v1/calendar/2027/preview", misnamed).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b["message"].as_str().unwrap().contains("端午节（2027-06-09）落在名为“清明节”的假期中"), "{b}");
    let mut stray = entry_2027();
    stray["workdays"][1]["date"] = json!("2027-03-20");
    let (s, b) = body(app.post(&admin, "/api/v1/calendar/2027/preview", stray).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_calendar")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("2027-03-20"), "{b}");
    // Years before 2010 or more than a year ahead are not entered.
    let (s, b) = body(app.put(&admin, "/api/v1/calendar/2029", entry_2027()).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_calendar")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("只能录入2010年至2028年"), "{b}");
    // Only an administrator previews.
    let counter = app.ready_token("demo_counter").await;
    assert_eq!(app.post(&counter, "/api/v1/calendar/2027/preview", entry_2027()).await.status(), StatusCode::FORBIDDEN);

    // The preview lists what moves, per department, and saves nothing.
    let (s, p) = body(app.post(&admin, "/api/v1/calendar/2027/preview", entry_2027()).await).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let changes: Vec<&serde_json::Value> =
        p["departments"].as_array().unwrap().iter().flat_map(|d| d["changes"].as_array().unwrap()).collect();
    assert_eq!(p["total"].as_i64().unwrap() as usize, changes.len());
    let case_no = before["case"]["case_no"].as_str().unwrap();
    let mine = changes.iter().find(|c| c["kind"] == "case" && c["label"] == case_no).expect("the case moves");
    // 2027-02-01 + 5 working days with 春节 (02-05..02-12) off: 02-02, 03, 04, 15, 16.
    assert_eq!((mine["old_due"].as_str(), mine["new_due"].as_str()), (Some("2027-02-08"), Some("2027-02-16")));
    assert!(changes.iter().any(|c| c["kind"] == "interaction" && c["label"] == q["code"]), "{p}");
    let counted: i64 = p["counts"].as_array().unwrap().iter().map(|c| c["count"].as_i64().unwrap()).sum();
    assert_eq!(counted, p["total"].as_i64().unwrap());
    assert_eq!(case(&app, &citizen, case_id).await["case"]["acceptance_due"], "2027-02-08", "nothing saved");

    // Saving moves the same due days at once and tells the applicant.
    let (s, saved) = body(app.put(&admin, "/api/v1/calendar/2027", entry_2027()).await).await;
    assert_eq!(s, StatusCode::OK, "{saved}");
    assert_eq!(saved["moved"]["total"], p["total"]);
    assert_eq!(case(&app, &citizen, case_id).await["case"]["acceptance_due"], "2027-02-16");
    let (_, ia) = body(app.get(&citizen, &format!("/api/v1/interactions/{}", q["id"])).await).await;
    assert_ne!(ia["due"], q["due"], "{ia}");
    let (s, inbox) = body(app.get(&citizen, "/api/v1/me/notifications").await).await;
    assert_eq!(s, StatusCode::OK);
    let told = inbox["messages"].as_array().unwrap().iter().any(|n| {
        n["title"].as_str().unwrap_or("").contains("2027年工作日历调整")
            && n["body"].as_str().unwrap_or("").contains("由2027-02-08调整为2027-02-16")
            && n["body"].as_str().unwrap_or("").contains("录入2027年放假通知")
    });
    assert!(told, "{inbox}");
    assert_invariants(&app).await;
});

both_backends!(a_notice_text_proposes_the_year, |store: Store| async move {
    let app = App::start_at(store, "2026-11-20T09:00:00+08:00").await;
    let admin = app.ready_token("demo_admin").await;
    let text = "国务院办公厅关于2027年部分节假日安排的通知\n测试〔2026〕9号\n\
        一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n\
        二、春节：2月5日（农历除夕、周五）至12日（周五）放假调休，共8天。2月20日（周六）上班。\n";
    let (s, b) = body(app.post(&admin, "/api/v1/calendar/2027/notice-text", json!({"text": text})).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["number"], "测试〔2026〕9号");
    assert_eq!(b["holidays"][1], json!({"name": "春节", "from": "2027-02-05", "to": "2027-02-12"}));
    assert_eq!(b["workdays"][0], json!({"date": "2027-02-20", "name": "春节"}));
    let (s, b) =
        body(app.post(&admin, "/api/v1/calendar/2027/notice-text", json!({"text": "一、元旦：放假。"})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("notice_text_unreadable")), "{b}");
    assert_eq!(b["message"], "通知文本第1行：日期无法识别");
    // A year that cannot be entered is refused as the entry itself is.
    for year in ["2009", "2028", "99999", "-5"] {
        let path = format!("/api/v1/calendar/{year}/notice-text");
        let (s, b) = body(app.post(&admin, &path, json!({"text": text})).await).await;
        assert_eq!(
            (s, b["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_calendar")),
            "{year}: {b}"
        );
    }
    let counter = app.ready_token("demo_counter").await;
    assert_eq!(
        app.post(&counter, "/api/v1/calendar/2027/notice-text", json!({"text": text})).await.status(),
        StatusCode::FORBIDDEN
    );

    // The page: read the text, preview, and save only once confirmed with the digest of what was previewed.
    let page = app.get(&admin, "/admin/calendar?year=2027").await.text().await.unwrap();
    let csrf = csrf_of(&page);
    let c = signed(&admin);
    let post = |fields: Vec<(&'static str, String)>| {
        let c = c.clone();
        let url = app.url("/admin/calendar");
        async move { c.post(url).form(&fields).send().await.unwrap() }
    };
    let r = post(vec![
        ("_csrf", csrf.clone()),
        ("year", "2027".into()),
        ("step", "parse".into()),
        ("notice_text", text.into()),
    ])
    .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("春节 2027-02-05 2027-02-12"), "the form is filled");
    assert!(html.contains("已按通知文本填入"));
    let e = entry_2027();
    let holidays: String = e["holidays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            format!("{} {} {}\n", h["name"].as_str().unwrap(), h["from"].as_str().unwrap(), h["to"].as_str().unwrap())
        })
        .collect();
    let workdays: String = e["workdays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| format!("{} {}\n", w["name"].as_str().unwrap(), w["date"].as_str().unwrap()))
        .collect();
    let form = |step: &str, extra: Vec<(&'static str, String)>| {
        let mut f = vec![
            ("_csrf", csrf.clone()),
            ("year", "2027".to_string()),
            ("step", step.to_string()),
            ("notices", "测试〔2026〕9号 | 测试通知 | 2026-11-19".to_string()),
            ("holidays", holidays.clone()),
            ("workdays", workdays.clone()),
        ];
        f.extend(extra);
        f
    };
    let html = post(form("preview", vec![])).await.text().await.unwrap();
    assert!(html.contains("保存后期限将改变的事项"), "{html}");
    let digest = between(&html, "name=\"previewed\" value=\"", "\"");
    assert_eq!(digest.len(), 64);
    // Without the confirmation, or for another entry than the one previewed: not saved.
    let r = post(form("save", vec![("reason", "录入".into()), ("previewed", digest.clone())])).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请先预览影响"));
    let r =
        post(form("save", vec![("reason", "录入".into()), ("previewed", "0".repeat(64)), ("confirmed", "1".into())]))
            .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!app.state.calendar().is_configured(2027));
    let r = post(form(
        "save",
        vec![("reason", "录入2027年放假通知".into()), ("previewed", digest), ("confirmed", "1".into())],
    ))
    .await;
    assert!(r.status().is_redirection() || r.status() == StatusCode::OK, "{}", r.status());
    assert!(app.state.calendar().is_configured(2027));
});

both_backends!(calendar_pages_and_next_year_warning, |store: Store| async move {
    let app = App::start_at(store, "2026-11-02T09:00:00+08:00").await;
    let html =
        client().get(app.url("/calendar?year=2026&from=2026-02-13&days=2")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("办事日历"));
    assert!(html.contains("国办发明电〔2025〕7号"));
    assert!(html.contains("<strong id=\"due\">2026-02-24</strong>"), "the calculator answers");
    assert!(html.contains("title=\"2026-02-14 春节\""), "make-up day marked");
    let html = client().get(app.url("/calendar?from=2026-02-30&days=2")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("日期格式不正确"));

    let admin = app.ready_token("demo_admin").await;
    let home = app.get(&admin, "/").await.text().await.unwrap();
    assert!(home.contains("2027年工作日历尚未录入"), "warned from November 1");
    let page = app.get(&admin, "/admin/calendar").await.text().await.unwrap();
    assert!(page.contains("编辑2027年度"));
    let sup = app.ready_token("demo_supervisor").await;
    assert!(app.get(&sup, "/").await.text().await.unwrap().contains("2027年工作日历尚未录入"));
    assert_eq!(app.get(&sup, "/admin/calendar").await.status(), StatusCode::FORBIDDEN);
    let counter = app.ready_token("demo_counter").await;
    assert!(!app.get(&counter, "/").await.text().await.unwrap().contains("工作日历尚未录入"));
});

both_backends!(no_warning_before_november, |store: Store| async move {
    let app = App::start_at(store, "2026-10-30T09:00:00+08:00").await;
    let admin = app.ready_token("demo_admin").await;
    assert!(!app.get(&admin, "/").await.text().await.unwrap().contains("工作日历尚未录入"));
});

both_backends!(a_saved_year_tells_the_applicant_on_every_channel_and_moves_joint_reviews, |store: Store| async move {
    if !SmtpServer::wanted() {
        return;
    }
    let server = SmtpServer::start(SmtpServer::free_port());
    // 2027-02-03 (Wednesday): 2027 is still provisional (Monday to Friday).
    let app = App::start_with_smtp(store, "2027-02-03T09:00:00+08:00", SmtpServer::config(server.port)).await;
    let [admin, citizen, counter] = app.ready_tokens(["demo_admin", "demo_citizen", "demo_counter"]).await;
    let (s, b) = body(app.put(&citizen, "/api/v1/me/email", json!({"email": "zhangsan@example.cn"})).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let item = joint_item(&app).await;
    let id = apply(&app, &citizen, item).await;
    act_ok(&app, &counter, id, json!({"action": "accept"})).await;
    act_ok(&app, &counter, id, json!({"action": "pass", "opinion": "材料齐全，转审查"})).await;
    // Step 2 started today; the land department's two working days: 02-04, 02-05.
    let before = case(&app, &counter, id).await;
    assert_eq!(before["joint"][0][2], "2027-02-05", "{}", before["joint"]);
    let promised = before["case"]["promised_due"].as_str().unwrap().to_string();
    zwfw_app::outbox::email::send_due(&app.state).await.unwrap();
    let mailed = server.mails().len();

    // The preview names the case; saving moves its deadlines and its joint review's due day.
    let (s, p) = body(app.post(&admin, "/api/v1/calendar/2027/preview", entry_2027()).await).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let no = before["case"]["case_no"].as_str().unwrap();
    assert!(p.to_string().contains(no), "{p}");
    let (s, saved) = body(app.put(&admin, "/api/v1/calendar/2027", entry_2027()).await).await;
    assert_eq!(s, StatusCode::OK, "{saved}");
    let after = case(&app, &counter, id).await;
    // 春节 (02-05..02-12) off: 02-04, 02-15.
    assert_eq!(after["joint"][0][2], "2027-02-15", "{}", after["joint"]);
    let moved = after["case"]["promised_due"].as_str().unwrap().to_string();
    assert_ne!(moved, promised);

    // The applicant is told in-app, by e-mail and by SMS, as a step of the case tells them.
    let title = "2027年工作日历调整，期限已重新计算";
    let (_, inbox) = body(app.get(&citizen, "/api/v1/me/notifications").await).await;
    let told = inbox["messages"].as_array().unwrap().iter().any(|n| n["title"] == title);
    assert!(told, "{inbox}");
    zwfw_app::outbox::email::send_due(&app.state).await.unwrap();
    let mails = server.mails();
    let mail = mails[mailed..]
        .iter()
        .find(|m| m["rcpt_tos"] == json!(["zhangsan@example.cn"]))
        .unwrap_or_else(|| panic!("no e-mail to the applicant: {mails:?}"));
    assert_eq!(mail["subject"], title);
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains(no) && text.contains(&format!("由{promised}调整为{moved}")), "{text}");
    let (_, ob) = body(app.get(&admin, "/api/v1/admin/outbox?state=waiting").await).await;
    let sms = ob["messages"].as_array().unwrap().iter().find(|m| m["channel"] == "sms" && m["title"] == title);
    assert!(sms.is_some(), "an SMS waits for the gateway: {ob}");
    assert_invariants(&app).await;
});
