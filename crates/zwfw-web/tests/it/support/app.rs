//! The one way a test starts the application: the real program on port 0
//! against the test's fresh database, with the demo city loaded; and what a
//! test does to it besides HTTP (moving its clock, a second process).

use zwfw_app::{AppConfig, Clock};
use zwfw_store::Store;
use zwfw_web::{AppState, WebConfig};

pub struct App {
    pub base: String,
    pub state: AppState,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl App {
    pub async fn start(store: Store) -> App {
        App::start_with_clock(store, Clock::system()).await
    }

    /// Starts with the clock set to an RFC 3339 instant.
    pub async fn start_at(store: Store, now: &str) -> App {
        App::start_with_clock(store, Clock::from_config(Some(now), None).unwrap()).await
    }

    /// Starts at an instant with an SMS gateway.
    pub async fn start_with_sms(store: Store, now: &str, sms: zwfw_app::outbox::sms::SmsConfig) -> App {
        App::start_configured(
            store,
            Clock::from_config(Some(now), None).unwrap(),
            Some(sms),
            None,
            true,
            true,
            Default::default(),
        )
        .await
    }

    /// Starts at an instant with an SMTP server.
    pub async fn start_with_smtp(store: Store, now: &str, smtp: zwfw_app::outbox::email::SmtpConfig) -> App {
        App::start_configured(
            store,
            Clock::from_config(Some(now), None).unwrap(),
            None,
            Some(smtp),
            true,
            true,
            Default::default(),
        )
        .await
    }

    async fn start_with_clock(store: Store, clock: Clock) -> App {
        App::start_configured(store, clock, None, None, true, true, Default::default()).await
    }

    /// Starts trusting no reverse proxy, as the program does by default: the
    /// test client's X-Forwarded-For is then its own claim.
    pub async fn start_trusting_no_proxy(store: Store) -> App {
        App::start_configured(store, Clock::system(), None, None, false, true, Default::default()).await
    }

    /// Starts without the demo city: the database holds only what the
    /// program puts there at start (the calendar).
    pub async fn start_without_demo(store: Store) -> App {
        App::start_configured(store, Clock::system(), None, None, true, false, Default::default()).await
    }

    /// Starts with the 人口库 / 法人库's watched folder and look-up service.
    pub async fn start_with_registry(store: Store, registry: zwfw_app::registry::RegistryConfig) -> App {
        App::start_configured(store, Clock::system(), None, None, true, true, registry).await
    }

    /// Starts at an instant with the licences' public address (their QR codes' base).
    pub async fn start_with_verify_base(store: Store, now: &str, verify_base: &str) -> App {
        let licenses = zwfw_app::licenses::LicensesConfig { verify_base: verify_base.into(), ..Default::default() };
        let clock = Clock::from_config(Some(now), None).unwrap();
        App::start_full(store, clock, None, None, true, true, Default::default(), Default::default(), licenses).await
    }

    async fn start_configured(
        store: Store,
        clock: Clock,
        sms: Option<zwfw_app::outbox::sms::SmsConfig>,
        smtp: Option<zwfw_app::outbox::email::SmtpConfig>,
        behind_proxy: bool,
        demo: bool,
        registry: zwfw_app::registry::RegistryConfig,
    ) -> App {
        App::start_full(store, clock, sms, smtp, behind_proxy, demo, registry, Default::default(), Default::default())
            .await
    }

    /// Starts at an instant with the staff certificates' settings (a CA to chain to).
    pub async fn start_with_certificates(
        store: Store,
        now: &str,
        certificates: zwfw_app::accounts::certificates::CertificatesConfig,
    ) -> App {
        let config = AppConfig {
            demo: true,
            data_dir: data_dir(),
            max_upload_bytes: 64 * 1024,
            certificates,
            ..AppConfig::default()
        };
        App::start_with_config(store, Clock::from_config(Some(now), None).unwrap(), true, config).await
    }

    /// Starts at [`super::fixtures::FRIDAY`] with the public look-ups limited to `lookups`
    /// per client address (named in X-Forwarded-For).
    pub async fn start_with_lookups(store: Store, lookups: zwfw_app::lookups::LookupLimits) -> App {
        let config = AppConfig {
            demo: true,
            data_dir: data_dir(),
            max_upload_bytes: 64 * 1024,
            lookups,
            ..AppConfig::default()
        };
        // At the start of a window, so that the test's look-ups share one.
        App::start_with_config(store, Clock::from_config(Some(super::fixtures::FRIDAY), None).unwrap(), true, config)
            .await
    }

    /// Starts at an instant with a 前置库 configured (the exporter is run by the test).
    pub async fn start_with_exchange(store: Store, now: &str, exchange: zwfw_app::exchange::ExchangeConfig) -> App {
        let clock = Clock::from_config(Some(now), None).unwrap();
        App::start_full(store, clock, None, None, true, true, Default::default(), exchange, Default::default()).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn start_full(
        store: Store,
        clock: Clock,
        sms: Option<zwfw_app::outbox::sms::SmsConfig>,
        smtp: Option<zwfw_app::outbox::email::SmtpConfig>,
        behind_proxy: bool,
        demo: bool,
        registry: zwfw_app::registry::RegistryConfig,
        exchange: zwfw_app::exchange::ExchangeConfig,
        licenses: zwfw_app::licenses::LicensesConfig,
    ) -> App {
        let config = AppConfig {
            demo,
            data_dir: data_dir(),
            max_upload_bytes: 64 * 1024,
            sms,
            smtp,
            registry,
            exchange,
            licenses,
            ..AppConfig::default()
        };
        App::start_with_config(store, clock, behind_proxy, config).await
    }

    /// Starts at an instant with scheduled backups and drills into `dir`
    /// (the schedule is run by the test).
    pub async fn start_with_backups(store: Store, now: &str, dir: &std::path::Path, keep: usize) -> App {
        let backup = zwfw_app::backup::schedule::BackupConfig {
            dir: dir.to_path_buf(),
            keep,
            ..zwfw_app::backup::schedule::BackupConfig::defaults(dir)
        };
        let config = AppConfig {
            demo: true,
            data_dir: data_dir(),
            max_upload_bytes: 64 * 1024,
            backup: Some(backup),
            ..AppConfig::default()
        };
        App::start_with_config(store, Clock::from_config(Some(now), None).unwrap(), true, config).await
    }

    /// Starts with backups into `dir` configured as `backup`, the demo
    /// city loaded but demo mode `demo` (on or off), and the master key
    /// given (or none).
    pub async fn start_with_backup_settings(
        store: Store,
        backup: zwfw_app::backup::schedule::BackupConfig,
        demo: bool,
        master_key: Option<zwfw_app::licenses::keys::MasterKey>,
    ) -> App {
        let config = AppConfig {
            demo,
            data_dir: data_dir(),
            max_upload_bytes: 64 * 1024,
            backup: Some(backup),
            licenses: zwfw_app::licenses::LicensesConfig { master_key, ..Default::default() },
            ..AppConfig::default()
        };
        let app = App::start_with_config(store, Clock::system(), true, config).await;
        if !demo {
            zwfw_app::demo::load(&app.state).await.expect("demo loads");
        }
        app
    }

    async fn start_with_config(store: Store, clock: Clock, behind_proxy: bool, config: AppConfig) -> App {
        let demo = config.demo;
        // Unless told otherwise, the test client stands for a reverse proxy:
        // tests name the client they play in X-Forwarded-For.
        let trusted_proxies = if behind_proxy { vec!["127.0.0.1".parse().unwrap()] } else { vec![] };
        let state = AppState::new(
            zwfw_app::App::new(store, clock, config),
            WebConfig { trusted_proxies, ..WebConfig::default() },
        );
        zwfw_app::startup(&state).await.expect("calendar and search load");
        if demo {
            zwfw_app::demo::load(&state).await.expect("demo loads");
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        tokio::spawn(async move {
            zwfw_web::serve(listener, st, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        App { base: format!("http://{addr}"), state, _shutdown: tx }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Moves the application's clock forward.
    pub fn advance(&self, ms: i64) {
        self.state.clock.set_moved_ms(self.state.clock.moved_ms() + ms);
    }

    pub async fn department_id(&self, name: &str) -> i64 {
        zwfw_store::admin::list_departments(&self.state.store)
            .await
            .unwrap()
            .into_iter()
            .find(|d| d.name == name)
            .map(|d| d.id)
            .unwrap_or_else(|| panic!("no department {name}"))
    }

    /// Runs one statement with one parameter (`$1`) on the program's own
    /// connection, as a repair by hand would.
    pub async fn sql(&self, statement: &str, param: impl zwfw_store::db::IntoValue) {
        zwfw_store::db::query(statement).bind(param).execute(self.state.store.pool()).await.unwrap();
    }

    pub async fn user_id(&self, username: &str) -> i64 {
        zwfw_store::admin::find_user_by_username(&self.state.store, username).await.unwrap().unwrap().id
    }

    /// The one way a test qualifies a staff member it created (上岗资格): a
    /// staff account starts unqualified and acts in no role but the
    /// system administrator's until a passed examination is recorded. This
    /// records a training and a passed examination held today, valid a
    /// year, for every role they hold, as the program records one.
    pub async fn qualify(&self, username: &str) {
        let id = self.user_id(username).await;
        let today = self.state.today();
        let until = today.checked_add_months(chrono::Months::new(12)).unwrap();
        zwfw_app::governance::qualifications::qualify_all(&self.state, id, today, until, "上岗培训及考试（测试）")
            .await
            .unwrap();
    }
}

/// A data directory of its own.
pub fn data_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("zwfw_app_{}_{}", std::process::id(), rand_suffix()))
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    N.fetch_add(1, Ordering::Relaxed) ^ t
}

/// Moves the clock to 10:00 Beijing time on `day` (YYYY-MM-DD) and runs the background job.
pub async fn day(app: &App, day: &str) {
    let target = zwfw_domain::time::parse_rfc3339(&format!("{day}T10:00:00+08:00")).unwrap() - app.state.now_ms();
    assert!(target >= 0, "the clock only moves forward");
    app.advance(target);
    zwfw_app::run_jobs(&app.state).await.unwrap();
}

/// The program in a second process on the same database (its own pool and remembered rows).
pub async fn another_process(app: &App) -> zwfw_app::App {
    let other = zwfw_app::App::new(
        zwfw_store::testing::other_process(&app.state.store),
        app.state.clock.clone(),
        app.state.config.clone(),
    );
    zwfw_app::startup(&other).await.unwrap();
    other
}

/// The actor of an account, for calling the use cases directly.
pub async fn actor_of(app: &App, username: &str) -> zwfw_domain::admin::Actor {
    let u = zwfw_store::admin::find_user_by_username(&app.state.store, username).await.unwrap().unwrap();
    zwfw_app::accounts::sessions::actor_of(&u)
}
