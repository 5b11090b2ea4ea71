//! Key/value settings shared by every app server (e.g. the demo clock offset).

use crate::{RowExt, Store, StoreResult, Tx};

pub const CLOCK_OFFSET_MS: &str = "clock_offset_ms";

pub async fn get(store: &Store, key: &str) -> StoreResult<Option<String>> {
    let row =
        crate::db::query("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(store.pool()).await?;
    Ok(row.map(|r| r.str("value")))
}

pub async fn put(tx: &mut Tx, key: &str, value: &str, now_ms: i64) -> StoreResult<()> {
    crate::db::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(value)
    .bind(now_ms)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Keeps `value` under `key` unless the key holds one already; answers
/// whether it was kept (of several writers at once, the first is).
pub async fn put_new(tx: &mut Tx, key: &str, value: &str, now_ms: i64) -> StoreResult<bool> {
    let r = crate::db::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .bind(value)
    .bind(now_ms)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Adds one to the whole number kept under `key` (0 when absent) inside the
/// transaction, and returns the new number. Two transactions bumping at once
/// take turns on the row, so every commit gets its own number.
pub async fn bump(tx: &mut Tx, key: &str, now_ms: i64) -> StoreResult<i64> {
    let row = crate::db::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, '1', $2) \
         ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(settings.value AS BIGINT) + 1 AS TEXT), \
         updated_at = excluded.updated_at RETURNING value",
    )
    .bind(key)
    .bind(now_ms)
    .fetch_one(tx.conn())
    .await?;
    Ok(row.str("value").parse().unwrap_or(0))
}

/// The whole number kept under `key`, 0 when absent.
pub async fn number(store: &Store, key: &str) -> StoreResult<i64> {
    Ok(get(store, key).await?.and_then(|v| v.parse().ok()).unwrap_or(0))
}
