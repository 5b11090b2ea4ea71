//! What the rules read: open cases a page at a time, overdue interactions
//! and rating follow-ups.

use crate::db::{query, Row};
use crate::{RowExt, Store, StoreResult};
use zwfw_domain::cases::CaseState;
use zwfw_domain::interaction::State as InteractionState;
use zwfw_domain::rating::FollowUp;
use zwfw_domain::{const_concat, sql_code, sql_list};

/// An open case as the time-based rules read it.
#[derive(Debug, Clone)]
pub struct OpenCaseRow {
    pub id: i64,
    pub case_no: String,
    pub version_id: i64,
    pub department_id: i64,
    pub handling_department_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub state: String,
    pub suspended: bool,
    pub step_no: i64,
    pub step_name: String,
    pub step_due: Option<String>,
    pub promised_due: Option<String>,
    pub legal_due: Option<String>,
    pub deemed_accepted: bool,
    pub supplement_notices: i64,
    pub concluded: bool,
}

const OPEN_COLS: &str =
    "id, case_no, version_id, department_id, handling_department_id, assignee_id, state, suspended, \
    step_no, step_name, step_due, promised_due, legal_due, deemed_accepted, supplement_notices, concluded_at";

fn open_row(r: &Row) -> OpenCaseRow {
    OpenCaseRow {
        id: r.i64("id"),
        case_no: r.str("case_no"),
        version_id: r.i64("version_id"),
        department_id: r.i64("department_id"),
        handling_department_id: r.opt_i64("handling_department_id"),
        assignee_id: r.opt_i64("assignee_id"),
        state: r.str("state"),
        suspended: r.flag("suspended"),
        step_no: r.i64("step_no"),
        step_name: r.str("step_name"),
        step_due: r.opt_str("step_due"),
        promised_due: r.opt_str("promised_due"),
        legal_due: r.opt_str("legal_due"),
        deemed_accepted: r.flag("deemed_accepted"),
        supplement_notices: r.i64("supplement_notices"),
        concluded: r.opt_i64("concluded_at").is_some(),
    }
}

/// Which cases a sweep reads.
#[derive(Debug, Clone)]
pub enum Sweep {
    /// Every open case that any time-based rule could hold for on `today`
    /// (a promised deadline on or before `warn_until`, a passed legal or step
    /// deadline, deemed acceptance, repeated supplement notices, a running
    /// special procedure), `after` an id, a page at a time.
    Full { today: String, warn_until: String, after: i64 },
    /// Open cases whose promised deadline lies in [`from`, `to`]: from the
    /// last day evaluated (those that became overdue since) to today's W01
    /// cutoff (those that came near).
    Promised { from: String, to: String },
    /// Open cases whose legal deadline lies in [`from`, `to`).
    Legal { from: String, to: String },
    /// One department's open cases whose step deadline lies in [`from`, `to`).
    Step { department_id: i64, from: String, to: String },
    /// The open cases in a special procedure.
    Suspended,
    /// These cases, open or not.
    Ids(Vec<i64>),
}

pub const SWEEP_PAGE: i64 = 20_000;

pub async fn sweep(store: &Store, s: &Sweep) -> StoreResult<Vec<OpenCaseRow>> {
    // A case's conclusion time is set when it reaches an ended state
    // (`CaseState::ENDED`): the cases without one are drafts and open
    // cases, and the indexes of open cases by deadline (migration 0010) say
    // the same.
    let open = "concluded_at IS NULL";
    let draft = sql_code!(CaseState::Draft);
    let q = match s {
        Sweep::Full { today, warn_until, after } => query(format!(
            "SELECT {OPEN_COLS} FROM cases WHERE id > $1 AND {open} AND state <> {draft} AND (promised_due <= $2 \
             OR legal_due < $3 OR step_due < $3 OR deemed_accepted = 1 OR supplement_notices > 1 OR suspended = 1) \
             ORDER BY id LIMIT {SWEEP_PAGE}"
        ))
        .bind(*after)
        .bind(warn_until)
        .bind(today),
        Sweep::Promised { from, to } => query(format!(
            "SELECT {OPEN_COLS} FROM cases WHERE {open} AND promised_due IS NOT NULL AND promised_due >= $1 AND promised_due <= $2"
        ))
        .bind(from)
        .bind(to),
        Sweep::Legal { from, to } => query(format!(
            "SELECT {OPEN_COLS} FROM cases WHERE {open} AND legal_due IS NOT NULL AND legal_due >= $1 AND legal_due < $2"
        ))
        .bind(from)
        .bind(to),
        Sweep::Step { department_id, from, to } => query(format!(
            "SELECT {OPEN_COLS} FROM cases WHERE handling_department_id = $1 AND step_due >= $2 AND step_due < $3"
        ))
        .bind(*department_id)
        .bind(from)
        .bind(to),
        Sweep::Suspended => {
            query(format!("SELECT {OPEN_COLS} FROM cases WHERE suspended = 1 AND {open}"))
        }
        Sweep::Ids(ids) => {
            if ids.is_empty() {
                return Ok(vec![]);
            }
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            query(format!("SELECT {OPEN_COLS} FROM cases WHERE id IN ({})", list.join(",")))
        }
    };
    Ok(q.fetch_all(store.pool()).await?.iter().map(open_row).collect())
}

/// Submissions still unanswered after their due day (A08).
pub async fn overdue_interactions(store: &Store, today: &str) -> StoreResult<Vec<(i64, String, i64, String)>> {
    const SQL: &str = const_concat!(
        "SELECT id, code, department_id, due FROM interactions WHERE state = ",
        sql_code!(InteractionState::Open),
        " AND due < $1"
    );
    let rows = query(SQL).bind(today).fetch_all(store.pool()).await?;
    Ok(rows.iter().map(|r| (r.i64("id"), r.str("code"), r.i64("department_id"), r.str("due"))).collect())
}

/// Bad ratings whose follow-up is not replied after its due day (A08).
pub async fn overdue_follow_ups(store: &Store, today: &str) -> StoreResult<Vec<(i64, i64, i64, Option<i64>, String)>> {
    const SQL: &str = const_concat!(
        "SELECT id, case_id, department_id, handler_id, follow_up_due FROM ratings WHERE follow_up IN (",
        sql_list!(FollowUp, FollowUp::PENDING),
        ") AND follow_up_due < $1"
    );
    let rows = query(SQL).bind(today).fetch_all(store.pool()).await?;
    Ok(rows
        .iter()
        .map(|r| {
            (r.i64("id"), r.i64("case_id"), r.i64("department_id"), r.opt_i64("handler_id"), r.str("follow_up_due"))
        })
        .collect())
}
