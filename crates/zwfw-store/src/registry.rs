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
        Some(old) => {
            query("UPDATE registry_persons SET name = $1, address = $2, source = $3, updated_by = $4, updated_at = $5 WHERE id = $6")
                .bind(p.name)
                .bind(p.address)
                .bind(source)
                .bind(by)
                .bind(now_ms)
                .bind(old.id)
                .execute(tx.conn())
                .await?;
            Ok(Upserted::Replaced)
        }
        None => {
            query(
                "INSERT INTO registry_persons (id_key, id_masked, name, address, source, updated_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(p.key)
            .bind(p.masked)
            .bind(p.name)
            .bind(p.address)
            .bind(source)
            .bind(by)
            .bind(now_ms)
            .execute(tx.conn())
            .await?;
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
        Some(old) => {
            query(
                "UPDATE registry_companies SET name = $1, legal_rep = $2, address = $3, status = $4, source = $5, \
                 updated_by = $6, updated_at = $7 WHERE id = $8",
            )
            .bind(c.name)
            .bind(c.legal_rep)
            .bind(c.address)
            .bind(c.status)
            .bind(source)
            .bind(by)
            .bind(now_ms)
            .bind(old.id)
            .execute(tx.conn())
            .await?;
            Ok(Upserted::Replaced)
        }
        None => {
            query(
                "INSERT INTO registry_companies (credit_code, name, legal_rep, address, status, source, updated_by, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(c.credit_code)
            .bind(c.name)
            .bind(c.legal_rep)
            .bind(c.address)
            .bind(c.status)
            .bind(source)
            .bind(by)
            .bind(now_ms)
            .execute(tx.conn())
            .await?;
            Ok(Upserted::Added)
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
