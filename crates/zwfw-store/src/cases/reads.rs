//! Reading cases: one case, by number or by request, lists, and the ids and
//! counts the background work reads.

use super::{case_row, CaseRow, CASE_COLS};
use crate::{RowExt, Store, StoreResult, Tx};
use zwfw_domain::cases::CaseState;
use zwfw_domain::{const_concat, sql_code, sql_list};

pub async fn get_case(store: &Store, id: i64) -> StoreResult<CaseRow> {
    crate::db::query(format!("SELECT {CASE_COLS} FROM cases WHERE id = $1"))
        .bind(id)
        .one(store.pool(), "case", case_row)
        .await
}

/// The cases of `ids` that exist, in no particular order: one statement.
pub async fn get_cases(store: &Store, ids: &[i64]) -> StoreResult<Vec<CaseRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut args = vec![];
    let list = crate::db::id_list(ids, &mut args);
    crate::db::query_with(format!("SELECT {CASE_COLS} FROM cases WHERE id IN ({list})"), args)
        .all(store.pool(), case_row)
        .await
}

/// Locks the case row until the transaction ends (a no-op write that makes a
/// concurrent action on PostgreSQL wait, and then see what the first one did).
pub async fn lock_case(tx: &mut Tx, id: i64) -> StoreResult<()> {
    if tx.is_exclusive() {
        return Ok(());
    }
    crate::db::query("UPDATE cases SET seq = seq WHERE id = $1").bind(id).execute(tx.conn()).await?;
    Ok(())
}

pub async fn get_case_in(tx: &mut Tx, id: i64) -> StoreResult<CaseRow> {
    crate::db::query(format!("SELECT {CASE_COLS} FROM cases WHERE id = $1"))
        .bind(id)
        .one(tx.conn(), "case", case_row)
        .await
}

/// The case a number names, with the hash of its query password.
pub async fn find_by_no(store: &Store, case_no: &str) -> StoreResult<Option<(CaseRow, String)>> {
    let row = crate::db::query(format!("SELECT {CASE_COLS}, query_hash FROM cases WHERE case_no = $1"))
        .bind(case_no)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.map(|r| (case_row(&r), r.str("query_hash"))))
}

/// The case a request with idempotency key `key` made, if any (read on any
/// connection: on SQLite, a reader, not the writer).
pub async fn find_by_idem(store: &Store, key: &str) -> StoreResult<Option<i64>> {
    let row =
        crate::db::query("SELECT id FROM cases WHERE idem_key = $1").bind(key).fetch_optional(store.pool()).await?;
    Ok(row.map(|r| r.i64("id")))
}

/// A page of a list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub department_id: Option<i64>,
    pub applicant_user_id: Option<i64>,
    pub state: Option<String>,
    /// Case number or applicant name, a prefix or part.
    pub q: Option<String>,
    /// Submitted at or after this instant (UTC milliseconds).
    pub submitted_from_ms: Option<i64>,
    /// Submitted before this instant.
    pub submitted_before_ms: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// Cases of a department (including joint reviews it takes part in), of an
/// applicant, or all (supervision), newest first. Drafts only show to their applicant.
pub async fn list(store: &Store, f: &CaseFilter) -> StoreResult<Vec<CaseRow>> {
    enum V {
        I(i64),
        S(String),
    }
    const NOT_DRAFT: &str = const_concat!(" AND state <> ", sql_code!(CaseState::Draft));
    let mut sql = format!("SELECT {CASE_COLS} FROM cases WHERE 1 = 1");
    let mut vals: Vec<V> = vec![];
    let next = |v: V, vals: &mut Vec<V>| {
        vals.push(v);
        format!("${}", vals.len())
    };
    if let Some(d) = f.department_id {
        let a = next(V::I(d), &mut vals);
        let b = next(V::I(d), &mut vals);
        sql.push_str(&format!(
            " AND (department_id = {a} OR id IN (SELECT case_id FROM case_joint WHERE department_id = {b})){NOT_DRAFT}"
        ));
    }
    match f.applicant_user_id {
        Some(u) => {
            let a = next(V::I(u), &mut vals);
            sql.push_str(&format!(" AND applicant_user_id = {a}"));
        }
        None => sql.push_str(NOT_DRAFT),
    }
    if let Some(st) = &f.state {
        let a = next(V::S(st.clone()), &mut vals);
        sql.push_str(&format!(" AND state = {a}"));
    }
    if let Some(t) = f.submitted_from_ms {
        let a = next(V::I(t), &mut vals);
        sql.push_str(&format!(" AND submitted_at >= {a}"));
    }
    if let Some(t) = f.submitted_before_ms {
        let a = next(V::I(t), &mut vals);
        sql.push_str(&format!(" AND submitted_at < {a}"));
    }
    if let Some(q) = f.q.as_ref().filter(|q| !q.trim().is_empty()) {
        let like = format!("%{}%", q.trim().replace(['%', '_'], ""));
        let a = next(V::S(like.clone()), &mut vals);
        let b = next(V::S(like), &mut vals);
        sql.push_str(&format!(" AND (case_no LIKE {a} OR applicant_name LIKE {b})"));
    }
    sql.push_str(&format!(
        " ORDER BY created_at DESC, id DESC LIMIT {} OFFSET {}",
        f.limit.clamp(1, 500),
        f.offset.max(0)
    ));
    let mut q = crate::db::query(&sql);
    for v in vals {
        q = match v {
            V::I(i) => q.bind(i),
            V::S(s) => q.bind(s),
        };
    }
    let rows = q.fetch_all(store.pool()).await?;
    Ok(rows.iter().map(case_row).collect())
}

/// Submitted cases whose acceptance decision is overdue on `today` (YYYY-MM-DD).
pub async fn acceptance_overdue(store: &Store, today: &str, limit: i64) -> StoreResult<Vec<i64>> {
    const SQL: &str = const_concat!(
        "SELECT id FROM cases WHERE state = ",
        sql_code!(CaseState::Submitted),
        " AND supplement_notices = 0 AND acceptance_due < $1 ORDER BY id LIMIT $2"
    );
    let rows = crate::db::query(SQL).bind(today).bind(limit).fetch_all(store.pool()).await?;
    Ok(rows.iter().map(|r| r.i64("id")).collect())
}

/// Open cases ([`CaseState::OPEN`]), by id, a page at a time.
pub async fn open_case_ids(store: &Store, after_id: i64, limit: i64) -> StoreResult<Vec<i64>> {
    const SQL: &str = const_concat!(
        "SELECT id FROM cases WHERE state IN (",
        sql_list!(CaseState, CaseState::OPEN),
        ") AND id > $1 ORDER BY id LIMIT $2"
    );
    let rows = crate::db::query(SQL).bind(after_id).bind(limit).fetch_all(store.pool()).await?;
    Ok(rows.iter().map(|r| r.i64("id")).collect())
}

/// Counts of cases by state (for a department or all).
pub async fn counts(store: &Store, department_id: Option<i64>) -> StoreResult<Vec<(String, i64)>> {
    let rows = match department_id {
        Some(d) => {
            crate::db::query(
                "SELECT state, COUNT(*) AS n FROM cases WHERE department_id = $1 GROUP BY state ORDER BY state",
            )
            .bind(d)
            .fetch_all(store.pool())
            .await?
        }
        None => {
            crate::db::query("SELECT state, COUNT(*) AS n FROM cases GROUP BY state ORDER BY state")
                .fetch_all(store.pool())
                .await?
        }
    };
    Ok(rows.iter().map(|r| (r.str("state"), r.i64("n"))).collect())
}
