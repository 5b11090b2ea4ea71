//! The 前置库 (front database): MySQL/MariaDB (`mysql://…`) or PostgreSQL
//! (`postgres://…`). Creates the national tables that are missing, checks
//! the ones that exist (and names the column that differs), and inserts a
//! batch as one transaction, a row already there (same `row_guid`, or for
//! `up_lic_data` the same batch and licence) left as it is.

use sqlx::{MySqlPool, PgPool};
use std::time::Duration;
use zwfw_domain::exchange::{feedback_tables, Cell, ColType, Column, Table};

/// The columns a table's unique key is made of.
type KeyColumns = &'static [&'static str];

/// The type of column `col` of `table` (text for the envelope's text columns).
fn col_type(table: Table, col: &str) -> ColType {
    table.all_columns().iter().find(|c| c.name == col).map_or(ColType::LongText, |c| c.ty)
}

/// A front database.
#[derive(Clone, Debug)]
pub enum Front {
    MySql(MySqlPool),
    Postgres(PgPool),
}

/// What went wrong with the front database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrontError {
    /// Down, unreachable, refusing the credentials, or its tables not as
    /// the national interface has them: the batch waits and is tried again.
    Unavailable(String),
    /// The data of a row were refused (too long, missing, wrong type): that
    /// row is rejected, the others go on.
    Data(String),
}

impl std::fmt::Display for FrontError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrontError::Unavailable(s) | FrontError::Data(s) => f.write_str(s),
        }
    }
}

/// A row ready to insert: the table and every column's value (envelope included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insert {
    pub table: Table,
    pub cells: Vec<(&'static str, Cell)>,
}

fn classify(e: sqlx::Error) -> FrontError {
    match &e {
        sqlx::Error::Database(d) => {
            let code = d.code().map(|c| c.to_string()).unwrap_or_default();
            // PostgreSQL class 22 (data exception) and 23502 (not null);
            // MySQL 1406 too long, 1048 null, 1292/1366 bad value, 22001 as SQLSTATE.
            let data = code.starts_with("22")
                || code == "23502"
                || matches!(code.as_str(), "1406" | "1048" | "1292" | "1366" | "HY000" if d.message().contains("too long") || d.message().contains("cannot be null") || d.message().contains("Incorrect"));
            if data {
                FrontError::Data(d.message().to_string())
            } else {
                FrontError::Unavailable(format!("前置库拒绝：{}", d.message()))
            }
        }
        sqlx::Error::PoolTimedOut => FrontError::Unavailable("前置库无法连接（连接超时）".into()),
        sqlx::Error::Io(io) => FrontError::Unavailable(format!("前置库无法连接：{io}")),
        _ => FrontError::Unavailable(format!("前置库出错：{e}")),
    }
}

impl Front {
    /// A pool for `url` (nothing is connected until used).
    pub fn open(url: &str, timeout_ms: u64) -> Result<Front, String> {
        let t = Duration::from_millis(timeout_ms);
        if url.starts_with("mysql://") || url.starts_with("mariadb://") {
            let url = url.replacen("mariadb://", "mysql://", 1);
            let opts: sqlx::mysql::MySqlConnectOptions = url.parse().map_err(|e| format!("exchange.url: {e}"))?;
            // Strict mode: a value too long is refused, never cut short in silence.
            let opts = opts.charset("utf8mb4").pipes_as_concat(false);
            let pool = sqlx::mysql::MySqlPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(t)
                .after_connect(|c, _| {
                    Box::pin(async move {
                        use sqlx::Executor;
                        c.execute(
                            "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION', time_zone = '+08:00'",
                        )
                        .await?;
                        Ok(())
                    })
                })
                .connect_lazy_with(opts);
            Ok(Front::MySql(pool))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts: sqlx::postgres::PgConnectOptions = url.parse().map_err(|e| format!("exchange.url: {e}"))?;
            let pool =
                sqlx::postgres::PgPoolOptions::new().max_connections(4).acquire_timeout(t).connect_lazy_with(opts);
            Ok(Front::Postgres(pool))
        } else {
            Err(format!("exchange.url must start with mysql:// or postgres:// (got {:?})", redact(url)))
        }
    }

    fn is_pg(&self) -> bool {
        matches!(self, Front::Postgres(_))
    }

    async fn exec(&self, sql: &str) -> Result<(), FrontError> {
        match self {
            Front::MySql(p) => sqlx::query(sql).execute(p).await.map(|_| ()).map_err(classify),
            Front::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()).map_err(classify),
        }
    }

    /// The columns a table has: (name, data_type, length); empty when the table is missing.
    async fn columns_of(&self, table: &str) -> Result<Vec<(String, String, Option<i64>)>, FrontError> {
        use sqlx::Row;
        Ok(match self {
            Front::MySql(p) => sqlx::query(
                "SELECT CAST(column_name AS CHAR) AS name, CAST(data_type AS CHAR) AS ty, \
                 CAST(character_maximum_length AS SIGNED) AS len FROM information_schema.columns \
                 WHERE table_schema = DATABASE() AND table_name = ?",
            )
            .bind(table)
            .fetch_all(p)
            .await
            .map_err(classify)?
            .iter()
            .map(|r| (r.get::<String, _>("name"), r.get::<String, _>("ty"), r.get::<Option<i64>, _>("len")))
            .collect(),
            Front::Postgres(p) => sqlx::query(
                "SELECT column_name::text AS name, data_type::text AS ty, character_maximum_length::bigint AS len \
                 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
            )
            .bind(table)
            .fetch_all(p)
            .await
            .map_err(classify)?
            .iter()
            .map(|r| (r.get::<String, _>("name"), r.get::<String, _>("ty"), r.get::<Option<i64>, _>("len")))
            .collect(),
        })
    }

    /// Creates every national table that is missing (with a unique key on
    /// what makes a row recognisable) and checks the ones there: the error
    /// names the first column that is missing or differs.
    pub async fn prepare(&self) -> Result<(), FrontError> {
        let mut tables: Vec<(String, Vec<Column>, Option<KeyColumns>)> =
            Table::ALL.iter().map(|t| (t.code().to_string(), t.all_columns(), Some(t.key_columns()))).collect();
        tables.extend(feedback_tables().into_iter().map(|(n, c)| (n.to_string(), c, None)));
        for (name, cols, key) in &tables {
            let have = self.columns_of(name).await?;
            if have.is_empty() {
                self.exec(&create_table(self.is_pg(), name, cols)).await?;
            } else {
                check_columns(self.is_pg(), name, cols, &have).map_err(FrontError::Unavailable)?;
            }
            if let Some(key) = key {
                self.ensure_unique(name, key).await?;
            }
        }
        Ok(())
    }

    async fn ensure_unique(&self, table: &str, key: &[&str]) -> Result<(), FrontError> {
        let index = format!("uq_{table}_key");
        let cols = key.join(", ");
        match self {
            Front::Postgres(_) => {
                self.exec(&format!("CREATE UNIQUE INDEX IF NOT EXISTS {index} ON {table} ({cols})")).await
            }
            Front::MySql(_) => match self.exec(&format!("CREATE UNIQUE INDEX {index} ON {table} ({cols})")).await {
                // 1061: the index is there already.
                Err(FrontError::Unavailable(m)) if m.contains("Duplicate key name") => Ok(()),
                r => r,
            },
        }
    }

    /// Inserts `rows` as one transaction; a row already there is left as it is.
    pub async fn insert(&self, rows: &[Insert]) -> Result<(), FrontError> {
        match self {
            Front::MySql(p) => {
                let mut tx = p.begin().await.map_err(classify)?;
                for (sql, group) in statements(false, rows) {
                    let mut q = sqlx::query(&sql);
                    for r in group {
                        for (c, v) in &r.cells {
                            q = match v {
                                Cell::Null => match col_type(r.table, c) {
                                    ColType::Datetime => q.bind(None::<chrono::NaiveDateTime>),
                                    ColType::Int => q.bind(None::<i32>),
                                    _ => q.bind(None::<String>),
                                },
                                Cell::Text(s) => q.bind(s.as_str()),
                                Cell::Int(n) => q.bind(*n),
                                Cell::Time(t) => q.bind(*t),
                            };
                        }
                    }
                    q.execute(&mut *tx).await.map_err(classify)?;
                }
                tx.commit().await.map_err(classify)
            }
            Front::Postgres(p) => {
                let mut tx = p.begin().await.map_err(classify)?;
                for (sql, group) in statements(true, rows) {
                    let mut q = sqlx::query(&sql);
                    for r in group {
                        for (c, v) in &r.cells {
                            q = match v {
                                Cell::Null => match col_type(r.table, c) {
                                    ColType::Datetime => q.bind(None::<chrono::NaiveDateTime>),
                                    ColType::Int => q.bind(None::<i32>),
                                    _ => q.bind(None::<String>),
                                },
                                Cell::Text(s) => q.bind(s.as_str()),
                                Cell::Int(n) => q.bind(*n as i32),
                                Cell::Time(t) => q.bind(*t),
                            };
                        }
                    }
                    q.execute(&mut *tx).await.map_err(classify)?;
                }
                tx.commit().await.map_err(classify)
            }
        }
    }

    /// How many rows `table` holds with `column` = `value` (tests and the bench).
    pub async fn count(&self, table: Table, column: &str, value: &str) -> Result<i64, FrontError> {
        use sqlx::Row;
        let t = table.code();
        match self {
            Front::MySql(p) => sqlx::query(&format!("SELECT COUNT(*) AS n FROM {t} WHERE {column} = ?"))
                .bind(value)
                .fetch_one(p)
                .await
                .map(|r| r.get::<i64, _>("n"))
                .map_err(classify),
            Front::Postgres(p) => sqlx::query(&format!("SELECT COUNT(*) AS n FROM {t} WHERE {column} = $1"))
                .bind(value)
                .fetch_one(p)
                .await
                .map(|r| r.get::<i64, _>("n"))
                .map_err(classify),
        }
    }

    /// Up to `limit` rows of feedback table `table` with a local id above
    /// `after`, in id order: the id and the text of `columns` (a datetime
    /// as `YYYY-MM-DD HH:MM:SS`, NULL as None).
    pub async fn read_after(
        &self,
        table: &str,
        columns: &[(&str, ColType)],
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, Vec<Option<String>>)>, FrontError> {
        use sqlx::Row;
        let pg = self.is_pg();
        let cols: Vec<String> = columns
            .iter()
            .map(|(c, ty)| match (ty, pg) {
                (ColType::Datetime, true) => format!("to_char({c}, 'YYYY-MM-DD HH24:MI:SS')"),
                (ColType::Datetime, false) => format!("DATE_FORMAT({c}, '%Y-%m-%d %H:%i:%s')"),
                (_, true) => format!("CAST({c} AS text)"),
                (_, false) => format!("CAST({c} AS CHAR)"),
            })
            .collect();
        let (id, param) = if pg { ("CAST(id AS bigint)", "$1") } else { ("CAST(id AS SIGNED)", "?") };
        let sql = format!(
            "SELECT {id} AS id, {} FROM {table} WHERE id > {param} ORDER BY id LIMIT {}",
            cols.join(", "),
            limit.clamp(1, 5000)
        );
        // The same statement and reading on either server (their pools and rows are distinct types).
        macro_rules! rows_after {
            ($pool:expr) => {
                sqlx::query(&sql)
                    .bind(after)
                    .fetch_all($pool)
                    .await
                    .map_err(classify)?
                    .iter()
                    .map(|row| {
                        (row.get::<i64, _>(0), (1..=columns.len()).map(|i| row.get::<Option<String>, _>(i)).collect())
                    })
                    .collect()
            };
        }
        Ok(match self {
            Front::MySql(p) => rows_after!(p),
            Front::Postgres(p) => rows_after!(p),
        })
    }

    /// Runs one statement (tests: the province's side writing feedback).
    pub async fn execute(&self, sql: &str) -> Result<(), FrontError> {
        self.exec(sql).await
    }

    pub async fn close(&self) {
        match self {
            Front::MySql(p) => p.close().await,
            Front::Postgres(p) => p.close().await,
        }
    }
}

/// The INSERT statements of `rows`: consecutive rows of one table with the
/// same columns share a statement (at most 200 rows each).
fn statements(pg: bool, rows: &[Insert]) -> Vec<(String, &[Insert])> {
    let mut out = vec![];
    let mut start = 0;
    while start < rows.len() {
        let first = &rows[start];
        let same =
            |r: &Insert| r.table == first.table && r.cells.iter().map(|c| c.0).eq(first.cells.iter().map(|c| c.0));
        let mut end = start + 1;
        while end < rows.len() && end - start < 200 && same(&rows[end]) {
            end += 1;
        }
        let group = &rows[start..end];
        let cols: Vec<&str> = first.cells.iter().map(|c| c.0).collect();
        let mut n = 0;
        let values: Vec<String> = group
            .iter()
            .map(|_| {
                let ps: Vec<String> = cols
                    .iter()
                    .map(|_| {
                        n += 1;
                        if pg {
                            format!("${n}")
                        } else {
                            "?".to_string()
                        }
                    })
                    .collect();
                format!("({})", ps.join(", "))
            })
            .collect();
        let t = first.table.code();
        let tail = if pg {
            " ON CONFLICT DO NOTHING".to_string()
        } else {
            format!(" ON DUPLICATE KEY UPDATE {0} = {0}", cols[0])
        };
        out.push((format!("INSERT INTO {t} ({}) VALUES {}{tail}", cols.join(", "), values.join(", ")), group));
        start = end;
    }
    out
}

/// The CREATE TABLE of a national table, with the local surrogate key `id`.
pub fn create_table(pg: bool, name: &str, cols: &[Column]) -> String {
    let mut defs = vec![];
    defs.push(if pg {
        "id bigserial PRIMARY KEY".to_string()
    } else {
        "id bigint(20) NOT NULL AUTO_INCREMENT COMMENT '主键'".to_string()
    });
    for c in cols {
        let ty = if pg { c.ty.postgres() } else { c.ty.mysql() };
        let null = if c.required { " NOT NULL" } else { "" };
        defs.push(if pg {
            format!("{} {ty}{null}", c.name)
        } else {
            format!("{} {ty}{null} COMMENT '{}'", c.name, c.comment)
        });
    }
    if pg {
        format!("CREATE TABLE IF NOT EXISTS {name} ({})", defs.join(", "))
    } else {
        defs.push("PRIMARY KEY (id)".into());
        format!("CREATE TABLE IF NOT EXISTS {name} ({}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", defs.join(", "))
    }
}

/// Checks an existing table's columns (`have`: name, data_type, length)
/// against the national ones; the error names the first that differs.
pub fn check_columns(
    pg: bool,
    table: &str,
    cols: &[Column],
    have: &[(String, String, Option<i64>)],
) -> Result<(), String> {
    for c in cols {
        let Some((_, ty, len)) = have.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(c.name)) else {
            return Err(format!("前置库表 {table} 缺少字段 {}（{}）", c.name, c.comment));
        };
        let (want_ty, want_len) = c.ty.schema_name(pg);
        if !ty.eq_ignore_ascii_case(want_ty) || (want_len.is_some() && *len != want_len) {
            let is = match len {
                Some(n) => format!("{ty}({n})"),
                None => ty.clone(),
            };
            let want = if pg { c.ty.postgres() } else { c.ty.mysql() };
            return Err(format!("前置库表 {table} 的字段 {} 是 {is}，应为 {want}", c.name));
        }
    }
    Ok(())
}

/// Creates database `name` on the server of `server_url` (a URL without a
/// database, or with the administrative one); the new database's URL. For
/// the benchmark and the tests.
pub async fn create_database(server_url: &str, name: &str) -> Result<String, String> {
    admin(server_url, &format!("CREATE DATABASE {name}")).await?;
    Ok(database_url(server_url, name))
}

/// Drops database `name` on the server of `server_url`.
pub async fn drop_database(server_url: &str, name: &str) -> Result<(), String> {
    // PostgreSQL: connections still open to it (a test that failed) are ended.
    let force = if server_url.starts_with("mysql://") { "" } else { " WITH (FORCE)" };
    admin(server_url, &format!("DROP DATABASE IF EXISTS {name}{force}")).await
}

async fn admin(server_url: &str, sql: &str) -> Result<(), String> {
    use sqlx::Connection;
    let e = |e: sqlx::Error| format!("{}: {e}", redact(server_url));
    if server_url.starts_with("mysql://") {
        let mut c = sqlx::MySqlConnection::connect(server_url).await.map_err(e)?;
        sqlx::query(sql).execute(&mut c).await.map_err(e)?;
        c.close().await.map_err(e)
    } else {
        let mut c = sqlx::PgConnection::connect(server_url).await.map_err(e)?;
        sqlx::query(sql).execute(&mut c).await.map_err(e)?;
        c.close().await.map_err(e)
    }
}

/// The URL of database `name` on the server of `server_url`.
fn database_url(server_url: &str, name: &str) -> String {
    let (base, query) = server_url.split_once('?').map_or((server_url, ""), |(b, q)| (b, q));
    let rest = &base[base.find("://").map_or(0, |i| i + 3)..];
    let root = match rest.find('/') {
        Some(i) => &base[..base.len() - rest.len() + i],
        None => base,
    };
    if query.is_empty() {
        format!("{root}/{name}")
    } else {
        format!("{root}/{name}?{query}")
    }
}

/// The URL with its password hidden (for messages and logs).
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_differing_column_is_named() {
        let cols = Table::ProAccept.all_columns();
        let mut have: Vec<_> = cols
            .iter()
            .map(|c| {
                let (t, l) = c.ty.schema_name(false);
                (c.name.to_string(), t.to_string(), l)
            })
            .collect();
        assert!(check_columns(false, "up_pro_accept", &cols, &have).is_ok());
        have.iter_mut().find(|c| c.0 == "org_code").unwrap().2 = Some(64);
        let e = check_columns(false, "up_pro_accept", &cols, &have).unwrap_err();
        assert!(e.contains("org_code") && e.contains("varchar(64)") && e.contains("varchar(18)"), "{e}");
        have.retain(|c| c.0 != "task_name");
        have.iter_mut().find(|c| c.0 == "org_code").unwrap().2 = Some(18);
        assert!(check_columns(false, "up_pro_accept", &cols, &have).unwrap_err().contains("缺少字段 task_name"));
    }

    #[test]
    fn database_urls() {
        assert_eq!(database_url("mysql://root@127.0.0.1:3306", "x"), "mysql://root@127.0.0.1:3306/x");
        assert_eq!(database_url("postgres://p@h:5432/postgres", "x"), "postgres://p@h:5432/x");
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(redact("mysql://u:secret@h:3306/db"), "mysql://u:***@h:3306/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn other_schemes_are_refused() {
        assert!(Front::open("sqlite://x", 1000).unwrap_err().contains("mysql://"));
    }
}
