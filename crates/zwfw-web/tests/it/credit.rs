//! 双公示 of 行政许可 decisions end to end, on SQLite and PostgreSQL: a grant
//! and a denial of a 行政许可 item each write a publication record (derived
//! after the conclusion's commit), due seven working days later; nothing is public
//! until the deciding department publishes it (公示) with its 许可类别;
//! refusals (wrong people, a case not concluded, a second 公示, a bad
//! category, bad filters) change nothing; the public list masks a person's
//! name and ID number, never finds a person by them, and exports a workbook; the licence's revocation makes
//! the record 无效 with the date; a decision left unpublished past its last
//! day is an A12 finding of its department.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_domain::catalog::example;
use zwfw_store::{both_backends, Store};

async fn public(app: &App, query: &str) -> Value {
    let (s, b) = anon_get(app, &format!("/api/v1/credit/licensing{query}")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

const PUBLISHED: &str = "SELECT COUNT(*) AS n FROM credit_licensing WHERE published_at IS NOT NULL";

both_backends!(credit_licensing_records_publication_and_a12, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let item = publish(&app, &example(market), "TESTCREDIT000000000000000000001").await;
    let [admin, citizen, counter, reviewer, head, land_staff, supervisor] = app
        .ready_tokens([
            "demo_admin",
            "demo_citizen",
            "demo_counter",
            "demo_reviewer",
            "demo_head",
            "demo_land",
            "demo_supervisor",
        ])
        .await;
    let tokens = [citizen.clone(), counter.clone(), reviewer.clone(), head.clone()];

    // The item's licence type and the department's key, so that the grant issues a licence.
    license_item(&app, &admin, item, market, 904).await;

    // A case not concluded cannot be published; nothing exists before the conclusion.
    let open = apply(&app, &citizen, item).await;
    let (s, code) = code_of(
        app.post(&head, &format!("/api/v1/credit/licensing/cases/{open}/publish"), json!({"category": "general"}))
            .await,
    )
    .await;
    assert_eq!((s, code.as_str()), (StatusCode::CONFLICT, "credit_case_not_concluded"));
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM credit_licensing").await, 0);

    let granted = conclude(
        &app,
        &tokens,
        item,
        json!({"action": "conclude", "outcome": "granted", "document_no": "JY0000000000002", "valid_until": "2030-12-31"}),
    )
    .await;
    let denied = conclude(
        &app,
        &tokens,
        item,
        json!({"action": "conclude", "outcome": "denied", "opinion": "经营场所不符合要求"}),
    )
    .await;

    // Written with the conclusions, due seven working days after (Friday
    // 2025-09-26: the make-up Sunday and Saturday counted, the holiday not).
    let (s, m) = body(app.get(&head, "/api/v1/credit/licensing/manage").await).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(m["total"], 2, "{m}");
    let row = |case: i64| m["rows"].as_array().unwrap().iter().find(|r| r["staff"]["case_id"] == case).unwrap().clone();
    let g = row(granted);
    assert_eq!(
        (g["staff"]["publish_due"].as_str(), g["staff"]["timeliness"].as_str(), g["staff"]["may_publish"].as_bool()),
        (Some("2025-10-13"), Some("pending"), Some(true)),
        "{g}"
    );
    assert_eq!(
        (g["document_name"].as_str(), g["document_no"].as_str(), g["decided_on"].as_str()),
        (Some("准予行政许可决定书"), Some("JY0000000000002"), Some("2025-09-26")),
        "{g}"
    );
    // The licence issued after the commit gives its certificate's name and validity.
    assert_eq!(
        (g["certificate_name"].as_str(), g["valid_to"].as_str()),
        (Some("食品经营许可证"), Some("2030-12-31")),
        "{g}"
    );
    assert_eq!((g["authority"].as_str(), g["status"].as_str()), (Some("示例市市场监督管理局"), Some("valid")), "{g}");
    assert_eq!(g["legal_rep"], "", "a natural person has no 法定代表人: {g}");
    let d = row(denied);
    assert_eq!(d["document_name"], "不予行政许可决定书", "{d}");
    assert!(d["content"].as_str().unwrap().contains("经营场所不符合要求"), "{d}");
    // Not public before its 公示.
    assert_eq!(public(&app, "").await["total"], 0);

    // Refused, and nothing written: the wrong people (decided before the body
    // is read), a bad category, an overlong content.
    let url = format!("/api/v1/credit/licensing/cases/{granted}/publish");
    let (s, code) = code_of(app.post(&counter, &url, json!({"category": "general"})).await).await;
    assert_eq!((s, code.as_str()), (StatusCode::FORBIDDEN, "missing_role"));
    let (s, code) = code_of(app.post(&supervisor, &url, json!("not an object")).await).await;
    assert_eq!((s, code.as_str()), (StatusCode::FORBIDDEN, "supervision_reads_only"));
    let (s, code) = code_of(app.post(&land_staff, &url, json!({"category": "general"})).await).await;
    assert_eq!((s, code.as_str()), (StatusCode::FORBIDDEN, "not_in_department"));
    let (s, code) = code_of(app.post(&citizen, &url, json!({"category": "general"})).await).await;
    assert_eq!((s, code.as_str()), (StatusCode::FORBIDDEN, "staff_only"));
    let (s, code) = code_of(app.post(&head, &url, json!({"category": "moon"})).await).await;
    assert_eq!((s, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"));
    let (s, code) =
        code_of(app.post(&head, &url, json!({"category": "general", "content": "长".repeat(2001)})).await).await;
    assert_eq!((s, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"));
    let (s, code) = code_of(app.post(&head, &url, json!({"nothing": 1})).await).await;
    assert_eq!((s, code.as_str()), (StatusCode::BAD_REQUEST, "bad_request"));
    assert_eq!(count(&app, PUBLISHED).await, 0, "nothing written by a refused 公示");

    // Published, once, on time.
    let (s, b) =
        body(app.post(&reviewer, &url, json!({"category": "approval", "content": "食品销售（预包装食品）"})).await)
            .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!((b["category_label"].as_str(), b["published_on"].as_str()), (Some("核准"), Some("2025-09-26")), "{b}");
    assert_eq!(b["staff"]["timeliness"], "on_time", "{b}");
    let (s, b) = body(app.post(&head, &url, json!({"category": "general"})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("credit_already_published")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("2025-09-26"), "{b}");
    assert_eq!(count(&app, PUBLISHED).await, 1);

    // The public list: a person's name and ID number masked; the filters.
    let p = public(&app, "").await;
    assert_eq!(p["total"], 1, "{p}");
    let r = &p["rows"][0];
    assert_eq!(
        (r["content"].as_str(), r["holder_category"].as_str()),
        (Some("食品销售（预包装食品）"), Some("自然人")),
        "{r}"
    );
    assert!(r["holder_name"].as_str().unwrap().ends_with('*'), "{r}");
    let id = r["id_number"].as_str().unwrap();
    assert!(id.contains("****") && id.chars().count() == 18, "{r}");
    assert!(r.get("staff").is_none(), "the public sees no case: {r}");
    assert_eq!(public(&app, "?code=JY0000000000002").await["total"], 1);
    assert_eq!(public(&app, "?code=JY0000000000009").await["total"], 0);
    // A person is found neither by part of their name nor by their 身份证号:
    // both are shown masked, which a search would undo a character at a
    // time. The deciding department's staff find them by both.
    for q in ["?name=陈", "?name=小华", "?code=529902198506123023"] {
        assert_eq!(public(&app, q).await["total"], 0, "{q}");
        let (s, m) = body(app.get(&head, &format!("/api/v1/credit/licensing/manage{q}&state=all")).await).await;
        assert_eq!((s, m["total"].as_i64()), (StatusCode::OK, Some(2)), "{q}: {m}");
    }
    assert_eq!(public(&app, &format!("?department_id={market}&from=2025-09-26&to=2025-09-26")).await["total"], 1);
    assert_eq!(public(&app, "?from=2025-09-27").await["total"], 0);
    for (q, field) in [
        ("?from=2025-13-01", "from"),
        ("?to=yesterday", "to"),
        ("?from=2025-10-01&to=2025-09-01", "to"),
        ("?department_id=x", "department_id"),
        ("?page=0", "page"),
    ] {
        let (s, b) = anon_get(&app, &format!("/api/v1/credit/licensing{q}")).await;
        assert_eq!(
            (s, b["code"].as_str(), b["detail"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_filter"), Some(field)),
            "{q}: {b}"
        );
    }
    // The workbook.
    let r = client().get(app.url("/api/v1/credit/licensing/export?code=JY0000000000002")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");
    // The public page, without signing in.
    let (s, html) = page(&client(), &app, "/credit/licensing").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("行政许可信息公示") && html.contains("JY0000000000002") && html.contains("核准"), "{html}");
    // The 许可机关 filter offers the departments that license, not the supervision office.
    let authorities = between(&html, "<select id=\"department_id\"", "</select>");
    assert!(authorities.contains("示例市市场监督管理局") && !authorities.contains("示例市监察局"), "{authorities}");

    // The licence revoked: the record shows 无效 with the date.
    let license: String = {
        let row = zwfw_store::db::query(format!("SELECT identifier FROM licenses WHERE case_id = {granted}"))
            .fetch_one(app.state.store.pool())
            .await
            .unwrap();
        match row.value("identifier") {
            Some(zwfw_store::db::Value::Text(t)) => t.clone(),
            other => panic!("{other:?}"),
        }
    };
    let (s, b) = body(
        app.post(
            &head,
            &format!("/api/v1/licenses/{license}/changes"),
            json!({"action": "revoke", "decision_no": "示市监罚〔2025〕2号"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let r = &public(&app, "").await["rows"][0];
    assert_eq!(
        (r["status"].as_str(), r["status_label"].as_str(), r["invalid_on"].as_str()),
        (Some("invalid"), Some("无效"), Some("2025-09-26")),
        "{r}"
    );

    // The denial left unpublished: on its last day nothing, the day after an A12 finding of its department.
    day(&app, "2025-10-13").await;
    let supervisor = app.signed_in("demo_supervisor").await;
    let a12 = |f: Value| -> Vec<Value> {
        f["rows"].as_array().unwrap().iter().filter(|x| x["object_kind"] == "credit").cloned().collect()
    };
    let (_, f) = body(app.get(&supervisor, "/api/v1/supervision/findings?rule=A12&state=all").await).await;
    assert!(a12(f).is_empty());
    day(&app, "2025-10-14").await;
    let supervisor = app.signed_in("demo_supervisor").await;
    let (_, f) = body(app.get(&supervisor, "/api/v1/supervision/findings?rule=A12&state=all").await).await;
    let found = a12(f);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["department_id"].as_i64(), Some(market), "{:?}", found[0]);
    assert!(found[0]["description"].as_str().unwrap().contains("超期未公示"), "{:?}", found[0]);
    // Published late: late in the staff list.
    let head = app.signed_in("demo_head").await;
    let (s, b) = body(
        app.post(&head, &format!("/api/v1/credit/licensing/cases/{denied}/publish"), json!({"category": "general"}))
            .await,
    )
    .await;
    assert_eq!((s, b["staff"]["timeliness"].as_str()), (StatusCode::OK, Some("late")), "{b}");

    // The dashboard: per department, the 审管 backlog (the grant and the
    // denial pushed to the market regulator itself, both past their last day;
    // its own revocation is not pushed back to it) and the 双公示 timeliness.
    let (s, dash) = body(app.get(&supervisor, "/api/v1/supervision/dashboard").await).await;
    assert_eq!(s, StatusCode::OK, "{dash}");
    let m = dash["departments"].as_array().unwrap().iter().find(|d| d["id"].as_i64() == Some(market)).unwrap();
    let got: Vec<i64> = ["handover_unclaimed", "handover_overdue", "credit_on_time", "credit_late", "credit_overdue"]
        .iter()
        .map(|k| m[*k].as_i64().unwrap())
        .collect();
    assert_eq!(got, [2, 2, 1, 1, 0], "{m}");

    // The evaluation of October: the two decisions due on 10-13, one
    // published in time. Weighed at 0 by default they leave the score as it
    // was; weighed, they move it.
    let line = |ev: &Value| -> Value {
        ev["lines"].as_array().unwrap().iter().find(|l| l["department_id"].as_i64() == Some(market)).unwrap().clone()
    };
    let (s, ev) = body(app.get(&supervisor, "/api/v1/supervision/evaluation?period=2025-10").await).await;
    assert_eq!(s, StatusCode::OK, "{ev}");
    let l = line(&ev);
    assert_eq!(
        (l["figures"]["credit_due"].as_i64(), l["figures"]["credit_in_time"].as_i64()),
        (Some(2), Some(1)),
        "{l}"
    );
    assert_eq!(ev["config"]["weights"]["credit"].as_i64(), Some(0), "{l}");
    let unweighed = l["score"].as_f64();
    let mut cfg = ev["config"].clone();
    cfg["weights"]["credit"] = json!(20);
    cfg["reason"] = json!("双公示纳入考核");
    let (s, r) = body(app.put(&supervisor, "/api/v1/supervision/evaluation/config", cfg).await).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, ev) = body(app.get(&supervisor, "/api/v1/supervision/evaluation?period=2025-10").await).await;
    let weighed = line(&ev)["score"].as_f64();
    assert_ne!(weighed, unweighed, "{ev}");
    if unweighed.is_none() {
        assert_eq!(weighed, Some(50.0), "only the 双公示 sub-score (1 of 2 in time): {ev}");
    }

    // The staff page with its 公示 form (CSRF) for the department.
    let (s, html) = page(&signed(&head), &app, "/credit/licensing/manage?state=all").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("逾期公示") && html.contains("按期公示"), "{html}");
    assert_invariants(&app).await;
});

both_backends!(a_companys_record_names_its_legal_representative, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let market = app.department_id("示例市市场监督管理局").await;
    let item = publish(&app, &example(market), "TESTCREDIT000000000000000000002").await;
    let [company, counter, reviewer, head] =
        app.ready_tokens(["demo_company", "demo_counter", "demo_reviewer", "demo_head"]).await;
    // The form asks no 法定代表人: the company's account gives it.
    let tokens = [company, counter, reviewer, head.clone()];
    let denied =
        conclude(&app, &tokens, item, json!({"action": "conclude", "outcome": "denied", "opinion": "场所不符"})).await;
    let (s, m) = body(app.get(&head, "/api/v1/credit/licensing/manage").await).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let row = m["rows"].as_array().unwrap().iter().find(|r| r["staff"]["case_id"] == denied).cloned().unwrap();
    assert_eq!(
        (row["holder_category"].as_str(), row["legal_rep"].as_str(), row["holder_name"].as_str()),
        (Some("法人及非法人组织"), Some("黄志明"), Some("示例市明达餐饮有限公司")),
        "{row}"
    );
});
