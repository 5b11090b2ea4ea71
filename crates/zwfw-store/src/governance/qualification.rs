//! 上岗资格 (migration 0050): the trainings and examinations of staff per
//! role, and the reminders sent before a qualification ends. Append-only.

use crate::db::{query, Ex, Row};
use crate::{RowExt, StoreResult, Tx};

/// One training or examination as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualificationRow {
    pub id: i64,
    pub user_id: i64,
    pub department_id: Option<i64>,
    pub role: String,
    pub kind: String,
    /// YYYY-MM-DD.
    pub held_on: String,
    pub content: String,
    pub result: String,
    pub score: Option<i64>,
    /// YYYY-MM-DD.
    pub valid_until: Option<String>,
    pub recorded_by: Option<i64>,
    pub recorded_name: String,
    pub recorded_at: i64,
}

fn row(r: &Row) -> QualificationRow {
    QualificationRow {
        id: r.i64("id"),
        user_id: r.i64("user_id"),
        department_id: r.opt_i64("department_id"),
        role: r.str("role"),
        kind: r.str("kind"),
        held_on: r.str("held_on"),
        content: r.str("content"),
        result: r.str("result"),
        score: r.opt_i64("score"),
        valid_until: r.opt_str("valid_until"),
        recorded_by: r.opt_i64("recorded_by"),
        recorded_name: r.str("recorded_name"),
        recorded_at: r.i64("recorded_at"),
    }
}

/// A training or examination to record.
pub struct NewQualification<'a> {
    pub user_id: i64,
    pub department_id: Option<i64>,
    pub role: &'a str,
    pub kind: &'a str,
    pub held_on: &'a str,
    pub content: &'a str,
    pub result: &'a str,
    pub score: Option<i64>,
    pub valid_until: Option<&'a str>,
    pub recorded_by: Option<i64>,
    pub recorded_name: &'a str,
    pub recorded_at: i64,
}

/// Records a training or examination; its id.
pub async fn insert(tx: &mut Tx, n: &NewQualification<'_>) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO staff_qualifications (user_id, department_id, role, kind, held_on, content, result, score, \
         valid_until, recorded_by, recorded_name, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(n.user_id)
    .bind(n.department_id)
    .bind(n.role)
    .bind(n.kind)
    .bind(n.held_on)
    .bind(n.content)
    .bind(n.result)
    .bind(n.score)
    .bind(n.valid_until)
    .bind(n.recorded_by)
    .bind(n.recorded_name)
    .bind(n.recorded_at)
    .fetch_one(tx.conn())
    .await?;
    Ok(r.i64("id"))
}

/// A staff member's trainings and examinations, the latest held first.
pub async fn for_user(ex: Ex<'_>, user_id: i64) -> StoreResult<Vec<QualificationRow>> {
    query("SELECT * FROM staff_qualifications WHERE user_id = $1 ORDER BY held_on DESC, id DESC")
        .bind(user_id)
        .all(ex, row)
        .await
}

/// The trainings and examinations of the staff now in department
/// `department_id` (every department's with `None`), the latest held first.
pub async fn for_department(ex: Ex<'_>, department_id: Option<i64>) -> StoreResult<Vec<QualificationRow>> {
    match department_id {
        Some(d) => {
            query(
                "SELECT q.* FROM staff_qualifications q JOIN users u ON u.id = q.user_id \
             WHERE u.department_id = $1 ORDER BY q.held_on DESC, q.id DESC",
            )
            .bind(d)
            .all(ex, row)
            .await
        }
        None => query("SELECT * FROM staff_qualifications ORDER BY held_on DESC, id DESC").all(ex, row).await,
    }
}

/// Records that the holder of qualification `qualification_id` was reminded
/// of its end; false when a reminder was recorded already.
pub async fn add_reminder(
    tx: &mut Tx,
    qualification_id: i64,
    user_id: i64,
    valid_until: &str,
    at: i64,
) -> StoreResult<bool> {
    let done = query(
        "INSERT INTO qualification_reminders (qualification_id, user_id, valid_until, sent_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (qualification_id) DO NOTHING",
    )
    .bind(qualification_id)
    .bind(user_id)
    .bind(valid_until)
    .bind(at)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The qualifications whose holders were reminded already.
pub async fn reminded(ex: Ex<'_>) -> StoreResult<Vec<i64>> {
    query("SELECT qualification_id FROM qualification_reminders").all(ex, |r| r.i64("qualification_id")).await
}
