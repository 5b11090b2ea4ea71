//! The audit writer (append-only, SM3-chained) and its readers.

use crate::db::{IntoValue, Row, Value};
use crate::{RowExt, Store, StoreResult, Tx};
use zwfw_domain::audit::{record_hash, AuditEntry, AuditRecord, ChainDefect, ChainVerifier};

/// Appends `entry` inside `tx`, so that the record commits or rolls back with
/// the change it describes. SQLite: the record goes straight into the chain
/// (the transaction already excludes every other writer). PostgreSQL: it goes
/// to `audit_pending` and is sealed into the chain after the commit by
/// [`seal`], so that concurrent transactions do not queue on the chain's head
/// until their commits (migration 0017).
pub async fn append(tx: &mut Tx, entry: &AuditEntry) -> StoreResult<()> {
    let mut args = vec![];
    tx.audited();
    if !tx.is_exclusive() {
        let sql = pending_insert(std::slice::from_ref(entry), &mut args, None, None);
        crate::db::query_with(sql, args).execute(tx.conn()).await?;
        return Ok(());
    }
    // The head row is kept apart from the records so that records cut off
    // the end of the trail show (`ChainDefect::TailRemoved`). The group of
    // transactions this one is in keeps it in memory and writes it when it
    // commits (`group::Writer::audit_head`).
    let cached = tx.sqlite_writer().and_then(|w| w.audit_head.clone());
    let (last, prev_hash) = match cached {
        Some(head) => head,
        None => {
            let head = crate::db::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(tx.conn()).await?;
            (head.i64("seq"), head.str("hash"))
        }
    };
    let seq = last + 1;
    let hash = record_hash(seq, &prev_hash, entry);
    args.extend(entry_values(entry));
    args.extend([seq.into_value(), prev_hash.into_value(), hash.as_str().into_value()]);
    let sql = format!(
        "INSERT INTO audit_log ({ENTRY_COLUMNS}, seq, prev_hash, hash) VALUES ({})",
        (1..=args.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
    );
    crate::db::query_with(sql, args).execute(tx.conn()).await?;
    if let Some(w) = tx.sqlite_writer() {
        (w.audit_head, w.audit_dirty) = (Some((seq, hash)), true);
    }
    Ok(())
}

/// Records per statement of [`append_many`] (11 or 14 parameters each, well
/// under both databases' limits).
const APPEND_PER_INSERT: usize = 200;

/// [`append`] of several entries, in their order, in as few statements as
/// their number allows (one for up to [`APPEND_PER_INSERT`]): a batch
/// written by a derivation costs the writer one statement, not one per record.
pub async fn append_many(tx: &mut Tx, entries: &[AuditEntry]) -> StoreResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    tx.audited();
    if !tx.is_exclusive() {
        for part in entries.chunks(APPEND_PER_INSERT) {
            let mut args = vec![];
            let sql = pending_insert(part, &mut args, None, None);
            crate::db::query_with(sql, args).execute(tx.conn()).await?;
        }
        return Ok(());
    }
    let cached = tx.sqlite_writer().and_then(|w| w.audit_head.clone());
    let (mut last, mut prev_hash) = match cached {
        Some(head) => head,
        None => {
            let head = crate::db::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(tx.conn()).await?;
            (head.i64("seq"), head.str("hash"))
        }
    };
    for part in entries.chunks(APPEND_PER_INSERT) {
        let mut args = Vec::with_capacity(part.len() * 14);
        let mut rows = Vec::with_capacity(part.len());
        for entry in part {
            let seq = last + 1;
            let hash = record_hash(seq, &prev_hash, entry);
            let first = args.len();
            args.extend(entry_values(entry));
            args.extend([seq.into_value(), prev_hash.as_str().into_value(), hash.as_str().into_value()]);
            rows.push(format!(
                "({})",
                (first + 1..=args.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
            ));
            (last, prev_hash) = (seq, hash);
        }
        let sql = format!("INSERT INTO audit_log ({ENTRY_COLUMNS}, seq, prev_hash, hash) VALUES {}", rows.join(", "));
        crate::db::query_with(sql, args).execute(tx.conn()).await?;
    }
    if let Some(w) = tx.sqlite_writer() {
        (w.audit_head, w.audit_dirty) = (Some((last, prev_hash)), true);
    }
    Ok(())
}

/// An entry's columns, in the order of [`entry_values`].
pub const ENTRY_COLUMNS: &str =
    "at, actor_id, actor_name, actor_role, department_id, action, object_type, object_id, detail, reason, client_addr";

/// An entry's values, in the order of [`ENTRY_COLUMNS`].
pub fn entry_values(e: &AuditEntry) -> [Value; 11] {
    [
        e.at_ms.into_value(),
        e.actor_id.into_value(),
        e.actor_name.as_str().into_value(),
        e.actor_role.as_str().into_value(),
        e.department_id.into_value(),
        e.action.as_str().into_value(),
        e.object_type.as_str().into_value(),
        e.object_id.as_str().into_value(),
        e.detail.as_str().into_value(),
        e.reason.as_str().into_value(),
        e.client_addr.as_str().into_value(),
    ]
}

/// The INSERT of `entries` into `audit_pending` (PostgreSQL), its parameters
/// appended to `args` (numbered after those already there). As a part of a
/// larger statement: with `object_id`, the records' object is that SQL
/// expression (an id the statement makes) instead of theirs; with
/// `only_if`, they are inserted only when that condition holds.
pub(crate) fn pending_insert(
    entries: &[AuditEntry],
    args: &mut Vec<Value>,
    object_id: Option<&str>,
    only_if: Option<&str>,
) -> String {
    let columns: Vec<&str> = ENTRY_COLUMNS.split(", ").collect();
    let given = |c: &str| object_id.is_none() || c != "object_id";
    let rows: Vec<String> = entries
        .iter()
        .map(|e| {
            let params: Vec<String> = columns
                .iter()
                .zip(entry_values(e))
                .filter(|(c, _)| given(c))
                .map(|(_, v)| crate::db::param(args, v))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let select: Vec<String> = columns
        .iter()
        .map(|c| match object_id {
            Some(expr) if *c == "object_id" => expr.to_string(),
            _ => format!("v.{c}"),
        })
        .collect();
    let named: Vec<&str> = columns.iter().copied().filter(|c| given(c)).collect();
    let mut sql = format!(
        "INSERT INTO audit_pending ({ENTRY_COLUMNS}) SELECT {} FROM (VALUES {}) AS v ({})",
        select.join(", "),
        rows.join(", "),
        named.join(", ")
    );
    if let Some(cond) = only_if {
        sql += &format!(" WHERE {cond}");
    }
    sql
}

/// Records sealed per statement (a batch's ids, positions and hashes travel as arrays).
pub const SEAL_BATCH: usize = 5000;

/// Seals every committed audit record still pending into the chain, oldest
/// first, and returns how many (PostgreSQL; SQLite has none pending).
/// Sealers queue on the chain's head row, so several app servers may seal at once.
pub async fn seal(store: &Store) -> StoreResult<usize> {
    let Some(pool) = store.pg_pool() else { return Ok(0) };
    seal_pool(pool, false).await
}

/// [`seal`] of one batch at most: what was committed before the call is
/// sealed unless more than a batch waits (it then returns [`SEAL_BATCH`]),
/// and a steady flow of commits does not keep the caller sealing.
pub async fn seal_batch(store: &Store) -> StoreResult<usize> {
    let Some(pool) = store.pg_pool() else { return Ok(0) };
    seal_pool(pool, true).await
}

async fn seal_pool(pool: &crate::pgpool::PgConns, once: bool) -> StoreResult<usize> {
    use sqlx::Row as _;
    let mut total = 0;
    loop {
        let mut l = pool.acquire().await?;
        let r = crate::pgpool::answer(
            l.deadline(),
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM audit_pending)").fetch_one(l.raw()),
        )
        .await;
        if !l.settle::<bool>(r)? {
            return Ok(total);
        }
        l.begin().await?;
        let r = crate::pgpool::answer(
            l.deadline(),
            sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE").fetch_one(l.raw()),
        )
        .await;
        let head = l.settle(r)?;
        let (mut seq, mut prev): (i64, String) = (head.get("seq"), head.get("hash"));
        let deadline = l.deadline();
        let pending = format!("SELECT * FROM audit_pending ORDER BY id LIMIT {SEAL_BATCH}");
        let r = crate::pgpool::answer(deadline, sqlx::query(&pending).fetch_all(l.raw())).await;
        let rows = crate::db::pg_rows(&l.settle(r)?);
        if rows.is_empty() {
            return Ok(total);
        }
        let (mut ids, mut seqs, mut prevs, mut hashes) = (vec![], vec![], vec![], vec![]);
        for r in &rows {
            let entry = entry_of(r);
            seq += 1;
            let hash = record_hash(seq, &prev, &entry);
            ids.push(r.i64("id"));
            seqs.push(seq);
            prevs.push(std::mem::replace(&mut prev, hash.clone()));
            hashes.push(hash);
        }
        let r = crate::pgpool::answer(
            deadline,
            sqlx::query(
            "WITH moved AS (DELETE FROM audit_pending p USING unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS v(id, seq, prev_hash, hash) \
             WHERE p.id = v.id RETURNING v.seq, p.at, p.actor_id, p.actor_name, p.actor_role, p.department_id, p.action, p.object_type, p.object_id, p.detail, p.reason, p.client_addr, v.prev_hash, v.hash) \
             INSERT INTO audit_log (seq, at, actor_id, actor_name, actor_role, department_id, action, object_type, object_id, detail, reason, client_addr, prev_hash, hash) \
             SELECT * FROM moved",
        )
        .bind(&ids)
        .bind(&seqs)
        .bind(&prevs)
        .bind(&hashes)
        .execute(l.raw()),
        )
        .await;
        if l.settle(r)?.rows_affected() != rows.len() as u64 {
            // Only a change around the program can take a pending record
            // away under the head's lock; start over on what is left (the
            // transaction is rolled back as its connection is given back).
            continue;
        }
        let r = crate::pgpool::answer(
            deadline,
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(seq)
                .bind(&prev)
                .execute(l.raw()),
        )
        .await;
        l.settle(r)?;
        l.commit().await?;
        total += rows.len();
        if once {
            return Ok(total);
        }
    }
}

/// How long the sealer lets commits gather after the first wakes it.
const SEAL_GATHER: std::time::Duration = std::time::Duration::from_millis(20);
/// How often it looks anyway (records left by a process that died before sealing them).
const SEAL_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// The PostgreSQL store's background sealer: seals soon after each commit
/// that wrote audit records, and once a second in any case; ends with the
/// store.
pub(crate) async fn sealer(wake: std::sync::Weak<tokio::sync::Notify>, pool: crate::pgpool::PgConns) {
    loop {
        let Some(signal) = wake.upgrade() else { return };
        if tokio::time::timeout(SEAL_EVERY, signal.notified()).await.is_ok() {
            tokio::time::sleep(SEAL_GATHER).await;
        }
        drop(signal);
        if pool.is_closed() {
            return;
        }
        if let Err(e) = seal_pool(&pool, false).await {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "sealing the audit records failed; retrying");
        }
    }
}

/// The position of the trail's last record (0 when empty), as its head row
/// keeps it, after sealing what is pending.
pub async fn head_seq(store: &Store) -> StoreResult<i64> {
    seal(store).await?;
    Ok(crate::db::query("SELECT seq FROM audit_head WHERE id = 1").fetch_one(store.pool()).await?.i64("seq"))
}

/// Writes one record in its own transaction (logins, failed logins: events
/// that are not part of another change).
pub async fn append_alone(store: &Store, entry: &AuditEntry) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The entry of an audit row (of `audit_log` or `audit_pending`).
pub(crate) fn entry_of(r: &Row) -> AuditEntry {
    AuditEntry {
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
    }
}

/// A record of `audit_log`: its entry and its place in the chain.
pub(crate) fn record(r: &Row) -> AuditRecord {
    AuditRecord { seq: r.i64("seq"), entry: entry_of(r), prev_hash: r.str("prev_hash"), hash: r.str("hash") }
}

/// Filters for the audit page and export. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// The account's user name, exactly.
    pub actor_name: Option<String>,
    /// A part of the person's name (the account's display name).
    pub person: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub department_id: Option<i64>,
    /// Return records with seq below this (paging backwards from the newest).
    pub before_seq: Option<i64>,
    /// Records skipped (paging by page number).
    pub offset: i64,
    pub limit: i64,
}

/// A record as the audit page shows it: with the person's and the department's names.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub record: AuditRecord,
    pub person: Option<String>,
    pub department: Option<String>,
}

/// The condition and the arguments of a filter.
fn filter_sql(f: &AuditFilter) -> (String, Vec<Value>) {
    let mut sql = String::from(" WHERE 1 = 1");
    let mut args: Vec<Value> = vec![];
    let mut add = |cond: &str, v: Value| {
        args.push(v);
        sql += &cond.replace('?', &format!("${}", args.len()));
    };
    if let Some(v) = f.from_ms {
        add(" AND a.at >= ?", v.into_value());
    }
    if let Some(v) = f.to_ms {
        add(" AND a.at < ?", v.into_value());
    }
    if let Some(v) = &f.actor_name {
        add(" AND a.actor_name = ?", v.clone().into_value());
    }
    if let Some(v) = &f.person {
        let pattern = format!("%{}%", v.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        add(
            " AND a.actor_id IN (SELECT u.id FROM users u WHERE u.display_name LIKE ? ESCAPE '\\')",
            pattern.into_value(),
        );
    }
    if let Some(v) = &f.action {
        add(" AND a.action = ?", v.clone().into_value());
    }
    if let Some(v) = &f.object_type {
        add(" AND a.object_type = ?", v.clone().into_value());
    }
    if let Some(v) = &f.object_id {
        add(" AND a.object_id = ?", v.clone().into_value());
    }
    if let Some(v) = f.department_id {
        add(" AND a.department_id = ?", v.into_value());
    }
    if let Some(v) = f.before_seq {
        add(" AND a.seq < ?", v.into_value());
    }
    (sql, args)
}

/// Newest first (after sealing what is pending).
pub async fn list(store: &Store, f: &AuditFilter) -> StoreResult<Vec<AuditRecord>> {
    Ok(list_named(store, f).await?.into_iter().map(|r| r.record).collect())
}

/// Newest first, with the names of the person and the department.
pub async fn list_named(store: &Store, f: &AuditFilter) -> StoreResult<Vec<AuditRow>> {
    seal(store).await?;
    let (cond, mut args) = filter_sql(f);
    let sql = format!(
        "SELECT a.*, u.display_name AS person_name, d.name AS department_name FROM audit_log a \
         LEFT JOIN users u ON u.id = a.actor_id LEFT JOIN departments d ON d.id = a.department_id{cond} \
         ORDER BY a.seq DESC LIMIT ${} OFFSET ${}",
        args.len() + 1,
        args.len() + 2
    );
    args.push(f.limit.clamp(1, 10_000).into_value());
    args.push(f.offset.max(0).into_value());
    let rows = crate::db::query_with(sql, args).fetch_all(store.pool()).await?;
    Ok(rows
        .iter()
        .map(|r| AuditRow {
            record: record(r),
            person: r.opt_str("person_name"),
            department: r.opt_str("department_name"),
        })
        .collect())
}

/// How many records a filter finds (its paging ignored).
pub async fn count(store: &Store, f: &AuditFilter) -> StoreResult<i64> {
    let (cond, args) = filter_sql(&AuditFilter { before_seq: None, ..f.clone() });
    let sql = format!("SELECT COUNT(*) AS n FROM audit_log a{cond}");
    Ok(crate::db::query_with(sql, args).fetch_one(store.pool()).await?.i64("n"))
}

/// The actions the trail holds, for the page's filter.
pub async fn actions(store: &Store) -> StoreResult<Vec<String>> {
    seal(store).await?;
    let rows = crate::db::query("SELECT DISTINCT action FROM audit_log").fetch_all(store.pool()).await?;
    Ok(rows.iter().map(|r| r.str("action")).collect())
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
    Ok(verify_watching(store, []).await?.0)
}

/// [`verify`], also answering the stored hash at each of `seqs` that holds
/// a record (the anchored positions), read in the same pass.
pub async fn verify_watching(
    store: &Store,
    seqs: impl IntoIterator<Item = i64>,
) -> StoreResult<(VerifyReport, std::collections::BTreeMap<i64, String>)> {
    let head_seq = head_seq(store).await?;
    let mut v = ChainVerifier::default();
    v.watch(seqs);
    feed_after(store, &mut v, 0, head_seq).await?;
    let (checked, watched) = (v.checked, v.watched().clone());
    Ok((VerifyReport { checked, head_seq, defects: v.finish(head_seq) }, watched))
}

/// The chain's head as its head row keeps it (position and hash of the
/// last record), after sealing what is pending.
pub async fn head(store: &Store) -> StoreResult<(i64, String)> {
    seal(store).await?;
    let r = crate::db::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(store.pool()).await?;
    Ok((r.i64("seq"), r.str("hash")))
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
