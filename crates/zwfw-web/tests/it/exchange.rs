//! 数据交换: the outbox rows a case writes with its steps, delivered by the
//! exporter into a real 前置库 — MariaDB (127.0.0.1:3306, root, a fresh
//! database per test) and PostgreSQL (a fresh database on the test server)
//! — exactly once, with back-off when it is down, rows that do not fit
//! rejected with the reason, and the monitor.
//!
//! Without a MariaDB server the MariaDB tests print SKIPPED and pass,
//! unless `ZWFW_REQUIRE_MARIADB` is set (as in CI), which fails them.

use crate::support::*;
use serde_json::json;
use zwfw_app::exchange::{deliver_once, DeliveryReport, ExchangeConfig, Exporter};
use zwfw_domain::exchange::Table;
use zwfw_store::{both_backends, Store};

const NOW: &str = "2025-06-03T09:00:00+08:00";

/// A database made on a front-database server for one test, dropped when
/// the test ends (passed or failed). Those a killed run left are dropped by
/// a later run after an hour.
pub struct FrontDb {
    pub url: String,
    server: String,
    name: String,
}

impl Drop for FrontDb {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // A runtime of its own: the test's may be shutting down.
        let done = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(zwfw_app::exchange::front::drop_database(&server, &name))
        })
        .join();
        if let Ok(Err(e)) = done {
            eprintln!("front database {} not dropped: {e}", self.name);
        }
    }
}

fn now_s() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// The name of a new front database: `zwfw_front_<unix seconds>_<random>`.
fn front_name() -> String {
    format!("zwfw_front_{}_{}", now_s(), rand::random::<u32>())
}

/// Whether a front database's name says it was made more than an hour ago.
fn stale(name: &str) -> bool {
    let made: u64 = name.split('_').nth(2).and_then(|s| s.parse().ok()).unwrap_or(u64::MAX);
    made < now_s().saturating_sub(3600)
}

/// A fresh database on the MariaDB server. None (skipped) when no
/// server answers, unless `ZWFW_REQUIRE_MARIADB` is set.
pub(crate) async fn mariadb() -> Option<FrontDb> {
    use sqlx::{Executor, Row};
    let base = std::env::var("ZWFW_TEST_MARIADB_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into());
    let pool = match sqlx::mysql::MySqlPoolOptions::new().max_connections(1).connect(&base).await {
        Ok(p) => p,
        Err(e) => {
            assert!(std::env::var_os("ZWFW_REQUIRE_MARIADB").is_none(), "ZWFW_REQUIRE_MARIADB is set but {base}: {e}");
            eprintln!("SKIPPED on MariaDB: {base}: {e}");
            return None;
        }
    };
    let old = sqlx::query(
        "SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata WHERE schema_name LIKE 'zwfw\\_front\\_%'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for r in old {
        let name: String = r.get(0);
        if stale(&name) {
            pool.execute(format!("DROP DATABASE IF EXISTS {name}").as_str()).await.ok();
        }
    }
    let db = front_name();
    pool.execute(format!("CREATE DATABASE {db} CHARACTER SET utf8mb4").as_str()).await.unwrap();
    pool.close().await;
    Some(FrontDb { url: format!("{base}/{db}"), server: base, name: db })
}

/// A fresh database on the test PostgreSQL server.
async fn postgres_front() -> Option<FrontDb> {
    use sqlx::{Executor, Row};
    let base = std::env::var("ZWFW_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let pool = match sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(&base).await {
        Ok(p) => p,
        Err(e) => {
            assert!(
                std::env::var_os("ZWFW_REQUIRE_POSTGRES").is_none(),
                "ZWFW_REQUIRE_POSTGRES is set but {base}: {e}"
            );
            eprintln!("SKIPPED on PostgreSQL: {e}");
            return None;
        }
    };
    for r in sqlx::query("SELECT datname::text FROM pg_database WHERE datname LIKE 'zwfw\\_front\\_%'")
        .fetch_all(&pool)
        .await
        .unwrap()
    {
        let name: String = r.get(0);
        if stale(&name) {
            pool.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.ok();
        }
    }
    let db = front_name();
    pool.execute(format!("CREATE DATABASE {db}").as_str()).await.unwrap();
    pool.close().await;
    let root = base.rsplit_once('/').map_or(base.as_str(), |(r, _)| r).to_string();
    Some(FrontDb { url: format!("{root}/{db}"), server: base, name: db })
}

fn config(url: &str) -> ExchangeConfig {
    ExchangeConfig { url: Some(url.into()), ..ExchangeConfig::default() }
}

/// Delivers until nothing waits; the sum of the runs.
async fn drain(app: &App, ex: &Exporter) -> DeliveryReport {
    let mut sum = DeliveryReport::default();
    loop {
        let r = deliver_once(&app.state, ex).await.unwrap();
        if r.failed {
            let st = zwfw_store::exchange::status(&app.state.store).await.unwrap();
            panic!("the front database did not take the batch: {:?}", st.last_error);
        }
        if r.delivered + r.rejected == 0 {
            return sum;
        }
        sum.delivered += r.delivered;
        sum.front_rows += r.front_rows;
        sum.rejected += r.rejected;
    }
}

/// A case of the market department's item: applied for online, accepted,
/// its steps passed, granted; its id and number.
pub(crate) async fn granted(app: &App, code: &str) -> (i64, String) {
    let (_, item) = market_item(app, code).await;
    granted_item(app, item).await
}

/// A case of `item`, applied for, accepted, its steps passed, granted.
async fn granted_item(app: &App, item: i64) -> (i64, String) {
    let [citizen, counter, reviewer, head] =
        app.ready_tokens(["demo_citizen", "demo_counter", "demo_reviewer", "demo_head"]).await;
    let id = apply(app, &citizen, item).await;
    for (who, a) in [
        (&counter, json!({"action": "accept"})),
        (&counter, json!({"action": "pass", "opinion": "材料齐全"})),
        (&reviewer, json!({"action": "pass", "opinion": "审查通过"})),
        (&head, json!({"action": "pass", "opinion": "同意"})),
        (
            &head,
            json!({"action": "conclude", "outcome": "granted", "document_no": "JY1529900000009", "valid_until": "2031-11-30"}),
        ),
    ] {
        act_ok(app, who, id, a).await;
    }
    let no = zwfw_store::cases::get_case(&app.state.store, id).await.unwrap().case_no.unwrap();
    (id, no)
}

async fn outbox_of(app: &App, case: i64) -> Vec<zwfw_store::exchange::OutRow> {
    zwfw_store::exchange::of_case(&app.state.store, case).await.unwrap()
}

/// The whole path into one front database: written with the steps, mapped,
/// delivered once even when a batch is tried again after its server died,
/// a rating as a new result version.
async fn delivered_exactly_once(store: Store, url: String) {
    let app = App::start_with_exchange(store, NOW, config(&url)).await;
    let (id, no) = granted(&app, "TESTXCH00000000000000000000001").await;
    // Written with the steps, before anything is delivered: accept, material,
    // then one process row per action from the acceptance on, and the result.
    let rows = outbox_of(&app, id).await;
    let tables: Vec<&str> = rows.iter().map(|r| r.tbl.as_str()).collect();
    assert_eq!(
        tables,
        [
            "up_pro_accept",
            "up_pro_material",
            "up_pro_process",
            "up_pro_process",
            "up_pro_process",
            "up_pro_process",
            "up_pro_process",
            "up_pro_result"
        ],
        "{rows:?}"
    );
    assert!(rows.iter().all(|r| r.delivered_at.is_none()));

    let ex = Exporter::new(&url, 5000).unwrap();
    let first = drain(&app, &ex).await;
    assert_eq!(first.rejected, 0, "the demo's cases and this one fit the national columns");
    let front = ex.front();
    let count = |t: Table| front.count(t, "project_no", &no);
    assert_eq!(count(Table::ProAccept).await.unwrap(), 1);
    assert_eq!(count(Table::ProMaterial).await.unwrap(), 1, "the application's one PDF");
    assert_eq!(count(Table::ProProcess).await.unwrap(), 5);
    assert_eq!(count(Table::ProResult).await.unwrap(), 1);
    let rows = outbox_of(&app, id).await;
    assert!(rows.iter().all(|r| r.delivered_at.is_some() && r.batch.as_deref().is_some_and(|b| b.len() == 32)));

    // A server killed after the front database committed but before the
    // main one recorded it: the batch's claim lapses, another exporter
    // takes the same batch and delivers it again: nothing is doubled.
    let batch = rows[0].batch.clone().unwrap();
    app.sql("UPDATE exchange_outbox SET delivered_at = NULL, lease_until = 0 WHERE batch = $1", batch.as_str()).await;
    let again = drain(&app, &ex).await;
    assert!(again.delivered > 0, "the lapsed batch was taken again");
    assert_eq!(count(Table::ProAccept).await.unwrap(), 1, "delivered once");
    assert_eq!(count(Table::ProProcess).await.unwrap(), 5, "delivered once");
    assert!(front.count(Table::ProAccept, "cd_batch", &batch).await.unwrap() >= 1, "the batch keeps its number");

    // The applicant rates: a new version of the result row, with the 满意度.
    let citizen = app.ready_token("demo_citizen").await;
    let (s, b) = body(
        app.post(
            &citizen,
            &format!("/api/v1/cases/{id}/ratings"),
            json!({"stage": "acceptance", "level": 2, "channel": "pc"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{b}");
    let r = drain(&app, &ex).await;
    assert_eq!((r.delivered, r.front_rows), (1, 1));
    assert_eq!(count(Table::ProResult).await.unwrap(), 2, "the first version is kept, the rated one added");
    let versions = outbox_of(&app, id).await;
    let last = versions.last().unwrap();
    assert_eq!((last.tbl.as_str(), last.version), ("up_pro_result", 2));
    let guid = format!("zwfw-{}-0", last.id);
    assert_eq!(front.count(Table::ProResult, "row_guid", &guid).await.unwrap(), 1);
    assert_eq!(front.count(Table::ProResult, "satisfaction", "2").await.unwrap(), 1);
    front.close().await;
}

both_backends!(a_case_is_delivered_into_mariadb_exactly_once, |store: Store| async move {
    let Some(db) = mariadb().await else { return };
    delivered_exactly_once(store, db.url.clone()).await;
});

both_backends!(a_case_is_delivered_into_a_postgres_front_database, |store: Store| async move {
    let Some(db) = postgres_front().await else { return };
    delivered_exactly_once(store, db.url.clone()).await;
});

both_backends!(two_exporters_at_once_deliver_each_row_once, |store: Store| async move {
    let Some(db) = mariadb().await else { return };
    let url = db.url.clone();
    let app = App::start_with_exchange(store, NOW, ExchangeConfig { batch: 7, ..config(&url) }).await;
    let (_, no) = granted(&app, "TESTXCH00000000000000000000002").await;
    let (a, b) = (Exporter::new(&url, 5000).unwrap(), Exporter::new(&url, 5000).unwrap());
    let (ra, rb) = tokio::join!(drain(&app, &a), drain(&app, &b));
    let waiting: i64 =
        zwfw_store::exchange::figures(&app.state.store, 0).await.unwrap().iter().map(|f| f.backlog).sum();
    assert_eq!(waiting, 0);
    let total: i64 =
        zwfw_store::exchange::figures(&app.state.store, 0).await.unwrap().iter().map(|f| f.delivered_today).sum();
    assert_eq!(i64::from(ra.delivered + rb.delivered), total, "each row delivered by one exporter");
    assert_eq!(a.front().count(Table::ProProcess, "project_no", &no).await.unwrap(), 5);
    a.front().close().await;
    b.front().close().await;
});

both_backends!(a_front_database_down_or_different_waits_and_a_row_too_long_is_rejected, |store: Store| async move {
    let Some(db) = mariadb().await else { return };
    let url = db.url.clone();
    let app = App::start_with_exchange(store, NOW, config(&url)).await;
    let (id, no) = granted(&app, "TESTXCH00000000000000000000003").await;

    // Down: nothing answers on the port. The batch waits, every exporter backs off.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let down = Exporter::new(&format!("mysql://root@127.0.0.1:{port}/x"), 1000).unwrap();
    let r = deliver_once(&app.state, &down).await.unwrap();
    assert!(r.failed && r.delivered == 0, "{r:?}");
    let st = zwfw_store::exchange::status(&app.state.store).await.unwrap();
    assert_eq!(st.failures, 1);
    assert!(st.last_error.as_deref().is_some_and(|e| e.contains("前置库")), "{st:?}");
    let ex = Exporter::new(&url, 5000).unwrap();
    assert_eq!(deliver_once(&app.state, &ex).await.unwrap(), DeliveryReport::default(), "backing off");
    let sup = app.ready_token("demo_supervisor").await;
    let (s, m) = body(app.get(&sup, "/api/v1/admin/exchange").await).await;
    assert_eq!(s, reqwest::StatusCode::OK, "{m}");
    let accept = m["tables"].as_array().unwrap().iter().find(|t| t["tbl"] == "up_pro_accept").unwrap().clone();
    assert!(accept["backlog"].as_i64().unwrap() >= 1 && accept["oldest_age_s"].is_i64(), "{m}");
    assert_eq!(m["status"]["failures"], 1, "{m}");

    // A front table that differs from the national one: named, and nothing delivered.
    {
        use sqlx::Executor;
        let p = sqlx::mysql::MySqlPoolOptions::new().connect(&url).await.unwrap();
        p.execute("CREATE TABLE up_pro_result (id bigint PRIMARY KEY AUTO_INCREMENT, project_no varchar(20))")
            .await
            .unwrap();
        p.close().await;
    }
    app.advance(2_000);
    let r = deliver_once(&app.state, &ex).await.unwrap();
    assert!(r.failed, "{r:?}");
    let st = zwfw_store::exchange::status(&app.state.store).await.unwrap();
    let e = st.last_error.unwrap_or_default();
    assert!(e.contains("up_pro_result") && e.contains("handle_user_name"), "{e}");
    assert_eq!(st.failures, 2);
    {
        use sqlx::Executor;
        let p = sqlx::mysql::MySqlPoolOptions::new().connect(&url).await.unwrap();
        p.execute("DROP TABLE up_pro_result").await.unwrap();
        p.close().await;
    }

    // A name longer than the national column: that row is rejected with the
    // column named, the rest of the batch goes on; the queue does not stick.
    let long = "超".repeat(101);
    app.sql(&format!("UPDATE cases SET applicant_name = $1 WHERE id = {id}"), long.as_str()).await;
    app.advance(10_000);
    let r = drain(&app, &ex).await;
    assert!(r.delivered > 0);
    let rejected = zwfw_store::exchange::rejected(&app.state.store, 10).await.unwrap();
    let mine: Vec<_> = rejected.iter().filter(|r| r.case_id == id).collect();
    assert_eq!(mine.len(), 1, "{rejected:?}");
    assert_eq!(mine[0].tbl, "up_pro_accept");
    assert!(mine[0].reason.as_deref().unwrap().contains("applyer_name"), "{:?}", mine[0]);
    assert_eq!(ex.front().count(Table::ProAccept, "project_no", &no).await.unwrap(), 0);
    assert_eq!(ex.front().count(Table::ProProcess, "project_no", &no).await.unwrap(), 5);
    let (_, m) = body(app.get(&sup, "/api/v1/admin/exchange").await).await;
    assert_eq!(m["status"]["failures"], 0, "{m}");
    assert!(m["rejected"].as_array().unwrap().iter().any(|r| r["case_id"] == id), "{m}");

    // The page, for the supervision bureau; a citizen may not see it.
    let (s, html) = page(&signed(&sup), &app, "/admin/exchange").await;
    assert_eq!(s, reqwest::StatusCode::OK);
    assert!(html.contains("数据交换") && html.contains("up_pro_accept") && html.contains("applyer_name"), "{html}");
    let citizen = app.ready_token("demo_citizen").await;
    assert_eq!(app.get(&citizen, "/api/v1/admin/exchange").await.status(), reqwest::StatusCode::FORBIDDEN);
    ex.front().close().await;
});

/// A licence type for `item` of the market regulator and its signing key,
/// so that a grant of the item issues a licence.
async fn licence_ready(app: &App, admin: &str, market: i64, item: i64) {
    let code = format!("{}001", zwfw_app::demo::credit_code_for("100000", 903));
    let t = json!({"code": code, "name": "食品经营许可证", "define_authority": "国家市场监督管理总局",
        "define_authority_level": "国家级", "holder_kind": "person", "validity_years": 5,
        "template": "经营者名称", "item_ids": [item]});
    let (s, b) = body(app.post(admin, "/api/v1/admin/license-types", t).await).await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{b}");
    let (s, b) = body(app.post(admin, "/api/v1/admin/license-keys", json!({"department_id": market})).await).await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{b}");
}

/// The province's side: a row written into the front database.
async fn province_writes(front: &zwfw_app::exchange::front::Front, sql: &str) {
    front.execute(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The licence catalogue row, the province's feedback read once and shown,
/// a correction sent again as a new version, rule A11, and who may do what.
async fn feedback_read_once_and_corrected(store: Store, url: String) {
    let app = App::start_with_exchange(store, NOW, config(&url)).await;
    let (market, item) = market_item(&app, "TESTXCH00000000000000000000004").await;
    let [admin, sup, citizen] = app.ready_tokens(["demo_admin", "demo_supervisor", "demo_citizen"]).await;
    licence_ready(&app, &admin, market, item).await;
    let (id, no) = granted_item(&app, item).await;
    zwfw_app::licenses::issue::run_pending(&app.state).await.unwrap();
    let rows = outbox_of(&app, id).await;
    let lic = rows.iter().find(|r| r.tbl == "up_lic_data").expect("the licence is reported with its issue").clone();
    let identifier = zwfw_store::licenses::get_license(app.state.store.pool(), lic.ref_id).await.unwrap().identifier;

    let ex = Exporter::new(&url, 5000).unwrap();
    let r = drain(&app, &ex).await;
    assert_eq!(r.rejected, 0, "{r:?}");
    let front = ex.front();
    assert_eq!(front.count(Table::LicData, "certificate_source_id", &identifier).await.unwrap(), 1);
    assert_eq!(front.count(Table::LicData, "certificate_holder", "陈小华").await.unwrap(), 1);
    let accept = outbox_of(&app, id).await.into_iter().find(|r| r.tbl == "up_pro_accept").unwrap();
    let lic = outbox_of(&app, id).await.into_iter().find(|r| r.tbl == "up_lic_data").unwrap();
    let (abatch, lbatch) = (accept.batch.clone().unwrap(), lic.batch.clone().unwrap());

    // The province writes its feedback: an error on the acceptance row, one
    // naming a row that is not ours, and a licence error.
    province_writes(front, &format!(
        "INSERT INTO dn_audit_abnormal (row_guid, cd_time, err_type, remark, table_cd_batch, table_cd_source, table_cd_time, \
         table_name, table_row_guid, table_sql_name, table_update_time) VALUES \
         ('fb-1', '2025-06-03 10:00:00', '数据校验不通过', '申请人证件号码格式错误', '{abatch}', '01', '2025-06-03 09:00:00', \
          '办件受理信息', 'zwfw-{}-0', 'up_pro_accept', '2025-06-03 09:30:00'), \
         ('fb-2', '2025-06-03 10:00:00', '数据重复', '', '{abatch}', '01', '2025-06-03 09:00:00', \
          '办件受理信息', 'other-7-0', 'up_pro_accept', '2025-06-03 09:30:00')", accept.id)).await;
    province_writes(front, &format!(
        "INSERT INTO dn_lic_data_error (certificate_area_code, certificate_holder, certificate_holder_code, certificate_name, \
         certificate_number, certificate_source_id, certificate_type, certificate_type_code, issue_date, issue_dept, \
         issue_dept_code, error_remark, cd_batch, cd_operation, cd_time, data_source) VALUES \
         ('100000', '陈小华', 'x', '食品经营许可证', 'x', '{identifier}', '食品经营许可证', 'x', '2025-06-03', 'x', 'x', \
          '证照颁发机构代码与目录不符', '{lbatch}', 'I', '2025-06-03 10:00:00', '01')")).await;

    // Read by an administrator: recorded once, however often read.
    let (s, b) = body(app.post(&sup, "/api/v1/admin/exchange/feedback/poll", json!({})).await).await;
    assert_eq!(s, reqwest::StatusCode::FORBIDDEN, "supervision reads, it does not act: {b}");
    let (s, b) = body(app.post(&admin, "/api/v1/admin/exchange/feedback/poll", json!({})).await).await;
    assert_eq!(s, reqwest::StatusCode::OK, "{b}");
    assert_eq!((b["recorded"].as_i64(), b["unknown"].as_i64()), (Some(3), Some(1)), "{b}");
    let (_, b) = body(app.post(&admin, "/api/v1/admin/exchange/feedback/poll", json!({})).await).await;
    assert_eq!((b["read"].as_i64(), b["recorded"].as_i64()), (Some(3), Some(0)), "read again, recorded once: {b}");
    assert_eq!(zwfw_store::exchange::feedback_cursor(&app.state.store, "dn_audit_abnormal").await.unwrap(), 2);
    assert_eq!(zwfw_store::exchange::feedback_cursor(&app.state.store, "dn_lic_data_error").await.unwrap(), 1);

    let (s, m) = body(app.get(&sup, "/api/v1/admin/exchange").await).await;
    assert_eq!(s, reqwest::StatusCode::OK, "{m}");
    let fb = m["feedback"].as_array().unwrap();
    assert_eq!(fb.len(), 3, "{m}");
    let on_accept = fb.iter().find(|f| f["outbox_id"] == accept.id).unwrap();
    assert_eq!(
        (on_accept["field"].as_str(), on_accept["case_id"].as_i64()),
        (Some("applyer_page_code"), Some(id)),
        "{m}"
    );
    assert!(fb.iter().any(|f| f["outbox_id"].is_null() && f["row_guid"] == "other-7-0"), "{m}");
    assert!(fb.iter().any(|f| f["outbox_id"] == lic.id && f["remark"] == "证照颁发机构代码与目录不符"), "{m}");
    assert_eq!(m["may_resend"], false);
    let (s, html) = page(&signed(&sup), &app, "/admin/exchange").await;
    assert_eq!(s, reqwest::StatusCode::OK);
    assert!(
        html.contains("申请人证件号码格式错误") && html.contains("无法对应") && !html.contains("立即读取反馈"),
        "{html}"
    );
    let (s, _) = page(&signed(&citizen), &app, "/admin/exchange").await;
    assert_ne!(s, reqwest::StatusCode::OK);
    let (s, _) = page(&signed(&citizen), &app, &format!("/admin/exchange/rows/{}", accept.id)).await;
    assert_ne!(s, reqwest::StatusCode::OK);

    // Correct and send again: refused to others and on bad input, which changes nothing.
    let resend = format!("/api/v1/admin/exchange/rows/{}/resend", accept.id);
    let fix = json!({"column": "applyer_page_code", "value": "520201199001011234", "reason": "证件号码经核对更正"});
    for who in [&sup, &citizen] {
        let (s, b) = body(app.post(who, &resend, fix.clone()).await).await;
        assert_eq!(s, reqwest::StatusCode::FORBIDDEN, "{b}");
        // Who may act is decided before the body is read: an empty or bad body is no 400 for them.
        for bad in [json!({}), json!({"reason": 5})] {
            let (s, b) = body(app.post(who, &resend, bad).await).await;
            assert_eq!(s, reqwest::StatusCode::FORBIDDEN, "{b}");
        }
    }
    let (s, b) = body(app.post(&admin, &resend, json!({})).await).await;
    assert_eq!((s, b["code"].as_str()), (reqwest::StatusCode::BAD_REQUEST, Some("bad_request")), "{b}");

    // The row names its case by the 办件编号, shortened on the page with the full number on hover.
    let (s, v) = body(app.get(&sup, &format!("/api/v1/admin/exchange/rows/{}", accept.id)).await).await;
    assert_eq!(s, reqwest::StatusCode::OK, "{v}");
    assert_eq!((v["row"]["case_no"].as_str(), v["resendable"].as_bool()), (Some(no.as_str()), Some(true)), "{v}");
    assert_eq!(on_accept["case_no"].as_str(), Some(no.as_str()), "{m}");
    let (s, b) = body(app.get(&citizen, &format!("/api/v1/admin/exchange/rows/{}", accept.id)).await).await;
    assert_eq!(s, reqwest::StatusCode::FORBIDDEN, "{b}");
    let (s, html) = page(&signed(&sup), &app, &format!("/admin/exchange/rows/{}", accept.id)).await;
    assert_eq!(s, reqwest::StatusCode::OK);
    let (head, tail) = zwfw_domain::cases::case_number_parts(&no);
    assert!(html.contains(&format!("title=\"{no}\"")) && html.contains(&format!("{head}</span>{tail}")), "{html}");
    assert!(!html.contains(&format!("\">{id}</a>")), "no internal case id: {html}");
    let (_, html) = page(&signed(&sup), &app, "/admin/exchange").await;
    assert!(html.contains(&format!("title=\"{no}\"")), "{html}");
    let (s, b) = body(
        app.post(&admin, &resend, json!({"column": "applyer_page_code", "value": "1".repeat(501), "reason": "x"}))
            .await,
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (reqwest::StatusCode::UNPROCESSABLE_ENTITY, Some("exchange_correction_invalid")),
        "{b}"
    );
    assert!(b["message"].as_str().unwrap().contains("varchar(500)"), "{b}");
    let (s, b) =
        body(app.post(&admin, &resend, json!({"column": "applyer_page_code", "value": "1", "reason": " "})).await)
            .await;
    assert_eq!(s, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(outbox_of(&app, id).await.len(), rows.len(), "nothing written");
    let (s, b) = body(app.post(&admin, &resend, fix.clone()).await).await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{b}");
    let new_id = b["id"].as_i64().unwrap();
    let (s, b) = body(app.post(&admin, &resend, fix.clone()).await).await;
    assert_eq!((s, b["code"].as_str()), (reqwest::StatusCode::CONFLICT, Some("exchange_not_resendable")), "{b}");
    let (s, b) = body(
        app.post(&admin, &format!("/api/v1/admin/exchange/rows/{}/resend", rows[2].id), json!({"reason": "重新报送"}))
            .await,
    )
    .await;
    assert_eq!(s, reqwest::StatusCode::CONFLICT, "a row delivered without feedback: {b}");

    // A11: a week on, the corrected version still waits (the backlog) and
    // the licence error is still not corrected (five working days).
    app.advance(8 * 86_400_000);
    // Sessions idle out while the clock moves: sign in again.
    let (admin, sup) = (app.signed_in("demo_admin").await, app.signed_in("demo_supervisor").await);
    let (s, r) = body(app.post(&sup, "/api/v1/supervision/evaluate", json!({"full": true})).await).await;
    assert_eq!(s, reqwest::StatusCode::OK, "{r}");
    assert_eq!(r["by_rule"]["A11"], 2, "{r}");
    let (_, f) = body(app.get(&sup, "/api/v1/supervision/findings?rule=A11").await).await;
    let texts: Vec<&str> = f["rows"].as_array().unwrap().iter().map(|x| x["description"].as_str().unwrap()).collect();
    assert!(texts.iter().any(|t| t.contains("up_pro_accept") && t.contains("超过规定的 24 小时")), "{f}");
    assert!(texts.iter().any(|t| t.contains("up_lic_data") && t.contains("省级平台拒收")), "{f}");
    let (_, r) = body(app.post(&sup, "/api/v1/supervision/evaluate", json!({"full": true})).await).await;
    assert_eq!(r["new_findings"], 0, "the same facts are no new findings: {r}");

    // The new version goes out: a new row_guid and batch, the old row kept.
    let r = drain(&app, &ex).await;
    assert_eq!((r.delivered, r.rejected), (1, 0), "{r:?}");
    assert_eq!(front.count(Table::ProAccept, "project_no", &no).await.unwrap(), 2, "the old row is kept");
    assert_eq!(front.count(Table::ProAccept, "row_guid", &format!("zwfw-{new_id}-0")).await.unwrap(), 1);
    assert_eq!(front.count(Table::ProAccept, "applyer_page_code", "520201199001011234").await.unwrap(), 1);
    let (_, m) = body(app.get(&admin, "/api/v1/admin/exchange").await).await;
    assert!(m["feedback"].as_array().unwrap().iter().all(|f| f["outbox_id"] != accept.id), "corrected: {m}");
    assert_eq!(m["may_resend"], true);
    let f = zwfw_store::audit::AuditFilter { action: Some("exchange_resend".into()), limit: 10, ..Default::default() };
    let audit = zwfw_store::audit::list(&app.state.store, &f).await.unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].entry.reason, "证件号码经核对更正");

    // The page of the licence row, for the administrator, with its form.
    let (s, html) = page(&signed(&admin), &app, &format!("/admin/exchange/rows/{}", lic.id)).await;
    assert_eq!(s, reqwest::StatusCode::OK);
    assert!(html.contains("证照颁发机构代码与目录不符") && html.contains("更正并重新报送"), "{html}");
    front.close().await;
}

both_backends!(feedback_from_mariadb_is_read_once_and_corrected, |store: Store| async move {
    let Some(db) = mariadb().await else { return };
    feedback_read_once_and_corrected(store, db.url.clone()).await;
});

both_backends!(feedback_from_a_postgres_front_database_is_read_once_and_corrected, |store: Store| async move {
    let Some(db) = postgres_front().await else { return };
    feedback_read_once_and_corrected(store, db.url.clone()).await;
});
