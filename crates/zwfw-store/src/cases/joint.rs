//! Joint reviews (并联审批): the co-departments waiting at a case's step.

use crate::{RowExt, Store, StoreResult, Tx};

/// Open joint reviews of a case: (department, step, due, answered).
pub async fn joint(store: &Store, case_id: i64) -> StoreResult<Vec<(i64, i64, String, bool)>> {
    let rows = crate::db::query(
        "SELECT department_id, step_no, due, answered FROM case_joint WHERE case_id = $1 AND open = 1 ORDER BY department_id",
    )
    .bind(case_id)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(|r| (r.i64("department_id"), r.i64("step_no"), r.str("due"), r.flag("answered"))).collect())
}

/// Sets the co-departments waiting at the current step; closes the rest.
pub async fn set_joint(tx: &mut Tx, case_id: i64, step_no: i64, open: &[(i64, String, bool)]) -> StoreResult<()> {
    crate::db::query("UPDATE case_joint SET open = 0 WHERE case_id = $1").bind(case_id).execute(tx.conn()).await?;
    for (dept, due, answered) in open {
        crate::db::query(
            "INSERT INTO case_joint (case_id, department_id, step_no, due, answered, open) VALUES ($1, $2, $3, $4, $5, 1) \
             ON CONFLICT (case_id, department_id) DO UPDATE SET step_no = $3, due = $4, answered = $5, open = 1",
        )
        .bind(case_id)
        .bind(dept)
        .bind(step_no)
        .bind(due)
        .bind(crate::flag(*answered))
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

/// Moves the due day of the open joint review of `department_id` at case
/// `case_id` from `old` to `new` (the calendar changed); false when it is
/// no longer `old` (then it is left as it is).
pub async fn move_joint_due(tx: &mut Tx, case_id: i64, department_id: i64, old: &str, new: &str) -> StoreResult<bool> {
    let r = crate::db::query(
        "UPDATE case_joint SET due = $1 WHERE case_id = $2 AND department_id = $3 AND due = $4 AND open = 1",
    )
    .bind(new)
    .bind(case_id)
    .bind(department_id)
    .bind(old)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}
