//! Persistence of zwfw. One schema and one set of queries for SQLite (the
//! embedded default, in-process through rusqlite) and PostgreSQL (through
//! sqlx), behind the small query interface of [`db`]. Business rules are
//! decided in `zwfw-domain`; this crate only remembers.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod backfill;
pub mod backup;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod ceiling;
pub mod certificates;
pub mod credit;
pub mod db;
pub mod evaluation;
pub mod exchange;
pub mod faults;
pub mod files;
pub mod governance;
pub mod group;
pub mod guards;
pub mod handover;
pub mod interaction;
pub mod licenses;
pub mod limits;
mod migrate;
pub mod notices;
pub mod outbox;
mod pgpool;
pub mod rating;
mod recent;
pub mod registry;
pub mod scratch;
pub mod settings;
pub mod supervision;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

use db::{DbErr, Ex, Native, Row, Value};
use std::sync::Arc;
use thiserror::Error;
use zwfw_domain::DomainError;

pub use migrate::MIGRATIONS;
pub use pgpool::PgLimits;

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
    Db(#[from] DbErr),
    #[error("unsupported database URL (use sqlite://… or postgres://…): {0}")]
    UnsupportedUrl(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Maps a database unique violation to `Duplicate(field)`.
    pub fn unique_as(e: DbErr, field: &'static str) -> StoreError {
        if e.unique {
            return StoreError::Duplicate(field);
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
    engine: Engine,
    backend: Backend,
    /// The case rows this process wrote last (see `recent`).
    recent: Arc<recent::RecentCases>,
    /// The transactions that wrote audit records committed here (see [`Store::trail_commits`]).
    trail: Arc<std::sync::atomic::AtomicU64>,
}

#[derive(Clone)]
enum Engine {
    Sqlite(Arc<Native>),
    Postgres(Arc<Pg>),
}

/// A PostgreSQL store: the pool, and the signal that wakes the audit sealer.
/// Connections for taking serial numbers on PostgreSQL (each take is one
/// short statement, so a few serve every writer of the process).
const SERIAL_CONNECTIONS: usize = 4;

struct Pg {
    pool: pgpool::PgConns,
    /// A few connections whose commits do not wait for the WAL's flush,
    /// for taking the next number of a serial ([`cases::take_number`]).
    serials: pgpool::PgConns,
    seal: Arc<tokio::sync::Notify>,
    /// Whether the sealer runs (started once the schema is there, by `migrate`).
    sealing: std::sync::atomic::AtomicBool,
}

/// A write transaction. Dropped without `commit`, it rolls back.
pub struct Tx {
    inner: TxInner,
    recent: Arc<recent::RecentCases>,
    /// Whether it wrote audit records: its commit is counted in `trail`,
    /// and on PostgreSQL the sealer is woken after it.
    audited: bool,
    trail: Arc<std::sync::atomic::AtomicU64>,
}

enum TxInner {
    /// SQLite: the single writer connection, held for the whole transaction
    /// (a savepoint in a group of transactions committed together).
    Sqlite(group::Member),
    Postgres {
        tx: pgpool::Lease,
        seal: Arc<tokio::sync::Notify>,
    },
    /// Committed.
    Done,
}

pub(crate) enum TxEngine<'a> {
    Sqlite(&'a rusqlite::Connection),
    Pg(&'a mut pgpool::Lease),
}

impl Tx {
    /// Whether the transaction already excludes every other writer (SQLite),
    /// so that row locks are not needed.
    pub fn is_exclusive(&self) -> bool {
        matches!(self.inner, TxInner::Sqlite(_))
    }

    pub async fn commit(mut self) -> StoreResult<()> {
        let trail = self.audited.then(|| self.trail.clone());
        match &mut self.inner {
            TxInner::Sqlite(_) => {
                let TxInner::Sqlite(m) = std::mem::replace(&mut self.inner, TxInner::Done) else { unreachable!() };
                m.commit().await?;
            }
            TxInner::Postgres { .. } => {
                let TxInner::Postgres { mut tx, seal } = std::mem::replace(&mut self.inner, TxInner::Done) else {
                    unreachable!()
                };
                tx.commit().await?;
                if self.audited {
                    seal.notify_one();
                }
            }
            TxInner::Done => {}
        }
        if let Some(t) = trail {
            t.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(())
    }

    pub(crate) fn engine(&mut self) -> TxEngine<'_> {
        match &mut self.inner {
            TxInner::Sqlite(m) => TxEngine::Sqlite(m.conn()),
            TxInner::Postgres { tx, .. } => TxEngine::Pg(tx),
            TxInner::Done => unreachable!("a committed transaction is consumed"),
        }
    }

    /// The SQLite writer's cached audit head (see `group::Writer::audit_head`).
    pub(crate) fn sqlite_writer(&mut self) -> Option<&mut group::Writer> {
        match &mut self.inner {
            TxInner::Sqlite(m) => Some(m.writer()),
            _ => None,
        }
    }

    /// Notes that the transaction wrote audit records (for the sealer on
    /// PostgreSQL, and [`Store::trail_commits`] on both).
    pub(crate) fn audited(&mut self) {
        self.audited = true;
    }

    /// Lifts the statement limits of [`PgLimits`] for this transaction (a
    /// migration, a restore: the program's own long statements).
    pub(crate) async fn unbounded(&mut self) -> StoreResult<()> {
        if let TxInner::Postgres { tx, .. } = &mut self.inner {
            tx.unbounded().await?;
        }
        Ok(())
    }

    /// Where a query inside this transaction runs.
    pub fn conn(&mut self) -> Ex<'_> {
        Ex::Tx(self)
    }
}

/// Splits the `synchronous=normal|full` parameter off a SQLite URL (it is
/// ours, not the driver's). NORMAL (the default) in WAL mode loses nothing
/// when the process is killed; a power cut or an operating-system crash may
/// lose the transactions committed since the last WAL sync, never the
/// database's consistency. FULL syncs the WAL at every commit.
fn sqlite_synchronous(url: &str) -> StoreResult<(String, bool)> {
    let (url, v) = take_param(url, "synchronous", &["normal", "full"])?;
    Ok((url, v.as_deref() == Some("full")))
}

/// Takes parameter `name` (one of `allowed`, any case) off a URL's query:
/// the URL without it, and its value in lower case.
fn take_param(url: &str, name: &str, allowed: &[&str]) -> StoreResult<(String, Option<String>)> {
    let Some((base, query)) = url.split_once('?') else { return Ok((url.to_string(), None)) };
    let mut value = None;
    let mut rest = vec![];
    for p in query.split('&').filter(|p| !p.is_empty()) {
        match p.split_once('=') {
            Some((k, v)) if k == name => {
                let v = v.to_ascii_lowercase();
                if !allowed.contains(&v.as_str()) {
                    return Err(StoreError::UnsupportedUrl(format!("{name}={v} (use {})", allowed.join(" or "))));
                }
                value = Some(v);
            }
            _ => rest.push(p),
        }
    }
    Ok((if rest.is_empty() { base.to_string() } else { format!("{base}?{}", rest.join("&")) }, value))
}

/// Splits the `synchronous_commit=on|off` parameter off a PostgreSQL URL
/// (ours, set on every connection of the pool). `on` (the default) waits at
/// each commit until the server has flushed its WAL. `off` returns before:
/// a killed app process loses nothing (the server has the commit), a
/// crash of the database server or a power cut may lose the transactions
/// of its last moments (at most three times `wal_writer_delay`, 0.6 s by
/// default), never the database's consistency — the same bargain as
/// SQLite's NORMAL. Returns the URL without it and whether commits are asynchronous.
fn pg_synchronous_commit(url: &str) -> StoreResult<(String, bool)> {
    let (url, v) = take_param(url, "synchronous_commit", &["on", "off"])?;
    Ok((url, v.as_deref() == Some("off")))
}

/// The file of a `sqlite://path` (or `sqlite:path`) URL; other parameters
/// (`mode=rwc`) are the file's defaults here: it is created when missing.
fn sqlite_path(url: &str) -> StoreResult<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    let path = rest.split_once('?').map(|(p, _)| p).unwrap_or(rest);
    if path.is_empty() || path.starts_with(":memory:") {
        return Err(StoreError::UnsupportedUrl(format!("{url} (a SQLite database must be a file)")));
    }
    Ok(std::path::PathBuf::from(path))
}

/// The program's PostgreSQL connections (besides those that take serial
/// numbers): a transaction must not take a second one while it holds its
/// own, or under load every connection may wait for its locks.
pub const PG_CONNECTIONS: usize = 16;

impl Store {
    /// Connects to `url` (`sqlite://path` or `postgres://…`). For SQLite the
    /// file is created if missing. Does not run migrations.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        Store::connect_with(url, PgLimits::default()).await
    }

    /// [`Store::connect`], with the bounds of every wait on a PostgreSQL
    /// server (unused on SQLite).
    pub async fn connect_with(url: &str, limits: PgLimits) -> StoreResult<Store> {
        if url.starts_with("sqlite:") {
            let (url, sync) = sqlite_synchronous(url)?;
            let path = sqlite_path(&url)?;
            let native = Native::open(path, sync)?;
            return Ok(Store {
                engine: Engine::Sqlite(Arc::new(native)),
                backend: Backend::Sqlite,
                recent: Arc::default(),
                trail: Arc::default(),
            });
        }
        if !(url.starts_with("postgres:") || url.starts_with("postgresql:")) {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        }
        let (url, asynchronous) = pg_synchronous_commit(url)?;
        // Every connection says it is the program's, so that the guards of
        // migration 0016 tell its changes from those made around it.
        let mut setup = vec![crate::guards::PROGRAM_MARK];
        if asynchronous {
            setup.push("SET synchronous_commit = off");
        }
        let pool = pgpool::PgConns::connect(&url, PG_CONNECTIONS, setup, limits).await?;
        let serials = pgpool::PgConns::connect(
            &url,
            SERIAL_CONNECTIONS,
            vec![crate::guards::PROGRAM_MARK, "SET synchronous_commit = off"],
            limits,
        )
        .await?;
        let pg = Arc::new(Pg {
            pool,
            serials,
            seal: Arc::new(tokio::sync::Notify::new()),
            sealing: std::sync::atomic::AtomicBool::new(false),
        });
        Ok(Store {
            engine: Engine::Postgres(pg),
            backend: Backend::Postgres,
            recent: Arc::default(),
            trail: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Where a query outside a transaction runs.
    pub fn pool(&self) -> Ex<'_> {
        Ex::Store(self)
    }

    pub(crate) fn pg_pool(&self) -> Option<&pgpool::PgConns> {
        match &self.engine {
            Engine::Postgres(p) => Some(&p.pool),
            Engine::Sqlite(_) => None,
        }
    }

    /// The connections serials are taken on (PostgreSQL).
    pub(crate) fn pg_serials(&self) -> Option<&pgpool::PgConns> {
        match &self.engine {
            Engine::Postgres(p) => Some(&p.serials),
            Engine::Sqlite(_) => None,
        }
    }

    /// Counts a commit outside a `Tx` that wrote audit records, and wakes
    /// the audit sealer (PostgreSQL).
    pub(crate) fn audited(&self) {
        self.trail.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Engine::Postgres(p) = &self.engine {
            p.seal.notify_one();
        }
    }

    /// How many transactions that wrote audit records this process has
    /// committed so far. It only grows: a reader of what is derived from the
    /// audit trail who took it before deriving knows that everything this
    /// process committed before was there to be derived.
    pub fn trail_commits(&self) -> u64 {
        self.trail.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub(crate) fn native(&self) -> &Native {
        match &self.engine {
            Engine::Sqlite(n) => n,
            Engine::Postgres(_) => unreachable!("only SQLite stores are native"),
        }
    }

    /// Applies every embedded migration not yet applied.
    /// On PostgreSQL it then starts the audit sealer (see [`audit::seal`]).
    pub async fn migrate(&self) -> StoreResult<Vec<i64>> {
        let applied = migrate::run(self).await?;
        if let Engine::Postgres(p) = &self.engine {
            if !p.sealing.swap(true, std::sync::atomic::Ordering::SeqCst) {
                tokio::spawn(audit::sealer(Arc::downgrade(&p.seal), p.pool.clone()));
            }
        }
        Ok(applied)
    }

    /// Starts a write transaction. On SQLite it takes the write lock at the
    /// start (BEGIN IMMEDIATE), so that a read followed by a write cannot
    /// fail on a stale snapshot, and writers queue here.
    pub async fn begin(&self) -> StoreResult<Tx> {
        match &self.engine {
            Engine::Sqlite(n) => Ok(Tx {
                inner: TxInner::Sqlite(n.group.begin().await?),
                recent: self.recent.clone(),
                audited: false,
                trail: self.trail.clone(),
            }),
            Engine::Postgres(p) => Ok(Tx {
                inner: TxInner::Postgres {
                    tx: {
                        let mut lease = p.pool.acquire().await?;
                        lease.begin().await?;
                        lease
                    },
                    seal: p.seal.clone(),
                },
                recent: self.recent.clone(),
                audited: false,
                trail: self.trail.clone(),
            }),
        }
    }

    /// Readiness probe: the database answers a trivial query.
    pub async fn ping(&self) -> StoreResult<()> {
        db::query("SELECT 1").fetch_one(self.pool()).await?;
        Ok(())
    }

    /// Refreshes the planner's statistics (and on PostgreSQL the visibility
    /// map) after a bulk load, as autovacuum would in time.
    pub async fn analyze(&self) -> StoreResult<()> {
        let sql = match self.backend {
            Backend::Postgres => "VACUUM ANALYZE",
            Backend::Sqlite => "ANALYZE",
        };
        db::query(sql).execute(self.pool()).await?;
        Ok(())
    }

    /// Whether the store was closed (its background work stops).
    pub fn is_closed(&self) -> bool {
        match &self.engine {
            Engine::Sqlite(n) => n.is_closed(),
            Engine::Postgres(p) => p.pool.is_closed(),
        }
    }

    pub async fn close(&self) {
        match &self.engine {
            Engine::Sqlite(n) => n.close(),
            Engine::Postgres(p) => {
                p.pool.close().await;
                p.serials.close().await;
            }
        }
    }
}

/// Small helpers for reading rows.
pub(crate) trait RowExt {
    fn i64(&self, c: &str) -> i64;
    fn opt_i64(&self, c: &str) -> Option<i64>;
    fn str(&self, c: &str) -> String;
    fn opt_str(&self, c: &str) -> Option<String>;
    fn flag(&self, c: &str) -> bool {
        self.i64(c) != 0
    }
}

impl RowExt for Row {
    fn i64(&self, c: &str) -> i64 {
        self.opt_i64(c).unwrap_or_default()
    }
    fn opt_i64(&self, c: &str) -> Option<i64> {
        match self.value(c)? {
            Value::Int(i) => Some(*i),
            Value::Real(f) => Some(*f as i64),
            _ => None,
        }
    }
    fn str(&self, c: &str) -> String {
        self.opt_str(c).unwrap_or_default()
    }
    fn opt_str(&self, c: &str) -> Option<String> {
        match self.value(c)? {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

/// Locks a row of `table` against other writers until the transaction ends
/// (PostgreSQL; a SQLite write transaction already excludes every other writer).
pub(crate) async fn lock_row(tx: &mut Tx, table: &'static str, id: i64) -> StoreResult<()> {
    if !tx.is_exclusive() {
        db::query(format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE")).bind(id).execute(tx.conn()).await?;
    }
    Ok(())
}

pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

#[cfg(test)]
mod url_tests {
    use super::{pg_synchronous_commit, sqlite_synchronous};

    #[test]
    fn synchronous_commit_parameter_is_ours() {
        let u = "postgres://u@h/db";
        assert_eq!(pg_synchronous_commit(u).unwrap(), (u.into(), false));
        assert_eq!(pg_synchronous_commit("postgres://u@h/db?synchronous_commit=off").unwrap(), (u.into(), true));
        assert_eq!(
            pg_synchronous_commit("postgres://u@h/db?sslmode=disable&synchronous_commit=ON").unwrap(),
            ("postgres://u@h/db?sslmode=disable".into(), false)
        );
        assert!(pg_synchronous_commit("postgres://u@h/db?synchronous_commit=local").is_err());
    }

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
