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
