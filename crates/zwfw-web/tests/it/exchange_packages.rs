//! 离线包: a county installation without a line makes signed packages of its
//! outbox; the city registers the county's key, imports them (on the page
//! and over the API) and delivers their rows into its 前置库 (MariaDB) with
//! the county's row_guids. A changed byte, a file cut short, an unknown
//! sender, another key, the same file again, an older package and a gap
//! are each refused with their code, and nothing changes.
//!
//! The county runs on a fresh database of the same engine as the city's.

use crate::support::*;
use serde_json::json;
use zwfw_app::exchange::package as pkg;
use zwfw_app::exchange::{deliver_once, ExchangeConfig, Exporter};
use zwfw_domain::exchange::{Codes, Table};
use zwfw_store::scratch::ScratchDb;
use zwfw_store::{both_backends, Backend, Store};

const NOW: &str = "2025-06-03T09:00:00+08:00";
const COUNTY: &str = "520221";

/// A second database of the same engine as `store`'s.
async fn another_database(store: &Store) -> ScratchDb {
    match store.backend() {
        Backend::Sqlite => ScratchDb::sqlite(),
        Backend::Postgres => {
            ScratchDb::postgres_on(&zwfw_store::testing::postgres_admin_url()).await.expect("a second database")
        }
    }
}

/// A case of the county's market department, granted (8 national rows): its number.
async fn granted(app: &App, code: &str) -> String {
    crate::exchange::granted(app, code).await.1
}

fn operator(app: &App) -> zwfw_app::Ctx<'_> {
    zwfw_app::Ctx { state: &app.state, actor: None, client_addr: "cli:test".into() }
}

async fn export(county: &App) -> pkg::Exported {
    pkg::export_package(&operator(county), None).await.unwrap()
}

/// Imports `bytes` over the API as `token`: the status and body.
async fn import(city: &App, token: &str, bytes: &[u8]) -> (reqwest::StatusCode, serde_json::Value) {
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("520221-1.zwfwpkg"));
    let r = client()
        .post(city.url("/api/v1/admin/exchange/packages"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    body(r).await
}

async fn outbox_rows(app: &App) -> i64 {
    zwfw_store::exchange::figures(&app.state.store, 0)
        .await
        .unwrap()
        .iter()
        .map(|f| f.backlog + f.delivered_today + f.rejected)
        .sum()
}

both_backends!(a_county_package_is_imported_once_checked_and_delivered, |store: Store| async move {
    let Some(front_db) = crate::exchange::mariadb().await else { return };
    let front_url = front_db.url.clone();
    let county_db = another_database(&store).await;
    let county_store = county_db.store().await.unwrap();
    let county_cfg =
        ExchangeConfig { codes: Codes { guid_prefix: COUNTY.into(), ..Codes::default() }, ..ExchangeConfig::default() };
    let county = App::start_with_exchange(county_store.clone(), NOW, county_cfg).await;
    let city = App::start_with_exchange(
        store,
        NOW,
        ExchangeConfig { url: Some(front_url.clone()), ..ExchangeConfig::default() },
    )
    .await;

    // The county: a case granted, its rows waiting (no line); no key yet.
    let no1 = granted(&county, "TESTPKG00000000000000000000001").await;
    let e = pkg::export_package(&operator(&county), None).await.unwrap_err();
    assert_eq!(e.code(), "package_key_missing");
    let key = pkg::generate_key(&operator(&county), false).await.unwrap();
    assert_eq!(pkg::generate_key(&operator(&county), false).await.unwrap_err().code(), "package_key_exists");
    let p1 = export(&county).await;
    assert_eq!((p1.manifest.installation.as_str(), p1.manifest.seq, p1.manifest.from), (COUNTY, 1, 0));
    assert_eq!(p1.manifest.rows, 8, "accept, material, 5 process, result: {:?}", p1.manifest.tables);
    assert_eq!(pkg::export_package(&operator(&county), None).await.unwrap_err().code(), "package_empty");
    let figures = zwfw_store::exchange::figures(&county.state.store, 0).await.unwrap();
    assert_eq!(figures.iter().map(|f| f.backlog).sum::<i64>(), 0, "the packaged rows count as delivered");

    // The city does not know the county yet.
    let admin = city.ready_token("demo_admin").await;
    let (s, b) = import(&city, &admin, &p1.bytes).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (422, Some("package_unknown_installation")), "{b}");
    assert!(b["message"].as_str().unwrap().contains(COUNTY), "{b}");

    // Only the administrators register and import.
    let register = json!({"code": COUNTY, "name": "六枝特区政务服务中心", "public_key": key.public_key});
    for who in ["demo_supervisor", "demo_counter", "demo_deptadmin", "demo_citizen"] {
        let t = city.ready_token(who).await;
        let r = city.post(&t, "/api/v1/admin/exchange/installations", register.clone()).await;
        assert_eq!(r.status(), reqwest::StatusCode::FORBIDDEN, "{who}");
        assert_eq!(import(&city, &t, &p1.bytes).await.0, reqwest::StatusCode::FORBIDDEN, "{who}");
        // Decided before the body is read: no 400 about the body for those who may not act.
        for path in ["/api/v1/admin/exchange/installations", "/api/v1/admin/exchange/packages/key"] {
            let (s, b) = body(city.post(&t, path, json!({"code": 5, "rotate": "x"})).await).await;
            assert_eq!(s, reqwest::StatusCode::FORBIDDEN, "{who} {path}: {b}");
        }
        let (s, b) = body(city.post(&t, "/api/v1/admin/exchange/installations", json!({})).await).await;
        assert_eq!(s, reqwest::StatusCode::FORBIDDEN, "{who}: {b}");
        let (s, b) = body(city.post(&t, "/api/v1/admin/exchange/packages", json!({})).await).await;
        assert_eq!(s, reqwest::StatusCode::FORBIDDEN, "{who}, no multipart: {b}");
        assert_eq!(city.get(&t, "/api/v1/admin/exchange/packages").await.status(), reqwest::StatusCode::FORBIDDEN);
    }
    let (s, b) = body(city.post(&admin, "/api/v1/admin/exchange/installations", register.clone()).await).await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{b}");
    assert_eq!(b["next_from"], 0);
    let (s, b) = body(city.post(&admin, "/api/v1/admin/exchange/installations", register.clone()).await).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (409, Some("installation_exists")), "{b}");
    let bad = json!({"code": COUNTY, "name": "x", "public_key": "04abcd", "replace": true});
    let (s, b) = body(city.post(&admin, "/api/v1/admin/exchange/installations", bad).await).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (422, Some("installation_key_invalid")), "{b}");

    // One byte changed, the file cut short: refused, nothing imported.
    let before = outbox_rows(&city).await;
    let text = String::from_utf8(p1.bytes.clone()).unwrap();
    let at = text.find("审查通过").expect("an opinion in the package");
    let mut tampered = p1.bytes.clone();
    tampered[at + 1] ^= 0x01;
    let (s, b) = import(&city, &admin, &tampered).await;
    assert_eq!(s.as_u16(), 422, "{b}");
    assert!(matches!(b["code"].as_str(), Some("package_tampered") | Some("package_malformed")), "{b}");
    let mut digit = p1.bytes.clone();
    let at = text.find(&no1).unwrap() + no1.len() - 1;
    digit[at] = if digit[at] == b'1' { b'2' } else { b'1' };
    let (s, b) = import(&city, &admin, &digit).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (422, Some("package_tampered")), "{b}");
    let (s, b) = import(&city, &admin, &p1.bytes[..p1.bytes.len() - 20]).await;
    assert_eq!(
        (s.as_u16(), b["code"].as_str(), b["detail"].as_str()),
        (422, Some("package_malformed"), Some("truncated"))
    );
    assert!(b["message"].as_str().unwrap().contains("不完整"), "{b}");
    assert_eq!(outbox_rows(&city).await, before);

    // Imported; the same file again changes nothing.
    let (s, b) = import(&city, &admin, &p1.bytes).await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{b}");
    assert_eq!((b["rows_new"].as_i64(), b["rows_known"].as_i64()), (Some(8), Some(0)), "{b}");
    let first_package = b["package_id"].as_i64().unwrap();
    assert_eq!(outbox_rows(&city).await, before + 8);
    let (s, b) = import(&city, &admin, &p1.bytes).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (409, Some("package_already_imported")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("未作任何更改"), "{b}");
    assert_eq!(outbox_rows(&city).await, before + 8);

    // The rows go on to the city's 前置库 with the county's row_guids.
    let ex = Exporter::new(&front_url, 5000).unwrap();
    loop {
        let r = deliver_once(&city.state, &ex).await.unwrap();
        assert!(!r.failed);
        if r.delivered + r.rejected == 0 {
            break;
        }
    }
    let front = ex.front();
    assert_eq!(front.count(Table::ProProcess, "project_no", &no1).await.unwrap(), 5);
    assert_eq!(front.count(Table::ProAccept, "project_no", &no1).await.unwrap(), 1);
    let rows = zwfw_store::exchange::package::rows_of_package(city.state.store.pool(), first_package).await.unwrap();
    assert_eq!(rows.len(), 8);
    assert!(rows.iter().all(|r| r.row_guid.as_deref().is_some_and(|g| g.starts_with("520221-"))), "{rows:?}");
    assert!(rows.iter().all(|r| r.delivered_at.is_some() && r.origin.as_deref() == Some(COUNTY)));
    let accept = rows.iter().find(|r| r.tbl == "up_pro_accept").unwrap().clone();
    let guid = accept.row_guid.clone().unwrap();
    assert_eq!(front.count(Table::ProAccept, "row_guid", &guid).await.unwrap(), 1, "the county's row_guid");

    // The city's supervision dashboard counts the county's reported case
    // (a minute on: the authenticator's code of the enrolment is spent).
    city.advance(60_000);
    let sup = city.signed_in("demo_supervisor").await;
    let reported =
        |d: &serde_json::Value| d["reported"].as_array().unwrap().iter().find(|r| r["code"] == COUNTY).cloned();
    let (s, d) = body(city.get(&sup, "/api/v1/supervision/dashboard").await).await;
    assert_eq!(s, reqwest::StatusCode::OK, "{d}");
    let r = reported(&d).expect("the county on the dashboard");
    assert_eq!((r["last_seq"].as_i64(), r["period_from"].as_i64()), (Some(1), None), "{r}");
    assert!(r["period_to"].as_i64().is_some() && r["imported_at"].as_i64().is_some(), "{r}");
    let c = &r["cases"];
    assert_eq!(
        [
            &c["received"],
            &c["concluded"],
            &c["granted"],
            &c["denied"],
            &c["on_time"],
            &c["overdue"],
            &c["open_overdue"]
        ],
        // The county's acceptance names no promised time (promise_date is
        // null in its row), so its conclusion counts neither on time nor late.
        [1, 1, 1, 0, 0, 0, 0],
        "{r}"
    );
    let (s, html) = page(&signed(&sup), &city, "/supervision").await;
    assert_eq!(s, reqwest::StatusCode::OK);
    assert!(
        html.contains("区县报送") && html.contains(&format!("id=\"reported-{COUNTY}\"")) && html.contains("首次报送"),
        "{html}"
    );

    // The province refuses the county's acceptance row: the feedback names
    // the county's row_guid and is linked to the imported row; corrected and
    // sent again, the new version carries the county's cells with the
    // correction (a new row_guid and batch), the old row is kept.
    let abatch = accept.batch.clone().unwrap();
    front
        .execute(&format!(
            "INSERT INTO dn_audit_abnormal (row_guid, cd_time, err_type, remark, table_cd_batch, table_cd_source, table_cd_time, \
             table_name, table_row_guid, table_sql_name, table_update_time) VALUES \
             ('fb-county-1', '2025-06-03 10:00:00', '数据校验不通过', '申请人名称与证件不符', '{abatch}', '01', \
              '2025-06-03 09:00:00', '办件受理信息', '{guid}', 'up_pro_accept', '2025-06-03 09:30:00')"
        ))
        .await
        .unwrap();
    let (s, b) = body(city.post(&admin, "/api/v1/admin/exchange/feedback/poll", json!({})).await).await;
    assert_eq!((s, b["recorded"].as_i64(), b["unknown"].as_i64()), (reqwest::StatusCode::OK, Some(1), Some(0)), "{b}");
    let (s, v) = body(city.get(&admin, &format!("/api/v1/admin/exchange/rows/{}", accept.id)).await).await;
    assert_eq!(s, reqwest::StatusCode::OK, "{v}");
    assert_eq!((v["row"]["case_no"].as_str(), v["resendable"].as_bool()), (Some(no1.as_str()), Some(true)), "{v}");
    assert_eq!(v["blamed"].as_str(), Some("applyer_name"), "{v}");
    let fix =
        json!({"column": "applyer_name", "value": "六枝特区明达餐饮店", "reason": "县级平台核对后更正申请人名称"});
    let (s, b) = body(city.post(&admin, &format!("/api/v1/admin/exchange/rows/{}/resend", accept.id), fix).await).await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{b}");
    let new_id = b["id"].as_i64().unwrap();
    let old = zwfw_store::exchange::get(&city.state.store, accept.id).await.unwrap().unwrap();
    let new = zwfw_store::exchange::get(&city.state.store, new_id).await.unwrap().unwrap();
    assert_eq!(old.resent_as, Some(new_id));
    assert_eq!((new.version, new.origin.as_deref(), new.row_guid.as_deref()), (old.version + 1, Some(COUNTY), None));
    let cells = new.payload.clone().unwrap();
    assert!(cells.contains("六枝特区明达餐饮店") && cells.contains(&no1), "{cells}");
    let r = deliver_once(&city.state, &ex).await.unwrap();
    assert_eq!((r.delivered, r.rejected, r.failed), (1, 0, false), "{r:?}");
    assert_eq!(front.count(Table::ProAccept, "project_no", &no1).await.unwrap(), 2, "the old row is kept");
    assert_eq!(front.count(Table::ProAccept, "row_guid", &guid).await.unwrap(), 1);
    assert_eq!(front.count(Table::ProAccept, "row_guid", &format!("zwfw-{new_id}-0")).await.unwrap(), 1);
    assert_eq!(front.count(Table::ProAccept, "applyer_name", "六枝特区明达餐饮店").await.unwrap(), 1);
    let new = zwfw_store::exchange::get(&city.state.store, new_id).await.unwrap().unwrap();
    assert_ne!(new.batch, old.batch, "its own batch");

    // Two more packages; the later one first leaves a gap.
    let no2 = granted(&county, "TESTPKG00000000000000000000002").await;
    let p2 = export(&county).await;
    granted(&county, "TESTPKG00000000000000000000003").await;
    let p3 = export(&county).await;
    assert_eq!((p2.manifest.from, p3.manifest.from), (p1.manifest.to, p2.manifest.to));
    let (s, b) = import(&city, &admin, &p3.bytes).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (409, Some("package_gap")), "{b}");
    assert!(b["message"].as_str().unwrap().contains(&format!("已导入至第 {} 条", p1.manifest.to)), "{b}");
    let (s, b) = import(&city, &admin, &p2.bytes).await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{b}");
    let (s, _) = import(&city, &admin, &p3.bytes).await;
    assert_eq!(s, reqwest::StatusCode::CREATED);

    // An older package made again (as for a lost file) is a replay.
    let again = pkg::export_package(&operator(&county), Some(p1.manifest.from)).await.unwrap();
    assert_eq!(again.manifest.to, p3.manifest.to);
    let count = outbox_rows(&city).await;
    let (s, b) = import(&city, &admin, &again.bytes).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (409, Some("package_replayed")), "{b}");
    assert_eq!(outbox_rows(&city).await, count);

    // The county's key replaced: its next package is refused until the
    // city registers the new key.
    let new_key = pkg::generate_key(&operator(&county), true).await.unwrap();
    assert_ne!(new_key.public_key, key.public_key);
    granted(&county, "TESTPKG00000000000000000000004").await;
    let p5 = export(&county).await;
    let (s, b) = import(&city, &admin, &p5.bytes).await;
    assert_eq!((s.as_u16(), b["code"].as_str()), (422, Some("package_wrong_key")), "{b}");
    let replace =
        json!({"code": COUNTY, "name": "六枝特区政务服务中心", "public_key": new_key.public_key, "replace": true});
    let (s, b) = body(city.post(&admin, "/api/v1/admin/exchange/installations", replace).await).await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{b}");
    assert_eq!(b["next_from"].as_i64(), Some(again.manifest.to), "the range stays");
    let (s, b) = import(&city, &admin, &p5.bytes).await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{b}");

    // The overview lists the county and its packages; the audit trail has each step.
    let (s, o) = body(city.get(&admin, "/api/v1/admin/exchange/packages").await).await;
    assert_eq!(s, reqwest::StatusCode::OK, "{o}");
    assert_eq!(o["installations"][0]["code"], COUNTY);
    assert_eq!(o["imported"].as_array().unwrap().len(), 4, "{o}");
    let trail = zwfw_store::audit::verify(&city.state.store).await.unwrap();
    assert!(trail.defects.is_empty());
    assert_eq!(front.count(Table::ProResult, "project_no", &no2).await.unwrap(), 0, "not delivered yet");

    // The dashboard counts every case the county reported, the corrected row once.
    city.advance(60_000);
    let sup = city.signed_in("demo_supervisor").await;
    let (s, d) = body(city.get(&sup, "/api/v1/supervision/dashboard").await).await;
    assert_eq!(s, reqwest::StatusCode::OK, "{d}");
    let r = reported(&d).unwrap();
    assert_eq!((r["last_seq"].as_i64(), r["cases"]["received"].as_i64()), (Some(p5.manifest.seq), Some(4)), "{r}");
    assert_eq!((r["cases"]["concluded"].as_i64(), r["cases"]["granted"].as_i64()), (Some(4), Some(4)), "{r}");
    assert!(r["period_from"].as_i64().unwrap() <= r["period_to"].as_i64().unwrap(), "{r}");

    front.close().await;
    drop(front_db);
    county_store.close().await;
    county_db.cleanup().await;
});

both_backends!(the_packages_page_is_for_the_administrators, |store: Store| async move {
    let app = App::start_at(store, NOW).await;
    let admin = app.ready_token("demo_admin").await;
    let (s, html) = page(&signed(&admin), &app, "/admin/exchange/packages").await;
    assert_eq!(s, reqwest::StatusCode::OK);
    assert!(html.contains("数据交换离线包") && html.contains("导入离线包") && html.contains("登记报送单位"), "{html}");
    assert!(html.contains("默认值"), "the installation's code is still the default: {html}");
    // The registration form's address, opened itself: led to the list of
    // registered installations, not a bare "405".
    let r = signed(&admin).get(app.url("/admin/exchange/installations")).send().await.unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, "/admin/exchange/packages#senders");
    let (s, listed) = page(&signed(&admin), &app, to.split('#').next().unwrap()).await;
    assert!(s == reqwest::StatusCode::OK && listed.contains(r#"<h2 id="senders">已登记的报送单位</h2>"#), "{listed}");
    for who in ["demo_supervisor", "demo_counter", "demo_head", "demo_citizen"] {
        let t = app.ready_token(who).await;
        let (s, _) = page(&signed(&t), &app, "/admin/exchange/packages").await;
        assert_eq!(s, reqwest::StatusCode::FORBIDDEN, "{who}");
    }
    // A file that is no package, uploaded on the page: the reason in Chinese.
    let c = signed(&admin);
    let csrf = csrf_of(&html);
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(b"not a package\n".to_vec()).file_name("x.zwfwpkg"));
    let r = post_form(&c, &app, &format!("/admin/exchange/packages/import?_csrf={csrf}"), form).await;
    assert_eq!(r.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("不是数据交换离线包") || html.contains("不完整"), "{html}");
});
