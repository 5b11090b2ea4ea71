//! The database server killed under load: `zwfw serve` runs on a
//! PostgreSQL cluster of the test's own while several clients write
//! (online applications with their uploads, the steps of the cases up to
//! their grant, consultations); every process of the cluster is killed
//! (SIGKILL) three times and the cluster started again (crash recovery).
//! The app server serves again by itself, and every write it acknowledged
//! is there, as acknowledged, once.

mod support;

use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KEY: &str = "00112233445566778899aabbccddeeff";
const NEW_PW: &str = "Changed#2026pw";
/// How many times the cluster is killed and started again.
const ROUNDS: usize = 3;
/// How long the cluster stays down each time (the load goes on).
const OUTAGE: Duration = Duration::from_secs(2);
/// How long the load runs before the first kill and after each restart.
const RUN_ON: Duration = Duration::from_secs(8);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The newest PostgreSQL installed (`/usr/lib/postgresql/<version>/bin`).
fn postgres_bin() -> Result<PathBuf, String> {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .map_err(|e| format!("no PostgreSQL installed ({}: {e})", root.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v = e.file_name().to_str()?.split('.').next()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| format!("no initdb and pg_ctl under {}", root.display()))
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|v| v.split_whitespace().next()) == Some("0")
    })
}

/// Whether process `pid` runs (a zombie does not).
fn alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
    // "pid (comm) S …": the state follows the last parenthesis.
    stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next()).is_some_and(|s| s != "Z")
}

/// The processes whose working directory is `dir`: the postmaster of a
/// cluster and every process it started run in its data directory.
fn processes_in(dir: &Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return vec![] };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd == dir))
        .collect()
}

fn signal(sig: &str, pids: &[u32]) {
    if pids.is_empty() {
        return;
    }
    let _ = Command::new("kill").arg(sig).args(pids.iter().map(u32::to_string)).stderr(Stdio::null()).status();
}

/// A PostgreSQL cluster of the test's own, never the shared one: made with
/// `initdb` in a fresh directory, listening on a free port of 127.0.0.1
/// only, trust authentication, run as the `postgres` OS user when the test
/// runs as root (initdb refuses root). Stopped and removed when dropped,
/// also when the test fails.
struct Cluster {
    bin: PathBuf,
    /// Holds the data directory, the socket and the server's log.
    root: PathBuf,
    data: PathBuf,
    port: u16,
    as_root: bool,
}

impl Cluster {
    /// Why not, when the binaries or the `postgres` user are missing.
    fn create() -> Result<Cluster, String> {
        let bin = postgres_bin()?;
        let as_root = running_as_root();
        if as_root {
            let has_user = Command::new("id").args(["-u", "postgres"]).output().is_ok_and(|o| o.status.success());
            if !has_user {
                return Err("no `postgres` OS user to run the server as (initdb refuses root)".into());
            }
            if Command::new("runuser").arg("--version").output().is_err() {
                return Err("no runuser to run the server as the `postgres` user".into());
            }
        }
        // Under /tmp when root: the `postgres` user must reach it (root's own
        // temporary directory may be closed to others).
        let tmp = if as_root { PathBuf::from("/tmp") } else { std::env::temp_dir() };
        let root = tmp.join(format!("zwfw_pgkill_{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
        let root = root.canonicalize().map_err(|e| e.to_string())?;
        let cluster = Cluster { bin, data: root.join("data"), root, port: free_port(), as_root };
        if as_root {
            let o = Command::new("chown").arg("postgres:").arg(&cluster.root).output().map_err(|e| e.to_string())?;
            if !o.status.success() {
                return Err(format!(
                    "chown postgres {}: {}",
                    cluster.root.display(),
                    String::from_utf8_lossy(&o.stderr)
                ));
            }
        }
        let data = cluster.data.to_str().unwrap().to_string();
        cluster.pg("initdb", &["-D", &data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale"])?;
        // The durability settings are PostgreSQL's defaults, written out so
        // that the test does not depend on them.
        let settings = format!(
            "\nport = {}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n\
             fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n",
            cluster.port,
            cluster.root.display()
        );
        use std::io::Write;
        std::fs::OpenOptions::new()
            .append(true)
            .open(cluster.data.join("postgresql.conf"))
            .and_then(|mut f| f.write_all(settings.as_bytes()))
            .map_err(|e| format!("postgresql.conf: {e}"))?;
        Ok(cluster)
    }

    /// Runs a PostgreSQL program (as the `postgres` user when root) and answers its output.
    fn pg(&self, program: &str, args: &[&str]) -> Result<String, String> {
        let exe = self.bin.join(program);
        let mut c = if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let o = c.args(args).stdin(Stdio::null()).output().map_err(|e| format!("{program}: {e}"))?;
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        if o.status.success() {
            Ok(text)
        } else {
            Err(format!("{program} {}: {text}\n{}", o.status, self.log()))
        }
    }

    fn log_path(&self) -> PathBuf {
        self.root.join("postgres.log")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Starts the server and waits until it accepts connections (after a
    /// kill, once its crash recovery is done).
    fn start(&self) -> Result<(), String> {
        let (data, log) = (self.data.to_str().unwrap(), self.log_path());
        self.pg("pg_ctl", &["-D", data, "-l", log.to_str().unwrap(), "-w", "-t", "300", "start"]).map(|_| ())
    }

    fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    fn postmaster(&self) -> Option<u32> {
        std::fs::read_to_string(self.data.join("postmaster.pid")).ok()?.lines().next()?.trim().parse().ok()
    }

    /// SIGKILL to the postmaster and every process of the cluster at once,
    /// as when the machine's OOM killer or an operator's `kill -9` strikes;
    /// answers how many processes were killed.
    fn kill_all(&self) -> usize {
        let Some(postmaster) = self.postmaster().filter(|p| alive(*p)) else { return 0 };
        // Stopped first, so that it starts no process between the look and the kill.
        signal("-STOP", &[postmaster]);
        let mut pids = processes_in(&self.data);
        if !pids.contains(&postmaster) {
            pids.push(postmaster);
        }
        signal("-KILL", &pids);
        let since = Instant::now();
        loop {
            let left: Vec<u32> =
                processes_in(&self.data).into_iter().chain(pids.iter().copied()).filter(|p| alive(*p)).collect();
            if left.is_empty() {
                break;
            }
            assert!(since.elapsed() < Duration::from_secs(10), "processes of the cluster outlive SIGKILL: {left:?}");
            signal("-KILL", &left);
            std::thread::sleep(Duration::from_millis(50));
        }
        // A dead postmaster that nothing reaped (a container without an
        // init) still answers to its pid: its lock file would then keep the
        // next start out.
        if Path::new(&format!("/proc/{postmaster}")).exists() {
            let _ = std::fs::remove_file(self.data.join("postmaster.pid"));
        }
        pids.len()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.postmaster().is_some_and(alive) {
            let _ = self.pg("pg_ctl", &["-D", self.data.to_str().unwrap(), "-m", "immediate", "-w", "stop"]);
        }
        let left: Vec<u32> = processes_in(&self.data).into_iter().filter(|p| alive(*p)).collect();
        signal("-KILL", &left);
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The environment of the server and the command line.
fn zwfw(dir: &Path, url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zwfw"));
    c.env("ZWFW_DATA_DIR", dir)
        .env("ZWFW_DATABASE_URL", url)
        .env("ZWFW_MASTER_KEY", KEY)
        .env("ZWFW_BACKUP_DIR", dir.join("backups"))
        .env("ZWFW_BACKUP_INTERVAL", "off")
        .env("ZWFW_BACKUP_DRILL_INTERVAL", "off")
        // Each consultation comes from an address of its own (the flood limits hold per address).
        .env("ZWFW_TRUSTED_PROXIES", "127.0.0.1")
        .env("ZWFW_LOG", "warn")
        .env_remove("ZWFW_DEMO")
        .env_remove("ZWFW_NOW")
        .env_remove("ZWFW_CLOCK_OFFSET")
        .env_remove("ZWFW_SMS_URL")
        .env_remove("ZWFW_SMTP_HOST")
        .env_remove("ZWFW_EXCHANGE_URL");
    c
}

/// The `zwfw serve` process; killed when dropped.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Server {
    fn start(dir: &Path, url: &str) -> Server {
        let port = free_port();
        let log = dir.with_extension("log");
        let child = zwfw(dir, url)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Server { child, base: format!("http://127.0.0.1:{port}"), log }
    }

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

fn http() -> &'static reqwest::Client {
    static C: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    C.get_or_init(|| reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap())
}

/// A request and its answer (status and body).
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

/// Signs a demo account in (changing its first password where it must) and answers its token.
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

struct Application {
    case_id: i64,
    case_no: String,
}

struct Step {
    case_id: i64,
    seq: i64,
    action: &'static str,
    state: String,
}

/// What the clients were told.
#[derive(Default)]
struct Ledger {
    uploads: Vec<i64>,
    applications: Vec<Application>,
    steps: Vec<Step>,
    /// Consultations: id and number.
    consultations: Vec<(i64, String)>,
    /// When each acknowledgement came.
    acked_at: Vec<Instant>,
    /// Attempts answered with a 5xx, or not at all: not acknowledged.
    refused: usize,
    /// Acknowledgements of a retry whose first attempt had been refused
    /// although its write committed (found again by its key).
    repeats: usize,
    /// Answers no retry changes (a 4xx): each a defect of the test or the app.
    unexpected: Vec<String>,
}

struct Load {
    base: String,
    stop: AtomicBool,
    ledger: Mutex<Ledger>,
    /// Cases acknowledged and not yet taken by a desk.
    cases: Mutex<VecDeque<i64>>,
    consultations: AtomicUsize,
}

impl Load {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends the request `make` builds until it is acknowledged (2xx) and
    /// answers the body. A 5xx or no answer (the database is down) is a
    /// refusal: the same request (the same idempotency key) is sent again.
    /// `None` when the load stops first, or on a 4xx (recorded as unexpected).
    async fn acked(&self, what: &str, make: impl Fn() -> reqwest::RequestBuilder) -> Option<Value> {
        loop {
            if self.stop.load(Ordering::SeqCst) {
                return None;
            }
            match make().send().await {
                Ok(r) if r.status().is_success() => {
                    let status = r.status();
                    let text = r.text().await;
                    let mut l = self.ledger.lock().unwrap();
                    l.acked_at.push(Instant::now());
                    return match text.map(|t| serde_json::from_str::<Value>(&t)) {
                        Ok(Ok(v)) => {
                            if v["repeated"] == true {
                                l.repeats += 1;
                            }
                            Some(v)
                        }
                        other => {
                            l.unexpected.push(format!("{what}: {status} with an unreadable body: {other:?}"));
                            None
                        }
                    };
                }
                Ok(r) if r.status().is_server_error() => self.ledger.lock().unwrap().refused += 1,
                Ok(r) => {
                    let status = r.status();
                    let body = r.text().await.unwrap_or_default();
                    self.ledger.lock().unwrap().unexpected.push(format!("{what}: {status} {body}"));
                    return None;
                }
                Err(_) => self.ledger.lock().unwrap().refused += 1,
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn acks(&self) -> usize {
        self.ledger.lock().unwrap().acked_at.len()
    }
}

/// An applicant online: four uploads and the application for 食品经营许可,
/// and every other time a consultation (without signing in), again and again.
async fn applicant(load: Arc<Load>, token: String, who: String, item: i64) {
    for n in 0.. {
        let mut materials = vec![];
        for m in 1..=4 {
            let pdf = format!(
                "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n% {who} {n} {m}\n"
            );
            let Some(up) = load
                .acked("upload", || {
                    let part =
                        reqwest::multipart::Part::bytes(pdf.clone().into_bytes()).file_name(format!("材料{m}.pdf"));
                    http()
                        .post(load.url("/api/v1/uploads"))
                        .bearer_auth(&token)
                        .multipart(reqwest::multipart::Form::new().part("file", part))
                })
                .await
            else {
                return;
            };
            let id = up["id"].as_i64().unwrap();
            load.ledger.lock().unwrap().uploads.push(id);
            materials.push(json!({"material_no": m, "upload_id": id}));
        }
        let body = json!({
            "materials": materials,
            "form": {"经营场所": "示例市市民大道 1 号", "主体业态": "餐饮服务经营者", "经营项目": "热食类食品制售"},
            "idem_key": format!("{who}-{n}"),
        });
        let path = format!("/api/v1/items/{item}/applications");
        let Some(r) = load.acked("application", || http().post(load.url(&path)).bearer_auth(&token).json(&body)).await
        else {
            return;
        };
        let case_id = r["case_id"].as_i64().unwrap();
        let case_no = r["case_no"].as_str().unwrap().to_string();
        load.ledger.lock().unwrap().applications.push(Application { case_id, case_no });
        load.cases.lock().unwrap().push_back(case_id);
        if n % 2 == 1 {
            continue;
        }
        let i = load.consultations.fetch_add(1, Ordering::SeqCst);
        let body = json!({
            "kind": "consultation",
            "title": "开办餐馆要准备哪些材料",
            "content": format!("请问申请食品经营许可需要哪些材料？（{who} 第{n}次）"),
            "item_id": item,
            "mobile": format!("139{i:08}"),
            "idem_key": format!("ask-{who}-{n}"),
        });
        let from = format!("10.{}.{}.{}", 20 + i / 62_500, (i / 250) % 250, i % 250 + 1);
        let Some(r) = load
            .acked("consultation", || {
                http().post(load.url("/api/v1/interactions")).header("x-forwarded-for", &from).json(&body)
            })
            .await
        else {
            return;
        };
        let code = r["code"].as_str().unwrap().to_string();
        load.ledger.lock().unwrap().consultations.push((r["id"].as_i64().unwrap(), code));
    }
}

/// Who acts at each step of 食品经营许可 (受理 counter → 审查 reviewer →
/// 现场核查 reviewer → 决定 department head), up to the grant.
const PLAN: [(usize, &str); 6] = [(0, "accept"), (0, "pass"), (1, "pass"), (1, "pass"), (2, "pass"), (2, "conclude")];

/// The event kind each action writes.
fn event_kind(action: &str) -> &'static str {
    match action {
        "accept" => "accepted",
        "pass" => "step_passed",
        "conclude" => "concluded",
        a => panic!("{a}"),
    }
}

/// A desk of the market regulator: takes the acknowledged applications one
/// after another through every step to the grant (each step with its key).
async fn desk(load: Arc<Load>, officers: Arc<[String; 3]>) {
    loop {
        if load.stop.load(Ordering::SeqCst) {
            return;
        }
        let next = load.cases.lock().unwrap().pop_front();
        let Some(case) = next else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let path = format!("/api/v1/cases/{case}/actions");
        for (i, (who, action)) in PLAN.iter().enumerate() {
            let mut body = json!({"action": action, "opinion": "同意", "idem_key": format!("step-{case}-{i}")});
            if *action == "conclude" {
                body["outcome"] = json!("granted");
                body["document_no"] = json!(format!("JY{case:08}"));
                body["valid_until"] = json!("2031-12-31");
            }
            let Some(r) =
                load.acked(action, || http().post(load.url(&path)).bearer_auth(&officers[*who]).json(&body)).await
            else {
                return;
            };
            let step = Step {
                case_id: case,
                seq: r["seq"].as_i64().unwrap(),
                action,
                state: r["state"].as_str().unwrap_or_default().to_string(),
            };
            load.ledger.lock().unwrap().steps.push(step);
        }
    }
}

/// One kill and restart, as measured.
#[derive(Debug)]
struct Outage {
    processes_killed: usize,
    /// From the kill to the end of `pg_ctl start` (crash recovery included).
    down_ms: u128,
    /// From the end of the restart to the app's first `/readyz` 200.
    ready_ms: u128,
    /// From the end of the restart to the first write acknowledged.
    first_write_ms: u128,
    refused: usize,
    acked_after: usize,
}

async fn wait_for<F: std::future::Future<Output = bool>>(
    what: &str,
    limit: Duration,
    mut f: impl FnMut() -> F,
) -> u128 {
    let since = Instant::now();
    loop {
        if f().await {
            return since.elapsed().as_millis();
        }
        assert!(since.elapsed() < limit, "{what} not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
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
fn postgres_killed_under_load_loses_no_acknowledged_write() {
    let name = "postgres_killed_under_load_loses_no_acknowledged_write";
    let cluster = match Cluster::create() {
        Ok(c) => c,
        Err(e) if support::postgres_required() => {
            panic!("PostgreSQL is required but the test cannot make a cluster of its own: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED on PostgreSQL: {name}: {e}");
            return;
        }
    };
    cluster.start().unwrap_or_else(|e| panic!("{e}"));
    let port = cluster.port.to_string();
    cluster.pg("createdb", &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "zwfw"]).unwrap();
    let url = cluster.url("zwfw");
    let dir = std::env::temp_dir().join(format!("zwfw_pgkill_app_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = zwfw(&dir, &url).arg("demo").output().unwrap();
    assert!(o.status.success(), "{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    let mut server = Server::start(&dir, &url);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    let outcome =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.block_on(run(&cluster, &mut server, &url, &dir))));
    if let Err(e) = outcome {
        eprintln!("--- zwfw serve ---\n{}\n--- PostgreSQL ---\n{}", server.log(), cluster.log());
        std::panic::resume_unwind(e);
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(dir.with_extension("log"));
}

async fn run(cluster: &Cluster, server: &mut Server, url: &str, dir: &Path) {
    let base = server.base.clone();
    wait_for("the server's start", Duration::from_secs(120), || async {
        http().get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success())
    })
    .await;
    let (_, items) = call(&base, None, "/api/v1/guide/items", None).await;
    let item =
        items.as_array().unwrap().iter().find(|i| i["name"] == "食品经营许可").unwrap()["item_id"].as_i64().unwrap();
    let officers = Arc::new([
        token(&base, "demo_counter").await,
        token(&base, "demo_reviewer").await,
        token(&base, "demo_head").await,
    ]);
    let load = Arc::new(Load {
        base: base.clone(),
        stop: AtomicBool::new(false),
        ledger: Mutex::default(),
        cases: Mutex::default(),
        consultations: AtomicUsize::new(0),
    });
    let mut clients = vec![];
    for (who, account) in [
        ("citizen-a", "demo_citizen"),
        ("citizen-b", "demo_citizen"),
        ("company-a", "demo_company"),
        ("company-b", "demo_company"),
    ] {
        let t = token(&base, account).await;
        clients.push(tokio::spawn(applicant(load.clone(), t, who.to_string(), item)));
    }
    for _ in 0..2 {
        clients.push(tokio::spawn(desk(load.clone(), officers.clone())));
    }

    tokio::time::sleep(RUN_ON).await;
    assert!(load.acks() > 0, "the load runs before the first kill: {:?}", load.ledger.lock().unwrap().unexpected);
    let mut outages = vec![];
    for round in 1..=ROUNDS {
        let refused_before = load.ledger.lock().unwrap().refused;
        let down = Instant::now();
        let processes_killed = cluster.kill_all();
        assert!(processes_killed >= 3, "round {round}: the postmaster and its processes: {processes_killed}");
        tokio::time::sleep(OUTAGE).await;
        tokio::task::block_in_place(|| cluster.start()).unwrap_or_else(|e| panic!("round {round}: {e}"));
        let up = Instant::now();
        let ready_ms = wait_for("the app's readiness after the restart", Duration::from_secs(60), || async {
            http().get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success())
        })
        .await;
        wait_for("a write acknowledged after the restart", Duration::from_secs(60), || {
            let acked = load.ledger.lock().unwrap().acked_at.iter().any(|t| *t > up);
            async move { acked }
        })
        .await;
        tokio::time::sleep(RUN_ON).await;
        let l = load.ledger.lock().unwrap();
        let first_write_ms = l.acked_at.iter().filter(|t| **t > up).min().map(|t| (*t - up).as_millis()).unwrap();
        outages.push(Outage {
            processes_killed,
            down_ms: (up - down).as_millis(),
            ready_ms,
            first_write_ms,
            refused: l.refused - refused_before,
            acked_after: l.acked_at.iter().filter(|t| **t > up).count(),
        });
    }
    load.stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.await.unwrap();
    }
    assert!(server.child.try_wait().unwrap().is_none(), "zwfw serve kept running: {}", server.log());
    let l = std::mem::take(&mut *load.ledger.lock().unwrap());
    // A refusal of a step or an application that an acknowledged write
    // should have made possible (an upload not found, a step out of turn)
    // is a lost write too: so it shows with PostgreSQL's asynchronous commit.
    assert!(l.unexpected.is_empty(), "answers no retry changes: {:#?}", l.unexpected);
    for (i, o) in outages.iter().enumerate() {
        assert!(o.refused > 0, "outage {} refused writes: {o:?}", i + 1);
    }
    let recoveries = cluster.log().matches("automatic recovery in progress").count();
    assert_eq!(recoveries, ROUNDS, "each start after a kill is a crash recovery:\n{}", cluster.log());

    // The durability the test relies on, as the server has it.
    let store = zwfw_store::Store::connect(url).await.unwrap();
    for setting in ["fsync", "synchronous_commit", "full_page_writes"] {
        let r = zwfw_store::db::query(format!("SELECT current_setting('{setting}') AS v"))
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(text(r.value("v")), "on", "{setting}");
    }

    // Every acknowledged application is there with its number, once.
    let counter = &officers[0];
    let ids: HashSet<i64> = l.applications.iter().map(|a| a.case_id).collect();
    let numbers: HashSet<&str> = l.applications.iter().map(|a| a.case_no.as_str()).collect();
    assert_eq!(ids.len(), l.applications.len(), "no case acknowledged twice");
    assert_eq!(numbers.len(), l.applications.len(), "no case number given twice");
    let mut steps: BTreeMap<i64, Vec<&Step>> = BTreeMap::new();
    for s in &l.steps {
        steps.entry(s.case_id).or_default().push(s);
    }
    for a in &l.applications {
        let (s, d) = call(&base, Some(counter), &format!("/api/v1/cases/{}", a.case_id), None).await;
        assert_eq!(s, 200, "case {}: {d}", a.case_id);
        assert_eq!(d["case"]["case_no"], json!(a.case_no), "case {}", a.case_id);
        let events = d["events"].as_array().unwrap();
        let seqs: HashSet<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert_eq!(seqs.len(), events.len(), "case {}: one event a position", a.case_id);
        // Every acknowledged step in the timeline, as acknowledged.
        let acked = steps.get(&a.case_id).map(Vec::as_slice).unwrap_or_default();
        for st in acked {
            let e = events.iter().find(|e| e["seq"] == st.seq);
            assert!(
                e.is_some_and(|e| e["kind"] == event_kind(st.action)),
                "case {}: the {} acknowledged at {} ({}): {events:?}",
                a.case_id,
                st.action,
                st.seq,
                st.state
            );
        }
        // And no step twice: a retry found its first attempt instead.
        let mut kinds: HashMap<&str, usize> = HashMap::new();
        for e in events {
            *kinds.entry(e["kind"].as_str().unwrap()).or_default() += 1;
        }
        for (action, most) in [("accept", 1), ("pass", 4), ("conclude", 1)] {
            let n = kinds.get(event_kind(action)).copied().unwrap_or(0);
            assert!(n <= most, "case {}: {n} events {}: {events:?}", a.case_id, event_kind(action));
        }
        if acked.len() == PLAN.len() {
            assert_eq!(d["case"]["state"], "concluded", "case {}", a.case_id);
            assert_eq!(acked.last().unwrap().state, "concluded");
        }
    }
    let granted: Vec<i64> = steps.iter().filter(|(_, s)| s.len() == PLAN.len()).map(|(c, _)| *c).collect();

    // Every acknowledged upload and consultation is there.
    let rows = zwfw_store::db::query("SELECT id FROM uploads").fetch_all(store.pool()).await.unwrap();
    let uploads: HashSet<i64> = rows.iter().map(|r| int(r.value("id"))).collect();
    let lost: Vec<_> = l.uploads.iter().filter(|u| !uploads.contains(u)).collect();
    assert!(lost.is_empty(), "acknowledged uploads lost: {lost:?}");
    let rows = zwfw_store::db::query("SELECT id, code FROM interactions").fetch_all(store.pool()).await.unwrap();
    let stored: HashMap<i64, String> = rows.iter().map(|r| (int(r.value("id")), text(r.value("code")))).collect();
    for (id, code) in &l.consultations {
        assert_eq!(stored.get(id), Some(code), "consultation {id}");
    }
    let codes: HashSet<&String> = l.consultations.iter().map(|(_, c)| c).collect();
    assert_eq!(codes.len(), l.consultations.len(), "no consultation acknowledged twice");

    // A grant writes its licence's issuance job with it.
    let rows = zwfw_store::db::query("SELECT case_id FROM license_jobs").fetch_all(store.pool()).await.unwrap();
    let jobs: HashSet<i64> = rows.iter().map(|r| int(r.value("case_id"))).collect();
    let lost: Vec<_> = granted.iter().filter(|c| !jobs.contains(c)).collect();
    assert!(lost.is_empty(), "acknowledged grants without their licence's issuance: {lost:?}");

    // The derivation from the trail went on after each restart: the notice
    // of every acknowledged acceptance and grant, and each grant's 审管 push
    // and 双公示 record, are written, none twice.
    let derived = || async {
        let mut n: HashMap<(i64, String), usize> = HashMap::new();
        for (what, sql) in [
            (
                "notice",
                "SELECT link AS c, title AS k, channel AS w FROM notifications WHERE link LIKE '/cases/%' \
                 AND (title LIKE '已受理%' OR title LIKE '已办结（准予许可）%')",
            ),
            (
                "push",
                "SELECT CAST(case_id AS TEXT) AS c, kind AS k, CAST(regulator_department_id AS TEXT) AS w \
                 FROM handovers WHERE kind = 'conclusion' AND case_id IS NOT NULL",
            ),
            ("record", "SELECT CAST(case_id AS TEXT) AS c, 'credit' AS k, '' AS w FROM credit_licensing"),
        ] {
            for r in zwfw_store::db::query(sql).fetch_all(store.pool()).await.unwrap() {
                let Ok(case) = text(r.value("c")).trim_start_matches("/cases/").parse::<i64>() else { continue };
                let k = text(r.value("k"));
                let kind = if k.starts_with("已受理") {
                    "已受理"
                } else if k.starts_with("已办结") {
                    "已办结"
                } else {
                    what
                };
                *n.entry((case, format!("{kind} {}", text(r.value("w"))))).or_default() += 1;
            }
        }
        n
    };
    let accepted: Vec<i64> = l.steps.iter().filter(|s| s.action == "accept").map(|s| s.case_id).collect();
    let expected: Vec<(i64, &str)> = accepted
        .iter()
        .map(|c| (*c, "已受理"))
        .chain(granted.iter().flat_map(|c| [(*c, "已办结"), (*c, "push"), (*c, "record")]))
        .collect();
    let mut missing = vec![];
    let since = Instant::now();
    while since.elapsed() < Duration::from_secs(60) {
        let n = derived().await;
        let has = |case: i64, kind: &str| n.keys().any(|(c, k)| *c == case && k.split(' ').next() == Some(kind));
        missing = expected.iter().filter(|(c, k)| !has(*c, k)).collect();
        if missing.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(missing.is_empty(), "acknowledged steps without what they cause: {missing:?}");
    let twice: Vec<_> = derived().await.into_iter().filter(|((c, _), n)| ids.contains(c) && *n > 1).collect();
    assert!(twice.is_empty(), "derived twice: {twice:?}");
    store.close().await;

    // The audit chain of the restored database verifies.
    let o = tokio::task::block_in_place(|| zwfw(dir, url).args(["audit", "verify"]).output()).unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success() && said.contains("intact"), "{said}");
    let log = server.log();
    assert!(!log.contains("panicked"), "the server panicked: {log}");

    eprintln!(
        "acknowledged: {} writes ({} uploads, {} applications, {} steps, {} consultations; {} cases granted), \
         {} of them the repeat of an attempt refused after its commit; {} attempts refused",
        l.acked_at.len(),
        l.uploads.len(),
        l.applications.len(),
        l.steps.len(),
        l.consultations.len(),
        granted.len(),
        l.repeats,
        l.refused
    );
    for (i, o) in outages.iter().enumerate() {
        eprintln!(
            "kill {}: {} processes; down {} ms (restart and crash recovery included); ready again {} ms after, \
             first write acknowledged {} ms after; {} attempts refused; {} writes acknowledged after",
            i + 1,
            o.processes_killed,
            o.down_ms,
            o.ready_ms,
            o.first_write_ms,
            o.refused,
            o.acked_after
        );
    }
}
