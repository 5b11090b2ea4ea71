//! 误操作更正 (migration 0056): the correction requests, their consent and
//! their carrying out (the corrective event's number on the case).

use crate::db::{query, query_with, Ex, IntoValue, Row};
use crate::{RowExt, Store, StoreResult, Tx};
use zwfw_domain::licenses::LicenseStatus;
use zwfw_domain::{const_concat, sql_list};

pub use super::deletion::Step;

/// One correction request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectionRow {
    pub id: i64,
    pub case_id: i64,
    pub case_no: String,
    pub item_name: String,
    pub event_seq: i64,
    pub event_kind: String,
    pub correction_kind: String,
    pub department_id: i64,
    pub department_name: String,
    pub requester_id: i64,
    pub requester_name: String,
    pub content: String,
    pub reason: String,
    pub state: String,
    pub requested_at: i64,
    pub withdrawn_at: Option<i64>,
    pub consent_by: Option<i64>,
    pub consent_name: String,
    pub consent_at: Option<i64>,
    pub consent_note: String,
    /// In whose stead the consent was given: '' (a head of the case's
    /// department), `centre_head` or `system_admin` (migration 0061).
    pub consent_as: String,
    pub performed_by: Option<i64>,
    pub performed_name: String,
    pub performed_at: Option<i64>,
    pub performed_note: String,
    pub corrective_seq: Option<i64>,
    /// The corrected values a request carries (JSON; '' for none).
    pub corrected_values: String,
}

fn row(r: &Row) -> CorrectionRow {
    CorrectionRow {
        id: r.i64("id"),
        case_id: r.i64("case_id"),
        case_no: r.opt_str("case_no").unwrap_or_default(),
        item_name: r.opt_str("item_name").unwrap_or_default(),
        event_seq: r.i64("event_seq"),
        event_kind: r.str("event_kind"),
        correction_kind: r.str("correction_kind"),
        department_id: r.i64("department_id"),
        department_name: r.opt_str("department_name").unwrap_or_default(),
        requester_id: r.i64("requester_id"),
        requester_name: r.str("requester_name"),
        content: r.str("content"),
        reason: r.str("reason"),
        state: r.str("state"),
        requested_at: r.i64("requested_at"),
        withdrawn_at: r.opt_i64("withdrawn_at"),
        consent_by: r.opt_i64("consent_by"),
        consent_name: r.str("consent_name"),
        consent_at: r.opt_i64("consent_at"),
        consent_note: r.str("consent_note"),
        consent_as: r.str("consent_as"),
        performed_by: r.opt_i64("performed_by"),
        performed_name: r.str("performed_name"),
        performed_at: r.opt_i64("performed_at"),
        performed_note: r.str("performed_note"),
        corrective_seq: r.opt_i64("corrective_seq"),
        corrected_values: r.str("corrected_values"),
    }
}

const SELECT: &str = "SELECT q.*, d.name AS department_name, c.case_no AS case_no, c.item_name AS item_name \
                      FROM correction_requests q LEFT JOIN departments d ON d.id = q.department_id \
                      LEFT JOIN cases c ON c.id = q.case_id";

/// A request to store (state `requested`).
pub struct NewCorrection<'a> {
    pub case_id: i64,
    pub event_seq: i64,
    pub event_kind: &'a str,
    pub correction_kind: &'a str,
    pub department_id: i64,
    pub requester_id: i64,
    pub requester_name: &'a str,
    pub content: &'a str,
    pub reason: &'a str,
    pub requested_at: i64,
    /// The corrected values (JSON), '' for none.
    pub corrected_values: &'a str,
}

/// Stores a request unless one for the same event is open; its id, or
/// none when one is open.
pub async fn insert(tx: &mut Tx, n: &NewCorrection<'_>) -> StoreResult<Option<i64>> {
    crate::lock_row(tx, "cases", n.case_id).await?;
    if open_for(tx.conn(), n.case_id, n.event_seq).await?.is_some() {
        return Ok(None);
    }
    let r = query(
        "INSERT INTO correction_requests (case_id, event_seq, event_kind, correction_kind, department_id, \
         requester_id, requester_name, content, reason, state, requested_at, corrected_values) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'requested', $10, $11) RETURNING id",
    )
    .bind(n.case_id)
    .bind(n.event_seq)
    .bind(n.event_kind)
    .bind(n.correction_kind)
    .bind(n.department_id)
    .bind(n.requester_id)
    .bind(n.requester_name)
    .bind(n.content)
    .bind(n.reason)
    .bind(n.requested_at)
    .bind(n.corrected_values)
    .fetch_one(tx.conn())
    .await?;
    Ok(Some(r.i64("id")))
}

pub async fn get(ex: Ex<'_>, id: i64) -> StoreResult<Option<CorrectionRow>> {
    query(format!("{SELECT} WHERE q.id = $1")).bind(id).maybe(ex, row).await
}

/// The open request (waiting for a step) for an event of a case, if any.
pub async fn open_for(ex: Ex<'_>, case_id: i64, event_seq: i64) -> StoreResult<Option<CorrectionRow>> {
    query(format!(
        "{SELECT} WHERE q.case_id = $1 AND q.event_seq = $2 AND q.state IN ('requested', 'consented') ORDER BY q.id DESC"
    ))
    .bind(case_id)
    .bind(event_seq)
    .maybe(ex, row)
    .await
}

/// Which requests a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<String>,
    /// The case's department.
    pub department_id: Option<i64>,
    pub requester_id: Option<i64>,
    pub case_id: Option<i64>,
    /// Requests listed as well, whatever their department and requester
    /// (those the reader stands in for).
    pub or_ids: Vec<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// The requests the filter names, newest first, and how many there are.
pub async fn list(store: &Store, f: &Filter) -> StoreResult<(Vec<CorrectionRow>, i64)> {
    use crate::db::param;
    let mut cond = vec!["1 = 1".to_string()];
    let mut args = vec![];
    for (col, v) in [("department_id", f.department_id), ("requester_id", f.requester_id), ("case_id", f.case_id)] {
        if let Some(v) = v {
            let p = param(&mut args, v.into_value());
            cond.push(format!("q.{col} = {p}"));
        }
    }
    let mut wher = cond.join(" AND ");
    if !f.or_ids.is_empty() {
        wher = format!("(({wher}) OR q.id IN ({}))", crate::db::id_list(&f.or_ids, &mut args));
    }
    if let Some(s) = &f.state {
        let p = param(&mut args, s.clone().into_value());
        wher = format!("{wher} AND q.state = {p}");
    }
    let total = query_with(format!("SELECT COUNT(*) AS n FROM correction_requests q WHERE {wher}"), args.clone())
        .fetch_one(store.pool())
        .await?
        .i64("n");
    let sql =
        format!("{SELECT} WHERE {wher} ORDER BY q.id DESC LIMIT {} OFFSET {}", f.limit.clamp(1, 500), f.offset.max(0));
    let rows = query_with(sql, args).fetch_all(store.pool()).await?;
    Ok((rows.iter().map(row).collect(), total))
}

/// Writes a step into the columns `{prefix}_by`, `_name`, `_note`, `_at`
/// (and the corrective event's number); false when the request left `from`.
async fn record_step(
    tx: &mut Tx,
    id: i64,
    prefix: &'static str,
    s: &Step<'_>,
    corrective_seq: Option<i64>,
) -> StoreResult<bool> {
    let r = query(format!(
        "UPDATE correction_requests SET state = $1, {prefix}_by = $2, {prefix}_name = $3, {prefix}_note = $4, \
         {prefix}_at = $5, corrective_seq = COALESCE($6, corrective_seq) WHERE id = $7 AND state = $8"
    ))
    .bind(s.to)
    .bind(s.by)
    .bind(s.by_name)
    .bind(s.note)
    .bind(s.at)
    .bind(corrective_seq)
    .bind(id)
    .bind(s.from)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The head's consent or refusal, `consent_as` saying in whose stead
/// ('' for a head of the case's department); false when the request left `from`.
pub async fn consent(tx: &mut Tx, id: i64, s: &Step<'_>, consent_as: &str) -> StoreResult<bool> {
    if !record_step(tx, id, "consent", s, None).await? {
        return Ok(false);
    }
    query("UPDATE correction_requests SET consent_as = $1 WHERE id = $2")
        .bind(consent_as)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(true)
}

/// The centre's carrying out (with the corrective event's number) or
/// refusal; false when the request left `from`.
pub async fn finish(tx: &mut Tx, id: i64, s: &Step<'_>, corrective_seq: Option<i64>) -> StoreResult<bool> {
    record_step(tx, id, "performed", s, corrective_seq).await
}

/// The requester's withdrawal before consent; false when the request left `requested`.
pub async fn withdraw(tx: &mut Tx, id: i64, at: i64) -> StoreResult<bool> {
    let r = query(
        "UPDATE correction_requests SET state = 'withdrawn', withdrawn_at = $1 WHERE id = $2 AND state = 'requested'",
    )
    .bind(at)
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Which records a case's conclusion derived that name its applicant: a
/// licence (issued, or its issue waiting: `license_jobs`), and a 双公示
/// record or a 审管 push; and whether a licence issued on the case changed
/// by its own routes since (neither valid nor voided).
pub async fn derived(ex: Ex<'_>, case_id: i64) -> StoreResult<(bool, bool, bool)> {
    const SQL: &str = const_concat!(
        "SELECT (SELECT COUNT(*) FROM licenses WHERE case_id = $1) + (SELECT COUNT(*) FROM license_jobs WHERE case_id = $1) AS lic, \
         (SELECT COUNT(*) FROM credit_licensing WHERE case_id = $1) + (SELECT COUNT(*) FROM handovers WHERE case_id = $1) AS pubs, \
         (SELECT COUNT(*) FROM licenses WHERE case_id = $1 AND status NOT IN (",
        sql_list!(LicenseStatus, LicenseStatus::AS_ISSUED),
        ")) AS changed"
    );
    let r = query(SQL).bind(case_id).fetch_one(ex).await?;
    Ok((r.i64("lic") > 0, r.i64("pubs") > 0, r.i64("changed") > 0))
}

/// The applicant's data a case records, as an applicant-data correction sets it.
pub struct Applicant<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub id_no: &'a str,
    pub mobile: &'a str,
    pub address: &'a str,
    pub email: &'a str,
    /// The account the applicant holds, linked to the case.
    pub user_id: Option<i64>,
}

/// Sets the applicant's data of case `case_id` (the case locked, in the
/// transaction of the corrective event).
pub async fn set_applicant(tx: &mut Tx, case_id: i64, a: &Applicant<'_>) -> StoreResult<()> {
    query(
        "UPDATE cases SET applicant_kind = $1, applicant_name = $2, applicant_id_no = $3, applicant_mobile = $4, \
         applicant_address = $5, applicant_email = $6, applicant_user_id = $7 WHERE id = $8",
    )
    .bind(a.kind)
    .bind(a.name)
    .bind(a.id_no)
    .bind(a.mobile)
    .bind(a.address)
    .bind(a.email)
    .bind(a.user_id)
    .bind(case_id)
    .execute(tx.conn())
    .await?;
    Ok(())
}
