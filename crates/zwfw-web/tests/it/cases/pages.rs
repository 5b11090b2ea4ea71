//! Case pages on SQLite and PostgreSQL: applying with an upload, the
//! submitted page's number and query password, a repeated submit, the inbox,
//! the action forms with their refusals, a supplement answered by upload,
//! following by number and password, documents, the e-materials library.

use crate::support::*;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use zwfw_store::{both_backends, Store};

async fn case_count(app: &App) -> i64 {
    zwfw_store::cases::counts(&app.state.store, None).await.unwrap().iter().map(|(_, n)| n).sum()
}

both_backends!(citizen_applies_counter_and_officers_act_through_pages, |store: Store| async move {
    let app = App::start(store).await;
    let item = joint_item(&app).await;
    let citizen = signed(&app.ready_token("demo_citizen").await);
    let counter = signed(&app.ready_token("demo_counter").await);
    let reviewer = signed(&app.ready_token("demo_reviewer").await);
    let head = signed(&app.ready_token("demo_head").await);
    let land = signed(&app.ready_token("demo_land").await);
    let company = signed(&app.ready_token("demo_company").await);
    let supervisor = signed(&app.ready_token("demo_supervisor").await);

    // The form: applicant pre-filled and masked, one upload slot per material.
    let (s, html) = page(&citizen, &app, &format!("/apply/{item}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("食品经营许可申请书 *") && html.contains("name=\"m1\""), "{html}");
    let csrf = csrf_of(&html);
    let idem = between(&html, "name=\"idem_key\" value=\"", "\"");

    // A disguised file is refused with the material named; nothing is created.
    let form = Form::new()
        .text("idem_key", idem.clone())
        .text("purpose", "新开一家面馆")
        .part("m1", Part::bytes(b"MZ\x90\x00 program".to_vec()).file_name("申请书.pdf"));
    let r = citizen.post(app.url(&format!("/apply/{item}?_csrf={csrf}"))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("材料1") && html.contains("新开一家面馆"),
        "the error names the material and keeps the text: {html}"
    );
    assert_eq!(case_count(&app).await, 0);
    // Without the CSRF token: refused.
    let form = Form::new().text("idem_key", idem.clone()).part("m1", pdf_part("申请书.pdf"));
    let r = citizen.post(app.url(&format!("/apply/{item}"))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Submitted: a number and a query password, shown once.
    let submit = || {
        Form::new()
            .text("idem_key", idem.clone())
            .text("mobile", "13800138000")
            .text("purpose", "新开一家面馆")
            .part("m1", pdf_part("申请书.pdf"))
    };
    let r = citizen.post(app.url(&format!("/apply/{item}?_csrf={csrf}"))).multipart(submit()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let case_no = between(&html, "id=\"case-no\">", "<");
    let password = between(&html, "id=\"query-password\"><strong>", "<");
    assert_eq!(password.len(), 8);
    let case: i64 = between(&html, "href=\"/cases/", "\"").parse().unwrap();
    // A double click: the same case, no password again, nothing new.
    let r = citizen.post(app.url(&format!("/apply/{item}?_csrf={csrf}"))).multipart(submit()).send().await.unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("已经提交过") && html.contains(&case_no) && !html.contains("query-password"), "{html}");
    assert_eq!(case_count(&app).await, 1);

    // Following without signing in: a wrong password tells nothing.
    let anon = browser();
    let (_, html) = page(&anon, &app, "/track").await;
    let acsrf = csrf_of(&html);
    let r = anon
        .post(app.url("/track"))
        .form(&[("_csrf", acsrf.as_str()), ("case_no", case_no.as_str()), ("password", "WRONGPW2")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("办件编号或查询密码不正确"));
    let r = anon
        .post(app.url("/track"))
        .form(&[("_csrf", acsrf.as_str()), ("case_no", case_no.as_str()), ("password", &password.to_lowercase())])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("提交申请") && html.contains("待受理"), "{html}");
    assert!(!html.contains("张"), "the applicant's name is masked: {html}");

    // Other applicants do not see the case; the supervisor reads it but is offered nothing.
    let (s, _) = page(&company, &app, &format!("/cases/{case}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, html) = page(&supervisor, &app, &format!("/cases/{case}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("id=\"act-h\""), "no action forms for supervision");

    // The counter's inbox holds it; it asks for a supplement, listing everything at once.
    let (_, html) = page(&counter, &app, "/work/inbox").await;
    assert!(html.contains(&case_no) && html.contains("本部门待办（1）"), "{html}");
    // The list shows the number short (its full text kept in the title) and the time left in words.
    assert!(html.contains(&format!("<span class=\"case-no\" title=\"{case_no}\">")), "{html}");
    assert!(html.contains("剩5个工作日"), "{html}");
    let (_, html) = page(&counter, &app, &format!("/cases/{case}")).await;
    assert!(html.contains("value=\"accept\"") && html.contains("value=\"supplement_request\""));
    let (s, _, html) = page_act(&counter, &app, case, &[("action", "supplement_request"), ("missing", "\r\n")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("一次性列明"), "{html}");
    let (s, loc, _) = page_act(
        &counter,
        &app,
        case,
        &[("action", "supplement_request"), ("missing", "申请书缺少法定代表人签字\n经营场所平面图")],
    )
    .await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, format!("/cases/{case}?done=supplement_request").as_str()));

    // The citizen sees what is missing and uploads it.
    let (_, html) = page(&citizen, &app, &format!("/cases/{case}")).await;
    assert!(html.contains("经营场所平面图") && html.contains("提交补正材料"), "{html}");
    let seq = between(&html, "name=\"expected_seq\" value=\"", "\"");
    let ccsrf = csrf_of(&html);
    let form = Form::new()
        .text("expected_seq", seq.clone())
        .text("idem_key", "sup-1")
        .part("m1", Part::bytes(b"%PDF-1.4\n% signed\n%%EOF\n".to_vec()).file_name("申请书（签字）.pdf"));
    let r =
        citizen.post(app.url(&format!("/cases/{case}/supplement?_csrf={ccsrf}"))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Accepted at the counter; an officer acting on the page he loaded before is told who acted.
    let (_, stale_html) = page(&counter, &app, &format!("/cases/{case}")).await;
    let (s, _, _) = page_act(&counter, &app, case, &[("action", "accept")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let stale_seq = between(&stale_html, "name=\"expected_seq\" value=\"", "\"");
    let r = counter
        .post(app.url(&format!("/cases/{case}/act")))
        .form(&[
            ("_csrf", csrf_of(&stale_html).as_str()),
            ("expected_seq", stale_seq.as_str()),
            ("action", "refuse"),
            ("opinion", "材料不全"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("李娜已于"), "names who acted");

    // Step 1 at the counter, step 2 with the land department's joint answer.
    let (s, _, _) = page_act(&counter, &app, case, &[("action", "pass"), ("opinion", "材料齐全")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, html) = page_act(&reviewer, &app, case, &[("action", "pass"), ("opinion", "同意")]).await;
    assert_eq!(s, StatusCode::CONFLICT, "the joint answer is still missing");
    assert!(html.contains("尚未答复"), "{html}");
    let (_, html) = page(&land, &app, "/work/inbox?scope=joint").await;
    assert!(html.contains(&case_no) && html.contains("待会办（1）"), "{html}");
    let (s, _, _) =
        page_act(&land, &app, case, &[("action", "joint_answer"), ("agree", "1"), ("opinion", "选址符合规划")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = page_act(&reviewer, &app, case, &[("action", "pass"), ("opinion", "审查通过")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = page_act(&head, &app, case, &[("action", "pass"), ("opinion", "同意许可")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // The 办结 form: only the decision's conclusions, none chosen, what each issues, and a confirmation.
    let (_, html) = page(&head, &app, &format!("/cases/{case}")).await;
    let form = between(&html, "name=\"action\" value=\"conclude\"", "</form>");
    assert!(
        form.contains("value=\"granted\" required> <strong>准予许可</strong>：将出具《准予行政许可决定书》"),
        "{form}"
    );
    assert!(form.contains("value=\"denied\"") && form.contains("《不予行政许可决定书》"), "{form}");
    assert!(form.contains("value=\"returned\"") && form.contains("《退件通知书》"), "{form}");
    assert!(!form.contains("checked") && !form.contains("selected"), "nothing chosen in advance: {form}");
    assert!(form.contains("name=\"confirm\" value=\"1\" required"), "{form}");
    // Not confirmed: refused in words, nothing decided.
    let fields = [("action", "conclude"), ("outcome", "granted"), ("document_no", "JY1520000001")];
    let (s, _, text) = page_act(&head, &app, case, &fields).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("勾选“确认办结”"), "{text}");
    // Granting needs the licence number and a real date of validity.
    for (doc_no, valid, status, says) in [
        ("", "", StatusCode::UNPROCESSABLE_ENTITY, "证照编号"),
        ("JY1520000001", "2031-13-01", StatusCode::UNPROCESSABLE_ENTITY, "YYYY-MM-DD"),
        ("JY1520000001", "2031-11-30", StatusCode::SEE_OTHER, ""),
    ] {
        let fields = [
            ("action", "conclude"),
            ("outcome", "granted"),
            ("document_no", doc_no),
            ("valid_until", valid),
            ("confirm", "1"),
        ];
        let (s, _, html) = page_act(&head, &app, case, &fields).await;
        assert_eq!(s, status);
        assert!(html.contains(says), "{html}");
    }

    // The citizen's timeline, without officers' names, and the decision as PDF.
    let (_, html) = page(&citizen, &app, &format!("/cases/{case}")).await;
    assert!(html.contains("已办结") && html.contains("选址符合规划") && !html.contains("李娜"), "{html}");
    let doc = between(&html, &format!("/cases/{case}/documents/"), "\"");
    let doc_last = html.rsplit(&format!("/cases/{case}/documents/")).next().unwrap().split('"').next().unwrap();
    for d in [doc.as_str(), doc_last] {
        let r = citizen.get(app.url(&format!("/cases/{case}/documents/{d}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
    }
    let r = company.get(app.url(&format!("/cases/{case}/documents/{doc}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A lost query password is replaced; the old one stops working.
    let (_, html) = page(&citizen, &app, &format!("/cases/{case}")).await;
    let r = citizen
        .post(app.url(&format!("/cases/{case}/query-password")))
        .form(&[("_csrf", csrf_of(&html).as_str())])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    let fresh = between(&html, "id=\"new-password\">", "<");
    for (pw, ok) in [(password.as_str(), false), (fresh.as_str(), true)] {
        let r = zwfw_app::cases::track(&app.state, "test", &case_no, pw).await;
        assert_eq!(r.is_ok(), ok, "{pw}");
    }

    // The e-materials library holds both files the citizen submitted.
    let (_, html) = page(&citizen, &app, "/my/materials").await;
    assert!(html.contains("申请书.pdf") && html.contains("申请书（签字）.pdf"), "{html}");
    // Lists: the citizen's own, the department's.
    let (_, html) = page(&citizen, &app, "/cases").await;
    assert!(html.contains("我的办件") && html.contains(&case_no));
    let (_, html) = page(&company, &app, "/cases").await;
    assert!(!html.contains(&case_no));
    let (_, html) = page(&counter, &app, &format!("/cases?q={case_no}")).await;
    assert!(html.contains("本部门办件") && html.contains(&case_no));
    assert_invariants(&app).await;
});

both_backends!(counter_registers_a_walk_in_application_with_scanned_materials, |store: Store| async move {
    let app = App::start(store).await;
    let item = joint_item(&app).await;
    let counter = signed(&app.ready_token("demo_counter").await);
    let land = signed(&app.ready_token("demo_land").await);
    let (s, html) = page(&counter, &app, &format!("/apply/{item}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("窗口登记") && html.contains("name=\"id_no\""));
    let csrf = csrf_of(&html);
    // Another department's counter may not register for this item.
    let (s, _) = page(&land, &app, &format!("/apply/{item}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let form = |id_no: &str| {
        Form::new()
            .text("idem_key", format!("walkin-{id_no}"))
            .text("kind", "natural")
            .text("name", "王芳")
            .text("id_no", id_no.to_string())
            .text("mobile", "13900139000")
            .part("m1", pdf_part("扫描件.pdf"))
    };
    let r = counter.post(app.url(&format!("/apply/{item}?_csrf={csrf}"))).multipart(form("520102199001011234")).send();
    let r = r.await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a wrong check digit");
    assert!(r.text().await.unwrap().contains("王芳"), "the form keeps what was typed");
    let first17 = "52010219900101123";
    let valid = format!("{first17}{}", zwfw_domain::ids::ResidentId::check_char(first17).unwrap());
    let r = counter.post(app.url(&format!("/apply/{item}?_csrf={csrf}"))).multipart(form(&valid)).send();
    let html = r.await.unwrap().text().await.unwrap();
    let case: i64 = between(&html, "href=\"/cases/", "\"").parse().unwrap();
    let (_, html) = page(&counter, &app, &format!("/cases/{case}")).await;
    assert!(html.contains("窗口受理") && html.contains("B级（窗口核验）"), "scanned at the counter: level B: {html}");
    // Next time the counter finds 王芳 by her ID number; a citizen with an account is found too.
    let (_, html) = page(&counter, &app, &format!("/apply/{item}?lookup={valid}")).await;
    assert!(html.contains("已找到申请人 王芳") && html.contains("value=\"13900139000\""), "{html}");
    let citizen_id = zwfw_store::admin::find_user_by_username(&app.state.store, "demo_citizen")
        .await
        .unwrap()
        .unwrap()
        .id_number
        .unwrap();
    let (_, html) = page(&counter, &app, &format!("/apply/{item}?lookup={citizen_id}")).await;
    assert!(html.contains("已找到申请人 陈小华"), "{html}");
    let (s, html) = page(&counter, &app, &format!("/apply/{item}?lookup=110101199003070000")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("没有找到该证件号码的申请人记录"));
    // The public cannot look anybody up.
    let (_, html) =
        page(&signed(&app.ready_token("demo_company").await), &app, &format!("/apply/{item}?lookup={valid}")).await;
    assert!(!html.contains("王芳"));
    // Paper originals received and returned.
    let (_, html) = page(&counter, &app, &format!("/cases/{case}")).await;
    let r = counter
        .post(app.url(&format!("/cases/{case}/originals")))
        .form(&[("_csrf", csrf_of(&html).as_str()), ("name", "营业执照原件"), ("copies", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&counter, &app, &format!("/cases/{case}")).await;
    assert!(html.contains("营业执照原件 × 1") && html.contains("登记退还"), "{html}");
    let oid = between(&html, &format!("/cases/{case}/originals/"), "/return");
    let r = counter
        .post(app.url(&format!("/cases/{case}/originals/{oid}/return")))
        .form(&[("_csrf", csrf_of(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&counter, &app, &format!("/cases/{case}")).await;
    assert!(html.contains("已退还"));
});

both_backends!(the_case_list_filters_by_department_and_period, |store: Store| async move {
    use serde_json::Value;
    let app = App::start_at(store.clone(), "2026-11-24T20:48:00+08:00").await;
    assert!(zwfw_app::demo::cases::load(&app.state, 120).await.unwrap() > 100);
    let supervisor = app.ready_token("demo_supervisor").await;
    let land = app.department_id("示例市自然资源局").await;
    let list = |token: String, query: String| {
        let app = &app;
        async move {
            let r = app.get(&token, &format!("/api/v1/cases?{query}")).await;
            let s = r.status();
            (s, r.json::<Value>().await.unwrap())
        }
    };
    let takes_part = |id: i64| {
        let store = store.clone();
        async move {
            let q = zwfw_store::db::query(
                "SELECT COUNT(*) AS n FROM cases c WHERE c.id = $1 AND (c.department_id = $2 \
                 OR EXISTS (SELECT 1 FROM case_joint j WHERE j.case_id = c.id AND j.department_id = $3))",
            );
            let r = q.bind(id).bind(land).bind(land).fetch_one(store.pool()).await.unwrap();
            matches!(r.value("n"), Some(zwfw_store::db::Value::Int(1)))
        }
    };

    // One department's cases: its own and the joint reviews it takes part in.
    let mut outside = 0;
    for p in 1..=3 {
        let (_, all) = list(supervisor.clone(), format!("scope=all&page={p}")).await;
        for c in all.as_array().unwrap() {
            outside += usize::from(!takes_part(c["id"].as_i64().unwrap()).await);
        }
    }
    assert!(outside > 0, "other departments' cases exist");
    let (s, of_land) = list(supervisor.clone(), format!("scope=all&dept={land}")).await;
    assert_eq!(s, StatusCode::OK, "{of_land}");
    let of_land = of_land.as_array().unwrap();
    assert!(!of_land.is_empty());
    for c in of_land {
        assert!(takes_part(c["id"].as_i64().unwrap()).await, "{c}");
    }

    // A period of submission, in days of China time.
    let (_, all) = list(supervisor.clone(), "scope=all".into()).await;
    let some = all.as_array().unwrap().iter().find(|c| c["submitted_at"].is_i64()).unwrap().clone();
    let day = zwfw_domain::clock::local_date(some["submitted_at"].as_i64().unwrap()).to_string();
    let (s, that_day) = list(supervisor.clone(), format!("scope=all&from={day}&to={day}")).await;
    assert_eq!(s, StatusCode::OK, "{that_day}");
    let that_day = that_day.as_array().unwrap();
    assert!(that_day.iter().any(|c| c["id"] == some["id"]));
    for c in that_day {
        assert_eq!(zwfw_domain::clock::local_date(c["submitted_at"].as_i64().unwrap()).to_string(), day);
    }

    // Refusals: a wrong date, a period that ends before it starts, a
    // department that is not a number, another department outside scope=all.
    let (s, b) = list(supervisor.clone(), "scope=all&from=2026-13-01".into()).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_date")), "{b}");
    assert_eq!(b["message"], "日期格式不正确，应为YYYY-MM-DD（例如2025-09-26）");
    let (s, b) = list(supervisor.clone(), "scope=all&from=2026-11-02&to=2026-11-01".into()).await;
    assert_eq!(
        (s, b["code"].as_str(), b["message"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_date_range"), Some("结束日期早于开始日期"))
    );
    let (s, _) = list(supervisor.clone(), "scope=all&dept=abc".into()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let counter = app.ready_token("demo_counter").await;
    let (s, _) = list(counter.clone(), format!("dept={land}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a department's staff read only their department's");
    let citizen = app.ready_token("demo_citizen").await;
    let (s, _) = list(citizen, format!("scope=mine&dept={land}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, mine) = list(counter, format!("from={day}&to={day}")).await;
    assert_eq!(s, StatusCode::OK, "staff filter their department's by period");
    assert!(mine.as_array().unwrap().iter().all(|c| zwfw_domain::clock::local_date(
        c["submitted_at"].as_i64().unwrap()
    )
    .to_string()
        == day));

    // The page: the department chosen, the period and the scope kept in the form.
    let browser = signed(&supervisor);
    let (s, html) = page(&browser, &app, &format!("/cases?scope=all&dept={land}&from={day}&to={day}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&format!("<option value=\"{land}\" selected>示例市自然资源局</option>")), "{html}");
    assert!(html.contains(&format!("id=\"from\" name=\"from\" type=\"date\" value=\"{day}\"")));
    assert!(html.contains("<input type=\"hidden\" name=\"scope\" value=\"all\">"));
    // Nothing searched: the search box is empty (it said "None", which the next search sent).
    assert!(html.contains("<input id=\"q\" name=\"q\" value=\"\">"), "{html}");
    assert!(html.contains("全部办件"));
});

both_backends!(decisions_on_the_case_page_are_chosen_not_preset, |store: Store| async move {
    let app = App::start(store).await;
    let (_, item) = market_item(&app, "TESTPRESET000000000000000000001").await;
    let [citizen, counter, reviewer, head] =
        app.ready_tokens(["demo_citizen", "demo_counter", "demo_reviewer", "demo_head"]).await;
    let id = apply(&app, &citizen, item).await;
    act_ok(&app, &counter, id, serde_json::json!({"action": "accept"})).await;
    act_ok(&app, &counter, id, serde_json::json!({"action": "pass", "opinion": "材料齐全"})).await;
    act_ok(
        &app,
        &reviewer,
        id,
        serde_json::json!({"action": "extension_request", "days": 10, "opinion": "需补充核查"}),
    )
    .await;
    // The head's extension decision has no answer ticked in advance: either is chosen.
    let browser = signed(&head);
    let (s, html) = page(&browser, &app, &format!("/cases/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let form = between(&html, "name=\"action\" value=\"extension_decide\"", "</form>");
    assert!(form.contains("name=\"approved\" value=\"1\" required"), "{form}");
    assert!(!form.contains("checked"), "{form}");
    // Nor is an outcome of the conclusion selected in advance.
    let conclude = between(&html, "name=\"action\" value=\"conclude\"", "</form>");
    assert!(conclude.contains("type=\"radio\" name=\"outcome\"") && !conclude.contains("checked"), "{conclude}");
    // Sent without a choice, the page answers in words and nothing is decided.
    let (s, _, text) = page_act(&browser, &app, id, &[("action", "extension_decide"), ("opinion", "同意")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("请选择批准或不批准"), "{text}");
    let (_, html) = page(&browser, &app, &format!("/cases/{id}")).await;
    assert!(html.contains("name=\"action\" value=\"extension_decide\""), "still waiting for the decision");
});

both_backends!(an_address_that_does_not_parse_is_answered_in_words, |store: Store| async move {
    let app = App::start(store).await;
    let counter = app.ready_token("demo_counter").await;
    let browser = signed(&counter);
    for (path, says) in [("/cases/abc", "请求格式不正确"), ("/work/inbox?page=abc", "查询条件“页码”的取值无法识别")]
    {
        let (s, html) = page(&browser, &app, path).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{path}");
        assert!(html.contains(says), "{path}: {html}");
        assert!(!html.contains("Cannot parse") && !html.contains("Failed to deserialize"), "{path}: {html}");
    }
    for path in ["/api/v1/cases/abc", "/api/v1/cases?page=abc"] {
        let (s, b) = code_of(app.get(&counter, path).await).await;
        assert_eq!((s, b.as_str()), (StatusCode::BAD_REQUEST, "bad_request"), "{path}");
    }
});
