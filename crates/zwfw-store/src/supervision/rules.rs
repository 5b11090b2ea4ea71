//! The supervision rules as configured: each rule's code, severity and parameters.

use crate::db::query;
use crate::{RowExt, Store, StoreError, StoreResult, Tx};
use serde::Serialize;

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
    query("UPDATE supervision_rules SET name = $1, params = $2, enabled = $3, updated_by = $4, updated_at = $5 WHERE code = $6")
        .bind(name)
        .bind(params)
        .bind(crate::flag(enabled))
        .bind(by)
        .bind(now_ms)
        .bind(code)
        .execute(tx.conn())
        .await?.or(StoreError::NotFound("rule"))
}
