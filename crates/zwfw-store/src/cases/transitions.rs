//! Transitions: a case's event written with its new projection, in one
//! statement on PostgreSQL, and the row this process last wrote remembered.

use super::{add_document, append_event, get_case, next_serial, take_number, CaseRow, NewEvent, Projection};
use crate::db::Row;
use crate::{RowExt, Store, StoreError, StoreResult, Tx};

/// Writes the case's new projection `p` over `old`, the projection read at
/// `old.seq`, if the case is still at that event (false otherwise). Only the
/// columns that changed are set, so that an index whose columns did not
/// change is not rewritten (SQLite rewrites the entries of every index over
/// a column an UPDATE sets, changed or not).
pub async fn update_projection(
    tx: &mut Tx,
    id: i64,
    old: &Projection,
    p: &Projection,
    now_ms: i64,
) -> StoreResult<bool> {
    tx.recent.forget(id);
    let mut args = vec![];
    let sql = projection_update_sql(id, old, p, now_ms, &mut args);
    Ok(crate::db::query_with(sql, args).execute(tx.conn()).await?.rows_affected() == 1)
}

/// The UPDATE of [`update_projection`], its parameters appended to `args`
/// (numbered after those already there).
fn projection_update_sql(
    id: i64,
    old: &Projection,
    p: &Projection,
    now_ms: i64,
    args: &mut Vec<crate::db::Value>,
) -> String {
    use crate::db::{IntoValue, Value};
    let mut sets = vec![];
    let mut set = |col: &str, changed: bool, v: Value| {
        if changed {
            args.push(v);
            sets.push(format!("{col} = ${}", args.len()));
        }
    };
    let text = |v: &Option<String>| v.clone().into_value();
    set("seq", true, p.seq.into_value());
    set("updated_at", true, now_ms.into_value());
    set("view", true, Value::Text(p.view.clone()));
    set("state", p.state != old.state, Value::Text(p.state.clone()));
    set("step_no", p.step_no != old.step_no, p.step_no.into_value());
    set("step_name", p.step_name != old.step_name, Value::Text(p.step_name.clone()));
    set(
        "handling_department_id",
        p.handling_department_id != old.handling_department_id,
        p.handling_department_id.into_value(),
    );
    set("assignee_id", p.assignee_id != old.assignee_id, p.assignee_id.into_value());
    set("submitted_at", p.submitted_at != old.submitted_at, p.submitted_at.into_value());
    set("accepted_at", p.accepted_at != old.accepted_at, p.accepted_at.into_value());
    set("concluded_at", p.concluded_at != old.concluded_at, p.concluded_at.into_value());
    set("acceptance_due", p.acceptance_due != old.acceptance_due, text(&p.acceptance_due));
    set("promised_due", p.promised_due != old.promised_due, text(&p.promised_due));
    set("legal_due", p.legal_due != old.legal_due, text(&p.legal_due));
    set("step_due", p.step_due != old.step_due, text(&p.step_due));
    set("suspended", p.suspended != old.suspended, crate::flag(p.suspended).into_value());
    set("supplement_notices", p.supplement_notices != old.supplement_notices, p.supplement_notices.into_value());
    set("deemed_accepted", p.deemed_accepted != old.deemed_accepted, crate::flag(p.deemed_accepted).into_value());
    set("outcome", p.outcome != old.outcome, text(&p.outcome));
    set("result_no", p.result_no != old.result_no, text(&p.result_no));
    args.push(id.into_value());
    args.push(old.seq.into_value());
    let n = args.len();
    format!("UPDATE cases SET {} WHERE id = ${} AND seq = ${n}", sets.join(", "), n - 1)
}

/// The official document an event produces, numbered from a serial when written.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub kind: String,
    /// The serial the number is taken from (one per department, kind and year).
    pub serial: String,
    /// The number is `prefix`, the serial's next value, `suffix`.
    pub prefix: String,
    pub suffix: String,
}

impl NewDocument {
    pub fn number(&self, n: i64) -> String {
        format!("{}{n}{}", self.prefix, self.suffix)
    }
}

/// A transition of a case written on its own: the event, the projection
/// (only if the case is still at `old`), the document it produces and its
/// audit records.
pub struct Transition<'a> {
    pub event: NewEvent<'a>,
    pub old: &'a Projection,
    pub p: &'a Projection,
    pub document: Option<&'a NewDocument>,
    pub audit: &'a [zwfw_domain::audit::AuditEntry],
}

/// Writes a transition as one transaction; false, having written nothing,
/// when someone else moved the case first. Like every writer of a case, it
/// takes the case's row before inserting the event (no two writers can each
/// hold one and wait for the other). On PostgreSQL it is a single
/// statement (the projection's UPDATE gates the other writes, which are
/// data-modifying parts of the same statement): one round trip instead of
/// one per write plus BEGIN and COMMIT.
pub async fn write_transition(store: &Store, t: &Transition<'_>) -> StoreResult<bool> {
    let id = t.event.case_id;
    // The row this process knows is out while the write is under way, and
    // comes back moved only if the write committed.
    let known = store.recent.take(id);
    if store.backend() == crate::Backend::Postgres {
        let doc_no = match t.document {
            Some(d) => Some(d.number(take_number(store, &d.serial).await?)),
            None => None,
        };
        let moved = transition_result(transition_query(t, doc_no.as_deref()).fetch_one(store.pool()).await);
        if moved.as_ref().is_ok_and(|m| *m) {
            if !t.audit.is_empty() {
                store.audited();
            }
            remember_moved(store, known, t);
        } else if let (Some(d), Some(no)) = (t.document, &doc_no) {
            if moved.is_ok() {
                // Not written: the case had moved.
                let detail = serde_json::json!({ "kind": d.kind, "seq": t.event.seq });
                record_unused(store, t.audit, &id.to_string(), no, detail).await;
            } else {
                tracing::warn!(doc_no = %no, case_id = id, "a transition failed: its document number may be unused");
            }
        }
        return moved;
    }
    let mut tx = store.begin().await?;
    if !write_transition_in(&mut tx, t).await? {
        return Ok(false);
    }
    tx.commit().await?;
    remember_moved(store, known, t);
    Ok(true)
}

/// Records in the audit trail that number `no` (of a case, or of a
/// document of case `object_id`) was taken for a write that did not happen
/// (it found the case moved, or repeated a request already written), so
/// that the register of numbers has no unexplained gap. (A write whose
/// outcome is unknown, its connection lost, is only logged.) The
/// actor is the one of the write's audit records; `detail` says of what.
pub(super) async fn record_unused(
    store: &Store,
    audit: &[zwfw_domain::audit::AuditEntry],
    object_id: &str,
    no: &str,
    mut detail: serde_json::Value,
) {
    let Some(by) = audit.last() else { return };
    detail["number"] = no.into();
    let entry = zwfw_domain::audit::AuditEntry {
        action: "number_unused".into(),
        object_type: "case".into(),
        object_id: object_id.into(),
        detail: detail.to_string(),
        reason: String::new(),
        ..by.clone()
    };
    if let Err(e) = crate::audit::append_alone(store, &entry).await {
        tracing::error!(error = %e, number = no, "an unused number could not be recorded");
    }
}

/// Remembers the row `known` (as it was before committed transition `t`)
/// as `t` left it.
fn remember_moved(store: &Store, known: Option<CaseRow>, t: &Transition<'_>) {
    if let Some(mut row) = known.filter(|r| r.p == *t.old) {
        row.p = t.p.clone();
        row.updated_at = t.event.at;
        store.recent.put(row);
    }
}

/// The case as this process last wrote it if that was recent, else as
/// stored; and whether it is the row remembered. The remembered row is a
/// guess: a write decided on it finds nothing if the case moved since (its
/// `seq` gate), and the caller then reads the case from the database.
pub async fn case_to_act(store: &Store, id: i64) -> StoreResult<(CaseRow, bool)> {
    if let Some(row) = store.recent.get(id) {
        return Ok((row, true));
    }
    Ok((case_as_stored(store, id).await?, false))
}

/// The case as stored, remembered as the row the next write of it is decided on.
pub async fn case_as_stored(store: &Store, id: i64) -> StoreResult<CaseRow> {
    let row = get_case(store, id).await?;
    store.recent.put(row.clone());
    Ok(row)
}

/// Writes a transition inside `tx` (which the caller commits); false, having
/// written nothing, when someone else moved the case first (the caller drops
/// the transaction). On PostgreSQL a single statement, as in [`write_transition`].
pub async fn write_transition_in(tx: &mut Tx, t: &Transition<'_>) -> StoreResult<bool> {
    // The caller may still roll back: whatever this process knew of the case goes.
    tx.recent.forget(t.event.case_id);
    if !tx.is_exclusive() {
        let moved = transition_result(transition_query(t, None).fetch_one(tx.conn()).await)?;
        if moved && !t.audit.is_empty() {
            tx.audited();
        }
        return Ok(moved);
    }
    if !update_projection(tx, t.event.case_id, t.old, t.p, t.event.at).await? {
        return Ok(false);
    }
    match append_event(tx, &t.event).await {
        Ok(()) => {}
        Err(StoreError::Duplicate(_)) => return Ok(false),
        Err(e) => return Err(e),
    }
    for a in t.audit {
        crate::audit::append(tx, a).await?;
    }
    // The document's serial last: its row is the department's for the
    // year, held by the transaction until it commits.
    if let Some(d) = t.document {
        let n = next_serial(tx, &d.serial).await?;
        add_document(tx, t.event.case_id, t.event.seq, &d.kind, &d.number(n), "", t.event.at).await?;
    }
    Ok(true)
}

/// Whether the statement of [`transition_query`] moved the case.
fn transition_result(r: Result<Row, crate::db::DbErr>) -> StoreResult<bool> {
    match r {
        Ok(r) => Ok(r.i64("n") == 1),
        // The event's number (or the request's key) taken by another.
        Err(e) if e.unique && e.msg.contains("case_events") => Ok(false),
        Err(e) => Err(StoreError::unique_as(e, "doc_no")),
    }
}

/// The INSERT of event `e` for the case of each row of `from` (a part of a
/// larger statement naming the case `id`), its values parameters appended to `args`.
pub(super) fn event_insert(e: &NewEvent<'_>, args: &mut Vec<crate::db::Value>, from: &str) -> String {
    use crate::db::{IntoValue, Value};
    let vals: Vec<String> = [
        e.seq.into_value(),
        e.kind.into_value(),
        Value::Text(e.body.to_string()),
        e.at.into_value(),
        e.actor_id.into_value(),
        e.actor_name.into_value(),
        e.role.into_value(),
        e.department_id.into_value(),
        e.step_name.into_value(),
        e.idem_key.into_value(),
    ]
    .into_iter()
    .map(|v| crate::db::param(args, v))
    .collect();
    format!(
        "INSERT INTO case_events (case_id, seq, kind, body, at, actor_id, actor_name, role, department_id, step_name, \
         idem_key) SELECT id, {} FROM {from}",
        vals.join(", ")
    )
}

/// A transition as one PostgreSQL statement: the projection's UPDATE, and
/// the event, audit records and document as data-modifying parts that write
/// only if the UPDATE found the case where `old` left it. The document is
/// numbered `doc_no` if given (taken before), else from its serial by the
/// statement.
fn transition_query(t: &Transition<'_>, doc_no: Option<&str>) -> crate::db::Query {
    use crate::db::{param as arg, IntoValue, Value};
    let e = &t.event;
    let mut args: Vec<Value> = vec![];
    let update = projection_update_sql(e.case_id, t.old, t.p, e.at, &mut args);
    let mut sql = format!("WITH u AS ({update} RETURNING id)");
    sql += &format!(", e AS ({})", event_insert(e, &mut args, "u"));
    if !t.audit.is_empty() {
        let insert = crate::audit::pending_insert(t.audit, &mut args, None, Some("EXISTS (SELECT 1 FROM u)"));
        sql += &format!(", a AS ({insert})");
    }
    if let Some(d) = t.document {
        // The number taken before, or taken here from the serial only when
        // the case moved (`FROM u`), as `next_serial` takes it.
        let (number, from) = match doc_no {
            Some(no) => (arg(&mut args, no.into_value()), "u"),
            None => {
                let serial = arg(&mut args, d.serial.as_str().into_value());
                let (prefix, suffix) =
                    (arg(&mut args, d.prefix.as_str().into_value()), arg(&mut args, d.suffix.as_str().into_value()));
                sql += &format!(
                    ", s AS (INSERT INTO case_serials (prefix, next_no) SELECT {serial}, 2 FROM u \
                     ON CONFLICT (prefix) DO UPDATE SET next_no = case_serials.next_no + 1 RETURNING next_no)"
                );
                (format!("{prefix} || CAST(next_no - 1 AS TEXT) || {suffix}"), "s")
            }
        };
        let (case_id, seq, kind, at) = (
            arg(&mut args, e.case_id.into_value()),
            arg(&mut args, e.seq.into_value()),
            arg(&mut args, d.kind.as_str().into_value()),
            arg(&mut args, e.at.into_value()),
        );
        sql += &format!(
            ", d AS (INSERT INTO case_documents (case_id, event_seq, kind, doc_no, file_sm3, created_at) \
             SELECT {case_id}, {seq}, {kind}, {number}, '', {at} FROM {from})"
        );
    }
    sql += " SELECT COUNT(*) AS n FROM u";
    crate::db::query_with(sql, args)
}
