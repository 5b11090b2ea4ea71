//! Group commit for the SQLite writer. Every write transaction runs on the
//! one writer connection, inside a savepoint of an outer transaction (a
//! group). When a transaction commits while other writers wait, it releases
//! its savepoint and hands the connection to the next one, and its caller
//! waits until the group commits; the last one of a group (no writer
//! waiting, or the group full) commits it for all. A commit returns only
//! once its group is committed, so nothing acknowledged can be lost; the
//! pages that every transaction touches (the trail's last page, the right
//! edges of indexes, a case page) are written to the WAL once per group
//! instead of once per transaction.
//!
//! A transaction dropped without commit rolls back to its savepoint and
//! leaves the group's others intact. An error that undoes the whole outer
//! transaction (SQLite does so on a full disk or an I/O error) or a failed
//! group commit fails every transaction of the group.

use crate::db::DbErr;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Transactions in one group at most (bounds the wait of its first one).
const MAX_GROUP: usize = 32;

/// How long a waiting member trusts the group to be committed by another
/// before it takes the writer and commits it itself (the writer it handed
/// over to may have given up waiting).
const TAKE_OVER_AFTER: std::time::Duration = std::time::Duration::from_millis(50);

static GROUPS: AtomicU64 = AtomicU64::new(0);
static GROUPED: AtomicU64 = AtomicU64::new(0);
static PAGES: AtomicU64 = AtomicU64::new(0);

/// Since the program started: the groups committed, the transactions in
/// them and the pages their commits wrote to the WAL.
pub fn stats() -> (u64, u64, u64) {
    (GROUPS.load(Ordering::Relaxed), GROUPED.load(Ordering::Relaxed), PAGES.load(Ordering::Relaxed))
}

/// Pages the connection wrote since the last call (SQLite's count of dirty
/// cache pages written, reset by the call).
fn pages_written(conn: &rusqlite::Connection) -> u64 {
    let (mut now, mut high) = (0, 0);
    // SAFETY: the handle is the open connection's, used on this thread only
    // while it is borrowed; the call only reads and resets a counter.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_db_status(
            conn.handle(),
            rusqlite::ffi::SQLITE_DBSTATUS_CACHE_WRITE,
            &mut now,
            &mut high,
            1,
        )
    };
    if rc == rusqlite::ffi::SQLITE_OK {
        u64::try_from(now).unwrap_or(0)
    } else {
        0
    }
}

/// The writer connection and the group it has open.
pub(crate) struct Writer {
    pub(crate) conn: rusqlite::Connection,
    /// The number of the group open (or last open) on the connection.
    gid: u64,
    /// Transactions released into the open group.
    members: usize,
    /// The audit chain's head (seq, hash) as the open group's members left
    /// it, once one of them read it: each record of the group is chained on
    /// it in memory, and the head row is written once, when the group
    /// commits (`dirty`). Read again in every group, since another program
    /// (the command line) may have written the file in between.
    pub(crate) audit_head: Option<(i64, String)>,
    pub(crate) audit_dirty: bool,
}

pub(crate) struct Group {
    writer: Arc<Mutex<Writer>>,
    /// Writers waiting for the connection.
    waiting: AtomicUsize,
    /// The highest group number ended (committed or failed).
    done: tokio::sync::watch::Sender<u64>,
    /// Recent groups that failed, with why.
    failed: std::sync::Mutex<BTreeMap<u64, String>>,
}

/// One write transaction: a savepoint in the open group.
pub(crate) struct Member {
    w: Option<OwnedMutexGuard<Writer>>,
    gid: u64,
    group: Arc<Group>,
    /// The audit head when the transaction began (restored if it rolls back).
    head_at_begin: (Option<(i64, String)>, bool),
}

fn err(msg: impl Into<String>) -> DbErr {
    DbErr { msg: msg.into(), unique: false }
}

/// Runs a statement that begins or ends a transaction or a savepoint,
/// prepared once (parsed again at every transaction, they cost 1-3 % of the
/// case lifecycle on SQLite).
fn run(conn: &rusqlite::Connection, sql: &str) -> Result<(), DbErr> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

impl Group {
    pub(crate) fn new(conn: rusqlite::Connection) -> Arc<Group> {
        Arc::new(Group {
            writer: Arc::new(Mutex::new(Writer { conn, gid: 0, members: 0, audit_head: None, audit_dirty: false })),
            waiting: AtomicUsize::new(0),
            done: tokio::sync::watch::channel(0).0,
            failed: std::sync::Mutex::new(BTreeMap::new()),
        })
    }

    /// The writer, counted among those waiting until it is ours.
    async fn lock(&self) -> OwnedMutexGuard<Writer> {
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let _waiting = Waiting(&self.waiting);
        self.writer.clone().lock_owned().await
    }

    /// Starts a write transaction (joining the open group, or opening one).
    pub(crate) async fn begin(self: &Arc<Self>) -> Result<Member, DbErr> {
        let mut w = self.lock().await;
        if w.conn.is_autocommit() {
            run(&w.conn, "BEGIN IMMEDIATE")?;
            w.gid += 1;
            w.members = 0;
            w.audit_head = None;
            w.audit_dirty = false;
        }
        if let Err(e) = run(&w.conn, "SAVEPOINT zwfw_tx") {
            self.leave(w);
            return Err(e);
        }
        let gid = w.gid;
        let head_at_begin = (w.audit_head.clone(), w.audit_dirty);
        Ok(Member { w: Some(w), gid, group: self.clone(), head_at_begin })
    }

    /// Runs a change outside any transaction (after committing the open group).
    pub(crate) async fn outside<R>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<R, DbErr>,
    ) -> Result<R, DbErr> {
        let mut w = self.lock().await;
        if !w.conn.is_autocommit() {
            self.finish(&mut w)?;
        }
        f(&w.conn)
    }

    /// Ends the open group: commits what its members released (an empty
    /// group just rolls back) and tells them.
    fn finish(&self, w: &mut Writer) -> Result<(), DbErr> {
        let head = match (&w.audit_head, w.audit_dirty && w.members > 0) {
            (Some((seq, hash)), true) => w
                .conn
                .execute("UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1", rusqlite::params![seq, hash])
                .map(|_| ())
                .map_err(DbErr::from),
            _ => Ok(()),
        };
        (w.audit_head, w.audit_dirty) = (None, false);
        let r = head.and_then(|()| run(&w.conn, if w.members == 0 { "ROLLBACK" } else { "COMMIT" }));
        if r.is_ok() && w.members > 0 {
            GROUPS.fetch_add(1, Ordering::Relaxed);
            GROUPED.fetch_add(w.members as u64, Ordering::Relaxed);
            PAGES.fetch_add(pages_written(&w.conn), Ordering::Relaxed);
        }
        if r.is_err() && !w.conn.is_autocommit() {
            if let Err(e) = w.conn.execute_batch("ROLLBACK") {
                tracing::error!(error = %e, "rollback of a failed group failed");
            }
        }
        self.end(w.gid, r.as_ref().err().map(|e| e.msg.clone()));
        w.members = 0;
        r
    }

    /// Records that group `gid` ended, failed with `failure` if any.
    fn end(&self, gid: u64, failure: Option<String>) {
        if let Some(f) = failure {
            let mut failed = self.failed.lock().unwrap_or_else(|p| p.into_inner());
            failed.insert(gid, f);
            while failed.len() > 1024 {
                failed.pop_first();
            }
        }
        self.done.send_if_modified(|d| {
            let newer = gid > *d;
            *d = (*d).max(gid);
            newer
        });
    }

    /// Gives the writer up: to the next writer waiting (the group goes on),
    /// or, with nobody waiting or the group full, after ending the group.
    fn leave(&self, mut w: OwnedMutexGuard<Writer>) {
        if w.conn.is_autocommit() {
            return;
        }
        if self.waiting.load(Ordering::SeqCst) == 0 || w.members >= MAX_GROUP {
            // Its members hear the outcome; this caller has nothing in it.
            let _ = self.finish(&mut w);
        }
    }

    /// Waits until group `gid` ended; its outcome.
    async fn wait(&self, gid: u64) -> Result<(), DbErr> {
        let mut done = self.done.subscribe();
        loop {
            if *done.borrow_and_update() >= gid {
                let failed = self.failed.lock().unwrap_or_else(|p| p.into_inner());
                return match failed.get(&gid) {
                    Some(e) => Err(err(format!("group commit failed: {e}"))),
                    None => Ok(()),
                };
            }
            if tokio::time::timeout(TAKE_OVER_AFTER, done.changed()).await.is_err() {
                // Holding the writer, nobody is inside a transaction: the
                // group, if still open, can be committed here.
                let mut w = self.writer.clone().lock_owned().await;
                if w.gid == gid && !w.conn.is_autocommit() {
                    let _ = self.finish(&mut w);
                }
            }
        }
    }
}

impl Member {
    pub(crate) fn conn(&self) -> &rusqlite::Connection {
        &self.w.as_ref().expect("an open transaction holds the writer").conn
    }

    pub(crate) fn writer(&mut self) -> &mut Writer {
        self.w.as_mut().expect("an open transaction holds the writer")
    }

    /// Commits: returns once the transaction's group is committed.
    pub(crate) async fn commit(mut self) -> Result<(), DbErr> {
        let mut w = self.w.take().expect("an open transaction holds the writer");
        if let Err(e) = run(&w.conn, "RELEASE zwfw_tx") {
            // Still inside its savepoint: dropping rolls back to it.
            self.w = Some(w);
            return Err(e);
        }
        let group = self.group.clone();
        if w.conn.is_autocommit() {
            group.end(self.gid, Some("the transaction was rolled back".into()));
            return Err(err("the transaction was rolled back"));
        }
        w.members += 1;
        if group.waiting.load(Ordering::SeqCst) == 0 && w.members < MAX_GROUP {
            // Before committing the group with nobody waiting, let the tasks
            // ready on this thread run once: a writer about to begin joins
            // the group instead of opening the next (groups of 15 instead of
            // 9 at 16 clients; the commit waits microseconds).
            tokio::task::yield_now().await;
        }
        if group.waiting.load(Ordering::SeqCst) > 0 && w.members < MAX_GROUP {
            drop(w);
            group.wait(self.gid).await
        } else {
            let r = group.finish(&mut w);
            drop(w);
            // The next writer (woken on this thread) runs while this task's
            // caller goes on elsewhere.
            tokio::task::yield_now().await;
            r
        }
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        let Some(mut w) = self.w.take() else { return };
        (w.audit_head, w.audit_dirty) = std::mem::take(&mut self.head_at_begin);
        if !w.conn.is_autocommit() {
            if let Err(e) = w.conn.execute_batch("ROLLBACK TO zwfw_tx; RELEASE zwfw_tx") {
                tracing::error!(error = %e, "rollback failed");
                let _ = w.conn.execute_batch("ROLLBACK");
            }
        }
        if w.conn.is_autocommit() {
            // The whole group was undone: its other members fail.
            self.group.end(self.gid, Some("the group was rolled back".into()));
            w.members = 0;
            (w.audit_head, w.audit_dirty) = (None, false);
            return;
        }
        self.group.leave(w);
    }
}
