//! One small query interface over the two engines. SQLite runs in-process
//! through rusqlite: a statement is a function call on the caller's thread
//! (a few microseconds), with no hand-off to a worker thread and back per
//! statement. PostgreSQL goes through sqlx. Every query is written once, with
//! `$1`-style parameters, and returns the same [`Row`].

use crate::{Store, Tx};
use rusqlite::types::{ToSqlOutput, ValueRef};
use sqlx::postgres::PgRow;
use sqlx::{Column, Row as _, TypeInfo};
use std::fmt;
use std::sync::Arc;

/// A database error, with whether it is a uniqueness violation.
#[derive(Debug, Clone)]
pub struct DbErr {
    /// The engine's message (and on PostgreSQL the constraint's name).
    pub msg: String,
    pub unique: bool,
}

impl fmt::Display for DbErr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for DbErr {}

impl From<sqlx::Error> for DbErr {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) => DbErr {
                msg: format!("{} {}", db.message(), db.constraint().unwrap_or_default()).trim().to_string(),
                unique: db.is_unique_violation(),
            },
            _ => DbErr { msg: e.to_string(), unique: false },
        }
    }
}

impl From<rusqlite::Error> for DbErr {
    fn from(e: rusqlite::Error) -> Self {
        let unique = matches!(
            &e,
            rusqlite::Error::SqliteFailure(f, _)
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        );
        DbErr { msg: e.to_string(), unique }
    }
}

/// The type of a value, so that a NULL is bound with the right type on PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Real,
    Text,
    Blob,
}

/// A bound parameter or a read column.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null(Kind),
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// What can be bound to a query.
pub trait IntoValue {
    const KIND: Kind;
    fn into_value(self) -> Value;
}

macro_rules! int_value {
    ($($t:ty),*) => {$(
        impl IntoValue for $t {
            const KIND: Kind = Kind::Int;
            fn into_value(self) -> Value {
                Value::Int(self as i64)
            }
        }
    )*};
}
int_value!(i64, i32, u32, u16, u8, usize);

impl IntoValue for bool {
    const KIND: Kind = Kind::Int;
    fn into_value(self) -> Value {
        Value::Int(i64::from(self))
    }
}
/// A value already made (for queries whose parameters are assembled from a filter).
impl IntoValue for Value {
    const KIND: Kind = Kind::Text;
    fn into_value(self) -> Value {
        self
    }
}
impl IntoValue for f64 {
    const KIND: Kind = Kind::Real;
    fn into_value(self) -> Value {
        Value::Real(self)
    }
}
impl IntoValue for String {
    const KIND: Kind = Kind::Text;
    fn into_value(self) -> Value {
        Value::Text(self)
    }
}
impl IntoValue for &str {
    const KIND: Kind = Kind::Text;
    fn into_value(self) -> Value {
        Value::Text(self.to_string())
    }
}
impl IntoValue for Vec<u8> {
    const KIND: Kind = Kind::Blob;
    fn into_value(self) -> Value {
        Value::Blob(self)
    }
}
impl IntoValue for &[u8] {
    const KIND: Kind = Kind::Blob;
    fn into_value(self) -> Value {
        Value::Blob(self.to_vec())
    }
}
impl<T: IntoValue> IntoValue for Option<T> {
    const KIND: Kind = T::KIND;
    fn into_value(self) -> Value {
        match self {
            Some(v) => v.into_value(),
            None => Value::Null(T::KIND),
        }
    }
}
impl<T: IntoValue + Clone> IntoValue for &T {
    const KIND: Kind = T::KIND;
    fn into_value(self) -> Value {
        self.clone().into_value()
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null(_) => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

/// One result row: values by column name.
#[derive(Debug, Clone)]
pub struct Row {
    cols: Arc<Vec<String>>,
    vals: Vec<Value>,
}

impl Row {
    pub fn value(&self, col: &str) -> Option<&Value> {
        self.cols.iter().position(|c| c == col).map(|i| &self.vals[i])
    }

    /// Every column as a JSON object, in the row's order: numbers and texts
    /// as they are, NULL as null, bytes as lowercase hex.
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for (c, v) in self.cols.iter().zip(&self.vals) {
            let j = match v {
                Value::Null(_) => serde_json::Value::Null,
                Value::Int(i) => (*i).into(),
                Value::Real(f) => serde_json::Number::from_f64(*f).map(Into::into).unwrap_or(serde_json::Value::Null),
                Value::Text(t) => t.clone().into(),
                Value::Blob(b) => hex::encode(b).into(),
            };
            m.insert(c.clone(), j);
        }
        serde_json::Value::Object(m)
    }
}

/// What a statement changed.
#[derive(Debug, Clone, Copy)]
pub struct Done(u64);

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.0
    }

    /// `Ok` when the statement changed a row, else `Err(none)`.
    pub fn or(self, none: crate::StoreError) -> crate::StoreResult<()> {
        if self.0 == 0 {
            Err(none)
        } else {
            Ok(())
        }
    }
}

/// Where a query runs: the store (any connection) or a write transaction.
pub enum Ex<'a> {
    Store(&'a Store),
    Tx(&'a mut Tx),
}

impl Ex<'_> {
    /// The same place for one more query, keeping this one for the next.
    pub fn reborrow(&mut self) -> Ex<'_> {
        match self {
            Ex::Store(s) => Ex::Store(s),
            Ex::Tx(t) => Ex::Tx(t),
        }
    }
}

/// A query and its parameters.
#[must_use]
pub struct Query {
    sql: String,
    args: Vec<Value>,
}

/// Starts a query; parameters are `$1`, `$2`, … in the order of `bind` calls.
pub fn query(sql: impl Into<String>) -> Query {
    Query { sql: sql.into(), args: Vec::new() }
}

/// Appends `v` to the parameters `args` of a statement being written and
/// returns its placeholder (`$1`, `$2`, …).
pub(crate) fn param(args: &mut Vec<Value>, v: Value) -> String {
    args.push(v);
    format!("${}", args.len())
}

/// The parameters of `IN (…)` over `ids` (appended to `args`), as many as
/// the next power of two (at least 8), the last id repeated: the statement
/// has one of a few shapes, so that the prepared statements of both
/// databases are reused instead of one being made for every list. An empty
/// list matches nothing.
pub(crate) fn id_list(ids: &[i64], args: &mut Vec<Value>) -> String {
    let Some(&last) = ids.last() else { return "NULL".into() };
    let n = ids.len().next_power_of_two().max(8);
    let all = ids.iter().copied().chain(std::iter::repeat(last)).take(n);
    all.map(|id| param(args, Value::Int(id))).collect::<Vec<_>>().join(", ")
}

/// A query with its parameters already made (`$1` … in their order).
pub fn query_with(sql: impl Into<String>, args: Vec<Value>) -> Query {
    Query { sql: sql.into(), args }
}

/// `$N` → `?N` outside string literals (SQLite reads `$1` as a named parameter).
fn sqlite_sql(sql: &str) -> String {
    // Byte by byte: `'`, `$` and digits are ASCII, and no byte of a
    // multi-byte UTF-8 character is ASCII, so replacing one ASCII byte by
    // another keeps the text valid.
    let mut out = sql.as_bytes().to_vec();
    let mut quoted = false;
    for i in 0..out.len() {
        match out[i] {
            b'\'' => quoted = !quoted,
            b'$' if !quoted && out.get(i + 1).is_some_and(u8::is_ascii_digit) => out[i] = b'?',
            _ => {}
        }
    }
    String::from_utf8(out).expect("ASCII bytes replaced by ASCII bytes")
}

impl Query {
    pub fn bind<T: IntoValue>(mut self, v: T) -> Self {
        self.args.push(v.into_value());
        self
    }

    pub async fn execute(self, ex: Ex<'_>) -> Result<Done, DbErr> {
        match engine_of(ex) {
            Target::Sqlite(conn) => {
                let n = run_sqlite(conn, &self.sql, &self.args)?;
                Ok(Done(n))
            }
            Target::SqliteStore(store) => {
                // A change outside a transaction still queues behind the writer.
                store.native().group.outside(|c| run_sqlite(c, &self.sql, &self.args)).await.map(Done)
            }
            Target::Pg(mut pg) => {
                let q = self.pg();
                let mut owned = None;
                let l = pg.lease(&mut owned).await?;
                let r = crate::pgpool::answer(l.deadline(), q.execute(l.raw())).await;
                let r = l.settle(r)?;
                Ok(Done(r.rows_affected()))
            }
        }
    }

    pub async fn fetch_all(self, ex: Ex<'_>) -> Result<Vec<Row>, DbErr> {
        match engine_of(ex) {
            Target::Sqlite(conn) => fetch_sqlite(conn, &self.sql, &self.args, usize::MAX),
            Target::SqliteStore(store) => {
                store.native().with_reader(|c| fetch_sqlite(c, &self.sql, &self.args, usize::MAX))
            }
            Target::Pg(mut pg) => {
                let q = self.pg();
                let mut owned = None;
                let l = pg.lease(&mut owned).await?;
                let r = crate::pgpool::answer(l.deadline(), q.fetch_all(l.raw())).await;
                let rows = l.settle(r)?;
                Ok(pg_rows(&rows))
            }
        }
    }

    pub async fn fetch_optional(self, ex: Ex<'_>) -> Result<Option<Row>, DbErr> {
        match engine_of(ex) {
            Target::Sqlite(conn) => Ok(fetch_sqlite(conn, &self.sql, &self.args, 1)?.pop()),
            Target::SqliteStore(store) => {
                Ok(store.native().with_reader(|c| fetch_sqlite(c, &self.sql, &self.args, 1))?.pop())
            }
            Target::Pg(mut pg) => {
                let q = self.pg();
                let mut owned = None;
                let l = pg.lease(&mut owned).await?;
                let r = crate::pgpool::answer(l.deadline(), q.fetch_optional(l.raw())).await;
                let row = l.settle(r)?;
                Ok(row.map(|r| pg_rows(std::slice::from_ref(&r)).remove(0)))
            }
        }
    }

    pub async fn fetch_one(self, ex: Ex<'_>) -> Result<Row, DbErr> {
        self.fetch_optional(ex).await?.ok_or_else(|| DbErr { msg: "no rows returned".into(), unique: false })
    }

    /// Every row, each read by `map`.
    pub(crate) async fn all<T>(self, ex: Ex<'_>, map: fn(&Row) -> T) -> crate::StoreResult<Vec<T>> {
        Ok(self.fetch_all(ex).await?.iter().map(map).collect())
    }

    /// The first row read by `map`, if there is one.
    pub(crate) async fn maybe<T>(self, ex: Ex<'_>, map: fn(&Row) -> T) -> crate::StoreResult<Option<T>> {
        Ok(self.fetch_optional(ex).await?.as_ref().map(map))
    }

    /// The first row read by `map`; [`crate::StoreError::NotFound`] with `what` when there is none.
    pub(crate) async fn one<T>(self, ex: Ex<'_>, what: &'static str, map: fn(&Row) -> T) -> crate::StoreResult<T> {
        self.maybe(ex, map).await?.ok_or(crate::StoreError::NotFound(what))
    }

    /// Runs on a connection of `pool` (PostgreSQL), for the one row it returns.
    pub(crate) async fn fetch_one_on(self, pool: &crate::pgpool::PgConns) -> Result<Row, DbErr> {
        let mut l = pool.acquire().await?;
        let r = crate::pgpool::answer(l.deadline(), self.pg().fetch_one(l.raw())).await;
        let row = l.settle(r)?;
        Ok(pg_rows(std::slice::from_ref(&row)).remove(0))
    }

    fn pg(&self) -> sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments> {
        let mut q = sqlx::query(&self.sql);
        for v in &self.args {
            q = match v {
                Value::Null(Kind::Int) => q.bind(None::<i64>),
                Value::Null(Kind::Real) => q.bind(None::<f64>),
                Value::Null(Kind::Text) => q.bind(None::<String>),
                Value::Null(Kind::Blob) => q.bind(None::<Vec<u8>>),
                Value::Int(i) => q.bind(*i),
                Value::Real(f) => q.bind(*f),
                Value::Text(s) => q.bind(s.clone()),
                Value::Blob(b) => q.bind(b.clone()),
            };
        }
        q
    }
}

enum PgTarget<'a> {
    Pool(&'a crate::pgpool::PgConns),
    Lease(&'a mut crate::pgpool::Lease),
}

impl PgTarget<'_> {
    /// The connection a statement runs on: the transaction's, or one lent
    /// by the pool for the statement alone (kept in `owned`, given back when it is dropped).
    async fn lease<'s>(
        &'s mut self,
        owned: &'s mut Option<crate::pgpool::Lease>,
    ) -> Result<&'s mut crate::pgpool::Lease, DbErr> {
        match self {
            PgTarget::Pool(p) => Ok(owned.insert(p.acquire().await?)),
            PgTarget::Lease(l) => Ok(l),
        }
    }
}

enum Target<'a> {
    Sqlite(&'a rusqlite::Connection),
    SqliteStore(&'a Store),
    Pg(PgTarget<'a>),
}

fn engine_of(ex: Ex<'_>) -> Target<'_> {
    match ex {
        Ex::Store(s) => match s.pg_pool() {
            Some(p) => Target::Pg(PgTarget::Pool(p)),
            None => Target::SqliteStore(s),
        },
        Ex::Tx(tx) => match tx.engine() {
            crate::TxEngine::Sqlite(c) => Target::Sqlite(c),
            crate::TxEngine::Pg(l) => Target::Pg(PgTarget::Lease(l)),
        },
    }
}

static STATEMENTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many statements this process has run on SQLite (the benchmark reports
/// statements per transaction).
pub fn statements_run() -> u64 {
    STATEMENTS.load(std::sync::atomic::Ordering::Relaxed)
}

fn prepare<'c>(
    conn: &'c rusqlite::Connection,
    sql: &str,
    args: &[Value],
) -> Result<rusqlite::CachedStatement<'c>, DbErr> {
    STATEMENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut st = conn.prepare_cached(&sqlite_sql(sql))?;
    let want = st.parameter_count();
    if want != args.len() {
        return Err(DbErr {
            msg: format!("{want} parameters in the query, {} bound: {sql}", args.len()),
            unique: false,
        });
    }
    for (i, v) in args.iter().enumerate() {
        st.raw_bind_parameter(i + 1, v)?;
    }
    Ok(st)
}

/// Runs a statement to its end (rows it may return are skipped) and says how many rows it changed.
fn run_sqlite(conn: &rusqlite::Connection, sql: &str, args: &[Value]) -> Result<u64, DbErr> {
    let mut st = prepare(conn, sql, args)?;
    let mut rows = st.raw_query();
    while rows.next()?.is_some() {}
    drop(rows);
    Ok(conn.changes())
}

fn fetch_sqlite(conn: &rusqlite::Connection, sql: &str, args: &[Value], limit: usize) -> Result<Vec<Row>, DbErr> {
    let mut st = prepare(conn, sql, args)?;
    let cols: Arc<Vec<String>> = Arc::new(st.column_names().iter().map(|c| c.to_string()).collect());
    let n = cols.len();
    let mut out = Vec::new();
    let mut rows = st.raw_query();
    while let Some(r) = rows.next()? {
        let mut vals = Vec::with_capacity(n);
        for i in 0..n {
            vals.push(match r.get_ref(i)? {
                ValueRef::Null => Value::Null(Kind::Text),
                ValueRef::Integer(v) => Value::Int(v),
                ValueRef::Real(v) => Value::Real(v),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            });
        }
        out.push(Row { cols: cols.clone(), vals });
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

/// How a PostgreSQL column is read, from its type (decided once per result).
#[derive(Clone, Copy)]
pub(crate) enum PgDecode {
    I16,
    I32,
    I64,
    Bool,
    F32,
    F64,
    Bytes,
    Text,
}

impl PgDecode {
    fn of(type_name: &str) -> PgDecode {
        match type_name {
            "INT2" => PgDecode::I16,
            "INT4" | "OID" => PgDecode::I32,
            "INT8" => PgDecode::I64,
            "BOOL" => PgDecode::Bool,
            "FLOAT4" => PgDecode::F32,
            "FLOAT8" => PgDecode::F64,
            "BYTEA" => PgDecode::Bytes,
            _ => PgDecode::Text,
        }
    }

    pub(crate) fn read(self, r: &PgRow, i: usize) -> Value {
        fn get<'r, T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>>(
            r: &'r PgRow,
            i: usize,
        ) -> Option<T> {
            r.try_get::<Option<T>, _>(i).ok().flatten()
        }
        let v = match self {
            PgDecode::I16 => get::<i16>(r, i).map(|v| Value::Int(v.into())),
            PgDecode::I32 => get::<i32>(r, i).map(|v| Value::Int(v.into())),
            PgDecode::I64 => get::<i64>(r, i).map(Value::Int),
            PgDecode::Bool => get::<bool>(r, i).map(|v| Value::Int(v.into())),
            PgDecode::F32 => get::<f32>(r, i).map(|v| Value::Real(v.into())),
            PgDecode::F64 => get::<f64>(r, i).map(Value::Real),
            PgDecode::Bytes => get::<Vec<u8>>(r, i).map(Value::Blob),
            PgDecode::Text => get::<String>(r, i).map(Value::Text),
        };
        v.unwrap_or(Value::Null(match self {
            PgDecode::I16 | PgDecode::I32 | PgDecode::I64 | PgDecode::Bool => Kind::Int,
            PgDecode::F32 | PgDecode::F64 => Kind::Real,
            PgDecode::Bytes => Kind::Blob,
            PgDecode::Text => Kind::Text,
        }))
    }
}

/// How each column of `row`'s result is read.
pub(crate) fn pg_decoders(row: &PgRow) -> Vec<PgDecode> {
    row.columns().iter().map(|c| PgDecode::of(c.type_info().name())).collect()
}

pub(crate) fn pg_rows(rows: &[PgRow]) -> Vec<Row> {
    let Some(first) = rows.first() else { return vec![] };
    let cols: Arc<Vec<String>> = Arc::new(first.columns().iter().map(|c| c.name().to_string()).collect());
    let decode: Vec<PgDecode> = first.columns().iter().map(|c| PgDecode::of(c.type_info().name())).collect();
    rows.iter()
        .map(|r| Row { cols: cols.clone(), vals: decode.iter().enumerate().map(|(i, d)| d.read(r, i)).collect() })
        .collect()
}

/// The in-process SQLite engine: one writer connection (held by a write
/// transaction for its whole length, so writers queue instead of failing with
/// SQLITE_BUSY; their commits are grouped, see [`crate::group`]) and a small
/// pool of reader connections (WAL: readers never wait for the writer).
pub(crate) struct Native {
    path: std::path::PathBuf,
    full_sync: bool,
    pub(crate) group: Arc<crate::group::Group>,
    readers: std::sync::Mutex<Vec<rusqlite::Connection>>,
    checkpointer: Checkpointer,
}

/// Copies the WAL back into the database file from a thread of its own
/// (PASSIVE checkpoints never block the writer), so that a commit does not
/// pay for the copy and its sync. The writer still checkpoints by itself if
/// this thread falls far behind.
struct Checkpointer {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    fn start(conn: rusqlite::Connection) -> Checkpointer {
        use std::sync::atomic::Ordering;
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("zwfw-checkpoint".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                        tracing::warn!(error = %e, "background checkpoint failed");
                    }
                }
            })
            .ok();
        Checkpointer { stop, thread }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// WAL pages after which a commit checkpoints by itself (the background
/// thread normally keeps the WAL far below).
const WRITER_CHECKPOINT_PAGES: i64 = 20_000;

const READERS_KEPT: usize = 8;

impl Native {
    pub(crate) fn open(path: std::path::PathBuf, full_sync: bool) -> Result<Native, DbErr> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| DbErr { msg: e.to_string(), unique: false })?;
            }
        }
        let writer = Self::connection(&path, full_sync)?;
        // The first connection turns WAL on (it is stored in the file).
        writer.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        writer.query_row(&format!("PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINT_PAGES}"), [], |_| Ok(()))?;
        // The writer keeps 8 MiB of the pages it touches (a larger cache is
        // walked at nearly every commit: migration 0021); readers keep few
        // (see `with_reader`).
        writer.execute_batch(&format!("PRAGMA cache_size = {}", crate::guards::SQLITE_WRITER_CACHE))?;
        // The guards against edits made around the program let its changes pass (migration 0022).
        crate::guards::mark_sqlite_writer(&writer)?;
        // A transaction is a savepoint in a group (see `group`): the copies
        // of pages an earlier member changed stay in memory instead of a
        // temporary file written at every change.
        writer.execute_batch("PRAGMA temp_store = MEMORY")?;
        let checkpointer = Checkpointer::start(Self::connection(&path, full_sync)?);
        Ok(Native {
            path,
            full_sync,
            group: crate::group::Group::new(writer),
            readers: std::sync::Mutex::new(Vec::new()),
            checkpointer,
        })
    }

    fn connection(path: &std::path::Path, full_sync: bool) -> Result<rusqlite::Connection, DbErr> {
        use rusqlite::OpenFlags;
        let c = rusqlite::Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        c.busy_timeout(std::time::Duration::from_secs(10))?;
        c.execute_batch(if full_sync {
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
        } else {
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
        })?;
        c.set_prepared_statement_cache_capacity(256);
        Ok(c)
    }

    /// The database file.
    pub(crate) fn path(&self) -> &std::path::Path {
        &self.path
    }

    pub(crate) fn with_reader<R>(&self, f: impl FnOnce(&rusqlite::Connection) -> Result<R, DbErr>) -> Result<R, DbErr> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => {
                // A small page cache (256 KiB): a reader empties it whenever
                // the writer committed since its last read, which is at
                // almost every read under load, and the operating system
                // keeps the file's pages anyway.
                let c = Self::connection(&self.path, self.full_sync)?;
                c.execute_batch("PRAGMA cache_size = -256")?;
                c
            }
        };
        let r = f(&conn);
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < READERS_KEPT && conn.is_autocommit() {
            pool.push(conn);
        }
        r
    }

    /// Whether [`Self::close`] was called.
    pub(crate) fn is_closed(&self) -> bool {
        self.checkpointer.stop.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Closes the pooled readers and stops the checkpoints (the writer
    /// closes with the last handle).
    pub(crate) fn close(&self) {
        self.readers.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.checkpointer.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::sqlite_sql;

    #[test]
    fn numbered_parameters_outside_literals() {
        assert_eq!(sqlite_sql("SELECT $1, '$2', $10 WHERE a = $2"), "SELECT ?1, '$2', ?10 WHERE a = ?2");
        assert_eq!(sqlite_sql("SELECT '$' || $1"), "SELECT '$' || ?1");
        assert_eq!(sqlite_sql("SELECT '办件$1' || $1 AS 名称"), "SELECT '办件$1' || ?1 AS 名称");
    }
}
