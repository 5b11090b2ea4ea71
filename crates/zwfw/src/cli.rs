//! Command-line interface. Every failure prints one line and exits non-zero.

use crate::config::{self, FileConfig, Settings};
use anyhow::{anyhow, Context, Result};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use zwfw_app::{App, AppConfig, Clock, Ctx};
use zwfw_store::Store;
use zwfw_web::{AppState, WebConfig};

#[derive(Parser)]
#[command(name = "zwfw", version, about = "zwfw 政务服务平台: government services and electronic supervision")]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
pub(crate) struct Common {
    /// TOML configuration file (values there are overridden by ZWFW_* variables and flags).
    #[arg(long, global = true, env = "ZWFW_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory (SQLite database, files). Default ./zwfw-data
    #[arg(long, global = true, env = "ZWFW_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://… or postgres://… Default: the SQLite file in the data directory.
    #[arg(long, global = true, env = "ZWFW_DATABASE_URL")]
    database_url: Option<String>,
    /// PostgreSQL: how long opening (or checking) a connection may take, e.g. 5s (see [database]).
    #[arg(long, global = true, env = "ZWFW_DATABASE_CONNECT_TIMEOUT")]
    database_connect_timeout: Option<String>,
    /// PostgreSQL: how long a request waits for a free connection, e.g. 10s (see [database]).
    #[arg(long, global = true, env = "ZWFW_DATABASE_ACQUIRE_TIMEOUT")]
    database_acquire_timeout: Option<String>,
    /// PostgreSQL: the longest a statement may run, e.g. 30s (see [database]).
    #[arg(long, global = true, env = "ZWFW_DATABASE_STATEMENT_TIMEOUT")]
    database_statement_timeout: Option<String>,
    /// PostgreSQL: the server's TCP keepalive idle time, e.g. 60s (see [database]).
    #[arg(long, global = true, env = "ZWFW_DATABASE_KEEPALIVE")]
    database_keepalive: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the web application and API.
    Serve {
        /// Address to listen on. Default 127.0.0.1:8080
        #[arg(long, env = "ZWFW_LISTEN")]
        listen: Option<String>,
        /// Load the demo city first (idempotent) and enable demo features.
        #[arg(long, env = "ZWFW_DEMO", num_args = 0..=1, default_missing_value = "true")]
        demo: Option<bool>,
        /// The 人口库/法人库 folder whose extracts are imported (see [registry] watch_dir).
        #[arg(long, env = "ZWFW_REGISTRY_WATCH_DIR")]
        registry_watch_dir: Option<PathBuf>,
        /// The 人口库/法人库 look-up service (see [registry] lookup_url).
        #[arg(long, env = "ZWFW_REGISTRY_LOOKUP_URL")]
        registry_lookup_url: Option<String>,
        /// Where the audit chain's signed anchors are written (see [audit] anchor_dir).
        #[arg(long, env = "ZWFW_AUDIT_ANCHOR_DIR")]
        audit_anchor_dir: Option<PathBuf>,
        /// How often an anchor is written, e.g. 15m, 1h (see [audit] anchor_interval).
        #[arg(long, env = "ZWFW_AUDIT_ANCHOR_INTERVAL")]
        audit_anchor_interval: Option<String>,
        /// Where scheduled backups are written (see [backup] dir). Default <data dir>/backups
        #[arg(long, env = "ZWFW_BACKUP_DIR")]
        backup_dir: Option<PathBuf>,
        /// How often a backup is made: 24h (default), 12h, 7d … or off (see [backup] interval).
        #[arg(long, env = "ZWFW_BACKUP_INTERVAL")]
        backup_interval: Option<String>,
        /// How many scheduled backups are kept (default 7; see [backup] keep).
        #[arg(long, env = "ZWFW_BACKUP_KEEP")]
        backup_keep: Option<usize>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo city (idempotent) and print the demo accounts.
    Demo,
    /// Audit trail tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print measured figures of the working-day arithmetic (build with --release).
    Bench {
        /// Calendar operations per measurement.
        #[arg(long, default_value_t = 20_000_000)]
        ops: usize,
        /// Open case clocks to recompute.
        #[arg(long, default_value_t = 1_000_000)]
        clocks: usize,
        /// Items in the search benchmark.
        #[arg(long, default_value_t = 10_000)]
        items: usize,
        /// What to measure: all, arithmetic (calendar, clocks, search, guide page), cases, supervision,
        /// licenses (what issuance adds to a grant, verifications per second) or exchange.
        #[arg(long, default_value = "all")]
        only: String,
        /// Full case lifecycles in the case benchmark.
        #[arg(long, default_value_t = 20_000)]
        cases: usize,
        /// Concurrent clients in the case benchmark.
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// Open cases in the inbox benchmark.
        #[arg(long, default_value_t = 100_000)]
        inbox: i64,
        /// Also measure on a new database of this PostgreSQL server (dropped afterwards).
        #[arg(long)]
        postgres: Option<String>,
        /// Open cases in the supervision benchmark (`--only supervision`).
        #[arg(long, default_value_t = 1_000_000)]
        supervision: i64,
        /// SQLite durability settings to measure the cases on (comma-separated: normal, full).
        #[arg(long, default_value = "normal,full")]
        sqlite_sync: String,
        /// PostgreSQL commit settings to measure the cases on (comma-separated: on, off).
        #[arg(long, default_value = "on,off")]
        pg_sync: String,
        /// The case benchmark with the exchange outbox (on: the steps' rows derived
        /// after their commits, as always) or without it (off).
        #[arg(long, default_value = "on")]
        exchange: String,
        /// The case benchmark's derivation of notices, records and exchange rows
        /// during the steps (as always) or after them all (the steps measured alone).
        #[arg(long, default_value = "during")]
        derive: String,
        /// Lifecycles of each item (with and without a licence) in the licence benchmark.
        #[arg(long, default_value_t = 2_000)]
        license_cases: usize,
        /// Verifications in the licence benchmark (each way: use case, router).
        #[arg(long, default_value_t = 20_000)]
        verifications: usize,
        /// The server the exchange benchmark delivers into (`--only exchange`;
        /// a fresh database is made on it and dropped afterwards).
        #[arg(long, default_value = "mysql://root@127.0.0.1:3306")]
        exchange_server: String,
        /// Rows per batch in the exchange benchmark.
        #[arg(long, default_value_t = 500)]
        exchange_batch: i64,
    },
    /// Backups: write one, check one, restore one into an empty database (see docs/operations.md).
    Backup {
        #[command(subcommand)]
        command: BackupCommand,
    },
    /// Staff accounts from the command line (for operators).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Electronic licences (电子证照).
    Licenses {
        #[command(subcommand)]
        command: LicensesCommand,
    },
    /// Exchange with the provincial platform: offline packages (离线包) for an
    /// installation without a line (see docs/areas/exchange.md).
    Exchange {
        #[command(subcommand)]
        command: ExchangeCommand,
    },
    /// Staff certificates (数字证书): the demo CA, the software signer and a
    /// local signing service, for tests and demonstrations (see docs/areas/certificates.md).
    Cert {
        #[command(subcommand)]
        command: crate::cert::CertCommand,
    },
}

#[derive(Subcommand)]
enum ExchangeCommand {
    /// Make this installation's SM2 key for signing offline packages and
    /// print its public key (to be registered by the receiving installation).
    PackageKey {
        /// Replace the key in use (the receiving side must register the new public key).
        #[arg(long)]
        rotate: bool,
    },
    /// Print this installation's package public key.
    ShowKey,
    /// Write the waiting outbox rows into a signed offline package; they
    /// count as delivered. The next package continues where this one ends.
    ExportPackage {
        /// The package file to write (it must not exist).
        #[arg(long)]
        out: PathBuf,
        /// Begin after this outbox row instead of where the last package
        /// ended (to make a lost package again).
        #[arg(long)]
        since: Option<i64>,
    },
    /// Check an offline package against its sender's registered key and
    /// import its rows into the outbox (idempotent). Exits 1 when refused.
    ImportPackage {
        /// The package file.
        file: PathBuf,
    },
    /// Register an installation whose packages are imported here (or
    /// replace its key with --replace).
    RegisterInstallation {
        /// Its code: the guid_prefix it is configured with (its region code).
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// Its package public key, hex (as `zwfw exchange show-key` prints it there).
        #[arg(long)]
        public_key: String,
        #[arg(long)]
        signer_id: Option<String>,
        /// Its first package begins after this outbox row (default 0).
        #[arg(long)]
        next_from: Option<i64>,
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Subcommand)]
enum LicensesCommand {
    /// Check a licence's QR code offline: its payload, or the whole text read
    /// from the code, against the issuer's public key. Needs no server and no
    /// database. Exits 0 when the signature holds, 1 when it does not.
    CheckQr {
        /// The payload (base64url) or the verification address holding it (…?qr=…).
        payload: String,
        /// The issuing department's SM2 public key, hex (04‖x‖y, or compressed).
        #[arg(long)]
        public_key: String,
        /// The SM2 signer ID the platform signs with.
        #[arg(long, default_value = zwfw_app::licenses::DEFAULT_SIGNER_ID)]
        signer_id: String,
        /// Print the verdict as JSON (the API's LicenseQrCheck).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the SM3 chain of the audit trail; exits 1 and names every defect if it is broken.
    Verify {
        /// Also check the signed anchors in this directory: their SM2 signatures, and that the
        /// trail still holds each anchored record's hash (a trail rewritten and re-chained
        /// after an anchor is named here, from the record that differs).
        #[arg(long)]
        anchors: Option<PathBuf>,
        /// The installation's SM2 public key (hex) from a copy kept apart from the database;
        /// by default the key the database names.
        #[arg(long, requires = "anchors")]
        public_key: Option<String>,
    },
    /// Sign the chain's head now and write it as an anchor file (into [audit] anchor_dir).
    Anchor {
        /// The directory to write into instead of the configured one.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum BackupCommand {
    /// Write one file holding a consistent snapshot of the database and every stored file.
    Create {
        /// The backup file to write (it must not exist).
        #[arg(long)]
        out: PathBuf,
        /// Encrypt it with SM4-GCM under a key derived from the master key (ZWFW_MASTER_KEY / [licenses]).
        #[arg(long)]
        encrypt: bool,
    },
    /// Check a backup file without restoring it; exits 2 with the reason when it is not sound.
    Verify {
        /// The backup file.
        file: PathBuf,
    },
    /// Restore a backup into an empty database and an empty data directory, and check it.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
    },
    /// Restore drill: restore the newest backup (or FILE) into a scratch SQLite database, check it,
    /// record the result (time to restore, age of the data) and remove the scratch copy.
    Drill {
        /// The backup file to drill (default: the newest successful backup recorded).
        #[arg(long)]
        from: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a staff account; prints the initial password (to be changed at first sign-in).
    Create {
        #[arg(long)]
        username: String,
        /// Display name (姓名).
        #[arg(long)]
        name: String,
        /// Department id or 统一社会信用代码.
        #[arg(long)]
        department: String,
        /// Comma-separated role codes: system_admin, center_admin, dept_admin, counter, reviewer, dept_head, supervisor, legal_review
        #[arg(long, value_delimiter = ',')]
        roles: Vec<String>,
        #[arg(long)]
        mobile: Option<String>,
        /// Why the account is created (recorded in the audit trail).
        #[arg(long, default_value = "created from the command line")]
        reason: String,
    },
    /// Reset a password and unlock the account; prints a temporary password.
    ResetPassword {
        #[arg(long)]
        username: String,
        /// Also remove the TOTP authenticator, to be enrolled again.
        #[arg(long)]
        reset_totp: bool,
        #[arg(long)]
        reason: String,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("zwfw: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("zwfw: {}", one_line(&e));
            ExitCode::from(2)
        }
    }
}

fn one_line(e: &anyhow::Error) -> String {
    e.chain().map(|c| c.to_string()).collect::<Vec<_>>().join(": ")
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("ZWFW_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let json = std::env::var("ZWFW_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub(crate) fn settings(common: &Common, listen: Option<String>, demo: Option<bool>) -> Result<Settings> {
    let file = FileConfig::load(common.config.as_deref())?;
    let data_dir = common.data_dir.clone().or(file.data_dir).unwrap_or_else(|| PathBuf::from(config::DEFAULT_DATA_DIR));
    let set = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let database_url = match set(common.database_url.clone()).or(file.database_url) {
        Some(u) => u,
        None => config::sqlite_url(&data_dir)?,
    };
    if database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
    }
    let site_name =
        std::env::var("ZWFW_SITE_NAME").ok().or(file.site_name).unwrap_or_else(|| AppConfig::default().site_name);
    let sms = config::sms(file.sms, &site_name, |k| std::env::var(k).ok())?;
    let smtp = config::smtp(file.smtp, &site_name, |k| std::env::var(k).ok())?;
    let mut licenses = config::licenses(file.licenses, |k| std::env::var(k).ok())?;
    if licenses.verify_base.is_empty() {
        // The QR codes link to where the platform's other links point.
        let bases = [smtp.as_ref().map(|c| &c.link_base), sms.as_ref().map(|c| &c.link_base)];
        licenses.verify_base = bases.into_iter().flatten().find(|b| !b.is_empty()).cloned().unwrap_or_default();
    }
    let database_limits = config::database(file.database, |var| match var {
        "ZWFW_DATABASE_CONNECT_TIMEOUT" => common.database_connect_timeout.clone(),
        "ZWFW_DATABASE_ACQUIRE_TIMEOUT" => common.database_acquire_timeout.clone(),
        "ZWFW_DATABASE_STATEMENT_TIMEOUT" => common.database_statement_timeout.clone(),
        "ZWFW_DATABASE_KEEPALIVE" => common.database_keepalive.clone(),
        _ => None,
    })?;
    let demo = demo.or(file.demo).unwrap_or(false);
    let mut certificates = config::certificates(file.certificates, |k| std::env::var(k).ok())?;
    if demo && certificates.ca.is_none() {
        // The demo's certificates come from the demo CA of the data directory.
        let dir = data_dir.join("demo-ca");
        zwfw_app::accounts::certificates::demo_ca(&dir, chrono::Utc::now().timestamp_millis())
            .map_err(|e| anyhow!("the demo CA in {}: {e}", dir.display()))?;
        let pem = std::fs::read(dir.join("ca.pem")).with_context(|| format!("cannot read {}/ca.pem", dir.display()))?;
        certificates = certificates.with_ca(&pem).map_err(|e| anyhow!("the demo CA in {}: {e}", dir.display()))?;
    }
    Ok(Settings {
        database_limits,
        sms,
        smtp,
        licenses,
        registry: config::registry(file.registry, |k| std::env::var(k).ok())?,
        exchange: config::exchange(file.exchange, |k| std::env::var(k).ok())?,
        audit: config::audit(file.audit, &data_dir, |k| std::env::var(k).ok())?,
        backup: config::backup(file.backup, &data_dir, |k| std::env::var(k).ok())?,
        handover: config::handover(file.handover, |k| std::env::var(k).ok())?,
        lookups: config::lookups(file.lookups, |k| std::env::var(k).ok())?,
        certificates,
        listen: listen.or(file.listen).unwrap_or_else(|| config::DEFAULT_LISTEN.into()),
        data_dir,
        database_url,
        demo,
        now: std::env::var("ZWFW_NOW").ok().or(file.now),
        clock_offset: std::env::var("ZWFW_CLOCK_OFFSET").ok().or(file.clock_offset),
        secure_cookies: std::env::var("ZWFW_SECURE_COOKIES")
            .ok()
            .map(|v| v == "true" || v == "1")
            .or(file.secure_cookies)
            .unwrap_or(false),
        site_name,
        policy: file.security.unwrap_or_default(),
        trusted_proxies: config::trusted_proxies(file.trusted_proxies, std::env::var("ZWFW_TRUSTED_PROXIES").ok())?,
    })
}

pub(crate) async fn open_store(s: &Settings) -> Result<Store> {
    let store = Store::connect_with(&s.database_url, s.database_limits)
        .await
        .map_err(|e| anyhow!("cannot open the database {}: {e}", redact(&s.database_url)))?;
    store.migrate().await.map_err(|e| anyhow!("database migration failed: {e}"))?;
    Ok(store)
}

/// Hides a password in a database URL.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(i), Some(at)) if at > i => {
            let creds = &url[i + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..i + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub(crate) fn state_for(s: &Settings, store: Store) -> Result<App> {
    let clock = Clock::from_config(s.now.as_deref(), s.clock_offset.as_deref())
        .map_err(|e| anyhow!("invalid ZWFW_NOW or ZWFW_CLOCK_OFFSET: {e}"))?;
    Ok(App::new(
        store,
        clock,
        AppConfig {
            policy: s.policy.clone(),
            demo: s.demo,
            site_name: s.site_name.clone(),
            data_dir: s.data_dir.clone(),
            sms: s.sms.clone(),
            smtp: s.smtp.clone(),
            licenses: s.licenses.clone(),
            registry: s.registry.clone(),
            exchange: s.exchange.clone(),
            audit: s.audit.clone(),
            backup: Some(s.backup.clone()),
            handover: s.handover,
            lookups: s.lookups,
            certificates: s.certificates.clone(),
            ..AppConfig::default()
        },
    ))
}

pub(crate) fn cli_ctx(state: &App) -> Ctx<'_> {
    let who = std::env::var("SUDO_USER").or_else(|_| std::env::var("USER")).unwrap_or_else(|_| "operator".into());
    Ctx { state, actor: None, client_addr: format!("cli:{who}") }
}

/// The verdict on a QR payload, for a reader at a terminal.
fn print_qr_check(c: &zwfw_app::licenses::qr::QrCheck) {
    match (&c.reason, c.valid) {
        (_, true) => println!("valid: the SM2 signature of the QR payload holds (二维码签名有效)"),
        (Some(r), _) => {
            let detail = c.detail.as_deref().map(|d| format!(" [{d}]")).unwrap_or_default();
            println!("invalid: {}{detail} ({})", r.code(), c.reason_label.as_deref().unwrap_or_default());
        }
        (None, false) => println!("invalid"),
    }
    let show = |name: &str, v: &Option<String>| {
        if let Some(v) = v {
            println!("  {name:<12} {v}");
        }
    };
    show("identifier", &c.identifier);
    show("version", &c.version);
    show("valid from", &c.valid_from);
    if c.identifier.is_some() {
        println!("  {:<12} {}", "valid until", c.valid_until.as_deref().unwrap_or("长期 (long-term)"));
    }
    show("key", &c.key);
    if c.expired {
        println!(
            "  note: the stated validity has ended (已过期); the licence's status now is on its verification page"
        );
    } else if c.valid {
        println!("  note: a revocation or cancellation since issue shows only online, on the verification page");
    }
}

fn print_demo_accounts(summary: &zwfw_app::demo::DemoSummary) {
    println!("演示账号 (demo accounts, for demonstration only):");
    for a in &summary.accounts {
        println!("  {:<16} {:<6} {:<12} password: {}", a.username, a.name, a.role, a.password);
    }
    println!("  Staff must change the password at first sign-in; administrators, supervisors and operators also enrol a TOTP authenticator.");
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let common = cli.common.clone();
    match cli.command {
        Command::Serve {
            listen,
            demo,
            registry_watch_dir,
            registry_lookup_url,
            audit_anchor_dir,
            audit_anchor_interval,
            backup_dir,
            backup_interval,
            backup_keep,
        } => {
            let mut s = settings(&common, listen, demo)?;
            if let Some(d) = audit_anchor_dir.filter(|d| !d.as_os_str().is_empty()) {
                s.audit.dir = Some(d);
            }
            if let Some(t) = audit_anchor_interval.filter(|t| !t.trim().is_empty()) {
                s.audit.interval_ms = zwfw_app::audit::anchor::parse_interval(&t)
                    .map_err(|e| anyhow!("invalid --audit-anchor-interval: {e}"))?;
            }
            if let Some(d) = backup_dir {
                s.backup.dir = d;
            }
            if let Some(i) = backup_interval.filter(|i| !i.trim().is_empty()) {
                s.backup.every_ms =
                    zwfw_domain::backup::parse_period(&i).map_err(|e| anyhow!("invalid --backup-interval: {e}"))?;
            }
            if let Some(k) = backup_keep {
                if k == 0 {
                    return Err(anyhow!("invalid --backup-keep: at least 1"));
                }
                s.backup.keep = k;
            }
            // The flags win over the file (their variables are read by the flags too).
            if let Some(d) = registry_watch_dir {
                s.registry.watch_dir = Some(d);
            }
            if let Some(url) = registry_lookup_url.filter(|u| !u.trim().is_empty()) {
                let mut l = s.registry.lookup.clone().unwrap_or(zwfw_app::registry::lookup::LookupConfig {
                    url: String::new(),
                    token: None,
                    timeout_ms: 3_000,
                });
                l.url = url.trim().to_string();
                l.check().map_err(|e| anyhow!("invalid registry settings: {e}"))?;
                s.registry.lookup = Some(l);
            }
            let store = open_store(&s).await?;
            let state = state_for(&s, store)?;
            if state.clock.is_controlled() {
                if s.demo {
                    tracing::warn!(offset_ms = state.clock.offset_ms(), "the clock is controlled (demo mode)");
                } else {
                    tracing::warn!(
                        offset_ms = state.clock.offset_ms(),
                        "!!! THE CLOCK IS NOT THE SYSTEM CLOCK IN A NON-DEMO DEPLOYMENT: deadlines are computed from a shifted time. Unset ZWFW_NOW / ZWFW_CLOCK_OFFSET unless this is a test. !!!"
                    );
                }
            }
            state.sync_clock().await.map_err(|e| anyhow!("{}", e.message()))?;
            zwfw_app::startup(&state)
                .await
                .map_err(|e| anyhow!("preparing the calendar and search index failed: {}", e.message()))?;
            if let Some(y) = zwfw_app::calendar::next_year_missing(&state) {
                tracing::warn!(
                    year = y,
                    "the working-day calendar of next year is not configured yet: enter the State Council notice under 工作日历"
                );
            }
            let summary = if s.demo {
                let summary = zwfw_app::demo::load(&state)
                    .await
                    .map_err(|e| anyhow!("loading the demo city failed: {}", e.message()))?;
                demo_cases(&state).await?;
                demo_certificate(&state, &s.data_dir).await?;
                Some(summary)
            } else {
                None
            };
            let listener = tokio::net::TcpListener::bind(&s.listen).await.map_err(|e| {
                if e.kind() == std::io::ErrorKind::AddrInUse {
                    anyhow!("cannot listen on {}: the address is already in use (another zwfw or program runs there; choose --listen)", s.listen)
                } else {
                    anyhow!("cannot listen on {}: {e}", s.listen)
                }
            })?;
            let addr = listener.local_addr()?;
            println!(
                "zwfw listening on http://{addr}/  (data directory: {}, database: {})",
                s.data_dir.display(),
                redact(&s.database_url)
            );
            if let Some(summary) = &summary {
                print_demo_accounts(summary);
            }
            {
                // Several app servers share one database: pick up what another
                // server changed (the demo clock, an edited calendar year), and
                // once a minute run the background job.
                let st = state.clone();
                tokio::spawn(async move {
                    let mut tick = 0u64;
                    loop {
                        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                        tick += 1;
                        if let Err(e) = zwfw_app::sync_shared(&st, tick.is_multiple_of(12)).await {
                            tracing::error!(error = %e.message(), "picking up shared changes failed");
                        }
                        if tick % 12 == 1 {
                            match zwfw_app::run_jobs(&st).await {
                                Ok(0) => {}
                                Ok(n) => tracing::info!(deemed_accepted = n, "background job"),
                                Err(e) => tracing::error!(error = %e.message(), "background job failed"),
                            }
                        }
                    }
                });
            }
            {
                // Scheduled backups and restore drills on a task of their own (a
                // backup of a large database does not hold up the rest).
                let b = &s.backup;
                match b.every_ms {
                    Some(ms) => {
                        tracing::info!(dir = %b.dir.display(), every_hours = ms / 3_600_000, keep = b.keep, "backups are made on a schedule")
                    }
                    None => tracing::warn!(
                        "scheduled backups are off ([backup] interval): make backups with `zwfw backup create`"
                    ),
                }
                if zwfw_app::backup::schedule::unencrypted_warning(&state).is_some() {
                    tracing::warn!(
                        "backups are NOT encrypted: no master key is configured. Configure one ([licenses] master_key \
                         or ZWFW_MASTER_KEY) and backups are encrypted with SM4-GCM, or write `encrypt = false` under \
                         [backup] to keep them unencrypted on purpose"
                    );
                }
                let st = state.clone();
                tokio::spawn(async move {
                    loop {
                        match zwfw_app::backup::schedule::tick(&st).await {
                            Ok(t) => {
                                if let Some(b) = t.backup {
                                    tracing::info!(file = %b.file_name, outcome = %b.outcome, size = b.size, millis = b.millis, "scheduled backup");
                                }
                                if let Some(d) = t.drill {
                                    tracing::info!(file = %d.file_name, outcome = %d.outcome, millis = d.millis, "restore drill");
                                }
                            }
                            Err(e) => tracing::error!(error = %e.message(), "scheduled backup failed"),
                        }
                        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                    }
                });
            }
            if let Some(dir) = s.registry.watch_dir.clone() {
                tracing::info!(folder = %dir.display(), "registry extracts are imported from the watched folder");
                // The watched folder on its own task: a large extract does not hold up the rest.
                let st = state.clone();
                tokio::spawn(async move {
                    loop {
                        if let Err(e) = zwfw_app::registry::watch::scan(&st, &dir).await {
                            tracing::error!(error = %e.message(), "registry watched folder failed");
                        }
                        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                    }
                });
            }
            match (&s.audit.dir, s.licenses.master_key.is_some() || s.demo) {
                (Some(dir), true) => {
                    tracing::info!(folder = %dir.display(), every_ms = s.audit.interval_ms, "the audit chain is anchored in the folder");
                    // On its own task: a slow or unmounted anchor disk holds up nothing else.
                    let st = state.clone();
                    tokio::spawn(async move {
                        loop {
                            match zwfw_app::audit::anchor::run_due(&st).await {
                                Ok(Some(w)) => tracing::info!(file = %w.path.display(), seq = w.anchor.seq, "audit anchor written"),
                                Ok(None) => {}
                                Err(e) => tracing::error!(error = %e.message(), detail = ?e.detail(), "audit anchor not written"),
                            }
                            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                        }
                    });
                }
                (Some(_), false) => tracing::warn!(
                    "the audit chain is not anchored outside the database: its anchors are signed with a key sealed under the master key (ZWFW_MASTER_KEY / [licenses])"
                ),
                (None, _) => {}
            }
            if let Some(url) = &s.exchange.url {
                tracing::info!(front = %zwfw_app::exchange::front::redact(url), "case rows are delivered into the 前置库");
                // The exporter on its own task, woken after each commit that wrote rows.
                tokio::spawn(zwfw_app::exchange::run(state.clone()));
            } else {
                tracing::info!(
                    "no 前置库 configured ([exchange] url / ZWFW_EXCHANGE_URL): case rows wait in the exchange outbox"
                );
            }
            if let Some(sms) = &s.sms {
                tracing::info!(gateway = %sms.url, "SMS messages are sent through the gateway");
                // The SMS sender on its own task: a slow gateway does not hold up the rest.
                let st = state.clone();
                tokio::spawn(async move {
                    loop {
                        match zwfw_app::outbox::sms::send_due(&st).await {
                            Ok(r) if r.sent + r.failed > 0 => {
                                tracing::info!(sent = r.sent, failed = r.failed, given_up = r.given_up, "SMS sender")
                            }
                            Ok(_) => {}
                            Err(e) => tracing::error!(error = %e.message(), "SMS sender failed"),
                        }
                        tokio::time::sleep(std::time::Duration::from_secs(10)).await;
                    }
                });
            } else {
                tracing::info!("no SMS gateway configured ([sms] url / ZWFW_SMS_URL): SMS messages wait in the outbox");
            }
            if s.licenses.verify_base.is_empty() {
                tracing::warn!(
                    "no public address for the licences' QR codes ([licenses] verify_base / ZWFW_LICENSE_VERIFY_BASE): they hold the verification path alone"
                );
            }
            if let Some(smtp) = &s.smtp {
                tracing::info!(server = %smtp.host, port = smtp.port, "e-mail messages are sent through the SMTP server");
                // The e-mail sender on its own task, like the SMS sender.
                let st = state.clone();
                tokio::spawn(async move {
                    loop {
                        match zwfw_app::outbox::email::send_due(&st).await {
                            Ok(r) if r.sent + r.failed > 0 => {
                                tracing::info!(sent = r.sent, failed = r.failed, given_up = r.given_up, "e-mail sender")
                            }
                            Ok(_) => {}
                            Err(e) => tracing::error!(error = %e.message(), "e-mail sender failed"),
                        }
                        tokio::time::sleep(std::time::Duration::from_secs(10)).await;
                    }
                });
            } else {
                tracing::info!(
                    "no SMTP server configured ([smtp] host / ZWFW_SMTP_HOST): e-mail messages wait in the outbox"
                );
            }
            let web = WebConfig { secure_cookies: s.secure_cookies, trusted_proxies: s.trusted_proxies.clone() };
            zwfw_web::serve(listener, AppState::new(state, web), shutdown_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            ops,
            clocks,
            items,
            only,
            cases,
            clients,
            inbox,
            supervision,
            postgres,
            sqlite_sync,
            pg_sync,
            exchange,
            derive,
            license_cases,
            verifications,
            exchange_server,
            exchange_batch,
        } => {
            if only == "exchange" {
                crate::bench::run_exchange(&exchange_server, cases, exchange_batch).await?;
                return Ok(ExitCode::SUCCESS);
            }
            if only == "all" || only == "licenses" {
                let db = zwfw_store::scratch::ScratchDb::sqlite();
                let r = crate::bench_licenses::run(
                    &db.url,
                    "SQLite (WAL, synchronous=NORMAL)",
                    license_cases,
                    clients,
                    verifications,
                )
                .await;
                db.cleanup().await;
                r?;
                if let Some(admin) = &postgres {
                    let db = zwfw_store::scratch::ScratchDb::postgres_on(admin)
                        .await
                        .map_err(|e| anyhow!("PostgreSQL at {} is unreachable: {e}", redact(admin)))?;
                    let r =
                        crate::bench_licenses::run(&db.url, "PostgreSQL", license_cases, clients, verifications).await;
                    db.cleanup().await;
                    r?;
                }
            }
            if only == "all" || only == "supervision" {
                let db = zwfw_store::scratch::ScratchDb::sqlite();
                let r = crate::bench::run_supervision(&db.url, "SQLite (WAL, synchronous=NORMAL)", supervision).await;
                db.cleanup().await;
                r?;
                if let Some(admin) = &postgres {
                    let db = zwfw_store::scratch::ScratchDb::postgres_on(admin)
                        .await
                        .map_err(|e| anyhow!("PostgreSQL at {} is unreachable: {e}", redact(admin)))?;
                    let r = crate::bench::run_supervision(&db.url, "PostgreSQL", supervision).await;
                    db.cleanup().await;
                    r?;
                }
            }
            if only == "all" || only == "arithmetic" {
                crate::bench::run(ops, clocks);
                crate::bench::run_catalog(items).await?;
            }
            if only == "backup" {
                // Not part of `all`: it writes a city's worth of cases.
                let db = zwfw_store::scratch::ScratchDb::sqlite();
                let r = crate::bench::run_backup(&db.url, "SQLite", cases, clients, postgres.as_deref()).await;
                db.cleanup().await;
                r?;
                if let Some(admin) = &postgres {
                    let db = zwfw_store::scratch::ScratchDb::postgres_on(admin)
                        .await
                        .map_err(|e| anyhow!("PostgreSQL at {} is unreachable: {e}", redact(admin)))?;
                    let r = crate::bench::run_backup(&db.url, "PostgreSQL", cases, clients, Some(admin)).await;
                    db.cleanup().await;
                    r?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            if only == "all" || only == "cases" {
                let exchange = match exchange.as_str() {
                    "on" => true,
                    "off" => false,
                    x => return Err(anyhow!("--exchange takes on or off, not {x}")),
                };
                let derive_after = match derive.as_str() {
                    "during" => false,
                    "after" => true,
                    x => return Err(anyhow!("--derive takes during or after, not {x}")),
                };
                for sync in sqlite_sync.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    if sync != "normal" && sync != "full" {
                        return Err(anyhow!("--sqlite-sync takes normal and/or full, not {sync}"));
                    }
                    let db = zwfw_store::scratch::ScratchDb::sqlite();
                    let url = format!("{}?synchronous={sync}", db.url);
                    let label = format!("SQLite (WAL, synchronous={})", sync.to_uppercase());
                    let dir = db.dir.clone().unwrap_or_else(std::env::temp_dir);
                    let ceiling = zwfw_store::ceiling::sqlite(&dir, sync == "full", CEILING_FOR)?;
                    let tx =
                        crate::bench::run_cases(&url, &label, cases, clients, inbox, exchange, derive_after).await?;
                    crate::bench::print_share(tx, ceiling, "ceiling, one connection");
                    db.cleanup().await;
                }
                for sync in pg_sync.split(',').map(str::trim).filter(|s| !s.is_empty() && postgres.is_some()) {
                    if sync != "on" && sync != "off" {
                        return Err(anyhow!("--pg-sync takes on and/or off, not {sync}"));
                    }
                    let admin = postgres.clone().unwrap_or_default();
                    let db = zwfw_store::scratch::ScratchDb::postgres_on(&admin)
                        .await
                        .map_err(|e| anyhow!("PostgreSQL at {} is unreachable: {e}", redact(&admin)))?;
                    let join = if db.url.contains('?') { '&' } else { '?' };
                    let url = format!("{}{join}synchronous_commit={sync}", db.url);
                    let label = format!("PostgreSQL (synchronous_commit={sync})");
                    let ceiling = zwfw_store::ceiling::postgres(&db.url, clients, sync == "on", CEILING_FOR).await;
                    let r = crate::bench::run_cases(&url, &label, cases, clients, inbox, exchange, derive_after).await;
                    db.cleanup().await;
                    crate::bench::print_share(r?, ceiling?, &format!("ceiling, {clients} connections"));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let s = settings(&common, None, None)?;
            let store = Store::connect_with(&s.database_url, s.database_limits)
                .await
                .map_err(|e| anyhow!("cannot open the database {}: {e}", redact(&s.database_url)))?;
            let applied = store.migrate().await.map_err(|e| anyhow!("database migration failed: {e}"))?;
            println!("migrations applied: {applied:?} (database {})", redact(&s.database_url));
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            let s = settings(&common, None, Some(true))?;
            let state = state_for(&s, open_store(&s).await?)?;
            zwfw_app::calendar::startup(&state)
                .await
                .map_err(|e| anyhow!("loading the working-day calendar failed: {}", e.message()))?;
            let summary = zwfw_app::demo::load(&state)
                .await
                .map_err(|e| anyhow!("loading the demo city failed: {}", e.message()))?;
            println!("demo city loaded: {} objects created", summary.created.len());
            demo_cases(&state).await?;
            print_demo_accounts(&summary);
            demo_certificate(&state, &s.data_dir).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command: AuditCommand::Anchor { dir } } => {
            let s = settings(&common, None, None)?;
            let state = state_for(&s, open_store(&s).await?)?;
            let dir = dir.or_else(|| s.audit.dir.clone()).ok_or_else(|| anyhow!("no anchor directory"))?;
            let w = zwfw_app::audit::anchor::write(&state, &dir).await.map_err(app_error)?;
            println!("anchor written: {} (record {}, SM3 {})", w.path.display(), w.anchor.seq, w.anchor.hash);
            println!("  signed by the installation {} with SM2 key {}", w.anchor.installation, w.anchor.public_key);
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command: AuditCommand::Verify { anchors: Some(dir), public_key } } => {
            let s = settings(&common, None, None)?;
            let state = state_for(&s, open_store(&s).await?)?;
            let r =
                zwfw_app::audit::anchor::verify_dir(&state, &dir, public_key.as_deref()).await.map_err(app_error)?;
            print_chain(&r.chain);
            let key = r.public_key.as_deref().unwrap_or("(none)");
            let source = match r.key_source {
                "given" => "given with --public-key",
                "installation" => "the installation's key as the database names it; compare it with your copy",
                _ => "NO installation key in the database: each anchor checked against the key it carries",
            };
            println!("anchors in {}: {} files, {} with a valid signature", dir.display(), r.files, r.valid);
            println!("  SM2 key: {key} ({source})");
            if r.defects.is_empty() {
                println!("  the trail holds every anchored record unchanged");
            } else {
                println!("anchors: the trail does NOT match:");
                for d in &r.defects {
                    println!("  {d}");
                }
            }
            Ok(if r.is_sound() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Audit { command: AuditCommand::Verify { anchors: None, .. } } => {
            let s = settings(&common, None, None)?;
            let store = open_store(&s).await?;
            let report = zwfw_store::audit::verify(&store).await?;
            print_chain(&report);
            Ok(if report.defects.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Backup { command } => backup(&common, command).await,
        Command::Licenses { command: LicensesCommand::CheckQr { payload, public_key, signer_id, json } } => {
            let today = zwfw_domain::clock::local_date(chrono::Utc::now().timestamp_millis());
            let c = zwfw_app::licenses::qr::check_offline(&payload, &public_key, &signer_id, today);
            if json {
                println!("{}", serde_json::to_string_pretty(&c)?);
            } else {
                print_qr_check(&c);
            }
            Ok(if c.valid { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Exchange { command } => exchange(&common, command).await,
        Command::Cert { command } => crate::cert::run(command, &common).await,
        Command::User { command } => {
            let s = settings(&common, None, None)?;
            let state = state_for(&s, open_store(&s).await?)?;
            let ctx = cli_ctx(&state);
            match command {
                UserCommand::Create { username, name, department, roles, mobile, reason } => {
                    let department_id = match department.parse::<i64>() {
                        Ok(id) => id,
                        Err(_) => zwfw_store::admin::find_department_by_code(&state.store, department.trim())
                            .await?
                            .map(|d| d.id)
                            .ok_or_else(|| anyhow!("no department with id or credit code {department}"))?,
                    };
                    let input = zwfw_app::accounts::StaffInput {
                        username,
                        display_name: name,
                        department_id,
                        roles,
                        mobile,
                        password: None,
                        reason,
                        request: None,
                        is_demo: false,
                    };
                    let (u, pw) = zwfw_app::accounts::create_staff(&ctx, &input)
                        .await
                        .map_err(|e| anyhow!("{} ({})", e.message(), e.code()))?;
                    println!("created {} (id {}); initial password: {pw}", u.username, u.id);
                    println!("the password must be changed at first sign-in");
                }
                UserCommand::ResetPassword { username, reset_totp, reason } => {
                    let u = zwfw_store::admin::find_user_by_username(&state.store, &username)
                        .await?
                        .ok_or_else(|| anyhow!("no account named {username}"))?;
                    let pw = zwfw_app::accounts::reset_password(&ctx, u.id, &reason, reset_totp)
                        .await
                        .map_err(|e| anyhow!("{} ({})", e.message(), e.code()))?;
                    println!("password of {} reset and account unlocked; temporary password: {pw}", u.username);
                    if reset_totp {
                        println!("the TOTP authenticator was removed and must be enrolled again at sign-in");
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The trail's own verification, for a reader at a terminal.
fn print_chain(report: &zwfw_store::audit::VerifyReport) {
    if report.defects.is_empty() {
        println!("audit trail intact: {} records verified, head at {}", report.checked, report.head_seq);
    } else {
        println!("audit trail BROKEN: {} records read, head at {}", report.checked, report.head_seq);
        for d in &report.defects {
            println!("  {d}");
        }
    }
}

fn print_package_key(k: &zwfw_app::exchange::package::KeyView, installation: &str) {
    println!("installation code: {installation}");
    println!("public key (SM2, hex): {}", k.public_key);
    println!("key fingerprint (SM3): {}", k.fingerprint);
    println!("signer id: {}", k.signer_id);
}

async fn exchange(common: &Common, command: ExchangeCommand) -> Result<ExitCode> {
    use zwfw_app::exchange::package as pkg;
    let s = settings(common, None, None)?;
    let state = state_for(&s, open_store(&s).await?)?;
    let ctx = cli_ctx(&state);
    let code = state.config.exchange.codes.guid_prefix.clone();
    match command {
        ExchangeCommand::PackageKey { rotate } => {
            let k = pkg::generate_key(&ctx, rotate).await.map_err(app_error)?;
            print_package_key(&k, &code);
            println!("give the public key to the receiving installation's administrator to register");
        }
        ExchangeCommand::ShowKey => match pkg::current_key(&ctx).await.map_err(app_error)? {
            Some(k) => print_package_key(&k, &code),
            None => return Err(anyhow!("no package key yet: run `zwfw exchange package-key`")),
        },
        ExchangeCommand::ExportPackage { out, since } => {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&out)
                .with_context(|| format!("cannot create {} (it must not exist)", out.display()))?;
            let e = match pkg::export_package(&ctx, since).await {
                Ok(e) => e,
                Err(err) => {
                    drop(f);
                    let _ = std::fs::remove_file(&out);
                    return Err(app_error(err));
                }
            };
            f.write_all(&e.bytes).and_then(|_| f.sync_all()).with_context(|| {
                format!("writing {} failed; make the package again with --since {}", out.display(), e.manifest.from)
            })?;
            let m = &e.manifest;
            println!(
                "package {} no. {} written to {}: outbox rows {} to {}, {} national rows, SM3 {}",
                m.installation,
                m.seq,
                out.display(),
                m.from + 1,
                m.to,
                m.rows,
                e.sm3
            );
            for t in &m.tables {
                println!("  {} {} rows", t.table, t.rows);
            }
            if e.rejected > 0 {
                println!("  {} outbox rows rejected (see /admin/exchange for the reasons)", e.rejected);
            }
        }
        ExchangeCommand::ImportPackage { file } => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            match pkg::import_package(&ctx, &bytes).await {
                Ok(i) => {
                    let m = &i.manifest;
                    println!(
                        "imported package {} no. {} from {} ({}): outbox rows {} to {}, {} new rows, {} already there",
                        m.installation,
                        m.seq,
                        i.sender,
                        m.name,
                        m.from + 1,
                        m.to,
                        i.rows_new,
                        i.rows_known
                    );
                }
                Err(e) if e.code() == "package_already_imported" => {
                    println!("{} ({})", e.message(), e.code());
                }
                Err(e) => {
                    println!("refused: {} ({})", e.message(), e.code());
                    return Ok(ExitCode::from(1));
                }
            }
        }
        ExchangeCommand::RegisterInstallation { code, name, public_key, signer_id, next_from, replace } => {
            let input = pkg::InstallationInput { code, name, public_key, signer_id, next_from, replace };
            let i = pkg::register_installation(&ctx, &input).await.map_err(app_error)?;
            println!("registered {} {}: its next package begins after outbox row {}", i.code, i.name, i.next_from);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A use case's error on one line: the message, its code and detail.
/// A database failure also names its cause: the operator running the
/// command is the one who must act on it.
fn app_error(e: zwfw_app::AppError) -> anyhow::Error {
    let cause = match &e {
        zwfw_app::AppError::Store(s) if e.code() == "database_unavailable" => format!(": {s}"),
        _ => String::new(),
    };
    match e.detail() {
        Some(d) => anyhow!("{} ({}: {d}){cause}", e.message(), e.code()),
        None => anyhow!("{} ({}){cause}", e.message(), e.code()),
    }
}

fn megabytes(bytes: i64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

fn print_manifest(m: &zwfw_app::backup::ManifestSummary) {
    let when = chrono::DateTime::from_timestamp_millis(m.created_at)
        .map(|t| t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")).to_rfc3339())
        .unwrap_or_default();
    println!("  taken {when} on {}, schema version {}", m.source, m.schema_version);
    println!("  {} tables, {} rows; {} stored files ({})", m.tables, m.rows, m.files, megabytes(m.file_bytes));
    let largest: Vec<String> = m.largest.iter().map(|(t, n)| format!("{t} {n}")).collect();
    println!("  largest tables: {}", largest.join(", "));
    println!("  audit chain head: record {} ({})", m.audit_seq, m.audit_hash);
    if !m.missing_files.is_empty() {
        println!(
            "  WARNING: {} stored files listed by the database were missing: {}",
            m.missing_files.len(),
            m.missing_files.join(", ")
        );
    }
}

async fn backup(common: &Common, command: BackupCommand) -> Result<ExitCode> {
    match command {
        BackupCommand::Create { out, encrypt } => {
            let s = settings(common, None, None)?;
            let store = Store::connect_with(&s.database_url, s.database_limits)
                .await
                .map_err(|e| anyhow!("cannot open the database {}: {e}", redact(&s.database_url)))?;
            if zwfw_store::backup::schema_version(&store).await? == 0 {
                return Err(anyhow!(
                    "the database {} holds no zwfw schema: nothing to back up",
                    redact(&s.database_url)
                ));
            }
            let state = state_for(&s, store)?;
            let ctx = cli_ctx(&state);
            let started_at = state.now_ms();
            let result = zwfw_app::backup::create(&ctx, &out, encrypt).await;
            // Recorded, so that the continuity checks count a backup made from the command line.
            if let Err(e) = zwfw_app::backup::schedule::record_backup(&ctx, "command", &out, started_at, &result).await
            {
                eprintln!("zwfw: the backup is not recorded in the database: {}", e.message());
            }
            let c = result.map_err(app_error)?;
            println!("backup written: {} ({} bytes, {:.1} s)", c.path.display(), c.size, c.millis as f64 / 1000.0);
            println!("  SM3 of the file: {}", c.sm3);
            println!(
                "  {}",
                if c.encrypted { "encrypted (SM4-GCM, key derived from the master key)" } else { "not encrypted" }
            );
            print_manifest(&c.manifest);
            state.store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::Verify { file } => {
            // Only the master key is needed: no database, no data directory.
            let f = FileConfig::load(common.config.as_deref())?;
            let licenses = config::licenses(f.licenses, |k| std::env::var(k).ok())?;
            let v = zwfw_app::backup::verify(&file, licenses.master_key.as_ref()).await.map_err(app_error)?;
            println!(
                "backup intact: {} ({} bytes, {}, written by {}; checked in {:.1} s)",
                file.display(),
                v.size,
                if v.encrypted { "encrypted, the key matches" } else { "not encrypted" },
                v.program,
                v.millis as f64 / 1000.0
            );
            print_manifest(&v.manifest);
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::Drill { from } => {
            let s = settings(common, None, None)?;
            let state = state_for(&s, open_store(&s).await?)?;
            let ctx = cli_ctx(&state);
            let d = zwfw_app::backup::schedule::drill(&ctx, "command", from.as_deref()).await;
            state.store.close().await;
            let d = d.map_err(app_error)?;
            let secs = d.millis as f64 / 1000.0;
            if d.outcome == "passed" {
                let age = d.data_age_ms.unwrap_or(0) as f64 / 3_600_000.0;
                println!("restore drill passed: {} restored and checked in {secs:.1} s", d.file_name);
                println!(
                    "  {} tables, {} rows; the audit chain verifies ({} records); the data were {age:.1} h old",
                    d.tables_checked, d.rows_checked, d.audit_checked
                );
                Ok(ExitCode::SUCCESS)
            } else {
                println!(
                    "restore drill FAILED: {} ({}: {})",
                    if d.file_name.is_empty() { "no backup" } else { d.file_name.as_str() },
                    d.error_code.as_deref().unwrap_or(""),
                    d.error.as_deref().unwrap_or("")
                );
                Ok(ExitCode::from(1))
            }
        }
        BackupCommand::Restore { from } => {
            let s = settings(common, None, None)?;
            let sqlite_file = s.database_url.starts_with("sqlite:").then(|| {
                let rest = s.database_url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
                PathBuf::from(rest.split('?').next().unwrap_or(rest))
            });
            let existed = sqlite_file.as_ref().is_some_and(|p| p.exists());
            let store = Store::connect_with(&s.database_url, s.database_limits)
                .await
                .map_err(|e| anyhow!("cannot open the database {}: {e}", redact(&s.database_url)))?;
            let state = state_for(&s, store)?;
            let ctx = cli_ctx(&state);
            let r = zwfw_app::backup::restore(&ctx, &from).await;
            state.store.close().await;
            let r = match r {
                Ok(r) => r,
                Err(e) => {
                    // A SQLite file this command made is removed again.
                    if let (Some(p), false) = (&sqlite_file, existed) {
                        drop(ctx);
                        drop(state);
                        for suffix in ["", "-wal", "-shm"] {
                            let mut f = p.clone().into_os_string();
                            f.push(suffix);
                            let _ = std::fs::remove_file(f);
                        }
                    }
                    return Err(app_error(e));
                }
            };
            println!(
                "restored from {} into {} and {} ({:.1} s)",
                from.display(),
                redact(&s.database_url),
                s.data_dir.display(),
                r.millis as f64 / 1000.0
            );
            print_manifest(&r.manifest);
            println!(
                "  checked: every table holds the backup's rows; the audit chain verifies ({} records) and ends at the backup's head; the schema is current{}",
                r.audit_checked,
                if r.migrated_after.is_empty() { String::new() } else { format!(" (migrations {:?} applied after the load)", r.migrated_after) }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// Plays the demo cases (only into a database without cases).
/// The demo's staff certificate (数字证书) of demo_cert, from the demo CA of
/// the data directory; the key file's path is printed for `zwfw cert signer`.
async fn demo_certificate(state: &App, data_dir: &std::path::Path) -> Result<()> {
    let dir = data_dir.join("demo-ca");
    match zwfw_app::demo::certificate(state, &dir)
        .await
        .map_err(|e| anyhow!("registering the demo certificate failed: {}", e.message()))?
    {
        Some(c) => println!(
            "  {} signs in with a staff certificate (serial {}): zwfw cert signer --key {}",
            c.username,
            c.serial,
            c.key.display()
        ),
        None => println!(
            "  no demo certificate key: [certificates] ca_file names another CA than the demo CA of {}, or its files were removed",
            dir.display()
        ),
    }
    Ok(())
}

async fn demo_cases(state: &App) -> Result<()> {
    let started = std::time::Instant::now();
    let n = zwfw_app::demo::cases::load(state, DEMO_CASES)
        .await
        .map_err(|e| anyhow!("loading the demo cases failed: {}", e.message()))?;
    if n > 0 {
        println!("demo cases played: {n} in {:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(())
}

/// How many cases the demo plays.
const DEMO_CASES: usize = 320;

/// How long the benchmark measures the commit ceiling before each case run.
const CEILING_FOR: std::time::Duration = std::time::Duration::from_secs(3);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db");
    }
}
