//! Performance evaluation (绩效考核): the rows a period's figures are counted
//! from, and the published rankings. The counting itself is the domain's.

use crate::db::{query, IntoValue, Row};
use crate::{RowExt, Store, StoreResult, Tx};
use serde::Serialize;
use zwfw_domain::admin::AccountKind;
use zwfw_domain::cases::{CaseState, Outcome};
use zwfw_domain::evaluation::{JUDGED_STATES, UNCOUNTED_OUTCOMES};
use zwfw_domain::interaction::Kind;
use zwfw_domain::{const_concat, sql_code, sql_list};

/// The outcome of a case the evaluation counts (none yet, or not one of
/// [`UNCOUNTED_OUTCOMES`]).
const COUNTED_OUTCOME: &str =
    const_concat!("(outcome IS NULL OR outcome NOT IN (", sql_list!(Outcome, UNCOUNTED_OUTCOMES), "))");

/// Rows of a query whose two parameters bound a range.
async fn between<T: IntoValue>(store: &Store, sql: &str, from: T, until: T) -> StoreResult<Vec<Row>> {
    Ok(query(sql).bind(from).bind(until).fetch_all(store.pool()).await?)
}

/// A case concluded in a period (办结, delivered after or not; voided cases are left out).
#[derive(Debug, Clone)]
pub struct Concluded {
    pub department_id: i64,
    pub concluded_at: i64,
    pub promised_due: Option<String>,
}

pub async fn concluded_between(store: &Store, from_ms: i64, until_ms: i64) -> StoreResult<Vec<Concluded>> {
    const SQL: &str = const_concat!(
        "SELECT department_id, concluded_at, promised_due FROM cases \
         WHERE concluded_at >= $1 AND concluded_at < $2 AND state IN (",
        sql_list!(CaseState, CaseState::CONCLUDED),
        ") AND ",
        COUNTED_OUTCOME
    );
    let rows = between(store, SQL, from_ms, until_ms).await?;
    Ok(rows
        .iter()
        .map(|r| Concluded {
            department_id: r.i64("department_id"),
            concluded_at: r.i64("concluded_at"),
            promised_due: r.opt_str("promised_due"),
        })
        .collect())
}

/// A case whose promised deadline is in a range of days.
#[derive(Debug, Clone)]
pub struct Deadline {
    pub department_id: i64,
    pub promised_due: String,
    /// Set when the case is concluded (not voided).
    pub concluded_at: Option<i64>,
}

/// Cases with a promised deadline in `[from, until)` (`YYYY-MM-DD`) that are
/// still running or concluded ([`JUDGED_STATES`]); refused, withdrawn and
/// voided cases, and running cases whose clock stands still in a special
/// procedure, are left out.
pub async fn deadlines_between(store: &Store, from: &str, until: &str) -> StoreResult<Vec<Deadline>> {
    const CONCLUDED: &str = sql_list!(CaseState, CaseState::CONCLUDED);
    const SQL: &str = const_concat!(
        "SELECT department_id, promised_due, state, concluded_at FROM cases \
         WHERE promised_due >= $1 AND promised_due < $2 AND state IN (",
        sql_list!(CaseState, JUDGED_STATES),
        ") AND ",
        COUNTED_OUTCOME,
        " AND (state IN (",
        CONCLUDED,
        ") OR suspended = 0)"
    );
    let rows = between(store, SQL, from, until).await?;
    Ok(rows
        .iter()
        .map(|r| Deadline {
            department_id: r.i64("department_id"),
            promised_due: r.str("promised_due"),
            concluded_at: match CaseState::parse(&r.str("state")) {
                Some(s) if s.is_concluded() => r.opt_i64("concluded_at"),
                _ => None,
            },
        })
        .collect())
}

/// Findings found on the days `[from, until)`, counted per department and
/// severity; the 审管 rules (W03, Y03) are the regulators' and not counted.
pub async fn findings_between(store: &Store, from: &str, until: &str) -> StoreResult<Vec<(i64, String, i64)>> {
    let rows = between(
        store,
        "SELECT department_id, severity, COUNT(*) AS n FROM findings \
         WHERE found_on >= $1 AND found_on < $2 AND department_id IS NOT NULL \
         AND rule_code NOT IN ('W03', 'Y03') \
         GROUP BY department_id, severity",
        from,
        until,
    )
    .await?;
    Ok(rows.iter().map(|r| (r.i64("department_id"), r.str("severity"), r.i64("n"))).collect())
}

/// A finding that asks for rectification, with its deadline in a range.
#[derive(Debug, Clone)]
pub struct Rectification {
    pub department_id: i64,
    pub reply_due: String,
    pub replied_at: Option<i64>,
    pub state: String,
}

pub async fn rectifications_between(store: &Store, from: &str, until: &str) -> StoreResult<Vec<Rectification>> {
    const SQL: &str = const_concat!(
        "SELECT department_id, reply_due, replied_at, state FROM findings \
         WHERE reply_due >= $1 AND reply_due < $2 AND ",
        crate::supervision::ASKS_REPLY,
        " AND department_id IS NOT NULL AND rule_code NOT IN ('W03', 'Y03')"
    );
    let rows = between(store, SQL, from, until).await?;
    Ok(rows
        .iter()
        .map(|r| Rectification {
            department_id: r.i64("department_id"),
            reply_due: r.str("reply_due"),
            replied_at: r.opt_i64("replied_at"),
            state: r.str("state"),
        })
        .collect())
}

/// Ratings given in a period, counted per department, level and appeal state.
pub async fn ratings_between(
    store: &Store,
    from_ms: i64,
    until_ms: i64,
) -> StoreResult<Vec<(i64, i64, Option<String>, i64)>> {
    let rows = between(
        store,
        "SELECT department_id, level, appeal, COUNT(*) AS n FROM ratings \
         WHERE at >= $1 AND at < $2 GROUP BY department_id, level, appeal",
        from_ms,
        until_ms,
    )
    .await?;
    Ok(rows.iter().map(|r| (r.i64("department_id"), r.i64("level"), r.opt_str("appeal"), r.i64("n"))).collect())
}

/// Complaints received in a period, counted per department handling them.
pub async fn complaints_between(store: &Store, from_ms: i64, until_ms: i64) -> StoreResult<Vec<(i64, i64)>> {
    const SQL: &str = const_concat!(
        "SELECT department_id, COUNT(*) AS n FROM interactions WHERE kind = ",
        sql_code!(Kind::Complaint),
        " AND received_at >= $1 AND received_at < $2 GROUP BY department_id"
    );
    let rows = between(store, SQL, from_ms, until_ms).await?;
    Ok(rows.iter().map(|r| (r.i64("department_id"), r.i64("n"))).collect())
}

/// A completed sign-in of a staff member (the second factor passed where asked).
#[derive(Debug, Clone)]
pub struct Login {
    pub user_id: i64,
    pub department_id: Option<i64>,
    pub at: i64,
}

pub async fn staff_logins_between(store: &Store, from_ms: i64, until_ms: i64) -> StoreResult<Vec<Login>> {
    const SQL: &str = const_concat!(
        "SELECT s.user_id, u.department_id, s.created_at FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.created_at >= $1 AND s.created_at < $2 AND s.mfa_pending = 0 AND u.kind = ",
        sql_code!(AccountKind::Staff),
        " ORDER BY s.created_at"
    );
    let rows = between(store, SQL, from_ms, until_ms).await?;
    Ok(rows
        .iter()
        .map(|r| Login {
            user_id: r.i64("user_id"),
            department_id: r.opt_i64("department_id"),
            at: r.i64("created_at"),
        })
        .collect())
}

/// Active staff holding a role, as (id, name).
pub async fn staff_with_role(store: &Store, role: &str) -> StoreResult<Vec<(i64, String)>> {
    const SQL: &str = const_concat!(
        "SELECT u.id, u.display_name FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE r.role = $1 AND u.active = 1 AND u.kind = ",
        sql_code!(AccountKind::Staff),
        " ORDER BY u.id"
    );
    let rows = query(SQL).bind(role).fetch_all(store.pool()).await?;
    Ok(rows.iter().map(|r| (r.i64("id"), r.str("display_name"))).collect())
}

// ---------- publications ----------

#[derive(Debug, Clone, Serialize)]
pub struct Publication {
    pub id: i64,
    pub period: String,
    pub kind: String,
    pub label: String,
    /// JSON of the published lines.
    pub body: String,
    /// JSON of the configuration they were scored with.
    pub config: String,
    pub published_at: i64,
    pub published_by: i64,
    pub publisher_name: String,
    pub note: String,
}

fn publication(r: &Row) -> Publication {
    Publication {
        id: r.i64("id"),
        period: r.str("period"),
        kind: r.str("kind"),
        label: r.str("label"),
        body: r.str("body"),
        config: r.str("config"),
        published_at: r.i64("published_at"),
        published_by: r.i64("published_by"),
        publisher_name: r.str("publisher_name"),
        note: r.str("note"),
    }
}

pub struct NewPublication<'a> {
    pub period: &'a str,
    pub kind: &'a str,
    pub label: &'a str,
    pub body: &'a str,
    pub config: &'a str,
    pub published_by: i64,
    pub publisher_name: &'a str,
    pub note: &'a str,
}

pub async fn publish(tx: &mut Tx, p: &NewPublication<'_>, now_ms: i64) -> StoreResult<i64> {
    let row = query(
        "INSERT INTO evaluation_publications (period, kind, label, body, config, published_at, published_by, \
         publisher_name, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(p.period)
    .bind(p.kind)
    .bind(p.label)
    .bind(p.body)
    .bind(p.config)
    .bind(now_ms)
    .bind(p.published_by)
    .bind(p.publisher_name)
    .bind(p.note)
    .fetch_one(tx.conn())
    .await?;
    Ok(row.i64("id"))
}

/// The latest publication of each period, newest period first.
pub async fn latest_publications(store: &Store, limit: i64) -> StoreResult<Vec<Publication>> {
    let rows = query(
        "SELECT * FROM evaluation_publications p WHERE p.id = \
         (SELECT MAX(id) FROM evaluation_publications q WHERE q.period = p.period) \
         ORDER BY p.published_at DESC, p.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(publication).collect())
}

/// Every publication of a period, latest first.
pub async fn publications_of(store: &Store, period: &str) -> StoreResult<Vec<Publication>> {
    let rows = query("SELECT * FROM evaluation_publications WHERE period = $1 ORDER BY id DESC")
        .bind(period)
        .fetch_all(store.pool())
        .await?;
    Ok(rows.iter().map(publication).collect())
}
