//! The PostgreSQL connection pool.
//!
//! A connection goes back to the pool as it is when its last operation
//! finished, and is dropped when an operation on it was abandoned halfway
//! (its future dropped) or failed for a reason other than the database
//! refusing the statement: then its state is unknown. sqlx's own pool checks
//! every connection given back with a round trip instead (one more round
//! trip per statement run outside a transaction). A connection idle for
//! more than a second is checked before it is handed out, since the server
//! may have restarted meanwhile. A transaction dropped without its commit is
//! rolled back before its connection is reused.

use crate::db::DbErr;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgDatabaseError, PgSeverity};
use sqlx::{ConnectOptions, Connection, Executor};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a caller waits for a connection before giving up.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// An idle connection older than this is checked before it is handed out.
const CHECK_AFTER: Duration = Duration::from_secs(1);
/// An idle connection older than this is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Clone)]
pub(crate) struct PgConns {
    inner: Arc<Inner>,
}

struct Inner {
    options: PgConnectOptions,
    /// Statements every new connection runs first.
    setup: Vec<&'static str>,
    idle: Mutex<Vec<(PgConnection, Instant)>>,
    permits: Arc<Semaphore>,
    closed: AtomicBool,
}

impl PgConns {
    /// A pool of at most `size` connections to `url`, each running `setup` when opened.
    /// Opens one connection at once, so that a wrong URL fails here.
    pub(crate) async fn connect(url: &str, size: usize, setup: Vec<&'static str>) -> Result<PgConns, DbErr> {
        let options: PgConnectOptions = url.parse().map_err(DbErr::from)?;
        let pool = PgConns {
            inner: Arc::new(Inner {
                options,
                setup,
                idle: Mutex::new(vec![]),
                permits: Arc::new(Semaphore::new(size)),
                closed: AtomicBool::new(false),
            }),
        };
        let first = pool.acquire().await?;
        drop(first);
        Ok(pool)
    }

    pub(crate) fn connect_options(&self) -> &PgConnectOptions {
        &self.inner.options
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::SeqCst)
    }

    /// A connection, waiting for one to be free if all are in use.
    pub(crate) async fn acquire(&self) -> Result<Lease, DbErr> {
        let closed = || DbErr { msg: "the database connection pool is closed".into(), unique: false };
        if self.is_closed() {
            return Err(closed());
        }
        let permit = tokio::time::timeout(ACQUIRE_TIMEOUT, self.inner.permits.clone().acquire_owned())
            .await
            .map_err(|_| DbErr { msg: "timed out waiting for a database connection".into(), unique: false })?
            .map_err(|_| closed())?;
        loop {
            let idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let Some((mut conn, since)) = idle else { break };
            if since.elapsed() > CHECK_AFTER && conn.ping().await.is_err() {
                continue;
            }
            return Ok(Lease::new(conn, self.inner.clone(), permit));
        }
        let mut conn = self.inner.options.connect().await.map_err(DbErr::from)?;
        for sql in &self.inner.setup {
            conn.execute(*sql).await.map_err(DbErr::from)?;
        }
        Ok(Lease::new(conn, self.inner.clone(), permit))
    }

    /// Closes the idle connections and refuses new leases; connections in
    /// use are closed when given back.
    pub(crate) async fn close(&self) {
        self.inner.closed.store(true, Ordering::SeqCst);
        self.inner.permits.close();
        let idle: Vec<_> = std::mem::take(&mut *self.inner.idle.lock().unwrap_or_else(|e| e.into_inner()));
        for (conn, _) in idle {
            let _ = conn.close().await;
        }
    }
}

impl Inner {
    fn give_back(&self, conn: PgConnection) {
        if self.closed.load(Ordering::SeqCst) {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.retain(|(_, since)| since.elapsed() < IDLE_TIMEOUT);
        idle.push((conn, Instant::now()));
    }
}

/// A connection lent by the pool; given back when dropped.
pub(crate) struct Lease {
    conn: Option<PgConnection>,
    inner: Arc<Inner>,
    permit: Option<OwnedSemaphorePermit>,
    /// An operation started on the connection has not finished.
    busy: bool,
    /// A transaction is open on it.
    in_tx: bool,
}

impl Lease {
    fn new(conn: PgConnection, inner: Arc<Inner>, permit: OwnedSemaphorePermit) -> Lease {
        Lease { conn: Some(conn), inner, permit: Some(permit), busy: false, in_tx: false }
    }

    /// The connection, for one operation whose result goes to [`Lease::settle`].
    pub(crate) fn raw(&mut self) -> &mut PgConnection {
        self.busy = true;
        self.conn.as_mut().expect("a lease holds its connection until dropped")
    }

    /// Records how the operation begun with [`Lease::raw`] ended: a
    /// statement the database refused leaves the connection usable, unless
    /// the refusal ended the session (FATAL, as when the server shuts down
    /// or an administrator terminates it); anything else (a broken
    /// connection, a protocol error) does not.
    pub(crate) fn settle<T>(&mut self, r: Result<T, sqlx::Error>) -> Result<T, DbErr> {
        let usable = match &r {
            Ok(_) | Err(sqlx::Error::RowNotFound) => true,
            Err(sqlx::Error::Database(e)) => e
                .try_downcast_ref::<PgDatabaseError>()
                .is_some_and(|e| !matches!(e.severity(), PgSeverity::Fatal | PgSeverity::Panic)),
            Err(_) => false,
        };
        if usable {
            self.busy = false;
        }
        r.map_err(DbErr::from)
    }

    pub(crate) async fn begin(&mut self) -> Result<(), DbErr> {
        let r = self.raw().execute("BEGIN").await;
        self.settle(r)?;
        self.in_tx = true;
        Ok(())
    }

    pub(crate) async fn commit(&mut self) -> Result<(), DbErr> {
        let r = self.raw().execute("COMMIT").await;
        self.settle(r)?;
        self.in_tx = false;
        Ok(())
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let (Some(mut conn), Some(permit)) = (self.conn.take(), self.permit.take()) else { return };
        if self.busy {
            // Abandoned halfway: its state is unknown.
            return;
        }
        if !self.in_tx {
            self.inner.give_back(conn);
            return;
        }
        // Dropped without its commit: rolled back before reuse, the
        // connection still counted against the pool until then.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let inner = self.inner.clone();
        runtime.spawn(async move {
            if conn.execute("ROLLBACK").await.is_ok() {
                inner.give_back(conn);
            }
            drop(permit);
        });
    }
}
