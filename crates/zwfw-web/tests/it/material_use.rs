//! Materials that need no upload, on SQLite and PostgreSQL: an electronic
//! licence the applicant holds (trust A, its live verification shown to
//! the counter, written into the holder's 用证 log; refused when it is
//! another holder's, of another type, not valid or forged), a granted
//! licence entering the holder's 电子要件库, a 告知承诺 signed instead of a
//! material (trust D) that the department marks unfulfilled (a finding
//! A09, the applicant told) and never beside a file of the same material,
//! and registry records where the item allows them, in applications,
//! drafts and supplements.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use zwfw_store::{both_backends, Store};

/// Grants `item` to the applicant `who` through its steps; the case.
async fn grant(app: &App, who: &str, staff: &[String; 3], item: i64) -> i64 {
    let [counter, reviewer, head] = staff;
    let id = apply(app, who, item).await;
    for (t, a) in [
        (counter, json!({"action": "accept"})),
        (counter, json!({"action": "pass", "opinion": "材料齐全"})),
        (reviewer, json!({"action": "pass", "opinion": "审查通过"})),
        (head, json!({"action": "pass", "opinion": "同意"})),
        (head, json!({"action": "conclude", "outcome": "granted", "document_no": format!("JY{id:013}")})),
    ] {
        act_ok(app, t, id, a).await;
    }
    id
}

async fn licence_of(app: &App, token: &str, case: i64) -> String {
    let (s, cl) = body(app.get(token, &format!("/api/v1/cases/{case}/license")).await).await;
    assert_eq!((s, cl["job"]["state"].as_str()), (StatusCode::OK, Some("issued")), "{cl}");
    cl["licenses"][0]["identifier"].as_str().unwrap().to_string()
}

/// Applies for `item` with these materials; the answer.
async fn apply_with(app: &App, token: &str, item: i64, materials: Value) -> (StatusCode, Value) {
    body(app.post(token, &format!("/api/v1/items/{item}/applications"), json!({"materials": materials})).await).await
}

/// What the apply form offers for each material of `item` to `token`.
async fn options(app: &App, token: &str, item: i64) -> Value {
    let (s, o) = body(app.get(token, &format!("/api/v1/items/{item}/material-options")).await).await;
    assert_eq!(s, StatusCode::OK, "{o}");
    o
}

fn refused(r: &(StatusCode, Value), code: &str) {
    assert_eq!((r.0, r.1["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{}", r.1);
}

both_backends!(licences_and_commitments_serve_as_materials, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let (market, issuing) = market_item(&app, "TESTUSE00000000000000000000001").await;
    let [admin, citizen, elder, counter, reviewer, head, sup] = app
        .ready_tokens([
            "demo_admin",
            "demo_citizen",
            "demo_elder",
            "demo_counter",
            "demo_reviewer",
            "demo_head",
            "demo_supervisor",
        ])
        .await;
    let staff = [counter.clone(), reviewer.clone(), head.clone()];

    // A licence type the market regulator issues on `issuing`, and its key.
    let code = format!("{}001", zwfw_app::demo::credit_code_for("100000", 904));
    let t = json!({"code": code, "name": "食品经营许可证", "define_authority": "国家市场监督管理总局",
        "define_authority_level": "国家级", "holder_kind": "person", "validity_years": 5,
        "template": "经营者名称", "item_ids": [issuing]});
    let (s, b) = body(app.post(&admin, "/api/v1/admin/license-types", t).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = body(app.post(&admin, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let mine = licence_of(&app, &citizen, grant(&app, &citizen, &staff, issuing).await).await;
    let theirs = licence_of(&app, &elder, grant(&app, &elder, &staff, issuing).await).await;

    // The grant's licence is in the holder's 电子要件库 as trust A.
    let (_, lib) = body(app.get(&citizen, "/api/v1/e-materials").await).await;
    let entry = lib.as_array().unwrap().iter().find(|e| e["license_id"].is_i64()).cloned();
    let entry = entry.unwrap_or_else(|| panic!("the licence is in the library: {lib}"));
    assert_eq!((entry["trust"].as_str(), entry["name"].as_str()), (Some("A"), Some("食品经营许可证")), "{entry}");

    // An item asking for that licence as its second material, and allowing a
    // commitment for its third.
    let mut c = zwfw_domain::catalog::example(market);
    let base = c.materials[0].clone();
    c.materials.push(zwfw_domain::catalog::Material {
        name: "食品经营许可证".into(),
        license_type_code: code.clone(),
        ..base.clone()
    });
    c.materials.push(zwfw_domain::catalog::Material {
        name: "食品安全管理制度".into(),
        commitment: true,
        ..base.clone()
    });
    let item = publish(&app, &c, "TESTUSE00000000000000000000002").await;

    // What the form offers: the citizen's licence for material 2, the
    // commitment and its text for material 3.
    let (s, opts) = body(app.get(&citizen, &format!("/api/v1/items/{item}/material-options")).await).await;
    assert_eq!(s, StatusCode::OK, "{opts}");
    let offered: Vec<&str> =
        opts[1]["licenses"].as_array().unwrap().iter().map(|l| l["identifier"].as_str().unwrap()).collect();
    assert_eq!(offered, [mine.as_str()], "{opts}");
    assert!(opts[0]["licenses"].as_array().unwrap().is_empty() && opts[0]["commitment"] == false, "{opts}");
    assert_eq!(opts[2]["commitment"], true, "{opts}");
    assert!(opts[2]["commitment_text"].as_str().unwrap().contains("承诺"), "{opts}");

    // Refused, each with its reason, and nothing made.
    let (_, up) = upload(&app, &citizen, PDF, "申请书.pdf").await;
    let first = json!({"material_no": 1, "upload_id": up["id"]});
    let with = |lic: Value| json!([first, {"material_no": 2, "license": lic}, {"material_no": 3, "commitment": true}]);
    refused(&apply_with(&app, &citizen, item, with(json!(theirs))).await, "license_not_held");
    let mut bad = mine.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == 'A' { 'B' } else { 'A' });
    let r = apply_with(&app, &citizen, item, with(json!(bad))).await;
    refused(&r, "invalid_license_id");
    assert_eq!(r.1["detail"], "check_character");
    let unknown = "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F";
    refused(&apply_with(&app, &citizen, item, with(json!(unknown))).await, "license_not_found");
    let r = apply_with(&app, &citizen, item, json!([{"material_no": 1, "license": mine}])).await;
    refused(&r, "license_not_accepted");
    let r = apply_with(&app, &citizen, item, json!([{"material_no": 1, "commitment": true}])).await;
    refused(&r, "commitment_not_allowed");
    let r =
        apply_with(&app, &citizen, item, json!([{"material_no": 1, "upload_id": up["id"], "commitment": true}])).await;
    refused(&r, "commitment_not_allowed");
    assert_eq!(r.1["message"], "「食品经营许可申请书」不适用告知承诺，请上传材料", "{}", r.1);
    // A commitment beside a file for the same material: said as such, in one
    // reference or in two, whatever the file is.
    let (_, up3) = upload(&app, &citizen, PDF, "制度.pdf").await;
    for third in [
        json!([{"material_no": 3, "upload_id": up3["id"], "commitment": true}]),
        json!([{"material_no": 3, "commitment": true}, {"material_no": 3, "upload_id": up3["id"]}]),
        json!([{"material_no": 3, "e_material_id": entry["id"]}, {"material_no": 3, "commitment": true}]),
    ] {
        let mut all = vec![first.clone()];
        all.extend(third.as_array().unwrap().iter().cloned());
        let r = apply_with(&app, &citizen, item, json!(all)).await;
        refused(&r, "commitment_with_material");
        assert_eq!(r.1["detail"], "食品安全管理制度", "{}", r.1);
        assert_eq!(
            r.1["message"],
            "「食品安全管理制度」已选择告知承诺，不能同时上传文件或提供其他材料：请取消勾选告知承诺，或不再提供该材料",
            "{}",
            r.1
        );
    }
    // One reference naming two files.
    let r =
        apply_with(&app, &citizen, item, json!([first, {"material_no": 2, "upload_id": up3["id"], "license": mine}]))
            .await;
    refused(&r, "material_several_sources");
    assert!(
        r.1["message"].as_str().unwrap().starts_with("「食品经营许可证」的每一份材料只能选择一种提供方式"),
        "{}",
        r.1
    );
    // No registry record stands for a material that takes none.
    let r = apply_with(&app, &citizen, item, json!([first, {"material_no": 3, "from_registry": true}])).await;
    refused(&r, "registry_not_accepted");
    assert_eq!(r.1["detail"], "食品安全管理制度", "{}", r.1);
    let (_, listed) = body(app.get(&citizen, "/api/v1/cases?scope=mine").await).await;
    assert_eq!(listed.to_string().matches(&format!("\"item_id\":{item}")).count(), 0, "{listed}");

    // Accepted: the licence as A without upload, the commitment as D.
    let (s, sub) = apply_with(&app, &citizen, item, with(json!(mine))).await;
    assert_eq!(s, StatusCode::CREATED, "{sub}");
    let case = sub["case_id"].as_i64().unwrap();
    let (s, d) = body(app.get(&counter, &format!("/api/v1/cases/{case}")).await).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let mats = d["materials"].as_array().unwrap();
    let by_no = |n: i64| mats.iter().find(|m| m["material_no"] == n).unwrap().clone();
    let (lic, cm) = (by_no(2), by_no(3));
    assert_eq!((lic["trust"].as_str(), lic["source"].as_str()), (Some("A"), Some("license")), "{lic}");
    assert_eq!((cm["trust"].as_str(), cm["source"].as_str()), (Some("D"), Some("commitment")), "{cm}");
    let check = |d: &Value, id: &Value| {
        d["material_checks"].as_array().unwrap().iter().find(|c| &c["material_id"] == id).cloned().unwrap()
    };
    let lc = check(&d, &lic["id"]);
    assert_eq!(
        (
            lc["license"]["identifier"].as_str(),
            lc["license"]["status"].as_str(),
            lc["license"]["signature_valid"].as_bool()
        ),
        (Some(mine.as_str()), Some("valid"), Some(true)),
        "{lc}"
    );
    let cc = check(&d, &cm["id"]);
    assert_eq!(cc["commitment"]["signed_by"], "陈小华", "{cc}");
    assert!(cc["commitment"]["unfulfilled"].is_null(), "{cc}");
    assert_eq!(d["may_mark_commitment"], true);
    // The licence's file is the material's; the 用证 log names the use.
    let (s, _) = body(app.get(&counter, &format!("/api/v1/cases/{case}/materials/{}", lic["id"])).await).await;
    assert_eq!(s, StatusCode::OK);
    let (_, log) = body(app.get(&citizen, &format!("/api/v1/me/licenses/{mine}/uses")).await).await;
    let used = log["uses"].as_array().unwrap().iter().find(|u| u["purpose"] == "application").cloned();
    // The holder's own use is theirs, said as such (not the holder's name masked to the holder).
    assert_eq!(used.map(|u| u["who"].clone()), Some(json!("本人")), "{log}");
    // The counter's page shows A and D with the verification.
    let (s, html) = page(&signed(&counter), &app, &format!("/cases/{case}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("A级") && html.contains("D级") && html.contains("签名有效"), "{html}");
    assert!(html.contains("认定承诺未履行"), "{html}");

    // The commitment found unfulfilled: the case's department only.
    let mark = format!("/api/v1/cases/{case}/materials/{}/unfulfilled", cm["id"]);
    let reason = json!({"reason": "现场核查未见食品安全管理制度"});
    let (s, b) = body(app.post(&sup, &mark, reason.clone()).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "supervision reads, does not mark: {b}");
    let (s, b) = body(app.post(&citizen, &mark, reason.clone()).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    // Each refusal in Chinese (never a field's key), a reason too long said as such.
    let (s, b) = body(app.post(&counter, &mark, json!({"reason": " "})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason_required")), "{b}");
    assert_eq!(b["message"], "请填写核查情况（承诺未履行的事实）", "{b}");
    let (s, b) = body(app.post(&counter, &mark, json!({"reason": "长".repeat(2001)})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason_too_long")), "{b}");
    assert_eq!(b["message"], "填写的内容过长，不能超过2000字", "{b}");
    let (s, b) = body(
        app.post(&counter, &format!("/api/v1/cases/{case}/materials/{}/unfulfilled", lic["id"]), reason.clone()).await,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a licence is no commitment: {b}");
    assert_eq!(b["message"], "告知承诺不存在", "{b}");
    let (s, marked) = body(app.post(&counter, &mark, reason.clone()).await).await;
    assert_eq!(s, StatusCode::CREATED, "{marked}");
    let finding_no = marked["finding_no"].as_str().unwrap().to_string();
    assert!(finding_no.starts_with("SV"), "{marked}");
    let (s, b) = body(app.post(&head, &mark, reason.clone()).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("commitment_already_marked")), "{b}");
    let (_, f) = body(app.get(&sup, &format!("/api/v1/supervision/findings?rule=A09&case_id={case}")).await).await;
    let text = f.to_string();
    assert!(text.contains(&finding_no) && text.contains("现场核查未见食品安全管理制度"), "{f}");
    let (_, d) = body(app.get(&citizen, &format!("/api/v1/cases/{case}")).await).await;
    assert_eq!(check(&d, &cm["id"])["commitment"]["unfulfilled"]["finding_no"], json!(finding_no), "{d}");
    assert_eq!(d["may_mark_commitment"], false);
    let (_, n) = body(app.get(&citizen, "/api/v1/me/notifications").await).await;
    assert!(n.to_string().contains("告知承诺未履行"), "{n}");
    let (_, audit) = body(app.get(&sup, "/api/v1/audit?action=commitment_unfulfilled").await).await;
    assert!(audit.to_string().contains("commitment_unfulfilled"), "{audit}");

    // Revoked: refused for a new application; the case shows it at once.
    let (s, b) = body(
        app.post(
            &head,
            &format!("/api/v1/licenses/{mine}/changes"),
            json!({"action": "revoke", "decision_no": "示市监罚〔2025〕9号"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let r = apply_with(&app, &citizen, item, with(json!(mine))).await;
    refused(&r, "license_not_usable");
    assert_eq!(r.1["detail"], "revoked");
    assert!(r.1["message"].as_str().unwrap().contains("已吊销"), "{}", r.1);
    let (_, d) = body(app.get(&counter, &format!("/api/v1/cases/{case}")).await).await;
    assert_eq!(check(&d, &lic["id"])["license"]["status"], "revoked", "{d}");
    // Nor from the library, where the licence stays as it was filed.
    let r = apply_with(&app, &citizen, item, json!([first, {"material_no": 2, "e_material_id": entry["id"]}])).await;
    refused(&r, "license_not_usable");

    assert_invariants(&app).await;

    // A licence whose signed data were altered around the program: refused.
    let elder_item = licence_of(&app, &elder, grant(&app, &elder, &staff, issuing).await).await;
    let sql = format!(
        "UPDATE licenses SET signed_data = REPLACE(signed_data, 'holder_sm3=', 'holder_sm3=0') WHERE identifier = '{elder_item}'"
    );
    assert_eq!(zwfw_store::testing::execute_outside(&app.state.store, &sql).await.unwrap(), 1);
    let (_, up) = upload(&app, &elder, PDF, "申请书.pdf").await;
    let r = apply_with(
        &app,
        &elder,
        item,
        json!([{"material_no": 1, "upload_id": up["id"]}, {"material_no": 2, "license": elder_item}]),
    )
    .await;
    refused(&r, "license_signature_invalid");
});

both_backends!(registry_records_serve_where_the_item_allows_them, |store: Store| async move {
    let app = App::start_at(store, FRIDAY).await;
    let item = registry_item(&app, "TESTUSE00000000000000000000003", "any").await;
    let person_only = registry_item(&app, "TESTUSE00000000000000000000004", "person").await;
    let [citizen, company, counter] = app.ready_tokens(["demo_citizen", "demo_company", "demo_counter"]).await;
    let path = format!("/api/v1/items/{item}/applications");

    // What the form offers: the record for material 2 only, to an applicant
    // the registry holds, of the kind the material takes.
    let o = options(&app, &citizen, item).await;
    assert_eq!(
        (o[0]["registry_usable"].as_bool(), o[1]["registry_usable"].as_bool()),
        (Some(false), Some(true)),
        "{o}"
    );
    assert_eq!((o[0]["registry"].as_str(), o[1]["registry"].as_str()), (Some(""), Some("any")), "{o}");
    assert_eq!(options(&app, &company, person_only).await[1]["registry_usable"], false);
    assert_eq!(options(&app, &company, item).await[1]["registry_usable"], true);
    // The company's 法人库 record is not a person's identity document.
    let (_, up) = upload(&app, &company, PDF, "申请书.pdf").await;
    let (s, b) = body(
        app.post(
            &company,
            &format!("/api/v1/items/{person_only}/applications"),
            json!({"materials": [{"material_no": 1, "upload_id": up["id"]}, {"material_no": 2, "from_registry": true}]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str(), b["detail"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("registry_not_accepted"), Some("申请人身份证明")),
        "{b}"
    );

    // A draft: the record refused for the application form, taken for the identity.
    let not_here = json!({"draft": true, "materials": [{"material_no": 1, "from_registry": true}]});
    let (s, b) = body(app.post(&citizen, &path, not_here).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("registry_not_accepted")), "{b}");
    let (_, up) = upload(&app, &citizen, PDF, "申请书.pdf").await;
    let (s, d) = body(
        app.post(
            &citizen,
            &path,
            json!({"draft": true, "materials": [{"material_no": 1, "upload_id": up["id"]}, {"material_no": 2, "from_registry": true}]}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["case_id"].as_i64().unwrap();
    let draft = format!("/api/v1/cases/{id}/draft");
    let (s, b) =
        body(app.put(&citizen, &draft, json!({"materials": [{"material_no": 1, "from_registry": true}]})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("registry_not_accepted")), "{b}");
    let (s, b) =
        body(app.put(&citizen, &draft, json!({"materials": [{"material_no": 2, "from_registry": true}]})).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = body(app.post(&citizen, &format!("/api/v1/cases/{id}/draft/submit"), json!({})).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // A supplement: the same rule, nothing added when refused.
    act_ok(&app, &counter, id, json!({"action": "supplement_request", "missing": ["身份证明"]})).await;
    let supplement = |m: Value| json!({"action": "supplement_provide", "materials": [m]});
    let (s, b) = act(&app, &citizen, id, supplement(json!({"material_no": 1, "from_registry": true}))).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("registry_not_accepted")), "{b}");
    act_ok(&app, &citizen, id, supplement(json!({"material_no": 2, "from_registry": true}))).await;
    let (_, d) = body(app.get(&counter, &format!("/api/v1/cases/{id}")).await).await;
    let kept: Vec<(i64, i64, &str, &str)> = d["materials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["round"].as_i64().unwrap(),
                m["material_no"].as_i64().unwrap(),
                m["trust"].as_str().unwrap(),
                m["source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(kept, [(0, 1, "C", ""), (0, 2, "A", "registry"), (1, 2, "A", "registry")], "{d}");
    assert_invariants(&app).await;
});
