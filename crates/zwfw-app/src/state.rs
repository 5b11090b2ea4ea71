//! Shared application state and the service context every action runs in.

use crate::clock::Clock;
use crate::error::AppResult;
use crate::metrics::Metrics;
use std::sync::Arc;
use zwfw_domain::admin::Actor;
use zwfw_domain::audit::AuditEntry;
use zwfw_domain::auth::SecurityPolicy;
use zwfw_store::{audit, Store, Tx};

/// Settings of the application, filled by the binary from defaults, the
/// config file and `ZWFW_*` variables.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub policy: SecurityPolicy,
    /// Demo mode: demo accounts are shown on the login page and the clock can be moved.
    pub demo: bool,
    pub site_name: String,
    /// The data directory (file store under `files/`).
    pub data_dir: std::path::PathBuf,
    /// Largest accepted upload, in bytes.
    pub max_upload_bytes: usize,
    /// The SMS gateway; without it SMS messages wait in the outbox.
    pub sms: Option<crate::outbox::sms::SmsConfig>,
    /// The SMTP server; without it e-mail messages wait in the outbox.
    pub smtp: Option<crate::outbox::email::SmtpConfig>,
    /// 电子证照: the master key and the SM2 signer ID.
    pub licenses: crate::licenses::LicensesConfig,
    /// The 人口库 / 法人库: the watched folder and the look-up service.
    pub registry: crate::registry::RegistryConfig,
    /// 数据交换: the 前置库 the exporter delivers into, and the code values.
    pub exchange: crate::exchange::ExchangeConfig,
    /// The audit chain's anchors outside the database: where and how often.
    pub audit: crate::audit::anchor::AnchorConfig,
    /// Scheduled backups and restore drills; `None`: not watched (the
    /// program always sets it, with its defaults).
    pub backup: Option<crate::backup::schedule::BackupConfig>,
    /// 审管交互: the working days a regulator has to claim a record.
    pub handover: crate::handover::HandoverConfig,
    /// Staff certificates: the CA they must chain to, the local signing service.
    pub certificates: crate::accounts::certificates::CertificatesConfig,
    /// The public look-ups each client address may make per 15 minutes.
    pub lookups: crate::lookups::LookupLimits,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            policy: SecurityPolicy::default(),
            demo: false,
            site_name: "示例市政务服务平台".into(),
            data_dir: std::path::PathBuf::from("./zwfw-data"),
            max_upload_bytes: 10 * 1024 * 1024,
            sms: None,
            smtp: None,
            licenses: crate::licenses::LicensesConfig::default(),
            certificates: crate::accounts::certificates::CertificatesConfig::default(),
            registry: crate::registry::RegistryConfig::default(),
            exchange: crate::exchange::ExchangeConfig::default(),
            audit: crate::audit::anchor::AnchorConfig::default(),
            backup: None,
            handover: crate::handover::HandoverConfig::default(),
            lookups: crate::lookups::LookupLimits::default(),
        }
    }
}

pub struct Inner {
    pub store: Store,
    /// Every upload and generated document, content-addressed by SM3.
    pub files: zwfw_store::files::FileStore,
    /// The compiled working-day calendar; replaced when a year is edited.
    pub calendar: std::sync::RwLock<Arc<zwfw_domain::calendar::Calendar>>,
    /// The full-text index of the published catalogue.
    pub search: std::sync::RwLock<Arc<crate::catalog::search::Index>>,
    /// Held while the search index is built here: builds take turns.
    pub search_build: tokio::sync::Mutex<()>,
    /// Contents of item versions cases are bound to (published versions never change).
    pub versions: std::sync::Mutex<std::collections::HashMap<i64, Arc<zwfw_domain::catalog::ItemContent>>>,
    /// Departments as read lately (names for document numbers), with when:
    /// forgotten when edited here, read again after `DEPARTMENT_FRESH` in any case.
    pub departments: std::sync::Mutex<DepartmentCache>,
    pub clock: Clock,
    pub config: AppConfig,
    pub metrics: Metrics,
    pub started_ms: i64,
    /// The supervision dashboard's figures and when they were read.
    pub dashboard: std::sync::Mutex<Option<(i64, Arc<crate::supervision::Dashboard>)>>,
    /// Woken after a step of a case is written: its notices are to be derived.
    pub notices_wake: Arc<tokio::sync::Notify>,
    /// Held while the notices of case steps are derived here: derivations take turns.
    pub notices_turn: tokio::sync::Mutex<()>,
    /// Held while this server makes a backup or runs a drill (the job's
    /// lease keeps other servers out; this keeps a second request here out).
    pub backup_busy: tokio::sync::Mutex<()>,
    /// [`zwfw_store::Store::trail_commits`] as a derivation of the notices
    /// that looked at everything committed before it took it found it.
    pub notices_derived: std::sync::atomic::AtomicU64,
    /// The notices of steps written here, planned by the steps, until the
    /// derivation takes them.
    pub notices_handed: crate::cases::notices::Handed,
}

/// Failed look-ups by number and query password allowed per client address
/// and per number in a window.
pub const TRACK_MAX_FAILURES: u32 = 10;
const TRACK_WINDOW_MS: i64 = 15 * 60_000;

type DepartmentCache = std::collections::HashMap<i64, (std::time::Instant, Arc<zwfw_store::admin::Department>)>;

/// How long a department read stays good here (an edit made by another
/// app server or the command line shows after at most this long).
const DEPARTMENT_FRESH: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Clone)]
pub struct App(pub Arc<Inner>);

impl std::ops::Deref for App {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl App {
    pub fn new(store: Store, clock: Clock, config: AppConfig) -> App {
        let started_ms = clock.now_ms();
        App(Arc::new(Inner {
            store,
            files: zwfw_store::files::FileStore::new(config.data_dir.join("files")),
            calendar: std::sync::RwLock::new(Arc::new(zwfw_domain::calendar::Calendar::empty())),
            search: std::sync::RwLock::new(Arc::new(crate::catalog::search::Index::default())),
            search_build: tokio::sync::Mutex::new(()),
            versions: std::sync::Mutex::new(std::collections::HashMap::new()),
            departments: std::sync::Mutex::new(DepartmentCache::new()),
            clock,
            config,
            metrics: Metrics::default(),
            started_ms,
            dashboard: std::sync::Mutex::new(None),
            notices_wake: Arc::new(tokio::sync::Notify::new()),
            notices_turn: tokio::sync::Mutex::new(()),
            backup_busy: tokio::sync::Mutex::new(()),
            notices_derived: std::sync::atomic::AtomicU64::new(0),
            notices_handed: Default::default(),
        }))
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Stores bytes in the file store (off the async threads) and, on
    /// PostgreSQL, in the database, where every app server finds them;
    /// returns their SM3. Called before the transaction that refers to the
    /// file (storing is idempotent: a file given up is stored, unreferenced).
    pub async fn put_file(&self, bytes: Vec<u8>) -> AppResult<String> {
        let files = self.files.clone();
        let (sm3, bytes) = tokio::task::spawn_blocking(move || files.put(&bytes).map(|sm3| (sm3, bytes)))
            .await
            .map_err(|e| crate::error::AppError::Internal(e.to_string()))?
            .map_err(|e| crate::error::AppError::Internal(format!("file store: {e}")))?;
        zwfw_store::files::put_blob(&self.store, &sm3, &bytes).await?;
        Ok(sm3)
    }

    /// The bytes of the stored file `sm3`, checked against their hash: from
    /// this server's directory, or (PostgreSQL) from the database, then kept
    /// in the directory for the next read. `None`: no such file.
    pub async fn file(&self, sm3: &str) -> AppResult<Option<Vec<u8>>> {
        let internal = |e: std::io::Error| crate::error::AppError::Internal(format!("file store: {e}"));
        let (files, key) = (self.files.clone(), sm3.to_string());
        let local = tokio::task::spawn_blocking(move || files.get(&key))
            .await
            .map_err(|e| crate::error::AppError::Internal(e.to_string()))?
            .map_err(internal)?;
        if local.is_some() || self.files.path_of(sm3).is_none() {
            return Ok(local);
        }
        let Some(bytes) = zwfw_store::files::get_blob(&self.store, sm3).await? else { return Ok(None) };
        if zwfw_domain::audit::sm3_hex(&bytes) != sm3 {
            return Err(crate::error::AppError::Internal(format!("file store: stored file {sm3} is corrupt")));
        }
        let files = self.files.clone();
        tokio::task::spawn_blocking(move || files.put(&bytes).map(|_| bytes))
            .await
            .map_err(|e| crate::error::AppError::Internal(e.to_string()))?
            .map(Some)
            .map_err(internal)
    }

    /// Copies into the database (PostgreSQL) the stored files it lists but
    /// does not keep, from this server's directory: those stored before the
    /// database kept them. Answers how many were copied and which are
    /// listed but found nowhere (another server may hold them: run this
    /// there too).
    pub async fn keep_files_in_database(&self) -> AppResult<(usize, Vec<String>)> {
        let mut copied = 0;
        let mut absent = vec![];
        let mut after_absent = 0;
        loop {
            let lacking = zwfw_store::files::without_blob(&self.store, 200 + after_absent).await?;
            let todo: Vec<String> = lacking.into_iter().filter(|s| !absent.contains(s)).collect();
            if todo.is_empty() {
                break;
            }
            for sm3 in todo {
                let (files, key) = (self.files.clone(), sm3.clone());
                let got = tokio::task::spawn_blocking(move || files.get(&key))
                    .await
                    .map_err(|e| crate::error::AppError::Internal(e.to_string()))?;
                match got {
                    Ok(Some(bytes)) => {
                        zwfw_store::files::put_blob(&self.store, &sm3, &bytes).await?;
                        copied += 1;
                    }
                    _ => {
                        absent.push(sm3);
                        after_absent += 1;
                    }
                }
            }
        }
        Ok((copied, absent))
    }

    /// Whether look-ups by number and query password are refused for any of
    /// `keys` (client address, number): after `TRACK_MAX_FAILURES` failures
    /// within 15 minutes, for the rest of that window. Counted in the
    /// database, so that every app server enforces one limit.
    pub async fn track_blocked(&self, keys: &[String]) -> AppResult<bool> {
        let since = self.now_ms() - TRACK_WINDOW_MS;
        Ok(zwfw_store::limits::reached(&self.store, keys, since, TRACK_MAX_FAILURES as i64).await?)
    }

    /// Counts a failed look-up against each of `keys`.
    pub async fn track_failed(&self, keys: &[String]) -> AppResult<()> {
        let now = self.now_ms();
        Ok(zwfw_store::limits::count_failure(&self.store, keys, now, now - TRACK_WINDOW_MS).await?)
    }

    /// A department, read at most `DEPARTMENT_FRESH` ago.
    pub async fn department(&self, id: i64) -> AppResult<Arc<zwfw_store::admin::Department>> {
        if let Some((at, d)) = self.departments.lock().expect("departments lock").get(&id) {
            if at.elapsed() < DEPARTMENT_FRESH {
                return Ok(d.clone());
            }
        }
        let d = Arc::new(zwfw_store::admin::get_department(&self.store, id).await?);
        self.departments.lock().expect("departments lock").insert(id, (std::time::Instant::now(), d.clone()));
        Ok(d)
    }

    /// Forgets a department read before (it was edited).
    pub fn forget_department(&self, id: i64) {
        self.departments.lock().expect("departments lock").remove(&id);
    }

    /// The current working-day calendar.
    pub fn calendar(&self) -> Arc<zwfw_domain::calendar::Calendar> {
        self.calendar.read().expect("calendar lock").clone()
    }

    /// The current search index.
    pub fn search_index(&self) -> Arc<crate::catalog::search::Index> {
        self.search.read().expect("search lock").clone()
    }

    /// The platform's current day in Asia/Shanghai.
    pub fn today(&self) -> chrono::NaiveDate {
        zwfw_domain::clock::local_date(self.now_ms())
    }

    /// Loads the shared clock shift from the database (demo mode).
    pub async fn sync_clock(&self) -> AppResult<()> {
        if self.config.demo {
            if let Some(v) = zwfw_store::settings::get(&self.store, zwfw_store::settings::CLOCK_OFFSET_MS).await? {
                self.clock.set_moved_ms(v.parse().unwrap_or(0));
            }
        }
        Ok(())
    }
}

/// Who acts, from where: everything an action needs besides its input.
pub struct Ctx<'a> {
    pub state: &'a App,
    pub actor: Option<&'a Actor>,
    /// Client address, or `cli` for the operator command line.
    pub client_addr: String,
}

impl<'a> Ctx<'a> {
    pub fn now(&self) -> i64 {
        self.state.now_ms()
    }

    /// An audit entry for this context.
    pub fn entry(
        &self,
        action: &str,
        object_type: &str,
        object_id: impl ToString,
        detail: serde_json::Value,
        reason: &str,
    ) -> AuditEntry {
        let (actor_id, actor_name, actor_role, department_id) = match self.actor {
            Some(a) => (
                Some(a.user_id),
                a.username.clone(),
                a.primary_role().map(|r| r.code().to_string()).unwrap_or_else(|| a.kind.code().to_string()),
                a.department_id,
            ),
            None => (None, "system".to_string(), "operator".to_string(), None),
        };
        AuditEntry {
            at_ms: self.now(),
            actor_id,
            actor_name,
            actor_role,
            department_id,
            action: action.to_string(),
            object_type: object_type.to_string(),
            object_id: object_id.to_string(),
            detail: detail.to_string(),
            reason: reason.to_string(),
            client_addr: self.client_addr.clone(),
        }
    }

    /// Writes an audit record inside `tx`.
    pub async fn audit(&self, tx: &mut Tx, entry: AuditEntry) -> AppResult<()> {
        audit::append(tx, &entry).await?;
        crate::metrics::Metrics::inc(&self.state.metrics.audit_records);
        Ok(())
    }

    /// Writes several audit records inside `tx`, in their order, in one
    /// statement (up to a few hundred).
    pub async fn audit_many(&self, tx: &mut Tx, entries: &[AuditEntry]) -> AppResult<()> {
        audit::append_many(tx, entries).await?;
        crate::metrics::Metrics::add(&self.state.metrics.audit_records, entries.len() as u64);
        Ok(())
    }

    /// Writes an audit record on its own.
    pub async fn audit_alone(&self, entry: AuditEntry) -> AppResult<()> {
        audit::append_alone(&self.state.store, &entry).await?;
        crate::metrics::Metrics::inc(&self.state.metrics.audit_records);
        Ok(())
    }
}
