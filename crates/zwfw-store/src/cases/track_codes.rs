//! One-time SMS codes for following one's cases by identity number and
//! mobile, and the cases they open.

use crate::{RowExt, Store, StoreResult, Tx};

#[derive(Debug, Clone)]
pub struct TrackCode {
    pub id: i64,
    pub code_hash: String,
    pub expires_at: i64,
    pub tries: i64,
    pub used_at: Option<i64>,
    pub created_at: i64,
}

pub async fn insert_track_code(
    tx: &mut Tx,
    id_no: &str,
    mobile: &str,
    code_hash: &str,
    expires_at: i64,
    now_ms: i64,
) -> StoreResult<()> {
    crate::db::query(
        "INSERT INTO track_codes (id_no, mobile, code_hash, expires_at, tries, created_at) VALUES ($1, $2, $3, $4, 0, $5)",
    )
    .bind(id_no)
    .bind(mobile)
    .bind(code_hash)
    .bind(expires_at)
    .bind(now_ms)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The latest code sent to `id_no` and `mobile`.
pub async fn latest_track_code(store: &Store, id_no: &str, mobile: &str) -> StoreResult<Option<TrackCode>> {
    let row = crate::db::query(
        "SELECT id, code_hash, expires_at, tries, used_at, created_at FROM track_codes \
         WHERE id_no = $1 AND mobile = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(id_no)
    .bind(mobile)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(|r| TrackCode {
        id: r.i64("id"),
        code_hash: r.str("code_hash"),
        expires_at: r.i64("expires_at"),
        tries: r.i64("tries"),
        used_at: r.opt_i64("used_at"),
        created_at: r.i64("created_at"),
    }))
}

/// Counts a try of a code, and marks it used when it was right; false when
/// another request used it first.
pub async fn try_track_code(store: &Store, id: i64, right: bool, now_ms: i64) -> StoreResult<bool> {
    let mut tx = store.begin().await?;
    let r = crate::db::query(
        "UPDATE track_codes SET tries = tries + 1, used_at = CASE WHEN $1 = 1 THEN $2 ELSE used_at END \
         WHERE id = $3 AND used_at IS NULL",
    )
    .bind(i64::from(right))
    .bind(now_ms)
    .bind(id)
    .execute(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(r.rows_affected() > 0)
}

/// The numbered cases of an applicant with this identity number and mobile, newest first.
pub async fn cases_of_applicant(store: &Store, id_no: &str, mobile: &str, limit: i64) -> StoreResult<Vec<i64>> {
    let rows = crate::db::query(
        "SELECT id FROM cases WHERE applicant_id_no = $1 AND applicant_mobile = $2 AND case_no IS NOT NULL \
         ORDER BY id DESC LIMIT $3",
    )
    .bind(id_no)
    .bind(mobile)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(|r| r.i64("id")).collect())
}
