//! Sessions, stored in the database so that several app servers share them.

use crate::db::Row;
use crate::{flag, RowExt, Store, StoreResult, Tx};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub id: i64,
    #[serde(skip)]
    pub token_hash: String,
    pub user_id: i64,
    #[serde(skip)]
    pub csrf_token: String,
    pub mfa_pending: bool,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub client_addr: String,
    pub user_agent: String,
    pub ended_at: Option<i64>,
    pub end_reason: Option<String>,
}

fn session(r: &Row) -> Session {
    Session {
        id: r.i64("id"),
        token_hash: r.str("token_hash"),
        user_id: r.i64("user_id"),
        csrf_token: r.str("csrf_token"),
        mfa_pending: r.flag("mfa_pending"),
        created_at: r.i64("created_at"),
        last_seen_at: r.i64("last_seen_at"),
        client_addr: r.str("client_addr"),
        user_agent: r.str("user_agent"),
        ended_at: r.opt_i64("ended_at"),
        end_reason: r.opt_str("end_reason"),
    }
}

pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    pub csrf_token: &'a str,
    pub mfa_pending: bool,
    pub client_addr: &'a str,
    pub user_agent: &'a str,
}

pub async fn insert_session(tx: &mut Tx, s: &NewSession<'_>, now_ms: i64) -> StoreResult<i64> {
    let row = crate::db::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, mfa_pending, created_at, last_seen_at, client_addr, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7) RETURNING id",
    )
    .bind(s.token_hash)
    .bind(s.user_id)
    .bind(s.csrf_token)
    .bind(flag(s.mfa_pending))
    .bind(now_ms)
    .bind(s.client_addr)
    .bind(s.user_agent)
    .fetch_one(tx.conn())
    .await?;
    Ok(row.i64("id"))
}

/// A live (not ended) session by token hash.
pub async fn find_session(store: &Store, token_hash: &str) -> StoreResult<Option<Session>> {
    crate::db::query("SELECT * FROM sessions WHERE token_hash = $1 AND ended_at IS NULL")
        .bind(token_hash)
        .maybe(store.pool(), session)
        .await
}

/// Marks activity; written at most once a minute per session to spare the database.
pub async fn touch_session(store: &Store, id: i64, now_ms: i64) -> StoreResult<()> {
    crate::db::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $3")
        .bind(now_ms)
        .bind(id)
        .bind(now_ms - 60_000)
        .execute(store.pool())
        .await?;
    Ok(())
}

pub async fn complete_mfa(tx: &mut Tx, id: i64, now_ms: i64) -> StoreResult<()> {
    crate::db::query("UPDATE sessions SET mfa_pending = 0, last_seen_at = $1 WHERE id = $2")
        .bind(now_ms)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn end_session(tx: &mut Tx, id: i64, reason: &str, now_ms: i64) -> StoreResult<()> {
    crate::db::query("UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL")
        .bind(now_ms)
        .bind(reason)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Ends every live session of a user except `keep` (password change, reset, disable).
pub async fn end_user_sessions(
    tx: &mut Tx,
    user_id: i64,
    keep: Option<i64>,
    reason: &str,
    now_ms: i64,
) -> StoreResult<u64> {
    let r = crate::db::query(
        "UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE user_id = $3 AND ended_at IS NULL AND id <> $4",
    )
    .bind(now_ms)
    .bind(reason)
    .bind(user_id)
    .bind(keep.unwrap_or(-1))
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected())
}

pub async fn list_user_sessions(store: &Store, user_id: i64) -> StoreResult<Vec<Session>> {
    crate::db::query("SELECT * FROM sessions WHERE user_id = $1 AND ended_at IS NULL ORDER BY id DESC")
        .bind(user_id)
        .all(store.pool(), session)
        .await
}

pub async fn get_session(store: &Store, id: i64) -> StoreResult<Session> {
    crate::db::query("SELECT * FROM sessions WHERE id = $1").bind(id).one(store.pool(), "session", session).await
}
