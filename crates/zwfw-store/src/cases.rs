//! Cases (办件): the append-only events, the projection row used by inboxes
//! and lists, materials, the e-materials library, documents and the register
//! of paper originals.

use crate::db::Row;
use crate::{RowExt, Store, StoreError, StoreResult, Tx};
use serde::Serialize;
use zwfw_domain::admin::AccountKind;
use zwfw_domain::cases::{ApplicantKind, CaseState};
use zwfw_domain::{const_concat, sql_code, sql_list};

const CASE_COLS: &str = "id, case_no, item_id, version_id, item_name, impl_code, department_id, applicant_user_id, \
     applicant_kind, applicant_name, applicant_id_no, applicant_mobile, applicant_address, form, channel, \
     registered_by, state, seq, step_no, step_name, handling_department_id, assignee_id, submitted_at, accepted_at, \
     concluded_at, acceptance_due, promised_due, legal_due, step_due, suspended, supplement_notices, deemed_accepted, \
     outcome, result_no, view, created_at, updated_at";

/// The projection of a case: what lists and inboxes read.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseRow {
    pub id: i64,
    pub case_no: Option<String>,
    pub item_id: i64,
    pub version_id: i64,
    pub item_name: String,
    pub impl_code: String,
    pub department_id: i64,
    pub applicant_user_id: Option<i64>,
    /// natural | legal
    pub applicant_kind: String,
    pub applicant_name: String,
    #[serde(skip)]
    pub applicant_id_no: String,
    #[serde(skip)]
    pub applicant_mobile: String,
    #[serde(skip)]
    pub applicant_address: String,
    pub form: serde_json::Value,
    /// online | counter
    pub channel: String,
    pub registered_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(flatten)]
    pub p: Projection,
}

/// Everything about a case that its events decide.
#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct Projection {
    pub state: String,
    pub seq: i64,
    pub step_no: i64,
    pub step_name: String,
    /// The department whose inbox holds the case (none once closed).
    pub handling_department_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub submitted_at: Option<i64>,
    pub accepted_at: Option<i64>,
    pub concluded_at: Option<i64>,
    pub acceptance_due: Option<String>,
    pub promised_due: Option<String>,
    pub legal_due: Option<String>,
    pub step_due: Option<String>,
    pub suspended: bool,
    pub supplement_notices: i64,
    pub deemed_accepted: bool,
    pub outcome: Option<String>,
    pub result_no: Option<String>,
    /// The domain view after the last event, as JSON (empty: replay the events).
    #[serde(skip)]
    pub view: String,
}

fn case_row(r: &Row) -> CaseRow {
    CaseRow {
        id: r.i64("id"),
        case_no: r.opt_str("case_no"),
        item_id: r.i64("item_id"),
        version_id: r.i64("version_id"),
        item_name: r.str("item_name"),
        impl_code: r.str("impl_code"),
        department_id: r.i64("department_id"),
        applicant_user_id: r.opt_i64("applicant_user_id"),
        applicant_kind: r.str("applicant_kind"),
        applicant_name: r.str("applicant_name"),
        applicant_id_no: r.str("applicant_id_no"),
        applicant_mobile: r.str("applicant_mobile"),
        applicant_address: r.str("applicant_address"),
        form: serde_json::from_str(&r.str("form")).unwrap_or_default(),
        channel: r.str("channel"),
        registered_by: r.opt_i64("registered_by"),
        created_at: r.i64("created_at"),
        updated_at: r.i64("updated_at"),
        p: Projection {
            state: r.str("state"),
            seq: r.i64("seq"),
            step_no: r.i64("step_no"),
            step_name: r.str("step_name"),
            handling_department_id: r.opt_i64("handling_department_id"),
            assignee_id: r.opt_i64("assignee_id"),
            submitted_at: r.opt_i64("submitted_at"),
            accepted_at: r.opt_i64("accepted_at"),
            concluded_at: r.opt_i64("concluded_at"),
            acceptance_due: r.opt_str("acceptance_due"),
            promised_due: r.opt_str("promised_due"),
            legal_due: r.opt_str("legal_due"),
            step_due: r.opt_str("step_due"),
            suspended: r.flag("suspended"),
            supplement_notices: r.i64("supplement_notices"),
            deemed_accepted: r.flag("deemed_accepted"),
            outcome: r.opt_str("outcome"),
            result_no: r.opt_str("result_no"),
            view: r.str("view"),
        },
    }
}

/// A new case, as a draft (seq 0) or straight away submitted by the caller's first event.
pub struct NewCase<'a> {
    pub item_id: i64,
    pub version_id: i64,
    pub item_name: &'a str,
    pub impl_code: &'a str,
    pub department_id: i64,
    pub applicant_user_id: Option<i64>,
    pub applicant_kind: &'a str,
    pub applicant_name: &'a str,
    pub applicant_id_no: &'a str,
    pub applicant_mobile: &'a str,
    pub applicant_address: &'a str,
    pub form: &'a serde_json::Value,
    pub channel: &'a str,
    pub registered_by: Option<i64>,
    pub query_hash: &'a str,
    pub idem_key: Option<&'a str>,
}

/// The next number of a daily (or yearly) serial, starting at 1.
pub async fn next_serial(tx: &mut Tx, prefix: &str) -> StoreResult<i64> {
    reserve_serials(tx, prefix, 1).await
}

/// Takes `n` consecutive numbers of a serial; returns the first.
pub async fn reserve_serials(tx: &mut Tx, prefix: &str, n: i64) -> StoreResult<i64> {
    let row = crate::db::query(SERIAL_TAKE).bind(prefix).bind(n).fetch_one(tx.conn()).await?;
    Ok(row.i64("next_no") - n)
}

/// The SQL of taking `$2` numbers of serial `$1`: its new `next_no`.
const SERIAL_TAKE: &str = "INSERT INTO case_serials (prefix, next_no) VALUES ($1, $2 + 1) \
     ON CONFLICT (prefix) DO UPDATE SET next_no = case_serials.next_no + $2 RETURNING next_no";

/// Takes the next number of a serial on PostgreSQL in a transaction of its
/// own, committed without waiting for the WAL's flush, before the write
/// that uses it. Taken inside that write, the serial's row stayed locked
/// until its commit had been flushed, and every registration of an item on
/// the day (every document of a department's kind in the year) waited for
/// the previous one's flush. Nothing acknowledged depends on a number taken
/// so that a crash could take back: the write that uses it commits later,
/// and its commit is flushed only with everything logged before it. A
/// number whose write is then refused is recorded as unused (see
/// [`record_unused`]).
async fn take_number(store: &Store, prefix: &str) -> StoreResult<i64> {
    let pool = store.pg_serials().expect("serials are taken apart on PostgreSQL only");
    let row = crate::db::query(SERIAL_TAKE).bind(prefix).bind(1).fetch_one_on(pool).await?;
    Ok(row.i64("next_no") - 1)
}

/// The projection of a draft, as [`insert_case`] stores it.
pub fn draft_projection() -> Projection {
    Projection { state: "draft".into(), ..Default::default() }
}

/// The row [`insert_case`] stores for `c`, as read back (its id not yet known: 0).
pub fn draft_row(c: &NewCase<'_>, now_ms: i64) -> CaseRow {
    CaseRow {
        id: 0,
        case_no: None,
        item_id: c.item_id,
        version_id: c.version_id,
        item_name: c.item_name.into(),
        impl_code: c.impl_code.into(),
        department_id: c.department_id,
        applicant_user_id: c.applicant_user_id,
        applicant_kind: c.applicant_kind.into(),
        applicant_name: c.applicant_name.into(),
        applicant_id_no: c.applicant_id_no.into(),
        applicant_mobile: c.applicant_mobile.into(),
        applicant_address: c.applicant_address.into(),
        form: c.form.clone(),
        channel: c.channel.into(),
        registered_by: c.registered_by,
        created_at: now_ms,
        updated_at: now_ms,
        p: draft_projection(),
    }
}

/// The columns of a new case and their values: `c` with the projection `p`.
fn case_values(c: &NewCase<'_>, p: &Projection, now_ms: i64) -> Vec<(&'static str, crate::db::Value)> {
    use crate::db::{IntoValue, Value};
    let text = |v: &Option<String>| v.clone().into_value();
    vec![
        ("item_id", c.item_id.into_value()),
        ("version_id", c.version_id.into_value()),
        ("item_name", c.item_name.into_value()),
        ("impl_code", c.impl_code.into_value()),
        ("department_id", c.department_id.into_value()),
        ("applicant_user_id", c.applicant_user_id.into_value()),
        ("applicant_kind", c.applicant_kind.into_value()),
        ("applicant_name", c.applicant_name.into_value()),
        ("applicant_id_no", c.applicant_id_no.into_value()),
        ("applicant_mobile", c.applicant_mobile.into_value()),
        ("applicant_address", c.applicant_address.into_value()),
        ("form", Value::Text(c.form.to_string())),
        ("channel", c.channel.into_value()),
        ("registered_by", c.registered_by.into_value()),
        ("query_hash", c.query_hash.into_value()),
        ("idem_key", c.idem_key.into_value()),
        ("created_at", now_ms.into_value()),
        ("updated_at", now_ms.into_value()),
        ("state", p.state.as_str().into_value()),
        ("seq", p.seq.into_value()),
        ("step_no", p.step_no.into_value()),
        ("step_name", p.step_name.as_str().into_value()),
        ("handling_department_id", p.handling_department_id.into_value()),
        ("assignee_id", p.assignee_id.into_value()),
        ("submitted_at", p.submitted_at.into_value()),
        ("accepted_at", p.accepted_at.into_value()),
        ("concluded_at", p.concluded_at.into_value()),
        ("acceptance_due", text(&p.acceptance_due)),
        ("promised_due", text(&p.promised_due)),
        ("legal_due", text(&p.legal_due)),
        ("step_due", text(&p.step_due)),
        ("suspended", crate::flag(p.suspended).into_value()),
        ("supplement_notices", p.supplement_notices.into_value()),
        ("deemed_accepted", crate::flag(p.deemed_accepted).into_value()),
        ("outcome", text(&p.outcome)),
        ("result_no", text(&p.result_no)),
        ("view", p.view.as_str().into_value()),
    ]
}

/// Inserts a new case (a draft) and returns it as stored.
pub async fn insert_case(tx: &mut Tx, c: &NewCase<'_>, now_ms: i64) -> StoreResult<CaseRow> {
    let (cols, args): (Vec<&str>, Vec<crate::db::Value>) =
        case_values(c, &draft_projection(), now_ms).into_iter().unzip();
    let params: Vec<String> = (1..=args.len()).map(|i| format!("${i}")).collect();
    let sql = format!("INSERT INTO cases ({}) VALUES ({}) RETURNING {CASE_COLS}", cols.join(", "), params.join(", "));
    let row = crate::db::query_with(sql, args)
        .fetch_one(tx.conn())
        .await
        .map_err(|e| StoreError::unique_as(e, "idem_key"))?;
    Ok(case_row(&row))
}

/// Where a registered material is kept in the applicant's e-materials library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Library {
    /// It came from the library: this entry.
    Reuse(i64),
    /// File it in this owner's library (once per content and name).
    File { owner: i64 },
    /// The applicant has no account, hence no library.
    Without,
}

/// A material attached to a case when it is registered.
pub struct RegisteredMaterial<'a> {
    pub m: NewMaterial<'a>,
    pub library: Library,
}

/// A case registered and submitted at once: the case with its projection
/// after submission, its number from the day's serial, its materials, its
/// `Submitted` event and its audit records.
pub struct Registration<'a> {
    pub case: &'a NewCase<'a>,
    /// The projection after submission (computed from [`draft_row`]).
    pub p: &'a Projection,
    /// The serial the case number is taken from, and the number's part before the serial.
    pub serial: &'a str,
    pub number_prefix: &'a str,
    /// The submission (its `case_id` is the new case's, whatever it says).
    pub event: NewEvent<'a>,
    pub materials: &'a [RegisteredMaterial<'a>],
    /// Who attached the materials.
    pub by: i64,
    /// The audit records, in order; their object is the new case (set when written).
    pub audit: &'a [zwfw_domain::audit::AuditEntry],
    pub now_ms: i64,
}

/// Registers and submits a case as one transaction; returns its id and
/// number. A request key already used fails with `Duplicate("idem_key")`,
/// having written nothing. On PostgreSQL it is a single statement, its
/// number taken just before (see [`take_number`]).
pub async fn register(store: &Store, r: &Registration<'_>) -> StoreResult<(i64, String)> {
    if store.backend() == crate::Backend::Postgres {
        let no = zwfw_domain::cases::numbered(r.number_prefix, take_number(store, r.serial).await?);
        let row = match registration_query(r, &no).fetch_one(store.pool()).await {
            Ok(row) => row,
            // Refused (a repeated submit that lost the race to its first):
            // nothing was written.
            Err(e) if e.unique => {
                record_unused(store, r.audit, "case", &no, serde_json::json!({ "kind": "case" })).await;
                return Err(StoreError::unique_as(e, "idem_key"));
            }
            // The connection may have failed after the commit: unknown.
            Err(e) => {
                tracing::warn!(error = %e, case_no = %no, "a registration failed: its number may be unused");
                return Err(e.into());
            }
        };
        if !r.audit.is_empty() {
            store.audited();
        }
        let (id, no) = (row.i64("id"), row.str("case_no"));
        store.recent.put(registered_row(r, id, &no));
        return Ok((id, no));
    }
    let mut tx = store.begin().await?;
    let row = insert_case(&mut tx, r.case, r.now_ms).await?;
    for rm in r.materials {
        let emat = match rm.library {
            Library::Reuse(id) => Some(id),
            Library::File { owner } => Some(file_e_material(&mut tx, owner, &rm.m, Some(row.id), r.now_ms).await?),
            Library::Without => None,
        };
        add_material(&mut tx, row.id, &rm.m, emat, 0, Some(r.by), r.now_ms).await?;
    }
    let audit: Vec<_> =
        r.audit.iter().map(|a| zwfw_domain::audit::AuditEntry { object_id: row.id.to_string(), ..a.clone() }).collect();
    let event = NewEvent { case_id: row.id, ..r.event };
    let t = Transition { event, old: &row.p, p: r.p, document: None, audit: &audit };
    if !write_transition_in(&mut tx, &t).await? {
        return Err(StoreError::Conflict("case moved while being registered"));
    }
    // The day's serial last: every registration of the item that day waits for its row.
    let n = next_serial(&mut tx, r.serial).await?;
    let no = zwfw_domain::cases::numbered(r.number_prefix, n);
    set_case_no(&mut tx, row.id, &no).await?;
    tx.commit().await?;
    store.recent.put(registered_row(r, row.id, &no));
    Ok((row.id, no))
}

/// The row [`register`] stores, as read back.
fn registered_row(r: &Registration<'_>, id: i64, case_no: &str) -> CaseRow {
    CaseRow { id, case_no: Some(case_no.to_string()), p: r.p.clone(), ..draft_row(r.case, r.now_ms) }
}

/// A registration as one PostgreSQL statement: the case (numbered `case_no`),
/// the event, the materials (filed in the library where the applicant has
/// one) and the audit records (their object the new case) as
/// data-modifying parts of one statement.
fn registration_query(r: &Registration<'_>, case_no: &str) -> crate::db::Query {
    use crate::db::{param as arg, IntoValue, Value};
    let mut args: Vec<Value> = vec![];
    let (cols, vals): (Vec<&str>, Vec<Value>) = case_values(r.case, r.p, r.now_ms).into_iter().unzip();
    let vals: Vec<String> = vals.into_iter().map(|v| arg(&mut args, v)).collect();
    let no = arg(&mut args, case_no.into_value());
    let mut sql = format!(
        "WITH c AS (INSERT INTO cases ({}, case_no) VALUES ({}, {no}) RETURNING id, case_no)",
        cols.join(", "),
        vals.join(", ")
    );
    sql += &format!(", e AS ({})", event_insert(&r.event, &mut args, "c"));
    // The library entry each filed material went to, by content and name:
    // a second material with both the same is attached to the same entry.
    let mut filed: Vec<((&str, &str), String)> = vec![];
    for (i, rm) in r.materials.iter().enumerate() {
        let m = &rm.m;
        let v: Vec<String> = [
            m.name.into_value(),
            m.file_sm3.into_value(),
            m.file_name.into_value(),
            m.kind.into_value(),
            m.size.into_value(),
            m.trust.into_value(),
        ]
        .into_iter()
        .map(|v| arg(&mut args, v))
        .collect();
        let v = v.join(", ");
        let (no, by, at) = (
            arg(&mut args, m.material_no.into_value()),
            arg(&mut args, r.by.into_value()),
            arg(&mut args, r.now_ms.into_value()),
        );
        let earlier = filed.iter().find(|(k, _)| *k == (m.file_sm3, m.name)).map(|(_, l)| l.clone());
        let (from, emat) = match (rm.library, earlier) {
            (Library::Reuse(id), _) => ("c".to_string(), arg(&mut args, id.into_value())),
            (Library::Without, _) => ("c".to_string(), arg(&mut args, Value::Null(crate::db::Kind::Int))),
            (Library::File { .. }, Some(l)) => (format!("c, {l}"), format!("{l}.id")),
            (Library::File { owner }, None) => {
                filed.push(((m.file_sm3, m.name), format!("l{i}")));
                let owner = arg(&mut args, owner.into_value());
                // A better trust level (A is the best) replaces a weaker one.
                sql += &format!(
                    ", l{i} AS (INSERT INTO e_materials (owner_user_id, name, file_sm3, file_name, kind, size, trust, \
                     source_case_id, created_at) SELECT {owner}, {v}, c.id, {at} FROM c \
                     ON CONFLICT (owner_user_id, file_sm3, name) DO UPDATE SET trust = LEAST(e_materials.trust, EXCLUDED.trust) \
                     RETURNING id)"
                );
                (format!("c, l{i}"), format!("l{i}.id"))
            }
        };
        sql += &format!(
            ", m{i} AS (INSERT INTO case_materials (case_id, material_no, name, file_sm3, file_name, kind, size, trust, \
             e_material_id, round, added_by, added_at) SELECT c.id, {no}, {v}, {emat}, 0, {by}, {at} FROM {from})"
        );
    }
    if !r.audit.is_empty() {
        let insert = crate::audit::pending_insert(r.audit, &mut args, Some("CAST((SELECT id FROM c) AS TEXT)"), None);
        sql += &format!(", a AS ({insert})");
    }
    sql += " SELECT id, case_no FROM c";
    crate::db::query_with(sql, args)
}

/// Replaces a draft's applicant data and form (only while it is a draft).
pub async fn update_draft(tx: &mut Tx, id: i64, form: &serde_json::Value, now_ms: i64) -> StoreResult<()> {
    tx.recent.forget(id);
    const SQL: &str = const_concat!(
        "UPDATE cases SET form = $1, updated_at = $2 WHERE id = $3 AND state = ",
        sql_code!(CaseState::Draft)
    );
    let r = crate::db::query(SQL).bind(form.to_string()).bind(now_ms).bind(id).execute(tx.conn()).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict("not a draft"));
    }
    Ok(())
}

pub async fn set_case_no(tx: &mut Tx, id: i64, case_no: &str) -> StoreResult<()> {
    tx.recent.forget(id);
    crate::db::query("UPDATE cases SET case_no = $1 WHERE id = $2")
        .bind(case_no)
        .bind(id)
        .execute(tx.conn())
        .await
        .map_err(|e| StoreError::unique_as(e, "case_no"))?;
    Ok(())
}

/// Replaces the query password's hash (the applicant lost it).
pub async fn set_query_hash(tx: &mut Tx, id: i64, hash: &str) -> StoreResult<()> {
    crate::db::query("UPDATE cases SET query_hash = $1 WHERE id = $2").bind(hash).bind(id).execute(tx.conn()).await?;
    Ok(())
}

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
async fn record_unused(
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
fn event_insert(e: &NewEvent<'_>, args: &mut Vec<crate::db::Value>, from: &str) -> String {
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

/// One stored event.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub seq: i64,
    pub kind: String,
    /// The domain event as JSON.
    pub body: serde_json::Value,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub role: Option<String>,
    pub department_id: Option<i64>,
    pub step_name: String,
}

pub struct NewEvent<'a> {
    pub case_id: i64,
    pub seq: i64,
    pub kind: &'a str,
    pub body: &'a serde_json::Value,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub role: Option<&'a str>,
    pub department_id: Option<i64>,
    pub step_name: &'a str,
    pub idem_key: Option<&'a str>,
}

pub async fn append_event(tx: &mut Tx, e: &NewEvent<'_>) -> StoreResult<()> {
    crate::db::query(
        "INSERT INTO case_events (case_id, seq, kind, body, at, actor_id, actor_name, role, department_id, step_name, idem_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(e.case_id)
    .bind(e.seq)
    .bind(e.kind)
    .bind(e.body.to_string())
    .bind(e.at)
    .bind(e.actor_id)
    .bind(e.actor_name)
    .bind(e.role)
    .bind(e.department_id)
    .bind(e.step_name)
    .bind(e.idem_key)
    .execute(tx.conn())
    .await
    .map_err(|e| StoreError::unique_as(e, "case_event"))?;
    Ok(())
}

fn event_row(r: &Row) -> EventRow {
    EventRow {
        seq: r.i64("seq"),
        kind: r.str("kind"),
        body: serde_json::from_str(&r.str("body")).unwrap_or_default(),
        at: r.i64("at"),
        actor_id: r.opt_i64("actor_id"),
        actor_name: r.str("actor_name"),
        role: r.opt_str("role"),
        department_id: r.opt_i64("department_id"),
        step_name: r.str("step_name"),
    }
}

const EVENT_COLS: &str = "seq, kind, body, at, actor_id, actor_name, role, department_id, step_name";

pub async fn events(store: &Store, case_id: i64) -> StoreResult<Vec<EventRow>> {
    events_via(store.pool(), case_id).await
}

/// The events of a case inside a write transaction (the state the action decides on).
pub async fn events_in(tx: &mut Tx, case_id: i64) -> StoreResult<Vec<EventRow>> {
    events_via(tx.conn(), case_id).await
}

/// The events of a case, read from the store (`store.pool()`) or inside a transaction (`tx.conn()`).
pub async fn events_via(ex: crate::db::Ex<'_>, case_id: i64) -> StoreResult<Vec<EventRow>> {
    let rows = crate::db::query(format!("SELECT {EVENT_COLS} FROM case_events WHERE case_id = $1 ORDER BY seq"))
        .bind(case_id)
        .fetch_all(ex)
        .await?;
    Ok(rows.iter().map(event_row).collect())
}

/// The event a repeated request already created, if any, read from the store
/// (`store.pool()`) or inside a transaction (`tx.conn()`).
pub async fn event_by_idem(ex: crate::db::Ex<'_>, case_id: i64, key: &str) -> StoreResult<Option<i64>> {
    let row = crate::db::query("SELECT seq FROM case_events WHERE case_id = $1 AND idem_key = $2")
        .bind(case_id)
        .bind(key)
        .fetch_optional(ex)
        .await?;
    Ok(row.map(|r| r.i64("seq")))
}

pub async fn get_case(store: &Store, id: i64) -> StoreResult<CaseRow> {
    let row = crate::db::query(format!("SELECT {CASE_COLS} FROM cases WHERE id = $1"))
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    row.map(|r| case_row(&r)).ok_or(StoreError::NotFound("case"))
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
    let row = crate::db::query(format!("SELECT {CASE_COLS} FROM cases WHERE id = $1"))
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    row.map(|r| case_row(&r)).ok_or(StoreError::NotFound("case"))
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

// ---- materials and the e-materials library ----

#[derive(Debug, Clone, Serialize)]
pub struct MaterialRow {
    pub id: i64,
    pub material_no: i64,
    pub name: String,
    pub file_sm3: String,
    pub file_name: String,
    pub kind: String,
    pub size: i64,
    pub trust: String,
    pub e_material_id: Option<i64>,
    /// 0: with the application; 1, 2…: supplements.
    pub round: i64,
    pub added_by: Option<i64>,
    pub added_at: i64,
}

pub struct NewMaterial<'a> {
    pub material_no: i64,
    pub name: &'a str,
    pub file_sm3: &'a str,
    pub file_name: &'a str,
    pub kind: &'a str,
    pub size: i64,
    pub trust: &'a str,
}

/// A material with owned fields, before it is attached.
#[derive(Debug, Clone)]
pub struct NewMaterialOwned {
    pub name: String,
    pub file_sm3: String,
    pub file_name: String,
    pub kind: String,
    pub size: i64,
    pub trust: String,
}

impl NewMaterialOwned {
    pub fn as_new(&self, material_no: i64) -> NewMaterial<'_> {
        NewMaterial {
            material_no,
            name: &self.name,
            file_sm3: &self.file_sm3,
            file_name: &self.file_name,
            kind: &self.kind,
            size: self.size,
            trust: &self.trust,
        }
    }
}

pub async fn add_material(
    tx: &mut Tx,
    case_id: i64,
    m: &NewMaterial<'_>,
    e_material_id: Option<i64>,
    round: i64,
    by: Option<i64>,
    now_ms: i64,
) -> StoreResult<()> {
    crate::db::query(
        "INSERT INTO case_materials (case_id, material_no, name, file_sm3, file_name, kind, size, trust, e_material_id, round, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(case_id)
    .bind(m.material_no)
    .bind(m.name)
    .bind(m.file_sm3)
    .bind(m.file_name)
    .bind(m.kind)
    .bind(m.size)
    .bind(m.trust)
    .bind(e_material_id)
    .bind(round)
    .bind(by)
    .bind(now_ms)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn materials(store: &Store, case_id: i64) -> StoreResult<Vec<MaterialRow>> {
    let rows = crate::db::query(
        "SELECT id, material_no, name, file_sm3, file_name, kind, size, trust, e_material_id, round, added_by, added_at \
         FROM case_materials WHERE case_id = $1 ORDER BY material_no, id",
    )
    .bind(case_id)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| MaterialRow {
            id: r.i64("id"),
            material_no: r.i64("material_no"),
            name: r.str("name"),
            file_sm3: r.str("file_sm3"),
            file_name: r.str("file_name"),
            kind: r.str("kind"),
            size: r.i64("size"),
            trust: r.str("trust"),
            e_material_id: r.opt_i64("e_material_id"),
            round: r.i64("round"),
            added_by: r.opt_i64("added_by"),
            added_at: r.i64("added_at"),
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct EMaterial {
    pub id: i64,
    pub owner_user_id: i64,
    pub name: String,
    pub file_sm3: String,
    pub file_name: String,
    pub kind: String,
    pub size: i64,
    pub trust: String,
    pub source_case_id: Option<i64>,
    pub created_at: i64,
}

fn e_material(r: &Row) -> EMaterial {
    EMaterial {
        id: r.i64("id"),
        owner_user_id: r.i64("owner_user_id"),
        name: r.str("name"),
        file_sm3: r.str("file_sm3"),
        file_name: r.str("file_name"),
        kind: r.str("kind"),
        size: r.i64("size"),
        trust: r.str("trust"),
        source_case_id: r.opt_i64("source_case_id"),
        created_at: r.i64("created_at"),
    }
}

const EMAT_COLS: &str = "id, owner_user_id, name, file_sm3, file_name, kind, size, trust, source_case_id, created_at";

/// Files a material in the owner's library (once per content and name);
/// a better trust level replaces a weaker one. Returns its id.
pub async fn file_e_material(
    tx: &mut Tx,
    owner: i64,
    m: &NewMaterial<'_>,
    source_case_id: Option<i64>,
    now_ms: i64,
) -> StoreResult<i64> {
    crate::db::query(
        "INSERT INTO e_materials (owner_user_id, name, file_sm3, file_name, kind, size, trust, source_case_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (owner_user_id, file_sm3, name) DO NOTHING",
    )
    .bind(owner)
    .bind(m.name)
    .bind(m.file_sm3)
    .bind(m.file_name)
    .bind(m.kind)
    .bind(m.size)
    .bind(m.trust)
    .bind(source_case_id)
    .bind(now_ms)
    .execute(tx.conn())
    .await?;
    crate::db::query(
        "UPDATE e_materials SET trust = $1 WHERE owner_user_id = $2 AND file_sm3 = $3 AND name = $4 AND trust > $1",
    )
    .bind(m.trust)
    .bind(owner)
    .bind(m.file_sm3)
    .bind(m.name)
    .execute(tx.conn())
    .await?;
    let row = crate::db::query("SELECT id FROM e_materials WHERE owner_user_id = $1 AND file_sm3 = $2 AND name = $3")
        .bind(owner)
        .bind(m.file_sm3)
        .bind(m.name)
        .fetch_one(tx.conn())
        .await?;
    Ok(row.i64("id"))
}

pub async fn e_materials(store: &Store, owner: i64) -> StoreResult<Vec<EMaterial>> {
    let rows = crate::db::query(format!(
        "SELECT {EMAT_COLS} FROM e_materials WHERE owner_user_id = $1 ORDER BY name, created_at DESC"
    ))
    .bind(owner)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(e_material).collect())
}

pub async fn get_e_material(store: &Store, id: i64) -> StoreResult<EMaterial> {
    let row = crate::db::query(format!("SELECT {EMAT_COLS} FROM e_materials WHERE id = $1"))
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    row.map(|r| e_material(&r)).ok_or(StoreError::NotFound("e_material"))
}

// ---- documents ----

#[derive(Debug, Clone, Serialize)]
pub struct DocumentRow {
    pub id: i64,
    pub event_seq: i64,
    pub kind: String,
    pub doc_no: String,
    pub file_sm3: String,
    pub created_at: i64,
}

pub async fn add_document(
    tx: &mut Tx,
    case_id: i64,
    event_seq: i64,
    kind: &str,
    doc_no: &str,
    sm3: &str,
    now_ms: i64,
) -> StoreResult<i64> {
    let row = crate::db::query(
        "INSERT INTO case_documents (case_id, event_seq, kind, doc_no, file_sm3, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(case_id)
    .bind(event_seq)
    .bind(kind)
    .bind(doc_no)
    .bind(sm3)
    .bind(now_ms)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| StoreError::unique_as(e, "doc_no"))?;
    Ok(row.i64("id"))
}

pub async fn documents(store: &Store, case_id: i64) -> StoreResult<Vec<DocumentRow>> {
    let rows = crate::db::query(
        "SELECT id, event_seq, kind, doc_no, file_sm3, created_at FROM case_documents WHERE case_id = $1 ORDER BY event_seq",
    )
    .bind(case_id)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| DocumentRow {
            id: r.i64("id"),
            event_seq: r.i64("event_seq"),
            kind: r.str("kind"),
            doc_no: r.str("doc_no"),
            file_sm3: r.str("file_sm3"),
            created_at: r.i64("created_at"),
        })
        .collect())
}

// ---- paper originals ----

#[derive(Debug, Clone, Serialize)]
pub struct OriginalRow {
    pub id: i64,
    pub name: String,
    pub copies: i64,
    pub received_at: i64,
    pub received_by: i64,
    pub returned_at: Option<i64>,
    pub returned_by: Option<i64>,
    pub note: String,
}

pub async fn receive_original(
    tx: &mut Tx,
    case_id: i64,
    name: &str,
    copies: i64,
    by: i64,
    note: &str,
    now_ms: i64,
) -> StoreResult<i64> {
    let row = crate::db::query(
        "INSERT INTO case_originals (case_id, name, copies, received_at, received_by, note) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(case_id)
    .bind(name)
    .bind(copies)
    .bind(now_ms)
    .bind(by)
    .bind(note)
    .fetch_one(tx.conn())
    .await?;
    Ok(row.i64("id"))
}

/// Records the return of an original; false if it was already returned.
pub async fn return_original(tx: &mut Tx, case_id: i64, id: i64, by: i64, now_ms: i64) -> StoreResult<bool> {
    let r = crate::db::query(
        "UPDATE case_originals SET returned_at = $1, returned_by = $2 WHERE id = $3 AND case_id = $4 AND returned_at IS NULL",
    )
    .bind(now_ms)
    .bind(by)
    .bind(id)
    .bind(case_id)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn originals(store: &Store, case_id: i64) -> StoreResult<Vec<OriginalRow>> {
    let rows = crate::db::query(
        "SELECT id, name, copies, received_at, received_by, returned_at, returned_by, note FROM case_originals WHERE case_id = $1 ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| OriginalRow {
            id: r.i64("id"),
            name: r.str("name"),
            copies: r.i64("copies"),
            received_at: r.i64("received_at"),
            received_by: r.i64("received_by"),
            returned_at: r.opt_i64("returned_at"),
            returned_by: r.opt_i64("returned_by"),
            note: r.str("note"),
        })
        .collect())
}

// ---- uploads and applicants ----

#[derive(Debug, Clone, Serialize)]
pub struct UploadRow {
    pub id: i64,
    pub owner_user_id: i64,
    pub file_sm3: String,
    pub file_name: String,
    pub kind: String,
    pub size: i64,
}

pub async fn add_upload(
    tx: &mut Tx,
    owner: i64,
    sm3: &str,
    file_name: &str,
    kind: &str,
    size: i64,
    now_ms: i64,
) -> StoreResult<i64> {
    let row = crate::db::query(
        "INSERT INTO uploads (owner_user_id, file_sm3, file_name, kind, size, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(owner)
    .bind(sm3)
    .bind(file_name)
    .bind(kind)
    .bind(size)
    .bind(now_ms)
    .fetch_one(tx.conn())
    .await?;
    Ok(row.i64("id"))
}

pub async fn get_upload(store: &Store, id: i64) -> StoreResult<UploadRow> {
    let row = crate::db::query("SELECT id, owner_user_id, file_sm3, file_name, kind, size FROM uploads WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    row.map(|r| UploadRow {
        id: r.i64("id"),
        owner_user_id: r.i64("owner_user_id"),
        file_sm3: r.str("file_sm3"),
        file_name: r.str("file_name"),
        kind: r.str("kind"),
        size: r.i64("size"),
    })
    .ok_or(StoreError::NotFound("upload"))
}

/// The public account holding an identity number (身份证号 or 统一社会信用代码).
pub async fn find_applicant_account(store: &Store, id_no: &str) -> StoreResult<Option<i64>> {
    const SQL: &str = const_concat!(
        "SELECT id FROM users WHERE kind <> ",
        sql_code!(AccountKind::Staff),
        " AND (id_number = $1 OR credit_code = $1) ORDER BY id LIMIT 1"
    );
    let row = crate::db::query(SQL).bind(id_no).fetch_optional(store.pool()).await?;
    Ok(row.map(|r| r.i64("id")))
}

/// What a counter knows of an applicant by ID number or credit code: the
/// latest application to the department, else the public account.
/// (kind natural|legal, name, mobile, address)
pub async fn known_applicant(
    store: &Store,
    department_id: i64,
    id_no: &str,
) -> StoreResult<Option<(String, String, String, String)>> {
    let row = crate::db::query(
        "SELECT applicant_kind, applicant_name, applicant_mobile, applicant_address FROM cases \
         WHERE department_id = $1 AND applicant_id_no = $2 ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(department_id)
    .bind(id_no)
    .fetch_optional(store.pool())
    .await?;
    if let Some(r) = row {
        return Ok(Some((
            r.str("applicant_kind"),
            r.str("applicant_name"),
            r.str("applicant_mobile"),
            r.str("applicant_address"),
        )));
    }
    const SQL: &str = const_concat!(
        "SELECT kind, display_name, mobile FROM users WHERE kind <> ",
        sql_code!(AccountKind::Staff),
        " AND (id_number = $1 OR credit_code = $1) ORDER BY id LIMIT 1"
    );
    let row = crate::db::query(SQL).bind(id_no).fetch_optional(store.pool()).await?;
    Ok(row.map(|r| {
        let kind =
            if r.str("kind") == AccountKind::Company.code() { ApplicantKind::Legal } else { ApplicantKind::Natural };
        (kind.code().to_string(), r.str("display_name"), r.opt_str("mobile").unwrap_or_default(), String::new())
    }))
}

/// Records the rendered file of a document (once).
pub async fn set_document_file(tx: &mut Tx, id: i64, sm3: &str) -> StoreResult<()> {
    crate::db::query("UPDATE case_documents SET file_sm3 = $1 WHERE id = $2 AND file_sm3 = ''")
        .bind(sm3)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}
