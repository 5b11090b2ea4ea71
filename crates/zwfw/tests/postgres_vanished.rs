//! The database host vanished: `zwfw serve` reaches PostgreSQL through a
//! TCP relay of the test's own, which is then frozen — it stops passing
//! bytes either way and closes nothing, as when the network between the
//! app server and the database host drops every packet (no error, no
//! reset, no answer). Every request that needs the database is answered
//! 503 `database_unavailable` within the configured bounds instead of
//! hanging; once the relay passes bytes again, the same server serves
//! again, and every write it acknowledged is there.

mod support;

use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

const KEY: &str = "00112233445566778899aabbccddeeff";
const NEW_PW: &str = "Changed#2026pw";
/// What a request during the freeze must be answered within: a functional
/// limit (the bounds configured below add up to a few seconds), not a
/// measurement.
const ANSWERED_WITHIN: Duration = Duration::from_secs(30);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A TCP relay to `upstream`: passes bytes both ways until frozen; frozen,
/// it reads nothing more and holds what it had read, and accepts new
/// connections without passing anything on them, closing no socket. With
/// new connections held, those it passes already go on, and new ones are
/// accepted and passed nothing.
struct Relay {
    port: u16,
    frozen: watch::Sender<bool>,
    held: watch::Sender<bool>,
}

impl Relay {
    async fn start(upstream: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (frozen, watching) = watch::channel(false);
        let (held, holding) = watch::channel(false);
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else { return };
                let (upstream, mut thawed, mut released) = (upstream.clone(), watching.clone(), holding.clone());
                tokio::spawn(async move {
                    // Nothing reaches the server while frozen, not even the connection.
                    let _ = released.wait_for(|h| !*h).await;
                    let _ = thawed.wait_for(|f| !*f).await;
                    let Ok(server) = TcpStream::connect(&upstream).await else { return };
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    tokio::select! {
                        _ = pump(cr, sw, thawed.clone()) => {}
                        _ = pump(sr, cw, thawed) => {}
                    }
                });
            }
        });
        Relay { port, frozen, held }
    }

    fn freeze(&self, on: bool) {
        self.frozen.send_replace(on);
    }

    fn hold_new(&self, on: bool) {
        self.held.send_replace(on);
    }
}

/// Copies `from` to `to`, waiting while frozen (before reading, and with
/// what was read before writing it on).
async fn pump(
    mut from: impl AsyncReadExt + Unpin,
    mut to: impl AsyncWriteExt + Unpin,
    mut thawed: watch::Receiver<bool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        if thawed.wait_for(|f| !*f).await.is_err() {
            return;
        }
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if thawed.wait_for(|f| !*f).await.is_err() || to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// The `zwfw serve` process; killed when dropped.
struct Server {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

impl Server {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The command line with the test's environment: short database bounds.
fn zwfw(dir: &Path, url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zwfw"));
    c.env("ZWFW_DATA_DIR", dir)
        .env("ZWFW_DATABASE_URL", url)
        .env("ZWFW_MASTER_KEY", KEY)
        .env("ZWFW_BACKUP_DIR", dir.join("backups"))
        .env("ZWFW_BACKUP_INTERVAL", "off")
        .env("ZWFW_BACKUP_DRILL_INTERVAL", "off")
        .env("ZWFW_TRUSTED_PROXIES", "127.0.0.1")
        .env("ZWFW_LOG", "warn")
        .env("ZWFW_DATABASE_CONNECT_TIMEOUT", "1s")
        .env("ZWFW_DATABASE_ACQUIRE_TIMEOUT", "2s")
        .env("ZWFW_DATABASE_STATEMENT_TIMEOUT", "2s")
        .env("ZWFW_DATABASE_KEEPALIVE", "10s")
        .env_remove("ZWFW_DEMO")
        .env_remove("ZWFW_NOW")
        .env_remove("ZWFW_CLOCK_OFFSET")
        .env_remove("ZWFW_SMS_URL")
        .env_remove("ZWFW_SMTP_HOST")
        .env_remove("ZWFW_EXCHANGE_URL");
    c
}

fn http() -> &'static reqwest::Client {
    static C: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    C.get_or_init(|| reqwest::Client::builder().timeout(Duration::from_secs(90)).build().unwrap())
}

/// A request and its answer (status and body); `base` the server's address.
async fn call(base: &str, token: Option<&str>, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut r = match body {
        Some(b) => http().post(format!("{base}{path}")).json(&b),
        None => http().get(format!("{base}{path}")),
    };
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn token(base: &str, username: &str) -> String {
    let login = json!({"username": username, "password": zwfw_app::demo::DEMO_PASSWORD});
    let (s, b) = call(base, None, "/api/v1/auth/login", Some(login)).await;
    assert_eq!(s, 200, "{username}: {b}");
    let token = b["token"].as_str().unwrap().to_string();
    if b["next_step"] == "change_password" {
        let change = json!({"old_password": zwfw_app::demo::DEMO_PASSWORD, "new_password": NEW_PW});
        let (s, b) = call(base, Some(&token), "/api/v1/me/password", Some(change)).await;
        assert_eq!(s, 204, "{b}");
    }
    token
}

/// One write of the test: an anonymous consultation (with its key) or an
/// upload of the citizen's.
#[derive(Clone)]
enum Write {
    Consultation { n: usize, item: i64 },
    Upload { n: usize },
}

/// Sends `w` and answers the status, the body, and how long the answer took.
async fn send(base: &str, citizen: &str, w: &Write) -> (u16, Value, Duration) {
    let since = Instant::now();
    let r = match w {
        Write::Consultation { n, item } => http()
            .post(format!("{base}/api/v1/interactions"))
            .header("x-forwarded-for", format!("10.9.{}.{}", n / 250, n % 250 + 1))
            .json(&json!({
                "kind": "consultation",
                "title": "开办餐馆要准备哪些材料",
                "content": format!("请问申请食品经营许可需要哪些材料？（第{n}次）"),
                "item_id": item,
                "mobile": format!("137{n:08}"),
                "idem_key": format!("vanished-{n}"),
            })),
        Write::Upload { n } => {
            let pdf =
                format!("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n% {n}\n");
            let part = reqwest::multipart::Part::bytes(pdf.into_bytes()).file_name(format!("材料{n}.pdf"));
            http()
                .post(format!("{base}/api/v1/uploads"))
                .bearer_auth(citizen)
                .multipart(reqwest::multipart::Form::new().part("file", part))
        }
    };
    let resp = r.send().await.expect("an answer, not a dropped connection");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)), since.elapsed())
}

async fn wait_for<F: std::future::Future<Output = bool>>(what: &str, limit: Duration, mut f: impl FnMut() -> F) {
    let since = Instant::now();
    while !f().await {
        assert!(since.elapsed() < limit, "{what} not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn int(v: Option<&zwfw_store::db::Value>) -> i64 {
    match v {
        Some(zwfw_store::db::Value::Int(i)) => *i,
        v => panic!("an integer: {v:?}"),
    }
}

fn text(v: Option<&zwfw_store::db::Value>) -> String {
    match v {
        Some(zwfw_store::db::Value::Text(t)) => t.clone(),
        v => panic!("a text: {v:?}"),
    }
}

#[test]
fn a_vanished_database_host_is_answered_503_in_bounded_time_and_the_server_recovers() {
    let name = "a_vanished_database_host_is_answered_503_in_bounded_time_and_the_server_recovers";
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    let Some(db) = support::scratch_postgres(&rt, name) else { return };
    let dir = std::env::temp_dir().join(format!("zwfw_pgvanish_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = zwfw(&dir, &db.url).arg("demo").output().unwrap();
    assert!(o.status.success(), "{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    // The server's URL: the same database, through the relay.
    let (scheme_user, rest) = db.url.split_once('@').unwrap();
    let (hostport, path) = rest.split_once('/').unwrap();
    let relay = rt.block_on(Relay::start(hostport.to_string()));
    let via_relay = format!("{scheme_user}@127.0.0.1:{}/{path}", relay.port);
    let port = free_port();
    let log = dir.with_extension("log");
    let child = zwfw(&dir, &via_relay)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut server = Server { child, base: format!("http://127.0.0.1:{port}"), log };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(run(&relay, &mut server, &db.url));
    }));
    drop(server);
    rt.block_on(db.cleanup());
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e);
    }
}

async fn run(relay: &Relay, server: &mut Server, direct_url: &str) {
    let base = server.base.clone();
    wait_for("the server's start", Duration::from_secs(120), || async {
        http().get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success())
    })
    .await;
    let citizen = Arc::new(token(&base, "demo_citizen").await);
    let (_, items) = call(&base, None, "/api/v1/guide/items", None).await;
    let item =
        items.as_array().unwrap().iter().find(|i| i["name"] == "食品经营许可").unwrap()["item_id"].as_i64().unwrap();

    // Before: writes are acknowledged.
    let mut acked_consultations: HashMap<String, i64> = HashMap::new();
    let mut acked_uploads: Vec<i64> = vec![];
    let mut n = 0;
    for _ in 0..5 {
        for w in [Write::Consultation { n, item }, Write::Upload { n }] {
            let (s, b, _) = send(&base, &citizen, &w).await;
            assert!((200..300).contains(&s), "{s} {b}");
            match w {
                Write::Consultation { .. } => {
                    acked_consultations.insert(b["code"].as_str().unwrap().to_string(), b["id"].as_i64().unwrap());
                }
                Write::Upload { .. } => acked_uploads.push(b["id"].as_i64().unwrap()),
            }
        }
        n += 1;
    }

    // Frozen: more requests at once than the pool has connections, while
    // some of its connections are idle and others are opened anew.
    relay.freeze(true);
    let mut refused = vec![];
    let mut during = vec![];
    for _ in 0..24 {
        let w = if n % 2 == 0 { Write::Consultation { n, item } } else { Write::Upload { n } };
        n += 1;
        let (base, citizen) = (base.clone(), citizen.clone());
        during.push(tokio::spawn(async move {
            let (s, b, took) = send(&base, &citizen, &w).await;
            (w, s, b, took)
        }));
    }
    let ready = tokio::time::timeout(ANSWERED_WITHIN, http().get(format!("{base}/readyz")).send()).await;
    let ready = ready.expect("/readyz answered while the database host is gone").unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    let mut slowest = Duration::ZERO;
    for t in during {
        let (w, s, b, took) = t.await.unwrap();
        slowest = slowest.max(took);
        assert!(took < ANSWERED_WITHIN, "answered only after {took:?}: {s} {b}");
        assert_eq!((s, b["code"].as_str()), (503, Some("database_unavailable")), "{b}");
        assert_eq!(b["message"], "数据库暂时不可用，请稍后再试", "{b}");
        refused.push(w);
    }
    // Still frozen: a request that finds no idle connection worth checking
    // and has to open one is bounded too.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (s, b, took) = send(&base, &citizen, &Write::Consultation { n: 999, item }).await;
    assert!(took < ANSWERED_WITHIN, "answered only after {took:?}");
    assert_eq!((s, b["code"].as_str()), (503, Some("database_unavailable")), "{b}");
    refused.push(Write::Consultation { n: 999, item });
    eprintln!(
        "frozen: 24 writes at once answered 503 within {} ms at most; one more, later, in {} ms",
        slowest.as_millis(),
        took.as_millis()
    );
    assert!(server.child.try_wait().unwrap().is_none(), "zwfw serve kept running: {}", server.log());

    // Back: the same server serves again by itself.
    relay.freeze(false);
    wait_for("the server's readiness once the host is back", Duration::from_secs(60), || async {
        http().get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success())
    })
    .await;
    // Each refused write sent again (the consultations with their keys) is acknowledged.
    for w in &refused {
        let (s, b, _) = send(&base, &citizen, w).await;
        assert!((200..300).contains(&s), "after the freeze: {s} {b}");
        match w {
            Write::Consultation { .. } => {
                acked_consultations.insert(b["code"].as_str().unwrap().to_string(), b["id"].as_i64().unwrap());
            }
            Write::Upload { .. } => acked_uploads.push(b["id"].as_i64().unwrap()),
        }
    }
    let (s, b) = call(&base, Some(&citizen), "/api/v1/cases", None).await;
    assert_eq!(s, 200, "a signed-in read after the freeze: {b}");

    // Nothing acknowledged is lost, and no consultation is there twice.
    let store = zwfw_store::Store::connect(direct_url).await.unwrap();
    let rows =
        zwfw_store::db::query("SELECT id, code, content FROM interactions").fetch_all(store.pool()).await.unwrap();
    let mut stored: HashMap<String, i64> = HashMap::new();
    let mut contents: HashMap<String, usize> = HashMap::new();
    for r in &rows {
        stored.insert(text(r.value("code")), int(r.value("id")));
        *contents.entry(text(r.value("content"))).or_default() += 1;
    }
    for (code, id) in &acked_consultations {
        assert_eq!(stored.get(code), Some(id), "consultation {code}");
    }
    let twice: Vec<_> = contents.iter().filter(|(c, n)| c.contains("第") && **n > 1).collect();
    assert!(twice.is_empty(), "a consultation stored twice: {twice:?}");
    let rows = zwfw_store::db::query("SELECT id FROM uploads").fetch_all(store.pool()).await.unwrap();
    let uploads: Vec<i64> = rows.iter().map(|r| int(r.value("id"))).collect();
    let lost: Vec<_> = acked_uploads.iter().filter(|u| !uploads.contains(u)).collect();
    assert!(lost.is_empty(), "acknowledged uploads lost: {lost:?}");
    store.close().await;
    let log = server.log();
    assert!(!log.contains("panicked"), "the server panicked: {log}");
}

/// The server's side of the bounds: a statement that runs longer than the
/// statement limit is ended by PostgreSQL (answered as the database being
/// unavailable), and the connection serves the next one; the keepalive is
/// set on every connection.
#[test]
fn a_statement_longer_than_the_limit_is_ended_and_the_pool_serves_on() {
    let name = "a_statement_longer_than_the_limit_is_ended_and_the_pool_serves_on";
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let Some(db) = support::scratch_postgres(&rt, name) else { return };
    rt.block_on(async {
        let limits = zwfw_store::PgLimits {
            statement_timeout: Duration::from_millis(300),
            keepalive: Duration::from_secs(30),
            ..zwfw_store::PgLimits::default()
        };
        let store = zwfw_store::Store::connect_with(&db.url, limits).await.unwrap();
        let show = |setting: &'static str| {
            let store = store.clone();
            async move {
                let r = zwfw_store::db::query(format!("SELECT current_setting('{setting}') AS v"))
                    .fetch_one(store.pool())
                    .await
                    .unwrap();
                text(r.value("v"))
            }
        };
        assert_eq!(show("statement_timeout").await, "300ms");
        assert_eq!(show("tcp_keepalives_idle").await, "30");
        assert_eq!(show("tcp_keepalives_interval").await, "10");
        let since = Instant::now();
        let e = zwfw_store::db::query("SELECT pg_sleep(20)").execute(store.pool()).await.unwrap_err();
        assert!(since.elapsed() < Duration::from_secs(15), "ended by the limit: {:?}", since.elapsed());
        assert!(e.to_string().contains("statement timeout"), "{e}");
        let app_error = zwfw_app::AppError::from(zwfw_store::StoreError::from(e));
        assert_eq!(app_error.code(), "database_unavailable");
        let r = zwfw_store::db::query("SELECT 1 AS v").fetch_one(store.pool()).await.unwrap();
        assert_eq!(int(r.value("v")), 1, "the pool serves on");
        store.close().await;
    });
    rt.block_on(db.cleanup());
}

/// A backup reads through a connection of its own: when the server takes
/// the connection but never answers on it, `zwfw backup create` fails
/// within the configured connect timeout instead of hanging, and leaves no
/// file.
#[test]
fn a_backup_whose_own_connection_is_not_answered_fails_in_bounded_time() {
    let name = "a_backup_whose_own_connection_is_not_answered_fails_in_bounded_time";
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let Some(db) = support::scratch_postgres(&rt, name) else { return };
    let dir = std::env::temp_dir().join(format!("zwfw_pgbackup_held_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            let direct = zwfw_store::Store::connect(&db.url).await.unwrap();
            direct.migrate().await.unwrap();
            direct.close().await;
            let (scheme_user, rest) = db.url.split_once('@').unwrap();
            let (hostport, path) = rest.split_once('/').unwrap();
            let relay = Relay::start(hostport.to_string()).await;
            let via_relay = format!("{scheme_user}@127.0.0.1:{}/{path}", relay.port);
            let limits = zwfw_store::PgLimits {
                connect_timeout: Duration::from_secs(1),
                acquire_timeout: Duration::from_secs(2),
                statement_timeout: Duration::from_secs(2),
                keepalive: Duration::from_secs(10),
            };
            let store = zwfw_store::Store::connect_with(&via_relay, limits).await.unwrap();
            let config = zwfw_app::AppConfig { data_dir: dir.join("data"), ..Default::default() };
            let st = zwfw_app::App::new(store, zwfw_app::Clock::system(), config);
            let ctx = zwfw_app::Ctx { state: &st, actor: None, client_addr: "test".into() };
            // The pool's connection goes on; the backup's own one is taken and never answered.
            let before = dir.join("before.zwfwbak");
            zwfw_app::backup::create(&ctx, &before, false).await.map_err(|e| e.message()).unwrap();
            relay.hold_new(true);
            let out = dir.join("held.zwfwbak");
            let since = Instant::now();
            let r = tokio::time::timeout(ANSWERED_WITHIN, zwfw_app::backup::create(&ctx, &out, false))
                .await
                .expect("the backup fails instead of hanging");
            let Err(e) = r else { panic!("the backup fails") };
            assert!(since.elapsed() < Duration::from_secs(10), "within the bounds: {:?}", since.elapsed());
            assert!(format!("{e:?}").contains("did not answer within 1000 ms"), "{e:?}");
            assert!(!out.exists(), "no file left");
            relay.hold_new(false);
            st.store.close().await;
        });
    }));
    rt.block_on(db.cleanup());
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e);
    }
}
