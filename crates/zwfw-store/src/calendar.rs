//! The working-day calendar years.

use crate::{RowExt, Store, StoreResult, Tx};
use serde::Serialize;
use zwfw_domain::calendar::{YearSource, YearSpec};
use zwfw_domain::{const_concat, sql_code};

/// A stored year and who last set it.
#[derive(Debug, Clone, Serialize)]
pub struct StoredYear {
    pub spec: YearSpec,
    /// `shipped` (loaded from the program's data) or `edited` (by an administrator).
    pub source: String,
    pub updated_at: i64,
    pub updated_by: String,
}

pub async fn list_years(store: &Store) -> StoreResult<Vec<StoredYear>> {
    let rows = crate::db::query("SELECT * FROM calendar_years ORDER BY year").fetch_all(store.pool()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let spec: YearSpec = serde_json::from_str(&r.str("spec"))
            .map_err(|_| crate::StoreError::Conflict("stored calendar year is unreadable"))?;
        out.push(StoredYear {
            spec,
            source: r.str("source"),
            updated_at: r.i64("updated_at"),
            updated_by: r.str("updated_by"),
        });
    }
    Ok(out)
}

/// Inserts the years not stored yet; returns them.
pub async fn insert_missing(tx: &mut Tx, specs: &[YearSpec], now_ms: i64) -> StoreResult<Vec<i32>> {
    let mut added = Vec::new();
    for s in specs {
        const SQL: &str = const_concat!(
            "INSERT INTO calendar_years (year, spec, source, updated_at, updated_by) VALUES ($1, $2, ",
            sql_code!(YearSource::Shipped),
            ", $3, 'system') ON CONFLICT (year) DO NOTHING"
        );
        let r = crate::db::query(SQL)
            .bind(i64::from(s.year))
            .bind(serde_json::to_string(s).expect("serializable"))
            .bind(now_ms)
            .execute(tx.conn())
            .await?;
        if r.rows_affected() == 1 {
            added.push(s.year);
        }
    }
    Ok(added)
}

/// Stores an administrator's version of a year.
pub async fn put_year(tx: &mut Tx, spec: &YearSpec, by: &str, now_ms: i64) -> StoreResult<()> {
    const SQL: &str = const_concat!(
        "INSERT INTO calendar_years (year, spec, source, updated_at, updated_by) VALUES ($1, $2, ",
        sql_code!(YearSource::Edited),
        ", $3, $4) ON CONFLICT (year) DO UPDATE SET spec = excluded.spec, source = excluded.source, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by"
    );
    crate::db::query(SQL)
        .bind(i64::from(spec.year))
        .bind(serde_json::to_string(spec).expect("serializable"))
        .bind(now_ms)
        .bind(by)
        .execute(tx.conn())
        .await?;
    Ok(())
}

// ---------- dues counted in working days, other than a case's own ----------

use zwfw_domain::calendar::DueKind;
use zwfw_domain::interaction::State as InteractionState;
use zwfw_domain::rating::FollowUp;
use zwfw_domain::sql_list;
use zwfw_domain::supervision::{FindingState, OrderState};

/// An open object whose due day was counted in working days from the day it
/// started: a submission (from its receipt), a finding's reply (from the day
/// it was found), an oversight order (from its issue), a bad rating's
/// follow-up (from the rating).
#[derive(Debug, Clone, Serialize)]
pub struct OpenDue {
    pub kind: DueKind,
    pub id: i64,
    pub department_id: Option<i64>,
    /// The number people know it by (编号), or the case number for a follow-up.
    pub label: String,
    /// When its period started (ms).
    pub start_ms: i64,
    /// YYYY-MM-DD
    pub due: String,
    /// Who is told when its due day moves (the submitter, the person
    /// responsible, the handler), when known.
    pub user_id: Option<i64>,
}

const DUE_QUERIES: [(DueKind, &str); 4] = [
    (
        DueKind::Interaction,
        const_concat!(
            "SELECT id, department_id, code AS label, received_at AS start_ms, due, submitter_user_id AS user_id \
             FROM interactions WHERE state = ",
            sql_code!(InteractionState::Open),
            " ORDER BY id"
        ),
    ),
    (
        DueKind::Finding,
        const_concat!(
            "SELECT id, department_id, COALESCE(finding_no, '') AS label, found_at AS start_ms, reply_due AS due, \
             responsible_user_id AS user_id FROM findings WHERE reply_due IS NOT NULL AND state IN (",
            sql_list!(FindingState, FindingState::ACTIVE),
            ") ORDER BY id"
        ),
    ),
    (
        DueKind::Order,
        const_concat!(
            "SELECT id, department_id, order_no AS label, issued_at AS start_ms, due, NULL AS user_id \
             FROM oversight_orders WHERE state IN (",
            sql_list!(OrderState, OrderState::ACTIVE),
            ") ORDER BY id"
        ),
    ),
    (
        DueKind::FollowUp,
        const_concat!(
            "SELECT r.id, r.department_id, COALESCE(c.case_no, '') AS label, r.at AS start_ms, \
             r.follow_up_due AS due, r.handler_id AS user_id FROM ratings r JOIN cases c ON c.id = r.case_id \
             WHERE r.follow_up_due IS NOT NULL AND r.follow_up IN (",
            sql_list!(FollowUp, FollowUp::PENDING),
            ") ORDER BY r.id"
        ),
    ),
];

/// Every open object with a due day counted in working days (cases aside).
pub async fn open_dues(store: &Store) -> StoreResult<Vec<OpenDue>> {
    let mut out = Vec::new();
    for (kind, sql) in DUE_QUERIES {
        for r in crate::db::query(sql).fetch_all(store.pool()).await? {
            out.push(OpenDue {
                kind,
                id: r.i64("id"),
                department_id: r.opt_i64("department_id"),
                label: r.str("label"),
                start_ms: r.i64("start_ms"),
                due: r.str("due"),
                user_id: r.opt_i64("user_id"),
            });
        }
    }
    Ok(out)
}

/// Moves the due day of one object from `old` to `new`; false when it
/// changed meanwhile (then it is left as it is). A case's deadlines are its
/// projection's, rewritten with its other fields (`cases::update_projection`).
pub async fn move_due(tx: &mut Tx, kind: DueKind, id: i64, old: &str, new: &str) -> StoreResult<bool> {
    let sql = match kind {
        DueKind::Case => return Ok(false),
        DueKind::Interaction => "UPDATE interactions SET due = $1 WHERE id = $2 AND due = $3",
        DueKind::Finding => "UPDATE findings SET reply_due = $1 WHERE id = $2 AND reply_due = $3",
        DueKind::Order => "UPDATE oversight_orders SET due = $1 WHERE id = $2 AND due = $3",
        DueKind::FollowUp => "UPDATE ratings SET follow_up_due = $1 WHERE id = $2 AND follow_up_due = $3",
    };
    let r = crate::db::query(sql).bind(new).bind(id).bind(old).execute(tx.conn()).await?;
    Ok(r.rows_affected() == 1)
}
