//! Persistence of zwfw. One schema and one set of queries for SQLite (the
//! embedded default) and PostgreSQL, through sqlx's `Any` driver. Business
//! rules are decided in `zwfw-domain`; this crate only remembers.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod files;
mod migrate;
pub mod settings;
pub mod testing;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Row, Transaction};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::sync::{Mutex, OwnedMutexGuard};
use zwfw_domain::DomainError;

pub use migrate::MIGRATIONS;

/// The storage layer's error type.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule was violated; the field names what is duplicated.
    #[error("duplicate {0}")]
    Duplicate(&'static str),
    /// The change conflicts with the current state (e.g. referenced elsewhere).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("unsupported database URL (use sqlite://… or postgres://…): {0}")]
    UnsupportedUrl(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Maps a database unique violation to `Duplicate(field)`.
    pub fn unique_as(e: sqlx::Error, field: &'static str) -> StoreError {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return StoreError::Duplicate(field);
            }
        }
        StoreError::Db(e)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database handle shared by the whole program.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer: write transactions queue here instead of
    /// failing with SQLITE_BUSY when two of them try to upgrade at once.
    write_lock: Option<Arc<Mutex<()>>>,
}

/// A write transaction. Dropped without `commit`, it rolls back.
pub struct Tx {
    pub(crate) tx: Transaction<'static, Any>,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl Tx {
    /// Whether the transaction already excludes every other writer (SQLite),
    /// so that row locks are not needed.
    pub fn is_exclusive(&self) -> bool {
        self._guard.is_some()
    }

    pub async fn commit(self) -> StoreResult<()> {
        self.tx.commit().await?;
        Ok(())
    }
    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

/// Splits the `synchronous=normal|full` parameter off a SQLite URL (it is
/// ours, not the driver's). NORMAL (the default) in WAL mode loses nothing
/// when the process is killed; a power cut or an operating-system crash may
/// lose the transactions committed since the last WAL sync, never the
/// database's consistency. FULL syncs the WAL at every commit.
fn sqlite_synchronous(url: &str) -> StoreResult<(String, bool)> {
    let Some((base, query)) = url.split_once('?') else { return Ok((url.to_string(), false)) };
    let mut full = false;
    let mut rest = vec![];
    for p in query.split('&').filter(|p| !p.is_empty()) {
        match p.split_once('=') {
            Some(("synchronous", v)) => match v.to_ascii_lowercase().as_str() {
                "normal" => full = false,
                "full" => full = true,
                _ => return Err(StoreError::UnsupportedUrl(format!("synchronous={v} (use normal or full)"))),
            },
            _ => rest.push(p),
        }
    }
    Ok((if rest.is_empty() { base.to_string() } else { format!("{base}?{}", rest.join("&")) }, full))
}

impl Store {
    /// Connects to `url` (`sqlite://path` or `postgres://…`). For SQLite the
    /// file is created if missing. Does not run migrations.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        let mut opts = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let url = if backend == Backend::Sqlite {
            let (url, sync) = sqlite_synchronous(url)?;
            opts = opts.max_connections(8).after_connect(move |conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute(if sync { "PRAGMA synchronous = FULL" } else { "PRAGMA synchronous = NORMAL" })
                        .await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    Ok(())
                })
            });
            if url.contains('?') {
                url
            } else {
                format!("{url}?mode=rwc")
            }
        } else {
            opts = opts.max_connections(16);
            url.to_string()
        };
        let pool = opts.connect(&url).await?;
        Ok(Store { pool, backend, write_lock: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))) })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies every embedded migration not yet applied.
    pub async fn migrate(&self) -> StoreResult<Vec<i64>> {
        migrate::run(self).await
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> StoreResult<Tx> {
        let guard = match &self.write_lock {
            Some(m) => Some(m.clone().lock_owned().await),
            None => None,
        };
        // SQLite takes its write lock at the start (BEGIN IMMEDIATE) so that a
        // read followed by a write cannot fail on a stale snapshot held by
        // another connection.
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx { tx, _guard: guard })
    }

    /// Readiness probe: the database answers a trivial query.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }

    /// Refreshes the planner's statistics (and on PostgreSQL the visibility
    /// map) after a bulk load, as autovacuum would in time.
    pub async fn analyze(&self) -> StoreResult<()> {
        let sql = match self.backend {
            Backend::Postgres => "VACUUM ANALYZE",
            Backend::Sqlite => "ANALYZE",
        };
        sqlx::query(sql).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Small helpers for reading `Any` rows.
pub(crate) trait RowExt {
    fn i64(&self, c: &str) -> i64;
    fn opt_i64(&self, c: &str) -> Option<i64>;
    fn str(&self, c: &str) -> String;
    fn opt_str(&self, c: &str) -> Option<String>;
    fn flag(&self, c: &str) -> bool {
        self.i64(c) != 0
    }
}

impl RowExt for AnyRow {
    fn i64(&self, c: &str) -> i64 {
        self.try_get::<i64, _>(c).unwrap_or_default()
    }
    fn opt_i64(&self, c: &str) -> Option<i64> {
        self.try_get::<Option<i64>, _>(c).ok().flatten()
    }
    fn str(&self, c: &str) -> String {
        self.try_get::<String, _>(c).unwrap_or_default()
    }
    fn opt_str(&self, c: &str) -> Option<String> {
        self.try_get::<Option<String>, _>(c).ok().flatten()
    }
}

pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

#[cfg(test)]
mod url_tests {
    use super::sqlite_synchronous;

    #[test]
    fn synchronous_parameter_is_ours() {
        assert_eq!(sqlite_synchronous("sqlite:///d/z.db").unwrap(), ("sqlite:///d/z.db".into(), false));
        assert_eq!(sqlite_synchronous("sqlite:///d/z.db?synchronous=FULL").unwrap(), ("sqlite:///d/z.db".into(), true));
        assert_eq!(
            sqlite_synchronous("sqlite:///d/z.db?mode=rwc&synchronous=normal").unwrap(),
            ("sqlite:///d/z.db?mode=rwc".into(), false)
        );
        assert!(sqlite_synchronous("sqlite:///d/z.db?synchronous=off").is_err(), "no setting that loses commits");
    }
}
