//! Regions, departments, accounts and roles.

use crate::db::Row;
use crate::{flag, RowExt, Store, StoreError, StoreResult, Tx};
use serde::Serialize;
use zwfw_domain::admin::{AccountKind, DepartmentKind, Role};
use zwfw_domain::ids::{RegionCode, RegionLevel};
use zwfw_domain::{const_concat, sql_code};

/// The staff accounts, and the public ones (every other kind).
const STAFF: &str = const_concat!("kind = ", sql_code!(AccountKind::Staff));
const PUBLIC: &str = const_concat!("kind <> ", sql_code!(AccountKind::Staff));

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: RegionLevel,
    pub parent_id: Option<i64>,
}

fn region(r: &Row) -> Region {
    Region {
        id: r.i64("id"),
        code: r.str("code"),
        name: r.str("name"),
        level: RegionLevel::parse(&r.str("level")).unwrap_or(RegionLevel::Town),
        parent_id: r.opt_i64("parent_id"),
    }
}

pub async fn list_regions(store: &Store) -> StoreResult<Vec<Region>> {
    crate::db::query("SELECT * FROM regions ORDER BY code").all(store.pool(), region).await
}

pub async fn get_region(store: &Store, id: i64) -> StoreResult<Region> {
    crate::db::query("SELECT * FROM regions WHERE id = $1").bind(id).one(store.pool(), "region", region).await
}

pub async fn find_region_by_code(store: &Store, code: &str) -> StoreResult<Option<Region>> {
    crate::db::query("SELECT * FROM regions WHERE code = $1").bind(code).maybe(store.pool(), region).await
}

pub async fn insert_region(
    tx: &mut Tx,
    code: &RegionCode,
    name: &str,
    parent_id: Option<i64>,
    now_ms: i64,
) -> StoreResult<i64> {
    let row = crate::db::query(
        "INSERT INTO regions (code, name, level, parent_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(code.as_str())
    .bind(name)
    .bind(code.level().code())
    .bind(parent_id)
    .bind(now_ms)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| StoreError::unique_as(e, "region_code"))?;
    Ok(row.i64("id"))
}

pub async fn update_region_name(tx: &mut Tx, id: i64, name: &str, now_ms: i64) -> StoreResult<()> {
    crate::db::query("UPDATE regions SET name = $1, updated_at = $2 WHERE id = $3")
        .bind(name)
        .bind(now_ms)
        .bind(id)
        .execute(tx.conn())
        .await?
        .or(StoreError::NotFound("region"))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Department {
    pub id: i64,
    pub name: String,
    pub short_name: String,
    pub credit_code: String,
    pub kind: DepartmentKind,
    pub region_id: i64,
    pub parent_id: Option<i64>,
    pub phone: String,
    pub address: String,
    pub active: bool,
}

fn department(r: &Row) -> Department {
    Department {
        id: r.i64("id"),
        name: r.str("name"),
        short_name: r.str("short_name"),
        credit_code: r.str("credit_code"),
        kind: DepartmentKind::parse(&r.str("kind")).unwrap_or(DepartmentKind::Approval),
        region_id: r.i64("region_id"),
        parent_id: r.opt_i64("parent_id"),
        phone: r.str("phone"),
        address: r.str("address"),
        active: r.flag("active"),
    }
}

/// What a department is made of, validated by the caller.
#[derive(Debug, Clone)]
pub struct DepartmentData {
    pub name: String,
    pub short_name: String,
    pub credit_code: String,
    pub kind: DepartmentKind,
    pub region_id: i64,
    pub parent_id: Option<i64>,
    pub phone: String,
    pub address: String,
    pub active: bool,
}

pub async fn list_departments(store: &Store) -> StoreResult<Vec<Department>> {
    crate::db::query("SELECT * FROM departments ORDER BY region_id, id").all(store.pool(), department).await
}

pub async fn get_department(store: &Store, id: i64) -> StoreResult<Department> {
    get_department_via(store.pool(), id).await
}

/// [`get_department`] in a transaction, or on the store.
pub async fn get_department_via(ex: crate::db::Ex<'_>, id: i64) -> StoreResult<Department> {
    crate::db::query("SELECT * FROM departments WHERE id = $1").bind(id).one(ex, "department", department).await
}

pub async fn find_department_by_code(store: &Store, code: &str) -> StoreResult<Option<Department>> {
    crate::db::query("SELECT * FROM departments WHERE credit_code = $1")
        .bind(code)
        .maybe(store.pool(), department)
        .await
}

/// The department's fields bound as `$1` to `$9`, in the order of [`DepartmentData`].
fn with_department(q: crate::db::Query, d: &DepartmentData) -> crate::db::Query {
    q.bind(&d.name)
        .bind(&d.short_name)
        .bind(&d.credit_code)
        .bind(d.kind.code())
        .bind(d.region_id)
        .bind(d.parent_id)
        .bind(&d.phone)
        .bind(&d.address)
        .bind(flag(d.active))
}

pub async fn insert_department(tx: &mut Tx, d: &DepartmentData, now_ms: i64) -> StoreResult<i64> {
    let row = with_department(crate::db::query(
        "INSERT INTO departments (name, short_name, credit_code, kind, region_id, parent_id, phone, address, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
    ), d)
    .bind(now_ms)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| StoreError::unique_as(e, "credit_code"))?;
    Ok(row.i64("id"))
}

pub async fn update_department(tx: &mut Tx, id: i64, d: &DepartmentData, now_ms: i64) -> StoreResult<()> {
    with_department(crate::db::query(
        "UPDATE departments SET name = $1, short_name = $2, credit_code = $3, kind = $4, region_id = $5, parent_id = $6, \
         phone = $7, address = $8, active = $9, updated_at = $10 WHERE id = $11",
    ), d)
    .bind(now_ms)
    .bind(id)
    .execute(tx.conn())
    .await
    .map_err(|e| StoreError::unique_as(e, "credit_code"))?.or(StoreError::NotFound("department"))
}

/// An account as stored (staff or public).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub kind: AccountKind,
    pub display_name: String,
    pub department_id: Option<i64>,
    pub id_number: Option<String>,
    pub credit_code: Option<String>,
    pub legal_rep: Option<String>,
    pub mobile: Option<String>,
    /// An address for notices by e-mail (optional, checked by the program).
    pub email: Option<String>,
    #[serde(skip)]
    pub password_hash: String,
    pub password_changed_at: i64,
    pub must_change_password: bool,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    #[serde(skip)]
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    #[serde(skip)]
    pub totp_last_step: Option<i64>,
    pub active: bool,
    pub is_demo: bool,
    pub roles: Vec<Role>,
    pub created_at: i64,
}

fn user(r: &Row) -> User {
    User {
        id: r.i64("id"),
        username: r.str("username"),
        kind: AccountKind::parse(&r.str("kind")).unwrap_or(AccountKind::Person),
        display_name: r.str("display_name"),
        department_id: r.opt_i64("department_id"),
        id_number: r.opt_str("id_number"),
        credit_code: r.opt_str("credit_code"),
        legal_rep: r.opt_str("legal_rep"),
        mobile: r.opt_str("mobile"),
        email: r.opt_str("email").filter(|e| !e.is_empty()),
        password_hash: r.str("password_hash"),
        password_changed_at: r.i64("password_changed_at"),
        must_change_password: r.flag("must_change_password"),
        failed_logins: r.i64("failed_logins"),
        locked_until: r.opt_i64("locked_until"),
        totp_secret: r.opt_str("totp_secret"),
        totp_enabled: r.flag("totp_enabled"),
        totp_last_step: r.opt_i64("totp_last_step"),
        active: r.flag("active"),
        is_demo: r.flag("is_demo"),
        roles: Vec::new(),
        created_at: r.i64("created_at"),
    }
}

async fn with_roles(store: &Store, users: Vec<User>) -> StoreResult<Vec<User>> {
    with_roles_via(store.pool(), users).await
}

async fn with_roles_via(ex: crate::db::Ex<'_>, mut users: Vec<User>) -> StoreResult<Vec<User>> {
    if users.is_empty() {
        return Ok(users);
    }
    let ids: Vec<String> = users.iter().map(|u| u.id.to_string()).collect();
    // The ids are integers from the database, never user input.
    let sql = format!("SELECT user_id, role FROM user_roles WHERE user_id IN ({}) ORDER BY role", ids.join(","));
    let rows = crate::db::query(&sql).fetch_all(ex).await?;
    for r in rows {
        let uid = r.i64("user_id");
        if let (Some(u), Ok(role)) = (users.iter_mut().find(|u| u.id == uid), Role::parse(&r.str("role"))) {
            u.roles.push(role);
        }
    }
    for u in &mut users {
        u.roles.sort();
    }
    Ok(users)
}

pub async fn get_user(store: &Store, id: i64) -> StoreResult<User> {
    let row = crate::db::query("SELECT * FROM users WHERE id = $1").bind(id).fetch_optional(store.pool()).await?;
    let u = row.as_ref().map(user).ok_or(StoreError::NotFound("user"))?;
    Ok(with_roles(store, vec![u]).await?.remove(0))
}

pub async fn find_user_by_username(store: &Store, username: &str) -> StoreResult<Option<User>> {
    let row = crate::db::query("SELECT * FROM users WHERE username = $1")
        .bind(username.to_ascii_lowercase())
        .fetch_optional(store.pool())
        .await?;
    match row.as_ref().map(user) {
        Some(u) => Ok(Some(with_roles(store, vec![u]).await?.remove(0))),
        None => Ok(None),
    }
}

/// The public account registered with a 身份证号 or 统一社会信用代码, if any.
pub async fn find_user_by_number(ex: crate::db::Ex<'_>, number: &str) -> StoreResult<Option<i64>> {
    Ok(crate::db::query("SELECT id FROM users WHERE id_number = $1 OR credit_code = $1")
        .bind(number)
        .fetch_optional(ex)
        .await?
        .map(|r| r.i64("id")))
}

/// Staff accounts, optionally of one department.
pub async fn list_staff(store: &Store, department_id: Option<i64>) -> StoreResult<Vec<User>> {
    list_staff_via(store.pool(), department_id).await
}

/// [`list_staff`] in a transaction, or on the store.
pub async fn list_staff_via(mut ex: crate::db::Ex<'_>, department_id: Option<i64>) -> StoreResult<Vec<User>> {
    let rows = match department_id {
        Some(d) => {
            const SQL: &str = const_concat!("SELECT * FROM users WHERE ", STAFF, " AND department_id = $1 ORDER BY id");
            crate::db::query(SQL).bind(d).fetch_all(ex.reborrow()).await?
        }
        None => {
            const SQL: &str = const_concat!("SELECT * FROM users WHERE ", STAFF, " ORDER BY id");
            crate::db::query(SQL).fetch_all(ex.reborrow()).await?
        }
    };
    with_roles_via(ex, rows.iter().map(user).collect()).await
}

pub async fn list_public_users(store: &Store, limit: i64) -> StoreResult<Vec<User>> {
    const SQL: &str = const_concat!("SELECT * FROM users WHERE ", PUBLIC, " ORDER BY id LIMIT $1");
    crate::db::query(SQL).bind(limit).all(store.pool(), user).await
}

/// A new account, validated by the caller; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub kind: AccountKind,
    pub display_name: String,
    pub department_id: Option<i64>,
    pub id_number: Option<String>,
    pub credit_code: Option<String>,
    pub legal_rep: Option<String>,
    pub mobile: Option<String>,
    pub password_hash: String,
    pub must_change_password: bool,
    pub is_demo: bool,
    pub roles: Vec<Role>,
}

pub async fn insert_user(tx: &mut Tx, u: &NewUser, now_ms: i64) -> StoreResult<i64> {
    let row = crate::db::query(
        "INSERT INTO users (username, kind, display_name, department_id, id_number, credit_code, legal_rep, mobile, \
         password_hash, password_changed_at, must_change_password, is_demo, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $10, $10) RETURNING id",
    )
    .bind(&u.username)
    .bind(u.kind.code())
    .bind(&u.display_name)
    .bind(u.department_id)
    .bind(&u.id_number)
    .bind(&u.credit_code)
    .bind(&u.legal_rep)
    .bind(&u.mobile)
    .bind(&u.password_hash)
    .bind(now_ms)
    .bind(flag(u.must_change_password))
    .bind(flag(u.is_demo))
    .fetch_one(tx.conn())
    .await
    .map_err(|e| {
        // SQLite names the column in its message, PostgreSQL names the index.
        let names = e.msg.clone();
        let field = if names.contains("id_number") || names.contains("users_person_id") {
            "id_number"
        } else if names.contains("credit_code") || names.contains("users_company_code") {
            "credit_code"
        } else {
            "username"
        };
        StoreError::unique_as(e, field)
    })?;
    let id = row.i64("id");
    set_roles(tx, id, &u.roles).await?;
    Ok(id)
}

pub async fn set_roles(tx: &mut Tx, user_id: i64, roles: &[Role]) -> StoreResult<()> {
    crate::db::query("DELETE FROM user_roles WHERE user_id = $1").bind(user_id).execute(tx.conn()).await?;
    for r in roles {
        crate::db::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
            .bind(user_id)
            .bind(r.code())
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

/// Changes the staff profile fields an administrator may edit.
pub async fn update_staff(
    tx: &mut Tx,
    id: i64,
    display_name: &str,
    department_id: i64,
    mobile: Option<&str>,
    now_ms: i64,
) -> StoreResult<()> {
    const SQL: &str = const_concat!(
        "UPDATE users SET display_name = $1, department_id = $2, mobile = $3, updated_at = $4 WHERE id = $5 AND ",
        STAFF
    );
    crate::db::query(SQL)
        .bind(display_name)
        .bind(department_id)
        .bind(mobile)
        .bind(now_ms)
        .bind(id)
        .execute(tx.conn())
        .await?
        .or(StoreError::NotFound("user"))
}

/// Sets or clears (None) the e-mail address of account `id`.
pub async fn set_email(tx: &mut Tx, id: i64, email: Option<&str>, now_ms: i64) -> StoreResult<()> {
    let r = crate::db::query("UPDATE users SET email = $1, updated_at = $2 WHERE id = $3")
        .bind(email)
        .bind(now_ms)
        .bind(id)
        .execute(tx.conn())
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound("user"));
    }
    Ok(())
}

pub async fn set_active(tx: &mut Tx, id: i64, active: bool, now_ms: i64) -> StoreResult<()> {
    crate::db::query("UPDATE users SET active = $1, updated_at = $2 WHERE id = $3")
        .bind(flag(active))
        .bind(now_ms)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn set_password(
    tx: &mut Tx,
    id: i64,
    password_hash: &str,
    must_change: bool,
    now_ms: i64,
) -> StoreResult<()> {
    crate::db::query(
        "UPDATE users SET password_hash = $1, password_changed_at = $2, must_change_password = $3, failed_logins = 0, \
         locked_until = NULL, updated_at = $2 WHERE id = $4",
    )
    .bind(password_hash)
    .bind(now_ms)
    .bind(flag(must_change))
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn record_login_failure(tx: &mut Tx, id: i64, failures: i64, locked_until: Option<i64>) -> StoreResult<()> {
    crate::db::query("UPDATE users SET failed_logins = $1, locked_until = COALESCE($2, locked_until) WHERE id = $3")
        .bind(failures)
        .bind(locked_until)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn record_login_success(tx: &mut Tx, id: i64) -> StoreResult<()> {
    crate::db::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Stores a TOTP secret; `enabled` once the user has proved a code from it.
pub async fn set_totp(
    tx: &mut Tx,
    id: i64,
    secret: Option<&str>,
    enabled: bool,
    last_step: Option<i64>,
) -> StoreResult<()> {
    crate::db::query("UPDATE users SET totp_secret = $1, totp_enabled = $2, totp_last_step = $3 WHERE id = $4")
        .bind(secret)
        .bind(flag(enabled))
        .bind(last_step)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Records the last TOTP step used, refusing a step not newer than the stored
/// one (a replayed code, possibly on another app server).
pub async fn use_totp_step(tx: &mut Tx, id: i64, step: i64) -> StoreResult<bool> {
    let r = crate::db::query(
        "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Counts for the dashboard.
pub async fn counts(store: &Store) -> StoreResult<(i64, i64, i64, i64)> {
    const SQL: &str = const_concat!(
        "SELECT (SELECT COUNT(*) FROM regions) AS r, (SELECT COUNT(*) FROM departments) AS d, \
         (SELECT COUNT(*) FROM users WHERE ",
        STAFF,
        ") AS s, (SELECT COUNT(*) FROM users WHERE ",
        PUBLIC,
        ") AS p"
    );
    let row = crate::db::query(SQL).fetch_one(store.pool()).await?;
    Ok((row.i64("r"), row.i64("d"), row.i64("s"), row.i64("p")))
}

/// The 法定代表人 a legal person's account holds, if any.
pub async fn legal_rep_of(ex: crate::db::Ex<'_>, user_id: i64) -> StoreResult<Option<String>> {
    let rep = crate::db::query("SELECT legal_rep FROM users WHERE id = $1")
        .bind(user_id)
        .maybe(ex, |r| r.opt_str("legal_rep"))
        .await?;
    Ok(rep.flatten().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
}
