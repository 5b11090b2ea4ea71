//! 权限变更申请 (migration 0055): the right-change requests, their rows
//! (one per staff member), the head's verdict and the administrator's
//! application; an emergency change of the system administrator is kept
//! as a request marked `emergency`, applied at once.

use crate::db::{param, query, query_with, Ex, IntoValue, Row};
use crate::{RowExt, Store, StoreResult, Tx};

/// One request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightsRow {
    pub id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub requester_id: i64,
    pub requester_name: String,
    pub requester_role: String,
    pub reason: String,
    pub emergency: bool,
    pub state: String,
    pub requested_at: i64,
    pub withdrawn_at: Option<i64>,
    pub decided_by: Option<i64>,
    pub decided_name: String,
    pub decided_at: Option<i64>,
    pub decided_note: String,
    pub applied_by: Option<i64>,
    pub applied_name: String,
    pub applied_at: Option<i64>,
    pub applied_note: String,
}

fn row(r: &Row) -> RightsRow {
    RightsRow {
        id: r.i64("id"),
        department_id: r.i64("department_id"),
        department_name: r.opt_str("department_name").unwrap_or_default(),
        requester_id: r.i64("requester_id"),
        requester_name: r.str("requester_name"),
        requester_role: r.str("requester_role"),
        reason: r.str("reason"),
        emergency: r.i64("emergency") != 0,
        state: r.str("state"),
        requested_at: r.i64("requested_at"),
        withdrawn_at: r.opt_i64("withdrawn_at"),
        decided_by: r.opt_i64("decided_by"),
        decided_name: r.str("decided_name"),
        decided_at: r.opt_i64("decided_at"),
        decided_note: r.str("decided_note"),
        applied_by: r.opt_i64("applied_by"),
        applied_name: r.str("applied_name"),
        applied_at: r.opt_i64("applied_at"),
        applied_note: r.str("applied_note"),
    }
}

/// One row of a request's list of changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    pub id: i64,
    pub request_id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub from_department_id: i64,
    pub from_department_name: String,
    pub to_department_id: Option<i64>,
    pub to_department_name: String,
    /// Comma-separated role codes.
    pub roles_before: String,
    pub add_roles: String,
    pub remove_roles: String,
}

fn change(r: &Row) -> ChangeRow {
    ChangeRow {
        id: r.i64("id"),
        request_id: r.i64("request_id"),
        user_id: r.i64("user_id"),
        user_name: r.str("user_name"),
        from_department_id: r.i64("from_department_id"),
        from_department_name: r.opt_str("from_name").unwrap_or_default(),
        to_department_id: r.opt_i64("to_department_id"),
        to_department_name: r.opt_str("to_name").unwrap_or_default(),
        roles_before: r.str("roles_before"),
        add_roles: r.str("add_roles"),
        remove_roles: r.str("remove_roles"),
    }
}

const SELECT: &str = "SELECT q.*, d.name AS department_name FROM rights_requests q \
                      LEFT JOIN departments d ON d.id = q.department_id";

const SELECT_ROWS: &str = "SELECT w.*, f.name AS from_name, t.name AS to_name FROM rights_request_rows w \
                           LEFT JOIN departments f ON f.id = w.from_department_id \
                           LEFT JOIN departments t ON t.id = w.to_department_id";

/// A request to store.
pub struct NewRights<'a> {
    pub department_id: i64,
    pub requester_id: i64,
    pub requester_name: &'a str,
    pub requester_role: &'a str,
    pub reason: &'a str,
    /// An emergency change, stored applied at once by the requester.
    pub emergency: bool,
    pub requested_at: i64,
}

/// A row to store.
pub struct NewChange<'a> {
    pub user_id: i64,
    pub user_name: &'a str,
    pub from_department_id: i64,
    pub to_department_id: Option<i64>,
    pub roles_before: &'a str,
    pub add_roles: &'a str,
    pub remove_roles: &'a str,
}

/// Stores a request (state `requested`, or `applied` for an emergency)
/// with its rows; its id.
pub async fn insert(tx: &mut Tx, n: &NewRights<'_>, rows: &[NewChange<'_>]) -> StoreResult<i64> {
    let (state, applied_by, applied_name, applied_at) = if n.emergency {
        ("applied", Some(n.requester_id), n.requester_name, Some(n.requested_at))
    } else {
        ("requested", None, "", None)
    };
    let r = query(
        "INSERT INTO rights_requests (department_id, requester_id, requester_name, requester_role, reason, emergency, \
         state, requested_at, applied_by, applied_name, applied_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(n.department_id)
    .bind(n.requester_id)
    .bind(n.requester_name)
    .bind(n.requester_role)
    .bind(n.reason)
    .bind(i64::from(n.emergency))
    .bind(state)
    .bind(n.requested_at)
    .bind(applied_by)
    .bind(applied_name)
    .bind(applied_at)
    .fetch_one(tx.conn())
    .await?;
    let id = r.i64("id");
    for c in rows {
        query(
            "INSERT INTO rights_request_rows (request_id, user_id, user_name, from_department_id, to_department_id, \
             roles_before, add_roles, remove_roles) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(c.user_id)
        .bind(c.user_name)
        .bind(c.from_department_id)
        .bind(c.to_department_id)
        .bind(c.roles_before)
        .bind(c.add_roles)
        .bind(c.remove_roles)
        .execute(tx.conn())
        .await?;
    }
    Ok(id)
}

pub async fn get(ex: Ex<'_>, id: i64) -> StoreResult<Option<RightsRow>> {
    query(format!("{SELECT} WHERE q.id = $1")).bind(id).maybe(ex, row).await
}

/// The rows of request `id`, in the order asked.
pub async fn rows_of(ex: Ex<'_>, id: i64) -> StoreResult<Vec<ChangeRow>> {
    query(format!("{SELECT_ROWS} WHERE w.request_id = $1 ORDER BY w.id")).bind(id).all(ex, change).await
}

/// The requests in `state` that name staff member `user_id`, oldest first.
pub async fn naming(ex: Ex<'_>, user_id: i64, state: &str) -> StoreResult<Vec<RightsRow>> {
    query(format!(
        "{SELECT} WHERE q.state = $1 AND q.id IN (SELECT request_id FROM rights_request_rows WHERE user_id = $2) \
         ORDER BY q.id"
    ))
    .bind(state)
    .bind(user_id)
    .all(ex, row)
    .await
}

/// Which requests a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<String>,
    pub department_id: Option<i64>,
    /// Only the emergency changes.
    pub emergency: bool,
    /// With `department_id`: also every request a row of which names the
    /// operator's role (运维人员) held, added or taken away.
    pub or_operator: bool,
    /// Only the requests a row of which names the operator's role
    /// (`Some(true)`: the centre decides them), or only the others.
    pub operator: Option<bool>,
    pub limit: i64,
    pub offset: i64,
}

/// A row of the request names the operator's role (运维人员): held, added or taken away.
const OPERATOR_ROW: &str = "EXISTS (SELECT 1 FROM rights_request_rows w WHERE w.request_id = q.id \
     AND (',' || w.roles_before || ',' || w.add_roles || ',' || w.remove_roles || ',') LIKE '%,operator,%')";

/// The requests the filter names, newest first, and how many there are.
pub async fn list(store: &Store, f: &Filter) -> StoreResult<(Vec<RightsRow>, i64)> {
    let mut cond = vec!["1 = 1".to_string()];
    let mut args = vec![];
    if let Some(d) = f.department_id {
        let p = param(&mut args, d.into_value());
        // A department's requests, and those moving its staff into the centre or the supervision office.
        let own = format!(
            "q.department_id = {p} OR EXISTS (SELECT 1 FROM rights_request_rows w WHERE w.request_id = q.id \
             AND w.from_department_id = {p})"
        );
        if f.or_operator {
            cond.push(format!("({own} OR {OPERATOR_ROW})"));
        } else {
            cond.push(format!("({own})"));
        }
    }
    match f.operator {
        Some(true) => cond.push(OPERATOR_ROW.to_string()),
        Some(false) => cond.push(format!("NOT {OPERATOR_ROW}")),
        None => {}
    }
    if let Some(s) = &f.state {
        let p = param(&mut args, s.clone().into_value());
        cond.push(format!("q.state = {p}"));
    }
    if f.emergency {
        cond.push("q.emergency = 1".to_string());
    }
    let wher = cond.join(" AND ");
    let total = query_with(format!("SELECT COUNT(*) AS n FROM rights_requests q WHERE {wher}"), args.clone())
        .fetch_one(store.pool())
        .await?
        .i64("n");
    let sql =
        format!("{SELECT} WHERE {wher} ORDER BY q.id DESC LIMIT {} OFFSET {}", f.limit.clamp(1, 500), f.offset.max(0));
    let rows = query_with(sql, args).fetch_all(store.pool()).await?;
    Ok((rows.iter().map(row).collect(), total))
}

/// A step taken on a request: written unless it left `from` meanwhile.
pub struct Step<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub by: i64,
    pub by_name: &'a str,
    pub note: &'a str,
    pub at: i64,
}

/// The head's verdict; false when the request left `from`.
pub async fn decide(tx: &mut Tx, id: i64, s: &Step<'_>) -> StoreResult<bool> {
    record_step(tx, id, "decided", s).await
}

/// The administrator's application or refusal; false when the request left `from`.
pub async fn finish(tx: &mut Tx, id: i64, s: &Step<'_>) -> StoreResult<bool> {
    record_step(tx, id, "applied", s).await
}

async fn record_step(tx: &mut Tx, id: i64, prefix: &'static str, s: &Step<'_>) -> StoreResult<bool> {
    let r = query(format!(
        "UPDATE rights_requests SET state = $1, {prefix}_by = $2, {prefix}_name = $3, {prefix}_note = $4, \
         {prefix}_at = $5 WHERE id = $6 AND state = $7"
    ))
    .bind(s.to)
    .bind(s.by)
    .bind(s.by_name)
    .bind(s.note)
    .bind(s.at)
    .bind(id)
    .bind(s.from)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The asker's withdrawal; false when the request left `requested`.
pub async fn withdraw(tx: &mut Tx, id: i64, at: i64) -> StoreResult<bool> {
    let r = query(
        "UPDATE rights_requests SET state = 'withdrawn', withdrawn_at = $1 WHERE id = $2 AND state = 'requested'",
    )
    .bind(at)
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// An account as a change is checked against it, read in the
/// transaction that changes it (its row locked on PostgreSQL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub kind: String,
    pub display_name: String,
    pub department_id: Option<i64>,
    pub active: bool,
    /// Role codes, sorted as stored.
    pub roles: Vec<String>,
}

/// Account `id` as it is now, its row locked for the transaction.
pub async fn account(tx: &mut Tx, id: i64) -> StoreResult<Option<Account>> {
    crate::lock_row(tx, "users", id).await?;
    let Some(r) = query("SELECT id, kind, display_name, department_id, active FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
    else {
        return Ok(None);
    };
    let roles = query("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role")
        .bind(id)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|x| x.str("role"))
        .collect();
    Ok(Some(Account {
        id,
        kind: r.str("kind"),
        display_name: r.str("display_name"),
        department_id: r.opt_i64("department_id"),
        active: r.i64("active") != 0,
        roles,
    }))
}

/// Moves account `id` to `department_id`.
pub async fn move_to(tx: &mut Tx, id: i64, department_id: i64, now_ms: i64) -> StoreResult<()> {
    query("UPDATE users SET department_id = $1, updated_at = $2 WHERE id = $3")
        .bind(department_id)
        .bind(now_ms)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}
