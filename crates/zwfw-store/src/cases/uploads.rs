//! Uploads, and what the counter knows of an applicant.

use crate::{RowExt, Store, StoreError, StoreResult, Tx};
use serde::Serialize;
use zwfw_domain::admin::AccountKind;
use zwfw_domain::cases::ApplicantKind;
use zwfw_domain::{const_concat, sql_code};

#[derive(Debug, Clone, Serialize)]
pub struct UploadRow {
    pub id: i64,
    pub owner_user_id: i64,
    pub file_sm3: String,
    pub file_name: String,
    pub kind: String,
    pub size: i64,
}

pub async fn add_upload(
    tx: &mut Tx,
    owner: i64,
    sm3: &str,
    file_name: &str,
    kind: &str,
    size: i64,
    now_ms: i64,
) -> StoreResult<i64> {
    let row = crate::db::query(
        "INSERT INTO uploads (owner_user_id, file_sm3, file_name, kind, size, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(owner)
    .bind(sm3)
    .bind(file_name)
    .bind(kind)
    .bind(size)
    .bind(now_ms)
    .fetch_one(tx.conn())
    .await?;
    Ok(row.i64("id"))
}

pub async fn get_upload(store: &Store, id: i64) -> StoreResult<UploadRow> {
    let row = crate::db::query("SELECT id, owner_user_id, file_sm3, file_name, kind, size FROM uploads WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    row.map(|r| UploadRow {
        id: r.i64("id"),
        owner_user_id: r.i64("owner_user_id"),
        file_sm3: r.str("file_sm3"),
        file_name: r.str("file_name"),
        kind: r.str("kind"),
        size: r.i64("size"),
    })
    .ok_or(StoreError::NotFound("upload"))
}

/// The public account holding an identity number (身份证号 or 统一社会信用代码).
pub async fn find_applicant_account(store: &Store, id_no: &str) -> StoreResult<Option<i64>> {
    const SQL: &str = const_concat!(
        "SELECT id FROM users WHERE kind <> ",
        sql_code!(AccountKind::Staff),
        " AND (id_number = $1 OR credit_code = $1) ORDER BY id LIMIT 1"
    );
    let row = crate::db::query(SQL).bind(id_no).fetch_optional(store.pool()).await?;
    Ok(row.map(|r| r.i64("id")))
}

/// What a counter knows of an applicant by ID number or credit code: the
/// latest application to the department, else the public account.
/// (kind natural|legal, name, mobile, address)
pub async fn known_applicant(
    store: &Store,
    department_id: i64,
    id_no: &str,
) -> StoreResult<Option<(String, String, String, String)>> {
    let row = crate::db::query(
        "SELECT applicant_kind, applicant_name, applicant_mobile, applicant_address FROM cases \
         WHERE department_id = $1 AND applicant_id_no = $2 ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(department_id)
    .bind(id_no)
    .fetch_optional(store.pool())
    .await?;
    if let Some(r) = row {
        return Ok(Some((
            r.str("applicant_kind"),
            r.str("applicant_name"),
            r.str("applicant_mobile"),
            r.str("applicant_address"),
        )));
    }
    const SQL: &str = const_concat!(
        "SELECT kind, display_name, mobile FROM users WHERE kind <> ",
        sql_code!(AccountKind::Staff),
        " AND (id_number = $1 OR credit_code = $1) ORDER BY id LIMIT 1"
    );
    let row = crate::db::query(SQL).bind(id_no).fetch_optional(store.pool()).await?;
    Ok(row.map(|r| {
        let kind =
            if r.str("kind") == AccountKind::Company.code() { ApplicantKind::Legal } else { ApplicantKind::Natural };
        (kind.code().to_string(), r.str("display_name"), r.opt_str("mobile").unwrap_or_default(), String::new())
    }))
}
