//! 人口库 / 法人库: the local copy of the base records (migration 0027).
//! A record is found by its number (a person's by the SM3 key of the
//! number, `zwfw_domain::registry::person_key`), replaced by a later
//! record of the same number and never deleted.

use crate::db::{query, Ex, Row};
use crate::{RowExt, Store, StoreResult, Tx};
use serde::Serialize;

/// A natural person's record as stored (the number only masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RegistryPerson))]
pub struct PersonRow {
    pub id: i64,
    /// 公民身份号码, masked (`110105********002X`).
    pub id_masked: String,
    pub name: String,
    pub address: String,
    /// import | lookup | demo
    pub source: String,
    pub updated_at: i64,
}

/// A legal person's record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RegistryCompany))]
pub struct CompanyRow {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    pub legal_rep: String,
    pub address: String,
    /// 登记状态: active | cancelled | revoked | moved_out | suspended
    pub status: String,
    /// import | lookup | demo
    pub source: String,
    pub updated_at: i64,
}

fn person(r: &Row) -> PersonRow {
    PersonRow {
        id: r.i64("id"),
        id_masked: r.str("id_masked"),
        name: r.str("name"),
        address: r.str("address"),
        source: r.str("source"),
        updated_at: r.i64("updated_at"),
    }
}

fn company(r: &Row) -> CompanyRow {
    CompanyRow {
        id: r.i64("id"),
        credit_code: r.str("credit_code"),
        name: r.str("name"),
        legal_rep: r.str("legal_rep"),
        address: r.str("address"),
        status: r.str("status"),
        source: r.str("source"),
        updated_at: r.i64("updated_at"),
    }
}

/// A person's record to store: `key` is the SM3 key of the number.
pub struct NewPerson<'a> {
    pub key: &'a str,
    pub masked: &'a str,
    pub name: &'a str,
    pub address: &'a str,
}

/// A legal person's record to store.
pub struct NewCompany<'a> {
    pub credit_code: &'a str,
    pub name: &'a str,
    pub legal_rep: &'a str,
    pub address: &'a str,
    pub status: &'a str,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Added,
    Replaced,
    Unchanged,
}

pub async fn find_person(ex: Ex<'_>, key: &str) -> StoreResult<Option<PersonRow>> {
    let r = query("SELECT * FROM registry_persons WHERE id_key = $1").bind(key).fetch_optional(ex).await?;
    Ok(r.as_ref().map(person))
}

pub async fn find_company(ex: Ex<'_>, credit_code: &str) -> StoreResult<Option<CompanyRow>> {
    let r =
        query("SELECT * FROM registry_companies WHERE credit_code = $1").bind(credit_code).fetch_optional(ex).await?;
    Ok(r.as_ref().map(company))
}

/// Stores a person's record: added, or replacing the one of the same number.
pub async fn upsert_person(
    tx: &mut Tx,
    p: &NewPerson<'_>,
    source: &str,
    by: Option<i64>,
    now_ms: i64,
) -> StoreResult<Upserted> {
    match find_person(tx.conn(), p.key).await? {
        Some(old) if old.name == p.name && old.address == p.address && old.source == source => Ok(Upserted::Unchanged),
        old => {
            let key = [("id_key", p.key), ("id_masked", p.masked)];
            let own = [("name", p.name), ("address", p.address)];
            upsert(tx, "registry_persons", old.map(|o| o.id), &key, &own, source, by, now_ms).await
        }
    }
}

/// Adds a record to `table` (its `key` columns and its `own`), or, when
/// `old` names one, replaces that one's own columns; either with its
/// source, who and when.
#[allow(clippy::too_many_arguments)]
async fn upsert(
    tx: &mut Tx,
    table: &'static str,
    old: Option<i64>,
    key: &[(&'static str, &str)],
    own: &[(&'static str, &str)],
    source: &str,
    by: Option<i64>,
    now_ms: i64,
) -> StoreResult<Upserted> {
    let n = own.len();
    let q = match old {
        Some(_) => {
            let set: Vec<String> = own.iter().enumerate().map(|(i, (c, _))| format!("{c} = ${}", i + 1)).collect();
            let sql = format!(
                "UPDATE {table} SET {}, source = ${}, updated_by = ${}, updated_at = ${} WHERE id = ${}",
                set.join(", "),
                n + 1,
                n + 2,
                n + 3,
                n + 4
            );
            own.iter().fold(query(sql), |q, (_, v)| q.bind(*v))
        }
        None => {
            let all: Vec<(&str, &str)> = key.iter().chain(own).copied().collect();
            let m = all.len();
            let columns: Vec<&str> = all.iter().map(|(c, _)| *c).collect();
            let values: Vec<String> = (1..=m).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {table} ({}, source, updated_by, created_at, updated_at) VALUES ({}, ${}, ${}, ${}, ${})",
                columns.join(", "),
                values.join(", "),
                m + 1,
                m + 2,
                m + 3,
                m + 3
            );
            all.iter().fold(query(sql), |q, (_, v)| q.bind(*v))
        }
    };
    let q = q.bind(source).bind(by).bind(now_ms);
    match old {
        Some(id) => {
            q.bind(id).execute(tx.conn()).await?;
            Ok(Upserted::Replaced)
        }
        None => {
            q.execute(tx.conn()).await?;
            Ok(Upserted::Added)
        }
    }
}

/// Stores a legal person's record: added, or replacing the one of the same code.
pub async fn upsert_company(
    tx: &mut Tx,
    c: &NewCompany<'_>,
    source: &str,
    by: Option<i64>,
    now_ms: i64,
) -> StoreResult<Upserted> {
    match find_company(tx.conn(), c.credit_code).await? {
        Some(old)
            if old.name == c.name
                && old.legal_rep == c.legal_rep
                && old.address == c.address
                && old.status == c.status
                && old.source == source =>
        {
            Ok(Upserted::Unchanged)
        }
        old => {
            let own = [("name", c.name), ("legal_rep", c.legal_rep), ("address", c.address), ("status", c.status)];
            let key = [("credit_code", c.credit_code)];
            upsert(tx, "registry_companies", old.map(|o| o.id), &key, &own, source, by, now_ms).await
        }
    }
}

/// How many records of each kind the registry holds.
pub async fn counts(store: &Store) -> StoreResult<(i64, i64)> {
    let p = query("SELECT COUNT(*) AS n FROM registry_persons").fetch_one(store.pool()).await?.i64("n");
    let c = query("SELECT COUNT(*) AS n FROM registry_companies").fetch_one(store.pool()).await?.i64("n");
    Ok((p, c))
}

/// A page of persons, the latest changed first.
pub async fn list_persons(store: &Store, offset: i64, limit: i64) -> StoreResult<Vec<PersonRow>> {
    let rows = query("SELECT * FROM registry_persons ORDER BY updated_at DESC, id DESC LIMIT $1 OFFSET $2")
        .bind(limit.clamp(1, 200))
        .bind(offset.max(0))
        .fetch_all(store.pool())
        .await?;
    Ok(rows.iter().map(person).collect())
}

/// A page of legal persons, the latest changed first.
pub async fn list_companies(store: &Store, offset: i64, limit: i64) -> StoreResult<Vec<CompanyRow>> {
    let rows = query("SELECT * FROM registry_companies ORDER BY updated_at DESC, id DESC LIMIT $1 OFFSET $2")
        .bind(limit.clamp(1, 200))
        .bind(offset.max(0))
        .fetch_all(store.pool())
        .await?;
    Ok(rows.iter().map(company).collect())
}
