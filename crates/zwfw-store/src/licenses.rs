//! 电子证照: licence types, the issuing departments' keys, the licences
//! (one row per version), their signed history, the issuance jobs and the
//! 用证 log. What may change and how is decided in
//! `zwfw_domain::licenses`; this module only remembers.

use crate::db::{query, Ex, Row};
use crate::{RowExt, Store, StoreError, StoreResult, Tx};
use serde::Serialize;
use zwfw_domain::licenses::{JobState, LicenseStatus};
use zwfw_domain::{const_concat, sql_code, sql_list};

// ---------- types ----------

/// A licence type (证照目录) as stored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = LicenseType))]
pub struct TypeRow {
    pub id: i64,
    /// 证照类型代码 (21 characters)
    pub code: String,
    /// 证照类型名称
    pub name: String,
    /// 证照定义机构
    pub define_authority: String,
    /// 证照定义机构级别: 国家级 | 省级 | 地市级 | 区县级 | 其他
    pub define_authority_level: String,
    /// person (自然人) | legal (法人)
    pub holder_kind: String,
    /// Years of validity; none: long-term (长期).
    pub validity_years: Option<i64>,
    /// The fields printed on the licence.
    pub template: Vec<String>,
    /// The catalogue items whose grant issues this licence.
    pub item_ids: Vec<i64>,
    /// The departments that issue it (all the items' departments when empty).
    pub issuer_department_ids: Vec<i64>,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

fn type_row(r: &Row) -> TypeRow {
    TypeRow {
        id: r.i64("id"),
        code: r.str("code"),
        name: r.str("name"),
        define_authority: r.str("define_authority"),
        define_authority_level: r.str("define_authority_level"),
        holder_kind: r.str("holder_kind"),
        validity_years: r.opt_i64("validity_years"),
        template: serde_json::from_str(&r.str("template")).unwrap_or_default(),
        item_ids: serde_json::from_str(&r.str("item_ids")).unwrap_or_default(),
        issuer_department_ids: serde_json::from_str(&r.str("issuer_department_ids")).unwrap_or_default(),
        active: r.flag("active"),
        created_at: r.i64("created_at"),
        updated_at: r.i64("updated_at"),
    }
}

/// A licence type's content, new or changed.
pub struct TypeData<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub define_authority: &'a str,
    pub define_authority_level: &'a str,
    pub holder_kind: &'a str,
    pub validity_years: Option<i64>,
    pub template: &'a [String],
    pub item_ids: &'a [i64],
    pub issuer_department_ids: &'a [i64],
    pub active: bool,
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serializable")
}

/// The type's fields bound as `$1` to `$10`, in the order of [`TypeData`].
fn with_type(q: crate::db::Query, d: &TypeData<'_>) -> crate::db::Query {
    q.bind(d.code)
        .bind(d.name)
        .bind(d.define_authority)
        .bind(d.define_authority_level)
        .bind(d.holder_kind)
        .bind(d.validity_years)
        .bind(json(&d.template))
        .bind(json(&d.item_ids))
        .bind(json(&d.issuer_department_ids))
        .bind(crate::flag(d.active))
}

pub async fn insert_type(tx: &mut Tx, d: &TypeData<'_>, now_ms: i64) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO license_types (code, name, define_authority, define_authority_level, holder_kind, \
         validity_years, template, item_ids, issuer_department_ids, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    );
    let r = with_type(r, d)
        .bind(now_ms)
        .fetch_one(tx.conn())
        .await
        .map_err(|e| StoreError::unique_as(e, "license_type_code"))?;
    Ok(r.i64("id"))
}

pub async fn update_type(tx: &mut Tx, id: i64, d: &TypeData<'_>, now_ms: i64) -> StoreResult<()> {
    let q = query(
        "UPDATE license_types SET code = $1, name = $2, define_authority = $3, define_authority_level = $4, \
         holder_kind = $5, validity_years = $6, template = $7, item_ids = $8, issuer_department_ids = $9, \
         active = $10, updated_at = $11 WHERE id = $12",
    );
    with_type(q, d)
        .bind(now_ms)
        .bind(id)
        .execute(tx.conn())
        .await
        .map_err(|e| StoreError::unique_as(e, "license_type_code"))?
        .or(StoreError::NotFound("license_type"))
}

pub async fn list_types(ex: Ex<'_>) -> StoreResult<Vec<TypeRow>> {
    query("SELECT * FROM license_types ORDER BY id").all(ex, type_row).await
}

/// The active licence type whose items include `item_id`, if any: the
/// types' item lists are read without their templates, and the one type
/// found is read whole (a grant asks this of every item it concludes).
pub async fn active_type_of_item(mut ex: Ex<'_>, item_id: i64) -> StoreResult<Option<TypeRow>> {
    let links = query("SELECT id, item_ids FROM license_types WHERE active <> 0 ORDER BY id")
        .all(ex.reborrow(), |r| (r.i64("id"), serde_json::from_str::<Vec<i64>>(&r.str("item_ids")).unwrap_or_default()))
        .await?;
    match links.into_iter().find(|(_, items)| items.contains(&item_id)) {
        Some((id, _)) => Ok(Some(get_type(ex, id).await?)),
        None => Ok(None),
    }
}

pub async fn get_type(ex: Ex<'_>, id: i64) -> StoreResult<TypeRow> {
    query("SELECT * FROM license_types WHERE id = $1").bind(id).one(ex, "license_type", type_row).await
}

// ---------- keys ----------

/// A department's signing key. The sealed private key never leaves the
/// application layer.
#[derive(Debug, Clone)]
pub struct KeyRow {
    pub id: i64,
    pub department_id: i64,
    /// Uncompressed SM2 public key, hex (`04‖x‖y`).
    pub public_key: String,
    pub private_sealed: String,
    pub signer_id: String,
    pub created_at: i64,
    pub created_by: Option<i64>,
    pub retired_at: Option<i64>,
}

fn key_row(r: &Row) -> KeyRow {
    KeyRow {
        id: r.i64("id"),
        department_id: r.i64("department_id"),
        public_key: r.str("public_key"),
        private_sealed: r.str("private_sealed"),
        signer_id: r.str("signer_id"),
        created_at: r.i64("created_at"),
        created_by: r.opt_i64("created_by"),
        retired_at: r.opt_i64("retired_at"),
    }
}

/// The department's current key, if it has one.
pub async fn current_key(ex: Ex<'_>, department_id: i64) -> StoreResult<Option<KeyRow>> {
    query("SELECT * FROM license_keys WHERE department_id = $1 AND retired_at IS NULL")
        .bind(department_id)
        .maybe(ex, key_row)
        .await
}

pub async fn get_key(ex: Ex<'_>, id: i64) -> StoreResult<KeyRow> {
    query("SELECT * FROM license_keys WHERE id = $1").bind(id).one(ex, "license_key", key_row).await
}

/// Every key, current and retired, newest first.
pub async fn list_keys(ex: Ex<'_>) -> StoreResult<Vec<KeyRow>> {
    query("SELECT * FROM license_keys ORDER BY department_id, id DESC").all(ex, key_row).await
}

/// Retires the department's current key (kept for verification) and
/// stores the new one.
pub async fn rotate_key(
    tx: &mut Tx,
    department_id: i64,
    public_key: &str,
    private_sealed: &str,
    signer_id: &str,
    by: Option<i64>,
    now_ms: i64,
) -> StoreResult<i64> {
    query("UPDATE license_keys SET retired_at = $1 WHERE department_id = $2 AND retired_at IS NULL")
        .bind(now_ms)
        .bind(department_id)
        .execute(tx.conn())
        .await?;
    let r = query(
        "INSERT INTO license_keys (department_id, public_key, private_sealed, signer_id, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(department_id)
    .bind(public_key)
    .bind(private_sealed)
    .bind(signer_id)
    .bind(now_ms)
    .bind(by)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| StoreError::unique_as(e, "license_key"))?;
    Ok(r.i64("id"))
}

// ---------- licences ----------

/// One version of a licence as stored.
#[derive(Debug, Clone)]
pub struct LicenseRow {
    pub id: i64,
    pub identifier: String,
    pub serial: String,
    pub version: i64,
    pub type_id: i64,
    pub issuer_department_id: i64,
    pub key_id: i64,
    pub case_id: Option<i64>,
    pub item_id: Option<i64>,
    pub holder_user_id: Option<i64>,
    pub holder_kind: String,
    pub holder_name: String,
    pub holder_code: String,
    pub status: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub issued_at: i64,
    /// The exact bytes signed (UTF-8 text, see `zwfw_domain::licenses`).
    pub signed_data: String,
    /// r‖s, hex.
    pub signature: String,
    pub file_sm3: String,
    pub status_note: String,
    /// The identifier of the version that replaced this one.
    pub successor: Option<String>,
    pub updated_at: i64,
    /// issued (on a grant here) | imported (an existing licence, 存量证照)
    pub origin: String,
    /// The signed payload its QR code carries (base64url; empty for
    /// versions issued before QR codes).
    pub qr_payload: String,
    /// The salt of the holder digests of a `zwfw-license/2` text (hex;
    /// empty for `zwfw-license/1` and imported versions).
    pub holder_salt: String,
    /// The template fields the public text gives as digests only (JSON
    /// object; empty when none).
    pub hidden_fields: String,
}

fn license_row(r: &Row) -> LicenseRow {
    LicenseRow {
        id: r.i64("id"),
        identifier: r.str("identifier"),
        serial: r.str("serial"),
        version: r.i64("version"),
        type_id: r.i64("type_id"),
        issuer_department_id: r.i64("issuer_department_id"),
        key_id: r.i64("key_id"),
        case_id: r.opt_i64("case_id"),
        item_id: r.opt_i64("item_id"),
        holder_user_id: r.opt_i64("holder_user_id"),
        holder_kind: r.str("holder_kind"),
        holder_name: r.str("holder_name"),
        holder_code: r.str("holder_code"),
        status: r.str("status"),
        valid_from: r.str("valid_from"),
        valid_until: r.opt_str("valid_until"),
        issued_at: r.i64("issued_at"),
        signed_data: r.str("signed_data"),
        signature: r.str("signature"),
        file_sm3: r.str("file_sm3"),
        status_note: r.str("status_note"),
        successor: r.opt_str("successor"),
        updated_at: r.i64("updated_at"),
        origin: r.str("origin"),
        qr_payload: r.str("qr_payload"),
        holder_salt: r.str("holder_salt"),
        hidden_fields: r.str("hidden_fields"),
    }
}

/// A new licence version: stored valid.
pub struct NewLicense<'a> {
    pub identifier: &'a str,
    pub serial: &'a str,
    pub version: i64,
    pub type_id: i64,
    pub issuer_department_id: i64,
    pub key_id: i64,
    pub case_id: Option<i64>,
    pub item_id: Option<i64>,
    pub holder_user_id: Option<i64>,
    pub holder_kind: &'a str,
    pub holder_name: &'a str,
    pub holder_code: &'a str,
    pub valid_from: &'a str,
    pub valid_until: Option<&'a str>,
    pub issued_at: i64,
    pub signed_data: &'a str,
    pub signature: &'a str,
    pub file_sm3: &'a str,
    /// issued | imported
    pub origin: &'a str,
    pub qr_payload: &'a str,
    pub holder_salt: &'a str,
    pub hidden_fields: &'a str,
}

pub async fn insert_license(tx: &mut Tx, l: &NewLicense<'_>) -> StoreResult<i64> {
    const SQL: &str = const_concat!(
        "INSERT INTO licenses (identifier, serial, version, type_id, issuer_department_id, key_id, case_id, item_id, \
         holder_user_id, holder_kind, holder_name, holder_code, status, valid_from, valid_until, issued_at, \
         signed_data, signature, file_sm3, status_note, updated_at, origin, qr_payload, holder_salt, hidden_fields) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, ",
        sql_code!(LicenseStatus::Valid),
        ", $13, $14, $15, $16, $17, $18, '', $15, $19, $20, $21, $22) RETURNING id"
    );
    let r = query(SQL)
        .bind(l.identifier)
        .bind(l.serial)
        .bind(l.version)
        .bind(l.type_id)
        .bind(l.issuer_department_id)
        .bind(l.key_id)
        .bind(l.case_id)
        .bind(l.item_id)
        .bind(l.holder_user_id)
        .bind(l.holder_kind)
        .bind(l.holder_name)
        .bind(l.holder_code)
        .bind(l.valid_from)
        .bind(l.valid_until)
        .bind(l.issued_at)
        .bind(l.signed_data)
        .bind(l.signature)
        .bind(l.file_sm3)
        .bind(l.origin)
        .bind(l.qr_payload)
        .bind(l.holder_salt)
        .bind(l.hidden_fields)
        .fetch_one(tx.conn())
        .await
        .map_err(|e| StoreError::unique_as(e, "license_identifier"))?;
    Ok(r.i64("id"))
}

pub async fn by_identifier(ex: Ex<'_>, identifier: &str) -> StoreResult<Option<LicenseRow>> {
    query("SELECT * FROM licenses WHERE identifier = $1").bind(identifier).maybe(ex, license_row).await
}

pub async fn get_license(ex: Ex<'_>, id: i64) -> StoreResult<LicenseRow> {
    query("SELECT * FROM licenses WHERE id = $1").bind(id).one(ex, "license", license_row).await
}

/// The identifier of the stored version of the same type, issuer, serial
/// and version (whatever its check character), if there is one.
pub async fn version_taken(
    ex: Ex<'_>,
    type_id: i64,
    issuer_department_id: i64,
    serial: &str,
    version: i64,
) -> StoreResult<Option<String>> {
    Ok(query(
        "SELECT identifier FROM licenses WHERE type_id = $1 AND issuer_department_id = $2 AND serial = $3 \
         AND version = $4",
    )
    .bind(type_id)
    .bind(issuer_department_id)
    .bind(serial)
    .bind(version)
    .fetch_all(ex)
    .await?
    .first()
    .map(|r| r.str("identifier")))
}

/// A licence version read inside a write transaction, locked until it ends.
pub async fn lock_license(tx: &mut Tx, id: i64) -> StoreResult<LicenseRow> {
    crate::lock_row(tx, "licenses", id).await?;
    get_license(tx.conn(), id).await
}

/// The licences issued on a case, oldest first.
pub async fn of_case(ex: Ex<'_>, case_id: i64) -> StoreResult<Vec<LicenseRow>> {
    query("SELECT * FROM licenses WHERE case_id = $1 ORDER BY id").bind(case_id).all(ex, license_row).await
}

/// A holder's licences, newest first.
pub async fn of_holder(ex: Ex<'_>, user_id: i64) -> StoreResult<Vec<LicenseRow>> {
    query("SELECT * FROM licenses WHERE holder_user_id = $1 ORDER BY id DESC").bind(user_id).all(ex, license_row).await
}

/// Sets a version's status, only if it is still `from` (false when someone
/// changed it first).
pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    from: LicenseStatus,
    to: LicenseStatus,
    note: &str,
    successor: Option<&str>,
    now_ms: i64,
) -> StoreResult<bool> {
    let done = query(
        "UPDATE licenses SET status = $1, status_note = $2, successor = COALESCE($3, successor), updated_at = $4 \
         WHERE id = $5 AND status = $6",
    )
    .bind(to.code())
    .bind(note)
    .bind(successor)
    .bind(now_ms)
    .bind(id)
    .bind(from.code())
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Valid licences whose last day is before `today` (`YYYY-MM-DD`, China time).
pub async fn expired_before(ex: Ex<'_>, today: &str, limit: i64) -> StoreResult<Vec<i64>> {
    const SQL: &str = const_concat!(
        "SELECT id FROM licenses WHERE status IN (",
        sql_list!(LicenseStatus, LicenseStatus::EXPIRING),
        ") AND valid_until IS NOT NULL AND valid_until < $1 ORDER BY id LIMIT $2"
    );
    Ok(query(SQL).bind(today).bind(limit).fetch_all(ex).await?.iter().map(|r| r.i64("id")).collect())
}

// ---------- the issuing department's list ----------

/// The filter of the staff's licence list. `today` (`YYYY-MM-DD`, China
/// time) decides which valid licences already show 已过期.
#[derive(Debug, Clone, Default)]
pub struct LicenseFilter {
    /// None: every department's (the overseers).
    pub department_id: Option<i64>,
    pub type_id: Option<i64>,
    /// The status shown today.
    pub status: Option<LicenseStatus>,
    /// Part of the holder's name, or the holder's whole number.
    pub holder: Option<String>,
    /// This version issued (or imported) at or after, milliseconds.
    pub issued_from_ms: Option<i64>,
    /// … before, milliseconds.
    pub issued_before_ms: Option<i64>,
    pub today: String,
    pub limit: i64,
    pub offset: i64,
}

/// A listed licence version and its type's name.
pub struct ListedLicense {
    pub license: LicenseRow,
    pub type_name: String,
}

/// The licence versions the filter selects, newest first, and how many in all.
pub async fn list(store: &Store, f: &LicenseFilter) -> StoreResult<(Vec<ListedLicense>, i64)> {
    use crate::db::{IntoValue, Value};
    let mut conds: Vec<String> = vec!["1 = 1".into()];
    let mut binds: Vec<Value> = vec![];
    // Binds `v` as the next parameter and answers its placeholder.
    fn push(binds: &mut Vec<Value>, v: Value) -> String {
        binds.push(v);
        format!("${}", binds.len())
    }
    if let Some(d) = f.department_id {
        conds.push(format!("l.issuer_department_id = {}", push(&mut binds, d.into_value())));
    }
    if let Some(t) = f.type_id {
        conds.push(format!("l.type_id = {}", push(&mut binds, t.into_value())));
    }
    // A valid licence past its last day shows (and is listed) 已过期
    // before the background job records it.
    const VALID: &str = sql_code!(LicenseStatus::Valid);
    const EXPIRED: &str = sql_code!(LicenseStatus::Expired);
    match f.status {
        None => {}
        Some(LicenseStatus::Valid) => {
            let today = push(&mut binds, Value::Text(f.today.clone()));
            conds.push(format!("l.status = {VALID} AND (l.valid_until IS NULL OR l.valid_until >= {today})"));
        }
        Some(LicenseStatus::Expired) => {
            let today = push(&mut binds, Value::Text(f.today.clone()));
            conds.push(format!("(l.status = {EXPIRED} OR (l.status = {VALID} AND l.valid_until < {today}))"));
        }
        Some(s) => conds.push(format!("l.status = {}", push(&mut binds, Value::Text(s.code().to_string())))),
    }
    if let Some(h) = f.holder.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        let mut like = String::from("%");
        for c in h.chars() {
            if matches!(c, '%' | '_' | '\\') {
                like.push('\\');
            }
            like.push(c);
        }
        like.push('%');
        let like = push(&mut binds, Value::Text(like));
        let whole = push(&mut binds, Value::Text(h.to_string()));
        conds.push(format!("(l.holder_name LIKE {like} ESCAPE '\\' OR l.holder_code = {whole})"));
    }
    if let Some(ms) = f.issued_from_ms {
        conds.push(format!("l.issued_at >= {}", push(&mut binds, ms.into_value())));
    }
    if let Some(ms) = f.issued_before_ms {
        conds.push(format!("l.issued_at < {}", push(&mut binds, ms.into_value())));
    }
    let filter = conds.join(" AND ");
    let mut q = query(format!(
        "SELECT l.*, t.name AS type_name FROM licenses l JOIN license_types t ON t.id = l.type_id WHERE {filter} \
         ORDER BY l.id DESC LIMIT {} OFFSET {}",
        f.limit.clamp(1, 200),
        f.offset.max(0)
    ));
    let mut c = query(format!("SELECT COUNT(*) AS n FROM licenses l WHERE {filter}"));
    for b in binds {
        q = q.bind(b.clone());
        c = c.bind(b);
    }
    let rows = q
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| ListedLicense { license: license_row(r), type_name: r.str("type_name") })
        .collect();
    Ok((rows, c.fetch_one(store.pool()).await?.i64("n")))
}

/// Records the file and QR payload made for a version that had none (an
/// imported licence); false when another request recorded one first.
pub async fn set_file(tx: &mut Tx, id: i64, file_sm3: &str, qr_payload: &str, now_ms: i64) -> StoreResult<bool> {
    let done =
        query("UPDATE licenses SET file_sm3 = $1, qr_payload = $2, updated_at = $3 WHERE id = $4 AND file_sm3 = ''")
            .bind(file_sm3)
            .bind(qr_payload)
            .bind(now_ms)
            .bind(id)
            .execute(tx.conn())
            .await?;
    Ok(done.rows_affected() == 1)
}

// ---------- history ----------

/// A signed change of a licence version.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = LicenseEvent))]
pub struct EventRow {
    pub id: i64,
    pub license_id: i64,
    /// issued | reissued | amended | cancelled | revoked | expired
    pub change: String,
    /// The status after the change.
    pub status: String,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    /// Reason, decision number or the new version's identifier.
    pub note: String,
    pub key_id: i64,
    /// The exact bytes signed (UTF-8 text).
    pub signed_data: String,
    /// r‖s, hex.
    pub signature: String,
}

fn event_row(r: &Row) -> EventRow {
    EventRow {
        id: r.i64("id"),
        license_id: r.i64("license_id"),
        change: r.str("change"),
        status: r.str("status"),
        at: r.i64("at"),
        actor_id: r.opt_i64("actor_id"),
        actor_name: r.str("actor_name"),
        note: r.str("note"),
        key_id: r.i64("key_id"),
        signed_data: r.str("signed_data"),
        signature: r.str("signature"),
    }
}

pub struct NewEvent<'a> {
    pub license_id: i64,
    pub change: &'a str,
    pub status: &'a str,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub note: &'a str,
    pub key_id: i64,
    pub signed_data: &'a str,
    pub signature: &'a str,
}

pub async fn insert_event(tx: &mut Tx, e: &NewEvent<'_>) -> StoreResult<()> {
    query(
        "INSERT INTO license_events (license_id, change, status, at, actor_id, actor_name, note, key_id, \
         signed_data, signature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(e.license_id)
    .bind(e.change)
    .bind(e.status)
    .bind(e.at)
    .bind(e.actor_id)
    .bind(e.actor_name)
    .bind(e.note)
    .bind(e.key_id)
    .bind(e.signed_data)
    .bind(e.signature)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn events(ex: Ex<'_>, license_id: i64) -> StoreResult<Vec<EventRow>> {
    query("SELECT * FROM license_events WHERE license_id = $1 ORDER BY id").bind(license_id).all(ex, event_row).await
}

// ---------- issuance jobs ----------

/// A grant's issuance job.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = LicenseJob))]
pub struct JobRow {
    pub case_id: i64,
    /// pending | issued
    pub state: String,
    /// Why it waits (no_key, …); empty when issued.
    pub reason: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub license_id: Option<i64>,
}

fn job_row(r: &Row) -> JobRow {
    JobRow {
        case_id: r.i64("case_id"),
        state: r.str("state"),
        reason: r.str("reason"),
        created_at: r.i64("created_at"),
        updated_at: r.i64("updated_at"),
        license_id: r.opt_i64("license_id"),
    }
}

/// Writes a pending job (in the grant's transaction). A case whose grant
/// was corrected (办结结论有误) has a job already, withdrawn or done with
/// the licence since voided: a new grant makes it pending again.
pub async fn insert_job(tx: &mut Tx, case_id: i64, reason: &str, now_ms: i64) -> StoreResult<()> {
    const SQL: &str = const_concat!(
        "INSERT INTO license_jobs (case_id, state, reason, created_at, updated_at) VALUES ($1, ",
        sql_code!(JobState::Pending),
        ", $2, $3, $3) ON CONFLICT (case_id) DO UPDATE SET state = ",
        sql_code!(JobState::Pending),
        ", reason = $2, updated_at = $3, license_id = NULL WHERE license_jobs.state <> ",
        sql_code!(JobState::Pending)
    );
    query(SQL)
        .bind(case_id)
        .bind(reason)
        .bind(now_ms)
        .execute(tx.conn())
        .await
        .map_err(|e| StoreError::unique_as(e, "license_job"))?;
    Ok(())
}

pub async fn job(ex: Ex<'_>, case_id: i64) -> StoreResult<Option<JobRow>> {
    query("SELECT * FROM license_jobs WHERE case_id = $1").bind(case_id).maybe(ex, job_row).await
}

/// The job of a case, locked in the transaction (none when it has none).
pub async fn lock_job(tx: &mut Tx, case_id: i64) -> StoreResult<Option<JobRow>> {
    if !tx.is_exclusive() {
        query("SELECT case_id FROM license_jobs WHERE case_id = $1 FOR UPDATE")
            .bind(case_id)
            .execute(tx.conn())
            .await?;
    }
    job(tx.conn(), case_id).await
}

/// The pending jobs' cases, oldest first.
pub async fn pending_jobs(ex: Ex<'_>, limit: i64) -> StoreResult<Vec<i64>> {
    const SQL: &str = const_concat!(
        "SELECT case_id FROM license_jobs WHERE state = ",
        sql_code!(JobState::Pending),
        " ORDER BY case_id LIMIT $1"
    );
    Ok(query(SQL).bind(limit).fetch_all(ex).await?.iter().map(|r| r.i64("case_id")).collect())
}

/// Records why a pending job still waits.
pub async fn job_waits(tx: &mut Tx, case_id: i64, reason: &str, now_ms: i64) -> StoreResult<()> {
    query("UPDATE license_jobs SET reason = $1, updated_at = $2 WHERE case_id = $3 AND reason <> $1")
        .bind(reason)
        .bind(now_ms)
        .bind(case_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Withdraws the pending job of a case whose grant was corrected before
/// the licence was issued (in the correction's transaction); whether there
/// was one.
pub async fn withdraw_job(tx: &mut Tx, case_id: i64, now_ms: i64) -> StoreResult<bool> {
    const SQL: &str = const_concat!(
        "UPDATE license_jobs SET state = ",
        sql_code!(JobState::Withdrawn),
        ", updated_at = $1 WHERE case_id = $2 AND state = ",
        sql_code!(JobState::Pending)
    );
    let r = query(SQL).bind(now_ms).bind(case_id).execute(tx.conn()).await?;
    Ok(r.rows_affected() == 1)
}

/// Marks a job done with the licence it issued.
pub async fn job_issued(tx: &mut Tx, case_id: i64, license_id: i64, now_ms: i64) -> StoreResult<()> {
    const SQL: &str = const_concat!(
        "UPDATE license_jobs SET state = ",
        sql_code!(JobState::Issued),
        ", reason = '', license_id = $1, updated_at = $2 WHERE case_id = $3"
    );
    query(SQL).bind(license_id).bind(now_ms).bind(case_id).execute(tx.conn()).await?;
    Ok(())
}

// ---------- 用证 ----------

/// One use of a licence (a verification, a use as a material).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = LicenseUse))]
pub struct UseRow {
    pub id: i64,
    pub license_id: i64,
    pub identifier: String,
    /// verification | …
    pub purpose: String,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub client_addr: String,
}

fn use_row(r: &Row) -> UseRow {
    UseRow {
        id: r.i64("id"),
        license_id: r.i64("license_id"),
        identifier: r.str("identifier"),
        purpose: r.str("purpose"),
        at: r.i64("at"),
        actor_id: r.opt_i64("actor_id"),
        client_addr: r.str("client_addr"),
    }
}

pub async fn record_use(
    store: &Store,
    license_id: i64,
    identifier: &str,
    purpose: &str,
    actor_id: Option<i64>,
    client_addr: &str,
    at: i64,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    query(
        "INSERT INTO license_uses (license_id, identifier, purpose, at, actor_id, client_addr) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(license_id)
    .bind(identifier)
    .bind(purpose)
    .bind(at)
    .bind(actor_id)
    .bind(client_addr)
    .execute(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The uses of a licence version, newest first.
pub async fn uses(ex: Ex<'_>, license_id: i64, limit: i64) -> StoreResult<Vec<UseRow>> {
    query("SELECT * FROM license_uses WHERE license_id = $1 ORDER BY id DESC LIMIT $2")
        .bind(license_id)
        .bind(limit.clamp(1, 1000))
        .all(ex, use_row)
        .await
}

/// Counts one anonymous licence check by `address` in the window starting
/// at `window_start` and answers how many it made there (this one
/// included); the first check of a window deletes the windows before it.
pub async fn count_check(store: &Store, address: &str, window_start: i64) -> StoreResult<i64> {
    let mut tx = store.begin().await?;
    let r = query(
        "INSERT INTO license_check_counts (address, window_start, checks) VALUES ($1, $2, 1) \
         ON CONFLICT (address, window_start) DO UPDATE SET checks = license_check_counts.checks + 1 \
         RETURNING checks",
    )
    .bind(address)
    .bind(window_start)
    .fetch_one(tx.conn())
    .await?;
    let checks = r.i64("checks");
    if checks == 1 {
        query("DELETE FROM license_check_counts WHERE window_start < $1").bind(window_start).execute(tx.conn()).await?;
    }
    tx.commit().await?;
    Ok(checks)
}
