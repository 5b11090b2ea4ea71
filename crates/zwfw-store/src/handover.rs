//! 审管交互: the records pushed to the regulators (migration 0036), their
//! claims, and the unclaimed ones the supervision rules read.

use crate::db::{query, Ex, Row};
use crate::{RowExt, Store, StoreResult, Tx};
use zwfw_domain::{const_concat, sql_code};

/// One pushed record as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoverRow {
    pub id: i64,
    pub kind: String,
    pub case_id: Option<i64>,
    pub case_no: String,
    pub item_id: Option<i64>,
    pub item_name: String,
    pub source_department_id: i64,
    pub regulator_department_id: i64,
    pub decision: String,
    pub decision_no: String,
    pub decided_at: i64,
    pub reason: String,
    pub license_id: Option<i64>,
    /// The licence's identifier, when there is one.
    pub license_identifier: Option<String>,
    pub holder_kind: String,
    pub holder_name: String,
    pub holder_code: String,
    /// JSON list.
    pub opinions: String,
    /// JSON list.
    pub materials: String,
    pub pushed_at: i64,
    pub claim_due: String,
    pub claimed_at: Option<i64>,
    pub claimed_by: Option<i64>,
    pub claimed_name: String,
    pub claim_note: String,
}

fn row(r: &Row) -> HandoverRow {
    HandoverRow {
        id: r.i64("id"),
        kind: r.str("kind"),
        case_id: r.opt_i64("case_id"),
        case_no: r.str("case_no"),
        item_id: r.opt_i64("item_id"),
        item_name: r.str("item_name"),
        source_department_id: r.i64("source_department_id"),
        regulator_department_id: r.i64("regulator_department_id"),
        decision: r.str("decision"),
        decision_no: r.str("decision_no"),
        decided_at: r.i64("decided_at"),
        reason: r.str("reason"),
        license_id: r.opt_i64("license_id"),
        license_identifier: r.opt_str("license_identifier"),
        holder_kind: r.str("holder_kind"),
        holder_name: r.str("holder_name"),
        holder_code: r.str("holder_code"),
        opinions: r.str("opinions"),
        materials: r.str("materials"),
        pushed_at: r.i64("pushed_at"),
        claim_due: r.str("claim_due"),
        claimed_at: r.opt_i64("claimed_at"),
        claimed_by: r.opt_i64("claimed_by"),
        claimed_name: r.str("claimed_name"),
        claim_note: r.str("claim_note"),
    }
}

const SELECT: &str = "SELECT h.*, l.identifier AS license_identifier FROM handovers h \
                      LEFT JOIN licenses l ON l.id = h.license_id";

/// A record to push.
pub struct NewHandover<'a> {
    pub kind: &'a str,
    pub case_id: Option<i64>,
    pub case_no: &'a str,
    pub item_id: Option<i64>,
    pub item_name: &'a str,
    pub source_department_id: i64,
    pub regulator_department_id: i64,
    pub decision: &'a str,
    pub decision_no: &'a str,
    pub decided_at: i64,
    pub reason: &'a str,
    pub license_id: Option<i64>,
    pub holder_kind: &'a str,
    pub holder_name: &'a str,
    pub holder_code: &'a str,
    pub opinions: &'a str,
    pub materials: &'a str,
    pub pushed_at: i64,
    pub claim_due: &'a str,
}

/// Writes a record (in the transaction of what it announces); its id.
pub async fn insert(tx: &mut Tx, h: &NewHandover<'_>) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO handovers (kind, case_id, case_no, item_id, item_name, source_department_id, \
         regulator_department_id, decision, decision_no, decided_at, reason, license_id, holder_kind, holder_name, \
         holder_code, opinions, materials, pushed_at, claim_due) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id",
    )
    .bind(h.kind)
    .bind(h.case_id)
    .bind(h.case_no)
    .bind(h.item_id)
    .bind(h.item_name)
    .bind(h.source_department_id)
    .bind(h.regulator_department_id)
    .bind(h.decision)
    .bind(h.decision_no)
    .bind(h.decided_at)
    .bind(h.reason)
    .bind(h.license_id)
    .bind(h.holder_kind)
    .bind(h.holder_name)
    .bind(h.holder_code)
    .bind(h.opinions)
    .bind(h.materials)
    .bind(h.pushed_at)
    .bind(h.claim_due)
    .fetch_one(tx.conn())
    .await?;
    Ok(r.i64("id"))
}

/// [`insert`] of the records of several conclusions in one statement per
/// 100; their ids in the order of `rows`. Each must be the only one of its
/// case and regulator among `rows` (a conclusion pushes once to each).
pub async fn insert_many(tx: &mut Tx, rows: &[NewHandover<'_>]) -> StoreResult<Vec<i64>> {
    use crate::db::IntoValue;
    let mut ids = Vec::with_capacity(rows.len());
    for part in rows.chunks(100) {
        let mut args = Vec::with_capacity(part.len() * 19);
        let mut values = Vec::with_capacity(part.len());
        for h in part {
            let first = args.len();
            args.extend([
                h.kind.into_value(),
                h.case_id.into_value(),
                h.case_no.into_value(),
                h.item_id.into_value(),
                h.item_name.into_value(),
                h.source_department_id.into_value(),
                h.regulator_department_id.into_value(),
                h.decision.into_value(),
                h.decision_no.into_value(),
                h.decided_at.into_value(),
                h.reason.into_value(),
                h.license_id.into_value(),
                h.holder_kind.into_value(),
                h.holder_name.into_value(),
                h.holder_code.into_value(),
                h.opinions.into_value(),
                h.materials.into_value(),
                h.pushed_at.into_value(),
                h.claim_due.into_value(),
            ]);
            values.push(format!(
                "({})",
                (first + 1..=args.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
            ));
        }
        let sql = format!(
            "INSERT INTO handovers (kind, case_id, case_no, item_id, item_name, source_department_id, \
             regulator_department_id, decision, decision_no, decided_at, reason, license_id, holder_kind, holder_name, \
             holder_code, opinions, materials, pushed_at, claim_due) VALUES {} \
             RETURNING id, case_id, regulator_department_id",
            values.join(", ")
        );
        // Returned in no promised order: each id found by its case and regulator.
        let made: std::collections::HashMap<(Option<i64>, i64), i64> = crate::db::query_with(sql, args)
            .all(tx.conn(), |r| ((r.opt_i64("case_id"), r.i64("regulator_department_id")), r.i64("id")))
            .await?
            .into_iter()
            .collect();
        for h in part {
            let id = made
                .get(&(h.case_id, h.regulator_department_id))
                .copied()
                .ok_or(crate::StoreError::NotFound("handover returned by its insert"))?;
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Records of a case's conclusion not followed by a correction of it
/// (`h` the record read): they stand.
const STANDING: &str = const_concat!(
    " AND NOT EXISTS (SELECT 1 FROM handovers c WHERE c.case_id = h.case_id AND c.kind = ",
    sql_code!(zwfw_domain::handover::Kind::ConclusionCorrected),
    " AND c.id > h.id)"
);

/// The licence issued for a granted case joins the records its conclusion
/// pushed (in the issuance's transaction), those not followed by a
/// correction of the conclusion; how many.
pub async fn attach_license(tx: &mut Tx, case_id: i64, license_id: i64, kind: &str) -> StoreResult<u64> {
    const SQL: &str = const_concat!(
        "UPDATE handovers SET license_id = $1 WHERE id IN (SELECT h.id FROM handovers h \
         WHERE h.case_id = $2 AND h.kind = $3 AND h.license_id IS NULL",
        STANDING,
        ")"
    );
    let r = query(SQL).bind(license_id).bind(case_id).bind(kind).execute(tx.conn()).await?;
    Ok(r.rows_affected())
}

/// The regulators the conclusion of a case was pushed to, in order.
pub async fn regulators_of_case(ex: Ex<'_>, case_id: i64, kind: &str) -> StoreResult<Vec<i64>> {
    let rows = query(
        "SELECT DISTINCT regulator_department_id FROM handovers WHERE case_id = $1 AND kind = $2 \
         ORDER BY regulator_department_id",
    )
    .bind(case_id)
    .bind(kind)
    .fetch_all(ex)
    .await?;
    Ok(rows.iter().map(|r| r.i64("regulator_department_id")).collect())
}

/// The cases among `ids` that pushed a record of `kind` already, not
/// followed by a correction of their conclusion, in one statement.
pub async fn cases_pushed(store: &Store, ids: &[i64], kind: &str) -> StoreResult<std::collections::HashSet<i64>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let mut args = vec![crate::db::Value::Text(kind.to_string())];
    let list = crate::db::id_list(ids, &mut args);
    let rows = crate::db::query_with(
        format!("SELECT DISTINCT h.case_id FROM handovers h WHERE h.kind = $1 AND h.case_id IN ({list}){STANDING}"),
        args,
    )
    .all(store.pool(), |r| r.i64("case_id"))
    .await?;
    Ok(rows.into_iter().collect())
}

/// The records `ids` that exist, in one statement (in no set order).
pub async fn get_many(store: &Store, ids: &[i64]) -> StoreResult<Vec<HandoverRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut args = vec![];
    let list = crate::db::id_list(ids, &mut args);
    crate::db::query_with(format!("{SELECT} WHERE h.id IN ({list})"), args).all(store.pool(), row).await
}

pub async fn get(store: &Store, id: i64) -> StoreResult<Option<HandoverRow>> {
    query(format!("{SELECT} WHERE h.id = $1")).bind(id).maybe(store.pool(), row).await
}

/// Which records a list reads.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Pushed to this regulator.
    pub regulator: Option<i64>,
    /// Pushed by this approving department.
    pub source: Option<i64>,
    /// Claimed (Some(true)), unclaimed (Some(false)) or both.
    pub claimed: Option<bool>,
    /// Of this case.
    pub case_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// The records the filter names, newest first, and how many there are.
pub async fn list(store: &Store, f: &Filter) -> StoreResult<(Vec<HandoverRow>, i64)> {
    let mut cond = vec!["1 = 1".to_string()];
    let mut args = vec![];
    use crate::db::{param, IntoValue};
    if let Some(d) = f.regulator {
        let p = param(&mut args, d.into_value());
        cond.push(format!("h.regulator_department_id = {p}"));
    }
    if let Some(d) = f.source {
        let p = param(&mut args, d.into_value());
        cond.push(format!("h.source_department_id = {p}"));
    }
    if let Some(c) = f.case_id {
        let p = param(&mut args, c.into_value());
        cond.push(format!("h.case_id = {p}"));
    }
    match f.claimed {
        Some(true) => cond.push("h.claimed_at IS NOT NULL".into()),
        Some(false) => cond.push("h.claimed_at IS NULL".into()),
        None => {}
    }
    let wher = cond.join(" AND ");
    let total = crate::db::query_with(format!("SELECT COUNT(*) AS n FROM handovers h WHERE {wher}"), args.clone())
        .fetch_one(store.pool())
        .await?
        .i64("n");
    // Unclaimed records by the last day to claim (the most urgent first);
    // others newest first.
    let order = match f.claimed {
        Some(false) => "h.claim_due, h.id",
        _ => "h.id DESC",
    };
    let sql =
        format!("{SELECT} WHERE {wher} ORDER BY {order} LIMIT {} OFFSET {}", f.limit.clamp(1, 500), f.offset.max(0));
    let rows = crate::db::query_with(sql, args).fetch_all(store.pool()).await?;
    Ok((rows.iter().map(row).collect(), total))
}

/// Claims a record unless it is claimed already (false then: nothing changed).
pub async fn claim(tx: &mut Tx, id: i64, by: i64, name: &str, note: &str, now_ms: i64) -> StoreResult<bool> {
    let r = query(
        "UPDATE handovers SET claimed_at = $1, claimed_by = $2, claimed_name = $3, claim_note = $4 \
         WHERE id = $5 AND claimed_at IS NULL",
    )
    .bind(now_ms)
    .bind(by)
    .bind(name)
    .bind(note)
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// An unclaimed record as the supervision rules read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unclaimed {
    pub id: i64,
    pub regulator_department_id: i64,
    pub case_no: String,
    pub item_name: String,
    pub claim_due: String,
}

/// The unclaimed records due on or before `day` (YYYY-MM-DD).
pub async fn unclaimed_due_by(store: &Store, day: &str) -> StoreResult<Vec<Unclaimed>> {
    query(
        "SELECT id, regulator_department_id, case_no, item_name, claim_due FROM handovers \
         WHERE claimed_at IS NULL AND claim_due <= $1 ORDER BY claim_due, id",
    )
    .bind(day)
    .all(store.pool(), |r| Unclaimed {
        id: r.i64("id"),
        regulator_department_id: r.i64("regulator_department_id"),
        case_no: r.str("case_no"),
        item_name: r.str("item_name"),
        claim_due: r.str("claim_due"),
    })
    .await
}

// ---------- the flow back (回流, migration 0041) ----------

/// A decision a regulator recorded on a record's licensee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanctionRow {
    pub id: i64,
    pub handover_id: i64,
    pub regulator_department_id: i64,
    pub source_department_id: i64,
    pub kind: String,
    pub decision_no: String,
    pub decided_on: String,
    pub reason: String,
    pub license_id: Option<i64>,
    /// The licence's identifier, when there is one.
    pub license_identifier: Option<String>,
    pub holder_kind: String,
    pub holder_name: String,
    pub holder_code: String,
    pub restrict_from: Option<String>,
    pub restrict_until: Option<String>,
    /// JSON list of item ids.
    pub item_ids: String,
    /// JSON list of attachments.
    pub attachments: String,
    pub recorded_at: i64,
    pub recorded_by: i64,
    pub recorded_name: String,
}

fn sanction_row(r: &Row) -> SanctionRow {
    SanctionRow {
        id: r.i64("id"),
        handover_id: r.i64("handover_id"),
        regulator_department_id: r.i64("regulator_department_id"),
        source_department_id: r.i64("source_department_id"),
        kind: r.str("kind"),
        decision_no: r.str("decision_no"),
        decided_on: r.str("decided_on"),
        reason: r.str("reason"),
        license_id: r.opt_i64("license_id"),
        license_identifier: r.opt_str("license_identifier"),
        holder_kind: r.str("holder_kind"),
        holder_name: r.str("holder_name"),
        holder_code: r.str("holder_code"),
        restrict_from: r.opt_str("restrict_from"),
        restrict_until: r.opt_str("restrict_until"),
        item_ids: r.str("item_ids"),
        attachments: r.str("attachments"),
        recorded_at: r.i64("recorded_at"),
        recorded_by: r.i64("recorded_by"),
        recorded_name: r.str("recorded_name"),
    }
}

const SELECT_SANCTION: &str = "SELECT s.*, l.identifier AS license_identifier FROM handover_sanctions s \
                               LEFT JOIN licenses l ON l.id = s.license_id";

/// A decision to record.
pub struct NewSanction<'a> {
    pub handover_id: i64,
    pub regulator_department_id: i64,
    pub source_department_id: i64,
    pub kind: &'a str,
    pub decision_no: &'a str,
    pub decided_on: &'a str,
    pub reason: &'a str,
    pub license_id: Option<i64>,
    pub holder_kind: &'a str,
    pub holder_name: &'a str,
    pub holder_code: &'a str,
    pub restrict_from: Option<&'a str>,
    pub restrict_until: Option<&'a str>,
    pub item_ids: &'a str,
    pub attachments: &'a str,
    pub recorded_at: i64,
    pub recorded_by: i64,
    pub recorded_name: &'a str,
}

/// Writes a decision (in the transaction of what it changes); its id.
pub async fn insert_sanction(tx: &mut Tx, s: &NewSanction<'_>) -> StoreResult<i64> {
    let r = query(
        "INSERT INTO handover_sanctions (handover_id, regulator_department_id, source_department_id, kind, \
         decision_no, decided_on, reason, license_id, holder_kind, holder_name, holder_code, restrict_from, \
         restrict_until, item_ids, attachments, recorded_at, recorded_by, recorded_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
    )
    .bind(s.handover_id)
    .bind(s.regulator_department_id)
    .bind(s.source_department_id)
    .bind(s.kind)
    .bind(s.decision_no)
    .bind(s.decided_on)
    .bind(s.reason)
    .bind(s.license_id)
    .bind(s.holder_kind)
    .bind(s.holder_name)
    .bind(s.holder_code)
    .bind(s.restrict_from)
    .bind(s.restrict_until)
    .bind(s.item_ids)
    .bind(s.attachments)
    .bind(s.recorded_at)
    .bind(s.recorded_by)
    .bind(s.recorded_name)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| crate::StoreError::unique_as(e, "decision_no"))?;
    Ok(r.i64("id"))
}

/// The decision the department `regulator` recorded under the number
/// `decision_no` (as recorded, trimmed), if any: read through `ex` (the
/// recording transaction's connection).
pub async fn sanction_by_number(ex: Ex<'_>, regulator: i64, decision_no: &str) -> StoreResult<Option<SanctionRow>> {
    query(format!(
        "{SELECT_SANCTION} WHERE s.regulator_department_id = $1 AND s.decision_no = $2 ORDER BY s.id LIMIT 1"
    ))
    .bind(regulator)
    .bind(decision_no)
    .maybe(ex, sanction_row)
    .await
}

// ---------- decision numbers (migration 0057) ----------

/// A decision document number a department used, and for what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionNumberRow {
    pub department_id: i64,
    pub decision_no: String,
    /// penalty | rectify | revoke | restrict
    pub kind: String,
    /// The back-flow decision, when it was entered on a pushed record.
    pub sanction_id: Option<i64>,
    pub license_id: Option<i64>,
    /// The licence's identifier, when there is one.
    pub license_identifier: Option<String>,
    pub recorded_at: i64,
    pub recorded_by: Option<i64>,
    pub recorded_name: String,
}

fn decision_number_row(r: &Row) -> DecisionNumberRow {
    DecisionNumberRow {
        department_id: r.i64("department_id"),
        decision_no: r.str("decision_no"),
        kind: r.str("kind"),
        sanction_id: r.opt_i64("sanction_id"),
        license_id: r.opt_i64("license_id"),
        license_identifier: r.opt_str("license_identifier"),
        recorded_at: r.i64("recorded_at"),
        recorded_by: r.opt_i64("recorded_by"),
        recorded_name: r.str("recorded_name"),
    }
}

const SELECT_NUMBER: &str = "SELECT n.*, l.identifier AS license_identifier FROM decision_numbers n \
                             LEFT JOIN licenses l ON l.id = n.license_id";

/// A number to record as used.
pub struct NewDecisionNumber<'a> {
    pub department_id: i64,
    pub decision_no: &'a str,
    pub kind: &'a str,
    pub sanction_id: Option<i64>,
    pub license_id: Option<i64>,
    pub recorded_at: i64,
    pub recorded_by: Option<i64>,
    pub recorded_name: &'a str,
}

/// Records a number as used by its department, in the transaction of the
/// decision: `Duplicate("decision_no")` when the department used it already
/// (the primary key holds when two entries race).
pub async fn use_decision_number(tx: &mut Tx, n: &NewDecisionNumber<'_>) -> StoreResult<()> {
    query(
        "INSERT INTO decision_numbers (department_id, decision_no, kind, sanction_id, license_id, recorded_at, \
         recorded_by, recorded_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(n.department_id)
    .bind(n.decision_no)
    .bind(n.kind)
    .bind(n.sanction_id)
    .bind(n.license_id)
    .bind(n.recorded_at)
    .bind(n.recorded_by)
    .bind(n.recorded_name)
    .execute(tx.conn())
    .await
    .map_err(|e| crate::StoreError::unique_as(e, "decision_no"))?;
    Ok(())
}

/// The use of the number `decision_no` (trimmed) by `department`, if any,
/// read through `ex` (the recording transaction's connection).
pub async fn decision_number(ex: Ex<'_>, department: i64, decision_no: &str) -> StoreResult<Option<DecisionNumberRow>> {
    query(format!("{SELECT_NUMBER} WHERE n.department_id = $1 AND n.decision_no = $2"))
        .bind(department)
        .bind(decision_no)
        .maybe(ex, decision_number_row)
        .await
}

/// The 吊销 entered on the licences' pages (not flowing back) of the
/// licence `license_id` or of any licence issued on case `case_id`, oldest
/// first.
pub async fn page_revocations(
    store: &Store,
    license_id: Option<i64>,
    case_id: Option<i64>,
) -> StoreResult<Vec<DecisionNumberRow>> {
    query(format!(
        "{SELECT_NUMBER} WHERE n.sanction_id IS NULL AND n.kind = 'revoke' \
         AND (n.license_id = $1 OR l.case_id = $2) ORDER BY n.recorded_at, n.department_id"
    ))
    .bind(license_id.unwrap_or(0))
    .bind(case_id.unwrap_or(0))
    .all(store.pool(), decision_number_row)
    .await
}

/// The decisions recorded on a record, oldest first.
pub async fn sanctions_of(store: &Store, handover_id: i64) -> StoreResult<Vec<SanctionRow>> {
    query(format!("{SELECT_SANCTION} WHERE s.handover_id = $1 ORDER BY s.id"))
        .bind(handover_id)
        .all(store.pool(), sanction_row)
        .await
}

/// The 限制准入 on the person or company with `holder_code` whose last day
/// is `day` (YYYY-MM-DD) or later, oldest first.
pub async fn restrictions_on(store: &Store, holder_code: &str, day: &str) -> StoreResult<Vec<SanctionRow>> {
    query(format!(
        "{SELECT_SANCTION} WHERE s.kind = 'restrict' AND s.holder_code = $1 AND s.restrict_until >= $2 ORDER BY s.id"
    ))
    .bind(holder_code)
    .bind(day)
    .all(store.pool(), sanction_row)
    .await
}

/// The 审管 backlog per regulator: (department, unclaimed, of which past
/// their last day on `today`, YYYY-MM-DD).
pub async fn backlog_by_regulator(store: &Store, today: &str) -> StoreResult<Vec<(i64, i64, i64)>> {
    let rows = query(
        "SELECT regulator_department_id AS d, COUNT(*) AS n, \
         SUM(CASE WHEN claim_due < $1 THEN 1 ELSE 0 END) AS late FROM handovers \
         WHERE claimed_at IS NULL GROUP BY regulator_department_id ORDER BY regulator_department_id",
    )
    .bind(today)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(|r| (r.i64("d"), r.i64("n"), r.i64("late"))).collect())
}

/// The records whose last day to claim is from `from` up to before `until`
/// (YYYY-MM-DD): (regulator, last day, when claimed), for the evaluation.
pub async fn claims_due_between(
    store: &Store,
    from: &str,
    until: &str,
) -> StoreResult<Vec<(i64, String, Option<i64>)>> {
    let rows = query(
        "SELECT regulator_department_id AS d, claim_due, claimed_at FROM handovers \
         WHERE claim_due >= $1 AND claim_due < $2",
    )
    .bind(from)
    .bind(until)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(|r| (r.i64("d"), r.str("claim_due"), r.opt_i64("claimed_at"))).collect())
}
