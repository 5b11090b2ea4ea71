//! Findings (整改): inserted from the rules' facts, counted, replied to and
//! decided.

use super::{by_id, ASKS_REPLY, FINDING_ACTIVE, F_ASKS_REPLY};
use crate::db::{query, Row};
use crate::{RowExt, Store, StoreResult, Tx};
use serde::Serialize;
use zwfw_domain::supervision::{FindingState, RuleCode, Severity};
use zwfw_domain::{const_concat, sql_code};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: serde_json::Value,
    pub found_at: i64,
    pub found_on: String,
    pub state: String,
    pub reply_due: Option<String>,
    pub reply: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<zwfw_domain::files::Attachment>))]
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

pub(super) fn json_of(s: &str) -> serde_json::Value {
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
pub(super) async fn set_reply(
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
