//! The inbox query: a department's or a handler's open tasks, soonest
//! deadline first.

use super::{case_row, CaseRow, CASE_COLS};
use crate::{RowExt, Store, StoreResult, Tx};
use zwfw_domain::cases::CaseState;
use zwfw_domain::{const_concat, sql_list};

/// Which tasks an inbox shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxScope {
    /// Everything waiting in the department, soonest deadline first.
    Department(i64),
    /// Tasks transferred to one person.
    Assignee(i64),
    /// Joint reviews waiting for the department's answer.
    Joint(i64),
}

/// Copies an open case `n` times into the same inbox (load tests and the
/// benchmark) under new numbers (the template's with `-first+1`, `-first+2`…).
/// Returns the number of rows made.
pub async fn clone_open_cases(tx: &mut Tx, template_id: i64, first: i64, n: i64) -> StoreResult<u64> {
    let r = crate::db::query(
        "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $2) \
         INSERT INTO cases (case_no, item_id, version_id, item_name, impl_code, department_id, applicant_user_id, \
         applicant_kind, applicant_name, applicant_id_no, applicant_mobile, applicant_address, form, channel, \
         registered_by, query_hash, state, seq, step_no, step_name, handling_department_id, assignee_id, \
         submitted_at, accepted_at, acceptance_due, promised_due, legal_due, step_due, suspended, \
         supplement_notices, deemed_accepted, created_at, updated_at) \
         SELECT c.case_no || '-' || (k.i + $3), c.item_id, c.version_id, c.item_name, c.impl_code, c.department_id, \
         c.applicant_user_id, c.applicant_kind, c.applicant_name, c.applicant_id_no, c.applicant_mobile, \
         c.applicant_address, c.form, c.channel, c.registered_by, c.query_hash, c.state, c.seq, c.step_no, \
         c.step_name, c.handling_department_id, c.assignee_id, c.submitted_at, c.accepted_at, c.acceptance_due, \
         c.promised_due, c.legal_due, c.step_due, c.suspended, c.supplement_notices, c.deemed_accepted, \
         c.created_at, c.updated_at FROM cases c CROSS JOIN k WHERE c.id = $1",
    )
    .bind(template_id)
    .bind(n)
    .bind(first)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected())
}

/// An inbox page, soonest deadline first, and the total count.
pub async fn inbox(store: &Store, scope: InboxScope, limit: i64, offset: i64) -> StoreResult<(Vec<CaseRow>, i64)> {
    let (filter, key) = match scope {
        InboxScope::Department(d) => ("handling_department_id = $1", d),
        InboxScope::Assignee(u) => ("assignee_id = $1", u),
        InboxScope::Joint(d) => {
            ("id IN (SELECT case_id FROM case_joint WHERE department_id = $1 AND open = 1 AND answered = 0)", d)
        }
    };
    let total = crate::db::query(format!("SELECT COUNT(*) AS n FROM cases WHERE {filter}"))
        .bind(key)
        .fetch_one(store.pool())
        .await?
        .i64("n");
    let rows = crate::db::query(format!(
        "SELECT {CASE_COLS} FROM cases WHERE {filter} ORDER BY step_due, id LIMIT {} OFFSET {}",
        limit.clamp(1, 500),
        offset.max(0)
    ))
    .bind(key)
    .fetch_all(store.pool())
    .await?;
    Ok((rows.iter().map(case_row).collect(), total))
}

/// The open cases ([`CaseState::OPEN`]) a department implements or handles
/// now, soonest deadline first: those its head may have to decide on (the
/// domain says which).
pub async fn open_of_department(store: &Store, department_id: i64) -> StoreResult<Vec<CaseRow>> {
    const WHERE: &str = const_concat!(
        "state IN (",
        sql_list!(CaseState, CaseState::OPEN),
        ") AND (department_id = $1 OR handling_department_id = $1)"
    );
    let rows = crate::db::query(format!("SELECT {CASE_COLS} FROM cases WHERE {WHERE} ORDER BY step_due, id"))
        .bind(department_id)
        .fetch_all(store.pool())
        .await?;
    Ok(rows.iter().map(case_row).collect())
}
