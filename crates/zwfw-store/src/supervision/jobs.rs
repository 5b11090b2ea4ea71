//! The job table that background work is claimed from, and the change feed
//! (the audit trail) it reads.

use crate::db::query;
use crate::{RowExt, Store, StoreResult, Tx};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SupervisionJob))]
pub struct JobRow {
    pub name: String,
    pub locked_by: Option<String>,
    pub locked_until: i64,
    pub state: String,
    pub runs: i64,
    pub last_started: Option<i64>,
    pub last_finished: Option<i64>,
    pub last_result: String,
    pub last_error: Option<String>,
}

pub async fn job(store: &Store, name: &str) -> StoreResult<Option<JobRow>> {
    let r = query("SELECT * FROM jobs WHERE name = $1").bind(name).fetch_optional(store.pool()).await?;
    Ok(r.map(|r| JobRow {
        name: r.str("name"),
        locked_by: r.opt_str("locked_by"),
        locked_until: r.i64("locked_until"),
        state: r.str("state"),
        runs: r.i64("runs"),
        last_started: r.opt_i64("last_started"),
        last_finished: r.opt_i64("last_finished"),
        last_result: r.str("last_result"),
        last_error: r.opt_str("last_error"),
    }))
}

/// Takes the job's lease for `lease_ms` if nobody holds it (or `holder`
/// already does) and returns the job's state; `None` when another server
/// holds it. The lease is taken by one conditional update, so that exactly
/// one of several servers racing for it wins.
pub async fn claim_job(
    store: &Store,
    name: &str,
    holder: &str,
    now_ms: i64,
    lease_ms: i64,
) -> StoreResult<Option<String>> {
    let mut tx = store.begin().await?;
    query(
        "INSERT INTO jobs (name, locked_until, state, runs, last_result) VALUES ($1, 0, '', 0, '') ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .execute(tx.conn())
    .await?;
    let r = query(
        "UPDATE jobs SET locked_by = $1, locked_until = $2, last_started = $3, runs = runs + 1 \
         WHERE name = $4 AND (locked_until < $3 OR locked_by = $1)",
    )
    .bind(holder)
    .bind(now_ms + lease_ms)
    .bind(now_ms)
    .bind(name)
    .execute(tx.conn())
    .await?;
    if r.rows_affected() == 0 {
        tx.commit().await?;
        return Ok(None);
    }
    let state = query("SELECT state FROM jobs WHERE name = $1").bind(name).fetch_one(tx.conn()).await?.str("state");
    tx.commit().await?;
    Ok(Some(state))
}

/// Saves the job's progress and gives the lease back. Does nothing (and
/// says so) when the lease was lost meanwhile.
pub async fn finish_job(
    store: &Store,
    name: &str,
    holder: &str,
    state: Option<&str>,
    result: &str,
    error: Option<&str>,
    now_ms: i64,
) -> StoreResult<bool> {
    let r = query(
        "UPDATE jobs SET state = COALESCE($1, state), locked_by = NULL, locked_until = 0, last_finished = $2, \
         last_result = $3, last_error = $4 WHERE name = $5 AND locked_by = $6",
    )
    .bind(state)
    .bind(now_ms)
    .bind(result)
    .bind(error)
    .bind(name)
    .bind(holder)
    .execute(store.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Records a job's state and a finished run outside its lease (work done
/// by an operator's command that the job goes on from).
pub async fn set_job_state(store: &Store, name: &str, state: &str, now_ms: i64) -> StoreResult<()> {
    query(
        "INSERT INTO jobs (name, locked_until, state, runs, last_result, last_finished) VALUES ($1, 0, $2, 1, 'command', $3) \
         ON CONFLICT (name) DO UPDATE SET state = excluded.state, runs = jobs.runs + 1, last_result = 'command', \
         last_finished = excluded.last_finished, last_error = NULL",
    )
    .bind(name)
    .bind(state)
    .bind(now_ms)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Sets a job's state outright (used to ask for a full evaluation).
pub async fn reset_job(tx: &mut Tx, name: &str) -> StoreResult<()> {
    query("UPDATE jobs SET state = '' WHERE name = $1").bind(name).execute(tx.conn()).await?;
    Ok(())
}

/// Objects changed after audit record `after`: (seq, object type, object id), oldest first
/// (after sealing what is pending, so that the feed misses no commit).
pub async fn changes(store: &Store, after: i64, limit: i64) -> StoreResult<Vec<(i64, String, String)>> {
    crate::audit::seal(store).await?;
    let rows = query(format!(
        "SELECT seq, object_type, object_id FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT {}",
        limit.clamp(1, 100_000)
    ))
    .bind(after)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(|r| (r.i64("seq"), r.str("object_type"), r.str("object_id"))).collect())
}
