//! 双公示: the publication records of 行政许可 decisions (migration 0045),
//! their publication, the licence joining them, their 无效 mark, the public
//! list and the figures the supervision rules and the dashboard read.

use crate::db::{param, query, query_with, Ex, IntoValue, Row, Value};
use crate::{RowExt, Store, StoreResult, Tx};

/// One record as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditRow {
    pub id: i64,
    pub case_id: i64,
    pub case_no: String,
    pub item_id: i64,
    pub item_name: String,
    pub department_id: i64,
    pub decision: String,
    pub holder_kind: String,
    pub holder_name: String,
    pub holder_code: String,
    pub legal_rep: String,
    pub document_name: String,
    pub document_no: String,
    pub category: String,
    pub certificate_name: String,
    pub license_no: String,
    pub content: String,
    pub decided_at: i64,
    pub decided_on: String,
    pub valid_from: String,
    pub valid_to: String,
    pub authority: String,
    pub authority_code: String,
    pub source_unit: String,
    pub source_unit_code: String,
    pub publish_due: String,
    pub published_at: Option<i64>,
    pub published_on: Option<String>,
    pub published_name: String,
    pub invalid_on: Option<String>,
    pub invalid_reason: String,
}

fn row(r: &Row) -> CreditRow {
    CreditRow {
        id: r.i64("id"),
        case_id: r.i64("case_id"),
        case_no: r.str("case_no"),
        item_id: r.i64("item_id"),
        item_name: r.str("item_name"),
        department_id: r.i64("department_id"),
        decision: r.str("decision"),
        holder_kind: r.str("holder_kind"),
        holder_name: r.str("holder_name"),
        holder_code: r.str("holder_code"),
        legal_rep: r.str("legal_rep"),
        document_name: r.str("document_name"),
        document_no: r.str("document_no"),
        category: r.str("category"),
        certificate_name: r.str("certificate_name"),
        license_no: r.str("license_no"),
        content: r.str("content"),
        decided_at: r.i64("decided_at"),
        decided_on: r.str("decided_on"),
        valid_from: r.str("valid_from"),
        valid_to: r.str("valid_to"),
        authority: r.str("authority"),
        authority_code: r.str("authority_code"),
        source_unit: r.str("source_unit"),
        source_unit_code: r.str("source_unit_code"),
        publish_due: r.str("publish_due"),
        published_at: r.opt_i64("published_at"),
        published_on: r.opt_str("published_on"),
        published_name: r.str("published_name"),
        invalid_on: r.opt_str("invalid_on"),
        invalid_reason: r.str("invalid_reason"),
    }
}

/// A record to write with a conclusion.
pub struct NewRecord<'a> {
    pub case_id: i64,
    pub case_no: &'a str,
    pub item_id: i64,
    pub item_name: &'a str,
    pub department_id: i64,
    pub decision: &'a str,
    pub holder_kind: &'a str,
    pub holder_name: &'a str,
    pub holder_code: &'a str,
    pub legal_rep: &'a str,
    pub document_name: &'a str,
    pub document_no: &'a str,
    pub certificate_name: &'a str,
    pub license_no: &'a str,
    pub content: &'a str,
    pub decided_at: i64,
    pub decided_on: &'a str,
    pub valid_from: &'a str,
    pub valid_to: &'a str,
    pub authority: &'a str,
    pub authority_code: &'a str,
    pub publish_due: &'a str,
}

/// Writes a record (in the conclusion's transaction); its id.
pub async fn insert(tx: &mut Tx, n: &NewRecord<'_>) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO credit_licensing (case_id, case_no, item_id, item_name, department_id, decision, holder_kind, \
         holder_name, holder_code, legal_rep, document_name, document_no, certificate_name, license_no, content, \
         decided_at, decided_on, valid_from, valid_to, authority, authority_code, source_unit, source_unit_code, \
         publish_due) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
         $20, $21, $20, $21, $22) RETURNING id",
    )
    .bind(n.case_id)
    .bind(n.case_no)
    .bind(n.item_id)
    .bind(n.item_name)
    .bind(n.department_id)
    .bind(n.decision)
    .bind(n.holder_kind)
    .bind(n.holder_name)
    .bind(n.holder_code)
    .bind(n.legal_rep)
    .bind(n.document_name)
    .bind(n.document_no)
    .bind(n.certificate_name)
    .bind(n.license_no)
    .bind(n.content)
    .bind(n.decided_at)
    .bind(n.decided_on)
    .bind(n.valid_from)
    .bind(n.valid_to)
    .bind(n.authority)
    .bind(n.authority_code)
    .bind(n.publish_due)
    .fetch_one(tx.conn())
    .await?;
    Ok(r.i64("id"))
}

/// [`insert`] of several records (of distinct cases) in one statement per
/// 100; their ids in the order of `records`.
pub async fn insert_many(tx: &mut Tx, records: &[NewRecord<'_>]) -> StoreResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(records.len());
    for part in records.chunks(100) {
        let mut args = Vec::with_capacity(part.len() * 22);
        let mut values = Vec::with_capacity(part.len());
        for n in part {
            let first = args.len();
            args.extend([
                n.case_id.into_value(),
                n.case_no.into_value(),
                n.item_id.into_value(),
                n.item_name.into_value(),
                n.department_id.into_value(),
                n.decision.into_value(),
                n.holder_kind.into_value(),
                n.holder_name.into_value(),
                n.holder_code.into_value(),
                n.legal_rep.into_value(),
                n.document_name.into_value(),
                n.document_no.into_value(),
                n.certificate_name.into_value(),
                n.license_no.into_value(),
                n.content.into_value(),
                n.decided_at.into_value(),
                n.decided_on.into_value(),
                n.valid_from.into_value(),
                n.valid_to.into_value(),
                n.authority.into_value(),
                n.authority_code.into_value(),
                n.publish_due.into_value(),
            ]);
            let p = |i: usize| format!("${}", first + i);
            // The deciding authority is also the unit the data comes from.
            let cols: Vec<String> = (1..=21).map(p).chain([p(20), p(21), p(22)]).collect();
            values.push(format!("({})", cols.join(", ")));
        }
        let sql = format!(
            "INSERT INTO credit_licensing (case_id, case_no, item_id, item_name, department_id, decision, holder_kind, \
             holder_name, holder_code, legal_rep, document_name, document_no, certificate_name, license_no, content, \
             decided_at, decided_on, valid_from, valid_to, authority, authority_code, source_unit, source_unit_code, \
             publish_due) VALUES {} RETURNING id, case_id",
            values.join(", ")
        );
        let made: std::collections::HashMap<i64, i64> =
            query_with(sql, args).all(tx.conn(), |r| (r.i64("case_id"), r.i64("id"))).await?.into_iter().collect();
        for n in part {
            let id = made
                .get(&n.case_id)
                .copied()
                .ok_or(crate::StoreError::NotFound("credit record returned by its insert"))?;
            ids.push(id);
        }
    }
    Ok(ids)
}

pub async fn get(store: &Store, id: i64) -> StoreResult<Option<CreditRow>> {
    query("SELECT * FROM credit_licensing WHERE id = $1").bind(id).maybe(store.pool(), row).await
}

/// The cases among `ids` that have a record standing already (not 无效:
/// the record of a conclusion corrected since is not the new decision's),
/// in one statement.
pub async fn cases_recorded(store: &Store, ids: &[i64]) -> StoreResult<std::collections::HashSet<i64>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let mut args = vec![];
    let list = crate::db::id_list(ids, &mut args);
    let rows = query_with(
        format!("SELECT case_id FROM credit_licensing WHERE case_id IN ({list}) AND invalid_on IS NULL"),
        args,
    )
    .all(store.pool(), |r| r.i64("case_id"))
    .await?;
    Ok(rows.into_iter().collect())
}

/// The record of a case: its latest (the one of its standing decision, or
/// the record a correction of the conclusion made 无效 before the new
/// decision's).
pub async fn of_case(ex: Ex<'_>, case_id: i64) -> StoreResult<Option<CreditRow>> {
    query("SELECT * FROM credit_licensing WHERE case_id = $1 ORDER BY id DESC LIMIT 1")
        .bind(case_id)
        .maybe(ex, row)
        .await
}

/// Publishes a record unless it is published already (false then: nothing changed).
#[allow(clippy::too_many_arguments)]
pub async fn publish(
    tx: &mut Tx,
    id: i64,
    category: &str,
    content: &str,
    by: i64,
    name: &str,
    now_ms: i64,
    today: &str,
) -> StoreResult<bool> {
    let r = query(
        "UPDATE credit_licensing SET category = $1, content = $2, published_by = $3, published_name = $4, \
         published_at = $5, published_on = $6 WHERE id = $7 AND published_at IS NULL",
    )
    .bind(category)
    .bind(content)
    .bind(by)
    .bind(name)
    .bind(now_ms)
    .bind(today)
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The licence issued for a granted case fills its certificate's name
/// and validity (in the issuance's transaction); how many records.
pub async fn attach_license(
    tx: &mut Tx,
    case_id: i64,
    certificate_name: &str,
    valid_from: &str,
    valid_to: &str,
) -> StoreResult<u64> {
    let r = query(
        "UPDATE credit_licensing SET certificate_name = $1, valid_from = $2, valid_to = $3 WHERE case_id = $4 \
             AND invalid_on IS NULL",
    )
    .bind(certificate_name)
    .bind(valid_from)
    .bind(valid_to)
    .bind(case_id)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected())
}

/// Marks the record of a case 无效 from `on` unless it is already; its id when it changed.
pub async fn invalidate(tx: &mut Tx, case_id: i64, on: &str, reason: &str) -> StoreResult<Option<i64>> {
    let r = query(
        "UPDATE credit_licensing SET invalid_on = $1, invalid_reason = $2 WHERE case_id = $3 AND invalid_on IS NULL \
         RETURNING id",
    )
    .bind(on)
    .bind(reason)
    .bind(case_id)
    .fetch_optional(tx.conn())
    .await?;
    Ok(r.map(|r| r.i64("id")))
}

/// Which records a list reads.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Published (Some(true)), not yet (Some(false)) or both.
    pub published: Option<bool>,
    /// Of this department (许可机关).
    pub department: Option<i64>,
    /// 行政相对人名称 containing this.
    pub name: Option<String>,
    /// 统一社会信用代码 (or the document or licence number) equal to this.
    pub code: Option<String>,
    /// Decided on or after / on or before (YYYY-MM-DD).
    pub from: Option<String>,
    pub to: Option<String>,
    /// A search by the public: `name` and `code` never match a natural
    /// person's name or 身份证号, which the public sees masked (else the
    /// hidden characters could be guessed one at a time).
    pub public: bool,
    pub limit: i64,
    pub offset: i64,
}

/// The records the filter names, newest decision first, and how many there are.
pub async fn list(store: &Store, f: &Filter) -> StoreResult<(Vec<CreditRow>, i64)> {
    let mut cond = vec!["1 = 1".to_string()];
    let mut args: Vec<Value> = vec![];
    let natural = zwfw_domain::cases::ApplicantKind::Natural.code();
    match f.published {
        Some(true) => cond.push("published_at IS NOT NULL".into()),
        Some(false) => cond.push("published_at IS NULL".into()),
        None => {}
    }
    if let Some(d) = f.department {
        let p = param(&mut args, d.into_value());
        cond.push(format!("department_id = {p}"));
    }
    if let Some(n) = &f.name {
        let p = param(
            &mut args,
            format!("%{}%", n.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")).into_value(),
        );
        cond.push(format!("holder_name LIKE {p} ESCAPE '\\'"));
        if f.public {
            cond.push(format!("holder_kind <> '{natural}'"));
        }
    }
    if let Some(c) = &f.code {
        let p = param(&mut args, c.clone().into_value());
        let holder = if f.public {
            format!("(holder_code = {p} AND holder_kind <> '{natural}')")
        } else {
            format!("holder_code = {p}")
        };
        cond.push(format!("({holder} OR document_no = {p} OR license_no = {p})"));
    }
    if let Some(d) = &f.from {
        let p = param(&mut args, d.clone().into_value());
        cond.push(format!("decided_on >= {p}"));
    }
    if let Some(d) = &f.to {
        let p = param(&mut args, d.clone().into_value());
        cond.push(format!("decided_on <= {p}"));
    }
    let wher = cond.join(" AND ");
    let total = query_with(format!("SELECT COUNT(*) AS n FROM credit_licensing WHERE {wher}"), args.clone())
        .fetch_one(store.pool())
        .await?
        .i64("n");
    let sql = format!(
        "SELECT * FROM credit_licensing WHERE {wher} ORDER BY decided_on DESC, id DESC LIMIT {} OFFSET {}",
        f.limit.clamp(1, 10_000),
        f.offset.max(0)
    );
    let rows = query_with(sql, args).fetch_all(store.pool()).await?;
    Ok((rows.iter().map(row).collect(), total))
}

/// An unpublished record as the supervision rule A12 reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpublished {
    pub id: i64,
    pub department_id: i64,
    pub case_no: String,
    pub decided_on: String,
    pub publish_due: String,
}

/// The unpublished records due before `day` (YYYY-MM-DD).
pub async fn unpublished_due_before(store: &Store, day: &str) -> StoreResult<Vec<Unpublished>> {
    query(
        "SELECT id, department_id, case_no, decided_on, publish_due FROM credit_licensing \
         WHERE published_at IS NULL AND publish_due < $1 ORDER BY publish_due, id",
    )
    .bind(day)
    .all(store.pool(), |r| Unpublished {
        id: r.i64("id"),
        department_id: r.i64("department_id"),
        case_no: r.str("case_no"),
        decided_on: r.str("decided_on"),
        publish_due: r.str("publish_due"),
    })
    .await
}

/// Per department: records published on time, late, not published and
/// overdue on `today`, and not published and not yet due; of the decisions
/// taken from `from` to `to` (YYYY-MM-DD, both included; all when None).
pub async fn timeliness(
    store: &Store,
    today: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> StoreResult<Vec<(i64, [i64; 4])>> {
    let rows = query(
        "SELECT department_id, \
         SUM(CASE WHEN published_on IS NOT NULL AND published_on <= publish_due THEN 1 ELSE 0 END) AS on_time, \
         SUM(CASE WHEN published_on IS NOT NULL AND published_on > publish_due THEN 1 ELSE 0 END) AS late, \
         SUM(CASE WHEN published_on IS NULL AND publish_due < $1 THEN 1 ELSE 0 END) AS overdue, \
         SUM(CASE WHEN published_on IS NULL AND publish_due >= $1 THEN 1 ELSE 0 END) AS pending \
         FROM credit_licensing WHERE ($2 = '' OR decided_on >= $2) AND ($3 = '' OR decided_on <= $3) \
         GROUP BY department_id ORDER BY department_id",
    )
    .bind(today)
    .bind(from.unwrap_or(""))
    .bind(to.unwrap_or(""))
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| (r.i64("department_id"), [r.i64("on_time"), r.i64("late"), r.i64("overdue"), r.i64("pending")]))
        .collect())
}

/// The records whose last day to publish is from `from` up to before
/// `until` (YYYY-MM-DD): (department, last day, day published), for the evaluation.
pub async fn publications_due_between(
    store: &Store,
    from: &str,
    until: &str,
) -> StoreResult<Vec<(i64, String, Option<String>)>> {
    let rows = query(
        "SELECT department_id, publish_due, published_on FROM credit_licensing \
         WHERE publish_due >= $1 AND publish_due < $2",
    )
    .bind(from)
    .bind(until)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(|r| (r.i64("department_id"), r.str("publish_due"), r.opt_str("published_on"))).collect())
}
