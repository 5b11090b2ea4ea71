//! A case's birth: a draft inserted, or a case registered and submitted at
//! once with its materials; a draft's form and the case's number and query
//! password.

use super::{
    add_material, case_row, event_insert, file_e_material, next_serial, record_unused, take_number,
    write_transition_in, CaseRow, NewEvent, NewMaterial, Projection, Transition, CASE_COLS,
};
use crate::{RowExt, Store, StoreError, StoreResult, Tx};
use zwfw_domain::cases::CaseState;
use zwfw_domain::{const_concat, sql_code};

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
    /// Where the applicant's notices go by e-mail ("" for none: then the
    /// account's address, if it gives one).
    pub applicant_email: &'a str,
    pub form: &'a serde_json::Value,
    pub channel: &'a str,
    pub registered_by: Option<i64>,
    pub query_hash: &'a str,
    pub idem_key: Option<&'a str>,
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
        applicant_email: c.applicant_email.into(),
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
        ("applicant_email", c.applicant_email.into_value()),
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
        let src = arg(&mut args, m.source.into_value());
        let lic = arg(&mut args, m.license_id.into_value());
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
                     source_case_id, created_at, license_id) SELECT {owner}, {v}, c.id, {at}, {lic} FROM c \
                     ON CONFLICT (owner_user_id, file_sm3, name) DO UPDATE SET trust = LEAST(e_materials.trust, EXCLUDED.trust), \
                     license_id = COALESCE(e_materials.license_id, EXCLUDED.license_id) \
                     RETURNING id)"
                );
                (format!("c, l{i}"), format!("l{i}.id"))
            }
        };
        sql += &format!(
            ", m{i} AS (INSERT INTO case_materials (case_id, material_no, name, file_sm3, file_name, kind, size, trust, \
             e_material_id, round, added_by, added_at, source, license_id) SELECT c.id, {no}, {v}, {emat}, 0, {by}, {at}, {src}, {lic} FROM {from})"
        );
    }
    if !r.audit.is_empty() {
        let insert = crate::audit::pending_insert(r.audit, &mut args, Some("CAST((SELECT id FROM c) AS TEXT)"), None);
        sql += &format!(", a AS ({insert})");
    }
    sql += " SELECT id, case_no FROM c";
    crate::db::query_with(sql, args)
}

/// Replaces a draft's contact details and form (only while it is a draft).
pub async fn update_draft(
    tx: &mut Tx,
    id: i64,
    mobile: &str,
    address: &str,
    form: &serde_json::Value,
    now_ms: i64,
) -> StoreResult<()> {
    tx.recent.forget(id);
    const SQL: &str = const_concat!(
        "UPDATE cases SET applicant_mobile = $1, applicant_address = $2, form = $3, updated_at = $4 \
         WHERE id = $5 AND state = ",
        sql_code!(CaseState::Draft)
    );
    crate::db::query(SQL)
        .bind(mobile)
        .bind(address)
        .bind(form.to_string())
        .bind(now_ms)
        .bind(id)
        .execute(tx.conn())
        .await?
        .or(StoreError::Conflict("not a draft"))
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
