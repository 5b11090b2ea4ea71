//! The audit writer (append-only, SM3-chained) and its readers.

use crate::db::Row;
use crate::{RowExt, Store, StoreResult, Tx};
use zwfw_domain::audit::{record_hash, AuditEntry, AuditRecord, ChainDefect, ChainVerifier};

/// Appends `entry` inside `tx`, so that the record commits or rolls back with
/// the change it describes. The head row update serializes concurrent writers
/// on both databases.
pub async fn append(tx: &mut Tx, entry: &AuditEntry) -> StoreResult<i64> {
    // PostgreSQL: the head row stays locked until the commit, so the record
    // and the new head go in one statement (one round trip fewer under the
    // lock). SQLite: the transaction already excludes every other writer.
    // The head row is kept apart from the records so that records cut off
    // the end of the trail show (`ChainDefect::TailRemoved`).
    let pg = !tx.is_exclusive();
    let head = crate::db::query(if pg {
        "SELECT seq + 1 AS seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"
    } else {
        "SELECT seq + 1 AS seq, hash FROM audit_head WHERE id = 1"
    })
    .fetch_one(tx.conn())
    .await?;
    let (seq, prev_hash) = (head.i64("seq"), head.str("hash"));
    let hash = record_hash(seq, &prev_hash, entry);
    const INSERT: &str = "INSERT INTO audit_log (seq, at, actor_id, actor_name, actor_role, department_id, action, object_type, object_id, detail, reason, client_addr, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
    let sql = if pg {
        format!("WITH rec AS ({INSERT}) UPDATE audit_head SET seq = $1, hash = $14 WHERE id = 1")
    } else {
        INSERT.to_string()
    };
    crate::db::query(sql)
        .bind(seq)
        .bind(entry.at_ms)
        .bind(entry.actor_id)
        .bind(&entry.actor_name)
        .bind(&entry.actor_role)
        .bind(entry.department_id)
        .bind(&entry.action)
        .bind(&entry.object_type)
        .bind(&entry.object_id)
        .bind(&entry.detail)
        .bind(&entry.reason)
        .bind(&entry.client_addr)
        .bind(&prev_hash)
        .bind(&hash)
        .execute(tx.conn())
        .await?;
    if !pg {
        crate::db::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(&hash)
            .execute(tx.conn())
            .await?;
    }
    Ok(seq)
}

/// The position of the trail's last record (0 when empty), as its head row keeps it.
pub async fn head_seq(store: &Store) -> StoreResult<i64> {
    Ok(crate::db::query("SELECT seq FROM audit_head WHERE id = 1").fetch_one(store.pool()).await?.i64("seq"))
}

/// Writes one record in its own transaction (logins, failed logins: events
/// that are not part of another change).
pub async fn append_alone(store: &Store, entry: &AuditEntry) -> StoreResult<i64> {
    let mut tx = store.begin().await?;
    let seq = append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(seq)
}

fn record(r: &Row) -> AuditRecord {
    AuditRecord {
        seq: r.i64("seq"),
        entry: AuditEntry {
            at_ms: r.i64("at"),
            actor_id: r.opt_i64("actor_id"),
            actor_name: r.str("actor_name"),
            actor_role: r.str("actor_role"),
            department_id: r.opt_i64("department_id"),
            action: r.str("action"),
            object_type: r.str("object_type"),
            object_id: r.str("object_id"),
            detail: r.str("detail"),
            reason: r.str("reason"),
            client_addr: r.str("client_addr"),
        },
        prev_hash: r.str("prev_hash"),
        hash: r.str("hash"),
    }
}

/// Filters for the audit page and export. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub actor_name: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub department_id: Option<i64>,
    /// Return records with seq below this (paging backwards from the newest).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// Newest first.
pub async fn list(store: &Store, f: &AuditFilter) -> StoreResult<Vec<AuditRecord>> {
    let mut sql = String::from("SELECT * FROM audit_log WHERE 1 = 1");
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if f.from_ms.is_some() {
        sql += &format!(" AND at >= {}", next());
    }
    if f.to_ms.is_some() {
        sql += &format!(" AND at < {}", next());
    }
    if f.actor_name.is_some() {
        sql += &format!(" AND actor_name = {}", next());
    }
    if f.action.is_some() {
        sql += &format!(" AND action = {}", next());
    }
    if f.object_type.is_some() {
        sql += &format!(" AND object_type = {}", next());
    }
    if f.object_id.is_some() {
        sql += &format!(" AND object_id = {}", next());
    }
    if f.department_id.is_some() {
        sql += &format!(" AND department_id = {}", next());
    }
    if f.before_seq.is_some() {
        sql += &format!(" AND seq < {}", next());
    }
    sql += &format!(" ORDER BY seq DESC LIMIT {}", next());
    let mut q = crate::db::query(&sql);
    if let Some(v) = f.from_ms {
        q = q.bind(v);
    }
    if let Some(v) = f.to_ms {
        q = q.bind(v);
    }
    for v in [&f.actor_name, &f.action, &f.object_type, &f.object_id].into_iter().flatten() {
        q = q.bind(v.clone());
    }
    if let Some(v) = f.department_id {
        q = q.bind(v);
    }
    if let Some(v) = f.before_seq {
        q = q.bind(v);
    }
    q = q.bind(f.limit.clamp(1, 10_000));
    let rows = q.fetch_all(store.pool()).await?;
    Ok(rows.iter().map(record).collect())
}

/// The result of verifying the whole trail.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VerifyReport {
    pub checked: i64,
    pub head_seq: i64,
    pub defects: Vec<ChainDefect>,
}

/// Reads the whole trail in batches and checks every link.
pub async fn verify(store: &Store) -> StoreResult<VerifyReport> {
    let head_seq = head_seq(store).await?;
    let mut v = ChainVerifier::default();
    feed_after(store, &mut v, 0, head_seq).await?;
    let checked = v.checked;
    Ok(VerifyReport { checked, head_seq, defects: v.finish(head_seq) })
}

/// Checks the records written after record `seq` (whose hash was `hash`) up
/// to `head_seq`; returns the defects and the new position (seq, hash).
pub async fn verify_since(
    store: &Store,
    seq: i64,
    hash: &str,
    head_seq: i64,
) -> StoreResult<(Vec<ChainDefect>, i64, String)> {
    let mut v = ChainVerifier::resume(seq, hash);
    feed_after(store, &mut v, seq, head_seq).await?;
    let (at, h) = v.position();
    let (at, h) = (at, h.to_string());
    Ok((v.finish(head_seq), at, h))
}

async fn feed_after(store: &Store, v: &mut ChainVerifier, mut after: i64, head_seq: i64) -> StoreResult<()> {
    loop {
        let rows = crate::db::query("SELECT * FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT 5000")
            .bind(after)
            .bind(head_seq)
            .fetch_all(store.pool())
            .await?;
        if rows.is_empty() {
            return Ok(());
        }
        for r in &rows {
            let rec = record(r);
            after = rec.seq;
            v.feed(&rec);
        }
    }
}
