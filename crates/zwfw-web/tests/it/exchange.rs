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

fn suffix() -> String {
    format!("{}_{}", std::process::id(), rand::random::<u32>())
}

/// A fresh database on the MariaDB server; its URL. None (skipped) when no
/// server answers, unless `ZWFW_REQUIRE_MARIADB` is set.
pub(crate) async fn mariadb() -> Option<String> {
    use sqlx::Executor;
    let base = std::env::var("ZWFW_TEST_MARIADB_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into());
    let pool = match sqlx::mysql::MySqlPoolOptions::new().max_connections(1).connect(&base).await {
        Ok(p) => p,
        Err(e) => {
            assert!(std::env::var_os("ZWFW_REQUIRE_MARIADB").is_none(), "ZWFW_REQUIRE_MARIADB is set but {base}: {e}");
            eprintln!("SKIPPED on MariaDB: {base}: {e}");
            return None;
        }
    };
    let db = format!("zwfw_front_{}", suffix());
    pool.execute(format!("CREATE DATABASE {db} CHARACTER SET utf8mb4").as_str()).await.unwrap();
    pool.close().await;
    Some(format!("{base}/{db}"))
}

/// A fresh database on the test PostgreSQL server; its URL.
async fn postgres_front() -> Option<String> {
    use sqlx::Executor;
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
    let db = format!("zwfw_front_{}", suffix());
    pool.execute(format!("CREATE DATABASE {db}").as_str()).await.unwrap();
    pool.close().await;
    let root = base.rsplit_once('/').map_or(base.as_str(), |(r, _)| r).to_string();
    Some(format!("{root}/{db}"))
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
    let Some(url) = mariadb().await else { return };
    delivered_exactly_once(store, url).await;
});

both_backends!(a_case_is_delivered_into_a_postgres_front_database, |store: Store| async move {
    let Some(url) = postgres_front().await else { return };
    delivered_exactly_once(store, url).await;
});

both_backends!(two_exporters_at_once_deliver_each_row_once, |store: Store| async move {
    let Some(url) = mariadb().await else { return };
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
    let Some(url) = mariadb().await else { return };
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
