//! Two `zwfw serve` processes on one fresh PostgreSQL database, each with
//! a data directory of its own (its cache), the same master key and the
//! same backup directory, as two app servers behind a load balancer: what
//! one does, the other sees, and every background job runs once.

mod support;

use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KEY: &str = "00112233445566778899aabbccddeeff";
const NEW_PW: &str = "Changed#2026pw";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n% two servers\n";
/// The name given to the version published on A, and the words of it that
/// no demo item has (searched for).
const NEW_NAME: &str = "公共场所卫生许可（麒麟鲲鹏）";
const NEW_WORDS: &str = "麒麟鲲鹏";

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("zwfw_two_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The environment both servers and the command line share: the database,
/// the master key, the backup directory and the SMS gateway.
fn shared_env(c: &mut Command, url: &str, backups: &std::path::Path, sms: &str) {
    c.env("ZWFW_DATABASE_URL", url)
        .env("ZWFW_MASTER_KEY", KEY)
        .env("ZWFW_BACKUP_DIR", backups)
        .env("ZWFW_BACKUP_INTERVAL", "24h")
        .env("ZWFW_BACKUP_DRILL_INTERVAL", "off")
        .env("ZWFW_SMS_URL", sms)
        .env("ZWFW_LOG", "warn")
        .env_remove("ZWFW_DEMO")
        .env_remove("ZWFW_NOW")
        .env_remove("ZWFW_CLOCK_OFFSET")
        .env_remove("ZWFW_SMTP_HOST")
        .env_remove("ZWFW_EXCHANGE_URL");
}

struct Server {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

impl Server {
    fn start(name: &str, dir: &std::path::Path, url: &str, backups: &std::path::Path, sms: &str) -> Server {
        let port = free_port();
        let log = dir.with_extension("log");
        let mut c = Command::new(env!("CARGO_BIN_EXE_zwfw"));
        c.args(["serve", "--listen", &format!("127.0.0.1:{port}")]).env("ZWFW_DATA_DIR", dir);
        shared_env(&mut c, url, backups, sms);
        let child = c
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("start server {name}: {e}"));
        Server { child, base: format!("http://127.0.0.1:{port}"), log }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn ready(&self) {
        for _ in 0..600 {
            if let Ok(r) = http().get(self.url("/healthz")).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("server {} did not answer: {}", self.base, std::fs::read_to_string(&self.log).unwrap_or_default());
    }

    async fn call(
        &self,
        method: reqwest::Method,
        token: Option<&str>,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut r = http().request(method, self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn get(&self, token: Option<&str>, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, token, path, None).await
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, Some(token), path, Some(body)).await
    }

    /// Signs a demo account in through every gate (the password change,
    /// the TOTP enrolment) and answers its bearer token.
    async fn ready_token(&self, username: &str) -> String {
        let (s, b) = self
            .post_anon("/api/v1/auth/login", json!({"username": username, "password": zwfw_app::demo::DEMO_PASSWORD}))
            .await;
        assert_eq!(s, 200, "{username}: {b}");
        let token = b["token"].as_str().unwrap().to_string();
        if b["next_step"] == "change_password" {
            let (s, b) = self
                .post(
                    &token,
                    "/api/v1/me/password",
                    json!({"old_password": zwfw_app::demo::DEMO_PASSWORD, "new_password": NEW_PW}),
                )
                .await;
            assert_eq!(s, 204, "{b}");
        }
        let (s, b) = self.get(Some(&token), "/api/v1/me/sessions").await;
        if s == 403 && b["code"] == "totp_enrollment_required" {
            let (_, b) = self.post(&token, "/api/v1/me/totp/begin", json!({})).await;
            let secret = zwfw_domain::totp::decode_secret(b["secret"].as_str().unwrap()).unwrap();
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
            let (s, b) = self
                .post(&token, "/api/v1/me/totp/confirm", json!({"code": zwfw_domain::totp::code_at(&secret, now)}))
                .await;
            assert_eq!(s, 204, "{b}");
        }
        token
    }

    async fn post_anon(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, None, path, Some(body)).await
    }

    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn http() -> &'static reqwest::Client {
    static C: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    C.get_or_init(|| reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap())
}

/// A gateway that takes every message after a pause (so that the two
/// servers' senders overlap) and remembers the ids it was given.
async fn sms_gateway(taken: Arc<Mutex<Vec<String>>>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let taken = taken.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let body = loop {
                    let Ok(n) = sock.read(&mut chunk).await else { return };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap()))
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        break buf[end + 4..end + 4 + len].to_vec();
                    }
                };
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                tokio::time::sleep(Duration::from_millis(1500)).await;
                taken.lock().unwrap().push(v["id"].as_str().unwrap_or("?").to_string());
                let _ = sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await;
            });
        }
    });
    format!("http://{addr}/sms/send")
}

#[test]
fn two_servers_share_one_postgresql_database() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(pg) = support::scratch_postgres(&rt, "two_servers_share_one_postgresql_database") else { return };
    let (dir_a, dir_b, backups) = (temp_dir("a"), temp_dir("b"), temp_dir("backups"));
    let taken = Arc::new(Mutex::new(Vec::new()));
    let sms = rt.block_on(sms_gateway(taken.clone()));

    // The demo city, loaded once from the command line (through A's directory).
    let mut c = Command::new(env!("CARGO_BIN_EXE_zwfw"));
    c.arg("demo").env("ZWFW_DATA_DIR", &dir_a);
    shared_env(&mut c, &pg.url, &backups, &sms);
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));

    // Both servers start together: both find a backup due.
    let a = Server::start("A", &dir_a, &pg.url, &backups, &sms);
    let b = Server::start("B", &dir_b, &pg.url, &backups, &sms);
    let store = rt.block_on(zwfw_store::Store::connect(&pg.url)).unwrap();
    let count = |sql: &str| {
        rt.block_on(async { zwfw_store::db::query(sql).fetch_one(store.pool()).await.unwrap().value("n").cloned() })
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            a.ready().await;
            b.ready().await;

            // A session made on A works on B.
            let center = a.ready_token("demo_center").await;
            let (s, me) = b.get(Some(&center), "/api/v1/me/sessions").await;
            assert_eq!(s, 200, "the session of A on B: {me}");
            let legal = b.ready_token("demo_legal").await;
            assert_eq!(a.get(Some(&legal), "/api/v1/me/sessions").await.0, 200, "the session of B on A");

            // A new version of a published item, with a blank form uploaded on A.
            let (_, all) = a.get(None, "/api/v1/guide/items").await;
            let id = all.as_array().unwrap().iter().find(|i| i["name"] == "公共场所卫生许可").unwrap()["item_id"]
                .as_i64()
                .unwrap();
            let (_, search) = b.get(None, &format!("/api/v1/guide/search?q={}", urlencode(NEW_WORDS))).await;
            assert!(!hits(&search).contains(&id), "not yet found: {search}");
            let (s, nv) = a.post(&center, &format!("/api/v1/items/{id}/versions"), json!({"reason": "更名"})).await;
            assert_eq!(s, 201, "{nv}");
            let draft = nv["version_id"].as_i64().unwrap();
            let (_, detail) = a.get(Some(&center), &format!("/api/v1/items/{id}")).await;
            let mut content =
                detail["versions"].as_array().unwrap().iter().find(|v| v["id"] == draft).unwrap()["content"].clone();
            content["name"] = json!(NEW_NAME);
            let (s, e) = a
                .call(
                    reqwest::Method::PUT,
                    Some(&center),
                    &format!("/api/v1/item-versions/{draft}"),
                    Some(json!({"content": content, "reason": "更名"})),
                )
                .await;
            assert_eq!(s, 204, "{e}");
            let form = reqwest::multipart::Form::new()
                .text("slot", "form")
                .text("material", "1")
                .part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("申请表.pdf"));
            let r = http()
                .post(a.url(&format!("/api/v1/item-versions/{draft}/attachments")))
                .bearer_auth(&center)
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 201);
            let sm3 = r.json::<Value>().await.unwrap()["sm3"].as_str().unwrap().to_string();
            assert_eq!(sm3, zwfw_domain::audit::sm3_hex(PDF));
            assert!(!dir_b.join("files").join(&sm3[..2]).join(&sm3[2..4]).join(&sm3).exists(), "B never saw it");

            // Published on A (the legal review on B); found by search on B within seconds.
            for (server, t, action) in
                [(&a, &center, "submit"), (&b, &legal, "pass_legal_review"), (&a, &center, "approve")]
            {
                let (s, e) = server
                    .post(
                        t,
                        &format!("/api/v1/item-versions/{draft}/actions"),
                        json!({"action": action, "reason": "更名"}),
                    )
                    .await;
                assert_eq!(s, 200, "{action}: {e}");
            }
            let published = Instant::now();
            loop {
                let (_, search) = b.get(None, &format!("/api/v1/guide/search?q={}", urlencode(NEW_WORDS))).await;
                if hits(&search).contains(&id) {
                    break;
                }
                assert!(published.elapsed() < Duration::from_secs(10), "B's search did not find it: {search}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            eprintln!("found on B {} ms after the publication on A", published.elapsed().as_millis());

            // The file uploaded on A downloads from B (from the database, into B's cache).
            let r = http().get(b.url(&format!("/guide/{id}/files/{sm3}"))).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 200);
            assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
            assert!(dir_b.join("files").join(&sm3[..2]).join(&sm3[2..4]).join(&sm3).is_file(), "now cached on B");

            // One limit of wrong query passwords across the two: 10 wrong
            // guesses from one address, taking turns, and the next is refused
            // on either.
            for i in 0..10 {
                let server = if i % 2 == 0 { &a } else { &b };
                let (s, e) = server
                    .post_anon("/api/v1/track", json!({"case_no": "NOSUCHCASE", "password": format!("W{i}")}))
                    .await;
                assert_eq!((s, e["code"].as_str()), (404, Some("track_failed")), "guess {i}");
            }
            for server in [&a, &b] {
                let (s, e) = server.post_anon("/api/v1/track", json!({"case_no": "NOSUCHCASE", "password": "W"})).await;
                assert_eq!((s, e["code"].as_str()), (429, Some("track_limited")), "{e}");
            }

            // SMS messages are each sent once, by one of the two.
            let mut tx = store.begin().await.unwrap();
            for i in 0..4 {
                let n = zwfw_store::interaction::NewNotification {
                    user_id: None,
                    mobile: Some("13812345678"),
                    channel: "sms",
                    title: "双机测试",
                    body: &format!("第{i}条"),
                    link: "",
                };
                zwfw_store::interaction::notify(&mut tx, &n, 0).await.unwrap();
            }
            tx.commit().await.unwrap();
            let mine: Vec<String> = zwfw_store::db::query("SELECT id FROM notifications WHERE title = '双机测试'")
                .fetch_all(store.pool())
                .await
                .unwrap()
                .iter()
                .map(|r| match r.value("id") {
                    Some(zwfw_store::db::Value::Int(id)) => format!("zwfw-{id}"),
                    v => panic!("an id: {v:?}"),
                })
                .collect();
            assert_eq!(mine.len(), 4);
            let queued = Instant::now();
            loop {
                let sent = taken.lock().unwrap().clone();
                if mine.iter().all(|m| sent.contains(m)) {
                    break;
                }
                assert!(queued.elapsed() < Duration::from_secs(40), "not all of {mine:?} sent: {sent:?}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            // Both senders look every 10 seconds: long enough for a second try.
            tokio::time::sleep(Duration::from_secs(12)).await;
            // Every message the gateway took (these and the notices of the
            // publication), each once.
            let sent = taken.lock().unwrap().clone();
            for m in &mine {
                assert_eq!(sent.iter().filter(|s| *s == m).count(), 1, "{m} sent once: {sent:?}");
            }
            let mut unique = sent.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), sent.len(), "no message sent twice: {sent:?}");
        });

        // One scheduled backup, whoever made it, in the shared directory.
        assert_eq!(
            count("SELECT COUNT(*) AS n FROM backup_records WHERE kind = 'scheduled'"),
            Some(zwfw_store::db::Value::Int(1))
        );
        assert_eq!(
            count("SELECT COUNT(*) AS n FROM backup_records WHERE kind = 'scheduled' AND outcome = 'ok'"),
            Some(zwfw_store::db::Value::Int(1))
        );
        let files: Vec<_> = std::fs::read_dir(&backups).unwrap().filter_map(|e| e.ok()).collect();
        assert_eq!(files.len(), 1, "{files:?}");
    }));
    let (log_a, log_b) = (a.stop(), b.stop());
    rt.block_on(store.close());
    if let Err(e) = outcome {
        eprintln!("--- server A ---\n{log_a}\n--- server B ---\n{log_b}");
        std::panic::resume_unwind(e);
    }
    for d in [&dir_a, &dir_b, &backups] {
        let _ = std::fs::remove_dir_all(d);
    }
    rt.block_on(pg.cleanup());
}

fn hits(search: &Value) -> Vec<i64> {
    search.as_array().map(|a| a.iter().filter_map(|h| h["item_id"].as_i64()).collect()).unwrap_or_default()
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
