//! Offline packages (离线包): this installation's signing key, the
//! installations whose packages it accepts (their public keys and how far
//! their rows were imported), the packages exported and imported, the
//! outbox rows a package takes away and the ones it brings.

use super::{out_row, OutRow, WAITING};
use crate::db::{query, Row};
use crate::{RowExt, StoreError, StoreResult, Tx};
use serde::Serialize;

// ---------- this installation's key ----------

/// This installation's SM2 key for signing packages (the private key sealed).
#[derive(Debug, Clone)]
pub struct KeyRow {
    pub id: i64,
    /// Uncompressed public key, hex.
    pub public_key: String,
    pub private_sealed: String,
    pub signer_id: String,
    pub created_at: i64,
}

fn key_row(r: &Row) -> KeyRow {
    KeyRow {
        id: r.i64("id"),
        public_key: r.str("public_key"),
        private_sealed: r.str("private_sealed"),
        signer_id: r.str("signer_id"),
        created_at: r.i64("created_at"),
    }
}

/// The key in use, if one was made.
pub async fn current_key(ex: crate::db::Ex<'_>) -> StoreResult<Option<KeyRow>> {
    query("SELECT * FROM exchange_package_keys WHERE retired_at IS NULL ORDER BY id DESC LIMIT 1")
        .maybe(ex, key_row)
        .await
}

/// A new key; the one in use (if any) is retired.
pub async fn rotate_key(
    tx: &mut Tx,
    public_key: &str,
    private_sealed: &str,
    signer_id: &str,
    by: Option<i64>,
    now_ms: i64,
) -> StoreResult<i64> {
    query("UPDATE exchange_package_keys SET retired_at = $1 WHERE retired_at IS NULL")
        .bind(now_ms)
        .execute(tx.conn())
        .await?;
    let r = query(
        "INSERT INTO exchange_package_keys (public_key, private_sealed, signer_id, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(public_key)
    .bind(private_sealed)
    .bind(signer_id)
    .bind(now_ms)
    .bind(by)
    .fetch_one(tx.conn())
    .await?;
    Ok(r.i64("id"))
}

// ---------- the installations whose packages are accepted ----------

/// An installation whose packages this one imports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ExchangeInstallation))]
pub struct InstallationRow {
    pub id: i64,
    /// Its code: the region code its packages name, the prefix of its row_guids.
    pub code: String,
    pub name: String,
    /// Its SM2 public key, hex (04‖x‖y).
    pub public_key: String,
    pub signer_id: String,
    /// Its outbox rows up to this one were imported: the next package begins here.
    pub next_from: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

fn installation_row(r: &Row) -> InstallationRow {
    InstallationRow {
        id: r.i64("id"),
        code: r.str("code"),
        name: r.str("name"),
        public_key: r.str("public_key"),
        signer_id: r.str("signer_id"),
        next_from: r.i64("next_from"),
        created_at: r.i64("created_at"),
        updated_at: r.i64("updated_at"),
    }
}

pub async fn installations(ex: crate::db::Ex<'_>) -> StoreResult<Vec<InstallationRow>> {
    query("SELECT * FROM exchange_installations ORDER BY code").all(ex, installation_row).await
}

pub async fn installation(ex: crate::db::Ex<'_>, code: &str) -> StoreResult<Option<InstallationRow>> {
    query("SELECT * FROM exchange_installations WHERE code = $1").bind(code).maybe(ex, installation_row).await
}

/// Registers an installation; `installation_exists` when its code is taken.
pub async fn insert_installation(
    tx: &mut Tx,
    code: &str,
    name: &str,
    public_key: &str,
    signer_id: &str,
    next_from: i64,
    now_ms: i64,
) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO exchange_installations (code, name, public_key, signer_id, next_from, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(code)
    .bind(name)
    .bind(public_key)
    .bind(signer_id)
    .bind(next_from)
    .bind(now_ms)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| StoreError::unique_as(e, "installation"))?;
    Ok(r.i64("id"))
}

/// A registered installation's new name and key (its range stays).
pub async fn replace_installation_key(
    tx: &mut Tx,
    code: &str,
    name: &str,
    public_key: &str,
    signer_id: &str,
    now_ms: i64,
) -> StoreResult<bool> {
    let n = query(
        "UPDATE exchange_installations SET name = $1, public_key = $2, signer_id = $3, updated_at = $4 WHERE code = $5",
    )
    .bind(name)
    .bind(public_key)
    .bind(signer_id)
    .bind(now_ms)
    .bind(code)
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Moves an installation's imported range from `from` (as it was read) to
/// `to`; false when another import moved it meanwhile.
pub async fn advance(tx: &mut Tx, code: &str, from: i64, to: i64, now_ms: i64) -> StoreResult<bool> {
    let n =
        query("UPDATE exchange_installations SET next_from = $1, updated_at = $2 WHERE code = $3 AND next_from = $4")
            .bind(to)
            .bind(now_ms)
            .bind(code)
            .bind(from)
            .execute(tx.conn())
            .await?
            .rows_affected();
    Ok(n == 1)
}

// ---------- packages ----------

/// A package exported (`out`) or imported (`in`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ExchangePackage))]
pub struct PackageRow {
    pub id: i64,
    /// `out` (made here) or `in` (imported here).
    pub direction: String,
    /// The sending installation's code.
    pub installation: String,
    pub seq: i64,
    /// The sender's outbox rows after `range_from` up to `range_to`.
    pub range_from: i64,
    pub range_to: i64,
    /// National rows in the package.
    pub rows_total: i64,
    /// Rows it added to the outbox (imported: those not already there).
    pub rows_new: i64,
    /// SM3 of the whole file, hex.
    pub sm3: String,
    /// SM3 of the signing public key, hex.
    pub key_fp: String,
    /// When the sender made it.
    pub created_at: i64,
    /// When it was exported or imported here, and by whom.
    pub at: i64,
    pub by_user: Option<i64>,
}

fn package_row(r: &Row) -> PackageRow {
    PackageRow {
        id: r.i64("id"),
        direction: r.str("direction"),
        installation: r.str("installation"),
        seq: r.i64("seq"),
        range_from: r.i64("range_from"),
        range_to: r.i64("range_to"),
        rows_total: r.i64("rows_total"),
        rows_new: r.i64("rows_new"),
        sm3: r.str("sm3"),
        key_fp: r.str("key_fp"),
        created_at: r.i64("created_at"),
        at: r.i64("at"),
        by_user: r.opt_i64("by_user"),
    }
}

/// The packages of one direction, newest first.
pub async fn packages(ex: crate::db::Ex<'_>, direction: &str, limit: i64) -> StoreResult<Vec<PackageRow>> {
    query(format!(
        "SELECT * FROM exchange_packages WHERE direction = $1 ORDER BY id DESC LIMIT {}",
        limit.clamp(1, 1000)
    ))
    .bind(direction)
    .all(ex, package_row)
    .await
}

/// The package of `direction` whose file has this SM3.
pub async fn package_by_sm3(ex: crate::db::Ex<'_>, direction: &str, sm3: &str) -> StoreResult<Option<PackageRow>> {
    query("SELECT * FROM exchange_packages WHERE direction = $1 AND sm3 = $2")
        .bind(direction)
        .bind(sm3)
        .maybe(ex, package_row)
        .await
}

/// Records a package (its `id` ignored); its id.
pub async fn insert_package(tx: &mut Tx, p: &PackageRow) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO exchange_packages (direction, installation, seq, range_from, range_to, rows_total, rows_new, \
         sm3, key_fp, created_at, at, by_user) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(p.direction.as_str())
    .bind(p.installation.as_str())
    .bind(p.seq)
    .bind(p.range_from)
    .bind(p.range_to)
    .bind(p.rows_total)
    .bind(p.rows_new)
    .bind(p.sm3.as_str())
    .bind(p.key_fp.as_str())
    .bind(p.created_at)
    .bind(p.at)
    .bind(p.by_user)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| StoreError::unique_as(e, "package"))?;
    Ok(r.i64("id"))
}

/// Sets the counts of a package recorded before its rows were written.
pub async fn set_package_rows(tx: &mut Tx, id: i64, rows_total: i64, rows_new: i64) -> StoreResult<()> {
    query("UPDATE exchange_packages SET rows_total = $1, rows_new = $2 WHERE id = $3")
        .bind(rows_total)
        .bind(rows_new)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

// ---------- the outbox rows of packages ----------

/// What a package may take: a waiting row no exporter has claimed, or a row
/// an earlier package took (exported again when its file was lost).
const EXPORTABLE: &str =
    "((delivered_at IS NULL AND rejected_at IS NULL AND batch IS NULL) OR exported_in IS NOT NULL)";

/// The rows a package made now would take: after outbox row `since`, at
/// most `limit`, in order.
pub async fn exportable(ex: crate::db::Ex<'_>, since: i64, limit: i64) -> StoreResult<Vec<OutRow>> {
    query(format!(
        "SELECT * FROM exchange_outbox WHERE id > $1 AND {EXPORTABLE} ORDER BY id LIMIT {}",
        limit.clamp(1, 1_000_000)
    ))
    .bind(since)
    .all(ex, out_row)
    .await
}

/// How many rows a package made now would take after outbox row `since`.
pub async fn exportable_count(ex: crate::db::Ex<'_>, since: i64) -> StoreResult<i64> {
    let r = query(format!("SELECT COUNT(*) AS n FROM exchange_outbox WHERE id > $1 AND {EXPORTABLE}"))
        .bind(since)
        .fetch_one(ex)
        .await?;
    Ok(r.i64("n"))
}

/// The highest outbox row id (0 when empty).
pub async fn last_outbox_id(ex: crate::db::Ex<'_>) -> StoreResult<i64> {
    let r = query("SELECT COALESCE(MAX(id), 0) AS n FROM exchange_outbox").fetch_one(ex).await?;
    Ok(r.i64("n"))
}

/// Rows `ids` leave in package `package_id` (as delivered, under the
/// package's batch number); false when one of them was taken meanwhile.
pub async fn mark_exported(tx: &mut Tx, ids: &[i64], package_id: i64, batch: &str, now_ms: i64) -> StoreResult<bool> {
    let mut n = 0;
    for chunk in ids.chunks(500) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        n += query(format!(
            "UPDATE exchange_outbox SET delivered_at = $1, batch = $2, exported_in = $3, lease_until = 0, \
             last_error = NULL WHERE id IN ({}) AND {EXPORTABLE}",
            list.join(", ")
        ))
        .bind(now_ms)
        .bind(batch)
        .bind(package_id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    }
    Ok(n == ids.len() as u64)
}

/// A row a package brought, waiting for the exporter like the rows written
/// here: its national table, its sender's `row_guid`, its columns (JSON).
/// False when a row with that `row_guid` is already in the outbox.
pub async fn insert_imported(
    tx: &mut Tx,
    tbl: &str,
    row_guid: &str,
    payload: &str,
    origin: &str,
    package_id: i64,
    now_ms: i64,
) -> StoreResult<bool> {
    let n = query(
        "INSERT INTO exchange_outbox (tbl, case_id, event_seq, created_at, row_guid, payload, origin, imported_in) \
         VALUES ($1, 0, 0, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(tbl)
    .bind(now_ms)
    .bind(row_guid)
    .bind(payload)
    .bind(origin)
    .bind(package_id)
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// The rows package `package_id` brought, in order.
pub async fn rows_of_package(ex: crate::db::Ex<'_>, package_id: i64) -> StoreResult<Vec<OutRow>> {
    query("SELECT * FROM exchange_outbox WHERE imported_in = $1 ORDER BY id").bind(package_id).all(ex, out_row).await
}

/// How many rows that came in packages still wait for the exporter.
pub async fn imported_waiting(ex: crate::db::Ex<'_>) -> StoreResult<i64> {
    let r = query(format!("SELECT COUNT(*) AS n FROM exchange_outbox WHERE imported_in IS NOT NULL AND {WAITING}"))
        .fetch_one(ex)
        .await?;
    Ok(r.i64("n"))
}

/// The case rows (`tables`) the packages of other installations brought,
/// in the order they came, each version that was not replaced by a
/// corrected one: (sender, table, national columns as JSON).
pub async fn reported_rows(ex: crate::db::Ex<'_>, tables: &[&str]) -> StoreResult<Vec<(String, String, String)>> {
    let list = tables.iter().map(|t| format!("'{}'", t.replace('\'', ""))).collect::<Vec<_>>().join(", ");
    query(format!(
        "SELECT origin, tbl, payload FROM exchange_outbox WHERE origin IS NOT NULL AND payload IS NOT NULL \
         AND resent_as IS NULL AND tbl IN ({list}) ORDER BY id"
    ))
    .all(ex, |r| (r.str("origin"), r.str("tbl"), r.str("payload")))
    .await
}
