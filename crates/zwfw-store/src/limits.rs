//! The counters behind the limits kept per client address or per number
//! (`rate_failures`) and the tracking codes asked for strangers
//! (`track_phantoms`): in the database, so that every app server of one
//! database enforces one limit.

use crate::db::query;
use crate::{RowExt, Store, StoreResult};

/// Whether any of `keys` has `max` failures or more in a window that began
/// after `since` (a window still open).
pub async fn reached(store: &Store, keys: &[String], since: i64, max: i64) -> StoreResult<bool> {
    for key in keys {
        let r = query("SELECT failures FROM rate_failures WHERE key = $1 AND window_start > $2")
            .bind(key.as_str())
            .bind(since)
            .fetch_optional(store.pool())
            .await?;
        if r.is_some_and(|r| r.i64("failures") >= max) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Counts a failure against each of `keys` at `now`: a key whose window
/// began at or before `since` (ended) starts a new one. When one starts,
/// the windows that ended are removed (a statement of its own, after the
/// count is committed).
pub async fn count_failure(store: &Store, keys: &[String], now: i64, since: i64) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let mut started = false;
    for key in keys {
        let r = query(
            "INSERT INTO rate_failures (key, window_start, failures) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
             failures = CASE WHEN rate_failures.window_start <= $3 THEN 1 ELSE rate_failures.failures + 1 END, \
             window_start = CASE WHEN rate_failures.window_start <= $3 THEN excluded.window_start ELSE rate_failures.window_start END \
             RETURNING failures",
        )
        .bind(key.as_str())
        .bind(now)
        .bind(since)
        .fetch_one(tx.conn())
        .await?;
        started |= r.i64("failures") == 1;
    }
    tx.commit().await?;
    if started {
        query("DELETE FROM rate_failures WHERE window_start <= $1").bind(since).execute(store.pool()).await?;
    }
    Ok(())
}

/// The code asked for `key` after `since` that no case gave: (when asked,
/// wrong tries).
pub async fn phantom(store: &Store, key: &str, since: i64) -> StoreResult<Option<(i64, i64)>> {
    let r = query("SELECT asked_at, tries FROM track_phantoms WHERE key = $1 AND asked_at > $2")
        .bind(key)
        .bind(since)
        .fetch_optional(store.pool())
        .await?;
    Ok(r.map(|r| (r.i64("asked_at"), r.i64("tries"))))
}

/// Notes a code asked at `now` for `key` that no case gave (no wrong try
/// yet); then those asked at or before `since` are removed.
pub async fn put_phantom(store: &Store, key: &str, now: i64, since: i64) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    query(
        "INSERT INTO track_phantoms (key, asked_at, tries) VALUES ($1, $2, 0) \
         ON CONFLICT (key) DO UPDATE SET asked_at = excluded.asked_at, tries = 0",
    )
    .bind(key)
    .bind(now)
    .execute(tx.conn())
    .await?;
    tx.commit().await?;
    query("DELETE FROM track_phantoms WHERE asked_at <= $1").bind(since).execute(store.pool()).await?;
    Ok(())
}

/// Counts a wrong try of the code asked for `key`.
pub async fn phantom_tried(store: &Store, key: &str) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    query("UPDATE track_phantoms SET tries = tries + 1 WHERE key = $1").bind(key).execute(tx.conn()).await?;
    tx.commit().await?;
    Ok(())
}
