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
//!
//! No wait on the server is unbounded ([`PgLimits`]): opening a connection
//! (and checking an idle one), waiting for a free connection, and every
//! statement, whose answer is given up some time after the server's own
//! `statement_timeout` would have ended it. A server that vanished (a
//! network partition: no error, no answer) makes requests fail within those
//! bounds instead of hanging; the connections it held are dropped, and new
//! ones are opened once it answers again.

use crate::db::DbErr;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgDatabaseError, PgSeverity};
use sqlx::{ConnectOptions, Connection, Executor};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long after the server's `statement_timeout` a statement's answer is
/// still awaited before the connection is given up as unreachable.
const ANSWER_GRACE: Duration = Duration::from_secs(2);
/// An idle connection older than this is checked before it is handed out.
const CHECK_AFTER: Duration = Duration::from_secs(1);
/// An idle connection older than this is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);

/// The bounds of every wait on a PostgreSQL server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PgLimits {
    /// Opening a connection (TCP, TLS, authentication, its setup), and
    /// checking an idle one before it is lent.
    pub connect_timeout: Duration,
    /// Waiting for a free connection when all are in use.
    pub acquire_timeout: Duration,
    /// The server's `statement_timeout` on every connection; a statement
    /// not answered [`ANSWER_GRACE`] after it is given up by the program.
    pub statement_timeout: Duration,
    /// The server's TCP keepalive on every connection (`tcp_keepalives_idle`;
    /// probes every third of it, three unanswered end the session): a
    /// vanished app server's sessions end, and their locks are released.
    pub keepalive: Duration,
}

impl Default for PgLimits {
    fn default() -> PgLimits {
        PgLimits {
            connect_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
            keepalive: Duration::from_secs(60),
        }
    }
}

impl PgLimits {
    /// The statement that sets the server's side of the limits on a new
    /// connection (one round trip; the keepalive is ignored over a Unix socket).
    fn setup(&self) -> String {
        self.setup_with(self.statement_timeout.as_millis().max(1))
    }

    /// [`PgLimits::setup`] with the server's `statement_timeout` in
    /// milliseconds (0: none).
    fn setup_with(&self, statement_ms: u128) -> String {
        let idle = self.keepalive.as_secs().max(1);
        format!(
            "SELECT set_config('statement_timeout', '{statement_ms}', false), set_config('tcp_keepalives_idle', '{idle}', false), \
             set_config('tcp_keepalives_interval', '{}', false), set_config('tcp_keepalives_count', '3', false)",
            (idle / 3).max(1)
        )
    }

    /// How long the program awaits a statement's answer.
    fn answer_within(&self) -> Duration {
        self.statement_timeout + ANSWER_GRACE
    }
}

/// `op` (an operation on a leased connection), given up after `deadline`:
/// a [`Lease::settle`] of the timeout drops the connection.
pub(crate) async fn answer<T>(
    deadline: Option<Duration>,
    op: impl std::future::Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, sqlx::Error> {
    let Some(d) = deadline else { return op.await };
    tokio::time::timeout(d, op).await.unwrap_or_else(|_| {
        Err(sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("the database server did not answer within {} ms", d.as_millis()),
        )))
    })
}

#[derive(Clone)]
pub(crate) struct PgConns {
    inner: Arc<Inner>,
}

struct Inner {
    options: PgConnectOptions,
    /// Statements every new connection runs first.
    setup: Vec<String>,
    limits: PgLimits,
    idle: Mutex<Vec<(PgConnection, Instant)>>,
    permits: Arc<Semaphore>,
    closed: AtomicBool,
}

impl PgConns {
    /// A pool of at most `size` connections to `url`, each running `setup`
    /// (after the statements of `limits`) when opened. Opens one connection
    /// at once, so that a wrong URL fails here.
    pub(crate) async fn connect(
        url: &str,
        size: usize,
        setup: Vec<&'static str>,
        limits: PgLimits,
    ) -> Result<PgConns, DbErr> {
        let options: PgConnectOptions = url.parse().map_err(DbErr::from)?;
        let pool = PgConns {
            inner: Arc::new(Inner {
                options,
                setup: std::iter::once(limits.setup()).chain(setup.into_iter().map(str::to_string)).collect(),
                limits,
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

    /// A connection of its own, outside the pool (a backup's snapshot),
    /// opened within `connect_timeout` like the pool's, with the keepalive
    /// but without the server's statement limit: a snapshot reads whole
    /// tables in one statement each. Its user bounds every wait for an
    /// answer with [`PgConns::answer_within`] instead.
    pub(crate) async fn open_own(&self) -> Result<PgConnection, DbErr> {
        let limits = self.inner.limits;
        let open = async {
            let mut conn = self.inner.options.connect().await.map_err(DbErr::from)?;
            conn.execute(limits.setup_with(0).as_str()).await.map_err(DbErr::from)?;
            Ok::<_, DbErr>(conn)
        };
        tokio::time::timeout(limits.connect_timeout, open).await.map_err(|_| DbErr {
            msg: format!("the database server did not answer within {} ms", limits.connect_timeout.as_millis()),
            unique: false,
        })?
    }

    /// How long an answer of the server is awaited (the statement limit
    /// and the grace after it).
    pub(crate) fn answer_within(&self) -> Duration {
        self.inner.limits.answer_within()
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
        let limits = self.inner.limits;
        let permit = tokio::time::timeout(limits.acquire_timeout, self.inner.permits.clone().acquire_owned())
            .await
            .map_err(|_| DbErr { msg: "timed out waiting for a database connection".into(), unique: false })?
            .map_err(|_| closed())?;
        // Checking idle connections and opening a new one share one bound.
        let conn = tokio::time::timeout(limits.connect_timeout, self.open()).await.map_err(|_| {
            // The server did not answer: the other idle connections
            // would each wait for their check as long.
            self.inner.idle.lock().unwrap_or_else(|e| e.into_inner()).retain(|(_, s)| s.elapsed() <= CHECK_AFTER);
            DbErr {
                msg: format!("the database server did not answer within {} ms", limits.connect_timeout.as_millis()),
                unique: false,
            }
        })??;
        Ok(Lease::new(conn, self.inner.clone(), permit))
    }

    /// An idle connection that still answers, or a new one.
    async fn open(&self) -> Result<PgConnection, DbErr> {
        loop {
            let idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let Some((mut conn, since)) = idle else { break };
            if since.elapsed() > CHECK_AFTER && conn.ping().await.is_err() {
                continue;
            }
            return Ok(conn);
        }
        let mut conn = self.inner.options.connect().await.map_err(DbErr::from)?;
        for sql in &self.inner.setup {
            conn.execute(sql.as_str()).await.map_err(DbErr::from)?;
        }
        Ok(conn)
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
    deadline: Option<Duration>,
}

impl Lease {
    fn new(conn: PgConnection, inner: Arc<Inner>, permit: OwnedSemaphorePermit) -> Lease {
        let deadline = Some(inner.limits.answer_within());
        Lease { conn: Some(conn), inner, permit: Some(permit), busy: false, in_tx: false, deadline }
    }

    /// How long an operation on the connection may wait for the server's
    /// answer (see [`answer`]); `None` once [`Lease::unbounded`].
    pub(crate) fn deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// Lifts the statement limits for the transaction open on the
    /// connection (a migration, a restore: long statements of the
    /// program's own, run at start or by an operator).
    pub(crate) async fn unbounded(&mut self) -> Result<(), DbErr> {
        let r = answer(self.deadline, self.raw().execute("SET LOCAL statement_timeout = 0")).await;
        self.settle(r)?;
        self.deadline = None;
        Ok(())
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
        let r = answer(self.deadline, self.raw().execute("BEGIN")).await;
        self.settle(r)?;
        self.in_tx = true;
        Ok(())
    }

    pub(crate) async fn commit(&mut self) -> Result<(), DbErr> {
        let r = answer(self.deadline, self.raw().execute("COMMIT")).await;
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
            let within = inner.limits.answer_within();
            if matches!(tokio::time::timeout(within, conn.execute("ROLLBACK")).await, Ok(Ok(_))) {
                inner.give_back(conn);
            }
            drop(permit);
        });
    }
}
