//! Electronic supervision: rules, findings, oversight orders, the job table,
//! the change feed (the audit trail) and the dashboard's counts.

use crate::db::{query, Row};
use crate::{RowExt, Store, StoreError, StoreResult, Tx};
use serde::Serialize;
use zwfw_domain::cases::CaseState;
use zwfw_domain::interaction::State as InteractionState;
use zwfw_domain::rating::FollowUp;
use zwfw_domain::supervision::{FindingState, OrderState, RuleCode, Severity};
use zwfw_domain::{const_concat, sql_code, sql_list};

/// The findings that ask for a reply ([`Severity::NEEDS_REPLY`]: all but
/// warnings), in the words of the condition of the partial indexes of
/// migration 0015, so that a query saying it can use them. A store test
/// checks that the domain's set and the indexes' condition agree.
pub(crate) const ASKS_REPLY: &str = const_concat!("severity <> ", sql_code!(Severity::Warning));
/// [`ASKS_REPLY`] for the findings named `f`.
const F_ASKS_REPLY: &str = const_concat!("f.", ASKS_REPLY);
/// Findings not closed ([`FindingState::ACTIVE`]).
const FINDING_ACTIVE: &str = const_concat!("state IN (", sql_list!(FindingState, FindingState::ACTIVE), ")");

// ---------- rules ----------

#[derive(Debug, Clone, Serialize)]
pub struct RuleRow {
    pub code: String,
    pub name: String,
    pub severity: String,
    /// JSON of the rule's parameters.
    pub params: String,
    pub enabled: bool,
    pub updated_at: i64,
    pub updated_by: Option<i64>,
}

pub async fn rules(store: &Store) -> StoreResult<Vec<RuleRow>> {
    let rows = query("SELECT * FROM supervision_rules ORDER BY code").fetch_all(store.pool()).await?;
    Ok(rows
        .iter()
        .map(|r| RuleRow {
            code: r.str("code"),
            name: r.str("name"),
            severity: r.str("severity"),
            params: r.str("params"),
            enabled: r.flag("enabled"),
            updated_at: r.i64("updated_at"),
            updated_by: r.opt_i64("updated_by"),
        })
        .collect())
}

/// Adds a rule with its defaults unless it exists (first start, upgrades).
pub async fn add_rule_if_missing(
    tx: &mut Tx,
    code: &str,
    name: &str,
    severity: &str,
    params: &str,
    now_ms: i64,
) -> StoreResult<bool> {
    let r = query(
        "INSERT INTO supervision_rules (code, name, severity, params, enabled, updated_at) VALUES ($1, $2, $3, $4, 1, $5) \
         ON CONFLICT (code) DO NOTHING",
    )
    .bind(code)
    .bind(name)
    .bind(severity)
    .bind(params)
    .bind(now_ms)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn update_rule(
    tx: &mut Tx,
    code: &str,
    name: &str,
    params: &str,
    enabled: bool,
    by: i64,
    now_ms: i64,
) -> StoreResult<()> {
    let r = query("UPDATE supervision_rules SET name = $1, params = $2, enabled = $3, updated_by = $4, updated_at = $5 WHERE code = $6")
        .bind(name)
        .bind(params)
        .bind(crate::flag(enabled))
        .bind(by)
        .bind(now_ms)
        .bind(code)
        .execute(tx.conn())
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound("rule"));
    }
    Ok(())
}

// ---------- jobs ----------

#[derive(Debug, Clone, Serialize)]
pub struct JobRow {
    pub name: String,
    pub locked_by: Option<String>,
    pub locked_until: i64,
    pub state: String,
    pub runs: i64,
    pub last_started: Option<i64>,
    pub last_finished: Option<i64>,
    pub last_result: String,
    pub last_error: Option<String>,
}

pub async fn job(store: &Store, name: &str) -> StoreResult<Option<JobRow>> {
    let r = query("SELECT * FROM jobs WHERE name = $1").bind(name).fetch_optional(store.pool()).await?;
    Ok(r.map(|r| JobRow {
        name: r.str("name"),
        locked_by: r.opt_str("locked_by"),
        locked_until: r.i64("locked_until"),
        state: r.str("state"),
        runs: r.i64("runs"),
        last_started: r.opt_i64("last_started"),
        last_finished: r.opt_i64("last_finished"),
        last_result: r.str("last_result"),
        last_error: r.opt_str("last_error"),
    }))
}

/// Takes the job's lease for `lease_ms` if nobody holds it (or `holder`
/// already does) and returns the job's state; `None` when another server
/// holds it. The lease is taken by one conditional update, so that exactly
/// one of several servers racing for it wins.
pub async fn claim_job(
    store: &Store,
    name: &str,
    holder: &str,
    now_ms: i64,
    lease_ms: i64,
) -> StoreResult<Option<String>> {
    let mut tx = store.begin().await?;
    query(
        "INSERT INTO jobs (name, locked_until, state, runs, last_result) VALUES ($1, 0, '', 0, '') ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .execute(tx.conn())
    .await?;
    let r = query(
        "UPDATE jobs SET locked_by = $1, locked_until = $2, last_started = $3, runs = runs + 1 \
         WHERE name = $4 AND (locked_until < $3 OR locked_by = $1)",
    )
    .bind(holder)
    .bind(now_ms + lease_ms)
    .bind(now_ms)
    .bind(name)
    .execute(tx.conn())
    .await?;
    if r.rows_affected() == 0 {
        tx.commit().await?;
        return Ok(None);
    }
    let state = query("SELECT state FROM jobs WHERE name = $1").bind(name).fetch_one(tx.conn()).await?.str("state");
    tx.commit().await?;
    Ok(Some(state))
}

/// Saves the job's progress and gives the lease back. Does nothing (and
/// says so) when the lease was lost meanwhile.
pub async fn finish_job(
    store: &Store,
    name: &str,
    holder: &str,
    state: Option<&str>,
    result: &str,
    error: Option<&str>,
    now_ms: i64,
) -> StoreResult<bool> {
    let r = query(
        "UPDATE jobs SET state = COALESCE($1, state), locked_by = NULL, locked_until = 0, last_finished = $2, \
         last_result = $3, last_error = $4 WHERE name = $5 AND locked_by = $6",
    )
    .bind(state)
    .bind(now_ms)
    .bind(result)
    .bind(error)
    .bind(name)
    .bind(holder)
    .execute(store.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Sets a job's state outright (used to ask for a full evaluation).
pub async fn reset_job(tx: &mut Tx, name: &str) -> StoreResult<()> {
    query("UPDATE jobs SET state = '' WHERE name = $1").bind(name).execute(tx.conn()).await?;
    Ok(())
}

// ---------- the change feed ----------

/// Objects changed after audit record `after`: (seq, object type, object id), oldest first
/// (after sealing what is pending, so that the feed misses no commit).
pub async fn changes(store: &Store, after: i64, limit: i64) -> StoreResult<Vec<(i64, String, String)>> {
    crate::audit::seal(store).await?;
    let rows = query(format!(
        "SELECT seq, object_type, object_id FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT {}",
        limit.clamp(1, 100_000)
    ))
    .bind(after)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(|r| (r.i64("seq"), r.str("object_type"), r.str("object_id"))).collect())
}

// ---------- what the rules read ----------

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

// ---------- findings ----------

#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub id: i64,
    pub finding_no: String,
    pub rule_code: String,
    pub rule_name: String,
    pub severity: String,
    pub object_kind: String,
    pub object_id: i64,
    pub fact_key: String,
    pub object_no: String,
    pub item_type: String,
    pub department_id: Option<i64>,
    pub department_name: String,
    pub county_region_id: Option<i64>,
    pub responsible_user_id: Option<i64>,
    pub responsible_name: String,
    pub description: String,
    pub detail: serde_json::Value,
    pub found_at: i64,
    pub found_on: String,
    pub state: String,
    pub reply_due: Option<String>,
    pub reply: Option<String>,
    pub reply_files: serde_json::Value,
    pub replied_at: Option<i64>,
    pub replied_by: Option<i64>,
    pub decided_at: Option<i64>,
    pub decided_by: Option<i64>,
    pub decision_note: Option<String>,
    pub closed_at: Option<i64>,
    pub updated_at: i64,
}

const FINDING_COLS: &str = "f.*, COALESCE(d.name, '') AS department_name, COALESCE(r.name, f.rule_code) AS rule_name";
const FINDING_FROM: &str =
    "findings f LEFT JOIN departments d ON d.id = f.department_id LEFT JOIN supervision_rules r ON r.code = f.rule_code";

fn json_of(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or(serde_json::Value::Null)
}

fn finding_row(r: &Row) -> FindingRow {
    FindingRow {
        id: r.i64("id"),
        finding_no: r.str("finding_no"),
        rule_code: r.str("rule_code"),
        rule_name: r.str("rule_name"),
        severity: r.str("severity"),
        object_kind: r.str("object_kind"),
        object_id: r.i64("object_id"),
        fact_key: r.str("fact_key"),
        object_no: r.str("object_no"),
        item_type: r.str("item_type"),
        department_id: r.opt_i64("department_id"),
        department_name: r.str("department_name"),
        county_region_id: r.opt_i64("county_region_id"),
        responsible_user_id: r.opt_i64("responsible_user_id"),
        responsible_name: r.str("responsible_name"),
        description: r.str("description"),
        detail: json_of(&r.str("detail")),
        found_at: r.i64("found_at"),
        found_on: r.str("found_on"),
        state: r.str("state"),
        reply_due: r.opt_str("reply_due"),
        reply: r.opt_str("reply"),
        reply_files: json_of(&r.str("reply_files")),
        replied_at: r.opt_i64("replied_at"),
        replied_by: r.opt_i64("replied_by"),
        decided_at: r.opt_i64("decided_at"),
        decided_by: r.opt_i64("decided_by"),
        decision_note: r.opt_str("decision_note"),
        closed_at: r.opt_i64("closed_at"),
        updated_at: r.i64("updated_at"),
    }
}

pub struct NewFinding<'a> {
    pub finding_no: String,
    pub rule_code: &'a str,
    pub severity: &'a str,
    pub object_kind: &'a str,
    pub object_id: i64,
    pub fact_key: &'a str,
    pub object_no: &'a str,
    pub item_type: &'a str,
    pub department_id: Option<i64>,
    pub county_region_id: Option<i64>,
    pub responsible_user_id: Option<i64>,
    pub responsible_name: &'a str,
    pub description: String,
    pub detail: String,
    pub found_on: &'a str,
    pub state: &'a str,
    pub reply_due: Option<String>,
}

/// A finding just stored.
#[derive(Debug, Clone)]
pub struct Inserted {
    pub id: i64,
    pub finding_no: String,
    pub rule_code: String,
    pub severity: String,
    pub department_id: Option<i64>,
}

/// Records the findings whose fact is not recorded yet (several rows per
/// statement) and says which were new.
pub async fn insert_findings(tx: &mut Tx, rows: &[NewFinding<'_>], now_ms: i64) -> StoreResult<Vec<Inserted>> {
    const COLS: usize = 18;
    const CHUNK: usize = 100;
    // The statement for `n` rows; the one of a whole chunk is made once.
    fn statement(n: usize) -> String {
        let values: Vec<String> = (0..n)
            .map(|i| {
                let p: Vec<String> = (1..=COLS).map(|c| format!("${}", i * COLS + c)).collect();
                format!("({}, '[]', ${})", p.join(", "), i * COLS + 14)
            })
            .collect();
        format!(
            "INSERT INTO findings (finding_no, rule_code, severity, object_kind, object_id, fact_key, object_no, item_type, \
             department_id, county_region_id, responsible_user_id, responsible_name, description, found_at, detail, \
             found_on, state, reply_due, reply_files, updated_at) VALUES {} \
             ON CONFLICT (object_kind, object_id, rule_code, fact_key) DO NOTHING \
             RETURNING id, finding_no, rule_code, severity, department_id",
            values.join(", ")
        )
    }
    static WHOLE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let mut out = vec![];
    for chunk in rows.chunks(CHUNK) {
        let sql =
            if chunk.len() == CHUNK { WHOLE.get_or_init(|| statement(CHUNK)).clone() } else { statement(chunk.len()) };
        let mut q = query(sql);
        for f in chunk {
            q = q
                .bind(f.finding_no.as_str())
                .bind(f.rule_code)
                .bind(f.severity)
                .bind(f.object_kind)
                .bind(f.object_id)
                .bind(f.fact_key)
                .bind(f.object_no)
                .bind(f.item_type)
                .bind(f.department_id)
                .bind(f.county_region_id)
                .bind(f.responsible_user_id)
                .bind(f.responsible_name)
                .bind(f.description.as_str())
                .bind(now_ms)
                .bind(f.detail.as_str())
                .bind(f.found_on)
                .bind(f.state)
                .bind(f.reply_due.as_deref());
        }
        for r in q.fetch_all(tx.conn()).await? {
            out.push(Inserted {
                id: r.i64("id"),
                finding_no: r.str("finding_no"),
                rule_code: r.str("rule_code"),
                severity: r.str("severity"),
                department_id: r.opt_i64("department_id"),
            });
        }
    }
    Ok(out)
}

/// Adds `delta` to a running count (see the `finding_tallies` table).
pub async fn tally(tx: &mut Tx, scope: &str, key: &str, severity: &str, delta: i64) -> StoreResult<()> {
    query(
        "INSERT INTO finding_tallies (scope, tkey, severity, n) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (scope, tkey, severity) DO UPDATE SET n = finding_tallies.n + $4",
    )
    .bind(scope)
    .bind(key)
    .bind(severity)
    .bind(delta)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The running counts of a scope: (key, severity, n).
pub async fn tallies(store: &Store, scope: &str, from_key: &str) -> StoreResult<Vec<(String, String, i64)>> {
    let rows = query("SELECT tkey, severity, n FROM finding_tallies WHERE scope = $1 AND tkey >= $2 AND n <> 0")
        .bind(scope)
        .bind(from_key)
        .fetch_all(store.pool())
        .await?;
    Ok(rows.iter().map(|r| (r.str("tkey"), r.str("severity"), r.i64("n"))).collect())
}

/// Counts findings not closed per department and severity (to check the running counts).
pub async fn count_active(store: &Store) -> StoreResult<Vec<(Option<i64>, String, i64)>> {
    const SQL: &str = const_concat!(
        "SELECT department_id, severity, COUNT(*) AS n FROM findings WHERE ",
        FINDING_ACTIVE,
        " GROUP BY department_id, severity"
    );
    let rows = query(SQL).fetch_all(store.pool()).await?;
    Ok(rows.iter().map(|r| (r.opt_i64("department_id"), r.str("severity"), r.i64("n"))).collect())
}

/// The (rule, object, key) facts already recorded for these objects: one
/// index range over their ids when they are many and dense (a sweep reads
/// cases in id order), lists of ids otherwise.
pub async fn known_facts(store: &Store, object_kind: &str, ids: &[i64]) -> StoreResult<Vec<(String, i64, String)>> {
    let (Some(lo), Some(hi)) = (ids.iter().min(), ids.iter().max()) else {
        return Ok(vec![]);
    };
    let sql = "SELECT rule_code, object_id, fact_key FROM findings WHERE object_kind = $1";
    let mut rows = vec![];
    if ids.len() > 200 && (hi - lo) / 20 < ids.len() as i64 {
        let q = query(format!("{sql} AND object_id >= $2 AND object_id <= $3")).bind(object_kind).bind(*lo).bind(*hi);
        rows = q.fetch_all(store.pool()).await?;
    } else {
        for chunk in ids.chunks(500) {
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            let q = query(format!("{sql} AND object_id IN ({})", list.join(","))).bind(object_kind);
            rows.extend(q.fetch_all(store.pool()).await?);
        }
    }
    let wanted: std::collections::HashSet<i64> = ids.iter().copied().collect();
    Ok(rows
        .iter()
        .map(|r| (r.str("rule_code"), r.i64("object_id"), r.str("fact_key")))
        .filter(|(_, id, _)| wanted.contains(id))
        .collect())
}

/// One row by id: `cols` from `from` where `alias.id` is `id`.
async fn by_id<T>(
    ex: crate::db::Ex<'_>,
    cols: &str,
    from: &str,
    alias: &str,
    id: i64,
    what: &'static str,
    map: fn(&Row) -> T,
) -> StoreResult<T> {
    query(format!("SELECT {cols} FROM {from} WHERE {alias}.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?
        .map(|r| map(&r))
        .ok_or(StoreError::NotFound(what))
}

pub async fn get_finding(store: &Store, id: i64) -> StoreResult<FindingRow> {
    by_id(store.pool(), FINDING_COLS, FINDING_FROM, "f", id, "finding", finding_row).await
}

pub async fn lock_finding(tx: &mut Tx, id: i64) -> StoreResult<FindingRow> {
    crate::lock_row(tx, "findings", id).await?;
    by_id(tx.conn(), FINDING_COLS, FINDING_FROM, "f", id, "finding", finding_row).await
}

#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub department_id: Option<i64>,
    pub county_region_id: Option<i64>,
    pub severity: Option<String>,
    pub rule_code: Option<String>,
    /// A state's code, or [`FindingState::ACTIVE_CODE`] for every state but closed
    pub state: Option<String>,
    pub object: Option<(String, i64)>,
    /// Only those waiting for a reply past their due day (this day).
    pub reply_overdue_on: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list_findings(store: &Store, f: &FindingFilter) -> StoreResult<(Vec<FindingRow>, i64)> {
    let mut conds: Vec<String> = vec!["1 = 1".into()];
    let mut binds: Vec<crate::db::Value> = vec![];
    let mut bind = |v: crate::db::Value, conds: &mut Vec<String>, sql: &str| {
        binds.push(v);
        conds.push(sql.replace('?', &format!("${}", binds.len())));
    };
    use crate::db::{IntoValue, Value};
    if let Some(d) = f.department_id {
        bind(d.into_value(), &mut conds, "f.department_id = ?");
    }
    if let Some(c) = f.county_region_id {
        bind(c.into_value(), &mut conds, "f.county_region_id = ?");
    }
    if let Some(s) = &f.severity {
        bind(Value::Text(s.clone()), &mut conds, "f.severity = ?");
    }
    if let Some(s) = &f.rule_code {
        bind(Value::Text(s.clone()), &mut conds, "f.rule_code = ?");
    }
    match f.state.as_deref() {
        None => {}
        Some(FindingState::ACTIVE_CODE) => conds.push(const_concat!("f.", FINDING_ACTIVE).into()),
        Some(s) => bind(Value::Text(s.to_string()), &mut conds, "f.state = ?"),
    }
    if let Some((k, id)) = &f.object {
        bind(Value::Text(k.clone()), &mut conds, "f.object_kind = ?");
        bind(id.into_value(), &mut conds, "f.object_id = ?");
    }
    if let Some(day) = &f.reply_overdue_on {
        const OVERDUE: &str = const_concat!("f.state = ", sql_code!(FindingState::Open), " AND f.reply_due < ?");
        bind(Value::Text(day.clone()), &mut conds, OVERDUE);
    }
    // Warnings are only noted or closed; the indexes by state and by rule
    // leave them out, and a query says so to use them (migration 0015).
    let asks_reply = f.state.as_deref().and_then(FindingState::parse).is_some_and(|s| !s.open_to_warnings())
        || f.reply_overdue_on.is_some()
        || f.severity.as_deref().and_then(Severity::parse).is_some_and(Severity::needs_reply)
        || f.rule_code.as_deref().and_then(RuleCode::parse).is_some_and(|r| r.severity().needs_reply());
    if asks_reply {
        conds.push(F_ASKS_REPLY.into());
    }
    let filter = conds.join(" AND ");
    let mut q = query(format!(
        "SELECT {FINDING_COLS} FROM {FINDING_FROM} WHERE {filter} ORDER BY f.id DESC LIMIT {} OFFSET {}",
        f.limit.clamp(1, 500),
        f.offset.max(0)
    ));
    let mut c = query(format!("SELECT COUNT(*) AS n FROM findings f WHERE {filter}"));
    for b in binds {
        q = q.bind(b.clone());
        c = c.bind(b);
    }
    let rows = q.fetch_all(store.pool()).await?.iter().map(finding_row).collect();
    Ok((rows, c.fetch_one(store.pool()).await?.i64("n")))
}

/// Records the department's reply to a finding or an order (`table`), which moves to `state`.
#[allow(clippy::too_many_arguments)]
async fn set_reply(
    tx: &mut Tx,
    table: &str,
    state: &'static str,
    id: i64,
    text: &str,
    files: &str,
    by: i64,
    now_ms: i64,
) -> StoreResult<()> {
    query(format!(
        "UPDATE {table} SET state = '{state}', reply = $1, reply_files = $2, replied_at = $3, replied_by = $4, \
         updated_at = $3 WHERE id = $5"
    ))
    .bind(text)
    .bind(files)
    .bind(now_ms)
    .bind(by)
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Records the department's reply to a finding.
pub async fn reply_finding(tx: &mut Tx, id: i64, text: &str, files: &str, by: i64, now_ms: i64) -> StoreResult<()> {
    set_reply(tx, "findings", FindingState::Replied.code(), id, text, files, by, now_ms).await
}

/// Records the supervision officer's decision: `closed`, or `open` again with a new due day.
pub async fn decide_finding(
    tx: &mut Tx,
    id: i64,
    state: &str,
    note: &str,
    new_due: Option<&str>,
    by: i64,
    now_ms: i64,
) -> StoreResult<()> {
    const SQL: &str = const_concat!(
        "UPDATE findings SET state = $1, decision_note = $2, reply_due = COALESCE($3, reply_due), decided_at = $4, \
         decided_by = $5, closed_at = CASE WHEN $1 = ",
        sql_code!(FindingState::Closed),
        " THEN $4 ELSE NULL END, updated_at = $4 WHERE id = $6"
    );
    query(SQL).bind(state).bind(note).bind(new_due).bind(now_ms).bind(by).bind(id).execute(tx.conn()).await?;
    Ok(())
}

/// Yellow cards not yet closed found in (`after`, `until`]: (case id, found on, department).
pub async fn unclosed_yellow(
    store: &Store,
    after: Option<&str>,
    until: &str,
) -> StoreResult<Vec<(i64, String, Option<i64>)>> {
    const SQL: &str = const_concat!(
        "SELECT object_id, found_on, department_id FROM findings WHERE rule_code = ",
        sql_code!(RuleCode::Y01),
        " AND ",
        ASKS_REPLY,
        " AND found_on > $1 AND found_on <= $2 AND ",
        FINDING_ACTIVE
    );
    let rows = query(SQL).bind(after.unwrap_or("")).bind(until).fetch_all(store.pool()).await?;
    Ok(rows.iter().map(|r| (r.i64("object_id"), r.str("found_on"), r.opt_i64("department_id"))).collect())
}

// ---------- events ----------

#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub id: i64,
    pub kind: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub text: String,
    pub files: serde_json::Value,
    pub at: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn add_event(
    tx: &mut Tx,
    object_kind: &str,
    object_id: i64,
    kind: &str,
    actor_id: Option<i64>,
    actor_name: &str,
    text: &str,
    files: &str,
    now_ms: i64,
) -> StoreResult<()> {
    query(
        "INSERT INTO supervision_events (object_kind, object_id, kind, actor_id, actor_name, text, files, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(object_kind)
    .bind(object_id)
    .bind(kind)
    .bind(actor_id)
    .bind(actor_name)
    .bind(text)
    .bind(files)
    .bind(now_ms)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn events(store: &Store, object_kind: &str, object_id: i64) -> StoreResult<Vec<EventRow>> {
    let rows = query("SELECT * FROM supervision_events WHERE object_kind = $1 AND object_id = $2 ORDER BY id")
        .bind(object_kind)
        .bind(object_id)
        .fetch_all(store.pool())
        .await?;
    Ok(rows
        .iter()
        .map(|r| EventRow {
            id: r.i64("id"),
            kind: r.str("kind"),
            actor_id: r.opt_i64("actor_id"),
            actor_name: r.str("actor_name"),
            text: r.str("text"),
            files: json_of(&r.str("files")),
            at: r.i64("at"),
        })
        .collect())
}

// ---------- oversight orders ----------

#[derive(Debug, Clone, Serialize)]
pub struct OrderRow {
    pub id: i64,
    pub order_no: String,
    pub finding_id: Option<i64>,
    pub case_id: Option<i64>,
    pub department_id: i64,
    pub department_name: String,
    pub content: String,
    pub days: i64,
    pub due: String,
    pub state: String,
    pub level: i64,
    pub issued_by: i64,
    pub issued_by_name: String,
    pub issued_at: i64,
    pub reply: Option<String>,
    pub reply_files: serde_json::Value,
    pub replied_at: Option<i64>,
    pub replied_by: Option<i64>,
    pub decision_note: Option<String>,
    pub closed_at: Option<i64>,
    pub updated_at: i64,
}

const ORDER_COLS: &str = "o.*, d.name AS department_name";
const ORDER_FROM: &str = "oversight_orders o JOIN departments d ON d.id = o.department_id";

fn order_row(r: &Row) -> OrderRow {
    OrderRow {
        id: r.i64("id"),
        order_no: r.str("order_no"),
        finding_id: r.opt_i64("finding_id"),
        case_id: r.opt_i64("case_id"),
        department_id: r.i64("department_id"),
        department_name: r.str("department_name"),
        content: r.str("content"),
        days: r.i64("days"),
        due: r.str("due"),
        state: r.str("state"),
        level: r.i64("level"),
        issued_by: r.i64("issued_by"),
        issued_by_name: r.str("issued_by_name"),
        issued_at: r.i64("issued_at"),
        reply: r.opt_str("reply"),
        reply_files: json_of(&r.str("reply_files")),
        replied_at: r.opt_i64("replied_at"),
        replied_by: r.opt_i64("replied_by"),
        decision_note: r.opt_str("decision_note"),
        closed_at: r.opt_i64("closed_at"),
        updated_at: r.i64("updated_at"),
    }
}

pub struct NewOrder<'a> {
    pub order_no: &'a str,
    pub finding_id: Option<i64>,
    pub case_id: Option<i64>,
    pub department_id: i64,
    pub content: &'a str,
    pub days: i64,
    pub due: &'a str,
    pub issued_by: i64,
    pub issued_by_name: &'a str,
    pub idem_key: Option<&'a str>,
}

pub async fn insert_order(tx: &mut Tx, o: &NewOrder<'_>, now_ms: i64) -> StoreResult<i64> {
    const SQL: &str = const_concat!(
        "INSERT INTO oversight_orders (order_no, finding_id, case_id, department_id, content, days, due, state, level, \
         issued_by, issued_by_name, issued_at, reply_files, idem_key, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, ",
        sql_code!(OrderState::Issued),
        ", 0, $8, $9, $10, '[]', $11, $10) RETURNING id"
    );
    let r = query(SQL)
        .bind(o.order_no)
        .bind(o.finding_id)
        .bind(o.case_id)
        .bind(o.department_id)
        .bind(o.content)
        .bind(o.days)
        .bind(o.due)
        .bind(o.issued_by)
        .bind(o.issued_by_name)
        .bind(now_ms)
        .bind(o.idem_key)
        .fetch_one(tx.conn())
        .await
        .map_err(|e| StoreError::unique_as(e, "idem_key"))?;
    Ok(r.i64("id"))
}

pub async fn order_by_idem(store: &Store, key: &str) -> StoreResult<Option<i64>> {
    Ok(query("SELECT id FROM oversight_orders WHERE idem_key = $1")
        .bind(key)
        .fetch_optional(store.pool())
        .await?
        .map(|r| r.i64("id")))
}

pub async fn get_order(store: &Store, id: i64) -> StoreResult<OrderRow> {
    by_id(store.pool(), ORDER_COLS, ORDER_FROM, "o", id, "order", order_row).await
}

pub async fn lock_order(tx: &mut Tx, id: i64) -> StoreResult<OrderRow> {
    crate::lock_row(tx, "oversight_orders", id).await?;
    by_id(tx.conn(), ORDER_COLS, ORDER_FROM, "o", id, "order", order_row).await
}

/// Orders, newest first: of one department, about one finding, or all.
pub async fn list_orders(
    store: &Store,
    department_id: Option<i64>,
    finding_id: Option<i64>,
    state: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<OrderRow>> {
    let rows = query(format!(
        "SELECT {ORDER_COLS} FROM {ORDER_FROM} WHERE ($1 IS NULL OR o.department_id = $1) \
         AND ($2 IS NULL OR o.finding_id = $2) AND ($3 IS NULL OR o.state = $3) ORDER BY o.id DESC LIMIT {}",
        limit.clamp(1, 500)
    ))
    .bind(department_id)
    .bind(finding_id)
    .bind(state)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(order_row).collect())
}

/// Records the department head's answer to an order.
pub async fn answer_order(tx: &mut Tx, id: i64, text: &str, files: &str, by: i64, now_ms: i64) -> StoreResult<()> {
    set_reply(tx, "oversight_orders", OrderState::Answered.code(), id, text, files, by, now_ms).await
}

pub async fn decide_order(
    tx: &mut Tx,
    id: i64,
    state: &str,
    note: &str,
    new_due: Option<&str>,
    now_ms: i64,
) -> StoreResult<()> {
    const SQL: &str = const_concat!(
        "UPDATE oversight_orders SET state = $1, decision_note = $2, due = COALESCE($3, due), closed_at = CASE WHEN $1 = ",
        sql_code!(OrderState::Closed),
        " THEN $4 ELSE NULL END, updated_at = $4 WHERE id = $5"
    );
    query(SQL).bind(state).bind(note).bind(new_due).bind(now_ms).bind(id).execute(tx.conn()).await?;
    Ok(())
}

/// Orders still waiting for the answer after their due day.
pub async fn overdue_orders(store: &Store, today: &str) -> StoreResult<Vec<i64>> {
    const SQL: &str =
        const_concat!("SELECT id FROM oversight_orders WHERE state = ", sql_code!(OrderState::Issued), " AND due < $1");
    let rows = query(SQL).bind(today).fetch_all(store.pool()).await?;
    Ok(rows.iter().map(|r| r.i64("id")).collect())
}

pub async fn escalate_order(tx: &mut Tx, id: i64, due: &str, now_ms: i64) -> StoreResult<()> {
    query("UPDATE oversight_orders SET level = level + 1, due = $1, updated_at = $2 WHERE id = $3")
        .bind(due)
        .bind(now_ms)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

// ---------- dashboard ----------

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
