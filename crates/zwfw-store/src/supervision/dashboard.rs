//! The dashboard's counts: open cases and open oversight orders per department.

use crate::db::query;
use crate::{RowExt, Store, StoreResult};
use zwfw_domain::supervision::OrderState;
use zwfw_domain::{const_concat, sql_list};

/// Open cases per handling department (kept by triggers in shards, migrations 0014 and 0018).
pub async fn open_cases_by_department(store: &Store) -> StoreResult<Vec<(i64, i64)>> {
    let rows = query(
        "SELECT department_id AS d, CAST(SUM(n) AS BIGINT) AS n FROM open_case_count_shards \
         GROUP BY department_id HAVING SUM(n) <> 0 ORDER BY department_id",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(|r| (r.i64("d"), r.i64("n"))).collect())
}

/// The same counted from the cases themselves (to check the kept counts).
#[cfg(any(test, feature = "testing"))]
pub async fn open_cases_counted(store: &Store) -> StoreResult<Vec<(i64, i64)>> {
    let rows = query(
        "SELECT handling_department_id AS d, COUNT(*) AS n FROM cases WHERE handling_department_id IS NOT NULL \
         GROUP BY handling_department_id ORDER BY handling_department_id",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(|r| (r.i64("d"), r.i64("n"))).collect())
}

/// Oversight orders not closed, per department: (department, open, escalated).
pub async fn open_orders_by_department(store: &Store) -> StoreResult<Vec<(i64, i64, i64)>> {
    const SQL: &str = const_concat!(
        "SELECT department_id, COUNT(*) AS n, SUM(CASE WHEN level > 0 THEN 1 ELSE 0 END) AS e FROM oversight_orders \
         WHERE state IN (",
        sql_list!(OrderState, OrderState::ACTIVE),
        ") GROUP BY department_id"
    );
    let rows = query(SQL).fetch_all(store.pool()).await?;
    Ok(rows.iter().map(|r| (r.i64("department_id"), r.i64("n"), r.i64("e"))).collect())
}
