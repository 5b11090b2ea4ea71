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
